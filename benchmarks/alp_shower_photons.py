"""How much would the photons of the electromagnetic showers add to the Primakoff ALP yield of a meson
photon?  For a primary photon of energy E with a path L in graphite, the ALP yield of the whole shower is
n_atoms sum_cells T_gamma(E_cell) sigma_P(E_cell) (T_gamma: the photon track length per energy cell from
darkbeam's shower transport, primary included), against the first-generation yield of
sources/parents/primakoff.py, sigma_P(E)/sigma_pair (1 - exp(-L/lambda)).  g_agg = 1 GeV^-1, m_a = 0.1 GeV.
Results in benchmarks/results/alp_shower_photons.txt (docs/alps.md).  nice python benchmarks/alp_shower_photons.py"""

import math
import time

import numpy as np

from darkbeam.physics.shower.materials import shower_material
from darkbeam.sources.parents.primakoff import primakoff_source
from darkbeam.sources.shower.transport import ShowerSimulator

m_a = 0.1
src = primakoff_source("lbnf", m_a, n=2**10)
mat = shower_material("graphite")
n_atoms = float(mat.atoms_per_cm3[0])
print(f"m_a = {m_a} GeV, graphite, lambda = {src.lam_cm:.2f} cm; cut 0.05 GeV; 24 showers per row")
print("E_gamma [GeV] | L [cm] | first generation | whole shower | ratio | s")
for L in (20.0, 220.0):
    for E in (3.0, 10.0, 30.0):
        t = time.time()
        sim = ShowerSimulator(mat, "gamma", E, cut=0.05, thickness=L)
        sim.set_primary(E, L)
        r = sim.run(24, seed=1)
        grid = sim.tables.grid
        Ec = grid.T * math.exp(0.5 * grid.h)
        T = r.track_hist[0] / r.n
        whole = n_atoms * float(np.sum(T * src.sigma(Ec)))
        first = float(src.sigma(np.array([E]))[0] / src.sigma_pair_cm2 * -math.expm1(-L / src.lam_cm))
        print(f"{E:g} | {L:g} | {first:.4g} | {whole:.4g} | {whole / first:.3f} | {time.time() - t:.0f}")
