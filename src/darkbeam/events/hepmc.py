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
"""

from __future__ import annotations

import json
import sys
import warnings

import numpy as np

from darkbeam import __version__
from darkbeam import constants as C
from darkbeam.events import _text as T
from darkbeam.events.schema import DAUGHTER_ROLES, MAX_DAUGHTERS
from darkbeam.events.tables import process_ids
from darkbeam.units import C_LIGHT_CM_PER_NS

HEPMC3_VERSION = "3.02.05"
NUHEPMC_VERSION = (1, 0, 0)
CM_TO_MM = 10.0
NS_TO_S = 1.0e-9
CM2_TO_PB = 1.0e36

PARTICLE_STATUS = {
    1: ("UndecayedPhysical", "final-state particle"),
    2: ("DecayedPhysical", "particle decayed by darkbeam (N, and an intermediate Z' or h')"),
    4: ("IncomingBeam", "incoming beam particle (the projectile neutrino)"),
    20: ("Target", "target particle, at rest in the lab frame"),
}
VERTEX_STATUS = {
    1: ("PrimaryVertex", "upscattering projectile + target -> N + recoil"),
    22: ("NewParticleDecay", "decay of N at its sampled decay position in the detector"),
    23: ("IntermediateDecay", "prompt decay of the intermediate (Z', h') at N's decay position"),
}
#: descriptions in files with meson-decay events (cases of regime "decay")
DECAY_STATUS_DOCS = {
    ("particle", 4): "incoming beam particle (the projectile neutrino; in meson-decay events the decaying parent, "
                     "which enters the event at its decay point)",
    ("vertex", 1): "upscattering projectile + target -> N + recoil, or (meson-decay events) the decay of the "
                   "parent into the new particle and its companions",
}
#: darkbeam's codes without an official PDG number (docs/pdg_codes.md)
NEW_PARTICLES = {C.PDG[k]: k for k in ("N4", "N5", "N6", "zprime", "hprime")}
NEW_PARTICLE_DOCS = {
    "N4": "heavy neutral lepton N4 (fermion, DarkNews code 59|1|4)",
    "N5": "heavy neutral lepton N5 (fermion, DarkNews code 59|1|5)",
    "N6": "heavy neutral lepton N6 (fermion, DarkNews code 59|1|6)",
    "zprime": "dark vector boson Z' (vector, DarkNews code 59|2|1)",
    "hprime": "dark scalar h' (scalar, DarkNews code 59|0|1)",
}

#: HepMC3 slot layout: E U W A(6) P(nu) P(target) V1 P(N) P(recoil) P(recoil2) V2, then per daughter
#: slot j: P(d_j) and, after the last direct daughter, P(X) V3.  Meson-decay cases have no target
#: (ids: 1 parent, 2 N, 3 recoil, [4 recoil2], then the daughters); upscattering cases no recoil2.
N_HEAD = 16
N_SLOTS = N_HEAD + 3 * MAX_DAUGHTERS - 2


def escape(s: str) -> str:
    """HepMC3 ASCII escaping of attribute strings (WriterAscii::escape)."""
    return str(s).replace("\\", "\\\\").replace("\n", "\\|")


def _pb(v):
    return float(v) * CM2_TO_PB


def _used_codes(events):
    codes = set()
    for c in events.cases:
        codes |= {c.projectile, c.target, c.recoil, c.hnl, c.recoil2} - {0}
    for ch in events.channels:
        codes |= set(ch.daughters) | ({ch.intermediate} if ch.intermediate else set())
    return sorted(codes, key=lambda v: (abs(v), v))


def _new_name(code: int) -> str | None:
    name = NEW_PARTICLES.get(abs(code))
    if name is None:
        return None
    return name if code > 0 else name + "_bar"


def nuhepmc_header(events) -> str:
    """HepMC3 file header and run information (NuHepMC G.R.1-11, G.C.1, G.C.2, G.C.5, G.S.1, G.S.2)."""
    meta = events.meta
    pids = process_ids(events.cases)
    A = []

    def att(name, value):
        if isinstance(value, (list, tuple)):
            value = " ".join(str(v) for v in value)
        A.append(f"A {name} {escape(value)}")

    conventions = ["G.C.5", "E.C.5", "G.S.1", "G.S.2"]
    att("NuHepMC.Version.Major", NUHEPMC_VERSION[0])
    att("NuHepMC.Version.Minor", NUHEPMC_VERSION[1])
    att("NuHepMC.Version.Patch", NUHEPMC_VERSION[2])
    if meta.get("exposure_pot") is not None:
        att("NuHepMC.Exposure.POT", T.fmt_scalar(meta["exposure_pot"]))
        conventions.append("G.C.1")
    if meta.get("flux_averaged_xsec_cm2") is not None:
        att("NuHepMC.FluxAveragedTotalCrossSection", T.fmt_scalar(_pb(meta["flux_averaged_xsec_cm2"])))
        if meta.get("flux_averaged_xsec_err_cm2") is not None:
            att("NuHepMC.FluxAveragedTotalCrossSectionUncertainty",
                T.fmt_scalar(_pb(meta["flux_averaged_xsec_err_cm2"])))
        conventions.append("G.C.2")
    elif meta.get("process") != "meson-decay":  # no cross section for decays of beam mesons
        warnings.warn("meta has no 'flux_averaged_xsec_cm2': the HepMC3 file will not satisfy NuHepMC "
                      "G.R.5 (flux-averaged total cross section)", stacklevel=3)
    att("NuHepMC.Conventions", sorted(conventions))
    att("NuHepMC.Units.CrossSection.Unit", "pb")
    att("NuHepMC.Units.CrossSection.TargetScale", "PerAtom")
    att("NuHepMC.ProcessIDs", pids)
    for pid, case in zip(pids, events.cases):
        att(f"NuHepMC.ProcessInfo[{pid}].Name", case.name)
        att(f"NuHepMC.ProcessInfo[{pid}].Description", case.description or case.name)
    att("NuHepMC.VertexStatusIDs", sorted(VERTEX_STATUS))
    decays = any(c.is_decay for c in events.cases)
    for k, (name, doc) in sorted(VERTEX_STATUS.items()):
        att(f"NuHepMC.VertexStatusInfo[{k}].Name", name)
        att(f"NuHepMC.VertexStatusInfo[{k}].Description", DECAY_STATUS_DOCS.get(("vertex", k), doc) if decays else doc)
    att("NuHepMC.ParticleStatusIDs", sorted(PARTICLE_STATUS))
    for k, (name, doc) in sorted(PARTICLE_STATUS.items()):
        att(f"NuHepMC.ParticleStatusInfo[{k}].Name", name)
        att(f"NuHepMC.ParticleStatusInfo[{k}].Description",
            DECAY_STATUS_DOCS.get(("particle", k), doc) if decays else doc)
    new = [c for c in _used_codes(events) if _new_name(c)]
    att("NuHepMC.AdditionalParticleNumbers", new)
    for c in new:
        att(f"NuHepMC.AdditionalParticleNumber[{c}].Name", _new_name(c))
        doc = NEW_PARTICLE_DOCS[NEW_PARTICLES[abs(c)]] + ("" if c > 0 else ", antiparticle")
        att(f"NuHepMC.AdditionalParticleInfo[{c}].Description", doc + "; see darkbeam docs/pdg_codes.md")
    if meta.get("seed") is not None:
        att("NuHepMC.Provenance.darkbeam.seed", meta["seed"])
    if meta.get("experiment") is not None:
        att("NuHepMC.Provenance.darkbeam.experiment", meta["experiment"])
    if meta.get("model") is not None:
        att("NuHepMC.Provenance.darkbeam.model", json.dumps(meta["model"], sort_keys=True, default=str))
    if meta.get("fallbacks") is not None:  # substitutes for missing data (JSON list of one-line notes; [] = none)
        att("NuHepMC.Provenance.darkbeam.fallbacks", json.dumps(list(meta["fallbacks"])))
    att("NuHepMC.Provenance.darkbeam.meta", json.dumps(meta, sort_keys=True, default=str))
    att("darkbeam.ChannelIDs", list(range(len(events.channels))))
    for k, ch in enumerate(events.channels):
        att(f"darkbeam.ChannelInfo[{k}].Name", ch.name)
        att(f"darkbeam.ChannelInfo[{k}].Daughters", list(ch.daughters))
    att("darkbeam.WeightInfo[CV].Description",
        "expected number of N decays in the detector for the exposure NuHepMC.Exposure.POT: "
        "CV = w_rate * (br / q_channel) * w_decay * p_decay")
    att("darkbeam.AttributeInfo[darkbeam.weights].Description",
        "weight components w_rate [upscattering events], br, q_channel, w_decay, p_decay "
        "(CV = w_rate * br / q_channel * w_decay * p_decay; docs/events.md)")
    att("darkbeam.AttributeInfo[darkbeam.path].Description",
        "l1 l2 ctau l_decay [gap1_start gap1_end ...] [cm]: first entry and last exit of N's path through "
        "the active volume, N's proper decay length, distance of the decay vertex from the interaction "
        "vertex, and the gaps of the path between separated parts of the volume (if any)")
    att("darkbeam.AttributeInfo[darkbeam.Q2].Description", "Q^2 = -(p_projectile - p_N)^2 [GeV^2]")
    att("darkbeam.AttributeInfo[darkbeam.channel].Description", "index of the decay channel (darkbeam.ChannelInfo)")
    head = [f"HepMC::Version {HEPMC3_VERSION}", "HepMC::Asciiv3-START_EVENT_LISTING", "W CV",
            f"T darkbeam\\|{__version__}\\|darkbeam: new physics at accelerator neutrino experiments "
            "(upscattering and decay event generator)"]
    return "\n".join(head + A) + "\n"


HEPMC3_FOOTER = "HepMC::Asciiv3-END_EVENT_LISTING\n\n"


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


def _p_strings(p4):
    """px, py, pz, E strings of an (m, 4) four-momentum array."""
    return T.fstr(p4[:, 1]), T.fstr(p4[:, 2]), T.fstr(p4[:, 3]), T.fstr(p4[:, 0])


EVT = object()  #: template item: the event number


class _HepMC3Templates:
    """Every HepMC3 event as a template of constant text and numbers, one per (case, channel).

    The numbers of an event are a row of :meth:`columns` (a template refers to them by column;
    columns absent from a channel, e.g. a third daughter of a two-body decay, are zero and unused).
    The lines are those of the event graph in the module docstring.
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
                      + _sp(["x", "y", "z", "t_ct"]) + ["\n"] + P(L.hnl_pre[a], "hnl", L.hnl_suf[a])
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
    fewer than :data:`JIT_MIN_EVENTS` events, in a process where numba is not loaded yet, take the
    Arrow path :func:`_hepmc3_chunk_arrow` (same text; loading numba costs ~1 s of CPU)."""
    if not layout.compiled:
        return _hepmc3_chunk_arrow(events, layout, first_event_number)
    tm = getattr(layout, "hepmc3_templates", None)
    if tm is None:
        tm = layout.hepmc3_templates = _HepMC3Templates(events, layout)
    n = len(events)
    if n == 0:
        return memoryview(b"")
    vals = tm.columns(events)
    if tm.assembler is None:
        tm.assembler = T.Assembler(tm.ops, tm.op_start, tm.tok, tm.tok_off)
    return tm.assembler(vals, layout.pair(events), first_event_number)[:-1]


def _hepmc3_chunk_arrow(events, layout: _Layout, first_event_number: int) -> memoryview:
    """:func:`hepmc3_chunk` with Arrow compute kernels only (no numba): every field of a line type
    formatted for the chunk at once, fields joined, lines interleaved into event order.  Same text
    byte for byte; used below :data:`JIT_MIN_EVENTS` events, where loading numba costs more."""
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
                      *_p_strings(events.p4("hnl")), T.lookup(layout.m_hnl, case))
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
