"""Rare neutrino scattering: speed of sigma(E) on 1000 energies, quadrature error, published-rate checks.

Run:  DARKBEAM_DATA_DIR=../shared/data PYTHONPATH=src python benchmarks/bench_rare_xsec.py
(writes benchmarks/results/bench_rare_xsec.txt; the CHARM-II part needs the CHARMII_* flux files).

1. For each case: the median wall time of sigma(E) for 1000 energies and the largest relative
   difference from the same quadrature with 8x the nodes (the truncation error of the fixed rule).
2. COHERENT CEvNS Standard-Model predictions (CsI 2017 and 2021, Ar 2020) from the pi-DAR source,
   against the published predictions.
3. CHARM-II nu_mu e and nu_mu_bar e: the predicted events at 100 % efficiency with the catalog
   exposures and flux files, and the efficiencies they imply for the measured 2677 and 2752 events.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

from darkbeam.models import ModelParameters
from darkbeam.models.zprime_charges import zprime_mediator
from darkbeam.physics.cevns import CEvNSXsec
from darkbeam.physics.nu_electron import NuElectronXsec

OUT = Path(__file__).resolve().parent / "results" / "bench_rare_xsec.txt"


def _med(kind, m, gX):
    return zprime_mediator(ModelParameters.from_dict({"mzprime": m, "zprime_charge": kind, "gX": gX}))


def cases():
    le = _med("Le-Lmu", 0.01, 1e-4)
    lt = _med("Lmu-Ltau", 0.02, 5e-4)
    bl = _med("B-L", 0.01, 1e-4)
    nue = np.geomspace(1e-3, 100.0, 1000)
    cev = np.geomspace(1e-3, 0.3, 1000)
    yield "nu-e nu_mu, SM", lambda **k: NuElectronXsec("nu_mu", **k), nue
    yield "nu-e nu_mu_bar, Le-Lmu Z' 10 MeV + loop mixing", lambda **k: NuElectronXsec("nu_mu_bar", le, **k), nue
    yield "nu-e nu_e, magnetic moment 1e-10 mu_B (T > 1 MeV)", lambda **k: NuElectronXsec("nu_e", magnetic_moment=1e-10, **k), nue
    yield "cevns Cs133, SM, Helm", lambda **k: CEvNSXsec("Cs133", **k), cev
    yield "cevns Ar40, SM, Fourier-Bessel", lambda **k: CEvNSXsec("Ar40", form_factor="fourier-bessel", **k), cev
    yield "cevns Cs133, B-L Z' 10 MeV", lambda **k: CEvNSXsec("Cs133", mediator=bl, **k), cev
    yield "cevns Ge72, Lmu-Ltau Z' 20 MeV (loop)", lambda **k: CEvNSXsec("Ge72", mediator=lt, **k), cev
    yield "nu-e nu_mu, radiative full (BKS electron spectrum)", lambda **k: NuElectronXsec("nu_mu", radiative="full", **k), nue
    yield "nu-e nu_mu, radiative calorimetric (e + gamma)", lambda **k: NuElectronXsec("nu_mu", radiative="calorimetric", **k), nue
    yield "cevns Cs133 nu_e, radiative ew (charge radius)", lambda **k: CEvNSXsec("Cs133", "nu_e", radiative="ew", **k), cev


def timing(lines):
    lines.append(f"{'case (1000 energies)':<52s} {'time [ms]':>10s} {'max rel. quadrature error':>26s}")
    for name, make, E in cases():
        x = make()
        kw = {"t_min": 1e-3} if "magnetic" in name else {}
        x.sigma(E, **kw)
        times = []
        for _ in range(7):
            t = time.perf_counter()
            s = x.sigma(E, **kw)
            times.append(time.perf_counter() - t)
        fine = make(n_panels=96).sigma(E, **kw)
        ok = fine > 0
        err = float(np.max(np.abs(s[ok] / fine[ok] - 1)))
        lines.append(f"{name:<52s} {1e3 * statistics.median(times):10.1f} {err:26.1e}")


def coherent(lines):
    from darkbeam.analysis.rare_rates import cevns_events
    from darkbeam.detectors.cevns_detectors import CEVNS_DETECTORS

    lines.append("")
    lines.append(f"{'COHERENT (SM, Helm, s_W^2 = 0.23857)':<40s} {'darkbeam':>10s} {'published SM':>14s} {'observed':>12s}")
    for key, det in CEVNS_DETECTORS.items():
        if det.predicted is None:
            continue
        n = cevns_events(det)["total"]
        p, o = det.predicted, det.observed
        lines.append(f"{key:<40s} {n:10.1f} {p[0]:8.0f} +- {p[1]:<3.0f} {o[0]:6.0f} +- {o[1]:<3.0f}")


def charmii(lines):
    from darkbeam.analysis.rare_rates import CHARMII_WINDOW, PUBLISHED, nu_e_events
    from darkbeam.errors import DataError

    lines.append("")
    lines.append("CHARM-II nu e -> nu e (s_W^2 = 0.23857; catalog POT, flux file, 574 t SiO2; efficiency 1)")
    lines.append(f"{'experiment':<14s} {'recoil window':<16s} {'nu_mu':>9s} {'nu_mu_bar':>10s} {'total':>9s} {'measured':>13s} {'implied eff.':>13s}")
    for key in ("charmii_fhc", "charmii_rhc"):
        for name, win in (("all T", (0.0, None)), ("3-24 GeV", CHARMII_WINDOW)):
            try:
                ev = nu_e_events(key, t_min=win[0], t_max=win[1])
            except DataError as exc:
                lines.append(f"{key}: skipped ({exc})")
                return
            (m, dm), _ = PUBLISHED[key]
            lines.append(f"{key:<14s} {name:<16s} {ev['nu_mu']:9.0f} {ev['nu_mu_bar']:10.0f} {ev['total']:9.0f} "
                         f"{m:7.0f} +- {dm:<3.0f} {m / ev['total']:13.3f}")


def main() -> None:
    lines: list[str] = []
    timing(lines)
    coherent(lines)
    charmii(lines)
    text = "\n".join(lines)
    print(text)
    if "--no-write" not in sys.argv:
        OUT.write_text(text + "\n")


if __name__ == "__main__":
    main()
