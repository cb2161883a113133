"""Exact 2 -> 3 dark bremsstrahlung against WW/IWW, its limits, and the E137 yield change (docs/showers.md).

    python benchmarks/dark_brem_exact.py   (writes benchmarks/results/dark_brem_exact.txt; ~2-5 min of CPU)
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from darkbeam.constants import ALPHA_EM, M_E, M_MU
from darkbeam.physics.shower import dark_brem_exact as X
from darkbeam.physics.shower import dark_xsec as D
from darkbeam.physics.shower.materials import R_E_CM, shower_material
from darkbeam.sources.shower.transport import ShowerSimulator

OUT = Path(__file__).parent / "results" / "dark_brem_exact.txt"
lines = []


def say(s=""):
    print(s, flush=True)
    lines.append(s)


def main():
    Z, A = 13.0, 26.98
    say("1. Total cross sections, 20 GeV e- on aluminium (per atom, eps = 1): exact / WW / IWW")
    say(f"{'m_V (GeV)':>10} {'exact (cm^2)':>14} {'exact/WW':>9} {'exact/IWW':>10} {'s':>6}")
    for m in (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0):
        t = time.time()
        ex = X.sigma_total(Z, A, 20.0, m)
        ww = D.dark_brem_ww_total(Z, A, np.array([20.0]), m)[0]
        iww = D.dark_brem_total(Z, A, np.array([20.0]), m)[0]
        say(f"{m:>10g} {ex:>14.4e} {ex / ww:>9.3f} {ex / iww:>10.3f} {time.time() - t:>6.2f}")
    say()
    say("2. dsigma/dx exact/WW at 20 GeV on aluminium")
    xs = np.array([0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999])
    say(f"{'m_V':>6} " + " ".join(f"x={x:<6g}" for x in xs))
    for m in (0.01, 0.1, 0.3):
        ok = xs * 20.0 > m
        r = np.full(xs.size, np.nan)
        r[ok] = X.dsigma_dx(Z, A, 20.0, xs[ok], m) / D.dark_brem_ww_dsigma_dx(Z, A, 20.0, xs[ok], m)
        say(f"{m:>6g} " + " ".join(f"{v:<8.3f}" for v in r))
    say()
    say("3. Massless limit (m_V = 1 keV, E = 10 GeV): exact dsigma/dx over Tsai's complete-screening bremsstrahlung")
    say("   (4 alpha r_e^2/x)[(4/3 - 4/3 x + x^2)(Z^2 L_rad + Z L'_rad) + (1 - x)(Z^2 + Z)/9], no Coulomb correction")
    for Zt, At in ((6.0, 12.011), (26.0, 55.845), (82.0, 207.2)):
        x = np.array([0.1, 0.3, 0.5, 0.8])
        ex = X.dsigma_dx(Zt, At, 10.0, x, 1e-6)
        cs = 4 * ALPHA_EM * R_E_CM**2 / x * ((4 / 3 - 4 / 3 * x + x**2) * (Zt**2 * math.log(184.15 * Zt ** (-1 / 3))
                                                                          + Zt * math.log(1194 * Zt ** (-2 / 3)))
                                            + (1 - x) * (Zt**2 + Zt) / 9)
        say(f"   Z = {Zt:>4g}: " + " ".join(f"{v:.4f}" for v in ex / cs))
    say()
    say("4. Z scaling: sigma_exact(Z)/sigma_exact(Al) against the WW ratio (20 GeV, m_V = 30 MeV)")
    base_ex = X.sigma_total(Z, A, 20.0, 0.03)
    base_ww = D.dark_brem_ww_total(Z, A, np.array([20.0]), 0.03)[0]
    for Zt, At in ((6.0, 12.011), (26.0, 55.845), (74.0, 183.84), (82.0, 207.2)):
        ex = X.sigma_total(Zt, At, 20.0, 0.03) / base_ex
        ww = D.dark_brem_ww_total(Zt, At, np.array([20.0]), 0.03)[0] / base_ww
        say(f"   Z = {Zt:>4g}: exact {ex:.4f}  WW {ww:.4f}  (Z/13)^2 {(Zt / 13) ** 2:.4f}")
    say()
    say("5. Muons (m_l = m_mu), iron, m_V = 30 MeV: exact and WW total cross sections and the lepton-mass scaling")
    for E in (2.0, 10.0, 50.0):
        exm = X.sigma_total(26.0, 55.845, E, 0.03, m_l=M_MU)
        wwm = D.dark_brem_ww_total(26.0, 55.845, np.array([E]), 0.03, lepton_mass=M_MU)[0]
        exe = X.sigma_total(26.0, 55.845, E, 0.03, m_l=M_E)
        say(f"   E = {E:>4g} GeV: sigma_mu exact {exm:.4e} (exact/WW {exm / wwm:.3f}); sigma_mu/sigma_e {exm / exe:.4f}")
    say()
    say("6. E137: dark vectors per 20 GeV electron in aluminium (infinite slab, cut 1 MeV, 64 showers, eps = 1)")
    say(f"{'m_V':>6} {'model':>6} {'brem_e-':>11} {'brem_e+':>11} {'all brem':>11} {'total':>11} {'brem/exact':>10}")
    mat = shower_material("aluminium")
    for m in (0.01, 0.03, 0.1, 0.3):
        res = {}
        for model in ("exact", "ww", "iww"):
            r = ShowerSimulator(mat, "e-", 20.0, dark_mass=m, brem_model=model).run(64, seed=3)
            y = {k: float(v.mean()) for k, v in r.dark_yield.items()}
            res[model] = (y, y["brem_e-"] + y["brem_e+"], sum(y.values()))
        for model in ("exact", "ww", "iww"):
            y, b, tot = res[model]
            say(f"{m:>6g} {model:>6} {y['brem_e-']:>11.4e} {y['brem_e+']:>11.4e} {b:>11.4e} {tot:>11.4e} "
                f"{b / res['exact'][1]:>10.3f}")
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
