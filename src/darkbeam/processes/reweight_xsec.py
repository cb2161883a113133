"""Cross-section ratios for reweighting: direct recomputation and the coupling-span decomposition.

The upscattering amplitude (physics/upscattering.py) is a sum over exchanges (Z, Z', h', photon via
the dipole, the Fierzed W) whose coefficients are linear in the products

    theta = (lepton vertex) x (target vertex):  l_V gV_f, l_V gA_f (f = u, d, e) per vector V,
            y_h y_T (T = p, n, e) per scalar h, mu_tr, and the W term cc,

so |M|^2 and d sigma/dQ^2 are a quadratic form theta^T A(E, Q^2) theta with coupling-free A.  For a set
of coupling points, :func:`build_span` finds the subspace S their theta vectors span (dimension d), an
orthonormal basis b_1..b_d of S (after scaling every exchange by its largest coupling), and evaluates
the d(d+1)/2 entries A_ij = b_i^T A b_j per event by polarisation of d sigma/dQ^2 at theta = b_i and
b_i + b_j (probe vertices with unit lepton couplings).  A point theta = sum_i alpha_i b_i then has
d sigma/dQ^2 = alpha^T A alpha exactly (up to rounding).  Only the public API of the cross-section
module is used: :class:`~darkbeam.physics.upscattering.Vertices` and
:meth:`~darkbeam.physics.xsec.UpscatteringXsec.dsigma_dQ2`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from darkbeam.errors import DataError

#: relative singular-value cut of the span (below it: rounding)
SPAN_RTOL = 1e-13

#: a case name (processes.cases.case_label): "nu_mu C12 -> N4 C12 (coherent, conserving)",
#: "nu_mu_bar p(C12) -> N4_bar p (p-el, flipping)"; also the older "nu_mu C12 -> N4 C12 (p-el, ...)"
_CASE_RE = re.compile(r"^(?P<proj>\S+) (?:[a-z]+-?\()?(?P<tgt>[^\s()]+)\)? -> N(?P<hnl>\d)(?:_bar)? \S+ "
                      r"\((?P<reg>[^,]+), (?P<hel>[^)]+)\)$")


def process_case(info):
    """The :class:`~darkbeam.physics.xsec.ProcessCase` of a case-table entry (parsed from its name,
    which the generator writes with ``processes.cases.case_label``)."""
    from darkbeam.physics.xsec import ProcessCase

    m = _CASE_RE.match(info.name)
    if m is None:
        raise DataError(f"case {info.name!r} is not a darkbeam upscattering case: cannot reweight it")
    return ProcessCase(m["proj"], int(m["hnl"]), m["tgt"], m["reg"], m["hel"])


def xsec_options(scheme: str) -> dict:
    """Options of UpscatteringXsec that the generator used for this couplings scheme."""
    try:
        from darkbeam.processes.generator import SCHEME_XSEC_OPTIONS
    except ImportError:  # pragma: no cover - older generator without per-scheme options
        return {}
    return dict(SCHEME_XSEC_OPTIONS.get(scheme, {}))


def couplings(params, scheme: str):
    """The Couplings object the generator used for the cross sections (scheme from the metadata)."""
    from darkbeam.models.couplings import Couplings, darknews_couplings

    if scheme == "darkbeam":
        return Couplings(params)
    if scheme == "darknews":
        return darknews_couplings(params)
    raise DataError(f"unknown couplings scheme {scheme!r} in the event metadata")


def theta_of(vx) -> dict:
    """Coupling products theta of :class:`~darkbeam.physics.upscattering.Vertices` (module docstring)."""
    out: dict = {}
    for v in vx.vectors:
        for f in ("u", "d", "e"):
            out[("V", v.name, "gV", f)] = v.lepton * v.gV.get(f, 0.0)
            out[("V", v.name, "gA", f)] = v.lepton * v.gA.get(f, 0.0)
    for sc in vx.scalars:
        for t in ("p", "n", "e"):
            out[("S", sc.name, t)] = sc.lepton * sc.yukawa.get(t, 0.0)
    out[("mu_tr",)] = vx.mu_tr
    out[("cc",)] = vx.cc
    return out


def vertices_from_theta(theta: Mapping, template):
    """Vertices with unit lepton couplings and target couplings ``theta`` (masses from ``template``)."""
    from darkbeam.physics.upscattering import ScalarExchange, VectorExchange, Vertices

    def g(*key):
        return float(theta.get(key, 0.0))

    vecs = tuple(VectorExchange(v.name, v.mass, 1.0, {f: g("V", v.name, "gV", f) for f in "ude"},
                                {f: g("V", v.name, "gA", f) for f in "ude"}) for v in template.vectors)
    scal = tuple(ScalarExchange(s.name, s.mass, 1.0, {t: g("S", s.name, t) for t in "pne"}) for s in template.scalars)
    return Vertices(m_hnl=template.m_hnl, vectors=vecs, scalars=scal, mu_tr=g("mu_tr"), cc=g("cc"), m_W=template.m_W)


class CaseGroup:
    """The events of one process case: their (E, Q^2) and a cross-section evaluator."""

    def __init__(self, case, idx: np.ndarray, E: np.ndarray, Q2: np.ndarray, options: dict | None = None):
        self.case = case
        self.idx = idx
        self.E = E
        self.Q2 = Q2
        self.options = dict(options or {})
        self._xs = None

    def vertices(self, c):
        from darkbeam.physics.upscattering import vertices

        return vertices(c, self.case.flavour, self.case.hnl - 4)

    def dsigma(self, vx) -> np.ndarray:
        """d sigma/dQ^2 (cm^2/GeV^2 per nucleus) at the events for vertices ``vx``."""
        from darkbeam.physics.xsec import UpscatteringXsec

        if self.idx.size == 0:
            return np.zeros(0)
        if self._xs is None:
            self._xs = UpscatteringXsec(self.case, vx, **self.options)
        xs = copy.copy(self._xs)  # shares the target and its form factors
        xs.vertices = vx
        return xs.dsigma_dQ2(self.E, self.Q2)


@dataclass
class Span:
    """Coupling points and, per case, their coordinates and the quadratic forms of d sigma/dQ^2."""

    params: list
    dims: list = field(default_factory=list)  # per case: dimension d of the span
    alpha: list = field(default_factory=list)  # per case: (n_points, d)
    forms: list = field(default_factory=list)  # per case: (d, d, n_events)

    def dsigma(self, group: int, point: int) -> np.ndarray:
        """d sigma/dQ^2 of case ``group`` at coupling point ``point``, per event."""
        a = self.alpha[group][point]
        return np.maximum(np.einsum("i,j,ijn->n", a, a, self.forms[group]), 0.0)


def build_span(groups: Sequence[CaseGroup], vertices_per_point: Sequence[Sequence], params: list) -> Span:
    """Quadratic forms of every case over the span of the points' vertices (module docstring)."""
    span = Span(params)
    theta_cache: dict = {}  # cases that share a vertices object share its theta (ids stay valid: the
    basis_cache: dict = {}  # objects live in vertices_per_point for the whole call), and cases whose
    for k, g in enumerate(groups):  # points all share their vertices objects share the span's basis
        ids = tuple(id(v[k]) for v in vertices_per_point)
        if ids not in basis_cache:
            basis_cache[ids] = _basis([theta_cache[id(v[k])] if id(v[k]) in theta_cache
                                       else theta_cache.setdefault(id(v[k]), theta_of(v[k])) for v in vertices_per_point],
                                      vertices_per_point[0][k])
        keys, alpha, probes = basis_cache[ids]
        if not keys or g.idx.size == 0:
            span.dims.append(0)
            span.alpha.append(np.zeros((len(params), 0)))
            span.forms.append(np.zeros((0, 0, g.idx.size)))
            continue
        d = len(probes[0])
        diag = [g.dsigma(probes[0][i]) for i in range(d)]
        A = np.empty((d, d, g.idx.size))
        for i in range(d):
            A[i, i] = diag[i]
            for j in range(i + 1, d):
                both = g.dsigma(probes[1][(i, j)])
                A[i, j] = A[j, i] = 0.5 * (both - diag[i] - diag[j])
        span.dims.append(d)
        span.alpha.append(alpha.copy())
        span.forms.append(A)
    return span


def _basis(thetas: list, template):
    """The span of the coupling points ``thetas`` (theta dicts): its keys (coupling products with a
    non-zero value somewhere; empty: no span), the points' coordinates alpha (n_points, d) and the probe
    vertices of the polarisation, at b_i (list) and at b_i + b_j ({(i, j): vertices})."""
    keys = sorted(set().union(*thetas), key=str)
    T = np.array([[t.get(key, 0.0) for key in keys] for t in thetas])
    scale = np.max(np.abs(T), axis=0) if T.size else np.zeros(0)
    use = scale > 0
    keys = [key for key, u in zip(keys, use) if u]
    T = T[:, use]
    if T.shape[1] == 0:
        return [], None, None
    # one scale per exchange: its components keep their relative sizes
    group = [key[:2] for key in keys]
    top = {gk: max(abs(T[:, j]).max() for j, gg in enumerate(group) if gg == gk) for gk in set(group)}
    scale = np.array([top[gg] for gg in group])
    N = T / scale
    _, sv, Vt = np.linalg.svd(N, full_matrices=False)
    d = int(np.sum(sv > SPAN_RTOL * sv[0]))
    B = Vt[:d]
    basis = B * scale
    single = [vertices_from_theta(dict(zip(keys, basis[i])), template) for i in range(d)]
    pairs = {(i, j): vertices_from_theta(dict(zip(keys, basis[i] + basis[j])), template)
             for i in range(d) for j in range(i + 1, d)}
    return keys, N @ B.T, (single, pairs)
