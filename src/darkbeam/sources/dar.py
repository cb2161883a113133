"""Decay-at-rest neutrino sources: pi+ DAR, mu+ DAR, K+ DAR.

Spectra are exact at tree level (darkbeam.sources.spectra) and normalised *per stopped parent*;
a source configuration multiplies by the number of stopped parents per proton on target and by
1/(4 pi L^2) (isotropic emission, L in cm) to give nu/cm^2/GeV/POT.

Per stopped pi+ (chain pi+ -> mu+ nu_mu, mu+ -> e+ nu_e nu_mu_bar, every mu+ decays):
    nu_mu line at 29.79 MeV, yield BR(pi -> mu nu) = 1 - 1.230e-4;
    nu_e  line at 69.79 MeV, yield BR(pi -> e nu) = 1.230e-4 (PDG 2024);
    nu_e and nu_mu_bar Michel spectra, yield BR(pi -> mu nu) each.
Per stopped mu+: nu_e and nu_mu_bar Michel spectra, one each.
Per stopped K+ (PDG 2024 branching ratios, darkbeam.sources.spectra.BR_K):
    nu_mu line at 235.53 MeV (K_mu2, 63.56 %), nu_mu K_mu3 spectrum (3.352 %), nu_e K_e3 spectrum
    (5.07 %); with ``secondaries=True`` (default) also the pi+ (0.3360 per K+: pi+ pi0, 2x in
    pi+ pi+ pi-, pi+ pi0 pi0) and the mu+ (K_mu2 + K_mu3 + from those pi+) that stop and decay at
    rest in a thick absorber.  The pi- of pi+ pi+ pi- is captured by a nucleus and gives no nu.

Timing (:class:`ProtonPulse`, :func:`production_times`): a neutrino is made at the proton's arrival
on the target (a pulse of the source's time profile, centred at t = 0) plus the mean lives of the
decays in its chain, each exponential: the pi+ (26.033 ns, PDG 2024) for the prompt nu_mu line and
the pi -> e nu line, the pi+ then the mu+ (2196.98 ns) for the delayed Michel nu_e and nu_mu_bar
(:func:`pion_dar_chain`).  A Gaussian pulse of FWHM w gives, for the chain of mean lives tau_i, the
mean sum(tau_i) and the variance (w / 2.3548)^2 + sum(tau_i^2) (docs/rare_scattering.md, section 8b).

Contamination from pi- and mu- decays at rest (suppressed by nuclear capture to ~1e-3, see
JSNS2 proposal arXiv:1310.1437) and from decays in flight is not included.

Configurations (stopped parents per POT, distance):
    coherent  : SNS, ~1 GeV protons on Hg, CsI detector at 19.3 m, 0.08 nu per flavour per POT
                (COHERENT, Science 357 (2017) 1123, arXiv:1708.01294) -> 0.08 stopped pi+ / POT.
    jsns2     : J-PARC MLF, 3 GeV protons on Hg, detector at 24 m (JSNS2 TDR arXiv:1705.08629);
                mu+ DAR per POT = Phi(nu_e) 4 pi L^2 = 0.49 from the measured nu_e flux
                (6.7 +- 1.6 +- 1.7) 1e-9 /cm^2/POT (JSNS2, arXiv:2412.18509); pi+ DAR taken equal.
    microboone_numi_absorber : K+ DAR in the NuMI hadron absorber seen by MicroBooNE at ~100 m
                (Kelly & Machado arXiv:2106.06548).  No published stopped-K+ per POT is encoded:
                pass ``stopped_per_pot`` explicitly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Optional

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.physics.production.parents import LIFETIME_S
from darkbeam.sources import spectra as S
from darkbeam.sources.flux import Flux

CM_PER_M = 100.0

#: pi+ per stopped K+ that themselves stop and decay (pi+ pi0; 2 x pi+ pi+ pi-; pi+ pi0 pi0)
PI_PER_K = S.BR_K["pi+ pi0"] + 2.0 * S.BR_K["pi+ pi+ pi-"] + S.BR_K["pi+ pi0 pi0"]


@dataclass(frozen=True)
class RestSpectrum:
    """Neutrinos per stopped parent: continuous parts (callables of E in GeV -> 1/GeV) and lines."""

    continuum: Mapping[str, list] = field(default_factory=dict)  # flavour -> [(yield, callable, E_max)]
    lines: Mapping[str, list] = field(default_factory=dict)  # flavour -> [(E, yield)]

    def yield_of(self, flavour: str) -> float:
        """Neutrinos of ``flavour`` per stopped parent (continuum + lines)."""
        return sum(y for y, _, _ in self.continuum.get(flavour, [])) + sum(y for _, y in self.lines.get(flavour, []))

    def density(self, energy, flavour: str) -> np.ndarray:
        """Continuous dN/dE (1/GeV per stopped parent) at ``energy`` (GeV)."""
        e = np.asarray(energy, dtype=np.float64)
        out = np.zeros_like(e)
        for y, f, _ in self.continuum.get(flavour, []):
            out = out + y * f(e)
        return out

    def endpoints(self) -> list[float]:
        return sorted({emax for parts in self.continuum.values() for _, _, emax in parts})


def _michel(neutrino: str):
    return lambda e: S.muon_decay_spectrum(e, neutrino)


def _kl3(mode: str):
    return lambda e: S.kl3_spectrum(e, mode)


def pion_dar_spectrum() -> RestSpectrum:
    """Neutrinos per stopped pi+ (pi+ -> mu+ nu_mu then mu+ DAR; pi+ -> e+ nu_e)."""
    emu = S.muon_endpoint()
    return RestSpectrum(
        continuum={"nu_e": [(S.BR_PI_MUNU, _michel("nu_e"), emu)], "nu_mu_bar": [(S.BR_PI_MUNU, _michel("nu_mu_bar"), emu)]},
        lines={"nu_mu": [(S.E_PI_MUNU, S.BR_PI_MUNU)], "nu_e": [(S.E_PI_ENU, S.BR_PI_ENU)]},
    )


def muon_dar_spectrum() -> RestSpectrum:
    """Neutrinos per stopped mu+ (mu+ -> e+ nu_e nu_mu_bar)."""
    emu = S.muon_endpoint()
    return RestSpectrum(continuum={"nu_e": [(1.0, _michel("nu_e"), emu)], "nu_mu_bar": [(1.0, _michel("nu_mu_bar"), emu)]})


def kaon_dar_spectrum(*, secondaries: bool = True) -> RestSpectrum:
    """Neutrinos per stopped K+; with ``secondaries`` also the pi+ and mu+ that stop and decay."""
    cont: dict[str, list] = {
        "nu_mu": [(S.BR_K["pi0 mu nu"], _kl3("K+mu3"), S.kl3_endpoint("K+mu3"))],
        "nu_e": [(S.BR_K["pi0 e nu"], _kl3("K+e3"), S.kl3_endpoint("K+e3"))],
    }
    lines: dict[str, list] = {"nu_mu": [(S.E_K_MUNU, S.BR_K["mu nu"])]}
    if secondaries:
        n_mu = S.BR_K["mu nu"] + S.BR_K["pi0 mu nu"] + PI_PER_K * S.BR_PI_MUNU
        emu = S.muon_endpoint()
        cont["nu_e"].append((n_mu, _michel("nu_e"), emu))
        cont["nu_mu_bar"] = [(n_mu, _michel("nu_mu_bar"), emu)]
        lines["nu_mu"].append((S.E_PI_MUNU, PI_PER_K * S.BR_PI_MUNU))
        lines["nu_e"] = [(S.E_PI_ENU, PI_PER_K * S.BR_PI_ENU)]
    return RestSpectrum(continuum=cont, lines=lines)


_SPECTRA = {"pi": pion_dar_spectrum, "mu": lambda: muon_dar_spectrum(), "k": kaon_dar_spectrum}
_ALIAS = {"pi": "pi", "pion": "pi", "pi+": "pi", "pi-dar": "pi", "mu": "mu", "muon": "mu", "mu+": "mu",
          "mu-dar": "mu", "k": "k", "k+": "k", "kaon": "k", "k-dar": "k"}


def rest_spectrum(parent: str, **kw) -> RestSpectrum:
    """Per-stopped-parent neutrinos for 'pi' ('pi-dar'), 'mu' ('mu-dar') or 'k' ('k-dar')."""
    key = _ALIAS.get(parent.lower())
    if key is None:
        raise ConfigurationError(f"unknown decay-at-rest source '{parent}' (pi-dar, mu-dar or k-dar)")
    return kaon_dar_spectrum(**kw) if key == "k" else _SPECTRA[key]()


def _grid(endpoints: list[float], n: int) -> np.ndarray:
    """Nodes on [0, max endpoint], denser near zero and at each endpoint, with a drop-to-zero node."""
    top = max(endpoints)
    base = top * 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, n)))
    extra = []
    for e in endpoints:
        extra.extend(e * (1.0 - np.geomspace(1e-6, 0.05, 40)))
        extra.extend([e, e * (1.0 + 1e-9)])
    return np.unique(np.concatenate((base, extra)))


def dar_flux(parent: str, distance_m: float, stopped_per_pot: float, *, n_nodes: int = 600,
             secondaries: bool = True, description: str = "", provenance: str | None = None) -> Flux:
    """Decay-at-rest flux (nu/cm^2/GeV/POT, lines in nu/cm^2/POT) at ``distance_m`` metres.

    ``stopped_per_pot``: parents (pi+, mu+ or K+) that stop and decay per proton on target.
    """
    if not (math.isfinite(distance_m) and distance_m > 0):
        raise ConfigurationError(f"distance must be positive, got {distance_m} m")
    if not (math.isfinite(stopped_per_pot) and stopped_per_pot >= 0):
        raise ConfigurationError(f"stopped parents per POT must be >= 0, got {stopped_per_pot}")
    kw = {"secondaries": secondaries} if _ALIAS.get(parent.lower()) == "k" else {}
    spec = rest_spectrum(parent, **kw)
    norm = stopped_per_pot / (4.0 * math.pi * (distance_m * CM_PER_M) ** 2)
    nodes = _grid(spec.endpoints(), n_nodes)
    vals = {fl: norm * spec.density(nodes, fl) for fl in spec.continuum}
    lines = {fl: [(e, norm * y) for e, y in ls] for fl, ls in spec.lines.items()}
    key = _ALIAS[parent.lower()]
    prov = provenance or (f"decay at rest ({key}), exact tree-level spectra, {stopped_per_pot:g} stopped {_PARENT[key]} "
                          f"per POT, isotropic at {distance_m:g} m")
    return Flux(nodes, vals, lines=lines, provenance=prov, description=description or f"{key}-DAR at {distance_m:g} m",
                meta={"source": "dar", "parent": key, "distance_m": float(distance_m),
                      "stopped_per_pot": float(stopped_per_pot)})


_PARENT = {"pi": "pi+", "mu": "mu+", "k": "K+"}

#: mean lives (ns) of the parents that decay at rest (PDG 2024, :data:`LIFETIME_S`)
TAU_NS = {"pi+": LIFETIME_S["pi+"] * 1e9, "mu+": LIFETIME_S["mu+"] * 1e9, "K+": LIFETIME_S["K+"] * 1e9}
#: FWHM of a Gaussian in units of its sigma, 2 sqrt(2 ln 2)
FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))


@dataclass(frozen=True)
class ProtonPulse:
    """Proton pulses on the target: ``rate_hz`` pulses per second, each with a Gaussian time profile
    of full width at half maximum ``fwhm_ns``, centred at t = 0 (the time origin of the events)."""

    rate_hz: float
    fwhm_ns: float
    citation: str = ""
    caveat: str = ""

    def __post_init__(self):
        for k in ("rate_hz", "fwhm_ns"):
            v = float(getattr(self, k))
            if not (math.isfinite(v) and v > 0):
                raise ConfigurationError(f"proton pulse: {k} must be positive, got {v}")

    @property
    def sigma_ns(self) -> float:
        return self.fwhm_ns / FWHM_PER_SIGMA

    @property
    def period_ns(self) -> float:
        return 1e9 / self.rate_hz

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Arrival times (ns) of ``n`` protons on the target."""
        return self.sigma_ns * rng.standard_normal(int(n))


#: the SNS first target station: 60 Hz, ~360 ns FWHM proton pulses on the Hg target
SNS_PULSE = ProtonPulse(
    rate_hz=60.0, fwhm_ns=360.0,
    citation="COHERENT, Science 357, 1123 (2017), arXiv:1708.01294 (SNS: 60 Hz, ~360 ns FWHM proton pulses)",
    caveat="SNS pulse: 60 Hz and 360 ns FWHM quoted from memory, not verified; the real pulse is not Gaussian "
           "(a Gaussian of that FWHM stands in for it)")


def pion_dar_chain(on_line) -> np.ndarray:
    """Number of decays in the chain of a pi-DAR neutrino: 1 (the pi+ alone: the prompt nu_mu line and the
    pi -> e nu line) for a line, 2 (pi+ then mu+: the delayed Michel nu_e and nu_mu_bar) for the continuum."""
    return np.where(np.asarray(on_line, dtype=bool), 1, 2)


def production_times(n_decays, rng: np.random.Generator, pulse: Optional[ProtonPulse] = None,
                     chain: tuple = ("pi+", "mu+")) -> np.ndarray:
    """Production times (ns) of neutrinos whose parent chain is the first ``n_decays`` (array, 1 or 2
    per neutrino) of ``chain`` (default pi+ -> mu+): the proton's arrival (``pulse``; None: at t = 0)
    plus an exponential proper decay time of each parent, at rest (mean lives :data:`TAU_NS`)."""
    k = np.asarray(n_decays, dtype=np.int64)
    n = k.size
    if k.size and (k.min() < 0 or k.max() > len(chain)):
        raise ConfigurationError(f"a decay chain has 0 to {len(chain)} decays ({', '.join(chain)})")
    t = pulse.sample(n, rng) if pulse is not None else np.zeros(n)
    for i, parent in enumerate(chain):
        t = t + np.where(k > i, rng.exponential(TAU_NS[parent], n), 0.0)
    return t


@dataclass(frozen=True)
class DARConfig:
    """A stopped-meson source: distance (m), stopped parents per POT by parent, citation; ``pulse``:
    the proton pulses on its target (None: no time structure is known)."""

    name: str
    description: str
    distance_m: float
    stopped_per_pot: Mapping[str, Optional[float]]
    citation: str
    pulse: Optional[ProtonPulse] = None

    def flux(self, parent: str = "pi", *, distance_m: float | None = None, stopped_per_pot: float | None = None,
             **kw) -> Flux:
        """The DAR flux of ``parent`` ('pi', 'mu', 'k') for this configuration."""
        key = _ALIAS.get(parent.lower())
        if key is None:
            raise ConfigurationError(f"unknown decay-at-rest source '{parent}' (pi-dar, mu-dar or k-dar)")
        n = stopped_per_pot if stopped_per_pot is not None else self.stopped_per_pot.get(key)
        if n is None:
            raise ConfigurationError(f"{self.name}: no stopped {_PARENT[key]} per POT is known; "
                                     f"give it (stopped_per_pot, CLI --stopped-per-pot)")
        d = self.distance_m if distance_m is None else distance_m
        prov = (f"decay at rest ({key}) for {self.name}: {n:g} stopped {_PARENT[key]}/POT at {d:g} m [{self.citation}]")
        return dar_flux(key, d, n, description=f"{self.name} {key}-DAR", provenance=prov, **kw)


DAR_CONFIGS: dict[str, DARConfig] = {
    "coherent": DARConfig(
        name="coherent",
        description="SNS (~1 GeV p on Hg), COHERENT CsI[Na] at 19.3 m",
        distance_m=19.3,
        stopped_per_pot={"pi": 0.08, "mu": 0.08, "k": None},
        citation="COHERENT, Science 357 (2017) 1123, arXiv:1708.01294: 0.08 nu/flavour/POT, 19.3 m",
        pulse=SNS_PULSE,
    ),
    "jsns2": DARConfig(
        name="jsns2",
        description="J-PARC MLF (3 GeV p on Hg), JSNS2 at 24 m",
        distance_m=24.0,
        stopped_per_pot={"pi": 0.49, "mu": 0.49, "k": None},
        citation="JSNS2 TDR arXiv:1705.08629 (24 m); mu+ DAR/POT from the measured nu_e flux 6.7e-9/cm2/POT, "
                 "arXiv:2412.18509",
    ),
    "microboone_numi_absorber": DARConfig(
        name="microboone_numi_absorber",
        description="K+ DAR in the NuMI hadron absorber seen by MicroBooNE (~100 m)",
        distance_m=100.0,
        stopped_per_pot={"pi": None, "mu": None, "k": None},
        citation="Kelly & Machado arXiv:2106.06548 (geometry); stopped K+/POT must be supplied",
    ),
}


def dar_config(name: str) -> DARConfig:
    """A built-in DAR configuration by name (coherent, jsns2, microboone_numi_absorber)."""
    key = name.lower().replace("-", "_")
    if key not in DAR_CONFIGS:
        raise ConfigurationError(f"unknown decay-at-rest configuration '{name}' (known: {', '.join(DAR_CONFIGS)})")
    return DAR_CONFIGS[key]
