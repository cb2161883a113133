"""CCQE cross sections: Llewellyn Smith against explicit Dirac traces, limits, published values; rates."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.physics import ccqe
from darkbeam.physics.nuclear_response import pauli_suppression

# ----------------------------------------------------------------- Dirac algebra for an independent |M|^2
_I2, _Z2 = np.eye(2), np.zeros((2, 2))
_PAULI = (np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]]))
_G = [np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)] + [np.block([[_Z2, s], [-s, _Z2]]).astype(complex)
                                                               for s in _PAULI]
_G5 = 1j * _G[0] @ _G[1] @ _G[2] @ _G[3]
_ETA = np.diag([1.0, -1.0, -1.0, -1.0])
_ONE = np.eye(4)


def _slash(p):
    return sum(_ETA[m, m] * p[m] * _G[m] for m in range(4))


def _bar(X):
    return _G[0] @ X.conj().T @ _G[0]


def _trace_dsigma(E, Q2, projectile):
    """d sigma/dQ^2 from Tr[...] of the currents l-bar gamma^mu (1 - g5) nu and N-bar (V - A)^mu N
    (V = F1 gamma^mu + i F2 sigma^{mu nu} q_nu / 2M, A = F_A gamma^mu g5 + F_P q^mu g5 / M), equal masses."""
    m, anti = ccqe._parse(projectile)
    F1, F2, FA, FP = (float(x) for x in ccqe.isovector_form_factors(Q2))
    M = C.M_NUCLEON
    El = E - Q2 / (2 * M)
    pl = math.sqrt(El * El - m * m)
    c = (2 * E * El - m * m - Q2) / (2 * E * pl)
    k, kp = np.array([E, 0, 0, E]), np.array([El, pl * math.sqrt(1 - c * c), 0, pl * c])
    p = np.array([M, 0, 0, 0])
    pp = p + k - kp
    q = pp - p
    ql = _ETA @ q
    sig = lambda a, b: 0.5j * (_G[a] @ _G[b] - _G[b] @ _G[a])  # noqa: E731
    Gam = [F1 * _G[a] + 1j * F2 / (2 * M) * sum(sig(a, b) * ql[b] for b in range(4))
           - (FA * _G[a] @ _G5 + FP * q[a] * _G5 / M) for a in range(4)]
    H = np.array([[np.trace((_slash(pp) + M * _ONE) @ Gam[a] @ (_slash(p) + M * _ONE) @ _bar(Gam[b]))
                   for b in range(4)] for a in range(4)])
    P = _ONE - _G5
    if anti:
        L = np.array([[np.trace(_slash(k) @ _G[a] @ P @ (_slash(kp) - m * _ONE) @ _G[b] @ P) for b in range(4)]
                      for a in range(4)])
    else:
        L = np.array([[np.trace((_slash(kp) + m * _ONE) @ _G[a] @ P @ _slash(k) @ _G[b] @ P) for b in range(4)]
                      for a in range(4)])
    amp2 = np.einsum("ab,ac,bd,cd->", L, _ETA, _ETA, H).real
    m2avg = C.G_F**2 * C.V_UD**2 / 2 * amp2 / 2  # 1/2: nucleon spin average
    return m2avg / (64 * math.pi * M * M * E * E) * ccqe.GEV2_TO_CM2


@pytest.mark.parametrize("projectile", ["nu_mu", "nu_mu_bar", "nu_e", "nu_e_bar", "nu_tau"])
@pytest.mark.parametrize("E,Q2", [(0.6, 0.1), (1.0, 0.3), (5.0, 1.5)])
def test_llewellyn_smith_against_dirac_traces(projectile, E, Q2):
    if projectile == "nu_tau" and E < 5:
        pytest.skip("below the tau threshold")
    assert float(ccqe.dsigma_dq2(E, Q2, projectile)) == pytest.approx(_trace_dsigma(E, Q2, projectile), rel=1e-10, abs=0)


def test_high_energy_limit():
    """E -> infinity: sigma -> (2 G_F^2 V_ud^2 / pi) integral C(Q^2) dQ^2 (only the (s-u)^2 term survives),
    the same for nu and nubar."""
    from scipy.integrate import quad

    M = C.M_NUCLEON

    def Cq(q):
        F1, F2, FA, _ = ccqe.isovector_form_factors(q)
        return 0.25 * (FA**2 + F1**2 + q / (4 * M * M) * F2**2)

    limit = 2 * C.G_F**2 * C.V_UD**2 / math.pi * quad(Cq, 0, np.inf, limit=200)[0] * ccqe.GEV2_TO_CM2
    for p in ("nu_mu", "nu_mu_bar"):
        assert float(ccqe.sigma_free(1e4, p, n=400)[0]) == pytest.approx(limit, rel=2e-3, abs=0)


def test_published_free_nucleon_values():
    """nu_mu n -> mu- p: ~1.0e-38 cm^2 at 1-2 GeV for M_A ~ 1.0-1.03 (Llewellyn Smith 1972 fig. 12; Formaggio and
    Zeller, RMP 84, 1307 (2012), fig. 21), nubar below nu; and inverse beta decay nubar_e p -> e+ n against
    the Strumia-Vissani fit (PLB 564, 42 (2003), eq. 25) above 50 MeV, where the equal-mass Llewellyn Smith
    formula is within its O(Delta/E) (docs/oscillations.md)."""
    s = ccqe.sigma_free(np.array([1.0, 2.0]), "nu_mu")
    assert np.all((s > 0.95e-38) & (s < 1.15e-38))
    assert np.all(ccqe.sigma_free(np.array([1.0, 2.0]), "nu_mu_bar") < 0.6 * s)
    for E, tol in ((0.05, 0.025), (0.1, 0.006)):
        Em = E * 1e3
        Ee = Em - 1.293
        pe = math.sqrt(Ee * Ee - 0.511**2)
        sv = 1e-43 * pe * Ee * Em ** (-0.07056 + 0.02018 * math.log(Em) - 0.001953 * math.log(Em) ** 3)
        assert float(ccqe.sigma_free(E, "nu_e_bar")[0]) == pytest.approx(sv, rel=tol, abs=0)
    # thresholds: nu_mu n -> mu- p opens at ((m_mu + M_p)^2 - M_n^2) / 2 M_n = 0.1100 GeV
    thr = ((C.M_MU + C.M_PROTON) ** 2 - C.M_NEUTRON**2) / (2 * C.M_NEUTRON)
    assert ccqe.sigma_free(thr * 0.999, "nu_mu")[0] == 0.0 and ccqe.sigma_free(thr * 1.01, "nu_mu")[0] > 0


def test_pauli_factor_lens_volume():
    kF = 0.221
    q = np.linspace(0.0, 0.5, 11)
    np.testing.assert_allclose(ccqe.pauli_factor(q, kF, kF), pauli_suppression(q, kF), rtol=0, atol=1e-12)
    # unequal spheres against Monte Carlo: fraction of points of sphere k_i outside sphere k_f displaced by d
    rng = np.random.default_rng(3)
    ki, kf, d = 0.20, 0.24, 0.15
    pts = rng.normal(size=(200000, 3))
    pts *= (ki * rng.random(200000) ** (1 / 3) / np.linalg.norm(pts, axis=1))[:, None]
    mc = np.mean(np.linalg.norm(pts - np.array([0, 0, d]), axis=1) > kf)
    assert float(ccqe.pauli_factor(d, ki, kf)) == pytest.approx(mc, abs=4e-3, rel=0)


def test_nucleus_counts_and_blocking():
    E = np.array([0.3, 1.0])
    free = ccqe.sigma_free(E, "nu_mu")
    c12 = ccqe.sigma_nucleus(E, "nu_mu", "C12", nucleon_model="free")
    np.testing.assert_allclose(c12, 6 * free, rtol=1e-12, atol=0)
    blocked = ccqe.sigma_nucleus(E, "nu_mu", "C12")
    assert np.all(blocked < c12) and blocked[1] > 0.85 * c12[1] and blocked[0] < blocked[1] / c12[1] * c12[0]
    assert np.all(ccqe.sigma_nucleus(E, "nu_mu", "H1") == 0)  # no neutron
    np.testing.assert_allclose(ccqe.sigma_nucleus(E, "nu_mu_bar", "H1"), ccqe.sigma_free(E, "nu_mu_bar"), rtol=1e-12, atol=0)
    with pytest.raises(ConfigurationError):
        ccqe.sigma_free(E, "nu_x")
    with pytest.raises(ConfigurationError):
        ccqe.sigma_nucleus(E, "nu_mu", "C12", nucleon_model="rpa")


def test_rates_and_cli(capsys):
    from darkbeam.analysis.ccqe_rates import ccqe_events
    from darkbeam.cli.main import main
    from darkbeam.sources.flux import Flux

    E = np.linspace(0.2, 3.0, 57)
    f = Flux(E, {"nu_mu": np.full(E.size, 1e-9)}, provenance="flat")
    n = ccqe_events(f, {"Ar40": 1e30}, 1e20)["nu_mu"]
    Eq = np.linspace(0.2, 3.0, 2001)
    exact = 1e20 * 1e30 * np.trapezoid(ccqe.sigma_nucleus(Eq, "nu_mu", "Ar40") * 1e-9, Eq)
    assert n == pytest.approx(exact, rel=1e-3, abs=0)
    assert main(["ccqe", "-E", "1", "2", "--projectile", "nu_e", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sigma_free_nucleon_cm2"][0] == pytest.approx(float(ccqe.sigma_free(1.0, "nu_e")[0]), rel=1e-12, abs=0)
    assert main(["ccqe", "-e", "miniboone_fhc", "--oscillate", "dm41=1.3,Ue4=0.12,Umu4=0.15", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["events_oscillated"]["nu_e"] > 1.05 * out["events"]["nu_e"]
    assert out["events_oscillated"]["nu_mu"] < 0.97 * out["events"]["nu_mu"]
    assert main(["ccqe", "--oscillate", "dm41=1", "-E", "1"]) == 2
    assert main(["ccqe", "-E", "1", "--nucleon-model", "rpa"]) == 2
    assert capsys.readouterr().err.count("\n") == 2


def test_relativistic_fermi_gas_limits():
    """RFG (Fermi motion, exact kinematic Pauli blocking): -> free nucleons as k_F -> 0; Fermi motion alone
    leaves the flat high-energy cross section unchanged; at 2 and 10 GeV its blocking agrees with the
    closure approximation (two independent computations of the same suppression)."""
    from darkbeam.physics.ccqe_rfg import sigma_rfg_k

    E = np.array([0.3, 1.0, 10.0])
    free = ccqe.sigma_free(E, "nu_mu")
    pts = (6, 8, 16, 8)
    np.testing.assert_allclose(sigma_rfg_k(E, "nu_mu", 1, 1e-4, 0.0, points=pts), free, rtol=1e-6, atol=0)
    assert float(sigma_rfg_k(10.0, "nu_mu", 1, 0.221, 0.0, points=pts)[0]) == pytest.approx(free[2], rel=3e-3, abs=0)
    Eh = np.array([2.0, 10.0])
    rfg = ccqe.sigma_nucleus(Eh, "nu_mu", "C12", nucleon_model="rfg")
    closure = ccqe.sigma_nucleus(Eh, "nu_mu", "C12")
    np.testing.assert_allclose(rfg, closure, rtol=1e-2, atol=0)
    assert np.all(rfg < 6 * ccqe.sigma_free(Eh, "nu_mu"))
