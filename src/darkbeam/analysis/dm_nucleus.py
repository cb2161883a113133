"""Coherent chi-nucleus rates at a CEvNS detector from pi0 decays at rest (docs/dark_matter.md,
"COHERENT CsI").

darkbeam's beam models do not cover a spallation source (~1 GeV protons on mercury: the Sanford-Wang
meson production of the beam model is fitted at 12-450 GeV), so the SNS chi flux is modelled here by
its simplest ingredient: pi0 -> gamma chi chi-bar (the full Breit-Wigner three-body channel of
:func:`darkbeam.physics.production.dark_channels.dark_matter_channels`) with the pi0 *at rest*,
isotropic, at the detector's distance, ``pi0_per_pot`` pi0 per proton (an input: no SNS pi0 yield is
encoded).  The chi and chi-bar each give 1/(4 pi L^2) per decay; the rate per nucleus species is

    N = POT x pi0_per_pot x 2 Br(pi0 -> gamma chi chi-bar) / (4 pi L^2) x N_nuclei x < int dsigma/dT eps(T) dT >,

dsigma/dT of :func:`darkbeam.physics.dm_scattering.dsigma_dER_nucleus`, eps(T) and the threshold of the
CEvNS detector (:mod:`darkbeam.detectors.cevns_detectors`), the average over the chi energies of the
decay (Gauss-Legendre in log T above the threshold).  Left out: pi0 decays in flight (their boost),
pi- absorption and every other SNS source, the beam timing.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.errors import ConfigurationError

__all__ = ["coherent_events_pi0_at_rest"]


def coherent_events_pi0_at_rest(params, detector: str = "csi_2021", *, pi0_per_pot: float = 1.0, n: int = 50_000,
                                seed: int = 2, nodes: int = 48) -> float:
    """Expected coherent chi-nucleus events at CEvNS ``detector`` (its POT, distance, nuclei, threshold and
    efficiency) for chi from ``pi0_per_pot`` pi0 decaying at rest per POT (module docstring); 0 when the
    pi0 channel is closed (2 m_chi > m_pi0)."""
    from darkbeam.detectors.cevns_detectors import cevns_detector
    from darkbeam.models.couplings import Couplings
    from darkbeam.physics import dm_scattering as S
    from darkbeam.physics.nuclear import nucleus
    from darkbeam.physics.production.dark_channels import dark_matter_channels

    if not params.has_dm:
        raise ConfigurationError("the model has no dark matter: set mchi and mzprime")
    if not (math.isfinite(pi0_per_pot) and pi0_per_pot >= 0):
        raise ConfigurationError(f"pi0_per_pot must be finite and >= 0, got {pi0_per_pot}")
    det = cevns_detector(detector)
    c = Couplings(params)
    chs = [k for k in dark_matter_channels(params, float(c.epsilon) ** 2, offshell_only=False) if k.parent == "pi0"]
    if not chs or chs[0].br <= 0:
        return 0.0
    ch = chs[0]
    m = float(params.mchi)
    smp = ch.sampler(int(n), np.random.default_rng(seed))
    E = smp.momenta[:, ch.llp_index, 0]
    wt = np.asarray(smp.weight, dtype=float)
    alpha_d = (c.gD * math.cos(c.beta)) ** 2 / (4.0 * math.pi)
    x, wq = np.polynomial.legendre.leggauss(int(nodes))
    lo = det.threshold_keVnr * 1e-6
    per_chi = 0.0  # sum over species of N_nuclei x <sigma_eff>
    for name, count in det.n_nuclei().items():
        M = nucleus(name).mass
        hi = S.recoil_max(E, m, M)
        ok = hi > lo
        b = np.log(np.where(ok, hi, 2.0 * lo))
        a = math.log(lo)
        T = np.exp(a + (b - a)[:, None] * 0.5 * (x + 1.0)[None, :])
        jac = (b - a)[:, None] * T * 0.5 * wq[None, :]
        ds = S.dsigma_dER_nucleus(E[:, None], T, name, m_chi=m, m_aprime=float(params.mzprime), eps=float(c.epsilon),
                                  alpha_d=alpha_d, scalar_chi=params.dm_type == "scalar")
        sig = np.where(ok, np.sum(ds * det.efficiency_gev(T) * jac, axis=1), 0.0)
        per_chi += count * float(np.average(sig, weights=wt))
    L = det.distance_m * 100.0
    return det.pot * pi0_per_pot * 2.0 * ch.br / (4.0 * math.pi * L * L) * per_chi
