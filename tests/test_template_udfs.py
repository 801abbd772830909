"""The template's xlwings variant: its UDF sheet, recalculated headlessly with the functions registered."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from tco_xl import cell_functions
from tco_xl.cli import main
from libreoffice_support import require_libreoffice

from tco_xl.formula_engine import ErrorValue, build_model
from tco_xl.libreoffice import recalculate_many
from tco_xl.template import build_template
from tco_xl.template_layout import UDF_SHEET, VARIANT_NAME, Layout
from tco_xl.template_read import open_template, read_case, template_info
from tco_xl.template_results import sheet_rows
from tco_xl.template_udfs import udf_cells
from tco_xl.workbook_check import CheckSettings, check_file

from test_template import content_differences, reload

ROOT = Path(__file__).resolve().parents[1]
DEMO_UDFS = ROOT / "workbooks" / "examples" / "demo_en_udfs.xlsx"
DEMO_CASE = ROOT / "tco_xl" / "data" / "demo_case.toml"
RELATIVE = 1e-9


@pytest.fixture(scope="module")
def demo_values():
    """Return (model, values) of the demo UDF workbook recalculated with the functions registered."""
    model = build_model(openpyxl.load_workbook(DEMO_UDFS), functions=cell_functions.FUNCTIONS)
    return model, model.evaluate()


def _value(model, values, address: str):
    return values[model.key(UDF_SHEET, address)].value(0)


# The demo fills the first three option columns; the calculation sheet computes the empty fourth as a zero-price part.
DEMO_OPTIONS = 3


def _pairs(layout: Layout) -> list[tuple[str, str, str]]:
    """Return (function cell, formulas cell, what) for each result of the demo's options that the sheet computes both ways."""
    cells = udf_cells(layout, sheet_rows())
    by_value = {}
    for cell in cells:
        if cell.option_index < DEMO_OPTIONS:
            by_value.setdefault((cell.option_index, cell.value.removeprefix("native|")), []).append(cell)
    return [(a.cell, b.cell, a.what) for (a, b) in (pair for pair in by_value.values() if len(pair) == 2)]


def test_only_the_variant_has_the_udf_sheet():
    assert UDF_SHEET not in build_template("en").sheetnames
    workbook = build_template("en", udfs=True)
    assert UDF_SHEET in workbook.sheetnames
    assert workbook.defined_names[VARIANT_NAME].attr_text == '"udfs"'
    assert template_info(workbook).variant == "udfs"
    assert template_info(build_template("en")).variant == "native"


def test_committed_demo_current(tmp_path):
    output = tmp_path / "demo_en_udfs.xlsx"
    assert main(["template", "--lang", "en", "--udfs", "--case", str(DEMO_CASE), "-o", str(output)]) == 0
    differences = content_differences(openpyxl.load_workbook(output), openpyxl.load_workbook(DEMO_UDFS))
    assert differences == [], (
        "workbooks/examples/demo_en_udfs.xlsx is out of date; regenerate it with "
        "`tco-xl template --lang en --udfs --case tco_xl/data/demo_case.toml -o workbooks/examples/demo_en_udfs.xlsx`"
    )


def test_functions_equal_the_formulas_in_every_pair(demo_values):
    model, values = demo_values
    pairs = _pairs(Layout("en"))
    # TCO and break-even, two country figures and two regional figures, subtotals, lines and two path columns.
    assert len(pairs) > 150
    compared = 0
    for function_cell, formulas_cell, what in pairs:
        by_function = _value(model, values, function_cell)
        by_formulas = _value(model, values, formulas_cell)
        if isinstance(by_formulas, float):
            assert isinstance(by_function, float), f"{function_cell} ({what}): {by_function!r}"
            assert math.isclose(by_function, by_formulas, rel_tol=RELATIVE, abs_tol=1e-9), f"{function_cell} ({what})"
            compared += 1
        else:
            # Where the formulas show nothing: an unused option column, the baseline's break-even or years past the horizon.
            assert by_function in ("", ErrorValue("#N/A")) or by_formulas in ("", None), f"{function_cell} ({what})"
    assert compared > 120


def test_tco_cells_demo_values(demo_values):
    model, values = demo_values
    assert [round(_value(model, values, cell), 2) for cell in ("D6", "E6", "F6")] == [93.69, 83.18, 87.63]
    assert _value(model, values, "G6") == ""
    assert _value(model, values, "D10") == ""


def test_spilled_tables_fill_ranges(demo_values):
    model, values = demo_values
    workbook = openpyxl.load_workbook(DEMO_UDFS)
    sheet = workbook[UDF_SHEET]
    arrays = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, openpyxl.worksheet.formula.ArrayFormula)]
    assert {cell.value.text.split("(")[0] for cell in arrays} == {"=TCO_GROUPS", "=TCO_LINES", "=TCO_PATH", "=TCO_RANGE"}
    groups = next(cell for cell in arrays if cell.value.text.startswith("=TCO_GROUPS") and cell.row < 60)
    first_row = groups.row
    assert _value(model, values, f"B{first_row}") == "price"
    assert _value(model, values, f"C{first_row}") == "Price and packaging"
    assert isinstance(_value(model, values, f"D{first_row}"), float)


def test_path_rows_past_the_horizon_show_na(demo_values):
    model, values = demo_values
    sheet = openpyxl.load_workbook(DEMO_UDFS)[UDF_SHEET]
    path = next(cell for row in sheet.iter_rows() for cell in row
                if isinstance(cell.value, openpyxl.worksheet.formula.ArrayFormula) and cell.value.text.startswith("=TCO_PATH"))
    years = [_value(model, values, f"B{path.row + offset}") for offset in range(10)]
    # The demo's horizon is five years from 2026.
    assert years[:5] == [2026.0, 2027.0, 2028.0, 2029.0, 2030.0]
    assert years[5:] == [ErrorValue("#N/A")] * 5


def test_unregistered_functions_show_name():
    model = build_model(openpyxl.load_workbook(DEMO_UDFS))
    values = model.evaluate()
    assert values[model.key(UDF_SHEET, "D6")].value(0) == ErrorValue("#NAME?")
    assert any("TCO_UNIT" in problem for problem in model.problems.values())


def test_check_passes_the_demo_with_scenarios():
    report = check_file(DEMO_UDFS, CheckSettings(scenarios=10))
    assert report.status == "passed", [(c.name, c.summary, [f.message for f in c.findings[:3]]) for c in report.checks]
    values = next(check for check in report.checks if check.name == "values")
    assert "655 result cells" in values.summary


@pytest.mark.parametrize("language", ["en", "nl"])
def test_check_passes_the_empty_variant(language):
    path = ROOT / "workbooks" / f"tco-xl-tilburg-{language}-udfs.xlsx"
    report = check_file(path, CheckSettings(scenarios=5))
    assert report.status == "passed", [(c.name, c.summary) for c in report.checks]


def test_check_names_a_changed_function_cell(tmp_path):
    workbook = openpyxl.load_workbook(DEMO_UDFS)
    sheet = workbook[UDF_SHEET]
    # The China column's TCO computed from the Poland column: a wrong reference, as a slip would make.
    sheet["E6"] = sheet["F6"].value
    path = tmp_path / "changed.xlsx"
    workbook.save(path)
    report = check_file(path)
    failed = {check.name: check for check in report.checks if check.status == "failed"}
    assert set(failed) == {"formulas", "values"}
    assert [(f.sheet, f.cell) for f in failed["formulas"].findings] == [(UDF_SHEET, "E6")]
    assert [(f.sheet, f.cell, f.what) for f in failed["values"].findings] == [(UDF_SHEET, "E6", "tco_per_unit_eur")]


def test_check_wrong_input_in_functions(tmp_path):
    workbook = openpyxl.load_workbook(DEMO_UDFS)
    layout = Layout("en")
    workbook[layout.sheets["inputs"]][layout.input_cell("duty_rate", 1)] = -0.5
    path = tmp_path / "negative duty.xlsx"
    workbook.save(path)
    model = build_model(openpyxl.load_workbook(path), functions=cell_functions.FUNCTIONS)
    shown = model.evaluate()[model.key(UDF_SHEET, "E6")].value(0)
    assert shown == "Error: option 'Buy in China': duty_rate = -0.5 is invalid; expected a number >= 0 and <= 1 (fraction (0.25 = 25 %))"
    report = check_file(path)
    assert report.status == "failed"


def test_variant_case_equals_native():
    native = read_case(open_template(ROOT / "workbooks" / "examples" / "demo_en.xlsx"), Layout("en")).raw
    variant = read_case(open_template(DEMO_UDFS), Layout("en")).raw
    assert native == variant


def test_template_command_names_the_variant(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["template", "--lang", "en", "--udfs"]) == 0
    assert (tmp_path / "tco-xl-tilburg-en-udfs.xlsx").is_file()
    err = capsys.readouterr().err
    assert "with the xlwings functions" in err
    assert "tco-xl udfs" in err


def test_unknown_variant_rejected(tmp_path):
    workbook = build_template("en", udfs=True)
    workbook.defined_names[VARIANT_NAME].attr_text = '"macros"'
    path = tmp_path / "odd.xlsx"
    reload(workbook).save(path)
    report = check_file(path)
    assert report.status == "unreadable"
    assert "tco_variant" in report.error


def test_function_names_compare_without_case(tmp_path):
    workbook = openpyxl.load_workbook(DEMO_UDFS)
    sheet = workbook[UDF_SHEET]
    sheet["D6"] = sheet["D6"].value.replace("TCO_UNIT", "tco_unit")
    path = tmp_path / "lower.xlsx"
    workbook.save(path)
    assert check_file(path).status == "passed"


def test_texts_in_formulas_compare_with_case(tmp_path):
    workbook = openpyxl.load_workbook(DEMO_UDFS)
    sheet = workbook[UDF_SHEET]
    sheet["D16"] = sheet["D16"].value.replace('"transit_days"', '"TRANSIT_DAYS"')
    path = tmp_path / "upper text.xlsx"
    workbook.save(path)
    formulas = next(check for check in check_file(path).checks if check.name == "formulas")
    assert formulas.status == "failed"
    assert [(f.sheet, f.cell) for f in formulas.findings] == [(UDF_SHEET, "D16")]


def test_libreoffice_saved_workbook_passes(tmp_path):
    require_libreoffice()
    (saved,) = recalculate_many([DEMO_UDFS], tmp_path)
    # LibreOffice has no xlwings: it shows #NAME? and writes the unknown names in lower case.
    formulas_text = openpyxl.load_workbook(saved)[UDF_SHEET]["D6"].value
    assert formulas_text.startswith("=tco_unit(")
    shown = openpyxl.load_workbook(saved, data_only=True)[UDF_SHEET]
    assert shown["D6"].value == "#NAME?"
    assert shown["D7"].value == pytest.approx(93.69196218901484)
    report = check_file(saved)
    assert report.status == "passed", [(c.name, c.summary, [f.message for f in c.findings[:3]]) for c in report.checks]


# ------------------------------------------------------------ the formulas package's own evaluator


def _plain(value):
    """Return a value of the formulas package as the cell functions take it."""
    import schedula
    from formulas.ranges import Ranges
    from formulas.tokens.operand import XlError

    if isinstance(value, Ranges):
        value = value.value
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _plain(value.item())
        return [[_plain(item) for item in row] for row in value.reshape(value.shape[0], -1)]
    if value is schedula.EMPTY:
        return None
    if isinstance(value, XlError):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _registered(function):
    def call(*args):
        result = function(*(_plain(arg) for arg in args))
        return np.array(result, dtype=object) if isinstance(result, list) else result

    return call


def test_formulas_package_agrees(demo_values, monkeypatch):
    import formulas

    registry = formulas.get_functions()
    for name, function in cell_functions.FUNCTIONS.items():
        monkeypatch.setitem(registry, name, _registered(function))
    solution = formulas.ExcelModel().loads(str(DEMO_UDFS)).finish().calculate()
    model, values = demo_values
    prefix = f"'[{DEMO_UDFS.name}]{UDF_SHEET.upper()}'!"
    compared = 0
    for function_cell, _, what in _pairs(Layout("en")):
        found = solution.get(prefix + function_cell)
        if found is None:
            continue
        ours = _value(model, values, function_cell)
        theirs = _plain(found.value)[0][0]
        if isinstance(ours, float):
            assert math.isclose(float(theirs), ours, rel_tol=RELATIVE), f"{function_cell} ({what})"
            compared += 1
    # The single-cell functions: TCO per unit, break-even, country and regional figures.
    assert compared >= 15


def test_udf_sheet_without_variant_rejected(tmp_path):
    workbook = openpyxl.load_workbook(DEMO_UDFS)
    del workbook.defined_names[VARIANT_NAME]
    path = tmp_path / "no variant.xlsx"
    workbook.save(path)
    report = check_file(path)
    assert report.status == "unreadable"
    assert "sheet 'UDFs' found, but the defined name tco_variant is missing" in report.error


def test_function_in_native_template_flagged(tmp_path):
    workbook = openpyxl.load_workbook(ROOT / "workbooks" / "examples" / "demo_en.xlsx")
    workbook["Results"]["Z1"] = '=TCO_COUNTRY("CN","transit_days")'
    path = tmp_path / "stray.xlsx"
    workbook.save(path)
    failed = {check.name: check for check in check_file(path).checks if check.status == "failed"}
    assert set(failed) == {"formulas", "errors"}
    assert [(f.sheet, f.cell) for f in failed["formulas"].findings] == [("Results", "Z1")]


def test_horizon_past_template_fails(tmp_path):
    workbook = openpyxl.load_workbook(DEMO_UDFS)
    layout = Layout("en")
    workbook[layout.sheets["inputs"]][layout.input_cell("horizon_years")] = 15
    path = tmp_path / "long horizon.xlsx"
    workbook.save(path)
    values = next(check for check in check_file(path).checks if check.name == "values")
    assert values.status == "failed"
    assert [(f.sheet, f.cell) for f in values.findings] == [("Inputs", layout.input_cell("horizon_years"))]
    assert "longer than the template's 10" in values.summary


def test_scenarios_name_an_emptied_result_cell(tmp_path):
    workbook = openpyxl.load_workbook(DEMO_UDFS)
    workbook[UDF_SHEET]["D6"] = None
    path = tmp_path / "emptied.xlsx"
    workbook.save(path)
    scenarios = next(check for check in check_file(path, CheckSettings(scenarios=2)).checks if check.name == "scenarios")
    assert scenarios.status == "failed"
    assert {(f.sheet, f.cell, f.found) for f in scenarios.findings} == {(UDF_SHEET, "D6", None)}
