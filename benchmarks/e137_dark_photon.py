"""E137 dark-photon exclusion from darkbeam's showers vs the published band (arXiv:0906.0580 Fig. 1,
DarkCast digitization).  Writes benchmarks/results/e137_dark_photon.json and docs/figures/e137_dark_photon.png.

    nice python benchmarks/e137_dark_photon.py [--showers 40] [--vectors 50000]
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from darkbeam.analysis.beam_dump import GEOMETRIES, dark_vector_sample, excluded_band
from darkbeam.analysis.searches import published_curve
from darkbeam.analysis.statistics import upper_limit

ROOT = Path(__file__).resolve().parents[1]
MASSES = [0.003, 0.01, 0.03, 0.06, 0.1, 0.2, 0.3, 0.4]
BREM = ("brem_e-", "brem_e+")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--showers", type=int, default=40)
    ap.add_argument("--vectors", type=int, default=50000)
    args = ap.parse_args()
    g = GEOMETRIES["e137"]
    ne = 1.87e20
    nlim = upper_limit(0.0, 0, cl=0.95)
    lo_pub, hi_pub = published_curve("e137_dark_photon", "epsilon_lower"), published_curve("e137_dark_photon", "epsilon_upper")
    rows = []
    t0 = time.process_time()
    for m in MASSES:
        row = {"mass_GeV": m, "published": [float(lo_pub.at([m])[0]), float(hi_pub.at([m])[0])]}
        for cut in (1.0, 3.0):
            s = dark_vector_sample(g, m, showers=args.showers, vectors=args.vectors, seed=1, min_energy=cut)
            row[f"all_E>{cut:g}"] = excluded_band(s, g, ne, nlim, energy_cut=cut)
            row[f"brem_E>{cut:g}"] = excluded_band(s.only(BREM), g, ne, nlim, energy_cut=cut)
            if cut == 1.0:
                row["all_E>1_daughters"] = excluded_band(s, g, ne, nlim, energy_cut=cut, acceptance="daughters")
        rows.append(row)
        print(m, {k: v for k, v in row.items() if k != "mass_GeV"}, flush=True)
    cpu = time.process_time() - t0
    out = {"showers": args.showers, "vectors": args.vectors, "n_limit": nlim, "cpu_s": cpu, "rows": rows}
    (ROOT / "benchmarks/results/e137_dark_photon.json").write_text(json.dumps(out, indent=1))
    print(f"CPU {cpu:.1f} s")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    mm = np.geomspace(lo_pub.masses_GeV.min(), lo_pub.masses_GeV.max(), 200)
    ax.fill_between(mm, lo_pub.at(mm), hi_pub.at(mm), color="0.85", label="arXiv:0906.0580 (DarkCast digitization)")
    ms = np.array([r["mass_GeV"] for r in rows])
    for key, style, lab in (("all_E>1", "o-", "darkbeam, all processes, E > 1 GeV"),
                            ("brem_E>1", "s--", "darkbeam, bremsstrahlung only, E > 1 GeV"),
                            ("brem_E>3", "^:", "darkbeam, bremsstrahlung only, E > 3 GeV"),
                            ("all_E>1_daughters", "x-.", "darkbeam, all, E > 1 GeV, daughters' acceptance")):
        b = np.array([r[key] for r in rows])
        line, = ax.plot(ms, b[:, 0], style, label=lab, ms=4)
        ax.plot(ms, b[:, 1], style, color=line.get_color(), ms=4)
    ax.set_xscale("log"); ax.set_yscale("log")
    ax.set_xlabel("m_V (GeV)"); ax.set_ylabel("epsilon")
    ax.set_title(f"SLAC E137, 1.87e20 e- at 20 GeV, 95% CL (N > 3); {args.showers} showers/mass", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(ROOT / "docs/figures/e137_dark_photon.png", dpi=110)


if __name__ == "__main__":
    main()
