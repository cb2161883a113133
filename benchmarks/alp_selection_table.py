"""darkbeam's modelled DUNE ND-GAr ALP selection (analysis/alp_selection.py) on a mass grid: per-channel
efficiencies and the NC pi0 -> gamma gamma background, printed as the [channels.table] blocks of
analysis/searches/entries/dune_ndgar_alp_selected.toml and saved to benchmarks/results/alp_selection_table.json.
~1-2 min on the shared machine: nice python benchmarks/alp_selection_table.py"""

import json
import time

from darkbeam.analysis.alp_selection import selection_table

MASSES = [0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0]
t0 = time.time()
t = selection_table(MASSES, n=3000, n_background=1_000_000, seed=1)
print(f"selection table: {len(MASSES)} masses in {time.time() - t0:.0f} s")
# the mu+ mu- channel opens at 0.211 GeV: one more point just above its threshold
mu = selection_table([0.22], n=3000, seed=1, background=False, two_body=("mu+ mu-",))["channels"]["mu+ mu-"]
t["mu_mu_threshold_point"] = {"masses_GeV": [0.22], **mu}
json.dump(t, open("benchmarks/results/alp_selection_table.json", "w"), indent=1)


def row(vals, fmt="{:.3g}"):
    return "[" + ", ".join("0.0" if v is None else fmt.format(v) for v in vals) + "]"


bg = t["nc_pi0"]
print(f"NC pi0 produced {bg['produced']:.4g}, seen and resolved {bg['seen_and_resolved']:.4g}, "
      f"pointing {bg['pointing']:.4g} (before the mass window), {bg['draws']} draws")
print("m_a | " + " | ".join(f"{k} eff" for k in t["channels"]) + " | gamma gamma window (centre, sigma) | NC pi0 bkg")
for i, m in enumerate(MASSES):
    ch = t["channels"]
    gg = ch["gamma gamma"]
    print(f"{m:g} | " + " | ".join("-" if ch[k]["efficiency"][i] is None else f"{ch[k]['efficiency'][i]:.3g}" for k in ch)
          + f" | {gg['window_centre_GeV'][i]:.3g}, {gg['mass_resolution_GeV'][i]:.3g} | {bg['events'][i]:.3g} +- {bg['mc_error'][i]:.2g}")
for key, c in t["channels"].items():
    ok = [i for i, e in enumerate(c["efficiency"]) if e is not None]
    ms, eff = [MASSES[i] for i in ok], [c["efficiency"][i] for i in ok]
    if key == "mu+ mu-":
        ms, eff = [0.22] + ms, mu["efficiency"] + eff
    print(f"\n# {key}")
    print("[channels.table]")
    print("masses_GeV = " + row(ms, "{:g}"))
    print("efficiency = " + row(eff, "{:.4g}"))
    if key == "gamma gamma":
        print("background = " + row([bg["events"][i] for i in ok], "{:.4g}"))
        print("background_error = " + row([bg["mc_error"][i] for i in ok], "{:.3g}"))

# pi+ pi- pi0 (open with g_agluon only; not in the g_agg entry): ALPs from a-pi0 mixing, the pi0 as one
# calorimetric object
import darkbeam
from darkbeam.analysis.alp_selection import signal_cutflow

print("\npi+ pi- pi0 (g_agluon = 1e-8 GeV^-1, a-pi0 mixing and K -> pi a production):")
for i, m in enumerate([0.6, 1.0]):
    ev = darkbeam.simulate_alps({"ma": m, "g_agluon": 1e-8}, "dune_ndgar_fhc", n=3000, seed=1 + i).events
    cf = signal_cutflow(ev, seed=200 + i).get("pi+ pi- pi0")
    if cf:
        print(f"m_a = {m:g} GeV: seen {cf['seen_and_resolved']:.3g}, mass window {cf['mass_window']:.3g}, pointing "
              f"(efficiency) {cf['efficiency']:.3g}; window {cf['window_centre_GeV']:.3g} +- {cf['mass_resolution_GeV']:.3g} GeV")
