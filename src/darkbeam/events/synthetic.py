"""Synthetic event sets with exact kinematics, for tests, benchmarks and examples.

Not physics: energies, angles, Dalitz distributions and weights are toys.  What is exact is what
the event record must get right: four-momentum conservation at every vertex (2 -> 2 elastic
upscattering on a target at rest, sequential two-body decays with exact boosts), on-shell masses,
Q^2 = 2 M T_recoil, decay positions on N's line of flight inside [l1, l2] from an exact ray-box
intersection, and p_decay = exp(-l1/L) - exp(-l2/L).  Channels cover every slot layout: two, three
and four daughters, with and without an intermediate (Z' with two and three children).
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.events.eventset import EventSet
from darkbeam.events.tables import CaseInfo, ChannelInfo
from darkbeam.events.weights import decay_length, decay_probability
from darkbeam.units import C_LIGHT_CM_PER_NS

M_N4 = 0.42
M_ZP = 0.03
#: C-12 nuclear mass: 12 u minus six electron masses (electron binding, 1e-6 relative, neglected)
M_C12 = 12.0 * C.M_AMU - 6.0 * C.M_E
P = C.PDG

CASES = (
    CaseInfo("nu_mu C12 -> N4 C12 (coherent)", P["nu_mu"], 1000060120, P["N4"], M_C12, M_N4,
             regime="coherent", description="toy coherent upscattering (synthetic)"),
    CaseInfo("nu_mu p -> N4 p (p-el)", P["nu_mu"], P["p"], P["N4"], C.M_PROTON, M_N4,
             regime="p-el", description="toy proton-elastic upscattering (synthetic)"),
)
CHANNELS = (
    ChannelInfo("N4 -> nu_mu e+ e-", (14, -11, 11), (0.0, C.M_E, C.M_E)),
    ChannelInfo("N4 -> nu_mu gamma", (14, 22), (0.0, 0.0)),
    ChannelInfo("N4 -> nu_mu Z'(-> e+ e-)", (14, -11, 11), (0.0, C.M_E, C.M_E), P["zprime"], M_ZP, 2),
    ChannelInfo("N4 -> mu- pi+", (13, 211), (C.M_MU, C.M_PI)),
    ChannelInfo("N4 -> nu_mu e+ e- gamma", (14, -11, 11, 22), (0.0, C.M_E, C.M_E, 0.0)),
    ChannelInfo("N4 -> nu_mu Z'(-> e+ e- gamma)", (14, -11, 11, 22), (0.0, C.M_E, C.M_E, 0.0),
                P["zprime"], M_ZP, 3),
)
BR = np.array([0.30, 0.10, 0.35, 0.15, 0.05, 0.05])
#: detector: a box centred at the origin, half-sizes in cm
BOX = np.array([100.0, 100.0, 250.0])


def boost(p4_rest: np.ndarray, parent: np.ndarray, m_parent) -> np.ndarray:
    """Boost four-vectors (E, p) from the rest frame of ``parent`` (lab four-momentum, mass m_parent)
    to the lab.  p = p' + (gamma^2/(gamma+1) (beta.p') + gamma E') beta, E = gamma (E' + beta.p')."""
    m = np.asarray(m_parent, dtype=float)
    gamma = parent[:, 0] / m
    beta = parent[:, 1:] / parent[:, :1]
    bp = np.einsum("ij,ij->i", beta, p4_rest[:, 1:])
    out = np.empty_like(p4_rest)
    out[:, 0] = gamma * (p4_rest[:, 0] + bp)
    coef = gamma**2 / (gamma + 1.0) * bp + gamma * p4_rest[:, 0]
    out[:, 1:] = p4_rest[:, 1:] + coef[:, None] * beta
    return out


def _isotropic(n, rng):
    c = rng.uniform(-1.0, 1.0, n)
    s = np.sqrt(1.0 - c * c)
    ph = rng.uniform(0.0, 2.0 * np.pi, n)
    return np.stack([s * np.cos(ph), s * np.sin(ph), c], axis=1)


def two_body(parent: np.ndarray, M, m1, m2, rng):
    """Isotropic two-body decay of ``parent`` (lab four-momenta, masses M) into m1 + m2."""
    M, m1, m2 = (np.broadcast_to(np.asarray(a, dtype=float), (parent.shape[0],)) for a in (M, m1, m2))
    lam = (M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2)
    pstar = np.sqrt(np.maximum(lam, 0.0)) / (2.0 * M)
    u = _isotropic(parent.shape[0], rng)
    a = np.empty_like(parent)
    a[:, 1:] = pstar[:, None] * u
    a[:, 0] = np.sqrt(pstar**2 + m1 * m1)
    b = np.empty_like(parent)
    b[:, 1:] = -a[:, 1:]
    b[:, 0] = np.sqrt(pstar**2 + m2 * m2)
    return boost(a, parent, M), boost(b, parent, M)


def _chain(parent, M, masses, rng):
    """Split ``parent`` sequentially: d0 + rest, rest -> d1 + rest', ... (random intermediate masses
    between thresholds).  Returns a list of four-momenta."""
    out = []
    n = parent.shape[0]
    M = np.broadcast_to(np.asarray(M, dtype=float), (n,))
    for i in range(len(masses) - 1):
        rest_min = sum(masses[i + 1:])
        if len(masses) - i == 2:
            m_rest = np.full(n, masses[i + 1])
        else:
            m_rest = rest_min + rng.uniform(0.05, 0.95, n) * (M - masses[i] - rest_min)
        d, parent = two_body(parent, M, masses[i], m_rest, rng)
        out.append(d)
        M = m_rest
    out.append(parent)
    return out


def _ray_box(origin, direction, half):
    """Entry and exit distances of rays through the box |x_i| <= half_i (slab method); misses give 0, 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = (-half - origin) / direction
        t2 = (half - origin) / direction
    lo = np.where(np.isnan(t1), -np.inf, np.minimum(t1, t2))
    hi = np.where(np.isnan(t2), np.inf, np.maximum(t1, t2))
    tmin = np.max(lo, axis=1)
    tmax = np.min(hi, axis=1)
    l1 = np.maximum(tmin, 0.0)
    hit = tmax > l1
    return np.where(hit, l1, 0.0), np.where(hit, tmax, 0.0)


def synthetic_events(n: int, *, seed: int = 0, ctau: float = 2000.0, rates=(60.0, 15.0),
                     dirt_fraction: float = 0.3) -> EventSet:
    """``n`` synthetic events (see the module docstring); ``rates`` are the per-case upscattering
    yields (sum of w_rate per case; sum(w_rate * br / q_channel) reproduces them in expectation);
    ``ctau`` in cm."""
    rng = np.random.default_rng(seed)
    case = rng.integers(0, len(CASES), n)
    channel = rng.integers(0, len(CHANNELS), n)
    M = np.array([c.m_target for c in CASES])[case]
    mN = M_N4
    # projectile: energy above threshold m_N + m_N^2/(2M), a few mrad off the z axis
    thr = mN + mN * mN / (2.0 * M)
    E = thr * 1.02 + rng.gamma(2.0, 0.4, n)
    th = np.abs(rng.normal(0.0, 0.004, n))
    ph = rng.uniform(0.0, 2.0 * np.pi, n)
    ndir = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=1)
    p_nu = np.concatenate([E[:, None], E[:, None] * ndir], axis=1)
    # nu + A -> N + A on A at rest: 2 -> 2 in the centre-of-mass frame, then boost
    target = np.zeros((n, 4))
    target[:, 0] = M
    tot = p_nu + target
    sqrt_s = np.sqrt(M * M + 2.0 * M * E)
    hnl, recoil = two_body(tot, sqrt_s, mN, M, rng)
    # decays
    dau = np.zeros((n, 4, 4))
    for k, ch in enumerate(CHANNELS):
        sel = channel == k
        if not sel.any():
            continue
        if ch.intermediate:  # N -> nu X, X -> children (all synthetic channels have one direct daughter)
            nu, X = two_body(hnl[sel], mN, ch.masses[0], ch.m_intermediate, rng)
            parts = [nu] + _chain(X, ch.m_intermediate, ch.masses[1:], rng)
        else:
            parts = _chain(hnl[sel], mN, ch.masses, rng)
        for j, p in enumerate(parts):
            dau[sel, j] = p
    # positions: inside the box or upstream dirt; path through the box along N's direction
    vtx = np.empty((n, 4))
    dirt = rng.random(n) < dirt_fraction
    vtx[:, :3] = rng.uniform(-1.0, 1.0, (n, 3)) * BOX
    nd = int(dirt.sum())
    vtx[dirt, 0:2] = rng.uniform(-300.0, 300.0, (nd, 2))
    vtx[dirt, 2] = rng.uniform(-3000.0, -BOX[2], nd)
    vtx[:, 3] = (vtx[:, 2] + 50000.0) / C_LIGHT_CM_PER_NS + rng.uniform(0.0, 1600.0, n)
    pabs = np.linalg.norm(hnl[:, 1:], axis=1)
    l1, l2 = _ray_box(vtx[:, :3], hnl[:, 1:] / pabs[:, None], BOX)
    L = decay_length(pabs, mN, ctau)
    p_decay = decay_probability(l1, l2, L)
    u = rng.random(n)
    l_decay = np.where(l2 > l1, l1 - L * np.log1p(u * np.expm1(-(l2 - l1) / L)), l1)
    l_decay = np.clip(l_decay, l1, l2)
    # weights: per-case yields spread over events (sum w_rate = rate); channels drawn uniformly
    # (q_channel = 1/K), so sum(w_rate br / q_channel) = rate in expectation
    g = rng.lognormal(0.0, 0.7, n)
    w_rate = np.zeros(n)
    for k, r in enumerate(rates):
        sel = case == k
        w_rate[sel] = r * g[sel] / max(g[sel].sum(), 1e-300)
    # Q^2 = -(p_A - p_A')^2 = 2 M T_recoil, T = |p|^2 / (E + M) without cancellation
    Q2 = 2.0 * M * (np.sum(recoil[:, 1:] ** 2, axis=1) / (recoil[:, 0] + M))
    meta = {"experiment": "synthetic", "seed": seed, "exposure_pot": 1.875e21,
            "model": {"m4": M_N4, "mzprime": M_ZP, "ctau_cm": ctau},
            "flux_averaged_xsec_cm2": 3.2e-40, "flux_averaged_xsec_err_cm2": 0.1e-40,
            "description": "darkbeam.events.synthetic toy events (not physics)"}
    return EventSet.from_kinematics(
        case=case, channel=channel, w_rate=w_rate, br=BR[channel], q_channel=1.0 / len(CHANNELS),
        p_decay=p_decay, Q2=Q2, l1=l1, l2=l2,
        ctau=ctau, l_decay=l_decay, vertex=vtx, p_nu=p_nu, p_recoil=recoil, p_hnl=hnl, p_daughters=dau,
        cases=CASES, channels=CHANNELS, meta=meta)
