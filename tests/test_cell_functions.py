"""The spreadsheet functions on plain cell values, against the core."""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tco_xl import cell_functions as cells
from tco_xl.defaults import countries, dutch_figures
from tco_xl.formula_engine import ErrorValue
from tco_xl.lines import GROUPS, LINES
from tco_xl.regions import load_region
from tco_xl.results import compute_case
from tco_xl.template_layout import INPUTS_HEADER_ROW, OPTION_COUNT, Layout
from tco_xl.template_read import read_case

DEMO_WORKBOOK_EN = Path(__file__).resolve().parents[1] / "workbooks" / "examples" / "demo_en.xlsx"

REGION = "tilburg"


@pytest.fixture(scope="module")
def demo():
    """Return (keys, the four input columns, the core's result) of the English demo workbook."""
    workbook = openpyxl.load_workbook(DEMO_WORKBOOK_EN)
    layout = Layout("en")
    sheet = workbook[layout.sheets["inputs"]]
    rows = range(INPUTS_HEADER_ROW + 1, layout.last_input_row + 1)
    keys = [[sheet.cell(row, 1).value] for row in rows]
    columns = [[[sheet.cell(row, 4 + index).value] for row in rows] for index in range(OPTION_COUNT)]
    result = compute_case(read_case(workbook, layout).build())
    return keys, columns, result


def _set(keys, column, key, value):
    """Return a copy of ``column`` with the row of ``key`` set to ``value``."""
    changed = copy.deepcopy(column)
    changed[[row[0] for row in keys].index(key)] = [value]
    return changed


def test_tco_unit_of_every_option_equals_the_core(demo):
    keys, columns, result = demo
    for index, option in enumerate(result.options):
        assert cells.tco_unit(keys, columns[index], columns[0], REGION) == option.tco_per_unit_eur


def test_tco_unit_demo_published_values(demo):
    keys, columns, _ = demo
    # The demo's TCO per unit in 2026 as the core's hand-checked tests give it: Tilburg, China, Poland.
    found = [round(cells.tco_unit(keys, columns[index], columns[0], REGION), 2) for index in range(3)]
    assert found == [93.69, 83.18, 87.63]


def test_tco_unit_baseline_alone(demo):
    keys, columns, result = demo
    assert cells.tco_unit(keys, columns[0], None, REGION) == result.baseline.tco_per_unit_eur
    assert cells.tco_unit(keys, columns[0], columns[0], REGION) == result.baseline.tco_per_unit_eur


def test_tco_lines_equal_core(demo):
    keys, columns, result = demo
    rows = cells.tco_lines(keys, columns[1], columns[0], REGION)
    assert [row[0] for row in rows] == [line.id for line in LINES]
    assert [row[1] for row in rows] == [line.label for line in LINES]
    assert [row[2] for row in rows] == [result.options[1].lines[line.id] for line in LINES]


def test_tco_lines_add_up_to_the_tco(demo):
    keys, columns, _ = demo
    rows = cells.tco_lines(keys, columns[2], columns[0], REGION)
    assert math.isclose(sum(row[2] for row in rows), cells.tco_unit(keys, columns[2], columns[0], REGION), rel_tol=1e-12)


def test_tco_groups_give_the_core_subtotals(demo):
    keys, columns, result = demo
    rows = cells.tco_groups(keys, columns[1], columns[0], REGION)
    assert [row[0] for row in rows] == list(GROUPS)
    assert [row[1] for row in rows] == list(GROUPS.values())
    assert [row[2] for row in rows] == [result.options[1].groups[group] for group in GROUPS]


def test_tco_path_rows(demo):
    keys, columns, result = demo
    rows = cells.tco_path(keys, columns[1], columns[0], REGION)
    option = result.options[1]
    assert rows == [[year.year, year.tco_per_unit_eur, year.annual_cost_eur, year.cumulative_gap_eur] for year in option.path]
    assert [row[0] for row in rows] == [2026, 2027, 2028, 2029, 2030]
    # The annual TCO is the unit TCO times the demo's 12,000 units a year.
    assert rows[0][2] == pytest.approx(rows[0][1] * result.annual_volume)


def test_tco_break_even_equals_core(demo):
    keys, columns, result = demo
    assert cells.tco_break_even(keys, columns[1], columns[0], REGION) == result.options[1].break_even_price_eur
    assert cells.tco_break_even(keys, columns[0], columns[0], REGION) == ""


def test_break_even_price_gives_the_baseline_tco(demo):
    keys, columns, result = demo
    price = cells.tco_break_even(keys, columns[2], columns[0], REGION)
    # The Polish price is in PLN, so the break-even price in EUR goes in with fx_eur_per_unit 1 and currency EUR.
    at_break_even = _set(keys, _set(keys, _set(keys, columns[2], "price", price), "currency", "EUR"), "fx_eur_per_unit", 1.0)
    found = cells.tco_unit(keys, at_break_even, columns[0], REGION)
    assert found == pytest.approx(result.baseline.tco_per_unit_eur, rel=1e-9)


def test_tco_range_gives_low_base_and_high(demo):
    keys, columns, result = demo
    price = columns[1][[row[0] for row in keys].index("price")][0]
    ((low, base, high),) = cells.tco_range(keys, columns[1], "price", 0.9 * price, 1.1 * price, columns[0], REGION)
    assert base == result.options[1].tco_per_unit_eur
    assert low == cells.tco_unit(keys, _set(keys, columns[1], "price", 0.9 * price), columns[0], REGION)
    assert high == cells.tco_unit(keys, _set(keys, columns[1], "price", 1.1 * price), columns[0], REGION)
    assert low < base < high


def test_tco_range_part_field(demo):
    keys, columns, _ = demo
    ((low, _, high),) = cells.tco_range(keys, columns[1], "annual_volume", 6000, 24000, columns[0], REGION)
    assert low == cells.tco_unit(keys, columns[1], _set(keys, columns[0], "annual_volume", 6000), REGION)
    assert high == cells.tco_unit(keys, columns[1], _set(keys, columns[0], "annual_volume", 24000), REGION)
    # Fixed costs per load and per year weigh less on more units.
    assert low > high


def test_tco_range_unknown_field(demo):
    keys, columns, _ = demo
    assert cells.tco_range(keys, columns[1], "colour", 1, 2, columns[0], REGION) == (
        "Error: field 'colour' is not an input key in keys; expected a key such as price or duty_rate"
    )
    assert cells.tco_range(keys, columns[1], "price", "low", 2, columns[0], REGION) == (
        "Error: low = 'low' is invalid; expected a number"
    )


def test_country_lookup_gives_the_packaged_figures():
    china = countries()["CN"]
    assert cells.tco_country("CN", "transit_days") == china.figures["transit_days"].value
    assert cells.tco_country(" cn ", "currency") == "CNY"
    assert cells.tco_country("PL", "eu_member") == 1.0
    assert cells.tco_country("CN", "eu_member") == 0.0


def test_country_lookup_names_an_unknown_country_or_figure():
    assert cells.tco_country("XX", "transit_days").startswith("Error: country 'XX' is not known")
    assert cells.tco_country("CN", "colour").startswith("Error: figure 'colour' is not a country figure; expected one of name, currency")
    assert cells.tco_country(None, "transit_days") == "Error: country is empty; expected a text"
    assert cells.tco_country(12, "transit_days") == "Error: country = 12 is invalid; expected a text"


def test_region_lookup_gives_the_region_and_dutch_figures():
    tilburg = load_region("tilburg")
    assert cells.tco_regional("labour_cost_eur_per_hour", "tilburg") == tilburg.labour_cost.value
    assert cells.tco_regional("labour_cost_eur_per_hour") == tilburg.labour_cost.value
    # A date is its spreadsheet serial number: days since 30 December 1899.
    serial = cells.tco_regional("figures_date", "Tilburg")
    assert dt.date(1899, 12, 30) + dt.timedelta(days=serial) == tilburg.figures_date
    assert cells.tco_regional("wbso", "tilburg") == (1.0 if tilburg.subsidies["wbso"] else 0.0)
    assert cells.tco_regional("employer_oncost_rate") == dutch_figures().value("employer_oncost_rate")
    assert cells.tco_regional("minimum_wage_eur_per_hour") == dutch_figures().minimum_wage_on(tilburg.figures_date)


def test_region_lookup_names_an_unknown_region_or_figure():
    assert cells.tco_regional("labour_cost_eur_per_hour", "atlantis").startswith("Error: region 'atlantis' is not known; expected one of")
    assert cells.tco_regional("colour").startswith("Error: figure 'colour' is not a regional or Dutch figure")


def test_text_in_a_number_cell_names_the_key(demo):
    keys, columns, _ = demo
    found = cells.tco_unit(keys, _set(keys, columns[1], "duty_rate", "abc"), columns[0], REGION)
    assert found == "Error: option duty_rate: found 'abc'; expected a number >= 0 and <= 1 (fraction (0.25 = 25 %))"


def test_baseline_text_in_number_cell(demo):
    keys, columns, _ = demo
    found = cells.tco_unit(keys, columns[1], _set(keys, columns[0], "annual_volume", "many"), REGION)
    assert found == "Error: baseline annual_volume: found 'many'; expected a number >= 1 and <= 1e+09 (units a year)"


def test_option_value_out_of_range(demo):
    keys, columns, _ = demo
    found = cells.tco_unit(keys, _set(keys, columns[1], "duty_rate", -1.0), columns[0], REGION)
    assert found == "Error: option 'Buy in China': duty_rate = -1.0 is invalid; expected a number >= 0 and <= 1 (fraction (0.25 = 25 %))"


@pytest.mark.parametrize("error", [ErrorValue("#DIV/0!"), "#DIV/0!"])
def test_input_error_value_named(demo, error):
    keys, columns, _ = demo
    found = cells.tco_unit(keys, _set(keys, columns[1], "price", error), columns[0], REGION)
    assert found == "Error: option price: found the error value #DIV/0!; expected a number >= 0 and <= 1e+12 (currency units per unit)"


def test_ranges_of_different_heights_are_named(demo):
    keys, columns, _ = demo
    assert cells.tco_unit(keys, columns[1][:5], columns[0], REGION) == (
        f"Error: option has 5 rows and keys {len(keys)} rows; expected ranges of the same height"
    )
    assert cells.tco_unit(keys, columns[1], columns[0][:3], REGION).startswith("Error: baseline has 3 rows")


def test_range_wider_than_column(demo):
    keys, columns, _ = demo
    wide = [row + row for row in columns[1]]
    assert cells.tco_unit(keys, wide, columns[0], REGION) == f"Error: option is a range of {len(keys)} rows by 2 columns; expected one column"


def test_one_cell_range_value():
    assert cells.tco_country([["CN"]], [["transit_days"]]) == cells.tco_country("CN", "transit_days")
    assert cells.tco_country([["CN", "PL"]], "transit_days") == "Error: country is a range of 1 row by 2 columns; expected one cell"


def test_an_unknown_key_is_named_with_its_row(demo):
    keys, columns, _ = demo
    changed = copy.deepcopy(keys)
    changed[1] = ["cost_of_kapital"]
    found = cells.tco_unit(changed, columns[1], columns[0], REGION)
    assert found.startswith("Error: row 2 of keys: 'cost_of_kapital' is not an input key")


def test_an_empty_option_column_shows_an_empty_cell(demo):
    keys, columns, _ = demo
    assert cells.tco_unit(keys, columns[3], columns[0], REGION) == ""
    assert cells.tco_lines(keys, columns[3], columns[0], REGION) == ""


def test_a_missing_baseline_is_hinted(demo):
    keys, columns, _ = demo
    found = cells.tco_unit(keys, columns[1], None, REGION)
    assert found.startswith("Error: part: part_name is missing; expected a text (the part and the settings are read from the baseline's column")
    assert found.endswith(" more)")


def test_a_date_serial_number_is_a_date(demo):
    keys, columns, _ = demo
    as_date = cells.tco_unit(keys, columns[1], _set(keys, columns[0], "figures_date", dt.datetime(2026, 1, 1)), REGION)
    serial = (dt.date(2026, 1, 1) - dt.date(1899, 12, 30)).days
    as_serial = cells.tco_unit(keys, columns[1], _set(keys, columns[0], "figures_date", float(serial)), REGION)
    assert as_date == as_serial
    assert isinstance(as_serial, float)


def test_flags_are_one_or_zero(demo):
    keys, columns, _ = demo
    with_licence = cells.tco_unit(keys, _set(keys, columns[1], "article_23_licence", 1.0), columns[0], REGION)
    assert isinstance(with_licence, float)
    assert cells.tco_unit(keys, _set(keys, columns[1], "article_23_licence", 2.0), columns[0], REGION) == (
        "Error: option article_23_licence: found 2.0; expected 1 (yes) or 0 (no)"
    )


def test_a_one_dimensional_range_is_one_column(demo):
    keys, columns, result = demo
    flat_keys = [row[0] for row in keys]
    flat_option = [row[0] for row in columns[1]]
    flat_baseline = [row[0] for row in columns[0]]
    assert cells.tco_unit(flat_keys, flat_option, flat_baseline, REGION) == result.options[1].tco_per_unit_eur


def test_the_functions_of_one_option_share_one_computation(demo, monkeypatch):
    keys, columns, _ = demo
    cells._compute.cache_clear()
    cells._checked_result.cache_clear()
    calls = []
    original = cells.compute_case
    monkeypatch.setattr(cells, "compute_case", lambda case: calls.append(1) or original(case))
    cells.tco_unit(keys, columns[1], columns[0], REGION)
    cells.tco_lines(keys, columns[1], columns[0], REGION)
    cells.tco_path(keys, columns[1], columns[0], REGION)
    assert len(calls) == 1


def test_every_function_is_registered_by_its_spreadsheet_name():
    assert set(cells.FUNCTIONS) == {
        "TCO_UNIT", "TCO_LINES", "TCO_GROUPS", "TCO_PATH", "TCO_BREAK_EVEN", "TCO_RANGE", "TCO_COUNTRY", "TCO_REGIONAL",
    }
    assert all(name.startswith("TCO_") for name in cells.FUNCTIONS)


CELL_VALUES = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10**6, 10**6),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from([ErrorValue("#N/A"), "#VALUE!", dt.datetime(2026, 1, 1)]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 150), CELL_VALUES), max_size=6))
def test_any_cell_values_give_a_number_an_empty_cell_or_an_error_text(demo, changes):
    keys, columns, _ = demo
    option = copy.deepcopy(columns[1])
    for row, value in changes:
        option[row % len(option)] = [value]
    found = cells.tco_unit(keys, option, columns[0], REGION)
    assert isinstance(found, float) or found == "" or (isinstance(found, str) and found.startswith("Error: ") and "\n" not in found)


def test_a_duplicate_key_is_named(demo):
    keys, columns, _ = demo
    changed = copy.deepcopy(keys)
    duty = [row[0] for row in keys].index("duty_rate")
    price = [row[0] for row in keys].index("price")
    changed[duty] = ["price"]
    found = cells.tco_unit(changed, columns[1], columns[0], REGION)
    assert found == f"Error: row {duty + 1} of keys: 'price' is also in row {price + 1}; expected each key once"


def test_an_error_value_as_key_is_named(demo):
    keys, columns, _ = demo
    changed = copy.deepcopy(keys)
    changed[3] = ["#N/A"]
    assert cells.tco_unit(changed, columns[1], columns[0], REGION) == (
        "Error: row 4 of keys: found the error value #N/A; expected a key such as annual_volume"
    )


def test_an_unnamed_option_names_the_missing_name(demo):
    keys, columns, _ = demo
    found = cells.tco_unit(keys, _set(keys, columns[1], "name", None), columns[0], REGION)
    assert found.startswith("Error: option: name is missing")


def test_an_option_named_like_a_copy_is_checked(demo):
    keys, columns, _ = demo
    named = _set(keys, columns[1], "name", "Buy in China (copy)")
    found = cells.tco_unit(keys, _set(keys, named, "price", -5.0), columns[0], REGION)
    assert found.startswith("Error: option 'Buy in China (copy)': price = -5.0 is invalid")


def test_true_and_one_are_cached_apart(demo):
    keys, columns, _ = demo
    as_number = cells.tco_unit(keys, _set(keys, columns[1], "trips_per_year", 1.0), columns[0], REGION)
    as_boolean = cells.tco_unit(keys, _set(keys, columns[1], "trips_per_year", True), columns[0], REGION)
    assert isinstance(as_number, float)
    assert as_boolean.startswith("Error: option trips_per_year: found True")


def test_numpy_numbers_are_numbers(demo):
    import numpy as np

    keys, columns, _ = demo
    price = columns[1][[row[0] for row in keys].index("price")][0]
    as_numpy = cells.tco_unit(keys, _set(keys, columns[1], "price", np.float64(price)), columns[0], REGION)
    assert as_numpy == cells.tco_unit(keys, columns[1], columns[0], REGION)


def test_tco_range_names_a_rejected_bound(demo):
    keys, columns, _ = demo
    found = cells.tco_range(keys, columns[1], "price", -1, 5, columns[0], REGION)
    assert found.startswith("Error: low = -1 for price: option 'Buy in China': price = -1.0 is invalid")


def test_tco_range_rejects_a_text_field(demo):
    keys, columns, _ = demo
    assert cells.tco_range(keys, columns[1], "country", 1, 2, columns[0], REGION) == (
        "Error: field 'country' is a country input; expected a number input such as price or duty_rate"
    )


def test_a_wrong_number_of_arguments_is_named():
    assert cells.tco_unit([["annual_volume"]]) == "Error: found 1 arguments; expected (keys, option, [baseline], [region])"
    assert cells.tco_country("CN") == "Error: found 1 arguments; expected (country, figure)"


def test_a_long_name_is_cut_in_the_message():
    found = cells.tco_country("CN", "x" * 3000)
    assert len(found) < 500


def test_empty_rows_after_the_keys_are_ignored(demo):
    keys, columns, result = demo
    padding = [[None]] * 50_000
    found = cells.tco_unit(keys + padding, columns[1] + padding, columns[0] + padding, REGION)
    assert found == result.options[1].tco_per_unit_eur


def test_a_range_from_the_heading_row_skips_it(demo):
    keys, columns, result = demo
    found = cells.tco_unit([["Key"]] + keys, [["Option 2"]] + columns[1], [["Baseline"]] + columns[0], REGION)
    assert found == result.options[1].tco_per_unit_eur


def test_country_figures_ignore_case():
    assert cells.tco_country("cn", "TRANSIT_DAYS") == cells.tco_country("CN", "transit_days")
