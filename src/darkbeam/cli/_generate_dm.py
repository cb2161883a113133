"""``darkbeam generate --process dark-matter``: chi e -> chi e events of light dark matter made in the
target or beam dump (docs/dark_matter.md, "Events").  Imported by cli/generate.py only for this process."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from darkbeam.cli.common import event_files, model_from_options, print_json
from darkbeam.errors import ConfigurationError

DEFAULT_NAME = "events"
DEFAULT_SETUP = "dune_nd"


def generate_dm(setup: str, model: Optional[Path], sets, seed: int, events: int, output: Optional[str], formats,
                overwrite: bool, as_json: bool, off_axis: Optional[float], no_brem: bool, regimes, refused: dict) -> None:
    """Check everything, then simulate, write and print (``refused``: options of other processes that
    were given, {option: given?})."""
    from darkbeam.processes.dark_matter import SETUPS, setup_of

    for opt, given in refused.items():
        if given:
            raise ConfigurationError(f"{opt} is not an option of --process dark-matter")
    if events < 100:
        raise ConfigurationError(f"--events must be at least 100 per channel, got {events}")
    from darkbeam.cli.common import check_choice, split_list

    regs = split_list("--regime", regimes) or ["electron"]
    if len(regs) != 1:
        raise ConfigurationError("--process dark-matter takes one --regime: electron (chi e) or p-el (chi p)")
    check_choice("--regime", regs[0], ("electron", "p-el"))
    target = "e" if regs[0] == "electron" else "p"
    st = setup_of(setup)  # one line for an unknown setup (choices: SETUPS)
    assert st.name in SETUPS
    files, _ = event_files(output, formats, None, overwrite, DEFAULT_NAME)
    params = model_from_options(model, sets, [])
    from darkbeam.events.memory import check_memory

    check_memory(events * 16, f"up to 8 chi sources x 2 roots x {events} events")
    import numpy as np

    from darkbeam.processes.dark_matter import simulate

    ev = simulate(params, st, n=events, rng=np.random.default_rng(seed), offset_m=off_axis or 0.0, seed=seed,
                  bremsstrahlung=False if no_brem else None, target=target)
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
         "channels": m["summary"],
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
    for c in ("chi source", "BR", "chi toward detector", f"chi {'e' if target == 'e' else 'p'} events", "MC err", "share"):
        t.add_column(c, justify="left" if c == "chi source" else "right")
    for s in m["summary"]:
        t.add_row(escape(s["channel"]), f"{s['br']:.4g}", f"{s['chi_toward_detector']:.4g}", f"{s['events']:.5g}",
                  f"{s['events_err']:.2g}", f"{s['share']:.3f}")
    out.print(t)
    lo, hi = m["recoil_window_GeV"]
    out.print(f"total: {m['total_events']:.6g} chi {'e' if target == 'e' else 'p'} events for "
              f"{m['exposure_pot']:.4g} POT at Y = {m['yield_Y']:.4g} "
              f"(events ~ Y^2 at fixed masses and alphaD); recoil window {lo:g} GeV to "
              f"{'T_max' if hi is None else f'{hi:g} GeV'}", highlight=False)
    for c in m["caveats"]:
        out.print(f"caveat: {c}", markup=False, highlight=False)
    for f in written:
        out.print(f"wrote {f}")
