"""darkbeam's own (modelled, NOT published) selection of ALP decays in the DUNE near detector: detector
resolutions, per-channel cuts on the ALP's final state, their efficiency, and the NC pi0 -> gamma gamma
background after the same cuts (docs/alps.md, "A modelled selection").

**Reconstruction** (:class:`Resolution`; every default is an assumption recalled from memory for ND-GAr,
NOT verified against the ND CDR arXiv:2103.13910, see ``RESOLUTION_CAVEAT``).  A photon (or a pi0 of
pi+ pi- pi0, taken as one calorimetric object) is measured by the ECAL: energy smeared by a Gaussian of
sigma_E/E = a/sqrt(E) (+) b, direction by a Gaussian of sigma_theta = c/sqrt(E) (+) d in each of two
transverse directions (so that the polar angle to the true direction follows a Rayleigh law,
P(theta < x) = 1 - exp(-x^2 / 2 sigma^2)).  A charged track (e, mu, pi) is measured by the TPC:
|p| smeared by sigma_p/p (Gaussian), direction by ``track_angle`` (Gaussian, two transverse directions).
A particle is seen when its measured energy (photons) or momentum (tracks) is above the threshold.

**Cuts per channel** (:data:`CHANNEL_CUTS`; the channels' final states as the catalog writes them):

1. every daughter seen, the measured energy of the final state above ``min_energy_GeV``;
2. the two photons resolved as two showers: their true opening angle above ``min_opening_rad`` (two
   showers are told apart by the distance between their positions in the ECAL, ~ opening angle x the
   flight distance to it, which the position resolution barely blurs; gamma gamma only, tracks are always
   resolved in the gas);
3. the mass window: the invariant mass of the measured daughters within ``window_sigmas`` x sigma_m of the
   signal's reconstructed peak, where peak (the weighted median) and sigma_m (half the 16-84 % interval)
   are measured on the signal after cuts 1-2 at each m_a (a Gaussian reconstructed mass gives the
   efficiency erf(k / sqrt 2));
4. pointing: the angle between the measured momentum sum and the line from the target to the decay vertex
   below ``max_pointing_rad``.  ALPs come from the target 574 m upstream (the target's size and the
   vertex resolution enter at < 5e-3 rad); neutrino-induced pi0s follow their own production angles.
5. no extra activity: an ALP decay has none by construction; it is NOT applied to the background
   (the recoil nucleon of resonant NC pi0 is not generated), which overestimates the background.

**Background** (:func:`nc_pi0_background`): NC single-pi0 events in the detector's targets
(:mod:`darkbeam.physics.nc_pi0`: coherent Rein-Sehgal + Delta(1232)), energies drawn from the flux as in
:mod:`darkbeam.analysis.nc_pi0_background`, pi0 -> gamma gamma with the same reconstruction and cuts 1-4
of the gamma gamma channel at each mass window; events = POT x sum over draws of phi(E)/pdf(E) x n_nuclei x
sigma-weight x pass.  Only interactions in the fiducial gas; interactions in the ECAL, magnet and rock,
cosmics and pile-up are not modelled.  The e+e-, mu+mu- and pi+pi-pi0 channels have no darkbeam background
model: their background is left out (0 in the table, flagged) and is to be added from a generator sample
(:func:`darkbeam.analysis.backgrounds.background_counts`).  nu-e scattering makes one electron with a track
in the gas, not two photon showers (nor two tracks): not a background of these channels in this model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from darkbeam.errors import ConfigurationError

__all__ = [
    "CHANNEL_CUTS",
    "RESOLUTION_CAVEAT",
    "TWO_BODY",
    "ChannelCuts",
    "Resolution",
    "channel_cutflow",
    "nc_pi0_background",
    "reconstruct",
    "selection_table",
    "signal_cutflow",
    "smear_directions",
    "two_body_decay",
    "weighted_quantile",
]

RESOLUTION_CAVEAT = ("ND-GAr resolutions and thresholds of darkbeam's modelled ALP selection are recalled from "
                     "memory (ND CDR arXiv:2103.13910: HPgTPC sigma_p/p ~ 1 %, track angles ~ 5 mrad; ECAL "
                     "sigma_E/E ~ 6 %/sqrt(E) (+) 2 %, shower direction ~ 0.05 rad/sqrt(E/GeV) (+) 0.01 rad), NOT "
                     "verified; the cut values are darkbeam's choices, not a published analysis")

_PHOTONLIKE = {22, 111}
_TRACK = {11, 13, 211, 321, 2212}


@dataclass(frozen=True)
class Resolution:
    """Detector response (module docstring); energies and momenta in GeV, angles in rad.  Defaults: ND-GAr
    from memory (``RESOLUTION_CAVEAT``)."""

    photon_stochastic: float = 0.06     # a of sigma_E/E = a/sqrt(E) (+) b
    photon_constant: float = 0.02       # b
    photon_angle_stochastic: float = 0.05   # c of sigma_theta = c/sqrt(E) (+) d  (rad GeV^1/2)
    photon_angle_constant: float = 0.01     # d (rad)
    track_momentum: float = 0.01        # sigma_p/p
    track_angle: float = 0.005          # rad
    photon_threshold: float = 0.05      # measured photon energy (GeV)
    track_threshold: float = 0.05       # measured track momentum (GeV)

    def __post_init__(self):
        if any(not (getattr(self, k) >= 0 and math.isfinite(getattr(self, k))) for k in self.__dataclass_fields__):
            raise ConfigurationError(f"resolution {self}: every value must be finite and >= 0")

    def photon_energy_sigma(self, E):
        E = np.maximum(np.asarray(E, dtype=float), 1e-12)
        return E * np.hypot(self.photon_stochastic / np.sqrt(E), self.photon_constant)

    def photon_angle_sigma(self, E):
        E = np.maximum(np.asarray(E, dtype=float), 1e-12)
        return np.hypot(self.photon_angle_stochastic / np.sqrt(E), self.photon_angle_constant)


@dataclass(frozen=True)
class ChannelCuts:
    """Cuts of one channel (module docstring): opening angle of two photons (rad), the mass window's
    half-width in units of the signal's sigma_m, the pointing angle (rad), the measured energy of the
    final state (GeV)."""

    min_opening_rad: float = 0.0
    window_sigmas: float = 2.0
    max_pointing_rad: float = 0.05
    min_energy_GeV: float = 0.0


#: darkbeam's choices per final state (module docstring): showers need ~10 cm apart in the ECAL 1-2 m from
#: the vertex (0.05 rad, an assumption); pointing 0.05 rad for showers (a few sigma of the pair direction of
#: GeV photons), 0.02 rad for tracks; final-state energy above 3 GeV for gamma gamma (ALPs from the target
#: carry ~10 GeV, 99 % of the decays in ND-GAr are above 3 GeV at 0.1-0.3 GeV; NC pi0s ~1 GeV: 13 % of those
#: that point are above 3 GeV), 1 GeV for the others
CHANNEL_CUTS = {
    "gamma gamma": ChannelCuts(min_opening_rad=0.05, window_sigmas=2.0, max_pointing_rad=0.05, min_energy_GeV=3.0),
    "e+ e-": ChannelCuts(window_sigmas=2.0, max_pointing_rad=0.02, min_energy_GeV=1.0),
    "mu+ mu-": ChannelCuts(window_sigmas=2.0, max_pointing_rad=0.02, min_energy_GeV=1.0),
    "pi+ pi- pi0": ChannelCuts(window_sigmas=2.0, max_pointing_rad=0.05, min_energy_GeV=1.0),
}


def _key(codes_row) -> str:
    from darkbeam.analysis.meson_limits import final_state_key

    return " ".join(final_state_key([int(c) for c in codes_row if c != 0]))


def smear_directions(u, sigma, rng) -> np.ndarray:
    """Unit vectors ``u`` (n, 3) turned by Gaussian angles of ``sigma`` (rad; scalar or (n,)) in each of two
    transverse directions (small-angle: the polar angle is Rayleigh-distributed)."""
    u = np.asarray(u, dtype=float)
    u = u / np.maximum(np.linalg.norm(u, axis=-1, keepdims=True), 1e-300)
    a = np.where(np.abs(u[..., 2:3]) < 0.9, np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    e1 = np.cross(u, a)
    e1 /= np.maximum(np.linalg.norm(e1, axis=-1, keepdims=True), 1e-300)
    e2 = np.cross(u, e1)
    s = np.broadcast_to(np.asarray(sigma, dtype=float), u.shape[:-1])[..., None]
    g = rng.normal(0.0, 1.0, u.shape[:-1] + (2,)) * s
    v = u + g[..., :1] * e1 + g[..., 1:] * e2
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def reconstruct(codes, p4, res: Resolution, rng):
    """Measured four-momenta (n, k, 4) and seen flags (n, k) of final-state particles ``codes`` (n, k; 0 =
    none) with true four-momenta ``p4`` (n, k, 4) (module docstring).  Photon-like objects (gamma, pi0) keep
    their true mass, tracks their mass."""
    codes = np.asarray(codes)
    p4 = np.asarray(p4, dtype=float)
    a = np.abs(codes)
    photon = np.isin(a, list(_PHOTONLIKE))
    track = np.isin(a, list(_TRACK))
    E, p3 = p4[..., 0], p4[..., 1:]
    p = np.linalg.norm(p3, axis=-1)
    m2 = np.maximum(E * E - p * p, 0.0)
    sigma_dir = np.where(photon, res.photon_angle_sigma(E), res.track_angle)
    d = smear_directions(np.where(p[..., None] > 0, p3, np.array([0.0, 0.0, 1.0])), sigma_dir, rng)
    z = rng.normal(0.0, 1.0, codes.shape)
    E_ph = np.maximum(E + z * res.photon_energy_sigma(E), 0.0)          # calorimetric energy
    p_tr = np.maximum(p * (1.0 + z * res.track_momentum), 0.0)         # curvature
    p_ph = np.sqrt(np.maximum(E_ph**2 - m2, 0.0))
    pm = np.where(photon, p_ph, p_tr)
    Em = np.where(photon, E_ph, np.sqrt(p_tr**2 + m2))
    out = np.concatenate([Em[..., None], pm[..., None] * d], axis=-1)
    seen = (photon & (E_ph > res.photon_threshold)) | (track & (p_tr > res.track_threshold))
    out[~(photon | track)] = 0.0
    return out, seen & (codes != 0)


def weighted_quantile(x, w, q) -> np.ndarray:
    """Quantiles ``q`` of ``x`` with weights ``w`` (the inverse of the weighted CDF at mid-points)."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    keep = w > 0
    if not keep.any():
        return np.full(np.shape(q), np.nan)
    o = np.argsort(x[keep])
    xs, ws = x[keep][o], w[keep][o]
    c = (np.cumsum(ws) - 0.5 * ws) / ws.sum()
    return np.interp(q, c, xs)


def _opening(a, b):
    na, nb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)
    c = np.sum(a * b, axis=-1) / np.maximum(na * nb, 1e-300)
    return np.arccos(np.clip(c, -1.0, 1.0))


def _pre_window(codes, p4, direction, res, cuts, rng):
    """(seen-and-resolved flags, m_reco, pointing angle) before the mass window (cuts 1, 2)."""
    rec, seen = reconstruct(codes, p4, res, rng)
    real = np.asarray(codes) != 0
    ok = np.all(seen | ~real, axis=1)
    photon = np.isin(np.abs(codes), [22]) & real
    if cuts.min_opening_rad > 0:
        two = photon.sum(axis=1) == 2
        idx = np.argsort(~photon, axis=1, kind="stable")[:, :2]
        r = np.arange(len(ok))
        p4 = np.asarray(p4, dtype=float)
        op = _opening(p4[r, idx[:, 0], 1:], p4[r, idx[:, 1], 1:])   # separation of the showers' positions
        ok &= ~two | (op > cuts.min_opening_rad)
    tot = np.where(real[..., None], rec, 0.0).sum(axis=1)
    ok &= tot[:, 0] > cuts.min_energy_GeV
    m = np.sqrt(np.maximum(tot[:, 0] ** 2 - np.sum(tot[:, 1:] ** 2, axis=1), 0.0))
    point = _opening(tot[:, 1:], np.asarray(direction, dtype=float))
    return ok, m, point


def channel_cutflow(codes, p4, direction, weights, cuts: ChannelCuts, res: Resolution, rng, *, window=None) -> dict:
    """Weighted cut flow of one channel's events (module docstring): ``codes`` (n, k), true ``p4`` (n, k, 4),
    ``direction`` (n, 3) the line from the target to the decay vertex, ``weights`` (n,).  ``window``:
    (centre, sigma_m) of the mass window; default: measured on these events after cuts 1-2.  Returns the
    cumulative efficiencies after each cut, the window, and the per-event pass flags."""
    w = np.asarray(weights, dtype=float)
    tot = w.sum()
    if not tot > 0:
        raise ConfigurationError("channel_cutflow: no event with a positive weight")
    ok, m, point = _pre_window(codes, p4, direction, res, cuts, rng)
    seen_all = ok
    if window is None:
        q16, q50, q84 = weighted_quantile(m, w * seen_all, [0.16, 0.5, 0.84])
        window = (float(q50), float(0.5 * (q84 - q16)))
    centre, sig = window
    in_win = seen_all & (np.abs(m - centre) < cuts.window_sigmas * sig) if math.isfinite(sig) else np.zeros_like(ok)
    passed = in_win & (point < cuts.max_pointing_rad)
    return {"seen_and_resolved": float(w[seen_all].sum() / tot), "mass_window": float(w[in_win].sum() / tot),
            "pointing": float(w[passed].sum() / tot), "efficiency": float(w[passed].sum() / tot),
            "window_centre_GeV": centre, "mass_resolution_GeV": sig, "pass": passed, "m_reco": m, "pointing_rad": point}


#: two-body channels whose cut flow can be made from any ALP sample by decaying its ALPs again (spin 0:
#: isotropic in the rest frame): (PDG codes, masses in GeV)
TWO_BODY = {"e+ e-": ((11, -11), 0.00051099895), "mu+ mu-": ((13, -13), 0.1056583755)}


def two_body_decay(p_parent, m_daughter: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Daughters (n, 4) each of a spin-0 parent (n, 4) decaying to two particles of mass ``m_daughter``:
    isotropic in the rest frame, boosted (the opening angle then follows the closed form of the tests)."""
    p_parent = np.asarray(p_parent, dtype=float)
    M = np.sqrt(np.maximum(p_parent[:, 0] ** 2 - np.sum(p_parent[:, 1:] ** 2, axis=1), 0.0))
    n = M.size
    q = np.sqrt(np.maximum(0.25 * M * M - m_daughter**2, 0.0))
    cos, phi = rng.uniform(-1.0, 1.0, n), rng.uniform(0.0, 2.0 * math.pi, n)
    sin = np.sqrt(1.0 - cos * cos)
    k = q[:, None] * np.stack([sin * np.cos(phi), sin * np.sin(phi), cos], axis=1)
    e = np.sqrt(q * q + m_daughter**2)
    beta = p_parent[:, 1:] / p_parent[:, :1]
    b2 = np.sum(beta * beta, axis=1)
    g = 1.0 / np.sqrt(1.0 - b2)
    out = []
    for sign in (1.0, -1.0):
        bk = np.sum(beta * sign * k, axis=1)
        coef = np.where(b2 > 0, (g - 1.0) * bk / np.maximum(b2, 1e-300), 0.0) + g * e
        out.append(np.concatenate([(g * (e + bk))[:, None], sign * k + coef[:, None] * beta], axis=1))
    return out[0], out[1]


def signal_cutflow(events, res: Resolution | None = None, cuts=None, seed: int = 11, two_body=()) -> dict:
    """Per-channel cut flow of ALP events (an EventSet of ``darkbeam.simulate_alps``), weighted by the
    events' weights (decays in the volume): {final state: channel_cutflow dict without the per-event arrays,
    plus 'events' (the weight before cuts)}.  Channels without cuts in ``cuts`` (default
    :data:`CHANNEL_CUTS`) are reported with efficiency None.  ``two_body``: keys of :data:`TWO_BODY` whose
    cut flow is made from ALL the sample's ALPs decayed again to that final state (their weights kept: in the
    long-lifetime regime the decays in the volume do not depend on the channel), e.g. the lepton channels
    from a photon-only sample."""
    res = res or Resolution()
    cuts = CHANNEL_CUTS if cuts is None else cuts
    rng = np.random.default_rng(seed)
    roles = [f"d{k}" for k in range(1, 5)]
    codes = np.stack([events.pdg(r) for r in roles], axis=1)
    p4 = np.stack([events.p4(r) for r in roles], axis=1)
    direction = events.vertex("decay")[:, :3] - events.vertex("interaction")[:, :3]
    w = events.weight()
    ch = np.asarray(events["channel"])
    out = {}
    for ic, info in enumerate(events.channels):
        key = _key(info.daughters)
        sel = (ch == ic) & (w > 0)
        if not sel.any():
            continue
        entry = {"events": float(w[sel].sum())}
        if key in cuts:
            cf = channel_cutflow(codes[sel], p4[sel], direction[sel], w[sel], cuts[key], res, rng)
            entry.update({k: v for k, v in cf.items() if k not in ("pass", "m_reco", "pointing_rad")})
        else:
            entry["efficiency"] = None
        out[key] = entry
    alp = events.p4("hnl")
    for key in two_body:
        codes_l, ml = TWO_BODY[key]
        sel = w > 0
        M = np.sqrt(np.maximum(alp[:, 0] ** 2 - np.sum(alp[:, 1:] ** 2, axis=1), 0.0))
        if not sel.any() or not np.median(M) > 2.0 * ml:
            continue
        l1, l2 = two_body_decay(alp[sel], ml, rng)
        cf = channel_cutflow(np.tile(codes_l, (int(sel.sum()), 1)), np.stack([l1, l2], axis=1), direction[sel],
                             w[sel], cuts[key], res, rng)
        out[key] = {"events": None, **{k: v for k, v in cf.items() if k not in ("pass", "m_reco", "pointing_rad")}}
    return out


def nc_pi0_background(flux, targets, *, pot: float, windows, res: Resolution | None = None,
                      cuts: ChannelCuts | None = None, e_max: float = 30.0, n: int = 60_000, seed: int = 21) -> dict:
    """NC pi0 -> gamma gamma events passing the gamma gamma cuts (module docstring) for each mass window
    ``windows`` [(centre, sigma_m), ...]: {'events': [...], 'mc_error': [...], 'before_window': events seen
    and resolved, 'produced': all NC pi0 events}.  ``targets``: (nucleus, nuclei) pairs; ``flux``: a Flux
    (nu/cm^2/GeV/POT) with ``flavours``; the draws are shared among (flavour, nucleus) by their rates.  Linear
    in ``pot`` by construction."""
    from darkbeam.analysis.nc_pi0_background import _draw_energies
    from darkbeam.physics.nc_pi0 import E_THRESHOLD, pi0_to_photons, sample_pi0

    res = res or Resolution()
    cuts = cuts or CHANNEL_CUTS["gamma gamma"]
    if not pot > 0:
        raise ConfigurationError(f"pot must be positive, got {pot}")
    rng = np.random.default_rng(seed)
    lo, hi = E_THRESHOLD * 1.001, float(e_max)
    targets = list(targets)
    combos = [(f, name, count) for f in flux.flavours for name, count in targets]
    # draws shared among (flavour, nucleus) by their NC pi0 rates (a pilot of 1000 draws each; at least 2 %
    # of n each): the pilot only allocates, the estimate uses fresh draws
    pilot = []
    for f, name, count in combos:
        E, wE = _draw_energies(flux, f, lo, hi, 1000, rng)
        pilot.append(float(np.sum(wE * sample_pi0(E, rng, name, f)[1])) * float(count))
    share = np.asarray(pilot) / max(sum(pilot), 1e-300)
    share = np.maximum(share, 0.02) / np.maximum(share, 0.02).sum()
    W, M, P, OK = [], [], [], []
    for (f, name, count), sh in zip(combos, share):
        if not sh * n >= 1:
            continue
        E, wE = _draw_energies(flux, f, lo, hi, max(1, int(sh * n)), rng)
        p, w, _ = sample_pi0(E, rng, name, f)
        g1, g2 = pi0_to_photons(p, rng)
        codes = np.full((E.size, 2), 22)
        ok, m, point = _pre_window(codes, np.stack([g1, g2], axis=1), np.tile([0.0, 0.0, 1.0], (E.size, 1)),
                                   res, cuts, rng)
        W.append(wE * w * float(count) * float(pot))
        M.append(m)
        P.append(point)
        OK.append(ok)
    W, M, P, OK = map(np.concatenate, (W, M, P, OK))
    base = OK & (P < cuts.max_pointing_rad)
    ev, err = [], []
    for centre, sig in windows:
        s = base & (np.abs(M - centre) < cuts.window_sigmas * sig) if math.isfinite(sig) else np.zeros_like(base)
        ev.append(float(W[s].sum()))
        err.append(float(math.sqrt(np.sum(W[s] ** 2))))
    return {"events": ev, "mc_error": err, "produced": float(W.sum()), "seen_and_resolved": float(W[OK].sum()),
            "pointing": float(W[base].sum()), "draws": int(W.size)}


def selection_table(masses, *, experiment: str = "dune_ndgar_fhc", pot: float = 7.7e21, n: int = 3000,
                    n_background: int = 60_000, seed: int = 1, res: Resolution | None = None,
                    couplings=None, background: bool = True, two_body=tuple(TWO_BODY)) -> dict:
    """The modelled selection on a mass grid: per channel, efficiency (weighted by decays in the volume, at
    the per-mass reference g_agg of ``darkbeam limit``, i.e. the long-lifetime regime), the mass window, and
    the NC pi0 background of gamma gamma.  ``couplings``: extra ALP couplings (e.g. {'g_aee': ...}) to open
    lepton channels.  The numbers written into the searches entry dune_ndgar_alp_selected
    (benchmarks/alp_selection_table.py)."""
    from darkbeam.analysis.meson_limits import _alp_reference, _placement_center
    from darkbeam.analysis.nc_pi0_background import experiment_targets
    from darkbeam.api import simulate_alps
    from darkbeam.detectors import load_experiment
    from darkbeam.processes.cases import experiment_flux

    res = res or Resolution()
    exp = load_experiment(experiment)
    base_cm = float(np.linalg.norm(_placement_center(exp, "lbnf")))
    out = {"masses_GeV": [float(m) for m in masses], "channels": {}, "experiment": experiment, "pot": pot}
    windows = []
    for i, m in enumerate(masses):
        g = _alp_reference(float(m), base_cm, dict(couplings or {}))
        run = simulate_alps({"ma": float(m), "g_agg": g, **dict(couplings or {})}, experiment, n=n, seed=seed + i,
                            pot=pot)
        cf = signal_cutflow(run.events, res, seed=seed + 100 + i, two_body=two_body)
        for key, row in cf.items():
            t = out["channels"].setdefault(key, {k: [None] * len(masses) for k in
                                                 ("efficiency", "seen_and_resolved", "mass_window",
                                                  "window_centre_GeV", "mass_resolution_GeV")})
            for k in t:
                t[k][i] = row.get(k)
        gg = cf.get("gamma gamma")
        windows.append((gg["window_centre_GeV"], gg["mass_resolution_GeV"]) if gg else (math.nan, math.nan))
    if background and any(math.isfinite(w[1]) for w in windows):
        fl = experiment_flux(exp)
        bg = nc_pi0_background(fl, experiment_targets(exp), pot=pot, windows=windows, res=res, n=n_background,
                               seed=seed + 7)
        out["nc_pi0"] = bg
    return out
