"""ICARUS reach for K -> mu N: BNB on axis (icarus_hnl, 6.6e20 POT) against NuMI 5.7 deg off axis
(icarus_numi_hnl, 2.41e20 POT; ICARUS placed in the NuMI frame from icaruscode's GNuMIFlux.xml), and the
HNL delay behind a light-speed neutrino at ICARUS in both beams (docs/meson_decay_limits.md).

Only K+ and K- parents (the templates' pions close above m_pi - m_mu = 34 MeV), |U_mu4|^2, Dirac,
zero background, 90% CL.  Writes benchmarks/results/icarus_numi_vs_bnb.json and
docs/figures/icarus_numi_vs_bnb.png.  CPU: about a minute on the shared machine (nice it)."""

from __future__ import annotations

import json
import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from darkbeam.analysis.meson_limits import limit_curve, spec_from_search

ROOT = Path(__file__).resolve().parents[1]
RES = ROOT / "benchmarks" / "results"
FIG = ROOT / "docs" / "figures"
MASSES = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.38]
SEARCHES = ("icarus_hnl", "icarus_numi_hnl")


def compute(n: int = 4000) -> dict:
    out = {}
    for key in SEARCHES:
        spec = replace(spec_from_search(key), parents=("K+", "K-"))
        t0 = time.process_time()
        d = limit_curve(spec, MASSES, n=n)
        out[key] = {"limit": d["limit"], "limit_upper": d["limit_upper"], "pot": d["exposures"][0]["pot"],
                    "cpu_s": round(time.process_time() - t0, 1)}
    bnb, numi = out["icarus_hnl"], out["icarus_numi_hnl"]
    # long-lifetime edge: N ~ |U|^4 x POT, so at the BNB exposure the NuMI edge scales by sqrt(POT ratio)
    f = math.sqrt(numi["pot"] / bnb["pot"])
    numi["limit_at_bnb_pot"] = [None if x is None else x * f for x in numi["limit"]]
    out["masses_GeV"] = MASSES
    return out


def delays(m: float = 0.3) -> dict:
    from darkbeam.models.parameters import ModelParameters
    from darkbeam.processes.meson_run import meson_channels, run_meson_decay

    params = ModelParameters(m4=m, Umu4=1e-3)
    chs = meson_channels(params, parents=["K+", "K-"])
    out = {}
    for beam in ("bnb", "numi_me"):
        ev = run_meson_decay(params, "icarus", beam=beam, n=20000, seed=2, channels=chs).events
        out[beam] = (ev.delay(), ev.w / ev.w.sum(), ev.vertex("decay")[:, 2])
    return out


def plot(res: dict, dl: dict) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = np.array(res["masses_GeV"])
    fig, ax = plt.subplots(1, 3, figsize=(14, 4.2))
    arr = lambda v: np.array([np.nan if x is None else x for x in v], dtype=float)  # noqa: E731
    ax[0].plot(m, arr(res["icarus_hnl"]["limit"]), "-o", color="C0", label="BNB on axis, 6.6e20 POT")
    ax[0].plot(m, arr(res["icarus_numi_hnl"]["limit"]), "-o", color="C3", label="NuMI 5.7 deg off axis, 2.41e20 POT")
    ax[0].plot(m, arr(res["icarus_numi_hnl"]["limit_at_bnb_pot"]), "--", color="C3", label="NuMI scaled to 6.6e20 POT")
    ax[0].set_yscale("log")
    ax[0].set_xlabel("m_N [GeV]")
    ax[0].set_ylabel("|U_mu4|^2 (90% CL, 0 bkg, K -> mu N)")
    ax[0].set_title("ICARUS sensitivity templates", fontsize=9)
    ax[0].legend(fontsize=7)
    info = {}
    for beam, col, lab in (("bnb", "C0", "BNB"), ("numi_me", "C3", "NuMI")):
        d, w, z = dl[beam]
        ax[1].hist(d, bins=np.logspace(0, 4, 60), weights=w, histtype="step", color=col, label=lab)
        ax[2].hist(z, bins=60, weights=w, histtype="step", color=col, label=lab)
        info[beam] = {"median_delay_ns": float(np.interp(0.5, np.cumsum(w[np.argsort(d)]), np.sort(d)))}
    ax[1].set_xscale("log")
    ax[1].set_xlabel("delay behind a light-speed neutrino [ns]")
    ax[1].set_title("N decays at ICARUS, m_N = 0.3 GeV", fontsize=9)
    ax[1].legend(fontsize=7)
    ax[2].set_xlabel("decay point z [cm] (ICARUS frame, along the BNB)")
    ax[2].set_title("decay positions, m_N = 0.3 GeV, |U_mu4| = 1e-3", fontsize=9)
    ax[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(FIG / "icarus_numi_vs_bnb.png", dpi=110)
    plt.close(fig)
    return info


if __name__ == "__main__":
    res = compute()
    res["delays_0.3GeV"] = plot(res, delays())
    (RES / "icarus_numi_vs_bnb.json").write_text(json.dumps(res, indent=1) + "\n")
    print("m_GeV  BNB(6.6e20)  NuMI(2.41e20)  NuMI@6.6e20")
    for i, mm in enumerate(MASSES):
        b, nm, ns = (res["icarus_hnl"]["limit"][i], res["icarus_numi_hnl"]["limit"][i],
                     res["icarus_numi_hnl"]["limit_at_bnb_pot"][i])
        print(f"{mm:5.2f}  {b:.3g}  {nm:.3g}  {ns:.3g}")
    print(json.dumps({k: res[k]["cpu_s"] for k in SEARCHES}), json.dumps(res["delays_0.3GeV"]))
