"""CPU time of a 50 x 50 (m4, |U_mu4|^2) sensitivity plane at MiniBooNE, against fair DarkNews yardsticks.

darkbeam generates each of the 50 masses once and reaches the 50 couplings of each mass by exact
reweighting (darkbeam.processes.reweight).  The scan runs as a child process (its whole process: start-up,
imports, 50 generations, 2500 reweightings, limits, contours, plot); its CPU time is user + system from
os.wait4.  Serial (the default), every unit runs inside that child and the figure is exact.  With a
process pool the workers are children of the forkserver, which rusage never sees, so each unit measures
its own CPU (time.process_time around darkbeam.scan.points.run_unit, ``cpu_timed_unit``) and the total is
the child's CPU plus the units' (worker start-up is not counted: a slight underestimate).

Yardsticks (issue 10):

* one DarkNews run per mass: a DarkNews user runs each m4 once and rescales |U_mu4|^2 (the rate scales
  as |U|^2 for fixed m4 when N decays promptly), so the plane costs n_masses DarkNews default runs;
* the target: the whole plane in less CPU than 1.5 DarkNews default runs.

The DarkNews CPU of one default run (dn_gen's default: MiniBooNE FHC, 6 cases, whole process) is the
median in benchmarks/results/vs_darknews.json if that exists, else measured here once, or given.

    python benchmarks/scan_plane.py                           # 50 x 50, serial, CPU exact
    python benchmarks/scan_plane.py --workers 2               # also the wall time on two cores
    python benchmarks/scan_plane.py --darknews-cpu 12.5       # give DarkNews's CPU per default run
    python benchmarks/scan_plane.py --quick                   # 10 x 10 smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

_CHILD = r"""
import json, os, resource, sys, time
config, n, executor, workers, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
sys.path.insert(0, os.environ["BENCH_DIR"])
from scan_plane import cpu_timed_unit
from darkbeam.models.io import read_toml
from darkbeam.scan.config import config_from_dict
from darkbeam.scan.runner import run_scan
from darkbeam.scan.checkpoint import finished_units
from pathlib import Path
data = read_toml(config)
data["x"]["n"] = data["y"]["n"] = n
cfg = config_from_dict(data, config, str(Path(config).resolve().parent))
res = run_scan(cfg, out, executor=executor, workers=workers, resume=False, point_fn=cpu_timed_unit)
units = finished_units(Path(out), cfg.fingerprint())
ru_c = resource.getrusage(resource.RUSAGE_CHILDREN)
rep = {"units": len(units), "unit_cpu": sum(u.seconds for u in units.values()),
       "events_per_unit": sum(u.n_events for u in units.values()) / max(len(units), 1),
       "n_masses": len(units), "events_per_case": cfg.generation.events, "experiment": cfg.scan.experiment,
       "limit": str(res.limit), "contour_segments": len(res.lines),
       "reaped_children_cpu": ru_c.ru_utime + ru_c.ru_stime}
with open(os.environ["BENCH_REPORT"], "w") as f:
    json.dump(rep, f)
"""


def cpu_timed_unit(task):
    """darkbeam.scan.points.run_unit, with the unit's CPU time (not wall) as its ``seconds``."""
    from darkbeam.scan.points import run_unit

    c0 = time.process_time()
    res = run_unit(task)
    res.seconds = time.process_time() - c0
    return res


def run_plane(config: str, n: int, executor: str, workers: int) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src")] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    with tempfile.TemporaryDirectory() as d:
        rep_path = Path(d) / "report.json"
        env["BENCH_REPORT"], env["BENCH_DIR"] = str(rep_path), str(Path(__file__).resolve().parent)
        w0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-c", _CHILD, config, str(n), executor, str(workers), str(Path(d) / "scan")],
                             env=env, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - w0
        err = p.stderr.read()
        p.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"scan child failed:\n{err[-3000:]}")
        rep = json.loads(rep_path.read_text())
    driver = ru.ru_utime + ru.ru_stime
    # serial: the units ran inside the child (already in wait4); a pool: add the workers' unit CPU
    cpu = driver if executor == "serial" else driver + rep["unit_cpu"]
    rep.update(cpu=cpu, cpu_child=driver, cpu_user=ru.ru_utime, cpu_sys=ru.ru_stime, wall=wall,
               rss_MB=ru.ru_maxrss / 1024.0, grid=n, points=n * n, executor=executor, workers=workers)
    return rep


def darknews_default_cpu(given: float | None, dn_python: str) -> tuple[float | None, str]:
    """CPU seconds (whole process) of one DarkNews default run, and where the figure comes from."""
    if given is not None:
        return given, "given (--darknews-cpu)"
    js = RESULTS / "vs_darknews.json"
    if js.exists():
        for row in json.loads(js.read_text()).get("configs", []):
            if row["config"] == "default":
                return row["darknews"]["cpu"], f"median of {row['seeds']} runs in {js.relative_to(ROOT)}"
    if not Path(dn_python).exists():
        return None, "DarkNews not found"
    sys.path.insert(0, str(Path(__file__).parent))
    from vs_darknews import CONFIGS, run_darknews

    return run_darknews(dn_python, CONFIGS["default"], 1)["cpu"], "one run measured now"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=str(ROOT / "examples" / "scan_darknu_miniboone.toml"))
    ap.add_argument("--n", type=int, default=50, help="grid points per axis (default 50)")
    ap.add_argument("--workers", type=int, default=1, help="1: serial, CPU exact (default); >1: process pool")
    ap.add_argument("--executor", default="processes", choices=("processes", "dask"), help="with --workers > 1")
    ap.add_argument("--darknews-cpu", type=float, default=None, help="DarkNews CPU seconds per default run")
    ap.add_argument("--darknews-python", default=os.environ.get("DARKNEWS_PYTHON", "/work/dnvenv/bin/python"))
    ap.add_argument("--quick", action="store_true", help="10 x 10 smoke run")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here (default: results/scan_plane.json "
                    "for a full 50 x 50 run)")
    args = ap.parse_args(argv)
    if args.quick:
        args.n = 10
    os.environ.setdefault("DARKBEAM_DATA_DIR", str(ROOT.parent.parent / "shared" / "data"))
    executor = "serial" if args.workers == 1 else args.executor
    r = run_plane(args.config, args.n, executor, args.workers)
    print(f"plane: {args.n} x {args.n} = {r['points']} points, {r['experiment']}, {r['events_per_case']} events per case "
          f"per mass, {r['n_masses']} mass units, {args.workers} worker(s) ({executor})")
    how = ("whole process, os.wait4" if executor == "serial" else
           f"driver {r['cpu_child']:.1f} s (os.wait4) + units {r['unit_cpu']:.1f} s (their own process_time)")
    print(f"darkbeam: {r['cpu']:.1f} s CPU ({how}), {r['wall']:.1f} s wall (shared machine: wall is not meaningful), peak RSS {r['rss_MB']:.0f} MB; "
          f"{1e3 * r['cpu'] / r['points']:.1f} ms CPU per grid point, {r['cpu'] / r['n_masses']:.2f} s CPU per mass")
    dn, src = darknews_default_cpu(args.darknews_cpu, args.darknews_python)
    out = {"darkbeam": r, "darknews_default_cpu": dn, "darknews_source": src}
    if dn is not None:
        per_mass = dn * r["n_masses"]
        out.update(yardstick_per_mass_cpu=per_mass, ratio_per_mass=per_mass / r["cpu"],
                   plane_in_darknews_default_runs=r["cpu"] / dn, target_met=r["cpu"] < 1.5 * dn)
        print(f"DarkNews default run: {dn:.2f} s CPU ({src})")
        print(f"yardstick, one DarkNews run per mass (|U|^2 rescaled): {r['n_masses']} x {dn:.2f} = {per_mass:.0f} s CPU "
              f"-> DarkNews / darkbeam = {per_mass / r['cpu']:.1f}x")
        print(f"target: plane < 1.5 DarkNews default runs ({1.5 * dn:.1f} s CPU): darkbeam = {r['cpu'] / dn:.2f} runs -> "
              f"{'met' if out['target_met'] else 'NOT met'}")
    else:
        print("DarkNews not found (pass --darknews-cpu to compare)")
    path = args.json or (RESULTS / "scan_plane.json" if args.n == 50 and not args.quick else None)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=1))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
