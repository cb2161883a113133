"""ScatterEvents: weighted events of a scattering with no decay (nu-e, CEvNS, tridents, dark-matter
scattering), the process-neutral sibling of :class:`~darkbeam.events.EventSet`.

Layout (columns, roles, case table): :mod:`darkbeam.events.scatter_schema`; docs/events.md,
"Scattering events".  The container offers what the EventSet offers where it makes sense -- ``w``,
``E_nu``, per-role ``pdg``/``mass``/``p3``/``energy``/``p4``, ``vertex()``, ``check_kinematics()``,
``select``, ``concat``, ``with_weights``, ``with_meta``, ``equals``, ``to_arrow``/``from_arrow``,
``reweight`` -- and is written by the same :func:`darkbeam.events.write` (parquet, HepMC3 following
NuHepMC with every outgoing particle of status 1, HEPEVT).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from darkbeam.errors import ConfigurationError, DataError
from darkbeam.events.column_store import ColumnStore, coerce_columns
from darkbeam.events.scatter_schema import (AMPLITUDE_COLUMNS, COLUMNS, OPTIONAL_COLUMNS, PAIR_COLUMNS, RESPONSE_COLUMNS, ROLES,
                                            STORED_ROLES, ScatterCase, column_spec)


def _p3_names(role: str):
    return (f"{role}_px", f"{role}_py", f"{role}_pz")


class ScatterEvents(ColumnStore):
    """Weighted scattering events: columns (:data:`darkbeam.events.scatter_schema.COLUMNS` plus the
    optional pair and amplitude columns), a case table of :class:`ScatterCase` and ``meta``
    (``process``, ``model``, ``experiment``, ``seed``, ``exposure_pot``, ...)."""

    __slots__ = ("_cols", "cases", "meta", "_n")
    layout = "scattering"

    def __init__(self, columns: Mapping[str, np.ndarray], cases: Sequence, meta: Mapping | None = None, *,
                 validate: bool = True):
        self.cases = tuple(c if isinstance(c, ScatterCase) else ScatterCase.from_dict(dict(c)) for c in cases)
        names = [c.name for c in self.cases]
        if len(set(names)) != len(names):
            raise ConfigurationError("two scattering cases have the same name")
        self.meta = dict(meta or {})
        unknown = sorted(set(columns) - set(COLUMNS) - set(OPTIONAL_COLUMNS))
        if unknown:
            raise ConfigurationError(f"unknown scattering-event columns {unknown}")
        for group in (PAIR_COLUMNS, AMPLITUDE_COLUMNS, RESPONSE_COLUMNS):
            have = [k for k in group if k in columns]
            if have and len(have) != len(group):
                raise ConfigurationError(f"scattering events need all of {list(group)} or none, got {have}")
        names = list(COLUMNS) + [k for k in OPTIONAL_COLUMNS if k in columns]
        cols, n = coerce_columns(columns, names, lambda k: column_spec(k).dtype)
        if any(c.pair for c in self.cases) and "pair1_px" not in cols:
            raise ConfigurationError("cases with a produced pair need the pair columns")
        self._cols, self._n = cols, n
        if validate:
            self.validate()

    # ------------------------------------------------------------------ basics
    @property
    def has_pair(self) -> bool:
        return "pair1_px" in self._cols

    @property
    def has_amplitudes(self) -> bool:
        """Whether the events store the coupling-structure parts of w (w_vv, w_aa, w_va, t_nu)."""
        return "w_vv" in self._cols

    @property
    def w(self) -> np.ndarray:
        """Event weight: expected number of interactions the event stands for."""
        return self._cols["w"]

    def weight(self, weight="w") -> np.ndarray:
        if isinstance(weight, str):
            if weight in ("w", "w_rate", "w_visible"):
                return self.w
            raise ConfigurationError(f"unknown weight {weight!r} for scattering events")
        a = np.asarray(weight, dtype=float)
        if a.shape != (self._n,):
            raise ConfigurationError(f"weight array has shape {a.shape}, expected ({self._n},)")
        return a

    def __repr__(self) -> str:
        return (f"<ScatterEvents ({self.meta.get('process')}): {self._n} events, {len(self.cases)} cases, "
                f"sum w = {self.w.sum():.6g}>")

    def __getitem__(self, key):
        if isinstance(key, str):
            if key in self._cols:
                return self._cols[key]
            if key == "E_nu":
                return self.E_nu
            if key == "T_recoil":
                return self.energy("recoil") - self.mass("recoil")
            raise KeyError(key)
        return self.select(key)

    # ------------------------------------------------------------------ tables per event
    def _case_table(self, fn, dtype=float) -> np.ndarray:
        return np.array([fn(c) for c in self.cases], dtype=dtype)[self._cols["case"]] if self.cases else \
            np.zeros(self._n, dtype=dtype)

    def process(self) -> np.ndarray:
        """The process tag of each event (strings)."""
        return self._case_table(lambda c: c.process, object)

    def pdg(self, role: str) -> np.ndarray:
        """PDG code of ``role`` (:data:`ROLES`; 0 for an absent pair), int32."""
        if role not in ROLES:
            raise KeyError(f"unknown role {role!r}; roles are {ROLES}")
        return self._case_table(lambda c: c.pdg(role), np.int32)

    def mass(self, role: str) -> np.ndarray:
        if role not in ROLES:
            raise KeyError(f"unknown role {role!r}; roles are {ROLES}")
        return self._case_table(lambda c: c.mass(role))

    def p3(self, role: str) -> np.ndarray:
        if role == "target" or (role in ("pair1", "pair2") and not self.has_pair):
            return np.zeros((self._n, 3))
        if role not in STORED_ROLES:
            raise KeyError(f"unknown role {role!r}; roles are {ROLES}")
        return np.stack([self._cols[k] for k in _p3_names(role)], axis=1)

    def energy(self, role: str) -> np.ndarray:
        p, m = self.p3(role), self.mass(role)
        e = np.sqrt(np.einsum("ij,ij->i", p, p) + m * m)
        return np.where(self.pdg(role) != 0, e, 0.0)

    def p4(self, role: str) -> np.ndarray:
        out = np.empty((self._n, 4))
        out[:, 0], out[:, 1:] = self.energy(role), self.p3(role)
        return out

    @property
    def E_nu(self) -> np.ndarray:
        """Projectile energy in GeV."""
        return self.energy("projectile")

    def vertex(self, which: str = "interaction") -> np.ndarray:
        """(x, y, z, t) of the interaction vertex (cm, ns), shape (n, 4)."""
        if which != "interaction":
            raise ConfigurationError("scattering events have only the interaction vertex")
        c = self._cols
        return np.stack([c["x"], c["y"], c["z"], c["t"]], axis=1)

    def check_kinematics(self) -> dict[str, float]:
        """Largest violations of four-momentum conservation (``"primary"``, relative to the incoming
        energy) and of the stored Q2 (``"Q2"``, relative to max(Q2, 1e-16 E^2), E the incoming energy)."""
        pin = self.p4("projectile") + self.p4("target")
        pout = sum(self.p4(r) for r in ("scattered", "pair1", "pair2", "recoil"))
        q = self.p4("target") - self.p4("recoil")
        q2 = -(q[:, 0] ** 2 - np.sum(q[:, 1:] ** 2, axis=1))
        scale = np.maximum(self._cols["Q2"], pin[:, 0] ** 2 * 1e-16)
        return {"primary": float(np.max(np.abs(pin - pout) / pin[:, :1], initial=0.0)),
                "Q2": float(np.max(np.abs(q2 - self._cols["Q2"]) / scale, initial=0.0))}

    # ------------------------------------------------------------------ validation, selection
    def validate(self) -> "ScatterEvents":
        """DataError unless case indices are in range, w is finite and >= 0 and every float column finite."""
        c = self._cols
        if self._n and int(c["case"].max(initial=0)) >= len(self.cases):
            raise DataError(f"column 'case' points past the {len(self.cases)} entries of the case table")
        w = c["w"]
        bad = ~(w >= 0.0) | ~np.isfinite(w)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"{int(bad.sum())} events have a NaN, infinite or negative weight w (first: event {i}, "
                            f"value {w[i]!r})")
        for name, a in c.items():
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                raise DataError(f"column {name!r} has NaN or infinite entries")
        return self

    def select(self, which) -> "ScatterEvents":
        cols = self._selected_columns(which)
        return ScatterEvents(cols, self.cases, self.meta, validate=False)

    def with_weights(self, **columns) -> "ScatterEvents":
        """A copy with the given stored float columns (``w``, the amplitude parts) replaced."""
        for k in columns:
            if k not in self._cols or k == "case":
                raise ConfigurationError(f"with_weights: {k!r} is not a stored weight column")
        cols = dict(self._cols)
        cols.update({k: np.broadcast_to(np.asarray(v, dtype=float), (self._n,)).copy() for k, v in columns.items()})
        return ScatterEvents(cols, self.cases, self.meta)

    def with_meta(self, **meta) -> "ScatterEvents":
        return ScatterEvents(self._cols, self.cases, {**self.meta, **meta}, validate=False)

    def equals(self, other) -> bool:
        return (isinstance(other, ScatterEvents) and self._n == other._n and self.cases == other.cases
                and self.meta == other.meta and self._cols.keys() == other._cols.keys()
                and all(np.array_equal(self._cols[k], other._cols[k]) for k in self._cols))

    @classmethod
    def concat(cls, sets: Iterable["ScatterEvents"], *, meta: Mapping | None = None) -> "ScatterEvents":
        """Concatenate (pieces of one run: equal meta unless ``meta`` is given); case tables merged."""
        sets = list(sets)
        if not sets:
            raise ConfigurationError("concat() needs at least one ScatterEvents")
        if meta is None:
            meta = sets[0].meta
            if any(s.meta != meta for s in sets[1:]):
                raise ConfigurationError("cannot concatenate scattering events whose meta differ; pass meta=")
        keys = set(sets[0]._cols)
        if any(set(s._cols) != keys for s in sets[1:]):
            raise ConfigurationError("cannot concatenate scattering events with different columns")
        cases: list[ScatterCase] = []
        pieces: dict[str, list] = {k: [] for k in sets[0]._cols}
        for s in sets:
            remap = []
            for c in s.cases:
                if c not in cases:
                    if any(m.name == c.name for m in cases):
                        raise ConfigurationError(f"two different cases are named {c.name!r}")
                    cases.append(c)
                remap.append(cases.index(c))
            for k, a in s._cols.items():
                pieces[k].append(np.asarray(remap, dtype=np.uint16)[a] if k == "case" and remap else a)
        return cls({k: np.concatenate(v) for k, v in pieces.items()}, cases, meta, validate=False)

    # ------------------------------------------------------------------ files, reweighting
    def metadata_dict(self) -> dict:
        from darkbeam.events.scatter_text import metadata_dict

        return metadata_dict(self)

    def to_arrow(self, full: bool = False):
        """pyarrow Table of the stored columns with darkbeam metadata (``layout: scattering``); ``full``
        adds ``E_nu``, ``T_recoil``, ``case_name`` and every role's ``<role>_pdg`` and ``<role>_E``."""
        from darkbeam.events.scatter_text import to_arrow

        return to_arrow(self, full)

    @classmethod
    def from_arrow(cls, table, *, cases=None, meta=None, validate=True) -> "ScatterEvents":
        from darkbeam.events.scatter_text import from_arrow

        return from_arrow(cls, table, cases=cases, meta=meta, validate=validate)

    def reweight(self, new, **options) -> "ScatterEvents":
        """These events at other couplings (same masses, same phase-space points): nu-e and CEvNS by the
        ratio of dsigma/dT (:func:`darkbeam.processes.rare_scatter.reweight`), tridents from the stored
        amplitude parts (:func:`darkbeam.processes.trident_events.reweight`), dark-matter scattering in
        epsilon (:func:`darkbeam.processes.dark_matter.reweight`, events ~ epsilon^4)."""
        process = self.meta.get("process")
        if process in ("nu-e", "cevns"):
            from darkbeam.processes.rare_scatter import reweight

            return reweight(self, new, **options)
        if process == "trident":
            from darkbeam.processes.trident_events import reweight

            return reweight(self, new, **options)
        if process == "dark-matter":
            from darkbeam.processes.dark_matter import reweight

            return reweight(self, new)
        raise ConfigurationError(f"no reweighting for scattering process {process!r}")
