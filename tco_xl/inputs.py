"""Flat input rows: every input of one part-option as a number.

A row is what ``lines.compute_lines`` reads. ``case_rows`` makes one row per
option of a case. ``derive_columns`` adds the numbers that follow from the
text fields (Incoterm, transport mode, load type, country, sourcing), and
``dutch_columns`` those that follow from the Dutch figures of a date. They
work on single values and on pandas columns alike, so the one-case path and
the DataFrame path share them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import defaults
from .customs import INCOTERM_SELLER_PAYS, SELLER_FLAGS
from .errors import DataError
from .fields import INVESTMENT_FIELDS, OPTION_FIELDS, PART_FIELDS, SETTINGS_FIELDS

CATEGORY_COLUMNS = ("country", "sourcing", "incoterm", "transport_mode", "load_type")

# Numeric inputs of a row, in the order of the field tables; booleans become 0 or 1.
NUMBER_COLUMNS = tuple(
    spec.name
    for spec in PART_FIELDS + SETTINGS_FIELDS + OPTION_FIELDS + INVESTMENT_FIELDS
    if spec.kind in ("number", "integer", "bool") and spec.name != "baseline"
) + ("risk_events_eur_per_year", "price_in_local_currency")

# Numbers taken from the Dutch figures of the figures date, unless a frame gives them.
DUTCH_COLUMNS = (
    "start_year",
    "minimum_wage_eur_per_hour",
    "lks_allowance",
    "lks_cap",
    "wbso_first_bracket_eur",
    "wbso_rate_first",
    "wbso_rate_above",
    "bmkb_fee_rate",
    "ets_voyage_share",
    "ets_surrender_share",
    "cbam_factor",
    "cbam_certificates_due",
    "cbam_exemption_tonnes",
)

DERIVED_COLUMNS = (
    "make",
    "customs_applies",
    *SELLER_FLAGS,
    "has_loads",
    "usable_volume_m3",
    "payload_kg",
    "emission_factor_g_per_tkm",
    "air_emission_factor_g_per_tkm",
    "ets_applies",
)

LOADED_MODES = ("sea", "rail", "road")


def _factorised(value):
    """Return a pandas column as (codes, distinct values), or a single value as it is.

    Each distinct text is then looked up once; mapping a million texts one by
    one takes seconds.
    """
    if isinstance(value, pd.Series):
        codes, uniques = pd.factorize(value, sort=False)
        return codes, list(uniques)
    return value


def _lookup(table: dict, key):
    """Look ``key`` up in ``table``: one value, or each row of a factorised column."""
    if isinstance(key, tuple):
        codes, uniques = key
        return np.array([float(table[text]) for text in uniques])[codes]
    return float(table[key])


def derive_columns(row) -> dict:
    """Return the numbers that follow from a row's text fields (values or pandas columns)."""
    countries = defaults.countries()
    load_types = defaults.load_types()
    factors = defaults.emission_factors()
    outside_eu = {code: float(not (c.eu_member or code == "NL")) for code, c in countries.items()}
    row = {name: _factorised(row[name]) for name in CATEGORY_COLUMNS}
    derived = {
        "make": _lookup({"make": 1.0, "buy": 0.0}, row["sourcing"]),
        "customs_applies": _lookup(outside_eu, row["country"]),
    }
    for index, flag in enumerate(SELLER_FLAGS):
        derived[flag] = _lookup({term: paid[index] for term, paid in INCOTERM_SELLER_PAYS.items()}, row["incoterm"])
    derived["has_loads"] = _lookup({mode: float(mode in LOADED_MODES) for mode in ("none", "air", *LOADED_MODES)}, row["transport_mode"])
    volumes = {"none": 0.0, **{name: lt.usable_volume_m3 for name, lt in load_types.items()}}
    payloads = {"none": 0.0, **{name: lt.payload_kg for name, lt in load_types.items()}}
    derived["usable_volume_m3"] = _lookup(volumes, row["load_type"])
    derived["payload_kg"] = _lookup(payloads, row["load_type"])
    by_mode = {"none": 0.0, **{mode: figure.value for mode, figure in factors.items()}}
    derived["emission_factor_g_per_tkm"] = _lookup(by_mode, row["transport_mode"])
    derived["air_emission_factor_g_per_tkm"] = by_mode["air"] * np.ones_like(derived["has_loads"])
    derived["ets_applies"] = _lookup({m: float(m == "sea") for m in by_mode}, row["transport_mode"]) * derived["customs_applies"]
    return derived


def dutch_columns(figures_date: dt.date, wbso_starter, bmkb_term_years, bmkb_innovative) -> dict:
    """Return the Dutch and EU figures in force on ``figures_date`` as row numbers."""
    dutch = defaults.dutch_figures()
    wbso = dutch.wbso_rules(figures_date.year)
    cbam_factor, cbam_due = dutch.cbam_rules(figures_date.year)
    starter = np.asarray(wbso_starter, dtype=float)
    terms = np.atleast_1d(np.asarray(bmkb_term_years, dtype=float))
    innovative = np.atleast_1d(np.asarray(bmkb_innovative, dtype=float))
    fee_rates = np.array([dutch.bmkb_fee_rate(term, bool(flag)) for term, flag in zip(*np.broadcast_arrays(terms, innovative))])
    if np.ndim(bmkb_term_years) == 0:
        fee_rates = float(fee_rates[0])
    return {
        "start_year": float(figures_date.year),
        "minimum_wage_eur_per_hour": dutch.minimum_wage_on(figures_date),
        "lks_allowance": dutch.value("loonkostensubsidie.employer_charge_allowance"),
        "lks_cap": dutch.value("loonkostensubsidie.cap_share_of_minimum_wage"),
        "wbso_first_bracket_eur": wbso["first_bracket_eur"],
        "wbso_rate_first": starter * wbso["rate_first_starter"] + (1 - starter) * wbso["rate_first"],
        "wbso_rate_above": wbso["rate_above"],
        "bmkb_fee_rate": fee_rates,
        "ets_voyage_share": dutch.value("maritime_ets_voyage_share"),
        "ets_surrender_share": dutch.ets_surrender_share(figures_date.year),
        "cbam_factor": cbam_factor,
        "cbam_certificates_due": cbam_due,
        "cbam_exemption_tonnes": dutch.value("cbam_exemption_tonnes"),
    }


def case_rows(case) -> list[dict]:
    """Return one flat row of numbers and texts per option of ``case``."""
    rows = []
    for option in case.options:
        row = {"case": case.name, "option": option.name, "baseline": bool(option["baseline"])}
        merged = {**case.part.values, **case.settings.values, **option.values}
        for name in NUMBER_COLUMNS[:-2]:
            value = merged.get(name, 0.0)
            row[name] = float(value)
        row["risk_events_eur_per_year"] = sum(r["probability_per_year"] * r["impact_eur"] for r in option.risks)
        # 1 when the price is quoted in the supplier country's own currency.
        row["price_in_local_currency"] = float(option["currency"] == defaults.country(option["country"]).currency)
        for name in CATEGORY_COLUMNS:
            row[name] = option[name]
        row.update(derive_columns(row))
        row.update(dutch_columns(case.settings["figures_date"], row["wbso_starter"], row["bmkb_term_years"], row["bmkb_innovative"]))
        rows.append(row)
    return rows


def check_dutch_date(figures_date: dt.date) -> str | None:
    """Return why the Dutch figures do not cover ``figures_date``, or None when they do."""
    dutch = defaults.dutch_figures()
    try:
        dutch.minimum_wage_on(figures_date)
        dutch.wbso_rules(figures_date.year)
    except DataError as error:
        return str(error)
    return None
