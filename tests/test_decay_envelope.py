"""The three-body sampler (tabulated envelope of the spin-averaged |M|^2, exact orientation from the
linear spin dependence; darkbeam.mc.dalitz) against an independent method: weighted flat phase space.

The reference never uses the sampler: Dalitz points in a box of the two pair invariants (the e+e-
mass log-uniform, with its Jacobian as a weight), kept inside the Dalitz-plot limits, a uniform
rotation from phasespace.three_body_rest, and the weight |M|^2(k, s) of the channel at the parent's
spin.  Sampled
decays (darkbeam.processes.decays.sample_channel, parents at rest so that the spin axis is +z) and the
weighted reference are compared bin by bin by a two-sample chi^2 (variance of the reference from its
sum of w^2): the pair mass, the energies, the angles of the daughters to the spin and the joint
(energy, angle) of the electron.  Controls: the same statistics reject the reference at the opposite
polarisation and flat phase space.  The acceptance target of issue 10 (> 70% for fully polarised
parents) is checked on the channels of the default model and a dipole model.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from darkbeam.mc import fourvec as fv
from darkbeam.mc import phasespace as ps
from darkbeam.physics.channels import ThreeBody
from darkbeam.processes import decays as dec


def _channels(changes: dict):
    """(M, three-body channels) of N4 in the default model with ``changes``."""
    hd = pytest.importorskip("darkbeam.physics.hnl_dileptons")
    from darkbeam.models import couplings, default_model

    params = default_model().replace(**changes)
    M = params.hnl_masses[0]
    return M, [ch for ch in hd.channels(couplings(params), 0) if isinstance(ch.kinematics, ThreeBody)]


def _nu_ee(changes: dict):
    M, chans = _channels(changes)
    chans = [ch for ch in chans if {"e+", "e-"} <= set(ch.daughters)]
    return M, max(chans, key=lambda c: c.width)


def _reference(ch, M: float, n: int, rng, pair: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """n decays at rest from phase space (independent of the sampler): momenta (m, 3, 4) and the
    Jacobian weights, m <= n after the cut to the Dalitz plot (|M|^2 weights: :func:`_msq`).  The pair
    invariant s_p of ``pair`` is drawn log-uniformly (weight s_p: the photon pole of the dipole is
    then resolved), the other invariant uniformly in a box; three_body_rest orients uniformly."""
    m = dec.daughter_masses(ch)
    a, b = pair
    c = 3 - a - b
    lo_p, hi_p = (m[a] + m[b]) ** 2, (M - m[c]) ** 2
    s_p = np.exp(rng.uniform(np.log(lo_p), np.log(hi_p), n))
    s_bc = rng.uniform((m[b] + m[c]) ** 2, (M - m[a]) ** 2, n)
    lo, hi = ps.dalitz_limits(M, m[a], m[b], m[c], s_p)  # s_bc at fixed s_ab
    keep = (s_bc > lo) & (s_bc < hi)
    k = ps.three_body_rest(M, m[a], m[b], m[c], s_p[keep], s_bc[keep], rng.random((3, int(keep.sum()))), (a, b, c))
    return k, s_p[keep]


def _msq(ch, M: float, k: np.ndarray, h: float) -> np.ndarray:
    """The channel's |M|^2 at rest for spin s = (0, 0, 0, h)."""
    P = np.tile([M, 0.0, 0.0, 0.0], (k.shape[0], 1))
    s = np.zeros_like(P)
    s[:, 3] = h
    return np.asarray(ch.kinematics.msq(P, k[:, 0], k[:, 1], k[:, 2], s), dtype=float)


def _observables(k: np.ndarray, ie: int, inu: int, ip: int) -> dict[str, np.ndarray]:
    """Rest-frame observables (spin axis +z): e+e- mass^2, energies, cosines to the spin axis."""
    cos = k[:, :, 3] / np.maximum(fv.three_momentum(k), 1e-300)
    return {
        "m_ee^2": fv.msq(k[:, ie] + k[:, ip]),
        "E_e-": k[:, ie, 0],
        "E_nu": k[:, inu, 0],
        "cos_e-": cos[:, ie],
        "cos_e+": cos[:, ip],
        "cos_nu": cos[:, inu],
    }


def _two_sample_p(x: np.ndarray, xr: np.ndarray, wr: np.ndarray, edges) -> float:
    """p-value of the chi^2 of an unweighted sample x against a weighted sample (xr, wr), normalised
    histograms (bins with too few entries merged into their neighbours by the caller's edges)."""
    n = np.histogram(x, edges)[0].astype(float)
    W = np.histogram(xr, edges, weights=wr)[0]
    V = np.histogram(xr, edges, weights=wr * wr)[0]
    N, Wt = n.sum(), W.sum()
    var = n / N**2 + V / Wt**2
    ok = var > 0
    chi2 = np.sum((n[ok] / N - W[ok] / Wt) ** 2 / var[ok])
    return float(stats.chi2.sf(chi2, int(ok.sum()) - 1))


def _edges(xr: np.ndarray, wr: np.ndarray, nbins: int) -> np.ndarray:
    """Bin edges at quantiles of the weighted reference (about equal expected counts)."""
    order = np.argsort(xr)
    c = np.cumsum(wr[order])
    q = np.searchsorted(c / c[-1], np.linspace(0, 1, nbins + 1)[1:-1])
    inner = np.unique(xr[order][np.clip(q, 0, xr.size - 1)])
    return np.concatenate([[xr.min() - 1e-12], inner, [xr.max() + 1e-12]])


@pytest.mark.parametrize(
    "changes,h,anti",
    [
        ({}, 1.0, False),  # the default generator's case: Z' off shell + W/Z, fully polarised
        ({}, -0.6, False),
        (dict(mu_tr_mu4=1e-6, m4=0.3, UD4=0.0, Umu4=0.0), 1.0, True),  # dipole (photon pole), CP conjugate
    ],
)
def test_sampled_decays_match_weighted_phase_space(changes, h, anti):
    M, ch = _nu_ee(changes)
    ie, ip = ch.daughters.index("e-"), ch.daughters.index("e+")
    inu = 3 - ie - ip
    rng = np.random.default_rng(11)
    n = 40000
    P = np.tile([M, 0.0, 0.0, 0.0], (n, 1))
    k = dec.sample_channel(ch, M, P, h, rng, antiparticle=anti)
    # the antiparticle is sampled with s -> -s (CP, docs/decay_sampling.md) and conjugated labels
    kr, jac = _reference(ch, M, 400000, np.random.default_rng(12), (ie, ip))
    wr = jac * _msq(ch, M, kr, -h if anti else h)
    obs, ref = _observables(k, ie, inu, ip), _observables(kr, ie, inu, ip)
    for name in obs:
        edges = _edges(ref[name], wr, 20)
        p = _two_sample_p(obs[name], ref[name], wr, edges)
        assert p > 1e-3, (name, p)
    # joint (E_e-, cos_e-): 5 x 5 cells
    e_edges = _edges(ref["E_e-"], wr, 5)
    c_edges = np.linspace(-1, 1, 6)
    cell = lambda o: np.digitize(o["E_e-"], e_edges[1:-1]) * 5 + np.digitize(o["cos_e-"], c_edges[1:-1])  # noqa: E731
    assert _two_sample_p(cell(obs), cell(ref), wr, np.arange(26) - 0.5) > 1e-3
    # controls: the opposite polarisation (angles) and flat phase space (pair mass) are rejected
    wr_flip = jac * _msq(ch, M, kr, h if anti else -h)
    assert _two_sample_p(obs["cos_e-"], ref["cos_e-"], wr_flip, _edges(ref["cos_e-"], wr_flip, 20)) < 1e-6
    flat = jac  # |M|^2 = 1: only the Jacobian of the log-uniform pair mass
    assert _two_sample_p(obs["m_ee^2"], ref["m_ee^2"], flat, _edges(ref["m_ee^2"], flat, 20)) < 1e-6


@pytest.mark.parametrize("changes", [{}, dict(mu_tr_mu4=1e-6, m4=0.3, UD4=0.0, Umu4=0.0)])
def test_acceptance_above_seventy_percent_for_polarised_parents(changes):
    """Issue 10's target: every three-body channel of N4 accepts > 70% of its candidates for fully
    polarised parents (the former envelope of A + |B| accepted ~35% for N4 -> nu e e), and no
    candidate exceeds the envelope."""
    M, chans = _channels(changes)
    assert chans
    for ch in chans:
        sampler = dec.three_body_sampler(ch, M)
        for h in (1.0, -1.0, 0.0):
            _, st = sampler.sample(np.random.default_rng(5), np.full(20000, h))
            assert st.max_ratio <= 1.0 and st.n_bad == 0
            assert 20000 / st.n_candidates > 0.7, (ch.name, h, 20000 / st.n_candidates)
