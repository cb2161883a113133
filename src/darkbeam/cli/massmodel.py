"""``darkbeam massmodel``: masses, mixing matrix, derived parameters and one-loop light masses of a
model file with a ``[massmodel]`` table (docs/massmodel.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from darkbeam.cli.common import JSON_OPTION, print_json
from darkbeam.cli.main import app


def _complex(z) -> list[float]:
    return [float(z.real), float(z.imag)]


@app.command("massmodel")
def massmodel_command(
    model: Path = typer.Option(..., "--model", "-m", help="Model file (TOML) with a [massmodel] table."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Masses, the unitary mixing matrix (Takagi), the derived darkbeam parameters and the one-loop
    light-neutrino masses of a mass model, with warnings against oscillation data."""
    import warnings

    from darkbeam.errors import ConfigurationError
    from darkbeam.models import ModelParameters
    from darkbeam.models.massmodel import MassModelNote, model_values, read_massmodel_file
    from darkbeam.physics.radiative_masses import one_loop_light_masses, oscillation_warnings

    table, data = read_massmodel_file(model)  # the [oscillation] options (for --oscillate) are dropped
    try:
        values, mm, notes = model_values(table, data)
    except ConfigurationError as exc:
        raise type(exc)(f"{model}: {exc}") from None
    params = ModelParameters.from_dict(values)
    from darkbeam.models.couplings import Couplings

    sp = mm.spectrum()
    cp = Couplings(params)
    gD = cp.gD if (params.gD is not None or params.alphaD is not None) else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loop = one_loop_light_masses(sp, gD=gD, mzprime=params.mzprime, mphi=params.mhprime)
    osc = oscillation_warnings(loop.masses * 1e9)
    derived = {k: v for k, v in values.items() if k.startswith(("m4", "m5", "m6", "U", "HNLtype"))}
    out = {
        "model": str(model),
        "name": params.name,
        "preset": mm.preset,
        "basis": mm.labels,
        "method": sp.eig.method,
        "masses_GeV": [float(m) for m in sp.masses],
        "signed_masses_GeV": None if sp.eig.signed is None else [float(x) for x in sp.eig.signed],
        "mixing_matrix": {"convention": "n = U nu, M = U^* diag(m) U^dagger; entries [re, im]",
                          "rows": mm.labels, "U": [[_complex(z) for z in row] for row in sp.U]},
        "parameters": derived,
        "one_loop": {"tree_light_masses_eV": [float(m) * 1e9 for m in loop.tree],
                     "light_masses_eV": [float(m) * 1e9 for m in loop.masses],
                     "z_loop_max_eV": float(abs(loop.delta_z).max()) * 1e9,
                     "dark_loop_max_eV": None if loop.delta_dark is None else float(abs(loop.delta_dark).max()) * 1e9,
                     "notes": list(loop.notes)},
        "warnings": [str(n) for n in notes if not isinstance(n, MassModelNote)] + osc,
        "notes": [str(n) for n in notes if isinstance(n, MassModelNote)],
    }
    from darkbeam.physics.hnl_parities import parity_warnings

    for n in notes:
        if isinstance(n, MassModelNote) and n.signed is not None:
            out["warnings"] += parity_warnings(params, n.signed)
    out["couplings"] = {"convention": "docs/couplings.md: Z (c) and Z' (d) vertices nu_alpha-N_i (rows e, mu, tau) "
                                      "and N_i-N_j",
                        "c_light_heavy": cp.c_light_heavy.tolist(), "c_heavy": cp.c_heavy.tolist()}
    if params.has_zprime:
        out["couplings"]["d_light_heavy"] = cp.d_light_heavy.tolist()
        out["couplings"]["d_heavy"] = cp.d_heavy.tolist()
    if mm.preset == "minimal":
        flav = next(iter(mm.inputs["mD"]))
        r = sp.ratio_prediction(flav)
        if r is not None:
            out["R"] = {"m4_over_m5": r[0], "minus_U5sq_over_U4sq": r[1], "flavour": flav}
    if as_json:
        print_json(out)
        return
    from rich.console import Console
    from rich.table import Table

    con = Console()
    p = dict(markup=False, highlight=False)
    con.print(f"mass model: {out['name']} ({mm.preset or 'matrix'}; diagonalisation: {out['method']})", **p)
    t = Table(title="mass eigenstates")
    t.add_column("state")
    t.add_column("mass [GeV]", justify="right")
    t.add_column("signed [GeV]", justify="right")
    for c in mm.labels:
        t.add_column(f"|U {c.removeprefix('nu_')}|", justify="right")
    for i, m in enumerate(sp.masses):
        name = f"nu_{i + 1}" if i < mm.n_light else f"N{i - mm.n_light + 4}"
        signed = "-" if sp.eig.signed is None else f"{sp.eig.signed[i]:.5g}"
        t.add_row(name, f"{m:.5g}", signed, *[f"{abs(sp.U[r, i]):.3g}" for r in range(len(mm.labels))])
    con.print(t)
    con.print("darkbeam parameters: " + ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}"
                                                  for k, v in derived.items()), **p)
    if "d_heavy" in out["couplings"]:
        d = out["couplings"]["d_heavy"]
        con.print("Z' couplings N_i-N_j (d_heavy): " + "; ".join(
            f"N{i + 4}N{j + 4} {d[i][j]:.4g}" for i in range(len(d)) for j in range(i, len(d))), **p)
    if "R" in out:
        con.print(f"R = m4/m5 = {out['R']['m4_over_m5']:.6g}; -U5^2/U4^2 = {out['R']['minus_U5sq_over_U4sq']:.6g}", **p)
    ol = out["one_loop"]
    con.print("light masses [eV]: tree " + ", ".join(f"{m:.4g}" for m in ol["tree_light_masses_eV"])
              + "; one loop " + ", ".join(f"{m:.4g}" for m in ol["light_masses_eV"]), **p)
    for n in ol["notes"]:
        con.print(f"note: {n}", **p)
    for n in out["notes"]:
        con.print(f"note: {n}", **p)
    for w in out["warnings"]:
        con.print(f"warning: {w}", style="yellow", markup=False, highlight=False)
