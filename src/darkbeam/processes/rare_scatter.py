"""Weighted events of rare neutrino scattering: nu e -> nu e and CEvNS nu A -> nu A (docs/rare_scattering.md, section 8).

For every case (projectile flavour of the flux x target: electrons of the experiment, or each nucleus
of a COHERENT detector) ``n`` events are drawn in (E_nu, T), T the recoil kinetic energy:

* E_nu: a segment [a_k, b_k] of the flux's energy nodes (or a line of a decay-at-rest flux) is chosen
  with probability P_k proportional to its contribution I_k = int_k Phi(E) sigma(E) dE to the rate (the
  ``Flux.fold`` Gauss-Legendre rule, the same as :mod:`darkbeam.analysis.rare_rates`), E uniform in it;
* T given E: uniform on the recoil window [t_lo, min(t_hi, T_max(E))], or uniform in
  u = ln(1 + T/t0), t0 = m^2/(2 M), with a light mediator of mass m (so that the 1/(m^2 + 2 M T)^2
  peak is sampled flat);
* the weight f/q, f = POT x N_targets x Phi(E) x dsigma/dT(E, T) x efficiency(T), q the density the
  pair was drawn from, has the rate as its expectation (``mc_events`` and its error in the summary).
  The weights of a case are then scaled by the quadrature rate over their sum, so that sum(w) of a
  case equals the rate of :mod:`darkbeam.analysis.rare_rates` exactly (self-normalised importance
  sampling: the normalisation is the quadrature's, the MC only distributes it over (E, T)).

Kinematics (2 -> 2 on a target of mass M at rest, the neutrino along +z of the detector frame):
E_r = M + T, |p_r| = sqrt(T (T + 2 M)), cos theta_r = (E + M) T / (E |p_r|) (= sqrt(T/(T + 2M)) (E + M)/E),
uniform azimuth, p_nu' = p_nu - p_r, Q^2 = 2 M T.

Vertices and times (docs/rare_scattering.md, section 8b): uniform in the experiment's target volume
(nu-e) or in the COHERENT detector's active cylinder (CEvNS); ``t`` is the neutrino's flight from its
production point (nu-e: as upscattering events, t = 0 at the neutrino's production) or, at the SNS, the
proton's arrival in its pulse + the pi+ (prompt: the lines) or pi+ and mu+ (delayed: the Michel
continua) decay times + the flight from the target (:mod:`darkbeam.detectors.arrival`).

Events (docs/events.md, "Scattering events"): a :class:`~darkbeam.events.ScatterEvents` of process
``"nu-e"`` or ``"cevns"``: the incoming neutrino (``projectile``), the scattered neutrino
(``scattered``) and the struck electron or nucleus (``recoil``), all final-state particles; no decay.
The weight ``w`` is the number of scatterings the event stands for.

Reweighting (:func:`reweight`) to another Z' coupling, scalar coupling, or s_W^2 at fixed mediator
masses: w -> w dsigma_new/dsigma_old at the stored (E, T) (the efficiency cancels).
"""

from __future__ import annotations

import math
from typing import Mapping, Optional, Sequence

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError, KinematicsError
from darkbeam.events.scatter_schema import ScatterCase
from darkbeam.events.scattering import ScatterEvents
from darkbeam.models.parameters import ModelParameters

__all__ = ["simulate", "reweight", "PROCESSES", "FLAVOUR_PDG"]

PROCESSES = ("nu-e", "cevns")
FLAVOUR_PDG = {"nu_e": 12, "nu_mu": 14, "nu_tau": 16, "nu_e_bar": -12, "nu_mu_bar": -14, "nu_tau_bar": -16}
_PDG_FLAVOUR = {v: k for k, v in FLAVOUR_PDG.items()}
_ORDER = 8


def _nucleus_pdg(nuc) -> int:
    return 1000000000 + 10000 * int(nuc.Z) + 10 * int(nuc.A)


def _model(params) -> ModelParameters:
    if params is None:
        return ModelParameters.from_dict({"name": "standard_model"})
    return params if isinstance(params, ModelParameters) else ModelParameters.from_dict(dict(params))


def _xsec(process: str, target: str, flavour: str, params: ModelParameters, sw2: float, form_factor: str,
          radiative: str = "none"):
    from darkbeam.models.zprime_charges import scalar_mediator, zprime_mediator

    med, sca = zprime_mediator(params, sw2), scalar_mediator(params)
    if process == "nu-e":
        from darkbeam.physics.nu_electron import NuElectronXsec

        return NuElectronXsec(flavour, med, sw2, 0.0, sca, radiative=radiative)
    from darkbeam.physics.cevns import CEvNSXsec

    return CEvNSXsec(target, flavour, mediator=med, scalar=sca, sw2=sw2, form_factor=form_factor, radiative=radiative)


def _t0(params: ModelParameters, sw2: float, M: float) -> float:
    from darkbeam.models.zprime_charges import scalar_mediator, zprime_mediator

    ms = [m.mass for m in (zprime_mediator(params, sw2), scalar_mediator(params)) if m is not None]
    return min(ms) ** 2 / (2.0 * M) if ms else math.inf


def _setup(process: str, experiment, t_min, t_max):
    """(label, flux, pot, targets {name: (count, mass, pdg)}, t_lo, t_hi, efficiency, vertex volume, caveats,
    timing): ``caveats`` name every stand-in the run uses (the detector's or experiment's caveats, the
    CHARM-II window quoted from memory), for the summary, the JSON and the file metadata; ``timing`` is
    ("beam", production model) or ("dar", source position, proton pulse) (:func:`_times`)."""
    if process == "nu-e":
        from darkbeam.analysis.rare_rates import CHARMII_WINDOW
        from darkbeam.detectors.catalog import Experiment, load_experiment
        from darkbeam.processes.cases import experiment_flux

        exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
        caveats = list(exp.caveats)
        if t_min is None and t_max is None and exp.keyword.startswith("charmii"):
            t_min, t_max = CHARMII_WINDOW
            caveats.append(f"recoil window {CHARMII_WINDOW[0]:g}-{CHARMII_WINDOW[1]:g} GeV: CHARM-II's selection as "
                           "quoted from memory, not re-read (docs/rare_scattering.md)")
        electrons = sum(t.n_nuclei * t.Z for t in exp.targets)
        fl = experiment_flux(exp)
        if fl.meta.get("fallback"):
            caveats.append(str(fl.meta["fallback"]))
        return (exp.keyword, fl, exp.pot, {"e-": (electrons, C.M_E, 11)},
                t_min or 0.0, t_max, None, exp.target_volume, caveats, ("beam", exp.production_model(warn=False)))
    from darkbeam.detectors.cevns_detectors import CEvNSDetector, cevns_detector
    from darkbeam.physics import nuclear
    from darkbeam.sources.dar import dar_config

    det = experiment if isinstance(experiment, CEvNSDetector) else cevns_detector(str(experiment))
    if t_min is not None or t_max is not None:
        raise ConfigurationError("CEvNS events use the detector's threshold and efficiency: no recoil window option")
    sns = dar_config("coherent")
    fl = sns.flux("pi", distance_m=det.distance_m, stopped_per_pot=det.nu_per_flavour_per_pot)
    caveats = list(det.caveats) + ([sns.pulse.caveat] if sns.pulse is not None and sns.pulse.caveat else [])
    targets = {}
    for name, count in det.n_nuclei().items():
        nuc = nuclear.nucleus(name)
        targets[name] = (count, nuc.mass, _nucleus_pdg(nuc))
    return (det.name, fl, det.pot, targets, det.threshold_keVnr * 1e-6, None, det.efficiency_gev, det.geometry, caveats,
            ("dar", det.source_position, sns.pulse))


def _times(timing, E, on_line, vtx, rng) -> np.ndarray:
    """Interaction times (ns) of a case's events (module docstring; :mod:`darkbeam.detectors.arrival`)."""
    from darkbeam.detectors.arrival import beam_interaction_times, dar_interaction_times
    from darkbeam.sources.dar import pion_dar_chain

    if timing[0] == "beam":
        return beam_interaction_times(timing[1], E, vtx, rng)
    return dar_interaction_times(timing[1], vtx, pion_dar_chain(on_line), rng, timing[2])


#: what t = 0 of the events is (meta["time_origin"]; docs/rare_scattering.md, section 8b)
_TIME_ORIGIN = {
    "beam": "t = 0 at the neutrino's production (flight from the production point at c; no bunch structure)",
    "dar": "t = 0 at the centre of the proton pulse on the target (pulse + decays at rest + flight at c)",
}


def _segment_table(flux, flavour: str, sigma):
    """Per-segment contributions I_k of Phi sigma (the Flux.fold rule) and the lines' Phi sigma."""
    a, b = flux._segments(None, None)
    x, w = np.polynomial.legendre.leggauss(_ORDER)
    x, w = 0.5 * (x + 1.0), 0.5 * w
    if a.size:
        e = a[:, None] + (b - a)[:, None] * x[None, :]
        s = np.asarray(sigma(e.ravel()), dtype=float).reshape(e.shape)
        I = np.sum(s * flux(e.ravel(), flavour).reshape(e.shape) * w[None, :], axis=1) * (b - a)
    else:
        I = np.zeros(0)
    lines = [(float(E), float(phi)) for E, phi in flux.lines.get(flavour, ()) if E > 0]
    L = np.array([phi * float(sigma(np.array([E]))[0]) for E, phi in lines]) if lines else np.zeros(0)
    return a, b, I, np.array([E for E, _ in lines]), np.array([phi for _, phi in lines]), L


def _two_body(E, T, M, rng):
    """Four-momenta (n, 4) of the incoming neutrino, the scattered neutrino and the recoil."""
    n = E.size
    pr = np.sqrt(T * (T + 2.0 * M))
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.clip(np.where(pr > 0, (E + M) * T / (E * pr), 1.0), -1.0, 1.0)
    sin = np.sqrt(1.0 - cos * cos)
    phi = rng.uniform(0.0, 2.0 * math.pi, n)
    p_nu = np.zeros((n, 4))
    p_nu[:, 0], p_nu[:, 3] = E, E
    p_rec = np.column_stack([M + T, pr * sin * np.cos(phi), pr * sin * np.sin(phi), pr * cos])
    p_out = p_nu - p_rec
    p_out[:, 0] = E - T
    return p_nu, p_out, p_rec


def simulate(process: str, experiment, params=None, *, n: int = 10_000, rng: np.random.Generator,
             projectiles: Optional[Sequence[str]] = None, sw2: Optional[float] = None, form_factor: str = "helm",
             t_min: Optional[float] = None, t_max: Optional[float] = None, seed=None,
             radiative: str = "none") -> ScatterEvents:
    """Weighted events of ``process`` ('nu-e' or 'cevns') at ``experiment`` (nu-e: a catalog experiment
    or keyword; cevns: a COHERENT detector of :mod:`darkbeam.detectors.cevns_detectors` or its name),
    ``n`` per case (flavour x target), for the model ``params`` (default: the Standard Model; a Z' and
    a scalar from its parameters as in ``darkbeam xsec``).  ``t_min``, ``t_max``: nu-e electron-recoil
    window in GeV (default: CHARM-II's 3-24 GeV at charmii_*, else all recoils).  sum(w) of each case
    is its rate (module docstring); ``meta["summary"]`` lists rates, MC estimates and errors.
    ``radiative``: "none" (tree level); nu-e "ew", "full" or "calorimetric"
    (:mod:`darkbeam.physics.nu_electron_radiative`; ``sw2`` None: MSbar(M_Z) 0.23129 with them); CEvNS
    "ew" (:mod:`darkbeam.physics.cevns_radiative`; ``sw2`` None: 0.23857 as at tree level)."""
    from darkbeam.physics.cevns_radiative import check_radiative, default_sw2

    check_radiative(process, radiative, "radiative")
    if sw2 is None:
        sw2 = default_sw2(process, radiative)
    if process not in PROCESSES:
        raise ConfigurationError(f"unknown rare process '{process}' (choose from {', '.join(PROCESSES)})")
    n = int(n)
    if n < 1:
        raise ConfigurationError(f"n must be a positive number of events per case, got {n}")
    for v, what in ((t_min, "t_min"), (t_max, "t_max")):
        if v is not None and not (math.isfinite(v) and v >= 0):
            raise ConfigurationError(f"{what} = {v} GeV must be finite and >= 0")
    if t_min is not None and t_max is not None and t_max <= t_min:
        raise ConfigurationError(f"empty recoil window: t_max = {t_max} <= t_min = {t_min} GeV")
    params = _model(params)
    label, flux, pot, targets, t_lo, t_hi, eff, volume, caveats, timing = _setup(process, experiment, t_min, t_max)
    from darkbeam.physics.cevns_radiative import radiative_caveat

    caveats = caveats + radiative_caveat(process, radiative)
    flavours = list(flux.flavours)
    if projectiles:
        for p in projectiles:
            if p not in FLAVOUR_PDG:
                raise ConfigurationError(f"unknown projectile '{p}' (choose from {', '.join(FLAVOUR_PDG)})")
        flavours = [f for f in flavours if f in projectiles]
        if not flavours:
            raise ConfigurationError(f"no flux of {', '.join(projectiles)} at {label} (it has {', '.join(flux.flavours)})")
    cases, parts, summary = [], {}, []
    for tname, (count, M, tpdg) in targets.items():
        for f in flavours:
            xs = _xsec(process, tname, f, params, sw2, form_factor, radiative)
            sig = (lambda E, xs=xs: xs.sigma(E, t_min=t_lo, t_max=t_hi, efficiency=eff) if E.size else E)
            a, b, I, lineE, linePhi, L = _segment_table(flux, f, sig)
            total = float(I.sum() + L.sum())
            name = f"{f} {tname} -> {f} {tname} ({process})"
            rate = total * count * pot
            if not rate > 0:
                summary.append({"case": name, "events": 0.0, "note": "no events (recoil window or threshold closed)"})
                continue
            P = np.concatenate([I, L]) / total
            k = rng.choice(P.size, size=n, p=P)
            on_seg = k < I.size
            E = np.empty(n)
            ks = k[on_seg]
            # below E_thr (T_max(E) = t_lo) sigma vanishes: sample each segment above it only
            e_thr = 0.5 * (t_lo + math.sqrt(t_lo * t_lo + 2.0 * M * t_lo))
            lo = np.maximum(a, e_thr)
            E[on_seg] = lo[ks] + (b[ks] - lo[ks]) * rng.random(ks.size)
            E[~on_seg] = lineE[k[~on_seg] - I.size]
            # density of E: P_k/(b - lo) on a segment (Phi(E) dE), P_line on a line (Phi_line)
            wE = np.empty(n)
            wE[on_seg] = flux(E[on_seg], f) * (b[ks] - lo[ks]) / P[ks]
            wE[~on_seg] = linePhi[k[~on_seg] - I.size] / P[k[~on_seg]]
            tmax = np.asarray(xs.t_max(E), dtype=float)
            hi = tmax if t_hi is None else np.minimum(tmax, t_hi)
            hi = np.maximum(hi, t_lo)
            t0 = _t0(params, sw2, M)
            u = rng.random(n)
            if math.isfinite(t0):
                ulo, uhi = np.log1p(t_lo / t0), np.log1p(hi / t0)
                T = t0 * np.expm1(ulo + (uhi - ulo) * u)
                T = np.clip(T, t_lo, hi)
                wT = (T + t0) * (uhi - ulo)
            else:
                T = t_lo + (hi - t_lo) * u
                wT = hi - t_lo
            ds = xs.dsigma_dT(E, T) * (1.0 if eff is None else eff(T))
            raw = count * pot * wE * wT * ds
            raw = np.where(hi > t_lo, raw, 0.0)
            if not (np.isfinite(raw).all() and raw.sum() > 0):
                raise KinematicsError(f"{name}: non-finite or vanishing weights")
            mc, mc_err = float(raw.sum() / n), float(raw.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
            w = raw * (rate / raw.sum())
            # quadrature precision: the same rule at twice the order
            fine = flux.fold(sig, f, order=2 * _ORDER) * count * pot
            summary.append({"case": name, "events": rate, "quadrature_err": abs(fine - rate),
                            "mc_events": mc, "mc_err": mc_err,
                            "n": n, "n_eff": float(w.sum() ** 2 / np.sum(w * w))})
            p_nu, p_out, p_rec = _two_body(E, T, M, rng)
            case_id = len(cases)
            fp = FLAVOUR_PDG[f]
            cases.append(ScatterCase(name=name, process=process, projectile=fp, target=tpdg, scattered=fp,
                                     recoil=tpdg, m_target=M, m_recoil=M,
                                     description=("nu e -> nu e elastic, 't Hooft (1971), Vogel-Engel PRD 39, 3378 (1989)"
                                               if process == "nu-e" else
                                               "CEvNS, Freedman PRD 9, 1389 (1974); COHERENT 1708.01294 eq. 1")))
            vtx = np.zeros((n, 4))
            if volume is not None:
                vtx[:, :3] = volume.sample(n, rng)
            vtx[:, 3] = _times(timing, E, ~on_seg, vtx[:, :3], rng)
            for key, val in (("case", np.full(n, case_id)), ("w", w), ("Q2", 2.0 * M * T), ("vertex", vtx), ("p_nu", p_nu),
                             ("p_out", p_out), ("p_rec", p_rec)):
                parts.setdefault(key, []).append(val)
    if not parts:
        raise KinematicsError(f"no {process} events at {label}: " + "; ".join(s["case"] for s in summary))
    cols = {k: np.concatenate(v) for k, v in parts.items()}
    # flux-averaged cross section per target (NuHepMC G.R.5): events / (POT x targets x flux of the flavours)
    phi = sum(flux.integrate(f) for f in flavours)
    n_targets = sum(c for c, _, _ in targets.values())
    total = float(sum(s["events"] for s in summary))
    meta = {"process": process, "flux_averaged_xsec_cm2": total / (pot * n_targets * phi) if phi > 0 else 0.0, "model": params.model_dump(exclude_none=True), "experiment": label,
            "exposure_pot": pot, "seed": seed, "events_per_case": n, "sw2": sw2, "form_factor": form_factor,
            "radiative": radiative, "recoil_window_GeV": [t_lo, t_hi], "summary": summary,
            "total_events": total, "caveats": caveats, "time_origin": _TIME_ORIGIN[timing[0]]}
    vtx, p_nu, p_out, p_rec = cols["vertex"], cols["p_nu"], cols["p_out"], cols["p_rec"]
    columns = {"case": cols["case"], "w": cols["w"], "Q2": cols["Q2"],
               **{k: vtx[:, j] for j, k in enumerate("xyzt")},
               **{f"{role}_p{c}": a[:, 1 + j] for role, a in (("projectile", p_nu), ("scattered", p_out),
                                                              ("recoil", p_rec)) for j, c in enumerate("xyz")}}
    return ScatterEvents(columns, cases, meta)


def recoil_T(events: ScatterEvents) -> np.ndarray:
    """Recoil kinetic energy T (GeV) of each event: Q^2/(2 M)."""
    return events["Q2"] / (2.0 * events.mass("target"))


def reweight(events: ScatterEvents, new) -> ScatterEvents:
    """Rare-scattering events at the couplings of ``new`` (ModelParameters, or a mapping of changes to
    ``meta["model"]``; ``sw2`` may be among them) with the same mediator masses: w x dsigma_new /
    dsigma_old at the stored (E, T) of every event.  Events of a model without a mediator may be
    reweighted to one (the support, the recoil window, is the same; the weights spread more for a light
    one: check the Kish n_eff); a mediator mass of the generated model cannot change."""
    process = events.meta.get("process")
    if process not in PROCESSES:
        raise ConfigurationError("reweight: not a nu-e or cevns event set")
    old = _model(events.meta["model"])
    changes = {} if isinstance(new, ModelParameters) else dict(new)
    sw2_new = float(changes.pop("sw2", events.meta["sw2"]))
    params = new if isinstance(new, ModelParameters) else ModelParameters.from_dict({**events.meta["model"], **changes})
    for k in ("mzprime", "mphi"):
        a, b = getattr(old, k, None), getattr(params, k, None)
        if a is not None and a != b:  # adding a mediator to SM events is exact (same support); changing one is refused
            raise ConfigurationError(f"reweight keeps the mediator masses: {k} changed from {a} to {b}; generate again")
    E, T = events.E_nu, recoil_T(events)
    case = events.columns["case"]
    factor = np.ones(len(events))
    for i, c in enumerate(events.cases):
        sel = case == i
        if not sel.any():
            continue
        target = "e-" if process == "nu-e" else c.name.split()[1]
        f = _PDG_FLAVOUR[c.projectile]
        rad = events.meta.get("radiative", "none")
        x_old = _xsec(process, target, f, old, events.meta["sw2"], events.meta["form_factor"], rad)
        x_new = _xsec(process, target, f, params, sw2_new, events.meta["form_factor"], rad)
        d_old, d_new = x_old.dsigma_dT(E[sel], T[sel]), x_new.dsigma_dT(E[sel], T[sel])
        factor[sel] = np.where(d_old > 0, d_new / np.where(d_old > 0, d_old, 1.0), 0.0)
    meta: Mapping = {"model": params.model_dump(exclude_none=True), "sw2": sw2_new,
                     "reweight": {"from_model": events.meta["model"], "from_sw2": events.meta["sw2"]},
                     "summary": None, "total_events": None}
    return events.with_weights(w=events["w"] * factor).with_meta(**meta)
