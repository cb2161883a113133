"""Light-dark-matter searches in chi e -> chi e: detector response, the nu e -> nu e background, rate and
spectral likelihoods, and the limit on Y = eps^2 alpha_D (m_chi/m_A')^4 (docs/dark_matter.md, "Analyses").

* **Response.**  The electron's kinetic energy T and its angle theta to the beam direction (from the
  target to the detector centre) are smeared with Gaussian resolutions sigma_T/T = a/sqrt(T/GeV) (+) b
  and sigma_theta (the setup's, :class:`darkbeam.processes.dark_matter.DMSetup`), with a generator
  passed in, then selected in the setup's window t_min < T_reco < t_max.
* **Background**: nu e -> nu e (:class:`darkbeam.physics.nu_electron.NuElectronXsec`, Standard Model)
  with the neutrino flux at the detector position, on a quadrature grid in (E_nu, T) (Gauss-Legendre
  panels in log E and log T), each node's electron at its two-body angle about the neutrino direction,
  smeared and selected like the signal.  Its total agrees with :func:`darkbeam.analysis.rare_rates.
  nu_e_events` (tested).  The neutrino flux at DUNE positions is the beam model's
  (:func:`darkbeam.sources.beam.model.beam_flux`, LBNF, a point at the position) on and off axis, so
  that on- and off-axis ratios are consistent; where a search quotes its own background (MiniBooNE's
  beam-dump run), that number is used instead.
* **NC pi0** (optional, ``pi0_misid``): single showers from pi0 -> gamma gamma with a photon lost or the
  two merged (:mod:`darkbeam.analysis.nc_pi0_background`, assumed photon threshold, merging angle and
  e/gamma separation), through the same response; off by default.
* **Statistics**: a counting (total-rate) likelihood, :class:`darkbeam.analysis.statistics.Counting`,
  or a binned Poisson likelihood in T or in T theta^2, :class:`darkbeam.analysis.statistics.Binned`
  (asymptotic CLs), both with normalisation systematics on signal and background (profiled).
* **Coupling axis**: signal events scale as Y^2 at fixed masses and alpha_D
  (:mod:`darkbeam.processes.dark_matter`, "Scaling"): a limit s_up on the events of a run made at Y_0
  with S_0 events is Y_up = Y_0 sqrt(s_up / S_0) (for spectra: mu_up on the signal strength,
  Y_up = Y_0 sqrt(mu_up)).
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError

__all__ = ["VARIABLES", "beam_direction", "electron_observables", "smear", "selected_hist", "nue_background_grid",
           "dune_flux", "y_limit", "y_limit_binned", "y_limit_positions", "y_sensitivity", "search_limit",
           "search_targets"]

#: binning variables of the spectral likelihood: T (GeV) or T theta^2 (GeV rad^2)
VARIABLES = ("T", "Ttheta2")


def beam_direction(meta) -> np.ndarray:
    """Unit vector (detector frame) from the beam-frame origin (the target) to the detector centre."""
    pl = meta["placement"]
    center, axes = np.asarray(pl["center_cm"], dtype=float), np.asarray(pl["axes"], dtype=float)
    d = center @ axes.T
    return d / np.linalg.norm(d)


def electron_observables(events):
    """(T, theta) of the recoil electrons of dark-matter ScatterEvents: kinetic energy (GeV) and angle (rad)
    to :func:`beam_direction`."""
    p = events.p4("recoil")
    T = p[:, 0] - C.M_E
    u = beam_direction(events.meta)
    pabs = np.linalg.norm(p[:, 1:], axis=1)
    cos = np.clip(p[:, 1:] @ u / np.where(pabs > 0, pabs, 1.0), -1.0, 1.0)
    return T, np.arccos(cos)


def smear(T, theta, setup, rng: np.random.Generator):
    """Gaussian smearing of (T, theta) with the setup's resolutions (module docstring); T_reco >= 0,
    theta_reco folded to |theta|."""
    T = np.asarray(T, dtype=float)
    sig = np.hypot(setup.res_stoch * np.sqrt(np.clip(T, 0.0, None)), setup.res_const * T)
    Tr = np.clip(T + sig * rng.standard_normal(T.size), 0.0, None)
    thr = np.abs(np.asarray(theta, dtype=float) + setup.res_angle * rng.standard_normal(T.size))
    return Tr, thr


def _variable(T, th, variable: str):
    if variable not in VARIABLES:
        raise ConfigurationError(f"unknown binning variable '{variable}' (choose from {', '.join(VARIABLES)})")
    return T if variable == "T" else T * th * th


def selected_hist(T, theta, w, setup, bins, variable: str = "T", rng: Optional[np.random.Generator] = None):
    """Histogram of the weights of electrons (true T, theta) after smearing (when ``rng`` is given) and
    the setup's window on T_reco, in ``variable`` with edges ``bins``."""
    if rng is not None:
        T, theta = smear(T, theta, setup, rng)
    sel = T > setup.t_min
    if setup.t_max is not None:
        sel &= T < setup.t_max
    x = _variable(T[sel], theta[sel], variable)
    h, _ = np.histogram(x, bins=np.asarray(bins, dtype=float), weights=np.asarray(w)[sel])
    return h


def dune_flux(offset_m: float, *, n: int = 2**15, seed: int = 12345):
    """LBNF beam-model neutrino flux (nu/cm^2/GeV/POT) at the DUNE ND position moved ``offset_m`` off
    axis (574 m; a point)."""
    from darkbeam.sources.beam.model import beam_flux

    return beam_flux("lbnf", 574.0, 1000.0 * math.atan2(offset_m, 574.0), n=n, seed=seed, detector_volume=None).flux


def nue_background_grid(flux, *, electrons: float, pot: float, t_min: float, e_max: float = 120.0,
                        n_e: int = 12, n_t: int = 8, panels_e: int = 40, panels_t: int = 6):
    """Quadrature nodes of the nu e -> nu e background: (T, theta_true, weight) arrays, weight = events
    per node for ``electrons`` and ``pot``; every flavour of ``flux``; T from ``t_min`` up to T_max(E)
    (module docstring).  theta is the electron's angle to the neutrino direction."""
    from darkbeam.physics.nu_electron import NuElectronXsec

    x, wq = np.polynomial.legendre.leggauss(n_e)
    xt, wt = np.polynomial.legendre.leggauss(n_t)
    e_thr = 0.5 * (t_min + math.sqrt(t_min * t_min + 2.0 * C.M_E * t_min))
    edges = np.geomspace(max(e_thr, 1e-3), e_max, panels_e + 1)
    lo, hi = edges[:-1, None], edges[1:, None]
    le = np.log(lo) + (np.log(hi) - np.log(lo)) * 0.5 * (x + 1.0)
    E = np.exp(le).ravel()
    wE = (E * (0.5 * (np.log(hi) - np.log(lo)) * wq).ravel())
    Ts, ths, ws = [], [], []
    for f in flux.flavours:
        xs = NuElectronXsec(f)
        phi = flux(E, f)
        tmax = np.asarray(xs.t_max(E), dtype=float)
        ok = (tmax > t_min) & (phi > 0)
        if not ok.any():
            continue
        Eo, wo, tm = E[ok], (wE * phi)[ok], tmax[ok]
        # log T panels between t_min and T_max(E)
        a = np.log(t_min) + (np.log(tm) - np.log(t_min))[:, None] * np.arange(panels_t)[None, :] / panels_t
        b = a + ((np.log(tm) - np.log(t_min)) / panels_t)[:, None]
        lt = a[:, :, None] + (b - a)[:, :, None] * 0.5 * (xt + 1.0)[None, None, :]
        T = np.exp(lt)
        wT = T * (0.5 * (b - a))[:, :, None] * wt[None, None, :]
        EE = np.broadcast_to(Eo[:, None, None], T.shape)
        ds = xs.dsigma_dT(EE.ravel(), T.ravel()).reshape(T.shape)
        w = wo[:, None, None] * wT * ds * electrons * pot
        pr = np.sqrt(T * (T + 2.0 * C.M_E))
        cos = np.clip((EE + C.M_E) * T / (EE * pr), -1.0, 1.0)
        Ts.append(T.ravel())
        ths.append(np.arccos(cos).ravel())
        ws.append(w.ravel())
    if not Ts:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    return np.concatenate(Ts), np.concatenate(ths), np.concatenate(ws)


def y_limit(signal_ref: float, y_ref: float, background: float, *, observed: Optional[float] = None,
            sigma_signal: float = 0.0, sigma_background: float = 0.0, cl: float = 0.9) -> float:
    """Upper limit (or, with observed None, the sensitivity: Asimov n = b) on Y from a counting
    experiment: Y_ref sqrt(s_up / S_ref) (module docstring); inf without signal."""
    from darkbeam.analysis.statistics import Counting

    if not (math.isfinite(signal_ref) and signal_ref >= 0 and y_ref > 0):
        raise ConfigurationError(f"signal {signal_ref} and Y {y_ref} must be finite, >= 0 and > 0")
    if signal_ref == 0:
        return math.inf
    s_up = Counting(float(background), observed, sigma_signal, sigma_background).upper_limit(cl)
    return y_ref * math.sqrt(s_up / signal_ref)


def y_limit_binned(signal_ref, y_ref: float, background, *, observed=None, sigma_signal: float = 0.0,
                   sigma_background: float = 0.0, cl: float = 0.9) -> float:
    """As :func:`y_limit` for a binned spectrum (asymptotic CLs on the signal strength mu, Y_ref sqrt(mu_up));
    bins without background and signal are dropped."""
    from darkbeam.analysis.statistics import Binned

    s, b = np.asarray(signal_ref, dtype=float), np.asarray(background, dtype=float)
    keep = (s > 0) | (b > 0)
    if not np.any(s[keep] > 0):
        return math.inf
    obs = None if observed is None else tuple(np.asarray(observed, dtype=float)[keep])
    mu = Binned(tuple(b[keep]), obs, sigma_signal, sigma_background).upper_limit(tuple(s[keep]), cl)
    return y_ref * math.sqrt(mu)


def y_sensitivity(m_chi: float, setup="dune_nd", *, offset_m: float = 0.0, alpha_d: float = 0.5, ratio: float = 3.0,
                  dm_type: str = "fermion", n: int = 20_000, seed: int = 1, n_parents: int = 2**14,
                  background: Optional[float] = None, observed: Optional[float] = None, variable: str = "T",
                  bins=None, sigma_signal: float = 0.1, sigma_background: float = 0.1, cl: float = 0.9,
                  flux=None, bremsstrahlung: Optional[bool] = None, pi0_misid=None, shower: Optional[bool] = None,
                  vector_mesons: Optional[bool] = None, target: str = "e") -> dict:
    """Limit (``observed`` given) or sensitivity (Asimov) on Y at one dark-matter mass: m_A' = ``ratio``
    m_chi, ``alpha_d``; one run at epsilon = 1e-3 (:func:`darkbeam.processes.dark_matter.simulate`),
    electrons smeared and selected (:func:`selected_hist`), the nu e background of ``flux`` (default: the
    LBNF beam model at the DUNE position, :func:`dune_flux`) through the same response, or a given total
    ``background`` (counting only).  Returns signal and background totals at Y_ref, their spectra in
    ``variable`` (``bins``: default 12 log bins of T from the threshold to 20 GeV), and Y limits from the
    counting (``y_counting``) and binned (``y_binned``) likelihoods with normalisation uncertainties
    ``sigma_signal``, ``sigma_background``.  ``pi0_misid`` (off by default; True for the setup's assumed
    model or a :class:`darkbeam.analysis.nc_pi0_background.Pi0Misid`) adds the NC pi0 single-shower
    background (:mod:`darkbeam.analysis.nc_pi0_background`) to the flux-computed nu e one, reported as
    ``background_pi0_misid``; ``bremsstrahlung``, ``shower``, ``vector_mesons``: the chi sources of
    :func:`~darkbeam.processes.dark_matter.simulate` (default: the setup's).  ``summary``: the run's
    per-source rows (events and shares); ``bremsstrahlung``: the run's ``meta["bremsstrahlung"]`` (included?
    cuts, validity).  ``target`` 'e' (default) or the nucleon channel 'p', 'n' or 'p,n' (chi N -> chi N on
    the detector's free protons and neutrons in the setup's ``proton_window`` of nucleon kinetic energy,
    applied to the true recoil: no nucleon energy resolution is modelled); the nucleon channel needs a
    given ``background`` (counting only: no computed neutrino background for it)."""
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.models import ModelParameters
    from darkbeam.processes.dark_matter import setup_of, simulate

    st = setup_of(setup)
    if not (m_chi > 0 and ratio > 0 and alpha_d > 0):
        raise ConfigurationError(f"m_chi = {m_chi}, ratio = {ratio}, alpha_D = {alpha_d} must be positive")
    params = ModelParameters.from_dict({"mchi": m_chi, "mzprime": ratio * m_chi, "epsilon": 1e-3, "alphaD": alpha_d,
                                        "dm_type": dm_type})
    nucleon = target != "e"
    if nucleon:
        from darkbeam.processes.dm_targets import parse_targets

        if not set(parse_targets(target)) <= {"p", "n"}:
            raise ConfigurationError(f"y_sensitivity: target 'e' or nucleons 'p', 'n', 'p,n', got '{target}'")
        if background is None:
            raise ConfigurationError("the nucleon channel needs a given background count (no neutrino background is "
                                     "computed for chi N -> chi N)")
    ev = simulate(params, st, n=n, rng=np.random.default_rng(seed), offset_m=offset_m, n_parents=n_parents, seed=seed,
                  bremsstrahlung=bremsstrahlung, shower=shower, vector_mesons=vector_mesons, target=target)
    y_ref = float(ev.meta["yield_Y"])
    summary = [{k: r[k] for k in ("channel", "target", "events", "share", "chi_share")} for r in ev.meta["summary"]]
    if nucleon:  # the generator's window is the selection (true nucleon kinetic energy)
        sig = float(np.sum(ev.w))
        out = {"m_chi": m_chi, "m_aprime": ratio * m_chi, "alpha_D": alpha_d, "dm_type": dm_type, "setup": st.name,
               "offset_m": offset_m, "Y_ref": y_ref, "signal": sig, "signal_spectrum": None, "bins": None,
               "variable": None, "target": target, "recoil_window_GeV": ev.meta["recoil_window_GeV"],
               "summary": summary, "bremsstrahlung": ev.meta["bremsstrahlung"], "background": float(background),
               "background_spectrum": None, "y_binned": None}
        out["y_counting"] = y_limit(sig, y_ref, float(background), observed=observed, sigma_signal=sigma_signal,
                                    sigma_background=sigma_background, cl=cl)
        return out
    if bins is None:
        hi = 20.0 if variable == "T" else 2e-2
        lo = st.t_min if variable == "T" else 1e-6
        bins = np.concatenate([[0.0], np.geomspace(lo, hi, 12), [np.inf]]) if variable != "T" else np.geomspace(lo, hi, 13)
    T, th = electron_observables(ev)
    s = selected_hist(T, th, ev.w, st, bins, variable, np.random.default_rng(seed + 7))
    out = {"m_chi": m_chi, "m_aprime": ratio * m_chi, "alpha_D": alpha_d, "dm_type": dm_type, "setup": st.name,
           "offset_m": offset_m, "Y_ref": y_ref, "signal": float(s.sum()), "signal_spectrum": s.tolist(),
           "bins": np.asarray(bins, dtype=float).tolist(), "variable": variable, "target": "e",
           "summary": summary, "bremsstrahlung": ev.meta["bremsstrahlung"]}
    if background is not None:
        b_tot, b = float(background), None
    else:
        exp = load_experiment(st.experiment)
        electrons = sum(t.n_nuclei * t.Z for t in exp.targets)
        fl = dune_flux(offset_m) if flux is None else flux
        Tb, thb, wb = nue_background_grid(fl, electrons=electrons, pot=st.pot, t_min=0.5 * st.t_min)
        b = selected_hist(Tb, thb, wb, st, bins, variable, np.random.default_rng(seed + 11))
        if pi0_misid:  # additive hook: NC pi0 faking a single electron (docs/nc_pi0.md)
            from darkbeam.analysis import nc_pi0_background as npb

            Tp, thp, wp, _ = npb.pi0_misid_events(fl, npb.experiment_targets(exp), pot=st.pot,
                                                  misid=npb.misid_for(st.name, pi0_misid), seed=seed + 13)
            bp = selected_hist(Tp, thp, wp, st, bins, variable, np.random.default_rng(seed + 17))
            out["background_pi0_misid"] = float(bp.sum())
            b = b + bp
        b_tot = float(b.sum())
    out["background"] = b_tot
    out["background_spectrum"] = None if b is None else b.tolist()
    out["y_counting"] = y_limit(out["signal"], y_ref, b_tot, observed=observed, sigma_signal=sigma_signal,
                                sigma_background=sigma_background, cl=cl)
    out["y_binned"] = None if b is None else y_limit_binned(s, y_ref, b, sigma_signal=sigma_signal,
                                                            sigma_background=sigma_background, cl=cl)
    return out


#: experiment (catalog key) and beam mode of a dark-matter search's exposure -> darkbeam setup
_SETUP_OF = {("miniboone_fhc", "beam dump"): "miniboone_dump", ("dune_nd_fhc", "FHC"): "dune_nd"}


#: final state of a dark-matter search's [[channels]] -> target keyword of processes/dm_targets.py
_TARGET_OF = {"e-": "e", "p": "p", "n": "n"}


def search_targets(spec) -> str:
    """The target keywords ('e', or nucleons 'p', 'n', 'p,n') of a dark-matter search entry, from the final
    states of its [[channels]] (chi e- -> chi e-: ['e-']; chi p -> chi p: ['p']; chi n -> chi n: ['n'])."""
    finals = [f for ch in spec.channels for f in ch.final_states]
    bad = sorted({f for f in finals if f not in _TARGET_OF})
    if bad or not finals:
        raise ConfigurationError(f"dark-matter search: final state '{(bad or ['none'])[0]}' is not a chi recoil "
                                 f"(known: {', '.join(_TARGET_OF)})")
    keys = list(dict.fromkeys(_TARGET_OF[f] for f in finals))
    if "e" in keys and len(keys) > 1:
        raise ConfigurationError("dark-matter search: electron and nucleon channels in one entry (give one entry each)")
    return ",".join(keys)


def search_limit(search: str, masses, *, n: int = 10_000, seed: int = 1, n_parents: int = 2**14,
                 alpha_d: float = 0.5, ratio: float = 3.0, dm_type: str = "fermion",
                 bremsstrahlung: Optional[bool] = None) -> dict:
    """``darkbeam limit`` of a dark-matter entry of the searches catalog (particle 'dark_matter'): Y at
    90 % CL (the entry's) for each m_chi of ``masses`` (GeV) with m_A' = ``ratio`` m_chi, one generation per
    mass (:func:`y_sensitivity`); the entry's [result] (observed on background: counting) or, for a
    'sensitivity' with ``spectral`` in its cuts, the binned nu e likelihood (Asimov).  The recoil is the
    entry's channel (:func:`search_targets`: electrons, or the nucleons with the cuts ``t_min_GeV``,
    ``t_max_GeV`` as the nucleon kinetic-energy window).  ``bremsstrahlung``: the proton-bremsstrahlung chi
    source (default: the setup's; at the MiniBooNE dump it is off, and when switched on it is flagged in the
    notes and in ``bremsstrahlung``).  The JSON of the meson-decay limits: ``limit`` (observed),
    ``expected`` (Asimov), ``limit_upper`` None; the signal-count limits are None for the binned likelihood."""
    from darkbeam.analysis.searches import load_search
    from darkbeam.processes.dark_matter import setup_of

    s = load_search(search)
    sp = s.spec
    if sp.particle != "dark_matter":
        raise ConfigurationError(f"search '{search}' is not a dark-matter search (particle {sp.particle})")
    ex = sp.exposure[0]
    key = _SETUP_OF.get((ex.experiment, ex.mode))
    if key is None:
        raise ConfigurationError(f"search '{search}': no dark-matter setup for experiment {ex.experiment} in mode "
                                 f"'{ex.mode}' (known: {', '.join(f'{a} ({b})' for a, b in _SETUP_OF)})")
    cuts = dict(sp.selection.cuts)
    base = setup_of(key)
    target = search_targets(sp)
    from dataclasses import replace

    if target == "e":
        st = replace(base, pot=float(ex.pot), t_min=float(cuts.get("t_min_GeV", base.t_min)),
                     t_max=float(cuts["t_max_GeV"]) if "t_max_GeV" in cuts else base.t_max)
    else:  # the nucleon kinetic-energy window
        lo, hi = base.proton_window
        st = replace(base, pot=float(ex.pot), proton_window=(float(cuts.get("t_min_GeV", lo)),
                                                             float(cuts["t_max_GeV"]) if "t_max_GeV" in cuts else hi))
    res = sp.result
    spectral = bool(cuts.get("spectral", 0)) and sp.kind == "sensitivity"
    if spectral and target != "e":
        raise ConfigurationError(f"search '{search}': the spectral (nu e) likelihood is for the electron channel only")
    offset = float(cuts.get("off_axis_m", 0.0))
    ss, sb = float(cuts.get("sigma_signal", 0.0)), float(cuts.get("sigma_background", 0.0))
    flux = dune_flux(offset) if spectral and key == "dune_nd" else None
    limit, expected, notes = [], [], [f"m_A' = {ratio:g} m_chi, alpha_D = {alpha_d:g}, {dm_type} chi; masses are m_chi",
                                      f"setup {st.name}: {ex.pot:.3g} POT, {offset:g} m off axis"]
    if target != "e":
        notes.append(f"nucleon channel ({target}): chi N -> chi N on free nucleons, kinetic energy "
                     f"{st.proton_window[0]:g}-{st.proton_window[1]:g} GeV (true recoil, no efficiency)")
    rows, brem = [], None
    for m in masses:
        if spectral:
            r = y_sensitivity(m, st, offset_m=offset, alpha_d=alpha_d, ratio=ratio, dm_type=dm_type, n=n, seed=seed,
                              n_parents=n_parents, sigma_signal=ss, sigma_background=sb, cl=res.cl, flux=flux,
                              bremsstrahlung=bremsstrahlung)
            limit.append(None)
            expected.append(r["y_binned"])
        else:
            r = y_sensitivity(m, st, offset_m=offset, alpha_d=alpha_d, ratio=ratio, dm_type=dm_type, n=n, seed=seed,
                              n_parents=n_parents, background=res.background, observed=float(res.observed),
                              sigma_signal=ss, sigma_background=sb, cl=res.cl, bremsstrahlung=bremsstrahlung,
                              target=target)
            limit.append(r["y_counting"])
            expected.append(y_limit(r["signal"], r["Y_ref"], res.background, sigma_signal=ss, sigma_background=sb,
                                    cl=res.cl))
        rows.append({k: r[k] for k in ("m_chi", "Y_ref", "signal", "background")})
        brem = r["bremsstrahlung"]
    if brem is not None and brem["included"] and brem["outside_validity"]:
        notes.append(f"proton bremsstrahlung INCLUDED on request ({brem['z_range'][0]:g} < z < {brem['z_range'][1]:g}, "
                     f"p_T < {brem['pt_max_GeV']:g} GeV), an estimate: {brem['validity']}")
    from darkbeam.analysis.statistics import Counting

    n_lim = Counting(res.background, float(res.observed), ss, sb).upper_limit(res.cl)
    n_exp = Counting(res.background, None, ss, sb).upper_limit(res.cl)
    if spectral:
        notes.append("expected sensitivity from the binned nu e likelihood in T (asymptotic CLs); no observed limit")
    return {"search": s.key, "parameter": "Y", "masses_GeV": [float(m) for m in masses], "limit": limit,
            "limit_upper": [None] * len(limit), "expected": expected, "cl": res.cl,
            "signal_events_limit": None if spectral else n_lim, "signal_events_expected": None if spectral else n_exp,
            "notes": notes + [res.note] + list(sp.caveats), "rows": rows, "target": target, "bremsstrahlung": brem}


def y_limit_positions(results, *, fractions=None, sigma_signal: float = 0.1, sigma_background: float = 0.1,
                      cl: float = 0.9) -> float:
    """Sensitivity on Y from several detector positions (DUNE-PRISM-like) at one mass: the binned spectra
    of :func:`y_sensitivity` results (same mass and Y_ref), each scaled by its share ``fractions`` of the
    exposure (default: equal), concatenated into one binned likelihood whose signal and background
    normalisation factors are common to every position (a flux or cross-section normalisation moves all
    positions together, so the shape across positions constrains it)."""
    rs = list(results)
    if not rs or any(r.get("background_spectrum") is None for r in rs):
        raise ConfigurationError("y_limit_positions needs y_sensitivity results with computed background spectra")
    y0 = rs[0]["Y_ref"]
    if any(abs(r["Y_ref"] / y0 - 1.0) > 1e-9 or r["m_chi"] != rs[0]["m_chi"] for r in rs):
        raise ConfigurationError("y_limit_positions: the results must share the mass and Y_ref")
    f = np.full(len(rs), 1.0 / len(rs)) if fractions is None else np.asarray(fractions, dtype=float)
    if f.shape != (len(rs),) or not (np.all(f >= 0) and f.sum() > 0):
        raise ConfigurationError("fractions: one non-negative share per position")
    s = np.concatenate([fi * np.asarray(r["signal_spectrum"]) for fi, r in zip(f, rs)])
    b = np.concatenate([fi * np.asarray(r["background_spectrum"]) for fi, r in zip(f, rs)])
    return y_limit_binned(s, y0, b, sigma_signal=sigma_signal, sigma_background=sigma_background, cl=cl)
