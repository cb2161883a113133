"""Hadronic decays of a light vector boson (dark photon, Z') through the e+e- R ratio.

A vector V that couples to quarks as  L ⊃ V_mu qbar gamma^mu (gV_q - gA_q gamma5) q  decays into
hadrons with (derivation and discussion in docs/decays_dark.md, section "Hadrons")

    Gamma(V -> hadrons) = (alpha m_V / 3) R_V(m_V),

where, for a photon-like coupling gV_q = e Q_q, R_V is the measured ratio
R = sigma(e+e- -> hadrons) / sigma(e+e- -> mu+mu-)_point at sqrt(s) = m_V (Bjorken, Essig, Schuster,
Toro 0906.0580; DarkCast, Ilten, Soreq, Williams, Xue 1801.04847, sec. 2).  Below 2 GeV R_V is a
vector-meson-dominance (VMD) model in the manner of DarkCast, final state by final state, with the
line shapes of :mod:`darkbeam.physics.vmd`; above, perturbative QCD.  This module reads no data file.

Couplings: a vector with quark vector couplings gV_q (in units of e) reaches the rho, omega and phi
families through the flavour content of their currents (1801.04847 eq. 2.18 and appendix A), with the
photon-normalised coefficients

    c_rho = gV_u - gV_d,   c_omega = 3 (gV_u + gV_d),   c_phi = -3 gV_s

(all 1 for the photon; for B-L, gV_q = g_X/(3e): 0, 2 g_X/e and -g_X/e).  Every final state is a
coherent sum over the families that feed it, so that interference changes sign with the couplings:

* pi+ pi-:  R = (beta^3/4) |F_rho(s)|^2 |c_rho + c_omega kappa s/(m_omega^2 - s - i m_omega Gamma_omega)|^2
  (rho family with rho-omega mixing; F_rho of Belle's three-rho Gounaris-Sakurai fit, kappa from
  B(omega -> pi+ pi-));
* pi+ pi- pi0: |c_omega (a_omega + a_omega(1420) + a_omega(1650)) - c_phi a_phi|^2 (the omega-phi
  interference of the data is destructive at the phi peak and constructive just below it);
* pi0 gamma: |c_omega a_omega|^2;  eta gamma: |c_phi a_phi|^2;
* K+ K-, K0_L K0_S: |c_phi (a_phi + excited)|^2, the excited phi-family terms split between the two
  charge states like the phi's branching ratios (DarkCast assigns K Kbar to the phi family);
* multi-hadron states (4 pi, K K pi, eta pi pi, omega pi, 6 pi, ...): |c_rho|^2 R_rho,multi +
  |c_omega|^2 R_omega,multi + |c_phi|^2 R_phi,multi (DarkCast's assignment of 4 pi to the rho and of
  K K pi to the phi).  The decay sampler handles two- and three-body states only, so these are
  emitted as quark pairs of the family's flavour (rho, omega: u ubar and d dbar, half each; phi:
  s sbar), like the perturbative continuum;
* perturbative QCD: R = N_c sum_q [ (gV_q/e)^2 beta(3 - beta^2)/2 + (gA_q/e)^2 beta^3 ]
  (1 + a + (1.9857 - 0.1153 n_f) a^2), a = alpha_s(sqrt s)/pi (Chetyrkin, Kuehn, Kwiatkowski,
  Phys. Rept. 277 (1996) 189, as in the PDG 2024 QCD review; alpha_s from
  :func:`darkbeam.physics.qcd.alpha_s`); u, d, s massless, c and b open at the D Dbar and B Bbar
  thresholds, t at 2 m_t; narrow quarkonia left out.
* the two regions are joined by a linear ramp T(sqrt s) from 0 at E_LOW = 1.75 GeV to 1 at
  E_HIGH = 2.0 GeV:  R = (1 - T) R_VMD + T R_pQCD (the VMD fit ends at 2 GeV; DarkCast, whose grids stop
  at 2 GeV, keeps R = 2.18 above, close to perturbative QCD).

For a photon this follows DarkCast's R to a few per cent from 0.3 to 2 GeV (docs/decays_dark.md,
figure zprime_br_ee.png and the table there; tests/test_zprime_darkcast.py).  Axial quark couplings
only enter the perturbative part (a vector meson has no axial current to leading order).
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.physics import qcd, vmd
from darkbeam.physics.vmd import OMEGA, PHI, RHO, three_pion_phase_space  # noqa: F401  (public names)

#: B-meson mass (open-bottom threshold), PDG 2024 (B+)
M_B_MESON = 5.27934

#: the ramp between the VMD model and perturbative QCD (GeV)
E_LOW = 1.75
E_HIGH = 2.00

#: number of colours
N_C = 3

#: quark pairs of the perturbative part
QUARK_STATES = {"u": ("u", "u_bar"), "d": ("d", "d_bar"), "s": ("s", "s_bar"), "c": ("c", "c_bar"), "b": ("b", "b_bar"), "t": ("t", "t_bar")}
#: open-flavour thresholds used in the perturbative part (GeV)
_THRESHOLD = {"u": 0.0, "d": 0.0, "s": 0.0, "c": 2.0 * C.M_D_MESON, "b": 2.0 * M_B_MESON, "t": 2.0 * C.M_T}
#: photon couplings in units of e
PHOTON_QUARK_CHARGES = {"u": 2.0 / 3.0, "d": -1.0 / 3.0, "s": -1.0 / 3.0, "c": 2.0 / 3.0, "b": -1.0 / 3.0, "t": 2.0 / 3.0}
#: share of K+ K- in the phi family's K Kbar (PDG 2024 phi branching ratios)
_KPLUS_SHARE = PHI["modes"][("K+", "K-")] / (PHI["modes"][("K+", "K-")] + PHI["modes"][("K0_L", "K0_S")])


# ----------------------------------------------------------------------- couplings
def vmd_coefficients(gv: dict) -> dict:
    """Photon-normalised amplitudes c_rho, c_omega, c_phi of a vector with quark couplings gv[q] (units of e)."""
    u, d, s = gv.get("u", 0.0), gv.get("d", 0.0), gv.get("s", 0.0)
    return {"rho": u - d, "omega": 3.0 * (u + d), "phi": -3.0 * s}


def vmd_weights(gv: dict) -> dict:
    """|c|^2 of each family: w_rho = (gV_u - gV_d)^2, w_omega = (3 (gV_u + gV_d))^2, w_phi = (3 gV_s)^2."""
    return {k: v**2 for k, v in vmd_coefficients(gv).items()}


# ----------------------------------------------------------------------- VMD part
def _factor(final_state):
    """F_f(s)/F_f(m^2) of ``final_state`` as a function of (sqrt s, m) for :func:`vmd.excited_amplitude`."""
    def f(x, m):
        return vmd.width_factor(final_state, x, m)
    return f


def pion_form_factor(sqrt_s):
    """e+e- pion form factor of the photon: F_rho(s) (1 + kappa s/(m_omega^2 - s - i m_omega Gamma_omega))."""
    return vmd.isovector_pion_form_factor(sqrt_s) * (1.0 + vmd.rho_omega_kappa() * vmd.omega_propagator_ratio(sqrt_s))


def vmd_components(sqrt_s, gv: dict | None = None) -> dict:
    """R of every VMD final-state group below 2 GeV (before the ramp), keyed by name.

    Names: 'pi+ pi-', 'pi+ pi- pi0', 'pi0 gamma', 'eta gamma', 'K+ K-', 'K0_L K0_S' and the
    multi-hadron groups 'rho_4pi', 'rho_other', 'omega_other', 'phi_kkpi', 'phi_other' (module
    docstring).  ``gv``: quark vector couplings in units of e (default: the photon).
    """
    gv = PHOTON_QUARK_CHARGES if gv is None else gv
    c = vmd_coefficients(gv)
    x = np.asarray(sqrt_s, dtype=float)
    out = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        beta2 = np.clip(1.0 - 4.0 * C.M_PI**2 / np.where(x > 0, x, 1.0) ** 2, 0.0, None)
    mixing = vmd.rho_omega_kappa() * vmd.omega_propagator_ratio(x)
    amp = vmd.isovector_pion_form_factor(x) * (c["rho"] + c["omega"] * mixing)
    out["pi+ pi-"] = np.where(x > 2 * C.M_PI, beta2**1.5 / 4.0 * np.abs(amp) ** 2, 0.0)
    f3 = ("pi+", "pi-", "pi0")
    omega_family = vmd.narrow_amplitude(x, OMEGA, f3) + vmd.excited_amplitude(x, "3pi", _factor(f3))
    a3 = c["omega"] * omega_family - c["phi"] * vmd.narrow_amplitude(x, PHI, f3)
    out["pi+ pi- pi0"] = np.abs(a3) ** 2
    out["pi0 gamma"] = np.abs(c["omega"] * vmd.narrow_amplitude(x, OMEGA, ("pi0", "gamma"))) ** 2
    out["eta gamma"] = np.abs(c["phi"] * vmd.narrow_amplitude(x, PHI, ("eta", "gamma"))) ** 2
    for f, share in ((("K+", "K-"), _KPLUS_SHARE), (("K0_L", "K0_S"), 1.0 - _KPLUS_SHARE)):
        a = vmd.narrow_amplitude(x, PHI, f) + np.sqrt(share) * vmd.excited_amplitude(x, "KK", _factor(f))
        out[" ".join(f)] = np.abs(c["phi"] * a) ** 2
    for group in vmd.MULTI_THRESHOLD:
        out[group] = c[vmd.GROUP_FAMILY[group]] ** 2 * np.abs(vmd.excited_amplitude(x, group)) ** 2
    return {k: np.nan_to_num(np.asarray(v, dtype=float)) for k, v in out.items()}


#: final states of the VMD groups (multi-hadron groups as quark pairs: module docstring)
_FAMILY_QUARKS = {"rho": {("u", "u_bar"): 0.5, ("d", "d_bar"): 0.5}, "omega": {("u", "u_bar"): 0.5, ("d", "d_bar"): 0.5},
                  "phi": {("s", "s_bar"): 1.0}}
_GROUP_STATES = {g: _FAMILY_QUARKS[vmd.GROUP_FAMILY[g]] for g in vmd.MULTI_THRESHOLD}


# ----------------------------------------------------------------------- perturbative part
def ramp(sqrt_s):
    """T(sqrt s): 0 below E_LOW, 1 above E_HIGH, linear in between."""
    x = np.asarray(sqrt_s, dtype=float)
    return np.clip((x - E_LOW) / (E_HIGH - E_LOW), 0.0, 1.0)


def _qcd_factor(sqrt_s):
    """1 + a + (1.9857 - 0.1153 n_f) a^2, a = alpha_s/pi, n_f = number of open quark flavours."""
    x = np.maximum(np.asarray(sqrt_s, dtype=float), qcd.MU_MIN)
    a = np.asarray(qcd.alpha_s(x)) / np.pi
    nf = 3.0 + (x > _THRESHOLD["c"]) + (x > _THRESHOLD["b"]) + (x > _THRESHOLD["t"])
    return 1.0 + a + (1.9857 - 0.1153 * nf) * a**2


def r_pqcd_flavours(sqrt_s, gv: dict, ga: dict | None = None) -> dict:
    """Perturbative R per quark flavour for couplings gv[q], ga[q] given in units of e.

    R_q = N_c [gv^2 beta (3 - beta^2)/2 + ga^2 beta^3] (1 + a + ...), beta of the open-flavour
    threshold (module docstring).  Zero below the threshold.
    """
    x = np.asarray(sqrt_s, dtype=float)
    ga = ga or {}
    corr = None
    out = {}
    for q in QUARK_STATES:
        v, a = gv.get(q, 0.0), ga.get(q, 0.0)
        if v == 0.0 and a == 0.0:
            continue
        if corr is None:
            corr = _qcd_factor(x)
        thr = _THRESHOLD[q]
        with np.errstate(invalid="ignore", divide="ignore"):
            b2 = np.clip(1.0 - thr**2 / np.where(x > 0, x, 1.0) ** 2, 0.0, None)
        beta = np.sqrt(b2)
        r = N_C * (v**2 * beta * (3.0 - b2) / 2.0 + a**2 * beta * b2) * corr
        out[q] = np.where(x > thr, r, 0.0)
    return out


def r_pqcd(sqrt_s):
    """Perturbative-QCD e+e- R (photon couplings) at sqrt(s) >= 1 GeV."""
    return sum(r_pqcd_flavours(sqrt_s, PHOTON_QUARK_CHARGES).values())


# ----------------------------------------------------------------------- combined
def hadronic_r_channels(sqrt_s, gv: dict | None = None, ga: dict | None = None) -> dict:
    """R contributions of every hadronic final state for a vector with quark couplings in units of e.

    ``gv``/``ga`` map quark labels ('u', 'd', 's', 'c', 'b', 't') to vector/axial couplings divided by
    e (default: the photon).  Returns {final-state tuple: R array}; the hadronic width into a final
    state is (alpha m / 3) R.  Exclusive states and the multi-hadron groups (as quark pairs) below
    2 GeV, quark pairs above (module docstring).
    """
    gv = PHOTON_QUARK_CHARGES if gv is None else gv
    x = np.asarray(sqrt_s, dtype=float)
    T = ramp(x)
    out: dict = {}
    low = x < E_HIGH
    if any(vmd_coefficients(gv).values()) and np.any(low):
        xl = np.where(low, x, E_LOW)
        for name, r in vmd_components(xl, gv).items():
            r = np.where(low, r * (1.0 - T), 0.0)
            for f, share in _GROUP_STATES.get(name, {tuple(name.split()): 1.0}).items():
                out[f] = out.get(f, 0.0) + share * r
    high = x > E_LOW
    if np.any(high):
        xh = np.where(high, x, E_HIGH)
        for q, r in r_pqcd_flavours(xh, gv, ga).items():
            f = QUARK_STATES[q]
            out[f] = out.get(f, 0.0) + np.where(high, T * r, 0.0)
    return {f: np.broadcast_to(np.asarray(r, dtype=float), x.shape).copy() for f, r in out.items()}


def r_ratio(sqrt_s):
    """The e+e- R ratio of this model at sqrt(s) (GeV), scalar or array."""
    x = np.asarray(sqrt_s, dtype=float)
    total = sum(hadronic_r_channels(x).values())
    return total if np.ndim(total) else float(total)
