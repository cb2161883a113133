"""Decays per POT and mean momenta of the parent mesons of every beam line (docs/parents.md tables).

Run: python benchmarks/parents_table.py  (about a minute on one core)."""

import time

import numpy as np

from darkbeam.sources.parents import parent_sample

BEAMS = ("bnb", "numi", "numi_me", "jparc", "lbnf", "wanf", "cern_ps")
FLIGHT = ("pi+", "pi-", "K+", "K-", "K0_L", "pi0", "eta")

print("| beam | " + " | ".join(FLIGHT) + " |")
print("|---" * (len(FLIGHT) + 1) + "|")
for beam in BEAMS:
    t = time.time()
    cells = []
    for sp in FLIGHT:
        s = parent_sample(beam, sp, n=2**14, seed=1)
        p = np.linalg.norm(s.p4[:, 1:], axis=1)
        cells.append(f"{s.decays_per_pot:.3g} ({np.average(p, weights=s.weight):.2g})")
    print(f"| {beam} | " + " | ".join(cells) + f" |  <!-- {time.time() - t:.1f} s -->")

print()
print("| beam | site | pi+ stopped/POT | K+ stopped/POT | K+ from protons crossing the target |")
print("|---|---|---|---|---|")
for beam in ("bnb", "numi", "cern_ps"):
    for site in ("absorber", "walls"):
        a = parent_sample(beam, "pi+", n=2**14, seed=1, mode="at-rest", site=site)
        k = parent_sample(beam, "K+", n=2**14, seed=1, mode="at-rest", site=site)
        note = k.notes[0]
        frac = note.split("of which ")[1].split(" ")[0] if "of which" in note else "-"
        print(f"| {beam} | {site} | {a.decays_per_pot:.3g} | {k.decays_per_pot:.3g} | {frac} |")
