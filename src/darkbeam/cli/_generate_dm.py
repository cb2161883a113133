"""``darkbeam generate --process dark-matter``: chi e, chi p, chi n and coherent chi-nucleus events of light
dark matter made in the target or beam dump (docs/dark_matter.md, "Events").  Imported by cli/generate.py only for this process."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from darkbeam.cli.common import event_files, model_from_options, print_json
from darkbeam.errors import ConfigurationError

DEFAULT_NAME = "events"
DEFAULT_SETUP = "dune_nd"


def generate_dm(setup: str, model: Optional[Path], sets, seed: int, events: int, output: Optional[str], formats,
                overwrite: bool, as_json: bool, off_axis: Optional[float], no_brem: bool, regimes, refused: dict,
                brem: bool = False) -> None:
    """Check everything, then simulate, write and print (``refused``: options of other processes that
    were given, {option: given?}; ``brem``/``no_brem``: --bremsstrahlung/--no-bremsstrahlung, the
    proton-bremsstrahlung chi on/off against the setup's default)."""
    from darkbeam.processes.dark_matter import SETUPS, setup_of

    for opt, given in refused.items():
        if given:
            raise ConfigurationError(f"{opt} is not an option of --process dark-matter")
    if brem and no_brem:
        raise ConfigurationError("--bremsstrahlung and --no-bremsstrahlung contradict each other")
    if events < 100:
        raise ConfigurationError(f"--events must be at least 100 per channel, got {events}")
    from darkbeam.cli.common import check_choice, split_list

    from darkbeam.processes.dm_targets import REGIME_TARGET

    regs = split_list("--regime", regimes) or ["electron"]
    for r in regs:
        check_choice("--regime", r, tuple(REGIME_TARGET))
    if len(set(regs)) != len(regs):
        raise ConfigurationError(f"--regime lists a regime twice: {','.join(regs)}")
    target = ",".join(REGIME_TARGET[r] for r in regs)
    st = setup_of(setup)  # one line for an unknown setup (choices: SETUPS)
    assert st.name in SETUPS
    files, _ = event_files(output, formats, None, overwrite, DEFAULT_NAME)
    params = model_from_options(model, sets, [])
    from darkbeam.events.memory import check_memory

    check_memory(events * 16, f"up to 8 chi sources x 2 roots x {events} events")
    import numpy as np

    from darkbeam.processes.dark_matter import simulate

    ev = simulate(params, st, n=events, rng=np.random.default_rng(seed), offset_m=off_axis or 0.0, seed=seed,
                  bremsstrahlung=False if no_brem else (True if brem else None), target=target)
    written = []
    if files:
        from darkbeam.events import write

        for f, path in files:
            write(ev, path, format=f, overwrite=True)
            written.append(str(path))
    m = ev.meta
    d = {"process": "dark-matter", "setup": m["setup"], "experiment": m["experiment"], "offset_m": m["offset_m"],
         "seed": seed, "exposure_pot": m["exposure_pot"], "yield_Y": m["yield_Y"], "events": len(ev),
         "target": m["target"], "total_events": m["total_events"], "recoil_window_GeV": m["recoil_window_GeV"],
         "channels": m["summary"], "bremsstrahlung": m["bremsstrahlung"],
         "caveats": list(m["caveats"]), "files": written}
    if as_json:
        print_json(d)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    out = Console()
    t = Table(title=escape(f"darkbeam generate --process dark-matter: {m['setup']} ({m['offset_m']:g} m off axis, "
                           f"seed {seed})"))
    for c in ("chi source", "target", "BR", "chi toward detector", "events", "MC err", "share"):
        t.add_column(c, justify="left" if c in ("chi source", "target") else "right")
    for s in m["summary"]:
        t.add_row(escape(s["channel"]), escape(s["target"]), f"{s['br']:.4g}", f"{s['chi_toward_detector']:.4g}",
                  f"{s['events']:.5g}", f"{s['events_err']:.2g}", f"{s['share']:.3f}")
    out.print(t)
    win = m["recoil_window_GeV"]
    wins = win if isinstance(win, dict) else {",".join(sorted({s["target"] for s in m["summary"]})): win}
    text = "; ".join(f"{k} {lo:g} GeV to {'T_max' if hi is None else f'{hi:g} GeV'}" for k, (lo, hi) in wins.items())
    out.print(f"total: {m['total_events']:.6g} chi scattering events ({target}) for "
              f"{m['exposure_pot']:.4g} POT at Y = {m['yield_Y']:.4g} "
              f"(events ~ Y^2 at fixed masses and alphaD); recoil window: {text}", highlight=False)
    for c in m["caveats"]:
        out.print(f"caveat: {c}", markup=False, highlight=False)
    for f in written:
        out.print(f"wrote {f}")
