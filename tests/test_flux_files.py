"""The Flux interface and the flux-file readers (tables, two-column, ROOT, GLoBES)."""


import numpy as np
import pytest

from darkbeam.data import entries
from darkbeam.errors import ConfigurationError, DataError
from darkbeam.sources import Flux, canonical_flavour, combine
from darkbeam.sources.files import (RetiredFluxError, official_flux, read_binned_table, read_globes, read_root,
                                    read_table, read_two_column, unit_factor)



# ----------------------------------------------------------------------------- Flux


def triangle():
    # dPhi/dE = triangle 0 -> 2 -> 0 on [0, 2] GeV for nu_mu; constant 1 on [0, 2] for nu_e
    return Flux(np.array([0.0, 1.0, 2.0]), {"nu_mu": [0.0, 2.0, 0.0], "nu_e": [1.0, 1.0, 1.0]},
                lines={"nu_mu": [(0.5, 3.0)]}, provenance="test")


def test_integrate_piecewise_linear_closed_form():
    f = triangle()
    # area of the triangle = 2, plus the line of 3
    assert f.integrate("nu_mu") == pytest.approx(5.0, rel=1e-14)
    assert f.integrate("nu_mu", include_lines=False) == pytest.approx(2.0, rel=1e-14)
    # partial range [0.5, 1.5]: 2 - 2 * (0.5 * 0.5 * 1) = 1.5 (+ the line at 0.5)
    assert f.integrate("nu_mu", 0.5, 1.5) == pytest.approx(1.5 + 3.0, rel=1e-14)
    assert f.integrate("nu_mu", 0.6, 1.5, include_lines=False) == pytest.approx(1.5 - (0.6**2 - 0.5**2), rel=1e-12)
    assert f.integrate("nu_e", 0.25, 5.0) == pytest.approx(1.75, rel=1e-14)
    assert f.integrate("nu_tau") == 0.0


def test_evaluation_interpolates_and_vanishes_outside():
    f = triangle()
    assert np.allclose(f(np.array([-1.0, 0.25, 1.0, 1.5, 2.5]), "nu_mu"), [0.0, 0.5, 2.0, 1.0, 0.0])


def test_fold_exact_for_polynomials():
    f = triangle()
    # int_0^2 E^2 * tri(E) dE = int_0^1 2E^3 dE + int_1^2 E^2 (4 - 2E) dE = 1/2 + (28/3 - 15/2) = 7/3
    val = f.fold(lambda e: e**2, "nu_mu") - 3.0 * 0.25
    assert val == pytest.approx(7.0 / 3.0, rel=1e-13)
    assert f.fold(lambda e: np.ones_like(e), "nu_mu") == pytest.approx(f.integrate("nu_mu"), rel=1e-14)
    assert f.mean_energy("nu_e") == pytest.approx(1.0, rel=1e-14)


def test_fold_rejects_bad_sigma():
    f = triangle()
    with pytest.raises(ConfigurationError):
        f.fold(lambda e: np.full_like(e, np.nan), "nu_mu")


def test_bin_centres_preserve_histogram_integral():
    rng = np.random.default_rng(3)
    centres = 0.025 + 0.05 * np.arange(40)
    vals = rng.uniform(0.0, 1.0, 40)
    f = Flux.from_bin_centres(centres, {"nu_mu": vals})
    assert f.integrate("nu_mu") == pytest.approx(np.sum(vals) * 0.05, rel=1e-13)


def test_bad_flux_inputs_raise():
    with pytest.raises(DataError):
        Flux(np.array([0.0, 1.0]), {"nu_mu": [1.0, -1.0]})
    with pytest.raises(DataError):
        Flux(np.array([1.0, 0.5]), {"nu_mu": [1.0, 1.0]})
    with pytest.raises(DataError):
        Flux(np.array([0.0, 1.0]), {"nu_mu": [1.0, np.nan]})
    with pytest.raises(ConfigurationError):
        Flux(np.array([0.0, 1.0]), {"nu_x": [1.0, 1.0]})


def test_flavour_aliases():
    assert canonical_flavour("numubar") == "nu_mu_bar"
    assert canonical_flavour(-12) == "nu_e_bar"
    assert canonical_flavour("NU_MU") == "nu_mu"


def test_scaled_combined_and_dict():
    f = triangle()
    g = combine([f, f.scaled(2.0)])
    assert g.integrate("nu_mu") == pytest.approx(3 * f.integrate("nu_mu"))
    d = f.to_dict()
    assert d["unit"] == "nu/cm2/GeV/POT" and d["lines"]["nu_mu"] == [[0.5, 3.0]]
    assert set(d["flux"]) == {"nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar"}


def test_plot_writes_png(tmp_path):
    path = tmp_path / "flux.png"
    triangle().plot(path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------- tables


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_read_table_units_and_layout(tmp_path):
    p = write(tmp_path, "t.dat", "# nus/m^2/GeV/POT\n1.0 1 2 0 0 3 0\n2.0 2 4 0 0 6 0\n3.0 1 2 0 0 3 0\n")
    f = read_table(p, normalisation=1e-4)
    assert f(np.array([2.0]), "nu_mu")[0] == pytest.approx(4e-4)
    assert f.integrate("nu_mu_bar") == pytest.approx(1e-4 * 9.0)
    g = read_table(write(tmp_path, "u.dat", "0.1 5\n0.2 7\n"), columns=("nu_e",), energy_grid="centres")
    assert g.integrate("nu_e") == pytest.approx((5 + 7) * 0.1)


@pytest.mark.parametrize(
    "text, needle",
    [
        ("1 2 3\n2 3 4\n", "expected 7 numbers per row, found 3"),
        ("1 1 1 1 1 1 1\n2 1 1 x 1 1 1\n", "'x' is not a number"),
        ("1 1 1 1 1 1 1\n0.5 1 1 1 1 1 1\n", "energies not strictly increasing"),
        ("1 1 1 1 1 1 1\n2 1 -1 1 1 1 1\n", "negative flux value"),
        ("# only a comment\n", "fewer than two data rows"),
        ("1 1 1 1 1 1 1\n2 nan 1 1 1 1 1\n", "non-finite"),
    ],
)
def test_malformed_tables_one_clear_error(tmp_path, text, needle):
    p = write(tmp_path, "bad.dat", text)
    with pytest.raises(DataError) as exc:
        read_table(p)
    msg = str(exc.value)
    assert needle in msg and "\n" not in msg and str(p) in msg


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_table(tmp_path / "nope.dat")


def test_two_column(tmp_path):
    f = read_two_column(write(tmp_path, "two.dat", "0.5 10\n1.0 20\n1.5 10\n"), "nu_e")
    assert f.flavours == ("nu_e",) and f.integrate("nu_e") == pytest.approx(15.0)


def test_globes_distance_scaling(tmp_path):
    p = write(tmp_path, "g.dat", "1 0 4 0 0 0 0\n2 0 4 0 0 0 0\n")
    f = read_globes(p, normalisation=1e-4, reference_distance_m=1000.0, distance_m=2000.0)
    assert f.integrate("nu_mu") == pytest.approx(4e-4 / 4.0)
    with pytest.raises(DataError):
        read_globes(p, distance_m=10.0)


def test_root_histograms(tmp_path):
    uproot = pytest.importorskip("uproot")
    edges = np.linspace(0.0, 2.0, 11)
    counts = np.arange(10, dtype=float)
    path = tmp_path / "flux.root"
    with uproot.recreate(path) as out:
        out["numu"] = (counts, edges)
        out["nue"] = (0.1 * counts, edges)
        out["other"] = (counts[:5], np.linspace(0.0, 2.0, 6))
    f = read_root(path, {"nu_mu": "numu", "nu_e": "nue"}, normalisation=2.0)
    assert f.integrate("nu_mu") == pytest.approx(2.0 * np.sum(counts) * 0.2)
    g = read_root(path, {"nu_mu": "numu"}, per_bin=True)
    assert g.integrate("nu_mu") == pytest.approx(np.sum(counts))
    with pytest.raises(DataError, match="no histogram 'nothere'"):
        read_root(path, {"nu_mu": "nothere"})
    with pytest.raises(DataError, match="binning"):
        read_root(path, {"nu_mu": "numu", "nu_e": "other"})
    bad = write(tmp_path, "bad.root", "not a root file\n")
    with pytest.raises(DataError, match="cannot read ROOT file"):
        read_root(bad, {"nu_mu": "numu"})


# ----------------------------------------------------------------------------- registered files


def test_registry_units_agree_with_normalisation():
    """Two encodings of each file's unit (the string and the factor) agree."""
    checked = 0
    for e in entries("flux"):
        fac = unit_factor(e.units)
        if e.per_pot and e.format in ("table", "two-column", "binned-table"):
            assert fac is not None, e.name
            assert fac == pytest.approx(e.normalisation, rel=1e-12, abs=0), e.name
            checked += 1
        elif not e.per_pot:
            assert fac is None, e.name
    assert checked >= 15


@pytest.mark.requires_data("MiniBooNE_FHC")
def test_miniboone_integral_matches_publication():
    # MiniBooNE flux paper (arXiv:0806.1449, Table): total nu_mu flux 5.19e-10 nu/cm^2/POT
    f = official_flux("MiniBooNE_FHC")
    assert f.integrate("nu_mu") == pytest.approx(5.19e-10, rel=0.005)
    assert "sha256" in f.provenance and "0806.1449" in f.provenance


@pytest.mark.requires_data("MicroBooNE_BNB_fullflux", "CHARMII_FHC")
def test_per_bin_and_metre_files_normalised():
    # MicroBooNE: file contents are per 50 MeV bin: the integral is the plain sum of the column
    from darkbeam.data import fetch

    raw = np.loadtxt(fetch("MicroBooNE_BNB_fullflux"))
    f = official_flux("MicroBooNE_BNB_fullflux")
    assert f.integrate("nu_mu") == pytest.approx(raw[:, 2].sum(), rel=1e-12, abs=0)
    # CHARM-II: nu/m^2 in the file, nu/cm^2 inside
    c = np.loadtxt(fetch("CHARMII_FHC"))
    fc = official_flux("CHARMII_FHC")
    assert fc(c[1:-1, 0], "nu_mu") == pytest.approx(c[1:-1, 2] * 1e-4, rel=1e-6, abs=0)


@pytest.mark.requires_data("PS_191_numu_flux")
def test_non_per_pot_file_flagged():
    f = official_flux("PS_191_numu_flux")
    assert f.meta["per_pot"] is False and "NOT per POT" in f.provenance and f.flavours == ("nu_mu",)


# ----------------------------------------------------------------------------- histograms of unequal bins


def test_step_histogram_preserves_integrals_for_unequal_bins():
    # densities 1, 2, 3 on [0, 0.1], [0.1, 0.3], [0.3, 1.0]: integral 0.1 + 0.4 + 2.1 = 2.6 (closed form),
    # first moment sum h (b^2 - a^2) / 2 = 0.005 + 0.08 + 1.365 = 1.45
    f = Flux.from_histogram([0.0, 0.1, 0.3, 1.0], {"nu_mu": [1.0, 2.0, 3.0]}, step=True)
    assert f.integrate("nu_mu") == pytest.approx(2.6, rel=1e-12)
    assert f.integrate("nu_mu", 0.1, 0.3) == pytest.approx(0.4, rel=1e-3)
    assert f.mean_energy("nu_mu") == pytest.approx(1.45 / 2.6, rel=1e-4)
    assert f(np.array([0.05, 0.2, 0.65]), "nu_mu") == pytest.approx([1.0, 2.0, 3.0])
    # piecewise linear through the centres would miss the integral for these widths
    g = Flux.from_histogram([0.0, 0.1, 0.3, 1.0], {"nu_mu": [1.0, 2.0, 3.0]})
    assert abs(g.integrate("nu_mu") / 2.6 - 1) > 1e-3


BINNED = """                        Flux [/cm^2/50MeV/1E21POT]
Bin#   Energy           numu      numubar   nue       nuebar
----------------------------------------------------------------
1      0.00 - 0.05      1.0e+10  2.0e+09  0.0  0.0
2      0.05 - 0.15      3.0e+10  1.0e+09  1.0e+08  0.0
3      0.15 - 1.15      1.0e+10  5.0e+08  0.0  2.0e+07
"""


def test_binned_table_reader(tmp_path):
    p = write(tmp_path, "t2k.txt", BINNED)
    f = read_binned_table(p, columns=["nu_mu", "nu_mu_bar", "nu_e", "nu_e_bar"], normalisation=2e-20)
    # density per 50 MeV: content of a bin = value x width / 0.05 GeV, then / 1e21 POT
    want = (1e10 * 0.05 + 3e10 * 0.10 + 1e10 * 1.0) / 0.05 / 1e21
    assert f.integrate("nu_mu") == pytest.approx(want, rel=1e-12, abs=0)
    assert f.integrate("nu_e_bar") == pytest.approx(2e7 * 1.0 / 0.05 / 1e21, rel=1e-12, abs=0)
    assert f.energy_range == (0.0, 1.15)
    assert unit_factor("nu/cm2/50MeV/1e21POT") == pytest.approx(2e-20, rel=1e-12, abs=0)


@pytest.mark.parametrize("text, needle", [
    (BINNED.replace("0.15 - 1.15", "0.20 - 1.15"), "not contiguous"),
    (BINNED.replace("1.0e+08  0.0", "1.0e+08"), "expected 4 flux values"),
    (BINNED.replace("3.0e+10", "-3.0e+10"), "negative"),
    ("title only\n", "fewer than two bins"),
])
def test_binned_table_errors(tmp_path, text, needle):
    p = write(tmp_path, "bad.txt", text)
    with pytest.raises(DataError) as exc:
        read_binned_table(p, columns=["nu_mu", "nu_mu_bar", "nu_e", "nu_e_bar"])
    assert needle in str(exc.value) and "\n" not in str(exc.value)


# ----------------------------------------------------------------------------- polarity of every registered flux


_TABLES = ("table", "two-column", "binned-table", "root", "globes")
POLARISED = [e.name for e in entries("flux") if e.per_pot and e.format in _TABLES and e.mode in ("FHC", "RHC")]


def test_every_per_pot_flux_declares_its_polarity():
    assert set(POLARISED) == {e.name for e in entries("flux") if e.per_pot and e.format in _TABLES}
    assert {"T2K_ND280_2020_plus250kA", "T2K_ND280_2020_minus250kA"} <= set(POLARISED)


@pytest.mark.parametrize("name", POLARISED)
@pytest.mark.requires_data("flux/{name}")
def test_horn_polarity_sets_the_dominant_flavour(name):
    """FHC files are nu_mu-dominated, RHC files nu_mu_bar-dominated (integrated flux)."""
    e = next(x for x in entries("flux") if x.name == name)
    f = official_flux(name)
    numu, numubar = f.integrate("nu_mu"), f.integrate("nu_mu_bar")
    if e.mode == "FHC":
        assert numu > 2 * numubar, (name, numu, numubar)
    else:
        assert numubar > 2 * numu, (name, numu, numubar)


def test_retired_nd280_files():
    with pytest.raises(RetiredFluxError) as exc:
        official_flux("ND280_FHC")
    msg = str(exc.value)
    assert "-250 kA" in msg and "T2K_ND280_2020_plus250kA" in msg and "\n" not in msg
    assert "ND280_FHC" not in POLARISED and "ND280_RHC" not in POLARISED
    with pytest.raises(RetiredFluxError, match="T2K_ND280_2020_minus250kA"):
        official_flux("ND280_RHC")


@pytest.mark.requires_data("T2K_ND280_2020_plus250kA", "T2K_ND280_2020_minus250kA", "retired_flux/ND280_FHC")
def test_t2k_release_read_exactly_and_matches_the_retired_copy():
    """The T2K 2020 files, parsed here independently: per-50-MeV densities x width / 0.05 / 1e21 POT; the
    -250 kA file agrees with DarkNews's ND280_FHC.dat (which is that flux) within a few per cent."""
    from darkbeam.data import fetch

    names = ("T2K_ND280_2020_plus250kA", "T2K_ND280_2020_minus250kA")
    fl = ("nu_mu", "nu_mu_bar", "nu_e", "nu_e_bar")
    for n in names:
        raw = np.loadtxt(fetch(n), skiprows=3, usecols=(1, 3, 4, 5, 6, 7))
        width = raw[:, 1] - raw[:, 0]
        f = official_flux(n)
        for k, flav in enumerate(fl):
            assert f.integrate(flav) == pytest.approx((raw[:, 2 + k] * width).sum() / 0.05 / 1e21, rel=1e-9, abs=0)
    rhc = official_flux("T2K_ND280_2020_minus250kA")
    old = np.loadtxt(fetch("ND280_FHC", kind="retired_flux"))  # E, nu_e, nu_mu, nu_tau, nu_e_bar, nu_mu_bar, nu_tau_bar
    cols = {"nu_e": 1, "nu_mu": 2, "nu_e_bar": 4, "nu_mu_bar": 5}
    for flav, c in cols.items():
        assert old[:, c].sum() * 0.05 == pytest.approx(rhc.integrate(flav), rel=0.04), flav
