"""Present a ``CaseResult``: a plain-text comparison table and output files.

``format_table`` renders the comparison for a terminal. ``write_outputs``
writes lines.csv, summary.csv, path.csv, defaults.csv and results.json. All
files go to temporary files in the target folder first and are then moved
over the old ones with ``os.replace``. So a reader sees the old or the new
file, never a partial one, and a failed run leaves the old set in place.

CSV files use ``,`` between fields and ``.`` as decimal mark, or with
``dutch_csv`` ``;`` and ``,`` as a Dutch-locale Excel expects. Booleans are
written as True and False in both, as pandas writes them. Text cells that a
spreadsheet would run as a formula get a leading ``'`` (see
``escape_formula``); JSON output keeps the text as it is.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import logging
import math
import os
import re
import shutil
import tempfile
import textwrap
from pathlib import Path

import pandas as pd

from .defaults import QUALITY_FLAGS
from .lines import GROUPS, LINES
from .results import CaseResult, OptionResult

logger = logging.getLogger(__name__)

LABEL_WIDTH = 40
MIN_COLUMN_WIDTH = 13
MAX_COLUMN_WIDTH = 22
BASELINE_MARK = "*"
NOTE_WIDTH = 88

OUTPUT_FILES = ("lines.csv", "summary.csv", "path.csv", "defaults.csv", "results.json")

# A text cell starting with one of these is run as a formula by Excel and
# LibreOffice. A leading quote makes them show it as text. OWASP ASVS
# requirement 1.2.10 (CSV and formula injection) requires this escape.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")

# Per-unit amounts get more decimals when a TCO is this small, so that small lines stay visible.
SMALL_TCO_EUR = 10.0
SMALL_TCO_DECIMALS = 4

# A default taken from a packaged figure names its quality flag first in brackets,
# as in "CN default (estimate, <source>, <date>)". Structural defaults such as
# "default: none" carry no flag.
PACKAGED_SOURCE = re.compile(r"\((" + "|".join(QUALITY_FLAGS) + r"),")

# Settings shown in the table header: field, label and how the value is written.
KEY_SETTINGS = (
    ("cost_of_capital", "cost of capital", "percent"),
    ("carrying_rate", "carrying rate", "percent"),
    ("discount_rate", "discount rate", "percent"),
    ("horizon_years", "horizon", "years"),
    ("figures_date", "figures date", "date"),
)


def packaged_defaults(defaults_used: dict[str, str]) -> dict[str, str]:
    """Return the defaults taken from a packaged figure (published, measured or estimate).

    Structural defaults such as "default: none" or "default: no customs
    inside the EU" are left out, because no packaged figure is their source.
    """
    return {name: source for name, source in defaults_used.items() if PACKAGED_SOURCE.search(source)}


# ---------------------------------------------------------------- table


def _money(value: float, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = f"{value:,.{decimals}f}"
    # A credit line of zero formats as -0.00, so the sign is dropped.
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def _column_width(result: CaseResult) -> int:
    longest = max(len(option.name) + len(BASELINE_MARK) + 1 for option in result.options)
    return max(MIN_COLUMN_WIDTH, min(longest, MAX_COLUMN_WIDTH)) + 2


class _Table:
    """Rows of a label column and one right-aligned column per option."""

    def __init__(self, column_width: int, option_count: int):
        self.column_width = column_width
        self.option_count = option_count
        self.rows: list[str] = []

    def row(self, label: str, cells: list[str]) -> None:
        text = label[:LABEL_WIDTH].ljust(LABEL_WIDTH)
        self.rows.append(text + "".join(cell.rjust(self.column_width) for cell in cells))

    def heading(self, text: str) -> None:
        self.rows.append(text)

    def rule(self) -> None:
        self.rows.append("-" * (LABEL_WIDTH + self.column_width * self.option_count))

    def blank(self) -> None:
        self.rows.append("")


def _header(table: _Table, options: list[OptionResult]) -> None:
    """Add the option names (wrapped to the column width) and country/sourcing."""
    width = table.column_width - 2
    names = []
    for option in options:
        name = f"{option.name} {BASELINE_MARK}" if option.baseline else option.name
        names.append(textwrap.wrap(name, width) or [""])
    for index in range(max(len(lines) for lines in names)):
        cells = [lines[index] if index < len(lines) else "" for lines in names]
        table.row("", cells)
    table.row("", [f"{option.country} {option.sourcing}" for option in options])


def _unit_decimals(options: list[OptionResult]) -> int:
    """Return the decimals of per-unit amounts: more when some option's TCO is small."""
    if any(abs(option.tco_per_unit_eur) < SMALL_TCO_EUR for option in options):
        return SMALL_TCO_DECIMALS
    return 2


def _cost_lines(table: _Table, options: list[OptionResult], decimals: int) -> list[str]:
    """Add the cost lines under their groups; return the labels of the all-zero lines left out."""
    hidden = []
    for group, title in GROUPS.items():
        shown = []
        for line in LINES:
            if line.group != group:
                continue
            values = [option.lines[line.id] for option in options]
            if all(value == 0 for value in values):
                hidden.append(line.label)
                continue
            shown.append((line.label, values))
        if not shown:
            continue
        table.heading(title)
        for label, values in shown:
            table.row(f"  {label}", [_money(value, decimals) for value in values])
        table.row("  Subtotal", [_money(option.groups[group], decimals) for option in options])
    return hidden


def _comparison(table: _Table, result: CaseResult, decimals: int) -> None:
    options = result.options
    table.row("TCO per unit (EUR)", [_money(o.tco_per_unit_eur, decimals) for o in options])
    table.row("Annual TCO (EUR a year)", [_money(o.annual_tco_eur, 0) for o in options])
    table.row("Gap with baseline (EUR per unit)", ["-" if o.baseline else _money(o.gap_per_unit_eur, decimals) for o in options])
    table.row("Gap with baseline (EUR a year)", ["-" if o.baseline else _money(o.gap_per_year_eur, 0) for o in options])
    table.blank()

    table.heading("TCO per unit by year (EUR)")
    for index in range(result.horizon_years):
        year = result.start_year + index
        table.row(f"  {year}", [_money(o.path[index].tco_per_unit_eur, decimals) for o in options])
    table.heading("Cumulative gap with baseline (EUR)")
    for index in range(result.horizon_years):
        year = result.start_year + index
        table.row(f"  {year}", ["-" if o.baseline else _money(o.path[index].cumulative_gap_eur, 0) for o in options])
    table.blank()

    table.row("NPV of yearly costs at year end (EUR)", [_money(o.npv_eur, 0) for o in options])
    table.row("Break-even price (EUR per unit)", ["-" if o.baseline else _money(o.break_even_price_eur, decimals) for o in options])
    table.row("Break-even price (option currency)", [_break_even_in_currency(o, decimals) for o in options])
    last_year = result.start_year + result.horizon_years - 1
    table.row("Baseline cheaper from year", [_cheaper_from(o, last_year) for o in options])
    table.row("Inputs at packaged defaults", [str(len(packaged_defaults(o.defaults_used))) for o in options])


def _break_even_in_currency(option: OptionResult, decimals: int) -> str:
    if option.baseline:
        return "-"
    if option.sourcing == "make":
        return "n/a (make)"
    return f"{_money(option.break_even_price_currency, decimals)} {option.currency}"


def _cheaper_from(option: OptionResult, last_year: int) -> str:
    if option.baseline:
        return "-"
    if option.baseline_cheaper_from_year is None:
        return f"not by {last_year}"
    return str(option.baseline_cheaper_from_year)


def _setting_text(value, style: str) -> str:
    if style == "percent":
        return f"{float(value) * 100:g} %"
    if style == "years":
        return f"{int(value)} years"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def settings_line(result: CaseResult) -> str:
    """Describe the key settings of ``result``, each marked as a default or as given in the case."""
    parts = []
    for name, label, style in KEY_SETTINGS:
        if name not in result.settings:
            continue
        origin = "default" if name in result.settings_defaults_used else "given"
        parts.append(f"{label} {_setting_text(result.settings[name], style)} ({origin})")
    return "Settings: " + ", ".join(parts) if parts else ""


def format_table(result: CaseResult) -> str:
    """Render the comparison of all options as a plain-text table in EUR per unit."""
    options = result.options
    decimals = _unit_decimals(options)
    table = _Table(_column_width(result), len(options))
    table.heading(f"Case: {result.name}")
    table.heading(
        f"Part: {result.part}, {result.annual_volume:,.0f} units a year, "
        f"{result.horizon_years}-year path from {result.start_year}; costs in EUR per unit unless stated"
    )
    settings = settings_line(result)
    if settings:
        table.rows.extend(textwrap.wrap(settings, NOTE_WIDTH))
    table.blank()
    _header(table, options)
    table.rule()
    hidden = _cost_lines(table, options, decimals)
    table.rule()
    _comparison(table, result, decimals)
    table.blank()
    for note in _notes(result, hidden):
        table.rows.extend(textwrap.wrap(note, NOTE_WIDTH))
    return "\n".join(row.rstrip() for row in table.rows) + "\n"


def _notes(result: CaseResult, hidden: list[str]) -> list[str]:
    notes = [
        f"{BASELINE_MARK} baseline: the option the others are compared with. Gap = option minus "
        "baseline, so a negative gap means the option is cheaper than the baseline."
    ]
    if hidden:
        notes.append(f"Zero in every option and not shown: {', '.join(hidden)}.")
    notes.append(
        f"NPV: the total cost of each of the {result.horizon_years} years, discounted at the discount "
        "rate from the end of that year. Investments enter through depreciation and financing, "
        "not as an outlay at the start."
    )
    notes.append(
        "Break-even price: the price (or direct cost of a make option) at which the option's TCO "
        "equals the baseline's. Baseline cheaper from year: the first year in which the cumulative "
        "gap favours the baseline."
    )
    notes.append(
        "Inputs at packaged defaults: inputs taken from a packaged figure (published, measured or "
        "estimate). defaults.csv and results.json list every default used, with its source."
    )
    return notes


# ---------------------------------------------------------------- CSV and JSON


def _number(value) -> float | str:
    """Return a CSV cell: the number, or an empty cell for NaN and None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


LINE_COLUMNS = ("option", "line_id", "group", "label", "formula", "eur_per_unit")
PATH_COLUMNS = ("option", "year", "tco_per_unit_eur", "annual_cost_eur", "cumulative_gap_eur")
DEFAULT_COLUMNS = ("option", "field", "value", "source")
SUMMARY_COLUMNS = (
    "option",
    "country",
    "sourcing",
    "baseline",
    "currency",
    "tco_per_unit_eur",
    "annual_tco_eur",
    "gap_per_unit_eur",
    "gap_per_year_eur",
    "npv_eur",
    "break_even_price_eur",
    "break_even_price_currency",
    "baseline_cheaper_from_year",
    "inputs_at_packaged_defaults",
    *(f"{group}_eur_per_unit" for group in GROUPS),
)
# The option column of defaults.csv for inputs that belong to the whole case.
PART_ROW = "[part]"
SETTINGS_ROW = "[settings]"


def line_rows(result: CaseResult) -> list[list]:
    """Return one row per option and cost line, in the order of ``LINE_COLUMNS``."""
    return [
        [option.name, line.id, line.group, line.label, line.formula, option.lines[line.id]]
        for option in result.options
        for line in LINES
    ]


def path_rows(result: CaseResult) -> list[list]:
    """Return one row per option and year, in the order of ``PATH_COLUMNS``."""
    return [
        [option.name, year.year, _number(year.tco_per_unit_eur), _number(year.annual_cost_eur), _number(year.cumulative_gap_eur)]
        for option in result.options
        for year in option.path
    ]


def summary_rows(result: CaseResult) -> list[list]:
    """Return one row per option, in the order of ``SUMMARY_COLUMNS``."""
    rows = []
    for option in result.options:
        rows.append(
            [
                option.name,
                option.country,
                option.sourcing,
                option.baseline,
                option.currency,
                option.tco_per_unit_eur,
                option.annual_tco_eur,
                option.gap_per_unit_eur,
                option.gap_per_year_eur,
                option.npv_eur,
                _number(option.break_even_price_eur),
                _number(option.break_even_price_currency),
                _number(option.baseline_cheaper_from_year),
                len(packaged_defaults(option.defaults_used)),
                *(option.groups[group] for group in GROUPS),
            ]
        )
    return rows


def _default_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return _number(value)


def defaults_rows(result: CaseResult, case=None) -> list[list]:
    """Return one row per input left at its default, in the order of ``DEFAULT_COLUMNS``.

    Settings come first, then the part (only when ``case`` is given), then
    each option. ``result`` does not keep the option inputs, so the value of
    an option's default is filled from ``case`` and left empty without it.
    """
    rows = [
        [SETTINGS_ROW, name, _default_value(result.settings.get(name)), source]
        for name, source in result.settings_defaults_used.items()
    ]
    if case is not None:
        rows.extend(
            [PART_ROW, name, _default_value(case.part.values.get(name)), source]
            for name, source in case.part.defaults_used.items()
        )
    inputs = {option.name: option.values for option in case.options} if case is not None else {}
    for option in result.options:
        values = inputs.get(option.name, {})
        rows.extend(
            [option.name, name, _default_value(values.get(name)), source]
            for name, source in option.defaults_used.items()
        )
    return rows


def escape_formula(value):
    """Return ``value`` with a ``'`` in front when it is text that a spreadsheet would run as a formula.

    Only ``str`` values change, so numbers (negative ones too) stay numbers.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def escape_formula_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``table`` with ``escape_formula`` applied to the text cells of its object and string columns."""
    escaped = table.copy()
    for name in escaped.columns:
        column = escaped[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            escaped[name] = column.map(escape_formula, na_action="ignore")
    return escaped


def xlsx_bytes(table: pd.DataFrame, sheet_name: str = "results") -> bytes:
    """Return ``table`` as the bytes of an .xlsx workbook with one sheet; needs openpyxl.

    openpyxl stores a text starting with ``=`` as a formula, so such cells
    are turned back into text cells and the workbook shows the text as it is.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, index=False, sheet_name=sheet_name)
        for row in writer.sheets[sheet_name].iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return buffer.getvalue()


def _dutch_cell(value):
    # Floats get a decimal comma; bool is an int subclass and no float, so True stays True.
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return value


def csv_text(columns, rows, dutch_csv: bool = False) -> str:
    """Return CSV text with a header row; ``dutch_csv`` writes ``;`` between fields and decimal commas.

    Text cells pass through ``escape_formula`` before floats get their
    decimal comma, so a Dutch "-1,5" stays a number.
    """
    rows = [[escape_formula(value) for value in row] for row in rows]
    buffer = io.StringIO()
    if dutch_csv:
        writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_dutch_cell(value) for value in row] for row in rows)
    else:
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    return buffer.getvalue()


def summary_csv(result: CaseResult, dutch_csv: bool = False) -> str:
    """Return summary.csv as text: one row per option."""
    return csv_text(SUMMARY_COLUMNS, summary_rows(result), dutch_csv)


def _json_ready(value):
    """Replace NaN and infinities by None, so the output is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    return value


def results_json(result: CaseResult) -> str:
    """Return results.json as text: ``result.to_dict()`` with NaN written as null."""
    return json.dumps(_json_ready(result.to_dict()), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _umask() -> int:
    """Return the process umask (reading it requires setting it, so it is set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_temporary(path: Path, content: str | bytes, encoding: str | None) -> Path:
    """Write ``content`` to a new temporary file in the folder of ``path``; return the temporary file's path.

    Text is encoded with ``encoding``; bytes (``encoding`` None) are written as they are.
    The temporary file gets the mode of an existing ``path``, so that replacing a file keeps its permissions.
    """
    if isinstance(content, bytes):
        handle = tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    else:
        handle = tempfile.NamedTemporaryFile(
            "w", encoding=encoding, newline="", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    try:
        with handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if os.path.isfile(path):
            shutil.copymode(path, handle.name)
        else:
            # NamedTemporaryFile creates the file with mode 0600; give a new file the usual mode.
            os.chmod(handle.name, 0o666 & ~_umask())
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return Path(handle.name)


def _backup(path: Path) -> Path | None:
    """Copy ``path`` to a temporary file next to it; return the copy, or None when ``path`` does not exist."""
    if not path.exists():
        return None
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old")
    os.close(descriptor)
    try:
        shutil.copy2(path, name)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _restore(path: Path, backup: Path | None) -> None:
    """Put back the old content of ``path`` from ``backup``, or remove ``path`` when it did not exist before."""
    try:
        if backup is None:
            path.unlink(missing_ok=True)
        else:
            os.replace(backup, path)
    except OSError as error:
        logger.error("restoring %s after a failed write failed, so it keeps the new content: %s", path, error)


def _replace_all(temporaries: dict[Path, Path]) -> None:
    """Move each temporary file over its target; when a move fails, restore the targets already replaced."""
    # The last target needs no backup, because when its move fails no file after it was replaced.
    backups: dict[Path, Path | None] = {}
    replaced: list[Path] = []
    current = None
    try:
        for current in list(temporaries)[:-1]:
            backups[current] = _backup(current)
        for current, temporary in temporaries.items():
            os.replace(temporary, current)
            replaced.append(current)
    except BaseException as error:
        for path in reversed(replaced):
            _restore(path, backups[path])
        if isinstance(error, OSError):
            # The error names a temporary or backup file; name the output file instead.
            raise OSError(error.errno, error.strerror or str(error), str(current)) from error
        raise
    finally:
        for backup in backups.values():
            if backup is not None:
                backup.unlink(missing_ok=True)


def check_output_path(path: Path) -> None:
    """Raise ``OSError`` when ``path`` exists and is not a regular file (or a link to one).

    ``os.replace`` would put a regular file in the place of a folder, a FIFO
    or a device such as /dev/null, so such targets are rejected before anything is written.
    """
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    if os.path.lexists(path) and not os.path.isfile(path):
        raise OSError(errno.EINVAL, "is not a regular file", str(path))


def write_files_together(files: dict[Path, tuple[str | bytes, str | None]]) -> None:
    """Write every file of ``files`` (path to content and encoding) whole, and all of them or none.

    Text content is encoded with its encoding, and bytes (with encoding
    None) are written as they are. Each content goes to a temporary file in
    the folder of its path first, with the mode of the file it replaces.
    Only when all are written are they moved into place with
    ``os.replace``. When a move fails, the files replaced before it get
    their old content back from a copy made just before, and files that did
    not exist are removed. Before writing anything, raises
    ``IsADirectoryError`` when a path is an existing folder and ``OSError``
    when it is another existing non-regular file, such as a FIFO or a
    device. Otherwise raises the ``OSError`` of the step that failed, with
    ``filename`` set to the output path it was writing.
    """
    for path in files:
        check_output_path(path)
    temporaries: dict[Path, Path] = {}
    try:
        for path, (content, encoding) in files.items():
            try:
                temporaries[path] = _write_temporary(path, content, encoding)
            except OSError as error:
                raise OSError(error.errno, error.strerror or str(error), str(path)) from error
        _replace_all(temporaries)
    finally:
        # After a successful move the temporary name no longer exists.
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)


def write_whole(path: Path, content: str | bytes, encoding: str | None = "utf-8") -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    write_files_together({Path(path): (content, encoding)})


def csv_encoding(dutch_csv: bool) -> str:
    """Return the encoding of written CSV files.

    A Dutch-locale Excel reads a CSV file without a byte-order mark as
    Windows-1252, so Dutch CSV files get one (utf-8-sig).
    """
    return "utf-8-sig" if dutch_csv else "utf-8"


def write_outputs(result: CaseResult, folder: str | Path, case=None, dutch_csv: bool = False) -> list[Path]:
    """Write lines.csv, summary.csv, path.csv, defaults.csv and results.json to ``folder``; return their paths.

    ``case`` is the case behind ``result``; defaults.csv takes the values of
    the option and part defaults from it (see ``defaults_rows``). With
    ``dutch_csv`` the CSV files use ``;`` and decimal commas. The folder is
    created when missing. Raises ``OSError`` when it cannot be created or
    written, and then leaves the files already in it as they were (see
    ``write_files_together``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    contents = {
        "lines.csv": csv_text(LINE_COLUMNS, line_rows(result), dutch_csv),
        "summary.csv": summary_csv(result, dutch_csv),
        "path.csv": csv_text(PATH_COLUMNS, path_rows(result), dutch_csv),
        "defaults.csv": csv_text(DEFAULT_COLUMNS, defaults_rows(result, case), dutch_csv),
        "results.json": results_json(result),
    }
    files = {}
    for name in OUTPUT_FILES:
        encoding = csv_encoding(dutch_csv) if name.endswith(".csv") else "utf-8"
        files[folder / name] = (contents[name], encoding)
    write_files_together(files)
    written = list(files)
    for path in written:
        logger.debug("wrote %s", path)
    logger.info("wrote %d output files to %s", len(written), folder)
    return written
