"""Investment for own production: depreciation, financing, BMKB guarantee fee, training."""

import numpy as np


def depreciation(machines_eur, machines_life_years, tooling_eur, tooling_life_years, building_eur, building_life_years, annual_volume):
    """Return straight-line depreciation a year of each asset, per unit."""
    yearly = machines_eur / machines_life_years + tooling_eur / tooling_life_years + building_eur / building_life_years
    return yearly / annual_volume


def financing(invested_eur, interest_rate, guaranteed_credit_eur, rate_reduction, annual_volume):
    """Return interest on the average capital tied up (half the investment), per unit.

    The part financed with a BMKB-guaranteed credit, at most the investment,
    pays ``rate_reduction`` less interest, never below zero; the rest pays
    the full rate.
    """
    guaranteed = np.minimum(guaranteed_credit_eur, invested_eur)
    reduced_rate = np.maximum(interest_rate - rate_reduction, 0.0)
    yearly = (invested_eur - guaranteed) / 2.0 * interest_rate + guaranteed / 2.0 * reduced_rate
    return yearly / annual_volume


def spread_over_horizon(amount_eur, horizon_years, annual_volume):
    """Return a one-off amount spread evenly over the units of the horizon."""
    return amount_eur / (horizon_years * annual_volume)
