"""Speed of a meson-decay limit curve: 30 masses of one catalog search (darkbeam limit), one generation
per mass and the coupling axis by exact reweighting.  Prints CPU and wall time (the shared machine's
2 cores: wall >= CPU when other jobs run).  Usage: python benchmarks/limit_curve.py [SEARCH] [N] [WORKERS]"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from darkbeam.analysis.meson_limits import search_limit


def main(search: str = "t2k_nd280_hnl", n: int = 4000, workers: int = 1) -> dict:
    lo, hi = {"t2k_nd280_hnl": (0.15, 0.38), "ps191_hnl": (0.15, 0.38), "microboone_bnb_mupi": (0.25, 0.38)}.get(search, (0.15, 0.38))
    masses = list(np.round(np.linspace(lo, hi, 30), 4))
    t0, w0 = time.process_time(), time.perf_counter()
    out = search_limit(search, masses, n=n, workers=workers)
    cpu, wall = time.process_time() - t0, time.perf_counter() - w0
    if workers > 1:  # CPU of the worker processes (children, waited for)
        import resource

        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu += ch.ru_utime + ch.ru_stime
    res = {"search": search, "masses": len(masses), "events_per_channel": n, "workers": workers, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
           "limit": out["limit"], "expected": out["expected"]}
    print(json.dumps({k: res[k] for k in ("search", "masses", "events_per_channel", "workers", "cpu_s", "wall_s")}))
    return res


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["t2k_nd280_hnl"]), *[int(x) for x in sys.argv[2:4]])
