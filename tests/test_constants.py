"""Constants against independent tables: the `particle` package's PDG tables and exact relations."""

import math

import pytest
from particle import Particle

from darkbeam import constants as C
from darkbeam import units as u


@pytest.mark.parametrize(
    "pdgid, value",
    [
        (11, C.M_E), (13, C.M_MU), (15, C.M_TAU), (211, C.M_PI), (111, C.M_PI0), (321, C.M_K),
        (221, C.M_ETA), (331, C.M_ETAP), (113, C.M_RHO), (223, C.M_OMEGA), (333, C.M_PHI),
        (411, C.M_D_MESON), (431, C.M_DS), (443, C.M_JPSI), (2212, C.M_PROTON), (2112, C.M_NEUTRON),
        (23, C.M_Z), (24, C.M_W),
    ],
)
def test_masses_agree_with_particle_tables(pdgid, value):
    # particle ships a newer PDG edition; masses agree with PDG 2024 to well below 1e-3
    ref = Particle.from_pdgid(pdgid).mass / 1000.0
    assert value == pytest.approx(ref, rel=2e-4)


def test_pdg_codes_agree_with_particle():
    for label, code in C.PDG.items():
        if abs(code) > 5900:
            continue
        assert Particle.from_pdgid(code).pdgid == code


def test_electroweak_relations():
    assert C.VEV == pytest.approx(246.22, abs=0.01)
    assert C.SW2_ON_SHELL == pytest.approx(1 - (C.M_W / C.M_Z) ** 2)
    assert 0.222 < C.SW2_ON_SHELL < 0.224
    assert C.E_CHARGE**2 / (4 * math.pi) == pytest.approx(1 / 137.035999084)


def test_units_hbar_c():
    # hbar c = 197.3269804 MeV fm
    assert u.HBARC_GEV_CM == pytest.approx(u.HBAR_GEV_S * u.C_LIGHT_CM_PER_S, rel=1e-9, abs=0)
    assert u.HBARC_GEV_CM / u.fm * 1e3 == pytest.approx(197.3269804, rel=1e-9, abs=0)
    # 0.3893794 mb GeV^2
    assert u.HBARC2_GEV2_CM2 / u.mb == pytest.approx(0.3893794, rel=1e-6)
    # the muon: tau = 2.1969811 us, Gamma = hbar / tau
    gamma_mu = u.HBAR_GEV_S / 2.1969811e-6
    assert u.ctau_cm(gamma_mu) == pytest.approx(2.1969811e-6 * u.C_LIGHT_CM_PER_S, rel=1e-9)
    assert u.ctau_cm(0.0) == math.inf
