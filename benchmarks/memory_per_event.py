"""Peak RSS growth per event and weighted events per CPU second of ``darkbeam generate``, whole process.

Runs the real CLI (default model, MiniBooNE FHC, all 16 process cases) as child processes with -n chosen
to give about 1e5 and 1e6 weighted events in total, without output and with the parquet file written.
For each child: CPU = user + system and peak RSS (ru_maxrss) from os.wait4, so start-up, imports and
every temporary count.  Reported:

* peak RSS growth per event = (RSS(1e6) - RSS(1e5)) / (events(1e6) - events(1e5))   (target <= 300 B);
* weighted events per CPU second at 1e6 events, whole process                        (target >= 1e6).

The EventSet's stored columns alone (EventSet.bytes_per_event, benchmarks/bench_writers.py) are a lower
bound of the first figure, not the figure.

    python benchmarks/memory_per_event.py [--events 1e5 1e6] [--repeat 1] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
N_CASES = 16  # process cases of the default model at MiniBooNE FHC (checked against the run's summary)


def run_cli(n_per_case: int, parquet: bool, seed: int = 1) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src")] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    with tempfile.TemporaryDirectory() as d:
        cmd = [sys.executable, "-m", "darkbeam", "generate", "-n", str(n_per_case), "--seed", str(seed), "--json"]
        if parquet:
            cmd += ["-o", str(Path(d) / "ev.parquet")]
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            w0 = time.perf_counter()
            p = subprocess.Popen(cmd, env=env, cwd=d, stdout=out, stderr=err, text=True)
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - w0
            out.seek(0)
            err.seek(0)
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"{' '.join(cmd)} failed:\n{err.read()[-3000:]}")
            s = json.loads(out.read())
    return {"n_per_case": n_per_case, "parquet": parquet, "events": int(s["n_events"]), "cases": len(s["cases"]),
            "cpu": ru.ru_utime + ru.ru_stime, "cpu_user": ru.ru_utime, "cpu_sys": ru.ru_stime,
            "rss_MB": ru.ru_maxrss / 1024.0, "wall": wall}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=float, nargs=2, default=[1e5, 1e6], help="the two total event counts")
    ap.add_argument("--repeat", type=int, default=1, help="runs per point (medians)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 2e4 and 1e5 events, no parquet variant")
    ap.add_argument("--json", type=Path, default=None, help="default: results/memory_per_event.json (full runs)")
    args = ap.parse_args(argv)
    if args.quick:
        args.events = [2e4, 1e5]
    os.environ.setdefault("DARKBEAM_DATA_DIR", str(ROOT.parent.parent / "shared" / "data"))
    rows = {}
    for parquet in ((False,) if args.quick else (False, True)):
        for total in args.events:
            runs = [run_cli(int(round(total / N_CASES)), parquet, seed=1 + i) for i in range(args.repeat)]
            r = {k: statistics.median(x[k] for x in runs) for k in ("events", "cpu", "cpu_user", "cpu_sys", "rss_MB", "wall")}
            r.update(cases=runs[0]["cases"], n_per_case=runs[0]["n_per_case"], parquet=parquet)
            rows[f"{'parquet' if parquet else 'no_output'}_{total:.0e}"] = r
            print(f"{'-o parquet' if parquet else 'no output':<11} -n {r['n_per_case']:>7} ({r['cases']} cases): "
                  f"{r['events']:>9.0f} events, CPU {r['cpu']:6.2f} s (user {r['cpu_user']:.2f} + system "
                  f"{r['cpu_sys']:.2f}), peak RSS {r['rss_MB']:7.1f} MB, {r['events'] / r['cpu']:>10,.0f} events per CPU s",
                  flush=True)
    out = {"runs": rows, "note": "CPU = user + system of the child (os.wait4), whole process; shared machine"}
    for variant in ((("no_output",) if args.quick else ("no_output", "parquet"))):
        lo, hi = (rows[f"{variant}_{t:.0e}"] for t in args.events)
        growth = (hi["rss_MB"] - lo["rss_MB"]) * 2**20 / (hi["events"] - lo["events"])
        rate = hi["events"] / hi["cpu"]
        out[variant] = {"rss_growth_B_per_event": growth, "events_per_cpu_s_at_high": rate,
                        "rss_target_met": growth <= 300, "rate_target_met": rate >= 1e6}
        print(f"{variant}: peak RSS growth {growth:.0f} B/event between {lo['events']:.0f} and {hi['events']:.0f} events "
              f"(target <= 300: {'met' if growth <= 300 else 'NOT met'}); {rate:,.0f} weighted events per CPU s at "
              f"{hi['events']:.0f} events (target >= 1e6: {'met' if rate >= 1e6 else 'NOT met'})")
    path = args.json or (None if args.quick else RESULTS / "memory_per_event.json")
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=1))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
