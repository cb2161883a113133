"""``darkbeam generate``: weighted events of upscattering and decay for a model at an experiment."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from darkbeam.cli.common import JSON_OPTION, MODEL_OPTION, SET_OPTION, model_from_options, print_json
from darkbeam.cli.main import app
from darkbeam.errors import ConfigurationError

FORMAT_SUFFIX = {"parquet": ".parquet", "hepmc3": ".hepmc3", "hepevt": ".hepevt"}


def _split(values: Optional[list[str]]) -> Optional[list[str]]:
    if not values:
        return None
    out: list[str] = []
    for v in values:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


@app.command("generate")
def generate_command(
    experiment: str = typer.Option("miniboone_fhc", "--experiment", "-e", help="Experiment keyword (darkbeam experiments) or a TOML file."),
    model: Optional[Path] = MODEL_OPTION,
    sets: Optional[list[str]] = SET_OPTION,
    seed: int = typer.Option(1, "--seed", help="Random seed (same seed, same events, for any number of workers)."),
    events: int = typer.Option(20_000, "--events", "-n", help="Weighted events per process case (vegas points per sampling pass x passes)."),
    unweighted: Optional[int] = typer.Option(None, "--unweighted", help="Also write N unweighted events (accept-reject on the decay weight)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output path without suffix (default: no files)."),
    formats: Optional[list[str]] = typer.Option(None, "--format", "-f", help="parquet | hepmc3 | hepevt (repeatable; default parquet)."),
    workers: int = typer.Option(1, "--workers", "-j", help="Parallel processes over process cases."),
    projectiles: Optional[list[str]] = typer.Option(None, "--projectile", help="Neutrino flavours (default: all in the flux)."),
    regimes: Optional[list[str]] = typer.Option(None, "--regime", help="coherent, p-el, n-el, electron (default: coherent, p-el, n-el)."),
    flux_source: str = typer.Option("auto", "--flux-source", help="auto (official file; the beam model only where it is validated and the file is missing, named as a fallback), file or model."),
    scheme: str = typer.Option("darkbeam", "--couplings", help="darkbeam, or darknews: DarkNews 0.4.8's electroweak inputs and modelling choices, for comparisons (docs/generator.md)."),
    nucleon_model: Optional[str] = typer.Option(None, "--nucleon-model", help="Bound nucleons (p-el, n-el): fermi-gas (Pauli blocked) or free (default: the couplings scheme's, fermi-gas for darkbeam; docs/xsec.md)."),
    plots: Optional[Path] = typer.Option(None, "--plots", help="Write the standard kinematic distributions as PNG into this folder."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Generate weighted events (upscattering then decay) and print the predicted numbers of events."""
    from darkbeam.events import unweight, write
    from darkbeam.processes.cases import DEFAULT_REGIMES
    from darkbeam.processes.generator import generate
    from darkbeam.processes.upscatter_decay import GenerationOptions

    from darkbeam.sources.select import check_source

    flux_source = check_source(flux_source, "--flux-source")
    params = model_from_options(model, sets)
    from darkbeam.processes.generator import scheme_xsec_options

    scheme_xsec_options(scheme, nucleon_model)  # unknown scheme or nucleon model: one line, before any work
    if events < 100:
        raise ConfigurationError(f"--events must be at least 100 per case, got {events}")
    fmts = _split(formats) or ["parquet"]
    for f in fmts:
        if f not in FORMAT_SUFFIX:
            raise ConfigurationError(f"unknown format '{f}' (choose parquet, hepmc3 or hepevt)")
    if unweighted is not None and unweighted < 1:
        raise ConfigurationError("--unweighted must be a positive number of events")
    if output is not None and not output.parent.exists():
        raise ConfigurationError(f"output folder {output.parent} does not exist")
    opts = GenerationOptions(neval=max(events // 2, 50), n_batches=2)
    from darkbeam.detectors import load_experiment

    exp = load_experiment(experiment)  # bad names fail here, before any progress bar is drawn
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=as_json or not console.is_terminal) as bar:
        task = bar.add_task("process cases", total=None)

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{label[:60]:60s}")

        result = generate(params, exp, seed=seed, options=opts, workers=workers,
                          projectiles=_split(projectiles), regimes=tuple(_split(regimes) or DEFAULT_REGIMES),
                          flux_source=flux_source, couplings_scheme=scheme, progress=progress, nucleon_model=nucleon_model)
    ev, summary = result.events, result.summary
    if output is not None:
        for f in fmts:
            path = output.with_suffix(FORMAT_SUFFIX[f]) if output.suffix != FORMAT_SUFFIX[f] else output
            write(ev, path, format=f)
            summary.files.append(str(path))
        if unweighted is not None:
            import numpy as np

            uw = unweight(ev, unweighted, rng=np.random.default_rng(seed), on_shortfall="return")
            for f in fmts:
                path = output.with_name(output.stem + "_unweighted").with_suffix(FORMAT_SUFFIX[f])
                write(uw, path, format=f)
                summary.files.append(str(path))
    if plots is not None:
        from darkbeam.analysis.plots import standard_plots

        summary.files += [str(p) for p in standard_plots(ev, plots)]
    if as_json:
        print_json(summary.to_dict())
        return
    out = Console()
    t = Table(title=f"darkbeam generate: {summary.experiment}  (seed {summary.seed})")
    for col in ("process case", "upscattered", "decays in detector", "events"):
        t.add_column(col, justify="right" if col != "process case" else "left")
    for c in summary.cases:
        t.add_row(c["case"], f"{c['upscattered']:.4g} ± {c['upscattered_err']:.2g}",
                  f"{c['decay_in_detector']:.4g} ± {c['decay_in_detector_err']:.2g}", str(c["n_events"]))
    t.add_row("total", f"{summary.upscattered:.4g} ± {summary.upscattered_err:.2g}",
              f"{summary.decay_in_detector:.4g} ± {summary.decay_in_detector_err:.2g}", str(summary.n_events), style="bold")
    out.print(t)
    for k, v in summary.ctau_cm.items():
        out.print(f"{k}: c*tau = {v:.4e} cm")
    out.print(f"flux: {summary.flux_provenance}", markup=False, highlight=False)
    if summary.fallbacks:
        out.print(f"FALLBACKS ({len(summary.fallbacks)}): substitutes for missing data in this run:", style="bold yellow")
        for fb in summary.fallbacks:
            out.print(f"  - {fb}", markup=False, highlight=False)
    else:
        out.print("fallbacks: none")
    out.print("numbers of events for the experiment's exposure; 'decays in detector' includes every decay channel")
    for f in summary.files:
        out.print(f"wrote {f}")
