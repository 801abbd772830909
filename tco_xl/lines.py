"""The cost lines of an option: catalogue and calculation.

``compute_lines`` takes a mapping of input names to numbers, or to numpy
arrays of equal length, and returns every line in EUR per unit for one year
of the horizon. The one-case path passes numbers; the DataFrame path passes
columns. Input names are those of ``NUMBER_COLUMNS``, ``DUTCH_COLUMNS``
and ``DERIVED_COLUMNS`` in ``tco_xl.inputs``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import carbon, customs, freight, inventory, investment, labour


@dataclass(frozen=True)
class Line:
    """A cost line: id, group, label and its formula in words."""

    id: str
    group: str
    label: str
    formula: str


GROUPS = {
    "price": "Price and packaging",
    "freight": "Freight and insurance",
    "customs": "Customs",
    "inventory": "Inventory and capital",
    "quality": "Quality and oversight",
    "risk": "Risk",
    "strategic": "Strategic",
    "carbon": "Carbon",
    "subsidies": "Labour subsidies",
}

LINES = (
    Line("purchase_price", "price", "Purchase price", "price x EUR per currency unit (buy only); over the years its labour share follows the supplier's wages in EUR, the rest local inflation in EUR if quoted in the local currency, else the FX trend"),
    Line("materials", "price", "Materials", "bought-in materials per unit (make only); over the years they follow local inflation in EUR"),
    Line("labour", "price", "Direct labour", "labour hours x ((1 - LKS share) x loaded wage + LKS share / loonwaarde x loaded wage of LKS staff), loaded = x (1 + holiday allowance) x (1 + employer on-costs); LKS staff earn at most the minimum wage and need 1 / loonwaarde hours for one standard hour"),
    Line("machine_overhead", "price", "Machine and overhead", "machine cost + overhead per unit (make only); over the years they follow local inflation in EUR"),
    Line("depreciation", "price", "Depreciation", "(machines / life + tooling / life + building / life) / annual volume"),
    Line("packaging", "price", "Packaging", "packaging per unit"),
    Line("rd_labour", "price", "R&D labour", "R&D hours a year x hourly R&D wage cost / annual volume; WBSO lowers it"),
    Line("main_freight", "freight", "Main freight", "(1 - air share) x loads per shipment x cost per load / units per shipment; loads per shipment = full loads + min(1, rest of a load x part-load premium), units per load = floor(min(usable m3 / unit m3, payload / unit kg)) x fill factor; zero when the seller pays it"),
    Line("air_freight", "freight", "Air freight", "air share x max(kg, m3 x 166.67) x rate per kg; zero when the seller pays the main leg"),
    Line("inland_origin", "freight", "Inland leg at origin", "(1 - air share) x loads per shipment x pre-carriage per load / units per shipment; zero when the seller pays it"),
    Line("inland_destination", "freight", "Inland leg at destination", "(1 - air share) x loads per shipment x on-carriage per load / units per shipment; zero under D-terms"),
    Line("insurance", "freight", "Cargo insurance", "insurance rate x (invoice + the legs to the border the price lacks); zero under CIF, CIP and D-terms"),
    Line("duty", "customs", "Customs duty", "(duty rate + anti-dumping rate) x customs value; customs value = invoice + legs to the EU border the price lacks - legs after the border it has"),
    Line("brokerage", "customs", "Brokerage and clearance", "fee per shipment / units per shipment"),
    Line("vat_prefinancing", "customs", "Import VAT pre-financing", "VAT rate x (customs value + duty + destination leg) x recovery days x cost of capital / 365; zero with an article 23 licence"),
    Line("payment_terms", "inventory", "Payment terms and goods in transit", "value paid x (deposit share x (production + transit days) - (1 - deposit share) x payment days) x cost of capital / 365"),
    Line("cycle_stock", "inventory", "Cycle stock", "units per shipment / 2 x landed value x carrying rate / annual volume"),
    Line("safety_stock", "inventory", "Safety stock", "z x sqrt(L x sd_d^2 + d^2 x sd_L^2) x landed value x carrying rate / annual volume"),
    Line("obsolescence", "inventory", "Obsolescence at end of life", "(units per shipment / 2 + safety stock) x landed value x write-off share / (horizon x annual volume)"),
    Line("financing", "inventory", "Investment financing", "((investment - BMKB credit) x interest rate + BMKB credit x (interest rate - BMKB reduction)) / 2 / annual volume; the BMKB credit counts up to the investment"),
    Line("bmkb_fee", "inventory", "BMKB guarantee fee", "BMKB credit x one-off fee rate / (horizon x annual volume)"),
    Line("defects", "quality", "Defects", "defect rate x (landed value + handling per defect)"),
    Line("warranty", "quality", "Warranty claims", "warranty rate x selling price"),
    Line("oversight", "quality", "Travel, audits and supplier management", "(trips x cost per trip + audits x cost per audit + staff hours x hourly cost) / annual volume"),
    Line("transition", "quality", "One-off transition", "transition costs / (horizon x annual volume)"),
    Line("training", "quality", "Training", "training costs / (horizon x annual volume)"),
    Line("risk_events", "risk", "Risk events", "sum of probability a year x impact / annual volume"),
    Line("risk_share", "risk", "Risk as share of value", "risk share x goods value"),
    Line("strategic", "strategic", "Strategic effects", "strategic share x goods value"),
    Line("carbon_ets", "carbon", "Maritime EU ETS", "sea tCO2e x 50 % voyage share x surrender share of the year x ETS price; zero when the seller pays the main leg"),
    Line("carbon_cbam", "carbon", "CBAM certificates", "max(embedded tCO2e - CBAM factor of the year x benchmark tCO2e, 0) x max(CBAM price - carbon price paid at origin, 0); zero for EU origins, under DDP and for importers of 50 t a year or less"),
    Line("loonkostensubsidie", "subsidies", "Loonkostensubsidie", "subsidy, counted negative: labour hours x LKS share / loonwaarde (the hours paid) x min(min(wage, minimum wage) x (1 - loonwaarde), 70 % of minimum wage) x (1 + employer-charge allowance), wages with holiday allowance"),
    Line("wbso", "subsidies", "WBSO", "subsidy, counted negative: (first-bracket rate x min(R&D wage cost, bracket) + rate above x the rest) / annual volume"),
    Line("training_subsidy", "subsidies", "Training subsidy", "subsidy, counted negative: training subsidy / (horizon x annual volume)"),
)

LINE_IDS = tuple(line.id for line in LINES)
LINE_GROUP = {line.id: line.group for line in LINES}


def year_factors(x, year_index):
    """Return the growth multipliers of wages, FX, freight and carbon for a year of the path.

    ``year_index`` may be an array with a leading year axis; the result then
    has a value for each year and row.
    """
    if np.ndim(year_index) == 0 and year_index == 0:
        return {"wage": 1.0, "local_price": 1.0, "home_wage": 1.0, "fx": 1.0, "freight": 1.0, "carbon": 1.0}
    return {
        # Local wage growth turned into EUR with the trend of the country's currency.
        "wage": ((1 + x["wage_inflation_per_year"]) * (1 + x["local_fx_trend_per_year"])) ** year_index,
        "local_price": ((1 + x["local_inflation_per_year"]) * (1 + x["local_fx_trend_per_year"])) ** year_index,
        "home_wage": (1 + x["home_wage_inflation_per_year"]) ** year_index,
        "fx": (1 + x["fx_trend_per_year"]) ** year_index,
        "freight": (1 + x["freight_growth_per_year"]) ** year_index,
        "carbon": (1 + x["carbon_price_growth_per_year"]) ** year_index,
    }


def fixed_lines(x, shipment_units) -> dict:
    """Return the lines that are the same in every year and do not depend on the price."""
    volume = x["annual_volume"]
    horizon = x["horizon_years"]
    return {
        "depreciation": investment.depreciation(
            x["machines_eur"], x["machines_life_years"], x["tooling_eur"], x["tooling_life_years"],
            x["building_eur"], x["building_life_years"], volume,
        ),
        "packaging": x["packaging_eur"],
        "brokerage": customs.brokerage(x["customs_applies"], x["seller_import"], x["brokerage_eur_per_shipment"], shipment_units),
        "financing": investment.financing(
            x["machines_eur"] + x["tooling_eur"] + x["building_eur"], x["interest_rate"],
            x["bmkb_credit_eur"], x["bmkb_rate_reduction"], volume,
        ),
        "bmkb_fee": investment.spread_over_horizon(x["bmkb_credit_eur"] * x["bmkb_fee_rate"], horizon, volume),
        "warranty": x["warranty_rate"] * x["selling_price_eur"],
        "transition": investment.spread_over_horizon(x["transition_eur"], horizon, volume),
        "training": investment.spread_over_horizon(x["training_eur"], horizon, volume),
        "risk_events": x["risk_events_eur_per_year"] / volume,
        "training_subsidy": 0.0 - investment.spread_over_horizon(x["training_subsidy_eur"], horizon, volume),
    }


def physical_quantities(x) -> dict:
    """Return what does not change over the years and with the price.

    That is the loads, stock units and emissions, and the fixed lines. It also
    contains the first-year amounts of the lines that only grow with a yearly
    factor (wages, freight legs). Last come the lines' rates per EUR of the
    amount each applies to, computed with the line's own function at 1 EUR.
    ``compute_lines`` applies the year's growth and amounts to these.
    """
    has_loads = x["has_loads"]
    volume = x["annual_volume"]
    load_units = freight.units_per_load(x["unit_volume_m3"], x["unit_weight_kg"], x["usable_volume_m3"], x["payload_kg"], x["fill_factor"])
    z = inventory.safety_factor(x["service_level"])
    surface_share = 1 - x["air_share"]
    default_shipment = np.where(
        has_loads > 0, np.minimum(load_units, volume * x["max_shipment_share_of_year"]), volume / 12.0
    )
    shipment_units = np.where(x["units_per_shipment"] > 0, x["units_per_shipment"], default_shipment)
    loads_per_shipment = freight.loads_per_shipment(shipment_units, load_units, x["part_load_premium"])
    loads_per_unit = has_loads * loads_per_shipment / shipment_units
    safety_units = inventory.safety_stock_units(
        z, x["production_lead_days"] + x["transit_days"], x["lead_time_sd_days"],
        x["demand_period_days"], x["demand_per_period"], x["demand_sd_per_period"],
    )
    paid_days = inventory.capital_days(x["deposit_share"], x["production_lead_days"], x["transit_days"], x["payment_days"])
    surface_tco2e = carbon.transport_tco2e(x["distance_km"], x["unit_weight_kg"], x["emission_factor_g_per_tkm"]) * surface_share

    # Wages of the first year. Loaded wages, the minimum wage and so the subsidy per
    # hour all scale with the same wage factor, so later years multiply these.
    make_hours = x["make"] * x["labour_hours"]
    lks_hours = x["make"] * labour.lks_paid_hours(x["labour_hours"], x["lks_share"], x["loonwaarde"])
    wage = x["hourly_wage_eur"]
    hourly = labour.loaded_hourly_cost(wage, x["holiday_allowance_rate"], x["employer_oncost_rate"])
    lks_hourly = labour.loaded_hourly_cost(np.minimum(wage, x["minimum_wage_eur_per_hour"]), x["holiday_allowance_rate"], x["employer_oncost_rate"])
    lks_hour = labour.loonkostensubsidie_per_hour(
        x["minimum_wage_eur_per_hour"], wage, x["holiday_allowance_rate"], x["loonwaarde"], x["lks_allowance"], x["lks_cap"],
    )

    return {
        "units_per_load": load_units * has_loads,
        "loads_per_shipment": loads_per_shipment * has_loads,
        "units_per_shipment": shipment_units,
        "safety_stock_units": safety_units,
        "surface_tco2e": surface_tco2e,
        "air_tco2e": carbon.transport_tco2e(x["distance_km"], x["unit_weight_kg"], x["air_emission_factor_g_per_tkm"]) * x["air_share"],
        "fixed_lines": fixed_lines(x, shipment_units),
        # 1 where the buyer pays a leg or the insurance, 0 where the Incoterm puts it on the seller.
        "buyer_origin": 1 - x["seller_origin"],
        "buyer_main": 1 - x["seller_main"],
        "buyer_insurance": 1 - x["seller_insurance"],
        "buyer_destination": 1 - x["seller_destination"],
        # First-year amounts that only grow with a yearly factor.
        "labour_eur": make_hours * (1 - x["lks_share"]) * hourly + lks_hours * lks_hourly,
        "lks_eur": lks_hours * lks_hour,
        "main_leg_eur": freight.per_unit_leg(x["cost_per_load_eur"], loads_per_unit, surface_share),
        "origin_leg_eur": freight.per_unit_leg(x["inland_origin_eur_per_load"], loads_per_unit, surface_share),
        "destination_leg_eur": freight.per_unit_leg(x["inland_destination_eur_per_load"], loads_per_unit, surface_share),
        "air_leg_eur": freight.air_freight(x["air_share"], freight.chargeable_kg(x["unit_weight_kg"], x["unit_volume_m3"]), x["air_rate_eur_per_kg"]),
        "audits_trips_eur": (x["trips_per_year"] * x["cost_per_trip_eur"] + x["audits_per_year"] * x["cost_per_audit_eur"]) / volume,
        "oversight_staff_eur": x["oversight_hours_per_year"] * x["oversight_hourly_eur"] / volume,
        # Each line's cost per EUR of the amount it applies to.
        "duty_rate": customs.duty(x["customs_applies"], x["seller_import"], x["duty_rate"], x["antidumping_rate"], 1.0),
        "vat_rate": customs.vat_prefinancing(
            x["customs_applies"], x["seller_import"], x["article_23_licence"], x["vat_rate"], 1.0, x["vat_recovery_days"], x["cost_of_capital"],
        ),
        "payment_rate": inventory.payment_terms(1.0, paid_days, x["cost_of_capital"]),
        "cycle_rate": inventory.stock_holding(shipment_units / 2.0, 1.0, x["carrying_rate"], volume),
        "safety_rate": inventory.stock_holding(safety_units, 1.0, x["carrying_rate"], volume),
        "obsolescence_rate": inventory.obsolescence(shipment_units / 2.0 + safety_units, 1.0, x["obsolescence_share"], x["horizon_years"], volume),
        # ETS tCO2e the buyer pays for: at a surrender share and price of 1.
        "ets_tco2e": (1 - x["seller_main"]) * carbon.maritime_ets(x["ets_applies"], surface_tco2e, x["ets_voyage_share"], 1.0, 1.0),
        # 1 where CBAM applies: goods the buyer imports into the EU above the exemption
        # (the CBAM function at 1 tCO2e and a price gap of 1 EUR).
        "cbam_due": carbon.cbam(
            x["cbam_covered"] * x["customs_applies"] * (1 - x["seller_import"]), x["cbam_importer_tonnes_per_year"],
            x["cbam_exemption_tonnes"], 1.0, 1.0, 0.0,
        ),
    }


def compute_lines(x, year_index=0, physical=None):
    """Return every cost line in EUR per unit, plus helper quantities, for one year.

    ``x`` carries the rules of that year (ETS surrender share, CBAM factor);
    growth rates are applied for ``year_index`` years. ``physical`` is the
    result of ``physical_quantities(x)``, computed here when None; callers
    that compute several years pass it to save the work.
    """
    physical = physical_quantities(x) if physical is None else physical
    growth = year_factors(x, year_index)
    make = x["make"]
    out = dict(physical["fixed_lines"])

    # Price and packaging.
    # The labour share of a bought price follows the supplier's wages in EUR. The rest follows local
    # inflation in EUR when quoted in the supplier's own currency, and stays fixed in any other currency.
    labour_share = x["price_labour_share"]
    local = x["price_in_local_currency"]
    other_growth = local * growth["local_price"] + (1 - local) * growth["fx"]
    price_growth = (1 - labour_share) * other_growth + labour_share * growth["wage"]
    out["purchase_price"] = (1 - make) * x["price"] * x["fx_eur_per_unit"] * price_growth
    # Own production's other costs follow prices in the plant's country, in EUR.
    out["materials"] = make * x["materials_eur"] * growth["local_price"]
    out["machine_overhead"] = make * (x["machine_eur"] + x["overhead_eur"]) * growth["local_price"]
    out["labour"] = physical["labour_eur"] * growth["wage"]
    goods_value = out["purchase_price"] + out["materials"] + out["labour"] + out["machine_overhead"] + out["depreciation"]
    invoice = goods_value + out["packaging"]

    # Legs are costed even when the seller pays them, because the customs value needs them all.
    main_leg = physical["main_leg_eur"] * growth["freight"]
    origin_leg = physical["origin_leg_eur"] * growth["freight"]
    destination_leg = physical["destination_leg_eur"] * growth["freight"]
    air_leg = physical["air_leg_eur"] * growth["freight"]
    # The insured value is the CIF value: the invoice plus the legs to the border it lacks.
    insured_value = invoice + physical["buyer_origin"] * origin_leg + physical["buyer_main"] * (main_leg + air_leg)
    insurance = freight.insurance(x["insurance_rate"], insured_value)

    out["main_freight"] = physical["buyer_main"] * main_leg
    out["air_freight"] = physical["buyer_main"] * air_leg
    out["inland_origin"] = physical["buyer_origin"] * origin_leg
    out["inland_destination"] = physical["buyer_destination"] * destination_leg
    out["insurance"] = physical["buyer_insurance"] * insurance

    # Customs.
    value = customs.customs_value(
        invoice, origin_leg, main_leg + air_leg, insurance, destination_leg,
        x["seller_origin"], x["seller_main"], x["seller_insurance"], x["seller_destination"],
    )
    out["duty"] = physical["duty_rate"] * value
    out["vat_prefinancing"] = physical["vat_rate"] * (value + out["duty"] + destination_leg)

    # Inventory and capital.
    landed_value = (
        invoice + out["main_freight"] + out["air_freight"] + out["inland_origin"] + out["inland_destination"]
        + out["insurance"] + out["duty"] + out["brokerage"]
    )
    out["payment_terms"] = physical["payment_rate"] * (out["purchase_price"] + out["materials"] + out["packaging"])
    out["cycle_stock"] = physical["cycle_rate"] * landed_value
    out["safety_stock"] = physical["safety_rate"] * landed_value
    out["obsolescence"] = physical["obsolescence_rate"] * landed_value

    # Quality, oversight and transition.
    out["defects"] = x["defect_rate"] * (landed_value + x["defect_handling_eur"])
    out["oversight"] = physical["audits_trips_eur"] + physical["oversight_staff_eur"] * growth["home_wage"]

    # Risk and strategic effects.
    out["risk_share"] = x["risk_share_of_price"] * goods_value
    out["strategic"] = x["strategic_share"] * goods_value

    # Carbon.
    carbon_growth = growth["carbon"]
    out["carbon_ets"] = physical["ets_tco2e"] * x["ets_surrender_share"] * x["carbon_price_eur_per_t"] * carbon_growth
    payable_tco2e = carbon.cbam_payable_tco2e(x["embedded_tco2e_per_unit"], x["cbam_benchmark_tco2e_per_unit"], x["cbam_factor"])
    # Both carbon prices grow alike, so the price gap grows with them.
    price_gap = np.maximum(x["cbam_price_eur_per_t"] - x["origin_carbon_price_eur_per_t"], 0.0) * carbon_growth
    out["carbon_cbam"] = physical["cbam_due"] * x["cbam_certificates_due"] * payable_tco2e * price_gap

    # Dutch labour subsidies, as negative costs. They are subtracted from 0.0, so a
    # subsidy that does not apply is 0.0 and not -0.0 in the outputs.
    out["loonkostensubsidie"] = 0.0 - physical["lks_eur"] * growth["wage"]
    rd_cost = x["rd_hours_per_year"] * x["rd_hourly_wage_eur"] * growth["wage"]
    out["rd_labour"] = rd_cost / x["annual_volume"]
    out["wbso"] = 0.0 - labour.wbso_credit(rd_cost, x["wbso_first_bracket_eur"], x["wbso_rate_first"], x["wbso_rate_above"]) / x["annual_volume"]

    quantities = {
        "units_per_load": physical["units_per_load"],
        "units_per_shipment": physical["units_per_shipment"],
        "customs_value_eur": value,
        "landed_value_eur": landed_value,
        "safety_stock_units": physical["safety_stock_units"],
        "transport_tco2e_per_unit": physical["surface_tco2e"] + physical["air_tco2e"],
    }
    return {line_id: out[line_id] for line_id in LINE_IDS}, quantities
