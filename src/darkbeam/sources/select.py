"""Choosing a flux for a named experiment, file or beam: official file when reachable, else the model.

:func:`flux_for` accepts

* a decay-at-rest source: 'pi-dar', 'mu-dar', 'k-dar' (with ``distance_m`` and ``stopped_per_pot``)
  or a DAR configuration 'coherent', 'jsns2', 'microboone_numi_absorber';
* an experiment name ('miniboone', 'microboone', 'sbnd', 'dune_nd', 'minerva', 'nova_nd', 'nd280',
  ...), which stands for a registered flux file and the beam line that makes it;
* a registered flux file name ('MiniBooNE_FHC', 'NUMI_FHC_LE', ...);
* a beam line ('bnb', 'numi', 'lbnf', 'jparc', 'sps') with a distance (and off-axis angle).

With ``source='auto'`` the official file is used when it exists for that beam, horn polarity,
distance (within 1 %) and off-axis angle (within 1 mrad) and can be read (mirror, cache or
download, checksum verified).  When the file exists but cannot be had, the beam model stands in
for it only where the model is validated for that beam, position and polarity
(:func:`darkbeam.sources.beam.validation.validated`); the returned flux then says so in its
``provenance`` and in ``meta["fallback"]`` (one short line, collected into the ``fallbacks`` of a
run).  Elsewhere a missing file is one DataError that names the file and how to provide it
(``DARKBEAM_DATA_DIR`` pointing at a data mirror, or ``darkbeam fluxes fetch NAME`` online).
Where no official file is registered at all (a beam line at a free distance, or an experiment
such as ICARUS without a file) ``auto`` runs the beam model, whose provenance says whether it is
validated there.  ``source='file'`` insists on the file; ``source='model'`` always runs the beam
model (an explicit choice, not a fallback).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from darkbeam.errors import ConfigurationError, DataError
from darkbeam.sources.flux import Flux

#: experiment -> (beam, FHC file, RHC file, distance m, off-axis mrad)
EXPERIMENTS: dict[str, tuple[str, Optional[str], Optional[str], float, float]] = {
    "miniboone": ("bnb", "MiniBooNE_FHC", "MiniBooNE_RHC", 541.0, 0.0),
    "microboone": ("bnb", "MicroBooNE_BNB_fullflux", None, 470.0, 0.0),
    "sbnd": ("bnb", "sbnd_fhc", None, 110.0, 0.0),
    "icarus": ("bnb", None, None, 600.0, 0.0),
    "minerva": ("numi", "NUMI_FHC_LE", "NUMI_RHC_LE", 1035.0, 0.0),
    "minerva_le": ("numi", "NUMI_FHC_LE", "NUMI_RHC_LE", 1035.0, 0.0),
    "minos_nd": ("numi", None, None, 1040.0, 0.0),
    "nova_nd": ("numi", "NOvA_FHC", "NOvA_RHC", 1000.0, 14.6),
    "dune_nd": ("lbnf", "DUNE_ND_FHC", "DUNE_ND_RHC", 574.0, 0.0),
    "nd280": ("jparc", "T2K_ND280_2020_plus250kA", "T2K_ND280_2020_minus250kA", 280.0, 43.6),
}
#: the choices of ``source`` (flux_for) and of the CLI's --flux-source / --source
SOURCES = ("auto", "file", "model")
_EXP_ALIASES = {"mb": "miniboone", "uboone": "microboone", "dune": "dune_nd", "t2k_nd": "nd280", "t2k": "nd280",
                "minerva_fhc": "minerva", "nova": "nova_nd"}
_DAR_SOURCES = {"pi-dar": "pi", "mu-dar": "mu", "k-dar": "k", "pidar": "pi", "mudar": "mu", "kdar": "k"}


@dataclass(frozen=True)
class Resolved:
    """What a name stands for: kind ('dar', 'dar-config', 'file', 'beam'), beam, file, distance, angle, mode."""

    kind: str
    name: str
    beam: Optional[str] = None
    file: Optional[str] = None
    distance_m: Optional[float] = None
    off_axis_mrad: float = 0.0
    mode: str = "FHC"


def _mode(mode: str) -> str:
    m = str(mode).upper()
    if m not in ("FHC", "RHC"):
        raise ConfigurationError(f"unknown horn polarity '{mode}' (FHC or RHC)")
    return m


def resolve(name: str, distance_m: float | None = None, off_axis_mrad: float | None = None, mode: str = "FHC") -> Resolved:
    """Interpret ``name`` (see module docstring); raises ConfigurationError for unknown names."""
    from darkbeam.data import entries
    from darkbeam.sources.beam.configs import BEAMS, _ALIASES as BEAM_ALIASES
    from darkbeam.sources.dar import DAR_CONFIGS

    mode = _mode(mode)
    key = str(name).strip()
    low = key.lower().replace("-", "_") if key.lower() not in _DAR_SOURCES else key.lower()
    if key.lower() in _DAR_SOURCES:
        return Resolved("dar", _DAR_SOURCES[key.lower()], distance_m=distance_m)
    if low in DAR_CONFIGS:
        return Resolved("dar-config", low, distance_m=distance_m)
    exp = _EXP_ALIASES.get(low, low)
    if exp in EXPERIMENTS:
        beam, fhc, rhc, dist, angle = EXPERIMENTS[exp]
        return Resolved("file", exp, beam=beam, file=fhc if mode == "FHC" else rhc,
                        distance_m=dist if distance_m is None else distance_m,
                        off_axis_mrad=angle if off_axis_mrad is None else off_axis_mrad, mode=mode)
    from darkbeam.sources.files import RetiredFluxError, retired_reason

    why = retired_reason(key)
    if why is not None:
        raise RetiredFluxError(why)
    for e in entries("flux"):
        if e.name.lower() == key.lower():
            if not e.per_pot:
                raise ConfigurationError(f"flux file {e.name} is not per POT ({e.units}); read it with official_flux()")
            m = e.mode or mode
            return Resolved("file", e.name, beam=e.beam, file=e.name,
                            distance_m=e.baseline_m if distance_m is None else distance_m,
                            off_axis_mrad=e.off_axis_mrad if off_axis_mrad is None else off_axis_mrad, mode=m)
    beam = BEAM_ALIASES.get(low, low)
    if beam in BEAMS:
        if distance_m is None:
            dets = ", ".join(f"{k} {v[0]:g} m" for k, v in BEAMS[beam].detectors.items())
            raise ConfigurationError(f"beam '{beam}' needs a distance (e.g. {dets})")
        angle = 0.0 if off_axis_mrad is None else off_axis_mrad
        file = None
        for e in entries("flux"):
            if (e.beam == beam and e.per_pot and (e.mode or "FHC") == mode and e.baseline_m is not None
                    and abs(e.baseline_m - distance_m) <= 0.01 * e.baseline_m and abs(e.off_axis_mrad - angle) <= 1.0):
                file = e.name
                break
        return Resolved("beam", beam, beam=beam, file=file, distance_m=distance_m, off_axis_mrad=angle, mode=mode)
    known = sorted(set(EXPERIMENTS) | set(BEAMS) | set(DAR_CONFIGS) | set(_DAR_SOURCES) - {"pidar", "mudar", "kdar"})
    raise ConfigurationError(f"unknown flux source '{name}' (experiments, beams and DAR sources: {', '.join(known)}; "
                             f"or a registered flux file, see 'darkbeam fluxes list')")


def check_source(source: str, option: str = "source") -> str:
    """``source`` in lower case if it is one of :data:`SOURCES`; one ConfigurationError otherwise."""
    key = str(source).strip().lower()
    if key not in SOURCES:
        raise ConfigurationError(f"unknown {option} '{source}' (choose {', '.join(SOURCES)})")
    return key


def _short_reason(exc: DataError) -> str:
    """A few words on why a registered file could not be had (for the one-line fallback note)."""
    msg = str(exc)
    if "checksum mismatch" in msg:
        return "checksum mismatch"
    if "could not download" in msg:
        return "download failed"
    if "not found locally" in msg:
        return "not available offline" if "downloads are disabled" in msg else "not available (mirror only)"
    return msg


def missing_file_message(file: str, needed_for: str, reason: str, beam: str | None, distance_m: float | None,
                         off_axis_mrad: float, mode: str) -> str:
    """One line: which file is needed, why it is not there, why the model cannot stand in, how to provide it."""
    from darkbeam.data import lookup

    path = lookup(file, kind="flux").path
    if beam is None:
        model = "no beam model describes it"
    else:
        model = (f"the beam model '{beam}' is not validated at {distance_m:g} m, {off_axis_mrad:g} mrad, {mode} "
                 f"(docs/beam_model.md)")
    return (f"{needed_for} needs the flux file {file} ({reason}) and {model}: set DARKBEAM_DATA_DIR to a data "
            f"mirror holding {path}, or run 'darkbeam fluxes fetch {file}' with network access")


def model_instead_of_file(file: str, exc: DataError, *, needed_for: str, beam: str | None, distance_m: float,
                          off_axis_mrad: float, mode: str, n: int = 2**16, seed: int = 12345) -> Flux:
    """The beam-model flux standing in for the unavailable official ``file``, where that is allowed.

    Allowed only where the beam model is validated for (beam, distance, angle, polarity)
    (:func:`darkbeam.sources.beam.validation.validated`); the flux then carries a one-line
    ``meta["fallback"]`` and a provenance that says what it replaces and why.  Elsewhere, and for a
    retired file, one DataError that names the file and how to provide it.
    """
    from darkbeam.sources.beam.validation import validated
    from darkbeam.sources.files import RetiredFluxError

    if isinstance(exc, RetiredFluxError):
        raise exc
    reason = _short_reason(exc)
    if beam is None or not validated(beam, distance_m, off_axis_mrad, mode):
        raise DataError(missing_file_message(file, needed_for, reason, beam, distance_m, off_axis_mrad, mode))
    from darkbeam.sources.beam import beam_flux

    bf = beam_flux(beam, distance_m, off_axis_mrad, polarity=mode, n=n, seed=seed).flux
    note = (f"flux: beam model '{beam}' ({distance_m:g} m, {off_axis_mrad:g} mrad, {mode}; validated there) "
            f"instead of the official file {file} ({reason})")
    meta = dict(bf.meta)
    meta["fallback"] = note
    meta["fallback_reason"] = str(exc)
    return Flux(bf.energies, bf.values, lines=bf.lines, provenance=f"{bf.provenance} [FALLBACK: {note}]",
                description=bf.description, meta=meta)


def _model(r: Resolved, n: int, seed: int, why: str | None, *, fallback: bool = True) -> Flux:
    """The beam model at ``r`` (explicit or because no file is registered), saying whether it is validated."""
    from darkbeam.sources.beam import beam_flux
    from darkbeam.sources.beam.validation import validated

    bf = beam_flux(r.beam, r.distance_m, r.off_axis_mrad, polarity=r.mode, n=n, seed=seed).flux
    ok = validated(r.beam, r.distance_m, r.off_axis_mrad, r.mode)
    status = "validated at this position" if ok else "NOT validated at this position (docs/beam_model.md)"
    prov = f"{bf.provenance}; {status}"
    meta = dict(bf.meta)
    meta["validated"] = ok
    if why:
        prov += f" [used because {why}]"
    if why and fallback:
        meta["fallback"] = f"flux: beam model '{r.beam}' ({r.distance_m:g} m, {r.off_axis_mrad:g} mrad, {r.mode}; " \
                           f"{'validated' if ok else 'not validated'} there) because {why}"
    return Flux(bf.energies, bf.values, lines=bf.lines, provenance=prov, description=bf.description, meta=meta)


def flux_for(name: str, distance_m: float | None = None, *, off_axis_mrad: float | None = None, mode: str = "FHC",
             source: str = "auto", n: int = 2**17, seed: int = 12345, stopped_per_pot: float | None = None,
             parent: str = "pi", download: bool | None = None) -> Flux:
    """The neutrino flux (nu/cm^2/GeV/POT) for a named experiment, flux file, beam line or DAR source.

    See the module docstring for the names and the choice between file and model; the flux's
    ``provenance`` says which was used (and why the file was not), ``meta["fallback"]`` names a
    substitute for a missing file.  ``n``, ``seed``: beam-model statistics (mesons per species);
    ``stopped_per_pot``, ``parent``: decay-at-rest options.
    """
    from darkbeam.sources.dar import dar_config, dar_flux

    source = check_source(source)
    r = resolve(name, distance_m, off_axis_mrad, mode)
    if r.kind == "dar":
        if r.distance_m is None or stopped_per_pot is None:
            raise ConfigurationError(f"'{name}' needs a distance (m) and the number of stopped parents per POT")
        return dar_flux(r.name, r.distance_m, stopped_per_pot)
    if r.kind == "dar-config":
        return dar_config(r.name).flux(parent, distance_m=r.distance_m, stopped_per_pot=stopped_per_pot)

    if source == "model":
        if r.beam is None:
            raise DataError(f"'{name}' has no beam model (the file {r.file} is not tied to a modelled beam line); "
                            f"use --source file or auto")
        return _model(r, n, seed, None)
    where = f"{r.name} ({r.mode}, {r.distance_m:g} m, {r.off_axis_mrad:g} mrad)"
    if r.file is None:
        why = f"no official flux file is registered for {where}"
        if source == "file":
            raise DataError(why)
        if r.beam is None:
            raise DataError(f"{why} and there is no beam model for it")
        return _model(r, n, seed, why, fallback=r.kind == "file")
    from darkbeam.data import lookup
    from darkbeam.sources.files import official_flux

    entry = lookup(r.file, kind="flux")
    same_place = (entry.baseline_m is None
                  or (abs(entry.baseline_m - r.distance_m) <= 0.01 * entry.baseline_m
                      and abs(entry.off_axis_mrad - r.off_axis_mrad) <= 1.0))
    if not same_place:
        why = (f"official file {entry.name} is for {entry.baseline_m:g} m, {entry.off_axis_mrad:g} mrad; "
               f"requested {r.distance_m:g} m, {r.off_axis_mrad:g} mrad")
        if source == "file" or r.beam is None:
            raise DataError(why if r.beam else f"{why}, and there is no beam model for it")
        return _model(r, n, seed, why)
    try:
        return official_flux(entry.name, download=download)
    except DataError as exc:
        if source == "file":
            raise
        return model_instead_of_file(entry.name, exc, needed_for=f"the flux for {where}", beam=r.beam,
                                     distance_m=r.distance_m, off_axis_mrad=r.off_axis_mrad, mode=r.mode, n=n,
                                     seed=seed)
