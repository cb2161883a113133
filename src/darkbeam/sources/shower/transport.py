"""Vectorized transport of electromagnetic showers in a slab target (docs/showers.md).

All particles alive in a batch of showers are stepped together: one iteration of the loop moves every
photon to its next interaction (or out of the target) and every e+- by one step, with numpy operations on
whole arrays; secondaries are appended to the arrays.  Per step:

* photons: free path from the total macroscopic cross section (Compton + pair), then Compton (Klein-
  Nishina, exact 2 -> 2 kinematics for the electron) or pair production (x = E+/k from Tsai's
  screened cross section; leptons along the photon, angles ~ m_e/k neglected);
* e+-: the step is the shortest of the free path to a discrete interaction (bremsstrahlung with
  k > cut; annihilation in flight for e+), the path on which continuous loss removes 25% of T, and
  the distance to the target's faces.  The energy at the end follows the range table (collision loss
  plus radiative loss below the cut, exact for any step length); multiple scattering deflects the
  direction by Highland's Gaussian (PDG eq. 34.16) at the end of the step, the position moves along the
  mean direction.  Bremsstrahlung photons go along the lepton (angles ~ m_e/E neglected).
* muons (mu-, mu+; primaries only: photons do not convert to muon pairs here) lose energy continuously
  by ionisation (physics/shower/muon.py: Bethe with the muon mass; radiative losses neglected) and
  scatter with Highland's width at their own momentum and velocity; they have no discrete interaction.
* A lepton reaching T <= cut stops (its kinetic energy is counted "below cut"; a positron annihilates
  at rest into two 511 keV photons, transported if above the cut, else counted below cut).  A photon
  with k <= cut is absorbed (below cut).

Energy ledger per shower (kinetic energies of leptons, energies of photons): T0 = deposited (continuous
loss) + below_cut + escaped + rest_mass, where rest_mass = 2 m_e (pairs - annihilations) is the energy
turned into (or back from) electron rest mass.  A test checks it to rounding.

Randomness: one numpy Generator per batch of BATCH showers, spawned from the seed's SeedSequence, so the
showers of every complete batch depend on the seed and their index only, not on how many are run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from darkbeam.constants import M_E, M_MU
from darkbeam.errors import ConfigurationError, ParameterError
from darkbeam.physics.shower.materials import ShowerMaterial
from darkbeam.sources.shower.tables import DarkTables, ShowerTables, sample_rows
from darkbeam.units import C_LIGHT_CM_PER_NS

SPECIES = {"gamma": 0, "e-": 1, "e+": 2, "mu-": 3, "mu+": 4}
#: rest mass per species code
MASSES = np.array([0.0, M_E, M_E, M_MU, M_MU])
#: columns of ShowerResult.track_segments: species code, shower index, kinetic energy at the start and
#: end (GeV), start and end points (cm), direction at the start, time at the start (ns)
SEGMENT_FIELDS = ("species", "shower", "T_start", "T_end", "start", "end", "direction", "t_start")
NAMES = ("gamma", "e-", "e+", "mu-", "mu+")
NSP = len(NAMES)
#: showers per random-number batch (fixed, so results do not depend on how many are run)
BATCH = 32
#: longitudinal profile bins (radiation lengths)
PROFILE_DX0 = 0.25
PROFILE_NBINS = 240
#: fraction of T that continuous loss may remove in one step
MAX_LOSS_FRACTION = 0.25


@dataclass
class ShowerResult:
    """Per-shower sums (arrays over showers) and aggregated histograms of a run."""

    n: int
    E0: float
    T0: float
    segments: np.ndarray  # (5, n) segments per species (NAMES)
    track_length: np.ndarray  # (5, n) cm
    deposited: np.ndarray
    below_cut: np.ndarray
    escaped: np.ndarray
    rest_mass: np.ndarray
    profile: np.ndarray  # (PROFILE_NBINS,) energy deposited per bin, summed over showers
    track_hist: np.ndarray  # (5, n_grid) track length per kinetic-energy grid cell, summed over showers
    dark_yield: dict = field(default_factory=dict)  # process -> (n,) yields per shower (eps = 1)
    dark_segments: dict | None = None  # arrays describing segments with a dark yield
    track_segments: dict | None = None  # every segment (record_segments=True), see SEGMENT_FIELDS


def _rotate(u, cos_t, phi):
    """Directions at polar angle acos(cos_t), azimuth phi around the unit vectors u (n, 3)."""
    sin_t = np.sqrt(np.maximum(0.0, 1.0 - cos_t**2))
    ux, uy, uz = u[:, 0], u[:, 1], u[:, 2]
    perp = np.sqrt(np.maximum(ux**2 + uy**2, 1e-30))
    near_z = perp < 1e-8
    # orthonormal basis (a, b) perpendicular to u
    ax = np.where(near_z, 1.0, ux * uz / perp)
    ay = np.where(near_z, 0.0, uy * uz / perp)
    az = np.where(near_z, 0.0, -perp)
    bx = np.where(near_z, 0.0, -uy / perp)
    by = np.where(near_z, 1.0, ux / perp)
    bz = np.zeros_like(ux)
    c, s = np.cos(phi), np.sin(phi)
    out = np.empty_like(u)
    out[:, 0] = cos_t * ux + sin_t * (c * ax + s * bx)
    out[:, 1] = cos_t * uy + sin_t * (c * ay + s * by)
    out[:, 2] = cos_t * uz + sin_t * (c * az + s * bz)
    return out / np.linalg.norm(out, axis=1)[:, None]


class _Stack:
    """Particles alive: species, kinetic energy, position, direction, time, shower index."""

    def __init__(self, sp, T, pos, u, t, sh):
        self.sp, self.T, self.pos, self.u, self.t, self.sh = sp, T, pos, u, t, sh

    @staticmethod
    def concat(parts):
        parts = [p for p in parts if p is not None and p.T.size]
        if not parts:
            return None
        return _Stack(*(np.concatenate([getattr(p, a) for p in parts]) for a in ("sp", "T", "pos", "u", "t", "sh")))

    def take(self, sel):
        return _Stack(self.sp[sel], self.T[sel], self.pos[sel], self.u[sel], self.t[sel], self.sh[sel])


class ShowerSimulator:
    """Electromagnetic showers of one primary species and energy in a slab of ``material``.

    ``thickness`` (cm) is the slab length along the beam (default infinite); ``cut`` (GeV) the kinetic
    energy below which particles stop; ``dark_mass`` (GeV) switches on the dark-vector yields and
    ``keep_dark_segments`` keeps the segments that have a dark yield (for sampling vectors);
    ``brem_model`` is "ww" (Weizsacker-Williams with the angle-dependent flux, default) or "iww";
    ``record_segments`` keeps every track segment (float32 columns, SEGMENT_FIELDS; ~50 bytes each)."""

    def __init__(self, material: ShowerMaterial | list, particle: str, energy: float, cut: float = 1e-3,
                 thickness: float = math.inf, dark_mass: float | None = None, keep_dark_segments: bool = False,
                 brem_model: str = "ww", record_segments: bool = False):
        if particle not in SPECIES:
            raise ConfigurationError(f"unknown particle '{particle}' (known: e-, e+, gamma, mu-, mu+)")
        if not (cut > 0 and math.isfinite(cut)):
            raise ParameterError(f"energy cut must be positive, got {cut}")
        if not math.isfinite(energy):
            raise ParameterError(f"energy must be finite, got {energy}")
        mass = float(MASSES[SPECIES[particle]])
        self.T0 = energy - mass
        if self.T0 <= cut:
            raise ParameterError(f"energy {energy} GeV is at or below the cut (kinetic energy {cut} GeV plus the mass)")
        if isinstance(material, ShowerMaterial):
            layers = [(material, thickness)]
        else:
            layers = list(material)
        if not layers:
            raise ConfigurationError("a target needs at least one layer")
        for i, (_, th) in enumerate(layers):
            if not th > 0:
                raise ParameterError(f"thickness must be positive, got {th}")
            if not math.isfinite(th) and i != len(layers) - 1:
                raise ParameterError("only the last layer may be infinitely thick")
        if dark_mass is not None and not (dark_mass > 0 and math.isfinite(dark_mass)):
            raise ParameterError(f"dark-vector mass must be positive, got {dark_mass}")
        self.particle, self.E0, self.cut = particle, energy, cut
        self.muons = SPECIES[particle] >= 3
        self.material = layers[0][0]
        tables, darks, bounds = {}, {}, [0.0]
        for mat, th in layers:
            if mat.name not in tables:
                tables[mat.name] = ShowerTables(mat, cut, self.T0)
                darks[mat.name] = (DarkTables(tables[mat.name], dark_mass, brem_model, muons=self.muons)
                                   if dark_mass is not None else None)
            bounds.append(bounds[-1] + th)
        self.bounds = np.array(bounds)
        self.thickness = float(self.bounds[-1])
        self.layers = [(tables[mat.name], darks[mat.name]) for mat, _ in layers]
        # cumulative depth in radiation lengths at each boundary (for the longitudinal profile)
        x0 = [tb.X0 for tb, _ in self.layers]
        self._depth_x0 = np.concatenate([[0.0], np.cumsum([min(th, 1e30) / x for (_, th), x in zip(layers, x0)])])
        self._x0 = np.array(x0)
        self._select_layer(0)
        self.keep_dark_segments = keep_dark_segments and self.dark is not None
        self.record_segments = record_segments
        #: optional lateral surface of a finite target: a callable (pos (n, 3), u (n, 3)) -> distance (cm) to
        #: the surface along u in the shower frame; particles reaching it leave the target (proton_dump.py)
        self.boundary = None
        self._side = None

    # ------------------------------------------------------------------ public
    def set_primary(self, energy: float, thickness: float) -> None:
        """Reuse the tables for another primary energy (at most the one they were built for) and slab
        thickness (cm; one-layer targets only): the proton-dump photons (proton_dump.py) shower one by one."""
        mass = float(MASSES[SPECIES[self.particle]])
        T0 = energy - mass
        if len(self.layers) != 1:
            raise ConfigurationError("set_primary needs a one-layer target")
        if not (self.cut < T0 <= self.layers[0][0].grid.T[-1] and thickness > 0):
            raise ParameterError(f"primary energy {energy} GeV outside (cut, table maximum] or thickness {thickness} <= 0")
        self.E0, self.T0 = energy, T0
        self.bounds = np.array([0.0, thickness])
        self.thickness = float(thickness)
        self._depth_x0 = np.array([0.0, min(thickness, 1e30) / self._x0[0]])
        self._select_layer(0)

    def run(self, n_showers: int, seed: int | None = 0) -> ShowerResult:
        if n_showers < 1:
            raise ParameterError(f"number of showers must be at least 1, got {n_showers}")
        ss = np.random.SeedSequence(seed)
        n_batches = (n_showers + BATCH - 1) // BATCH
        children = ss.spawn(n_batches)
        res = self._empty(n_showers)
        segs = []
        self._tracks = []
        for b in range(n_batches):
            lo, hi = b * BATCH, min(n_showers, (b + 1) * BATCH)
            self._run_batch(np.random.default_rng(children[b]), lo, hi, res, segs)
        if self.keep_dark_segments:
            res.dark_segments = {k: np.concatenate([s[k] for s in segs]) if segs else np.zeros(0) for k in
                                 ("process", "T0", "T1", "pos", "u", "t", "yield", "shower")}
        if self.record_segments:
            res.track_segments = {k: np.concatenate([s[k] for s in self._tracks]) for k in SEGMENT_FIELDS}
        self._tracks = []
        return res

    def _track(self, s, T1, end):
        if self.record_segments:
            f4 = np.float32
            self._tracks.append({"species": s.sp.copy(), "shower": s.sh.astype(np.int32), "T_start": s.T.astype(f4),
                                 "T_end": np.asarray(T1).astype(f4), "start": s.pos.astype(f4), "end": end.astype(f4),
                                 "direction": s.u.astype(f4), "t_start": s.t.astype(f4)})

    # ------------------------------------------------------------------ internals
    def _select_layer(self, i: int) -> None:
        self.tables, self.dark = self.layers[i]
        self._zlo, self._zhi = float(self.bounds[i]), float(self.bounds[i + 1])

    def _layer_of(self, z, uz):
        """Layer index of points at depth z moving with direction cosine uz (a point on an inner boundary
        belongs to the layer it enters)."""
        inner = self.bounds[1:-1]
        if inner.size == 0:
            return np.zeros(z.size, dtype=np.int64)
        return np.where(uz > 0, np.searchsorted(inner, z, side="right"), np.searchsorted(inner, z, side="left"))

    def depth_x0(self, z):
        """Depth in radiation lengths of the layers crossed (z in cm)."""
        i = np.clip(np.searchsorted(self.bounds, z, side="right") - 1, 0, len(self.layers) - 1)
        return self._depth_x0[i] + (z - self.bounds[i]) / self._x0[i]

    def _empty(self, n):
        z = lambda: np.zeros(n)  # noqa: E731
        r = ShowerResult(n=n, E0=self.E0, T0=self.T0, segments=np.zeros((NSP, n), dtype=np.int64),
                         track_length=np.zeros((NSP, n)), deposited=z(), below_cut=z(), escaped=z(), rest_mass=z(),
                         profile=np.zeros(PROFILE_NBINS), track_hist=np.zeros((NSP, len(self.tables.grid.T))))
        if self.dark is not None:
            r.dark_yield = {p: z() for p in DarkTables.PROCESSES + (DarkTables.MUON_PROCESSES if self.muons else ())}
        return r

    def _deposit(self, res, sh, z, E):
        np.add.at(res.deposited, sh, E)
        b = np.clip((self.depth_x0(z) / PROFILE_DX0).astype(np.int64), 0, PROFILE_NBINS - 1)
        res.profile += np.bincount(b, weights=E, minlength=PROFILE_NBINS)

    def _below(self, res, sh, z, E):
        np.add.at(res.below_cut, sh, E)
        b = np.clip((self.depth_x0(z) / PROFILE_DX0).astype(np.int64), 0, PROFILE_NBINS - 1)
        res.profile += np.bincount(b, weights=E, minlength=PROFILE_NBINS)

    def _distance_to_exit(self, pos, u):
        """Distance to the faces of the current layer, and whether the face reached is the target's own."""
        z, uz = pos[:, 2], u[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            back = np.where(uz < 0, (self._zlo - z) / uz, np.inf)
            front = np.where(uz > 0, (self._zhi - z) / uz, np.inf)
        outer = np.where(uz > 0, self._zhi >= self.thickness, self._zlo <= 0.0)
        d = np.maximum(np.minimum(back, front), 0.0)
        self._side = None
        if self.boundary is not None:  # the lateral surface, when nearer than the slab's faces: the particle leaves
            d_side = np.maximum(np.asarray(self.boundary(pos, u), dtype=float), 0.0)
            self._side = d_side < d
            d, outer = np.where(self._side, d_side, d), outer | self._side
        return d, outer

    def _on_face(self, hit):
        """The steps in ``hit`` that end on a slab face (not on the lateral surface of ``boundary``)."""
        return hit if self._side is None else hit & ~self._side

    def _record_tracks(self, res, sp, sh, T, length):
        n = res.n
        idx = sp.astype(np.int64) * n + sh
        seg = np.bincount(idx, minlength=NSP * n).reshape(NSP, n)
        trk = np.bincount(idx, weights=length, minlength=NSP * n).reshape(NSP, n)
        res.segments += seg
        res.track_length += trk
        i, _ = self.tables.grid.locate(T)
        res.track_hist += np.bincount(sp.astype(np.int64) * len(self.tables.grid.T) + i, weights=length,
                                      minlength=NSP * len(self.tables.grid.T)).reshape(NSP, -1)

    def _run_batch(self, rng, lo, hi, res, segs):
        m = hi - lo
        sp0 = SPECIES[self.particle]
        stack = _Stack(np.full(m, sp0, dtype=np.int8), np.full(m, self.T0), np.zeros((m, 3)),
                       np.tile([0.0, 0.0, 1.0], (m, 1)), np.zeros(m), np.arange(lo, hi))
        while stack is not None:
            layer = self._layer_of(stack.pos[:, 2], stack.u[:, 2])
            new = []
            for i in range(len(self.layers)):
                here = layer == i
                if not np.any(here):
                    continue
                self._select_layer(i)
                g = here & (stack.sp == 0)
                if np.any(g):
                    new.append(self._step_photons(rng, stack.take(g), res, segs))
                c = here & (stack.sp != 0)
                if np.any(c):
                    new.append(self._step_charged(rng, stack.take(c), res, segs))
            stack = _Stack.concat([p for part in new for p in part])

    # photons -------------------------------------------------------------
    def _step_photons(self, rng, s, res, segs):
        tb = self.tables
        low = s.T <= self.cut
        if np.any(low):
            self._below(res, s.sh[low], s.pos[low, 2], s.T[low])
            s = s.take(~low)
            if not s.T.size:
                return []
        sig = tb.grid.interp(tb.photon_total, s.T)
        ell = -np.log1p(-rng.random(s.T.size)) / sig
        d, outer = self._distance_to_exit(s.pos, s.u)
        hit = ell >= d
        esc = hit & outer
        ell = np.minimum(ell, d)
        self._record_tracks(res, s.sp, s.sh, s.T, ell)
        if self.dark is not None:
            y = self.dark.photon_segment_yield(s.T, ell)
            np.add.at(res.dark_yield["compton"], s.sh, y)
            self._keep(segs, y, "compton", s, s.T, s.T)
        pos = s.pos + ell[:, None] * s.u
        pos[:, 2] = np.where(self._on_face(hit), np.where(s.u[:, 2] > 0, self._zhi, self._zlo), pos[:, 2])
        self._track(s, s.T, pos)
        t = s.t + ell / C_LIGHT_CM_PER_NS
        if np.any(esc):
            np.add.at(res.escaped, s.sh[esc], s.T[esc])
        out = []
        cross = hit & ~outer  # into the next layer, unchanged
        if np.any(cross):
            out.append(_Stack(s.sp[cross], s.T[cross], pos[cross], s.u[cross], t[cross], s.sh[cross]))
        act = ~hit
        s = _Stack(s.sp[act], s.T[act], pos[act], s.u[act], t[act], s.sh[act])
        if not s.T.size:
            return out
        p_comp = tb.grid.interp(tb.compton, s.T) / tb.grid.interp(tb.photon_total, s.T)
        comp = rng.random(s.T.size) < p_comp
        if np.any(comp):
            c = s.take(comp)
            v = sample_rows(tb.grid, tb.inv_compton, c.T, rng)
            e0 = 1.0 / (1.0 + 2.0 * c.T / M_E)
            eps = e0 ** (1.0 - v)
            k1 = eps * c.T
            cos = np.clip(1.0 - (1.0 - eps) / (c.T / M_E * eps), -1.0, 1.0)
            u1 = _rotate(c.u, cos, rng.random(c.T.size) * 2.0 * math.pi)
            pe = c.T[:, None] * c.u - k1[:, None] * u1
            ue = pe / np.maximum(np.linalg.norm(pe, axis=1), 1e-300)[:, None]
            out.append(_Stack(c.sp, k1, c.pos, u1, c.t, c.sh))
            out.append(_Stack(np.full(c.T.size, 1, np.int8), c.T - k1, c.pos, ue, c.t, c.sh))
        if not np.all(comp):
            p = s.take(~comp)
            v = sample_rows(tb.grid, tb.inv_pair, p.T, rng)
            xlo = np.minimum(M_E / p.T, 0.5)
            x = xlo + (1.0 - 2.0 * xlo) * v
            Ep, Em = x * p.T, (1.0 - x) * p.T
            np.add.at(res.rest_mass, p.sh, 2.0 * M_E)
            n = p.T.size
            out.append(_Stack(np.full(n, 2, np.int8), np.maximum(Ep - M_E, 0.0), p.pos, p.u, p.t, p.sh))
            out.append(_Stack(np.full(n, 1, np.int8), np.maximum(Em - M_E, 0.0), p.pos, p.u, p.t, p.sh))
        return out

    # charged ---------------------------------------------------------------
    def _stop(self, rng, s, res):
        """Leptons at or below the cut: kinetic energy below cut; positrons annihilate at rest."""
        self._below(res, s.sh, s.pos[:, 2], s.T)
        pos = s.sp == 2
        if not np.any(pos):
            return []
        sh = s.sh[pos]
        np.add.at(res.rest_mass, sh, -2.0 * M_E)
        if M_E <= self.cut:
            self._below(res, sh, s.pos[pos, 2], np.full(sh.size, 2.0 * M_E))
            return []
        n = sh.size
        cos = 2.0 * rng.random(n) - 1.0
        phi = 2.0 * math.pi * rng.random(n)
        u = _rotate(np.tile([0.0, 0.0, 1.0], (n, 1)), cos, phi)
        return [_Stack(np.zeros(2 * n, np.int8), np.full(2 * n, M_E), np.concatenate([s.pos[pos]] * 2),
                       np.concatenate([u, -u]), np.concatenate([s.t[pos]] * 2), np.concatenate([sh, sh]))]

    def _step_charged(self, rng, s, res, segs):
        tb = self.tables
        out = []
        low = s.T <= self.cut
        if np.any(low):
            out += self._stop(rng, s.take(low), res)
            s = s.take(~low)
            if not s.T.size:
                return out
        n = s.T.size
        sig = tb.charged_total(s.sp, s.T)
        with np.errstate(divide="ignore"):
            ell_int = -np.log1p(-rng.random(n)) / sig
        R0 = tb.range_at(s.sp, s.T)
        Rlim = tb.range_at(s.sp, np.maximum(s.T * (1.0 - MAX_LOSS_FRACTION), self.cut))
        ell_loss = np.where(s.T * (1.0 - MAX_LOSS_FRACTION) <= self.cut, R0, R0 - Rlim)
        d, outer = self._distance_to_exit(s.pos, s.u)
        ell = np.minimum(np.minimum(ell_int, ell_loss), d)
        T1 = np.where(ell >= R0, self.cut, tb.energy_at_range(s.sp, np.maximum(R0 - ell, 0.0)))
        T1 = np.minimum(T1, s.T)
        Tm = 0.5 * (s.T + T1)
        self._record_tracks(res, s.sp, s.sh, Tm, ell)
        if self.dark is not None:
            ys = self.dark.charged_segment_yields(s.sp, s.T, T1)
            for name, y in ys.items():
                np.add.at(res.dark_yield[name], s.sh, y)
                self._keep(segs, y, name, s, s.T, T1)
        # multiple scattering (Highland, PDG eq. 34.16, with the particle's mass), kick at the end of the step
        mass = MASSES[s.sp]
        E = Tm + mass
        p = np.sqrt(np.maximum(E**2 - mass**2, 1e-30))
        beta = p / E
        xr = np.maximum(ell / tb.X0, 1e-12)
        theta0 = 0.0136 / (beta * p) * np.sqrt(xr) * np.maximum(1.0 + 0.038 * np.log(xr / beta**2), 0.0)
        thx = rng.standard_normal(n) * theta0
        thy = rng.standard_normal(n) * theta0
        th = np.sqrt(thx**2 + thy**2)
        u1 = _rotate(s.u, np.cos(np.minimum(th, math.pi)), np.arctan2(thy, thx))
        um = s.u + u1
        um /= np.maximum(np.linalg.norm(um, axis=1), 1e-300)[:, None]
        pos = s.pos + ell[:, None] * um
        at_face = ell >= d
        esc_geom = at_face & outer
        # a step that reaches a face ends on it (the mean direction may differ slightly: clip z); the
        # particle leaves the target there, or goes on into the next layer with its old direction
        pos[:, 2] = np.where(self._on_face(at_face), np.where(s.u[:, 2] > 0, self._zhi, self._zlo), pos[:, 2])
        u1 = np.where((at_face & ~outer)[:, None], s.u, u1)
        self._track(s, T1, pos)
        t = s.t + ell / (beta * C_LIGHT_CM_PER_NS)
        self._deposit(res, s.sh, 0.5 * (s.pos[:, 2] + np.where(np.isfinite(pos[:, 2]), pos[:, 2], s.pos[:, 2])), s.T - T1)
        if np.any(esc_geom):
            np.add.at(res.escaped, s.sh[esc_geom], T1[esc_geom])
        interact = (~at_face) & (ell_int <= ell_loss) & (T1 > self.cut)
        cont = ~esc_geom & ~interact
        out.append(_Stack(s.sp[cont], T1[cont], pos[cont], u1[cont], t[cont], s.sh[cont]))
        if np.any(interact):
            it = _Stack(s.sp[interact], T1[interact], pos[interact], u1[interact], t[interact], s.sh[interact])
            p_ann = np.where(it.sp == 2, tb.grid.interp(tb.annih, it.T), 0.0) / tb.charged_total(it.sp, it.T)
            ann = rng.random(it.T.size) < p_ann
            if np.any(~ann):
                b = it.take(~ann)
                v = sample_rows(tb.grid, tb.inv_brem, b.T, rng)
                k = np.minimum(self.cut * (b.T / self.cut) ** v, b.T)
                out.append(_Stack(np.zeros(b.T.size, np.int8), k, b.pos, b.u, b.t, b.sh))
                out.append(_Stack(b.sp, b.T - k, b.pos, b.u, b.t, b.sh))
            if np.any(ann):
                out += self._annihilate(rng, it.take(ann), res)
        return out

    def _annihilate(self, rng, a, res):
        """e+ e-(rest) -> 2 gamma in flight (Heitler; Geant4 PRM kinematics)."""
        tb = self.tables
        n = a.T.size
        E = a.T + M_E
        g = E / M_E
        v = sample_rows(tb.grid, tb.inv_annih, a.T, rng)
        emin = 0.5 * (1.0 - np.sqrt((g - 1.0) / (g + 1.0)))
        eps = emin * (0.5 / emin) ** v
        swap = rng.random(n) < 0.5
        eps = np.where(swap, 1.0 - eps, eps)
        k1 = eps * (E + M_E)
        k2 = (E + M_E) - k1
        cos = np.clip((eps * (g + 1.0) - 1.0) / (eps * np.sqrt(g**2 - 1.0)), -1.0, 1.0)
        u1 = _rotate(a.u, cos, 2.0 * math.pi * rng.random(n))
        p2 = np.sqrt(E**2 - M_E**2)[:, None] * a.u - k1[:, None] * u1
        u2 = p2 / np.maximum(np.linalg.norm(p2, axis=1), 1e-300)[:, None]
        np.add.at(res.rest_mass, a.sh, -2.0 * M_E)
        return [_Stack(np.zeros(2 * n, np.int8), np.concatenate([k1, k2]), np.concatenate([a.pos, a.pos]),
                       np.concatenate([u1, u2]), np.concatenate([a.t, a.t]), np.concatenate([a.sh, a.sh]))]

    def _keep(self, segs, y, name, s, T0, T1):
        if not self.keep_dark_segments:
            return
        sel = y > 0
        if not np.any(sel):
            return
        segs.append({"process": np.full(int(sel.sum()), DarkTables.ALL_PROCESSES.index(name), np.int8),
                     "T0": T0[sel], "T1": T1[sel], "pos": s.pos[sel], "u": s.u[sel], "t": s.t[sel],
                     "yield": y[sel], "shower": s.sh[sel]})
