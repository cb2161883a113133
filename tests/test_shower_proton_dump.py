"""Dark vectors from the pi0/eta photon showers of a proton target (sources/shower/proton_dump.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from darkbeam.errors import ParameterError
from darkbeam.physics.shower.materials import shower_material
from darkbeam.sources.shower.proton_dump import (BR_GAMMA_GAMMA, MESON_MASS, meson_photons, path_in_target,
                                                 proton_dump_shower_yield, two_photon_decays)
from darkbeam.sources.shower.transport import ShowerSimulator


def test_two_photon_decays_conserve_four_momentum_and_give_the_box_spectrum():
    rng = np.random.default_rng(1)
    m = MESON_MASS["pi0"]
    n = 40000
    p = 3.0
    E = math.hypot(p, m)
    u = rng.normal(size=(n, 3))
    u /= np.linalg.norm(u, axis=1)[:, None]
    p4 = np.concatenate([np.full((n, 1), E), p * u], axis=1)
    k4, w, j = two_photon_decays(p4, np.full(n, 0.5), m, 0.9, rng)
    summed = k4[0::2] + k4[1::2]
    np.testing.assert_allclose(summed, p4, rtol=0, atol=1e-12)  # E1 + E2 = E_meson, p1 + p2 = p_meson
    np.testing.assert_allclose(k4[:, 0], np.linalg.norm(k4[:, 1:], axis=1), rtol=1e-12, atol=0)  # massless
    assert w.sum() == pytest.approx(2 * 0.9 * 0.5 * n, rel=1e-12, abs=0)
    np.testing.assert_array_equal(j, np.repeat(np.arange(n), 2))
    # isotropic rest-frame decay: lab energy flat on [E(1-beta)/2, E(1+beta)/2], variance (p^2)/12
    k = k4[:, 0]
    beta = p / E
    assert k.min() >= E * (1 - beta) / 2 * (1 - 1e-12) and k.max() <= E * (1 + beta) / 2 * (1 + 1e-12)
    assert k.var() == pytest.approx(p**2 / 12, rel=0.02, abs=0)


def test_path_in_target_closed_form():
    # on axis at z = 10 of a cylinder from z = -5, length 100, radius 1: forward, at 0.05 rad, backward
    pos = np.array([[0.0, 0.0, 10.0]] * 3 + [[0.0, 2.0, 10.0]])
    th = 0.05
    u = np.array([[0, 0, 1.0], [math.sin(th), 0, math.cos(th)], [0, 0, -1.0], [0, 0, 1.0]])
    L = path_in_target(pos, u, -5.0, 100.0, 1.0)
    np.testing.assert_allclose(L, [85.0, min(85.0 / math.cos(th), 1.0 / math.sin(th)), 15.0, 0.0], rtol=1e-12, atol=0)


def test_photon_weights_per_pot():
    from darkbeam.sources.parents import parent_sample

    ph = meson_photons("numi", n_mesons=1024, seed=3)
    for i, sp in enumerate(("pi0", "eta")):
        n = parent_sample("numi", sp, n=1024, seed=3 + i).decays_per_pot
        sel = ph["species"] == i
        assert ph["weight"][sel].sum() == pytest.approx(2 * BR_GAMMA_GAMMA[sp] * n, rel=1e-12, abs=0)
        # the photon energies of each meson add up to its energy
        np.testing.assert_allclose(ph["k4"][sel][0::2, 0] + ph["k4"][sel][1::2, 0], ph["parent_E"][sel][0::2],
                                   rtol=1e-12, atol=0)


def test_set_primary_keeps_the_energy_ledger():
    sim = ShowerSimulator(shower_material("graphite"), "gamma", 5.0, thickness=50.0, dark_mass=0.03)
    sim.set_primary(1.3, 30.0)
    r = sim.run(4, seed=2)
    assert r.T0 == 1.3
    bal = r.deposited + r.below_cut + r.escaped + r.rest_mass - r.T0
    assert np.max(np.abs(bal)) < 1e-10
    with pytest.raises(ParameterError):
        sim.set_primary(6.0, 30.0)


def test_yield_scales_with_eps_squared_and_by_process():
    a = proton_dump_shower_yield("numi", 0.03, showers=4, n_mesons=512, seed=1)
    b = proton_dump_shower_yield("numi", 0.03, showers=4, n_mesons=512, seed=1, epsilon=1e-3)
    assert a["dark_yield_per_pot"] > 0
    assert a["dark_yield_per_pot"] == pytest.approx(sum(a["dark_yield_by_process"].values()), rel=1e-12, abs=0)
    assert b["dark_yield_per_pot"] == pytest.approx(1e-6 * a["dark_yield_per_pot"], rel=1e-12, abs=0)
    for k, v in a["dark_yield_by_process"].items():
        assert b["dark_yield_by_process"][k] == pytest.approx(1e-6 * v, rel=1e-12, abs=0)
    # direct pi0 -> gamma V: 2 (1 - m^2/m_pi^2)^3 B(gamma gamma) per pi0 (Batell-Pospelov-Ritz eq. 9)
    from darkbeam.sources.parents import parent_sample

    n_pi0 = parent_sample("numi", "pi0", n=512, seed=12346).decays_per_pot
    want = n_pi0 * 2 * (1 - 0.03**2 / MESON_MASS["pi0"] ** 2) ** 3 * BR_GAMMA_GAMMA["pi0"]
    assert a["direct_meson_decay_yield_per_pot"]["pi0"] == pytest.approx(want, rel=1e-12, abs=0)


def test_cli_beam_json_and_errors(capsys):
    from darkbeam.cli.main import main

    assert main(["shower", "--beam", "numi", "--dark-mass", "0.05", "--showers", "3", "--mesons", "256", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["dark_yield_by_process"]) == {"brem_e-", "brem_e+", "annihilation_resonant", "annihilation_gamma_V", "compton"}
    assert set(out["direct_meson_decay_yield_per_pot"]) == {"pi0", "eta"}
    assert out["target"]["material"] == "graphite" and out["target"]["length_cm"] == 95.4
    assert out["dark_yield_per_pot"] > 0 and out["dark_yield_error"] >= 0
    for bad in (["--beam", "nowhere", "--dark-mass", "0.03"], ["--beam", "numi"], ["--beam", "numi", "--dark-mass", "-1"],
                ["--beam", "numi", "--dark-mass", "0.03", "--layers", "lead:1"], ["--beam", "numi", "--dark-mass", "0.03", "--mesons", "0"],
                ["--beam", "numi", "--dark-mass", "0.03", "--cut", "500"]):
        code = main(["shower", "--showers", "2", *bad])
        err = capsys.readouterr().err
        assert code != 0 and err.count("\n") == 1 and err.startswith("darkbeam: error:"), (bad, err)
