"""Per-case upscattering rates against DarkNews 0.4.8's event generator (its "Predicted events").

DarkNews is not installed in CI: the reference numbers were produced with DarkNews 0.4.8 in its own
virtual environment by `dn_gen` (seed default) with the arguments below, and copied from its output
(rate +- its printed error, nu_mu projectiles, coherent and proton-elastic cases in its order).
darkbeam runs with --couplings darknews (DarkNews's electroweak inputs and modelling choices, and its
energy range starting at 1.05 x threshold; docs/generator.md).  Agreement is required within 2.5%
(DarkNews's own statistical errors are 1.1-1.2%); the two proton-elastic helicity-conserving cases of
the default model are the documented exception: DarkNews's nucleon form factors count the weak charge
twice, which removes most of its Z contribution on nucleons, while darkbeam keeps the Z-Z'
interference (+7 to +8%; docs/xsec_vs_darknews.md, "p-el with the Z").
"""

import pytest

from darkbeam.models import ModelParameters, default_model
from darkbeam.processes.generator import generate
from darkbeam.processes.upscatter_decay import GenerationOptions

DN = {
    # dn_gen   (default model, miniboone_fhc)
    "default": (None, "miniboone_fhc",
                [21.9, 0.0419, 38.9, 0.306, 12.9, 0.102]),
    # dn_gen --experiment microboone --mzprime 0.03 --m4 0.1 --Umu4 1e-3 --UD4 1 --gD 1 --epsilon 1e-3
    "light_zprime_microboone": ({"m4": 0.1, "mzprime": 0.03, "Umu4": 1e-3, "UD4": 1.0, "gD": 1.0, "epsilon": 1e-3},
                                "microboone", [9.34e5, 92.0, 6.35e4, 28.6]),
    # dn_gen --experiment miniboone_fhc --mu_tr_mu4 1e-6 --m4 0.1 --Umu4 0 --UD4 0 --epsilon 0 --gD 0
    #        --decay_product photon
    "dipole_miniboone": ({"m4": 0.1, "mu_tr_mu4": 1e-6}, "miniboone_fhc",
                         [41.0, 1.46e4, 9.54, 3.73e3, 3.16, 1.24e3]),
}
EXPLAINED = {("default", 2), ("default", 4)}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.requires_data("MicroBooNE_BNB_fullflux"))
                                  if n == "light_zprime_microboone" else n for n in sorted(DN)])
def test_per_case_rates_match_darknews(name):
    model, exp, ref = DN[name]
    p = default_model() if model is None else ModelParameters.from_dict(model)
    r = generate(p, exp, seed=2, projectiles=["nu_mu"], regimes=("coherent", "p-el"), couplings_scheme="darknews",
                 options=GenerationOptions(neval=3000, n_batches=2, nitn_adapt=5, neval_adapt=3000))
    got = [c["upscattered"] for c in r.summary.cases]
    assert len(got) == len(ref)
    for k, (g, d) in enumerate(zip(got, ref)):
        ratio = g / d
        if (name, k) in EXPLAINED:
            assert 1.05 < ratio < 1.11, (name, k, ratio)
        else:
            assert abs(ratio - 1) < 0.025, (name, r.summary.cases[k]["case"], ratio)
