"""Models: validated parameter sets and the couplings derived from them."""

from darkbeam.models.couplings import Couplings, couplings
from darkbeam.models.io import load_model, parse_assignments
from darkbeam.models.parameters import (
    DARKNEWS_DEFAULT,
    EQUIVALENT_GROUPS,
    PARAMETER_DOCS,
    ModelParameters,
    apply_overrides,
    default_model,
)

__all__ = [
    "Couplings",
    "couplings",
    "load_model",
    "parse_assignments",
    "ModelParameters",
    "default_model",
    "DARKNEWS_DEFAULT",
    "EQUIVALENT_GROUPS",
    "apply_overrides",
    "PARAMETER_DOCS",
]
