"""Memory a run of weighted events needs, estimated before it starts (docs/cli.md)."""

from __future__ import annotations

import os
from typing import Optional

from darkbeam.errors import ConfigurationError

#: memory per weighted event while a run is generated and written: 276 bytes of stored columns
#: (34 float64 + 2 uint16) plus vegas work arrays, the concatenation of the cases and the Arrow table
#: built for writing.  Measured peak RSS (docs/cli.md): 870 bytes/event at 1.6 million events.
BYTES_PER_EVENT = 1000


def available_memory() -> Optional[int]:
    """Bytes of memory available to a new allocation (MemAvailable of /proc/meminfo, else the free
    physical pages); None if unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(n_events: int, what: str) -> None:
    """Refuse a run whose estimated memory (``n_events`` x :data:`BYTES_PER_EVENT`) exceeds the memory
    available now."""
    need = int(n_events) * BYTES_PER_EVENT
    avail = available_memory()
    if avail is not None and need > avail:
        raise ConfigurationError(f"{what} need about {need / 1e9:.3g} GB of memory ({BYTES_PER_EVENT} bytes per "
                                 f"event), more than the {avail / 1e9:.3g} GB available: lower --events")


def min_cases(experiment, regimes, *, n_helicities: int = 2, n_hnl: int = 1, n_projectiles: int = 1) -> int:
    """A lower bound on the process cases of a run, known before its flux is read: HNLs x (target,
    regime) pairs that exist (no coherent scattering on H1, no n-el on nuclei without neutrons) x
    helicities x projectiles (one flavour when the flux decides)."""
    from darkbeam.detectors.catalog import parse_nucleus

    pairs = 0
    for target in experiment.target_names:
        Z, A = parse_nucleus(target)
        pairs += sum(not ((r == "coherent" and A == 1) or (r == "n-el" and A == Z)) for r in regimes)
    return max(1, max(n_hnl, 1) * pairs * max(n_helicities, 1) * max(n_projectiles, 1))
