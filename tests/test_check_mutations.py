"""Mutation test of the workbook check: single-cell faults in the filled demo must each be reported at their cell.

Four kinds of fault, each in cells spread over the calculation, results,
path and inputs sheets: an operator changed, a reference shifted by one
row, a formula replaced by its own value, and a constant changed. The test
prints the share of faults caught; the target is all of them.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tco_xl.cli import main
from tco_xl.formula_engine import build_model
from tco_xl.template_read import check_template, open_template
from tco_xl.workbook_check import CheckSettings, check_workbook

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "workbooks" / "examples" / "demo_en.xlsx"
MUTANTS_PER_KIND = 8
SHEETS = ("Calculation", "Results", "Path", "Inputs")

STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
OPERATOR = re.compile(r"(?<=[\w)$])\s*([*/+\-])\s*(?=[\w($.])")
SWAPPED = {"*": "/", "/": "*", "+": "-", "-": "+"}
# A cell reference such as D52, $I$130 or Inputs!I41; not part of a name or a function.
REFERENCE = re.compile(r"(?<![A-Za-z_0-9.])(\$?[A-Z]{1,3}\$?)(\d+)(?![\d(A-Za-z_!])")
# A number literal, not part of a reference or a name.
CONSTANT = re.compile(r"(?<![A-Za-z_$0-9.])(\d+(?:\.\d+)?)(?![\d.A-Za-z_(!])")


@dataclass(frozen=True)
class Mutant:
    kind: str
    sheet: str
    cell: str
    before: str
    after: object


def _outside_strings(formula: str, pattern: re.Pattern):
    """Return the first match of ``pattern`` outside string literals, or None."""
    literals = [m.span() for m in STRING_LITERAL.finditer(formula)]
    for match in pattern.finditer(formula):
        if not any(start <= match.start() < end for start, end in literals):
            return match
    return None


def change_operator(formula: str) -> str | None:
    match = _outside_strings(formula, OPERATOR)
    if match is None:
        return None
    start, end = match.span(1)
    return formula[:start] + SWAPPED[match.group(1)] + formula[end:]


def shift_reference(formula: str) -> str | None:
    match = _outside_strings(formula, REFERENCE)
    if match is None:
        return None
    start, end = match.span(2)
    return formula[:start] + str(int(match.group(2)) + 1) + formula[end:]


def change_constant(formula: str) -> str | None:
    match = _outside_strings(formula, CONSTANT)
    if match is None:
        return None
    start, end = match.span(1)
    return formula[:start] + repr(float(match.group(1)) + 1) + formula[end:]


FORMULA_MUTATIONS = {"operator": change_operator, "reference": shift_reference, "constant": change_constant}


def make_mutants(workbook) -> list[Mutant]:
    """Return MUTANTS_PER_KIND faults of each kind, in formula cells spread evenly over SHEETS."""
    model = build_model(workbook)
    values = model.evaluate()
    cells = [
        (sheet, cell.coordinate, cell.value)
        for sheet in SHEETS
        for row in workbook[sheet].iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    mutants = []
    for kind in ("operator", "reference", "value", "constant"):
        candidates = []
        for sheet, coordinate, formula in cells:
            if kind == "value":
                value = values[model.key(sheet, coordinate)].value(0)
                after = value if isinstance(value, (float, str)) else None
            else:
                after = FORMULA_MUTATIONS[kind](formula)
            if after is not None:
                candidates.append(Mutant(kind, sheet, coordinate, formula, after))
        step = max(1, len(candidates) // MUTANTS_PER_KIND)
        mutants += candidates[::step][:MUTANTS_PER_KIND]
    return mutants


@pytest.fixture(scope="module")
def demo():
    workbook = open_template(DEMO)
    return workbook, check_template(workbook, DEMO)


def _caught_at(report, mutant: Mutant) -> list[str]:
    """Return the checks whose findings name the mutated cell."""
    return [check.name for check in report.checks for finding in check.findings if (finding.sheet, finding.cell) == (mutant.sheet, mutant.cell)]


def test_every_fault_reported_at_cell(demo, capsys):
    workbook, info = demo
    mutants = make_mutants(workbook)
    assert {m.kind for m in mutants} == {"operator", "reference", "value", "constant"}
    assert len(mutants) == 4 * MUTANTS_PER_KIND

    missed = []
    for mutant in mutants:
        cell = workbook[mutant.sheet][mutant.cell]
        cell.value = mutant.after
        try:
            report = check_workbook(workbook, info, "mutant", CheckSettings())
        finally:
            cell.value = mutant.before
        if report.status != "failed" or not _caught_at(report, mutant):
            missed.append(mutant)

    caught = len(mutants) - len(missed)
    with capsys.disabled():
        print(f"\nworkbook check caught {caught} of {len(mutants)} single-cell faults ({caught / len(mutants):.0%})")
    assert not missed, "faults the check did not report at their cell: " + "; ".join(
        f"{m.kind} at {m.sheet}!{m.cell}: {m.before} -> {m.after!r}" for m in missed
    )


def test_unmutated_demo_passes(demo):
    workbook, info = demo
    report = check_workbook(workbook, info, "demo", CheckSettings())
    assert report.status == "passed", [f.describe() for c in report.checks for f in c.findings]


@pytest.mark.parametrize("kind", ["operator", "value"])
def test_saved_fault_fails_command(demo, tmp_path, capsys, kind):
    workbook, _ = demo
    mutant = next(m for m in make_mutants(workbook) if m.kind == kind and m.sheet == "Calculation")
    path = tmp_path / "faulty.xlsx"
    shutil.copyfile(DEMO, path)
    faulty = open_template(path)
    faulty[mutant.sheet][mutant.cell].value = mutant.after
    faulty.save(path)

    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{mutant.sheet}!{mutant.cell}" in out
    assert "formulas    failed" in out


def test_mutations_change_formula():
    assert change_operator("=A1*B2+C3") == "=A1/B2+C3"
    assert change_operator('=IF(A1="a-b",1,2)') is None
    assert shift_reference("=Inputs!I130*2") == "=Inputs!I131*2"
    assert shift_reference("=default_value*2") is None
    assert change_constant("=MAX(0,D5)") == "=MAX(1.0,D5)"
    assert change_constant("=D5+E6") is None
