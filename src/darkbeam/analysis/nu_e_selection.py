"""nu-e yields after the detector response: smeared electrons, analysis cuts, selected rates.

:func:`apply_response` adds the smeared-observable columns ``electron_E_smeared``,
``electron_theta_smeared`` and ``pass_cuts`` (:data:`darkbeam.events.scatter_schema.RESPONSE_COLUMNS`) to nu-e
events of :func:`darkbeam.processes.rare_scatter.simulate`; :func:`selected_yield` generates, smears and
sums the weights that pass: sum(w) over all events is the quadrature rate (rare_scatter), so the
selected yield is rate x (weighted pass fraction), with the MC error of the fraction.  The response
and cuts: :mod:`darkbeam.detectors.nu_e_response` (docs/rare_scattering.md, section 8a).
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError


def apply_response(events, response, rng: np.random.Generator):
    """A copy of nu-e ``events`` with the smeared electron energy and angle and the cut decision as
    columns (the electron is the ``recoil`` role; the beam along +z)."""
    from darkbeam.detectors.nu_e_response import NuEResponse, smear
    from darkbeam.events.scattering import ScatterEvents

    if events.meta.get("process") != "nu-e":
        raise ConfigurationError("a nu-e detector response applies to nu-e events only")
    if not isinstance(response, NuEResponse):
        raise ConfigurationError("response must be a NuEResponse (detectors.nu_e_response.nu_e_response(name))")
    c = events.columns
    px, py, pz = c["recoil_px"], c["recoil_py"], c["recoil_pz"]
    E = np.sqrt(px * px + py * py + pz * pz + C.M_E**2)
    E_obs, theta, ok = smear(E, px, py, pz, response, rng)
    cols = {**c, "electron_E_smeared": E_obs, "electron_theta_smeared": theta, "pass_cuts": ok.astype(float)}
    meta = {**events.meta, "response": {"name": response.name, "source": response.source,
                                        "e_min_GeV": response.e_min, "e_max_GeV": response.e_max,
                                        "etheta2_max_GeV_rad2": response.etheta2_max}}
    meta["caveats"] = list(meta.get("caveats", [])) + [f"detector response '{response.name}': {response.caveat}"]
    return ScatterEvents(cols, events.cases, meta, validate=False)


def selected_yield(experiment: str, response: str = "auto", *, n: int = 100_000, seed: int = 1,
                   radiative: str = "none", sw2: Optional[float] = None, t_min: Optional[float] = None,
                   t_max: Optional[float] = None, params=None) -> dict:
    """Expected nu-e events at a catalog ``experiment`` before and after its detector ``response``:
    {'all': rate in the recoil window, 'selected': after smearing and cuts, 'selected_err': MC error,
    'fraction', 'per_flavour': {flavour: (all, selected)}, 'response': name}.  ``t_min`` defaults to 0
    (every recoil: the cuts are on the smeared energy)."""
    from darkbeam.detectors.nu_e_response import nu_e_response
    from darkbeam.processes.rare_scatter import simulate

    resp = nu_e_response(response, experiment)
    rng = np.random.default_rng(seed)
    ev = simulate("nu-e", experiment, params, n=n, rng=rng, radiative=radiative, sw2=sw2,
                  t_min=0.0 if t_min is None else t_min, t_max=t_max, seed=seed)
    ev = apply_response(ev, resp, rng)
    w, ok = ev.w, ev.columns["pass_cuts"] > 0
    case = ev.columns["case"]
    per, var = {}, 0.0
    for i, cinfo in enumerate(ev.cases):
        sel = case == i
        wi, oki = w[sel], ok[sel]
        # sum(w) of a case is exact (quadrature); the pass fraction f = sum(w ok)/sum(w) is the MC part
        tot, acc = float(wi.sum()), float(wi[oki].sum())
        m = wi.size
        if tot > 0 and m > 1:
            x = wi / wi.mean()
            f = acc / tot
            var += tot**2 * float(np.var(x * (oki - f), ddof=1)) / m
        per[cinfo.name.split()[0]] = (tot, acc)
    total = float(w.sum())
    sel_total = float(w[ok].sum())
    return {"experiment": ev.meta["experiment"], "response": resp.name, "radiative": radiative, "all": total,
            "selected": sel_total, "selected_err": math.sqrt(var), "fraction": sel_total / total if total else 0.0,
            "per_flavour": per, "source": resp.source, "caveat": resp.caveat}
