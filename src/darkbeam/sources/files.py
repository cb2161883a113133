"""Readers for flux files: whitespace tables, two-column files, ROOT histograms, GLoBES files.

Every reader converts to the internal unit nu / cm^2 / GeV / POT with an explicit
``normalisation`` factor (file unit -> internal unit) and returns a
:class:`~darkbeam.sources.flux.Flux`.  A malformed file raises one
:class:`~darkbeam.errors.DataError` whose message names the file and the line.

Formats
-------
* ``table``: rows ``E  phi_1 ... phi_n`` (E in GeV), ``#`` starts a comment; the column order is
  given per file (the usual order is nu_e nu_mu nu_tau nu_e_bar nu_mu_bar nu_tau_bar).  Energies
  are either sample points of the density (``energy_grid="points"``) or histogram bin centres
  (``"centres"``), see :meth:`Flux.from_bin_centres`.
* ``two-column``: ``E  phi`` for one flavour.
* ``binned-table``: rows ``bin#  E_lo - E_hi  phi_1 ... phi_n`` (bin edges in GeV), header lines
  without that shape are skipped; the T2K public flux release (t2kflux_2020) has this layout, with
  densities per 50 MeV whatever the bin width.  Read by :func:`read_binned_table` as the histogram
  itself (:meth:`Flux.from_histogram` with ``step=True``), so that integrals are exact for bins of
  unequal width.
* ``root``: one TH1 per flavour, read with uproot; contents are densities (per GeV) or per-bin
  counts (``per_bin=True``: divided by the bin width).
* ``globes``: the GLoBES AEDL flux-file layout (P. Huber, M. Lindner, W. Winter, Comput. Phys.
  Commun. 167 (2005) 195, hep-ph/0407333; GLoBES manual, "flux files"): seven columns E[GeV],
  nu_e, nu_mu, nu_tau, nu_e_bar, nu_mu_bar, nu_tau_bar, given at a reference baseline; the reader
  scales by (L_ref / L)^2 when a distance is requested.

Registered files (darkbeam.data.registry) carry their format, column order, energy grid and
normalisation; :func:`official_flux` reads one by name.  Retired files (registry kind
``retired_flux``: kept so that their name gives a reason rather than "unknown") raise
:class:`RetiredFluxError`, whose message says why and which file replaces them.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Mapping, Optional, Sequence

import numpy as np

from darkbeam.errors import DataError
from darkbeam.sources.flux import FLAVOURS, Flux, canonical_flavour

__all__ = [
    "read_table",
    "read_binned_table",
    "read_two_column",
    "read_root",
    "read_globes",
    "official_flux",
    "unit_factor",
    "RetiredFluxError",
]


def _read_text(path: Path) -> str:
    """The text of a flux file; one DataError if it is missing or unreadable."""
    try:
        return path.read_text()
    except FileNotFoundError:
        raise DataError(f"flux file {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read flux file {path}: {type(exc).__name__}") from None


def _parse_rows(path: Path, ncols: int) -> tuple[np.ndarray, list[int]]:
    """Numeric rows of a whitespace table with exactly ``ncols`` numbers; DataError otherwise."""
    text = _read_text(path)
    rows: list[list[float]] = []
    lineno: list[int] = []
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.replace(",", " ").split()
        if len(fields) != ncols:
            raise DataError(f"{path}:{i}: expected {ncols} numbers per row, found {len(fields)}")
        try:
            vals = [float(x) for x in fields]
        except ValueError:
            bad = next(x for x in fields if not _is_float(x))
            raise DataError(f"{path}:{i}: '{bad}' is not a number") from None
        if not all(math.isfinite(v) for v in vals):
            raise DataError(f"{path}:{i}: non-finite value")
        rows.append(vals)
        lineno.append(i)
    if len(rows) < 2:
        raise DataError(f"{path}: fewer than two data rows")
    return np.asarray(rows, dtype=np.float64), lineno


def _is_float(x: str) -> bool:
    try:
        float(x)
        return True
    except ValueError:
        return False


def _check_energies(path: Path, e: np.ndarray, lineno: list[int]) -> None:
    if e[0] < 0:
        raise DataError(f"{path}:{lineno[0]}: negative energy {e[0]}")
    bad = np.flatnonzero(np.diff(e) <= 0)
    if bad.size:
        raise DataError(f"{path}:{lineno[bad[0] + 1]}: energies not strictly increasing ({e[bad[0]]} then {e[bad[0] + 1]})")


def _check_values(path: Path, data: np.ndarray, lineno: list[int]) -> None:
    neg = np.argwhere(data < 0)
    if neg.size:
        r = neg[0][0]
        raise DataError(f"{path}:{lineno[r]}: negative flux value {data[r, neg[0][1]]}")


def read_table(path, *, columns: Sequence[str] = FLAVOURS, normalisation: float = 1.0,
               energy_grid: str = "points", energy_scale: float = 1.0, provenance: str | None = None,
               description: str = "", meta: Mapping | None = None) -> Flux:
    """Read a whitespace table ``E phi_1 ... phi_n``.

    ``columns``: flavour of each flux column (after E); ``normalisation``: factor from the file's
    flux unit to nu/cm^2/GeV/POT (e.g. 1e-4 for nu/m^2, 1/0.05 for per-50-MeV-bin contents);
    ``energy_scale``: factor from the file's energy unit to GeV; ``energy_grid``: "points" or
    "centres".
    """
    path = Path(path)
    cols = [canonical_flavour(c) for c in columns]
    if len(set(cols)) != len(cols):
        raise DataError(f"{path}: duplicate flavour in column layout {list(columns)}")
    data, lineno = _parse_rows(path, 1 + len(cols))
    e = data[:, 0] * float(energy_scale)
    _check_energies(path, e, lineno)
    _check_values(path, data[:, 1:], lineno)
    vals = {fl: data[:, 1 + i] * float(normalisation) for i, fl in enumerate(cols)}
    kw = dict(provenance=provenance if provenance is not None else f"file {path}", description=description or path.name,
              meta=dict(meta or {}))
    if energy_grid == "centres":
        return Flux.from_bin_centres(e, vals, **kw)
    if energy_grid != "points":
        raise DataError(f"{path}: unknown energy grid '{energy_grid}' (points or centres)")
    return Flux(e, vals, **kw)


_BIN_ROW = re.compile(r"^\s*(\d+)\s+([0-9.eE+-]+)\s*-\s*([0-9.eE+-]+)\s+(.*)$")


def read_binned_table(path, *, columns: Sequence[str], normalisation: float = 1.0, provenance: str | None = None,
                      description: str = "", meta: Mapping | None = None) -> Flux:
    """Read a table of bins ``bin#  E_lo - E_hi  phi_1 ... phi_n`` (edges in GeV).

    Lines that do not start with a bin number and an edge pair (titles, column headers, rulers) are
    skipped.  ``columns``: flavour of each flux column; ``normalisation``: factor from the file's
    numbers to nu/cm^2/GeV/POT (T2K release: /cm^2/50MeV/1e21 POT -> 1/0.05 x 1e-21 = 2e-20).
    Bins must be contiguous (each lower edge equal to the previous upper edge).  The flux is the
    histogram itself (step function), so integrals over whole bins are exact.
    """
    path = Path(path)
    cols = [canonical_flavour(c) for c in columns]
    if len(set(cols)) != len(cols):
        raise DataError(f"{path}: duplicate flavour in column layout {list(columns)}")
    text = _read_text(path)
    lo, hi, vals, lineno = [], [], [], []
    for i, raw in enumerate(text.splitlines(), start=1):
        m = _BIN_ROW.match(raw.split("#", 1)[0])
        if not m:
            continue
        fields = m.group(4).split()
        if len(fields) != len(cols):
            raise DataError(f"{path}:{i}: expected {len(cols)} flux values after the bin edges, found {len(fields)}")
        try:
            e0, e1 = float(m.group(2)), float(m.group(3))
            v = [float(x) for x in fields]
        except ValueError:
            raise DataError(f"{path}:{i}: a value is not a number") from None
        if not all(math.isfinite(x) for x in (e0, e1, *v)):
            raise DataError(f"{path}:{i}: non-finite value")
        if e1 <= e0:
            raise DataError(f"{path}:{i}: bin upper edge {e1} not above lower edge {e0}")
        if hi and not math.isclose(e0, hi[-1], rel_tol=1e-9, abs_tol=1e-12):
            raise DataError(f"{path}:{i}: bins not contiguous ({hi[-1]} then {e0})")
        if any(x < 0 for x in v):
            raise DataError(f"{path}:{i}: negative flux value")
        lo.append(e0)
        hi.append(e1)
        vals.append(v)
        lineno.append(i)
    if len(lo) < 2:
        raise DataError(f"{path}: fewer than two bins of the form 'n  E_lo - E_hi  values'")
    if lo[0] < 0:
        raise DataError(f"{path}:{lineno[0]}: negative energy {lo[0]}")
    edges = np.array(lo + [hi[-1]])
    data = np.asarray(vals) * float(normalisation)
    return Flux.from_histogram(edges, {fl: data[:, k] for k, fl in enumerate(cols)}, step=True,
                               provenance=provenance if provenance is not None else f"file {path}",
                               description=description or path.name, meta=dict(meta or {}))


def read_two_column(path, flavour: str = "nu_mu", **kw) -> Flux:
    """Read ``E phi`` (two columns) as the flux of one flavour; options as :func:`read_table`."""
    return read_table(path, columns=(flavour,), **kw)


def read_globes(path, *, normalisation: float = 1.0, reference_distance_m: float | None = None,
                distance_m: float | None = None, **kw) -> Flux:
    """Read a GLoBES-style flux file (7 columns, E in GeV, flux at a reference baseline).

    ``normalisation`` converts the file's unit to nu/cm^2/GeV/POT (GLoBES files are commonly in
    nu/m^2/GeV per some number of POT: give 1e-4/N_POT); with both distances given the flux is
    scaled by (reference_distance_m / distance_m)^2 (far-detector approximation).
    """
    scale = float(normalisation)
    if distance_m is not None:
        if reference_distance_m is None:
            raise DataError("read_globes: distance_m needs reference_distance_m (the file's baseline)")
        if distance_m <= 0 or reference_distance_m <= 0:
            raise DataError("read_globes: distances must be positive")
        scale *= (float(reference_distance_m) / float(distance_m)) ** 2
    kw.setdefault("energy_grid", "points")
    return read_table(path, columns=FLAVOURS, normalisation=scale, **kw)


def read_root(path, histograms: Mapping[str, str], *, normalisation: float = 1.0, per_bin: bool = False,
              energy_scale: float = 1.0, provenance: str | None = None, description: str = "") -> Flux:
    """Read one TH1 per flavour from a ROOT file (uproot).

    ``histograms``: flavour -> histogram path in the file.  Contents times ``normalisation`` must
    be nu/cm^2/GeV/POT; with ``per_bin=True`` they are per-bin contents and are divided by the bin
    width (GeV).  All histograms must share their binning.
    """
    import uproot

    path = Path(path)
    if not path.is_file():
        raise DataError(f"flux file {path} not found")
    try:
        f = uproot.open(path)
    except Exception as exc:  # uproot raises many types for a non-ROOT or truncated file
        raise DataError(f"cannot read ROOT file {path}: {type(exc).__name__}") from None
    edges_ref = None
    vals = {}
    with f:
        for fl, name in histograms.items():
            fl = canonical_flavour(fl)
            try:
                h = f[name]
                counts, edges = h.to_numpy()
            except KeyError:
                have = sorted(k.split(";")[0] for k in f.keys())
                raise DataError(f"{path}: no histogram '{name}' (for {fl}); has {have}") from None
            except Exception as exc:
                raise DataError(f"{path}: '{name}' is not a 1D histogram ({type(exc).__name__})") from None
            counts = np.asarray(counts, dtype=np.float64)
            edges = np.asarray(edges, dtype=np.float64) * float(energy_scale)
            if counts.ndim != 1:
                raise DataError(f"{path}: '{name}' is not a 1D histogram")
            if edges_ref is None:
                edges_ref = edges
            elif edges.shape != edges_ref.shape or not np.allclose(edges, edges_ref):
                raise DataError(f"{path}: histogram '{name}' has a binning different from the others")
            if not np.all(np.isfinite(counts)) or np.any(counts < 0):
                raise DataError(f"{path}: histogram '{name}' has negative or non-finite contents")
            dens = counts * float(normalisation)
            if per_bin:
                dens = dens / np.diff(edges)
            vals[fl] = dens
    if edges_ref is None:
        raise DataError(f"{path}: no histograms requested")
    if edges_ref[0] < 0 or not np.all(np.diff(edges_ref) > 0):
        raise DataError(f"{path}: histogram edges must be non-negative and increasing")
    return Flux.from_histogram(edges_ref, vals, provenance=provenance or f"file {path}",
                               description=description or path.name)


# --------------------------------------------------------------------------- units
_AREA = {"cm2": 1.0, "cm^2": 1.0, "m2": 1.0e-4, "m^2": 1.0e-4}
_ENERGY = {"gev": 1.0, "mev": 1.0e3}


def unit_factor(units: str) -> Optional[float]:
    """Factor from a flux unit string to nu/cm^2/GeV/POT, or None if the string is not per POT.

    Understands e.g. "nu/cm2/GeV/POT", "nus/cm^2/POT/GeV", "nu/m2/GeV/POT" (1e-4),
    "nu/cm2/POT per 0.05 GeV bin" (1/0.05), "nu/cm2/MeV/POT" (1e3), "/1e20 POT" (1e-20),
    "nu/cm2/50MeV/1e21POT" (a density per 50 MeV: 1/0.05 x 1e-21).
    """
    s = units.replace(" ", "").lower()
    if "pot" not in s:
        return None
    m = re.search(r"(cm\^?2|m\^?2)", s)
    if not m:
        return None
    factor = _AREA[m.group(1)]
    b = re.search(r"per([0-9.eE+-]+)(gev|mev)bin", s)
    if b:
        width = float(b.group(1)) / _ENERGY[b.group(2)]
        factor /= width
    else:
        g = re.search(r"/(gev|mev)(?![a-z])", s)
        w = re.search(r"/([0-9.]+)(gev|mev)(?![a-z])", s)  # a density per N MeV, e.g. "/50MeV"
        if g:
            factor *= _ENERGY[g.group(1)]
        elif w:
            factor /= float(w.group(1)) / _ENERGY[w.group(2)]
        else:
            return None
    p = re.search(r"/([0-9.eE+]+)pot", s) or re.search(r"per([0-9.eE+]+)pot", s)
    if p:
        factor /= float(p.group(1))
    return factor


# --------------------------------------------------------------------------- registered files
class RetiredFluxError(DataError):
    """A registered flux file that must no longer be used (its entry says why and what replaces it)."""


def retired_reason(name: str) -> str | None:
    """Why the flux file ``name`` is retired (registry kind ``retired_flux``), or None if it is not."""
    from darkbeam.data import entries

    for e in entries("retired_flux"):
        if e.name.lower() == str(name).strip().lower():
            return f"flux file {e.name} is retired: {e.description}"
    return None


def flux_entry(name: str):
    """The registry entry of flux file ``name``; RetiredFluxError for a retired file, DataError if unknown."""
    from darkbeam.data import lookup

    why = retired_reason(name)
    if why is not None:
        raise RetiredFluxError(why)
    return lookup(name, kind="flux")


def official_flux(name: str, *, download: bool | None = None) -> Flux:
    """The flux of a registered file (darkbeam.data registry), in nu/cm^2/GeV/POT.

    The file is located through :func:`darkbeam.data.fetch` (mirror, cache, download) and checked
    against its sha256; a missing file or a checksum mismatch is one DataError.  Files that are not
    per POT (``per_pot = false``) are read with their own normalisation and flagged in
    ``meta["per_pot"]`` and in the provenance.
    """
    from darkbeam.data import fetch

    entry = flux_entry(name)
    if entry.format not in ("table", "two-column", "binned-table", "root", "globes"):
        raise DataError(f"{entry.key} has format '{entry.format}', which is not a flux table")
    path = fetch(entry.name, kind="flux", download=download)
    prov = (f"official file {entry.key} [{entry.citation}] from {path} (sha256 {entry.sha256[:12]}..., "
            f"file unit {entry.units} x {entry.normalisation:g})")
    if not entry.per_pot:
        prov += "; NOT per POT"
    meta = {"source": "file", "name": entry.name, "per_pot": entry.per_pot, "sha256": entry.sha256,
            "baseline_m": entry.baseline_m, "off_axis_mrad": entry.off_axis_mrad, "mode": entry.mode}
    if entry.format in ("table", "two-column"):
        return read_table(path, columns=entry.columns, normalisation=entry.normalisation,
                          energy_grid=entry.energy_grid, provenance=prov, description=entry.description, meta=meta)
    if entry.format == "binned-table":
        return read_binned_table(path, columns=entry.columns, normalisation=entry.normalisation, provenance=prov,
                                 description=entry.description, meta=meta)
    if entry.format == "globes":
        return read_globes(path, normalisation=entry.normalisation, provenance=prov, description=entry.description,
                           meta=meta)
    hist = {}
    for item in entry.histograms:
        fl, _, h = item.partition(":")
        hist[fl] = h
    flux = read_root(path, hist, normalisation=entry.normalisation, per_bin=entry.energy_grid == "per-bin",
                     provenance=prov, description=entry.description)
    return Flux(flux.energies, flux.values, provenance=prov, description=entry.description, meta=meta)
