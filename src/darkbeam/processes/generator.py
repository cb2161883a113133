"""The event generator: model + experiment -> weighted events of upscattering and decay.

:func:`generate` enumerates the process cases (:mod:`darkbeam.processes.cases`), runs each with
:func:`darkbeam.processes.upscatter_decay.run_case` (in parallel processes when ``workers > 1``) and
joins the results into one :class:`~darkbeam.events.EventSet` and a :class:`RunSummary`.

Reproducibility: case k draws all its random numbers from child k of ``SeedSequence(seed)``, so the
same seed gives identical events for any number of workers.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from darkbeam import __version__
from darkbeam.detectors.catalog import Experiment, load_experiment, parse_nucleus
from darkbeam.errors import ConfigurationError, KinematicsError
from darkbeam.events import EventSet
from darkbeam.events.tables import CaseInfo, ChannelInfo
from darkbeam.models.couplings import Couplings, darknews_couplings
from darkbeam.models.parameters import ModelParameters
from darkbeam.physics.decays import decay_table
from darkbeam.physics.particles import mass_of, pdg_code
from darkbeam.processes.cases import (DEFAULT_HELICITIES, DEFAULT_REGIMES, CaseSpec, enumerate_cases, experiment_flux,
                                      run_fallbacks)
from darkbeam.processes.upscatter_decay import (
    CaseResult,
    GenerationOptions,
    channel_labels,
    channel_name,
    channel_pdg,
    final_channels,
    nucleus_pdg,
    run_case,
)
from darkbeam.sources.flux import Flux


@dataclass
class RunSummary:
    """Predicted numbers of events for the experiment's exposure, per case and in total."""

    experiment: str
    flux_provenance: str
    seed: int
    cases: list[dict] = field(default_factory=list)
    upscattered: float = 0.0
    upscattered_err: float = 0.0
    decay_in_detector: float = 0.0
    decay_in_detector_err: float = 0.0
    n_events: int = 0
    files: list[str] = field(default_factory=list)
    ctau_cm: dict = field(default_factory=dict)
    #: substitutes for missing data (flux, nuclear masses, form factors, production points), one line each
    fallbacks: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment,
            "flux": self.flux_provenance,
            "fallbacks": list(self.fallbacks),
            "seed": self.seed,
            "upscattered": self.upscattered,
            "upscattered_err": self.upscattered_err,
            "decay_in_detector": self.decay_in_detector,
            "decay_in_detector_err": self.decay_in_detector_err,
            "n_events": self.n_events,
            "ctau_cm": {k: (v if math.isfinite(v) else None) for k, v in self.ctau_cm.items()},
            "cases": self.cases,
            "files": self.files,
        }


@dataclass
class RunResult:
    events: EventSet
    summary: RunSummary


#: cross-section options of each coupling scheme: 'darknews' mirrors DarkNews 0.4.8's modelling choices
#: (N helicity defined in the centre-of-momentum frame, the nucleus as a point Dirac fermion,
#: Fourier-Bessel charge form factor for every coupling, free bound nucleons without Pauli blocking;
#: docs/xsec_vs_darknews.md) for side-by-side runs; it also starts the energy integral at 1.05 x threshold as DarkNews does (docs/generator.md)
SCHEME_XSEC_OPTIONS = {
    "darkbeam": {},
    "darknews": {"frame": "cm", "coherent_spin": 0.5, "nuclear_ff": "fourier-bessel", "nucleon_model": "free"},
}


def scheme_xsec_options(scheme: str, nucleon_model: str | None = None) -> dict:
    """Cross-section options of a run: the scheme's (:data:`SCHEME_XSEC_OPTIONS`), with an explicit
    ``nucleon_model`` ('fermi-gas' or 'free') replacing the scheme's treatment of bound nucleons."""
    from darkbeam.physics.nuclear_response import NUCLEON_MODELS

    if scheme not in SCHEME_XSEC_OPTIONS:
        raise ConfigurationError(f"unknown coupling scheme '{scheme}' (darkbeam or darknews)")
    opts = dict(SCHEME_XSEC_OPTIONS[scheme])
    if nucleon_model is not None:
        if nucleon_model not in NUCLEON_MODELS:
            raise ConfigurationError(f"unknown nucleon model '{nucleon_model}' (choose from {', '.join(NUCLEON_MODELS)})")
        opts["nucleon_model"] = nucleon_model
    return opts


def _couplings(params: ModelParameters, scheme: str) -> Couplings:
    if scheme == "darkbeam":
        return Couplings(params)
    if scheme == "darknews":
        return darknews_couplings(params)
    raise ConfigurationError(f"unknown coupling scheme '{scheme}' (darkbeam or darknews)")


def _worker(args):
    spec, params, scheme, exp, flux, opts, seed, decays, xsec_opts = args
    return run_case(spec, params, _couplings(params, scheme), exp, flux, opts, seed, xsec_opts, decays[spec.xs_case.hnl])


#: jobs of the run in progress, inherited by forked worker processes (experiments, fluxes and decay
#: channels hold closures and mapping proxies that do not pickle; only results travel back)
_JOBS: list = []


def _forked_worker(i: int) -> CaseResult:
    res = _worker(_JOBS[i])
    res.channels = []  # closures do not pickle: the parent rebuilds them (final_channels is deterministic)
    return res


def _case_info(res: CaseResult, params: ModelParameters) -> CaseInfo:
    case = res.spec.xs_case
    Z, A = parse_nucleus(case.target)
    if case.regime == "coherent":
        tgt = nucleus_pdg(Z, A)
        m_t = case.nucleus.mass
    elif case.regime == "p-el":
        tgt, m_t = pdg_code("p"), mass_of("p")
    elif case.regime == "n-el":
        tgt, m_t = pdg_code("n"), mass_of("n")
    else:
        tgt, m_t = pdg_code("e-"), mass_of("e-")
    hnl = pdg_code(f"N{case.hnl}") * (-1 if res.antiparticle else 1)
    return CaseInfo(
        name=f"{case.label()}",
        projectile=pdg_code(case.projectile),
        target=tgt,
        hnl=hnl,
        m_target=m_t,
        m_hnl=params.hnl_masses[case.hnl - 4],
        regime=case.regime,
        description="upscattering nu T -> N T (darkbeam physics.upscattering; 1807.09877, 1808.02915, 2207.04137)",
    )


def generate(
    model: ModelParameters,
    experiment: str | Experiment = "miniboone_fhc",
    *,
    seed: int = 1,
    options: GenerationOptions | None = None,
    workers: int = 1,
    projectiles=None,
    regimes=DEFAULT_REGIMES,
    helicities=DEFAULT_HELICITIES,
    flux: Flux | None = None,
    flux_source: str = "auto",
    couplings_scheme: str = "darkbeam",
    progress: Optional[Callable[[int, int, str], None]] = None,
    nucleon_model: str | None = None,
) -> RunResult:
    """Generate weighted events of upscattering and decay for ``model`` at ``experiment``.

    ``options``: vegas statistics per case; ``workers``: parallel processes over cases;
    ``projectiles``: neutrino flavours (default: every flavour in the flux); ``regimes``,
    ``helicities``: which process cases; ``flux``: override the experiment's flux;
    ``couplings_scheme``: 'darkbeam' (default) or 'darknews' (DarkNews 0.4.8's electroweak inputs and
    modelling choices, :data:`SCHEME_XSEC_OPTIONS`, for side-by-side checks); ``nucleon_model``:
    'fermi-gas' or 'free' bound nucleons (default: the scheme's; docs/xsec.md section 6a; recorded in the
    metadata as ``xsec_options`` for the reweighting); ``progress(done, total, label)`` is called after
    each case.
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigurationError(f"seed must be a non-negative integer, got {seed!r}")
    if workers < 1:
        raise ConfigurationError("workers must be >= 1")
    opts = options or GenerationOptions()
    if couplings_scheme == "darknews" and opts.threshold_factor == 1.0:
        from dataclasses import replace

        opts = replace(opts, threshold_factor=1.05)
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    fl = flux if flux is not None else experiment_flux(exp, flux_source)
    _couplings(model, couplings_scheme)
    xsec_opts = scheme_xsec_options(couplings_scheme, nucleon_model)
    decays = {}
    for k in range(model.n_hnl):
        tbl = decay_table(model, f"N{4 + k}")
        if not tbl.channels:
            raise KinematicsError(f"N{4 + k} has no open decay channel in this model: nothing to generate")
        decays[4 + k] = (tbl, final_channels(model, tbl))
    specs = enumerate_cases(model, exp, fl, projectiles=projectiles, regimes=regimes, helicities=helicities)
    if not specs:
        raise KinematicsError(
            f"no process case is open for this model at {exp.keyword} (threshold above the flux or no coupling)"
        )
    seeds = np.random.SeedSequence(seed).spawn(len(specs))
    jobs = [(s, model, couplings_scheme, exp, fl, opts, seeds[s.index], decays, xsec_opts) for s in specs]
    results: list[CaseResult | None] = [None] * len(specs)
    if workers == 1 or len(specs) == 1:
        for j in jobs:
            results[j[0].index] = _worker(j)
            if progress:
                progress(sum(r is not None for r in results), len(specs), j[0].label)
    else:
        import multiprocessing as mp
        from concurrent.futures import as_completed

        global _JOBS
        _JOBS = jobs
        try:
            ctx = mp.get_context("fork")
            with ProcessPoolExecutor(max_workers=min(workers, len(specs)), mp_context=ctx) as pool:
                futures = {pool.submit(_forked_worker, j[0].index): j[0].index for j in jobs}
                for fut in as_completed(futures):
                    i = futures[fut]
                    results[i] = fut.result()
                    if progress:
                        progress(sum(r is not None for r in results), len(specs), specs[i].label)
        finally:
            _JOBS = []
        for res in results:
            res.channels = decays[res.spec.xs_case.hnl][1]
    return _assemble(results, model, exp, fl, seed, opts, couplings_scheme, xsec_opts)


def _assemble(results, model, exp, fl, seed, opts, scheme, xsec_opts=None) -> RunResult:
    cases: list[CaseInfo] = []
    channels: list[ChannelInfo] = []
    ch_index: dict[str, int] = {}
    parts: dict[str, list] = {k: [] for k in ("case", "channel", "w_rate", "br", "p_decay", "Q2", "l1", "l2", "ctau",
                                             "l_decay", "vertex", "p_nu", "p_recoil", "p_hnl", "p_daughters")}
    summary = RunSummary(exp.keyword, fl.provenance, int(seed))
    summary.fallbacks = run_fallbacks(exp, fl, nuclear_ff=SCHEME_XSEC_OPTIONS[scheme].get("nuclear_ff", "default"),
                                      regimes={res.spec.xs_case.regime for res in results})
    var_up = var_dec = 0.0
    for ci, res in enumerate(results):
        info = _case_info(res, model)
        cases.append(info)
        summary.cases.append({
            "case": info.name,
            "upscattered": res.upscattered,
            "upscattered_err": res.upscattered_err,
            "decay_in_detector": res.decay_in_detector,
            "decay_in_detector_err": res.decay_in_detector_err,
            "n_events": res.n_events,
        })
        summary.upscattered += res.upscattered
        summary.decay_in_detector += res.decay_in_detector
        var_up += res.upscattered_err**2
        var_dec += res.decay_in_detector_err**2
        summary.ctau_cm[f"N{res.spec.xs_case.hnl}"] = res.ctau_cm
        if res.n_events == 0:
            continue
        local = np.empty(len(res.channels), dtype=np.int64)
        for j, fc in enumerate(res.channels):
            labels = channel_labels(fc, res.antiparticle)
            name = channel_name(fc, res.spec.xs_case.hnl, res.antiparticle)
            if name not in ch_index:
                ch_index[name] = len(channels)
                inter = fc.first.daughters[-1] if fc.second is not None else None
                channels.append(ChannelInfo(
                    name=name,
                    daughters=channel_pdg(labels),
                    masses=tuple(mass_of(d, model) for d in labels),
                    intermediate=pdg_code(inter) if inter else 0,
                    m_intermediate=mass_of(inter, model) if inter else 0.0,
                    n_from_intermediate=len(fc.second.daughters) if fc.second is not None else 0,
                ))
            local[j] = ch_index[name]
        c = res.columns
        brs = np.array([fc.br for fc in res.channels])
        br = brs[c["ch"]]
        n = res.n_events
        parts["case"].append(np.full(n, ci, dtype=np.uint16))
        parts["channel"].append(local[c["ch"]].astype(np.uint16))
        parts["w_rate"].append(c["w_up"] / br)
        parts["br"].append(br)
        parts["p_decay"].append(c["p_decay"])
        parts["Q2"].append(c["Q2"])
        parts["l1"].append(c["l1"])
        parts["l2"].append(c["l2"])
        parts["ctau"].append(np.full(n, res.ctau_cm))
        parts["l_decay"].append(c["l_dec"])
        parts["vertex"].append(c["vertex"])
        parts["p_nu"].append(c["p_nu"])
        parts["p_recoil"].append(c["p_rec"])
        parts["p_hnl"].append(c["p_hnl"])
        parts["p_daughters"].append(c["p_dau"])
    summary.upscattered_err = math.sqrt(var_up)
    summary.decay_in_detector_err = math.sqrt(var_dec)
    # flux-averaged total cross section per target atom (NuHepMC G.R.5): events / (POT x flux x atoms),
    # the flux integrated over the generated energy range and summed over the projectiles used
    e_lo, e_hi = max(exp.energy_range[0], fl.energy_range[0]), min(exp.energy_range[1], fl.energy_range[1])
    projectiles = sorted({res.spec.xs_case.projectile for res in results})
    phi = sum(fl.integrate(p_, e_lo, e_hi) for p_ in projectiles)
    atoms = sum(exp.n_targets().values())
    norm = exp.pot * phi * atoms
    xsec_avg = summary.upscattered / norm if norm > 0 else None
    xsec_err = summary.upscattered_err / norm if norm > 0 else None
    meta = {
        "generator": f"darkbeam {__version__}",
        "model": model.model_dump(exclude_none=True),
        "experiment": exp.keyword,
        "exposure_pot": exp.pot,
        "exposure_unit": exp.exposure_unit,
        "seed": int(seed),
        "flux": fl.provenance,
        "fallbacks": list(summary.fallbacks),
        "couplings_scheme": scheme,
        "xsec_options": dict(xsec_opts if xsec_opts is not None else SCHEME_XSEC_OPTIONS[scheme]),
        "options": {"neval": opts.neval, "n_batches": opts.n_batches, "nitn_adapt": opts.nitn_adapt,
                    "neval_adapt": opts.neval_adapt},
        "upscattered": summary.upscattered,
        "upscattered_err": summary.upscattered_err,
        "decay_in_detector": summary.decay_in_detector,
        "decay_in_detector_err": summary.decay_in_detector_err,
        "flux_averaged_xsec_cm2": xsec_avg,
        "flux_averaged_xsec_err_cm2": xsec_err,
    }
    cat = {k: np.concatenate(v) if v else np.zeros((0,)) for k, v in parts.items()}
    if not parts["case"]:
        raise KinematicsError("no events were generated (every case is closed)")
    events = EventSet.from_kinematics(
        case=cat["case"], channel=cat["channel"], w_rate=cat["w_rate"], br=cat["br"], p_decay=cat["p_decay"],
        Q2=cat["Q2"], l1=cat["l1"], l2=cat["l2"], ctau=cat["ctau"], l_decay=cat["l_decay"], vertex=cat["vertex"],
        p_nu=cat["p_nu"], p_recoil=cat["p_recoil"], p_hnl=cat["p_hnl"], p_daughters=cat["p_daughters"],
        cases=cases, channels=channels, meta=meta,
    )
    summary.n_events = len(events)
    return RunResult(events, summary)
