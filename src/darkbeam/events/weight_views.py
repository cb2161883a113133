"""Weight views of an EventSet: the event weight and its components, named weights, sums with MC
errors, the decay probability over N's path segments, and copies with other weight components,
another ctau or other couplings.

The event weight is ``w = w_rate * (br / q_channel) * w_decay * p_decay`` (docs/events.md).
:class:`EventWeightViews` is a mixin of :class:`darkbeam.events.eventset.EventSet`.
"""

from __future__ import annotations

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.events.schema import WEIGHT_COLUMNS, gap_columns
from darkbeam.events.visibility import is_visible_final_state
from darkbeam.events.weights import decay_length, path_decay_probability, path_position_factor


class EventWeightViews:
    """Weights of the events (mixin of :class:`~darkbeam.events.eventset.EventSet`)."""

    __slots__ = ()


    @property
    def w(self) -> np.ndarray:
        """Event weight w = w_rate * (br / q_channel) * w_decay * p_decay: expected number of N decays
        inside the detector that the event stands for."""
        return self.channel_weight() * self._cols["p_decay"]

    def channel_weight(self) -> np.ndarray:
        """w_rate * (br / q_channel) * w_decay: expected upscatterings followed by this event's decay
        channel (anywhere); its sum is the upscattered total (in expectation after a reweighting)."""
        c = self._cols
        q = c["q_channel"]
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(q > 0.0, c["br"] / np.where(q > 0.0, q, 1.0), 0.0)
        return c["w_rate"] * r * c["w_decay"]

    def visible(self) -> np.ndarray:
        """Boolean per event: its decay has a visible final daughter (:mod:`darkbeam.events.visibility`)."""
        table = np.array([is_visible_final_state(ch.daughters) for ch in self.channels], dtype=bool)
        return table[self._cols["channel"]] if len(table) else np.zeros(self._n, dtype=bool)

    def weight(self, weight="w") -> np.ndarray:
        """A named weight (``"w"``, ``"w_visible"`` (w of visible decays, 0 otherwise), ``"w_rate"``,
        ``"w_channel"`` (:meth:`channel_weight`), a component) or an array."""
        if isinstance(weight, str):
            if weight == "w":
                return self.w
            if weight == "w_visible":
                return np.where(self.visible(), self.w, 0.0)
            if weight in ("w_channel", "w_rate*br"):
                return self.channel_weight()
            if weight in WEIGHT_COLUMNS:
                return self._cols[weight]
            raise ConfigurationError(f"unknown weight {weight!r}")
        a = np.asarray(weight, dtype=float)
        if a.shape != (self._n,):
            raise ConfigurationError(f"weight array has shape {a.shape}, expected ({self._n},)")
        return a

    def sum_weights(self, by: str | None = None, weight="w"):
        """Number of events, sum of weights and sqrt(sum of squared weights).

        ``by=None`` gives three floats; ``by="case"`` or ``"channel"`` gives three arrays aligned with
        ``self.cases`` / ``self.channels``.
        """
        w = self.weight(weight)
        if by is None:
            return float(self._n), float(w.sum()), float(np.sqrt(np.sum(w * w)))
        if by not in ("case", "channel"):
            raise ConfigurationError(f"sum_weights(by={by!r}): use None, 'case' or 'channel'")
        idx = self._cols[by]
        m = len(self.cases if by == "case" else self.channels)
        count = np.bincount(idx, minlength=m).astype(float)
        s = np.bincount(idx, weights=w, minlength=m)
        s2 = np.bincount(idx, weights=w * w, minlength=m)
        return count, s, np.sqrt(s2)

    def summary(self, weight="w") -> dict:
        """Sums of weights with MC errors, in total and per case and per channel (a JSON-able dict)."""
        n, s, e = self.sum_weights(None, weight)
        out = {"n_events": int(n), "sum": s, "err": e, "cases": [], "channels": []}
        for by, table in (("case", self.cases), ("channel", self.channels)):
            cnt, ss, ee = self.sum_weights(by, weight)
            out[by + "s"] = [{"name": t.name, "n_events": int(k), "sum": float(a), "err": float(b)}
                             for t, k, a, b in zip(table, cnt, ss, ee)]
        return out

    def with_weights(self, *, w_rate=None, br=None, q_channel=None, w_decay=None, p_decay=None, ctau=None,
                     validate=True) -> "EventSet":
        """A copy with some weight components replaced (arrays or scalars); other arrays shared."""
        cols = dict(self._cols)
        for name, v in (("w_rate", w_rate), ("br", br), ("q_channel", q_channel), ("w_decay", w_decay),
                        ("p_decay", p_decay), ("ctau", ctau)):
            if v is not None:
                cols[name] = np.broadcast_to(np.asarray(v, dtype=float), (self._n,)).copy()
        return type(self)(cols, self.cases, self.channels, self.meta, validate=validate)

    def path_bounds(self) -> np.ndarray:
        """(n, 2K + 2) ends of the segments of N's path inside the active volume, in order along the
        path: [l1, gap1_start, gap1_end, ..., gapK_start, gapK_end, l2]; segment j is
        [bounds[:, 2j], bounds[:, 2j + 1]] (empty where both are equal)."""
        c = self._cols
        names = ["l1"] + [x for k in range(1, self.n_gaps + 1) for x in gap_columns(k)] + ["l2"]
        return np.stack([c[k] for k in names], axis=1)

    def decay_probability(self, L) -> np.ndarray:
        """Probability to decay inside the active volume for lab decay lengths ``L`` (cm, per event):
        the sum over the path's segments (:func:`darkbeam.events.weights.path_decay_probability`)."""
        return path_decay_probability(self.path_bounds(), np.broadcast_to(np.asarray(L, dtype=float), (self._n,)))

    def with_ctau(self, ctau, *, positions: bool = False) -> "EventSet":
        """Events for another proper decay length of N (cm; scalar or per-event array).

        p_decay is recomputed exactly over the stored path segments (l1, gaps, l2).  The stored decay
        positions were sampled with the old ctau; with ``positions=True`` the ratio of their densities
        f(l_decay; L_new)/f(l_decay; L_old) (exponential restricted to the segments) is folded into
        ``w_decay`` so that decay-position distributions are exact too (sums stay exact in
        expectation).  Assumes l_decay was drawn from that restricted exponential, as the generator does.
        """
        ctau = np.broadcast_to(np.asarray(ctau, dtype=float), (self._n,))
        p_abs = np.linalg.norm(self.p3("hnl"), axis=1)
        L_new = decay_length(p_abs, self.mass("hnl"), ctau)
        p = self.decay_probability(L_new)
        if positions:
            f = path_position_factor(self._cols["l_decay"], self.path_bounds(), self.decay_length(), L_new)
            return self.with_weights(p_decay=p, ctau=ctau, w_decay=self._cols["w_decay"] * f)
        return self.with_weights(p_decay=p, ctau=ctau)

    def reweight(self, new, **options) -> "EventSet":
        """These events at other couplings, same masses (exact reweighting): ``new`` is a
        ModelParameters or a mapping of changes such as ``{"Umu4": 3e-3}``; ``options`` as in
        :func:`darkbeam.processes.reweight.reweight` (docs/reweighting.md)."""
        if self.meta.get("process") == "meson-decay":
            from darkbeam.processes.meson_decay import reweight as reweight_meson_decay

            return reweight_meson_decay(self, new, **options)
        from darkbeam.processes.reweight import reweight

        return reweight(self, new, **options)
