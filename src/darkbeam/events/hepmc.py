"""HepMC3 ASCII (NuHepMC 1.0.0) and HEPEVT ASCII text of an EventSet, built chunk by chunk.

Event graph (HepMC3 ids; the same order is used for HEPEVT entries)::

    1 projectile (status 4) --\\                    /-- 4 recoil (status 1)
                               V-1 (status 1) ----
    2 target     (status 20)--/  interaction       \\-- 3 N (status 2) -- V-2 (status 22) at N's decay
                                                        point: direct daughters (status 1) and,
                                                        if any, the intermediate X (status 2)
                                                        -- V-3 (status 23), same point: X's children

Vertex positions are (x, y, z, c t) in cm (HepMC3 stores c t in the length unit); ``lab_pos``
(NuHepMC E.R.5/E.C.5) is (x, y, z) in cm and t in seconds.  HEPEVT uses its own convention:
GeV and mm, production vertex (x, y, z, c t) in mm per particle.  Spec: NuHepMC 1.0.0,
github.com/NuHepMC/Spec (arXiv:2310.13211); HepMC3 ASCII: Buckley et al., arXiv:1912.08005.

The code is split along what it holds: :mod:`darkbeam.events.nuhepmc` (NuHepMC header, status tables,
footer), :mod:`darkbeam.events.hepmc_records` (the event records: compiled templates, the Arrow path,
HEPEVT) and this module (per file: the choice of writer path and the constant strings of each case and
channel).  Every name stays importable from here.
"""

from __future__ import annotations

import sys

import numpy as np

from darkbeam.events import _text as T
from darkbeam.events.hepmc_records import (EVT, N_HEAD, N_SLOTS, _Col, _hepmc3_chunk_arrow,  # noqa: F401
                                           _HepMC3Templates, _p_strings, _sp, hepevt_chunk, hepmc3_chunk,
                                           hepmc3_pieces)
from darkbeam.events.nuhepmc import (CM2_TO_PB, CM_TO_MM, DECAY_STATUS_DOCS, HEPMC3_FOOTER,  # noqa: F401
                                     HEPMC3_VERSION, NEW_PARTICLE_DOCS, NEW_PARTICLES, NS_TO_S, NUHEPMC_VERSION,
                                     PARTICLE_STATUS, VERTEX_STATUS, _new_name, _pb, _used_codes, escape,
                                     nuhepmc_header)
from darkbeam.events.schema import MAX_DAUGHTERS
from darkbeam.events.tables import process_ids


#: HepMC3 files of at least this many events use the compiled writer (numba); smaller ones the Arrow
#: path, unless numba kernels are loaded in the process already.  Break-even of numba's start-up
#: (~0.9-1.2 s CPU, once per process) against the compiled writer's saving (~6 us per event since the
#: issue-10 work; ~3-4 us before): ~1.8e5 events (benchmarks/hepmc3_vs_darknews.py), kept at 2.5e5 to
#: stay on the safe side.  0 always compiles; math.inf never does.
JIT_MIN_EVENTS = 250_000


def use_compiled(n_events: int) -> bool:
    """Whether a HepMC3 file of ``n_events`` is written by the compiled kernel."""
    if n_events >= JIT_MIN_EVENTS:
        return True
    if JIT_MIN_EVENTS == float("inf"):
        return False
    mc_jit = sys.modules.get("darkbeam.mc._jit")
    return "darkbeam.events._text_jit" in sys.modules or bool(mc_jit and mc_jit.jit_loaded())


class _Layout:
    """Per-case and per-(case, channel) constant strings and slot presence (built once per file).

    Per-pair tables are indexed by ``case * n_channels + channel`` (particle ids of the daughters
    depend on how many particles precede them: 4 for upscattering, 3 or 4 for meson decays)."""

    def __init__(self, events):
        self.compiled = use_compiled(len(events))
        fs = T.fmt_scalar
        pids = process_ids(events.cases)
        cases = events.cases
        self.nch = nch = len(events.channels)
        dec = [c.is_decay for c in cases]
        # head particles before the daughters, N's id
        nh = [3 + (c.recoil2 != 0) if d else 4 for c, d in zip(cases, dec)]
        nid = [2 if d else 3 for d in dec]
        self.nh, self.nid = nh, nid
        self.pid_line = [f"A 0 signal_process_id {p}" for p in pids]
        self.nu_pre = [f"P 1 0 {c.projectile}" for c in cases]
        self.nu_suf = [f"{fs(c.m_projectile)} 4" for c in cases]
        self.tgt_line = ["" if d else f"P 2 0 {c.target} 0 0 0 {fs(c.m_target)} {fs(c.m_target)} 20"
                         for c, d in zip(cases, dec)]
        self.v1_pre = ["V -1 1 [1] @" if d else "V -1 1 [1,2] @" for d in dec]
        self.hnl_pre = [f"P {nid[a]} -1 {c.hnl}" for a, c in enumerate(cases)]
        self.hnl_suf = [f"{fs(c.m_hnl)} 2" for c in cases]
        self.rec_pre = [f"P {nid[a] + 1} -1 {c.recoil}" for a, c in enumerate(cases)]
        self.rec_suf = [f"{fs(c.m_recoil)} 1" for c in cases]
        self.rec2_pre = [f"P 4 -1 {c.recoil2}" if c.recoil2 else "" for c in cases]
        self.rec2_suf = [f"{fs(c.m_recoil2)} 1" if c.recoil2 else "" for c in cases]
        self.v2_pre = [f"V -2 22 [{nid[a]}] @" for a in range(len(cases))]
        npair = len(cases) * nch
        self.presence = np.zeros((npair, N_SLOTS), dtype=bool)
        self.presence[:, :N_HEAD] = True
        self.nvnp, self.x_pre, self.x_suf, self.v3_pre = [""] * npair, [""] * npair, [""] * npair, [""] * npair
        self.chan_line = [f"A 0 darkbeam.channel {k}" for k in range(nch)]
        self.d_pre = [[""] * npair for _ in range(MAX_DAUGHTERS)]
        self.d_suf = [[""] * nch for _ in range(MAX_DAUGHTERS)]
        # HEPEVT
        self.he_n, self.he_hnl_last, self.he_x = [""] * npair, [""] * npair, [""] * npair
        self.he_d = [[""] * npair for _ in range(MAX_DAUGHTERS)]
        for a, c in enumerate(cases):
            for k, ch in enumerate(events.channels):
                t = a * nch + k
                nd, ndir, hasx = ch.n_daughters, ch.n_direct, bool(ch.intermediate)
                xid = nh[a] + 1 + ndir
                self.nvnp[t] = f"{2 + hasx} {nh[a] + nd + hasx}"
                self.presence[t, 10] = not dec[a]
                self.presence[t, 14] = bool(c.recoil2)
                for j in range(nd):
                    direct = j < ndir
                    pid = nh[a] + 1 + j if direct else nh[a] + 2 + j
                    self.d_pre[j][t] = f"P {pid} {-2 if direct else -3} {ch.daughters[j]}"
                    self.presence[t, N_HEAD + 3 * j] = True
                    mo = nid[a] if direct else xid
                    self.he_d[j][t] = f"1 {ch.daughters[j]} {mo} {mo} 0 0"
                self.x_pre[t] = f"P {xid} -2 {ch.intermediate}" if hasx else ""
                self.v3_pre[t] = f"V -3 23 [{xid}] @" if hasx else ""
                self.he_n[t] = str(nh[a] + nd + hasx)
                self.he_hnl_last[t] = str(xid if hasx else nh[a] + nd)
                self.he_x[t] = f"2 {ch.intermediate} {nid[a]} {nid[a]} {xid + 1} {nh[a] + nd + 1}" if hasx else ""
                if hasx:
                    self.presence[t, N_HEAD + 3 * (ndir - 1) + 1] = True
                    self.presence[t, N_HEAD + 3 * (ndir - 1) + 2] = True
        for k, ch in enumerate(events.channels):
            for j in range(ch.n_daughters):
                self.d_suf[j][k] = f"{fs(ch.masses[j])} 1"
        self.x_suf = [f"{fs(ch.m_intermediate)} 2" if ch.intermediate else "" for ch in events.channels]
        first = [2 if d else 3 for d in dec]
        self.he_nu = [f"4 {c.projectile} 0 0 {first[a]} {nh[a]}" for a, c in enumerate(cases)]
        self.he_nu_m = [fs(c.m_projectile) for c in cases]
        self.he_tgt = [f"20 {c.target} 0 0 3 4 0 0 0 {fs(c.m_target)} {fs(c.m_target)}" for c in cases]
        mothers = ["1 1" if d else "1 2" for d in dec]
        self.he_rec = [f"1 {c.recoil} {mothers[a]} 0 0" for a, c in enumerate(cases)]
        self.he_rec2 = [f"1 {c.recoil2} 1 1 0 0" if c.recoil2 else "" for c in cases]
        self.m_rec = [fs(c.m_recoil) for c in cases]
        self.m_rec2 = [fs(c.m_recoil2) for c in cases]
        self.m_hnl = [fs(c.m_hnl) for c in cases]
        self.he_hnl = [f"2 {c.hnl} {mothers[a]} {nh[a] + 1}" for a, c in enumerate(cases)]
        self.m_d = [[fs(ch.masses[j]) if j < ch.n_daughters else "" for ch in events.channels]
                    for j in range(MAX_DAUGHTERS)]
        self.m_x = [fs(ch.m_intermediate) for ch in events.channels]

    def pair(self, events) -> np.ndarray:
        """Per event: its (case, channel) pair index into the per-pair tables."""
        c = events.columns
        return np.asarray(c["case"], dtype=np.int64) * self.nch + np.asarray(c["channel"], dtype=np.int64)
