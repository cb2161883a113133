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
download, checksum verified); otherwise the beam model is run and the returned flux's
``provenance`` says so and why.  ``source='file'`` insists on the file (one DataError if it cannot
be had); ``source='model'`` always runs the beam model.
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
    "nova_nd": ("numi", None, None, 1000.0, 14.6),
    "dune_nd": ("lbnf", "DUNE_ND_FHC", "DUNE_ND_RHC", 574.0, 0.0),
    "nd280": ("jparc", "ND280_FHC", None, 280.0, 43.6),
}
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


def flux_for(name: str, distance_m: float | None = None, *, off_axis_mrad: float | None = None, mode: str = "FHC",
             source: str = "auto", n: int = 2**17, seed: int = 12345, stopped_per_pot: float | None = None,
             parent: str = "pi", download: bool | None = None) -> Flux:
    """The neutrino flux (nu/cm^2/GeV/POT) for a named experiment, flux file, beam line or DAR source.

    See the module docstring for the names and the choice between file and model; the flux's
    ``provenance`` says which was used (and why the file was not).  ``n``, ``seed``: beam-model
    statistics (mesons per species); ``stopped_per_pot``, ``parent``: decay-at-rest options.
    """
    from darkbeam.sources.dar import dar_config, dar_flux

    source = str(source).lower()
    if source not in ("auto", "file", "model"):
        raise ConfigurationError(f"unknown flux source choice '{source}' (auto, file or model)")
    r = resolve(name, distance_m, off_axis_mrad, mode)
    if r.kind == "dar":
        if r.distance_m is None or stopped_per_pot is None:
            raise ConfigurationError(f"'{name}' needs a distance (m) and the number of stopped parents per POT")
        return dar_flux(r.name, r.distance_m, stopped_per_pot)
    if r.kind == "dar-config":
        return dar_config(r.name).flux(parent, distance_m=r.distance_m, stopped_per_pot=stopped_per_pot)

    reason = None
    if source in ("auto", "file"):
        if r.file is None:
            reason = f"no official flux file for {r.name} ({r.mode}, {r.distance_m:g} m, {r.off_axis_mrad:g} mrad)"
        else:
            from darkbeam.data import lookup
            from darkbeam.sources.files import official_flux

            entry = lookup(r.file, kind="flux")
            same_place = (entry.baseline_m is None
                          or (abs(entry.baseline_m - r.distance_m) <= 0.01 * entry.baseline_m
                              and abs(entry.off_axis_mrad - r.off_axis_mrad) <= 1.0))
            if not same_place:
                reason = (f"official file {entry.name} is for {entry.baseline_m:g} m, {entry.off_axis_mrad:g} mrad; "
                          f"requested {r.distance_m:g} m, {r.off_axis_mrad:g} mrad")
            else:
                try:
                    return official_flux(entry.name, download=download)
                except DataError as exc:
                    if source == "file":
                        raise
                    reason = f"official file unavailable: {exc}"
        if source == "file":
            raise DataError(reason)
    if r.beam is None:
        raise DataError(f"{reason}; and there is no beam model for {r.name}")
    from darkbeam.sources.beam import beam_flux

    bf = beam_flux(r.beam, r.distance_m, r.off_axis_mrad, polarity=r.mode, n=n, seed=seed).flux
    prov = bf.provenance if reason is None else f"{bf.provenance} [used because {reason}]"
    meta = dict(bf.meta)
    if reason:
        meta["fallback_reason"] = reason
    return Flux(bf.energies, bf.values, lines=bf.lines, provenance=prov, description=bf.description, meta=meta)
