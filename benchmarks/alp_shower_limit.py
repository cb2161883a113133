"""The dune_nd_alp lower edge with and without the Primakoff ALPs of the target's shower photons
(sources/shower/primakoff_shower.py; parent 'gamma-shower' of the entry), against the published curve of
2011.07054 (AxionLimits digitization).  Also the shower source's yield per POT, its shower-to-shower error
and its share of the signal at the lower edge.  Results in benchmarks/results/alp_shower_limit.txt
(docs/alps.md).  ~1 min: nice python benchmarks/alp_shower_limit.py"""

import dataclasses
import time

import numpy as np

from darkbeam.analysis.meson_limits import limit_curve, spec_from_search
from darkbeam.analysis.searches import load_search

masses = [0.01, 0.03, 0.1, 0.3]
spec = spec_from_search("dune_nd_alp")
before = dataclasses.replace(spec, parents=tuple(p for p in spec.parents if p != "gamma-shower"))
t = time.time()
old = limit_curve(before, masses, n=2000, n_parents=2**13, seed=1)
t1 = time.time() - t
t = time.time()
new = limit_curve(spec, masses, n=2000, n_parents=2**13, seed=1)
t2 = time.time() - t
lo, _ = load_search("dune_nd_alp").curves("g_agg")
print(f"dune_nd_alp, 2000 events per channel, 2^13 parents; first generation only {t1:.0f} s, with shower photons {t2:.0f} s")
print("m_a [GeV] | lower, first gen. | lower, + shower | ratio | published | new/published | upper before | upper after"
      " | shower ALPs/POT (g=1) | rel. error | first-gen ALPs/POT | shower share at lower edge")
for i, m in enumerate(masses):
    pl = float(np.exp(np.interp(np.log(m), np.log(lo.masses_GeV), np.log(lo.values)))) if lo.masses_GeV[0] <= m <= lo.masses_GeV[-1] else float("nan")
    a, b = old["expected"][i] or float("nan"), new["expected"][i] or float("nan")
    ua, ub = old["expected_upper"][i] or float("nan"), new["expected_upper"][i] or float("nan")
    src = (new.get("sources") or [None] * len(masses))[i] or {}
    sh = next((v for k, v in src.items() if "shower" in k), {})
    fg = next((v for k, v in src.items() if "shower" not in k), {})
    print(f"{m:g} | {a:.3g} | {b:.3g} | {b / a:.3f} | {pl:.3g} | {b / pl:.3g} | {ua:.3g} | {ub:.3g} | "
          f"{sh.get('llp_per_pot_unit_coupling', float('nan')):.3g} | {sh.get('source_rel_error') or float('nan'):.2g} | "
          f"{fg.get('llp_per_pot_unit_coupling', float('nan')):.3g} | {sh.get('share_at_expected_lower_edge') or float('nan'):.3f}")
