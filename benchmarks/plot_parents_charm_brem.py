"""Figure for docs/parents.md: A' per POT from proton bremsstrahlung against the mass, and the momentum
spectra of D_s and taus at NuMI and the SPS.

Run: python benchmarks/plot_parents_charm_brem.py  (writes docs/figures/parents_charm_brem.png)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from darkbeam.sources.parents.bremsstrahlung import dark_photon_yield  # noqa: E402
from darkbeam.sources.parents.charm import charm_sample  # noqa: E402

fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
masses = np.concatenate((np.geomspace(0.01, 0.7, 40), np.linspace(0.7, 0.84, 57)[1:], np.linspace(0.84, 1.8, 40)[1:]))
for beam, c in (("numi", "C0"), ("sps", "C3")):
    a.plot(masses, [dark_photon_yield(beam, m, n_z=80, n_pt=80) for m in masses], c, label=f"{beam}")
a.set_xscale("log")
a.set_yscale("log")
a.set_xlabel("m_A' [GeV]")
a.set_ylabel("A' per POT / eps^2")
a.set_title("proton bremsstrahlung (0.1 < z < 0.9, p_T < 1 GeV)")
a.legend()
bins = np.linspace(0, 150, 61)
for beam, c in (("numi", "C0"), ("sps", "C3")):
    for sp, ls in (("D_s+", "-"), ("tau+", "--")):
        s = charm_sample(beam, sp, n=2**15, seed=1)
        p = np.linalg.norm(s.p4[:, 1:], axis=1)
        b.hist(p, bins=bins, weights=s.weight / np.diff(bins)[0], histtype="step", color=c, ls=ls, label=f"{beam} {sp}")
b.set_yscale("log")
b.set_xlabel("p at the decay [GeV]")
b.set_ylabel("decays per POT per GeV")
b.set_title("charm in the target")
b.legend()
fig.tight_layout()
out = Path(__file__).resolve().parents[1] / "docs" / "figures" / "parents_charm_brem.png"
fig.savefig(out, dpi=110)
print(out)
