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
           "dune_flux", "y_limit", "y_limit_binned"]

#: binning variables of the spectral likelihood: T (GeV) or T theta^2 (GeV rad^2)
VARIABLES = ("T", "Ttheta2")


def beam_direction(meta) -> np.ndarray:
    """Unit vector (detector frame) from the beam-frame origin (the target) to the detector centre."""
    pl = meta["placement"]
    center, axes = np.asarray(pl["center_cm"], dtype=float), np.asarray(pl["axes"], dtype=float)
    d = center @ axes.T
    return d / np.linalg.norm(d)


def electron_observables(events):
    """(T, theta) of the recoil electrons of a dark-matter EventSet: kinetic energy (GeV) and angle (rad)
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
