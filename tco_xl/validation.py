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


def _series(values) -> pd.Series:
    """Return a value or column as a pandas Series, whose isin and map are hash-based and fast."""
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    return pd.Series(np.atleast_1d(values))


def units_fitting_a_load(load_type, unit_volume_m3, unit_weight_kg) -> np.ndarray:
    """Return how many whole units fit one load of each row's load type (0 for no load)."""
    load_types = defaults.load_types()
    loads = _series(load_type)
    volume = loads.map({name: load.usable_volume_m3 for name, load in load_types.items()}).to_numpy(dtype=float)
    payload = loads.map({name: load.payload_kg for name, load in load_types.items()}).to_numpy(dtype=float)
    fits = spreadsheet_floor(np.minimum(volume / np.asarray(unit_volume_m3), payload / np.asarray(unit_weight_kg)))
    return np.nan_to_num(np.atleast_1d(fits), nan=0.0)


def transport_rules(columns) -> list[Rule]:
    """Return the rules on transport mode, load type, Incoterm, air share and shipment size."""
    mode = _series(columns["transport_mode"])
    load = _series(columns["load_type"])
    term = _series(columns["incoterm"])
    air_share = np.atleast_1d(np.asarray(columns["air_share"], dtype=float))
    shipment = np.atleast_1d(np.asarray(columns["units_per_shipment"], dtype=float))

    wrong_load = np.zeros(len(mode), dtype=bool)
    for transport_mode, allowed in LOADS_BY_MODE.items():
        wrong_load |= ((mode == transport_mode) & ~load.isin(allowed)).to_numpy(dtype=bool)
    loaded = mode.isin(LOADED_MODES).to_numpy(dtype=bool) & ~wrong_load
    fits = units_fitting_a_load(load, columns["unit_volume_m3"], columns["unit_weight_kg"])
    mode = mode.to_numpy(dtype=object)

    return [
        Rule("load_type", wrong_load, "for sea or rail a container type, for road a container type or truck_ftl, and none by air or without transport"),
        Rule("load_type", loaded & (fits < 1), "a larger load type: one unit does not fit one load", unit_fit=True),
        Rule(
            "incoterm",
            term.isin(SEA_ONLY_TERMS).to_numpy(dtype=bool) & np.isin(mode, ("road", "rail", "air")),
            "FCA, CPT or CIP: FAS, FOB, CFR and CIF are for sea transport only (Incoterms 2020)",
        ),
        Rule("air_share", (mode == "air") & (air_share < 1), "1 when transport_mode is air"),
        Rule("air_share", (mode == "none") & (air_share > 0), "0 when transport_mode is none"),
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
