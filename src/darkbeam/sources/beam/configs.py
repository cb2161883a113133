"""Built-in beam-line configurations: BNB, NuMI (LE, ME), LBNF, J-PARC, CERN SPS (CNGS-like, WANF), CERN PS.

Coordinates: z along the beam in cm, z = 0 at the origin the experiments quote detector distances
from (BNB: upstream face of the target; NuMI and LBNF: upstream face of horn 1).  Each number
names its source; where a published dimension was not available an approximation is marked
"approx." (docs/beam_model.md lists them and how much they matter).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.sources.beam.focusing import Horn


@dataclass(frozen=True)
class Target:
    """A cylindrical target: material, length and radius (cm), z of its upstream face (cm)."""

    material: str
    length_cm: float
    radius_cm: float
    z_start_cm: float = 0.0


@dataclass(frozen=True)
class DecayRegion:
    """Where mesons may decay: from production to z_end_cm, inside radius_cm (the decay pipe and,
    approximately, the target hall).  ``collimators``: (z1, z2, r) or tapered (z1, z2, r1, r2) apertures
    that stop mesons (a straight track inside the aperture at both ends is inside all along)."""

    z_start_cm: float
    z_end_cm: float
    radius_cm: float
    collimators: tuple[tuple[float, ...], ...] = ()


@dataclass(frozen=True, eq=False)
class BeamConfig:
    """A neutrino beam line: protons, target, horns, decay region, production model and defaults."""

    name: str
    description: str
    proton_momentum_GeV: float
    target: Target
    horns: tuple[Horn, ...]
    decay: DecayRegion
    production_model: str = "auto"
    p_min_GeV: float = 0.1
    theta_max: float = 0.4
    energy_edges_GeV: tuple[float, float, float] = (0.0, 5.0, 0.05)  # (start, stop, step)
    detectors: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # name -> (L m, off-axis mrad)
    #: name -> the volume the experiment's official flux is averaged over, centred on the detector
    #: position: ("box", width, height, length) in m (axes along the beam) or ("sphere", radius)
    #: (darkbeam.sources.beam.model averages the model flux over it; docs/beam_model.md)
    detector_volumes: Mapping[str, tuple] = field(default_factory=dict)
    citation: str = ""
    notes: str = ""
    #: include mesons from re-interactions of secondaries in the target (darkbeam.sources.beam.target)
    tertiary: bool = True

    def edges(self) -> np.ndarray:
        lo, hi, step = self.energy_edges_GeV
        n = int(round((hi - lo) / step))
        return np.linspace(lo, lo + n * step, n + 1)

    def detector_volume(self, distance_m: float, off_axis_mrad: float = 0.0) -> tuple | None:
        """The averaging volume of a named detector at this position (distance within 1 %, angle within
        1 mrad), or None (a point detector)."""
        for name, (dist, angle) in self.detectors.items():
            if abs(dist - distance_m) <= 0.01 * dist and abs(angle - off_axis_mrad) <= 1.0:
                return self.detector_volumes.get(name)
        return None

    def with_current(self, current_kA: float) -> "BeamConfig":
        """The same beam line with every horn at ``current_kA`` (sign kept by polarity at run time)."""
        return replace(self, horns=tuple(replace(h, current_kA=current_kA) for h in self.horns))


def _sample(f, z0: float, z1: float, n: int = 40) -> tuple[tuple[float, float], ...]:
    z = np.linspace(z0, z1, n)
    return tuple((float(a), float(b)) for a, b in zip(z, f(z)))


def _join(*parts) -> tuple[tuple[float, float], ...]:
    out: list[tuple[float, float]] = []
    for p in parts:
        for z, r in p:
            if out and z <= out[-1][0]:
                continue
            out.append((z, r))
    return tuple(out)


# --------------------------------------------------------------------------- BNB
# Geometry from the BNB Geant4 model (SBNSoftware/G4BNB, geometry/BooNE_50m.gdml,
# polycone HRN1 = field volume between inner and outer conductor, target TARG), shifted so that
# z = 0 is the upstream face of the target (horn frame z = 3.5 cm).  Beam: 8.89 GeV/c protons,
# 174 kA (G4BNB input/production.in), 71.1 cm Be target, 50 m decay region of radius 91.4 cm;
# collimator (gdml polycone PIFD, placed 264.3 cm downstream of the target-pile origin, which lies
# 39.2 cm downstream of the target face) from z = 303.5 to 516.9 cm, aperture radius 30 cm widening to
# 35.5 cm; MiniBooNE at 541 m (arXiv:0806.1449, sec. III).
_BNB_HORN = Horn(
    name="BNB horn",
    z_start_cm=0.0,
    length_cm=176.5,
    current_kA=174.0,
    inner_profile_cm=((0.0, 7.0), (5.1, 2.2), (62.0, 2.2), (76.5, 2.2), (84.2, 3.3), (96.5, 5.04), (107.1, 6.54),
                      (126.9, 6.54), (157.1, 2.2), (162.9, 2.4), (169.65, 4.1), (173.35, 7.17), (175.76, 11.35),
                      (176.5, 15.95)),
    r_out_cm=30.0,
    n_steps=120,
    wall_cm=0.3,  # inner conductor 19-22 mm (HWL1 vs HRN1 inner radii)
)
BNB = BeamConfig(
    name="bnb",
    description="Fermilab Booster Neutrino Beam: 8.89 GeV/c p on Be, one horn (174 kA), 50 m decay pipe",
    proton_momentum_GeV=8.89,
    target=Target("Be", 71.12, 0.476, 0.0),
    horns=(_BNB_HORN,),
    decay=DecayRegion(0.0, 5000.0, 91.44, collimators=((303.5, 516.9, 30.0, 35.5),)),
    production_model="sanford-wang",
    p_min_GeV=0.05,
    # all production angles up to 1.5 rad: the BNB simulation (G4BNB) samples its Sanford-Wang tables
    # over the whole (p_z, p_T) plane, and wide-angle soft pions make the flux below 0.2 GeV
    theta_max=1.5,
    energy_edges_GeV=(0.0, 5.0, 0.05),
    detectors={"miniboone": (541.0, 0.0), "microboone": (470.0, 0.0), "sbnd": (110.0, 0.0), "icarus": (600.0, 0.0)},
    # the official fluxes are averages over the detectors: MiniBooNE's over its 610 cm radius sphere
    # (arXiv:0806.1449, sec. III; NIM A 599 (2009) 28); MicroBooNE's over the TPC active volume (the
    # file's own header: MCC9_FluxHist_volTPCActive; TPC 2.56 m wide, 2.33 m high, 10.37 m long,
    # JINST 12 (2017) P02017); SBND's over its 4 m x 4 m x 5 m active volume (SBN proposal,
    # arXiv:1503.01520, sec. 3).  At 110 m the on-axis point flux is 1.5-2 times the face average at
    # 1-1.8 GeV (focused pions make a narrow neutrino core), so the detector size matters there.
    detector_volumes={"miniboone": ("sphere", 6.1), "microboone": ("box", 2.56, 2.33, 10.37),
                      "sbnd": ("box", 4.0, 4.0, 5.0)},
    citation="MiniBooNE, PRD 79 (2009) 072002, arXiv:0806.1449; geometry: SBNSoftware/G4BNB",
)


# BNB in beam-dump mode (MiniBooNE-DM, arXiv:1807.06137, PRD 98 (2018) 112004): the 8 GeV protons are
# steered over the beryllium target onto the steel absorber at the end of the 50 m decay region, 490 m
# upstream of MiniBooNE (541 m - 50 m, the same BNB frame: name "bnb", so that MiniBooNE's placement
# applies).  The absorber is modelled as a long iron cylinder (300 cm, radius 50 cm: approx., many
# interaction lengths, so every proton interacts; only prompt neutral mesons are used from it) with no
# horn.  Not in BEAMS: a neutrino flux is not made from it (darkbeam.processes.dark_matter uses it).
BNB_DUMP = BeamConfig(
    name="bnb",
    description="BNB in beam-dump mode: 8.89 GeV/c p on the steel absorber at z = 50 m (MiniBooNE-DM)",
    proton_momentum_GeV=8.89,
    target=Target("Fe", 300.0, 50.0, 5000.0),
    horns=(),
    decay=DecayRegion(5000.0, 5300.0, 50.0),
    production_model="sanford-wang",
    p_min_GeV=0.05,
    theta_max=1.5,
    energy_edges_GeV=(0.0, 5.0, 0.05),
    citation="MiniBooNE-DM, PRD 98 (2018) 112004, arXiv:1807.06137 (steel dump 490 m from the detector)",
)

# --------------------------------------------------------------------------- NuMI (LE tune)
# Horn inner-conductor (outer surface) parabolae of the NuMI Technical Design Handbook as coded in
# g4numi (NumiHorn1.cc, NumiHorn2.cc; simplified forms), z in cm from the horn 1 upstream face;
# Horn 1: 0-77 cm r = sqrt((89.85 - z)/7.048), neck 1.35 cm to 81 cm, then r = sqrt((z - 77)/2.185)
# to 297.5 cm; outer conductor 14.92 cm.  Horn 2 (LE position: 10 m): r = sqrt((100 - x)/0.1351)
# upstream, neck 4.2 cm, r = sqrt((x - 100)/0.2723) downstream; outer conductor 37 cm.  185 kA;
# 95.4 cm graphite target (47 fins, 6.4 mm wide) starting at z = -45 cm (LE010); decay pipe
# 45.7-722.4 m, radius 0.99 m (P. Adamson et al., NIM A 806 (2016) 279, arXiv:1507.06690;
# g4numi NumiDataInput.cc).  MINERvA ~1035 m (just upstream of the MINOS near detector at 1040 m).
# The NOvA near detector seen from the NuMI target: g4numi (src/NumiDataInput.cc, detector positions in
# the beam frame from R. Hatcher's GENIE GNuMIFlux transformation, updated by A. Radovic and R. Nichol)
# puts it at (x, y, z) = (11.72, -3.32, 992.93) m: 993.0 m from the origin and 12.3 mrad off the beam
# axis.  The often quoted 14.6 mrad is the angle of the NOvA FAR detector (g4numi: (11037, -4163,
# 810422) m, 14.56 mrad); the near detector sits closer to the axis, on the line from the far detector
# through the decay pipe (~160 m downstream of the target), to see a similar spectrum.
NOVA_ND = (993.0, 12.3)


def _numi_h1(z):
    return np.where(z <= 77.0, np.sqrt(np.clip((89.85 - z) / 7.048, 0, None)),
                    np.where(z <= 80.98, 1.35, np.sqrt(np.clip((np.minimum(z, 297.5) - 77.0) / 2.185, 1.35**2, None))))


def _numi_h2(x):
    return np.where(x < 97.617, np.sqrt(np.clip((100.0 - x) / 0.1351, 4.2**2, None)),
                    np.where(x < 104.803, 4.2, np.sqrt(np.clip((x - 100.0) / 0.2723, 4.2**2, None))))


def numi_horn1(current_kA: float = 185.0) -> Horn:
    """NuMI horn 1 (inner-conductor wall 2 mm: g4numi ICRout - ICRin = 0.0787 in)."""
    prof = _join(_sample(_numi_h1, 0.0, 77.0, 30), ((80.98, 1.35),), _sample(_numi_h1, 81.0, 297.5, 50),
                 ((330.0, float(_numi_h1(np.array(297.5)))),))
    return Horn("NuMI horn 1", 0.0, 330.0, current_kA, prof, 14.92, n_steps=150, wall_cm=0.2)


def numi_horn2(z_start_cm: float = 1000.0, current_kA: float = 185.0) -> Horn:
    """NuMI horn 2 (inner-conductor wall 3 mm)."""
    prof = _join(_sample(_numi_h2, 0.0, 97.6, 30), ((104.8, 4.2),), _sample(_numi_h2, 104.81, 300.0, 40))
    return Horn("NuMI horn 2", z_start_cm, 300.0, current_kA, prof, 37.0, n_steps=100, wall_cm=0.3)


NUMI = BeamConfig(
    name="numi",
    description="Fermilab NuMI, low-energy tune: 120 GeV p on graphite, two parabolic horns (185 kA), 675 m decay pipe",
    proton_momentum_GeV=120.0,
    target=Target("graphite", 95.4, 0.40, -45.0),
    horns=(numi_horn1(185.0), numi_horn2(1000.0, 185.0)),
    decay=DecayRegion(4570.0, 72240.0, 99.06),
    production_model="bmpt",
    p_min_GeV=0.3,
    theta_max=0.25,
    energy_edges_GeV=(0.0, 20.0, 0.25),
    detectors={"minerva": (1035.0, 0.0), "minos_nd": (1040.0, 0.0), "nova_nd": NOVA_ND,
               "microboone_numi": (680.0, 140.0)},
    citation="P. Adamson et al., NIM A 806 (2016) 279, arXiv:1507.06690; horn shapes from g4numi",
)


# --------------------------------------------------------------------------- NuMI (ME tune)
# Medium-energy tune (2013-2019; MINERvA ME and NOvA): horn 2 moved to 19.18 m downstream of the
# horn 1 upstream face, the target (NOvA-era, 120 cm of graphite fins) 143.3 cm upstream of horn 1,
# 200 kA (L. Aliaga Soplin, MINERvA ME flux, arXiv:1906.00111 and Phys. Rev. D 100, 092001 (2019),
# sec. II; P. Adamson et al., NIM A 806 (2016) 279, sec. 4).  Same horn shapes and decay pipe as LE.
NUMI_ME = BeamConfig(
    name="numi_me",
    description="Fermilab NuMI, medium-energy tune: 120 GeV p on graphite, horn 2 at 19.2 m (200 kA), 675 m decay pipe",
    proton_momentum_GeV=120.0,
    target=Target("graphite", 120.0, 0.37, -143.3),
    horns=(numi_horn1(200.0), numi_horn2(1918.0, 200.0)),
    decay=DecayRegion(4570.0, 72240.0, 99.06),
    production_model="bmpt",
    p_min_GeV=0.3,
    theta_max=0.25,
    energy_edges_GeV=(0.0, 30.0, 0.25),
    detectors={"minerva": (1035.0, 0.0), "nova_nd": NOVA_ND},
    citation="MINERvA, Phys. Rev. D 100, 092001 (2019), arXiv:1906.00111; NuMI: NIM A 806 (2016) 279",
)


# --------------------------------------------------------------------------- LBNF
# Approximation.  The official DUNE flux (arXiv:2002.03005, 2103.04797) is for the optimised
# three-horn design with a 2.2 m long, 16 mm diameter graphite target (the target dimensions as
# quoted with the DUNE ND flux release) and ~293 kA horn current; its horn shapes are not encoded
# here.  darkbeam uses the NuMI-style horn shapes of the LBNE/DUNE CDR reference design (DUNE CDR
# vol. 3, arXiv:1601.05823: horn 2 6.6 m downstream of horn 1) with the optimised design's
# target and current, and a 194 m long, 2 m radius decay pipe.  DUNE ND at 574 m from the upstream
# face of horn 1.
LBNF = BeamConfig(
    name="lbnf",
    description=("LBNF (approx.): 120 GeV p on a 2.2 m graphite target, NuMI-style horns (293 kA, horn 2 at 6.6 m), "
                 "194 m decay pipe"),
    proton_momentum_GeV=120.0,
    target=Target("graphite", 220.0, 0.8, -45.0),
    horns=(numi_horn1(293.0), numi_horn2(660.0, 293.0)),
    decay=DecayRegion(2140.0, 21540.0, 200.0),
    production_model="bmpt",
    p_min_GeV=0.3,
    theta_max=0.25,
    energy_edges_GeV=(0.0, 20.0, 0.25),
    detectors={"dune_nd": (574.0, 0.0), "dune_fd": (1297000.0, 0.0)},
    citation="DUNE CDR vol. 3, arXiv:1601.05823 (horn layout); official flux arXiv:2103.04797 (target, current)",
)


# --------------------------------------------------------------------------- J-PARC
# Approximation of the T2K beam line (K. Abe et al., PRD 87 (2013) 012001, arXiv:1211.0469, sec.
# II): 30 GeV (31 GeV/c) p on a 91.4 cm, 1.3 cm radius graphite target inside horn 1 (inner
# conductor 5.4 cm), horns 2 and 3 downstream, 250 kA, 96 m decay volume; ND280 at 280 m, 2.5 deg
# off axis.  Horn 2/3 shapes are approximate parabolae (not published in the flux paper).
# Horn 1 field region: the flux paper (sec. II.B) gives the maximum horn field, 1.7 T at 250 kA
# (the T2K beam-line paper, NIM A 659 (2011) 106, arXiv:1106.1238, sec. 2.3: 2.1 T at 320 kA).  A
# toroidal field B = mu0 I / (2 pi r) reaches it at the smallest radius of the field region, the outer
# surface of horn 1's inner conductor, which houses the target: r = mu0 I / (2 pi B_max) = 2.9-3.0 cm
# (both pairs of numbers).  The horn used to start its field at r = 5.4 cm (0.9 T at 250 kA), which
# halved the kick of the mesons leaving the target at small radius.  Inner-conductor wall 3 mm (approx.).
def _parabola(z0, z1, r_neck, r_end, z_neck):
    def f(z):
        zz = np.asarray(z, dtype=np.float64)
        span = np.where(zz < z_neck, z_neck - z0, z1 - z_neck)
        return r_neck + (r_end - r_neck) * ((zz - z_neck) / span) ** 2
    return f


JPARC = BeamConfig(
    name="jparc",
    description="J-PARC neutrino beam (approx.): 31 GeV/c p on graphite, three horns (250 kA), 96 m decay volume",
    proton_momentum_GeV=30.9,
    target=Target("graphite", 91.4, 1.3, 0.0),
    horns=(
        Horn("T2K horn 1", -20.0, 160.0, 250.0, ((0.0, 3.0), (160.0, 3.0)), 20.0, n_steps=80, wall_cm=0.3),
        Horn("T2K horn 2 (approx.)", 615.0, 200.0, 250.0, _sample(_parabola(0.0, 200.0, 8.0, 30.0, 40.0), 0.0, 200.0), 50.0),
        Horn("T2K horn 3 (approx.)", 1020.0, 250.0, 250.0,
             _sample(_parabola(0.0, 250.0, 14.0, 40.0, 60.0), 0.0, 250.0), 70.0),
    ),
    decay=DecayRegion(1500.0, 11000.0, 150.0),
    production_model="bmpt",
    p_min_GeV=0.2,
    theta_max=0.35,
    energy_edges_GeV=(0.0, 5.0, 0.05),
    detectors={"nd280": (280.0, 43.6), "superk": (295000.0, 43.6)},
    citation="T2K, PRD 87 (2013) 012001, arXiv:1211.0469 (approximate geometry)",
)


# --------------------------------------------------------------------------- CERN SPS (CNGS-like)
# Approximation of CNGS (CNGS design report CERN 98-02; E. Gschwendtner et al., CERN-ATS-2010-153):
# 400 GeV p on a 2 m graphite target (rods of 2.5 mm radius), horn (150 kA, 6.5 m) and reflector
# (180 kA, 6.5 m, 43 m downstream), decay tunnel 994 m long and 1.225 m in radius starting 100 m
# from the target.  Horn/reflector inner-conductor shapes are approximate parabolae.
SPS = BeamConfig(
    name="sps",
    description="CERN SPS 400 GeV (CNGS-like, approx.): graphite target, horn + reflector, 1 km decay tunnel",
    proton_momentum_GeV=400.0,
    target=Target("graphite", 200.0, 0.25, -220.0),
    horns=(
        Horn("CNGS horn (approx.)", 0.0, 650.0, 150.0,
             _sample(_parabola(0.0, 650.0, 0.7, 10.0, 100.0), 0.0, 650.0, 60), 35.0, n_steps=120),
        Horn("CNGS reflector (approx.)", 4300.0, 650.0, 180.0,
             _sample(_parabola(0.0, 650.0, 6.7, 25.0, 300.0), 0.0, 650.0, 60), 55.0, n_steps=120),
    ),
    decay=DecayRegion(10000.0, 109400.0, 122.5),
    production_model="bmpt",
    p_min_GeV=1.0,
    theta_max=0.1,
    energy_edges_GeV=(0.0, 100.0, 1.0),
    detectors={"near_1km": (1000.0, 0.0), "gran_sasso": (732000.0, 0.0)},
    citation="CNGS design report CERN 98-02 (approximate geometry)",
)

# --------------------------------------------------------------------------- CERN SPS WANF (CHARM-II)
# West Area Neutrino Facility (1977-1998): 450 GeV protons on a beryllium target (T9: eleven rods of
# 10 cm, 3 mm diameter, 9 cm apart: 110 cm of Be, modelled as one 110 cm rod), a horn and a
# reflector, a 290 m long evacuated decay tunnel, 400 m of iron and earth shielding; the detectors
# about 820-870 m from the target (TOSCA letter of intent, CERN-SPSC-97-5, fig. 1 and sec. 2;
# NOMAD flux: P. Astier et al., NIM A 515 (2003) 800, hep-ex/0306022, sec. 2).  Horn and reflector
# shapes, currents (100/120 kA) and the tunnel radius (0.6 m) and start (100 m) are approximations.
WANF = BeamConfig(
    name="wanf",
    description="CERN SPS WANF (approx.): 450 GeV p on Be, horn + reflector, 290 m decay tunnel",
    proton_momentum_GeV=450.0,
    target=Target("Be", 110.0, 0.15, -250.0),
    horns=(
        Horn("WANF horn (approx.)", 0.0, 650.0, 100.0,
             _sample(_parabola(0.0, 650.0, 0.7, 10.0, 100.0), 0.0, 650.0, 60), 35.0, n_steps=120),
        Horn("WANF reflector (approx.)", 4300.0, 650.0, 120.0,
             _sample(_parabola(0.0, 650.0, 6.7, 25.0, 300.0), 0.0, 650.0, 60), 55.0, n_steps=120),
    ),
    decay=DecayRegion(10000.0, 39000.0, 60.0),
    production_model="bmpt",
    p_min_GeV=1.0,
    theta_max=0.1,
    energy_edges_GeV=(0.0, 150.0, 1.0),
    detectors={"charmii": (870.0, 0.0), "nomad": (835.0, 0.0)},
    citation="TOSCA LoI CERN-SPSC-97-5; NOMAD flux, NIM A 515 (2003) 800 (approximate geometry)",
)

# --------------------------------------------------------------------------- CERN PS (PS191)
# The CERN PS neutrino beam of 1983-84 seen by PS191 (G. Bernardi et al., Phys. Lett. B 166 (1986) 479
# and B 203 (1988) 332): 19.2 GeV/c protons from the PS on a beryllium target, horn focusing, a decay
# tunnel, then shielding; PS191's decay volume 128 m from the target, 2.3 deg (40.1 mrad) off the beam
# axis.  Those are the published facts used here.  Everything else is ASSUMED (no published geometry
# was available to this work): one horn of BNB-like shape (2.5 m, 150 kA, neck 2 cm, outer
# conductor 35 cm), an 80 cm x 3 mm radius Be target at the horn entrance, and a 50 m long decay region
# of 1 m radius starting at the target (the order of the PS low-energy beam's decay tunnel).  The
# assumed pieces set the normalisation and shape of the parents to tens of per cent or worse: treat
# 'cern_ps' as an order-of-magnitude beam line (docs/parents.md).  PS191's digitized flux
# (PS_191_numu_flux) remains the reference for neutrino rates.
_PS_HORN = Horn(
    name="PS horn (assumed)",
    z_start_cm=0.0,
    length_cm=250.0,
    current_kA=150.0,
    inner_profile_cm=_sample(_parabola(0.0, 250.0, 2.0, 12.0, 90.0), 0.0, 250.0, 50),
    r_out_cm=35.0,
    n_steps=100,
    wall_cm=0.3,
)
CERN_PS = BeamConfig(
    name="cern_ps",
    description="CERN PS neutrino beam (PS191 era; geometry assumed): 19.2 GeV/c p on Be, one horn, 50 m decay tunnel",
    proton_momentum_GeV=19.2,
    target=Target("Be", 80.0, 0.3, 0.0),
    horns=(_PS_HORN,),
    decay=DecayRegion(0.0, 5000.0, 100.0),
    production_model="auto",
    p_min_GeV=0.1,
    theta_max=0.6,
    energy_edges_GeV=(0.0, 10.0, 0.1),
    detectors={"ps191": (128.0, 40.14)},
    detector_volumes={"ps191": ("box", 6.0, 3.0, 12.0)},
    citation=("G. Bernardi et al. (PS191), PLB 166 (1986) 479; PLB 203 (1988) 332 (beam energy, target, detector "
              "position); horn, target size and decay tunnel assumed"),
)

BEAMS: dict[str, BeamConfig] = {c.name: c for c in (BNB, NUMI, NUMI_ME, LBNF, JPARC, SPS, WANF, CERN_PS)}
_ALIASES = {"booster": "bnb", "numi_le": "numi", "dune": "lbnf", "t2k": "jparc", "j-parc": "jparc", "j_parc": "jparc",
            "cngs": "sps", "cern": "sps", "cern_sps": "sps", "ps": "cern_ps"}


def beam_config(name: str | BeamConfig) -> BeamConfig:
    """A built-in beam configuration by name: bnb, numi, numi_me, lbnf, jparc, sps, wanf, cern_ps (or the config itself)."""
    if isinstance(name, BeamConfig):
        return name
    key = str(name).lower()
    key = _ALIASES.get(key, key)
    if key not in BEAMS:
        raise ConfigurationError(f"unknown beam '{name}' (known: {', '.join(BEAMS)})")
    return BEAMS[key]
