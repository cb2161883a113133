"""DUNE ND ALP sensitivity (dune_nd_alp template) against the published curve of Brdar et al. 2011.07054
(digitized by AxionLimits): prints the table of benchmarks/results/dune_nd_alp.txt and draws
docs/figures/dune_nd_alp.png.  ~1 min on the shared machine: nice python benchmarks/dune_nd_alp.py"""

import json
import time

import numpy as np

from darkbeam.analysis.meson_limit_plots import plot_limit
from darkbeam.analysis.meson_limits import search_limit
from darkbeam.analysis.searches import load_search

masses = [0.01, 0.03, 0.1, 0.3, 0.6, 1.0]
t = time.time()
out = search_limit("dune_nd_alp", masses, n=2000, n_parents=2**13, seed=1)
dt = time.time() - t
s = load_search("dune_nd_alp")
lo, hi = [c for c in s.curves("g_agg") if "2011.07054" in c.source]   # the published curve (not the 2024 scan)
print(f"dune_nd_alp: {len(masses)} masses in {dt:.0f} s; 95% CL, 7.7e21 POT, zero background, efficiency 1")
print("m_a [GeV] | darkbeam lower | published lower | ratio | darkbeam upper | published upper")
for m, a, b in zip(masses, out["limit"], out["limit_upper"]):
    pl = float(np.exp(np.interp(np.log(m), np.log(lo.masses_GeV), np.log(lo.values)))) if lo.masses_GeV[0] <= m <= lo.masses_GeV[-1] else float("nan")
    pu = float(np.exp(np.interp(np.log(m), np.log(hi.masses_GeV), np.log(hi.values)))) if hi.masses_GeV[0] <= m <= hi.masses_GeV[-1] else float("nan")
    r = a / pl if a else float("nan")
    print(f"{m:g} | {a if a else float('nan'):.3g} | {pl:.3g} | {r:.3g} | {b if b else float('nan'):.3g} | {pu:.3g}")
plot_limit(out, "docs/figures/dune_nd_alp.png")
json.dump({k: out[k] for k in ("masses_GeV", "limit", "limit_upper", "reference_coupling")}, open("benchmarks/results/dune_nd_alp.json", "w"))
