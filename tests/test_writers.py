"""Writers and readers: parquet round trip, HepMC3/NuHepMC and HEPEVT read back by pyhepmc (an
independent parser: the HepMC3 C++ library), atomic writes under injected failures, refusal of
NaN and negative weights."""

import importlib
import json
import sys

import numpy as np
import pyarrow.parquet as pq
import pyhepmc
import pytest

from darkbeam import __version__
from darkbeam import constants as C
from darkbeam.errors import ConfigurationError, DataError
from darkbeam.events import (EventSet, process_ids, read_metadata, read_parquet, write, write_hepevt,
                             write_hepmc3, write_parquet)
from darkbeam.events.synthetic import synthetic_events
from darkbeam.units import C_LIGHT_CM_PER_NS

WRITERS = sys.modules["darkbeam.events.writers"]
HEPMC = importlib.import_module("darkbeam.events.hepmc")  # loaded by the text writers, not by the package
ROLES_IN_FILE_ORDER = ("nu", "target", "hnl", "recoil")


@pytest.fixture(scope="module")
def es():
    return synthetic_events(600, seed=21)


def _bad_weight_set(es, column, value):
    cols = dict(es.columns)
    cols[column] = cols[column].copy()
    cols[column][5] = value
    return EventSet(cols, es.cases, es.channels, es.meta, validate=False)


# ---------------------------------------------------------------- parquet
def test_parquet_roundtrip_and_metadata(es, tmp_path):
    p = write_parquet(es, tmp_path / "ev.parquet", chunk_size=256)
    back = read_parquet(p)
    assert back.equals(es)
    assert pq.ParquetFile(p).metadata.num_row_groups == 3
    md = read_metadata(p)
    assert md["darkbeam_version"] == __version__ and md["schema_version"] == 2
    assert md["meta"]["experiment"] == "synthetic" and md["meta"]["seed"] == 21
    assert md["meta"]["model"]["m4"] == 0.42 and md["meta"]["exposure_pot"] == 1.875e21
    assert md["units"]["length"] == "cm" and md["columns"]["Q2"]["unit"] == "GeV^2"
    assert md["columns"]["l1"]["doc"] and len(md["cases"]) == 2 and len(md["channels"]) == 6
    assert pq.read_schema(p).field("t").metadata[b"unit"] == b"ns"
    full = write_parquet(es, tmp_path / "full.parquet", full=True)
    assert read_parquet(full).equals(es)
    assert "inter_pdg" in pq.read_schema(full).names


def test_reader_refuses_foreign_files(tmp_path):
    import pyarrow as pa

    p = tmp_path / "other.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), p)
    with pytest.raises(DataError, match="not a darkbeam event file"):
        read_parquet(p)
    (tmp_path / "junk.parquet").write_text("not parquet")
    with pytest.raises(DataError):
        read_parquet(tmp_path / "junk.parquet")
    with pytest.raises(DataError):
        read_parquet(tmp_path / "missing.parquet")


# ---------------------------------------------------------------- HepMC3 / NuHepMC
def _attr(obj, name, typ):
    return obj.attributes[name].astype(typ)


def test_hepmc3_read_back_by_pyhepmc(es, tmp_path):
    p = write_hepmc3(es, tmp_path / "ev.hepmc3", chunk_size=250)
    pids = process_ids(es.cases)
    p4 = {r: es.p4(r) for r in ("nu", "target", "hnl", "recoil", "inter", "d1", "d2", "d3", "d4")}
    pdg = {r: es.pdg(r) for r in p4}
    mass = {r: es.mass(r) for r in p4}
    vi, vd = es.vertex("interaction"), es.vertex("decay")
    n_d = es.n_daughters()
    count = 0
    with pyhepmc.open(p) as f:
        for i, ev in enumerate(f):
            count += 1
            assert ev.event_number == i
            assert ev.momentum_unit == pyhepmc.Units.GEV and ev.length_unit == pyhepmc.Units.CM
            assert ev.weights == pytest.approx([es.w[i]], rel=1e-15, abs=0)
            # particles in file order: nu, target, N, recoil, direct daughters, [X, X's children]
            has_x = pdg["inter"][i] != 0
            nd = n_d[i]
            roles = list(ROLES_IN_FILE_ORDER)
            daughters = [f"d{j + 1}" for j in range(nd)]
            k = es.channels[es["channel"][i]].n_from_intermediate
            roles += daughters[: nd - k] + (["inter"] if has_x else []) + daughters[nd - k:]
            assert len(ev.particles) == len(roles)
            for part, role in zip(ev.particles, roles):
                assert part.pid == pdg[role][i]
                mom = part.momentum
                got = np.array([mom.e, mom.px, mom.py, mom.pz])
                np.testing.assert_array_equal(got, p4[role][i])  # shortest round-trip decimals: exact
                assert part.generated_mass == pytest.approx(mass[role][i], rel=1e-15, abs=0)
                expected_status = {"nu": 4, "target": 20, "hnl": 2, "inter": 2}.get(role, 1)
                assert part.status == expected_status
            # vertices: primary (status 1) at the interaction point, N's decay (22), X's decay (23)
            vs = ev.vertices
            assert [v.status for v in vs] == [1, 22] + ([23] if has_x else [])
            for v, ref in zip(vs, (vi[i], vd[i], vd[i])):
                pos = np.array([v.position.x, v.position.y, v.position.z, v.position.t])
                np.testing.assert_allclose(pos, ref * [1, 1, 1, C_LIGHT_CM_PER_NS], rtol=1e-9, atol=1e-12)
            # four-momentum conservation at every vertex, recomputed from the file alone
            for v in vs:
                pin = sum(np.array([q.momentum.e, q.momentum.px, q.momentum.py, q.momentum.pz]) for q in v.particles_in)
                pout = sum(np.array([q.momentum.e, q.momentum.px, q.momentum.py, q.momentum.pz]) for q in v.particles_out)
                np.testing.assert_allclose(pin, pout, rtol=0, atol=1e-12 * pin[0])
            # NuHepMC event attributes
            assert _attr(ev, "signal_process_id", int) == pids[es["case"][i]]
            lab = _attr(ev, "lab_pos", list[float])
            np.testing.assert_allclose(lab, list(vi[i, :3]) + [vi[i, 3] * 1e-9], rtol=1e-12)
            assert _attr(ev, "darkbeam.channel", int) == es["channel"][i]
            np.testing.assert_allclose(_attr(ev, "darkbeam.weights", list[float]),
                                       [es[k][i] for k in ("w_rate", "br", "q_channel", "w_decay", "p_decay")],
                                           rtol=1e-15)
            np.testing.assert_allclose(_attr(ev, "darkbeam.path", list[float]),
                                       [es[k_][i] for k_ in ("l1", "l2", "ctau", "l_decay")], rtol=1e-15)
            assert _attr(ev, "darkbeam.Q2", float) == es["Q2"][i]
            if i == 0:
                run = ev.run_info
    assert count == len(es)
    # NuHepMC run information
    assert run.weight_names == ["CV"]
    assert run.tools[0].name == "darkbeam" and run.tools[0].version == __version__
    assert [_attr(run, f"NuHepMC.Version.{k}", int) for k in ("Major", "Minor", "Patch")] == [1, 0, 0]
    assert _attr(run, "NuHepMC.ProcessIDs", list[int]) == pids
    for pid, case in zip(pids, es.cases):
        assert _attr(run, f"NuHepMC.ProcessInfo[{pid}].Name", str) == case.name
        assert _attr(run, f"NuHepMC.ProcessInfo[{pid}].Description", str)
    assert _attr(run, "NuHepMC.Exposure.POT", float) == 1.875e21
    assert _attr(run, "NuHepMC.FluxAveragedTotalCrossSection", float) == pytest.approx(3.2e-4)  # pb
    conv = _attr(run, "NuHepMC.Conventions", list[str])
    assert {"G.C.1", "G.C.2", "E.C.5"} <= set(conv)
    assert _attr(run, "NuHepMC.Units.CrossSection.Unit", str) == "pb"
    assert set(_attr(run, "NuHepMC.ParticleStatusIDs", list[int])) == {1, 2, 4, 20}
    assert set(_attr(run, "NuHepMC.VertexStatusIDs", list[int])) == {1, 22, 23}
    for k in (22, 23):
        assert _attr(run, f"NuHepMC.VertexStatusInfo[{k}].Name", str)
    new = _attr(run, "NuHepMC.AdditionalParticleNumbers", list[int])
    assert new == [C.PDG["N4"], C.PDG["zprime"]]
    assert _attr(run, f"NuHepMC.AdditionalParticleNumber[{C.PDG['N4']}].Name", str) == "N4"
    assert json.loads(_attr(run, "NuHepMC.Provenance.darkbeam.model", str))["m4"] == 0.42
    assert _attr(run, "NuHepMC.Provenance.darkbeam.seed", int) == 21


def test_hepmc3_beam_and_target_rules(tmp_path):
    """NuHepMC E.R.6/E.R.7: exactly one beam (status 4) and one target (status 20) particle and one
    primary vertex per event; every status and new PDG code declared in the run information."""
    es = synthetic_events(200, seed=3)
    p = write_hepmc3(es, tmp_path / "ev.hepmc3")
    with pyhepmc.open(p) as f:
        events = list(f)
    run = events[0].run_info
    pstat = set(_attr(run, "NuHepMC.ParticleStatusIDs", list[int]))
    vstat = set(_attr(run, "NuHepMC.VertexStatusIDs", list[int]))
    new = set(_attr(run, "NuHepMC.AdditionalParticleNumbers", list[int]))
    for ev in events:
        st = [q.status for q in ev.particles]
        assert st.count(4) == 1 and st.count(20) == 1
        assert [v.status for v in ev.vertices].count(1) == 1 and 0 not in [v.status for v in ev.vertices]
        assert set(st) <= pstat and {v.status for v in ev.vertices} <= vstat
        odd = {q.pid for q in ev.particles if abs(q.pid) in (5914, 5915, 5916, 5921, 5901)}
        assert odd <= new


# ---------------------------------------------------------------- HEPEVT
def _reference_hepmc3(es, path):
    """The same events written the slow, independent way: one pyhepmc (HepMC3 C++) object graph per
    event, serialised by HepMC3's own WriterAscii (17 significant digits)."""
    p4 = {r: es.p4(r) for r in ("nu", "target", "hnl", "recoil", "inter", "d1", "d2", "d3", "d4")}
    pdg = {r: es.pdg(r) for r in p4}
    mass = {r: es.mass(r) for r in p4}
    vi, vd = es.vertex("interaction"), es.vertex("decay")
    pids = process_ids(es.cases)
    gaps = [k for k in es.columns if k.startswith("gap")]
    with pyhepmc.open(path, "w") as f:
        for i in range(len(es)):
            ev = pyhepmc.GenEvent(pyhepmc.Units.GEV, pyhepmc.Units.CM)
            ev.event_number = i

            def part(role, status):
                q = pyhepmc.GenParticle(p4[role][i, [1, 2, 3, 0]], int(pdg[role][i]), status)
                q.generated_mass = mass[role][i]
                return q

            def vertex(pos, status, pin, pout):
                v = pyhepmc.GenVertex(pos)
                v.status = status
                for q in pin:
                    v.add_particle_in(q)
                for q in pout:
                    v.add_particle_out(q)
                ev.add_vertex(v)

            nu, tg, n, rec = part("nu", 4), part("target", 20), part("hnl", 2), part("recoil", 1)
            for q in (nu, tg, n, rec):
                ev.add_particle(q)
            ch = es.channels[es["channel"][i]]
            ds = [part(f"d{j + 1}", 1) for j in range(ch.n_daughters)]
            x = part("inter", 2) if ch.intermediate else None
            for j, q in enumerate(ds):
                ev.add_particle(q)
                if x is not None and j == ch.n_direct - 1:
                    ev.add_particle(x)
            vertex(list(vi[i, :3]) + [vi[i, 3] * C_LIGHT_CM_PER_NS], 1, [nu, tg], [n, rec])
            pos_d = list(vd[i, :3]) + [vd[i, 3] * C_LIGHT_CM_PER_NS]
            vertex(pos_d, 22, [n], ds[:ch.n_direct] + ([x] if x is not None else []))
            if x is not None:
                vertex(pos_d, 23, [x], ds[ch.n_direct:])
            ev.weights = [es.w[i]]
            ev.attributes["signal_process_id"] = int(pids[es["case"][i]])
            ev.attributes["lab_pos"] = " ".join(repr(float(v)) for v in list(vi[i, :3]) + [vi[i, 3] * 1e-9])
            ev.attributes["darkbeam.channel"] = int(es["channel"][i])
            ev.attributes["darkbeam.weights"] = " ".join(
                repr(float(es[k][i])) for k in ("w_rate", "br", "q_channel", "w_decay", "p_decay"))
            ev.attributes["darkbeam.path"] = " ".join(
                repr(float(es[k][i])) for k in ["l1", "l2", "ctau", "l_decay"] + gaps)
            ev.attributes["darkbeam.Q2"] = repr(float(es["Q2"][i]))  # a float attribute is cut to 15 digits
            f.write(ev)


def _graph(ev):
    """Everything a reader sees of an event: numbers as floats, attributes as lists of numbers."""
    mom = lambda q: (q.momentum.px, q.momentum.py, q.momentum.pz, q.momentum.e)
    parts = [(q.id, q.pid, q.status, mom(q), q.generated_mass) for q in ev.particles]
    verts = [(v.id, v.status, (v.position.x, v.position.y, v.position.z, v.position.t),
              [q.id for q in v.particles_in], [q.id for q in v.particles_out]) for v in ev.vertices]
    attrs = {k: [float(t) for t in ev.attributes[k].astype(str).split()] for k in ev.attributes}
    return ev.event_number, list(ev.weights), parts, verts, attrs


@pytest.mark.parametrize("jit_min", [0, float("inf")], ids=["compiled", "arrow"])
def test_hepmc3_bulk_writer_equals_pyhepmc_object_writer(tmp_path, monkeypatch, jit_min):
    """Event by event, the bulk text writer (both paths: compiled kernel and Arrow joins) and HepMC3's
    own object writer give the same events: particles (ids, PDG, status, exact momenta, masses),
    vertices (status, exact positions, in/out particles), weights and attributes; 400 synthetic
    events of all channel layouts (2-, 3-, 4-body, cascades through Z' to 2 and 3 children), written
    in uneven chunks."""
    monkeypatch.setattr(HEPMC, "JIT_MIN_EVENTS", jit_min)
    es = synthetic_events(400, seed=8)
    assert set(es["channel"]) == set(range(len(es.channels)))
    assert {ch.n_daughters for ch in es.channels} >= {2, 3, 4}
    assert sum(bool(ch.intermediate) for ch in es.channels) >= 2
    bulk = write_hepmc3(es, tmp_path / "bulk.hepmc3", chunk_size=137)
    _reference_hepmc3(es, tmp_path / "ref.hepmc3")
    with pyhepmc.open(bulk) as fb, pyhepmc.open(tmp_path / "ref.hepmc3") as fr:
        pairs = list(zip(fb, fr, strict=True))
    assert len(pairs) == len(es)
    for eb, er in pairs:
        assert _graph(eb) == _graph(er)


def test_hepmc3_compiled_and_arrow_paths_write_the_same_bytes(es, tmp_path, monkeypatch):
    paths = []
    for jit_min in (0, float("inf")):
        monkeypatch.setattr(HEPMC, "JIT_MIN_EVENTS", jit_min)
        assert HEPMC.use_compiled(len(es)) == (jit_min == 0)
        paths.append(write_hepmc3(es, tmp_path / f"ev{jit_min}.hepmc3", chunk_size=111))
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_hepmc3_compiled_pieces_write_the_same_bytes(es, tmp_path, monkeypatch):
    """The compiled writer gathers a block's numbers once and formats them in pieces (issue 10): any
    piece size, also one that does not divide the block, writes the Arrow path's bytes."""
    monkeypatch.setattr(HEPMC, "JIT_MIN_EVENTS", float("inf"))
    ref = write_hepmc3(es, tmp_path / "arrow.hepmc3", chunk_size=250).read_bytes()
    monkeypatch.setattr(HEPMC, "JIT_MIN_EVENTS", 0)
    for piece, block in ((7, 250), (64, 600), (600, 128), (1, 50)):
        monkeypatch.setattr(WRITERS, "HEPMC3_COMPILED_CHUNK", piece)
        assert write_hepmc3(es, tmp_path / "c.hepmc3", chunk_size=block).read_bytes() == ref, (piece, block)
    monkeypatch.setattr(WRITERS, "HEPMC3_COMPILED_BLOCK", 333)
    assert write_hepmc3(es, tmp_path / "d.hepmc3").read_bytes() == ref


def test_hepmc3_compiled_writer_same_bytes_on_edge_values(tmp_path, monkeypatch):
    """The compiled writer (word stores, integer shortcut, repeated numbers copied from earlier text)
    writes the Arrow path's bytes on numbers of every text layout: integers, -0, subnormal and huge
    values, stable N (ctau = inf), constant and repeated columns, chunk boundaries."""
    es = synthetic_events(300, seed=5)
    cols = dict(es.columns)
    rng = np.random.default_rng(0)
    edge = np.array([0.0, -0.0, 1.0, 7.0, 123456789.0, 9999999999.0, 1e10, 5e-324, 1e-300, 3e150, 0.1,
                     -2.5, 1e-7, 123.456, 1e-6, 3.0e9])
    for k in ("nu_px", "hnl_py", "recoil_pz", "d1_px", "x", "Q2"):
        cols[k] = edge[rng.integers(0, len(edge), len(es))]
    cols["w_rate"] = 10.0 ** rng.uniform(-300, 300, len(es))
    cols["ctau"] = np.where(rng.random(len(es)) < 0.5, np.inf, 12.5)
    cols["l_decay"] = np.full(len(es), 3.0)
    es = EventSet(cols, es.cases, es.channels, es.meta, validate=False)
    texts = []
    for jit_min in (0, float("inf")):
        monkeypatch.setattr(HEPMC, "JIT_MIN_EVENTS", jit_min)
        texts.append(write_hepmc3(es, tmp_path / "e.hepmc3", chunk_size=97).read_bytes())
    assert texts[0] == texts[1]
    assert b" inf" in texts[0] and b"5e-324" in texts[0] and b" -0 " in texts[0]


def test_float_text_is_arrow_shortest_round_trip():
    """The compiled float formatter (Ryu digits) writes exactly the text of Arrow's float -> string
    cast (double-conversion's shortest round trip) and reads back to the identical float64: random
    bit patterns (every exponent, subnormals), physics-like values and edge cases."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from darkbeam.events import _text_jit as J

    rng = np.random.default_rng(3)
    x = np.concatenate([
        rng.integers(0, 2**64, size=60000, dtype=np.uint64).view(np.float64),
        rng.normal(size=30000) * 10.0 ** rng.integers(-12, 13, size=30000),
        np.round(rng.normal(size=5000) * 1e4) / 100, rng.integers(-10**7, 10**7, size=5000).astype(float),
        10.0 ** np.arange(-323, 309), 2.0 ** np.arange(-1074, 1024),
        [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
         1.7976931348623157e308, 9007199254740993.0, 1e-7, 1e-6, 9.999999999999999e9, 1e10, 0.1, 0.3]])
    buf, off = J.format_many(x.view(np.uint64), J.POW5_INV_SPLIT, J.POW5_SPLIT)
    ref = pc.cast(pa.array(x), pa.string())
    ref_off = np.frombuffer(ref.buffers()[1], np.int32)[: len(x) + 1]
    ref_buf = np.frombuffer(ref.buffers()[2], np.uint8)[: ref_off[-1]]
    np.testing.assert_array_equal(off, ref_off)
    assert bytes(buf) == bytes(ref_buf)
    back = np.array([float(bytes(buf[off[i]:off[i + 1]])) for i in range(len(x))])
    finite = np.isfinite(x)
    assert np.array_equal(back[finite].view(np.uint64), x[finite].view(np.uint64))


def test_hepevt_read_back_by_pyhepmc(es, tmp_path):
    p = write_hepevt(es, tmp_path / "ev.hepevt", chunk_size=200)
    vi = es.vertex("interaction")
    lines = p.read_text().splitlines()
    e_lines = [ln for ln in lines if ln.startswith("E ")]
    assert len(e_lines) == len(es)
    np.testing.assert_allclose([float(ln.split()[3]) for ln in e_lines], es.w, rtol=1e-15)
    with pyhepmc.open(p, format="hepevt") as f:
        events = list(f)
    assert len(events) == len(es)
    for i, ev in enumerate(events):
        parts = {q.id: q for q in ev.particles}
        assert len(parts) == 4 + es.n_daughters()[i] + (es.pdg("inter")[i] != 0)
        for j, role in enumerate(ROLES_IN_FILE_ORDER, start=1):
            q = parts[j]
            assert q.pid == es.pdg(role)[i]
            got = np.array([q.momentum.e, q.momentum.px, q.momentum.py, q.momentum.pz])
            np.testing.assert_allclose(got, es.p4(role)[i], rtol=1e-9, atol=1e-300)
        n = parts[3]
        assert n.status == 2 and {d.pid for d in n.end_vertex.particles_out} >= {es.pdg("d1")[i]}
        pos = n.production_vertex.position  # mm and mm/c
        np.testing.assert_allclose([pos.x, pos.y, pos.z, pos.t],
                                   vi[i] * [10, 10, 10, 10 * C_LIGHT_CM_PER_NS], rtol=1e-9)


# ---------------------------------------------------------------- atomic writes, refusals
@pytest.mark.parametrize("fmt,hook", [("parquet", "_write_row_group"), ("hepmc3", "_hepmc3_chunk"),
                                      ("hepevt", "_hepevt_chunk")])
@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_failure_mid_write_leaves_no_partial_file(es, tmp_path, monkeypatch, fmt, hook, exc):
    original = getattr(WRITERS, hook)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise exc("injected")
        return original(*args, **kwargs)

    monkeypatch.setattr(WRITERS, hook, failing)
    target = tmp_path / f"ev.{fmt}"
    with pytest.raises(exc):
        write(es, target, format=fmt, chunk_size=100)
    assert len(calls) == 2
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary file
    # an existing file survives a failed overwrite unchanged
    target.write_bytes(b"previous content")
    calls.clear()
    with pytest.raises(exc):
        write(es, target, format=fmt, chunk_size=100)
    assert target.read_bytes() == b"previous content"
    assert [q.name for q in tmp_path.iterdir()] == [target.name]
    monkeypatch.setattr(WRITERS, hook, original)
    write(es, target, format=fmt, chunk_size=100)
    assert target.stat().st_size > 1000


@pytest.mark.parametrize("column,value", [("w_rate", np.nan), ("br", -0.2), ("p_decay", -1e-30),
                                          ("w_rate", np.inf)])
@pytest.mark.parametrize("fmt", ["parquet", "hepmc3", "hepevt"])
def test_writers_refuse_nan_and_negative_weights(es, tmp_path, column, value, fmt):
    bad = _bad_weight_set(es, column, value)
    with pytest.raises(DataError, match=column):
        write(bad, tmp_path / "bad.out", format=fmt)
    assert list(tmp_path.iterdir()) == []


def test_write_dispatch(es, tmp_path):
    assert read_parquet(write(es[:10], tmp_path / "a.parquet")).equals(es[:10])
    assert (tmp_path / "b.hepmc3").exists() is False
    write(es[:10], tmp_path / "b.hepmc3")
    assert (tmp_path / "b.hepmc3").read_text().startswith("HepMC::Version")
    write(es[:10], tmp_path / "c.hepevt")
    assert (tmp_path / "c.hepevt").read_text().startswith("E 0 ")
    with pytest.raises(ConfigurationError):
        write(es, tmp_path / "d.x", format="root")
    with pytest.raises(DataError):
        write(es[:10], tmp_path / "a.parquet", overwrite=False)
    write(es[:0], tmp_path / "empty.hepmc3")
    with pyhepmc.open(tmp_path / "empty.hepmc3") as f:
        assert list(f) == []
    assert len(read_parquet(write(es[:0], tmp_path / "empty.parquet"))) == 0


def test_hepmc3_warns_without_cross_section(es, tmp_path):
    meta = {k: v for k, v in es.meta.items() if not k.startswith("flux_averaged")}
    with pytest.warns(UserWarning, match="G.R.5"):
        write_hepmc3(EventSet(es[:5].columns, es.cases, es.channels, meta),
                     tmp_path / "x.hepmc3")
    text = (tmp_path / "x.hepmc3").read_text()
    assert "FluxAveragedTotalCrossSection" not in text and "G.C.2" not in text


# ---------------------------------------------------------------- memory-bounded parquet write
def test_parquet_row_groups_hold_the_whole_table(es, tmp_path):
    """Row groups built one at a time (derived columns per chunk) read back as the table built at once:
    same columns, values, field metadata and darkbeam metadata; floats are stored without a dictionary."""
    p = write_parquet(es, tmp_path / "full.parquet", full=True, chunk_size=128)
    meta = pq.ParquetFile(p).metadata
    assert meta.num_row_groups == 5
    back = pq.read_table(p)
    assert back.equals(es.to_arrow(full=True), check_metadata=True)
    assert read_parquet(p).equals(es)
    rg = meta.row_group(0)
    enc = {rg.column(j).path_in_schema: rg.column(j).encodings for j in range(rg.num_columns)}
    assert not any("DICTIONARY" in e for e in enc["w_rate"]) and any("DICTIONARY" in e for e in enc["case"])


def test_validate_in_slices_reports_over_all_events(es, monkeypatch):
    """validate() checks in slices; a message still counts the bad events of every slice and names the
    first one (the same message as one pass over the whole columns)."""
    monkeypatch.setattr(sys.modules["darkbeam.events.eventset"], "VALIDATE_CHUNK", 50)
    cols = dict(es.columns)
    cols["w_rate"] = cols["w_rate"].copy()
    cols["w_rate"][[7, 420]] = -1.0
    with pytest.raises(DataError, match=r"^2 events .* 'w_rate'.*first: event 7, value .*-1\.0"):
        EventSet(cols, es.cases, es.channels, es.meta, validate=False).validate()
    cols = dict(es.columns)
    cols["l2"] = cols["l2"].copy()
    cols["l2"][555] = -1.0
    with pytest.raises(DataError, match="path lengths"):
        EventSet(cols, es.cases, es.channels, es.meta, validate=False).validate()
    assert EventSet(es.columns, es.cases, es.channels, es.meta, validate=False).validate() is not None


def test_reader_fills_columns_batch_by_batch(es, tmp_path, monkeypatch):
    """read_parquet fills preallocated columns in batches that straddle the row groups (memory: the
    columns once); a column with nulls takes the whole-table path and is refused as before."""
    import pyarrow as pa

    readers = sys.modules["darkbeam.events.readers"]
    monkeypatch.setattr(readers, "READ_BATCH", 100)
    p = write_parquet(es, tmp_path / "ev.parquet", chunk_size=128)
    names = [k for k in pq.read_schema(p).names]
    table = readers._read_into_columns(p, names)
    assert table is not None and table.column("w_rate").num_chunks == 1
    back = read_parquet(p)
    assert back.equals(es) and len(back) == 600
    t = es.to_arrow()
    i = t.schema.get_field_index("l1")
    l1 = pa.array([None] + list(es["l1"][1:]), pa.float64())
    t = t.set_column(i, pa.field("l1", pa.float64()), l1).replace_schema_metadata(t.schema.metadata)
    pq.write_table(t, tmp_path / "nulls.parquet")
    assert readers._read_into_columns(tmp_path / "nulls.parquet", ["l1"]) is None
    with pytest.raises(DataError):
        read_parquet(tmp_path / "nulls.parquet")
