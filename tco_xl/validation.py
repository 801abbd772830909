"""Checks across fields, beyond each field's own range.

The rules work on single values and on numpy or pandas columns alike, so
a case file and a DataFrame of many part-options are checked the same way.
Each rule returns a mask of the rows that break it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import defaults
from .errors import ValidationError
from .inputs import LOADED_MODES, check_dutch_date
from .spreadsheet import spreadsheet_floor

# Incoterms 2020 rules for sea and inland waterway transport only.
SEA_ONLY_TERMS = ("FAS", "FOB", "CFR", "CIF")
CONTAINERS = ("container_20", "container_40", "container_40hc")
LOADS_BY_MODE = {
    "sea": CONTAINERS,
    "rail": CONTAINERS,
    "road": (*CONTAINERS, "truck_ftl"),
    "air": ("none",),
    "none": ("none",),
}


@dataclass(frozen=True)
class Rule:
    """A rule across fields: which rows break it, the field to blame and what is expected."""

    field: str
    mask: np.ndarray
    expected: str
    unit_fit: bool = False


def _codes(values) -> tuple[np.ndarray, list]:
    """Return integer codes and the distinct values of a value or column.

    Rules on text fields are decided once per distinct value and spread to
    the rows through the codes, which is fast on a million rows.
    """
    if not isinstance(values, pd.Series):
        items = np.atleast_1d(values)
        if len(items) <= SMALL_COLUMN:
            return _small_codes(items.tolist())
        values = pd.Series(items)
    codes, uniques = pd.factorize(values, sort=False)
    return codes, list(uniques)


# Below this many values a dictionary codes faster than pandas, whose call
# overhead dominates the validation of a single case.
SMALL_COLUMN = 64


def _small_codes(items: list) -> tuple[np.ndarray, list]:
    """Return codes and distinct values as ``pd.factorize`` does: -1 for a missing value, first-seen order."""
    positions: dict = {}
    codes = np.empty(len(items), dtype=np.intp)
    for i, item in enumerate(items):
        if item is None or (isinstance(item, float) and item != item):
            codes[i] = -1
            continue
        codes[i] = positions.setdefault(item, len(positions))
    return codes, list(positions)


def units_fitting_a_load(load_codes, load_names, unit_volume_m3, unit_weight_kg) -> np.ndarray:
    """Return how many whole units fit one load of each row's load type (0 for no load)."""
    load_types = defaults.load_types()
    volume = np.array([load_types[name].usable_volume_m3 if name in load_types else 0.0 for name in load_names])[load_codes]
    payload = np.array([load_types[name].payload_kg if name in load_types else 0.0 for name in load_names])[load_codes]
    fits = spreadsheet_floor(np.minimum(volume / np.asarray(unit_volume_m3), payload / np.asarray(unit_weight_kg)))
    return np.atleast_1d(fits)


def transport_rules(columns) -> list[Rule]:
    """Return the rules on transport mode, load type, Incoterm, air share and shipment size."""
    mode_codes, modes = _codes(columns["transport_mode"])
    load_codes, loads = _codes(columns["load_type"])
    term_codes, terms = _codes(columns["incoterm"])
    air_share = np.atleast_1d(np.asarray(columns["air_share"], dtype=float))
    shipment = np.atleast_1d(np.asarray(columns["units_per_shipment"], dtype=float))

    load_allowed = np.array([[load in LOADS_BY_MODE.get(mode, ()) for load in loads] for mode in modes])
    wrong_load = ~load_allowed[mode_codes, load_codes]
    loaded = np.isin(np.array(modes, dtype=object), LOADED_MODES)[mode_codes] & ~wrong_load
    fits = units_fitting_a_load(load_codes, loads, columns["unit_volume_m3"], columns["unit_weight_kg"])
    sea_only_term = np.isin(np.array(terms, dtype=object), SEA_ONLY_TERMS)[term_codes]

    def mode_in(*names):
        return np.isin(np.array(modes, dtype=object), names)[mode_codes]

    return [
        Rule("load_type", wrong_load, "for sea or rail a container type, for road a container type or truck_ftl, and none by air or without transport"),
        Rule("load_type", loaded & (fits < 1), "a larger load type: one unit does not fit one load", unit_fit=True),
        Rule(
            "incoterm",
            sea_only_term & mode_in("road", "rail", "air"),
            "FCA, CPT or CIP: FAS, FOB, CFR and CIF are for sea transport only (Incoterms 2020)",
        ),
        Rule("air_share", mode_in("air") & (air_share < 1), "1 when transport_mode is air"),
        Rule("air_share", mode_in("none") & (air_share > 0), "0 when transport_mode is none"),
        Rule("units_per_shipment", (shipment > 0) & (shipment < 1), "0 (one full load) or at least 1 unit"),
    ]


def _option_problems(option, where: str, part) -> list[str]:
    problems = []
    for rule in transport_rules({**part.values, **option.values}):
        if not rule.mask[0]:
            continue
        if rule.unit_fit:
            load = defaults.load_types()[option["load_type"]]
            problems.append(
                f"{where}: one unit ({part['unit_volume_m3']} m3, {part['unit_weight_kg']} kg) does not fit a {option['load_type']} "
                f"({load.usable_volume_m3} m3, {load.payload_kg} kg); choose a larger load type"
            )
            continue
        problems.append(
            f"{where}: {rule.field} = {option[rule.field]!r} is invalid with transport_mode = {option['transport_mode']!r} "
            f"and load_type = {option['load_type']!r}; expected {rule.expected}"
        )
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
    from .case import option_location

    problems = []
    reason = check_dutch_date(case.settings["figures_date"])
    if reason:
        problems.append(f"settings: figures_date = {case.settings['figures_date'].isoformat()!r} is invalid; {reason}")
    if case.part["demand_per_period"] <= 0:
        problems.append(f"part: demand_per_period = {case.part['demand_per_period']!r} is invalid; expected a number > 0")
    for index, option in enumerate(case.options, start=1):
        problems.extend(_option_problems(option, option_location(index, option.name), case.part))
    if problems:
        raise ValidationError(problems)
