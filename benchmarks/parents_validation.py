"""Figures for docs/parents.md: the beam model's pi+ -> nu_mu flux at MicroBooNE (470 m) against the one
made by sending neutrinos from the exported parents (two-body kinematics written here), and the parent
momentum spectra at BNB.  Run: python benchmarks/parents_validation.py"""

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from darkbeam.sources.beam import beam_config, beam_flux  # noqa: E402
from darkbeam.sources.parents import parent_sample  # noqa: E402

FIG = Path(__file__).resolve().parents[1] / "docs" / "figures"
M_PI, M_MU = 0.13957039, 0.1056583755


def nu_from_pions(ps, det, edges):
    e_star = (M_PI**2 - M_MU**2) / (2 * M_PI)
    e, p3 = ps.p4[:, 0], ps.p4[:, 1:]
    p = np.linalg.norm(p3, axis=1)
    d = det - ps.position
    dist = np.linalg.norm(d, axis=1)
    k = e / M_PI * (1 - p / e * np.einsum("ij,ij->i", d, p3) / (dist * p))
    h, _ = np.histogram(e_star / k, bins=edges, weights=ps.weight * 0.999877 / (4 * math.pi * dist**2) / k**2)
    return h / np.diff(edges)


edges = beam_config("bnb").edges()
c = 0.5 * (edges[1:] + edges[:-1])
det = np.array([0.0, 0.0, 470e2])
model = beam_flux("bnb", 470.0, parents=("pi+",), include_muons=False, detector_volume=None, n=2**16, seed=1)
ref = model.by_parent["pi+"].dphi_de(c, "nu_mu")
fig, (a, r) = plt.subplots(2, 1, figsize=(6, 5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
a.step(c, ref, where="mid", label="beam model flux (seed 1)")
for seed in (1, 2):
    mine = nu_from_pions(parent_sample("bnb", "pi+", n=2**16, seed=seed), det, edges)
    a.step(c, mine, where="mid", ls="--", label=f"from ParentSample pi+ (seed {seed})")
    with np.errstate(divide="ignore", invalid="ignore"):
        r.plot(c, mine / ref, ".", label=f"seed {seed}")
    big = ref > 0.05 * ref.max()
    print(f"seed {seed}: ratio range {np.min(mine[big] / ref[big]):.4f}-{np.max(mine[big] / ref[big]):.4f}, "
          f"integral ratio {np.sum(mine) / np.sum(ref):.4f}")
a.set_ylabel("nu_mu from pi+ [1/cm2/GeV/POT]")
a.set_title("BNB at 470 m, point detector: parents -> nu_mu vs the beam model")
a.legend(fontsize=8)
r.set_ylim(0.8, 1.2)
r.axhline(1, color="k", lw=0.5)
r.set_xlabel("E_nu [GeV]")
r.set_ylabel("ratio")
r.set_xlim(0, 3)
fig.tight_layout()
fig.savefig(FIG / "parents_flux_check.png", dpi=90)

fig, ax = plt.subplots(figsize=(6, 4))
pb = np.linspace(0, 6, 61)
for sp in ("pi+", "pi-", "K+", "K0_L", "pi0", "eta"):
    s = parent_sample("bnb", sp, n=2**15, seed=1)
    p = np.linalg.norm(s.p4[:, 1:], axis=1)
    h, _ = np.histogram(p, bins=pb, weights=s.weight)
    ax.step(0.5 * (pb[1:] + pb[:-1]), h / np.diff(pb), where="mid", label=f"{sp} ({s.decays_per_pot:.3g}/POT)")
ax.set_yscale("log")
ax.set_xlabel("parent momentum at the decay [GeV]")
ax.set_ylabel("decays / POT / GeV")
ax.set_title("BNB parents (FHC): in flight in the decay pipe; pi0, eta prompt")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(FIG / "parents_bnb_momenta.png", dpi=90)
