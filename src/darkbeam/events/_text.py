"""Vectorised text building for the ASCII event formats (HepMC3, HEPEVT).

Per-event Python loops and per-object writer APIs cost microseconds per number; here every field of a
line type is formatted for a whole chunk of events at once with Arrow compute kernels (C++):

* floats -> shortest decimal strings that read back to the identical float64 (Arrow's cast uses
  the shortest round-trip representation), so files are exact and compact;
* the fields of one line type are joined element-wise;
* the line types ("slots") are interleaved into event order by one ``take`` and joined with newlines.

:class:`Assembler` is the compiled alternative used for large HepMC3 files: per-event templates
written by one numba kernel (:mod:`darkbeam.events._text_jit`), the same text byte for byte.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def fstr(a) -> pa.Array:
    """float64 array -> strings that read back exactly (e.g. '0.1', '1.2345e-7', '-3e+21')."""
    return pc.cast(pa.array(np.asarray(a, dtype=np.float64)), pa.string())


def istr(a) -> pa.Array:
    """integer array -> decimal strings."""
    return pc.cast(pa.array(np.asarray(a, dtype=np.int64)), pa.string())


def lookup(table, idx) -> pa.Array:
    """``table[idx]`` for a small list of strings and an index array."""
    return pa.array(list(table), pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))


def const(s: str, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(s, pa.string()), n)


def join(*parts) -> pa.Array:
    """Element-wise join with single spaces; parts are string arrays or plain str (broadcast)."""
    return pc.binary_join_element_wise(*parts, " ")


def fmt_scalar(v: float) -> str:
    """One float exactly as :func:`fstr` writes it."""
    return fstr(np.array([v]))[0].as_py()


def interleave(slots, presence: np.ndarray) -> memoryview:
    """Lines of all events in event order, newline-terminated, as one buffer.

    ``presence`` is an (n, S) boolean matrix (does event i have a line in slot s); ``slots[s]`` holds
    the lines of slot s for the events where it is present, in event order.
    """
    n, S = presence.shape
    flat = presence.ravel()
    rank = (np.cumsum(flat, dtype=np.int64) - 1).reshape(n, S)
    total = int(flat.sum())
    pos = []
    arrays = []
    for s in range(S):
        col = presence[:, s]
        arr = slots[s]
        k = int(col.sum())
        if k == 0:
            continue
        if len(arr) != k:
            raise AssertionError(f"slot {s}: {len(arr)} lines for {k} events")
        pos.append(rank[col, s])
        arrays.append(arr)
    inv = np.empty(total, dtype=np.int64)
    inv[np.concatenate(pos)] = np.arange(total, dtype=np.int64)
    lines = pa.concat_arrays(arrays).take(pa.array(inv))
    lst = pa.ListArray.from_arrays(pa.array([0, total], pa.int32()), lines)
    text = pc.binary_join(lst, "\n")
    buf = text.buffers()[2]
    off = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset:text.offset + 2]
    mv = memoryview(buf)[int(off[0]):int(off[1])]
    return mv


class Assembler:
    """Writes events from line templates (:func:`darkbeam.events._text_jit.assemble_kernel`) into one
    buffer reused from chunk to chunk.  ``ops``/``op_start``: the templates; ``tok``/``tok_off``:
    their constant texts."""

    def __init__(self, ops, op_start, tok, tok_off):
        from darkbeam.events import _text_jit as J  # numba: loaded on first use only

        self._J = J
        self.ops, self.op_start, self.tok_off = ops, op_start, tok_off
        self.tok = np.concatenate([tok, np.zeros(8, np.uint8)])  # whole-word copies read past the end
        self.bound = J.template_bounds(ops, op_start, tok_off)
        self.buf = np.empty(0, dtype=np.uint8)
        ncol = int((np.asarray(ops)[np.asarray(ops) >= 0] & J.COL_MASK).max(initial=-1)) + 1
        self.last_bits = np.zeros(max(ncol, 1), dtype=np.uint64)
        self.last_at = np.zeros(2 * max(ncol, 1), dtype=np.int64)

    def __call__(self, vals, tmpl, first: int) -> memoryview:
        """Text of n events: event i follows template ``tmpl[i]``, its numbers are ``vals[:, i]``
        ((columns, n) float64, each written as :func:`fstr` writes it), its number ``first + i``."""
        J = self._J
        tmpl = np.asarray(tmpl, np.int64)
        size = int(self.bound[tmpl].sum()) + J.SLACK + 8
        if len(self.buf) < size:
            self.buf = np.empty(size, dtype=np.uint8)
        bits = np.ascontiguousarray(vals, dtype=np.float64).view(np.uint64)
        p = J.assemble_kernel(self.buf, bits, tmpl, self.ops, self.op_start, self.tok, self.tok_off,
                              np.int64(first), J.POW5_INV_SPLIT, J.POW5_SPLIT, self.last_bits, self.last_at)
        return memoryview(self.buf)[:p]
