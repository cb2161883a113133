"""Two-body upscattering kinematics nu + T -> N + T in the lab frame (target at rest).

For a projectile of energy E along +z, a target of mass M at rest and an outgoing N of mass m, the
momentum transfer Q^2 = -(k - k')^2 fixes (elastic recoil, recoil mass = target mass):

    E_N = E - Q^2/(2M),   |p_N| = sqrt(E_N^2 - m^2),
    cos(theta_N) = (2 E E_N - m^2 - Q^2) / (2 E |p_N|)

(from k'^2 = m^2 and (k - k')^2 = m^2 - 2 E (E_N - |p_N| cos theta) = -Q^2).  The azimuth is free.
"""

from __future__ import annotations

import numpy as np


def upscattering_lab(E, Q2, m: float, M: float, phi, *, components: bool = False):
    """Lab four-momenta (n, 4) of the projectile, N and the recoil, beam along +z.

    ``E``: neutrino energies (GeV); ``Q2``: momentum transfers (GeV^2) inside the physical range;
    ``m``: N mass; ``M``: target mass (GeV); ``phi``: azimuths (rad).  ``components=True``: instead
    the contiguous 1-d components (E_N, pN_x, pN_y, pN_z, recoil_x, recoil_y, recoil_z) -- the same
    numbers from the same operations, without the (n, 4) arrays (the generator's path; the
    projectile is (E, 0, 0, E) and the recoil energy M + Q^2/(2M) is not needed there).
    """
    E = np.asarray(E, dtype=np.float64)
    Q2 = np.asarray(Q2, dtype=np.float64)
    EN = E - Q2 / (2.0 * M)
    pN = np.sqrt(np.maximum(EN * EN - m * m, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        cth = np.where(pN > 0, (2.0 * E * EN - m * m - Q2) / (2.0 * E * pN), 1.0)
    cth = np.clip(cth, -1.0, 1.0)
    sth = np.sqrt(1.0 - cth * cth)
    if components:
        pt = pN * sth
        px = pt * np.cos(phi)
        py = pt * np.sin(phi)
        pz = pN * cth
        # recoil = k - p_N with k = (0, 0, E): 0 - p exactly as the (n, 4) subtraction below
        return EN, px, py, pz, np.subtract(0.0, px), np.subtract(0.0, py), E - pz
    n = E.shape[0]
    k = np.zeros((n, 4))
    k[:, 0] = E
    k[:, 3] = E
    pn = np.empty((n, 4))
    pn[:, 0] = EN
    pn[:, 1] = pN * sth * np.cos(phi)
    pn[:, 2] = pN * sth * np.sin(phi)
    pn[:, 3] = pN * cth
    rec = np.empty((n, 4))
    rec[:, 0] = M + Q2 / (2.0 * M)
    rec[:, 1:] = k[:, 1:] - pn[:, 1:]
    return k, pn, rec
