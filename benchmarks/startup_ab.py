"""Fixed start-up CPU of ``darkbeam generate`` and of ``darkbeam.generate(...)``, two source trees A/B.

Three workloads, each a fresh child process, CPU = user + system (os.wait4), trees alternated A, B,
A, B, ... so that both see the same machine load; medians and ranges over ``--repeat`` runs:

- ``cli``:  ``darkbeam generate -e miniboone_fhc --seed 1 -n 5600 --projectile nu_mu --regime coherent
  --regime p-el --couplings darknews -o ev.parquet --overwrite --json`` (the run of docs/startup.md)
- ``api``:  ``import darkbeam; darkbeam.generate(...)`` with the same model, experiment, seed and
  vegas statistics (``GenerationOptions(neval=2800, n_batches=2)``, as ``-n 5600`` gives), no file
- ``help``: ``darkbeam --help``; ``generate-help``: ``darkbeam generate --help``

``--until-adapt``: the CPU time of the process (``time.process_time``) when the generator starts
adapting its first process case (``darkbeam.processes.generator.adapt_case``), after which the child
exits: the fixed start-up alone, without the vegas adaptation and the sampling (less noisy than the
whole run; the help workloads run whole).

``--instructions``: instead of CPU times, the number of instructions each workload executes, counted
once per tree by valgrind's callgrind (``PYTHONHASHSEED=0``; 50-100x slower, but independent of the
machine's load, which makes CPU times of a shared machine scatter by 20-40%).

Both trees are byte-compiled first (``compileall``): the environment sets PYTHONDONTWRITEBYTECODE.
Issue 10; results: benchmarks/results/h2_startup.txt.

    python benchmarks/startup_ab.py --a /work/main/src --b src [--repeat 7] [--only cli api help]
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CLI = ["-m", "darkbeam", "generate", "-e", "miniboone_fhc", "--seed", "1", "-n", "5600", "--projectile", "nu_mu",
       "--regime", "coherent", "--regime", "p-el", "--couplings", "darknews", "-o", "ev.parquet", "--overwrite",
       "--json"]
API = ["-c", "import darkbeam\n"
       "from darkbeam.processes.upscatter_decay import GenerationOptions\n"
       "r = darkbeam.generate(None, 'miniboone_fhc', seed=1, options=GenerationOptions(neval=2800, n_batches=2),\n"
       "                      projectiles=['nu_mu'], regimes=('coherent', 'p-el'), couplings_scheme='darknews')\n"
       "assert len(r.events) > 0\n"]
HELP = ["-m", "darkbeam", "--help"]
GENERATE_HELP = ["-m", "darkbeam", "generate", "--help"]
WORKLOADS = {"cli": CLI, "api": API, "help": HELP, "generate-help": GENERATE_HELP}

#: runs ARGS (``-m darkbeam ...`` or ``-c CODE``) and exits when the first process case starts adapting,
#: after writing the CPU time of the process so far to stderr
_UNTIL_ADAPT = """
import importlib.abc, importlib.util, os, runpy, sys, time

class _Hook(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "darkbeam.processes.generator":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)

            def stop(*args, **kwargs):
                sys.stderr.write("\\nSTARTUP_CPU %.6f\\n" % time.process_time())
                sys.stderr.flush()
                os._exit(0)
            module.adapt_case = stop
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, _Hook())
args = sys.argv[1:]
if args[0] == "-m":
    sys.argv = [args[1], *args[2:]]
    runpy.run_module(args[1], run_name="__main__", alter_sys=True)
else:
    exec(args[1])
raise SystemExit("the generator never started adapting")
"""


def cpu_of(src: Path, args: list[str], until_adapt: bool = False) -> float:
    """CPU seconds (user + system) of one child ``python ARGS`` with ``src`` on PYTHONPATH (with
    ``until_adapt``: its CPU time when the first process case starts adapting)."""
    if until_adapt:
        args = ["-c", _UNTIL_ADAPT, *args]
    env = {**os.environ, "PYTHONPATH": str(src), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.Popen([sys.executable, *args], env=env, cwd=d, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{args} with {src} failed:\n{err[-3000:]}")
    if until_adapt:
        return float(err.split("STARTUP_CPU ")[-1].split()[0])
    return ru.ru_utime + ru.ru_stime


def instructions_of(src: Path, args: list[str], until_adapt: bool = False) -> int:
    """Instructions executed by one child ``python ARGS`` (valgrind --tool=callgrind)."""
    if until_adapt:
        args = ["-c", _UNTIL_ADAPT, *args]
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, *args],
                           env=env, cwd=d, capture_output=True, text=True, errors="replace")
    lines = [ln for ln in r.stderr.splitlines() if "Collected :" in ln]
    if not lines:
        raise RuntimeError(f"valgrind {args} with {src} failed:\n{r.stderr[-3000:]}")
    return int(lines[-1].split("Collected :")[1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="source tree A (the folder holding darkbeam/)")
    ap.add_argument("--b", required=True, help="source tree B")
    ap.add_argument("--repeat", type=int, default=7, help="runs per tree and workload (medians)")
    ap.add_argument("--only", nargs="+", choices=sorted(WORKLOADS), default=["cli", "api", "help"])
    ap.add_argument("--until-adapt", action="store_true", help="stop when the first case starts adapting")
    ap.add_argument("--instructions", action="store_true", help="count instructions (valgrind) instead of CPU time")
    args = ap.parse_args(argv)
    trees = {"A": Path(args.a).resolve(), "B": Path(args.b).resolve()}
    for t in trees.values():
        compileall.compile_dir(t / "darkbeam", quiet=1)
    os.sync()
    for name in args.only:
        until = args.until_adapt and not name.endswith("help")
        if args.instructions:
            n = {k: instructions_of(trees[k], WORKLOADS[name], until) for k in ("A", "B")}
            print(f"{name + (' (until adapt)' if until else ''):18s} A {n['A'] / 1e6:.1f} M  B {n['B'] / 1e6:.1f} M "
                  f"instructions  A-B {(n['A'] - n['B']) / 1e6:+.1f} M ({(n['A'] - n['B']) / n['A']:+.1%})", flush=True)
            continue
        cpu_of(trees["A"], WORKLOADS[name], until)  # warm the page cache for both trees
        cpu_of(trees["B"], WORKLOADS[name], until)
        runs = {"A": [], "B": []}
        for _ in range(args.repeat):
            for k in ("A", "B"):
                runs[k].append(cpu_of(trees[k], WORKLOADS[name], until))
        med = {k: statistics.median(v) for k, v in runs.items()}
        print(f"{name + (' (until adapt)' if until else ''):18s} A {med['A']:.3f} s [{min(runs['A']):.3f}-{max(runs['A']):.3f}]  "
              f"B {med['B']:.3f} s [{min(runs['B']):.3f}-{max(runs['B']):.3f}]  "
              f"A-B {med['A'] - med['B']:+.3f} s  (median of {args.repeat}; paired median "
              f"{statistics.median(a - b for a, b in zip(runs['A'], runs['B'])):+.3f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
