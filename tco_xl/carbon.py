"""Carbon costs: transport emissions (GLEC / ISO 14083), the maritime EU ETS and CBAM."""

import numpy as np


def transport_tco2e(distance_km, unit_weight_kg, emission_factor_g_per_tkm):
    """Return tonnes CO2e per unit: km x t x g per t-km / 10^6.

    NOTE: emissions follow the unit's mass. For a bulky part in a container
    that is full by volume, carriers charge ETS per container, which can be
    several times more per unit.
    """
    return distance_km * (unit_weight_kg / 1000.0) * emission_factor_g_per_tkm / 1e6


def maritime_ets(ets_applies, sea_tco2e, voyage_share, surrender_share, carbon_price_eur_per_t):
    """Return the EU ETS surcharge per unit on a voyage between a non-EU and an EU port.

    Half of such a voyage's emissions is covered, surrendered at 40 % for
    2024, 70 % for 2025 and 100 % from 2026; the carrier passes it on.
    """
    return ets_applies * sea_tco2e * voyage_share * surrender_share * carbon_price_eur_per_t


def cbam_payable_tco2e(embedded_tco2e_per_unit, benchmark_tco2e_per_unit, cbam_factor):
    """Return the tCO2e per unit that need certificates: embedded minus the free allocation adjustment.

    While EU producers still get free allowances, the certificates are cut by
    the CBAM factor of the year times the EU benchmark (Regulation (EU)
    2023/956 art. 31), never below zero.
    """
    return np.maximum(embedded_tco2e_per_unit - cbam_factor * benchmark_tco2e_per_unit, 0.0)


def cbam(cbam_due, importer_tonnes_per_year, exemption_tonnes, payable_tco2e_per_unit, cbam_price_eur_per_t, origin_price_eur_per_t):
    """Return the CBAM cost per unit: payable tCO2e x (certificate price - carbon price paid at origin).

    ``cbam_due`` is 1 for covered goods that the buyer imports into the EU in
    a year when certificates are due. Importers of at most
    ``exemption_tonnes`` a year of covered goods owe none.
    """
    due = cbam_due * (importer_tonnes_per_year > exemption_tonnes)
    return due * payable_tco2e_per_unit * np.maximum(cbam_price_eur_per_t - origin_price_eur_per_t, 0.0)
