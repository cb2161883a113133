"""One mass model for oscillations and HNL signals; the CP-parity note (docs/massmodel.md)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from darkbeam.errors import ConfigurationError
from darkbeam.models.massmodel import MassModelNote, minimal_model, oscillation_states, parameter_values, parity_note
from darkbeam.physics.oscillations import PHASE_COEFF, probabilities
from darkbeam.sources.oscillated import massmodel_oscillation, oscillation_model

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _rank_one(a, M1):
    """3 active + 1 sterile with the light block a a^T/M1: rank 1, so the three light states are exactly
    massless and m4 = (|a|^2 + M1^2)/M1, U_alpha4 = a_alpha/sqrt(|a|^2 + M1^2) (eigenvector (a, M1))."""
    a = np.asarray(a, dtype=float)
    M = np.zeros((4, 4))
    M[:3, :3] = np.outer(a, a) / M1
    M[:3, 3] = M[3, :3] = a
    M[3, 3] = M1
    return M, (a @ a + M1**2) / M1, a / math.sqrt(a @ a + M1**2)


def test_3p1_mass_model_equals_its_explicit_parameters():
    M, m4, U4 = _rank_one(np.array([0.1, 0.15, 0.0]) * 1.1e-9, 1.1e-9)
    osc = massmodel_oscillation({"matrix": M.tolist(), "active": ["e", "mu", "tau"], "sterile": 1})
    dm41 = (m4 * 1e9) ** 2
    assert osc.m2[3] == pytest.approx(dm41, rel=1e-12, abs=0)
    np.testing.assert_allclose(np.abs(osc.U[:3, 3]), np.abs(U4), rtol=1e-12, atol=0)
    ref = oscillation_model({"dm41": dm41, "Ue4": U4[0], "Umu4": U4[1], "pmns": False})
    E = np.geomspace(0.1, 5.0, 25)
    for anti in (False, True):
        P = probabilities(osc.U, osc.m2, 0.54, E, anti=anti)
        Pr = probabilities(ref.U, ref.m2, 0.54, E, anti=anti)
        np.testing.assert_allclose(P, Pr, rtol=0, atol=1e-13)
    # and the two-flavour-like closed form 4 |Ue4|^2 |Umu4|^2 sin^2(Dm41^2 L/4E)
    closed = 4 * U4[0] ** 2 * U4[1] ** 2 * np.sin(PHASE_COEFF * dm41 * 0.54 / E) ** 2
    np.testing.assert_allclose(probabilities(osc.U, osc.m2, 0.54, E)[:, 1, 0], closed, rtol=1e-10, atol=0)


def test_type_one_seesaw_closed_form_with_the_light_mass():
    """M = [[0, a], [a^T, M1]]: the light state nu_a = a/|a| mixes with N at tan 2theta = 2|a|/M1, so
    A(e -> mu) = ah_e ah_mu (cos^2 t e^{-i phi_l} + sin^2 t e^{-i phi_4} - 1) exactly."""
    a, M1 = np.array([0.3, 0.4, 0.0]) * 1e-9, 2.0e-9
    M = np.zeros((4, 4))
    M[:3, 3] = M[3, :3] = a
    M[3, 3] = M1
    osc = massmodel_oscillation({"matrix": M.tolist(), "sterile": 1})
    na = np.linalg.norm(a)
    t = 0.5 * math.atan2(2 * na, M1)
    ml = (math.sqrt(M1**2 + 4 * na**2) - M1) / 2 * 1e9
    mh = (math.sqrt(M1**2 + 4 * na**2) + M1) / 2 * 1e9
    E = np.geomspace(0.05, 3.0, 30)
    ph = lambda m2: 2 * PHASE_COEFF * m2 * 0.6 / E  # noqa: E731
    amp = (a[0] / na) * (a[1] / na) * (math.cos(t) ** 2 * np.exp(-1j * ph(ml**2)) + math.sin(t) ** 2 * np.exp(-1j * ph(mh**2)) - 1)
    np.testing.assert_allclose(probabilities(osc.U, osc.m2, 0.6, E)[:, 0, 1], np.abs(amp) ** 2, rtol=1e-9, atol=1e-15)


def test_heavy_states_are_hnls_not_oscillating_and_the_example_drives_both():
    from darkbeam.models import load_model

    # minimal model: both heavy states dropped -> zero-distance effect sum_b P(mu -> b) = (1 - |U_mu4|^2 - |U_mu5|^2)^2
    sp = minimal_model(1e-3, 0.05, 0.2).spectrum()
    U, m2, dropped = oscillation_states(sp)
    assert dropped == ["N4", "N5"] and U.shape == (5, 3)
    s = abs(sp.U[1, 3]) ** 2 + abs(sp.U[1, 4]) ** 2
    P = probabilities(U, m2, 0.5, np.array([1.0]))[0]
    assert P[1, :3].sum() == pytest.approx((1 - s) ** 2, rel=1e-12, abs=0)
    # the 3+1+HNL example: the eV state oscillates, N4 and N5 are the HNLs of the generator
    with pytest.warns(UserWarning):
        params = load_model(EXAMPLES / "massmodel_3p1_hnl.toml")
    assert params.n_hnl == 2 and 0.17 < params.m4 < params.m5 < 0.23
    osc = oscillation_model(str(EXAMPLES / "massmodel_3p1_hnl.toml"))
    assert osc.m2.size == 4 and osc.m2[3] == pytest.approx(1.136**2, rel=2e-3, abs=0)
    assert 4 * abs(osc.U[0, 3] * osc.U[1, 3]) ** 2 == pytest.approx(4 * 0.0984**2 * 0.1476**2, rel=2e-3, abs=0)
    with pytest.raises(ConfigurationError, match="cannot be combined"):
        massmodel_oscillation({"preset": "minimal", "mD": 1e-3, "mu_prime": 0.05, "Lambda": 0.2}, {"dm41": 1.0})
    with pytest.raises(ConfigurationError, match="matter effects"):
        massmodel_oscillation({"preset": "minimal", "mD": 1e-3, "mu_prime": 0.05, "Lambda": 0.2}, {"density": 2.6})


def test_parity_note_and_when_it_warns():
    from darkbeam.models import ModelParameters
    from darkbeam.physics.hnl_parities import PARITY_WARN_FRACTION, parity_warnings

    sp = minimal_model(1e-3, 0.05, 0.2).spectrum()
    note = parity_note(sp)
    assert isinstance(note, MassModelNote) and note.signed[0] < 0 < note.signed[1]
    vals, warns = parameter_values(sp)
    assert not any("parit" in w for w in warns)  # a note, not a warning
    base = {"name": "t", "gD": 1.0, "mzprime": 1.25, "epsilon": 1e-3, "mhprime": 2.0, **vals}
    w = parity_warnings(ModelParameters.from_dict(base), note.signed)
    assert len(w) == 1 and "N5 -> N4" in w[0]  # N5 -> N4 e e dominates N5 (BR ~ 0.99): it matters
    # without a dark coupling between N4 and N5 the transition is negligible: no warning
    quiet = {**base, "UD4": 0.0, "UD5": 0.0}
    from darkbeam.physics.decays import decay_table

    table = decay_table(ModelParameters.from_dict(quiet), "N5")
    br = sum(b for k, b in table.branching_ratios.items() if k.startswith("N4"))
    assert 2 * br < PARITY_WARN_FRACTION
    assert parity_warnings(ModelParameters.from_dict(quiet), note.signed) == []
    assert parity_warnings(ModelParameters.from_dict(base), (abs(note.signed[0]), note.signed[1])) == []


def test_generate_json_carries_the_note_once(capsys):
    from darkbeam.cli.main import main

    model = str(EXAMPLES / "massmodel_3p1_hnl.toml")
    assert main(["generate", "-e", "miniboone_fhc", "--model", model, "--oscillate", "model", "-n", "100",
                 "--projectile", "nu_mu", "--regime", "coherent", "--json"]) == 0
    cap = capsys.readouterr()
    out = json.loads(cap.out)
    notes = out["model_notes"]  # each note once, in the summary, not on stderr
    assert len(notes) == 2 and any("opposite CP parities" in n for n in notes)
    assert any("1.136 eV) are oscillating sterile states" in n for n in notes)
    assert "note:" not in cap.err and cap.err.count("N5 -> N4 X") == 1  # the size check warns once
    assert "HNLs N4, N5 not oscillating" in out["flux"]
    assert main(["generate", "-e", "miniboone_fhc", "--oscillate", "model", "-n", "100"]) == 2
    assert "--oscillate model needs --model" in capsys.readouterr().err


def test_flavours_absent_from_the_model_are_decoupled():
    """active = ["mu"], one sterile: nu_e and nu_tau are massless and unmixed; nu_mu - N is the two-state
    system of M = [[0, a], [a, M1]] (tan 2theta = 2a/M1, masses (sqrt(M1^2 + 4a^2) -+ M1)/2)."""
    a, M1 = 0.4e-9, 1.0e-9
    osc = massmodel_oscillation({"matrix": [[0.0, a], [a, M1]], "active": ["mu"], "sterile": 1})
    assert osc.U.shape == (4, 4)
    E = np.geomspace(0.2, 3.0, 9)
    P = probabilities(osc.U, osc.m2, 0.5, E)
    np.testing.assert_allclose(P[:, 0, 0], 1.0, rtol=0, atol=1e-14)
    np.testing.assert_allclose(P[:, 2, 2], 1.0, rtol=0, atol=1e-14)
    t = 0.5 * math.atan2(2 * a, M1)
    r = math.sqrt(M1**2 + 4 * a**2)
    dm2 = (((r + M1) / 2) ** 2 - ((r - M1) / 2) ** 2) * 1e18
    closed = 1 - math.sin(2 * t) ** 2 * np.sin(PHASE_COEFF * dm2 * 0.5 / E) ** 2
    np.testing.assert_allclose(P[:, 1, 1], closed, rtol=1e-10, atol=0)
