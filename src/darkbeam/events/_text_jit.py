"""numba-compiled text of the ASCII event formats: shortest round-trip float formatting and the
assembly of whole events from per-event line templates (HepMC3 writer).

Imported only by :class:`darkbeam.events._text.Assembler`, i.e. the first time the compiled HepMC3
writer is used (:func:`darkbeam.events.hepmc.use_compiled`): importing darkbeam never loads numba.

Floats are written as the *shortest* decimal that reads back to the identical float64 (and, among
those, the one closest to the exact binary value), in the layout of Arrow's float -> string cast
(:func:`darkbeam.events._text.fstr`, which uses double-conversion): plain decimal when the decimal
exponent E of the leading digit is in [-6, 9] (``0.000015``, ``123456``, ``1234567891.2345``),
otherwise ``d.ddde+E`` / ``d.ddde-E`` without zero padding (``1e+10``, ``1.5e-7``); ``0``, ``-0``,
``inf``, ``-inf``, ``nan``.  The digits come from the Ryu algorithm (U. Adams, "Ryu: fast
float-to-string conversion", PLDI 2018, doi:10.1145/3192366.3192369, section 3 and its step 1-4
outline), written here from the paper with 128-bit products emulated on 64-bit integers; the tables
are the paper's 5^q and 2^k/5^q approximations, computed at import with Python integers.
tests/test_writers.py checks the text byte for byte against Arrow's cast on random and edge values.
"""

from __future__ import annotations

import numpy as np
from numba import njit

POW5_INV_BITCOUNT = 125
POW5_BITCOUNT = 125


def _tables():
    inv = np.zeros((342, 2), dtype=np.uint64)
    pos = np.zeros((326, 2), dtype=np.uint64)
    mask = (1 << 64) - 1
    for i in range(342):
        p = 5 ** i
        ln = p.bit_length()
        v = (1 << (ln - 1 + POW5_INV_BITCOUNT)) // p + 1
        inv[i] = (v & mask, v >> 64)
        if i < 326:
            s = ln - POW5_BITCOUNT
            v = p >> s if s >= 0 else p << -s
            pos[i] = (v & mask, v >> 64)
    return inv, pos


POW5_INV_SPLIT, POW5_SPLIT = _tables()
U = np.uint64
M32 = U(0xFFFFFFFF)


@njit(cache=True, inline="always")
def _umul128(a, b):
    """(high, low) 64-bit halves of the 128-bit product a * b (uint64)."""
    a_lo = a & M32
    a_hi = a >> U(32)
    b_lo = b & M32
    b_hi = b >> U(32)
    p0 = a_lo * b_lo
    p1 = a_lo * b_hi
    p2 = a_hi * b_lo
    p3 = a_hi * b_hi
    mid = (p0 >> U(32)) + (p1 & M32) + (p2 & M32)
    lo = (p0 & M32) | (mid << U(32))
    hi = p3 + (p1 >> U(32)) + (p2 >> U(32)) + (mid >> U(32))
    return hi, lo


@njit(cache=True, inline="always")
def _mul_shift(m, mul0, mul1, j):
    """floor(m * (mul1 * 2^64 + mul0) / 2^j) for 64 < j < 128."""
    hi0, lo0 = _umul128(m, mul0)
    hi2, lo2 = _umul128(m, mul1)
    low = lo2 + hi0
    high = hi2 + (U(1) if low < lo2 else U(0))
    s = U(j - 64)
    return (low >> s) | (high << (U(64) - s))


@njit(cache=True, inline="always")
def _pow5bits(e):
    return ((e * 1217359) >> 19) + 1


@njit(cache=True, inline="always")
def _pow5_factor(v):
    c = 0
    while v > U(0):
        q = v // U(5)
        if v - q * U(5) != U(0):
            break
        v = q
        c += 1
    return c


@njit(cache=True)
def shortest(bits, inv, pos):
    """Ryu: (digits, exponent) of the shortest decimal digits * 10^exponent of a finite positive
    float64 with IEEE bit pattern ``bits`` (sign bit clear, not zero)."""
    ieee_m = bits & U((1 << 52) - 1)
    ieee_e = np.int64(bits >> U(52))
    if ieee_e == 0:
        e2 = 1 - 1023 - 52 - 2
        m2 = ieee_m
    else:
        e2 = ieee_e - 1023 - 52 - 2
        m2 = ieee_m | U(1 << 52)
    even = (m2 & U(1)) == U(0)
    mv = U(4) * m2
    mm_shift = U(1) if (ieee_m != U(0) or ieee_e <= 1) else U(0)
    mp_ = mv + U(2)
    mm_ = mv - U(1) - mm_shift
    vm_tz = False
    vr_tz = False
    if e2 >= 0:
        q = ((e2 * 78913) >> 18) - (1 if e2 > 3 else 0)
        e10 = q
        k = POW5_INV_BITCOUNT + _pow5bits(q) - 1
        i = -e2 + q + k
        vr = _mul_shift(mv, inv[q, 0], inv[q, 1], i)
        vp = _mul_shift(mp_, inv[q, 0], inv[q, 1], i)
        vm = _mul_shift(mm_, inv[q, 0], inv[q, 1], i)
        if q <= 21:
            if mv % U(5) == U(0):
                vr_tz = _pow5_factor(mv) >= q
            elif even:
                vm_tz = _pow5_factor(mm_) >= q
            elif _pow5_factor(mp_) >= q:
                vp -= U(1)
    else:
        q = ((-e2 * 732923) >> 20) - (1 if -e2 > 1 else 0)
        e10 = q + e2
        i = -e2 - q
        k = _pow5bits(i) - POW5_BITCOUNT
        j = q - k
        vr = _mul_shift(mv, pos[i, 0], pos[i, 1], j)
        vp = _mul_shift(mp_, pos[i, 0], pos[i, 1], j)
        vm = _mul_shift(mm_, pos[i, 0], pos[i, 1], j)
        if q <= 1:
            vr_tz = True
            if even:
                vm_tz = mm_shift == U(1)
            else:
                vp -= U(1)
        elif q < 63:
            vr_tz = (mv & ((U(1) << U(q)) - U(1))) == U(0)
    removed = 0
    last = U(0)
    ten = U(10)
    if vm_tz or vr_tz:
        while vp // ten > vm // ten:
            vm_tz = vm_tz and (vm % ten == U(0))
            vr_tz = vr_tz and (last == U(0))
            last = vr % ten
            vr //= ten
            vp //= ten
            vm //= ten
            removed += 1
        if vm_tz:
            while vm % ten == U(0):
                vr_tz = vr_tz and (last == U(0))
                last = vr % ten
                vr //= ten
                vp //= ten
                vm //= ten
                removed += 1
        if vr_tz and last == U(5) and vr % U(2) == U(0):
            last = U(4)
        up = (vr == vm and (not even or not vm_tz)) or last >= U(5)
        out = vr + (U(1) if up else U(0))
    else:
        round_up = False
        hundred = U(100)
        if vp // hundred > vm // hundred:  # two digits at once (most numbers)
            round_up = vr % hundred >= U(50)
            vr //= hundred
            vp //= hundred
            vm //= hundred
            removed += 2
        while vp // ten > vm // ten:
            round_up = vr % ten >= U(5)
            vr //= ten
            vp //= ten
            vm //= ten
            removed += 1
        out = vr + (U(1) if (vr == vm or round_up) else U(0))
    return out, e10 + removed


P10 = np.array([10 ** k for k in range(20)], dtype=np.uint64)
D2 = np.frombuffer("".join(f"{k:02d}" for k in range(100)).encode(), dtype=np.uint8).copy()


@njit(cache=True, inline="always")
def _digits(out, end, m, count):
    """Write the last ``count`` decimal digits of ``m`` at ``out[end-count:end]``; returns m // 10^count."""
    q = end
    while count >= 2:
        r = m % U(100)
        m //= U(100)
        q -= 2
        out[q] = D2[2 * r]
        out[q + 1] = D2[2 * r + 1]
        count -= 2
    if count == 1:
        q -= 1
        out[q] = np.uint8(48 + m % U(10))
        m //= U(10)
    return m


@njit(cache=True)
def format_float(bits, out, p, inv, pos):
    """Write the float64 with IEEE bit pattern ``bits`` at ``out[p:]`` (layout of the module
    docstring); returns the new end."""
    if (bits & U((1 << 63) - 1)) >> U(52) == U(2047) and bits & U((1 << 52) - 1):
        out[p] = 110
        out[p + 1] = 97
        out[p + 2] = 110  # nan
        return p + 3
    if bits >> U(63):
        out[p] = 45  # '-'
        p += 1
        bits &= U((1 << 63) - 1)
    if bits == U(0):
        out[p] = 48
        return p + 1
    if (bits >> U(52)) == U(2047):
        out[p] = 105
        out[p + 1] = 110
        out[p + 2] = 102  # inf
        return p + 3
    m, e = shortest(bits, inv, pos)
    n = 17  # Ryu's digits have at most 17 digits; most have 15-17
    while n > 1 and m < P10[n - 1]:
        n -= 1
    E = e + n - 1  # decimal exponent of the leading digit: value = d.ddd * 10^E
    if -6 <= E <= 9:
        if e >= 0:  # integer: digits and e zeros
            _digits(out, p + n, m, n)
            p += n
            for t in range(e):
                out[p] = 48
                p += 1
        elif E >= 0:  # ddd.ddd
            frac = n - E - 1
            m = _digits(out, p + n + 1, m, frac)
            out[p + E + 1] = 46  # '.'
            _digits(out, p + E + 1, m, E + 1)
            p += n + 1
        else:  # 0.000ddd
            out[p] = 48
            out[p + 1] = 46
            p += 2
            for t in range(-E - 1):
                out[p] = 48
                p += 1
            _digits(out, p + n, m, n)
            p += n
    else:  # d.ddde+E
        _digits(out, p + n + 1, m, n)
        out[p] = out[p + 1]
        if n > 1:
            out[p + 1] = 46
            p += n + 1
        else:
            p += 1
        out[p] = 101  # 'e'
        out[p + 1] = 43 if E >= 0 else 45
        p += 2
        a = E if E >= 0 else -E
        nd = 1 if a < 10 else (2 if a < 100 else 3)
        for t in range(nd - 1, -1, -1):
            out[p + t] = 48 + a % 10
            a //= 10
        p += nd
    return p


MAX_FLOAT_CHARS = 25  # '-0.00000' + 17 digits


@njit(cache=True)
def format_many(bits, inv, pos):
    """Texts of many floats: (bytes, offsets) with float i at ``bytes[offsets[i]:offsets[i+1]]``."""
    n = bits.shape[0]
    out = np.empty(n * MAX_FLOAT_CHARS, dtype=np.uint8)
    off = np.empty(n + 1, dtype=np.int64)
    p = 0
    off[0] = 0
    for i in range(n):
        p = format_float(bits[i], out, p, inv, pos)
        off[i + 1] = p
    return out[:p], off


@njit(cache=True)
def assemble_kernel(out, vals, fbase, tmpl, ops, op_start, tok, tok_off, first, inv, pos):
    """Text of n events written at the start of ``out`` (large enough: :func:`template_bounds`);
    returns its length.  Event i follows template ``tmpl[i]``: the ops
    ``ops[op_start[t]:op_start[t+1]]``, each a float ``op >= 0`` (bit pattern ``vals[fbase[i] + op]``,
    formatted by :func:`format_float`), the event number ``first + i`` (``op == -1``) or the constant
    token ``-op - 2`` (bytes ``tok[tok_off[-op-2]:tok_off[-op-1]]``)."""
    n = tmpl.shape[0]
    p = 0
    for i in range(n):
        t = tmpl[i]
        b = fbase[i]
        for k in range(op_start[t], op_start[t + 1]):
            op = ops[k]
            if op >= 0:
                p = format_float(vals[b + op], out, p, inv, pos)
            elif op == -1:
                v = first + i
                nd = 1
                w = v
                while w >= 10:
                    w //= 10
                    nd += 1
                for q in range(nd - 1, -1, -1):
                    out[p + q] = 48 + v % 10
                    v //= 10
                p += nd
            else:
                for q in range(tok_off[-op - 2], tok_off[-op - 1]):
                    out[p] = tok[q]
                    p += 1
    return p


def template_bounds(ops, op_start, tok_off):
    """Most bytes an event of each template can take (floats at their longest, 20-digit event number)."""
    ops = np.asarray(ops)
    tl = np.diff(tok_off)
    per = np.where(ops >= 0, MAX_FLOAT_CHARS, np.where(ops == -1, 20, tl[np.maximum(-ops - 2, 0)]))
    return np.add.reduceat(per, op_start[:-1]) if len(ops) else np.zeros(len(op_start) - 1, np.int64)
