"""``darkbeam generate --process nu-e|cevns``: weighted rare-scattering events (docs/rare_scattering.md,
section 8).  Imported by cli/generate.py only for these processes (not a command module of its own)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from darkbeam.cli.common import check_choice, event_files, print_json, split_list
from darkbeam.errors import ConfigurationError

RARE_GENERATE = ("nu-e", "cevns")
DEFAULT_NAME = "events"


def check_process(process: str) -> None:
    """One line for a --process of generate that is not upscattering, meson-decay, nu-e, cevns, trident or
    dark-matter."""
    check_choice("--process", process, ("upscattering", "meson-decay") + RARE_GENERATE + ("trident", "dark-matter"))


def generate_rare(process: str, experiment: str, model: Optional[Path], sets, seed: int, events: int,
                  output: Optional[str], formats, projectiles, overwrite: bool, as_json: bool,
                  refused: dict, unweighted=None, radiative: str = "none", response: Optional[str] = None) -> None:
    """Check everything, then simulate, write and print (``refused``: options of the upscattering
    generator that were given, {option: given?}; ``radiative``, ``response``: nu-e radiative corrections
    and detector response, analysis/nu_e_selection.py)."""
    from darkbeam.processes.rare_scatter import FLAVOUR_PDG

    for opt, given in refused.items():
        if given:
            raise ConfigurationError(f"{opt} applies to --process upscattering only")
    if events < 100:
        raise ConfigurationError(f"--events must be at least 100 per case, got {events}")
    projs = split_list("--projectile", projectiles)
    for p in projs or []:
        check_choice("--projectile", p, FLAVOUR_PDG)
    if process == "cevns":
        from darkbeam.detectors.cevns_detectors import cevns_detector

        target = cevns_detector(experiment)
    else:
        from darkbeam.detectors import load_experiment

        target = load_experiment(experiment)
    from darkbeam.physics.cevns_radiative import check_radiative

    check_radiative(process, radiative)
    resp = None
    if response is not None:
        from darkbeam.detectors.nu_e_response import nu_e_response

        resp = nu_e_response(response, target.keyword)
    files, uw_files = event_files(output, formats, unweighted, overwrite, DEFAULT_NAME)
    from darkbeam.cli._xsec_rare import _model
    from darkbeam.events.memory import check_memory

    params = _model(model, sets)
    check_memory(events * 12, f"up to 12 cases x {events} events")

    import numpy as np

    from darkbeam.processes.rare_scatter import simulate

    rng = np.random.default_rng(seed)
    ev = simulate(process, target, params, n=events, rng=rng, projectiles=projs, seed=seed, radiative=radiative)
    if resp is not None:
        from darkbeam.analysis.nu_e_selection import apply_response

        ev = apply_response(ev, resp, rng)
    written = []
    if files:
        from darkbeam.events import write

        for f, path in files:
            write(ev, path, format=f, overwrite=True)
            written.append(str(path))
        if uw_files:
            from darkbeam.events import unweight

            uw = unweight(ev, unweighted, rng=np.random.default_rng(seed), on_shortfall="return")
            for f, path in uw_files:
                write(uw, path, format=f, overwrite=True)
                written.append(str(path))
    summary = ev.meta["summary"]
    if as_json:
        print_json({"process": process, "experiment": ev.meta["experiment"], "seed": seed,
                    "exposure_pot": ev.meta["exposure_pot"], "events": len(ev),
                    "total_events": ev.meta["total_events"], "recoil_window_GeV": ev.meta["recoil_window_GeV"],
                    "cases": summary, "caveats": list(ev.meta.get("caveats", [])), "files": written,
                    **_response_summary(ev)})
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    out = Console()
    t = Table(title=escape(f"darkbeam generate --process {process}: {ev.meta['experiment']}  (seed {seed})"))
    for c in ("case", "events", "quadrature err", "MC estimate", "MC err", "n_eff"):
        t.add_column(c, justify="left" if c == "case" else "right")
    for s in summary:
        if "mc_events" not in s:
            t.add_row(escape(s["case"]), "0", "", "", "", "")
            continue
        t.add_row(escape(s["case"]), f"{s['events']:.5g}", f"{s['quadrature_err']:.2g}", f"{s['mc_events']:.5g}",
                  f"{s['mc_err']:.2g}", f"{s['n_eff']:.0f}")
    out.print(t)
    lo, hi = ev.meta["recoil_window_GeV"]
    out.print(f"total: {ev.meta['total_events']:.6g} events for {ev.meta['exposure_pot']:.4g} POT; recoil window "
              f"{lo:g} GeV to {'T_max' if hi is None else f'{hi:g} GeV'}; sum(w) of a case = its quadrature rate",
              highlight=False)
    for k, v in _response_summary(ev).items():
        out.print(f"{k}: {v}", markup=False, highlight=False)
    for c in ev.meta.get("caveats", []):
        out.print(f"caveat: {c}", markup=False, highlight=False)
    for f in written:
        out.print(f"wrote {f}")


def _response_summary(ev) -> dict:
    """radiative corrections and, with a detector response, the selected events (sum of w x pass_cuts)."""
    out = {"radiative": ev.meta.get("radiative", "none")}
    if "pass_cuts" in ev.columns:
        sel = float((ev.w * ev.columns["pass_cuts"]).sum())
        out.update(detector_response=ev.meta["response"]["name"], selected_events=sel,
                   selected_fraction=sel / ev.meta["total_events"] if ev.meta["total_events"] else 0.0)
    return out


def reweight_rare(events, changes: dict, path, as_json: bool) -> None:
    """``darkbeam reweight`` of a nu-e, CEvNS or trident event file: nu-e/CEvNS weights x dsigma ratio at
    the stored (E, T) (:func:`darkbeam.processes.rare_scatter.reweight`), trident weights from the stored
    amplitude parts (:func:`darkbeam.processes.trident_events.reweight`); per case sums, MC errors and
    Kish n_eff."""
    import math

    import numpy as np

    new = events.reweight(changes)
    case = new.columns["case"]
    rows = []
    for i, c in enumerate(new.cases):
        w0, w = events.w[case == i], new.w[case == i]
        n = w.size
        rows.append({"case": c.name, "events_before": float(w0.sum()), "events": float(w.sum()),
                     "mc_err": float(math.sqrt(n * np.var(w, ddof=1))) if n > 1 else 0.0,
                     "n": int(n), "n_eff": float(w.sum() ** 2 / np.sum(w * w)) if np.any(w > 0) else 0.0})
    files = []
    if path is not None:
        from darkbeam.events import write

        write(new, path, format="parquet", overwrite=True)  # an existing file was refused up front
        files.append(str(path))
    d = {"process": events.meta["process"], "experiment": events.meta.get("experiment"), "changes": changes,
         "total_events": float(new.w.sum()), "total_events_before": float(events.w.sum()), "cases": rows,
         "files": files}
    if as_json:
        print_json(d)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    out = Console()
    t = Table(title=escape(f"darkbeam reweight ({d['process']}): {d['experiment']}  "
                           f"({', '.join(f'{k}={v}' for k, v in changes.items()) or 'no change'})"))
    for c in ("case", "before", "after", "MC err", "n_eff"):
        t.add_column(c, justify="left" if c == "case" else "right")
    for r in rows:
        t.add_row(escape(r["case"]), f"{r['events_before']:.5g}", f"{r['events']:.5g}", f"{r['mc_err']:.2g}",
                  f"{r['n_eff']:.0f}")
    out.print(t)
    how = {"trident": "weights from the stored amplitude parts (SM, interference, Z'^2)",
           "dark-matter": "weights x (epsilon/epsilon_0)^4 (chi flux x scattering)"}.get(
        d["process"], "weights x dsigma ratio at the stored (E, T)")
    out.print(f"total: {d['total_events']:.6g} events (was {d['total_events_before']:.6g}); {how}", highlight=False)
    for f in files:
        out.print(f"wrote {f}")
