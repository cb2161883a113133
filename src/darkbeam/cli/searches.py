"""``darkbeam searches`` (or ``searches list``) and ``darkbeam searches show NAME|FILE.toml``: the searches catalog,
published analyses as data (docs/searches.md)."""

from __future__ import annotations

from typing import Any

import typer

from darkbeam.cli.common import JSON_OPTION, FieldPrinter, print_json
from darkbeam.cli.main import DarkbeamTyper, app

searches_app = DarkbeamTyper(help="The searches catalog: published analyses and sensitivity templates (list, show).",
                             add_completion=False, invoke_without_command=True)
app.add_typer(searches_app, name="searches")


def _row(s) -> dict[str, Any]:
    sp = s.spec
    return {
        "key": s.key, "name": sp.name, "kind": sp.kind, "particle": sp.particle, "beam": sp.beam,
        "parents": list(sp.parents), "parent_mode": sp.parent_mode,
        "masses_GeV": None if sp.masses_GeV is None else list(sp.masses_GeV),
        "flavours": list(sp.flavours),
        "exposure": [{"mode": e.mode, "experiment": e.experiment, "pot": e.pot, "electrons": e.electrons,
                      "geometry": e.geometry} for e in sp.exposure],
        "result": None if sp.result is None else sp.result.model_dump(),
        "measurement": None if sp.measurement is None else sp.measurement.model_dump(),
        "published": [c.parameter for c in sp.published],
        "recast_to": sp.recast.to if sp.recast else None,
        "citations": list(sp.citations),
    }


def _exposure_text(e, digits: int, at: bool = False) -> str:
    if e.electrons is not None:
        return f"{e.electrons:.{digits}g} electrons on target" + (" at " if at else " (") + e.geometry + ("" if at else ")")
    return f"{e.pot:.{digits}g} POT" + (" at " if at else " (") + e.experiment + ("" if at else ")")


def _details(s) -> dict[str, Any]:
    sp = s.spec
    d = _row(s)
    d.update({
        "source_file": s.source, "description": sp.description, "caveats": list(sp.caveats),
        "channels": [c.model_dump() for c in sp.channels], "selection": None if sp.selection is None else sp.selection.model_dump(),
        "published": [c.model_dump() for c in sp.published],
        "recast": sp.recast.model_dump() if sp.recast else None,
    })
    for e, spec in zip(d["exposure"], sp.exposure):
        e["note"] = spec.note or None
    return d


def _measured(m) -> str:
    """One line for a measurement: 'trident nu_mu -> nu_mu mu+ mu-: sigma/sigma_SM = 0.82 +- 0.28'."""
    return f"{m.process} {m.channel}: {m.quantity} = {m.value:g} +- {m.error:g}"


def _short(citation: str) -> str:
    """'arXiv:NNNN.NNNNN' of a citation (the citation itself when it has none)."""
    import re

    m = re.search(r"arXiv:\S+", citation)
    return m.group(0).rstrip(",;)") if m else citation


@searches_app.callback()
def searches_list(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the catalog (key, what, beam, exposure, result, citation); 'darkbeam searches show KEY' for one."""
    if ctx.invoked_subcommand is not None:
        return
    _print_list(as_json)


@searches_app.command("list")
def searches_list_command(as_json: bool = JSON_OPTION) -> None:
    """List the catalog (the same as a bare 'darkbeam searches', like 'darkbeam experiments list')."""
    _print_list(as_json)


def _print_list(as_json: bool) -> None:
    from darkbeam.analysis.searches import list_searches, load_search

    searches = [load_search(k) for k in list_searches()]
    if as_json:
        print_json({"searches": [_row(s) for s in searches]})
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    t = Table(title="darkbeam searches (darkbeam searches show KEY for details)")
    for col in ("key", "search", "beam, parents", "exposure", "result", "citation"):
        t.add_column(escape(col), no_wrap=col == "key")
    for s in searches:
        sp = s.spec
        r = sp.result
        res = ("-" if r is None else f"{'-' if r.observed is None else r.observed} obs. / {r.background:g} bkg, "
               f"{100 * r.cl:g}% CL")
        if sp.kind == "sensitivity":
            res = "template: " + res
        if sp.measurement is not None:
            res = _measured(sp.measurement)
        exp = ", ".join(_exposure_text(e, 3) for e in sp.exposure)
        t.add_row(s.key, escape(sp.name), escape(f"{sp.beam}: {' '.join(sp.parents)} ({sp.parent_mode})" if sp.parents else sp.beam), escape(exp),
                  escape(res), escape(_short(sp.citations[0])))
    Console().print(t)


@searches_app.command("show")
def searches_show(
    name: str = typer.Argument(..., help="Catalog key (see 'darkbeam searches') or the path of your own search TOML "
                                         "file, which is validated."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Everything about one search: exposure, channels, selection, result, published curves, citations, caveats."""
    from darkbeam.analysis.searches import load_search

    s = load_search(name)
    d = _details(s)
    if as_json:
        print_json(d)
        return
    show = FieldPrinter(14)
    line = show.line
    sp = s.spec
    show.title(f"{s.key}: {sp.name} ({sp.kind})")
    line("file", s.source)
    line("description", sp.description)
    line("particle", sp.particle + (f", mixing with {', '.join(sp.flavours)}" if sp.flavours else ""))
    if sp.masses_GeV is not None:
        line("masses", f"{sp.masses_GeV[0]:g} - {sp.masses_GeV[1]:g} GeV")
    line("parents", f"{' '.join(sp.parents)} ({sp.parent_mode}) in the {sp.beam} beam" if sp.parents else "")
    line("beam", sp.beam if not sp.parents else "")
    m = sp.measurement
    if m is not None:
        line("measured", _measured(m) + (f" on {m.target}" if m.target else "")
             + (f", E = {m.energy_GeV[0]:g} - {m.energy_GeV[1]:g} GeV" if m.energy_GeV else "")
             + (f" (flux: {m.experiment})" if m.experiment else "") + (f"; {m.note}" if m.note else ""))
    for e in sp.exposure:
        line(f"exposure {e.mode}", _exposure_text(e, 4, at=True) + (f" ({e.note})" if e.note else ""))
    for c in sp.channels:
        line("channel", f"{c.decay}: {', '.join(c.final_states)}"
             + (f"; efficiency {c.efficiency:g}" if c.efficiency is not None else ""))
        if c.table is not None:   # a selection tabulated per mass
            t = c.table
            line("  per mass", ", ".join(
                f"{m:g} GeV: eff {e:.3g}" + (f", bkg {t.background[i]:.3g}" if t.background is not None else "")
                for i, (m, e) in enumerate(zip(t.masses_GeV, t.efficiency))) + f" ({t.source})")
    sel = sp.selection
    if sel is not None:
        line("selection", f"{sel.kind} in the {sel.decay_volume}" + (f"; {sel.note}" if sel.note else ""))
        if sel.cuts:
            line("cuts", ", ".join(f"{k} = {v:g}" for k, v in sel.cuts.items()))
    r = sp.result
    line("result", "" if m is not None else "none in the catalog (expected sensitivity only)" if r is None else
         (f"{r.observed} observed" if r.observed is not None else "expected only")
         + f", background {r.background:g} +- {r.background_error:g}, {100 * r.cl:g}% CL"
         + (f" ({r.note})" if r.note else ""))
    for c in sp.published:
        line("published", f"{c.parameter} ({c.hnl_type or '-'}, {100 * c.cl:g}% CL): {c.source}")
    if sp.recast:
        line("recast", f"to {sp.recast.to}: {sp.recast.note}")
        for c in sp.recast.published:
            line("  published", f"{c.parameter} ({c.hnl_type or '-'}, {100 * c.cl:g}% CL): {c.source}")
    for key in ("citations", "caveats"):
        show.bullets(key, getattr(sp, key))
