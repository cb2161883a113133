"""Nuclear targets: names, Z/N/A, masses from AME2020 and the offline fallback."""

from __future__ import annotations

import pytest

from darkbeam import constants as C
from darkbeam.data import locate, lookup
from darkbeam.errors import ConfigurationError
from darkbeam.physics import nuclear

AME_FILE = locate(lookup("ame2020", "nuclear"))  # mirror or packaged copy (None only if both are missing)


@pytest.fixture()
def offline(monkeypatch, tmp_path, no_data):
    """No data directory, no cache, no downloads, no packaged copy: the particle package's table is the only source."""
    monkeypatch.setenv("DARKBEAM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DARKBEAM_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("DARKBEAM_OFFLINE", "1")
    nuclear._ame_table.cache_clear()
    nuclear._nucleus.cache_clear()
    yield
    nuclear._ame_table.cache_clear()
    nuclear._nucleus.cache_clear()


@pytest.mark.parametrize("name, Z, A", [("C12", 6, 12), ("ar40", 18, 40), ("40Ar", 18, 40), ("Ar-40", 18, 40), ("Pb208", 82, 208),
                                         ("H1", 1, 1), ("p", 1, 1), ("U238", 92, 238)])
def test_names(name, Z, A):
    n = nuclear.nucleus(name)
    assert (n.Z, n.A, n.N) == (Z, A, A - Z)
    assert n.name == f"{nuclear.ELEMENTS[Z]}{A}"


@pytest.mark.parametrize("name, message", [("Xx40", "not an element"), ("C", "mass number"), ("C5", "smaller than Z"),
                                            ("Ar400", "no such nuclide")])
def test_bad_names(name, message):
    with pytest.raises(ConfigurationError, match=message):
        nuclear.nucleus(name)


def test_ame2020_masses():
    """Atomic masses as published in AME2020 (Wang et al. 2021), in u; nuclear mass = atomic - Z m_e + B_e."""
    published = {"C12": 12.0, "Ar40": 39.962383122, "Pb208": 207.976652005, "H1": 1.007825031898}
    for name, mass_u in published.items():
        n = nuclear.nucleus(name)
        assert n.source == "AME2020"
        assert n.atomic_mass == pytest.approx(mass_u * C.M_AMU, rel=1e-11)
        assert n.mass == pytest.approx(n.atomic_mass - n.Z * C.M_E + nuclear.electron_binding_energy(n.Z), rel=1e-15)
    # the hydrogen nucleus is the proton (PDG 2024 mass); B_e(1) = 14.4 eV in the Lunney fit vs 13.6 eV: 1e-9 relative
    assert nuclear.nucleus("H1").mass == pytest.approx(C.M_PROTON, rel=2e-9)
    assert nuclear.nucleus("H1").pdg_code == 2212 and nuclear.nucleus("Ar40").pdg_code == 1000180400


def test_electron_binding_energy_fit():
    """Lunney, Pearson, Thibault (2003) eq. A4: 14.4381 Z^2.39 + 1.55468e-6 Z^5.35 eV; for heavy atoms
    within 10% of the Thomas-Fermi total binding energy 20.8 Z^(7/3) eV."""
    assert nuclear.electron_binding_energy(1) == pytest.approx((14.4381 + 1.55468e-6) * 1e-9, rel=1e-12, abs=0)
    for Z in (82, 92):
        assert nuclear.electron_binding_energy(Z) == pytest.approx(20.8e-9 * Z ** (7 / 3), rel=0.1)


def test_offline_fallback_agrees_with_ame(offline):
    for name in ("H1", "He4", "C12", "O16", "Ar40", "Fe56", "Xe131", "Pb208"):
        n = nuclear.nucleus(name)
        assert n.source == "particle nuclei table"
    if AME_FILE is None:
        pytest.skip("no AME2020 file to compare with")
    ame = nuclear.parse_ame2020(AME_FILE)
    for name in ("H1", "He4", "C12", "O16", "Ar40", "Fe56", "Xe131", "Pb208"):
        n = nuclear.nucleus(name)
        assert n.atomic_mass / nuclear.AMU_GEV == pytest.approx(ame[(n.Z, n.A)], rel=1e-8)
