"""Registry of external data files (name, pinned URL, sha256, units, citation), the few shipped
inside the package, and the cache."""

from darkbeam.data.registry import (
    DataFile,
    cache_dir,
    data_dir,
    entries,
    fetch,
    locate,
    lookup,
    origin,
    packaged_dir,
    parse_registry,
    registry,
    status,
)

__all__ = ["DataFile", "cache_dir", "data_dir", "entries", "fetch", "locate", "lookup", "origin", "packaged_dir",
           "parse_registry", "registry", "status"]
