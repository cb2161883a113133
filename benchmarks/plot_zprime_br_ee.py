"""docs/figures/zprime_br_ee.png: BR(A' -> e+ e-) and R of darkbeam against DarkCast.

DarkCast's R_mu^f grids (1801.04847; folder vmd/ of its repository, not shipped with darkbeam) are
read from the folder given on the command line and turned into widths with DarkCast's formulas
(1801.04847 eqs. 2.13, 2.17, 2.18): Gamma_f = m/(12 pi) sum_V,V' (c_V c_V') R_mu^f,VV' with the
photon's c = 1 (the omega-phi interference grid carries DarkCast's photon sign, -1 x 2), leptons
alpha m/3 (1 + 2r) sqrt(1 - 4r).  Prints the comparison table of docs/decays_dark.md.

    python benchmarks/plot_zprime_br_ee.py path/to/darkcast/vmd [docs/figures/zprime_br_ee.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from darkbeam import constants as C  # noqa: E402
from darkbeam.models import ModelParameters, couplings  # noqa: E402
from darkbeam.physics import r_ratio, zprime_decays  # noqa: E402

#: DarkCast's photon factor for each grid's family label (interference grids: 2 c_omega c_phi = -2)
_PHOTON = {"rho0": 1.0, "omega": 1.0, "phi": 1.0, "omega_phi": -2.0}
TABLE_MASSES = (0.3, 0.5, 0.7, 0.775, 0.782, 0.8, 0.85, 0.9, 1.0, 1.015, 1.0195, 1.03, 1.05, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7)


def darkcast_r(folder: Path, m: np.ndarray) -> np.ndarray:
    total = np.zeros_like(m)
    for f in sorted(folder.glob("rf.*.dat")):
        fam = f.name[:-4].rsplit(".", 1)[1]
        a = np.loadtxt(f)
        total += _PHOTON[fam] * np.interp(m, a[:, 0], a[:, 1])
    return total


def lepton_ratio(m, ml):
    r = (ml / m) ** 2
    return np.where(m > 2 * ml, (1 + 2 * r) * np.sqrt(np.clip(1 - 4 * r, 0, None)), 0.0)


def darkbeam_br_ee(m):
    g = zprime_decays.widths_grid(couplings(ModelParameters(mzprime=1.0, epsilon=1e-3)), m)
    return g["e- e+"] / sum(g.values())


def main(folder: str, out: str = "docs/figures/zprime_br_ee.png") -> None:
    folder = Path(folder)
    m = np.unique(np.concatenate([np.arange(0.25, 2.5, 0.002), np.array(TABLE_MASSES)]))
    r_dc = darkcast_r(folder, m)
    lep = sum(lepton_ratio(m, ml) for ml in (C.M_E, C.M_MU, C.M_TAU))
    br_dc = lepton_ratio(m, C.M_E) / (lep + r_dc)
    br_db = darkbeam_br_ee(m)
    print("| m (GeV) | BR(ee) darkbeam | BR(ee) DarkCast | darkbeam/DarkCast - 1 |")
    print("|---|---|---|---|")
    for x in TABLE_MASSES:
        i = int(np.argmin(np.abs(m - x)))
        print(f"| {x:g} | {br_db[i]:.4f} | {br_dc[i]:.4f} | {100 * (br_db[i] / br_dc[i] - 1):+.1f} % |")
    sel = (m >= 0.3) & (m <= 1.7)
    dev = np.abs(br_db / br_dc - 1)[sel]
    print(f"max |deviation| 0.3-1.7 GeV: {dev.max():.3f} at {m[sel][dev.argmax()]:.4f} GeV; "
          f"fraction of the 2 MeV grid within 5 %: {np.mean(dev < 0.05):.3f}")

    comp = r_ratio.vmd_components(m)
    fig, ax = plt.subplots(3, 1, figsize=(7.5, 9), sharex=True, gridspec_kw={"height_ratios": [2, 1, 2]})
    ax[0].plot(m, br_dc, "k-", lw=2.5, alpha=0.35, label="DarkCast (1801.04847)")
    ax[0].plot(m, br_db, "C3-", lw=1, label="darkbeam")
    ax[0].set_ylabel(r"BR($A' \to e^+e^-$)")
    ax[0].set_yscale("log")
    ax[0].legend()
    ax[1].plot(m, br_db / br_dc, "C3-", lw=1)
    ax[1].axhspan(0.95, 1.05, color="0.85")
    ax[1].set_ylim(0.8, 1.2)
    ax[1].set_ylabel("darkbeam / DarkCast")
    ax[2].plot(m, r_dc, "k-", lw=2.5, alpha=0.35, label="R DarkCast")
    ax[2].plot(m, r_ratio.r_ratio(m), "C3-", lw=1, label="R darkbeam")
    T = r_ratio.ramp(m)
    groups = {r"$\pi^+\pi^-$": ["pi+ pi-"], r"$3\pi$": ["pi+ pi- pi0"], r"$K\bar K$": ["K+ K-", "K0_L K0_S"],
              r"$4\pi$": ["rho_4pi"], "other multi-hadron": ["rho_other", "omega_other", "phi_other", "phi_kkpi"]}
    for label, keys in groups.items():
        ax[2].plot(m, (1 - T) * sum(comp[k] for k in keys), lw=0.8, ls="--", label=label)
    ax[2].plot(m, T * r_ratio.r_pqcd(m), lw=0.8, ls=":", label="pQCD x ramp")
    ax[2].set_yscale("log")
    ax[2].set_ylim(0.01, 60)
    ax[2].set_ylabel("R")
    ax[2].set_xlabel(r"$m_{A'}$ (GeV)")
    ax[2].legend(ncol=2, fontsize=8)
    fig.tight_layout()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
