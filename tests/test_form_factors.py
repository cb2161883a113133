"""Nuclear and nucleon form factors against independent references: numerical Fourier transforms of
the densities, published charge radii, the Sachs relations and the Foldy term."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from darkbeam import constants as C
from darkbeam.physics import form_factors as ff

HBARC = ff.HBARC_GEV_FM


def _needs_fourier_bessel():
    if not ff.fourier_bessel_available("C12"):
        pytest.skip("the de Vries Fourier-Bessel table is not available (no data directory)")


def _transform(rho, q_fm, rmax):
    """F(q) = int rho(r) j0(qr) r^2 dr / int rho(r) r^2 dr by adaptive quadrature."""
    den = integrate.quad(lambda r: rho(r) * r * r, 0, rmax, limit=400, epsabs=0, epsrel=1e-11)[0]
    num = integrate.quad(lambda r: rho(r) * np.sinc(q_fm * r / np.pi) * r * r, 0, rmax, limit=400, epsabs=1e-13 * abs(den), epsrel=1e-11)[0]
    return num / den


@pytest.mark.parametrize("name", ["c12", "ar40", "pb208"])
def test_fourier_bessel_is_the_transform_of_its_density(name):
    _needs_fourier_bessel()
    a, R = ff.fourier_bessel_table()[name]
    rho = lambda r: sum(a[i] * np.sinc((i + 1) * r / R) for i in range(a.size))  # noqa: E731  j0(n pi r/R)
    q = np.array([1e-4, 0.3, 0.7, 1.3, math.pi / R, 2 * math.pi / R, 2.1])  # fm^-1, incl. removable singularities
    got = ff.fourier_bessel((q * HBARC) ** 2, a, R)
    ref = [_transform(rho, qq, R) for qq in q]
    np.testing.assert_allclose(got, ref, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name, A, r_rms", [("C12", 12, 2.4702), ("Ar40", 40, 3.4274), ("Pb208", 208, 5.5012)])
def test_fourier_bessel_charge_radius(name, A, r_rms):
    """<r^2> = -6 dF/dq^2 at 0 against the compiled radii (Angeli and Marinova, ADNDT 99, 69 (2013))."""
    _needs_fourier_bessel()
    nff = ff.NuclearFormFactors(name, A)
    assert nff.charge_kind == "fourier-bessel"
    q2 = 1e-6  # fm^-2
    slope = (1.0 - nff.charge(q2 * HBARC**2)) / q2
    assert math.sqrt(6 * slope) == pytest.approx(r_rms, rel=5e-3)


def test_symmetrized_fermi_is_the_transform_of_its_density():
    c, a = ff.half_density_radius_fm(40), ff.FERMI_A_FM
    rho = lambda r: math.sinh(c / a) / (math.cosh(r / a) + math.cosh(c / a))  # noqa: E731  (Sprung-Martorell)
    q = np.array([1e-5, 0.2, 0.5, 1.0, 1.7, 3.0])
    got = ff.symmetrized_fermi((q * HBARC) ** 2, c, a)
    ref = [_transform(rho, qq, c + 40 * a) for qq in q]
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-10)


def test_helm_is_sphere_times_gaussian():
    A = 132
    c = ff.half_density_radius_fm(A)
    R1 = math.sqrt(c**2 + 7 / 3 * (math.pi * ff.HELM_A_FM) ** 2 - 5 * ff.HELM_S_FM**2)
    q = np.array([1e-5, 0.3, 0.8, 4.4934 / R1, 1.5])
    sphere = np.array([_transform(lambda r: 1.0, qq, R1) for qq in q])
    got = ff.helm((q * HBARC) ** 2, A)
    np.testing.assert_allclose(got, sphere * np.exp(-0.5 * (q * ff.HELM_S_FM) ** 2), rtol=1e-7, atol=1e-9)
    assert abs(got[3]) < 1e-4  # first zero at q R1 = 4.4934


def test_schemes_and_offline_fallback(monkeypatch, tmp_path):
    assert ff.NuclearFormFactors("Ar40", 40).neutron_kind == "helm"
    fb = ff.NuclearFormFactors("Ar40", 40, "fourier-bessel")
    assert fb.neutron_kind == fb.charge_kind == ("fourier-bessel" if ff.fourier_bessel_available("Ar40") else "fermi")
    assert ff.NuclearFormFactors("Xe131", 131).charge_kind == "fermi"  # not in the de Vries table
    with pytest.raises(ff.ConfigurationError, match="unknown nuclear form-factor scheme"):
        ff.NuclearFormFactors("Ar40", 40, "gauss")
    # without a data directory, cache or downloads the Fourier-Bessel table is unavailable: symmetrized Fermi
    monkeypatch.setenv("DARKBEAM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DARKBEAM_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("DARKBEAM_OFFLINE", "1")
    monkeypatch.setenv("DARKBEAM_NO_PACKAGED_DATA", "1")  # nor the copy shipped in the package
    ff.fourier_bessel_table.cache_clear()
    try:
        nff = ff.NuclearFormFactors("Ar40", 40)
        assert nff.charge_kind == "fermi"
        assert nff.charge(0.01) == pytest.approx(ff.symmetrized_fermi(0.01, ff.half_density_radius_fm(40)))
    finally:
        ff.fourier_bessel_table.cache_clear()


def test_nucleon_form_factors_normalisation_and_sachs_relations():
    n = ff.NucleonFormFactors()
    Q2 = np.array([0.0, 0.1, 0.5, 2.0])
    M = C.M_PROTON
    F1p, F2p, F1n, F2n = n.dirac_pauli(Q2, M)
    assert (F1p[0], F2p[0], F1n[0], F2n[0]) == pytest.approx((1.0, ff.MU_PROTON - 1.0, 0.0, ff.MU_NEUTRON))
    tau = Q2 / (4 * M * M)
    gep, gmp, gen, gmn = n.sachs(Q2, M)
    np.testing.assert_allclose(F1p - tau * F2p, gep, rtol=1e-12)
    np.testing.assert_allclose(F1p + F2p, gmp, rtol=1e-12)
    np.testing.assert_allclose(F1n - tau * F2n, gen, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(F1n + F2n, gmn, rtol=1e-12)
    np.testing.assert_allclose(gep, (1 + Q2 / 0.71) ** -2)
    assert n.axial(0.0) == pytest.approx(1.2754)
    assert n.axial(1.026**2) == pytest.approx(1.2754 / 4)


def test_galster_slope_is_the_foldy_term():
    """dG_E^n/dQ^2 at 0 = -mu_n / (4 M^2) (Foldy term), so <r_n^2> = 6 mu_n (hbar c / 2M)^2 ~ -0.127 fm^2."""
    n = ff.NucleonFormFactors()
    h = 1e-7
    slope = n.sachs(h, C.M_NEUTRON)[2] / h
    assert slope == pytest.approx(-ff.MU_NEUTRON / (4 * C.M_NEUTRON**2), rel=1e-5)
    assert -6 * slope * HBARC**2 == pytest.approx(-0.1267, abs=1e-3)
    assert np.all(ff.NucleonFormFactors(galster=False).sachs(0.3)[2] == 0.0)


def test_induced_pseudoscalar_pion_pole():
    """PCAC: q.A = 0 in the chiral limit, i.e. 2 M G_A - Q^2 G_P/(2M) -> 0: G_P/(2 G_A) = 2M^2/(m_pi^2 + Q^2)."""
    n = ff.NucleonFormFactors(m_pion=0.0)
    Q2 = np.array([0.01, 0.3])
    r = n.pseudoscalar_ratio(Q2, C.M_NUCLEON)
    np.testing.assert_allclose(2 * C.M_NUCLEON - Q2 * 2 * r / (2 * C.M_NUCLEON), 0.0, atol=1e-12)
    assert np.all(ff.NucleonFormFactors(induced_pseudoscalar=False).pseudoscalar_ratio(Q2) == 0)


# ---------------------------------------------------------------------- neutrons of N = Z nuclei
def test_n_equals_z_neutrons_follow_the_charge_density():
    """N = Z: F_n is the measured charge form factor (isospin symmetry); N != Z keeps Helm."""
    _needs_fourier_bessel()
    Q2 = np.array([1e-4, 0.01, 0.05, 0.2])
    for name, A in (("C12", 12), ("O16", 16), ("Ca40", 40)):
        nff = ff.NuclearFormFactors(name, A)
        assert nff.isospin_symmetric and nff.neutron_kind == "fourier-bessel"
        np.testing.assert_array_equal(nff.neutron(Q2), nff.charge(Q2))
    for name, A in (("Ar40", 40), ("Pb208", 208), ("C13", 13)):
        assert ff.NuclearFormFactors(name, A).neutron_kind == "helm"
    assert ff.NuclearFormFactors("C12", 12, "helm").neutron_kind == "helm"


def test_c12_neutron_rms_radius():
    """C12: the Fourier-Bessel density's rms radius (direct radial integral, independent of the form-factor
    code) = the slope of the new F_n = the compiled 2.4702 fm (Angeli, Marinova 2013); Helm had 2.585 fm."""
    _needs_fourier_bessel()
    a, R = ff.fourier_bessel_table()["c12"]
    rho = lambda r: sum(a[i] * np.sinc((i + 1) * r / R) for i in range(a.size))  # noqa: E731
    r2 = integrate.quad(lambda r: rho(r) * r**4, 0, R, limit=200)[0] / integrate.quad(lambda r: rho(r) * r**2, 0, R, limit=200)[0]
    nff = ff.NuclearFormFactors("C12", 12)
    q2 = 1e-6  # fm^-2
    rms_n = math.sqrt(6 * (1.0 - nff.neutron(q2 * HBARC**2)) / q2)
    assert rms_n == pytest.approx(math.sqrt(r2), rel=1e-4)
    assert rms_n == pytest.approx(2.4702, rel=5e-3)
    c = ff.half_density_radius_fm(12)
    R1sq = c**2 + 7 / 3 * (math.pi * ff.HELM_A_FM) ** 2 - 5 * ff.HELM_S_FM**2
    rms_helm = math.sqrt(6 * (1.0 - ff.helm(q2 * HBARC**2, 12)) / q2)
    assert rms_helm == pytest.approx(math.sqrt(0.6 * R1sq + 3 * ff.HELM_S_FM**2), rel=1e-4)
    assert rms_helm == pytest.approx(2.585, abs=1e-3)


def test_c12_coherent_cross_section_change_against_freedman():
    """NC-only coherent nu C12: sigma with the new F_n over sigma with the Helm F_n equals the ratio of
    two independent quadratures of Freedman's formula dsigma/dT ~ (Z g_p F_ch + N g_n F_n)^2 (1 - T/E - M T/(2E^2))
    (massless-N limit, m4 = 1 MeV); the Z couples almost only to neutrons, so it rises by ~14%."""
    _needs_fourier_bessel()
    from darkbeam.models import ModelParameters
    from darkbeam.physics.nuclear import nucleus
    from darkbeam.physics.upscattering import CoherentTarget
    from darkbeam.physics.xsec import ProcessCase, UpscatteringXsec

    class OldDefault:  # charge: Fourier-Bessel; neutrons: Helm (the scheme before N = Z used the charge density)
        charge_kind, neutron_kind = "fourier-bessel", "helm"
        charge = staticmethod(lambda Q2: ff.NuclearFormFactors("C12", 12).charge(Q2))
        neutron = staticmethod(lambda Q2: ff.helm(Q2, 12))

    model = ModelParameters.from_dict(dict(m4=0.001, Umu4=3e-2, UD4=0.0, epsilon=0.0, HNLtype="dirac"))
    case = ProcessCase("nu_mu", 4, "C12", "coherent", "both")
    new = UpscatteringXsec(case, model)
    old = UpscatteringXsec(case, model)
    old.target = CoherentTarget(nucleus("C12"), OldDefault())
    E, M = 1.0, nucleus("C12").mass
    s2 = C.SW2
    gp, gn = 0.5 - 2 * s2, -0.5
    Q2max = 2 * M * 2 * E**2 / (M + 2 * E)

    def freedman(Fn):
        def f(Q2):
            T = Q2 / (2 * M)
            return (6 * gp * OldDefault.charge(Q2) + 6 * gn * Fn(Q2)) ** 2 * (1 - T / E - M * T / (2 * E**2))
        return integrate.quad(f, 0.0, Q2max, limit=400, epsrel=1e-10, points=[0.01, 0.1, 0.3])[0]

    ref = freedman(OldDefault.charge) / freedman(OldDefault.neutron)
    got = new.sigma(E) / old.sigma(E)
    assert got == pytest.approx(ref, rel=2e-4)
    assert 1.10 < got < 1.18
