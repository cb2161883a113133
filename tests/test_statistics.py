"""Limits: Poisson closed forms, the profiled and marginalised systematics in the Gaussian limit, the
exact profile construction against toys, binned likelihoods, contours and recasts."""

import math

import numpy as np
import pytest
from scipy import optimize, stats

from darkbeam.analysis.contours import contour_lines, lines_table, read_curve, write_table
from darkbeam.analysis.limits import binned_ratio, counting_ratio
from darkbeam.analysis.recast import (events_at_limit, interpolate_curve, power_law_recast, recast_curve,
                                      recast_ratio)
from darkbeam.analysis.statistics import (Binned, Counting, counting_q, poisson_cls_limit, poisson_clsb_limit,
                                          upper_limit)
from darkbeam.errors import ConfigurationError, DataError

Z90_CLS = stats.norm.ppf(0.95)  # CLs at the median background-only outcome: CLs = 2 (1 - Phi(z)) = 0.1
Z90 = stats.norm.ppf(0.90)


def test_zero_background_zero_observed_is_2_303():
    assert poisson_cls_limit(0, 0.0) == pytest.approx(-math.log(0.1), rel=1e-10)
    for method in ("cls", "profile"):
        assert upper_limit(0.0, 0, method=method) == pytest.approx(2.302585093, rel=1e-9)
    # CLs: for n = 0 the background drops out entirely
    for b in (0.5, 3.0, 20.0):
        assert upper_limit(b, 0) == pytest.approx(2.302585093, rel=1e-8)


@pytest.mark.parametrize("n,pdg", [(0, 2.30), (1, 3.89), (2, 5.32), (3, 6.68), (4, 7.99), (5, 9.27), (6, 10.53),
                                   (7, 11.77), (8, 12.99), (9, 14.21), (10, 15.41)])
def test_no_background_matches_the_chi2_closed_form_and_pdg_table(n, pdg):
    """b = 0: s_up = chi2^{-1}_{2(n+1)}(CL)/2 (Garwood 1936); PDG 2024 Statistics review, Table 40.3."""
    garwood = 0.5 * stats.chi2.ppf(0.9, 2 * (n + 1))
    assert Counting(0.0, n).upper_limit() == pytest.approx(garwood, rel=1e-9)
    assert poisson_clsb_limit(n, 0.0) == pytest.approx(garwood, rel=1e-12)
    assert round(garwood, 2) == pytest.approx(pdg, abs=0.006)


@pytest.mark.parametrize("n,b", [(1, 0.5), (3, 2.5), (5, 7.2), (12, 10.0)])
def test_known_background_cls_against_direct_poisson_sums(n, b):
    """CLs = P(N <= n | s + b)/P(N <= n | b) = 0.1 (Helene 1983; Read 2002), solved here by brute force
    on explicit Poisson sums; the classical CLs+b limit is chi2/2 - b.  (Feldman-Cousins gives other,
    unified-ordering numbers: a different method, not implemented.)"""
    def cdf(mu):
        k = np.arange(n + 1)
        return np.sum(np.exp(k * np.log(mu) - mu - [math.lgamma(i + 1) for i in k]))

    ref = optimize.brentq(lambda s: cdf(s + b) / cdf(b) - 0.1, 1e-6, 100.0, xtol=1e-13)
    assert Counting(b, n).upper_limit() == pytest.approx(ref, rel=1e-8)
    assert Counting(b, n).upper_limit(method="profile") == pytest.approx(ref, rel=1e-8)
    assert Counting(b, n).upper_limit(modified=False) == pytest.approx(max(0.5 * stats.chi2.ppf(0.9, 2 * n + 2) - b, 0),
                                                                      rel=1e-8)
    assert Counting(b, n).upper_limit(cl=0.95) > Counting(b, n).upper_limit(cl=0.9)


def test_test_statistic_closed_form_without_systematics():
    """q_s = 2 (s + b - n - n ln((s + b)/n)) for n < s + b, else 0 (1007.1727 eq. 14, one count)."""
    s, b = np.array([0.5, 2.0, 7.0, 20.0]), 3.0
    for n in (0, 2, 5):
        ref = 2 * (s + b - n - (n * np.log((s + b) / n) if n else 0.0))
        ref = np.where(n >= s + b, 0.0, ref)
        assert np.allclose(counting_q(s, n, s + b, 0.0), ref, rtol=1e-12, atol=0)


@pytest.mark.parametrize("sig_b", [0.0, 5e-4, 1e-3, 2e-3])
def test_background_systematic_widens_as_in_the_gaussian_limit(sig_b):
    """n = b = 1e6: s_up = z sqrt(b + (sigma_b b)^2), z = Phi^{-1}(0.95) for CLs (CLb = 1/2)."""
    b = 1e6
    ref = Z90_CLS * math.sqrt(b + (sig_b * b) ** 2)
    c = Counting(b, None, sigma_background=sig_b)
    for method in ("cls", "profile", "asymptotic"):
        assert c.upper_limit(method=method) == pytest.approx(ref, rel=3e-3), method
    assert c.upper_limit(modified=False, method="asymptotic") == pytest.approx(Z90 * math.sqrt(b + (sig_b * b) ** 2),
                                                                             rel=3e-3)


@pytest.mark.parametrize("sig_s", [0.1, 0.3])
def test_signal_systematic_widens_as_in_the_gaussian_limit(sig_s):
    """Profiling theta_s in the Gaussian limit: q = s^2/(b + sigma_s^2 s^2) = z^2, so
    s_up = z sqrt(b) / sqrt(1 - z^2 sigma_s^2)."""
    b = 1e6
    ref = Z90_CLS * math.sqrt(b) / math.sqrt(1 - (Z90_CLS * sig_s) ** 2)
    for method in ("cls", "profile", "asymptotic"):
        assert Counting(b, None, sigma_signal=sig_s).upper_limit(method=method) == pytest.approx(ref, rel=3e-3)


def test_marginalised_systematics_only_widen_the_limit():
    for n, b in ((0, 0.0), (3, 3.0), (10, 6.0)):
        lims = [Counting(b, n, sigma_signal=s, sigma_background=s).upper_limit() for s in (0.0, 0.05, 0.1, 0.2, 0.4)]
        assert all(np.diff(lims) > 0), lims


@pytest.mark.parametrize("b,n,ss,sb,s", [(0.0, 0, 0.3, 0.0, 2.1), (3.0, 3, 0.0, 0.1, 4.0), (3.0, 1, 0.2, 0.2, 3.0)])
def test_exact_profile_p_values_agree_with_toys(b, n, ss, sb, s):
    """The exact sum/integral of the profile construction equals a toy Monte Carlo of (N, a_s, a_b)
    generated at the conditional fits and tested with the same q (counting_q)."""
    c = Counting(b, n, ss, sb)
    q_obs = c.q(s)
    rng = np.random.default_rng(11)
    M = 400_000
    for s_hyp in (s, 0.0):
        V_h = c._V(s_hyp)
        from darkbeam.analysis.statistics import _profile_lam

        lam = float(_profile_lam(c.n, s_hyp + b, V_h))
        t = (lam - s_hyp - b) / V_h if V_h > 0 else 0.0
        ths, thb = 1 + ss**2 * s_hyp * t, 1 + sb**2 * b * t
        N = rng.poisson(max(s_hyp * ths + b * thb, 0.0), M)
        As = rng.normal(ths, ss, M) if ss > 0 else np.ones(M)
        Ab = rng.normal(thb, sb, M) if sb > 0 else np.ones(M)
        frac = np.mean(counting_q(s, N, s * As + b * Ab, c._V(s)) >= q_obs)
        exact = c.p_value(s, s_hyp)
        assert abs(frac - exact) < 5 * math.sqrt(exact * (1 - exact) / M) + 1e-6, (s_hyp, frac, exact)


def test_binned_likelihood_closed_forms():
    """One bin equals the counting experiment; many bins in the Gaussian limit give
    mu_up = z / sqrt(s^T C^-1 s), C = diag(b) + sigma_b^2 b b^T (correlated background normalisation)."""
    assert Binned((1e4,)).upper_limit([1.0]) == pytest.approx(Counting(1e4).upper_limit(method="asymptotic"), rel=1e-6)
    b = np.array([4e5, 1e6, 2.5e5])
    s = np.array([1.0, 3.0, 2.0])
    assert Binned(tuple(b)).upper_limit(s) == pytest.approx(Z90_CLS / math.sqrt(np.sum(s * s / b)), rel=3e-3)
    sb = 1e-3
    C = np.diag(b) + sb**2 * np.outer(b, b)
    ref = Z90_CLS / math.sqrt(s @ np.linalg.solve(C, s))
    assert Binned(tuple(b), sigma_background=sb).upper_limit(s) == pytest.approx(ref, rel=3e-3)
    # a shape that differs from the background is constrained better than a flat one
    assert Binned(tuple(b), sigma_background=sb).upper_limit(s) < Binned(tuple(b), sigma_background=sb).upper_limit(b / b.sum() * s.sum())
    with pytest.raises(ConfigurationError):
        Binned((1.0, 2.0)).upper_limit([1.0])
    assert Binned((2.0, 3.0), observed=(1, 4), sigma_signal=0.1, sigma_background=0.2).upper_limit([1.0, 2.0]) > 0


def test_grid_ratios():
    S = np.array([[1.0, 10.0], [0.0, 4.0]])
    r, s_up = counting_ratio(S, background=0.0)
    assert s_up == pytest.approx(2.302585093) and np.allclose(r, S / s_up)
    r2, mu = binned_ratio(np.stack([S, 2 * S], axis=-1), background=[1e4, 2e4])
    assert r2[1, 0] == 0.0 and np.isinf(mu[1, 0]) and r2[0, 1] > r2[0, 0]


def test_contour_of_a_power_law_is_exact(tmp_path):
    """r = y / (3 x^2) on a log grid: log r is linear in (log x, log y), so the traced line is exactly
    y = 3 x^2 wherever it crosses a grid edge."""
    x = np.geomspace(0.01, 1.0, 17)
    y = np.geomspace(1e-6, 10.0, 23)
    r = y[None, :] / (3 * x[:, None] ** 2)
    lines = contour_lines(x, y, r)
    assert len(lines) == 1
    seg = lines[0]
    assert np.allclose(seg[:, 1], 3 * seg[:, 0] ** 2, rtol=1e-9, atol=0)
    files = write_table(lines_table(lines), tmp_path / "c", {"what": "test"})
    cx, cy = read_curve(files[1])  # the CSV, with its header line
    assert np.allclose(cx, seg[:, 0]) and np.allclose(cy, seg[:, 1])
    assert contour_lines(x, y, np.zeros_like(r)) == []


def test_read_curve_errors(tmp_path):
    p = tmp_path / "curve.txt"
    p.write_text("# published limit\nmass coupling\n0.1 1e-6\n0.2, 2e-6\n")
    x, y = read_curve(p, y_scale=2.0)
    assert np.allclose(x, [0.1, 0.2], atol=0) and np.allclose(y, [2e-6, 4e-6], atol=0)
    p.write_text("0.1 1e-6\n0.2 abc\n")
    with pytest.raises(DataError):
        read_curve(p)
    with pytest.raises(DataError):
        read_curve(tmp_path / "missing.csv")


def test_recast_by_ratio_of_rates():
    """Kelly-Machado-style recast: reference rate A(x) theta^2, new rate B(x) |U|^4 (long-lived: production
    and decay both through the mixing).  Closed form: |U|^2_lim = sqrt(A theta^2_pub / B)."""
    xp = np.array([0.05, 0.1, 0.2, 0.3])
    yp = np.array([3e-7, 1e-7, 5e-8, 8e-8])  # published theta^2
    A = lambda x: 2e8 * x  # noqa: E731
    B = lambda x: 5e13 * x**2  # noqa: E731
    x = np.array([0.07, 0.15, 0.25])
    n_lim = events_at_limit(xp, yp, lambda xx, yy: A(xx) * yy, x)
    theta2 = interpolate_curve(xp, yp, x)
    assert np.allclose(n_lim, A(x) * theta2)
    ygrid = np.geomspace(1e-6, 1e-2, 200)
    rate_new = B(x)[:, None] * ygrid[None, :] ** 2
    got = recast_curve(ygrid, rate_new, n_lim)
    exact = np.sqrt(A(x) * theta2 / B(x))
    assert np.allclose(got, exact, rtol=1e-9, atol=0)
    # same power in the same coupling for both models: y_new = y_pub (k_ref/k_new)^(1/p)
    k_ref, k_new, p = 3.0, 12.0, 2.0
    closed = power_law_recast(theta2, k_ref, k_new, p)
    yg = np.geomspace(1e-9, 1e-5, 300)
    grid = recast_curve(yg, k_new * yg[None, :] ** p * np.ones((3, 1)), k_ref * theta2**p)
    assert np.allclose(closed, 0.5 * theta2, atol=0) and np.allclose(grid, closed, rtol=1e-9, atol=0)
    r = recast_ratio(rate_new, np.append(n_lim[:2], np.nan))
    assert np.all(r[2] == 0.0)  # no published limit at that mass: nothing excluded
    assert np.isnan(interpolate_curve(xp, yp, [0.01]))[0]
