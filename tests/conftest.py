"""Shared fixtures: a flat input row built by hand and small validated cases.

The hand row fixes every number that ``tco_xl.lines.compute_lines`` reads,
so tests that work a line out by hand do not depend on the packaged
defaults. The cases fix ``settings.figures_date`` so that results do not
depend on today's date.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from tco_xl import build_case
from tco_xl.inputs import DERIVED_COLUMNS, DUTCH_COLUMNS, NUMBER_COLUMNS

FIGURES_DATE = dt.date(2026, 3, 1)

# A part bought for 100 currency units at 0.5 EUR each, EXW from a non-EU
# country by sea in a load of 500 units (120 m3 / 0.12 m3 = 1000, x fill 0.5).
# Under EXW the buyer pays every leg, so no leg is already in the price.
# Investment inputs are zero, so depreciation does not enter the goods value.
HAND_ROW = {
    # Part.
    "annual_volume": 10000.0,
    "unit_weight_kg": 10.0,
    "unit_volume_m3": 0.12,
    "selling_price_eur": 200.0,
    "demand_period_days": 7.0,
    "demand_per_period": 160.0,
    "demand_sd_per_period": 40.0,
    "service_level": 0.95,
    # Settings.
    "cost_of_capital": 0.1,
    "carrying_rate": 0.25,
    "horizon_years": 5.0,
    "discount_rate": 0.1,
    "carbon_price_eur_per_t": 80.0,
    "cbam_price_eur_per_t": 80.0,
    "carbon_price_growth_per_year": 0.0,
    "freight_growth_per_year": 0.0,
    "home_wage_inflation_per_year": 0.0,
    "vat_rate": 0.2,
    "vat_recovery_days": 73.0,
    # Price and production.
    "price": 100.0,
    "fx_eur_per_unit": 0.5,
    "fx_trend_per_year": 0.0,
    "price_labour_share": 0.0,
    "materials_eur": 0.0,
    "labour_hours": 0.0,
    "hourly_wage_eur": 0.0,
    "holiday_allowance_rate": 0.0,
    "employer_oncost_rate": 0.0,
    "wage_inflation_per_year": 0.0,
    "local_fx_trend_per_year": 0.0,
    "local_inflation_per_year": 0.0,
    "machine_eur": 0.0,
    "overhead_eur": 0.0,
    "packaging_eur": 2.0,
    # Freight.
    "cost_per_load_eur": 5000.0,
    "fill_factor": 0.5,
    "part_load_premium": 1.5,
    "max_shipment_share_of_year": 0.25,
    "inland_origin_eur_per_load": 500.0,
    "inland_destination_eur_per_load": 1000.0,
    "air_share": 0.0,
    "air_rate_eur_per_kg": 4.0,
    "distance_km": 20000.0,
    "insurance_rate": 0.01,
    # Customs.
    "duty_rate": 0.1,
    "antidumping_rate": 0.0,
    "brokerage_eur_per_shipment": 100.0,
    "units_per_shipment": 0.0,
    "article_23_licence": 0.0,
    # Payment and lead times: 21 + 42 days is 9 demand periods, sd 1 period.
    "deposit_share": 0.5,
    "payment_days": -10.0,
    "production_lead_days": 21.0,
    "transit_days": 42.0,
    "lead_time_sd_days": 7.0,
    # Quality and oversight.
    "defect_rate": 0.02,
    "defect_handling_eur": 10.0,
    "warranty_rate": 0.01,
    "trips_per_year": 2.0,
    "cost_per_trip_eur": 5000.0,
    "audits_per_year": 1.0,
    "cost_per_audit_eur": 10000.0,
    "oversight_hours_per_year": 100.0,
    "oversight_hourly_eur": 100.0,
    "transition_eur": 50000.0,
    "obsolescence_share": 0.5,
    # Risk, strategic and carbon.
    "risk_share_of_price": 0.05,
    "strategic_share": 0.1,
    "cbam_covered": 1.0,
    "embedded_tco2e_per_unit": 0.5,
    "origin_carbon_price_eur_per_t": 20.0,
    "cbam_benchmark_tco2e_per_unit": 0.0,
    "cbam_importer_tonnes_per_year": 100.0,
    # Dutch subsidies, off for a bought part.
    "lks_share": 0.0,
    "loonwaarde": 1.0,
    "rd_hours_per_year": 0.0,
    "rd_hourly_wage_eur": 0.0,
    "wbso_starter": 0.0,
    # Investment.
    "machines_eur": 0.0,
    "machines_life_years": 10.0,
    "tooling_eur": 0.0,
    "tooling_life_years": 5.0,
    "building_eur": 0.0,
    "building_life_years": 30.0,
    "interest_rate": 0.06,
    "bmkb_credit_eur": 0.0,
    "bmkb_term_years": 6.0,
    "bmkb_innovative": 0.0,
    "bmkb_rate_reduction": 0.0,
    "training_eur": 25000.0,
    "training_subsidy_eur": 10000.0,
    "risk_events_eur_per_year": 20000.0,
    # The price is in a currency other than the supplier's own, so it follows the FX trend.
    "price_in_local_currency": 0.0,
    # Dutch and EU figures, chosen round instead of read from the data files.
    "start_year": 2026.0,
    "minimum_wage_eur_per_hour": 14.0,
    "lks_allowance": 0.25,
    "lks_cap": 0.7,
    "wbso_first_bracket_eur": 400000.0,
    "wbso_rate_first": 0.4,
    "wbso_rate_above": 0.2,
    "bmkb_fee_rate": 0.05,
    "ets_voyage_share": 0.5,
    "ets_surrender_share": 1.0,
    "cbam_factor": 1.0,
    "cbam_certificates_due": 1.0,
    "cbam_exemption_tonnes": 50.0,
    # Derived from the text fields: buy, non-EU origin, EXW, sea in a custom load.
    "make": 0.0,
    "customs_applies": 1.0,
    "seller_origin": 0.0,
    "seller_main": 0.0,
    "seller_insurance": 0.0,
    "seller_destination": 0.0,
    "seller_import": 0.0,
    "has_loads": 1.0,
    "usable_volume_m3": 120.0,
    "payload_kg": 20000.0,
    "emission_factor_g_per_tkm": 10.0,
    "air_emission_factor_g_per_tkm": 1000.0,
    "ets_applies": 1.0,
}

# Overrides that turn the hand row into own production in the Netherlands.
MAKE_OVERRIDES = {
    "make": 1.0,
    "price": 0.0,
    "fx_eur_per_unit": 1.0,
    "materials_eur": 20.0,
    "labour_hours": 2.0,
    "hourly_wage_eur": 15.0,
    "holiday_allowance_rate": 0.08,
    "employer_oncost_rate": 0.25,
    "machine_eur": 3.0,
    "overhead_eur": 2.0,
}

ROW_KEYS = set(NUMBER_COLUMNS) | set(DUTCH_COLUMNS) | set(DERIVED_COLUMNS)


def build_flat_row(**overrides) -> dict:
    """Return a fresh copy of the hand row with ``overrides`` applied."""
    unknown = set(overrides) - ROW_KEYS
    if unknown:
        raise KeyError(f"not a row input: {sorted(unknown)}")
    row = dict(HAND_ROW)
    row.update(overrides)
    return row


@pytest.fixture
def flat_row() -> dict:
    """The hand row: every input of ``compute_lines`` as a round number."""
    return build_flat_row()


@pytest.fixture(scope="session")
def make_row():
    """A factory for hand rows with overrides, session-scoped so that hypothesis tests can use it."""
    return build_flat_row


# A make option in Tilburg against a supplier in China, every input that the
# results depend on given explicitly.
SMALL_CASE = {
    "name": "bracket case",
    "part": {
        "name": "bracket",
        "annual_volume": 12000,
        "unit_weight_kg": 2.0,
        "unit_volume_m3": 0.01,
        "selling_price_eur": 0.0,
        "demand_per_period": 100.0,
        "demand_sd_per_period": 0.0,
    },
    "settings": {
        "figures_date": FIGURES_DATE.isoformat(),
        "horizon_years": 3,
        "cost_of_capital": 0.0,
        "carrying_rate": 0.0,
        "discount_rate": 0.1,
        "carbon_price_eur_per_t": 80.0,
        "cbam_price_eur_per_t": 80.0,
        "carbon_price_growth_per_year": 0.0,
        "freight_growth_per_year": 0.0,
        "vat_rate": 0.2,
        "vat_recovery_days": 45,
    },
    "options": [
        {
            "name": "Make in Tilburg",
            "country": "NL",
            "sourcing": "make",
            "baseline": True,
            "materials_eur": 20.0,
            "labour_hours": 1.0,
            "hourly_wage_eur": 20.0,
            "holiday_allowance_rate": 0.0,
            "employer_oncost_rate": 0.0,
            "wage_inflation_per_year": 0.0,
            "local_inflation_per_year": 0.0,
            "transport_mode": "none",
            "production_lead_days": 0,
            "transit_days": 0,
            "lead_time_sd_days": 0,
            "risk_share_of_price": 0.0,
        },
        {
            "name": "China",
            "country": "CN",
            "sourcing": "buy",
            "currency": "USD",
            "price": 30.0,
            "price_labour_share": 0.0,
            "fx_eur_per_unit": 1.0,
            "fx_trend_per_year": 0.0,
            "transport_mode": "sea",
            "load_type": "container_40",
            "cost_per_load_eur": 0.0,
            "inland_origin_eur_per_load": 0.0,
            "inland_destination_eur_per_load": 0.0,
            "distance_km": 0.0,
            "insurance_rate": 0.0,
            "duty_rate": 0.0,
            "brokerage_eur_per_shipment": 0.0,
            "article_23_licence": True,
            "deposit_share": 0.0,
            "payment_days": 0,
            "production_lead_days": 0,
            "transit_days": 0,
            "lead_time_sd_days": 0,
            "risk_share_of_price": 0.0,
        },
    ],
}


@pytest.fixture
def small_case_raw() -> dict:
    """A raw case mapping that ``build_case`` accepts; tests may change it."""
    return copy.deepcopy(SMALL_CASE)


@pytest.fixture
def small_case(small_case_raw):
    """The small case, built and validated."""
    return build_case(small_case_raw)
