"""Oscillated fluxes: appearance, disappearance, conservation, lines, the flux and generate options."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from darkbeam.errors import ConfigurationError
from darkbeam.physics.oscillations import PHASE_COEFF
from darkbeam.sources.flux import Flux
from darkbeam.sources.oscillated import decay_region_m, oscillate_flux, oscillation_model


def _flat(lo=0.2, hi=3.0, n=30):
    E = np.linspace(lo, hi, n)
    return Flux(E, {"nu_mu": np.full(n, 1e-9), "nu_e": np.full(n, 1e-11), "nu_mu_bar": np.full(n, 1e-10)},
                provenance="test")


def test_appearance_matches_integral_of_probability():
    """No PMNS, one sterile: the nu_e appearance from a flat nu_mu flux is the integral of
    4|Ue4|^2|Umu4|^2 sin^2(1.267 dm^2 L/E) (closed form in E computed by fine quadrature)."""
    ue, um, dm2, L = 0.1, 0.2, 3.0, 541.0
    f = _flat()
    m = oscillation_model({"dm41": dm2, "Ue4": ue, "Umu4": um, "pmns": False})
    o = oscillate_flux(f, m, L)
    E = np.linspace(0.2, 3.0, 200001)
    # exact with the unitary completion: P(mu->e) = 4 |Ue4|^2 |Umu4|^2 sin^2 (one sterile, massless actives)
    p = 4 * ue**2 * um**2 * np.sin(PHASE_COEFF * dm2 * (L / 1000) / E) ** 2
    app = np.trapezoid(p * 1e-9, E)
    surv_e = np.trapezoid((1 - 4 * ue**2 * (1 - ue**2) * np.sin(PHASE_COEFF * dm2 * (L / 1000) / E) ** 2) * 1e-11, E)
    assert o.integrate("nu_e") == pytest.approx(app + surv_e, rel=2e-3, abs=0)
    # nu_mu disappearance: 1 - 4|Umu4|^2(1-|Umu4|^2) sin^2
    dis = np.trapezoid((1 - 4 * um**2 * (1 - um**2) * np.sin(PHASE_COEFF * dm2 * (L / 1000) / E) ** 2) * 1e-9, E)
    app_mu = np.trapezoid(p * 1e-11, E)
    assert o.integrate("nu_mu") == pytest.approx(dis + app_mu, rel=2e-3, abs=0)


def test_active_flux_lost_only_to_sterile_and_conserved_without_it():
    f = _flat()
    m3 = oscillation_model({"dm41": 1.0, "pmns": True})  # no sterile mixing: three-flavour only
    o = oscillate_flux(f, m3, 1000.0, pipe_m=(45.7, 722.4))
    E = o.energies
    tot_in = sum(f(E, fl) for fl in ("nu_e", "nu_mu", "nu_tau"))
    tot_out = sum(o(E, fl) for fl in ("nu_e", "nu_mu", "nu_tau"))
    np.testing.assert_allclose(tot_out, tot_in, rtol=1e-12, atol=0)
    ms = oscillation_model({"dm41": 50.0, "Umu4": 0.3, "pmns": False})
    o = oscillate_flux(f, ms, 110.0, pipe_m=(0.0, 50.0))
    # fast oscillations: nu_mu -> nu_s averages to 2|Umu4|^2(1-|Umu4|^2) at low E
    lo = o(np.array([0.25]), "nu_mu")[0] / 1e-9
    assert lo == pytest.approx(1 - 2 * 0.09 * 0.91, rel=2e-2, abs=0)


def test_no_mixing_leaves_the_flux_unchanged():
    f = _flat()
    o = oscillate_flux(f, oscillation_model({"dm41": 1.0, "pmns": False}), 500.0)
    for fl in ("nu_e", "nu_mu", "nu_mu_bar"):
        assert o.integrate(fl) == pytest.approx(f.integrate(fl), rel=1e-12, abs=0)


def test_lines_are_oscillated():
    f = Flux(np.array([0.01, 0.05]), {"nu_e": np.zeros(2)}, lines={"nu_mu": ((0.02979, 1e-8),)}, provenance="dar")
    o = oscillate_flux(f, oscillation_model({"dm41": 1.0, "Ue4": 0.1, "Umu4": 0.1, "pmns": False}), 20.0)
    p = 4 * 0.01 * 0.01 * math.sin(PHASE_COEFF * 1.0 * 0.02 / 0.02979) ** 2
    (e, phi), = o.lines["nu_e"]
    assert e == 0.02979 and phi == pytest.approx(p * 1e-8, rel=1e-9, abs=0)


def test_spec_parsing_and_errors(tmp_path):
    p = tmp_path / "osc.toml"
    p.write_text("[oscillation]\ndm41 = 1.3\nUe4 = 0.1\nUmu4 = 0.15\ndensity = 2.6\n")
    m = oscillation_model(str(p))
    assert m.U.shape == (4, 4) and m.density == 2.6
    np.testing.assert_allclose(m.U.conj().T @ m.U, np.eye(4), rtol=0, atol=1e-12)
    assert abs(m.U[0, 3]) == pytest.approx(0.1, rel=1e-12, abs=0)
    for bad, msg in (("dm41=1,Ue9=0.1", "no dm91"), ("Ue4=0.1", "at least one"), ("dm41=1,Ue4=1.2", "< 1"),
                     ("dm41=1,foo=2", "unknown key"), ("dm51=1", "without gaps"), ("dm41=1,density=-1", ">= 0")):
        with pytest.raises(ConfigurationError, match=msg):
            oscillation_model(bad)
    assert decay_region_m("bnb") == (0.0, 50.0)
    with pytest.raises(ConfigurationError, match="does not fit"):
        oscillate_flux(_flat(), m, 40.0, pipe_m=(0.0, 50.0))


def test_cli_flux_and_generate_oscillate(capsys):
    from darkbeam.cli.main import main

    spec = "dm41=1.3,Ue4=0.12,Umu4=0.15"
    assert main(["flux", "-b", "miniboone", "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main(["flux", "-b", "miniboone", "--oscillate", spec, "--json"]) == 0
    osc = json.loads(capsys.readouterr().out)
    assert "oscillated" in osc["provenance"] and "decay region 0-50 m" in osc["provenance"]
    assert osc["integrals"]["nu_e"] > 1.05 * plain["integrals"]["nu_e"]  # appearance from nu_mu
    assert osc["integrals"]["nu_mu"] < 0.97 * plain["integrals"]["nu_mu"]
    args = ["generate", "-e", "miniboone_fhc", "-n", "100", "--projectile", "nu_mu", "--regime", "coherent", "--json"]
    assert main(args + ["--oscillate", spec]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "oscillated" in out["flux"]
    assert main(args + ["--oscillate", "dm41=1,Ue4=2"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
