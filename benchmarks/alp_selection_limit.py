"""How darkbeam's modelled ALP selection (dune_ndgar_alp_selected) moves the DUNE ND-GAr g_agg reach against
the efficiency-1 / zero-background template (dune_nd_alp), with the efficiencies alone (background
dropped) to separate the two effects.  Expected (median) 95 % CL edges; results in
benchmarks/results/alp_selection_limit.txt.  ~1 min: nice python benchmarks/alp_selection_limit.py"""

import dataclasses
import json

from darkbeam.analysis.meson_limits import limit_curve, spec_from_search

MASSES = [0.03, 0.1, 0.3]
KW = dict(n=2000, seed=1)

base = limit_curve(spec_from_search("dune_nd_alp"), MASSES, **KW)
sel = spec_from_search("dune_ndgar_alp_selected")
full = limit_curve(sel, MASSES, **KW)
no_bkg = dataclasses.replace(sel, tables={d: (f, t.model_copy(update={"background": None, "background_error": None}))
                                          for d, (f, t) in sel.tables.items()})
eff_only = limit_curve(no_bkg, MASSES, **KW)


def f(v):
    return "closed" if v is None else f"{v:.3g}"


print("m_a [GeV] | template lower | template upper | efficiencies only lower | upper | selection + NC pi0 lower | upper "
      "| background | N_signal limit")
for i, m in enumerate(MASSES):
    print(f"{m:g} | {f(base['expected'][i])} | {f(base['expected_upper'][i])} | {f(eff_only['expected'][i])} | "
          f"{f(eff_only['expected_upper'][i])} | {f(full['expected'][i])} | {f(full['expected_upper'][i])} | "
          f"{full['background_per_mass'][i]:.3g} +- {full['background_error_per_mass'][i]:.2g} | "
          f"{full['signal_events_expected_per_mass'][i]:.3g}")
json.dump({"masses_GeV": MASSES, "template": [base["expected"], base["expected_upper"]],
           "efficiencies_only": [eff_only["expected"], eff_only["expected_upper"]],
           "selected": [full["expected"], full["expected_upper"]], "background": full["background_per_mass"]},
          open("benchmarks/results/alp_selection_limit.json", "w"))
