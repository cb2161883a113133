"""Figures of the meson-decay limits: a limit curve with the catalog's published one."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_limit"]


def plot_limit(out: dict, path, *, title: str | None = None) -> Path:
    """Draw the limit (and expected, and the short-lifetime upper edge) of a ``darkbeam limit`` result
    ``out`` with the published curves of the search (analysis.searches) of the same parameter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from darkbeam.analysis.searches import load_search

    m = np.asarray(out["masses_GeV"], dtype=float)
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for key, style, label in (("limit", "-", "darkbeam"), ("expected", "--", "darkbeam expected"),
                              ("limit_upper", ":", "darkbeam (short lifetime edge)")):
        v = np.array([np.nan if x is None else x for x in out.get(key, [])], dtype=float)
        if v.size and np.isfinite(v).any():
            ax.plot(m, v, style, color="C0", label=label)
    key = out.get("recast_of") or out["search"]
    try:
        s = load_search(key)
        curves = s.curves(out["parameter"]) or s.curves(out["parameter"], recast=True)
    except Exception:  # noqa: BLE001 -- a user's search file without curves
        curves = []
    for c in curves:
        ax.plot(c.masses_GeV, c.values, color="k", label=f"published ({c.source[:40]})")
    ax.set_yscale("log")
    ax.set_xlabel("mass [GeV]")
    ax.set_ylabel(out["parameter"])
    what = f"{out['search']} recast to {out['recast_to']}" if out.get("recast_to") else out["search"]
    ax.set_title(title or f"{what} ({int(round(100 * out['cl']))}% CL)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
