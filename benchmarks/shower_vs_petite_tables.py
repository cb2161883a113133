"""darkbeam's shower cross sections next to the tables that PETITE ships (docs/showers.md).

    PYTHONPATH=src python benchmarks/shower_vs_petite_tables.py DIR

DIR holds PETITE's ``sm_xsec.pkl`` and ``dark_xsec.pkl`` (github.com/kjkellyphys/PETITE, ``data/``; lists of
[E (GeV), sigma (GeV^-2, per atom for Brem/PairProd/DarkBrem, per electron otherwise)]).  Prints the ratio
PETITE / darkbeam at a few energies.  PETITE's tables have their own photon/electron energy cuts (Brem,
Comp, Ann), so only the cut-free ones (PairProd, Comp above a few MeV, DarkBrem, DarkComp) compare directly.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np

from darkbeam.physics.shower import dark_xsec, em_xsec
from darkbeam.units import HBARC2_GEV2_CM2

TARGETS = {"graphite": (6, 12.0), "lead": (82, 207.0)}


def _at(table, energies):
    a = np.asarray(table, dtype=np.float64)
    idx = [int(np.argmin(np.abs(a[:, 0] - e))) for e in energies]
    return a[idx, 0], a[idx, 1] * HBARC2_GEV2_CM2


def main(folder: str) -> None:
    d = Path(folder)
    sm = pickle.loads((d / "sm_xsec.pkl").read_bytes())
    dk = pickle.loads((d / "dark_xsec.pkl").read_bytes())
    x = np.linspace(1e-6, 1 - 1e-6, 20001)
    print("process target m_V  E(GeV) -> PETITE/darkbeam")
    for name, (Z, A) in TARGETS.items():
        E, s = _at(sm["PairProd"][name], [0.1, 1.0, 10.0])
        mine = np.array([np.trapezoid(em_xsec.pair_dsigma_dx(Z, e, x), x) for e in E])
        print(f"pair      {name:9s}  -    {np.round(E, 2)} -> {np.round(s / mine, 3)}")
        E, s = _at(sm["Comp"][name], [0.01, 0.1, 1.0, 10.0])
        print(f"compton   {name:9s}  -    {np.round(E, 2)} -> {np.round(s / em_xsec.klein_nishina_total(E), 4)}")
        E, s = _at(sm["Ann"][name], [0.1, 1.0, 10.0])
        print(f"e+e-->2g  {name:9s}  -    {np.round(E, 2)} -> {np.round(s / em_xsec.heitler_total(E), 3)} (Heitler total)")
        for m in (0.003, 0.01, 0.03, 0.1, 0.3, 1.0):
            E, s = _at(dk[m]["DarkBrem"][name], [10.0, 100.0])
            ww = dark_xsec.dark_brem_ww_total(Z, A, E, m)
            iww = dark_xsec.dark_brem_total(Z, A, E, m)
            print(f"darkbrem  {name:9s} {m:5.3f} {np.round(E, 2)} -> WW {np.round(s / ww, 3)}  IWW {np.round(s / iww, 3)}")
            E, s = _at(dk[m]["DarkComp"][name], [2 * m * m / 1.022e-3 + 1.0, 100.0])
            print(f"darkcomp  {name:9s} {m:5.3f} {np.round(E, 2)} -> {np.round(s / dark_xsec.dark_compton_total(E, m), 3)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
