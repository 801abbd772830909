"""Validation of a raw case: each problem names where it is, the field and the value."""

from __future__ import annotations

import pytest

from tco_xl import ValidationError, build_case


def problems_of(raw: dict) -> list[str]:
    """Return the problems ``build_case`` reports for ``raw``, failing the test when it accepts ``raw``."""
    with pytest.raises(ValidationError) as caught:
        build_case(raw)
    return caught.value.problems


def find_problem(problems: list[str], *parts: str) -> str:
    """Return the one problem that contains every text in ``parts``."""
    matches = [problem for problem in problems if all(part in problem for part in parts)]
    assert matches, f"no problem contains all of {parts!r}; problems: {problems!r}"
    return matches[0]


def test_small_case_is_valid(small_case_raw):
    case = build_case(small_case_raw)
    assert [option.name for option in case.options] == ["Make in Tilburg", "China"]


@pytest.mark.parametrize("volume", [-5, 0, 0.5, 2e9])
def test_volume_out_of_range(small_case_raw, volume):
    small_case_raw["part"]["annual_volume"] = volume
    problem = find_problem(problems_of(small_case_raw), "part", "annual_volume", f"= {volume}")
    assert "expected a number >= 1 and <= 1e+09 (units a year)" in problem


def test_fill_factor_above_one(small_case_raw):
    small_case_raw["options"][1]["fill_factor"] = 1.5
    problem = find_problem(problems_of(small_case_raw), "'China'", "fill_factor", "1.5")
    assert "<= 1" in problem


def test_unknown_incoterm(small_case_raw):
    small_case_raw["options"][1]["incoterm"] = "FOX"
    problem = find_problem(problems_of(small_case_raw), "'China'", "incoterm", "'FOX'")
    assert "FOB" in problem


def test_incoterm_case_insensitive(small_case_raw):
    small_case_raw["options"][1]["incoterm"] = "cif"
    case = build_case(small_case_raw)
    assert case.options[1]["incoterm"] == "CIF"


def test_unknown_currency_without_rate(small_case_raw):
    china = small_case_raw["options"][1]
    china["currency"] = "CHF"
    del china["fx_eur_per_unit"]
    find_problem(problems_of(small_case_raw), "'China'", "fx_eur_per_unit", "CHF")


def test_unknown_currency_with_rate(small_case_raw):
    china = small_case_raw["options"][1]
    china.update(currency="CHF", fx_eur_per_unit=1.05)
    case = build_case(small_case_raw)
    assert case.options[1]["fx_eur_per_unit"] == 1.05


@pytest.mark.parametrize("field", ["defect_rate", "air_share", "deposit_share", "risk_share_of_price"])
def test_share_above_hundred_percent(small_case_raw, field):
    small_case_raw["options"][1][field] = 1.5
    problem = find_problem(problems_of(small_case_raw), "'China'", field, "1.5")
    assert "<= 1" in problem


def test_missing_duty_rate_outside_eu(small_case_raw):
    del small_case_raw["options"][1]["duty_rate"]
    problem = find_problem(problems_of(small_case_raw), "'China'", "duty_rate", "missing")
    assert "CN" in problem


def test_unknown_option_field_suggests(small_case_raw):
    small_case_raw["options"][1]["dutyrate"] = 0.1
    problem = find_problem(problems_of(small_case_raw), "'China'", "'dutyrate'")
    assert "did you mean 'duty_rate'" in problem


def test_unknown_part_field_suggests(small_case_raw):
    small_case_raw["part"]["anual_volume"] = 1000
    problem = find_problem(problems_of(small_case_raw), "part", "'anual_volume'")
    assert "did you mean 'annual_volume'" in problem


def test_unknown_country(small_case_raw):
    small_case_raw["options"][1]["country"] = "XX"
    problem = find_problem(problems_of(small_case_raw), "'China'", "country", "'XX'")
    assert "CN" in problem


def test_text_in_number_field(small_case_raw):
    small_case_raw["options"][1]["price"] = "12,5"
    problem = find_problem(problems_of(small_case_raw), "'China'", "price", "'12,5'")
    assert "a number" in problem


def test_invalid_price_reported_once(small_case_raw):
    small_case_raw["options"][1]["price"] = "12,5"
    price_problems = [problem for problem in problems_of(small_case_raw) if "price" in problem]
    assert len(price_problems) == 1, price_problems


def test_range_low_above_base(small_case_raw):
    small_case_raw["options"][1]["price"] = {"low": 40, "base": 30, "high": 50}
    problem = find_problem(problems_of(small_case_raw), "'China'", "price", "'low': 40")
    assert "low <= base <= high" in problem


def test_range_base_is_value(small_case_raw):
    small_case_raw["options"][1]["price"] = {"low": 25, "base": 30, "high": 50}
    case = build_case(small_case_raw)
    assert case.options[1]["price"] == 30
    assert case.options[1].ranges["price"] == (25, 30, 50)


def test_unit_too_big_for_load(small_case_raw):
    small_case_raw["part"]["unit_volume_m3"] = 100.0
    problem = find_problem(problems_of(small_case_raw), "'China'", "container_40", "100.0 m3")
    assert "larger load type" in problem


def test_two_baselines(small_case_raw):
    small_case_raw["options"][1]["baseline"] = True
    problem = find_problem(problems_of(small_case_raw), "baseline")
    assert "Make in Tilburg" in problem
    assert "China" in problem


def test_fewer_than_two_options(small_case_raw):
    small_case_raw["options"].pop()
    problem = find_problem(problems_of(small_case_raw), "options")
    assert "two or more" in problem


def test_no_options(small_case_raw):
    small_case_raw["options"] = []
    find_problem(problems_of(small_case_raw), "options", "two or more")


def test_loonkostensubsidie_outside_nl(small_case_raw):
    small_case_raw["options"][1].update(lks_share=0.3, loonwaarde=0.5)
    problem = find_problem(problems_of(small_case_raw), "'China'", "lks_share", "0.3")
    assert "NL" in problem


def test_wbso_outside_nl(small_case_raw):
    small_case_raw["options"][1]["rd_hours_per_year"] = 500
    find_problem(problems_of(small_case_raw), "'China'", "rd_hours_per_year", "500")


def test_loonkostensubsidie_needs_loonwaarde(small_case_raw):
    small_case_raw["options"][0]["lks_share"] = 0.3
    find_problem(problems_of(small_case_raw), "'Make in Tilburg'", "loonwaarde", "missing")


def test_price_on_make_option(small_case_raw):
    small_case_raw["options"][0]["price"] = 12.0
    problem = find_problem(problems_of(small_case_raw), "'Make in Tilburg'", "price", "12.0")
    assert "make" in problem


def test_production_cost_on_buy_option(small_case_raw):
    small_case_raw["options"][1]["materials_eur"] = 5.0
    find_problem(problems_of(small_case_raw), "'China'", "materials_eur", "5.0")


def test_duplicate_option_names(small_case_raw):
    small_case_raw["options"][1]["name"] = "Make in Tilburg"
    find_problem(problems_of(small_case_raw), "'Make in Tilburg'", "twice")


def test_several_problems_at_once(small_case_raw):
    small_case_raw["part"]["annual_volume"] = -5
    china = small_case_raw["options"][1]
    china.update(fill_factor=1.5, incoterm="FOX", defect_rate=2.0, dutyrate=0.1)
    small_case_raw["options"][0]["price"] = 12.0
    problems = problems_of(small_case_raw)
    find_problem(problems, "part", "annual_volume", "-5")
    find_problem(problems, "'China'", "fill_factor", "1.5")
    find_problem(problems, "'China'", "incoterm", "'FOX'")
    find_problem(problems, "'China'", "defect_rate", "2.0")
    find_problem(problems, "'China'", "'dutyrate'")
    find_problem(problems, "'Make in Tilburg'", "price", "12.0")
    assert len(problems) == 6, problems


def test_several_cross_field_problems_at_once(small_case_raw):
    small_case_raw["part"]["unit_volume_m3"] = 100.0
    small_case_raw["options"][0]["transport_mode"] = "air"
    small_case_raw["options"][0]["air_share"] = 0.5
    problems = problems_of(small_case_raw)
    find_problem(problems, "'China'", "container_40")
    find_problem(problems, "'Make in Tilburg'", "air_share", "0.5")


def test_problems_in_error_text(small_case_raw):
    small_case_raw["options"][1]["fill_factor"] = 1.5
    with pytest.raises(ValidationError) as caught:
        build_case(small_case_raw)
    assert "fill_factor = 1.5" in str(caught.value)


def test_figures_date_before_data(small_case_raw):
    small_case_raw["settings"]["figures_date"] = "2020-01-01"
    problem = find_problem(problems_of(small_case_raw), "figures_date", "2020-01-01")
    assert "minimum wage" in problem


def test_figures_date_before_data_buy_only(small_case_raw):
    small_case_raw["settings"]["figures_date"] = "2020-01-01"
    small_case_raw["options"][0] = {"name": "Tilburg", "country": "NL", "sourcing": "buy", "price": 45.0}
    problem = find_problem(problems_of(small_case_raw), "figures_date", "2020-01-01")
    assert "minimum wage" in problem
