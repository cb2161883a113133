"""Old vs new per-chunk steps of the generator on the same inputs, in one process (issue 10, h5).

Loads another tree's ``processes/upscatter_decay.py`` (``--old``, e.g. one extracted with
``git show 6dcc0cd:src/darkbeam/processes/upscatter_decay.py > /tmp/old_ud.py``) next to the working
tree's, and in a ``darkbeam generate`` run calls both versions of ``_upscatter``, ``_decay`` and
``_geometry`` on copies of every chunk's inputs (same random state, fresh column block, old, new, old,
new), checks that they write the same bytes and leave the same random state, and prints the summed
wall time of each (halved: each version runs twice).  Less sensitive to the load of a shared machine
than whole-process A/B runs, because old and new alternate chunk by chunk.  The other modules (shapes,
production, kinematics) are the working tree's for both.

    PYTHONPATH=src python benchmarks/glue_ab_inprocess.py --old /tmp/old_ud.py [-n 62500]
"""

import argparse
import copy
import importlib.util
import sys
import time

import numpy as np


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True, help="path of the old upscatter_decay.py")
    ap.add_argument("-n", default="62500", help="darkbeam generate -n")
    args = ap.parse_args()
    import darkbeam.processes.upscatter_decay as ud
    from darkbeam.processes.event_columns import EventColumns

    spec = importlib.util.spec_from_file_location("old_ud", args.old)
    old = importlib.util.module_from_spec(spec)
    sys.modules["old_ud"] = old
    spec.loader.exec_module(old)
    T: dict = {}
    bad: list = []

    def ab(name, new_fn, old_fn):
        def w(setup, *a_rest):
            *a, rng, out, s = a_rest
            res = {}
            m = s.stop - s.start
            for tag, fn in (("old", old_fn), ("new", new_fn), ("old2", old_fn), ("new2", new_fn)):
                r = copy.deepcopy(rng)
                o = EventColumns(m)
                o.gaps = np.zeros((out.gaps.shape[0], m))
                o.n = m
                o.f[:] = out.f[:, s]
                a2 = [x.copy() for x in a]
                t = time.perf_counter()
                fn(setup, *a2, r, o, slice(0, m))
                T[(name, tag[:3])] = T.get((name, tag[:3]), 0.0) + time.perf_counter() - t
                res[tag] = (o, r)
            (o1, g1), (o2, g2) = res["old"], res["new"]
            if not (o1.f.tobytes() == o2.f.tobytes() and o1.gaps.tobytes() == o2.gaps.tobytes()
                    and g1.random() == g2.random()):
                bad.append(name)
            return new_fn(setup, *a, rng, out, s)
        return w

    ud._decay = ab("decay", ud._decay, old._decay)
    ud._upscatter = ab("upscatter", ud._upscatter, old._upscatter)
    ud._geometry = ab("geometry", ud._geometry, old._geometry)
    from darkbeam.cli.main import main as cli

    sys.argv = ["darkbeam", "generate", "-n", args.n, "--seed", "1", "--json"]
    try:
        cli()
    except SystemExit:
        pass
    for name in ("upscatter", "decay", "geometry"):
        print(f"_{name:<10} old {T[(name, 'old')] / 2:.3f} s  new {T[(name, 'new')] / 2:.3f} s", file=sys.stderr)
    print("outputs identical" if not bad else f"MISMATCH in {sorted(set(bad))}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
