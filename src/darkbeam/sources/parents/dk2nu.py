"""Parents from the experiments' flux ntuples: dk2nu and g4numi/gnumi-style ROOT files (uproot).

Each entry of such a file is one neutrino-producing decay of a beam-line particle.  The branches read
(case-insensitive; a leading ``decay.`` -- dk2nu's split ``decay`` object -- or a parent branch path is
ignored, so ``dk2nu/decay.vx``, ``decay.vx``, ``Vx`` and ``vx`` all match):

    ptype            parent particle code: PDG (dk2nu, g4numi) or GEANT3 (gnumi/flugg: 5 mu+, 6 mu-,
                     8 pi+, 9 pi-, 10 K0_L, 11 K+, 12 K-); ``ptype_codes='auto'`` takes GEANT3 when no
                     |code| >= 100 occurs
    vx, vy, vz       decay vertex (cm, beam-line frame)
    pdpx, pdpy, pdpz parent momentum at the decay (GeV)
    nimpwt           importance weight

    ancestor.startt  optional (dk2nu's ancestor list, jagged): the last ancestor is the neutrino, its
                     start time (ns) the parent's decay time, used as ``time`` when present

Trees: the first of dk2nuTree, nudata, h10, dk2nu that the file holds (or ``tree=``).  POT: the sum
of the ``pots`` branch of ``dkmetaTree`` (dk2nu metadata), or the ``pot`` argument (required when the
file has no metadata; it overrides the file).

Weights: nimpwt / POT is the number of neutrino-producing decays per POT.  Decays that make no
neutrino (K -> pi pi, K -> 3 pi, K0_L -> 3 pi ...) are not in these files, so with
``all_decays=True`` (default) each weight is divided by the fraction of decays that make one
(PDG BRs of darkbeam.sources.spectra: 1 for pions, BR(K_mu2) + BR(K_e3) + BR(K_mu3) = 0.720 for K+-,
BR(K_e3) + BR(K_mu3) = 0.676 for K0_L) and the sample stands for all decays of the parent; a muon
decay makes two neutrinos, each assumed to be its own entry (weight / 2).  MicroBooNE's BNB HNL
generator normalises its kaons the same way (weight = beamwgt / (BR(K_mu2) + BR(K_mu3) + BR(K_e3));
uboone/ubcore, ubcore/EventGenerator/HNL/FluxReaderBNB.cxx).  Without ``ancestor.startt`` the time is
t = |vertex| / c (the parent taken to move at the speed of light from the origin).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from darkbeam.errors import ConfigurationError, DataError
from darkbeam.sources.parents.sample import ParentSample

PDG_LABEL = {211: "pi+", -211: "pi-", 321: "K+", -321: "K-", 130: "K0_L", -13: "mu+", 13: "mu-"}
GEANT3_LABEL = {8: "pi+", 9: "pi-", 11: "K+", 12: "K-", 10: "K0_L", 5: "mu+", 6: "mu-"}
TREES = ("dk2nuTree", "nudata", "h10", "dk2nu")
BRANCHES = ("ptype", "vx", "vy", "vz", "pdpx", "pdpy", "pdpz", "nimpwt")


def neutrino_fraction(species: str) -> float:
    """Neutrinos per decay of ``species`` recorded as entries (module docstring)."""
    from darkbeam.sources import spectra as S

    if species in ("pi+", "pi-"):
        return 1.0
    if species in ("K+", "K-"):
        return S.BR_K["mu nu"] + S.BR_K["pi0 e nu"] + S.BR_K["pi0 mu nu"]
    if species == "K0_L":
        return S.BR_K0L["pi e nu"] + S.BR_K0L["pi mu nu"]
    if species in ("mu+", "mu-"):
        return 2.0
    raise ConfigurationError(f"no dk2nu parent '{species}'")


def _key(name: str) -> str:
    k = name.rsplit("/", 1)[-1].lower()
    return k[len("decay."):] if k.startswith("decay.") else k


def read_dk2nu(path, species=None, *, pot: float | None = None, beam: str = "numi", tree: str | None = None,
               ptype_codes: str = "auto", all_decays: bool = True, max_entries: int | None = None
               ) -> dict[str, ParentSample]:
    """{species: ParentSample} of the parents in a dk2nu / g4numi-style file (module docstring).

    ``species``: the labels to keep (default: every parent in the file); ``pot``: protons on target the
    file stands for (default: the dk2nu metadata); ``beam``: the frame of the vertices (the beam line's
    name); ``ptype_codes``: 'pdg', 'geant3' or 'auto'; ``max_entries``: read only the first entries."""
    import uproot

    path = Path(path)
    if ptype_codes not in ("auto", "pdg", "geant3"):
        raise ConfigurationError(f"ptype_codes must be 'auto', 'pdg' or 'geant3', got '{ptype_codes}'")
    if pot is not None and not (math.isfinite(pot) and pot > 0):
        raise ConfigurationError(f"pot must be a positive number, got {pot}")
    try:
        f = uproot.open(path)
    except FileNotFoundError:
        raise DataError(f"no such dk2nu file: {path}") from None
    except Exception as exc:  # uproot raises several types for non-ROOT files
        raise DataError(f"{path} is not a readable ROOT file ({type(exc).__name__}: {exc})") from None
    with f:
        names = {k.split(";")[0] for k in f.keys()}
        tname = tree or next((t for t in TREES if t in names), None)
        if tname is None or tname not in names:
            raise DataError(f"{path}: no flux tree ({tree or ', '.join(TREES)}) in the file (has: {', '.join(sorted(names)) or 'nothing'})")
        t = f[tname]
        found = {}
        for k in t.keys(recursive=True):
            kk = _key(k)
            if kk in BRANCHES and kk not in found:
                found[kk] = k
        missing = [b for b in BRANCHES if b not in found]
        if missing:
            raise DataError(f"{path}: tree '{tname}' lacks branch(es) {', '.join(missing)} (dk2nu decay.* or g4numi names)")
        try:
            wanted_names = {found[b] for b in BRANCHES}
            raw = t.arrays(filter_name=lambda name: name in wanted_names, library="np", entry_stop=max_entries)
            arrs = {b: np.asarray(raw[found[b]], dtype=np.float64) for b in BRANCHES}
        except Exception as exc:
            raise DataError(f"{path}: cannot read tree '{tname}' ({type(exc).__name__}: {exc})") from None
        tkey = next((k for k in t.keys(recursive=True) if _key(k) == "ancestor.startt"), None)
        times = None
        if tkey is not None:
            try:
                jag = t.arrays(filter_name=lambda name: name == tkey, library="np", entry_stop=max_entries)[tkey]
                times = np.array([float(a[-1]) if len(a) else np.nan for a in jag], dtype=np.float64)
            except Exception as exc:
                raise DataError(f"{path}: cannot read '{tkey}' ({type(exc).__name__}: {exc})") from None
            if not np.all(np.isfinite(times)):
                raise DataError(f"{path}: empty or non-finite '{tkey}' entries")
        file_pot = None
        if "dkmetaTree" in names:
            meta = f["dkmetaTree"]
            pk = next((k for k in meta.keys(recursive=True) if _key(k) == "pots"), None)
            if pk is not None:
                file_pot = float(np.sum(meta.arrays(filter_name=lambda name: name == pk, library="np")[pk]))
    n_pot = pot if pot is not None else file_pot
    if n_pot is None or not (math.isfinite(n_pot) and n_pot > 0):
        raise DataError(f"{path}: no POT in the file's metadata (dkmetaTree/pots); give pot=")
    for b, a in arrs.items():
        if not np.all(np.isfinite(a)):
            raise DataError(f"{path}: non-finite values in branch '{found[b]}'")
    if np.any(arrs["nimpwt"] < 0):
        raise DataError(f"{path}: negative importance weight in '{found['nimpwt']}'")
    codes = arrs["ptype"].astype(np.int64)
    geant3 = ptype_codes == "geant3" or (ptype_codes == "auto" and codes.size > 0 and np.all(np.abs(codes) < 100))
    table = GEANT3_LABEL if geant3 else PDG_LABEL
    wanted = None if species is None else ([species] if isinstance(species, str) else list(species))
    if wanted is not None:
        bad = [s for s in wanted if s not in table.values()]
        if bad:
            raise ConfigurationError(f"unknown dk2nu parent(s) {', '.join(bad)} (known: {', '.join(table.values())})")
    from darkbeam.physics.particles import mass_of
    from darkbeam.units import C_LIGHT_CM_PER_NS

    out: dict[str, ParentSample] = {}
    for code, label in table.items():
        if wanted is not None and label not in wanted:
            continue
        sel = codes == code
        if not np.any(sel):
            continue
        m = mass_of(label)
        p3 = np.column_stack((arrs["pdpx"][sel], arrs["pdpy"][sel], arrs["pdpz"][sel]))
        e = np.sqrt(np.einsum("ij,ij->i", p3, p3) + m * m)
        pos = np.column_stack((arrs["vx"][sel], arrs["vy"][sel], arrs["vz"][sel]))
        frac = neutrino_fraction(label) if all_decays else 1.0
        w = arrs["nimpwt"][sel] / n_pot / frac
        out[label] = ParentSample(
            species=label, p4=np.column_stack((e, p3)), position=pos,
            time=np.linalg.norm(pos, axis=1) / C_LIGHT_CM_PER_NS if times is None else times[sel], weight=w, beam=beam,
            origin=f"dk2nu: {path.name}",
            notes=(f"{int(sel.sum())} entries of tree '{tname}', {n_pot:g} POT ({'argument' if pot is not None else 'dkmetaTree/pots'}), "
                   f"ptype codes {'GEANT3' if geant3 else 'PDG'}",
                   (f"weights / {frac:.4g} (fraction of decays that make a neutrino): all decays" if all_decays and frac != 1.0
                    else "weights: neutrino-producing decays"),
                   "time = |vertex|/c (no ancestor.startt in the file)" if times is None
                   else "time: the neutrino's ancestor.startt (ns, the file's clock)"))
    return out
