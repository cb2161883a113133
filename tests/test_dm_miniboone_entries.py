"""The two MiniBooNE-DM searches (electron and nucleon channel) and the proton-bremsstrahlung option of the
dark-matter process at the 8.9 GeV BNB dump (docs/dark_matter.md): the nucleon entry loads and `darkbeam
limit` works on it, the option changes nothing when off, and when on the A' respects BdNMC's cuts and its
yield is the quadrature of the splitting function over them."""

import json
import math

import numpy as np
import pytest

from darkbeam.errors import ConfigurationError
from darkbeam.models import ModelParameters

HEAVY = {"mzprime": 0.45, "mchi": 0.15, "epsilon": 1e-3, "alphaD": 0.5}


@pytest.fixture
def few_showers(monkeypatch):
    """The setups with 4 photon showers for the shower A' (64 by default): the command-line tests stay fast."""
    from dataclasses import replace

    from darkbeam.processes import dark_matter as dm

    table = {k: replace(v, showers=4) for k, v in dm._setups().items()}
    monkeypatch.setattr(dm, "_setups", lambda: table)


def test_nucleon_entry_loads_with_its_channels_and_counts():
    from darkbeam.analysis.dm_sensitivity import search_targets
    from darkbeam.analysis.searches import load_search

    s = load_search("miniboone_dm_dump_nucleon")
    sp = s.spec
    assert sp.particle == "dark_matter" and search_targets(sp) == "p,n"
    assert sp.selection.cuts["t_min_GeV"] == 0.035 and sp.selection.cuts["t_max_GeV"] == 0.6
    assert sp.result.observed == 1465 and sp.result.background == 1548.0
    assert any("from memory" in c for c in sp.caveats)          # the counts are flagged as unverified
    curve = s.curves("Y")[0]
    assert curve.at([0.01])[0] == pytest.approx(4.86e-10, rel=0.02)
    e = load_search("miniboone_dm_dump").spec
    assert search_targets(e) == "e" and {"rho0", "omega", "phi"} <= set(e.parents)
    assert not any("vector-meson (rho, omega) production" in c for c in e.caveats)   # no longer missing


def test_limit_command_on_the_nucleon_entry(capsys, few_showers):
    """darkbeam limit miniboone_dm_dump_nucleon --masses 0.01 --json: the counting limit of 1465 observed on
    1548 +- 20.5 % (Y = Y_ref sqrt(N_lim / S)) within a factor 4 of the published nucleon curve (measured
    1.4 at n = 10^4, docs/dark_matter.md)."""
    from darkbeam.analysis.statistics import Counting
    from darkbeam.cli.main import main

    code = main(["limit", "miniboone_dm_dump_nucleon", "--masses", "0.01", "-n", "200", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["parameter"] == "Y" and out["target"] == "p,n"
    n_lim = Counting(1548.0, 1465.0, 0.0, 0.2054).upper_limit(0.9)
    assert out["signal_events_limit"] == pytest.approx(n_lim, rel=1e-9)
    r = out["rows"][0]
    assert out["limit"][0] == pytest.approx(r["Y_ref"] * math.sqrt(n_lim / r["signal"]), rel=1e-9)
    # n = 200 with few showers: seeds give 1.9-3.1 (1.5-2.4 at n = 1000 with the default showers)
    assert 1 / 4 < out["limit"][0] / 4.86e-10 < 4
    assert out["bremsstrahlung"]["included"] is False
    assert any("kinetic energy 0.035-0.6 GeV" in n for n in out["notes"])


def test_nucleon_channel_needs_a_background():
    from darkbeam.analysis.dm_sensitivity import y_sensitivity

    with pytest.raises(ConfigurationError, match="needs a given background"):
        y_sensitivity(0.01, "miniboone_dump", target="p,n")


def _run(brem, **kw):
    from darkbeam.processes.dark_matter import simulate

    return simulate(ModelParameters.from_dict(HEAVY), "miniboone_dump", n=300, rng=np.random.default_rng(5), seed=5,
                    n_parents=2**11, bremsstrahlung=brem, shower=False, **kw)


def test_bremsstrahlung_off_changes_nothing():
    """At the MiniBooNE dump the default is off: the default run and bremsstrahlung=False give the same events,
    weight for weight, with no bremsstrahlung row; the caveats say it was left out and why."""
    a, b = _run(None), _run(False)
    assert np.array_equal(a.w, b.w) and np.array_equal(a.p4("recoil"), b.p4("recoil"))
    assert not any("bremsstrahlung" in r["channel"] for r in a.meta["summary"])
    assert a.meta["bremsstrahlung"]["included"] is False and a.meta["bremsstrahlung"]["outside_validity"] is True
    assert any(c.startswith("proton bremsstrahlung left out by default") for c in a.meta["caveats"])


def test_bremsstrahlung_on_respects_bdnmc_cuts_and_is_flagged():
    """bremsstrahlung=True at 8.9 GeV: the A' all have 0.3 < z < 0.7 and p_T < 0.2 GeV (and fill that range);
    their weight is the quadrature of d^2N/dz dp_T^2 over the same cuts (dark_photon_yield, an independent
    Gauss-Legendre integral) within the MC error; the run flags the source in meta, summary and caveats."""
    from darkbeam.processes.dark_matter_sources import brem_chi_channel, brem_cuts
    from darkbeam.sources.beam.configs import BNB_DUMP, beam_config
    from darkbeam.sources.parents.bremsstrahlung import dark_photon_yield

    cuts = brem_cuts("miniboone_dump")
    assert cuts == {"z_range": (0.3, 0.7), "pt_max": 0.2} and brem_cuts("dune_nd") == {}
    notes = []
    ch, ps = brem_chi_channel(ModelParameters.from_dict(HEAVY), BNB_DUMP, n_parents=20000, seed=3, notes=notes,
                              cuts=cuts)
    p = beam_config(BNB_DUMP).proton_momentum_GeV
    z, pt = ps.p4[:, 3] / p, np.hypot(ps.p4[:, 1], ps.p4[:, 2])
    assert z.min() >= 0.3 and z.max() <= 0.7 and pt.max() <= 0.2
    assert z.min() < 0.31 and z.max() > 0.69 and pt.max() > 0.19
    w = ps.weight
    err = math.sqrt(len(w) * w.var()) / w.sum()
    ref = dark_photon_yield(BNB_DUMP, 0.45, z_range=(0.3, 0.7), pt_max=0.2)
    assert w.sum() == pytest.approx(ref, rel=4 * err + 1e-3)
    assert ch.info["brem_z_range"] == [0.3, 0.7] and ch.info["brem_pt_max_GeV"] == 0.2
    ev = _run(True)
    row = [r for r in ev.meta["summary"] if "bremsstrahlung" in r["channel"]]
    assert len(row) == 1 and row[0]["brem_z_range"] == [0.3, 0.7] and row[0]["events"] > 0
    assert ev.meta["bremsstrahlung"]["included"] is True
    assert any(c.startswith("proton bremsstrahlung INCLUDED on request") for c in ev.meta["caveats"])
    # the other sources are untouched by the option: the same rows as without it
    off = {r["channel"]: r["br"] for r in _run(False).meta["summary"]}
    assert all(off[r["channel"]] == r["br"] for r in ev.meta["summary"] if r["channel"] in off)


def test_generate_flag_and_contradiction(capsys, few_showers):
    from darkbeam.cli.main import main

    sets = [x for k, v in HEAVY.items() for x in ("--set", f"{k}={v}")]
    code = main(["generate", "--process", "dark-matter", "-e", "miniboone_dump", "-n", "100", *sets, "--bremsstrahlung",
                 "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["bremsstrahlung"]["included"] is True
    assert any("bremsstrahlung" in c["channel"] for c in out["channels"])
    code = main(["generate", "--process", "dark-matter", "-n", "100", *sets, "--bremsstrahlung", "--no-bremsstrahlung"])
    err = capsys.readouterr().err
    assert code == 2 and "contradict" in err and len(err.strip().splitlines()) == 1


def test_limit_flag_adds_the_flagged_source(capsys, few_showers):
    """darkbeam limit miniboone_dm_dump --bremsstrahlung at m_chi = 150 MeV: more signal than without (the
    source dominates there, docs/dark_matter.md), so a lower Y limit, and the notes flag it; a meson-decay
    search refuses the option in one line."""
    from darkbeam.cli.main import main

    out = {}
    for flag in ([], ["--bremsstrahlung"]):
        code = main(["limit", "miniboone_dm_dump", "--masses", "0.15", "-n", "200", "--json", *flag])
        out[bool(flag)] = json.loads(capsys.readouterr().out)
        assert code == 0
    assert out[True]["bremsstrahlung"]["included"] and not out[False]["bremsstrahlung"]["included"]
    assert out[True]["limit"][0] < out[False]["limit"][0]
    assert any("proton bremsstrahlung INCLUDED" in n for n in out[True]["notes"])
    code = main(["limit", "sbnd_hnl", "--masses", "0.1", "--bremsstrahlung"])
    err = capsys.readouterr().err
    assert code == 2 and "--bremsstrahlung is an option of the dark-matter searches" in err
