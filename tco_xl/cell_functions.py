"""The spreadsheet functions of the core, on plain cell values.

The xlwings modules in ``udfs/`` and the workbook check call these
functions. An option's inputs arrive as two ranges of the same height: the
keys (the Key column of the template's inputs sheet, such as
``annual_volume`` or ``duty_rate``) and the option's input column. The
settings and the part are read from the baseline's column, as the template
keeps them there. A cell value is None for an empty cell, a number, a text,
a boolean, a date or an error value. A range is a list of rows.

Every function returns cell values. A wrong input gives one line of text,
starting with "Error:", that names the input and what is expected; these
functions never raise.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import itertools
import logging
import math
import numbers
from dataclasses import dataclass

from . import defaults, regions
from .case import build_case, echo_value
from .errors import TcoError, ValidationError
from .lines import GROUPS, LINES
from .results import CaseResult, compute_case
from .template_layout import Layout
from .template_read import INVALID, convert_input, expected_input
from .template_text import UI

logger = logging.getLogger(__name__)

# Spreadsheet error values, as xlwings passes them with err_to_str and as the check's engine names them.
ERROR_TEXTS = ("#N/A", "#VALUE!", "#DIV/0!", "#NUM!", "#REF!", "#NAME?", "#NULL!")
# Day 0 of spreadsheet date serial numbers (1900 date system, after the 1900 leap-year bug).
EPOCH = dt.date(1899, 12, 30)
ERROR_PREFIX = "Error: "
SHARED_HINT = "the part and the settings are read from the baseline's column; give it as the baseline argument"
# The Key column's heading in the English and Dutch templates, skipped when a range starts above the keys.
KEY_HEADINGS = UI["key"]
# Names the copy that pairs a baseline computed alone, since a case compares two or more options.
COPY_SUFFIX = " (copy)"
# Computed cases kept, so that the functions of one option share one computation. The
# workbook check evaluates each function cell for all its scenarios before the next
# cell, so the cache keeps a case per option and scenario of a 1,000-scenario check.
CACHED_CASES = 4096


@dataclass(frozen=True)
class CellError:
    """An error value of a cell, such as #N/A, kept hashable for the cache of computed cases."""

    code: str


@dataclass(frozen=True)
class CellBool:
    """A boolean cell value, kept apart from 1 and 0, which hash the same, in the cache of computed cases."""

    value: bool


class NoOption(Exception):
    """The option column is empty: the function shows an empty cell, as the template does for an unused column."""


class CellInputError(TcoError):
    """An argument of a spreadsheet function is wrong; the message names it and what is expected."""


def _is_blank(value) -> bool:
    """Return whether a cell value is empty: None or a text of spaces only."""
    return value is None or (isinstance(value, str) and not value.strip())


def _rows(value) -> list[list]:
    """Return a range argument as a list of rows; a single cell becomes a 1 x 1 range."""
    if value is None or not isinstance(value, (list, tuple)):
        return [[value]]
    if value and not isinstance(value[0], (list, tuple)):
        # A one-dimensional list is one column, as a key or input column arrives.
        return [[item] for item in value]
    return [list(row) for row in value]


def _number_text(number: float) -> str:
    return f"{number:g}"


def _rows_text(rows: int) -> str:
    return f"{rows} row{'s' if rows != 1 else ''}"


def _size(rows: int, columns: int) -> str:
    return f"{_rows_text(rows)} by {columns} column{'s' if columns != 1 else ''}"


def _column(name: str, value) -> list:
    """Return a one-column range argument as a flat list; raise ``CellInputError`` for a wider range."""
    rows = _rows(value)
    if any(len(row) != 1 for row in rows):
        width = max(len(row) for row in rows)
        raise CellInputError(f"{name} is a range of {_size(len(rows), width)}; expected one column")
    return [row[0] for row in rows]


def _check_height(name: str, column: list, key_column: list) -> list:
    """Return ``column``; raise ``CellInputError`` when it is not as high as the keys."""
    if len(column) != len(key_column):
        raise CellInputError(f"{name} has {_rows_text(len(column))} and keys {_rows_text(len(key_column))}; expected ranges of the same height")
    return column


def _is_error(value) -> bool:
    text = getattr(value, "code", value)
    return isinstance(text, str) and text.strip().upper() in ERROR_TEXTS


def _error_text(value) -> str:
    return str(getattr(value, "code", value)).strip().upper()


def _single(name: str, value):
    """Return a one-cell range argument as its value; raise ``CellInputError`` for a larger range."""
    if not isinstance(value, (list, tuple)):
        return value
    rows = _rows(value)
    if len(rows) != 1 or len(rows[0]) != 1:
        raise CellInputError(f"{name} is a range of {_size(len(rows), max(len(row) for row in rows))}; expected one cell")
    return rows[0][0]


def _text(name: str, value, allow_empty: bool = False) -> str:
    """Return a text argument trimmed; raise ``CellInputError`` for a number, an error or an empty cell."""
    value = _thawed(_single(name, value))
    if _is_error(value):
        raise CellInputError(f"{name} is the error value {_error_text(value)}; expected a text")
    if _is_blank(value):
        if allow_empty:
            return ""
        raise CellInputError(f"{name} is empty; expected a text")
    if not isinstance(value, str):
        raise CellInputError(f"{name} = {echo_value(value)} is invalid; expected a text")
    return value.strip()


def _number(name: str, value) -> float:
    """Return a number argument as a float; raise ``CellInputError`` for text, a boolean, an error or an empty cell."""
    value = _plain_number(_thawed(_single(name, value)))
    if _is_error(value):
        raise CellInputError(f"{name} is the error value {_error_text(value)}; expected a number")
    if _is_blank(value):
        raise CellInputError(f"{name} is empty; expected a number")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise CellInputError(f"{name} = {echo_value(value)} is invalid; expected a number")
    number = float(value)
    if not math.isfinite(number):
        raise CellInputError(f"{name} = {echo_value(value)} is invalid; expected a finite number")
    return number


def _date_of_serial(value: float) -> dt.date | None:
    """Return the date of a whole spreadsheet serial number, or None for a fraction or an impossible date."""
    if not float(value).is_integer():
        return None
    try:
        return EPOCH + dt.timedelta(days=int(value))
    except OverflowError:
        return None


@functools.cache
def _layout() -> Layout:
    return Layout("en")


@functools.cache
def _input_rows() -> dict:
    """Return the rows of the inputs sheet that have input cells, by key."""
    return {row.key: row for row in _layout().rows if not row.derived}


def _convert(key: str, spec, value):
    """Return an input value as the raw case stores it, or ``INVALID``; risk rows have no field of their own."""
    if spec is None:
        if key.endswith("_name"):
            return value if isinstance(value, str) else INVALID
        return value if isinstance(value, numbers.Real) and not isinstance(value, bool) else INVALID
    if spec.kind == "date" and isinstance(value, numbers.Real) and not isinstance(value, bool):
        # Excel and xlwings Lite pass a date as its serial number.
        value = _date_of_serial(value) or value
    return convert_input(value, spec)


def _expected(key: str, spec) -> str:
    """Return what an input row accepts, in words; risk rows have no field of their own."""
    if spec is not None:
        return expected_input(spec)
    if key.endswith("_name"):
        return "a text"
    return "a number"


def _read_column(keys: list, values: list, label: str, sections: tuple[str, ...]) -> tuple[dict, list[str]]:
    """Return ({section: {field: value}}, problems) of the rows of ``sections`` in one input column.

    Empty keys, such as section titles, are skipped, and so are the keys of
    values the template derives, which have no input cell.
    """
    layout = _layout()
    inputs = _input_rows()
    read: dict[str, dict] = {section: {} for section in sections}
    problems = []
    seen: dict[str, int] = {}
    for index, (key, value) in enumerate(zip(keys, values), start=1):
        key, value = _thawed(key), _plain_number(_thawed(value))
        if _is_blank(key) or key in KEY_HEADINGS:
            continue
        if _is_error(key):
            problems.append(f"row {index} of keys: found the error value {_error_text(key)}; expected a key such as annual_volume")
            continue
        if not isinstance(key, str):
            problems.append(f"row {index} of keys: {echo_value(key)} is not a key; expected the Key column of the inputs sheet")
            continue
        key = key.strip()
        if key in seen:
            problems.append(f"row {index} of keys: {echo_value(key)} is also in row {seen[key]}; expected each key once")
            continue
        seen[key] = index
        if key not in inputs:
            if key not in layout.row_of and key not in layout.global_rows:
                problems.append(f"row {index} of keys: {echo_value(key)} is not an input key; expected a key of the inputs sheet's Key column")
            continue
        row = inputs[key]
        if row.section not in sections or _is_blank(value):
            continue
        where = f"{label} {key}"
        expected = _expected(key, row.field)
        if _is_error(value):
            problems.append(f"{where}: found the error value {_error_text(value)}; expected {expected}")
            continue
        if isinstance(value, str):
            value = value.strip()
        converted = _convert(key, row.field, value)
        if converted is INVALID:
            problems.append(f"{where}: found {echo_value(value)}; expected {expected}")
            continue
        name = key if row.field is None else row.field.name
        read[row.section][name] = converted
    return read, problems


def _risks(values: dict) -> list[dict]:
    """Return the risk items of an option from its risk rows, dropping empty items after the last filled one."""
    risks = []
    number = 1
    while f"risk_{number}_name" in _layout().row_of:
        item = {}
        for part in ("name", "probability_per_year", "impact_eur"):
            key = f"risk_{number}_{part}"
            if key in values:
                item[part] = values[key]
        risks.append(item)
        number += 1
    while risks and not risks[-1]:
        risks.pop()
    return risks


def _option(read: dict) -> dict:
    option = dict(read["option"])
    if read["investment"]:
        option["investment"] = dict(read["investment"])
    risks = _risks(read["risks"])
    if risks:
        option["risks"] = risks
    return option


def _freeze(value):
    """Return a hashable copy of a cell value or range, for the cache of computed cases."""
    kind = type(value)
    if value is None or kind is float or kind is int:
        return value
    if kind is bool:
        return CellBool(value)
    if kind is tuple and not _has_booleans(value):
        # The workbook check passes ranges as tuples of hashable values: hashing them in C
        # is far cheaper than copying them, which it would do millions of times.
        try:
            hash(value)
            return value
        except TypeError:
            pass
    if kind is list or kind is tuple:
        return tuple(_freeze(item) for item in value)
    if _is_error(value):
        return CellError(_error_text(value))
    return value


def _plain_number(value):
    """Return a numpy number as the Python number it holds; other values unchanged."""
    if isinstance(value, numbers.Number) and hasattr(value, "item") and not isinstance(value, (bool, int, float)):
        return value.item()
    return value


def _has_booleans(rows: tuple) -> bool:
    # map and chain walk the range in C: this runs for every function call of a workbook check.
    types = set(map(type, rows))
    if tuple in types:
        types.update(map(type, itertools.chain.from_iterable(row for row in rows if type(row) is tuple)))
    return bool in types


def _thawed(value):
    """Return a cell value as the caller passed it, undoing ``_freeze``'s wrapper of booleans."""
    return value.value if isinstance(value, CellBool) else value


def raw_case(keys, option, baseline=None, region=None) -> dict:
    """Return the raw case of an option column and its baseline column; raise ``CellInputError`` or ``ValidationError``.

    Without a baseline, the option is the baseline. The case contains the
    baseline and, when it differs, the option. A baseline alone is paired
    with a copy of itself, because a case compares two or more options.
    """
    key_column = _column("keys", keys)
    option_column = _check_height("option", _column("option", option), key_column)
    base_column = option_column if baseline is None else _check_height("baseline", _column("baseline", baseline), key_column)

    sections = ("settings", "part", "option", "investment", "risks")
    shared, problems = _read_column(key_column, base_column, "baseline" if baseline is not None else "option", sections)
    settings, part = shared["settings"], shared["part"]
    region_key = _text("region", region, allow_empty=True)
    if region_key:
        settings["region"] = region_key
    base_option = _option(shared)
    base_option["baseline"] = True
    options = [base_option]
    if baseline is not None and option_column != base_column:
        read, option_problems = _read_column(key_column, option_column, "option", ("option", "investment", "risks"))
        # Problems of the keys come from both columns; each is reported once.
        problems += [problem for problem in option_problems if problem not in problems]
        options.append(_option(read))
    else:
        copy = {**base_option, "baseline": False}
        copy["name"] = f"{base_option.get('name', 'baseline')}{COPY_SUFFIX}"
        options.append(copy)
    if problems:
        raise ValidationError(problems)
    return {"part": part, "settings": settings, "options": options}


@functools.lru_cache(maxsize=CACHED_CASES)
def _compute(frozen: tuple) -> CaseResult:
    """Return the computed case of frozen (keys, option, baseline, region); raise ``ValidationError`` naming the column."""
    raw = raw_case(*frozen)
    # The same test as raw_case's: no baseline column, or the option's own.
    alone = frozen[2] is None or frozen[1] == frozen[2]
    try:
        case = build_case(raw)
    except ValidationError as error:
        raise ValidationError(_relabel(error.problems, alone)) from error
    return compute_case(case)


def _relabel(problems: list[str], alone: bool) -> list[str]:
    """Return the core's problems with the columns named as the user passed them, dropping those of a baseline's copy."""
    first, second = ("option", None) if alone else ("baseline", "option")
    relabelled = []
    for problem in problems:
        if problem.startswith("options[2]"):
            if second is None:
                continue
            text = second + problem[len("options[2]"):]
        elif problem.startswith("options[1]"):
            text = first + problem[len("options[1]"):]
        else:
            # The template's key of the part's name is part_name, as the option's is name.
            text = problem.replace("part: name ", "part: part_name ", 1)
        if text not in relabelled:
            relabelled.append(text)
    if alone and relabelled and any(text.startswith(("part:", "settings:")) for text in relabelled):
        # A missing part usually means the baseline argument was left out for another option's column.
        relabelled[0] += f" ({SHARED_HINT})"
    return relabelled


def _trimmed(keys, option, baseline):
    """Return the three ranges without the rows after the last key, so that a whole-column range costs no more than its keys."""
    key_column = _column("keys", keys)
    last = len(key_column)
    while last and _is_blank(key_column[last - 1]):
        last -= 1
    if last == len(key_column):
        return keys, option, baseline
    rows = [_rows(value)[:last] if value is not None else None for value in (keys, option, baseline)]
    return rows[0], rows[1], rows[2]


def _is_empty_column(column) -> bool:
    return all(_is_blank(value) for row in _rows(column) for value in row)


def _result(keys, option, baseline, region):
    """Return (the option's result, the case result); raise ``NoOption`` for an empty option column."""
    return _checked_result((_freeze(keys), _freeze(option), _freeze(baseline), _freeze(region)))


@functools.lru_cache(maxsize=CACHED_CASES)
def _checked_result(frozen: tuple):
    """Return ``_result`` of frozen arguments, so that the functions of one option check their ranges once."""
    keys, option, baseline, region = frozen
    key_column = _column("keys", keys)
    for name, value in (("option", option), ("baseline", baseline)):
        if value is not None:
            _check_height(name, _column(name, value), key_column)
    keys, option, baseline = _trimmed(keys, option, baseline)
    if _is_empty_column(option):
        raise NoOption
    frozen_option, frozen_baseline = _freeze(option), _freeze(baseline)
    case = _compute((_freeze(keys), frozen_option, frozen_baseline, region))
    position = 0 if baseline is None or frozen_option == frozen_baseline else 1
    return case.options[position], case


def _problem_text(error: Exception) -> str:
    """Return one line for a wrong input: the first problem, and how many more there are."""
    if isinstance(error, ValidationError) and error.problems:
        more = len(error.problems) - 1
        text = error.problems[0] + (f" (and {more} more)" if more else "")
    else:
        text = str(error)
    return ERROR_PREFIX + " ".join(text.split())


def _guarded(function):
    """Return ``function`` so that a wrong input returns an error text instead of raising."""

    signature = inspect.signature(function)

    @functools.wraps(function)
    def call(*args):
        try:
            signature.bind(*args)
        except TypeError:
            names = list(signature.parameters)
            required = [name for name in names if signature.parameters[name].default is inspect.Parameter.empty]
            optional = "".join(f", [{name}]" for name in names[len(required):])
            return f"{ERROR_PREFIX}found {len(args)} arguments; expected ({', '.join(required)}{optional})"
        try:
            return function(*args)
        except NoOption:
            return ""
        except TcoError as error:
            return _problem_text(error)
        except Exception as error:  # a cell function must show a text, never a traceback
            logger.debug("%s failed", function.__name__, exc_info=True)
            return f"{ERROR_PREFIX}{function.__name__} failed: {type(error).__name__}: {error}"

    return call


@_guarded
def tco_unit(keys, option, baseline=None, region=None) -> float:
    """Return the option's TCO per unit in EUR in the first year."""
    return _result(keys, option, baseline, region)[0].tco_per_unit_eur


@_guarded
def tco_lines(keys, option, baseline=None, region=None) -> list[list]:
    """Return one row per cost line: line id, label, EUR per unit in the first year."""
    result = _result(keys, option, baseline, region)[0]
    return [[line.id, line.label, result.lines[line.id]] for line in LINES]


@_guarded
def tco_groups(keys, option, baseline=None, region=None) -> list[list]:
    """Return one row per group of cost lines: group id, label, EUR per unit in the first year."""
    result = _result(keys, option, baseline, region)[0]
    return [[group, label, result.groups[group]] for group, label in GROUPS.items()]


@_guarded
def tco_path(keys, option, baseline=None, region=None) -> list[list]:
    """Return one row per year of the horizon: year, TCO per unit, annual TCO and cumulative gap to the baseline, in EUR."""
    result = _result(keys, option, baseline, region)[0]
    return [[float(year.year), year.tco_per_unit_eur, year.annual_cost_eur, year.cumulative_gap_eur] for year in result.path]


@_guarded
def tco_break_even(keys, option, baseline=None, region=None):
    """Return the price in EUR at which the option's TCO equals the baseline's, or an empty text for the baseline."""
    result = _result(keys, option, baseline, region)[0]
    if result.baseline or math.isnan(result.break_even_price_eur):
        return ""
    return result.break_even_price_eur


@_guarded
def tco_range(keys, option, field, low, high, baseline=None, region=None) -> list[list]:
    """Return one row: the option's TCO per unit in EUR with ``field`` at low, at its value and at high."""
    name = _text("field", field)
    key_column = _column("keys", keys)
    rows = [index for index, key in enumerate(key_column) if isinstance(key, str) and key.strip() == name]
    inputs = _input_rows()
    if not rows or name not in inputs:
        raise CellInputError(f"field {echo_value(name)} is not an input key in keys; expected a key such as price or duty_rate")
    if inputs[name].kind not in ("number", "integer", "flag"):
        raise CellInputError(f"field {echo_value(name)} is a {inputs[name].kind} input; expected a number input such as price or duty_rate")
    row = rows[0]
    bounds = [("low", _number("low", low)), ("high", _number("high", high))]
    same = baseline is None or _freeze(option) == _freeze(baseline)
    # The settings and the part are read from the baseline's column, so a change to them goes there.
    shared = inputs[name].scalar

    def changed(column: list, number: float) -> list:
        return [number if index == row else value for index, value in enumerate(column)]

    base = _result(keys, option, baseline, region)[0].tco_per_unit_eur
    low_high = []
    for bound, number in bounds:
        option_column = _column("option", option)
        baseline_column = None if baseline is None else _column("baseline", baseline)
        if not shared or same or baseline is None:
            option_column = changed(option_column, number)
        if baseline_column is not None and (shared or same):
            baseline_column = changed(baseline_column, number)
        try:
            low_high.append(_result(keys, option_column, baseline_column, region)[0].tco_per_unit_eur)
        except ValidationError as error:
            # The input is valid at its own value, so the bound is what the core rejects.
            raise CellInputError(f"{bound} = {_number_text(number)} for {name}: {_problem_text(error).removeprefix(ERROR_PREFIX)}") from error
    return [[low_high[0], base, low_high[1]]]


@_guarded
def tco_country(country, figure):
    """Return a packaged figure of a country, such as CN and transit_days, or its currency or default mode."""
    code = _text("country", country).upper()
    name = _text("figure", figure).lower()
    known = defaults.countries()
    if code not in known:
        raise CellInputError(f"country {echo_value(code)} is not known; expected an ISO code listed by `tco-xl countries`")
    record = known[code]
    facts = {
        "name": record.name,
        "currency": record.currency,
        "eu_member": 1.0 if record.eu_member else 0.0,
        "default_mode": record.default_mode,
        "default_load_type": record.default_load_type,
    }
    if name in facts:
        return facts[name]
    if name in record.figures:
        return record.figures[name].value
    expected = ", ".join([*facts, *record.figures])
    raise CellInputError(f"figure {echo_value(name)} is not a country figure; expected one of {expected}")


@_guarded
def tco_regional(figure, region=None):
    """Return a regional or Dutch figure: the region's labour cost, figures date or subsidies, or a Dutch rate."""
    name = _text("figure", figure)
    key = _text("region", region, allow_empty=True).lower() or regions.DEFAULT_REGION
    if key not in regions.region_keys():
        raise CellInputError(f"region {echo_value(key)} is not known; expected one of {', '.join(regions.region_keys())}")
    area = regions.load_region(key)
    if name == "labour_cost_eur_per_hour":
        return area.labour_cost.value
    if name == "figures_date":
        return float((area.figures_date - EPOCH).days)
    if name in area.subsidies:
        return 1.0 if area.subsidies[name] else 0.0
    if name == "minimum_wage_eur_per_hour":
        return defaults.dutch_figures().minimum_wage_on(area.figures_date)
    dutch = defaults.dutch_figures().figures
    if name in dutch:
        return dutch[name].value
    expected = ", ".join(["labour_cost_eur_per_hour", "figures_date", *area.subsidies, "minimum_wage_eur_per_hour", *dutch])
    raise CellInputError(f"figure {echo_value(name)} is not a regional or Dutch figure; expected one of {expected}")


# The spreadsheet name of each function, as the xlwings modules and the check register them.
FUNCTIONS = {
    "TCO_UNIT": tco_unit,
    "TCO_LINES": tco_lines,
    "TCO_GROUPS": tco_groups,
    "TCO_PATH": tco_path,
    "TCO_BREAK_EVEN": tco_break_even,
    "TCO_RANGE": tco_range,
    "TCO_COUNTRY": tco_country,
    "TCO_REGIONAL": tco_regional,
}
