"""Dark-vector production cross sections in a shower, at kinetic mixing eps = 1 (every cross section scales
with eps^2).  GeV units inside, results in cm^2 (per atom or per electron as stated).

Dark bremsstrahlung e N -> e N V, improved Weizsacker-Williams (IWW) approximation of Bjorken, Essig,
Schuster, Toro (BEST), PRD 80 (2009) 075018, arXiv:0906.0580, app. A: with x = E_V/E,

    dsigma/(dx dcos) = 8 alpha^3 E^2 x beta_V chi / U^2 [ 1 - x + x^2/2 - x (1-x) m^2 E^2 x theta^2 / U^2 ],
    U = E^2 x theta^2 + m^2 (1-x)/x + m_e^2 x,   beta_V = sqrt(1 - m^2/(x E)^2),

integrated over the angle analytically (t = E^2 x theta^2, dcos = dt / (2 E^2 x), int_0^inf dt/(t+U0)^2 = 1/U0,
int_0^inf t dt/(t+U0)^4 = 1/(6 U0^2)):

    dsigma/dx = 4 alpha^3 beta_V chi [ (1 - x + x^2/2) / U0 - x (1-x) m^2 / (6 U0^2) ],  U0 = U(theta = 0),

which for m >> m_e is BEST's eq. A16 form 4 alpha^3 chi x (1 - x + x^2/3) / (m^2 (1-x)).  The effective photon
flux (BEST eq. A17, Kim & Tsai 1973) chi = int_{tmin}^{tmax} dt (t - tmin)/t^2 [G2el(t) + G2inel(t)] with the IWW
limits tmin = (m^2/(2E))^2, tmax = m^2 + tmin, and Tsai's atomic-nuclear form factors (BEST eqs. A18-A19):

    G2el = Z^2 (a^2 t/(1 + a^2 t))^2 (1/(1 + t/d))^2,     a = 111 Z^-1/3 / m_e,  d = 0.164 GeV^2 A^-2/3,
    G2inel = Z (a'^2 t/(1 + a'^2 t))^2 (1 + t (mu_p^2 - 1)/(4 m_p^2)) / (1 + t/0.71 GeV^2)^4,  a' = 773 Z^-2/3 / m_e.

The proton factor of G2inel is used once, not squared as some transcriptions of BEST eq. A19 print it: it is
already the squared dipole form factor, (G_E^2 + tau G_M^2)/(1 + tau) = G_D^2 (1 + tau (mu_p^2 - 1))/(1 + tau)
with G_D = (1 + t/0.71)^-2, G_M = mu_p G_D, tau = t/(4 m_p^2), to O(tau^2) (the Rosenbluth structure of
elastic ep scattering); squaring it again would be G_D^4.  PETITE (2401.06843) uses it once.  The difference
matters only for heavy m_V near threshold (t ~ 0.1-1 GeV^2): 0.3% of chi at E = 20 GeV, m = 0.3 GeV; x1.8 at
E = 2 GeV, m = 1 GeV (docs/showers.md).

Liu and Miller (PRD 96 (2017) 016004, arXiv:1705.01633) compare IWW with the exact 2 -> 3 result: IWW is within
~10-30% for m_V = 10-100 MeV at E = 10 GeV, worse near x -> 1 and at m_V ~ E (docs/showers.md).

Resonant annihilation e+ e- -> V on atomic electrons (narrow width; Gamma(V -> e e) = alpha m/3 at eps = 1,
BEST eq. 3 in the m >> m_e limit): sigma = 12 pi Gamma_ee / m * pi delta(s - m^2) = (2 pi^2 alpha / m_e) delta(E+ - E_res),
s = 2 m_e (E+ + m_e), E_res = (m^2 - 2 m_e^2)/(2 m_e) (total positron energy).  A positron slowing down
continuously crosses E_res once and yields n_e (2 pi^2 alpha / m_e) / (dE/dx)(E_res) vectors
(PETITE, Blinov et al. arXiv:2401.06843; Nardi et al. PRD 97 (2018) 095004).

Non-resonant annihilation e+ e- -> gamma V on atomic electrons: the centre-of-mass cross section used by PETITE
(2401.06843, its ``dsigma_annihilation_dCT``; massless-electron matrix element with the electron-propagator
regulator 1 - b^2 c^2, b = sqrt(1 - 4 m_e^2/s)):

    dsigma/dc = 4 pi alpha^2 / (s (1 - b^2 c^2)) [ (s - m^2)/(2 s) (1 + c^2) + 2 m^2 / (s - m^2) ],

integrated over photon angles c with lab photon energy above a cut k_min (the soft photon limit is the
resonant process).  For m = 0 and a symmetry factor 1/2 it reduces to Heitler's e+ e- -> 2 gamma at high energy
(a test checks this).

Dark Compton gamma e -> V e on atomic electrons (free, at rest): the crossing of the same massless-electron
matrix element, sum|M|^2/4 = -2 e^4 [u'/s' + s'/u' + 2 m^2 t/(s' u')], s' = s - m_e^2, u' = u - m_e^2, with exact
2 -> 2 kinematics for the t range and dsigma/dt = |M|^2/(16 pi s'^2).  For m -> 0 it is the high-energy limit of
Klein-Nishina (a test checks it); it is approximate within a few m_e of threshold.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.constants import ALPHA_EM, M_E, M_PROTON
from darkbeam.units import HBARC2_GEV2_CM2

MU_P = 2.792847


def g2_elastic_inelastic(Z: float, A: float, t):
    """Tsai's G2(t) = G2el + G2inel (BEST eqs. A18-A19), t in GeV^2."""
    t = np.asarray(t, dtype=np.float64)
    a = 111.0 * Z ** (-1.0 / 3.0) / M_E
    d = 0.164 * A ** (-2.0 / 3.0)
    ap = 773.0 * Z ** (-2.0 / 3.0) / M_E
    el = Z**2 * (a**2 * t / (1.0 + a**2 * t)) ** 2 / (1.0 + t / d) ** 2
    inel = Z * (ap**2 * t / (1.0 + ap**2 * t)) ** 2 * (1.0 + t * (MU_P**2 - 1.0) / (4.0 * M_PROTON**2)) / (1.0 + t / 0.71) ** 4
    return el + inel


def chi_between(Z: float, A: float, tmin, tmax, n: int = 400):
    """chi = int_tmin^tmax dt (t - tmin)/t^2 G2(t) (BEST eq. A17) for arrays tmin < tmax (GeV^2)."""
    tmin = np.atleast_1d(np.asarray(tmin, dtype=np.float64))
    tmax = np.atleast_1d(np.asarray(tmax, dtype=np.float64))
    u = np.linspace(0.0, 1.0, n)[None, :]
    t = tmin[:, None] * (tmax / tmin)[:, None] ** u
    integrand = (t - tmin[:, None]) / t**2 * g2_elastic_inelastic(Z, A, t) * t  # d ln t
    return np.trapezoid(integrand, u, axis=1) * np.log(tmax / tmin)


class ChiTable:
    """chi(t_min) with t_max = t_min + m^2 on a log grid of t_min (the WW flux depends on t_min only);
    zero above the grid (t_min > 100 GeV^2, where the nuclear form factor kills it)."""

    def __init__(self, Z: float, A: float, m: float, tmin_lo: float, n: int = 320):
        self.grid = np.geomspace(min(tmin_lo, 1e-3 * m**2) * 0.5, 100.0, n)
        self.logchi = np.log(np.maximum(chi_between(Z, A, self.grid, self.grid + m**2), 1e-300))
        self.lg = np.log(self.grid)

    def __call__(self, tmin):
        lt = np.log(tmin)
        return np.where(lt > self.lg[-1], 0.0, np.exp(np.interp(lt, self.lg, self.logchi)))


def dark_brem_ww_dsigma_dx(Z: float, A: float, E: float, x, m: float, n_theta: int = 160, chi_table=None,
                           lepton_mass: float = M_E):
    """Weizsacker-Williams dsigma/dx (cm^2 per atom) with the angle-dependent flux: BEST's dsigma/(dx dcos)
    with chi evaluated at t_min = (U/(2E(1-x)))^2, t_max = t_min + m^2 (BEST app. A; the 'WW' of Liu and
    Miller 1705.01633, closer to the exact 2 -> 3 result than IWW), integrated numerically over
    t_theta = E^2 x theta^2 up to theta = 1 (small-angle form)."""
    x = np.atleast_1d(np.asarray(x, dtype=np.float64))
    out = np.zeros_like(x)
    ok = (x * E > m) & (x < 1.0 - lepton_mass / E)
    if not np.any(ok):
        return out
    if chi_table is None:
        chi_table = ChiTable(Z, A, m, (m**2 / (2.0 * E)) ** 2)
    xs = x[ok][:, None]
    U0 = m**2 * (1.0 - xs) / xs + lepton_mass**2 * xs
    tth_max = E**2 * xs  # theta = 1
    w = np.linspace(0.0, 1.0, n_theta)[None, :]
    lo = 1e-6 * U0
    tth = lo * (tth_max / lo) ** w
    U = tth + U0
    chi = chi_table((U / (2.0 * E * (1.0 - xs))) ** 2)
    beta = np.sqrt(np.clip(1.0 - m**2 / (xs * E) ** 2, 0.0, None))
    f = chi / U**2 * ((1.0 - xs + 0.5 * xs**2) - xs * (1.0 - xs) * m**2 * tth / U**2) * tth  # d ln t_theta
    integral = np.trapezoid(f, w, axis=1) * np.log(tth_max[:, 0] / lo[:, 0]) + chi[:, 0] / U0[:, 0] ** 2 * (1.0 - xs[:, 0] + 0.5 * xs[:, 0] ** 2) * lo[:, 0]
    out[ok] = 4.0 * ALPHA_EM**3 * beta[:, 0] * integral * HBARC2_GEV2_CM2
    return out


def dark_brem_ww_total(Z: float, A: float, E, m: float, n: int = 96, lepton_mass: float = M_E):
    """WW total cross section (cm^2 per atom) for lepton total energies E (array)."""
    E = np.atleast_1d(np.asarray(E, dtype=np.float64))
    out = np.zeros_like(E)
    if not np.any(E > m + lepton_mass):
        return out
    table = ChiTable(Z, A, m, (m**2 / (2.0 * E.max())) ** 2)
    for i, e in enumerate(E):
        if e <= m + lepton_mass:
            continue
        xmin, xmax = m / e, 1.0 - lepton_mass / e
        v = np.linspace(0.0, 1.0, n)
        omx = (1.0 - xmin) * ((1.0 - xmax) / (1.0 - xmin)) ** v
        f = dark_brem_ww_dsigma_dx(Z, A, e, 1.0 - omx, m, chi_table=table, lepton_mass=lepton_mass) * omx
        out[i] = np.trapezoid(f, v) * np.log((1.0 - xmin) / (1.0 - xmax))
    return out


def chi_flux(Z: float, A: float, E, m: float, n: int = 400):
    """IWW effective photon flux chi(E) (dimensionless) for a lepton of energy E making a vector of mass m."""
    E = np.atleast_1d(np.asarray(E, dtype=np.float64))
    tmin = (m**2 / (2.0 * E)) ** 2
    tmax = m**2 + tmin
    u = np.linspace(0.0, 1.0, n)[None, :]
    t = tmin[:, None] * (tmax / tmin)[:, None] ** u
    integrand = (t - tmin[:, None]) / t**2 * g2_elastic_inelastic(Z, A, t) * t  # d ln t
    return np.trapezoid(integrand, u, axis=1) * np.log(tmax / tmin)


def dark_brem_dsigma_dx(Z: float, A: float, E, x, m: float, lepton_mass: float = M_E, chi=None):
    """IWW dsigma/dx (cm^2 per atom) for e N -> e N V, lepton total energy E, x = E_V/E (module docstring).
    ``chi`` (same shape as E) may be passed to avoid recomputing the flux."""
    E = np.asarray(E, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if chi is None:
        chi = chi_flux(Z, A, np.ravel(E), m).reshape(np.shape(E))
    ok = (x * E > m) & (x < 1.0 - lepton_mass / E)
    xs = np.where(ok, x, 0.5)
    beta = np.sqrt(np.clip(1.0 - m**2 / (xs * E) ** 2, 0.0, None))
    U0 = m**2 * (1.0 - xs) / xs + lepton_mass**2 * xs
    val = 4.0 * ALPHA_EM**3 * beta * chi * ((1.0 - xs + 0.5 * xs**2) / U0 - xs * (1.0 - xs) * m**2 / (6.0 * U0**2))
    return np.where(ok, val, 0.0) * HBARC2_GEV2_CM2


def dark_brem_double_differential(E, x, theta, m: float, chi, lepton_mass: float = M_E):
    """BEST dsigma/(dx dcos theta) (cm^2 per atom) at small angle (module docstring)."""
    U = E**2 * x * theta**2 + m**2 * (1.0 - x) / x + lepton_mass**2 * x
    beta = np.sqrt(np.clip(1.0 - m**2 / (x * E) ** 2, 0.0, None))
    val = 8.0 * ALPHA_EM**3 * E**2 * x * beta * chi / U**2 * (1.0 - x + 0.5 * x**2 - x * (1.0 - x) * m**2 * E**2 * x * theta**2 / U**2)
    return val * HBARC2_GEV2_CM2


def dark_brem_total(Z: float, A: float, E, m: float, n: int = 400, lepton_mass: float = M_E):
    """IWW total cross section (cm^2 per atom) for leptons of total energies E (array)."""
    E = np.atleast_1d(np.asarray(E, dtype=np.float64))
    chi = chi_flux(Z, A, E, m)
    out = np.zeros_like(E)
    ok = E > m + lepton_mass
    if not np.any(ok):
        return out
    Eo = E[ok]
    xmin, xmax = m / Eo, 1.0 - lepton_mass / Eo
    # x = 1 - (1-xmin) ((1-xmax)/(1-xmin))^v : log spacing of 1-x resolves the x -> 1 peak
    v = np.linspace(0.0, 1.0, n)[None, :]
    omx = (1.0 - xmin)[:, None] * ((1.0 - xmax) / (1.0 - xmin))[:, None] ** v
    x = 1.0 - omx
    f = dark_brem_dsigma_dx(Z, A, Eo[:, None], x, m, lepton_mass=lepton_mass, chi=chi[ok][:, None]) * omx
    out[ok] = np.trapezoid(f, v, axis=1) * np.log((1.0 - xmin) / (1.0 - xmax))
    return out


def resonant_energy(m: float) -> float:
    """Total positron energy E_res at which e+ e-(rest) -> V is resonant: s = 2 m_e (E + m_e) = m^2."""
    return (m**2 - 2.0 * M_E**2) / (2.0 * M_E)


def resonant_strength() -> float:
    """Integral of the narrow-width sigma(E+) over E+: 2 pi^2 alpha / m_e, in cm^2 GeV (per electron)."""
    return 2.0 * math.pi**2 * ALPHA_EM / M_E * HBARC2_GEV2_CM2


def annihilation_gamma_v_dsigma_dc(E, c, m: float):
    """e+ e- -> gamma V centre-of-mass dsigma/dcos (cm^2 per electron), positron total energy E (module docstring)."""
    s = 2.0 * M_E * (np.asarray(E, dtype=np.float64) + M_E)
    b2 = 1.0 - 4.0 * M_E**2 / s
    val = 4.0 * math.pi * ALPHA_EM**2 / (s * (1.0 - b2 * c**2)) * ((s - m**2) / (2.0 * s) * (1.0 + c**2) + 2.0 * m**2 / np.where(s > m**2, s - m**2, 1.0))
    return np.where(s > m**2, val, 0.0) * HBARC2_GEV2_CM2


def annihilation_photon_lab_energy(E, c, m: float):
    """Lab energy of the photon of e+ e- -> gamma V at centre-of-mass cosine c (wrt the positron)."""
    E = np.asarray(E, dtype=np.float64)
    s = 2.0 * M_E * (E + M_E)
    rs = np.sqrt(s)
    k_cm = (s - m**2) / (2.0 * rs)
    gam = (E + M_E) / rs
    bg = np.sqrt(np.maximum(E**2 - M_E**2, 0.0)) / rs
    return gam * k_cm + bg * k_cm * c


def annihilation_gamma_v_total(E, m: float, k_min: float, n: int = 2001):
    """e+ e- -> gamma V cross section (cm^2 per electron) with lab photon energy above k_min."""
    E = np.atleast_1d(np.asarray(E, dtype=np.float64))
    # the 1/(1 - b^2 c^2) peaks are at |c| -> 1: sample c = tanh(w) on a w grid reaching 1 - b^2 ~ 4 m_e^2/s
    s = 2.0 * M_E * (E + M_E)
    wmax = 0.5 * np.log(4.0 * s / (4.0 * M_E**2)) + 2.0
    w = np.linspace(-1.0, 1.0, n)[None, :] * wmax[:, None]
    c = np.tanh(w)
    jac = 1.0 - c**2
    f = annihilation_gamma_v_dsigma_dc(E[:, None], c, m) * jac
    f = np.where(annihilation_photon_lab_energy(E[:, None], c, m) > k_min, f, 0.0)
    return np.trapezoid(f, w, axis=1)


def dark_compton_dsigma_dt(k, t, m: float):
    """gamma e -> V e dsigma/dt (cm^2/GeV^2 per electron), photon energy k on an electron at rest (docstring)."""
    s = M_E**2 + 2.0 * M_E * np.asarray(k, dtype=np.float64)
    u = 2.0 * M_E**2 + m**2 - s - t
    sp, up = s - M_E**2, u - M_E**2
    msq = -2.0 * (4.0 * math.pi * ALPHA_EM) ** 2 * (up / sp + sp / up + 2.0 * m**2 * t / (sp * up))
    return np.maximum(msq, 0.0) / (16.0 * math.pi * sp**2) * HBARC2_GEV2_CM2


def _lam(a, b, c):
    return a**2 + b**2 + c**2 - 2 * a * b - 2 * a * c - 2 * b * c


def dark_compton_t_range(k, m: float):
    """Physical t range of gamma e -> V e (t = (p_gamma - p_V)^2)."""
    s = M_E**2 + 2.0 * M_E * np.asarray(k, dtype=np.float64)
    p1 = np.sqrt(np.maximum(_lam(s, 0.0, M_E**2), 0.0)) / (2.0 * np.sqrt(s))
    p3 = np.sqrt(np.maximum(_lam(s, m**2, M_E**2), 0.0)) / (2.0 * np.sqrt(s))
    E1 = p1
    E3 = (s + m**2 - M_E**2) / (2.0 * np.sqrt(s))
    base = m**2 - 2.0 * E1 * E3
    return base - 2.0 * p1 * p3, base + 2.0 * p1 * p3


def dark_compton_total(k, m: float, n: int = 801):
    """gamma e -> V e total cross section (cm^2 per electron)."""
    k = np.atleast_1d(np.asarray(k, dtype=np.float64))
    out = np.zeros_like(k)
    s = M_E**2 + 2.0 * M_E * k
    ok = s > (m + M_E) ** 2 * (1.0 + 1e-9)
    if np.any(ok):
        tlo, thi = dark_compton_t_range(k[ok], m)
        # the u' -> 0 (backward) peak sits at t -> tlo: map t = thi - (thi - tlo) * v with fine v near 1
        v = np.linspace(0.0, 1.0, n)[None, :]
        v = 1.0 - (1.0 - v) ** 3
        t = thi[:, None] - (thi - tlo)[:, None] * v
        f = dark_compton_dsigma_dt(k[ok][:, None], t, m)
        out[ok] = np.trapezoid(f, v, axis=1) * (thi - tlo)
    return out
