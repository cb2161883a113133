"""Benchmark of the EventSet and its writers.

Makes a synthetic EventSet (exact kinematics, every decay-slot layout; darkbeam.events.synthetic) and
prints: bytes per event of the stored columns (a lower bound of the memory: peak RSS per event of a
real run is benchmarks/memory_per_event.py), the write rate (events per CPU second, best of --repeat,
and per wall second: the machine may be shared, CPU is the figure to quote) and file size of parquet,
HepMC3 (NuHepMC) and HEPEVT, the parquet read rate, the unweighting rate, and for reference the rate of
the same HepMC3 events written through pyhepmc's per-object API (what DarkNews does; DarkNews's own
writer is timed by benchmarks/vs_darknews.py).  Target (issue 10): HepMC3 >= 3e5 events per CPU s.
Row "hepmc3" is the compiled writer (numba), "hepmc3-arrow" the Arrow-join path that files under
darkbeam.events.hepmc.JIT_MIN_EVENTS events take (same text).  The first compiled write of a process
also loads numba and the kernels (~1 s of CPU; ~6-10 s the very first time, when numba compiles and
caches them): best of --repeat leaves that out; the first write's rate is printed beside it.

    python benchmarks/bench_writers.py [--events 200000] [--outdir DIR] [--reference 3000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def pyhepmc_reference(events, path):
    """The same event graph written event by event through pyhepmc objects."""
    import pyhepmc

    p4 = {r: events.p4(r) for r in ("nu", "target", "hnl", "recoil", "d1", "d2", "d3", "d4")}
    pdg = {r: events.pdg(r) for r in p4}
    vi, vd = events.vertex("interaction"), events.vertex("decay")
    w = events.w
    c0 = time.process_time()
    with pyhepmc.open(path, "w") as f:
        for i in range(len(events)):
            ev = pyhepmc.GenEvent(pyhepmc.Units.GEV, pyhepmc.Units.CM)
            ev.event_number = i
            ev.weights = [w[i]]
            mk = lambda r, st: pyhepmc.GenParticle(p4[r][i, [1, 2, 3, 0]], int(pdg[r][i]), st)
            nu, tg, n, rec = mk("nu", 4), mk("target", 20), mk("hnl", 2), mk("recoil", 1)
            v1 = pyhepmc.GenVertex(vi[i])
            v1.status = 1
            for q in (nu, tg):
                v1.add_particle_in(q)
            for q in (n, rec):
                v1.add_particle_out(q)
            ev.add_vertex(v1)
            v2 = pyhepmc.GenVertex(vd[i])
            v2.status = 22
            v2.add_particle_in(n)
            for r in ("d1", "d2", "d3", "d4"):
                if pdg[r][i]:
                    v2.add_particle_out(mk(r, 1))
            ev.add_vertex(v2)
            ev.attributes["signal_process_id"] = int(events["case"][i])
            ev.attributes["lab_pos"] = list(vi[i])
            f.write(ev)
    return len(events) / (time.process_time() - c0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--outdir", type=Path, default=None)
    ap.add_argument("--reference", type=int, default=3000, help="events for the pyhepmc per-object reference")
    ap.add_argument("--repeat", type=int, default=2, help="best of this many writes")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = ap.parse_args(argv)

    from darkbeam.events import read_parquet, unweight, write
    from darkbeam.events.synthetic import synthetic_events

    rss0 = _rss_mb()
    t0 = time.perf_counter()
    es = synthetic_events(args.events, seed=1)
    t_gen = time.perf_counter() - t0
    n = len(es)
    print(f"darkbeam EventSet benchmark: {n} synthetic events ({len(es.cases)} cases, "
          f"{len(es.channels)} channels; made in {t_gen:.2f} s)")
    print(f"  stored columns: {es.bytes_per_event:.0f} bytes/event "
          f"({es.nbytes / 1e6:.1f} MB; not peak RSS: see memory_per_event.py); peak RSS while making them "
          f"+{_rss_mb() - rss0:.0f} MB (temporaries)")
    k = es.check_kinematics()
    print(f"  kinematics: max relative violation primary {k['primary']:.1e}, decay {k['decay']:.1e}")

    tmp = None
    outdir = args.outdir
    if outdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="darkbeam-bench-")
        outdir = Path(tmp.name)
    outdir.mkdir(parents=True, exist_ok=True)
    print(f"  {'format':<12} {'events/CPU s':>13} {'events/s wall':>14} {'MB':>9} {'B/event':>9}")
    paths, figures = {}, {"events": n, "stored_bytes_per_event": es.bytes_per_event}
    from darkbeam.events import hepmc

    jit_min = hepmc.JIT_MIN_EVENTS
    for label, fmt, suffix, jm in (("parquet", "parquet", "parquet", jit_min),
                                   ("hepmc3", "hepmc3", "hepmc3", 0),
                                   ("hepmc3-arrow", "hepmc3", "hepmc3", np.inf),
                                   ("hepevt", "hepevt", "hepevt", jit_min)):
        hepmc.JIT_MIN_EVENTS = jm
        best, best_cpu, cpus = np.inf, np.inf, []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            p = write(es, outdir / f"events.{suffix}", format=fmt, overwrite=True)
            cpus.append(time.process_time() - c0)
            best, best_cpu = min(best, time.perf_counter() - t0), min(best_cpu, cpus[-1])
        hepmc.JIT_MIN_EVENTS = jit_min
        size = os.path.getsize(p)
        paths[fmt] = p
        figures[label] = {"events_per_cpu_s": n / best_cpu, "events_per_wall_s": n / best, "bytes_per_event": size / n,
                        "first_write_events_per_cpu_s": n / cpus[0]}
        print(f"  {label:<12} {n / best_cpu:>13,.0f} {n / best:>14,.0f} {size / 1e6:>9.1f} {size / n:>9.0f}"
              f"   (first write {n / cpus[0]:,.0f} per CPU s)")
    rate = figures["hepmc3"]["events_per_cpu_s"]
    print(f"  HepMC3 target >= 3e5 events per CPU s: {'met' if rate >= 3e5 else 'NOT met'} ({rate:,.0f})")
    t0, c0 = time.perf_counter(), time.process_time()
    back = read_parquet(paths["parquet"])
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    print(f"  parquet read back: {n / dc:,.0f} events per CPU s ({n / dt:,.0f} per wall s), "
          f"identical: {back.equals(es)}")
    figures["parquet_read_events_per_cpu_s"] = n / dc
    t0, c0 = time.perf_counter(), time.process_time()
    u = unweight(es, rng=np.random.default_rng(0))
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    print(f"  unweighting: {n / dc:,.0f} weighted events per CPU s ({n / dt:,.0f} per wall s) -> {len(u)} "
          f"unweighted (efficiency {u.meta['unweighting']['efficiency']:.3f})")
    figures["unweighting_events_per_cpu_s"] = n / dc
    if args.reference > 0:
        m = min(args.reference, n)
        rate = pyhepmc_reference(es[:m], outdir / "reference.hepmc3")
        print(f"  reference: pyhepmc per-object HepMC3 writer {rate:,.0f} events per CPU s ({m} events)")
        figures["pyhepmc_per_object_events_per_cpu_s"] = rate
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1))
        print(f"  wrote {args.json}")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
