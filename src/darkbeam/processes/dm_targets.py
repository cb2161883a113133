"""What the chi of the dark-matter events scatter on (docs/dark_matter.md, "Targets"): electrons,
protons and neutrons (elastic, one nucleon at a time, bound nucleons taken as free) and whole nuclei
(coherent), each with its density in the detector, its recoil window and, for nuclei, the detector's
nuclear-recoil response (quenching, threshold, efficiency).

* ``e``: the catalog's electrons (one per unit of charge), chi e -> chi e
  (:func:`darkbeam.physics.dm_scattering.dsigma_dER_electron`), the setup's electron window;
* ``p``: the protons (one per unit of charge), dipole Sachs form factors (``dsigma_dER_proton``);
* ``n``: the neutrons (A - Z per nucleus), Galster G_E^n and dipole G_M^n (``dsigma_dER_neutron``);
  p and n share the setup's nucleon window (``proton_window``: kinetic energy of the struck nucleon);
* ``nucleus``: every nucleus of the detector with A > 1 (Ar40 at DUNE ND, C12 in MiniBooNE's CH2),
  coherent chi A -> chi A on the spin-0 nucleus with Z^2 F_ch(Q^2)^2 (``dsigma_dER_nucleus``: charge
  form factor of :class:`~darkbeam.physics.form_factors.NuclearFormFactors`, scheme 'default'), recoil
  window from the nuclear-recoil threshold of :func:`nucleus_response` up to the kinematic limit.

The nuclear-recoil response (:class:`NucleusResponse`) is taken from the CEvNS detectors of
:mod:`darkbeam.detectors.cevns_detectors` where one exists for the nucleus (argon: the COHERENT
CENNS-10 response ``ar_2020``, QF = 0.246 + 7.8e-4 T_nr/keV, 20 keVnr threshold, 50 % efficiency; Cs/I:
``csi_2021``; Ge: ``ge_2024``) and is otherwise the Lindhard quenching with Lindhard's
k = 0.133 Z^(2/3) A^(-1/2) (Lindhard et al., Mat. Fys. Medd. Dan. Vid. Selsk. 33, 10 (1963); the
formula for k quoted from memory; it gives 0.158 for Ge, the 0.157 of ``ge_2024``) above an assumed
100 keVnr threshold.  The threshold is the generator's window (the weights count recoils above it);
quenching and efficiency are applied by :func:`recoil_observables` (the weights stay the physics rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Optional

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError

__all__ = ["TARGETS", "Scatterer", "NucleusResponse", "kernel", "nucleus_response", "parse_targets", "scatterers",
           "recoil_observables"]

#: target keywords of :func:`darkbeam.processes.dark_matter.simulate` (``target=``)
TARGETS = ("e", "p", "n", "nucleus")
#: CLI regimes (``--regime``) -> target keywords
REGIME_TARGET = {"electron": "e", "p-el": "p", "n-el": "n", "coherent": "nucleus"}
#: assumed nuclear-recoil threshold (keVnr) for a nucleus without a CEvNS detector response
DEFAULT_THRESHOLD_KEVNR = 100.0


@dataclass(frozen=True)
class NucleusResponse:
    """Nuclear-recoil response of a detector for one nucleus: ``threshold_keVnr`` (recoils below it are not
    generated), ``quenching`` (T_ee in keV as a function of T_nr in keV), ``efficiency`` (of T_nr in keV),
    ``source`` (where the numbers come from) and ``caveats``."""

    nucleus: str
    threshold_keVnr: float
    quenching: Callable[[np.ndarray], np.ndarray]
    efficiency: Callable[[np.ndarray], np.ndarray]
    source: str
    caveats: tuple = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"nucleus": self.nucleus, "threshold_keVnr": self.threshold_keVnr, "source": self.source,
                "caveats": list(self.caveats)}


def lindhard_k(Z: int, A: int) -> float:
    """Lindhard's k = 0.133 Z^(2/3) A^(-1/2) (module docstring; quoted from memory)."""
    return 0.133 * Z ** (2.0 / 3.0) / math.sqrt(A)


#: nucleus symbol -> CEvNS detector whose response it takes
_CEVNS_RESPONSE = {"Ar": "ar_2020", "Cs": "csi_2021", "I": "csi_2021", "Ge": "ge_2024"}


def nucleus_response(nucleus: str, setup_name: str = "") -> NucleusResponse:
    """The nuclear-recoil response used for ``nucleus`` (module docstring)."""
    from darkbeam.detectors.cevns_detectors import cevns_detector, lindhard
    from darkbeam.physics.nuclear import nucleus as get_nucleus

    nuc = get_nucleus(nucleus)
    det = _CEVNS_RESPONSE.get(nuc.symbol)
    if det is not None:
        d = cevns_detector(det)
        return NucleusResponse(
            nuc.name, float(d.threshold_keVnr), d.quenching, d.efficiency_nr,
            source=f"CEvNS detector '{d.name}' ({d.citation})",
            caveats=(f"{nuc.name} recoils: threshold {d.threshold_keVnr:.3g} keVnr, quenching and efficiency of the "
                     f"CEvNS detector '{d.name}' (a low-threshold scintillation readout), assumed for {setup_name or 'this setup'}; "
                     f"a charge or Cherenkov readout of a neutrino detector sees no recoils this soft",) + tuple(d.caveats))
    k = lindhard_k(nuc.Z, nuc.A)
    thr = DEFAULT_THRESHOLD_KEVNR
    return NucleusResponse(
        nuc.name, thr, lambda t, Z=nuc.Z, k=k: lindhard(t, Z, k) * np.asarray(t, dtype=float),
        lambda t, thr=thr: np.where(np.asarray(t, dtype=float) >= thr * (1 - 1e-12), 1.0, 0.0),
        source=f"Lindhard quenching, k = {k:.3f} (Lindhard et al. 1963); threshold {thr:g} keVnr assumed",
        caveats=(f"{nuc.name} recoils: Lindhard quenching and a {thr:g} keVnr threshold with full efficiency are "
                 f"assumptions (no measured response of this detector); MiniBooNE's PMT readout does not see "
                 f"nuclear recoils this soft, so the coherent channel there is a what-if",))


def kernel(key: str):
    """(target mass in GeV, dsigma/dE_R function of (E, E_R, **couplings)) for 'e', 'p', 'n' or a nucleus name."""
    from darkbeam.physics import dm_scattering as S

    if key == "e":
        return C.M_E, S.dsigma_dER_electron
    if key == "p":
        return C.M_PROTON, S.dsigma_dER_proton
    if key == "n":
        return C.M_NEUTRON, S.dsigma_dER_neutron
    from darkbeam.physics.nuclear import nucleus

    return nucleus(key).mass, partial(S.dsigma_dER_nucleus, nucleus=key)


def parse_targets(target) -> tuple:
    """Target keywords from a string ('e', 'p,n') or a sequence; one ConfigurationError line otherwise."""
    items = [t.strip() for t in target.split(",")] if isinstance(target, str) else [str(t).strip() for t in target]
    items = [t for t in items if t]
    bad = [t for t in items if t not in TARGETS]
    if bad or not items:
        raise ConfigurationError(f"unknown dark-matter target '{','.join(bad) or target}' (choose from {', '.join(TARGETS)})")
    if len(set(items)) != len(items):
        raise ConfigurationError(f"dark-matter target listed twice: {','.join(items)}")
    return tuple(items)


@dataclass(frozen=True)
class Scatterer:
    """One kind of target particle in the detector: ``key`` ('e', 'p', 'n' or a nucleus name), ``label``,
    PDG ``pdg``, ``mass`` (GeV), ``density`` (per cm^3 of the target volume), recoil ``window`` (GeV,
    upper None = kinematic limit), case ``regime`` and, for nuclei, the ``response``."""

    key: str
    label: str
    pdg: int
    mass: float
    density: float
    window: tuple
    regime: str
    response: Optional[NucleusResponse] = None


def scatterers(exp, setup, targets, *, nucleus_threshold_keVnr: Optional[float] = None) -> list:
    """The Scatterers of ``targets`` (:func:`parse_targets`) in experiment ``exp`` for DMSetup ``setup``;
    ``nucleus_threshold_keVnr`` replaces the nuclear-recoil threshold of :func:`nucleus_response` as the
    generator's window (quenching and efficiency, applied by :func:`recoil_observables`, stay the response's)."""
    from dataclasses import replace

    from darkbeam.physics.nuclear import nucleus

    if nucleus_threshold_keVnr is not None and not (math.isfinite(nucleus_threshold_keVnr) and nucleus_threshold_keVnr > 0):
        raise ConfigurationError(f"nuclear-recoil threshold must be a positive number of keVnr, got {nucleus_threshold_keVnr}")
    vol = exp.target_volume.volume
    out = []
    for t in parse_targets(targets):
        if t == "e":
            n = sum(x.n_nuclei * x.Z for x in exp.targets)
            out.append(Scatterer("e", "e-", 11, C.M_E, n / vol, (setup.t_min, setup.t_max), "dm-e"))
        elif t == "p":
            n = sum(x.n_nuclei * x.Z for x in exp.targets)
            out.append(Scatterer("p", "p", 2212, C.M_PROTON, n / vol, tuple(setup.proton_window), "dm-p"))
        elif t == "n":
            n = sum(x.n_nuclei * (x.A - x.Z) for x in exp.targets)
            if n <= 0:
                raise ConfigurationError(f"{setup.name}: the detector has no neutrons")
            out.append(Scatterer("n", "n", 2112, C.M_NEUTRON, n / vol, tuple(setup.proton_window), "dm-n"))
        else:
            nuclei = [x for x in exp.targets if x.A > 1]
            if not nuclei:
                raise ConfigurationError(f"{setup.name}: the detector has no nuclei heavier than a proton")
            for x in nuclei:
                nuc = nucleus(x.name)
                r = nucleus_response(nuc.name, setup.name)
                if nucleus_threshold_keVnr is not None:
                    r = replace(r, threshold_keVnr=float(nucleus_threshold_keVnr),
                                caveats=r.caveats + (f"{nuc.name} recoils: generator threshold set to "
                                                     f"{nucleus_threshold_keVnr:g} keVnr by the user",))
                out.append(Scatterer(nuc.name, nuc.name, nuc.pdg_code, nuc.mass, x.n_nuclei / vol,
                                     (r.threshold_keVnr * 1e-6, None), "dm-coherent", r))
    return out


def recoil_observables(events):
    """Per event of a coherent dark-matter event set: (T_nr, T_ee, efficiency), T in GeV: the recoil's
    kinetic energy, its electron-equivalent energy through the nucleus's quenching and the detection
    efficiency (:func:`nucleus_response`); expected observed events = sum(w * efficiency)."""
    M = events.mass("recoil")
    p2 = np.sum(events.p3("recoil") ** 2, axis=1)
    T = p2 / (np.sqrt(p2 + M * M) + M)  # E - M without the cancellation
    case = np.asarray(events.columns["case"])
    Tee = np.zeros_like(T)
    eff = np.zeros_like(T)
    for i, c in enumerate(events.cases):
        sel = case == i
        if not sel.any():
            continue
        if c.regime != "dm-coherent":
            raise ConfigurationError(f"recoil_observables: case '{c.name}' is not a coherent nuclear recoil")
        r = nucleus_response(_nucleus_of(c))
        t_kev = T[sel] * 1e6
        Tee[sel] = np.asarray(r.quenching(t_kev), dtype=float) * 1e-6
        eff[sel] = np.asarray(r.efficiency(t_kev), dtype=float)
    return T, Tee, eff


def _nucleus_of(case) -> str:
    """The nucleus name of a case's recoil PDG code 100ZZZAAAI."""
    from darkbeam.physics.nuclear import canonical_name

    return canonical_name((case.recoil // 10000) % 1000, (case.recoil // 10) % 1000)
