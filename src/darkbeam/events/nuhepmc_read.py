"""Reader of neutrino-generator samples in NuHepMC (HepMC3) format: GENIE, NuWro, NEUT, GiBUU, ... output
as arrays of final-state particles with the sample's normalisation.

Spec: NuHepMC 1.0.0 (Gardiner et al., arXiv:2310.13211; github.com/NuHepMC/Spec).  What is read:

* per event (E.R.1-E.R.3): the final-state particles (status 1, P.R.1): PDG code, four-momentum, mass;
  the first event weight (HepMC3 'W'; the spec's CV weight); the process ID (E.R.2 'ProcID');
* the normalisation: the flux-averaged total cross section sigma_FA,
  G.C.5 run attribute ``NuHepMC.FluxAveragedTotalCrossSection``, or else E.C.4, the running estimate of
  the last event's ``GenCrossSection`` (its value on the last event is the generator's best estimate),
  in the units of G.C.4 (``NuHepMC.Units.CrossSection.Unit``: pb, cm2, 1e-38 cm2 ...; default pb) per target
  of ``NuHepMC.Units.CrossSection.TargetScale`` (PerTargetAtom / PerTargetNucleon / PerTargetMolecule);
  the exposure ``NuHepMC.Exposure.POT`` (G.C.2) if the file gives one.

A sample normalised by sigma_FA predicts N = sigma_FA x (sum_sel w / sum_all w) x Phi x N_targets events
(Phi the integrated flux per cm^2 of the exposure); a sample with a POT exposure predicts
N = (POT / POT_file) x sum_sel w, each event's weight being its number of events in the file's exposure
(1 for unweighted samples; darkbeam's own CV weight) (:func:`expected_events`).
A file that pyhepmc cannot read, with no event, or without any normalisation asked for is one DataError line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from darkbeam.errors import DataError

__all__ = ["GeneratorSample", "read_nuhepmc", "expected_events", "XS_UNITS_CM2", "TARGET_SCALES"]

#: cross-section units of G.C.4, in cm^2
XS_UNITS_CM2 = {"pb": 1e-36, "fb": 1e-39, "nb": 1e-33, "mb": 1e-27, "cm2": 1.0, "1e-38 cm2": 1e-38, "cm2ten38": 1e-38}
#: target scalings of G.C.4 (darkbeam's own writer says PerAtom)
TARGET_SCALES = {"pertargetatom": "atom", "peratom": "atom", "pertargetnucleon": "nucleon", "pernucleon": "nucleon",
                 "pertargetmolecule": "molecule", "permolecule": "molecule"}


@dataclass
class GeneratorSample:
    """Final-state particles of a generator sample (padded arrays) and its normalisation.

    codes (n, k) int (0 = padding), p4 (n, k, 4) GeV, mass (n, k) GeV, weight (n,), proc_id (n,);
    sigma_fa_cm2: flux-averaged total cross section per target (None if the file gives none);
    target_scale: 'atom', 'nucleon' or 'molecule'; exposure_pot: G.C.2 exposure or None."""

    codes: np.ndarray
    p4: np.ndarray
    mass: np.ndarray
    weight: np.ndarray
    proc_id: np.ndarray
    sigma_fa_cm2: float | None
    target_scale: str
    exposure_pot: float | None
    source: str
    notes: list = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.weight.shape[0])


def _attr(run_info, name):
    if run_info is None:
        return None
    attrs = run_info.attributes
    return _value(attrs[name], str) if name in attrs else None


def _value(a, kind):
    """A pyhepmc attribute as a Python value (attributes read from a file are unparsed until asked)."""
    if hasattr(a, "astype"):
        try:
            return a.astype(kind)
        except Exception:  # noqa: BLE001
            return a.astype(str)
    return a


def _num(v, what: str, path) -> float:
    try:
        x = float(v if not isinstance(v, (list, tuple)) else v[0])
    except (TypeError, ValueError):
        raise DataError(f"{path}: {what} is not a number ({v!r})") from None
    if not np.isfinite(x):
        raise DataError(f"{path}: {what} is not finite ({v!r})")
    return x


def read_nuhepmc(path, *, max_events: int | None = None) -> GeneratorSample:
    """Read a NuHepMC / HepMC3 ASCII file (module docstring)."""
    import pyhepmc

    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such NuHepMC file: {path}")
    codes, p4s, masses, weights, procs = [], [], [], [], []
    run_info, last_xs = None, None
    try:
        with pyhepmc.open(str(path), "r") as f:
            for ev in f:
                if max_events is not None and len(weights) >= max_events:
                    break
                if run_info is None and ev.run_info is not None:
                    run_info = ev.run_info
                fs = [p for p in ev.particles if p.status == 1]
                codes.append([p.pid for p in fs])
                p4s.append([[p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz] for p in fs])
                masses.append([p.generated_mass if p.generated_mass > 0 else max(p.momentum.m(), 0.0) for p in fs])
                w = list(ev.weights)
                weights.append(float(w[0]) if w else 1.0)
                pid = _value(ev.attributes["ProcID"], int) if "ProcID" in ev.attributes else None
                procs.append(int(pid) if pid is not None else -1)
                if ev.cross_section is not None:
                    try:
                        last_xs = float(ev.cross_section.xsec())
                    except Exception:  # noqa: BLE001 -- pyhepmc versions differ in the accessor
                        last_xs = float(ev.cross_section.xsec(0))
                mom_unit = str(ev.momentum_unit).split(".")[-1].upper()
                if mom_unit == "MEV":
                    p4s[-1] = [[x * 1e-3 for x in q] for q in p4s[-1]]
                    masses[-1] = [x * 1e-3 for x in masses[-1]]
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 -- pyhepmc raises several types on malformed input
        raise DataError(f"{path}: not a readable HepMC3 file ({type(exc).__name__}: {exc})") from None
    if not weights:
        raise DataError(f"{path}: no HepMC3 event could be read (not a HepMC3/NuHepMC file, or empty)")
    w = np.asarray(weights, dtype=float)
    if not (np.isfinite(w).all()):
        raise DataError(f"{path}: non-finite event weights")
    k = max(1, max(len(c) for c in codes))
    n = len(codes)
    C = np.zeros((n, k), dtype=np.int64)
    P = np.zeros((n, k, 4))
    M = np.zeros((n, k))
    for i, (c, p, m) in enumerate(zip(codes, p4s, masses)):
        if c:
            C[i, :len(c)] = c
            P[i, :len(c)] = p
            M[i, :len(c)] = m
    unit = _attr(run_info, "NuHepMC.Units.CrossSection.Unit")
    scale = _attr(run_info, "NuHepMC.Units.CrossSection.TargetScale")
    unit_s = str(unit).strip() if unit is not None else "pb"
    key = unit_s.lower()
    if key not in XS_UNITS_CM2:
        raise DataError(f"{path}: unknown NuHepMC.Units.CrossSection.Unit {unit_s!r} (known: {', '.join(XS_UNITS_CM2)})")
    scale_s = str(scale).strip() if scale is not None else "PerTargetAtom"
    if scale_s.lower() not in TARGET_SCALES:
        raise DataError(f"{path}: unknown NuHepMC.Units.CrossSection.TargetScale {scale_s!r} "
                        "(known: PerTargetAtom, PerTargetNucleon, PerTargetMolecule)")
    notes = []
    fa = _attr(run_info, "NuHepMC.FluxAveragedTotalCrossSection")
    if fa is not None:
        sigma = _num(fa, "NuHepMC.FluxAveragedTotalCrossSection", path) * XS_UNITS_CM2[key]
        notes.append("normalisation: G.C.5 NuHepMC.FluxAveragedTotalCrossSection")
    elif last_xs is not None:
        sigma = last_xs * XS_UNITS_CM2[key]
        notes.append("normalisation: E.C.4 GenCrossSection of the last event")
    else:
        sigma = None
    pot = _attr(run_info, "NuHepMC.Exposure.POT")
    pot_v = _num(pot, "NuHepMC.Exposure.POT", path) if pot is not None else None
    if sigma is not None and not sigma > 0:
        raise DataError(f"{path}: the flux-averaged cross section must be positive, got {sigma} cm^2")
    return GeneratorSample(codes=C, p4=P, mass=M, weight=w, proc_id=np.asarray(procs, dtype=np.int64),
                           sigma_fa_cm2=sigma, target_scale=TARGET_SCALES[scale_s.lower()], exposure_pot=pot_v,
                           source=str(path), notes=notes)


def expected_events(sample: GeneratorSample, selected, *, flux_per_cm2: float | None = None,
                    targets: float | None = None, pot: float | None = None) -> float:
    """Expected events of the selection ``selected`` ((n,) acceptance 0..1 per event): with the
    flux-averaged cross section, sigma_FA x Phi x N_targets x sum(w sel)/sum(w) (``flux_per_cm2``, the
    integrated flux of the exposure, and ``targets`` in the file's target scale); with a POT exposure,
    (pot / POT_file) x sum(w sel)."""
    sel = np.asarray(selected, dtype=float)
    frac = float(np.sum(sample.weight * sel) / np.sum(sample.weight))
    if flux_per_cm2 is not None or targets is not None:
        if sample.sigma_fa_cm2 is None:
            raise DataError(f"{sample.source}: no flux-averaged cross section (G.C.5 or E.C.4) to normalise with")
        if flux_per_cm2 is None or targets is None:
            raise DataError("give both the integrated flux per cm^2 and the number of targets")
        return sample.sigma_fa_cm2 * float(flux_per_cm2) * float(targets) * frac
    if pot is not None:
        if sample.exposure_pot is None:
            raise DataError(f"{sample.source}: no NuHepMC.Exposure.POT to scale to {pot:g} POT")
        return float(pot) / sample.exposure_pot * float(np.sum(sample.weight * sel))
    raise DataError("expected_events: give flux_per_cm2 and targets (cross-section normalisation) or pot")
