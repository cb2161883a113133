"""T2K INGRID (detectors/experiments/ingrid.toml): geometry, the beam-model flux of ``[flux] model``, and
nu-e events there (docs/experiments.md, docs/rare_scattering.md).

Independent references: the plate dimensions of the INGRID NIM paper (124 x 124 x 6.5 cm^3, 9 plates,
7.1 t of iron per module: the plates at 7.874 g/cm^3 must hold it), the flight time 280 m / c, and the
nu-e rate as flux x sigma x electrons x POT (analysis/rare_rates.py, an independent quadrature)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from darkbeam.detectors import load_experiment
from darkbeam.detectors.catalog import experiment_from_dict
from darkbeam.errors import ConfigurationError, DataError
from darkbeam.units import C_LIGHT_CM_PER_NS

IRON_DENSITY = 7.874  # g/cm^3 (CRC handbook)


@pytest.fixture(scope="module")
def ingrid():
    return load_experiment("ingrid")


@pytest.fixture(scope="module")
def small_flux(ingrid):
    """The INGRID flux with a small beam-model sample (2^10 mesons per species: fast, noisy)."""
    from darkbeam.processes.cases import experiment_flux

    return experiment_flux(ingrid, n=2**10)


def test_geometry_is_fourteen_modules_of_nine_iron_plates(ingrid):
    tv, det = ingrid.target_volume, ingrid.detector
    assert len(tv.parts) == 14 and all(len(m.parts) == 9 for m in tv.parts)
    assert len(det.parts) == 14
    rng = np.random.default_rng(1)
    assert tv.overlap_fraction(rng, 20_000) == 0.0 and det.overlap_fraction(rng, 20_000) == 0.0
    # each module's plates hold the 7.1 t of the paper (1 %), the targets are the 14 modules' iron
    for m in tv.parts:
        assert abs(m.volume * IRON_DENSITY * 1e-6 - 7.1) < 0.071
    assert ingrid.masses == {"Fe56": pytest.approx(14 * 7.1)}
    # plates inside the module envelopes; a cross: 7 modules on each axis, the central ones on the beam
    pts = tv.sample(5000, rng)
    assert det.contains(pts).all()
    assert np.all((np.abs(pts[:, 0]) < 62.0) | (np.abs(pts[:, 1]) < 62.0))
    lo, hi = det.bounds()
    assert np.allclose([lo[0], hi[0], lo[1], hi[1]], [-512.0, 512.0, -512.0, 512.0])
    assert ingrid.baseline == 28000.0 and ingrid.off_axis_angle == 0.0
    assert any("from memory" in c for c in ingrid.caveats)


def test_flux_is_the_on_axis_beam_model_and_says_so(ingrid, small_flux):
    from darkbeam.processes.cases import experiment_flux, run_fallbacks

    assert ingrid.flux.model == "jparc" and ingrid.flux.polarity == "FHC" and ingrid.flux.names == ()
    fb = small_flux.meta["fallback"]
    assert "beam model 'jparc' (280 m, 0 mrad, FHC; NOT validated" in fb
    assert fb in run_fallbacks(ingrid, small_flux, regimes=("coherent",), nuclear_ff="helm")
    assert "280 m, 0 mrad off axis" in small_flux.provenance
    assert small_flux.integrate("nu_mu") > 10 * small_flux.integrate("nu_mu_bar") > 0
    with pytest.raises(DataError, match="no official flux file"):
        experiment_flux(ingrid, "file")


def _raw(**flux):
    return {"name": "x", "flux": {"normalisation": 1.0, **flux}, "exposure": {"pot": 1e20},
            "beam": {"baseline": 28000.0}, "targets": {"Fe56": 1.0},
            "geometry": {"detector": {"shape": "box", "size": [100, 100, 100]}}}


@pytest.mark.parametrize("flux, msg", [
    ({"model": "jparcc"}, "unknown beam line 'jparcc'"),
    ({"model": "jparc", "name": "CHARMII_FHC"}, "exactly one of"),
    ({"name": "CHARMII_FHC", "polarity": "RHC"}, "'polarity' is the horn polarity of a beam 'model'"),
    ({"model": "jparc", "polarity": "rhc"}, "polarity"),
])
def test_bad_model_flux_sections(flux, msg):
    with pytest.raises(ConfigurationError, match=msg):
        experiment_from_dict(_raw(**flux), "x", "x.toml")


def test_model_flux_accepts_an_alias_and_a_polarity():
    e = experiment_from_dict(_raw(model="T2K", polarity="RHC"), "x", "x.toml")
    assert e.flux.model == "jparc" and e.flux.polarity == "RHC" and e.summary()["flux"] == "beam model 'jparc' (RHC)"


def test_nu_e_events_at_ingrid(ingrid, small_flux, monkeypatch):
    """nu-e at INGRID: sum(w) per flavour = flux x sigma x electrons x POT (rare_rates.nu_e_events with the
    same flux), vertices in the iron plates, t = flight from the target (280 m: 934 ns), the fallback
    among the caveats."""
    from darkbeam.analysis.rare_rates import nu_e_events
    from darkbeam.processes import cases
    from darkbeam.processes.rare_scatter import simulate

    monkeypatch.setattr(cases, "experiment_flux", lambda exp, *a, **k: small_flux)
    es = simulate("nu-e", ingrid, n=500, rng=np.random.default_rng(2), projectiles=["nu_mu", "nu_e"])
    ref = nu_e_events(ingrid, flux=small_flux)
    for i, c in enumerate(es.cases):
        f = c.name.split()[0]
        assert math.isclose(es.w[es.columns["case"] == i].sum(), ref[f], rel_tol=1e-9)
    v = np.column_stack([es.columns[k] for k in "xyz"])
    assert ingrid.target_volume.contains(v).all()
    assert np.allclose(es.columns["t"], np.linalg.norm(v - ingrid.source_position, axis=1) / C_LIGHT_CM_PER_NS,
                       rtol=1e-12)
    # the cross spans z = -106 to 106 cm and 5.1 m sideways (4.6 cm longer paths at 280 m)
    assert np.all(np.abs(es.columns["t"] - 28000.0 / C_LIGHT_CM_PER_NS) < 112.0 / C_LIGHT_CM_PER_NS)
    assert any("NOT validated" in c for c in es.meta["caveats"])
