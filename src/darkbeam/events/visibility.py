"""Which decays of N a detector can see.

Definition (docs/events.md, "Visible and invisible decays"): a final daughter is **visible** if it is
electrically charged, a photon, or a hadron (or a quark or gluon of an inclusive partonic channel,
which hadronises): it deposits energy in the detector.  It is **invisible** if it is a neutrino
(PDG |code| 12, 14, 16) or one of darkbeam's new particles left undecayed in the final state (an
HNL, a Z' or h' with no open decay channel: PDG |code| 5901-5929, docs/pdg_codes.md), which escapes
or decays outside what the event describes.  A decay is visible if at least one of its final
daughters, after the decays of intermediates (N -> nu Z', Z' -> e+ e-: the final daughters are
nu e+ e-), is visible: N -> 3 nu and N -> nu Z' with Z' -> nu nu are invisible, N -> nu gamma and
N -> nu e+ e- visible.
"""

from __future__ import annotations

from typing import Iterable

#: PDG codes (absolute values) of invisible final particles: neutrinos
NEUTRINO_CODES = frozenset({12, 14, 16})
#: range of darkbeam's codes for new particles (59 + spin digit + generation digit; docs/pdg_codes.md)
NEW_PARTICLE_CODES = range(5900, 5930)


def is_visible_pdg(code: int) -> bool:
    """True for a final daughter a detector sees (module docstring); 0 (an empty slot) is invisible."""
    a = abs(int(code))
    if a == 0 or a in NEUTRINO_CODES or a in NEW_PARTICLE_CODES:
        return False
    return True


def visible_pdg_mask(codes) -> "np.ndarray":
    """:func:`is_visible_pdg` of an array of PDG codes, elementwise (a boolean array)."""
    import numpy as np

    a = np.abs(np.asarray(codes, dtype=np.int64))
    return ~((a == 0) | np.isin(a, list(NEUTRINO_CODES))
             | ((a >= NEW_PARTICLE_CODES.start) & (a < NEW_PARTICLE_CODES.stop)))


def is_visible_final_state(codes: Iterable[int]) -> bool:
    """True if at least one of the final daughters' PDG ``codes`` is visible."""
    return any(is_visible_pdg(c) for c in codes)


def is_visible_label(label: str) -> bool:
    """:func:`is_visible_pdg` of a particle label (``"e-"``, ``"nu_mu"``, ``"zprime"``...)."""
    from darkbeam.physics.particles import pdg_code

    return is_visible_pdg(pdg_code(label))


def is_visible_labels(labels: Iterable[str]) -> bool:
    """True if at least one final daughter label is visible."""
    return any(is_visible_label(lab) for lab in labels)
