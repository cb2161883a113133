"""``darkbeam generate --process trident``: weighted trident events (SM plus a lepton-flavour Z') (docs/tridents.md,
"Events").  Imported by cli/generate.py only for this process (not a command module of its own)."""

from __future__ import annotations

from darkbeam.cli.common import event_files, print_json
from darkbeam.errors import ConfigurationError


def generate_trident(experiment: str, channel, regimes, seed: int, events: int, output, formats, overwrite: bool,
                     as_json: bool, refused: dict, model=None, sets=None, unweighted=None) -> None:
    """Check everything, then simulate and print (``refused``: options that do not apply, {option: given?})."""
    for opt, given in refused.items():
        if given:
            raise ConfigurationError(f"{opt} does not apply to --process trident")
    from darkbeam.physics.trident_channels import CHANNEL_NAMES
    from darkbeam.physics.trident_hadronic import REGIMES

    if channel is None:
        raise ConfigurationError("--process trident needs --channel (e.g. 'nu_mu -> nu_mu mu+ mu-'; "
                                 "darkbeam xsec --process trident --help lists them)")
    if channel not in CHANNEL_NAMES:
        raise ConfigurationError(f"unknown trident channel '{channel}' (choose from {', '.join(CHANNEL_NAMES)})")
    regs = list(regimes or ["coherent"])
    if len(regs) != 1 or regs[0] not in REGIMES:
        raise ConfigurationError(f"--process trident takes one --regime: {' or '.join(REGIMES)}")
    if events < 100:
        raise ConfigurationError(f"--events must be at least 100 per target, got {events}")
    files, uw_files = event_files(output, formats, unweighted, overwrite, "events")
    from darkbeam.detectors import load_experiment
    from darkbeam.events.memory import check_memory

    exp = load_experiment(experiment)
    from darkbeam.cli._xsec_rare import _model

    params = _model(model, sets)
    from darkbeam.physics.trident_channels import channel as get_channel
    from darkbeam.processes.trident_events import channel_zprime

    channel_zprime(params, get_channel(channel))  # a Z' of another charge: one line, before any work
    check_memory(events * 4, f"{events} trident events per target")
    import numpy as np

    from darkbeam.processes.trident_events import simulate_trident

    res = simulate_trident(exp, channel, regime=regs[0], n=events, rng=np.random.default_rng(seed), seed=seed,
                           params=params)
    meta, summary = res["meta"], res["summary"]
    written = []
    if files:
        from darkbeam.events import write
        from darkbeam.processes.trident_events import to_eventset

        ev = to_eventset(res)
        for f, path in files:
            write(ev, path, format=f, overwrite=True)  # an existing file was refused up front
            written.append(str(path))
        if uw_files:
            from darkbeam.events import unweight

            uw = unweight(ev, unweighted, rng=np.random.default_rng(seed), on_shortfall="return")
            for f, path in uw_files:
                write(uw, path, format=f, overwrite=True)
                written.append(str(path))
    if as_json:
        print_json({"process": "trident", "experiment": meta["experiment"], "channel": channel, "regime": regs[0],
                    "seed": seed, "model": meta["model"], "exposure_pot": meta["exposure_pot"], "events": int(res["w"].size),
                    "total_events": meta["total_events"], "mc_total_events": meta["mc_total_events"],
                    "cases": summary, "caveats": list(meta["caveats"]), "files": written})
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    out = Console()
    t = Table(title=escape(f"darkbeam generate --process trident: {meta['experiment']}  (seed {seed})"))
    for c in ("case", "events (quadrature)", "MC estimate", "MC err", "n_eff"):
        t.add_column(c, justify="left" if c == "case" else "right")
    for s in summary:
        if "mc_events" not in s:
            t.add_row(escape(s["case"]), "0", "", "", "")
            continue
        t.add_row(escape(s["case"]), f"{s['events']:.5g}", f"{s['mc_events']:.5g}", f"{s['mc_err']:.2g}",
                  f"{s['n_eff']:.0f}")
    out.print(t)
    out.print(f"total: {meta['total_events']:.6g} events (flux x tabulated sigma) and {meta['mc_total_events']:.6g} "
              f"(sum of the event weights) for {meta['exposure_pot']:.4g} POT; model: "
              f"{'Standard Model' if not params.has_zprime else params.zprime_charge + ' Z' + chr(39)}", highlight=False)
    for s in summary:
        if "proton_fraction" in s:
            out.print(f"{s['case']}: {100 * s['proton_fraction']:.1f}% of the events recoil on a proton", markup=False,
                      highlight=False)
    for c in meta["caveats"]:
        out.print(f"caveat: {c}", markup=False, highlight=False)
    for path in written:
        out.print(f"wrote {escape(path)}", highlight=False)
