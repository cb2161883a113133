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
    "search_limit": "darkbeam.api",
    "load_model": "darkbeam.models.io",
    "load_experiment": "darkbeam.detectors.catalog",
    "EventSet": "darkbeam.events.eventset",
}

__all__ = ["__version__", "EventSet", "decay_table", "generate", "load_experiment", "load_model", "read",
           "reweight", "search_limit", "simulate_meson_decays", "xsec"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'darkbeam' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
