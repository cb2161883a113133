"""Dark vectors from a shower: yields and weighted four-momenta (eps = 1; weights scale with eps^2).

Yields are the cross sections integrated over the recorded track segments (tables.DarkTables).  Vectors
are sampled from the kept segments: a segment is chosen with probability proportional to its yield, every
vector carries weight (total yield per primary) / n, so the weights sum to the yield per primary.  Within a
segment the lepton energy is taken uniformly between its start and end energies (segments lose at most 25%
of their energy).  Kinematics (dark_xsec for the formulas):

* bremsstrahlung (e+- and mu, with the lepton's mass): x from dsigma/dx of the chosen model (tabulated per
  energy; exact: the WW shape accepted with the exact/WW ratio r(E, x) of dark_brem_exact.ExactBremTable),
  theta from the IWW angular law 1/U^2 (accept-reject on the bracket of BEST's double-differential; exact:
  the exact angular distribution of the nearest tabulated (E, x) node in the scaled variable
  ln(E^2 x theta^2 / U0)), around the lepton direction;
* resonant annihilation: the positron is on resonance, the vector takes its momentum and E_V = E+ + m_e
  (exact 2 -> 1, E_V = m^2/(2 m_e));
* e+ e- -> gamma V: centre-of-mass cosine from dsigma/dc with the lab photon above the cut, boosted;
* gamma e -> V e: t from dsigma/dt, exact 2 -> 2 kinematics in the lab.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.constants import M_E, M_MU
from darkbeam.errors import ParameterError
from darkbeam.physics.shower import dark_xsec
from darkbeam.sources.shower.tables import DarkTables, sample_rows
from darkbeam.sources.shower.transport import ShowerResult, _rotate


def _sample_pdf_rows(x: np.ndarray, pdf: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One sample per row of pdf (n, m) on abscissae x (n, m), linear inside the chosen cell."""
    cell = 0.5 * (pdf[:, 1:] + pdf[:, :-1]) * np.diff(x, axis=1)
    cdf = np.cumsum(cell, axis=1)
    u = rng.random(len(x)) * cdf[:, -1]
    j = np.minimum((cdf < u[:, None]).sum(axis=1), cell.shape[1] - 1)
    f = rng.random(len(x))
    return x[np.arange(len(x)), j] + f * (x[np.arange(len(x)), j + 1] - x[np.arange(len(x)), j])


def sample_dark_vectors(result: ShowerResult, dark: DarkTables, n: int, rng: np.random.Generator) -> dict:
    """``n`` weighted dark vectors from a run with kept dark segments: process index (DarkTables.PROCESSES),
    energy E, momentum p (n, 3), production point (n, 3), time t (ns), weight per primary (eps = 1)."""
    seg = result.dark_segments
    if seg is None or seg["yield"].size == 0:
        raise ParameterError("no dark-vector segments kept (run with keep_dark_segments=True and a dark mass)")
    if n < 1:
        raise ParameterError(f"number of dark vectors must be at least 1, got {n}")
    m = dark.mass
    y = seg["yield"]
    total = float(y.sum()) / result.n
    idx = rng.choice(y.size, size=n, p=y / y.sum())
    proc = seg["process"][idx]
    T = seg["T1"][idx] + rng.random(n) * (seg["T0"][idx] - seg["T1"][idx])
    u = seg["u"][idx]
    E_out = np.zeros(n)
    p_out = np.zeros((n, 3))
    names = DarkTables.ALL_PROCESSES
    for code, name in enumerate(names):
        sel = proc == code
        if not np.any(sel):
            continue
        k = int(sel.sum())
        Ti, ui = T[sel], u[sel]
        if name.startswith("brem"):
            m_l = M_MU if name == "brem_mu" else M_E
            inv = dark.inv_brem_x_mu if name == "brem_mu" else dark.inv_brem_x
            exact = dark.exact.get(m_l)
            E = np.maximum(Ti + m_l, (m + m_l) * (1.0 + 1e-6))  # the segment may end below threshold
            xmin, xmax = m / E, 1.0 - m_l / E
            x = np.empty(k)
            todo = np.arange(k)
            rmax = 1.05 * float(exact.ratio_x.max()) if exact is not None else 1.0
            while todo.size:  # exact: the WW shape accepted with the exact/WW ratio
                vv = sample_rows(dark.tables.grid, inv, Ti[todo], rng)
                xs = 1.0 - (1.0 - xmin[todo]) * ((1.0 - xmax[todo]) / (1.0 - xmin[todo])) ** vv
                ok = (np.ones(todo.size, bool) if exact is None
                      else rng.random(todo.size) * rmax < exact.x_ratio(E[todo], xs))
                x[todo[ok]] = xs[ok]
                todo = todo[~ok]
            if exact is not None:
                theta = exact.sample_theta(E, x, rng)
            else:
                U0 = m**2 * (1.0 - x) / x + m_l**2 * x
                tt = np.empty(k)
                todo = np.arange(k)
                while todo.size:
                    r = rng.random(todo.size)
                    t = U0[todo] * r / (1.0 - r)
                    br = 1.0 - x[todo] + 0.5 * x[todo] ** 2
                    acc = (br - x[todo] * (1.0 - x[todo]) * m**2 * t / (t + U0[todo]) ** 2) / br
                    ok = rng.random(todo.size) < np.nan_to_num(acc, nan=1.0)
                    tt[todo[ok]] = t[ok]
                    todo = todo[~ok]
                theta = np.sqrt(tt / (E**2 * x))
            EV = x * E
            pV = np.sqrt(np.maximum(EV**2 - m**2, 0.0))
            dirs = _rotate(ui, np.cos(np.minimum(theta, math.pi)), 2.0 * math.pi * rng.random(k))
        elif name == "annihilation_resonant":
            E = np.full(k, dark.T_res + M_E)  # exactly on resonance: s = m^2
            EV = E + M_E
            pV = np.sqrt(np.maximum(E**2 - M_E**2, 0.0))
            dirs = ui
        elif name == "annihilation_gamma_V":
            E = np.maximum(Ti + M_E, (m**2 / (2.0 * M_E) - M_E) * (1.0 + 1e-6))
            s = 2.0 * M_E * (E + M_E)
            wmax = 0.5 * np.log(s / M_E**2) + 2.0
            w = np.linspace(-1.0, 1.0, 513)[None, :] * wmax[:, None]
            c = np.tanh(w)
            pdf = dark_xsec.annihilation_gamma_v_dsigma_dc(E[:, None], c, m) * (1.0 - c**2)
            pdf = np.where(dark_xsec.annihilation_photon_lab_energy(E[:, None], c, m) > dark.tables.cut, pdf, 0.0)
            cg = np.tanh(_sample_pdf_rows(w, pdf, rng))  # photon cosine in the CM frame
            rs = np.sqrt(s)
            EV_cm = (s + m**2) / (2.0 * rs)
            pcm = (s - m**2) / (2.0 * rs)
            gam, bg = (E + M_E) / rs, np.sqrt(E**2 - M_E**2) / rs
            pz = -pcm * cg  # the vector is opposite to the photon
            EV = gam * EV_cm + bg * pz
            pl = bg * EV_cm + gam * pz
            pt = pcm * np.sqrt(np.maximum(1.0 - cg**2, 0.0))
            pV = np.sqrt(pl**2 + pt**2)
            dirs = _rotate(ui, pl / np.maximum(pV, 1e-300), 2.0 * math.pi * rng.random(k))
        else:  # compton: photon energy Ti
            kk = np.maximum(Ti, ((m + M_E) ** 2 - M_E**2) / (2.0 * M_E) * (1.0 + 1e-6))
            tlo, thi = dark_xsec.dark_compton_t_range(kk, m)
            v = np.linspace(0.0, 1.0, 513)[None, :]
            vv = 1.0 - (1.0 - v) ** 3
            t = thi[:, None] - (thi - tlo)[:, None] * vv
            pdf = dark_xsec.dark_compton_dsigma_dt(kk[:, None], t, m) * 3.0 * (1.0 - v) ** 2
            vs = _sample_pdf_rows(np.broadcast_to(v, pdf.shape), pdf, rng)
            t = thi - (thi - tlo) * (1.0 - (1.0 - vs) ** 3)
            # lab frame: u = (p_e,in - p_V)^2 = m_e^2 + m^2 - 2 m_e E_V and t = m^2 - 2 k (E_V - p_V cos)
            u_ = 2.0 * M_E**2 + m**2 - (M_E**2 + 2.0 * M_E * kk) - t
            EV = (M_E**2 + m**2 - u_) / (2.0 * M_E)
            pV = np.sqrt(np.maximum(EV**2 - m**2, 0.0))
            cos = np.clip((2.0 * kk * EV - m**2 + t) / (2.0 * kk * np.maximum(pV, 1e-300)), -1.0, 1.0)
            dirs = _rotate(ui, cos, 2.0 * math.pi * rng.random(k))
        E_out[sel] = EV
        p_out[sel] = pV[:, None] * dirs
    return {"process": proc, "E": E_out, "p": p_out, "pos": seg["pos"][idx], "t": seg["t"][idx],
            "weight": np.full(n, total / n), "processes": names}
