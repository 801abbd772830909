"""Every cost line of ``compute_lines`` against a value worked out by hand.

The hand row (see conftest) buys a part for 100 x 0.5 = 50 EUR plus 2 EUR
packaging (invoice 52), EXW by sea in loads of 500 units. Its legs per unit
are origin 500 / 500 = 1, main 5000 / 500 = 10 and destination
1000 / 500 = 2, so:

- insurance = 0.01 x (52 + 1 + 10) = 0.63
- customs value = 52 + 1 + 10 + 0.63 = 63.63, duty = 0.1 x 63.63 = 6.363
- brokerage = 100 / 500 = 0.2
- landed value = 52 + 10 + 1 + 2 + 0.63 + 6.363 + 0.2 = 72.193
- safety stock = z x sqrt(9 x 40^2 + 160^2 x 1^2) = 200 z units, with a
  lead time of (21 + 42) / 7 = 9 periods and a spread of 7 / 7 = 1 period.
"""

from __future__ import annotations

import math

import pytest

from tco_xl.lines import LINE_IDS, LINES, compute_lines

from conftest import MAKE_OVERRIDES

# Standard normal quantile of the 95 % service level.
Z_95 = 1.6448536269514722
LANDED = 72.193
SAFETY_UNITS = 200 * Z_95

INVESTMENT = {
    "machines_eur": 100000.0,
    "machines_life_years": 10.0,
    "tooling_eur": 20000.0,
    "tooling_life_years": 5.0,
    "building_eur": 300000.0,
    "building_life_years": 30.0,
}

# Line id -> (overrides of the hand row, value worked out by hand in EUR per unit).
# Each case is chosen so that its line is not zero.
HAND_VALUES = {
    "purchase_price": ({}, 100 * 0.5),
    "materials": (MAKE_OVERRIDES, 20.0),
    "labour": (MAKE_OVERRIDES, 2 * 15 * 1.08 * 1.25),
    "machine_overhead": (MAKE_OVERRIDES, 3 + 2),
    "depreciation": (INVESTMENT, (100000 / 10 + 20000 / 5 + 300000 / 30) / 10000),
    "packaging": ({}, 2.0),
    "main_freight": ({}, 5000 / 500),
    # A quarter flies at 4 EUR per chargeable kg, max(10 kg, 0.12 m3 x 1e6 / 6000 = 20 kg).
    "air_freight": ({"air_share": 0.25}, 0.25 * 20 * 4),
    "inland_origin": ({}, 500 / 500),
    "inland_destination": ({}, 1000 / 500),
    "insurance": ({}, 0.01 * (52 + 1 + 10)),
    "duty": ({}, 0.1 * 63.63),
    "brokerage": ({}, 100 / 500),
    # VAT base = customs value + duty + destination leg, financed 73 / 365 = 0.2 years.
    "vat_prefinancing": ({}, 0.2 * (63.63 + 6.363 + 2) * 73 * 0.1 / 365),
    # Paid for 0.5 x (21 + 42) + 0.5 x 10 = 36.5 days on price and packaging.
    "payment_terms": ({}, (50 + 2) * 36.5 * 0.1 / 365),
    "cycle_stock": ({}, 500 / 2 * LANDED * 0.25 / 10000),
    "safety_stock": ({}, SAFETY_UNITS * LANDED * 0.25 / 10000),
    "obsolescence": ({}, (500 / 2 + SAFETY_UNITS) * LANDED * 0.5 / (5 * 10000)),
    # 200,000 of the 420,000 under BMKB at 6 % - 1 %, the rest at 6 %.
    "financing": (
        {**INVESTMENT, "bmkb_credit_eur": 200000.0, "bmkb_rate_reduction": 0.01},
        ((420000 - 200000) / 2 * 0.06 + 200000 / 2 * 0.05) / 10000,
    ),
    "bmkb_fee": ({"bmkb_credit_eur": 200000.0}, 200000 * 0.05 / (5 * 10000)),
    "defects": ({}, 0.02 * (LANDED + 10)),
    "warranty": ({}, 0.01 * 200),
    "oversight": ({}, (2 * 5000 + 1 * 10000 + 100 * 100) / 10000),
    "transition": ({}, 50000 / (5 * 10000)),
    "training": ({}, 25000 / (5 * 10000)),
    "risk_events": ({}, 20000 / 10000),
    "risk_share": ({}, 0.05 * 50),
    "strategic": ({}, 0.1 * 50),
    # 20000 km x 0.010 t x 10 g per t-km / 1e6 = 0.002 t, half of it covered, at 80 EUR.
    "carbon_ets": ({}, 20000 * 0.010 * 10 / 1e6 * 0.5 * 1.0 * 80),
    "carbon_cbam": ({}, 0.5 * (80 - 20)),
    # Wage 15 is above the minimum wage 14, so 14 x 1.08 is the base. The gap at
    # loonwaarde 0.4 is 14 x 1.08 x 0.6 = 9.072, under the cap 0.7 x 14 x 1.08 = 10.584.
    # Half of the 2 standard hours by staff at loonwaarde 0.4: 2 x 0.5 / 0.4 = 2.5 paid
    # hours, each subsidised with (1 - 0.4) x 14 x 1.08 (below the cap) x 1.25.
    "loonkostensubsidie": (
        {**MAKE_OVERRIDES, "lks_share": 0.5, "loonwaarde": 0.4},
        -(2.5 * 0.6 * 14 * 1.08 * 1.25),
    ),
    "wbso": ({"rd_hours_per_year": 1000.0, "rd_hourly_wage_eur": 50.0}, -(0.4 * 1000 * 50) / 10000),
    "rd_labour": ({"rd_hours_per_year": 1000.0, "rd_hourly_wage_eur": 50.0}, 1000 * 50 / 10000),
    "training_subsidy": ({}, -10000 / (5 * 10000)),
}

# Every line of the unchanged hand row, zeros included.
HAND_ROW_LINES = {
    "purchase_price": 50.0,
    "materials": 0.0,
    "labour": 0.0,
    "machine_overhead": 0.0,
    "depreciation": 0.0,
    "packaging": 2.0,
    "main_freight": 10.0,
    "air_freight": 0.0,
    "inland_origin": 1.0,
    "inland_destination": 2.0,
    "insurance": 0.63,
    "duty": 6.363,
    "brokerage": 0.2,
    "vat_prefinancing": 71.993 * 0.004,
    "payment_terms": 0.52,
    "cycle_stock": 250 * 72.193 * 0.25 / 10000,
    "safety_stock": 200 * Z_95 * 72.193 * 0.25 / 10000,
    "obsolescence": (250 + 200 * Z_95) * 72.193 * 0.5 / 50000,
    "financing": 0.0,
    "bmkb_fee": 0.0,
    "defects": 0.02 * 82.193,
    "warranty": 2.0,
    "oversight": 3.0,
    "transition": 1.0,
    "training": 0.5,
    "risk_events": 2.0,
    "risk_share": 2.5,
    "strategic": 5.0,
    "carbon_ets": 0.08,
    "carbon_cbam": 30.0,
    "loonkostensubsidie": 0.0,
    "wbso": 0.0,
    "rd_labour": 0.0,
    "training_subsidy": -0.2,
}


def test_catalogue_has_34_lines():
    assert len(LINES) == 34
    assert len(set(LINE_IDS)) == 34


def test_every_line_has_hand_value():
    assert set(HAND_VALUES) == set(LINE_IDS)
    assert set(HAND_ROW_LINES) == set(LINE_IDS)


@pytest.mark.parametrize("line_id", LINE_IDS)
def test_line_matches_hand_value(make_row, line_id):
    overrides, expected = HAND_VALUES[line_id]
    lines, _ = compute_lines(make_row(**overrides))
    assert expected != 0, f"the hand case of {line_id} should exercise the line"
    assert float(lines[line_id]) == pytest.approx(expected, rel=1e-12, abs=1e-12), line_id


def test_hand_row_all_lines(flat_row):
    lines, _ = compute_lines(flat_row)
    assert set(lines) == set(LINE_IDS)
    for line_id, expected in HAND_ROW_LINES.items():
        assert float(lines[line_id]) == pytest.approx(expected, rel=1e-12, abs=1e-12), line_id


def test_hand_row_quantities(flat_row):
    _, quantities = compute_lines(flat_row)
    assert quantities["units_per_load"] == 500
    assert float(quantities["units_per_shipment"]) == 500
    assert float(quantities["customs_value_eur"]) == pytest.approx(63.63)
    assert float(quantities["landed_value_eur"]) == pytest.approx(72.193)
    assert float(quantities["safety_stock_units"]) == pytest.approx(200 * Z_95)
    assert float(quantities["transport_tco2e_per_unit"]) == pytest.approx(0.002)


def test_make_has_no_purchase_price(make_row):
    lines, _ = compute_lines(make_row(**{**MAKE_OVERRIDES, "price": 100.0}))
    assert lines["purchase_price"] == 0


def test_buy_has_no_production_lines(make_row):
    row = make_row(materials_eur=20.0, labour_hours=2.0, hourly_wage_eur=15.0, machine_eur=3.0, overhead_eur=2.0)
    lines, _ = compute_lines(row)
    assert lines["materials"] == 0
    assert lines["labour"] == 0
    assert lines["machine_overhead"] == 0


def test_units_per_load_spreadsheet_rounding(make_row):
    # 67 m3 / 0.134 m3 is 499.99999999999994 in floats. A spreadsheet snaps it to
    # 500 before rounding down, so the load takes 500 units, not 499.
    assert math.floor(67 / 0.134) == 499
    row = make_row(usable_volume_m3=67.0, payload_kg=26730.0, unit_volume_m3=0.134, fill_factor=1.0)
    lines, quantities = compute_lines(row)
    assert quantities["units_per_load"] == 500
    assert float(lines["main_freight"]) == pytest.approx(5000 / 500)


def test_units_per_load_fill_after_floor(make_row):
    # floor(min(120 / 0.07, 20000 / 10)) = floor(1714.28...) = 1714, x 0.65 = 1114.1.
    row = make_row(unit_volume_m3=0.07, fill_factor=0.65)
    _, quantities = compute_lines(row)
    assert quantities["units_per_load"] == pytest.approx(1714 * 0.65)


def test_units_per_load_weight_limited(make_row):
    # By weight 20000 / 50 = 400 units, by volume 1000, so 400 x 0.5 = 200 a load.
    row = make_row(unit_weight_kg=50.0)
    lines, quantities = compute_lines(row)
    assert quantities["units_per_load"] == 200
    assert float(lines["main_freight"]) == pytest.approx(5000 / 200)


def test_no_loads_without_surface_transport(make_row):
    row = make_row(has_loads=0.0, usable_volume_m3=0.0, payload_kg=0.0, units_per_shipment=250.0)
    lines, quantities = compute_lines(row)
    assert quantities["units_per_load"] == 0
    assert lines["main_freight"] == 0
    assert lines["inland_origin"] == 0
    assert lines["inland_destination"] == 0
    assert float(lines["brokerage"]) == pytest.approx(100 / 250)


def test_air_share_splits_surface_legs(make_row):
    lines, _ = compute_lines(make_row(air_share=0.25))
    assert float(lines["main_freight"]) == pytest.approx(0.75 * 10)
    assert float(lines["inland_origin"]) == pytest.approx(0.75 * 1)
    assert float(lines["inland_destination"]) == pytest.approx(0.75 * 2)


def test_shipment_size_overrides_load(make_row):
    lines, _ = compute_lines(make_row(units_per_shipment=1000.0))
    assert float(lines["brokerage"]) == pytest.approx(100 / 1000)
    assert float(lines["cycle_stock"]) == pytest.approx(500 * (52 + 10 + 1 + 2 + 0.63 + 6.363 + 0.1) * 0.25 / 10000)


def test_loonkostensubsidie_only_for_make(make_row):
    lines, _ = compute_lines(make_row(lks_share=0.5, loonwaarde=0.4, labour_hours=2.0, hourly_wage_eur=15.0))
    assert lines["loonkostensubsidie"] == 0


def test_cbam_exempt_below_threshold(make_row):
    lines, _ = compute_lines(make_row(cbam_importer_tonnes_per_year=49.0))
    assert lines["carbon_cbam"] == 0


def test_cbam_origin_price_above_certificate(make_row):
    lines, _ = compute_lines(make_row(origin_carbon_price_eur_per_t=100.0))
    assert lines["carbon_cbam"] == 0


def test_ets_zero_when_seller_pays_main_leg(make_row):
    lines, _ = compute_lines(make_row(seller_origin=1.0, seller_main=1.0))
    assert lines["carbon_ets"] == 0


def test_financing_rate_not_below_zero(make_row):
    lines, _ = compute_lines(make_row(**INVESTMENT, interest_rate=0.01, bmkb_credit_eur=420000.0, bmkb_rate_reduction=0.02))
    assert lines["financing"] == 0


def test_financing_credit_capped_at_investment(make_row):
    # A credit larger than the investment lowers the rate on the investment only.
    lines, _ = compute_lines(make_row(**INVESTMENT, bmkb_credit_eur=1e6, bmkb_rate_reduction=0.01))
    assert float(lines["financing"]) == pytest.approx(420000 / 2 * 0.05 / 10000)


def test_financing_without_bmkb_full_rate(make_row):
    lines, _ = compute_lines(make_row(**INVESTMENT, bmkb_credit_eur=0.0, bmkb_rate_reduction=0.01))
    assert float(lines["financing"]) == pytest.approx(420000 / 2 * 0.06 / 10000)


def test_supplier_credit_lowers_payment_terms(make_row):
    # No deposit and payment 60 days after receipt: -60 days on 52 EUR.
    lines, _ = compute_lines(make_row(deposit_share=0.0, payment_days=60.0))
    assert float(lines["payment_terms"]) == pytest.approx(-(52 * 60 * 0.1 / 365))


def test_part_load_premium(make_row):
    # 200 units are 0.4 of a 500-unit load, paid at 0.4 x 1.5 = 0.6 of a load:
    # 0.6 x 5000 / 200 = 15 EUR a unit.
    lines, quantities = compute_lines(make_row(units_per_shipment=200.0))
    assert quantities["units_per_load"] == 500
    assert float(lines["main_freight"]) == pytest.approx(0.6 * 5000 / 200)
    assert float(lines["inland_origin"]) == pytest.approx(0.6 * 500 / 200)
    assert float(lines["inland_destination"]) == pytest.approx(0.6 * 1000 / 200)


def test_part_load_capped_at_full_load(make_row):
    # 400 units are 0.8 of a load; 0.8 x 1.5 = 1.2 is capped at one load: 5000 / 400.
    lines, _ = compute_lines(make_row(units_per_shipment=400.0))
    assert float(lines["main_freight"]) == pytest.approx(5000 / 400)


def test_shipment_over_loads_adds_part_load(make_row):
    # 1200 units: 2 full loads and 0.4 of a load at 1.5 = 2.6 loads; 2.6 x 5000 / 1200.
    lines, _ = compute_lines(make_row(units_per_shipment=1200.0))
    assert float(lines["main_freight"]) == pytest.approx(2.6 * 5000 / 1200)


def test_default_shipment_capped_by_share_of_year(make_row):
    # Loads of 500 units but 1,000 a year with at most 25 % a shipment: 250 units,
    # half a load at 1.5 = 0.75 of a load, so 0.75 x 5000 / 250 = 15 EUR a unit.
    lines, quantities = compute_lines(make_row(annual_volume=1000.0))
    assert quantities["units_per_shipment"] == 250
    assert float(lines["main_freight"]) == pytest.approx(0.75 * 5000 / 250)


def test_loads_per_shipment_spreadsheet_rounding(make_row):
    # 1000.0000000000002 / 500 is float noise above 2 loads. A spreadsheet snaps
    # it to 2 first, so the shipment takes 2 full loads and no part load.
    lines, _ = compute_lines(make_row(units_per_shipment=0.1 * 3 * 3333.3333333333335))
    assert float(lines["main_freight"]) == pytest.approx(2 * 5000 / 1000)


def test_cbam_benchmark_deducted(make_row):
    # (0.5 t embedded - 0.975 x 0.2 t benchmark) x (80 - 20) EUR per t = 0.305 x 60 = 18.3.
    lines, _ = compute_lines(make_row(cbam_benchmark_tco2e_per_unit=0.2, cbam_factor=0.975))
    assert float(lines["carbon_cbam"]) == pytest.approx(18.3)


def test_cbam_not_due_in_transition(make_row):
    lines, _ = compute_lines(make_row(cbam_certificates_due=0.0))
    assert lines["carbon_cbam"] == 0


@pytest.mark.parametrize("overrides", [{"customs_applies": 0.0}, {"seller_import": 1.0}, {"cbam_importer_tonnes_per_year": 50.0}])
def test_cbam_not_due(make_row, overrides):
    # Inside the EU, under DDP (the seller imports) and at 50 t a year or less, no CBAM is due.
    lines, _ = compute_lines(make_row(**overrides))
    assert lines["carbon_cbam"] == 0


def test_labour_with_lks_staff(make_row):
    # 1 standard hour at 15 EUR and 2.5 paid hours of staff with loonwaarde 0.4 at the
    # minimum wage of 14 EUR, both x 1.08 holiday allowance x 1.25 on-costs.
    lines, _ = compute_lines(make_row(**{**MAKE_OVERRIDES, "lks_share": 0.5, "loonwaarde": 0.4}))
    assert float(lines["labour"]) == pytest.approx((1 * 15 + 2.5 * 14) * 1.08 * 1.25)
