"""Axion-like particles from Primakoff conversion of the target's meson photons: gamma N -> a N (the
mechanism of Dobrich, Jaeckel, Spadaro, arXiv:1904.02091, with the target's finite size).

The prompt pi0 and eta of the beam model (per POT, decaying in the target) decay to two photons
(:func:`darkbeam.sources.shower.proton_dump.two_photon_decays`: isotropic in the rest frame, B(gamma
gamma) of PDG 2024).  A photon of energy E that starts at x0 with direction u has a path L(x0, u) to the
surface of the target cylinder (:func:`darkbeam.sources.shower.proton_dump.path_in_target`).  Before it
converts to e+e- (cross section sigma_pair per atom, Tsai's complete-screening form, mean free path
lambda = 1/(n sigma_pair) = (9/7) X0 at high energy) it makes an ALP with probability

    P(gamma -> a) = [sigma_P(E) / sigma_pair] (1 - exp(-L/lambda)),                       (PR1)

sigma_P the Primakoff cross section on the target nucleus (:func:`darkbeam.physics.primakoff.sigma`,
Tsai PRD 34 (1986) 1326; Dobrich et al. 1512.03069 eq. 2.1, with the nuclear charge form factor).  The
conversion point follows the exponential law of the photon's path, truncated at L; the ALP takes the
photon's energy (nuclear recoil neglected, as in sigma_P) and leaves at the angle theta to the photon
drawn from dsigma_P/dtheta, with a uniform azimuth.  (PR1) is the first order in g_agg^2
(sigma_P << sigma_pair: 1e-18 relative at g_agg = 1e-4 GeV^-1): ALPs per POT scale exactly as g_agg^2
and the source is built at g_agg = 1 GeV^-1 (``G_REF``), the channel's branching ratio carries g_agg^2.

Approximations (docs/alps.md): only the first generation of photons here (the photons of the
electromagnetic showers they start are the separate source :mod:`darkbeam.sources.shower.primakoff_shower`,
which leaves out the primary photon's own first flight, this source); photons that leave the target (the LBNF
target is 0.8 cm in radius) are not followed into the horns and the decay pipe; atomic screening is not
in sigma_P (it matters for m_a below ~1 MeV only); the target is one element (the first of its material).
Tables on a log grid of E - m_a interpolate sigma_P (log sigma against log(E - m_a)) and the angular
quantiles (linear in log E and log theta).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from darkbeam.errors import ConfigurationError

__all__ = ["PrimakoffSource", "primakoff_source", "primakoff_tables", "target_material_name", "G_REF", "SAMPLE_KEY"]

#: the ALP-photon coupling (GeV^-1) the source is built at: weights scale as (g_agg/G_REF)^2
G_REF = 1.0
#: key of the Primakoff source in the parents mapping of meson_decay.simulate
SAMPLE_KEY = "alp (Primakoff)"
#: mass numbers of the target elements' form factors (the nucleus name the form-factor library knows)
_NUCLEUS = {6: "C12", 4: "Be9", 13: "Al27", 26: "Fe56", 29: "Cu63", 74: "W184", 82: "Pb208"}
#: beam configurations that name their target by element symbol
_MATERIAL = {"be": "beryllium", "c": "graphite", "al": "aluminium", "fe": "iron", "cu": "copper", "w": "tungsten",
             "pb": "lead"}
_N_E = 80           # energies of the tables
_N_U = 129          # quantiles of the angular tables


@dataclass
class PrimakoffSource:
    """The photons' parents (prompt pi0, eta ParentSamples of the beam model), the target, and the
    Primakoff tables at one ALP mass.  ``beam``: the frame; ``decays_per_pot``: ALPs per POT at g_agg =
    G_REF (from the pool with one decay of every meson, for the summary); ``draw(n, rng)`` gives ALPs."""

    beam: str
    mass: float
    mesons: dict
    target: object
    Z: int
    lam_cm: float
    E_grid: np.ndarray
    sigma_grid: np.ndarray
    theta_q: np.ndarray
    u_grid: np.ndarray
    sigma_pair_cm2: float
    decays_per_pot: float = 0.0
    notes: tuple = field(default=())
    n_atoms: float = 0.0
    origin: str = "Primakoff conversion of the target's pi0 and eta photons"

    def __len__(self) -> int:
        return int(sum(len(ps) for ps in self.mesons.values()))

    @property
    def mesons_per_pot(self) -> float:
        return float(sum(ps.decays_per_pot for ps in self.mesons.values()))

    def sigma(self, E) -> np.ndarray:
        """sigma_P (cm^2) at g_agg = G_REF, log-log interpolation of the table; 0 below threshold."""
        E = np.asarray(E, dtype=float)
        s = np.zeros_like(E)
        pos = self.sigma_grid > 0
        ok = E > self.E_grid[pos][0]
        # log sigma against log(E - m_a): smooth at threshold, where sigma rises steeply
        lx, ly = np.log(self.E_grid[pos] - self.mass), np.log(self.sigma_grid[pos])
        s[ok] = np.exp(np.interp(np.log(np.minimum(E[ok], self.E_grid[-1]) - self.mass), lx, ly))
        return s

    def sample_theta(self, E, rng) -> np.ndarray:
        """Angles of the ALP to the photon drawn from dsigma_P/dtheta (quantile tables, interpolated
        linearly in log E and log theta)."""
        E = np.asarray(E, dtype=float)
        u = rng.random(E.size)
        lE = np.log(np.clip(E, self.E_grid[0], self.E_grid[-1]))
        lg = np.log(self.E_grid)
        j = np.clip(np.searchsorted(lg, lE) - 1, 0, lg.size - 2)
        f = (lE - lg[j]) / (lg[j + 1] - lg[j])
        k = np.clip(np.searchsorted(self.u_grid, u) - 1, 0, self.u_grid.size - 2)
        g = (u - self.u_grid[k]) / (self.u_grid[k + 1] - self.u_grid[k])
        lt = np.log(self.theta_q)
        a = lt[j, k] * (1 - g) + lt[j, k + 1] * g
        b = lt[j + 1, k] * (1 - g) + lt[j + 1, k + 1] * g
        return np.exp(a * (1 - f) + b * f)

    def draw(self, n_mesons: int, rng) -> dict:
        """ALPs from ``n_mesons`` meson draws (each species in proportion to its decays per POT, within a
        species by weight): k4 (m, 4), pos (m, 3) conversion points, weight (m,) ALPs per POT at G_REF
        that each stands for (their sum estimates the ALP yield per POT), photon index -> meson draw."""
        from darkbeam.sources.shower.proton_dump import BR_GAMMA_GAMMA, MESON_MASS, path_in_target, two_photon_decays

        tot = self.mesons_per_pot
        names = list(self.mesons)
        share = np.array([self.mesons[s].decays_per_pot for s in names]) / tot
        counts = rng.multinomial(int(n_mesons), share)
        parts = {"k4": [], "pos": [], "weight": [], "draw": []}
        offset = 0
        for s, c in zip(names, counts):
            if c == 0:
                continue
            ps = self.mesons[s]
            W = np.asarray(ps.weight, dtype=float)
            idx = rng.choice(len(ps), size=c, p=W / W.sum())
            # every drawn meson stands for tot/n_mesons mesons per POT
            k4, w, j = two_photon_decays(np.asarray(ps.p4)[idx], np.full(c, tot / n_mesons), MESON_MASS[s],
                                         BR_GAMMA_GAMMA[s], rng)
            x0 = np.asarray(ps.position, dtype=float)[idx][j]
            E = k4[:, 0]
            u = k4[:, 1:] / E[:, None]
            tg = self.target
            L = path_in_target(x0, u, tg.z_start_cm, tg.length_cm, tg.radius_cm)
            frac = -np.expm1(-L / self.lam_cm)
            P = self.sigma(E) / self.sigma_pair_cm2 * frac
            keep = np.flatnonzero(P > 0)
            if keep.size == 0:
                offset += c
                continue
            # conversion point: exponential law on [0, L]
            r = rng.random(keep.size)
            d = -self.lam_cm * np.log1p(-r * frac[keep])
            pos = x0[keep] + d[:, None] * u[keep]
            th = self.sample_theta(E[keep], rng)
            phi = rng.uniform(0.0, 2.0 * math.pi, keep.size)
            parts["k4"].append(_alp_momenta(E[keep], u[keep], th, phi, self.mass))
            parts["pos"].append(pos)
            parts["weight"].append(w[keep] * P[keep])
            parts["draw"].append(offset + j[keep])
            offset += c
        if not parts["k4"]:
            return {"k4": np.zeros((0, 4)), "pos": np.zeros((0, 3)), "weight": np.zeros(0), "draw": np.zeros(0, dtype=np.int64)}
        return {k: np.concatenate(v) for k, v in parts.items()}


def _alp_momenta(E, u, theta, phi, m):
    """ALP four-momenta of energy E at angle theta (azimuth phi) to the unit directions u."""
    a = np.where(np.abs(u[:, 2:3]) < 0.9, np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    e1 = np.cross(u, a)
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    e2 = np.cross(u, e1)
    d = (np.cos(theta)[:, None] * u + np.sin(theta)[:, None] * (np.cos(phi)[:, None] * e1 + np.sin(phi)[:, None] * e2))
    p = np.sqrt(np.clip(E * E - m * m, 0.0, None))
    return np.concatenate([E[:, None], p[:, None] * d], axis=1)


def _tables(m: float, Z: int, ff, E_max: float):
    """sigma_P(E) at g_agg = G_REF and the quantiles of theta on a log grid of E (module docstring)."""
    from darkbeam.physics import primakoff

    E_grid = m + np.geomspace(1e-4 * m, max(E_max, 2 * m), _N_E)
    sig = primakoff.sigma(E_grid, m_a=m, g_agg=G_REF, Z=Z, form_factor=ff)
    u_grid = np.sin(0.5 * np.pi * np.linspace(0.0, 1.0, _N_U)) ** 2   # quantiles dense in both tails
    q = np.empty((_N_E, _N_U))
    for i, e in enumerate(E_grid):
        th0 = max(1e-3 * m * m / (2 * e * e), 1e-12)
        th = np.geomspace(th0, math.pi, 2000)
        f = primakoff.dsigma_dtheta(e, th, m_a=m, g_agg=G_REF, Z=Z, form_factor=ff) * th   # per log theta
        c = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(np.log(th)))])
        if not c[-1] > 0:
            q[i] = th0
            continue
        c /= c[-1]
        uniq = np.concatenate([[True], np.diff(c) > 0])
        q[i] = np.exp(np.interp(u_grid, c[uniq], np.log(th[uniq])))
    return E_grid, sig, u_grid, q


@lru_cache(maxsize=32)
def _cached_tables(mass: float, Z: int, nucleus, E_max: float):
    """:func:`_tables` with the charge form factor of ``nucleus`` (None: no form factor), cached per mass and
    target (read-only arrays): the first-generation and shower sources of one mass share them."""
    from darkbeam.physics.form_factors import NuclearFormFactors

    ff = NuclearFormFactors(nucleus, int(nucleus[len(nucleus.rstrip('0123456789')):])).charge if nucleus else None
    out = _tables(mass, Z, ff, E_max)
    for a in out:
        a.setflags(write=False)
    return out


def primakoff_tables(beam: str, mass: float) -> PrimakoffSource:
    """The target of ``beam`` (one element), its photon absorption and the Primakoff tables at ALP mass
    ``mass`` (GeV), without parents (``mesons`` empty): what :func:`primakoff_source` and the shower-photon
    source (:mod:`darkbeam.sources.shower.primakoff_shower`) share.  ``n_atoms`` (per cm^3) is set."""
    from darkbeam.physics.shower.em_xsec import complete_screening_pair_total
    from darkbeam.physics.shower.materials import shower_material
    from darkbeam.sources.beam.configs import beam_config

    if not (mass > 0 and math.isfinite(mass)):
        raise ConfigurationError(f"ALP mass must be positive, got {mass}")
    cfg = beam_config(beam)
    tg = cfg.target
    mat = shower_material(target_material_name(tg.material))
    Z = int(mat.Z[0])
    n_atoms = float(mat.atoms_per_cm3[0])
    if len(mat.fractions) > 1:
        raise ConfigurationError(f"Primakoff ALPs: the {beam} target is a compound ({mat.name}); only one-element "
                                 "targets are supported")
    sig_pair = complete_screening_pair_total(Z)
    E_grid, sig, u_grid, q = _cached_tables(float(mass), Z, _NUCLEUS.get(Z), float(cfg.proton_momentum_GeV))
    src = PrimakoffSource(beam=str(beam).strip().lower(), mass=float(mass), mesons={}, target=tg, Z=Z,
                          lam_cm=1.0 / (n_atoms * sig_pair), E_grid=E_grid, sigma_grid=sig, theta_q=q, u_grid=u_grid,
                          sigma_pair_cm2=sig_pair, n_atoms=n_atoms)
    return src


def target_material_name(material: str) -> str:
    """The shower-material name of a beam configuration's target material (element symbols mapped)."""
    return _MATERIAL.get(str(material).strip().lower(), material)


def primakoff_source(beam: str, mass: float, *, n: int = 2**14, seed: int = 12345, species=("pi0", "eta")) -> PrimakoffSource:
    """The Primakoff ALP source of ``beam`` at ALP mass ``mass`` (GeV): the prompt mesons, the target's
    photon absorption and the Primakoff tables (module docstring)."""
    from darkbeam.sources.parents import parent_sample

    src = primakoff_tables(beam, mass)
    src.mesons = {s: parent_sample(beam, s, n=n, seed=seed + i) for i, s in enumerate(species)}
    src.notes = ("first-generation meson photons only (the shower photons are the separate source "
                 "darkbeam.sources.shower.primakoff_shower); photons leaving the target are not followed; nuclear "
                 "recoil and atomic screening neglected",)
    yld = src.draw(2 * n, np.random.default_rng(seed))
    src.decays_per_pot = float(yld["weight"].sum())
    return src
