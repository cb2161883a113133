"""``darkbeam generate --process meson-decay``: new particles made in decays of beam mesons, flying to
the detector and decaying there (the meson-decay pipeline, darkbeam.processes.meson_run).

Kept apart from cli/generate.py (the upscattering job): :func:`dispatch` is called first there and
returns True when it ran the meson-decay job.  Every check runs before any work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from darkbeam.errors import ConfigurationError

PROCESSES = ("upscattering", "meson-decay")
MODES = ("in-flight", "at-rest")
DEFAULT_NAME = "events"


def dispatch(process: str, *, experiment, model, sets, seed, events, unweighted, output, formats, overwrite, as_json,
             mode: Optional[str], parents_file: Optional[str], beam: Optional[str], upscattering_only: dict,
             no_brem: bool = False) -> bool:
    """Run the meson-decay job and return True, or check that no meson-decay option was given to the
    upscattering job and return False."""
    if process != "meson-decay":
        for opt, given in (("--mode", mode is not None), ("--parents-file", parents_file is not None),
                           ("--beam", beam is not None), ("--no-bremsstrahlung", no_brem)):
            if given:
                raise ConfigurationError(f"{opt} is an option of --process meson-decay (the upscattering job takes no parents)")
        return False
    bad = [opt for opt, given in upscattering_only.items() if given]
    if bad:
        raise ConfigurationError(f"{bad[0]} is an option of the upscattering job, not of --process meson-decay")
    _meson_generate(experiment=experiment, model=model, sets=sets, seed=seed, events=events, unweighted=unweighted,
                    output=output, formats=formats, overwrite=overwrite, as_json=as_json, mode=mode or "in-flight",
                    parents_file=parents_file, beam=beam, bremsstrahlung=not no_brem)
    return True


def _meson_generate(*, experiment, model, sets, seed, events, unweighted, output, formats, overwrite, as_json, mode,
                    parents_file, beam, bremsstrahlung=True) -> None:
    from darkbeam.cli.common import check_choice, event_files, model_from_options, print_json

    check_choice("--mode", mode, MODES)
    if events < 1:
        raise ConfigurationError(f"--events must be a positive number of parent decays per channel, got {events}")
    if parents_file is not None and not Path(parents_file).is_file():
        raise ConfigurationError(f"--parents-file {parents_file}: no such file")
    params = model_from_options(model, sets)
    from darkbeam.detectors import load_experiment
    from darkbeam.processes.meson_run import beam_of, meson_channels, run_meson_decay

    exp = load_experiment(experiment)
    frame = beam_of(exp, beam)          # unknown beam frame for this experiment: one line
    channels = meson_channels(params, bremsstrahlung=bremsstrahlung)   # no new particle, or every channel closed at this mass: one line
    files, uw_files = event_files(output, formats, unweighted, overwrite, DEFAULT_NAME)
    # beam-model parents: as many as the events asked for, between 2^12 and 2^15 (their cost dominates small runs)
    run = run_meson_decay(params, exp, n=events, seed=seed, mode=mode, beam=frame, parents_file=parents_file,
                          channels=channels, n_parents=min(2**15, max(2**12, events)))
    ev, summary = run.events, run.summary
    if files:
        from darkbeam.events import unweight, write

        for f, path in files:
            write(ev, path, format=f, overwrite=True)
            summary["files"].append(str(path))
        if uw_files:
            import numpy as np

            uw = unweight(ev, unweighted, rng=np.random.default_rng(seed), on_shortfall="return")
            for f, path in uw_files:
                write(uw, path, format=f, overwrite=True)
                summary["files"].append(str(path))
    if as_json:
        print_json(summary)
        return
    _print_summary(summary)


def _print_summary(s: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    d = s["decay_in_volume"]
    t = Table(title=f"darkbeam generate --process meson-decay: {s['experiment']} ({s['beam']} beam, {s['parent_mode']}, "
                    f"seed {s['seed']}, {s['exposure_pot']:.3g} POT)")
    for col in ("production channel", "BR", "produced", "toward volume", "decays in volume"):
        t.add_column(col, justify="left" if col == "production channel" else "right")
    for c in s["channels"]:
        t.add_row(c["channel"], f"{c['br']:.3e}", f"{c['llps_produced']:.3e}", f"{c['llps_toward_volume']:.3e}",
                  f"{c['decays_in_volume']:.4g} +- {c['decays_in_volume_err']:.2g}")
    out.print(t)
    for c in s["channels"]:
        for note in c.get("notes") or []:
            out.print(f"note: {c['channel']}: {note}", markup=False, highlight=False)
    out.print(f"decays in the decay volume: {d['total']:.4g} +- {d['error']:.2g}  (visible {d['visible']:.4g}, "
              f"invisible {d['invisible']:.4g})", markup=False, highlight=False)
    for k, v in s["ctau_cm"].items():
        out.print(f"{k}: c*tau = {v:.4e} cm", markup=False, highlight=False)
    if s["skipped"]:
        out.print(f"skipped {len(s['skipped'])} channel(s) without parents in this beam or mode (listed by --json)")
    for f in s["files"]:
        out.print(f"wrote {f}")
