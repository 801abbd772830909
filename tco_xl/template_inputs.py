"""The inputs sheet of the template: input cells, the value used for each, validation and defined names."""

from __future__ import annotations

import re

from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .defaults import countries
from .fields import LARGEST
from .regions import Region
from .template_results import calc_row_numbers
from .template_layout import (
    CHOICES,
    FIRST_OPTION_COLUMN,
    FIRST_INPUT_COLUMN,
    FIRST_USED_COLUMN,
    GLOBAL_DERIVED,
    HELP_COLUMN,
    INPUTS_HEADER_ROW,
    KEY_COLUMN,
    LABEL_COLUMN,
    OPTION_COUNT,
    TEMPLATE_MAXIMUM,
    TEXT_NORMALISE,
    UNIT_COLUMN,
    InputRow,
    Layout,
)
from .template_styles import (
    BOLD,
    BOX,
    DATE_FORMAT,
    DEFAULT_FONT,
    EMPTY_OPTION_FONT,
    FORMULA_FILL,
    INPUT_FILL,
    KEY_FONT,
    SECTION_FILL,
    TITLE,
    UNLOCKED,
    WRAP,
)
from .template_text import DERIVED_UNITS, derived_label, field_help, field_label, ui, unit_text

# Inputs that claim a subsidy, and the region's name for that subsidy.
SUBSIDY_FIELDS = {"lks_share": "loonkostensubsidie", "rd_hours_per_year": "wbso", "bmkb_credit_eur": "bmkb"}
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class InputResolver:
    """Turns the placeholders of an inputs-sheet formula into cell references for one option column."""

    def __init__(self, layout: Layout, option_index: int, language: str):
        self.layout = layout
        self.option_index = option_index
        self.language = language
        self.scalar = {item.key for item in layout.rows if item.scalar}

    def resolve(self, formula: str, row: int) -> str:
        """Return ``formula`` for the cell in ``row`` as a spreadsheet formula starting with '='."""
        return "=" + PLACEHOLDER.sub(lambda match: self._reference(match.group(1), row), formula)

    def _reference(self, token: str, row: int) -> str:
        layout = self.layout
        if token == "in":
            return f"{layout.input_column(self.option_index)}{row}"
        if token.startswith("in:"):
            key = token[3:]
            return layout.input_cell(key, 0 if key in self.scalar else self.option_index)
        if token.startswith("text:"):
            return '"' + ui(token[5:], self.language) + '"'
        if token.startswith("calc:"):
            row = calc_row_numbers()[0][token[5:]]
            return f"{layout.sheets['calc']}!{get_column_letter(FIRST_OPTION_COLUMN + self.option_index)}{row}"
        if token.startswith("c:"):
            country = layout.used_cell("country", self.option_index)
            return f'INDEX(default_value,MATCH({country}&"|{token[2:]}",default_key,0))'
        return layout.used_cell(token, self.option_index)


def _used_formula(item: InputRow, layout: Layout, option_index: int, language: str) -> str:
    """Return the formula of the value used: the input when given, else the default."""
    row = layout.row_of[item.key]
    resolver = InputResolver(layout, option_index, language)
    if item.derived:
        return resolver.resolve(item.default, row)
    given = TEXT_NORMALISE.get(item.key, "{in}")
    return resolver.resolve(f'IF({{in}}="",{item.default},{given})', row)


def _label(item: InputRow, language: str) -> tuple[str, str, str]:
    """Return the label, unit and help of a row."""
    if item.field is not None:
        unit = item.field.unit
        help_text = field_help(item.field.scope, item.field.name, language)
        if item.kind == "flag":
            unit = "1 = yes, 0 = no" if language == "en" else "1 = ja, 0 = nee"
            # Case files take true and false; the workbook takes 1 and 0.
            help_text = help_text.replace("True when", "1 when").replace("True for", "1 for").replace("WAAR", "1")
        return field_label(item.field.scope, item.field.name, language), unit_text(unit, language), help_text
    match = re.fullmatch(r"risk_(\d)_(name|probability_per_year|impact_eur)", item.key)
    if match:
        number, part = match.groups()
        key = {"name": "risk_name", "probability_per_year": "risk_probability", "impact_eur": "risk_impact"}[part]
        unit = {"name": "", "probability_per_year": unit_text("fraction (0.25 = 25 %)", language), "impact_eur": "EUR"}[part]
        return ui(key, language).format(n=number), unit, ""
    return derived_label(item.key, language), unit_text(DERIVED_UNITS.get(item.key, ""), language), ""


def input_validation(item: InputRow, region: Region) -> DataValidation | None:
    """Return the data validation of a row's input cells, or None for free text."""
    field = item.field
    subsidy = SUBSIDY_FIELDS.get(item.key)
    if subsidy is not None and not region.subsidies[subsidy]:
        # The region does not offer this subsidy, so only 0 is valid.
        return DataValidation(type="decimal", operator="between", formula1="0", formula2="0", allow_blank=True)
    if item.key in CHOICES:
        return DataValidation(type="list", formula1='"' + ",".join(CHOICES[item.key]) + '"', allow_blank=True)
    if item.key == "country":
        return DataValidation(type="list", formula1="country_codes", allow_blank=True)
    if item.key == "currency":
        # Other currencies are allowed with a warning, because the exchange rate can be typed in.
        codes = ["EUR"] + sorted({country.currency for country in countries().values()} - {"EUR"})
        return DataValidation(type="list", formula1='"' + ",".join(codes) + '"', allow_blank=True, errorStyle="warning")
    if item.kind == "flag":
        return DataValidation(type="whole", operator="between", formula1="0", formula2="1", allow_blank=True)
    if item.kind == "date":
        # The first date with Dutch figures; later dates use the newest known figures.
        return DataValidation(type="date", operator="greaterThanOrEqual", formula1="INDEX(minimum_wage_dates,1)", allow_blank=True)
    if item.key.startswith("risk_") and item.key.endswith("probability_per_year"):
        return DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
    if item.key.startswith("risk_") and item.key.endswith("impact_eur"):
        return DataValidation(type="decimal", operator="between", formula1="0", formula2=repr(LARGEST), allow_blank=True)
    if field is None or field.kind not in ("number", "integer"):
        return None
    low = max(field.minimum, -LARGEST)
    high = min(field.maximum, LARGEST, TEMPLATE_MAXIMUM.get(item.key, LARGEST))
    kind = "whole" if field.kind == "integer" else "decimal"
    # NOTE: spreadsheet validation has no exclusive bound, so a minimum that
    # the core excludes (such as a life of 0 years) is accepted here.
    return DataValidation(type=kind, operator="between", formula1=repr(low), formula2=repr(high), allow_blank=True)


def _number_text(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 1e6 else f"{value:g}"


def _error_text(item: InputRow, validation: DataValidation, language: str) -> str:
    """Return the message a spreadsheet shows when a typed value breaks the validation."""
    dutch = language == "nl"
    if validation.type == "list" and validation.errorStyle == "warning":
        if dutch:
            return "Deze valuta heeft geen meegeleverde koers: vul ook de wisselkoers in."
        return "This currency has no packaged rate: enter the exchange rate too."
    if validation.type == "list":
        return "Kies een waarde uit de lijst." if dutch else "Choose a value from the list."
    if validation.type == "date":
        return "Een datum vanaf de eerste datum met Nederlandse cijfers." if dutch else "A date on or after the first date with Dutch figures."
    low, high = float(validation.formula1), float(validation.formula2)
    if validation.type == "whole":
        kind = "een geheel getal" if dutch else "a whole number"
    else:
        kind = "een getal" if dutch else "a number"
    if high >= LARGEST:
        bound = f"{'vanaf' if dutch else 'from'} {_number_text(low)}"
    else:
        bound = f"{'van' if dutch else 'from'} {_number_text(low)} {'tot en met' if dutch else 'to'} {_number_text(high)}"
    if dutch:
        bound = bound.replace(".", ",")
    return f"{kind} {bound}".capitalize() + "."


def _write_header(sheet: Worksheet, region: Region, language: str) -> None:
    sheet.cell(1, LABEL_COLUMN, ui("inputs_title", language)).font = TITLE
    sheet.cell(2, LABEL_COLUMN, ui("inputs_intro", language))
    sheet.cell(3, LABEL_COLUMN, f"{ui('region', language)}: {region.name}")
    status = sheet.cell(INPUTS_HEADER_ROW - 1, LABEL_COLUMN, ui("status", language))
    status.font = BOLD
    header = INPUTS_HEADER_ROW
    titles = {KEY_COLUMN: ui("key", language), LABEL_COLUMN: ui("field", language), UNIT_COLUMN: ui("unit", language), HELP_COLUMN: ui("help", language)}
    for option_index in range(OPTION_COUNT):
        name = ui("baseline", language) if option_index == 0 else f"{ui('option', language)} {option_index + 1}"
        titles[FIRST_INPUT_COLUMN + option_index] = name
        titles[FIRST_USED_COLUMN + option_index] = f"{ui('used', language)}: {name}"
    for column, text in titles.items():
        cell = sheet.cell(header, column, text)
        cell.font = BOLD
        cell.alignment = WRAP
        cell.fill = SECTION_FILL


def _write_row(sheet: Worksheet, item: InputRow, layout: Layout, region: Region, language: str, validations: dict) -> None:
    row = layout.row_of[item.key]
    label, unit, help_text = _label(item, language)
    sheet.cell(row, KEY_COLUMN, item.key).font = KEY_FONT
    sheet.cell(row, LABEL_COLUMN, label)
    sheet.cell(row, UNIT_COLUMN, unit)
    if help_text:
        sheet.cell(row, HELP_COLUMN, help_text)
    columns = 1 if item.scalar else OPTION_COUNT
    for option_index in range(columns):
        used = sheet.cell(row, FIRST_USED_COLUMN + option_index, _used_formula(item, layout, option_index, language))
        used.fill = FORMULA_FILL
        used.border = BOX
        if item.kind == "date":
            used.number_format = DATE_FORMAT
        if item.derived:
            continue
        cell = sheet.cell(row, FIRST_INPUT_COLUMN + option_index)
        cell.fill = INPUT_FILL
        cell.border = BOX
        cell.protection = UNLOCKED
        if item.kind == "date":
            cell.number_format = DATE_FORMAT
        validation = input_validation(item, region)
        if validation is not None:
            key = (validation.type, validation.formula1, validation.formula2)
            if key not in validations:
                validation.error = _error_text(item, validation, language)
                # The title names no field, because one rule serves every cell with the same bounds.
                validation.errorTitle = "Ongeldige invoer" if language == "nl" else "Invalid input"
                validation.showErrorMessage = True
                validations[key] = validation
            validations[key].add(cell.coordinate)


def write_inputs_sheet(sheet: Worksheet, layout: Layout, region: Region, language: str) -> dict[str, str]:
    """Fill the inputs sheet and return the defined names of its scalar values."""
    _write_header(sheet, region, language)
    titles = {
        "settings": "section_settings", "part": "section_part", "option": "section_option",
        "investment": "section_investment", "risks": "section_risks", "derived": "section_derived", "global": "section_global",
    }
    for section, row in layout.section_rows.items():
        cell = sheet.cell(row, LABEL_COLUMN, ui(titles[section], language))
        cell.font = BOLD
        for column in range(KEY_COLUMN, HELP_COLUMN + 1):
            sheet.cell(row, column).fill = SECTION_FILL

    validations: dict = {}
    names = {}
    for item in layout.rows:
        _write_row(sheet, item, layout, region, language, validations)
        if item.scalar:
            names[item.key] = f"{sheet.title}!${layout.used_column(0)}${layout.row_of[item.key]}"

    resolver = InputResolver(layout, 0, language)
    for key, formula in GLOBAL_DERIVED.items():
        row = layout.global_rows[key]
        sheet.cell(row, KEY_COLUMN, key).font = KEY_FONT
        sheet.cell(row, LABEL_COLUMN, derived_label(key, language))
        sheet.cell(row, UNIT_COLUMN, unit_text(DERIVED_UNITS.get(key, ""), language))
        cell = sheet.cell(row, FIRST_USED_COLUMN, resolver.resolve(formula, row))
        cell.fill = FORMULA_FILL
        cell.border = BOX
        names[key] = f"{sheet.title}!${layout.used_column(0)}${row}"

    # Each option's status again above the input columns, where it is seen while typing.
    for option_index in range(OPTION_COUNT):
        cell = sheet.cell(INPUTS_HEADER_ROW - 1, FIRST_INPUT_COLUMN + option_index, f"={layout.used_cell('status', option_index)}")
        cell.alignment = WRAP
        cell.font = BOLD
    sheet.row_dimensions[INPUTS_HEADER_ROW - 1].height = 42

    for option_index, option in enumerate(region.options):
        sheet[layout.input_cell("name", option_index)].value = option.names[language]
        sheet[layout.input_cell("country", option_index)].value = option.country
        sheet[layout.input_cell("sourcing", option_index)].value = option.sourcing
        if option.sourcing == "buy":
            # Shown, not left to a default, so that a quote in EUR is not typed into a CNY price.
            sheet[layout.input_cell("currency", option_index)].value = countries()[option.country].currency

    for validation in validations.values():
        sheet.add_data_validation(validation)
    _grey_empty_options(sheet, layout)
    _mark_defaults(sheet, layout)
    _set_widths(sheet)
    sheet.freeze_panes = sheet.cell(INPUTS_HEADER_ROW + 1, FIRST_INPUT_COLUMN)
    return names


def _mark_defaults(sheet: Worksheet, layout: Layout) -> None:
    """Show a used value in blue italics where its input cell is empty, so defaults stand out."""
    rows = sorted(layout.row_of[item.key] for item in layout.rows if not item.derived)
    runs = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    for option_index in range(OPTION_COUNT):
        used = layout.used_column(option_index)
        source = layout.input_column(option_index)
        for first, last in runs:
            # The reference is relative to the first cell of the range.
            rule = FormulaRule(formula=[f"ISBLANK({source}{first})"], font=DEFAULT_FONT)
            sheet.conditional_formatting.add(f"{used}{first}:{used}{last}", rule)


def _grey_empty_options(sheet: Worksheet, layout: Layout) -> None:
    """Grey out the used values of an option column that is not in use, since they only keep the sheet computing."""
    first = layout.row_of[next(item.key for item in layout.rows if item.section == "option")]
    last = max(layout.row_of[item.key] for item in layout.rows)
    for option_index in range(1, OPTION_COUNT):
        column = layout.used_column(option_index)
        active = f"${column}${layout.row_of['active']}"
        rule = FormulaRule(formula=[f"{active}=0"], font=EMPTY_OPTION_FONT, stopIfTrue=True)
        sheet.conditional_formatting.add(f"{column}{first}:{column}{last}", rule)


def _set_widths(sheet: Worksheet) -> None:
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 30
    for option_index in range(OPTION_COUNT):
        sheet.column_dimensions[Layout.input_column(option_index)].width = 16
        sheet.column_dimensions[Layout.used_column(option_index)].width = 16
    sheet.column_dimensions[Layout.input_column(OPTION_COUNT)].width = 3
    sheet.column_dimensions["M"].width = 90
