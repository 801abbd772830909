"""Time `tco-xl check` of the template with 1,000 scenarios, and LibreOffice on a sample of the same scenarios.

Run ``python bench/check.py [--scenarios N] [--sample K] [--repeat R]``. It
prints the wall time of the whole check, in a fresh process as a user runs
it and in this process with its steps. Then it prints the time LibreOffice
takes to recalculate the first K scenarios written as workbooks, and the
ratio of the two per scenario. The target is the whole 1,000-scenario check in under
10 seconds. Last, it times the same check of the xlwings variant, whose
TCO_ functions compute each scenario's options with the core (``--udfs-runs``).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from tco_xl import libreoffice
from tco_xl.scenarios import generate_case
from tco_xl.template import write_workbook
from tco_xl.template_compare import compare, expected_cells
from tco_xl.template_fill import filled_template
from tco_xl.template_layout import Layout
from tco_xl.template_results import sheet_rows
from tco_xl.workbook_check import DEFAULT_SEED, CheckSettings, check_file

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbooks" / "tco-xl-tilburg-en.xlsx"
UDF_TEMPLATE = ROOT / "workbooks" / "tco-xl-tilburg-en-udfs.xlsx"
TARGET_SECONDS = 10.0


def command_seconds(scenarios: int, seed: int, workbook: Path = TEMPLATE) -> float:
    """Return the wall time of `tco-xl check` with scenarios in a fresh Python process, imports included."""
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "tco_xl.cli", "check", str(workbook), "--scenarios", str(scenarios), "--seed", str(seed)],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"the check failed (exit {completed.returncode}):\n{completed.stdout}{completed.stderr}")
    return seconds


def libreoffice_sample(sample: int, seed: int) -> tuple[float, int]:
    """Recalculate the first ``sample`` scenarios in LibreOffice; return the seconds and the cells that differ from the core."""
    layout, rows = Layout("en"), sheet_rows()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        paths, expected = [], []
        for index in range(sample):
            raw, case = generate_case(index, seed)
            paths.append(write_workbook(filled_template(raw, "en", "tilburg"), folder / f"scenario{index:04d}.xlsx"))
            expected.append(expected_cells(case, layout, rows))
        start = time.perf_counter()
        outputs = libreoffice.recalculate_many(paths, folder / "out")
        seconds = time.perf_counter() - start
        differing = 0
        for path, cells in zip(outputs, expected):
            workbook = openpyxl.load_workbook(path, data_only=True)
            differing += len(compare(cells, lambda sheet, cell: workbook[sheet][cell].value, relative=1e-9))
    return seconds, differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=1000, help="scenarios in the check (default 1000)")
    parser.add_argument("--sample", type=int, default=20, help="scenarios recalculated by LibreOffice (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the whole command; the best and median are printed (default 3)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the scenarios")
    parser.add_argument("--udfs-runs", type=int, default=1, help="runs of the check of the xlwings variant; 0 skips it (default 1)")
    args = parser.parse_args()

    runs = [command_seconds(args.scenarios, args.seed) for _ in range(args.repeat)]
    best, median = min(runs), statistics.median(runs)
    print(f"tco-xl check of {TEMPLATE.name} with {args.scenarios} scenarios, whole command: best {best:.2f} s, median {median:.2f} s over {args.repeat} runs")
    verdict = "met" if best < TARGET_SECONDS else "NOT met"
    print(f"  target under {TARGET_SECONDS:.0f} s: {verdict}")

    report = check_file(TEMPLATE, CheckSettings(scenarios=args.scenarios, seed=args.seed))
    for check in report.checks:
        print(f"  {check.name:<10} {check.seconds:6.2f} s  {check.status}: {check.summary}")
    print(f"  in-process total {report.seconds:.2f} s; per scenario {1000 * report.seconds / max(args.scenarios, 1):.2f} ms")

    if libreoffice.find_soffice() is None:
        print("LibreOffice: not installed, sample skipped")
    else:
        seconds, differing = libreoffice_sample(args.sample, args.seed)
        per_scenario = seconds / args.sample
        check_per_scenario = best / args.scenarios
        print(f"LibreOffice recalculating {args.sample} of the same scenarios: {seconds:.2f} s ({per_scenario:.3f} s per scenario); {differing} cells differ from the core")
        print(f"  per scenario, LibreOffice takes {per_scenario / check_per_scenario:.0f} times as long as the check")
        print(f"  {args.scenarios} scenarios in LibreOffice at that rate: about {per_scenario * args.scenarios:.0f} s")

    if args.udfs_runs > 0:
        udf_runs = [command_seconds(args.scenarios, args.seed, UDF_TEMPLATE) for _ in range(args.udfs_runs)]
        print(
            f"tco-xl check of {UDF_TEMPLATE.name} with {args.scenarios} scenarios, TCO_ functions computed in each: "
            f"best {min(udf_runs):.2f} s over {args.udfs_runs} runs ({min(udf_runs) / best:.1f} times the template without them)"
        )


if __name__ == "__main__":
    main()
