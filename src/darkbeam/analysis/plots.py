"""Standard kinematic distributions of an EventSet, as PNG files (matplotlib, no display needed).

Every histogram is weighted with the events' total weight w = w_rate * (br / q_channel) * w_decay *
p_decay (events decaying in the detector for the exposure, docs/events.md) unless stated; the
upscattering distributions (E_nu, Q^2) are shown with the upscattering weight w_rate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from darkbeam.errors import ConfigurationError


def _visible(events) -> tuple[np.ndarray, np.ndarray]:
    """Indices (event, slot) of the two hardest visible (charged or photon) daughters."""
    n = len(events)
    pdg = np.stack([events.pdg(f"d{k}") for k in range(1, 5)], axis=1)
    invisible = (np.abs(pdg) == 12) | (np.abs(pdg) == 14) | (np.abs(pdg) == 16) | (pdg == 0) | (np.abs(pdg) // 10 == 591)
    E = np.stack([events.energy(f"d{k}") for k in range(1, 5)], axis=1)
    E = np.where(invisible, -1.0, E)
    order = np.argsort(-E, axis=1)
    return order[:, 0], order[:, 1], (E[np.arange(n), order[:, 1]] > 0)


#: the files standard_plots writes, <name>.png
STANDARD_PLOTS = ("E_nu", "Q2", "E_visible", "cos_visible", "opening_angle", "decay_z", "decay_r")


def standard_plots(events, folder) -> list[Path]:
    """Write E_nu, Q^2, visible energy and angle, opening angle and decay position plots to ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigurationError(f"--plots needs a folder, {folder} is a file")
    folder.mkdir(parents=True, exist_ok=True)
    w_dec = np.asarray(events.w)
    w_up = np.asarray(events["w_rate"])
    n = len(events)
    a, b, two = _visible(events)
    p = np.stack([events.p4(f"d{k}") for k in range(1, 5)], axis=1)
    rows = np.arange(n)
    pa, pb = p[rows, a], p[rows, b]
    Evis = pa[:, 0] + np.where(two, pb[:, 0], 0.0)
    pvis = pa[:, 1:] + np.where(two[:, None], pb[:, 1:], 0.0)
    cos_vis = pvis[:, 2] / np.maximum(np.linalg.norm(pvis, axis=1), 1e-300)
    na = np.linalg.norm(pa[:, 1:], axis=1)
    nb = np.linalg.norm(pb[:, 1:], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_open = np.where(two, np.einsum("ij,ij->i", pa[:, 1:], pb[:, 1:]) / (na * nb), np.nan)
    dec = events.vertex("decay")
    figs = [
        ("E_nu", events.E_nu, w_up, "neutrino energy E_nu [GeV]", "upscattered events / bin", False),
        ("Q2", events["Q2"], w_up, "Q^2 [GeV^2]", "upscattered events / bin", True),
        ("E_visible", Evis, w_dec, "visible energy (two hardest visible daughters) [GeV]", "decays in detector / bin", False),
        ("cos_visible", cos_vis, w_dec, "cos(angle of the visible system to the beam)", "decays in detector / bin", False),
        ("opening_angle", np.degrees(np.arccos(np.clip(cos_open, -1, 1))), w_dec, "opening angle of the two visible daughters [deg]",
         "decays in detector / bin", False),
        ("decay_z", dec[:, 2], w_dec, "decay position z [cm]", "decays in detector / bin", False),
        ("decay_r", np.hypot(dec[:, 0], dec[:, 1]), w_dec, "decay position r = sqrt(x^2+y^2) [cm]", "decays in detector / bin", False),
    ]
    assert tuple(f[0] for f in figs) == STANDARD_PLOTS
    out = []
    for name, x, w, xlabel, ylabel, logx in figs:
        x = np.asarray(x, dtype=float)
        ok = np.isfinite(x) & (w > 0)
        fig, ax = plt.subplots(figsize=(6, 4.2))
        if np.any(ok):
            xs = x[ok]
            bins = np.geomspace(max(xs.min(), 1e-12), xs.max() * 1.0001, 50) if logx and xs.min() > 0 else 50
            ax.hist(xs, bins=bins, weights=w[ok], histtype="step", color="C0", lw=1.5)
            if logx:
                ax.set_xscale("log")
        else:
            ax.text(0.5, 0.5, "no events with non-zero weight", ha="center", transform=ax.transAxes)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{events.meta.get('experiment', '')}: {name}")
        fig.tight_layout()
        path = folder / f"{name}.png"
        tmp = folder / f".{name}.png.tmp"
        fig.savefig(tmp, dpi=110, format="png")
        plt.close(fig)
        tmp.replace(path)
        out.append(path)
    return out
