"""``darkbeam params``: list model parameters with units and meaning."""

from __future__ import annotations

from darkbeam.cli.common import JSON_OPTION, print_json
from darkbeam.cli.main import app


@app.command("params")
def params_command(as_json: bool = JSON_OPTION) -> None:
    """List every model parameter, its unit, meaning and built-in default."""
    from darkbeam.models import DARKNEWS_DEFAULT, EQUIVALENT_GROUPS, PARAMETER_DOCS

    if as_json:
        print_json({k: {"unit": u, "doc": d, "default": DARKNEWS_DEFAULT.get(k)} for k, (u, d) in PARAMETER_DOCS.items()})
        return
    from rich.console import Console
    from rich.table import Table

    groups = "; ".join(" / ".join(g) for g in EQUIVALENT_GROUPS)
    t = Table(title="darkbeam model parameters (DarkNews names)",
              caption=f"One form each of: {groups}. A --set of one form replaces the model's other form "
                      "(docs/models.md, 'Overrides').")
    for col in ("name", "unit", "meaning", "default"):
        t.add_column(col)
    for k, (u, d) in PARAMETER_DOCS.items():
        t.add_row(k, u, d, "" if k not in DARKNEWS_DEFAULT else str(DARKNEWS_DEFAULT[k]))
    Console().print(t)
