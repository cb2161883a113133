"""The CERN PS beam model ('cern_ps', geometry partly assumed) against the digitized PS191 nu_mu flux
(PS_191_numu_flux with the normalisation of arXiv:2109.03831's code, experiments/ps191.toml): the
table in docs/parents.md.  Needs the data file (DARKBEAM_DATA_DIR).  Run: python benchmarks/parents_ps191.py"""

import numpy as np

from darkbeam.sources import official_flux
from darkbeam.sources.beam import beam_flux

NORM = 3.1210986267166045e-24  # experiments/ps191.toml [flux] normalisation
f = official_flux("PS_191_numu_flux")
m = beam_flux("cern_ps", 128.0, 40.14, n=2**16).flux  # averaged over PS191's 6 x 3 x 12 m volume
edges = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
print(f"integral: model {m.integrate('nu_mu'):.3g}, PS191 {f.integrate('nu_mu') * NORM:.3g} /cm2/POT; "
      f"mean energy model {m.mean_energy('nu_mu'):.2f}, PS191 {f.mean_energy('nu_mu'):.2f} GeV")
print("| E (GeV) | " + " | ".join(f"{a:g}-{b:g}" for a, b in zip(edges[:-1], edges[1:])) + " |")
print("|---" * len(edges) + "|")
ratios = [m.integrate("nu_mu", a, b) / (f.integrate("nu_mu", a, b) * NORM) for a, b in zip(edges[:-1], edges[1:])]
print("| model/PS191 | " + " | ".join(f"{r:.2f}" for r in ratios) + " |")
