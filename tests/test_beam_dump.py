"""Electron beam-dump recast (analysis/beam_dump.py; docs/showers.md, "E137").

Independent references: the closed-form exponential decay law for a single vector, the eps^2 and
c tau ~ 1/eps^2 scaling of the signal, the long-lifetime limit eps^4, the classical zero-event Poisson limit
-ln(1 - CL), the TOML entry read with tomllib, and the published E137 band of arXiv:0906.0580 (DarkCast's
digitization)."""

import copy
import json
import math
import tomllib

import numpy as np
import pytest

from darkbeam.analysis.beam_dump import GEOMETRIES, DarkVectorSample, dark_photon_decay, signal_events
from darkbeam.analysis.searches import load_search, published_curve
from darkbeam.analysis.searches.catalog import _entries_dir
from darkbeam.analysis.statistics import upper_limit
from darkbeam.cli.main import main

G = GEOMETRIES["e137"]
NE = 1.87e20


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def one_vector(E=10.0, m=0.05, z0=50.0, direction=(0.0, 0.0, 1.0), w=1e-3):
    p = math.sqrt(E * E - m * m)
    u = np.array([direction]) / np.linalg.norm(direction)
    return DarkVectorSample(mass=m, weight=np.array([w]), E=np.array([E]), p_abs=np.array([p]), direction=u,
                            pos=np.array([[0.0, 0.0, z0]]), yield_per_electron=w, showers=1,
                            process=np.array([0]), processes=("brem_e-",))


def test_single_vector_is_the_exponential_decay_law():
    s = one_vector()
    ctau1, br = 2.0e-6, 0.8
    eps = np.array([1e-7, 1e-5])
    n = signal_events(s, G, eps, NE, decay=(ctau1, br))
    L = s.p_abs[0] / s.mass * ctau1 / eps**2
    a, b = G.shield_cm - 50.0, G.shield_cm + G.decay_cm - 50.0
    ref = NE * eps**2 * 1e-3 * br * (np.exp(-a / L) - np.exp(-b / L))
    np.testing.assert_allclose(n, ref, rtol=1e-12, atol=0)


def test_eps_scaling_production_eps2_and_ctau_inverse_eps2():
    s = one_vector()
    ctau1, br = 3.0e-6, 1.0
    # N/eps^2 depends on eps only through ctau(eps) = ctau1/eps^2
    e1, e2 = 2e-6, 5e-6
    n1 = signal_events(s, G, [e1], NE, decay=(ctau1, br))[0] / e1**2
    n2 = signal_events(s, G, [e2], NE, decay=(ctau1 * e2**2 / e1**2, br))[0] / e2**2
    assert n1 == pytest.approx(n2, rel=1e-10, abs=0)
    # long lifetime: N ~ eps^4 (production eps^2 x decay probability (b - a)/L ~ eps^2)
    lo = signal_events(s, G, [1e-9, 2e-9], NE, decay=(ctau1, br))
    assert lo[1] / lo[0] == pytest.approx(16.0, rel=1e-4, abs=0)


def test_survival_through_the_shield_matters():
    s = one_vector()
    decay = (2.0e-6, 1.0)
    e = np.array([1e-9, 1e-3])
    with_s = signal_events(s, G, e, NE, decay=decay)
    without = signal_events(s, G, e, NE, decay=decay, survival=False)
    assert with_s[0] == pytest.approx(without[0], rel=1e-3, abs=0)  # long lifetime: survival ~ 1
    assert without[1] > 1e3 * with_s[1]  # short lifetime: the shield absorbs almost all


def test_acceptance_and_energy_cut():
    decay = (2.0e-6, 1.0)
    inside = signal_events(one_vector(), G, [1e-7], NE, decay=decay)[0]
    assert inside > 0
    # 150 cm off axis at 383 m: 4 mrad half aperture; 6 mrad misses the detector
    off = one_vector(direction=(6e-3, 0.0, 1.0))
    assert signal_events(off, G, [1e-7], NE, decay=decay)[0] == 0.0
    assert signal_events(one_vector(E=0.9), G, [1e-7], NE, decay=decay)[0] == 0.0  # below the 1 GeV cut
    back = one_vector(direction=(0.0, 0.0, -1.0))
    assert signal_events(back, G, [1e-7], NE, decay=decay)[0] == 0.0


def test_zero_events_limit_and_dark_photon_decay():
    assert upper_limit(0.0, 0, cl=0.95) == pytest.approx(-math.log(0.05), rel=1e-3, abs=0)
    ctau1, br = dark_photon_decay(0.05)
    # below the muon threshold: Gamma = alpha m / 3 (1 + 2r) sqrt(1 - 4r) (arXiv:0906.0580), BR_vis = 1
    r = (0.51099895e-3 / 0.05) ** 2
    gamma = 0.0072973525693 * 0.05 / 3 * (1 + 2 * r) * math.sqrt(1 - 4 * r)
    assert ctau1 == pytest.approx(1.973269804e-14 / gamma, rel=2e-2, abs=0)
    assert br == pytest.approx(1.0, rel=1e-6, abs=0)


def test_catalog_entry_validates():
    s = load_search("e137_dark_photon")
    t = tomllib.loads(_entries_dir().joinpath("e137_dark_photon.toml").read_text())
    e = s.spec.exposure[0]
    assert s.spec.particle == "dark_photon" and s.spec.kind == "search"
    assert e.electrons == t["exposure"][0]["electrons"] == 1.87e20 and e.pot is None and e.geometry == "e137"
    assert s.spec.result.observed == 0 and s.spec.result.cl == 0.95
    c = published_curve("e137_dark_photon", "epsilon_upper")
    assert c.at([0.01])[0] == pytest.approx(4.0e-5, rel=0.02, abs=0)


def _dump(t):
    import json as _j

    def val(v):
        return _j.dumps(v)

    lines = []
    for k, v in t.items():
        if not isinstance(v, (dict, list)) or (isinstance(v, list) and not any(isinstance(x, dict) for x in v)):
            lines.append(f"{k} = {val(v)}")
    for k, v in t.items():
        if isinstance(v, dict):
            lines.append(f"[{k}]")
            lines += [f"{kk} = {val(vv)}" for kk, vv in v.items() if not isinstance(vv, dict)]
            for kk, vv in v.items():
                if isinstance(vv, dict):
                    lines.append(f"[{k}.{kk}]")
                    lines += [f"{a} = {val(b)}" for a, b in vv.items()]
        elif isinstance(v, list) and any(isinstance(x, dict) for x in v):
            for x in v:
                lines.append(f"[[{k}]]")
                lines += [f"{kk} = {val(vv)}" for kk, vv in x.items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("edit, message", [
    (lambda t: t["exposure"][0].update(pot=1e20), "exactly one exposure unit"),
    (lambda t: t["exposure"][0].pop("geometry"), "geometry: required with electrons"),
    (lambda t: t["exposure"][0].update(geometry="e138"), "unknown beam-dump geometry 'e138'"),
    (lambda t: t["exposure"][0].update(electrons=-1.0), "electrons: must be positive"),
])
def test_bad_electron_exposure_is_one_line(tmp_path, capsys, edit, message):
    t = copy.deepcopy(tomllib.loads(_entries_dir().joinpath("e137_dark_photon.toml").read_text()))
    edit(t)
    p = tmp_path / "my_dump.toml"
    p.write_text(_dump(t))
    code, out, err = run(capsys, "searches", "show", str(p))
    assert code != 0 and out == "" and len(err.strip().splitlines()) == 1 and message in err, err


def test_cli_bad_search_inputs_are_one_line(capsys):
    for argv, msg in ((("--search", "t2k_nd280_hnl", "--dark-mass", "0.1"), "not an electron beam-dump"),
                      (("--search", "e137_dark_photon"), "needs --dark-mass"),
                      (("--search", "e137_dark_photon", "--dark-masses", "0.1,x"), "comma-separated"),
                      (("--dark-masses", "0.1"), "needs --search"),
                      (("--search", "e137_dark_photon", "--dark-mass", "0.1", "--acceptance", "cone"), "unknown acceptance"),
                      (("--search", "e137_dark_photon", "--dark-mass", "0.1", "--processes", "brem"), "unknown dark process")):
        code, out, err = run(capsys, "shower", "--showers", "1", "--vectors", "100", *argv)
        assert code != 0 and len(err.strip().splitlines()) == 1 and msg in err, err


def test_e137_band_agrees_with_the_published_curve(capsys):
    """arXiv:0906.0580 Fig. 1 (DarkCast digitization): upper boundary within 20%, lower within a factor 2.5
    (the lower edge scales as N^(1/4); darkbeam adds e+e- annihilation, which 0906.0580 did not include,
    and its WW dark bremsstrahlung is 20-60% above the exact 2 -> 3 at these masses, docs/showers.md)."""
    code, out, err = run(capsys, "shower", "--search", "e137_dark_photon", "--dark-masses", "0.01,0.1,0.3",
                         "--showers", "8", "--vectors", "20000", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["n_limit"] == pytest.approx(2.9957, rel=1e-3, abs=0)
    for r in d["rows"]:
        assert 1 / 1.25 < r["ratio_eps_upper"] < 1.25 or r["mass_GeV"] == 0.3, r
        assert 1 / 2.5 < r["ratio_eps_lower"] < 1.5, r
    # at 0.3 GeV the upper edge is a factor ~2 below the published one (docs/showers.md)
    r3 = d["rows"][2]
    assert 0.35 < r3["ratio_eps_upper"] < 1.2, r3


def test_daughters_acceptance_limits():
    decay = (2.0e-6, 1.0)
    # light vector: opening angle ~2m/E = 0.4 mrad << 3.9 mrad aperture: same as V's direction, exactly
    light = one_vector(E=10.0, m=0.002)
    e = [1e-7, 1e-5]
    np.testing.assert_allclose(signal_events(light, G, e, NE, decay=decay, acceptance="daughters"),
                               signal_events(light, G, e, NE, decay=decay), rtol=1e-12, atol=0)
    # heavy vector at 5 GeV: daughters at ~60 mrad, most decays upstream put both off the 3 m face
    many = one_vector(E=5.0, m=0.3)
    n = 2000
    many.weight, many.E, many.p_abs = np.full(n, 1e-3 / n), np.full(n, 5.0), np.full(n, many.p_abs[0])
    many.direction, many.pos = np.repeat(many.direction, n, 0), np.repeat(many.pos, n, 0)
    d = signal_events(many, G, [1e-7], NE, decay=decay, acceptance="daughters")[0]
    v = signal_events(many, G, [1e-7], NE, decay=decay)[0]
    assert 0.0 < d < 0.5 * v
