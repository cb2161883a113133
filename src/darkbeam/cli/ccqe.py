"""``darkbeam ccqe``: standard-model CCQE cross sections, and CCQE event rates at an experiment with or
without 3+N oscillations (docs/oscillations.md)."""

from __future__ import annotations

from typing import Optional

import typer

from darkbeam.cli.common import JSON_OPTION, print_json
from darkbeam.cli.main import app
from darkbeam.errors import ConfigurationError


@app.command("ccqe", context_settings={"ignore_unknown_options": True, "allow_extra_args": False})
def ccqe_command(
    rest: Optional[list[str]] = typer.Argument(None, hidden=True, metavar="E"),
    energies: Optional[list[str]] = typer.Option(None, "--energies", "-E", help="Neutrino energies in GeV: --energies 0.5 1 2 (cross sections)."),
    projectile: str = typer.Option("nu_mu", "--projectile", "-p", help="nu_e, nu_mu, nu_tau or their _bar."),
    target: str = typer.Option("C12", "--target", "-t", help="Target nucleus (H1 ... Pb208) for --energies."),
    nucleon_model: str = typer.Option("fermi-gas", "--nucleon-model", help="fermi-gas (Pauli blocked, closure), rfg (relativistic Fermi gas: Fermi motion and kinematic blocking) or free."),
    experiment: Optional[str] = typer.Option(None, "--experiment", "-e", help="Event rates per flavour at this experiment (its flux, targets and POT)."),
    oscillate: Optional[str] = typer.Option(None, "--oscillate", metavar="FILE|k=v,...", help="With --experiment: also the rates after 3+N oscillations ('dm41=1.3,Ue4=0.1,Umu4=0.15', a TOML file with [oscillation], or a model file with [massmodel])."),
    flux_source: str = typer.Option("auto", "--flux-source", help="auto, file or model (as in generate)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """CCQE (nu_l n -> l- p, nubar_l p -> l+ n): Llewellyn Smith cross sections per nucleon and nucleus,
    or with --experiment the expected CCQE events per flavour (flux x sigma x targets x POT)."""
    from darkbeam.cli.xsec import _energies
    from darkbeam.physics.ccqe import CCQE_NUCLEON_MODELS, PROJECTILES

    from darkbeam.cli.common import check_choice

    check_choice("--nucleon-model", nucleon_model, CCQE_NUCLEON_MODELS)
    if experiment is None:
        if oscillate is not None:
            raise ConfigurationError("--oscillate needs --experiment (the baseline and flux to oscillate)")
        check_choice("--projectile", projectile, PROJECTILES)
        _cross_sections(_energies(energies, rest), projectile, target, nucleon_model, as_json)
        return
    if energies or rest:
        raise ConfigurationError("give either --energies (cross sections) or --experiment (event rates)")
    _rates(experiment, oscillate, flux_source, nucleon_model, as_json)


def _cross_sections(E, projectile, target, nucleon_model, as_json):
    import numpy as np

    from darkbeam.physics.ccqe import sigma_free, sigma_nucleus
    from darkbeam.physics.nuclear import nucleus

    nuc = nucleus(target)
    free = sigma_free(np.array(E), projectile)
    per_nucleus = sigma_nucleus(np.array(E), projectile, target, nucleon_model=nucleon_model)
    if as_json:
        print_json({"unit": "cm2", "projectile": projectile, "target": nuc.name, "nucleon_model": nucleon_model,
                    "energies_GeV": [float(e) for e in E], "sigma_free_nucleon_cm2": [float(s) for s in free],
                    "sigma_per_nucleus_cm2": [float(s) for s in per_nucleus]})
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"CCQE {projectile} on {nuc.name} ({nucleon_model})")
    for c in ("E [GeV]", "free nucleon [cm^2]", "per nucleus [cm^2]"):
        t.add_column(c, justify="right")
    for e, a, b in zip(E, free, per_nucleus):
        t.add_row(f"{e:g}", f"{a:.4e}", f"{b:.4e}")
    Console().print(t)


def _rates(experiment, oscillate, flux_source, nucleon_model, as_json):
    from darkbeam.analysis.ccqe_rates import experiment_ccqe_events
    from darkbeam.detectors import load_experiment
    from darkbeam.processes.cases import experiment_flux
    from darkbeam.sources.oscillated import oscillate_for_experiment, oscillation_model

    osc = oscillation_model(oscillate) if oscillate is not None else None
    exp = load_experiment(experiment)
    flux = experiment_flux(exp, flux_source)
    base = experiment_ccqe_events(exp, flux, nucleon_model=nucleon_model)
    out = {"experiment": exp.keyword, "pot": exp.pot, "targets": exp.n_targets(), "nucleon_model": nucleon_model,
           "flux": flux.provenance, "events": base}
    if osc is not None:
        oflux = oscillate_for_experiment(flux, exp, osc)
        out["oscillation"] = oflux.meta["oscillation"]
        out["events_oscillated"] = experiment_ccqe_events(exp, oflux, nucleon_model=nucleon_model,
                                                          flavours=list(dict.fromkeys(list(base) + list(oflux.flavours))))
    if as_json:
        print_json(out)
        return
    from rich.console import Console
    from rich.table import Table

    con = Console()
    t = Table(title=f"CCQE events at {exp.keyword} ({exp.pot:.3g} POT, {nucleon_model})")
    t.add_column("flavour")
    t.add_column("events", justify="right")
    if osc is not None:
        t.add_column("oscillated", justify="right")
        t.add_column("ratio", justify="right")
    fls = list(dict.fromkeys(list(base) + list(out.get("events_oscillated", {}))))
    for fl in fls:
        row = [fl, f"{base.get(fl, 0.0):.4g}"]
        if osc is not None:
            o = out["events_oscillated"].get(fl, 0.0)
            b = base.get(fl, 0.0)
            row += [f"{o:.4g}", f"{o / b:.4f}" if b > 0 else "-"]
        t.add_row(*row)
    con.print(t)
    con.print(f"flux: {flux.provenance}", markup=False, highlight=False)
    if osc is not None:
        con.print(out["oscillation"], markup=False, highlight=False)
