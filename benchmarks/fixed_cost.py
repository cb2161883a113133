"""Whole-process CPU of `darkbeam generate` at DarkNews-sized samples: the fixed cost (start-up) vs the run.

Runs, as child processes (CPU = ru_utime + ru_stime from os.wait4, one thread), the default
`darkbeam generate --json` and darkbeam's side of the five configurations of vs_darknews.py (same
options, events per case calibrated there, parquet written), `--repeat` times each, and prints the
median CPU.  Each run's JSON summary is kept under `--keep` so that two code versions can be diffed
(same seed -> same numbers).  `--cold` empties a private NUMBA_CACHE_DIR before every run (numba is
loaded only from batches of 10^6 items, DARKBEAM_JIT_THRESHOLD; never at these sizes); by default the
runs share one cache dir that the first run fills.  darkbeam's modules are byte-compiled first, as pip
does at install time.

    python benchmarks/fixed_cost.py --repeat 3 --keep /tmp/after
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from vs_darknews import CONFIGS  # noqa: E402

#: events per case of each configuration (vs_darknews.py's calibration, benchmarks/results/vs_darknews.json)
EVENTS = {"default": 5600, "light_zprime_microboone": 3700, "dipole_miniboone": 3300, "majorana": 6400,
          "dune_nd_fhc": 7800}
ENV1 = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}


def commands(tmp: Path) -> dict[str, list[str]]:
    out = {"generate (default, 16 cases, -n 20000)": ["generate", "--json"]}
    for name, cfg in CONFIGS.items():
        cmd = ["generate", "-e", cfg["experiment"], "--seed", "1", "-n", str(EVENTS[name]), "--projectile", "nu_mu",
               "--regime", "coherent", "--regime", "p-el", "--couplings", "darknews",
               "-o", str(tmp / f"{name}.parquet"), "--overwrite", "--json"]
        for k, v in cfg["sets"].items():
            cmd += ["--set", f"{k}={v}"]
        out[name] = cmd
    return out


def run(args: list[str], env: dict) -> tuple[float, str]:
    """(CPU user + system of the child, its stdout)."""
    p = subprocess.Popen([sys.executable, "-m", "darkbeam", *args], stdout=subprocess.PIPE, env=env)
    stdout = p.stdout.read().decode()
    _, status, ru = os.wait4(p.pid, 0)
    p.stdout.close()
    if status != 0:
        raise SystemExit(f"darkbeam {' '.join(args)} failed ({status})")
    return ru.ru_utime + ru.ru_stime, stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="folder for each run's JSON summary (diff two versions)")
    ap.add_argument("--cold", action="store_true", help="empty NUMBA_CACHE_DIR before every run")
    ap.add_argument("--only", nargs="*", help="configurations to run (first word of the names as printed)")
    ap.add_argument("--baseline-src", type=Path, help="another darkbeam source tree (its src/ folder): alternate "
                    "its runs with this tree's and print both medians")
    a = ap.parse_args()
    from vs_darknews import compile_bytecode

    import darkbeam

    compile_bytecode(Path(darkbeam.__file__).parent.parent)  # as an installed package (see there)
    if a.baseline_src:
        compile_bytecode(a.baseline_src)
    tmp = Path(tempfile.mkdtemp(prefix="darkbeam_fixed_"))
    cache = tmp / "numba_cache"
    env = {**os.environ, **ENV1, "NUMBA_CACHE_DIR": str(cache)}
    if a.keep:
        a.keep.mkdir(parents=True, exist_ok=True)
    trees = {"": env}
    if a.baseline_src:
        trees = {"baseline": {**env, "PYTHONPATH": str(a.baseline_src.resolve())}, "this tree": env}
    for name, cmd in commands(tmp).items():
        key = name.split()[0]
        if a.only and key not in a.only:
            continue
        cpus = {t: [] for t in trees}
        for i in range(a.repeat):
            for t, e in trees.items():  # alternated
                if a.cold:
                    shutil.rmtree(cache, ignore_errors=True)
                cpu, stdout = run(cmd, e)
                cpus[t].append(cpu)
                if a.keep and i == 0:
                    d = json.loads(stdout)
                    d.pop("files", None)
                    (a.keep / f"{key}{'_' + t.replace(' ', '_') if t else ''}.json").write_text(
                        json.dumps(d, indent=1, sort_keys=True))
        for t, c in cpus.items():
            print(f"{name:42s} {t:10s} CPU median {statistics.median(c):.3f} s  runs {' '.join(f'{x:.3f}' for x in c)}",
                  flush=True)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
