"""The searches catalog (published analyses as data) and ``darkbeam searches``.

References are independent of the loader: the numbers the papers' abstracts state, and the TOML files
read with tomllib."""

import json
import tomllib

import numpy as np
import pytest

from darkbeam.analysis.searches import list_searches, load_search, published_curve
from darkbeam.analysis.searches.catalog import _entries_dir
from darkbeam.cli.main import main
from darkbeam.errors import ConfigurationError

REQUIRED = ("t2k_nd280_hnl", "ps191_hnl", "microboone_kdar_scalar", "microboone_bnb_mupi")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def raw(key):
    return tomllib.loads(_entries_dir().joinpath(f"{key}.toml").read_text())


def test_catalog_has_the_issue_keys_and_every_entry_loads():
    keys = list_searches()
    for k in REQUIRED:
        assert k in keys
    for k in keys:
        s = load_search(k)
        assert s.spec.citations
        if s.spec.kind == "measurement":  # a measured SM rate (tests/test_rare_limits.py): no exposure or channels
            assert s.spec.measurement is not None and s.spec.caveats
            continue
        assert s.spec.exposure and s.spec.channels
        if s.spec.kind == "search":
            assert s.spec.caveats, f"{k}: a transcribed search says what was not verified"


def test_abstract_numbers_microboone_kdar_scalar():
    # arXiv:2106.00568 abstract: 1.93e20 POT, one candidate, background 1.9 +- 0.8, 95% CL
    r = load_search("microboone_kdar_scalar").spec
    assert r.exposure[0].pot == 1.93e20 and r.parent_mode == "at-rest" and r.parents == ("K+",)
    assert (r.result.observed, r.result.background, r.result.background_error, r.result.cl) == (1, 1.9, 0.8, 0.95)


def test_microboone_kdar_scalar_curve_matches_the_abstract():
    # arXiv:2106.00568 abstract: theta < (3.3-4.6)e-4 at 95% CL for m_S = 100-200 MeV (two digits: 5 %); the curve is
    # FORESEE's digitization (which names neither paper nor CL), so the abstract is the independent check
    c = published_curve("microboone_kdar_scalar", "theta")
    assert c.cl == 0.95 and "FORESEE" in c.source and any("867cd6be" in h for h in c.header)
    inside = c.at(np.linspace(0.1, 0.2, 21))
    assert inside.max() == pytest.approx(4.6e-4, rel=0.05, abs=0)   # at 100 MeV (4.67e-4)
    assert inside.min() == pytest.approx(3.3e-4, rel=0.05, abs=0)   # near 200 MeV (3.27e-4)
    assert np.all(np.diff(c.at([0.01, 0.03, 0.06, 0.1])) < 0)      # weaker at low mass (longer-lived scalars)


def test_microboone_mupi_curve_matches_the_abstract():
    # arXiv:1911.10545 abstract: Majorana |U_mu4|^2 < (4.7 - 0.7)e-7 for 260 - 385 MeV (two digits: 10 %)
    c = published_curve("microboone_bnb_mupi", "|U_mu4|^2")
    assert c.hnl_type == "majorana" and c.cl == 0.9
    assert c.values[np.argmin(c.masses_GeV)] == pytest.approx(4.7e-7, rel=0.1, abs=0)
    assert c.values[np.argmax(c.masses_GeV)] == pytest.approx(0.7e-7, rel=0.1, abs=0)
    assert c.masses_GeV.min() == pytest.approx(0.26, rel=0.01, abs=0)
    assert c.masses_GeV.max() == pytest.approx(0.385, rel=0.01, abs=0)


def test_t2k_ue4_curve_matches_the_abstract():
    # arXiv:1902.07598 abstract: U_e^2 < 1e-9 at 90% CL for 390 MeV ("e.g."): the curve there within a factor 2
    c = published_curve("t2k_nd280_hnl", "|U_e4|^2")
    v = float(c.at([0.39])[0])
    assert 0.5e-9 < v < 2e-9


def test_curve_interpolation_is_log_log_and_nan_outside():
    c = published_curve("t2k_nd280_hnl", "|U_mu4|^2")
    m0, m1 = c.masses_GeV[3], c.masses_GeV[4]
    mid = np.sqrt(m0 * m1)
    expect = np.sqrt(c.values[3] * c.values[4])  # log-log midpoint of a straight segment
    assert c.at([mid])[0] == pytest.approx(expect, rel=1e-12, abs=0)
    assert np.isnan(c.at([1e-3, 10.0])).all()


def test_recast_curve_is_found_through_the_search():
    c = published_curve("microboone_kdar_scalar", "|U_mu4|^2")
    assert "Kelly" in c.source and c.masses_GeV.min() < 0.03 < 0.15 < c.masses_GeV.max()


def test_unknown_parameter_names_what_there_is():
    with pytest.raises(ConfigurationError, match=r"no published curve of theta \(it has: \|U_e4\|\^2, \|U_mu4\|\^2\)"):
        published_curve("t2k_nd280_hnl", "theta")


def test_cli_list_json(capsys):
    code, out, err = run(capsys, "searches", "--json")
    assert code == 0 and err == ""
    rows = {r["key"]: r for r in json.loads(out)["searches"]}
    assert sorted(rows) == list_searches()
    for k, r in rows.items():
        t = raw(k)
        assert r["name"] == t["name"] and r["citations"] == t["citations"]
        assert [e["pot"] for e in r["exposure"]] == [float(e["pot"]) if "pot" in e else None for e in t.get("exposure", [])]


def test_cli_list_table_and_show(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(capsys, "searches")
    assert code == 0 and all(k in out for k in REQUIRED) and "arXiv:1902.07598" in out
    code, out_list, _ = run(capsys, "searches", "list")
    assert code == 0 and out_list == out
    code, out_json, _ = run(capsys, "searches", "list", "--json")
    assert code == 0 and [r["key"] for r in json.loads(out_json)["searches"]] == list_searches()
    code, out, _ = run(capsys, "searches", "show", "t2k_nd280_hnl")
    assert code == 0 and "1.234e+21 POT at nd280_fhc" in out
    assert "N -> nu l+ l-" in out and "caveats:" in out
    code, out, _ = run(capsys, "searches", "show", "microboone_kdar_scalar", "--json")
    d = json.loads(out)
    assert d["recast"]["to"] == "hnl" and d["selection"]["cuts"]["min_opening_angle_deg"] == 10.0


GOOD = raw("ps191_hnl")


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.update(particl="hnl"), r"unknown key 'particl' \(did you mean 'particle'\?"),
    (lambda t: t["result"].update(cl=1.5), r"result\]?\.cl: must be in \(0, 1\), got 1.5"),
    (lambda t: t["exposure"][0].update(pot=-1), r"pot: must be positive"),
    (lambda t: t["exposure"][0].update(experiment="ps19"), r"unknown experiment 'ps19' \(did you mean 'ps191'\?"),
    (lambda t: t.update(masses_GeV=[0.4, 0.1]), r"min < max"),
    (lambda t: t.update(flavours=[]), r"names the mixing flavours"),
    (lambda t: t["result"].update(observed=-2), r"non-negative number of events"),
])
def test_bad_user_file_is_one_line(tmp_path, capsys, edit, message):
    import copy

    t = copy.deepcopy(GOOD)
    edit(t)
    p = tmp_path / "my_search.toml"
    p.write_text(_dump(t))
    code, out, err = run(capsys, "searches", "show", str(p))
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    import re

    assert re.search(message, err), err


def test_unknown_key_and_malformed_toml(tmp_path, capsys):
    code, _, err = run(capsys, "searches", "show", "t2k_nd28_hnl")
    assert code != 0 and "did you mean 't2k_nd280_hnl'" in err
    p = tmp_path / "bad.toml"
    p.write_text("name = [")
    code, _, err = run(capsys, "searches", "show", str(p))
    assert code != 0 and "not valid TOML" in err and len(err.strip().splitlines()) == 1


def _dump(obj, prefix=""):
    """A minimal TOML writer for the test's edited tables (tomllib has no writer)."""
    lines, tables = [], []
    for k, v in obj.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            tables.append((k, v))
        else:
            lines.append(f"{k} = {json.dumps(v)}")
    for k, v in tables:
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            lines.append(f"[{name}]")
            lines.append(_dump(v, name + "."))
        else:
            for item in v:
                lines.append(f"[[{name}]]")
                lines.append(_dump(item, name + "."))
    return "\n".join(lines)
