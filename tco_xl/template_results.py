"""The calculation, path and results sheets of the template, and its charts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .lines import GROUPS, LINES
from .template_calc import FIXED_LINES, LINE_FORMULAS, PATH_COLUMNS, QUANTITIES, TOTALS, CalcRow
from .template_layout import CALC_HEADER_ROW, FIRST_OPTION_COLUMN, OPTION_COUNT, PATH_YEARS, WORDS_COLUMN, Layout
from .template_styles import (
    BOLD,
    EUR_FORMAT,
    KEY_FONT,
    NOT_APPLICABLE_FONT,
    RIGHT,
    SECTION_FILL,
    SHARE_FORMAT,
    SMALL_FORMAT,
    TITLE,
    TOTAL_FILL,
    WHOLE_FORMAT,
    WRAP,
)
from .template_text import group_label, line_formula, line_label, ui, unit_text

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
PATH_FIRST_ROW = CALC_HEADER_ROW + 1
# The path sheet's columns start after the option name (A) and the year index (B).
PATH_FIRST_COLUMN = 3
# Years in the path chart. LibreOffice draws the #N/A of years past the horizon
# as 0, so the chart shows the default horizon and the table all years.
CHART_YEARS = 5
# Points: room for two or three wrapped lines of a header.
HEADER_HEIGHT = 42
RESULTS_HEADER_ROW = CALC_HEADER_ROW + 1
# Rows under the results header that show the option's inputs as they are.
RESULT_INFO_ROWS = ("country", "sourcing", "currency", "status")
HARD_GROUPS = ("price", "freight", "customs", "inventory", "quality", "carbon", "subsidies")


@dataclass
class SheetRows:
    """Row numbers of the calculation and results sheets, by key."""

    calc: dict[str, int] = field(default_factory=dict)
    first_line: int = 0
    last_line: int = 0
    calc_titles: dict[int, str] = field(default_factory=dict)
    results: dict[str, int] = field(default_factory=dict)
    results_titles: dict[int, str] = field(default_factory=dict)
    path_years: dict[int, int] = field(default_factory=dict)


def path_column(key: str) -> str:
    """Return the letter of a column of the path sheet."""
    index = next(i for i, column in enumerate(PATH_COLUMNS) if column.key == key)
    return get_column_letter(PATH_FIRST_COLUMN + index)


def path_row(option_index: int, year_index: int) -> int:
    """Return the row of an option's year on the path sheet."""
    return PATH_FIRST_ROW + option_index * PATH_YEARS + year_index


def calc_rows() -> list[tuple[str, str | None, object]]:
    """Return the calculation sheet's rows in order: (section, key, row definition)."""
    rows: list[tuple[str, str | None, object]] = [("section_quantities", None, None)]
    rows += [("section_quantities", row.key, row) for row in QUANTITIES]
    rows += [("section_lines", None, None)]
    rows += [("section_lines", line.id, line) for line in LINES]
    rows += [("section_totals", None, None)]
    fixed = CalcRow("fixed_lines", "Lines fixed over the years", "Vaste regels over de jaren", "EUR per unit", "+".join("{@" + key + "}" for key in FIXED_LINES))
    rows += [("section_totals", row.key, row) for row in TOTALS + (fixed,)]
    return rows


def calc_row_numbers() -> tuple[dict[str, int], dict[int, str]]:
    """Return the calculation sheet's row of each key, and the rows of the section titles."""
    numbers, titles = {}, {}
    row = CALC_HEADER_ROW + 1
    for section, key, _definition in calc_rows():
        if key is None:
            # A blank row before each section title but the first.
            row += 1 if row > CALC_HEADER_ROW + 1 else 0
            titles[row] = section
        else:
            numbers[key] = row
        row += 1
    return numbers, titles


def sheet_rows() -> SheetRows:
    """Return the row numbers of the calculation and results sheets; they do not depend on the language."""
    rows = SheetRows()
    rows.calc, rows.calc_titles = calc_row_numbers()
    line_rows = [rows.calc[line.id] for line in LINES]
    rows.first_line, rows.last_line = min(line_rows), max(line_rows)

    row = RESULTS_HEADER_ROW + 1
    for key in RESULT_INFO_ROWS:
        rows.results[key] = row
        row += 1
    for section, keys in RESULT_SECTIONS:
        # A blank row, then the section title.
        rows.results_titles[row + 1] = section
        row += 2
        for key in keys:
            rows.results[key] = row
            row += 1
    rows.results_titles[row + 1] = "section_path"
    row += 2
    for year_index in range(PATH_YEARS):
        rows.path_years[year_index] = row
        row += 1
    return rows


class Resolver:
    """Turns formula placeholders into cell references for one option column of one sheet."""

    def __init__(self, layout: Layout, rows: SheetRows, option_index: int):
        self.layout = layout
        self.rows = rows
        self.option_index = option_index
        self.column = get_column_letter(FIRST_OPTION_COLUMN + option_index)
        self.inputs = layout.sheets["inputs"]
        self.calc = layout.sheets["calc"]

    def input_ref(self, key: str) -> str:
        return f"{self.inputs}!{self.layout.used_cell(key, self.option_index)}"

    def calc_ref(self, key: str, option_index: int | None = None) -> str:
        index = self.option_index if option_index is None else option_index
        return f"{self.calc}!{get_column_letter(FIRST_OPTION_COLUMN + index)}{self.rows.calc[key]}"

    def calc_token(self, token: str) -> str:
        if token == "@lines":
            return f"{self.column}{self.rows.first_line}:{self.column}{self.rows.last_line}"
        if token.startswith("@"):
            return f"{self.column}{self.rows.calc[token[1:]]}"
        if token.startswith("baseline:"):
            return f"${get_column_letter(FIRST_OPTION_COLUMN)}${self.rows.calc[token[9:]]}"
        return self.shared_token(token)

    def path_token(self, token: str, year_index: int) -> str:
        row = path_row(self.option_index, year_index)
        if token == "t":
            return f"$B{row}"
        if token.startswith("#"):
            return f"{path_column(token[1:])}{row}"
        if token.startswith("prev:"):
            return f"{path_column(token[5:])}{row - 1}" if year_index > 0 else "0"
        if token.startswith("base:"):
            return f"{path_column(token[5:])}{path_row(0, year_index)}"
        if token.startswith("calc:"):
            return self.calc_ref(token[5:])
        return self.shared_token(token)

    def shared_token(self, token: str) -> str:
        """Resolve the placeholders both sheets use: the option's index and used inputs, and the baseline's."""
        if token == "option_index":
            return str(self.option_index)
        if token.startswith("baseline_input:"):
            return f"{self.inputs}!{self.layout.used_cell(token[15:], 0)}"
        return self.input_ref(token)


def write_calc_sheet(sheet: Worksheet, layout: Layout, rows: SheetRows, language: str) -> None:
    """Fill the calculation sheet: quantities, the cost lines and totals of the first year."""
    sheet.cell(1, 2, ui("calc_title", language)).font = TITLE
    sheet.cell(2, 2, ui("calc_intro", language))
    _option_header(sheet, layout, language, CALC_HEADER_ROW, ui("unit_or_group", language))
    sheet.cell(CALC_HEADER_ROW, WORDS_COLUMN, ui("in_words", language)).font = BOLD

    for row, section in rows.calc_titles.items():
        _section_title(sheet, row, ui(section, language))
    for _section, key, definition in calc_rows():
        if key is None:
            continue
        _write_calc_row(sheet, layout, rows, key, definition, language)
    _widths(sheet, (26, 44, 22), 14, 100)
    sheet.freeze_panes = sheet.cell(CALC_HEADER_ROW + 1, FIRST_OPTION_COLUMN)
    # The formulas in words are for the screen; printed, they would shrink the numbers.
    sheet.print_area = f"A1:{get_column_letter(WORDS_COLUMN - 1)}{max(rows.calc.values()) + 1}"


def _write_calc_row(sheet: Worksheet, layout: Layout, rows: SheetRows, key: str, definition, language: str) -> None:
    row = rows.calc[key]
    sheet.cell(row, 1, key).font = KEY_FONT
    if isinstance(definition, CalcRow):
        label = definition.label_nl if language == "nl" else definition.label_en
        unit = unit_text(definition.unit, language)
        template = definition.formula
        words = ""
    else:
        label = line_label(key, language)
        unit = group_label(definition.group, language)
        template = LINE_FORMULAS[key]
        words = line_formula(key, language)
    sheet.cell(row, 2, label)
    sheet.cell(row, 3, unit)
    if words:
        sheet.cell(row, WORDS_COLUMN, words)
    for option_index in range(OPTION_COUNT):
        resolver = Resolver(layout, rows, option_index)
        formula = "=" + PLACEHOLDER.sub(lambda match: resolver.calc_token(match.group(1)), template)
        cell = sheet.cell(row, FIRST_OPTION_COLUMN + option_index, formula)
        if isinstance(definition, CalcRow) and definition.unit == "1 or 0":
            cell.number_format = WHOLE_FORMAT
        elif "tco2e" in key or key.endswith("_rate"):
            cell.number_format = SMALL_FORMAT
        else:
            cell.number_format = EUR_FORMAT
        if key == "tco_per_unit_eur":
            cell.font = BOLD
            cell.fill = TOTAL_FILL


def write_path_sheet(sheet: Worksheet, layout: Layout, rows: SheetRows, language: str) -> None:
    """Fill the path sheet: one block of years per option, each row a full year of the model."""
    sheet.cell(1, 2, ui("path_title", language)).font = TITLE
    sheet.cell(2, 2, ui("path_intro", language).format(calc=layout.sheets["calc"]))

    header = CALC_HEADER_ROW
    sheet.cell(header, 1, ui("option_column", language)).font = BOLD
    sheet.cell(header, 2, ui("year_index", language)).font = BOLD
    for index, column in enumerate(PATH_COLUMNS):
        cell = sheet.cell(header, PATH_FIRST_COLUMN + index, column.header_nl if language == "nl" else column.header_en)
        cell.font = BOLD
        cell.alignment = WRAP

    for option_index in range(OPTION_COUNT):
        resolver = Resolver(layout, rows, option_index)
        for year_index in range(PATH_YEARS):
            row = path_row(option_index, year_index)
            sheet.cell(row, 1, f"={resolver.input_ref('name')}")
            sheet.cell(row, 2, year_index)
            for index, column in enumerate(PATH_COLUMNS):
                formula = "=" + PLACEHOLDER.sub(lambda match: resolver.path_token(match.group(1), year_index), column.formula)
                cell = sheet.cell(row, PATH_FIRST_COLUMN + index, formula)
                cell.number_format = WHOLE_FORMAT if column.key in ("year", "baseline_cheaper", "in_horizon") else EUR_FORMAT

    _widths(sheet, (18, 8), 12, None)
    for index in range(len(PATH_COLUMNS)):
        sheet.column_dimensions[get_column_letter(PATH_FIRST_COLUMN + index)].width = 17
    sheet.column_dimensions["B"].width = 10
    sheet.row_dimensions[header].height = HEADER_HEIGHT * 1.4
    sheet.freeze_panes = sheet.cell(header + 1, PATH_FIRST_COLUMN)
    sheet.print_title_cols = "A:B"
    sheet.print_title_rows = f"{header}:{header}"

    # Years past the horizon are #N/A in the chart column on purpose; grey them out.
    chart = path_column("chart_tco")
    first, last = path_row(0, 0), path_row(OPTION_COUNT - 1, PATH_YEARS - 1)
    rule = FormulaRule(formula=[f"ISNA({chart}{first})"], font=NOT_APPLICABLE_FONT)
    sheet.conditional_formatting.add(f"{chart}{first}:{chart}{last}", rule)


def _mask(layout: Layout, option_index: int, formula: str) -> str:
    """Wrap a results formula so that it shows nothing until the part, the option and the baseline are complete."""
    inputs = layout.sheets["inputs"]
    complete = f"{inputs}!{layout.used_cell('complete', option_index)}"
    baseline = f"{inputs}!{layout.used_cell('complete', 0)}"
    return f'=IF(AND(ready=1,{complete}=1,{baseline}=1),{formula},"")'


def _result_formulas(layout: Layout, rows: SheetRows, option_index: int, language: str) -> dict[str, str]:
    """Return the results sheet's formula of each row for one option."""
    resolver = Resolver(layout, rows, option_index)
    calc = resolver.calc_ref
    path = layout.sheets["path"]
    first, last = path_row(option_index, 0), path_row(option_index, PATH_YEARS - 1)
    calc_column = get_column_letter(FIRST_OPTION_COLUMN + option_index)

    formulas = {}
    for group in GROUPS:
        group_rows = [rows.calc[line.id] for line in LINES if line.group == group]
        formulas[f"group_{group}"] = f"SUM({layout.sheets['calc']}!{calc_column}{min(group_rows)}:{calc_column}{max(group_rows)})"

    formulas["tco_per_unit_eur"] = calc("tco_per_unit_eur")
    formulas["gap_per_unit_eur"] = f"{calc('tco_per_unit_eur')}-{calc('tco_per_unit_eur', 0)}"
    base = calc("tco_per_unit_eur", 0)
    formulas["gap_share"] = f'IF({base}=0,"",({calc("tco_per_unit_eur")}-{base})/{base})'
    formulas["annual_tco_eur"] = f"{calc('tco_per_unit_eur')}*annual_volume"
    formulas["gap_per_year_eur"] = f"({calc('tco_per_unit_eur')}-{calc('tco_per_unit_eur', 0)})*annual_volume"
    formulas["npv_eur"] = f"NPV(discount_rate,{path}!{path_column('annual_cost_eur')}{first}:{path_column('annual_cost_eur')}{last})"

    cumulative = path_column("cumulative_gap_eur")
    formulas["cumulative_gap_eur"] = f"INDEX({path}!{cumulative}{first}:{cumulative}{last},horizon_years)"
    crossing = f"{path}!{path_column('baseline_cheaper')}{first}:{path_column('baseline_cheaper')}{last}"
    if option_index == 0:
        formulas["baseline_cheaper_from_year"] = '""'
    else:
        formulas["baseline_cheaper_from_year"] = f'IF(COUNT({crossing})=0,"{ui("na", language)}",MIN({crossing}))'

    formulas["break_even_price_eur"] = calc("break_even_price_eur")
    formulas["break_even_price_currency"] = calc("break_even_price_currency")
    for key in ("units_per_load", "units_per_shipment", "customs_value_eur", "landed_value_eur", "safety_stock_units", "transport_tco2e_per_unit"):
        formulas[key] = calc(key)

    # The steps from price to total add up the group subtotals above them on the results sheet.
    group_cell = {group: f"{calc_column}{rows.results[f'group_{group}']}" for group in GROUPS}
    formulas["cumulative_price"] = group_cell["price"]
    formulas["cumulative_hard"] = "+".join(group_cell[group] for group in HARD_GROUPS)
    formulas["cumulative_risk"] = formulas["cumulative_hard"] + "+" + group_cell["risk"]
    formulas["cumulative_strategic"] = formulas["cumulative_risk"] + "+" + group_cell["strategic"]
    return formulas


RESULT_SECTIONS = (
    ("section_groups", tuple(f"group_{group}" for group in GROUPS) + ("tco_per_unit_eur",)),
    ("section_compare", ("gap_per_unit_eur", "gap_share", "annual_tco_eur", "gap_per_year_eur", "npv_eur", "cumulative_gap_eur",
                         "baseline_cheaper_from_year", "break_even_price_eur", "break_even_price_currency")),
    ("section_quantities_results", ("units_per_load", "units_per_shipment", "customs_value_eur", "landed_value_eur",
                                    "safety_stock_units", "transport_tco2e_per_unit")),
    ("section_cumulative", ("cumulative_price", "cumulative_hard", "cumulative_risk", "cumulative_strategic")),
)
QUANTITY_UNITS = {
    "units_per_load": "units", "units_per_shipment": "units", "customs_value_eur": "EUR per unit",
    "landed_value_eur": "EUR per unit", "safety_stock_units": "units", "transport_tco2e_per_unit": "tCO2e per unit",
}


def _result_label(key: str, language: str) -> str:
    if key.startswith("group_"):
        return group_label(key[6:], language)
    if key in QUANTITY_UNITS:
        return next(row.label_nl if language == "nl" else row.label_en for row in QUANTITIES if row.key == key)
    return ui(key, language)


def write_results_sheet(sheet: Worksheet, layout: Layout, rows: SheetRows, language: str) -> None:
    """Fill the results sheet: groups, comparison, quantities, the path and the three charts."""
    sheet.cell(1, 2, ui("results_title", language)).font = TITLE
    inputs = layout.sheets["inputs"]
    sheet.cell(2, 2, ui("results_part", language)).font = BOLD
    sheet.cell(2, FIRST_OPTION_COLUMN, f"={inputs}!{layout.used_cell('part_name')}")
    sheet.cell(3, 2, ui("status", language)).font = BOLD
    baseline = f"{inputs}!{layout.used_cell('complete', 0)}"
    status = f'=IF(ready=0,"{ui("status_part", language)}",IF({baseline}=0,"{ui("status_baseline", language)}",""))'
    sheet.cell(3, 3, status)
    _option_header(sheet, layout, language, RESULTS_HEADER_ROW, "")
    for key in RESULT_INFO_ROWS:
        row = rows.results[key]
        sheet.cell(row, 1, key).font = KEY_FONT
        sheet.cell(row, 2, ui(key, language))
        for option_index in range(OPTION_COUNT):
            active = f"{inputs}!{layout.used_cell('active', option_index)}"
            value = f"{inputs}!{layout.used_cell(key, option_index)}"
            formula = f"={value}" if key == "status" else f'=IF({active}=1,{value},"")'
            sheet.cell(row, FIRST_OPTION_COLUMN + option_index, formula).alignment = RIGHT
    for row, section in rows.results_titles.items():
        _section_title(sheet, row, ui(section, language))

    for option_index in range(OPTION_COUNT):
        formulas = _result_formulas(layout, rows, option_index, language)
        for key, formula in formulas.items():
            cell = sheet.cell(rows.results[key], FIRST_OPTION_COLUMN + option_index, _mask(layout, option_index, formula))
            cell.number_format = _result_format(key)
            cell.alignment = RIGHT
            if key == "tco_per_unit_eur":
                cell.font = BOLD
                cell.fill = TOTAL_FILL
    for _section, keys in RESULT_SECTIONS:
        for key in keys:
            sheet.cell(rows.results[key], 1, key).font = KEY_FONT
            sheet.cell(rows.results[key], 2, _result_label(key, language))
            sheet.cell(rows.results[key], 3, unit_text(_result_unit(key), language))

    path = layout.sheets["path"]
    for year_index, row in rows.path_years.items():
        sheet.cell(row, 1, f"year_{year_index + 1}").font = KEY_FONT
        year_cell = sheet.cell(row, 2, f"={path}!{path_column('year')}{path_row(0, year_index)}")
        year_cell.number_format = WHOLE_FORMAT
        for option_index in range(OPTION_COUNT):
            source = f"{path}!{path_column('tco_per_unit_eur')}{path_row(option_index, year_index)}"
            cell = sheet.cell(row, FIRST_OPTION_COLUMN + option_index, _mask(layout, option_index, source))
            cell.number_format = EUR_FORMAT
    _widths(sheet, (24, 44, 14), 16, None)
    _add_charts(sheet, layout, rows, language)


def _result_unit(key: str) -> str:
    if key in QUANTITY_UNITS:
        return QUANTITY_UNITS[key]
    if key == "gap_share":
        return ""
    if key in ("annual_tco_eur", "gap_per_year_eur", "npv_eur", "cumulative_gap_eur"):
        return "EUR"
    if key == "baseline_cheaper_from_year":
        return ""
    if key == "break_even_price_currency":
        return "currency units per unit"
    return "EUR per unit"


def _result_format(key: str) -> str:
    if key == "gap_share":
        return SHARE_FORMAT
    if key == "baseline_cheaper_from_year":
        return WHOLE_FORMAT
    if key == "transport_tco2e_per_unit":
        return SMALL_FORMAT
    if key in ("annual_tco_eur", "gap_per_year_eur", "npv_eur", "cumulative_gap_eur"):
        return "#,##0"
    return EUR_FORMAT


def _add_charts(sheet: Worksheet, layout: Layout, rows: SheetRows, language: str) -> None:
    """Add the stacked group chart, the price-to-total chart and the path chart."""
    first_column = FIRST_OPTION_COLUMN
    last_column = FIRST_OPTION_COLUMN + OPTION_COUNT - 1
    names = Reference(sheet, min_col=first_column, max_col=last_column, min_row=CALC_HEADER_ROW + 1)

    groups = BarChart()
    groups.type = "col"
    groups.grouping = "stacked"
    groups.overlap = 100
    groups.title = ui("chart_groups", language)
    groups.y_axis.title = ui("eur_per_unit", language)
    for group in GROUPS:
        row = rows.results[f"group_{group}"]
        values = Reference(sheet, min_col=first_column, max_col=last_column, min_row=row)
        groups.series.append(Series(values, title=group_label(group, language)))
    groups.set_categories(names)
    _place(groups, sheet, "J5")

    steps = BarChart()
    steps.type = "col"
    steps.title = ui("chart_cumulative", language)
    steps.y_axis.title = ui("eur_per_unit", language)
    first_step = rows.results["cumulative_price"]
    last_step = rows.results["cumulative_strategic"]
    for option_index in range(OPTION_COUNT):
        column = FIRST_OPTION_COLUMN + option_index
        values = Reference(sheet, min_col=column, min_row=first_step, max_row=last_step)
        series = Series(values, title_from_data=False)
        series.tx = None
        steps.series.append(series)
        _title_from_cell(series, sheet, column, CALC_HEADER_ROW + 1)
    steps.set_categories(Reference(sheet, min_col=2, min_row=first_step, max_row=last_step))
    _place(steps, sheet, "J25")

    path_chart = LineChart()
    path_chart.title = ui("chart_path", language)
    path_chart.y_axis.title = ui("eur_per_unit", language)
    path = layout.sheets["path"]
    path_sheet = sheet.parent[path]
    chart_column = PATH_COLUMNS.index(next(c for c in PATH_COLUMNS if c.key == "chart_tco")) + PATH_FIRST_COLUMN
    year_column = PATH_COLUMNS.index(next(c for c in PATH_COLUMNS if c.key == "year")) + PATH_FIRST_COLUMN
    for option_index in range(OPTION_COUNT):
        last = path_row(option_index, CHART_YEARS - 1)
        values = Reference(path_sheet, min_col=chart_column, min_row=path_row(option_index, 0), max_row=last)
        series = Series(values)
        series.smooth = False
        path_chart.series.append(series)
        _title_from_cell(series, sheet, FIRST_OPTION_COLUMN + option_index, CALC_HEADER_ROW + 1)
    path_chart.set_categories(Reference(path_sheet, min_col=year_column, min_row=path_row(0, 0), max_row=path_row(0, CHART_YEARS - 1)))
    _place(path_chart, sheet, "J45")


def _title_from_cell(series: Series, sheet: Worksheet, column: int, row: int) -> None:
    """Name a chart series after a cell, so the legend shows the option's name."""
    from openpyxl.chart.series import SeriesLabel
    from openpyxl.chart.data_source import StrRef

    series.tx = SeriesLabel(strRef=StrRef(f"'{sheet.title}'!${get_column_letter(column)}${row}"))


def _place(chart, sheet: Worksheet, anchor: str) -> None:
    chart.width = 21
    chart.height = 9.5
    sheet.add_chart(chart, anchor)


def _option_header(sheet: Worksheet, layout: Layout, language: str, row: int, unit_title: str) -> None:
    """Write a header row whose option cells show the options' names."""
    sheet.cell(row, 1, ui("key", language)).font = BOLD
    sheet.cell(row, 2, ui("name", language)).font = BOLD
    sheet.cell(row, 3, unit_title).font = BOLD
    sheet.row_dimensions[row].height = HEADER_HEIGHT
    for option_index in range(OPTION_COUNT):
        name = f"{layout.sheets['inputs']}!{layout.used_cell('name', option_index)}"
        # An empty option keeps a name, so chart legends never show a bare column letter.
        fallback = f"{ui('option', language)} {option_index + 1}"
        cell = sheet.cell(row, FIRST_OPTION_COLUMN + option_index, f'=IF({name}="","{fallback}",{name})')
        cell.font = BOLD
        cell.alignment = WRAP
        cell.fill = SECTION_FILL


def _section_title(sheet: Worksheet, row: int, text: str) -> None:
    cell = sheet.cell(row, 2, text)
    cell.font = BOLD
    for column in range(1, WORDS_COLUMN + 1):
        sheet.cell(row, column).fill = SECTION_FILL


def _widths(sheet: Worksheet, first: tuple[int, ...], option_width: int, words_width: int | None) -> None:
    for index, width in enumerate(first, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for option_index in range(OPTION_COUNT):
        sheet.column_dimensions[get_column_letter(FIRST_OPTION_COLUMN + option_index)].width = option_width
    if words_width:
        sheet.column_dimensions[get_column_letter(WORDS_COLUMN)].width = words_width
