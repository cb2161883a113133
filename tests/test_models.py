"""Model parameters: validation, TOML files, --set parsing."""

import pytest

from darkbeam.errors import ConfigurationError, ParameterError
from darkbeam.models import DARKNEWS_DEFAULT, PARAMETER_DOCS, ModelParameters, default_model, load_model, parse_assignments


def test_default_is_darknews_default():
    m = default_model()
    assert m.m4 == 0.150 and m.mzprime == 1.25 and m.Umu4 == 1e-3 and m.UD4 == 1.0
    assert m.particles() == ["N4", "zprime"]
    assert not m.majorana


def test_every_field_documented():
    assert set(PARAMETER_DOCS) == set(ModelParameters.model_fields)


@pytest.mark.parametrize(
    "bad, needle",
    [
        ({"foo": 1.0}, "unknown model parameter 'foo'"),
        ({"m4": -0.1}, "must be positive"),
        ({"m4": 0.1, "Umu4": 1.5}, "|U| <= 1"),
        ({"m4": 0.1, "Ue4": 0.8, "Umu4": 0.8}, "unitarity"),
        ({"m5": 0.2}, "m5 is set but m4 is not"),
        ({"m4": 0.3, "m5": 0.2}, "order the HNLs"),
        ({"epsilon": 1e-3, "alpha_epsilon2": 1e-8}, "only one of"),
        ({"gD": 1.0, "alphaD": 0.1}, "only one of gD and alphaD"),
        ({"m4": 0.1, "HNLtype": "weyl"}, "HNLtype"),
        ({"Umu5": 0.01, "m4": 0.1}, "set m5"),
        ({"m4": "abc"}, "m4"),
        ({"zprime_charge": "B-L"}, "needs mzprime"),
        ({"mhprime": 0.3, "theta": 1.6}, "|theta| <= pi/2"),
        ({"mhprime": 0.3, "theta": -2.0}, "|theta| <= pi/2"),
        ({"mzprime": 0.1, "epsilon": 1.0}, "|epsilon| < 1"),
        ({"mzprime": 0.1, "chi": -1.2}, "|chi| < 1"),
        ({"mzprime": 0.1, "epsilon2": 1.0}, "epsilon2 < 1"),
        ({"mzprime": 0.1, "epsilon2": -1e-6}, "0 <= epsilon2"),
        ({"mzprime": 0.1, "alpha_epsilon2": 0.01}, "alpha_epsilon2 < alpha_em"),
        ({"m4": 0.1, "UD4": -1.01}, "|U| <= 1"),
        ({"m4": 0.1, "Utau4": float("nan")}, "|U| <= 1"),
    ],
)
def test_bad_parameters_give_one_clear_error(bad, needle):
    with pytest.raises(ParameterError) as exc:
        ModelParameters.from_dict(bad)
    msg = str(exc.value)
    assert needle in msg
    assert "\n" not in msg


def test_hnltype_case_insensitive_and_replace():
    m = ModelParameters.from_dict({"m4": 0.1, "HNLtype": "Majorana"})
    assert m.majorana
    m2 = m.replace(m4=0.2)
    assert m2.m4 == 0.2 and m2.majorana and m.m4 == 0.1
    with pytest.raises(ParameterError):
        m.replace(m4=-1)


def test_parse_assignments():
    d = parse_assignments(["m4=0.1", "HNLtype=majorana,Umu4=1e-3", "flag=true"])
    assert d == {"m4": 0.1, "HNLtype": "majorana", "Umu4": 1e-3, "flag": True}
    with pytest.raises(ConfigurationError):
        parse_assignments(["m4"])
    with pytest.raises(ConfigurationError):
        parse_assignments(["=3"])


def test_toml_model_file(tmp_path):
    f = tmp_path / "model.toml"
    f.write_text('name = "x"\nm4 = 0.3\nHNLtype = "majorana"\nUe4 = 1e-2\n')
    m = load_model(f, {"Ue4": 2e-2})
    assert m.m4 == 0.3 and m.Ue4 == 2e-2 and m.majorana and m.mzprime is None
    g = tmp_path / "nested.toml"
    g.write_text("[model]\nm4 = 0.2\n")
    assert load_model(g).m4 == 0.2
    bad = tmp_path / "bad.toml"
    bad.write_text("m4 = = 3\n")
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_model(bad)
    with pytest.raises(ConfigurationError, match="file not found"):
        load_model(tmp_path / "missing.toml")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("m4 = 0.2\nmasss = 3\n")
    with pytest.raises(ParameterError, match="masss"):
        load_model(unknown)


def test_overrides_start_from_default():
    m = load_model(None, {"m4": 0.3})
    assert m.m4 == 0.3 and m.mzprime == DARKNEWS_DEFAULT["mzprime"]


def test_angle_limits_are_allowed():
    """The boundaries themselves are physical: theta = pi/2 (sin = 1), |U| = 1."""
    import math

    assert ModelParameters.from_dict({"mhprime": 0.3, "theta": -math.pi / 2}).theta == -math.pi / 2
    assert ModelParameters.from_dict({"m4": 0.1, "Ue4": 1.0}).Ue4 == 1.0


def test_set_replaces_the_defaults_equivalent_parameter():
    """--set alpha_epsilon2 / alphaD on the default model (which has epsilon, gD) replace them."""
    m = load_model(None, {"alpha_epsilon2": 2e-10})
    assert m.alpha_epsilon2 == 2e-10 and m.epsilon is None and m.gD == DARKNEWS_DEFAULT["gD"]
    m = load_model(None, {"alphaD": 0.25})
    assert m.alphaD == 0.25 and m.gD is None and m.epsilon == DARKNEWS_DEFAULT["epsilon"]
    m = load_model(None, {"chi": 2e-3, "gD": 0.5})
    assert m.chi == 2e-3 and m.epsilon is None and m.gD == 0.5


def test_two_explicit_forms_are_still_an_error(tmp_path):
    with pytest.raises(ParameterError, match="give only one of epsilon") as exc:
        load_model(None, {"epsilon": 1e-3, "alpha_epsilon2": 2e-10})
    assert "\n" not in str(exc.value)
    with pytest.raises(ParameterError, match="give only one of gD, alphaD"):
        load_model(None, {"gD": 1.0, "alphaD": 0.1})
    f = tmp_path / "both.toml"
    f.write_text("mzprime = 0.1\nepsilon = 1e-3\nchi = 1e-3\n")
    with pytest.raises(ParameterError, match="only one of"):
        load_model(f)
    with pytest.raises(ParameterError, match="only one of"):  # the file is wrong as written
        load_model(f, {"alpha_epsilon2": 1e-9})


def test_set_overrides_the_model_files_equivalent_parameter(tmp_path):
    f = tmp_path / "m.toml"
    f.write_text('name = "light"\nmzprime = 0.03\nalpha_epsilon2 = 1e-9\nalphaD = 0.5\nm4 = 0.1\nUD4 = 1.0\n')
    m = load_model(f, {"epsilon": 1e-4, "gD": 2.0})
    assert (m.epsilon, m.alpha_epsilon2, m.gD, m.alphaD) == (1e-4, None, 2.0, None)
    assert m.name == "light + epsilon=0.0001, gD=2.0"


def test_name_records_the_overrides(tmp_path):
    assert load_model(None).name == "darknews_default"
    m = load_model(None, {"m4": 0.1, "mzprime": 0.03})
    assert m.name == "darknews_default + m4=0.1, mzprime=0.03"
    assert load_model(None, {"m4": 0.15}).name == "darknews_default"  # no change, no new name
    assert load_model(None, {"m4": 0.1, "name": "mine"}).name == "mine"
    f = tmp_path / "m.toml"
    f.write_text("m4 = 0.3\n")
    assert load_model(f, {"Ue4": 1e-3}).name == "darkbeam_model + Ue4=0.001"
    # removing a parameter with none
    assert load_model(None, {"mzprime": None, "epsilon": None, "gD": None, "UD4": None}).mzprime is None


def test_replace_keeps_the_name_and_swaps_equivalent_forms():
    m = default_model().replace(alphaD=0.1)
    assert m.alphaD == 0.1 and m.gD is None and m.name == "darknews_default"


def test_cli_set_alpha_epsilon2_and_model_name(capsys):
    """The command line: --set alpha_epsilon2 / alphaD on the default work, conflicting --set fails in one line."""
    from darkbeam.cli.main import main

    code = main(["decays", "--particle", "zprime", "--set", "alpha_epsilon2=2e-10", "--set", "alphaD=0.25", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    code = main(["decays", "--set", "epsilon=1e-3", "--set", "alpha_epsilon2=2e-10"])
    err = capsys.readouterr().err
    assert code != 0 and "only one of" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
