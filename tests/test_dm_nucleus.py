"""chi-nucleon (p, n) and coherent chi-nucleus scattering of light dark matter (physics/dm_scattering.py,
processes/dm_targets.py, the events of processes/dark_matter.py): each check against something
independent (closed forms coded here, a published formula, quadrature, limits)."""

import math

import numpy as np
import pytest

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.models import ModelParameters
from darkbeam.physics import dm_scattering as S
from darkbeam.units import HBARC2_GEV2_CM2

ALPHA = C.ALPHA_EM
KW = dict(m_aprime=0.03, eps=1e-3, alpha_d=0.5)
MU_N, MU_P = -1.91304273, 2.79284734463


def _params(**kw):
    return ModelParameters.from_dict({"mzprime": 0.03, "mchi": 0.01, "epsilon": 1e-3, "alphaD": 0.5, **kw})


# ------------------------------------------------------------------ chi n


@pytest.mark.parametrize("scalar", [False, True])
def test_neutron_uses_galster_and_dipole_sachs_form_factors(scalar):
    """dsigma_dER_neutron = the spin-1/2 tensor with G_E^n = -mu_n tau G_D/(1 + 5.6 tau) (Galster 1971) and
    G_M^n = mu_n G_D, G_D = (1 + Q^2/0.71)^-2, coded here from the closed forms."""
    E, ER = 2.0, np.array([1e-4, 1e-2, 0.1, 0.5])
    M = C.M_NEUTRON
    Q2 = 2 * M * ER
    tau = Q2 / (4 * M * M)
    GD = 1 / (1 + Q2 / 0.71) ** 2
    GE, GM = -MU_N * tau * GD / (1 + 5.6 * tau), MU_N * GD
    ref = S.dsigma_dER(E, ER, m_chi=0.01, M=M, scalar_chi=scalar, G_E=GE, G_M=GM, **KW)
    got = S.dsigma_dER_neutron(E, ER, m_chi=0.01, scalar_chi=scalar, **KW)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=0)
    # Sachs closed forms: G_E^n(0) = 0, F1^n(0) = 0, F2^n(0) = mu_n (the anomalous moment is all of it)
    from darkbeam.physics.form_factors import NucleonFormFactors

    _, _, gen0, gmn0 = NucleonFormFactors().sachs(0.0, M)
    f1p, f2p, f1n, f2n = NucleonFormFactors().dirac_pauli(0.0, M)
    assert (float(gen0), float(gmn0), float(f1n), float(f2n)) == pytest.approx((0.0, MU_N, 0.0, MU_N), abs=1e-15)
    assert (float(f1p), float(f2p)) == pytest.approx((1.0, MU_P - 1.0), abs=1e-12)


@pytest.mark.parametrize("scalar", [False, True])
def test_neutron_rate_vanishes_as_q2_to_zero_relative_to_proton(scalar):
    """G_E^n(0) = 0: chi n / chi p -> 0 as Q^2 -> 0, as mu_n^2 tau p^2/E^2 (M_n/M_p) to first order in tau (the
    G_M^2 terms; docs/dark_matter.md "chi-neutron"), for both chi spins."""
    E, m_chi = 1.5, 0.01
    p2 = E * E - m_chi**2
    prev = None
    for ER in (1e-8, 1e-7, 1e-6):
        tau = 2 * C.M_NEUTRON * ER / (4 * C.M_NEUTRON**2)
        r = S.dsigma_dER_neutron(E, ER, m_chi=m_chi, scalar_chi=scalar, **KW) / \
            S.dsigma_dER_proton(E, ER, m_chi=m_chi, scalar_chi=scalar, **KW)
        lead = MU_N**2 * tau * p2 / E**2 * C.M_NEUTRON / C.M_PROTON  # M_n/M_p: the 1/(2M) and (K.P)^2 ~ M^2
        assert float(r) == pytest.approx(lead, rel=1e-5, abs=0)
        if prev is not None:
            assert float(r) == pytest.approx(10 * prev, rel=1e-3)  # linear in Q^2
        prev = float(r)
    # magnetic scaling: with G_E = 0 on both, chi n / chi p = (mu_n/mu_p)^2 at any Q^2 (the same dipole G_D)
    ER = np.array([0.01, 0.3])
    Q2 = 2 * C.M_PROTON * ER
    GD = 1 / (1 + Q2 / 0.71) ** 2
    kw = dict(m_chi=m_chi, M=C.M_PROTON, scalar_chi=scalar, G_E=0.0, **KW)
    np.testing.assert_allclose(S.dsigma_dER(E, ER, G_M=MU_N * GD, **kw) / S.dsigma_dER(E, ER, G_M=MU_P * GD, **kw),
                               (MU_N / MU_P) ** 2, rtol=1e-12)


def test_cross_section_targets_and_neutron_window():
    """cross_section(..., 'n') = sigma_total of the neutron kernel; below 1 % of chi p at E = 1 GeV with a
    35 MeV threshold (G_E^n small, the magnetic part tau-suppressed)."""
    p = _params()
    sn = S.cross_section(p, [1.0], "n", er_min=0.035)
    sp = S.cross_section(p, [1.0], "p", er_min=0.035)
    ref = S.sigma_total(S.dsigma_dER_neutron, [1.0], M=C.M_NEUTRON, m_chi=0.01, er_min=0.035, **KW)
    assert sn[0] == pytest.approx(ref[0], rel=1e-12)
    assert 0 < sn[0] < 0.3 * sp[0]


# ------------------------------------------------------------------ coherent


@pytest.mark.parametrize("nucleus", ["Ar40", "C12"])
def test_coherent_equals_published_point_target_form_up_to_magnetic_terms(nucleus):
    """Fermion chi: pyCEvNS's chi-nucleus rate (Ikaroshu/pyCEvNS events.py DMNucleusElasticVector, commit
    c5bf63d; the Dirac point-target formula of 1903.10505 eq. 3.1 with m_e -> M, times Z^2 F^2)
        4 pi eps^2 alpha alpha_D Z^2 F^2 [2 M E^2 - 2 M E E_R - (M^2 + m_chi^2) E_R + M E_R^2] / [p^2 (m_A'^2 + 2 M E_R)^2]
    differs from the spin-0 nucleus exactly by the magnetic terms (M E_R^2 - m_chi^2 E_R) Z^2 F^2 x the same
    prefactor; scalar chi: the 1903.10505 scalar form with m_e -> M differs by (M E_R^2/2 + m_chi^2 E_R).
    Both vanish relative to the rate as E_R -> 0 (the point-proton limit with M -> M_nucleus)."""
    from darkbeam.physics.form_factors import NuclearFormFactors
    from darkbeam.physics.nuclear import nucleus as nuc

    A = nuc(nucleus)
    M, Z = A.mass, A.Z
    E, m_chi, ma = np.array([0.05, 0.5, 3.0])[:, None], 0.01, 0.03
    ER = np.array([1e-6, 3e-5, 1e-3])[None, :]
    ER = np.minimum(ER, 0.5 * S.recoil_max(E, m_chi, M))
    F2 = NuclearFormFactors(A.name, A.A).charge(2 * M * ER) ** 2
    p2 = E * E - m_chi**2
    D = (ma**2 + 2 * M * ER) ** 2
    pref = 4 * np.pi * 1e-6 * ALPHA * 0.5 * Z**2 * F2 / (p2 * D) * HBARC2_GEV2_CM2
    pycevns = pref * (2 * M * E**2 - 2 * M * E * ER - (M**2 + m_chi**2) * ER + M * ER**2)
    ours = S.dsigma_dER_nucleus(E, ER, A.name, m_chi=m_chi, **KW)
    np.testing.assert_allclose(ours - pycevns, -pref * (M * ER**2 - m_chi**2 * ER), rtol=1e-7, atol=1e-12 * ours.max())
    scal = pref * (2 * M * E**2 - ER * (m_chi**2 + 2 * M * E))
    ours_s = S.dsigma_dER_nucleus(E, ER, A.name, m_chi=m_chi, scalar_chi=True, **KW)
    np.testing.assert_allclose(ours_s - scal, pref * (M * ER**2 / 2 + m_chi**2 * ER), rtol=1e-7, atol=1e-12 * ours_s.max())
    # low-q limit: Z^2 F^2 x the point-like spin-1/2 proton (G_E = G_M = 1) with M -> M_nucleus
    pt = S.dsigma_dER(E, ER, m_chi=m_chi, M=M, G_E=1.0, G_M=1.0, **KW) * Z**2 * F2
    small = ER[0, 0]
    assert np.all(np.abs(ours[:, 0] / pt[:, 0] - 1) < 5 * small * M / E[:, 0] ** 2)


def test_coherent_heavy_mediator_total_cross_section_closed_form():
    """m_A' >> q, F = 1 limit (no form factor), E_R^max << E: sigma = 4 pi eps^2 alpha alpha_D Z^2 x 2 M E^2
    E_R^max / (p^2 m_A'^4) to O(E_R^max M / E^2); with the charge form factor the rate falls below Z^2 x it."""
    from darkbeam.physics.nuclear import nucleus as nuc

    A = nuc("Ar40")
    E, m_chi, ma = 0.02, 0.001, 5.0
    tmax = float(S.recoil_max(E, m_chi, A.mass))
    kw = dict(m_aprime=ma, eps=1e-3, alpha_d=0.5)
    nof = S.sigma_total(lambda e, t, **k: S.dsigma_dER(e, t, M=A.mass, spin0=True, charge2=A.Z**2, **k), [E],
                        M=A.mass, m_chi=m_chi, **kw)[0]
    ref = 4 * np.pi * 1e-6 * ALPHA * 0.5 * A.Z**2 * 2 * A.mass * E**2 * tmax / ((E**2 - m_chi**2) * ma**4) * HBARC2_GEV2_CM2
    assert nof == pytest.approx(ref, rel=2 * tmax * A.mass / E**2 + 1e-6)
    withf = S.sigma_total(S.dsigma_dER_nucleus, [E], M=A.mass, m_chi=m_chi, nucleus="Ar40", **kw)[0]
    assert 0.5 * nof < withf < nof


# ------------------------------------------------------------------ events


@pytest.mark.parametrize("target", ["n", "Ar40", "C12"])
def test_event_weights_are_unbiased_for_the_quadrature_rate(target):
    """E[w] over the log-uniform recoil draws = 2 n L sigma(E) of dm_scattering.sigma_total over the
    window (threshold 20 keVnr for Ar, 100 keVnr for C, 35 MeV for n), fermion and scalar chi;
    momentum conservation with the nucleus's mass; Q^2 = 2 M T."""
    from darkbeam.processes.dark_matter import _scatter
    from darkbeam.processes.dm_targets import kernel

    n = 40_000
    M, dsig = kernel(target)
    lo = {"n": 0.035, "Ar40": 20e-6, "C12": 100e-6}[target]
    for dm_type in ("fermion", "scalar"):
        p = _params(dm_type=dm_type)
        E = np.full(n, 2.0)
        lab = np.zeros((n, 1, 4))
        lab[:, 0, 0] = E
        lab[:, 0, 3] = np.sqrt(E * E - 0.01**2)
        prod = {"lab": lab, "bounds": np.tile([10.0, 60.0, 80.0, 130.0], (n, 1)), "x0": np.zeros((n, 3)),
                "t0": np.zeros(n)}
        f, T, p_in, p_rec, p_out, _ = _scatter(prod, 0, p, 1e22, lo, None, np.random.default_rng(7), target)
        sig = S.sigma_total(dsig, [2.0], M=M, m_chi=0.01, er_min=lo, n=400, scalar_chi=dm_type == "scalar", **KW)[0]
        ref = 2.0 * 1e22 * 100.0 * sig
        assert f.mean() == pytest.approx(ref, rel=4 * f.std() / math.sqrt(n) / ref, abs=0)
        np.testing.assert_allclose(p_in[:, 1:] - p_out[:, 1:] - p_rec[:, 1:], 0.0, rtol=0, atol=1e-12)
        np.testing.assert_allclose(p_rec[:, 0] - M, T, rtol=1e-9, atol=0)
        assert T.min() >= lo * (1 - 1e-12)


@pytest.fixture(scope="module")
def coherent_mb():
    from darkbeam.processes.dark_matter import simulate

    return simulate(_params(), "miniboone_dump", n=400, rng=np.random.default_rng(4), n_parents=2**11, seed=4,
                    target="nucleus")


def test_coherent_events_sum_to_the_quadrature_rate(coherent_mb):
    """The same seed gives the same chi arrivals (chi_arrivals runs first in simulate): sum(w) of the
    coherent C12 events = sum over chi of 2 w_rate n_C L sigma(E) (Gauss-Legendre quadrature above the
    100 keVnr threshold), within the recoil-sampling error; the recoil is C12 (PDG 1000060120)."""
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.physics.nuclear import nucleus
    from darkbeam.processes.dark_matter import chi_arrivals

    ev = coherent_mb
    arr, _, exp, _, _ = chi_arrivals(_params(), "miniboone_dump", n=400, rng=np.random.default_rng(4),
                                      n_parents=2**11, seed=4)
    c12 = next(t for t in load_experiment("miniboone_fhc").targets if t.name == "C12")
    dens = c12.n_nuclei / exp.target_volume.volume
    M = nucleus("C12").mass
    expect = 0.0
    for ch, prod in arr:
        E = prod["lab"][:, ch.llp_index, 0]
        bnd = prod["bounds"]
        L = np.clip(bnd[:, 1::2] - bnd[:, 0::2], 0.0, None).sum(axis=1)
        sig = S.sigma_total(S.dsigma_dER_nucleus, E, M=M, m_chi=0.01, er_min=1e-4, nucleus="C12", n=200, **KW)
        expect += float(np.sum(2.0 * prod["w_rate"] * dens * L * sig))
    got = ev.w.sum()
    err = math.sqrt(float(np.sum(ev.w**2)))  # recoil-sampling spread (upper bound on its error)
    assert got == pytest.approx(expect, abs=3 * err, rel=0)
    assert {c.recoil for c in ev.cases} == {1000060120} and {c.regime for c in ev.cases} == {"dm-coherent"}
    assert ev.meta["nucleus_response"][0]["threshold_keVnr"] == 100.0
    np.testing.assert_allclose(ev.columns["Q2"], 2 * M * (ev.energy("recoil") - M), rtol=1e-6, atol=0)


def test_nucleus_threshold_override_is_the_window(coherent_mb):
    """A 1 MeVnr threshold (a what-if for a MeV-threshold readout) is the generator's window: recoils only
    above 1 MeV, fewer events than above 100 keVnr for the same chi (same seed), recorded in the meta; a
    bad threshold is one line."""
    from darkbeam.processes.dark_matter import simulate

    ev = simulate(_params(), "miniboone_dump", n=400, rng=np.random.default_rng(4), n_parents=2**11, seed=4,
                  target="nucleus", nucleus_threshold_keVnr=1000.0)
    assert ev.meta["nucleus_response"][0]["threshold_keVnr"] == 1000.0
    T = ev.energy("recoil") - ev.mass("recoil")
    assert T.min() >= 1e-3 * (1 - 1e-6)
    assert 0 < ev.w.sum() < coherent_mb.w.sum()
    with pytest.raises(ConfigurationError, match="keVnr"):
        simulate(_params(), "miniboone_dump", n=10, rng=np.random.default_rng(4), target="nucleus",
                 nucleus_threshold_keVnr=-1.0)


def test_coherent_events_reweight_exactly_and_observables(coherent_mb):
    """eps x 3: weights x 81 (rescale; the coherent rate ~ eps^2 like the production); the quenched
    energy (Lindhard for C) is below T_nr and above 0; efficiency 1 above the threshold."""
    from darkbeam.processes.dark_matter import reweight
    from darkbeam.processes.dm_targets import lindhard_k, recoil_observables

    r = reweight(coherent_mb, {"epsilon": 3e-3})
    np.testing.assert_allclose(r.w, 81 * coherent_mb.w, rtol=1e-12)
    T, Tee, eff = recoil_observables(coherent_mb)
    assert np.all((Tee > 0) & (Tee < T)) and np.all(eff == 1.0)
    assert lindhard_k(32, 72) == pytest.approx(0.157, abs=2e-3)  # Ge: the ge_2024 value


def test_targets_and_cli_errors(capsys):
    """Unknown targets fail in one line (API and CLI, exit 2, no traceback)."""
    from darkbeam.cli.main import main
    from darkbeam.processes.dm_targets import parse_targets

    assert parse_targets("p, n") == ("p", "n")
    with pytest.raises(ConfigurationError, match="unknown dark-matter target"):
        parse_targets("x")
    with pytest.raises(ConfigurationError, match="twice"):
        parse_targets(["p", "p"])
    code = main(["generate", "--process", "dark-matter", "--set", "mzprime=0.03", "--set", "mchi=0.01", "-n", "100",
                 "--regime", "nuclear"])
    err = capsys.readouterr().err
    assert code == 2 and "--regime" in err and "coherent" in err and "Traceback" not in err


# ------------------------------------------------------------------ COHERENT CsI (pi0 at rest)


def _coherent_curve():
    from pathlib import Path

    from darkbeam.analysis import searches

    f = Path(searches.__file__).parent / "curves" / "coherent_csi_dm_y.csv"
    rows = [ln for ln in f.read_text().splitlines() if ln and not ln.startswith("#")][1:]
    return np.array([[float(x) for x in r.split(",")] for r in rows]).T


def test_coherent_csi_events_on_the_published_curve_are_flat_below_30_mev():
    """COHERENT CsI 2110.11453 (digitized, scalar chi, m_A' = 3 m_chi, alpha_D = 0.5): the coherent events that
    darkbeam predicts on the published Y curve (pi0 at rest, csi_2021 exposure and response) are constant in
    m_chi within +-40 % from 2 to 30 MeV where the pi0 channel dominates (benchmark: 0.78-1.28), i.e. darkbeam
    has the published m_chi dependence; they scale as eps^4 and with the pi0 yield; closed above m_pi0/2."""
    from darkbeam.analysis.dm_nucleus import coherent_events_pi0_at_rest

    mx, my = _coherent_curve()
    vals = []
    for m in (0.002, 0.01, 0.03):
        y = float(np.exp(np.interp(np.log(m), np.log(mx), np.log(my))))
        eps = math.sqrt(y * 81 / 0.5)  # Y = eps^2 alpha_D / 81
        p = ModelParameters.from_dict({"mchi": m, "mzprime": 3 * m, "epsilon": eps, "alphaD": 0.5, "dm_type": "scalar"})
        vals.append(coherent_events_pi0_at_rest(p, n=4000, nodes=32))
    rel = np.array(vals) / vals[0]
    assert np.all((rel > 0.6) & (rel < 1.4)), rel
    p = ModelParameters.from_dict({"mchi": 0.01, "mzprime": 0.03, "epsilon": 1e-4, "alphaD": 0.5, "dm_type": "scalar"})
    a = coherent_events_pi0_at_rest(p, n=4000, nodes=32)
    b = coherent_events_pi0_at_rest(p.model_copy(update={"epsilon": 2e-4}), n=4000, nodes=32, pi0_per_pot=0.5)
    assert b == pytest.approx(8 * a, rel=1e-6)
    closed = ModelParameters.from_dict({"mchi": 0.07, "mzprime": 0.21, "epsilon": 1e-3, "alphaD": 0.5})
    assert coherent_events_pi0_at_rest(closed, n=1000) == 0.0
    with pytest.raises(ConfigurationError, match="pi0_per_pot"):
        coherent_events_pi0_at_rest(p, pi0_per_pot=float("nan"))
