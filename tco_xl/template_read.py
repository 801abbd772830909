"""Read a filled template workbook back into a case."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .case import Case, build_case, echo_value, option_location
from .errors import TcoError, ValidationError
from .fields import (
    INVESTMENT_FIELDS,
    OPTION_FIELDS,
    PART_FIELDS,
    RISK_FIELDS,
    SETTINGS_FIELDS,
    Field,
    by_name,
)
from .template_layout import (
    FLAG_FIELDS,
    KEY_COLUMN,
    OPTION_COUNT,
    RISK_ITEMS,
    SHEETS,
    SKIPPED_FIELDS,
    TEMPLATE_MARK,
    UDF_SHEET,
    VARIANT,
    VARIANT_NAME,
    Layout,
)

# The first bytes of an OLE2 compound file: an encrypted .xlsx or an old .xls.
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
# The first bytes of a zip archive, which every .xlsx file is.
ZIP_SIGNATURE = b"PK"
RISK = by_name(RISK_FIELDS)
RISK_PARTS = ("name", "probability_per_year", "impact_eur")
NUMBER_KINDS = ("number", "integer")
TEXT_KINDS = ("text", "country", "choice")


class WorkbookError(TcoError):
    """A workbook cannot be opened or is not a tco-xl template.

    The message is one line: the file (``source``), then what is wrong and
    what is expected.
    """

    def __init__(self, source: str | Path, problem: str):
        self.source = str(source)
        self.problem = " ".join(problem.split())
        super().__init__(f"{self.source}: {self.problem}")


@dataclass(frozen=True)
class TemplateInfo:
    """The defined names that identify a template: its mark, language and region."""

    mark: str
    language: str
    region: str
    # "udfs" for the variant with the xlwings functions' sheet, else "native".
    variant: str = "native"


@dataclass(frozen=True)
class ReadCase:
    """A raw case read from a template, with the cell of every input.

    ``raw`` is the mapping that ``build_case`` accepts. ``cells`` maps the
    path of a value in ``raw`` to its cell, such as "Inputs!E36":
    ``("settings", name)``, ``("part", name)``, ``("options", i, name)``,
    ``("options", i, "investment", name)`` and
    ``("options", i, "risks", j, name)``, where ``i`` and ``j`` count from 0
    in ``raw["options"]`` and in the option's risk items. Every input cell
    of the settings, the part and each option read has a key, also when the
    cell is empty and the path is therefore absent from ``raw``.
    """

    raw: dict
    cells: dict[tuple, str] = field(default_factory=dict)

    def locate(self, problem: str) -> str | None:
        """Return the cell of the field that a ``build_case`` problem message names, or None."""
        path = _problem_path(problem, self.raw)
        if path is None:
            return None
        if path not in self.cells and path[0] == "options" and len(path) == 3:
            # Checks across fields name an investment field at the option itself.
            path = ("options", path[1], "investment", path[2])
        return self.cells.get(path)

    def build(self, today: dt.date | None = None) -> Case:
        """Build the case; raise ``ValidationError`` whose problems start with their cell where known."""
        try:
            return build_case(self.raw, today)
        except ValidationError as error:
            located = []
            for problem in error.problems:
                cell = self.locate(problem)
                located.append(problem if cell is None else f"{cell}: {problem}")
            raise ValidationError(located) from error


def open_template(path: str | Path) -> Workbook:
    """Load a template workbook with its formulas, without changing the file.

    Raises ``WorkbookError`` when the file is missing, is not an .xlsx
    workbook, is encrypted or damaged, or is not a complete tco-xl template.
    """
    source = Path(path)
    content = _read_bytes(source)
    if content.startswith(OLE2_SIGNATURE):
        raise WorkbookError(
            source,
            "the workbook is encrypted (password-protected) or in the old .xls format; "
            "open it in Excel or LibreOffice and save it as .xlsx without a password",
        )
    if not content.startswith(ZIP_SIGNATURE):
        raise WorkbookError(
            source,
            "not an .xlsx workbook, because the content is not a zip archive (it may be "
            "a CSV or text file renamed to .xlsx); expected a template made by tco-xl "
            "template",
        )
    try:
        with warnings.catch_warnings():
            # openpyxl warns on stderr about features it drops and dates it cannot convert; the checks report what matters.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=False)
    except Exception as error:
        # openpyxl 3.1 raises many exception types on a damaged archive or part:
        # BadZipFile, zlib.error, ParseError, KeyError, IndexError, TypeError and
        # more were seen on truncated and altered copies of a template.
        detail = f"{type(error).__name__}: {error}"
        raise WorkbookError(
            source,
            f"the file is damaged or not an .xlsx workbook ({detail}); "
            "open it in Excel or LibreOffice and save it again as .xlsx",
        ) from error
    check_template(workbook, source)
    return workbook


def _read_bytes(source: Path) -> bytes:
    """Return the content of ``source``, opened for reading only."""
    try:
        if not source.exists():
            raise WorkbookError(
                source, "file not found; expected a template workbook (.xlsx)"
            )
        if source.is_dir():
            raise WorkbookError(
                source, "is a folder; expected a template workbook file (.xlsx)"
            )
        # A FIFO or device would block or never end, so only regular files are read.
        if not source.is_file():
            raise WorkbookError(
                source, "is not a regular file; expected a template workbook (.xlsx)"
            )
        content = source.read_bytes()
    except OSError as error:
        raise WorkbookError(
            source, f"reading the file failed: {error.strerror or error}"
        ) from error
    if not content:
        raise WorkbookError(source, "the file is empty; expected a template workbook")
    return content


def _name_text(workbook: Workbook, name: str, source: str | Path) -> str:
    """Return the text constant of the workbook-level defined name ``name``."""
    defined = workbook.defined_names.get(name)
    if defined is None:
        raise WorkbookError(
            source,
            f"not a tco-xl template: the defined name {name} is missing; "
            "expected a workbook made by tco-xl template",
        )
    text = str(defined.attr_text or "").strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise WorkbookError(
            source,
            f"defined name {name} = {echo_value(text)} is invalid; expected a text "
            "in double quotes, as tco-xl template writes it",
        )
    return text[1:-1].replace('""', '"')


def template_info(workbook: Workbook, source: str | Path = "workbook") -> TemplateInfo:
    """Read the mark, language and region of a template from its defined names.

    Raises ``WorkbookError`` naming ``source`` when a name is missing, the
    mark is not this version's or the language is not en or nl.
    """
    mark = _name_text(workbook, "tco_template", source)
    if mark != TEMPLATE_MARK:
        raise WorkbookError(
            source,
            f"defined name tco_template = {echo_value(mark)} is not this version's "
            f"template; expected {TEMPLATE_MARK!r}, so build a new template with "
            "tco-xl template and copy the inputs into it",
        )
    language = _name_text(workbook, "tco_language", source)
    if language not in SHEETS:
        raise WorkbookError(
            source,
            f"defined name tco_language = {echo_value(language)} is invalid; "
            f"expected one of {', '.join(SHEETS)}",
        )
    region = _name_text(workbook, "tco_region", source)
    variant = "native"
    if workbook.defined_names.get(VARIANT_NAME) is not None:
        variant = _name_text(workbook, VARIANT_NAME, source)
        if variant != VARIANT:
            raise WorkbookError(
                source,
                f"defined name {VARIANT_NAME} = {echo_value(variant)} is invalid; "
                f"expected {VARIANT!r}, as tco-xl template --udfs writes it",
            )
    return TemplateInfo(mark, language, region, variant)


def check_template(workbook: Workbook, source: str | Path = "workbook") -> TemplateInfo:
    """Check that a workbook is a whole template whose input rows are in place.

    Raises ``WorkbookError`` naming ``source`` for a missing mark or sheet,
    or for a key in the inputs sheet's key column that is not the layout's,
    which means rows were inserted, deleted or moved.
    """
    info = template_info(workbook, source)
    layout = Layout(info.language)
    if info.variant != VARIANT and UDF_SHEET in workbook.sheetnames:
        raise WorkbookError(
            source,
            f"sheet {UDF_SHEET!r} found, but the defined name {VARIANT_NAME} is missing; "
            f"expected both, as tco-xl template --udfs writes them, so that the check "
            f"recalculates the sheet's TCO_ functions",
        )
    titles = list(layout.sheets.values()) + ([UDF_SHEET] if info.variant == VARIANT else [])
    expected_sheets = ", ".join(titles)
    for title in titles:
        if title not in workbook.sheetnames:
            raise WorkbookError(
                source,
                f"sheet {title!r} not found; a tco-xl template in "
                f"{info.language}{' with the xlwings functions' if info.variant == VARIANT else ''} has the sheets {expected_sheets}",
            )
        if not isinstance(workbook[title], Worksheet):
            raise WorkbookError(
                source, f"sheet {title!r} is a chart sheet; expected a worksheet"
            )
    sheet = workbook[layout.sheets["inputs"]]
    for item in layout.rows:
        if item.derived:
            continue
        row = layout.row_of[item.key]
        found = sheet.cell(row, KEY_COLUMN).value
        if found != item.key:
            address = sheet.cell(row, KEY_COLUMN).coordinate
            raise WorkbookError(
                source,
                f"{sheet.title}!{address} contains {echo_value(found)}; expected the "
                f"key {item.key!r}, so rows of the sheet were inserted, deleted or "
                "moved; copy the inputs into a new template",
            )
    return info


class _InputReader:
    """Reads input cells into raw values and records each cell and each invalid value."""

    def __init__(self, sheet: Worksheet):
        self.sheet = sheet
        self.cells: dict[tuple, str] = {}
        self.problems: list[str] = []

    def is_empty(self, address: str) -> bool:
        value = self.sheet[address].value
        return value is None or (isinstance(value, str) and not value.strip())

    def read(
        self, path: tuple, address: str, spec: Field, where: str, target: dict
    ) -> None:
        """Store the value of ``address`` in ``target`` under the last key of ``path``, unless the cell is empty."""
        self.cells[path] = f"{self.sheet.title}!{address}"
        cell = self.sheet[address]
        value = cell.value
        if value is None:
            return
        if cell.data_type == "f":
            formula = getattr(value, "text", value)
            self._problem(
                address,
                where,
                spec,
                f"the formula {echo_value(formula)}",
                "a value typed in, because input formulas are not computed "
                "when a workbook is read",
            )
            return
        if cell.data_type == "e":
            self._problem(
                address, where, spec, f"the error value {value}", expected_input(spec)
            )
            return
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return
        converted = convert_input(value, spec)
        if converted is INVALID:
            self._problem(address, where, spec, echo_value(value), expected_input(spec))
        else:
            target[path[-1]] = converted

    def _problem(
        self, address: str, where: str, spec: Field, found: str, expected: str
    ) -> None:
        cell = f"{self.sheet.title}!{address}"
        self.problems.append(
            f"{cell} ({where}, {spec.name}): found {found}; expected {expected}"
        )


# Marks a cell value whose type the field does not accept.
INVALID = object()


def convert_input(value, spec: Field):
    """Return a non-empty cell value as the raw case stores it, or ``INVALID`` for a value of the wrong type."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if spec.name in FLAG_FIELDS:
        if isinstance(value, bool):
            return value
        if is_number and value in (0, 1):
            return value == 1
        return INVALID
    if spec.kind in NUMBER_KINDS:
        return value if is_number else INVALID
    if spec.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat() if value.time() == dt.time() else INVALID
        if isinstance(value, dt.date):
            return value.isoformat()
        # Text is passed on, and build_case checks that it is a date YYYY-MM-DD.
        return value if isinstance(value, str) else INVALID
    if spec.kind in TEXT_KINDS:
        return value if isinstance(value, str) else INVALID
    return INVALID


def expected_input(spec: Field) -> str:
    if spec.name in FLAG_FIELDS:
        return "1 (yes) or 0 (no)"
    if spec.kind in NUMBER_KINDS and spec.unit:
        return f"{spec.allowed()} ({spec.unit})"
    return spec.allowed()


def _option_keys(layout: Layout) -> list[str]:
    """Return the keys of the input rows that have one cell per option."""
    return [item.key for item in layout.rows if not item.derived and not item.scalar]


def _option_where(reader: _InputReader, layout: Layout, option_index: int) -> str:
    """Return how messages name the option in column ``option_index``: by its name, else by its column."""
    name = reader.sheet[layout.input_cell("name", option_index)].value
    if isinstance(name, str) and name.strip():
        return f"option {name.strip()!r}"
    return f"option in column {layout.input_column(option_index)}"


def _read_option(
    reader: _InputReader, layout: Layout, option_index: int, position: int
) -> dict:
    """Read the option in column ``option_index``, stored at ``position`` of the raw options."""
    where = _option_where(reader, layout, option_index)
    option: dict = {}
    for spec in OPTION_FIELDS:
        if (spec.scope, spec.name) in SKIPPED_FIELDS:
            continue
        address = layout.input_cell(spec.name, option_index)
        reader.read(("options", position, spec.name), address, spec, where, option)

    investment: dict = {}
    for spec in INVESTMENT_FIELDS:
        address = layout.input_cell(spec.name, option_index)
        path = ("options", position, "investment", spec.name)
        reader.read(path, address, spec, where, investment)
    if investment:
        option["investment"] = investment

    risks = []
    for number in range(1, RISK_ITEMS + 1):
        risk: dict = {}
        for part in RISK_PARTS:
            address = layout.input_cell(f"risk_{number}_{part}", option_index)
            path = ("options", position, "risks", number - 1, part)
            reader.read(path, address, RISK[part], f"{where} risk {number}", risk)
        risks.append(risk)
    # Empty risk items after the last filled one are left out. An empty item
    # before it stays, as a risk of probability 0, so that each item keeps its number.
    while risks and not risks[-1]:
        risks.pop()
    if risks:
        option["risks"] = risks
    return option


def read_case(workbook: Workbook, layout: Layout) -> ReadCase:
    """Read the inputs of a filled template into a raw case.

    An empty cell leaves its field out, so ``build_case`` applies the
    default. Text is trimmed, flags 1 and 0 become true and false, and dates
    become YYYY-MM-DD text. An option column whose input cells are all empty
    is no option, and the first option read is the baseline. The region is
    the template's. Raises ``ValidationError`` that names the cell of every
    value of the wrong type, such as text in a number field, and
    ``WorkbookError`` when the inputs sheet of ``layout`` is missing.
    """
    info = template_info(workbook)
    title = layout.sheets["inputs"]
    if title not in workbook.sheetnames:
        raise WorkbookError(
            "workbook",
            f"sheet {title!r} not found; expected a tco-xl template in {layout.language}",
        )
    reader = _InputReader(workbook[title])

    settings: dict = {}
    for spec in SETTINGS_FIELDS:
        if (spec.scope, spec.name) in SKIPPED_FIELDS:
            continue
        reader.read(
            ("settings", spec.name),
            layout.input_cell(spec.name),
            spec,
            "settings",
            settings,
        )
    settings["region"] = info.region
    part: dict = {}
    for spec in PART_FIELDS:
        key = "part_name" if spec.name == "name" else spec.name
        reader.read(("part", spec.name), layout.input_cell(key), spec, "part", part)

    options = []
    option_keys = _option_keys(layout)
    for option_index in range(OPTION_COUNT):
        addresses = [layout.input_cell(key, option_index) for key in option_keys]
        if all(reader.is_empty(address) for address in addresses):
            continue
        options.append(_read_option(reader, layout, option_index, len(options)))
    if options:
        # NOTE: when the first option column is empty, the first filled column
        # is the baseline here, while the template shows no results until
        # column D is complete.
        options[0]["baseline"] = True

    if reader.problems:
        raise ValidationError(reader.problems)
    return ReadCase(
        {"part": part, "settings": settings, "options": options}, reader.cells
    )


def _problem_path(problem: str, raw: dict) -> tuple | None:
    """Return the path in ``raw`` of the field that a ``build_case`` problem message starts with."""
    candidates: list[tuple[str, tuple]] = [
        ("part: ", ("part",)),
        ("settings: ", ("settings",)),
    ]
    for index, option in enumerate(raw.get("options", [])):
        location = option_location(index + 1, option.get("name"))
        candidates.append(
            (f"{location} investment: ", ("options", index, "investment"))
        )
        for number in range(1, RISK_ITEMS + 1):
            candidates.append(
                (
                    f"{location} risks[{number}]: ",
                    ("options", index, "risks", number - 1),
                )
            )
        candidates.append((f"{location}: ", ("options", index)))
    for prefix, path in candidates:
        if problem.startswith(prefix):
            words = problem[len(prefix) :].split(" ", 1)
            return (*path, words[0])
    return None
