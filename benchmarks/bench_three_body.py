"""CPU of the HNL decay sampling alone (issue 10, three-body sampler): two source trees A/B.

Each child process (a fresh interpreter with the tree on PYTHONPATH) builds the default model's N4
decay table, times the first sample_decays call on a small batch (the samplers' envelope set-up,
DalitzSampler.__init__, included), then samples ``--n`` parents in chunks of ``--chunk`` (random lab
momenta, random helicities; fixed seed) ``--repeat`` times and reports the fastest repetition
(time.process_time: the minimum filters other processes' interference on a shared machine).  Trees
alternate A, B, A, B, ... and a checksum of the daughters' momenta must agree (same events).

    python benchmarks/bench_three_body.py --before-src /path/to/old/src [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time, hashlib
import numpy as np
n, chunk, repeat, model = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
from darkbeam.models.parameters import ModelParameters, default_model
from darkbeam.physics.decays import decay_table
from darkbeam.processes.decays import sample_decays
params = default_model() if not model else ModelParameters.from_dict({**default_model().model_dump(), **model})
tbl = decay_table(params, "N4")
M = tbl.mass
rng = np.random.default_rng(5)
p = rng.exponential(1.0, (n, 3))
P = np.concatenate([np.sqrt(M * M + (p * p).sum(1))[:, None], p], axis=1)
h = rng.uniform(-1.0, 1.0, n)
t0 = time.process_time()
sample_decays(tbl, P[:200], h[:200], np.random.default_rng(0))
setup = time.process_time() - t0
best, digest = 1e9, None
for r in range(repeat):
    g = np.random.default_rng(1)
    t0 = time.process_time()
    out = [sample_decays(tbl, P[i:i + chunk], h[i:i + chunk], g).momenta for i in range(0, n, chunk)]
    best = min(best, time.process_time() - t0)
    d = hashlib.sha256(b"".join(o.tobytes() for o in out)).hexdigest()[:16]
    assert digest in (None, d)
    digest = d
print(json.dumps({"setup": setup, "sample": best, "digest": digest}))
"""


def child(src: str, args) -> dict:
    env = {**os.environ, "PYTHONPATH": src, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", CHILD, str(args.n), str(args.chunk), str(args.repeat), args.model],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before-src", required=True, help="src/ folder of tree A (compile it first: python -m compileall)")
    ap.add_argument("--after-src", default=str(ROOT / "src"), help="src/ folder of tree B (default: this tree)")
    ap.add_argument("--n", type=int, default=200_000, help="parents per repetition")
    ap.add_argument("--chunk", type=int, default=20_000, help="parents per sample_decays call")
    ap.add_argument("--repeat", type=int, default=5, help="repetitions per child (fastest kept)")
    ap.add_argument("--runs", type=int, default=5, help="children per tree (alternated; medians)")
    ap.add_argument("--model", default="{}", help="model parameters as JSON (default: the built-in model)")
    args = ap.parse_args(argv)
    res: dict[str, list] = {"A": [], "B": []}
    for r in range(args.runs):
        for t in ("A", "B") if r % 2 == 0 else ("B", "A"):
            res[t].append(child(args.before_src if t == "A" else args.after_src, args))
    for key in ("setup", "sample"):
        a = [x[key] for x in res["A"]]
        b = [x[key] for x in res["B"]]
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{key:7s} A {ma * 1e3:8.1f} ms [{min(a) * 1e3:.1f}-{max(a) * 1e3:.1f}]   B {mb * 1e3:8.1f} ms "
              f"[{min(b) * 1e3:.1f}-{max(b) * 1e3:.1f}]   B/A {mb / ma:.3f}")
    same = {x["digest"] for x in res["A"]} == {x["digest"] for x in res["B"]}
    print(f"same daughters (sha256 of the momenta) in A and B: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
