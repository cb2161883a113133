"""Line shapes of the vector mesons that make e+e- -> hadrons below 2 GeV (used by r_ratio.py).

Everything here is an amplitude in units where the e+e- R ratio of one final state f is
R_f(s) = |A_f(s)|^2 for a photon (docs/decays_dark.md, section 3.1).  A narrow or broad resonance V
seen in f contributes (relativistic Breit-Wigner, PDG 2024 review "Kinematics"; R at the peak
9 B_ee B_f / alpha^2)

    a_V,f(s) = (3 / alpha) sqrt(B_ee B_f F_f(s)) m_V Gamma_V / (m_V^2 - s - i m_V Gamma_V(s)),

with F_f(s) = Gamma_f(s)/Gamma_f(m_V^2) the energy dependence of the partial width (P wave for two
pseudoscalars, k^3 for a pseudoscalar and a photon, the phase-space integral of eq. V3 for 3 pi).
An excited vector k (rho', omega', phi', ...) with fixed width is

    a_k,f(s) = A_k e^{i phi_k} sqrt(F_f(s)/F_f(m_k^2)) m_k Gamma_k / (m_k^2 - s - i m_k Gamma_k),

so that |A_k|^2 is its R at the peak.  Their A_k, phi_k, m_k, Gamma_k (:data:`EXCITED`) come from a
fit (benchmarks/fit_r_ratio_vmd.py) to the exclusive R_mu^f of DarkCast (Ilten, Soreq, Williams,
Xue 1801.04847, section 2.2), which is itself a vector-meson-dominance fit to the BaBar, CMD-2,
CMD-3, KLOE and SND e+e- data; the fit starts from and stays near the PDG 2024 masses and widths of
rho(1450), rho(1700), omega(1420), omega(1650) and phi(1680).

The pion form factor is the Gounaris-Sakurai sum of rho(770), rho(1450) and rho(1700) of Belle's
tau -> pi pi0 nu fit (Fujikawa et al., PRD 78 (2008) 072006, Table VII, F_pi(0) = 1 fixed), with the
PDG 2024 neutral rho(770) mass and width, times the rho-omega mixing factor

    1 + kappa s / (m_omega^2 - s - i m_omega Gamma_omega)

(the standard parametrisation of e+e- -> pi+ pi-, e.g. CMD-2 hep-ex/0308008, BaBar 1205.2228) whose
strength kappa is fixed by the PDG 2024 B(omega -> pi+ pi-) = 1.53 % (:func:`rho_omega_kappa`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from darkbeam import constants as C

# ----------------------------------------------------------------------- PDG 2024 resonances (GeV)
#: rho(770) (neutral; PDG 2024 e+e- average): mass, width
RHO = dict(m=C.M_RHO, width=0.1491)
#: rho(1450), rho(1700) admixtures of Belle's Gounaris-Sakurai fit (PRD 78 (2008) 072006, Table VII,
#: F_pi(0) = 1): mass, width, |beta|, arg(beta) in degrees
RHO_1450 = dict(m=1.446, width=0.434, mod=0.15, phase_deg=202.0)
RHO_1700 = dict(m=1.728, width=0.164, mod=0.037, phase_deg=24.0)
#: omega(782): mass, width, B(e+e-), exclusive branching ratios
OMEGA = dict(m=C.M_OMEGA, width=8.68e-3, b_ee=7.38e-5,
             modes={("pi+", "pi-", "pi0"): 0.892, ("pi0", "gamma"): 0.0833, ("pi+", "pi-"): 0.0153})
#: phi(1020)
PHI = dict(m=C.M_PHI, width=4.249e-3, b_ee=2.979e-4,
           modes={("K+", "K-"): 0.491, ("K0_L", "K0_S"): 0.339, ("pi+", "pi-", "pi0"): 0.1524, ("eta", "gamma"): 0.01303})

_MASS = {"pi+": C.M_PI, "pi-": C.M_PI, "pi0": C.M_PI0, "K+": C.M_K, "K-": C.M_K, "K0_L": C.M_K0, "K0_S": C.M_K0,
         "eta": C.M_ETA, "gamma": 0.0}

#: Excited vector mesons by VMD family and final-state group (fit of benchmarks/fit_r_ratio_vmd.py):
#: (the PDG state the term started from, A, phase in degrees, mass GeV, width GeV).  Masses were
#: kept within 0.15 GeV of the PDG 2024 values and widths within 0.05-0.6 GeV; terms that ended on
#: those bounds (e.g. 'omega(1420)' at 1.26 GeV) are effective backgrounds of the final state, not
#: measurements of the state they are named after.  Groups: '3pi' (pi+ pi- pi0, omega family), 'KK'
#: (K Kbar, phi family), and the multi-hadron groups of :data:`MULTI_THRESHOLD`: 'rho_4pi' (4 pi),
#: 'rho_other', 'omega_other', 'phi_other' (the rest of each family: eta pi pi, 6 pi, ...), 'phi_kkpi'
#: (K K pi); see docs/decays_dark.md.
EXCITED: dict[str, list[tuple[str, float, float, float, float]]] = {
    "3pi": [("omega(1420)", 0.3241, 141.1, 1.26, 0.3853), ("omega(1650)", 0.3653, 314.1, 1.616, 0.2986)],
    "KK": [("phi(1680)", 0.2035, 349.2, 1.711, 0.1508), ("omega(1420)", 0.4699, 177.6, 1.26, 0.6)],
    "rho_4pi": [("rho(1450)", 7.437, 345.1, 1.315, 0.6), ("rho(1700)", 1.495, 14.9, 1.57, 0.2577)],
    "rho_other": [("rho(1450)", 2.748, 64.06, 1.526, 0.1127), ("rho(1700)", 3.033, 293.5, 1.57, 0.6)],
    "omega_other": [("omega(1650)", 1.836, 360.0, 1.52, 0.6)],
    "phi_kkpi": [("phi(1680)", 0.924, 0.8355, 1.652, 0.1968)],
    "phi_other": [("phi(1680)", 38.06, 214.2, 1.53, 0.05)],
}
#: multi-hadron groups: (threshold GeV, power n of the phase-space factor ((sqrt s - E_th)/sqrt s)^n);
#: 4 pi and K* K open at their thresholds, the 'other' groups where DarkCast's remainder starts
MULTI_THRESHOLD = {"rho_4pi": (4 * C.M_PI, 7.628), "rho_other": (1.48, 0.8041), "omega_other": (1.6355, 1.091),
                   "phi_kkpi": (C.M_KSTAR + C.M_K, 0.5949), "phi_other": (1.709, 1.294)}
#: family of each group: the Z' coupling coefficient that multiplies its amplitude
GROUP_FAMILY = {"3pi": "omega", "KK": "phi", "rho_4pi": "rho", "rho_other": "rho", "omega_other": "omega",
                "phi_kkpi": "phi", "phi_other": "phi"}


# ----------------------------------------------------------------------- kinematics
def p2body(sqrt_s, m1, m2):
    """Momentum of either daughter in a two-body decay at rest (0 below threshold)."""
    s = np.asarray(sqrt_s, dtype=float) ** 2
    lam = (s - (m1 + m2) ** 2) * (s - (m1 - m2) ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * np.sqrt(np.where(s > 0, s, 1.0)))
    return np.where(s > (m1 + m2) ** 2, p, 0.0)


@lru_cache(maxsize=4)
def _three_pion_table(n_mass: int = 300, n_nodes: int = 24):
    """Tabulated I(M) = int dm12^2 dm23^2 M^2 |p1 x p2|^2 / M^3 for pi+ pi- pi0 (arbitrary units).

    Proportional to the partial width of a vector decaying into three pions through the
    Levi-Civita vertex eps_{mu nu rho sigma} eps^mu k1^nu k2^rho k3^sigma (constant coupling).
    Gauss-Legendre in m12^2 and in the cosine of the pi0 angle in the (12) frame.
    """
    m1, m2, m3 = C.M_PI, C.M_PI, C.M_PI0
    mth = m1 + m2 + m3
    masses = mth + (3.0 - mth) * np.linspace(0.0, 1.0, n_mass) ** 2
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    M = masses[:, None, None]
    lo, hi = (m1 + m2), M - m3
    m12 = lo + (hi - lo) * (x[None, :, None] + 1) / 2
    jac12 = (hi - lo) / 2 * 2 * m12  # d m12^2 = 2 m12 d m12
    s12 = m12**2
    q1 = np.sqrt(np.clip((s12 - (m1 + m2) ** 2) * (s12 - (m1 - m2) ** 2), 0, None)) / (2 * m12)
    q3 = np.sqrt(np.clip((M**2 - (m12 + m3) ** 2) * (M**2 - (m12 - m3) ** 2), 0, None)) / (2 * m12)
    E1 = np.sqrt(q1**2 + m1**2)
    E3 = np.sqrt(q3**2 + m3**2)
    c = x[None, None, :]
    # Explicit four-vectors in the (12) rest frame: k1 = (E1, q1 n), k2 = (E2, -q1 n), k3 = (E3, q3 z),
    # n = (sqrt(1 - c^2), 0, c), P = k1 + k2 + k3.  Gram(P, k1, k3) = M^2 |p1 x p3|^2 in the V rest frame,
    # which equals M^2 |p1 x p2|^2 (momentum conservation); the Gram determinant is Lorentz invariant.
    E2 = np.sqrt(q1**2 + m2**2)
    sn = np.sqrt(np.clip(1 - c**2, 0, None))
    zero = 0.0 * (c + M)
    k1 = (E1 + zero, q1 * sn + zero, zero, q1 * c + zero)
    k2 = (E2 + zero, -q1 * sn + zero, zero, -q1 * c + zero)
    k3 = (E3 + zero, zero, zero, q3 + zero)
    P = tuple(a + b + d for a, b, d in zip(k1, k2, k3))

    def dot(a, b):
        return a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3]

    g11, g12, g13 = dot(P, P), dot(P, k1), dot(P, k3)
    g22, g23, g33 = dot(k1, k1), dot(k1, k3), dot(k3, k3)
    gram = g11 * (g22 * g33 - g23**2) - g12 * (g12 * g33 - g23 * g13) + g13 * (g12 * g23 - g22 * g13)
    jac23 = 2 * q1 * q3  # m23^2 = m2^2 + m3^2 + 2 (E2 E3 + q1 q3 c)
    integrand = np.clip(gram, 0, None)
    I = np.sum(w[None, :, None] * w[None, None, :] * integrand * jac12 * jac23, axis=(1, 2))
    return masses, I / masses**3


def three_pion_phase_space(sqrt_s):
    """I(sqrt s) of :func:`_three_pion_table`, interpolated; 0 below the 3 pi threshold."""
    masses, table = _three_pion_table()
    x = np.asarray(sqrt_s, dtype=float)
    out = np.interp(x, masses, table, left=0.0, right=np.nan)
    big = x > masses[-1]  # above 3 GeV: the massless limit, I ∝ M^5
    if np.any(big):
        out = np.where(big, table[-1] * (x / masses[-1]) ** 5, out)
    return out


def width_factor(final_state, sqrt_s, m_v):
    """F_f = Gamma_f(s) / Gamma_f(m_V^2) for a vector of mass m_v decaying into ``final_state``."""
    x = np.asarray(sqrt_s, dtype=float)
    if len(final_state) == 3:
        return three_pion_phase_space(x) / three_pion_phase_space(m_v)
    a, b = final_state
    ma, mb = _MASS[a], _MASS[b]
    p, p0 = p2body(x, ma, mb), p2body(m_v, ma, mb)
    if "gamma" in final_state:  # M1 transition V -> P gamma: Gamma ∝ k^3
        return (p / p0) ** 3
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, (p / p0) ** 3 * (m_v / np.where(x > 0, x, 1.0)) ** 2, 0.0)


# ----------------------------------------------------------------------- omega and phi
def _running_total_width(x, res):
    partial = sum(res["width"] * b * width_factor(f, x, res["m"]) for f, b in res["modes"].items())
    return partial + res["width"] * (1.0 - sum(res["modes"].values()))


def narrow_amplitude(sqrt_s, res, final_state):
    """a_V,f(s) of the omega or phi (dicts :data:`OMEGA`, :data:`PHI`) in ``final_state`` (module docstring)."""
    x = np.asarray(sqrt_s, dtype=float)
    m, width = res["m"], res["width"]
    F = width_factor(final_state, x, m)
    den = m**2 - x**2 - 1j * m * _running_total_width(x, res)
    return 3.0 / C.ALPHA_EM * np.sqrt(res["b_ee"] * res["modes"][final_state] * F) * m * width / den


# ----------------------------------------------------------------------- pion form factor
def _gs_k(s, mpi=C.M_PI):
    return np.sqrt(np.clip(s / 4.0 - mpi**2, 0.0, None))


def _gs_h(s, mpi=C.M_PI):
    x = np.sqrt(s)
    k = _gs_k(s, mpi)
    return 2.0 / np.pi * k / x * np.log((x + 2.0 * k) / (2.0 * mpi))


def gs_bw(s, m, width, mpi=C.M_PI):
    """Gounaris-Sakurai Breit-Wigner, normalised to 1 at s = 0 (PRL 21 (1968) 244).

    BW(s) = m^2 (1 + d Gamma/m) / (m^2 - s + f(s) - i m Gamma(s)), Gamma(s) = Gamma (m/sqrt s) (k/k_m)^3,
    f(s) = Gamma m^2/k_m^3 [k^2 (h(s) - h(m^2)) + (m^2 - s) k_m^2 h'(m^2)],
    d = 3 m_pi^2/(pi k_m^2) ln((m + 2 k_m)/(2 m_pi)) + m/(2 pi k_m) - m_pi^2 m/(pi k_m^3).
    Valid above the pi pi threshold.
    """
    m2 = m * m
    km = _gs_k(m2, mpi)
    eps = 1e-6
    dh = (_gs_h(m2 * (1 + eps), mpi) - _gs_h(m2 * (1 - eps), mpi)) / (2 * eps * m2)
    k = _gs_k(s, mpi)
    x = np.sqrt(s)
    g = width * (m / x) * (k / km) ** 3
    f = width * m2 / km**3 * (k**2 * (_gs_h(s, mpi) - _gs_h(m2, mpi)) + (m2 - s) * km**2 * dh)
    d = 3.0 * mpi**2 / (np.pi * km**2) * np.log((m + 2 * km) / (2 * mpi)) + m / (2 * np.pi * km) - mpi**2 * m / (np.pi * km**3)
    return m2 * (1.0 + d * width / m) / (m2 - s + f - 1j * m * g)


def isovector_pion_form_factor(sqrt_s):
    """F_rho(s) = [BW(rho) + beta BW(rho(1450)) + gamma BW(rho(1700))]/(1 + beta + gamma), Belle's fit.

    Complex; 0 below the pi+ pi- threshold; F_rho(0) = 1 (the pion charge).
    """
    x = np.asarray(sqrt_s, dtype=float)
    above = x > 2.0 * C.M_PI
    s = np.where(above, x, 1.0) ** 2
    beta = RHO_1450["mod"] * np.exp(1j * np.radians(RHO_1450["phase_deg"]))
    gamma = RHO_1700["mod"] * np.exp(1j * np.radians(RHO_1700["phase_deg"]))
    bw = (gs_bw(s, RHO["m"], RHO["width"]) + beta * gs_bw(s, RHO_1450["m"], RHO_1450["width"])
          + gamma * gs_bw(s, RHO_1700["m"], RHO_1700["width"]))
    return np.where(above, bw / (1.0 + beta + gamma), 0.0)


def omega_propagator_ratio(sqrt_s):
    """s / (m_omega^2 - s - i m_omega Gamma_omega): the shape of rho-omega mixing."""
    s = np.asarray(sqrt_s, dtype=float) ** 2
    m, g = OMEGA["m"], OMEGA["width"]
    return s / (m**2 - s - 1j * m * g)


@lru_cache(maxsize=1)
def rho_omega_kappa() -> float:
    """Strength kappa of rho-omega mixing from B(omega -> pi+ pi-) (PDG 2024).

    At the omega peak the mixing term alone, (beta^3/4) |F_rho kappa m^2/(i m Gamma)|^2, must equal
    the omega's own R(pi+ pi-) = 9 B_ee B_pipi / alpha^2 (module docstring); kappa > 0 (the
    interference is constructive below the omega, destructive above it, as in the data).
    """
    m, g = OMEGA["m"], OMEGA["width"]
    beta3 = (1.0 - 4.0 * C.M_PI**2 / m**2) ** 1.5
    r_peak = 9.0 * OMEGA["b_ee"] * OMEGA["modes"][("pi+", "pi-")] / C.ALPHA_EM**2
    f2 = float(abs(isovector_pion_form_factor(m)) ** 2)
    return float(np.sqrt(r_peak / (beta3 / 4.0 * f2)) * g / m)


# ----------------------------------------------------------------------- excited states
def excited_amplitude(sqrt_s, group: str, threshold_factor=None):
    """Sum of the excited-vector amplitudes of ``group`` (:data:`EXCITED`), complex.

    ``threshold_factor(x, m)``: F_f(s)/F_f(m^2) of the group's two- or three-body final state (then
    |A|^2 is the term's R at its peak).  None (multi-hadron groups): sqrt(T(s)) of
    :func:`multi_threshold` multiplies each term, so that |A|^2 T(m^2) is its R at the peak.
    """
    x = np.asarray(sqrt_s, dtype=float)
    s = x**2
    out = np.zeros(np.shape(x), dtype=complex)
    for _, amp, phase, m, width in EXCITED[group]:
        F = multi_threshold(x, group) if threshold_factor is None else threshold_factor(x, m)
        out = out + amp * np.exp(1j * np.radians(phase)) * np.sqrt(F) * m * width / (m**2 - s - 1j * m * width)
    return out


def multi_threshold(sqrt_s, group: str):
    """Phase-space factor T(sqrt s) = ((sqrt s - E_th)/sqrt s)^n of a multi-hadron group (0 below E_th)."""
    e_th, n = MULTI_THRESHOLD[group]
    x = np.asarray(sqrt_s, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip((x - e_th) / np.where(x > 0, x, 1.0), 0.0, None) ** n
    return np.where(x > e_th, t, 0.0)
