"""One process case of the chain  nu + T -> N + T,  N -> daughters  inside an experiment.

The rate integral over (E_nu, Q^2) is adapted with vegas (Lepage, J. Comput. Phys. 27 (1978) 192;
the ``vegas`` package) and then sampled in ``n_batches`` further vegas passes whose points become the
events.  For each event:

* the upscattering weight ``w_up`` = vegas weight x flux x d sigma/dQ^2 x jacobian x N_targets x POT,
  so that sum(w_up) over a pass is that pass's vegas estimate of the number of upscatterings;
* the interaction vertex is uniform in the experiment's target volume, the neutrino comes from the
  production point (BNB decay pipe or the proton target) and the N momentum follows from (E, Q^2,
  phi) (:mod:`darkbeam.processes.kinematics`) rotated to that direction;
* N decays into a channel chosen with probability q = its branching ratio (cascades through an
  on-shell Z' or h' are expanded into final states with BR = BR(N -> nu X) BR(X -> ...)).  The stored
  ``w_rate`` is w_up (its sum is the upscattered total), ``q_channel`` is q and ``br`` the channel's
  BR, so that the event weight w = w_rate (br / q) p_decay (= w_up p_decay at generation) sums to an
  unbiased estimate of the decays inside the detector, and its sum over one channel's events to that
  channel's decays inside the detector;
* N's path through the active volume is the list of segments of the detector's pieces along it
  (ordered, touching pieces merged: :func:`darkbeam.events.weights.path_bounds_from_segments`), stored
  as l1, the gaps and l2; p_decay = sum over segments of exp(-a/L) - exp(-b/L), L = beta gamma c tau
  with the TOTAL width, and the decay point is drawn from the exponential law restricted to the
  segments -- the same kernels the reweighting applies to the stored segments;
* a decay is *visible* if a final daughter is charged, a photon or a hadron
  (:mod:`darkbeam.events.visibility`); the visible decays inside the detector are summed separately.

A pass runs in chunks of whole vegas hypercubes, each through the steps :func:`_upscatter`,
:func:`_decay`, :func:`_geometry` and the error sums, writing into the run's preallocated columns
(:mod:`darkbeam.processes.event_columns`).

Errors: every pass is a stratified vegas sample, so the error of any sum of event weights (the
upscattering yield, the decays in the detector) is computed from the per-hypercube variances of that
pass (the vegas formula), and the passes are averaged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import vegas

from darkbeam import constants as C
from darkbeam.detectors.catalog import Experiment
from darkbeam.errors import KinematicsError
from darkbeam.detectors.decay import decay_probability as _decay_probability
from darkbeam.detectors.decay import sample_decay_distance
from darkbeam.detectors.shapes import _divide_rows
from darkbeam.events.visibility import is_visible_labels
from darkbeam.events.weights import path_bounds_from_segments, path_segment_probabilities, sample_path_decay
from darkbeam.mc._jit import outer_batch
from darkbeam.mc.fourvec import norm3
from darkbeam.mc.table_interp import TableInterp
from darkbeam.models.parameters import ModelParameters
from darkbeam.physics.channels import Channel
from darkbeam.physics.decays import DecayTable, decay_table
from darkbeam.physics.particles import conjugate, mass_of, pdg_code
from darkbeam.physics.upscattering import Q2_limits
from darkbeam.physics.xsec import UpscatteringXsec
from darkbeam.processes.cases import CaseSpec
from darkbeam.processes.decays import sample_channel
from darkbeam.processes.event_columns import DAUGHTER_ROW, MAX_DAUGHTERS, P3_ROW, ROWS, VERTEX_ROW, EventColumns
from darkbeam.processes.kinematics import upscattering_lab
from darkbeam.processes.stratified import stratified_variance
from darkbeam.sources.flux import Flux
from darkbeam.units import C_LIGHT_CM_PER_NS

_INTERMEDIATES = ("zprime", "hprime")


@dataclass(frozen=True)
class GenerationOptions:
    """Statistics of a run: vegas adaptation per case, and sampling (``neval`` points per pass and case
    on average, shared between the cases by ``allocation``)."""

    neval: int = 40_000  # points per sampling pass (events per case = neval * n_batches)
    #: sampling passes: one pass of 2n points is as precise as two of n and saves the per-pass set-up
    #: (issue 10; docs/performance.md, "One sampling pass"); more passes only split the work
    n_batches: int = 1
    nitn_adapt: int = 6  # adaptation iterations
    #: points per adaptation iteration: 1000 (was 5000 before issue 10) gives maps whose Kish n_eff/N is
    #: higher (0.79 vs 0.71) at the same stratified errors, for a fifth of the adaptation's integrand
    #: calls (docs/performance.md, section "Fixed cost of generation")
    neval_adapt: int = 1_000
    #: lowest neutrino energy = this factor x threshold (1: the whole physical range; DarkNews 0.4.8
    #: starts at 1.05 x threshold, see its MC.py, which drops the near-threshold rate)
    threshold_factor: float = 1.0
    #: how the run's events (number of cases x neval x n_batches) are shared between its cases:
    #: 'error' (by each case's contribution to the error of the total, with a floor) or 'equal'
    #: (darkbeam.processes.sharing)
    allocation: str = "error"
    #: least events of a case, as a fraction of the equal share (allocation 'error')
    case_floor: float = 0.2


@dataclass(frozen=True)
class FinalChannel:
    """A final state of N: one N channel, possibly followed by the decay of an intermediate."""

    name: str
    br: float
    first: Channel
    second: Channel | None = None  # decay of the intermediate (last daughter of ``first``)

    def daughters(self) -> tuple[str, ...]:
        if self.second is None:
            return self.first.daughters
        return self.first.daughters[:-1] + self.second.daughters


def final_channels(params: ModelParameters, table: DecayTable) -> list[FinalChannel]:
    """N's final states with branching ratios, cascades through on-shell Z'/h' expanded."""
    out: list[FinalChannel] = []
    tot = table.total_width
    sub_tables: dict[str, DecayTable] = {}
    for ch in table.channels:
        br = ch.width / tot
        inter = [d for d in ch.daughters if d in _INTERMEDIATES]
        if not inter:
            out.append(FinalChannel(ch.name, br, ch))
            continue
        x = inter[0]
        if ch.daughters[-1] != x:
            raise KinematicsError(f"channel {ch.parent} -> {ch.name}: the intermediate must be the last daughter")
        if x not in sub_tables:
            sub_tables[x] = decay_table(params, x)
        sub = sub_tables[x]
        if not sub.channels:
            out.append(FinalChannel(ch.name, br, ch))  # stable intermediate: a final particle
            continue
        for s in sub.channels:
            out.append(FinalChannel(f"{ch.name}({s.name})", br * s.width / sub.total_width, ch, s))
    return out


@dataclass
class CaseResult:
    """What one case produced: its sums with their stratified vegas errors (the events themselves are
    written into the run's :class:`~darkbeam.processes.event_columns.EventColumns`)."""

    spec: CaseSpec
    upscattered: float = 0.0
    upscattered_err: float = 0.0
    decay_in_detector: float = 0.0
    decay_in_detector_err: float = 0.0
    decay_in_detector_visible: float = 0.0
    decay_in_detector_visible_err: float = 0.0
    decay_in_detector_invisible: float = 0.0
    decay_in_detector_invisible_err: float = 0.0
    ctau_cm: float = math.inf
    n_events: int = 0
    channels: list = field(default_factory=list)  # FinalChannel per channel index (local to the case)
    antiparticle: bool = False
    threshold: float = 0.0
    skipped: str = ""

    def add_pass(self, p: "PassResult", n_batches: int) -> None:
        """Add one sampling pass (the passes are averaged: each counts 1/n_batches)."""
        self.n_events += p.n_events
        for i, q in enumerate(_SUMS):
            setattr(self, q, getattr(self, q) + p.sums[i] / n_batches)
            err = getattr(self, q + "_err")
            setattr(self, q + "_err", math.sqrt(err * err + p.variances[i] / n_batches**2))


#: the sums of event weights that every pass reports with their vegas variances
_SUMS = ("upscattered", "decay_in_detector", "decay_in_detector_visible", "decay_in_detector_invisible")


@dataclass
class PassResult:
    """One sampling pass of one case: the pass's vegas estimates of the four sums (each pass alone
    estimates the whole integral), their variances, its events (``block``, only when the pass ran in
    another process) and how many."""

    case: int
    index: int
    sums: np.ndarray
    variances: np.ndarray
    n_events: int
    block: object = None


class CaseSetup:
    """Everything one process case needs to sample: the cross section and its integration range,
    N's decay channels and helicity, the experiment's volumes.  Built in each process from picklable
    inputs (it holds closures: never pickled itself)."""

    def __init__(self, spec: CaseSpec, params: ModelParameters, couplings, exp: Experiment, flux: Flux,
                 opts: "GenerationOptions", xsec_options: dict | None,
                 decays: tuple[DecayTable, list[FinalChannel]], production=None):
        case = spec.xs_case
        self.spec = spec
        self.xs = xs = UpscatteringXsec(case, couplings, **(xsec_options or {}))
        self.m, self.M = xs.m_hnl, xs.target.mass
        self.threshold = xs.threshold
        e_lo, e_hi = exp.energy_range
        f_lo, f_hi = flux.energy_range
        self.e_lo = max(e_lo, f_lo, xs.threshold * max(opts.threshold_factor, 1.0 + 1e-9))
        self.e_hi = min(e_hi, f_hi)
        self.skipped = "" if self.e_hi > self.e_lo else "threshold above the flux"
        self.span = self.e_hi - self.e_lo
        self.scale = spec.n_scatterers * exp.pot
        self.flux = flux
        self.flavour = case.projectile
        self.flux_at = flux_interpolator(flux, case.projectile)
        self.table, self.finals = decays
        self.antiparticle = case.antineutrino and not params.majorana
        self.helicity = hnl_helicity(case)
        #: daughter slots each final channel fills (its final particles)
        self.n_daughters = [len(fc.daughters()) for fc in self.finals]
        self.intermediate_mass = [mass_of(fc.first.daughters[-1], params) if fc.second is not None else 0.0
                                  for fc in self.finals]
        self.detector = exp.upscattering_decay_region  # where decays are counted (docs/experiments.md)
        self.target_volume = exp.target_volume
        # the run's production model, built once per run (RunContext.setup) or here
        self.production = production if production is not None else exp.production_model(warn=False)
        brs = np.array([fc.br for fc in self.finals])
        self.br = brs
        self.q = brs / brs.sum()  # channel-selection probabilities
        self.cum = np.cumsum(self.q)
        self.visible = np.array([is_visible_labels(channel_labels(fc, self.antiparticle)) for fc in self.finals],
                                dtype=bool)

    def point(self, x: np.ndarray):
        """(E, Q^2, integrand) at points x of the unit square: E linear, ln Q^2 linear in its range."""
        E = self.e_lo + self.span * x[:, 0]  # finite and above threshold: no checks of E
        qmin, qmax = Q2_limits(E, self.m, self.M)  # computed once: dsigma_dQ2 takes them
        lr = np.log(qmax / qmin)
        Q2 = qmin * np.exp(lr * x[:, 1])
        f = self.flux_at(E) * self.xs.dsigma_dQ2(E, Q2, limits=(qmin, qmax)) * (Q2 * lr * self.span * self.scale)
        return E, Q2, np.where(np.isfinite(f) & (f > 0), f, 0.0)


def flux_interpolator(flux: Flux, flavour: str):
    """d Phi/dE of ``flavour`` as a function of an array of energies: ``flux(E, flavour)``, through
    :class:`~darkbeam.mc.table_interp.TableInterp` (the same numbers as its ``np.interp``, faster for
    the unsorted energies of a vegas sample) when ``flux`` is a plain :class:`Flux`."""
    if type(flux).__call__ is not Flux.__call__:
        return lambda E: flux(E, flavour)
    return TableInterp(flux.energies, flux.column(flavour), left=0.0, right=0.0)


@dataclass
class Adapted:
    """A case after the vegas adaptation (picklable): the adapted vegas map and the last iteration's
    estimate of the rate with its error at ``n_eval`` points (``sdev**2 * n_eval`` is the variance per
    point that the sharing of events between cases uses)."""

    case: int
    map: object = None  # vegas.AdaptiveMap
    integral: float = 0.0
    sdev: float = 0.0
    n_eval: int = 0
    skipped: str = ""


def adapt_case(setup: CaseSetup, opts: "GenerationOptions", rng: np.random.Generator) -> Adapted:
    """Adapt the vegas map of (E, ln Q^2) to the rate integrand (``opts.nitn_adapt`` iterations)."""
    out = Adapted(setup.spec.index, skipped=setup.skipped)
    if setup.skipped:
        return out

    @vegas.lbatchintegrand
    def rate(x):
        return setup.point(np.asarray(x))[2]

    integ = vegas.Integrator([[0.0, 1.0], [0.0, 1.0]], ran_array_generator=rng.random)
    r = integ(rate, nitn=opts.nitn_adapt, neval=opts.neval_adapt)
    last = r.itn_results[-1] if getattr(r, "itn_results", None) else r
    out.map = integ.map
    out.integral, out.sdev = float(last.mean), float(last.sdev)
    out.n_eval = int(integ.last_neval) if hasattr(integ, "last_neval") else int(opts.neval_adapt)
    return out


#: points per chunk of a sampling pass: bounds the memory of the temporaries (about 1 kB per point;
#: 2^14 keeps them near 16 MB, under 20 B per event at 1e6 events)
CHUNK = 1 << 14


def _chunks(integ, neval: int):
    """The pass's vegas points in chunks of whole hypercubes: (x (m, 2), weights (m,), hypercubes (m,))."""
    integ.set(neval=neval)
    xs, ws, hs, n = [], [], [], 0
    for x, w, h in integ.random_batch(yield_hcube=True):
        xs.append(np.array(x))
        ws.append(np.array(w))
        hs.append(np.array(h))
        n += len(ws[-1])
        if n >= CHUNK:
            yield _join(xs, ws, hs)
            xs, ws, hs, n = [], [], [], 0
    if n:
        yield _join(xs, ws, hs)


def _join(xs, ws, hs):
    if len(xs) == 1:
        return xs[0], ws[0], hs[0]
    return np.concatenate(xs), np.concatenate(ws), np.concatenate(hs)


def sample_pass(setup: CaseSetup, adapted: Adapted, neval: int, n_batches: int, rng: np.random.Generator,
                out: EventColumns, channel_index: np.ndarray, pass_index: int = 0) -> PassResult:
    """One sampling pass of ``neval`` vegas points of a case, written into ``out``.

    Steps per chunk of points: the upscattering (weights, kinematics, vertex), the decay (channel and
    daughters), the geometry (N's path through the detector, decay probability and position), the
    errors (per-hypercube sums).  ``channel_index``: the run's channel-table index of each of the
    case's final channels.  Every random number comes from ``rng``, in a fixed order."""
    # a fresh integrator on the adapted map: every pass starts from the same state wherever it runs
    # (same events for any number of workers); its stratification is chosen for this pass's neval
    # (vegas yields its points in batches of at least min_neval_batch: CHUNK bounds the temporaries)
    integ = vegas.Integrator(adapted.map, ran_array_generator=rng.random, min_neval_batch=CHUNK)
    case = setup.spec.index
    sums = np.zeros(4)
    variances = np.zeros(4)
    n_events = 0
    with outer_batch(neval):  # compiled kernels are chosen by the size of the whole pass
        for x, wgt, hcube in _chunks(integ, neval):
            E, Q2, f = setup.point(x)
            keep = np.flatnonzero(f > 0)
            n = keep.size
            s = out.reserve(n)
            w_up = wgt[keep] * f[keep]
            np.divide(w_up, n_batches, out=out.f[ROWS["w_rate"], s])
            Q2k = np.take(Q2, keep, out=out.f[ROWS["Q2"], s], mode="clip")  # the column row itself
            out.case[s] = case
            pN, vtx = _upscatter(setup, E[keep], Q2k, rng, out, s)
            ch = _decay(setup, pN, rng, out, s)
            out.channel[s] = channel_index[ch]
            p_dec = _geometry(setup, pN, vtx, rng, out, s)
            _check_finite(out, s)
            vis = setup.visible[ch]
            d = w_up * p_dec
            vals = (w_up, d, np.where(vis, d, 0.0), np.where(vis, 0.0, d))
            h0 = int(hcube.min(initial=0))
            counts = np.bincount(hcube - h0)  # every point counts, also those where the integrand vanishes
            hk = hcube[keep] - h0
            for i, v in enumerate(vals):
                sums[i] += v.sum()
                variances[i] += stratified_variance(v, hk, counts.size, counts).sum()
            n_events += n
    return PassResult(case, pass_index, sums, variances, n_events)


def _upscatter(setup: CaseSetup, E, Q2, rng, out: EventColumns, s: slice) -> np.ndarray:
    """Upscattering kinematics along the neutrino's direction (production point -> vertex); writes the
    vertex, time and momenta, returns N's four-momenta (n, 4) and the vertices (n, 3).

    Component by component (1-d arrays, each row of the columns written once): the same operations in
    the same order as ``upscattering_lab`` with (n, 4) arrays, ``d_nu = vtx - prod``, ``norm3``,
    ``transverse_frame`` and ``R v = v_x e1 + v_y e2 + v_z n_hat`` (fourvec.rotate_z_to), so the same
    bits (tests/test_glue_speed.py compares with that composition)."""
    n = E.size
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    EN, px, py, pz, qx, qy, qz = upscattering_lab(E, Q2, setup.m, setup.M, phi, components=True)
    vtx = setup.target_volume.sample(n, rng)
    prod = _production_rows(setup.production, E, rng)
    f = out.f
    f[VERTEX_ROW:VERTEX_ROW + 3, s] = vtx.T
    dx = vtx[:, 0] - prod[0]
    dy = vtx[:, 1] - prod[1]
    dz = vtx[:, 2] - prod[2]
    flight = np.sqrt(dx * dx + dy * dy + dz * dz)  # norm3
    np.divide(flight, C_LIGHT_CM_PER_NS, out=f[VERTEX_ROW + 3, s])
    nx = np.divide(dx, flight, out=dx)
    ny = np.divide(dy, flight, out=dy)
    nz = np.divide(dz, flight, out=dz)
    # transverse_frame(n_hat): e1 = (nz cf, nz sf, -rho), e2 = (-sf, cf, 0)
    rho = np.sqrt(nx * nx + ny * ny)
    safe = rho > 0
    rr = np.where(safe, rho, 1.0)
    cf = np.where(safe, nx / rr, 1.0)
    sf = np.where(safe, ny / rr, 0.0)
    e1 = (nz * cf, nz * sf, np.negative(rho, out=rho))
    e2 = (np.negative(sf), cf, None)  # None: the zero component (v * 0.0 below, as with the zeros array)
    nh = (nx, ny, nz)
    rn, rq, rh = P3_ROW["nu"], P3_ROW["recoil"], P3_ROW["hnl"]
    pN = np.empty((n, 4))
    pN[:, 0] = EN
    tmp = np.empty(n)
    for c in range(3):
        e1c, e2c, nc = e1[c], e2[c], nh[c]
        np.multiply(E, nc, out=f[rn + c, s])  # k = E (0, 0, 1) rotated
        for (vx, vy, vz), row in (((qx, qy, qz), rq), ((px, py, pz), rh)):
            dst = f[row + c, s]
            np.multiply(vx, e1c, out=dst)
            if e2c is None:
                np.add(dst, np.multiply(vy, 0.0, out=tmp), out=dst)
            else:
                np.add(dst, np.multiply(vy, e2c, out=tmp), out=dst)
            np.add(dst, np.multiply(vz, nc, out=tmp), out=dst)
        pN[:, 1 + c] = f[rh + c, s]
    return pN, vtx


def _production_rows(production, E, rng) -> np.ndarray:
    """Production points as a (3, n) array (each coordinate contiguous): the model's ``rows`` output
    where it has one (``samples_rows``), else its (n, 3) points transposed (the same numbers)."""
    if getattr(production, "samples_rows", False):
        return production.sample(E, rng, rows=True)
    return production.sample(E, rng).T


def _decay(setup: CaseSetup, pN: np.ndarray, rng, out: EventColumns, s: slice) -> np.ndarray:
    """Choose each event's final channel with probability q and sample its daughters into the
    daughter slots (the intermediate's children last); returns the channels (local indices)."""
    n = pN.shape[0]
    finals = setup.finals
    ch = np.minimum(_count_le(setup.cum, rng.random(n)), len(finals) - 1)
    f = out.f
    f[ROWS["br"], s] = setup.br[ch]
    f[ROWS["q_channel"], s] = setup.q[ch]
    f[ROWS["w_decay"], s] = 1.0
    f[ROWS["ctau"], s] = setup.table.ctau_cm
    anti = setup.antiparticle
    # the daughter slots (rows 3 x slot + component; empty slots 0): each channel's daughters are
    # written into a buffer in channel order (contiguous stores), then every row is gathered into
    # event order with the inverse of that order -- the same values as scattering each channel's
    # daughters into its events (~6 ns per number with numpy's fancy-index stores; a gather ~1 ns).
    # Slots that no channel fills are zeroed whole.
    n_dau = setup.n_daughters
    filled = max(n_dau)
    dau = f[DAUGHTER_ROW:DAUGHTER_ROW + 3 * MAX_DAUGHTERS, s]
    dau[3 * filled:] = 0.0
    buf = np.empty((3 * filled, n))
    order = np.empty(n, dtype=np.intp)
    o = 0
    for j, fc in enumerate(finals):
        sel = np.flatnonzero(ch == j)
        m = sel.size
        if m == 0:
            continue
        order[o:o + m] = sel
        part = buf[:, o:o + m]
        d1 = sample_channel(fc.first, setup.m, pN[sel], setup.helicity, rng, anti)
        if fc.second is None:
            _put_daughters(part, d1, 0, d1.shape[1])
        else:
            nd = d1.shape[1] - 1
            d2 = sample_channel(fc.second, setup.intermediate_mass[j], d1[:, -1], 0.0, rng, anti)
            _put_daughters(part, d1, 0, nd)
            _put_daughters(part, d2, nd, d2.shape[1])
        part[3 * n_dau[j]:] = 0.0
        o += m
    inv = np.empty(n, dtype=np.intp)
    inv[order] = np.arange(n)
    for r in range(3 * filled):
        np.take(buf[r], inv, out=dau[r], mode="clip")  # every index is in range: clip changes none
    return ch


def _count_le(cum: np.ndarray, u: np.ndarray) -> np.ndarray:
    """searchsorted(cum, u, side="right") for a short sorted ``cum`` (a few channels): the number of
    its entries <= u, one comparison per entry (the same integers; a binary search per event with
    unpredictable branches cost ~60 ns per event)."""
    out = np.zeros(u.size, dtype=np.intp)
    for c in cum:
        out += c <= u
    return out


def _put_daughters(part: np.ndarray, d: np.ndarray, first: int, k: int) -> None:
    """Write the three-momenta of daughters 0..k-1 of ``d`` (m, >=k, 4) into the daughter slots
    first..first+k-1 (rows 3 x slot + component) of ``part`` (rows x m: the events of ``d`` in order)."""
    for i in range(k):
        r = 3 * (first + i)
        for c in range(3):
            part[r + c] = d[:, i, 1 + c]


def _geometry(setup: CaseSetup, pN: np.ndarray, vtx: np.ndarray, rng, out: EventColumns, s: slice) -> np.ndarray:
    """N's path through the active volume, its decay probability and decay position; returns
    p_decay."""
    p_abs = norm3(pN[:, 1:])
    L = p_abs / setup.m * setup.table.ctau_cm
    dir_N = _divide_rows(pN[:, 1:], p_abs)  # pN[:, 1:] / p_abs[:, None], one component at a time
    l1s, l2s = setup.detector.segments(vtx, dir_N)
    n = p_abs.size
    if l1s.ndim == 2 and l1s.shape[1] == 1:  # one piece (a convex detector): one segment per path
        return _geometry_one_segment(l1s[:, 0], l2s[:, 0], L, n, rng, out, s)
    bounds = path_bounds_from_segments(l1s, l2s)
    pk = path_segment_probabilities(bounds, L)  # shared by the probability and the position
    p_dec = pk.sum(axis=1)
    out.f[ROWS["l_decay"], s] = sample_path_decay(bounds, L, rng.random(n), rng.random(n), pk=pk)
    out.f[ROWS["p_decay"], s] = p_dec
    out.set_bounds(s, bounds)
    return p_dec


def _geometry_one_segment(a, b, L, n: int, rng, out: EventColumns, s: slice) -> np.ndarray:
    """:func:`_geometry` for paths of one segment [a, b] (a detector of one convex piece) on 1-d
    arrays: what ``path_bounds_from_segments`` (k = 1), ``path_segment_probabilities``,
    ``sample_path_decay`` (m = 1: the segment draw is made but not needed) and ``set_bounds`` do
    with (n, 1) and (n, 2) arrays, the same operations on the same numbers (tests/test_glue_speed.py)."""
    f = out.f
    has = (b > a) & np.isfinite(a)
    l1 = f[ROWS["l1"], s]
    l2 = f[ROWS["l2"], s]
    l1[...] = 0.0
    l2[...] = 0.0
    np.copyto(l1, a, where=has)
    np.copyto(l2, b, where=has)
    # the segment's probability; + 0.0 as the sum over one segment (numpy adds it to 0: -0.0 -> +0.0)
    p_dec = np.add(_decay_probability(l1, l2, L), 0.0)
    rng.random(n)  # the segment's uniform (one segment: not used), drawn to keep the random stream
    d = sample_decay_distance(l1, l2, L, rng.random(n))
    f[ROWS["l_decay"], s] = np.where(p_dec > 0, d, l1)
    f[ROWS["p_decay"], s] = p_dec
    if out.gaps.shape[0]:  # unused gap rows sit at the last exit
        out.gaps[:, s] = l2
    return p_dec


_CTAU_ROW = ROWS["ctau"]


def _check_finite(out: EventColumns, s: slice) -> None:
    """Every written column of the chunk is finite (c tau may be +inf: a stable N).  A sum is finite
    exactly when every term is (the values are far from overflow): no temporary arrays."""
    f = out.f
    if not (math.isfinite(f[:_CTAU_ROW, s].sum()) and math.isfinite(f[_CTAU_ROW + 1:, s].sum())):
        raise KinematicsError("the generator produced a non-finite event column (please report)")


def hnl_helicity(case) -> float:
    """Helicity of N handed to the decay sampler for a process case: a helicity-conserving case keeps
    the projectile's (-1 for a neutrino, +1 for an antineutrino: massless left- and right-handed), a
    helicity-flipping case has the opposite one (docs/generator.md)."""
    h0 = 1.0 if case.antineutrino else -1.0
    return h0 if case.helicity == "conserving" else -h0


def pad_bounds(bounds: np.ndarray, width: int) -> np.ndarray:
    """Segment ends (n, 2m) padded to (n, width) with empty segments at the last exit."""
    n, m = bounds.shape
    if m == width:
        return bounds
    return np.concatenate([bounds, np.repeat(bounds[:, -1:], width - m, axis=1)], axis=1)


def channel_labels(fc: FinalChannel, antiparticle: bool) -> tuple[str, ...]:
    labels = fc.daughters()
    return tuple(conjugate(d) for d in labels) if antiparticle else labels


def channel_name(fc: FinalChannel, hnl: int, antiparticle: bool) -> str:
    """Name of a final channel in an EventSet's channel table, e.g. ``"N4 -> nu_mu e- e+"`` or, for a
    cascade, ``"N4 -> nu_mu zprime(e- e+)"``; ``N4_bar`` for a Dirac anti-N."""
    labels = channel_labels(fc, antiparticle)
    parent = f"N{hnl}" + ("_bar" if antiparticle else "")
    if fc.second is None:
        return f"{parent} -> {' '.join(labels)}"
    k = len(fc.first.daughters) - 1
    return f"{parent} -> {' '.join(labels[:k])} {fc.first.daughters[-1]}({' '.join(labels[k:])})"


def channel_pdg(labels: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(pdg_code(d) for d in labels)


def nucleus_pdg(Z: int, A: int) -> int:
    """PDG nuclear code 10LZZZAAAI (L = I = 0); the proton is 2212."""
    if Z == 1 and A == 1:
        return C.PDG["p"]
    return 1000000000 + Z * 10000 + A * 10
