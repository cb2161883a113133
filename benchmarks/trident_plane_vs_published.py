"""L_mu - L_tau planes from tridents against the published curves (docs/rare_limits.md section 7).

    nice python benchmarks/trident_plane_vs_published.py
        -> benchmarks/results/trident_plane_vs_published.txt, docs/figures/trident_limits_lmultau.png

darkbeam: ``rare_limits.plane_limit`` for CCFR (90 and 95 % CL, ratio at 160 GeV on Fe56 as the CLI; and
the flux-averaged ratio over the nutev_fhc shape, ``trident_limits.trident_ratio_polynomial_folded``) and
the DUNE ND projection (dune_nd_fhc, expected, no background, 5 % normalisation).  Published: the CCFR
(95 % CL of 1406.2332) and DUNE ND (90 % CL) curves of Ballett et al. 1902.08579, digitized from the vector
figure (benchmarks/digitize_lmultau_1902_08579.py; analysis/searches/curves/*_lmultau_1902_08579.csv).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from darkbeam.analysis import rare_limits as RL  # noqa: E402
from darkbeam.analysis.trident_limits import trident_ratio_polynomial_folded  # noqa: E402

HERE = Path(__file__).resolve().parent
TABLE_MASSES = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]


def solve_ratio(poly: np.ndarray, r_up: float) -> np.ndarray:
    """gX where A + B x + C x^2 = r_up (x = gX^2 > 0, the root of the growing branch)."""
    A, B, Cq = poly[:, 0], poly[:, 1], poly[:, 2]
    x = (-B + np.sqrt(B * B + 4.0 * Cq * (r_up - A))) / (2.0 * Cq)
    return np.sqrt(x)


def main() -> None:
    masses = np.geomspace(2e-3, 40.0, 40)
    ccfr95 = RL.plane_limit("ccfr_trident", "Lmu-Ltau", masses, cl=0.95)
    ccfr90 = RL.plane_limit("ccfr_trident", "Lmu-Ltau", masses)
    dune = RL.plane_limit("dune_nd_fhc", "Lmu-Ltau", masses, process="trident")
    folded = trident_ratio_polynomial_folded("Lmu-Ltau", masses)
    ccfr95_f = solve_ratio(folded, ccfr95.s_up)
    pub = {k: RL.reference_curve(k, "Lmu-Ltau") for k in ("ccfr_trident", "dune_nd_fhc_trident")}

    def at(key, m):
        _, mm, gg = pub[key]
        return np.exp(np.interp(np.log(m), np.log(mm), np.log(gg)))

    def db(curve, m):
        return np.exp(np.interp(np.log(m), np.log(masses), np.log(curve)))

    lines = ["m_Z' [GeV] | CCFR 95% db (160 GeV) | db (nutev-shape average) | 1902.08579 | ratio (160) | ratio (avg) "
             "| DUNE db | 1902.08579 | ratio"]
    for m in TABLE_MASSES:
        c, cf, pc = db(ccfr95.limit, m), db(ccfr95_f, m), at("ccfr_trident", m)
        d, pd = db(dune.limit, m), at("dune_nd_fhc_trident", m)
        lines.append(f"{m:g} | {c:.3g} | {cf:.3g} | {pc:.3g} | {c / pc:.2f} | {cf / pc:.2f} | {d:.3g} | {pd:.3g} | {d / pd:.2f}")
    text = "\n".join(lines)
    print(text)
    (HERE / "results" / "trident_plane_vs_published.txt").write_text(text + "\n")

    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ax.plot(masses, ccfr95.limit, "C3-", label="darkbeam CCFR 95% CL (ratio at 160 GeV)")
    ax.plot(masses, ccfr95_f, "C3-.", lw=1, label="darkbeam CCFR 95% CL (NuTeV-shape flux average)")
    ax.plot(masses, ccfr90.limit, "C3:", lw=1, label="darkbeam CCFR 90% CL")
    ax.plot(*pub["ccfr_trident"][1:], "k--", label="CCFR (1406.2332) as drawn in 1902.08579")
    ax.plot(masses, dune.limit, "C0-", label="darkbeam DUNE ND mu mu, expected (30 t, 1e22 POT)")
    ax.plot(*pub["dune_nd_fhc_trident"][1:], "C0--", label="Ballett et al. 1902.08579 DUNE ND, 90% CL")
    ax.set(xscale="log", yscale="log", xlabel="m_Z' [GeV]", ylabel="g_X (L_mu - L_tau)", xlim=(2e-3, 40), ylim=(1e-4, 5e-2))
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(HERE.parent / "docs" / "figures" / "trident_limits_lmultau.png", dpi=110)


if __name__ == "__main__":
    main()
