"""Where the beam model is validated against official flux files, and so may stand in for them.

The beam model (:mod:`darkbeam.sources.beam.model`) replaces an official flux file only at a position
(beam, distance, off-axis angle, horn polarity) listed here: there its nu_mu spectrum was compared with
the official file and met the bands of docs/beam_model.md (nu_mu within 20 % per bin holding more
than 10 % of the peak, integral within 10 %).  Everywhere else a missing file is an error that names
the file and how to provide it.  The comparison itself is benchmarks/beam_model_validation.py and
its table is in docs/beam_model.md.
"""

from __future__ import annotations

#: beam -> list of (distance m, off-axis mrad, horn polarity, evidence) where the model meets the bands
VALIDATED: dict[str, list[tuple[float, float, str, str]]] = {}


def validated(beam: str, distance_m: float, off_axis_mrad: float = 0.0, polarity: str = "FHC") -> bool:
    """True when the beam model is validated at this position (distance within 1 %, angle within 1 mrad)."""
    for dist, angle, pol, _ in VALIDATED.get(str(beam).lower(), []):
        if (abs(dist - distance_m) <= 0.01 * dist and abs(angle - off_axis_mrad) <= 1.0
                and pol.upper() == str(polarity).upper()):
            return True
    return False


def validated_positions() -> list[str]:
    """Human-readable list of validated positions, for error messages."""
    return [f"{b} {d:g} m {a:g} mrad {p}" for b, rows in VALIDATED.items() for d, a, p, _ in rows]
