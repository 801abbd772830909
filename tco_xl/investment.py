"""Investment for own production: depreciation, financing, BMKB guarantee fee, training."""


def depreciation(machines_eur, machines_life_years, tooling_eur, tooling_life_years, building_eur, building_life_years, annual_volume):
    """Return straight-line depreciation a year of each asset, per unit."""
    yearly = machines_eur / machines_life_years + tooling_eur / tooling_life_years + building_eur / building_life_years
    return yearly / annual_volume


def financing(invested_eur, interest_rate, rate_reduction, annual_volume):
    """Return interest on the average capital tied up (half the investment), per unit.

    A BMKB guarantee lowers the rate by ``rate_reduction``, never below zero.
    """
    rate = interest_rate - rate_reduction
    rate = rate * (rate > 0)
    return invested_eur / 2.0 * rate / annual_volume


def spread_over_horizon(amount_eur, horizon_years, annual_volume):
    """Return a one-off amount spread evenly over the units of the horizon."""
    return amount_eur / (horizon_years * annual_volume)
