"""DUNE ND dark-photon projection (catalog entry dune_nd_dark_photon): pi0/eta -> gamma A' decays and the dark
vectors of the pi0/eta photon showers in the LBNF target, each alone and together, plus the shower yields per
POT with and without the target's lateral surface.  Writes benchmarks/results/dune_nd_dark_photon.json and
docs/figures/dune_nd_dark_photon.png.

    nice python benchmarks/dune_nd_dark_photon.py [--showers 256] [--events 4000]
"""

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MASSES = [0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]


def main():
    from darkbeam.analysis.proton_dump import projection
    from darkbeam.sources.shower.proton_dump import proton_dump_shower_yield

    ap = argparse.ArgumentParser()
    ap.add_argument("--showers", type=int, default=256)
    ap.add_argument("--events", type=int, default=4000)
    args = ap.parse_args()
    t0 = time.process_time()
    lateral = []
    for m in (0.01, 0.03, 0.1):
        row = {"mass_GeV": m}
        for lat in (False, True):
            r = proton_dump_shower_yield("lbnf", m, showers=args.showers, seed=2, lateral=lat)
            row["lateral" if lat else "infinite_slab"] = {"yield": r["dark_yield_per_pot"], "error": r["dark_yield_error"],
                                                          "by_process": r["dark_yield_by_process"],
                                                          "escaped_fraction": r["energy_escaped_fraction"]}
        lateral.append(row)
        print(json.dumps(row))
    out = projection("dune_nd_dark_photon", MASSES, n=args.events, seed=1, showers=args.showers)
    res = {"masses_GeV": MASSES, "sources": out["sources"], "notes": out["notes"], "showers": args.showers,
           "events": args.events, "lateral_leakage": lateral, "cpu_s": time.process_time() - t0}
    for r in out["sources"]:
        print(r)
    (ROOT / "benchmarks/results/dune_nd_dark_photon.json").write_text(json.dumps(res, indent=1))
    plot(res)


def plot(res):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    styles = {"total": ("k", "-", "all sources"), "direct": ("C0", "--", "pi0/eta -> gamma A' only"),
              "shower": ("C3", ":", "target photon showers only"),
              "bremsstrahlung": ("C2", "-.", "proton bremsstrahlung only")}
    for src, (c, ls, label) in styles.items():
        pts = [(r["mass_GeV"], r[src][0], r[src][1]) for r in res["sources"] if r.get(src, (None,))[0] is not None]
        if not pts:
            continue
        m = [p[0] for p in pts] + [p[0] for p in pts[::-1]]
        e = [p[1] for p in pts] + [(p[2] if p[2] is not None else 1e-3) for p in pts[::-1]]
        ax.plot(m + m[:1], e + e[:1], color=c, ls=ls, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("m_A' [GeV]")
    ax.set_ylabel("epsilon")
    ax.set_title(f"DUNE ND-LAr, 1.1e22 POT, 90% CL, zero background ({res['showers']} showers/mass)", fontsize=9)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(ROOT / "docs/figures/dune_nd_dark_photon.png", dpi=110)


if __name__ == "__main__":
    main()
