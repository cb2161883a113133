"""``darkbeam xsec --process trident``: the command passes the channel, regime, target and the model's
Z' to physics.trident.trident_xsec (whose physics tests/test_trident.py checks) and prints its numbers;
bad input is one line.  The cross section itself is replaced by a recorder here, because the first
real call builds a 17 s table."""

import json

import numpy as np
import pytest

from darkbeam.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def recorder(monkeypatch):
    import darkbeam.physics.trident as trident

    calls = []

    def fake(E, **kw):
        calls.append(kw)
        return 1e-42 * np.asarray(E, dtype=float)  # distinct numbers per energy

    monkeypatch.setattr(trident, "trident_xsec", fake)
    return calls


def test_sm_channel_json(capsys, recorder):
    code, out, err = run(capsys, "xsec", "--process", "trident", "--channel", "nu_e -> nu_e e+ e-", "-E", "2", "10",
                         "--regime", "diffractive", "--target", "C12", "--json")
    assert code == 0 and err == ""
    d = json.loads(out)
    assert (d["channel"], d["regime"], d["target"], d["per"], d["mediator"]) == ("nu_e -> nu_e e+ e-", "diffractive", "C12", "nucleus", None)
    assert d["energies_GeV"] == [2.0, 10.0] and d["sigma_cm2"] == [2e-42, 1e-41]
    (kw,) = recorder
    assert kw["channel"] == "nu_e -> nu_e e+ e-" and kw["regime"] == "diffractive" and kw["zprime"] is None


def test_lmu_ltau_zprime_couplings_reach_the_cross_section(capsys, recorder):
    code, out, _ = run(capsys, "xsec", "--process", "trident", "--channel", "nu_mu -> nu_mu mu+ mu-", "-E", "5",
                       "--set", "zprime_charge=Lmu-Ltau", "--set", "mzprime=0.1", "--set", "gX=2e-3", "--json")
    assert code == 0
    zp = recorder[0]["zprime"]
    # L_mu - L_tau charges: nu_mu and mu both +1 (1406.2332)
    assert (zp.g_nu, zp.g_l, zp.mass) == (2e-3, 2e-3, 0.1)
    assert "Lmu-Ltau" in json.loads(out)["mediator"]


@pytest.mark.parametrize("argv, message", [
    (["-E", "5"], "needs --channel"),
    (["--channel", "nu_mu -> nu_mu tau+ tau-", "-E", "5"], "channel"),
    (["--channel", "nu_mu -> nu_mu mu+ mu-", "-p", "nu_e", "-E", "5"], "contradicts the channel"),
    (["--channel", "nu_mu -> nu_mu mu+ mu-", "-E", "5", "--set", "mzprime=0.1"], "not 'dark'"),
    (["--channel", "nu_mu -> nu_mu mu+ mu-", "-E", "5", "--helicity", "flipping"], "does not apply to --process trident"),
    (["--channel", "nu_mu -> nu_mu mu+ mu-", "-E", "5", "--recoil-min", "0.1"], "apply to --process nu-e and cevns only"),
])
def test_bad_input_is_one_line(capsys, recorder, argv, message):
    code, out, err = run(capsys, "xsec", "--process", "trident", *argv)
    assert code != 0 and out == "" and message in err and len(err.strip().splitlines()) == 1
    assert recorder == []


def test_channel_only_with_trident(capsys):
    code, _, err = run(capsys, "xsec", "-E", "1", "--channel", "nu_mu -> nu_mu mu+ mu-")
    assert code != 0 and "--channel applies to --process trident only" in err
