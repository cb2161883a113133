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
from darkbeam.events.visibility import is_visible_labels
from darkbeam.events.weights import path_bounds_from_segments, path_decay_probability, sample_path_decay
from darkbeam.mc._jit import outer_batch
from darkbeam.mc.fourvec import rotate_z_to
from darkbeam.models.parameters import ModelParameters
from darkbeam.physics.channels import Channel
from darkbeam.physics.decays import DecayTable, decay_table
from darkbeam.physics.particles import conjugate, mass_of, pdg_code
from darkbeam.physics.xsec import UpscatteringXsec
from darkbeam.processes.cases import CaseSpec
from darkbeam.processes.decays import sample_channel
from darkbeam.processes.kinematics import upscattering_lab
from darkbeam.sources.flux import Flux
from darkbeam.units import C_LIGHT_CM_PER_NS

_INTERMEDIATES = ("zprime", "hprime")


@dataclass(frozen=True)
class GenerationOptions:
    """Statistics of one case: vegas adaptation and sampling."""

    neval: int = 20_000  # points per sampling pass (events per case = neval * n_batches)
    n_batches: int = 2  # sampling passes
    nitn_adapt: int = 6  # adaptation iterations
    neval_adapt: int = 5_000  # points per adaptation iteration
    #: lowest neutrino energy = this factor x threshold (1: the whole physical range; DarkNews 0.4.8
    #: starts at 1.05 x threshold, see its MC.py, which drops the near-threshold rate)
    threshold_factor: float = 1.0


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
    """Everything one case produced (arrays are per event)."""

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
    columns: dict = field(default_factory=dict)
    channels: list = field(default_factory=list)  # FinalChannel per channel index (local to the case)
    antiparticle: bool = False
    threshold: float = 0.0
    skipped: str = ""


def _stratified(values: np.ndarray, hcube: np.ndarray) -> tuple[float, float]:
    """Sum and vegas variance of a stratified sample: values = weight * f per point."""
    s1 = np.bincount(hcube, weights=values)
    s2 = np.bincount(hcube, weights=values * values)
    n = np.bincount(hcube).astype(np.float64)
    ok = n > 1
    var = np.sum((n[ok] * s2[ok] - s1[ok] ** 2) / (n[ok] - 1.0))
    return float(s1.sum()), float(max(var, 0.0))


def run_case(
    spec: CaseSpec,
    params: ModelParameters,
    couplings,
    exp: Experiment,
    flux: Flux,
    opts: GenerationOptions,
    seed: np.random.SeedSequence,
    xsec_options: dict | None = None,
    decays: tuple[DecayTable, list[FinalChannel]] | None = None,
) -> CaseResult:
    """Integrate and sample one case; see the module docstring.  ``xsec_options`` go to
    :class:`~darkbeam.physics.xsec.UpscatteringXsec` (form factors, helicity frame, nuclear spin);
    ``decays``: N's decay table and final channels, when the caller shares them between cases (the
    samplers built for a channel are then reused)."""
    rng = np.random.default_rng(seed)
    case = spec.xs_case
    res = CaseResult(spec)
    xs = UpscatteringXsec(case, couplings, **(xsec_options or {}))
    m = xs.m_hnl
    M = xs.target.mass
    res.threshold = xs.threshold
    e_lo, e_hi = exp.energy_range
    f_lo, f_hi = flux.energy_range
    e_lo = max(e_lo, f_lo, xs.threshold * max(opts.threshold_factor, 1.0 + 1e-9))
    e_hi = min(e_hi, f_hi)
    if not e_hi > e_lo:
        res.skipped = "threshold above the flux"
        return res
    scale = spec.n_scatterers * exp.pot
    flavour = case.projectile
    span_e = e_hi - e_lo

    def point(x: np.ndarray):
        E = e_lo + span_e * x[:, 0]
        qmin, qmax = xs.Q2_range(E)
        lr = np.log(qmax / qmin)
        Q2 = qmin * np.exp(lr * x[:, 1])
        f = flux(E, flavour) * xs.dsigma_dQ2(E, Q2) * (Q2 * lr * span_e * scale)
        return E, Q2, np.where(np.isfinite(f) & (f > 0), f, 0.0)

    @vegas.lbatchintegrand
    def rate(x):
        return point(np.asarray(x))[2]

    integ = vegas.Integrator([[0.0, 1.0], [0.0, 1.0]], ran_array_generator=rng.random)
    integ(rate, nitn=opts.nitn_adapt, neval=opts.neval_adapt)
    integ.set(neval=opts.neval)

    if decays is None:
        table = decay_table(params, f"N{case.hnl}")
        finals = final_channels(params, table)
    else:
        table, finals = decays
    res.ctau_cm = table.ctau_cm
    res.channels = finals
    res.antiparticle = case.antineutrino and not params.majorana
    hel = hnl_helicity(case)
    detector = exp.detector
    target_volume = exp.target_volume
    production = exp.production_model(warn=False)
    brs = np.array([fc.br for fc in finals])
    q_of = brs / brs.sum()  # channel-selection probabilities
    cum = np.cumsum(q_of)
    visible = np.array([is_visible_labels(channel_labels(fc, res.antiparticle)) for fc in finals], dtype=bool)

    cols: dict[str, list] = {k: [] for k in ("E", "Q2", "w_up", "ch", "q", "vertex", "p_nu", "p_hnl", "p_rec",
                                             "p_dau", "bounds", "l_dec", "p_decay")}
    sums = np.zeros(4)
    vars_ = np.zeros(4)
    nb = opts.n_batches
    for _ in range(nb):
        xs_, wg, hc = [], [], []
        for x, wgt, hcube in integ.random_batch(yield_hcube=True):
            xs_.append(np.array(x))
            wg.append(np.array(wgt))
            hc.append(np.array(hcube))
        x = np.concatenate(xs_)
        wgt = np.concatenate(wg)
        hcube = np.concatenate(hc)
        E, Q2, f = point(x)
        keep = f > 0
        w_up = (wgt * f)[keep] / nb
        E, Q2, hk = E[keep], Q2[keep], hcube[keep]
        n = E.size
        # kinematics in the beam frame, then along the actual neutrino direction
        phi = rng.uniform(0.0, 2.0 * np.pi, n)
        k, pN, prec = upscattering_lab(E, Q2, m, M, phi)
        vtx = target_volume.sample(n, rng)
        prod = production.sample(E, rng)
        d_nu = vtx - prod
        flight = np.linalg.norm(d_nu, axis=1)
        n_hat = d_nu / flight[:, None]
        k = np.concatenate([k[:, :1], rotate_z_to(k[:, 1:], n_hat)], axis=1)
        pN = np.concatenate([pN[:, :1], rotate_z_to(pN[:, 1:], n_hat)], axis=1)
        prec = np.concatenate([prec[:, :1], rotate_z_to(prec[:, 1:], n_hat)], axis=1)
        # decay channel, kinematics and position
        ch = np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(finals) - 1)
        dau = np.zeros((n, 4, 4))
        with outer_batch(n):  # compiled kernels are chosen by the size of the whole pass
            for j, fc in enumerate(finals):
                sel = np.flatnonzero(ch == j)
                if sel.size == 0:
                    continue
                d1 = sample_channel(fc.first, m, pN[sel], hel, rng, res.antiparticle)
                nd = d1.shape[1]
                if fc.second is None:
                    dau[sel, :nd] = d1
                else:
                    mx = mass_of(fc.first.daughters[-1], params)
                    d2 = sample_channel(fc.second, mx, d1[:, -1], 0.0, rng, res.antiparticle)
                    dau[sel, : nd - 1] = d1[:, :-1]
                    dau[sel, nd - 1 : nd - 1 + d2.shape[1]] = d2
        p_abs = np.linalg.norm(pN[:, 1:], axis=1)
        L = p_abs / m * table.ctau_cm
        dir_N = pN[:, 1:] / p_abs[:, None]
        bounds = path_bounds_from_segments(*detector.segments(vtx, dir_N))
        p_dec = path_decay_probability(bounds, L)
        l_dec = sample_path_decay(bounds, L, rng.random(n), rng.random(n))
        t0 = flight / C_LIGHT_CM_PER_NS
        for i, val in enumerate((w_up, w_up * p_dec, w_up * p_dec * visible[ch], w_up * p_dec * ~visible[ch])):
            s, v = _stratified(val * nb, hk)
            sums[i] += s / nb
            vars_[i] += v / nb**2
        for key, val in (("E", E), ("Q2", Q2), ("w_up", w_up), ("ch", ch), ("q", q_of[ch]),
                         ("vertex", np.column_stack([vtx, t0])), ("p_nu", k), ("p_hnl", pN), ("p_rec", prec),
                         ("p_dau", dau), ("bounds", bounds), ("l_dec", l_dec), ("p_decay", p_dec)):
            cols[key].append(val)
    width = max(b.shape[1] for b in cols["bounds"])
    cols["bounds"] = [pad_bounds(b, width) for b in cols["bounds"]]
    res.columns = {k: np.concatenate(v) for k, v in cols.items()}
    res.n_events = int(res.columns["E"].size)
    res.upscattered, res.upscattered_err = float(sums[0]), float(math.sqrt(vars_[0]))
    res.decay_in_detector, res.decay_in_detector_err = float(sums[1]), float(math.sqrt(vars_[1]))
    res.decay_in_detector_visible, res.decay_in_detector_visible_err = float(sums[2]), float(math.sqrt(vars_[2]))
    res.decay_in_detector_invisible, res.decay_in_detector_invisible_err = float(sums[3]), float(math.sqrt(vars_[3]))
    return res


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
