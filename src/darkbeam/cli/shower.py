"""``darkbeam shower``: electromagnetic showers in a thick target and their dark-vector yields (docs/showers.md)."""

from __future__ import annotations

from typing import Optional

import typer

from darkbeam.cli.common import JSON_OPTION, print_json, split_list
from darkbeam.cli.main import app
from darkbeam.errors import ParameterError


def shower_summary(material: str, particle: str, energy: float, showers: int, seed: int, cut: float,
                   thickness_x0: Optional[float], dark_mass: Optional[float], dark_brem: str = "exact",
                   layers: Optional[str] = None) -> dict:
    """Per-shower averages of a run (imports the physics on first call: the command line starts without it)."""
    import math

    import numpy as np

    from darkbeam.physics.shower.materials import shower_material
    from darkbeam.sources.shower.transport import NAMES, PROFILE_DX0, ShowerSimulator

    mat = shower_material(material)
    if thickness_x0 is not None and not thickness_x0 > 0:
        raise ParameterError(f"--thickness must be positive (radiation lengths), got {thickness_x0}")
    thickness = math.inf if thickness_x0 is None else thickness_x0 * mat.X0_cm
    target = mat
    if layers is not None:
        target = parse_layers(layers)
        mat = target[0][0]
    sim = ShowerSimulator(target, particle, energy, cut=cut, thickness=thickness, dark_mass=dark_mass, brem_model=dark_brem)
    r = sim.run(showers, seed=seed)
    X0 = mat.X0_cm
    charged = r.track_length[1] + r.track_length[2]
    out = {
        "material": mat.name if layers is None else layers, "particle": particle, "energy_GeV": energy, "showers": showers, "seed": seed,
        "cut_GeV": cut, "thickness_X0": thickness_x0, "X0_cm": X0, "density_g_cm3": mat.density,
        "segments_per_shower": {n: float(r.segments[i].mean()) for i, n in enumerate(NAMES)},
        "track_length_cm": {"e+-": float(charged.mean()), "gamma": float(r.track_length[0].mean()),
                            "e-": float(r.track_length[1].mean()), "e+": float(r.track_length[2].mean()),
                            "mu+-": float((r.track_length[3] + r.track_length[4]).mean())},
        "track_length_X0": ({"e+-": float(charged.mean() / X0), "gamma": float(r.track_length[0].mean() / X0)}
                            if layers is None else None),
        "kinetic_energy_GeV": r.T0,
        "energy_deposited_GeV": float((r.deposited + r.below_cut).mean()),
        "energy_continuous_loss_GeV": float(r.deposited.mean()),
        "energy_below_cut_GeV": float(r.below_cut.mean()),
        "energy_escaped_GeV": float(r.escaped.mean()),
        "energy_to_rest_mass_GeV": float(r.rest_mass.mean()),
        "energy_balance_GeV": float(np.max(np.abs(r.deposited + r.below_cut + r.escaped + r.rest_mass - r.T0))),
        "shower_max_X0": float((np.argmax(r.profile) + 0.5) * PROFILE_DX0),
    }
    if dark_mass is not None:
        by = {k: float(v.mean()) for k, v in r.dark_yield.items()}
        tot = sum(r.dark_yield.values())
        out["dark_mass_GeV"] = dark_mass
        out["dark_yield_per_primary"] = float(tot.mean())
        out["dark_yield_error"] = float(tot.std(ddof=1) / np.sqrt(showers)) if showers > 1 else None
        out["dark_yield_by_process"] = by
        out["dark_brem_model"] = dark_brem
        out["dark_yield_note"] = "eps = 1; yields scale with eps^2"
    return out


def parse_layers(text: str) -> list:
    """'lead:1.5,graphite:inf' -> [(lead, 1.5 cm), (graphite, inf)] (thicknesses in cm)."""
    from darkbeam.errors import ConfigurationError
    from darkbeam.physics.shower.materials import shower_material

    out = []
    for item in text.split(","):
        name, sep, th = item.partition(":")
        if not sep:
            raise ConfigurationError(f"--layers wants MATERIAL:CM[,MATERIAL:CM...], got '{item}'")
        try:
            thickness = float(th)
        except ValueError:
            raise ConfigurationError(f"'{th}' is not a thickness in cm (--layers)") from None
        out.append((shower_material(name), thickness))
    return out


@app.command("shower")
def shower_command(
    material: str = typer.Option("graphite", "--material", "-m", help="graphite, beryllium, aluminium, iron, copper, tungsten, lead, water or concrete."),
    particle: str = typer.Option("e-", "--particle", "-p", help="Primary: e-, e+, gamma, mu- or mu+."),
    energy: float = typer.Option(10.0, "--energy", "-E", help="Primary total energy in GeV."),
    showers: int = typer.Option(100, "--showers", "-n", help="Number of showers."),
    seed: int = typer.Option(0, "--seed", help="Seed of the showers and dark-vector draws (same seed, same result)."),
    cut: float = typer.Option(1e-3, "--cut", help="Kinetic-energy cut in GeV for e+- and photons."),
    thickness: Optional[float] = typer.Option(None, "--thickness", help="Target thickness in radiation lengths (default: infinite)."),
    dark_mass: Optional[float] = typer.Option(None, "--dark-mass", help="Dark-vector mass in GeV: adds the yields at eps = 1."),
    dark_brem: Optional[str] = typer.Option(None, "--dark-brem", help="Dark bremsstrahlung: exact (tree-level 2 -> 3; default for the shower summary), ww (angle-dependent flux; default for --search and --beam) or iww (improved WW)."),
    layers: Optional[str] = typer.Option(None, "--layers", help="Layered target along the beam, thicknesses in cm: lead:1.5,graphite:inf (replaces --material/--thickness)."),
    search: Optional[str] = typer.Option(None, "--search", help="An electron beam-dump search of the catalog (e137_dark_photon): the excluded eps band per mass (docs/showers.md, E137)."),
    dark_masses: Optional[list[str]] = typer.Option(None, "--dark-masses", help="Dark-photon masses in GeV for --search: comma- or space-separated, or repeated (0.01,0.03,0.1)."),
    vectors: int = typer.Option(50000, "--vectors", help="Weighted dark vectors sampled per mass (--search)."),
    processes: Optional[str] = typer.Option(None, "--processes", help="Comma-separated production processes for --search (brem_e-,brem_e+); default all."),
    energy_cut: Optional[float] = typer.Option(None, "--energy-cut", help="Signal energy threshold in GeV for --search (default: the geometry's)."),
    beam: Optional[str] = typer.Option(None, "--beam", help="A proton beam (lbnf, numi, ...): dark vectors per POT from the showers of its pi0 and eta photons in the target (needs --dark-mass; docs/showers.md)."),
    mesons: int = typer.Option(8192, "--mesons", help="pi0 and eta sampled per species for --beam."),
    acceptance: str = typer.Option("direction", "--acceptance", help="--search acceptance: direction (V's line of flight) or daughters (the decay products' energy on the detector face)."),
    experiment: Optional[str] = typer.Option(None, "--experiment", "-x", help="With --beam: dark-photon events at this catalog detector (shower vectors beside pi0/eta -> gamma A'; docs/shower_events.md)."),
    epsilon: float = typer.Option(1e-7, "--epsilon", help="Kinetic mixing of the events (--experiment); they reweight exactly in epsilon."),
    events: int = typer.Option(20000, "--events", help="Draws per production channel (--experiment)."),
    min_energy: float = typer.Option(0.0, "--min-energy", help="Sample only shower dark vectors that can be above this energy, GeV (--experiment)."),
    no_direct: bool = typer.Option(False, "--no-direct", help="Shower vectors only, without pi0/eta -> gamma A' (--experiment)."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="PATH", help="Event file of --experiment (.parquet, .hepmc3, .hepevt)."),
    formats: Optional[list[str]] = typer.Option(None, "--format", "-f", help="parquet | hepmc3 | hepevt (repeatable; --experiment)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing event files."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Electromagnetic showers in a thick target: per-shower track lengths, energy flow and dark-vector yields."""
    if showers < 1:
        raise ParameterError(f"--showers must be at least 1, got {showers}")
    if beam is not None:
        if search is not None or layers is not None or thickness is not None:
            raise ParameterError("--beam takes its target from the beam model: not with --search, --layers or --thickness")
        if experiment is not None:
            from darkbeam.cli._shower_events import shower_events

            shower_events(beam=beam, experiment=experiment, dark_mass=dark_mass, epsilon=epsilon, events=events,
                          showers=showers, vectors=vectors, seed=seed, min_energy=min_energy, direct=not no_direct,
                          output=output, formats=formats, overwrite=overwrite, as_json=as_json)
            return
    if experiment is None and (output is not None or formats or no_direct or min_energy != 0.0):
        raise ParameterError("--output, --format, --no-direct and --min-energy are options of the shower events "
                             "(--beam with --experiment)")
    if experiment is not None and beam is None:
        raise ParameterError("--experiment needs --beam (the proton target whose photon showers make the dark photons)")
    if beam is not None:
        _beam_command(beam, dark_mass, showers, mesons, seed, cut, dark_brem or "ww", as_json)
        return
    if search is not None:
        _search_command(search, dark_mass, dark_masses, showers, vectors, seed, energy_cut, dark_brem or "ww", processes, as_json,
                        acceptance)
        return
    if dark_masses:
        raise ParameterError("--dark-masses needs --search (a single --dark-mass gives the yields)")
    if layers is not None and thickness is not None:
        raise ParameterError("give either --layers or --thickness, not both")
    out = shower_summary(material, particle, energy, showers, seed, cut, thickness, dark_mass, dark_brem or "exact", layers)
    if as_json:
        print_json(out)
        return
    lines = [
        f"{showers} {particle} showers of {energy:g} GeV in {out['material']} (X0 = {out['X0_cm']:.4g} cm, cut {cut:g} GeV)",
        "segments per shower: " + ", ".join(f"{k} {v:.1f}" for k, v in out["segments_per_shower"].items()),
        f"track length: e+- {out['track_length_cm']['e+-']:.4g} cm, gamma {out['track_length_cm']['gamma']:.4g} cm"
        + ("" if out["track_length_X0"] is None else
           f" ({out['track_length_X0']['e+-']:.4g} and {out['track_length_X0']['gamma']:.4g} X0)"),
        f"energy (GeV): deposited {out['energy_deposited_GeV']:.6g} (below cut {out['energy_below_cut_GeV']:.4g}), "
        f"escaped {out['energy_escaped_GeV']:.6g}, to rest mass {out['energy_to_rest_mass_GeV']:.4g}; "
        f"kinetic {out['kinetic_energy_GeV']:.6g} (balance {out['energy_balance_GeV']:.1e})",
        f"shower maximum (energy deposit): {out['shower_max_X0']:.3g} X0",
    ]
    if dark_mass is not None:
        lines.append(f"dark vectors (m = {dark_mass:g} GeV, eps = 1) per primary: {out['dark_yield_per_primary']:.4g}")
        lines += [f"  {k}: {v:.4g}" for k, v in out["dark_yield_by_process"].items()]
    typer.echo("\n".join(lines))


def _beam_command(beam, dark_mass, showers, mesons, seed, cut, dark_brem, as_json):
    """``--beam``: dark vectors per POT from the pi0/eta photon showers in a proton target (sources/shower/proton_dump.py)."""
    if dark_mass is None:
        raise ParameterError("--beam needs --dark-mass (GeV)")
    if mesons < 1:
        raise ParameterError(f"--mesons must be at least 1, got {mesons}")
    from darkbeam.sources.shower.proton_dump import proton_dump_shower_yield

    out = proton_dump_shower_yield(beam, dark_mass, showers=showers, n_mesons=mesons, seed=seed, cut=cut,
                                   brem_model=dark_brem)
    if as_json:
        print_json(out)
        return
    t = out["target"]
    lines = [f"{out['beam']}: pi0 and eta photons ({out['photons_per_pot']:.4g} per POT, {out['photon_energy_per_pot_GeV']:.4g} GeV) "
             f"showering in the {t['length_cm']:g} cm x {t['radius_cm']:g} cm {t['material']} target; {showers} showers, cut {cut:g} GeV",
             f"dark vectors (m = {dark_mass:g} GeV, eps = 1) per POT: {out['dark_yield_per_pot']:.4g} +- {out['dark_yield_error']:.2g}"]
    lines += [f"  {k}: {v:.4g}" for k, v in out["dark_yield_by_process"].items()]
    lines.append("for scale, M -> gamma V directly per POT: "
                 + ", ".join(f"{k} {v:.4g}" for k, v in out["direct_meson_decay_yield_per_pot"].items()))
    typer.echo("\n".join(lines))


def _search_command(search, dark_mass, dark_masses, showers, vectors, seed, energy_cut, dark_brem, processes, as_json,
                        acceptance):
    """``--search``: the excluded eps band of an electron beam-dump search per mass (analysis/beam_dump.py)."""
    from darkbeam.analysis.beam_dump import search_limit

    masses = [] if dark_mass is None else [dark_mass]
    for v in dark_masses or []:  # each value comma- or space-separated, the option repeatable
        try:
            masses += [float(x) for item in split_list("--dark-masses", [v]) for x in item.split()]
        except ValueError:
            raise ParameterError(f"--dark-masses wants comma-separated (or space-separated, or repeated) masses "
                                 f"in GeV, got '{v}'") from None
    if not masses:
        raise ParameterError("--search needs --dark-mass or --dark-masses")
    if vectors < 1:
        raise ParameterError(f"--vectors must be at least 1, got {vectors}")
    procs = tuple(p.strip() for p in processes.split(",")) if processes else None
    out = search_limit(search, masses, showers=showers, vectors=vectors, seed=seed, energy_cut=energy_cut,
                       brem_model=dark_brem, processes=procs, acceptance=acceptance)
    if as_json:
        print_json(out)
        return
    lines = [f"{out['search']}: {out['geometry']}, {out['electrons']:.3g} electrons, {out['observed']} observed, "
             f"{out['cl']:.0%} CL at N > {out['n_limit']:.3f}; {showers} showers, {vectors} vectors per mass, "
             f"E > {out['energy_cut_GeV']:g} GeV, processes {out['processes']}, acceptance {out['acceptance']}"]
    for r in out["rows"]:
        def f(x):
            return "-" if x is None else f"{x:.3g}"
        lines.append(f"m = {r['mass_GeV']:g} GeV: eps excluded in [{f(r['eps_lower'])}, {f(r['eps_upper'])}]"
                     + (f"; published [{f(r.get('published_eps_lower'))}, {f(r.get('published_eps_upper'))}]"
                        if "published_eps_lower" in r else ""))
    typer.echo("\n".join(lines))
