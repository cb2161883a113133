"""Per-event kinematics of an EventSet: PDG codes and masses of every role from the case and channel
tables, momenta, energies, four-momenta, interaction and decay vertices, delays and conservation checks.

:class:`EventKinematics` is a mixin of :class:`darkbeam.events.eventset.EventSet` (which holds the
stored columns in ``_cols``, the tables in ``cases`` / ``channels`` and the event count in ``_n``);
the layout of the columns is :mod:`darkbeam.events.schema` (docs/events.md).
"""

from __future__ import annotations

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.events.schema import DAUGHTER_ROLES, MAX_DAUGHTERS, ROLES, STORED_ROLES
from darkbeam.events.weights import decay_length
from darkbeam.units import C_LIGHT_CM_PER_NS


def _p3_names(role: str) -> tuple[str, str, str]:
    return (f"{role}_px", f"{role}_py", f"{role}_pz")


class EventKinematics:
    """Derived kinematics of the events (mixin of :class:`~darkbeam.events.eventset.EventSet`)."""

    __slots__ = ()

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
