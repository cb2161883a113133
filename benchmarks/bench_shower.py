"""Speed and validation figures of the shower simulation (docs/showers.md).

    PYTHONPATH=src python benchmarks/bench_shower.py [--showers 100]

Prints CPU time per 10 GeV electron shower in graphite and lead (with and without the dark-vector yields
at m_V = 30 MeV), the start-up time of ``darkbeam shower``, the time to sample 10^5 weighted dark vectors,
and the validation numbers (energy balance, track length vs Rossi/Amaldi, shower maximum vs PDG), and
writes them to benchmarks/results/shower.json.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from darkbeam.physics.shower.materials import MATERIALS
from darkbeam.sources.shower.dark import sample_dark_vectors
from darkbeam.sources.shower.transport import PROFILE_DX0, ShowerSimulator


def cpu(f):
    t = time.process_time()
    out = f()
    return out, time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--showers", type=int, default=100)
    ap.add_argument("--energy", type=float, default=10.0)
    ap.add_argument("--mass", type=float, default=0.03)
    args = ap.parse_args()
    n, E0, m = args.showers, args.energy, args.mass
    env_py = [sys.executable, "-m", "darkbeam"]
    import resource

    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(env_py + ["shower", "--showers", "1", "--energy", "0.1", "--json"], check=True, capture_output=True)
    startup = time.perf_counter() - t
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    startup_cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    rows = {"startup_wall_s_shower_0.1GeV_x1": startup, "startup_cpu_s_shower_0.1GeV_x1": startup_cpu}
    for name in ("graphite", "lead"):
        mat = MATERIALS[name]
        sim, t_tab = cpu(lambda: ShowerSimulator(mat, "e-", E0))
        r, t_run = cpu(lambda: sim.run(n, seed=1))
        simd, t_tabd = cpu(lambda: ShowerSimulator(mat, "e-", E0, dark_mass=m, keep_dark_segments=True))
        rd, t_rund = cpu(lambda: simd.run(n, seed=1))
        V, t_samp = cpu(lambda: sample_dark_vectors(rd, simd.dark, 100000, np.random.default_rng(0)))
        Ec = mat.critical_energy
        xi = 4.58 * mat.Z_over_A * sim.cut / Ec
        rossi = mat.X0_cm * r.T0 / Ec * (1 + xi * math.log(xi / 1.53))
        prof = np.convolve(r.profile, np.ones(3) / 3, mode="same")
        tot = sum(rd.dark_yield.values())
        rows[name] = {
            "tables_cpu_s": t_tab, "cpu_s_per_shower": t_run / n,
            "dark_tables_cpu_s": t_tabd, "cpu_s_per_shower_with_dark": t_rund / n,
            "dark_sample_1e5_cpu_s": t_samp,
            "max_energy_imbalance_GeV": float(np.max(np.abs(r.deposited + r.below_cut + r.escaped + r.rest_mass - r.T0))),
            "charged_track_X0": float((r.track_length[1] + r.track_length[2]).mean() / mat.X0_cm),
            "rossi_amaldi_track_X0": rossi / mat.X0_cm,
            "shower_max_X0": float((np.argmax(prof) + 0.5) * PROFILE_DX0),
            "pdg_tmax_X0": math.log(E0 / Ec) - 0.5,
            "dark_yield_per_primary": float(tot.mean()),
            "dark_yield_rel_error": float(tot.std(ddof=1) / math.sqrt(n) / tot.mean()),
            "dark_yield_by_process": {k: float(v.mean()) for k, v in rd.dark_yield.items()},
        }
        print(name, json.dumps(rows[name], indent=1))
    print("startup (incl. imports, tables and one 0.1 GeV shower):", f"{startup_cpu:.2f} s CPU, {startup:.2f} s wall")
    out = Path(__file__).parent / "results" / "shower.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"showers": n, "energy_GeV": E0, "mass_GeV": m, **rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
