"""``darkbeam xsec``: output formats, per-nucleus sums and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from darkbeam.cli.main import main
from darkbeam.models import ModelParameters, default_model
from darkbeam.physics.xsec import ProcessCase, UpscatteringXsec


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def sigma_json(capsys, *argv):
    code, out, err = run(capsys, "xsec", "--json", *argv)
    assert code == 0, err
    return json.loads(out)


def test_issue_example_table_and_json(capsys):
    argv = ["--set", "m4=0.15", "--target", "Ar40", "--regime", "coherent", "--helicity", "conserving", "--projectile", "nu_mu_bar",
            "--energies", "0.5", "1", "2"]
    code, out, err = run(capsys, "xsec", *argv)
    assert code == 0, err
    assert "nu_mu_bar Ar40 -> N4 Ar40" in out and "threshold" in out
    d = sigma_json(capsys, *argv)
    assert list(d) == ["unit", "per", "couplings", "nuclear_ff", "nucleon_model", "energies_GeV", "sigma_cm2"]
    assert d["unit"] == "cm2" and d["per"] == "nucleus" and d["energies_GeV"] == [0.5, 1.0, 2.0]
    assert (d["couplings"], d["nuclear_ff"], d["nucleon_model"]) == ("darkbeam", "default", "fermi-gas")
    params = default_model().replace(m4=0.15)
    ref = UpscatteringXsec(ProcessCase("nu_mu_bar", 4, "Ar40", "coherent", "conserving"), params).sigma([0.5, 1.0, 2.0])
    np.testing.assert_allclose(d["sigma_cm2"], ref, rtol=1e-12)
    assert all(s > 0 for s in d["sigma_cm2"])


def test_per_nucleus_sums(capsys):
    """Free bound nucleons: p-el on Ar40 is 18 x p-el on H1; Pauli blocking lowers it; electrons: 6 x one electron."""
    E = ["--energies", "0.7", "3"]
    h1 = sigma_json(capsys, "--target", "H1", "--regime", "p-el", *E)["sigma_cm2"]
    h1_free = sigma_json(capsys, "--target", "H1", "--regime", "p-el", "--nucleon-model", "free", *E)["sigma_cm2"]
    assert h1 == h1_free  # the free proton is never blocked
    ar = sigma_json(capsys, "--target", "Ar40", "--regime", "p-el", "--nucleon-model", "free", *E)["sigma_cm2"]
    np.testing.assert_allclose(ar, 18 * np.array(h1), rtol=1e-12)
    ar_fg = sigma_json(capsys, "--target", "Ar40", "--regime", "p-el", *E)
    assert ar_fg["nucleon_model"] == "fermi-gas"
    assert all(0.5 * a < b < a for a, b in zip(ar, ar_fg["sigma_cm2"]))
    args = ["--set", "m4=0.01", "--set", "mu_tr_mu4=1e-6", "--regime", "electron", "--energies", "2", "5"]
    e_c = sigma_json(capsys, "--target", "C12", *args)["sigma_cm2"]
    e_h = sigma_json(capsys, "--target", "H1", *args)["sigma_cm2"]
    np.testing.assert_allclose(e_c, 6 * np.array(e_h), rtol=1e-12)


def test_couplings_darknews(capsys):
    """--couplings darknews = DarkNews's couplings and SCHEME_XSEC_OPTIONS['darknews'], as in generate."""
    from darkbeam.models.couplings import darknews_couplings
    from darkbeam.processes.generator import SCHEME_XSEC_OPTIONS

    params = default_model().replace(m4=0.1, mzprime=0.03)
    sets = ["--set", "m4=0.1", "--set", "mzprime=0.03", "--energies", "0.5", "2"]
    for regime, target in (("coherent", "C12"), ("p-el", "Ar40")):
        argv = ["--target", target, "--regime", regime, "--helicity", "both", *sets]
        dn = sigma_json(capsys, "--couplings", "darknews", *argv)
        db = sigma_json(capsys, *argv)
        assert dn["couplings"] == "darknews" and dn["nuclear_ff"] == "fourier-bessel" and dn["nucleon_model"] == "free"
        case = ProcessCase("nu_mu", 4, target, regime, "both")
        ref = UpscatteringXsec(case, darknews_couplings(params), **SCHEME_XSEC_OPTIONS["darknews"]).sigma([0.5, 2.0])
        np.testing.assert_allclose(dn["sigma_cm2"], ref, rtol=1e-12)
        assert not np.allclose(dn["sigma_cm2"], db["sigma_cm2"], rtol=1e-3, atol=0)
    # an explicit option wins over the scheme's
    d = sigma_json(capsys, "--couplings", "darknews", "--nucleon-model", "fermi-gas", "--target", "Ar40", "--regime", "p-el", *sets)
    ref = UpscatteringXsec(ProcessCase("nu_mu", 4, "Ar40", "p-el"), darknews_couplings(params),
                           **{**SCHEME_XSEC_OPTIONS["darknews"], "nucleon_model": "fermi-gas"}).sigma([0.5, 2.0])
    np.testing.assert_allclose(d["sigma_cm2"], ref, rtol=1e-12)
    code, out, err = run(capsys, "xsec", "--couplings", "darknews", "--target", "Ar40", "--regime", "p-el", *sets)
    assert code == 0 and "couplings: darknews, bound nucleons: free" in out


def test_below_threshold_is_zero(capsys):
    d = sigma_json(capsys, "--set", "m4=0.4", "--target", "C12", "--energies", "0", "0.3", "0.41", "1")
    assert d["sigma_cm2"][:2] == [0.0, 0.0] and d["sigma_cm2"][2] > 0 and d["sigma_cm2"][3] > d["sigma_cm2"][2]


def test_model_file_and_hnl(capsys, tmp_path):
    f = tmp_path / "m.toml"
    f.write_text('m4 = 0.1\nm5 = 0.2\nUmu5 = 0.01\nHNLtype = "majorana"\n')
    d5 = sigma_json(capsys, "--model", str(f), "--hnl", "N5", "--helicity", "both", "--energies", "1")
    ref = UpscatteringXsec(ProcessCase("nu_mu", 5, "C12", "coherent", "both"),
                           ModelParameters.from_dict(dict(m4=0.1, m5=0.2, Umu5=0.01, HNLtype="majorana"))).sigma(1.0)
    assert d5["sigma_cm2"][0] == pytest.approx(ref, rel=1e-12, abs=0) and ref > 0
    d4 = sigma_json(capsys, "--model", str(f), "--energies", "1")  # N4 has no coupling in this model
    assert d4["sigma_cm2"] == [0.0]


@pytest.mark.parametrize(
    "argv, needle, exit_code",
    [
        (("--target", "Xx40", "--energies", "1"), "unknown target 'Xx40'", 2),
        (("--target", "Pb999", "--energies", "1"), "no such nuclide", 2),
        (("--target", "H1", "--regime", "coherent", "--energies", "1"), "use regime 'p-el'", 2),
        (("--target", "H1", "--regime", "n-el", "--energies", "1"), "no neutrons", 2),
        (("--regime", "dis", "--energies", "1"), "unknown regime 'dis'", 2),
        (("--energies", "-1"), "negative neutrino energy", 2),
        (("--energies", "1", "-2"), "negative neutrino energy -2", 2),
        (("--energies", "1", "nan"), "finite", 2),
        (("--energies", "1", "two"), "'two' is not an energy", 2),
        (("--tagret", "C12", "--energies", "1"), "no such option: --tagret", 2),
        (("--projectile", "nu_x", "--energies", "1"), "unknown projectile 'nu_x'", 2),
        (("--helicity", "left", "--energies", "1"), "unknown helicity 'left'", 2),
        (("--hnl", "N5", "--energies", "1"), "no N5", 4),
        (("--hnl", "N7", "--energies", "1"), "unknown HNL 'N7'", 2),
        (("--form-factor", "gauss", "--energies", "1"), "form-factor scheme", 2),
        (("--couplings", "dn", "--energies", "1"), "unknown coupling scheme 'dn'", 2),
        (("--nucleon-model", "rfg", "--energies", "1"), "unknown nucleon model 'rfg'", 2),
        ((), "give at least one energy", 2),
        (("--set", "m4=-1", "--energies", "1"), "must be positive", 2),
    ],
)
def test_bad_input_one_line(capsys, argv, needle, exit_code):
    code, out, err = run(capsys, "xsec", *argv)
    assert code == exit_code
    assert needle in err and err.count("\n") == 1 and err.startswith("darkbeam: error:")
    assert out == ""
