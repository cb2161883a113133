"""Neutrino trident cross sections sigma(nu A -> nu l1- l2+ A), coherent and diffractive, SM and Z'.

Public entry point: :func:`trident_xsec` (cm^2 per nucleus).  Method (docs/tridents.md):

* the full 2 -> 4 calculation, written through the hadronic tensor (trident_hadronic) and the
  leptonic nu gamma* -> nu l l transverse and longitudinal pieces (trident_leptonic), never the
  equivalent-photon approximation (Ballett et al. 1807.10973 sec. 2);
* six-dimensional vegas integration per energy (trident_integral), giving three coupling structures
  (C_V^2, C_A^2 and 2 C_V C_A pieces) binned in t = (k1 - k2)^2, so that the SM couplings of every
  channel (trident_channels) and any vector Z' (a t-dependent C_V) are applied afterwards, exactly;
* tabulation: the pieces are computed once per (lepton masses, target, regime) on :data:`N_NODES`
  energies, logarithmic in E - E_threshold up to :data:`E_MAX` GeV, cached in memory and on disk
  (``darkbeam.data.cache_dir()/trident``), and sigma(E) is interpolated (monotone cubic in
  log sigma vs log(E - E_th)).  Antineutrinos use the neutrino table with the C_V C_A piece
  negated (the only piece that sees the antisymmetric part of the neutrino tensor; docs/tridents.md).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError, KinematicsError
from darkbeam.physics.trident_channels import CHANNEL_NAMES, SW2_TRIDENT, ZPrimeCouplings
from darkbeam.physics.trident_channels import channel as get_channel
from darkbeam.physics.trident_hadronic import REGIMES, HadronicTarget, s_hat_max
from darkbeam.physics.trident_integral import T_EDGES_LOG10, PointSampler, integrate_energy
from darkbeam.units import HBARC2_GEV2_CM2

__all__ = ["CHANNEL_NAMES", "REGIMES", "trident_xsec", "trident_pieces", "threshold_energy", "E_MAX"]

#: tabulation: energies per table, the largest energy (GeV), vegas points per iteration
N_NODES = 28
E_MAX = 1000.0
TABLE_NEVAL = 20000
_TABLE_VERSION = 3


def threshold_energy(m1: float, m2: float, M: float) -> float:
    """Smallest neutrino energy (GeV) with s_hat_max = (m1 + m2)^2 on a target of mass M."""
    w = m1 + m2
    return w + w * w / (2.0 * M)


def _t_bin_means(mass: float):
    """Exact means of 1/(m^2 + |t|) and 1/(m^2 + |t|)^2 over each log-uniform |t| bin."""
    lo, hi = 10.0 ** T_EDGES_LOG10[:-1], 10.0 ** T_EDGES_LOG10[1:]
    m2 = mass * mass
    width = np.log(hi / lo)
    f1 = lambda t: np.log(t / (m2 + t))  # noqa: E731  int dt/(t (m2 + t)) = f1/m2
    f2 = lambda t: np.log(t / (m2 + t)) + m2 / (m2 + t)  # noqa: E731  int dt/(t (m2+t)^2) = f2/m2^2
    return (f1(hi) - f1(lo)) / (m2 * width), (f2(hi) - f2(lo)) / (m2 * m2 * width)


def combine(hist: np.ndarray, cv: float, ca: float, zprime: ZPrimeCouplings | None, antineutrino: bool) -> float:
    """sigma (GeV^-2) from the binned pieces hist (3, nbins): sum_b [C_V(t)^2 VV + C_A^2 AA +/- 2 C_V(t) C_A VA]."""
    vv, aa, va = hist
    sign = -1.0 if antineutrino else 1.0
    if zprime is None or zprime.product == 0.0:
        return float(cv * cv * vv.sum() + ca * ca * aa.sum() + sign * 2.0 * cv * ca * va.sum())
    k = zprime.product / (math.sqrt(2.0) * C.G_F)
    m1, m2 = _t_bin_means(zprime.mass)
    cv2 = cv * cv + 2.0 * cv * k * m1 + k * k * m2  # <C_V(t)^2> over the bin
    cvm = cv + k * m1
    return float(np.sum(cv2 * vv) + ca * ca * aa.sum() + sign * 2.0 * ca * np.sum(cvm * va))


@lru_cache(maxsize=64)
def _table(m1: float, m2: float, target: str, regime: str, scheme: str, blocking: bool):
    """(E nodes, hist (N_NODES, 3, nbins) in GeV^-2, relative MC errors) for a neutrino (not antineutrino)."""
    tgt = HadronicTarget(target, regime, scheme, blocking)
    key = f"v{_TABLE_VERSION}_{m1:.9g}_{m2:.9g}_{tgt.nucleus.name}_{regime}_{scheme}_{int(blocking)}_{N_NODES}_{TABLE_NEVAL}"
    path = None
    try:
        from darkbeam.data import cache_dir

        path = cache_dir() / "trident" / f"{key}.npz"
        if path.is_file():
            with np.load(path) as d:
                return d["E"], d["hist"], d["err"]
    except (OSError, ValueError, KeyError):  # an unreadable cache only costs the recomputation
        pass
    Eth = threshold_energy(m1, m2, tgt.M)
    E = Eth + np.geomspace(0.02 * Eth + 1e-3, E_MAX - Eth, N_NODES)
    hists, errs = [], []
    for i, e in enumerate(E):
        h, _, err = integrate_energy(PointSampler(e, m1, m2, False, tgt), neval=TABLE_NEVAL, seed=1000 + i)
        hists.append(h)
        errs.append(err)
    hist, err = np.array(hists), np.array(errs)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, E=E, hist=hist, err=err)
            tmp.replace(path)
        except OSError:
            pass
    return E, hist, err


def _options(target, regime, form_factor_scheme, pauli_blocking):
    if regime not in REGIMES:
        raise ConfigurationError(f"unknown trident regime '{regime}' (choose from {', '.join(REGIMES)})")
    return HadronicTarget(target, regime, form_factor_scheme, pauli_blocking)


def _zprime(zprime, g_nu, g_l, m_zprime):
    if zprime is not None:
        if not isinstance(zprime, ZPrimeCouplings):
            raise ConfigurationError("zprime must be a ZPrimeCouplings(g_nu, g_l, mass)")
        return zprime
    if g_nu == 0.0 and g_l == 0.0:
        return None
    if m_zprime is None:
        raise ConfigurationError("a Z' coupling needs its mass: pass m_zprime (GeV)")
    return ZPrimeCouplings(float(g_nu), float(g_l), float(m_zprime))


def trident_pieces(E: float, *, channel_name: str, target: str = "Ar40", regime: str = "coherent", neval: int = 20000,
                   seed: int = 1, form_factor_scheme: str = "default", pauli_blocking: bool = True):
    """Direct (untabulated) vegas result at one energy: (hist (3, nbins) GeV^-2 with the antineutrino
    sign already applied to the VA row, relative MC error).  For validation and tests."""
    ch = get_channel(channel_name)
    tgt = _options(target, regime, form_factor_scheme, pauli_blocking)
    h, _, err = integrate_energy(PointSampler(E, ch.m1, ch.m2, ch.antineutrino, tgt), neval=neval, seed=seed)
    return h, err


def trident_xsec(E, *, channel: str, regime: str = "coherent", target: str = "Ar40", g_nu: float = 0.0,
                 g_l: float = 0.0, m_zprime: float | None = None, zprime: ZPrimeCouplings | None = None,
                 sw2: float = SW2_TRIDENT, method: str = "table", neval: int = 20000,
                 form_factor_scheme: str = "default", pauli_blocking: bool = True) -> np.ndarray:
    """Trident cross section sigma(E) in cm^2 per target nucleus.

    ``E``: neutrino energy (GeV, scalar or array, 0 < E <= E_MAX for the table).  ``channel``: one of
    :data:`CHANNEL_NAMES` ("nu_mu -> nu_mu mu+ mu-", ...).  ``regime``: 'coherent' (photon exchanged
    with the nucleus, Z^2 |F_ch|^2) or 'diffractive' (with its protons and neutrons, elastic form
    factors, Pauli blocked: ``pauli_blocking``).  ``target``: a nucleus name ('Ar40', 'C12', 'Fe56';
    'H1' with 'diffractive' is the free proton).  Z': ``g_nu``, ``g_l`` (vector couplings to the
    channel's neutrino and charged-lepton pair) and ``m_zprime`` (GeV), or ``zprime`` =
    :class:`~darkbeam.physics.trident_channels.ZPrimeCouplings` (e.g. from ``zprime_for_channel``).
    ``sw2``: sin^2 theta_W in the SM couplings (default the low-Q^2 value 0.23857).  ``method``:
    'table' (interpolated, fast after the first call per channel masses/target/regime) or 'direct'
    (one vegas integration per energy with ``neval`` points per iteration).
    """
    ch = get_channel(channel)
    zp = _zprime(zprime, g_nu, g_l, m_zprime)
    if zp is not None and ch.pair_flavour is None and zp.product != 0.0:
        raise ConfigurationError(f"a flavour-diagonal Z' does not contribute to the charged-current channel '{ch.name}'")
    if method not in ("table", "direct"):
        raise ConfigurationError(f"unknown trident method '{method}' (choose from table, direct)")
    tgt = _options(target, regime, form_factor_scheme, pauli_blocking)
    Earr = np.atleast_1d(np.asarray(E, dtype=float))
    if not np.all(np.isfinite(Earr)) or np.any(Earr <= 0):
        raise ConfigurationError("trident energies must be positive finite numbers (GeV)")
    cv, ca = ch.sm_couplings(sw2)
    out = np.zeros_like(Earr)
    if method == "direct":
        for i, e in enumerate(Earr):
            h, _ = trident_pieces(e, channel_name=ch.name, target=target, regime=regime, neval=neval,
                                  form_factor_scheme=form_factor_scheme, pauli_blocking=pauli_blocking)
            out[i] = combine(h, cv, ca, zp, False) * HBARC2_GEV2_CM2
        return out if np.ndim(E) else float(out[0])
    if np.any(Earr > E_MAX):
        raise KinematicsError(f"trident tables stop at E = {E_MAX:g} GeV (use method='direct' above)")
    nodes, hist, _ = _table(ch.m1, ch.m2, tgt.nucleus.name, regime, form_factor_scheme, pauli_blocking)
    sig = np.array([combine(h, cv, ca, zp, ch.antineutrino) for h in hist]) * HBARC2_GEV2_CM2
    Eth = threshold_energy(ch.m1, ch.m2, tgt.M)
    out = _interpolate(Earr, nodes, sig, Eth)
    return out if np.ndim(E) else float(out[0])


def _interpolate(E, nodes, sig, Eth):
    """Monotone cubic (PCHIP) in log sigma vs log(E - E_th); below the first node sigma ~ (E - E_th)^p
    with the slope p of the first interval; zero at and below threshold."""
    from scipy.interpolate import PchipInterpolator

    good = sig > 0
    if np.count_nonzero(good) < 2:
        return np.zeros_like(E)
    x, y = np.log(nodes[good] - Eth), np.log(sig[good])
    f = PchipInterpolator(x, y, extrapolate=False)
    out = np.zeros_like(E)
    above = E > Eth
    xe = np.log(np.where(above, E - Eth, 1.0))
    inside = above & (xe >= x[0])
    out[inside] = np.exp(f(np.minimum(xe[inside], x[-1])))
    low = above & (xe < x[0])
    if np.any(low):
        p = (y[1] - y[0]) / (x[1] - x[0])
        out[low] = np.exp(y[0] + p * (xe[low] - x[0]))
    return out


def kinematically_open(E: float, channel_name: str, target: str = "Ar40", regime: str = "coherent") -> bool:
    """Whether s_hat_max(E) exceeds the pair threshold (m1 + m2)^2."""
    ch = get_channel(channel_name)
    tgt = HadronicTarget(target, regime)
    return bool(s_hat_max(E, tgt.M) > ch.threshold)
