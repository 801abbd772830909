"""Time the vectorised core on many part-options and print rows per second and peak memory.

Usage: python bench/core.py [--rows N] [--repeat K]

The rows are the options of the built-in demo case, repeated with their
prices, volumes, weights and rates varied at random, grouped in cases of
three options each. The target is 1,000,000 part-options a second on one
core. Timing covers ``compute_frame`` only, not building the input frame.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import time
from importlib import resources
import tomllib

# One core, as the target states: numpy's BLAS threads are not used here, but pin them anyway.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from tco_xl.case import build_case  # noqa: E402
from tco_xl.frame import compute_frame, frame_from_cases  # noqa: E402

FIGURES_DATE = dt.date(2026, 7, 1)


def demo_rows():
    with resources.files("tco_xl.data").joinpath("demo_case.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    return frame_from_cases([build_case(raw, today=FIGURES_DATE)])


def make_frame(rows: int, seed: int = 1):
    """Return a frame of ``rows`` part-options: the demo's options, varied at random."""
    template = demo_rows()
    per_case = len(template)
    # Whole cases only, so each has its baseline row: at least ``rows`` rows.
    cases = -(-rows // per_case)
    frame = template.loc[np.tile(template.index, cases)].reset_index(drop=True).copy()
    frame["case"] = np.repeat(np.arange(cases), per_case)
    rng = np.random.default_rng(seed)
    size = len(frame)
    by_case = np.repeat(rng.uniform(0.5, 2.0, size // per_case), per_case)
    for name in ("annual_volume", "unit_weight_kg", "unit_volume_m3"):
        frame[name] = frame[name] * by_case
    for name in ("price", "materials_eur", "cost_per_load_eur", "duty_rate", "defect_rate", "labour_hours"):
        frame[name] = frame[name] * rng.uniform(0.8, 1.2, size)
    frame["demand_per_period"] = frame["annual_volume"] * frame["demand_period_days"] / 365.0
    frame["demand_sd_per_period"] = 0.25 * frame["demand_per_period"]
    frame["cbam_importer_tonnes_per_year"] = frame["annual_volume"] * frame["unit_weight_kg"] / 1000.0
    return frame


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="part-options to compute (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the best and the median are reported (default 5)")
    args = parser.parse_args(argv)

    frame = make_frame(args.rows)
    before = peak_rss_mib()
    # One untimed run first, so the timed runs do not include first-call set-up.
    compute_frame(frame.iloc[:1000], FIGURES_DATE)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = compute_frame(frame, FIGURES_DATE)
        times.append(time.perf_counter() - start)
    best = min(times)
    median = statistics.median(times)
    rate = len(frame) / best

    print(f"rows:              {len(frame):,}")
    print(f"best of {args.repeat}:         {best:.3f} s  (all: {', '.join(f'{t:.3f}' for t in times)})")
    print(f"median:            {median:.3f} s  ({len(frame) / median:,.0f} part-options/s)")
    print(f"part-options/s:    {rate:,.0f} (best run)")
    print(f"target:            1,000,000 a second -> {'met' if rate >= 1_000_000 else 'NOT met'}")
    print(f"peak RSS:          {peak_rss_mib():,.0f} MiB (input frame built: {before:,.0f} MiB)")
    print(f"result columns:    {result.shape[1]}")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs visible")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
