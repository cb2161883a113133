"""Charm mesons, taus and bremsstrahlung dark photons per POT of the high-energy beams (docs/parents.md
tables), and the sampling speed.

Run: python benchmarks/parents_charm_brem.py  (a few seconds)."""

import time

import numpy as np

from darkbeam.sources.parents.bremsstrahlung import bremsstrahlung_sample, dark_photon_yield, form_factor_sq
from darkbeam.sources.parents.charm import charm_pairs_per_pot, charm_sample, shape_parameters

BEAMS = ("numi", "numi_me", "lbnf", "sps", "wanf")
SPECIES = ("D+", "D0", "D_s+", "tau+")

print("| beam | p (GeV) | sigma_cc (ub/nucleon) | P_int | c c_bar/POT | " + " | ".join(f"{s}/POT (<p> GeV)" for s in SPECIES)
      + " | (n, b) |")
print("|---" * (len(SPECIES) + 6) + "|")
for beam in BEAMS:
    nrm = charm_pairs_per_pot(beam)
    cells = []
    for sp in SPECIES:
        s = charm_sample(beam, sp, n=2**14, seed=1)
        p = np.linalg.norm(s.p4[:, 1:], axis=1)
        cells.append(f"{s.decays_per_pot:.3g} ({np.average(p, weights=s.weight):.3g})")
    from darkbeam.sources.beam.configs import beam_config

    pb = beam_config(beam).proton_momentum_GeV
    n_sh, b_sh, _ = shape_parameters(pb)
    print(f"| {beam} | {pb:g} | {nrm['sigma_cc_ub']:.3g} | {nrm['P_int']:.3f} | {nrm['pairs_per_pot']:.3g} | "
          + " | ".join(cells) + f" | ({n_sh:g}, {b_sh:g}) |")

t = time.perf_counter()
charm_sample("numi", "tau-", n=2**16, seed=1)
print(f"\ncharm_sample(numi, tau-, n=2^16): {time.perf_counter() - t:.3f} s")

MASSES = (0.1, 0.3, 0.5, 0.7, 0.77, 0.9, 1.2)
print("\nA' per POT at epsilon = 1 (0.1 < z < 0.9, p_T < 1 GeV)\n")
print("| beam | " + " | ".join(f"{m:g} GeV" for m in MASSES) + " |")
print("|---" * (len(MASSES) + 1) + "|")
for beam in ("cern_ps", "jparc", "numi", "lbnf", "sps", "wanf"):
    print(f"| {beam} | " + " | ".join(f"{dark_photon_yield(beam, m):.3g}" for m in MASSES) + " |")
print("| bnb (z < 0.8) | " + " | ".join(f"{dark_photon_yield('bnb', m, z_range=(0.1, 0.8)):.3g}" for m in MASSES) + " |")
print("| \\|F_1\\|^2 | " + " | ".join(f"{float(form_factor_sq(m * m)):.3g}" for m in MASSES) + " |")
t = time.perf_counter()
s = bremsstrahlung_sample("numi", 0.5, n=2**16, seed=1)
print(f"\nbremsstrahlung_sample(numi, 0.5 GeV, n=2^16): {time.perf_counter() - t:.3f} s, "
      f"MC/quadrature = {s.decays_per_pot / dark_photon_yield('numi', 0.5):.4f}, "
      f"<p> = {np.average(np.linalg.norm(s.p4[:, 1:], axis=1), weights=s.weight):.3g} GeV")
