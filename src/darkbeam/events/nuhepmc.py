"""NuHepMC 1.0.0 run information of an EventSet's HepMC3 file: the file header (run attributes, process,
vertex- and particle-status tables, darkbeam's new particle numbers, provenance), the footer, and the
unit conversions of the text formats.

Spec: NuHepMC 1.0.0, github.com/NuHepMC/Spec (arXiv:2310.13211); HepMC3 ASCII: Buckley et al.,
arXiv:1912.08005.  The event records are built by :mod:`darkbeam.events.hepmc_records`, per file by
:mod:`darkbeam.events.hepmc`.
"""

from __future__ import annotations

import json
import warnings

from darkbeam import __version__
from darkbeam import constants as C
from darkbeam.events import _text as T
from darkbeam.events.tables import process_ids

HEPMC3_VERSION = "3.02.05"
NUHEPMC_VERSION = (1, 0, 0)
CM_TO_MM = 10.0
NS_TO_S = 1.0e-9
CM2_TO_PB = 1.0e36

PARTICLE_STATUS = {
    1: ("UndecayedPhysical", "final-state particle"),
    2: ("DecayedPhysical", "particle decayed by darkbeam (N, and an intermediate Z' or h')"),
    4: ("IncomingBeam", "incoming beam particle (the projectile neutrino)"),
    20: ("Target", "target particle, at rest in the lab frame"),
}
VERTEX_STATUS = {
    1: ("PrimaryVertex", "upscattering projectile + target -> N + recoil"),
    22: ("NewParticleDecay", "decay of N at its sampled decay position in the detector"),
    23: ("IntermediateDecay", "prompt decay of the intermediate (Z', h') at N's decay position"),
}
#: descriptions in files with meson-decay events (cases of regime "decay")
DECAY_STATUS_DOCS = {
    ("particle", 4): "incoming beam particle (the projectile neutrino; in meson-decay events the decaying parent, "
                     "which enters the event at its decay point)",
    ("vertex", 1): "upscattering projectile + target -> N + recoil, or (meson-decay events) the decay of the "
                   "parent into the new particle and its companions",
}
#: darkbeam's codes without an official PDG number (docs/pdg_codes.md)
NEW_PARTICLES = {C.PDG[k]: k for k in ("N4", "N5", "N6", "zprime", "hprime", "alp")}
NEW_PARTICLE_DOCS = {
    "N4": "heavy neutral lepton N4 (fermion, DarkNews code 59|1|4)",
    "N5": "heavy neutral lepton N5 (fermion, DarkNews code 59|1|5)",
    "N6": "heavy neutral lepton N6 (fermion, DarkNews code 59|1|6)",
    "zprime": "dark vector boson Z' (vector, DarkNews code 59|2|1)",
    "hprime": "dark scalar h' (scalar, DarkNews code 59|0|1)",
    "alp": "axion-like particle a (pseudoscalar, DarkNews code 5903)",
}


def escape(s: str) -> str:
    """HepMC3 ASCII escaping of attribute strings (WriterAscii::escape)."""
    return str(s).replace("\\", "\\\\").replace("\n", "\\|")


def _pb(v):
    return float(v) * CM2_TO_PB


def _used_codes(events):
    codes = set()
    for c in events.cases:
        codes |= {c.projectile, c.target, c.recoil, c.hnl, c.recoil2} - {0}
    for ch in events.channels:
        codes |= set(ch.daughters) | ({ch.intermediate} if ch.intermediate else set())
    return sorted(codes, key=lambda v: (abs(v), v))


def _new_name(code: int) -> str | None:
    name = NEW_PARTICLES.get(abs(code))
    if name is None:
        return None
    return name if code > 0 else name + "_bar"


def run_attributes(meta, cases, pids, codes, *, vertex_status=None, particle_status=None, status_doc=None,
                   warn_missing_xsec: bool = True, json_default=str) -> tuple[list[str], callable]:
    """The NuHepMC run attributes both event layouts write (G.R.1-11, G.C.1, G.C.2, G.C.5, G.S.1, G.S.2):
    versions, exposure, flux-averaged cross section, conventions, units, process, vertex and particle
    status tables (``vertex_status``/``particle_status``, default: the decay layout's), new particle
    numbers and darkbeam's provenance.  Returns the ``A ...`` lines and the function that appends more.

    ``status_doc(kind, k, doc)`` may replace a status description (decay files); ``codes`` are the PDG
    codes the events use."""
    A = []

    def att(name, value):
        if isinstance(value, (list, tuple)):
            value = " ".join(str(v) for v in value)
        A.append(f"A {name} {escape(value)}")

    conventions = ["G.C.5", "E.C.5", "G.S.1", "G.S.2"]
    for k, v in zip(("Major", "Minor", "Patch"), NUHEPMC_VERSION):
        att(f"NuHepMC.Version.{k}", v)
    if meta.get("exposure_pot") is not None:
        att("NuHepMC.Exposure.POT", T.fmt_scalar(meta["exposure_pot"]))
        conventions.append("G.C.1")
    if meta.get("flux_averaged_xsec_cm2") is not None:
        att("NuHepMC.FluxAveragedTotalCrossSection", T.fmt_scalar(_pb(meta["flux_averaged_xsec_cm2"])))
        if meta.get("flux_averaged_xsec_err_cm2") is not None:
            att("NuHepMC.FluxAveragedTotalCrossSectionUncertainty",
                T.fmt_scalar(_pb(meta["flux_averaged_xsec_err_cm2"])))
        conventions.append("G.C.2")
    elif warn_missing_xsec:
        warnings.warn("meta has no 'flux_averaged_xsec_cm2': the HepMC3 file will not satisfy NuHepMC "
                      "G.R.5 (flux-averaged total cross section)", stacklevel=4)
    att("NuHepMC.Conventions", sorted(conventions))
    att("NuHepMC.Units.CrossSection.Unit", "pb")
    att("NuHepMC.Units.CrossSection.TargetScale", "PerAtom")
    att("NuHepMC.ProcessIDs", pids)
    for pid, case in zip(pids, cases):
        att(f"NuHepMC.ProcessInfo[{pid}].Name", case.name)
        att(f"NuHepMC.ProcessInfo[{pid}].Description", case.description or case.name)
    for what, table in (("Vertex", vertex_status or VERTEX_STATUS), ("Particle", particle_status or PARTICLE_STATUS)):
        att(f"NuHepMC.{what}StatusIDs", sorted(table))
        for k, (name, doc) in sorted(table.items()):
            att(f"NuHepMC.{what}StatusInfo[{k}].Name", name)
            att(f"NuHepMC.{what}StatusInfo[{k}].Description", status_doc(what, k, doc) if status_doc else doc)
    new = [c for c in codes if _new_name(c)]
    att("NuHepMC.AdditionalParticleNumbers", new)
    for c in new:
        att(f"NuHepMC.AdditionalParticleNumber[{c}].Name", _new_name(c))
        doc = NEW_PARTICLE_DOCS[NEW_PARTICLES[abs(c)]] + ("" if c > 0 else ", antiparticle")
        att(f"NuHepMC.AdditionalParticleInfo[{c}].Description", doc + "; see darkbeam docs/pdg_codes.md")
    for key in ("seed", "experiment"):
        if meta.get(key) is not None:
            att(f"NuHepMC.Provenance.darkbeam.{key}", meta[key])
    if meta.get("model") is not None:
        att("NuHepMC.Provenance.darkbeam.model", json.dumps(meta["model"], sort_keys=True, default=str))
    if meta.get("fallbacks") is not None:  # substitutes for missing data (JSON list of one-line notes; [] = none)
        att("NuHepMC.Provenance.darkbeam.fallbacks", json.dumps(list(meta["fallbacks"])))
    att("NuHepMC.Provenance.darkbeam.meta", json.dumps(meta, sort_keys=True, default=json_default))
    return A, att


def nuhepmc_header(events) -> str:
    """HepMC3 file header and run information (NuHepMC G.R.1-11, G.C.1, G.C.2, G.C.5, G.S.1, G.S.2)."""
    meta = events.meta
    decays = any(c.is_decay for c in events.cases)
    status_doc = ((lambda what, k, doc: DECAY_STATUS_DOCS.get((what.lower(), k), doc)) if decays else None)
    A, att = run_attributes(meta, events.cases, process_ids(events.cases), _used_codes(events),
                            status_doc=status_doc,
                            # no cross section for decays of beam mesons
                            warn_missing_xsec=meta.get("process") != "meson-decay")
    att("darkbeam.ChannelIDs", list(range(len(events.channels))))
    for k, ch in enumerate(events.channels):
        att(f"darkbeam.ChannelInfo[{k}].Name", ch.name)
        att(f"darkbeam.ChannelInfo[{k}].Daughters", list(ch.daughters))
    att("darkbeam.WeightInfo[CV].Description",
        "expected number of N decays in the detector for the exposure NuHepMC.Exposure.POT: "
        "CV = w_rate * (br / q_channel) * w_decay * p_decay")
    att("darkbeam.AttributeInfo[darkbeam.weights].Description",
        "weight components w_rate [upscattering events], br, q_channel, w_decay, p_decay "
        "(CV = w_rate * br / q_channel * w_decay * p_decay; docs/events.md)")
    att("darkbeam.AttributeInfo[darkbeam.path].Description",
        "l1 l2 ctau l_decay [gap1_start gap1_end ...] [cm]: first entry and last exit of N's path through "
        "the active volume, N's proper decay length, distance of the decay vertex from the interaction "
        "vertex, and the gaps of the path between separated parts of the volume (if any)")
    att("darkbeam.AttributeInfo[darkbeam.Q2].Description", "Q^2 = -(p_projectile - p_N)^2 [GeV^2]")
    att("darkbeam.AttributeInfo[darkbeam.channel].Description", "index of the decay channel (darkbeam.ChannelInfo)")
    head = [f"HepMC::Version {HEPMC3_VERSION}", "HepMC::Asciiv3-START_EVENT_LISTING", "W CV",
            f"T darkbeam\\|{__version__}\\|darkbeam: new physics at accelerator neutrino experiments "
            "(upscattering and decay event generator)"]
    return "\n".join(head + A) + "\n"


HEPMC3_FOOTER = "HepMC::Asciiv3-END_EVENT_LISTING\n\n"
