"""Z' charges of the gauged lepton/baryon numbers and the loop kinetic mixing of L_alpha - L_beta."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError, ParameterError
from darkbeam.models import ModelParameters
from darkbeam.models.couplings import Couplings
from darkbeam.models.zprime_charges import (
    CHARGE_KINDS,
    ScalarMediator,
    VectorMediator,
    loop_epsilon,
    x_charge,
    zprime_mediator,
)

# Weyl fermions of one generation (left-handed doublets, right-handed singlets incl. nu_R) with multiplicity
_WEYL = lambda a: [("u", 3 * 2), ("d", 3 * 2), (f"nu_{a}", 2), (a, 2)]  # noqa: E731  (Dirac: L and R)


@pytest.mark.parametrize("kind", [k for k in CHARGE_KINDS if k != "dark"])
def test_charges_are_traceless_over_three_families(kind):
    """sum over the fermion states of three families (both chiralities, nu_R included) of Q_X = 0, as it
    must be for these anomaly-free U(1)s (trace of the generator); a wrong sign, factor 3 or a missing
    colour factor makes it fail."""
    total = sum(m * x_charge(kind, f) for a in ("e", "mu", "tau") for f, m in _WEYL(a))
    assert total == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("kind, expect", [
    ("Le-Lmu", {"e": 1, "nu_e": 1, "mu": -1, "nu_mu": -1, "tau": 0, "u": 0}),
    ("Le-Ltau", {"e": 1, "nu_tau": -1, "mu": 0, "d": 0}),
    ("Lmu-Ltau", {"mu": 1, "nu_mu": 1, "tau": -1, "nu_tau": -1, "e": 0}),
    ("B-L", {"u": 1 / 3, "d": 1 / 3, "e": -1, "nu_tau": -1}),
    ("B-3Lmu", {"u": 1 / 3, "mu": -3, "nu_mu": -3, "e": 0, "nu_tau": 0}),
])
def test_charge_table(kind, expect):
    for f, q in expect.items():
        assert x_charge(kind, f) == pytest.approx(q, rel=1e-15, abs=0)
    with pytest.raises(ConfigurationError, match="unknown zprime_charge"):
        x_charge("L-B", "e")


def _eps_numeric(Q2, ma, mb, gX):
    """The defining integral of 1902.08579 (issue 12), by adaptive quadrature."""
    f = lambda x: x * (1 - x) * math.log((mb**2 + x * (1 - x) * Q2) / (ma**2 + x * (1 - x) * Q2))  # noqa: E731
    # symmetric under x -> 1 - x; break points resolve the layer x ~ m^2/Q^2
    half = quad(f, 0, 0.5, points=[1e-9, 1e-7, 1e-5, 1e-3, 1e-1], epsabs=0, epsrel=1e-13, limit=400)[0]
    return -(C.E_CHARGE * gX / (2 * math.pi**2)) * 2 * half


def test_loop_mixing_at_zero_momentum_closed_form():
    # eps(0) = -(e gX / 6 pi^2) ln(m_beta/m_alpha): the textbook -gX/70 of L_mu - L_tau
    for a, b in (("mu", "tau"), ("e", "mu"), ("e", "tau")):
        closed = -(C.E_CHARGE / (6 * math.pi**2)) * math.log(C.M_LEPTON[b] / C.M_LEPTON[a])
        assert float(loop_epsilon(0.0, a, b, 1.0)) == pytest.approx(closed, rel=1e-12, abs=0)
    assert 1.0 / float(loop_epsilon(0.0, "mu", "tau", 1.0)) == pytest.approx(-69.2, rel=2e-3, abs=0)


@pytest.mark.parametrize("Q2", [1e-9, 1e-6, 1e-4, 3e-3, 0.05, 1.0, 100.0])
@pytest.mark.parametrize("pair", [("mu", "tau"), ("e", "mu")])
def test_loop_mixing_q2_dependence_against_numerical_integral(Q2, pair):
    ma, mb = C.M_LEPTON[pair[0]], C.M_LEPTON[pair[1]]
    got = float(loop_epsilon(Q2, *pair, 2e-3))
    assert got == pytest.approx(_eps_numeric(Q2, ma, mb, 2e-3), rel=1e-9, abs=0)


def test_loop_mixing_vanishes_far_above_both_masses_and_rejects_timelike():
    e0 = float(loop_epsilon(0.0, "mu", "tau", 1.0))
    assert abs(float(loop_epsilon(1e8, "mu", "tau", 1.0)) / e0) < 1e-5
    with pytest.raises(ConfigurationError, match="space-like"):
        loop_epsilon(-1.0, "mu", "tau", 1.0)


def test_zprime_mediator_couplings_and_loop_switch():
    gX = 3e-4
    p = ModelParameters.from_dict({"mzprime": 0.05, "zprime_charge": "Le-Lmu", "gX": gX})
    m = zprime_mediator(p, C.SW2_LOW_Q2)
    np.testing.assert_allclose(m.g_nu, [gX, -gX, 0.0], rtol=1e-12, atol=1e-20)
    assert (m.g_eL, m.g_eR) == (pytest.approx(gX, rel=1e-12, abs=0), pytest.approx(gX, rel=1e-12, abs=0))
    assert m.loop == ("e", "mu")
    gl, gr = m.electron(0.0)  # loop: -e eps Q_e = +e eps, eps(0) < 0
    eps0 = -(C.E_CHARGE * gX / (6 * math.pi**2)) * math.log(C.M_MU / C.M_E)
    assert float(gl) == pytest.approx(gX + C.E_CHARGE * eps0, rel=1e-12, abs=0)
    gp, gn = m.nucleons(0.0)
    assert float(gp) == pytest.approx(-C.E_CHARGE * eps0, rel=1e-12, abs=0) and float(gn) == 0.0
    off = zprime_mediator(p.replace(loop_mixing=False))
    assert off.loop is None and float(off.electron(0.0)[0]) == pytest.approx(gX, rel=1e-12, abs=0)
    bl = zprime_mediator(ModelParameters.from_dict({"mzprime": 0.05, "zprime_charge": "B-L", "gX": gX}))
    assert bl.loop is None and bl.g_u == pytest.approx(gX / 3, rel=1e-12, abs=0)
    assert float(bl.nucleons(0.0)[0]) == pytest.approx(gX, rel=1e-12, abs=0)
    assert zprime_mediator(ModelParameters.from_dict({})) is None


def test_existing_charges_unchanged_in_couplings():
    """The upscattering couplings of 'Lmu-Ltau' and 'B-L' keep their values (tree level, no loop mixing)."""
    gX = 5e-4
    c = Couplings(ModelParameters.from_dict({"mzprime": 0.02, "zprime_charge": "Lmu-Ltau", "gX": gX}))
    assert c.zprime_fermion("mu").gV == pytest.approx(gX, rel=1e-9, abs=0)
    assert c.zprime_fermion("e").gV == pytest.approx(0.0, abs=1e-15)
    c = Couplings(ModelParameters.from_dict({"mzprime": 0.02, "zprime_charge": "B-L", "gX": gX}))
    assert c.zprime_fermion("u").gV == pytest.approx(gX / 3, rel=1e-9, abs=0)
    c = Couplings(ModelParameters.from_dict({"mzprime": 0.02, "zprime_charge": "B-3Ltau", "gX": gX}))
    assert c.zprime_fermion("nu_tau").gL == pytest.approx(-3 * gX, rel=1e-9, abs=0)


def test_model_parameter_validation():
    assert ModelParameters.from_dict({}).loop_mixing is True
    with pytest.raises(ParameterError, match="zprime_charge"):
        ModelParameters.from_dict({"mzprime": 0.1, "zprime_charge": "Le-Lx"})
    with pytest.raises(ParameterError, match="needs mzprime"):
        ModelParameters.from_dict({"zprime_charge": "Le-Lmu"})
    with pytest.raises(ConfigurationError, match="positive"):
        VectorMediator(mass=0.0)
    with pytest.raises(ConfigurationError, match="positive"):
        ScalarMediator(mass=-1.0)
    s = ScalarMediator.universal_quarks(0.01, 1e-5, 1e-6)
    assert 55 * s.g_p + 78 * s.g_n == pytest.approx((14 * 133 + 1.1 * 55) * 1e-6, rel=1e-12, abs=0)
