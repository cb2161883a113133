"""The experiment catalog: every entry loads, matches DarkNews 0.4.8 where DarkNews is right, and
user files and mistakes behave.

The DarkNews reference numbers are read from its own experiment files (shared data mirror, through
darkbeam.data.fetch) and evaluated with a small arithmetic evaluator written here, so the test does
not depend on the catalog's TOML files.
"""

import ast
import math
import operator
from pathlib import Path

import numpy as np
import pytest

from darkbeam.data import entries, fetch
from darkbeam.errors import ConfigurationError
from darkbeam.detectors import catalog
from darkbeam.detectors.catalog import list_experiments, load_experiment, parse_nucleus
from darkbeam.detectors.geometry import DecayPipeSource, PointSource

DARKNEWS_KEYWORDS = [
    "miniboone_fhc", "miniboone_rhc", "miniboone_fhc_dirt", "miniboone_rhc_dirt", "microboone",
    "microboone_tpc", "microboone_dirt", "sbnd", "sbnd_dirt", "sbnd_dirt_cone", "icarus", "icarus_dirt",
    "dune_nd_fhc", "dune_nd_rhc", "minerva_le_fhc", "minerva_me_fhc", "minerva_me_rhc", "minos_le_fhc",
    "nd280_fhc", "nova_le_fhc", "nutev_fhc", "fasernu",
]
EXTRA = ["charmii_fhc", "charmii_rhc", "ps191", "nd280_rhc"]
# deliberate departures from DarkNews (docs/experiments.md, "Fixes"): composition only
COMPOSITION_FIXES = {"minerva_le_fhc", "minerva_me_fhc", "minos_le_fhc", "minerva_me_rhc"}
# ... and the flux file: DarkNews's ND280_FHC.dat is the T2K -250 kA flux (registry: retired); the T2K release is used
FLUX_FIXES = {"nd280_fhc": "T2K_ND280_2020_plus250kA"}

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.USub: operator.neg, ast.UAdd: operator.pos}


def darknews_definition(keyword):
    """Evaluate a DarkNews experiment file (Python-like assignments with arithmetic)."""
    text = Path(fetch(keyword, kind="darknews_experiment")).read_text()
    env = {}

    def ev(node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.BinOp):
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp):
            return _OPS[type(node.op)](ev(node.operand))
        if isinstance(node, ast.List):
            return [ev(e) for e in node.elts]
        if isinstance(node, ast.Call) and node.func.id == "sum":
            return sum(ev(node.args[0]))
        raise ValueError(ast.dump(node))

    for stmt in ast.parse(text).body:
        env[stmt.targets[0].id] = ev(stmt.value)
    return env


def registry_name_of_file(fluxfile):
    matches = [e.name for e in entries("flux") if e.path == f"fluxes/{fluxfile}"]
    assert len(matches) == 1, fluxfile
    return matches[0]


def test_catalog_lists_every_experiment():
    have = set(list_experiments())
    assert set(DARKNEWS_KEYWORDS) | set(EXTRA) <= have
    assert "nd280_rhc" in have  # from the T2K 2020 -250 kA release (DarkNews's ND280_RHC.dat is a copy of its FHC file)


@pytest.mark.parametrize("key", DARKNEWS_KEYWORDS + EXTRA)
def test_every_entry_loads_and_is_consistent(key):
    e = load_experiment(key)
    assert e.keyword == key and e.name and e.citations
    assert e.fiducial_mass > 0 and e.exposure > 0 and e.baseline > 0
    assert e.detector.volume > 0 and e.target_volume.volume > 0
    # the source is at the baseline, seen at the off-axis angle
    src = e.source_position
    assert np.linalg.norm(src) == pytest.approx(e.baseline, rel=1e-14)
    assert math.acos(-src[2] / e.baseline) == pytest.approx(abs(e.off_axis_angle), abs=1e-12)
    # N = M / (A m_u): N A m_u gives back the mass (m_u = 1 g / N_A)
    for t in e.targets:
        Z, A = parse_nucleus(t.name)
        assert (t.Z, t.A) == (Z, A)
        assert t.n_nuclei * A / 6.02214076e23 / 1e6 == pytest.approx(t.mass, rel=1e-14)
    # every flux name is registered; the detector lies downstream of the source
    for n in e.flux.names:
        assert any(x.name == n for x in entries("flux"))
    lo, hi = e.detector.bounds()
    assert lo[2] > src[2]


@pytest.mark.parametrize("key", DARKNEWS_KEYWORDS)
@pytest.mark.requires_data("darknews_experiment/{key}")
def test_matches_darknews_definition(key):
    dn_file = key  # minerva_me_rhc: compare with DarkNews's own minerva_me_rhc.txt (see the fix test)
    ref = darknews_definition(dn_file)
    e = load_experiment(key)
    assert e.darknews_keyword == key
    assert e.exposure == pytest.approx(ref["POTs"], rel=1e-15)
    if key in FLUX_FIXES:
        assert e.flux.name == FLUX_FIXES[key] and e.darknews_fixes
    else:
        assert e.flux.name == registry_name_of_file(ref["fluxfile"])
        assert e.flux.normalisation == pytest.approx(ref["flux_norm"], rel=1e-13, abs=0)
    # no silent truncation: DarkNews's erange is not inherited; the whole file is used unless a reason is given
    if e.flux.energy_range_reason:
        assert list(e.energy_range) == pytest.approx(ref["erange"], rel=1e-15)
    else:
        assert e.energy_range == (0.0, math.inf)
    assert e.target_names == tuple(ref["nuclear_targets"])
    assert e.fiducial_mass == pytest.approx(sum(ref["fiducial_mass_per_target"]), rel=1e-12)
    if key not in COMPOSITION_FIXES:
        assert [t.mass for t in e.targets] == pytest.approx(ref["fiducial_mass_per_target"], rel=1e-12)


def test_minerva_me_rhc_uses_the_rhc_flux():
    rhc, fhc = load_experiment("minerva_me_rhc"), load_experiment("minerva_me_fhc")
    assert rhc.flux.name == "NUMI_RHC_ME" and fhc.flux.name == "NUMI_FHC_ME"
    assert rhc.exposure == 1.22e21 and rhc.fiducial_mass == pytest.approx(5.99, rel=1e-14)
    assert any("minerva_me_rhc" in f for f in rhc.darknews_fixes)


def test_composition_fixes():
    # MINERvA: polystyrene CH, mass fractions 12/13 and 1/13
    e = load_experiment("minerva_le_fhc")
    # (atomic masses 1.008 and 12.011 u give 0.0774; DarkNews CH2 would be 0.143)
    assert e.masses["H1"] / e.fiducial_mass == pytest.approx(1.00794 / 13.01864, rel=1e-2)
    # MINOS: 20% C and 80% Fe by number of nuclei (DarkNews's note) gives ~3.57e29 nuclei
    m = load_experiment("minos_le_fhc")
    n_c, n_fe = m.n_targets()["C12"], m.n_targets()["Fe56"]
    assert n_c / (n_c + n_fe) == pytest.approx(0.2, rel=1e-12)
    assert n_c + n_fe == pytest.approx(3.57e29, rel=0.03)


def test_icarus_rescales_the_microboone_flux():
    ic, ub = load_experiment("icarus"), load_experiment("microboone")
    assert ic.flux.name == ub.flux.name
    assert ic.flux.normalisation == pytest.approx(ub.flux.normalisation * (470.0 / 600.0) ** 2, rel=1e-14)
    assert ub.flux.normalisation == pytest.approx(1 / 0.05, rel=1e-15)


def test_geometry_volumes_match_darknews_masses():
    # DarkNews's comments give the soil volumes of its dirt cones; 2.15 g/cm^3
    for key in ("microboone_dirt", "sbnd_dirt_cone", "icarus_dirt"):
        e = load_experiment(key)
        assert e.target_volume.volume * 2.15e-6 == pytest.approx(e.fiducial_mass, rel=1e-5), key
    assert load_experiment("microboone_tpc").detector.volume * 1.3954e-6 == pytest.approx(86.1906, rel=1e-6)
    assert load_experiment("microboone").detector.volume * 1.3954e-6 == pytest.approx(170.0, rel=5e-3)
    assert load_experiment("sbnd").detector.volume * 1.3954e-6 == pytest.approx(112.0, rel=5e-3)
    # the dirt cones have their apex at the BNB target: r/z constant along the cone
    for key in ("miniboone_fhc_dirt", "microboone_dirt", "sbnd_dirt_cone", "icarus_dirt"):
        e = load_experiment(key)
        f = e.target_volume
        z_start = f.center[2] - f.length / 2
        z_end = f.center[2] + f.length / 2
        zsrc = e.source_position[2]
        assert f.r1 / (z_start - zsrc) == pytest.approx(f.r2 / (z_end - zsrc), rel=2e-4), key
        assert z_end < e.detector.bounds()[0][2]  # the dirt ends upstream of the detector


def test_production_models():
    mb = load_experiment("miniboone_fhc")
    src = mb.production_model()
    assert isinstance(src, DecayPipeSource)
    assert np.allclose(src.target, [0.0, 0.0, -54100.0])
    nd = load_experiment("nd280_fhc").production_model()
    assert isinstance(nd, PointSource) and not nd.is_fallback


def test_bnb_fallback_without_data(tmp_path, monkeypatch, no_data):
    monkeypatch.setenv("DARKBEAM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DARKBEAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DARKBEAM_OFFLINE", "1")
    with pytest.warns(RuntimeWarning, match="point source at the target"):
        src = load_experiment("microboone").production_model()
    assert src.is_fallback and np.allclose(src.position, [0.0, 0.0, -47000.0])


@pytest.mark.requires_data("CHARMII_FHC")
def test_charmii_flux_normalisation():
    # NOMAD on the same WANF beam: ~1.3e6 nu_mu CC in 2.7 t from 5.1e19 POT -> ~1e-7 /cm^2/POT
    e = load_experiment("charmii_fhc")
    raw = np.loadtxt(fetch("CHARMII_FHC", kind="flux"))
    total = np.trapezoid(raw[:, 2], raw[:, 0]) * e.flux.normalisation
    assert 3e-8 < total < 3e-7
    assert e.flux.scale == 1.0  # the registry's m^2 -> cm^2 factor is right


# ----------------------------------------------------------------------------- user files
USER = """
name = "my detector"
citations = ["me"]

[flux]
path = "flux.dat"
normalisation = 1e-4
energy_range = [0.1, 5.0]
energy_range_reason = "the detector's trigger threshold (test)"

[exposure]
pot = 1e20

[beam]
baseline = 20000.0
off_axis_angle = 0.01

[material]
mass = 10.0
composition = { C12 = "12/13", H1 = "1/13" }

[geometry.detector]
shape = "union"
clip = { normal = [0.0, 1.0, 0.0], offset = 50.0 }
parts = [
    { shape = "cylinder", radius = 100.0, length = 300.0 },
    { shape = "spherical_cap", radius = 150.0, height = 30.0, axis = [0.0, 0.0, 1.0], center = [0.0, 0.0, 30.0] },
]

[geometry.target]
shape = "frustum"
radius_start = 10.0
radius_end = 80.0
length = 1000.0
center = [0.0, 0.0, -800.0]
"""


def _write(tmp_path, text, name="exp.toml"):
    (tmp_path / "flux.dat").write_text("0.1 1 2 0 0 0 0\n5.0 1 2 0 0 0 0\n")
    p = tmp_path / name
    p.write_text(text)
    return p


def test_user_toml_loads(tmp_path):
    e = load_experiment(_write(tmp_path, USER))
    assert e.keyword == "exp" and e.flux.path == tmp_path / "flux.dat"
    assert e.masses == pytest.approx({"C12": 120 / 13, "H1": 10 / 13})
    assert e.detector.volume > 0 and e.target_volume.volume == pytest.approx(
        math.pi * 1000 / 3 * (10**2 + 10 * 80 + 80**2))
    assert e.source_file == (tmp_path / "exp.toml").resolve()
    assert load_experiment(str(tmp_path / "exp.toml")).name == "my detector"


# one-line errors for malformed user files: (text replaced, replacement, where, what)
MALFORMED = [
    # unknown and misspelled keys, with the closest known key
    ("pot = 1e20", "pot = 1e20\ncolour = 3", "[exposure]", "unknown key 'colour' (allowed: note, pot, unit)"),
    ("pot = 1e20", "pott = 1e20", "[exposure]", "unknown key 'pott' (did you mean 'pot'?"),
    ('citations = ["me"]', 'citation = ["me"]', "exp.toml: unknown key", "did you mean 'citations'?"),
    ("[material]", "[materials]", "exp.toml: unknown key 'materials'", "did you mean 'material'?"),
    ("[beam]", "[beam]\nofff_axis_angle = 0.1", "[beam]", "did you mean 'off_axis_angle'?"),
    ("[flux]", "[flux]\nenergy_range_reasn = 'x'", "[flux]", "did you mean 'energy_range_reason'?"),
    ("length = 1000.0", "length = 1000.0\nradius = 3.0", "[geometry.target]", "unknown key 'radius'"),
    ("[geometry.detector]", "[geometry]\nstats = 'approximate'\n[geometry.detector]", "[geometry]",
     "unknown key 'stats' (did you mean 'status'?"),
    ("[geometry.detector]", "[geometry.detectr]", "[geometry]", "is [geometry.detectr] a misspelling?"),
    # missing required keys and tables
    ("pot = 1e20", "", "[exposure]", "missing required key 'pot'"),
    ("[exposure]\npot = 1e20\n", "", "exp.toml", "missing required table [exposure]"),
    ('name = "my detector"', "", "exp.toml", "missing required key 'name'"),
    ("normalisation = 1e-4", "", "[flux]", "missing required key 'normalisation'"),
    ("baseline = 20000.0", "", "[beam]", "missing required key 'baseline'"),
    ('shape = "frustum"', "", "[geometry.target]", "needs a 'shape'"),
    ("radius_end = 80.0", "", "[geometry.target]", "missing required key 'radius_end'"),
    ("[material]\nmass = 10.0", "[material]", "[material]", "missing required key 'mass'"),
    ("[material]", "[targets]\nC12 = 1.0\n[material]", "exp.toml", "exactly one of [targets]"),
    ('path = "flux.dat"', 'path = "flux.dat"\nname = "MiniBooNE_FHC"', "[flux]", "exactly one of 'name', 'files', 'path'"),
    # wrong types
    ('name = "my detector"', "name = 3", "name", "must be a string, got 3"),
    ('name = "my detector"', 'name = ""', "exp.toml: name", "must not be empty"),
    ('composition = { C12 = "12/13", H1 = "1/13" }', "composition = {}", "[material].composition", "at least one nucleus"),
    ('citations = ["me"]', "citations = [1]", "citations", "must be a string or a list of strings"),
    ("baseline = 20000.0", "baseline = 'far'", "[beam].baseline", "must be a number or a fraction 'a/b', got 'far'"),
    ("pot = 1e20", "pot = true", "[exposure].pot", "must be a number, got True"),
    ("pot = 1e20", "pot = nan", "[exposure].pot", "must be finite"),
    ("[exposure]\npot = 1e20", "[exposure.pot]\nvalue = 1e20", "[exposure].pot", "must be a number, got {'value'"),
    ('composition = { C12 = "12/13", H1 = "1/13" }', "composition = 1.0", "[material].composition", "must be a table"),
    ("energy_range = [0.1, 5.0]", "energy_range = [0.1]", "[flux].energy_range", "must be [Emin, Emax]"),
    ("energy_range = [0.1, 5.0]", "energy_range = [5.0, 0.1]", "[flux].energy_range", "0 <= Emin < Emax"),
    ("offset = 50.0", "offset = 'x'", "[geometry.detector].clip.offset", "must be a number"),
    ("center = [0.0, 0.0, -800.0]", "center = [0.0, -800.0]", "[geometry.target].center", "three numbers"),
    ("parts = [", "parts = []\nxparts = [", "[geometry.detector]", "unknown key 'xparts'"),
    # values out of range
    ("mass = 10.0", "mass = -10.0", "[material].mass", "must be positive, got -10"),
    ("pot = 1e20", "pot = 0", "[exposure].pot", "must be positive, got 0"),
    ("baseline = 20000.0", "baseline = -1.0", "[beam].baseline", "must be positive"),
    ("off_axis_angle = 0.01", "off_axis_angle = 2.5", "[beam].off_axis_angle", "(2.5 deg = 0.0436332 rad?)"),
    ("[beam]", "[beam]\ndecay_pipe_radius = -3", "[beam].decay_pipe_radius", "must not be negative"),
    ("[beam]", "[beam]\nproduction = 'pipe'", "[beam].production", "must be 'point' or 'bnb', got 'pipe'"),
    ("[geometry.detector]", "[geometry]\nstatus = 'guess'\n[geometry.detector]", "[geometry].status",
     "must be 'darknews', 'published' or 'approximate'"),
    ("normalisation = 1e-4", "normalisation = -1e-4", "[flux].normalisation", "must be positive"),
    ('H1 = "1/13"', 'H1 = "2/13"', "[material].composition", "mass fractions sum to 1.0769231, not 1"),
    ("radius = 100.0", "radius = -1.0", "[geometry.detector].parts[0].radius", "must be positive, got -1"),
    ("length = 1000.0", "length = 0.0", "[geometry.target].length", "must be positive, got 0"),
    ("radius_start = 10.0", "radius_start = 0.0", None, None),  # a cone is fine ...
    ("radius_end = 80.0", "radius_end = -80.0", "[geometry.target].radius_end", "must not be negative"),
    ("height = 30.0", "height = 400.0", "[geometry.detector].parts[1]", "height 400 exceeds the sphere diameter 300"),
    ("normal = [0.0, 1.0, 0.0]", "normal = [0.0, 0.0, 0.0]", "[geometry.detector].clip.normal", "non-zero vector"),
    ("offset = 50.0", "offset = -500.0", "[geometry.detector].parts[0]", "clipping plane removes the whole shape"),
    # unknown names
    ('C12 = "12/13"', 'Xx12 = "12/13"', "[material].composition", "unknown nuclear target 'Xx12'"),
    ('C12 = "12/13"', 'C99 = "12/13"', "[material].composition", "mass number 99 impossible for Z = 6"),
    ('C12 = "12/13"', 'C24 = "12/13"', "[material].composition.C24", "no such nuclide in the mass table"),
    ('C12 = "12/13"', 'c12 = "12/13"', "[material].composition", "unknown nuclear target 'c12'"),
    ('path = "flux.dat"', 'name = "NoSuchFlux"', "[flux].name", "unknown flux 'NoSuchFlux' (registered:"),
    ('path = "flux.dat"', 'name = "MiniBooNE_FH"', "[flux].name", "did you mean 'MiniBooNE_FHC'?"),
    ('path = "flux.dat"', 'files = { numu = "PS_191_numu_flux" }', "[flux].files", "unknown flavour 'numu' (did you mean 'nu_mu'?"),
    ('path = "flux.dat"', 'path = "flux.dat"\ncolumns = ["nu_mu", "nu_x"]', "[flux].columns", "unknown flavour 'nu_x'"),
    ('path = "flux.dat"', 'path = "nowhere.dat"', "[flux].path", "nowhere.dat not found"),
    ('path = "flux.dat"', 'name = "ND280_FHC"', "[flux].name", "flux file ND280_FHC is retired"),
    # no silent truncation: a flux energy range needs its physics reason, and a reason its range
    ('energy_range_reason = "the detector\'s trigger threshold (test)"\n', "", "[flux]",
     "energy_range cuts the flux file: give its physics reason in energy_range_reason"),
    ('energy_range_reason = "the detector\'s trigger threshold (test)"\n', 'energy_range_reason = " "\n', "[flux]",
     "energy_range cuts the flux file"),
    ("energy_range = [0.1, 5.0]\n", "", "[flux]", "energy_range_reason given without energy_range"),
    ('shape = "frustum"', 'shape = "torus"', "[geometry.target]", "unknown shape 'torus' (use one of box, sphere,"),
    ('shape = "frustum"', 'shape = "frustrum"', "[geometry.target]", "unknown shape 'frustrum' (did you mean 'frustum'?"),
    # not TOML at all
    ("[exposure]", "[exposure\n", "exp.toml", "not valid TOML"),
]


@pytest.mark.parametrize("old, new, where, what", MALFORMED, ids=[f"{i}" for i in range(len(MALFORMED))])
def test_malformed_user_file_one_line_error(tmp_path, old, new, where, what):
    assert old in USER
    p = _write(tmp_path, USER.replace(old, new, 1))
    if where is None:
        assert load_experiment(p).target_volume.volume > 0
        return
    with pytest.raises(ConfigurationError) as info:
        load_experiment(p)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(str(p) + ": ")
    assert where in msg and what in msg, msg
    assert "Value error" not in msg and "pydantic" not in msg


def test_several_problems_reported_as_one_line(tmp_path):
    p = _write(tmp_path, USER.replace("mass = 10.0", "mass = -10.0").replace("pot = 1e20", "pot = -1"))
    with pytest.raises(ConfigurationError, match=r"must be positive.*\(and 1 more problem\)$"):
        load_experiment(p)


@pytest.mark.parametrize("key", list_experiments())
def test_every_catalog_file_validates_against_the_schema(key):
    from darkbeam.detectors import schema

    path = Path(str(catalog._package_dir().joinpath(f"{key}.toml")))
    raw = catalog.tomllib.loads(path.read_text(encoding="utf-8"))
    spec = schema.validate_experiment(raw, path.name)
    assert spec.name and spec.exposure.pot > 0 and spec.beam.baseline > 0
    assert "detector" in spec.geometry.volumes
    assert spec.geometry.status in schema.GEOMETRY_STATUS
    # every table and key of the file is a field of the schema (nothing is silently dropped)
    fields = set(schema.ExperimentFile.model_fields)
    assert set(raw) <= fields
    for table, model in (("flux", schema.FluxSection), ("exposure", schema.ExposureSection),
                         ("beam", schema.BeamSection), ("material", schema.MaterialSection)):
        assert set(raw.get(table, {})) <= set(model.model_fields)


def test_optional_flux_keys(tmp_path):
    # no energy_range (and no reason): the whole file; a stated range carries its reason
    text = USER.replace("energy_range = [0.1, 5.0]\n", "").replace(
        'energy_range_reason = "the detector\'s trigger threshold (test)"\n', "")
    e = load_experiment(_write(tmp_path, text))
    assert e.energy_range == (0.0, math.inf) and e.flux.energy_range_reason == ""
    assert e.summary()["energy_range_GeV"] == "whole flux file"
    e = load_experiment(_write(tmp_path, USER))
    assert e.energy_range == (0.1, 5.0) and e.flux.energy_range_reason == "the detector's trigger threshold (test)"
    assert e.summary()["energy_range_GeV"] == [0.1, 5.0]
    # a citation string and a caveat for the exposure, as the catalog's files carry them
    text = USER.replace('citations = ["me"]', 'citations = ["me", "POT: somebody (2020)"]\ncaveats = "POT unverified"')
    e = load_experiment(_write(tmp_path, text))
    assert e.citations == ("me", "POT: somebody (2020)") and e.caveats == ("POT unverified",)


def test_unknown_keyword_and_missing_file(tmp_path):
    with pytest.raises(ConfigurationError, match=r"unknown experiment 'nd280_xhc' \(did you mean nd280_.hc, nd280_.hc\?"):
        load_experiment("nd280_xhc")
    with pytest.raises(ConfigurationError, match="unknown experiment 'xyzzy' \\(catalog: charmii_fhc"):
        load_experiment("xyzzy")
    with pytest.raises(ConfigurationError, match="not found"):
        load_experiment(tmp_path / "nothing.toml")
    assert load_experiment("MiniBooNE_FHC").keyword == "miniboone_fhc"


def test_parse_nucleus():
    assert parse_nucleus("H1") == (1, 1)
    assert parse_nucleus("Ar40") == (18, 40)
    assert parse_nucleus("Pb208") == (82, 208)
    assert parse_nucleus("W184") == (74, 184)
    for bad in ("ar40", "Ar", "40Ar", "Ar4000", "Q12"):
        with pytest.raises(ConfigurationError):
            parse_nucleus(bad)


def test_builtin_files_are_valid_toml_with_known_keys():
    # every shipped file passes the strict schema (unknown keys would raise on load)
    for key in list_experiments():
        assert catalog._load_builtin(key).source_file.name == f"{key}.toml"
