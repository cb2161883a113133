"""darkbeam vs DarkNews at equal precision: CPU time (whole process and generation), peak RSS, the same
error measures for both, the output writers, and the ratios.

DarkNews is a peer, never a dependency: install it in its own virtual environment (pyhepmc too, for its
HepMC3 writer), e.g.

    python3 -m venv /work/dnvenv && /work/dnvenv/bin/pip install DarkNews pyhepmc
    python benchmarks/vs_darknews.py [--darknews-python /work/dnvenv/bin/python] [--seeds 5] [--quick]

Method (docs/performance.md):

* Both codes run as child processes, alternated (DarkNews seed k, darkbeam seed k, ...), one thread each
  (OPENBLAS/OMP/MKL_NUM_THREADS=1).  CPU time = user + system of the child (os.wait4), so interpreter
  start-up, imports and the output write count ("whole process"); each child also times its own
  generation call with time.process_time() (DarkNews: GenLauncher(...) + run() with its pickle write
  switched off; darkbeam: generate() inside the real ``darkbeam generate`` CLI).  The output write is
  on both sides: DarkNews's default pickle (dill) of its DataFrame, darkbeam's parquet file.  Peak RSS
  is the child's ru_maxrss.  Medians over the seeds (at least 3).
* Error measure (a), Kish: effective sample size n_eff = (sum w)^2 / sum w^2 of the upscattering weights
  (DarkNews ``w_event_rate``, darkbeam ``w_rate``); darkbeam's events per case are calibrated (in runs
  that are not timed) so that its n_eff >= DarkNews's.  Ratio = CPU_DN / CPU_db.
* Error measure (b), scatter: relative standard deviation of the total upscattering rate over the seeds,
  for the same runs.  At equal scatter the CPU ratio is (CPU_DN s_DN^2) / (CPU_db s_db^2) (CPU x variance
  figure of merit; it assumes CPU proportional to 1/variance, which the fixed start-up cost breaks for
  the cheaper code, so it flatters darkbeam slightly).  With k seeds s itself is uncertain by about
  1/sqrt(2(k-1)) (35% for k = 5), so this ratio is known to a factor ~2 only: the printed range says so.
* HepMC3: DarkNews's own writer (Printer.print_events_to_hepmc3, pyhepmc objects) timed on N of its
  events; darkbeam's write(format="hepmc3") on the events of its default-configuration run.
* darkbeam is also run through its Python API (darkbeam.generate + darkbeam.events.write, the CLI's cases and
  statistics), as the DarkNews child runs GenLauncher rather than its command line (``--no-api`` skips it).
* Floor: the median CPU of children that only start Python and import numpy (vegas, pyarrow.parquet).
  Whatever darkbeam does, its whole-process CPU is above it; DarkNews's CPU / 25 minus the floor is what a
  25x ratio leaves for darkbeam's own imports, set-up and events.

Configurations (issue 10): DarkNews's default (MiniBooNE FHC, Dirac N 150 MeV, Z' 1.25 GeV); a light Z'
at MicroBooNE; the transition dipole at MiniBooNE; the default with a Majorana N; the default at the
DUNE near detector (FHC).  DarkNews runs nu_mu only, coherent and proton-elastic: darkbeam is run with the
same cases (--projectile nu_mu --regime coherent --regime p-el) and DarkNews's electroweak inputs
(--couplings darknews); the number of cases is checked to agree.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

_DIPOLE = {"mu_tr_mu4": "1e-6", "m4": "0.1", "Umu4": "0", "UD4": "0", "epsilon": "0", "gD": "0"}
CONFIGS = {
    "default": {"experiment": "miniboone_fhc", "sets": {}, "dn": {}},
    "light_zprime_microboone": {
        "experiment": "microboone",
        "sets": {"m4": "0.1", "mzprime": "0.03", "Umu4": "1e-3", "UD4": "1", "gD": "1", "epsilon": "1e-3"},
        "dn": {"experiment": "microboone", "mzprime": 0.03, "m4": 0.1, "Umu4": 1e-3, "UD4": 1.0, "gD": 1.0,
               "epsilon": 1e-3},
    },
    "dipole_miniboone": {
        "experiment": "miniboone_fhc",
        "sets": {"m4": "0.1", "mu_tr_mu4": "1e-6", "mzprime": "none", "Umu4": "0", "UD4": "0", "epsilon": "none",
                 "gD": "none"},
        "dn": {"mu_tr_mu4": 1e-6, "m4": 0.1, "Umu4": 0.0, "UD4": 0.0, "epsilon": 0.0, "gD": 0.0,
               "decay_product": "photon"},
    },
    "majorana": {"experiment": "miniboone_fhc", "sets": {"HNLtype": "majorana"}, "dn": {"HNLtype": "majorana"}},
    "dune_nd_fhc": {"experiment": "dune_nd_fhc", "sets": {}, "dn": {"experiment": "dune_nd_fhc"}},
}

_ENV1 = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}

# DarkNews child: its generation (GenLauncher(...) + run(), pickle off) and its default pickle write, each
# timed by process_time; then the weights' sums (after the timers).
_DN_CHILD = r"""
import json, os, sys, time
kw = json.loads(sys.argv[1]); nhep = int(sys.argv[2])
from DarkNews import GenLauncher
import numpy as np
t = {}
c0 = time.process_time()
gen = GenLauncher(pandas=False, **kw)
df = gen.run()
t["cpu_gen"] = time.process_time() - c0
c0 = time.process_time()
gen.dn_printer.print_events_to_pandas()
t["cpu_write"] = time.process_time() - c0
w = np.asarray(df["w_event_rate"], dtype=float).ravel()
t.update(events=int(w.size), sum_w=float(w.sum()), sum_w2=float((w * w).sum()), cases=len(gen.gen_cases))
if nhep > 0:
    import DarkNews as dn
    sub = df.iloc[:nhep].reset_index(drop=True)
    p = dn.printer.Printer(sub, data_path=kw["path"], decay_product=kw.get("decay_product", "e+e-"))
    w0, c0 = time.perf_counter(), time.process_time()
    p.print_events_to_hepmc3(filename=os.path.join(kw["path"], "dn.hepmc3"))
    t["hepmc3_events"] = len(sub); t["hepmc3_s"] = time.perf_counter() - w0; t["hepmc3_cpu"] = time.process_time() - c0
with open(os.environ["BENCH_REPORT"], "w") as f:
    json.dump(t, f)
"""

# darkbeam child: the real CLI (`darkbeam generate ... -o x.parquet --json`) with timers wrapped around
# generate() and write(); the weights' sums after the timer.
_DB_CHILD = r"""
import json, os, sys, time
t = {"cpu_write": 0.0}
import darkbeam.processes.generator as _g, darkbeam.events as _e
_gen, _write = _g.generate, _e.write
def generate(*a, **k):
    c0 = time.process_time()
    r = _gen(*a, **k)
    t["cpu_gen"] = time.process_time() - c0
    w = r.events["w_rate"]
    t.update(events=int(len(w)), sum_w=float(w.sum()), sum_w2=float((w * w).sum()))
    return r
def write(*a, **k):
    c0 = time.process_time()
    p = _write(*a, **k)
    t["cpu_write"] += time.process_time() - c0
    return p
_g.generate, _e.write = generate, write
from darkbeam.cli.main import main
code = main(sys.argv[1:])
with open(os.environ["BENCH_REPORT"], "w") as f:
    json.dump(t, f)
sys.exit(code)
"""


# darkbeam child through its Python API (as the DarkNews child uses GenLauncher, not its command line):
# darkbeam.generate(...) with the CLI's statistics, then darkbeam.events.write(...) of the parquet file.
_DB_API_CHILD = r"""
import json, os, sys, time
cfg = json.loads(sys.argv[1])
t = {}
import darkbeam
from darkbeam.processes.upscatter_decay import GenerationOptions
c0 = time.process_time()
r = darkbeam.generate(cfg["model"], cfg["experiment"], seed=cfg["seed"],
                      options=GenerationOptions(neval=max(cfg["n"], 50), n_batches=1),
                      projectiles=["nu_mu"], regimes=["coherent", "p-el"], couplings_scheme="darknews")
t["cpu_gen"] = time.process_time() - c0
c0 = time.process_time()
from darkbeam.events import write
write(r.events, cfg["out"], overwrite=True)
t["cpu_write"] = time.process_time() - c0
w = r.events["w_rate"]
t.update(events=int(len(w)), sum_w=float(w.sum()), sum_w2=float((w * w).sum()), cases=len(r.summary.cases),
         upscattered=float(r.summary.upscattered))
with open(os.environ["BENCH_REPORT"], "w") as f:
    json.dump(t, f)
"""

# the floor: an interpreter that only imports what any numpy code with darkbeam's output needs
FLOORS = {"python": "pass", "numpy": "import numpy", "numpy+vegas": "import numpy, vegas",
          "numpy+vegas+pyarrow.parquet": "import numpy, vegas, pyarrow.parquet"}


def run_child(cmd: list[str], env: dict, cwd: str) -> dict:
    """Run a child to completion; its own report, plus CPU (user + system) and peak RSS from os.wait4."""
    with tempfile.NamedTemporaryFile("w+", suffix=".json", delete=False) as rep, \
            tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        env = {**env, "BENCH_REPORT": rep.name}
        w0 = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err, text=True)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - w0
        out.seek(0)
        err.seek(0)
        text = out.read()
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:4])} ... failed ({p.returncode}):\n{text[-2000:]}\n{err.read()[-3000:]}")
        d = json.load(open(rep.name))
    os.unlink(rep.name)
    d.update(cpu=ru.ru_utime + ru.ru_stime, cpu_user=ru.ru_utime, cpu_sys=ru.ru_stime,
             rss_MB=ru.ru_maxrss / 1024.0, wall=wall, stdout=text)
    d["n_eff"] = d["sum_w"] ** 2 / d["sum_w2"] if d.get("sum_w2") else 0.0
    return d


def run_darknews(dn_python: str, cfg: dict, seed: int, nhep: int = 0) -> dict:
    with tempfile.TemporaryDirectory() as d:
        kw = {"experiment": "miniboone_fhc", **cfg["dn"], "path": str(Path(d) / "dn"), "seed": seed}
        r = run_child([dn_python, "-c", _DN_CHILD, json.dumps(kw), str(nhep)], {**os.environ, **_ENV1}, d)
    r["total"] = r["sum_w"]
    del r["stdout"]
    return r


def compile_bytecode(src: Path) -> None:
    """Byte-compile darkbeam's modules once, as pip does when it installs a wheel (DarkNews, installed
    with pip, has its .pyc files): otherwise, with PYTHONDONTWRITEBYTECODE=1 in the environment and no
    __pycache__ in the source tree, every darkbeam child compiles ~80 modules from source (~0.2-0.3 s of
    CPU per run, docs/startup.md)."""
    import compileall

    compileall.compile_dir(str(src / "darkbeam"), quiet=1)


def db_env() -> dict:
    compile_bytecode(ROOT / "src")
    env = {**os.environ, **_ENV1}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src")] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    env.setdefault("DARKBEAM_DATA_DIR", str(ROOT.parent.parent / "shared" / "data"))
    return env


def run_darkbeam(cfg: dict, seed: int, n: int, keep: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as d:
        out = keep if keep is not None else Path(d) / "ev.parquet"
        cmd = [sys.executable, "-c", _DB_CHILD, "generate", "-e", cfg["experiment"], "--seed", str(seed),
               "-n", str(n), "--projectile", "nu_mu", "--regime", "coherent", "--regime", "p-el",
               "--couplings", "darknews", "-o", str(out), "--overwrite", "--json"]
        for k, v in cfg["sets"].items():
            cmd += ["-s", f"{k}={v}"]
        r = run_child(cmd, db_env(), d)
    s = json.loads(r.pop("stdout"))
    r.update(total=s["upscattered"], cases=len(s["cases"]), n=n)
    return r


def _api_value(v: str):
    """A ``-s key=value`` string of CONFIGS as the Python API takes it (None, a float or the string)."""
    if v.lower() == "none":
        return None
    try:
        return float(v)
    except ValueError:
        return v


def run_darkbeam_api(cfg: dict, seed: int, n: int) -> dict:
    """darkbeam through its Python API (the same cases and statistics as run_darkbeam's CLI run)."""
    with tempfile.TemporaryDirectory() as d:
        c = {"model": {k: _api_value(v) for k, v in cfg["sets"].items()}, "experiment": cfg["experiment"],
             "seed": seed, "n": n, "out": str(Path(d) / "ev.parquet")}
        r = run_child([sys.executable, "-c", _DB_API_CHILD, json.dumps(c)], db_env(), d)
    r.update(total=r["upscattered"], n=n)
    del r["stdout"]
    return r


def run_floor(code: str) -> dict:
    with tempfile.TemporaryDirectory() as d:
        return run_child([sys.executable, "-c", code + "\nimport os\nopen(os.environ['BENCH_REPORT'], 'w').write('{}')"],
                         {**os.environ, **_ENV1}, d)


def floors(k: int) -> dict:
    """Median CPU of a child that only starts the interpreter and imports numpy (vegas, pyarrow): the
    part of any whole-process figure that darkbeam's own code cannot remove."""
    runs = {name: [] for name in FLOORS}
    for _ in range(k):
        for name, code in FLOORS.items():
            runs[name].append(run_floor(code)["cpu"])
    return {name: statistics.median(v) for name, v in runs.items()}


def calibrate(cfg: dict, n_eff_target: float, n0: int, margin: float = 1.15) -> int:
    """darkbeam events per case whose Kish n_eff is >= target (runs not timed; seeds 1000+)."""
    n = n0
    for i in range(4):
        r = run_darkbeam(cfg, 1000 + i, n)
        if r["n_eff"] >= n_eff_target * margin:
            return n
        n = max(100, int(math.ceil(n * n_eff_target * margin / max(r["n_eff"], 1.0) / 100.0)) * 100)
    return n


def _rel_sd(xs: list[float]) -> float:
    return statistics.stdev(xs) / statistics.fmean(xs)


def summarize(name: str, dn: list[dict], db: list[dict], api: list[dict] | None = None) -> dict:
    k = len(dn)
    med = lambda runs, key: statistics.median(r[key] for r in runs)
    s_dn, s_db = _rel_sd([r["total"] for r in dn]), _rel_sd([r["total"] for r in db])
    f = 1.0 / math.sqrt(2 * (k - 1))  # relative uncertainty of a standard deviation from k values
    out = {"config": name, "seeds": k, "darknews": {}, "darkbeam": {}}
    for side, runs, s in (("darknews", dn, s_dn), ("darkbeam", db, s_db)):
        out[side] = {key: med(runs, key) for key in ("cpu", "cpu_user", "cpu_sys", "cpu_gen", "cpu_write", "rss_MB",
                                                     "wall", "events", "n_eff")}
        out[side].update(n_eff_min=min(r["n_eff"] for r in runs), n_eff_max=max(r["n_eff"] for r in runs), total_mean=statistics.fmean(r["total"] for r in runs),
                         rel_sd_total=s, kish_rel_err=1.0 / math.sqrt(out[side]["n_eff"]), cases=runs[0]["cases"],
                         runs=[{kk: r[kk] for kk in ("cpu", "cpu_gen", "cpu_write", "rss_MB", "n_eff", "total")}
                               for r in runs])
    out["darkbeam"]["events_per_case"] = db[0]["n"]
    a, b = out["darknews"], out["darkbeam"]
    if api:
        out["darkbeam_api"] = {key: med(api, key) for key in ("cpu", "cpu_gen", "cpu_write", "rss_MB", "n_eff")}
        out["darkbeam_api"].update(n_eff_min=min(r["n_eff"] for r in api), rel_sd_total=_rel_sd([r["total"] for r in api]),
                                   same_totals_as_cli=[r["total"] for r in api] == [r["total"] for r in db])
    fom = lambda key: (a[key] * s_dn**2) / (b[key] * s_db**2)
    out["ratios"] = {
        "kish_whole": a["cpu"] / b["cpu"], "kish_generation": a["cpu_gen"] / b["cpu_gen"],
        "kish_neff_ok": b["n_eff_min"] >= a["n_eff_max"],  # every darkbeam run >= every DarkNews run
        "scatter_whole": fom("cpu"), "scatter_generation": fom("cpu_gen"),
        "scatter_factor_range": [((1 - f) / (1 + f)) ** 2, ((1 + f) / (1 - f)) ** 2],
        "total_db_over_dn": b["total_mean"] / a["total_mean"],
        "rss": a["rss_MB"] / b["rss_MB"],
    }
    if api:
        out["ratios"]["kish_whole_api"] = a["cpu"] / out["darkbeam_api"]["cpu"]
    return out


def print_table(rows: list[dict]) -> None:
    print("\nCPU seconds (user + system of the child; medians over the seeds), Kish n_eff, seed-to-seed scatter:")
    hdr = (f"{'config':<24}{'cases':>6}{'n_eff DN/db':>16}{'CPU whole DN/db [s]':>22}{'x':>7}"
           f"{'CPU gen DN/db [s]':>20}{'x':>7}{'rel.sd DN/db':>20}{'x@sd whole':>12}{'x@sd gen':>10}"
           f"{'RSS DN/db [MB]':>16}{'db/DN total':>12}")
    print(hdr)
    for r in rows:
        a, b, q = r["darknews"], r["darkbeam"], r["ratios"]
        print(f"{r['config']:<24}{a['cases']:>3}/{b['cases']:<2}{a['n_eff']:>8.0f}/{b['n_eff_min']:<7.0f}"
              f"{a['cpu']:>12.2f}/{b['cpu']:<9.2f}{q['kish_whole']:>7.1f}{a['cpu_gen']:>10.2f}/{b['cpu_gen']:<9.3f}"
              f"{q['kish_generation']:>7.1f}{a['rel_sd_total']:>11.1e}/{b['rel_sd_total']:<8.1e}"
              f"{q['scatter_whole']:>12.0f}{q['scatter_generation']:>10.0f}{a['rss_MB']:>9.0f}/{b['rss_MB']:<6.0f}"
              f"{q['total_db_over_dn']:>12.4f}")
    if any("darkbeam_api" in r for r in rows):
        print("\ndarkbeam through its Python API (darkbeam.generate + darkbeam.events.write, as DarkNews runs GenLauncher):")
        for r in rows:
            if "darkbeam_api" in r:
                b = r["darkbeam_api"]
                print(f"{r['config']:<24} CPU whole {r['darknews']['cpu']:.2f}/{b['cpu']:.2f} s = "
                      f"{r['ratios']['kish_whole_api']:.1f}x (n_eff min {b['n_eff_min']:.0f}; same totals as the CLI: "
                      f"{b['same_totals_as_cli']})")
    lo, hi = rows[0]["ratios"]["scatter_factor_range"]
    print(f"(x@sd: CPU ratio at equal seed-to-seed scatter, (CPU_DN s_DN^2)/(CPU_db s_db^2); with {rows[0]['seeds']} "
          f"seeds each it is uncertain by a factor {lo:.2f}-{hi:.2f} (68%))")


def markdown(doc: dict) -> str:
    """The figures of a results JSON as markdown tables (docs/performance.md)."""
    rows = doc["configs"]
    lines = ["| configuration | cases DN/db | Kish n_eff DN / db (min) | CPU whole DN / db | ratio | CPU generation DN / db "
             "| ratio | rel. s.d. of total DN / db | ratio at equal s.d., whole / gen. | peak RSS DN / db | total db/DN |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        a, b, q = r["darknews"], r["darkbeam"], r["ratios"]
        lines.append(f"| {r['config']} | {a['cases']}/{b['cases']} | {a['n_eff']:.0f} / {b['n_eff_min']:.0f} | "
                     f"{a['cpu']:.2f} / {b['cpu']:.2f} s | {q['kish_whole']:.1f}x | {a['cpu_gen']:.2f} / {b['cpu_gen']:.3f} s | "
                     f"{q['kish_generation']:.1f}x | {a['rel_sd_total']:.1e} / {b['rel_sd_total']:.1e} | "
                     f"{q['scatter_whole']:.0f}x / {q['scatter_generation']:.0f}x | {a['rss_MB']:.0f} / {b['rss_MB']:.0f} MB | "
                     f"{q['total_db_over_dn']:.4f} |")
    w = doc.get("writers")
    if w:
        lines += ["", f"HepMC3 writing: DarkNews {w['darknews_hepmc3_events_per_cpu_s']:,.0f} events per CPU s "
                  f"({w['darknews_hepmc3_events']} events, its own pyhepmc writer), darkbeam "
                  f"{w['darkbeam_hepmc3_events_per_cpu_s']:,.0f} events per CPU s ({w['darkbeam_hepmc3_events']} events of "
                  "its default-configuration run)."]
    return "\n".join(lines)


def writer_rates(dn_python: str, nhep: int, keep: Path) -> dict:
    """HepMC3 rate of DarkNews's own writer on nhep of its default events; darkbeam's on its default run."""
    dn = run_darknews(dn_python, CONFIGS["default"], 1, nhep=nhep)
    from darkbeam.events import read_parquet, write

    ev = read_parquet(keep)
    best, cpu = math.inf, math.inf
    with tempfile.TemporaryDirectory() as d:
        for _ in range(2):
            w0, c0 = time.perf_counter(), time.process_time()
            write(ev, Path(d) / "ev.hepmc3", format="hepmc3", overwrite=True)
            best, cpu = min(best, time.perf_counter() - w0), min(cpu, time.process_time() - c0)
    return {"darknews_hepmc3_events_per_s": dn["hepmc3_events"] / dn["hepmc3_s"], "darknews_hepmc3_events": dn["hepmc3_events"],
            "darknews_hepmc3_events_per_cpu_s": dn["hepmc3_events"] / dn["hepmc3_cpu"],
            "darkbeam_hepmc3_events_per_s": len(ev) / best, "darkbeam_hepmc3_events_per_cpu_s": len(ev) / cpu,
            "darkbeam_hepmc3_events": len(ev)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--darknews-python", default=os.environ.get("DARKNEWS_PYTHON", "/work/dnvenv/bin/python"),
                    help="python of the virtual environment where DarkNews is installed")
    ap.add_argument("--configs", nargs="*", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--seeds", type=int, default=5, help="runs of each code per configuration (>= 3; default 5)")
    ap.add_argument("--hepmc-events", type=int, default=2000, help="DarkNews events written to HepMC3 (default 2000)")
    ap.add_argument("--quick", action="store_true", help="smoke run: default configuration, 3 seeds, 300 HepMC3 events")
    ap.add_argument("--json", type=Path, default=RESULTS / "vs_darknews.json", help="where to write the figures")
    ap.add_argument("--no-api", action="store_true", help="skip the runs of darkbeam through its Python API")
    ap.add_argument("--markdown", action="store_true", help="print the figures of --json as markdown and exit (no runs)")
    args = ap.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(args.json.read_text())))
        return 0
    if args.quick:
        args.configs, args.seeds, args.hepmc_events = ["default"], 3, 300
    if args.seeds < 3:
        ap.error("--seeds must be >= 3")
    if not Path(args.darknews_python).exists():
        print(f"{args.darknews_python} not found: install DarkNews in a separate venv (see --help)", file=sys.stderr)
        return 2
    os.environ.setdefault("DARKBEAM_DATA_DIR", str(ROOT.parent.parent / "shared" / "data"))
    rows, keep_dir = [], Path(tempfile.mkdtemp(prefix="vsdn_"))
    keep = keep_dir / "default.parquet"
    for name in args.configs:
        cfg = CONFIGS[name]
        print(f"== {name}: DarkNews seed 1 ...", flush=True)
        dn = [run_darknews(args.darknews_python, cfg, 1)]
        n = calibrate(cfg, dn[0]["n_eff"], n0=2000)
        print(f"   darkbeam -n {n} per case (Kish n_eff >= DarkNews's {dn[0]['n_eff']:.0f}); alternating "
              f"{args.seeds} seeds", flush=True)
        db = [run_darkbeam(cfg, 1, n, keep=keep if name == "default" else None)]
        api = [] if args.no_api else [run_darkbeam_api(cfg, 1, n)]
        for seed in range(2, args.seeds + 1):
            dn.append(run_darknews(args.darknews_python, cfg, seed))
            db.append(run_darkbeam(cfg, seed, n))
            if not args.no_api:
                api.append(run_darkbeam_api(cfg, seed, n))
        rows.append(summarize(name, dn, db, api))
        if not rows[-1]["ratios"]["kish_neff_ok"]:
            print("   WARNING: a darkbeam run has a smaller Kish n_eff than a DarkNews run")
        if dn[0]["cases"] != db[0]["cases"]:
            print(f"   WARNING: {dn[0]['cases']} DarkNews cases vs {db[0]['cases']} darkbeam cases")
    print_table(rows)
    writers = None
    if keep.exists():
        writers = writer_rates(args.darknews_python, args.hepmc_events, keep)
        hr = writers["darkbeam_hepmc3_events_per_cpu_s"]
        print(f"\nHepMC3 writing: DarkNews {writers['darknews_hepmc3_events_per_cpu_s']:,.0f} events per CPU s "
              f"({writers['darknews_hepmc3_events']} events, its pyhepmc writer); darkbeam {hr:,.0f} events per CPU s, "
              f"{writers['darkbeam_hepmc3_events_per_s']:,.0f} per wall s ({writers['darkbeam_hepmc3_events']} events; "
              f"target >= 3e5: {'met' if hr >= 3e5 else 'NOT met'})")
        d = next(r for r in rows if r["config"] == "default")
        print(f"Output write inside the whole-process CPU: DarkNews pickle {d['darknews']['cpu_write']:.2f} s "
              f"({d['darknews']['events']:.0f} events), darkbeam parquet {d['darkbeam']['cpu_write']:.3f} s "
              f"({d['darkbeam']['events']:.0f} events)")
    floor = floors(args.seeds)
    print("\nFloor (median CPU of a child that only imports; no darkbeam code): "
          + ", ".join(f"{k} {v:.3f} s" for k, v in floor.items()))
    for r in rows:
        dn_cpu = r["darknews"]["cpu"]
        r["floor_ratio"] = {k: dn_cpu / v for k, v in floor.items() if k != "python"}
        print(f"  {r['config']:<24} DarkNews / floor: " + ", ".join(f"{k} {v:.0f}x" for k, v in r["floor_ratio"].items())
              + f"; 25x leaves darkbeam's own code {dn_cpu / 25 - floor['numpy+vegas']:.3f} s beyond numpy+vegas, "
              f"{dn_cpu / 25 - floor['numpy+vegas+pyarrow.parquet']:.3f} s beyond numpy+vegas+pyarrow")
    target = all(r["ratios"]["kish_whole"] >= 25 for r in rows)
    print(f"\nTarget whole-process CPU >= 25x below DarkNews at equal Kish precision on {len(rows)} config(s): "
          f"{'met' if target else 'NOT met'} (min {min(r['ratios']['kish_whole'] for r in rows):.1f}x); at equal "
          f"scatter: min {min(r['ratios']['scatter_whole'] for r in rows):.0f}x")
    import platform

    doc = {"machine": {"node": platform.node(), "cpu_count": os.cpu_count(), "python": platform.python_version()},
           "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "note": "CPU = user + system of each child "
           "(os.wait4); this machine is shared, wall times are not meaningful", "configs": rows, "writers": writers, "floor_cpu": floor,
           "target_25x_kish_whole_met": target}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(doc, indent=1))
    print(f"wrote {args.json}")
    import shutil

    shutil.rmtree(keep_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
