"""The template workbook: the TCO model in native spreadsheet formulas, in English or Dutch.

``build_template`` assembles the sheets; ``write_workbook`` saves a
workbook whole or not at all.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.properties import CalcProperties

from . import __version__
from .errors import TcoError
from .regions import DEFAULT_REGION, Region, load_region
from .template_defaults import write_defaults_sheet
from .template_inputs import DEFAULT_FONT, FORMULA_FILL, INPUT_FILL, write_inputs_sheet
from .template_layout import TEMPLATE_MARK, Layout
from .template_results import write_calc_sheet, write_path_sheet, write_results_sheet
from .template_text import ui

logger = logging.getLogger(__name__)

TITLE = Font(bold=True, size=16)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
# Defined names that identify a template and its language and region for the check.
MARK_NAMES = ("tco_template", "tco_language", "tco_region")


class TemplateError(TcoError):
    """A template could not be built or written."""


def _write_start_sheet(sheet, layout: Layout, region: Region, language: str) -> None:
    names = {key: layout.sheets[key] for key in ("inputs", "results", "calc", "path", "defaults")}
    sheet.column_dimensions["A"].width = 4
    sheet.column_dimensions["B"].width = 110
    sheet.cell(1, 2, ui("title", language)).font = TITLE
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
        sheet.cell(row, 1).fill = fill
        cell = sheet.cell(row, 2, text)
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
        f"{ui('version', language)}: tco-xl {__version__} ({TEMPLATE_MARK})",
        ui("made_by", language) + ": https://pypi.org/project/tco-xl/ (Python) — `tco-xl template`, `tco-xl check`",
    )
    for fact in facts:
        sheet.cell(row, 2, fact)
        row += 1


def _add_names(workbook: Workbook, names: dict[str, str]) -> None:
    for name, reference in names.items():
        workbook.defined_names[name] = DefinedName(name, attr_text=reference)


def build_template(language: str = "en", region_key: str = DEFAULT_REGION) -> Workbook:
    """Build the template workbook of ``region_key`` in ``language`` (en or nl)."""
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
    rows = write_calc_sheet(sheets["calc"], layout, language)
    write_path_sheet(sheets["path"], layout, rows, language)
    write_results_sheet(sheets["results"], layout, rows, language)
    _write_start_sheet(start, layout, region, language)
    names["tco_template"] = f'"{TEMPLATE_MARK}"'
    names["tco_language"] = f'"{language}"'
    names["tco_region"] = f'"{region.key}"'
    _add_names(workbook, names)

    for sheet in workbook.worksheets:
        # Protected without a password: formulas are safe from slips, and a user can still unprotect.
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
    # Excel recalculates every formula when the file is opened.
    workbook.calculation = CalcProperties(fullCalcOnLoad=True)
    workbook.active = workbook.worksheets.index(sheets["inputs"])
    return workbook


def write_workbook(workbook: Workbook, path: str | Path) -> Path:
    """Save ``workbook`` to ``path`` through a temporary file, so the file is written whole or not at all."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise TemplateError(f"{target}: the output must be an .xlsx file")
    if target.is_dir():
        raise TemplateError(f"{target}: is a folder; give a file name ending in .xlsx")
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        os.close(handle)
    except OSError as error:
        raise TemplateError(f"{target}: cannot write there ({error.strerror})") from error
    try:
        workbook.save(temporary)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise TemplateError(f"{target}: writing failed ({error.strerror})") from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    logger.info("wrote %s", target)
    return target
