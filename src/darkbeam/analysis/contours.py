"""Exclusion and sensitivity contours in a 2D parameter plane: extraction, tables, plots.

The input is a grid of the ratio r(x, y) = predicted signal / signal excluded at the chosen CL (or
1/mu_up for spectra); the contour is the line r = 1.  It is traced by marching squares (contourpy,
the engine behind matplotlib's contour) on log10(r) in log10 coordinates for log axes, i.e. with
linear interpolation between grid nodes in the coordinates the plot uses.  r <= 0 (no signal) is
floored at 1e-300 so that the log is finite.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from darkbeam.errors import ConfigurationError, DataError

_FLOOR = 1e-300


def _coords(v: np.ndarray, log: bool) -> np.ndarray:
    return np.log10(v) if log else v


def contour_lines(x, y, ratio, *, level: float = 1.0, xlog: bool = True, ylog: bool = True) -> list[np.ndarray]:
    """Polylines (each an (k, 2) array of x, y) where ``ratio`` (shape (len(x), len(y))) crosses ``level``."""
    import contourpy

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    r = np.asarray(ratio, dtype=float)
    if r.shape != (x.size, y.size):
        raise ConfigurationError(f"ratio has shape {r.shape}, expected ({x.size}, {y.size})")
    if x.size < 2 or y.size < 2:
        return []
    if (xlog and np.any(x <= 0)) or (ylog and np.any(y <= 0)):
        raise ConfigurationError("log axes need positive grid values")
    z = np.log10(np.maximum(np.where(np.isfinite(r), r, 0.0), _FLOOR)).T  # (ny, nx) for contourpy
    X, Y = np.meshgrid(_coords(x, xlog), _coords(y, ylog))
    gen = contourpy.contour_generator(X, Y, z, line_type="Separate")
    out = []
    for seg in gen.lines(math.log10(level)):
        seg = np.asarray(seg, dtype=float)
        if seg.shape[0] < 2:
            continue
        if xlog:
            seg[:, 0] = 10.0 ** seg[:, 0]
        if ylog:
            seg[:, 1] = 10.0 ** seg[:, 1]
        out.append(seg)
    return out


def filled_regions(x, y, ratio, *, level: float = 1.0, xlog: bool = True, ylog: bool = True) -> list:
    """matplotlib patches of the region ratio >= ``level``, traced like :func:`contour_lines`."""
    import contourpy
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    r = np.asarray(ratio, dtype=float)
    if x.size < 2 or y.size < 2:
        return []
    z = np.log10(np.maximum(np.where(np.isfinite(r), r, 0.0), _FLOOR)).T
    if not np.any(z >= math.log10(level)):
        return []
    X, Y = np.meshgrid(_coords(x, xlog), _coords(y, ylog))
    gen = contourpy.contour_generator(X, Y, z, fill_type="OuterCode")
    points, codes = gen.filled(math.log10(level), max(float(z.max()), math.log10(level)) + 1.0)
    out = []
    for pts, cds in zip(points, codes):
        pts = np.asarray(pts, dtype=float).copy()
        if xlog:
            pts[:, 0] = 10.0 ** pts[:, 0]
        if ylog:
            pts[:, 1] = 10.0 ** pts[:, 1]
        out.append(PathPatch(MPath(pts, cds), facecolor="C0", alpha=0.25, edgecolor="none"))
    return out


def lines_table(lines: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """Columns ``segment``, ``x``, ``y`` of a list of polylines."""
    if not lines:
        return {"segment": np.zeros(0, dtype=np.int64), "x": np.zeros(0), "y": np.zeros(0)}
    return {"segment": np.concatenate([np.full(len(s), i, dtype=np.int64) for i, s in enumerate(lines)]),
            "x": np.concatenate([s[:, 0] for s in lines]), "y": np.concatenate([s[:, 1] for s in lines])}


def write_table(columns: dict[str, np.ndarray], path_base, metadata: dict | None = None) -> list[Path]:
    """Write ``columns`` as ``<path_base>.parquet`` and ``<path_base>.csv`` (atomically)."""
    import json

    import pyarrow.parquet as pq

    from darkbeam.analysis.arrow_tables import arrow_table

    base = Path(path_base)
    table = arrow_table({k: np.asarray(v) for k, v in columns.items()},
                        {"darkbeam.table": json.dumps(metadata, default=str)} if metadata else None)
    out = []
    pq_path = base.with_suffix(".parquet")
    tmp = pq_path.with_name(f".{pq_path.name}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, pq_path)
    out.append(pq_path)
    csv_path = base.with_suffix(".csv")
    tmp = csv_path.with_name(f".{csv_path.name}.tmp")
    keys = list(columns)
    with tmp.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(keys)
        cols = [np.asarray(columns[k]) for k in keys]
        for row in zip(*cols):
            w.writerow([repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in row])
    os.replace(tmp, csv_path)
    out.append(csv_path)
    return out


def read_curve(path, *, x_scale: float = 1.0, y_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A curve from a text file: numeric columns separated by commas, semicolons, spaces or tabs; lines
    starting with '#' are skipped.  A header line naming columns ``x`` and ``y`` selects them (as in
    darkbeam's contour.csv); otherwise the first two columns are x and y."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"curve file not found: {p}")
    rows = []
    cols = (0, 1)
    for k, line in enumerate(p.read_text().splitlines()):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.replace(",", " ").replace(";", " ").split()
        try:
            vals = [float(v) for v in parts]
        except ValueError:
            if not rows:  # a header
                names = [n.lower() for n in parts]
                if "x" in names and "y" in names:
                    cols = (names.index("x"), names.index("y"))
                continue
            raise DataError(f"{p}, line {k + 1}: not numbers: {line!r}") from None
        if len(vals) <= max(cols):
            raise DataError(f"{p}, line {k + 1}: a curve needs at least two columns (x, y)")
        rows.append((vals[cols[0]], vals[cols[1]]))
    if len(rows) < 2:
        raise DataError(f"{p}: a curve needs at least two points")
    a = np.array(rows, dtype=float)
    if not np.all(np.isfinite(a)):
        raise DataError(f"{p}: non-finite values")
    return a[:, 0] * x_scale, a[:, 1] * y_scale


def plot_plane(x, y, ratio, lines, path, *, xlabel: str, ylabel: str, title: str = "", xlog: bool = True,
               ylog: bool = True, label: str = "excluded", overlays: Sequence[tuple[str, np.ndarray, np.ndarray]] = (),
               show_points: bool = False) -> Path:
    """PNG of the plane: shaded region r >= 1, its boundary (``lines``), optional overlay curves
    (label, x, y) and grid points; log axes as requested; written atomically."""
    # a Figure on an Agg canvas, without pyplot (no global backend switch, no figure manager)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    r = np.asarray(ratio, dtype=float)
    fig = Figure(figsize=(6.4, 4.8))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for poly in filled_regions(x, y, r, xlog=xlog, ylog=ylog):
        ax.add_patch(poly)
    for i, seg in enumerate(lines):
        ax.plot(seg[:, 0], seg[:, 1], color="C0", lw=2, label=label if i == 0 else None)
    for j, (lab, cx, cy) in enumerate(overlays):
        ax.plot(cx, cy, color=f"C{j + 1}", lw=1.5, ls="--", label=lab or None)
    if show_points:
        X, Y = np.meshgrid(x, y)
        ax.plot(X.ravel(), Y.ravel(), ".", color="0.6", ms=1.5)
    from matplotlib.ticker import NullFormatter

    for log, v, axis, setter in ((xlog, x, ax.xaxis, ax.set_xscale), (ylog, y, ax.yaxis, ax.set_yscale)):
        if log:
            setter("log")
            if v.max() > 10.0 * v.min():  # more than a decade: label the decades only
                axis.set_minor_formatter(NullFormatter())
    ax.set_xlim(x.min(), x.max())
    ax.set_ylim(y.min(), y.max())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if lines or overlays:
        ax.legend(loc="best", fontsize="small")
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, dpi=120, format="png")
    os.replace(tmp, path)
    return path
