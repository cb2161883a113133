"""``darkbeam scan``: a parameter plane (masses generated, couplings reweighted) -> limits and contours."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from darkbeam.cli.common import JSON_OPTION, print_json
from darkbeam.cli.main import app
from darkbeam.errors import ConfigurationError


@app.command("scan")
def scan_command(
    config: Path = typer.Argument(..., help="Scan configuration (TOML; see docs/scans.md and examples/)."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="PATH", help="Output folder (default: [scan] output, else <name>_scan)."),
    workers: int = typer.Option(1, "--workers", "-j", help="Local worker processes, or Dask workers of a LocalCluster."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of a Dask scheduler (tcp://host:8786)."),
    executor: str = typer.Option("auto", "--executor", help="auto | serial | processes | dask (dask without --scheduler: LocalCluster)."),
    resume: bool = typer.Option(True, "--resume/--restart", help="Reuse finished points of the same scan (default) or start afresh."),
    plot: bool = typer.Option(True, "--plot/--no-plot", help="Write contour.png."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Write into a non-empty output folder that holds no "
                                   "scan (default: refuse). A folder of the same scan is resumed, of another refused "
                                   "(see --restart)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Run a scan: each mass point is generated once, couplings by reweighting; writes the grid, the
    contour (parquet and CSV) and a plot into the output folder.  Interrupted scans resume."""
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    from darkbeam.scan.config import load_config
    from darkbeam.scan.executors import check_executor
    from darkbeam.scan.runner import run_scan

    check_executor(executor, workers, scheduler)
    if output is not None and not output.strip():
        raise ConfigurationError("--output is empty")
    if config.is_dir():
        raise ConfigurationError(f"{config} is a folder, not a scan configuration")
    cfg = load_config(config)
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, transient=True,
                  disable=as_json or not console.is_terminal) as bar:
        task = bar.add_task("mass points", total=None)

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{cfg.scan.name}: {label[:28]:28s}")

        res = run_scan(cfg, output, executor=executor, workers=workers, scheduler=scheduler, resume=resume,
                       progress=progress, plot=plot, overwrite=overwrite)
    summary = {"name": cfg.scan.name, "grid": [int(res.x.size), int(res.y.size)], **res.to_dict()}
    if as_json:
        print_json(summary)
        return
    out = Console()
    lim = res.limit
    out.print(f"[bold]{cfg.scan.name}[/bold]: {res.x.size} x {res.y.size} points, {res.computed} units computed, "
              f"{res.reused} reused from checkpoints, {res.seconds:.1f} s ({res.executor})")
    if "signal_events_excluded" in lim:
        out.print(f"{lim['kind']} at {100 * lim['cl']:g}% CL: signal >= {lim['signal_events_excluded']:.4g} events "
                  f"({lim['limit_method']})")
    else:
        out.print(f"{lim['kind']} at {100 * lim['cl']:g}% CL ({lim['method']})")
    out.print(f"contour: {len(res.lines)} segment(s)" + ("" if res.lines else " (no point reaches the limit)"))
    if res.status:
        out.print(f"{len(res.status)} unit(s) closed (no open process): e.g. {next(iter(res.status.values()))}")
    for f in res.files:
        out.print(f"wrote {f}")
