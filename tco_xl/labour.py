"""Labour costs and Dutch labour subsidies: loaded wage, loonkostensubsidie, WBSO."""

import numpy as np


def loaded_hourly_cost(hourly_wage_eur, holiday_allowance_rate, employer_oncost_rate):
    """Return the employer's cost of one hour: wage x (1 + holiday allowance) x (1 + on-costs)."""
    return hourly_wage_eur * (1 + holiday_allowance_rate) * (1 + employer_oncost_rate)


def lks_paid_hours(labour_hours, lks_share, loonwaarde):
    """Return the hours paid to staff with loonkostensubsidie for one unit.

    ``lks_share`` of the standard labour hours is made by staff whose output
    per hour is ``loonwaarde`` of a fully productive worker, so each such
    standard hour takes 1 / loonwaarde paid hours.
    """
    return labour_hours * lks_share / loonwaarde


def loonkostensubsidie_per_hour(minimum_wage_eur_per_hour, hourly_wage_eur, holiday_allowance_rate, loonwaarde, allowance, cap_share):
    """Return the wage-cost subsidy for one hour of an employee with loonkostensubsidie.

    Participatiewet art. 10d: the difference between the (minimum) wage and
    the wage value, at most ``cap_share`` (70 %) of the minimum wage, plus an
    allowance for employer charges on that amount. Wages include holiday pay;
    a wage below the minimum wage is the base instead.
    """
    base = np.minimum(hourly_wage_eur, minimum_wage_eur_per_hour) * (1 + holiday_allowance_rate)
    gap = base * (1 - loonwaarde)
    cap = cap_share * minimum_wage_eur_per_hour * (1 + holiday_allowance_rate)
    return np.minimum(gap, cap) * (1 + allowance)


def wbso_credit(rd_wage_cost_eur, first_bracket_eur, rate_first, rate_above):
    """Return the WBSO wage-tax credit a year: rate_first up to the bracket, rate_above beyond it."""
    first = np.minimum(rd_wage_cost_eur, first_bracket_eur)
    above = np.maximum(rd_wage_cost_eur - first_bracket_eur, 0.0)
    return rate_first * first + rate_above * above
