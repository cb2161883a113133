"""numba-compiled assembly of ASCII event text from per-event line templates (HepMC3 writer).

Imported only by :func:`darkbeam.events._text.assemble`, i.e. the first time a HepMC3 file is written:
importing darkbeam never loads numba.  The kernel only copies bytes: the numbers themselves are
formatted beforehand (floats by Arrow's shortest round-trip cast, :func:`darkbeam.events._text.fstr`),
so the text is byte for byte what the per-line Arrow joins wrote before.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _ndigits(v):
    d = 1
    while v >= 10:
        v //= 10
        d += 1
    return d


@njit(cache=True)
def assemble_kernel(fdata, foff, fbase, tmpl, ops, op_start, tok, tok_off, first):
    """Text of n events.  Event i follows template ``tmpl[i]``: the ops ``ops[op_start[t]:op_start[t+1]]``,
    each either a float ``op >= 0`` (string ``fbase[i] + op`` of ``fdata``/``foff``), the event number
    ``first + i`` (``op == -1``) or the constant token ``-op - 2`` (bytes of ``tok``/``tok_off``)."""
    n = tmpl.shape[0]
    size = 0
    for i in range(n):
        t = tmpl[i]
        b = fbase[i]
        for k in range(op_start[t], op_start[t + 1]):
            op = ops[k]
            if op >= 0:
                size += foff[b + op + 1] - foff[b + op]
            elif op == -1:
                size += _ndigits(first + i)
            else:
                size += tok_off[-op - 1] - tok_off[-op - 2]
    out = np.empty(size, dtype=np.uint8)
    p = 0
    for i in range(n):
        t = tmpl[i]
        b = fbase[i]
        for k in range(op_start[t], op_start[t + 1]):
            op = ops[k]
            if op >= 0:
                a0 = foff[b + op]
                a1 = foff[b + op + 1]
                for q in range(a0, a1):
                    out[p] = fdata[q]
                    p += 1
            elif op == -1:
                v = first + i
                nd = _ndigits(v)
                for q in range(nd - 1, -1, -1):
                    out[p + q] = 48 + v % 10
                    v //= 10
                p += nd
            else:
                a0 = tok_off[-op - 2]
                a1 = tok_off[-op - 1]
                for q in range(a0, a1):
                    out[p] = tok[q]
                    p += 1
    return out
