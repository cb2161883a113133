"""The public Python API of ``import darkbeam``: one function per job of the command line.

``darkbeam/__init__.py`` loads these names lazily (module ``__getattr__``), so that ``import darkbeam``
stays fast; each function imports the layer it needs on first call.  A ``model`` argument may be a
:class:`~darkbeam.models.ModelParameters`, a mapping of parameter values applied on top of the built-in
default (``{"m4": 0.3}``), the path of a model TOML file, or None for the built-in default.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from darkbeam.events.eventset import EventSet
    from darkbeam.models.parameters import ModelParameters
    from darkbeam.physics.decays import DecayTable
    from darkbeam.processes.generator import RunResult

__all__ = ["as_model", "decay_table", "generate", "read", "reweight", "search_limit", "simulate_meson_decays", "xsec"]


def as_model(model: Any = None) -> "ModelParameters":
    """Validated model parameters from a ModelParameters, a mapping of overrides on the built-in
    default, the path of a model TOML file, or None (the built-in default: DarkNews's default model)."""
    from darkbeam.errors import ConfigurationError
    from darkbeam.models import ModelParameters, default_model, load_model

    if model is None:
        return default_model()
    if isinstance(model, ModelParameters):
        return model
    if isinstance(model, Mapping):
        return load_model(overrides=dict(model))
    if isinstance(model, (str, Path)):
        return load_model(model)
    raise ConfigurationError(f"a model is ModelParameters, a mapping of parameters, a TOML path or None; "
                             f"got {type(model).__name__}")


def generate(model: Any = None, experiment: Any = "miniboone_fhc", **options) -> "RunResult":
    """Weighted events of upscattering nu + target -> N + target and N's decay inside ``experiment``
    (a catalog keyword, a TOML path or an :class:`~darkbeam.detectors.catalog.Experiment`).

    Returns a :class:`~darkbeam.processes.generator.RunResult`: ``.events`` (an EventSet) and
    ``.summary`` (predicted numbers of events and their errors; ``.summary.to_dict()`` is the JSON of
    ``darkbeam generate --json``).  ``options`` are those of
    :func:`darkbeam.processes.generator.generate` (``seed``, ``options``, ``workers``,
    ``projectiles``, ``regimes``, ``helicities``, ``flux_source``, ``couplings_scheme``, ...)."""
    from darkbeam.processes.generator import generate as _generate

    return _generate(as_model(model), experiment, **options)


def decay_table(model: Any = None, particle: str = "N4", **options) -> "DecayTable":
    """Every open decay channel of ``particle`` ('N4', 'N5', 'N6', 'zprime' or 'hprime') in ``model``:
    partial widths, ``total_width`` (GeV), ``branching_ratios``, ``ctau_cm``
    (:func:`darkbeam.physics.decays.decay_table`)."""
    from darkbeam.physics.decays import decay_table as _decay_table

    return _decay_table(as_model(model), particle, **options)


def xsec(model: Any = None, target: str = "C12", regime: str = "coherent", helicity: str = "conserving",
         projectile: str = "nu_mu", energies: Any = None, *, hnl: Any = "N4", form_factor: str = "default",
         couplings: str = "darkbeam") -> "np.ndarray | float":
    """Upscattering cross section of nu + target -> N + target in cm^2 per target nucleus, as
    ``darkbeam xsec`` gives it, at the neutrino lab energies ``energies`` (GeV; array or scalar).

    ``regime``: 'coherent', 'p-el', 'n-el' or 'electron' (nucleon regimes summed over the nucleus's
    protons or neutrons, the electron regime over its Z electrons); ``helicity`` of N: 'conserving',
    'flipping' or 'both'; ``projectile``: nu_e ... nu_tau_bar; ``hnl``: N4, N5 or N6;
    ``form_factor``: nuclear form factors ('default', 'fourier-bessel', 'fermi', 'helm');
    ``couplings``: 'darkbeam' or 'darknews' (DarkNews 0.4.8's electroweak inputs and modelling
    choices, as ``generate --couplings darknews``).  Below threshold sigma = 0.  The result has the
    shape of ``energies`` (a float for a scalar)."""
    from darkbeam.errors import ConfigurationError
    from darkbeam.physics.xsec import ProcessCase, UpscatteringXsec
    from darkbeam.models.couplings import Couplings, darknews_couplings
    from darkbeam.processes.generator import SCHEME_XSEC_OPTIONS

    if energies is None:
        raise ConfigurationError("give the neutrino energies in GeV: xsec(..., energies=[0.5, 1, 2])")
    if couplings not in SCHEME_XSEC_OPTIONS:
        raise ConfigurationError(f"unknown couplings scheme '{couplings}' (choose from {', '.join(SCHEME_XSEC_OPTIONS)})")
    params = as_model(model)
    case = ProcessCase(projectile, hnl, target, regime, helicity)
    options = dict(SCHEME_XSEC_OPTIONS[couplings])
    if form_factor != "default" or "nuclear_ff" not in options:
        options["nuclear_ff"] = form_factor
    c = darknews_couplings(params) if couplings == "darknews" else Couplings(params)
    return UpscatteringXsec(case, c, **options).sigma(energies)


def read(path: str | Path, **options) -> "EventSet":
    """An event file written by ``darkbeam generate`` (parquet) read back into an EventSet, with its
    process cases, decay channels and metadata (:func:`darkbeam.events.readers.read`)."""
    from darkbeam.events.readers import read as _read

    return _read(path, **options)


def reweight(events: Any, new: Any, **options) -> "EventSet":
    """``events`` (an EventSet or the path of a parquet event file) reweighted to the couplings ``new``
    at fixed masses: ModelParameters, or a mapping of changes such as ``{"Umu4": 3e-3}``
    (:func:`darkbeam.processes.reweight.reweight`; options ``shape``, ``positions``, ``strict``,
    ``seed``; docs/reweighting.md)."""
    from darkbeam.processes.reweight import reweight as _reweight

    if isinstance(events, (str, Path)):
        events = read(events)
    return _reweight(events, new, **options)


def simulate_meson_decays(model: Any = None, experiment: Any = "ps191", **options) -> Any:
    """Meson-decay events: the new particles of ``model`` made in decays of the beam's mesons (every open
    channel of :func:`darkbeam.physics.production.production_channels`), flown to ``experiment`` and
    decayed in its decay volume, as ``darkbeam generate --process meson-decay``.  Kept apart from
    :func:`generate` (upscattering).  Returns a :class:`~darkbeam.processes.meson_run.MesonRun`
    (``.events``: an EventSet; ``.summary``: the JSON of the command).  ``options`` of
    :func:`darkbeam.processes.meson_run.run_meson_decay`: ``n`` (parent decays per channel), ``seed``,
    ``mode`` ('in-flight' or 'at-rest'), ``beam`` (frame of the parents), ``parents_file``, ``pot``,
    ``parents`` ({species: ParentSample}), ``channels``."""
    from darkbeam.processes.meson_run import run_meson_decay

    return run_meson_decay(as_model(model), experiment, **options)


def search_limit(search: str, masses: Any, **options) -> dict:
    """Limits of a catalog search (``darkbeam searches``) at ``masses`` (GeV): one generation per mass at
    a reference coupling, the coupling axis by exact reweighting (docs/meson_decay_limits.md).  Returns
    the JSON of ``darkbeam limit``: ``{"search", "parameter", "masses_GeV", "limit", "expected", ...}``.
    ``options`` of :func:`darkbeam.analysis.meson_limits.search_limit` (``flavour``, ``model``
    overrides, ``n``, ``seed``, ...)."""
    from darkbeam.analysis.meson_limits import search_limit as _limit

    return _limit(search, masses, **options)
