"""Light dark matter and ALP kernels: the numbers of docs/dark_matter.md, speed and quadrature error.

Run:  DARKBEAM_DATA_DIR=../shared/data PYTHONPATH=src python benchmarks/dark_matter_kernels.py
(writes benchmarks/results/dark_matter_kernels.txt).

1. Full Breit-Wigner Br(P -> gamma chi chi-bar) against the narrow-width Br(P -> gamma A') x
   BR(A' -> chi chi-bar) at the benchmark alpha_D = 0.5, m_A' = 3 m_chi, eps = 1e-3.
2. Quadrature error of the Breit-Wigner integral (400 nodes against 3200) and of sigma_total (200 nodes
   against 1600), and the wall time of sigma_total on 1000 energies.
3. A few reference numbers: chi-e and chi-Ar40 cross sections, ALP widths, Primakoff on iron.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from darkbeam import constants as C
from darkbeam.models import ModelParameters
from darkbeam.models.couplings import Couplings
from darkbeam.physics import alp_decays as A
from darkbeam.physics import dm_scattering as S
from darkbeam.physics import primakoff
from darkbeam.physics.decays import decay_table
from darkbeam.physics.form_factors import NuclearFormFactors
from darkbeam.physics.production import production_channels
from darkbeam.physics.production.dark_matter_mesons import br_meson_to_dark_matter, br_pseudoscalar_to_gamma_chichi
from darkbeam.physics.production import parents as PD

OUT = Path(__file__).resolve().parent / "results" / "dark_matter_kernels.txt"


def model(mchi, dm_type="fermion"):
    return ModelParameters.from_dict(dict(mzprime=3 * mchi, mchi=mchi, epsilon=1e-3, alphaD=0.5, dm_type=dm_type))


def main() -> int:
    lines = ["# 1. full / narrow-width Br(P -> gamma chi chi-bar), alpha_D = 0.5, m_A' = 3 m_chi, eps = 1e-3",
             "m_chi_MeV  pi0_fermion  pi0_scalar  eta_fermion  eta_scalar"]
    for mchi in (0.003, 0.01, 0.02, 0.03, 0.1, 0.15):
        row = [f"{1e3 * mchi:9.0f}"]
        for parent in ("pi0", "eta"):
            for dm in ("fermion", "scalar"):
                p = model(mchi, dm)
                two = [ch for ch in production_channels(p) if ch.parent == parent and ch.daughters == ("gamma", "zprime")]
                if not two:
                    row.append("     closed")
                    continue
                nw = two[0].br * decay_table(p, "zprime").branching_ratios[f"{p.dm_label} {p.dm_label}_bar"]
                row.append(f"{br_meson_to_dark_matter(p, parent) / nw:11.3f}")
        lines.append("  ".join(row))

    lines += ["", "# 2. quadrature error and speed"]
    p = model(0.01)
    c = Couplings(p)
    gam = decay_table(p, "zprime").total_width
    a = br_pseudoscalar_to_gamma_chichi(C.M_ETA, PD.BR_ETA_GG, c.epsilon**2, 0.5, 0.03, gam, 0.01)
    b = br_pseudoscalar_to_gamma_chichi(C.M_ETA, PD.BR_ETA_GG, c.epsilon**2, 0.5, 0.03, gam, 0.01, n=3200)
    lines.append(f"Br(eta -> gamma chi chi-bar) 400 vs 3200 nodes: relative difference {a / b - 1:.2e}")
    E = np.geomspace(0.05, 20.0, 1000)
    kw = dict(M=C.M_E, m_chi=0.01, er_min=0.01, m_aprime=0.03, eps=1e-3, alpha_d=0.5)
    t0 = time.perf_counter()
    s200 = S.sigma_total(S.dsigma_dER_electron, E, **kw)
    dt = time.perf_counter() - t0
    s1600 = S.sigma_total(S.dsigma_dER_electron, E, n=1600, **kw)
    ok = s1600 > 0
    lines.append(f"sigma(chi e), E_R > 10 MeV, 1000 energies: {1e3 * dt:.1f} ms; 200 vs 1600 nodes: "
                 f"max relative difference {np.max(np.abs(s200[ok] / s1600[ok] - 1)):.2e}")

    lines += ["", "# 3. reference numbers"]
    for dm in ("fermion", "scalar"):
        pe = S.cross_section(model(0.01, dm), np.array([1.0, 10.0]), "e", er_min=0.01)
        par = S.cross_section(model(0.01, dm), np.array([1.0, 10.0]), "Ar40", er_min=1e-4)
        lines.append(f"{dm}: sigma(chi e, E_R > 10 MeV) at 1, 10 GeV = {pe[0]:.3e}, {pe[1]:.3e} cm^2; "
                     f"sigma(chi Ar40, E_R > 0.1 MeV) = {par[0]:.3e}, {par[1]:.3e} cm^2")
    for m_a in (0.1, 0.3, 0.5):
        lines.append(f"m_a = {m_a} GeV: Gamma(gamma gamma; g = 1e-4/GeV) = {float(A.alp_to_photons(m_a, 1e-4)):.4e} GeV, "
                     f"Gamma(3 pi; g_agluon = 1e-5/GeV) = {float(A.alp_to_three_pions(m_a, 1e-5, True) + A.alp_to_three_pions(m_a, 1e-5, False)):.4e} GeV")
    ff = NuclearFormFactors("Fe56", 56).charge
    sig = primakoff.sigma(np.array([1.0, 10.0, 100.0]), m_a=0.05, g_agg=1e-4, Z=26, form_factor=ff)
    lines.append("Primakoff gamma Fe -> a Fe, m_a = 50 MeV, g = 1e-4/GeV, E = 1, 10, 100 GeV: "
                 + ", ".join(f"{x:.3e}" for x in sig) + " cm^2")
    text = "\n".join(lines) + "\n"
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
