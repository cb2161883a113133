"""Option spellings shared across commands (docs/cli.md "Conventions"): the --parent/-P alias of
``parents --species`` and the repeatable, comma- or space-separated ``shower --dark-masses``."""

import json

import pytest

from darkbeam.cli.main import main


def _json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_parents_accepts_parent_and_P_as_production_does(capsys):
    base = ("parents", "--beam", "bnb", "--stats", "16", "--json")
    ref = _json(capsys, *base, "--species", "pi+,K+")
    assert [r["species"] for r in ref["parents"]] == ["pi+", "K+"]
    for argv in (("--parent", "pi+,K+"), ("-P", "pi+", "-P", "K+"), ("-p", "pi+", "--parent", "K+")):
        assert _json(capsys, *base, *argv) == ref, argv
    # a bad value through the alias: one line naming the option, exit code 2
    assert main([*base, "--parent", "pi9"]) == 2
    assert "unknown value 'pi9'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ("--dark-masses", "0.01,0.03,0.1"),                                   # the old comma form
    ("--dark-masses", "0.01", "--dark-masses", "0.03", "--dark-masses", "0.1"),  # repeated
    ("--dark-masses", "0.01 0.03", "--dark-masses", "0.1"),               # space-separated in one value
    ("--dark-mass", "0.01", "--dark-masses", "0.03, 0.1"),
])
def test_shower_dark_masses_list_spellings(monkeypatch, capsys, argv):
    import darkbeam.analysis.beam_dump as bd

    seen = {}

    def fake_search_limit(search, masses, **kw):
        seen["masses"] = list(masses)
        return {"search": search, "masses": list(masses)}

    monkeypatch.setattr(bd, "search_limit", fake_search_limit)
    out = _json(capsys, "shower", "--search", "e137_dark_photon", *argv, "--json")
    assert seen["masses"] == [0.01, 0.03, 0.1]
    assert out["masses"] == [0.01, 0.03, 0.1]


@pytest.mark.parametrize("value", ["0.1,,0.3", "0.1 x", ""])
def test_shower_dark_masses_bad_values_one_line(capsys, value):
    assert main(["shower", "--search", "e137_dark_photon", "--dark-masses", value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--dark-masses" in err[0]
