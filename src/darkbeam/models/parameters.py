"""Model parameters: what a user writes in a model file or with ``--set key=value``.

Names follow DarkNews (Abdullahi et al. 2207.04137, its ``ThreePortalModel``) so that its users feel
at home.  Every parameter, its unit and meaning is listed in :data:`PARAMETER_DOCS` (and in
docs/models.md, generated from it).  Validation rejects unknown keys, negative masses, mixings larger
than one and senseless orderings with one clear :class:`~darkbeam.errors.ParameterError`.

Conventions (all in docs/models.md):

* HNL mixings ``Ualpha i`` are mixing-matrix elements (amplitudes, not squares), real.
* Kinetic mixing: give exactly one of ``epsilon`` (coupling e*epsilon*Q_f of a light Z' to SM
  fermions), ``epsilon2`` (= epsilon^2), ``alpha_epsilon2`` (= alpha_em * epsilon^2) or ``chi`` (the
  hypercharge mixing angle, epsilon = chi * cos(theta_W)).  Dark coupling: ``gD`` or ``alphaD``.
* Transition magnetic moments ``mu_tr_*`` in GeV^-1: L = (mu_tr/2) nubar sigma^{mu nu} N F_{mu nu}
  + h.c., the DarkNews convention (vertex t = mu_tr/2).  1 mu_B = e/(2 m_e) = 2.96e2 GeV^-1.
* Scalar couplings ``s_*`` are Yukawa couplings y nubar N h' (dimensionless).
* Light dark matter ``mchi`` (``dm_type`` 'fermion': Dirac; 'scalar': complex) carries unit charge of
  the same dark U(1) as the dark neutrino: it couples to the Z' with the one dark coupling ``gD`` /
  ``alphaD`` (docs/dark_matter.md).
* ALP couplings (docs/dark_matter.md, Bauer, Neubert, Thamm 1708.00443 eq. 1): L = -(g_agg/4) a F Ftilde
  - i g_all a lbar gamma5 l + g_s^2 (g_agluon) a G Gtilde, i.e. g_agg = -4 e^2 C_gg/Lambda,
  g_all = c_ll m_l/Lambda and g_agluon = C_GG/Lambda of that paper.
"""

from __future__ import annotations

import math
from typing import Any, Literal, Mapping, Optional

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from darkbeam import constants as C
from darkbeam.errors import ParameterError

HNL_INDICES = (4, 5, 6)
ACTIVE = ("e", "mu", "tau")
_PAIRS = ("44", "45", "46", "55", "56", "66")


def _fields_for(prefix: str) -> list[str]:
    names = [f"{prefix}{a}{i}" for i in HNL_INDICES for a in ACTIVE]
    return names + [f"{prefix}{p}" for p in _PAIRS]


MIXING_FIELDS = [f"U{a}{i}" for i in HNL_INDICES for a in ACTIVE]
DARK_MIXING_FIELDS = [f"UD{i}" for i in HNL_INDICES]
DIPOLE_FIELDS = _fields_for("mu_tr_")
SCALAR_FIELDS = _fields_for("s_")

#: one line of documentation per parameter: (unit, meaning)
PARAMETER_DOCS: dict[str, tuple[str, str]] = {
    "name": ("", "a label for the model; --set overrides append ' + key=value, ...' to it"),
    "m4": ("GeV", "mass of N4 (leave unset for no HNL)"),
    "m5": ("GeV", "mass of N5 (requires m4; m5 >= m4)"),
    "m6": ("GeV", "mass of N6 (requires m5; m6 >= m5)"),
    "HNLtype": ("", "'dirac' or 'majorana'"),
    "mzprime": ("GeV", "mass of the Z' / dark photon (unset: no Z')"),
    "zprime_charge": ("", "what the Z' gauges: 'dark' (kinetic mixing only, default), 'Le-Lmu', 'Le-Ltau', "
                          "'Lmu-Ltau', 'B-L', 'B-3Le', 'B-3Lmu' or 'B-3Ltau' (charges in docs/rare_scattering.md)"),
    "gX": ("", "gauge coupling of a gauged-charge Z' ('Le-Lmu' ... 'B-3Ltau') to SM fermions"),
    "loop_mixing": ("", "true (default): an 'La-Lb' Z' also mixes with the photon through the a and b lepton loops, "
                        "eps(q^2) of docs/rare_scattering.md, added to any tree-level epsilon; used by the nu-e and "
                        "CEvNS cross sections (the upscattering code uses tree-level couplings only)"),
    "gV_nue": ("", "extra vector coupling of the Z' to left-handed nu_e (NSI-like; nu-e and CEvNS only, docs/rare_scattering.md)"),
    "gV_numu": ("", "extra vector coupling of the Z' to left-handed nu_mu (NSI-like; nu-e and CEvNS only)"),
    "gV_nutau": ("", "extra vector coupling of the Z' to left-handed nu_tau (NSI-like; nu-e and CEvNS only)"),
    "gV_e": ("", "extra vector coupling of the Z' to electrons (NSI-like; nu-e and CEvNS only)"),
    "gV_u": ("", "extra vector coupling of the Z' to u quarks (NSI-like; nu-e and CEvNS only)"),
    "gV_d": ("", "extra vector coupling of the Z' to d quarks (NSI-like; nu-e and CEvNS only)"),
    "mphi": ("GeV", "mass of a light scalar phi with flavour-universal Yukawas gphi_* (NSI-like; nu-e and CEvNS only)"),
    "gphi_nu": ("", "Yukawa of phi to neutrinos, phi nubar nu"),
    "gphi_e": ("", "Yukawa of phi to electrons"),
    "gphi_q": ("", "Yukawa of phi to every quark (nucleon couplings 15.1 and 14.0 x gphi_q for p and n, 1604.01025)"),
    "epsilon": ("", "kinetic mixing, |epsilon| < 1: a light Z' couples as e*epsilon*Q_f to SM fermions "
                    "(any m_Z': exact Z-Z' diagonalisation, docs/couplings.md)"),
    "epsilon2": ("", "kinetic mixing squared, epsilon^2 (0 <= epsilon2 < 1)"),
    "alpha_epsilon2": ("", "alpha_em * epsilon^2 (0 <= alpha_epsilon2 < alpha_em)"),
    "chi": ("", "hypercharge kinetic mixing parameter, epsilon = chi * cos(theta_W), |chi| < 1"),
    "epsilonZ": ("", "Z-Z' mass mixing parameter (DarkNews 'epsilonZ')"),
    "gD": ("", "dark gauge coupling of the Z' to the dark neutrino nu_D"),
    "alphaD": ("", "gD^2 / (4 pi)"),
    "mchi": ("GeV", "mass of the light dark-matter particle chi, unit dark charge, coupled to the Z' with gD "
                    "(needs mzprime; unset: no chi; docs/dark_matter.md)"),
    "dm_type": ("", "'fermion' (Dirac chi, default) or 'scalar' (complex scalar chi)"),
    "ma": ("GeV", "mass of the axion-like particle a (unset: no ALP)"),
    "g_agg": ("GeV^-1", "ALP-photon coupling, L = -(g_agg/4) a F Ftilde (the effective coupling at m_a)"),
    "g_aee": ("", "ALP-electron pseudoscalar Yukawa, L = -i g_aee a ebar gamma5 e (= c_ee m_e/Lambda of 1708.00443)"),
    "g_amumu": ("", "ALP-muon pseudoscalar Yukawa, L = -i g_amumu a mubar gamma5 mu (= c_mumu m_mu/Lambda)"),
    "g_agluon": ("GeV^-1", "ALP-gluon coupling C_GG/Lambda of 1708.00443, L = g_s^2 g_agluon a G Gtilde "
                           "(hadronic decays a -> 3 pi)"),
    "mhprime": ("GeV", "mass of the dark scalar h' (unset: no h')"),
    "theta": ("rad", "h'-Higgs mixing angle, |theta| <= pi/2 (h' couples to SM fermions as sin(theta) * m_f / v)"),
}
for _a in ACTIVE:
    for _i in HNL_INDICES:
        PARAMETER_DOCS[f"U{_a}{_i}"] = ("", f"active-heavy mixing U_{_a}{_i} (amplitude, |U| <= 1)")
        PARAMETER_DOCS[f"mu_tr_{_a}{_i}"] = ("GeV^-1", f"transition magnetic moment nu_{_a} - N{_i}")
        PARAMETER_DOCS[f"s_{_a}{_i}"] = ("", f"Yukawa coupling of h' to nu_{_a} N{_i}")
for _i in HNL_INDICES:
    PARAMETER_DOCS[f"UD{_i}"] = ("", f"dark-heavy mixing U_D{_i} (amplitude, |U| <= 1)")
for _p in _PAIRS:
    PARAMETER_DOCS[f"mu_tr_{_p}"] = ("GeV^-1", f"transition magnetic moment N{_p[0]} - N{_p[1]}")
    PARAMETER_DOCS[f"s_{_p}"] = ("", f"Yukawa coupling of h' to N{_p[0]} N{_p[1]}")

#: generic (NSI-like) light-mediator couplings used by the rare-scattering processes
NSI_VECTOR_FIELDS = ["gV_nue", "gV_numu", "gV_nutau", "gV_e", "gV_u", "gV_d"]
NSI_SCALAR_FIELDS = ["gphi_nu", "gphi_e", "gphi_q"]
#: couplings of the axion-like particle (need ``ma``)
ALP_COUPLINGS = ["g_agg", "g_aee", "g_amumu", "g_agluon"]
_KINETIC_KEYS = ("epsilon", "epsilon2", "alpha_epsilon2", "chi")
_DARK_KEYS = ("gD", "alphaD")
#: groups of parameters that say the same thing in different forms: a model gives at most one of each
#: group, and an explicit override of one member replaces whichever member the model it modifies gave
EQUIVALENT_GROUPS: tuple[tuple[str, ...], ...] = (_KINETIC_KEYS, _DARK_KEYS)


class ModelParameters(BaseModel):
    """Validated parameters of a darkbeam model (units in :data:`PARAMETER_DOCS`).

    Build one with :meth:`from_dict` (or :func:`darkbeam.models.load_model`), which turns pydantic's
    validation errors into a one-line :class:`ParameterError`.  The object is immutable; derived
    couplings live in :class:`darkbeam.models.couplings.Couplings`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    name: str = "darkbeam_model"
    m4: Optional[float] = None
    m5: Optional[float] = None
    m6: Optional[float] = None
    HNLtype: Literal["dirac", "majorana"] = "dirac"

    mzprime: Optional[float] = None
    zprime_charge: Literal["dark", "Le-Lmu", "Le-Ltau", "Lmu-Ltau", "B-L", "B-3Le", "B-3Lmu", "B-3Ltau"] = "dark"
    gX: float = 0.0
    loop_mixing: bool = True
    gV_nue: float = 0.0
    gV_numu: float = 0.0
    gV_nutau: float = 0.0
    gV_e: float = 0.0
    gV_u: float = 0.0
    gV_d: float = 0.0
    mphi: Optional[float] = None
    gphi_nu: float = 0.0
    gphi_e: float = 0.0
    gphi_q: float = 0.0
    epsilon: Optional[float] = None
    epsilon2: Optional[float] = None
    alpha_epsilon2: Optional[float] = None
    chi: Optional[float] = None
    epsilonZ: float = 0.0
    gD: Optional[float] = None
    alphaD: Optional[float] = None
    mchi: Optional[float] = None
    dm_type: Literal["fermion", "scalar"] = "fermion"
    ma: Optional[float] = None
    g_agg: float = 0.0
    g_aee: float = 0.0
    g_amumu: float = 0.0
    g_agluon: float = 0.0

    mhprime: Optional[float] = None
    theta: float = 0.0

    # mixings, dipoles and Yukawas (filled in below)
    for _n in MIXING_FIELDS + DARK_MIXING_FIELDS + DIPOLE_FIELDS + SCALAR_FIELDS:
        locals()[_n] = 0.0
    __annotations__.update({n: float for n in MIXING_FIELDS + DARK_MIXING_FIELDS + DIPOLE_FIELDS + SCALAR_FIELDS})
    del _n

    @field_validator("HNLtype", "dm_type", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.lower() if isinstance(v, str) else v

    @model_validator(mode="after")
    def _check(self) -> "ModelParameters":
        for key in ("m4", "m5", "m6", "mzprime", "mhprime", "mphi", "mchi", "ma"):
            v = getattr(self, key)
            if v is not None and not (math.isfinite(v) and v > 0):
                raise ValueError(f"{key} = {v} GeV: a mass must be positive and finite")
        if self.m5 is not None and self.m4 is None:
            raise ValueError("m5 is set but m4 is not: HNLs are filled in order N4, N5, N6")
        if self.m6 is not None and self.m5 is None:
            raise ValueError("m6 is set but m5 is not: HNLs are filled in order N4, N5, N6")
        if self.m5 is not None and self.m5 < self.m4:
            raise ValueError(f"m5 = {self.m5} < m4 = {self.m4}: order the HNLs by mass (m4 <= m5 <= m6)")
        if self.m6 is not None and self.m6 < self.m5:
            raise ValueError(f"m6 = {self.m6} < m5 = {self.m5}: order the HNLs by mass (m4 <= m5 <= m6)")
        for key in MIXING_FIELDS + DARK_MIXING_FIELDS:
            v = getattr(self, key)
            if not math.isfinite(v) or abs(v) > 1.0:
                raise ValueError(f"{key} = {v}: a mixing-matrix element must satisfy |U| <= 1 (|U|^2 <= 1)")
        for i in HNL_INDICES:
            s = sum(getattr(self, f"U{a}{i}") ** 2 for a in ACTIVE)
            if s > 1.0:
                raise ValueError(f"sum over flavours of |U_alpha{i}|^2 = {s:.3g} > 1 violates unitarity")
        given = [k for k in _KINETIC_KEYS if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give only one of {', '.join(_KINETIC_KEYS)} (got {', '.join(given)})")
        for k, top, what in (("epsilon2", 1.0, "1 (|epsilon| < 1)"), ("alpha_epsilon2", C.ALPHA_EM, "alpha_em (|epsilon| < 1)")):
            v = getattr(self, k)
            if v is not None and not (math.isfinite(v) and 0 <= v < top):
                raise ValueError(f"{k} = {v}: must satisfy 0 <= {k} < {what}")
        for k in ("epsilon", "chi"):
            v = getattr(self, k)
            if v is not None and (not math.isfinite(v) or abs(v) >= 1):
                raise ValueError(f"{k} = {v}: kinetic mixing must satisfy |{k}| < 1")
        if self.gD is not None and self.alphaD is not None:
            raise ValueError("give only one of gD and alphaD")
        if self.alphaD is not None and self.alphaD < 0:
            raise ValueError(f"alphaD = {self.alphaD} must be >= 0")
        if self.gD is not None and not math.isfinite(self.gD):
            raise ValueError("gD must be finite")
        if self.zprime_charge != "dark" and self.mzprime is None:
            raise ValueError(f"zprime_charge = '{self.zprime_charge}' needs mzprime")
        for key in NSI_VECTOR_FIELDS + NSI_SCALAR_FIELDS:
            if not math.isfinite(getattr(self, key)):
                raise ValueError(f"{key} = {getattr(self, key)} must be finite")
        if self.mzprime is None and any(getattr(self, k) for k in NSI_VECTOR_FIELDS):
            raise ValueError("the extra vector couplings gV_* of the Z' need mzprime")
        if self.mphi is None and any(getattr(self, k) for k in NSI_SCALAR_FIELDS):
            raise ValueError("the scalar Yukawas gphi_* need mphi")
        for key in DIPOLE_FIELDS + SCALAR_FIELDS + ["gX", "theta", "epsilonZ"]:
            v = getattr(self, key)
            if not math.isfinite(v):
                raise ValueError(f"{key} = {v} must be finite")
        if abs(self.theta) > math.pi / 2:
            raise ValueError(f"theta = {self.theta} rad: the h'-Higgs mixing angle must satisfy |theta| <= pi/2 "
                             "(h' couples to SM fermions as sin(theta) m_f / v)")
        if self.mchi is not None and self.mzprime is None:
            raise ValueError("mchi needs mzprime: dark matter chi couples to the SM through the Z' (dark photon)")
        for key in ALP_COUPLINGS:
            v = getattr(self, key)
            if not math.isfinite(v):
                raise ValueError(f"{key} = {v} must be finite")
            if v != 0.0 and self.ma is None:
                raise ValueError(f"{key} is set but the ALP has no mass (set ma)")
        for i, m in zip(HNL_INDICES, (self.m4, self.m5, self.m6)):
            if m is None:
                bad = [k for k in self.model_fields_set if k[-1] == str(i) and k not in ("name",) and getattr(self, k)]
                bad = [k for k in bad if k in MIXING_FIELDS + DARK_MIXING_FIELDS + DIPOLE_FIELDS + SCALAR_FIELDS]
                if bad:
                    raise ValueError(f"{bad[0]} is set but N{i} has no mass (set m{i})")
        return self

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "ModelParameters":
        """Validate a mapping of parameters; raise :class:`ParameterError` with one clear line."""
        unknown = [k for k in values if k not in cls.model_fields]
        if unknown:
            raise ParameterError(
                f"unknown model parameter '{unknown[0]}' (see 'darkbeam params' or docs/models.md for the list)"
            )
        try:
            return cls(**values)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err.get("loc", ()))
            msg = err.get("msg", "invalid value")
            msg = msg.removeprefix("Value error, ")
            raise ParameterError(f"{loc + ': ' if loc else ''}{msg}") from None

    def replace(self, **changes: Any) -> "ModelParameters":
        """A new validated parameter set with some values changed (the rules of :func:`apply_overrides`;
        the name is kept unless ``name`` is among the changes)."""
        return type(self).from_dict(apply_overrides(self.model_dump(exclude_unset=True), changes, rename=False))

    # ------------------------------------------------------------------ derived, light
    @property
    def hnl_masses(self) -> tuple[float, ...]:
        """Masses of the HNLs present, GeV, in order N4, N5, N6."""
        return tuple(m for m in (self.m4, self.m5, self.m6) if m is not None)

    @property
    def n_hnl(self) -> int:
        return len(self.hnl_masses)

    @property
    def majorana(self) -> bool:
        return self.HNLtype == "majorana"

    @property
    def has_zprime(self) -> bool:
        return self.mzprime is not None

    @property
    def has_hprime(self) -> bool:
        return self.mhprime is not None

    @property
    def has_dm(self) -> bool:
        return self.mchi is not None

    @property
    def has_alp(self) -> bool:
        return self.ma is not None

    @property
    def dm_label(self) -> str:
        """Particle label of the dark-matter particle: 'chi' (Dirac fermion) or 'chi_s' (complex scalar)."""
        return "chi" if self.dm_type == "fermion" else "chi_s"

    def particles(self) -> list[str]:
        """Names of the new particles in the model: N4.., zprime, hprime, chi or chi_s, alp."""
        out = [f"N{i}" for i in HNL_INDICES[: self.n_hnl]]
        if self.has_zprime:
            out.append("zprime")
        if self.has_hprime:
            out.append("hprime")
        if self.has_dm:
            out.append(self.dm_label)
        if self.has_alp:
            out.append("alp")
        return out


def _show(v: Any) -> str:
    return repr(v) if isinstance(v, float) else str(v)


def modified_name(base_name: str, changes: Mapping[str, Any]) -> str:
    """The name of a model after ``changes``: ``"darknews_default + m4=0.1, mzprime=0.03"``."""
    shown = [f"{k}={_show(v)}" for k, v in changes.items() if k != "name"]
    return f"{base_name} + {', '.join(shown)}" if shown else base_name


def apply_overrides(base: Mapping[str, Any], overrides: Mapping[str, Any], *, rename: bool = True) -> dict[str, Any]:
    """Parameter values of ``base`` with explicit ``overrides`` on top (not validated).

    Rules (docs/models.md, "Overrides"):

    * an override replaces the base's value of the same parameter, and also the base's value of any
      *equivalent* parameter (:data:`EQUIVALENT_GROUPS`: ``epsilon``/``epsilon2``/``alpha_epsilon2``/
      ``chi``, and ``gD``/``alphaD``): ``--set alphaD=0.25`` on a model with ``gD = 1`` means alphaD = 0.25;
    * two overrides of one group contradict each other: :class:`ParameterError`, one line;
    * the value ``None`` removes a parameter (e.g. ``--set mhprime=none``);
    * ``rename``: unless ``name`` is overridden, a model that really changed is renamed
      "<base name> + key=value, ..." (:func:`modified_name`), listing the overrides that change it.
    """
    overrides = dict(overrides)
    for group in EQUIVALENT_GROUPS:
        given = [k for k in group if k in overrides and overrides[k] is not None]
        if len(given) > 1:
            raise ParameterError(f"the overrides give both {given[0]} and {given[1]}, which are the same parameter "
                                 f"in two forms: give only one of {', '.join(group)}")
    values = dict(base)
    for group in EQUIVALENT_GROUPS:
        if any(k in overrides for k in group):
            for k in group:
                values.pop(k, None)
    changed = {k: v for k, v in overrides.items() if k == "name" or base.get(k) != v or k not in base}
    changed = {k: v for k, v in changed.items() if not (v is None and k not in base)}
    for k, v in overrides.items():
        if v is None:
            values.pop(k, None)
        else:
            values[k] = v
    if rename and "name" not in overrides and any(k != "name" for k in changed):
        values["name"] = modified_name(str(base.get("name", ModelParameters.model_fields["name"].default)), changed)
    return values


#: DarkNews's default model (its GenLauncher defaults): a Dirac HNL of 150 MeV with a 1.25 GeV Z'.
DARKNEWS_DEFAULT = {
    "name": "darknews_default",
    "m4": 0.150,
    "HNLtype": "dirac",
    "mzprime": 1.25,
    "epsilon": 1e-3,
    "gD": 1.0,
    "Umu4": 1e-3,
    "UD4": 1.0,
}


def default_model() -> ModelParameters:
    """darkbeam's built-in default model (DarkNews's default, see :data:`DARKNEWS_DEFAULT`)."""
    return ModelParameters.from_dict(dict(DARKNEWS_DEFAULT))
