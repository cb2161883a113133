"""``darkbeam shower --beam BEAM --dark-mass M --experiment EXP``: dark-photon events at a catalog detector
from the photon showers of a proton target, beside pi0/eta -> gamma A' (processes/shower_llp.py;
docs/shower_events.md).  Every check runs before any work."""

from __future__ import annotations

from darkbeam.errors import ConfigurationError, ParameterError

DEFAULT_NAME = "shower_events"


def shower_events(*, beam, experiment, dark_mass, epsilon, events, showers, vectors, seed, min_energy, direct,
                  output, formats, overwrite, as_json) -> None:
    from darkbeam.cli.common import event_files, print_json

    if dark_mass is None or not dark_mass > 0:
        raise ParameterError("--experiment needs --dark-mass (GeV, positive)")
    if epsilon is None or not (0 < epsilon < 1):
        raise ParameterError(f"--epsilon must be in (0, 1), got {epsilon}")
    if events < 1 or showers < 2 or vectors < 1:
        raise ParameterError("--events and --vectors must be at least 1, --showers at least 2")
    if not (min_energy >= 0):
        raise ParameterError(f"--min-energy must be >= 0 GeV, got {min_energy}")
    files, _ = event_files(output, formats, None, overwrite, DEFAULT_NAME)
    from darkbeam.detectors import load_experiment
    from darkbeam.models import load_model
    from darkbeam.processes.meson_run import beam_of
    from darkbeam.processes.shower_llp import run_shower_events

    exp = load_experiment(experiment)
    frame = beam_of(exp, beam)
    params = load_model(None, {"mzprime": dark_mass, "epsilon": epsilon}, base={"name": "dark photon (epsilon)"})
    run = run_shower_events(params, exp, beam=frame, n=events, seed=seed, showers=showers, vectors=vectors,
                            min_energy=min_energy, direct=direct)
    s = run.summary
    if files:
        from darkbeam.events import write

        for f, path in files:
            write(run.events, path, format=f, overwrite=True)
            s["files"].append(str(path))
    if as_json:
        print_json(s)
        return
    d, sh = s["decay_in_volume"], s["shower"]
    lines = [f"darkbeam shower --experiment: {s['experiment']} ({s['beam']} target, seed {s['seed']}, "
             f"{s['exposure_pot']:.3g} POT), m = {dark_mass:g} GeV, epsilon = {epsilon:g}",
             f"shower dark vectors per POT at epsilon = 1 (E > {sh['min_energy_GeV']:g} GeV possible): "
             f"{sh['yield_per_pot_eps1']:.4g} +- {sh['yield_per_pot_eps1_error']:.2g} from {sh['showers']} photon showers"]
    for c in s["channels"]:
        lines.append(f"  {c['channel']}: produced {c['llps_produced']:.4g}, toward the volume {c['llps_toward_volume']:.4g}, "
                     f"decays in it {c['decays_in_volume']:.4g} +- {c['decays_in_volume_err']:.2g}")
    lines.append(f"decays in the decay volume: {d['total']:.4g} +- {d['error']:.2g} (visible {d['visible']:.4g})")
    lines += [f"wrote {f}" for f in s["files"]]
    import typer

    typer.echo("\n".join(lines))


def check_not_events(**given) -> None:
    """One line when an events-only option is given without --experiment."""
    for opt, on in given.items():
        if on:
            raise ConfigurationError(f"{opt} is an option of the shower events (--beam with --experiment)")
