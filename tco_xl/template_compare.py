"""Expected values of a template's result cells, from the Python core, and their comparison with a workbook.

``expected_cells`` maps each result cell of a filled template (sheet,
address) to the core's value and a description (line id, option). A
recalculated workbook's values are then compared cell by cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .case import Case
from .lines import GROUPS, LINE_IDS
from .results import CaseResult, compute_case
from .template_layout import FIRST_OPTION_COLUMN, Layout
from .template_results import SheetRows, path_column, path_row
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Expected:
    """One result cell and the core's value for it."""

    sheet: str
    cell: str
    what: str
    option: str
    value: object


@dataclass(frozen=True)
class Difference:
    """A result cell whose workbook value differs from the core's."""

    expected: Expected
    found: object

    def describe(self) -> str:
        """Return one line naming the cell, what it contains and both values."""
        e = self.expected
        return f"{e.sheet}!{e.cell} ({e.what}, option {e.option!r}): expected {e.value!r}, found {self.found!r}"


def expected_cells(case: Case, layout: Layout, rows: SheetRows, result: CaseResult | None = None, slots: list[int] | None = None) -> list[Expected]:
    """Return every result cell of the filled template with the core's value (None for an empty cell).

    ``slots`` gives the template column (0 for the first) of each option,
    baseline first, for workbooks where options leave a column empty. By
    default the options fill the columns from the first.
    """
    result = result or compute_case(case)
    calc, results, path = layout.sheets["calc"], layout.sheets["results"], layout.sheets["path"]
    # The template puts the baseline in the first column.
    options = sorted(result.options, key=lambda option: not option.baseline)
    cells = []
    for position, option in enumerate(options):
        index = slots[position] if slots is not None else position
        column = get_column_letter(FIRST_OPTION_COLUMN + index)

        def add(sheet, row, what, value):
            cells.append(Expected(sheet, f"{column}{row}", what, option.name, value))

        for line_id in LINE_IDS:
            add(calc, rows.calc[line_id], line_id, option.lines[line_id])
        for key, value in option.quantities.items():
            add(calc, rows.calc[key], key, value)
            add(results, rows.results[key], key, value)
        add(calc, rows.calc["tco_per_unit_eur"], "tco_per_unit_eur", option.tco_per_unit_eur)
        for group in GROUPS:
            add(results, rows.results[f"group_{group}"], f"group {group}", option.groups[group])
        add(results, rows.results["tco_per_unit_eur"], "tco_per_unit_eur", option.tco_per_unit_eur)
        add(results, rows.results["gap_per_unit_eur"], "gap_per_unit_eur", option.gap_per_unit_eur)
        add(results, rows.results["annual_tco_eur"], "annual_tco_eur", option.annual_tco_eur)
        add(results, rows.results["gap_per_year_eur"], "gap_per_year_eur", option.gap_per_year_eur)
        add(results, rows.results["npv_eur"], "npv_eur", option.npv_eur)
        add(results, rows.results["cumulative_gap_eur"], "cumulative_gap_eur", option.path[-1].cumulative_gap_eur)
        add(results, rows.results["baseline_cheaper_from_year"], "baseline_cheaper_from_year", option.baseline_cheaper_from_year)
        for key in ("break_even_price_eur", "break_even_price_currency"):
            value = getattr(option, key)
            add(results, rows.results[key], key, None if math.isnan(value) else value)
        for year_index, year in enumerate(option.path):
            add(results, rows.path_years[year_index], f"TCO per unit in {year.year}", year.tco_per_unit_eur)
            row = path_row(index, year_index)
            cells.append(Expected(path, f"{path_column('tco_per_unit_eur')}{row}", f"TCO per unit in {year.year}", option.name, year.tco_per_unit_eur))
            cells.append(Expected(path, f"{path_column('cumulative_gap_eur')}{row}", f"cumulative gap in {year.year}", option.name, year.cumulative_gap_eur))
    return cells


# Texts a result cell shows where the core has no value: empty, or "none" ("geen" in Dutch) for no year.
EMPTY_TEXTS = ("", "none", "geen")


def is_empty(value) -> bool:
    """Return whether a cell value counts as empty for a result the core leaves without a value."""
    return value is None or (isinstance(value, str) and value.strip() in EMPTY_TEXTS)


def is_error_text(value) -> bool:
    """Return whether an expected value is a spreadsheet error value, such as "#N/A"."""
    return isinstance(value, str) and value.startswith("#")


def compare(cells: list[Expected], read, relative: float = 1e-6, absolute: float = 1e-9) -> list[Difference]:
    """Compare the expected cells with the values ``read(sheet, cell)`` returns; return the differences."""
    differences = []
    for expected in cells:
        found = read(expected.sheet, expected.cell)
        if expected.value is None:
            if not is_empty(found):
                differences.append(Difference(expected, found))
            continue
        if is_error_text(expected.value):
            # An array formula's cells past its result show #N/A.
            if str(found) != expected.value:
                differences.append(Difference(expected, found))
            continue
        if isinstance(found, bool) or not isinstance(found, (int, float)):
            differences.append(Difference(expected, found))
            continue
        if not math.isclose(float(found), float(expected.value), rel_tol=relative, abs_tol=absolute):
            differences.append(Difference(expected, found))
    return differences
