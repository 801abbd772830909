"""Labour cost, loonkostensubsidie, WBSO, the minimum wage by date and the ETS share by year."""

from __future__ import annotations

import datetime as dt

import pytest

from tco_xl import build_case, compute_case
from tco_xl.forecast import ets_surrender_share
from tco_xl.inputs import dutch_columns
from tco_xl.labour import loaded_hourly_cost, loonkostensubsidie_per_hour, wbso_credit
from tco_xl.lines import compute_lines

from conftest import MAKE_OVERRIDES


def test_loaded_hourly_cost():
    # 15 x 1.08 holiday allowance x 1.25 employer on-costs.
    assert loaded_hourly_cost(15.0, 0.08, 0.25) == pytest.approx(20.25)


def test_labour_line_uses_loaded_wage(make_row):
    lines, _ = compute_lines(make_row(**{**MAKE_OVERRIDES, "labour_hours": 1.5}))
    assert float(lines["labour"]) == pytest.approx(1.5 * 15 * 1.08 * 1.25)


def test_labour_line_in_case(small_case_raw):
    option = small_case_raw["options"][0]
    option.update(labour_hours=1.5, hourly_wage_eur=18.0, holiday_allowance_rate=0.08, employer_oncost_rate=0.3)
    result = compute_case(build_case(small_case_raw))
    assert result.options[0].lines["labour"] == pytest.approx(1.5 * 18 * 1.08 * 1.3)


# Minimum wage 14, holiday allowance 8 %, employer-charge allowance 25 %, cap 70 %.
# The cap per hour is 0.7 x 14 x 1.08 = 10.584.
@pytest.mark.parametrize(
    ("wage", "loonwaarde", "expected"),
    [
        # Below the cap: (1 - 0.4) x 14 x 1.08 = 9.072.
        (15.0, 0.4, 0.6 * 14 * 1.08 * 1.25),
        # Exactly at the cap: (1 - 0.3) x 14 x 1.08 = 10.584.
        (15.0, 0.3, 0.7 * 14 * 1.08 * 1.25),
        # A low loonwaarde hits the cap: (1 - 0.1) x 15.12 = 13.608 > 10.584.
        (15.0, 0.1, 0.7 * 14 * 1.08 * 1.25),
        # A wage below the minimum wage is the base: (1 - 0.5) x 12 x 1.08 = 6.48.
        (12.0, 0.5, 0.5 * 12 * 1.08 * 1.25),
        # Full wage value: no subsidy.
        (15.0, 1.0, 0.0),
    ],
)
def test_loonkostensubsidie_per_hour(wage, loonwaarde, expected):
    subsidy = loonkostensubsidie_per_hour(14.0, wage, 0.08, loonwaarde, 0.25, 0.7)
    assert float(subsidy) == pytest.approx(expected)


def test_loonkostensubsidie_line_at_cap(make_row):
    # 40 % of 2 standard hours at loonwaarde 0.05 is 2 x 0.4 / 0.05 = 16 paid hours,
    # each subsidised at the cap of 0.7 x 14 x 1.08 = 10.584, x 1.25.
    row = make_row(**{**MAKE_OVERRIDES, "lks_share": 0.4, "loonwaarde": 0.05})
    lines, _ = compute_lines(row)
    assert float(lines["loonkostensubsidie"]) == pytest.approx(-(16 * 0.7 * 14 * 1.08 * 1.25))


def test_loonkostensubsidie_line_below_minimum_wage(make_row):
    # All 2 standard hours at loonwaarde 0.5 are 4 paid hours at the wage of 12 EUR.
    row = make_row(**{**MAKE_OVERRIDES, "hourly_wage_eur": 12.0, "lks_share": 1.0, "loonwaarde": 0.5})
    lines, _ = compute_lines(row)
    assert float(lines["loonkostensubsidie"]) == pytest.approx(-(4 * 0.5 * 12 * 1.08 * 1.25))


def test_loonkostensubsidie_in_case(small_case_raw):
    option = small_case_raw["options"][0]
    # The wage is below the minimum wage of 2026-03-01, so the gap is on the wage.
    option.update(hourly_wage_eur=12.0, holiday_allowance_rate=0.08, lks_share=0.5, loonwaarde=0.5)
    result = compute_case(build_case(small_case_raw))
    allowance = dutch_columns(dt.date(2026, 3, 1), 0.0, 6.0, 0.0)["lks_allowance"]
    # Half of 1 standard hour at loonwaarde 0.5 is 1.0 paid hour.
    expected = -(1.0 * 0.5 / 0.5 * 0.5 * 12 * 1.08 * (1 + allowance))
    assert result.options[0].lines["loonkostensubsidie"] == pytest.approx(expected)


# First bracket 400,000 at 40 %, 20 % above it.
@pytest.mark.parametrize(
    ("rd_cost", "expected"),
    [
        (100000.0, 0.4 * 100000),
        (400000.0, 0.4 * 400000),
        (500000.0, 0.4 * 400000 + 0.2 * 100000),
        (0.0, 0.0),
    ],
)
def test_wbso_credit_brackets(rd_cost, expected):
    assert float(wbso_credit(rd_cost, 400000.0, 0.4, 0.2)) == pytest.approx(expected)


def test_wbso_line_above_bracket(make_row):
    # 10,000 R&D hours at 50 EUR = 500,000 EUR a year over 10,000 units.
    row = make_row(rd_hours_per_year=10000.0, rd_hourly_wage_eur=50.0)
    lines, _ = compute_lines(row)
    assert float(lines["wbso"]) == pytest.approx(-(0.4 * 400000 + 0.2 * 100000) / 10000)


def test_wbso_line_starter_rate(make_row):
    row = make_row(rd_hours_per_year=1000.0, rd_hourly_wage_eur=50.0, wbso_rate_first=0.5)
    lines, _ = compute_lines(row)
    assert float(lines["wbso"]) == pytest.approx(-(0.5 * 50000) / 10000)


def test_wbso_starter_rate_from_figures():
    # WBSO 2026: 36 % up to EUR 391,020 (50 % for starters), 16 % above.
    regular = dutch_columns(dt.date(2026, 3, 1), 0.0, 6.0, 0.0)
    starter = dutch_columns(dt.date(2026, 3, 1), 1.0, 6.0, 0.0)
    assert float(regular["wbso_rate_first"]) == pytest.approx(0.36)
    assert float(starter["wbso_rate_first"]) == pytest.approx(0.50)
    assert starter["wbso_rate_above"] == pytest.approx(0.16)
    assert starter["wbso_first_bracket_eur"] == pytest.approx(391020)


def test_wbso_rules_by_year():
    # WBSO 2025: 36 % up to EUR 380,000. WBSO 2024: 32 % up to EUR 350,000, 40 % for starters.
    figures_2025 = dutch_columns(dt.date(2025, 6, 1), 0.0, 6.0, 0.0)
    figures_2024 = dutch_columns(dt.date(2024, 6, 1), 1.0, 6.0, 0.0)
    assert figures_2025["wbso_first_bracket_eur"] == pytest.approx(380000)
    assert float(figures_2025["wbso_rate_first"]) == pytest.approx(0.36)
    assert figures_2024["wbso_first_bracket_eur"] == pytest.approx(350000)
    assert float(figures_2024["wbso_rate_first"]) == pytest.approx(0.40)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2025, 6, 30), 14.06),
        (dt.date(2025, 7, 1), 14.40),
        (dt.date(2025, 12, 31), 14.40),
        (dt.date(2026, 1, 1), 14.71),
        (dt.date(2024, 7, 1), 13.68),
    ],
)
def test_minimum_wage_by_date(date, expected):
    assert dutch_columns(date, 0.0, 6.0, 0.0)["minimum_wage_eur_per_hour"] == pytest.approx(expected)


def test_default_dutch_wage_from_labour_cost(small_case_raw):
    # The packaged all-in labour cost, less the holiday allowance and on-costs.
    from tco_xl.defaults import country, dutch_figures

    all_in = country("NL").value("labour_cost_eur_per_hour")
    loading = (1 + dutch_figures().value("holiday_allowance_rate")) * (1 + dutch_figures().value("employer_oncost_rate"))
    option = small_case_raw["options"][0]
    del option["hourly_wage_eur"]
    option.pop("holiday_allowance_rate", None)
    option.pop("employer_oncost_rate", None)
    case = build_case(small_case_raw)
    made = case.options[0]
    assert made["hourly_wage_eur"] == pytest.approx(all_in / loading)
    assert "NL all-in labour cost" in made.defaults_used["hourly_wage_eur"]


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2023, 0.0), (2024, 0.40), (2025, 0.70), (2026, 1.00), (2030, 1.00)],
)
def test_ets_surrender_share_by_year(year, expected):
    assert ets_surrender_share(year) == pytest.approx(expected)


def test_ets_surrender_share_of_array():
    shares = ets_surrender_share([2023, 2024, 2025, 2026, 2030])
    assert list(shares) == pytest.approx([0.0, 0.40, 0.70, 1.00, 1.00])


def test_ets_surrender_share_of_figures_date():
    assert dutch_columns(dt.date(2025, 3, 1), 0.0, 6.0, 0.0)["ets_surrender_share"] == pytest.approx(0.70)
