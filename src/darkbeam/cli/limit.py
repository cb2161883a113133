"""``darkbeam limit SEARCH`` and ``darkbeam recast SEARCH --to hnl``: limits of the catalog's meson-decay
searches, one generation per mass and the coupling axis by exact reweighting (docs/meson_decay_limits.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from darkbeam.cli.common import JSON_OPTION, SET_OPTION, check_choice, print_json
from darkbeam.cli.main import app
from darkbeam.errors import ConfigurationError

FLAVOURS = ("e", "mu", "tau")
HNL_TYPES = ("dirac", "majorana")

_MASSES = typer.Option(..., "--masses", "-M", help="Masses in GeV (space- or comma-separated after one --masses, or repeated).")
_FLAVOUR = typer.Option("mu", "--flavour", help="HNLs: the flavour the HNL mixes with (e, mu, tau).")
_EVENTS = typer.Option(4000, "--events", "-n", help="Parent decays per production channel and mass.")
_SEED = typer.Option(1, "--seed", help="Seed of the generation at each mass (the default of generate's --seed).")
_PLOT = typer.Option(None, "--plot", metavar="FILE", help="Draw the curve with the published one (PNG/PDF).")
_HNL_TYPE = typer.Option(None, "--hnl-type", help="dirac or majorana (default: the published curve's, else dirac).")
_WORKERS = typer.Option(1, "--workers", "-j", help="Processes over the masses (same seed, same limits for any number).")
_STOPPED = typer.Option(None, "--stopped-per-pot", help="At-rest searches: normalise the stopped K+ to this number per POT.")


def _masses(values: list[str]) -> list[float]:
    out = []
    for v in values:
        for x in str(v).replace(",", " ").split():
            try:
                out.append(float(x))
            except ValueError:
                raise ConfigurationError(f"--masses: '{x}' is not a number (GeV)") from None
    if not out or any(not (m > 0) for m in out):
        raise ConfigurationError("--masses: give positive masses in GeV")
    return out


def _overrides(sets) -> dict:
    from darkbeam.models import parse_assignments

    return dict(parse_assignments(sets or []))


def _check(flavour, hnl_type, events, plot, stopped):
    check_choice("--flavour", flavour, FLAVOURS)
    if hnl_type is not None:
        check_choice("--hnl-type", hnl_type, HNL_TYPES)
    if events < 10:
        raise ConfigurationError(f"--events must be at least 10 parent decays per channel, got {events}")
    if plot is not None:
        p = Path(plot)
        if p.suffix.lower() not in (".png", ".pdf", ".svg"):
            raise ConfigurationError(f"--plot {plot}: give a .png, .pdf or .svg file")
        if p.parent and not p.parent.exists():
            raise ConfigurationError(f"--plot {plot}: folder {p.parent} does not exist")
    if stopped is not None and not stopped > 0:
        raise ConfigurationError("--stopped-per-pot must be positive")


def _report(out: dict, as_json: bool, plot: Optional[str]) -> None:
    if plot is not None:
        from darkbeam.analysis.meson_limit_plots import plot_limit

        plot_limit(out, plot)
        out["files"] = [str(plot)]
    if as_json:
        print_json(out)
        return
    from rich.console import Console
    from rich.table import Table

    what = f"recast {out['search']} --to {out['recast_to']}" if out.get("recast_to") else f"limit {out['search']}"
    per_mass = "background_per_mass" in out   # a selection tabulated per mass ([channels.table])
    counts = ("(tabulated selection: background and N_signal limit per mass)" if per_mass else
              "(binned likelihood: no single signal-count limit)" if out.get("signal_events_limit") is None else
              f"(N_signal < {out['signal_events_limit']:.3g} observed, {out['signal_events_expected']:.3g} expected)")
    t = Table(title=f"darkbeam {what}: {out['parameter']} at {int(round(100 * out['cl']))}% CL {counts}")
    cols = ["mass [GeV]", "limit", "upper edge", "expected"] + (["background", "N_signal limit (exp.)"] if per_mass else [])
    for col in cols:
        t.add_column(col, justify="right")
    f = lambda v: "-" if v is None else f"{v:.3e}"  # noqa: E731
    extra = (zip(out["background_per_mass"], out["signal_events_expected_per_mass"]) if per_mass
             else [()] * len(out["masses_GeV"]))
    for m, a, b, c, x in zip(out["masses_GeV"], out["limit"], out["limit_upper"], out["expected"], extra):
        t.add_row(f"{m:.4g}", f(a), f(b), f(c), *(f"{v:.3g}" for v in x))
    con = Console()
    con.print(t)
    for n in out["notes"]:
        con.print(f"note: {n}", markup=False, highlight=False)
    for p in out.get("files", []):
        con.print(f"wrote {p}")


@app.command("limit")
def limit_command(
    search: str = typer.Argument(..., help="Search keyword (darkbeam searches)."),
    more: Optional[list[str]] = typer.Argument(None, metavar="[M2 M3 ...]", help="More masses after --masses M1."),
    masses: list[str] = _MASSES,
    sets: Optional[list[str]] = SET_OPTION,
    flavour: str = _FLAVOUR,
    hnl_type: Optional[str] = _HNL_TYPE,
    events: int = _EVENTS,
    seed: int = _SEED,
    stopped_per_pot: Optional[float] = _STOPPED,
    workers: int = _WORKERS,
    plot: Optional[str] = _PLOT,
    as_json: bool = JSON_OPTION,
    brem: bool = typer.Option(False, "--bremsstrahlung", help="dark-matter searches: add the proton-bremsstrahlung chi where the setup leaves it out (MiniBooNE dump: outside the splitting function's validity, BdNMC's cuts; flagged in the notes; docs/dark_matter.md)."),
) -> None:
    """Limit of a catalog search on the coupling of its new particle at each mass (|U_a4|^2 for HNLs,
    theta for the scalar, epsilon for the dark photon): one generation per mass, the coupling axis by
    exact reweighting; 'expected' is the median sensitivity (observed = background)."""
    from darkbeam.analysis.meson_limits import limit_curve, spec_from_search
    from darkbeam.analysis.searches import load_search

    _check(flavour, hnl_type, events, plot, stopped_per_pot)
    ms = _masses(list(masses) + list(more or []))
    if load_search(search).spec.particle == "dark_matter":  # chi scattering: analysis/dm_sensitivity.py
        ignored = {"--workers": workers != 1, "--hnl-type": hnl_type is not None,
                   "--stopped-per-pot": stopped_per_pot is not None, "--flavour": flavour != "mu", "--set": bool(sets)}
        for opt, given in ignored.items():
            if given:
                raise ConfigurationError(f"{opt} does not apply to the dark-matter search '{search}' (m_A' = 3 m_chi, "
                                         "alpha_D = 0.5; docs/dark_matter.md)")
        from darkbeam.analysis.dm_sensitivity import search_limit

        return _report(search_limit(search, ms, n=events, seed=seed, bremsstrahlung=True if brem else None), as_json, plot)
    if brem:
        raise ConfigurationError("--bremsstrahlung is an option of the dark-matter searches (meson-decay searches take "
                                 "the dark photons of bremsstrahlung from 'p' in the entry's parents)")
    if any(e.electrons is not None for e in load_search(search).spec.exposure):
        ignored = {"--events": events != 4000, "--workers": workers != 1, "--hnl-type": hnl_type is not None,
                   "--stopped-per-pot": stopped_per_pot is not None, "--flavour": flavour != "mu"}
        for opt, given in ignored.items():
            if given:
                raise ConfigurationError(f"{opt} does not apply to the electron beam-dump search '{search}' (its "
                                         "showers: darkbeam shower --search; docs/showers.md)")
        return _beam_dump_limit(search, ms, seed=seed, sets=sets, as_json=as_json, plot=plot)
    spec = spec_from_search(search)
    if spec.particle == "hnl" and flavour not in _flavours_of(search):
        raise ConfigurationError(f"search '{search}' looked for HNLs mixing with {', '.join(_flavours_of(search))}, not {flavour}")
    if stopped_per_pot is not None and spec.parent_mode != "at-rest":
        raise ConfigurationError("--stopped-per-pot is for searches with parents at rest")
    out = limit_curve(spec, ms, flavour=flavour, n=events, seed=seed, hnl_type=hnl_type, overrides=_overrides(sets),
                      stopped_per_pot=stopped_per_pot, workers=workers)
    _report(out, as_json, plot)


def _beam_dump_limit(search: str, masses: list[float], *, seed: int, sets, as_json: bool, plot) -> None:
    """``darkbeam limit`` for an electron beam-dump dark-photon search (e137_dark_photon): the excluded
    epsilon band of the shower simulation (analysis.beam_dump.search_limit; docs/showers.md) in the JSON
    of the meson-decay limits: ``limit`` the lower edge, ``limit_upper`` the upper edge of the band."""
    from darkbeam.analysis.beam_dump import search_limit

    if sets:
        raise ConfigurationError("--set does not apply to a beam-dump dark-photon search (the band is over epsilon "
                                 "at each mass of --masses)")
    r = search_limit(search, masses, seed=seed)
    lower = [row["eps_lower"] for row in r["rows"]]
    out = {"search": r["search"], "parameter": "epsilon", "masses_GeV": [float(m) for m in masses], "limit": lower,
           "limit_upper": [row["eps_upper"] for row in r["rows"]], "cl": r["cl"],
           "expected": lower if r["observed"] == 0 else [None] * len(lower),
           "signal_events_limit": r["n_limit"], "signal_events_expected": r["n_limit"],
           "notes": [f"electron beam dump: {r['electrons']:.3g} electrons, geometry {r['geometry']}, "
                     f"{r['showers']} showers per mass, production processes {r['processes']}"
                     + ("" if r["observed"] == 0 else "; expected limits are given for zero observed only")],
           "rows": r["rows"]}
    _report(out, as_json, plot)


def _flavours_of(search: str) -> list[str]:
    from darkbeam.analysis.searches import load_search

    return list(load_search(search).spec.flavours) or list(FLAVOURS)


@app.command("recast")
def recast_command(
    search: str = typer.Argument(..., help="Search keyword with a [recast] entry (microboone_kdar_scalar)."),
    more: Optional[list[str]] = typer.Argument(None, metavar="[M2 M3 ...]", help="More masses after --masses M1."),
    to: str = typer.Option(..., "--to", help="The new particle of the recast (hnl)."),
    masses: list[str] = _MASSES,
    sets: Optional[list[str]] = SET_OPTION,
    flavour: str = _FLAVOUR,
    hnl_type: Optional[str] = _HNL_TYPE,
    events: int = _EVENTS,
    seed: int = _SEED,
    stopped_per_pot: Optional[float] = _STOPPED,
    workers: int = _WORKERS,
    plot: Optional[str] = _PLOT,
    as_json: bool = JSON_OPTION,
) -> None:
    """A search for one new particle recast into a limit on another (the MicroBooNE KDAR scalar search
    into an HNL limit, Kelly-Machado 2106.06548 done with darkbeam's kinematics): same JSON as limit."""
    from darkbeam.analysis.meson_limits import limit_curve, recast_spec

    check_choice("--to", to, ("hnl",))
    _check(flavour, hnl_type, events, plot, stopped_per_pot)
    ms = _masses(list(masses) + list(more or []))
    spec = recast_spec(search, to, flavour)
    if flavour == "tau":
        raise ConfigurationError("--flavour tau: K+ -> tau+ N is closed; the recast needs e or mu")
    out = limit_curve(spec, ms, flavour=flavour, n=events, seed=seed, hnl_type=hnl_type, overrides=_overrides(sets),
                      stopped_per_pot=stopped_per_pot, workers=workers)
    out["recast_of"] = search
    out["recast_to"] = to
    _report(out, as_json, plot)
