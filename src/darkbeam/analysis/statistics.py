"""Upper limits on a signal: Poisson counts with background and normalisation systematics, binned spectra.

Conventions (docs/scans.md, "statistics"):

* Likelihood of a count n with signal s and background b, normalisation scale factors theta_s and
  theta_b with Gaussian constraints (auxiliary measurements a_s, a_b, nominally 1, widths sigma_s,
  sigma_b):

      -2 ln L = 2 (lam - n ln lam) + (theta_s - a_s)^2/sigma_s^2 + (theta_b - a_b)^2/sigma_b^2,
      lam = s theta_s + b theta_b.

  The nuisance parameters are profiled.  lam is linear in theta, so the profile is one-dimensional:
  the cheapest way to reach a mean lam costs (lam - lam0)^2 / V with lam0 = s a_s + b a_b and
  V = sigma_s^2 s^2 + sigma_b^2 b^2, and lam solves lam^2 - (lam0 - V) lam - V n = 0 (closed form).
* Test statistic for upper limits: q_s = -2 ln [L(s, theta^^) / L(s^, theta^)] for s^ <= s, 0 otherwise
  (Cowan, Cranmer, Gross, Vitells 1007.1727 eq. 14; s^ unrestricted, lam >= 0).
* ``method="cls"`` (default): CLs = P(N <= n | s) / P(N <= n | 0) (Read, J. Phys. G 28 (2002) 2693)
  with the scale factors integrated over their Gaussian constraints truncated at zero
  (Cousins & Highland, NIM A320 (1992) 331), by Gauss-Hermite quadrature.  For one count the
  profile-likelihood ratio at fixed auxiliary values is monotonic in n, so n is the test statistic.
  Without systematics this is the closed form 1 - CL = P(N <= n | s + b) / P(N <= n | b) (Helene,
  NIM 212 (1983) 319; PDG 2024 Statistics review sec. 40.4.2.2): n = 0 gives s_up = -ln(1 - CL) =
  2.303 at 90% CL for any b.  Non-integer n (Asimov data) use the continuous extension
  P(N <= n | lam) = Q(n + 1, lam) (regularised upper incomplete gamma function).
* ``method="profile"``: the nuisance parameters profiled in the test statistic q_s *and* in the
  p-values: P(q_s >= q_obs | s), P(q_s >= q_obs | 0) computed exactly (sum over Poisson counts N,
  exact Gaussian integral over the auxiliary measurements, generated at the nuisance values fitted
  to the observed data under each hypothesis: the LHC "profile construction", ATL-PHYS-PUB-2011-011).
  q depends on the auxiliaries only through lam0 ~ N(mean, V) and grows with lam0, so each N
  contributes 1 - Phi((c_N - mean)/sqrt V) with c_N solving q = q_obs.  Checked against toys in the
  tests.  Caveat: at small counts the continuous auxiliary measurement breaks the ties of the discrete
  count, CLb drops from 1 towards 1/2 and a small systematic can *tighten* the limit (n = b = 0,
  sigma_s = 0.3: 2.06 instead of 2.30); in the Gaussian limit it agrees with the other methods.
* ``method="asymptotic"``: CLs from Wilks/Wald asymptotics, CLs = (1 - Phi(sqrt q_obs)) /
  (1 - Phi(sqrt q_obs - sqrt q_A)), q_A from the background-only Asimov data (1007.1727 sec. 3.8);
  used for binned spectra, approximate at small counts.
* ``modified=False`` gives CLs+b (the plain frequentist p_s) instead of CLs.
* Sensitivity (expected limit): the limit for the background-only Asimov data n = b.

Feldman-Cousins intervals (physics/9711021) are a different construction (unified ordering) and give
different, two-sided, numbers; darkbeam does not implement them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from darkbeam.errors import ConfigurationError

METHODS = ("cls", "profile", "asymptotic")
#: Gauss-Hermite nodes per scale factor of the marginalised CLs
N_HERMITE = 48


def _check_cl(cl: float) -> float:
    cl = float(cl)
    if not 0.0 < cl < 1.0:
        raise ConfigurationError(f"confidence level must lie strictly between 0 and 1, got {cl}")
    return cl


def _stats():
    """scipy.stats, imported on first use: it costs ~0.35 s of CPU, and the limits most often used (CLs
    with marginalised systematics, asymptotic) need only scipy.special and scipy.optimize."""
    from scipy import stats

    return stats


def _nonneg(name: str, v) -> np.ndarray:
    a = np.asarray(v, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ConfigurationError(f"{name} must be finite and >= 0, got {v!r}")
    return a


# ============================================================================ closed forms, no systematics
def poisson_cls_limit(n_obs: int, background: float, cl: float = 0.9) -> float:
    """CLs upper limit on the signal mean for ``n_obs`` events over a known ``background`` (closed form:
    P(N <= n | s + b) / P(N <= n | b) = 1 - CL; Helene 1983)."""
    cl, b = _check_cl(cl), float(_nonneg("background", background))
    n = int(n_obs)
    if n != n_obs or n < 0:
        raise ConfigurationError(f"observed events must be a non-negative integer, got {n_obs!r}")
    alpha = 1.0 - cl
    stats = _stats()
    den = stats.poisson.cdf(n, b) if b > 0 else 1.0

    def f(s):
        return stats.poisson.cdf(n, s + b) / den - alpha

    hi = max(10.0, 2.0 * (n + 10.0 * math.sqrt(n + 1.0)))
    while f(hi) > 0:
        hi *= 2.0
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-12, rtol=1e-12))


def poisson_clsb_limit(n_obs: int, background: float, cl: float = 0.9) -> float:
    """Classical (Neyman, CLs+b) upper limit: P(N <= n | s + b) = 1 - CL, floored at 0.  For b = 0:
    s_up = chi2_{2(n+1)}^{-1}(CL) / 2 (Garwood 1936)."""
    cl, b = _check_cl(cl), float(_nonneg("background", background))
    n = int(n_obs)
    if n != n_obs or n < 0:
        raise ConfigurationError(f"observed events must be a non-negative integer, got {n_obs!r}")
    mu = 0.5 * _stats().chi2.ppf(cl, 2 * (n + 1))  # total mean excluded at CL
    return float(max(mu - b, 0.0))


# ============================================================================ counting with systematics
def _profile_lam(n, lam0, V):
    """Profiled Poisson mean lam >= 0 for observed n, nominal mean lam0 and constraint variance V."""
    n, lam0, V = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (n, lam0, V)))
    with np.errstate(invalid="ignore", divide="ignore"):
        d = lam0 - V
        root = 0.5 * (d + np.sqrt(d * d + 4.0 * V * n))
        # cancellation-free form when d < 0: 2 V n / (sqrt(d^2 + 4Vn) - d)
        alt = np.where(d < 0, 2.0 * V * n / np.where(d < 0, np.sqrt(d * d + 4.0 * V * n) - d, 1.0), root)
    lam = np.where(V > 0, np.where(d < 0, alt, root), lam0)
    return np.maximum(lam, 0.0)


def _nll(n, lam):
    """2 (lam - n ln lam) - 2 (n - n ln n): the Poisson deviance (0 at lam = n)."""
    n, lam = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(lam, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(n > 0, n * np.log(np.where(n > 0, n, 1.0) / np.where(lam > 0, lam, 1e-300)), 0.0)
    return 2.0 * (lam - n + t)


def counting_q(s, n, lam0, V) -> np.ndarray:
    """One-sided profile-likelihood-ratio statistic q_s of a count (module docstring): ``lam0`` = s a_s +
    b a_b, ``V`` = sigma_s^2 s^2 + sigma_b^2 b^2.  Zero where the best fit lies above (n >= lam0)."""
    n, lam0, V = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (n, lam0, V)))
    lam = _profile_lam(n, lam0, V)
    with np.errstate(invalid="ignore", divide="ignore"):
        pen = np.where(V > 0, (lam - lam0) ** 2 / np.where(V > 0, V, 1.0), 0.0)
    q = _nll(n, lam) + pen
    return np.where(n >= lam0, 0.0, np.maximum(q, 0.0))


def _q_of_lam(lam, N, V):
    """q along the profile curve: lam0 = lam + V (1 - N/lam) for the profiled mean lam >= N."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return _nll(N, lam) + V * (np.where(lam > 0, N / lam, 0.0) - 1.0) ** 2


def _critical_lam0(N: np.ndarray, V: float, q_obs: float) -> np.ndarray:
    """lam0 at which q(N, lam0) = q_obs (q grows with lam0 beyond N): solved on the profile curve."""
    N = np.asarray(N, dtype=float)
    if V == 0.0:
        # 2 (lam - N - N ln(lam/N)) = q_obs for lam > N
        lo = np.maximum(N, 0.0)
        hi = lo + q_obs + 2.0 * np.sqrt(q_obs * np.maximum(N, 1.0)) + 1.0
        f = lambda lam: _nll(N, lam) - q_obs  # noqa: E731
    else:
        lo = np.maximum(N, 0.0)
        hi = lo + q_obs + 2.0 * np.sqrt(q_obs * (np.maximum(N, 1.0) + V)) + 1.0
        f = lambda lam: _q_of_lam(lam, N, V) - q_obs  # noqa: E731
    while np.any(f(hi) < 0):
        hi = np.where(f(hi) < 0, 2.0 * hi + 1.0, hi)
    # N = 0 with V > 0: lam = 0 boundary up to lam0 = V where q = lam0^2 / V
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        neg = f(mid) < 0
        lo, hi = np.where(neg, mid, lo), np.where(neg, hi, mid)
        if np.all(hi - lo <= 1e-12 * np.maximum(hi, 1.0)):
            break
    lam = 0.5 * (lo + hi)
    if V == 0.0:
        return lam
    lam0 = lam + V * (1.0 - np.where(lam > 0, N / np.where(lam > 0, lam, 1.0), 0.0))
    if np.any(N == 0):
        # at N = 0 the profile sits on lam = 0 for lam0 <= V, where q = lam0^2 / V
        bnd = math.sqrt(q_obs * V)
        lam0 = np.where(N == 0, np.where(bnd <= V, bnd, q_obs / 2.0 + V / 2.0), lam0)
    return lam0


@dataclass(frozen=True)
class Counting:
    """A counting experiment: ``observed`` events (None: sensitivity, Asimov n = background) over
    ``background`` with relative normalisation uncertainties ``sigma_signal`` and
    ``sigma_background`` (Gaussian constraints on scale factors, profiled)."""

    background: float
    observed: float | None = None
    sigma_signal: float = 0.0
    sigma_background: float = 0.0

    def __post_init__(self):
        _nonneg("background", self.background)
        _nonneg("sigma_signal", self.sigma_signal)
        _nonneg("sigma_background", self.sigma_background)
        if self.observed is not None:
            _nonneg("observed", self.observed)

    @property
    def n(self) -> float:
        return float(self.background if self.observed is None else self.observed)

    def _V(self, s):
        return (self.sigma_signal * s) ** 2 + (self.sigma_background * self.background) ** 2

    def q(self, s: float) -> float:
        """q_s for the observed (or Asimov) data."""
        return float(counting_q(s, self.n, s + self.background, self._V(s)))

    def _fit(self, s_hyp: float, s: float):
        """Nuisance values fitted to the observed data under signal ``s_hyp`` -> (mean of lam0 for the
        statistic of ``s``, Poisson mean of N)."""
        b = self.background
        V_h = self._V(s_hyp)
        lam0_h = s_hyp + b
        lam = float(_profile_lam(self.n, lam0_h, V_h))
        t = (lam - lam0_h) / V_h if V_h > 0 else 0.0
        th_s = 1.0 + self.sigma_signal**2 * s_hyp * t
        th_b = 1.0 + self.sigma_background**2 * b * t
        return s * th_s + b * th_b, max(s_hyp * th_s + b * th_b, 0.0)

    def p_value(self, s: float, s_hyp: float) -> float:
        """P(q_s >= q_obs | signal s_hyp), exact (module docstring)."""
        q_obs = self.q(s)
        if q_obs <= 0.0:
            return 1.0
        V = self._V(s)
        mean, nu = self._fit(s_hyp, s)
        stats = _stats()
        lo = int(stats.poisson.ppf(1e-16, nu)) if nu > 0 else 0
        top = int(stats.poisson.ppf(1.0 - 1e-16, nu)) + 5 if nu > 0 else 0
        N = np.arange(max(lo - 1, 0), top + 1, dtype=float)
        pN = stats.poisson.pmf(N, nu) if nu > 0 else (N == 0).astype(float)
        c = _critical_lam0(N, V, q_obs)
        if V > 0:
            tail = special.ndtr((mean - c) / math.sqrt(V))  # P(lam0 >= c)
        else:
            tail = (mean >= c - 1e-12 * max(c.max(), 1.0)).astype(float)
        return float(np.clip(np.sum(pN * tail), 0.0, 1.0))

    def marginal_cdf(self, s: float) -> float:
        """P(N <= n | s) averaged over the scale factors' Gaussian constraints truncated at 0."""
        b, n = self.background, self.n
        nodes = []
        for sig in (self.sigma_signal, self.sigma_background):
            if sig > 0:
                x, w = np.polynomial.hermite_e.hermegauss(N_HERMITE)
                th = 1.0 + sig * x
                w = np.where(th >= 0, w, 0.0)
                nodes.append((np.maximum(th, 0.0), w / w.sum()))
            else:
                nodes.append((np.ones(1), np.ones(1)))
        ts, ws = nodes[0]
        tb, wb = nodes[1]
        lam = s * ts[:, None] + b * tb[None, :]
        cdf = np.where(lam > 0, special.gammaincc(n + 1.0, np.where(lam > 0, lam, 1.0)), 1.0)
        return float(np.sum(ws[:, None] * wb[None, :] * cdf))

    def cls(self, s: float, *, method: str = "cls", modified: bool = True) -> float:
        """CLs (or CLs+b with ``modified=False``) of signal ``s`` (events)."""
        if method == "cls":
            p_s = self.marginal_cdf(s)
            if not modified:
                return p_s
            p_b = self.marginal_cdf(0.0)
            return p_s / p_b if p_b > 0 else 1.0
        if method == "asymptotic":
            q = self.q(s)
            q_a = float(counting_q(s, self.background, s + self.background, self._V(s)))
            p_s = special.ndtr(-math.sqrt(q))
            if not modified:
                return float(p_s)
            den = special.ndtr(-(math.sqrt(q) - math.sqrt(q_a)))
            return float(p_s / den) if den > 0 else 1.0
        if method != "profile":
            raise ConfigurationError(f"unknown method {method!r} (choose {', '.join(METHODS)})")
        p_s = self.p_value(s, s)
        if not modified:
            return p_s
        p_b = self.p_value(s, 0.0)
        return p_s / p_b if p_b > 0 else 1.0

    def upper_limit(self, cl: float = 0.9, *, method: str = "cls", modified: bool = True) -> float:
        """Upper limit on the signal (events) at confidence level ``cl``."""
        alpha = 1.0 - _check_cl(cl)
        if method not in METHODS:
            raise ConfigurationError(f"unknown method {method!r} (choose {', '.join(METHODS)})")

        def f(s):
            return self.cls(s, method=method, modified=modified) - alpha

        lo = 1e-9
        if f(lo) <= 0:
            return 0.0  # CLs+b can exclude everything when n << b
        hi = max(3.0, 3.0 * math.sqrt(self.n + self.background + 1.0))
        while f(hi) > 0:
            lo, hi = hi, hi * 2.0
            if hi > 1e12:
                raise ConfigurationError("no upper limit below 1e12 signal events (systematic >= 1/z?)")
        return float(optimize.brentq(f, lo, hi, xtol=1e-10, rtol=1e-10))


# ============================================================================ binned spectra
@dataclass(frozen=True)
class Binned:
    """A binned Poisson likelihood: ``background`` per bin, ``observed`` per bin (None: Asimov n = b),
    common signal and background normalisation scale factors with Gaussian constraints
    (``sigma_signal``, ``sigma_background``), profiled.  Limits on the signal strength mu scaling a
    predicted ``signal`` spectrum, asymptotic CLs (1007.1727)."""

    background: tuple
    observed: tuple | None = None
    sigma_signal: float = 0.0
    sigma_background: float = 0.0

    def __post_init__(self):
        b = _nonneg("background", self.background)
        if b.ndim != 1 or b.size == 0:
            raise ConfigurationError("background must be a non-empty list of bin contents")
        if self.observed is not None:
            o = _nonneg("observed", self.observed)
            if o.shape != b.shape:
                raise ConfigurationError(f"observed has {o.size} bins, background {b.size}")
        object.__setattr__(self, "background", tuple(float(x) for x in b))
        if self.observed is not None:
            object.__setattr__(self, "observed", tuple(float(x) for x in np.asarray(self.observed)))

    def _data(self, asimov: bool) -> np.ndarray:
        return np.asarray(self.background if (asimov or self.observed is None) else self.observed, dtype=float)

    def _fit(self, n, coef, x0, w):
        """min_x sum_i 2 (lam_i - n_i ln lam_i) + sum_k w_k (x_k - x0_k)^2, lam = coef @ x (convex)."""
        return _newton(n, coef, x0, w)

    def _nll_min(self, n, s, mu):
        """min over the nuisances of -2 ln L (Poisson deviance + constraints) at fixed ``mu``, or over
        (mu, theta_b) with theta_s = 1 when ``mu`` is None (theta_s is then degenerate with mu)."""
        b = np.asarray(self.background, dtype=float)
        ws = 1.0 / self.sigma_signal**2 if self.sigma_signal > 0 else None
        wb = 1.0 / self.sigma_background**2 if self.sigma_background > 0 else None
        if mu is None:
            cols, x0, w = [s], [0.0], [0.0]
            fixed = np.zeros_like(b)
            if wb is None:
                fixed = b
            else:
                cols.append(b), x0.append(1.0), w.append(wb)
        else:
            cols, x0, w, fixed = [], [], [], np.zeros_like(b)
            if ws is None:
                fixed = fixed + mu * s
            else:
                cols.append(mu * s), x0.append(1.0), w.append(ws)
            if wb is None:
                fixed = fixed + b
            else:
                cols.append(b), x0.append(1.0), w.append(wb)
        x, val = _newton(n, np.array(cols).T if cols else np.zeros((b.size, 0)), np.array(x0), np.array(w), fixed)
        return val, (float(x[0]) if mu is None else mu)

    def _q(self, mu, s, n, uncond):
        val_u, mu_hat = uncond
        if mu_hat > mu:
            return 0.0
        val_c, _ = self._nll_min(n, s, float(mu))
        return max(val_c - val_u, 0.0)

    def q(self, mu: float, signal, *, asimov: bool = False) -> float:
        """One-sided q_mu for the signal spectrum ``signal`` (events per bin) scaled by ``mu``."""
        s = np.asarray(signal, dtype=float)
        n = self._data(asimov)
        return self._q(mu, s, n, self._nll_min(n, s, None))

    def cls(self, mu: float, signal, *, modified: bool = True, _cache=None) -> float:
        """Asymptotic CLs (or CLs+b) of signal strength ``mu``."""
        s = np.asarray(signal, dtype=float)
        n_obs, n_a = self._data(False), self._data(True)
        u_obs, u_a = _cache or (self._nll_min(n_obs, s, None), self._nll_min(n_a, s, None))
        q = self._q(mu, s, n_obs, u_obs)
        p_s = special.ndtr(-math.sqrt(q))
        if not modified:
            return float(p_s)
        q_a = self._q(mu, s, n_a, u_a)
        den = special.ndtr(-(math.sqrt(q) - math.sqrt(q_a)))
        return float(p_s / den) if den > 0 else 1.0

    def upper_limit(self, signal, cl: float = 0.9, *, modified: bool = True) -> float:
        """Upper limit on the signal strength mu (spectrum ``signal`` x mu) at ``cl`` (asymptotic CLs);
        inf if the signal is zero."""
        alpha = 1.0 - _check_cl(cl)
        s = _nonneg("signal", signal)
        if s.shape != (len(self.background),):
            raise ConfigurationError(f"signal has shape {s.shape}, expected ({len(self.background)},)")
        tot = float(s.sum())
        if tot <= 0:
            return math.inf
        cache = (self._nll_min(self._data(False), s, None), self._nll_min(self._data(True), s, None))

        def f(mu):
            return self.cls(mu, s, modified=modified, _cache=cache) - alpha

        lo, hi = 1e-9 / tot, 3.0 * (math.sqrt(sum(self.background)) + 3.0) / tot
        if f(lo) <= 0:
            return 0.0
        while f(hi) > 0:
            lo, hi = hi, hi * 2.0
            if hi * tot > 1e12:
                return math.inf
        return float(optimize.brentq(f, lo, hi, xtol=1e-12 / tot, rtol=1e-9))


def _newton(n, A, x0, w, fixed=None, iters: int = 100):
    """Minimise F(x) = sum_i 2 (lam_i - n_i ln lam_i) + sum_k w_k (x_k - x0_k)^2 with lam = A x + fixed,
    lam >= 0 (convex): damped Newton steps from x0 with backtracking.  Returns (x, F - F_saturated)."""
    n = np.asarray(n, dtype=float)
    fixed = np.zeros_like(n) if fixed is None else np.asarray(fixed, dtype=float)

    def F(x):
        lam = A @ x + fixed
        if np.any(lam < 0) or np.any((lam == 0) & (n > 0)):
            return np.inf
        return float(np.sum(_nll(n, lam)) + np.sum(w * (x - x0) ** 2))

    x = np.array(x0, dtype=float)
    if A.shape[1] == 0:
        return x, F(x)
    fx = F(x)
    if not np.isfinite(fx):  # start inside: push the free mean parameters up
        for _ in range(60):
            x = x + np.where(w == 0, np.abs(x) + 1.0, 0.0)
            fx = F(x)
            if np.isfinite(fx):
                break
    for _ in range(iters):
        lam = A @ x + fixed
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(lam > 0, n / np.where(lam > 0, lam, 1.0), 0.0)
            h = np.where(lam > 0, n / np.where(lam > 0, lam * lam, 1.0), 0.0)
        g = 2.0 * (A.T @ (1.0 - r)) + 2.0 * w * (x - x0)
        H = 2.0 * (A.T * h) @ A + np.diag(2.0 * w)
        H = H + 1e-300 * np.eye(H.shape[0])
        try:
            step = -np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            step = -g / (np.abs(np.diag(H)) + 1.0)
        t = 1.0
        while t > 1e-12:
            fn = F(x + t * step)
            if fn <= fx + 1e-4 * t * float(g @ step):
                break
            t *= 0.5
        if t <= 1e-12:
            break
        x, fprev, fx = x + t * step, fx, fn
        if abs(fprev - fx) <= 1e-13 * max(1.0, abs(fx)) and np.all(np.abs(t * step) <= 1e-12 * (np.abs(x) + 1e-300)):
            break
    return x, fx


def upper_limit(background: float, observed: float | None = None, *, cl: float = 0.9, sigma_signal: float = 0.0,
                sigma_background: float = 0.0, method: str = "cls", modified: bool = True) -> float:
    """Upper limit on signal events of a counting experiment (see :class:`Counting`)."""
    return Counting(background, observed, sigma_signal, sigma_background).upper_limit(cl, method=method,
                                                                                      modified=modified)
