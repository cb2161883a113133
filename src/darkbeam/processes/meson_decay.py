"""Long-lived particles from meson (and lepton) decays, decaying in flight in a detector.

For each production channel ``parent -> daughters`` (a :class:`~darkbeam.physics.production.channel.
ProductionChannel`, one daughter the long-lived particle, LLP) and the decaying parents of that species
(a :class:`~darkbeam.sources.parents.sample.ParentSample`, positions in a beam frame):

1. ``n`` parent decays are drawn from the sample with probability proportional to their weights
   (each then stands for sum(weights)/n decays per POT) and moved into the detector frame
   (:mod:`darkbeam.detectors.placement`);
2. forced direction (docs/meson_decay.md): a point X uniform in the experiment's decay volume fixes
   the LLP's lab direction u from the parent's decay point; the LLP's lab momentum along u follows
   from its rest-frame momentum p* (:func:`darkbeam.mc.forced_direction.lab_momentum_solutions`; two
   solutions when the parent is faster than the LLP in the parent frame, both kept as separate
   events); the weight is the solid-angle Jacobian dOmega*/dOmega_lab over 4 pi times the inverse of
   the density q(u) = sum_j (b_j^3 - a_j^3)/(3V) of the direction u (from X uniform in V);
3. the other daughters: the rest-frame sample of the channel (Dalitz variables for three bodies) is
   rotated so that the LLP points along the solved rest-frame direction, with a uniform azimuth about
   it (an unpolarised or spinless parent), and boosted to the lab;
4. the LLP's path: the segments [a_j, b_j] of the ray from the production point through the decay
   volume (several for ND280's three TPCs), p_decay = sum_j exp(-a_j/L) - exp(-b_j/L) with
   L = (|p|/m) c tau measured FROM THE PRODUCTION POINT (survival included), and the decay point drawn
   from the exponential law restricted to the segments (the kernels of :mod:`darkbeam.events.weights`,
   so that ``EventSet.with_ctau`` is exact);
5. the LLP decays into a channel of the decay library (:func:`darkbeam.physics.decays.decay_table`,
   cascades through an on-shell Z'/h' expanded) chosen with its branching ratio, sampled by
   :func:`darkbeam.processes.decays.sample_channel` with the LLP's polarisation along its lab momentum
   (:func:`darkbeam.mc.forced_direction.lab_helicity`).

Weights (docs/meson_decay.md): ``w_rate`` = POT x (parent decays per POT) x BR(production) x
rest-frame sample weight x J / (4 pi q(u)): its sum is the number of LLPs produced, for the exposure,
whose straight path crosses the decay volume; ``br``, ``q_channel``: the LLP decay channel's branching
ratio and the probability it was chosen with; ``w_decay`` = 1; ``p_decay`` as above.  So
w = w_rate br/q_channel w_decay p_decay sums to the LLP decays in the decay volume; at fixed masses
it scales exactly with the couplings (:func:`rescale`, :func:`reweight`).

A channel object with a ``produce`` method and a ``sample_key`` (the bremsstrahlung dark photons of
:mod:`darkbeam.processes.direct_llp`: an LLP sample, no parent decay) replaces steps 1-3 with its own
forced direction (azimuth resampling, docs/meson_decay.md) and is looked up in ``parents`` under its
``sample_key``; a channel without companion stores ``recoil`` 0.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

from darkbeam.detectors.flight import direction_density
from darkbeam.detectors.placement import placement as placement_of
from darkbeam.errors import ConfigurationError, KinematicsError
from darkbeam.events.eventset import EventSet
from darkbeam.events.tables import CaseInfo, ChannelInfo
from darkbeam.events.weights import path_bounds_from_segments, path_decay_probability, sample_path_decay
from darkbeam.mc._jit import outer_batch
from darkbeam.mc.forced_direction import (align_rest_frame, boost_daughters, lab_helicity, lab_momentum_solutions,
                                          rest_frame_direction)
from darkbeam.models.parameters import ModelParameters
from darkbeam.physics.decays import decay_table
from darkbeam.physics.particles import conjugate, mass_of, pdg_code
from darkbeam.processes.decays import sample_channel
from darkbeam.processes.upscatter_decay import final_channels

__all__ = ["simulate", "produce_toward_volume", "rescale", "reweight", "llp_is_antiparticle", "PROCESS"]

#: ``meta["process"]`` of meson-decay event sets
PROCESS = "meson-decay"
_LEPTONS = {11, 12, 13, 14, 15, 16}


def llp_is_antiparticle(channel, params: ModelParameters) -> bool:
    """Whether the LLP of ``channel`` is a Dirac anti-HNL: its label ends in ``_bar``, or it is an HNL
    made with companions of total lepton number +1 (K- -> mu- N4 makes an anti-N4, K+ -> mu+ N4 an N4).
    Majorana HNLs, Z' and h' are their own antiparticles."""
    llp = channel.llp
    base = llp[:-4] if llp.endswith("_bar") else llp
    if not base.startswith("N") or params.majorana:
        return False
    if llp.endswith("_bar"):
        return True
    lepton_number = 0
    for j, d in enumerate(channel.daughters):
        if j == channel.llp_index:
            continue
        code = pdg_code(d)
        if abs(code) in _LEPTONS:
            lepton_number += 1 if code > 0 else -1
    return lepton_number > 0


def _base_label(llp: str) -> str:
    return llp[:-4] if llp.endswith("_bar") else llp


def _final_name(llp: str, fc, anti: bool) -> str:
    labels = fc.daughters()
    labels = tuple(conjugate(d) for d in labels) if anti else labels
    parent = llp + ("_bar" if anti else "")
    if fc.second is None:
        return f"{parent} -> {' '.join(labels)}"
    k = len(fc.first.daughters) - 1
    return f"{parent} -> {' '.join(labels[:k])} {fc.first.daughters[-1]}({' '.join(labels[k:])})"


def _channel_info(name: str, fc, anti: bool, params) -> ChannelInfo:
    labels = fc.daughters()
    labels = tuple(conjugate(d) for d in labels) if anti else labels
    inter = fc.first.daughters[-1] if fc.second is not None else None
    return ChannelInfo(name=name, daughters=tuple(pdg_code(d) for d in labels),
                       masses=tuple(mass_of(d, params) for d in labels),
                       intermediate=pdg_code(inter) if inter else 0,
                       m_intermediate=mass_of(inter, params) if inter else 0.0,
                       n_from_intermediate=len(fc.second.daughters) if fc.second is not None else 0)


def _check_rest(rest, n: int, k: int, what: str):
    mom = np.asarray(rest.momenta, dtype=float)
    pol = np.broadcast_to(np.asarray(rest.polarisation, dtype=float), (n,))
    wt = np.broadcast_to(np.asarray(rest.weight, dtype=float), (n,))
    if mom.shape != (n, k, 4):
        raise ConfigurationError(f"{what}: the sampler returned momenta of shape {mom.shape}, expected {(n, k, 4)}")
    if not (np.isfinite(mom).all() and np.isfinite(pol).all() and np.isfinite(wt).all() and (wt >= 0).all()):
        raise KinematicsError(f"{what}: the sampler returned non-finite momenta or negative weights")
    return mom, pol, wt


def _llp_tables(llp: str, params, cache: dict):
    if llp not in cache:
        table = decay_table(params, llp)
        finals = final_channels(params, table) if table.channels else []
        cache[llp] = (table, finals)
    return cache[llp]


def produce_toward_volume(ch, ps, place, vol, params, n: int, rng, pot: float) -> dict | None:
    """Forced-direction production of one channel (steps 1-3 of the module docstring): ``n`` parent
    decays drawn from the sample ``ps`` by weight, each LLP sent toward a point uniform in ``vol``
    (docs/meson_decay.md), both roots of its lab momentum kept as separate events.

    ch: a production channel (``parent``, ``daughters``, ``llp``, ``llp_index``, ``br``, ``name`` and a
    rest-frame ``sampler(n, rng)`` -> (momenta (n, k, 4), polarisations (n,), weights (n,))); a
    ``parent_mass`` attribute, where given, replaces the parent's mass (an A' 'parent' of dark matter);
    place: the beam-to-detector placement; vol: the volume (detector frame, ``sample``, ``segments``,
    ``volume``); params: the model (the LLP mass); pot: the exposure.

    Returns None when no event has a valid root, else arrays per event (detector frame, GeV, cm, ns):
    ``P4`` (m, 4) parent four-momenta, ``x0`` (m, 3) and ``t0`` (m,) production point and time,
    ``lab`` (m, k, 4) the daughters' lab four-momenta, ``h`` (m,) the LLP's helicity along its lab
    momentum, ``w_rate`` (m,) LLPs per exposure crossing the volume (POT x parent decays per POT x BR x
    sample weight x J / (4 pi q(u))), ``bounds`` (m, 2s) its path's segments in the volume
    (:func:`darkbeam.events.weights.path_bounds_from_segments`), ``branch`` (m,) the root (0, 1) and
    ``draw`` (m,) the parent draw (0..n-1; the two roots of one draw share it)."""
    W = np.asarray(ps.weight, dtype=float)
    tot = float(W.sum())
    if not (len(ps) and tot > 0):
        return None
    idx = rng.choice(len(ps), size=n, p=W / tot)
    M = getattr(ch, "parent_mass", None) or mass_of(ch.parent)  # a parent without a fixed mass (A') names its own
    p3 = place.vectors_to_detector(np.asarray(ps.p4, dtype=float)[idx, 1:])
    P4 = np.empty((n, 4))
    P4[:, 1:] = p3
    P4[:, 0] = np.sqrt(np.einsum("ij,ij->i", p3, p3) + M * M)
    x0 = place.points_to_detector(np.asarray(ps.position, dtype=float)[idx])
    t0 = np.asarray(ps.time, dtype=float)[idx]
    k = len(ch.daughters)
    mom, pol, wt = _check_rest(ch.sampler(n, rng), n, k, ch.name)
    i = ch.llp_index
    m = mass_of(ch.llp, params)
    pstar = np.linalg.norm(mom[:, i, 1:], axis=1)
    Estar = np.sqrt(pstar * pstar + m * m)
    X = vol.sample(n, rng)
    d = X - x0
    dist = np.linalg.norm(d, axis=1)
    ok = dist > 0
    u = np.where(ok[:, None], d / np.where(ok, dist, 1.0)[:, None], np.array([0.0, 0.0, 1.0]))
    a, b = vol.segments(x0, u)
    q = direction_density(a, b, vol.volume)
    bounds = path_bounds_from_segments(a, b)
    sol = lab_momentum_solutions(P4, M, m, pstar, u)
    gamma = P4[:, 0] / M
    out: dict[str, list] = {k_: [] for k_ in ("P4", "x0", "t0", "lab", "h", "w_rate", "bounds", "branch", "draw")}
    for br_ in (0, 1):
        sel = np.flatnonzero(sol.valid[:, br_] & (q > 0) & ok)
        if sel.size == 0:
            continue
        p = sol.p[sel, br_]
        E = np.sqrt(p * p + m * m)
        llp4 = np.concatenate([E[:, None], p[:, None] * u[sel]], axis=1)
        nstar = rest_frame_direction(llp4, P4[sel])
        phi = rng.uniform(0.0, 2.0 * math.pi, sel.size)
        lab = boost_daughters(align_rest_frame(mom[sel], i, nstar, phi), P4[sel])
        h = lab_helicity(pol[sel], Estar[sel], pstar[sel], E, p, m, gamma[sel])
        w_rate = pot * (tot / n) * ch.br * wt[sel] * sol.jacobian[sel, br_] / (4.0 * math.pi * q[sel])
        for key, val in (("P4", P4[sel]), ("x0", x0[sel]), ("t0", t0[sel]), ("lab", lab), ("h", h),
                         ("w_rate", w_rate), ("bounds", bounds[sel]), ("branch", np.full(sel.size, br_)),
                         ("draw", sel)):
            out[key].append(val)
    if not out["P4"]:
        return None
    width = max(x.shape[1] for x in out["bounds"])
    out["bounds"] = [np.concatenate([x, np.repeat(x[:, -1:], width - x.shape[1], axis=1)], axis=1)
                     for x in out["bounds"]]
    return {key: np.concatenate(v) for key, v in out.items()}


#: the former private name of :func:`produce_toward_volume`
_produce = produce_toward_volume


def _case_summary(name: str, produced: float, w_toward, w_decay, draw, n: int) -> dict:
    """Per-case totals with MC errors: the two roots of one parent draw are summed before the variance
    (they share the direction), Var(sum) = n Var(per-draw sums)."""
    out = {"case": name, "llps_produced": produced}
    for key, w in (("llps_toward_volume", w_toward), ("decays_in_volume", w_decay)):
        per = np.bincount(draw, weights=w, minlength=n)
        out[key] = float(per.sum())
        out[key + "_err"] = float(math.sqrt(n * per.var(ddof=1))) if n > 1 else 0.0
    return out


def simulate(params: ModelParameters, experiment, channels: Sequence, parents: Mapping, *, n: int,
             rng: np.random.Generator, pot: float | None = None, seed=None, keep=None) -> EventSet:
    """Meson-decay events of the new particles of ``params`` at ``experiment`` (an Experiment or its
    keyword): for every production channel of ``channels`` whose parent species is a key of
    ``parents`` (ParentSample per species), ``n`` parent decays with a forced LLP direction into the
    experiment's decay volume (both kinematic solutions kept, so a channel gives n to 2n events),
    the LLP's flight and decay (module docstring).  ``pot``: exposure (default: the experiment's);
    ``seed``: recorded in meta only (``rng`` draws everything).  Channels whose parent has no sample
    are listed in ``meta["skipped"]``.  ``keep``: optional predicate on the final daughters' labels of an
    LLP decay channel (of the LLP or anti-LLP of the case): only those channels are sampled, chosen with
    their BRs renormalised among them (q_channel), so that w still sums to the decays into them (a search
    that selects some final states skips sampling the others)."""
    from darkbeam.detectors.catalog import Experiment, load_experiment

    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    n = int(n)
    if n < 1:
        raise ConfigurationError(f"n must be a positive number of events per channel, got {n}")
    pot = float(exp.pot if pot is None else pot)
    if not (pot > 0 and math.isfinite(pot)):
        raise ConfigurationError(f"pot must be positive, got {pot}")
    vol = exp.decay_volume
    cases: list[CaseInfo] = []
    chan_table: list[ChannelInfo] = []
    chan_index: dict[str, int] = {}
    tables: dict = {}
    parts: dict[str, list] = {}
    production, skipped, placements_used, summary = [], [], {}, []
    for ch in channels:
        key = getattr(ch, "sample_key", ch.parent)  # direct LLP sources (processes.direct_llp) have their own
        ps = parents.get(key)
        if ps is None:
            skipped.append(f"{ch.name}: no {key} " + ("sample" if key != ch.parent else "parents"))
            continue
        if ch.br <= 0:
            skipped.append(f"{ch.name}: branching ratio 0")
            continue
        llp = _base_label(ch.llp)
        table, finals = _llp_tables(llp, params, tables)
        if not finals:
            skipped.append(f"{ch.name}: {llp} has no open decay channel")
            continue
        anti = llp_is_antiparticle(ch, params)
        if keep is not None:
            finals = [fc for fc in finals
                      if keep(tuple(conjugate(d) for d in fc.daughters()) if anti else fc.daughters())]
            if not finals:
                skipped.append(f"{ch.name}: no kept decay channel of {llp}")
                continue
        place = placement_of(exp, ps.beam)
        placements_used[place.beam] = place.to_dict()
        produce = getattr(ch, "produce", None)  # a direct LLP source forces its own direction
        prod = produce(ps, place, vol, params, n, rng, pot) if produce is not None else \
            produce_toward_volume(ch, ps, place, vol, params, n, rng, pot)
        if prod is None:
            skipped.append(f"{ch.name}: no LLP can reach the decay volume")
            continue
        m = mass_of(llp, params)
        comp = [j for j in range(len(ch.daughters)) if j != ch.llp_index]
        if len(comp) > 2:
            raise ConfigurationError(f"{ch.name}: at most two companions of the new particle can be stored")
        comp_labels = [ch.daughters[j] for j in comp]
        case_id = len(cases)
        direct = produce is not None
        cases.append(CaseInfo(
            name=ch.name, projectile=pdg_code(ch.parent), target=0, hnl=pdg_code(llp) * (-1 if anti else 1),
            m_target=0.0, m_hnl=m, recoil=pdg_code(comp_labels[0]) if comp else 0,
            m_recoil=mass_of(comp_labels[0], params) if comp else 0.0,
            recoil2=pdg_code(comp_labels[1]) if len(comp) > 1 else 0,
            m_recoil2=mass_of(comp_labels[1], params) if len(comp) > 1 else 0.0,
            m_projectile=mass_of(ch.parent), regime="decay",
            description=f"{ch.name}: " + ("made in the target, no parent decay" if direct else
                                          "production in the decay of the parent") + f"; {ch.source or 'source not given'}"))
        production.append({"case": ch.name, "parent": ch.parent, "llp": ch.llp, "br": ch.br, "width_GeV": ch.width,
                           "scaling": [list(s) for s in ch.scaling], "source": ch.source,
                           "parents_origin": ps.origin, "parents_notes": list(ps.notes),
                           # a direct LLP sample (bremsstrahlung) counts LLPs at unit coupling, not parent decays
                           ("llp_per_pot_unit_coupling" if direct else "parent_decays_per_pot"): ps.decays_per_pot,
                           "notes": list(getattr(ch, "notes", ())),
                           # a source with its own statistical summary (the shower Primakoff ALPs: shower-to-shower error)
                           **({"source_info": dict(ps.info)} if isinstance(getattr(ps, "info", None), dict) else {})})
        # LLP decay
        lab = prod["lab"]
        nev = lab.shape[0]
        p_llp = lab[:, ch.llp_index]
        p_abs = np.linalg.norm(p_llp[:, 1:], axis=1)
        L = p_abs / m * table.ctau_cm
        p_dec = path_decay_probability(prod["bounds"], L)
        l_dec = sample_path_decay(prod["bounds"], L, rng.random(nev), rng.random(nev))
        brs = np.array([fc.br for fc in finals])
        q_of = brs / brs.sum()
        pick = np.minimum(np.searchsorted(np.cumsum(q_of), rng.random(nev), side="right"), len(finals) - 1)
        dau = np.zeros((nev, 4, 4))
        local = np.zeros(len(finals), dtype=np.int64)
        for j, fc in enumerate(finals):
            name = _final_name(llp, fc, anti)
            if name not in chan_index:
                chan_index[name] = len(chan_table)
                chan_table.append(_channel_info(name, fc, anti, params))
            local[j] = chan_index[name]
        with outer_batch(nev):
            for j, fc in enumerate(finals):
                sel = np.flatnonzero(pick == j)
                if sel.size == 0:
                    continue
                d1 = sample_channel(fc.first, m, p_llp[sel], prod["h"][sel], rng, anti)
                nd = d1.shape[1]
                if fc.second is None:
                    dau[sel, :nd] = d1
                else:
                    mx = mass_of(fc.first.daughters[-1], params)
                    d2 = sample_channel(fc.second, mx, d1[:, -1], 0.0, rng, anti)
                    dau[sel, : nd - 1] = d1[:, :-1]
                    dau[sel, nd - 1: nd - 1 + d2.shape[1]] = d2
        summary.append(_case_summary(ch.name, pot * ps.decays_per_pot * ch.br, prod["w_rate"],
                                     prod["w_rate"] * p_dec, prod["draw"], n))
        q4 = prod["P4"] - p_llp
        Q2 = -(q4[:, 0] ** 2 - np.einsum("ij,ij->i", q4[:, 1:], q4[:, 1:]))
        rec2 = lab[:, comp[1]] if len(comp) > 1 else np.zeros((nev, 4))
        rec1 = lab[:, comp[0]] if comp else np.zeros((nev, 4))
        for key, val in (("case", np.full(nev, case_id)), ("channel", local[pick]), ("w_rate", prod["w_rate"]),
                         ("br", brs[pick]), ("q_channel", q_of[pick]), ("p_decay", p_dec), ("Q2", Q2),
                         ("bounds", prod["bounds"]), ("ctau", np.full(nev, table.ctau_cm)), ("l_decay", l_dec),
                         ("vertex", np.column_stack([prod["x0"], prod["t0"]])), ("p_nu", prod["P4"]),
                         ("p_recoil", rec1), ("p_recoil2", rec2), ("p_hnl", p_llp), ("p_dau", dau)):
            parts.setdefault(key, []).append(val)
    meta = {"process": PROCESS, "model": params.model_dump(exclude_none=True), "experiment": exp.keyword,
            "exposure_pot": pot, "seed": seed, "events_per_channel": n,
            "decay_volume": getattr(vol, "name", "") or "detector", "production": production,
            "placements": placements_used, "skipped": skipped, "summary": summary}
    if not parts:
        raise KinematicsError("no meson-decay events: " + ("; ".join(skipped) or "no production channel given"))
    width = max(x.shape[1] for x in parts["bounds"])
    parts["bounds"] = [np.concatenate([x, np.repeat(x[:, -1:], width - x.shape[1], axis=1)], axis=1)
                       for x in parts["bounds"]]
    cols = {key: np.concatenate(v) for key, v in parts.items()}
    bnd = cols["bounds"]
    gaps = None
    if bnd.shape[1] > 2:
        gaps = bnd[:, 1:-1].reshape(len(bnd), -1, 2)
    three = any(c.recoil2 for c in cases)
    return EventSet.from_kinematics(
        case=cols["case"], channel=cols["channel"], w_rate=cols["w_rate"], br=cols["br"], q_channel=cols["q_channel"],
        p_decay=cols["p_decay"], Q2=cols["Q2"], l1=bnd[:, 0], l2=bnd[:, -1], ctau=cols["ctau"],
        l_decay=cols["l_decay"], vertex=cols["vertex"], p_nu=cols["p_nu"], p_recoil=cols["p_recoil"],
        p_hnl=cols["p_hnl"], p_daughters=cols["p_dau"], p_recoil2=cols["p_recoil2"] if three else None,
        cases=cases, channels=chan_table, meta=meta, gaps=gaps)


# --------------------------------------------------------------------------- reweighting
def rescale(events: EventSet, *, production=1.0, ctau=None, br=None, positions: bool = True,
            meta: Mapping | None = None) -> EventSet:
    """Meson-decay events at other couplings, same masses (exact): ``production``: factor on the
    production branching ratio, a number or ``{case name: factor}``; ``ctau``: the LLP's new proper
    decay length (cm; a number or ``{case name: ctau}``), p_decay recomputed over the stored segments
    (and, with ``positions``, the decay-position densities folded into w_decay,
    :meth:`EventSet.with_ctau`); ``br``: ``{channel name: branching ratio}`` of the LLP's decay
    channels (absent names: 0)."""
    case = events.columns["case"]
    names = [c.name for c in events.cases]

    def per_case(v, what):
        if isinstance(v, Mapping):
            unknown = sorted(set(v) - set(names))
            if unknown:
                raise ConfigurationError(f"rescale: unknown {what} cases {unknown}")
            table = np.array([float(v.get(nm, np.nan)) for nm in names])
            return table[case]
        return np.full(len(events), float(v))

    f = per_case(production, "production")
    f = np.where(np.isnan(f), 1.0, f)
    if not (np.isfinite(f).all() and (f >= 0).all()):
        raise ConfigurationError("rescale: production factors must be finite and >= 0")
    kw = {"w_rate": events["w_rate"] * f}
    if br is not None:
        kw["br"] = np.array([float(br.get(c.name, 0.0)) for c in events.channels])[events.columns["channel"]] \
            if len(events.channels) else events["br"]
    out = events.with_weights(**kw)
    if ctau is not None:
        c = per_case(ctau, "ctau")
        c = np.where(np.isnan(c), events["ctau"], c)
        out = out.with_ctau(c, positions=positions)
    return out.with_meta(**dict(meta or {}))


def _params(x) -> ModelParameters:
    return x if isinstance(x, ModelParameters) else ModelParameters.from_dict(dict(x))


def reweight(events: EventSet, new, *, channels: Sequence | None = None, positions: bool = True) -> EventSet:
    """Meson-decay events at the couplings of ``new`` (ModelParameters, or a mapping of changes to
    ``meta["model"]``) with the same masses: production BRs scaled by their ``scaling`` powers of the
    couplings (or replaced by the BRs of ``channels``, matched by name), the LLPs' decay BRs and c tau
    from the decay library of the new model (:func:`rescale`)."""
    if events.meta.get("process") != PROCESS:
        raise ConfigurationError("reweight: not a meson-decay event set")
    old = _params(events.meta["model"])
    if isinstance(new, ModelParameters):
        params = new
    else:
        params = ModelParameters.from_dict({**events.meta["model"], **dict(new)})
    for k in ("m4", "m5", "m6", "mzprime", "mhprime", "ma", "mchi"):
        if getattr(old, k) != getattr(params, k):
            raise ConfigurationError(f"reweight keeps the masses: {k} changed from {getattr(old, k)} to "
                                     f"{getattr(params, k)}; generate again at the new mass")
    prod = {p["case"]: p for p in events.meta.get("production", [])}
    factors = {}
    if channels is not None:
        newbr = {c.name: c.br for c in channels}
        for name, p in prod.items():
            if name not in newbr:
                raise ConfigurationError(f"reweight: production channel {name!r} missing from the new channels")
            factors[name] = newbr[name] / p["br"] if p["br"] > 0 else 0.0
    else:
        for name, p in prod.items():
            f = 1.0
            for par, power in p["scaling"]:
                a, b = float(getattr(old, par)), float(getattr(params, par))
                if a == 0.0:
                    raise ConfigurationError(f"reweight: {name} was generated with {par} = 0; cannot scale it")
                f *= (b / a) ** power
            factors[name] = f
    ctau, br, cache = {}, {}, {}
    for c in events.cases:
        llp = _base_label(prod[c.name]["llp"]) if c.name in prod else None
        if llp is None:
            continue
        table, finals = _llp_tables(llp, params, cache)
        ctau[c.name] = table.ctau_cm
        anti = c.hnl < 0
        for fc in finals:
            br[_final_name(llp, fc, anti)] = fc.br
    meta = {"model": params.model_dump(exclude_none=True),
            "production": [{**p, "br": p["br"] * factors.get(p["case"], 1.0)} for p in prod.values()],
            "reweight": {"from_model": events.meta["model"]},
            "summary": None}  # the generation's totals no longer apply (sum the reweighted w instead)
    return rescale(events, production=factors, ctau=ctau, br=br, positions=positions, meta=meta)
