"""Process cases of a run, and the flux an experiment sees.

A run's process cases are projectile flavours x HNLs x targets x regimes x N helicities
(issue "Event generator"); cases whose cross section vanishes for the model (no coupling) or whose
threshold lies above the flux's energy range are dropped before any integration.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from darkbeam.detectors.catalog import Experiment, parse_nucleus
from darkbeam.errors import ConfigurationError, DataError
from darkbeam.models.parameters import ModelParameters
from darkbeam.physics.xsec import PROJECTILES, REGIMES, ProcessCase, UpscatteringXsec
from darkbeam.sources.flux import Flux

#: default regimes of the generator: coherent and elastic on bound protons and neutrons
DEFAULT_REGIMES = ("coherent", "p-el", "n-el")
DEFAULT_HELICITIES = ("conserving", "flipping")

#: beam line that makes each registered flux file, and its horn polarity (for the beam-model fallback)
_FLUX_BEAMS = {
    "MiniBooNE": "bnb", "MicroBooNE": "bnb", "sbnd": "bnb", "NUMI": "numi", "NOvA": "numi",
    "DUNE": "lbnf", "ND280": "jparc", "CHARMII": "sps",
}


#: what recoils in each regime (the coherent regime: the nucleus itself)
_RECOIL = {"p-el": "p", "n-el": "n", "electron": "e-"}


def case_label(case: ProcessCase, antiparticle: bool = False) -> str:
    """Name of a process case in summaries, JSON and files: the particles that actually scatter.

    Coherent: ``"nu_mu C12 -> N4 C12 (coherent, conserving)"``; on a bound nucleon or an atomic
    electron the scatterer is named with its nucleus in parentheses and recoils alone:
    ``"nu_mu p(C12) -> N4 p (p-el, flipping)"``, ``"nu_mu_bar n(Ar40) -> N4_bar n (n-el, conserving)"``
    (``N4_bar``: the Dirac anti-N that an antineutrino makes; a Majorana N is always ``N4``)."""
    hnl = f"N{case.hnl}" + ("_bar" if antiparticle else "")
    recoil = _RECOIL.get(case.regime)
    if recoil is None:
        initial, final = case.target, case.target
    else:
        initial, final = f"{recoil}({case.target})", recoil
    return f"{case.projectile} {initial} -> {hnl} {final} ({case.regime}, {case.helicity})"


@dataclass(frozen=True)
class CaseSpec:
    """One process case of a run: the cross-section case and the number of scatterers."""

    index: int
    xs_case: ProcessCase
    n_scatterers: float  # nuclei of this target species in the experiment
    antiparticle: bool = False  # N is a Dirac anti-N (antineutrino projectile, Dirac HNL)

    @property
    def label(self) -> str:
        return case_label(self.xs_case, self.antiparticle)


def experiment_flux(exp: Experiment, source: str = "auto") -> Flux:
    """The flux (nu/cm^2/GeV/POT) an experiment sees: its official file when it can be read, else the
    built-in beam model of the beam line that made the file (the flux's ``provenance`` says which)."""
    from darkbeam.sources.files import official_flux
    from darkbeam.sources.flux import combine
    from darkbeam.sources.select import flux_for

    spec = exp.flux
    reason = ""
    if source in ("auto", "file"):
        try:
            if spec.name:
                fl = official_flux(spec.name)
                return fl if spec.scale == 1.0 else fl.scaled(spec.scale)
            if spec.files:
                fl = combine([official_flux(n) for n in spec.files.values()])
                return fl if spec.scale == 1.0 else fl.scaled(spec.scale)
            if spec.path is not None:
                from darkbeam.sources.files import read_table

                return read_table(spec.path, columns=spec.columns, normalisation=spec.normalisation,
                                  energy_grid=spec.energy_grid, provenance=f"user file {spec.path}")
        except DataError as exc:
            if source == "file":
                raise
            reason = str(exc)
    name = spec.name or ""
    beam = next((b for prefix, b in _FLUX_BEAMS.items() if name.startswith(prefix)), None)
    if beam is None:
        raise DataError(f"experiment {exp.keyword}: flux {name or spec.path} is not readable and there is no beam "
                        f"model for it ({reason or 'no file'})")
    mode = "RHC" if "RHC" in name else "FHC"
    flux = flux_for(beam, exp.baseline / 100.0, off_axis_mrad=exp.off_axis_angle * 1e3, mode=mode, source="model")
    why = f"; used because the official file could not be read ({reason})" if reason else ""
    return flux.scaled(1.0, provenance=f"{flux.provenance}{why}")


def enumerate_cases(
    model: ModelParameters,
    exp: Experiment,
    flux: Flux,
    *,
    projectiles=None,
    regimes=DEFAULT_REGIMES,
    helicities=DEFAULT_HELICITIES,
    hnls=None,
) -> list[CaseSpec]:
    """All non-vanishing process cases of a run (see module docstring)."""
    for r in regimes:
        if r not in REGIMES:
            raise ConfigurationError(f"unknown regime '{r}' (choose from {', '.join(REGIMES)})")
    for h in helicities:
        if h not in ("conserving", "flipping"):
            raise ConfigurationError(f"unknown helicity '{h}' (conserving or flipping)")
    if model.n_hnl == 0:
        raise ConfigurationError("the model has no HNL (set m4)")
    hnls = tuple(range(4, 4 + model.n_hnl)) if hnls is None else tuple(int(str(h).lstrip("Nn")) for h in hnls)
    e_lo, e_hi = exp.energy_range
    f_lo, f_hi = flux.energy_range
    e_lo, e_hi = max(e_lo, f_lo), min(e_hi, f_hi)
    if projectiles is None:
        grid = np.linspace(e_lo, e_hi, 64)
        projectiles = [p for p in PROJECTILES if p in flux.flavours and np.any(flux(grid, p) > 0)]
    else:
        for p in projectiles:
            if p not in PROJECTILES:
                raise ConfigurationError(f"unknown projectile '{p}' (choose from {', '.join(PROJECTILES)})")
    n_targets = exp.n_targets()
    out: list[CaseSpec] = []
    for proj in projectiles:
        for hnl in hnls:
            for target in exp.target_names:
                Z, A = parse_nucleus(target)
                for regime in regimes:
                    if regime == "coherent" and A == 1:
                        continue
                    if regime == "n-el" and A == Z:
                        continue
                    for hel in helicities:
                        case = ProcessCase(proj, hnl, target, regime, hel)
                        xs = UpscatteringXsec(case, model)
                        if xs.threshold >= e_hi:
                            continue
                        probe = np.geomspace(max(xs.threshold * 1.01, e_lo), e_hi, 8)
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            if not np.any(xs.sigma(probe) > 0):
                                continue
                        out.append(CaseSpec(len(out), case, float(n_targets[target]),
                                            antiparticle=case.antineutrino and not model.majorana))
    return out
