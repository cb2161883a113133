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
* the weight POT x N_nuclei x Phi(E)/q(E) x sigma_hat(E, x), sigma_hat = [C_V^2 VV + C_A^2 AA +
  2 C_V C_A VA](E, x) x dx/dy the integrand times the map's Jacobian, so that E[sum w] = POT x N x
  int Phi(E) sigma(E) dE.  Unlike nu-e/CEvNS events the weights are NOT rescaled to the quadrature:
  sum(w) is an independent Monte Carlo estimate of the rate (``mc_events``, ``mc_err``), compared with
  the quadrature of flux x tabulated sigma (``events``) in ``meta["summary"]``.

Kinematics: the leptonic point (nu gamma* rest frame, photon along +z) is rotated by a uniform azimuth
about the photon axis (the integrand is the azimuthal average: only c_T L_T + c_L L_L enter) and
boosted to the lab, where the nucleus is at rest and the neutrino moves along +z; the photon has
q0 = -Q^2/(2M) (elastic recoil), q_z = q0 - (s_hat + Q^2)/(2E) and a uniform azimuth.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.errors import ConfigurationError, KinematicsError

__all__ = ["simulate_trident", "lab_kinematics"]


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


def simulate_trident(experiment, channel: str, *, regime: str = "coherent", n: int = 10_000,
                     rng: np.random.Generator, neval: int = 4000, nitn: int = 5, n_bins: int = 4, seed=None) -> dict:
    """Weighted trident events of ``channel`` at ``experiment`` (catalog keyword or Experiment), ``n`` per
    target nucleus (module docstring).  ``neval``, ``nitn``: vegas points per iteration and iterations
    of each map adaptation; ``n_bins``: logarithmic energy bins, one adapted map each.

    Returns a dict of arrays (concatenated over the targets): ``target`` (index into ``targets``),
    ``w`` (events), ``E``, ``s_hat``, ``Q2`` (GeV, GeV^2), four-momenta (n, 4) ``p_nu``, ``p_nu_out``,
    ``p_l1`` (negative lepton), ``p_l2`` (positive lepton), ``p_recoil``; and ``targets``, ``summary``,
    ``meta``."""
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
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    flux = experiment_flux(exp)
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

        def sig(E, name=tg.name):
            E = np.asarray(E, dtype=float)
            if E.size and E.max() > E_MAX:
                raise KinematicsError(f"{exp.keyword}: the {f} flux reaches {E.max():.4g} GeV, beyond the trident "
                                      f"tables (E <= {E_MAX:g} GeV)")
            return trident_xsec(np.maximum(E, 1e-9), channel=ch.name, regime=regime, target=name) if E.size else E

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
        pieces, s_hat, Q2, pt = EnergyArraySampler(E, ch.m1, ch.m2, ch.antineutrino, htg).evaluate_points(x)
        sigma_hat = (cv * cv * pieces[0] + ca * ca * pieces[1] + 2.0 * cv * ca * pieces[2]) * jac * HBARC2_GEV2_CM2
        raw = count * pot * wE * sigma_hat / n  # each draw estimates the rate: the mean is the sum / n
        moms = lab_kinematics(E, s_hat, Q2, M, pt, rng)
        mc = float(raw.sum())
        mc_err = float(math.sqrt(n * np.var(raw, ddof=1)))
        # points outside the physical region carry no weight (the integrand vanishes there) and no
        # kinematics: they are dropped (the sum and its error are those of all n draws)
        keep = (raw > 0) & np.isfinite(raw)
        if not keep.any():
            raise KinematicsError(f"{name}: vanishing weights")
        rate = total * count * pot
        fine = flux.fold(sig, f, order=16) * count * pot
        summary.append({"case": name, "events": rate, "quadrature_err": abs(fine - rate), "mc_events": mc,
                        "mc_err": mc_err, "n": n, "n_kept": int(keep.sum()),
                        "n_eff": float(mc * mc / np.sum(raw[keep] ** 2))})
        targets.append({"name": tg.name, "n_nuclei": count, "mass": M})
        for key, val in (("target", np.full(n, len(targets) - 1)), ("w", raw), ("E", E), ("s_hat", s_hat), ("Q2", Q2),
                         ("p_nu", moms[0]), ("p_nu_out", moms[1]), ("p_l1", moms[2]), ("p_l2", moms[3]),
                         ("p_recoil", moms[4])):
            out.setdefault(key, []).append(val[keep])
    if not out:
        raise KinematicsError(f"no {ch.name} events at {exp.keyword}: the flux is below threshold")
    res = {k: np.concatenate(v) for k, v in out.items()}
    res.update(targets=targets, summary=summary,
               meta={"process": "trident", "channel": ch.name, "regime": regime, "experiment": exp.keyword,
                     "caveats": ["interaction vertices are not sampled in the detector: the vertex columns hold the "
                                 "origin (0, 0, 0, 0)"] + (["diffractive recoils are written as protons (proton and "
                                                             "neutron are not told apart)"] if regime == "diffractive" else []),
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
        pdg = 2212 if regime == "diffractive" else _nucleus_pdg(nucleus(tg["name"]))
        cases.append(ScatterCase(name=f"{ch.name} on {tg['name']} ({regime})", process="trident", projectile=nu_in,
                                 target=pdg, scattered=nu_out, recoil=pdg, m_target=tg["mass"], m_recoil=tg["mass"],
                                 pair=(lm, lp), m_pair=(ch.m1, ch.m2), regime=regime,
                                 description="SM neutrino trident nu A -> nu l- l+ A, full 2 -> 4 cross section of "
                                             "Ballett et al. arXiv:1807.10973 sec. 2 (docs/tridents.md)"))
    n = res["w"].size
    vtx = res.get("vertex", np.zeros((n, 4)))
    cols = {"case": res["target"], "w": res["w"], "Q2": res["Q2"], **{k: vtx[:, j] for j, k in enumerate("xyzt")}}
    for role, key in (("projectile", "p_nu"), ("scattered", "p_nu_out"), ("pair1", "p_l1"), ("pair2", "p_l2"),
                      ("recoil", "p_recoil")):
        for j, c in enumerate("xyz"):
            cols[f"{role}_p{c}"] = res[key][:, 1 + j]
    return ScatterEvents(cols, cases, {k: v for k, v in meta.items()} | {"summary": res["summary"]})
