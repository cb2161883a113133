"""Branching ratios per |U|^2 and HNL polarisation of the meson/tau decay channels against m_N.

    PYTHONPATH=src python benchmarks/plot_production.py   # writes benchmarks/results/production_hnl.{png,txt}

Prints a table (Br/|U|^2 at a few masses) and draws Br/|U|^2(m_N) for the mu-flavour channels of
pi, K, K_L, D, D_s and the tau channels (U_tau), and the rest-frame polarisation of N in P+ -> l+ N.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from darkbeam import constants as C
from darkbeam.models import ModelParameters
from darkbeam.physics.production import production_channels
from darkbeam.physics.production.hnl_two_body import polarisation_meson_to_lepton_hnl

OUT = Path(__file__).resolve().parent / "results"


def br_table(masses, flavour):
    key = f"U{flavour}4"
    rows: dict[str, list[float]] = {}
    for i, m in enumerate(masses):
        for ch in production_channels(ModelParameters.from_dict({"m4": float(m), key: 1e-3})):
            if ch.parent not in ("pi+", "K+", "K0_L", "D+", "D0", "D_s+", "tau-", "mu-"):
                continue
            rows.setdefault(ch.name, [0.0] * len(masses))[i] = ch.br / 1e-6
    return rows


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    OUT.mkdir(exist_ok=True)
    masses = np.linspace(0.005, 1.9, 160)
    fig, ax = plt.subplots(1, 3, figsize=(16, 5))
    lines = []
    for j, fl in enumerate(("mu", "tau")):
        rows = br_table(masses, fl)
        for name, br in sorted(rows.items()):
            br = np.array(br)
            if br.max() > 0:
                ax[j].semilogy(masses, np.where(br > 0, br, np.nan), label=name)
            lines.append(f"{name:32s} " + " ".join(f"{br[np.argmin(np.abs(masses - m))]:.3e}" for m in (0.05, 0.2, 0.4, 1.0)))
        ax[j].set(xlabel="m_N [GeV]", ylabel=f"Br / |U_{fl}4|^2", title=f"HNL production, U_{fl} mixing", ylim=(1e-6, 2))
        ax[j].legend(fontsize=6)
    for lab, mp in (("pi+ -> mu+ N", C.M_PI), ("K+ -> mu+ N", C.M_K), ("D_s+ -> mu+ N", C.M_DS)):
        m = np.linspace(1e-3, mp - C.M_MU - 1e-6, 300)
        ax[2].plot(m, polarisation_meson_to_lepton_hnl(mp, C.M_MU, m), label=lab)
    m = np.linspace(1e-3, C.M_K - C.M_E - 1e-6, 300)
    ax[2].plot(m, polarisation_meson_to_lepton_hnl(C.M_K, C.M_E, m), label="K+ -> e+ N")
    ax[2].set(xlabel="m_N [GeV]", ylabel="helicity of N (parent rest frame)", title="N polarisation", ylim=(-1.05, 1.05))
    ax[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "production_hnl.png", dpi=110)
    text = "Br/|U|^2 at m_N = 0.05, 0.2, 0.4, 1.0 GeV (mu rows: U_mu; tau rows: U_tau)\n" + "\n".join(lines) + "\n"
    (OUT / "production_hnl.txt").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
