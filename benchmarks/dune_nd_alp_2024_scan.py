"""darkbeam's DUNE ND ALP reach (dune_nd_alp) against the two curves of the catalog: the published 2011.07054
curve (AxionLimits) and the authors' public 2024 scan (athompson-git/dune-alps, N = 3 contour), the latter also
with its extra 2 pi removed (x (2 pi)^(-1/4) in g on the long-lifetime edge, where N ~ g^4; docs/alps.md, "A second
DUNE ND ALP curve").  Prints benchmarks/results/dune_nd_alp_2024_scan.txt, draws docs/figures/dune_nd_alp_2024_scan.png.
~50 s on the shared machine: nice python benchmarks/dune_nd_alp_2024_scan.py > benchmarks/results/dune_nd_alp_2024_scan.txt"""

import time

import numpy as np

from darkbeam.analysis.meson_limits import search_limit
from darkbeam.analysis.searches import load_search

masses = [0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.45, 0.52, 0.6]
t = time.time()
out = search_limit("dune_nd_alp", masses, n=2000, n_parents=2**13, seed=1)
dt = time.time() - t
curves = load_search("dune_nd_alp").curves("g_agg")
pick = {(("2024" if "2024 scan" in c.source else "2021"), ("lower" if "lower" in c.source else "upper")): c for c in curves}
two_pi = (2 * np.pi) ** 0.25
nan = float("nan")
print(f"dune_nd_alp: {len(masses)} masses in {dt:.0f} s; 95% CL (3.0 events), zero background, efficiency 1")
print("m_a [GeV] | darkbeam lower | 2024 scan lower | scan x (2pi)^(1/4) | darkbeam / that | published 2021 lower"
      " | 2024 scan / published | darkbeam upper | 2024 scan upper | published 2021 upper")
for i, m in enumerate(masses):
    a, b = out["limit"][i] or nan, out["limit_upper"][i] or nan
    sl, su = pick[("2024", "lower")].at([m])[0], pick[("2024", "upper")].at([m])[0]
    pl, pu = pick[("2021", "lower")].at([m])[0], pick[("2021", "upper")].at([m])[0]
    print(f"{m:g} | {a:.3g} | {sl:.3g} | {sl * two_pi:.3g} | {a / (sl * two_pi):.3g} | {pl:.3g} | {sl / pl:.3g}"
          f" | {b:.3g} | {su:.3g} | {pu:.3g}")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

fig, ax = plt.subplots(figsize=(6.4, 4.6))
mm = np.array(masses)
lo = np.array([x or np.nan for x in out["limit"]], dtype=float)
up = np.array([x or np.nan for x in out["limit_upper"]], dtype=float)
ax.plot(mm, lo, "o-", color="C0", label="darkbeam (ND-GAr, 7.7e21 POT, PR1 + shower photons)")
ax.plot(mm, up, "o-", color="C0")
for (who, edge), c in sorted(pick.items()):
    color, lab = ("k", "published 2011.07054 (AxionLimits)") if who == "2021" else ("C3", "authors' 2024 public scan, N = 3")
    ax.plot(c.masses_GeV, c.values, "-", color=color, label=lab if edge == "lower" else None)
c = pick[("2024", "lower")]
ax.plot(c.masses_GeV, c.values * two_pi, "--", color="C3", label="2024 scan lower edge without its extra 2 pi")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlim(4e-3, 2.5)
ax.set_ylim(5e-9, 1e-2)
ax.set_xlabel("m_a [GeV]")
ax.set_ylabel("g_agg [GeV^-1]")
ax.set_title("DUNE ND ALP (a -> gamma gamma), 95% CL, zero background")
ax.legend(fontsize=7)
fig.tight_layout()
fig.savefig("docs/figures/dune_nd_alp_2024_scan.png", dpi=120)
