"""Low-energy couplings of light mediators to nu, e, u, d: the Z' of a model and generic ones.

One place for the couplings that the rare-scattering processes (neutrino-electron scattering,
CEvNS; docs/rare_scattering.md) use.

Gauged charges (``zprime_charge``, gauge coupling ``gX``): the Z' couples as
L ⊃ gX Q_X(f) Z'_mu fbar gamma^mu f, with Q_X:

=========== ======================================================================
'Le-Lmu'    e, nu_e: +1;  mu, nu_mu: -1
'Le-Ltau'   e, nu_e: +1;  tau, nu_tau: -1
'Lmu-Ltau'  mu, nu_mu: +1;  tau, nu_tau: -1
'B-L'       quarks +1/3; every lepton -1
'B-3La'     quarks +1/3; lepton flavour a (charged and neutrino) -3; other leptons 0
=========== ======================================================================

Loop-induced kinetic mixing of L_alpha - L_beta (Ballett, Hostert, Pascoli, Perez-Gonzalez, Tabrizi,
Zukanovich Funchal 1902.08579, sec. 2; Araki, Kaneko, Konishi, Ota, Sato, Shimomura 1409.4180 eq. 2.4
and Araki, Hoshino, Ota, Sato, Shimomura 1702.01497): the alpha and beta lepton loops give the photon -
Z' vacuum polarisation

    eps(q^2) = -(e gX / 2 pi^2) int_0^1 dx x(1-x) ln[(m_beta^2 - x(1-x) q^2)/(m_alpha^2 - x(1-x) q^2)],

finite because the two loops cancel in the ultraviolet.  Sign convention (derivation in
docs/rare_scattering.md, section 1): with darkbeam's vertices L ⊃ -e Q_f A fbar gamma f (e > 0) and
+gX Q_X Z' fbar gamma f, the one-loop Pi_{AZ'}(q^2) = sum_f (-e Q_f)(gX Q_X(f)) P_f(q^2) (P_f: the QED
vacuum polarisation per unit coupling squared) equals eps(q^2), and the Z' then couples to every
charged fermion as -e eps(q^2) Q_f, the same convention as a tree-level kinetic mixing
(darkbeam.models.couplings: a dark photon couples as -e eps Q_f).  For gX > 0, eps < 0:
eps(0) = -(e gX / 6 pi^2) ln(m_beta / m_alpha), e.g. -gX/69.2 for L_mu - L_tau.  ``loop_mixing``
(model parameter, default true) switches it on; a tree-level ``epsilon`` adds to it.  The loop is
evaluated for space-like q^2 = -Q^2 <= 0 (scattering) in closed form,

    int_0^1 x(1-x) ln(1 + x(1-x) r) dx = [a - 5/3 + b (1 - a/2) ln((b+1)/(b-1))]/6,
    r = Q^2/m^2, a = 4/r, b = sqrt(1 + a)

(its Taylor series r/30 - r^2/280 + r^3/1890 - r^4/11088 below r = 0.1).  B-L and B-3L_alpha have
no finite loop mixing (it is a free tree-level parameter there): only ``epsilon`` enters.

Generic mediators for NSI-like studies: :class:`VectorMediator` (couplings g_nu_alpha to left-handed
neutrinos, g_eL, g_eR to electrons, g_u, g_d vector couplings to quarks) and :class:`ScalarMediator`
(L ⊃ -phi (g_nu nubar nu + g_e ebar e + g_p pbar p + g_n nbar n)) can be built directly, or from the
model parameters ``gV_nue ... gV_d`` (added to the Z' couplings) and ``mphi``, ``gphi_*``
(:func:`scalar_mediator`);
:func:`zprime_mediator` builds the vector one of a model (tree-level couplings from
:class:`~darkbeam.models.couplings.Couplings`, i.e. the exact Z-Z' diagonalisation for kinetic
mixing, plus the loop mixing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError

if TYPE_CHECKING:  # pragma: no cover
    from darkbeam.models.parameters import ModelParameters

#: L_alpha - L_beta charges: (alpha, beta) = (lepton of charge +1, lepton of charge -1)
LEPTON_DIFFERENCES = {"Le-Lmu": ("e", "mu"), "Le-Ltau": ("e", "tau"), "Lmu-Ltau": ("mu", "tau")}
#: every value of ``zprime_charge``
CHARGE_KINDS = ("dark", "Le-Lmu", "Le-Ltau", "Lmu-Ltau", "B-L", "B-3Le", "B-3Lmu", "B-3Ltau")
_QUARKS = ("u", "c", "t", "d", "s", "b")


def _lepton_flavour(f: str) -> Optional[str]:
    if f in ("e", "mu", "tau"):
        return f
    if f.startswith("nu_"):
        return f[3:]
    return None


def x_charge(kind: str, f: str) -> float:
    """U(1)_X charge of SM fermion ``f`` ('e', 'nu_mu', 'u', ...) for ``zprime_charge`` = ``kind``."""
    if kind not in CHARGE_KINDS:
        raise ConfigurationError(f"unknown zprime_charge '{kind}' (choose from {', '.join(CHARGE_KINDS)})")
    lep = _lepton_flavour(f)
    if kind == "dark":
        return 0.0
    if kind in LEPTON_DIFFERENCES:
        a, b = LEPTON_DIFFERENCES[kind]
        return 1.0 if lep == a else -1.0 if lep == b else 0.0
    if f in _QUARKS:
        return 1.0 / 3.0
    if kind == "B-L":
        return -1.0 if lep is not None else 0.0
    # B - 3 L_alpha
    return -3.0 if lep is not None and lep == kind[4:] else 0.0


def _vacpol(Q2, m: float) -> np.ndarray:
    """int_0^1 x(1-x) ln(1 + x(1-x) Q^2/m^2) dx for Q^2 >= 0 (closed form; series for small Q^2/m^2)."""
    r = np.asarray(Q2, dtype=float) / m**2
    small = r < 0.1
    rs = np.where(small, 1.0, r)
    a = 4.0 / rs
    b = np.sqrt(1.0 + a)
    bm1 = a / (b + 1.0)  # b - 1 without cancellation at large Q^2/m^2
    closed = (a - 5.0 / 3.0 + b * (1.0 - 0.5 * a) * np.log((b + 1.0) / bm1)) / 6.0
    series = r * (1.0 / 30.0 - r * (1.0 / 280.0 - r * (1.0 / 1890.0 - r / 11088.0)))
    return np.where(small, series, closed)


def loop_epsilon(Q2, alpha: str, beta: str, gX: float) -> np.ndarray:
    """Loop-induced kinetic mixing eps(q^2 = -Q^2) of an L_alpha - L_beta Z' (module docstring).

    ``Q2`` >= 0 in GeV^2 (space-like momentum transfer); ``alpha``, ``beta`` in ('e', 'mu', 'tau').
    """
    Q2 = np.asarray(Q2, dtype=float)
    if np.any(Q2 < 0):
        raise ConfigurationError("the loop mixing is evaluated for space-like momentum transfer, Q^2 >= 0")
    ma, mb = C.M_LEPTON[alpha], C.M_LEPTON[beta]
    integral = math.log(mb**2 / ma**2) / 6.0 + _vacpol(Q2, mb) - _vacpol(Q2, ma)
    return -(C.E_CHARGE * gX / (2.0 * math.pi**2)) * integral


@dataclass(frozen=True)
class VectorMediator:
    """A light vector V: L ⊃ V_mu [sum_a g_nu[a] nubar_a gamma^mu P_L nu_a + ebar gamma^mu (g_eL P_L + g_eR P_R) e
    + g_u ubar gamma^mu u + g_d dbar gamma^mu d] (quark axial couplings, spin dependent, are not kept),
    plus a q^2-dependent kinetic mixing -e eps_loop(q^2) Q_f when ``loop`` = (alpha, beta) is set.

    Masses in GeV.  ``g_nu`` is indexed by flavour (e, mu, tau).
    """

    mass: float
    g_nu: tuple[float, float, float] = (0.0, 0.0, 0.0)
    g_eL: float = 0.0
    g_eR: float = 0.0
    g_u: float = 0.0
    g_d: float = 0.0
    loop: Optional[tuple[str, str]] = None
    gX: float = 0.0
    label: str = "vector mediator"

    def __post_init__(self):
        if not (math.isfinite(self.mass) and self.mass > 0):
            raise ConfigurationError(f"mediator mass {self.mass} GeV must be positive and finite")

    def epsilon_loop(self, Q2) -> np.ndarray:
        """The loop kinetic mixing at q^2 = -Q^2 (0 without ``loop``)."""
        Q2 = np.asarray(Q2, dtype=float)
        if self.loop is None or self.gX == 0.0:
            return np.zeros(Q2.shape)
        return loop_epsilon(Q2, self.loop[0], self.loop[1], self.gX)

    def neutrino(self, flavour: int) -> float:
        """Coupling to the left-handed nu of ``flavour`` (0 = e, 1 = mu, 2 = tau); no loop part (Q = 0)."""
        return float(self.g_nu[flavour])

    def electron(self, Q2) -> tuple[np.ndarray, np.ndarray]:
        """(g_L, g_R) of the electron at q^2 = -Q^2, loop mixing included (-e eps Q_e = +e eps)."""
        shift = C.E_CHARGE * self.epsilon_loop(Q2)
        return self.g_eL + shift, self.g_eR + shift

    def nucleons(self, Q2) -> tuple[np.ndarray, np.ndarray]:
        """Vector couplings (g_p, g_n) = (2 g_u + g_d, g_u + 2 g_d) at q^2 = -Q^2, loop mixing included
        (-e eps on the proton)."""
        eps = self.epsilon_loop(Q2)
        return 2.0 * self.g_u + self.g_d - C.E_CHARGE * eps, (self.g_u + 2.0 * self.g_d) + 0.0 * eps


@dataclass(frozen=True)
class ScalarMediator:
    """A light scalar phi: L ⊃ -phi (g_nu nubar nu + g_e ebar e + g_p pbar p + g_n nbar n) (flavour-universal
    neutrino coupling).  For couplings to quarks use :meth:`universal_quarks`."""

    mass: float
    g_nu: float = 0.0
    g_e: float = 0.0
    g_p: float = 0.0
    g_n: float = 0.0

    def __post_init__(self):
        if not (math.isfinite(self.mass) and self.mass > 0):
            raise ConfigurationError(f"mediator mass {self.mass} GeV must be positive and finite")

    @classmethod
    def universal_quarks(cls, mass: float, g_nu: float, g_q: float, g_e: float = 0.0) -> "ScalarMediator":
        """A scalar with the same Yukawa g_q to every quark: nucleon couplings g_p = 15.1 g_q,
        g_n = 14.0 g_q (the nuclear charge Q = (14 A + 1.1 Z) g_q of Cerdeno et al. 1604.01025, eq. 2.9,
        from the nucleon scalar form factors f_Tq)."""
        return cls(mass, g_nu, g_e, 15.1 * g_q, 14.0 * g_q)


def zprime_mediator(params: "ModelParameters", sw2: float = C.SW2_LOW_Q2) -> Optional[VectorMediator]:
    """The Z' of a model as a :class:`VectorMediator` (None if the model has no Z').

    Tree-level couplings: :meth:`Couplings.zprime_fermion` (gauged charge times gX, plus kinetic
    mixing with the exact Z-Z' diagonalisation) with ``sw2``; loop mixing for L_alpha - L_beta when
    ``params.loop_mixing``.
    """
    from darkbeam.models.couplings import Couplings

    if params.mzprime is None:
        return None
    c = Couplings(params, sw2)
    extra_nu = (params.gV_nue, params.gV_numu, params.gV_nutau)
    g_nu = tuple(c.zprime_fermion(f"nu_{a}").gL + x for a, x in zip(("e", "mu", "tau"), extra_nu))
    e = c.zprime_fermion("e")
    loop = LEPTON_DIFFERENCES.get(params.zprime_charge) if params.loop_mixing else None
    nsi = any((params.gV_nue, params.gV_numu, params.gV_nutau, params.gV_e, params.gV_u, params.gV_d))
    return VectorMediator(mass=float(params.mzprime), g_nu=g_nu, g_eL=e.gL + params.gV_e, g_eR=e.gR + params.gV_e,
                          g_u=c.zprime_fermion("u").gV + params.gV_u, g_d=c.zprime_fermion("d").gV + params.gV_d,
                          loop=loop, gX=float(params.gX),
                          label=f"Z' ({params.zprime_charge}{' + gV_*' if nsi else ''})")


def scalar_mediator(params: "ModelParameters") -> Optional[ScalarMediator]:
    """The light scalar phi of a model (``mphi``, ``gphi_nu``, ``gphi_e``, ``gphi_q``; None without
    ``mphi``); quark Yukawas become nucleon couplings by :meth:`ScalarMediator.universal_quarks`."""
    if params.mphi is None:
        return None
    return ScalarMediator.universal_quarks(float(params.mphi), params.gphi_nu, params.gphi_q, params.gphi_e)
