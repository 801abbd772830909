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
``risk_share_of_price`` or a case file for them. A cell contains one value, so
low/base/high ranges need a case file too.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import io
import logging
import math
import re
import sys
import time
import zipfile
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

# Case-insensitive boolean texts: English, Dutch, and WAAR/ONWAAR as a Dutch-locale Excel writes TRUE/FALSE.
TRUE_TEXTS = ("true", "yes", "1", "waar", "ja")
FALSE_TEXTS = ("false", "no", "0", "onwaar", "nee")

# An unknown column this close to a field name (difflib ratio) is a misspelled field and is rejected.
# Other unknown columns, such as notes or supplier, are ignored.
MISSPELLING_CUTOFF = 0.8
# The number of header cells shown when the case or option column is missing.
HEADER_CELLS_SHOWN = 5

# Smaller batches get no progress display, because building a case takes only milliseconds.
PROGRESS_MIN_CASES = 100
PROGRESS_INTERVAL_S = 0.1

_MISSING = object()
_OPTION_PREFIX = re.compile(r"^options\[(\d+)\]")
# A number written with a decimal comma, as a Dutch-locale spreadsheet exports it.
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+([eE][+-]?\d+)?$")
# A number with '.' between groups of three digits and an optional decimal comma, such as 40.000 or 1.234,5.
# The first group does not start with 0, because 0.004 is no way to write 4.
_DOT_THOUSANDS = re.compile(r"^-?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")
# The first bytes of a zip file. An OLE compound file (D0 CF 11 E0: an old .xls workbook or a
# password-protected .xlsx) and a renamed CSV file start otherwise.
_ZIP_SIGNATURE = b"PK\x03\x04"


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
    # Text such as 40.000 or 1,5 in a number cell could mean either decimal mark.
    # It stays text, so the case check reports it as not a number instead of guessing.
    if "," in text or _AMBIGUOUS_DOTS.match(text):
        return text
    try:
        return float(text)
    except ValueError:
        return text


# Digits in groups of three after a dot, as in 40.000: a thousands separator or a decimal point.
_AMBIGUOUS_DOTS = re.compile(r"-?\d{1,3}(\.\d{3})+$")


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


def _sheet_text(df: pd.DataFrame) -> str:
    """Name the sheet ``read_records`` read ``df`` from, as " in sheet 'Parts'", or "" for a CSV file or a DataFrame."""
    sheet = df.attrs.get("sheet")
    if sheet is None:
        return ""
    sheets = df.attrs.get("sheet_count", 1)
    if sheets > 1:
        return f" in sheet {sheet!r} (the first of {sheets} sheets, the only one read)"
    return f" in sheet {sheet!r}"


def _column_names(df: pd.DataFrame) -> list[str]:
    names = [str(name).strip() for name in df.columns]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValidationError([f"column {name!r} appears more than once{_sheet_text(df)}" for name in duplicates])
    missing = [name for name in (CASE_COLUMN, OPTION_COLUMN) if name not in names]
    if missing:
        found = ", ".join(repr(name) for name in names[:HEADER_CELLS_SHOWN])
        if len(names) > HEADER_CELLS_SHOWN:
            found += ", ..."
        raise ValidationError(
            [
                f"missing column {name!r}{_sheet_text(df)}; expected a 'case' column with the part id and an "
                "'option' column with the option name. The first row must be the header with case, option "
                f"and field names; found: {found or 'no columns'}" for name in missing
            ]
        )
    return names


def _unknown_columns(names: list[str]) -> tuple[list[str], list[str]]:
    """Return the problems of misspelled field names and the other unknown columns, which are ignored."""
    known = [CASE_COLUMN, OPTION_COLUMN, *FIELD_COLUMNS]
    problems = []
    ignored = []
    for name in names:
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=MISSPELLING_CUTOFF)
        if close:
            problems.append(f"unknown column {name!r}; did you mean {close[0]!r}? (see `tco-xl fields`)")
        else:
            ignored.append(name)
    return problems, ignored


def _today_date(today) -> dt.date | None:
    """Return ``today`` as a date; it may be None, a date, a datetime or an ISO date text such as "2026-07-01"."""
    if today is None:
        return None
    if isinstance(today, dt.datetime):
        return today.date()
    if isinstance(today, dt.date):
        return today
    if isinstance(today, str):
        try:
            return dt.date.fromisoformat(today.strip())
        except ValueError as error:
            raise ValueError(f"today = {today!r} is invalid; expected an ISO date such as 2026-07-01") from error
    raise TypeError(f"today must be a datetime.date or an ISO date text such as '2026-07-01', not {type(today).__name__}")


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


def frame_from_records(df: pd.DataFrame, today: dt.date | str | None = None) -> pd.DataFrame:
    """Build and validate one case per part in ``df``; return the input frame ``compute_frame`` reads.

    Each row of ``df`` is one part-option (see the module docstring for the
    columns). Missing columns and empty cells (NaN, None or "") take the
    packaged defaults, exactly as fields left out of a case file do.
    Columns that are no field and no close misspelling of one (notes,
    supplier) are ignored with one warning. Each case goes through
    ``build_case`` with ``today`` (a date or an ISO date text) as the
    default figures date. Raises one ``ValidationError`` listing every
    problem of every case, each prefixed with its rows, such as "rows 4-6
    (case 'P-100')".
    Rows are named by the index labels of ``df``; ``read_records`` numbers
    them as a spreadsheet does. The returned frame has one row per option,
    grouped by case in order of first appearance, and keeps those labels as
    its index.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"frame_from_records expects a pandas DataFrame, got {type(df).__name__}")
    today = _today_date(today)
    names = _column_names(df)
    problems, ignored = _unknown_columns(names)
    if ignored:
        logger.warning("ignored columns not used by tco-xl: %s", ", ".join(ignored))
    labels = list(df.index)
    records = pd.DataFrame(df.to_numpy(dtype=object), columns=names).to_dict("records")
    groups, missing_ids = _group_rows(records, labels)
    problems.extend(missing_ids)
    if not groups and not problems:
        raise ValidationError([f"no data rows{_sheet_text(df)}; expected one row per part-option"])
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
    header row. A ``;`` file is read with a decimal comma and ``.`` as
    thousands separator, as a Dutch-locale Excel exports it. The file may be
    UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark
    (Excel's "Unicode Text") or Windows-1252, the default of Excel's "CSV
    (semicolon delimited)". An .xlsx file needs the openpyxl package and is
    read from its first sheet. The index contains spreadsheet row numbers
    (the header is row 1) and fully empty rows are dropped. Raises
    ``CaseFileError`` with one line naming the file when it cannot be read,
    and ``ValidationError`` with one line per cell, each starting with the
    file name, for numbers whose decimal mark is ambiguous and for formulas
    without a saved value.
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
    df = df.dropna(how="all")
    if df.empty:
        raise CaseFileError(f"{path}: no data rows{_sheet_text(df)}; expected a header row and one row per part-option")
    logger.info("read %d rows and %d columns from %s%s", len(df), len(df.columns), path, _sheet_text(df))
    return df


def _column_letter(position: int) -> str:
    """Return the spreadsheet letter of the column at ``position`` (0 is A, 26 is AA)."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _header_names(cells: list) -> list[str]:
    """Return the column names of a header row; an empty header cell gets its column letter."""
    names = []
    for position, cell in enumerate(cells):
        name = "" if _is_empty(cell) else str(cell).strip()
        names.append(name or f"(column {_column_letter(position)} without a name)")
    return names


def _check_duplicates(names: list[str], path: Path, where: str = "") -> None:
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if len(duplicates) == 1:
        raise CaseFileError(f"{path}: column {duplicates[0]!r} appears more than once{where}; keep one column per field")
    if duplicates:
        shown = ", ".join(repr(name) for name in duplicates)
        raise CaseFileError(f"{path}: columns {shown} appear more than once{where}; keep one column per field")


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise CaseFileError(f"{path}: invalid UTF-16 text (at byte {error.start}); save it as CSV UTF-8") from error
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
        # The header is read as a data row, because pandas would rename a repeated name to "price.1".
        df = pd.read_csv(
            io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, na_values=[""],
            skip_blank_lines=False, header=None,
        )
    except (pd.errors.ParserError, ValueError) as error:
        reason = " ".join(str(error).split())
        raise CaseFileError(f"{path}: invalid CSV: {reason}") from error
    names = _header_names(list(df.iloc[0]))
    _check_duplicates(names, path)
    df = df.iloc[1:].copy()
    df.columns = names
    # Position 1 of the frame is spreadsheet row 2, because blank lines were kept.
    df.index = pd.RangeIndex(2, len(df) + 2)
    problems = _parse_numbers(df, separator)
    if problems:
        raise ValidationError([f"{path}: {problem}" for problem in problems])
    return df


def _parse_numbers(df: pd.DataFrame, separator: str) -> list[str]:
    """Turn the text cells of number fields into numbers; return the problems of ambiguous numbers.

    Cells that are no number stay text, so that ``build_case`` reports them
    with the field's allowed values.
    """
    problems = []
    for name in df.columns:
        spec = FIELD_COLUMNS.get(name)
        if spec is None or spec.kind not in ("number", "integer"):
            continue
        text = df[name].astype(object).where(df[name].notna(), None)
        cleaned = {}
        for label, cell in text.items():
            if cell is None:
                continue
            number, problem = _number_text(cell, separator)
            if problem:
                problems.append(f"row {label}, column {name!r}: {problem}")
            cleaned[label] = number
        numbers = pd.to_numeric(pd.Series(cleaned, index=text.index, dtype=object), errors="coerce")
        unparsed = numbers.isna() & text.notna()
        df[name] = numbers if not unparsed.any() else numbers.astype(object).where(~unparsed, text)
    return problems


def _is_float_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number_text(cell: str, separator: str) -> tuple[str, str | None]:
    """Return a number cell as text that ``float`` reads, and a problem when its decimal mark is ambiguous.

    In a ``;`` file, ``.`` is only read as a thousands separator between
    groups of three digits (40.000, 1.234,5). Any other ``.`` in a number
    could be a decimal point, so such a number is a problem, as is a comma
    in a number of a ``,`` or tab file.
    """
    cell = cell.strip()
    if separator == ";":
        if _DOT_THOUSANDS.match(cell):
            return cell.replace(".", "").replace(",", "."), None
        if _DECIMAL_COMMA.match(cell):
            return cell.replace(",", "."), None
        if "." in cell and _is_float_text(cell):
            return cell, (
                f"{cell!r} is ambiguous, because this ';'-separated file is read with decimal commas and '.' "
                f"as thousands separator; write the decimal with a comma, as {cell.replace('.', ',')}"
            )
        return cell, None
    if "," in cell and _is_float_text(cell.replace(",", "")):
        kind = "comma" if separator == "," else "tab"
        return cell, (
            f"{cell!r} is ambiguous, because this {kind}-separated file is read with '.' as decimal mark; "
            "write the number without thousands separators and with '.' as decimal mark, as 40000 or 1.5"
        )
    return cell, None


_NOT_XLSX = (
    "is not a valid .xlsx workbook (it may be password-protected, an old .xls, or a renamed CSV); "
    "save it as .xlsx or CSV"
)


def _open_workbook(path: Path, data_only: bool):
    """Open ``path`` read-only with openpyxl; raise ``CaseFileError`` with one line when that fails."""
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, openpyxl.utils.exceptions.InvalidFileException) as error:
        raise CaseFileError(f"{path}: {_NOT_XLSX}") from error
    except OSError as error:
        raise CaseFileError(f"{path}: reading the file failed: {error.strerror or error}") from error
    except Exception as error:  # noqa: BLE001
        # A damaged workbook makes openpyxl raise KeyError, ValueError, XML parse errors and more.
        reason = " ".join(str(error).split()) or type(error).__name__
        raise CaseFileError(f"{path}: reading the workbook failed: {reason}; open and save it in Excel or LibreOffice") from error


def _read_xlsx(path: Path) -> pd.DataFrame:
    try:
        import openpyxl  # noqa: F401
    except ImportError as error:
        raise CaseFileError(
            f"{path}: reading .xlsx files needs the openpyxl package; install it with `pip install openpyxl` "
            "or save the sheet as CSV"
        ) from error
    _check_zip_signature(path)

    values_book = _open_workbook(path, data_only=True)
    formulas_book = _open_workbook(path, data_only=False)
    try:
        if not values_book.worksheets:
            raise CaseFileError(f"{path}: the workbook has no worksheet; expected the part-options in its first sheet")
        sheet = values_book.worksheets[0]
        rows, formula_cells = _sheet_rows(path, sheet, formulas_book.worksheets[0])
        sheet_count = len(values_book.worksheets)
        title = sheet.title
    finally:
        values_book.close()
        formulas_book.close()
    if sheet_count > 1:
        logger.info("%s has %d sheets; reading the first, %r", path, sheet_count, title)

    df = _sheet_frame(path, rows, title, sheet_count)
    names = list(df.columns)
    problems = [
        f"{path}: row {row}, column {names[position]!r}: a formula without a saved value; open and save the file "
        "in Excel or LibreOffice so the values are stored"
        for row, position in formula_cells
        if names[position] in FIELD_COLUMNS or names[position] in (CASE_COLUMN, OPTION_COLUMN)
    ]
    if problems:
        raise ValidationError(problems)
    return df


def _check_zip_signature(path: Path) -> None:
    """Raise ``CaseFileError`` unless ``path`` starts as a zip file, as every .xlsx workbook does."""
    try:
        with path.open("rb") as handle:
            signature = handle.read(len(_ZIP_SIGNATURE))
    except OSError as error:
        raise CaseFileError(f"{path}: reading the file failed: {error.strerror or error}") from error
    if signature != _ZIP_SIGNATURE:
        raise CaseFileError(f"{path}: {_NOT_XLSX}")


def _sheet_frame(path: Path, rows: list[tuple], title: str, sheet_count: int) -> pd.DataFrame:
    """Return the rows of a sheet as a frame of its columns, indexed by spreadsheet row number."""
    if not rows:
        raise CaseFileError(f"{path}: sheet {title!r} is empty; expected a header row and one row per part-option")
    width = max(len(row) for row in rows)
    rows = [list(row) + [None] * (width - len(row)) for row in rows]
    names = _header_names(rows[0])
    _check_duplicates(names, path, f" in sheet {title!r}")
    df = pd.DataFrame(rows[1:], columns=names, index=pd.RangeIndex(2, len(rows) + 1), dtype=object)
    df.attrs["sheet"] = title
    df.attrs["sheet_count"] = sheet_count
    return df


def _sheet_rows(path: Path, values_sheet, formulas_sheet) -> tuple[list[tuple], list[tuple[int, int]]]:
    """Return the cell values of a sheet, row by row, and the (row, column position) of formulas without a saved value.

    A workbook written by a program that computes no formulas (openpyxl,
    some exporters) stores formulas without their value, which openpyxl
    then reads as an empty cell.
    """
    rows = []
    missing = []
    try:
        for number, (values, formulas) in enumerate(zip(values_sheet.iter_rows(), formulas_sheet.iter_rows()), start=1):
            row = tuple(getattr(cell, "value", None) for cell in values)
            rows.append(row)
            for position, (value, formula) in enumerate(zip(row, formulas)):
                if value is None and getattr(formula, "data_type", None) == "f":
                    missing.append((number, position))
    except Exception as error:  # noqa: BLE001
        # openpyxl parses the sheet lazily in read-only mode, so a damaged sheet fails here.
        reason = " ".join(str(error).split()) or type(error).__name__
        raise CaseFileError(f"{path}: reading sheet {values_sheet.title!r} failed: {reason}") from error
    return rows, missing


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
