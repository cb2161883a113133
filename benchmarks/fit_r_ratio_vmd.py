"""Fit the excited-vector parameters of darkbeam.physics.vmd.EXCITED to DarkCast's exclusive R_mu^f.

DarkCast (Ilten, Soreq, Williams, Xue 1801.04847) publishes its vector-meson-dominance fits to the
e+e- data as grids R_mu^f(m) per final state f and per meson family (its 'vmd' folder: files
rf.<final state>.<family>.dat, two columns m [GeV] and R).  This script reads those grids from a
folder given on the command line (they are not shipped with darkbeam), groups them as darkbeam does
(docs/decays_dark.md, section 3.1) and fits, group by group, the complex amplitudes, masses and
widths of the excited vectors, starting from the PDG 2024 masses and widths.  It prints the table
to paste into vmd.EXCITED / vmd.MULTI_THRESHOLD and the quality of the fit.

    python benchmarks/fit_r_ratio_vmd.py path/to/darkcast/vmd
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from darkbeam.physics import r_ratio, vmd

#: photon-normalised DarkCast groups: (final state, families) -> sign of the photon's coefficient product
GROUPS = {
    "3pi": [("pi+_pi-_pi0", "omega"), ("pi+_pi-_pi0", "phi"), ("pi+_pi-_pi0", "omega_phi")],
    "KK": [("K_K", "phi")],
    "rho_4pi": [("pi+_pi-_pi+_pi-", "rho0"), ("pi+_pi-_pi0_pi0", "rho0")],
    "rho_other": [("other", "rho0")],
    "omega_other": [("other", "omega")],
    "phi_kkpi": [("K_K_pi", "phi")],
    "phi_other": [("other", "phi")],
}
#: DarkCast's photon factors (rvs * trace with the photon charges, squared; x2 and signed for interference)
PHOTON = {"rho0": 1.0, "omega": 1.0, "phi": 1.0, "omega_phi": -2.0}
FIT_RANGE = {"3pi": (0.95, 2.0), "KK": (0.99, 2.0), "rho_4pi": (0.8, 2.0), "rho_other": (1.45, 2.0),
             "omega_other": (1.6, 2.0), "phi_kkpi": (1.38, 2.0), "phi_other": (1.7, 2.0)}


def target(folder: Path, group: str, m: np.ndarray) -> np.ndarray:
    out = np.zeros_like(m)
    for f, fam in GROUPS[group]:
        a = np.loadtxt(folder / f"rf.{f}.{fam}.dat")
        out += PHOTON[fam] * np.interp(m, a[:, 0], a[:, 1])
    return out


def model(group: str, m: np.ndarray) -> np.ndarray:
    comp = r_ratio.vmd_components(m)
    if group == "3pi":
        return comp["pi+ pi- pi0"]
    if group == "KK":
        return comp["K+ K-"] + comp["K0_L K0_S"]
    return comp[group]


def fit(folder: Path, group: str):
    lo, hi = FIT_RANGE[group]
    m = np.arange(lo, hi + 1e-9, 0.005)
    if lo < 1.0:  # resolve the phi (and its interference) with 1 MeV steps
        m = np.unique(np.concatenate([m, np.arange(0.99, 1.05, 0.001)]))
    y = target(folder, group, m)
    start = vmd.EXCITED[group]
    multi = group in vmd.MULTI_THRESHOLD
    x0 = [v for (_, a, ph, mm, w) in start for v in (a, ph, mm, w)]
    if multi:
        x0 += [vmd.MULTI_THRESHOLD[group][1]]

    def unpack(x):
        vmd.EXCITED[group] = [(start[i][0], x[4 * i], x[4 * i + 1], x[4 * i + 2], x[4 * i + 3]) for i in range(len(start))]
        if multi:
            vmd.MULTI_THRESHOLD[group] = (vmd.MULTI_THRESHOLD[group][0], float(x[-1]))

    def resid(x):
        unpack(x)
        return (model(group, m) - y) / (np.abs(y) + 0.03)

    lo_b, hi_b = [], []
    for _, _, _, mm, _ in start:  # amplitude, phase free; mass within 0.15 GeV of PDG, width 0.05-0.6 GeV
        lo_b += [0.0, -720.0, mm - 0.15, 0.05]
        hi_b += [50.0, 720.0, mm + 0.15, 0.6]
    if multi:
        lo_b.append(0.1)
        hi_b.append(8.0)
    x0 = np.clip(x0, np.array(lo_b) + 1e-9, np.array(hi_b) - 1e-9)
    res = least_squares(resid, x0, bounds=(lo_b, hi_b), x_scale="jac")
    unpack(res.x)
    rel = np.abs(model(group, m) - y) / (np.abs(y) + 0.03)
    return m, y, rel


def main(folder: str) -> None:
    folder = Path(folder)
    for group in GROUPS:
        m, y, rel = fit(folder, group)
        print(f"# {group}: max |model - DarkCast|/(R + 0.03) = {rel.max():.3f}, mean {rel.mean():.3f}")
        print(f'    "{group}": [' + ", ".join(f'("{n}", {a:.4g}, {ph % 360:.4g}, {mm:.4g}, {w:.4g})' for n, a, ph, mm, w in vmd.EXCITED[group]) + "],")
        if group in vmd.MULTI_THRESHOLD:
            print(f"    MULTI_THRESHOLD[{group!r}] = {vmd.MULTI_THRESHOLD[group]}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "darkcast/vmd")
