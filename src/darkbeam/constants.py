"""Physical constants, in GeV (masses, energies) unless stated.

Source: Particle Data Group, R.L. Workman et al. (2024 edition: S. Navas et al., Phys. Rev. D 110,
030001 (2024)), "Physical constants" and the summary tables.  The values are written out here, not
read at run time, so that results do not drift with the version of the ``particle`` package; a test
compares them with ``particle``'s tables (tests/test_constants.py).

Weak mixing angle: three schemes are provided, because codes differ (../shared/PHYSICS.md):

* ``SW2_MSBAR_MZ`` = 0.23129, MSbar at mu = M_Z (PDG 2024, "Electroweak model" review, eq. 10.15).
  This is darkbeam's default ``SW2`` for HNL decays via mixing, following Bondarenko et al.
  1805.08567, which quote sin^2 theta_W = 0.2312 (effective couplings at the weak scale).
* ``SW2_ON_SHELL`` = 1 - M_W^2/M_Z^2 = 0.22321 (PDG 2024 masses); DarkNews uses 0.22343.
* ``SW2_LOW_Q2`` = 0.23857, the running MSbar value at Q^2 -> 0 (PDG 2024 eq. 10.21), the right
  choice for CEvNS and neutrino-electron scattering at low momentum transfer.

Functions that depend on the scheme take ``sw2`` as a keyword so that a caller can choose.
"""

from __future__ import annotations

import math

# ---------------------------------------------------------------- electroweak
#: Fermi constant, GeV^-2 (PDG 2024)
G_F = 1.1663788e-5
#: fine-structure constant at Q^2 = 0 (PDG 2024 / CODATA 2018)
ALPHA_EM = 1.0 / 137.035999084
#: positron charge in natural units, e = sqrt(4 pi alpha)
E_CHARGE = math.sqrt(4.0 * math.pi * ALPHA_EM)
#: Z and W masses, GeV (PDG 2024 averages)
M_Z = 91.1880
M_W = 80.3692
#: Z and W total widths, GeV (PDG 2024)
GAMMA_Z = 2.4955
GAMMA_W = 2.085
#: Higgs mass, GeV (PDG 2024)
M_H = 125.20
#: Higgs vacuum expectation value v = (sqrt(2) G_F)^(-1/2) = 246.22 GeV
VEV = 1.0 / math.sqrt(math.sqrt(2.0) * G_F)

SW2_MSBAR_MZ = 0.23129
SW2_ON_SHELL = 1.0 - (M_W / M_Z) ** 2
SW2_LOW_Q2 = 0.23857
SW2_DARKNEWS = 0.22343
#: default scheme (see module docstring)
SW2 = SW2_MSBAR_MZ
#: SU(2) coupling from G_F and M_W: g^2 = 8 M_W^2 G_F / sqrt(2)
G_WEAK = math.sqrt(8.0 * M_W**2 * G_F / math.sqrt(2.0))

#: strong coupling at M_Z (PDG 2024 world average)
ALPHA_S_MZ = 0.1180

# ---------------------------------------------------------------- leptons (GeV)
M_E = 0.51099895000e-3
M_MU = 0.1056583755
M_TAU = 1.77693
#: charged-lepton masses by flavour label
M_LEPTON = {"e": M_E, "mu": M_MU, "tau": M_TAU}
#: flavour labels, in order
FLAVOURS = ("e", "mu", "tau")

# ---------------------------------------------------------------- quarks (GeV), PDG 2024 MSbar
M_U = 2.16e-3
M_D = 4.70e-3
M_S = 93.5e-3
M_C = 1.2730
M_B = 4.183
M_T = 172.57

# ---------------------------------------------------------------- hadrons (GeV), PDG 2024
M_PROTON = 0.93827208816
M_NEUTRON = 0.93956542052
M_NUCLEON = 0.5 * (M_PROTON + M_NEUTRON)
#: atomic mass unit, GeV (CODATA 2018)
M_AMU = 0.93149410242

M_PI = 0.13957039
M_PI0 = 0.1349768
M_K = 0.493677
M_K0 = 0.497611
M_ETA = 0.547862
M_ETAP = 0.95778
M_RHO = 0.77526
M_RHO_CHARGED = 0.77511
M_OMEGA = 0.78266
M_PHI = 1.019461
M_KSTAR = 0.89167
M_D_MESON = 1.86966
M_D0 = 1.86484
M_B_PLUS = 5.27934
M_B0 = 5.27966
M_DS = 1.96835
M_DSTAR = 2.01026
M_DSSTAR = 2.1122
M_ETAC = 2.9841
M_JPSI = 3.096900

# ---------------------------------------------------------------- CKM (PDG 2024, magnitudes)
V_UD = 0.97373
V_US = 0.2243
V_UB = 3.82e-3
V_CD = 0.221
V_CS = 0.975
V_CB = 40.8e-3

# ---------------------------------------------------------------- PDG Monte Carlo codes
PDG = {
    "e-": 11, "e+": -11, "nu_e": 12, "nu_e_bar": -12,
    "mu-": 13, "mu+": -13, "nu_mu": 14, "nu_mu_bar": -14,
    "tau-": 15, "tau+": -15, "nu_tau": 16, "nu_tau_bar": -16,
    "g": 21, "gamma": 22, "Z0": 23, "W+": 24, "W-": -24, "h0": 25,
    "pi0": 111, "pi+": 211, "pi-": -211, "eta": 221, "eta'": 331,
    "rho0": 113, "rho+": 213, "rho-": -213, "omega": 223, "phi": 333,
    "K+": 321, "K-": -321, "K0": 311, "K0_L": 130, "K0_S": 310, "K*+": 323, "K*-": -323,
    "D+": 411, "D-": -411, "D0": 421, "B+": 521, "B-": -521, "B0": 511, "D_s+": 431, "D_s-": -431, "D*+": 413, "D*-": -413,
    "D_s*+": 433, "D_s*-": -433, "eta_c": 441, "J/psi": 443,
    "p": 2212, "n": 2112,
    # New particles have no official code.  darkbeam uses the codes DarkNews writes (59 + spin code
    # + generation), so that files from both codes can be read by the same analysis:
    # 5914, 5915, 5916 for N4, N5, N6; 5921 for the Z'; 5901 for the h'; 5903 for the ALP (DarkNews's
    # 'alp'); dark matter, which DarkNews lacks, in the same scheme: 5917 (Dirac chi), 5904 (scalar
    # chi_s) (docs/pdg_codes.md).
    "N4": 5914, "N5": 5915, "N6": 5916, "zprime": 5921, "hprime": 5901, "alp": 5903, "chi": 5917, "chi_s": 5904,
}
#: PDG codes of the charged leptons l- and neutrinos by flavour
PDG_LEPTON = {"e": 11, "mu": 13, "tau": 15}
PDG_NU = {"e": 12, "mu": 14, "tau": 16}
