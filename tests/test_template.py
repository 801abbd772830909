"""Tests of the template workbook and the ``template`` command, with openpyxl only.

The workbook checks read a template that was saved and loaded again, so
they see what a spreadsheet program reads from the file. No LibreOffice is
needed: nothing here recalculates a formula.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import io
import re
import tomllib
from importlib import resources
from pathlib import Path

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula
import pytest
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.workbook.workbook import Workbook

from tco_xl import __version__
from tco_xl import template as template_module
from tco_xl.cli import DEMO_CASE, DEMO_WORKBOOK, main
from tco_xl.defaults import countries
from tco_xl.fields import (
    INCOTERMS,
    LARGEST,
    LOAD_TYPES,
    RISK_FIELDS,
    SOURCING,
    TRANSPORT_MODES,
    by_name,
)
from tco_xl.regions import load_region
from tco_xl.template import TemplateError, build_template, write_workbook
from tco_xl.template_layout import (
    GLOBAL_DERIVED,
    OPTION_COUNT,
    PATH_YEARS,
    SHEETS,
    TEMPLATE_MARK,
    TEMPLATE_MAXIMUM,
    Layout,
)
from tco_xl.template_text import ui

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_TOML = ROOT / "examples" / "vietnam_vs_turkey.toml"
WORKBOOKS = ROOT / "workbooks"
REGION = "tilburg"
LANGUAGES = ("en", "nl")
SHEET_ORDER = ("start", "inputs", "calc", "path", "results", "defaults")

# Functions the template may call: each is in Excel 2010, LibreOffice Calc 7.x
# and the Python `formulas` package (checked with formulas 1.3.4). NORMSINV is
# the older name that all three read; NORM.S.INV would be stored as
# _xlfn.NORM.S.INV.
# fmt: off
ALLOWED_FUNCTIONS = frozenset({
    "ABS", "AND", "COUNT", "COUNTIF", "EXP", "IF", "IFERROR", "INDEX", "INT",
    "ISBLANK", "ISERROR", "ISNA", "ISNUMBER", "LN", "LOWER", "MATCH", "MAX", "MIN", "NA", "NORMSINV",
    "NOT", "NPV", "OR", "POWER", "ROUND", "SQRT", "SUM", "SUMPRODUCT", "TRIM",
    "UPPER", "YEAR",
})
# Functions newer than Excel 2010, and OFFSET and INDIRECT, which are volatile and
# build references that no static check can follow.
FORBIDDEN_FUNCTIONS = (
    "XLOOKUP", "LET", "LAMBDA", "FILTER", "SORT", "UNIQUE", "SEQUENCE", "OFFSET",
    "INDIRECT", "CONCAT", "TEXTJOIN", "IFS", "SWITCH", "XMATCH",
)
# fmt: on

STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
FUNCTION_CALL = re.compile(r"(?<![A-Za-z0-9_])([A-Z][A-Z0-9.]*)\(")
WHOLE_COLUMN = re.compile(
    r"(?<![A-Za-z0-9_$.])\$?[A-Z]{1,3}:\$?[A-Z]{1,3}(?![A-Za-z0-9_(])"
)
WHOLE_ROW = re.compile(r"(?<![A-Za-z0-9_$.:])\$?[0-9]+:\$?[0-9]+(?![0-9])")
CELL_REFERENCE = re.compile(
    r"(?<![A-Za-z0-9_.$])"
    r"(?:(?P<sheet>'[^']+'|[A-Za-z_][A-Za-z0-9_.]*)!)?"
    r"\$?(?P<column>[A-Z]{1,3})\$?(?P<row>[0-9]+)"
    r"(?::\$?(?P<end_column>[A-Z]{1,3})\$?(?P<end_row>[0-9]+))?"
    r"(?![A-Za-z0-9_(])"
)
NAME_TOKEN = re.compile(r"(?<![A-Za-z0-9_.!$])([a-z_][a-z0-9_]*)(?![A-Za-z0-9_(!])")

CHOICE_FIELDS = {
    "incoterm": INCOTERMS,
    "transport_mode": TRANSPORT_MODES,
    "load_type": LOAD_TYPES,
    "sourcing": SOURCING,
}
RISK = by_name(RISK_FIELDS)

EXTRA_OPTION = """
[[options]]
name = "Buy in Poland {number}"
country = "PL"
sourcing = "buy"
price = 2.0
"""
RISK_ITEM = """
[[options.risks]]
name = "Risk {number}"
probability_per_year = 0.1
impact_eur = 1000
"""


# ---------------------------------------------------------------- helpers


def run(capsys, *argv):
    """Run main() and return (exit code, stdout, stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def reload(workbook: Workbook) -> Workbook:
    """Save ``workbook`` in memory and load it again, as a user's file would be read."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def name_value(workbook: Workbook, name: str) -> str:
    return workbook.defined_names[name].attr_text


def cell_values(sheet) -> dict[str, object]:
    """Return every non-empty cell of ``sheet`` by address: its value or its formula.

    An array formula is its range and text, since openpyxl's objects do not compare by content.
    """
    return {
        cell.coordinate: (
            ("array", cell.value.ref, cell.value.text)
            if isinstance(cell.value, ArrayFormula)
            else cell.value
        )
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def validation_keys(sheet) -> list[tuple]:
    """Return the data validations of ``sheet`` as sortable tuples of their settings and cells."""
    keys = []
    for validation in sheet.data_validations.dataValidation:
        keys.append(
            (
                str(validation.sqref),
                validation.type or "",
                validation.operator or "",
                validation.formula1 or "",
                validation.formula2 or "",
                bool(validation.allow_blank),
                bool(validation.showErrorMessage),
                validation.error or "",
                validation.errorTitle or "",
            )
        )
    return sorted(keys)


def content_differences(expected: Workbook, found: Workbook) -> list[str]:
    """Compare two workbooks by content and return one line per difference.

    Content is the sheet names, every cell's value or formula (listed row by
    row), the data validations, the merged cells and the defined names.
    Styles and protection are not compared.
    """
    differences = []
    if expected.sheetnames != found.sheetnames:
        differences.append(
            f"sheet names: expected {expected.sheetnames}, found {found.sheetnames}"
        )
    for title in expected.sheetnames:
        if title not in found.sheetnames:
            continue
        old, new = expected[title], found[title]
        old_cells, new_cells = cell_values(old), cell_values(new)
        addresses = sorted(
            set(old_cells) | set(new_cells),
            key=lambda address: range_boundaries(address)[1::-1],
        )
        for address in addresses:
            if old_cells.get(address) != new_cells.get(address):
                differences.append(
                    f"{title}!{address}: expected {old_cells.get(address)!r}, found {new_cells.get(address)!r}"
                )
        old_validations, new_validations = validation_keys(old), validation_keys(new)
        for key in old_validations:
            if key not in new_validations:
                differences.append(f"{title}: data validation missing: {key}")
        for key in new_validations:
            if key not in old_validations:
                differences.append(f"{title}: data validation not expected: {key}")
        old_merged = sorted(str(item) for item in old.merged_cells.ranges)
        new_merged = sorted(str(item) for item in new.merged_cells.ranges)
        if old_merged != new_merged:
            differences.append(
                f"{title}: merged cells: expected {old_merged}, found {new_merged}"
            )
    old_names = {name: item.attr_text for name, item in expected.defined_names.items()}
    new_names = {name: item.attr_text for name, item in found.defined_names.items()}
    for name in sorted(set(old_names) | set(new_names)):
        if old_names.get(name) != new_names.get(name):
            differences.append(
                f"defined name {name}: expected {old_names.get(name)!r}, found {new_names.get(name)!r}"
            )
    return differences


def formula_text(formula: str) -> str:
    """Return ``formula`` with its string literals emptied, so their text matches no pattern."""
    return STRING_LITERAL.sub('""', formula)


def collect_formulas(workbook: Workbook) -> list[tuple[str, str]]:
    """Return (place, formula) for every cell formula, validation formula and conditional format rule."""
    formulas = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    formulas.append((f"{sheet.title}!{cell.coordinate}", cell.value))
        for validation in sheet.data_validations.dataValidation:
            for formula in (validation.formula1, validation.formula2):
                if formula:
                    formulas.append(
                        (f"{sheet.title} validation of {validation.sqref}", formula)
                    )
        for formatting in sheet.conditional_formatting:
            for rule in formatting.rules:
                for formula in rule.formula or ():
                    formulas.append(
                        (
                            f"{sheet.title} conditional format of {formatting.sqref}",
                            formula,
                        )
                    )
    return formulas


def functions_used(workbook: Workbook) -> dict[str, str]:
    """Return each function the formulas call, with the first place that calls it."""
    used: dict[str, str] = {}
    for place, formula in collect_formulas(workbook):
        for function in FUNCTION_CALL.findall(formula_text(formula)):
            used.setdefault(function, place)
    return used


def name_ranges(
    workbook: Workbook,
) -> dict[str, list[tuple[str, tuple[int, int, int, int]]]]:
    """Return the (sheet, (min_col, min_row, max_col, max_row)) ranges of each defined name."""
    ranges = {}
    for name, item in workbook.defined_names.items():
        if item.attr_text.startswith('"'):
            continue
        ranges[name] = [
            (sheet, range_boundaries(reference.replace("$", "")))
            for sheet, reference in item.destinations
        ]
    return ranges


def references_own_cell(sheet_title: str, cell, formula: str, names: dict) -> bool:
    """Return True when ``formula`` in ``cell`` refers to that cell, directly, in a range or by a defined name."""
    text = formula_text(formula)
    column, row = cell.column, cell.row

    def covers(bounds: tuple[int, int, int, int]) -> bool:
        min_column, min_row, max_column, max_row = bounds
        return min_column <= column <= max_column and min_row <= row <= max_row

    for match in CELL_REFERENCE.finditer(text):
        sheet = (match.group("sheet") or sheet_title).strip("'")
        if sheet != sheet_title:
            continue
        first_column = column_index_from_string(match.group("column"))
        first_row = int(match.group("row"))
        last_column = column_index_from_string(
            match.group("end_column") or match.group("column")
        )
        last_row = int(match.group("end_row") or match.group("row"))
        if covers((first_column, first_row, last_column, last_row)):
            return True
    for name in NAME_TOKEN.findall(text):
        for sheet, bounds in names.get(name, ()):
            if sheet == sheet_title and covers(bounds):
                return True
    return False


def input_cells(layout: Layout) -> list[str]:
    """Return the address of every input cell: one per scalar row, one per option column otherwise."""
    cells = []
    for item in layout.rows:
        if item.derived:
            continue
        for option_index in range(1 if item.scalar else OPTION_COUNT):
            cells.append(layout.input_cell(item.key, option_index))
    return cells


def validations_at(sheet, address: str) -> list:
    return [
        validation
        for validation in sheet.data_validations.dataValidation
        if address in validation.sqref
    ]


def only_validation(sheet, address: str):
    found = validations_at(sheet, address)
    assert len(found) == 1, (
        f"{sheet.title}!{address}: expected one data validation, found {len(found)}"
    )
    return found[0]


def committed_name(language: str, udfs: bool = False) -> str:
    return f"tco-xl-{REGION}-{language}{'-udfs' if udfs else ''}.xlsx"


def regenerate_command(language: str, udfs: bool = False) -> str:
    flag = " --udfs" if udfs else ""
    return f"tco-xl template --lang {language}{flag} -o workbooks/{committed_name(language, udfs)}"


def example_case(
    extra: str = "", settings: str = "", replace: tuple[str, str] | None = None
) -> str:
    """Return the example case file's text with lines added to [settings] and at the end."""
    text = EXAMPLE_TOML.read_text(encoding="utf-8")
    if settings:
        text = text.replace("[settings]\n", "[settings]\n" + settings + "\n", 1)
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace)
    return text + extra


def folder_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=LANGUAGES)
def language(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def template(language) -> Workbook:
    """The template of ``language`` as read back from a saved file."""
    return reload(build_template(language, REGION))


@pytest.fixture(scope="module")
def layout(language) -> Layout:
    return Layout(language)


@pytest.fixture(scope="module")
def inputs(template, layout):
    return template[layout.sheets["inputs"]]


# ---------------------------------------------------------------- sheets and defined names


def test_sheets_in_order(template, language):
    expected = [SHEETS[language][key] for key in SHEET_ORDER]
    assert template.sheetnames == expected


def test_defined_names_are_global(template):
    assert len(template.defined_names) > 0
    for sheet in template.worksheets:
        assert dict(sheet.defined_names) == {}, f"{sheet.title} has sheet-scoped names"


def test_defined_names_point_at_sheets(template):
    for name, item in template.defined_names.items():
        if item.attr_text.startswith('"'):
            continue
        destinations = list(item.destinations)
        assert destinations, (
            f"{name} = {item.attr_text} is neither a text nor a cell reference"
        )
        for sheet, reference in destinations:
            assert sheet in template.sheetnames, (
                f"{name} = {item.attr_text}: sheet {sheet!r} not found"
            )
            first = reference.replace("$", "").split(":")[0]
            assert template[sheet][first].value is not None, (
                f"{name} = {item.attr_text}: {sheet}!{first} is empty"
            )


def test_identifying_names(template, language):
    assert name_value(template, "tco_template") == f'"{TEMPLATE_MARK}"'
    assert name_value(template, "tco_language") == f'"{language}"'
    assert name_value(template, "tco_region") == f'"{REGION}"'


@pytest.mark.parametrize("name", ["cost_of_capital", "annual_volume", "horizon_years"])
def test_named_input_points_at_used_value(template, layout, name):
    expected = (
        f"{layout.sheets['inputs']}!${layout.used_column(0)}${layout.row_of[name]}"
    )
    assert name_value(template, name) == expected


def test_every_scalar_row_has_name(template, layout):
    sheet = layout.sheets["inputs"]
    for item in layout.rows:
        if not item.scalar:
            continue
        assert item.key in template.defined_names, (
            f"scalar input {item.key} has no defined name"
        )
        expected = f"{sheet}!${layout.used_column(0)}${layout.row_of[item.key]}"
        assert name_value(template, item.key) == expected
    for key, row in layout.global_rows.items():
        assert name_value(template, key) == f"{sheet}!${layout.used_column(0)}${row}"
    assert set(layout.global_rows) == set(GLOBAL_DERIVED)


def test_named_used_values_are_formulas(template, layout, inputs):
    for item in layout.rows:
        if item.scalar:
            value = inputs[layout.used_cell(item.key)].value
            assert isinstance(value, str), (
                f"{item.key}: used value {value!r} is not a formula"
            )
            assert value.startswith("="), (
                f"{item.key}: used value {value!r} is not a formula"
            )


# ---------------------------------------------------------------- portable formulas


def test_formula_functions_are_allowed(template):
    used = functions_used(template)
    print("functions used:", ", ".join(sorted(used)))
    unknown = {
        function: place
        for function, place in used.items()
        if function not in ALLOWED_FUNCTIONS
    }
    assert unknown == {}


@pytest.mark.parametrize("function", FORBIDDEN_FUNCTIONS)
def test_no_forbidden_function(template, function):
    used = functions_used(template)
    assert function not in used, f"{function} first used at {used.get(function)}"


def test_no_future_function_prefix(template):
    for place, formula in collect_formulas(template):
        assert "_xlfn." not in formula, f"{place}: {formula}"
        assert "_xlws." not in formula, f"{place}: {formula}"


def test_no_whole_column_or_row_references(template):
    for place, formula in collect_formulas(template):
        text = formula_text(formula)
        assert not WHOLE_COLUMN.search(text), (
            f"{place}: whole-column reference in {formula}"
        )
        assert not WHOLE_ROW.search(text), f"{place}: whole-row reference in {formula}"


def test_no_structured_references_or_implicit_intersection(template):
    for place, formula in collect_formulas(template):
        text = formula_text(formula)
        assert "[" not in text, f"{place}: structured reference in {formula}"
        assert "@" not in text, f"{place}: @ in {formula}"


def test_no_formula_refers_to_own_cell(template):
    names = name_ranges(template)
    checked = 0
    for sheet in template.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    checked += 1
                    assert not references_own_cell(
                        sheet.title, cell, cell.value, names
                    ), f"{sheet.title}!{cell.coordinate} refers to itself: {cell.value}"
    assert checked > 1000


def test_function_pattern_skips_strings_and_names():
    formula = '=_xlfn.XLOOKUP(A1,B2:B9,C2:C9)+IF(x="SUM(",NORM.S.INV(0.9),default_key)'
    assert FUNCTION_CALL.findall(formula_text(formula)) == [
        "XLOOKUP",
        "IF",
        "NORM.S.INV",
    ]


@pytest.mark.parametrize(
    "formula",
    ["=SUM(A:A)", "=SUM($B:$C)", "=MAX(Inputs!D:D)", "=SUM(1:1)", "=SUM($3:$40)"],
)
def test_whole_reference_patterns_match(formula):
    text = formula_text(formula)
    assert WHOLE_COLUMN.search(text) or WHOLE_ROW.search(text)


@pytest.mark.parametrize(
    "formula",
    ["=SUM(A1:A9)", "=SUM($A$1:$B$2)", '=IF(A1="1:1",0,1)', "=Inputs!$J$8*0.5"],
)
def test_whole_reference_patterns_skip_ranges(formula):
    text = formula_text(formula)
    assert not WHOLE_COLUMN.search(text)
    assert not WHOLE_ROW.search(text)


def test_self_reference_check_finds_cycles():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Calc"
    names = {"rate": [("Calc", (2, 3, 2, 3))]}
    assert references_own_cell("Calc", sheet["B3"], "=B3+1", names)
    assert references_own_cell("Calc", sheet["B3"], "=SUM($B$1:$B$5)", names)
    assert references_own_cell("Calc", sheet["B3"], "=Calc!B3*2", names)
    assert references_own_cell("Calc", sheet["B3"], "=rate*2", names)
    assert not references_own_cell("Calc", sheet["B3"], "=Other!B3+B4", names)
    assert not references_own_cell("Calc", sheet["B3"], '="B3"&LOG10(2)', names)


# ---------------------------------------------------------------- data validation


@pytest.mark.parametrize("key", sorted(CHOICE_FIELDS))
def test_choice_cells_list_allowed_values(inputs, layout, key):
    for option_index in range(OPTION_COUNT):
        address = layout.input_cell(key, option_index)
        validation = only_validation(inputs, address)
        assert validation.type == "list", address
        assert validation.formula1.startswith('"'), f"{address}: {validation.formula1}"
        assert validation.formula1.endswith('"'), f"{address}: {validation.formula1}"
        assert validation.formula1[1:-1].split(",") == list(CHOICE_FIELDS[key]), address


def test_country_cells_list_country_codes(template, inputs, layout):
    for option_index in range(OPTION_COUNT):
        address = layout.input_cell("country", option_index)
        validation = only_validation(inputs, address)
        assert validation.type == "list", address
        # OOXML stores validation formulas without the leading "=".
        assert validation.formula1 == "country_codes", address
    ((sheet, reference),) = template.defined_names["country_codes"].destinations
    codes = [row[0].value for row in template[sheet][reference.replace("$", "")]]
    assert codes == list(countries())


def test_numeric_cells_have_field_bounds(inputs, layout):
    checked = 0
    for item in layout.rows:
        if item.derived or item.field is None or item.kind not in ("number", "integer"):
            continue
        field = item.field
        low = max(field.minimum, -LARGEST)
        high = min(field.maximum, LARGEST, TEMPLATE_MAXIMUM.get(item.key, LARGEST))
        expected_type = "whole" if field.kind == "integer" else "decimal"
        for option_index in range(1 if item.scalar else OPTION_COUNT):
            address = layout.input_cell(item.key, option_index)
            validation = only_validation(inputs, address)
            where = f"{address} ({item.key})"
            assert validation.type == expected_type, where
            assert validation.operator == "between", where
            assert float(validation.formula1) == low, where
            assert float(validation.formula2) == high, where
            checked += 1
    assert checked > 200


def test_horizon_is_whole_years_1_to_10(inputs, layout):
    validation = only_validation(inputs, layout.input_cell("horizon_years"))
    assert validation.type == "whole"
    assert validation.operator == "between"
    assert float(validation.formula1) == 1
    assert float(validation.formula2) == PATH_YEARS == 10


def test_flag_cells_accept_0_or_1(inputs, layout):
    flags = [item for item in layout.rows if item.kind == "flag"]
    assert flags
    for item in flags:
        for option_index in range(OPTION_COUNT):
            address = layout.input_cell(item.key, option_index)
            validation = only_validation(inputs, address)
            assert validation.type == "whole", address
            assert (float(validation.formula1), float(validation.formula2)) == (0, 1), (
                address
            )


@pytest.mark.parametrize("part", ["probability_per_year", "impact_eur"])
def test_risk_cells_have_field_bounds(inputs, layout, part):
    field = RISK[part]
    for number in (1, 2, 3):
        for option_index in range(OPTION_COUNT):
            address = layout.input_cell(f"risk_{number}_{part}", option_index)
            validation = only_validation(inputs, address)
            assert validation.type == "decimal", address
            assert float(validation.formula1) == field.minimum, address
            assert float(validation.formula2) == min(field.maximum, LARGEST), address


def test_figures_date_must_have_dutch_figures(inputs, layout):
    validation = only_validation(inputs, layout.input_cell("figures_date"))
    assert validation.type == "date"
    assert validation.operator == "greaterThanOrEqual"
    assert "minimum_wage_dates" in validation.formula1


def test_validations_show_an_error(inputs):
    for validation in inputs.data_validations.dataValidation:
        assert validation.showErrorMessage, str(validation.sqref)


# ---------------------------------------------------------------- protection


def test_sheets_protected_without_password(template):
    for sheet in template.worksheets:
        assert sheet.protection.sheet, f"{sheet.title} is not protected"
        assert sheet.protection.password is None, f"{sheet.title} has a password"
        assert sheet.protection.hashValue is None, f"{sheet.title} has a password hash"


def test_input_cells_unlocked_and_yellow(inputs, layout):
    yellow = inputs[layout.input_cell("cost_of_capital")].fill.fgColor.rgb
    assert yellow.endswith("FFF2CC")
    for address in input_cells(layout):
        cell = inputs[address]
        assert not cell.protection.locked, f"input cell {address} is locked"
        assert cell.fill.fgColor.rgb == yellow, f"input cell {address} is not yellow"


def test_only_input_cells_unlocked(template, layout):
    expected = {(layout.sheets["inputs"], address) for address in input_cells(layout)}
    unlocked = {
        (sheet.title, cell.coordinate)
        for sheet in template.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if not cell.protection.locked
    }
    assert sorted(unlocked - expected) == []


def test_formula_cells_locked(template):
    for place, _ in collect_formulas(template):
        if "!" not in place:
            continue
        title, address = place.split("!")
        assert template[title][address].protection.locked, (
            f"formula cell {place} is unlocked"
        )


def test_derived_rows_have_no_input_cell(inputs, layout):
    for item in layout.rows:
        if not item.derived:
            continue
        for option_index in range(1 if item.scalar else OPTION_COUNT):
            cell = inputs[layout.input_cell(item.key, option_index)]
            assert cell.value is None, f"{cell.coordinate} ({item.key})"
            assert cell.protection.locked, f"{cell.coordinate} ({item.key})"


# ---------------------------------------------------------------- start and inputs sheets


def test_start_sheet_mentions_version_and_region(template, layout, language):
    texts = [
        value
        for value in cell_values(template[layout.sheets["start"]]).values()
        if isinstance(value, str)
    ]
    region = load_region(REGION)
    assert any(f"tco-xl {__version__}" in text for text in texts)
    assert any(region.name in text for text in texts)
    assert any(region.figures_date.isoformat() in text for text in texts)


def test_start_sheet_has_colour_legend(template, layout, inputs, language):
    start = template[layout.sheets["start"]]
    texts = {
        value: address
        for address, value in cell_values(start).items()
        if isinstance(value, str)
    }
    for key in (
        "legend_title",
        "legend_input",
        "legend_default",
        "legend_formula",
        "legend_protect",
    ):
        assert ui(key, language) in texts, f"{key} missing on the start sheet"
    yellow = inputs[layout.input_cell("cost_of_capital")].fill.fgColor.rgb
    grey = inputs[layout.used_cell("cost_of_capital")].fill.fgColor.rgb
    input_row = start[texts[ui("legend_input", language)]].row
    formula_row = start[texts[ui("legend_formula", language)]].row
    assert yellow in [cell.fill.fgColor.rgb for cell in start[input_row]]
    assert grey in [cell.fill.fgColor.rgb for cell in start[formula_row]]


def test_inputs_start_with_region_options(inputs, layout, language):
    options = load_region(REGION).options
    assert len(options) == OPTION_COUNT
    for option_index, option in enumerate(options):
        assert (
            inputs[layout.input_cell("name", option_index)].value
            == option.names[language]
        )
        assert (
            inputs[layout.input_cell("country", option_index)].value == option.country
        )
        assert (
            inputs[layout.input_cell("sourcing", option_index)].value == option.sourcing
        )


def test_bought_options_start_with_currency(inputs, layout):
    for option_index, option in enumerate(load_region(REGION).options):
        address = layout.input_cell("currency", option_index)
        expected = countries()[option.country].currency if option.sourcing == "buy" else None
        assert inputs[address].value == expected, address


def test_other_input_cells_start_empty(inputs, layout):
    starting = {"name", "country", "sourcing", "currency"}
    for item in layout.rows:
        if item.derived or item.key in starting:
            continue
        for option_index in range(1 if item.scalar else OPTION_COUNT):
            address = layout.input_cell(item.key, option_index)
            assert inputs[address].value is None, f"{address} ({item.key})"


# ---------------------------------------------------------------- committed templates


@pytest.mark.parametrize("udfs", [False, True], ids=["native", "udfs"])
@pytest.mark.parametrize("committed_language", LANGUAGES)
def test_committed_template_is_current(committed_language, udfs):
    path = WORKBOOKS / committed_name(committed_language, udfs)
    command = regenerate_command(committed_language, udfs)
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} not found; generate it with `{command}`")
    expected = reload(build_template(committed_language, REGION, udfs=udfs))
    differences = content_differences(expected, openpyxl.load_workbook(path))
    first_differences = "\n".join(differences[:10])
    assert differences == [], (
        f"{path.relative_to(ROOT)} differs from build_template({committed_language!r}) "
        f"in {len(differences)} places. The first:\n{first_differences}\nRegenerate it with `{command}`"
    )


def test_content_differences_of_copies_is_empty(template):
    assert content_differences(template, reload(template)) == []


def _change_cell(workbook, layout):
    workbook[layout.sheets["inputs"]][layout.input_cell("price", 1)] = 3.5


def _change_formula(workbook, layout):
    sheet = workbook[layout.sheets["inputs"]]
    address = layout.used_cell("cost_of_capital")
    sheet[address] = sheet[address].value + "+0"


def _change_name(workbook, layout):
    workbook.defined_names["tco_region"].attr_text = '"elsewhere"'


def _change_validation(workbook, layout):
    sheet = workbook[layout.sheets["inputs"]]
    only_validation(sheet, layout.input_cell("horizon_years")).formula2 = "30"


def _merge_cells(workbook, layout):
    workbook[layout.sheets["start"]].merge_cells("B1:C1")


def _rename_sheet(workbook, layout):
    workbook[layout.sheets["path"]].title = "Renamed"


@pytest.mark.parametrize(
    "change, expected",
    [
        (_change_cell, "!E"),
        (_change_formula, "+0"),
        (_change_name, "defined name tco_region"),
        (_change_validation, "data validation"),
        (_merge_cells, "merged cells"),
        (_rename_sheet, "sheet names"),
    ],
    ids=["cell", "formula", "defined-name", "validation", "merged-cells", "sheet-name"],
)
def test_content_differences_finds_change(template, layout, change, expected):
    changed = reload(template)
    change(changed, layout)
    differences = content_differences(template, reload(changed))
    assert differences != []
    assert expected in differences[0]


# ---------------------------------------------------------------- template command


def test_template_command_writes_workbook(capsys, tmp_path):
    output = tmp_path / "template.xlsx"
    code, out, err = run(capsys, "template", "--lang", "en", "-o", str(output))
    assert code == 0
    assert out == ""
    assert str(output.resolve()) in err
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == [SHEETS["en"][key] for key in SHEET_ORDER]
    assert name_value(workbook, "tco_language") == '"en"'
    assert [path.name for path in tmp_path.iterdir()] == ["template.xlsx"]


def test_template_language_defaults_to_region(capsys, tmp_path):
    output = tmp_path / "template.xlsx"
    code, _, _ = run(capsys, "template", "-o", str(output))
    assert code == 0
    assert load_region(REGION).language == "nl"
    workbook = openpyxl.load_workbook(output)
    assert name_value(workbook, "tco_language") == '"nl"'
    assert workbook.sheetnames == [SHEETS["nl"][key] for key in SHEET_ORDER]


@pytest.mark.parametrize(
    "argv, expected",
    [
        ((), "tco-xl-tilburg-nl.xlsx"),
        (("--lang", "en"), "tco-xl-tilburg-en.xlsx"),
        (("--region", " Tilburg "), "tco-xl-tilburg-nl.xlsx"),
    ],
)
def test_template_default_output_name(capsys, tmp_path, monkeypatch, argv, expected):
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(capsys, "template", *argv)
    assert code == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == [expected]
    assert openpyxl.load_workbook(tmp_path / expected).sheetnames[0] == "Start"


def test_template_case_fills_inputs(capsys, tmp_path):
    output = tmp_path / "case.xlsx"
    code, _, err = run(
        capsys,
        "template",
        "--lang",
        "en",
        "--case",
        str(EXAMPLE_TOML),
        "-o",
        str(output),
    )
    assert code == 0, err
    layout = Layout("en")
    sheet = openpyxl.load_workbook(output)[layout.sheets["inputs"]]

    def value(key, option_index=0):
        return sheet[layout.input_cell(key, option_index)].value

    assert value("part_name") == "Glass-filled PA66 housing (CN 3926 90 97)"
    assert value("annual_volume") == 200000
    assert value("figures_date") == dt.datetime(2026, 7, 1)
    # A low/base/high range is filled in with its base value.
    assert value("cost_of_capital") == 0.08
    assert value("horizon_years") is None
    names = [value("name", index) for index in range(OPTION_COUNT)]
    assert names == ["Buy in Netherlands", "Buy in Vietnam", "Buy in Turkey", None]
    # The template's fourth starting option is cleared.
    assert value("country", 3) is None
    assert value("sourcing", 3) is None
    assert value("price", 1) == 1.75
    assert value("currency", 1) == "USD"
    assert value("incoterm", 2) == "FCA"
    assert value("risk_1_name", 1) == "Route disruption"
    assert value("risk_1_impact_eur", 1) == 20000
    assert value("risk_1_name", 2) is None


def test_template_case_json_fills_inputs(capsys, tmp_path):
    output = tmp_path / "case.xlsx"
    example = ROOT / "examples" / "vietnam_vs_turkey.json"
    code, _, err = run(capsys, "template", "--case", str(example), "-o", str(output))
    assert code == 0, err
    layout = Layout("nl")
    sheet = openpyxl.load_workbook(output)[layout.sheets["inputs"]]
    assert sheet[layout.input_cell("name", 1)].value == "Buy in Vietnam"


BAD_CASES = {
    "five-options": example_case(
        extra=EXTRA_OPTION.format(number=1) + EXTRA_OPTION.format(number=2)
    ),
    "four-risks": example_case(
        extra="".join(RISK_ITEM.format(number=number) for number in range(1, 5))
    ),
    "horizon-12": example_case(settings="horizon_years = 12"),
    "negative-volume": example_case(
        replace=("annual_volume = 200000", "annual_volume = -5")
    ),
}
BAD_CASE_MESSAGES = {
    "five-options": "options lists 5 options; the template has room for 4",
    "four-risks": "risks lists 4 items; the template has room for 3",
    "horizon-12": "horizon_years = 12 is invalid for the template; expected at most 10",
    "negative-volume": "annual_volume = -5 is invalid",
}


def bad_argv(kind: str, folder: Path, output: Path) -> list[str]:
    """Return the template command's arguments for one kind of bad input."""
    if kind == "unknown-region":
        return ["template", "--region", "atlantis", "-o", str(output)]
    if kind == "missing-case":
        return ["template", "--case", str(folder / "missing.toml"), "-o", str(output)]
    case = folder / f"{kind}.toml"
    case.write_text(BAD_CASES[kind], encoding="utf-8")
    return ["template", "--case", str(case), "-o", str(output)]


BAD_KINDS = ["unknown-region", "missing-case", *BAD_CASES]


def assert_one_error_line(code: int, out: str, err: str) -> None:
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tco-xl: error: "), err


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_template_bad_input_writes_nothing(capsys, tmp_path, kind):
    output = tmp_path / "out" / "template.xlsx"
    argv = bad_argv(kind, tmp_path, output)
    before = folder_files(tmp_path)
    code, out, err = run(capsys, *argv)
    assert_one_error_line(code, out, err)
    assert not output.parent.exists()
    assert folder_files(tmp_path) == before


@pytest.mark.parametrize("kind", list(BAD_CASES))
def test_template_bad_case_message(capsys, tmp_path, kind):
    code, out, err = run(capsys, *bad_argv(kind, tmp_path, tmp_path / "template.xlsx"))
    assert_one_error_line(code, out, err)
    assert f"{kind}.toml: " in err
    assert BAD_CASE_MESSAGES[kind] in err


def test_template_unknown_region_lists_known(capsys, tmp_path):
    code, out, err = run(
        capsys, "template", "--region", "atlantis", "-o", str(tmp_path / "t.xlsx")
    )
    assert_one_error_line(code, out, err)
    assert "'atlantis' not found" in err
    assert REGION in err


def test_template_missing_case_names_file(capsys, tmp_path):
    missing = tmp_path / "missing.toml"
    code, out, err = run(
        capsys, "template", "--case", str(missing), "-o", str(tmp_path / "t.xlsx")
    )
    assert_one_error_line(code, out, err)
    assert err == f"tco-xl: error: {missing}: file not found\n"


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_template_failure_keeps_existing_output(capsys, tmp_path, kind):
    output = tmp_path / "template.xlsx"
    output.write_bytes(b"an earlier workbook")
    code, out, err = run(capsys, *bad_argv(kind, tmp_path, output))
    assert_one_error_line(code, out, err)
    assert output.read_bytes() == b"an earlier workbook"
    # Temporary and backup files start with a dot.
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


@pytest.mark.parametrize("name", ["template.xls", "template.txt", "template"])
def test_template_output_not_xlsx(capsys, tmp_path, name):
    output = tmp_path / name
    code, out, err = run(capsys, "template", "-o", str(output))
    assert_one_error_line(code, out, err)
    assert ".xlsx" in err
    assert list(tmp_path.iterdir()) == []


def test_template_output_is_folder(capsys, tmp_path):
    folder = tmp_path / "template.xlsx"
    folder.mkdir()
    code, out, err = run(capsys, "template", "-o", str(folder))
    assert_one_error_line(code, out, err)
    assert "folder" in err
    assert folder.is_dir()
    assert list(folder.iterdir()) == []
    assert list(tmp_path.iterdir()) == [folder]


def test_template_output_folder_without_suffix(capsys, tmp_path):
    code, out, err = run(capsys, "template", "-o", str(tmp_path))
    assert_one_error_line(code, out, err)
    assert list(tmp_path.iterdir()) == []


def fail_fsync(descriptor):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_write_workbook_failure_keeps_target(tmp_path, monkeypatch):
    target = tmp_path / "template.xlsx"
    target.write_bytes(b"an earlier workbook")
    # The temporary file is written, then the disk is full before it is synced.
    monkeypatch.setattr("os.fsync", fail_fsync)
    with pytest.raises(TemplateError, match="No space left on device"):
        write_workbook(openpyxl.Workbook(), target)
    assert target.read_bytes() == b"an earlier workbook"
    assert [path.name for path in tmp_path.iterdir()] == ["template.xlsx"]


def test_template_write_failure_reports_error(capsys, tmp_path, monkeypatch):
    output = tmp_path / "template.xlsx"
    monkeypatch.setattr("os.fsync", fail_fsync)
    code, out, err = run(capsys, "template", "-o", str(output))
    assert_one_error_line(code, out, err)
    assert "No space left on device" in err
    assert list(tmp_path.iterdir()) == []


def test_build_template_rejects_unknown_language():
    with pytest.raises(TemplateError, match="'de' is invalid"):
        build_template("de", REGION)


# ---------------------------------------------------------------- demo


def test_demo_writes_demo_case_workbook(capsys, tmp_path):
    folder = tmp_path / "demo"
    code, out, err = run(capsys, "demo", "--output", str(folder))
    assert code == 0, err
    path = folder / DEMO_WORKBOOK
    assert DEMO_WORKBOOK == "demo.xlsx"
    assert str(path.resolve()) in out
    demo = tomllib.loads(
        resources.files("tco_xl.data").joinpath(DEMO_CASE).read_text(encoding="utf-8")
    )
    layout = Layout("en")
    sheet = openpyxl.load_workbook(path)[layout.sheets["inputs"]]
    assert sheet[layout.input_cell("part_name")].value == demo["part"]["name"]
    assert (
        sheet[layout.input_cell("annual_volume")].value == demo["part"]["annual_volume"]
    )
    names = [
        sheet[layout.input_cell("name", index)].value
        for index in range(len(demo["options"]))
    ]
    assert names == [option["name"] for option in demo["options"]]


def test_region_without_subsidy_allows_only_zero(monkeypatch):
    tilburg = load_region(REGION)
    without = dataclasses.replace(tilburg, subsidies={"loonkostensubsidie": False, "wbso": True, "bmkb": False})
    monkeypatch.setattr(template_module, "load_region", lambda key: without)
    workbook = build_template("en")
    layout = Layout("en")
    inputs = workbook[layout.sheets["inputs"]]
    for key in ("lks_share", "bmkb_credit_eur"):
        validation = only_validation(inputs, layout.input_cell(key, 0))
        assert (validation.formula1, validation.formula2) == ("0", "0"), key
    assert only_validation(inputs, layout.input_cell("rd_hours_per_year", 0)).formula2 != "0"
    start = "\n".join(str(cell.value) for row in workbook[layout.sheets["start"]].iter_rows() for cell in row if cell.value)
    assert "Subsidies in this region: WBSO\n" in start


def test_check_engine_supports_allowed_functions():
    """`tco-xl check` can evaluate every function the template may use."""
    from tco_xl.formula_engine import SUPPORTED_FUNCTIONS

    assert sorted(ALLOWED_FUNCTIONS - SUPPORTED_FUNCTIONS) == []
