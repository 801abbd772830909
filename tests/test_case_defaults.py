"""Defaults that follow from other inputs, and what results.json reports of them."""

import json
import logging

import pytest

from tco_xl import ValidationError, build_case, compute_case
from tco_xl.defaults import country


def test_discount_rate_follows_cost_of_capital(small_case_raw):
    small_case_raw["settings"]["cost_of_capital"] = 0.11
    small_case_raw["settings"].pop("discount_rate", None)

    case = build_case(small_case_raw)

    assert case.settings["discount_rate"] == 0.11
    assert case.settings.defaults_used["discount_rate"] == "default: the cost of capital"


def test_local_fx_trend_from_country(small_case_raw):
    case = build_case(small_case_raw)

    china = case.options[1]
    assert china["local_fx_trend_per_year"] == country("CN").value("fx_trend_per_year")
    assert "CN default" in china.defaults_used["local_fx_trend_per_year"]


def test_country_code_any_case(small_case_raw):
    small_case_raw["options"][1]["country"] = "cn"

    case = build_case(small_case_raw)

    assert case.options[1]["country"] == "CN"


def test_results_json_has_settings_and_ranges(small_case_raw):
    small_case_raw["options"][1]["price"] = {"low": 27.0, "base": 30.0, "high": 36.0}

    data = json.loads(json.dumps(compute_case(build_case(small_case_raw)).to_dict()))

    assert data["settings"]["figures_date"] == "2026-03-01"
    assert data["settings"]["horizon_years"] == small_case_raw["settings"].get("horizon_years", 5)
    assert data["options"][1]["ranges"]["price"] == {"low": 27.0, "base": 30.0, "high": 36.0}
    assert data["options"][0]["ranges"] == {}


def test_future_figures_date_warns(small_case_raw, caplog):
    small_case_raw["settings"]["figures_date"] = "2035-01-01"

    with caplog.at_level(logging.WARNING, logger="tco_xl.case"):
        build_case(small_case_raw)

    assert "figures_date 2035-01-01 is past the newest packaged Dutch figures" in caplog.text


def test_current_figures_date_no_warning(small_case_raw, caplog):
    with caplog.at_level(logging.WARNING, logger="tco_xl.case"):
        build_case(small_case_raw)

    assert caplog.text == ""


@pytest.mark.parametrize("value", ["", 12, None])
def test_country_must_be_text(small_case_raw, value):
    small_case_raw["options"][1]["country"] = value

    with pytest.raises(ValidationError) as raised:
        build_case(small_case_raw)

    assert any("options[2] 'China': country = " in problem for problem in raised.value.problems), raised.value.problems


@pytest.mark.parametrize("mode, load_type, term", [("air", None, "FCA"), ("rail", "container_40", "FCA"), ("sea", None, "FOB"), ("road", "truck_ftl", "FCA")])
def test_default_incoterm_fits_mode(small_case_raw, mode, load_type, term):
    china = small_case_raw["options"][1]
    china.pop("incoterm", None)
    china.pop("load_type", None)
    china.update(transport_mode=mode, transit_days=20.0, lead_time_sd_days=3.0, distance_km=10000.0, cost_per_load_eur=5000.0)
    if load_type:
        china["load_type"] = load_type

    case = build_case(small_case_raw)

    assert case.options[1]["incoterm"] == term


def test_default_shipment_is_capped(small_case_raw):
    small_case_raw["options"][1].pop("units_per_shipment", None)

    case = build_case(small_case_raw)

    china = case.options[1]
    assert china["units_per_shipment"] == 0.0
    assert china["max_shipment_share_of_year"] == 0.25
    assert china["part_load_premium"] == 1.5


def test_unused_subsidies_are_positive_zero(small_case_raw):
    result = compute_case(build_case(small_case_raw))

    china = result.options[1]
    for line_id in ("loonkostensubsidie", "wbso", "training_subsidy"):
        assert china.lines[line_id] == 0.0
        assert str(china.lines[line_id]) == "0.0", line_id


def test_today_must_be_date(small_case_raw):
    with pytest.raises(TypeError, match="today must be a datetime.date, not str"):
        build_case(small_case_raw, today="2026-07-01")


def test_other_mode_needs_own_figures(small_case_raw):
    china = small_case_raw["options"][1]
    china.pop("load_type", None)
    for name in ("transit_days", "lead_time_sd_days", "distance_km"):
        china.pop(name, None)
    china["transport_mode"] = "air"

    with pytest.raises(ValidationError) as raised:
        build_case(small_case_raw)

    assert raised.value.problems == [
        "options[2] 'China': transit_days is missing for transport by air from CN; the packaged figures are for "
        "transport by sea, so set transit_days (days) for this mode",
        "options[2] 'China': lead_time_sd_days is missing for transport by air from CN; the packaged figures are for "
        "transport by sea, so set lead_time_sd_days (days) for this mode",
        "options[2] 'China': distance_km is missing for transport by air from CN; the packaged figures are for "
        "transport by sea, so set distance_km (km) for this mode",
    ]


def test_air_has_no_load_costs(small_case_raw):
    china = small_case_raw["options"][1]
    for name in ("load_type", "cost_per_load_eur", "inland_origin_eur_per_load", "inland_destination_eur_per_load"):
        china.pop(name, None)
    china.update(transport_mode="air", transit_days=7.0, lead_time_sd_days=1.0, distance_km=9000.0)

    option = build_case(small_case_raw).options[1]

    for name in ("cost_per_load_eur", "inland_origin_eur_per_load", "inland_destination_eur_per_load"):
        assert option[name] == 0.0
        assert option.defaults_used[name] == "default: no container or truck by air"
