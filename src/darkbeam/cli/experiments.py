"""``darkbeam experiments list`` and ``darkbeam experiments show NAME|FILE.toml``: the experiment
catalog (docs/experiments.md).  ``show`` also validates a user's own experiment file."""

from __future__ import annotations

import math
from typing import Any

import typer

from darkbeam.cli.common import JSON_OPTION, FieldPrinter, print_json
from darkbeam.cli.main import DarkbeamTyper, app

experiments_app = DarkbeamTyper(help="The experiment catalog: list, show (also validates your own TOML file).",
                                no_args_is_help=True, add_completion=False)
app.add_typer(experiments_app, name="experiments")


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _flux_entries(exp) -> list:
    from darkbeam.data import lookup

    return [lookup(n, kind="flux") for n in exp.flux.names]


def _beam_line(exp) -> str | None:
    """The beam line named by the registry for the experiment's flux file(s), if any."""
    if exp.flux.model:
        return exp.flux.model
    beams = {e.beam for e in _flux_entries(exp) if e.beam}
    return beams.pop() if len(beams) == 1 else None


def _beam_text(exp) -> str:
    parts = [_beam_line(exp) or _flux_label(exp), f"{exp.baseline / 100:g} m"]
    if exp.off_axis_angle:
        parts.append(f"{exp.off_axis_angle * 1e3:.3g} mrad off axis")
    return ", ".join(parts)


def _flux_label(exp) -> str:
    return exp.flux.label


def _row(exp) -> dict[str, Any]:
    return {
        "keyword": exp.keyword, "name": exp.name, "beam": _beam_line(exp), "flux": _flux_label(exp),
        "baseline_m": exp.baseline / 100.0, "off_axis_mrad": exp.off_axis_angle * 1e3,
        "exposure": exp.exposure, "exposure_unit": exp.exposure_unit, "targets_t": exp.masses,
        "fiducial_mass_t": exp.fiducial_mass, "detector": type(exp.detector).__name__,
        "geometry_status": exp.geometry_status,
    }


def _placements(exp) -> dict:
    from darkbeam.detectors.placement import placements

    return {b: {**p.to_dict(), "distance_m": p.distance / 100.0, "angle_mrad": p.angle * 1e3}
            for b, p in placements(exp).items()}


def _shape(shape) -> dict[str, Any]:
    lo, hi = shape.bounds()
    out = {"type": type(shape).__name__, "name": shape.name, "volume_cm3": float(shape.volume),
           "bounds_cm": [[float(v) for v in lo], [float(v) for v in hi]]}
    parts = getattr(shape, "parts", None)
    if parts:
        out["parts"] = [_shape(p) for p in parts]
    return out


def _details(exp) -> dict[str, Any]:
    from darkbeam.data import status as _data_status

    f = exp.flux
    lo, hi = f.energy_range
    files = [{"name": e.name, "path": e.path, "units": e.units, "status": _data_status(e)} for e in _flux_entries(exp)]
    flux: dict[str, Any] = {
        "name": f.name, "files": dict(f.files) if f.files else None, "path": str(f.path) if f.path else None,
        "model": f.model, "polarity": f.polarity if f.model else None,
        "normalisation": f.normalisation, "scale_on_registry": f.scale, "energy_range_GeV": [_finite(lo), _finite(hi)],
        "energy_range_reason": f.energy_range_reason or None, "note": f.note or None, "registered_files": files,
    }
    extra = dict(exp.extra)
    return {
        "keyword": exp.keyword, "name": exp.name, "description": exp.description,
        "source_file": str(exp.source_file) if exp.source_file else None,
        "darknews_keyword": exp.darknews_keyword,
        "targets": [{"nucleus": t.name, "Z": t.Z, "A": t.A, "mass_t": t.mass, "n_nuclei": t.n_nuclei}
                    for t in exp.targets],
        "fiducial_mass_t": exp.fiducial_mass,
        "composition": extra.get("composition"), "density_g_cm3": extra.get("density"),
        "material_note": extra.get("material_note") or None,
        "exposure": {"value": exp.exposure, "unit": exp.exposure_unit, "note": extra.get("exposure_note") or None},
        "flux": flux,
        "beam": {"line": _beam_line(exp), "baseline_m": exp.baseline / 100.0, "off_axis_mrad": exp.off_axis_angle * 1e3,
                 "production": exp.production,
                 "decay_pipe_radius_cm": exp.decay_pipe_radius if exp.production == "bnb" else None,
                 "note": extra.get("beam_note") or None, "frame": exp.beam_frame},
        "placements": _placements(exp),
        "geometry": {"status": exp.geometry_status, "note": extra.get("geometry_note") or None,
                     "volumes": {k: _shape(v) for k, v in exp.geometry.items()}},
        "citations": list(exp.citations), "caveats": list(exp.caveats), "darknews_fixes": list(exp.darknews_fixes),
    }


def _targets_text(exp) -> str:
    return ", ".join(f"{t.name} {t.mass:.4g}" for t in exp.targets)


@experiments_app.command("list")
def experiments_list(as_json: bool = JSON_OPTION) -> None:
    """List the catalog: keyword, name, beam and baseline, exposure, targets (t) and geometry status."""
    from darkbeam.detectors import list_experiments, load_experiment

    exps = [load_experiment(k) for k in list_experiments()]
    if as_json:
        print_json({"experiments": [_row(e) for e in exps]})
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    t = Table(title="darkbeam experiments (darkbeam experiments show KEYWORD for details)")
    for col in ("keyword", "name", "beam (or flux), baseline", "exposure", "targets [t]", "geometry (status)"):
        t.add_column(escape(col), justify="right" if col == "exposure" else "left", no_wrap=col == "keyword")
    for e in exps:
        unit = "POT" if e.exposure_unit == "POT" else e.exposure_unit
        t.add_row(e.keyword, escape(e.name), escape(_beam_text(e)), f"{e.exposure:.3g} {unit}", escape(_targets_text(e)),
                  f"{type(e.detector).__name__} ({e.geometry_status})")
    Console().print(t)


@experiments_app.command("show")
def experiments_show(
    name: str = typer.Argument(..., help="Catalog keyword (see 'darkbeam experiments list') or the path of your own "
                                         "experiment TOML file, which is validated."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Everything about one experiment: targets and masses, exposure, flux file, beam, geometry, citations, caveats."""
    from darkbeam.detectors import load_experiment

    exp = load_experiment(name)
    d = _details(exp)
    if as_json:
        print_json(d)
        return
    from rich.markup import escape
    from rich.table import Table

    show = FieldPrinter(18)
    out, line = show.console, show.line
    show.title(f"{exp.keyword}: {exp.name}")
    line("file", d["source_file"])
    line("description", exp.description)
    line("darknews keyword", exp.darknews_keyword)
    tt = Table(title="targets")
    for col in ("nucleus", "Z", "A", "mass [t]", "nuclei"):
        tt.add_column(escape(col), justify="left" if col == "nucleus" else "right")
    for tg in exp.targets:
        tt.add_row(tg.name, str(tg.Z), str(tg.A), f"{tg.mass:.6g}", f"{tg.n_nuclei:.4e}")
    tt.add_row("total", "", "", f"{exp.fiducial_mass:.6g}", "", style="bold")
    out.print(tt)
    line("material", d["material_note"])
    line("density", None if d["density_g_cm3"] is None else f"{d['density_g_cm3']:g} g/cm^3")
    ex = d["exposure"]
    line("exposure", f"{ex['value']:.4g} {ex['unit']}" + (f"  ({ex['note']})" if ex["note"] else ""))
    fl = d["flux"]
    lo, hi = fl["energy_range_GeV"]
    line("flux", _flux_label(exp) + f"  x {fl['normalisation']:.6g} (file numbers -> nu/cm^2/GeV/POT)")
    line("flux files", "; ".join(f"{r['name']}: {r['path']} ({r['status']})" for r in fl["registered_files"]))
    line("energy range", ("whole file" if lo in (None, 0.0) and hi is None else f"{lo:g} - {hi:g} GeV")
         + (f"  ({fl['energy_range_reason']})" if fl["energy_range_reason"] else ""))
    line("flux note", fl["note"])
    b = d["beam"]
    line("beam", _beam_text(exp) + f"; production: {b['production']}"
         + (f" (decay pipe radius {b['decay_pipe_radius_cm']:g} cm)" if b["decay_pipe_radius_cm"] is not None else ""))
    line("beam note", b["note"])
    for beam, p in d["placements"].items():
        line(f"in the {beam} frame", f"centre ({', '.join(f'{x:.6g}' for x in p['center_cm'])}) cm, "
             f"{p['distance_m']:.6g} m at {p['angle_mrad']:.6g} mrad from the beam axis")
    g = d["geometry"]
    line("geometry", f"status {g['status']}")
    for k, v in g["volumes"].items():
        label = v["type"] + (" of " + " + ".join(p["type"] for p in v["parts"]) if "parts" in v else "")
        line(f"  {k}", f"{label}, {v['volume_cm3']:.6g} cm^3" + (f"  ({v['name']})" if v["name"] else ""))
    line("geometry note", g["note"])
    for key in ("citations", "caveats", "darknews_fixes"):
        show.bullets(key.replace("_", " "), d[key])
