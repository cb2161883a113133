"""``darkbeam xsec``: cross section sigma(E) of one process: upscattering per target nucleus (default),
neutrino-electron elastic scattering per electron (``--process nu-e``), CEvNS per nucleus
(``--process cevns``) or neutrino tridents per nucleus (``--process trident --channel ...``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from darkbeam.cli.common import JSON_OPTION, MODEL_OPTION, SET_OPTION, model_from_options, print_json
from darkbeam.cli.main import app
from darkbeam.errors import ConfigurationError


def _energies(first: Optional[list[str]], rest: Optional[list[str]]) -> list[float]:
    """--energies takes several values (``--energies 0.5 1 2``): click gives the first to the option
    and the others as extra arguments; both are collected here."""
    values = list(first or []) + list(rest or [])
    if not values:
        raise ConfigurationError("give at least one energy in GeV: --energies 0.5 1 2")
    out = []
    for v in values:
        try:
            out.append(float(v))
        except ValueError:
            if v.startswith("--"):
                raise ConfigurationError(f"no such option: {v.split('=')[0]} (see 'darkbeam xsec --help')") from None
            raise ConfigurationError(f"'{v}' is not an energy in GeV (unexpected argument)") from None
    return out


#: the values of --process (the same list as cli/_xsec_rare.py's ALL_PROCESSES, kept here so that a bad
#: value is refused without importing the rare-scattering module)
_PROCESSES = ("upscattering", "nu-e", "cevns", "trident", "nc-pi0")


@app.command("xsec", context_settings={"ignore_unknown_options": True, "allow_extra_args": False})
def xsec_command(
    rest: Optional[list[str]] = typer.Argument(None, hidden=True, metavar="E"),
    energies: Optional[list[str]] = typer.Option(None, "--energies", "-E", help="Neutrino energies in GeV: --energies 0.5 1 2."),
    process: str = typer.Option("upscattering", "--process", help="upscattering (nu T -> N T), nu-e (nu e -> nu e, per electron), cevns (per nucleus), trident (nu A -> nu l+ l- A, per nucleus; needs --channel) or nc-pi0 (nu A -> nu pi0 X, per nucleus; --regime coherent or resonant)."),
    channel: Optional[str] = typer.Option(None, "--channel", help="Trident channel, e.g. 'nu_mu -> nu_mu mu+ mu-' (docs/tridents.md lists all 16)."),
    target: Optional[str] = typer.Option(None, "--target", "-t", help="Target nucleus: H1 ... Pb208 (element symbol + mass number); default C12 (upscattering), Cs133 (cevns); nu-e: optional, adds its electrons per atom."),
    regime: Optional[str] = typer.Option(None, "--regime", "-r", help="Upscattering: coherent (default), p-el, n-el or electron; trident: coherent (default) or diffractive; nc-pi0: coherent or resonant (default both)."),
    helicity: Optional[str] = typer.Option(None, "--helicity", help="Upscattering: N helicity conserving (default), flipping or both."),
    projectile: Optional[str] = typer.Option(None, "--projectile", "-p", help="nu_e, nu_mu (default), nu_tau, nu_e_bar, nu_mu_bar or nu_tau_bar (trident: the channel's)."),
    hnl: Optional[str] = typer.Option(None, "--hnl", help="Upscattering: the HNL, N4 (default), N5 or N6."),
    sw2: Optional[float] = typer.Option(None, "--sw2", help="nu-e, cevns: sin^2 theta_W (default 0.23857, low Q^2)."),
    recoil_min: float = typer.Option(0.0, "--recoil-min", help="nu-e, cevns: lowest recoil kinetic energy counted, GeV."),
    recoil_max: Optional[float] = typer.Option(None, "--recoil-max", help="nu-e, cevns: highest recoil kinetic energy counted, GeV."),
    magnetic_moment: float = typer.Option(0.0, "--magnetic-moment", help="nu-e, cevns: neutrino magnetic moment in Bohr magnetons (needs --recoil-min > 0)."),
    radiative: Optional[str] = typer.Option(None, "--radiative", help="nu-e: one-loop radiative corrections none (default, tree level), ew (effective couplings rho, kappa(T); --sw2 is then MSbar s^2(M_Z), default 0.23129), full (ew plus QED of the electron spectrum) or calorimetric (ew plus QED of the electron + photon energy); Bahcall-Kamionkowski-Sirlin 1995. cevns: none or ew (one-loop g_V^p, g_V^n with the flavour- and Q^2-dependent neutrino charge radius; --sw2 stays 0.23857)."),
    form_factor: Optional[str] = typer.Option(None, "--form-factor", help="Nuclear form factors: default, fourier-bessel, fermi or helm (upscattering default: the couplings scheme's, 'default' for darkbeam; cevns: helm by default, also none)."),
    nucleon_model: Optional[str] = typer.Option(None, "--nucleon-model", help="Bound nucleons (p-el, n-el): fermi-gas (Pauli blocked) or free (default: the couplings scheme's, fermi-gas for darkbeam; docs/xsec.md)."),
    scheme: str = typer.Option("darkbeam", "--couplings", help="darkbeam, or darknews: DarkNews 0.4.8's electroweak inputs and modelling choices, as in 'generate' (docs/xsec_vs_darknews.md)."),
    model: Optional[Path] = MODEL_OPTION,
    sets: Optional[list[str]] = SET_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Cross section sigma(E): upscattering nu + target -> N + target (cm^2 per target nucleus, default),
    nu e -> nu e (--process nu-e, cm^2 per electron) or CEvNS (--process cevns, cm^2 per nucleus).

    Upscattering: nucleon regimes are summed over the nucleus's protons (p-el) or neutrons (n-el), the
    electron regime over its Z electrons; below threshold sigma = 0.  Bound nucleons are Pauli blocked
    (Fermi gas) unless --nucleon-model free or --couplings darknews.  nu-e and cevns: Standard Model
    plus the Z' of --model / --set (the --set values build on the Standard Model, not on the default
    HNL model); docs/rare_scattering.md.
    """
    if process not in _PROCESSES:  # before anything else, e.g. the energies
        raise ConfigurationError(f"unknown process '{process}' (choose from {', '.join(_PROCESSES)})")
    if radiative is not None and process not in ("nu-e", "cevns"):
        raise ConfigurationError("--radiative applies to --process nu-e and cevns only")
    if process == "trident":
        from darkbeam.cli._xsec_rare import trident_xsec_command

        for opt, value in (("--helicity", helicity), ("--hnl", hnl), ("--nucleon-model", nucleon_model), ("--recoil-max", recoil_max)):
            if value is not None:
                raise ConfigurationError(f"{opt} does not apply to --process trident")
        if recoil_min or magnetic_moment:
            raise ConfigurationError("--recoil-min and --magnetic-moment apply to --process nu-e and cevns only")
        if scheme != "darkbeam":
            raise ConfigurationError("--couplings applies to --process upscattering only")
        trident_xsec_command(_energies(energies, rest), channel, regime, target, projectile, form_factor, sw2, model, sets,
                             as_json)
        return
    if process == "nc-pi0":
        from darkbeam.cli._xsec_nc_pi0 import nc_pi0_xsec_command

        for opt, value in (("--channel", channel), ("--helicity", helicity), ("--hnl", hnl), ("--nucleon-model", nucleon_model),
                           ("--recoil-max", recoil_max), ("--sw2", sw2), ("--form-factor", form_factor), ("--model", model)):
            if value is not None:
                raise ConfigurationError(f"{opt} does not apply to --process nc-pi0")
        if recoil_min or magnetic_moment or sets or scheme != "darkbeam":
            raise ConfigurationError("--recoil-min, --magnetic-moment, --set and --couplings do not apply to --process nc-pi0")
        nc_pi0_xsec_command(_energies(energies, rest), target, projectile or "nu_mu", regime, as_json)
        return
    if channel is not None:
        raise ConfigurationError("--channel applies to --process trident only")
    projectile = projectile or "nu_mu"
    if process != "upscattering":
        from darkbeam.cli._xsec_rare import rare_xsec

        for opt, value in (("--regime", regime), ("--helicity", helicity), ("--hnl", hnl), ("--nucleon-model", nucleon_model)):
            if value is not None:
                raise ConfigurationError(f"{opt} applies to --process upscattering only")
        if scheme != "darkbeam":
            raise ConfigurationError("--couplings applies to --process upscattering only")
        rare_xsec(process, _energies(energies, rest), target, projectile, form_factor, sw2, recoil_min, recoil_max,
                  magnetic_moment, model, sets, as_json, radiative=radiative or "none")
        return
    for opt, value in (("--sw2", sw2), ("--recoil-max", recoil_max)):
        if value is not None:
            raise ConfigurationError(f"{opt} applies to --process nu-e and cevns only")
    if recoil_min or magnetic_moment:
        raise ConfigurationError("--recoil-min and --magnetic-moment apply to --process nu-e and cevns only")
    target = target or "C12"
    regime = regime or "coherent"
    helicity = helicity or "conserving"
    hnl = hnl or "N4"
    from darkbeam.models.couplings import Couplings, darknews_couplings
    from darkbeam.physics.form_factors import NUCLEAR_SCHEMES
    from darkbeam.physics.nuclear_response import NUCLEON_MODELS
    from darkbeam.physics.xsec import ProcessCase, UpscatteringXsec
    from darkbeam.processes.generator import SCHEME_XSEC_OPTIONS

    if scheme not in SCHEME_XSEC_OPTIONS:
        raise ConfigurationError(f"unknown coupling scheme '{scheme}' (choose from {', '.join(SCHEME_XSEC_OPTIONS)})")
    if form_factor is not None and form_factor not in NUCLEAR_SCHEMES:
        raise ConfigurationError(f"unknown nuclear form-factor scheme '{form_factor}' (choose from {', '.join(NUCLEAR_SCHEMES)})")
    if nucleon_model is not None and nucleon_model not in NUCLEON_MODELS:
        raise ConfigurationError(f"unknown nucleon model '{nucleon_model}' (choose from {', '.join(NUCLEON_MODELS)})")
    E = _energies(energies, rest)
    params = model_from_options(model, sets)
    case = ProcessCase(projectile, hnl, target, regime, helicity)
    options = dict(SCHEME_XSEC_OPTIONS[scheme])
    if form_factor is not None:
        options["nuclear_ff"] = form_factor
    if nucleon_model is not None:
        options["nucleon_model"] = nucleon_model
    couplings = darknews_couplings(params) if scheme == "darknews" else Couplings(params)
    xs = UpscatteringXsec(case, couplings, **options)
    sigma = xs.sigma(E)
    if as_json:
        print_json({"unit": "cm2", "per": "nucleus", "couplings": scheme, "nuclear_ff": options.get("nuclear_ff", "default"),
                    "nucleon_model": xs.nucleon_model, "energies_GeV": [float(e) for e in E],
                    "sigma_cm2": [float(s) for s in sigma]})
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    console.print(escape(case.label()), highlight=False)
    console.print(f"m_N = {xs.m_hnl:g} GeV, target mass {xs.target.mass:.6g} GeV, threshold {xs.threshold:.6g} GeV", highlight=False)
    extra = f", bound nucleons: {xs.nucleon_model}" if case.regime in ("p-el", "n-el") and not case.nucleus.is_free_proton else ""
    console.print(f"couplings: {scheme}{extra}", highlight=False)
    console.print("sigma per target nucleus", highlight=False)
    t = Table()
    t.add_column(escape("E [GeV]"), justify="right", no_wrap=True)
    t.add_column(escape("sigma [cm^2]"), justify="right", no_wrap=True)
    for e, s in zip(E, sigma):
        t.add_row(f"{e:g}", f"{s:.5e}")
    console.print(t)
