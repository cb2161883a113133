"""No silent fallback: the beam model stands in for a flux file only where it is validated, and every
substitute for missing data (flux, nuclear masses, form factors, production points) is named in the
run summary, the JSON, and the files' metadata.  Also: ND280 events in neutrino mode are nu_mu events."""

import importlib
import json

import numpy as np
import pyarrow.parquet as pq
import pytest

import darkbeam.cli.main as cli_main
from darkbeam.data import locate, lookup
from darkbeam.detectors import load_experiment
from darkbeam.errors import ConfigurationError, DataError
from darkbeam.models import default_model
from darkbeam.processes.cases import experiment_flux, run_fallbacks
from darkbeam.processes.generator import generate
from darkbeam.processes.upscatter_decay import GenerationOptions
from darkbeam.sources import Flux
from darkbeam.sources.beam import validation

reg = importlib.import_module("darkbeam.data.registry")
TINY = GenerationOptions(neval=400, n_batches=2, nitn_adapt=2, neval_adapt=400)


def _have(*names):
    try:
        return all(locate(lookup(n)) is not None for n in names)
    except DataError:
        return False


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No mirror, an empty cache, downloads forbidden, the packaged copies ignored; the beam model cheap
    (fewer mesons)."""
    import darkbeam.sources.beam as beam_pkg

    monkeypatch.delenv(reg.ENV_DATA_DIR, raising=False)
    monkeypatch.setenv(reg.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(reg.ENV_OFFLINE, "1")
    monkeypatch.setenv(reg.ENV_NO_PACKAGED, "1")
    real = beam_pkg.beam_flux
    monkeypatch.setattr(beam_pkg, "beam_flux", lambda *a, **k: real(*a, **{**k, "n": 2**11}))
    _clear_data_caches()
    yield tmp_path
    _clear_data_caches()  # what was (not) found offline must not leak into later tests


def _clear_data_caches():
    import darkbeam.physics.form_factors as ff
    import darkbeam.physics.nuclear as nuclear

    for fn in (nuclear._ame_table, nuclear._nucleus, ff.fourier_bessel_table):
        getattr(fn, "cache_clear", lambda: None)()  # a monkeypatched stand-in has no cache


# ----------------------------------------------------------------------------- the fallback rule


def test_experiment_flux_stops_where_the_model_is_not_validated(offline, monkeypatch):
    monkeypatch.setattr(validation, "VALIDATED", {})
    with pytest.raises(DataError) as exc:
        experiment_flux(load_experiment("miniboone_fhc"))
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("experiment miniboone_fhc needs the flux file MiniBooNE_FHC")
    assert "DARKBEAM_DATA_DIR" in msg and "darkbeam fluxes fetch MiniBooNE_FHC" in msg


def test_experiment_flux_falls_back_where_validated(offline, monkeypatch):
    monkeypatch.setattr(validation, "VALIDATED", {"bnb": [(541.0, 0.0, "FHC", "test")]})
    exp = load_experiment("miniboone_fhc")
    f = experiment_flux(exp)
    assert f.meta["source"] == "beam-model" and "MiniBooNE_FHC" in f.meta["fallback"]
    assert f.meta["fallback"] in run_fallbacks(exp, f)
    # the antineutrino-mode position is a different one: not validated, so no fallback
    with pytest.raises(DataError, match="MiniBooNE_RHC"):
        experiment_flux(load_experiment("miniboone_rhc"))


def test_no_beam_model_for_charmii(offline, monkeypatch):
    monkeypatch.setattr(validation, "VALIDATED", {"sps": [(870.0, 0.0, "FHC", "test")]})
    with pytest.raises(DataError) as exc:
        experiment_flux(load_experiment("charmii_fhc"))
    assert "CHARMII_FHC" in str(exc.value) and "no beam model describes it" in str(exc.value)
    with pytest.raises(DataError, match="no beam model"):
        experiment_flux(load_experiment("charmii_fhc"), "model")


def test_flux_source_values_are_checked():
    with pytest.raises(ConfigurationError, match="unknown flux source 'fil'"):
        experiment_flux(load_experiment("miniboone_fhc"), "fil")


# ----------------------------------------------------------------------------- every fallback is named


def test_run_fallbacks_name_masses_form_factors_and_production(offline, monkeypatch):
    import darkbeam.physics.form_factors as ff
    import darkbeam.physics.nuclear as nuclear

    def no_table():
        raise DataError("Fourier-Bessel table not available")

    monkeypatch.setattr(ff, "fourier_bessel_table", no_table)
    monkeypatch.setattr(nuclear, "_ame_table", lambda: None)
    nuclear._nucleus.cache_clear()
    try:
        exp = load_experiment("microboone")
        flux = Flux(np.array([0.1, 2.0]), {"nu_mu": [1e-10, 1e-10]}, provenance="test")
        fb = run_fallbacks(exp, flux, regimes=("coherent",))
        assert "nuclear mass of Ar40: particle nuclei table instead of AME2020" in fb
        assert any(s.startswith("charge form factor of Ar40: symmetrized Fermi instead of Fourier-Bessel") for s in fb)
        assert any(s.startswith("production points: point source at the target") for s in fb)
        assert all("\n" not in s for s in fb)
        # a scheme that does not ask for Fourier-Bessel, or no coherent case: no form-factor fallback
        assert not any("form factor" in s for s in run_fallbacks(exp, flux, nuclear_ff="helm", regimes=("coherent",)))
        assert not any("form factor" in s for s in run_fallbacks(exp, flux, regimes=("p-el",)))
    finally:
        nuclear._nucleus.cache_clear()


def test_no_fallbacks_with_the_data():
    if not _have("MiniBooNE_FHC", "ame2020", "fourier_bessel", "BNB_energy_distances"):
        pytest.skip("shared data mirror not available")
    exp = load_experiment("miniboone_fhc")
    assert run_fallbacks(exp, experiment_flux(exp)) == []


def test_fallbacks_reach_summary_json_and_files(tmp_path):
    """A substitute flux (flagged in its meta) is listed in RunSummary, its JSON, the parquet metadata and
    the HepMC3 run info."""
    from darkbeam.events import write

    flux = Flux(np.array([0.2, 3.0]), {"nu_mu": [1e-10, 1e-10]}, provenance="test flux",
                meta={"fallback": "flux: test substitute"})
    res = generate(default_model(), "miniboone_fhc", seed=3, options=TINY, projectiles=["nu_mu"],
                   regimes=("coherent",), helicities=("conserving",), flux=flux)
    fb = res.summary.fallbacks
    assert fb[0] == "flux: test substitute"
    assert res.summary.to_dict()["fallbacks"] == fb and res.events.meta["fallbacks"] == fb
    p = write(res.events, tmp_path / "ev.parquet")
    md = json.loads(pq.read_schema(p).metadata[b"darkbeam"])
    assert md["meta"]["fallbacks"] == fb
    h = write(res.events, tmp_path / "ev.hepmc3")
    head = h.read_text()[:20000]
    line = next(x for x in head.splitlines() if "NuHepMC.Provenance.darkbeam.fallbacks" in x)
    assert "test substitute" in line


@pytest.fixture
def generate_cli(monkeypatch):
    monkeypatch.setattr(cli_main, "_register", lambda: importlib.import_module("darkbeam.cli.generate"))

    def run(capsys, *argv):
        code = cli_main.main(["generate", *argv])
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def test_cli_generate_names_fallbacks(offline, monkeypatch, capsys, generate_cli):
    monkeypatch.setattr(validation, "VALIDATED", {"bnb": [(541.0, 0.0, "FHC", "test")]})
    args = ("-e", "miniboone_fhc", "-n", "200", "--projectile", "nu_mu", "--regime", "coherent")
    code, out, err = generate_cli(capsys, *args, "--json")
    assert code == 0, err
    d = json.loads(out)
    assert isinstance(d["fallbacks"], list) and any("beam model 'bnb'" in s for s in d["fallbacks"])
    assert any(s.startswith("production points") for s in d["fallbacks"])
    code, out, err = generate_cli(capsys, *args)
    assert code == 0 and "FALLBACKS (" in out and "instead of the official file MiniBooNE_FHC" in out


def test_cli_generate_rejects_unknown_flux_source(capsys, generate_cli):
    code, out, err = generate_cli(capsys, "--flux-source", "fille")
    assert code == 2 and "--flux-source: unknown value 'fille'" in err and err.count("\n") == 1


# ----------------------------------------------------------------------------- ND280 and CHARM-II


@pytest.mark.parametrize("key, main", [("nd280_fhc", "nu_mu"), ("nd280_rhc", "nu_mu_bar")])
def test_nd280_events_follow_the_horn_polarity(key, main):
    exp = load_experiment(key)
    if not _have(exp.flux.name):
        pytest.skip(f"{exp.flux.name} not available (set DARKBEAM_DATA_DIR)")
    res = generate(default_model(), exp, seed=5, options=TINY, regimes=("coherent",), helicities=("conserving",))
    by = {}
    for c in res.summary.cases:
        by[c["case"].split()[0]] = by.get(c["case"].split()[0], 0.0) + c["upscattered"]
    assert by[main] > 0.85 * sum(by.values()), by


def test_charmii_rhc_exposure_reproduces_the_event_ratio():
    """The antineutrino run's effective exposure (experiment file) reproduces CHARM-II's nu_mu_bar e /
    nu_mu e event ratio 2752/2677 with the tree-level cross sections, sigma/E proportional to
    g_L^2 + g_R^2/3 (nu) and g_R^2 + g_L^2/3 (nu_bar), g_L = -1/2 + s_W^2, g_R = s_W^2 ('t Hooft 1971),
    and equal efficiencies."""
    if not _have("CHARMII_FHC", "CHARMII_RHC"):
        pytest.skip("CHARM-II flux files not available")
    fhc, rhc = load_experiment("charmii_fhc"), load_experiment("charmii_rhc")
    s2 = 0.2312
    gl, gr = -0.5 + s2, s2
    c_nu, c_nub = gl**2 + gr**2 / 3, gr**2 + gl**2 / 3

    def yield_per_pot(exp):
        f = experiment_flux(exp)
        e = f.energies
        ephi = {k: np.trapezoid(e * f.column(k), e) for k in ("nu_mu", "nu_mu_bar")}
        return ephi["nu_mu"] * c_nu + ephi["nu_mu_bar"] * c_nub

    ratio = rhc.pot * yield_per_pot(rhc) / (fhc.pot * yield_per_pot(fhc))
    assert ratio == pytest.approx(2752 / 2677, rel=0.02)
