"""EventSet: schema and memory, validation, exact kinematics, tables, selection, concatenation,
summaries, arrow/pandas conversion, lifetime reweighting kernels and accept-reject unweighting."""

import numpy as np
import pytest
from scipy import stats

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError, DataError
from darkbeam.events import (COLUMNS, CaseInfo, ChannelInfo, EventSet, UnweightingError, concat,
                             decay_probability, expected_accepted, position_factor, process_ids, unweight)
from darkbeam.events.synthetic import CHANNELS, synthetic_events
from darkbeam.units import C_LIGHT_CM_PER_NS


@pytest.fixture(scope="module")
def es():
    return synthetic_events(6000, seed=11)


# ---------------------------------------------------------------- schema, memory, validation
def test_memory_per_event_is_within_target(es):
    assert es.bytes_per_event == 284.0  # 35 float64 + 2 uint16 (w_rate, br, q_channel, w_decay, p_decay, ...)
    assert es.nbytes / len(es) <= 300
    assert all(c.dtype == np.float64 for k, c in COLUMNS.items() if k not in ("case", "channel"))


def test_weight_is_product_of_components(es):
    c = es.columns
    assert np.allclose(es.w, c["w_rate"] * c["br"] / c["q_channel"] * c["w_decay"] * c["p_decay"], rtol=1e-15, atol=0)
    assert np.array_equal(es["w"], es.w)
    assert np.all(c["w_decay"] == 1.0)


@pytest.mark.parametrize("column,value", [("w_rate", np.nan), ("w_rate", -1e-3), ("br", -0.1),
                                          ("br", 1.5), ("p_decay", np.nan), ("p_decay", np.inf),
                                          ("hnl_px", np.nan), ("x", np.inf), ("ctau", 0.0), ("l1", -1.0)])
def test_validation_refuses_bad_values(es, column, value):
    cols = dict(es.columns)
    cols[column] = cols[column].copy()
    cols[column][17] = value
    with pytest.raises(DataError):
        EventSet(cols, es.cases, es.channels, es.meta)
    bad = EventSet(cols, es.cases, es.channels, es.meta, validate=False)
    with pytest.raises(DataError):
        bad.validate()


def test_validation_structure(es):
    cols = dict(es.columns)
    with pytest.raises(DataError):
        EventSet({**cols, "channel": np.full(len(es), len(es.channels))}, es.cases, es.channels)
    with pytest.raises(DataError):
        EventSet({**cols, "case": -np.ones(len(es), dtype=np.int64)}, es.cases, es.channels)
    with pytest.raises(ConfigurationError):
        EventSet({**cols, "case": cols["case"].astype(float)}, es.cases, es.channels)
    with pytest.raises(ConfigurationError):
        EventSet({k: v for k, v in cols.items() if k != "Q2"}, es.cases, es.channels)
    with pytest.raises(ConfigurationError):
        EventSet({**cols, "extra": cols["x"]}, es.cases, es.channels)
    with pytest.raises(ConfigurationError):
        EventSet({**cols, "x": cols["x"][:-1]}, es.cases, es.channels)
    with pytest.raises(ConfigurationError):
        EventSet(cols, es.cases + es.cases, es.channels)  # duplicate case names
    assert np.isinf(es.with_weights(ctau=np.inf, p_decay=0.0)["ctau"]).all()  # a stable N is valid


def test_table_entries_are_checked():
    with pytest.raises(ConfigurationError):
        ChannelInfo("bad", (11, -11, 11, -11, 22), (0,) * 5)
    with pytest.raises(ConfigurationError):
        ChannelInfo("bad", (14, 22), (0.0,))
    with pytest.raises(ConfigurationError):
        ChannelInfo("bad", (14, -11, 11), (0, C.M_E, C.M_E), intermediate=5921, m_intermediate=0.03,
                    n_from_intermediate=3)  # N needs a direct daughter besides Z'
    with pytest.raises(ConfigurationError):
        CaseInfo("bad", 14, 2212, 5914, C.M_PROTON, 0.0)
    c = CaseInfo("c", 14, 2212, 5914, C.M_PROTON, 0.1)
    assert (c.recoil, c.m_recoil) == (2212, C.M_PROTON)
    assert CaseInfo.from_dict(c.to_dict()) == c
    ch = CHANNELS[2]
    assert ChannelInfo.from_dict(ch.to_dict()) == ch and ch.n_direct == 1


def test_process_ids_follow_nuhepmc_categories():
    mk = lambda name, regime, pid=None: CaseInfo(name, 14, 2212, 5914, 1.0, 0.1, regime=regime,
                                                 process_id=pid)
    cases = [mk("a", "coherent"), mk("b", "p-el"), mk("c", "coherent"), mk("d", ""), mk("e", "x", 999)]
    assert process_ids(cases) == [150, 250, 151, 750, 999]
    many = [mk(f"c{i}", "coherent") for i in range(52)]
    assert process_ids(many)[-3:] == [199, 1150, 1151]
    with pytest.raises(ConfigurationError):
        process_ids([mk("a", "", 150), mk("b", "coherent")])


# ---------------------------------------------------------------- kinematics (exact, independent)
def test_four_momentum_conservation_and_on_shell(es):
    k = es.check_kinematics()
    assert k["primary"] < 1e-14 and k["decay"] < 1e-14 and k["Q2"] < 1e-13 and k["path"] == 0.0
    assert k["intermediate_mass"] < 1e-12
    # independent recomputation: energy balance at each vertex from the role four-vectors
    pin = es.p4("nu") + es.p4("target")
    pout = es.p4("hnl") + es.p4("recoil")
    np.testing.assert_allclose(pin, pout, rtol=0, atol=1e-13 * pin[:, :1].max())
    tot = sum(es.p4(r) for r in ("d1", "d2", "d3", "d4"))
    np.testing.assert_allclose(tot, es.p4("hnl"), rtol=0, atol=1e-13 * pin[:, :1].max())
    # on-shell daughters: E^2 - p^2 = m^2, checked against the PDG masses directly
    for role in ("d1", "d2", "d3", "d4"):
        p = es.p4(role)
        pdg = es.pdg(role)
        m_expected = np.select([np.abs(pdg) == 11, np.abs(pdg) == 13, np.abs(pdg) == 211], [C.M_E, C.M_MU, C.M_PI], 0)
        np.testing.assert_allclose(np.sqrt(np.maximum(p[:, 0] ** 2 - np.sum(p[:, 1:] ** 2, 1), 0)), m_expected,
                                   atol=1e-7)  # sqrt of a difference of O(1) numbers
    # the target is at rest; Q^2 = -(p_nu - p_N)^2
    assert np.array_equal(es.p4("target")[:, 1:], np.zeros((len(es), 3)))
    q = es.p4("nu") - es.p4("hnl")
    np.testing.assert_allclose(-(q[:, 0] ** 2 - np.sum(q[:, 1:] ** 2, 1)), es["Q2"], rtol=1e-9, atol=1e-12)


def test_roles_pdg_codes_and_intermediate(es):
    ch = es["channel"]
    n_d = np.array([c.n_daughters for c in CHANNELS])[ch]
    for j, role in enumerate(("d1", "d2", "d3", "d4")):
        assert np.all((es.pdg(role) == 0) == (n_d <= j))
        assert np.all(es.p4(role)[n_d <= j] == 0.0)
    assert set(np.unique(es.pdg("hnl"))) == {C.PDG["N4"]}
    assert set(np.unique(es.pdg("target"))) == {1000060120, 2212}
    inter = es.pdg("inter")
    assert set(np.unique(inter)) == {0, C.PDG["zprime"]}
    cascade = ch == 2  # N4 -> nu_mu Z'(-> e+ e-)
    pz = es.p4("inter")[cascade]
    np.testing.assert_allclose(pz, es.p4("d2")[cascade] + es.p4("d3")[cascade], rtol=1e-15, atol=0)
    m = np.sqrt(pz[:, 0] ** 2 - np.sum(pz[:, 1:] ** 2, 1))
    np.testing.assert_allclose(m, 0.03, rtol=1e-9)
    assert np.all(es.p4("inter")[inter == 0] == 0.0)


def test_decay_vertex_on_the_line_of_flight(es):
    vi, vd = es.vertex("interaction"), es.vertex("decay")
    d = vd[:, :3] - vi[:, :3]
    p = es.p3("hnl")
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), es["l_decay"], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(np.cross(d, p), 0.0, atol=1e-9 * np.abs(p).max() * es["l_decay"].max())
    E = es.energy("hnl")
    beta = np.linalg.norm(p, axis=1) / E
    np.testing.assert_allclose(vd[:, 3] - vi[:, 3], es["l_decay"] / (beta * C_LIGHT_CM_PER_NS), rtol=1e-9, atol=1e-9)
    assert np.all((es["l_decay"] >= es["l1"]) & (es["l_decay"] <= es["l2"]))
    # p_decay = exp(-l1/L) - exp(-l2/L), L = |p|/m c tau, recomputed naively
    L = np.linalg.norm(p, axis=1) / es.mass("hnl") * es["ctau"]
    np.testing.assert_allclose(es["p_decay"], np.exp(-es["l1"] / L) - np.exp(-es["l2"] / L), rtol=1e-9, atol=1e-15)


# ---------------------------------------------------------------- selection, concat, summaries
def test_select_and_concat_roundtrip(es):
    mask = es["case"] == 0
    a, b = es[mask], es[~mask]
    assert len(a) + len(b) == len(es)
    both = concat([a, b])
    order = np.concatenate([np.flatnonzero(mask), np.flatnonzero(~mask)])
    assert both.equals(es.select(order))
    assert es[10:20].equals(es.select(np.arange(10, 20)))
    with pytest.raises(ConfigurationError):
        es.select(np.ones(3, dtype=bool))
    with pytest.raises(ConfigurationError):
        concat([a, b.with_meta(seed=99)])
    assert concat([a, b.with_meta(seed=99)], meta={"x": 1}).meta == {"x": 1}


def test_concat_merges_tables_with_different_order(es):
    perm_case = [1, 0]
    perm_ch = [5, 3, 1, 0, 2, 4]  # new table position -> old index
    inv_ch = np.argsort(perm_ch)
    cols = dict(es.columns)
    cols["case"] = np.array([perm_case.index(i) for i in range(2)], dtype=np.uint16)[cols["case"]]
    cols["channel"] = inv_ch.astype(np.uint16)[cols["channel"]]
    other = EventSet(cols, [es.cases[i] for i in perm_case], [es.channels[i] for i in perm_ch], es.meta)
    assert np.array_equal(other.pdg("d3"), es.pdg("d3")) and np.array_equal(other.pdg("target"), es.pdg("target"))
    both = concat([es[:100], other[100:]])
    assert both.cases == es.cases and both.channels == es.channels
    assert both.equals(es)
    clash = EventSet(cols, [es.cases[1], CaseInfo(es.cases[0].name, 14, 2212, 5914, 1.0, 0.2)],
                     [es.channels[i] for i in perm_ch], es.meta)
    with pytest.raises(ConfigurationError):
        concat([es, clash])


def test_summaries_match_explicit_sums(es):
    w = es.w
    n, s, e = es.sum_weights()
    assert n == len(es) and s == pytest.approx(w.sum(), rel=1e-13) and e == pytest.approx(np.sqrt((w**2).sum()), rel=1e-13)
    for by, table in (("case", es.cases), ("channel", es.channels)):
        cnt, ss, ee = es.sum_weights(by)
        for k in range(len(table)):
            sel = es[by] == k
            assert cnt[k] == sel.sum()
            assert ss[k] == pytest.approx(w[sel].sum(), rel=1e-12)
            assert ee[k] == pytest.approx(np.sqrt((w[sel] ** 2).sum()), rel=1e-12, abs=0)
    summ = es.summary("w_channel")
    assert [c["name"] for c in summ["cases"]] == [c.name for c in es.cases]
    assert summ["sum"] == pytest.approx(np.sum(es["w_rate"] * es["br"] / es["q_channel"]), rel=1e-12)
    with pytest.raises(ConfigurationError):
        es.sum_weights("target")


# ---------------------------------------------------------------- arrow, pandas
def test_arrow_roundtrip_is_exact(es):
    t = es.to_arrow()
    assert t.num_rows == len(es) and t.column_names == list(COLUMNS)
    assert EventSet.from_arrow(t).equals(es)
    full = es.to_arrow(full=True)
    assert EventSet.from_arrow(full).equals(es)
    np.testing.assert_array_equal(full.column("w").to_numpy(), es.w)
    np.testing.assert_array_equal(full.column("d3_pdg").to_numpy(), es.pdg("d3"))
    np.testing.assert_array_equal(full.column("inter_E").to_numpy(), es.p4("inter")[:, 0])
    assert full.schema.field("Q2").metadata[b"unit"] == b"GeV^2"
    with pytest.raises(DataError):
        EventSet.from_arrow(t.drop(["Q2"]))


def test_to_pandas(es):
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigurationError, match="pandas"):
            es.to_pandas()
        return
    df = es[:50].to_pandas()
    assert len(df) == 50 and list(df["case_name"].astype(str)) == [es.cases[i].name for i in es["case"][:50]]
    np.testing.assert_array_equal(df["w"].to_numpy(), es.w[:50])


# ---------------------------------------------------------------- lifetime kernels
def test_decay_probability_limits():
    l1, l2 = np.array([0.0, 100.0, 5.0]), np.array([10.0, 300.0, 5.0])
    L = 1e9
    np.testing.assert_allclose(decay_probability(l1, l2, L), (l2 - l1) / L, rtol=1e-6)
    assert np.all(decay_probability(l1, l2, np.inf) == 0.0)
    np.testing.assert_array_equal(decay_probability(l1, l2, 0.0), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(decay_probability(100.0, 300.0, 50.0), np.exp(-2.0) - np.exp(-6.0), rtol=1e-14)


def test_position_factor_reproduces_new_truncated_exponential():
    rng = np.random.default_rng(3)
    l1, l2, L_old, L_new = 100.0, 400.0, 1000.0, 80.0
    u = rng.random(200_000)
    l = l1 - L_old * np.log1p(u * np.expm1(-(l2 - l1) / L_old))
    f = position_factor(l, l1, l2, L_old, L_new)
    d = l2 - l1
    mean_new = l1 + L_new - d * np.exp(-d / L_new) / -np.expm1(-d / L_new)  # analytic mean
    est = np.sum(f * l) / np.sum(f)
    err = np.sqrt(np.sum(f**2 * (l - est) ** 2)) / np.sum(f)
    assert abs(est - mean_new) < 4 * err
    assert abs(f.mean() - 1.0) < 4 * f.std() / np.sqrt(f.size)


def test_with_ctau_is_exact(es):
    new = es.with_ctau(300.0)
    L = np.linalg.norm(es.p3("hnl"), axis=1) / es.mass("hnl") * 300.0
    np.testing.assert_allclose(new["p_decay"], np.exp(-es["l1"] / L) - np.exp(-es["l2"] / L), rtol=1e-9, atol=1e-15)
    assert np.array_equal(new["w_rate"], es["w_rate"]) and np.all(new["ctau"] == 300.0)
    back = new.with_ctau(es["ctau"])
    np.testing.assert_allclose(back["p_decay"], es["p_decay"], rtol=1e-12, atol=1e-300)


# ---------------------------------------------------------------- unweighting
def _toy(n, seed):
    """Events whose weight is a known function of a sampled variable: x = l_decay/l2 uniform in [0, 1),
    w = (1 + 4 x^2) * g with g independent of x."""
    rng = np.random.default_rng(seed)
    base = synthetic_events(n, seed=seed, dirt_fraction=0.0)
    x = rng.random(n)
    g = rng.uniform(0.5, 1.5, n)
    w = (1.0 + 4.0 * x**2) * g
    cols = dict(base.columns)
    cols.update(w_rate=w, br=np.ones(n), p_decay=np.ones(n), l1=np.zeros(n), l2=np.ones(n), l_decay=x)
    return EventSet(cols, base.cases, base.channels, base.meta)


def _chi2_uniform_vs_density(x, weight_fn, bins=20):
    edges = np.linspace(0, 1, bins + 1)
    counts, _ = np.histogram(x, edges)
    integ = np.array([weight_fn(b) - weight_fn(a) for a, b in zip(edges[:-1], edges[1:])])
    expected = counts.sum() * integ / integ.sum()
    return np.sum((counts - expected) ** 2 / expected), bins - 1


def test_unweighting_statistics():
    ev = _toy(40_000, 5)
    w = ev.w
    out = unweight(ev, rng=np.random.default_rng(1))
    info = out.meta["unweighting"]
    # accepted number: a sum of Bernoulli(w/w_max)
    a = w / w.max()
    assert abs(info["n_accepted"] - a.sum()) < 4 * np.sqrt(np.sum(a * (1 - a)))
    assert expected_accepted(ev) == pytest.approx(a.sum())
    # accepted events follow the weight: density of x proportional to 1 + 4 x^2 (cdf x + 4x^3/3)
    chi2, ndf = _chi2_uniform_vs_density(out["l_decay"], lambda t: t + 4 * t**3 / 3)
    assert chi2 < stats.chi2.ppf(0.999, ndf), chi2
    # the same test has power: an unweighted-by-nothing subsample fails it badly
    naive = np.random.default_rng(2).choice(ev["l_decay"], info["n_accepted"], replace=False)
    assert _chi2_uniform_vs_density(naive, lambda t: t + 4 * t**3 / 3)[0] > 10 * stats.chi2.ppf(0.999, ndf)
    # equal weights, total preserved, no duplicates
    assert np.allclose(out.w, out.w[0], rtol=1e-12, atol=0)
    assert out.w.sum() == pytest.approx(w.sum(), rel=1e-12)
    assert np.unique(out["l_decay"]).size == len(out)


def test_unweighting_to_n_is_reproducible_and_unbiased():
    ev = _toy(20_000, 6)
    eff = expected_accepted(ev) / len(ev)
    n = int(0.5 * eff * len(ev))
    a = unweight(ev, n, rng=np.random.default_rng(7))
    b = unweight(ev, n, rng=np.random.default_rng(7))
    c = unweight(ev, n, rng=np.random.default_rng(8))
    assert len(a) == n and a.equals(b) and not a.equals(c)
    assert np.unique(a["l_decay"]).size == n
    chi2, ndf = _chi2_uniform_vs_density(a["l_decay"], lambda t: t + 4 * t**3 / 3, bins=10)
    assert chi2 < stats.chi2.ppf(0.999, ndf)
    # the subset is uniform over the survivors: no bias toward the start of the input (taking the
    # first n survivors would put every event in the first half)
    first_half = np.isin(a["x"], ev["x"][: len(ev) // 2]).mean()
    assert abs(first_half - 0.5) < 4 * np.sqrt(0.25 / n)


def test_unweighting_shortfall_and_overweight():
    ev = _toy(2_000, 9)
    with pytest.raises(UnweightingError) as exc:
        unweight(ev, 5_000, rng=1)
    assert exc.value.n_requested == 5_000 and exc.value.n_needed_estimate > 5_000
    with pytest.warns(UserWarning):
        out = unweight(ev, 5_000, rng=1, on_shortfall="return")
    assert len(out) == out.meta["unweighting"]["n_accepted"] < 5_000
    # w_max below the maximum: overweight events keep w/w_max, total still preserved
    wmax = np.quantile(ev.w, 0.8)
    out = unweight(ev, rng=np.random.default_rng(4), w_max=wmax)
    over = out.w > out.w.min() * (1 + 1e-9)
    assert out.meta["unweighting"]["n_overweight"] == np.count_nonzero(ev.w > wmax) > 0
    assert over.sum() == np.count_nonzero(ev.w > wmax)  # every overweight event is kept
    assert out.w.sum() == pytest.approx(ev.w.sum(), rel=1e-12)
    bad = ev.with_weights(w_rate=np.where(np.arange(len(ev)) == 3, -1.0, ev["w_rate"]), validate=False)
    with pytest.raises(DataError):
        unweight(bad, rng=0)


def test_docs_list_every_column_and_role():
    from pathlib import Path

    from darkbeam.events import ROLES

    text = (Path(__file__).resolve().parents[1] / "docs" / "events.md").read_text()
    missing = [k for k in COLUMNS if f"| `{k}` |" not in text]
    assert not missing, f"docs/events.md lacks the columns {missing}"
    assert all(f"`{r}`" in text for r in ROLES)
    codes = (Path(__file__).resolve().parents[1] / "docs" / "pdg_codes.md").read_text()
    for label in ("N4", "N5", "N6", "zprime", "hprime"):
        assert f"| `{label}` | {C.PDG[label]} |" in codes


def test_index_overflow_is_refused(es):
    cols = dict(es.columns)
    with pytest.raises(DataError):
        EventSet({**cols, "channel": np.full(len(es), 70_000)}, es.cases, es.channels)


# ---------------------------------------------------------------- gap columns, schema 1 files
def _with_gaps(es, k=2, seed=0):
    """``es`` with k gaps per path: each event's [l1, l2] cut at random interior points."""
    rng = np.random.default_rng(seed)
    l1, l2 = np.asarray(es["l1"]), np.asarray(es["l2"])
    cuts = np.sort(rng.uniform(0, 1, (len(es), 2 * k)), axis=1)
    g = (l1[:, None] + cuts * (l2 - l1)[:, None]).reshape(len(es), k, 2)
    cols = dict(es.columns)
    for j in range(k):
        cols[f"gap{j + 1}_start"], cols[f"gap{j + 1}_end"] = g[:, j, 0], g[:, j, 1]
    return EventSet(cols, es.cases, es.channels, es.meta)


def test_gap_columns_roundtrip_concat_and_validation(es, tmp_path):
    from darkbeam.events import read_parquet, write
    from darkbeam.events.weights import decay_probability

    g = _with_gaps(es)
    assert g.n_gaps == 2 and g.bytes_per_event == 284.0 + 32.0
    b = g.path_bounds()
    L = g.decay_length()
    ref = sum(decay_probability(b[:, 2 * j], b[:, 2 * j + 1], L) for j in range(3))
    assert np.allclose(g.decay_probability(L), ref, rtol=1e-13, atol=0)
    assert np.all(g.decay_probability(L) <= es.decay_probability(L) * (1 + 1e-12))
    write(g, tmp_path / "g.parquet")
    back = read_parquet(tmp_path / "g.parquet")
    assert back.equals(g)
    write(g.select(slice(0, 50)), tmp_path / "g.hepmc3")  # the path attribute carries the gaps
    text = (tmp_path / "g.hepmc3").read_text()
    assert len(next(ln for ln in text.splitlines() if ln.startswith("A 0 darkbeam.path")).split()) == 3 + 4 + 4
    both = EventSet.concat([g, es])  # es has no gaps: padded with empty gaps at l2
    assert both.n_gaps == 2 and np.array_equal(both["gap2_end"][len(g):], es["l2"])
    assert np.allclose(both.decay_probability(np.concatenate([L, L]))[len(g):], es.decay_probability(L), rtol=1e-12, atol=0)
    cols = dict(g.columns)
    cols["gap1_end"] = cols["gap1_start"] - 1.0  # a gap ending before it starts
    with pytest.raises(DataError):
        EventSet(cols, g.cases, g.channels, g.meta)
    cols = dict(g.columns)
    del cols["gap1_start"], cols["gap1_end"]
    with pytest.raises(ConfigurationError):  # gap 2 without gap 1
        EventSet(cols, g.cases, g.channels, g.meta)


def test_schema_1_files_are_converted(es, tmp_path):
    """Event schema 1 stored w_rate = w_up / q with q = br and no q_channel, w_decay: read back with
    w_rate * br and q_channel = br; a reweighted schema-1 file is refused."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from darkbeam.events import read_parquet

    gen = es.with_weights(q_channel=es["br"])  # a generator-like set: channels drawn with their BR
    t = gen.to_arrow()
    md = json.loads(t.schema.metadata[b"darkbeam"])
    md["schema_version"] = 1
    cols = {k: t.column(k) for k in t.column_names if k not in ("q_channel", "w_decay")}
    cols["w_rate"] = pa.array(np.asarray(gen["w_rate"]) / np.asarray(gen["br"]))
    old = pa.table(cols).replace_schema_metadata({"darkbeam": json.dumps(md)})
    pq.write_table(old, tmp_path / "v1.parquet")
    back = read_parquet(tmp_path / "v1.parquet")
    assert np.allclose(back["w_rate"], gen["w_rate"], rtol=1e-14, atol=0)
    assert np.array_equal(back["q_channel"], gen["br"]) and np.all(back["w_decay"] == 1.0)
    assert np.allclose(back.w, gen.w, rtol=1e-14, atol=0)
    md["meta"] = {**md["meta"], "reweight": {"shape": True}}
    pq.write_table(old.replace_schema_metadata({"darkbeam": json.dumps(md)}), tmp_path / "v1rw.parquet")
    with pytest.raises(DataError, match="schema 1"):
        read_parquet(tmp_path / "v1rw.parquet")
