"""Inventory and working capital: payment terms, cycle stock, safety stock, obsolescence."""

from statistics import NormalDist

import numpy as np


def safety_factor(service_level):
    """Return z, the standard normal quantile of the cycle service level."""
    levels = np.asarray(service_level, dtype=float)
    unique, inverse = np.unique(levels, return_inverse=True)
    quantiles = np.array([NormalDist().inv_cdf(level) for level in unique])
    z = quantiles[inverse].reshape(levels.shape)
    return z if z.ndim else float(z)


def safety_stock_units(z, lead_time_days, lead_time_sd_days, demand_period_days, demand_per_period, demand_sd_per_period):
    """Return z x sqrt(L x sd_d^2 + d^2 x sd_L^2), with the lead time L in demand periods."""
    lead_periods = lead_time_days / demand_period_days
    lead_sd_periods = lead_time_sd_days / demand_period_days
    variance = lead_periods * demand_sd_per_period**2 + demand_per_period**2 * lead_sd_periods**2
    return z * np.sqrt(variance)


def capital_days(deposit_share, production_lead_days, transit_days, payment_days):
    """Return the days money is paid out before the goods arrive, weighted by the paid shares.

    The deposit is paid at order, so it is out for production plus transit;
    the rest is paid ``payment_days`` after receipt (negative: before it).
    A negative result is supplier credit.
    """
    return deposit_share * (production_lead_days + transit_days) - (1 - deposit_share) * payment_days


def payment_terms(value_paid_eur, days, cost_of_capital):
    """Return the cost of capital on money paid before receipt: value x days x rate / 365."""
    return value_paid_eur * days * cost_of_capital / 365.0


def stock_holding(stock_units, landed_value_eur, carrying_rate, annual_volume):
    """Return the carrying cost per unit of an average stock: units x value x rate / volume."""
    return stock_units * landed_value_eur * carrying_rate / annual_volume


def obsolescence(leftover_units, landed_value_eur, obsolescence_share, horizon_years, annual_volume):
    """Return the write-off of stock left at end of life, spread over the horizon's units."""
    return leftover_units * landed_value_eur * obsolescence_share / (horizon_years * annual_volume)
