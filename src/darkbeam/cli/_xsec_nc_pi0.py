"""``darkbeam xsec --process nc-pi0``: NC single-pi0 production per nucleus (docs/nc_pi0.md).

Imported by cli/xsec.py only when this process is asked for (not a command module of its own)."""

from __future__ import annotations

from darkbeam.cli.common import print_json
from darkbeam.errors import ConfigurationError


def nc_pi0_xsec_command(E: list[float], target: str | None, projectile: str, regime: str | None,
                        as_json: bool) -> None:
    from darkbeam.api import nc_pi0_xsec

    channels = ("coherent", "resonant") if regime is None else (regime,)
    if regime is not None and regime not in ("coherent", "resonant"):
        raise ConfigurationError(f"--regime for --process nc-pi0: coherent or resonant, not '{regime}' (default: both)")
    r = nc_pi0_xsec(E, target=target or "C12", projectile=projectile, channels=channels)
    if as_json:
        print_json(r)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    console.print(escape(f"{projectile} {r['target']} -> {projectile} pi0 X (NC single pi0; {', '.join(channels)})"),
                  highlight=False)
    console.print(f"pi0 survival (resonant, assumed) {r['pi0_survival']:.3g}; sigma per nucleus", highlight=False)
    t = Table()
    for col in ("E [GeV]", "sigma [cm^2]", "coherent", "resonant", "per nucleon"):
        t.add_column(escape(col), justify="right", no_wrap=True)
    for e, s, c, rr, pn in zip(E, r["sigma_cm2"], r["coherent_cm2"], r["resonant_cm2"], r["per_nucleon_cm2"]):
        t.add_row(f"{e:g}", f"{s:.5e}", f"{c:.4e}", f"{rr:.4e}", f"{pn:.4e}")
    console.print(t)
