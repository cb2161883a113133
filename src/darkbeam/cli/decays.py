"""``darkbeam decays``: decay table (channels, widths, branching ratios, c*tau) of a particle."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from darkbeam.cli.common import JSON_OPTION, MODEL_OPTION, SET_OPTION, model_from_options, print_json
from darkbeam.cli.main import app


def decay_table(*args, **kwargs):
    """:func:`darkbeam.physics.decays.decay_table`, imported on first call: the command line starts
    without the physics (docs/startup.md)."""
    from darkbeam.physics.decays import decay_table as table

    return table(*args, **kwargs)


@app.command("decays")
def decays_command(
    particle: str = typer.Option("N4", "--particle", "-p", help="N4, N5, N6, zprime, hprime, alp, chi or chi_s."),
    model: Optional[Path] = MODEL_OPTION,
    sets: Optional[list[str]] = SET_OPTION,
    channel: Optional[str] = typer.Option(None, "--channel", "-c", help="Show one channel only, e.g. 'nu_mu e- e+'."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Partial widths, branching ratios, total width and c*tau of a particle of the model."""
    params = model_from_options(model, sets)
    table = decay_table(params, particle)
    out = table.to_dict()
    if channel is not None:
        ch = table.channel(channel)
        out["channels"] = [c for c in out["channels"] if c["name"] == ch.name]
    if as_json:
        print_json(out)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    t = Table(title=f"{particle} decays  (m = {table.mass:.6g} GeV, {params.HNLtype if particle.startswith('N') else ''})".replace(", )", ")"))
    t.add_column("channel")
    t.add_column("width [GeV]", justify="right")
    t.add_column("BR", justify="right")
    for c in out["channels"]:
        t.add_row(c["name"], f"{c['width_GeV']:.4e}", f"{c['br']:.4e}")
    console.print(t)
    ctau = "inf (stable)" if out["ctau_cm"] is None else f"{out['ctau_cm']:.4e} cm"
    console.print(f"total width = {table.total_width:.4e} GeV    c*tau = {ctau}    ({len(table.channels)} open channels)")
