"""``darkbeam production``: JSON shape, the table, and one-line errors for bad input."""

from __future__ import annotations

import json

import pytest

from darkbeam.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_lists_every_open_channel(capsys):
    code, out, err = run(capsys, "production", "--set", "m4=0.2", "--set", "Umu4=1e-3", "--json")
    assert code == 0, err
    data = json.loads(out)
    names = [c["channel"] for c in data["channels"]]
    assert "K+ -> mu+ N4" in names and "K- -> mu- N4_bar" in names and "K0_L -> pi- mu+ N4" in names
    first = data["channels"][0]
    assert set(first) == {"parent", "channel", "llp", "br", "width_GeV", "scaling", "source"}
    kmu = next(c for c in data["channels"] if c["channel"] == "K+ -> mu+ N4")
    assert kmu["parent"] == "K+" and kmu["scaling"] == {"Umu4": 2} and "Shrock" in kmu["source"]
    # Br(K+ -> mu+ N) / |U|^2 at m_N = 0.2 GeV: the Shrock factor times the SM K_mu2 rate (order 1)
    assert 1.0 < kmu["br"] / 1e-6 < 4.0


def test_parent_filter_and_table(capsys):
    code, out, _ = run(capsys, "production", "--set", "m4=0.2", "--set", "Umu4=1e-3", "--parent", "K0_L", "--json")
    assert code == 0
    assert {c["parent"] for c in json.loads(out)["channels"]} == {"K0_L"}
    code, out, _ = run(capsys, "production", "--set", "m4=0.2", "--set", "Umu4=1e-3", "--parent", "K+")
    assert code == 0 and "K+ -> mu+ N4" in out and "K0_L" not in out


def test_no_open_channel_is_an_empty_list(capsys):
    code, out, _ = run(capsys, "production", "--set", "m4=2.5", "--set", "Umu4=1e-3", "--parent", "pi+", "--json")
    assert code == 0 and json.loads(out) == {"channels": [], "other_sources": []}


@pytest.mark.parametrize("argv, needle", [
    (("production", "--parent", "Lambda0"), "unknown value 'Lambda0'"),
    (("production", "--set", "m4=0.2", "--set", "Umu4=3"), "|U| <= 1"),
])
def test_bad_input_one_line(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code != 0 and needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_model_without_new_particles(capsys, tmp_path):
    f = tmp_path / "empty.toml"
    f.write_text('name = "no new particles"\n')
    code, out, err = run(capsys, "production", "--model", str(f))
    assert code != 0 and "no new particle" in err and len(err.strip().splitlines()) == 1


def test_cli_parent_choices_are_the_physics_parents():
    from darkbeam.cli.production import PARENT_CHOICES
    from darkbeam.physics.production import PARENTS

    assert PARENT_CHOICES == PARENTS + ("p",)  # p: proton bremsstrahlung, a source that is not a decay


def test_bremsstrahlung_is_listed_as_a_source_beside_the_decays(capsys):
    """A kinetically mixed Z' is also made by proton bremsstrahlung: not a branching ratio, so it is
    listed under other_sources, with its per-POT yield when a beam is given: exactly epsilon^2 times
    the epsilon = 1 yield of the source (Bluemlein-Brunner, sources/parents/bremsstrahlung.py)."""
    from darkbeam.sources.parents.bremsstrahlung import dark_photon_yield

    argv = ("production", "--set", "mzprime=0.05", "--set", "epsilon=1e-4", "--json")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    (o,) = json.loads(out)["other_sources"]
    assert o["parent"] == "p" and o["llp"] == "zprime" and o["scaling"] == {"epsilon": 2}
    assert o["per_pot"] is None and "--beam" in o["note"]
    code, out, err = run(capsys, *argv, "--beam", "numi", "--parent", "p")
    assert code == 0, err
    d = json.loads(out)
    assert d["channels"] == []
    assert d["other_sources"][0]["per_pot"] == pytest.approx(1e-8 * dark_photon_yield("numi", 0.05), rel=1e-12, abs=0)
    # outside the splitting function's validity (8.9 GeV BNB protons): no number, the reason instead
    code, out, err = run(capsys, *argv, "--beam", "bnb")
    o = json.loads(out)["other_sources"][0]
    assert code == 0 and o["per_pot"] is None and "validity" in o["note"]
    # an unknown beam is one line
    code, out, err = run(capsys, *argv, "--beam", "nobeam")
    assert code == 2 and "unknown value 'nobeam'" in err and len(err.strip().splitlines()) == 1
