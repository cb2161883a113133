"""darkbeam's EM showers and dark vectors side by side with PETITE, run here (issue 13; docs/shower_vs_petite.md).

    python benchmarks/shower_vs_petite.py [--stage all|timing|yields|report] [--reps 3] [--petite-reps 3] [--out DIR]

Runs darkbeam (this interpreter, PYTHONPATH=src) and PETITE (``--petite-python``, default
/work/petitevenv/bin/python) as subprocesses, three repetitions each (PETITE's, ~100x slower, run concurrently
while darkbeam's run one after the other); each worker measures its own CPU time (user + sys,
``resource.getrusage(RUSAGE_SELF)``) and prints JSON; the medians are reported.  Per 10 GeV electron on graphite and
lead it measures

(a) start-up: imports + tables/maps (darkbeam: ``ShowerSimulator`` tables; PETITE: ``Shower(...)``), and with
    the dark tables at m_V = 30 MeV (darkbeam: ``ShowerSimulator(..., dark_mass=0.03)``; PETITE:
    ``DarkShower(...)``, which loads the SM maps again and computes its annihilation weights);
(b) CPU per SM shower;
(c) CPU per shower of the dark-vector step: PETITE ``DarkShower.generate_dark_shower(ExDir=shower)`` (one
    weighted vector per eligible particle and process); darkbeam the extra transport cost with the dark
    yields on, plus ``sample_dark_vectors`` of as many weighted vectors per shower as PETITE made;
(d) the dark-vector yield per primary at eps = 1 by process, from both codes, with shower-to-shower
    statistical errors; and the CPU time each code needs to reach the same relative error of the dark yield,
    t(r) = (CPU per shower incl. the dark step) x (relative standard deviation per shower)^2 / r^2.

The PETITE yields are the sums of the weights PETITE gives its dark vectors (``DarkShower.GetBSMWeights``, the
number ``generate_dark_shower`` stores in each vector's ``weight``, with ``kinetic_mixing = 1``): per SM-shower
particle, the expected number of V it makes before its next SM interaction.  The yield worker evaluates these
weights on more showers than the timing runs re-sample fully; the timing runs check that the two sums agree, and
the yield runs integrate PETITE's own cross sections along the tracks its showers made (a consistency check of the
weights).

PETITE set-up (once, recorded here):

* source: github.com/kjkellyphys/PETITE at commit 8f8752da46afb044b37569ed4c19062a80da309b (2025-12-18,
  "Quality-of-life improvement to particle.py"), extracted from the stored snapshot with
  ``git archive HEAD <every blob present>`` (the processed ``data/sm_maps.pkl`` and ``data/dark_maps.pkl``
  are absent from the snapshot; every ``data/*/..._AdaptiveMaps.npy`` and the shipped ``sm_xsec.pkl``,
  ``dark_xsec.pkl``, ``dark_weights.pkl``, ``dark_drate.pkl`` are present);
* ``python -m venv /work/petitevenv``; ``pip install numpy scipy vegas tqdm cython matplotlib`` (numpy 2.4.6,
  scipy 1.17.1, vegas 6.4.1, matplotlib: PETITE imports pyplot at import); ``pip install .`` in the source;
* the missing pickles made by PETITE's own ``utilities/find_maxes.py`` from the shipped AdaptiveMaps (what
  ``utilities/script_generateintegrators.py`` does after training, with the defaults of
  ``generate_integrators.call_find_maxes``: neval = 300, n_trials = 100) for graphite, lead and aluminum:
  ``find_maxes.main`` (8 SM processes, 42 s) and ``find_maxes.main_dark`` (DarkAnn, DarkComp, DarkBrem,
  DarkMuonBrem at m_V = 3, 10, 30, 100, 300, 1000 MeV; ``main(params)`` with process_targets = [graphite, lead,
  aluminum], save_location = the data folder, neval = 300, n_trials = 100, and ``main_dark`` likewise with
  mV_list = those six masses and mode = "MeV"; 42 s and 458 s of CPU).  find_maxes
  also rewrites the cross-section tables from the same maps; the comparison uses the shipped (authors')
  ``sm_xsec.pkl`` and ``dark_xsec.pkl`` (the regenerated ones agree with them, see the docs page);
* PETITE's first ``DarkShower`` per material and mass computes and caches its weight tables (``dark_weights.pkl``,
  ``dark_drate.pkl``); they were made once for graphite (3, 10, 30, 100 MeV) and lead (10, 30, 100 MeV).  The shipped
  ``dark_weights.pkl`` entry for graphite at 30 MeV is 1.85-2x PETITE's own recomputation near threshold (T ~ 0.1
  GeV) and inflates the dark-brem yields by 1.2-1.5 over the track integral of PETITE's own cross section; it was
  removed so that PETITE recomputed it, like every other entry (docs/shower_vs_petite.md);
* PETITE runs with min_energy = 0.010 GeV (its README), bound electrons (default: ``DarkAnn_bound``,
  ``DarkComp_bound``, Zeff = 29.508), ``mode='exact'`` and ``active_processes = ACTIVE`` (below).

The published figures (results/shower_vs_petite.*) were made in stages on a loaded machine:
``--stage timing --petite-reps 3``, ``--stage yields --yield-showers graphite:16,lead:10 --yield-masses
graphite:0.003/0.01/0.03/0.1,lead:0.01/0.03/0.1`` (``PETITE_DATA`` pointing at the data folder), then
``--stage report --petite-reps 3``.

darkbeam runs with its default 1 MeV kinetic-energy cut (more work than PETITE's 10 MeV) and the WW dark
bremsstrahlung; its timings at a 10 MeV cut are given too.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

E0 = 10.0
MASSES = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
TIMING_MASS = 0.03
PETITE_DATA = os.environ.get("PETITE_DATA", "/work/petite_data/")
PROCS = ("brem_e-", "brem_e+", "annihilation", "compton")
#: kinetic-energy thresholds (GeV) of the track-length diagnostics (track length of each species above them)
TRACK_THRESHOLDS = (0.03, 0.1, 0.3, 1.0, 3.0)
#: PETITE's dark processes of e+-/photon showers; its default list adds TwoBody_BSMDecay (pi0/eta parents) and
#: DarkMuonBrem, which never act in an electron shower; find_maxes makes no TwoBody_BSMDecay entry in dark_maps.pkl
ACTIVE = ["DarkBrem", "DarkAnn", "DarkComp"]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


# ----------------------------------------------------------------------------------------------- workers
def worker_petite(material: str, n_showers: int, masses: list, n_full: dict, seed: int, cut: float) -> dict:
    """PETITE side: start-up, SM showers, dark weights (yields) at each mass, full dark re-sampling on n_full[m]."""
    c0 = _cpu()
    import numpy as np
    from PETITE.dark_shower import DarkShower
    from PETITE.particle import Particle
    from PETITE.shower import Shower
    c1 = _cpu()
    sim = Shower(PETITE_DATA, material, cut, seed=seed)
    c2 = _cpu()
    out = {"import_cpu_s": c1 - c0, "load_cpu_s": c2 - c1, "sm_cpu_s": [], "particles": [], "dark": {}}
    showers = []
    pz = math.sqrt(E0**2 - 0.000511**2)
    for _ in range(n_showers):
        c = _cpu()
        sh = sim.generate_shower(Particle([E0, 0.0, 0.0, pz], [0.0, 0.0, 0.0], {"PID": 11}))
        out["sm_cpu_s"].append(_cpu() - c)
        showers.append(sh)
        out["particles"].append(len(sh))
    # track lengths (cm) above each threshold per shower: e+- from their continuous loss at PETITE's dE/dx between
    # creation (p0) and interaction (pf); photons from their flight distance (PETITE positions are in metres)
    dedx = 2e-3 * sim.get_material_properties()[2]  # GeV/cm
    tl = {k: [0.0] * len(TRACK_THRESHOLDS) for k in ("gamma", "e-", "e+", "e+-_geometric")}
    for sh in showers:
        for ap in sh:
            pid = ap.get_ids()["PID"]
            mass = 0.000511 if abs(pid) == 11 else 0.0
            ti, tf = ap.get_p0()[0] - mass, ap.get_pf()[0] - mass
            for j, e in enumerate(TRACK_THRESHOLDS):
                if pid == 22 and ti >= e:
                    tl["gamma"][j] += 100.0 * float(np.linalg.norm(np.asarray(ap.get_rf()) - np.asarray(ap.get_r0())))
                elif abs(pid) == 11 and ti > e:
                    tl["e-" if pid == 11 else "e+"][j] += (ti - max(tf, e)) / dedx
                    if tf >= e:
                        tl["e+-_geometric"][j] += 100.0 * float(np.linalg.norm(np.asarray(ap.get_rf()) - np.asarray(ap.get_r0())))
    out["track_cm_above"] = {k: [x / max(n_showers, 1) for x in v] for k, v in tl.items()}
    class WeightsOnly(DarkShower):
        """PETITE's DarkShower without its kinematic tables (set_drate_dE): the weights (yields) are the same."""

        def set_drate_dE(self):
            pass

    for m in masses:
        c = _cpu()
        ds = (DarkShower if n_full.get(str(m), 0) > 0 else WeightsOnly)(PETITE_DATA, material, cut, m,
                                                                          active_processes=ACTIVE)
        row = {"init_cpu_s": _cpu() - c, "mass_used": float(ds.get_mV())}
        c = _cpu()
        ys = []
        for sh in showers:
            y = dict.fromkeys(PROCS, 0.0)
            for ap in sh:
                pid = ap.get_ids()["PID"]
                if abs(pid) == 11:
                    y["brem_e-" if pid == 11 else "brem_e+"] += float(ds.GetBSMWeights(ap, "DarkBrem"))
                if pid == -11:
                    y["annihilation"] += float(ds.GetBSMWeights(ap, "DarkAnn"))
                if pid == 22:
                    y["compton"] += float(ds.GetBSMWeights(ap, "DarkComp"))
            ys.append(y)
        row["weights_cpu_s"] = (_cpu() - c) / max(n_showers, 1)
        row["yields"] = ys
        # consistency check: the same cross sections integrated along the tracks the SM shower actually made
        # (continuous loss at PETITE's dE/dx between each particle's creation and its interaction)
        dedx = 2e-3 * ds.get_material_properties()[2]
        G = {}
        for key, lo, f in (("brem", ds.get_DarkBremXSec()[0][0], ds._NSigmaDarkBrem),
                           ("annihilation", ds.get_DarkAnnXSec()[0][0], ds._NSigmaDarkAnn)):
            e = np.geomspace(lo, 100.0, 40001)
            y = np.asarray(f(e), dtype=float) / dedx
            G[key] = (lo, e, np.concatenate([[0.0], np.cumsum(0.5 * (y[1:] + y[:-1]) * np.diff(e))]))
        tracks = []
        for sh in showers:
            t = {"brem_e-": 0.0, "brem_e+": 0.0, "annihilation": 0.0}
            for ap in sh:
                pid = ap.get_ids()["PID"]
                if abs(pid) != 11:
                    continue
                ei, ef = ap.get_p0()[0], ap.get_pf()[0]
                for key, name in (("brem", "brem_e-" if pid == 11 else "brem_e+"), ("annihilation", "annihilation")):
                    if key == "annihilation" and pid != -11:
                        continue
                    lo, e, g = G[key]
                    if ei > lo:
                        t[name] += float(np.interp(ei, e, g) - np.interp(max(ef, lo), e, g))
            tracks.append(t)
        row["track_integrals"] = tracks
        full = []
        for sh in showers[: n_full.get(str(m), 0)]:
            c = _cpu()
            _, vs = ds.generate_dark_shower(ExDir=sh)
            t = _cpu() - c
            w = {}
            for v in vs:
                k = str(v.get_ids()["generation_process"])
                w[k] = w.get(k, 0.0) + float(v.get_ids()["weight"])
            full.append({"cpu_s": t, "vectors": len(vs), "weights_by_process": w})
        row["full"] = full
        out["dark"][str(m)] = row
    np.random.seed(None)
    return out


def worker_darkbeam(material: str, n_showers: int, masses: list, vectors: dict, seed: int, cut: float) -> dict:
    """darkbeam side, same quantities: tables, SM showers, dark yields and weighted vectors."""
    c0 = _cpu()
    import numpy as np

    from darkbeam.physics.shower.materials import MATERIALS
    from darkbeam.sources.shower.dark import sample_dark_vectors
    from darkbeam.sources.shower.transport import ShowerSimulator
    c1 = _cpu()
    mat = MATERIALS[material]
    sim = ShowerSimulator(mat, "e-", E0, cut=cut)
    c2 = _cpu()
    r = sim.run(n_showers, seed=seed)
    c3 = _cpu()
    out = {"import_cpu_s": c1 - c0, "load_cpu_s": c2 - c1, "sm_cpu_s_per_shower": (c3 - c2) / n_showers,
           "segments_per_shower": float(r.segments.sum(axis=0).mean()), "dark": {}}
    T = sim.layers[0][0].grid.T  # track_hist cells start at these kinetic energies
    out["track_cm_above"] = {name: [float(r.track_hist[i][T[: r.track_hist.shape[1]] >= e].sum() / n_showers)
                                    for e in TRACK_THRESHOLDS] for i, name in enumerate(("gamma", "e-", "e+"))}
    for m in masses:
        c = _cpu()
        simd = ShowerSimulator(mat, "e-", E0, cut=cut, dark_mass=m, keep_dark_segments=True)
        c1 = _cpu()
        rd = simd.run(n_showers, seed=seed)
        c2 = _cpu()
        nv = max(1, int(round(vectors.get(str(m), 1000) * n_showers)))
        sample_dark_vectors(rd, simd.dark, nv, np.random.default_rng(seed))
        c3 = _cpu()
        y = rd.dark_yield
        per = {"brem_e-": y["brem_e-"], "brem_e+": y["brem_e+"],
               "annihilation": y["annihilation_resonant"] + y["annihilation_gamma_V"], "compton": y["compton"]}
        out["dark"][str(m)] = {
            "dark_tables_cpu_s": c1 - c, "run_cpu_s_per_shower": (c2 - c1) / n_showers,
            "sample_cpu_s_per_shower": (c3 - c2) / n_showers, "vectors_per_shower": nv / n_showers,
            "yields": [{k: float(v[i]) for k, v in per.items()} for i in range(n_showers)],
            "resonant_share": float(y["annihilation_resonant"].sum() / max(per["annihilation"].sum(), 1e-300)),
        }
    return out


# ------------------------------------------------------------------------------------------- orchestration
def _run(python: str, args: list, env_extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(env_extra or {})
    p = subprocess.run([python, __file__, "--worker", *args], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"worker {args[:2]} failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _stats(values: list) -> tuple:
    n = len(values)
    mean = sum(values) / n
    sd = statistics.stdev(values) if n > 1 else float("nan")
    return mean, sd / math.sqrt(n), (sd / mean if mean > 0 else float("nan"))


def _yield_table(rows: list) -> dict:
    out = {}
    for p in PROCS + ("total",):
        vals = [sum(r.values()) if p == "total" else r[p] for r in rows]
        mean, err, rel_sd = _stats(vals)
        out[p] = {"mean": mean, "error": err, "rel_sd_per_shower": rel_sd, "showers": len(vals)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3, help="darkbeam repetitions (median)")
    ap.add_argument("--petite-reps", type=int, default=3, help="PETITE repetitions (median)")
    ap.add_argument("--timing-showers", default="graphite:2,lead:2", help="PETITE SM showers per timing run")
    ap.add_argument("--timing-dark", default="graphite:2,lead:1", help="PETITE showers re-sampled per timing run")
    ap.add_argument("--yield-showers", default="graphite:16,lead:10", help="PETITE showers of the yield run")
    ap.add_argument("--darkbeam-showers", type=int, default=128)
    ap.add_argument("--petite-python", default="/work/petitevenv/bin/python")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results"))
    ap.add_argument("--yield-masses", default="graphite:0.003/0.01/0.03/0.1,lead:0.01/0.03/0.1",
                    help="masses (GeV) of PETITE's yield runs (each needs PETITE's cached weight tables)")
    ap.add_argument("--stage", choices=("all", "timing", "yields", "report"), default="all",
                    help="timing / yields: those runs only, raw outputs to --raw-timing / --raw-yields; "
                         "report: the summary from both raw files")
    ap.add_argument("--raw-timing", default="/tmp/shower_vs_petite_timing_raw.json")
    ap.add_argument("--raw-yields", default="/tmp/shower_vs_petite_yields_raw.json")
    args = ap.parse_args()
    src = str(Path(__file__).resolve().parents[1] / "src")
    db_env = {"PYTHONPATH": src}
    pt_env = {"PYTHONPATH": ""}
    mats = ("graphite", "lead")
    spec = {k: {a: int(b) for a, b in (x.split(":") for x in v.split(","))}
            for k, v in (("t", args.timing_showers), ("d", args.timing_dark), ("y", args.yield_showers))}
    mkey = str(TIMING_MASS)
    # PETITE is ~100x slower: its workers (timing repetitions and the yield runs) run concurrently, each
    # measuring its own CPU time; darkbeam's run one after the other meanwhile
    jobs = {}
    do_t, do_y = args.stage in ("all", "timing"), args.stage in ("all", "yields")
    for mat in mats if do_t else ():
        for rep in range(args.petite_reps):
            jobs[("t", mat, rep)] = _start(args.petite_python, ["petite", mat, str(spec["t"][mat]), json.dumps([TIMING_MASS]),
                                                                json.dumps({mkey: spec["d"][mat]}), str(100 + rep), "0.010"], pt_env)
    for mat in mats if do_y else ():
        ym = {a: [float(x) for x in b.split("/")] for a, b in (x.split(":") for x in args.yield_masses.split(","))}
        jobs[("y", mat)] = _start(args.petite_python, ["petite", mat, str(spec["y"][mat]), json.dumps(ym[mat]),
                                                       json.dumps({}), "7", "0.010"], pt_env)
    db, db10, dby = {}, {}, {}
    for mat in mats if do_t else ():
        for rep in range(args.reps):
            db[(mat, rep)] = _run(sys.executable, ["darkbeam", mat, str(args.darkbeam_showers), json.dumps([TIMING_MASS]),
                                                   json.dumps({mkey: 2000}), str(100 + rep), "0.001"], db_env)
            db10[(mat, rep)] = _run(sys.executable, ["darkbeam", mat, str(args.darkbeam_showers), json.dumps([TIMING_MASS]),
                                                     json.dumps({mkey: 2000}), str(100 + rep), "0.010"], db_env)
        print(f"darkbeam {mat} timing done", flush=True)
    for mat in mats if do_y else ():
        dby[mat] = _run(sys.executable, ["darkbeam", mat, str(args.darkbeam_showers), json.dumps(list(MASSES)),
                                         json.dumps({}), "7", "0.001"], db_env)
    pt = {k: _collect(p) for k, p in jobs.items()}
    if args.stage in ("timing", "yields"):
        path = args.raw_timing if args.stage == "timing" else args.raw_yields
        Path(path).write_text(json.dumps({"pt": [[list(k), v] for k, v in pt.items()],
                                          "db": [[list(k), v] for k, v in db.items()],
                                          "db10": [[list(k), v] for k, v in db10.items()],
                                          "dby": [[k, v] for k, v in dby.items()]}))
        print("raw outputs in", path)
        return
    if args.stage == "report":
        for path in (args.raw_timing, args.raw_yields):
            raw = json.loads(Path(path).read_text())
            pt.update({tuple(k): v for k, v in raw["pt"]})
            db.update({tuple(k): v for k, v in raw["db"]})
            db10.update({tuple(k): v for k, v in raw["db10"]})
            dby.update({k: v for k, v in raw.get("dby", [])})
    res = {"energy_GeV": E0, "timing_mass_GeV": TIMING_MASS, "reps": args.reps, "timing": {}, "yields": {},
           "settings": vars(args)}
    for mat in mats:
        res["timing"][mat] = _timing_summary([pt[("t", mat, r)] for r in range(args.petite_reps)],
                                             [db[(mat, r)] for r in range(args.reps)], [db10[(mat, r)] for r in range(args.reps)])
        res["yields"][mat] = _yield_summary(pt[("y", mat)], dby[mat], res["timing"][mat])
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    (out / "shower_vs_petite.json").write_text(json.dumps(res, indent=1) + "\n")
    (out / "shower_vs_petite.txt").write_text(_text(res))
    print(_text(res))


def _start(python: str, args: list, env_extra: dict):
    env = dict(os.environ)
    env.update(env_extra)
    return subprocess.Popen(["nice", python, __file__, "--worker", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _collect(p) -> dict:
    out, err = p.communicate()
    if p.returncode != 0:
        raise RuntimeError(f"worker {p.args[3:6]} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def _timing_summary(pt_runs, db_runs, db10_runs) -> dict:
    med = statistics.median
    m = str(TIMING_MASS)
    pt_start = med([r["import_cpu_s"] + r["load_cpu_s"] for r in pt_runs])
    pt_dstart = med([r["import_cpu_s"] + r["dark"][m]["init_cpu_s"] for r in pt_runs])
    pt_sm = med([statistics.mean(r["sm_cpu_s"]) for r in pt_runs])
    pt_dark = med([statistics.mean(f["cpu_s"] for f in r["dark"][m]["full"]) for r in pt_runs])
    checks = []
    for r in pt_runs:
        for f, y in zip(r["dark"][m]["full"], r["dark"][m]["yields"]):
            checks.append(sum(f["weights_by_process"].values()) / max(sum(y.values()), 1e-300))
    out = {"petite": {"startup_cpu_s": pt_start, "startup_dark_cpu_s": pt_dstart, "sm_cpu_s_per_shower": pt_sm,
                      "dark_cpu_s_per_shower": pt_dark,
                      "vectors_per_shower": statistics.mean(f["vectors"] for r in pt_runs for f in r["dark"][m]["full"]),
                      "particles_per_shower": statistics.mean(x for r in pt_runs for x in r["particles"]),
                      "full_vs_weights_sum_ratio": checks,
                      "runs": [{k: v for k, v in r.items() if k != "dark"} for r in pt_runs]}}
    for key, runs in (("darkbeam", db_runs), ("darkbeam_cut10MeV", db10_runs)):
        d = [r["dark"][m] for r in runs]
        out[key] = {
            "startup_cpu_s": med([r["import_cpu_s"] + r["load_cpu_s"] for r in runs]),
            "startup_dark_cpu_s": med([r["import_cpu_s"] + r["load_cpu_s"] + x["dark_tables_cpu_s"] for r, x in zip(runs, d)]),
            "sm_cpu_s_per_shower": med([r["sm_cpu_s_per_shower"] for r in runs]),
            "dark_cpu_s_per_shower": med([x["run_cpu_s_per_shower"] - r["sm_cpu_s_per_shower"] + x["sample_cpu_s_per_shower"]
                                          for r, x in zip(runs, d)]),
            "dark_transport_cpu_s_per_shower": med([x["run_cpu_s_per_shower"] - r["sm_cpu_s_per_shower"] for r, x in zip(runs, d)]),
            "sample_cpu_s_per_shower": med([x["sample_cpu_s_per_shower"] for x in d]),
            "segments_per_shower": med([r["segments_per_shower"] for r in runs]),
            "per_rep": [{"startup": r["import_cpu_s"] + r["load_cpu_s"], "sm": r["sm_cpu_s_per_shower"],
                         "dark_run": x["run_cpu_s_per_shower"], "sample": x["sample_cpu_s_per_shower"]} for r, x in zip(runs, d)],
        }
        out[key]["yield_rel_sd_per_shower"] = _yield_table([y for x in d for y in x["yields"]])["total"]["rel_sd_per_shower"]
    out["petite"]["yield_rel_sd_per_shower"] = _yield_table([y for r in pt_runs for y in r["dark"][m]["yields"]])["total"]["rel_sd_per_shower"]
    p, d = out["petite"], out["darkbeam"]
    out["ratios_petite_over_darkbeam"] = {
        "startup": p["startup_cpu_s"] / d["startup_cpu_s"],
        "startup_dark": p["startup_dark_cpu_s"] / d["startup_dark_cpu_s"],
        "sm_per_shower": p["sm_cpu_s_per_shower"] / d["sm_cpu_s_per_shower"],
        "dark_per_shower": p["dark_cpu_s_per_shower"] / d["dark_cpu_s_per_shower"],
        "sm_per_shower_darkbeam_cut10MeV": p["sm_cpu_s_per_shower"] / out["darkbeam_cut10MeV"]["sm_cpu_s_per_shower"],
    }
    return out


def _yield_summary(pt: dict, db: dict, timing: dict) -> dict:
    out = {"petite_showers": len(pt["particles"]), "darkbeam_showers": len(next(iter(db["dark"].values()))["yields"]),
           "masses": {}, "track_thresholds_GeV": TRACK_THRESHOLDS,
           "track_cm_above": {"petite": pt.get("track_cm_above"), "darkbeam": db.get("track_cm_above")}}
    for m in MASSES:
        k = str(m)
        dy = _yield_table(db["dark"][k]["yields"])
        if k not in pt["dark"]:
            out["masses"][k] = {"darkbeam": dy, "darkbeam_resonant_share_of_annihilation": db["dark"][k]["resonant_share"]}
            continue
        ty = _yield_table(pt["dark"][k]["yields"])
        tr = pt["dark"][k].get("track_integrals")
        if tr:
            # PETITE's weights over the integral of its own cross sections along the tracks its showers made
            ty["weights_over_track_integral"] = {
                p: (sum(y[p] for y in pt["dark"][k]["yields"]) / sum(t[p] for t in tr) if sum(t[p] for t in tr) > 0 else None)
                for p in ("brem_e-", "brem_e+", "annihilation")}
        row = {"petite": ty, "darkbeam": dy, "darkbeam_resonant_share_of_annihilation": db["dark"][k]["resonant_share"],
               "petite_init_cpu_s": pt["dark"][k]["init_cpu_s"], "darkbeam_dark_tables_cpu_s": db["dark"][k]["dark_tables_cpu_s"],
               "petite_full_dark_cpu_s_per_shower": (statistics.mean(f["cpu_s"] for f in pt["dark"][k]["full"])
                                                     if pt["dark"][k]["full"] else None),
               "darkbeam_dark_cpu_s_per_shower": db["dark"][k]["run_cpu_s_per_shower"] - db["sm_cpu_s_per_shower"]
               + db["dark"][k]["sample_cpu_s_per_shower"],
               "ratio_petite_over_darkbeam": {p: (ty[p]["mean"] / dy[p]["mean"] if dy[p]["mean"] > 0 else None)
                                              for p in PROCS + ("total",)}}
        if m == TIMING_MASS:
            # equal precision: CPU to reach relative error r is (CPU per shower) x (rel. sd per shower)^2 / r^2
            cp = timing["petite"]["sm_cpu_s_per_shower"] + timing["petite"]["dark_cpu_s_per_shower"]
            cd = timing["darkbeam"]["sm_cpu_s_per_shower"] + timing["darkbeam"]["dark_cpu_s_per_shower"]
            sp, sd = ty["total"]["rel_sd_per_shower"], dy["total"]["rel_sd_per_shower"]
            row["equal_precision"] = {
                "petite_cpu_s_per_shower": cp, "darkbeam_cpu_s_per_shower": cd,
                "petite_rel_sd_per_shower": sp, "darkbeam_rel_sd_per_shower": sd,
                "petite_cpu_s_for_10pct": cp * (sp / 0.1) ** 2, "darkbeam_cpu_s_for_10pct": cd * (sd / 0.1) ** 2,
                "ratio": cp * sp**2 / (cd * sd**2)}
        out["masses"][k] = row
    return out


def _text(res: dict) -> str:
    L = [f"10 GeV e- showers: PETITE vs darkbeam, CPU seconds (user+sys); darkbeam median of {res['reps']} runs, PETITE median of "
         f"{res['settings']['petite_reps']} runs (run concurrently, each timing itself)",
         "PETITE min_energy 10 MeV; darkbeam cut 1 MeV (and 10 MeV); dark step at m_V = 30 MeV", ""]
    for mat, t in res["timing"].items():
        p, d, d10, r = t["petite"], t["darkbeam"], t["darkbeam_cut10MeV"], t["ratios_petite_over_darkbeam"]
        L += [f"{mat}:",
              f"  start-up (imports + tables)      PETITE {p['startup_cpu_s']:.2f}  darkbeam {d['startup_cpu_s']:.3f}  ratio {r['startup']:.0f}",
              f"  start-up with dark tables        PETITE {p['startup_dark_cpu_s']:.2f}  darkbeam {d['startup_dark_cpu_s']:.3f}  ratio {r['startup_dark']:.0f}",
              f"  SM shower                         PETITE {p['sm_cpu_s_per_shower']:.3f}  darkbeam {d['sm_cpu_s_per_shower']:.4f} "
              f"(10 MeV cut {d10['sm_cpu_s_per_shower']:.4f})  ratio {r['sm_per_shower']:.0f} ({r['sm_per_shower_darkbeam_cut10MeV']:.0f})",
              f"  dark step per shower              PETITE {p['dark_cpu_s_per_shower']:.3f}  darkbeam {d['dark_cpu_s_per_shower']:.4f}  "
              f"ratio {r['dark_per_shower']:.0f}  ({p['vectors_per_shower']:.0f} vectors per shower)",
              f"  PETITE full re-sampling / weight sums: {', '.join(f'{x:.4f}' for x in p['full_vs_weights_sum_ratio'])}", ""]
    for mat, y in res["yields"].items():
        tp, td = y["track_cm_above"]["petite"], y["track_cm_above"]["darkbeam"]
        if tp and td:
            L.append(f"{mat}: track length per shower above T = {', '.join(f'{e:g}' for e in y['track_thresholds_GeV'])} GeV, "
                     "cm, PETITE / darkbeam (ratio)")
            for k in ("e-", "e+", "gamma"):
                L.append(f"  {k:6s} " + "  ".join(f"{a:.4g}/{b:.4g} ({a / b:.2f})" if b > 0 else "-" for a, b in zip(tp[k], td[k])))
            L.append("  PETITE e+- flight distance / energy-loss path: "
                     + "  ".join(f"{g / (a + b):.3f}" if a + b > 0 else "-" for g, a, b in zip(tp["e+-_geometric"], tp["e-"], tp["e+"])))
        L.append(f"{mat}: dark vectors per primary at eps = 1 (darkbeam {y['darkbeam_showers']} showers)")
        L.append("  m_V(GeV) process        PETITE              darkbeam            PETITE/darkbeam")
        for m, row in y["masses"].items():
            if "petite" not in row:
                L.append(f"  {float(m):g} GeV: darkbeam only (PETITE's weight tables not computed here): "
                         + ", ".join(f"{p} {row['darkbeam'][p]['mean']:.4g}" for p in PROCS + ("total",)))
                continue
            L.append(f"  {float(m):g} GeV: PETITE {row['petite']['total']['showers']} showers")
            for p in PROCS + ("total",):
                a, b = row["petite"][p], row["darkbeam"][p]
                rr = row["ratio_petite_over_darkbeam"][p]
                L.append(f"  {float(m):<8g} {p:14s} {a['mean']:.4g} +- {a['error']:.2g}".ljust(48)
                         + f"{b['mean']:.4g} +- {b['error']:.2g}".ljust(20) + ("-" if rr is None else f"{rr:.3f}"))
            chk = row["petite"].get("weights_over_track_integral")
            if chk:
                L.append("  PETITE weights / its cross sections along its own tracks: "
                         + ", ".join(f"{p} {v:.3f}" for p, v in chk.items() if v is not None))
            if "equal_precision" in row:
                e = row["equal_precision"]
                L.append(f"  equal precision (total yield, 10% error): PETITE {e['petite_cpu_s_for_10pct']:.3g} s "
                         f"(rel sd/shower {e['petite_rel_sd_per_shower']:.2f}), darkbeam {e['darkbeam_cpu_s_for_10pct']:.3g} s "
                         f"(rel sd/shower {e['darkbeam_rel_sd_per_shower']:.2f}); ratio {e['ratio']:.0f}")
            if row["petite_full_dark_cpu_s_per_shower"] is not None:
                L.append(f"  dark step at {m} GeV: PETITE {row['petite_full_dark_cpu_s_per_shower']:.3f} s/shower, "
                         f"darkbeam {row['darkbeam_dark_cpu_s_per_shower']:.4f} s/shower")
        L.append("")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        who, mat, n, masses, extra, seed, cut = sys.argv[2:9]
        f = worker_petite if who == "petite" else worker_darkbeam
        result = f(mat, int(n), [float(x) for x in json.loads(masses)], json.loads(extra), int(seed), float(cut))
        print(json.dumps(result))
    else:
        main()
