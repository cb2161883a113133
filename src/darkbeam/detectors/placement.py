"""Where an experiment's detector sits in the frame of a beamline.

A beam frame (docs/experiments.md, "Placement"): z along the proton beam, y up (perpendicular to the
beam, in the vertical plane containing it), x = y cross z, origin at the target as
:mod:`darkbeam.sources.beam.configs` defines it.  An experiment's geometry frame (its volumes, the
events' positions) has its origin at the detector centre.  A :class:`Placement` gives that origin in
a beam frame and the detector's axes as unit vectors of the beam frame.

Default placement (from [beam]): the detector centre lies at ``baseline`` from the origin, at the
polar angle ``off_axis_angle`` from the beam's z axis and the azimuth ``off_axis_azimuth`` about it
(measured from +x towards +y; 0, the default, puts an off-axis detector on the +x side), with its axes
parallel to the beam frame's, so that the target sits at -baseline (sin t cos f, sin t sin f, cos t)
in detector coordinates (the convention of :attr:`darkbeam.detectors.catalog.Experiment.source_position`).
``[beam] frame`` names that beam.  Placements in other beams' frames (MicroBooNE in the NuMI frame)
are explicit ``[placement.<beam>]`` tables with ``center`` and ``axes``.

Beam configurations that share one frame (:data:`SHARED_FRAMES`: NuMI's low- and medium-energy tunes,
whose beam frames both have their origin at MCZERO, the upstream face of horn 1, and z along the same
protons; darkbeam.sources.beam.configs) share placements: a detector placed in the 'numi' frame is
placed in the 'numi_me' frame too, unless its file gives that frame its own table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from darkbeam.errors import ConfigurationError

__all__ = ["Placement", "placement", "placements", "SHARED_FRAMES"]

#: beam configurations whose frame is another's (same origin, same axes): {beam: beam whose frame it uses}
SHARED_FRAMES = {"numi_me": "numi"}


@dataclass(frozen=True)
class Placement:
    """The detector frame in a beam frame: ``center`` (3,) cm, ``axes`` (3, 3) whose rows are the
    detector's x, y, z unit vectors in beam coordinates."""

    beam: str
    center: np.ndarray
    axes: np.ndarray
    source: str = ""
    note: str = ""

    def points_to_detector(self, points) -> np.ndarray:
        """Beam-frame points (n, 3) in detector coordinates (cm)."""
        return (np.asarray(points, dtype=float) - self.center) @ self.axes.T

    def vectors_to_detector(self, v) -> np.ndarray:
        """Beam-frame vectors (momenta, directions) (..., 3) in detector coordinates."""
        return np.asarray(v, dtype=float) @ self.axes.T

    def points_to_beam(self, points) -> np.ndarray:
        """Detector-frame points (n, 3) in beam coordinates (cm)."""
        return np.asarray(points, dtype=float) @ self.axes + self.center

    def vectors_to_beam(self, v) -> np.ndarray:
        return np.asarray(v, dtype=float) @ self.axes

    @property
    def distance(self) -> float:
        """Distance (cm) of the detector centre from the beam-frame origin."""
        return float(np.linalg.norm(self.center))

    @property
    def angle(self) -> float:
        """Angle (rad) of the detector centre from the beam axis, seen from the origin."""
        return float(math.acos(np.clip(self.center[2] / max(self.distance, 1e-300), -1.0, 1.0)))

    def to_dict(self) -> dict:
        return {"beam": self.beam, "center_cm": self.center.tolist(), "axes": self.axes.tolist(),
                "source": self.source, "note": self.note}


def _canonical(beam: str) -> str:
    """Beam names are compared in lower case ('bnb', 'numi', 'jparc', 'cern_ps', as the beam configs and
    ParentSample.beam spell them)."""
    return str(beam).strip().lower()


def default_placement(exp) -> Placement:
    """The placement implied by [beam] baseline, off_axis_angle and off_axis_azimuth (module docstring)."""
    th, ph = exp.off_axis_angle, exp.off_axis_azimuth
    c = exp.baseline * np.array([math.sin(th) * math.cos(ph), math.sin(th) * math.sin(ph), math.cos(th)])
    return Placement(_canonical(exp.beam_frame or ""), c + 0.0, np.eye(3),
                     source=f"{exp.keyword} [beam]: baseline {exp.baseline:g} cm, off_axis_angle {th:g} rad, "
                            f"off_axis_azimuth {ph:g} rad", note=exp.extra.get("beam_note", ""))


def placements(exp) -> dict[str, Placement]:
    """Every placement of an experiment by beam name: the default one (when [beam] names its frame)
    and the explicit [placement.<beam>] tables."""
    out = {}
    if exp.beam_frame:
        p = default_placement(exp)
        out[p.beam] = p
    for beam, spec in exp.placements.items():
        axes = np.eye(3) if spec.axes is None else np.array(spec.axes, dtype=float)
        out[_canonical(beam)] = Placement(_canonical(beam), np.array(spec.center, dtype=float), axes,
                                          source=spec.source, note=spec.note)
    for beam, frame in SHARED_FRAMES.items():
        if frame in out and beam not in out:
            p = out[frame]
            out[beam] = Placement(beam, p.center, p.axes, source=p.source,
                                  note=(p.note + " " if p.note else "") + f"(the '{frame}' placement: '{beam}' shares its frame)")
    return out


def placement(exp, beam: str | None = None) -> Placement:
    """The detector of ``exp`` (an :class:`~darkbeam.detectors.catalog.Experiment` or its keyword) in
    the frame of ``beam`` ('bnb', 'numi', 'jparc', ...; None: its own beam's, from [beam]).  An
    experiment without a placement in that frame is a ConfigurationError."""
    if isinstance(exp, str):
        from darkbeam.detectors.catalog import load_experiment

        exp = load_experiment(exp)
    if beam is None:
        return default_placement(exp)
    table = placements(exp)
    key = _canonical(beam)
    if key not in table:
        known = ", ".join(sorted(table)) or "none"
        raise ConfigurationError(
            f"experiment {exp.keyword} has no placement in the frame of beam '{beam}' (it has: {known}); "
            f"give [beam] frame or a [placement.{key}] table with center and axes")
    return table[key]
