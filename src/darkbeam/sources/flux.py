"""Neutrino fluxes: d Phi / dE per flavour, in nu / cm^2 / GeV / POT.

A :class:`Flux` holds, for each flavour, the differential flux at a set of energy nodes (GeV) and
treats it as the piecewise-linear function through those nodes, zero outside the first and last
node.  Everything it computes (integrals, means, folds with a cross section) is exact for that
piecewise-linear function, so that integrating and folding agree with evaluating.  Monochromatic
components (decay-at-rest lines such as pi+ -> mu+ nu_mu at 29.79 MeV) are kept apart as *lines*:
(energy GeV, Phi in nu / cm^2 / POT) pairs that integration and folding add as delta functions.

Histograms given per bin (bin centres and densities) are turned into nodes by
:meth:`Flux.from_bin_centres`, which adds a node at each outer bin edge with the value of the
outer bin, so that the piecewise-linear integral equals the histogram integral sum(phi_i dE_i)
exactly for uniform bins.

Every flux carries a ``provenance`` string that says where it came from (official file and its
checksum, beam model and its settings, decay-at-rest source and its normalisation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Optional, Sequence

import numpy as np

from darkbeam.errors import ConfigurationError, DataError

#: flavour labels, in the column order of the usual flux tables
FLAVOURS = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
#: the internal flux unit
UNIT = "nu/cm2/GeV/POT"
#: unit of a line (monochromatic) flux
LINE_UNIT = "nu/cm2/POT"

_ALIASES = {
    "nue": "nu_e", "numu": "nu_mu", "nutau": "nu_tau",
    "nuebar": "nu_e_bar", "numubar": "nu_mu_bar", "nutaubar": "nu_tau_bar",
    "anti_nu_e": "nu_e_bar", "anti_nu_mu": "nu_mu_bar", "anti_nu_tau": "nu_tau_bar",
    "12": "nu_e", "14": "nu_mu", "16": "nu_tau", "-12": "nu_e_bar", "-14": "nu_mu_bar", "-16": "nu_tau_bar",
}


def canonical_flavour(name: str | int) -> str:
    """The flavour label ('nu_mu', 'nu_e_bar', ...) for a label, alias or PDG code."""
    key = str(name).strip()
    if key in FLAVOURS:
        return key
    low = key.lower().replace("-", "_") if not key.lstrip("-").isdigit() else key
    if low in FLAVOURS:
        return low
    if low in _ALIASES:
        return _ALIASES[low]
    raise ConfigurationError(f"unknown neutrino flavour '{name}' (use one of {', '.join(FLAVOURS)})")


# Gauss-Legendre nodes on [0, 1], cached per order
_GL: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _gl01(n: int) -> tuple[np.ndarray, np.ndarray]:
    if n not in _GL:
        x, w = np.polynomial.legendre.leggauss(n)
        _GL[n] = (0.5 * (x + 1.0), 0.5 * w)
    return _GL[n]


@dataclass(frozen=True, eq=False)
class Flux:
    """d Phi / dE per flavour (nu / cm^2 / GeV / POT) on energy nodes (GeV), plus optional lines.

    Parameters
    ----------
    energies : increasing array of node energies in GeV (>= 0).
    values : mapping flavour -> array of d Phi / dE at the nodes (nu/cm^2/GeV/POT); flavours not
        given are zero.
    lines : mapping flavour -> sequence of (energy GeV, Phi nu/cm^2/POT) monochromatic components.
    provenance : where the flux comes from (file and checksum, or model and settings).
    description : a short human label.
    meta : free-form metadata (distance, beam, normalisation, ...), JSON-serialisable.
    """

    energies: np.ndarray
    values: Mapping[str, np.ndarray]
    lines: Mapping[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    provenance: str = ""
    description: str = ""
    meta: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        e = np.asarray(self.energies, dtype=np.float64)
        if e.ndim != 1 or e.size < 2:
            raise DataError("a flux needs at least two energy nodes")
        if not np.all(np.isfinite(e)) or e[0] < 0.0:
            raise DataError("flux energies must be finite and non-negative")
        if not np.all(np.diff(e) > 0.0):
            raise DataError("flux energies must be strictly increasing")
        vals: dict[str, np.ndarray] = {}
        for fl, v in self.values.items():
            fl = canonical_flavour(fl)
            arr = np.asarray(v, dtype=np.float64)
            if arr.shape != e.shape:
                raise DataError(f"flux column {fl} has {arr.size} values for {e.size} energies")
            if not np.all(np.isfinite(arr)):
                raise DataError(f"flux column {fl} has non-finite values")
            if np.any(arr < 0.0):
                raise DataError(f"flux column {fl} has negative values")
            arr = arr.copy()
            arr.setflags(write=False)
            vals[fl] = arr
        lines: dict[str, tuple[tuple[float, float], ...]] = {}
        for fl, ls in (self.lines or {}).items():
            fl = canonical_flavour(fl)
            clean = []
            for energy, phi in ls:
                energy, phi = float(energy), float(phi)
                if not (math.isfinite(energy) and energy > 0 and math.isfinite(phi) and phi >= 0):
                    raise DataError(f"bad line ({energy}, {phi}) for {fl}")
                clean.append((energy, phi))
            if clean:
                lines[fl] = tuple(sorted(clean))
        e = e.copy()
        e.setflags(write=False)
        object.__setattr__(self, "energies", e)
        object.__setattr__(self, "values", vals)
        object.__setattr__(self, "lines", lines)
        object.__setattr__(self, "meta", dict(self.meta or {}))

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_bin_centres(cls, centres, values: Mapping[str, np.ndarray], **kw) -> "Flux":
        """A flux from a histogram given by bin centres (GeV) and densities (nu/cm^2/GeV/POT).

        Bin edges are taken half-way between centres; a node is added at each outer edge with the
        value of the outer bin, so that :meth:`integrate` returns sum(phi_i dE_i) exactly for
        uniform bins (and to second order in the bin-width variation otherwise).
        """
        c = np.asarray(centres, dtype=np.float64)
        if c.ndim != 1 or c.size < 2 or not np.all(np.diff(c) > 0):
            raise DataError("bin centres must be at least two strictly increasing energies")
        lo = max(c[0] - 0.5 * (c[1] - c[0]), 0.0)
        hi = c[-1] + 0.5 * (c[-1] - c[-2])
        nodes = np.concatenate(([lo], c, [hi]))
        vals = {}
        for fl, v in values.items():
            v = np.asarray(v, dtype=np.float64)
            vals[fl] = np.concatenate(([v[0]], v, [v[-1]]))
        if lo == c[0]:  # a centre at zero: no room for a lower edge node
            nodes = nodes[1:]
            vals = {fl: v[1:] for fl, v in vals.items()}
        return cls(nodes, vals, **kw)

    @classmethod
    def from_histogram(cls, edges, values: Mapping[str, np.ndarray], *, step: bool = False, **kw) -> "Flux":
        """A flux from bin edges (GeV) and per-bin densities (nu/cm^2/GeV/POT).

        ``step=False``: piecewise linear through the bin centres (:meth:`from_bin_centres`; its
        integral equals the histogram's exactly for uniform bins).  ``step=True``: the histogram
        itself, for bins of unequal width: nodes at ``edge - d`` and ``edge + d`` of every inner edge
        (d = 1e-4 of the narrower neighbouring bin) with the densities of the bins on either side,
        joined linearly across the edge, so that :meth:`integrate` returns sum(phi_i dE_i) exactly
        whatever the widths (each ramp contributes d phi_i + d phi_(i+1), what the step gives).
        """
        edges = np.asarray(edges, dtype=np.float64)
        if edges.ndim != 1 or edges.size < 3 or not np.all(np.diff(edges) > 0):
            raise DataError("histogram edges must be at least three strictly increasing energies")
        if not step:
            return cls.from_bin_centres(0.5 * (edges[1:] + edges[:-1]), values, **kw)
        w = np.diff(edges)
        d = 1.0e-4 * np.minimum(w[:-1], w[1:])  # half-width of the ramp across each inner edge
        inner = np.column_stack((edges[1:-1] - d, edges[1:-1] + d)).ravel()
        nodes = np.concatenate(([edges[0]], inner, [edges[-1]]))
        vals = {}
        for fl, v in values.items():
            v = np.asarray(v, dtype=np.float64)
            if v.shape != w.shape:
                raise DataError(f"histogram column {fl} has {v.size} values for {w.size} bins")
            vals[fl] = np.repeat(v, 2)
        return cls(nodes, vals, **kw)

    # ------------------------------------------------------------------ basic queries
    @property
    def flavours(self) -> tuple[str, ...]:
        """Flavours with a non-zero continuous part or a line."""
        out = [fl for fl in FLAVOURS if (fl in self.values and np.any(self.values[fl] > 0)) or fl in self.lines]
        return tuple(out)

    @property
    def energy_range(self) -> tuple[float, float]:
        """(E_min, E_max) in GeV of the tabulated support (lines included)."""
        lo, hi = float(self.energies[0]), float(self.energies[-1])
        for ls in self.lines.values():
            for energy, _ in ls:
                lo, hi = min(lo, energy), max(hi, energy)
        return lo, hi

    def column(self, flavour: str) -> np.ndarray:
        """d Phi / dE at the nodes for ``flavour`` (zeros if absent)."""
        fl = canonical_flavour(flavour)
        return self.values.get(fl, np.zeros_like(self.energies))

    def __call__(self, energy, flavour: str = "nu_mu") -> np.ndarray:
        """d Phi / dE (nu/cm^2/GeV/POT) at ``energy`` (GeV, array), linear between nodes, 0 outside.

        Lines are not densities and are not included (see :attr:`lines`).
        """
        e = np.asarray(energy, dtype=np.float64)
        y = np.interp(e, self.energies, self.column(flavour), left=0.0, right=0.0)
        return y

    dphi_de = __call__

    # ------------------------------------------------------------------ integrals
    def _segments(self, emin: Optional[float], emax: Optional[float]) -> tuple[np.ndarray, np.ndarray]:
        """Node energies clipped to [emin, emax] (segments of the piecewise-linear function)."""
        lo = self.energies[0] if emin is None else max(float(emin), self.energies[0])
        hi = self.energies[-1] if emax is None else min(float(emax), self.energies[-1])
        if hi <= lo:
            return np.empty(0), np.empty(0)
        inner = self.energies[(self.energies > lo) & (self.energies < hi)]
        x = np.concatenate(([lo], inner, [hi]))
        return x[:-1], x[1:]

    def _line_sum(self, flavour: str, emin, emax, weight: Callable | None = None) -> float:
        fl = canonical_flavour(flavour)
        total = 0.0
        lo = -np.inf if emin is None else float(emin)
        hi = np.inf if emax is None else float(emax)
        for energy, phi in self.lines.get(fl, ()):
            if lo <= energy <= hi:
                total += phi * (1.0 if weight is None else float(np.asarray(weight(np.array([energy])))[0]))
        return total

    def integrate(self, flavour: str = "nu_mu", emin: float | None = None, emax: float | None = None,
                  *, include_lines: bool = True) -> float:
        """Integrated flux in nu/cm^2/POT between emin and emax (GeV), lines included."""
        a, b = self._segments(emin, emax)
        total = 0.0
        if a.size:
            fa, fb = self(a, flavour), self(b, flavour)
            total = float(np.sum(0.5 * (fa + fb) * (b - a)))
        if include_lines:
            total += self._line_sum(flavour, emin, emax)
        return total

    def total(self, flavours: Iterable[str] | None = None, emin=None, emax=None) -> float:
        """Sum of :meth:`integrate` over flavours (all by default)."""
        return sum(self.integrate(fl, emin, emax) for fl in (flavours or FLAVOURS))

    def mean_energy(self, flavour: str = "nu_mu", emin=None, emax=None) -> float:
        """Flux-weighted mean energy (GeV), lines included."""
        norm = self.integrate(flavour, emin, emax)
        if norm <= 0.0:
            raise DataError(f"no {canonical_flavour(flavour)} flux in the requested range")
        return self.fold(lambda e: e, flavour, emin, emax) / norm

    def peak_energy(self, flavour: str = "nu_mu", emin=None, emax=None) -> float:
        """Energy (GeV) of the largest d Phi / dE among the nodes (continuous part only)."""
        col = self.column(flavour)
        mask = np.ones_like(col, dtype=bool)
        if emin is not None:
            mask &= self.energies >= emin
        if emax is not None:
            mask &= self.energies <= emax
        if not np.any(col[mask] > 0):
            raise DataError(f"no {canonical_flavour(flavour)} flux in the requested range")
        idx = np.flatnonzero(mask)[np.argmax(col[mask])]
        return float(self.energies[idx])

    def fold(self, sigma: Callable[[np.ndarray], np.ndarray], flavour: str = "nu_mu", emin=None, emax=None,
             *, order: int = 8) -> float:
        """Integral of sigma(E) dPhi/dE dE (+ sum of sigma(E_line) Phi_line).

        ``sigma`` takes an array of energies (GeV) and returns an array of the same shape, e.g. a
        cross section in cm^2; the result is then interactions per target per POT.  Each segment
        between nodes is integrated with an ``order``-point Gauss-Legendre rule (exact for the
        linear flux times a polynomial sigma of degree 2*order-2).
        """
        a, b = self._segments(emin, emax)
        total = 0.0
        if a.size:
            x, w = _gl01(order)
            e = a[:, None] + (b - a)[:, None] * x[None, :]
            s = np.asarray(sigma(e.ravel()), dtype=np.float64)
            if s.shape != (e.size,):
                s = np.broadcast_to(s, (e.size,)) if s.ndim == 0 else s.reshape(-1)
                if s.size != e.size:
                    raise ConfigurationError("sigma(E) must return one value per energy")
            if not np.all(np.isfinite(s)):
                raise ConfigurationError("sigma(E) returned non-finite values")
            phi = self(e.ravel(), flavour)
            total = float(np.sum((s * phi).reshape(e.shape) * w[None, :] * (b - a)[:, None]))
        total += self._line_sum(flavour, emin, emax, weight=sigma)
        return total

    # ------------------------------------------------------------------ derived fluxes
    def scaled(self, factor: float, *, provenance: str | None = None) -> "Flux":
        """This flux times ``factor`` (e.g. a distance or exposure rescaling)."""
        factor = float(factor)
        if not (math.isfinite(factor) and factor >= 0):
            raise ConfigurationError(f"flux scale factor must be finite and >= 0, got {factor}")
        return Flux(
            self.energies,
            {fl: v * factor for fl, v in self.values.items()},
            lines={fl: tuple((e, p * factor) for e, p in ls) for fl, ls in self.lines.items()},
            provenance=provenance if provenance is not None else f"{self.provenance} (x {factor:.6g})",
            description=self.description,
            meta=self.meta,
        )

    def on_grid(self, energies) -> "Flux":
        """The same flux evaluated on other nodes (GeV); lines are kept."""
        e = np.asarray(energies, dtype=np.float64)
        return Flux(e, {fl: self(e, fl) for fl in self.values}, lines=self.lines, provenance=self.provenance,
                    description=self.description, meta=self.meta)

    # ------------------------------------------------------------------ output
    def table(self, energies=None, flavours: Sequence[str] | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(energies, {flavour: dPhi/dE}) on the nodes or on given energies."""
        e = self.energies if energies is None else np.asarray(energies, dtype=np.float64)
        fls = [canonical_flavour(f) for f in (flavours or FLAVOURS)]
        return e, {fl: self(e, fl) for fl in fls}

    def to_dict(self, energies=None, flavours: Sequence[str] | None = None) -> dict:
        """JSON-ready: {"energies_GeV", "flux", "unit", "lines", "line_unit", "provenance", ...}."""
        e, cols = self.table(energies, flavours)
        out = {
            "energies_GeV": [float(x) for x in e],
            "flux": {fl: [float(x) for x in v] for fl, v in cols.items()},
            "unit": UNIT,
            "provenance": self.provenance,
        }
        if self.lines:
            out["lines"] = {fl: [[e_, p_] for e_, p_ in ls] for fl, ls in self.lines.items()}
            out["line_unit"] = LINE_UNIT
        if self.description:
            out["description"] = self.description
        if self.meta:
            out["meta"] = {k: v for k, v in self.meta.items() if isinstance(v, (str, int, float, bool, type(None)))}
        return out

    def plot(self, ax=None, flavours: Sequence[str] | None = None, *, path=None, logy: bool = True,
             title: str | None = None):
        """Plot d Phi / dE per flavour (and the lines as markers); returns the matplotlib Axes.

        With ``path`` the figure is written there (PNG, PDF, ... by suffix), atomically.
        """
        import matplotlib

        if ax is None and path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fls = [canonical_flavour(f) for f in (flavours or self.flavours)]
        own = ax is None
        if own:
            fig, ax = plt.subplots(figsize=(7.0, 4.5))
        else:
            fig = ax.figure
        styles = {"nu_e": ("C0", "-"), "nu_mu": ("C1", "-"), "nu_tau": ("C2", "-"),
                  "nu_e_bar": ("C0", "--"), "nu_mu_bar": ("C1", "--"), "nu_tau_bar": ("C2", "--")}
        labels = {"nu_e": r"$\nu_e$", "nu_mu": r"$\nu_\mu$", "nu_tau": r"$\nu_\tau$",
                  "nu_e_bar": r"$\bar\nu_e$", "nu_mu_bar": r"$\bar\nu_\mu$", "nu_tau_bar": r"$\bar\nu_\tau$"}
        for fl in fls:
            color, ls = styles[fl]
            y = self.column(fl)
            if np.any(y > 0):
                ax.plot(self.energies, y, color=color, ls=ls, label=labels[fl])
            for energy, phi in self.lines.get(fl, ()):
                ax.plot([energy], [phi], marker="v", color=color, ls="none")
                ax.annotate(f"{labels[fl]} line {energy * 1e3:.1f} MeV\n{phi:.3g} /cm$^2$/POT", (energy, phi),
                            textcoords="offset points", xytext=(4, 4), fontsize=7, color=color)
        ax.set_xlabel(r"$E_\nu$ [GeV]")
        ax.set_ylabel(r"d$\Phi$/d$E$ [$\nu$ / cm$^2$ / GeV / POT]")
        if logy:
            ax.set_yscale("log")
            top = max([float(np.max(self.column(fl))) for fl in fls]
                      + [phi for fl in fls for _, phi in self.lines.get(fl, ())] + [0.0])
            if top > 0:
                ax.set_ylim(bottom=top * 1e-5, top=top * 3.0)
        ax.set_title(title if title is not None else (self.description or "neutrino flux"), fontsize=9)
        ax.legend(fontsize=8)
        if self.provenance:
            ax.text(0.01, 0.01, self.provenance[:140], transform=ax.transAxes, fontsize=5, va="bottom", alpha=0.7)
        if path is not None:
            from pathlib import Path

            p = Path(path)
            tmp = p.with_name(p.name + ".part")
            fig.savefig(tmp, format=p.suffix.lstrip(".") or "png", dpi=120, bbox_inches="tight")
            tmp.replace(p)
            if own:
                plt.close(fig)
        return ax

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        lo, hi = self.energy_range
        return (f"Flux({self.description or 'unnamed'}, {len(self.energies)} nodes, {lo:.4g}-{hi:.4g} GeV, "
                f"flavours={self.flavours})")


def combine(fluxes: Sequence[Flux], *, provenance: str | None = None, description: str = "") -> Flux:
    """Sum of fluxes on the union of their nodes (lines concatenated)."""
    if not fluxes:
        raise ConfigurationError("nothing to combine")
    nodes = np.unique(np.concatenate([f.energies for f in fluxes]))
    vals: dict[str, np.ndarray] = {}
    lines: dict[str, list] = {}
    for f in fluxes:
        for fl in f.values:
            vals[fl] = vals.get(fl, np.zeros_like(nodes)) + f(nodes, fl)
        for fl, ls in f.lines.items():
            lines.setdefault(fl, []).extend(ls)
    prov = provenance if provenance is not None else " + ".join(f.provenance for f in fluxes)
    return Flux(nodes, vals, lines=lines, provenance=prov, description=description)
