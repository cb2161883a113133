"""Weighted events per CPU second of ``darkbeam generate``, two source trees side by side (A/B).

Runs the real CLI (default model, MiniBooNE FHC, all 16 process cases, no output) as child processes
from two source trees, alternating A, B, A, B, ... so that both see the same machine state, and
reports the median over ``--repeat`` runs of the whole-process CPU time (user + system, os.wait4) and
of the peak RSS, for each -n.  A is a git revision (extracted with ``git archive`` into a temporary
directory), B the working tree.  Issue 10; results: benchmarks/results/generate_cpu_ab.txt.

    python benchmarks/generate_cpu_ab.py --before HEAD~1 [-n 20000 62500] [--repeat 3] [--args '...']
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_cli(src: Path, n_per_case: int, seed: int = 1, extra: tuple[str, ...] = ()) -> dict:
    """One child run of ``darkbeam generate -n n_per_case --json [extra]`` with ``src`` on PYTHONPATH."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", "darkbeam", "generate", "-n", str(n_per_case), "--seed", str(seed), "--json",
           *extra]
    with tempfile.TemporaryDirectory() as d, tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen(cmd, env=env, cwd=d, stdout=out, stderr=err, text=True)
        _, status, ru = os.wait4(p.pid, 0)
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{err.read()[-3000:]}")
        s = json.loads(out.read())
    return {"events": int(s["n_events"]), "cpu": ru.ru_utime + ru.ru_stime, "user": ru.ru_utime, "sys": ru.ru_stime,
            "faults": ru.ru_minflt, "rss_MB": ru.ru_maxrss / 1024.0,
            "total": s["decay_in_detector"], "total_err": s["decay_in_detector_err"]}


def extract(rev: str, into: Path) -> Path:
    """The src/ tree of git revision ``rev`` extracted under ``into``."""
    tar = into / "src.tar"
    with open(tar, "wb") as f:
        subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], stdout=f, check=True)
    with tarfile.open(tar) as t:
        t.extractall(into, filter="data")
    return into / "src"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", default="HEAD", help="git revision of A (default HEAD)")
    ap.add_argument("-n", type=int, nargs="+", default=[20_000, 62_500], help="-n values (events per case)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per tree and -n (medians)")
    ap.add_argument("--args", default="", help="further arguments of darkbeam generate (one string), e.g. "
                    "'--projectile nu_mu --regime coherent --regime p-el --couplings darknews'")
    args = ap.parse_args(argv)
    extra = tuple(shlex.split(args.args))
    os.environ.setdefault("DARKBEAM_DATA_DIR", str(ROOT.parent.parent / "shared" / "data"))
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"A": extract(args.before, Path(tmp)), "B": ROOT / "src"}
        for t in trees.values():  # byte-compiled once, so neither tree recompiles per run (PYTHONDONTWRITEBYTECODE)
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(t / "darkbeam")], check=True,
                           env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})
        for n in args.n:
            runs = {"A": [], "B": []}
            for _ in range(args.repeat):
                for k in ("A", "B"):
                    runs[k].append(run_cli(trees[k], n, extra=extra))
            med = {k: {q: statistics.median(r[q] for r in v) for q in ("events", "cpu", "user", "sys", "faults", "rss_MB")} for k, v in runs.items()}
            for k, label in (("A", f"A = {args.before}"), ("B", "B = working tree")):
                m = med[k]
                cpus = ", ".join(f"{r['cpu']:.2f}" for r in runs[k])
                print(f"-n {n:>6} {label:<22} {m['events']:>9.0f} events  CPU median {m['cpu']:6.2f} s ({cpus})  "
                      f"{m['events'] / m['cpu']:>9,.0f} events per CPU s  (user {m['user']:.2f}, system {m['sys']:.2f} s, "
                      f"{m['faults'] / 1e3:.0f}k page faults)  peak RSS {m['rss_MB']:6.1f} MB  "
                      f"total {runs[k][0]['total']:.6e} +- {runs[k][0]['total_err']:.1e}", flush=True)
            ratio = (med["B"]["events"] / med["B"]["cpu"]) / (med["A"]["events"] / med["A"]["cpu"])
            print(f"-n {n:>6} events per CPU s, B / A = {ratio:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
