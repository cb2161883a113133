"""Neutral-current single-pi0 production nu A -> nu pi0 X: cross sections per nucleus and pi0 kinematics.

Two channels (docs/nc_pi0.md):

* **coherent** on the nucleus, Rein-Sehgal 1983 (:mod:`darkbeam.physics.nc_pi0_coherent`);
* **resonant** nu N -> nu Delta(1232) -> nu N pi0 on each nucleon, the isobar model of
  :mod:`darkbeam.physics.nc_pi0_delta` (Lalakulich-Paschos form factors, pi0 fraction 2/3 of the NC
  Delta+ and Delta0 decays), times the probability ``pi0_survival`` that the pi0 leaves the nucleus as
  a pi0 (final-state interactions).  The survival is an **assumption**, not a calculation: by default
  1 for hydrogen and exp(-0.223 (A/12)^{1/3}) otherwise (0.80 for carbon, 0.72 for argon; in the range
  generators' cascades give for single-pi0 final states; not fitted to data).  Pauli blocking and Fermi
  motion are neglected (small for the Delta: its decay nucleon is fast).

sigma(E) per nucleus = sigma_coh(A) + pi0_survival (2/3) A sigma_Delta(E) (in this model
sigma(nu p -> nu Delta+) = sigma(nu n -> nu Delta0): one isospin amplitude).  sigma_Delta and sigma_coh
are tabulated once per process (56 nodes E - E_th from 1 MeV to 300 GeV, log-log cubic spline; the
error is checked in the tests; the Delta table takes about 1 s).

**Kinematics for events** (:func:`sample_pi0`): weighted draws in (E given) -- resonant: W from the
Breit-Wigner (tan map), Q^2 uniform, the Delta decaying isotropically in its rest frame (the
Rein-Sehgal density-matrix anisotropy is neglected); coherent: nu log-uniform, Q^2 uniform, |t| from
exp(-b|t|) between its limits (exact inverse), the pion about q at the angle that |t| fixes.  The weights
are d sigma / (sampling density) in cm^2, so that their mean is sigma(E).  :func:`pi0_to_photons`: the
decay pi0 -> gamma gamma isotropic in the pi0 rest frame (photon energies flat between (E -+ p)/2,
opening angle cos = 1 - m_pi0^2/(2 E_1 E_2)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.physics import nc_pi0_delta as delta
from darkbeam.physics.nc_pi0_coherent import CoherentPi0Xsec

PROJECTILES = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
CHANNELS = ("coherent", "resonant")
#: threshold of nu N -> nu N pi (W = M + m_pi), GeV
E_THRESHOLD = ((delta.M_N + C.M_PI) ** 2 - delta.M_N**2) / (2.0 * delta.M_N)
#: table nodes above threshold: E = E_th + geomspace (interpolation in log sigma vs log(E - E_th))
_TABLE_X = np.geomspace(1e-3, 300.0, 56)


def default_survival(A: int) -> float:
    """Assumed probability that a resonant pi0 leaves a nucleus of mass number A as a pi0 (module docstring)."""
    return 1.0 if A <= 1 else math.exp(-0.223 * (A / 12.0) ** (1.0 / 3.0))


def _interp_table(E, e_th: float, tab: np.ndarray) -> np.ndarray:
    E = np.asarray(E, dtype=float)
    x = np.clip(E - e_th, _TABLE_X[0], _TABLE_X[-1])
    from scipy.interpolate import CubicSpline

    spl = CubicSpline(np.log(_TABLE_X), np.log(np.maximum(tab, 1e-300)))
    out = np.exp(spl(np.log(x)))
    out = np.where(E - e_th < _TABLE_X[0], out * np.clip((E - e_th) / _TABLE_X[0], 0.0, 1.0) ** 2, out)
    return np.where(E > e_th, out, 0.0)


@lru_cache(maxsize=4)
def _delta_table(antineutrino: bool) -> np.ndarray:
    return delta.sigma_delta(E_THRESHOLD + _TABLE_X, antineutrino=antineutrino)


@lru_cache(maxsize=16)
def _coherent_table(A: int) -> np.ndarray:
    return CoherentPi0Xsec(A).sigma(C.M_PI0 + _TABLE_X)


def sigma_delta_nc(E, antineutrino: bool = False) -> np.ndarray:
    """sigma(nu N -> nu Delta) per nucleon (cm^2), NC, interpolated from the table (module docstring);
    constant above E_th + 300 GeV (the Delta cross section saturates)."""
    return _interp_table(E, E_THRESHOLD, _delta_table(bool(antineutrino)))


def sigma_coherent_nc(E, A: int) -> np.ndarray:
    """Rein-Sehgal coherent sigma per nucleus (cm^2), interpolated from a table like :func:`sigma_delta_nc`
    (it grows like ln E: above 300 GeV the last value is kept, an underestimate)."""
    return _interp_table(E, C.M_PI0, _coherent_table(int(A)))


@dataclass(frozen=True)
class NCPi0Xsec:
    """sigma(nu A -> nu pi0 X) per nucleus (cm^2) for ``target`` ('C12', 'Ar40', 'H1', ...) and
    ``projectile``; ``channels`` a subset of ('coherent', 'resonant'); ``pi0_survival``: None for
    :func:`default_survival`."""

    target: str = "C12"
    projectile: str = "nu_mu"
    channels: tuple = CHANNELS
    pi0_survival: float | None = None

    def __post_init__(self):
        from darkbeam.physics import nuclear

        if self.projectile not in PROJECTILES:
            raise ConfigurationError(f"unknown projectile '{self.projectile}' (choose from {', '.join(PROJECTILES)})")
        bad = [c for c in self.channels if c not in CHANNELS]
        if bad or not self.channels:
            raise ConfigurationError(f"unknown NC pi0 channel(s) {bad or '(none)'} (choose from {', '.join(CHANNELS)})")
        nuclear.nucleus(self.target)  # one clear error for a bad target
        if self.pi0_survival is not None and not (0.0 <= self.pi0_survival <= 1.0):
            raise ConfigurationError(f"pi0 survival probability {self.pi0_survival} must lie in [0, 1]")

    @property
    def nucleus(self):
        from darkbeam.physics import nuclear

        return nuclear.nucleus(self.target)

    @property
    def antineutrino(self) -> bool:
        return self.projectile.endswith("_bar")

    @property
    def survival(self) -> float:
        return default_survival(self.nucleus.A) if self.pi0_survival is None else float(self.pi0_survival)

    def coherent(self) -> CoherentPi0Xsec | None:
        A = self.nucleus.A
        return CoherentPi0Xsec(A) if ("coherent" in self.channels and A >= 2) else None

    def sigma_channels(self, E) -> dict:
        """{'coherent': ..., 'resonant': ...} in cm^2 per nucleus at energies E (GeV)."""
        from darkbeam.physics.nu_electron import check_energies

        E = check_energies(E)
        out = {}
        coh = self.coherent()
        out["coherent"] = sigma_coherent_nc(E, coh.A) if coh is not None else np.zeros(E.shape)
        if "resonant" in self.channels:
            out["resonant"] = self.survival * delta.PI0_FRACTION * self.nucleus.A * sigma_delta_nc(E, self.antineutrino)
        else:
            out["resonant"] = np.zeros(E.shape)
        return out

    def sigma(self, E) -> np.ndarray:
        """sigma(E) in cm^2 per nucleus."""
        s = self.sigma_channels(E)
        return s["coherent"] + s["resonant"]


# ---------------------------------------------------------------------------------------------- kinematics
def _rotate_from_z(v, d):
    """Rotate 3-vectors v (n, 3) given in a frame whose z axis is the unit vector d (n, 3) to the lab."""
    d = d / np.linalg.norm(d, axis=1, keepdims=True)
    a = np.where(np.abs(d[:, :1]) < 0.9, np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 1.0, 0.0]]))
    e1 = np.cross(a, d)
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    e2 = np.cross(d, e1)
    return v[:, :1] * e1 + v[:, 1:2] * e2 + v[:, 2:3] * d


def _unit(cos, phi):
    s = np.sqrt(np.clip(1.0 - cos * cos, 0.0, None))
    return np.stack([s * np.cos(phi), s * np.sin(phi), cos], -1)


def _boost(p4, beta):
    """Boost four-vectors p4 (n, 4) by velocity beta (n, 3)."""
    b2 = np.sum(beta * beta, axis=1)
    g = 1.0 / np.sqrt(1.0 - b2)
    bp = np.sum(beta * p4[:, 1:], axis=1)
    g2 = np.where(b2 > 0, (g - 1.0) / np.where(b2 > 0, b2, 1.0), 0.0)
    e = g * (p4[:, 0] + bp)
    p = p4[:, 1:] + (g2 * bp + g * p4[:, 0])[:, None] * beta
    return np.concatenate([e[:, None], p], axis=1)


def _lepton_q(E, nu, Q2, rng):
    """Four-momentum transfer q (n, 4) for a neutrino along +z, outgoing at the angle Q^2 fixes, random azimuth."""
    Ep = E - nu
    cth = np.clip(1.0 - Q2 / (2.0 * E * Ep), -1.0, 1.0)
    kp = Ep[:, None] * _unit(cth, rng.uniform(0.0, 2.0 * math.pi, E.size))
    q3 = np.stack([np.zeros_like(E), np.zeros_like(E), E], -1) - kp
    return np.concatenate([nu[:, None], q3], axis=1)


def sample_resonant(E, rng: np.random.Generator, antineutrino: bool = False, w_max: float = 1.6):
    """pi0 four-momenta (n, 4) and weights (cm^2 per nucleon, Delta -> N pi0 fraction included) for
    nu N -> nu Delta -> nu N pi0 at energies E (n,) (module docstring); weight 0 where kinematically closed."""
    E = np.asarray(E, dtype=float)
    n = E.size
    wlo = delta.M_N + C.M_PI0
    whi = np.minimum(w_max, np.sqrt(delta.M_N**2 + 2.0 * delta.M_N * E) - 1e-9)
    mg = delta.M_DELTA * delta.GAMMA_DELTA
    t_lo = np.arctan((wlo**2 - delta.M_DELTA**2) / mg)
    t_hi = np.arctan((np.maximum(whi, wlo) ** 2 - delta.M_DELTA**2) / mg)
    th = t_lo + (t_hi - t_lo) * rng.random(n)
    W2 = delta.M_DELTA**2 + mg * np.tan(th)
    W = np.sqrt(np.maximum(W2, wlo**2))
    jac = (t_hi - t_lo) * mg / np.cos(th) ** 2 / (2.0 * W)  # dW per unit of the uniform variable
    q2m = delta.q2_range(E, W)
    Q2 = q2m * rng.random(n)
    ok = whi > wlo
    w = np.where(ok, delta.d2sigma_dQ2dW(np.where(ok, E, 1.0), W, Q2, antineutrino=antineutrino) * jac * q2m, 0.0)
    nu = (W * W - delta.M_N**2 + Q2) / (2.0 * delta.M_N)
    q = _lepton_q(E, np.minimum(nu, E * (1 - 1e-12)), Q2, rng)
    P = q + np.array([delta.M_N, 0.0, 0.0, 0.0])
    k = np.sqrt(np.clip((W * W - (delta.M_N + C.M_PI0) ** 2) * (W * W - (delta.M_N - C.M_PI0) ** 2), 0.0, None)) / (2.0 * W)
    dirs = _unit(rng.uniform(-1.0, 1.0, n), rng.uniform(0.0, 2.0 * math.pi, n))
    pi_rest = np.concatenate([np.sqrt(k * k + C.M_PI0**2)[:, None], k[:, None] * dirs], axis=1)
    p_pi = _boost(pi_rest, P[:, 1:] / P[:, :1])
    return p_pi, w * delta.PI0_FRACTION


def sample_coherent(E, rng: np.random.Generator, xs: CoherentPi0Xsec):
    """pi0 four-momenta (n, 4) and weights (cm^2 per nucleus) of coherent production at energies E (n,)."""
    E = np.asarray(E, dtype=float)
    n = E.size
    Mp = C.M_PI0
    lo, hi = math.log(Mp), np.log(np.maximum(E, Mp))
    nu = np.exp(lo + (hi - lo) * rng.random(n))
    qm = xs.q2_max(E, nu)
    Q2 = qm * rng.random(n)
    w = xs.d2sigma_dQ2dnu(E, nu, Q2) * (hi - lo) * nu * qm
    tmin, tmax = xs.t_limits(nu, Q2)
    b = xs.b
    u = rng.random(n)
    t = tmin - np.log1p(-u * (1.0 - np.exp(-b * (tmax - tmin)))) / b
    q = _lepton_q(E, np.minimum(nu, E * (1 - 1e-12)), Q2, rng)
    qa = np.linalg.norm(q[:, 1:], axis=1)
    pp = np.sqrt(np.clip(nu * nu - Mp * Mp, 0.0, None))
    cos = np.clip((Q2 - Mp * Mp + 2.0 * nu * nu - t) / (2.0 * qa * np.where(pp > 0, pp, 1.0)), -1.0, 1.0)
    d = _rotate_from_z(_unit(cos, rng.uniform(0.0, 2.0 * math.pi, n)), q[:, 1:])
    return np.concatenate([nu[:, None], pp[:, None] * d], axis=1), np.where(np.isfinite(w), w, 0.0)


def pi0_to_photons(p_pi, rng: np.random.Generator):
    """The two photons (n, 4) each of pi0 -> gamma gamma, isotropic in the pi0 rest frame."""
    n = p_pi.shape[0]
    h = 0.5 * C.M_PI0
    d = _unit(rng.uniform(-1.0, 1.0, n), rng.uniform(0.0, 2.0 * math.pi, n))
    g1 = np.concatenate([np.full((n, 1), h), h * d], axis=1)
    g2 = np.concatenate([np.full((n, 1), h), -h * d], axis=1)
    beta = p_pi[:, 1:] / p_pi[:, :1]
    return _boost(g1, beta), _boost(g2, beta)


def sample_pi0(E, rng: np.random.Generator, target: str = "C12", projectile: str = "nu_mu",
               pi0_survival: float | None = None, channels=CHANNELS):
    """Weighted pi0 draws at energies E (n,) on ``target``: (pi0 four-momenta (n, 4), weights in cm^2 per
    nucleus, channel index 0 coherent / 1 resonant).  Each draw picks a channel with probability 1/2 (or
    the one channel); mean weight = NCPi0Xsec(target, projectile).sigma(E)."""
    xs = NCPi0Xsec(target, projectile, tuple(channels), pi0_survival)
    E = np.asarray(E, dtype=float)
    coh = xs.coherent()
    use = [c for c in CHANNELS if c in channels and (c != "coherent" or coh is not None)]
    ch = rng.integers(0, len(use), E.size) if len(use) > 1 else np.zeros(E.size, dtype=int)
    p = np.zeros((E.size, 4))
    w = np.zeros(E.size)
    kind = np.zeros(E.size, dtype=int)
    for i, c in enumerate(use):
        m = ch == i
        if not m.any():
            continue
        if c == "coherent":
            p[m], w[m] = sample_coherent(E[m], rng, coh)
        else:
            pr, wr = sample_resonant(E[m], rng, xs.antineutrino)
            p[m], w[m] = pr, wr * xs.survival * xs.nucleus.A
            kind[m] = 1
    return p, w * len(use), kind
