"""``darkbeam parents``: the decaying parent mesons of a beam line (per POT) and their mean momentum."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from darkbeam.cli.common import JSON_OPTION, check_choice, print_json, split_list
from darkbeam.cli.main import app
from darkbeam.errors import ConfigurationError

MODES = ("in-flight", "at-rest")
SITES = ("all", "absorber", "walls", "target")


@app.command("parents")
def parents_command(
    beam: Optional[str] = typer.Option(None, "--beam", "-b", help="Beam line of the beam model (bnb, numi, numi_me, lbnf, "
                                       "jparc, sps, wanf, cern_ps)."),
    mode: str = typer.Option("in-flight", "--mode", help="in-flight (pi, K, K0_L in the decay region; pi0, eta, ... "
                             "prompt in the target) or at-rest (pi+, K+ stopping in the absorber or walls)."),
    species: Optional[list[str]] = typer.Option(None, "--species", "-p", "--parent", "-P",
                                                help="Parent(s), e.g. pi+ or 'K+,K-' (repeatable; default: every "
                                                "parent of the mode; --parent/-P as in darkbeam production)."),
    site: str = typer.Option("all", "--site", help="at-rest: all, absorber, walls or target (the walls of the target station)."),
    polarity: str = typer.Option("FHC", "--polarity", help="Horn polarity: FHC or RHC."),
    stopped_per_pot: Optional[float] = typer.Option(None, "--stopped-per-pot", help="at-rest: normalise to this many "
                                                    "stopped mesons per POT (one species)."),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="Read the parents from a file instead: a dk2nu/g4numi "
                                        "ROOT ntuple (.root) or a parent table (docs/parents.md)."),
    mass: Optional[float] = typer.Option(None, "--mass", help="zprime (dark photons from proton bremsstrahlung): "
                                         "the A' mass in GeV; yields per POT at epsilon = 1."),
    pot: Optional[float] = typer.Option(None, "--pot", help="dk2nu: protons on target of the file (default: its metadata)."),
    stats: int = typer.Option(2**13, "--stats", help="Beam model: production points per species (power of 2)."),
    seed: int = typer.Option(12345, "--seed", help="Beam model: seed of the Sobol scrambling of the "
                            "production points (the beam model's default; not an event seed)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Decays per POT of each parent species and their mean momentum, from the beam model or a file."""
    names = split_list("--species", species)
    if file is not None:
        if mode != "in-flight":
            raise ConfigurationError("--file reads the parents from the file: leave out --mode")
        if str(file).lower().endswith(".root"):
            from darkbeam.sources.parents import read_dk2nu

            samples = read_dk2nu(file, names, pot=pot, beam=beam or "numi")
        else:
            from darkbeam.sources.parents import read_parent_table

            samples = read_parent_table(file, beam=beam)
            if names is not None:
                samples = {k: v for k, v in samples.items() if k in names}
        label, mode_out = str(file), "file"
    else:
        if beam is None:
            raise ConfigurationError("give --beam (a beam line) or --file")
        from darkbeam.sources.beam.configs import BEAMS, _ALIASES

        check_choice("--beam", _ALIASES.get(beam.lower(), beam.lower()), BEAMS)
        mode = check_choice("--mode", mode, MODES)
        check_choice("--site", site, SITES)
        if stats < 16:
            raise ConfigurationError("--stats must be at least 16")
        if seed < 0:
            raise ConfigurationError(f"--seed must be a non-negative integer, got {seed}")
        from darkbeam.sources.parents import (AT_REST, BREMSSTRAHLUNG, CHARM, DEFAULT_SPECIES, IN_FLIGHT, PROMPT,
                                              parent_sample)

        known = AT_REST if mode == "at-rest" else IN_FLIGHT + PROMPT + CHARM + BREMSSTRAHLUNG
        names = names or list(DEFAULT_SPECIES[mode])
        for s in names:
            check_choice("--species", s, known)
        if stopped_per_pot is not None and (mode != "at-rest" or len(names) != 1):
            raise ConfigurationError("--stopped-per-pot needs --mode at-rest and one --species")
        kw = dict(site=site, stopped_per_pot=stopped_per_pot) if mode == "at-rest" else {}
        if ("zprime" in names) != (mass is not None):
            raise ConfigurationError("--mass goes with --species zprime (dark photons from proton bremsstrahlung)")
        samples = {s: parent_sample(beam, s, n=stats, seed=seed, mode=mode, polarity=polarity,
                                    **(dict(kw, mass=mass) if s == "zprime" else kw)) for s in names}
        label, mode_out = beam, mode
    rows = []
    for s, ps in samples.items():
        import numpy as np

        p = np.linalg.norm(ps.p4[:, 1:], axis=1)
        total = ps.decays_per_pot
        mean_p = float(np.average(p, weights=ps.weight)) if total > 0 else 0.0
        # dark photons of proton bremsstrahlung are the new particles themselves (no parent decay), at epsilon = 1
        key = "llp_per_pot_unit_coupling" if s == "zprime" else "decays_per_pot"
        rows.append({"species": s, key: total, "mean_p_GeV": mean_p, "entries": len(ps),
                     "beam": ps.beam, "origin": ps.origin, "notes": list(ps.notes)})
    if as_json:
        print_json({"source": label, "mode": mode_out, "parents": rows})
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"parents: {label} ({mode_out})")
    for c, j in (("species", "left"), ("decays/POT", "right"), ("<p> [GeV]", "right"), ("entries", "right"), ("origin", "left")):
        t.add_column(c, justify=j)
    for r in rows:
        per_pot = r.get("decays_per_pot", r.get("llp_per_pot_unit_coupling"))
        star = " *" if "llp_per_pot_unit_coupling" in r else ""
        t.add_row(r["species"], f"{per_pot:.4g}{star}", f"{r['mean_p_GeV']:.3g}", str(r["entries"]), r["origin"])
    if any("llp_per_pot_unit_coupling" in r for r in rows):
        t.caption = "* dark photons made per POT at epsilon = 1 (scale with epsilon^2), not parent decays"
    console = Console()
    console.print(t)
    for r in rows[:1]:
        for note in r["notes"]:
            console.print(f"  {note}")
