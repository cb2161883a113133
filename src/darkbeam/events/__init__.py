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

# ``unweight`` is both a submodule and a function: imported here, so that the name is the function
# whichever is imported first (a later import of the submodule does not rebind it)
from darkbeam.events.unweight import UnweightingError, expected_accepted, unweight

# the other names are loaded on first use (module ``__getattr__``), so that generating events (the
# EventSet and its tables) does not load the readers, the scattering events or the writers (pyarrow)
_LAZY = {
    **{name: "darkbeam.events.eventset" for name in ("EventSet", "concat")},
    **{name: "darkbeam.events.readers" for name in ("read", "read_metadata", "read_parquet")},
    "ScatterCase": "darkbeam.events.scatter_schema",
    "ScatterEvents": "darkbeam.events.scattering",
    **{name: "darkbeam.events.schema" for name in ("COLUMNS", "ROLES", "SCHEMA_VERSION", "UNITS")},
    **{name: "darkbeam.events.tables" for name in ("CaseInfo", "ChannelInfo", "process_ids")},
    **{name: "darkbeam.events.weights" for name in ("decay_length", "decay_probability", "position_factor")},
    **{name: "darkbeam.events.writers" for name in
       ("FORMATS", "atomic_output", "write", "write_hepevt", "write_hepmc3", "write_parquet")},
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'darkbeam.events' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "EventSet", "concat", "ScatterEvents", "ScatterCase", "CaseInfo", "ChannelInfo", "process_ids",
    "COLUMNS", "ROLES", "SCHEMA_VERSION", "UNITS",
    "unweight", "expected_accepted", "UnweightingError",
    "decay_length", "decay_probability", "position_factor",
    "FORMATS", "write", "write_parquet", "write_hepmc3", "write_hepevt", "atomic_output",
    "read", "read_parquet", "read_metadata",
]
