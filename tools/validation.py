#!/usr/bin/env python3
"""pcmsim's presets against the silicon and papers they imitate.

Each published quantity is predicted by running a preset's run config (configs/presets/) and
reading its stats.json; none of them is an input of the preset it is compared with (each
preset's comments say what its parameters come from). A prediction passes within 15 % of the
published figure; where the model cannot get there honestly, the entry states the gap it has
and its cause, and the check holds the prediction to that gap (within 2 points) so that a change
to the model shows.

Usage:
  tools/validation.py ids                         the quantities' ids (one ctest each)
  tools/validation.py check ID [--pcmsim BIN]     exit 1 unless ID holds as stated
  tools/validation.py write [--pcmsim BIN]        (re)write docs/validation.md
  tools/validation.py check-doc [--pcmsim BIN]    exit 1 if docs/validation.md is out of date
"""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TOLERANCE = 0.15  # relative: the bar for a prediction
GAP_SLACK = 0.02  # a stated gap holds within 2 points

HERMES = "configs/presets/hermes.yaml"
ISAAC = "configs/presets/isaac.yaml"
SPEECH = "configs/presets/ibm_speech.yaml"
DEFAULT = "configs/default.yaml"
FOUR_PHASE = ["chip.tile.core.mvm_phases=4"]

LE_GALLO = "Le Gallo et al., Nat. Electron. 2023"
KHADDAM = "Khaddam-Aljameh et al., IEEE JSSC 2022"
SHAFIEE = "Shafiee et al., ISCA 2016 (revised Oct. 2016)"
AMBROGIO = "Ambrogio et al., Nature 2023"
RUN_IMAGES = ["simulation.images=200"]  # a run's efficiency: 200 images, not 1


def peak(s):
    return s["peak_as_published"]


def core_power_mw(s):
    """One HERMES core at full activity: its array, converters, periphery and LDPU (a tile's
    share of the network and of the global buffer left out)."""
    t = s["tile_peak_power_by_class_mw"]
    return sum(t.get(c, 0.0) for c in ("array", "dac", "adc", "periphery", "digital"))


def core_area_mm2(s):
    a = s["area_by_class_um2"]
    return sum(a.get(c, 0.0) for c in ("array", "dac", "adc", "periphery", "digital")) / 64 * 1e-6


def core_tops(s):
    return s["run"]["peak_tops"] / 64.0


def tile_mvm_tops_per_w(s, tiles):
    """One tile's arrays, DACs and ADCs at full activity."""
    t = s["tile_peak_power_by_class_mw"]
    mw = sum(t.get(c, 0.0) for c in ("array", "dac", "adc"))
    return s["run"]["peak_tops"] / tiles / (mw * 1e-3)


# Each quantity: what is published, where, what pcmsim runs to predict it, and, where the
# prediction is off by more than 15 %, the gap it has and why.
QUANTITIES = [
    {
        "id": "hermes_tops_1phase",
        "chip": "HERMES 64-core chip",
        "quantity": "peak MVM throughput, one-phase mode",
        "published": 63.1, "unit": "TOPS",
        "source": LE_GALLO + ", abstract",
        "config": HERMES, "overrides": [],
        "value": lambda s: peak(s)["tops"],
        "includes": "64 cores, a full-scale 8-bit MVM each back to back: the longest PWM pulse "
                    "(127 x 1 ns) after a 1-cycle settle, then a 1-cycle CCO latch",
    },
    {
        "id": "hermes_tops_per_w_1phase",
        "chip": "HERMES 64-core chip",
        "quantity": "peak MVM energy efficiency, one-phase mode",
        "published": 9.76, "unit": "TOPS/W",
        "source": LE_GALLO + ", abstract; scope: Table I and text",
        "config": HERMES, "overrides": [],
        "value": lambda s: peak(s)["tops_per_w"],
        "includes": "array, PWM drivers and ADCs of 64 cores at full activity (every device at "
                    "g_max, full-scale inputs)",
        "gap": 0.386,
        "cause": "The model counts the devices' read dissipation (V_read^2 G t, V_read assumed "
                 "0.2 V), the row lines' charge and a CCO estimated from 14 nm gate energies "
                 "(ring and counter switching only); the chip's ADC bias and linearization "
                 "currents, references and the drivers' supply overhead are in no published "
                 "figure and are not modelled. Its breakdown says so too: array 86 %, ADCs 14 % "
                 "at full activity, where IBM's 256 x 256 PCM tiles spend 50-60 % of their energy "
                 "in the ADCs (Singh et al., Nat. Electron. 2025, as summarized)",
    },
    {
        "id": "hermes_tops_4phase",
        "chip": "HERMES 64-core chip",
        "quantity": "peak MVM throughput, four-phase mode",
        "published": 16.1, "unit": "TOPS",
        "source": LE_GALLO + ", abstract",
        "config": HERMES, "overrides": FOUR_PHASE,
        "value": lambda s: peak(s)["tops"],
        "includes": "as one-phase, four reads per MVM",
    },
    {
        "id": "hermes_tops_per_w_4phase",
        "chip": "HERMES 64-core chip",
        "quantity": "peak MVM energy efficiency, four-phase mode",
        "published": 2.48, "unit": "TOPS/W",
        "source": LE_GALLO + ", abstract; scope: Table I and text",
        "config": HERMES, "overrides": FOUR_PHASE,
        "value": lambda s: peak(s)["tops_per_w"],
        "includes": "as one-phase, four reads per MVM",
        "gap": 0.364,
        "cause": "As in one-phase mode: four reads cost four times the energy in four times the "
                 "time (the chip measured 6.47 W in one-phase and 6.49 W in four-phase mode)",
    },
    {
        "id": "hermes_tops_per_mm2_4phase",
        "chip": "HERMES 64-core chip",
        "quantity": "MVM throughput per area, four-phase mode",
        "published": 0.400, "unit": "TOPS/mm2",
        "source": LE_GALLO + " (\"400 GOPS/mm2 in 4-phase read mode\", quoted in secondary "
                  "sources)",
        "config": HERMES, "overrides": FOUR_PHASE,
        "value": lambda s: peak(s)["tops_per_mm2"],
        "includes": "over the 64 cores' area (16.1 TOPS / 0.400 TOPS/mm2 = 40 mm2 = 64 x "
                    "0.634 mm2): pcmsim's cells, converters and LDPUs",
        "gap": 0.947,
        "cause": "The cores' floor plan is not published: pcmsim's core is its 2 um x 2 um "
                 "cells (a pitch inferred from the ADCs' 4 um), ADCs at ISAAC's area scaled to "
                 "14 nm and an assumed LDPU, 0.33 mm2 against the core's 0.634 mm2; programming "
                 "circuits, drivers, control and wiring are not modelled",
    },
    {
        "id": "hermes_core_tops_per_w",
        "chip": "HERMES core",
        "quantity": "energy efficiency of one core",
        "published": 10.5, "unit": "TOPS/W",
        "source": KHADDAM + ", abstract",
        "config": HERMES, "overrides": [],
        "value": lambda s: core_tops(s) / (core_power_mw(s) * 1e-3),
        "includes": "one core at full activity: array, PWM drivers, ADCs and its LDPU",
        "gap": 0.282,
        "cause": "As for the chip: unmodelled ADC bias and supply overheads (the LDPU, at "
                 "0.44 mW from the 14 nm table, changes little); the paper measured it on an "
                 "MNIST run, pcmsim at full activity",
    },
    {
        "id": "hermes_core_tops_per_mm2",
        "chip": "HERMES core",
        "quantity": "throughput per area of one core",
        "published": 1.59, "unit": "TOPS/mm2",
        "source": KHADDAM + ", abstract",
        "config": HERMES, "overrides": [],
        "value": lambda s: core_tops(s) / core_area_mm2(s),
        "includes": "one core: cells, converters, LDPU",
        "gap": 0.959,
        "cause": "As for the chip's area: 0.33 mm2 of modelled parts against 0.634 mm2",
    },
    {
        "id": "isaac_ce",
        "chip": "ISAAC-CE",
        "quantity": "computational efficiency (CE)",
        "published": 478.95, "unit": "GOPS/s/mm2",
        "source": SHAFIEE + ", Table IV (as transcribed)",
        "config": ISAAC, "overrides": [],
        "value": lambda s: peak(s)["tops_per_mm2"] * 1000,
        "includes": "16-bit ops per second at peak, every crossbar busy (16 one-bit input reads "
                    "of 100 ns, 8 two-bit slices per weight), over the chip's 85.4 mm2 with "
                    "HyperTransport; the area is the paper's component table",
    },
    {
        "id": "isaac_pe",
        "chip": "ISAAC-CE",
        "quantity": "power efficiency (PE)",
        "published": 627.5, "unit": "GOPS/W",
        "source": SHAFIEE + ", Table IV (as transcribed)",
        "config": ISAAC, "overrides": [],
        "value": lambda s: peak(s)["tops_per_w"] * 1000,
        "includes": "the same peak over the chip's power at full activity (65.7 W: the paper's "
                    "component table, less the links the mesh's edge routers lack)",
    },
]


QUANTITIES += [
    {
        "id": "ibm_speech_tops_per_w",
        "chip": "IBM 14 nm speech chip",
        "quantity": "chip-sustained energy efficiency",
        "published": 12.4, "unit": "TOPS/W",
        "source": AMBROGIO + ", abstract",
        "config": SPEECH, "overrides": RUN_IMAGES,
        "value": lambda s: s["peak_as_published"]["run_tops_per_w"],
        "includes": "a run's ops over its energy in the tiles' arrays, input and output "
                    "converters and the mesh, the paper's scope (no digital compute, no SRAM, no "
                    "off-chip I/O); the shipped MLP, 200 images",
        "gap": 6.12,
        "cause": "Every energy of this preset is estimated (the paper publishes none): pcmsim "
                 "charges dynamic energy only, a conversion at 1.3 pJ and each device's read "
                 "dissipation at its programmed conductance and pulse, which on a real workload "
                 "is a small fraction of full scale; the chip's analog periphery also draws "
                 "static power (biases, ramps, references) whatever its activity, which no "
                 "published figure sizes and pcmsim leaves at zero. The workloads differ too "
                 "(the paper's speech networks against the shipped MLP)",
    },
    {
        "id": "ibm_speech_tile_tops_per_w",
        "chip": "IBM 14 nm speech chip",
        "quantity": "peak energy efficiency of one analog tile",
        "published": 20.0, "unit": "TOPS/W",
        "source": AMBROGIO + ", Fig. 6 (as summarized in secondary sources)",
        "config": SPEECH, "overrides": [],
        "value": lambda s: tile_mvm_tops_per_w(s, 34),
        "includes": "one tile's array and converters at full activity: every device at g_max "
                    "under full-scale 306 ns pulses",
        "gap": -0.676,
        "cause": "The opposite side of the same uncertainty: at full activity the devices' "
                 "read dissipation (0.2 V assumed, 25 uS, 306 ns) is 131 mW per tile, far more "
                 "than a real workload's weights and inputs draw; the paper's figure is measured "
                 "on its networks. The two IBM-chip rows bracket the chip: pcmsim's dynamic "
                 "energy at full scale against its dynamic energy on a workload",
    },
]


def by_id(qid):
    for q in QUANTITIES:
        if q["id"] == qid:
            return q
    sys.exit("validation.py: no quantity '%s' (see `tools/validation.py ids`)" % qid)


_RUNS = {}


def stats_of(pcmsim, config, overrides):
    key = (config, tuple(overrides))
    if key not in _RUNS:
        with tempfile.TemporaryDirectory() as d:
            cmd = [pcmsim, "run", os.path.join(ROOT, config), "--no-progress", "--threads", "1",
                   "--out", os.path.join(d, "out")]
            if not any(o.startswith("simulation.images=") for o in overrides):
                cmd += ["-p", "simulation.images=1"]
            for o in overrides:
                cmd += ["-p", o]
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                sys.exit("validation.py: %s failed:\n%s" % (" ".join(cmd), r.stdout))
            with open(os.path.join(d, "out", "stats.json")) as f:
                _RUNS[key] = json.load(f)
    return _RUNS[key]


def evaluate(q, pcmsim):
    v = q["value"](stats_of(pcmsim, q["config"], q["overrides"]))
    return v, v / q["published"] - 1.0


def holds(q, err):
    if "gap" in q:
        return abs(err - q["gap"]) <= GAP_SLACK
    return abs(err) <= TOLERANCE


def command(q):
    cmd = "pcmsim run " + q["config"]
    for o in q["overrides"]:
        cmd += " -p " + o
    return "`" + cmd + "`"


def doc_text(pcmsim):
    out = [
        "# Validation against published chips",
        "",
        "Generated by `tools/validation.py write`; do not edit by hand. `ctest -L validation` runs",
        "one test per row (`tools/validation.py check ID`): a prediction within 15 % of the",
        "published figure passes; a row whose gap is stated holds pcmsim to that gap (within 2",
        "points), so that a change to a model shows here. No preset parameter is derived from the",
        "figure it is compared with: configs/chips/hermes.yaml and isaac.yaml say where each of",
        "theirs comes from (paper and table, a cited 14 nm source marked \"estimated\", or",
        "\"assumed\"). Every row is pcmsim's peak computed the way its paper states its figure",
        "(the \"as published\" line of the report: `chip.peak_scope`).",
        "",
        "| chip | quantity | published | source | pcmsim | error | what it includes |",
        "|---|---|---|---|---|---|---|",
    ]
    notes = []
    for q in QUANTITIES:
        v, err = evaluate(q, pcmsim)
        mark = "" if abs(err) <= TOLERANCE else " (gap, note %d)" % (len(notes) + 1)
        if "gap" in q:
            notes.append((q, err))
        out.append("| %s | %s | %g %s | %s | %.4g %s | %+.1f %%%s | %s; %s |" % (
            q["chip"], q["quantity"], q["published"], q["unit"], q["source"], v, q["unit"],
            100 * err, mark, q["includes"], command(q)))
    ok = sum(1 for q in QUANTITIES if "gap" not in q)
    out += ["", "%d of %d quantities within 15 %%; the gaps of the others and their causes:" %
            (ok, len(QUANTITIES)), ""]
    for i, (q, err) in enumerate(notes, 1):
        out.append("%d. **%s, %s (%+.1f %%).** %s." % (i, q["chip"], q["quantity"], 100 * err,
                                                       q["cause"]))
    out += breakdown_text(pcmsim)
    return "\n".join(out) + "\n"


# Published shares of an IBM PCM tile's energy (Singh et al., "The design of analogue in-memory
# computing tiles", Nat. Electron. 2025, as summarized in secondary sources): no HERMES
# breakdown is published.
PAPER_SHARES = {
    "array": "15-20 % of a 256 x 256 8-bit tile (Singh et al. 2025, Fig. 5b)",
    "adc": "50-60 % (ADCs and support circuits in dense 256 x 256 PCM arrays); output encoding "
           "60-70 % of the tile (Singh et al. 2025)",
}


def breakdown_text(pcmsim):
    s = stats_of(pcmsim, DEFAULT, ["simulation.images=1000"])
    e = s["energy_by_class_pj"]
    images = s["run"]["images"]
    total = sum(e.values())
    tile = sum(e[c] for c in ("array", "dac", "adc"))
    peak = s["peak_power_by_class_mw"]
    ptile = sum(peak.get(c, 0.0) for c in ("array", "dac", "adc"))
    out = [
        "",
        "## The default run's energy on the HERMES-like preset",
        "",
        "`pcmsim run configs/default.yaml -p simulation.images=1000` (the shipped MLP): energy by",
        "class per image, its share of the run, and, for the tile's analog classes, their share",
        "of the tile's MVM energy (array, DACs, ADCs) in this run and at full activity, beside",
        "what IBM publishes for its PCM tiles (no per-class figure is published for HERMES).",
        "",
        "| class | pJ per image | share of the run | share of MVM energy, run | share of MVM "
        "power, full activity | published |",
        "|---|---|---|---|---|---|",
    ]
    for cls, pj in e.items():
        if pj == 0:
            continue
        mvm = cls in ("array", "dac", "adc")
        out.append("| %s | %.1f | %.1f %% | %s | %s | %s |" % (
            cls, pj / images, 100 * pj / total,
            "%.1f %%" % (100 * pj / tile) if mvm else "",
            "%.1f %%" % (100 * peak.get(cls, 0.0) / ptile) if mvm else "",
            PAPER_SHARES.get(cls, "")))
    io, adc = e.get("io", 0.0), e["adc"]
    out += [
        "",
        "Off-chip I/O (%.0f %%: the images read in, at an assumed 20 pJ per byte) and the ADCs" %
        (100 * io / total),
        "(%.0f %%) take most of the MLP's run. Within the tile's MVM energy the ADCs take %.0f %%" %
        (100 * adc / total, 100 * adc / tile),
        "and the array %.0f %% on this workload, whose devices and inputs draw a fraction of" %
        (100 * e["array"] / tile),
        "full scale, against IBM's 60-70 % for output encoding and 15-20 % for the array; at full",
        "activity the array's share is %.0f %% instead." % (100 * peak["array"] / ptile),
    ]
    return out


def main(argv):
    args = argv[1:]
    pcmsim = os.path.join(ROOT, "build", "pcmsim")
    if "--pcmsim" in args:
        i = args.index("--pcmsim")
        pcmsim = args[i + 1]
        del args[i:i + 2]
    if args == ["ids"]:
        print("\n".join(q["id"] for q in QUANTITIES))
        return 0
    if len(args) == 2 and args[0] == "check":
        q = by_id(args[1])
        v, err = evaluate(q, pcmsim)
        want = ("a gap of %+.1f %% (within 2 points)" % (100 * q["gap"]) if "gap" in q
                else "within 15 %")
        print("%s: published %g %s, pcmsim %.4g %s, error %+.1f %%; expected %s" % (
            q["id"], q["published"], q["unit"], v, q["unit"], 100 * err, want))
        return 0 if holds(q, err) else 1
    if args == ["check-doc"]:
        with open(os.path.join(ROOT, "docs", "validation.md")) as f:
            if f.read() != doc_text(pcmsim):
                sys.exit("validation.py: docs/validation.md is out of date; run "
                         "tools/validation.py write")
        return 0
    if args == ["write"]:
        path = os.path.join(ROOT, "docs", "validation.md")
        with open(path + ".tmp", "w") as f:
            f.write(doc_text(pcmsim))
        os.replace(path + ".tmp", path)
        print("wrote docs/validation.md")
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
