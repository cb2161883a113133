"""Lookup tables of an EventSet: process cases and decay channels.

Per-event PDG codes and masses are not stored per event: every event points at one case (which fixes
the projectile, the target, the recoil and N) and one channel (which fixes the daughters of N and the
optional intermediate), so a code is one fancy-index into these tables.  The tables travel with the
events into every file (parquet metadata, NuHepMC run information).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from darkbeam.errors import ConfigurationError
from darkbeam.events.schema import MAX_DAUGHTERS

#: NuHepMC E.C.1 process-ID blocks (neutral-current halves) by scattering regime
PROCESS_ID_BASE = {"coherent": 150, "p-el": 250, "n-el": 250, "incoherent": 250}
#: base for other regimes (electron targets, unspecified): "700-: other process types", NC half
PROCESS_ID_OTHER = 750


def _check_mass(name: str, value: float, what: str) -> float:
    value = float(value)
    if not math.isfinite(value) or value < 0.0:
        raise ConfigurationError(f"{what}: mass {name} = {value} GeV must be finite and >= 0")
    return value


@dataclass(frozen=True)
class CaseInfo:
    """One process case ``projectile + target -> hnl + recoil``.

    Parameters
    ----------
    name : unique label, e.g. ``"nu_mu C12 -> N4 C12 (coherent, h=-1)"``
    projectile, target, hnl : PDG codes (nu_mu 14; C12 1000060120, proton 2212; N4 5914, a Dirac
        anti-N4 -5914)
    m_target, m_hnl : masses in GeV
    recoil, m_recoil : PDG code and mass of the recoil (default: the target's)
    m_projectile : mass of the projectile in GeV (0 for neutrinos)
    regime : scattering regime (``"coherent"``, ``"p-el"``, ``"n-el"``, ...), used for the default
        NuHepMC process ID
    process_id : NuHepMC process ID; default from :func:`process_ids`
    description : free text; for NuHepMC G.C.5 it should cite the theory paper of the process
    recoil2, m_recoil2 : PDG code and mass of a second companion (0: none); meson-decay cases
        ``parent -> hnl + recoil [+ recoil2]`` have ``target = 0``, ``m_target = 0`` (no target) and
        ``regime = "decay"``, the parent as projectile (docs/meson_decay.md)
    """

    name: str
    projectile: int
    target: int
    hnl: int
    m_target: float
    m_hnl: float
    recoil: int | None = None
    m_recoil: float | None = None
    m_projectile: float = 0.0
    regime: str = ""
    process_id: int | None = None
    description: str = ""
    recoil2: int = 0
    m_recoil2: float = 0.0

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ConfigurationError("CaseInfo.name must be a non-empty string")
        for k in ("projectile", "target", "hnl", "recoil2"):
            object.__setattr__(self, k, int(getattr(self, k)))
        object.__setattr__(self, "recoil", int(self.target if self.recoil is None else self.recoil))
        for k in ("m_target", "m_hnl", "m_projectile", "m_recoil2"):
            object.__setattr__(self, k, _check_mass(k, getattr(self, k), f"case {self.name!r}"))
        m_rec = self.m_target if self.m_recoil is None else self.m_recoil
        object.__setattr__(self, "m_recoil", _check_mass("m_recoil", m_rec, f"case {self.name!r}"))
        if self.m_hnl <= 0.0:
            raise ConfigurationError(f"case {self.name!r}: m_hnl must be > 0")
        if self.process_id is not None:
            object.__setattr__(self, "process_id", int(self.process_id))

    @property
    def is_decay(self) -> bool:
        """A meson-decay case (the parent decays; no target)."""
        return self.regime == "decay"

    def to_dict(self) -> dict:
        d = asdict(self)
        if not self.recoil2 and not self.m_recoil2:  # keep upscattering tables as they were
            d.pop("recoil2")
            d.pop("m_recoil2")
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "CaseInfo":
        try:
            return cls(**d)
        except TypeError as exc:
            raise ConfigurationError(f"malformed case table entry {d!r}: {exc}") from None


@dataclass(frozen=True)
class ChannelInfo:
    """One decay channel of N into a definite final state.

    Parameters
    ----------
    name : unique label, e.g. ``"N4 -> nu_mu e+ e-"``
    daughters : PDG codes of the 1-4 final daughters, in slot order d1, d2, ...
    masses : their masses in GeV
    intermediate : PDG code of a promptly decaying intermediate (0: none)
    m_intermediate : its mass in GeV
    n_from_intermediate : how many of the *last* daughters are the intermediate's children
        (``N -> nu Z', Z' -> e+ e-``: daughters (nu, e+, e-), n_from_intermediate = 2)
    """

    name: str
    daughters: tuple[int, ...]
    masses: tuple[float, ...]
    intermediate: int = 0
    m_intermediate: float = 0.0
    n_from_intermediate: int = 0

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ConfigurationError("ChannelInfo.name must be a non-empty string")
        d = tuple(int(v) for v in self.daughters)
        m = tuple(_check_mass("daughter", v, f"channel {self.name!r}") for v in self.masses)
        if not 1 <= len(d) <= MAX_DAUGHTERS:
            raise ConfigurationError(f"channel {self.name!r}: {len(d)} daughters; 1 to {MAX_DAUGHTERS} allowed")
        if len(m) != len(d):
            raise ConfigurationError(f"channel {self.name!r}: {len(d)} daughters but {len(m)} masses")
        if any(v == 0 for v in d):
            raise ConfigurationError(f"channel {self.name!r}: PDG code 0 is not a particle")
        object.__setattr__(self, "daughters", d)
        object.__setattr__(self, "masses", m)
        object.__setattr__(self, "intermediate", int(self.intermediate))
        object.__setattr__(self, "m_intermediate",
                           _check_mass("m_intermediate", self.m_intermediate, f"channel {self.name!r}"))
        k = int(self.n_from_intermediate)
        object.__setattr__(self, "n_from_intermediate", k)
        if self.intermediate == 0 and k != 0:
            raise ConfigurationError(f"channel {self.name!r}: n_from_intermediate without an intermediate")
        if self.intermediate != 0 and not 2 <= k <= len(d) - 1:
            raise ConfigurationError(
                f"channel {self.name!r}: the intermediate needs 2 to {len(d) - 1} children "
                f"(and N at least one other daughter), got {k}")

    @property
    def n_daughters(self) -> int:
        return len(self.daughters)

    @property
    def n_direct(self) -> int:
        """Number of N's direct daughters (the intermediate, if any, counted separately)."""
        return len(self.daughters) - self.n_from_intermediate

    def to_dict(self) -> dict:
        return {"name": self.name, "daughters": list(self.daughters), "masses": list(self.masses),
                "intermediate": self.intermediate, "m_intermediate": self.m_intermediate,
                "n_from_intermediate": self.n_from_intermediate}

    @classmethod
    def from_dict(cls, d: dict) -> "ChannelInfo":
        try:
            return cls(**d)
        except TypeError as exc:
            raise ConfigurationError(f"malformed channel table entry {d!r}: {exc}") from None


def check_unique_names(items, what: str) -> None:
    seen = set()
    for it in items:
        if it.name in seen:
            raise ConfigurationError(f"two {what} entries are named {it.name!r}")
        seen.add(it.name)


def process_ids(cases) -> list[int]:
    """NuHepMC process ID of each case.

    A case's own ``process_id`` wins.  Otherwise IDs follow the NuHepMC E.C.1 categories, neutral
    current half (all upscattering here is NC-like): coherent -> 150-199, nucleon elastic -> 250-299,
    anything else -> 750-799, numbered in case order; a block that overflows continues at +1000
    (1150-1199, ...).  Raises ConfigurationError on duplicate IDs.
    """
    used: dict[int, int] = {}
    out = []
    for c in cases:
        if c.process_id is not None:
            pid = c.process_id
        else:
            base = PROCESS_ID_BASE.get(c.regime, PROCESS_ID_OTHER)
            k = used.get(base, 0)
            used[base] = k + 1
            pid = base + 1000 * (k // 50) + k % 50
        out.append(pid)
    if len(set(out)) != len(out):
        raise ConfigurationError(f"duplicate NuHepMC process IDs {out}")
    return out
