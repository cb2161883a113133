"""Dark photon A' = zprime (kinetic mixing epsilon) from neutral-meson decays.

* P -> gamma A' for P = pi0, eta, eta' (Batell, Pospelov, Ritz 0906.5614 eq. 13; Ilten, Soreq,
  Williams, Xue 1801.04847 sec. 2):

      Br(P -> gamma A') = 2 epsilon^2 (1 - m_A'^2/m_P^2)^3 Br(P -> gamma gamma)

  (the factor 2: either photon of P -> gamma gamma may be the A').
* omega -> pi0 A' (vector -> pseudoscalar + vector, |M|^2 ~ p^3; 1801.04847 sec. 2, as FORESEE
  writes it, Kling, Trojanowski 2105.07077):

      Br(omega -> pi0 A') = epsilon^2 Br(omega -> pi0 gamma) [lambda^(3/2)(m_omega^2, m_pi0^2, m_A'^2) / (m_omega^2 - m_pi0^2)^3]

eta' -> pi0 A' (named in issue 11) is C-forbidden (C(eta') = +1, C(pi0 A') = -1 at order epsilon, as
eta' -> pi0 gamma is), so eta' contributes through eta' -> gamma A' instead.  epsilon: the e epsilon Q_f
coupling of :class:`darkbeam.models.couplings.Couplings` (light A', zprime_charge = 'dark').
Branching ratios and total widths of the parents: :mod:`darkbeam.physics.production.parents`.
"""

from __future__ import annotations

import numpy as np

from darkbeam.physics.production.hnl_two_body import kallen


def br_pseudoscalar_to_gamma_aprime(m_a, m_p: float, br_gg: float, eps2: float):
    """Br(P -> gamma A') (module docstring); 0 where closed."""
    r = 1.0 - np.asarray(m_a, dtype=float) ** 2 / m_p**2
    return np.where(r > 0, 2.0 * eps2 * np.clip(r, 0.0, None) ** 3 * br_gg, 0.0)


def br_vector_to_pseudoscalar_aprime(m_a, m_v: float, m_p: float, br_pgamma: float, eps2: float):
    """Br(V -> P A') (module docstring); 0 where closed."""
    m_a = np.asarray(m_a, dtype=float)
    lam = kallen(m_v**2, m_p**2, m_a**2)
    ok = (m_a + m_p < m_v) & (lam > 0)
    return np.where(ok, eps2 * br_pgamma * np.where(ok, lam, 0.0) ** 1.5 / (m_v**2 - m_p**2) ** 3, 0.0)
