"""``darkbeam plane``: Z' limit gX(m_Z') from a measured nu-e or CEvNS yield (docs/rare_limits.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from darkbeam.cli.common import JSON_OPTION, print_json
from darkbeam.cli.main import app
from darkbeam.errors import ConfigurationError


def _range(text: str, what: str) -> list[float]:
    """'MIN:MAX:N' -> N log-spaced values (MIN, MAX > 0, N >= 2)."""
    import math

    parts = text.split(":")
    try:
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
        if len(parts) != 3:
            raise ValueError
    except (ValueError, IndexError):
        raise ConfigurationError(f"{what} range '{text}' must be MIN:MAX:N, e.g. 1e-3:10:21") from None
    if not (lo > 0 and hi > lo and math.isfinite(hi) and 2 <= n <= 10000):
        raise ConfigurationError(f"{what} range '{text}': need 0 < MIN < MAX and 2 <= N <= 10000")
    return [lo * (hi / lo) ** (i / (n - 1)) for i in range(n)]


def _values(first: Optional[list[str]], rest: Optional[list[str]]) -> list[float]:
    """--masses 0.001 0.01 0.1 (click gives the first value to the option, the others as extra
    arguments) or --masses MIN:MAX:N."""
    values = list(first or []) + list(rest or [])
    if not values:
        raise ConfigurationError("give the Z' masses in GeV: --masses 0.001 0.01 0.1 or --masses 1e-3:10:21")
    out: list[float] = []
    for v in values:
        if ":" in v:
            out.extend(_range(v, "mass"))
            continue
        try:
            out.append(float(v))
        except ValueError:
            if v.startswith("--"):
                raise ConfigurationError(f"no such option: {v.split('=')[0]} (see 'darkbeam plane --help')") from None
            raise ConfigurationError(f"'{v}' is not a Z' mass in GeV (unexpected argument)") from None
    return out


@app.command("plane", context_settings={"ignore_unknown_options": True, "allow_extra_args": False})
def plane_command(
    rest: Optional[list[str]] = typer.Argument(None, hidden=True, metavar="M"),
    experiment: str = typer.Option(..., "--experiment", "-e", "-x", help="Measurement: coherent_csi_2017, coherent_csi_2021, coherent_ar_2020 (CEvNS), charmii_fhc, charmii_rhc (nu-e), ccfr_trident (trident sigma/sigma_SM), or the projections dune_nd_fhc_nue and dune_nd_fhc with --process trident (expected limit only)."),
    masses: Optional[list[str]] = typer.Option(None, "--masses", "-M", help="Z' masses in GeV: --masses 0.001 0.01 0.1, or MIN:MAX:N (log-spaced)."),
    process: Optional[str] = typer.Option(None, "--process", help="cevns, nu-e or trident (checked against the experiment; default: the experiment's)."),
    charge: str = typer.Option("B-L", "--charge", help="What the Z' gauges: B-L, Le-Lmu, Le-Ltau, Lmu-Ltau, B-3Le, B-3Lmu, B-3Ltau, or universal (g to every neutrino and quark)."),
    cl: float = typer.Option(0.9, "--cl", help="Confidence level of the limit."),
    expected: bool = typer.Option(False, "--expected", help="The expected limit (sensitivity: data at the SM prediction) instead of the observed one."),
    loop_mixing: bool = typer.Option(True, "--loop-mixing/--no-loop-mixing", help="L_a - L_b: include the loop kinetic mixing (default)."),
    normalisation: Optional[float] = typer.Option(None, "--normalisation", help="Relative normalisation uncertainty of the prediction (default: the measurement's; 0.05 for the DUNE projections)."),
    background: Optional[float] = typer.Option(None, "--background", help="Background events of a projection (default 0: no background)."),
    gx_grid: Optional[str] = typer.Option(None, "--gx-grid", help="Coupling grid MIN:MAX:N of the plot's shaded region (default: around the limit)."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write a PNG of the plane (limit, excluded region, the published curve where one ships)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Limit on the gauge coupling gX of a Z' as a function of its mass from a measured rare-scattering
    yield (CEvNS at COHERENT, nu_mu e at CHARM-II, dimuon tridents: CCFR, DUNE ND projection): the yield N(gX) = A + B gX^2 + C gX^4 against the
    yield excluded at --cl (CLs, normalisation systematics as nuisance parameters; docs/rare_limits.md)."""
    from darkbeam.analysis.rare_limits import PROCESSES, plane_limit, reference_curve

    if process is not None and process not in PROCESSES:
        raise ConfigurationError(f"unknown process '{process}' (choose from {', '.join(PROCESSES)})")
    if not 0.0 < cl < 1.0:
        raise ConfigurationError(f"--cl must lie strictly between 0 and 1, got {cl}")
    if plot is not None and (plot.is_dir() or not plot.parent.exists()):
        raise ConfigurationError(f"--plot {plot}: not a writable file path")
    grid = _range(gx_grid, "coupling") if gx_grid is not None else None
    mass_list = _values(masses, rest)
    res = plane_limit(experiment, charge, mass_list, cl=cl, expected=expected, loop_mixing=loop_mixing, process=process,
                      normalisation=normalisation, background=background)
    ref = reference_curve(res.measurement.key, charge)
    if plot is not None:
        _plot(res, ref, grid, plot)
    if as_json:
        out = res.to_dict()
        if plot is not None:
            out["plot"] = str(plot)
        print_json(out)
        return
    from rich.console import Console
    from rich.table import Table

    con = Console()
    m = res.measurement
    kind = "expected" if res.expected else "observed"
    con.print(f"{m.description}; {m.citation}", highlight=False)
    if m.ratio_search is not None:
        con.print(f"Z' ({charge}), {kind} {100 * cl:g}% CL: sigma/sigma_SM <= {res.s_up:.4g} "
                  f"(at {m.energy:g} GeV on {m.target})", highlight=False)
    else:
        con.print(f"Z' ({charge}), {kind} {100 * cl:g}% CL: {m.process} yield <= {res.s_up:.4g} events "
                  f"(SM reference {m.reference:.4g}, normalisation +-{100 * m.sigma_signal:.3g}%, "
                  f"background {m.background:.4g})", highlight=False)
    t = Table()
    for col in ("m_Z' [GeV]", "gX limit", "gX/m_Z' [1/GeV]"):
        t.add_column(col, justify="right", no_wrap=True)
    for mz, g in zip(res.masses, res.limit):
        t.add_row(f"{mz:.4g}", f"{g:.4g}", f"{g / mz:.4g}")
    con.print(t)
    for c in m.caveats:
        con.print(f"caveat: {c}", markup=False, highlight=False)
    if plot is not None:
        con.print(f"wrote {plot}", highlight=False)


def _plot(res, ref, grid, path: Path) -> None:
    import numpy as np

    from darkbeam.analysis.contours import plot_plane

    lim = res.limit[np.isfinite(res.limit)]
    if grid is None:
        lo, hi = (lim.min() / 10.0, lim.max() * 10.0) if lim.size else (1e-6, 1.0)
        grid = np.geomspace(lo, hi, 60)
    g = np.asarray(grid, dtype=float)
    line = np.column_stack([res.masses, res.limit])
    line = line[np.isfinite(line[:, 1])]
    overlays = [(ref[0], ref[1], ref[2])] if ref is not None else []
    kind = "expected" if res.expected else "observed"
    x = res.masses
    if x.size < 2:
        raise ConfigurationError("--plot needs at least two masses")
    plot_plane(x, g, res.ratio(g), [line] if line.shape[0] >= 2 else [], path, xlabel="m_Z' [GeV]", ylabel="g_X",
               title=f"{res.measurement.key}: {res.charge} Z', {kind} {100 * res.cl:g}% CL",
               label=f"darkbeam ({kind})", overlays=overlays)
