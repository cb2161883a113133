"""Bremsstrahlung dark photons at NOvA ND (NuMI, 14.6 mrad off axis): azimuth resampling
(darkbeam.processes.direct_llp) against brute-force ray counting of the real source sample, and speed.
Prints a table; results in benchmarks/results/meson_bremsstrahlung_check.txt."""

import math
import time

import numpy as np

from darkbeam.detectors.catalog import load_experiment
from darkbeam.detectors.placement import placement
from darkbeam.events.weights import path_bounds_from_segments, path_decay_probability
from darkbeam.models.parameters import ModelParameters
from darkbeam.physics.decays import decay_table
from darkbeam.processes.direct_llp import SAMPLE_KEY, bremsstrahlung_channel
from darkbeam.processes.meson_decay import simulate
from darkbeam.sources.parents.bremsstrahlung import bremsstrahlung_sample

exp = load_experiment("nova_le_fhc")
vol = exp.decay_volume
place = placement(exp, "numi")
print("experiment nova_le_fhc (numi frame); m_A' GeV, eps, A'/POT(eps=1), decays (resampled +- err), "
      "decays (brute force +- err), pull, CPU s (resampled, 2e5 draws)")
for m, eps in ((0.1, 1e-6), (0.3, 1e-7), (0.5, 3e-8)):
    params = ModelParameters.from_dict({"mzprime": m, "epsilon": eps, "zprime_charge": "dark"})
    ps = bremsstrahlung_sample("numi", m, n=2**15, seed=7)
    ch = bremsstrahlung_channel(params)
    t = time.process_time()
    es = simulate(params, exp, [ch], {SAMPLE_KEY: ps}, n=200_000, rng=np.random.default_rng(1))
    dt = time.process_time() - t
    s = es.meta["summary"][0]
    k = 100
    rng = np.random.default_rng(2)
    tot = np.zeros(len(ps))
    ctau = decay_table(params, "zprime").ctau_cm
    for j in range(k):
        pt = np.hypot(ps.p4[:, 1], ps.p4[:, 2])
        ph = rng.uniform(0, 2 * math.pi, len(ps))
        p3 = place.vectors_to_detector(np.stack([pt * np.cos(ph), pt * np.sin(ph), ps.p4[:, 3]], axis=1))
        x0 = place.points_to_detector(ps.position)
        pa = np.linalg.norm(p3, axis=1)
        a, b = vol.segments(x0, p3 / pa[:, None])
        tot += path_decay_probability(path_bounds_from_segments(a, b), pa / m * ctau) / k
    w = ps.weight * exp.pot * ch.br * tot
    bf, e_bf = w.sum(), math.sqrt(len(w) * w.var(ddof=1))
    pull = (s["decays_in_volume"] - bf) / math.hypot(s["decays_in_volume_err"], e_bf)
    print(f"{m:.2f} {eps:.0e} {ps.decays_per_pot:.4g} {s['decays_in_volume']:.4g} +- {s['decays_in_volume_err']:.2g} "
          f"{bf:.4g} +- {e_bf:.2g} {pull:+.2f} {dt:.2f}")
