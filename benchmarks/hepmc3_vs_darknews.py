"""HepMC3 writing rate, DarkNews's writer and darkbeam's side by side on the same number of events.

DarkNews (its peer virtual environment, never a dependency) generates its default configuration
(MiniBooNE FHC, Dirac N4 150 MeV, Z' 1.25 GeV) and writes the first N of its events with its own
writer, ``Printer.print_events_to_hepmc3`` (pyhepmc objects, event by event).  darkbeam generates the
same configuration (benchmarks/vs_darknews.py, its ``darknews`` couplings and the same six cases) and
writes the first N of its events with ``write(format="hepmc3")``: the Arrow path (what a file of N
events takes) and the compiled writer (numba, what files of >= 2.5e5 events take), and then all its
events and a 1e6-event file (its events repeated) with the compiled writer.  Figures are events per
CPU second (user + system of the writing process: ``time.process_time``), median of ``--repeat``
writes (DarkNews: one write, its rate is stable and slow), each into a new file (the previous
write's file deleted before the clock starts; ``compiled_1e6_overwriting`` keeps it, so that the rename
frees the old file inside the timed write); the compiled writer's first call in a
process (numba loads its cached kernels, ~1 s of CPU) is left out and printed on its own.

    python benchmarks/hepmc3_vs_darknews.py [--events 2000] [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vs_darknews as V  # noqa: E402

RESULTS = V.ROOT / "benchmarks" / "results"


def _rate(es, path, repeat, fresh=True):
    """Events per CPU second, median of ``repeat`` writes.  ``fresh``: the previous write's file is
    deleted before the clock starts, so that each write creates a new file as a first write (and
    DarkNews's single write) does; otherwise the rename over the old file frees its blocks and page
    cache inside the timed write (~0.3-0.7 s of system time for a 1.25 GB file)."""
    import resource

    from darkbeam.events import write

    cpus, split = [], []
    for _ in range(repeat):
        if fresh and Path(path).exists():
            Path(path).unlink()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        c0 = time.process_time()
        write(es, path, format="hepmc3", overwrite=True)
        cpus.append(time.process_time() - c0)
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        split.append((r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime))
    return len(es) / statistics.median(cpus), cpus, split


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=2000, help="events written by both codes (default 2000)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--darknews-python", default=os.environ.get("DARKNEWS_PYTHON", "/work/dnvenv/bin/python"))
    ap.add_argument("--json", type=Path, default=RESULTS / "hepmc3_vs_darknews.json")
    args = ap.parse_args(argv)
    from darkbeam.events import EventSet, hepmc, read_parquet

    out = {"events": args.events, "note": "events per CPU second (user + system), median of the writes"}
    dn = V.run_darknews(args.darknews_python, V.CONFIGS["default"], 1, nhep=args.events)
    out["darknews"] = {"events": dn["hepmc3_events"], "cpu_s": dn["hepmc3_cpu"],
                       "events_per_cpu_s": dn["hepmc3_events"] / dn["hepmc3_cpu"]}
    print(f"DarkNews print_events_to_hepmc3: {dn['hepmc3_events']} events in {dn['hepmc3_cpu']:.2f} s CPU = "
          f"{out['darknews']['events_per_cpu_s']:,.0f} events per CPU s", flush=True)
    with tempfile.TemporaryDirectory() as d:
        keep = Path(d) / "db.parquet"
        V.run_darkbeam(V.CONFIGS["default"], 1, 12100, keep=keep)
        ev = read_parquet(keep)
        sub = ev.select(slice(0, args.events))
        path = Path(d) / "ev.hepmc3"
        jit_min = hepmc.JIT_MIN_EVENTS
        rows = {}
        try:
            hepmc.JIT_MIN_EVENTS = float("inf")
            rows["arrow_same_n"] = (len(sub), *_rate(sub, path, args.repeat))
            hepmc.JIT_MIN_EVENTS = 0
            c0 = time.process_time()
            from darkbeam.events import write

            write(sub, path, format="hepmc3", overwrite=True)
            first = time.process_time() - c0
            rows["compiled_same_n"] = (len(sub), *_rate(sub, path, args.repeat))
            rows["compiled_all"] = (len(ev), *_rate(ev, path, args.repeat))
            big = EventSet.concat([ev] * int(np.ceil(1e6 / len(ev)))).select(slice(0, 1_000_000))
            rows["compiled_1e6"] = (len(big), *_rate(big, path, args.repeat))
            rows["compiled_1e6_overwriting"] = (len(big), *_rate(big, path, args.repeat, fresh=False))
        finally:
            hepmc.JIT_MIN_EVENTS = jit_min
    out["darkbeam_first_compiled_write_cpu_s"] = first
    for k, (n, rate, cpus, split) in rows.items():
        user = statistics.median(u for u, _ in split)
        out[f"darkbeam_{k}"] = {"events": n, "events_per_cpu_s": rate, "cpu_s": cpus,
                                "user_s": [u for u, _ in split], "sys_s": [s for _, s in split],
                                "events_per_user_cpu_s": n / user}
        print(f"darkbeam {k:<16} {n:>8} events: {rate:>10,.0f} events per CPU s "
              f"({rate / out['darknews']['events_per_cpu_s']:,.0f}x DarkNews); user "
              f"{', '.join(f'{u:.2f}' for u, _ in split)} s, system {', '.join(f'{s:.2f}' for _, s in split)} s",
              flush=True)
    print(f"darkbeam first compiled write of the process ({args.events} events, numba load included): "
          f"{first:.2f} s CPU")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=1))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
