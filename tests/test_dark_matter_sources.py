"""chi from vector-meson mixing (physics/production/dark_matter_vectors.py) and from the A' of the target's
photon showers (processes/dark_matter_sources.py): closed forms, two-body kinematics, brute-force ray
counting of the forced chi directions, and the per-source shares of a run."""

import math

import numpy as np
import pytest

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError, ParameterError
from darkbeam.models import ModelParameters


def _params(**kw):
    return ModelParameters.from_dict({"mzprime": 0.6, "mchi": 0.2, "epsilon": 1e-3, "alphaD": 0.5, **kw})


def _phase(m, mf, scalar):
    """Width of a vector of mass m into f f-bar per unit g^2 m/(12 pi): (1 + 2x) sqrt(1 - 4x) (Dirac), (1/4)
    (1 - 4x)^(3/2) (complex scalar), x = mf^2/m^2 (written out here, independent of physics.zprime_decays)."""
    x = mf * mf / (m * m)
    return 0.25 * (1 - 4 * x) ** 1.5 if scalar else (1 + 2 * x) * math.sqrt(1 - 4 * x)


@pytest.mark.parametrize("scalar", [False, True])
@pytest.mark.parametrize("m_a", [0.3, 0.78, 2.0])
def test_vector_br_is_the_vmd_ratio_to_br_ee(m_a, scalar):
    """Br(V -> chi chi-bar) = Br(V -> ee) eps^2 (alpha_D/alpha) [phase space chi / phase space e]
    m_V^4/|m_V^2 - m_A'^2 + i m_A' Gamma_A'|^2 (eq. DMV) written out with the closed-form phase spaces;
    below, at and above the omega pole."""
    from darkbeam.physics.production.dark_matter_vectors import br_vector_to_chichi

    m_v, br_ee, eps2, a_d, m_chi, gam = C.M_OMEGA, 7.38e-5, 1e-6, 0.5, 0.12, 0.05
    ref = (br_ee * eps2 * a_d / C.ALPHA_EM * _phase(m_v, m_chi, scalar) / _phase(m_v, C.M_E, False)
           * m_v**4 / ((m_v**2 - m_a**2) ** 2 + (m_a * gam) ** 2))
    got = br_vector_to_chichi(m_v, br_ee, eps2, a_d, m_a, gam, m_chi, scalar)
    assert got == pytest.approx(ref, rel=1e-10, abs=0)


def test_vector_br_limits():
    """(1) A massless A' with alpha_D = alpha and chi of the electron's mass is a second photon of strength
    eps: Br = eps^2 Br(V -> ee) exactly; (2) the m_e -> 0 form 3 eps^2 Br_ee m_V^3 Gamma_D(m_V)/(alpha D)
    (BdNMC's expression) to O(m_e^2/m_V^2); (3) four-fermion limit: x 1/16 for m_A' x 2 far above m_V;
    (4) closed at 2 m_chi >= m_V."""
    from darkbeam.physics.production.dark_matter_vectors import br_vector_to_chichi

    for m_v, br_ee in ((C.M_RHO, 4.72e-5), (C.M_PHI, 2.979e-4)):
        assert br_vector_to_chichi(m_v, br_ee, 1e-6, C.ALPHA_EM, 0.0, 0.0, C.M_E) == pytest.approx(1e-6 * br_ee,
                                                                                                    rel=1e-12, abs=0)
        m_a, gam, m_chi, a_d = 0.5, 0.03, 0.1, 0.5
        gamma_d = a_d * m_v / 3.0 * _phase(m_v, m_chi, False)
        bdnmc = 3 * 1e-6 * br_ee * m_v**3 * gamma_d / (C.ALPHA_EM * ((m_v**2 - m_a**2) ** 2 + (m_a * gam) ** 2))
        assert br_vector_to_chichi(m_v, br_ee, 1e-6, a_d, m_a, gam, m_chi) == pytest.approx(bdnmc, rel=3e-6, abs=0)
        r = br_vector_to_chichi(m_v, br_ee, 1e-6, a_d, 50.0, 0.0, m_chi) / br_vector_to_chichi(m_v, br_ee, 1e-6, a_d,
                                                                                                 100.0, 0.0, m_chi)
        assert r == pytest.approx(16.0, rel=1e-3, abs=0)
        assert br_vector_to_chichi(m_v, br_ee, 1e-6, a_d, m_a, gam, 0.5 * m_v) == 0.0


def test_model_vector_br_uses_the_model_width_and_scales_as_eps2():
    """br_vector_meson_to_dark_matter: eq. DMV with the model's A' total width (decay table) and alpha_D;
    eps x 2 -> x 4 (up to the O(eps^2) visible share of the width); phi closed above m_phi/2; unknown
    parent: one ConfigurationError."""
    from darkbeam.physics.decays import decay_table
    from darkbeam.physics.production.dark_matter_vectors import (BR_EE, MASS, br_vector_meson_to_dark_matter,
                                                                 br_vector_to_chichi)

    p = _params()
    gam = decay_table(p, "zprime").total_width
    for v in ("rho0", "omega", "phi"):
        ref = br_vector_to_chichi(MASS[v], BR_EE[v], 1e-6, 0.5, 0.6, gam, 0.2)
        assert br_vector_meson_to_dark_matter(p, v) == pytest.approx(ref, rel=1e-6, abs=0)
        assert br_vector_meson_to_dark_matter(_params(epsilon=2e-3), v) == pytest.approx(4 * ref, rel=1e-4, abs=0)
    assert br_vector_meson_to_dark_matter(_params(mchi=0.52, mzprime=1.6), "phi") == 0.0
    with pytest.raises(ConfigurationError, match="unknown vector meson"):
        br_vector_meson_to_dark_matter(p, "K*0")


def test_chi_pairs_conserve_weight_and_four_momentum():
    """A' -> chi chi-bar pairs (isotropic, unpolarised): chi plus chi-bar weigh 2 BR x the A' weight (exactly),
    each pair sums to the A' four-momentum, and for a monochromatic A' the chi energy is uniform between
    gamma (E* -+ beta p*) (mean E/2, variance (E+ - E-)^2/12) and its angle to the A' stays below
    sin(theta_max) = p*/(m_chi gamma beta) (the A' faster than chi in its rest frame)."""
    from darkbeam.processes.dark_matter_sources import chi_pairs

    n, m_a, m_chi, br, E = 200_000, 0.3, 0.1, 0.37, 2.0
    p = math.sqrt(E * E - m_a * m_a)
    k4 = np.tile([E, 0.0, 0.0, p], (n, 1))
    w = np.random.default_rng(0).random(n)
    chi, chibar, wc = chi_pairs(k4, w, m_a, m_chi, br, np.random.default_rng(1))
    assert 2 * wc.sum() == pytest.approx(2 * br * w.sum(), rel=1e-12, abs=0)
    np.testing.assert_allclose(chi + chibar, k4, rtol=0, atol=1e-12)
    ps = 0.5 * math.sqrt(m_a**2 - 4 * m_chi**2)
    es, g, b = 0.5 * m_a, E / m_a, p / E
    lo, hi = g * (es - b * ps), g * (es + b * ps)
    e = chi[:, 0]
    assert e.min() >= lo - 1e-12 and e.max() <= hi + 1e-12
    assert e.mean() == pytest.approx(E / 2, abs=4 * (hi - lo) / math.sqrt(12 * n))
    assert e.var() == pytest.approx((hi - lo) ** 2 / 12, rel=0.02)
    th = np.arccos(np.clip(chi[:, 3] / np.linalg.norm(chi[:, 1:], axis=1), -1, 1))
    th_max = math.asin(ps / (m_chi * g * b))
    assert th.max() <= th_max + 1e-9 and th.max() > 0.99 * th_max
    with pytest.raises(ParameterError):
        chi_pairs(k4[:2], w[:2], 0.15, 0.1, br, np.random.default_rng(1))


def _brute_force(ps, place, vol, m_parent, m_chi, m=200_000, seed=2):
    """chi per POT (one per pair, BR = 1) whose straight line crosses vol: explicit decays, rays intersected."""
    from darkbeam.processes.dark_matter_sources import chi_pairs

    rng = np.random.default_rng(seed)
    W = np.asarray(ps.weight)
    idx = rng.choice(len(ps), size=m, p=W / W.sum())
    P4 = np.asarray(ps.p4)[idx]
    P4 = np.column_stack([P4[:, 0], place.vectors_to_detector(P4[:, 1:])])
    chi, _, _ = chi_pairs(P4, np.ones(m), m_parent, m_chi, 1.0, rng)
    u = chi[:, 1:] / np.linalg.norm(chi[:, 1:], axis=1)[:, None]
    a, b = vol.segments(place.points_to_detector(np.asarray(ps.position)[idx]), u)
    hit = (np.asarray(b) > np.asarray(a)).reshape(m, -1).any(axis=1)
    return W.sum() * hit.mean(), W.sum() * math.sqrt(max(hit.mean(), 1.0 / m) / m)


@pytest.mark.parametrize("source", ["omega", "shower"])
def test_forced_chi_directions_match_brute_force(source):
    """sum(w_rate) of the forced chi directions (meson_decay.produce_toward_volume with a ChiPairChannel) =
    the chi of explicit isotropic decays whose rays cross DUNE ND: omega -> chi chi-bar (omega of the
    LBNF beam model, on the beam axis) and shower A' -> chi chi-bar (production points spread through the
    target).  The forced weights have a heavy tail (the Jacobian's integrable edge where the parent outruns
    the chi's rest-frame speed), so their error is a sample estimate: 4 of them plus the binomial error."""
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.processes.dark_matter import _placement, _TwoBodySampler, setup_of
    from darkbeam.processes.dark_matter_sources import ChiPairChannel
    from darkbeam.processes.meson_decay import produce_toward_volume

    st = setup_of("dune_nd")
    exp = load_experiment(st.experiment)
    place = _placement(st, exp, 0.0)
    m_chi = 0.01
    if source == "omega":
        from darkbeam.sources.parents import parent_sample

        ps, m_parent, pm = parent_sample("lbnf", "omega", n=2**11, seed=2), C.M_OMEGA, None
    else:
        from darkbeam.processes.shower_llp import shower_sample

        ps, _ = shower_sample("lbnf", 0.05, showers=8, vectors=4000, seed=3)
        m_parent = pm = 0.05
    ch = ChiPairChannel(br=1.0, parent="omega" if pm is None else "zprime", llp="chi",
                        sampler=_TwoBodySampler(m_parent, m_chi), label="test", parent_mass=pm)
    n = 20_000
    forced = produce_toward_volume(ch, ps, place, exp.target_volume, _params(mchi=m_chi, mzprime=0.05), n,
                                   np.random.default_rng(10), 1.0)
    brute, err = _brute_force(ps, place, exp.target_volume, m_parent, m_chi, m=300_000, seed=20)
    per = np.bincount(forced["draw"], weights=forced["w_rate"], minlength=n)
    err_f = math.sqrt(n * per.var(ddof=1))
    assert forced["w_rate"].sum() == pytest.approx(brute, rel=0, abs=4 * math.hypot(err, err_f))


def test_run_lists_every_source_with_its_share():
    """A MiniBooNE-dump run at m_chi = 200 MeV (m_A' = 600 MeV): the rho0, omega, phi mixing channels are
    there with BR of eq. DMV and carry most events (eta, eta' are nearly closed); shares sum to 1; each
    channel's chi toward the detector is 2 BR x (its own w_rate sum / BR), i.e. linear in BR; without the new
    sources they are absent."""
    from darkbeam.physics.production.dark_matter_vectors import br_vector_meson_to_dark_matter
    from darkbeam.processes.dark_matter import simulate

    from dataclasses import replace

    from darkbeam.processes.dark_matter import setup_of

    p, st = _params(), replace(setup_of("miniboone_dump"), showers=8)
    ev = simulate(p, st, n=300, rng=np.random.default_rng(1), n_parents=2**10, seed=1)
    rows = {r["channel"]: r for r in ev.meta["summary"]}
    vmd = {v: rows[f"VMD mixing, {v} -> chi chi_bar"] for v in ("rho0", "omega", "phi")}
    for v, r in vmd.items():
        assert r["br"] == pytest.approx(br_vector_meson_to_dark_matter(p, v), rel=1e-12, abs=0)
    assert sum(r["share"] for r in rows.values()) == pytest.approx(1.0, abs=1e-12)
    assert sum(r["chi_share"] for r in rows.values()) == pytest.approx(1.0, abs=1e-12)
    assert sum(r["share"] for r in vmd.values()) > 0.5
    sh = rows["gamma(pi0, eta) shower -> zprime, zprime -> chi chi_bar"]
    assert sh["shower_yield_per_pot_eps1"] > 0 and sh["showers"] == 8
    from darkbeam.physics.decays import decay_table

    tab = decay_table(p, "zprime")  # the shower A' -> chi chi-bar: eps^2 x the decay table's invisible share
    inv = sum(c.width for c in tab.channels if "chi" in c.daughters) / tab.total_width
    assert sh["br"] == pytest.approx(1e-6 * inv, rel=1e-9, abs=0) and 0.99 < inv < 1.0
    old = simulate(p, st, n=300, rng=np.random.default_rng(1), n_parents=2**10, seed=1, shower=False,
                   vector_mesons=False)
    names = [r["channel"] for r in old.meta["summary"]]
    assert not any("VMD" in c or "shower" in c for c in names) and "eta -> gamma chi chi_bar" in names


def test_shower_materials_take_the_beam_configs_element_symbols():
    """The BNB dump's target is 'Fe' and the BNB's 'Be' (sources/beam/configs.py): the shower materials take
    the symbols as the named single-element materials (same object); an unknown one is still one line."""
    from darkbeam.physics.shower.materials import shower_material

    assert shower_material("Fe") is shower_material("iron") and shower_material("Be") is shower_material("beryllium")
    assert shower_material("C").name == "graphite"
    with pytest.raises(ConfigurationError, match="unknown material 'Xx'") as exc:
        shower_material("Xx")
    assert "fe," not in str(exc.value) and "iron" in str(exc.value)
