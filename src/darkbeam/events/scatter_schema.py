"""Columns and case table of :class:`~darkbeam.events.scattering.ScatterEvents`: events of one
scattering ``projectile + target -> outgoing particles`` with no decay (docs/events.md, "Scattering
events").

One event is one interaction at a vertex in the detector.  Its final state is stored as outgoing
particles in fixed roles named for what they hold:

* ``projectile``: the incoming particle (a neutrino; a dark-matter particle chi);
* ``scattered``: the projectile's line after the scattering (the outgoing neutrino, chi);
* ``pair1``, ``pair2``: a pair produced in the scattering (tridents: l1- and l2+; absent otherwise);
* ``recoil``: the struck target (electron, nucleus, or the nucleon of a diffractive trident).

The target is at rest (derived).  PDG codes and masses come from the case table
(:class:`ScatterCase`), energies from the stored momenta and those masses, as for upscattering
events.  The event weight ``w`` is the expected number of interactions the event stands for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.events.schema import Column

#: layout tag written into the file metadata (``"layout"``); upscattering files carry none
LAYOUT = "scattering"
SCATTER_SCHEMA_VERSION = 1

_F8, _U2 = np.dtype(np.float64), np.dtype(np.uint16)

ROLES = ("projectile", "target", "scattered", "pair1", "pair2", "recoil")
STORED_ROLES = ("projectile", "scattered", "pair1", "pair2", "recoil")
OUTGOING_ROLES = ("scattered", "pair1", "pair2", "recoil")
ROLE_DOCS = {
    "projectile": "incoming particle (neutrino; dark-matter particle)",
    "target": "target before the interaction (at rest)",
    "scattered": "outgoing particle on the projectile's line (the scattered neutrino or dark-matter particle)",
    "pair1": "first particle of a pair produced in the scattering (tridents: the negative lepton)",
    "pair2": "second particle of a pair produced in the scattering (tridents: the positive lepton)",
    "recoil": "the struck target after the interaction (electron, nucleus or nucleon)",
}


def _p3(role: str) -> dict[str, Column]:
    return {f"{role}_p{c}": Column(_F8, "GeV", f"{c} component of the momentum of the {ROLE_DOCS[role]} (lab)")
            for c in "xyz"}


COLUMNS: dict[str, Column] = {
    "case": Column(_U2, "", "index of the process case (projectile x target x process) in the case table"),
    "w": Column(_F8, "events", "event weight: expected number of interactions this event stands for, for the "
                               "exposure (sum over a file = the expected number of events)"),
    "Q2": Column(_F8, "GeV^2", "momentum transfer to the target Q^2 = -(p_target - p_recoil)^2"),
    "x": Column(_F8, "cm", "x of the interaction vertex, detector frame"),
    "y": Column(_F8, "cm", "y of the interaction vertex"),
    "z": Column(_F8, "cm", "z of the interaction vertex (beam axis)"),
    "t": Column(_F8, "ns", "time of the interaction: neutrino flight from its production point (beam experiments, "
                           "t = 0 at production) or proton pulse + decays at rest + flight (decay-at-rest sources, "
                           "t = 0 at the pulse centre); meta['time_origin'] says which"),
    **_p3("projectile"), **_p3("scattered"), **_p3("recoil"),
}
#: optional: the produced pair (all six or none)
PAIR_COLUMNS: dict[str, Column] = {**_p3("pair1"), **_p3("pair2")}
#: optional: per-event parts of w for the coupling structures of a vector/axial four-fermion amplitude,
#: w = C_V(t)^2 w_vv + C_A^2 w_aa + 2 C_V(t) C_A w_va (tridents; docs/tridents.md, "Reweighting"),
#: with t the momentum transfer on the neutrino line (column t_nu)
AMPLITUDE_COLUMNS: dict[str, Column] = {
    "w_vv": Column(_F8, "events", "part of w multiplying C_V(t)^2 (events per unit coupling squared)"),
    "w_aa": Column(_F8, "events", "part of w multiplying C_A^2"),
    "w_va": Column(_F8, "events", "part of w multiplying 2 C_V(t) C_A (sign of an antineutrino included)"),
    "t_nu": Column(_F8, "GeV^2", "t = (p_projectile - p_scattered)^2 <= 0 on the neutrino line (a Z' propagator "
                                 "1/(m^2 - t) multiplies the Z' part of C_V)"),
}
#: optional (all three or none): detector response of nu-e events (the recoil electron's smeared energy
#: and angle and the analysis cuts on them; detectors/nu_e_response.py, docs/rare_scattering.md 8a)
RESPONSE_COLUMNS: dict[str, Column] = {
    "electron_E_smeared": Column(_F8, "GeV", "reconstructed (smeared) total energy of the recoil electron"),
    "electron_theta_smeared": Column(_F8, "rad", "reconstructed (smeared) angle of the recoil electron to the beam "
                                                 "axis"),
    "pass_cuts": Column(_F8, "", "1 if the smeared electron passes the detector's nu-e cuts (energy window, "
                                 "E theta^2), else 0")}
OPTIONAL_COLUMNS = {**PAIR_COLUMNS, **AMPLITUDE_COLUMNS, **RESPONSE_COLUMNS}

DERIVED_DOCS = {"E_nu": ("GeV", "projectile energy"), "T_recoil": ("GeV", "kinetic energy of the recoil")}

#: NuHepMC E.C.1 process-ID blocks by process (NC-like halves X50-X99: the final state has the neutrino
#: or chi); a block of 50 continues at +1000
PROCESS_ID_BASE = {"cevns": 150, "nu-e": 750, "trident": 850, "dm-scattering": 950}
PROCESS_ID_OTHER = 950


def _mass(v, what) -> float:
    v = float(v)
    if not math.isfinite(v) or v < 0:
        raise ConfigurationError(f"{what}: mass {v} GeV must be finite and >= 0")
    return v


@dataclass(frozen=True)
class ScatterCase:
    """One scattering case ``projectile + target -> scattered [+ pair1 + pair2] + recoil``.

    Parameters
    ----------
    name : unique label
    process : the process tag (``"nu-e"``, ``"cevns"``, ``"trident"``, ``"dm-scattering"``, ...)
    projectile, target, scattered, recoil : PDG codes
    m_projectile, m_target, m_scattered, m_recoil : masses in GeV
    pair : PDG codes of the produced pair (two codes, or ``()`` for none); m_pair their masses
    regime : free sub-classification (``"coherent"``, ``"diffractive"``, ...)
    process_id : NuHepMC process ID (default from :func:`scatter_process_ids`)
    description : theory reference of the process (NuHepMC G.C.5)
    """

    name: str
    process: str
    projectile: int
    target: int
    scattered: int
    recoil: int
    m_projectile: float = 0.0
    m_target: float = 0.0
    m_scattered: float = 0.0
    m_recoil: float = 0.0
    pair: tuple = ()
    m_pair: tuple = ()
    regime: str = ""
    process_id: int | None = None
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ConfigurationError("ScatterCase.name must be a non-empty string")
        if not isinstance(self.process, str) or not self.process:
            raise ConfigurationError(f"case {self.name!r}: process must be a non-empty tag")
        for k in ("projectile", "target", "scattered", "recoil"):
            v = int(getattr(self, k))
            if v == 0:
                raise ConfigurationError(f"case {self.name!r}: PDG code 0 for {k}")
            object.__setattr__(self, k, v)
        for k in ("m_projectile", "m_target", "m_scattered", "m_recoil"):
            object.__setattr__(self, k, _mass(getattr(self, k), f"case {self.name!r} {k}"))
        pair = tuple(int(v) for v in self.pair)
        m_pair = tuple(_mass(v, f"case {self.name!r} pair") for v in self.m_pair)
        if len(pair) not in (0, 2) or len(m_pair) != len(pair) or 0 in pair:
            raise ConfigurationError(f"case {self.name!r}: a pair is two non-zero PDG codes with two masses")
        object.__setattr__(self, "pair", pair)
        object.__setattr__(self, "m_pair", m_pair)
        if self.process_id is not None:
            object.__setattr__(self, "process_id", int(self.process_id))

    def pdg(self, role: str) -> int:
        if role == "projectile":
            return self.projectile
        if role in ("pair1", "pair2"):
            return self.pair[int(role[-1]) - 1] if self.pair else 0
        return getattr(self, role)

    def mass(self, role: str) -> float:
        if role in ("pair1", "pair2"):
            return self.m_pair[int(role[-1]) - 1] if self.pair else 0.0
        return getattr(self, "m_" + role)

    def outgoing(self) -> tuple[str, ...]:
        """Roles of the outgoing particles, in event-record order."""
        return ("scattered", "pair1", "pair2", "recoil") if self.pair else ("scattered", "recoil")

    def to_dict(self) -> dict:
        return {"name": self.name, "process": self.process, "projectile": self.projectile, "target": self.target,
                "scattered": self.scattered, "recoil": self.recoil, "m_projectile": self.m_projectile,
                "m_target": self.m_target, "m_scattered": self.m_scattered, "m_recoil": self.m_recoil,
                "pair": list(self.pair), "m_pair": list(self.m_pair), "regime": self.regime,
                "process_id": self.process_id, "description": self.description}

    @classmethod
    def from_dict(cls, d: dict) -> "ScatterCase":
        try:
            return cls(**{**d, "pair": tuple(d.get("pair", ())), "m_pair": tuple(d.get("m_pair", ()))})
        except TypeError as exc:
            raise ConfigurationError(f"malformed scattering case entry {d!r}: {exc}") from None


def scatter_process_ids(cases) -> list[int]:
    """NuHepMC process ID of each case: its own ``process_id``, else the next free ID of its process's
    E.C.1 block (:data:`PROCESS_ID_BASE`: CEvNS 150-199, nu-e 750-799, tridents 850-899, dark-matter
    scattering and others 950-999), in case order.  ConfigurationError on duplicates."""
    used: dict[int, int] = {}
    out = []
    for c in cases:
        if c.process_id is not None:
            out.append(c.process_id)
            continue
        base = PROCESS_ID_BASE.get(c.process, PROCESS_ID_OTHER)
        k = used.get(base, 0)
        used[base] = k + 1
        out.append(base + 1000 * (k // 50) + k % 50)
    if len(set(out)) != len(out):
        raise ConfigurationError(f"duplicate NuHepMC process IDs {out}")
    return out


def column_spec(name: str) -> Column:
    if name in COLUMNS:
        return COLUMNS[name]
    return OPTIONAL_COLUMNS[name]
