"""Test doubles for the meson-decay tests: hand-written production channels and analytic parents.

Only for tests: the real channels (physics.production) and parents (sources.parents) are built
elsewhere.  K+ -> mu+ N4 with an isotropic two-body sampler; a three-body K+ -> pi0 mu+ N4 with a
weighted flat phase-space sampler; monochromatic kaons along z; kaons at rest at a point.
"""

from __future__ import annotations

import dataclasses
import math
from types import MappingProxyType

import numpy as np

from darkbeam.physics.particles import mass_of
from darkbeam.physics.production.channel import ProductionChannel, RestFrameSample
from darkbeam.sources.parents.sample import ParentSample

M_K, M_MU, M_PI0 = mass_of("K+"), mass_of("mu+"), mass_of("pi0")


def two_body_p(M, m1, m2):
    """Rest-frame momentum of a two-body decay, sqrt(lambda(M^2, m1^2, m2^2))/(2M)."""
    return math.sqrt((M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2)) / (2 * M)


def _iso(rng, n):
    c = rng.uniform(-1.0, 1.0, n)
    ph = rng.uniform(0.0, 2 * np.pi, n)
    s = np.sqrt(1 - c * c)
    return np.stack([s * np.cos(ph), s * np.sin(ph), c], axis=1)


def two_body_sampler(M, m1, m2, polarisation=0.0):
    """Isotropic M -> 1 + 2 in the rest frame; daughter 2 is the LLP."""
    p = two_body_p(M, m1, m2)

    def sample(n, rng):
        nh = _iso(rng, n)
        k = np.zeros((n, 2, 4))
        k[:, 0, 0], k[:, 0, 1:] = math.hypot(p, m1), -p * nh
        k[:, 1, 0], k[:, 1, 1:] = math.hypot(p, m2), p * nh
        return RestFrameSample(k, np.full(n, polarisation), np.ones(n))

    return sample


def three_body_sampler(M, m1, m2, m3):
    """M -> 1 + 2 + 3 flat in phase space (weighted): m12 uniform, weight proportional to
    p(M -> 12 + 3) p(12 -> 1 + 2) (dPhi_3 ~ dm12^2 p q / m12), normalised to mean 1 over the sample."""

    def sample(n, rng):
        lo, hi = m1 + m2, M - m3
        m12 = rng.uniform(lo, hi, n)
        p3 = np.array([two_body_p(M, x, m3) for x in m12])
        q = np.array([two_body_p(x, m1, m2) for x in m12])
        w = p3 * q
        w = w / w.mean()
        n3, n1 = _iso(rng, n), _iso(rng, n)
        k = np.zeros((n, 3, 4))
        k[:, 2, 0], k[:, 2, 1:] = np.sqrt(p3**2 + m3 * m3), p3[:, None] * n3
        P12 = np.concatenate([np.sqrt(p3**2 + m12**2)[:, None], -p3[:, None] * n3], axis=1)
        for j, (mj, sgn) in enumerate(((m1, 1.0), (m2, -1.0))):
            r = np.concatenate([np.sqrt(q**2 + mj * mj)[:, None], sgn * q[:, None] * n1], axis=1)
            from darkbeam.mc.fourvec import boost_from_rest

            k[:, j] = boost_from_rest(r, P12)
        return RestFrameSample(k, np.zeros(n), w)

    return sample


def k_mu_n(m4, br=1e-6, polarisation=0.0):
    return ProductionChannel("K+", ("mu+", "N4"), "N4", 1e-20, br, (("Umu4", 2),),
                             two_body_sampler(M_K, M_MU, m4, polarisation), "test double")


def k_pi0_mu_n(m4, br=1e-7):
    return ProductionChannel("K+", ("pi0", "mu+", "N4"), "N4", 1e-21, br, (("Umu4", 2),),
                             three_body_sampler(M_K, M_PI0, M_MU, m4), "test double (flat phase space)")


def kaons_along_z(n, p, rate=1e-3, beam="bnb", z=0.0):
    """n kaons of momentum p (GeV) along +z decaying at (0, 0, z): ``rate`` decays per POT in all."""
    p4 = np.tile([math.hypot(p, M_K), 0.0, 0.0, p], (n, 1))
    pos = np.tile([0.0, 0.0, z], (n, 1))
    return ParentSample("K+", p4, pos, np.zeros(n), np.full(n, rate / n), beam, "test: monochromatic kaons")


def kaons_at_rest(n, rate=1e-3, beam="bnb", at=(0.0, 0.0, 0.0)):
    p4 = np.tile([M_K, 0.0, 0.0, 0.0], (n, 1))
    return ParentSample("K+", p4, np.tile(at, (n, 1)), np.zeros(n), np.full(n, rate / n), beam,
                        "test: kaons at rest")


def experiment_with(decay_volume, *, baseline=2000.0, angle=0.0, pot=1e20):
    """SBND's catalog entry with another decay volume, baseline and off-axis angle (BNB frame)."""
    from darkbeam.detectors.catalog import load_experiment

    exp = load_experiment("sbnd")
    geo = dict(exp.geometry)
    geo["decay_volume"] = decay_volume
    return dataclasses.replace(exp, geometry=MappingProxyType(geo), baseline=baseline, off_axis_angle=angle,
                               exposure=pot, beam_frame="bnb")
