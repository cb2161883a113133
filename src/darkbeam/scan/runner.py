"""Run a parameter scan: units on an executor, checkpoints, then limits, contours, tables and a plot.

:func:`run_scan` is what ``darkbeam scan`` calls.  Outputs in the output folder (docs/scans.md):

    grid.parquet / grid.csv        every grid point: x, y, predicted signal and errors, ratio r, excluded
    contour.parquet / contour.csv  the r = 1 line(s): segment, x, y
    contour.png                    the plane with the excluded/sensitive region, log axes, overlays
    summary.json                   configuration, limit, timing, files
    points/ and scan.json          per-unit checkpoints (resume)
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.scan import checkpoint as ckpt
from darkbeam.scan.config import ScanConfig
from darkbeam.scan.executors import check_executor, run_tasks
from darkbeam.scan.grid import UnitResult, axes, build_units, describe
from darkbeam.scan.points import run_unit


@dataclass
class ScanResult:
    """Grid predictions and limits of a scan (arrays of shape (nx, ny))."""

    x: np.ndarray
    y: np.ndarray
    signal: np.ndarray
    signal_err: np.ndarray
    ratio: np.ndarray
    lines: list
    limit: dict
    computed: int = 0
    reused: int = 0
    seconds: float = 0.0
    executor: str = ""
    files: list = field(default_factory=list)
    status: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"computed_units": self.computed, "reused_units": self.reused, "seconds": self.seconds,
                "executor": self.executor, "limit": self.limit, "n_contour_segments": len(self.lines),
                "files": [str(f) for f in self.files], "closed_units": self.status}


def _reference_curve(cfg: ScanConfig):
    from darkbeam.analysis.contours import read_curve
    from darkbeam.analysis.recast import interpolate_curve

    st = cfg.statistics
    spec = st.limit_curve
    cx, cy = read_curve(cfg.path(spec.file), x_scale=spec.x_scale, y_scale=spec.y_scale)
    xs, _ = axes(cfg)
    return cx, cy, interpolate_curve(cx, cy, xs, xlog=cfg.x.scale == "log", ylog=cfg.y.scale == "log")


def run_scan(cfg: ScanConfig, output=None, *, executor: str = "auto", workers: int = 1,
             scheduler: Optional[str] = None, resume: bool = True, progress: Optional[Callable] = None,
             point_fn: Callable = run_unit, plot: bool = True, overwrite: bool = False) -> ScanResult:
    """Run (or resume) the scan ``cfg`` and write its outputs into ``output`` (a folder).

    ``executor``: auto | serial | processes | dask; ``workers``: local processes or Dask workers;
    ``scheduler``: address of a Dask scheduler; ``resume``: reuse finished units of the same scan
    (False: discard them); ``progress(done, total, label)``; ``point_fn``: the unit function
    (:func:`darkbeam.scan.points.run_unit`; tests substitute instrumented ones); ``overwrite``: write
    into a non-empty folder that holds no scan.

    Everything is checked before the output folder is touched.  If the scan then fails before any unit
    has finished, the folder is left as it was (a manifest it wrote is removed, a folder it created is
    removed); finished units stay as checkpoints for a resume."""
    t0 = time.perf_counter()
    out = Path(output) if output is not None else (cfg.path(cfg.scan.output) if cfg.scan.output else Path(f"{cfg.scan.name}_scan"))
    fp = cfg.fingerprint()
    check_executor(executor, workers, scheduler)
    ckpt.check_folder(out, fp, resume=resume, overwrite=overwrite)
    st = cfg.statistics
    ref_y = None
    if st.method == "recast":
        _, _, ref_y = _reference_curve(cfg)
    tasks = build_units(cfg, ref_y)
    xs, ys = axes(cfg)
    manifest = {"name": cfg.scan.name, "grid": [int(xs.size), int(ys.size)], "units": len(tasks),
                "config": cfg.model_dump(exclude={"base_dir"})}
    created, had_manifest = ckpt.first_missing(out), (out / ckpt.MANIFEST).is_file()
    ckpt.prepare_folder(out, fp, manifest, resume=resume)
    try:
        return _run(cfg, out, fp, tasks, executor, workers, scheduler, resume, progress, point_fn, plot, t0)
    except BaseException:
        if not ckpt.finished_units(out, fp):
            ckpt.discard_new(out, created, had_manifest)
        raise


def _run(cfg, out, fp, tasks, executor, workers, scheduler, resume, progress, point_fn, plot, t0) -> ScanResult:
    xs, ys = axes(cfg)
    done = ckpt.finished_units(out, fp) if resume else {}
    todo = [t for t in tasks if t.index not in done]
    results: dict[int, UnitResult] = dict(done)
    total = len(tasks)
    labels = {t.index: describe(t) for t in tasks}
    if progress:
        progress(len(results), total, "checkpoints" if done else "starting")

    def on_result(res: UnitResult) -> None:
        ckpt.write_unit(out, res, fp)
        results[res.index] = res
        if progress:
            progress(len(results), total, labels[res.index])

    used = run_tasks(todo, point_fn, on_result, executor=executor, workers=workers, scheduler=scheduler)
    missing = [t.index for t in tasks if t.index not in results]
    if missing:
        raise ConfigurationError(f"{len(missing)} units did not finish (first: {missing[0]})")
    res = _analyse(cfg, out, tasks, results, plot)
    res.computed, res.reused, res.executor = len(todo), len(done), used
    res.seconds = time.perf_counter() - t0
    summary = {"name": cfg.scan.name, "fingerprint": fp, **res.to_dict()}
    path = out / "summary.json"
    tmp = path.with_name(".summary.json.tmp")
    tmp.write_text(json.dumps(summary, indent=1, default=_json))
    os.replace(tmp, path)
    res.files.append(path)
    return res


def _json(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return str(o)


def _grid(cfg: ScanConfig, results: dict[int, UnitResult], nx: int, ny: int):
    S = np.zeros(nx * ny)
    E = np.zeros(nx * ny)
    D = np.zeros(nx * ny)
    U = np.zeros(nx * ny)
    C = np.full(nx * ny, np.nan)
    nb = None if cfg.signal.bins is None else len(cfg.signal.bins) - 1
    spec = None if nb is None else np.zeros((nx * ny, nb))
    for r in results.values():
        S[r.point_ids], E[r.point_ids] = r.signal, r.signal_err
        D[r.point_ids], U[r.point_ids], C[r.point_ids] = r.decay_in_detector, r.upscattered, r.ctau_cm
        if spec is not None and r.spectrum is not None:
            spec[r.point_ids] = r.spectrum
    shape = (nx, ny)
    return (S.reshape(shape), E.reshape(shape), D.reshape(shape), U.reshape(shape), C.reshape(shape),
            None if spec is None else spec.reshape(nx, ny, nb))


def _analyse(cfg: ScanConfig, out: Path, tasks, results, plot: bool) -> ScanResult:
    from darkbeam.analysis.contours import contour_lines, lines_table, plot_plane, read_curve, write_table
    from darkbeam.analysis.limits import binned_ratio, counting_ratio
    from darkbeam.analysis.recast import recast_ratio

    xs, ys = axes(cfg)
    nx, ny = xs.size, ys.size
    S, E, D, U, C, spec = _grid(cfg, results, nx, ny)
    st = cfg.statistics
    kind = "exclusion" if st.observed is not None else "sensitivity"
    limit: dict = {"method": st.method, "cl": st.cl, "kind": kind}
    if st.method == "counting":
        ratio, s_up = counting_ratio(S, background=float(np.atleast_1d(st.background)[0]),
                                     observed=None if st.observed is None else float(np.atleast_1d(st.observed)[0]),
                                     sigma_signal=st.sigma_signal, sigma_background=st.sigma_background, cl=st.cl,
                                     method=st.limit_method)
        limit.update({"signal_events_excluded": s_up, "limit_method": st.limit_method})
        extra = {}
    elif st.method == "binned":
        ratio, mu = binned_ratio(spec, background=st.background, observed=st.observed, sigma_signal=st.sigma_signal,
                                 sigma_background=st.sigma_background, cl=st.cl)
        limit.update({"limit_method": "asymptotic"})
        extra = {"mu_up": mu.ravel()}
    else:
        if st.limit_events is not None:
            n_lim = np.full(nx, float(st.limit_events))
        else:
            by_x = np.full(nx, np.nan)
            for t in tasks:
                r = results[t.index]
                ix = t.point_ids[0] // ny
                if t.reference is not None:
                    by_x[ix] = r.reference_signal
            n_lim = by_x
        ratio = recast_ratio(S, n_lim)
        limit.update({"events_at_published_limit": [None if not np.isfinite(v) else float(v) for v in n_lim]})
        extra = {}
    lines = contour_lines(xs, ys, ratio, xlog=cfg.x.scale == "log", ylog=cfg.y.scale == "log")
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    table = {"x": X.ravel(), "y": Y.ravel(), "signal": S.ravel(), "signal_err": E.ravel(),
             "decay_in_detector": D.ravel(), "upscattered": U.ravel(), "ctau_cm": C.ravel(), "ratio": ratio.ravel(),
             "excluded": (ratio >= 1.0).ravel(), **extra}
    meta = {"x": cfg.x.axis_label(), "y": cfg.y.axis_label(), "x_param": cfg.x.param, "y_param": cfg.y.param,
            "x_power": cfg.x.power, "y_power": cfg.y.power, "limit": limit, "experiment": cfg.scan.experiment}
    files = write_table(table, out / "grid", meta) + write_table(lines_table(lines), out / "contour", meta)
    if plot:
        overlays = []
        for ov in cfg.plot.overlays:
            cx, cy = read_curve(cfg.path(ov.file), x_scale=ov.x_scale, y_scale=ov.y_scale)
            overlays.append((ov.label or Path(ov.file).stem, cx, cy))
        if st.method == "recast" and st.limit_curve is not None:
            cx, cy = read_curve(cfg.path(st.limit_curve.file), x_scale=st.limit_curve.x_scale,
                                y_scale=st.limit_curve.y_scale)
            overlays.append((st.limit_curve.label or "published limit (reference model)", cx, cy))
        cl = f"{100 * st.cl:g}% CL"
        title = cfg.plot.title or f"{cfg.scan.name}: {cfg.scan.experiment}, {kind} ({cl})"
        files.append(plot_plane(xs, ys, ratio, lines, out / "contour.png", xlabel=cfg.x.axis_label(),
                                ylabel=cfg.y.axis_label(), title=title, xlog=cfg.x.scale == "log",
                                ylog=cfg.y.scale == "log", label=f"{kind} ({cl})", overlays=overlays,
                                show_points=cfg.plot.show_grid_points))
    status = {int(k): r.status for k, r in results.items() if r.status != "ok"}
    return ScanResult(xs, ys, S, E, ratio, lines, limit, files=files, status=status)
