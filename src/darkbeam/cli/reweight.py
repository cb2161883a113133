"""``darkbeam reweight``: predictions of an event file at other couplings (same masses), no regeneration."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from darkbeam.cli.common import JSON_OPTION, print_json
from darkbeam.cli._summary import SUMMARY_NOTE, summary_table
from darkbeam.cli.main import app
from darkbeam.errors import ConfigurationError


@app.command("reweight")
def reweight_command(
    events: Path = typer.Argument(..., help="A darkbeam parquet event file (darkbeam generate --output)."),
    sets: Optional[list[str]] = typer.Option(None, "--set", "-s", help="New coupling: key=value (repeatable). Masses cannot change."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the reweighted events to this parquet file."),
    positions: str = typer.Option("resample", "--positions", help="Decay positions: resample (default), reweight or keep."),
    shape: bool = typer.Option(True, "--shape/--no-shape", help="Reweight decay kinematics to the new couplings."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of resampled decay positions (default: from the file)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Predicted numbers of events of an event file at new couplings (exact reweighting at fixed masses)."""
    from darkbeam.events import read_parquet, write
    from darkbeam.processes.reweight import Reweighter
    from darkbeam.processes.reweight import summary as reweighted_summary
    from darkbeam.models import parse_assignments

    changes = parse_assignments(sets or [])
    if output is not None and not output.parent.exists():
        raise ConfigurationError(f"output folder {output.parent} does not exist")
    rw = Reweighter(read_parquet(events))
    params = rw.resolve(changes)
    summary = reweighted_summary(rw, params)
    summary["changes"] = changes
    if output is not None:
        new = rw.apply(params, shape=shape, positions=positions, seed=seed)
        path = output if output.suffix == ".parquet" else output.with_suffix(".parquet")
        write(new, path, format="parquet")
        summary["files"].append(str(path))
    if as_json:
        print_json(summary)
        return
    out = Console()
    title = f"darkbeam reweight: {summary['experiment']}  ({', '.join(f'{k}={v}' for k, v in changes.items()) or 'no change'})"
    out.print(summary_table(title, summary))
    for k, v in summary["ctau_cm"].items():
        out.print(f"{k}: c*tau = {v:.4e} cm" if v is not None else f"{k}: stable")
    out.print(SUMMARY_NOTE + "; errors: vegas's stratified estimate on the events")
    for f in summary["files"]:
        out.print(f"wrote {f}")
