"""The multi-year path, NPV, break-even price and the year the baseline becomes cheaper."""

from __future__ import annotations

import math

import pytest

from tco_xl import build_case, compute_case
from tco_xl.forecast import break_even_price, evaluate

from conftest import MAKE_OVERRIDES

# Overrides that leave four lines in the hand row, each on its own growth path:
# purchase price 100 x 0.5 = 50 (FX trend), main freight 5000 / 500 = 10
# (freight growth), maritime ETS 0.002 t x 0.5 x 80 = 0.08 (carbon price growth)
# and oversight 100 h x 100 EUR / 10000 = 1 (the company's own wage inflation).
FOUR_LINES = {
    "horizon_years": 3.0,
    "discount_rate": 0.1,
    "fx_trend_per_year": -0.1,
    "freight_growth_per_year": 0.2,
    "carbon_price_growth_per_year": 0.5,
    "home_wage_inflation_per_year": 0.1,
    "packaging_eur": 0.0,
    "inland_origin_eur_per_load": 0.0,
    "inland_destination_eur_per_load": 0.0,
    "insurance_rate": 0.0,
    "duty_rate": 0.0,
    "brokerage_eur_per_shipment": 0.0,
    "article_23_licence": 1.0,
    "cost_of_capital": 0.0,
    "carrying_rate": 0.0,
    "obsolescence_share": 0.0,
    "defect_rate": 0.0,
    "warranty_rate": 0.0,
    "trips_per_year": 0.0,
    "audits_per_year": 0.0,
    "transition_eur": 0.0,
    "training_eur": 0.0,
    "training_subsidy_eur": 0.0,
    "risk_events_eur_per_year": 0.0,
    "risk_share_of_price": 0.0,
    "strategic_share": 0.0,
    "cbam_covered": 0.0,
}

# Year t: 50 x 0.9^t + 10 x 1.2^t + 0.08 x 1.5^t + 1 x 1.1^t.
FOUR_LINES_PATH = [
    50 + 10 + 0.08 + 1,
    45 + 12 + 0.12 + 1.1,
    40.5 + 14.4 + 0.18 + 1.21,
]


def test_path_four_growth_lines(make_row):
    result = evaluate(make_row(**FOUR_LINES))
    assert len(result["path_unit_eur"]) == 3
    for year_index, expected in enumerate(FOUR_LINES_PATH):
        assert float(result["path_unit_eur"][year_index]) == pytest.approx(expected), f"year index {year_index}"


def test_first_year_equals_unit_tco(make_row):
    result = evaluate(make_row(**FOUR_LINES))
    assert float(result["tco_per_unit_eur"]) == pytest.approx(61.08)
    assert float(result["annual_tco_eur"]) == pytest.approx(61.08 * 10000)


def test_npv_discounts_first_year(make_row):
    # Spreadsheet NPV: the first year is discounted by one period.
    result = evaluate(make_row(**FOUR_LINES))
    expected = 10000 * (61.08 / 1.1 + 58.22 / 1.1**2 + 56.29 / 1.1**3)
    assert float(result["npv_eur"]) == pytest.approx(expected)


def test_path_past_horizon_is_nan(make_row):
    result = evaluate(make_row(**FOUR_LINES), max_horizon=5)
    assert len(result["path_unit_eur"]) == 5
    assert math.isnan(float(result["path_unit_eur"][3]))
    assert math.isnan(float(result["path_unit_eur"][4]))
    expected = 10000 * (61.08 / 1.1 + 58.22 / 1.1**2 + 56.29 / 1.1**3)
    assert float(result["npv_eur"]) == pytest.approx(expected)


def test_path_labour_wage_inflation(make_row):
    # Make: materials 20 and machine and overhead 5 stay, while labour 40.5 grows 10 % a year.
    overrides = {"cost_per_load_eur": 0.0, "distance_km": 0.0, "oversight_hours_per_year": 0.0, "wage_inflation_per_year": 0.1}
    row = make_row(**{**FOUR_LINES, **MAKE_OVERRIDES, **overrides})
    result = evaluate(row)
    expected = [20 + 5 + 40.5, 20 + 5 + 40.5 * 1.1, 20 + 5 + 40.5 * 1.1**2]
    for year_index, value in enumerate(expected):
        assert float(result["path_unit_eur"][year_index]) == pytest.approx(value), f"year index {year_index}"


def test_path_ets_share_phase_in(make_row):
    # Only the ETS line is left. Starting in 2024, the surrender share is 40 %, 70 % and 100 %.
    row = make_row(
        **{**FOUR_LINES, "price": 0.0, "cost_per_load_eur": 0.0, "oversight_hours_per_year": 0.0, "carbon_price_growth_per_year": 0.0},
        start_year=2024.0,
        ets_surrender_share=0.4,
    )
    result = evaluate(row)
    expected = [0.002 * 0.5 * 80 * share for share in (0.4, 0.7, 1.0)]
    for year_index, value in enumerate(expected):
        assert float(result["path_unit_eur"][year_index]) == pytest.approx(value), f"year index {year_index}"


def test_path_cbam_carbon_growth(make_row):
    # CBAM 0.5 t x (80 - 20) = 30 EUR, and both prices grow 50 % a year.
    row = make_row(
        **{**FOUR_LINES, "price": 0.0, "cost_per_load_eur": 0.0, "oversight_hours_per_year": 0.0, "distance_km": 0.0, "cbam_covered": 1.0},
    )
    result = evaluate(row)
    expected = [30.0, 45.0, 67.5]
    for year_index, value in enumerate(expected):
        assert float(result["path_unit_eur"][year_index]) == pytest.approx(value), f"year index {year_index}"


def test_break_even_slope_hand_row(make_row):
    # One EUR more price in the four-line row moves only the purchase price.
    result = evaluate(make_row(**FOUR_LINES))
    assert float(result["break_even_slope"]) == pytest.approx(1.0)
    assert float(result["direct_cost_eur"]) == pytest.approx(50.0)


def test_break_even_price_formula():
    # Direct cost 30, TCO 36, baseline 40, slope 1.2: 30 + (40 - 36) / 1.2.
    assert break_even_price(30.0, 1.2, 36.0, 40.0) == pytest.approx(30 + 4 / 1.2)


def test_break_even_price_without_slope():
    assert math.isnan(break_even_price(30.0, 0.0, 36.0, 40.0))


def test_break_even_hand_case(small_case_raw):
    # China: 60 USD x 0.5 = 30 EUR, plus 5 % risk and 15 % strategic share of
    # the goods value, so TCO 30 x 1.2 = 36 and slope 1.2. Baseline: 20 + 20 = 40.
    china = small_case_raw["options"][1]
    china.update(price=60.0, fx_eur_per_unit=0.5, risk_share_of_price=0.05, strategic_share=0.15)
    result = compute_case(build_case(small_case_raw))
    option = result.options[1]
    assert result.baseline.tco_per_unit_eur == pytest.approx(40.0)
    assert option.tco_per_unit_eur == pytest.approx(36.0)
    assert option.break_even_price_eur == pytest.approx(30 + (40 - 36) / 1.2)
    assert option.break_even_price_currency == pytest.approx((30 + (40 - 36) / 1.2) / 0.5)


def test_baseline_has_no_break_even(small_case):
    result = compute_case(small_case)
    assert math.isnan(result.baseline.break_even_price_eur)
    assert math.isnan(result.baseline.break_even_price_currency)


def test_break_even_formula_at_own_tco():
    # An option as costly as the baseline breaks even at its own direct cost.
    assert break_even_price(40.0, 1.3, 55.0, 55.0) == pytest.approx(40.0)


BREAK_EVEN_CASE = {
    "name": "frame",
    "settings": {"figures_date": "2026-03-01"},
    "part": {"name": "frame", "annual_volume": 12000, "unit_weight_kg": 28, "unit_volume_m3": 0.29},
    "options": [
        {
            "name": "Make in Tilburg",
            "country": "NL",
            "sourcing": "make",
            "materials_eur": 40,
            "labour_hours": 1.5,
            "hourly_wage_eur": 18,
            "lks_share": 0.3,
            "loonwaarde": 0.5,
            "investment": {"machines_eur": 250000},
        },
        {
            "name": "China",
            "country": "CN",
            "sourcing": "buy",
            "price": 420,
            "duty_rate": 0.027,
            "cbam_covered": True,
            "embedded_tco2e_per_unit": 0.05,
        },
        {"name": "Poland", "country": "PL", "sourcing": "buy", "price": 380},
        {"name": "Turkey", "country": "TR", "sourcing": "buy", "price": 2500, "duty_rate": 0.0, "deposit_share": 0.5},
    ],
}


@pytest.mark.parametrize("option_index", [1, 2, 3])
def test_price_at_break_even_matches_baseline(option_index):
    first = compute_case(build_case(BREAK_EVEN_CASE))
    option = first.options[option_index]
    raw = {**BREAK_EVEN_CASE, "options": [dict(o) for o in BREAK_EVEN_CASE["options"]]}
    raw["options"][option_index]["price"] = option.break_even_price_currency
    second = compute_case(build_case(raw))
    assert second.options[option_index].tco_per_unit_eur == pytest.approx(second.baseline.tco_per_unit_eur, rel=1e-9)
    assert second.options[option_index].gap_per_unit_eur == pytest.approx(0.0, abs=1e-7)


def test_make_break_even_matches_baseline():
    # A make option against a bought baseline: the break-even is its direct cost.
    raw = {**BREAK_EVEN_CASE, "options": [dict(o) for o in BREAK_EVEN_CASE["options"]]}
    raw["options"][0]["baseline"] = False
    raw["options"][2]["baseline"] = True
    first = compute_case(build_case(raw))
    make = first.options[0]
    shift = make.break_even_price_eur - make.lines["materials"] - make.lines["labour"] - make.lines["machine_overhead"]
    raw["options"][0] = {**raw["options"][0], "materials_eur": 40 + shift}
    second = compute_case(build_case(raw))
    assert second.options[0].tco_per_unit_eur == pytest.approx(second.baseline.tco_per_unit_eur, rel=1e-9)


def cheaper_case(raw: dict) -> dict:
    """Set the small case to four years, baseline wages +5 % a year and the China price +10 % a year."""
    raw["settings"]["horizon_years"] = 4
    raw["options"][0]["wage_inflation_per_year"] = 0.05
    raw["options"][1].update(price=36.0, fx_trend_per_year=0.1)
    return raw


def test_case_path_by_hand(small_case_raw):
    result = compute_case(build_case(cheaper_case(small_case_raw)))
    baseline, china = result.options
    # Baseline: materials 20 + labour 20 x 1.05^t. China: 36 x 1.1^t.
    baseline_path = [40.0, 41.0, 42.05, 43.1525]
    china_path = [36.0, 39.6, 43.56, 47.916]
    assert [year.year for year in china.path] == [2026, 2027, 2028, 2029]
    assert [year.tco_per_unit_eur for year in baseline.path] == pytest.approx(baseline_path)
    assert [year.tco_per_unit_eur for year in china.path] == pytest.approx(china_path)
    assert [year.annual_cost_eur for year in china.path] == pytest.approx([12000 * value for value in china_path])
    expected_npv = 12000 * (40 / 1.1 + 41 / 1.1**2 + 42.05 / 1.1**3 + 43.1525 / 1.1**4)
    assert baseline.npv_eur == pytest.approx(expected_npv)


def test_baseline_cheaper_from_year(small_case_raw):
    result = compute_case(build_case(cheaper_case(small_case_raw)))
    china = result.options[1]
    # Yearly gaps per unit are -4, -1.4, +1.51 and +4.7635, so cumulative -4, -5.4, -3.89, +0.8735.
    expected_gaps = [12000 * gap for gap in (-4.0, -5.4, -3.89, 0.8735)]
    assert [year.cumulative_gap_eur for year in china.path] == pytest.approx(expected_gaps)
    assert china.baseline_cheaper_from_year == 2029
    assert result.baseline.baseline_cheaper_from_year is None


def test_baseline_never_cheaper(small_case_raw):
    # Three years only: the cumulative gap is still -3.89 x 12000 at the end.
    raw = cheaper_case(small_case_raw)
    raw["settings"]["horizon_years"] = 3
    result = compute_case(build_case(raw))
    assert result.options[1].baseline_cheaper_from_year is None


def test_baseline_cheaper_from_first_year(small_case_raw):
    small_case_raw["options"][1]["price"] = 41.0
    result = compute_case(build_case(small_case_raw))
    assert result.options[1].baseline_cheaper_from_year == 2026


def test_path_price_labour_share(make_row):
    # Purchase price 50: 40 % follows wages +10 % a year, 60 % the FX trend -10 %:
    # year t = 50 x (0.6 x 0.9^t + 0.4 x 1.1^t); the other three lines as before.
    row = make_row(**{**FOUR_LINES, "price_labour_share": 0.4, "wage_inflation_per_year": 0.1})
    result = evaluate(row)
    purchase = [50.0, 50 * (0.6 * 0.9 + 0.4 * 1.1), 50 * (0.6 * 0.81 + 0.4 * 1.21)]
    others = [10 + 0.08 + 1, 12 + 0.12 + 1.1, 14.4 + 0.18 + 1.21]
    for year_index in range(3):
        expected = purchase[year_index] + others[year_index]
        assert float(result["path_unit_eur"][year_index]) == pytest.approx(expected), f"year index {year_index}"


def test_path_wages_in_eur(make_row):
    # Make: labour 40.5 grows with local wages +30 % and a currency trend -20 %,
    # so 1.3 x 0.8 = 1.04 a year in EUR; materials 20 and machine 5 stay.
    overrides = {"cost_per_load_eur": 0.0, "distance_km": 0.0, "oversight_hours_per_year": 0.0}
    # Local inflation 25 % cancels the currency trend for materials and machine: 1.25 x 0.8 = 1.
    local = {"wage_inflation_per_year": 0.3, "local_fx_trend_per_year": -0.2, "local_inflation_per_year": 0.25}
    result = evaluate(make_row(**{**FOUR_LINES, **MAKE_OVERRIDES, **overrides, **local}))
    for year_index, value in enumerate([65.5, 25 + 40.5 * 1.04, 25 + 40.5 * 1.04**2]):
        assert float(result["path_unit_eur"][year_index]) == pytest.approx(value), f"year index {year_index}"


def test_path_cbam_factor_by_year(make_row):
    # Embedded 0.5 t, benchmark 0.4 t, CBAM price 80 - origin 20 = 60 EUR per t.
    # 2026: factor 0.975 -> (0.5 - 0.39) x 60 = 6.6; 2027: 0.95 -> 0.12 x 60 = 7.2;
    # 2028: 0.90 -> 0.14 x 60 = 8.4.
    only_cbam = {**FOUR_LINES, "price": 0.0, "cost_per_load_eur": 0.0, "oversight_hours_per_year": 0.0, "distance_km": 0.0}
    row = make_row(**{**only_cbam, "cbam_covered": 1.0, "cbam_benchmark_tco2e_per_unit": 0.4, "cbam_factor": 0.975, "carbon_price_growth_per_year": 0.0})
    result = evaluate(row)
    for year_index, expected in enumerate([6.6, 7.2, 8.4]):
        assert float(result["path_unit_eur"][year_index]) == pytest.approx(expected), f"year index {year_index}"


def test_path_cbam_before_certificates(make_row):
    # Start in 2025: no certificates are due yet, then 2026 with factor 0.975 and benchmark 0.
    only_cbam = {**FOUR_LINES, "price": 0.0, "cost_per_load_eur": 0.0, "oversight_hours_per_year": 0.0, "distance_km": 0.0}
    row = make_row(**{**only_cbam, "cbam_covered": 1.0, "start_year": 2025.0, "cbam_certificates_due": 0.0, "carbon_price_growth_per_year": 0.0})
    result = evaluate(row)
    # 0.5 t x (80 - 20) = 30 from 2026.
    assert float(result["path_unit_eur"][0]) == pytest.approx(0.0)
    assert float(result["path_unit_eur"][1]) == pytest.approx(30.0)


def test_no_break_even_below_zero():
    # Direct cost 30 and 80 EUR dearer than the baseline at a slope of 1.2:
    # the price would have to be 30 - 80 / 1.2 < 0, so there is none.
    assert math.isnan(break_even_price(30.0, 1.2, 120.0, 40.0))


def test_path_local_currency_price(make_row):
    # Priced in the supplier's own currency: the non-labour share follows local
    # inflation +30 % and the currency trend -25 %, so 1.3 x 0.75 = 0.975 a year.
    only_price = {**FOUR_LINES, "cost_per_load_eur": 0.0, "oversight_hours_per_year": 0.0, "distance_km": 0.0}
    local = {"price_in_local_currency": 1.0, "local_inflation_per_year": 0.3, "local_fx_trend_per_year": -0.25}
    result = evaluate(make_row(**{**only_price, **local}))
    for year_index in range(3):
        assert float(result["path_unit_eur"][year_index]) == pytest.approx(50 * 0.975**year_index), f"year index {year_index}"


def test_quote_currency_changes_path_little(small_case_raw):
    # The same EUR price from Turkey, quoted in EUR or in TRY, stays close over five
    # years: the lira's fall is offset by Turkish inflation.
    small_case_raw["settings"]["horizon_years"] = 5
    turkey = {"name": "Turkey", "country": "TR", "sourcing": "buy", "transport_mode": "road", "load_type": "truck_ftl", "duty_rate": 0.0}
    in_eur = {**turkey, "price": 30.0, "currency": "EUR"}
    in_try = {**turkey, "price": 30.0, "currency": "TRY", "fx_eur_per_unit": 1.0}
    small_case_raw["options"][1] = in_eur
    eur_path = [year.tco_per_unit_eur for year in compute_case(build_case(small_case_raw)).options[1].path]
    small_case_raw["options"][1] = in_try
    try_path = [year.tco_per_unit_eur for year in compute_case(build_case(small_case_raw)).options[1].path]
    assert eur_path[0] == pytest.approx(try_path[0])
    assert abs(try_path[-1] / eur_path[-1] - 1) < 0.15


def test_path_make_costs_follow_local_inflation(make_row):
    # Materials 20 and machine and overhead 5 grow 10 % a year; labour 40.5 stays.
    overrides = {"cost_per_load_eur": 0.0, "distance_km": 0.0, "oversight_hours_per_year": 0.0, "local_inflation_per_year": 0.1}
    result = evaluate(make_row(**{**FOUR_LINES, **MAKE_OVERRIDES, **overrides}))
    for year_index, value in enumerate([65.5, 25 * 1.1 + 40.5, 25 * 1.21 + 40.5]):
        assert float(result["path_unit_eur"][year_index]) == pytest.approx(value), f"year index {year_index}"


def test_local_price_fx_trend_given(small_case_raw):
    # A CNY price with its own FX trend: the trend is also the local one.
    china = small_case_raw["options"][1]
    china.update(currency="CNY", fx_eur_per_unit=0.125, fx_trend_per_year=-0.3)
    case = build_case(small_case_raw)
    assert case.options[1]["local_fx_trend_per_year"] == -0.3
    assert case.options[1].defaults_used["local_fx_trend_per_year"] == "default: the price's FX trend"
