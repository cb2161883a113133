"""Upscattering cross sections per target nucleus: process cases and sigma(E).

A :class:`ProcessCase` names one upscattering channel: projectile (nu_e ... nu_tau_bar), HNL (N4, N5,
N6), target nucleus (H1 ... Pb208), regime and N helicity:

* 'coherent': on the nucleus as a whole (A > 1; not allowed on H1, whose only regime with a nucleon
  is the free proton, 'p-el');
* 'p-el', 'n-el': elastic on the Z protons / N neutrons (impulse approximation: free-nucleon
  kinematics and form factors), summed over the nucleus ('n-el' is not allowed on H1); on H1 'p-el'
  is scattering on the free proton.  ``nucleon_model`` 'fermi-gas' (default) multiplies the bound
  nucleons' d sigma/dQ^2 by the Pauli-blocking factor of a Fermi gas, S(|q|)
  (:mod:`darkbeam.physics.nuclear_response`), which removes the low-|q| part where the nucleus
  scatters coherently; 'free' keeps free nucleons (no blocking, as in DarkNews);
* 'electron': on the Z atomic electrons, treated as free and at rest.

:class:`UpscatteringXsec` evaluates d sigma/d Q^2 and sigma(E) (cm^2 per nucleus) for arrays of
energies.  sigma(E) = int dQ^2 dsigma/dQ^2 is a fixed quadrature in ln Q^2 between the closed-form limits
of :func:`~darkbeam.physics.upscattering.Q2_limits` (:func:`log_q2_nodes`: 14 Gauss-Legendre panels of
8 nodes plus two end layers, 144 nodes), vectorized over energies.  Its error is below 1e-4 for every
helicity cross section larger than 1e-4 of the other helicity and below 6e-4 otherwise (scan in
docs/xsec.md; tests against adaptive quadrature in tests/test_upscattering.py).  For the coherent regime
the upper limit is capped at Q^2 = :data:`COHERENT_Q2_CAP` (4 GeV^2, where every nuclear form factor is
below 1e-6).  Below threshold sigma = 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from darkbeam.errors import ConfigurationError, ModelError
from darkbeam.models.couplings import Couplings
from darkbeam.models.parameters import ModelParameters
from darkbeam.physics import nuclear
from darkbeam.physics.form_factors import NUCLEAR_SCHEMES, NuclearFormFactors, NucleonFormFactors
from darkbeam.physics.nuclear_response import NUCLEON_MODELS, PauliBlocking
from darkbeam.physics.upscattering import (
    CoherentTarget,
    ElectronTarget,
    NucleonTarget,
    Q2_limits,
    Vertices,
    _helicities,
    dsigma_dQ2,
    dsigma_dQ2_inside,
    threshold_energy,
    vertices,
)

REGIMES = ("coherent", "p-el", "n-el", "electron")
HELICITIES = ("conserving", "flipping", "both")
PROJECTILES = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
#: quadrature in ln Q^2: panels x Gauss-Legendre nodes per panel
N_PANELS = 14
N_NODES = 8
N_EDGE_PANELS = 2
#: upper Q^2 (GeV^2) of the coherent integration
COHERENT_Q2_CAP = 4.0
#: energies per block in sigma(E)
ENERGY_BLOCK = 2048


def _parse_hnl(hnl) -> int:
    s = str(hnl).strip().upper().removeprefix("N")
    if s not in ("4", "5", "6"):
        raise ConfigurationError(f"unknown HNL '{hnl}' (choose N4, N5 or N6)")
    return int(s)


@dataclass(frozen=True)
class ProcessCase:
    """One upscattering channel: ``projectile`` + ``target`` -> N``hnl`` + ``target`` in ``regime``.

    ``hnl`` is 4, 5 or 6 (or 'N4'...); ``target`` a nucleus name ('Ar40'); ``helicity`` of N:
    'conserving', 'flipping' or 'both' (their sum).  Invalid combinations raise ConfigurationError.
    """

    projectile: str
    hnl: int
    target: str
    regime: str
    helicity: str = "conserving"

    def __post_init__(self):
        if self.projectile not in PROJECTILES:
            raise ConfigurationError(f"unknown projectile '{self.projectile}' (choose from {', '.join(PROJECTILES)})")
        object.__setattr__(self, "hnl", _parse_hnl(self.hnl))
        if self.regime not in REGIMES:
            raise ConfigurationError(f"unknown regime '{self.regime}' (choose from {', '.join(REGIMES)})")
        if self.helicity not in HELICITIES:
            raise ConfigurationError(f"unknown helicity '{self.helicity}' (choose from {', '.join(HELICITIES)})")
        nuc = nuclear.nucleus(self.target)
        object.__setattr__(self, "target", nuc.name)
        if self.regime == "coherent" and nuc.A < 2:
            raise ConfigurationError(f"regime 'coherent' needs a nucleus with A > 1; {nuc.name} is a single proton: use regime 'p-el'")
        if self.regime == "n-el" and nuc.N == 0:
            raise ConfigurationError(f"regime 'n-el' is not possible on {nuc.name}: it has no neutrons")

    @property
    def nucleus(self) -> nuclear.Nucleus:
        return nuclear.nucleus(self.target)

    @property
    def antineutrino(self) -> bool:
        return self.projectile.endswith("_bar")

    @property
    def flavour(self) -> int:
        """0 = e, 1 = mu, 2 = tau."""
        return ("e", "mu", "tau").index(self.projectile.removeprefix("nu_").removesuffix("_bar"))

    @property
    def multiplicity(self) -> int:
        """Number of scatterers per nucleus: 1 (coherent), Z (p-el), N (n-el), Z (electron)."""
        nuc = self.nucleus
        return {"coherent": 1, "p-el": nuc.Z, "n-el": nuc.N, "electron": nuc.Z}[self.regime]

    def label(self) -> str:
        return f"{self.projectile} {self.target} -> N{self.hnl} {self.target} ({self.regime}, {self.helicity})"


@lru_cache(maxsize=16)
def _gauss_legendre(n_panels: int, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre nodes and weights on [0, 1] (read-only arrays, computed once per
    process: every cross-section object and every total cross section needs them, and ``leggauss``'s
    eigenvalue problem cost ~8 ms of CPU per scan mass point)."""
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    p = np.arange(n_panels)[:, None]
    u = ((p + 0.5 * (x[None, :] + 1.0)) / n_panels).ravel()
    wt = np.tile(w / (2.0 * n_panels), n_panels)
    u.setflags(write=False)
    wt.setflags(write=False)
    return u, wt


def log_q2_nodes(lmin, lmax, n_panels: int = N_PANELS, n_nodes: int = N_NODES, n_edge: int = N_EDGE_PANELS):
    """Nodes x (in ln Q^2) and weights for int_{lmin}^{lmax} f(x) dx, vectorized over the limits.

    Interior: ``n_panels`` x ``n_nodes`` Gauss-Legendre nodes in u, mapped by x = lmin' + (lmax' - lmin')
    (3u^2 - 2u^3), which clusters nodes towards both ends (square-root end-point behaviour becomes
    smooth in u).  Edge layers of width w = min(0.05, (lmax - lmin)/16) at both ends: ``n_edge`` panels
    in y = ln(distance to the end point), from 1e-9 w to w.  They resolve the thin end-point layers of
    the lab-frame helicity cross sections (N emitted along the beam axis, where its lab helicity rotates
    quickly; the sum over helicities is smooth).  The slivers left out next to the end points weigh
    < 1e-9 w times the integrand there.  Returns arrays of shape lmin.shape + (n,).
    """
    lmin = np.asarray(lmin, dtype=float)[..., None]
    lmax = np.asarray(lmax, dtype=float)[..., None]
    width = np.minimum(0.05, (lmax - lmin) / 16.0)
    ui, wi = _gauss_legendre(n_panels, n_nodes)
    vi, wv = ui * ui * (3.0 - 2.0 * ui), wi * 6.0 * ui * (1.0 - ui)
    ue, we = _gauss_legendre(n_edge, n_nodes)
    span = lmax - lmin - 2.0 * width
    x_int = lmin + width + span * vi
    w_int = span * wv
    ylo = np.log(1e-9)
    d = width * np.exp(ylo * (1.0 - ue))  # distance to the end point
    w_edge = -ylo * we * d  # dx = d dy
    x = np.concatenate([lmin + d, x_int, lmax - d], axis=-1)
    w = np.concatenate([w_edge, w_int, w_edge], axis=-1)
    return x, w


class UpscatteringXsec:
    """Cross sections of one :class:`ProcessCase` for one model.

    ``model``: a :class:`ModelParameters` (couplings with darkbeam's default sin^2 theta_W), a
    :class:`Couplings` (its scheme), or ready :class:`~darkbeam.physics.upscattering.Vertices`.
    ``nuclear_ff``: scheme of :class:`~darkbeam.physics.form_factors.NuclearFormFactors`;
    ``nucleon_ff``: :class:`~darkbeam.physics.form_factors.NucleonFormFactors`; ``frame``: where N's
    helicity is defined ('lab' or 'cm'); ``coherent_spin``: 0 (spin-0 nuclear current) or 0.5 (a
    point-like Dirac nucleus, DarkNews's treatment; see :class:`CoherentTarget`); ``nucleon_model``:
    'fermi-gas' (Pauli blocking of bound nucleons, default) or 'free' (module docstring).
    """

    def __init__(self, case: ProcessCase, model, *, nuclear_ff: str = "default", nucleon_ff: NucleonFormFactors | None = None,
                 frame: str = "lab", coherent_spin: float = 0.0, nucleon_model: str = "fermi-gas", n_panels: int = N_PANELS, n_nodes: int = N_NODES,
                 n_edge: int = N_EDGE_PANELS):
        self.case = case
        if nuclear_ff not in NUCLEAR_SCHEMES:
            raise ConfigurationError(f"unknown nuclear form-factor scheme '{nuclear_ff}' (choose from {', '.join(NUCLEAR_SCHEMES)})")
        if frame not in ("lab", "cm"):
            raise ConfigurationError(f"unknown helicity frame '{frame}' (choose 'lab' or 'cm')")
        self.frame = frame
        if nucleon_model not in NUCLEON_MODELS:
            raise ConfigurationError(f"unknown nucleon model '{nucleon_model}' (choose from {', '.join(NUCLEON_MODELS)})")
        self.nucleon_model = nucleon_model
        if isinstance(model, Vertices):
            self.vertices = model
        else:
            c = model if isinstance(model, Couplings) else Couplings(model) if isinstance(model, ModelParameters) else None
            if c is None:
                raise ConfigurationError("model must be ModelParameters, Couplings or Vertices")
            if case.hnl - 4 >= c.params.n_hnl:
                raise ModelError(f"the model has no N{case.hnl} (set m{case.hnl})")
            self.vertices = vertices(c, case.flavour, case.hnl - 4)
        nuc = case.nucleus
        if case.regime == "coherent":
            self.target = CoherentTarget(nuc, NuclearFormFactors(nuc.name, nuc.A, nuclear_ff), coherent_spin)
        elif case.regime in ("p-el", "n-el"):
            self.target = NucleonTarget(case.regime[0], nucleon_ff or NucleonFormFactors())
            if nucleon_model == "fermi-gas" and not nuc.is_free_proton:
                self.pauli = PauliBlocking(nuc.Z, nuc.N, case.regime[0], self.target.mass)
        else:
            self.target = ElectronTarget()
        self._quadrature = (n_panels, n_nodes, n_edge)

    #: the Pauli-blocking factor of bound nucleons (None: not blocked)
    pauli: PauliBlocking | None = None

    def suppression(self, Q2) -> np.ndarray:
        """The factor multiplying the free d sigma/dQ^2: S(|q|) for bound nucleons with 'fermi-gas', else 1."""
        Q2 = np.asarray(Q2, dtype=float)
        return self.pauli(Q2) if self.pauli is not None else np.ones(Q2.shape)

    @property
    def m_hnl(self) -> float:
        return self.vertices.m_hnl

    @cached_property
    def threshold(self) -> float:
        """Threshold energy in GeV: m_N + m_N^2 / (2 M_target)."""
        return threshold_energy(self.m_hnl, self.target.mass)

    def Q2_range(self, E) -> tuple[np.ndarray, np.ndarray]:
        """Kinematic (Q2_min, Q2_max) in GeV^2 (NaN below threshold)."""
        return Q2_limits(_energies(E), self.m_hnl, self.target.mass)

    def dsigma_dQ2(self, E, Q2, *, limits=None) -> np.ndarray:
        """d sigma / d Q^2 in cm^2 / GeV^2 per nucleus (0 outside the physical region).

        ``limits``: ``self.Q2_range(E)`` where the caller has it already (the generator's integrand); E
        is then taken as checked (finite, >= 0)."""
        c = self.case
        out = c.multiplicity * dsigma_dQ2(self.vertices, self.target, _energies(E) if limits is None else E, Q2,
                                          helicity=c.helicity, antineutrino=c.antineutrino, frame=self.frame,
                                          limits=limits)
        if self.pauli is not None:
            out = out * self.pauli(np.broadcast_to(np.asarray(Q2, dtype=float), out.shape))
        return out

    def sigma(self, E) -> np.ndarray:
        """Total cross section in cm^2 per nucleus for lab energies ``E`` (GeV; array or scalar)."""
        E = _energies(E)
        shape = E.shape
        E = E.ravel()
        out = np.zeros(E.shape)
        idx = np.nonzero(E > self.threshold)[0]
        c = self.case
        for lo in range(0, idx.size, ENERGY_BLOCK):  # blocks bound the memory of the (energies x nodes) arrays
            sel = idx[lo : lo + ENERGY_BLOCK]
            Eo = E[sel]
            qmin, qmax = Q2_limits(Eo, self.m_hnl, self.target.mass)
            if c.regime == "coherent":
                qmax = np.minimum(qmax, np.maximum(COHERENT_Q2_CAP, qmin))
            x, w = log_q2_nodes(np.log(qmin), np.log(qmax), *self._quadrature)
            Q2 = np.exp(x)
            f = dsigma_dQ2_inside(self.vertices, self.target, np.broadcast_to(Eo[:, None], Q2.shape), Q2,
                                  _helicities(c.helicity), c.antineutrino, self.frame)
            if self.pauli is not None:
                f = f * self.pauli(Q2)
            out[sel] = c.multiplicity * np.sum(f * Q2 * w, axis=-1)
        return out.reshape(shape) if shape else float(out[0])


def _energies(E) -> np.ndarray:
    E = np.asarray(E, dtype=float)
    if not np.all(np.isfinite(E)):
        raise ConfigurationError("energies must be finite numbers")
    if np.any(E < 0):
        raise ConfigurationError(f"negative neutrino energy {float(E[E < 0].flat[0]):g} GeV: energies must be >= 0")
    return E


def cross_section(case: ProcessCase, model, energies, **options) -> np.ndarray:
    """sigma(E) in cm^2 per nucleus for ``case`` and ``model`` (see :class:`UpscatteringXsec`)."""
    return UpscatteringXsec(case, model, **options).sigma(energies)
