"""darkbeam's neutrino tridents side by side with TridentSmite, the C++ generator of Ballett, Hostert,
Pascoli, Perez-Gonzalez, Tabrizi, Zukanovich Funchal (arXiv:1807.10973, 1902.08579).

    nice python benchmarks/trident_vs_tridentsmite.py [--tridentsmite DIR] [--rerun]
        -> benchmarks/results/trident_vs_tridentsmite.{txt,json}

TridentSmite (github mhostert/TridentSmite, HEAD 84b0e85, 2021) is built outside this repository, in
DIR (default /work/tridentsmite), with the Cuba 4.2 library (github JohannesBuchner/cuba, d3a5245, built with
CFLAGS=-fcommon), GSL and boost::program_options:

    g++ -O2 -std=c++11 -include chrono ... -lcuba -lgsl -lgslcblas -lm [-lboost_program_options]

``gen_SM`` is the authors' event generator; ``xsec_driver`` is a 30-line driver written for this
benchmark (kept in DIR, not in darkbeam) that calls TridentSmite's own
``tridentMC::compute_total_xsec_energy`` with its fixed-energy integrands (``coh_BSM_E``, ``dif_BSM_E``)
at a list of energies and prints sigma (1e-45 cm^2) and the CPU seconds of each.  Run with CUBACORES=0
(Cuba otherwise forks workers) so that CPU times are of one core.

1. sigma(E) for nu_mu -> nu_mu mu+ mu- and nu_mu -> nu_mu e+ e- on Ar40, coherent and diffractive
   (TridentSmite: 18 x proton + 22 x neutron, each with its Pauli blocking; darkbeam: regime
   'diffractive'), with s_W^2 = 0.2223 (TridentSmite's) on both sides;
2. CPU time for sigma(E) at 1000 energies (TridentSmite: its per-energy time x 1000; darkbeam: measured);
3. CPU time per event: TridentSmite gen_SM (coherent dimuons on Ar40, DUNE ND flux of its repository,
   4e5 vegas samples = weighted events, then 1e4 unweighted HEPevt events; built from commit 1873c21 in
   DIR/v2019 because HEAD's event output is broken, see ``run_gen_sm``) against darkbeam's
   ``simulate_trident`` (100k weighted events at dune_nd_fhc).

Without ``--rerun`` the TridentSmite cross sections are read from DIR/out/ (written by DIR/run_bench.sh:
``xsec_driver`` for channels 1 and 3 on Ar40 (coherent), protons and neutrons (Pauli blocked)) and, without
DIR, from the JSON of the last run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from darkbeam.physics.trident import trident_xsec

HERE = Path(__file__).resolve().parent
OUT_JSON = HERE / "results" / "trident_vs_tridentsmite.json"
OUT_TXT = HERE / "results" / "trident_vs_tridentsmite.txt"
ENERGIES = [1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0]
SW2_TS = 0.2223
# TridentSmite channel numbers (README): 1 = mmmm (nu_mu -> nu_mu mu+ mu-), 3 = mmee (nu_mu -> nu_mu e+ e-)
CHANNELS = {1: "nu_mu -> nu_mu mu+ mu-", 3: "nu_mu -> nu_mu e+ e-"}
Z_AR, N_AR = 18, 22


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_xsec_driver(ts: Path, ch: int, z: int, a: int, pb: int) -> list[tuple[float, float, float, float]]:
    env = dict(os.environ, CUBACORES="0")
    out = subprocess.run([str(ts / "xsec_driver"), str(ch), str(z), str(a), str(pb), *map(str, ENERGIES)],
                         cwd=ts, env=env, capture_output=True, text=True, check=True).stdout
    rows = [tuple(map(float, line.split())) for line in out.splitlines() if line.strip() and line[0].isdigit()]
    return rows  # (E, sigma [1e-45 cm^2], error, cpu s)


def run_gen_sm(ts: Path) -> dict:
    """TridentSmite's generator at commit 1873c21 (2019; DIR/v2019): HEAD's gen_SM writes an empty event file
    and crashes in the HEPevt unweighting ("Total integral from events = 0", then SIGSEGV), so the timing
    uses the last version that writes events."""
    v = ts / "v2019"
    for d in ("samples", "events", "HEPevt"):
        (v / d).mkdir(exist_ok=True)
    env = dict(os.environ, CUBACORES="0")
    c0, t0 = _children_cpu(), time.perf_counter()
    log = subprocess.run([str(v / "gen_SM"), "-c", "1", "-z", "18", "-a", "40", "-N", "10000",
                          "--fluxfile=fluxes/DUNE_ND_neutrino_Nov2017.dat", "--emin=0.01", "--emax=30.0"],
                         cwd=v, env=env, capture_output=True, text=True, check=True).stdout
    cpu, wall = _children_cpu() - c0, time.perf_counter() - t0
    hep = v / "HEPevt" / "MC_events_numu_to_numu_mu+_mu-_coh_18_40.dat"
    n_lines = sum(1 for _ in hep.open()) if hep.exists() else 0
    return {"version": "1873c21", "cpu_s": cpu, "wall_s": wall, "weighted_samples": 400000,
            "unweighted_events": n_lines // 4, "log_tail": log.strip().splitlines()[-3:]}


def tridentsmite_numbers(ts: Path | None, rerun: bool) -> dict:
    if ts is not None and rerun:
        res = {"xsec": {}, "gen_sm": None}
        for ch in CHANNELS:
            res["xsec"][str(ch)] = {"coherent": run_xsec_driver(ts, ch, Z_AR, 40, 0),
                                    "proton_PB": run_xsec_driver(ts, ch, 1, 1, 1),
                                    "neutron_PB": run_xsec_driver(ts, ch, 0, 1, 1)}
        res["gen_sm"] = run_gen_sm(ts)
        return res
    if ts is not None and (ts / "out" / "c1_coh_Ar40.txt").exists():  # outputs of DIR/run_bench.sh
        def rows(name):
            return [tuple(map(float, ln.split())) for ln in (ts / "out" / name).read_text().splitlines() if ln.strip()]
        res = {"xsec": {str(ch): {"coherent": rows(f"c{ch}_coh_Ar40.txt"), "proton_PB": rows(f"c{ch}_p_PB.txt"),
                                  "neutron_PB": rows(f"c{ch}_n_PB.txt")} for ch in CHANNELS}}
        res["gen_sm"] = (json.loads(OUT_JSON.read_text())["tridentsmite"]["gen_sm"] if OUT_JSON.exists()
                         else run_gen_sm(ts))
        return res
    if OUT_JSON.exists():
        return json.loads(OUT_JSON.read_text())["tridentsmite"]
    sys.exit("no TridentSmite numbers: pass --tridentsmite DIR --rerun once")


def darkbeam_timings() -> dict:
    from darkbeam.processes.trident_events import simulate_trident

    E = np.geomspace(0.5, 500.0, 1000)
    trident_xsec(E, channel=CHANNELS[1])  # table in memory (built or read from the cache once)
    t0 = time.process_time()
    for _ in range(5):
        trident_xsec(E, channel=CHANNELS[1])
    t_table = (time.process_time() - t0) / 5
    t0 = time.process_time()
    for _ in range(5):
        trident_xsec(E, channel=CHANNELS[1], g_nu=1e-3, g_l=1e-3, m_zprime=0.05)
    t_zp = (time.process_time() - t0) / 5
    simulate_trident("dune_nd_fhc", CHANNELS[1], n=2000, rng=np.random.default_rng(1))  # warm the tables
    t0 = time.process_time()
    ev = simulate_trident("dune_nd_fhc", CHANNELS[1], n=100_000, rng=np.random.default_rng(2))
    t_ev = time.process_time() - t0
    return {"sigma_1000_table_s": t_table, "sigma_1000_zprime_s": t_zp, "events_100k_cpu_s": t_ev,
            "events_per_cpu_s": 100_000 / t_ev, "events_sum_w": float(np.sum(ev["w"]))}


def compare(ts: dict) -> tuple[list[str], dict]:
    lines, table = [], {}
    lines.append("1. sigma(E) on Ar40, s_W^2 = 0.2223 both sides [1e-42 cm^2 per nucleus]")
    lines.append(f"{'channel':26s} {'regime':11s} {'E':>6s} {'TridentSmite':>13s} {'darkbeam':>10s} {'db/TS':>7s}")
    for ch, name in CHANNELS.items():
        xs = ts["xsec"][str(ch)]
        coh = np.array(xs["coherent"])
        p, n = np.array(xs["proton_PB"]), np.array(xs["neutron_PB"])
        dif = Z_AR * p[:, 1] + N_AR * n[:, 1]
        for regime, ts_sig in (("coherent", coh[:, 1]), ("diffractive", dif)):
            db = trident_xsec(np.array(ENERGIES), channel=name, regime=regime, target="Ar40", sw2=SW2_TS)
            r = db / (ts_sig * 1e-45)
            table[f"{name}|{regime}"] = {"E": ENERGIES, "tridentsmite_cm2": list(ts_sig * 1e-45),
                                         "darkbeam_cm2": list(db), "ratio": list(r)}
            for E, a, b, q in zip(ENERGIES, ts_sig * 1e-45, db, r):
                lines.append(f"{name:26s} {regime:11s} {E:6.0f} {a / 1e-42:13.4g} {b / 1e-42:10.4g} {q:7.3f}")
    return lines, table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tridentsmite", type=Path, default=Path("/work/tridentsmite"))
    ap.add_argument("--rerun", action="store_true", help="run TridentSmite again (else read the last JSON)")
    args = ap.parse_args()
    ts_dir = args.tridentsmite if (args.tridentsmite / "xsec_driver").exists() else None
    ts = tridentsmite_numbers(ts_dir, args.rerun)
    lines, table = compare(ts)
    db = darkbeam_timings()
    cpu = [row[3] for ch in ts["xsec"].values() for rows in ch.values() for row in rows]
    ts_per_e = float(np.mean(cpu))
    g = ts["gen_sm"]
    lines += ["", "2. CPU time, sigma(E) at 1000 energies (one core)",
              f"   TridentSmite: {ts_per_e:.2f} s per energy (Vegas, 4e5 points, mean of {len(cpu)}) -> "
              f"{1000 * ts_per_e:.0f} s for 1000 energies (extrapolated)",
              f"   darkbeam table: {db['sigma_1000_table_s'] * 1e3:.1f} ms (SM), "
              f"{db['sigma_1000_zprime_s'] * 1e3:.1f} ms (light Z'); first call per channel masses/target/regime "
              "builds the table (~17 s, cached on disk)",
              "", "3. events (coherent nu_mu -> nu_mu mu+ mu- on Ar40, DUNE ND flux)",
              f"   TridentSmite gen_SM ({g['version']}): {g['cpu_s']:.1f} s CPU for {g['weighted_samples']} weighted "
              f"vegas samples + {g['unweighted_events']} unweighted HEPevt events -> "
              f"{g['weighted_samples'] / g['cpu_s']:.0f} weighted samples, "
              f"{g['unweighted_events'] / g['cpu_s']:.0f} unweighted events per CPU s",
              f"   darkbeam simulate_trident: {db['events_100k_cpu_s']:.2f} s CPU for 100k weighted events -> "
              f"{db['events_per_cpu_s']:.0f} per CPU s (target >= 1e5)"]
    text = "\n".join(lines)
    print(text)
    OUT_TXT.write_text(text + "\n")
    OUT_JSON.write_text(json.dumps({"tridentsmite": ts, "comparison": table, "darkbeam_timing": db,
                                    "tridentsmite_s_per_energy": ts_per_e}, indent=1))


if __name__ == "__main__":
    main()
