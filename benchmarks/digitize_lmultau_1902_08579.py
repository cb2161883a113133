"""Digitize the CCFR and DUNE-ND trident curves of the L_mu - L_tau figure of Ballett et al. arXiv:1902.08579
from its vector PDF (how src/darkbeam/analysis/searches/curves/*_lmultau_1902_08579.csv were made).

    python benchmarks/digitize_lmultau_1902_08579.py lmultau_nokm.pdf [--list]

The PDF is Zprime_scattering/figs/lmultau_nokm.pdf of github mhostert/PhD_thesis (commit f9d765e), the
thesis chapter that is 1902.08579.  It is a single matplotlib page: its content stream (object 9, zlib)
holds every curve as a path of 'x y m' / 'x y l' operators in PDF points.  The axes are calibrated on the
figure's own major ticks (read from the same stream): x = 1e-2, 1e-1, 1, 10 GeV at 125.820454, 239.903253,
353.986052, 468.06885 pt; y = 1e-4, 1e-3, 1e-2 at 32.832, 113.929604, 195.027208 pt.  ``--list`` prints
every long path with its colours and data range; the CCFR edge is path 86 (a stroked line that follows
the lower edge of the firebrick-filled region 6 at which the label 'CCFR' stands: 95 % CL of 1406.2332)
and the DUNE mu mu trident line is path 89 (a stroked line, 90 % CL, below the dodgerblue (g-2)_mu band,
fill 7 between paths 85 and 84, as the text of the paper says it is).  This identification is the
digitizer's reading of the figure, not metadata of the file.  Only points inside the axes box (46.08-564.48 x 32.832-251.712 pt) are kept.
"""

from __future__ import annotations

import argparse
import re
import zlib

import numpy as np

X0, XD = 125.820454, (468.06885 - 125.820454) / 3.0
Y0, YD = 32.832, (195.027208 - 32.832) / 2.0
BOX = (46.08, 564.48, 32.832, 251.712)


def page_stream(pdf: bytes) -> str:
    i = pdf.find(b"9 0 obj")
    j = pdf.find(b"stream", i) + len(b"stream")
    while pdf[j:j + 1] in (b"\r", b"\n"):
        j += 1
    return zlib.decompressobj().decompress(pdf[j:pdf.find(b"endstream", j)]).decode("latin1")


def paths(stream: str) -> list[dict]:
    out, cur, rg, RG = [], [], None, None
    for line in stream.split("\n"):
        t = line.split()
        if not t:
            continue
        for op in ("rg", "RG"):
            if op in t and t.index(op) >= 3:
                col = tuple(float(v) for v in t[t.index(op) - 3:t.index(op)])
                rg, RG = (col, RG) if op == "rg" else (rg, col)
        if len(t) == 3 and t[2] in ("m", "l") and re.match(r"^-?[\d.]+$", t[0]):
            if t[2] == "m" and cur:
                out.append({"pts": np.array(cur), "rg": rg, "RG": RG})
                cur = []
            cur.append((float(t[0]), float(t[1])))
        elif t[0] in ("f", "S", "B", "f*") and cur:
            out.append({"pts": np.array(cur), "rg": rg, "RG": RG, "op": t[0]})
            cur = []
    return out


def to_data(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x0, x1, y0, y1 = BOX
    keep = (pts[:, 0] >= x0 - 1e-6) & (pts[:, 0] <= x1 + 1e-6) & (pts[:, 1] >= y0 - 1e-6) & (pts[:, 1] <= y1 + 1e-6)
    p = pts[keep]
    m, g = 10 ** (-2 + (p[:, 0] - X0) / XD), 10 ** (-4 + (p[:, 1] - Y0) / YD)
    inc = np.concatenate(([True], np.diff(m) > 0))
    return m[inc], g[inc]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pdf")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    ps = paths(page_stream(open(args.pdf, "rb").read()))
    if args.list:
        for i, p in enumerate(ps):
            if len(p["pts"]) >= 20:
                m, g = to_data(p["pts"])
                if m.size:
                    print(i, p.get("op", "?"), p["rg"], p["RG"], len(m), f"m {m.min():.3g}-{m.max():.3g} g {g.min():.3g}-{g.max():.3g}")
        return
    for i, name in ((86, "CCFR (95% CL, 1406.2332)"), (89, "DUNE ND mu mu trident (90% CL)")):
        m, g = to_data(ps[i]["pts"])
        print(f"# {name}: path {i}\nmass_GeV,g")
        for a, b in zip(m, g):
            print(f"{a:.5g},{b:.5g}")


if __name__ == "__main__":
    main()
