"""Many parts at once from a table of part-options (CSV, Excel or a DataFrame).

Each row of the table is one option of one part. The ``case`` column
contains the part id that groups the options of one part, and the
``option`` column contains the option name. The other columns are case-file fields as listed by
``tco-xl fields``: part, settings, option and investment fields. Two field
names appear in two sections of a case file, and in a table they mean:

- ``name`` is the part's name (default: the case id), because ``option``
  names the option;
- ``currency`` is the option's price currency, because the reporting
  currency in the settings can only be EUR.

Risk items (``[[options.risks]]``) cannot be given in a table. Use
``risk_share_of_price`` or a case file for them. A cell holds one value, so
low/base/high ranges need a case file too.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import logging
import math
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .case import build_case
from .errors import CaseFileError, TcoError, ValidationError
from .fields import INVESTMENT_FIELDS, OPTION_FIELDS, PART_FIELDS, SETTINGS_FIELDS, Field
from .frame import frame_from_cases
from .lines import GROUPS, LINE_IDS

logger = logging.getLogger(__name__)

CASE_COLUMN = "case"
OPTION_COLUMN = "option"
RECORD_SUFFIXES = (".csv", ".xlsx")

# Columns by the case section they fill. The module docstring explains name and currency.
PART_COLUMNS = {spec.name: spec for spec in PART_FIELDS}
SETTINGS_COLUMNS = {spec.name: spec for spec in SETTINGS_FIELDS if spec.name != "currency"}
OPTION_COLUMNS = {spec.name: spec for spec in OPTION_FIELDS if spec.name != "name"}
INVESTMENT_COLUMNS = {spec.name: spec for spec in INVESTMENT_FIELDS}
FIELD_COLUMNS = {**PART_COLUMNS, **SETTINGS_COLUMNS, **OPTION_COLUMNS, **INVESTMENT_COLUMNS}

TRUE_TEXTS = ("true", "yes", "1")
FALSE_TEXTS = ("false", "no", "0")

# Smaller batches get no progress display, because building a case takes only milliseconds.
PROGRESS_MIN_CASES = 100
PROGRESS_INTERVAL_S = 0.1

_MISSING = object()
_OPTION_PREFIX = re.compile(r"^options\[(\d+)\]")
# A number written with a decimal comma, as a Dutch-locale spreadsheet exports it.
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+([eE][+-]?\d+)?$")


# ---------------------------------------------------------------- cells


def _is_empty(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _cell(spec: Field, value):
    """Return a cell as the plain Python value ``build_case`` reads, or ``_MISSING`` when empty.

    Text that is not a valid number or boolean is passed on unchanged, so
    that ``build_case`` reports it with the field's allowed values.
    """
    if _is_empty(value):
        return _MISSING
    if spec.kind in ("number", "integer"):
        return _number_cell(value)
    if spec.kind == "bool":
        return _bool_cell(value)
    if spec.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else str(value).strip()
    return _text_cell(value)


def _number_cell(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        return text


def _bool_cell(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_TEXTS:
        return True
    if text in FALSE_TEXTS:
        return False
    return str(value).strip()


def _text_cell(value) -> str:
    # A spreadsheet may store a numeric id such as 100 as the float 100.0.
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------- row labels


def _rows_text(labels: list) -> str:
    """Name rows as "row 4", "rows 4-6" or "rows 2, 5-6" (ranges only for whole-number labels)."""
    if len(labels) == 1:
        return f"row {labels[0]}"
    if not all(isinstance(label, (int, np.integer)) for label in labels):
        return "rows " + ", ".join(str(label) for label in labels)
    runs: list[list[int]] = []
    for label in sorted(int(label) for label in labels):
        if runs and label == runs[-1][1] + 1:
            runs[-1][1] = label
        else:
            runs.append([label, label])
    return "rows " + ", ".join(f"{low}-{high}" if high > low else str(low) for low, high in runs)


# ---------------------------------------------------------------- progress


class _Progress:
    """Show "building cases: 120/5000" on a terminal and log every tenth at INFO."""

    def __init__(self, total: int):
        self.total = total
        self.started = time.monotonic()
        self.shown_at = 0.0
        self.large = total >= PROGRESS_MIN_CASES
        self.on_terminal = self.large and sys.stderr.isatty()
        self.log_step = max(1, total // 10)

    def update(self, done: int) -> None:
        if self.large and done % self.log_step == 0 and done < self.total:
            logger.info("built %d of %d cases", done, self.total)
        if not self.on_terminal:
            return
        now = time.monotonic()
        if done == self.total or now - self.shown_at >= PROGRESS_INTERVAL_S:
            self.shown_at = now
            sys.stderr.write(f"\rbuilding cases: {done}/{self.total} ({100 * done // self.total} %)")
            sys.stderr.flush()

    def finish(self) -> None:
        if self.on_terminal:
            sys.stderr.write("\n")
            sys.stderr.flush()
        logger.info("built %d cases in %.1f s", self.total, time.monotonic() - self.started)


# ---------------------------------------------------------------- records to cases


def _column_names(df: pd.DataFrame) -> list[str]:
    names = [str(name).strip() for name in df.columns]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValidationError([f"records: column {name!r} appears more than once" for name in duplicates])
    missing = [name for name in (CASE_COLUMN, OPTION_COLUMN) if name not in names]
    if missing:
        raise ValidationError(
            [
                f"records: missing column {name!r}; expected a 'case' column with the part id and an "
                "'option' column with the option name" for name in missing
            ]
        )
    return names


def _unknown_columns(names: list[str]) -> list[str]:
    known = [CASE_COLUMN, OPTION_COLUMN, *FIELD_COLUMNS]
    problems = []
    for name in names:
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "see `tco-xl fields` for the allowed fields"
        problems.append(f"records: unknown column {name!r}; {hint}")
    return problems


def _group_rows(records: list[dict], labels: list) -> tuple[dict[str, list[int]], list[str]]:
    """Return the row positions of each case id, in order of first appearance, and the rows without one."""
    groups: dict[str, list[int]] = {}
    problems = []
    for position, record in enumerate(records):
        case_id = record[CASE_COLUMN]
        if _is_empty(case_id):
            if any(not _is_empty(value) for value in record.values()):
                problems.append(f"row {labels[position]}: case is missing; expected the part id that groups its options")
            continue
        groups.setdefault(_text_cell(case_id), []).append(position)
    return groups, problems


def _shared_section(columns: dict[str, Field], rows: list[dict], row_labels: list, where: str, problems: list[str]) -> dict:
    """Return the part or settings fields of one case, which must agree across its rows.

    Empty cells do not count, so a value may be given in one row of the case only.
    """
    section = {}
    for name, spec in columns.items():
        found: dict = {}
        for record, label in zip(rows, row_labels):
            if name not in record:
                continue
            value = _cell(spec, record[name])
            if value is not _MISSING:
                found.setdefault(value, []).append(label)
        if not found:
            continue
        values = list(found)
        section[name] = values[0]
        if len(values) > 1:
            shown = ", ".join(f"{value!r} in {_rows_text(found[value])}" for value in values)
            problems.append(f"{where}: {name} differs between the rows of this case ({shown}); give one value per case")
    return section


def _option_fields(record: dict) -> dict:
    option = {"name": _text_cell(record[OPTION_COLUMN])}
    investment = {}
    for name, value in record.items():
        if name in OPTION_COLUMNS:
            cell = _cell(OPTION_COLUMNS[name], value)
            if cell is not _MISSING:
                option[name] = cell
        elif name in INVESTMENT_COLUMNS:
            cell = _cell(INVESTMENT_COLUMNS[name], value)
            if cell is not _MISSING:
                investment[name] = cell
    if investment:
        option["investment"] = investment
    return option


def _case_raw(case_id: str, rows: list[dict], row_labels: list, where: str, problems: list[str]) -> dict | None:
    """Return the raw case mapping of one case's rows, or None when an option name is missing."""
    unnamed = [label for record, label in zip(rows, row_labels) if _is_empty(record[OPTION_COLUMN])]
    for label in unnamed:
        problems.append(f"row {label} (case {case_id!r}): option is missing; expected the option name")
    part = _shared_section(PART_COLUMNS, rows, row_labels, where, problems)
    part.setdefault("name", case_id)
    settings = _shared_section(SETTINGS_COLUMNS, rows, row_labels, where, problems)
    if unnamed:
        return None
    options = [_option_fields(record) for record in rows]
    return {"name": case_id, "part": part, "settings": settings, "options": options}


def _located(message: str, case_id: str, row_labels: list, where: str) -> str:
    """Prefix a ``build_case`` message with its row, or with the case's rows."""
    match = _OPTION_PREFIX.match(message)
    if match and 1 <= int(match.group(1)) <= len(row_labels):
        return f"row {row_labels[int(match.group(1)) - 1]} (case {case_id!r}): {message}"
    return f"{where}: {message}"


def frame_from_records(df: pd.DataFrame, today: dt.date | None = None) -> pd.DataFrame:
    """Build and validate one case per part in ``df``; return the input frame ``compute_frame`` reads.

    Each row of ``df`` is one part-option (see the module docstring for the
    columns). Missing columns and empty cells (NaN, None or "") take the
    packaged defaults, exactly as fields left out of a case file do. Each
    case goes through ``build_case`` with ``today`` as the default figures
    date. Raises one ``ValidationError`` listing every problem of every
    case, each prefixed with its rows, such as "rows 4-6 (case 'P-100')".
    Rows are named by the index labels of ``df``; ``read_records`` numbers
    them as a spreadsheet does. The returned frame has one row per option,
    grouped by case in order of first appearance, and keeps those labels as
    its index.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"frame_from_records expects a pandas DataFrame, got {type(df).__name__}")
    names = _column_names(df)
    problems = _unknown_columns(names)
    labels = list(df.index)
    records = pd.DataFrame(df.to_numpy(dtype=object), columns=names).to_dict("records")
    groups, missing_ids = _group_rows(records, labels)
    problems.extend(missing_ids)
    if not groups and not problems:
        raise ValidationError(["records: no rows; expected one row per part-option"])
    logger.info("building %d cases from %d rows", len(groups), len(records))

    cases = []
    order = []
    progress = _Progress(len(groups))
    for done, (case_id, positions) in enumerate(groups.items(), start=1):
        rows = [records[position] for position in positions]
        row_labels = [labels[position] for position in positions]
        where = f"{_rows_text(row_labels)} (case {case_id!r})"
        raw = _case_raw(case_id, rows, row_labels, where, problems)
        if raw is not None:
            try:
                cases.append(build_case(raw, today=today))
                order.extend(row_labels)
            except ValidationError as error:
                problems.extend(_located(message, case_id, row_labels, where) for message in error.problems)
            except TcoError as error:
                problems.append(f"{where}: {error}")
        progress.update(done)
    progress.finish()

    if problems:
        raise ValidationError(problems)
    frame = frame_from_cases(cases)
    frame.index = pd.Index(order)
    return frame


# ---------------------------------------------------------------- reading files


def read_records(path: str | Path) -> pd.DataFrame:
    """Read a table of part-options from a .csv or .xlsx file.

    A CSV file may separate fields by ``,``, ``;`` or a tab, as found in its
    header row. A ``;`` file may write numbers with a decimal comma, as a
    Dutch-locale Excel exports them. The file may be UTF-8 (with or without
    a byte-order mark) or Windows-1252, the default of Excel's "CSV
    (semicolon delimited)". An .xlsx file needs the openpyxl package and is
    read from its first sheet. The index contains spreadsheet row numbers (the
    header is row 1) and fully empty rows are dropped. Raises
    ``CaseFileError`` with one line naming the file when it cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise CaseFileError(f"{path}: file not found")
    if path.is_dir():
        raise CaseFileError(f"{path}: is a directory; expected a .csv or .xlsx file of part-options")
    suffix = path.suffix.lower()
    if suffix not in RECORD_SUFFIXES:
        raise CaseFileError(f"{path}: unknown file extension {path.suffix or '(none)'!r}; expected .csv or .xlsx")
    if suffix == ".csv":
        df = _read_csv(path)
    else:
        df = _read_xlsx(path)
    df.index = pd.RangeIndex(2, len(df) + 2)
    df = df.dropna(how="all")
    if df.empty:
        raise CaseFileError(f"{path}: no data rows; expected a header row and one row per part-option")
    logger.info("read %d rows and %d columns from %s", len(df), len(df.columns), path)
    return df


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise CaseFileError(
            f"{path}: is neither UTF-8 nor Windows-1252 text (invalid byte at offset {error.start}); save it as CSV UTF-8"
        ) from error
    logger.info("%s is not UTF-8; read it as Windows-1252", path)
    return text


def _separator(header: str) -> str:
    """Return the field separator of a header row.

    Field names contain no ``;``, ``,`` or tab, so the header shows the
    separator more reliably than data rows, where a ``;`` file may contain
    decimal commas.
    """
    counts = {separator: header.count(separator) for separator in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CaseFileError(f"{path}: reading the file failed: {error.strerror or error}") from error
    text = _decode(data, path)
    if not text.strip():
        raise CaseFileError(f"{path}: file is empty; expected a header row and one row per part-option")
    separator = _separator(text.splitlines()[0])
    logger.debug("reading %s with separator %r", path, separator)
    try:
        # Every cell is read as text, so that ids such as 007 and the country code NA stay as written.
        df = pd.read_csv(
            io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, na_values=[""], skip_blank_lines=False
        )
    except (pd.errors.ParserError, ValueError) as error:
        reason = " ".join(str(error).split())
        raise CaseFileError(f"{path}: invalid CSV: {reason}") from error
    df.columns = [str(name).strip() for name in df.columns]
    return _parse_numbers(df, decimal_comma=separator == ";")


def _parse_numbers(df: pd.DataFrame, decimal_comma: bool) -> pd.DataFrame:
    """Turn the text cells of number fields into numbers; cells that are no number stay text."""
    for name in df.columns:
        spec = FIELD_COLUMNS.get(name)
        if spec is None or spec.kind not in ("number", "integer"):
            continue
        text = df[name].astype(object).where(df[name].notna(), None)
        cleaned = text.map(lambda cell: _number_text(cell, decimal_comma), na_action="ignore")
        numbers = pd.to_numeric(cleaned, errors="coerce")
        unparsed = numbers.isna() & text.notna()
        df[name] = numbers if not unparsed.any() else numbers.astype(object).where(~unparsed, text)
    return df


def _number_text(cell: str, decimal_comma: bool) -> str:
    cell = cell.strip()
    if decimal_comma and _DECIMAL_COMMA.match(cell):
        return cell.replace(",", ".")
    return cell


def _read_xlsx(path: Path) -> pd.DataFrame:
    try:
        import openpyxl  # noqa: F401  (pandas reads .xlsx through it)
    except ImportError as error:
        raise CaseFileError(
            f"{path}: reading .xlsx files needs the openpyxl package; install it with `pip install openpyxl` "
            "or save the sheet as CSV"
        ) from error
    text_columns = {name: str for name in (CASE_COLUMN, OPTION_COLUMN)}
    try:
        df = pd.read_excel(path, sheet_name=0, engine="openpyxl", dtype=text_columns)
    except (OSError, ValueError, KeyError) as error:
        reason = " ".join(str(error).split())
        raise CaseFileError(f"{path}: reading the workbook failed: {reason}") from error
    df.columns = [str(name).strip() for name in df.columns]
    return df


# ---------------------------------------------------------------- results


def results_table(frame: pd.DataFrame, computed: pd.DataFrame) -> pd.DataFrame:
    """Return one result row per part-option: key figures first, then groups, the path and every line.

    ``frame`` is the input of ``compute_frame`` and ``computed`` its output.
    ``cheapest`` is true for the option with the lowest TCO per unit of its case.
    """
    years = [name for name in computed.columns if name.startswith("tco_year_")]
    table = pd.DataFrame(index=computed.index)
    table["case"] = computed["case"]
    table["option"] = computed["option"]
    table["baseline"] = computed["baseline"].astype(bool)
    table["country"] = frame["country"].astype(str)
    table["sourcing"] = frame["sourcing"].astype(str)
    for name in (
        "tco_per_unit_eur", "annual_tco_eur", "gap_per_unit_eur", "gap_per_year_eur",
        "npv_eur", "break_even_price_eur", "break_even_price_currency",
    ):
        table[name] = computed[name]
    lowest = computed.groupby("case", sort=False)["tco_per_unit_eur"].transform("min")
    table["cheapest"] = computed["tco_per_unit_eur"] == lowest
    for group in GROUPS:
        table[f"group_{group}"] = computed[f"group_{group}"]
    for name in years:
        table[name] = computed[name]
    table["cumulative_gap_eur"] = computed["cumulative_gap_eur"]
    table["baseline_cheaper_from_year"] = computed["baseline_cheaper_from_year"].astype("Int64")
    for line_id in LINE_IDS:
        table[line_id] = computed[line_id]
    return table.reset_index(drop=True)


def summarize(table: pd.DataFrame) -> dict:
    """Return the counts behind the batch summary: cases, options and where the cheapest option is."""
    cheapest = table[table["cheapest"]].drop_duplicates("case")
    by_kind = (cheapest["country"] + " " + cheapest["sourcing"]).value_counts()
    return {
        "cases": int(table["case"].nunique()),
        "options": len(table),
        "baseline_cheapest": int(cheapest["baseline"].sum()),
        "cheapest_by_country": {kind: int(count) for kind, count in by_kind.items()},
    }
