"""Light dark matter in chi e -> chi e: MiniBooNE beam-dump limit and DUNE ND sensitivity on and off axis
in the (m_chi, Y) plane (m_A' = 3 m_chi, alpha_D = 0.5, Dirac chi), against the published MiniBooNE-DM
electron-channel limit (digitized curve, cited in the CSV header).  The MiniBooNE line is drawn twice: with
every chi source of darkbeam (pi0, eta, eta' decays, rho0/omega/phi mixing, the A' of the photon showers)
and with the pi0, eta, eta' decays only (the sources before the vector-meson and shower channels), with the
share of each source.

    PYTHONPATH=src python benchmarks/dark_matter_sensitivity.py [--quick]

Writes benchmarks/results/dark_matter_sensitivity.{txt,json} and docs/figures/dark_matter_sensitivity.png.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CURVES = ROOT / "src/darkbeam/analysis/searches/curves"


def _curve(name):
    from darkbeam.analysis.contours import read_curve

    return read_curve(CURVES / name)


def main(quick: bool = False) -> None:
    from darkbeam.analysis.dm_sensitivity import dune_flux, y_limit_positions, y_sensitivity

    from darkbeam.models import ModelParameters
    from darkbeam.processes.dark_matter import simulate

    masses = [0.003, 0.01, 0.03, 0.1, 0.2] if quick else [0.002, 0.005, 0.01, 0.02, 0.03, 0.045, 0.06, 0.1, 0.15,
                                                         0.2, 0.25]
    n = 3000 if quick else 10_000
    offsets = [0.0, 10.0, 20.0, 30.0]
    out = {"masses_GeV": masses, "miniboone_dump": [], "dune_nd": {}}
    ex, ey = _curve("miniboone_dm_dump_electron_y.csv")
    nx, ny = _curve("miniboone_dm_dump_nucleon_y.csv")
    t0 = time.time()
    for m in masses:  # MiniBooNE dump: 0 events observed on 0 background (background-free approximation)
        r = y_sensitivity(m, "miniboone_dump", n=n, n_parents=2**13, background=0.0, observed=0.0, sigma_signal=0.0,
                          sigma_background=0.0)
        row = {k: r[k] for k in ("m_chi", "signal", "Y_ref", "y_counting", "summary")}
        r0 = y_sensitivity(m, "miniboone_dump", n=n, n_parents=2**13, background=0.0, observed=0.0, sigma_signal=0.0,
                           sigma_background=0.0, shower=False, vector_mesons=False)
        row["y_counting_mesons_only"] = r0["y_counting"]
        # chi p events (35-600 MeV proton recoils, no smearing) at the same Y_ref
        pp = ModelParameters.from_dict({"mchi": m, "mzprime": 3 * m, "epsilon": 1e-3, "alphaD": 0.5})
        ev = simulate(pp, "miniboone_dump", n=n, rng=np.random.default_rng(1), n_parents=2**13, seed=1, target="p")
        row["signal_p"] = float(ev.meta["total_events"])
        # events darkbeam predicts ON the published curves (a constant along the curve = the same shape)
        for key, (x, y), sig in (("e", (ex, ey), row["signal"]), ("p", (nx, ny), row["signal_p"])):
            pub = float(np.exp(np.interp(np.log(m), np.log(x), np.log(y)))) if x[0] <= m <= x[-1] else float("nan")
            row[f"Y_published_{key}"] = pub
            row[f"events_at_published_{key}"] = sig * (pub / r["Y_ref"]) ** 2
        out["miniboone_dump"].append(row)
    for off in offsets:
        fl = dune_flux(off)
        rows = []
        for m in masses:
            r = y_sensitivity(m, "dune_nd", offset_m=off, n=n, n_parents=2**13, flux=fl)
            rows.append({k: r[k] for k in ("m_chi", "signal", "background", "Y_ref", "y_counting", "y_binned",
                                           "signal_spectrum", "background_spectrum", "summary")})
        out["dune_nd"][str(off)] = rows
    # DUNE-PRISM-like: the same total exposure shared equally by the four positions, one likelihood with
    # normalisations common to all positions
    out["dune_prism"] = [y_limit_positions([out["dune_nd"][str(o)][i] for o in offsets]) for i in range(len(masses))]
    out["cpu_s"] = time.time() - t0
    res = ROOT / "benchmarks/results"
    (res / "dark_matter_sensitivity.json").write_text(json.dumps(out, indent=1))
    mx, my = ex, ey
    lines = ["# MiniBooNE beam dump (1.86e20 POT): darkbeam chi e limit for 0 observed on 0 background (90% CL) vs the",
             "# published electron-channel limit, and the chi e / chi p events darkbeam predicts on the published curves",
             "# (the published limits are constant-event-count curves if the shapes agree)",
             "# Y90_mesons_only: the same with the pi0, eta, eta' decays only (no rho0/omega/phi mixing, no shower A')",
             "m_chi_MeV  Y90_darkbeam_e  Y90_mesons_only  Y90_published_e  ratio  ratio_mesons_only  "
             "events_on_published_e  events_on_published_p"]
    for i, m in enumerate(masses):
        r = out["miniboone_dump"][i]
        lines.append(f"{1e3 * m:9.3g}  {r['y_counting']:14.3e}  {r['y_counting_mesons_only']:15.3e}  "
                     f"{r['Y_published_e']:15.3e}  {r['y_counting'] / r['Y_published_e']:5.3g}  "
                     f"{r['y_counting_mesons_only'] / r['Y_published_e']:17.3g}  {r['events_at_published_e']:21.3g}  "
                     f"{r['events_at_published_p']:21.3g}")
    groups = (("pi0", "pi0 ->"), ("eta", "eta ->"), ("eta'", "eta' ->"), ("brem", "bremsstrahlung"),
              ("rho0", "rho0 ->"), ("omega", "omega ->"), ("phi", "phi ->"), ("shower", "shower"))

    def shares(summary):
        return [sum(x["share"] for x in summary if key in x["channel"]) for _, key in groups]

    for title, rows_ in (("MiniBooNE dump", out["miniboone_dump"]), ("DUNE ND on axis", out["dune_nd"]["0.0"])):
        lines += ["", f"# {title}: share of the chi e events (before smearing, in the recoil window) by chi source",
                  "m_chi_MeV  " + "  ".join(f"{g:>7s}" for g, _ in groups)]
        for r in rows_:
            lines.append(f"{1e3 * r['m_chi']:9.3g}  " + "  ".join(f"{x:7.3f}" for x in shares(r["summary"])))
    lines += ["", "# DUNE ND (1e22 POT, 30 t Ar, T > 30 MeV): signal S and nu e background B at Y_ref (eps = 1e-3), S/B,",
              "# 90% CL Asimov sensitivity on Y from the T spectrum (binned) and the total rate (counting), 10 % normalisation",
              "# uncertainty on signal and background; m_A' = 3 m_chi, alpha_D = 0.5, Dirac chi",
              "# Y_PRISM: the exposure shared by the four positions, normalisations common to all positions",
              "m_chi_MeV  " + "  ".join(f"S/B_{int(o)}m  Ybin_{int(o)}m  Ycnt_{int(o)}m" for o in offsets)
              + "  Y_PRISM"]
    for i, m in enumerate(masses):
        cols = [f"{1e3 * m:9.3g}"]
        for o in offsets:
            r = out["dune_nd"][str(o)][i]
            sb = r["signal"] / r["background"] if r["background"] > 0 else float("inf")
            cols += [f"{sb:9.3e}", f"{r['y_binned']:9.3e}", f"{r['y_counting']:9.3e}"]
        cols.append(f"{out['dune_prism'][i]:9.3e}")
        lines.append("  ".join(cols))
    lines.append(f"# CPU {out['cpu_s']:.0f} s")
    (res / "dark_matter_sensitivity.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    ax.plot(1e3 * mx, my, "k--", label="MiniBooNE-DM e channel, published (1807.06137; digitized)")
    ax.plot([1e3 * m for m in masses], [r["y_counting"] for r in out["miniboone_dump"]], "k-o", ms=3,
            label="darkbeam MiniBooNE dump (0 obs., background-free), every chi source")
    ax.plot([1e3 * m for m in masses], [r["y_counting_mesons_only"] for r in out["miniboone_dump"]], "k:", ms=3,
            label=r"the same, $\pi^0, \eta, \eta'$ decays only")
    for o, c in zip(offsets, ("C0", "C1", "C2", "C3")):
        rows = out["dune_nd"][str(o)]
        ax.plot([1e3 * r["m_chi"] for r in rows], [r["y_binned"] for r in rows], "-", color=c,
                label=f"darkbeam DUNE ND {o:g} m off axis (T spectrum)")
    ax.plot([1e3 * m for m in masses], out["dune_prism"], "--", color="C4",
            label="darkbeam DUNE-PRISM-like: 0-30 m, equal shares, common normalisations")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$m_\chi$ [MeV]")
    ax.set_ylabel(r"$Y = \epsilon^2 \alpha_D (m_\chi/m_{A'})^4$, 90% CL")
    ax.set_title(r"$\chi e \to \chi e$; $m_{A'} = 3 m_\chi$, $\alpha_D = 0.5$, Dirac $\chi$", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(ROOT / "docs/figures/dark_matter_sensitivity.png", dpi=120)


if __name__ == "__main__":
    main("--quick" in sys.argv)
