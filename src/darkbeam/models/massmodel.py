"""Mass models: from a Majorana mass matrix of active, heavy and dark neutrinos to masses and mixings.

A :class:`MassModel` is a symmetric mass matrix M (GeV) in the basis

    n = (nu_alpha for alpha in ``active``, N_1 .. N_s, nu_D1 .. nu_Dd)

(left-handed fields; -(1/2) n^T C^-1 M n + h.c.).  :meth:`MassModel.spectrum` returns the masses and
the unitary mixing matrix U, n = U nu, U^T M U = diag(m), M = U^* diag(m) U^dagger
(:mod:`darkbeam.models.takagi`, stable across hierarchies of 1e12 and more).

The minimal dark-neutrino model of Ballett, Hostert and Pascoli (Phys. Rev. D 101, 115025 (2020),
arXiv:1903.07589, and arXiv:1903.07590, Sec. II) is the preset :func:`minimal_model`: one active
flavour, one heavy N, one dark nu_D,

    M = [[0, m_D, 0], [m_D, mu', Lambda], [0, Lambda, 0]],

with eigenvalues 0 and (mu' -+ sqrt(mu'^2 + 4 (Lambda^2 + m_D^2)))/2 (the lighter one negative: a
Majorana CP parity -1) and the prediction m_4/m_5 = -U_alpha5^2 / U_alpha4^2 for the signed masses and
the real orthogonal mixing (it follows from M_alpha alpha = sum_i U_alpha i^2 m_i = 0).  The other
active flavours are carried along with zero Dirac masses (so the matrix is 5 x 5 and U is the full
unitary matrix), unless given their own m_D.

:func:`parameter_values` maps a spectrum to darkbeam's :class:`~darkbeam.models.ModelParameters`:
the heavy states (all but the ``len(active)`` lightest) become N4, N5, N6 (ascending masses,
HNLtype 'majorana'), ``U<alpha><i>`` the active rows and ``UD<i>`` the dark row of the mixing matrix.
ModelParameters has real mixings: for a real M the real orthogonal mixing O is used (signed masses;
darkbeam uses |m| and does not track the CP parities, which matter only for interference between
different Majorana HNLs); for a complex M each heavy column must be real up to a factor i (a CP
parity), else the mapping is refused (``complex_mixing='error'``) or the moduli are used with the
signs of the real parts (``complex_mixing='abs'``, with a warning).  docs/massmodel.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from darkbeam.errors import ParameterError
from darkbeam.models.takagi import Eigensystem, mass_eigensystem

ACTIVE_FLAVOURS = ("e", "mu", "tau")
#: parameters of ModelParameters that a mass model derives (a model file with [massmodel] must not set them)
DERIVED_KEYS = tuple(["m4", "m5", "m6", "HNLtype"] + [f"U{a}{i}" for i in (4, 5, 6) for a in ACTIVE_FLAVOURS]
                     + [f"UD{i}" for i in (4, 5, 6)])
#: keys of a [massmodel] table
_GENERAL_KEYS = {"active", "sterile", "dark", "matrix", "matrix_imag", "complex_mixing", "preset"}
_MINIMAL_KEYS = {"preset", "flavour", "mD", "mD_e", "mD_mu", "mD_tau", "mu_prime", "Lambda", "complex_mixing"}
COMPLEX_MIXING = ("error", "abs")


class MassModelWarning(UserWarning):
    """A mass model mapped to darkbeam's parameters with a loss (complex phases, ...)."""


class MassModelNote(MassModelWarning):
    """Information on what the downstream code neglects (opposite CP parities of the HNLs): printed once
    as a note, not a warning; ``signed`` holds the signed heavy masses (GeV) for the size check of
    :mod:`darkbeam.physics.hnl_parities`."""

    def __init__(self, text: str, signed: tuple[float, ...] | None = None):
        super().__init__(text)
        self.signed = None if signed is None else tuple(signed)


#: states lighter than this (GeV, 1 keV) are oscillating sterile states, not HNLs of the event generator:
#: Dm^2 >= 1e6 eV^2 oscillates ~1e6 times per km/GeV (fully averaged), while m^2/E^2 < 1e-12 at 1 MeV
#: leaves production and detection kinematics unchanged (docs/massmodel.md "Oscillations")
OSCILLATING_MAX_GEV = 1e-6


@dataclass(frozen=True)
class MassModel:
    """A symmetric mass matrix (GeV) with its basis (module docstring)."""

    matrix: np.ndarray
    active: tuple[str, ...] = ACTIVE_FLAVOURS
    n_sterile: int = 1
    n_dark: int = 1
    preset: str | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        n = len(self.active) + self.n_sterile + self.n_dark
        M = np.asarray(self.matrix)
        if M.shape != (n, n):
            raise ParameterError(f"[massmodel] matrix must be {n} x {n} for {len(self.active)} active, "
                                 f"{self.n_sterile} sterile and {self.n_dark} dark states, got shape {M.shape}")
        for a in self.active:
            if a not in ACTIVE_FLAVOURS:
                raise ParameterError(f"[massmodel] unknown active flavour '{a}' (choose from e, mu, tau)")
        if len(set(self.active)) != len(self.active):
            raise ParameterError("[massmodel] active flavours repeat")

    @property
    def labels(self) -> list[str]:
        out = [f"nu_{a}" for a in self.active]
        out += [f"N{k + 1}" if self.n_sterile > 1 else "N" for k in range(self.n_sterile)]
        out += [f"nu_D{k + 1}" if self.n_dark > 1 else "nu_D" for k in range(self.n_dark)]
        return out

    @property
    def n_light(self) -> int:
        return len(self.active)

    def spectrum(self) -> "Spectrum":
        es = mass_eigensystem(self.matrix, self.n_light)
        return Spectrum(self, es)


@dataclass(frozen=True)
class Spectrum:
    """Masses and mixings of a :class:`MassModel` (light states first, then heavy, each ascending)."""

    model: MassModel
    eig: Eigensystem

    @property
    def masses(self) -> np.ndarray:
        return self.eig.masses

    @property
    def U(self) -> np.ndarray:
        return self.eig.U

    @property
    def light_masses(self) -> np.ndarray:
        return self.masses[: self.model.n_light]

    @property
    def heavy_masses(self) -> np.ndarray:
        return self.masses[self.model.n_light:]

    def row(self, label: str) -> np.ndarray:
        """The row of U of one basis state ('nu_mu', 'N', 'nu_D', ...)."""
        return self.U[self.model.labels.index(label)]

    def real_mixing(self, complex_mixing: str = "error") -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(real mixing matrix, CP parities eta_i, warnings): the real form used for ModelParameters."""
        warnings: list[str] = []
        if complex_mixing not in COMPLEX_MIXING:
            raise ParameterError(f"complex_mixing must be one of {', '.join(COMPLEX_MIXING)}, not '{complex_mixing}'")
        if self.eig.orthogonal is not None:
            return self.eig.orthogonal, np.where(self.eig.signed < 0, -1.0, 1.0), warnings
        U = self.U
        out = np.empty(U.shape)
        eta = np.ones(U.shape[1])
        for c in range(U.shape[1]):
            col = U[:, c]
            k = int(np.argmax(np.abs(col)))
            ph = col[k] / abs(col[k]) if abs(col[k]) > 0 else 1.0
            if abs(ph.real) >= abs(ph.imag):
                z, e = col * np.sign(ph.real), 1.0
            else:
                z, e = col / (1j * np.sign(ph.imag)), -1.0
            if np.max(np.abs(z.imag)) > 1e-9 * np.linalg.norm(col):
                lab = "light" if c < self.model.n_light else f"N{c - self.model.n_light + 4}"
                if complex_mixing == "error" and c >= self.model.n_light:
                    raise ParameterError(f"the mixing of {lab} is complex (CP violating phases, e.g. U = {col[k]:.3g}); "
                                         "darkbeam's model parameters take real mixings: set complex_mixing = \"abs\" "
                                         "in [massmodel] to use |U| (signs of the real parts)")
                if c >= self.model.n_light:
                    warnings.append(f"{lab}: complex mixing replaced by |U| with the signs of the real parts "
                                    "(CP phases dropped)")
                z = np.abs(col) * np.where(z.real < 0, -1.0, 1.0)
            out[:, c], eta[c] = z.real, e
        return out, eta, warnings

    def ratio_prediction(self, flavour: str) -> tuple[float, float] | None:
        """(m4/m5 with signed masses, -U_a5^2/U_a4^2 from the real mixing) for the minimal model."""
        if self.eig.signed is None or len(self.heavy_masses) < 2:
            return None
        lam, O = self.eig.signed, self.eig.orthogonal
        i = self.model.labels.index(f"nu_{flavour}")
        nl = self.model.n_light
        u4, u5 = O[i, nl], O[i, nl + 1]
        if u4 == 0:
            return None
        return float(lam[nl] / lam[nl + 1]), float(-(u5**2) / u4**2)


# ------------------------------------------------------------------ presets
def minimal_model(mD: float | Mapping[str, float], mu_prime: float, Lambda: float, *, flavour: str = "mu") -> MassModel:
    """The minimal model of 1903.07589 (module docstring): m_D (GeV; a number for ``flavour`` or a
    mapping {flavour: m_D}), mu' and Lambda (GeV)."""
    if isinstance(mD, Mapping):
        md = {a: float(v) for a, v in mD.items()}
    else:
        if flavour not in ACTIVE_FLAVOURS:
            raise ParameterError(f"[massmodel] flavour must be e, mu or tau, not '{flavour}'")
        md = {flavour: float(mD)}
    for k, v in list(md.items()) + [("mu_prime", mu_prime), ("Lambda", Lambda)]:
        if not math.isfinite(float(v)):
            raise ParameterError(f"[massmodel] {k} = {v} must be finite")
    if float(Lambda) == 0.0 and float(mu_prime) == 0.0:
        raise ParameterError("[massmodel] mu_prime and Lambda are both zero: no heavy states")
    M = np.zeros((5, 5))
    for j, a in enumerate(ACTIVE_FLAVOURS):
        M[j, 3] = M[3, j] = md.get(a, 0.0)
    M[3, 3] = float(mu_prime)
    M[3, 4] = M[4, 3] = float(Lambda)
    return MassModel(M, ACTIVE_FLAVOURS, 1, 1, preset="minimal",
                     inputs={"mD": md, "mu_prime": float(mu_prime), "Lambda": float(Lambda)})


def minimal_eigenvalues(mD: float, mu_prime: float, Lambda: float) -> tuple[float, float]:
    """Signed tree-level heavy eigenvalues (mu' -+ sqrt(mu'^2 + 4 (Lambda^2 + m_D^2)))/2 (1903.07589),
    the smaller one from the product -(Lambda^2 + m_D^2) (no cancellation when mu' >> Lambda)."""
    r = math.sqrt(mu_prime**2 + 4.0 * (Lambda**2 + mD**2))
    big = 0.5 * (abs(mu_prime) + r)  # the larger |eigenvalue|, without cancellation
    small = -(Lambda**2 + mD**2) / big  # product of the two = -(Lambda^2 + m_D^2)
    return (small, big) if mu_prime >= 0 else (-big, -small)


def _num(table: Mapping[str, Any], key: str) -> float:
    v = table[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ParameterError(f"[massmodel] {key} must be a number (GeV), got {v!r}")
    return float(v)


def _matrix(value: Any, key: str) -> np.ndarray:
    try:
        M = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"[massmodel] {key} must be a square array of numbers (GeV)") from None
    if M.ndim != 2:
        raise ParameterError(f"[massmodel] {key} must be a square array of numbers (GeV)")
    return M


def from_table(table: Mapping[str, Any]) -> tuple[MassModel, str]:
    """A :class:`MassModel` from a ``[massmodel]`` TOML table, and its complex_mixing choice.

    Preset: ``preset = "minimal"`` with ``mD`` (and ``flavour``, default 'mu') or ``mD_e``/``mD_mu``/
    ``mD_tau``, ``mu_prime``, ``Lambda`` (GeV).  General: ``active`` (flavours), ``sterile``, ``dark``
    (numbers of states), ``matrix`` (GeV, symmetric) and optionally ``matrix_imag``.
    """
    if not isinstance(table, Mapping):
        raise ParameterError("[massmodel] must be a table")
    cm = table.get("complex_mixing", "error")
    if cm not in COMPLEX_MIXING:
        raise ParameterError(f"[massmodel] complex_mixing must be one of {', '.join(COMPLEX_MIXING)}, not {cm!r}")
    preset = table.get("preset")
    if preset is not None:
        if preset != "minimal":
            raise ParameterError(f"[massmodel] unknown preset '{preset}' (presets: minimal)")
        unknown = sorted(set(table) - _MINIMAL_KEYS)
        if unknown:
            raise ParameterError(f"[massmodel] unknown key '{unknown[0]}' for preset 'minimal' "
                                 f"(keys: {', '.join(sorted(_MINIMAL_KEYS))})")
        for k in ("mu_prime", "Lambda"):
            if k not in table:
                raise ParameterError(f"[massmodel] preset 'minimal' needs {k} (GeV)")
        per = {a: _num(table, f"mD_{a}") for a in ACTIVE_FLAVOURS if f"mD_{a}" in table}
        if "mD" in table and per:
            raise ParameterError("[massmodel] give mD (with flavour) or mD_e/mD_mu/mD_tau, not both")
        if "mD" in table:
            md: Any = _num(table, "mD")
        elif per:
            md = per
        else:
            raise ParameterError("[massmodel] preset 'minimal' needs mD (GeV)")
        return minimal_model(md, _num(table, "mu_prime"), _num(table, "Lambda"),
                             flavour=str(table.get("flavour", "mu"))), cm
    unknown = sorted(set(table) - _GENERAL_KEYS)
    if unknown:
        raise ParameterError(f"[massmodel] unknown key '{unknown[0]}' (keys: {', '.join(sorted(_GENERAL_KEYS))}; "
                             "or preset = \"minimal\")")
    if "matrix" not in table:
        raise ParameterError("[massmodel] needs preset = \"minimal\" or a matrix (GeV)")
    M = _matrix(table["matrix"], "matrix")
    if "matrix_imag" in table:
        Mi = _matrix(table["matrix_imag"], "matrix_imag")
        if Mi.shape != M.shape:
            raise ParameterError("[massmodel] matrix_imag must have the shape of matrix")
        M = M + 1j * Mi
    active = table.get("active", list(ACTIVE_FLAVOURS))
    if isinstance(active, str):
        active = [active]
    try:
        ns, nd = int(table.get("sterile", 0)), int(table.get("dark", 0))
    except (TypeError, ValueError):
        raise ParameterError("[massmodel] sterile and dark are numbers of states") from None
    if ns < 0 or nd < 0:
        raise ParameterError("[massmodel] sterile and dark must be >= 0")
    if "sterile" not in table and "dark" not in table:
        ns = M.shape[0] - len(active)
    return MassModel(M, tuple(str(a) for a in active), ns, nd), cm


# ------------------------------------------------------------------ to ModelParameters
def parameter_values(spectrum: Spectrum, *, complex_mixing: str = "error") -> tuple[dict[str, Any], list]:
    """ModelParameters values (m4.., HNLtype, U<alpha><i>, UD<i>) of a spectrum, and warnings (strings)
    and notes (:class:`MassModelNote`).

    Heavy states lighter than :data:`OSCILLATING_MAX_GEV` are oscillating sterile states, not HNLs:
    they are left out (a note says so; they enter through ``--oscillate``, :func:`oscillation_states`).
    """
    mm = spectrum.model
    heavy_all = spectrum.heavy_masses
    if heavy_all.size == 0:
        raise ParameterError("the mass model has no heavy state")
    if mm.n_dark > 1:
        raise ParameterError("darkbeam's parameters have one dark flavour (UD4..UD6); this mass model has "
                             f"{mm.n_dark}")
    nl = mm.n_light
    light_sterile = np.flatnonzero(heavy_all < OSCILLATING_MAX_GEV)
    hnl_cols = [nl + k for k in range(heavy_all.size) if heavy_all[k] >= OSCILLATING_MAX_GEV]
    heavy = spectrum.masses[hnl_cols]
    if heavy.size > 3:
        raise ParameterError(f"the mass model has {heavy.size} heavy states; darkbeam models at most 3 (N4, N5, N6)")
    O, eta, warnings = spectrum.real_mixing(complex_mixing)
    out: dict[str, Any] = {"HNLtype": "majorana"}
    if light_sterile.size:  # information, not a loss: a note
        warnings.append(MassModelNote(f"{light_sterile.size} state(s) below {OSCILLATING_MAX_GEV * 1e9:g} eV ("
                        + ", ".join(f"{heavy_all[k] * 1e9:.4g} eV" for k in light_sterile)
                        + ") are oscillating sterile states (through --oscillate with this model file), not HNLs of the generator"))
    for k, col in enumerate(hnl_cols):
        i = 4 + k
        out[f"m{i}"] = float(spectrum.masses[col])
        for a in mm.active:
            u = float(O[mm.labels.index(f"nu_{a}"), col])
            if u != 0.0:
                out[f"U{a}{i}"] = u
        if mm.n_dark == 1:
            u = float(O[mm.labels.index("nu_D"), col])
            if u != 0.0:
                out[f"UD{i}"] = u
    return out, warnings


def parity_note(spectrum: Spectrum, complex_mixing: str = "error") -> MassModelNote | None:
    """A note when the HNLs (states above :data:`OSCILLATING_MAX_GEV`) have opposite CP parities.

    What it means downstream: the nu_alpha-N_i vertices involve a massless neutrino, whose phase is free,
    so production (upscattering, meson decays) and N_i -> nu X are unaffected; the Majorana widths of
    N_j -> N_i X carry interference terms proportional to m_i m_j (docs/decays_dark.md, D1: -12 M m
    Re(a b*)) that darkbeam evaluates for equal parities (real couplings); opposite parities flip their
    sign.  Whether that changes results is checked by :func:`darkbeam.physics.hnl_parities.parity_warnings`.
    """
    nl = spectrum.model.n_light
    m = spectrum.masses[nl:]
    keep = m >= OSCILLATING_MAX_GEV
    _, eta, _ = spectrum.real_mixing(complex_mixing)
    eta = eta[nl:][keep]
    if not (np.any(eta < 0) and np.any(eta > 0)):
        return None
    signed = tuple(float(e * x) for e, x in zip(eta, m[keep]))
    return MassModelNote("the HNLs have opposite CP parities (signed masses "
                         + ", ".join(f"N{4 + k} {s:.4g}" for k, s in enumerate(signed))
                         + " GeV); darkbeam uses |m| and real couplings: production and N -> nu X are unaffected "
                         "(the light neutrino's phase is free), the Majorana interference terms of N_j -> N_i X "
                         "are those of equal parities (docs/massmodel.md)", signed)


def oscillation_states(spectrum: Spectrum, max_mass_gev: float = OSCILLATING_MAX_GEV):
    """(U, m^2 in eV^2, labels of the dropped states) for oscillations: rows e, mu, tau (a flavour that is
    not in the model is a decoupled massless state), then the model's other basis states; columns the
    light states and the heavy ones below ``max_mass_gev`` (the others are left out: not produced
    coherently, they leave a non-unitary active block; docs/massmodel.md "Oscillations")."""
    mm = spectrum.model
    U, m = spectrum.U, spectrum.masses
    cols = [c for c in range(m.size) if c < mm.n_light or m[c] < max_mass_gev]
    dropped = [f"N{4 + k}" for k in range(m.size - len(cols))]  # the HNLs, numbered as in parameter_values
    missing = [a for a in ACTIVE_FLAVOURS if a not in mm.active]
    n_other = len(mm.labels) - mm.n_light
    ncol = len(cols) + len(missing)
    out = np.zeros((3 + n_other, ncol), dtype=complex)
    for r, a in enumerate(ACTIVE_FLAVOURS):
        if a in mm.active:
            out[r, : len(cols)] = U[mm.labels.index(f"nu_{a}"), cols]
        else:
            out[r, len(cols) + missing.index(a)] = 1.0
    out[3:, : len(cols)] = U[mm.n_light:, cols]
    m2 = np.concatenate([(m[cols] * 1e9) ** 2, np.zeros(len(missing))])
    return out, m2, dropped


def model_values(table: Mapping[str, Any], others: Mapping[str, Any]) -> tuple[dict[str, Any], MassModel, list]:
    """The full ModelParameters values of a model file with a [massmodel] table: ``others`` (the
    file's other parameters; masses and mixings are refused there) plus the derived ones, the model,
    and its warnings (strings) and notes (:class:`MassModelNote`)."""
    clash = [k for k in others if k in DERIVED_KEYS]
    if clash:
        raise ParameterError(f"{clash[0]} is derived from the [massmodel] table: remove it from the model file")
    mm, cm = from_table(table)
    sp = mm.spectrum()
    values, warnings = parameter_values(sp, complex_mixing=cm)
    note = parity_note(sp, cm)
    if note is not None:
        warnings.append(note)  # a MassModelNote: information, printed once as a note
    out = dict(others)
    out.setdefault("name", f"massmodel ({mm.preset or 'matrix'})")
    out.update(values)
    return out, mm, warnings


def read_massmodel_file(path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the ``[massmodel]`` table, the other model keys) of a model TOML file
    (:func:`darkbeam.models.io.split_massmodel`); a file without a ``[massmodel]`` table is a
    ConfigurationError (docs/massmodel.md)."""
    from darkbeam.errors import ConfigurationError
    from darkbeam.models.io import read_toml, split_massmodel

    table, data = split_massmodel(read_toml(path))
    if table is None:
        raise ConfigurationError(f"{path}: no [massmodel] table (docs/massmodel.md)")
    return table, data
