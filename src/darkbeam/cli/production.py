"""``darkbeam production``: every open production channel of the model's new particles in decays of
mesons, taus and muons (branching ratio, partial width, coupling scaling, source)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from darkbeam.cli.common import JSON_OPTION, MODEL_OPTION, SET_OPTION, check_choice, model_from_options, print_json, split_list
from darkbeam.cli.main import app

#: parent labels (darkbeam.physics.production.PARENTS, written out so that --help imports no physics)
PARENT_CHOICES = ("pi+", "pi-", "K+", "K-", "K0_L", "D+", "D-", "D0", "D0_bar", "D_s+", "D_s-",
                  "B+", "B-", "B0", "B0_bar", "tau-", "tau+", "mu-", "mu+", "pi0", "eta", "eta'", "omega", "p")


@app.command("production")
def production_command(
    model: Optional[Path] = MODEL_OPTION,
    sets: Optional[list[str]] = SET_OPTION,
    parent: Optional[list[str]] = typer.Option(None, "--parent", "-P", help="Only these parents (repeatable or comma-separated; p: proton bremsstrahlung): "
                                               + ", ".join(PARENT_CHOICES) + "."),
    beam: Optional[str] = typer.Option(None, "--beam", "-b", help="A beam line (bnb, numi, lbnf, jparc, sps, wanf, cern_ps, ...): adds the per-POT yield of the sources that are not decays (proton bremsstrahlung of a kinetically mixed Z')."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Branching ratios of every open production channel of the model's new particles (HNLs, h', Z',
    light dark matter) in decays of pions, kaons, D and B mesons, taus, muons and neutral mesons
    (docs/production.md)."""
    from darkbeam.errors import ModelError

    parents = split_list("--parent", parent)
    if parents is not None:
        parents = [check_choice("--parent", p, PARENT_CHOICES) for p in parents]
    if beam is not None:
        from darkbeam.sources.beam.configs import _ALIASES, BEAMS

        beam = check_choice("--beam", _ALIASES.get(beam.lower(), beam.lower()), BEAMS)
    params = model_from_options(model, sets)
    if not params.particles():
        raise ModelError("the model has no new particle (set m4, mzprime or mhprime)")
    from darkbeam.physics.production import production_channels

    decay_parents = None if parents is None else [p for p in parents if p != "p"]  # 'p': bremsstrahlung
    chans = production_channels(params, parents=decay_parents) if decay_parents != [] else []
    out = {"channels": [{"parent": ch.parent, "channel": ch.name, "llp": ch.llp, "br": ch.br, "width_GeV": ch.width,
                         "scaling": {k: p for k, p in ch.scaling}, "source": ch.source} for ch in chans]}
    from darkbeam.processes.direct_llp import bremsstrahlung_source

    brem = bremsstrahlung_source(params, beam) if (parents is None or "p" in parents) else None
    out["other_sources"] = [brem] if brem is not None else []
    if as_json:
        print_json(out)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()

    def other_sources() -> None:
        for o in out["other_sources"]:
            per_pot = f"{o['per_pot']:.4e} per POT in the {o['beam']} target" if o["per_pot"] is not None else o["note"]
            console.print(f"also: {o['source']} ({' '.join(f'{k}^{p}' for k, p in o['scaling'].items())}): {per_pot}",
                          markup=False, highlight=False)
    if not chans:
        console.print("no open production channel in decays for this model" + (f" and parents {', '.join(parents)}" if parents else ""))
        other_sources()
        return
    t = Table(title=f"production of {', '.join(params.particles())} in decays")
    for col, just in (("channel", "left"), ("BR", "right"), ("width [GeV]", "right"), ("scaling", "left")):
        t.add_column(col, justify=just)
    for c in out["channels"]:
        t.add_row(c["channel"], f"{c['br']:.4e}", f"{c['width_GeV']:.4e}", " ".join(f"{k}^{p}" for k, p in c["scaling"].items()))
    console.print(t)
    other_sources()
    console.print("sources: docs/production.md")
