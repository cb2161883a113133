"""Neutrino fluxes from the beam model: production -> horns -> decay in flight -> detector.

For each meson species (pi+-, K+-, K0_L) a quasi-random (scrambled Sobol) weighted sample of
production points is followed:

1. momentum and angle from the production model (darkbeam.sources.beam.production), weight =
   mesons per POT: d2n/dp dOmega x (1 - exp(-L_t/lambda_p)) x Jacobian / N (momentum log-uniform,
   angle importance-sampled in transverse momentum: production.sample_angle);
2. production depth in the target from the proton attenuation exp(-z/lambda_p); absorption of the
   meson on its way out of the target, exp(-l/lambda_meson) (darkbeam.sources.beam.materials);
3. horn focusing (darkbeam.sources.beam.focusing; numba-compiled stepping for large batches);
4. decay point from the exponential decay law, up to the end of the decay region or the radius
   where the final straight track leaves it (collimators stop tracks), lambda = (p/m) c tau, in two
   strata per meson: inside the horn system (weight P_in = 1 - exp(-s_h/lambda), s_h the path to
   the end of the last horn), where the track is followed through the field to the decay point and
   decays with the position, direction, momentum and wall survival it has there; and after the
   horns (weight P_out = exp(-s_h/lambda) - exp(-s_max/lambda)) on the final straight track;
5. each decay channel (2-body: pi -> mu nu, pi -> e nu, K -> mu nu; 3-body: K_e3, K_mu3, with the
   exact rest-frame spectra of darkbeam.sources.spectra) sends its neutrino toward a point
   detector: for rest-frame energy E* and angle alpha between the parent and the direction to the
   detector, E = E*/(gamma (1 - beta cos alpha)) and the flux per decay is
   BR / (4 pi d^2) x 1/(gamma^2 (1 - beta cos alpha)^2)
   (isotropic emission in the rest frame; the Jacobian dOmega*/dOmega of a massless particle);
6. muons from pi/K -> mu nu are followed (rest-frame direction sampled isotropically) to their
   decay in flight inside the decay region; nu_e and nu_mu_bar (mu+) are sent to the detector in
   the same way with Michel rest-frame spectra (unpolarised muons: the muon polarisation from
   pi decay, which changes the nu_e spectrum by O(10 %), is not modelled).

Steps 1-4 are :func:`meson_decays`, shared with the parent mesons of darkbeam.sources.parents.
The neutrino energies are histogrammed into the configuration's energy bins: the result is a
:class:`~darkbeam.sources.flux.Flux` in nu/cm^2/GeV/POT with a provenance string.  Results are
cached per (configuration, detector, statistics).

Not included: re-interactions of secondaries in the horns and the shielding (those in the target
are: darkbeam.sources.beam.target), secondary pions from K -> pi pi (pi), K0_S, hyperons, charm
(nu_tau), muons from K_mu3, pion and muon decays at rest (target pile, absorber) and the finite beam
spot.  The detector is a point, or (``detector_volume``) a box or sphere over which the flux is
averaged, one detector point per decay.  Accuracy against the official fluxes: docs/beam_model.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.sources import spectra as S
from darkbeam.sources.beam.configs import BeamConfig, beam_config
from darkbeam.sources.beam.focusing import trace
from darkbeam.sources.beam.materials import material
from darkbeam.sources.beam.production import MASS
from darkbeam.sources.beam.target import target_mesons
from darkbeam.sources.flux import Flux
from darkbeam.units import C_LIGHT_CM_PER_NS

NEUTRINO_PARENTS = ("pi+", "pi-", "K+", "K-", "K0_L")
_CHARGE = {"pi+": 1, "pi-": -1, "K+": 1, "K-": -1, "K0_L": 0}
#: decay points per meson inside the horn system (stratified in the decay-length CDF)
IN_HORN_DECAYS = 1
_CONJ_NU = {"nu_e": "nu_e_bar", "nu_mu": "nu_mu_bar", "nu_e_bar": "nu_e", "nu_mu_bar": "nu_mu"}


@dataclass(frozen=True)
class Channel:
    """A neutrino-producing decay: flavour, branching ratio, rest-frame energy (2-body) or
    spectrum key (3-body), and the rest-frame muon momentum if the muon is followed."""

    flavour: str
    br: float
    e_star: float | None = None
    spectrum: str | None = None
    muon_p_star: float | None = None


def _channels(meson: str) -> tuple[Channel, ...]:
    """Neutrino channels of a positive (or neutral) meson; negatives are charge conjugated."""
    if meson in ("pi+", "pi-"):
        ch = (Channel("nu_mu", S.BR_PI_MUNU, e_star=S.E_PI_MUNU, muon_p_star=S.E_PI_MUNU),
              Channel("nu_e", S.BR_PI_ENU, e_star=S.E_PI_ENU))
    elif meson in ("K+", "K-"):
        ch = (Channel("nu_mu", S.BR_K["mu nu"], e_star=S.E_K_MUNU, muon_p_star=S.E_K_MUNU),
              Channel("nu_e", S.BR_K["pi0 e nu"], spectrum="K+e3"),
              Channel("nu_mu", S.BR_K["pi0 mu nu"], spectrum="K+mu3"))
    elif meson == "K0_L":
        half_e, half_mu = 0.5 * S.BR_K0L["pi e nu"], 0.5 * S.BR_K0L["pi mu nu"]
        return (Channel("nu_e", half_e, spectrum="K0Le3"), Channel("nu_e_bar", half_e, spectrum="K0Le3"),
                Channel("nu_mu", half_mu, spectrum="K0Lmu3"), Channel("nu_mu_bar", half_mu, spectrum="K0Lmu3"))
    else:
        raise ConfigurationError(f"no neutrino decay channels for '{meson}'")
    if _CHARGE[meson] < 0:
        ch = tuple(Channel(_CONJ_NU[c.flavour], c.br, c.e_star, c.spectrum, c.muon_p_star) for c in ch)
    return ch


def _forced(pos, direction, gamma, beta, e_star, detector):
    """Energy and flux factor (per cm^2) of a massless daughter emitted isotropically in the parent
    rest frame, toward a point detector: E = E*/(gamma(1 - beta cos a)), J/(4 pi d^2).  ``detector``:
    one point (3,) or one point per decay (N, 3)."""
    d = np.asarray(detector) - pos
    dist = np.sqrt(np.einsum("ij,ij->i", d, d))
    cos_a = np.einsum("ij,ij->i", d, direction) / dist
    f = gamma * (1.0 - beta * cos_a)
    return e_star / f, 1.0 / (f * f) / (4.0 * math.pi * dist * dist)


VOLUME_KINDS = ("box", "sphere")


def _check_volume(volume) -> tuple | None:
    """Validate a detector averaging volume: None, ("box", w, h, l) or ("sphere", r), sizes in m."""
    if volume is None or volume == () or volume == 0:
        return None
    v = tuple(volume)
    kind = str(v[0]).lower() if v else ""
    sizes = v[1:]
    ok = (kind == "box" and len(sizes) == 3) or (kind == "sphere" and len(sizes) == 1)
    if not ok or not all(isinstance(x, (int, float)) and math.isfinite(x) and x >= 0 for x in sizes):
        raise ConfigurationError(f"detector volume must be ('box', width, height, length) or ('sphere', radius) "
                                 f"in m, got {volume!r}")
    if max(sizes) == 0:
        return None
    return (kind,) + tuple(float(x) for x in sizes)


def _detector_points(centre: np.ndarray, volume: tuple | None, u: np.ndarray) -> np.ndarray:
    """Detector points (cm), one per decay: the centre, or uniform in ``volume`` from the uniform
    numbers ``u`` (N x 3, dimensions of the meson's own Sobol point; axes x horizontal, y vertical, z
    along the beam), so that the flux estimate is the average over the detector volume (what the
    experiments' flux files give)."""
    if volume is None or len(u) == 0:
        return centre
    if volume[0] == "box":
        off = (u - 0.5) * np.array(volume[1:]) * 100.0
    else:  # uniform in a ball: radius R u^(1/3), isotropic direction
        r = volume[1] * 100.0 * np.cbrt(u[:, 0])
        cos_t = 2.0 * u[:, 1] - 1.0
        sin_t = np.sqrt(np.clip(1.0 - cos_t * cos_t, 0.0, None))
        phi = 2.0 * math.pi * u[:, 2]
        off = np.stack((r * sin_t * np.cos(phi), r * sin_t * np.sin(phi), r * cos_t), axis=1)
    return centre[None, :] + off


def _exit_distance(pos, direction, z_end, radius):
    """Path length from ``pos`` along unit ``direction`` to z = z_end or to the cylinder r = radius."""
    dz = direction[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        s_z = np.where(dz > 0, (z_end - pos[:, 2]) / dz, 0.0)
    a = direction[:, 0] ** 2 + direction[:, 1] ** 2
    b = 2.0 * (pos[:, 0] * direction[:, 0] + pos[:, 1] * direction[:, 1])
    c = pos[:, 0] ** 2 + pos[:, 1] ** 2 - radius * radius
    disc = b * b - 4.0 * a * c
    with np.errstate(divide="ignore", invalid="ignore"):
        s_r = np.where(a > 0, (-b + np.sqrt(np.maximum(disc, 0.0))) / (2.0 * a), np.inf)
    s_r = np.where(c > 0, 0.0, s_r)  # already outside
    return np.clip(np.minimum(s_z, s_r), 0.0, None)


def _basis(n):
    """Two unit vectors orthogonal to each unit vector in n (rows)."""
    helper = np.where(np.abs(n[:, 2:3]) < 0.9, np.array([[0.0, 0.0, 1.0]]), np.array([[1.0, 0.0, 0.0]]))
    e1 = np.cross(n, helper)
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    e2 = np.cross(n, e1)
    return e1, e2


@dataclass(frozen=True)
class BeamFlux:
    """The beam-model flux and its parts by parent (pi+, pi-, K+, K-, K0_L, mu+, mu-)."""

    flux: Flux
    by_parent: dict

    def __getattr__(self, item):  # convenience: behave like the Flux
        return getattr(self.flux, item)


@dataclass(frozen=True)
class MesonDecays:
    """Decays in flight of one meson species in the decay region of a beam line (steps 1-4 of the module
    docstring): the one sample that both the neutrino fluxes and the parent mesons of the meson-decay wing
    (darkbeam.sources.parents) are made from.

    position (N, 3) cm and unit direction (N, 3) at the decay point (beam frame: z along the protons, x
    horizontal, y up); gamma, beta of the meson there; weight: decays per POT (absorption in the target
    and the horn walls and the decay probability included; weight.sum() = decays per POT in the decay
    region); time: ns after the protons reach the target's upstream face (protons at the speed of light
    to the production depth, then the path length at the meson's speed at the decay point); u: the
    unused uniform numbers of each meson's Sobol point (columns 0: azimuth, 1: decay point, 2-10 free
    for the caller).  ``exits``: the mesons that leave the decay region undecayed (into the absorber at
    its end or the walls and shielding around it), :class:`RegionExits`.
    """

    meson: str
    position: np.ndarray
    direction: np.ndarray
    gamma: np.ndarray
    beta: np.ndarray
    weight: np.ndarray
    time: np.ndarray
    u: np.ndarray
    exits: "RegionExits"

    @property
    def momentum(self) -> np.ndarray:
        """|p| (GeV) at the decay point."""
        return MASS[self.meson] * self.gamma * self.beta


@dataclass(frozen=True)
class RegionExits:
    """Mesons that reach the end of the decay region (``at_end``: the absorber) or its wall undecayed:
    position (N, 3) cm and direction where they leave it, momentum (GeV), weight per POT, time (ns)."""

    position: np.ndarray
    direction: np.ndarray
    p: np.ndarray
    weight: np.ndarray
    time: np.ndarray
    at_end: np.ndarray


def meson_decays(cfg: BeamConfig, meson: str, polarity: int = 1, n: int = 2**17, seed: int = 12345,
                 tertiary: bool | None = None, extra_dims: int = 8) -> MesonDecays:
    """Decays in flight of ``meson`` (pi+-, K+-, K0_L) in the decay region of ``cfg``: production in the
    target, horn focusing and the exponential decay law in two strata (module docstring, steps 1-4).
    ``n`` Sobol points (plus as many re-interaction points), ``extra_dims`` >= 8 spare uniforms per point."""
    cfg = beam_config(cfg)
    if meson not in NEUTRINO_PARENTS:
        raise ConfigurationError(f"unknown neutrino parent '{meson}' (known: {', '.join(NEUTRINO_PARENTS)})")
    tertiary = cfg.tertiary if tertiary is None else bool(tertiary)
    # 1-2. production in the target (primary and re-interactions), absorption, ionisation loss
    ts = target_mesons(cfg, meson, n, seed=seed, tertiary=tertiary, extra_dims=max(int(extra_dims), 8))
    p, th, w, z0, u = ts.p, ts.theta, ts.weight, ts.z0, ts.u
    m = MASS[meson]
    n_all = len(p)

    # 3. horns
    wall_mat = material(cfg.horns[0].wall_material) if cfg.horns else None
    charge = np.full(n_all, _CHARGE[meson], dtype=np.float64)
    horn_kw = dict(polarity=polarity, absorption_cm=wall_mat.absorption_length_cm(meson) if wall_mat else None,
                   wall_dedx=wall_mat.dedx_GeV_per_cm if wall_mat else 0.0, mass=m)
    p_prod = p
    tr = trace(cfg.horns, z0, np.tan(th), p, charge, **horn_kw)
    slope, z_ref, r_ref = tr.slope, tr.z_ref, tr.r
    w = w * tr.survival
    p = tr.p

    # 4. decay region along the final straight line r(z) = r_ref + slope (z - z_ref), from z0
    dec = cfg.decay
    with np.errstate(divide="ignore", invalid="ignore"):
        z_exit = np.where(slope != 0.0, z_ref + (np.sign(slope) * dec.radius_cm - r_ref) / slope, np.inf)
    z_exit = np.where((slope == 0.0) & (np.abs(r_ref) >= dec.radius_cm), z0, z_exit)
    z_end = np.minimum(z_exit, dec.z_end_cm)
    for col in dec.collimators:
        z1, z2, r1 = col[:3]
        r2 = col[3] if len(col) > 3 else r1
        hit = (np.abs(r_ref + slope * (z1 - z_ref)) > r1) | (np.abs(r_ref + slope * (z2 - z_ref)) > r2)
        z_end = np.where(hit & (z0 < z1), np.minimum(z_end, z1), z_end)
    z_end = np.maximum(z_end, z0)
    sec = np.sqrt(1.0 + slope * slope)
    s_max = (z_end - z0) * sec
    e = np.sqrt(p * p + m * m)
    gamma, beta = e / m, p / e
    lam = p / m * S.CTAU_CM[meson]
    p_dec = -np.expm1(-s_max / lam)
    # Two strata per meson (no Bernoulli choice between them, so no extra variance): a decay inside the
    # horn system (z < end of the last horn), weight P_in, at the position, direction, momentum and
    # wall survival the meson has there (the track followed through the field up to the decay point);
    # and a decay after the horns, weight P_out = p_dec - P_in, on the final straight line.
    z_h = max(h.z_end_cm for h in cfg.horns) if cfg.horns else -np.inf
    s_h = np.clip((np.minimum(z_h, z_end) - z0) * sec, 0.0, s_max)
    p_in = -np.expm1(-s_h / lam)
    p_out = np.clip(p_dec - p_in, 0.0, None)
    s_out = s_h - lam * np.log1p(-u[:, 1] * -np.expm1(-(s_max - s_h) / lam))
    zd = z0 + s_out / sec
    rd = r_ref + slope * (zd - z_ref)
    beta_c = beta * C_LIGHT_CM_PER_NS
    t0 = (z0 - cfg.target.z_start_cm) / C_LIGHT_CM_PER_NS  # protons reach the production depth
    strata = [(rd, zd, slope, gamma, beta, w * p_out, u, t0 + s_out / beta_c)]
    r_exit = r_ref + slope * (z_end - z_ref)
    exits = RegionExits(position=np.stack((r_exit * np.cos(2.0 * math.pi * u[:, 0]), r_exit * np.sin(2.0 * math.pi * u[:, 0]),
                                           z_end), axis=1),
                        direction=np.stack((slope / sec * np.cos(2.0 * math.pi * u[:, 0]),
                                            slope / sec * np.sin(2.0 * math.pi * u[:, 0]), 1.0 / sec), axis=1),
                        p=p, weight=w * np.exp(-s_max / lam), time=t0 + s_max / beta_c,
                        at_end=z_end >= dec.z_end_cm)
    inside = np.nonzero((p_in > 0) & (w > 0))[0]
    # the direction changes along the path inside the horns: IN_HORN_DECAYS stratified decay points
    for k in range(IN_HORN_DECAYS if inside.size else 0):
        uk = (k + u[inside, 1]) / IN_HORN_DECAYS
        s_in = -lam[inside] * np.log1p(-uk * p_in[inside])
        z_in = z0[inside] + s_in / sec[inside]
        ti = trace(cfg.horns, z0[inside], np.tan(th[inside]), p_prod[inside], charge[inside], z_stop=z_in, **horn_kw)
        e_i = np.sqrt(ti.p**2 + m * m)
        w_in = w[inside] / np.maximum(tr.survival[inside], 1e-300) * ti.survival * p_in[inside] / IN_HORN_DECAYS
        uu = u[inside].copy()
        uu[:, 0] = (uu[:, 0] + k * 0.6180339887498949) % 1.0  # a different azimuth for each decay point
        strata.append((ti.r, z_in, ti.slope, e_i / m, ti.p / e_i, w_in, uu, t0[inside] + s_in / beta_c[inside]))
    rd, zd, d_slope, gamma, beta, w, u, t = (np.concatenate(x) for x in zip(*strata))
    phi = 2.0 * math.pi * u[:, 0]
    cphi, sphi = np.cos(phi), np.sin(phi)
    pos = np.stack((rd * cphi, rd * sphi, zd), axis=1)
    d_sec = np.sqrt(1.0 + d_slope * d_slope)
    st, ct = d_slope / d_sec, 1.0 / d_sec
    ndir = np.stack((st * cphi, st * sphi, np.full_like(st, ct)), axis=1)
    return MesonDecays(meson, pos, ndir, gamma, beta, w, t, u, exits)


def _meson_flux(cfg: BeamConfig, meson: str, detector: np.ndarray, polarity: int, n: int, seed: int,
                edges: np.ndarray, include_muons: bool, tertiary: bool,
                volume: tuple | None = None) -> dict[str, dict[str, np.ndarray]]:
    """Histogram contributions {parent: {flavour: sum of weights per bin}} of one meson species."""
    md = meson_decays(cfg, meson, polarity, n, seed, tertiary, extra_dims=11 if volume is not None else 8)
    pos, ndir, gamma, beta, w, u, dec = md.position, md.direction, md.gamma, md.beta, md.weight, md.u, cfg.decay
    # one detector point per decay when the flux is averaged over the detector volume
    # (columns 8-10 of the Sobol point; 0: azimuth, 1: decay point, 2: rest-frame energy, 3-7: muons)
    detector = _detector_points(detector, volume, u[:, 8:11] if volume is not None else u[:, :0])

    out: dict[str, dict[str, np.ndarray]] = {}
    nbins = len(edges) - 1

    def add(parent, flavour, energy, weight):
        h, _ = np.histogram(energy, bins=edges, weights=weight)
        d = out.setdefault(parent, {})
        d[flavour] = d.get(flavour, np.zeros(nbins)) + h

    live = w > 0
    for ch in _channels(meson):
        e_star = ch.e_star if ch.e_star is not None else S.sample_rest_energy(ch.spectrum, u[:, 2])
        e_nu, jac = _forced(pos, ndir, gamma, beta, e_star, detector)
        add(meson, ch.flavour, e_nu[live], (w * ch.br * jac)[live])
        if include_muons and ch.muon_p_star is not None:
            _muon_decays(out, add, meson, ch, pos, ndir, gamma, beta, w * ch.br, u, dec, detector)
    return out


def _muon_decays(out, add, meson, ch, pos, ndir, gamma, beta, w, u, dec, detector):
    """Follow the muons of a 2-body decay to their decay in flight and send nu_e/nu_mu to the detector."""
    mmu = C.M_MU
    ps = ch.muon_p_star
    es = math.sqrt(ps * ps + mmu * mmu)
    cos_s = 2.0 * u[:, 3] - 1.0
    sin_s = np.sqrt(np.clip(1.0 - cos_s * cos_s, 0.0, None))
    phis = 2.0 * math.pi * u[:, 4]
    e1, e2 = _basis(ndir)
    p_par = gamma * (ps * cos_s + beta * es)
    p_perp = ps * sin_s
    pvec = p_par[:, None] * ndir + p_perp[:, None] * (np.cos(phis)[:, None] * e1 + np.sin(phis)[:, None] * e2)
    pmu = np.linalg.norm(pvec, axis=1)
    mdir = pvec / pmu[:, None]
    emu = np.sqrt(pmu * pmu + mmu * mmu)
    g_mu, b_mu = emu / mmu, pmu / emu
    s_max = _exit_distance(pos, mdir, dec.z_end_cm, dec.radius_cm)
    lam = pmu / mmu * S.CTAU_CM["mu+"]
    p_dec = -np.expm1(-s_max / lam)
    s = -lam * np.log1p(-u[:, 5] * p_dec)
    ypos = pos + s[:, None] * mdir
    wm = w * p_dec
    live = wm > 0
    positive = ch.flavour == "nu_mu"  # mu+ accompanies nu_mu (pi+, K+)
    parent = "mu+" if positive else "mu-"
    pairs = (("nu_e", "mu:nu_e", 6), ("nu_mu_bar", "mu:nu_mu_bar", 7)) if positive else \
        (("nu_e_bar", "mu:nu_e_bar", 6), ("nu_mu", "mu:nu_mu", 7))
    for flavour, key, col in pairs:
        e_star = S.sample_rest_energy(key, u[:, col])
        e_nu, jac = _forced(ypos, mdir, g_mu, b_mu, e_star, detector)
        add(parent, flavour, e_nu[live], (wm * jac)[live])


def beam_flux(beam: str | BeamConfig, distance_m: float, off_axis_mrad: float = 0.0, *, polarity: str | int = "FHC",
              n: int = 2**17, seed: int = 12345, parents: Sequence[str] = NEUTRINO_PARENTS,
              include_muons: bool = True, tertiary: bool | None = None, edges=None,
              detector_volume: tuple | str | None = "auto") -> BeamFlux:
    """Beam-model neutrino flux (nu/cm^2/GeV/POT) at ``distance_m`` from the beam line's origin and
    ``off_axis_mrad`` off the beam axis (in the horizontal plane).

    ``polarity``: 'FHC' (forward horn current, neutrino mode), 'RHC' or +1/-1; ``n``: mesons per
    species (rounded up to a power of 2 for the Sobol sequence); ``seed``: scrambling seed (a seed
    gives the same flux); ``tertiary``: include mesons from re-interactions in the target
    (default: the configuration's setting).  ``detector_volume``: the flux is averaged over this
    volume around the detector position, ("box", width, height, length) in m (axes along the beam) or
    ("sphere", radius); 'auto' (default) takes the volume of the configuration's named detector at this
    position (BNB: MiniBooNE, MicroBooNE, SBND, over which their official files are averaged) and a
    point elsewhere; None: a point.  Returns a :class:`BeamFlux` (``.flux``, ``.by_parent``).
    """
    cfg = beam_config(beam)
    pol = _polarity(polarity)
    if not (math.isfinite(distance_m) and distance_m > 0):
        raise ConfigurationError(f"detector distance must be positive, got {distance_m} m")
    if not (math.isfinite(off_axis_mrad) and abs(off_axis_mrad) < 1500):
        raise ConfigurationError(f"off-axis angle must be in mrad and below 1500, got {off_axis_mrad}")
    n2 = 1 << max(int(math.ceil(math.log2(max(int(n), 16)))), 4)
    e_key = None if edges is None else tuple(float(x) for x in np.asarray(edges, dtype=np.float64))
    tert = cfg.tertiary if tertiary is None else bool(tertiary)
    if isinstance(detector_volume, str):
        if detector_volume.lower() != "auto":
            raise ConfigurationError(f"detector_volume must be 'auto', None or a volume tuple, got '{detector_volume}'")
        detector_volume = cfg.detector_volume(float(distance_m), float(off_axis_mrad))
    vol = _check_volume(detector_volume)
    return _beam_flux_cached(cfg, float(distance_m), float(off_axis_mrad), pol, n2, int(seed), tuple(parents),
                             bool(include_muons), tert, e_key, vol)


def _polarity(polarity) -> int:
    if isinstance(polarity, (int, np.integer)) and polarity in (1, -1):
        return int(polarity)
    key = str(polarity).upper()
    if key in ("FHC", "NU", "NEUTRINO", "+1", "1"):
        return 1
    if key in ("RHC", "NUBAR", "ANTINEUTRINO", "-1"):
        return -1
    raise ConfigurationError(f"unknown horn polarity '{polarity}' (FHC or RHC)")


@lru_cache(maxsize=32)
def _beam_flux_cached(cfg: BeamConfig, distance_m, off_axis_mrad, pol, n, seed, parents, include_muons, tertiary,
                      e_key, volume=None) -> BeamFlux:
    edges = cfg.edges() if e_key is None else np.asarray(e_key)
    th = off_axis_mrad * 1e-3
    det = np.array([distance_m * 100.0 * math.sin(th), 0.0, distance_m * 100.0 * math.cos(th)])
    totals: dict[str, dict[str, np.ndarray]] = {}
    for meson in parents:
        if meson not in NEUTRINO_PARENTS:
            raise ConfigurationError(f"unknown neutrino parent '{meson}' (known: {', '.join(NEUTRINO_PARENTS)})")
        part = _meson_flux(cfg, meson, det, pol, n, seed, edges, include_muons, tertiary, volume)
        for parent, cols in part.items():
            d = totals.setdefault(parent, {})
            for fl, h in cols.items():
                d[fl] = d.get(fl, 0.0) + h
    width = np.diff(edges)
    mode = "FHC" if pol > 0 else "RHC"
    prov = (f"darkbeam beam model '{cfg.name}' ({cfg.description}); production {cfg.production_model} on "
            f"{cfg.target.material}{' with re-interactions' if tertiary else ''}; approximate horn focusing, {mode}; "
            f"detector at {distance_m:g} m, "
            f"{off_axis_mrad:g} mrad off axis"
            f"{'' if volume is None else ', averaged over a ' + volume[0] + ' of ' + ' x '.join(f'{x:g}' for x in volume[1:]) + ' m'}; "
            f"{n} Sobol points per meson species, seed {seed}; "
            f"accuracy: docs/beam_model.md")
    meta = {"source": "beam-model", "beam": cfg.name, "distance_m": distance_m, "off_axis_mrad": off_axis_mrad,
            "mode": mode, "n": n, "seed": seed, "tertiary": tertiary,
            "detector_volume": None if volume is None else list(volume)}
    by_parent = {}
    total_cols: dict[str, np.ndarray] = {}
    for parent, cols in totals.items():
        dens = {fl: h / width for fl, h in cols.items()}
        by_parent[parent] = Flux.from_histogram(edges, dens, provenance=f"{prov}; parent {parent}",
                                                description=f"{cfg.name} from {parent}", meta=meta)
        for fl, v in dens.items():
            total_cols[fl] = total_cols.get(fl, 0.0) + v
    for fl in ("nu_e", "nu_mu", "nu_e_bar", "nu_mu_bar", "nu_tau", "nu_tau_bar"):
        total_cols.setdefault(fl, np.zeros(len(edges) - 1))
    flux = Flux.from_histogram(edges, total_cols, provenance=prov,
                               description=f"{cfg.name} beam model at {distance_m:g} m ({mode})", meta=meta)
    return BeamFlux(flux=flux, by_parent=by_parent)
