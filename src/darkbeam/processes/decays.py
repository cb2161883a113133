"""Decay kinematics: daughters' lab four-momenta for a batch of decaying parents.

This joins the decay channels of :mod:`darkbeam.physics` (a :class:`~darkbeam.physics.channels.Channel`
with its :class:`TwoBody` / :class:`ThreeBody` kinematics) to the samplers of
:mod:`darkbeam.mc.phasespace`.  Conventions (docs/decay_sampling.md):

* the parent's spin is quantised along its lab momentum (helicity frame): ``helicity`` h in [-1, 1]
  is the polarisation along P_vec/|P_vec|, and in the rest frame reached from the lab by a pure
  boost the spin four-vector is s = (0, h n_hat).  A parent exactly at rest uses n_hat = +z;
* two-body: dGamma/dcos(theta) = Gamma/2 (1 + alpha h cos(theta)), theta the angle of daughters[0]
  with the spin axis (physics/channels.py);
* three-body: |M|^2(P, k1, k2, k3, s) of the channel (the particle's matrix element), sampled exactly
  by :class:`darkbeam.mc.dalitz.DalitzSampler`: the Dalitz point by accept-reject of the spin average
  against a tabulated envelope found by scanning (capped at ``ThreeBody.msq_max`` when that is
  declared; a weight above a declared msq_max is a KinematicsError, one above the scanned envelope
  raises it, warns with :class:`BoundExceededWarning` and resamples), the orientation exactly from
  the linear spin dependence |M|^2 = A + B.s (a weight not of that form is a KinematicsError);
* antiparticle parents by CP: labels conjugated and s -> -s (CP takes a particle of momentum p and
  spin s to an antiparticle of momentum -p and spin s; with all daughter momenta also reversed, the
  angular correlation with s flips sign, i.e. alpha h -> -alpha h and msq(..., s) -> msq(..., -s));
* channels without kinematics: two daughters isotropic, three daughters flat in phase space.

Momenta in GeV, arrays of shape (n, k, 4) with components (E, px, py, pz).
"""

from __future__ import annotations

import copy
import warnings
from collections import OrderedDict
from typing import TYPE_CHECKING, NamedTuple, Sequence

import numpy as np

from darkbeam.errors import ConfigurationError, KinematicsError
from darkbeam.mc._jit import outer_batch
from darkbeam.mc.dalitz import DalitzSampler
from darkbeam.mc.fourvec import helicity_frame_to_lab
from darkbeam.mc.phasespace import two_body_rest
from darkbeam.physics.channels import Channel, ThreeBody, TwoBody
from darkbeam.physics.particles import conjugate, mass_of

if TYPE_CHECKING:  # physics.decays imports every physics module; only its type is needed here
    from darkbeam.physics.decays import DecayTable

__all__ = [
    "sample_channel",
    "sample_decays",
    "daughter_masses",
    "daughter_labels",
    "three_body_sampler",
    "DecaySample",
    "BoundExceededWarning",
]

#: relative tolerance on the parents' invariant mass (sqrt(P.P) vs parent_mass)
MASS_SHELL_RTOL = 1e-6
_CACHE_SIZE = 256
_SAMPLERS: "OrderedDict[tuple, DalitzSampler]" = OrderedDict()
#: freshly built samplers by the exact parameters of their weight (see three_body_sampler)
_TEMPLATES: "OrderedDict[tuple, DalitzSampler]" = OrderedDict()


class BoundExceededWarning(RuntimeWarning):
    """A three-body weight exceeded the envelope found by the scan; the envelope was raised and the
    batch resampled, so the result is exact, but the channel's |M|^2 has a feature the scan missed."""


class DecaySample(NamedTuple):
    """Result of :func:`sample_decays`.

    index: (n,) channel index in ``table.channels``; momenta: (n, kmax, 4) lab four-momenta (GeV) in
    the order of each channel's daughters, rows beyond ``n_daughters`` zero; n_daughters: (n,).
    """

    index: np.ndarray
    momenta: np.ndarray
    n_daughters: np.ndarray


def daughter_masses(channel: Channel) -> tuple[float, ...]:
    """Daughter masses in GeV: ``channel.masses`` if given, else from their labels."""
    if channel.masses:
        if len(channel.masses) != len(channel.daughters):
            raise ConfigurationError(f"channel {channel.parent} -> {channel.name}: {len(channel.masses)} masses for {len(channel.daughters)} daughters")
        return tuple(float(m) for m in channel.masses)
    try:
        return tuple(mass_of(d) for d in channel.daughters)
    except KeyError as err:
        raise ConfigurationError(f"channel {channel.parent} -> {channel.name}: unknown daughter {err} and no masses given") from None


def daughter_labels(channel: Channel, antiparticle: bool = False) -> tuple[str, ...]:
    """Daughter labels of the channel, charge-conjugated for an antiparticle parent."""
    return tuple(conjugate(d) for d in channel.daughters) if antiparticle else tuple(channel.daughters)


def _check_parents(parents_p4, helicity, parent_mass: float, antiparticle) -> tuple[np.ndarray, np.ndarray]:
    P = np.asarray(parents_p4, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] != 4:
        raise ConfigurationError(f"parents_p4 must have shape (n, 4), not {P.shape}")
    n = P.shape[0]
    h_in = np.asarray(helicity, dtype=np.float64)
    h1 = h_in if h_in.ndim == 0 else np.broadcast_to(h_in, (n,))  # one helicity for all: check it once
    if not (np.all(np.isfinite(P)) and np.all(np.isfinite(h1))):
        raise ConfigurationError("parents' four-momenta and helicities must be finite")
    if np.any(np.abs(h1) > 1.0):
        raise ConfigurationError(f"helicity must lie in [-1, 1] (max |h| = {np.abs(h1).max():.6g})")
    if not parent_mass > 0:
        raise ConfigurationError(f"parent mass must be positive, not {parent_mass}")
    if n:
        m2 = P[:, 0] ** 2 - (P[:, 1] ** 2 + P[:, 2] ** 2 + P[:, 3] ** 2)
        bad = (P[:, 0] <= 0) | (np.abs(m2 - parent_mass**2) > 2.0 * MASS_SHELL_RTOL * np.maximum(parent_mass**2, 1e-300) + 1e-14 * P[:, 0] ** 2)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise KinematicsError(
                f"parent four-momentum {P[j].tolist()} is not on the mass shell of m = {parent_mass:.6g} GeV "
                f"(sqrt(P.P) = {np.sqrt(max(m2[j], 0.0)):.9g} GeV)"
            )
    anti = np.asarray(antiparticle, dtype=bool)
    if h_in.ndim == 0 and anti.ndim == 0:
        return P, np.full(n, -float(h_in) if anti else float(h_in))
    h = np.broadcast_to(h_in, (n,)).astype(np.float64)
    return P, np.where(np.broadcast_to(anti, (n,)), -h, h)


def _daughters_component_major(k: np.ndarray, view_ok: bool = False) -> np.ndarray:
    """Component-major copy kc (3, 4, m) of daughters k (m, 3, 4): kc[i, c] is a contiguous row
    (strided columns of (m, 3, 4) made each product of the invariants ~4x slower; the same values).
    ``view_ok``: k's own storage when it is already component-major (DalitzSampler's candidates), for
    a reader that does not write into it."""
    kt = k.transpose(1, 2, 0)
    if view_ok and kt.strides[2] == kt.itemsize:
        return kt
    kc = np.empty((3, 4, k.shape[0]))
    kc[...] = kt
    return kc


def _component_major(k: np.ndarray, M: float):
    """(m, 4) views of component-major copies of the parent at rest and the daughters k (m, 3, 4)."""
    kc = _daughters_component_major(k)
    Pc = np.zeros((4, k.shape[0]))
    Pc[0] = M
    return Pc.T, kc[0].T, kc[1].T, kc[2].T


def _msq_weight(msq, M: float):
    """Wrap a channel's msq(P, k1, k2, k3, s) into the rest-frame weight(k, s3) of DalitzSampler,
    with its hooks ``weight.spins(k, s3s)`` (several spin vectors on the same daughters),
    ``weight.axes(k, axes)`` (unit spin vectors along body axes 0, 1, 2 = x, y, z) and
    ``weight.spin_average(k)``.

    The hooks give the same numbers as weight(k, s3) one spin at a time (and at s3 = 0).  A matrix
    element that declares ``msq.stacked_spins`` takes the spin vectors stacked, (j, m, 4), and
    computes its spin-independent invariants once; ``msq.spin_average`` skips the spin terms of the
    average; ``msq.at_rest(M, kc, axes)`` takes the daughters component-major with the parent at
    rest and the spin along axes (no products by exact zeros; hnl_dileptons.make_msq).  Any other
    matrix element is called once per spin vector on the same component-major arrays."""
    stacked = bool(getattr(msq, "stacked_spins", False))
    average = getattr(msq, "spin_average", None)
    at_rest = getattr(msq, "at_rest", None)

    def weight(k: np.ndarray, s3: np.ndarray) -> np.ndarray:
        m = k.shape[0]
        P, k1, k2, k3 = _component_major(k, M)
        sc = np.zeros((4, m))
        sc[1:] = s3.T
        w = np.asarray(msq(P, k1, k2, k3, sc.T), dtype=np.float64)
        return np.ascontiguousarray(np.broadcast_to(w, (m,)))

    def spins(k: np.ndarray, s3: np.ndarray) -> np.ndarray:
        j, m = s3.shape[0], k.shape[0]
        P, k1, k2, k3 = _component_major(k, M)
        sc = np.zeros((j, 4, m))
        sc[:, 1:] = s3.transpose(0, 2, 1)
        if stacked:
            w = np.asarray(msq(P, k1, k2, k3, sc.transpose(0, 2, 1)), dtype=np.float64)
            return np.ascontiguousarray(np.broadcast_to(w, (j, m)))
        out = np.empty((j, m))
        for a in range(j):
            out[a] = np.broadcast_to(np.asarray(msq(P, k1, k2, k3, sc[a].T), dtype=np.float64), (m,))
        return out

    def axes(k: np.ndarray, axes) -> np.ndarray:
        j, m = len(axes), k.shape[0]
        if at_rest is None:
            s3 = np.zeros((j, m, 3))
            for row, a in enumerate(axes):
                s3[row, :, a] = 1.0
            return spins(k, s3)
        w = np.asarray(at_rest(M, _daughters_component_major(k, True), tuple(a + 1 for a in axes)), dtype=np.float64)
        return np.ascontiguousarray(np.broadcast_to(w, (j, m)))

    def spin_average(k: np.ndarray) -> np.ndarray:
        m = k.shape[0]
        if at_rest is not None:
            w = np.asarray(at_rest(M, _daughters_component_major(k, True), None), dtype=np.float64)
        else:
            P, k1, k2, k3 = _component_major(k, M)
            w = np.asarray(msq(P, k1, k2, k3, np.zeros((m, 4))) if average is None else average(P, k1, k2, k3),
                           dtype=np.float64)
        return np.ascontiguousarray(np.broadcast_to(w, (m,)))

    weight.spins = spins
    weight.axes = axes
    weight.spin_average = spin_average
    return weight


def three_body_sampler(channel: Channel, parent_mass: float) -> DalitzSampler:
    """The (cached) Dalitz sampler of a three-body channel for a parent of mass ``parent_mass`` (GeV)."""
    masses = daughter_masses(channel)
    kin = channel.kinematics
    key = (kin if isinstance(kin, ThreeBody) else None, float(parent_mass), masses)
    sampler = _SAMPLERS.get(key)
    if sampler is not None:
        _SAMPLERS.move_to_end(key)
        return sampler
    # channels whose |M|^2 declares the same exact parameters (msq.signature: e.g. N -> nu nu_e
    # nubar_e and N -> nu nu_tau nubar_tau, same couplings) have the same weights to the bit, hence
    # the same envelope: each gets a shallow copy of the one built (its own state: enlarge and
    # use_declared_bound replace the tables of that copy, never modify them in place)
    signature = getattr(kin.msq, "signature", None) if isinstance(kin, ThreeBody) else None
    tkey = None if signature is None else (signature, kin.msq_max, float(parent_mass), masses)
    template = None if tkey is None else _TEMPLATES.get(tkey)
    if template is not None:
        sampler = copy.copy(template)
        sampler.weight = _msq_weight(kin.msq, float(parent_mass))
    elif isinstance(kin, ThreeBody):
        try:
            sampler = DalitzSampler(parent_mass, masses, _msq_weight(kin.msq, float(parent_mass)), kin.msq_max)
        except ValueError as err:
            raise KinematicsError(f"channel {channel.parent} -> {channel.name}: {err}") from None
        if tkey is not None:
            _TEMPLATES[tkey] = copy.copy(sampler)
            if len(_TEMPLATES) > _CACHE_SIZE:
                _TEMPLATES.popitem(last=False)
    else:
        sampler = DalitzSampler(parent_mass, masses)
    _SAMPLERS[key] = sampler
    if len(_SAMPLERS) > _CACHE_SIZE:
        _SAMPLERS.popitem(last=False)
    return sampler


def _sample_three_body_rest(channel: Channel, parent_mass: float, h_eff: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    sampler = three_body_sampler(channel, parent_mass)
    declared = channel.kinematics.msq_max if isinstance(channel.kinematics, ThreeBody) else None
    for _ in range(20):
        k, stats = sampler.sample(rng, h_eff)
        if stats.n_bad:
            raise KinematicsError(f"channel {channel.parent} -> {channel.name}: {stats.n_bad} negative or non-finite |M|^2 values")
        if declared is not None and stats.max_weight > declared * (1.0 + 1e-9):
            raise KinematicsError(
                f"channel {channel.parent} -> {channel.name}: |M|^2 exceeds its declared msq_max by a factor {stats.max_weight / declared:.6g}"
            )
        if stats.max_ratio <= 1.0:
            return k
        if declared is not None:
            # the scanned envelope (capped at the declared bound) was too low somewhere, but the
            # declared bound holds: use it alone (exact, no warning needed)
            sampler.use_declared_bound()
            continue
        warnings.warn(
            f"channel {channel.parent} -> {channel.name}: |M|^2 exceeded the scanned envelope by a factor "
            f"{stats.max_ratio:.4g}; envelope raised, batch resampled",
            BoundExceededWarning,
            stacklevel=3,
        )
        sampler.enlarge(stats.max_ratio * 1.25)
    raise KinematicsError(f"channel {channel.parent} -> {channel.name}: no envelope bounds |M|^2 (unbounded matrix element?)")


def sample_channel(
    channel: Channel,
    parent_mass: float,
    parents_p4: np.ndarray,
    helicity,
    rng: np.random.Generator,
    antiparticle=False,
) -> np.ndarray:
    """Sample the daughters of ``channel`` for parents of mass ``parent_mass`` (GeV).

    parents_p4: (n, 4) lab four-momenta (GeV), on the mass shell; helicity: (n,) or scalar in [-1, 1]
    (polarisation along the lab momentum); antiparticle: bool or (n,) bools (CP-conjugate parent).
    Returns the daughters' lab four-momenta, shape (n, k, 4), in the order of ``channel.daughters``
    (conjugated labels for antiparticles: :func:`daughter_labels`).  Energy and momentum are
    conserved to rounding; daughters are exactly on shell.  A closed channel is a KinematicsError.
    """
    P, h_eff = _check_parents(parents_p4, helicity, float(parent_mass), antiparticle)
    M = float(parent_mass)
    masses = daughter_masses(channel)
    if sum(masses) >= M:
        raise KinematicsError(f"channel {channel.parent} -> {channel.name} is closed: m = {M:.6g} GeV <= sum of daughter masses {sum(masses):.6g} GeV")
    n = P.shape[0]
    kin = channel.kinematics
    nd = len(masses)
    if nd == 2 and (kin is None or isinstance(kin, TwoBody)):
        alpha = kin.alpha if isinstance(kin, TwoBody) else 0.0
        if not abs(alpha) <= 1.0:
            raise ConfigurationError(f"channel {channel.parent} -> {channel.name}: |alpha| = {abs(alpha)} > 1")
        k = two_body_rest(rng, n, M, masses[0], masses[1], alpha * h_eff)
    elif nd == 3 and (kin is None or isinstance(kin, ThreeBody)):
        k = _sample_three_body_rest(channel, M, h_eff, rng)
    else:
        raise KinematicsError(
            f"channel {channel.parent} -> {channel.name}: no sampler for {nd} daughters with kinematics {type(kin).__name__}"
        )
    return helicity_frame_to_lab(k, P, M, np.asarray(masses))


def sample_decays(
    table: "DecayTable",
    parents_p4: np.ndarray,
    helicity,
    rng: np.random.Generator,
    antiparticle=False,
) -> DecaySample:
    """Choose a channel of ``table`` for each parent with probability = branching ratio and sample
    its daughters (see :func:`sample_channel`).  Returns a :class:`DecaySample`.

    The channel choice uses one uniform per parent (inverse CDF of the branching ratios); channels are
    then sampled in table order, so a seed gives the same decays.  A particle without open channels
    is a KinematicsError.  The compiled kernels are chosen by the size of the whole batch
    (:func:`darkbeam.mc._jit.outer_batch`), not by each channel's share of it.
    """
    n = int(np.shape(parents_p4)[0]) if np.ndim(parents_p4) == 2 else 0
    with outer_batch(n):
        return _sample_decays(table, parents_p4, helicity, rng, antiparticle)


def _sample_decays(table: "DecayTable", parents_p4, helicity, rng, antiparticle) -> DecaySample:
    """The body of :func:`sample_decays` (inside its ``outer_batch``)."""
    channels: Sequence[Channel] = table.channels
    widths = np.array([ch.width for ch in channels], dtype=np.float64)
    total = float(widths.sum()) if widths.size else 0.0
    if not total > 0:
        raise KinematicsError(f"{table.particle} has no open decay channel in this model")
    P = np.asarray(parents_p4, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] != 4:
        raise ConfigurationError(f"parents_p4 must have shape (n, 4), not {P.shape}")
    n = P.shape[0]
    h = np.broadcast_to(np.asarray(helicity, dtype=np.float64), (n,))
    anti = np.broadcast_to(np.asarray(antiparticle, dtype=bool), (n,))
    cum = np.cumsum(widths) / total
    index = np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(channels) - 1)
    kmax = max(len(ch.daughters) for ch in channels)
    momenta = np.zeros((n, kmax, 4))
    n_daughters = np.zeros(n, dtype=np.int64)
    for j, ch in enumerate(channels):
        sel = np.flatnonzero(index == j)
        if sel.size == 0:
            continue
        k = sample_channel(ch, table.mass, P[sel], h[sel], rng, anti[sel])
        momenta[sel, : k.shape[1]] = k
        n_daughters[sel] = k.shape[1]
    return DecaySample(index=index, momenta=momenta, n_daughters=n_daughters)
