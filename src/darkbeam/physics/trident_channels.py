"""Neutrino trident channels: nu A -> nu l1- l2+ A, their Standard-Model four-fermion couplings and
the vector Z' that adds to them.

Every channel is written, after a Fierz rearrangement of the charged-current term, as one effective
operator of "charge-retention" form (Lovseth and Radomiski, Phys. Rev. D 3, 2686 (1971); Brown,
Hobbs, Smith, Stanko, Phys. Rev. D 6, 3273 (1972); Ballett et al. 1807.10973, eq. 2.1):

    L_eff = -(G_F/sqrt2) [nubar_b gamma^a (1 - gamma5) nu_a] [lbar_1 gamma_a (C_V - C_A gamma5) l_2]

* same flavour, NC + CC (nu_l -> nu_l l- l+):  C_V = 1/2 + 2 s_W^2,  C_A = 1/2;
* other flavour, NC only (nu_mu -> nu_mu e- e+, nu_e -> nu_e mu- mu+, nu_tau -> ...):
  C_V = -1/2 + 2 s_W^2,  C_A = -1/2;
* CC only, mixed flavour (nu_mu -> mu- e+ nu_e, nu_e -> e- mu+ nu_mu):  C_V = C_A = 1.

Antineutrino channels are the CP conjugates: the neutrino current becomes vbar(k1) gamma^a (1 - gamma5)
v(k2) and the negative lepton of the CC pair becomes the other flavour (nu_mu_bar -> e- mu+ nu_e_bar:
l1 = e, l2 = mu).

A vector Z' with couplings g_nu Z'_a nubar gamma^a P_L nu + g_l Z'_a lbar gamma^a l to the
(flavour-diagonal) pair adds, through its t-channel propagator, a momentum-dependent vector coupling

    C_V(t) = C_V^SM + g_nu g_l / (sqrt2 G_F (m_Z'^2 - t)),     t = (k_nu,in - k_nu,out)^2 <= 0,

(integrating out a vector with L = V.J gives -J.J/(2 M^2): the same sign rule as the SM Z; for a
heavy Z' this is Altmannshofer, Gori, Pospelov, Yavin 1406.2332, eq. 5: sigma/sigma_SM =
[(1 + 4 s_W^2 + 2 v^2 g^2/M^2)^2 + 1] / [(1 + 4 s_W^2)^2 + 1] for nu_mu -> nu_mu mu mu in
L_mu - L_tau, v = 246 GeV).  Mixed-flavour (CC-only) channels get nothing from a flavour-diagonal Z'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError

#: default weak mixing angle: the low-Q^2 MSbar value (PDG 2024 eq. 10.21), appropriate for the
#: momentum transfers of trident production (|t| << M_Z^2)
SW2_TRIDENT = C.SW2_LOW_Q2


@dataclass(frozen=True)
class TridentChannel:
    """One trident channel.  l1 is the negative lepton, l2 the positive one (flavour labels)."""

    name: str
    nu_in: str  # 'nu_mu', 'nu_e_bar', ...
    nu_out: str
    l1: str  # flavour of the negatively charged lepton
    l2: str  # flavour of the positively charged lepton
    kind: str  # 'nc+cc', 'nc' or 'cc'

    @property
    def antineutrino(self) -> bool:
        return self.nu_in.endswith("_bar")

    @property
    def m1(self) -> float:
        return C.M_LEPTON[self.l1]

    @property
    def m2(self) -> float:
        return C.M_LEPTON[self.l2]

    @property
    def flavour_in(self) -> str:
        return self.nu_in.replace("nu_", "").replace("_bar", "")

    @property
    def pair_flavour(self) -> str | None:
        """The charged-lepton flavour of a same-flavour pair, None for the mixed (CC) channels."""
        return self.l1 if self.l1 == self.l2 else None

    @property
    def threshold(self) -> float:
        """(m1 + m2)^2 in GeV^2: the smallest invariant mass^2 of the nu l l system."""
        return (self.m1 + self.m2) ** 2

    def sm_couplings(self, sw2: float = SW2_TRIDENT) -> tuple[float, float]:
        """(C_V, C_A) of the effective operator (module docstring)."""
        if self.kind == "nc+cc":
            return 0.5 + 2.0 * sw2, 0.5
        if self.kind == "nc":
            return -0.5 + 2.0 * sw2, -0.5
        return 1.0, 1.0


def _make_channels() -> dict[str, TridentChannel]:
    out: dict[str, TridentChannel] = {}
    labels = {"e": ("e-", "e+"), "mu": ("mu-", "mu+"), "tau": ("tau-", "tau+")}
    for bar in ("", "_bar"):
        for a in ("e", "mu", "tau"):
            nu = f"nu_{a}{bar}"
            for pair in ("e", "mu"):
                minus, plus = labels[pair]
                name = f"{nu} -> {nu} {plus} {minus}"
                out[name] = TridentChannel(name, nu, nu, pair, pair, "nc+cc" if pair == a else "nc")
    # mixed flavour, charged current only
    out["nu_mu -> mu- e+ nu_e"] = TridentChannel("nu_mu -> mu- e+ nu_e", "nu_mu", "nu_e", "mu", "e", "cc")
    out["nu_e -> e- mu+ nu_mu"] = TridentChannel("nu_e -> e- mu+ nu_mu", "nu_e", "nu_mu", "e", "mu", "cc")
    out["nu_mu_bar -> mu+ e- nu_e_bar"] = TridentChannel("nu_mu_bar -> mu+ e- nu_e_bar", "nu_mu_bar", "nu_e_bar", "e", "mu", "cc")
    out["nu_e_bar -> e+ mu- nu_mu_bar"] = TridentChannel("nu_e_bar -> e+ mu- nu_mu_bar", "nu_e_bar", "nu_mu_bar", "mu", "e", "cc")
    return out


#: every channel, by name ("nu_mu -> nu_mu mu+ mu-", ...)
CHANNELS: dict[str, TridentChannel] = _make_channels()
#: the channel names, in a stable order
CHANNEL_NAMES: tuple[str, ...] = tuple(CHANNELS)


def channel(name: str | TridentChannel) -> TridentChannel:
    """The :class:`TridentChannel` called ``name`` (spaces are normalised); ConfigurationError if unknown."""
    if isinstance(name, TridentChannel):
        return name
    key = " ".join(str(name).replace("->", " -> ").split())
    if key not in CHANNELS:
        raise ConfigurationError(f"unknown trident channel '{name}' (choose from: {'; '.join(CHANNEL_NAMES)})")
    return CHANNELS[key]


@dataclass(frozen=True)
class ZPrimeCouplings:
    """A vector Z' coupled to the trident pair: g_nu (to the left-handed incoming-flavour neutrino),
    g_l (vector, to the charged-lepton pair) and its mass (GeV).  ``g_nu = g_l = 0``: the SM."""

    g_nu: float = 0.0
    g_l: float = 0.0
    mass: float = 1.0

    def __post_init__(self):
        for label, v in (("g_nu", self.g_nu), ("g_l", self.g_l), ("m_Z'", self.mass)):
            if not math.isfinite(v):
                raise ConfigurationError(f"Z' parameter {label} must be a finite number, not {v}")
        if self.mass <= 0:
            raise ConfigurationError(f"Z' mass must be positive, not {self.mass} GeV")

    @property
    def product(self) -> float:
        return self.g_nu * self.g_l

    def delta_cv(self, t):
        """g_nu g_l / (sqrt2 G_F (m^2 - t)): the shift of C_V at t = (k1 - k2)^2 <= 0 (module docstring)."""
        return self.product / (math.sqrt(2.0) * C.G_F * (self.mass**2 - t))


#: flavour charges of the named U(1)s (the gauge coupling gX multiplies them)
LEPTON_CHARGES = {
    "Lmu-Ltau": {"e": 0.0, "mu": 1.0, "tau": -1.0},
    "Le-Lmu": {"e": 1.0, "mu": -1.0, "tau": 0.0},
    "Le-Ltau": {"e": 1.0, "mu": 0.0, "tau": -1.0},
}


def zprime_for_channel(ch: str | TridentChannel, model: str, gX: float, mass: float) -> ZPrimeCouplings:
    """Z' couplings of the named U(1) (``'Lmu-Ltau'``, ``'Le-Lmu'``, ``'Le-Ltau'``) to channel ``ch``:
    g_nu = gX Q(nu flavour), g_l = gX Q(pair flavour); zero for the mixed (CC) channels.  Tree level
    only: the loop-induced kinetic mixing (the models layer's eps(q^2)) is not added here; a caller that
    wants it passes g_l = gX Q_l + e eps explicitly."""
    ch = channel(ch)
    charges = LEPTON_CHARGES.get(model)
    if charges is None:
        raise ConfigurationError(f"unknown Z' model '{model}' for tridents (choose from {', '.join(LEPTON_CHARGES)})")
    if ch.pair_flavour is None:
        return ZPrimeCouplings(0.0, 0.0, mass)
    return ZPrimeCouplings(gX * charges[ch.flavour_in], gX * charges[ch.pair_flavour], mass)
