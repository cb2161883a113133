"""HepMC3 ASCII and HEPEVT ASCII event records of an EventSet, built chunk by chunk.

The event graph, units and vertex conventions are in the docstring of :mod:`darkbeam.events.hepmc`;
the per-file constant strings (:class:`darkbeam.events.hepmc._Layout`) are built there once per file.
:func:`hepmc3_chunk` (compiled templates or the Arrow path), :func:`hepmc3_pieces` (the same text in
pieces) and :func:`hepevt_chunk` write the text of the events of one chunk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from darkbeam.events import _text as T
from darkbeam.events.nuhepmc import CM_TO_MM, NS_TO_S
from darkbeam.events.schema import DAUGHTER_ROLES, MAX_DAUGHTERS
from darkbeam.units import C_LIGHT_CM_PER_NS

if TYPE_CHECKING:
    from darkbeam.events.hepmc import _Layout


#: HepMC3 slot layout: E U W A(6) P(nu) P(target) V1 P(N) P(recoil) P(recoil2) V2, then per daughter
#: slot j: P(d_j) and, after the last direct daughter, P(X) V3.  Meson-decay cases have no target
#: (ids: 1 parent, 2 N, 3 recoil, [4 recoil2], then the daughters); upscattering cases no recoil2.
N_HEAD = 16
N_SLOTS = N_HEAD + 3 * MAX_DAUGHTERS - 2


def _p_strings(p4):
    """px, py, pz, E strings of an (m, 4) four-momentum array."""
    return T.fstr(p4[:, 1]), T.fstr(p4[:, 2]), T.fstr(p4[:, 3]), T.fstr(p4[:, 0])


EVT = object()  #: template item: the event number


class _HepMC3Templates:
    """Every HepMC3 event as a template of constant text and numbers, one per (case, channel).

    The numbers of an event are a row of :meth:`columns` (a template refers to them by column;
    columns absent from a channel, e.g. a third daughter of a two-body decay, are zero and unused).
    The lines are those of the event graph in the docstring of :mod:`darkbeam.events.hepmc`.
    """

    def __init__(self, events, layout: _Layout):
        nch, MD = len(events.channels), MAX_DAUGHTERS
        self.gaps = [k for k in events.columns if k.startswith("gap")]
        p4 = ("px", "py", "pz", "E")
        names = (["w", "x", "y", "z", "t_s", "w_rate", "br", "q_channel", "w_decay", "p_decay",
                  "l1", "l2", "ctau", "l_decay"] + self.gaps + ["Q2"] + [f"nu.{c}" for c in p4] + ["t_ct"]
                 + [f"hnl.{c}" for c in p4] + [f"recoil.{c}" for c in p4] + [f"vd.{c}" for c in "xyzt"]
                 + [f"d{j}.{c}" for j in range(MD) for c in p4] + [f"X.{c}" for c in p4]
                 + [f"recoil2.{c}" for c in p4])
        self.names = names
        self.col = {nm: i for i, nm in enumerate(names)}
        L = layout

        def P(pre, role, suf):
            return [pre, " "] + _sp([f"{role}.{c}" for c in p4]) + [" ", suf, "\n"]

        vd = _sp([f"vd.{c}" for c in "xyzt"])
        tmpls = []
        for a, case in enumerate(events.cases):
            for k, ch in enumerate(events.channels):
                t = a * nch + k
                it = (["E ", EVT, f" {L.nvnp[t]}\nU GEV CM\nW ", _Col("w"), f"\n{L.pid_line[a]}\nA 0 lab_pos "]
                      + _sp(["x", "y", "z", "t_s"]) + [f"\n{L.chan_line[k]}\nA 0 darkbeam.weights "]
                      + _sp(["w_rate", "br", "q_channel", "w_decay", "p_decay"]) + ["\nA 0 darkbeam.path "]
                      + _sp(["l1", "l2", "ctau", "l_decay"] + self.gaps) + ["\nA 0 darkbeam.Q2 ", _Col("Q2"), "\n"]
                      + P(L.nu_pre[a], "nu", L.nu_suf[a])
                      + ([f"{L.tgt_line[a]}\n"] if L.tgt_line[a] else []) + [f"{L.v1_pre[a]} "]
                      + _sp(["x", "y", "z", "t_ct"]) + ["\n"]
                      + P(L.hnl_pre[a], "hnl", L.hnl_suf[a])
                      + P(L.rec_pre[a], "recoil", L.rec_suf[a])
                      + (P(L.rec2_pre[a], "recoil2", L.rec2_suf[a]) if case.recoil2 else [])
                      + [f"{L.v2_pre[a]} "] + vd + ["\n"])
                for j in range(ch.n_daughters):
                    it += P(L.d_pre[j][t], f"d{j}", L.d_suf[j][k])
                    if ch.intermediate and j == ch.n_direct - 1:
                        it += P(L.x_pre[t], "X", L.x_suf[k]) + [L.v3_pre[t], " "] + vd + ["\n"]
                tmpls.append(self._compile(it))
        toks = sorted({t for ops in tmpls for t in ops if isinstance(t, str)})
        tid = {t: i for i, t in enumerate(toks)}
        enc = [t.encode() for t in toks]
        self.tok = np.frombuffer(b"".join(enc), dtype=np.uint8) if toks else np.zeros(0, np.uint8)
        self.tok_off = np.concatenate([[0], np.cumsum([len(e) for e in enc])]).astype(np.int64)
        flat = [[-2 - tid[t] if isinstance(t, str) else t for t in ops] for ops in tmpls]
        self.ops = np.array([o for ops in flat for o in ops], dtype=np.int64)
        self.used = np.zeros(len(names), dtype=bool)
        self.used[self.ops[self.ops >= 0] & 0xFFFF] = True
        self.op_start = np.concatenate([[0], np.cumsum([len(o) for o in flat])]).astype(np.int64)
        self.assembler = None

    def _compile(self, items):
        """Merge adjacent text; number columns -> their column index (>= 0), the event number -> -1;
        a space or newline right after a number goes into the number's op (the byte in bits 16-23,
        :data:`darkbeam.events._text_jit.TRAIL_SHIFT`): one op less per separator."""
        out = []
        for x in items:
            if x is EVT:
                out.append(-1)
            elif isinstance(x, _Col):
                out.append(self.col[x])
            elif out and isinstance(out[-1], str):
                out[-1] += x
            elif x:
                out.append(x)
        merged = []
        for x in out:
            if isinstance(x, str) and merged and isinstance(merged[-1], int) and merged[-1] >= 0 \
                    and merged[-1] < 1 << 16 and x[0] in " \n":
                merged[-1] |= ord(x[0]) << 16
                x = x[1:]
            if x != "":
                merged.append(x)
        return merged

    def columns(self, events) -> np.ndarray:
        """(number of columns, n) float64 matrix of the numbers, one row per column in :attr:`names`
        order (rows filled straight from the stored columns; rows that no template of these events
        uses are left unset).  Energies, the intermediate's momentum and the decay vertex are those
        of :meth:`EventSet.energy`, :meth:`EventSet.p4` and :meth:`EventSet.vertex` (same numbers
        as the Arrow path, bit for bit)."""
        c = events.columns
        n = len(events)
        M = np.empty((len(self.names), n), dtype=np.float64)
        used = self.used
        col = self.col

        def put(name, fn):
            i = col[name]
            if used[i]:
                M[i] = fn()
        put("w", lambda: events.w)
        for k in ("x", "y", "z", "w_rate", "br", "q_channel", "w_decay", "p_decay", "l1", "l2", "ctau",
                  "l_decay", "Q2", *self.gaps):
            put(k, lambda k=k: c[k])
        put("t_s", lambda: np.multiply(c["t"], NS_TO_S))
        put("t_ct", lambda: np.multiply(c["t"], C_LIGHT_CM_PER_NS))
        for role, pre in (("nu", "nu"), ("hnl", "hnl"), ("recoil", "recoil"), ("recoil2", "recoil2"),
                          *((r, f"d{j}") for j, r in enumerate(DAUGHTER_ROLES))):
            if not used[col[f"{pre}.px"]:col[f"{pre}.E"] + 1].any():
                continue
            for comp in ("px", "py", "pz"):
                M[col[f"{pre}.{comp}"]] = c.get(f"{role}_{comp}", 0.0)  # recoil2: absent columns are 0
            M[col[f"{pre}.E"]] = events.energy(role)
        if used[col["X.px"]:col["X.E"] + 1].any():
            M[col["X.px"]:col["X.E"] + 1] = events.p4("inter")[:, [1, 2, 3, 0]].T
        if used[col["vd.x"]:col["vd.t"] + 1].any():
            vd = events.vertex("decay")
            M[col["vd.x"]:col["vd.z"] + 1] = vd[:, :3].T
            M[col["vd.t"]] = vd[:, 3] * C_LIGHT_CM_PER_NS
        return M


class _Col(str):
    """template item: the number in this column"""


def _sp(columns):
    """column items separated by single spaces."""
    out = []
    for x in columns:
        if out:
            out.append(" ")
        out.append(_Col(x))
    return out


def hepmc3_chunk(events, layout: _Layout, first_event_number: int) -> memoryview:
    """HepMC3 ASCII text of all events of ``events`` (a chunk), numbered from ``first_event_number``
    (no newline after the last line).

    Bulk formatting: the numbers of all events are gathered into one float64 array, and one compiled
    kernel writes each event's template (constant text, event number, numbers as shortest round-trip
    decimals) into one buffer (no per-event Python; :mod:`darkbeam.events._text_jit`).  Files of
    fewer than :data:`darkbeam.events.hepmc.JIT_MIN_EVENTS` events, in a process where numba is not loaded yet, take the
    Arrow path :func:`_hepmc3_chunk_arrow` (same text; loading numba costs ~1 s of CPU)."""
    if not layout.compiled:
        return _hepmc3_chunk_arrow(events, layout, first_event_number)
    tm = getattr(layout, "hepmc3_templates", None)
    if tm is None:
        tm = layout.hepmc3_templates = _HepMC3Templates(events, layout)
    n = len(events)
    if n == 0:
        return memoryview(b"")
    return next(hepmc3_pieces(events, layout, first_event_number, n))


def hepmc3_pieces(events, layout: _Layout, first_event_number: int, piece: int):
    """The text of :func:`hepmc3_chunk` in pieces of at most ``piece`` events (each without a newline
    after its last line; the same bytes as one chunk joined by newlines).  The compiled writer gathers
    the numbers of the whole chunk at once (per-call overheads paid once per chunk) and formats them a
    piece at a time into a buffer small enough to stay in the CPU cache until it is written (each piece
    must be written before the next is asked for: they share the buffer).  The Arrow path yields the
    chunk as one piece."""
    if not layout.compiled:
        yield _hepmc3_chunk_arrow(events, layout, first_event_number)
        return
    n = len(events)
    if n == 0:
        return
    tm = getattr(layout, "hepmc3_templates", None)
    if tm is None:
        tm = layout.hepmc3_templates = _HepMC3Templates(events, layout)
    vals = tm.columns(events)
    tmpl = layout.pair(events)
    if tm.assembler is None:
        tm.assembler = T.Assembler(tm.ops, tm.op_start, tm.tok, tm.tok_off)
    piece = max(int(piece), 1)
    for a in range(0, n, piece):
        b = min(a + piece, n)
        yield tm.assembler(vals[:, a:b], tmpl[a:b], first_event_number + a)[:-1]


def _hepmc3_chunk_arrow(events, layout: _Layout, first_event_number: int) -> memoryview:
    """:func:`hepmc3_chunk` with Arrow compute kernels only (no numba): every field of a line type
    formatted for the chunk at once, fields joined, lines interleaved into event order.  Same text
    byte for byte; used below :data:`darkbeam.events.hepmc.JIT_MIN_EVENTS` events, where loading numba costs more."""
    n = len(events)
    c = events.columns
    case, chan = c["case"], c["channel"]
    pair = layout.pair(events)
    pres = layout.presence[pair]
    slots = [None] * N_SLOTS
    slots[0] = T.join("E", T.istr(np.arange(first_event_number, first_event_number + n)),
                      T.lookup(layout.nvnp, pair))
    slots[1] = T.const("U GEV CM", n)
    slots[2] = T.join("W", T.fstr(events.w))
    slots[3] = T.lookup(layout.pid_line, case)
    xs, ys, zs = T.fstr(c["x"]), T.fstr(c["y"]), T.fstr(c["z"])
    slots[4] = T.join("A 0 lab_pos", xs, ys, zs, T.fstr(c["t"] * NS_TO_S))
    slots[5] = T.lookup(layout.chan_line, chan)
    slots[6] = T.join("A 0 darkbeam.weights", *(T.fstr(c[k]) for k in ("w_rate", "br", "q_channel", "w_decay",
                                                                      "p_decay")))
    gaps = [T.fstr(c[k]) for k in c if k.startswith("gap")]
    slots[7] = T.join("A 0 darkbeam.path", T.fstr(c["l1"]), T.fstr(c["l2"]), T.fstr(c["ctau"]),
                      T.fstr(c["l_decay"]), *gaps)
    slots[8] = T.join("A 0 darkbeam.Q2", T.fstr(c["Q2"]))
    slots[9] = T.join(T.lookup(layout.nu_pre, case), *_p_strings(events.p4("nu")), T.lookup(layout.nu_suf, case))
    mt = pres[:, 10]
    if mt.any():
        slots[10] = T.lookup(layout.tgt_line, case[mt])
    slots[11] = T.join(T.lookup(layout.v1_pre, case), xs, ys, zs, T.fstr(c["t"] * C_LIGHT_CM_PER_NS))
    slots[12] = T.join(T.lookup(layout.hnl_pre, case), *_p_strings(events.p4("hnl")),
                       T.lookup(layout.hnl_suf, case))
    slots[13] = T.join(T.lookup(layout.rec_pre, case), *_p_strings(events.p4("recoil")),
                       T.lookup(layout.rec_suf, case))
    m2 = pres[:, 14]
    if m2.any():
        slots[14] = T.join(T.lookup(layout.rec2_pre, case[m2]), *_p_strings(events.p4("recoil2")[m2]),
                           T.lookup(layout.rec2_suf, case[m2]))
    vd = events.vertex("decay")
    vds = [T.fstr(vd[:, 0]), T.fstr(vd[:, 1]), T.fstr(vd[:, 2]), T.fstr(vd[:, 3] * C_LIGHT_CM_PER_NS)]
    slots[15] = T.join(T.lookup(layout.v2_pre, case), *vds)
    hasx = pres[:, N_HEAD + 1::3].any(axis=1)
    px = events.p4("inter")[hasx] if hasx.any() else None
    for j, role in enumerate(DAUGHTER_ROLES):
        s = N_HEAD + 3 * j
        m = pres[:, s]
        if m.any():
            slots[s] = T.join(T.lookup(layout.d_pre[j], pair[m]), *_p_strings(events.p4(role)[m]),
                              T.lookup(layout.d_suf[j], chan[m]))
        if j < MAX_DAUGHTERS - 1:
            mx = pres[:, s + 1]
            if mx.any():
                sel = mx[hasx]
                slots[s + 1] = T.join(T.lookup(layout.x_pre, pair[mx]), *_p_strings(px[sel]),
                                      T.lookup(layout.x_suf, chan[mx]))
                idx = np.flatnonzero(mx)
                slots[s + 2] = T.join(T.lookup(layout.v3_pre, pair[mx]), *(a.take(idx) for a in vds))
    return T.interleave(slots, pres)


def hepevt_chunk(events, layout: _Layout, first_event_number: int) -> memoryview:
    """HEPEVT ASCII text (HepMC3 ReaderHEPEVT layout: ``E <event> <n_entries> <weight>``, then per
    entry ``status pdg mother1 mother2 daughter1 daughter2 px py pz E m`` and ``x y z ct`` in mm).
    The weight after the entry count is a darkbeam addition that HepMC3's reader skips.  Meson-decay
    events have no target entry; a second companion follows the first."""
    n = len(events)
    c = events.columns
    case, chan = c["case"], c["channel"]
    pair = layout.pair(events)
    hp = layout.presence[pair]
    # entry positions: 0 nu, 1 target, 2 N, 3 recoil, 4 recoil2, 5 + 2j daughter j, 6 + 2j X after
    # daughter j; entry q has its particle line in slot 1 + 2q and its vertex line in slot 2 + 2q
    nq = 5 + 2 * MAX_DAUGHTERS - 1
    pres = np.ones((n, 1 + 2 * nq), dtype=bool)
    pres[:, 3] = pres[:, 4] = hp[:, 10]
    pres[:, 9] = pres[:, 10] = hp[:, 14]
    for j in range(MAX_DAUGHTERS):
        q = 5 + 2 * j
        pres[:, 1 + 2 * q] = pres[:, 2 + 2 * q] = hp[:, N_HEAD + 3 * j]
        if j < MAX_DAUGHTERS - 1:
            pres[:, 3 + 2 * q] = pres[:, 4 + 2 * q] = hp[:, N_HEAD + 3 * j + 1]
    slots = [None] * (1 + 2 * nq)
    slots[0] = T.join("E", T.istr(np.arange(first_event_number, first_event_number + n)),
                      T.lookup(layout.he_n, pair), T.fstr(events.w))
    zero = T.const("0 0 0 0", n)
    vi = T.join(T.fstr(c["x"] * CM_TO_MM), T.fstr(c["y"] * CM_TO_MM), T.fstr(c["z"] * CM_TO_MM),
                T.fstr(c["t"] * (C_LIGHT_CM_PER_NS * CM_TO_MM)))
    vd = events.vertex("decay")
    vdec = T.join(T.fstr(vd[:, 0] * CM_TO_MM), T.fstr(vd[:, 1] * CM_TO_MM), T.fstr(vd[:, 2] * CM_TO_MM),
                  T.fstr(vd[:, 3] * (C_LIGHT_CM_PER_NS * CM_TO_MM)))
    slots[1] = T.join(T.lookup(layout.he_nu, case), *_p_strings(events.p4("nu")), T.lookup(layout.he_nu_m, case))
    slots[2] = zero
    mt = pres[:, 3]
    if mt.any():
        slots[3] = T.lookup(layout.he_tgt, case[mt])
        slots[4] = zero.take(np.flatnonzero(mt))
    slots[5] = T.join(T.lookup(layout.he_hnl, case), T.lookup(layout.he_hnl_last, pair),
                      *_p_strings(events.p4("hnl")),
                      T.lookup(layout.m_hnl, case))
    slots[6] = vi
    slots[7] = T.join(T.lookup(layout.he_rec, case), *_p_strings(events.p4("recoil")),
                      T.lookup(layout.m_rec, case))
    slots[8] = vi
    m2 = pres[:, 9]
    if m2.any():
        slots[9] = T.join(T.lookup(layout.he_rec2, case[m2]), *_p_strings(events.p4("recoil2")[m2]),
                          T.lookup(layout.m_rec2, case[m2]))
        slots[10] = vi.take(np.flatnonzero(m2))
    hasx = hp[:, N_HEAD + 1::3].any(axis=1)
    px = events.p4("inter")[hasx] if hasx.any() else None
    for j, role in enumerate(DAUGHTER_ROLES):
        q = 5 + 2 * j
        m = pres[:, 1 + 2 * q]
        if m.any():
            slots[1 + 2 * q] = T.join(T.lookup(layout.he_d[j], pair[m]), *_p_strings(events.p4(role)[m]),
                                      T.lookup(layout.m_d[j], chan[m]))
            slots[2 + 2 * q] = vdec.take(np.flatnonzero(m))
        if j < MAX_DAUGHTERS - 1:
            mx = pres[:, 3 + 2 * q]
            if mx.any():
                slots[3 + 2 * q] = T.join(T.lookup(layout.he_x, pair[mx]), *_p_strings(px[mx[hasx]]),
                                          T.lookup(layout.m_x, chan[mx]))
                slots[4 + 2 * q] = vdec.take(np.flatnonzero(mx))
    return T.interleave(slots, pres)
