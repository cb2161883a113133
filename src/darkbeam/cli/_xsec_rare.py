"""``darkbeam xsec --process nu-e|cevns|trident``: rare-scattering cross sections (docs/rare_scattering.md,
docs/tridents.md).

Imported by cli/xsec.py only when such a process is asked for (not a command module of its own)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from darkbeam.cli.common import model_from_options, print_json
from darkbeam.errors import ConfigurationError

RARE_PROCESSES = ("nu-e", "cevns", "trident")
#: every value of ``darkbeam xsec --process`` (nc-pi0 is handled by cli/_xsec_nc_pi0.py)
ALL_PROCESSES = ("upscattering",) + RARE_PROCESSES + ("nc-pi0",)


def _model(model: Optional[Path], sets: Optional[list[str]]):
    """The model: a file (with --set on top), or the Standard Model plus --set values."""
    if model is not None:
        return model_from_options(model, sets)
    from darkbeam.models import parse_assignments
    from darkbeam.models.parameters import ModelParameters

    return ModelParameters.from_dict({"name": "standard_model", **parse_assignments(sets or [])})


def rare_xsec(process: str, E: list[float], target: Optional[str], projectile: str, form_factor: Optional[str],
              sw2: Optional[float], recoil_min: float, recoil_max: Optional[float], magnetic_moment: float,
              model: Optional[Path], sets: Optional[list[str]], as_json: bool, radiative: str = "none") -> None:
    from darkbeam.models.zprime_charges import scalar_mediator, zprime_mediator
    from darkbeam.physics.cevns_radiative import check_radiative, default_sw2

    if process not in ALL_PROCESSES:
        raise ConfigurationError(f"unknown process '{process}' (choose from {', '.join(ALL_PROCESSES)})")
    if process not in ("nu-e", "cevns"):
        raise ConfigurationError(f"process '{process}' has its own cross-section function (this one: nu-e, cevns)")
    check_radiative(process, radiative)
    sw2 = default_sw2(process, radiative) if sw2 is None else sw2
    params = _model(model, sets)
    mediator = zprime_mediator(params, sw2)
    scalar = scalar_mediator(params)
    info: dict = {"unit": "cm2", "process": process, "projectile": projectile, "sw2": sw2,
                  "mediator": None if mediator is None else mediator.label,
                  "scalar": None if scalar is None else f"phi ({scalar.mass:g} GeV)"}
    if process == "nu-e":
        from darkbeam.physics import nuclear
        from darkbeam.physics.nu_electron import NuElectronXsec

        if form_factor is not None:
            raise ConfigurationError("--form-factor applies to --process cevns and upscattering only")
        xs = NuElectronXsec(projectile, mediator, sw2, magnetic_moment, scalar, radiative=radiative)
        info["per"] = "electron"
        info["radiative"] = radiative
        if target is not None:
            info["target"] = nuclear.nucleus(target).name
            info["electrons_per_atom"] = nuclear.nucleus(target).Z
    else:
        from darkbeam.physics.cevns import CEvNSXsec

        xs = CEvNSXsec(target or "Cs133", projectile, mediator=mediator, scalar=scalar, magnetic_moment=magnetic_moment, sw2=sw2,
                       form_factor=form_factor or "helm", radiative=radiative)
        info.update(per="nucleus", target=xs.nucleus.name, nuclear_ff=xs.form_factor, weak_charge=xs.weak_charge,
                    radiative=radiative)
    sigma = xs.sigma(E, t_min=recoil_min, t_max=recoil_max)
    info.update(recoil_min_GeV=recoil_min, recoil_max_GeV=recoil_max)
    from darkbeam.physics.cevns_radiative import radiative_caveat

    if radiative_caveat(process, radiative):
        info["caveats"] = radiative_caveat(process, radiative)
    if as_json:
        print_json({**info, "energies_GeV": [float(e) for e in E], "sigma_cm2": [float(s) for s in sigma]})
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    what = f"{projectile} e- -> {projectile} e-" if process == "nu-e" else f"{projectile} {info['target']} -> {projectile} {info['target']} (CEvNS)"
    console.print(escape(what), highlight=False)
    extra = f", Q_W = {info['weak_charge']:.4f}, form factor {info['nuclear_ff']}" if process == "cevns" else ""
    scal = f", scalar {info['scalar']}" if scalar is not None else ""
    rad = {"none": "", "ew": "; radiative corrections: electroweak (BKS 1995)",
           "full": "; radiative corrections: electroweak + QED electron spectrum (BKS 1995)",
           "calorimetric": "; radiative corrections: electroweak + QED electron-plus-photon energy (BKS 1995, collinear photons added back)"}[radiative]
    if process == "cevns" and radiative == "ew":
        rad = "; radiative corrections: one-loop g_V^p(nu_l, Q^2) with the neutrino charge radius, g_V^n = -0.5117"
    console.print(f"sin^2 theta_W = {sw2:g}{extra}; mediator: {info['mediator'] or 'none (Standard Model)'}{scal}{rad}",
                  highlight=False)
    window = f"recoil {recoil_min:g} GeV to {'T_max' if recoil_max is None else f'{recoil_max:g} GeV'}"
    console.print(f"sigma per {info['per']}, {window}", highlight=False)
    for c in info.get("caveats", []):
        console.print(f"caveat: {c}", highlight=False)
    t = Table()
    t.add_column(escape("E [GeV]"), justify="right", no_wrap=True)
    t.add_column(escape("sigma [cm^2]"), justify="right", no_wrap=True)
    for e, s in zip(E, sigma):
        t.add_row(f"{e:g}", f"{s:.5e}")
    console.print(t)


#: the gauged charges whose Z' couples to the trident channels' leptons at tree level (physics.trident_channels)
TRIDENT_CHARGES = ("Lmu-Ltau", "Le-Lmu", "Le-Ltau")


def trident_xsec_command(E: list[float], channel: Optional[str], regime: Optional[str], target: Optional[str],
                         projectile: Optional[str], form_factor: Optional[str], sw2: Optional[float],
                         model: Optional[Path], sets: Optional[list[str]], as_json: bool) -> None:
    """sigma(E) per nucleus of one trident channel (physics.trident.trident_xsec): the Standard Model
    plus, from --model / --set, a Z' of L_mu - L_tau, L_e - L_mu or L_e - L_tau (tree-level couplings)."""
    from darkbeam import constants as C
    from darkbeam.physics.trident import trident_xsec
    from darkbeam.physics.trident_channels import CHANNEL_NAMES, channel as get_channel, zprime_for_channel

    if channel is None:
        raise ConfigurationError("--process trident needs --channel, e.g. --channel 'nu_mu -> nu_mu mu+ mu-' "
                                 f"(one of: {', '.join(CHANNEL_NAMES)})")
    ch = get_channel(channel)
    if projectile is not None and projectile != ch.name.split(" -> ")[0]:
        raise ConfigurationError(f"--projectile {projectile} contradicts the channel '{ch.name}'")
    regime = regime or "coherent"
    target = target or "Ar40"
    sw2 = C.SW2_LOW_Q2 if sw2 is None else sw2
    params = _model(model, sets)
    zprime, label = None, None
    if params.has_zprime:
        if params.zprime_charge not in TRIDENT_CHARGES:
            raise ConfigurationError(f"tridents take a Z' of {', '.join(TRIDENT_CHARGES)} (zprime_charge), not "
                                     f"'{params.zprime_charge}'")
        zprime = zprime_for_channel(ch, params.zprime_charge, float(params.gX), float(params.mzprime))
        label = f"{params.zprime_charge} Z' ({float(params.mzprime):g} GeV, gX = {float(params.gX):g}, tree level)"
    sigma = trident_xsec(E, channel=ch.name, regime=regime, target=target, zprime=zprime, sw2=sw2,
                         form_factor_scheme=form_factor or "default")
    info = {"unit": "cm2", "per": "nucleus", "process": "trident", "channel": ch.name, "regime": regime,
            "target": target, "sw2": sw2, "mediator": label}
    if as_json:
        print_json({**info, "energies_GeV": [float(e) for e in E], "sigma_cm2": [float(s) for s in np.atleast_1d(sigma)]})
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    console.print(escape(f"{ch.name} on {target} ({regime})"), highlight=False)
    console.print(f"sin^2 theta_W = {sw2:g}; mediator: {label or 'none (Standard Model)'}", highlight=False)
    t = Table()
    t.add_column(escape("E [GeV]"), justify="right", no_wrap=True)
    t.add_column(escape("sigma [cm^2]"), justify="right", no_wrap=True)
    for e, s in zip(E, np.atleast_1d(sigma)):
        t.add_row(f"{e:g}", f"{s:.5e}")
    console.print(t)
