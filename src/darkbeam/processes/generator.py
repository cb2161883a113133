"""The event generator: model + experiment -> weighted events of upscattering and decay.

:func:`generate` enumerates the process cases (:mod:`darkbeam.processes.cases`) and runs them as
steps (docs/generator.md): adapt each case's vegas map (:class:`AdaptTask`), share the run's events
between the cases by their contribution to the error of the total (:mod:`darkbeam.processes.sharing`),
sample each case in passes (:class:`PassTask`, :func:`darkbeam.processes.upscatter_decay.sample_pass`)
that write straight into the run's preallocated columns
(:class:`~darkbeam.processes.event_columns.EventColumns`), then build the
:class:`~darkbeam.events.EventSet` from views of those columns and a :class:`RunSummary`.

Parallel runs (``workers > 1``): the tasks pickle, and run in a ``concurrent.futures`` process pool
with any start method.  Reproducibility: case k draws its random numbers from
``SeedSequence(seed, spawn_key=(k, stream))`` (stream 0 adapts, 1 + j samples pass j), so the same seed
gives identical events for any number of workers.
"""

from __future__ import annotations

import copyreg
import math
import types
import uuid
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
from darkbeam.processes.allocator import keep_freed_memory
from darkbeam.processes.cases import (DEFAULT_HELICITIES, DEFAULT_REGIMES, case_label, enumerate_cases,
                                      experiment_flux, run_fallbacks)
from darkbeam.processes.event_columns import EventColumns
from darkbeam.processes.sharing import share_events
from darkbeam.processes.upscatter_decay import (
    _SUMS,
    Adapted,
    CaseResult,
    CaseSetup,
    GenerationOptions,
    PassResult,
    adapt_case,
    channel_labels,
    channel_name,
    channel_pdg,
    final_channels,
    nucleus_pdg,
    sample_pass,
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
    #: decays inside the detector with a visible final daughter (charged, photon or hadron;
    #: darkbeam.events.visibility); the invisible ones (N -> 3 nu, ...) are the rest
    decay_in_detector_visible: float = 0.0
    decay_in_detector_visible_err: float = 0.0
    decay_in_detector_invisible: float = 0.0
    decay_in_detector_invisible_err: float = 0.0
    n_events: int = 0
    files: list[str] = field(default_factory=list)
    ctau_cm: dict = field(default_factory=dict)
    #: substitutes for missing data (flux, nuclear masses, form factors, production points), one line each
    fallbacks: list[str] = field(default_factory=list)
    #: the volume in which the decays are counted (Experiment.upscattering_decay_region's name)
    decay_region: str = ""

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
            "decay_in_detector_visible": self.decay_in_detector_visible,
            "decay_in_detector_visible_err": self.decay_in_detector_visible_err,
            "decay_in_detector_invisible": self.decay_in_detector_invisible,
            "decay_in_detector_invisible_err": self.decay_in_detector_invisible_err,
            "n_events": self.n_events,
            "ctau_cm": {k: (v if math.isfinite(v) else None) for k, v in self.ctau_cm.items()},
            "cases": self.cases,
            "decay_region": self.decay_region,
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


# ---------------------------------------------------------------------------------- tasks
def _mappingproxy(d):
    return types.MappingProxyType(d)


# experiments keep their geometry in read-only mapping proxies: pickle them as the dicts they wrap
copyreg.pickle(types.MappingProxyType, lambda m: (_mappingproxy, (dict(m),)))


@dataclass
class RunContext:
    """The inputs of a run, picklable: every process rebuilds the case set-ups (cross sections, decay
    tables, samplers: closures that do not pickle) from them once, cached by ``token``."""

    token: str
    model: ModelParameters
    scheme: str
    experiment: Experiment
    flux: Flux
    options: GenerationOptions
    xsec_options: dict
    seed: int
    specs: list

    def _cache(self) -> dict:
        cache = _SETUPS.get(self.token)
        if cache is None:
            _SETUPS.clear()  # one run at a time per process
            cache = _SETUPS[self.token] = {}
        return cache

    def decays(self, hnl: int):
        """(decay table, final channels) of N{hnl}, built once per process."""
        cache = self._cache()
        if ("decays", hnl) not in cache:
            tbl = decay_table(self.model, f"N{hnl}")
            cache[("decays", hnl)] = (tbl, final_channels(self.model, tbl))
        return cache[("decays", hnl)]

    def setup(self, case: int) -> CaseSetup:
        cache = self._cache()
        if case not in cache:
            if "couplings" not in cache:
                cache["couplings"] = _couplings(self.model, self.scheme)
                cache["production"] = self.experiment.production_model(warn=False)  # ~1 ms: once, not per case
            cache[case] = CaseSetup(self.specs[case], self.model, cache["couplings"], self.experiment, self.flux,
                                    self.options, self.xsec_options, self.decays(self.specs[case].xs_case.hnl),
                                    cache["production"])
        return cache[case]

    def rng(self, case: int, stream: int) -> np.random.Generator:
        """Random numbers of case ``case``: stream 0 adapts, stream 1 + j samples pass j.  The same
        for any number of workers and any order of the tasks."""
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(case, stream)))


#: start method of the worker processes (None: the platform's default; tasks pickle, so any works)
START_METHOD: str | None = None

#: per-process cache of the case set-ups of the run in progress (RunContext.setup)
_SETUPS: dict = {}


@dataclass
class AdaptTask:
    """Adapt the vegas map of one case."""

    ctx: RunContext
    case: int

    def run(self) -> Adapted:
        return adapt_case(self.ctx.setup(self.case), self.ctx.options, self.ctx.rng(self.case, 0))


@dataclass
class PassTask:
    """One sampling pass of one case; without ``out`` its events come back in the result's block."""

    ctx: RunContext
    case: int
    index: int
    adapted: Adapted
    neval: int
    channel_index: np.ndarray

    def run(self, out: EventColumns | None = None) -> PassResult:
        block = EventColumns(self.neval) if out is None else out
        res = sample_pass(self.ctx.setup(self.case), self.adapted, self.neval, self.ctx.options.n_batches,
                          self.ctx.rng(self.case, 1 + self.index), block, self.channel_index, self.index)
        if out is None:
            res.block = block.trimmed()
        return res


def _run_task(task):
    keep_freed_memory()  # in a worker process (once per process)
    return task.run()


def _run_tasks(tasks: list, pool):
    """Results of the tasks in their order (serially without a pool)."""
    if pool is None:
        return (t.run() for t in tasks)
    return pool.map(_run_task, tasks)


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
        name=case_label(case, res.antiparticle),
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
    share_events([], 0.0, allocation=opts.allocation, floor=opts.case_floor)  # bad options: one line, now
    ctx = RunContext(uuid.uuid4().hex, model, couplings_scheme, exp, fl, opts, xsec_opts, int(seed), [])
    for k in range(model.n_hnl):
        if not ctx.decays(4 + k)[0].channels:
            raise KinematicsError(f"N{4 + k} has no open decay channel in this model: nothing to generate")
    specs = enumerate_cases(model, exp, fl, projectiles=projectiles, regimes=regimes, helicities=helicities)
    if not specs:
        raise KinematicsError(
            f"no process case is open for this model at {exp.keyword} (threshold above the flux or no coupling)"
        )
    seed = int(seed)
    ctx.specs = specs
    # the allocator tuning (processes/allocator.py) is done by darkbeam's own processes only: the command
    # (cli/generate.py) and the workers below; a Python session calling generate() keeps its allocator
    results = [CaseResult(s) for s in specs]
    pool = None
    if workers > 1 and len(specs) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor  # lazily: only parallel runs need it

        ctx_mp = multiprocessing.get_context(START_METHOD) if START_METHOD else None
        pool = ProcessPoolExecutor(max_workers=min(workers, len(specs)), mp_context=ctx_mp)
    try:
        # 1. adapt every case (known after it: each case's rate and error per point)
        adapted = list(_run_tasks([AdaptTask(ctx, s.index) for s in specs], pool))
        # 2. share the events, 3. the channel table of the run, 4. sample the passes into the columns
        neval = _share(adapted, opts, len(specs))
        ch_tables = _channel_tables(results, adapted, model, specs, ctx)
        columns = EventColumns(sum(neval) * opts.n_batches)
        tasks = [PassTask(ctx, a.case, j, a, neval[a.case], ch_tables[1][a.case])
                 for a in adapted if not a.skipped for j in range(opts.n_batches)]
        left = {a.case: opts.n_batches for a in adapted if not a.skipped}
        done = sum(1 for a in adapted if a.skipped)
        for t, p in zip(tasks, (t.run(columns) for t in tasks) if pool is None else pool.map(_run_task, tasks)):
            if p.block is not None:
                columns.append(p.block)
                p.block = None
            results[t.case].add_pass(p, opts.n_batches)
            left[t.case] -= 1
            if left[t.case] == 0:
                done += 1
                if progress:
                    progress(done, len(specs), specs[t.case].label)
    finally:
        if pool is not None:
            pool.shutdown()
    for a in adapted:
        if a.skipped:
            results[a.case].skipped = a.skipped
    return _assemble(results, columns, ch_tables[0], model, exp, fl, seed, opts, couplings_scheme, xsec_opts)


def _share(adapted: list[Adapted], opts: GenerationOptions, n_cases: int) -> list[int]:
    """vegas points per pass of each case (0 for a skipped one): the run's n_cases x neval x n_batches
    events shared by :func:`darkbeam.processes.sharing.share_events`."""
    open_ = [a for a in adapted if not a.skipped]
    total = float(opts.neval) * len(open_)
    shares = share_events([a.sdev * math.sqrt(a.n_eval) for a in open_], total, allocation=opts.allocation,
                          floor=opts.case_floor)
    out = [0] * n_cases
    for a, n in zip(open_, shares):
        out[a.case] = max(int(round(n)), MIN_NEVAL)
    return out


#: fewest vegas points of a sampling pass
MIN_NEVAL = 50


def _channel_tables(results, adapted, model, specs, ctx):
    """The run's channel table (ChannelInfo, in order of first appearance over the open cases) and,
    per case, the table index of each of its final channels."""
    channels: list[ChannelInfo] = []
    index: dict[str, int] = {}
    per_case: list[np.ndarray] = [np.zeros(0, dtype=np.uint16)] * len(specs)
    for a in adapted:
        setup = ctx.setup(a.case)
        res = results[a.case]
        res.channels, res.antiparticle, res.threshold = setup.finals, setup.antiparticle, setup.threshold
        res.ctau_cm = setup.table.ctau_cm
        if a.skipped:
            continue
        local = np.empty(len(setup.finals), dtype=np.uint16)
        for j, fc in enumerate(setup.finals):
            labels = channel_labels(fc, setup.antiparticle)
            name = channel_name(fc, specs[a.case].xs_case.hnl, setup.antiparticle)
            if name not in index:
                index[name] = len(channels)
                inter = fc.first.daughters[-1] if fc.second is not None else None
                channels.append(ChannelInfo(
                    name=name,
                    daughters=channel_pdg(labels),
                    masses=tuple(mass_of(d, model) for d in labels),
                    intermediate=pdg_code(inter) if inter else 0,
                    m_intermediate=mass_of(inter, model) if inter else 0.0,
                    n_from_intermediate=len(fc.second.daughters) if fc.second is not None else 0,
                ))
            local[j] = index[name]
        per_case[a.case] = local
    return channels, per_case


def _summary_row(name: str, res: CaseResult) -> dict:
    row = {"case": name}
    for q in _SUMS:
        row[q] = getattr(res, q)
        row[q + "_err"] = getattr(res, q + "_err")
    row["n_events"] = res.n_events
    return row


def _assemble(results, columns: EventColumns, channels, model, exp, fl, seed, opts, scheme,
              xsec_opts=None) -> RunResult:
    """The run's summary (sums over the cases, errors added in quadrature) and its EventSet, whose
    columns are views of ``columns``."""
    summary = RunSummary(exp.keyword, fl.provenance, int(seed))
    region = exp.upscattering_decay_region
    summary.decay_region = getattr(region, "name", "") or exp.upscattering_decays
    summary.fallbacks = run_fallbacks(exp, fl, nuclear_ff=SCHEME_XSEC_OPTIONS[scheme].get("nuclear_ff", "default"),
                                      regimes={res.spec.xs_case.regime for res in results})
    cases = [_case_info(res, model) for res in results]
    var = dict.fromkeys(_SUMS, 0.0)
    for info, res in zip(cases, results):
        summary.cases.append(_summary_row(info.name, res))
        for q in _SUMS:
            setattr(summary, q, getattr(summary, q) + getattr(res, q))
            var[q] += getattr(res, q + "_err") ** 2
        summary.ctau_cm[f"N{res.spec.xs_case.hnl}"] = res.ctau_cm
    for q in _SUMS:
        setattr(summary, q + "_err", math.sqrt(var[q]))
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
                    "neval_adapt": opts.neval_adapt, "allocation": opts.allocation, "case_floor": opts.case_floor},
        "upscattered": summary.upscattered,
        "upscattered_err": summary.upscattered_err,
        "decay_in_detector": summary.decay_in_detector,
        "decay_in_detector_err": summary.decay_in_detector_err,
        "decay_in_detector_visible": summary.decay_in_detector_visible,
        "decay_in_detector_visible_err": summary.decay_in_detector_visible_err,
        "decay_region": summary.decay_region,
        "flux_averaged_xsec_cm2": xsec_avg,
        "flux_averaged_xsec_err_cm2": xsec_err,
    }
    if columns.n == 0:
        raise KinematicsError("no events were generated (every case is closed)")
    # checked while sampling (finite columns, weights >= 0, probabilities in [0, 1]): no second pass
    events = EventSet(columns.as_columns(), cases, channels, meta, validate=False)
    summary.n_events = len(events)
    return RunResult(events, summary)
