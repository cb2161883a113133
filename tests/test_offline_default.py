"""On a fresh machine (no mirror, empty cache, no network) the built-in default job, MiniBooNE FHC with
the default model, reads every input from the copies shipped in the package: no fallback anywhere, and
the same numbers as with the data mirror (docs/data.md)."""

import importlib

import numpy as np
import pytest

from darkbeam.data import lookup
from darkbeam.detectors.catalog import load_experiment
from darkbeam.detectors.geometry import DecayPipeSource
from darkbeam.physics import form_factors as ff
from darkbeam.physics import nuclear
from darkbeam.processes.cases import experiment_flux

reg = importlib.import_module("darkbeam.data.registry")

_MIRROR = reg.data_dir()  # the mirror named at import (tests/conftest.py), if any
DEFAULT_INPUTS = ("flux/MiniBooNE_FHC", "flux/BNB_energy_distances", "nuclear/fourier_bessel", "nuclear/ame2020")


def test_default_job_inputs_come_from_the_package(packaged_only):
    for key in DEFAULT_INPUTS:
        assert reg.origin(key) == "packaged", key
    exp = load_experiment("miniboone_fhc")
    flux = experiment_flux(exp)
    assert flux.meta.get("source") == "file" and "fallback_reason" not in flux.meta
    assert "official file flux/MiniBooNE_FHC" in flux.provenance and str(reg.packaged_dir()) in flux.provenance
    assert flux.integrate("nu_mu") == pytest.approx(5.19e-10, rel=0.005)  # arXiv:0806.1449
    src = exp.production_model()
    assert isinstance(src, DecayPipeSource) and not src.is_fallback
    for t in exp.target_names:  # CH2: C12 charge density from de Vries et al., masses from AME2020
        n = nuclear.nucleus(t)
        assert n.source == "AME2020", t
        if n.A > 1:
            assert ff.NuclearFormFactors(n.name, n.A).charge_kind == "fourier-bessel", t


def test_packaged_tables_give_the_mirror_numbers(packaged_only, monkeypatch):
    """Byte-identical files give identical physics inputs, whichever copy is read."""
    if _MIRROR is None or not all((_MIRROR / lookup(k).path).is_file() for k in DEFAULT_INPUTS):
        pytest.skip("needs the data mirror to compare with: set DARKBEAM_DATA_DIR to ../shared/data")
    q2 = np.geomspace(1e-4, 0.5, 25)
    offline = (nuclear.nucleus("Ar40").mass, ff.NuclearFormFactors("C12", 12).charge(q2),
               experiment_flux(load_experiment("miniboone_fhc")).values)
    monkeypatch.setenv(reg.ENV_DATA_DIR, str(_MIRROR))
    ff.fourier_bessel_table.cache_clear()
    nuclear._ame_table.cache_clear()
    nuclear._nucleus.cache_clear()
    assert all(reg.origin(k) == "mirror" for k in DEFAULT_INPUTS)
    online = (nuclear.nucleus("Ar40").mass, ff.NuclearFormFactors("C12", 12).charge(q2),
              experiment_flux(load_experiment("miniboone_fhc")).values)
    assert offline[0] == online[0]
    assert np.array_equal(offline[1], online[1])
    assert offline[2].keys() == online[2].keys() and all(np.array_equal(offline[2][k], online[2][k]) for k in online[2])
