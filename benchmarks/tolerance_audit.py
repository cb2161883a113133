"""pytest plugin: find float comparisons in tests whose absolute tolerance swamps the relative one.

``pytest.approx(x, rel=r)`` silently adds ``abs=1e-12``, ``np.isclose``/``np.allclose`` add
``atol=1e-8``: comparing quantities smaller than ``abs/rel`` (cross sections ~1e-40 cm^2, widths
~1e-20 GeV, fluxes per POT, ...) then passes whatever the values. This plugin wraps the comparison
helpers for one test run, records at each call site (test file:line) the magnitudes compared and
the tolerances in force, and reports the call sites where, for a non-zero expected value,
``abs_tol > rel * |expected|`` (the stated relative tolerance is not what is tested) and where
``abs_tol >= |expected|`` (zero would pass: the comparison cannot fail on a small quantity).

Usage (from the repository root):

    PYTHONPATH=src:benchmarks python -m pytest -p tolerance_audit -q -p no:cacheprovider [tests...]
    TOLERANCE_AUDIT_JSON=audit.json ...    # also dump every call site as JSON

Flags per call site: VACUOUS (some non-zero expected value is below the absolute tolerance: 0 passes),
WEAK (abs tol > 10 rel |expected| and > 1e-9 |expected|: the test is much looser than it says), ABS-DOMINATED (abs tol > rel*|expected| for some element), PASSED-BY-ABS (some element passed only
thanks to the absolute tolerance: with abs=0 the comparison fails), ZERO-EXP (expected exactly 0,
so only the absolute tolerance is tested; listed with the largest |actual| seen, for review).
The printed report lists the VACUOUS and WEAK sites (explicit absolute tolerances only when VACUOUS)
and the zero-expected ones with a default absolute tolerance and a non-zero actual value.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

_TESTS = str(Path(__file__).resolve().parents[1] / "tests")
_SITES: dict = defaultdict(
    lambda: {
        "n": 0,
        "n_abs_dominated": 0,
        "n_vacuous": 0,
        "n_weak": 0,
        "n_passed_by_abs": 0,
        "n_zero_expected": 0,
        "max_abs_actual_at_zero": 0.0,
        "min_abs_expected": math.inf,
        "max_abs_expected": 0.0,
        "rel": set(),
        "abs_min": math.inf,
        "abs_max": 0.0,
        "explicit_abs": False,
        "eff_rel_max": 0.0,
        "tests": set(),
    }
)
_IN = [False]  # re-entrancy guard: numpy helpers call each other


def _site():
    f = sys._getframe(2)
    while f is not None:
        fn = f.f_code.co_filename
        if fn.startswith(_TESTS):
            return f"{os.path.relpath(fn, Path(_TESTS).parent)}:{f.f_lineno}"
        f = f.f_back
    return None


def _record(kind, expected, actual, rel, abs_tol, explicit_abs):
    site = _site()
    if site is None:
        return
    try:
        ex = np.asarray(expected, dtype=complex)
        ac = np.asarray(actual, dtype=complex)
        ex, ac = np.broadcast_arrays(ex, ac)
    except (TypeError, ValueError):
        return
    e, aa, d = np.abs(ex).ravel(), np.abs(ac).ravel(), np.abs(ac - ex).ravel()
    fin = np.isfinite(e) & np.isfinite(d)
    e, d, aa = e[fin], d[fin], aa[fin]
    if e.size == 0:
        return
    s = _SITES[(kind, site)]
    s["n"] += e.size
    s["rel"].add(float(rel))
    s["abs_min"] = min(s["abs_min"], float(abs_tol))
    s["abs_max"] = max(s["abs_max"], float(abs_tol))
    s["explicit_abs"] |= bool(explicit_abs)
    s["tests"].add(os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0])
    nz = e > 0
    rel_tol = rel * e
    s["n_abs_dominated"] += int(np.sum(nz & (abs_tol > rel_tol)))
    s["n_vacuous"] += int(np.sum(nz & (abs_tol >= e)))
    # weakened: the absolute tolerance is 10x the stated relative one and looser than 1e-9 relative
    s["n_weak"] += int(np.sum(nz & (abs_tol > 10 * rel_tol) & (abs_tol > 1e-9 * e)))
    s["n_passed_by_abs"] += int(np.sum((d > rel_tol) & (d <= abs_tol + rel_tol)))
    s["n_zero_expected"] += int(np.sum(~nz))
    if np.any(~nz):
        s["max_abs_actual_at_zero"] = max(s["max_abs_actual_at_zero"], float(aa[~nz].max()))
    if np.any(nz):
        s["min_abs_expected"] = min(s["min_abs_expected"], float(e[nz].min()))
        s["max_abs_expected"] = max(s["max_abs_expected"], float(e[nz].max()))
        # the relative tolerance actually tested: max(rel, abs/|expected|)
        s["eff_rel_max"] = max(s["eff_rel_max"], float(np.max(np.maximum(rel, abs_tol / e[nz]))))


def _install():
    import _pytest.approx as pa

    scalar_eq = pa.ApproxScalar.__eq__

    def approx_eq(self, actual):
        if pa._as_numpy_array(actual) is None and not _IN[0]:
            exp = self.expected
            if isinstance(exp, (int, float, complex, np.number)) and not isinstance(exp, (bool, np.bool_)) and isinstance(
                actual, (int, float, complex, np.number)
            ):
                explicit_abs = self.abs is not None
                abs_tol = self.abs if explicit_abs else self.DEFAULT_ABSOLUTE_TOLERANCE
                if self.rel is None and explicit_abs:
                    rel = 0.0
                else:
                    rel = self.rel if self.rel is not None else self.DEFAULT_RELATIVE_TOLERANCE
                _record("approx", exp, actual, rel, abs_tol, explicit_abs)
        return scalar_eq(self, actual)

    pa.ApproxScalar.__eq__ = approx_eq

    orig_isclose, orig_allclose = np.isclose, np.allclose

    def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
        if not _IN[0]:
            _IN[0] = True
            try:
                _record("np.isclose", b, a, rtol, atol, atol != 1e-08)
            finally:
                _IN[0] = False
        return orig_isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)

    def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
        if not _IN[0]:
            _IN[0] = True
            try:
                _record("np.allclose", b, a, rtol, atol, atol != 1e-08)
            finally:
                _IN[0] = False
        return orig_allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)

    np.isclose, np.allclose = isclose, allclose

    orig_aac = np.testing.assert_allclose

    def assert_allclose(actual, desired, rtol=1e-07, atol=0, *args, **kw):
        if not _IN[0] and atol:
            _IN[0] = True
            try:
                _record("assert_allclose", desired, actual, rtol, atol, True)
            finally:
                _IN[0] = False
        return orig_aac(actual, desired, rtol, atol, *args, **kw)

    np.testing.assert_allclose = assert_allclose

    orig_misclose = math.isclose

    def misclose(a, b, *, rel_tol=1e-09, abs_tol=0.0):
        if abs_tol:
            _record("math.isclose", b, a, rel_tol, abs_tol, True)
        return orig_misclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)

    math.isclose = misclose


_install()


def _flags(s):
    f = []
    if s["n_vacuous"]:
        f.append("VACUOUS")
    if s["n_weak"]:
        f.append("WEAK")
    if s["n_abs_dominated"]:
        f.append("ABS-DOMINATED")
    if s["n_passed_by_abs"]:
        f.append("PASSED-BY-ABS")
    if s["n_zero_expected"]:
        f.append("ZERO-EXP")
    return f


def pytest_sessionfinish(session):
    rows = []
    for (kind, site), s in sorted(_SITES.items(), key=lambda kv: kv[0][1]):
        fl = _flags(s)
        rows.append(
            {
                "site": site,
                "kind": kind,
                "flags": fl,
                **{k: (sorted(map(str, v)) if isinstance(v, set) else v) for k, v in s.items()},
            }
        )
    out = os.environ.get("TOLERANCE_AUDIT_JSON")
    if out:
        Path(out).write_text(json.dumps(rows, indent=1, default=str))
    lines = ["", f"tolerance audit: {len(rows)} comparison sites"]
    lines.append("site | kind | flags | n | |expected| range | rel | abs | tested rel (max abs/|exp|)")
    for r in rows:
        rel_max = max(float(x) for x in r["rel"])
        weak = r["n_weak"] > 0 and not r["explicit_abs"]
        zero = r["n_zero_expected"] and r["max_abs_actual_at_zero"] > 0 and not r["explicit_abs"]
        if not (r["n_vacuous"] or weak or zero):
            continue
        lines.append(
            f"{r['site']:40s} {r['kind']:12s} {','.join(r['flags']):40s} n={r['n']:<7d} "
            f"[{r['min_abs_expected']:.2g}, {r['max_abs_expected']:.2g}] rel={rel_max:.2g} "
            f"abs={r['abs_min']:.2g}{'(explicit)' if r['explicit_abs'] else ''} tested_rel={r['eff_rel_max']:.2g}"
            + (f" zero-expected n={r['n_zero_expected']} max|actual|={r['max_abs_actual_at_zero']:.2g}" if zero else "")
        )
    print("\n".join(lines), file=sys.stderr)
