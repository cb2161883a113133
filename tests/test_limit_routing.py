"""``darkbeam limit`` routes each kind of catalog entry: meson-decay searches to analysis.meson_limits
(tests/test_meson_limits.py), electron beam dumps to analysis.beam_dump (tests/test_beam_dump.py checks
the band), and refuses measurements with one line."""

import json

import pytest

from darkbeam.analysis.beam_dump import search_limit
from darkbeam.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_e137_limit_json_is_the_beam_dump_band(capsys):
    code, out, err = run(capsys, "limit", "e137_dark_photon", "--masses", "0.05", "--seed", "3", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert (d["search"], d["parameter"], d["masses_GeV"], d["cl"]) == ("e137_dark_photon", "epsilon", [0.05], 0.95)
    ref = search_limit("e137_dark_photon", [0.05], seed=3)["rows"][0]  # the same computation, same seed
    assert d["limit"] == [ref["eps_lower"]] and d["limit_upper"] == [ref["eps_upper"]]
    assert d["limit"][0] < d["limit_upper"][0]


@pytest.mark.parametrize("argv, message", [
    (["limit", "ccfr_trident", "--masses", "0.1"], "is a measurement of a Standard-Model rate"),
    (["limit", "e137_dark_photon", "--masses", "0.05", "--set", "mzprime=0.1"], "--set does not apply"),
    (["limit", "e137_dark_photon", "--masses", "0.05", "-n", "100"], "--events does not apply"),
    (["limit", "e137_dark_photon", "--masses", "0.05", "--workers", "2"], "--workers does not apply"),
    (["limit", "e137_dark_photon", "--masses", "0.05", "--flavour", "e"], "--flavour does not apply"),
])
def test_refusals_are_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1
