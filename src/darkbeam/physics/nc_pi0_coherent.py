"""Neutral-current coherent pi0 production nu A -> nu A pi0, Rein-Sehgal PCAC model.

D. Rein and L. M. Sehgal, Nucl. Phys. B 223 (1983) 29 (the NC formula on its p. 34; equation numbers
not re-checked here), with nu = E - E' the energy transfer (= the pion energy, the nuclear recoil
neglected), y = nu/E, x = Q^2/(2 M nu), t the squared four-momentum transfer to the nucleus:

    d^3 sigma / dx dy d|t| = G_F^2 M E / (2 pi^2) f_pi^2 A^2 (1 - y) (1/(16 pi)) sigma_tot(pi N)^2 (1 + r^2)
                             (m_A^2/(m_A^2 + Q^2))^2 exp(-b |t|) F_abs,

PCAC (Adler) at Q^2 = 0 continued with an axial propagator, the forward pi N amplitude A sigma_tot/(4 pi)
(optical theorem, r = Re f/Im f) coherent over the A nucleons, a nuclear form factor
|F(t)|^2 = exp(-b|t|) with b = R^2/3, R = R_0 A^{1/3}, and the absorption of the pion on its way out,
F_abs = exp(-9 A^{1/3} sigma_inel(pi N) / (16 pi R_0^2)).  Parameters of the paper: f_pi = 0.93 m_pi,
m_A = 1 GeV, r = 0.3, R_0 = 1.0 fm.  The same for antineutrinos (the axial current dominates; no
V-A interference at Q^2 -> 0).  The charged-current version is twice this (not used here).

The |t| integral is done in closed form between
|t|_min,max = Q^2 - m_pi^2 + 2 nu^2 -+ 2 sqrt(nu^2 + Q^2) sqrt(nu^2 - m_pi^2) (the pion along / against q);
dx dy = dQ^2 dnu / (2 M nu E).  sigma(E) = int dnu dQ^2 is a fixed Gauss-Legendre quadrature (log nu
panels, sqrt-mapped Q^2), vectorized over energies.

**pi N cross sections** (isospin average for a pi0 on a nucleon: (sigma(pi+ p) + sigma(pi- p))/2).  The
Delta(1232) alone (PDG Kinematics review, resonance cross section: sigma = (2J+1)/((2s_pi+1)(2s_N+1))
4 pi/k^2 BW = 8 pi/k^2 BW for J = 3/2, elasticity 1) enters pi0 p with the isospin weights
|<3/2|pi0 p>|^2 = 2/3 (total) and 2/9 (charge exchange pi0 p -> pi+ n, which removes the coherent pi0:
"inelastic" in the absorption factor).  Smooth non-resonant parts (assumed, approximate; docs/nc_pi0.md
compares them with the tabulated cross sections): sigma_tot += 25 mb (1 - exp(-(p/0.6 GeV)^2)),
sigma_inel += 21 mb (1 - exp(-(p - 0.3 GeV)/0.4 GeV)) above p = 0.3 GeV (two-pion threshold), tending to
the high-energy values (sigma_inel(pi N) ~ 21 mb at p > 10 GeV as in the CERN-HERA 79-01 compilation
used by Rein-Sehgal; sigma_tot(pi+- p) ~ 25 mb there, from memory).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.physics.nc_pi0_delta import M_DELTA, running_width
from darkbeam.units import HBARC2_GEV2_CM2

#: mb -> GeV^-2
MB_GEV2 = 1.0 / 0.3893793721
FM_GEV = 1.0 / 0.1973269804
M_N = C.M_NUCLEON
M_PI = C.M_PI0


def _k_cm(W):
    th = (M_N + C.M_PI) ** 2
    return np.sqrt(np.clip((W * W - th) * (W * W - (M_N - C.M_PI) ** 2), 0.0, None)) / (2.0 * W)


def sigma_delta_pin(p_pi) -> np.ndarray:
    """The Delta(1232) resonance cross section 8 pi/k^2 BW in mb at pion lab momentum p_pi (GeV), the
    pure I = 3/2 channel (pi+ p)."""
    p = np.asarray(p_pi, dtype=float)
    E = np.sqrt(p * p + C.M_PI**2)
    W = np.sqrt(M_N**2 + C.M_PI**2 + 2.0 * M_N * E)
    k = np.maximum(_k_cm(W), 1e-9)
    g = running_width(W)
    bw = (W * g) ** 2 / ((W * W - M_DELTA**2) ** 2 + (W * g) ** 2)
    return 8.0 * math.pi / k**2 * bw / MB_GEV2


def pion_nucleon_xsec(p_pi) -> tuple[np.ndarray, np.ndarray]:
    """(sigma_tot, sigma_inel) in mb for a pi0 on an isospin-averaged nucleon at lab momentum p_pi (GeV)
    (module docstring)."""
    p = np.asarray(p_pi, dtype=float)
    sd = sigma_delta_pin(p)
    tot = 2.0 / 3.0 * sd + 25.0 * (1.0 - np.exp(-((p / 0.6) ** 2)))
    inel = 2.0 / 9.0 * sd + 21.0 * (1.0 - np.exp(-np.clip(p - 0.3, 0.0, None) / 0.4))
    return tot, inel


@dataclass(frozen=True)
class CoherentPi0Xsec:
    """Rein-Sehgal NC coherent pi0 production on a nucleus of mass number ``A`` (cm^2 per nucleus)."""

    A: int
    f_pi: float = 0.93 * C.M_PI
    m_axial: float = 1.0
    re_im: float = 0.3
    r0_fm: float = 1.0
    absorption: bool = True
    n_panels: int = 16
    n_nu: int = 8
    n_q2: int = 24

    def __post_init__(self):
        if not (isinstance(self.A, (int, np.integer)) and self.A >= 2):
            raise ConfigurationError(f"coherent pi0 production needs a nucleus with A >= 2, not A = {self.A}")

    @property
    def b(self) -> float:
        """Slope of |F(t)|^2 = exp(-b|t|), R^2/3 in GeV^-2."""
        R = self.r0_fm * FM_GEV * self.A ** (1.0 / 3.0)
        return R * R / 3.0

    def f_abs(self, nu) -> np.ndarray:
        """Pion absorption factor exp(-9 A^{1/3} sigma_inel/(16 pi R_0^2)) at pion energy nu."""
        if not self.absorption:
            return np.ones_like(np.asarray(nu, dtype=float))
        p = np.sqrt(np.clip(np.asarray(nu) ** 2 - M_PI**2, 0.0, None))
        _, inel = pion_nucleon_xsec(p)
        r0 = self.r0_fm * FM_GEV
        return np.exp(-9.0 * self.A ** (1.0 / 3.0) * inel * MB_GEV2 / (16.0 * math.pi * r0 * r0))

    @staticmethod
    def t_limits(nu, Q2):
        """(|t|_min, |t|_max) in GeV^2 (module docstring); nu >= m_pi."""
        nu, Q2 = np.asarray(nu, dtype=float), np.asarray(Q2, dtype=float)
        a = Q2 - M_PI**2 + 2.0 * nu * nu
        c = 2.0 * np.sqrt(nu * nu + Q2) * np.sqrt(np.clip(nu * nu - M_PI**2, 0.0, None))
        return np.clip(a - c, 0.0, None), a + c

    def d3sigma(self, E, nu, Q2, t) -> np.ndarray:
        """d^3 sigma / dx dy d|t| in cm^2/GeV^2 (the paper's formula, module docstring)."""
        E, nu, Q2, t = (np.asarray(v, dtype=float) for v in (E, nu, Q2, t))
        p = np.sqrt(np.clip(nu * nu - M_PI**2, 0.0, None))
        tot, _ = pion_nucleon_xsec(p)
        y = nu / E
        s = tot * MB_GEV2
        prop = (self.m_axial**2 / (self.m_axial**2 + Q2)) ** 2
        out = (C.G_F**2 * M_N * E / (2.0 * math.pi**2) * self.f_pi**2 * self.A**2 * (1.0 - y) * s * s
               * (1.0 + self.re_im**2) / (16.0 * math.pi) * prop * np.exp(-self.b * t) * self.f_abs(nu))
        tmin, tmax = self.t_limits(nu, Q2)
        ok = (nu > M_PI) & (nu < E) & (t >= tmin) & (t <= tmax)
        return np.where(ok, out, 0.0) * HBARC2_GEV2_CM2

    def d2sigma_dQ2dnu(self, E, nu, Q2) -> np.ndarray:
        """d^2 sigma / dQ^2 dnu (cm^2/GeV^3), the |t| integral done in closed form."""
        E, nu, Q2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (E, nu, Q2)))
        tmin, tmax = self.t_limits(nu, Q2)
        b = self.b
        tint = (np.exp(-b * tmin) - np.exp(-b * tmax)) / b
        nu_s = np.where(nu > M_PI, nu, 2.0 * M_PI)
        f = self.d3sigma(E, nu_s, Q2, tmin) * np.exp(b * tmin) * tint / (2.0 * M_N * nu_s * E)
        kin = (nu > M_PI) & (nu < E) & (Q2 >= 0) & (Q2 <= 4.0 * E * (E - nu))
        return np.where(kin, f, 0.0)

    def q2_max(self, E, nu):
        """Upper end of the Q^2 quadrature: the lepton kinematics 4 E (E - nu) or where
        exp(-b |t|_min) < e^-40 (|t|_min >= ((Q^2 + m_pi^2)/(2 nu))^2)."""
        return np.minimum(4.0 * E * (E - nu), np.clip(2.0 * nu * math.sqrt(40.0 / self.b) - M_PI**2, 0.0, None))

    def nodes(self, E):
        """Quadrature nodes (E, nu, Q^2, weight), shape (len(E), n): nu in log panels (m_pi, E),
        Q^2 = Q^2_max u^2."""
        E = np.atleast_1d(np.asarray(E, dtype=float))
        x, w = np.polynomial.legendre.leggauss(self.n_nu)
        u = np.arange(self.n_panels)[:, None] + 0.5 * (x[None] + 1.0)
        u, wu = (u / self.n_panels).ravel(), np.tile(0.5 * w / self.n_panels, self.n_panels)
        lo, hi = math.log(M_PI), np.log(np.maximum(E, M_PI))
        lnu = lo + (hi - lo)[:, None] * u[None]
        nu = np.exp(lnu)
        wnu = (hi - lo)[:, None] * wu[None] * nu
        xq, wq = np.polynomial.legendre.leggauss(self.n_q2)
        s = 0.5 * (xq + 1.0)
        qm = self.q2_max(E[:, None], nu)
        Q2 = qm[:, :, None] * s[None, None] ** 2
        wQ = qm[:, :, None] * 2.0 * s[None, None] * 0.5 * wq[None, None]
        n = E.size
        EE = np.broadcast_to(E[:, None, None], Q2.shape)
        NU = np.broadcast_to(nu[:, :, None], Q2.shape)
        return EE.reshape(n, -1), NU.reshape(n, -1), Q2.reshape(n, -1), (wnu[:, :, None] * wQ).reshape(n, -1)

    def sigma(self, E) -> np.ndarray:
        """sigma(E) in cm^2 per nucleus at neutrino energies E (GeV); 0 below m_pi."""
        E = np.atleast_1d(np.asarray(E, dtype=float))
        out = np.zeros(E.size)
        for lo in range(0, E.size, 256):
            EE, nu, Q2, w = self.nodes(E[lo:lo + 256])
            out[lo:lo + 256] = np.sum(self.d2sigma_dQ2dnu(EE, nu, Q2) * w, axis=1)
        return out
