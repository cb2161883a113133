"""darkbeam: new physics at accelerator neutrino experiments and beam dumps.

The package is laid out along the simulation pipeline (see docs/design.md):
models -> physics -> sources/detectors -> mc -> processes -> events -> analysis -> scan -> cli.

The public API, one call per job of the command line::

    import darkbeam

    model = darkbeam.load_model(overrides={"m4": 0.3})         # validated model parameters
    table = darkbeam.decay_table(model, "N4")                  # widths, branching ratios, c tau
    sigma = darkbeam.xsec(model, "C12", energies=[0.5, 1, 2])  # cm^2 per nucleus
    exp = darkbeam.load_experiment("microboone")               # an experiment of the catalog
    run = darkbeam.generate(model, "miniboone_fhc", seed=1)    # events and predicted rates
    events = darkbeam.read("out.parquet")                      # an event file -> EventSet
    other = darkbeam.reweight(events, {"Umu4": 3e-3})          # same events, other couplings
    llps = darkbeam.simulate_meson_decays({"m4": 0.3}, "ps191")  # HNLs from kaon decays, decaying in PS191
    lim = darkbeam.search_limit("t2k_nd280_hnl", masses=[0.2, 0.3])  # |U_mu4|^2 limits, one generation per mass

and one function per other command (README.md, "Python API"): ``production_channels``, ``parent_samples``,
``shower``, ``beam_dump_limit``, ``plane_limit``, ``ccqe_xsec``, ``ccqe_events``, ``mass_model``,
``list_searches``, ``load_search``, ``rare_xsec``, ``trident_xsec``, ``simulate_rare``, ``simulate_trident``,
``simulate_dark_matter``, ``nc_pi0_xsec``.

The names are loaded on first use (module ``__getattr__``): ``import darkbeam`` imports neither numpy
nor scipy nor pydantic.
"""

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "generate": "darkbeam.api",
    "decay_table": "darkbeam.api",
    "xsec": "darkbeam.api",
    "read": "darkbeam.api",
    "reweight": "darkbeam.api",
    "simulate_meson_decays": "darkbeam.api",
    "simulate_alps": "darkbeam.api",
    "background_counts": "darkbeam.api",
    "search_limit": "darkbeam.api",
    "production_channels": "darkbeam.api",
    "parent_samples": "darkbeam.api",
    "shower": "darkbeam.api",
    "beam_dump_limit": "darkbeam.api",
    "shower_events": "darkbeam.api",
    "proton_dump_projection": "darkbeam.api",
    "plane_limit": "darkbeam.api",
    "ccqe_xsec": "darkbeam.api",
    "ccqe_events": "darkbeam.api",
    "mass_model": "darkbeam.api",
    "rare_xsec": "darkbeam.api",
    "simulate_rare": "darkbeam.api",
    "simulate_trident": "darkbeam.api",
    "simulate_dark_matter": "darkbeam.api",
    "trident_xsec": "darkbeam.api",
    "nc_pi0_xsec": "darkbeam.api",
    "load_search": "darkbeam.analysis.searches",
    "list_searches": "darkbeam.analysis.searches",
    "load_model": "darkbeam.models.io",
    "load_experiment": "darkbeam.detectors.catalog",
    "EventSet": "darkbeam.events.eventset",
}

__all__ = ["__version__", "EventSet", "background_counts", "beam_dump_limit", "ccqe_events", "ccqe_xsec", "decay_table",
           "generate", "list_searches", "load_experiment", "load_model", "load_search", "mass_model",
           "nc_pi0_xsec", "parent_samples", "plane_limit", "production_channels", "proton_dump_projection", "rare_xsec", "read",
           "reweight", "search_limit", "shower", "shower_events", "simulate_alps", "simulate_dark_matter",
           "simulate_meson_decays", "simulate_rare", "simulate_trident", "trident_xsec", "xsec"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'darkbeam' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
