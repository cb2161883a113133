"""Validation and speed of the meson-decay flight-and-decay simulation (docs/meson_decay.md).

1. Forced direction against brute-force isotropic sampling: kaons of 2 GeV along z make N4 (0.3 GeV,
   K+ -> mu+ N4 with a test two-body sampler); a 4 x 4 x 5 m^3 box 20 m downstream at several
   off-axis angles (the N cone ends at 106 mrad) and two lifetimes.  Ratio forced / brute force with
   the combined MC error.
2. Survival from the production point: ND280-like geometry (the three gas TPCs, 280 m), decays in the
   TPCs with and without the survival factor exp(-l1/L) for short lifetimes.
3. Speed: events per CPU second of ``simulate`` (production, flight, decay; SBND box at 110 m).
4. Figure: the distribution of the delay behind light of N decays at SBND (kaons of 3 GeV).

Run: ``python benchmarks/meson_decay_validation.py`` (writes benchmarks/results/meson_decay_validation.txt
and .png).  Uses the test doubles of tests/meson_doubles.py.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from darkbeam.detectors.catalog import load_experiment  # noqa: E402
from darkbeam.detectors.shapes import Box  # noqa: E402
from darkbeam.mc.fourvec import boost_from_rest  # noqa: E402
from darkbeam.models.parameters import ModelParameters  # noqa: E402
from darkbeam.physics.decays import decay_table  # noqa: E402
from darkbeam.processes.meson_decay import simulate  # noqa: E402
from meson_doubles import M_K, M_MU, experiment_with, k_mu_n, kaons_along_z, two_body_p  # noqa: E402

M4 = 0.3
PSTAR = two_body_p(M_K, M_MU, M4)
OUT = ROOT / "benchmarks" / "results" / "meson_decay_validation"


def brute(shape, x0, pk, ctau, n, rng):
    c = rng.uniform(-1, 1, n)
    ph = rng.uniform(0, 2 * np.pi, n)
    s = np.sqrt(1 - c * c)
    k = np.stack([np.full(n, math.hypot(PSTAR, M4)), PSTAR * s * np.cos(ph), PSTAR * s * np.sin(ph), PSTAR * c], 1)
    lab = boost_from_rest(k, np.array([math.hypot(pk, M_K), 0, 0, pk]))
    p = np.linalg.norm(lab[:, 1:], axis=1)
    pr = shape.decay_probability(np.broadcast_to(x0, (n, 3)), lab[:, 1:], p / M4 * ctau)
    return pr.mean(), pr.std() / math.sqrt(n)


def main():
    lines = []
    say = lambda s="": (print(s), lines.append(s))  # noqa: E731
    say("1. forced direction vs brute-force isotropic sampling (K+ 2 GeV along z, N4 0.3 GeV, box 4x4x5 m^3 at 20 m)")
    say("| off-axis angle | c tau (cm) | forced / brute force | combined error | pull |")
    say("|---|---|---|---|---|")
    box = Box((400.0, 400.0, 500.0))
    for U in (0.22, 1e-3):
        params = ModelParameters(m4=M4, Umu4=U)
        ctau = decay_table(params, "N4").ctau_cm
        for ang in (0.0, 0.05, 0.08, 0.12):
            exp = experiment_with(box, baseline=2000.0, angle=ang, pot=1.0)
            es = simulate(params, exp, [k_mu_n(M4, 1.0)], {"K+": kaons_along_z(10, 2.0, 1.0)}, n=100_000,
                          rng=np.random.default_rng(1))
            f, ef = es.w.sum(), es.meta["summary"][0]["decays_in_volume_err"]
            b, eb = brute(box, exp.source_position, 2.0, ctau, 2_000_000, np.random.default_rng(2))
            r = f / b
            er = r * math.hypot(ef / f, eb / b)
            say(f"| {ang:.2f} rad | {ctau:.4g} | {r:.4f} | {er:.4f} | {(r - 1) / er:+.2f} |")
    say()
    say("2. survival from the production point (ND280 TPCs at 280 m, kaons of 2 GeV from the target)")
    say("| c tau (cm) | decays in TPCs with survival | without survival (exp(-l1/L) dropped) | ratio |")
    say("|---|---|---|---|")
    nd = load_experiment("nd280_fhc")
    for U in (0.2, 0.1, 3e-2, 1e-2, 1e-3):
        params = ModelParameters(m4=M4, Umu4=U)
        es = simulate(params, nd, [k_mu_n(M4, 1.0)], {"K+": kaons_along_z(10, 2.0, 1.0, beam="jparc")},
                      n=20_000, rng=np.random.default_rng(3))
        L = es.decay_length()
        with_s = es.w.sum()
        bnd = es.path_bounds()
        seg = -np.expm1(-(bnd[:, 1::2] - bnd[:, 0::2]) / L[:, None]).sum(axis=1)  # each segment from its entry
        no_s = np.sum(es.channel_weight() * seg)
        say(f"| {decay_table(params, 'N4').ctau_cm:.4g} | {with_s:.4g} | {no_s:.4g} | {no_s / with_s:.3g} |")
    say()
    say("3. speed (one core of the shared machine; CPU time of simulate, SBND box at 110 m, K+ 3 GeV)")
    sbnd = experiment_with(Box((400.0, 400.0, 500.0)), baseline=11000.0)
    params = ModelParameters(m4=M4, Umu4=1e-3)
    simulate(params, sbnd, [k_mu_n(M4)], {"K+": kaons_along_z(100, 3.0)}, n=1000, rng=np.random.default_rng(0))
    for n in (100_000, 400_000):
        t0 = time.process_time()
        es = simulate(params, sbnd, [k_mu_n(M4)], {"K+": kaons_along_z(1000, 3.0)}, n=n, rng=np.random.default_rng(0))
        dt = time.process_time() - t0
        say(f"n = {n}: {len(es)} events in {dt:.2f} s CPU, {len(es) / dt:.3g} events per CPU second")
    OUT.with_suffix(".txt").write_text("\n".join(lines) + "\n")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        for m in (0.15, 0.25, 0.35):
            p = ModelParameters(m4=m, Umu4=1e-3)
            e = simulate(p, sbnd, [k_mu_n(m)], {"K+": kaons_along_z(100, 3.0)}, n=50_000, rng=np.random.default_rng(4))
            ax.hist(e.delay(), bins=np.linspace(0, 30, 61), weights=e.w / e.w.sum(), histtype="step",
                    label=f"m_N = {m} GeV")
        ax.set_xlabel("delay of the N decay behind light (ns)")
        ax.set_ylabel("fraction of decays in the volume")
        ax.set_title("K+ (3 GeV) -> mu+ N at 110 m")
        ax.legend()
        fig.tight_layout()
        fig.savefig(OUT.with_suffix(".png"), dpi=100)
    except ImportError:  # pragma: no cover
        pass


if __name__ == "__main__":
    main()
