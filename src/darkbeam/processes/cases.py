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


def _flux_position(exp: Experiment, name: str | None) -> tuple[str | None, float, float, str]:
    """(beam line, distance m, off-axis mrad, polarity) of the registered flux file ``name``, from its
    registry entry (the experiment's own baseline and angle where the entry gives none)."""
    from darkbeam.sources.files import flux_entry

    dist, angle, beam, mode = exp.baseline / 100.0, exp.off_axis_angle * 1e3, None, "FHC"
    if name:
        e = flux_entry(name)
        beam, mode = e.beam, (e.mode or "FHC")
        if e.baseline_m is not None:
            dist, angle = e.baseline_m, e.off_axis_mrad
    return beam, dist, angle, mode


def _model_flux(exp: Experiment, source: str, n: int, seed: int) -> Flux:
    """The beam-model flux of an experiment whose file names ``[flux] model`` (no official file exists for
    its position): 'auto' and 'model' run the model (validated or not there, as its provenance says) with
    a one-line ``meta["fallback"]`` naming the substitution; 'file' is one DataError."""
    from darkbeam.sources.select import flux_for

    spec = exp.flux
    dist, angle = exp.baseline / 100.0, exp.off_axis_angle * 1e3
    if source == "file":
        raise DataError(f"experiment {exp.keyword} has no official flux file: its [flux] is the beam model "
                        f"'{spec.model}' at {dist:g} m, {angle:g} mrad (use --flux-source auto or model)")
    fl = flux_for(spec.model, dist, off_axis_mrad=angle, mode=spec.polarity, source="model", n=n, seed=seed)
    if spec.normalisation != 1.0:
        fl = fl.scaled(spec.normalisation)
    ok = bool(fl.meta.get("validated"))
    meta = dict(fl.meta)
    meta["fallback"] = (f"flux: beam model '{spec.model}' ({dist:g} m, {angle:g} mrad, {spec.polarity}; "
                        f"{'validated' if ok else 'NOT validated'} there, docs/beam_model.md): no official flux file "
                        f"exists for {exp.keyword}")
    return Flux(fl.energies, fl.values, lines=fl.lines, provenance=fl.provenance, description=fl.description,
                meta=meta)


def experiment_flux(exp: Experiment, source: str = "auto", *, n: int = 2**16, seed: int = 12345) -> Flux:
    """The flux (nu/cm^2/GeV/POT) an experiment sees.

    ``source``: 'auto' (the official file; where it cannot be had, the beam model of the beam line
    that made it, only if the model is validated at that position: the flux's ``meta["fallback"]``
    then names the substitution; elsewhere one DataError naming the file and how to provide it),
    'file' (the file or an error) or 'model' (the beam model, explicitly).  ``n``, ``seed``: beam-model
    statistics.
    """
    from darkbeam.sources.files import official_flux
    from darkbeam.sources.flux import combine
    from darkbeam.sources.select import check_source, flux_for, model_instead_of_file

    source = check_source(source, "flux source")
    spec = exp.flux
    if spec.model is not None:
        return _model_flux(exp, source, n, seed)
    if spec.path is not None:
        if source == "model":
            raise ConfigurationError(f"experiment {exp.keyword} reads the user flux file {spec.path}; there is no "
                                     f"beam model for it (use --flux-source auto or file)")
        from darkbeam.sources.files import read_table

        return read_table(spec.path, columns=spec.columns, normalisation=spec.normalisation,
                          energy_grid=spec.energy_grid, provenance=f"user file {spec.path}")
    names = spec.names
    if source in ("auto", "file"):
        current = names[0] if names else None
        try:
            if spec.name:
                fl = official_flux(spec.name)
            else:
                parts = []
                for current in names:
                    parts.append(official_flux(current))
                fl = combine(parts)
            return fl if spec.scale == 1.0 else fl.scaled(spec.scale)
        except DataError as exc:
            from darkbeam.sources.files import RetiredFluxError

            if source == "file" or isinstance(exc, RetiredFluxError) or current is None:
                raise
            beam, dist, angle, mode = _flux_position(exp, current)
            return model_instead_of_file(current, exc, needed_for=f"experiment {exp.keyword}", beam=beam,
                                         distance_m=dist, off_axis_mrad=angle, mode=mode, n=n, seed=seed)
    beam, dist, angle, mode = _flux_position(exp, names[0] if names else None)
    if beam is None:
        raise DataError(f"experiment {exp.keyword}: its flux {', '.join(names)} is not tied to a modelled beam line, "
                        f"so there is no beam model for it (use --flux-source auto or file)")
    return flux_for(beam, dist, off_axis_mrad=angle, mode=mode, source="model", n=n, seed=seed)


def run_fallbacks(exp: Experiment, flux: Flux, *, nuclear_ff: str = "default", regimes=DEFAULT_REGIMES) -> list[str]:
    """Every substitute for missing data in a run, one short line each (empty list: none).

    * flux: the beam model standing in for an official file (``flux.meta["fallback"]``);
    * nuclear masses: the ``particle`` package's nuclei table instead of AME2020
      (:func:`darkbeam.physics.nuclear.nucleus`, ``Nucleus.source``);
    * nuclear form factors: symmetrized Fermi instead of Fourier-Bessel where no Fourier-Bessel
      coefficients can be had (for coherent scattering, under the schemes that ask for them);
    * production points: a point source at the target instead of the BNB decay-pipe table.
    """
    from darkbeam.physics.form_factors import NuclearFormFactors, fourier_bessel_table
    from darkbeam.physics.nuclear import nucleus

    out: list[str] = []
    fb = flux.meta.get("fallback")
    if fb:
        out.append(str(fb))
    for t in exp.target_names:
        nuc = nucleus(t)
        if nuc.source != "AME2020":
            out.append(f"nuclear mass of {nuc.name}: {nuc.source} instead of AME2020")
    if "coherent" in regimes and nuclear_ff in ("default", "fourier-bessel"):
        try:
            fourier_bessel_table()
            table_ok = True
        except DataError:
            table_ok = False
        for t in exp.target_names:
            Z, A = parse_nucleus(t)
            if A == 1:
                continue
            ff = NuclearFormFactors(nucleus(t).name, A, nuclear_ff)
            if ff.charge_kind == "fermi":
                why = f"no Fourier-Bessel coefficients for {ff.name}" if table_ok else \
                      "Fourier-Bessel table (de Vries et al. 1987) not available"
                out.append(f"charge form factor of {ff.name}: symmetrized Fermi instead of Fourier-Bessel ({why})")
    prod = exp.production_model(warn=False)
    if getattr(prod, "is_fallback", False):
        note = str(getattr(prod, "note", ""))
        why = ("not available offline" if "downloads are disabled" in note
               else "checksum mismatch" if "checksum" in note else "not available")
        out.append(f"production points: point source at the target instead of the BNB decay-pipe table ({why})")
    return out


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
                        if xs.threshold >= e_hi or not xs.vertices.couples:  # closed, or zero everywhere
                            continue
                        probe = np.geomspace(max(xs.threshold * 1.01, e_lo), e_hi, 8)
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            if not np.any(xs.sigma(probe) > 0):
                                continue
                        out.append(CaseSpec(len(out), case, float(n_targets[target]),
                                            antiparticle=case.antineutrino and not model.majorana))
    return out
