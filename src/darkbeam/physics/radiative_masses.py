"""One-loop light-neutrino masses of a mass model, and their comparison with oscillation data.

Light states that are massless at tree level (the minimal dark-neutrino model has m_3 = 0) get a
finite Majorana mass from self-energies with a heavy neutrino nu_k and a Z or Goldstone / Higgs in the
loop (Pilaftsis, Z. Phys. C 55, 275 (1992), hep-ph/9901206; Grimus and Lavoura, Phys. Lett. B 546, 86
(2002), hep-ph/0207229), and in the dark sector from the Z' and the dark scalar phi' (Ballett, Hostert
and Pascoli, arXiv:1903.07590, Sec. II; 1903.07589):

    delta m_ij = (1/4 pi^2) sum_k [ C_ik C_jk m_k^3 / m_Z^2  F(m_k^2, m_Z^2, m_h^2)
                                  + D_ik D_jk m_k^3 / m_Z'^2 F(m_k^2, m_Z'^2, m_phi'^2) ],

    C_ik = (g / 4 c_W) sum_alpha U^*_alpha i U_alpha k,      D_ik = (g_D / 2) U^*_Di U_Dk,

    F(x, y, z) = 3 ln(x/y) / (x/y - 1) + ln(x/z) / (x/z - 1)

(the first term from the gauge boson in Feynman gauge with its Goldstone, the second from the physical
scalar; ln(r)/(r - 1) -> 1 at r = 1).  U is the full Takagi mixing matrix (n = U nu, complex in
general: the CP parities are phases i of its columns, so the sum carries the relative signs of the
heavy masses).  The tree-level light masses plus delta m (a matrix in the basis of the tree-level
light states) are Takagi-factorised again to give the one-loop masses.

Extended-seesaw closed form (the issue's check, 1903.07590): for m_D, Lambda << mu' << m_Z', m_phi'
only N_5 (mass ~ mu', U_D5 ~ Lambda/mu') contributes and

    m_3 ~ (g_D^2 / 16 pi^2) (m_D^2 / (Lambda^2 + m_D^2)) (Lambda^2 / m_Z'^2) mu'
          x (3 ln(m_Z'^2 / mu'^2) + ln(m_phi'^2 / mu'^2)).

Oscillation data (:func:`oscillation_warnings`): NuFIT 5.2 (2022; I. Esteban et al., JHEP 09 (2020)
178, www.nu-fit.org) 3 sigma ranges with Super-Kamiokande atmospheric data, the Planck 2018 bound
sum m_nu < 0.12 eV (arXiv:1807.06209, TT,TE,EE+lowE+lensing+BAO) and KATRIN's m_nu < 0.45 eV (90 % CL,
Science 388, 180 (2025), arXiv:2406.13516).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from darkbeam import constants as C
from darkbeam.models.takagi import mass_eigensystem

#: NuFIT 5.2 3 sigma ranges (eV^2): solar, atmospheric normal ordering (Dm31^2), inverted (|Dm32^2|)
NUFIT_DM21_3SIGMA = (6.82e-5, 8.03e-5)
NUFIT_DM31_NO_3SIGMA = (2.427e-3, 2.590e-3)
NUFIT_DM32_IO_3SIGMA = (2.406e-3, 2.570e-3)
#: Planck 2018 sum of masses (eV, 95 % CL) and KATRIN 2025 effective mass (eV, 90 % CL)
PLANCK_SUM_EV = 0.12
KATRIN_MAX_EV = 0.45


def _log_ratio(r: np.ndarray) -> np.ndarray:
    """ln(r)/(r - 1), 1 at r = 1 (series near it)."""
    r = np.asarray(r, dtype=float)
    d = r - 1.0
    small = np.abs(d) < 1e-6
    safe = np.where(small, 2.0, r)
    return np.where(small, 1.0 - d / 2.0 + d * d / 3.0, np.log(safe) / (safe - 1.0))


def loop_function(x, y, z) -> np.ndarray:
    """F(x, y, z) = 3 ln(x/y)/(x/y - 1) + ln(x/z)/(x/z - 1) (module docstring); masses squared, GeV^2."""
    x = np.asarray(x, dtype=float)
    return 3.0 * _log_ratio(x / y) + _log_ratio(x / z)


def _loop_sum(G: np.ndarray, masses: np.ndarray, mV: float, mS: float) -> np.ndarray:
    """(1/4 pi^2) sum_k G_ik G_jk m_k^3 / mV^2 F(m_k^2, mV^2, mS^2) over the massive states k."""
    m = np.asarray(masses, dtype=float)
    w = np.zeros_like(m)
    live = m > 0
    w[live] = m[live] ** 3 / mV**2 * loop_function(m[live] ** 2, mV**2, mS**2)
    return np.einsum("ik,jk,k->ij", G, G, w) / (4.0 * np.pi**2)


@dataclass(frozen=True)
class LoopMasses:
    """One-loop light masses (GeV) and the pieces: ``delta_z``, ``delta_dark`` (matrices, GeV, in the
    basis of the tree-level light states; ``delta_dark`` None when the dark loop was not computed),
    ``tree`` (tree-level light masses) and ``notes``."""

    tree: np.ndarray
    masses: np.ndarray
    delta_z: np.ndarray
    delta_dark: np.ndarray | None
    notes: tuple[str, ...]


def one_loop_light_masses(spectrum, *, gD: float | None = None, mzprime: float | None = None,
                          mphi: float | None = None) -> LoopMasses:
    """One-loop light-neutrino masses of a :class:`~darkbeam.models.massmodel.Spectrum` (module docstring).

    The Z / Higgs loop always; the dark Z' / phi' loop when the model has a dark state and gD,
    mzprime and mphi (the dark scalar's mass, darkbeam's ``mhprime``) are all given.
    """
    mm = spectrum.model
    U = spectrum.U
    nl = mm.n_light
    masses = spectrum.masses
    active_rows = U[:nl]  # the active flavours are the first rows of the basis
    cw = C.M_W / C.M_Z
    Cmat = (C.G_WEAK / (4.0 * cw)) * (active_rows.conj().T @ active_rows)  # C_ik, all i, k
    dz = _loop_sum(Cmat[:nl], masses, C.M_Z, C.M_H)
    notes = []
    dd = None
    if mm.n_dark:
        missing = [k for k, v in (("gD", gD), ("mzprime", mzprime), ("mhprime (the dark scalar phi')", mphi))
                   if v is None]
        if missing:
            notes.append(f"dark Z'/phi' loop not computed: the model has no {', '.join(missing)}")
        else:
            dark_rows = U[nl + mm.n_sterile:]
            Dmat = (gD / 2.0) * (dark_rows.conj().T @ dark_rows)
            dd = _loop_sum(Dmat[:nl], masses, mzprime, mphi)
    tree = masses[:nl]
    total = np.diag(tree).astype(complex) + dz + (dd if dd is not None else 0.0)
    one_loop = mass_eigensystem(0.5 * (total + total.T)).masses
    return LoopMasses(tree, np.sort(one_loop), dz, dd, tuple(notes))


def extended_seesaw_m3(mD: float, mu_prime: float, Lambda: float, gD: float, mzprime: float, mphi: float) -> float:
    """The closed form of the module docstring (GeV), valid for m_D, Lambda << mu' << m_Z', m_phi'."""
    return (gD**2 / (16.0 * np.pi**2) * mD**2 / (Lambda**2 + mD**2) * Lambda**2 / mzprime**2 * mu_prime
            * (3.0 * np.log(mzprime**2 / mu_prime**2) + np.log(mphi**2 / mu_prime**2)))


def oscillation_warnings(light_masses_eV) -> list[str]:
    """Warnings where light masses (eV) contradict oscillation data, cosmology or KATRIN (module docstring)."""
    m = np.sort(np.abs(np.asarray(light_masses_eV, dtype=float)))
    out: list[str] = []
    floor = 1e-3 * np.sqrt(NUFIT_DM21_3SIGMA[0])
    nonzero = int(np.sum(m > floor))
    if nonzero < 2:
        out.append(f"only {nonzero} light neutrino mass above {floor:.1e} eV: oscillation data need two independent "
                   "splittings (Dm21^2 ~ 7.4e-5 eV^2, |Dm31^2| ~ 2.5e-3 eV^2, NuFIT 5.2); other sources of mass "
                   "(more heavy states or flavours) are needed")
    elif m.size >= 3:
        a, b, c = m[-3:]
        ok_no = (NUFIT_DM21_3SIGMA[0] <= b * b - a * a <= NUFIT_DM21_3SIGMA[1]
                 and NUFIT_DM31_NO_3SIGMA[0] <= c * c - a * a <= NUFIT_DM31_NO_3SIGMA[1])
        ok_io = (NUFIT_DM21_3SIGMA[0] <= c * c - b * b <= NUFIT_DM21_3SIGMA[1]
                 and NUFIT_DM32_IO_3SIGMA[0] <= c * c - a * a <= NUFIT_DM32_IO_3SIGMA[1])
        if not (ok_no or ok_io):
            out.append(f"light-mass splittings {b * b - a * a:.3e}, {c * c - b * b:.3e} eV^2 are outside the NuFIT 5.2 "
                       "3 sigma ranges for either ordering")
    else:
        out.append(f"{m.size} light states cannot reproduce three-flavour oscillation data")
    if m.sum() > PLANCK_SUM_EV:
        out.append(f"sum of light masses {m.sum():.3g} eV > {PLANCK_SUM_EV} eV (Planck 2018)")
    if m.size and m[-1] > KATRIN_MAX_EV:
        out.append(f"largest light mass {m[-1]:.3g} eV > {KATRIN_MAX_EV} eV (KATRIN)")
    return out
