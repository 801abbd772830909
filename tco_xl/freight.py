"""Freight and insurance: units per load, main leg, air share, inland legs.

All functions take numbers or numpy arrays of equal length and return the
same; amounts are EUR per unit unless a name says otherwise.
"""

import numpy as np

from .spreadsheet import snap_to_15_digits, spreadsheet_floor

# IATA volumetric divisor: 6000 cm3 per chargeable kg, so 1 m3 = 166.67 kg.
CM3_PER_CHARGEABLE_KG = 6000.0


def units_per_load(unit_volume_m3, unit_weight_kg, usable_volume_m3, payload_kg, fill_factor):
    """Return floor(min(usable volume / unit volume, payload / unit weight)) x fill factor.

    NOTE: the fill factor also cuts loads that weight limits, where a full
    payload could be used, so freight of dense parts comes out high.
    """
    by_volume = usable_volume_m3 / unit_volume_m3
    by_weight = payload_kg / unit_weight_kg
    return spreadsheet_floor(np.minimum(by_volume, by_weight)) * fill_factor


def loads_per_shipment(shipment_units, units_per_load, part_load_premium):
    """Return the loads paid for one shipment: its full loads plus the rest as a part load.

    A part load (LCL, groupage) costs its share of a load times
    ``part_load_premium``, but never more than a full load. Loads are
    counted after spreadsheet rounding, so float noise adds no part load.
    """
    share = snap_to_15_digits(shipment_units / np.where(units_per_load > 0, units_per_load, 1.0))
    full_loads = np.floor(share)
    return full_loads + np.minimum(1.0, (share - full_loads) * part_load_premium)


def chargeable_kg(unit_weight_kg, unit_volume_m3):
    """Return the air-freight chargeable weight: max(actual kg, cm3 / 6000)."""
    return np.maximum(unit_weight_kg, unit_volume_m3 * 1e6 / CM3_PER_CHARGEABLE_KG)


def per_unit_leg(cost_per_load_eur, loads_per_unit, surface_share):
    """Return a surface leg's cost per unit: cost per load / units per load, for the units that do not fly."""
    return cost_per_load_eur * loads_per_unit * surface_share


def air_freight(air_share, chargeable_weight_kg, air_rate_eur_per_kg):
    """Return the air freight per unit averaged over all units."""
    return air_share * chargeable_weight_kg * air_rate_eur_per_kg


def insurance(insurance_rate, insured_value_eur):
    """Return cargo insurance per unit on the insured value (goods plus freight)."""
    return insurance_rate * insured_value_eur
