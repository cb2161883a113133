"""The data registry: mirror, checksum verification, cache reuse, offline behaviour, download.

Downloads are tested against a local http.server on 127.0.0.1 only.
"""

import dataclasses
import functools
import http.server
import shutil
import threading

import pytest

import importlib

from darkbeam.data import fetch, locate, lookup
from darkbeam.errors import DataError
from darkbeam.sources import flux_for

# the module itself (darkbeam.data re-exports a function of the same name)
reg = importlib.import_module("darkbeam.data.registry")
NAME = "MiniBooNE_FHC"
_SHARED = reg.data_dir()  # the mirror named by the environment at import (tests/conftest.py)


@pytest.fixture
def shared_dir():
    d = _SHARED
    if d is None or not (d / lookup(NAME).path).is_file():
        pytest.skip("shared data mirror not available")
    return d


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No mirror, an empty cache, downloads forbidden."""
    monkeypatch.delenv(reg.ENV_DATA_DIR, raising=False)
    monkeypatch.setenv(reg.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(reg.ENV_OFFLINE, "1")
    return tmp_path


def test_fetch_from_mirror_is_verified(shared_dir):
    entry = lookup(NAME)
    path = fetch(NAME)
    assert path == shared_dir / entry.path
    assert reg.sha256_of(path) == entry.sha256


def test_checksum_mismatch_in_mirror(monkeypatch, tmp_path, shared_dir):
    entry = lookup(NAME)
    mirror = tmp_path / "mirror"
    target = mirror / entry.path
    target.parent.mkdir(parents=True)
    shutil.copy(shared_dir / entry.path, target)
    with open(target, "ab") as fh:  # corrupt the copy
        fh.write(b"0.1 0 0 0 0 0 0\n")
    monkeypatch.setenv(reg.ENV_DATA_DIR, str(mirror))
    monkeypatch.setenv(reg.ENV_CACHE_DIR, str(tmp_path / "cache"))
    with pytest.raises(DataError) as exc:
        fetch(NAME)
    assert "checksum mismatch" in str(exc.value) and "\n" not in str(exc.value)


def test_cache_is_used_and_verified(isolated, shared_dir):
    entry = lookup(NAME)
    cached = isolated / "cache" / entry.path
    cached.parent.mkdir(parents=True)
    shutil.copy(shared_dir / entry.path, cached)
    assert fetch(NAME, download=False) == cached
    assert locate(entry) == cached
    cached.write_bytes(cached.read_bytes()[:-10])
    with pytest.raises(DataError, match="checksum mismatch"):
        fetch(NAME)


def test_offline_without_data_is_one_clear_error(isolated):
    with pytest.raises(DataError) as exc:
        fetch(NAME)
    msg = str(exc.value)
    assert "not found locally" in msg and "downloads are disabled" in msg and "\n" not in msg


def test_offline_without_file_stops_where_the_model_is_not_validated(isolated, monkeypatch):
    """No file and no validated beam model: one line naming the file and both ways to provide it."""
    from darkbeam.sources.beam import validation

    monkeypatch.setattr(validation, "VALIDATED", {})
    with pytest.raises(DataError) as exc:
        flux_for("miniboone", n=2**11)
    msg = str(exc.value)
    assert "\n" not in msg and "MiniBooNE_FHC" in msg and "not validated" in msg
    assert "DARKBEAM_DATA_DIR" in msg and "fluxes/MiniBooNE_FHC.dat" in msg and "darkbeam fluxes fetch MiniBooNE_FHC" in msg
    with pytest.raises(DataError):
        flux_for("miniboone", source="file")


def test_offline_flux_falls_back_where_the_model_is_validated(isolated, monkeypatch):
    from darkbeam.sources.beam import validation

    monkeypatch.setattr(validation, "VALIDATED", {"bnb": [(541.0, 0.0, "FHC", "test")]})
    f = flux_for("miniboone", n=2**11)
    assert "beam model 'bnb'" in f.provenance and "FALLBACK" in f.provenance
    assert f.meta["source"] == "beam-model" and f.integrate("nu_mu") > 0
    note = f.meta["fallback"]
    assert "MiniBooNE_FHC" in note and "not available offline" in note and "\n" not in note
    # the RHC position is not validated: no fallback there
    with pytest.raises(DataError, match="not validated at 541 m, 0 mrad, RHC"):
        flux_for("miniboone", mode="RHC", n=2**11)


class _Handler(http.server.SimpleHTTPRequestHandler):
    hits: list = []

    def do_GET(self):  # noqa: N802
        _Handler.hits.append(self.path)
        return super().do_GET()

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def local_server(tmp_path, shared_dir):
    root = tmp_path / "www"
    root.mkdir()
    entry = lookup(NAME)
    shutil.copy(shared_dir / entry.path, root / "good.dat")
    bad = (shared_dir / entry.path).read_bytes().replace(b"e-10", b"e-11", 1)
    (root / "bad.dat").write_bytes(bad)
    handler = functools.partial(_Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Handler.hits.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _with_url(monkeypatch, url):
    entry = dataclasses.replace(lookup(NAME), url=url)
    table = dict(reg.registry())
    table[entry.key] = entry
    monkeypatch.setattr(reg, "registry", lambda: table)
    return entry


def test_download_verify_and_reuse(monkeypatch, isolated, local_server):
    monkeypatch.delenv(reg.ENV_OFFLINE)
    entry = _with_url(monkeypatch, f"{local_server}/good.dat")
    path = fetch(NAME)
    assert path == isolated / "cache" / entry.path and reg.sha256_of(path) == entry.sha256
    assert len(_Handler.hits) == 1
    assert fetch(NAME) == path  # served from the cache
    assert len(_Handler.hits) == 1


def test_download_with_wrong_checksum_fails(monkeypatch, isolated, local_server):
    monkeypatch.delenv(reg.ENV_OFFLINE)
    _with_url(monkeypatch, f"{local_server}/bad.dat")
    with pytest.raises(DataError) as exc:
        fetch(NAME)
    assert "checksum mismatch" in str(exc.value)
    assert not (isolated / "cache" / lookup(NAME).path).exists() or locate(lookup(NAME)) is None


def test_download_failure_is_one_line(monkeypatch, isolated, local_server):
    monkeypatch.delenv(reg.ENV_OFFLINE)
    _with_url(monkeypatch, f"{local_server}/missing.dat")
    with pytest.raises(DataError) as exc:
        fetch(NAME)
    assert "could not download" in str(exc.value) and "\n" not in str(exc.value)
