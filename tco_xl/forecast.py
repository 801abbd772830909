"""The multi-year path of an option: yearly unit TCO, NPV and break-even inputs.

``evaluate`` works on one row of numbers or on numpy columns; it does not
look across rows. Comparisons with the baseline are made by the callers.
"""

from __future__ import annotations

import numpy as np

from .defaults import dutch_figures
from .lines import GROUPS, LINE_GROUP, LINE_IDS, compute_lines, physical_quantities

FIXED_LINE_IDS = ("depreciation", "packaging", "brokerage", "financing", "bmkb_fee",
                  "warranty", "transition", "training", "risk_events", "training_subsidy")
VARYING_LINE_IDS = tuple(line_id for line_id in LINE_IDS if line_id not in FIXED_LINE_IDS)


def total_of(values: dict):
    """Return the sum of the values of a mapping of lines."""
    items = list(values.values())
    result = items[0] + items[1]
    for value in items[2:]:
        result += value
    return result


def _by_year(table: dict, years, before_first):
    """Return the entry of ``table`` in force in each of ``years``: the latest known year at or before it."""
    known = np.array(sorted(table), dtype=float)
    entries = np.array([table[int(year)] for year in known], dtype=float)
    years = np.asarray(years, dtype=float)
    index = np.searchsorted(known, years, side="right") - 1
    result = np.where(index >= 0, entries[np.clip(index, 0, None)], before_first)
    return result if result.ndim else float(result)


def ets_surrender_share(years):
    """Return the maritime ETS surrender share of each calendar year (0 before the first known year)."""
    return _by_year(dutch_figures().maritime_ets, years, 0.0)


def cbam_rules(years):
    """Return the CBAM factor and whether certificates are due (1 or 0) in each calendar year."""
    table = dutch_figures().cbam_factor
    factor = _by_year({year: rule[0] for year, rule in table.items()}, years, 1.0)
    due = _by_year({year: rule[1] for year, rule in table.items()}, years, 0.0)
    return factor, due


def rules_of_year(x, year_index) -> dict:
    """Return ``x`` with the ETS and CBAM rules of the path's year ``year_index`` (a number or an array)."""
    start = np.asarray(x["start_year"])
    if start.ndim and start.size and start.min() == start.max():
        # One start year for all rows, the usual case: look each year up once.
        start = start.flat[0]
    years = start + year_index
    factor, due = cbam_rules(years)
    return {**x, "ets_surrender_share": ets_surrender_share(years), "cbam_factor": factor, "cbam_certificates_due": due}


def total(lines: dict, fixed_total=None):
    """Return the sum of all cost lines.

    With ``fixed_total``, the sum of the lines in ``FIXED_LINE_IDS``, only the
    other lines are added to it: the path years and the break-even step
    share those fixed lines.
    """
    ids = LINE_IDS if fixed_total is None else VARYING_LINE_IDS
    result = lines[ids[0]] + lines[ids[1]] if fixed_total is None else fixed_total + lines[ids[0]]
    for line_id in ids[2:] if fixed_total is None else ids[1:]:
        # In place on arrays: no new array for each of the 30-odd additions.
        result += lines[line_id]
    return result


def group_subtotals(lines: dict) -> dict:
    """Return the sum of the lines of each group."""
    subtotals = {group: 0.0 for group in GROUPS}
    for line_id, value in lines.items():
        subtotals[LINE_GROUP[line_id]] = subtotals[LINE_GROUP[line_id]] + value
    return subtotals


def direct_cost(lines: dict):
    """Return the unit price or direct production cost that the break-even price replaces."""
    return lines["purchase_price"] + lines["materials"] + lines["labour"] + lines["machine_overhead"]


def evaluate(x, max_horizon: int | None = None) -> dict:
    """Compute one option's lines, totals, path, NPV and break-even slope.

    The path has ``max_horizon`` years (default the row's horizon); years
    past a row's own horizon are NaN. The NPV follows spreadsheet NPV: the
    first year is discounted by one period.
    """
    physical = physical_quantities(x)
    lines, quantities = compute_lines(x, physical=physical)
    tco = total(lines)
    fixed_total = total_of(physical["fixed_lines"])
    volume = x["annual_volume"]
    horizon = x["horizon_years"]
    years = int(np.max(horizon)) if max_horizon is None else max_horizon

    # One EUR more direct cost, to find how the TCO moves with the price.
    shifted = dict(x)
    shifted["price"] = x["price"] + (1 - x["make"]) / x["fx_eur_per_unit"]
    shifted["materials_eur"] = x["materials_eur"] + x["make"]
    slope = total(compute_lines(shifted, physical=physical)[0], fixed_total) - tco

    # All later years in one call, along a leading year axis: the same work
    # as one call a year, with a fraction of the numpy call overhead.
    later = np.arange(1, years).reshape((-1,) + (1,) * np.ndim(volume))
    if years > 1:
        later_lines, _ = compute_lines(rules_of_year(x, later), later, physical)
        later_units = total(later_lines, fixed_total)

    path_unit = []
    npv = 0.0
    for year_index in range(years):
        unit = tco if year_index == 0 else later_units[year_index - 1]
        inside = year_index < horizon
        npv = npv + np.where(inside, unit * volume / (1 + x["discount_rate"]) ** (year_index + 1), 0.0)
        path_unit.append(np.where(inside, unit, np.nan))

    return {
        "lines": lines,
        "quantities": quantities,
        "groups": group_subtotals(lines),
        "tco_per_unit_eur": tco,
        "annual_tco_eur": tco * volume,
        "path_unit_eur": path_unit,
        "npv_eur": npv,
        "direct_cost_eur": direct_cost(lines),
        "break_even_slope": slope,
    }


def break_even_price(direct_cost_eur, slope, tco_per_unit_eur, baseline_tco_per_unit_eur):
    """Return the direct cost per unit at which the option's TCO equals the baseline's.

    Every line is linear in the price, so one step of one EUR gives the exact
    slope. With a slope of zero or less, or when even a price of zero would
    leave the option dearer than the baseline, there is no break-even and the
    result is NaN.
    """
    valid = slope > 0
    safe_slope = np.where(valid, slope, 1.0)
    price = direct_cost_eur + (baseline_tco_per_unit_eur - tco_per_unit_eur) / safe_slope
    result = np.where(valid & (price >= 0), price, np.nan)
    return result if np.ndim(result) else float(result)
