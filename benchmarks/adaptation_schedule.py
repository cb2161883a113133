"""Precision per CPU second of the generator's vegas adaptation schedule (issue 10).

For each schedule (``nitn_adapt`` iterations of ``neval_adapt`` points) and each seed, runs
:func:`darkbeam.processes.generator.generate` in this process and reports, per schedule:

* the CPU time of ``generate()`` (time.process_time; median and minimum over the seeds; the machine's
  load makes single figures noisy, so alternate schedules per seed, as done here);
* the Kish effective sample size n_eff = (sum w)^2 / sum w^2 of the upscattering weights ``w_rate``
  of each case, as n_eff / N (the smallest case and the whole run, averaged over the seeds);
* the seed-to-seed relative standard deviation of the upscattered total and of the decays in the
  detector, next to the mean of the runs' own (stratified vegas) relative errors.

    PYTHONPATH=src python benchmarks/adaptation_schedule.py --config small --seeds 16 -n 5600 \\
        --schedules 6x5000 6x1000

Configurations: 'small' (nu_mu, coherent + p-el, DarkNews couplings at MiniBooNE FHC: the issue's
small benchmark), 'default' (16 cases), 'light_zprime' (MicroBooNE), 'dipole' (MiniBooNE); the last
three as in benchmarks/vs_darknews.py.  Results: benchmarks/results/h3_adaptation_schedule.txt.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

CONFIGS = {
    "small": ("miniboone_fhc", [], dict(projectiles=["nu_mu"], regimes=("coherent", "p-el"),
                                        couplings_scheme="darknews")),
    "default": ("miniboone_fhc", [], {}),
    "light_zprime": ("microboone", ["m4=0.1", "mzprime=0.03", "Umu4=1e-3", "UD4=1", "gD=1", "epsilon=1e-3"], {}),
    "dipole": ("miniboone_fhc", ["m4=0.1", "mu_tr_mu4=1e-6", "mzprime=none", "Umu4=0", "UD4=0", "epsilon=none",
                                 "gD=none"], {}),
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=list(CONFIGS), default="small")
    ap.add_argument("--seeds", type=int, default=8, help="seeds 1..N, each run with every schedule")
    ap.add_argument("-n", type=int, default=5600, help="events per case, as darkbeam generate -n")
    ap.add_argument("--schedules", nargs="+", default=["6x5000", "6x1000"], help="NITNxNEVAL")
    args = ap.parse_args(argv)

    from darkbeam.models import load_model, parse_assignments
    from darkbeam.processes.generator import generate
    from darkbeam.processes.upscatter_decay import GenerationOptions

    exp, sets, kw = CONFIGS[args.config]
    model = load_model(None, parse_assignments(sets))
    schedules = [tuple(int(v) for v in s.lower().split("x")) for s in args.schedules]
    generate(model, exp, seed=10_000, options=GenerationOptions(neval=200, n_batches=2), **kw)  # warm caches
    res: dict = {s: [] for s in schedules}
    for seed in range(1, args.seeds + 1):
        for sch in schedules:
            opts = GenerationOptions(neval=max(args.n // 2, 50), n_batches=2, nitn_adapt=sch[0], neval_adapt=sch[1])
            t = time.process_time()
            r = generate(model, exp, seed=seed, options=opts, **kw)
            cpu = time.process_time() - t
            case, w = np.asarray(r.events["case"]), np.asarray(r.events["w_rate"])
            neff = {int(k): (w[case == k].sum() ** 2 / (w[case == k] ** 2).sum(), int((case == k).sum()))
                    for k in np.unique(case)}
            s = r.summary
            res[sch].append(dict(cpu=cpu, neff=neff, n=len(r.events), up=s.upscattered, up_err=s.upscattered_err,
                                 dec=s.decay_in_detector, dec_err=s.decay_in_detector_err))
    print(f"config {args.config}, -n {args.n}, seeds 1..{args.seeds}")
    print(f"{'nitn x neval_adapt':>20} {'CPU med':>8} {'min':>6} {'n_eff/N min case':>16} {'run':>6} {'N':>7} "
          f"{'sd(up)/up':>10} {'mean err':>9} {'sd(dec)/dec':>11} {'mean err':>9} {'mean up':>12}")
    for sch, runs in res.items():
        cpus = [r["cpu"] for r in runs]
        worst = statistics.fmean(min(a / b for a, b in r["neff"].values()) for r in runs)
        whole = statistics.fmean(sum(a for a, _ in r["neff"].values()) / sum(b for _, b in r["neff"].values())
                                 for r in runs)
        ups, decs = [r["up"] for r in runs], [r["dec"] for r in runs]
        mu, md = statistics.fmean(ups), statistics.fmean(decs)
        sd_u = statistics.stdev(ups) / mu if len(runs) > 1 else float("nan")
        sd_d = statistics.stdev(decs) / md if len(runs) > 1 and md else float("nan")
        print(f"{sch[0]:>9} x {sch[1]:<8} {statistics.median(cpus):8.3f} {min(cpus):6.3f} {worst:16.4f} {whole:6.4f} "
              f"{statistics.fmean(r['n'] for r in runs):7.0f} {sd_u:10.2e} {statistics.fmean(r['up_err'] for r in runs) / mu:9.2e} "
              f"{sd_d:11.2e} {statistics.fmean(r['dec_err'] for r in runs) / md if md else float('nan'):9.2e} {mu:12.6g}")
        print("   n_eff/N per case (mean over seeds):",
              " ".join(f"{k}:{statistics.fmean(r['neff'][k][0] / r['neff'][k][1] for r in runs):.3f}"
                       for k in sorted(runs[0]["neff"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
