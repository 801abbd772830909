"""The template's status messages and hidden results, recalculated in LibreOffice.

Each case edits the input cells of the filled demo workbook the way a user
would (or pastes past the data validation), and checks what the Inputs
status row and the Results sheet show afterwards.
"""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources

import openpyxl
import pytest

from libreoffice_support import require_libreoffice
from tco_xl import template
from tco_xl.libreoffice import recalculate_many
from tco_xl.regions import load_region
from tco_xl.template import build_template, write_workbook
from tco_xl.template_fill import fill_workbook
from tco_xl.template_layout import FIRST_OPTION_COLUMN, INPUTS_HEADER_ROW, Layout
from tco_xl.template_results import sheet_rows
from tco_xl.template_text import ui

require_libreoffice()

LANGUAGE = "en"
LAYOUT = Layout(LANGUAGE)
ROWS = sheet_rows()
CHINA = 1  # option column of "Buy in China" in the demo


def demo_raw() -> dict:
    text = resources.files("tco_xl.data").joinpath("demo_case.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def result_cell(key: str, option_index: int) -> str:
    column = openpyxl.utils.get_column_letter(FIRST_OPTION_COLUMN + option_index)
    return f"{column}{ROWS.results[key]}"


# Each case: a function that edits the Inputs sheet of the filled demo.
def china_without_price(sheet):
    sheet[LAYOUT.input_cell("price", CHINA)] = None


def china_without_duty(sheet):
    sheet[LAYOUT.input_cell("duty_rate", CHINA)] = None


def china_in_unknown_currency(sheet):
    sheet[LAYOUT.input_cell("currency", CHINA)] = "GBP"


def china_in_unknown_currency_with_rate(sheet):
    sheet[LAYOUT.input_cell("currency", CHINA)] = "GBP"
    sheet[LAYOUT.input_cell("fx_eur_per_unit", CHINA)] = 1.15


def china_pasted_text_price(sheet):
    sheet[LAYOUT.input_cell("price", CHINA)] = "1,5"


def china_unknown_sourcing(sheet):
    sheet[LAYOUT.input_cell("sourcing", CHINA)] = "kopen"


def negative_volume(sheet):
    sheet[LAYOUT.input_cell("annual_volume")] = -12000


def horizon_eleven(sheet):
    sheet[LAYOUT.input_cell("horizon_years")] = 11


def baseline_cleared(sheet):
    sheet[LAYOUT.input_cell("name", 0)] = None


def baseline_without_production_costs(sheet):
    for key in ("materials_eur", "labour_hours", "machine_eur", "overhead_eur"):
        sheet[LAYOUT.input_cell(key, 0)] = None


def poland_with_loonkostensubsidie(sheet):
    sheet[LAYOUT.input_cell("lks_share", 2)] = 0.2
    sheet[LAYOUT.input_cell("loonwaarde", 2)] = 0.5


CASES = {
    case.__name__: case
    for case in (
        china_without_price, china_without_duty, china_in_unknown_currency, china_in_unknown_currency_with_rate,
        china_pasted_text_price, china_unknown_sourcing, negative_volume, horizon_eleven, baseline_cleared,
        poland_with_loonkostensubsidie, baseline_without_production_costs,
    )
}


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """Return the recalculated workbook of each case, all converted in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("status")
    paths = []
    for name, edit in CASES.items():
        workbook = build_template(LANGUAGE)
        fill_workbook(workbook, demo_raw(), LAYOUT, "tilburg")
        edit(workbook[LAYOUT.sheets["inputs"]])
        paths.append(write_workbook(workbook, folder / f"{name}.xlsx"))
    paths.append(write_workbook(build_template(LANGUAGE), folder / "blank_template.xlsx"))
    outputs = recalculate_many(paths, folder / "out")
    return {path.stem: openpyxl.load_workbook(path, data_only=True) for path in outputs}


def status(book, option_index: int) -> str:
    return book[LAYOUT.sheets["inputs"]][LAYOUT.used_cell("status", option_index)].value


def result(book, key: str, option_index: int):
    return book[LAYOUT.sheets["results"]][result_cell(key, option_index)].value


def test_blank_template_shows_no_results(books):
    book = books["blank_template"]
    assert book[LAYOUT.sheets["results"]]["C3"].value == ui("status_part", LANGUAGE)
    for option_index in range(4):
        assert result(book, "tco_per_unit_eur", option_index) is None


def test_blank_template_asks_for_prices(books):
    book = books["blank_template"]
    assert status(book, 1) == ui("status_price", LANGUAGE)
    assert status(book, 2) == ui("status_price", LANGUAGE)


def test_missing_price_hides_option(books):
    book = books["china_without_price"]
    assert status(book, CHINA) == ui("status_price", LANGUAGE)
    assert result(book, "tco_per_unit_eur", CHINA) is None
    assert result(book, "tco_per_unit_eur", 2) == pytest.approx(87.6347, abs=1e-4)


def test_missing_duty_hides_option(books):
    book = books["china_without_duty"]
    assert status(book, CHINA) == ui("status_duty", LANGUAGE)
    assert result(book, "tco_per_unit_eur", CHINA) is None


def test_unknown_currency_asks_for_rate(books):
    book = books["china_in_unknown_currency"]
    assert status(book, CHINA) == ui("status_fx", LANGUAGE)
    assert result(book, "tco_per_unit_eur", CHINA) is None


def test_unknown_currency_with_rate_computes(books):
    book = books["china_in_unknown_currency_with_rate"]
    assert status(book, CHINA) == ui("status_ok_currency", LANGUAGE) + "GBP"
    assert isinstance(result(book, "tco_per_unit_eur", CHINA), float)


def test_foreign_price_names_its_currency(books):
    book = books["china_without_duty"]
    assert status(book, 2) == ui("status_ok_currency", LANGUAGE) + "PLN"
    assert status(book, 0) == ui("status_ok", LANGUAGE)


@pytest.mark.parametrize("case", ["china_pasted_text_price", "china_unknown_sourcing"])
def test_pasted_invalid_value_is_flagged(books, case):
    book = books[case]
    assert status(book, CHINA) == ui("status_invalid", LANGUAGE)
    assert result(book, "tco_per_unit_eur", CHINA) is None


@pytest.mark.parametrize("case", ["negative_volume", "horizon_eleven"])
def test_invalid_part_or_settings_hide_all(books, case):
    book = books[case]
    assert book[LAYOUT.sheets["results"]]["C3"].value == ui("status_part", LANGUAGE)
    for option_index in range(3):
        assert result(book, "tco_per_unit_eur", option_index) is None


def test_cleared_baseline_hides_comparison(books):
    book = books["baseline_cleared"]
    assert status(book, 0) == ui("status_empty", LANGUAGE)
    for option_index in range(3):
        assert result(book, "gap_per_unit_eur", option_index) is None


def test_subsidy_outside_the_netherlands_is_flagged(books):
    book = books["poland_with_loonkostensubsidie"]
    assert status(book, 2) == ui("status_invalid", LANGUAGE)
    assert result(book, "tco_per_unit_eur", 2) is None


def test_subsidy_the_region_lacks_is_flagged(tmp_path, monkeypatch):
    tilburg = load_region("tilburg")
    without = dataclasses.replace(tilburg, subsidies={**tilburg.subsidies, "loonkostensubsidie": False})
    monkeypatch.setattr(template, "load_region", lambda key: without)
    workbook = build_template(LANGUAGE)
    # The demo's baseline employs staff with loonkostensubsidie.
    fill_workbook(workbook, demo_raw(), LAYOUT, "tilburg")
    path = write_workbook(workbook, tmp_path / "no_lks.xlsx")
    (output,) = recalculate_many([path], tmp_path / "out")
    book = openpyxl.load_workbook(output, data_only=True)
    assert status(book, 0) == ui("status_invalid", LANGUAGE)
    for option_index in range(3):
        assert result(book, "tco_per_unit_eur", option_index) is None


def test_make_without_costs_asks_for_them(books):
    book = books["baseline_without_production_costs"]
    assert status(book, 0) == ui("status_production", LANGUAGE)


def test_incomplete_baseline_is_named_on_results(books):
    book = books["baseline_without_production_costs"]
    assert book[LAYOUT.sheets["results"]]["C3"].value == ui("status_baseline", LANGUAGE)
    for option_index in range(3):
        assert result(book, "tco_per_unit_eur", option_index) is None


def test_status_is_repeated_above_inputs(books):
    book = books["china_without_price"]
    inputs = book[LAYOUT.sheets["inputs"]]
    assert inputs[f"{LAYOUT.input_column(CHINA)}{INPUTS_HEADER_ROW - 1}"].value == ui("status_price", LANGUAGE)
    assert inputs[f"{LAYOUT.input_column(0)}{INPUTS_HEADER_ROW - 1}"].value == ui("status_ok", LANGUAGE)
