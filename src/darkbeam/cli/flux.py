"""``darkbeam flux`` (a neutrino flux from a file, a DAR source or the beam model) and
``darkbeam fluxes list | show NAME | fetch NAME`` (the registered flux files)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from darkbeam.cli.common import JSON_OPTION, OVERWRITE_OPTION, check_choice, check_writable, print_json
from darkbeam.cli.main import DarkbeamTyper, app
from darkbeam.errors import ConfigurationError

fluxes_app = DarkbeamTyper(help="Registered flux files: list, show, fetch.", no_args_is_help=True,
                           add_completion=False)
app.add_typer(fluxes_app, name="fluxes")

_FLAVOUR_HEAD = {"nu_e": "nu_e", "nu_mu": "nu_mu", "nu_tau": "nu_tau", "nu_e_bar": "nu_e_bar",
                 "nu_mu_bar": "nu_mu_bar", "nu_tau_bar": "nu_tau_bar"}


@fluxes_app.command("list")
def fluxes_list(as_json: bool = JSON_OPTION) -> None:
    """List the registered flux files, their beam, units and whether a verified copy is at hand."""
    from darkbeam.data import entries
    from darkbeam.data import status as _data_status

    rows = []
    for e in entries("flux"):
        rows.append({"name": e.name, "beam": e.beam, "mode": e.mode, "baseline_m": e.baseline_m, "units": e.units,
                     "per_pot": e.per_pot, "status": _data_status(e), "description": e.description})
    if as_json:
        print_json({"fluxes": rows})
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title="registered flux files")
    for col in ("name", "beam", "mode", "L [m]", "units", "status"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["name"], r["beam"] or "-", r["mode"] or "-", "-" if r["baseline_m"] is None else f"{r['baseline_m']:g}",
                  r["units"], r["status"])
    Console().print(t)


@fluxes_app.command("show")
def fluxes_show(name: str = typer.Argument(..., help="Registered flux file name (see 'darkbeam fluxes list')."),
                as_json: bool = JSON_OPTION) -> None:
    """Metadata of a flux file and, if it can be read, integrated flux, mean and peak energy per flavour."""
    from darkbeam.data import status as _data_status
    from darkbeam.sources.files import flux_entry, official_flux

    e = flux_entry(name)
    info = {"name": e.name, "path": e.path, "url": e.url, "sha256": e.sha256, "format": e.format, "units": e.units,
            "normalisation": e.normalisation, "energy_grid": e.energy_grid, "columns": list(e.columns),
            "per_pot": e.per_pot, "baseline_m": e.baseline_m, "off_axis_mrad": e.off_axis_mrad, "beam": e.beam,
            "mode": e.mode, "description": e.description, "citation": e.citation, "status": _data_status(e)}
    summary = {}
    if info["status"] == "ok":
        f = official_flux(e.name, download=False)
        for fl in f.flavours:
            summary[fl] = {"integral": f.integrate(fl), "mean_GeV": f.mean_energy(fl), "peak_GeV": f.peak_energy(fl)}
        info["energy_range_GeV"] = list(f.energy_range)
    info["summary"] = summary
    if as_json:
        print_json(info)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    for k in ("name", "description", "citation", "units", "normalisation", "energy_grid", "columns", "beam", "mode",
              "baseline_m", "off_axis_mrad", "path", "url", "sha256", "status"):
        console.print(f"{k:14s} {info[k]}", markup=False, highlight=False)
    if summary:
        unit = "nu/cm2/POT" if e.per_pot else "(file units)"
        t = Table(title=escape(f"{e.name}: integrals in {unit}"))
        for col in ("flavour", "integral", "mean E [GeV]", "peak E [GeV]"):
            t.add_column(col, justify="right")
        for fl, s in summary.items():
            t.add_row(fl, f"{s['integral']:.4e}", f"{s['mean_GeV']:.4g}", f"{s['peak_GeV']:.4g}")
        console.print(t)


@fluxes_app.command("fetch")
def fluxes_fetch(name: str = typer.Argument(..., help="Registered flux file name, or 'all'.")) -> None:
    """Fetch a flux file into the cache (or find it in DARKBEAM_DATA_DIR), verify its sha256, print its path."""
    from darkbeam.data import entries, fetch
    from darkbeam.sources.files import flux_entry

    names = [e.name for e in entries("flux")] if name == "all" else [flux_entry(name).name]
    for n in names:
        path = fetch(n, kind="flux")
        typer.echo(f"{n}: {path}")


def plot_formats() -> list[str]:
    """File suffixes matplotlib can write (png, pdf, svg, ...)."""
    from matplotlib.backend_bases import FigureCanvasBase

    return sorted(FigureCanvasBase.get_supported_filetypes())


def _check_plot_path(plot: Path, overwrite: bool) -> None:
    suffix = plot.suffix.lower().lstrip(".")
    formats = plot_formats()
    if not suffix:
        raise ConfigurationError(f"--plot {plot}: give a file suffix for the format ({', '.join(formats)})")
    if suffix not in formats:
        raise ConfigurationError(f"--plot {plot}: unknown plot format '.{suffix}' (choose from {', '.join(formats)})")
    check_writable(plot, overwrite=overwrite, what="--plot")


@app.command("flux")
def flux_command(
    beam: str = typer.Option(..., "--beam", "-b", help="Beam line (bnb, numi, lbnf, jparc, sps), experiment (miniboone, "
                             "dune_nd, ...), registered flux file, DAR source (pi-dar, mu-dar, k-dar) or DAR configuration "
                             "(coherent, jsns2, microboone_numi_absorber)."),
    distance: Optional[float] = typer.Option(None, "--distance", "-L", help="Detector distance in m."),
    off_axis: Optional[float] = typer.Option(None, "--off-axis", help="Off-axis angle in mrad."),
    mode: str = typer.Option("FHC", "--polarity", "--mode", help="Horn polarity: FHC or RHC (--polarity as in darkbeam parents; --mode is its older name)."),
    source: str = typer.Option("auto", "--source", help="auto (official file; the beam model where no file is registered, or where the file is missing and the model is validated, said as a FALLBACK), file or model."),
    stopped_per_pot: Optional[float] = typer.Option(None, "--stopped-per-pot", help="DAR: stopped parents per POT."),
    parent: str = typer.Option("pi", "--parent", help="DAR configuration: pi, mu or k."),
    stats: int = typer.Option(2**16, "--stats", help="Beam model: mesons per species (power of 2)."),
    seed: int = typer.Option(12345, "--seed", help="Beam model: seed of the Sobol scrambling of the "
                            "production points (the beam model's default; not an event seed)."),
    emin: Optional[float] = typer.Option(None, "--emin", help="Lowest energy shown (GeV)."),
    emax: Optional[float] = typer.Option(None, "--emax", help="Highest energy shown (GeV)."),
    points: Optional[int] = typer.Option(
        None, "--points", help="Number of energies in the table/JSON (default: table 25, JSON the flux's own nodes)."),
    plot: Optional[str] = typer.Option(None, "--plot", metavar="PATH", help="Write a plot of the flux; the format by suffix (png, pdf, "
                                        "svg, ...). Parent folders are created; an existing file is refused without --overwrite."),
    oscillate: Optional[str] = typer.Option(
        None, "--oscillate", metavar="FILE|k=v,...", help="Oscillate the flux (3+N): a TOML file with an [oscillation] "
        "table, a model file with a [massmodel] table (its own mixing and splittings) or inline 'dm41=1.3,Ue4=0.1,Umu4=0.15'; at the flux's distance, averaged over the beam's decay pipe "
        "(docs/oscillations.md)."),
    overwrite: bool = OVERWRITE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Neutrino flux in nu/cm2/GeV/POT: a table (or JSON), its provenance, and optionally a plot."""
    import numpy as np

    from darkbeam.sources import flux_for
    from darkbeam.sources.select import SOURCES, _mode

    source = check_choice("--source", source, SOURCES)
    mode = _mode(mode)
    if stats < 16:
        raise ConfigurationError("--stats must be at least 16")
    # --source, --mode and --beam are checked by flux_for before any computation; --parent is checked here
    # because flux_for ignores it for beams that are not a DAR configuration
    check_choice("--parent", parent, ("pi", "mu", "k"))
    for name, v in (("--emin", emin), ("--emax", emax)):
        if v is not None and not (np.isfinite(v) and v >= 0):
            raise ConfigurationError(f"{name} must be a finite energy >= 0 GeV, got {v}")
    if emin is not None and emax is not None and not emax > emin:
        raise ConfigurationError(f"empty energy range [{emin}, {emax}] GeV")
    if points is not None and points < 2:
        raise ConfigurationError("--points must be at least 2")
    if seed < 0:
        raise ConfigurationError(f"--seed must be a non-negative integer, got {seed}")
    if off_axis is not None and not (np.isfinite(off_axis) and off_axis >= 0):
        raise ConfigurationError(f"--off-axis must be a finite angle >= 0 mrad, got {off_axis}")
    if plot is not None:
        if not plot.strip():
            raise ConfigurationError("--plot is empty")
        plot = Path(plot)
        _check_plot_path(plot, overwrite)
    osc = None
    if oscillate is not None:
        from darkbeam.sources.oscillated import oscillation_model

        osc = oscillation_model(oscillate)  # a bad specification: one line, before the flux is made
    f = flux_for(beam, distance, off_axis_mrad=off_axis, mode=mode, source=source, n=stats, seed=seed,
                 stopped_per_pot=stopped_per_pot, parent=parent)
    if osc is not None:
        from darkbeam.sources.oscillated import oscillated_source_flux

        f = oscillated_source_flux(f, osc, beam, distance, off_axis, mode)
    lo, hi = f.energy_range
    lo = lo if emin is None else emin
    hi = hi if emax is None else emax
    if not hi > lo:
        raise ConfigurationError(f"empty energy range [{lo}, {hi}] GeV")
    if points is not None and points < 2:
        raise ConfigurationError("--points must be at least 2")
    if as_json:
        energies = None if points is None else np.linspace(lo, hi, points)
        if energies is None and (emin is not None or emax is not None):
            energies = f.energies[(f.energies >= lo) & (f.energies <= hi)]
        out = f.to_dict(energies)
        out["integrals"] = {fl: f.integrate(fl, lo, hi) for fl in f.flavours}
        out["fallbacks"] = [f.meta["fallback"]] if f.meta.get("fallback") else []
        print_json(out)
    else:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        energies = np.linspace(lo, hi, points or 25)
        fls = [fl for fl in f.flavours if fl in f.values and np.any(f.values[fl] > 0)] or ["nu_mu"]
        t = Table(title=escape(f"{f.description}  [nu/cm2/GeV/POT]"))
        t.add_column("E [GeV]", justify="right")
        for fl in fls:
            t.add_column(fl, justify="right")
        for e in energies:
            t.add_row(f"{e:.4g}", *[f"{f(np.array([e]), fl)[0]:.4e}" for fl in fls])
        console = Console()
        console.print(t)
        for fl, ls in f.lines.items():
            for e, phi in ls:
                console.print(f"line: {fl} at {e * 1e3:.2f} MeV, {phi:.4e} nu/cm2/POT", markup=False, highlight=False)
        console.print("integrated [nu/cm2/POT]: " + ", ".join(f"{fl} {f.integrate(fl, lo, hi):.4e}" for fl in f.flavours),
                      markup=False, highlight=False)
        console.print(f"provenance: {f.provenance}", soft_wrap=True, markup=False, highlight=False)
        if f.meta.get("fallback"):
            console.print(f"FALLBACK: {f.meta['fallback']}", style="bold yellow", soft_wrap=True, markup=False,
                          highlight=False)
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
        f.plot(path=plot)
        if not as_json:
            typer.echo(f"plot written to {plot}")
