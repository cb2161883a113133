"""ALP events at the DUNE ND (Primakoff conversion of target photons), the dune_nd_alp template and the
NuHepMC background reader (docs/alps.md)."""

import math

import numpy as np
import pytest

from darkbeam.errors import DarkbeamError, DataError
from darkbeam.models import ModelParameters


@pytest.fixture(scope="module")
def src():
    from darkbeam.sources.parents.primakoff import primakoff_source

    return primakoff_source("lbnf", 0.05, n=2**11)


def test_primakoff_yield_closed_form(src):
    """pi0 at rest inside an (effectively) infinite target: every photon (E = m_pi/2) converts with
    P = sigma_P(E)/sigma_pair exactly (PR1 with L >> lambda)."""
    import copy

    from darkbeam.physics import primakoff
    from darkbeam.physics.form_factors import NuclearFormFactors
    from darkbeam.sources.beam.configs import Target
    from darkbeam.sources.parents.sample import ParentSample
    from darkbeam.sources.shower.proton_dump import BR_GAMMA_GAMMA, MESON_MASS

    s = copy.copy(src)
    m_pi = MESON_MASS["pi0"]
    n = 64
    s.mesons = {"pi0": ParentSample("pi0", np.tile([m_pi, 0, 0, 0], (n, 1)).astype(float), np.zeros((n, 3)),
                                    np.zeros(n), np.full(n, 2.0 / n), "lbnf", "test")}
    s.target = Target("graphite", 1e7, 1e7, -5e6)
    d = s.draw(4000, np.random.default_rng(1))
    sig = primakoff.sigma([m_pi / 2], m_a=0.05, g_agg=1.0, Z=6, form_factor=NuclearFormFactors("C12", 12).charge)[0]
    expect = 2.0 * 2 * BR_GAMMA_GAMMA["pi0"] * sig / s.sigma_pair_cm2
    assert d["weight"].sum() == pytest.approx(expect, rel=2e-3, abs=0)   # table interpolation (log-log)
    np.testing.assert_allclose(d["k4"][:, 0], m_pi / 2, rtol=1e-12, atol=0)   # E_a = E_gamma (no recoil)


def test_primakoff_angles_follow_dsigma(src):
    """<log theta> of the sampled ALP angles against a quadrature of dsigma/dtheta at a table energy."""
    from darkbeam.physics import primakoff
    from darkbeam.physics.form_factors import NuclearFormFactors

    E = float(src.E_grid[60])
    th = src.sample_theta(np.full(20000, E), np.random.default_rng(2))
    x = np.geomspace(1e-3 * 0.05**2 / (2 * E * E), math.pi, 200001)
    f = primakoff.dsigma_dtheta(E, x, m_a=0.05, g_agg=1.0, Z=6, form_factor=NuclearFormFactors("C12", 12).charge)
    ref = np.trapezoid(f * np.log(x), x) / np.trapezoid(f, x)
    lt = np.log(th)
    assert abs(lt.mean() - ref) < 5 * lt.std() / math.sqrt(lt.size)


@pytest.fixture(scope="module")
def run():
    from darkbeam.processes.meson_run import run_meson_decay

    p = ModelParameters.from_dict({"ma": 0.1, "g_agg": 1e-5})
    return run_meson_decay(p, "dune_nd_fhc", n=600, seed=3, beam="lbnf", n_parents=2**11)


def test_alp_events_at_dune_nd(run):
    ev = run.events
    assert [c.name for c in ev.cases] == ["gamma N -> alp N (Primakoff)"]
    assert {ch.name for ch in ev.channels} == {"alp -> gamma gamma"}
    pa, d1, d2 = ev.p4("hnl"), ev.p4("d1"), ev.p4("d2")
    # a -> gamma gamma conserves four-momentum; the ALP is on shell; photons massless
    np.testing.assert_allclose(d1 + d2, pa, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(pa[:, 0] ** 2 - (pa[:, 1:] ** 2).sum(1), 0.1**2, rtol=1e-6, atol=0)
    assert np.all(ev.pdg("d1") == 22) and np.all(ev.pdg("d2") == 22)
    # decays inside the ND-LAr box (detector frame, cm)
    u = pa[:, 1:] / np.linalg.norm(pa[:, 1:], axis=1)[:, None]
    x = np.column_stack([ev["x"], ev["y"], ev["z"]]) + ev["l_decay"][:, None] * u   # production point + flight
    assert np.all(np.abs(ev["z"] + 57400.0) < 300.0)    # made in the LBNF target, 574 m upstream
    assert np.all(np.abs(x) <= np.array([350.0, 150.0, 250.0]) * (1 + 1e-9))
    w = ev.w
    assert np.isfinite(w).all() and (w >= 0).all() and w.sum() > 0
    assert run.summary["decay_in_volume"]["total"] == pytest.approx(w.sum(), rel=1e-9, abs=0)


def test_alp_reweight_exact_in_g_agg(run):
    """g_agg x2: production x4, c tau / 4: p_decay = sum_j e^(-a_j/L) - e^(-b_j/L) recomputed with L/4."""
    from darkbeam.processes.meson_decay import reweight

    ev = run.events
    new = reweight(ev, {"g_agg": 2e-5})
    np.testing.assert_allclose(new["w_rate"], 4 * ev["w_rate"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(new["ctau"], ev["ctau"] / 4, rtol=1e-9, atol=0)
    L = ev.decay_length() / 4
    b = ev.path_bounds()
    P = sum(np.exp(-b[:, 2 * j] / L) - np.exp(-b[:, 2 * j + 1] / L) for j in range(b.shape[1] // 2))
    np.testing.assert_allclose(new["p_decay"], P, rtol=1e-9, atol=1e-300)
    with pytest.raises(DarkbeamError, match="keeps the masses"):
        reweight(ev, {"ma": 0.2})


def test_dune_nd_alp_template_loads():
    from darkbeam.analysis.meson_limits import spec_from_search

    spec = spec_from_search("dune_nd_alp")
    assert spec.particle == "alp" and spec.parents == ("gamma", "gamma-shower")
    assert any("NOT TRANSCRIBED" in n for n in spec.notes)
    assert len(spec.published) == 4   # 2011.07054 (AxionLimits) and the authors' 2024 public scan, two edges each
    assert spec.exposures == [("FHC", "dune_ndgar_fhc", 7.7e21)]   # ND-GAr, 7 x 1.1e21 POT (2011.07054)


def test_dune_nd_alp_authors_2024_scan_against_published_curve():
    """The second DUNE ND ALP curve (A. Thompson's public 2024 scan, N = 3 contour; docs/alps.md) loads with its
    provenance, and its edges sit where docs/alps.md says against the 2021 published curve: the short-lifetime
    edges agree within 30 %, the long-lifetime edge of the scan is 3-8 times above the published one (0.03-0.6 GeV)."""
    from darkbeam.analysis.searches import load_search

    curves = load_search("dune_nd_alp").curves("g_agg")
    new = {c.source.rsplit(" ", 2)[-2]: c for c in curves if "2024 scan" in c.source}
    old = {c.source.rsplit(" ", 2)[-2]: c for c in curves if "2011.07054" in c.source}
    assert set(new) == set(old) == {"lower", "upper"}
    assert all(c.cl == 0.95 and any("e5d9ac4f63b9" in h for h in c.header) for c in new.values())
    m = np.array([0.03, 0.1, 0.3, 0.6])
    lo_ratio = new["lower"].at(m) / old["lower"].at(m)
    assert np.all((lo_ratio > 3.0) & (lo_ratio < 8.0)), lo_ratio
    up_ratio = new["upper"].at(m[:3]) / old["upper"].at(m[:3])
    assert np.all(np.abs(up_ratio - 1.0) < 0.3), up_ratio
    assert np.all(new["lower"].at(m) < new["upper"].at(m))
    assert np.isnan(new["lower"].at([1.0]))[0]   # the scan's region closes below 0.85 GeV (the published one at 2 GeV)


# --------------------------------------------------------------------------- NuHepMC backgrounds
def _write(path, events, run_attrs=None, xs_per_event=None):
    """events: list of (weight, [(pid, E, px, py, pz, m)...]); the incoming neutrino is added (status 4)."""
    import pyhepmc

    ri = pyhepmc.GenRunInfo()
    ri.weight_names = ["CV"]
    for k, v in (run_attrs or {}).items():
        ri.attributes[k] = v
    with pyhepmc.open(str(path), "w") as f:
        for i, (w, parts) in enumerate(events):
            ev = pyhepmc.GenEvent(pyhepmc.Units.GEV, pyhepmc.Units.MM)
            ev.run_info = ri
            ev.event_number = i + 1
            v = pyhepmc.GenVertex()
            v.status = 1
            nu = pyhepmc.GenParticle(pyhepmc.FourVector(0, 0, 5.0, 5.0), 14, 4)
            v.add_particle_in(nu)
            for pid, E, px, py, pz, m in parts:
                p = pyhepmc.GenParticle(pyhepmc.FourVector(px, py, pz, E), pid, 1)
                p.generated_mass = m
                v.add_particle_out(p)
            ev.add_vertex(v)
            ev.weights = [w]
            ev.attributes["ProcID"] = 150
            if xs_per_event is not None:
                cs = pyhepmc.GenCrossSection()
                cs.set_cross_section(xs_per_event[i], 0.1 * xs_per_event[i])
                ev.cross_section = cs
            f.write(ev)


_PI0 = (111, 1.0, 0.0, 0.0, math.sqrt(1.0 - 0.1349768**2), 0.1349768)
_GG = [(22, 0.6, 0.0, 0.05, 0.6 * math.cos(0.083), 0.0), (22, 0.4, 0.02, 0.0, 0.3999, 0.0)]
_MUMU = [(13, 2.0, 0.1, 0.0, 1.99, 0.10566), (-13, 1.5, -0.1, 0.0, 1.49, 0.10566)]
_NEUTRON = (2112, 0.95, 0.0, 0.1, 0.1, 0.93957)


def _sample_events():
    return [(2.0, [_PI0, _NEUTRON]),           # NC pi0: gamma gamma channel (pi0 -> gamma gamma), n invisible
            (1.0, _GG),                         # two photons
            (0.5, _MUMU),                       # mu+ mu-
            (3.0, _GG + [(211, 1.0, 0, 0, 0.99, 0.13957)]),   # extra pion: no channel
            (1.5, [(2212, 0.94, 0, 0, 0.05, 0.938272), _PI0])]  # proton below threshold: gamma gamma


def test_nuhepmc_background_cross_section_normalisation(tmp_path):
    from darkbeam.analysis.backgrounds import background_counts

    path = tmp_path / "nc.hepmc3"
    attrs = {"NuHepMC.FluxAveragedTotalCrossSection": 7.5, "NuHepMC.Units.CrossSection.Unit": "pb",
             "NuHepMC.Units.CrossSection.TargetScale": "PerTargetNucleon"}
    _write(path, _sample_events(), attrs)
    out = background_counts(path, "dune_nd_alp", flux_per_cm2=2e12, targets=3e31)
    ws = np.array([2.0, 1.0, 0.5, 3.0, 1.5])
    norm = 7.5e-36 * 2e12 * 3e31 / ws.sum()
    ch = {c["decay"]: c["events"] for c in out["channels"]}
    assert ch["a -> gamma gamma"] == pytest.approx(norm * (2.0 + 1.0 + 1.5), rel=1e-12, abs=0)
    assert ch["a -> l+ l-"] == pytest.approx(norm * 0.5, rel=1e-12, abs=0)
    assert out["total"] == pytest.approx(norm * 5.0, rel=1e-12, abs=0)
    from darkbeam.analysis.meson_limits import spec_from_search

    one = background_counts(path, spec_from_search("dune_nd_alp"), flux_per_cm2=2e12, targets=3e31)
    assert one["total"] == pytest.approx(out["total"], rel=1e-12, abs=0)
    hard = background_counts(path, "dune_nd_alp", flux_per_cm2=2e12, targets=3e31, thresholds={"gamma": 0.45})
    # photons of 0.4 GeV now unseen: the two-photon event (1.0) and the pi0 ones (kinetic energy > 0.45) differ
    assert hard["channels"][0]["events"] == pytest.approx(norm * (2.0 + 1.5), rel=1e-12, abs=0)


def test_nuhepmc_gencrosssection_and_pot(tmp_path):
    from darkbeam.events.nuhepmc_read import expected_events, read_nuhepmc

    path = tmp_path / "ec4.hepmc3"
    _write(path, _sample_events(), {"NuHepMC.Exposure.POT": 1e19}, xs_per_event=[9.0, 8.0, 7.0, 6.5, 6.0])
    gs = read_nuhepmc(path)
    assert gs.sigma_fa_cm2 == pytest.approx(6.0e-36, rel=1e-12, abs=0)   # the last event's estimate (E.C.4)
    assert gs.codes.shape[0] == 5 and sorted(gs.codes[2][gs.codes[2] != 0]) == [-13, 13]
    sel = np.array([1, 0, 0, 0, 1.0])
    assert expected_events(gs, sel, pot=3e19) == pytest.approx(3.0 * (2.0 + 1.5), rel=1e-12, abs=0)


def test_nuhepmc_reads_darkbeam_writer(tmp_path, run):
    """darkbeam's own NuHepMC writer, read back: the same number of events, photons in every final state,
    and the CV weights sum to the decays in the volume (G.C.2 exposure = the run's POT)."""
    from darkbeam.events import write
    from darkbeam.events.nuhepmc_read import expected_events, read_nuhepmc

    path = tmp_path / "alp.hepmc3"
    write(run.events, path, format="hepmc3", overwrite=True)
    gs = read_nuhepmc(path)
    assert len(gs) == len(run.events)
    assert np.all(np.sort(gs.codes, axis=1)[:, -2:] == 22)
    pot = run.events.meta["exposure_pot"]
    assert expected_events(gs, np.ones(len(gs)), pot=pot) == pytest.approx(run.events.w.sum(), rel=1e-6, abs=0)


def test_nuhepmc_malformed(tmp_path):
    from darkbeam.events.nuhepmc_read import read_nuhepmc

    bad = tmp_path / "bad.hepmc3"
    bad.write_text("this is not a HepMC3 file\n")
    with pytest.raises(DataError) as e:
        read_nuhepmc(bad)
    assert "\n" not in str(e.value)
    with pytest.raises(DataError, match="no such"):
        read_nuhepmc(tmp_path / "missing.hepmc3")
    path = tmp_path / "unit.hepmc3"
    _write(path, _sample_events()[:1], {"NuHepMC.Units.CrossSection.Unit": "furlong"})
    with pytest.raises(DataError, match="Unit"):
        read_nuhepmc(path)


def test_api_simulate_alps_is_alp_only():
    import darkbeam
    from darkbeam.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="no ALP"):
        darkbeam.simulate_alps({"m4": 0.1, "Umu4": 1e-3})


def test_mixing_channel_and_three_pion_events():
    """a-pi0 mixing: br = theta_api^2 (first order, ~ g_agluon^2); none at m_a = m_pi0; a gluon-coupled ALP
    of 0.6 GeV decays to pi+ pi- pi0 with four-momentum conservation."""
    import darkbeam
    from darkbeam import constants as C
    from darkbeam.physics.alp_mixing import theta_a_pi0
    from darkbeam.processes.alp_primakoff import mixing_channel

    p = ModelParameters.from_dict({"ma": 0.6, "g_agluon": 1e-6})
    ch = mixing_channel(p)
    assert ch.br == pytest.approx(float(theta_a_pi0(0.6, 1e-6)) ** 2, rel=1e-12, abs=0)
    assert mixing_channel(p.model_copy(update={"g_agluon": 2e-6})).br == pytest.approx(4 * ch.br, rel=1e-12, abs=0)
    assert mixing_channel(ModelParameters.from_dict({"ma": C.M_PI0 + 1e-3, "g_agluon": 1e-6})) is None
    ev = darkbeam.simulate_alps({"ma": 0.6, "g_agluon": 1e-6}, n=300, seed=4, n_parents=2**10).events
    names = {c.name for c in ev.channels}
    assert "alp -> pi+ pi- pi0" in names
    k = [c.name for c in ev.channels].index("alp -> pi+ pi- pi0")
    sel = np.asarray(ev["channel"]) == k
    tot = ev.p4("d1")[sel] + ev.p4("d2")[sel] + ev.p4("d3")[sel]
    np.testing.assert_allclose(tot, ev.p4("hnl")[sel], rtol=1e-9, atol=1e-9)


def test_photon_mean_free_path_is_nine_sevenths_x0(src):
    """lambda = 1/(n sigma_pair) against (9/7) X0 with the PDG radiation length of graphite (42.70 g/cm^2,
    2.210 g/cm^3): equal up to the -(Z^2+Z)/54 term of Tsai's pair cross section (~1 %)."""
    assert src.lam_cm == pytest.approx(9.0 / 7.0 * 42.70 / 2.210, rel=0.02, abs=0)


def test_dune_nd_alp_limit_closes_on_reweighted_events():
    """The g_agg edges of darkbeam limit (power-law coupling axis) against meson_decay.reweight of the
    kept events to those couplings (decay library): both give the 95 % CL signal of zero background."""
    from darkbeam.analysis.meson_limits import search_limit
    from darkbeam.processes.meson_decay import reweight

    out = search_limit("dune_nd_alp", [0.1], n=400, n_parents=2**10, seed=2, keep_events=True)
    assert out["parameter"] == "g_agg" and out["signal_events_expected"] == pytest.approx(-math.log(0.05), rel=1e-6, abs=0)
    (_, _, ev, acc), = out["_events"]
    for g in (out["limit"][0], out["limit_upper"][0]):
        new = reweight(ev, {"g_agg": g}, positions=False)
        assert float((new.w * acc).sum()) == pytest.approx(out["signal_events_expected"], rel=1e-4, abs=0)


def test_alp_declared_in_nuhepmc_header(run):
    """G.C.7-style declaration of the ALP's code (5903) in darkbeam's NuHepMC header."""
    from darkbeam.events.nuhepmc import nuhepmc_header

    head = nuhepmc_header(run.events)
    assert "A NuHepMC.AdditionalParticleNumbers 5903" in head
    assert "AdditionalParticleNumber[5903].Name alp" in head
