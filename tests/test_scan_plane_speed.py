"""Issue 10, the 50 x 50 plane's CPU: the faster forms give the numbers of the forms they replace BIT FOR
BIT (not merely within rounding): the block-wise weights and sums of a scan unit
(processes/reweight_plane._weights_and_sums) against the whole-array form they replace (kept here as the
reference), the span bases shared between cases against one basis per case, pandas-free Arrow tables
against pyarrow's own conversion (same parquet bytes), the cached Gauss-Legendre nodes against fresh
ones, the experiment flux read once per process against a fresh read, and the plot drawn without
pyplot against the pyplot drawing (same PNG bytes)."""

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

import darkbeam.processes.reweight_plane as rp


# ----------------------------------------------------------------------------- weights and sums
def _reference_weights_and_sums(rw, up, br, ctau, chmask, efficiency):
    """The whole-array form of plane_rates' last part (darkbeam before the block-wise form)."""
    from darkbeam.detectors.decay import decay_probability
    from darkbeam.events.weights import decay_length

    P = up.shape[0]
    n = up.shape[1]
    up = up * rw.w_base[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(rw.q[None, :] > 0, br[:, rw.channel_of] / np.where(rw.q > 0, rw.q, 1.0)[None, :], 0.0)
    a_seg, b_seg = rw.bounds[:, 0::2], rw.bounds[:, 1::2]
    step = max(1, rp.CHUNK_ELEMENTS // max(1, a_seg.size))
    pdec = np.empty((P, n))
    fast = n > 0 and bool(np.all(np.isfinite(rw.p_abs) & (rw.p_abs > 0)) and np.all(np.isfinite(rw.m_hnl) & (rw.m_hnl > 0)))
    for s in range(0, P, step):
        ct = ctau[s:s + step][:, rw.hnl_slot] if n else np.zeros((min(step, P - s), 0))
        if fast and np.all(np.isfinite(ct) & (ct > 0)):
            rp._segments_decay_probability(rw.m_hnl / rw.p_abs, ct, a_seg, b_seg, pdec[s:s + step])
            continue
        L = decay_length(rw.p_abs[None, :], rw.m_hnl[None, :], ct)
        pdec[s:s + step] = decay_probability(a_seg[None], b_seg[None], L[:, :, None]).sum(axis=2)
    dec = up * ratio * pdec
    sig = (dec if chmask is None else np.where(chmask[rw.channel_of][None, :], dec, 0.0)) * float(efficiency)
    return {"signal": sig.sum(axis=1), "signal_err": np.sqrt(rp._cell_variance(sig, rw._cells, rw._ncell)),
            "decay_in_detector": dec.sum(axis=1), "upscattered": up.sum(axis=1)}


def _assert_bitwise(a: dict, b: dict):
    for k in ("signal", "signal_err", "decay_in_detector", "upscattered"):
        x, y = np.asarray(a[k]), np.asarray(b[k])
        assert x.shape == y.shape, k
        assert np.array_equal(x.view(np.uint64), y.view(np.uint64)), (k, x, y)  # bits, signs of zeros included


def _fake_unit(rng, n, nseg, nh, starts_inside, q_zero):
    """A Reweighter-like object with what _weights_and_sums reads."""
    ends = np.sort(rng.uniform(0.0, 3e3, (n, 2 * nseg)), axis=1)
    if starts_inside:
        ends[:, 0] = 0.0  # every path starts inside (MiniBooNE: the upscattering is in the detector)
    ends[:3, 1] = ends[:3, 0]  # empty segments
    q = rng.uniform(0.05, 1.0, n)
    if q_zero:
        q[::7] = 0.0
    cells = rng.integers(0, 37, n)
    cells[:37] = np.arange(37)
    return SimpleNamespace(w_base=rng.lognormal(0.0, 2.0, n), q=q, channel_of=rng.integers(0, 6, n),
                           hnl_slot=rng.integers(0, nh, n), hnls=list(range(4, 4 + nh)), bounds=ends,
                           p_abs=rng.uniform(0.02, 3.0, n), m_hnl=np.full(n, 0.1), _cells=cells, _ncell=37)


@pytest.mark.parametrize("nseg, nh, starts_inside, q_zero, masked", [
    (1, 1, True, False, True),  # the MiniBooNE case: one segment from the production point, one HNL
    (1, 1, False, False, False),
    (3, 1, False, True, True),
    (2, 2, True, True, False),
])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # c tau = 1e-310: 1/L = inf, in both forms
@pytest.mark.parametrize("block, chunk", [(1000, 2_000_000), (1, 2_000_000), (10**9, 2_000_000), (700, 3000)])
def test_block_wise_weights_equal_the_whole_array_form_bit_for_bit(monkeypatch, nseg, nh, starts_inside, q_zero,
                                                                   masked, block, chunk):
    rng = np.random.default_rng(7 + nseg + 10 * nh)
    n, P = 400, 23  # P not a multiple of the block rows
    rw = _fake_unit(rng, n, nseg, nh, starts_inside, q_zero)
    br = rng.uniform(0.0, 1.0, (P, 6))
    br[:, 2] = 0.0
    ctau = np.geomspace(1e-3, 1e13, P)[:, None] * rng.uniform(0.5, 2.0, (1, nh))  # L << l to L >> l
    ctau[5, 0] = np.inf  # a chunk with an infinite c tau takes the reference kernel (limit cases)
    ctau[9, -1] = 1e-310  # 1/L overflows: exp(-a/L) must not be taken as 1 where a = 0
    up = rng.lognormal(0.0, 1.0, (P, n))
    up[:, ::11] = 0.0
    chmask = np.array([True, False, True, True, False, True]) if masked else None
    monkeypatch.setattr(rp, "ROW_BLOCK_ELEMENTS", block)
    monkeypatch.setattr(rp, "CHUNK_ELEMENTS", chunk)
    ref = _reference_weights_and_sums(rw, up.copy(), br, ctau, chmask, 0.3)
    new = rp._weights_and_sums(rw, up.copy(), br, ctau, chmask, 0.3)
    assert np.sum(np.isfinite(ref["signal"]) & (ref["signal"] > 0)) >= P - 3
    _assert_bitwise(new, ref)


def test_block_wise_weights_of_a_real_unit_equal_the_whole_array_form(monkeypatch):
    """plane_rates on a generated MiniBooNE sample (small): the block-wise form against the reference."""
    from darkbeam.processes.reweight import Reweighter
    from darkbeam.scan.config import config_from_dict
    from darkbeam.scan.grid import build_units
    from darkbeam.scan.points import _run_unit

    from test_scan_vectorized import SMALL

    task = build_units(config_from_dict(SMALL))[1]
    seen = []
    orig = rp._weights_and_sums

    def spy(rw, up, br, ctau, chmask, eff):
        ref = _reference_weights_and_sums(rw, up.copy(), br, ctau, chmask, eff)
        out = orig(rw, up, br, ctau, chmask, eff)
        seen.append((out, ref, rw))
        return out

    monkeypatch.setattr(rp, "_weights_and_sums", spy)
    res = _run_unit(task)
    (out, ref, rw), = seen
    assert isinstance(rw, Reweighter) and np.all(res.signal > 0)
    assert not np.any(rw.bounds[:, 0])  # the short-cut for paths starting inside is exercised
    _assert_bitwise(out, ref)
    assert np.array_equal(res.signal, ref["signal"]) and np.array_equal(res.signal_err, ref["signal_err"])


# ----------------------------------------------------------------------------- span bases
def _unit_reweighter(index=1):
    from darkbeam.models.parameters import ModelParameters
    from darkbeam.processes.generator import generate
    from darkbeam.processes.reweight import Reweighter
    from darkbeam.processes.upscatter_decay import GenerationOptions
    from darkbeam.scan.config import config_from_dict
    from darkbeam.scan.grid import build_units

    from test_scan_vectorized import SMALL

    task = build_units(config_from_dict(SMALL))[index]
    run = generate(ModelParameters.from_dict(task.model), task.experiment, seed=task.seed,
                   options=GenerationOptions(**task.options), projectiles=task.projectiles,
                   regimes=tuple(task.regimes), helicities=tuple(task.helicities))
    return Reweighter(run.events), task


def test_span_bases_shared_between_cases_equal_one_basis_per_case():
    """Cases whose points share vertices objects share the span basis: the same alpha and forms as with
    a distinct (equal) vertices object per case, where every case computes its basis anew."""
    import copy

    from darkbeam.processes.reweight_xsec import build_span

    rw, task = _unit_reweighter()
    params = [rw.current] + [rw.resolve(p) for p in task.points]
    shared = [rw.vertices(p) for p in params]
    assert len({id(v) for v in shared[0]}) < len(rw.groups)  # cases do share vertices
    distinct = [[copy.copy(v) for v in row] for row in shared]
    a = build_span(rw.groups, shared, params)
    b = build_span(rw.groups, distinct, params)
    assert a.dims == b.dims and max(a.dims) > 0
    for k in range(len(rw.groups)):
        assert np.array_equal(a.alpha[k], b.alpha[k]) and np.array_equal(a.forms[k], b.forms[k])


# ----------------------------------------------------------------------------- tables, nodes, flux, plot
def test_arrow_tables_without_pandas_write_the_same_parquet_bytes(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from darkbeam.analysis.arrow_tables import arrow_table, numpy_column, read_parquet_table

    rng = np.random.default_rng(1)
    cols = {"point": np.arange(7, dtype=np.int64), "signal": rng.normal(size=7), "excluded": rng.normal(size=7) > 0,
            "strided": rng.normal(size=14)[::2], "empty_bits": np.zeros(7, dtype=bool)}
    md = {"darkbeam.scan": '{"index": 3}'}
    pq.write_table(arrow_table(cols, md), tmp_path / "new.parquet")
    pq.write_table(pa.table(cols).replace_schema_metadata(md), tmp_path / "ref.parquet")
    assert (tmp_path / "new.parquet").read_bytes() == (tmp_path / "ref.parquet").read_bytes()
    back = read_parquet_table(tmp_path / "new.parquet")
    assert back.schema.metadata == {b"darkbeam.scan": b'{"index": 3}'}
    for k, v in cols.items():
        got = numpy_column(back, k)
        assert got.dtype == v.dtype and np.array_equal(got, v)
        got[...] = 0  # writable, a copy
    # a checkpoint written and read back in a fresh process does not import pandas (~0.2 s of CPU)
    code = ("import sys, numpy as np\n"
            "from darkbeam.scan.checkpoint import write_unit, read_unit\n"
            "from darkbeam.scan.grid import UnitResult\n"
            "r = UnitResult(3, np.arange(4), *(np.ones(4) for _ in range(4)), np.full(4, np.inf))\n"
            f"p = write_unit({str(tmp_path)!r}, r, 'fp')\n"
            "back, fp = read_unit(p)\n"
            "assert fp == 'fp' and np.array_equal(back.ctau_cm, r.ctau_cm)\n"
            "print('pandas' in sys.modules)\n")
    (tmp_path / "points").mkdir()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_gauss_legendre_nodes_cached_read_only_and_unchanged():
    from darkbeam.physics import xsec

    u, w = xsec._gauss_legendre(xsec.N_PANELS, xsec.N_NODES)
    assert xsec._gauss_legendre(xsec.N_PANELS, xsec.N_NODES)[0] is u  # computed once
    assert not u.flags.writeable and not w.flags.writeable
    x, wl = np.polynomial.legendre.leggauss(xsec.N_NODES)
    p = np.arange(xsec.N_PANELS)[:, None]
    assert np.array_equal(u, ((p + 0.5 * (x[None, :] + 1.0)) / xsec.N_PANELS).ravel())
    assert np.array_equal(w, np.tile(wl / (2.0 * xsec.N_PANELS), xsec.N_PANELS))
    assert abs(w.sum() - 1.0) < 1e-14  # weights of [0, 1]


def test_experiment_flux_read_once_per_process_equals_a_fresh_read(monkeypatch):
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.processes.cases import experiment_flux
    from darkbeam.scan import points

    exp, fl = points.experiment_and_flux("miniboone_fhc")
    assert points.experiment_and_flux("miniboone_fhc")[1] is fl
    fresh = experiment_flux(load_experiment("miniboone_fhc"), "auto")
    assert exp == load_experiment("miniboone_fhc")
    assert np.array_equal(fl.energies, fresh.energies) and set(fl.values) == set(fresh.values)
    assert all(np.array_equal(fl.values[k], fresh.values[k]) for k in fl.values)
    assert (fl.provenance, dict(fl.meta), dict(fl.lines)) == (fresh.provenance, dict(fresh.meta), dict(fresh.lines))
    monkeypatch.setenv("DARKBEAM_CACHE_DIR", "/nonexistent/other_cache")  # other data settings: read again
    assert points.experiment_and_flux("miniboone_fhc")[1] is not fl


def _pyplot_plane(x, y, r, lines, path, *, xlabel, ylabel, title, label, overlays, show_points):
    """plot_plane as it was drawn with pyplot (the reference picture; log axes)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    from darkbeam.analysis.contours import filled_regions

    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    for poly in filled_regions(x, y, r):
        ax.add_patch(poly)
    for i, seg in enumerate(lines):
        ax.plot(seg[:, 0], seg[:, 1], color="C0", lw=2, label=label if i == 0 else None)
    for j, (lab, cx, cy) in enumerate(overlays):
        ax.plot(cx, cy, color=f"C{j + 1}", lw=1.5, ls="--", label=lab or None)
    if show_points:
        X, Y = np.meshgrid(x, y)
        ax.plot(X.ravel(), Y.ravel(), ".", color="0.6", ms=1.5)
    for v, axis, setter in ((x, ax.xaxis, ax.set_xscale), (y, ax.yaxis, ax.set_yscale)):
        setter("log")
        if v.max() > 10.0 * v.min():
            axis.set_minor_formatter(NullFormatter())
    ax.set_xlim(x.min(), x.max())
    ax.set_ylim(y.min(), y.max())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def test_plane_plot_without_pyplot_is_the_pyplot_png(tmp_path):
    """plot_plane draws on a Figure with an Agg canvas (no pyplot, no global backend switch): the PNG is
    byte for byte the one the pyplot drawing gives."""
    from darkbeam.analysis import contours

    x, y = np.geomspace(0.04, 1.0, 12), np.geomspace(1e-12, 1e-5, 10)
    r = np.outer(x, y) * 3e9
    lines = contours.contour_lines(x, y, r)
    assert lines
    kw = dict(xlabel="m_4 [GeV]", ylabel="|U_mu4|^2", title="a plane", label="sensitivity (90% CL)",
              overlays=[("published", np.array([0.05, 0.5]), np.array([1e-8, 1e-9]))], show_points=True)
    contours.plot_plane(x, y, r, lines, tmp_path / "new.png", **kw)
    _pyplot_plane(x, y, r, lines, tmp_path / "ref.png", **kw)
    assert (tmp_path / "new.png").read_bytes() == (tmp_path / "ref.png").read_bytes()
