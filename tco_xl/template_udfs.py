"""The UDF sheet of the template's xlwings variant: the Python core's functions beside the native formulas.

Each result is computed twice, by a ``TCO_`` function of ``udfs/tco_udfs.py``
and by the template's own formulas, with their difference beside them. The
functions that return a table are written as array formulas over a fixed
range, which every Excel version fills. Cells the result does not reach
show #N/A, as Excel does for array formulas.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from .cell_functions import EPOCH
from .defaults import countries
from .lines import GROUPS, LINES
from .regions import DEFAULT_REGION, load_region
from .results import CaseResult, compute_case
from .template_compare import Expected
from .template_layout import FIRST_OPTION_COLUMN, INPUTS_HEADER_ROW, OPTION_COUNT, PATH_YEARS, UDF_SHEET, Layout
from .template_results import SheetRows, path_column, path_row
from .template_styles import BOLD, FORMULA_FILL, WRAP
from .template_text import ui

# Country figures looked up for each option's country, beside the defaults table.
COUNTRY_FIGURES = ("transit_days", "cost_per_load_eur")
REGION_FIGURES = ("labour_cost_eur_per_hour", "figures_date")
# The input that TCO_RANGE varies, and its low and high as shares of the value used.
RANGE_FIELD = "price"
RANGE_SHARES = (0.9, 1.1)
SUMMARY_FIRST_ROW = 5
TABLE_COLUMN = 2
DIFFERENCE_FORMAT = "0.000000000"


@dataclass(frozen=True)
class UdfCell:
    """A cell of the UDF sheet whose value the core predicts: what it is, the option and how to compute it."""

    cell: str
    what: str
    option_index: int
    value: str


class _Writer:
    """Writes the UDF sheet row by row and records the cells the check compares with the core."""

    def __init__(self, sheet: Worksheet, layout: Layout, rows: SheetRows):
        self.sheet = sheet
        self.layout = layout
        self.result_rows = rows.results
        self.row = SUMMARY_FIRST_ROW
        self.cells: list[UdfCell] = []
        last = layout.last_input_row
        inputs = layout.sheets["inputs"]
        self.keys = f"{inputs}!$A${INPUTS_HEADER_ROW + 1}:$A${last}"
        self.baseline = self.column(0)

    def column(self, option_index: int) -> str:
        """Return the input column range of an option on the inputs sheet."""
        letter = Layout.input_column(option_index)
        return f"{self.layout.sheets['inputs']}!${letter}${INPUTS_HEADER_ROW + 1}:${letter}${self.layout.last_input_row}"

    def option_name(self, option_index: int) -> str:
        """Return a formula showing the option's name, or its column heading while the name is empty."""
        inputs = self.layout.sheets["inputs"]
        name = f"{inputs}!{self.layout.input_cell('name', option_index)}"
        heading = f"{inputs}!{Layout.input_column(option_index)}{INPUTS_HEADER_ROW}"
        return f'=IF({name}="",{heading},{name})'

    def headings(self, texts: list[str]) -> None:
        """Write a row of bold column headings from column B."""
        for offset, text in enumerate(texts):
            self.sheet.cell(self.row, TABLE_COLUMN + offset, text).font = BOLD
        self.row += 1

    def arguments(self, option_index: int) -> str:
        return f"{self.keys},{self.column(option_index)},{self.baseline},tco_region"

    def title(self, text: str) -> None:
        self.row += 1
        self.sheet.cell(self.row, TABLE_COLUMN, text).font = BOLD
        self.row += 1

    def put(self, row: int, column: int, value, number_format: str | None = None):
        cell = self.sheet.cell(row, column, value)
        cell.fill = FORMULA_FILL
        if number_format:
            cell.number_format = number_format
        return cell

    def pair(self, label: str, function: str, language: str, entries: list[tuple], number_format: str | None = None) -> None:
        """Write a result by a function and by the formulas in two rows, with their difference in the third.

        ``entries`` gives per option column (option index, the function's
        formula, the formulas' formula, what the cell is, its value spec).
        """
        rows = self.row, self.row + 1, self.row + 2
        self.sheet.cell(rows[0], TABLE_COLUMN, f"{label}: {function}")
        self.sheet.cell(rows[1], TABLE_COLUMN, f"{label}: {ui('udf_formulas', language)}")
        self.sheet.cell(rows[2], TABLE_COLUMN, ui("udf_difference", language))
        for index, by_function, by_formulas, what, value in entries:
            column = FIRST_OPTION_COLUMN + index
            letter = get_column_letter(column)
            self.put(rows[0], column, by_function, number_format)
            self.put(rows[1], column, by_formulas, number_format)
            self.put(rows[2], column, _difference(f"{letter}{rows[0]}", f"{letter}{rows[1]}"), DIFFERENCE_FORMAT)
            self.record(rows[0], column, what, index, value)
            self.record(rows[1], column, f"{what} (formulas)", index, f"native|{value}")
        self.row += 4

    def record(self, row: int, column: int, what: str, option_index: int, value: str) -> None:
        self.cells.append(UdfCell(f"{get_column_letter(column)}{row}", what, option_index, value))


def _difference(a: str, b: str) -> str:
    return f'=IF(AND(ISNUMBER({a}),ISNUMBER({b})),{a}-{b},"")'


def _summary(writer: _Writer, language: str) -> None:
    """Write TCO per unit and break-even price per option: the function, the formulas and the difference."""
    sheet, layout = writer.sheet, writer.layout
    results = layout.sheets["results"]
    header = writer.row
    sheet.cell(header, TABLE_COLUMN, ui("udf_result", language)).font = BOLD
    for index in range(OPTION_COUNT):
        column = FIRST_OPTION_COLUMN + index
        sheet.cell(header, column, writer.option_name(index)).font = BOLD
    writer.row += 1
    summary = (
        ("tco_per_unit_eur", "TCO_UNIT", "udf_tco"),
        ("break_even_price_eur", "TCO_BREAK_EVEN", "udf_break_even"),
    )
    for key, function, label in summary:
        entries = [
            (
                index,
                f"={function}({writer.arguments(index)})",
                f"={results}!{Layout.option_column(index)}{writer.result_rows[key]}",
                key,
                key,
            )
            for index in range(OPTION_COUNT)
        ]
        writer.pair(ui(label, language), function, language, entries, "#,##0.00")


def _lookups(writer: _Writer, language: str) -> None:
    """Write country and regional defaults by function and by the defaults table."""
    layout = writer.layout
    writer.title(ui("udf_lookups", language))
    for figure in COUNTRY_FIGURES:
        entries = []
        for index in range(OPTION_COUNT):
            country = f"{layout.sheets['inputs']}!{layout.used_cell('country', index)}"
            by_function = f'=TCO_COUNTRY({country},"{figure}")'
            by_formulas = f'=INDEX(default_value,MATCH({country}&"|{figure}",default_key,0))'
            entries.append((index, by_function, by_formulas, f"country {figure}", f"country:{figure}"))
        writer.pair(figure, "TCO_COUNTRY", language, entries)
    native = {"labour_cost_eur_per_hour": "region_labour_cost", "figures_date": "region_figures_date"}
    for figure in REGION_FIGURES:
        entry = (0, f'=TCO_REGIONAL("{figure}",tco_region)', f"={native[figure]}", f"region {figure}", f"region:{figure}")
        writer.pair(figure, "TCO_REGIONAL", language, [entry])


def _array(writer: _Writer, first_row: int, columns: int, rows: int, formula: str) -> str:
    """Write ``formula`` as an array formula over ``rows`` x ``columns`` cells from column B; return its range."""
    # NOTE: how Excel with xlwings fills these array formulas is untested here (no Excel);
    # the check's engine and the formulas package follow Excel's documented rules.
    first = f"{get_column_letter(TABLE_COLUMN)}{first_row}"
    last = f"{get_column_letter(TABLE_COLUMN + columns - 1)}{first_row + rows - 1}"
    ref = f"{first}:{last}"
    writer.sheet[first] = ArrayFormula(ref, formula)
    for row in range(first_row, first_row + rows):
        for column in range(TABLE_COLUMN, TABLE_COLUMN + columns):
            writer.sheet.cell(row, column).fill = FORMULA_FILL
    return ref


def _option_tables(writer: _Writer, rows: SheetRows, index: int, language: str) -> None:
    """Write an option's spilling tables: subtotals, cost lines, path and price range, each beside the formulas."""
    sheet, layout = writer.sheet, writer.layout
    option_letter = Layout.option_column(index)
    value_column = TABLE_COLUMN + 2
    native_column, difference_column = TABLE_COLUMN + 3, TABLE_COLUMN + 4
    name = writer.option_name(index)
    formulas, difference = ui("udf_formulas", language), ui("udf_difference", language)
    eur_unit = ui("udf_eur_unit", language)

    tables = (
        ("TCO_GROUPS", "udf_groups", [(f"group_{group}", layout.sheets["results"], rows.results[f"group_{group}"]) for group in GROUPS]),
        ("TCO_LINES", "udf_lines", [(line.id, layout.sheets["calc"], rows.calc[line.id]) for line in LINES]),
    )
    for function, label, natives in tables:
        writer.title(f"{ui(label, language)}: {function}")
        sheet.cell(writer.row - 1, TABLE_COLUMN + 3, name).font = BOLD
        writer.headings([ui("udf_id", language), ui("udf_label", language), f"{eur_unit}: {function}", f"{eur_unit}: {formulas}", difference])
        first = writer.row
        _array(writer, first, 3, len(natives), f"={function}({writer.arguments(index)})")
        for offset, (key, native_sheet, native_row) in enumerate(natives):
            row = first + offset
            value = f"{get_column_letter(value_column)}{row}"
            native = f"{get_column_letter(native_column)}{row}"
            writer.put(row, native_column, f"={native_sheet}!{option_letter}{native_row}", "#,##0.0000")
            writer.put(row, difference_column, _difference(value, native), DIFFERENCE_FORMAT)
            writer.record(row, value_column, key, index, f"{function}:{offset}")
            writer.record(row, native_column, f"{key} (formulas)", index, f"native|{function}:{offset}")
        writer.row = first + len(natives)

    writer.title(f"{ui('udf_path', language)}: TCO_PATH")
    sheet.cell(writer.row - 1, TABLE_COLUMN + 4, name).font = BOLD
    unit, gap = ui("udf_tco", language), ui("udf_gap", language)
    writer.headings([
        ui("udf_year", language), unit, ui("udf_annual", language), gap,
        f"{unit}: {formulas}", f"{gap}: {formulas}", f"{difference}: {unit}", f"{difference}: {gap}",
    ])
    first = writer.row
    _array(writer, first, 4, PATH_YEARS, f"=TCO_PATH({writer.arguments(index)})")
    path = layout.sheets["path"]
    for year_index in range(PATH_YEARS):
        row = first + year_index
        for offset, key in ((1, "tco_per_unit_eur"), (3, "cumulative_gap_eur")):
            native_column = TABLE_COLUMN + 4 + (offset // 2)
            value = f"{get_column_letter(TABLE_COLUMN + offset)}{row}"
            native = f"{get_column_letter(native_column)}{row}"
            native_row = path_row(index, year_index)
            source = f"{path}!{path_column(key)}{native_row}"
            # Years past the horizon are empty here, where the array of the function shows #N/A.
            writer.put(row, native_column, f'=IF(AND({year_index + 1}<=horizon_years,ISNUMBER({source})),{source},"")', "#,##0.00")
            writer.put(row, native_column + 2, _difference(value, native), DIFFERENCE_FORMAT)
            writer.record(row, TABLE_COLUMN + offset, f"{key} year {year_index + 1}", index, f"TCO_PATH:{year_index}:{offset}")
            writer.record(row, native_column, f"{key} year {year_index + 1} (formulas)", index, f"native|TCO_PATH:{year_index}:{offset}")
    writer.row = first + PATH_YEARS

    writer.title(f"{ui('udf_range', language)}: TCO_RANGE")
    sheet.cell(writer.row - 1, TABLE_COLUMN + 3, name).font = BOLD
    writer.headings([ui("udf_price_share", language).format(share=share) for share in (RANGE_SHARES[0], 1, RANGE_SHARES[1])])
    price = f"{layout.sheets['inputs']}!{layout.used_cell(RANGE_FIELD, index)}"
    low, high = (f"{share}*{price}" for share in RANGE_SHARES)
    arguments = f'{writer.keys},{writer.column(index)},"{RANGE_FIELD}",{low},{high},{writer.baseline},tco_region'
    _array(writer, writer.row, 3, 1, f"=TCO_RANGE({arguments})")
    for offset, bound in enumerate(("low", "base", "high")):
        writer.record(writer.row, TABLE_COLUMN + offset, f"{RANGE_FIELD} {bound}", index, f"TCO_RANGE:{offset}")
    writer.row += 1


def write_udf_sheet(sheet: Worksheet, layout: Layout, rows: SheetRows, language: str) -> list[UdfCell]:
    """Fill the UDF sheet; return the cells whose values the core predicts."""
    sheet.cell(1, TABLE_COLUMN, ui("udf_title", language)).font = BOLD
    sheet.cell(2, TABLE_COLUMN, ui("udf_help", language)).alignment = WRAP
    sheet.column_dimensions["A"].width = 2
    sheet.column_dimensions[get_column_letter(TABLE_COLUMN)].width = 44
    for column in range(TABLE_COLUMN + 1, TABLE_COLUMN + 8):
        sheet.column_dimensions[get_column_letter(column)].width = 18
    writer = _Writer(sheet, layout, rows)
    _summary(writer, language)
    _lookups(writer, language)
    for index in range(OPTION_COUNT):
        _option_tables(writer, rows, index, language)
    return writer.cells


def udf_cells(layout: Layout, rows: SheetRows) -> list[UdfCell]:
    """Return the cells of the UDF sheet that the core predicts, without a workbook."""
    from openpyxl import Workbook

    return write_udf_sheet(Workbook().active, layout, rows, layout.language)


def expected_udf_cells(result: CaseResult, cells: list[UdfCell], slots: list[int], ranges: dict[int, tuple[float, float]]) -> list[Expected]:
    """Return the core's value of each UDF cell of the options in ``slots`` (baseline first).

    The functions' cells and the formulas' copies beside them are both
    expected to hold the core's value, so that the two agree with each
    other within twice the tolerance. The differences are left to the user:
    two large numbers that agree to 15 digits can differ by more than an
    absolute tolerance.

    ``ranges`` gives, per slot, the option's TCO per unit with the price at
    its low and high share. A cell of an empty column is expected empty,
    and so is a path year beyond the horizon, which the array fills with #N/A.
    """
    options = sorted(result.options, key=lambda option: not option.baseline)
    by_slot = {slot: option for slot, option in zip(slots, options)}
    expected = []
    for cell in cells:
        option = by_slot.get(cell.option_index)
        if option is None and "region:" not in cell.value:
            continue
        value = _expected_value(cell, option, result, ranges.get(cell.option_index))
        expected.append(Expected(UDF_SHEET, cell.cell, cell.what, option.name if option else "", value))
    return expected


def _expected_value(cell: UdfCell, option, result: CaseResult, low_high):
    if cell.value.startswith("native|"):
        # The formulas' copy of a function's result: the same value, and empty where the array shows #N/A.
        paired = UdfCell(cell.cell, cell.what, cell.option_index, cell.value.partition("|")[2])
        value = _expected_value(paired, option, result, low_high)
        return None if value == "#N/A" else value
    kind, _, detail = cell.value.partition(":")
    if kind == "tco_per_unit_eur":
        return option.tco_per_unit_eur
    if kind == "break_even_price_eur":
        return None if option.baseline or math.isnan(option.break_even_price_eur) else option.break_even_price_eur
    if kind == "country":
        return countries()[option.country].figures[detail].value
    if kind == "region":
        region = load_region(result.settings.get("region") or DEFAULT_REGION)
        return region.labour_cost.value if detail == "labour_cost_eur_per_hour" else float((region.figures_date - EPOCH).days)
    if kind == "TCO_GROUPS":
        return option.groups[list(GROUPS)[int(detail)]]
    if kind == "TCO_LINES":
        return option.lines[LINES[int(detail)].id]
    if kind == "TCO_PATH":
        year_index, offset = (int(part) for part in detail.split(":"))
        if year_index >= len(option.path):
            return "#N/A"
        year = option.path[year_index]
        return year.tco_per_unit_eur if offset == 1 else year.cumulative_gap_eur
    if kind == "TCO_RANGE":
        offset = int(detail)
        if offset == 0:
            return low_high[0]
        if offset == 1:
            return option.tco_per_unit_eur
        return low_high[1]
    raise ValueError(f"no expected value for UDF cell {cell}")


def range_results(case, slots: list[int]) -> dict[int, tuple[float, float]]:
    """Return per slot the option's TCO per unit with its price at the low and the high share of the price used."""
    options = sorted(range(len(case.options)), key=lambda position: not case.options[position].values["baseline"])
    results = {}
    for slot, position in zip(slots, options):
        bounds = []
        for share in RANGE_SHARES:
            changed = copy.deepcopy(case)
            option = changed.options[position]
            option.values[RANGE_FIELD] = share * option.values[RANGE_FIELD]
            bounds.append(compute_case(changed).options[position].tco_per_unit_eur)
        results[slot] = (bounds[0], bounds[1])
    return results
