"""EventSet: a columnar container of weighted upscattering-and-decay events.

The layout (stored columns, derived quantities, units) is defined in :mod:`darkbeam.events.schema`
and documented in docs/events.md.  An EventSet is a dict of equal-length 1-D numpy arrays plus three
pieces of metadata: the case table, the channel table and ``meta`` (model parameters, experiment,
seed, exposure, ... -- JSON-serialisable values).  Operations return new EventSets; arrays are shared
where nothing changes, so treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

import numpy as np

from darkbeam.errors import ConfigurationError, DataError
from darkbeam.events.schema import (COLUMNS, DAUGHTER_ROLES, MAX_DAUGHTERS, OPTIONAL_COLUMNS, PROBABILITY_COLUMNS,
                                    RECOIL2_COLUMNS, ROLES, STORED_ROLES, WEIGHT_COLUMNS, column_spec, gap_columns,
                                    parse_gap_column)
from darkbeam.events.tables import CaseInfo, ChannelInfo, check_unique_names
from darkbeam.events.visibility import is_visible_final_state
from darkbeam.events.weights import decay_length, path_decay_probability, path_position_factor
from darkbeam.units import C_LIGHT_CM_PER_NS

_FLOAT_COLUMNS = tuple(k for k, c in COLUMNS.items() if c.dtype.kind == "f")


def _p3_names(role: str) -> tuple[str, str, str]:
    return (f"{role}_px", f"{role}_py", f"{role}_pz")


class EventSet:
    """Weighted events with full kinematics, positions and separate weight components.

    Parameters
    ----------
    columns : mapping of every stored column name (:data:`darkbeam.events.schema.COLUMNS`) to a 1-D
        array; arrays already of the right dtype are used without copying
    cases, channels : sequences of :class:`CaseInfo` / :class:`ChannelInfo` (or their dicts)
    meta : JSON-serialisable run metadata (``model``, ``experiment``, ``seed``, ``exposure_pot``,
        ``flux_averaged_xsec_cm2``, ... see docs/events.md)
    validate : check indices, weights (finite, >= 0) and finiteness now; raises DataError

    The event weight is ``w = w_rate * (br / q_channel) * w_decay * p_decay`` (N decays inside the
    detector for the exposure).  Optional columns ``gap<k>_start``, ``gap<k>_end`` (k = 1..K, all
    present) describe gaps of N's path through a detector made of separated parts.
    """

    __slots__ = ("_cols", "cases", "channels", "meta", "_n", "n_gaps")

    def __init__(self, columns: Mapping[str, np.ndarray], cases: Sequence, channels: Sequence,
                 meta: Mapping | None = None, *, validate: bool = True):
        self.cases = tuple(c if isinstance(c, CaseInfo) else CaseInfo.from_dict(dict(c)) for c in cases)
        self.channels = tuple(c if isinstance(c, ChannelInfo) else ChannelInfo.from_dict(dict(c))
                              for c in channels)
        check_unique_names(self.cases, "case")
        check_unique_names(self.channels, "channel")
        if len(self.cases) > 65535 or len(self.channels) > 65535:
            raise ConfigurationError("at most 65535 cases and channels")
        self.meta = dict(meta or {})
        gaps = sorted({parse_gap_column(k)[0] for k in columns if parse_gap_column(k) is not None})
        unknown = sorted(k for k in set(columns) - set(COLUMNS) - set(OPTIONAL_COLUMNS) if parse_gap_column(k) is None)
        if unknown:
            raise ConfigurationError(f"unknown EventSet columns {unknown}")
        if gaps != list(range(1, len(gaps) + 1)):
            raise ConfigurationError(f"gap columns must be numbered 1..K without holes, got {gaps}")
        opt = [k for k in RECOIL2_COLUMNS if k in columns]
        if opt and len(opt) != len(RECOIL2_COLUMNS):
            raise ConfigurationError(f"EventSet needs all of {list(RECOIL2_COLUMNS)} or none, got {opt}")
        names = list(COLUMNS) + opt + [c for k in gaps for c in gap_columns(k)]
        missing = [k for k in names if k not in columns]
        if missing:
            raise ConfigurationError(f"EventSet is missing columns {missing}")
        cols: dict[str, np.ndarray] = {}
        n = None
        for name in names:
            spec = column_spec(name)
            a = np.asarray(columns[name])
            if a.ndim != 1:
                raise ConfigurationError(f"column {name!r} must be 1-D, has shape {a.shape}")
            if spec.dtype.kind == "u" and a.size and a.dtype.kind not in "iu":
                raise ConfigurationError(f"index column {name!r} must be integer, is {a.dtype}")
            if spec.dtype.kind == "u" and a.size and (a.min() < 0 or a.max() > np.iinfo(spec.dtype).max):
                raise DataError(f"index column {name!r} has entries outside 0..{np.iinfo(spec.dtype).max}")
            cols[name] = np.ascontiguousarray(a, dtype=spec.dtype)
            if n is None:
                n = a.shape[0]
            elif a.shape[0] != n:
                raise ConfigurationError(f"column {name!r} has {a.shape[0]} entries, expected {n}")
        self._cols = cols
        self._n = int(n)
        self.n_gaps = len(gaps)
        if validate:
            self.validate()

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return self._n

    @property
    def columns(self) -> Mapping[str, np.ndarray]:
        """Read-only view of the stored columns."""
        return MappingProxyType(self._cols)

    @property
    def nbytes(self) -> int:
        """Bytes held by the per-event arrays."""
        return sum(a.nbytes for a in self._cols.values())

    @property
    def bytes_per_event(self) -> float:
        if self._n == 0:
            return sum(column_spec(k).dtype.itemsize for k in self._cols)
        return self.nbytes / self._n

    def __repr__(self) -> str:
        return (f"<EventSet: {self._n} events, {len(self.cases)} cases, {len(self.channels)} channels, "
                f"sum w = {self.w.sum():.6g}>")

    def __getitem__(self, key):
        """``es["w_rate"]``: a stored column or derived quantity; ``es[mask]``: a selection."""
        if isinstance(key, str):
            if key in self._cols:
                return self._cols[key]
            if key == "w":
                return self.w
            if key == "visible":
                return self.visible().astype(np.float64)
            if key == "E_nu":
                return self.E_nu
            if key in ("x_dec", "y_dec", "z_dec", "t_dec"):
                return self.vertex("decay")[:, "xyzt".index(key[0])]
            if key == "delay":
                return self.delay()
            raise KeyError(key)
        return self.select(key)

    # ------------------------------------------------------------------ validation
    def validate(self) -> "EventSet":
        """Raise DataError unless indices, weights and kinematics are sane; return self.

        Checks: table indices in range; weight components finite and >= 0 (br, q_channel, p_decay <= 1;
        q_channel > 0 where br > 0, since a channel of non-zero BR must have been sampled with q > 0);
        ctau > 0 (+inf allowed: stable N); 0 <= l1 <= gap1_start <= gap1_end <= ... <= l2; every other
        float column finite.
        """
        c = self._cols
        for name, table in (("case", self.cases), ("channel", self.channels)):
            if self._n and int(c[name].max(initial=0)) >= len(table):
                raise DataError(f"column {name!r} points past the {len(table)} entries of its table")
        for name in WEIGHT_COLUMNS:
            a = c[name]
            bad = ~(a >= 0.0) | ~np.isfinite(a)
            if name in PROBABILITY_COLUMNS:
                bad |= a > 1.0 + 1e-12
            if name == "q_channel":
                bad |= (a <= 0.0) & (c["br"] > 0.0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise DataError(f"{int(bad.sum())} events have a NaN, infinite, negative or >1 weight "
                                f"component {name!r}, or q_channel = 0 with br > 0 (first: event {i}, value "
                                f"{a[i]!r})")
        ctau = c["ctau"]
        if not (ctau > 0.0).all():
            raise DataError("ctau must be > 0 (or +inf) for every event")
        b = self.path_bounds()
        if not ((b[:, 0] >= 0.0).all() and (np.diff(b, axis=1) >= 0.0).all()):
            raise DataError("path lengths must satisfy 0 <= l1 <= gap1_start <= gap1_end <= ... <= l2")
        for name in _FLOAT_COLUMNS + tuple(k for k in self._cols if k not in COLUMNS):
            if name in WEIGHT_COLUMNS or name == "ctau":
                continue
            if not np.isfinite(c[name]).all():
                raise DataError(f"column {name!r} has NaN or infinite entries")
        return self

    # ------------------------------------------------------------------ weights
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
        return EventSet(cols, self.cases, self.channels, self.meta, validate=validate)

    @property
    def has_recoil2(self) -> bool:
        """Whether the events store a second companion (meson-decay events, three-body production)."""
        return "recoil2_px" in self._cols

    def delay(self) -> np.ndarray:
        """Delay (ns) of N's decay behind a light-speed particle that leaves the interaction (production)
        vertex at the same time: l_decay (E/|p| - 1)/c = l_decay m^2/(|p| (E + |p|) c)."""
        p = np.linalg.norm(self.p3("hnl"), axis=1)
        m = self.mass("hnl")
        E = np.sqrt(p * p + m * m)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(p > 0, self._cols["l_decay"] * m * m / (p * (E + p) * C_LIGHT_CM_PER_NS), 0.0)

    def decay_length(self) -> np.ndarray:
        """Lab decay length L = beta gamma c tau of N in cm."""
        return decay_length(np.linalg.norm(self.p3("hnl"), axis=1), self.mass("hnl"), self._cols["ctau"])

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
        if self.meta.get("process") in ("nu-e", "cevns"):
            from darkbeam.processes.rare_scatter import reweight as reweight_rare

            return reweight_rare(self, new, **options)
        from darkbeam.processes.reweight import reweight

        return reweight(self, new, **options)

    # ------------------------------------------------------------------ tables per event
    def _case_attr(self, attr: str, dtype=float) -> np.ndarray:
        return np.array([getattr(c, attr) for c in self.cases], dtype=dtype)[self._cols["case"]]

    def _channel_table(self, fn, dtype=float) -> np.ndarray:
        return np.array([fn(ch) for ch in self.channels], dtype=dtype).reshape(len(self.channels), -1)

    def n_daughters(self) -> np.ndarray:
        """Number of final daughters of each event."""
        return self._channel_table(lambda ch: ch.n_daughters, np.int64)[self._cols["channel"], 0]

    def _slot_table(self, attr: str, dtype) -> np.ndarray:
        def row(ch):
            v = list(getattr(ch, attr))
            return v + [0] * (MAX_DAUGHTERS - len(v))
        return self._channel_table(row, dtype)

    def pdg(self, role: str) -> np.ndarray:
        """PDG code of ``role`` (see :data:`ROLES`) for every event; 0 for an empty slot (int32)."""
        if role in ("nu", "target", "recoil", "hnl", "recoil2"):
            return self._case_attr({"nu": "projectile"}.get(role, role), np.int32)
        if role == "inter":
            return self._channel_table(lambda ch: ch.intermediate, np.int32)[self._cols["channel"], 0]
        if role in DAUGHTER_ROLES:
            return self._slot_table("daughters", np.int32)[self._cols["channel"], int(role[1]) - 1]
        raise KeyError(f"unknown role {role!r}; roles are {ROLES}")

    def mass(self, role: str) -> np.ndarray:
        """On-shell mass of ``role`` in GeV for every event (0 for an empty slot)."""
        if role in ("nu", "target", "recoil", "hnl", "recoil2"):
            return self._case_attr({"nu": "m_projectile", "target": "m_target", "recoil": "m_recoil",
                                    "hnl": "m_hnl", "recoil2": "m_recoil2"}[role])
        if role == "inter":
            return self._channel_table(lambda ch: ch.m_intermediate)[self._cols["channel"], 0]
        if role in DAUGHTER_ROLES:
            return self._slot_table("masses", float)[self._cols["channel"], int(role[1]) - 1]
        raise KeyError(f"unknown role {role!r}; roles are {ROLES}")

    # ------------------------------------------------------------------ kinematics
    def p3(self, role: str) -> np.ndarray:
        """Three-momentum (px, py, pz) of ``role`` in GeV, shape (n, 3)."""
        if role in STORED_ROLES:
            return np.stack([self._cols[k] for k in _p3_names(role)], axis=1)
        if role == "recoil2":
            if not self.has_recoil2:
                return np.zeros((self._n, 3))
            return np.stack([self._cols[k] for k in _p3_names(role)], axis=1)
        if role == "target":
            return np.zeros((self._n, 3))
        if role == "inter":
            return self.p4("inter")[:, 1:]
        raise KeyError(f"unknown role {role!r}; roles are {ROLES}")

    def energy(self, role: str) -> np.ndarray:
        """Energy of ``role`` in GeV: sqrt(|p|^2 + m^2) (the intermediate: sum of its children's)."""
        if role == "inter":
            return self.p4("inter")[:, 0]
        p = self.p3(role)
        m = self.mass(role)
        return np.sqrt(np.einsum("ij,ij->i", p, p) + m * m)

    def p4(self, role: str) -> np.ndarray:
        """Four-momentum (E, px, py, pz) of ``role`` in GeV, shape (n, 4); zeros for an empty slot."""
        if role == "inter":
            k = self._channel_table(lambda ch: ch.n_from_intermediate, np.int64)[self._cols["channel"], 0]
            nd = self.n_daughters()
            out = np.zeros((self._n, 4))
            for j, r in enumerate(DAUGHTER_ROLES):
                child = (k > 0) & (j >= nd - k) & (j < nd)
                if child.any():
                    out[child] += self.p4(r)[child]
            return out
        out = np.empty((self._n, 4))
        out[:, 1:] = self.p3(role)
        out[:, 0] = self.energy(role)
        if role in DAUGHTER_ROLES or role == "recoil2":
            out[self.pdg(role) == 0] = 0.0
        return out

    @property
    def E_nu(self) -> np.ndarray:
        """Projectile energy in GeV."""
        return self.energy("nu")

    def vertex(self, which: str = "interaction") -> np.ndarray:
        """(x, y, z, t) in cm and ns of the ``"interaction"`` or ``"decay"`` vertex, shape (n, 4).

        The decay vertex lies l_decay along N's direction and is reached after l_decay / (beta c).
        """
        c = self._cols
        v = np.stack([c["x"], c["y"], c["z"], c["t"]], axis=1)
        if which == "interaction":
            return v
        if which != "decay":
            raise ConfigurationError(f"vertex({which!r}): use 'interaction' or 'decay'")
        p = self.p3("hnl")
        pabs = np.linalg.norm(p, axis=1)
        E = self.energy("hnl")
        with np.errstate(invalid="ignore", divide="ignore"):
            unit = np.where(pabs[:, None] > 0, p / pabs[:, None], 0.0)
            dt = np.where(pabs > 0, c["l_decay"] * E / (pabs * C_LIGHT_CM_PER_NS), 0.0)
        v[:, :3] += c["l_decay"][:, None] * unit
        v[:, 3] += dt
        return v

    def check_kinematics(self) -> dict[str, float]:
        """Largest violations, relative to the energy scale of each vertex, of

        ``"primary"``: four-momentum conservation nu + target = N + recoil;
        ``"decay"``: N = sum of daughters; ``"intermediate_mass"``: |m(X children) - m_X| / E_X;
        ``"Q2"``: |Q2 - (-(p_nu - p_N)^2)| / E_nu^2; ``"path"``: how far l_decay lies outside [l1, l2]
        (cm, 0 if inside).
        """
        out = {}
        pin = self.p4("nu") + self.p4("target")
        pout = self.p4("hnl") + self.p4("recoil") + self.p4("recoil2")
        out["primary"] = float(np.max(np.abs(pin - pout) / pin[:, :1], initial=0.0))
        pd = sum(self.p4(r) for r in DAUGHTER_ROLES)
        pN = self.p4("hnl")
        out["decay"] = float(np.max(np.abs(pN - pd) / pN[:, :1], initial=0.0))
        px = self.p4("inter")
        has = self.pdg("inter") != 0
        if has.any():
            mx2 = px[has, 0] ** 2 - np.sum(px[has, 1:] ** 2, axis=1)
            mx = self.mass("inter")[has]
            out["intermediate_mass"] = float(np.max(np.abs(np.sqrt(np.maximum(mx2, 0)) - mx) / px[has, 0]))
        else:
            out["intermediate_mass"] = 0.0
        q = self.p4("nu") - pN
        q2 = -(q[:, 0] ** 2 - np.sum(q[:, 1:] ** 2, axis=1))
        out["Q2"] = float(np.max(np.abs(q2 - self._cols["Q2"]) / self.E_nu ** 2, initial=0.0))
        c = self._cols
        out["path"] = float(np.max(np.maximum(c["l1"] - c["l_decay"], c["l_decay"] - c["l2"]), initial=0.0))
        out["path"] = max(out["path"], 0.0)
        return out

    # ------------------------------------------------------------------ selection, concatenation
    def select(self, which) -> "EventSet":
        """Events selected by a boolean mask, an index array or a slice (tables and meta kept)."""
        if isinstance(which, slice):
            cols = {k: a[which] for k, a in self._cols.items()}
        else:
            idx = np.asarray(which)
            if idx.dtype == bool and idx.shape != (self._n,):
                raise ConfigurationError(f"mask has shape {idx.shape}, expected ({self._n},)")
            if idx.dtype != bool and idx.dtype.kind not in "iu":
                raise ConfigurationError(f"select() takes a boolean mask or integer indices, got {idx.dtype}")
            cols = {k: a[idx] for k, a in self._cols.items()}
        return EventSet(cols, self.cases, self.channels, self.meta, validate=False)

    @classmethod
    def concat(cls, sets: Iterable["EventSet"], *, meta: Mapping | None = None) -> "EventSet":
        """Concatenate event sets; case and channel tables are merged (equal entries shared).

        Without ``meta`` all inputs must have equal meta (pieces of one run, e.g. from parallel
        workers).  Joining independent runs of the same model needs their weights averaged, not summed:
        pass ``meta`` explicitly and rescale the weights yourself.
        """
        sets = list(sets)
        if not sets:
            raise ConfigurationError("concat() needs at least one EventSet")
        if meta is None:
            meta = sets[0].meta
            for s in sets[1:]:
                if s.meta != meta:
                    keys = sorted(k for k in set(meta) | set(s.meta) if meta.get(k) != s.meta.get(k))
                    raise ConfigurationError(f"cannot concatenate event sets whose meta differ in {keys}; "
                                             "pass meta= explicitly")
        cases: list[CaseInfo] = []
        channels: list[ChannelInfo] = []
        n_gaps = max(s.n_gaps for s in sets)
        gap_names = [c for k in range(1, n_gaps + 1) for c in gap_columns(k)]
        opt = list(RECOIL2_COLUMNS) if any(s.has_recoil2 for s in sets) else []
        pieces = {k: [] for k in list(COLUMNS) + opt + gap_names}
        for s in sets:
            maps = []
            for table, merged in ((s.cases, cases), (s.channels, channels)):
                remap = []
                for item in table:
                    if item in merged:
                        remap.append(merged.index(item))
                    else:
                        if any(m.name == item.name for m in merged):
                            raise ConfigurationError(f"two different table entries are named {item.name!r}")
                        merged.append(item)
                        remap.append(len(merged) - 1)
                maps.append(np.asarray(remap, dtype=np.uint16))
            for k in gap_names[2 * s.n_gaps:]:  # pad missing gaps: empty, at l2
                pieces[k].append(s._cols["l2"])
            if opt and not s.has_recoil2:  # no second companion: zeros
                for k in opt:
                    pieces[k].append(np.zeros(len(s)))
            for k, a in s._cols.items():
                if k == "case":
                    a = maps[0][a] if len(maps[0]) else a
                elif k == "channel":
                    a = maps[1][a] if len(maps[1]) else a
                pieces[k].append(a)
        cols = {k: np.concatenate(v) for k, v in pieces.items()}
        return cls(cols, cases, channels, meta, validate=False)

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def from_kinematics(cls, *, case, channel, w_rate, br, p_decay, Q2, l1, l2, ctau, l_decay, vertex,
                        p_nu, p_recoil, p_hnl, p_daughters, cases, channels, meta=None, q_channel=None,
                        w_decay=1.0, gaps=None, p_recoil2=None, validate=True) -> "EventSet":
        """Build from arrays of vectors.

        ``vertex``: (n, 4) x, y, z [cm], t [ns] of the interaction.  ``p_nu``, ``p_recoil``, ``p_hnl``:
        (n, 3) momenta or (n, 4) four-momenta (E, px, py, pz; E is dropped and later recomputed on
        shell).  ``p_daughters``: (n, k, 3|4) with k <= 4, zero-padded for channels with fewer
        daughters, the intermediate's children last.  ``q_channel``: channel-selection probability
        (default: ``br``, i.e. channels drawn with their branching ratios); ``gaps``: (n, K, 2) starts
        and ends of the gaps of the path (detectors of separated parts).  Other arguments are 1-D or
        scalars.  ``p_recoil2``: (n, 3|4) second companions of meson-decay events (optional columns).
        """
        vertex = np.asarray(vertex, dtype=float)
        n = vertex.shape[0]
        cols: dict[str, np.ndarray] = {}

        def p3(a, what):
            a = np.asarray(a, dtype=float)
            if a.ndim != 2 or a.shape[0] != n or a.shape[1] not in (3, 4):
                raise ConfigurationError(f"{what} must have shape (n, 3) or (n, 4), has {a.shape}")
            return a[:, -3:]

        roles = (("nu", p_nu), ("recoil", p_recoil), ("hnl", p_hnl))
        if p_recoil2 is not None:
            roles += (("recoil2", p_recoil2),)
        for role, arr in roles:
            p = p3(arr, "p_" + role)
            for j, k in enumerate(_p3_names(role)):
                cols[k] = np.ascontiguousarray(p[:, j])
        pdau = np.asarray(p_daughters, dtype=float)
        if pdau.ndim != 3 or pdau.shape[0] != n or pdau.shape[1] > MAX_DAUGHTERS or pdau.shape[2] not in (3, 4):
            raise ConfigurationError(f"p_daughters must have shape (n, k<=4, 3|4), has {pdau.shape}")
        for i, role in enumerate(DAUGHTER_ROLES):
            for j, k in enumerate(_p3_names(role)):
                cols[k] = (np.ascontiguousarray(pdau[:, i, pdau.shape[2] - 3 + j]) if i < pdau.shape[1]
                           else np.zeros(n))
        if vertex.ndim != 2 or vertex.shape[1] != 4:
            raise ConfigurationError(f"vertex must have shape (n, 4), has {vertex.shape}")
        for j, k in enumerate("xyzt"):
            cols[k] = np.ascontiguousarray(vertex[:, j])
        for k, v in (("w_rate", w_rate), ("br", br), ("q_channel", br if q_channel is None else q_channel),
                     ("w_decay", w_decay), ("p_decay", p_decay), ("Q2", Q2), ("l1", l1), ("l2", l2),
                     ("ctau", ctau), ("l_decay", l_decay)):
            cols[k] = np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
        if gaps is not None:
            g = np.asarray(gaps, dtype=float)
            if g.ndim != 3 or g.shape[0] != n or g.shape[2] != 2:
                raise ConfigurationError(f"gaps must have shape (n, K, 2), has {g.shape}")
            for k in range(g.shape[1]):
                a, b = gap_columns(k + 1)
                cols[a], cols[b] = np.ascontiguousarray(g[:, k, 0]), np.ascontiguousarray(g[:, k, 1])
        for k, v in (("case", case), ("channel", channel)):
            cols[k] = np.broadcast_to(np.asarray(v), (n,)).copy()
        return cls(cols, cases, channels, meta, validate=validate)

    def with_meta(self, **meta) -> "EventSet":
        """A copy sharing all arrays, with ``meta`` updated."""
        return EventSet(self._cols, self.cases, self.channels, {**self.meta, **meta}, validate=False)

    def equals(self, other: "EventSet") -> bool:
        """Exact equality of columns, tables and meta."""
        return (isinstance(other, EventSet) and self._n == other._n and self.cases == other.cases
                and self.channels == other.channels and self.meta == other.meta
                and self._cols.keys() == other._cols.keys()
                and all(np.array_equal(self._cols[k], other._cols[k]) for k in self._cols))

    # ------------------------------------------------------------------ arrow / pandas
    def metadata_dict(self) -> dict:
        """Everything but the per-event arrays, as a JSON-serialisable dict (written into files)."""
        from darkbeam.events.arrow import metadata_dict

        return metadata_dict(self)

    def to_arrow(self, full: bool = False):
        """A pyarrow Table of the stored columns (zero-copy) with darkbeam metadata.

        ``full=True`` adds derived columns for users outside darkbeam: ``w``, ``E_nu``, the decay vertex,
        the case and channel names (dictionary-encoded) and, for every role, ``<role>_pdg`` and
        ``<role>_E`` (plus the target's and intermediate's momenta).  Readers ignore them.
        """
        from darkbeam.events.arrow import to_arrow

        return to_arrow(self, full)

    @classmethod
    def from_arrow(cls, table, *, cases=None, channels=None, meta=None, validate=True,
                   schema_version=None) -> "EventSet":
        """EventSet from a pyarrow Table written by :meth:`to_arrow` (tables and meta from its
        metadata unless given).  Extra columns are ignored; a missing stored column is a DataError."""
        from darkbeam.events.arrow import from_arrow

        return from_arrow(cls, table, cases=cases, channels=channels, meta=meta, validate=validate,
                          schema_version=schema_version)

    def to_pandas(self, full: bool = True):
        """A pandas DataFrame (needs pandas): stored columns plus, with ``full``, the derived ones."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise ConfigurationError("EventSet.to_pandas() needs pandas: pip install pandas") from None
        return self.to_arrow(full=full).to_pandas()


def concat(sets: Iterable[EventSet], *, meta: Mapping | None = None) -> EventSet:
    """Module-level alias of :meth:`EventSet.concat`."""
    return EventSet.concat(sets, meta=meta)
