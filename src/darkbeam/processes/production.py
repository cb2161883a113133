"""Kinematics of new particles made in decays: rest-frame sampling and the boost to the lab.

* :func:`sample_rest_frame` is what a :class:`~darkbeam.physics.production.channel.ProductionChannel`'s
  ``sampler(n, rng)`` calls (physics/production/kinematics.py): two-body decays isotropic at the fixed
  momentum (:func:`darkbeam.mc.phasespace.two_body_rest`); three-body decays drawn exactly by
  accept-reject from the channel's spin-summed |M|^2 (:class:`darkbeam.mc.phasespace.DalitzSampler`,
  envelope cached per |M|^2 and masses, independent of the couplings), with the new particle's
  longitudinal polarisation per event from the channel's polarisation function.  Parents are spinless
  or taken unpolarised, so the orientation is isotropic.
* :func:`sample_production` boosts rest-frame samples to parents of given lab four-momenta and
  transforms the new particle's polarisation to its lab helicity.

Polarisation in the lab: the rest-frame state has spin four-vector S = P s_h with s_h the helicity
four-vector of the particle's momentum in the parent frame; S is boosted with the parent, and the lab
helicity is P_lab = -S_lab . s_h,lab (s.s = -1).  |P_lab| <= |P|: the component of S transverse to
the lab momentum (from the Wigner rotation between the two helicity frames, and the transverse
polarisation of three-body decays, never computed) is dropped, because the decay sampler
(processes.decays) takes a helicity only.  For an ultra-relativistic particle P_lab = P.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from darkbeam.errors import ConfigurationError, KinematicsError
from darkbeam.mc.dalitz import DalitzSampler
from darkbeam.mc.fourvec import boost_from_rest
from darkbeam.mc.phasespace import two_body_rest
from darkbeam.physics.production.channel import ProductionChannel, RestFrameSample
from darkbeam.physics.production.hnl_currents import helicity_vector, mdot
from darkbeam.physics.production.kinematics import (
    ThreeBodyKinematics,
    TwoBodyKinematics,
)

__all__ = ["sample_rest_frame", "sample_production", "ProductionSample", "lab_polarisation"]

#: relative tolerance on the parents' invariant mass
MASS_SHELL_RTOL = 1e-6
_SAMPLERS: "OrderedDict[tuple, DalitzSampler]" = OrderedDict()
_CACHE_SIZE = 128


class ProductionSample(NamedTuple):
    """Lab-frame result of :func:`sample_production`: momenta (n, k, 4) GeV in the channel's daughter
    order; polarisation (n,) of the new particle along its lab momentum (the ``helicity`` of
    processes.decays.sample_decays); weight (n,) the rest-frame weights (mean 1)."""

    momenta: np.ndarray
    polarisation: np.ndarray
    weight: np.ndarray


def _dalitz(kin: ThreeBodyKinematics) -> DalitzSampler:
    key = (kin.key or id(kin.msq), kin.parent_mass, kin.masses, kin.poles)
    s = _SAMPLERS.get(key)
    if s is not None:
        _SAMPLERS.move_to_end(key)
        return s
    M = kin.parent_mass
    msq = kin.msq

    def weight(k: np.ndarray, s3: np.ndarray) -> np.ndarray:  # spinless parent: s3 unused
        P = np.zeros((k.shape[0], 4))
        P[:, 0] = M
        return np.ascontiguousarray(msq(P, k[:, 0], k[:, 1], k[:, 2]), dtype=np.float64)

    try:
        s = DalitzSampler(M, kin.masses, weight, poles=kin.poles)
    except ValueError as err:
        raise KinematicsError(f"three-body production M = {M:.6g} GeV -> masses {kin.masses}: {err}") from None
    _SAMPLERS[key] = s
    if len(_SAMPLERS) > _CACHE_SIZE:
        _SAMPLERS.popitem(last=False)
    return s


def _three_body(kin: ThreeBodyKinematics, n: int, rng: np.random.Generator) -> np.ndarray:
    sampler = _dalitz(kin)
    h = np.zeros(n)
    for _ in range(20):
        k, stats = sampler.sample(rng, h)
        if stats.n_bad:
            raise KinematicsError(f"three-body production: {stats.n_bad} negative or non-finite |M|^2 values")
        if stats.max_ratio <= 1.0:
            return k
        warnings.warn(f"three-body production: |M|^2 exceeded the scanned envelope by {stats.max_ratio:.4g}; "
                      "envelope raised, batch resampled", RuntimeWarning, stacklevel=3)
        sampler.enlarge(stats.max_ratio * 1.25)
    raise KinematicsError("three-body production: no envelope bounds |M|^2")


def sample_rest_frame(kin, n: int, rng: np.random.Generator) -> RestFrameSample:
    """n decays at rest for a :class:`TwoBodyKinematics` or :class:`ThreeBodyKinematics` (module docstring)."""
    n = int(n)
    if n < 0:
        raise ConfigurationError(f"number of decays must be >= 0, not {n}")
    M = float(kin.parent_mass)
    if sum(kin.masses) >= M:
        raise KinematicsError(f"production closed: parent mass {M:.6g} GeV <= sum of daughter masses {sum(kin.masses):.6g} GeV")
    if isinstance(kin, TwoBodyKinematics):
        k = two_body_rest(rng, n, M, kin.masses[0], kin.masses[1], 0.0)
        pol = np.full(n, float(kin.polarisation))
    elif isinstance(kin, ThreeBodyKinematics):
        k = _three_body(kin, n, rng)
        if kin.polarisation is None or n == 0:
            pol = np.zeros(n)
        else:
            P = np.zeros((n, 4))
            P[:, 0] = M
            pol = np.asarray(kin.polarisation(P, k[:, 0], k[:, 1], k[:, 2]), dtype=np.float64)
    else:
        raise ConfigurationError(f"no rest-frame sampler for {type(kin).__name__}")
    return RestFrameSample(momenta=k, polarisation=pol, weight=np.ones(n))


def lab_polarisation(k_rest: np.ndarray, pol_rest: np.ndarray, P: np.ndarray, m: float, k_lab=None) -> np.ndarray:
    """Helicity in the lab of a spin-1/2 particle of mass m with rest-frame (parent frame) momentum
    k_rest (n, 4) and helicity pol_rest (n,), for parents of lab four-momenta P (n, 4) (module docstring);
    ``k_lab``: its lab momentum if already known."""
    if m <= 0:
        return np.asarray(pol_rest, dtype=np.float64).copy()
    s_rest = helicity_vector(k_rest, m)
    s_lab = boost_from_rest(s_rest, P)
    if k_lab is None:
        k_lab = boost_from_rest(k_rest, P)
    overlap = -mdot(s_lab, helicity_vector(k_lab, m))
    return np.clip(pol_rest * overlap, -1.0, 1.0)


def _check_parents(parent_p4, M: float) -> np.ndarray:
    P = np.asarray(parent_p4, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] != 4:
        raise ConfigurationError(f"parent_p4 must have shape (n, 4), not {P.shape}")
    if not np.all(np.isfinite(P)):
        raise ConfigurationError("parent four-momenta must be finite")
    if P.shape[0]:
        m2 = P[:, 0] ** 2 - np.sum(P[:, 1:] ** 2, axis=1)
        bad = (P[:, 0] <= 0) | (np.abs(m2 - M**2) > 2 * MASS_SHELL_RTOL * M**2 + 1e-14 * P[:, 0] ** 2)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise KinematicsError(f"parent four-momentum {P[j].tolist()} is not on the mass shell of m = {M:.6g} GeV")
    return P


def sample_production(channel: ProductionChannel, parent_p4, rng: np.random.Generator) -> ProductionSample:
    """Daughters of ``channel`` for parents with lab four-momenta ``parent_p4`` (n, 4), on the mass shell
    of the channel's parent: rest-frame decays (``channel.sampler``) boosted along each parent's
    momentum, and the new particle's polarisation along its lab momentum (module docstring)."""
    kin = channel.sampler
    M = float(getattr(kin, "parent_mass", 0.0)) or None
    if M is None:
        from darkbeam.physics.particles import mass_of

        M = mass_of(channel.parent)
    P = _check_parents(parent_p4, M)
    n = P.shape[0]
    rest = channel.sampler(n, rng)
    lab = boost_from_rest(rest.momenta, P[:, None, :])
    i = channel.llp_index
    m_llp = float(np.sqrt(max(mdot(rest.momenta[0, i], rest.momenta[0, i]), 0.0))) if n else 0.0
    masses = getattr(kin, "masses", None)
    if masses is not None:
        m_llp = float(masses[i])
    if np.any(rest.polarisation != 0):
        pol = lab_polarisation(rest.momenta[:, i], rest.polarisation, P, m_llp, k_lab=lab[:, i])
    else:
        pol = np.zeros(n)
    return ProductionSample(momenta=lab, polarisation=pol, weight=rest.weight)
