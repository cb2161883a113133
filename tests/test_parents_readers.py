"""Parent readers (dk2nu / g4numi ROOT ntuples, text tables) and the ``darkbeam parents`` command."""

from __future__ import annotations

import json

import numpy as np
import pytest

from darkbeam.cli.main import main
from darkbeam.errors import ConfigurationError, DataError
from darkbeam.sources.parents import parent_sample, read_dk2nu, read_parent_table, write_parent_table

M_PI, M_K = 0.13957039, 0.493677


def _write_root(path, branches, pots=None, tree="dk2nuTree"):
    import uproot

    with uproot.recreate(path) as f:
        f[tree] = branches
        if pots is not None:
            f["dkmetaTree"] = {"pots": np.asarray(pots, dtype=np.float64)}


def _dk2nu_branches(prefix="decay.", codes=(211, 211, 321, -211, 130)):
    n = len(codes)
    names = ("vx", "vy", "vz", "pdpx", "pdpy", "pdpz", "nimpwt")
    vals = (np.arange(n, dtype=float), np.zeros(n), 100.0 * np.arange(1, n + 1), np.full(n, 0.1), np.zeros(n),
            np.arange(1, n + 1, dtype=float), np.array([1.0, 2.0, 1.0, 1.0, 3.0])[:n])
    out = {prefix + "ptype": np.asarray(codes, dtype=np.int32)}
    out.update({prefix + k: v for k, v in zip(names, vals)})
    return out


def test_dk2nu_reader_weights_pot_and_kinematics(tmp_path):
    p = tmp_path / "flux.dk2nu.root"
    _write_root(p, _dk2nu_branches(), pots=[40.0, 60.0])
    s = read_dk2nu(p)
    assert set(s) == {"pi+", "pi-", "K+", "K0_L"}
    assert s["pi+"].decays_per_pot == pytest.approx(3.0 / 100.0, rel=1e-12, abs=0)
    # kaons: only the neutrino-producing decays are in the file; all decays = entries / BR(nu) (PDG 2024)
    assert s["K+"].decays_per_pot == pytest.approx(1.0 / 100.0 / (0.6356 + 0.0507 + 0.03352), rel=2e-3, abs=0)
    assert s["K0_L"].decays_per_pot == pytest.approx(3.0 / 100.0 / (0.4055 + 0.2704), rel=2e-3, abs=0)
    raw = read_dk2nu(p, all_decays=False)
    assert raw["K+"].decays_per_pot == pytest.approx(0.01, rel=1e-12, abs=0)
    k = s["K+"]
    np.testing.assert_allclose(k.p4[0], [np.sqrt(0.1**2 + 9.0 + M_K**2), 0.1, 0.0, 3.0], rtol=1e-12, atol=0)
    np.testing.assert_allclose(k.position[0], [2.0, 0.0, 300.0], rtol=1e-12, atol=0)
    # POT argument overrides the metadata; species filter
    only = read_dk2nu(p, ["pi-"], pot=10.0, beam="bnb")
    assert set(only) == {"pi-"} and only["pi-"].decays_per_pot == pytest.approx(0.1, rel=1e-12, abs=0)
    assert only["pi-"].beam == "bnb"


def test_dk2nu_times_from_the_ancestor_list(tmp_path):
    import awkward as ak

    p = tmp_path / "timed.root"
    b = _dk2nu_branches(codes=(211, 321))
    b["ancestor.startt"] = ak.Array([[0.0, 40.0, 75.5], [0.0, 120.25]])
    _write_root(p, b, pots=[10.0])
    s = read_dk2nu(p)
    assert s["pi+"].time[0] == 75.5 and s["K+"].time[0] == 120.25
    plain = tmp_path / "plain.root"
    _write_root(plain, _dk2nu_branches(codes=(211, 321)), pots=[10.0])
    np.testing.assert_allclose(read_dk2nu(plain)["pi+"].time, [np.hypot(0.0, 100.0) / 29.9792458], rtol=1e-12, atol=0)


def test_g4numi_flat_names_and_geant3_codes(tmp_path):
    p = tmp_path / "g4numi.root"
    b = _dk2nu_branches(prefix="", codes=(8, 8, 11, 9, 10))
    b = {{"vx": "Vx", "vy": "Vy", "vz": "Vz", "pdpx": "pdPx", "pdpy": "pdPy", "pdpz": "pdPz", "nimpwt": "Nimpwt"}.get(k, k): v
         for k, v in b.items()}
    _write_root(p, b, tree="nudata")
    with pytest.raises(DataError, match="POT"):
        read_dk2nu(p)
    s = read_dk2nu(p, pot=100.0)
    assert set(s) == {"pi+", "pi-", "K+", "K0_L"}
    assert s["pi+"].decays_per_pot == pytest.approx(0.03, rel=1e-12, abs=0)
    m2 = s["pi+"].p4[:, 0] ** 2 - np.sum(s["pi+"].p4[:, 1:] ** 2, axis=1)
    np.testing.assert_allclose(m2, M_PI**2, rtol=1e-9, atol=0)


def test_dk2nu_malformed(tmp_path):
    p = tmp_path / "bad.root"
    b = _dk2nu_branches()
    del b["decay.nimpwt"]
    _write_root(p, b, pots=[1.0])
    with pytest.raises(DataError, match="nimpwt"):
        read_dk2nu(p)
    q = tmp_path / "notroot.root"
    q.write_text("hello")
    with pytest.raises(DataError, match="not a readable ROOT file"):
        read_dk2nu(q)
    with pytest.raises(DataError, match="no such"):
        read_dk2nu(tmp_path / "missing.root")
    r = tmp_path / "other.root"
    _write_root(r, {"x": np.zeros(2)}, tree="something")
    with pytest.raises(DataError, match="no flux tree"):
        read_dk2nu(r)
    with pytest.raises(ConfigurationError, match="unknown dk2nu parent"):
        _write_root(p, _dk2nu_branches(), pots=[1.0])
        read_dk2nu(p, ["D+"])


def test_table_round_trip(tmp_path):
    samples = {s: parent_sample("bnb", s, n=64, seed=2) for s in ("pi+", "K+")}
    samples["K+rest"] = parent_sample("bnb", "K+", n=64, seed=2, mode="at-rest", site="walls")
    path = tmp_path / "parents.csv"
    write_parent_table([samples["pi+"], samples["K+"]], path)
    back = read_parent_table(path)
    assert set(back) == {"pi+", "K+"}
    for sp in ("pi+", "K+"):
        a, b = samples[sp], back[sp]
        np.testing.assert_allclose(b.p4, a.p4, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(b.position, a.position)
        np.testing.assert_array_equal(b.weight, a.weight)
        assert b.beam == "bnb"
    path2 = tmp_path / "rest.txt"
    write_parent_table({"K+": samples["K+rest"]}, path2)
    r = read_parent_table(path2)["K+"]
    assert np.all(r.p4[:, 1:] == 0) and np.allclose(r.p4[:, 0], M_K, rtol=1e-12, atol=0)


@pytest.mark.parametrize("text,match", [
    ("species,px,py,pz,x,y,z,t\npi+,0,0,1,0,0,0,0\n", "lacks column"),
    ("species,px,py,pz,x,y,z,t,weight\nXi+,0,0,1,0,0,0,0,1e-3\n", "unknown species"),
    ("species,px,py,pz,x,y,z,t,weight\npi+,0,0,abc,0,0,0,0,1e-3\n", "not a number"),
    ("species,px,py,pz,x,y,z,t,weight\npi+,0,0,1,0,0,0,0,-1e-3\n", "negative weight"),
    ("species,px,py,pz,x,y,z,t,weight\npi+,0,0,1,0,0,0,0\n", "fields"),
    ("species,px,py,pz,x,y,z,t,weight\npi+,0,0,1,0,0,0,nan,1\n", "non-finite"),
    ("# only a comment\n", "no parent entries"),
])
def test_table_malformed_one_line(tmp_path, text, match):
    p = tmp_path / "t.csv"
    p.write_text(text)
    with pytest.raises(DataError, match=match) as err:
        read_parent_table(p)
    assert "\n" not in str(err.value)


def test_table_whitespace_and_header_metadata(tmp_path):
    p = tmp_path / "t.dat"
    p.write_text("# beam: numi\n# origin: my run\nweight species px py pz x y z t\n2e-4 K+ 0 0 0 1 2 72300 5000\n")
    s = read_parent_table(p)["K+"]
    assert s.beam == "numi" and s.origin == "my run" and s.decays_per_pot == pytest.approx(2e-4, rel=1e-12, abs=0)


def test_cli_parents_json_and_bad_input(tmp_path, capsys):
    assert main(["parents", "--beam", "bnb", "--species", "pi+,K+", "--stats", "64", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["species"] for r in out["parents"]] == ["pi+", "K+"]
    ref = parent_sample("bnb", "K+", n=64)
    assert out["parents"][1]["decays_per_pot"] == pytest.approx(ref.decays_per_pot, rel=1e-12, abs=0)
    assert main(["parents", "--beam", "bnb", "--mode", "at-rest", "--stats", "64", "--json"]) == 0
    rest = json.loads(capsys.readouterr().out)
    assert {r["species"] for r in rest["parents"]} == {"pi+", "K+"} and all(r["mean_p_GeV"] == 0 for r in rest["parents"])
    table = tmp_path / "p.csv"
    write_parent_table([ref], table)
    assert main(["parents", "--file", str(table), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["parents"][0]["decays_per_pot"] == pytest.approx(ref.decays_per_pot,
                                                                                               rel=1e-12, abs=0)
    bad = tmp_path / "bad.csv"
    bad.write_text("nonsense\n")
    for argv in (["parents", "--beam", "nobeam"], ["parents", "--beam", "bnb", "--mode", "sideways"],
                 ["parents", "--beam", "bnb", "--species", "Xi0"], ["parents", "--file", str(bad)],
                 ["parents"], ["parents", "--beam", "bnb", "--mode", "at-rest", "--species", "pi-"]):
        assert main(argv) != 0
        err = capsys.readouterr().err.strip()
        assert err.startswith("darkbeam: error:") and "\n" not in err, argv


def test_parents_help_starts_without_heavy_libraries():
    """``darkbeam parents --help`` imports neither numpy nor the physics (docs/startup.md)."""
    import os
    import subprocess
    import sys

    code = ("import sys, runpy; sys.argv = ['darkbeam', 'parents', '--help']\n"
            "try:\n    runpy.run_module('darkbeam', run_name='__main__', alter_sys=True)\n"
            "except SystemExit:\n    pass\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'scipy', 'uproot', 'rich')\n"
            "               or m.startswith('darkbeam.sources.beam') or m.startswith('darkbeam.physics'))\n"
            "print('HEAVY', heavy)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert "--stopped-per-pot" in r.stdout
    assert "HEAVY []" in r.stdout, r.stdout[-500:]
