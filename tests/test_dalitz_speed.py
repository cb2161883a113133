"""The shared-work paths of the three-body decay sampler (issue 10) give the same numbers as the
one-spin-at-a-time evaluation they replace.

Independent reference: the plain evaluation, one spin vector per call of |M|^2 (the code path that
the hooks bypass; still the path of any weight without hooks).  Every comparison is exact (==, to
the bit): the sampler's events for a seed must not change.  No data files are needed.
"""

import numpy as np
import pytest

from darkbeam.models.couplings import Couplings
from darkbeam.models.parameters import ModelParameters
from darkbeam.mc.dalitz import DalitzSampler
from darkbeam.physics import hnl_dileptons as hd
from darkbeam.physics import matrix_elements as me
from darkbeam.physics.channels import Channel, ThreeBody
from darkbeam.processes import decays as dec

# models that feed every structure family: Z + W (V), Z' (V), dipole (D), h' (S), Majorana (CP images,
# both chiralities of the heavy-heavy vertices), identical neutrinos
MODELS = {
    "sm_mixing": dict(m4=0.15, Umu4=1e-3),
    "dipole_zprime_majorana": dict(m4=0.4, mu_tr_mu4=1e-6, mzprime=1.2, Umu4=1e-3, UD4=1.0, gD=1.0, epsilon=1e-3,
                                   HNLtype="majorana"),
    "two_hnl_scalar": dict(m4=1.0, m5=1.5, mzprime=0.3, mhprime=0.25, theta=0.1, s_e4=1e-3, s_45=1e-2,
                           mu_tr_e4=1e-7, mu_tr_45=1e-7, Ue4=1e-3, Umu4=1e-3, UD5=0.5),
}


def _channels():
    out = []
    for label, kw in MODELS.items():
        c = Couplings(ModelParameters.from_dict(kw))
        for i in range(c.params.n_hnl):
            for ch in hd.channels(c, i):
                out.append(pytest.param(ch, float(c.params.hnl_masses[i]), id=f"{label}:{ch.parent}->{ch.name}"))
    return out


CHANNELS = _channels()


def _random_decays(rng, M, masses, n):
    """Daughters (n, 3, 4) at rest: random Dalitz points (body frame of the sampler) turned by random
    rotations, so that every momentum component is non-zero."""
    s = DalitzSampler(M, masses)  # flat phase space: no weight
    k, _ = s.sample(rng, np.zeros(n))
    return k


def _bits(x):
    return np.ascontiguousarray(x, dtype=np.float64).view(np.uint64)


def _same(a, b):
    """Equal numbers (an exact zero may differ in sign: it never changes an event)."""
    return np.array_equal(np.asarray(a) + 0.0, np.asarray(b) + 0.0)


@pytest.mark.parametrize("channel, M", CHANNELS[:40])
def test_multi_spin_hook_equals_one_spin_at_a_time(channel, M):
    """weight.spins(k, s3s) row a == weight(k, s3s[a]) to the bit for random momenta and random spin
    vectors (unit, scaled, zero), and weight.spin_average(k) == weight(k, 0)."""
    rng = np.random.default_rng(7)
    masses = dec.daughter_masses(channel)
    weight = dec._msq_weight(channel.kinematics.msq, M)
    n = 333
    k = _random_decays(rng, M, masses, n)
    s3 = rng.normal(size=(4, n, 3))
    s3[:2] /= np.linalg.norm(s3[:2], axis=2, keepdims=True)  # unit spins
    s3[2] *= 0.37
    s3[3] = 0.0
    many = weight.spins(k, s3)
    assert many.shape == (4, n)
    for a in range(4):
        one = weight(k, s3[a])
        assert np.array_equal(_bits(many[a]), _bits(one)), a
    assert _same(weight.spin_average(k), weight(k, np.zeros((n, 3))))
    # the spin dependence is real (the rows are different numbers)
    assert not np.array_equal(many[0], many[3])


@pytest.mark.parametrize("channel, M", CHANNELS[:40])
def test_axis_hook_equals_one_spin_at_a_time(channel, M):
    """weight.axes(k, axes) (the parent at rest, spin along body axes, no products by exact zeros)
    row a == weight(k, e_axes[a]), on body-frame candidates (p_y = 0, the sampler's case, in its
    component-major storage) and on rotated decays (p_y != 0); weight.spin_average likewise."""
    rng = np.random.default_rng(8)
    masses = dec.daughter_masses(channel)
    weight = dec._msq_weight(channel.kinematics.msq, M)
    sampler = DalitzSampler(M, masses, weight)
    body, _, _ = sampler._candidates(rng.random((4, 300)))
    assert not body[:, :, 2].any()  # body frame: the decay plane is xz
    assert body.transpose(1, 2, 0).flags.c_contiguous  # the component-major storage of a hooked weight
    for k in (body, np.ascontiguousarray(body), _random_decays(rng, M, masses, 300)):
        n = k.shape[0]
        got = weight.axes(k, (0, 1, 2))
        for row in range(3):
            s3 = np.zeros((n, 3))
            s3[:, row] = 1.0
            assert _same(got[row], weight(k, s3)), row
        assert _same(weight.spin_average(k), weight(k, np.zeros((n, 3))))


def test_stacked_kernel_every_structure_bitwise():
    """matrix_elements.msq on stacked spin vectors (j, n, 4), all ten structures with random
    coefficients (scalars and q^2-like arrays): each row is the one-spin result to the bit, and the
    lazy invariants give the eager ones' numbers."""
    rng = np.random.default_rng(3)
    n, M, m1, mf = 257, 2.0, 0.4, 0.3
    P = np.zeros((n, 4))
    P[:, 0] = M
    k = _random_decays(rng, M, (m1, mf, mf), n)
    k1, k2, k3 = k[:, 0], k[:, 1], k[:, 2]
    s = np.zeros((3, n, 4))
    s[:, :, 1:] = rng.normal(size=(3, n, 3))
    for coef in ({name: rng.normal() for name in me.STRUCTURES},
                 {name: rng.normal(size=n) for name in me.STRUCTURES}):
        stacked = me.msq(me.LazyInvariants(P, k1, k2, k3, s), M, m1, mf, coef)
        assert stacked.shape == (3, n)
        for a in range(3):
            eager = me.msq(me.invariants_from_momenta(P, k1, k2, k3, s[a]), M, m1, mf, coef)
            lazy = me.msq(me.LazyInvariants(P, k1, k2, k3, s[a]), M, m1, mf, coef)
            assert np.array_equal(_bits(stacked[a]), _bits(eager))
            assert np.array_equal(_bits(lazy), _bits(eager))
        avg = me.msq(me.LazyInvariants(P, k1, k2, k3, None), M, m1, mf, coef)
        assert _same(avg, me.msq(me.invariants_from_momenta(P, k1, k2, k3, np.zeros((n, 4))), M, m1, mf, coef))
    # a structure set without spin-dependent blocks still gives one row per spin vector
    out = me.msq(me.LazyInvariants(P, k1, k2, k3, s), M, m1, mf, {"VLL": 1.0, "VRR": 0.5})
    assert out.shape == (3, n)


def _strip_hooks(weight):
    """The same weight without its hooks: the sampler's one-spin-per-call path."""
    return lambda k, s3: weight(k, s3)


@pytest.mark.parametrize("label", ["sm_mixing", "dipole_zprime_majorana"])
def test_sampler_with_hooks_gives_the_same_events(label):
    """A DalitzSampler over a channel's weight with the hooks and one without: the same envelope and,
    for a seed, the same polarised decays to the bit (numpy kernels)."""
    c = Couplings(ModelParameters.from_dict(MODELS[label]))
    M = float(c.params.hnl_masses[0])
    for ch in hd.channels(c, 0)[:3]:
        masses = dec.daughter_masses(ch)
        w = dec._msq_weight(ch.kinematics.msq, M)
        fast, plain = DalitzSampler(M, masses, w), DalitzSampler(M, masses, _strip_hooks(w))
        assert np.array_equal(fast.G, plain.G) and fast.in_plane == plain.in_plane
        assert fast.spin_dependent == plain.spin_dependent
        h = np.random.default_rng(1).uniform(-1.0, 1.0, 3000)
        ka, sa = fast.sample(np.random.default_rng(11), h)
        kb, sb = plain.sample(np.random.default_rng(11), h)
        assert np.array_equal(_bits(ka), _bits(kb)), ch.name
        assert sa.n_candidates == sb.n_candidates and sa.max_weight == sb.max_weight


def test_equal_parameters_share_the_envelope_not_the_state():
    """Two channels whose |M|^2 have the same exact parameters (N -> nu_mu nu_e nubar_e and
    N -> nu_mu nu_tau nubar_tau, equal Z couplings) get separate samplers built once: the same tables,
    the same events as a fresh build, and raising one envelope leaves the other alone."""
    c = Couplings(ModelParameters.from_dict(MODELS["sm_mixing"]))
    M = float(c.params.hnl_masses[0])
    chans = {ch.name: ch for ch in hd.channels(c, 0)}
    a, b = chans["nu_mu nu_e nu_e_bar"], chans["nu_mu nu_tau nu_tau_bar"]
    assert a.kinematics.msq.signature == b.kinematics.msq.signature
    assert chans["nu_mu nu_mu nu_mu_bar"].kinematics.msq.signature != a.kinematics.msq.signature
    dec._SAMPLERS.clear()
    dec._TEMPLATES.clear()
    sa = dec.three_body_sampler(a, M)
    sb = dec.three_body_sampler(b, M)
    assert sa is not sb and sb.G is sa.G and len(dec._TEMPLATES) == 1
    fresh = DalitzSampler(M, dec.daughter_masses(b), dec._msq_weight(b.kinematics.msq, M))
    h = np.full(2000, 0.8)
    kb, _ = sb.sample(np.random.default_rng(5), h)
    kf, _ = fresh.sample(np.random.default_rng(5), h)
    assert np.array_equal(_bits(kb), _bits(kf))
    G = sb.G.copy()
    sa.enlarge(2.0)
    assert np.array_equal(sb.G, G) and np.array_equal(sa.G, 2.0 * G)
    # a channel with another |M|^2 but no signature (a plain function) is built on its own
    ch = Channel("N4", ("nu_mu", "nu_e", "nu_e_bar"), 1.0, ThreeBody(lambda P, k1, k2, k3, s: np.ones(len(P))),
                 masses=(0.0, 0.0, 0.0))
    assert dec.three_body_sampler(ch, M) is not sa and len(dec._TEMPLATES) == 1


def test_cell_guide_gives_the_binary_search_cells():
    """The guide-table cell search of the numpy candidates == np.searchsorted(cum, x, 'right') on
    random cumulative tables with empty cells, clusters of tiny cells (buckets beyond the guide's
    depth: the fall-back) and keys at, just below and between the cumulative values."""
    from darkbeam.mc._dalitz_np import _GUIDE_DEPTH, _cell_guide, _find_cells

    rng = np.random.default_rng(4)
    n_hard = 0
    for trial in range(150):
        n = int(rng.integers(1, 1500))
        w = rng.exponential(size=n) * (rng.random(n) < 0.8)
        w[rng.random(n) < 0.2] *= 1e-12
        cum = np.cumsum(w)
        if not cum[-1] > 0:
            assert _cell_guide(cum) is None
            continue
        guide = _cell_guide(cum)
        n_hard += guide[4] is not None
        at = cum[rng.integers(0, n, 300)]
        x = np.concatenate([rng.random(3000) * cum[-1], at, np.nextafter(at, 0.0), [0.0, cum[-1]]])
        assert np.array_equal(_find_cells(cum, x, guide), np.searchsorted(cum, x, side="right")), trial
        assert guide[3] <= _GUIDE_DEPTH
    assert n_hard > 0  # the fall-back was exercised


def test_plain_weight_functions_see_c_ordered_daughters():
    """A weight without hooks (production.py's meson samplers, user functions) gets C-ordered
    (m, 3, 4) daughters as before (a weight whose arithmetic depends on the memory layout, e.g. through
    a BLAS product, keeps its numbers); a hooked weight's sampler keeps them component-major."""
    layouts = set()

    def weight(k, s3):
        layouts.add(k.flags.c_contiguous)
        return 1.0 + 0.1 * k[:, 0, 0]

    s = DalitzSampler(1.0, (0.1, 0.1, 0.1), weight)
    s.sample(np.random.default_rng(2), np.zeros(500))
    assert layouts == {True}
    assert not s._component_major
