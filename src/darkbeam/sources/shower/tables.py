"""Per-material tables for the shower transport: macroscopic cross sections (1/cm), stopping power and
range on a logarithmic grid of kinetic energy, and inverse cumulative distributions for sampling the
secondaries (physics in darkbeam.physics.shower; docs/showers.md).

Energies here are kinetic energies T for e+- and k for photons.  Every table row i belongs to
T_i = T_cut exp(i h).  A sampled energy between rows uses row i or i+1 with the linear-interpolation
probability (an unbiased mixture of the two neighbouring distributions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from darkbeam.constants import M_E, M_MU
from darkbeam.errors import ConfigurationError
from darkbeam.physics.shower import dark_brem_exact, dark_xsec, em_xsec
from darkbeam.physics.shower.materials import ShowerMaterial
from darkbeam.physics.shower.muon import muon_stopping_power

#: grid points per e-fold of energy, and rows of the inverse cumulative tables
PER_EFOLD = 16
N_PROB = 129
N_FINE = 513


@dataclass
class LogGrid:
    """A logarithmic grid from ``lo`` to ``hi`` with ``PER_EFOLD`` points per e-fold."""

    lo: float
    hi: float
    T: np.ndarray = field(init=False)
    h: float = field(init=False)

    def __post_init__(self):
        n = max(8, int(math.ceil(math.log(self.hi / self.lo) * PER_EFOLD)) + 1)
        self.T = self.lo * np.exp(np.linspace(0.0, math.log(self.hi / self.lo), n))
        self.h = math.log(self.hi / self.lo) / (n - 1)

    def locate(self, T):
        """Row index i and fraction f with T = T_i exp(f h), clipped to the grid."""
        u = np.log(np.maximum(T, self.lo) / self.lo) / self.h
        i = np.minimum(u.astype(np.int64), len(self.T) - 2)
        return i, np.clip(u - i, 0.0, 1.0)

    def interp(self, table, T):
        """Linear interpolation in log T of a tabulated quantity."""
        i, f = self.locate(T)
        return table[i] * (1.0 - f) + table[i + 1] * f


def inverse_cdf_rows(pdf_rows: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Inverse cumulative distributions (N_PROB columns) of pdfs tabulated on the grid ``v`` of [0, 1]."""
    cdf = np.concatenate([np.zeros((pdf_rows.shape[0], 1)),
                          np.cumsum(0.5 * (pdf_rows[:, 1:] + pdf_rows[:, :-1]) * np.diff(v), axis=1)], axis=1)
    P = np.linspace(0.0, 1.0, N_PROB)
    out = np.empty((pdf_rows.shape[0], N_PROB))
    for r in range(pdf_rows.shape[0]):
        c = cdf[r]
        if c[-1] <= 0.0:
            out[r] = P
            continue
        c = c / c[-1]
        keep = np.concatenate([[True], np.diff(c) > 0.0])
        out[r] = np.interp(P, c[keep], v[keep])
    return out


def sample_rows(grid: LogGrid, inv: np.ndarray, T: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sample v in [0, 1] from the tabulated inverse cumulative distributions at energies T."""
    i, f = grid.locate(T)
    i = i + (rng.random(T.size) < f)
    p = rng.random(T.size) * (N_PROB - 1)
    j = np.minimum(p.astype(np.int64), N_PROB - 2)
    w = p - j
    return inv[i, j] * (1.0 - w) + inv[i, j + 1] * w


class ShowerTables:
    """All tables of one material for kinetic energies from ``cut`` to ``t_max`` (GeV)."""

    def __init__(self, material: ShowerMaterial, cut: float, t_max: float):
        self.material = material
        self.cut = cut
        self.grid = g = LogGrid(cut, max(t_max, 4.0 * cut) * 1.02)
        T = g.T
        n_at = material.atoms_per_cm3
        Zs, As = material.Z, material.A
        self.n_e = material.electrons_per_cm3
        self.X0 = material.X0_cm
        v = np.linspace(0.0, 1.0, N_FINE)[None, :]

        # --- bremsstrahlung (k > cut), restricted radiative loss (k < cut)
        E = (T + M_E)[:, None]
        kmax = T[:, None]
        k = cut * (kmax / cut) ** v  # log spacing from cut to T
        dsk = sum(n * em_xsec.brem_dsigma_dk(z, E, k) for n, z in zip(n_at, Zs))
        pdf_brem = dsk * k  # per unit ln k
        self.brem = np.trapezoid(pdf_brem, v, axis=1) * np.log(kmax[:, 0] / cut)
        self.brem[0] = 0.0
        self.inv_brem = inverse_cdf_rows(pdf_brem, v[0])
        ks = cut * v[0][None, :] ** 2  # soft part 0 < k < cut (dsigma/dk ~ 1/k, k dsigma/dk finite)
        ksafe = np.maximum(ks, 1e-12 * cut)
        soft = sum(n * em_xsec.brem_dsigma_dk(z, E, np.minimum(ksafe, 0.999 * kmax)) for n, z in zip(n_at, Zs)) * ksafe
        self.rad_soft = np.trapezoid(soft * 2.0 * v * cut, v, axis=1)

        # --- collision stopping power, total continuous loss and range
        self.dedx = {}
        self.range = {}
        for sp, pos in ((1, False), (2, True)):
            S = material.dedx_collision(T, positron=pos) + self.rad_soft
            self.dedx[sp] = S
            inv = 1.0 / S
            R = np.concatenate([[0.0], np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(T))])
            self.range[sp] = R

        # --- muons (mu- and mu+ alike): ionisation only (physics/shower/muon.py)
        S = muon_stopping_power(T, material)
        self.dedx[3] = self.dedx[4] = S
        inv = 1.0 / S
        self.range[3] = self.range[4] = np.concatenate([[0.0], np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(T))])

        # --- positron annihilation in flight (Heitler), per cm
        self.annih = self.n_e * em_xsec.heitler_total(T + M_E)
        emin, _ = em_xsec.heitler_eps_range(T + M_E)
        eps = emin[:, None] * (0.5 / emin[:, None]) ** v
        self.inv_annih = inverse_cdf_rows(em_xsec.heitler_dsigma_deps(T[:, None] + M_E, eps) * eps, v[0])
        self.annih_emin = emin

        # --- photons: Compton (Klein-Nishina) and pair production
        self.compton = self.n_e * em_xsec.klein_nishina_total(T)
        e0 = 1.0 / (1.0 + 2.0 * T / M_E)
        eps = e0[:, None] ** (1.0 - v)
        self.inv_compton = inverse_cdf_rows(em_xsec.klein_nishina_dsigma_deps(T[:, None], eps) * eps, v[0])
        xlo = np.minimum(M_E / T, 0.5)[:, None]
        x = xlo + (1.0 - 2.0 * xlo) * v
        dsx = sum(n * em_xsec.pair_dsigma_dx(z, T[:, None], x) for n, z in zip(n_at, Zs))
        self.pair = np.trapezoid(dsx, v, axis=1) * (1.0 - 2.0 * xlo[:, 0])
        self.inv_pair = inverse_cdf_rows(dsx + 1e-300, v[0])
        self.photon_total = self.compton + self.pair

    def charged_total(self, species: np.ndarray, T: np.ndarray) -> np.ndarray:
        """Discrete interactions per cm: bremsstrahlung above the cut (e+-) and annihilation (e+); none for muons."""
        tot = np.where(species <= 2, self.grid.interp(self.brem, T), 0.0)
        return tot + np.where(species == 2, self.grid.interp(self.annih, T), 0.0)

    def _by_species(self, tables, species, T):
        out = self.grid.interp(tables[1], T)
        for sp in (2, 3):
            sel = species == sp if sp == 2 else species >= 3
            if np.any(sel):
                out = np.where(sel, self.grid.interp(tables[sp], T), out)
        return out

    def dedx_at(self, species, T):
        return self._by_species(self.dedx, species, T)

    def range_at(self, species, T):
        return self._by_species(self.range, species, T)

    def energy_at_range(self, species, R):
        """Inverse of the range table (linear in T between grid points)."""
        out = np.empty_like(R)
        for sp in (1, 2, 3, 4):
            sel = species == sp
            if np.any(sel):
                out[sel] = np.interp(R[sel], self.range[sp], self.grid.T)
        return out


#: half-width (relative) of the energy window over which the positron track length is averaged for
#: the resonant yield (an estimator of the expected number of continuous crossings of E_res)
RES_WINDOW = 0.05


class DarkTables:
    """Macroscopic dark-vector cross sections (1/cm at eps = 1) on the same grid, and the cumulative
    integrals G(T) = int_cut^T Sigma(T')/S(T') dT' that give the yield of a continuous slowing-down
    segment exactly: yield = G(T_start) - G(T_end).

    Resonant annihilation: sigma = n_e (2 pi^2 alpha/m_e) delta(E - E_res) integrated over the positron
    track is n_e (2 pi^2 alpha/m_e) (dL/dE)(E_res), dL/dE the differential track length.  It is
    estimated as the track length with T in E_res (1 -+ RES_WINDOW) divided by the window width: for one
    positron slowing down continuously that is n_e (2 pi^2 alpha/m_e) / (dE/dx) up to O(RES_WINDOW^2), the
    closed form, and it averages the rare crossings of E_res over a window (much smaller variance than
    counting crossings).

    Dark bremsstrahlung models: "ww" and "iww" (dark_xsec), and "exact" = WW times the exact/WW ratio of the
    tree-level 2 -> 3 cross section (dark_brem_exact.ExactBremTable, tabulated on a few energies and
    interpolated in ln E); muons (species 3, 4) use the same formulas with the muon mass ("brem_mu")."""

    PROCESSES = ("brem_e-", "brem_e+", "annihilation_resonant", "annihilation_gamma_V", "compton")
    #: processes of muons in the target (reported for muon primaries; kept apart so that consumers of the
    #: electron-photon list above are unchanged)
    MUON_PROCESSES = ("brem_mu",)
    ALL_PROCESSES = PROCESSES + MUON_PROCESSES
    MODELS = ("exact", "ww", "iww")

    def __init__(self, tables: ShowerTables, mass: float, brem_model: str = "ww", muons: bool = False):
        """``muons``: tables for a muon primary (muon bremsstrahlung only; the electron-photon processes are zero)."""
        if brem_model not in self.MODELS:
            raise ConfigurationError(f"unknown dark-bremsstrahlung model '{brem_model}' (exact, ww or iww)")
        self.mass = m = mass
        self.brem_model = brem_model
        self.tables = tables
        mat = tables.material
        T = tables.grid.T
        n_at = mat.atoms_per_cm3
        self.exact = {}
        if muons:  # a muon primary: no electron, positron or photon is transported (muon.py)
            zero = np.zeros_like(T)
            self.inv_brem_x = None
            self.sigma = {"brem_e-": zero, "brem_e+": zero, "annihilation_gamma_V": zero, "compton": zero}
        else:
            brem = self._brem_sigma(mat, n_at, T, m, M_E, brem_model)
            self.inv_brem_x = self._brem_x_shape(mat, n_at, T + M_E, m, M_E, "iww" if brem_model == "iww" else "ww")
            self.sigma = {
                "brem_e-": brem,
                "brem_e+": brem,
                "annihilation_gamma_V": tables.n_e * dark_xsec.annihilation_gamma_v_total(T + M_E, m, tables.cut),
                "compton": tables.n_e * dark_xsec.dark_compton_total(T, m),
            }
        spec = [("brem_e-", 1), ("brem_e+", 2), ("annihilation_gamma_V", 2)]
        if muons:
            self.sigma["brem_mu"] = self._brem_sigma(mat, n_at, T, m, M_MU, brem_model)
            self.inv_brem_x_mu = self._brem_x_shape(mat, n_at, T + M_MU, m, M_MU, "iww" if brem_model == "iww" else "ww")
            spec.append(("brem_mu", 3))
        self.G = {}
        for name, sp in spec:
            f = self.sigma[name] / tables.dedx[sp]
            self.G[name] = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(T))])
        self.T_res = dark_xsec.resonant_energy(m) - M_E
        self.res_strength = tables.n_e * dark_xsec.resonant_strength()

    @staticmethod
    def _dominant(mat, n_at):
        i = int(np.argmax(n_at * mat.Z**2))
        return float(mat.Z[i]), float(mat.A[i])

    def _brem_sigma(self, mat, n_at, T, m, m_l, model):
        """Macroscopic dark-bremsstrahlung cross section (1/cm) of leptons of mass m_l at kinetic energies T.
        exact: WW times the exact/WW ratio of the dominant element (ExactBremTable; the ratio hardly
        depends on Z)."""
        E = T + m_l
        if model == "iww":
            return sum(n * dark_xsec.dark_brem_total(z, a, E, m, lepton_mass=m_l) for n, z, a in zip(n_at, mat.Z, mat.A))
        # WW on every 4th grid point above threshold, interpolated in log sigma (smooth in log E)
        sub = np.unique(np.concatenate([np.arange(0, T.size, 4), [T.size - 1]]))
        Es = E[sub]
        sig = sum(n * dark_xsec.dark_brem_ww_total(z, a, Es, m, lepton_mass=m_l) for n, z, a in zip(n_at, mat.Z, mat.A))
        pos = sig > 0
        brem = np.zeros_like(T)
        if np.count_nonzero(pos) >= 2:
            inside = E >= Es[pos][0]
            brem[inside] = np.exp(np.interp(np.log(E[inside]), np.log(Es[pos]), np.log(sig[pos])))
            first = ~inside & (E > m + m_l)
            if np.any(first):  # below the first positive point: the exact total on those few points
                brem[first] = sum(n * dark_xsec.dark_brem_ww_total(z, a, E[first], m, lepton_mass=m_l)
                                  for n, z, a in zip(n_at, mat.Z, mat.A))
        if model == "exact" and np.any(brem > 0):
            Z, A = self._dominant(mat, n_at)
            tab = dark_brem_exact.ExactBremTable(Z, A, m, m_l, float(E[-1]))
            self.exact[m_l] = tab
            brem = brem * tab.total_ratio(E)
        return brem

    def _brem_x_shape(self, mat, n_at, E, m, m_l, model):
        """Inverse cumulative distributions of v, x = 1 - (1-x_min) ((1-x_max)/(1-x_min))^v, for the dark
        bremsstrahlung of the chosen model at each grid energy (shape of the element with the largest
        n Z^2: it hardly depends on Z).  The exact model samples the WW shape and accepts with the exact/WW
        ratio (dark.py)."""
        Z, A = self._dominant(mat, n_at)
        v = np.linspace(0.0, 1.0, 65)
        rows = np.ones((E.size, v.size))
        above = np.nonzero(E > (m + m_l) * 1.0001)[0]
        chi_t = dark_xsec.ChiTable(Z, A, m, (m**2 / (2.0 * E.max())) ** 2) if model == "ww" and above.size else None
        for r in above:
            xmin, xmax = m / E[r], 1.0 - m_l / E[r]
            omx = (1.0 - xmin) * ((1.0 - xmax) / (1.0 - xmin)) ** v
            if model == "ww":
                f = dark_xsec.dark_brem_ww_dsigma_dx(Z, A, float(E[r]), 1.0 - omx, m, n_theta=96, chi_table=chi_t,
                                                     lepton_mass=m_l)
            else:
                f = dark_xsec.dark_brem_dsigma_dx(Z, A, E[r], 1.0 - omx, m, lepton_mass=m_l, chi=1.0)
            rows[r] = f * omx + 1e-300
        return inverse_cdf_rows(rows, v)

    def charged_segment_yields(self, species, T0, T1):
        """Yield per process (dict of arrays, eps = 1) of continuous segments T0 -> T1 (T1 <= T0)."""
        g = self.tables.grid
        ele, pos = species == 1, species == 2
        out = {}
        out["brem_e-"] = np.where(ele, g.interp(self.G["brem_e-"], T0) - g.interp(self.G["brem_e-"], T1), 0.0)
        out["brem_e+"] = np.where(pos, g.interp(self.G["brem_e+"], T0) - g.interp(self.G["brem_e+"], T1), 0.0)
        out["annihilation_gamma_V"] = np.where(pos, g.interp(self.G["annihilation_gamma_V"], T0)
                                               - g.interp(self.G["annihilation_gamma_V"], T1), 0.0)
        if "brem_mu" in self.G:
            mu = species >= 3
            out["brem_mu"] = np.where(mu, g.interp(self.G["brem_mu"], T0) - g.interp(self.G["brem_mu"], T1), 0.0)
        lo, hi = self.T_res * (1.0 - RES_WINDOW), self.T_res * (1.0 + RES_WINDOW)
        if lo > self.tables.cut and np.any(pos):
            R = self.tables.range[2]
            r_hi = g.interp(R, np.minimum(T0, hi))
            r_lo = g.interp(R, np.maximum(T1, lo))
            ell = np.where(pos & (T0 > lo) & (T1 < hi), np.maximum(r_hi - r_lo, 0.0), 0.0)
            out["annihilation_resonant"] = self.res_strength * ell / (hi - lo)
        else:
            out["annihilation_resonant"] = np.zeros_like(T0)
        return out

    def photon_segment_yield(self, k, length):
        return self.tables.grid.interp(self.sigma["compton"], k) * length
