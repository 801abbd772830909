"""Checks across fields of a resolved case, beyond each field's own range."""

from __future__ import annotations

from . import defaults
from .errors import ValidationError
from .inputs import LOADED_MODES, check_dutch_date
from .spreadsheet import spreadsheet_floor


def _option_problems(case, option) -> list[str]:
    where = f"options {option.name!r}"
    problems = []
    mode = option["transport_mode"]
    load_type = option["load_type"]

    if mode in LOADED_MODES and load_type == "none":
        problems.append(f"{where}: load_type = 'none' is invalid for transport_mode = {mode!r}; choose a container or truck type")
    if mode in LOADED_MODES and load_type != "none":
        capacity = defaults.load_types()[load_type]
        fits = spreadsheet_floor(min(capacity.usable_volume_m3 / case.part["unit_volume_m3"], capacity.payload_kg / case.part["unit_weight_kg"]))
        if fits < 1:
            problems.append(
                f"{where}: one unit ({case.part['unit_volume_m3']} m3, {case.part['unit_weight_kg']} kg) does not fit a {load_type} "
                f"({capacity.usable_volume_m3} m3, {capacity.payload_kg} kg); choose a larger load type"
            )
    if mode == "air" and option["air_share"] < 1:
        problems.append(f"{where}: air_share = {option['air_share']!r} is invalid for transport_mode = 'air'; expected 1")
    if mode == "none" and option["air_share"] > 0:
        problems.append(f"{where}: air_share = {option['air_share']!r} is invalid for transport_mode = 'none'; expected 0")
    if option["sourcing"] == "make" and option["labour_hours"] > 0 and option["hourly_wage_eur"] <= 0:
        problems.append(f"{where}: hourly_wage_eur = {option['hourly_wage_eur']!r} is invalid with labour hours; expected a wage > 0")
    if option["bmkb_credit_eur"] > 0:
        try:
            defaults.dutch_figures().bmkb_fee_rate(option["bmkb_term_years"], option["bmkb_innovative"])
        except defaults.DataError as error:
            problems.append(f"{where}: bmkb_term_years = {option['bmkb_term_years']!r} is invalid; {error}")
    return problems


def check_case(case) -> None:
    """Raise ``ValidationError`` listing every problem that spans several fields."""
    problems = []
    reason = check_dutch_date(case.settings["figures_date"])
    if reason:
        problems.append(f"settings: figures_date = {case.settings['figures_date'].isoformat()!r} is invalid; {reason}")
    if case.part["demand_per_period"] <= 0:
        problems.append(f"part: demand_per_period = {case.part['demand_per_period']!r} is invalid; expected a number > 0")
    for option in case.options:
        problems.extend(_option_problems(case, option))
    if problems:
        raise ValidationError(problems)
