"""Decay side of reweighting: branching ratios, lifetimes, decay-density ratios and decay positions.

* Channels are matched by the channel-table names the generator writes
  (``processes.generator._assemble``), rebuilt here by :func:`channel_name`.
* The decay density of a channel at fixed polarisation is |M|^2(P, k, s) / I, I = the unpolarised
  phase-space integral of |M|^2 (the polarised part integrates to zero: it is linear in s and s.P = 0).
  Channels store |M|^2 up to a normalisation that may or may not carry the couplings (the mixing
  channels give a coupling-free shape), so I is computed by quadrature (:func:`dalitz_norm`) for both
  coupling points and only the ratio of normalised densities is used.
* Two-body channels: dGamma/dcos = (Gamma/2)(1 + alpha h cos theta) (physics/channels.py), theta the
  angle of daughters[0] with the spin axis (N's lab direction) in N's rest frame.
* Decay positions: exponential restricted to the path's segments in the detector (events/weights.py);
  :func:`resample_positions` draws new ones with the generator's kernel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from darkbeam.physics.channels import ThreeBody, TwoBody
from darkbeam.processes.upscatter_decay import channel_name  # noqa: F401  (re-exported)


def final_state(name: str) -> tuple[str, ...]:
    """Final-state labels of a channel-table name: ``"N4 -> nu_mu zprime(e+ e-)"`` -> ``("nu_mu",
    "e+", "e-")`` (intermediates dropped)."""
    rhs = name.split(" -> ", 1)[-1]
    out = [tok.split("(", 1)[1] if "(" in tok else tok for tok in rhs.replace(")", " ").split()]
    return tuple(t for t in out if t)


@dataclass
class DecayState:
    """Decays of one parameter point: c tau per HNL, final channels and BRs by table name."""

    ctau: dict = field(default_factory=dict)
    channels: dict = field(default_factory=dict)
    br: dict = field(default_factory=dict)
    norm: dict = field(default_factory=dict)  # (name, stage) -> phase-space integral of |M|^2


def decay_state(params, hnls: Sequence[int]) -> DecayState:
    """Decay tables (physics.decays.decay_table, as the generator calls it) of the HNLs ``hnls``."""
    from darkbeam.physics.decays import decay_table
    from darkbeam.processes.upscatter_decay import final_channels

    out = DecayState()
    for h in hnls:
        table = decay_table(params, f"N{h}")
        out.ctau[h] = table.ctau_cm
        if not table.channels:
            continue
        for fc in final_channels(params, table):
            for anti in (False, True):
                name = channel_name(fc, h, anti)
                out.channels[name] = fc
                out.br[name] = fc.br
    return out


def dalitz_momenta(M: float, masses, s23: np.ndarray, s13: np.ndarray):
    """Rest-frame four-momenta (n, 4) of three daughters at Dalitz point (s23, s13); k1 along +z."""
    m1, m2, m3 = masses
    E1 = (M * M + m1 * m1 - s23) / (2 * M)
    E2 = (M * M + m2 * m2 - s13) / (2 * M)
    p1 = np.sqrt(np.maximum(E1 * E1 - m1 * m1, 0.0))
    p2 = np.sqrt(np.maximum(E2 * E2 - m2 * m2, 0.0))
    s12 = M * M + m1 * m1 + m2 * m2 + m3 * m3 - s23 - s13
    den = np.where(p1 * p2 > 0, 2 * p1 * p2, 1.0)
    cos12 = np.clip((2 * E1 * E2 + m1 * m1 + m2 * m2 - s12) / den, -1.0, 1.0)
    sin12 = np.sqrt(1.0 - cos12 * cos12)
    n = np.size(s23)
    k1 = np.zeros((n, 4))
    k1[:, 0], k1[:, 3] = E1, p1
    k2 = np.zeros((n, 4))
    k2[:, 0], k2[:, 1], k2[:, 3] = E2, p2 * sin12, p2 * cos12
    k3 = -k1 - k2
    k3[:, 0] = M - E1 - E2
    return k1, k2, k3


def dalitz_norm(msq, M: float, masses, n_panels: int = 24, n_nodes: int = 8, n_s13: int = 6) -> float:
    """Unpolarised  int ds23 ds13 |M|^2  over the Dalitz region of a decay M -> 1 2 3 (GeV units).

    Composite Gauss-Legendre in ln(s23 - s23_min + delta), delta = 1e-3 (s23_max - s23_min), which
    flattens photon (1/q^2) and off-shell Z' tails, times Gauss-Legendre in s13 between its limits at
    fixed s23 (PDG 2024, Kinematics review, eq. 49.23).  |M|^2 depends on invariants only, so the
    four-vectors are built in the rest frame (:func:`dalitz_momenta`), unpolarised (s = 0).
    """
    m1, m2, m3 = masses
    lo, hi = (m2 + m3) ** 2, (M - m1) ** 2
    if not hi > lo:
        return 0.0
    delta = 1e-3 * (hi - lo)
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    edges = np.linspace(math.log(delta), math.log(hi - lo + delta), n_panels + 1)
    half = 0.5 * (edges[1:] - edges[:-1])
    u = (0.5 * (edges[1:] + edges[:-1]))[:, None] + half[:, None] * x[None, :]
    wu = (half[:, None] * w[None, :]).ravel()
    u = u.ravel()
    s23 = lo + np.exp(u) - delta
    w23 = wu * np.exp(u)
    r23 = np.sqrt(s23)
    E2s = (s23 - m3 * m3 + m2 * m2) / (2 * r23)  # in the 23 rest frame
    E3s = r23 - E2s
    E1s = (M * M - s23 - m1 * m1) / (2 * r23)
    p2s = np.sqrt(np.maximum(E2s**2 - m2 * m2, 0.0))
    p1s = np.sqrt(np.maximum(E1s**2 - m1 * m1, 0.0))
    s13_lo = (E1s + E3s) ** 2 - (p1s + p2s) ** 2
    s13_hi = (E1s + E3s) ** 2 - (p1s - p2s) ** 2
    y, wy = np.polynomial.legendre.leggauss(n_s13)
    S13 = (0.5 * (s13_lo + s13_hi))[:, None] + (0.5 * (s13_hi - s13_lo))[:, None] * y[None, :]
    W = ((w23 * 0.5 * (s13_hi - s13_lo))[:, None] * wy[None, :]).ravel()
    S23 = np.repeat(s23, n_s13)
    k1, k2, k3 = dalitz_momenta(M, masses, S23, S13.ravel())
    P = np.zeros((S23.size, 4))
    P[:, 0] = M
    val = np.broadcast_to(np.asarray(msq(P, k1, k2, k3, np.zeros_like(P)), dtype=float), (S23.size,))
    return float(np.sum(val * W))


def lab_spin(p4: np.ndarray, m: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Spin four-vector h (|p|/m, (E/m) p_hat) of a fermion with helicity h along its lab momentum:
    the rest-frame (0, h p_hat) boosted along p_hat (the sampler's convention, processes/decays.py)."""
    p = np.linalg.norm(p4[:, 1:], axis=1)
    unit = np.where(p[:, None] > 0, p4[:, 1:] / np.where(p > 0, p, 1.0)[:, None], np.array([0.0, 0.0, 1.0]))
    s = np.empty_like(p4)
    s[:, 0] = h * p / m
    s[:, 1:] = (h * p4[:, 0] / m)[:, None] * unit
    return s


def rest_cos(parent: np.ndarray, m: np.ndarray, k: np.ndarray) -> np.ndarray:
    """cos of the angle between daughter ``k`` in the parent's rest frame (reached by a pure boost)
    and the parent's lab direction (its spin axis)."""
    p = np.linalg.norm(parent[:, 1:], axis=1)
    unit = np.where(p[:, None] > 0, parent[:, 1:] / np.where(p > 0, p, 1.0)[:, None], np.array([0.0, 0.0, 1.0]))
    kpar = np.einsum("ij,ij->i", k[:, 1:], unit)
    kperp2 = np.maximum(np.einsum("ij,ij->i", k[:, 1:], k[:, 1:]) - kpar * kpar, 0.0)
    kpar_rest = (parent[:, 0] * kpar - p * k[:, 0]) / m
    norm = np.sqrt(kpar_rest**2 + kperp2)
    return np.where(norm > 0, kpar_rest / np.where(norm > 0, norm, 1.0), 0.0)


def _norm(state: DecayState, name: str, stage: int, ch, M: float) -> float:
    from darkbeam.processes.decays import daughter_masses

    key = (name, stage)
    if key not in state.norm:
        state.norm[key] = dalitz_norm(ch.kinematics.msq, M, daughter_masses(ch))
    return state.norm[key]


def channel_shape_factor(name: str, new: DecayState, gen: DecayState, P: np.ndarray, m: np.ndarray,
                         h: np.ndarray, dau: np.ndarray) -> np.ndarray:
    """Normalised-density ratio new/gen of channel ``name`` for events with N four-momenta ``P``
    (n, 4), masses ``m``, effective helicities ``h`` (CP-flipped for antiparticles, as sampled) and
    daughters ``dau`` (n, 4, 4) in channel order.  The intermediate of a cascade decays unpolarised."""
    n = P.shape[0]
    f = np.ones(n)
    if name not in new.channels or name not in gen.channels:
        return f
    fn, fg = new.channels[name], gen.channels[name]
    nd1 = len(fn.first.daughters)
    kids = dau[:, :nd1].copy()
    if fn.second is not None:
        kids[:, nd1 - 1] = dau[:, nd1 - 1: nd1 - 1 + len(fn.second.daughters)].sum(axis=1)
    for stage, (cn, cg) in enumerate(((fn.first, fg.first), (fn.second, fg.second))):
        if cn is None or cg is None:
            continue
        if stage == 0:
            parent, mpar, hel, k = P, m, h, kids
        else:
            k = dau[:, nd1 - 1: nd1 - 1 + len(cn.daughters)]
            parent = kids[:, nd1 - 1]
            mpar = np.sqrt(np.maximum(parent[:, 0] ** 2 - np.sum(parent[:, 1:] ** 2, axis=1), 0.0))
            hel = np.zeros(n)
        kn, kg = cn.kinematics, cg.kinematics
        if isinstance(kn, TwoBody) and isinstance(kg, TwoBody):
            if kn.alpha != kg.alpha and np.any(hel != 0):
                cos = rest_cos(parent, mpar, k[:, 0])
                f *= (1.0 + kn.alpha * hel * cos) / (1.0 + kg.alpha * hel * cos)
        elif isinstance(kn, ThreeBody) and isinstance(kg, ThreeBody):
            M0 = float(mpar[0])
            s = lab_spin(parent, mpar, hel)
            a = np.broadcast_to(np.asarray(kn.msq(parent, k[:, 0], k[:, 1], k[:, 2], s), dtype=float), (n,))
            b = np.broadcast_to(np.asarray(kg.msq(parent, k[:, 0], k[:, 1], k[:, 2], s), dtype=float), (n,))
            i_new, i_gen = _norm(new, name, stage, cn, M0), _norm(gen, name, stage, cg, M0)
            ok = (b > 0) & (i_new > 0)
            f *= np.where(ok, a / np.where(ok, b, 1.0) * (i_gen / i_new if i_new > 0 else 0.0), 0.0)
    return f


def resample_positions(bounds: np.ndarray, L: np.ndarray, rng: np.random.Generator, old: np.ndarray,
                       L_old: np.ndarray | None = None) -> np.ndarray:
    """Decay distances drawn from the exponential law with decay length L (cm) restricted to the path's
    segments ``bounds`` ((n, 2m) ends: l1, gap starts and ends, l2; the generator's kernel
    :func:`darkbeam.events.weights.sample_path_decay`).  Paths that miss the volume keep ``old``, and so
    do events whose decay length equals ``L_old`` (the one ``old`` was drawn with): those positions
    already follow the right law, so a reweighting to unchanged lifetimes changes nothing."""
    from darkbeam.events.weights import sample_path_decay

    bounds = np.asarray(bounds, dtype=float)
    n = bounds.shape[0]
    u1, u2 = rng.random(n), rng.random(n)
    L = np.broadcast_to(np.asarray(L, dtype=float), (n,))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        l = sample_path_decay(bounds, L, u1, u2)
    same = np.zeros(n, dtype=bool) if L_old is None else (np.asarray(L_old) == L)
    return np.where((bounds[:, -1] > bounds[:, 0]) & ~same, l, old)
