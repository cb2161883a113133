"""Mass models: Takagi factorisation, the minimal dark-neutrino model, one-loop light masses, model files."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from darkbeam.errors import ParameterError
from darkbeam.models.massmodel import (MassModel, MassModelWarning, from_table, minimal_eigenvalues, minimal_model,
                                       parameter_values)
from darkbeam.models.takagi import mass_eigensystem
from darkbeam.physics.radiative_masses import (extended_seesaw_m3, loop_function, one_loop_light_masses,
                                               oscillation_warnings)


def _check_takagi(M, es, atol):
    U, m = es.U, es.masses
    np.testing.assert_allclose(U.conj().T @ U, np.eye(len(m)), rtol=0, atol=1e-12)
    np.testing.assert_allclose(U.conj() @ np.diag(m) @ U.conj().T, M, rtol=0, atol=atol)
    assert np.all(m >= 0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_takagi_random_complex(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
    M = X + X.T
    es = mass_eigensystem(M)
    _check_takagi(M, es, 1e-12 * np.abs(M).max())
    # singular values of M are the Takagi masses
    np.testing.assert_allclose(es.masses, np.sort(np.linalg.svd(M, compute_uv=False)), rtol=1e-12, atol=0)


def test_takagi_degenerate_complex_block():
    M = np.diag([1.0, 1.0, 2.0]).astype(complex) * np.exp(0.7j)
    M[0, 1] = M[1, 0] = 0.3j
    es = mass_eigensystem(M)
    _check_takagi(M, es, 1e-13)


def test_seesaw_limit_across_1e12():
    """m_nu = m_D^2 / M (type-I seesaw) for m_nu / M = 1e-14: the exact light eigenvalue
    (sqrt(M^2 + 4 m_D^2) - M)/2 = m_D^2/M (1 - m_D^2/M^2 + ...)."""
    mD, MR = 1e-4, 1e3
    M = np.array([[0.0, mD], [mD, MR]])
    es = mass_eigensystem(M, 1)
    assert es.method == "seesaw-block"
    assert es.masses[0] == pytest.approx(mD**2 / MR, rel=1e-12, abs=0)
    assert es.masses[1] == pytest.approx(MR + mD**2 / MR, rel=1e-14, abs=0)
    _check_takagi(M, es, 1e-12 * MR)
    # the light mixing angle: theta = m_D / M
    assert abs(es.U[0, 1]) == pytest.approx(mD / MR, rel=1e-10, abs=0)


def test_three_flavour_seesaw_matches_closed_form():
    """3 active + 2 heavy: light masses = singular values of -m_D M_R^-1 m_D^T to O(m_D^2/M^2) = 1e-20."""
    rng = np.random.default_rng(5)
    mD = rng.normal(size=(3, 2)) * 1e-5
    MR = np.array([[500.0, 30.0], [30.0, 900.0]])
    M = np.block([[np.zeros((3, 3)), mD], [mD.T, MR]])
    es = mass_eigensystem(M, 3)
    light = np.sort(np.linalg.svd(-mD @ np.linalg.inv(MR) @ mD.T, compute_uv=False))
    assert es.masses[0] < 1e-14 * light[-1]  # rank 2: one massless state (to rounding of the light block)
    np.testing.assert_allclose(es.masses[1:3], light[1:], rtol=1e-9, atol=0)
    _check_takagi(M, es, 1e-12 * 900)


@pytest.mark.parametrize("mD,mu,lam", [(1e-3, 0.05, 0.2), (0.05, 0.3, 0.1), (1e-6, 1e-3, 1e-5), (0.01, 0.0, 0.2)])
def test_minimal_model_eigenvalues_and_R(mD, mu, lam):
    sp = minimal_model(mD, mu, lam, flavour="mu").spectrum()
    m4, m5 = minimal_eigenvalues(mD, mu, lam)
    np.testing.assert_allclose(sp.eig.signed[3:], [m4, m5], rtol=1e-12, atol=0)
    assert np.all(sp.light_masses <= 1e-15 * abs(m5))  # m_3 = 0 at tree level
    _check_takagi(minimal_model(mD, mu, lam).matrix, sp.eig, 1e-13 * abs(m5))
    r = sp.ratio_prediction("mu")
    assert r[0] == pytest.approx(m4 / m5, rel=1e-12, abs=0)
    assert r[1] == pytest.approx(m4 / m5, rel=1e-9, abs=0)


def test_loop_function_limits():
    # ln(r)/(r - 1) -> 1 at r = 1: F(x, x, x) = 4
    assert float(loop_function(2.0, 2.0, 2.0)) == pytest.approx(4.0, rel=1e-12, abs=0)
    # continuity across r = 1 (series branch against the closed form)
    x = 1.0 + np.array([-2e-6, -5e-7, 5e-7, 2e-6])
    np.testing.assert_allclose(loop_function(x, 1.0, 1.0), 4.0 - 2.0 * (x - 1.0), rtol=1e-10, atol=0)
    # x << y: F -> 3 ln(y/x) + ln(z/x)
    assert float(loop_function(1e-12, 1.0, 4.0)) == pytest.approx(3 * math.log(1e12) + math.log(4e12), rel=1e-10, abs=0)


@pytest.mark.parametrize("mD,mu,lam,gD,mzp,mphi", [(5e-5, 1e-2, 1e-4, 1.0, 1.0, 2.0), (1e-6, 1e-3, 1e-5, 0.5, 0.5, 0.3)])
def test_one_loop_against_extended_seesaw_closed_form(mD, mu, lam, gD, mzp, mphi):
    """Regime m_D, Lambda << mu' << m_Z', m_phi': corrections O(Lambda^2/mu'^2, mu'^2/m_Z'^2) ~ 1e-4."""
    sp = minimal_model(mD, mu, lam).spectrum()
    loop = one_loop_light_masses(sp, gD=gD, mzprime=mzp, mphi=mphi)
    closed = extended_seesaw_m3(mD, mu, lam, gD, mzp, mphi)
    assert loop.masses[-1] == pytest.approx(closed, rel=1e-3, abs=0)
    assert np.abs(loop.delta_z).max() < 1e-3 * closed  # the Z loop is negligible there
    # without the dark couplings only the Z loop is computed, and said so
    l1 = one_loop_light_masses(sp, gD=None)
    assert l1.delta_dark is None and "not computed" in l1.notes[0]


def test_recursive_blocks_keep_a_1e12_hierarchy():
    """mu' >> Lambda >> m_D: m4 = -(Lambda^2 + m_D^2)/mu' is 1e-12 of m5; the direct factorisation
    would keep ~4 digits of it."""
    mD, mu, lam = 1e-9, 1.0, 1e-6
    sp = minimal_model(mD, mu, lam).spectrum()
    assert sp.eig.method == "recursive-blocks"
    np.testing.assert_allclose(sp.eig.signed[3:], minimal_eigenvalues(mD, mu, lam), rtol=1e-12, atol=0)
    _check_takagi(sp.model.matrix, sp.eig, 1e-15)
    r = sp.ratio_prediction("mu")
    assert r[1] == pytest.approx(r[0], rel=1e-9, abs=0)


def test_oscillation_warnings():
    assert any("two independent" in w for w in oscillation_warnings([0.0, 0.0, 0.05]))
    m1 = 0.0
    good = [m1, math.sqrt(7.4e-5), math.sqrt(2.5e-3)]
    assert oscillation_warnings(good) == []
    io = [0.0, math.sqrt(2.49e-3 - 7.4e-5), math.sqrt(2.49e-3)]
    assert oscillation_warnings(io) == []
    assert any("Planck" in w for w in oscillation_warnings([0.1, 0.1004, 0.112]))
    assert any("outside the NuFIT" in w for w in oscillation_warnings([0.0, 0.01, 0.05]))


def test_parameter_values_and_refusals():
    sp = minimal_model(1e-3, 0.05, 0.2).spectrum()
    vals, notes = parameter_values(sp)
    assert vals["HNLtype"] == "majorana" and vals["m4"] < vals["m5"]
    assert vals["Umu4"] ** 2 + vals["Umu5"] ** 2 == pytest.approx(1e-6 / (0.2**2 + 1e-6), rel=1e-9, abs=0)
    assert not any("CP parities" in n for n in notes)  # a note (parity_note), not a warning
    # complex mixing: refused unless complex_mixing = "abs"
    M = np.zeros((3, 3), dtype=complex)
    M[0, 1] = M[1, 0] = 0.01 * np.exp(0.4j)
    M[0, 2] = M[2, 0] = 0.02
    M[1, 1], M[2, 2] = 1.0, 1.5
    mm = MassModel(M, ("mu",), 2, 0)
    with pytest.raises(ParameterError, match="complex"):
        parameter_values(mm.spectrum())
    vals, notes = parameter_values(mm.spectrum(), complex_mixing="abs")
    assert "Umu4" in vals and any("CP phases dropped" in n for n in notes)
    with pytest.raises(ParameterError, match="preset"):
        from_table({"preset": "inverse"})
    with pytest.raises(ParameterError, match="unknown key"):
        from_table({"preset": "minimal", "mD": 1e-3, "mu_prime": 0.1, "Lambda": 0.2, "lambda": 1})
    with pytest.raises(ParameterError, match="symmetric"):
        from_table({"matrix": [[0, 1], [2, 0]], "active": ["e"], "sterile": 1})[0].spectrum()
    with pytest.raises(ParameterError, match="5 x 5"):
        from_table({"matrix": [[0, 1], [1, 0]], "active": ["e", "mu"], "sterile": 2, "dark": 1})


MODEL = """name = "bhp"
gD = 1.0
mzprime = 1.25
epsilon = 1e-3
mhprime = 2.0
[massmodel]
preset = "minimal"
mD = 1e-3
mu_prime = 0.05
Lambda = 0.2
"""


def test_model_file_and_cli(tmp_path, capsys):
    from darkbeam.cli.main import main
    from darkbeam.models import load_model

    p = tmp_path / "mm.toml"
    p.write_text(MODEL)
    with pytest.warns(MassModelWarning):
        params = load_model(p, {"gD": 0.5})
    m4, m5 = minimal_eigenvalues(1e-3, 0.05, 0.2)
    assert params.m4 == pytest.approx(abs(m4), rel=1e-12, abs=0) and params.gD == 0.5
    assert main(["massmodel", "--model", str(p), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["R"]["m4_over_m5"] == pytest.approx(m4 / m5, rel=1e-12, abs=0)
    assert out["parameters"]["m5"] == pytest.approx(m5, rel=1e-12, abs=0)
    assert any("Planck" in w for w in out["warnings"])
    # the Z' coupling N4-N5 is g_D U_D4 U_D5 (one dark flavour, m_Z' << m_Z: cos(beta) ~ 1)
    ud4, ud5 = out["parameters"]["UD4"], out["parameters"]["UD5"]
    assert out["couplings"]["d_heavy"][0][1] == pytest.approx(1.0 * ud4 * ud5, rel=1e-3, abs=0)  # gD = 1 in the file
    # --set of a derived parameter, a derived key in the file, a broken table: one line each
    assert main(["generate", "--model", str(p), "--set", "m4=0.3"]) == 2
    assert "derived from the [massmodel]" in capsys.readouterr().err
    p.write_text(MODEL.replace('name = "bhp"', 'm4 = 0.2'))
    assert main(["massmodel", "--model", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "m4 is derived" in err
    p.write_text(MODEL.replace("Lambda = 0.2", ""))
    assert main(["massmodel", "--model", str(p)]) == 2
    assert "needs Lambda" in capsys.readouterr().err


def test_example_files_load():
    from pathlib import Path

    from darkbeam.models import load_model
    from darkbeam.sources.oscillated import oscillation_model

    root = Path(__file__).resolve().parents[1] / "examples"
    with pytest.warns(MassModelWarning):
        params = load_model(root / "massmodel_minimal.toml")
    m4, m5 = minimal_eigenvalues(1e-3, 0.05, 0.2)
    assert params.m5 == pytest.approx(m5, rel=1e-12, abs=0) and params.HNLtype == "majorana"
    osc = oscillation_model(str(root / "oscillation_3p1.toml"))
    assert 4 * abs(osc.U[0, 3]) ** 2 * abs(osc.U[1, 3]) ** 2 == pytest.approx(0.807, rel=1e-3, abs=0)
