"""Write a case into the input cells of a template workbook."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .case import Case, build_case
from .errors import ValidationError
from .fields import INVESTMENT_FIELDS, OPTION_FIELDS, PART_FIELDS, SETTINGS_FIELDS
from .regions import DEFAULT_REGION
from .template_layout import (
    FLAG_FIELDS,
    OPTION_COUNT,
    PATH_YEARS,
    RISK_ITEMS,
    SKIPPED_FIELDS,
    Layout,
)

# Characters a cell of Excel or LibreOffice holds.
MAX_CELL_CHARS = 32767


def _plain(value):
    """Return the base of a low/base/high range, a flag as 1 or 0, and other values as they are."""
    if isinstance(value, dict) and "base" in value:
        return value["base"]
    if isinstance(value, bool):
        return 1 if value else 0
    return value


def _date(value):
    """Return a YYYY-MM-DD text as a date, so the spreadsheet stores a date; other values as they are."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def _checked(value, where: str):
    """Return ``value``; raise ``ValidationError`` naming ``where`` for text a spreadsheet cell cannot hold."""
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise ValidationError([f"{where}: text of {len(value)} characters is too long; a spreadsheet cell holds at most {MAX_CELL_CHARS}, so shorten it"])
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        raise ValidationError([f"{where}: the text contains control characters, which a spreadsheet cell cannot hold; remove them"])
    return value


def _write(sheet, address: str, value) -> None:
    """Write an input value; text stays text even when it starts with '=', which openpyxl would store as a formula."""
    cell = sheet[address]
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _ordered_options(raw: dict) -> list[dict]:
    """Return the case's options with the baseline first, as the template expects."""
    options = list(raw.get("options", []))
    baseline = next((i for i, option in enumerate(options) if option.get("baseline") is True), 0)
    return [options[baseline]] + options[:baseline] + options[baseline + 1 :]


def check_fits(raw: dict, region_key: str) -> Case:
    """Return the built case; raise ``ValidationError`` when it is invalid or does not fit the template's columns and rows."""
    problems = []
    case = build_case(raw)
    options = raw.get("options", [])
    if len(options) > OPTION_COUNT:
        problems.append(f"case: options lists {len(options)} options; the template has room for {OPTION_COUNT}")
    for index, option in enumerate(options, start=1):
        risks = option.get("risks", [])
        if len(risks) > RISK_ITEMS:
            problems.append(f"options[{index}] {option.get('name')!r}: risks lists {len(risks)} items; the template has room for {RISK_ITEMS}")
    horizon = _plain(raw.get("settings", {}).get("horizon_years", 5))
    if isinstance(horizon, (int, float)) and horizon > PATH_YEARS:
        problems.append(f"settings: horizon_years = {horizon!r} is invalid for the template; expected at most {PATH_YEARS}")
    region = raw.get("settings", {}).get("region")
    if region is not None and str(region).strip().lower() != region_key:
        problems.append(f"settings: region = {region!r} differs from the template's region {region_key!r}")
    if problems:
        raise ValidationError(problems)
    return case


def input_values(raw: dict, layout: Layout) -> dict[str, object]:
    """Return the value of every input cell (an address such as D12) for a case that ``check_fits`` accepted; None clears a cell.

    Raises ``ValidationError`` for text that a spreadsheet cell cannot hold.
    """
    values: dict[str, object] = {}
    for item in layout.rows:
        if item.derived:
            continue
        for option_index in range(1 if item.scalar else OPTION_COUNT):
            values[layout.input_cell(item.key, option_index)] = None

    for spec in SETTINGS_FIELDS:
        if (spec.scope, spec.name) in SKIPPED_FIELDS or spec.name not in raw.get("settings", {}):
            continue
        value = _plain(raw["settings"][spec.name])
        if spec.kind == "date":
            value = _date(value)
        values[layout.input_cell(spec.name)] = _checked(value, f"settings: {spec.name}")
    for spec in PART_FIELDS:
        if spec.name in raw.get("part", {}):
            key = "part_name" if spec.name == "name" else spec.name
            values[layout.input_cell(key)] = _checked(_plain(raw["part"][spec.name]), f"part: {spec.name}")

    for option_index, option in enumerate(_ordered_options(raw)):
        where = f"option {option.get('name')!r}"
        fields = {**option, **option.get("investment", {})}
        for spec in OPTION_FIELDS + INVESTMENT_FIELDS:
            if (spec.scope, spec.name) in SKIPPED_FIELDS or spec.name not in fields:
                continue
            value = _plain(fields[spec.name])
            if spec.name in FLAG_FIELDS:
                value = 1 if value else 0
            values[layout.input_cell(spec.name, option_index)] = _checked(value, f"{where}: {spec.name}")
        for number, risk in enumerate(option.get("risks", []), start=1):
            for part in ("name", "probability_per_year", "impact_eur"):
                if part in risk:
                    address = layout.input_cell(f"risk_{number}_{part}", option_index)
                    values[address] = _checked(_plain(risk[part]), f"{where} risks[{number}]: {part}")
    return values


def fill_workbook(workbook: Workbook, raw: dict, layout: Layout, region_key: str) -> None:
    """Write the raw case into the input cells, clearing the template's starting options first."""
    check_fits(raw, region_key)
    sheet = workbook[layout.sheets["inputs"]]
    for address, value in input_values(raw, layout).items():
        _write(sheet, address, value)


def filled_template(raw: dict, language: str = "en", region_key: str = DEFAULT_REGION) -> Workbook:
    """Build the template of ``region_key`` in ``language`` with the raw case written into it."""
    from .template import build_template

    workbook = build_template(language, region_key)
    fill_workbook(workbook, raw, Layout(language), region_key)
    return workbook
