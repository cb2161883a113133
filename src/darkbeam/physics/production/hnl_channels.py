"""Every open HNL production channel of a model, as :class:`ProductionChannel` objects.

Widths: :mod:`hnl_two_body` (P -> l N, tau -> N P, tau -> N V) and :mod:`hnl_three_body` (K_l3,
l -> l' nu N).  Labels and conventions (docs/production.md):

* a positive parent (pi+, K+, D+, D_s+, tau+, mu+) emits the HNL with the charged antilepton
  (P+ -> l+ N, K+ -> pi0 l+ N, K_L -> pi- l+ N) or, for tau-/mu-, as a neutrino (tau- -> N pi-); the
  charge-conjugate decays produce N-bar ('N4_bar') for a Dirac HNL and the same self-conjugate 'N4'
  for a Majorana one.  The rates are equal for Dirac and Majorana (production does not probe the
  nature of N; 1805.08567 sec. 3); the polarisation of the new particle (along its momentum, parent
  rest frame) flips sign between a decay and its CP conjugate.
* an ``llp`` ending in '_bar' is the antiparticle of the HNL: its decays are those of
  ``decay_table(params, 'N4')`` with ``antiparticle=True`` in processes.decays (:func:`llp_decay_args`).
* br = width / total width of the parent (PDG 2024 lifetimes, :mod:`parents`); scaling (('U<a><i>', 2),):
  every width is |U_alpha i|^2 times a function of the masses.
* semileptonic: K+ -> pi0 l+ N, K_L -> pi-+ l+- N, D+ -> K0bar l+ N, D0 -> K- l+ N (and conjugates).
* tau and mu parents are taken unpolarised (a muon from pi -> mu nu is fully polarised: not used).
"""

from __future__ import annotations

from functools import partial

from darkbeam import constants as C
from darkbeam.physics import mesons
from darkbeam.physics.particles import conjugate, mass_of
from darkbeam.physics.production import hnl_three_body as T
from darkbeam.physics.production import hnl_two_body as H
from darkbeam.physics.production.channel import ProductionChannel
from darkbeam.physics.production.dalitz_quadrature import three_body_width
from darkbeam.physics.production.kinematics import ThreeBodyKinematics, TwoBodyKinematics
from darkbeam.physics.production.parents import total_width

_MESON = {m.label: m for m in mesons.CHARGED_MESONS}
_M_P = {"pi+": C.M_PI, "K+": C.M_K, "D+": C.M_D_MESON, "D_s+": C.M_DS}
SRC_SHROCK = "Shrock PRD 24 (1981) 1232; Bondarenko et al. 1805.08567 eq. 3.1 (Shrock factor)"
SRC_KL3 = "K_l3 with m_l, m_N: docs/production.md eq. K1 (Cirigliano et al. RMP 84 (2012) 399; PDG 2024 form factors)"
SRC_DK = "D -> K l N with m_l, m_N: docs/production.md eq. K1 (FLAG 2021 f_+(0), pole form factors)"
SRC_TAU2 = "docs/production.md eqs. T1/T2 (V-A trace; SM limit Tsai PRD 4 (1971) 2821)"
SRC_LEP = "muon-decay matrix element with a massive N: docs/production.md eq. L1"


def llp_decay_args(llp: str) -> tuple[str, bool]:
    """(particle for decay_table, antiparticle flag for processes.decays) of a channel's llp label."""
    if llp.endswith("_bar"):
        return llp[:-4], True
    return llp, False


def _anti_hnl(name: str, majorana: bool) -> str:
    return name if majorana else f"{name}_bar"


def _lep(flavour: str, charge: str) -> str:
    return f"{flavour}{charge}"


def _pair(parent, daughters, llp, width, coupling, u2, source, sampler) -> ProductionChannel:
    w = float(width) * u2
    return ProductionChannel(parent=parent, daughters=tuple(daughters), llp=llp, width=w, br=w / total_width(parent),
                             scaling=((coupling, 2),), sampler=sampler, source=source)


def _two_body(out, parent, daughters, llp, width, pol, coupling, u2, source, masses):
    if width <= 0:
        return
    idx = daughters.index(llp)
    kin = TwoBodyKinematics(parent_mass=mass_of(parent), masses=tuple(masses), llp_index=idx, polarisation=float(pol))
    out.append(_pair(parent, daughters, llp, width, coupling, u2, source, kin))


def hnl_channels(params) -> list[ProductionChannel]:
    """All production channels of the model's HNLs with non-zero mixing (module docstring)."""
    out: list[ProductionChannel] = []
    majorana = params.HNLtype == "majorana"
    for i, m_n in enumerate(params.hnl_masses):
        name = f"N{4 + i}"
        nbar = _anti_hnl(name, majorana)
        for fl in C.FLAVOURS:
            coupling = f"U{fl}{4 + i}"
            u2 = float(getattr(params, coupling)) ** 2
            if u2 == 0.0:
                continue
            m_l = C.M_LEPTON[fl]
            # ---- P+ -> l+ N and P- -> l- N-bar
            for p_plus, m_p in _M_P.items():
                mes = _MESON[p_plus]
                w = float(H.width_meson_to_lepton_hnl(m_p, mes.const, mes.ckm, m_l, m_n))
                pol = float(H.polarisation_meson_to_lepton_hnl(m_p, m_l, m_n))
                _two_body(out, p_plus, (_lep(fl, "+"), name), name, w, pol, coupling, u2, SRC_SHROCK, (m_l, m_n))
                _two_body(out, conjugate(p_plus), (_lep(fl, "-"), nbar), nbar, w, -pol, coupling, u2, SRC_SHROCK, (m_l, m_n))
            # ---- K_l3
            if fl != "tau":
                _kl3(out, params, name, nbar, fl, m_l, m_n, coupling, u2)
            # ---- tau decays
            _tau(out, name, nbar, fl, m_n, coupling, u2)
            # ---- mu decays
            _mu(out, name, nbar, fl, m_n, coupling, u2)
    return out


def _three_body(out, parent, daughters, llp, masses, msq, pol, coupling, u2, source, key):
    M = mass_of(parent)
    width = three_body_width(msq, M, masses)
    if width <= 0:
        return
    kin = ThreeBodyKinematics(parent_mass=M, masses=tuple(float(m) for m in masses), llp_index=daughters.index(llp),
                              msq=msq, polarisation=pol, key=key)
    out.append(_pair(parent, daughters, llp, width, coupling, u2, source, kin))


def _kl3(out, params, name, nbar, fl, m_l, m_n, coupling, u2):
    for parent, pion, lep, llp, anti in _SEMILEPTONIC:
        llp = name if llp == "N" else nbar
        M, m_pi = mass_of(parent), mass_of(pion)
        if M <= m_pi + m_l + m_n:
            continue
        msq = partial(T.kl3_msq, parent=parent, m_parent=M, m_pi=m_pi)
        pol = partial(T.kl3_polarisation, parent=parent, m_n=m_n, m_parent=M, m_pi=m_pi, anti=anti)
        _three_body(out, parent, (pion, _lep(fl, lep), llp), llp, (m_pi, m_l, m_n), msq, pol, coupling, u2,
                    SRC_KL3 if parent.startswith("K") else SRC_DK, ("semileptonic", parent, pion, m_l, m_n, anti))


#: (parent, daughter meson, charge of the lepton, 'N' or 'Nbar', anti) of the semileptonic channels
_SEMILEPTONIC = (("K+", "pi0", "+", "N", False), ("K-", "pi0", "-", "Nbar", True),
                 ("K0_L", "pi-", "+", "N", False), ("K0_L", "pi+", "-", "Nbar", True),
                 ("D+", "K0_bar", "+", "N", False), ("D-", "K0", "-", "Nbar", True),
                 ("D0", "K-", "+", "N", False), ("D0_bar", "K+", "-", "Nbar", True))


def _tau(out, name, nbar, fl, m_n, coupling, u2):
    if fl == "tau":
        hadrons = (("pi", C.M_PI, mesons.F_PI, C.V_UD, None), ("K", C.M_K, mesons.F_K, C.V_US, None),
                   ("rho", C.M_RHO_CHARGED, None, C.V_UD, mesons.G_RHO), ("K*", C.M_KSTAR, None, C.V_US, mesons.G_KSTAR))
        for h, m_h, f, ckm, g in hadrons:
            if g is None:
                w = float(H.width_tau_to_hnl_pseudoscalar(m_n, f, ckm, m_h))
            else:
                w = float(H.width_tau_to_hnl_vector(m_n, g, ckm, m_h))
            if w <= 0:
                continue
            pol = H.polarisation_tau_to_hnl(m_n, m_h, g)
            _two_body(out, "tau-", (f"{h}-", name), name, w, pol, coupling, u2, SRC_TAU2, (m_h, m_n))
            _two_body(out, "tau+", (f"{h}+", nbar), nbar, w, -pol, coupling, u2, SRC_TAU2, (m_h, m_n))
        # tau- -> l- nubar_l N (N in place of nu_tau)
        for lf in ("e", "mu"):
            _leptonic(out, "tau-", lf, "nu", name, nbar, m_n, coupling, u2)
    else:
        # tau- -> l- N-bar nu_tau (N-bar in place of nubar_l)
        _leptonic(out, "tau-", fl, "nubar", name, nbar, m_n, coupling, u2)


def _mu(out, name, nbar, fl, m_n, coupling, u2):
    if fl == "mu":
        _leptonic(out, "mu-", "e", "nu", name, nbar, m_n, coupling, u2)
    elif fl == "e":
        _leptonic(out, "mu-", "e", "nubar", name, nbar, m_n, coupling, u2)


def _leptonic(out, parent, lf, hnl_as, name, nbar, m_n, coupling, u2):
    """parent- -> lf- ... with the HNL as the parent-flavour neutrino ('nu') or as the antineutrino of
    the daughter flavour ('nubar'), and the CP-conjugate parent+ decay."""
    pf = parent[:-1]
    m_l = C.M_LEPTON[lf]
    for par, lep, anti in ((parent, f"{lf}-", False), (conjugate(parent), f"{lf}+", True)):
        if hnl_as == "nu":
            other = f"nu_{lf}_bar" if not anti else f"nu_{lf}"
            llp = name if not anti else nbar
            daughters = (lep, other, llp)
        else:
            other = f"nu_{pf}" if not anti else f"nu_{pf}_bar"
            llp = nbar if not anti else name
            daughters = (lep, llp, other)
        masses = (m_l, m_n, 0.0) if hnl_as == "nubar" else (m_l, 0.0, m_n)
        msq = partial(T.leptonic_msq, hnl_as=hnl_as)
        pol = partial(T.leptonic_polarisation, hnl_as=hnl_as, m_n=m_n, anti_parent=anti)
        _three_body(out, par, daughters, llp, masses, msq, pol, coupling, u2, SRC_LEP, ("lep", par, lf, hnl_as, m_n))
