"""Phase-space integration of nu A -> nu l1 l2 A at one neutrino energy (the 2 -> 4 process).

    sigma(E) = 1/(128 pi^2 M^2 E^2) int ds_hat int dQ^2 / Q^4  int dPhi_3 [c_T L_T + c_L L_L]

(docs/tridents.md eq. T2: flux 1/(4 M E), two-body phase space dQ^2/(16 pi M E) of nu T -> X T, ds_hat/(2 pi)
for the invariant mass of X = nu l l, photon propagator 1/Q^4; c_T, c_L from trident_hadronic, L_T, L_L
and dPhi_3 from trident_leptonic).  Six variables: s_hat (logarithmic between (m1 + m2)^2 and s_hat_max),
Q^2 (logarithmic between Q2_min(s_hat) and min(Q2_max, cut)) and the four leptonic ones, integrated with
vegas (G. P. Lepage, J. Comput. Phys. 27, 192 (1978); 439, 110386 (2021)): a few adaptive iterations
on the Standard-Model integrand, then frozen-grid iterations whose weighted points are binned in
t = (k1 - k2)^2 for the three coupling structures VV, AA, VA (so that any Z' can be applied after).
"""

from __future__ import annotations

import numpy as np

from darkbeam.physics.trident_hadronic import HadronicTarget, contraction_coefficients, q2_range, s_hat_max
from darkbeam.physics.trident_leptonic import leptonic_point, squared_amplitudes

#: log10 |t| bin edges (GeV^2) of the Z' histogram: 25 bins per decade from 1e-12 to 1e4
T_EDGES_LOG10 = np.linspace(-12.0, 4.0, 401)


class PointSampler:
    """Maps x in [0,1)^6 to weights (3 coupling structures) and t, for one channel and target."""

    def __init__(self, E: float, m1: float, m2: float, antineutrino: bool, target: HadronicTarget):
        self.E, self.m1, self.m2, self.anti, self.target = float(E), m1, m2, antineutrino, target
        M = target.M
        self.th = (m1 + m2) ** 2
        self.smax = float(s_hat_max(E, M))
        self.open = self.smax > self.th * (1.0 + 1e-9)

    def evaluate(self, x):
        """(pieces (3, n): the VV, AA, VA integrands including every Jacobian, in GeV^-2; t (n,))."""
        x = np.asarray(x, dtype=float)
        n = x.shape[0]
        if not self.open:
            return np.zeros((3, n)), -np.ones(n)
        M = self.target.M
        lnS = np.log(self.smax / self.th)
        s_hat = self.th * np.exp(x[:, 0] * lnS)
        jac = s_hat * lnS
        lo, hi = q2_range(self.E, s_hat, M)
        hi = np.minimum(hi, self.target.q2_cut)
        ok = hi > lo * (1.0 + 1e-12)
        lnQ = np.log(np.where(ok, hi / np.where(ok, lo, 1.0), 1.0))
        Q2 = np.where(ok, lo, 1.0) * np.exp(x[:, 1] * lnQ)
        jac = jac * Q2 * lnQ
        pt = leptonic_point(s_hat, Q2, x[:, 2:].T, self.m1, self.m2)
        amp = squared_amplitudes(pt, Q2, self.m1, self.m2, self.anti)  # (2, 3, n)
        W1, W2 = self.target.structure(Q2)
        cT, cL = contraction_coefficients(self.E, s_hat, Q2, M, W1, W2)
        pref = 1.0 / (128.0 * np.pi**2 * M * M * self.E * self.E)
        w = np.where(ok, pref * jac * pt["weight"] / (Q2 * Q2), 0.0)
        pieces = (cT * amp[0] + cL * amp[1]) * w
        pieces = np.where(np.isfinite(pieces), pieces, 0.0)
        return pieces, pt["t"]


def integrate_energy(sampler: PointSampler, neval: int = 20000, nitn_adapt: int = 6, nitn: int = 4, seed: int = 1,
                     couplings=None):
    """Binned integrals at one energy: (hist (3, nbins) in GeV^-2, total (3,), relative MC error of the
    SM-like total VV + AA).  The vegas grid is adapted on VV + AA, then frozen.

    ``couplings``: optional function t -> (C_V(t), C_A) (arrays); then a fourth value is returned, the
    same-sample integral of C_V(t)^2 VV + C_A^2 AA + 2 C_V(t) C_A VA evaluated point by point (used by
    the tests to check the t-binned Z' treatment)."""
    import vegas

    nb = T_EDGES_LOG10.size - 1
    if not sampler.open:
        return (np.zeros((3, nb)), np.zeros(3), 0.0) + ((0.0,) if couplings is not None else ())
    rng = np.random.default_rng(seed)
    integ = vegas.Integrator(6 * [[0.0, 1.0]], ran_array_generator=rng.random)

    @vegas.batchintegrand
    def f(x):
        pieces, _ = sampler.evaluate(x)
        return pieces[0] + pieces[1]

    integ(f, nitn=nitn_adapt, neval=neval)
    hists, totals, exact = [], [], 0.0
    for _ in range(nitn):
        h = np.zeros((3, nb))
        for x, wgt in integ.random_batch():
            pieces, t = sampler.evaluate(x)
            b = np.clip(np.searchsorted(T_EDGES_LOG10, np.log10(np.maximum(-t, 1e-300))) - 1, 0, nb - 1)
            for k in range(3):
                h[k] += np.bincount(b, weights=wgt * pieces[k], minlength=nb)
            if couplings is not None:
                cv, ca = couplings(t)
                exact += np.sum(wgt * (cv * cv * pieces[0] + ca * ca * pieces[1] + 2.0 * cv * ca * pieces[2])) / nitn
        hists.append(h)
        totals.append(h.sum(axis=1))
    hist = np.mean(hists, axis=0)
    tot = np.array(totals)
    sm = tot[:, 0] + tot[:, 1]
    err = float(np.std(sm, ddof=1) / np.sqrt(nitn) / max(np.mean(sm), 1e-300)) if nitn > 1 else float("nan")
    if couplings is not None:
        return hist, hist.sum(axis=1), err, float(exact)
    return hist, hist.sum(axis=1), err


class EnergyArraySampler(PointSampler):
    """:class:`PointSampler` with one neutrino energy per point (``E``: array (n,)), for event generation:
    the same integrand and Jacobians, so that pieces(E_i, x_i) averaged over x at fixed E is sigma(E)."""

    def __init__(self, E, m1: float, m2: float, antineutrino: bool, target: HadronicTarget):
        self.E, self.m1, self.m2, self.anti, self.target = np.asarray(E, dtype=float), m1, m2, antineutrino, target
        self.th = (m1 + m2) ** 2
        self.smax = s_hat_max(self.E, target.M)
        self.open = True

    def evaluate_points(self, x, nucleon: str | None = None):
        """(pieces (3, n), s_hat (n,), Q2 (n,), leptonic point dict): like ``evaluate`` with the kinematics
        kept; ``nucleon`` (``"p"``, ``"n"``; diffractive): the pieces of the protons or neutrons alone
        (the integrand is linear in the hadronic structure functions, so the two add up to the whole)."""
        x = np.asarray(x, dtype=float)
        M = self.target.M
        opened = self.smax > self.th * (1.0 + 1e-9)
        lnS = np.log(np.where(opened, self.smax / self.th, 1.0))
        s_hat = self.th * np.exp(x[:, 0] * lnS)
        jac = s_hat * lnS
        lo, hi = q2_range(self.E, s_hat, M)
        hi = np.minimum(hi, self.target.q2_cut)
        ok = opened & (hi > lo * (1.0 + 1e-12))
        lnQ = np.log(np.where(ok, hi / np.where(ok, lo, 1.0), 1.0))
        Q2 = np.where(ok, lo, 1.0) * np.exp(x[:, 1] * lnQ)
        jac = jac * Q2 * lnQ
        pt = leptonic_point(s_hat, Q2, x[:, 2:].T, self.m1, self.m2)
        amp = squared_amplitudes(pt, Q2, self.m1, self.m2, self.anti)
        W1, W2 = self.target.structure(Q2) if nucleon is None else self.target.structure(Q2, nucleon)
        cT, cL = contraction_coefficients(self.E, s_hat, Q2, M, W1, W2)
        pref = 1.0 / (128.0 * np.pi**2 * M * M * self.E * self.E)
        w = np.where(ok, pref * jac * pt["weight"] / (Q2 * Q2), 0.0)
        pieces = (cT * amp[0] + cL * amp[1]) * w
        pieces = np.where(np.isfinite(pieces), pieces, 0.0)
        return pieces, s_hat, Q2, pt


def adapted_map(sampler: PointSampler, neval: int, nitn: int, rng: np.random.Generator):
    """The vegas map adapted (``nitn`` iterations of ``neval`` points) on the SM-like VV + AA integrand of
    ``sampler`` at its energy, as :func:`integrate_energy` does before freezing: a sampling density for events."""
    import vegas

    integ = vegas.Integrator(6 * [[0.0, 1.0]], ran_array_generator=rng.random)

    @vegas.batchintegrand
    def f(x):
        pieces, _ = sampler.evaluate(x)
        return pieces[0] + pieces[1]

    integ(f, nitn=nitn, neval=neval)
    return integ.map


def sample_map(amap, n: int, rng: np.random.Generator):
    """(x (n, 6), jac (n,)): n points drawn from the density 1/jac of a vegas AdaptiveMap (y uniform)."""
    y = rng.random((n, 6))
    x = np.empty_like(y)
    jac = np.empty(n)
    amap.map(y, x, jac)
    return x, jac
