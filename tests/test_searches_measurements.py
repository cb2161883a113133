"""Measurements in the searches catalog (kind 'measurement'): the CCFR and CHARM-II trident ratios."""

from __future__ import annotations

import copy
import sys

import pytest

from darkbeam.analysis.rare_limits import ratio_upper_limit
from darkbeam.analysis.searches import list_searches, load_search
from darkbeam.analysis.searches.schema import validate_search
from darkbeam.errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_trident_measurements_as_published():
    # CCFR: Mishra et al., PRL 66, 3117 (1991); CHARM-II: Geiregat et al., PLB 245, 271 (1990)
    for key, value, error in (("ccfr_trident", 0.82, 0.28), ("charmii_trident", 1.58, 0.64)):
        assert key in list_searches()
        m = load_search(key).spec.measurement
        assert (m.process, m.channel, m.quantity) == ("trident", "nu_mu -> nu_mu mu+ mu-", "sigma/sigma_SM")
        assert (m.value, m.error) == (value, error)
    # one-sided Gaussian 90 % CL: value + 1.2816 error
    assert ratio_upper_limit("ccfr_trident") == pytest.approx(0.82 + 1.2815516 * 0.28, rel=1e-7, abs=0)
    with pytest.raises(ConfigurationError, match="not a measurement"):
        ratio_upper_limit("t2k_nd280_hnl")


def _raw(key):
    from darkbeam.analysis.searches.catalog import _entries_dir

    return tomllib.loads(_entries_dir().joinpath(f"{key}.toml").read_text())


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.pop("measurement"), "a \\[measurement\\] table"),
    (lambda t: t.update(channels=[{"decay": "x", "final_states": ["y"]}]), "has no \\[\\[channels\\]\\]"),
    (lambda t: t["measurement"].update(error=0.0), "error"),
    (lambda t: t["measurement"].update(quantity="ratio"), "quantity"),
    (lambda t: t.update(kind="search"), "belongs to kind = 'measurement'"),
])
def test_bad_measurement_is_one_error(edit, message):
    t = copy.deepcopy(_raw("ccfr_trident"))
    edit(t)
    with pytest.raises(ConfigurationError, match=message):
        validate_search(t, "my.toml")


def test_a_search_still_needs_its_decay_tables():
    t = copy.deepcopy(_raw("ps191_hnl"))
    t.pop("selection")
    with pytest.raises(ConfigurationError, match="selection"):
        validate_search(t, "my.toml")
