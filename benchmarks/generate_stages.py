"""Where the CPU time of ``darkbeam generate`` goes: a stage table (issue 10).

Runs the command in this process with the generator's per-chunk functions wrapped by CPU timers
(time.process_time; exclusive times: a stage's figure excludes the wrapped stages it calls), so the
stages add up to the run's CPU time.  The wrappers cost a few microseconds per call (a few hundred
calls per run).  Run it with the source tree to measure on PYTHONPATH; arguments after ``--`` go to
``darkbeam generate`` (default: ``-n 62500 --seed 1 --json``, output discarded).

    PYTHONPATH=src python benchmarks/generate_stages.py [--repeat 3] [-- -n 62500 --seed 1]

Prints, per stage, the median over ``--repeat`` child processes (each a fresh interpreter, so the
imports are measured too).  Stages that a source tree does not have are skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

#: (module, attribute, label): wrapped if present (attribute may be Class.method)
STAGES = [
    ("darkbeam.processes.upscatter_decay", "adapt_case", "vegas adaptation (16 cases)"),
    ("darkbeam.processes.upscatter_decay", "CaseSetup.point", "integrand: flux x dsigma/dQ2"),
    ("darkbeam.processes.upscatter_decay", "_upscatter", "upscattering kinematics, rotation, columns"),
    ("darkbeam.processes.kinematics", "upscattering_lab", "  two-body lab kinematics"),
    ("darkbeam.detectors.shapes", "Shape.sample", "  vertex in the target volume"),
    ("darkbeam.detectors.production", "DecayPipeSource.sample", "  neutrino production point"),
    ("darkbeam.processes.upscatter_decay", "_decay", "decay: channel choice, daughter columns"),
    ("darkbeam.processes.decays", "_check_parents", "  parents' checks"),
    ("darkbeam.mc.dalitz", "DalitzSampler.sample", "  three-body sampling at rest (Dalitz)"),
    ("darkbeam.mc.dalitz", "DalitzSampler._weight_at", "    |M|^2 of candidates and spin axes"),
    ("darkbeam.mc.dalitz", "DalitzSampler._weight_unpolarised", "    |M|^2 of candidates (spin average)"),
    ("darkbeam.mc.dalitz", "DalitzSampler._axes_weights", "    |M|^2 at the spin axes (all at once)"),
    ("darkbeam.mc.phasespace", "two_body_rest", "  two-body sampling at rest"),
    ("darkbeam.mc.fourvec", "helicity_frame_to_lab", "  boost to the lab"),
    ("darkbeam.processes.upscatter_decay", "_geometry", "geometry: path, decay probability, position"),
    ("darkbeam.detectors.shapes", "Shape.segments", "  ray-detector intersections"),
    ("darkbeam.processes.upscatter_decay", "stratified_variance", "errors (stratified variances)"),
]


def _child(argv: list[str]) -> dict:
    t_start = time.process_time()
    import importlib

    acc: dict[str, float] = {}
    stack: list[float] = []

    def wrap(owner, name, label):
        f = getattr(owner, name)

        def timed(*a, **k):
            t = time.process_time()
            stack.append(0.0)
            try:
                return f(*a, **k)
            finally:
                dt = time.process_time() - t
                inner = stack.pop()
                acc[label] = acc.get(label, 0.0) + dt - inner
                if stack:
                    stack[-1] += dt

        setattr(owner, name, timed)
        return timed

    import darkbeam.processes.generator as gen  # noqa: F401 (the generator's imports)

    t_imports = time.process_time() - t_start
    for mod_name, attr, label in STAGES:
        mod = importlib.import_module(mod_name)
        owner, name = mod, attr
        if "." in attr:
            cls, name = attr.split(".")
            owner = getattr(mod, cls, None)
        if owner is None or not hasattr(owner, name):
            continue
        wrap(owner, name, label)
    # module functions imported by name into other darkbeam modules: rebind them there too
    for mod_name, attr, label in STAGES:
        if "." in attr:
            continue
        mod = importlib.import_module(mod_name)
        timed = getattr(mod, attr, None)
        if timed is None:
            continue
        for m in list(sys.modules.values()):
            if m is mod or not getattr(m, "__name__", "").startswith("darkbeam."):
                continue
            orig = getattr(m, attr, None)
            if orig is not None and orig is not timed and getattr(orig, "__module__", None) == mod_name:
                setattr(m, attr, timed)
    from darkbeam.cli.main import main

    sys.argv = ["darkbeam", "generate", *argv]
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")
    try:
        main()
    except SystemExit:
        pass
    finally:
        sys.stdout = out
    total = time.process_time()
    acc["imports (darkbeam.processes.generator)"] = t_imports
    acc["everything else (CLI, set-up, envelopes, vegas points, assembly)"] = total - sum(acc.values())
    acc["TOTAL (process CPU, user + system)"] = total
    return acc


def main(argv=None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if "--child" in argv:
        i = argv.index("--child")
        print(json.dumps(_child(argv[i + 1:])))
        return 0
    rest: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, rest = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    rest = rest or ["-n", "62500", "--seed", "1", "--json"]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    runs = []
    for _ in range(args.repeat):
        p = subprocess.run([sys.executable, __file__, "--child", *rest], env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(p.stdout.strip().splitlines()[-1]))
    order = [label for _, _, label in STAGES] + ["imports (darkbeam.processes.generator)",
                                                 "everything else (CLI, set-up, envelopes, vegas points, assembly)",
                                                 "TOTAL (process CPU, user + system)"]
    labels = [k for k in order if any(k in r for r in runs)]
    tot = statistics.median(r["TOTAL (process CPU, user + system)"] for r in runs)
    print(f"darkbeam generate {' '.join(rest)}: CPU seconds per stage, median of {args.repeat} (exclusive times)")
    for k in labels:
        v = statistics.median(r.get(k, 0.0) for r in runs)
        print(f"  {k:<68s} {v:7.3f} s  {100.0 * v / tot:5.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
