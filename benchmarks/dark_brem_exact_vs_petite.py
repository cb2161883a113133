"""Exact 2 -> 3 dark bremsstrahlung totals against PETITE's tabulated ones (its VEGAS integration of the same
tree-level cross section, data/dark_xsec.pkl of github.com/kjkellyphys/PETITE: {m_V: {process: {target:
[[E (GeV), sigma (GeV^-2 per atom)], ...]}}}; docs/showers.md).

    python benchmarks/dark_brem_exact_vs_petite.py DIR   (DIR holds dark_xsec.pkl; results/dark_brem_exact_vs_petite.txt)
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np

from darkbeam.constants import M_E, M_MU
from darkbeam.physics.shower import dark_brem_exact as X
from darkbeam.units import HBARC2_GEV2_CM2

TARGETS = {"graphite": (6.0, 12.011), "aluminum": (13.0, 26.98), "iron": (26.0, 55.845), "lead": (82.0, 207.2)}
OUT = Path(__file__).parent / "results" / "dark_brem_exact_vs_petite.txt"


def main(folder: str) -> None:
    dk = pickle.loads((Path(folder) / "dark_xsec.pkl").read_bytes())
    lines = ["process     target    m_V    E (GeV): darkbeam exact / PETITE"]
    for proc, m_l, targets in (("DarkBrem", M_E, ("graphite", "aluminum", "lead")), ("DarkMuonBrem", M_MU, ("iron", "lead"))):
        for name in targets:
            Z, A = TARGETS[name]
            for m in (0.003, 0.01, 0.03, 0.1, 0.3, 1.0):
                tab = dk.get(m, {}).get(proc, {}).get(name)
                if tab is None:
                    continue
                a = np.asarray(tab, dtype=np.float64)
                picks = sorted({int(np.argmin(np.abs(a[:, 0] - e))) for e in (1.5 * (m + m_l), 1.0, 10.0, 100.0)})
                cells = []
                for i in picks:
                    E, s = a[i, 0], a[i, 1] * HBARC2_GEV2_CM2
                    if E <= (m + m_l) * 1.01 or s <= 0:
                        continue
                    mine = X.sigma_total(Z, A, float(E), m, m_l=m_l)
                    cells.append(f"{E:8.3g}: {mine / s:6.3f}")
                line = f"{proc:12s} {name:9s} {m:5.3f}  " + "   ".join(cells)
                print(line, flush=True)
                lines.append(line)
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
