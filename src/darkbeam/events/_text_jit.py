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
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

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


@intrinsic
def _mul_shift_native(typingctx, m, mul0, mul1, j):
    """floor(m * (mul1 * 2^64 + mul0) / 2^j) for 64 < j < 128, in LLVM's 128-bit integers."""
    sig = types.uint64(types.uint64, types.uint64, types.uint64, types.int64)

    def codegen(context, builder, signature, args):
        i128 = ir.IntType(128)
        a, b0, b1, jj = args
        x = builder.zext(a, i128)
        p0 = builder.mul(x, builder.zext(b0, i128))
        p1 = builder.mul(x, builder.zext(b1, i128))
        r = builder.add(builder.lshr(p0, ir.Constant(i128, 64)), p1)
        r = builder.lshr(r, builder.zext(builder.sub(jj, ir.Constant(ir.IntType(64), 64)), i128))
        return builder.trunc(r, ir.IntType(64))
    return sig, codegen


@njit(cache=True, inline="always")
def _mul_shift(m, mul0, mul1, j):
    """floor(m * (mul1 * 2^64 + mul0) / 2^j) for 64 < j < 128."""
    return _mul_shift_native(m, mul0, mul1, np.int64(j))


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


@njit(cache=True, inline="always")
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

MAX_FLOAT_CHARS = 25  # '-0.00000' + 17 digits
#: bytes past a float's start that :func:`format_float` may overwrite (digits are stored as 8-byte
#: words; at most 36 bytes): buffers need this much room after their last float
SLACK = 64


@intrinsic
def _clz(typingctx, v):
    """Count of leading zero bits of a uint64 (LLVM ctlz; v != 0)."""
    sig = types.int64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.ctlz(args[0], ir.Constant(ir.IntType(1), 1))
    return sig, codegen


@njit(cache=True, inline="always")
def _n_digits(m):
    """Number of decimal digits of m >= 1 (bit length * log10(2), corrected by one comparison)."""
    t = ((64 - _clz(m)) * 1233) >> 12
    return t + (1 if m >= P10[t] else 0)


@intrinsic
def _store8(typingctx, arr, idx, val):
    """arr[idx:idx+8] = the 8 bytes of the uint64 ``val`` (little-endian; one unaligned store)."""
    sig = types.void(arr, idx, val)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.bitcast(builder.gep(ary.data, [args[1]]), ir.IntType(64).as_pointer())
        builder.store(args[2], ptr, align=1)
        return context.get_dummy_value()
    return sig, codegen


@njit(cache=True, inline="always")
def _ascii8(v):
    """The 8 decimal digits of v < 10^8 (leading zeros kept) as ASCII in a uint64, first digit in the
    lowest byte: split into 4-, 2- and 1-digit lanes by multiply-shift divisions done on all lanes
    at once (x // 100 = x * 10486 >> 20 for x < 10^4, x // 10 = x * 103 >> 10 for x < 100)."""
    hi = v // U(10000)
    merged = hi | ((v - hi * U(10000)) << U(32))
    top = ((merged * U(10486)) >> U(20)) & U((0x7F << 32) | 0x7F)
    hundreds = ((merged - U(100) * top) << U(16)) + top
    tens = ((hundreds * U(103)) >> U(10)) & U((0xF << 48) | (0xF << 32) | (0xF << 16) | 0xF)
    tens += (hundreds - U(10) * tens) << U(8)
    return tens + U(0x3030303030303030)


@njit(cache=True, inline="always")
def _digit_words(m, k):
    """The decimal digits of m < 10^17 without its k = 17 - (number of digits) leading zeros, as 17
    ASCII bytes in three little-endian words (w0: digits 1-8, w1: 9-16, w2: 17)."""
    h = m // U(100000000)
    lo = _ascii8(m - h * U(100000000))
    t = h // U(100000000)
    mid = _ascii8(h - t * U(100000000))
    w0 = (U(48) + t) | (mid << U(8))
    w1 = (mid >> U(56)) | (lo << U(8))
    w2 = lo >> U(56)
    return _shift_bytes(w0, w1, w2, k)


@njit(cache=True, inline="always")
def _shift_bytes(w0, w1, w2, k):
    """The byte string (w0, w1, w2) without its first k <= 16 bytes."""
    while k >= 8:
        w0, w1, w2 = w1, w2, U(0)
        k -= 8
    sh = U(8 * k)
    inv = U(63) - sh  # (w << 1) << (63 - sh) == w << (64 - sh), and 0 for sh = 0: no branch
    w0 = (w0 >> sh) | ((w1 << U(1)) << inv)
    w1 = (w1 >> sh) | ((w2 << U(1)) << inv)
    return w0, w1, w2 >> sh


@njit(cache=True, inline="always")
def _put3(out, p, w0, w1, w2):
    _store8(out, p, w0)
    _store8(out, p + 8, w1)
    _store8(out, p + 16, w2)


ZEROS8 = U(0x3030303030303030)
ZERO_POINT8 = U(0x3030303030302E30)  # '0.000000'


@njit(cache=True, inline="always")
def format_float(bits, out, p, inv, pos):
    """Write the float64 with IEEE bit pattern ``bits`` at ``out[p:]`` (layout of the module
    docstring); returns the new end.  ``out`` must have :data:`SLACK` bytes of room past ``p``
    (digits are written as whole 8-byte words; bytes past the returned end are garbage)."""
    if (bits & U((1 << 63) - 1)) >> U(52) == U(2047) and bits & U((1 << 52) - 1):
        out[p] = 110
        out[p + 1] = 97
        out[p + 2] = 110  # nan
        return p + 3
    out[p] = 45  # '-', kept for negative numbers only (no branch: signs are random)
    p += np.int64(bits >> U(63))
    bits &= U((1 << 63) - 1)
    if bits == U(0):
        out[p] = 48
        return p + 1
    ieee_e = np.int64(bits >> U(52))
    if ieee_e == 2047:
        out[p] = 105
        out[p + 1] = 110
        out[p + 2] = 102  # inf
        return p + 3
    # an integer 1 <= value < 10^10 prints as itself (one well-predicted branch: the test is
    # evaluated without short-circuits, since values about 1 fall on either side of its first part)
    sh = U(min(max(1075 - ieee_e, 0), 63))
    mant = (bits & U((1 << 52) - 1)) | U(1 << 52)
    iv = mant >> sh
    if (ieee_e >= 1023) & (ieee_e < 1023 + 34) & ((iv << sh) == mant) & (iv < P10[10]):
        n = _n_digits(iv)
        w0, w1, w2 = _digit_words(iv, 17 - n)
        _put3(out, p, w0, w1, w2)
        return p + n
    m, e = shortest(bits, inv, pos)
    n = _n_digits(m)  # Ryu's digits have at most 17 digits
    w0, w1, w2 = _digit_words(m, 17 - n)
    E = e + n - 1  # decimal exponent of the leading digit: value = d.ddd * 10^E
    if -6 <= E <= 9:
        if e >= 0:  # integer: digits and e zeros (n + e <= 10)
            _put3(out, p, w0, w1, w2)
            _store8(out, p + n, ZEROS8)
            _store8(out, p + n + 8, ZEROS8)
            return p + n + e
        if E >= 0:  # ddd.ddd
            _put3(out, p, w0, w1, w2)
            t0, t1, t2 = _shift_bytes(w0, w1, w2, E + 1)
            _put3(out, p + E + 2, t0, t1, t2)
            out[p + E + 1] = 46  # '.'
            return p + n + 1
        # 0.000ddd
        _store8(out, p, ZERO_POINT8)
        p += 1 - E
        _put3(out, p, w0, w1, w2)
        return p + n
    # d.ddde+E
    out[p] = np.uint8(w0 & U(0xFF))
    out[p + 1] = 46
    t0, t1, t2 = _shift_bytes(w0, w1, w2, 1)
    _put3(out, p + 2, t0, t1, t2)
    p += n + 1 if n > 1 else 1
    out[p] = 101  # 'e'
    out[p + 1] = 43 if E >= 0 else 45
    p += 2
    a = E if E >= 0 else -E
    nd = 1 if a < 10 else (2 if a < 100 else 3)
    for t in range(nd - 1, -1, -1):
        out[p + t] = 48 + a % 10
        a //= 10
    return p + nd


@njit(cache=True)
def format_many(bits, inv, pos):
    """Texts of many floats: (bytes, offsets) with float i at ``bytes[offsets[i]:offsets[i+1]]``."""
    n = bits.shape[0]
    out = np.empty(n * MAX_FLOAT_CHARS + SLACK, dtype=np.uint8)
    off = np.empty(n + 1, dtype=np.int64)
    p = 0
    off[0] = 0
    for i in range(n):
        p = format_float(bits[i], out, p, inv, pos)
        off[i + 1] = p
    return out[:p], off


#: float ops: column index in the low 16 bits, the byte written right after the number (a space or
#: a newline; 0: none) in the next 8
COL_MASK = 0xFFFF
TRAIL_SHIFT = 16


@intrinsic
def _load8(typingctx, arr, idx):
    """The 8 bytes arr[idx:idx+8] as a little-endian uint64 (one unaligned load)."""
    sig = types.uint64(arr, idx)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.bitcast(builder.gep(ary.data, [args[1]]), ir.IntType(64).as_pointer())
        return builder.load(ptr, align=1)
    return sig, codegen


@njit(cache=True)
def assemble_kernel(out, vals, tmpl, ops, op_start, tok, tok_off, first, inv, pos, last_bits, last_at):
    """Text of n events written at the start of ``out`` (large enough: :func:`template_bounds`, plus
    :data:`SLACK`); returns its length.  ``vals``: (columns, n) bit patterns of the numbers (float64
    viewed as uint64), one row per column.  Event i follows template ``tmpl[i]``: the ops
    ``ops[op_start[t]:op_start[t+1]]``, each a float ``op >= 0`` (``vals[op & COL_MASK, i]``,
    formatted by :func:`format_float`, then the byte ``op >> TRAIL_SHIFT`` unless 0), the event
    number ``first + i`` (``op == -1``) or the constant token ``-op - 2`` (bytes
    ``tok[tok_off[-op-2]:tok_off[-op-1]]``, copied as 8-byte words: ``tok`` has 8 bytes of padding).

    A number whose bits equal those of the last number written from the same column (a constant
    column, or x, y, z written twice per event) is copied from that earlier text, not formatted
    again (``last_bits``/``last_at``: per column, scratch of at least the number of columns)."""
    n = tmpl.shape[0]
    ncol = last_bits.shape[0]
    last_at[:] = -1
    p = 0
    for i in range(n):
        t = tmpl[i]
        for k in range(op_start[t], op_start[t + 1]):
            op = ops[k]
            if op >= 0:
                col = op & COL_MASK
                v = vals[col, i]
                a = last_at[col]
                if a >= 0 and last_bits[col] == v:
                    ln = last_at[col + ncol]
                    for q in range(0, ln, 8):
                        _store8(out, p + q, _load8(out, a + q))
                    last_at[col] = p
                    p += ln
                else:
                    e = format_float(v, out, p, inv, pos)
                    last_bits[col] = v
                    last_at[col] = p
                    last_at[col + ncol] = e - p
                    p = e
                tr = op >> TRAIL_SHIFT
                if tr:
                    out[p] = tr
                    p += 1
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
                t0 = tok_off[-op - 2]
                ln = tok_off[-op - 1] - t0
                for q in range(0, ln, 8):
                    _store8(out, p + q, _load8(tok, t0 + q))
                p += ln
    return p


def template_bounds(ops, op_start, tok_off):
    """Most bytes an event of each template can take (floats at their longest with their trailing
    byte, 20-digit event number)."""
    ops = np.asarray(ops)
    tl = np.diff(tok_off)
    per = np.where(ops >= 0, MAX_FLOAT_CHARS + 1, np.where(ops == -1, 20, tl[np.maximum(-ops - 2, 0)]))
    return np.add.reduceat(per, op_start[:-1]) if len(ops) else np.zeros(len(op_start) - 1, np.int64)
