"""A narrow resonance inside a three-body Dalitz plot: pi0 -> gamma A'(*) -> gamma chi chi-bar with the A'
on shell (m_A' = 3 m_chi, alpha_D = 0.5, scalar chi: Gamma_A'/m_A' = 0.0096).  The sampler is told the
pole (ThreeBodyKinematics.poles) and clusters its envelope's bins across the peak
(darkbeam.mc.dalitz._outer_edges): no envelope violation, a usable acceptance, and the pair-mass
distribution equal to the closed-form line shape dBr/ds (physics/production/dark_matter_mesons.py,
integrated here independently in theta = atan((s - m_A'^2)/(m_A' Gamma)))."""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import stats

from darkbeam.models import ModelParameters
from darkbeam.physics.production.dark_matter_mesons import _dm_width


def _channel(m_chi=0.002, scalar=True):
    from darkbeam.models.couplings import Couplings
    from darkbeam.physics.production.dark_channels import dark_matter_channels

    p = ModelParameters.from_dict({"mchi": m_chi, "mzprime": 3 * m_chi, "epsilon": 1e-4, "alphaD": 0.5,
                                   "dm_type": "scalar" if scalar else "fermion"})
    c = Couplings(p)
    ch = next(k for k in dark_matter_channels(p, float(c.epsilon) ** 2, offshell_only=False) if k.parent == "pi0")
    return p, ch


def _cdf(s, m_p, m_a, gamma_a, m_chi, scalar):
    """CDF of dBr/ds ~ (1 - s/m_P^2)^3 sqrt(s) Gamma_chichi(sqrt s) / D(s) at s, integrated on a fine
    theta grid (ds / D(s) = dtheta / (m_a Gamma))."""
    lo, hi, mg = 4 * m_chi**2, m_p**2, m_a * gamma_a
    th = np.linspace(math.atan((lo - m_a**2) / mg), math.atan((hi - m_a**2) / mg), 400_001)
    sg = m_a**2 + mg * np.tan(th)
    rs = np.sqrt(np.clip(sg, lo, None))
    f = np.clip(1 - sg / hi, 0, None) ** 3 * rs * _dm_width(rs, m_chi, math.sqrt(4 * math.pi * 0.5), scalar)
    c = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(th))])
    return np.interp(s, sg, c / c[-1])


def test_on_shell_dark_photon_is_sampled_without_envelope_violation():
    p, ch = _channel()
    kin = ch.sampler
    assert kin.poles and kin.poles[0][2] == 0.006
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an envelope violation warns: must not happen
        smp = kin(40_000, np.random.default_rng(5))
    from darkbeam.processes.production import _dalitz

    assert _dalitz(kin).efficiency_estimate > 0.3
    k = smp.momenta
    q = k[:, 1] + k[:, 2]
    s = q[:, 0] ** 2 - np.sum(q[:, 1:] ** 2, axis=1)
    gamma_a = kin.poles[0][3]
    u = _cdf(s, kin.parent_mass, 0.006, gamma_a, 0.002, True)
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # most of the rate sits within a few widths of the pole (the narrow-width limit)
    assert np.mean(np.abs(s - 0.006**2) < 5 * 0.006 * gamma_a) > 0.8


def test_without_the_pole_the_scan_misses_the_peak():
    """Control: the same channel with no declared pole exceeds the scanned envelope (what the poles
    are for); the sample stays exact because the whole batch is redrawn, at a large cost in acceptance."""
    from darkbeam.mc.dalitz import DalitzSampler

    _, ch = _channel()
    kin = ch.sampler
    M = kin.parent_mass

    def weight(k, s3):
        P = np.zeros((k.shape[0], 4))
        P[:, 0] = M
        return kin.msq(P, k[:, 0], k[:, 1], k[:, 2])

    bare = DalitzSampler(M, kin.masses, weight)
    _, st = bare.sample(np.random.default_rng(5), np.zeros(20_000))
    with_pole = DalitzSampler(M, kin.masses, weight, poles=kin.poles)
    _, st2 = with_pole.sample(np.random.default_rng(5), np.zeros(20_000))
    assert st.max_ratio > 10 and st2.max_ratio <= 1.0
