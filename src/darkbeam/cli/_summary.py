"""The summary table of ``darkbeam generate`` and ``darkbeam reweight``."""

from __future__ import annotations

from rich.table import Table

#: what the summary table's numbers mean (printed under it by generate and reweight)
SUMMARY_NOTE = ("numbers of events for the experiment's exposure; 'visible': decays with a charged, photon or "
                "hadron final daughter; 'invisible': only neutrinos or undecayed new particles (N -> 3 nu, "
                "N -> nu Z'(nu nu), ...); 'all' = visible + invisible")


def summary_table(title: str, d: dict) -> Table:
    """The table of ``darkbeam generate`` and ``darkbeam reweight``: per process case and in total, the
    upscattered events and the decays in the detector (all, visible, invisible), with MC errors."""
    t = Table(title=title)
    for col in ("process case", "upscattered", "decays in detector: all", "visible", "invisible", "events"):
        t.add_column(col, justify="right" if col != "process case" else "left")

    def row(c: dict, name: str, **kw) -> None:
        cells = [f"{c[k]:.4g} ± {c[k + '_err']:.2g}" for k in
                 ("upscattered", "decay_in_detector", "decay_in_detector_visible", "decay_in_detector_invisible")]
        t.add_row(name, *cells, str(c["n_events"]), **kw)

    for c in d["cases"]:
        row(c, c["case"])
    row(d, "total", style="bold")
    return t
