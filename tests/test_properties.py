"""Properties of the TCO over generated valid rows and cases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tco_xl import ValidationError, build_case, compute_case
from tco_xl.customs import INCOTERM_SELLER_PAYS, SELLER_FLAGS
from tco_xl.forecast import total
from tco_xl.lines import compute_lines

from conftest import SMALL_CASE, build_flat_row

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)

# Lines that are a cost per unit, not a yearly amount spread over the volume.
PER_UNIT_LINES = (
    "purchase_price",
    "materials",
    "labour",
    "machine_overhead",
    "packaging",
    "main_freight",
    "air_freight",
    "inland_origin",
    "inland_destination",
    "insurance",
    "duty",
    "defects",
    "warranty",
    "risk_share",
    "strategic",
    "carbon_ets",
    "carbon_cbam",
    "loonkostensubsidie",
)

# Lines that are a yearly or one-off amount divided by the annual volume.
FIXED_LINES = (
    "depreciation",
    "financing",
    "bmkb_fee",
    "oversight",
    "transition",
    "training",
    "risk_events",
    "wbso",
    "training_subsidy",
)


def money(max_value: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=0.0, max_value=max_value, allow_nan=False, allow_infinity=False)


def share(max_value: float = 1.0) -> st.SearchStrategy[float]:
    return st.floats(min_value=0.0, max_value=max_value, allow_nan=False, allow_infinity=False)


@st.composite
def rows(draw, investment: bool = True, shipment_size: bool = False) -> dict:
    """Draw a valid flat row: buy or make, any Incoterm, loads or none, positive inputs.

    With ``investment`` False there is no depreciation in the goods value. With
    ``shipment_size`` True the shipment size does not depend on the volume.
    """
    make = draw(st.booleans())
    has_loads = draw(st.booleans())
    incoterm = draw(st.sampled_from(sorted(INCOTERM_SELLER_PAYS)))
    row = build_flat_row(**dict(zip(SELLER_FLAGS, map(float, INCOTERM_SELLER_PAYS[incoterm]))))
    row.update(
        make=float(make),
        customs_applies=float(draw(st.booleans())),
        has_loads=float(has_loads),
        annual_volume=draw(st.floats(min_value=1.0, max_value=1e6)),
        unit_weight_kg=draw(st.floats(min_value=0.1, max_value=500.0)),
        unit_volume_m3=draw(st.floats(min_value=0.001, max_value=2.0)),
        fill_factor=draw(st.floats(min_value=0.05, max_value=1.0)),
        price=0.0 if make else draw(money(1000.0)),
        fx_eur_per_unit=draw(st.floats(min_value=0.001, max_value=10.0)),
        materials_eur=draw(money(500.0)) if make else 0.0,
        labour_hours=draw(money(10.0)) if make else 0.0,
        hourly_wage_eur=draw(money(60.0)),
        machine_eur=draw(money(50.0)) if make else 0.0,
        overhead_eur=draw(money(50.0)) if make else 0.0,
        packaging_eur=draw(money(20.0)),
        cost_per_load_eur=draw(money(20000.0)),
        inland_origin_eur_per_load=draw(money(3000.0)),
        inland_destination_eur_per_load=draw(money(3000.0)),
        air_share=draw(share()) if not has_loads else draw(st.sampled_from([0.0, 0.1, 0.5])),
        air_rate_eur_per_kg=draw(money(10.0)),
        insurance_rate=draw(share(0.05)),
        duty_rate=draw(share(0.5)),
        antidumping_rate=draw(share(2.0)),
        brokerage_eur_per_shipment=draw(money(500.0)),
        article_23_licence=float(draw(st.booleans())),
        deposit_share=draw(share()),
        payment_days=draw(st.floats(min_value=-365.0, max_value=365.0)),
        production_lead_days=draw(money(120.0)),
        transit_days=draw(money(90.0)),
        lead_time_sd_days=draw(money(20.0)),
        service_level=draw(st.floats(min_value=0.5, max_value=0.9999)),
        defect_rate=draw(share(0.5)),
        defect_handling_eur=draw(money(100.0)),
        obsolescence_share=draw(share()),
        risk_share_of_price=draw(share(0.5)),
        strategic_share=draw(share(1.0)),
        lks_share=draw(share()),
        loonwaarde=draw(st.floats(min_value=0.05, max_value=1.0)),
        rd_hours_per_year=draw(money(5000.0)),
        rd_hourly_wage_eur=draw(money(100.0)),
        bmkb_credit_eur=draw(money(1e6)),
        bmkb_rate_reduction=draw(share(0.1)),
    )
    if not has_loads:
        row.update(usable_volume_m3=0.0, payload_kg=0.0)
    if investment:
        row.update(
            machines_eur=draw(money(1e6)),
            tooling_eur=draw(money(1e5)),
            building_eur=draw(money(5e6)),
        )
    if shipment_size or draw(st.booleans()):
        row["units_per_shipment"] = draw(st.floats(min_value=1.0, max_value=1e5))
    return row


def tco(row: dict) -> float:
    lines, _ = compute_lines(row)
    return float(total(lines))


def assert_not_lower(before: float, after: float, input_name: str) -> None:
    tolerance = 1e-9 * max(1.0, abs(before))
    assert after >= before - tolerance, f"TCO per unit fell from {before} to {after} when {input_name} rose"


@PROPERTY_SETTINGS
@given(row=rows(), extra=money(10000.0), field=st.sampled_from(["cost_per_load_eur", "inland_origin_eur_per_load", "air_rate_eur_per_kg"]))
def test_more_freight_not_cheaper(row, extra, field):
    before = tco(row)
    row[field] += extra
    assert_not_lower(before, tco(row), field)


@PROPERTY_SETTINGS
@given(row=rows(), extra=money(10000.0))
def test_more_destination_leg_not_cheaper(row, extra):
    # Under D-terms the price includes the destination leg, so a dearer leg
    # leaves less of the price in the customs value and less duty. The property
    # is for the buyer paying that leg.
    row.update(seller_destination=0.0, seller_import=0.0)
    before = tco(row)
    row["inland_destination_eur_per_load"] += extra
    assert_not_lower(before, tco(row), "inland_destination_eur_per_load")


@PROPERTY_SETTINGS
@given(row=rows(), extra=share(1.0), field=st.sampled_from(["duty_rate", "antidumping_rate"]))
def test_more_duty_not_cheaper(row, extra, field):
    before = tco(row)
    row[field] += extra
    assert_not_lower(before, tco(row), field)


@PROPERTY_SETTINGS
@given(row=rows(), extra=money(200.0), field=st.sampled_from(["production_lead_days", "transit_days", "lead_time_sd_days"]))
def test_longer_lead_time_not_cheaper(row, extra, field):
    before = tco(row)
    row[field] += extra
    assert_not_lower(before, tco(row), field)


@PROPERTY_SETTINGS
@given(row=rows(), extra=share(0.5))
def test_more_defects_not_cheaper(row, extra):
    before = tco(row)
    row["defect_rate"] += extra
    assert_not_lower(before, tco(row), "defect_rate")


@PROPERTY_SETTINGS
@given(row=rows(investment=False, shipment_size=True))
def test_per_unit_lines_ignore_volume(row):
    before, _ = compute_lines(row)
    row["annual_volume"] *= 2
    after, _ = compute_lines(row)
    for line_id in PER_UNIT_LINES:
        assert float(after[line_id]) == pytest.approx(float(before[line_id]), rel=1e-9, abs=1e-12), line_id


@PROPERTY_SETTINGS
# A given shipment size: the default one depends on the annual volume, and so does freight per unit.
@given(row=rows(shipment_size=True))
def test_price_lines_ignore_volume_with_investment(row):
    # Depreciation enters the goods value, but not the price, freight or production lines.
    before, _ = compute_lines(row)
    row["annual_volume"] *= 2
    after, _ = compute_lines(row)
    for line_id in ("purchase_price", "materials", "labour", "machine_overhead", "packaging", "main_freight", "air_freight"):
        assert float(after[line_id]) == pytest.approx(float(before[line_id]), rel=1e-9, abs=1e-12), line_id


@PROPERTY_SETTINGS
@given(row=rows())
def test_fixed_lines_halve_with_double_volume(row):
    before, _ = compute_lines(row)
    row["annual_volume"] *= 2
    after, _ = compute_lines(row)
    for line_id in FIXED_LINES:
        assert float(after[line_id]) == pytest.approx(float(before[line_id]) / 2, rel=1e-9, abs=1e-12), line_id


@PROPERTY_SETTINGS
@given(row=rows())
def test_every_line_finite(row):
    lines, _ = compute_lines(row)
    for line_id, value in lines.items():
        assert abs(float(value)) < float("inf"), line_id


@settings(max_examples=100, deadline=None)
@given(volume=st.one_of(st.just(0), st.just(0.0), st.floats(max_value=0.0, allow_nan=False), st.integers(max_value=0)))
def test_volume_not_positive_rejected(volume):
    raw = {**SMALL_CASE, "part": {**SMALL_CASE["part"], "annual_volume": volume}}
    with pytest.raises(ValidationError) as caught:
        build_case(raw)
    assert any("annual_volume" in problem for problem in caught.value.problems), caught.value.problems


@settings(max_examples=50, deadline=None)
@given(duty=share(0.5), extra=share(0.5))
def test_case_more_duty_not_cheaper(duty, extra):
    def china_tco(rate: float) -> float:
        options = [dict(option) for option in SMALL_CASE["options"]]
        options[1].update(duty_rate=rate, brokerage_eur_per_shipment=100.0, cost_per_load_eur=3000.0)
        return compute_case(build_case({**SMALL_CASE, "options": options})).options[1].tco_per_unit_eur

    assert_not_lower(china_tco(duty), china_tco(duty + extra), "duty_rate")
