"""The public API of ``import darkbeam``: each name does what the layer it wraps does, and the import
itself stays light (no numpy, scipy or pydantic until a name is used)."""

import json
import subprocess
import sys

import numpy as np
import pytest

import darkbeam
from darkbeam.errors import ConfigurationError, ModelError
from darkbeam.processes.upscatter_decay import GenerationOptions

TINY = dict(seed=5, projectiles=["nu_mu"], regimes=("coherent",), helicities=("conserving",),
            options=GenerationOptions(neval=400, n_batches=2, nitn_adapt=3, neval_adapt=400))


def test_import_is_light_and_names_are_lazy():
    code = ("import sys, json, darkbeam; heavy = [m for m in ('numpy', 'scipy', 'pydantic', 'pyarrow') "
            "if m in sys.modules]; print(json.dumps([heavy, sorted(darkbeam.__all__)]))")
    heavy, names = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                             check=True).stdout)
    assert heavy == []
    assert names == sorted(["__version__", "EventSet", "decay_table", "generate", "load_experiment", "load_model",
                            "read", "reweight", "search_limit", "simulate_meson_decays", "xsec",
                            "beam_dump_limit", "ccqe_events", "ccqe_xsec", "list_searches", "load_search", "mass_model",
                            "parent_samples", "plane_limit", "production_channels", "rare_xsec", "shower",
                            "simulate_dark_matter", "simulate_rare", "simulate_trident", "trident_xsec", "simulate_alps",
                            "background_counts", "shower_events", "proton_dump_projection", "nc_pi0_xsec"])
    assert set(darkbeam.__all__) <= set(dir(darkbeam))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        darkbeam.nonsense  # noqa: B018


def test_load_model_and_experiment_are_the_layers_functions():
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.models import ModelParameters, default_model, load_model

    assert darkbeam.load_model is load_model and darkbeam.load_experiment is load_experiment
    m = darkbeam.load_model(overrides={"m4": 0.3, "HNLtype": "majorana"})
    assert isinstance(m, ModelParameters) and m.m4 == 0.3 and m.HNLtype == "majorana"
    assert darkbeam.load_model() == default_model()
    assert darkbeam.load_experiment("miniboone_fhc").keyword == "miniboone_fhc"


def test_decay_table_accepts_every_model_form(tmp_path):
    from darkbeam.models import default_model
    from darkbeam.physics.decays import decay_table

    ref = decay_table(default_model(), "N4")
    assert darkbeam.decay_table().total_width == ref.total_width
    assert sum(darkbeam.decay_table().branching_ratios.values()) == pytest.approx(1.0, rel=1e-12)
    t = darkbeam.decay_table({"m4": 0.3}, "N4")
    assert t.total_width != ref.total_width
    path = tmp_path / "m.toml"
    path.write_text("m4 = 0.3\nmzprime = 1.25\nUmu4 = 1e-3\nUD4 = 1.0\ngD = 1.0\nepsilon = 1e-3\n")
    assert darkbeam.decay_table(path, "N4").total_width == pytest.approx(t.total_width, rel=1e-12, abs=0)
    with pytest.raises(ConfigurationError, match="a model is ModelParameters"):
        darkbeam.decay_table(42)


def test_xsec_matches_the_kernel_and_its_options():
    from darkbeam.models import default_model
    from darkbeam.models.couplings import darknews_couplings
    from darkbeam.physics.xsec import ProcessCase, UpscatteringXsec

    E = np.array([0.1, 0.5, 1.0, 2.0])
    got = darkbeam.xsec(None, "Ar40", "coherent", "conserving", "nu_mu_bar", E)
    case = ProcessCase("nu_mu_bar", 4, "Ar40", "coherent", "conserving")
    ref = UpscatteringXsec(case, default_model()).sigma(E)
    assert np.array_equal(got, ref) and got.shape == E.shape
    assert got[0] == 0.0 and np.all(got[1:] > 0)  # 0.1 GeV is below the m4 = 0.15 GeV threshold
    dn = darkbeam.xsec(energies=E, target="Ar40", projectile="nu_mu_bar", couplings="darknews")
    ref_dn = UpscatteringXsec(case, darknews_couplings(default_model()), frame="cm", coherent_spin=0.5,
                              nuclear_ff="fourier-bessel").sigma(E)
    assert np.array_equal(dn, ref_dn) and not np.allclose(dn[1:], ref[1:], rtol=1e-3, atol=0.0)
    assert isinstance(darkbeam.xsec(energies=1.0), float)
    with pytest.raises(ConfigurationError, match="give the neutrino energies"):
        darkbeam.xsec()
    with pytest.raises(ConfigurationError, match="unknown couplings scheme 'dn'"):
        darkbeam.xsec(energies=[1.0], couplings="dn")
    with pytest.raises(ModelError, match="no N5"):
        darkbeam.xsec(energies=[1.0], hnl="N5")


def test_generate_read_and_reweight(tmp_path):
    from darkbeam.events.writers import write_parquet
    from darkbeam.models import default_model
    from darkbeam.processes.generator import generate
    from darkbeam.processes.reweight import reweight

    run = darkbeam.generate(None, "miniboone_fhc", **TINY)
    assert run.events.equals(generate(default_model(), "miniboone_fhc", **TINY).events)
    assert run.summary.to_dict()["upscattered"] > 0
    assert darkbeam.EventSet is type(run.events)
    path = write_parquet(run.events, tmp_path / "ev.parquet")
    back = darkbeam.read(path)
    assert isinstance(back, darkbeam.EventSet) and len(back) == len(run.events)
    assert np.array_equal(np.asarray(back["w_rate"]), np.asarray(run.events["w_rate"]))
    a = darkbeam.reweight(back, {"Umu4": 2e-3}, positions="reweight")
    b = darkbeam.reweight(path, {"Umu4": 2e-3}, positions="reweight")
    c = reweight(back, {"Umu4": 2e-3}, positions="reweight")
    assert a.equals(b) and a.equals(c)
    assert not np.allclose(np.asarray(a["w"]), np.asarray(back["w"]), rtol=1e-6, atol=0.0)
