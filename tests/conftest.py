"""Test configuration: the data layer reads local copies only, never the network.

Convenience: when ../shared/data exists next to the checkout and DARKBEAM_DATA_DIR is not set, it is
used as the data mirror.  Without it (a fresh clone) tests still run: the few tables that ship inside
the package cover the default job, and a test that needs any other registered file is marked

    @pytest.mark.requires_data("MicroBooNE_BNB_fullflux", "nuclear/alpha_qed_running")

and is skipped, with the reason, when a named file has no local copy (mirror, packaged copy or cache)
and downloads are off.  Names are registry names ('kind/name' or a bare name); ``{param}`` in a name is
filled from the test's parameters, e.g. ``requires_data("darknews_experiment/{key}")``.  A file that IS
available never causes a skip; a corrupt one is an error, not a skip.

Fixture ``no_data``: no mirror, an empty cache, downloads and packaged copies off, for the tests of the
offline fallbacks.
"""

import os

# one BLAS thread: scipy/numpy kernels in tests are small, and threads only contend on 2 cores
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
from pathlib import Path

import pytest

_SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

if "DARKBEAM_DATA_DIR" not in os.environ and _SHARED.is_dir():
    os.environ["DARKBEAM_DATA_DIR"] = str(_SHARED)
os.environ.setdefault("DARKBEAM_OFFLINE", "1")


def _missing_data(names, params) -> list[str]:
    """The registry keys among ``names`` that cannot be had here (no local copy, downloads off or failing)."""
    from darkbeam.data import fetch, locate, lookup
    from darkbeam.errors import DataError

    missing = []
    for raw in names:
        entry = lookup(raw.format(**params))  # an unknown name is an error of the test, not a skip
        if locate(entry) is not None:  # a corrupt local copy raises DataError here: an error, not a skip
            continue
        try:
            fetch(entry.key)  # downloads only where DARKBEAM_OFFLINE allows them
        except DataError:
            missing.append(f"{entry.key} ({entry.path})")
    return missing


def pytest_runtest_setup(item):
    names = [n for m in item.iter_markers("requires_data") for n in m.args]
    if not names:
        return
    params = getattr(getattr(item, "callspec", None), "params", {})
    missing = _missing_data(names, params)
    if missing:
        pytest.skip(f"needs data file {', '.join(missing)}: set DARKBEAM_DATA_DIR to a mirror such as "
                    f"../shared/data (docs/data.md)")


# caches of tables read through the data layer: cleared around the tests that hide the data
_DATA_CACHES = (
    ("darkbeam.physics.form_factors", "fourier_bessel_table"),
    ("darkbeam.physics.nuclear", "_ame_table"),
    ("darkbeam.physics.nuclear", "_nucleus"),
)


def _clear_data_caches():
    import importlib
    import sys

    for module, name in _DATA_CACHES:
        if module in sys.modules:
            fn = getattr(importlib.import_module(module), name, None)
            if hasattr(fn, "cache_clear"):
                fn.cache_clear()


@pytest.fixture
def no_data(monkeypatch, tmp_path):
    """No data at all: no mirror, an empty cache, no downloads, the packaged copies ignored."""
    monkeypatch.setenv("DARKBEAM_DATA_DIR", str(tmp_path / "no_mirror"))
    monkeypatch.setenv("DARKBEAM_CACHE_DIR", str(tmp_path / "empty_cache"))
    monkeypatch.setenv("DARKBEAM_OFFLINE", "1")
    monkeypatch.setenv("DARKBEAM_NO_PACKAGED_DATA", "1")
    _clear_data_caches()
    yield tmp_path
    _clear_data_caches()  # the next test re-reads the tables with the environment restored


@pytest.fixture
def packaged_only(monkeypatch, tmp_path):
    """A fresh machine: no mirror, an empty cache, no downloads; only the copies shipped in the package."""
    monkeypatch.delenv("DARKBEAM_DATA_DIR", raising=False)
    monkeypatch.setenv("DARKBEAM_CACHE_DIR", str(tmp_path / "empty_cache"))
    monkeypatch.setenv("DARKBEAM_OFFLINE", "1")
    monkeypatch.delenv("DARKBEAM_NO_PACKAGED_DATA", raising=False)
    _clear_data_caches()
    yield tmp_path
    _clear_data_caches()
