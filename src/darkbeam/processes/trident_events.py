"""Weighted neutrino trident events nu A -> nu l1- l2+ A at an experiment (docs/tridents.md, "Events").

For one channel (``"nu_mu -> nu_mu mu+ mu-"``, ...) and every nucleus of the experiment's targets,
``n`` events are drawn:

* E_nu as :mod:`darkbeam.processes.rare_scatter` does: a flux segment (``Flux.fold`` Gauss-Legendre
  rule) with probability proportional to int_k Phi sigma dE, sigma the tabulated
  :func:`~darkbeam.physics.trident.trident_xsec`, then E uniform in the segment above threshold;
* the phase-space point x in [0,1)^6 (s_hat, Q^2 and the four leptonic variables of
  :mod:`darkbeam.physics.trident_integral`) from a vegas map adapted on the same integrand that the
  cross section integrates, once per logarithmic energy bin (at the bin's geometric-mean energy), and
  evaluated at each event's own energy;
* the weight POT x N_nuclei x Phi(E)/q(E) x sigma_hat(E, x), sigma_hat = [C_V(t)^2 VV + C_A^2 AA +
  2 C_V(t) C_A VA](E, x) x dx/dy the integrand times the map's Jacobian, so that E[sum w] = POT x N x
  int Phi(E) sigma(E) dE.  A vector Z' enters only through C_V(t) = C_V^SM + g_nu g_l/(sqrt2 G_F
  (m_Z'^2 - t)) (physics/trident_channels.py), t = (k1 - k2)^2 on the neutrino line: the sampling (E and
  the vegas maps) is that of the Standard Model whatever the model, and the three parts w_vv, w_aa,
  w_va of the weight and t are kept per event, so that :func:`reweight` to any other Z' coupling (or
  mass, or none) gives exactly the weights that generating with the same seed gives.  Unlike nu-e/CEvNS events the weights are NOT rescaled to the quadrature:
  sum(w) is an independent Monte Carlo estimate of the rate (``mc_events``, ``mc_err``), compared with
  the quadrature of flux x tabulated sigma (``events``) in ``meta["summary"]``.

Kinematics: the leptonic point (nu gamma* rest frame, photon along +z) is rotated by a uniform azimuth
about the photon axis (the integrand is the azimuthal average: only c_T L_T + c_L L_L enter) and
boosted to the lab, where the nucleus is at rest and the neutrino moves along +z; the photon has
q0 = -Q^2/(2M) (elastic recoil), q_z = q0 - (s_hat + Q^2)/(2E) and a uniform azimuth.  Diffractive
events recoil on a proton or a neutron, drawn per point with the probability of its part of the
hadronic tensor (:func:`_split_nucleons`).  Interaction vertices are uniform in the experiment's target
volume (``Experiment.target_volume``, as for upscattering events), at the time t = |vertex - production
point|/c of the neutrino's flight from where it was made (the experiment's production model; t = 0 at the
neutrino's production, as for upscattering events; no bunch structure: :mod:`darkbeam.detectors.arrival`).
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.errors import ConfigurationError, KinematicsError

__all__ = ["simulate_trident", "lab_kinematics", "to_eventset", "reweight", "channel_zprime"]


def _boost(v, b):
    """Boost four-vectors v (n, 4) by velocity b (n, 3) (a particle at rest gets velocity b)."""
    b2 = np.sum(b * b, axis=1)
    g = 1.0 / np.sqrt(1.0 - b2)
    bp = np.sum(b * v[:, 1:], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(b2 > 0, (g - 1.0) * bp / np.where(b2 > 0, b2, 1.0), 0.0) + g * v[:, 0]
    out = np.empty_like(v)
    out[:, 0] = g * (v[:, 0] + bp)
    out[:, 1:] = v[:, 1:] + f[:, None] * b
    return out


def lab_kinematics(E, s_hat, Q2, M: float, pt, rng: np.random.Generator):
    """Lab four-momenta (n, 4) of (incoming nu, outgoing nu, l1-, l2+, recoil) from a leptonic point
    ``pt`` of :func:`darkbeam.physics.trident_leptonic.leptonic_point` at (E, s_hat, Q2) on mass M."""
    n = E.size
    q0 = -Q2 / (2.0 * M)
    qz = q0 - (s_hat + Q2) / (2.0 * E)
    qT = np.sqrt(np.maximum(q0 * q0 + Q2 - qz * qz, 0.0))
    phi = rng.uniform(0.0, 2.0 * math.pi, n)
    k1 = np.zeros((n, 4))
    k1[:, 0], k1[:, 3] = E, E
    q = np.column_stack([q0, qT * np.cos(phi), qT * np.sin(phi), qz])
    L = k1 + q
    beta = L[:, 1:] / L[:, :1]
    k1s = _boost(k1, -beta)
    ez = -k1s[:, 1:] / np.linalg.norm(k1s[:, 1:], axis=1)[:, None]
    ref = np.zeros((n, 3))
    use_x = np.abs(ez[:, 0]) < 0.9
    ref[use_x, 0], ref[~use_x, 1] = 1.0, 1.0
    u = np.cross(ez, ref)
    u /= np.linalg.norm(u, axis=1)[:, None]
    psi = rng.uniform(0.0, 2.0 * math.pi, n)
    w = np.cross(ez, u)
    ex = np.cos(psi)[:, None] * u + np.sin(psi)[:, None] * w
    ey = np.cross(ez, ex)

    def to_lab(v):
        v = np.column_stack([np.broadcast_to(np.asarray(c, dtype=float), (n,)) for c in v])
        star = np.column_stack([v[:, 0], v[:, 1:2] * ex + v[:, 2:3] * ey + v[:, 3:4] * ez])
        return _boost(star, beta)

    P = np.zeros((n, 4))
    P[:, 0] = M
    return k1, to_lab(pt["k2"]), to_lab(pt["p1"]), to_lab(pt["p2"]), P - q


def _energy_bins(E, n_bins: int):
    """Index of each energy in ``n_bins`` logarithmic bins spanning the drawn energies, and the edges."""
    top = E.max() * (1.0 + 1e-12)
    edges = np.geomspace(E.min(), top, n_bins + 1) if top > E.min() else np.array([E.min(), top + 1e-12])
    idx = np.clip(np.searchsorted(edges, E, side="right") - 1, 0, edges.size - 2)
    return idx, edges


def _model_params(params):
    from darkbeam.models.parameters import ModelParameters

    if params is None:
        return ModelParameters.from_dict({"name": "standard_model"})
    return params if isinstance(params, ModelParameters) else ModelParameters.from_dict(dict(params))


def channel_zprime(params, ch):
    """The :class:`~darkbeam.physics.trident_channels.ZPrimeCouplings` of the model ``params`` (a
    ModelParameters or its dict) for trident channel ``ch``, or None for the Standard Model; a Z' of a
    charge other than the lepton-flavour U(1)s of trident_channels.LEPTON_CHARGES is refused."""
    from darkbeam.physics.trident_channels import LEPTON_CHARGES, zprime_for_channel

    params = _model_params(params)
    if not params.has_zprime:
        return None
    if params.zprime_charge not in LEPTON_CHARGES:
        raise ConfigurationError(f"tridents take a Z' of {', '.join(LEPTON_CHARGES)} (zprime_charge), not "
                                 f"'{params.zprime_charge}'")
    return zprime_for_channel(ch, params.zprime_charge, float(params.gX), float(params.mzprime))


def _combine(parts, t, cv: float, ca: float, zprime):
    """w = C_V(t)^2 w_vv + C_A^2 w_aa + 2 C_V(t) C_A w_va with C_V(t) = cv + the Z' shift at t."""
    cvt = cv + (zprime.delta_cv(t) if zprime is not None and zprime.product != 0.0 else 0.0)
    return cvt * cvt * parts[0] + ca * ca * parts[1] + 2.0 * cvt * ca * parts[2]


def _split_nucleons(sampler, x, pieces, cv: float, ca: float, rng):
    """Diffractive events: the struck nucleon of each point, a proton with probability f_p = w_p/(w_p + w_n)
    (the SM weights of the protons' and neutrons' parts of the hadronic tensor at that point, both
    evaluated; the integrand is linear in them), and the pieces of the chosen nucleon divided by its
    probability, so that every expectation (any Z' included) is unchanged and the SM weight of the
    point is exactly w_p + w_n.  Returns (pieces (3, n), PDG codes 2212/2112 (n,))."""
    pp = sampler.evaluate_points(x, "p")[0]
    pn = sampler.evaluate_points(x, "n")[0]

    def sm(p):
        return cv * cv * p[0] + ca * ca * p[1] + 2.0 * cv * ca * p[2]
    wp, wn = sm(pp), sm(pn)
    tot = wp + wn
    fp = np.clip(np.where(tot > 0, wp / np.where(tot > 0, tot, 1.0), 1.0), 0.0, 1.0)
    proton = rng.random(fp.size) < fp
    out = np.where(proton[None, :], pp / np.where(fp > 0, fp, 1.0)[None, :],
                   pn / np.where(fp < 1, 1.0 - fp, 1.0)[None, :])
    return out, np.where(proton, 2212, 2112)


def simulate_trident(experiment, channel: str, *, regime: str = "coherent", n: int = 10_000,
                     rng: np.random.Generator, neval: int = 4000, nitn: int = 5, n_bins: int = 4, seed=None,
                     params=None) -> dict:
    """Weighted trident events of ``channel`` at ``experiment`` (catalog keyword or Experiment), ``n`` per
    target nucleus (module docstring).  ``neval``, ``nitn``: vegas points per iteration and iterations
    of each map adaptation; ``n_bins``: logarithmic energy bins, one adapted map each; ``params``: the
    model (ModelParameters or dict; default the Standard Model), whose Z' of a lepton-flavour charge
    enters the weights only (module docstring).

    Returns a dict of arrays (concatenated over the targets): ``target`` (index into ``targets``),
    ``w`` (events), ``E``, ``s_hat``, ``Q2`` (GeV, GeV^2), four-momenta (n, 4) ``p_nu``, ``p_nu_out``,
    ``p_l1`` (negative lepton), ``p_l2`` (positive lepton), ``p_recoil``, the weight parts ``w_vv``,
    ``w_aa``, ``w_va`` and ``t_nu`` (GeV^2), ``vertex`` (n, 4: x, y, z in cm, t in ns) and ``nucleon``
    (diffractive: 2212 or 2112, the struck nucleon; coherent: 0); and ``targets``, ``summary``, ``meta``."""
    from darkbeam.detectors.arrival import beam_interaction_times
    from darkbeam.detectors.catalog import Experiment, load_experiment
    from darkbeam.physics.trident import E_MAX, threshold_energy, trident_xsec
    from darkbeam.physics.trident_channels import channel as get_channel
    from darkbeam.physics.trident_hadronic import HadronicTarget
    from darkbeam.physics.trident_integral import EnergyArraySampler, PointSampler, adapted_map, sample_map
    from darkbeam.processes.cases import experiment_flux
    from darkbeam.processes.rare_scatter import _segment_table
    from darkbeam.units import HBARC2_GEV2_CM2

    n = int(n)
    if n < 2:
        raise ConfigurationError(f"n must be at least 2 events per target, got {n}")
    for v, what in ((neval, "neval"), (nitn, "nitn"), (n_bins, "n_bins")):
        if int(v) < 1:
            raise ConfigurationError(f"{what} must be a positive integer, got {v}")
    ch = get_channel(channel)
    params = _model_params(params)
    zprime = channel_zprime(params, ch)
    if zprime is not None and ch.pair_flavour is None:
        raise ConfigurationError(f"a flavour-diagonal Z' does not contribute to the charged-current channel '{ch.name}'")
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    flux = experiment_flux(exp)
    production = exp.production_model(warn=False)
    f = ch.nu_in
    if f not in flux.flavours:
        raise ConfigurationError(f"no {f} flux at {exp.keyword} (it has {', '.join(flux.flavours)})")
    cv, ca = ch.sm_couplings()
    pot = exp.pot
    out, summary, targets = {}, [], []
    for tg in exp.targets:
        htg = HadronicTarget(tg.name, regime)
        M = htg.M
        count = tg.n_nuclei

        def sig(E, name=tg.name, zp=None):
            E = np.asarray(E, dtype=float)
            if E.size and E.max() > E_MAX:
                raise KinematicsError(f"{exp.keyword}: the {f} flux reaches {E.max():.4g} GeV, beyond the trident "
                                      f"tables (E <= {E_MAX:g} GeV)")
            return trident_xsec(np.maximum(E, 1e-9), channel=ch.name, regime=regime, target=name,
                                zprime=zp) if E.size else E

        def sig_model(E, name=tg.name):  # the generated model's sigma (the sampling uses the SM's, sig)
            return sig(E, name, zprime)

        a, b, I, lineE, linePhi, L = _segment_table(flux, f, sig)
        total = float(I.sum() + L.sum())
        name = f"{ch.name} on {tg.name} ({regime})"
        if not total > 0:
            summary.append({"case": name, "events": 0.0, "note": "below threshold for the whole flux"})
            continue
        P = np.concatenate([I, L]) / total
        k = rng.choice(P.size, size=n, p=P)
        on_seg = k < I.size
        ks = k[on_seg]
        e_thr = threshold_energy(ch.m1, ch.m2, M)
        lo = np.maximum(a, e_thr)
        E = np.empty(n)
        E[on_seg] = lo[ks] + (b[ks] - lo[ks]) * rng.random(ks.size)
        E[~on_seg] = lineE[k[~on_seg] - I.size]
        wE = np.empty(n)
        wE[on_seg] = flux(E[on_seg], f) * (b[ks] - lo[ks]) / P[ks]
        wE[~on_seg] = linePhi[k[~on_seg] - I.size] / P[k[~on_seg]]
        idx, edges = _energy_bins(E, int(n_bins))
        x = np.empty((n, 6))
        jac = np.empty(n)
        for j in range(edges.size - 1):
            sel = idx == j
            if not sel.any():
                continue
            Ec = math.sqrt(max(E[sel].min(), e_thr) * E[sel].max())
            amap = adapted_map(PointSampler(Ec, ch.m1, ch.m2, ch.antineutrino, htg), int(neval), int(nitn), rng)
            x[sel], jac[sel] = sample_map(amap, int(sel.sum()), rng)
        sampler = EnergyArraySampler(E, ch.m1, ch.m2, ch.antineutrino, htg)
        pieces, s_hat, Q2, pt = sampler.evaluate_points(x)
        nucleon = np.zeros(n, dtype=np.int64)
        if regime == "diffractive":
            pieces, nucleon = _split_nucleons(sampler, x, pieces, cv, ca, rng)
        vertex = np.zeros((n, 4))
        vertex[:, :3] = exp.target_volume.sample(n, rng)  # uniform in the target volume, as upscattering
        # each draw estimates the rate: the mean is the sum / n
        parts = pieces * (count * pot * wE * jac * HBARC2_GEV2_CM2 / n)[None, :]
        t_nu = np.asarray(pt["t"], dtype=float) * np.ones(n)
        raw = _combine(parts, t_nu, cv, ca, zprime)
        moms = lab_kinematics(E, s_hat, Q2, M, pt, rng)
        # t: the neutrino's flight from its production point (docs/tridents.md, "Events"; drawn after the
        # kinematics, so that these do not depend on the production model)
        vertex[:, 3] = beam_interaction_times(production, E, vertex[:, :3], rng)
        mc = float(raw.sum())
        mc_err = float(math.sqrt(n * np.var(raw, ddof=1)))
        # points outside the physical region carry no weight (the integrand vanishes there) and no
        # kinematics: they are dropped (the sum and its error are those of all n draws)
        keep = (raw > 0) & np.isfinite(raw)
        if not keep.any():
            raise KinematicsError(f"{name}: vanishing weights")
        rate = total * count * pot if zprime is None else flux.fold(sig_model, f) * count * pot
        fine = flux.fold(sig_model, f, order=16) * count * pot
        summary.append({"case": name, "events": rate, "quadrature_err": abs(fine - rate), "mc_events": mc,
                        "mc_err": mc_err, "n": n, "n_kept": int(keep.sum()),
                        "n_eff": float(mc * mc / np.sum(raw[keep] ** 2))}
                       | ({"proton_fraction": float(raw[nucleon == 2212].sum() / mc)} if regime == "diffractive" else {}))
        targets.append({"name": tg.name, "n_nuclei": count, "mass": M})
        for key, val in (("target", np.full(n, len(targets) - 1)), ("w", raw), ("E", E), ("s_hat", s_hat), ("Q2", Q2),
                         ("w_vv", parts[0]), ("w_aa", parts[1]), ("w_va", parts[2]), ("t_nu", t_nu),
                         ("p_nu", moms[0]), ("p_nu_out", moms[1]), ("p_l1", moms[2]), ("p_l2", moms[3]),
                         ("p_recoil", moms[4]), ("vertex", vertex), ("nucleon", nucleon)):
            out.setdefault(key, []).append(val[keep])
    if not out:
        raise KinematicsError(f"no {ch.name} events at {exp.keyword}: the flux is below threshold")
    res = {k: np.concatenate(v) for k, v in out.items()}
    res.update(targets=targets, summary=summary,
               meta={"process": "trident", "channel": ch.name, "regime": regime, "experiment": exp.keyword,
                     "model": params.model_dump(exclude_none=True), "sm_couplings": [cv, ca],
                     "caveats": [str(flux.meta["fallback"])] if flux.meta.get("fallback") else [],
                     "time_origin": "t = 0 at the neutrino's production (flight from the production point at c; "
                                    "no bunch structure)",
                     "exposure_pot": pot, "seed": seed, "events_per_target": n, "vegas": [int(neval), int(nitn), int(n_bins)],
                     "total_events": float(sum(s["events"] for s in summary)),
                     # NuHepMC G.R.5: events / (POT x nuclei x the incoming flavour's integrated flux)
                     "flux_averaged_xsec_cm2": float(sum(s["events"] for s in summary))
                     / (pot * sum(t["n_nuclei"] for t in targets) * flux.integrate(f)),
                     "mc_total_events": float(res["w"].sum())})
    return res


#: PDG codes of the charged leptons by flavour: (negative, positive)
_LEPTON_PDG = {"e": (11, -11), "mu": (13, -13), "tau": (15, -15)}
_NU_PDG = {"nu_e": 12, "nu_mu": 14, "nu_tau": 16, "nu_e_bar": -12, "nu_mu_bar": -14, "nu_tau_bar": -16}


def to_eventset(res: dict):
    """The events of :func:`simulate_trident` as :class:`~darkbeam.events.ScatterEvents` of process
    ``"trident"`` (docs/tridents.md, "Events"): the incoming neutrino (``projectile``), the outgoing
    neutrino (``scattered``), the pair l1- (``pair1``) and l2+ (``pair2``) and the recoiling nucleus
    (``coherent``) or nucleon (``diffractive``) (``recoil``), all final-state particles; ``Q2`` is the
    photon virtuality -(p_target - p_recoil)^2 and ``w`` the event weight."""
    from darkbeam.events.scatter_schema import ScatterCase
    from darkbeam.events.scattering import ScatterEvents
    from darkbeam.physics.nuclear import nucleus
    from darkbeam.physics.trident_channels import channel as get_channel
    from darkbeam.processes.rare_scatter import _nucleus_pdg

    meta = res["meta"]
    ch = get_channel(meta["channel"])
    nu_in, nu_out = _NU_PDG[ch.nu_in], _NU_PDG[ch.nu_out]
    lm, lp = _LEPTON_PDG[ch.l1][0], _LEPTON_PDG[ch.l2][1]
    regime = meta["regime"]
    cases = []
    for tg in res["targets"]:
        # coherent: the nucleus; diffractive: the struck nucleon (proton, then neutron), of mass M_N
        for pdg, tag in (((2212, ", p"), (2112, ", n")) if regime == "diffractive"
                         else ((_nucleus_pdg(nucleus(tg["name"])), ""),)):
            cases.append(ScatterCase(name=f"{ch.name} on {tg['name']} ({regime}{tag})", process="trident",
                                     projectile=nu_in, target=pdg, scattered=nu_out, recoil=pdg, m_target=tg["mass"],
                                     m_recoil=tg["mass"], pair=(lm, lp), m_pair=(ch.m1, ch.m2), regime=regime,
                                     description="neutrino trident nu A -> nu l- l+ A (SM and a vector Z'), full 2 -> 4 "
                                                 "cross section of Ballett et al. arXiv:1807.10973 sec. 2 "
                                                 "(docs/tridents.md)"))
    vtx = res["vertex"]
    case = res["target"] if regime != "diffractive" else 2 * res["target"] + (res["nucleon"] == 2112)
    cols = {"case": case, "w": res["w"], "Q2": res["Q2"], **{k: vtx[:, j] for j, k in enumerate("xyzt")}}
    for k in ("w_vv", "w_aa", "w_va", "t_nu"):
        cols[k] = res[k]
    for role, key in (("projectile", "p_nu"), ("scattered", "p_nu_out"), ("pair1", "p_l1"), ("pair2", "p_l2"),
                      ("recoil", "p_recoil")):
        for j, c in enumerate("xyz"):
            cols[f"{role}_p{c}"] = res[key][:, 1 + j]
    return ScatterEvents(cols, cases, {k: v for k, v in meta.items()} | {"summary": res["summary"]})


def reweight(events, new):
    """Trident events (:class:`~darkbeam.events.ScatterEvents` of :func:`to_eventset`) at the Z' of
    ``new`` (ModelParameters, or a mapping of changes to ``meta["model"]`` such as ``{"gX": 3e-4}``;
    ``{"gX": 0}`` or the Standard Model removes the Z'): w = C_V(t)^2 w_vv + C_A^2 w_aa + 2 C_V(t) C_A
    w_va from the stored parts and t_nu, exactly the weights of generating the new model with the same
    seed (the sampling does not depend on the model; module docstring).  The Z' mass may change too;
    check the Kish n_eff for a light one."""
    from darkbeam.models.parameters import ModelParameters
    from darkbeam.physics.trident_channels import channel as get_channel

    if events.meta.get("process") != "trident" or not getattr(events, "has_amplitudes", False):
        raise ConfigurationError("reweight: not a trident event set with the amplitude parts w_vv, w_aa, w_va")
    old = events.meta.get("model", {"name": "standard_model"})
    params = new if isinstance(new, ModelParameters) else ModelParameters.from_dict({**old, **dict(new)})
    ch = get_channel(events.meta["channel"])
    zprime = channel_zprime(params, ch)
    cv, ca = events.meta["sm_couplings"]
    c = events.columns
    w = _combine((c["w_vv"], c["w_aa"], c["w_va"]), c["t_nu"], cv, ca, zprime)
    if not np.isfinite(w).all():
        raise ConfigurationError("reweight: the new model gives non-finite trident weights")
    w = np.maximum(w, 0.0)  # |M|^2 >= 0 at every point: only rounding can go below
    meta = {"model": params.model_dump(exclude_none=True), "reweight": {"from_model": old},
            "summary": None, "total_events": None, "mc_total_events": float(w.sum())}
    return events.with_weights(w=w).with_meta(**meta)
