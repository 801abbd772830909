"""The template workbook: the TCO model in native spreadsheet formulas, in English or Dutch.

``build_template`` assembles the sheets; ``write_workbook`` saves a
workbook whole or not at all.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.properties import CalcProperties

from . import __version__
from .errors import TcoError
from .regions import DEFAULT_REGION, Region, load_region
from .report import write_whole
from .template_defaults import write_defaults_sheet
from .template_inputs import write_inputs_sheet
from .template_layout import INPUTS_HEADER_ROW, OPTION_COUNT, TEMPLATE_MARK, UDF_SHEET, VARIANT, VARIANT_NAME, Layout
from .template_results import sheet_rows, write_calc_sheet, write_path_sheet, write_results_sheet
from .template_styles import BOLD, DEFAULT_FONT, FORMULA_FILL, INPUT_FILL, WRAP
from .template_text import ui
from .template_udfs import write_udf_sheet

logger = logging.getLogger(__name__)

START_TITLE = Font(bold=True, size=16)
# Names of the subsidies on the Start sheet.
SUBSIDY_NAMES = {"loonkostensubsidie": "loonkostensubsidie", "wbso": "WBSO", "bmkb": "BMKB"}
START_WIDTH = 100
# Points per line of 11-point text.
LINE_HEIGHT = 15
# Pages side by side when a sheet is printed: the path sheet is too wide for one.
PRINT_WIDTH_PAGES = {"path": 3}


class TemplateError(TcoError):
    """A template could not be built or written."""


def _write_start_sheet(sheet, layout: Layout, region: Region, language: str) -> None:
    names = {key: layout.sheets[key] for key in ("inputs", "results", "calc", "path", "defaults")}
    sheet.column_dimensions["A"].width = 4
    sheet.column_dimensions["B"].width = START_WIDTH
    sheet.cell(1, 2, ui("title", language)).font = START_TITLE
    sheet.cell(3, 2, ui("purpose", language)).alignment = WRAP
    sheet.cell(5, 2, ui("how_title", language)).font = BOLD
    row = 6
    for step in ui("how_steps", language):
        sheet.cell(row, 2, step.format(**names)).alignment = WRAP
        row += 1
    row += 1
    sheet.cell(row, 2, ui("legend_title", language)).font = BOLD
    row += 1
    legend = (
        (INPUT_FILL, None, ui("legend_input", language)),
        (FORMULA_FILL, DEFAULT_FONT, ui("legend_default", language)),
        (FORMULA_FILL, None, ui("legend_formula", language)),
    )
    for fill, font, text in legend:
        cell = sheet.cell(row, 2, text)
        cell.fill = fill
        if font is not None:
            cell.font = font
        row += 1
    sheet.cell(row, 2, ui("legend_protect", language)).alignment = WRAP
    row += 2
    sheet.cell(row, 2, ui("sources_title", language)).font = BOLD
    sheet.cell(row + 1, 2, ui("sources_text", language).format(**names)).alignment = WRAP
    row += 3
    facts = (
        f"{ui('region', language)}: {region.name} ({region.municipality})",
        f"{ui('figures_of', language)}: {region.figures_date.isoformat()}",
        f"{ui('subsidies', language)}: {', '.join(SUBSIDY_NAMES[name] for name, offered in region.subsidies.items() if offered) or ui('na', language)}",
        f"{ui('version', language)}: tco-xl {__version__} ({TEMPLATE_MARK})",
        ui("made_by", language),
    )
    for fact in facts:
        sheet.cell(row, 2, fact)
        row += 1
    _fit_wrapped_rows(sheet, START_WIDTH)


def _fit_wrapped_rows(sheet, width: int) -> None:
    """Give wrapped text rows the height of their lines; spreadsheets do not grow rows written by openpyxl."""
    for row in sheet.iter_rows(min_col=2, max_col=2):
        cell = row[0]
        if isinstance(cell.value, str) and len(cell.value) > width:
            lines = len(cell.value) // int(width * 0.95) + 1
            sheet.row_dimensions[cell.row].height = LINE_HEIGHT * lines


def _page_setup(sheet, fit_width_pages: int) -> None:
    """Print landscape on A4, the given number of pages wide and as many pages tall as needed."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = fit_width_pages
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _add_names(workbook: Workbook, names: dict[str, str]) -> None:
    for name, reference in names.items():
        workbook.defined_names[name] = DefinedName(name, attr_text=reference)


def build_template(language: str = "en", region_key: str = DEFAULT_REGION, udfs: bool = False) -> Workbook:
    """Build the template workbook of ``region_key`` in ``language`` (en or nl).

    With ``udfs``, the workbook also has the UDF sheet, where the xlwings
    functions compute the results beside the native formulas.
    """
    if language not in ("en", "nl"):
        raise TemplateError(f"language = {language!r} is invalid; expected en or nl")
    region = load_region(region_key)
    layout = Layout(language)
    workbook = Workbook()
    start = workbook.active
    start.title = layout.sheets["start"]
    sheets = {key: workbook.create_sheet(title) for key, title in layout.sheets.items() if key != "start"}

    names = {}
    names.update(write_defaults_sheet(sheets["defaults"], region, language).names)
    names.update(write_inputs_sheet(sheets["inputs"], layout, region, language))
    rows = sheet_rows()
    write_calc_sheet(sheets["calc"], layout, rows, language)
    write_path_sheet(sheets["path"], layout, rows, language)
    write_results_sheet(sheets["results"], layout, rows, language)
    if udfs:
        udf_sheet = workbook.create_sheet(UDF_SHEET, workbook.sheetnames.index(layout.sheets["results"]) + 1)
        write_udf_sheet(udf_sheet, layout, rows, language)
        names[VARIANT_NAME] = f'"{VARIANT}"'
    _write_start_sheet(start, layout, region, language)
    # Constant names that identify a template, its language and its region.
    names["tco_template"] = f'"{TEMPLATE_MARK}"'
    names["tco_language"] = f'"{language}"'
    names["tco_region"] = f'"{region.key}"'
    _add_names(workbook, names)

    for key, title in layout.sheets.items():
        _page_setup(workbook[title], PRINT_WIDTH_PAGES.get(key, 1))
    # The help column is too wide to print; the screen shows it beside the inputs.
    sheets["inputs"].print_area = f"A1:{Layout.used_column(OPTION_COUNT - 1)}{layout.last_input_row}"
    sheets["inputs"].print_title_rows = f"{INPUTS_HEADER_ROW}:{INPUTS_HEADER_ROW}"
    for sheet in workbook.worksheets:
        # Protected without a password: formulas are safe from slips, and a user can still unprotect.
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
    # Excel recalculates every formula when the file is opened.
    workbook.calculation = CalcProperties(fullCalcOnLoad=True)
    workbook.active = workbook.worksheets.index(sheets["inputs"])
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """Return the workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_workbook(workbook: Workbook, path: str | Path) -> Path:
    """Save ``workbook`` to ``path`` whole or not at all, through a temporary file in the same folder."""
    if not str(path).strip():
        raise TemplateError("the output file name is empty; give a file name ending in .xlsx")
    target = Path(path)
    if target.suffix.lower() != ".xlsx" or target.name.lower() == ".xlsx":
        raise TemplateError(f"{target}: the output must be a file name ending in .xlsx")
    try:
        is_folder = target.is_dir()
    except OSError as error:
        raise TemplateError(f"{target}: invalid output path ({error.strerror})") from error
    if is_folder:
        raise TemplateError(f"{target}: is a folder; give a file name ending in .xlsx")
    try:
        # openpyxl writes the file in memory, where a file-size limit can also stop it.
        content = workbook_bytes(workbook)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_whole(target, content, None)
    except OSError as error:
        raise TemplateError(f"{error.filename or target}: writing the workbook failed: {error.strerror or error}") from error
    logger.info("wrote %s", target)
    return target
