"""Decaying parents (mesons) as weighted samples: the source side of the meson-decay wing.

Public API
----------
* :class:`ParentSample` (sample.py): one species' decays (lab p4, position, time, weight per POT).
* :func:`parent_sample` (beam, species, n=, seed=, mode=) -> ParentSample: from the beam model,
  ``mode='in-flight'`` (pi+-, K+-, K0_L decaying in the decay region; pi0, eta, eta', rho0, omega,
  phi decaying promptly at their production point in the target) or ``mode='at-rest'`` (pi+, K+
  stopping in the absorber or the walls around the decay region).
* charm and taus (``species`` D+, D-, D0, D0_bar, D_s+, D_s-, tau+, tau-; high-energy beams only): made
  in the target, :mod:`darkbeam.sources.parents.charm` (``parent_sample`` routes them there).
* :func:`bremsstrahlung_sample` (beam, mass, ...) -> ParentSample of dark photons ('zprime') from proton
  bremsstrahlung: an LLP sample (p4 is the A' itself; weights per POT at epsilon = 1, scale by
  epsilon^2), :mod:`darkbeam.sources.parents.bremsstrahlung`; ``parent_sample(beam, 'zprime', mass=...)``.
* :func:`parent_samples` (beam, species=None, ...) -> dict species -> ParentSample.
* :func:`read_dk2nu` (path, ...) -> dict: parents from dk2nu / g4numi-style flux ntuples (uproot).
* :func:`read_parent_table` (path) -> dict, :func:`write_parent_table`: a simple text format.

Formulas, sources and approximations: docs/parents.md.
"""

from __future__ import annotations

from typing import Iterable

from darkbeam.errors import ConfigurationError
from darkbeam.sources.parents.sample import ParentSample

MODES = ("in-flight", "at-rest")
IN_FLIGHT = ("pi+", "pi-", "K+", "K-", "K0_L")
PROMPT = ("pi0", "eta", "eta'", "rho0", "omega", "phi")
AT_REST = ("pi+", "K+")
#: charm mesons and taus made in the target (high-energy beams: darkbeam.sources.parents.charm)
CHARM = ("D+", "D-", "D0", "D0_bar", "D_s+", "D_s-", "tau+", "tau-")
#: dark photons from proton bremsstrahlung (an LLP sample, darkbeam.sources.parents.bremsstrahlung)
BREMSSTRAHLUNG = ("zprime",)
#: species of each mode when none are asked for
DEFAULT_SPECIES = {"in-flight": IN_FLIGHT + ("pi0", "eta"), "at-rest": AT_REST}


def _mode(mode: str) -> str:
    key = str(mode).lower().replace("_", "-")
    key = {"inflight": "in-flight", "flight": "in-flight", "dif": "in-flight", "prompt": "in-flight",
           "atrest": "at-rest", "rest": "at-rest", "dar": "at-rest"}.get(key, key)
    if key not in MODES:
        raise ConfigurationError(f"unknown parent mode '{mode}' (known: {', '.join(MODES)})")
    return key


def parent_sample(beam, species: str, *, n: int = 2**14, seed: int = 12345, mode: str = "in-flight",
                  **kwargs) -> ParentSample:
    """Decays of ``species`` per POT from the beam model of ``beam`` (a name of
    darkbeam.sources.beam.BEAMS or a BeamConfig).

    mode 'in-flight': pi+-, K+-, K0_L in the decay region (keywords ``polarity``, ``tertiary``;
    darkbeam.sources.parents.in_flight.in_flight), and the prompt neutral mesons pi0, eta, eta', rho0,
    omega, phi at their production point (``tertiary``, ``theta_max``; in_flight.prompt), the charm
    mesons and taus made in the target (CHARM; high-energy beams; charm.charm_sample) and the dark photons
    of proton bremsstrahlung ('zprime' with ``mass``, ``epsilon``, ``z_range``, ``pt_max``; an LLP sample,
    weights at epsilon = 1 by default; bremsstrahlung.bremsstrahlung_sample).
    mode 'at-rest': pi+, K+ stopping at ``site`` 'absorber', 'walls', 'target' or 'all' (``material``,
    ``stopped_per_pot``, ``polarity``; darkbeam.sources.parents.at_rest.at_rest).
    """
    m = _mode(mode)
    if m == "in-flight" and species in CHARM + BREMSSTRAHLUNG:
        kind = "charm" if species in CHARM else "bremsstrahlung"
        kwargs.pop("polarity", None)  # made in the target: no horn
        kwargs.pop("tertiary", None)  # first interaction of the beam protons only (the notes say so)
        unknown = sorted(set(kwargs) - set(_KEYWORDS[kind]))
        if unknown:
            raise ConfigurationError(f"parent_sample ({kind}) does not take {', '.join(unknown)} "
                                     f"(it takes: {', '.join(_KEYWORDS[kind]) or 'nothing more'})")
        if kind == "charm":
            from darkbeam.sources.parents.charm import charm_sample

            return charm_sample(beam, species, n=n, seed=seed)
        if kwargs.get("mass") is None:
            raise ConfigurationError("dark photons from bremsstrahlung need mass= (GeV)")
        return bremsstrahlung_sample(beam, n=n, seed=seed, **kwargs)
    kind = "at-rest" if m == "at-rest" else ("prompt" if species in PROMPT else "in-flight")
    if kind == "prompt":
        kwargs.pop("polarity", None)  # no horn for prompt decays
    unknown = sorted(set(kwargs) - set(_KEYWORDS[kind]))
    if unknown:
        raise ConfigurationError(f"parent_sample ({kind}) does not take {', '.join(unknown)} "
                                 f"(it takes: {', '.join(_KEYWORDS[kind])})")
    if kind == "at-rest":
        from darkbeam.sources.parents.at_rest import at_rest

        return at_rest(beam, species, n=n, seed=seed, **kwargs)
    if kind == "prompt":
        from darkbeam.sources.parents.in_flight import prompt

        return prompt(beam, species, n=n, seed=seed, **kwargs)
    from darkbeam.sources.parents.in_flight import in_flight

    return in_flight(beam, species, n=n, seed=seed, **kwargs)


_KEYWORDS = {"charm": (), "bremsstrahlung": ("mass", "epsilon", "z_range", "pt_max"),
             "in-flight": ("polarity", "tertiary"), "prompt": ("tertiary", "theta_max"),
             "at-rest": ("site", "polarity", "material", "stopped_per_pot", "tertiary")}


def parent_samples(beam, species: Iterable[str] | None = None, *, mode: str = "in-flight",
                   **kwargs) -> dict[str, ParentSample]:
    """{species: parent_sample(beam, species, mode=mode, ...)} for ``species`` (default: every species
    of the mode, DEFAULT_SPECIES)."""
    m = _mode(mode)
    names = list(DEFAULT_SPECIES[m] if species is None else species)
    return {s: parent_sample(beam, s, mode=m, **kwargs) for s in names}


def bremsstrahlung_sample(beam, mass: float, **kwargs) -> ParentSample:
    """Dark photons from proton bremsstrahlung (an LLP sample: p4 = the A', weights = A' per POT at epsilon = 1):
    darkbeam.sources.parents.bremsstrahlung.bremsstrahlung_sample."""
    from darkbeam.sources.parents.bremsstrahlung import bremsstrahlung_sample as _brem

    return _brem(beam, mass, **kwargs)


def read_dk2nu(path, *args, **kwargs) -> dict[str, ParentSample]:
    """Parents from a dk2nu / g4numi-style ROOT flux ntuple: darkbeam.sources.parents.dk2nu.read_dk2nu."""
    from darkbeam.sources.parents.dk2nu import read_dk2nu as _read

    return _read(path, *args, **kwargs)


def read_parent_table(path, **kwargs) -> dict[str, ParentSample]:
    """Parents from a text table: darkbeam.sources.parents.table.read_parent_table."""
    from darkbeam.sources.parents.table import read_parent_table as _read

    return _read(path, **kwargs)


def write_parent_table(samples, path, **kwargs) -> None:
    """Write parents as a text table: darkbeam.sources.parents.table.write_parent_table."""
    from darkbeam.sources.parents.table import write_parent_table as _write

    _write(samples, path, **kwargs)


__all__ = ["AT_REST", "BREMSSTRAHLUNG", "CHARM", "DEFAULT_SPECIES", "bremsstrahlung_sample", "IN_FLIGHT", "MODES", "PROMPT", "ParentSample", "parent_sample",
           "parent_samples", "read_dk2nu", "read_parent_table", "write_parent_table"]
