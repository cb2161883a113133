"""Exact reweighting of generated events to other couplings at fixed masses (docs/reweighting.md).

An event of the generator (:mod:`darkbeam.processes.upscatter_decay`) carries

    w = w_rate * (br / q_channel) * w_decay * p_decay,

with w_rate = w_up = vegas weight x flux x d sigma/dQ^2(E, Q^2) x jacobian x targets x POT (its sum is
the number of upscatterings), q_channel the probability with which its decay channel was chosen (the
channel's branching ratio in the generated model), br the channel's branching ratio, w_decay = 1 and
p_decay = sum over the path's segments in the detector of exp(-a/L) - exp(-b/L), L = (|p_N|/m_N) c tau.
At fixed masses every kinematic variable keeps its meaning and its sampling density, so for new
couplings (importance-sampling identity, exact event by event):

* ``w_rate_new = w_rate_old * dsigma_new(E, Q^2) / dsigma_old(E, Q^2)`` per case (flux, jacobian and
  vegas weight cancel), so that sum(w_rate) stays the upscattered total; the channel keeps its
  selection probability ``q_channel`` and ``br_new`` is its new BR;
* ``p_decay`` is recomputed from the stored segments (l1, gap<k>_start/end, l2: the same segments and
  the same kernel as the generator, :mod:`darkbeam.events.weights`) and the new TOTAL width;
* the daughters were drawn from the generated model's normalised decay density; where the couplings
  change its shape (Z vs Z' vs photon in N -> nu l l) ``w_decay`` is the density ratio
  (:mod:`darkbeam.processes.reweight_decays`);
* decay positions: ``positions="resample"`` (default) draws l_decay anew from the exponential of the
  new lifetime restricted to the segments (exact, no extra variance: the decay point is independent of
  everything else given the path; unchanged where the decay length is unchanged); ``"reweight"``
  keeps them and folds f(l; L_new)/f(l; L_sampled) into ``w_decay`` (exact in expectation, but its
  variance explodes when the lifetime drops by orders of magnitude); ``"keep"`` leaves them as
  sampled with the old lifetime (rates exact, positions not).

``br``, ``q_channel`` and ``p_decay`` stay probabilities; ``w_decay`` is recomputed from the generated
model at every reweighting, and ``meta["reweight"]`` records the generated model and how positions
were treated, so that a reweighted set can be reweighted again.  :meth:`Reweighter.rates` sums
weights without the decay-shape factor (it averages to one per event) unless a spectrum of decay
products is asked for.

The cross-section ratio is computed directly (two d sigma evaluations) or, for many coupling points,
from the quadratic form of :mod:`darkbeam.processes.reweight_xsec` (:meth:`Reweighter.prepare`).
What cannot be reweighted raises :class:`ReweightingError`: a mass change, a process case or decay
channel absent from the sample that the new couplings switch on, events of zero current weight
whose new weight is not zero.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from typing import Any, Mapping, Sequence

import numpy as np

from darkbeam.errors import ConfigurationError, DataError, ModelError
from darkbeam.processes.reweight_decays import (DecayState, channel_shape_factor, decay_state, final_state,
                                             resample_positions)
from darkbeam.processes.reweight_xsec import (CaseGroup, Span, build_span, couplings, process_case, theta_of,
                                           xsec_options)
from darkbeam.processes.stratified import stratification_cells, stratified_variance
from darkbeam.events.visibility import is_visible_final_state
from darkbeam.events.weights import decay_length, path_decay_probability, path_position_factor

__all__ = ["ReweightingError", "Reweighter", "reweight", "summary", "apply_changes", "check_same_masses",
           "final_state", "stratification_cells", "stratified_variance", "MASS_KEYS", "POSITIONS"]

#: parameters that fix masses or the particle content: changing one needs new events
MASS_KEYS = ("m4", "m5", "m6", "mzprime", "mhprime", "ma", "mchi", "HNLtype")
POSITIONS = ("resample", "reweight", "keep")
_ALTERNATIVES = (("epsilon", "epsilon2", "alpha_epsilon2", "chi"), ("gD", "alphaD"))


class ReweightingError(ModelError):
    """A reweighting the events cannot represent (mass change, a rate switched on from zero)."""


# ============================================================================ parameters
def apply_changes(base, changes: Mapping[str, Any]):
    """``base`` (ModelParameters) with ``changes``; giving one form of the kinetic mixing (epsilon,
    epsilon2, alpha_epsilon2, chi) or of the dark coupling (gD, alphaD) drops the others, and the
    name records the changes (:func:`darkbeam.models.parameters.apply_overrides`)."""
    from darkbeam.models.parameters import ModelParameters, apply_overrides

    return ModelParameters.from_dict(apply_overrides(base.model_dump(exclude_none=True), changes))


def check_same_masses(old, new) -> None:
    """ReweightingError unless ``old`` and ``new`` share masses and particle content."""
    for k in MASS_KEYS:
        a, b = getattr(old, k), getattr(new, k)
        if a != b:
            raise ReweightingError(f"{k} changes from {a} to {b}: reweighting works at fixed masses (and HNL "
                                   f"type); generate new events for this mass")


def _model(d) -> Any:
    from darkbeam.models.parameters import ModelParameters

    return ModelParameters.from_dict(dict(d))


def _key(params) -> str:
    return json.dumps(params.model_dump(exclude_none=True), sort_keys=True)


# ============================================================================ the reweighter
class Reweighter:
    """Reweights one EventSet (from the generator, read back from parquet, or reweighted before) to
    other couplings at the same masses.  Build once, call :meth:`apply` / :meth:`rates` many times."""

    def __init__(self, events):
        from darkbeam.events.eventset import EventSet

        if not isinstance(events, EventSet):
            raise ConfigurationError("Reweighter needs an EventSet")
        if not isinstance(events.meta.get("model"), Mapping):
            raise DataError("these events carry no model parameters (meta['model']): only events written by "
                            "darkbeam's generator can be reweighted")
        self.events = events
        meta = events.meta
        self.current = _model(meta["model"])
        self.info = dict(meta.get("reweight") or {})
        self.generated = _model(self.info.get("generated_model", meta["model"]))
        self.positions_model = _model(self.info.get("positions_model", self.info.get("generated_model", meta["model"])))
        check_same_masses(self.generated, self.current)
        self.scheme = meta.get("couplings_scheme", "darkbeam")
        # the generator records its cross-section options (older files: those of the scheme)
        recorded = meta.get("xsec_options")
        self.xsec_options = dict(recorded) if isinstance(recorded, Mapping) else xsec_options(self.scheme)
        n = len(events)
        col = events.columns
        self.case_specs = [process_case(info) for info in events.cases]
        self.case_of = np.asarray(col["case"], dtype=np.int64)
        E, Q2 = events.E_nu, np.asarray(col["Q2"])
        order = np.argsort(self.case_of, kind="stable")
        counts = np.bincount(self.case_of, minlength=len(self.case_specs))
        self.groups = [CaseGroup(cs, idx, E[idx], Q2[idx], self.xsec_options)
                       for cs, idx in zip(self.case_specs, np.split(order, np.cumsum(counts)[:-1]))]
        # HNL, polarisation as the decay sampler saw it (helicity; CP-flipped for an anti-N)
        self.hnls = sorted({cs.hnl for cs in self.case_specs})
        h = np.array([(-1.0 if not cs.antineutrino else 1.0) * (1.0 if cs.helicity == "conserving" else -1.0)
                      for cs in self.case_specs])
        anti = np.array([info.hnl < 0 for info in events.cases], dtype=bool)
        self.h_eff = np.where(anti, -h, h)[self.case_of] if n else np.zeros(0)
        self.hnl_slot = np.searchsorted(self.hnls, np.array([cs.hnl for cs in self.case_specs]))[self.case_of] \
            if n else np.zeros(0, np.int64)
        self.p_hnl = events.p4("hnl")
        self.m_hnl = events.mass("hnl")
        self.p_abs = np.linalg.norm(self.p_hnl[:, 1:], axis=1)
        self.channel_names = [ch.name for ch in events.channels]
        self.channel_of = np.asarray(col["channel"], dtype=np.int64)
        self._dau = None
        self._decays: dict[str, DecayState] = {}
        self._vx: dict[str, list] = {}
        self._xs: dict[str, list] = {}
        gen = self.decay_state(self.generated)
        used = set(np.unique(self.channel_of).tolist())
        for j in used:
            if self.channel_names[j] not in gen.br:
                raise DataError(f"channel {self.channel_names[j]!r} is not a channel of the model these events were "
                                "generated with: they cannot be reweighted")
        self.q = np.asarray(col["q_channel"], dtype=float)
        self.bounds = events.path_bounds()
        self.L_sampled = self.decay_length(self.decay_state(self.positions_model))
        self.w_base = np.asarray(col["w_rate"], dtype=float)
        self._cells, self._ncell = self._make_cells()
        vis = np.array([is_visible_final_state(ch.daughters) for ch in events.channels], dtype=bool)
        self.visible = vis[self.channel_of] if n else np.zeros(0, dtype=bool)

    def _make_cells(self):
        from darkbeam.physics.upscattering import Q2_limits

        cells = np.zeros(len(self.events), dtype=np.int64)
        off = 0
        for k, g in enumerate(self.groups):
            if g.idx.size == 0:
                continue
            info = self.events.cases[k]
            qmin, qmax = Q2_limits(g.E, info.m_hnl, info.m_target)
            with np.errstate(invalid="ignore", divide="ignore"):
                x = np.log(g.Q2 / qmin) / np.log(qmax / qmin)
            c = stratification_cells(g.E, np.where(np.isfinite(x), x, 0.5))
            cells[g.idx] = c + off
            off += int(c.max()) + 1
        return cells, off

    # ------------------------------------------------------------------ parameters and caches
    def resolve(self, new) -> Any:
        """ModelParameters of ``new`` (ModelParameters, or a mapping of changes to the current model)."""
        from darkbeam.models.parameters import ModelParameters

        if isinstance(new, ModelParameters):
            params = new
        elif isinstance(new, Mapping):
            params = apply_changes(self.current, new)
        else:
            raise ConfigurationError(f"new couplings must be ModelParameters or a mapping, not {type(new).__name__}")
        check_same_masses(self.current, params)
        return params

    @staticmethod
    def _cached(cache: dict, key: str, make, limit: int):
        v = cache.get(key)
        if v is None:
            if len(cache) >= limit:
                cache.pop(next(iter(cache)))
            v = cache[key] = make()
        return v

    def decay_state(self, params) -> DecayState:
        return self._cached(self._decays, _key(params), lambda: decay_state(params, self.hnls), 4096)

    def vertices(self, params) -> list:
        def make():  # the vertices depend on the projectile flavour and the HNL only: one per pair
            c = couplings(params, self.scheme)
            by_pair: dict = {}
            for g in self.groups:
                if (g.case.flavour, g.case.hnl) not in by_pair:
                    by_pair[(g.case.flavour, g.case.hnl)] = g.vertices(c)
            return [by_pair[(g.case.flavour, g.case.hnl)] for g in self.groups]
        return self._cached(self._vx, _key(params), make, 4096)

    def dsigma(self, params) -> list:
        return self._cached(self._xs, _key(params),
                            lambda: [g.dsigma(v) for g, v in zip(self.groups, self.vertices(params))], 4)

    # ------------------------------------------------------------------ checks
    def check_cases(self, params) -> None:
        """ReweightingError if ``params`` open a process case the events lack: its cross section is zero
        at the generated couplings, not at the new ones, and the experiment's flux feeds it (when the
        flux cannot be read, every such case is an error)."""
        from darkbeam.physics.xsec import PROJECTILES, ProcessCase, UpscatteringXsec

        present = {(cs.projectile, cs.hnl, cs.target, cs.regime, cs.helicity) for cs in self.case_specs}
        targets = sorted({cs.target for cs in self.case_specs})
        regimes = sorted({cs.regime for cs in self.case_specs})
        helicities = sorted({cs.helicity for cs in self.case_specs})
        c_new, c_gen = couplings(params, self.scheme), couplings(self.generated, self.scheme)
        suspects = []
        for key in itertools.product(PROJECTILES, self.hnls, targets, regimes, helicities):
            if key in present:
                continue
            try:
                case = ProcessCase(*key)
            except ConfigurationError:
                continue
            g = CaseGroup(case, np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
            vn = g.vertices(c_new)
            if not any(theta_of(vn).values()):
                continue
            xs_new = UpscatteringXsec(case, vn, **self.xsec_options)
            E = xs_new.threshold * np.array([1.2, 2.0, 5.0, 20.0])
            xs_gen = UpscatteringXsec(case, g.vertices(c_gen), **self.xsec_options)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if not np.any(xs_new.sigma(E) > 0) or np.any(xs_gen.sigma(E) > 0):
                    continue  # closed at the new couplings, or open at generation (left out by choice or flux)
            suspects.append((case, xs_new.threshold))
        if not suspects:
            return
        flux = self._flux()
        for case, thr in suspects:
            if flux is not None:
                lo, hi = flux.energy_range
                if case.projectile not in flux.flavours or not hi > thr:
                    continue
                if not np.any(flux(np.linspace(max(lo, thr), hi, 256), case.projectile) > 0):
                    continue
            from darkbeam.processes.cases import case_label

            raise ReweightingError(f"the new couplings switch on the process case '{case_label(case)}', whose rate is "
                                   f"zero at the couplings the events were generated with: generate new events")

    def _flux(self):
        exp = self.events.meta.get("experiment")
        if not exp:
            return None
        try:
            from darkbeam.detectors.catalog import load_experiment
            from darkbeam.processes.cases import experiment_flux

            return experiment_flux(load_experiment(exp))
        except Exception:  # noqa: BLE001 - no flux: every suspect case is an error (conservative)
            return None

    def check_channels(self, params, select=None) -> DecayState:
        """Decay state of ``params``; ReweightingError if a channel with zero width in the generated
        model (so never sampled) gets a non-zero BR.  ``select``: predicate on final-state labels
        (:func:`final_state`); only selected channels are checked (None: every channel)."""
        new, gen = self.decay_state(params), self.decay_state(self.generated)
        parents = {nm.split(" -> ")[0] for nm in self.channel_names}
        for nm, br in new.br.items():
            if br <= 0.0 or nm.split(" -> ")[0] not in parents or gen.br.get(nm, 0.0) > 0.0:
                continue  # closed, another parent, or sampled with q > 0 (unbiased even if no event drew it)
            if select is not None and not select(final_state(nm)):
                continue
            raise ReweightingError(f"the new couplings open the decay channel '{nm}' (BR {br:.3g}), closed at the "
                                   f"couplings the events were generated with: generate new events")
        return new

    # ------------------------------------------------------------------ weight components
    def xsec_ratio(self, params, span: Span | None = None, point: int | None = None) -> np.ndarray:
        """dsigma_new/dsigma_current per event (direct, or from ``span`` point ``point``)."""
        out = np.zeros(len(self.events))
        cur = None if span is not None else self.dsigma(self.current)
        new_all = None if span is not None else self.dsigma(params)
        for k, g in enumerate(self.groups):
            if g.idx.size == 0:
                continue
            new, den = (span.dsigma(k, point), span.dsigma(k, 0)) if span is not None else (new_all[k], cur[k])
            bad = (den <= 0.0) & (new > 0.0)
            if np.any(bad):
                from darkbeam.processes.cases import case_label

                raise ReweightingError(f"case '{case_label(g.case)}': {int(bad.sum())} events have zero weight at the "
                                       f"current couplings but not at the new ones: generate new events")
            ok = den > 0.0
            out[g.idx] = np.where(ok, new / np.where(ok, den, 1.0), 0.0)
        return out

    def branching(self, state: DecayState) -> np.ndarray:
        """BR of every event's channel at ``state`` (0 for a channel closed there)."""
        return np.array([state.br.get(nm, 0.0) for nm in self.channel_names])[self.channel_of]

    def ctau(self, state: DecayState) -> np.ndarray:
        return np.array([state.ctau[h] for h in self.hnls])[self.hnl_slot]

    def decay_length(self, state: DecayState) -> np.ndarray:
        return decay_length(self.p_abs, self.m_hnl, self.ctau(state))

    def p_decay(self, state: DecayState) -> np.ndarray:
        """Probability to decay inside the detector: over the stored segments, as the generator."""
        return path_decay_probability(self.bounds, self.decay_length(state))

    def position_factor(self, state: DecayState) -> np.ndarray:
        """f(l_decay; L_new)/f(l_decay; L_sampled) on the segments (1 for paths that miss the volume)."""
        return path_position_factor(self.events.columns["l_decay"], self.bounds, self.L_sampled,
                                    self.decay_length(state))

    def _daughters(self) -> np.ndarray:
        if self._dau is None:
            self._dau = np.stack([self.events.p4(f"d{i}") for i in range(1, 5)], axis=1)
        return self._dau

    def shape_factor(self, state: DecayState, channels: Sequence[int] | None = None) -> np.ndarray:
        """Decay-density ratio (``state`` over the generated model) per event; 1 where unchanged."""
        gen = self.decay_state(self.generated)
        out = np.ones(len(self.events))
        for j in (range(len(self.channel_names)) if channels is None else channels):
            sel = np.flatnonzero(self.channel_of == j)
            if sel.size:
                out[sel] = channel_shape_factor(self.channel_names[j], state, gen, self.p_hnl[sel], self.m_hnl[sel],
                                                self.h_eff[sel], self._daughters()[sel])
        return out

    # ------------------------------------------------------------------ results
    def weights(self, new, *, shape: bool = True, positions: str = "resample", strict: bool = True,
                seed=None) -> dict:
        """New columns for ``new``: ``w_rate``, ``br``, ``w_decay``, ``p_decay``, ``ctau`` and (resample)
        ``l_decay``.

        ``shape``: put the decay-density ratio into w_decay; ``positions``: "resample" | "reweight" |
        "keep" (module docstring); ``strict``: check for cases and channels switched on from zero;
        ``seed``: random stream of resampled positions (default: from the events' seed)."""
        if positions not in POSITIONS:
            raise ConfigurationError(f"positions must be one of {', '.join(POSITIONS)}, not {positions!r}")
        params = self.resolve(new)
        if strict:
            self.check_cases(params)
            state = self.check_channels(params)
        else:
            state = self.decay_state(params)
        w_decay = self.shape_factor(state) if shape else np.ones(len(self.events))
        out = {"w_rate": self.w_base * self.xsec_ratio(params), "br": self.branching(state),
               "p_decay": self.p_decay(state), "ctau": self.ctau(state)}
        if positions == "reweight":
            w_decay = w_decay * self.position_factor(state)
        elif positions == "resample":
            rng = np.random.default_rng(np.random.SeedSequence([int(self.events.meta.get("seed", 0) or 0), 0x5EED])
                                        if seed is None else seed)
            out["l_decay"] = resample_positions(self.bounds, self.decay_length(state), rng,
                                                np.asarray(self.events.columns["l_decay"]), self.L_sampled)
        out["w_decay"] = w_decay
        return out

    def apply(self, new, *, shape: bool = True, positions: str = "resample", strict: bool = True, seed=None):
        """The EventSet reweighted to ``new`` (see :meth:`weights`); ``meta["model"]`` becomes the new
        model, the summary numbers in meta are updated and ``meta["reweight"]`` records the generated
        model and how decay shapes and positions were treated (``w_decay``)."""
        from darkbeam.events.eventset import EventSet

        params = self.resolve(new)
        comp = self.weights(params, shape=shape, positions=positions, strict=strict, seed=seed)
        cols = dict(self.events.columns)
        cols.update(comp)
        meta = dict(self.events.meta)
        meta["model"] = params.model_dump(exclude_none=True)
        pos_model = params if positions == "resample" else self.positions_model
        meta["reweight"] = {"generated_model": self.generated.model_dump(exclude_none=True), "shape": bool(shape),
                            "positions": positions, "positions_model": pos_model.model_dump(exclude_none=True)}
        s = self.rates(params, strict=False)
        for k in ("upscattered", "upscattered_err", "decay_in_detector", "decay_in_detector_err",
                  "decay_in_detector_visible", "decay_in_detector_visible_err"):
            meta[k] = s[k]
        return EventSet(cols, self.events.cases, self.events.channels, meta, validate=True)

    def prepare(self, points: Sequence) -> Span:
        """Coupling-span decomposition of d sigma/dQ^2 for ``points`` (ModelParameters or change
        mappings).  Point 0 of the returned :class:`Span` is the current model, points 1.. the given
        ones; use ``rates(span=span, point=i)``."""
        params = [self.current] + [self.resolve(p) for p in points]
        return build_span(self.groups, [self.vertices(p) for p in params], params)

    def channel_mask(self, select) -> np.ndarray | None:
        """Boolean per channel-table entry for ``select``: None, a predicate on final-state labels, or
        channel-table indices."""
        if select is None:
            return None
        if callable(select):
            return np.array([bool(select(final_state(nm))) for nm in self.channel_names], dtype=bool)
        m = np.zeros(len(self.channel_names), dtype=bool)
        m[np.asarray(list(select), dtype=np.int64)] = True
        return m

    def rates(self, new=None, *, span: Span | None = None, point: int | None = None, select=None,
              efficiency: float = 1.0, bins=None, variable=None, shape: bool | None = None,
              strict: bool = True) -> dict:
        """Predicted numbers of events at ``new`` (or ``span`` point ``point``) with errors.

        Returns ``upscattered``, ``decay_in_detector`` (all channels), ``decay_in_detector_visible`` and
        ``decay_in_detector_invisible`` (:mod:`darkbeam.events.visibility`), ``signal`` (decays inside the
        detector into the channels ``select`` (see :meth:`channel_mask`; None: every channel, visible
        or not) times ``efficiency``), each with
        ``_err``, ``ctau_cm``, ``n_events`` and ``cases``; with ``bins`` and ``variable`` (array per event,
        or a callable of the EventSet) also ``spectrum`` and ``spectrum_err`` of the signal.  Errors:
        vegas's stratified formula on post-stratification cells (:func:`stratification_cells`).  The
        decay-shape factor is used for spectra only (``shape=None``); p_decay is exact (no positions).
        """
        if span is not None:
            if point is None:
                raise ConfigurationError("rates(span=...) needs point=")
            params = span.params[point]
        else:
            params = self.resolve(self.current if new is None else new)
        chmask = self.channel_mask(select)
        if strict:
            self.check_cases(params)
            pred = select if callable(select) or select is None else (lambda labels: False)
            state = self.check_channels(params, pred)
        else:
            state = self.decay_state(params)
        up = self.w_base * self.xsec_ratio(params, span, point)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(self.q > 0, self.branching(state) / np.where(self.q > 0, self.q, 1.0), 0.0)
        dec = up * ratio * self.p_decay(state)
        out = self._sums(up, dec)
        out["ctau_cm"] = {f"N{h}": (float(state.ctau[h]) if math.isfinite(state.ctau[h]) else None) for h in self.hnls}
        sig = (dec if chmask is None else np.where(chmask[self.channel_of], dec, 0.0)) * float(efficiency)
        if (bins is not None) if shape is None else shape:
            sig = sig * self.shape_factor(state, None if chmask is None else np.flatnonzero(chmask))
        if bins is not None:
            if variable is None:
                raise ConfigurationError("rates(bins=...) needs variable=")
            x = np.asarray(variable(self.events) if callable(variable) else variable, dtype=float)
            edges = np.asarray(bins, dtype=float)
            b = np.searchsorted(edges, x, side="right") - 1
            b = np.where(x == edges[-1], edges.size - 2, b)
            inside = (b >= 0) & (b < edges.size - 1)
            out["spectrum"] = np.bincount(b[inside], weights=sig[inside], minlength=edges.size - 1)
            out["spectrum_err"] = np.sqrt([stratified_variance(np.where(inside & (b == j), sig, 0.0), self._cells,
                                                               self._ncell).sum() for j in range(edges.size - 1)])
        out["signal"] = float(sig.sum())
        out["signal_err"] = float(math.sqrt(stratified_variance(sig, self._cells, self._ncell).sum()))
        return out

    def _sums(self, up: np.ndarray, dec: np.ndarray) -> dict:
        nc = len(self.groups)
        cell_case = np.zeros(self._ncell, dtype=np.int64)
        cell_case[self._cells] = self.case_of
        parts = {"upscattered": up, "decay_in_detector": dec,
                 "decay_in_detector_visible": np.where(self.visible, dec, 0.0),
                 "decay_in_detector_invisible": np.where(self.visible, 0.0, dec)}
        out: dict = {}
        cases = [{"case": info.name} for info in self.events.cases]
        for key, w in parts.items():
            v = stratified_variance(w, self._cells, self._ncell)
            s = np.bincount(self.case_of, weights=w, minlength=nc)
            e = np.sqrt(np.bincount(cell_case, weights=v, minlength=nc))
            out[key], out[key + "_err"] = float(s.sum()), float(math.sqrt(v.sum()))
            for k, c in enumerate(cases):
                c[key], c[key + "_err"] = float(s[k]), float(e[k])
        cnt = np.bincount(self.case_of, minlength=nc)
        for k, c in enumerate(cases):
            c["n_events"] = int(cnt[k])
        out["n_events"] = len(self.events)
        out["cases"] = cases
        return out


def reweight(events, new, *, shape: bool = True, positions: str = "resample", strict: bool = True, seed=None):
    """``events`` reweighted to the couplings ``new`` (ModelParameters, or a mapping of changes such as
    ``{"Umu4": 3e-3}``) at fixed masses; see :class:`Reweighter` and docs/reweighting.md."""
    return Reweighter(events).apply(new, shape=shape, positions=positions, strict=strict, seed=seed)


def summary(events, new=None) -> dict:
    """The fields of ``darkbeam generate --json`` (upscattered, decay_in_detector and its visible and
    invisible parts, their errors, cases, c tau) for ``events`` (an EventSet or a Reweighter) at the couplings ``new`` (None: their own)."""
    rw = events if isinstance(events, Reweighter) else Reweighter(events)
    params = rw.resolve(rw.current if new is None else new)
    s = rw.rates(params)
    meta = rw.events.meta
    out = {"experiment": meta.get("experiment"), "flux": meta.get("flux"), "fallbacks": list(meta.get("fallbacks", [])),
           "seed": meta.get("seed")}
    for k in ("upscattered", "upscattered_err", "decay_in_detector", "decay_in_detector_err",
              "decay_in_detector_visible", "decay_in_detector_visible_err", "decay_in_detector_invisible",
              "decay_in_detector_invisible_err", "n_events", "ctau_cm", "cases"):
        out[k] = s[k]
    out["decay_region"] = meta.get("decay_region", "")  # the stored paths' volume (files before 0.2: not recorded)
    out["model"] = params.model_dump(exclude_none=True)
    out["files"] = []
    return out
