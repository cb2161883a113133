"""``darkbeam reweight``: predictions of an event file at other couplings (same masses), no regeneration."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from darkbeam.cli.common import (JSON_OPTION, OVERWRITE_OPTION, check_choice, check_writable, event_output_base,
                                 print_json, with_format_suffix)
from darkbeam.cli.main import app
from darkbeam.errors import ConfigurationError


@app.command("reweight")
def reweight_command(
    events: Path = typer.Argument(..., help="A darkbeam parquet event file (darkbeam generate --output)."),
    sets: Optional[list[str]] = typer.Option(None, "--set", "-s", help="New coupling: key=value (repeatable). Masses cannot change."),
    output: Optional[str] = typer.Option(
        None, "--output", "-o", metavar="PATH", help="Write the reweighted events to this parquet file (.parquet added unless given; a "
        "folder, existing or ending in '/', gets reweighted.parquet inside). Parent folders are created; an existing "
        "file is refused without --overwrite."),
    positions: str = typer.Option("resample", "--positions", help="Decay positions: resample (default), reweight or keep."),
    shape: bool = typer.Option(True, "--shape/--no-shape", help="Reweight decay kinematics to the new couplings."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of resampled decay positions (default: from the file)."),
    overwrite: bool = OVERWRITE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Predicted numbers of events of an event file at new couplings (exact reweighting at fixed masses)."""
    from darkbeam.events import read_parquet, write
    from darkbeam.processes.reweight import POSITIONS, Reweighter
    from darkbeam.processes.reweight import summary as reweighted_summary
    from darkbeam.models import parse_assignments

    changes = parse_assignments(sets or [])
    check_choice("--positions", positions, POSITIONS)
    if seed is not None and seed < 0:
        raise ConfigurationError(f"--seed must be a non-negative integer, got {seed}")
    path = None
    if output is not None:
        base, named = event_output_base(output, "reweighted")
        if named not in (None, "parquet"):
            raise ConfigurationError(f"--output {output}: reweight writes parquet files only")
        path = Path(output) if named == "parquet" else with_format_suffix(base, "parquet")
        check_writable(path, overwrite=overwrite)
    if events.is_dir():
        raise ConfigurationError(f"{events} is a folder, not an event file")
    es = read_parquet(events)
    if es.meta.get("process") in ("nu-e", "cevns", "trident", "dark-matter"):  # scattering events: cli/_generate_rare.py
        from darkbeam.cli._generate_rare import reweight_rare

        return reweight_rare(es, changes, path, as_json)
    if es.meta.get("process") == "meson-decay":  # meson decays and target showers: processes/meson_decay.reweight
        return _reweight_meson(es, changes, path, as_json)
    rw = Reweighter(es)
    params = rw.resolve(changes)
    summary = reweighted_summary(rw, params)
    summary["changes"] = changes
    if output is not None:
        new = rw.apply(params, shape=shape, positions=positions, seed=seed)
        write(new, path, format="parquet", overwrite=True)  # an existing file was refused up front
        summary["files"].append(str(path))
    if as_json:
        print_json(summary)
        return
    from rich.console import Console

    from darkbeam.cli._summary import SUMMARY_NOTE, summary_table

    out = Console()
    title = f"darkbeam reweight: {summary['experiment']}  ({', '.join(f'{k}={v}' for k, v in changes.items()) or 'no change'})"
    out.print(summary_table(title, summary))
    for k, v in summary["ctau_cm"].items():
        out.print(f"{k}: c*tau = {v:.4e} cm" if v is not None else f"{k}: stable")
    out.print(SUMMARY_NOTE + "; errors: vegas's stratified estimate on the events")
    for f in summary["files"]:
        out.print(f"wrote {f}")


def _reweight_meson(es, changes, path, as_json) -> None:
    """Meson-decay (and target-shower, docs/shower_events.md) events at new couplings, same masses: the
    totals before and after per production channel, and the reweighted file."""
    import numpy as np

    from darkbeam.events import write
    from darkbeam.processes.meson_decay import reweight

    new = reweight(es, changes)
    case_old, case_new = np.asarray(es["case"]), np.asarray(new["case"])
    rows = [{"channel": c.name, "decays_in_volume": float(es.w[case_old == i].sum()),
             "decays_in_volume_new": float(new.w[case_new == i].sum())} for i, c in enumerate(es.cases)]
    out = {"process": "meson-decay", "experiment": es.meta.get("experiment"), "changes": changes,
           "decays_in_volume": float(es.w.sum()), "decays_in_volume_new": float(new.w.sum()), "channels": rows,
           "files": []}
    if path is not None:
        write(new, path, format="parquet", overwrite=True)
        out["files"].append(str(path))
    if as_json:
        print_json(out)
        return
    lines = [f"darkbeam reweight: {out['experiment']} ({', '.join(f'{k}={v}' for k, v in changes.items())}): decays in "
             f"the volume {out['decays_in_volume']:.4g} -> {out['decays_in_volume_new']:.4g}"]
    lines += [f"  {r['channel']}: {r['decays_in_volume']:.4g} -> {r['decays_in_volume_new']:.4g}" for r in rows]
    lines += [f"wrote {f}" for f in out["files"]]
    typer.echo("\n".join(lines))
