"""Validation of the beam model against the official neutrino fluxes (issue 9, section 3).

For each beam line and detector: the model flux (darkbeam.sources.beam.beam_flux) against the
experiment's published flux, for nu_mu, nu_mu_bar and nu_e (and nu_e_bar).  Printed per case:

* integral ratio model/official per flavour over the range where the official file has that flavour
  (darkbeam.sources.beam.validation.support: the digitised MINERvA ME file starts at 1 GeV);
* the band test for nu_mu: the ratio in every band bin (0.2 GeV for BNB and J-PARC, 1 GeV for
  NuMI, LBNF and the SPS WANF) that holds more than 10 % of the peak bin of the official flux;
  the worst bin and pass/fail (aim: every such bin within 20 %, the integral within 10 %);
* the kaon-decay tail, checked on its own: the energy above which kaon decays give more than half
  of the model's nu_mu (from the model's parent decomposition), and the model/official integral
  above it;
* Monte Carlo noise of the model nu_mu in fine bins (50 MeV for BNB and J-PARC, 0.25 GeV for NuMI and
  LBNF, 0.5 GeV for the WANF): the relative error per bin from a second flux with another scrambling
  seed (darkbeam.sources.beam.validation.mc_noise; aim: below 3 %);
* the CPU time of the flux.

Comparison plots (model vs official with a ratio panel) go to docs/figures/beam_<case>.png.
``--markdown`` prints the table as published in docs/beam_model.md.

Usage:  DARKBEAM_DATA_DIR=../shared/data python benchmarks/beam_model_validation.py [--stats 2**17]
            [--cases bnb_miniboone,...] [--plots docs/figures] [--markdown] [--horn-current 0]
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from darkbeam.errors import DataError
from darkbeam.sources.beam import beam_flux
from darkbeam.sources.beam.configs import beam_config
from darkbeam.sources.beam.validation import band_check, binned, mc_noise, support
from darkbeam.sources.files import official_flux
from darkbeam.sources.flux import Flux

FLAVOURS = ("nu_mu", "nu_mu_bar", "nu_e", "nu_e_bar")
KAONS = ("K+", "K-", "K0_L")


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    beam: str
    distance_m: float
    off_axis_mrad: float
    polarity: str
    official: str  # registry name, or "t2k:<file>" for the T2K 2020 release (read here)
    band_GeV: float  # band-bin width
    fine_GeV: float  # model histogram bin width (noise check)
    e_max_GeV: float  # upper end of the comparison
    note: str = ""


CASES = [
    Case("bnb_miniboone", "BNB, MiniBooNE (541 m)", "bnb", 541.0, 0.0, "FHC", "MiniBooNE_FHC", 0.2, 0.05, 5.0),
    Case("bnb_microboone", "BNB, MicroBooNE (470 m)", "bnb", 470.0, 0.0, "FHC", "MicroBooNE_BNB_fullflux", 0.2, 0.05, 5.0),
    Case("bnb_sbnd", "BNB, SBND (110 m)", "bnb", 110.0, 0.0, "FHC", "sbnd_fhc", 0.2, 0.05, 5.0,
         "official file digitised"),
    Case("bnb_miniboone_rhc", "BNB RHC, MiniBooNE (541 m)", "bnb", 541.0, 0.0, "RHC", "MiniBooNE_RHC", 0.2, 0.05,
         5.0),
    Case("numi_le_minerva", "NuMI LE, MINERvA (1035 m)", "numi", 1035.0, 0.0, "FHC", "NUMI_FHC_LE", 1.0, 0.25, 30.0),
    Case("numi_me_minerva", "NuMI ME, MINERvA (1035 m)", "numi_me", 1035.0, 0.0, "FHC", "NUMI_FHC_ME", 1.0, 0.25,
         30.0, "official file digitised"),
    Case("numi_me_nova_nd", "NuMI ME, NOvA ND (993 m, 12.3 mrad)", "numi_me", 993.0, 12.3, "FHC", "NOvA_FHC", 1.0,
         0.25, 20.0, "position from g4numi (the 14.6 mrad of earlier rounds is the far detector's angle)"),
    Case("jparc_nd280", "J-PARC +250 kA, ND280 (280 m, 2.5 deg)", "jparc", 280.0, 43.63, "FHC",
         "t2k:T2K_ND280_2020_plus250kA.txt", 0.2, 0.05, 5.0),
    Case("lbnf_dune_nd", "LBNF, DUNE ND (574 m)", "lbnf", 574.0, 0.0, "FHC", "DUNE_ND_FHC", 1.0, 0.25, 20.0),
    Case("wanf_charmii", "SPS WANF, CHARM-II (870 m)", "wanf", 870.0, 0.0, "FHC", "CHARMII_FHC", 1.0, 0.5, 150.0),
]


def _data_dir() -> Path | None:
    d = os.environ.get("DARKBEAM_DATA_DIR")
    return Path(d) if d else None


def read_t2k_2020(path: Path) -> Flux:
    """The T2K 2020 flux release table: bin edges, then nu_mu, nu_mu_bar, nu_e, nu_e_bar in
    /cm^2/50MeV/1e21 POT (a density per 50 MeV whatever the bin width) -> nu/cm^2/GeV/POT."""
    lo, hi, cols = [], [], []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[0].isdigit() and parts[2] == "-":
            lo.append(float(parts[1]))
            hi.append(float(parts[3]))
            cols.append([float(x) for x in parts[4:8]])
    v = np.array(cols) / 0.05 / 1e21
    edges = np.append(lo, hi[-1])
    vals = {fl: v[:, i] for i, fl in enumerate(("nu_mu", "nu_mu_bar", "nu_e", "nu_e_bar"))}
    return Flux.from_histogram(edges, vals, provenance=f"T2K 2020 flux release ({path.name})",
                               description=path.name)


def load_official(case: Case) -> Flux:
    if case.official.startswith("t2k:"):
        name = case.official[4:]
        try:
            return official_flux(Path(name).stem, download=False)
        except Exception:
            d = _data_dir()
            if d is None or not (d / "fluxes" / name).exists():
                raise DataError(f"{name} not available (set DARKBEAM_DATA_DIR)")
            return read_t2k_2020(d / "fluxes" / name)
    return official_flux(case.official, download=False)


def compare(case: Case, stats: int, plots: Path | None = None, horn_current_kA: float | None = None) -> dict:
    """Model against official for one case; ``horn_current_kA`` (diagnostic): every horn at this current
    (0: horns off, which isolates production and decay geometry from the focusing)."""
    off = load_official(case)
    beam = case.beam if horn_current_kA is None else beam_config(case.beam).with_current(horn_current_kA)
    e_hi = min(case.e_max_GeV, float(off.energy_range[1]))
    fine = np.arange(0.0, e_hi + 0.5 * case.fine_GeV, case.fine_GeV)
    t0 = time.process_time()
    bf = beam_flux(beam, case.distance_m, case.off_axis_mrad, polarity=case.polarity, n=stats, edges=fine)
    cpu = time.process_time() - t0
    model = bf.flux
    e_hi = float(fine[-1])
    res = {"case": case, "cpu_s": cpu, "integral": {}}
    main = "nu_mu" if case.polarity == "FHC" else "nu_mu_bar"
    for fl in FLAVOURS:  # over the range where the official file has this flavour (validation.support)
        lo, hi = support(off, fl)
        hi = min(hi, e_hi)
        o = off.integrate(fl, lo, hi, include_lines=False) if hi > lo else 0.0
        res["integral"][fl] = model.integrate(fl, lo, hi) / o if o > 0 else float("nan")
    bc = band_check(model, off, main, case.band_GeV, e_hi)
    band, sel, ratio = bc.edges, bc.tested, bc.ratio
    mb, ob = binned(model, main, band), binned(off, main, band)
    res.update(band_edges=band, band_ratio=ratio, band_sel=sel, worst=bc.worst_ratio, worst_bin=bc.worst_bin,
               main=main, band_integral=bc.integral_ratio)
    res["band_lo_hi"] = (float(band[np.argmax(sel)]), float(band[len(sel) - np.argmax(sel[::-1])]))
    # kaon tail: where kaons give more than half of the model's main flavour (band bins)
    kb = sum(binned(bf.by_parent[k], main, band) for k in KAONS if k in bf.by_parent)
    frac = np.where(mb > 0, kb / np.where(mb > 0, mb, 1.0), 0.0)
    above = np.nonzero((frac > 0.5) & (band[:-1] > band[np.argmax(ob)]))[0]
    if above.size:
        e_k = float(band[above[0]])
        k_hi = min(e_hi, support(off, main)[1])
        o_k = off.integrate(main, e_k, k_hi, include_lines=False)
        res["kaon_tail"] = (e_k, model.integrate(main, e_k, k_hi) / o_k if o_k > 0 else float("nan"))
    else:
        res["kaon_tail"] = (float("nan"), float("nan"))
    twin = beam_flux(beam, case.distance_m, case.off_axis_mrad, polarity=case.polarity, n=stats, edges=fine,
                     seed=54321).flux
    res["noise"] = mc_noise(binned(model, main, fine), binned(twin, main, fine))
    res["pass"] = bc.passed
    if plots is not None:
        plot(case, model, off, res, plots / f"beam_{case.key}.png", e_hi)
    return res


def plot(case, model, off, res, path: Path, e_hi: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, rx) = plt.subplots(2, 1, figsize=(7, 6), sharex=True, gridspec_kw={"height_ratios": (2.2, 1)})
    band = res["band_edges"]
    centres = 0.5 * (band[1:] + band[:-1])
    for fl, c in (("nu_mu", "C1"), ("nu_mu_bar", "C0"), ("nu_e", "C2"), ("nu_e_bar", "C4")):
        o = binned(off, fl, band) / np.diff(band)
        m = binned(model, fl, band) / np.diff(band)
        if o.max() <= 0:
            continue
        ax.step(band[:-1], o, where="post", color=c, label=f"{fl} official")
        ax.step(band[:-1], m, where="post", color=c, ls="--", label=f"{fl} model")
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(o > 0.01 * o.max(), m / o, np.nan)
        rx.plot(centres, r, "o-" if fl == res["main"] else ".", color=c, ms=3, lw=1 if fl == res["main"] else 0.6)
    lo, hi = res["band_lo_hi"]
    rx.axvspan(lo, hi, color="0.9", zorder=0, label="band region")
    rx.axhline(1.0, color="k", lw=0.6)
    rx.axhline(1.2, color="k", lw=0.6, ls=":")
    rx.axhline(0.8, color="k", lw=0.6, ls=":")
    ax.set_yscale("log")
    ax.set_ylabel(r"d$\Phi$/dE [$\nu$/cm$^2$/GeV/POT]")
    ymax = max(binned(off, res["main"], band).max() / case.band_GeV, 1e-30)
    ax.set_ylim(ymax * 1e-4, ymax * 3)
    ax.set_title(f"{case.label}: beam model vs official")
    ax.legend(fontsize=7, ncol=2)
    rx.set_ylim(0.0, 2.5)
    rx.set_ylabel("model / official")
    rx.set_xlabel(r"E$_\nu$ [GeV]")
    rx.set_xlim(0, e_hi)
    rx.legend(fontsize=7, loc="upper right")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def fmt_row(r, markdown: bool) -> str:
    c = r["case"]
    i = r["integral"]
    ek, rk = r["kaon_tail"]
    lo, hi = r["worst_bin"]
    cells = [c.label, f"{i['nu_mu']:.2f}", f"{i['nu_mu_bar']:.2f}", f"{i['nu_e']:.2f}",
             f"{r['worst']:.2f} @ {lo:g}-{hi:g}", "pass" if r["pass"] else "FAIL",
             f"{rk:.2f} (>{ek:g} GeV)" if np.isfinite(ek) else "-", f"{100 * r['noise']:.1f} %", f"{r['cpu_s']:.1f}"]
    if markdown:
        return "| " + " | ".join(cells) + " |"
    return f"{cells[0]:40s} {cells[1]:>6s} {cells[2]:>7s} {cells[3]:>6s} {cells[4]:>18s} {cells[5]:>5s} " \
           f"{cells[6]:>18s} {cells[7]:>7s} {cells[8]:>6s}"


HEADER = ["beam, detector", "nu_mu", "nu_mu_bar", "nu_e", "worst band bin (GeV)", "bands",
          "kaon tail", "noise", "CPU s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stats", type=lambda s: int(eval(s, {}, {})), default=2**17, help="mesons per species")
    ap.add_argument("--cases", default="", help="comma-separated case keys (default: all)")
    ap.add_argument("--plots", default=None, help="directory for comparison plots (e.g. docs/figures)")
    ap.add_argument("--markdown", action="store_true", help="print the table in markdown")
    ap.add_argument("--horn-current", type=float, default=None,
                    help="diagnostic: every horn at this current in kA (0: horns off)")
    ap.add_argument("--beam-alias", default="", help="e.g. numi_me=numi,wanf=sps: run a case with another beam line")
    args = ap.parse_args()
    alias = dict(a.split("=") for a in args.beam_alias.split(",") if a)
    keys = [k for k in args.cases.split(",") if k]
    from dataclasses import replace

    cases = [replace(c, beam=alias.get(c.beam, c.beam)) for c in CASES if not keys or c.key in keys]
    plots = Path(args.plots) if args.plots else None
    rows = []
    for c in cases:
        try:
            rows.append(compare(c, args.stats, plots, args.horn_current))
        except DataError as exc:
            print(f"{c.label}: skipped ({exc})")
            continue
        r = rows[-1]
        print(f"{c.key}: integral {r['main']} {r['integral'][r['main']]:.3f}, worst band bin {r['worst']:.3f} "
              f"in {r['worst_bin']}, band region {r['band_lo_hi']}, kaon tail {r['kaon_tail']}, "
              f"noise {r['noise']:.4f}, CPU {r['cpu_s']:.1f} s -> {'pass' if r['pass'] else 'FAIL'}", flush=True)
    print("\nIntegral ratios model/official over the common range; bands: nu_mu (nu_mu_bar for RHC) within 20 % in "
          "every band bin above 10 % of the peak and integral within 10 %.")
    if args.markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
    else:
        print(f"{'beam, detector':40s} {'nu_mu':>6s} {'nu_mu_b':>7s} {'nu_e':>6s} {'worst bin':>18s} {'bands':>5s} "
              f"{'kaon tail':>18s} {'noise':>7s} {'CPU s':>6s}")
    for r in rows:
        print(fmt_row(r, args.markdown))
    print(f"\n{sum(r['pass'] for r in rows)}/{len(rows)} positions meet the bands")


if __name__ == "__main__":
    main()
