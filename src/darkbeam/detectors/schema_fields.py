"""Field types and checks shared by the experiment and shape schemas (darkbeam.detectors.schema).

Numbers are finite floats, also written as fractions in strings ("12/13"); positive and non-negative
numbers, 3-vectors, positive sizes, non-zero directions, string lists, nucleus names (symbol + mass
number) and energy ranges each carry a one-phrase message ("must be positive, got -1") that the
schema's error formatter puts after the file, table and key.  :class:`_Strict` closes every table
and names the closest known key for an unknown one.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Annotated, Any, Mapping, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator

from darkbeam.errors import ConfigurationError

# chemical symbols, Z = 1..118 (IUPAC)
_ELEMENTS = (
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr "
    "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm "
    "Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No "
    "Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og"
).split()
_Z_OF = {s: i + 1 for i, s in enumerate(_ELEMENTS)}
_NUCLEUS_RE = re.compile(r"^([A-Z][a-z]?)(\d{1,3})$")


def parse_nucleus(name: str) -> tuple[int, int]:
    """(Z, A) of a nucleus named like 'C12', 'Ar40', 'H1', 'Pb208'.

    A must satisfy Z <= A <= 3 Z + 10 (every known nuclide does); anything else is a
    ConfigurationError."""
    m = _NUCLEUS_RE.match(str(name).strip())
    if not m or m.group(1) not in _Z_OF:
        raise ConfigurationError(f"unknown nuclear target '{name}' (write symbol + mass number, e.g. C12, Ar40, H1)")
    Z, A = _Z_OF[m.group(1)], int(m.group(2))
    if not (Z <= A <= 3 * Z + 10):
        raise ConfigurationError(f"unknown nuclear target '{name}': mass number {A} impossible for Z = {Z}")
    return Z, A


def closest(word: str, choices) -> Optional[str]:
    """The entry of ``choices`` closest to ``word`` (difflib ratio >= 0.6), or None."""
    import difflib  # only for a message: not imported when every file is valid

    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(word: str, choices) -> str:
    """' (did you mean 'x'?)' for the closest of ``choices``, or ''."""
    c = closest(word, choices)
    return f" (did you mean '{c}'?)" if c else ""


def unknown(what: str, word: str, choices, listing: str = "use one of") -> str:
    """"unknown <what> 'word' (did you mean 'x'?; <listing> a, b, c)"."""
    c = closest(word, choices)
    hint = f"did you mean '{c}'?; " if c else ""
    return f"unknown {what} '{word}' ({hint}{listing} {', '.join(str(x) for x in choices)})"


# --------------------------------------------------------------------------- scalar types
def _number(v: Any) -> float:
    """A finite number: int, float or a string holding a number or a fraction 'a/b'."""
    if isinstance(v, bool):
        raise ValueError(f"must be a number, got {v!r}")
    if isinstance(v, str):
        try:
            x = float(Fraction(v.replace(" ", "")))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"must be a number or a fraction 'a/b', got {v!r}") from None
    elif isinstance(v, (int, float)):
        x = float(v)
    else:
        raise ValueError(f"must be a number, got {v!r}")
    if not math.isfinite(x):
        raise ValueError(f"must be finite, got {v!r}")
    return x


def _positive(x: float) -> float:
    if x <= 0:
        raise ValueError(f"must be positive, got {x:g}")
    return x


def _nonnegative(x: float) -> float:
    if x < 0:
        raise ValueError(f"must not be negative, got {x:g}")
    return x


def _vec3(v: Any) -> tuple[float, float, float]:
    if not isinstance(v, (list, tuple)) or len(v) != 3:
        raise ValueError(f"must be three numbers [x, y, z], got {v!r}")
    try:
        return tuple(_number(c) for c in v)  # type: ignore[return-value]
    except ValueError:
        raise ValueError(f"must be three finite numbers [x, y, z], got {v!r}") from None


def _positive_vec3(v: tuple[float, float, float]) -> tuple[float, float, float]:
    if any(c <= 0 for c in v):
        raise ValueError(f"must be three positive numbers (cm), got {list(v)}")
    return v


def _direction(v: tuple[float, float, float]) -> tuple[float, float, float]:
    if all(c == 0 for c in v):
        raise ValueError("must be a non-zero vector")
    return v


def _str_list(v: Any) -> Any:
    if isinstance(v, str):
        return [v]
    if isinstance(v, (list, tuple)) and not all(isinstance(i, str) for i in v):
        raise ValueError("must be a string or a list of strings")
    return v


def _nucleus(v: str) -> str:
    try:
        parse_nucleus(v)
    except ConfigurationError as exc:
        raise ValueError(str(exc)) from None
    return v


Number = Annotated[float, BeforeValidator(_number)]
Positive = Annotated[float, BeforeValidator(_number), AfterValidator(_positive)]
NonNegative = Annotated[float, BeforeValidator(_number), AfterValidator(_nonnegative)]
Vec3 = Annotated[tuple[float, float, float], BeforeValidator(_vec3)]
PositiveVec3 = Annotated[tuple[float, float, float], BeforeValidator(_vec3), AfterValidator(_positive_vec3)]
Direction = Annotated[tuple[float, float, float], BeforeValidator(_vec3), AfterValidator(_direction)]
StrList = Annotated[tuple[str, ...], BeforeValidator(_str_list)]


def _nuclei_masses(v: Any) -> Any:
    """A table nucleus -> positive number; checks the nucleus names (keys) with a clear message."""
    if not isinstance(v, Mapping):
        return v  # pydantic reports the type
    if not v:
        raise ValueError("must name at least one nucleus, e.g. { Ar40 = 1.0 }")
    for k in v:
        _nucleus(k)
    return v


def _energy_range(v: Any) -> tuple[float, float]:
    if not isinstance(v, (list, tuple)) or len(v) != 2:
        raise ValueError(f"must be [Emin, Emax] in GeV, got {v!r}")
    lo, hi = _number(v[0]), _number(v[1])
    if lo < 0 or not hi > lo:
        raise ValueError(f"must be [Emin, Emax] in GeV with 0 <= Emin < Emax, got {list(v)}")
    return lo, hi


EnergyRange = Annotated[tuple[float, float], BeforeValidator(_energy_range)]
NucleusTable = Annotated[dict[str, Positive], BeforeValidator(_nuclei_masses)]


# --------------------------------------------------------------------------- models
class _Strict(BaseModel):
    """Strict table: unknown keys are an error naming the closest known key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            allowed = cls.model_fields
            extra = sorted(k for k in data if k not in allowed)
            if extra:
                raise ValueError(unknown("key", extra[0], sorted(allowed), "allowed:"))
        return data
