"""Check that a template workbook's formulas give the Python core's numbers and that none was broken.

A check reads a filled or edited template and runs six checks on it:

- ``formulas``: every formula is the template's formula for that cell; a
  typed number or a changed formula is named with its cell;
- ``inputs``: every input cell contains a value its validation allows;
- ``errors``: no formula shows an error value (#DIV/0!, #REF!, #NAME?...);
- ``references``: no formula refers to an empty cell other than an input;
- ``values``: the workbook's formulas, recalculated by ``formula_engine``,
  give the core's value in every cost line, subtotal and result cell;
- ``scenarios``: the same for N generated cases, all evaluated at once.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from .case import build_case
from .errors import TcoError, ValidationError
from .formula_engine import ERROR, NA, NUMBER, TEXT, CellKey, Column, EngineError, Model, build_model, column, date_serial
from .regions import load_region
from .scenarios import REGION as SCENARIO_REGION
from .scenarios import generate_case
from .template_calc import PATH_COLUMNS
from .template_compare import Expected, compare, expected_cells, is_empty, is_error_text
from .template_fill import input_values
from .template_inputs import input_validation
from .cell_functions import FUNCTIONS
from .results import compute_case
from .template_layout import FIRST_INPUT_COLUMN, FIRST_OPTION_COLUMN, FIRST_USED_COLUMN, OPTION_COUNT, PATH_YEARS, UDF_SHEET, VARIANT, Layout
from .template_read import TemplateInfo, WorkbookError, open_template, read_case, template_info
from .template_results import PATH_FIRST_COLUMN, path_row, sheet_rows
from .template_udfs import expected_udf_cells, range_results, udf_cells

logger = logging.getLogger(__name__)

CHECKS = ("formulas", "inputs", "errors", "references", "values", "scenarios")
CHECK_PURPOSE = {
    "formulas": "every formula is the template's formula for its cell",
    "inputs": "every input cell contains a value its validation allows",
    "errors": "no formula shows an error value",
    "references": "no formula refers to an empty cell that is not an input",
    "values": "the workbook's result cells equal the Python core's values for its inputs",
    "scenarios": "the formulas equal the core for generated input scenarios",
}

DEFAULT_RELATIVE_TOLERANCE = 1e-9
# Values this close to the core's count as equal whatever their size, so that a
# gap of 1e-13 EUR against 0 passes.
ABSOLUTE_TOLERANCE = 1e-9
DEFAULT_SEED = 20261204
# Scenarios in one run: 20,000 take about 2 min and 3 GB of memory on a 2-core machine.
MAX_SCENARIOS = 20000

Progress = Callable[[int, int, str], None]
"""Called as progress(done, total, what) while scenarios are prepared."""


@dataclass(frozen=True)
class Finding:
    """One problem found in a workbook: its cell, what the cell contains and what was expected."""

    sheet: str
    cell: str
    message: str
    what: str = ""
    option: str = ""
    expected: object = None
    found: object = None
    scenario: int | None = None

    def describe(self) -> str:
        """Return one line: the cell, its line id and option where known, and the message."""
        labels = [part for part in (self.what, f"option {self.option!r}" if self.option else "") if part]
        if not self.sheet:
            return self.message if self.scenario is None else f"scenario {self.scenario}: {self.message}"
        where = f"{self.sheet}!{self.cell}" if self.cell else f"sheet {self.sheet}"
        if labels:
            where += f" ({', '.join(labels)})"
        if self.scenario is not None:
            where = f"scenario {self.scenario}: {where}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "cell": self.cell,
            "what": self.what,
            "option": self.option,
            "expected": _plain(self.expected),
            "found": _plain(self.found),
            "scenario": self.scenario,
            "message": self.message,
        }


def _plain(value):
    """Return a value that JSON can hold: numbers, text, booleans or None; error values as their text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)


@dataclass
class CheckResult:
    """The outcome of one check of one workbook: passed, failed or skipped, with its findings."""

    name: str
    status: str
    summary: str
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class WorkbookReport:
    """Every check of one workbook, or the reason it could not be read."""

    path: str
    language: str | None = None
    region: str | None = None
    checks: list[CheckResult] = field(default_factory=list)
    # Why the workbook could not be read, without the file name.
    error: str | None = None
    seconds: float = 0.0

    @property
    def status(self) -> str:
        """Return "unreadable", "failed" or "passed"."""
        if self.error is not None:
            return "unreadable"
        return "failed" if any(check.status == "failed" for check in self.checks) else "passed"


@dataclass(frozen=True)
class CheckSettings:
    """Settings of a check: the scenarios to sweep and the tolerance of value comparisons."""

    scenarios: int = 0
    seed: int = DEFAULT_SEED
    relative_tolerance: float = DEFAULT_RELATIVE_TOLERANCE


def workbook_files(folder: str | Path) -> list[Path]:
    """Return the .xlsx files in a folder and its subfolders, sorted; raise ``OSError`` for a folder that cannot be read."""

    def unreadable(error: OSError) -> None:
        raise error

    found = []
    for root, _, names in os.walk(folder, onerror=unreadable):
        for name in names:
            # ~$ files are Excel's locks of open workbooks.
            if name.lower().endswith(".xlsx") and not name.startswith("~$") and os.path.isfile(os.path.join(root, name)):
                found.append(Path(root) / name)
    return sorted(found)


def check_file(path: str | Path, settings: CheckSettings = CheckSettings(), progress: Progress | None = None) -> WorkbookReport:
    """Check one workbook file, which is only read; for an unreadable file the report's ``error`` gives the reason."""
    started = time.perf_counter()
    try:
        # open_template has checked the sheets and input rows, so only the identity is left to read.
        workbook = open_template(path)
        info = template_info(workbook, path)
        report = check_workbook(workbook, info, str(path), settings, progress)
    except WorkbookError as error:
        report = WorkbookReport(str(path), error=error.problem)
    report.seconds = time.perf_counter() - started
    return report


def check_workbook(workbook, info: TemplateInfo, name: str, settings: CheckSettings = CheckSettings(), progress: Progress | None = None) -> WorkbookReport:
    """Run every check on an open template workbook (loaded with formulas) and return the report."""
    report = WorkbookReport(name, info.language, info.region)
    try:
        region = load_region(info.region)
    except TcoError as error:
        raise WorkbookError(name, f"defined name tco_region = {info.region!r} is not a packaged region: {error}") from error
    layout = Layout(info.language)
    try:
        # The TCO_ functions exist only where xlwings imports them: in a native template they show #NAME?.
        model = build_model(workbook, functions=FUNCTIONS if info.variant == VARIANT else None)
    except EngineError as error:
        finding = Finding("", "", str(error))
        if error.key is not None:
            sheet_title = {sheet.title.upper(): sheet.title for sheet in workbook.worksheets}.get(error.key[0], error.key[0])
            cell = f"{get_column_letter(error.key[2])}{error.key[1]}"
            finding = Finding(sheet_title, cell, str(error).split(": ", 1)[-1])
        report.checks.append(CheckResult("formulas", "failed", "the formulas cannot be evaluated: a circular reference", [finding]))
        report.checks += [CheckResult(check, "skipped", "the formulas cannot be evaluated") for check in CHECKS[1:]]
        return report
    context = _Context(workbook, info, region, layout, model, settings)

    report.checks.append(_timed(_check_formulas, context))
    report.checks.append(_timed(_check_inputs, context))
    if report.checks[-1].status == "failed":
        # One invalid input spreads errors through the workbook; point at its cause.
        context.input_hint = "; the invalid inputs above may cause them"
    started = time.perf_counter()
    context.values = model.evaluate()
    evaluation_seconds = time.perf_counter() - started
    report.checks.append(_timed(_check_errors, context))
    report.checks[-1].seconds += evaluation_seconds
    report.checks.append(_timed(_check_references, context))
    report.checks.append(_timed(_check_values, context))
    report.checks.append(_timed(_check_scenarios, context, progress))
    return report


def _timed(check, *args) -> CheckResult:
    started = time.perf_counter()
    result = check(*args)
    result.seconds = time.perf_counter() - started
    return result


# ------------------------------------------------------------------ context


class _Context:
    """State shared by the checks of one workbook: the workbook, its model, the template it came from and cell labels."""

    def __init__(self, workbook, info: TemplateInfo, region, layout: Layout, model: Model, settings: CheckSettings):
        self.workbook = workbook
        self.info = info
        self.region = region
        self.layout = layout
        self.model = model
        self.settings = settings
        self.rows = sheet_rows()
        self.reference = _template_cells(info.language, info.region, info.variant)
        self.udf_cells = udf_cells(layout, self.rows) if info.variant == VARIANT else []
        self.inputs_sheet = layout.sheets["inputs"].upper()
        self.defaults_sheet = layout.sheets["defaults"].upper()
        self.input_keys = _input_keys(layout)
        self.labels = _cell_labels(info.language)
        self.values: dict[CellKey, Column] = {}
        # Cells that array formulas fill, besides the formula's own cell.
        self.array_parts = {key for anchor in model.arrays for key in model.array_cells(anchor) if key != anchor}
        self.input_hint = ""
        self.option_names = self._option_names()

    def _option_names(self) -> list[str]:
        names = []
        for index in range(OPTION_COUNT):
            key = self.model.key(self.layout.sheets["inputs"], self.layout.input_cell("name", index))
            value = self.model.constants.get(key)
            text = value.value() if value is not None else None
            names.append(str(text).strip() if text not in (None, "") else f"option {index + 1}")
        return names

    def finding(self, key: CellKey, message: str, **extra) -> Finding:
        """Return a finding at ``key``, labelled with its line id and option where the template has them."""
        sheet = self.model.sheet_titles.get(key[0], key[0])
        cell = f"{get_column_letter(key[2])}{key[1]}"
        what, option_index = self.labels.get(key, ("", None))
        if not what and key[0] == self.defaults_sheet:
            # A default figure is named by the key in column A of its row, such as CN|transit_days.
            what = str(self.reference.constants.get((key[0], key[1], 1), ""))
        option = self.option_names[option_index] if option_index is not None else ""
        return Finding(sheet, cell, message, what=what, option=option, **extra)


@dataclass(frozen=True)
class _TemplateCells:
    formulas: dict[CellKey, str]
    # The text of every defined name, by name in upper case.
    names: dict[str, str]
    # The value of every non-empty cell without a formula.
    constants: dict[CellKey, object]
    # The cells of the array formulas, which show #N/A past the array's result.
    array_cells: frozenset[CellKey] = frozenset()


@functools.cache
def _template_cells(language: str, region_key: str, variant: str) -> _TemplateCells:
    """Return the formulas and the non-empty constant cells of a freshly built template of ``variant``."""
    from .template import build_template

    template = build_template(language, region_key, udfs=variant == VARIANT)
    formulas, constants, array_cells = {}, {}, set()
    for sheet in template.worksheets:
        upper = sheet.title.upper()
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                key = (upper, cell.row, cell.column)
                if isinstance(cell.value, ArrayFormula):
                    (first_column, first_row, last_column, last_row) = range_boundaries(cell.value.ref)
                    array_cells.update((upper, r, c) for r in range(first_row, last_row + 1) for c in range(first_column, last_column + 1))
                if cell.data_type == "f":
                    # An array formula is an object whose text is the formula.
                    formulas[key] = str(getattr(cell.value, "text", cell.value))
                else:
                    constants[key] = cell.value
    names = {name.upper(): definition.attr_text for name, definition in template.defined_names.items()}
    return _TemplateCells(formulas, names, constants, frozenset(array_cells))


def _input_keys(layout: Layout) -> dict[CellKey, object]:
    """Return the key of every input cell with its input row."""
    sheet = layout.sheets["inputs"].upper()
    keys = {}
    for item in layout.rows:
        if item.derived:
            continue
        for option_index in range(1 if item.scalar else OPTION_COUNT):
            row = layout.row_of[item.key]
            keys[(sheet, row, FIRST_INPUT_COLUMN + option_index)] = (item, option_index)
    return keys


@functools.cache
def _cell_labels(language: str) -> dict[CellKey, tuple[str, int | None]]:
    """Return the line id or field and the option index of each labelled cell of the template."""
    layout = Layout(language)
    rows = sheet_rows()
    sheets = {role: title.upper() for role, title in layout.sheets.items()}
    labels: dict[CellKey, tuple[str, int | None]] = {}
    for item in layout.rows:
        row = layout.row_of[item.key]
        for index in range(1 if item.scalar else OPTION_COUNT):
            option = None if item.scalar else index
            labels[(sheets["inputs"], row, FIRST_INPUT_COLUMN + index)] = (item.key, option)
            labels[(sheets["inputs"], row, FIRST_USED_COLUMN + index)] = (item.key, option)
    for key, row in layout.global_rows.items():
        labels[(sheets["inputs"], row, FIRST_USED_COLUMN)] = (key, None)
    for index in range(OPTION_COUNT):
        column_number = FIRST_OPTION_COLUMN + index
        for key, row in rows.calc.items():
            labels[(sheets["calc"], row, column_number)] = (key, index)
        for key, row in rows.results.items():
            labels[(sheets["results"], row, column_number)] = (key, index)
        for year_index, row in rows.path_years.items():
            labels[(sheets["results"], row, column_number)] = (f"TCO per unit in year {year_index + 1}", index)
        for year_index in range(PATH_YEARS):
            for offset, path_column in enumerate(PATH_COLUMNS):
                key = (sheets["path"], path_row(index, year_index), PATH_FIRST_COLUMN + offset)
                labels[key] = (f"{path_column.key}, year {year_index + 1}", index)
    return labels


# ------------------------------------------------------------------ structural checks


# A text in double quotes inside a formula, where "" is a quote mark.
FORMULA_TEXT = re.compile(r'"(?:[^"]|"")*"')


def _same_formula(found: str, expected: str) -> bool:
    """Return whether two formulas are the same, as spreadsheets read them.

    Names of functions, sheets and defined names are case-insensitive.
    LibreOffice writes the functions it does not know, such as the TCO_
    ones, in lower case. Texts in quotes keep their case.
    """
    if found == expected:
        return True

    def normal(formula: str) -> str:
        parts = FORMULA_TEXT.split(formula)
        texts = FORMULA_TEXT.findall(formula)
        upper = [part.upper().replace("_XLUDF.", "") for part in parts]
        return "".join(part + text for part, text in zip(upper, texts + [""]))

    return normal(found) == normal(expected)


def _check_formulas(context: _Context) -> CheckResult:
    model, reference = context.model, context.reference
    findings = []
    for key, expected in reference.formulas.items():
        found = model.formulas.get(key)
        if found is not None and _same_formula(found, expected):
            continue
        if found is not None:
            findings.append(context.finding(key, f"the formula {_brief(found)} differs from the template's {expected}", expected=expected, found=found))
            continue
        typed = model.constants.get(key)
        value = typed.value() if typed is not None else None
        if value is None:
            message = f"the cell is empty; the template has the formula {expected}"
        elif isinstance(value, float):
            message = f"the typed number {_number(value)} replaces the formula {expected}"
        else:
            message = f"the typed value {value!r} replaces the formula {expected}"
        findings.append(context.finding(key, message, expected=expected, found=value))
    for key in sorted(model.formulas.keys() - reference.formulas.keys()):
        if key in reference.constants and key not in context.input_keys:
            findings.append(context.finding(key, f"the formula {_brief(model.formulas[key])} replaces the template's value {_value_text(reference.constants[key])}", found=model.formulas[key]))
    findings += _changed_values(context)
    findings += _changed_names(context)
    if context.workbook.calculation is not None and context.workbook.calculation.fullPrecision is False:
        findings.append(Finding("", "", "the workbook computes with precision as displayed, which rounds every value to its number format; switch the option off"))
    for key, problem in sorted(model.problems.items()):
        findings.append(context.finding(key, f"cannot be evaluated: {problem}"))
    count = len(reference.formulas)
    if findings:
        return CheckResult("formulas", "failed", f"{len(findings)} formulas or template values changed or not evaluable ({count} formulas in the template)", findings)
    return CheckResult("formulas", "passed", f"all {count} formulas and the values they use are the template's")


def _changed_values(context: _Context) -> list[Finding]:
    """Return the values that formulas use, such as default figures, that differ from the template's or were deleted."""
    model, reference = context.model, context.reference
    used = set().union(*model.references.values()) if model.references else set()
    findings = []
    for key in sorted(used & reference.constants.keys()):
        if key in context.input_keys or key in model.formulas:
            continue
        expected = reference.constants[key]
        typed = model.constants.get(key)
        found = typed.value() if typed is not None else None
        if _same_value(found, expected):
            continue
        message = f"the template's value {_value_text(expected)} was deleted" if found is None else f"the value {_value_text(found)} differs from the template's {_value_text(expected)}"
        findings.append(context.finding(key, message, expected=_plain(expected), found=_plain(found)))
    return findings


def _changed_names(context: _Context) -> list[Finding]:
    """Return the defined names that differ from the template's, including names that only one sheet defines."""
    expected = context.reference.names
    found = {name.upper(): definition.attr_text for name, definition in context.workbook.defined_names.items()}
    findings = []
    for name in sorted(expected.keys() | found.keys()):
        if name not in found:
            findings.append(Finding("", "", f"the defined name {name.lower()} is missing; the template's refers to {expected[name]}"))
        elif name not in expected:
            findings.append(Finding("", "", f"the defined name {name.lower()} = {found[name]} is not in the template"))
        elif found[name] != expected[name]:
            findings.append(Finding("", "", f"the defined name {name.lower()} refers to {found[name]}; the template's refers to {expected[name]}"))
    for sheet in context.workbook.worksheets:
        for name, definition in getattr(sheet, "defined_names", {}).items():
            # A name defined on one sheet overrides the workbook's name in that sheet's formulas.
            findings.append(Finding(sheet.title, "", f"the sheet defines its own name {name} = {definition.attr_text}, which the template does not have"))
    return findings


def _same_value(found, expected) -> bool:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and isinstance(found, float):
        return found == float(expected)
    if hasattr(expected, "year") and isinstance(found, float):
        return found == date_serial(expected)
    return found == expected


def _brief(formula: str, limit: int = 200) -> str:
    """Return a formula cut to ``limit`` characters for a message; the JSON report keeps it whole."""
    return formula if len(formula) <= limit else f"{formula[:limit]}... ({len(formula)} characters)"


def _number(value: float) -> str:
    return f"{value:.15g}"


def _check_inputs(context: _Context) -> CheckResult:
    sheet = context.workbook[context.layout.sheets["inputs"]]
    findings, checked = [], 0
    for key, (item, option_index) in context.input_keys.items():
        cell = sheet.cell(key[1], key[2])
        if cell.value is None:
            continue
        checked += 1
        if cell.data_type == "f":
            text = str(getattr(cell.value, "text", cell.value))
            findings.append(context.finding(key, f"contains the formula {_brief(text)}; type the value instead, because the core reads typed inputs", found=text))
            continue
        validation = input_validation(item, context.region)
        if validation is None:
            continue
        problem = _validation_problem(cell.value, validation, context)
        if problem:
            findings.append(context.finding(key, problem, found=_plain(cell.value)))
    if findings:
        return CheckResult("inputs", "failed", f"{len(findings)} of {checked} filled input cells invalid", findings)
    return CheckResult("inputs", "passed", f"all {checked} filled input cells within their validated range")


def _validation_problem(value, validation, context: _Context) -> str | None:
    """Return what is wrong with an input value under a data validation, or None when it is allowed."""
    kind = validation.type
    if kind == "list":
        if validation.errorStyle == "warning":
            return None
        allowed = _list_values(validation.formula1, context)
        text = str(value).strip().lower() if not isinstance(value, float) else _number(value)
        if text in {str(item).strip().lower() for item in allowed}:
            return None
        choices = ", ".join(str(item) for item in allowed[:12]) + (", ..." if len(allowed) > 12 else "")
        return f"found {value!r}; expected one of {choices}"
    if kind == "date":
        number = _as_number(value)
        first = _evaluate_name_formula(validation.formula1, context)
        if number is None:
            return f"found {value!r}; expected a date"
        if first is not None and number < first:
            return f"found the date serial {_number(number)}; expected a date on or after serial {_number(first)}"
        return None
    if kind in ("decimal", "whole"):
        number = None if hasattr(value, "year") else _as_number(value)
        low, high = float(validation.formula1), float(validation.formula2)
        expected = f"a {'whole ' if kind == 'whole' else ''}number from {_number(low)} to {_number(high)}"
        if number is None:
            return f"found {value!r}; expected {expected}"
        if not low <= number <= high or (kind == "whole" and not float(number).is_integer()):
            return f"found {_number(number)}; expected {expected}"
    return None


def _as_number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if hasattr(value, "year"):
        return date_serial(value)
    return None


def _list_values(formula: str, context: _Context) -> list:
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    values = context.model.name_values(formula)
    return [value for value in values if value is not None]


def _evaluate_name_formula(formula: str, context: _Context) -> float | None:
    """Return the value of a validation bound such as INDEX(minimum_wage_dates,1)."""
    value = context.model.evaluate_formula("=" + formula)
    return value if isinstance(value, float) else None


def _check_errors(context: _Context) -> CheckResult:
    findings = []
    for key in _computed_cells(context):
        values = context.values[key]
        if values.kind[0] != ERROR:
            continue
        code = values.obj[0]
        if code == NA and _shows_na(context, key):
            continue
        findings.append(context.finding(key, f"shows the error value {code}", found=code))
    for key, value in context.model.constants.items():
        if value.kind[0] == ERROR:
            findings.append(context.finding(key, f"contains the error value {value.obj[0]}", found=value.obj[0]))
    count = len(context.model.order)
    if findings:
        return CheckResult("errors", "failed", f"{len(findings)} cells show an error value{context.input_hint}", findings)
    return CheckResult("errors", "passed", f"none of {count} formulas shows an error value")


def _computed_cells(context: _Context) -> list[CellKey]:
    """Return the cells that formulas compute: each formula's cell and the other cells that array formulas fill."""
    return list(context.model.order) + sorted(context.array_parts)


def _shows_na(context: _Context, key: CellKey) -> bool:
    """Return whether the template shows #N/A in a cell: its own NA() for the path chart, or an array formula past its result."""
    return "NA()" in context.reference.formulas.get(key, "") or key in context.reference.array_cells


def _check_references(context: _Context) -> CheckResult:
    model = context.model
    users: dict[CellKey, list[CellKey]] = {}
    for key in sorted(model.references):
        for target in model.references[key]:
            if target in model.constants or target in model.formulas or target in context.input_keys or target in context.array_parts:
                continue
            if target not in context.reference.constants and target not in context.reference.formulas:
                # Empty in the template too, such as a title row inside a range that a function reads.
                continue
            users.setdefault(target, []).append(key)
    findings = []
    for target, keys in sorted(users.items()):
        example = model.address(keys[0])
        others = f" and {len(keys) - 1} more" if len(keys) > 1 else ""
        was = ""
        if target in context.reference.constants:
            was = f"; the template has {_value_text(context.reference.constants[target])}"
        elif target in context.reference.formulas:
            was = f"; the template has the formula {context.reference.formulas[target]}"
        verb = "refer" if len(keys) > 1 else "refers"
        message = f"is empty, but {example}{others} {verb} to it{was}"
        findings.append(context.finding(target, message, expected=_plain(context.reference.constants.get(target))))
    if findings:
        return CheckResult("references", "failed", f"{len(findings)} empty cells that formulas refer to", findings)
    return CheckResult("references", "passed", "no formula refers to an empty cell other than an input")


# ------------------------------------------------------------------ value checks


def _check_values(context: _Context) -> CheckResult:
    try:
        read = read_case(context.workbook, context.layout)
        case = read.build()
    except ValidationError as error:
        return _rejected_inputs(error.problems or [str(error)])
    if case.settings["horizon_years"] > PATH_YEARS:
        cell = read.cells[("settings", "horizon_years")]
        sheet, address = cell.split("!")
        message = f"the horizon of {case.settings['horizon_years']:g} years is longer than the template's {PATH_YEARS}, so the workbook shows no results"
        return CheckResult("values", "failed", message, [Finding(sheet, address, message, "horizon_years")])
    slots = _option_slots(read)
    if slots[0] != 0:
        return CheckResult("values", "skipped", f"the baseline column {get_column_letter(FIRST_INPUT_COLUMN)} of the inputs is empty, so the workbook shows no results; fill the baseline option in there")
    result = compute_case(case)
    expected = expected_cells(case, context.layout, context.rows, result, slots)
    udfs = _expected_udfs(context, case, result, slots)
    expected += udfs
    differences = compare(expected, _reader(context.model, context.values, 0), context.settings.relative_tolerance, ABSOLUTE_TOLERANCE)
    findings = [_difference_finding(context, difference.expected, difference.found) for difference in differences]
    tolerance = f"relative tolerance {context.settings.relative_tolerance:g}"
    if udfs:
        tolerance += f"; the {UDF_SHEET} sheet's TCO_ functions and the formulas beside them included, {len(udfs)} cells"
    if findings:
        return CheckResult("values", "failed", f"{len(findings)} of {len(expected)} result cells differ from the core ({tolerance})", findings)
    return CheckResult("values", "passed", f"all {len(expected)} result cells equal the core ({tolerance})")


def _option_slots(read) -> list[int]:
    """Return the template column (0 for the first) of each option read, in the order of the case's options."""
    slots = []
    for index in range(len(read.raw.get("options", []))):
        address = read.cells[("options", index, "name")].split("!")[-1]
        letters = address.rstrip("0123456789")
        slots.append(column_index_from_string(letters) - FIRST_INPUT_COLUMN)
    return slots


def _expected_udfs(context: _Context, case, result, slots: list[int]) -> list[Expected]:
    """Return the core's values of the UDF sheet's cells, or none for a workbook without that sheet."""
    if not context.udf_cells:
        return []
    return expected_udf_cells(result, context.udf_cells, slots, range_results(case, slots))


def _rejected_inputs(problems: list[str]) -> CheckResult:
    """Skip the value check of an incomplete case; fail it, naming the cells, when the core rejects a value.

    A workbook whose inputs the core rejects but the spreadsheet's validation
    allows (materials on a bought option, an exchange rate of 0) may show
    results the core would never give, so that is a failure, not a skip.
    """
    invalid = [problem for problem in problems if " is missing" not in problem]
    if not invalid:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return CheckResult("values", "skipped", f"the inputs are not a complete case for the core: {problems[0]}{more}")
    findings = []
    for problem in invalid:
        match = CELL_PREFIX.match(problem)
        if match:
            sheet, cell, rest = match.groups()
            findings.append(Finding(sheet, cell, f"the core rejects this input: {rest}"))
        else:
            findings.append(Finding("", "", f"the core rejects the inputs: {problem}"))
    return CheckResult("values", "failed", f"the core rejects {len(invalid)} inputs of the workbook, so its results cannot be compared", findings)


# The cell that starts a located problem, such as "Inputs!E40: ..." or "Inputs!E40 (option 'x', price): ...".
CELL_PREFIX = re.compile(r"^(.+?)!([A-Z]{1,3}[0-9]+)[:\s]\s*(.*)$")


def _reader(model: Model, values: dict[CellKey, Column], scenario: int):
    def read(sheet: str, cell: str):
        found = values.get(model.key(sheet, cell))
        return None if found is None else found.value(scenario)

    return read


def _difference_finding(context: _Context, expected: Expected, found, scenario: int | None = None) -> Finding:
    expected_text = "empty" if expected.value is None else _value_text(expected.value)
    message = f"expected {expected_text}, found {_value_text(found)}"
    return Finding(expected.sheet, expected.cell, message, expected.what, expected.option, expected.value, found, scenario)


def _value_text(value) -> str:
    if value is None:
        return "an empty cell"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _check_scenarios(context: _Context, progress: Progress | None) -> CheckResult:
    count = context.settings.scenarios
    if count <= 0:
        return CheckResult("scenarios", "skipped", "no scenarios asked for")
    seed = context.settings.seed
    expected, cells = [], []
    for index in range(count):
        raw, case = generate_case(index, seed)
        if context.info.region != SCENARIO_REGION:
            raw["settings"]["region"] = context.info.region
            case = build_case(raw)
        result = compute_case(case)
        slots = list(range(len(case.options)))
        expected.append(expected_cells(case, context.layout, context.rows, result) + _expected_udfs(context, case, result, slots))
        cells.append(input_values(raw, context.layout))
        if progress is not None:
            progress(index + 1, count, "scenarios")
    sheet = context.layout.sheets["inputs"]
    inputs = {context.model.key(sheet, address): column([values[address] for values in cells]) for address in cells[0]}
    values = context.model.evaluate(inputs)

    differing = _scenario_differences(context, expected, values)
    failed = len({index for index, _ in differing})
    findings = [_difference_finding(context, cell, _scenario_value(context, values, cell, index), index) for index, cell in differing]
    error_findings = _scenario_errors(context, values)
    findings += error_findings
    compared = sum(len(cells_expected) for cells_expected in expected)
    what = f"{count} scenarios from seed {seed}, {compared} result cells"
    if findings:
        problems = []
        if differing:
            problems.append(f"{len(differing)} result cells in {failed} scenarios differ from the core")
        if error_findings:
            problems.append(f"{len(error_findings)} cells show error values")
        hint = f"; tco-xl scenario N --seed {seed} > case.json prints scenario N as a case file"
        return CheckResult("scenarios", "failed", f"{what}: {' and '.join(problems)}{hint}", findings)
    return CheckResult("scenarios", "passed", f"{what}: all equal the core")


def _scenario_value(context: _Context, values: dict[CellKey, Column], cell: Expected, scenario: int):
    """Return a result cell's value in a scenario; an emptied cell that no formula fills is None."""
    found = values.get(context.model.key(cell.sheet, cell.cell))
    return None if found is None else found.value(scenario)


def _scenario_differences(context: _Context, expected: list[list[Expected]], values: dict[CellKey, Column]) -> list[tuple[int, Expected]]:
    """Return (scenario, expected cell) for every result cell that differs from the core, comparing each cell across scenarios at once.

    The rules are those of ``template_compare.compare``: an expected empty
    cell must be empty text (or "none"), a number must be a number within
    the tolerance.
    """
    by_cell: dict[tuple[str, str], list[tuple[int, Expected]]] = {}
    for index, cells in enumerate(expected):
        for cell in cells:
            by_cell.setdefault((cell.sheet, cell.cell), []).append((index, cell))
    differing = []
    for (sheet, address), entries in by_cell.items():
        found = values.get(context.model.key(sheet, address))
        scenarios = np.array([index for index, _ in entries])
        rows = scenarios if found is not None and len(found.kind) > 1 else np.zeros(len(entries), dtype=int)
        kind = found.kind[rows] if found is not None else np.full(len(entries), TEXT)
        number = found.num[rows] if found is not None else np.zeros(len(entries))
        text = found.obj[rows] if found is not None and found.obj is not None else np.full(len(entries), "", dtype=object)
        expected_errors = np.array([is_error_text(cell.value) for _, cell in entries])
        expected_numbers = np.array([np.nan if cell.value is None or is_error_text(cell.value) else float(cell.value) for _, cell in entries])
        expected_empty = np.isnan(expected_numbers) & ~expected_errors
        shows_empty = (kind == TEXT) & np.array([is_empty(t) for t in text])
        close = np.isclose(number, np.where(expected_empty, 0.0, expected_numbers), rtol=context.settings.relative_tolerance, atol=ABSOLUTE_TOLERANCE)
        # np.isclose weighs the tolerance by the second value only; math.isclose, as compare uses, by the larger.
        close |= np.abs(number - expected_numbers) <= context.settings.relative_tolerance * np.maximum(np.abs(number), np.abs(expected_numbers))
        good = np.where(expected_empty, shows_empty, (kind == NUMBER) & close)
        if expected_errors.any():
            codes = np.array([cell.value for _, cell in entries], dtype=object)
            good = np.where(expected_errors, (kind == ERROR) & (text == codes), good)
        differing += [entries[i] for i in np.flatnonzero(~good)]
    return sorted(differing, key=lambda entry: entry[0])


def _scenario_errors(context: _Context, values: dict[CellKey, Column]) -> list[Finding]:
    """Return the formulas that show an unexpected error value in some scenario, once per cell."""
    findings = []
    for key in _computed_cells(context):
        result = values[key]
        failing = np.flatnonzero(result.kind == ERROR)
        if len(failing) == 0:
            continue
        codes = result.obj[failing]
        if _shows_na(context, key):
            failing = failing[codes != NA]
            codes = result.obj[failing]
        if len(failing):
            first = int(failing[0])
            findings.append(context.finding(key, f"shows the error value {codes[0]} in {len(failing)} scenarios", found=codes[0], scenario=first))
    return findings
