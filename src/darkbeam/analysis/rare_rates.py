"""Event rates of rare neutrino scattering: flux x sigma x targets x exposure x efficiency.

* :func:`nu_e_events`: neutrino-electron elastic scattering at a catalog experiment (its flux file,
  POT and target masses; electrons = sum over nuclei of Z), with an electron-recoil window and a
  flat efficiency.
* :func:`recoil_spectrum`: dN/dT per target per POT for any flux and either process;
* :func:`cevns_events`: CEvNS at a pi-DAR detector of :mod:`darkbeam.detectors.cevns_detectors`
  (SNS source of :mod:`darkbeam.sources.dar` at the detector's distance and nu/flavour/POT; quenching,
  threshold and efficiency of the detector).

Published numbers these reproduce are in :data:`PUBLISHED` and in docs/rare_scattering.md
(benchmarks/bench_rare_xsec.py prints the comparison).
"""

from __future__ import annotations

from typing import Iterable, Optional

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError

#: published event counts (value, error) and where they come from
PUBLISHED = {
    "charmii_fhc": ((2677.0, 82.0), "CHARM-II nu_mu e, Vilain et al., Phys. Lett. B 335, 246 (1994)"),
    "charmii_rhc": ((2752.0, 88.0), "CHARM-II nu_mu_bar e, Vilain et al., Phys. Lett. B 335, 246 (1994)"),
}
#: CHARM-II electron-recoil window in GeV (the 3-24 GeV shower-energy range of its nu-e selection,
#: Vilain et al. 1994; quoted from memory, flagged in docs/rare_scattering.md)
CHARMII_WINDOW = (3.0, 24.0)


def nu_e_events(experiment, *, mediator=None, sw2: Optional[float] = None, t_min: float = 0.0,
                t_max: Optional[float] = None, efficiency: float = 1.0, flavours: Optional[Iterable[str]] = None,
                flux=None, radiative: str = "none") -> dict[str, float]:
    """Expected nu e -> nu e events per flavour and in total ('total') at ``experiment`` (a catalog
    :class:`~darkbeam.detectors.catalog.Experiment` or its keyword).

    ``t_min``, ``t_max``: electron recoil window (GeV); ``efficiency``: flat selection efficiency;
    ``flux``: override the experiment's flux (nu/cm^2/GeV/POT); ``radiative``: "none", "ew" or "full"
    (:mod:`darkbeam.physics.nu_electron_radiative`; ``sw2`` None picks 0.23857 at tree level, MSbar(M_Z)
    with the corrections)."""
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.physics.nu_electron import NuElectronXsec
    from darkbeam.processes.cases import experiment_flux

    exp = load_experiment(experiment) if isinstance(experiment, str) else experiment
    if not (0.0 <= efficiency <= 1.0):
        raise ConfigurationError(f"efficiency {efficiency} must lie in [0, 1]")
    fl = flux if flux is not None else experiment_flux(exp)
    electrons = sum(t.n_nuclei * t.Z for t in exp.targets)
    out: dict[str, float] = {}
    for f in flavours or fl.flavours:
        x = NuElectronXsec(f, mediator, sw2, radiative=radiative)
        per_e = fl.fold(lambda E, x=x: x.sigma(E, t_min=t_min, t_max=t_max) if E.size else E, f)
        out[f] = per_e * electrons * exp.pot * efficiency
    out["total"] = sum(out.values())
    return out


def cevns_events(detector, *, mediator=None, scalar=None, magnetic_moment: float = 0.0, sw2: float = C.SW2_LOW_Q2,
                 form_factor: str = "helm", with_response: bool = True, radiative: str = "none") -> dict[str, float]:
    """Expected CEvNS events at a pi-DAR detector (name or
    :class:`~darkbeam.detectors.cevns_detectors.CEvNSDetector`), per flavour and 'total'.

    ``with_response``: apply the detector's threshold and efficiency (else every recoil counts);
    ``radiative``: "none" (tree level) or "ew" (:mod:`darkbeam.physics.cevns_radiative`)."""
    from darkbeam.detectors.cevns_detectors import cevns_detector
    from darkbeam.physics.cevns import CEvNSXsec
    from darkbeam.sources.dar import dar_config

    det = cevns_detector(detector) if isinstance(detector, str) else detector
    fl = dar_config("coherent").flux("pi", distance_m=det.distance_m, stopped_per_pot=det.nu_per_flavour_per_pot)
    t_min = det.threshold_keVnr * 1e-6 if with_response else 0.0
    eff = det.efficiency_gev if with_response else None
    if magnetic_moment and not with_response:
        raise ConfigurationError("a neutrino magnetic moment needs the detector threshold (with_response=True)")
    out: dict[str, float] = {f: 0.0 for f in fl.flavours}
    for nuc, n in det.n_nuclei().items():
        for f in fl.flavours:
            x = CEvNSXsec(nuc, f, mediator=mediator, scalar=scalar, magnetic_moment=magnetic_moment, sw2=sw2,
                          form_factor=form_factor, radiative=radiative)
            per = fl.fold(lambda E, x=x: x.sigma(E, t_min=t_min, efficiency=eff) if E.size else E, f)
            out[f] += per * n * det.pot
    out["total"] = sum(out.values())
    return out


def recoil_spectrum(flux, T, make_xsec, flavours: Optional[Iterable[str]] = None, *, order: int = 8) -> "np.ndarray":
    """Recoil spectrum dN/dT (per target per POT per GeV) at recoils ``T`` (GeV) for a flux
    (nu/cm^2/GeV/POT; lines included) and a cross-section factory ``make_xsec(flavour)`` returning a
    :class:`~darkbeam.physics.nu_electron.NuElectronXsec` or :class:`~darkbeam.physics.cevns.CEvNSXsec`
    (e.g. ``lambda f: CEvNSXsec("Cs133", f)``), summed over ``flavours`` (default: all of the flux).

    The energy integral is the rule of ``Flux.fold`` (``order``-point Gauss-Legendre on each segment
    between the flux nodes, plus the lines), evaluated for all recoils at once."""
    import numpy as np

    T = np.atleast_1d(np.asarray(T, dtype=float))
    if np.any(~np.isfinite(T)) or np.any(T <= 0):
        raise ConfigurationError("recoil energies must be finite and > 0 GeV")
    x01, w01 = np.polynomial.legendre.leggauss(order)
    x01, w01 = 0.5 * (x01 + 1.0), 0.5 * w01
    nodes = np.asarray(flux.energies, dtype=float)
    a, b = nodes[:-1], nodes[1:]
    E = (a[:, None] + (b - a)[:, None] * x01[None, :]).ravel()
    W = ((b - a)[:, None] * w01[None, :]).ravel()
    keep = E > 0
    E, W = E[keep], W[keep]
    out = np.zeros(T.shape)
    for f in flavours or flux.flavours:
        x = make_xsec(f)
        weights = W * flux(E, f)
        energies = E
        lines = [(e, phi) for e, phi in flux.lines.get(f, ()) if e > 0]
        if lines:
            energies = np.concatenate([E, [e for e, _ in lines]])
            weights = np.concatenate([weights, [phi for _, phi in lines]])
        use = weights != 0
        if np.any(use):
            out += weights[use] @ x.dsigma_dT(energies[use][:, None], T[None, :])
    return out
