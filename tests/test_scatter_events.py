"""The scattering-event layout (events/scattering.py, scatter_schema.py, scatter_text.py; docs/events.md,
"Scattering events"), on synthetic dark-matter-electron scattering chi e -> chi e (a massive projectile,
as the dark-matter process will have) and trident-like events with a pair: construction, validation,
selection, concatenation, parquet round trip and NuHepMC/HEPEVT files read back by pyhepmc."""

import math

import numpy as np
import pytest

from darkbeam.errors import ConfigurationError, DataError
from darkbeam.events import ScatterCase, ScatterEvents, read_parquet, write
from darkbeam.events.scatter_schema import scatter_process_ids

M_E, M_CHI = 0.51099895e-3, 0.01


def _chi_e(n=50, seed=1, case_names=("chi e- -> chi e-",)):
    """chi (mass M_CHI, momentum p along +z) on an electron at rest, recoil kinetic energy T: closed-form
    2 -> 2 kinematics, cos theta_e = (E + m_e) T / (p |p_e|)."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.5, 5.0, n)
    E = np.hypot(p, M_CHI)
    T = rng.uniform(0.001, 0.02, n)
    pe = np.sqrt(T * (T + 2 * M_E))
    cos = (E + M_E) * T / (p * pe)
    assert np.all(cos <= 1)
    sin, phi = np.sqrt(1 - cos**2), rng.uniform(0, 2 * math.pi, n)
    rec = np.column_stack([pe * sin * np.cos(phi), pe * sin * np.sin(phi), pe * cos])
    inc = np.column_stack([np.zeros(n), np.zeros(n), p])
    out = inc - rec
    cases = [ScatterCase(name=nm, process="dm-scattering", projectile=5921, target=11, scattered=5921,
                         recoil=11, m_projectile=M_CHI, m_target=M_E, m_scattered=M_CHI, m_recoil=M_E,
                         description="chi e -> chi e (test)") for i, nm in enumerate(case_names)]
    cols = {"case": rng.integers(0, len(cases), n), "w": rng.uniform(0.1, 2.0, n), "Q2": 2 * M_E * T,
            "x": rng.normal(size=n), "y": rng.normal(size=n), "z": rng.normal(size=n), "t": np.zeros(n)}
    for role, a in (("projectile", inc), ("scattered", out), ("recoil", rec)):
        for j, c in enumerate("xyz"):
            cols[f"{role}_p{c}"] = a[:, j]
    return ScatterEvents(cols, cases, {"process": "dm-scattering", "exposure_pot": 1e20,
                                       "flux_averaged_xsec_cm2": 1e-40, "seed": seed})


def test_dark_matter_scattering_fits_the_layout_and_conserves_momentum():
    ev = _chi_e()
    k = ev.check_kinematics()
    assert k["primary"] < 1e-12 and k["Q2"] < 1e-9
    np.testing.assert_allclose(ev["T_recoil"], ev["Q2"] / (2 * M_E), rtol=1e-9, atol=0)
    assert np.all(ev.pdg("pair1") == 0) and np.all(ev.energy("pair2") == 0) and not ev.has_pair
    assert ev.E_nu == pytest.approx(np.hypot(ev["projectile_pz"], M_CHI), rel=1e-15, abs=0)
    assert scatter_process_ids(ev.cases) == [950]


def test_files_round_trip_and_nuhepmc(tmp_path):
    import pyhepmc

    ev = _chi_e(40, case_names=("a", "b"))
    write(ev, tmp_path / "e.parquet")
    back = read_parquet(tmp_path / "e.parquet")
    assert isinstance(back, ScatterEvents) and back.equals(ev)
    full = ev.to_arrow(full=True)
    assert {"case_name", "recoil_pdg", "scattered_E", "E_nu", "T_recoil"} <= set(full.column_names)
    write(ev, tmp_path / "e.hepmc3")
    write(ev, tmp_path / "e.hepevt")
    with pyhepmc.open(tmp_path / "e.hepmc3") as f:
        events = list(f)
    assert len(events) == 40
    for i, e in enumerate(events):
        assert [q.status for q in e.particles] == [4, 20, 1, 1] and len(e.vertices) == 1
        assert [q.pid for q in e.particles] == [5921, 11, 5921, 11]
        assert e.particles[0].generated_mass == M_CHI and e.weights[0] == ev.w[i]
        v = e.vertices[0]
        assert (v.position.x, v.position.y, v.position.z) == (ev["x"][i], ev["y"][i], ev["z"][i])
    pid = sorted({int(e.attributes["signal_process_id"].astype(int)) for e in events})
    assert pid == [950, 951]
    with pyhepmc.open(tmp_path / "e.hepevt", format="hepevt") as f:
        h = list(f)
    assert len(h) == 40 and [q.pid for q in h[0].particles] == [q.pid for q in events[0].particles]
    np.testing.assert_allclose([h[0].particles[3].momentum.pz], [ev["recoil_pz"][0]], rtol=1e-15, atol=0)


def test_select_concat_and_with_weights():
    a, b = _chi_e(30, seed=1, case_names=("a", "b")), _chi_e(20, seed=2, case_names=("b", "c"))
    both = ScatterEvents.concat([a, b], meta=a.meta)
    assert len(both) == 50 and [c.name for c in both.cases] == ["a", "b", "c"]
    assert [both.cases[i].name for i in both["case"][30:]] == [b.cases[i].name for i in b["case"]]  # remapped
    head = both.select(slice(0, 30))
    assert all(np.array_equal(head[k], a[k]) for k in a.columns if k != "case")
    assert a.select(a.w > 1).w.min() > 1
    np.testing.assert_array_equal(a.with_weights(w=2 * a.w).w, 2 * a.w)
    other_b = ScatterCase.from_dict({**b.cases[0].to_dict(), "recoil": 13})  # same name, another case
    with pytest.raises(ConfigurationError, match="two different cases"):
        ScatterEvents.concat([a, ScatterEvents(b.columns, [other_b, b.cases[1]], b.meta)], meta=a.meta)
    with pytest.raises(ConfigurationError, match="meta differ"):
        ScatterEvents.concat([a, b.with_meta(seed=9)])


def test_bad_input_is_refused():
    ev = _chi_e(10)
    cols = dict(ev.columns)
    with pytest.raises(DataError, match="negative weight"):
        ScatterEvents(cols | {"w": -ev.w}, ev.cases, ev.meta)
    with pytest.raises(DataError, match="case table"):
        ScatterEvents(cols | {"case": np.full(10, 3)}, ev.cases, ev.meta)
    with pytest.raises(ConfigurationError, match="unknown scattering-event columns"):
        ScatterEvents(cols | {"hnl_px": np.zeros(10)}, ev.cases, ev.meta)
    with pytest.raises(ConfigurationError, match="all of"):
        ScatterEvents(cols | {"pair1_px": np.zeros(10)}, ev.cases, ev.meta)
    with pytest.raises(ConfigurationError, match="pair"):
        ScatterCase(name="x", process="trident", projectile=14, target=11, scattered=14, recoil=11, pair=(13,))
    with pytest.raises(ConfigurationError, match="PDG code 0"):
        ScatterCase(name="x", process="nu-e", projectile=14, target=11, scattered=0, recoil=11)
    with pytest.raises(ConfigurationError, match="no reweighting"):
        ev.reweight({"gX": 1.0})


def test_unweighting_keeps_the_total_and_the_layout():
    from darkbeam.events import unweight

    ev = _chi_e(400)
    u = unweight(ev, 100, rng=np.random.default_rng(1), on_shortfall="return")
    assert isinstance(u, ScatterEvents) and len(u) <= 100
    assert u.w.sum() == pytest.approx(ev.w.sum(), rel=1e-12, abs=0)
    np.testing.assert_allclose(u.w, u.w[0], rtol=1e-12, atol=0)
