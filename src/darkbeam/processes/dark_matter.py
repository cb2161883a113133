"""Light dark matter at a neutrino facility: chi chi-bar pairs made in the target (or beam dump), traced
to the near detector, scattering elastically on its electrons (docs/dark_matter.md, "Events").

**Production** (per channel, weights per POT as in :mod:`darkbeam.processes.meson_decay`):

* P -> gamma chi chi-bar, P = pi0, eta, eta' (the beam model's prompt neutral mesons): the full
  Breit-Wigner three-body channels of :func:`darkbeam.physics.production.dark_channels.
  dark_matter_channels` with ``offshell_only=False`` (on- and off-shell A', no double counting: the
  A' -> chi chi-bar decay is inside the three-body rate);
* proton bremsstrahlung p N -> p N A' (:mod:`darkbeam.sources.parents.bremsstrahlung`; at the 8.9 GeV BNB
  dump, outside the splitting function's validity, only on request and flagged, with BdNMC's cuts
  0.3 < z < 0.7, p_T < 0.2 GeV: :func:`darkbeam.processes.dark_matter_sources.brem_chi_channel`), the on-shell A' then decaying promptly to chi chi-bar (two-body, isotropic in the
  A' rest frame: its polarisation is not modelled), branching ratio eps^2 BR(A' -> chi chi-bar).
* V -> A'* -> chi chi-bar, V = rho0, omega, phi of the beam model (VMD mixing, eq. DMV of
  :mod:`darkbeam.physics.production.dark_matter_vectors`), and the on-shell A' of the electromagnetic
  showers of the pi0/eta photons in the target decaying to chi chi-bar (:mod:`darkbeam.processes.
  dark_matter_sources`; both two-body, isotropic in the parent's rest frame).

The chi's direction is forced into the detector volume (:func:`darkbeam.processes.meson_decay.produce_toward_volume`:
a point uniform in the volume fixes the direction; Jacobian and direction density in the weight), so
that ``w_rate`` sums to the chi per exposure whose straight line crosses the volume; chi is stable, so
the segments [a_j, b_j] of that line in the volume are its whole path there.  The chi-bar has the same
distribution (the production matrix elements are symmetric under chi <-> chi-bar, docs/dark_matter.md
DM3), so the pair counts twice: the weights carry the factor 2 and the events are labelled chi.

**Scattering** chi e -> chi e (or, with ``target``, chi p and chi n elastic on the detector's nucleons
through their Sachs form factors, bound nucleons taken as free, and coherent chi A -> chi A on its
nuclei above their nuclear-recoil threshold: :mod:`darkbeam.processes.dm_targets`) in the thin-target limit (the interaction length is ~1e20 cm): the
probability n_e sigma(E) L, L = sum_j (b_j - a_j), n_e = (the catalog's electrons) / (the target
volume), the same electrons that the nu-e background counts.  The recoil kinetic energy T is drawn
log-uniformly in the window [t_min, min(t_max, T_max(E))] and the weight is

    w = 2 w_rate n_e L dsigma/dT(E, T) T ln(T_hi / T_lo)        (E[w | E] = 2 w_rate n_e L sigma(E)),

dsigma/dT of :func:`darkbeam.physics.dm_scattering.dsigma_dER_electron` (1903.10505 eq. 3.1).  The
vertex is uniform along the path in the volume, the electron's polar angle about the chi direction is
fixed by (E, T) (:func:`darkbeam.physics.dm_scattering.recoil_cos`), its azimuth uniform; the
outgoing chi is p_chi - p_e.

**Scaling.**  w is proportional to eps^4 alpha_D^2 at fixed masses (production eps^2 alpha_D,
scattering eps^2 alpha_D), exactly up to O(eps^2) terms: the Z-Z' mixing factor cos(beta) of the dark
coupling and the eps-dependent visible share of the A' width in the Breit-Wigner (1e-6 at eps = 1e-3,
tested): with Y = eps^2 alpha_D (m_chi/m_A')^4, events ~ Y^2 at
fixed alpha_D and masses, so one run per mass gives the whole coupling axis (:func:`rescale`).

Event layout: :class:`~darkbeam.events.scattering.ScatterEvents` (docs/events.md, "Scattering events"),
process ``"dm-scattering"``: the incoming chi in the ``projectile`` role, the outgoing chi in the
``scattered`` role, the struck electron (nucleon, nucleus: PDG 100ZZZAAA0) in the ``recoil`` role; regime
``"dm-e"`` (``"dm-p"``, ``"dm-n"``, ``"dm-coherent"``);
built in :func:`build_events` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from darkbeam.errors import ConfigurationError, KinematicsError

__all__ = ["SETUPS", "DMSetup", "setup_of", "chi_arrivals", "simulate", "build_events", "rescale", "PROCESS",
           "yield_variable"]

#: ``meta["process"]`` of dark-matter scattering event sets
PROCESS = "dark-matter"


@dataclass(frozen=True)
class DMSetup:
    """A detector and the beam that makes the chi: ``experiment`` (catalog keyword: geometry, electrons),
    ``beam`` (a beam name or :class:`~darkbeam.sources.beam.configs.BeamConfig`; its frame must hold a
    placement of the detector, or ``baseline_cm`` places it on the beam axis), ``pot``, the electron
    recoil window (GeV), the resolutions used by the analyses (sigma_E/E = ``res_stoch``/sqrt(E/GeV)
    (+) ``res_const``; ``res_angle`` rad), the chi sources beyond the P -> gamma chi chi-bar decays
    (``bremsstrahlung``, ``shower`` with ``showers`` photon showers sampled, ``vector_mesons``) and ``notes``.
    ``brem_z_range``, ``brem_pt_max``: the validity cuts of the bremsstrahlung A' (None: the defaults of
    :mod:`darkbeam.sources.parents.bremsstrahlung`, 0.1 < z < 0.9, p_T < 1 GeV); ``brem_validity``: where the
    splitting function is outside its validity at this beam, why (non-empty: the bremsstrahlung source is
    flagged in the caveats and ``meta["bremsstrahlung"]`` whenever it is switched on, and named as left out
    when off)."""

    name: str
    experiment: str
    beam: object
    pot: float
    t_min: float
    t_max: Optional[float] = None
    baseline_cm: Optional[float] = None
    res_stoch: float = 0.0
    res_const: float = 0.0
    res_angle: float = 0.0
    bremsstrahlung: bool = True
    proton_window: tuple = (0.035, None)
    shower: bool = True
    vector_mesons: bool = True
    showers: int = 64
    notes: tuple = field(default_factory=tuple)
    brem_z_range: Optional[tuple] = None
    brem_pt_max: Optional[float] = None
    brem_validity: str = ""


def _setups() -> dict:
    from darkbeam.sources.beam.configs import BNB_DUMP

    return {
        "miniboone_dump": DMSetup(
            "miniboone_dump", "miniboone_fhc", BNB_DUMP, 1.86e20, t_min=0.075, t_max=0.85,
            res_stoch=0.12, res_angle=math.radians(4.0), bremsstrahlung=False, proton_window=(0.035, 0.6),
            notes=("MiniBooNE-DM beam-dump run: 1.86e20 POT on the steel absorber 490 m upstream "
                   "(arXiv:1807.06137, PRD 98 (2018) 112004)",
                   "electron window 75-850 MeV and resolutions 12 %/sqrt(E), 4 degrees: assumed (MiniBooNE-like), "
                   "not the collaboration's selection",
                   "electrons: the catalog's 818 t of CH2 spread over the 574.6 cm sphere (the nu-e background "
                   "counts the same electrons)",
                   "nucleon recoils (--regime p-el, n-el): kinetic energy 35-600 MeV, assumed; the nucleons of CH2 as free "
                   "nucleons (carbon's are bound: no Pauli blocking or nuclear response)",
                   "chi from pi0, eta, eta' decays, rho0/omega/phi mixing and the A' of the photon showers in the "
                   "steel"),
            brem_z_range=(0.3, 0.7), brem_pt_max=0.2,
            brem_validity=("8.9 GeV protons are outside the validity of the Weizsacker-Williams splitting function "
                           "(Bluemlein-Brunner arXiv:1311.3870 eqs. 2-4 need E_p, E_A', E_p - E_A' >> m_p, m_A', p_T; "
                           "docs/parents.md); cuts 0.3 < z < 0.7, p_T < 0.2 GeV as in BdNMC, the MiniBooNE-DM "
                           "simulation (github pgdeniverville/BdNMC, parameter.dat, proton_brem channel)")),
        "dune_nd": DMSetup(
            "dune_nd", "dune_nd_fhc", "lbnf", 1e22, t_min=0.03, baseline_cm=57400.0,
            res_stoch=0.05, res_const=0.05, res_angle=math.radians(1.0),
            notes=("DUNE ND-LAr, LBNF 120 GeV protons on graphite; 1e22 POT (the catalog's round reference exposure)",
                   "electron threshold 30 MeV, resolutions 5 %/sqrt(E) (+) 5 %, 1 degree: assumed, in the spirit of "
                   "de Romeri, Kelly, Machado arXiv:1903.10505 (not their exact numbers)",
                   "electrons: the catalog's 30 t fiducial argon spread over the 7 x 3 x 5 m active box",
                   "off axis: the detector moved along +x of the beam frame at the same z (DUNE-PRISM-like)")),
    }


#: setup names (``darkbeam generate --process dark-matter --experiment NAME``)
SETUPS = ("miniboone_dump", "dune_nd")


def setup_of(name) -> DMSetup:
    """A setup by name (:data:`SETUPS`) or the DMSetup itself; one ConfigurationError line otherwise."""
    if isinstance(name, DMSetup):
        return name
    table = _setups()
    key = str(name).strip().lower()
    if key not in table:
        raise ConfigurationError(f"unknown dark-matter setup '{name}' (choose from {', '.join(SETUPS)})")
    return table[key]


def yield_variable(params) -> float:
    """Y = eps^2 alpha_D (m_chi/m_A')^4 of a model (:attr:`darkbeam.models.couplings.Couplings.dm_yield`)."""
    from darkbeam.models.couplings import Couplings

    return float(Couplings(params).dm_yield)


def _placement(setup: DMSetup, exp, offset_cm: float):
    """The detector's placement in the beam frame, moved by ``offset_cm`` along +x (off axis)."""
    from darkbeam.detectors.placement import Placement, placements

    from darkbeam.sources.beam.configs import beam_config

    frame = beam_config(setup.beam).name
    table = placements(exp)
    if frame in table:
        base = table[frame]
        center, axes = np.array(base.center, dtype=float), np.array(base.axes, dtype=float)
    elif setup.baseline_cm is not None:
        center, axes = np.array([0.0, 0.0, setup.baseline_cm]), np.eye(3)
    else:
        raise ConfigurationError(f"{setup.name}: no placement of {exp.keyword} in the {frame} beam frame")
    center = center + np.array([offset_cm, 0.0, 0.0])
    return Placement(beam=frame, center=center, axes=axes, source=f"{setup.name}, {offset_cm / 100:g} m off axis")


@dataclass(frozen=True)
class _TwoBodySampler:
    """A' -> chi chi-bar at rest, isotropic (unpolarised A')."""

    m_parent: float
    m_chi: float

    def __call__(self, n: int, rng):
        from darkbeam.physics.production.channel import RestFrameSample

        p = 0.5 * math.sqrt(max(self.m_parent**2 - 4.0 * self.m_chi**2, 0.0))
        c = rng.uniform(-1.0, 1.0, n)
        phi = rng.uniform(0.0, 2.0 * math.pi, n)
        s = np.sqrt(1.0 - c * c)
        k = np.column_stack([s * np.cos(phi), s * np.sin(phi), c]) * p
        mom = np.zeros((n, 2, 4))
        mom[:, 0, 0] = mom[:, 1, 0] = 0.5 * self.m_parent
        mom[:, 0, 1:], mom[:, 1, 1:] = k, -k
        return RestFrameSample(momenta=mom, polarisation=0.0, weight=np.ones(n))


def _channels(params, beam, *, bremsstrahlung: bool, n_parents: int, seed: int, notes: list, shower: bool = False,
              vector_mesons: bool = False, showers: int = 64, brem_cuts: Optional[dict] = None):
    """[(channel, ParentSample)] of every open chi source of ``params`` in ``beam``: P -> gamma chi chi-bar,
    with ``bremsstrahlung`` the bremsstrahlung A' (``brem_cuts``: z_range, pt_max of its sample), with
    ``vector_mesons`` V -> A'* -> chi chi-bar (rho0, omega, phi) and with ``shower`` the A' of the target's
    photon showers (:mod:`darkbeam.processes.dark_matter_sources`; ``showers`` photon showers sampled)."""
    from darkbeam.models.couplings import Couplings
    from darkbeam.physics.production.dark_channels import dark_matter_channels
    from darkbeam.sources.parents import parent_sample

    eps = float(Couplings(params).epsilon)
    out = []
    for ch in dark_matter_channels(params, eps * eps, offshell_only=False):
        out.append((ch, parent_sample(beam, ch.parent, n=n_parents, seed=seed)))
    if bremsstrahlung:
        from darkbeam.processes.dark_matter_sources import brem_chi_channel

        got = brem_chi_channel(params, beam, n_parents=n_parents, seed=seed, notes=notes, cuts=brem_cuts)
        if got is not None:
            out.append(got)
    if vector_mesons:
        from darkbeam.processes.dark_matter_sources import vector_meson_chi_channels

        out += vector_meson_chi_channels(params, beam, n_parents=n_parents, seed=seed, notes=notes)
    if shower:
        from darkbeam.processes.dark_matter_sources import shower_chi_channel

        got = shower_chi_channel(params, beam, vectors=max(int(n_parents), 4096), showers=showers, seed=seed,
                                 notes=notes)
        if got is not None:
            out.append(got[:2])
    return out


def chi_arrivals(params, setup, *, n: int, rng: np.random.Generator, offset_m: float = 0.0, n_parents: int = 2**14,
                 seed: int = 1, bremsstrahlung: Optional[bool] = None, shower: Optional[bool] = None,
                 vector_mesons: Optional[bool] = None):
    """(list of (channel, arrays), exposure, experiment, notes): for every chi source, ``n`` forced-direction
    chi toward the detector (arrays of meson_decay.produce_toward_volume: ``lab`` daughters, ``bounds`` path segments
    in the detector frame, ``w_rate`` chi per exposure crossing the volume, ``x0``, ``t0``)."""
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.processes.meson_decay import produce_toward_volume

    st = setup_of(setup)
    if not params.has_dm:
        raise ConfigurationError("the model has no dark matter: set mchi and mzprime (and epsilon, alphaD)")
    if params.zprime_charge != "dark":
        raise ConfigurationError("dark-matter events need a kinetically mixed dark photon (zprime_charge 'dark')")
    if not math.isfinite(offset_m) or abs(offset_m) > 1000.0:
        raise ConfigurationError(f"off-axis offset must be finite and at most 1000 m, got {offset_m}")
    exp = load_experiment(st.experiment)
    place = _placement(st, exp, 100.0 * offset_m)
    vol = exp.target_volume
    notes: list[str] = list(st.notes)
    out = []
    brem = st.bremsstrahlung if bremsstrahlung is None else bool(bremsstrahlung)
    from darkbeam.processes.dark_matter_sources import brem_cuts, brem_report

    if st.brem_validity:  # the bremsstrahlung A' at a beam outside the splitting function's validity: said either way
        cuts = brem_report(st, brem)
        what = f"{cuts['z_range'][0]:g} < z < {cuts['z_range'][1]:g}, p_T < {cuts['pt_max_GeV']:g} GeV"
        notes.append(f"proton bremsstrahlung INCLUDED on request ({what}), an estimate, not a prediction: {st.brem_validity}"
                     if brem else f"proton bremsstrahlung left out by default: {st.brem_validity} (bremsstrahlung=True, "
                     "--bremsstrahlung, adds it with these cuts)")
    for ch, ps in _channels(params, st.beam, bremsstrahlung=brem, n_parents=n_parents, seed=seed, notes=notes,
                            shower=st.shower if shower is None else bool(shower),
                            vector_mesons=st.vector_mesons if vector_mesons is None else bool(vector_mesons),
                            showers=st.showers, brem_cuts=brem_cuts(st)):
        if ch.br <= 0:
            continue
        prod = produce_toward_volume(ch, ps, place, vol, params, n, rng, st.pot)
        if prod is None:
            notes.append(f"{ch.name}: no chi reaches the detector")
            continue
        out.append((ch, prod))
    if not out:
        raise KinematicsError(f"no chi source is open for this model at {st.name} (2 m_chi below the pi0, eta, "
                              f"eta' masses or the A' mass): " + "; ".join(notes[len(st.notes):]))
    return out, st, exp, place, notes


def _perp_basis(u):
    a = np.where(np.abs(u[:, :1]) < 0.9, np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 1.0, 0.0]]))
    e1 = a - np.einsum("ij,ij->i", a, u)[:, None] * u
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    return e1, np.cross(u, e1)


def _scatter(prod, llp_index: int, params, n_e: float, t_min: float, t_max, rng, target: str = "e"):
    """Per chi: weight factor, recoil T, recoil (electron, nucleon or nucleus) and outgoing chi four-momenta,
    vertex (module docstring); ``n_e``: density of the targets of ``target`` ('e', 'p', 'n' or a nucleus
    name: :func:`darkbeam.processes.dm_targets.kernel`)."""
    from darkbeam.models.couplings import Couplings
    from darkbeam.physics import dm_scattering as S
    from darkbeam.processes.dm_targets import kernel
    from darkbeam.units import C_LIGHT_CM_PER_NS

    c = Couplings(params)
    alpha_d = (c.gD * math.cos(c.beta)) ** 2 / (4.0 * math.pi)
    m_chi = float(params.mchi)
    p_chi = prod["lab"][:, llp_index]
    E = p_chi[:, 0]
    pabs = np.linalg.norm(p_chi[:, 1:], axis=1)
    u = p_chi[:, 1:] / pabs[:, None]
    bnd = prod["bounds"]
    a, b = bnd[:, 0::2], bnd[:, 1::2]
    seg = np.clip(b - a, 0.0, None)
    L = seg.sum(axis=1)
    M, dsig = kernel(target)
    hi = S.recoil_max(E, m_chi, M)
    if t_max is not None:
        hi = np.minimum(hi, t_max)
    ok = (hi > t_min) & (L > 0)
    hi_ = np.where(ok, hi, 2.0 * t_min)
    lnr = np.log(hi_ / t_min)
    T = t_min * np.exp(lnr * rng.random(E.size))
    ds = dsig(E, T, m_chi=m_chi, m_aprime=float(params.mzprime), eps=float(c.epsilon),
                               alpha_d=float(alpha_d), scalar_chi=params.dm_type == "scalar")
    f = np.where(ok, 2.0 * n_e * L * ds * T * lnr, 0.0)
    # vertex: uniform along the path inside the volume
    cum = np.cumsum(seg, axis=1)
    s = rng.random(E.size) * L
    j = np.minimum((cum < s[:, None]).sum(axis=1), seg.shape[1] - 1)
    before = np.take_along_axis(cum, j[:, None], axis=1)[:, 0] - np.take_along_axis(seg, j[:, None], axis=1)[:, 0]
    ell = np.take_along_axis(a, j[:, None], axis=1)[:, 0] + (s - before)
    vtx = np.zeros((E.size, 4))
    vtx[:, :3] = prod["x0"] + ell[:, None] * u
    vtx[:, 3] = prod["t0"] + ell * E / (pabs * C_LIGHT_CM_PER_NS)
    # electron
    pe = np.sqrt(T * (T + 2.0 * M))
    cos = np.clip(S.recoil_cos(E, T, m_chi, M), -1.0, 1.0)
    sin = np.sqrt(1.0 - cos * cos)
    phi = rng.uniform(0.0, 2.0 * math.pi, E.size)
    e1, e2 = _perp_basis(u)
    p_e = np.zeros((E.size, 4))
    p_e[:, 0] = T + M
    p_e[:, 1:] = pe[:, None] * (cos[:, None] * u + sin[:, None] * (np.cos(phi)[:, None] * e1 + np.sin(phi)[:, None] * e2))
    p_out = p_chi - p_e
    p_out[:, 0] = E - T
    return f, T, p_chi, p_e, p_out, vtx


def _brem_report(st, included):
    from darkbeam.processes.dark_matter_sources import brem_report

    return brem_report(st, included)


def build_events(parts: dict, cases: list, meta: dict):
    """The ScatterEvents of dark-matter scattering events from per-event arrays (the one place that knows
    the event layout; module docstring): ``parts`` holds ``case``, ``w`` (expected events), ``Q2``,
    ``vertex`` (n, 4), ``p_in`` (incoming chi), ``p_out`` (outgoing chi), ``p_rec`` (electron or proton),
    the momenta as (n, 4) lab four-vectors."""
    from darkbeam.events.scattering import ScatterEvents

    vtx = parts["vertex"]
    columns = {"case": parts["case"], "w": parts["w"], "Q2": parts["Q2"],
               **{k: vtx[:, j] for j, k in enumerate("xyzt")},
               **{f"{role}_p{c}": parts[key][:, 1 + j] for role, key in (("projectile", "p_in"), ("scattered", "p_out"),
                                                                         ("recoil", "p_rec"))
                  for j, c in enumerate("xyz")}}
    return ScatterEvents(columns, cases, meta)


def simulate(params, setup="dune_nd", *, n: int = 20_000, rng: np.random.Generator, offset_m: float = 0.0,
             n_parents: int = 2**14, seed=None, bremsstrahlung: Optional[bool] = None, target="e",
             nucleus_threshold_keVnr: Optional[float] = None, shower: Optional[bool] = None,
             vector_mesons: Optional[bool] = None):
    """Weighted chi scattering events of ``params`` (``mchi``, ``mzprime``, ``epsilon``, ``alphaD``,
    ``dm_type``) at ``setup`` (:data:`SETUPS` or a DMSetup), the detector ``offset_m`` metres off the
    beam axis; ``n`` forced chi directions per production channel; ``bremsstrahlung``: include the
    bremsstrahlung A' (default: the setup's choice); ``shower``, ``vector_mesons``: include the A' of the
    target's photon showers and rho0/omega/phi -> A'* -> chi chi-bar (default: the setup's choice); ``target``: one or several (a sequence or 'p,n') of
    'e' (chi e -> chi e, the setup's electron window), 'p' and 'n' (chi p, chi n elastic on the detector's
    nucleons, Sachs form factors, the setup's ``proton_window``; bound nucleons taken as free) and
    'nucleus' (coherent chi A -> chi A on each nucleus of the detector above its nuclear-recoil threshold),
    :mod:`darkbeam.processes.dm_targets`; ``nucleus_threshold_keVnr`` replaces the nuclear-recoil
    threshold of the response (the coherent window starts there).  sum(w) = expected events in the recoil windows for the setup's
    exposure (module docstring); one case per (chi source, target); ``meta["summary"]`` per case, with
    each row's ``share`` of the events and its source's ``chi_share`` of the chi toward the detector."""
    from darkbeam.events.scatter_schema import ScatterCase
    from darkbeam.physics.particles import pdg_code
    from darkbeam.processes.dm_targets import parse_targets, scatterers

    n = int(n)
    if n < 1:
        raise ConfigurationError(f"n must be a positive number of chi per channel, got {n}")
    targets = parse_targets(target)
    if nucleus_threshold_keVnr is not None and not (math.isfinite(nucleus_threshold_keVnr) and nucleus_threshold_keVnr > 0):
        raise ConfigurationError(f"nuclear-recoil threshold must be a positive number of keVnr, got {nucleus_threshold_keVnr}")
    arrivals, st, exp, place, notes = chi_arrivals(params, setup, n=n, rng=rng, offset_m=offset_m,
                                                   n_parents=n_parents, seed=1 if seed is None else int(seed),
                                                   bremsstrahlung=bremsstrahlung, shower=shower,
                                                   vector_mesons=vector_mesons)
    scat = scatterers(exp, st, targets, nucleus_threshold_keVnr=nucleus_threshold_keVnr)
    for sc in scat:
        if sc.response is not None:
            notes.extend(c for c in sc.response.caveats if c not in notes)
    m_chi = float(params.mchi)
    lab = params.dm_label
    code = pdg_code(lab)
    cases, parts, summary = [], {}, []
    path_sum = 0.0  # sum over chi of 2 w_rate L: the chi flux through the detector (per cm^2) times its volume
    for ch, prod in arrivals:
        bnd = prod["bounds"]
        path_sum += 2.0 * float(np.sum(prod["w_rate"] * np.clip(bnd[:, 1::2] - bnd[:, 0::2], 0.0, None).sum(axis=1)))
        for sc in scat:
            t_min, t_max = sc.window
            f, T, p_in, p_e, p_out, vtx = _scatter(prod, ch.llp_index, params, sc.density, t_min, t_max, rng, sc.key)
            w = prod["w_rate"] * f
            keep = w > 0
            if not np.isfinite(w).all():
                raise KinematicsError(f"{ch.name}: non-finite weights")
            per = np.bincount(prod["draw"][keep], weights=w[keep], minlength=n)
            info = getattr(ch, "info", {})
            mc_err = float(math.sqrt(n * per.var(ddof=1))) if n > 1 else 0.0
            # a source sampled with its own error (the shower A' yield, shower to shower): in quadrature
            src_rel = float(info.get("shower_yield_rel_error", 0.0))
            src_err = float(w.sum()) * src_rel if math.isfinite(src_rel) else 0.0
            summary.append({"channel": ch.name, "target": sc.label, "br": float(ch.br),
                            "chi_toward_detector": 2.0 * float(prod["w_rate"].sum()),
                            "events": float(w.sum()), "events_err": math.hypot(mc_err, src_err),
                            "events_mc_err": mc_err, "n": int(keep.sum()), **info})
            if not keep.any():
                continue
            cid = len(cases)
            ref = ("1903.10505 eq. 3.1" if sc.key == "e" else
                   "spin-1/2 tensor with Sachs form factors, docs/dark_matter.md" if sc.key in ("p", "n") else
                   "coherent on the spin-0 nucleus, Z^2 F_ch^2, docs/dark_matter.md")
            cases.append(ScatterCase(name=f"{ch.name}; {lab} {sc.label} -> {lab} {sc.label}", process="dm-scattering",
                                     projectile=code, target=sc.pdg, scattered=code, recoil=sc.pdg, m_projectile=m_chi,
                                     m_target=sc.mass, m_scattered=m_chi, m_recoil=sc.mass, regime=sc.regime,
                                     description=f"chi {sc.label} elastic through a kinetically mixed A' ({ref}); chi "
                                                 f"from {ch.name} ({ch.source or 'source not given'})"))
            k = int(keep.sum())
            for key, val in (("case", np.full(k, cid)), ("w", w[keep]),
                             ("Q2", 2.0 * sc.mass * T[keep]), ("vertex", vtx[keep]), ("p_in", p_in[keep]),
                             ("p_out", p_out[keep]), ("p_rec", p_e[keep])):
                parts.setdefault(key, []).append(val)
    labels = ", ".join(sc.label for sc in scat)
    windows = {sc.label: [sc.window[0], sc.window[1]] for sc in scat}
    if not parts:
        raise KinematicsError(f"no chi {labels} events at {st.name}: the recoil window is closed for every chi "
                              f"(windows {windows} GeV)")
    cols = {k: np.concatenate(v) for k, v in parts.items()}
    dens = sum(sc.density for sc in scat)
    one = len(scat) == 1
    tot_ev = sum(s["events"] for s in summary)
    tot_chi = sum(s["chi_toward_detector"] for s in summary if s["target"] == scat[0].label)  # each source once
    for s in summary:  # each row's share of the events, its source's share of the chi toward the detector
        s["share"] = s["events"] / tot_ev if tot_ev > 0 else 0.0
        s["chi_share"] = s["chi_toward_detector"] / tot_chi if tot_chi > 0 else 0.0
    meta = {"process": PROCESS, "model": params.model_dump(exclude_none=True), "experiment": st.experiment,
            "setup": st.name, "offset_m": float(offset_m), "exposure_pot": st.pot, "seed": seed,
            "events_per_channel": n, "recoil_window_GeV": list(scat[0].window) if one else windows,
            "target": ",".join(targets), "target_density_cm3": scat[0].density if one else {sc.label: sc.density for sc in scat},
            "yield_Y": yield_variable(params), "placement": place.to_dict(),
            "resolution": {"stochastic": st.res_stoch, "constant": st.res_const, "angle_rad": st.res_angle},
            "summary": summary, "total_events": float(cols["w"].sum()), "caveats": notes,
            "bremsstrahlung": _brem_report(st, st.bremsstrahlung if bremsstrahlung is None else bool(bremsstrahlung)),
            # events / (targets x chi fluence), NuHepMC G.R.5; the fluence is sum(2 w_rate L) / V; several
            # kinds of target: per target particle of any of them
            "flux_averaged_xsec_cm2": float(cols["w"].sum()) / (dens * path_sum) if path_sum > 0 else 0.0}
    responses = [sc.response.to_dict() for sc in scat if sc.response is not None]
    if responses:
        meta["nucleus_response"] = responses
    return build_events(cols, cases, meta)


def rescale(events, *, epsilon: float):
    """Events at kinetic mixing ``epsilon`` (same masses and alpha_D): weights x (epsilon/epsilon_0)^4
    (module docstring, "Scaling")."""
    if events.meta.get("process") != PROCESS:
        raise ConfigurationError("rescale: not a dark-matter event set")
    eps0 = float(events.meta["model"].get("epsilon", 0.0))
    if not (eps0 > 0 and math.isfinite(epsilon) and epsilon >= 0):
        raise ConfigurationError(f"rescale needs epsilon >= 0 and events made with epsilon > 0 (got {epsilon}, {eps0})")
    f = (epsilon / eps0) ** 4
    model = {**events.meta["model"], "epsilon": epsilon}
    return events.with_weights(w=events.w * f).with_meta(
        model=model, total_events=float(events.meta["total_events"]) * f, yield_Y=events.meta["yield_Y"] * f ** 0.5,
        summary=None)


def reweight(events, new):
    """Dark-matter events at another kinetic mixing (``new``: a mapping of changes to ``meta["model"]``,
    or ModelParameters): exact, events ~ epsilon^4 at fixed masses and alpha_D (:func:`rescale`); any
    other change is refused (the chi flux and the recoil spectrum depend on the masses)."""
    old = dict(events.meta.get("model", {}))
    changes = new.model_dump(exclude_none=True) if hasattr(new, "model_dump") else dict(new)
    other = sorted(k for k, v in changes.items() if k != "epsilon" and old.get(k) != v)
    if other:
        raise ConfigurationError(f"dark-matter events reweight in epsilon only (masses and alpha_D fixed), "
                                 f"not {', '.join(other)}")
    if "epsilon" not in changes:
        return events
    try:
        eps = float(changes["epsilon"])
    except (TypeError, ValueError):
        raise ConfigurationError(f"epsilon = {changes['epsilon']!r} is not a number") from None
    return rescale(events, epsilon=eps)
