"""Dark vectors of the electromagnetic showers in a proton target as a production "channel" of the
meson-decay process: events, files, reweighting and limits through the existing machinery.

The source (:func:`darkbeam.sources.shower.proton_dump.proton_dump_dark_sample`) gives the dark vectors
V themselves, made by the showers of the pi0/eta photons in the target (dark bremsstrahlung, resonant
and non-resonant positron annihilation, dark Compton; docs/showers.md), at their production points in
the beam frame, with weights = V per POT at epsilon = 1.  :class:`ShowerChannel` carries the sample
through :func:`darkbeam.processes.meson_decay.simulate` with branching ratio ``br`` = epsilon^2 (every
production cross section is ~ epsilon^2) and its own production step :meth:`ShowerChannel.produce`:
``n`` vectors drawn from the sample with probability proportional to their weights, moved into the
detector frame, kept when their straight line crosses the decay volume, each with
w_rate = POT x (sample total per POT / n) x br, so that sum(w_rate) estimates the vectors per exposure
that point at the volume (unbiased; no forced direction: the sample's angular law is not known in
closed form).  The flight (survival and decay on the ray's pieces in the volume, exact exponential law
from the production point), the decay into the channels of the decay library and the weights are those
of every meson-decay event, so ``EventSet.with_ctau``, :func:`darkbeam.processes.meson_decay.reweight`
and :func:`darkbeam.analysis.meson_limits.coupling_curve` reweight them exactly in epsilon at fixed mass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from darkbeam.processes.direct_llp import DirectChannel

__all__ = ["ShowerChannel", "shower_channel", "CHANNEL_NAME", "SAMPLE_KEY", "shower_sample", "run_shower_events"]

#: the production channel's name in tables and meta
CHANNEL_NAME = "gamma(pi0, eta) shower -> zprime"
#: key of the shower sample in the parents mapping of simulate
SAMPLE_KEY = "zprime (target shower)"
SOURCE = ("electromagnetic showers of the pi0/eta photons in the target (darkbeam.sources.shower.proton_dump; "
          "dark bremsstrahlung: Bjorken, Essig, Schuster, Toro arXiv:0906.0580 app. A; resonant annihilation "
          "narrow width; e+e- -> gamma V and gamma e -> V e as PETITE arXiv:2401.06843; docs/showers.md)")


@dataclass(frozen=True)
class ShowerChannel(DirectChannel):
    """Dark vectors of the target's photon showers as a production channel of :func:`simulate` (module
    docstring).  br: epsilon^2 (the sample's weights are at epsilon = 1); scaling: ((coupling, power),) as
    for the meson channels; mass: the vector's mass (GeV)."""

    name: ClassVar[str] = CHANNEL_NAME
    parent: str = "gamma"
    daughters: tuple[str, ...] = ("zprime",)
    llp: str = "zprime"
    source: str = SOURCE
    sample_key: str = SAMPLE_KEY
    notes: tuple[str, ...] = field(default=("no parent decay: V is made by a shower particle in the target; its "
                                            "polarisation is not modelled (unpolarised decays); the stored parent "
                                            "four-momentum is V's own (the shower particle is not kept)",))

    def produce(self, ps, place, vol, params, n: int, rng, pot: float) -> dict | None:
        """``n`` vectors drawn from the sample, those whose line crosses the decay volume: the arrays of
        meson_decay.produce_toward_volume (one branch)."""
        from darkbeam.events.weights import path_bounds_from_segments

        W = np.asarray(ps.weight, dtype=float)
        tot = float(W.sum())
        if not (len(ps) and tot > 0):
            return None
        idx = rng.choice(len(ps), size=n, p=W / tot)
        k4 = np.asarray(ps.p4, dtype=float)[idx]
        p3 = place.vectors_to_detector(k4[:, 1:])
        x0 = place.points_to_detector(np.asarray(ps.position, dtype=float)[idx])
        pabs = np.linalg.norm(p3, axis=1)
        u = p3 / np.maximum(pabs, 1e-300)[:, None]
        a, b = vol.segments(x0, u)
        hit = np.flatnonzero((b > a).any(axis=1) if a.ndim == 2 else b > a)
        if hit.size == 0:
            return None
        m = float(self.mass)
        lab = np.zeros((hit.size, 1, 4))
        lab[:, 0, 0] = np.sqrt(pabs[hit] ** 2 + m * m)
        lab[:, 0, 1:] = p3[hit]
        w_rate = np.full(hit.size, pot * (tot / n) * self.br)
        return {"P4": lab[:, 0].copy(), "x0": x0[hit], "t0": np.asarray(ps.time, dtype=float)[idx][hit], "lab": lab,
                "h": np.zeros(hit.size), "w_rate": w_rate, "bounds": path_bounds_from_segments(a[hit], b[hit]),
                "branch": np.zeros(hit.size, dtype=np.int64), "draw": hit}


def shower_channel(params) -> ShowerChannel | None:
    """The shower channel of a model with a kinetically mixed Z' (zprime_charge 'dark', epsilon != 0), else
    None.  br = epsilon^2 of :class:`darkbeam.models.couplings.Couplings`."""
    from darkbeam import constants as C
    from darkbeam.models.couplings import Couplings
    from darkbeam.physics.production.dark_channels import _epsilon_scaling

    if not params.has_zprime or params.zprime_charge != "dark":
        return None
    eps = Couplings(params, C.SW2).epsilon
    if eps == 0.0:
        return None
    return ShowerChannel(br=float(eps) ** 2, scaling=_epsilon_scaling(params), mass=float(params.mzprime))


def shower_sample(beam: str, mass: float, *, showers: int = 64, vectors: int = 20000, seed: int = 1,
                  min_energy: float = 0.0, lateral: bool = True, **kw):
    """The dark-vector sample of the photon showers in ``beam``'s target (ParentSample, weights per POT at
    epsilon = 1) and its info: yield per POT, error, by process (:func:`proton_dump_dark_sample`)."""
    from darkbeam.sources.shower.proton_dump import proton_dump_dark_sample

    return proton_dump_dark_sample(beam, mass, showers=showers, vectors=vectors, seed=seed, min_energy=min_energy,
                                   lateral=lateral, **kw)


def run_shower_events(params, experiment, *, beam: str | None = None, n: int = 20000, seed: int = 1,
                      showers: int = 64, vectors: int | None = None, min_energy: float = 0.0, direct: bool = True,
                      n_parents: int = 2**14, pot: float | None = None):
    """Dark-photon events at ``experiment`` (keyword or Experiment) from the photon showers in the target of
    its beam (``beam``: default the experiment's [beam] frame) and, with ``direct``, from pi0, eta -> gamma A'
    of the same beam model, so that the two sources are side by side (cases of the EventSet):
    :func:`darkbeam.processes.meson_decay.simulate` with :class:`ShowerChannel` (a MesonRun: events and the
    JSON summary).  ``n`` draws per channel, ``vectors`` dark vectors sampled from ``showers`` photon showers
    (default 4 n, at least 20000), ``min_energy`` as :func:`proton_dump_dark_sample`."""
    from darkbeam.detectors.catalog import Experiment, load_experiment
    from darkbeam.errors import ConfigurationError
    from darkbeam.processes.meson_decay import simulate
    from darkbeam.processes.meson_run import MesonRun, beam_of, meson_channels, meson_parents, summary_of

    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    frame = beam_of(exp, beam)
    ch = shower_channel(params)
    if ch is None:
        raise ConfigurationError("shower events need a kinetically mixed dark photon: set mzprime and epsilon "
                                 "(zprime_charge 'dark')")
    if int(n) < 1:
        raise ConfigurationError(f"n must be a positive number of draws per channel, got {n}")
    vectors = max(4 * int(n), 20000) if vectors is None else int(vectors)
    sample, info = shower_sample(frame, ch.mass, showers=showers, vectors=vectors, seed=seed, min_energy=min_energy)
    chs, parents, notes = [ch], {ch.sample_key: sample}, []
    if direct:
        try:
            meson = meson_channels(params, parents=["pi0", "eta"], particle="dark_photon")
        except ConfigurationError as exc:
            meson = []
            notes.append(f"pi0, eta -> gamma A': {exc}")
        if meson:
            got, nn = meson_parents(frame, [c.parent for c in meson], n=n_parents, seed=seed)
            parents.update(got)
            notes += nn
            chs = meson + chs
    events = simulate(params, exp, chs, parents, n=n, rng=np.random.default_rng(seed), pot=pot, seed=seed)
    events.meta.update({"parent_notes": notes, "beam": frame, "parent_mode": "in-flight",
                        "shower": {"showers": showers, "vectors": vectors, "min_energy_GeV": min_energy,
                                   "yield_per_pot_eps1": info["yield_per_pot"],
                                   "yield_per_pot_eps1_error": info["yield_error"],
                                   "yield_per_pot_eps1_by_process": info["by_process"],
                                   "note": "the shower channel's decays_in_volume_err counts the draws from the sample "
                                           "only; the sample's own relative error (shower to shower) is "
                                           "yield_per_pot_eps1_error / yield_per_pot_eps1"}})
    summary = summary_of(events)
    summary["process"] = "shower"
    summary["shower"] = events.meta["shower"]
    return MesonRun(events, summary)
