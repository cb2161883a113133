"""``darkbeam generate``: weighted events of upscattering and decay for a model at an experiment."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import typer

from darkbeam.cli.common import (JSON_OPTION, MODEL_OPTION, OVERWRITE_OPTION, SET_OPTION, check_choice,
                                 check_folder_creatable, check_writable, event_files, model_from_options, print_json,
                                 progress_bar, split_list)
from darkbeam.cli.main import app
from darkbeam.errors import ConfigurationError

#: process cases a run can have at most per (HNL, target, regime): the two helicities
_HELICITIES = 2
#: default name of the event file inside an --output folder
DEFAULT_NAME = "events"


@dataclass
class _Plan:
    """What a run will do, fixed before any work: its experiment, case selection and output files."""

    experiment: object
    projectiles: Optional[list[str]]
    regimes: tuple
    files: list = field(default_factory=list)            # (format, path)
    unweighted_files: list = field(default_factory=list)  # (format, path)


def _check_arguments(params, experiment, events, unweighted, output, formats, workers, projectiles, regimes,
                     flux_source, scheme, plots, overwrite) -> _Plan:
    """Every check that can be made before any work: fixed choices, numbers, output files, memory."""
    from darkbeam.detectors import load_experiment
    from darkbeam.events.memory import check_memory, min_cases
    from darkbeam.physics.xsec import PROJECTILES, REGIMES
    from darkbeam.processes.cases import DEFAULT_REGIMES
    from darkbeam.sources.select import SOURCES as FLUX_SOURCES

    if events < 100:
        raise ConfigurationError(f"--events must be at least 100 per case, got {events}")
    if workers < 1:
        raise ConfigurationError(f"--workers must be at least 1, got {workers}")
    regs = split_list("--regime", regimes)
    for r in regs or []:
        check_choice("--regime", r, REGIMES)
    projs = split_list("--projectile", projectiles)
    for p in projs or []:
        check_choice("--projectile", p, PROJECTILES)
    check_choice("--flux-source", flux_source, FLUX_SOURCES)
    check_choice("--couplings", scheme, ("darkbeam", "darknews"))
    plan = _Plan(load_experiment(experiment), projs, tuple(dict.fromkeys(regs or DEFAULT_REGIMES)))
    plan.files, plan.unweighted_files = event_files(output, formats, unweighted, overwrite, DEFAULT_NAME)
    if plots is not None:
        from darkbeam.analysis.plots import STANDARD_PLOTS

        if not plots.strip():
            raise ConfigurationError("--plots is empty")
        plots = Path(plots)
        if plots.exists() and not plots.is_dir():
            raise ConfigurationError(f"--plots needs a folder, {plots} is a file")
        check_folder_creatable(plots, what="--plots")
        for name in STANDARD_PLOTS:
            check_writable(plots / f"{name}.png", overwrite=overwrite, what="plot")
    # memory: a lower bound on the number of cases (one flavour unless --projectile; the flux is not read yet)
    n_cases = min_cases(plan.experiment, plan.regimes, n_helicities=_HELICITIES, n_hnl=params.n_hnl,
                        n_projectiles=len(projs or []))
    check_memory(events * n_cases + (unweighted or 0), f"{n_cases} process case(s) x {events} events")
    return plan


def _oscillated_flux(exp, oscillate: Optional[str], flux_source: str):
    """--oscillate: the experiment's flux seen through 3+N oscillations (None without the option, so that
    the generator reads the flux itself)."""
    if oscillate is None:
        return None
    from darkbeam.processes.cases import experiment_flux
    from darkbeam.sources.oscillated import oscillate_for_experiment, oscillation_model

    model = oscillation_model(oscillate)
    return oscillate_for_experiment(experiment_flux(exp, flux_source), exp, model)


def _oscillation_spec(oscillate: Optional[str], model: Optional[Path]) -> Optional[str]:
    """--oscillate model: the --model file (its [massmodel] drives the oscillations and the HNLs)."""
    if oscillate is None or oscillate.strip() != "model":
        return oscillate
    if model is None:
        raise ConfigurationError("--oscillate model needs --model FILE with a [massmodel] table")
    return str(model)


@app.command("generate")
def generate_command(
    experiment: Optional[str] = typer.Option(None, "--experiment", "-e", help="Experiment keyword (darkbeam experiments) or a TOML file (default: miniboone_fhc; csi_2017 with --process cevns, dune_nd_fhc with --process trident)."),
    model: Optional[Path] = MODEL_OPTION,
    sets: Optional[list[str]] = SET_OPTION,
    seed: int = typer.Option(1, "--seed", help="Seed of the event generation (same seed, same events, for any number of workers)."),
    events: int = typer.Option(20_000, "--events", "-n", help="Weighted events per process case on average (shared between cases by their error contribution, docs/generator.md)."),
    unweighted: Optional[int] = typer.Option(None, "--unweighted", help="Also write N unweighted events (accept-reject on the decay weight)."),
    output: Optional[str] = typer.Option(
        None, "--output", "-o", metavar="PATH", help="Output file name; each format's suffix is added (.parquet, .hepmc3, .hepevt). A known "
        "suffix given here (.parquet, .pq, .hepmc3, .hepmc, .hepevt) is kept and selects the format; any other dot is "
        "part of the name. A folder (existing, or ending in '/') gets "
        "events.<suffix> inside. Parent folders are created; existing files are refused without --overwrite."),
    formats: Optional[list[str]] = typer.Option(None, "--format", "-f", help="parquet | hepmc3 | hepevt (repeatable; default parquet)."),
    workers: int = typer.Option(1, "--workers", "-j", help="Parallel processes over process cases."),
    projectiles: Optional[list[str]] = typer.Option(None, "--projectile", help="Neutrino flavours (default: all in the flux)."),
    regimes: Optional[list[str]] = typer.Option(None, "--regime", help="coherent, p-el, n-el, electron (default: coherent, p-el, n-el; --process dark-matter: electron)."),
    flux_source: str = typer.Option("auto", "--flux-source", help="auto (official file; the beam model only where it is validated and the file is missing, named as a fallback), file or model."),
    scheme: str = typer.Option("darkbeam", "--couplings", help="darkbeam, or darknews: DarkNews 0.4.8's electroweak inputs and modelling choices, for comparisons (docs/generator.md)."),
    nucleon_model: Optional[str] = typer.Option(None, "--nucleon-model", help="Bound nucleons (p-el, n-el): fermi-gas (Pauli blocked) or free (default: the couplings scheme's, fermi-gas for darkbeam; docs/xsec.md)."),
    plots: Optional[str] = typer.Option(None, "--plots", metavar="PATH", help="Write the standard kinematic distributions as PNG into this folder."),
    oscillate: Optional[str] = typer.Option(
        None, "--oscillate", metavar="FILE|k=v,...", help="Oscillate the experiment's flux before generating (3+N: a "
        "TOML file with an [oscillation] table, a model file with a [massmodel] table, 'model' (the --model "
        "file's mass model: its own mixing and splittings) or inline 'dm41=1.3,Ue4=0.1,Umu4=0.15'; docs/oscillations.md)."),
    overwrite: bool = OVERWRITE_OPTION,
    as_json: bool = JSON_OPTION,
    # --- other processes: meson-decay (cli/_meson_generate.py; docs/meson_decay_limits.md), nu-e and cevns
    # (cli/_generate_rare.py; docs/rare_scattering.md)
    process: str = typer.Option("upscattering", "--process", help="upscattering (nu + target -> N + target, default), meson-decay (new particles made in decays of beam mesons), nu-e (nu e -> nu e), cevns (COHERENT detectors: --experiment csi_2017, ...), trident (--channel, --regime coherent|diffractive; SM plus an Le-Lmu, Le-Ltau or Lmu-Ltau Z' from --model/--set) or dark-matter (chi e -> chi e; --regime p-el, n-el (chi nucleon) or coherent (chi nucleus), comma lists allowed; --experiment dune_nd|miniboone_dump, --off-axis)."),
    parent_mode: Optional[str] = typer.Option(None, "--mode", help="meson-decay: parents in-flight (default) or at-rest (stopped pi+, K+ in the absorber)."),
    parents_file: Optional[str] = typer.Option(None, "--parents-file", metavar="FILE", help="meson-decay: parents from a dk2nu ROOT file or a parent table (docs/parents.md) instead of the beam model."),
    beam: Optional[str] = typer.Option(None, "--beam", help="meson-decay: beam frame of the parents (default: the experiment's [beam] frame; e.g. numi for MicroBooNE's NuMI absorber)."),
    no_brem: bool = typer.Option(False, "--no-bremsstrahlung", help="meson-decay: leave out the dark photons of proton bremsstrahlung (included for a kinetically mixed Z')."),
    channel: Optional[str] = typer.Option(None, "--channel", help="trident: the channel, e.g. 'nu_mu -> nu_mu mu+ mu-' (docs/tridents.md)."),
    radiative: Optional[str] = typer.Option(None, "--radiative", help="nu-e: one-loop radiative corrections none (default), ew, full (electron spectrum) or calorimetric (electron + photon energy); cevns: none or ew (one-loop nucleon couplings with the neutrino charge radius); docs/rare_scattering.md, sections 2a, 2b, 3a."),
    response: Optional[str] = typer.Option(None, "--detector-response", help="nu-e: smear the electron and apply the cuts of a detector: auto (the experiment's), minerva, charmii, dune_nd or lartpc_bnb; adds electron_E_smeared, electron_theta_smeared, pass_cuts (docs/rare_scattering.md, section 8a)."),
    off_axis: Optional[float] = typer.Option(None, "--off-axis", help="dark-matter: the detector moved this many m off the beam axis (DUNE-PRISM-like; docs/dark_matter.md)."),
    brem: bool = typer.Option(False, "--bremsstrahlung", help="dark-matter: add the proton-bremsstrahlung chi where the setup leaves it out (miniboone_dump: 8.9 GeV is outside the splitting function's validity; BdNMC's cuts 0.3 < z < 0.7, p_T < 0.2 GeV; flagged in the caveats and the JSON)."),
) -> None:
    """Generate weighted events (upscattering then decay; meson decays with --process meson-decay; nu-e or
    CEvNS scattering) and print the predicted numbers of events."""
    from darkbeam.cli._generate_rare import RARE_GENERATE, check_process

    check_process(process)
    if channel is not None and process != "trident":
        raise ConfigurationError("--channel is an option of --process trident")
    if radiative is not None and process not in ("nu-e", "cevns"):
        raise ConfigurationError("--radiative is an option of --process nu-e and cevns")
    if response is not None and process != "nu-e":
        raise ConfigurationError("--detector-response is an option of --process nu-e")
    if (off_axis is not None or brem) and process != "dark-matter":
        raise ConfigurationError(f"{'--off-axis' if off_axis is not None else '--bremsstrahlung'} is an option of "
                                 "--process dark-matter")
    if process == "dark-matter":  # cli/_generate_dm.py; docs/dark_matter.md
        from darkbeam.cli._generate_dm import DEFAULT_SETUP, generate_dm

        refused = {"--unweighted": unweighted is not None, "--workers": workers != 1, "--projectile": bool(projectiles),
                   "--flux-source": flux_source != "auto", "--couplings": scheme != "darkbeam",
                   "--nucleon-model": nucleon_model is not None, "--plots": plots is not None,
                   "--oscillate": oscillate is not None, "--mode": parent_mode is not None,
                   "--parents-file": parents_file is not None, "--beam": beam is not None}
        return generate_dm(experiment or DEFAULT_SETUP, model, sets, seed, events, output, formats, overwrite, as_json,
                           off_axis, no_brem, regimes, refused, brem=brem)
    if experiment is None:  # the default experiment of each process
        experiment = {"cevns": "csi_2017", "trident": "dune_nd_fhc"}.get(process, "miniboone_fhc")
    if process == "trident":
        from darkbeam.cli._generate_trident import generate_trident

        refused = {"--workers": workers != 1, "--flux-source": flux_source != "auto",
                   "--couplings": scheme != "darkbeam", "--nucleon-model": nucleon_model is not None,
                   "--plots": plots is not None, "--oscillate": oscillate is not None, "--projectile": bool(projectiles),
                   "--mode": parent_mode is not None, "--parents-file": parents_file is not None, "--beam": beam is not None,
                   "--no-bremsstrahlung": no_brem}
        return generate_trident(experiment, channel, regimes, seed, events, output, formats, overwrite, as_json,
                                refused, model=model, sets=sets, unweighted=unweighted)
    if process in RARE_GENERATE:
        from darkbeam.cli._generate_rare import generate_rare

        for opt, value in (("--mode", parent_mode), ("--parents-file", parents_file), ("--beam", beam),
                           ("--no-bremsstrahlung", True if no_brem else None)):
            if value is not None:
                raise ConfigurationError(f"{opt} is an option of --process meson-decay")
        refused = {"--workers": workers != 1, "--regime": bool(regimes),
                   "--flux-source": flux_source != "auto", "--couplings": scheme != "darkbeam",
                   "--nucleon-model": nucleon_model is not None, "--plots": plots is not None,
                   "--oscillate": oscillate is not None}
        return generate_rare(process, experiment, model, sets, seed, events, output, formats, projectiles,
                             overwrite, as_json, refused, unweighted=unweighted, radiative=radiative or "none",
                             response=response)
    from darkbeam.cli._meson_generate import dispatch

    if dispatch(process, experiment=experiment, model=model, sets=sets, seed=seed, events=events, unweighted=unweighted,
                output=output, formats=formats, overwrite=overwrite, as_json=as_json, mode=parent_mode,
                parents_file=parents_file, beam=beam, no_brem=no_brem,
                upscattering_only={"--workers": workers != 1, "--projectile": bool(projectiles), "--regime": bool(regimes),
                                   "--flux-source": flux_source != "auto", "--couplings": scheme != "darkbeam",
                                   "--nucleon-model": nucleon_model is not None, "--plots": plots is not None,
                                   "--oscillate": oscillate is not None}):
        return
    from darkbeam.processes.allocator import keep_freed_memory
    from darkbeam.processes.generator import generate

    keep_freed_memory()  # darkbeam's own process: fewer page faults, same numbers (processes/allocator.py)
    from darkbeam.processes.upscatter_decay import GenerationOptions

    from darkbeam.processes.generator import scheme_xsec_options

    model_notes: list[str] = []
    params = model_from_options(model, sets, model_notes)
    plan = _check_arguments(params, experiment, events, unweighted, output, formats, workers, projectiles, regimes,
                            flux_source, scheme, plots, overwrite)
    scheme_xsec_options(scheme, nucleon_model)  # unknown nucleon model: one line, before any work
    flux = _oscillated_flux(plan.experiment, _oscillation_spec(oscillate, model), flux_source)
    opts = GenerationOptions(neval=max(events, 50), n_batches=1)  # one pass (docs/performance.md)
    exp = plan.experiment
    with progress_bar(disable=as_json) as bar:  # no rich import with --json
        task = bar.add_task("process cases", total=None)

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{label[:60]:60s}")

        result = generate(params, exp, seed=seed, options=opts, workers=workers,
                          projectiles=plan.projectiles, regimes=plan.regimes,
                          flux_source=flux_source, couplings_scheme=scheme, progress=progress,
                          nucleon_model=nucleon_model, flux=flux)
    ev, summary = result.events, result.summary
    if output is not None:
        from darkbeam.events import unweight, write  # the writers load pyarrow: only when files are written

        for f, path in plan.files:
            write(ev, path, format=f, overwrite=True)  # existing files were refused (or --overwrite) up front
            summary.files.append(str(path))
        if unweighted is not None:
            import numpy as np

            uw = unweight(ev, unweighted, rng=np.random.default_rng(seed), on_shortfall="return")
            for f, path in plan.unweighted_files:
                write(uw, path, format=f, overwrite=True)
                summary.files.append(str(path))
    if plots is not None:
        from darkbeam.analysis.plots import standard_plots

        summary.files += [str(p) for p in standard_plots(ev, plots)]
    if as_json:
        d = summary.to_dict()
        if model_notes:
            d["model_notes"] = model_notes
        print_json(d)
        return
    from rich.console import Console

    from darkbeam.cli._summary import SUMMARY_NOTE, summary_table

    out = Console()

    out.print(summary_table(f"darkbeam generate: {summary.experiment}  (seed {summary.seed})", summary.to_dict()))
    for k, v in summary.ctau_cm.items():
        out.print(f"{k}: c*tau = {v:.4e} cm")
    out.print(f"flux: {summary.flux_provenance}", markup=False, highlight=False)
    out.print(f"decays counted in: {summary.decay_region}", markup=False, highlight=False)
    if summary.fallbacks:
        out.print(f"FALLBACKS ({len(summary.fallbacks)}): substitutes for missing data in this run:", style="bold yellow")
        for fb in summary.fallbacks:
            out.print(f"  - {fb}", markup=False, highlight=False)
    else:
        out.print("fallbacks: none")
    out.print(SUMMARY_NOTE)
    for n in model_notes:
        out.print(f"model note: {n}", markup=False, highlight=False)
    for f in summary.files:
        out.print(f"wrote {f}")
