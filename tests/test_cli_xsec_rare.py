"""``darkbeam xsec --process nu-e|cevns``: JSON shape (as for upscattering), values, one-line errors."""

from __future__ import annotations

import json

import pytest

from darkbeam.cli.main import main
from darkbeam.models import ModelParameters
from darkbeam.models.zprime_charges import zprime_mediator
from darkbeam.physics.cevns import CEvNSXsec
from darkbeam.physics.nu_electron import NuElectronXsec


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def as_json(capsys, *argv):
    code, out, err = run(capsys, "xsec", "--json", *argv)
    assert code == 0, err
    return json.loads(out)


def test_json_shape_matches_upscattering(capsys):
    up = as_json(capsys, "--energies", "1")
    for process, per in (("nu-e", "electron"), ("cevns", "nucleus")):
        d = as_json(capsys, "--process", process, "--energies", "0.03", "1")
        assert set(up) - {"couplings", "nuclear_ff", "nucleon_model"} <= set(d)
        assert d["unit"] == "cm2" and d["per"] == per and d["process"] == process
        assert d["energies_GeV"] == [0.03, 1.0] and len(d["sigma_cm2"]) == 2


def test_values_equal_the_library(capsys):
    d = as_json(capsys, "--process", "nu-e", "--projectile", "nu_e_bar", "--energies", "0.5", "2", "--target", "Ar40")
    assert d["sigma_cm2"] == pytest.approx(list(NuElectronXsec("nu_e_bar").sigma([0.5, 2.0])), rel=1e-14, abs=0)
    assert d["electrons_per_atom"] == 18
    sets = "mzprime=0.01,zprime_charge=B-L,gX=1e-4"
    d = as_json(capsys, "--process", "cevns", "--target", "Ar40", "--set", sets, "--energies", "0.03")
    med = zprime_mediator(ModelParameters.from_dict({"mzprime": 0.01, "zprime_charge": "B-L", "gX": 1e-4}))
    assert d["sigma_cm2"][0] == pytest.approx(CEvNSXsec("Ar40", mediator=med).sigma(0.03), rel=1e-14, abs=0)
    assert d["mediator"] == "Z' (B-L)" and d["nuclear_ff"] == "helm"


def test_table_output(capsys):
    code, out, err = run(capsys, "xsec", "--process", "cevns", "--energies", "0.03")
    assert code == 0 and "Cs133" in out and "Q_W = 75.4854" in out and "sigma per nucleus" in out


@pytest.mark.parametrize("argv, needle", [
    (("--process", "nu-x", "-E", "1"), "unknown process 'nu-x'"),
    (("--process", "nu-x"), "unknown process 'nu-x'"),  # the process is checked before the energies
    (("--process", "trident", "-E", "1"), "trident needs --channel"),
    (("--process", "nu-e", "-E", "0"), "at or below the threshold"),
    (("--process", "nu-e", "-E", "-2"), "at or below the threshold"),
    (("--process", "cevns", "--target", "Xx12", "-E", "1"), "not an element symbol"),
    (("--process", "cevns", "--target", "H1", "-E", "1"), "A > 1"),
    (("--process", "cevns", "--projectile", "nu_x", "-E", "1"), "unknown projectile 'nu_x'"),
    (("--process", "cevns", "--form-factor", "gauss", "-E", "1"), "unknown CEvNS form factor"),
    (("--process", "nu-e", "--form-factor", "helm", "-E", "1"), "--form-factor applies to"),
    (("--process", "nu-e", "--regime", "coherent", "-E", "1"), "--regime applies to --process upscattering only"),
    (("--process", "nu-e", "--couplings", "darknews", "-E", "1"), "--couplings applies to"),
    (("--process", "nu-e", "--magnetic-moment", "1e-10", "-E", "1"), "needs a recoil threshold"),
    (("--process", "nu-e", "--recoil-min", "2", "--recoil-max", "1", "-E", "1"), "recoil window"),
    (("--process", "nu-e", "--set", "zprime_charge=Le-Lmu", "-E", "1"), "needs mzprime"),
    (("--sw2", "0.23", "-E", "1"), "--sw2 applies to --process nu-e and cevns only"),
    (("--process", "cevns", "--set", "gphi_nu=1e-5", "-E", "1"), "gphi_* need mphi"),
    (("--process", "nu-e", "--set", "gV_e=1e-5", "-E", "1"), "gV_* of the Z' need mzprime"),
])
def test_bad_input_one_line(capsys, argv, needle):
    code, out, err = run(capsys, "xsec", *argv)
    assert code == 2, err
    assert needle in err and err.count("\n") == 1 and err.startswith("darkbeam: error:")
    assert out == ""


def test_xsec_process_list_is_the_rare_modules():
    """cli/xsec.py refuses a bad --process from its own list: the same as cli/_xsec_rare.py's."""
    from darkbeam.cli._xsec_rare import ALL_PROCESSES
    from darkbeam.cli.xsec import _PROCESSES

    assert _PROCESSES == ALL_PROCESSES
