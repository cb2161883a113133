"""When opposite CP parities of Majorana HNLs change darkbeam's results (docs/massmodel.md).

darkbeam's ModelParameters have real mixings and positive masses: a mass model whose HNLs have
opposite CP parities (the minimal model always: m_4 < 0 < m_5) is mapped with |m| and the real
orthogonal mixing.  The light neutrino in the nu_alpha-N_i vertices is massless, so its phase is free
and production (upscattering, meson decays) and N_i -> nu X are unchanged.  Only the transitions
N_j -> N_i X between HNLs are affected: their Majorana interference terms are proportional to m_i m_j
(docs/decays_dark.md, D1: -12 M m Re(a b*) in the two-body width; the same structure in
N_j -> N_i f fbar) and flip sign for opposite parities.  Writing darkbeam's width as A + I (I the
interference part), the opposite-parity width is A - I; both are >= 0, so |I| <= A and the change is
|2 I| <= 2 A.  Where darkbeam's interference is constructive (I >= 0; e.g. N_j -> N_i Z', where
Re(a b*) = -|d|^2 makes -12 M m Re(a b*) positive) A <= Gamma_darkbeam and the change is at most
2 Gamma(N_j -> N_i X); otherwise this is an estimate.  :func:`parity_warnings` warns when
2 BR(N_j -> N_i X) exceeds :data:`PARITY_WARN_FRACTION`.
"""

from __future__ import annotations

#: warn when 2 BR(N_j -> N_i X) of an HNL pair with opposite parities exceeds this (1 %)
PARITY_WARN_FRACTION = 0.01


def parity_warnings(params, signed_masses) -> list[str]:
    """Warnings (module docstring) for ModelParameters ``params`` and the signed HNL masses (GeV) of its
    mass model (N4, N5, ... in order)."""
    from darkbeam.physics.decays import decay_table

    signed = list(signed_masses)
    out: list[str] = []
    for j in range(1, len(signed)):
        opposite = [i for i in range(j) if signed[i] * signed[j] < 0]
        if not opposite:
            continue
        try:
            table = decay_table(params, f"N{4 + j}")
        except Exception:  # noqa: BLE001 - no decay table (e.g. incomplete dark sector): nothing to check
            continue
        for i in opposite:
            br = sum(b for name, b in table.branching_ratios.items() if name.split()[0] == f"N{4 + i}")
            if 2.0 * br > PARITY_WARN_FRACTION:
                out.append(f"N{4 + j} -> N{4 + i} X is {100 * br:.3g} % of N{4 + j} decays; its Majorana interference "
                           f"terms (relative order m{4 + i}/m{4 + j} = {abs(signed[i] / signed[j]):.2g}) are computed for "
                           f"equal CP parities, but this model's are opposite: N{4 + j}'s width may change by up to ~2x this "
                           f"channel's width ({200 * br:.3g} % of the total; docs/massmodel.md)")
    return out
