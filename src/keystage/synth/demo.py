"""`keystage demo`: write a complete, deterministic synthetic data folder laid out like DfE's downloads."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keystage.synth import params
from keystage.synth.aggregates import la_totals
from keystage.synth.benchmarks import write_la_codes, write_lait, write_neighbours
from keystage.synth.fmt import write_frame
from keystage.synth.gias import write_gias
from keystage.synth.ks2 import write_ks2
from keystage.synth.ks4 import write_ks4
from keystage.synth.la_records import write_la_records
from keystage.synth.pupils import pupils, secondaries
from keystage.synth.results import simulate
from keystage.synth.world import build_world

SCALES = ("la", "england")


def write_demo(out: Path, scale: str = "la", seed: int = 2013) -> list[Path]:
    """Generate the synthetic world from `seed` and write every input file under `out`; returns the paths written.

    "la" writes the demo LA's schools (KS2, GIAS); "england" writes all 152 LAs' schools. Benchmarks
    (LAIT, neighbours, LA codes), KS4, pupils and the LA's own records are the same at both scales.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}; got {scale!r}")
    out = Path(out)
    rng = np.random.default_rng(seed)
    world = build_world(rng)
    results = simulate(rng, world)
    totals = la_totals(world, results)
    las = [params.DEMO_LA_CODE] if scale == "la" else sorted(int(c) for c in world.las["code"])
    tag = str(params.DEMO_LA_CODE) if scale == "la" else "england"
    schools = secondaries(rng, world)
    cohort = pupils(rng, world, results, schools)
    written = write_ks2(out, world, results, totals, las, tag)
    written += write_ks4(out, rng, cohort, schools, params.DEMO_LA_NAME)
    written += write_gias(out, world, las, tag, schools)
    written += [write_lait(out, world, totals), write_neighbours(out, world), write_la_codes(out, world)]
    written += write_la_records(out, rng, world, results)
    written.append(write_frame(out / "la" / "pupils.csv", cohort))
    return written
