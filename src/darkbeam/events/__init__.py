"""darkbeam.events: the columnar EventSet, unweighting, writers and readers.

    EventSet         weighted events: weight components, kinematics, positions (docs/events.md)
    ScatterEvents    weighted scattering events with no decay (nu-e, CEvNS, tridents): outgoing particles
    ScatterCase      one scattering case (projectile, target, outgoing particles; NuHepMC process ID)
    CaseInfo         one process case (projectile, target, N, recoil; masses; NuHepMC process ID)
    ChannelInfo      one decay channel of N (daughters, optional intermediate)
    unweight         accept-reject unweighting to N events (never duplicates)
    write            parquet | hepmc3 (NuHepMC 1.0.0) | hepevt, atomically
    read_parquet     parquet -> EventSet
"""

from darkbeam.events.eventset import EventSet, concat
from darkbeam.events.readers import read, read_metadata, read_parquet
from darkbeam.events.scatter_schema import ScatterCase
from darkbeam.events.scattering import ScatterEvents
from darkbeam.events.schema import COLUMNS, ROLES, SCHEMA_VERSION, UNITS
from darkbeam.events.tables import CaseInfo, ChannelInfo, process_ids
from darkbeam.events.unweight import UnweightingError, expected_accepted, unweight
from darkbeam.events.weights import decay_length, decay_probability, position_factor

# writers and readers pull in pyarrow: loaded on first use, so that generating events (which only
# needs the container) does not pay for them at import
_LAZY = {name: "darkbeam.events.writers" for name in
         ("FORMATS", "atomic_output", "write", "write_hepevt", "write_hepmc3", "write_parquet")}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'darkbeam.events' has no attribute {name!r}")

__all__ = [
    "EventSet", "concat", "ScatterEvents", "ScatterCase", "CaseInfo", "ChannelInfo", "process_ids",
    "COLUMNS", "ROLES", "SCHEMA_VERSION", "UNITS",
    "unweight", "expected_accepted", "UnweightingError",
    "decay_length", "decay_probability", "position_factor",
    "FORMATS", "write", "write_parquet", "write_hepmc3", "write_hepevt", "atomic_output",
    "read", "read_parquet", "read_metadata",
]
