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

__all__ = ["as_model", "nc_pi0_xsec", "background_counts", "beam_dump_limit", "shower_events", "proton_dump_projection", "ccqe_events", "ccqe_xsec", "decay_table", "generate", "mass_model",
           "parent_samples", "plane_limit", "production_channels", "rare_xsec", "read", "reweight", "search_limit",
           "shower", "simulate_alps", "simulate_dark_matter", "simulate_meson_decays", "simulate_rare", "simulate_trident",
           "trident_xsec", "xsec"]


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
    process cases, decay channels and metadata (:func:`darkbeam.events.readers.read`); nu-e, CEvNS and
    trident files come back as a ScatterEvents (docs/events.md, "Scattering events")."""
    from darkbeam.events.readers import read as _read

    return _read(path, **options)


def reweight(events: Any, new: Any, **options) -> "EventSet":
    """``events`` (an EventSet, a ScatterEvents or the path of a parquet event file) reweighted to the couplings ``new``
    at fixed masses: ModelParameters, or a mapping of changes such as ``{"Umu4": 3e-3}``
    (:func:`darkbeam.processes.reweight.reweight`; options ``shape``, ``positions``, ``strict``,
    ``seed``; docs/reweighting.md)."""
    from darkbeam.processes.reweight import reweight as _reweight

    if isinstance(events, (str, Path)):
        events = read(events)
    if getattr(events, "layout", None) == "scattering":  # nu-e, CEvNS, trident events (ScatterEvents)
        return events.reweight(new, **options)
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


def simulate_alps(model: Any, experiment: Any = "dune_nd_fhc", *, beam: str = "lbnf", shower: bool = True,
                  **options) -> Any:
    """ALP events (docs/alps.md): ALPs made by Primakoff conversion of the target's pi0/eta photons (g_agg)
    and in K -> pi a (g_agluon), flown to ``experiment`` and decayed there (gamma gamma, l+ l-, 3 pi), as
    ``darkbeam generate --process meson-decay --model alp.toml``.  ``shower`` (default True): also the
    Primakoff conversion of the photons of the showers those photons start in the target (a channel of its
    own; its yield and shower-to-shower error in the summary's ``source_info``).  ``model``: ModelParameters, a
    TOML path, or a mapping of the ALP's parameters (``{"ma": 0.3, "g_agg": 1e-6}``: the ALP alone, NOT on top
    of the default HNL model).  Returns a MesonRun; ``options`` of
    :func:`darkbeam.processes.meson_run.run_meson_decay`."""
    from darkbeam.errors import ConfigurationError
    from darkbeam.models import ModelParameters
    from darkbeam.processes.meson_run import run_meson_decay

    if isinstance(model, Mapping):
        params = ModelParameters.from_dict({"name": "ALP", **dict(model)})
    else:
        params = as_model(model)
    if not params.has_alp:
        raise ConfigurationError("simulate_alps: the model has no ALP (set ma and a coupling)")
    return run_meson_decay(params, experiment, beam=beam, alp_shower=bool(shower), **options)


def background_counts(sample: Any, search: str, **options) -> dict:
    """Background per channel of a catalog search from a neutrino-generator sample in NuHepMC format (a
    path or :class:`~darkbeam.events.nuhepmc_read.GeneratorSample`), with the same final-state matching
    and cuts as the signal (docs/alps.md, "Backgrounds").  ``options`` of
    :func:`darkbeam.analysis.backgrounds.background_counts`: ``flux_per_cm2`` and ``targets`` (cross-
    section normalisation) or ``pot`` (the file's exposure), ``thresholds``."""
    from darkbeam.analysis.backgrounds import background_counts as _bg

    return _bg(sample, search, **options)


def search_limit(search: str, masses: Any, **options) -> dict:
    """Limits of a catalog search (``darkbeam searches``) at ``masses`` (GeV): one generation per mass at
    a reference coupling, the coupling axis by exact reweighting (docs/meson_decay_limits.md).  Returns
    the JSON of ``darkbeam limit``: ``{"search", "parameter", "masses_GeV", "limit", "expected", ...}``.
    ``options`` of :func:`darkbeam.analysis.meson_limits.search_limit` (``flavour``, ``model``
    overrides, ``n``, ``seed``, ...); a dark-matter entry (``miniboone_dm_dump``, ``miniboone_dm_dump_nucleon``,
    ``dune_nd_dm_electron``) goes to :func:`darkbeam.analysis.dm_sensitivity.search_limit` (limits on Y;
    ``n``, ``seed``, ``bremsstrahlung``, ...; docs/dark_matter.md)."""
    from darkbeam.analysis.searches import load_search

    if load_search(search).spec.particle == "dark_matter":
        import numpy as np

        from darkbeam.analysis.dm_sensitivity import search_limit as _dm_limit

        return _dm_limit(search, [float(m) for m in np.atleast_1d(masses)], **options)
    from darkbeam.analysis.meson_limits import search_limit as _limit

    return _limit(search, masses, **options)


# --- one function per newer command (production, parents, shower, plane, ccqe, massmodel, rare processes) ---


def production_channels(model: Any = None, parents: Any = None) -> list:
    """Every open production channel of ``model``'s new particles in decays of mesons, taus and muons,
    as ``darkbeam production``: :class:`~darkbeam.physics.production.ProductionChannel` objects
    (``.parent``, ``.name``, ``.llp``, ``.br``, ``.width`` GeV, ``.scaling``, ``.source``); ``parents``:
    only these parent labels ('K+', 'D_s+', ...; docs/production.md)."""
    from darkbeam.physics.production import production_channels as _channels

    return _channels(as_model(model), parents=None if parents is None else list(parents))


def parent_samples(beam: Any, species: Any = None, *, mode: str = "in-flight", n: int = 2**13, seed: int = 12345,
                   **options) -> dict:
    """{species: ParentSample}: the decaying parents of a beam line per POT, as ``darkbeam parents``
    (``.decays_per_pot``, ``.p4``, ``.weight``, ``.origin``; docs/parents.md).  ``species``: a label or
    a list (default: every parent of ``mode``, 'in-flight' or 'at-rest'); ``n``, ``seed``: the beam
    model's production points and Sobol seed (``--stats``, ``--seed``); ``options`` of
    :func:`darkbeam.sources.parents.parent_sample` (``polarity``, ``site``, ``stopped_per_pot``,
    ``mass`` for 'zprime')."""
    from darkbeam.sources.parents import parent_samples as _samples

    if isinstance(species, str):
        species = [species]
    return _samples(beam, species, mode=mode, n=n, seed=seed, **options)


def shower(material: Any = "graphite", particle: str = "e-", energy: float = 10.0, showers: int = 100, *,
           seed: int = 0, cut: float = 1e-3, thickness_x0: float | None = None, dark_mass: float | None = None,
           dark_brem: str = "exact") -> Any:
    """Electromagnetic showers of ``showers`` primaries (``particle`` 'e-', 'e+', 'gamma', 'mu-' or 'mu+' of total
    ``energy`` GeV) in a thick target of ``material`` (a name or a list of (material, thickness cm)
    layers), as ``darkbeam shower``: a :class:`~darkbeam.sources.shower.transport.ShowerResult` of
    per-shower arrays (``track_length`` cm per species gamma, e-, e+, mu-, mu+; energy flow; ``dark_yield``
    {process: yields per shower at eps = 1} when ``dark_mass`` GeV is given; docs/showers.md).
    ``thickness_x0``: thickness in radiation lengths (default infinite); ``dark_brem``: 'exact' (tree-level 2 -> 3, default), 'ww' or 'iww'."""
    import math

    from darkbeam.errors import ParameterError
    from darkbeam.physics.shower.materials import shower_material
    from darkbeam.sources.shower.transport import ShowerSimulator

    target = shower_material(material) if isinstance(material, str) else material
    thickness = math.inf
    if thickness_x0 is not None:
        if not isinstance(material, str):
            raise ParameterError("give either layers (a list of (material, thickness cm)) or thickness_x0, not both")
        if not thickness_x0 > 0:
            raise ParameterError(f"thickness_x0 must be positive (radiation lengths), got {thickness_x0}")
        thickness = thickness_x0 * target.X0_cm
    sim = ShowerSimulator(target, particle, energy, cut=cut, thickness=thickness, dark_mass=dark_mass,
                          brem_model=dark_brem)
    return sim.run(showers, seed=seed)


def beam_dump_limit(search: str, masses: Any, **options) -> dict:
    """The excluded eps band per dark-photon mass (GeV) of an electron beam-dump search of the catalog
    ('e137_dark_photon'), as ``darkbeam shower --search``: the command's JSON (``rows`` with
    ``eps_lower``, ``eps_upper`` per mass).  ``options`` of
    :func:`darkbeam.analysis.beam_dump.search_limit` (``showers``, ``vectors``, ``seed``, ``energy_cut``,
    ``brem_model``, ``processes``, ``acceptance``)."""
    from darkbeam.analysis.beam_dump import search_limit as _limit

    if isinstance(masses, (int, float)):
        masses = [masses]
    return _limit(search, list(masses), **options)


def shower_events(beam: str, experiment: Any, dark_mass: float, epsilon: float = 1e-7, **options) -> Any:
    """Dark-photon events at ``experiment`` from the pi0/eta photon showers in ``beam``'s target beside
    pi0/eta -> gamma A', as ``darkbeam shower --beam B --experiment X``: a ``MesonRun`` (``.events``, an
    EventSet that reweights exactly in epsilon; ``.summary``).  ``options`` of
    :func:`darkbeam.processes.shower_llp.run_shower_events` (``n``, ``seed``, ``showers``, ``vectors``,
    ``min_energy``, ``direct``; docs/shower_events.md)."""
    from darkbeam.models import load_model
    from darkbeam.processes.shower_llp import run_shower_events

    params = load_model(None, {"mzprime": float(dark_mass), "epsilon": float(epsilon)}, base={"name": "dark photon (epsilon)"})
    return run_shower_events(params, experiment, beam=beam, **options)


def proton_dump_projection(search: str, masses: Any, **options) -> dict:
    """The epsilon edges per mass of a proton-dump dark-photon search whose parents include the target's
    photon showers ('dune_nd_dark_photon'), in total and per source ('direct' meson decays, 'shower'):
    :func:`darkbeam.analysis.proton_dump.projection` (``n``, ``seed``, ``showers``)."""
    from darkbeam.analysis.proton_dump import projection

    if isinstance(masses, (int, float)):
        masses = [masses]
    return projection(search, list(masses), **options)


def plane_limit(experiment: str, masses: Any, charge: str = "B-L", **options) -> Any:
    """The limit on a Z''s gauge coupling gX(m_Z') from a measured CEvNS or nu-e yield, as
    ``darkbeam plane``: a :class:`~darkbeam.analysis.rare_limits.PlaneLimit` (``.masses``, ``.limit``;
    ``.to_dict()`` is the command's JSON).  ``options`` of
    :func:`darkbeam.analysis.rare_limits.plane_limit` (``cl``, ``expected``, ``loop_mixing``,
    ``process``; docs/rare_limits.md)."""
    from darkbeam.analysis.rare_limits import plane_limit as _plane

    if isinstance(masses, (int, float)):
        masses = [masses]
    return _plane(experiment, charge, masses, **options)


def ccqe_xsec(energies: Any, projectile: str = "nu_mu", target: str = "C12", nucleon_model: str = "fermi-gas",
              *, free: bool = False) -> "np.ndarray":
    """Standard-model CCQE cross section in cm^2 at the neutrino energies ``energies`` (GeV), as
    ``darkbeam ccqe --energies``: per ``target`` nucleus (``nucleon_model`` 'fermi-gas', 'rfg' or
    'free'), or per free nucleon with ``free=True`` (Llewellyn Smith; docs/oscillations.md)."""
    import numpy as np

    from darkbeam.physics.ccqe import sigma_free, sigma_nucleus

    E = np.asarray(energies, dtype=float)
    if free:
        return sigma_free(E, projectile)
    return sigma_nucleus(E, projectile, target, nucleon_model=nucleon_model)


def ccqe_events(experiment: Any, oscillation: Any = None, *, flux_source: str = "auto",
                nucleon_model: str = "fermi-gas") -> dict:
    """Expected CCQE events per flavour at ``experiment`` (flux x sigma x targets x POT), as
    ``darkbeam ccqe --experiment``: ``{flavour: events}``, or with ``oscillation`` (3+N parameters as
    ``--oscillate`` takes them: 'dm41=1.3,Umu4=0.15', a mapping, or a TOML path) the pair
    ``{"events": ..., "events_oscillated": ...}``."""
    from darkbeam.analysis.ccqe_rates import experiment_ccqe_events
    from darkbeam.detectors import load_experiment
    from darkbeam.processes.cases import experiment_flux
    from darkbeam.sources.oscillated import oscillate_for_experiment, oscillation_model

    osc = oscillation_model(oscillation) if oscillation is not None else None
    exp = load_experiment(experiment) if isinstance(experiment, (str, Path)) else experiment
    flux = experiment_flux(exp, flux_source)
    base = experiment_ccqe_events(exp, flux, nucleon_model=nucleon_model)
    if osc is None:
        return base
    oflux = oscillate_for_experiment(flux, exp, osc)
    flavours = list(dict.fromkeys(list(base) + list(oflux.flavours)))
    return {"events": base, "events_oscillated": experiment_ccqe_events(exp, oflux, nucleon_model=nucleon_model,
                                                                         flavours=flavours)}


def _rare_model(model: Any) -> "ModelParameters":
    """The rare processes' model: None is the Standard Model (no new particle), as in ``darkbeam xsec
    --process nu-e|cevns``; anything else as :func:`as_model`."""
    if model is None:
        from darkbeam.models.parameters import ModelParameters

        return ModelParameters.from_dict({"name": "standard_model"})
    if isinstance(model, Mapping):
        from darkbeam.models.parameters import ModelParameters

        return ModelParameters.from_dict({"name": "standard_model", **dict(model)})
    return as_model(model)


def rare_xsec(process: str, energies: Any, target: str | None = None, projectile: str = "nu_mu",
              model: Any = None, *, sw2: float | None = None, form_factor: str | None = None,
              recoil_min: float = 0.0, recoil_max: float | None = None, magnetic_moment: float = 0.0,
              radiative: str = "none") -> "np.ndarray":
    """Cross section in cm^2 of nu e -> nu e ('nu-e', per electron) or CEvNS ('cevns', per nucleus of
    ``target``, default Cs133) at ``energies`` (GeV), as ``darkbeam xsec --process nu-e|cevns``.
    ``model``: None is the Standard Model; a mapping of parameters on top of it ({"mzprime": 0.01,
    "gzprime": 1e-5, "zprime_charge": "B-L"}) or a model, whose Z' and scalar mediate (docs/rare_scattering.md).
    ``recoil_min``/``recoil_max``: recoil window in GeV; ``radiative``: nu-e "none", "ew", "full" or
    "calorimetric" (one-loop corrections, physics/nu_electron_radiative.py; sw2 is then MSbar
    s^2(M_Z)); CEvNS "none" or "ew" (one-loop nucleon couplings with the neutrino charge radius,
    physics/cevns_radiative.py; sw2 stays the low-Q^2 value)."""
    from darkbeam.errors import ConfigurationError
    from darkbeam.models.zprime_charges import scalar_mediator, zprime_mediator
    from darkbeam.physics.cevns_radiative import check_radiative, default_sw2

    check_radiative(process, radiative, "radiative")
    sw2 = default_sw2(process, radiative) if sw2 is None else sw2
    params = _rare_model(model)
    mediator, scalar = zprime_mediator(params, sw2), scalar_mediator(params)
    if process == "nu-e":
        from darkbeam.physics.nu_electron import NuElectronXsec

        if form_factor is not None:
            raise ConfigurationError("form_factor applies to the 'cevns' process only")
        xs = NuElectronXsec(projectile, mediator, sw2, magnetic_moment, scalar, radiative=radiative)
    elif process == "cevns":
        from darkbeam.physics.cevns import CEvNSXsec

        xs = CEvNSXsec(target or "Cs133", projectile, mediator=mediator, scalar=scalar,
                       magnetic_moment=magnetic_moment, sw2=sw2, form_factor=form_factor or "helm",
                       radiative=radiative)
    else:
        raise ConfigurationError(f"unknown rare process '{process}' (choose from nu-e, cevns; "
                                 "tridents: darkbeam.trident_xsec; upscattering: darkbeam.xsec)")
    return xs.sigma(energies, t_min=recoil_min, t_max=recoil_max)


def trident_xsec(channel: str = "nu_mu -> nu_mu mu+ mu-", energies: Any = None, target: str = "Ar40",
                 regime: str = "coherent", model: Any = None, *, sw2: float | None = None,
                 form_factor: str | None = None) -> "np.ndarray":
    """Neutrino-trident cross section in cm^2 per ``target`` nucleus of ``channel`` at ``energies`` (GeV),
    as ``darkbeam xsec --process trident`` (:func:`darkbeam.physics.trident.trident_xsec`; regime
    'coherent' or a nucleon regime; docs/tridents.md).  ``model``: None is the Standard Model; a mapping
    or model with a Z' of L_mu - L_tau, L_e - L_mu or L_e - L_tau (``zprime_charge``, ``mzprime``, ``gX``)
    adds it at tree level."""
    from darkbeam import constants as C
    from darkbeam.errors import ConfigurationError
    from darkbeam.physics.trident import trident_xsec as _trident_xsec
    from darkbeam.physics.trident_channels import channel as get_channel, zprime_for_channel

    if energies is None:
        raise ConfigurationError("give the neutrino energies in GeV: trident_xsec(channel, energies=[1, 10])")
    ch = get_channel(channel)
    params = _rare_model(model)
    zprime = None
    if params.has_zprime:
        if params.zprime_charge not in ("Lmu-Ltau", "Le-Lmu", "Le-Ltau"):
            raise ConfigurationError(f"tridents take a Z' of Lmu-Ltau, Le-Lmu, Le-Ltau (zprime_charge), not "
                                     f"'{params.zprime_charge}'")
        zprime = zprime_for_channel(ch, params.zprime_charge, float(params.gX), float(params.mzprime))
    return _trident_xsec(energies, channel=ch.name, regime=regime, target=target, zprime=zprime,
                         sw2=C.SW2_LOW_Q2 if sw2 is None else sw2, form_factor_scheme=form_factor or "default")


def simulate_rare(process: str, experiment: Any, model: Any = None, *, n: int = 10_000, seed: int = 0,
                  projectiles: Any = None, **options) -> "EventSet":
    """Weighted nu-e ('nu-e', at a catalog experiment) or CEvNS ('cevns', at a COHERENT detector) events,
    as ``darkbeam generate --process nu-e|cevns``: a ScatterEvents whose ``meta["summary"]`` holds each
    case's rate (``n`` events per case; model as in :func:`rare_xsec`; ``options`` of
    :func:`darkbeam.processes.rare_scatter.simulate`: ``sw2``, ``form_factor``, ``t_min``, ``t_max``,
    ``radiative`` (nu-e "ew", "full", "calorimetric"; CEvNS "ew"))."""
    import numpy as np

    from darkbeam.processes.rare_scatter import simulate

    if process == "cevns" and isinstance(experiment, str):
        from darkbeam.detectors.cevns_detectors import cevns_detector

        experiment = cevns_detector(experiment)
    elif isinstance(experiment, (str, Path)):
        from darkbeam.detectors import load_experiment

        experiment = load_experiment(experiment)
    params = None if model is None else _rare_model(model)
    return simulate(process, experiment, params, n=n, rng=np.random.default_rng(seed),
                    projectiles=None if projectiles is None else list(projectiles), seed=seed, **options)


def simulate_dark_matter(model: Any = None, setup: str = "dune_nd", *, n: int = 20_000, seed: int = 1,
                         offset_m: float = 0.0, **options) -> "EventSet":
    """Weighted chi scattering events of light dark matter (``mchi``, ``mzprime``, ``epsilon``, ``alphaD``,
    ``dm_type``) made in the target or dump of ``setup`` ('dune_nd', 'miniboone_dump'), the detector
    ``offset_m`` off axis, as ``darkbeam generate --process dark-matter``; sum(w) = events in the recoil
    window, ``meta["summary"]`` per chi source and target (``options`` of :func:`darkbeam.processes.dark_matter.
    simulate`: ``target`` ('e' default, 'p', 'n', 'nucleus' or a list such as 'p,n'), ``n_parents``,
    ``bremsstrahlung``, ``shower``, ``vector_mesons``; docs/dark_matter.md)."""
    import numpy as np

    from darkbeam.processes.dark_matter import simulate

    return simulate(as_model(model), setup, n=n, rng=np.random.default_rng(seed), offset_m=offset_m, seed=seed,
                    **options)


def simulate_trident(experiment: Any = "dune_nd_fhc", channel: str = "nu_mu -> nu_mu mu+ mu-", *, regime: str = "coherent",
                     n: int = 10_000, seed: int = 0, **options) -> dict:
    """Weighted neutrino-trident events of ``channel`` at ``experiment``, as ``darkbeam
    generate --process trident``: the dict of :func:`darkbeam.processes.trident_events.simulate_trident`
    (arrays ``w``, ``E``, four-momenta; ``summary``; docs/tridents.md); ``options``: ``neval``, ``nitn``,
    ``n_bins``, ``params`` (a model with a lepton-flavour Z'; default the Standard Model)."""
    import numpy as np

    from darkbeam.processes.trident_events import simulate_trident as _trident

    if isinstance(experiment, (str, Path)):
        from darkbeam.detectors import load_experiment

        experiment = load_experiment(experiment)
    return _trident(experiment, channel, regime=regime, n=n, rng=np.random.default_rng(seed), seed=seed, **options)


def mass_model(model: Any) -> dict:
    """A model given by its mass matrix, as ``darkbeam massmodel``: ``model`` is a model TOML file with a
    ``[massmodel]`` table or that table as a mapping (docs/massmodel.md).  Returns ``{"parameters"``: the
    derived :class:`~darkbeam.models.ModelParameters`, ``"massmodel"``: the
    :class:`~darkbeam.models.massmodel.MassModel`, ``"spectrum"``: its Takagi diagonalisation
    (``.masses`` GeV, ``.U``), ``"notes"``: its warnings and notes ``}``
    (:func:`darkbeam.models.massmodel.model_values`)."""
    from darkbeam.models import ModelParameters
    from darkbeam.models.massmodel import model_values, read_massmodel_file

    table, data = (dict(model), {}) if isinstance(model, Mapping) else read_massmodel_file(model)
    values, mm, notes = model_values(table, data)
    return {"parameters": ModelParameters.from_dict(values), "massmodel": mm, "spectrum": mm.spectrum(), "notes": notes}


def nc_pi0_xsec(energies: Any, target: str = "C12", projectile: str = "nu_mu", *,
                channels: Any = ("coherent", "resonant"), pi0_survival: float | None = None) -> dict:
    """NC single-pi0 production nu A -> nu pi0 X per nucleus (``darkbeam xsec --process nc-pi0``;
    :class:`darkbeam.physics.nc_pi0.NCPi0Xsec`, docs/nc_pi0.md): the JSON of the command, sigma_cm2 per
    nucleus with its coherent and resonant parts and per nucleon."""
    import numpy as np

    from darkbeam.physics.nc_pi0 import NCPi0Xsec
    from darkbeam.physics.nu_electron import check_energies

    E = check_energies(np.atleast_1d(np.asarray(energies, dtype=float)))
    xs = NCPi0Xsec(target, projectile, tuple(channels), pi0_survival)
    parts = xs.sigma_channels(E)
    tot = parts["coherent"] + parts["resonant"]
    return {"unit": "cm2", "process": "nc-pi0", "projectile": projectile, "per": "nucleus", "target": xs.nucleus.name,
            "channels": list(channels), "pi0_survival": xs.survival, "energies_GeV": [float(e) for e in E],
            "sigma_cm2": [float(s) for s in tot], "coherent_cm2": [float(s) for s in parts["coherent"]],
            "resonant_cm2": [float(s) for s in parts["resonant"]],
            "per_nucleon_cm2": [float(s) / xs.nucleus.A for s in tot]}
