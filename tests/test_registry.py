"""The data registry: mirror, packaged copies, checksum verification, cache reuse, offline behaviour,
download, and the validation of registry.toml.

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
NAME = "MiniBooNE_FHC"  # a packaged file: every test here runs without a mirror


@pytest.fixture
def source_copy():
    """The copy of NAME shipped in the package (test_packaged_files_... checks its sha256)."""
    return reg.packaged_dir() / lookup(NAME).path


@pytest.fixture
def shared_dir(source_copy, tmp_path):
    """A mirror folder holding NAME."""
    d = tmp_path / "mirror"
    (d / lookup(NAME).path).parent.mkdir(parents=True)
    shutil.copy(source_copy, d / lookup(NAME).path)
    return d


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No mirror, an empty cache, downloads forbidden, the packaged copies ignored."""
    monkeypatch.delenv(reg.ENV_DATA_DIR, raising=False)
    monkeypatch.setenv(reg.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(reg.ENV_OFFLINE, "1")
    monkeypatch.setenv(reg.ENV_NO_PACKAGED, "1")
    return tmp_path


def test_fetch_from_mirror_is_verified(shared_dir, monkeypatch):
    monkeypatch.setenv(reg.ENV_DATA_DIR, str(shared_dir))
    entry = lookup(NAME)
    path = fetch(NAME)
    assert path == shared_dir / entry.path and reg.origin(NAME) == "mirror"
    assert reg.sha256_of(path) == entry.sha256


def test_checksum_mismatch_in_mirror(monkeypatch, tmp_path, shared_dir):
    entry = lookup(NAME)
    mirror = tmp_path / "corrupt_mirror"
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


# ----------------------------------------------------------------------------- packaged copies
def test_packaged_files_are_registered_unchanged_and_cited():
    shipped = {p.relative_to(reg.packaged_dir()).as_posix() for p in reg.packaged_dir().rglob("*") if p.is_file()}
    packaged = [e for e in reg.entries() if e.packaged]
    assert shipped == {e.path for e in packaged}  # nothing ships that the registry does not list
    assert {e.key for e in packaged} == {"flux/MiniBooNE_FHC", "flux/MiniBooNE_RHC", "flux/BNB_energy_distances",
                                         "nuclear/ame2020", "nuclear/fourier_bessel"}
    for e in packaged:
        assert reg.sha256_of(reg.packaged_dir() / e.path) == e.sha256, e.key
        assert e.citation and e.description
    total = sum((reg.packaged_dir() / e.path).stat().st_size for e in packaged)
    assert total < 1_000_000  # small tables only; everything else stays behind the registry


def test_resolution_order_mirror_packaged_cache(monkeypatch, isolated, shared_dir):
    entry = lookup(NAME)
    cached = isolated / "cache" / entry.path
    cached.parent.mkdir(parents=True)
    shutil.copy(shared_dir / entry.path, cached)
    assert reg.origin(NAME) == "cache"  # packaged copies ignored (isolated)
    monkeypatch.delenv(reg.ENV_NO_PACKAGED)
    assert reg.origin(NAME) == "packaged" and fetch(NAME) == reg.packaged_dir() / entry.path
    monkeypatch.setenv(reg.ENV_DATA_DIR, str(shared_dir))
    assert reg.origin(NAME) == "mirror" and fetch(NAME) == shared_dir / entry.path
    # a mirror without the file: the packaged copy, not a failure
    monkeypatch.setenv(reg.ENV_DATA_DIR, str(isolated / "empty_mirror"))
    assert reg.origin(NAME) == "packaged"
    assert reg.origin("NUMI_FHC_LE") is None  # not packaged, not cached


def test_packaged_copy_is_verified(monkeypatch, isolated, source_copy):
    monkeypatch.delenv(reg.ENV_NO_PACKAGED)
    entry = lookup(NAME)
    fake = isolated / "pkg"
    (fake / entry.path).parent.mkdir(parents=True)
    (fake / entry.path).write_bytes(source_copy.read_bytes().replace(b"e-10", b"e-11", 1))
    monkeypatch.setattr(reg, "packaged_dir", lambda: fake)
    with pytest.raises(DataError, match="checksum mismatch") as exc:
        fetch(NAME)
    assert "\n" not in str(exc.value)
    (fake / entry.path).unlink()
    with pytest.raises(DataError, match="installed without its packaged data file flux/MiniBooNE_FHC"):
        fetch(NAME)


# ----------------------------------------------------------------------------- registry.toml validation
GOOD = '''
[flux."X"]
path = "fluxes/x.dat"
sha256 = "6eeb7ec56449223daaa4ede943cfee780e320b35594fb3dea502973d792c4e99"
format = "table"
units = "nu/cm2/GeV/POT"
normalisation = 1.0
description = "a flux"
citation = "someone"
'''


def test_registry_file_parses_and_defaults():
    assert len(reg.registry()) > 40  # the shipped registry.toml is valid
    e = reg.parse_registry(GOOD)["flux/X"]
    assert e.columns == ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
    assert e.energy_grid == "points" and e.per_pot and not e.packaged and e.url is None
    assert isinstance(hash(e), int)


@pytest.mark.parametrize("change, needle", [
    ('colour = "red"', 'colour: unknown key'),
    ('normalisation = "1.0"', "normalisation: Input should be a valid number"),
    ('normalisation = -2.0', "normalisation: Value error, must be a finite positive number"),
    ('per_pot = "yes"', "per_pot: Input should be a valid boolean"),
    ('energy_grid = "middles"', "energy_grid: Input should be 'points', 'centres' or 'per-bin'"),
    ('mode = "fhc"', "mode: Input should be 'FHC' or 'RHC'"),
    ('columns = "nu_mu"', "columns: Input should be a valid list"),
    ('url = "ftp://x"', "url: String should match pattern"),
    ('sha256 = "6EEB7EC5"', "sha256: must be 64 lowercase hexadecimal digits"),
    ('path = "../x.dat"', "path: Value error, must be a relative path"),
])
def test_registry_defects_are_one_clear_error(change, needle):
    key = change.split(" =")[0]
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(f"{key} =")) + "\n" + change + "\n"
    with pytest.raises(DataError) as exc:
        reg.parse_registry(text, "my.toml")
    msg = str(exc.value)
    assert msg.startswith('my.toml: [flux."X"] ') and needle in msg and "\n" not in msg, msg


def test_registry_structure_errors():
    with pytest.raises(DataError, match=r"unknown kind of data file \[fluxes\]"):
        reg.parse_registry(GOOD.replace('[flux."X"]', '[fluxes."X"]'))
    with pytest.raises(DataError, match="not valid TOML"):
        reg.parse_registry(GOOD + "\n[flux.\n")
    with pytest.raises(DataError, match=r'\[flux."X"\] citation: Field required'):
        reg.parse_registry(GOOD.replace('citation = "someone"', ""))
