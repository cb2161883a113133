"""Nuclear and nucleon form factors, functions of Q^2 = -q^2 in GeV^2 (numpy arrays in and out).

Nuclear form factors (normalised to F(0) = 1; spin-independent, i.e. coherent):

* :func:`fourier_bessel`: the model-independent Fourier-Bessel fits of measured charge densities of
  de Vries, de Jager, de Vries, At. Data Nucl. Data Tables 36, 495 (1987), read through the data layer
  (``darkbeam.data.fetch('fourier_bessel')``).  For rho(r) = sum_n a_n j0(n pi r/R) (r < R) the
  transform is analytic:  F(q) = sum_n a_n (-1)^(n+1) j0(qR) / (n^2 pi^2 - q^2 R^2) / sum_n a_n
  (-1)^(n+1) / (n^2 pi^2)  (derivation in docs/xsec.md).
* :func:`symmetrized_fermi`: the analytic transform of the symmetrized Fermi density (Sprung and
  Martorell, J. Phys. A 30, 6525 (1997), eq. 10) with half-density radius c = 1.23 A^(1/3) - 0.60 fm
  (Lewin and Smith, Astropart. Phys. 6, 87 (1996), sec. 4) and diffuseness a = 0.523 fm (the value
  DarkNews uses, 2207.04137).  This is the built-in default for nuclei without Fourier-Bessel data.
* :func:`helm`: the Helm form factor F = 3 j1(q R1)/(q R1) exp(-q^2 s^2/2), R1^2 = c^2 + 7/3 pi^2 a^2
  - 5 s^2, s = 0.9 fm, a = 0.52 fm, c as above (Lewin and Smith 1996, eqs. 4.7-4.11).

Which form factor multiplies which coupling (:class:`NuclearFormFactors`): the photon (dipole) and
every coupling to the protons use the *charge* form factor F_ch (Fourier-Bessel when tabulated, else
symmetrized Fermi); couplings to the neutrons (most of the Z's weak charge) use the neutron-density
form factor F_n: for N = Z nuclei (C12, O16, Si28, Ca40, ...) the measured charge form factor
(Fourier-Bessel).  Reason: isospin symmetry makes the point-neutron and point-proton
densities of an N = Z nucleus equal up to Coulomb effects (mean-field calculations give point-radius
differences of a few 0.01 fm, ~1%; mirror-nucleus radii, B. A. Brown, Phys. Rev. Lett. 119, 122502
(2017)), and it makes the neutron's weak vector form factor (which folds into the nuclear F_n) equal
to the proton's electric one up to (1 - 4 s_W^2) G_E^n and strangeness, so the measured charge form factor
is the neutron weak form factor of an N = Z nucleus without any unfolding of the nucleon size.
C12: rms radius 2.47 fm (de Vries et al.) instead of Helm's 2.58 fm; for every other nucleus Helm
(the usual CEvNS choice, where a neutron skin makes the charge density a poor proxy); the h' (scalar) coherent charge uses
(Z F_ch + N F_n) / A.  The scheme 'fourier-bessel' uses F_ch for everything (DarkNews's choice).

Nucleon form factors (:class:`NucleonFormFactors`): Sachs dipole G_E^p = G_D, G_M^{p,n} = mu_{p,n}
G_D with G_D = (1 + Q^2/M_V^2)^-2, M_V^2 = 0.71 GeV^2, and the Galster parametrisation of G_E^n
(Galster et al., Nucl. Phys. B 32, 221 (1971)); Dirac/Pauli F1 = (G_E + tau G_M)/(1+tau), F2 = (G_M -
G_E)/(1+tau), tau = Q^2/(4 M^2).  Axial G_A = g_A (1 + Q^2/M_A^2)^-2 with g_A = 1.2754 (PDG 2024) and
M_A = 1.026 GeV (Bernard, Elouadrhiri, Meissner, J. Phys. G 28, R1 (2002), hep-ph/0107088); the
induced pseudoscalar from the pion pole (PCAC), G_P = 4 M^2 G_A / (m_pi^2 + Q^2).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError, DataError

#: hbar c in GeV fm: q [fm^-1] = Q [GeV] / HBARC_GEV_FM
HBARC_GEV_FM = 0.1973269804
#: symmetrized-Fermi diffuseness (fm)
FERMI_A_FM = 0.523
#: Helm parameters (Lewin and Smith 1996): skin thickness s and diffuseness a in the radius formula (fm)
HELM_S_FM = 0.9
HELM_A_FM = 0.52


def half_density_radius_fm(A: int) -> float:
    """c = 1.23 A^(1/3) - 0.60 fm (Lewin and Smith 1996, eq. 4.11)."""
    return 1.23 * A ** (1.0 / 3.0) - 0.60


def _q_fm(Q2) -> np.ndarray:
    return np.sqrt(np.maximum(np.asarray(Q2, dtype=float), 0.0)) / HBARC_GEV_FM


# ------------------------------------------------------------------ Fourier-Bessel
@lru_cache(maxsize=1)
def fourier_bessel_table() -> dict[str, tuple[np.ndarray, float]]:
    """{'c12': (coefficients a_n in fm^-3, R in fm), ...} from the de Vries table (data layer)."""
    from darkbeam.data import fetch

    path = fetch("fourier_bessel", "nuclear")
    out: dict[str, tuple[np.ndarray, float]] = {}
    with open(path) as fh:
        rows = csv.reader(line for line in fh if not line.startswith("#"))
        header = next(rows)
        if header[0] != "nucleus" or header[-1] != "R_fm":
            raise DataError(f"unexpected header in {path}: {header[:2]}...{header[-1:]}")
        for row in rows:
            name = row[0].strip().lower()
            if name.startswith("t1"):  # the source table spells thallium 't1203', 't1205'
                name = "tl" + name[2:]
            coeffs = np.array([float(x) for x in row[1:-1]])
            out[name] = (coeffs, float(row[-1]))
    return out


def fourier_bessel_available(name: str) -> bool:
    """Whether the de Vries table has coefficients for nucleus ``name`` (e.g. 'Ar40'); False offline."""
    try:
        return name.lower() in fourier_bessel_table()
    except DataError:
        return False


def fourier_bessel(Q2, coefficients: np.ndarray, R_fm: float) -> np.ndarray:
    """Charge form factor of a Fourier-Bessel density (de Vries et al. 1987); F(0) = 1.

    F(q) = j0(qR) sum_n b_n / (n^2 pi^2 - x^2) / sum_n b_n / (n^2 pi^2),  b_n = (-1)^(n+1) a_n,  x = qR.
    The removable singularities at x = n pi are evaluated by their limit.
    """
    Q2 = np.asarray(Q2, dtype=float)
    x2 = (np.maximum(Q2, 0.0) * (R_fm / HBARC_GEV_FM) ** 2).reshape(-1)
    a = np.asarray(coefficients, dtype=float)
    n = np.arange(1, a.size + 1)
    keep = a != 0
    n, b = n[keep], ((-1.0) ** (n + 1) * a)[keep]
    npi2 = (n * np.pi) ** 2
    norm = np.sum(b / npi2)
    out = np.empty_like(x2)
    for lo in range(0, x2.size, _FB_BLOCK):  # blocks bound the (points x terms) temporary
        xb2 = x2[lo : lo + _FB_BLOCK]
        den = npi2[None, :] - xb2[:, None]
        x = np.sqrt(xb2)
        with np.errstate(divide="ignore", invalid="ignore"):
            block = np.sinc(x / np.pi) * ((1.0 / den) @ b) / norm
        k = np.rint(x / np.pi)
        near = np.nonzero((k >= 1) & (np.abs(xb2 - (k * np.pi) ** 2) < 1e-6 * npi2[0]))[0]
        if near.size:  # x within 1e-6 of some n pi: j0(x)/(n^2 pi^2 - x^2) -> (-1)^(n+1) / (2 n^2 pi^2)
            d = den[near]
            close = np.abs(d) < 1e-6 * npi2[0]
            j0 = np.sinc(x[near] / np.pi)[:, None]
            ratio = np.where(close, (-1.0) ** (n + 1) / (2.0 * npi2), j0 / np.where(close, 1.0, d))
            block[near] = ratio @ b / norm
        out[lo : lo + _FB_BLOCK] = block
    return out.reshape(Q2.shape)


_FB_BLOCK = 1 << 12


# ------------------------------------------------------------------ analytic
def symmetrized_fermi(Q2, c_fm: float, a_fm: float = FERMI_A_FM) -> np.ndarray:
    """Symmetrized Fermi form factor (Sprung and Martorell 1997, eq. 10); F(0) = 1.

    F(q) = 3/(qc ((qc)^2 + (pi q a)^2)) * (pi q a / sinh(pi q a)) * (pi q a coth(pi q a) sin(qc) - qc cos(qc)).
    """
    Q2 = np.asarray(Q2, dtype=float)
    q = _q_fm(Q2)
    qc, y = q * c_fm, np.pi * q * a_fm
    small = y < 1e-3
    ys = np.where(small, 1.0, np.minimum(y, 700.0))
    qcs = np.where(small, 1.0, qc)
    full = 3.0 / (qcs * (qcs**2 + ys**2)) * (ys / np.sinh(ys)) * (ys / np.tanh(ys) * np.sin(qcs) - qcs * np.cos(qcs))
    full = np.where(y > 700.0, 0.0, full)
    # series: F = 1 - q^2 <r^2>/6,  <r^2> = 3/5 c^2 + 7/5 pi^2 a^2
    r2 = 0.6 * c_fm**2 + 1.4 * (np.pi * a_fm) ** 2
    return np.where(small, 1.0 - q**2 * r2 / 6.0, full)


def helm(Q2, A: int, s_fm: float = HELM_S_FM, a_fm: float = HELM_A_FM) -> np.ndarray:
    """Helm form factor with the Lewin-Smith radius R1^2 = c^2 + 7/3 pi^2 a^2 - 5 s^2; F(0) = 1."""
    Q2 = np.asarray(Q2, dtype=float)
    q = _q_fm(Q2)
    c = half_density_radius_fm(A)
    R1 = np.sqrt(max(c**2 + 7.0 / 3.0 * (np.pi * a_fm) ** 2 - 5.0 * s_fm**2, 0.25))
    x = q * R1
    small = x < 1e-3
    xs = np.where(small, 1.0, x)
    f = np.where(small, 1.0 - x**2 / 10.0, 3.0 * (np.sin(xs) - xs * np.cos(xs)) / xs**3)
    return f * np.exp(-0.5 * (q * s_fm) ** 2)


# ------------------------------------------------------------------ per nucleus
NUCLEAR_SCHEMES = ("default", "fourier-bessel", "fermi", "helm")


@dataclass(frozen=True)
class NuclearFormFactors:
    """Charge, proton-density and neutron-density form factors of one nucleus.

    ``scheme``: 'default' (charge and protons: Fourier-Bessel, else symmetrized Fermi; neutrons:
    Fourier-Bessel for N = Z nuclei that have it, else Helm), 'fourier-bessel' (Fourier-Bessel, else symmetrized Fermi, for everything: DarkNews's
    choice), 'fermi' (symmetrized Fermi for everything) or 'helm' (Helm for everything).
    """

    name: str
    A: int
    scheme: str = "default"

    def __post_init__(self):
        if self.scheme not in NUCLEAR_SCHEMES:
            raise ConfigurationError(f"unknown nuclear form-factor scheme '{self.scheme}' (choose from {', '.join(NUCLEAR_SCHEMES)})")

    @property
    def charge_kind(self) -> str:
        """'fourier-bessel', 'fermi' or 'helm': what :meth:`charge` evaluates."""
        if self.scheme == "helm":
            return "helm"
        if self.scheme in ("default", "fourier-bessel") and fourier_bessel_available(self.name):
            return "fourier-bessel"
        return "fermi"

    @property
    def isospin_symmetric(self) -> bool:
        """N = Z: the neutron density is taken equal to the proton (charge) density (isospin symmetry)."""
        from darkbeam.physics.nuclear import parse_name

        Z, A = parse_name(self.name)
        return 2 * Z == A

    @property
    def neutron_kind(self) -> str:
        """What :meth:`neutron` evaluates.  'default': the measured charge density (Fourier-Bessel) for
        N = Z nuclei, Helm otherwise (and when no Fourier-Bessel table is available)."""
        if self.scheme == "default":
            return "fourier-bessel" if self.isospin_symmetric and self.charge_kind == "fourier-bessel" else "helm"
        return "helm" if self.scheme == "helm" else self.charge_kind

    def _eval(self, kind: str, Q2) -> np.ndarray:
        if kind == "fourier-bessel":
            a, R = fourier_bessel_table()[self.name.lower()]
            return fourier_bessel(Q2, a, R)
        if kind == "helm":
            return helm(Q2, self.A)
        return symmetrized_fermi(Q2, half_density_radius_fm(self.A))

    def charge(self, Q2) -> np.ndarray:
        """Charge form factor F_ch(Q^2): photon and proton couplings."""
        return self._eval(self.charge_kind, Q2)

    def neutron(self, Q2) -> np.ndarray:
        """Neutron-density form factor F_n(Q^2)."""
        return self._eval(self.neutron_kind, Q2)


# ------------------------------------------------------------------ nucleons
#: magnetic moments in nuclear magnetons (CODATA 2018)
MU_PROTON = 2.79284734463
MU_NEUTRON = -1.91304273


@dataclass(frozen=True)
class NucleonFormFactors:
    """Dipole nucleon form factors (parameters and sources in the module docstring).

    ``galster``: use the Galster G_E^n (else G_E^n = 0); ``induced_pseudoscalar``: include the
    pion-pole G_P (else 0, as in DarkNews).
    """

    MV2: float = 0.71
    MA: float = 1.026
    gA: float = 1.2754
    mu_p: float = MU_PROTON
    mu_n: float = MU_NEUTRON
    galster: bool = True
    induced_pseudoscalar: bool = True
    m_pion: float = C.M_PI0

    def dipole(self, Q2) -> np.ndarray:
        return 1.0 / (1.0 + np.asarray(Q2, dtype=float) / self.MV2) ** 2

    def sachs(self, Q2, M: float = C.M_NUCLEON) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(G_E^p, G_M^p, G_E^n, G_M^n)."""
        Q2 = np.asarray(Q2, dtype=float)
        gd = self.dipole(Q2)
        tau = Q2 / (4.0 * M**2)
        gen = -self.mu_n * tau * gd / (1.0 + 5.6 * tau) if self.galster else np.zeros_like(gd)
        return gd, self.mu_p * gd, gen, self.mu_n * gd

    def dirac_pauli(self, Q2, M: float = C.M_NUCLEON) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Electromagnetic (F1^p, F2^p, F1^n, F2^n), F1^p(0) = 1, F2^p(0) = mu_p - 1."""
        Q2 = np.asarray(Q2, dtype=float)
        tau = Q2 / (4.0 * M**2)
        gep, gmp, gen, gmn = self.sachs(Q2, M)
        f1 = lambda ge, gm: (ge + tau * gm) / (1.0 + tau)  # noqa: E731
        f2 = lambda ge, gm: (gm - ge) / (1.0 + tau)  # noqa: E731
        return f1(gep, gmp), f2(gep, gmp), f1(gen, gmn), f2(gen, gmn)

    def axial(self, Q2) -> np.ndarray:
        """G_A(Q^2), G_A(0) = g_A."""
        return self.gA / (1.0 + np.asarray(Q2, dtype=float) / self.MA**2) ** 2

    def pseudoscalar_ratio(self, Q2, M: float = C.M_NUCLEON) -> np.ndarray:
        """G_P / (2 G_A) = 2 M^2 / (m_pi^2 + Q^2): the coefficient of q^mu gamma5 / M relative to G_A."""
        Q2 = np.asarray(Q2, dtype=float)
        if not self.induced_pseudoscalar:
            return np.zeros_like(Q2)
        return 2.0 * M**2 / (self.m_pion**2 + Q2)
