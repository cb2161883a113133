"""Z' limits in the (m_Z', gX) plane from measured rare-scattering yields (nu-e elastic, CEvNS).

Method (docs/rare_limits.md):

* **Yield polynomial.**  A vector mediator of couplings proportional to gX shifts the SM couplings by
  g_nu g_f(q^2) / (m^2 + Q^2) (physics/nu_electron.py, physics/cevns.py): linear in x = gX^2 for any
  gauged charge (the loop kinetic mixing is linear in gX too).  The cross sections are quadratic in
  the couplings, so the expected yield is exactly N(x) = A + B x + C x^2.  :func:`yield_polynomial`
  evaluates the rate at three values of x (x = -h, 0, +h: the neutrino couplings scaled by x, the
  others at unit gX, which keeps the shift linear in x also for negative x) and returns (A, B, C)
  per mass.  Interference sets the sign of B (constructive B > 0).
* **Normalisation.**  The prediction is N_pred(x) = N_SM^ref R(x) with R = N(x)/A: the collaboration's
  own Standard-Model prediction N_SM^ref (COHERENT), or the measured yield itself for experiments
  whose selection efficiency is not published (CHARM-II: the efficiency is calibrated on the data),
  with its relative uncertainty sigma_s as the signal normalisation nuisance parameter (flux,
  quenching, form factor, efficiency: :data:`MEASUREMENTS`).
* **Counting.**  The measurement "N_obs +- sigma" (background subtracted) is turned into a Poisson
  count with a known background b = sigma^2 - N_obs (the background whose statistical subtraction
  gives the quoted error; b >= 0 checked): observed n = N_obs + b.  The upper limit s_up on the
  rare-process yield at confidence level CL is :class:`darkbeam.analysis.statistics.Counting`
  (CLs, signal normalisation integrated over its Gaussian constraint).  The expected limit
  (sensitivity) uses the Asimov count n = b + N_SM^ref.
* **Limit.**  gX is excluded where N_pred(gX^2) > s_up: the largest root x of
  N_SM^ref R(x) = s_up gives gX_lim = sqrt(x) (one root for constructive interference; for destructive
  interference the yield first dips, and the limit is the upper root).  Heavy Z': N depends on
  gX^2/m^2 only, so gX_lim/m is constant; light Z' (m^2 below the smallest momentum transfer of the
  selection): gX_lim is independent of m (tests/test_rare_limits.py).

Charges: the gauged ones of ``zprime_charge`` ('B-L', 'Le-Lmu', ...; loop mixing as
``loop_mixing``), and 'universal': a vector with the same coupling g to every neutrino and quark
(g_nu = g_u = g_d = g; product g^2 as in Cerdeno et al. 1604.01025), for CEvNS comparisons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError

GAUGED_CHARGES = ("Le-Lmu", "Le-Ltau", "Lmu-Ltau", "B-L", "B-3Le", "B-3Lmu", "B-3Ltau")
CHARGES = GAUGED_CHARGES + ("universal",)
PROCESSES = ("cevns", "nu-e", "trident")


@dataclass(frozen=True)
class Measurement:
    """A measured rare-scattering yield used as a constraint.

    ``observed``, ``error``: background-subtracted yield and its total error (events); ``predicted``:
    the reference Standard-Model yield the prediction is normalised to (None: the measurement
    itself, i.e. efficiency calibrated on data); ``sigma_signal``: relative normalisation
    uncertainty of the prediction; ``window``: recoil window in GeV (nu-e only; CEvNS uses the
    detector's threshold and efficiency); ``flavours``: beam components counted (nu-e)."""

    key: str
    process: str
    experiment: str
    observed: float
    error: float
    predicted: Optional[float]
    sigma_signal: float
    description: str
    citation: str
    systematics: str
    window: tuple[float, Optional[float]] = (0.0, None)
    flavours: Optional[tuple[str, ...]] = None
    caveats: tuple[str, ...] = field(default_factory=tuple)
    #: a projection (no data): the SM yield is darkbeam's rate times ``efficiency`` over
    #: ``projected_background`` events, and only the expected limit exists
    projection: bool = False
    efficiency: float = 1.0
    projected_background: float = 0.0
    #: tridents: the dimuon regimes summed (projection), or the catalog measurement of sigma/sigma_SM
    #: (``ratio_search``) compared at one ``energy`` (GeV) on ``target`` (analysis/trident_limits.py)
    regimes: tuple[str, ...] = ("coherent", "diffractive")
    ratio_search: Optional[str] = None
    energy: float = 0.0
    target: str = ""

    @property
    def background(self) -> float:
        """Effective background b = error^2 - observed (statistical subtraction that yields ``error``);
        a projection's assumed background."""
        if self.projection:
            return self.projected_background
        return max(self.error**2 - self.observed, 0.0)

    @property
    def reference(self) -> float:
        """The Standard-Model yield the prediction is normalised to."""
        return self.observed if self.predicted is None else self.predicted


#: measured yields (docs/rare_limits.md, section 2, lists the numbers and their sources)
MEASUREMENTS: dict[str, Measurement] = {
    "coherent_csi_2017": Measurement(
        key="coherent_csi_2017", process="cevns", experiment="csi_2017", observed=134.0, error=22.0,
        predicted=173.0, sigma_signal=48.0 / 173.0,
        description="COHERENT CsI[Na] 2017: 134 +- 22 CEvNS events observed, SM 173 +- 48",
        citation="COHERENT, Science 357, 1123 (2017), arXiv:1708.01294",
        systematics="28 % on the prediction (quenching factor 25 %, flux 10 %, form factor 5 %, efficiency 5 %; "
                    "1708.01294), the quoted 48/173",
        caveats=("the observed number is the fitted CEvNS yield of the time-energy likelihood; a single count "
                 "here (no spectral shape)",)),
    "coherent_csi_2021": Measurement(
        key="coherent_csi_2021", process="cevns", experiment="csi_2021", observed=306.0, error=20.0,
        predicted=341.0, sigma_signal=math.hypot(11.0, 42.0) / 341.0,
        description="COHERENT CsI[Na] full data set: 306 +- 20 observed, SM 341 +- 11 (th) +- 42 (exp)",
        citation="COHERENT, Phys. Rev. Lett. 129, 081801 (2022), arXiv:2110.07730",
        systematics="12.7 % on the prediction: sqrt(11^2 + 42^2)/341 (flux 10 %, quenching, efficiency, form factor)",
        caveats=("darkbeam's csi_2021 detector uses the 2017 quenching and efficiency: the shape R(gX) of the "
                 "rate in the recoil window is approximate",)),
    "coherent_ar_2020": Measurement(
        key="coherent_ar_2020", process="cevns", experiment="ar_2020", observed=159.0, error=43.0,
        predicted=128.0, sigma_signal=17.0 / 128.0,
        description="COHERENT CENNS-10 argon: 159 +- 43 observed, SM 128 +- 17",
        citation="COHERENT, Phys. Rev. Lett. 126, 012002 (2021), arXiv:2003.10630",
        systematics="13 % on the prediction (17/128: flux 10 %, quenching, efficiency)",
        caveats=("flat 50 % efficiency above 20 keVnr in darkbeam's ar_2020 detector",)),
    "charmii_fhc": Measurement(
        key="charmii_fhc", process="nu-e", experiment="charmii_fhc", observed=2677.0, error=82.0,
        predicted=None, sigma_signal=0.05, window=(3.0, 24.0), flavours=("nu_mu", "nu_mu_bar"),
        description="CHARM-II nu_mu e: 2677 +- 82 events (neutrino run)",
        citation="CHARM-II, Vilain et al., Phys. Lett. B 335, 246 (1994)",
        systematics="5 % flux normalisation (assumed; the selection efficiency is calibrated on the measured "
                    "yield, so only the normalisation uncertainty of the beam enters)",
        caveats=("the 3-24 GeV recoil window is quoted from memory (analysis/rare_rates.py CHARMII_WINDOW)",
                 "5 % normalisation is an assumption, not a CHARM-II number")),
    "dune_nd_fhc_nue": Measurement(
        key="dune_nd_fhc_nue", process="nu-e", experiment="dune_nd_fhc", observed=math.nan, error=math.nan,
        predicted=None, sigma_signal=0.05, window=(0.5, None), projection=True, efficiency=1.0,
        description="DUNE ND-LAr nu e -> nu e projection: 1e22 POT (the catalog's reference exposure), "
                    "E_e > 0.5 GeV, efficiency 1, no background, 5 % normalisation",
        citation="projection (assumptions of docs/rare_limits.md section 3); DUNE ND CDR arXiv:2103.13910 for the detector",
        systematics="5 % flux normalisation (assumed)",
        caveats=("idealised: no background (nu_e CC, pi0), unit efficiency, no spectral information; the limit "
                 "is set by the assumed normalisation uncertainty",)),
    "dune_nd_fhc_trident": Measurement(
        key="dune_nd_fhc_trident", process="trident", experiment="dune_nd_fhc", observed=math.nan, error=math.nan,
        predicted=None, sigma_signal=0.05, projection=True, efficiency=1.0,
        description="DUNE ND-LAr dimuon trident projection (nu_mu and nu_mu_bar -> mu+ mu-, coherent + diffractive on "
                    "Ar40): 1e22 POT, efficiency 1, no background, 5 % normalisation",
        citation="projection (docs/rare_limits.md section 7); cf. Ballett et al. arXiv:1902.08579",
        systematics="5 % normalisation (assumed; --normalisation changes it)",
        caveats=("idealised: no background (CC single-pion with pi -> mu misidentification dominates in 1902.08579), "
                 "unit efficiency, single count",)),
    "ccfr_trident": Measurement(
        key="ccfr_trident", process="trident", experiment="ccfr", observed=0.82, error=0.28, predicted=1.0,
        sigma_signal=0.0, ratio_search="ccfr_trident", energy=160.0, target="Fe56", regimes=("coherent",),
        description="CCFR nu_mu N -> nu_mu mu+ mu- N: sigma/sigma_SM = 0.82 +- 0.28",
        citation="CCFR, Mishra et al., Phys. Rev. Lett. 66, 3117 (1991); as used by Altmannshofer et al. arXiv:1406.2332",
        systematics="the quoted Gaussian error (the limit is on the ratio: value + z_cl error)",
        caveats=("the ratio is evaluated at the CCFR mean energy 160 GeV on Fe56 (coherent) instead of averaged over "
                 "the CCFR flux (not in the catalog)",)),
    "charmii_rhc": Measurement(
        key="charmii_rhc", process="nu-e", experiment="charmii_rhc", observed=2752.0, error=88.0,
        predicted=None, sigma_signal=0.05, window=(3.0, 24.0), flavours=("nu_mu", "nu_mu_bar"),
        description="CHARM-II nu_mu_bar e: 2752 +- 88 events (antineutrino run)",
        citation="CHARM-II, Vilain et al., Phys. Lett. B 335, 246 (1994)",
        systematics="5 % flux normalisation (assumed), efficiency calibrated on the measured yield",
        caveats=("the 3-24 GeV recoil window is quoted from memory", "5 % normalisation is an assumption")),
}


_SUFFIX = {"nu-e": "_nue", "trident": "_trident", "cevns": "_cevns"}


def measurement(key: str, process: Optional[str] = None) -> Measurement:
    """A measurement of :data:`MEASUREMENTS` by key (an experiment key plus the process suffix, e.g.
    'dune_nd_fhc' with process 'trident' -> 'dune_nd_fhc_trident'); one ConfigurationError line otherwise."""
    k = key.lower().replace("-", "_")
    if k not in MEASUREMENTS and process in _SUFFIX and k + _SUFFIX[process] in MEASUREMENTS:
        k = k + _SUFFIX[process]
    if k not in MEASUREMENTS:
        raise ConfigurationError(f"unknown experiment '{key}' for a rare-scattering plane "
                                 f"(choose from {', '.join(MEASUREMENTS)})")
    return MEASUREMENTS[k]


# ------------------------------------------------------------------ the mediator
def unit_mediator(charge: str, mass: float, *, loop_mixing: bool = True, sw2: float = C.SW2_LOW_Q2):
    """The Z' of ``charge`` with gX = 1 (a :class:`VectorMediator`); 'universal': g_nu = g_u = g_d = 1."""
    from darkbeam.models.zprime_charges import VectorMediator

    if not (math.isfinite(mass) and mass > 0):
        raise ConfigurationError(f"Z' mass {mass} GeV must be positive and finite")
    if charge == "universal":
        return VectorMediator(mass=float(mass), g_nu=(1.0, 1.0, 1.0), g_u=1.0, g_d=1.0, label="universal vector")
    if charge not in GAUGED_CHARGES:
        raise ConfigurationError(f"unknown charge '{charge}' (choose from {', '.join(CHARGES)})")
    from darkbeam.models.parameters import ModelParameters
    from darkbeam.models.zprime_charges import zprime_mediator

    params = ModelParameters.from_dict({"name": f"zprime_{charge}", "mzprime": float(mass), "zprime_charge": charge,
                                        "gX": 1.0, "loop_mixing": bool(loop_mixing)})
    return zprime_mediator(params, sw2)


def _scaled(med, x: float):
    """The mediator with its neutrino couplings times x (shift of the SM couplings linear in x)."""
    return replace(med, g_nu=tuple(x * g for g in med.g_nu))


def _rate(meas: Measurement, mediator, sw2: float) -> float:
    from darkbeam.analysis.rare_rates import cevns_events, nu_e_events

    if meas.process == "cevns":
        return cevns_events(meas.experiment, mediator=mediator, sw2=sw2)["total"]
    lo, hi = meas.window
    return nu_e_events(meas.experiment, mediator=mediator, sw2=sw2, t_min=lo, t_max=hi, flavours=meas.flavours)["total"]


def _step(meas: Measurement, mass: float) -> float:
    """x step with a shift of the SM couplings of order 0.1 (any value works: N is a polynomial)."""
    q2 = 1e-3 if meas.process == "cevns" else 2.0 * C.M_E * max(meas.window[0], 1.0)
    return 0.1 * 2.0 * math.sqrt(2.0) * C.G_F * (mass**2 + q2)


def yield_polynomial(meas: Measurement, charge: str, masses, *, loop_mixing: bool = True,
                     sw2: float = C.SW2_LOW_Q2, exact: bool = False) -> np.ndarray:
    """(A, B, C) per mass (shape (len(masses), 3)): expected yield N = A + B gX^2 + C gX^4 with unit
    efficiency normalisation (darkbeam's own rate, before scaling to the reference prediction).

    CEvNS uses :func:`cevns_yield_polynomial` (one flux fold per plane) unless ``exact``: then, as for
    nu-e, the full rate of :mod:`darkbeam.analysis.rare_rates` three times per mass."""
    masses = np.atleast_1d(np.asarray(masses, dtype=float))
    if meas.process == "trident":
        from darkbeam.analysis.trident_limits import trident_ratio_polynomial, trident_yield_polynomial

        if meas.ratio_search is not None:
            return trident_ratio_polynomial(charge, masses, energy=meas.energy, target=meas.target, regime=meas.regimes[0])
        return trident_yield_polynomial(meas.experiment, charge, masses, regimes=meas.regimes)
    if meas.process == "cevns" and not exact:
        return cevns_yield_polynomial(meas.experiment, charge, masses, loop_mixing=loop_mixing, sw2=sw2)
    out = np.empty((masses.size, 3))
    a = _rate(meas, None, sw2)
    for i, m in enumerate(masses):
        med = unit_mediator(charge, float(m), loop_mixing=loop_mixing, sw2=sw2)
        h = _step(meas, float(m))
        plus, minus = _rate(meas, _scaled(med, h), sw2), _rate(meas, _scaled(med, -h), sw2)
        out[i] = (a, (plus - minus) / (2.0 * h), (plus + minus - 2.0 * a) / (2.0 * h * h))
    return out


def _log_nodes(breaks, n_per_segment: int = 24, n_nodes: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre nodes and weights in ln T over the segments between ``breaks``."""
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    u = (np.arange(n_per_segment)[:, None] + 0.5 * (x[None, :] + 1.0)).ravel() / n_per_segment
    wu = np.tile(w / (2.0 * n_per_segment), n_per_segment)
    T, W = [], []
    for lo, hi in zip(breaks[:-1], breaks[1:]):
        a, b = math.log(lo), math.log(hi)
        t = np.exp(a + (b - a) * u)
        T.append(t)
        W.append((b - a) * wu * t)
    return np.concatenate(T), np.concatenate(W)


def cevns_yield_polynomial(detector: str, charge: str, masses, *, loop_mixing: bool = True,
                           sw2: float = C.SW2_LOW_Q2) -> np.ndarray:
    """(A, B, C) of the CEvNS yield at a pi-DAR detector, one flux fold for all masses.

    The CEvNS rate (physics/cevns.py) is dsigma/dT = (G_F^2 M/pi) Q_V(T)^2 k(E, T) with the kinematic
    factor k: the flux fold gives, per flavour, the kernel K(T) = int dE phi(E) (G_F^2 M/pi) k(E, T),
    computed as the recoil spectrum (``rare_rates.recoil_spectrum``) of ``CEvNSXsec`` without form factor
    divided by its constant Q_V^2.  With Q_V = Q_0(T) + x Delta(T) (``vector_charge`` of the SM and of the
    unit-coupling mediator, form factors included), the yield above the threshold, times the efficiency,
    is A + B x + C x^2 with A = int K Q_0^2, B = int 2 K Q_0 Delta, C = int K Delta^2.  The recoil integral
    is Gauss-Legendre in ln T between the threshold, the endpoints T_max of the flux lines and of the
    spectrum.  Agrees with the full rate (``exact=True``) to 1e-4 (tests)."""
    from darkbeam.analysis.rare_rates import recoil_spectrum
    from darkbeam.detectors.cevns_detectors import cevns_detector
    from darkbeam.physics.cevns import CEvNSXsec
    from darkbeam.sources.dar import dar_config

    masses = np.atleast_1d(np.asarray(masses, dtype=float))
    meds = [unit_mediator(charge, float(m), loop_mixing=loop_mixing, sw2=sw2) for m in masses]
    det = cevns_detector(detector)
    fl = dar_config("coherent").flux("pi", distance_m=det.distance_m, stopped_per_pot=det.nu_per_flavour_per_pot)
    t_thr = det.threshold_keVnr * 1e-6
    line_e = sorted({e for f in fl.flavours for e, _ in fl.lines.get(f, ())})
    e_max = max([float(np.max(fl.energies))] + line_e)
    out = np.zeros((masses.size, 3))
    for nuc, n in det.n_nuclei().items():
        bare = CEvNSXsec(nuc, sw2=sw2, form_factor="none")
        t_top = float(bare.t_max(e_max))
        if t_top <= t_thr:
            continue
        breaks = sorted({t_thr, t_top} | {float(bare.t_max(e)) for e in line_e if t_thr < bare.t_max(e) < t_top})
        T, W = _log_nodes(np.array(breaks))
        W = W * det.efficiency_gev(T) * n * det.pot
        Q2 = 2.0 * bare.mass * T
        q_bare = float(bare.vector_charge(0.0))
        for f in fl.flavours:
            K = recoil_spectrum(fl, T, lambda f_, nuc=nuc: CEvNSXsec(nuc, f_, sw2=sw2, form_factor="none"), [f]) / q_bare**2
            q0 = CEvNSXsec(nuc, f, sw2=sw2).vector_charge(Q2)
            kw = K * W
            a = float(np.sum(kw * q0 * q0))
            for i, med in enumerate(meds):
                d = CEvNSXsec(nuc, f, mediator=med, sw2=sw2).vector_charge(Q2) - q0
                out[i] += (a, float(np.sum(kw * 2.0 * q0 * d)), float(np.sum(kw * d * d)))
    return out


# ------------------------------------------------------------------ statistics
def yield_upper_limit(meas: Measurement, cl: float = 0.9, *, expected: bool = False, method: str = "cls") -> float:
    """Upper limit on the rare-process yield (events) at ``cl``: :class:`Counting` with the effective
    background of the measurement and its signal normalisation uncertainty (module docstring).  A measured
    ratio sigma/sigma_SM (``ratio_search``): the largest allowed ratio, :func:`ratio_upper_limit` (expected:
    1 + z_cl error)."""
    from darkbeam.analysis.statistics import Counting

    if meas.ratio_search is not None:
        up = ratio_upper_limit(meas.ratio_search, cl)
        return up - meas.observed + 1.0 if expected else up

    b = meas.background
    n = b + (meas.reference if expected else meas.observed)
    return Counting(background=b, observed=n, sigma_signal=meas.sigma_signal).upper_limit(cl, method=method)


def solve_limit(poly: np.ndarray, reference: float, s_up: float) -> np.ndarray:
    """gX at which reference * N(gX^2)/A reaches s_up (largest root; NaN if the SM itself is excluded
    and no root exists, inf if the yield never reaches s_up)."""
    poly = np.atleast_2d(poly)
    A, B, Cq = poly[:, 0], poly[:, 1], poly[:, 2]
    b, c, r = B / A, Cq / A, s_up / reference - 1.0  # solve c x^2 + b x - r = 0, x = gX^2 >= 0
    out = np.full(A.shape, np.nan)
    for i in range(A.size):
        roots = np.roots([c[i], b[i], -r]) if c[i] != 0 else (np.array([r / b[i]]) if b[i] != 0 else np.array([]))
        roots = np.real(roots[np.abs(np.imag(roots)) <= 1e-12 * np.maximum(np.abs(roots), 1e-300)])
        roots = roots[roots > 0]
        if roots.size:
            out[i] = math.sqrt(float(roots.max()))
        elif r > 0:
            out[i] = math.inf
    return out


@dataclass(frozen=True)
class PlaneLimit:
    """A limit curve gX(m_Z') with what it was made from."""

    measurement: Measurement
    charge: str
    masses: np.ndarray
    limit: np.ndarray
    s_up: float
    cl: float
    expected: bool
    poly: np.ndarray

    def ratio(self, couplings) -> np.ndarray:
        """Predicted yield / s_up on the grid (masses x couplings) (>= 1: excluded), for contours and plots."""
        g2 = np.asarray(couplings, dtype=float)[None, :] ** 2
        A, B, Cq = (self.poly[:, k : k + 1] for k in range(3))
        return self.measurement.reference * (1.0 + (B / A) * g2 + (Cq / A) * g2**2) / self.s_up

    def to_dict(self) -> dict:
        return {"process": self.measurement.process, "experiment": self.measurement.key, "charge": self.charge,
                "cl": self.cl, "expected": self.expected, "yield_upper_limit": self.s_up,
                "reference_yield": self.measurement.reference,
                "quantity": "sigma/sigma_SM" if self.measurement.ratio_search else "events",
                "normalisation_uncertainty": self.measurement.sigma_signal,
                "background": self.measurement.background,
                "masses_GeV": [float(m) for m in self.masses],
                "limit_gX": [None if not math.isfinite(v) else float(v) for v in self.limit],
                "caveats": list(self.measurement.caveats)}


def plane_limit(experiment: str, charge: str, masses, *, cl: float = 0.9, expected: bool = False,
                loop_mixing: bool = True, sw2: float = C.SW2_LOW_Q2, process: Optional[str] = None,
                normalisation: Optional[float] = None, background: Optional[float] = None) -> PlaneLimit:
    """The 90 % CL (``cl``) limit gX(m_Z') of ``charge`` from the measurement ``experiment``
    (:data:`MEASUREMENTS`); ``expected``: the sensitivity (Asimov data at the SM).  ``normalisation``:
    replaces the relative normalisation uncertainty of the prediction; ``background``: the assumed
    background events of a projection."""
    meas = measurement(experiment, process)
    if normalisation is not None:
        if not (math.isfinite(normalisation) and 0.0 <= normalisation < 1.0):
            raise ConfigurationError(f"normalisation uncertainty must lie in [0, 1), got {normalisation}")
        if meas.ratio_search is not None:
            raise ConfigurationError(f"'{meas.key}' is a measured ratio with its own error: no --normalisation")
        meas = replace(meas, sigma_signal=float(normalisation))
    if background is not None:
        if not (math.isfinite(background) and background >= 0.0):
            raise ConfigurationError(f"background must be a non-negative number of events, got {background}")
        if not meas.projection:
            raise ConfigurationError(f"'{meas.key}' is a measurement: its background is fixed by the data (no --background)")
        meas = replace(meas, projected_background=float(background))
    if process is not None and process != meas.process:
        raise ConfigurationError(f"experiment '{meas.key}' measures {meas.process}, not {process}")
    if charge not in CHARGES:
        raise ConfigurationError(f"unknown charge '{charge}' (choose from {', '.join(CHARGES)})")
    masses = np.atleast_1d(np.asarray(masses, dtype=float))
    if masses.size == 0 or not np.all(np.isfinite(masses)) or np.any(masses <= 0):
        raise ConfigurationError("Z' masses must be positive, finite numbers (GeV)")
    poly = yield_polynomial(meas, charge, masses, loop_mixing=loop_mixing, sw2=sw2)
    if np.all(poly[:, 1:] == 0.0):
        raise ConfigurationError(f"a '{charge}' Z' does not change the {meas.process} yield of {meas.key} "
                                 "(no coupling to its targets): no limit")
    if meas.projection:  # the SM yield is darkbeam's own: the expected limit only
        meas = replace(meas, predicted=meas.efficiency * float(poly[0, 0]))
        expected = True
    s_up = yield_upper_limit(meas, cl, expected=expected)
    return PlaneLimit(meas, charge, masses, solve_limit(poly, meas.reference, s_up), s_up, cl, expected, poly)


# ------------------------------------------------------------------ published curves to compare with
#: (experiment, charge) -> (curve file in analysis/searches/curves/, label); docs/rare_limits.md
REFERENCE_CURVES: dict[tuple[str, str], tuple[str, str]] = {
    ("coherent_csi_2017", "universal"): ("coherent_csi_2017_universal_kavanagh.csv",
                                         "Kavanagh CEvNS.py, COHERENT 2017 total-count fit"),
    ("charmii_rhc", "B-L"): ("charmii_nue_bl_bauer.csv", "Bauer et al. 1803.05466 (CHARM-II, DarkCast)"),
    ("charmii_fhc", "B-L"): ("charmii_nue_bl_bauer.csv", "Bauer et al. 1803.05466 (CHARM-II, DarkCast)"),
    ("charmii_fhc", "Le-Lmu"): ("charmii_nue_lelmu_darkcast.csv", "Bauer et al. recast to Le-Lmu by DarkCast"),
    ("ccfr_trident", "Lmu-Ltau"): ("ccfr_trident_lmultau_1902_08579.csv",
                                   "CCFR 95% CL (1406.2332) as drawn in 1902.08579"),
    ("dune_nd_fhc_trident", "Lmu-Ltau"): ("dune_nd_trident_lmultau_1902_08579.csv",
                                          "Ballett et al. 1902.08579, DUNE ND mu mu tridents, 90% CL"),
}


def reference_curve(experiment: str, charge: str) -> Optional[tuple[str, np.ndarray, np.ndarray]]:
    """(label, masses in GeV, gX) of the published curve for this plane, or None."""
    from importlib import resources

    from darkbeam.analysis.contours import read_curve

    entry = REFERENCE_CURVES.get((measurement(experiment).key, charge))
    if entry is None:
        return None
    with resources.as_file(resources.files("darkbeam.analysis.searches").joinpath("curves", entry[0])) as path:
        m, g = read_curve(path)
    return entry[1], m, g


# ------------------------------------------------------------------ measured ratios (searches catalog)
def ratio_upper_limit(search: str, cl: float = 0.9) -> float:
    """Largest allowed sigma/sigma_SM of a catalog measurement (kind 'measurement', e.g. 'ccfr_trident',
    'charmii_trident') at one-sided ``cl``: value + z_cl error (Gaussian, z_0.9 = 1.2816).  A model
    predicting sigma/sigma_SM above it is excluded (Altmannshofer et al. 1406.2332 combine CCFR this way)."""
    from scipy import stats

    from darkbeam.analysis.searches import load_search

    if not 0.0 < cl < 1.0:
        raise ConfigurationError(f"confidence level must lie strictly between 0 and 1, got {cl}")
    m = load_search(search).spec.measurement
    if m is None or m.quantity != "sigma/sigma_SM":
        raise ConfigurationError(f"'{search}' is not a measurement of sigma/sigma_SM in the searches catalog")
    return float(m.value + stats.norm.ppf(cl) * m.error)
