"""darkbeam's meson-decay limits against the catalog's published curves, and the physicist's figures
(docs/meson_decay_limits.md).  Writes benchmarks/results/meson_limit_comparisons.{txt,json} and
docs/figures/meson_limits_*.png.  CPU: a few minutes on the shared machine (nice it).  ``positions``
as the only argument redraws only docs/figures/meson_limits_decay_positions.png."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from darkbeam.analysis.meson_limits import recast_limit, search_limit
from darkbeam.analysis.searches import load_search

ROOT = Path(__file__).resolve().parents[1]
RES = ROOT / "benchmarks" / "results"
FIG = ROOT / "docs" / "figures"
N = 4000

CASES = [
    ("t2k_nd280_hnl", "mu", [0.15, 0.2, 0.25, 0.3, 0.35, 0.38], "limit"),
    ("t2k_nd280_hnl", "e", [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45], "limit"),
    ("microboone_bnb_mupi", "mu", [0.27, 0.3, 0.33, 0.36, 0.38], "expected"),
    ("ps191_hnl", "mu", [0.15, 0.2, 0.25, 0.3, 0.35, 0.38], "limit"),
    ("ps191_hnl", "e", [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45], "limit"),
    ("microboone_kdar_scalar->hnl", "mu", [0.05, 0.08, 0.1, 0.12, 0.15, 0.18, 0.2], "limit"),
]


def _published(key, parameter):
    s = load_search(key.split("->")[0])
    curves = s.curves(parameter) or s.curves(parameter, recast=True)
    return curves[0] if curves else None


def compute():
    out = []
    for key, fl, masses, which in CASES:
        t0 = time.process_time()
        if "->" in key:
            r = recast_limit(key.split("->")[0], masses, flavour=fl, n=N)
        else:
            r = search_limit(key, masses, flavour=fl, n=N)
        r["cpu_s"] = round(time.process_time() - t0, 1)
        c = _published(key, r["parameter"])
        r["published"] = None if c is None else [None if not np.isfinite(v) else float(v) for v in c.at(masses)]
        r["compare"] = which
        out.append(r)
    return out


def table(results) -> str:
    lines = ["| search | parameter | mass [GeV] | darkbeam | published | ratio darkbeam/published |", "|---|---|---|---|---|---|"]
    for r in results:
        vals = r[r["compare"]]
        for i, m in enumerate(r["masses_GeV"]):
            v = vals[i]
            p = None if r["published"] is None else r["published"][i]
            ratio = f"{v / p:.2f}" if (v is not None and p is not None) else "-"
            lines.append(f"| {r['search']}{' -> hnl' if r.get('recast_to') else ''}{' (expected)' if r['compare'] == 'expected' else ''} | {r['parameter']} | {m:g} | "
                         f"{'-' if v is None else f'{v:.2e}'} | {'-' if p is None else f'{p:.2e}'} | {ratio} |")
    return "\n".join(lines)


def plot_limits(results):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [("meson_limits_t2k.png", [0, 1]), ("meson_limits_microboone.png", [2, 5]), ("meson_limits_ps191.png", [3, 4])]
    for name, idx in groups:
        fig, axes = plt.subplots(1, len(idx), figsize=(11, 4.3))
        for ax, i in zip(np.atleast_1d(axes), idx):
            r = results[i]
            m = np.array(r["masses_GeV"])
            for key, style, lab in (("limit", "o-", "darkbeam"), ("expected", "s--", "darkbeam expected"),
                                    ("limit_upper", "^:", "darkbeam short-lifetime edge")):
                v = np.array([np.nan if x is None else x for x in r[key]], dtype=float)
                if np.isfinite(v).any():
                    ax.plot(m, v, style, color="C0", ms=3, label=lab)
            c = _published(r["search"], r["parameter"])
            if c is not None:
                ax.plot(c.masses_GeV, c.values, "k-", label="published: " + c.source[:45])
            ax.set_yscale("log")
            ax.set_ylim(1e-10, 1e-3)
            ax.set_xlabel("m_N [GeV]")
            ax.set_ylabel(r["parameter"])
            ax.set_title(f"{r['search']}{' -> hnl (recast)' if r.get('recast_to') else ''} ({int(round(100 * r['cl']))}% CL)", fontsize=9)
            ax.legend(fontsize=6)
        fig.tight_layout()
        fig.savefig(FIG / name, dpi=110)
        plt.close(fig)


def plot_timing_and_shapes():
    """MicroBooNE timing picture (HNL delay vs the BNB bunch structure), decay positions, opening angles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from darkbeam.models.parameters import ModelParameters
    from darkbeam.processes.meson_run import run_meson_decay

    fig, ax = plt.subplots(1, 3, figsize=(14, 4.2))
    # BNB: 1.6 us spill of 81 bunches, 18.9 ns apart (52.8 MHz Booster RF), ~1.3 ns rms each
    spacing, n_b, sig = 18.94, 81, 1.3
    rng = np.random.default_rng(3)
    info = {}
    for m, col in ((0.26, "C0"), (0.33, "C1"), (0.38, "C2")):
        ev = run_meson_decay(ModelParameters(m4=m, Umu4=1e-3, HNLtype="majorana"), "microboone_tpc", n=20000, seed=2,
                             n_parents=2**15).events
        w = ev.w / ev.w.sum()
        d = ev.delay()
        ax[0].hist(d, bins=np.logspace(0, 4, 60), weights=w, histtype="step", color=col, label=f"m_N = {m} GeV")
        t = rng.integers(0, n_b, len(ev)) * spacing + rng.normal(0, sig, len(ev)) + d
        ax[1].hist(t, bins=np.arange(-50, 3000, 5.0), weights=w, histtype="step", color=col, label=f"N, m = {m} GeV")
        info[m] = {"median_delay_ns": float(np.interp(0.5, np.cumsum(w[np.argsort(d)]), np.sort(d))),
                   "fraction_after_spill": float(np.sum(w * np.clip(d / 1600.0, 0, 1)))}
    tb = rng.integers(0, n_b, 200000) * spacing + rng.normal(0, sig, 200000)
    ax[1].hist(tb, bins=np.arange(-50, 3000, 5.0), weights=np.full(tb.size, 1 / tb.size), histtype="stepfilled",
               color="0.8", label="light-speed nu (bunches)")
    ax[1].axvline(1600, color="k", ls=":")
    ax[0].set_xscale("log")
    ax[0].set_xlabel("delay behind a light-speed neutrino [ns]")
    ax[0].set_title("HNLs from BNB K+ -> mu N at MicroBooNE", fontsize=9)
    ax[0].legend(fontsize=7)
    ax[1].set_xlabel("arrival time after the spill start [ns]")
    ax[1].set_yscale("log")
    ax[1].set_title("BNB spill: 81 bunches x 18.9 ns; HNL arrivals (delay added)", fontsize=9)
    ax[1].legend(fontsize=6)
    # opening angle of the two tracks: PS191 (N -> mu pi, in flight) and KDAR at MicroBooNE (N -> nu e e, at rest)
    for exp, mode, beam, m, lab in (("ps191", "in-flight", None, 0.3, "PS191, m = 0.3 GeV, all channels"),
                                    ("microboone_tpc", "at-rest", "numi", 0.15, "uB KDAR, m = 0.15 GeV, all channels")):
        ev = run_meson_decay(ModelParameters(m4=m, Umu4=1e-3, HNLtype="majorana"), exp, n=20000, seed=2, mode=mode,
                             beam=beam, n_parents=2**14).events
        p = np.stack([ev.p3(f"d{k}") for k in range(1, 5)], axis=1)
        codes = np.stack([ev.pdg(f"d{k}") for k in range(1, 5)], axis=1)
        ch = np.isin(np.abs(codes), [11, 13, 211])
        two = ch.sum(axis=1) == 2
        i = np.argsort(~ch, axis=1, kind="stable")[:, :2]
        r = np.arange(len(ev))
        a, b = p[r, i[:, 0]], p[r, i[:, 1]]
        ang = np.degrees(np.arccos(np.clip(np.einsum("ij,ij->i", a, b) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-300), -1, 1)))
        ax[2].hist(ang[two], bins=np.linspace(0, 180, 46), weights=(ev.w / ev.w[two].sum())[two], histtype="step", label=lab)
        dec = ev.vertex("decay")
        info[lab] = {"decay_z_cm_quantiles": [float(q) for q in np.quantile(dec[:, 2], [0.1, 0.5, 0.9])]}
    ax[2].axvline(10, color="k", ls=":", label="KM cut: 10 deg")
    ax[2].set_xlabel("opening angle of the two charged tracks [deg]")
    ax[2].legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(FIG / "meson_limits_timing_angles.png", dpi=110)
    plt.close(fig)
    plot_decay_positions()
    return info


def plot_decay_positions():
    """Decay positions along the beam-facing axis at ND280 (three gas TPCs) and PS191."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from darkbeam.models.parameters import ModelParameters
    from darkbeam.processes.meson_run import run_meson_decay

    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for i, (exp, mode, beam, m) in enumerate((("nd280_fhc", "in-flight", None, 0.3), ("ps191", "in-flight", None, 0.3))):
        for U, col in ((1e-3, "C0"), (0.1, "C3")):
            ev = run_meson_decay(ModelParameters(m4=m, Umu4=U, HNLtype="majorana"), exp, n=20000, seed=2, mode=mode,
                                 beam=beam, n_parents=2**14).events
            dec = ev.vertex("decay")
            ax[i].hist(dec[:, 2], bins=80, weights=ev.w / ev.w.sum(), histtype="step", color=col, label=f"|U_mu4| = {U:g}")
        ax[i].set_xlabel("decay point z [cm] (detector frame)")
        ax[i].set_title(f"{exp}: N decay positions, m = {m} GeV", fontsize=9)
        ax[i].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(FIG / "meson_limits_decay_positions.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["positions"]:  # only the decay-position figure (e.g. after a geometry change)
        plot_decay_positions()
        raise SystemExit(0)
    res = compute()
    txt = table(res)
    info = plot_timing_and_shapes()
    plot_limits(res)
    (RES / "meson_limit_comparisons.txt").write_text(txt + "\n\n" + json.dumps(info, indent=1) + "\n"
                                                    + "\n".join(f"{r['search']} ({r['parameter']}): {r['cpu_s']} s CPU" for r in res) + "\n")
    (RES / "meson_limit_comparisons.json").write_text(json.dumps(res, indent=1, default=str))
    print(txt)
    print(json.dumps(info, indent=1))
