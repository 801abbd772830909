"""The input fields of a case: name, unit, allowed range and help text.

One table serves the case-file reader, the validation, the DataFrame
columns and the documentation of the case format.
"""

from __future__ import annotations

from dataclasses import dataclass

INCOTERMS = ("EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP")
TRANSPORT_MODES = ("none", "sea", "rail", "road", "air")
LOAD_TYPES = ("none", "container_20", "container_40", "container_40hc", "truck_ftl")
SOURCING = ("buy", "make")

INF = float("inf")
# Upper bound of amounts and counts: far above any real part, low enough that
# no product of inputs overflows a float.
LARGEST = 1e12


@dataclass(frozen=True)
class Field:
    """One input field and what it accepts."""

    name: str
    scope: str
    kind: str
    unit: str
    help: str
    minimum: float = -INF
    maximum: float = INF
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    uncertain: bool = True

    def allowed(self) -> str:
        """Describe the allowed values in words, for error messages."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "text":
            return "a text"
        if self.kind == "country":
            return "an ISO country code listed by `tco-xl countries`"
        if self.kind == "date":
            return "a date YYYY-MM-DD"
        if self.minimum == -INF:
            low = ""
        elif self.exclusive_minimum:
            low = f"> {self.minimum:g}"
        else:
            low = f">= {self.minimum:g}"
        high = "" if self.maximum == INF else f"<= {self.maximum:g}"
        kind = "a whole number" if self.kind == "integer" else "a number"
        bounds = " and ".join(part for part in (low, high) if part)
        return f"{kind} {bounds}".strip()


def _share(name, scope, help_text, maximum=1.0):
    return Field(name, scope, "number", "fraction (0.25 = 25 %)", help_text, 0.0, maximum)


def _money(name, scope, unit, help_text):
    return Field(name, scope, "number", unit, help_text, 0.0, LARGEST)


PART_FIELDS = (
    Field("name", "part", "text", "", "Name of the part.", uncertain=False),
    Field("annual_volume", "part", "number", "units a year", "Units needed a year.", 1.0, 1e9),
    Field("unit_weight_kg", "part", "number", "kg", "Gross weight of one packed unit.", 0.001, 1e5),
    Field("unit_volume_m3", "part", "number", "m3", "Shipping volume of one packed unit.", 1e-6, 1e3),
    _money("selling_price_eur", "part", "EUR per unit", "Selling price of the product the part goes into; warranty claims are a share of it."),
    Field("demand_period_days", "part", "number", "days", "Length of the demand period used for safety stock.", 0.0, 365.0, exclusive_minimum=True),
    _money("demand_per_period", "part", "units per period", "Mean demand per period; default annual_volume x period / 365."),
    _money("demand_sd_per_period", "part", "units per period", "Standard deviation of demand per period."),
    Field("service_level", "part", "number", "fraction", "Chance of no stock-out in a replenishment cycle; sets the safety factor z.", 0.5, 0.9999),
)

SETTINGS_FIELDS = (
    Field("currency", "settings", "choice", "", "Reporting currency.", choices=("EUR",), uncertain=False),
    Field("region", "settings", "text", "", "Region whose labour cost, figures date and subsidies apply (a file in tco_xl/data/regions, such as tilburg); default none: national figures.", uncertain=False),
    Field("figures_date", "settings", "date", "", "Date whose Dutch figures apply (minimum wage, WBSO, ETS share); the path starts in its year.", uncertain=False),
    _share("cost_of_capital", "settings", "Cost of capital a year, for money paid before goods arrive and VAT pre-financing."),
    _share("carrying_rate", "settings", "Inventory carrying cost a year as a share of the stock value (capital, storage, handling, obsolescence)."),
    Field("horizon_years", "settings", "integer", "years", "Years of the multi-year path; one-off costs are spread over them.", 1.0, 30.0, uncertain=False),
    _share("discount_rate", "settings", "Discount rate a year for the NPV of yearly costs."),
    _money("carbon_price_eur_per_t", "settings", "EUR per tCO2e", "EU ETS allowance price in the first year."),
    _money("cbam_price_eur_per_t", "settings", "EUR per tCO2e", "CBAM certificate price in the first year."),
    Field("carbon_price_growth_per_year", "settings", "number", "fraction a year", "Yearly change of the carbon prices.", -0.5, 1.0),
    Field("home_wage_inflation_per_year", "settings", "number", "fraction a year", "Yearly wage growth of the company's own staff in the Netherlands (supplier management); default the NL figure.", -0.5, 1.0),
    Field("freight_growth_per_year", "settings", "number", "fraction a year", "Yearly change of freight rates.", -0.5, 1.0),
    _share("vat_rate", "settings", "Import VAT rate."),
    _money("vat_recovery_days", "settings", "days", "Days from paying import VAT to getting it back through the VAT return."),
)

OPTION_FIELDS = (
    Field("name", "option", "text", "", "Name of the option, unique within the case.", uncertain=False),
    Field("country", "option", "country", "", "ISO country code of the supplier or plant (see `tco-xl countries`).", uncertain=False),
    Field("sourcing", "option", "choice", "", "buy from a supplier, or make in an own plant.", choices=SOURCING, uncertain=False),
    Field("baseline", "option", "bool", "", "True for the option the others are compared with; default the first option.", uncertain=False),
    Field("currency", "option", "text", "", "ISO currency of the price; default the country's currency.", uncertain=False),
    _money("price", "option", "currency units per unit", "Purchase price per unit in the option's currency (buy only)."),
    _share("price_labour_share", "option", "Share of the purchase price that follows the supplier country's wages in EUR over the years; the rest follows local inflation in EUR when quoted in the supplier's currency, else stays fixed in the quote currency."),
    Field("fx_eur_per_unit", "option", "number", "EUR per currency unit", "Exchange rate; default the packaged ECB reference rate.", 0.0, 1e6, exclusive_minimum=True),
    Field("fx_trend_per_year", "option", "number", "fraction a year", "Yearly change of EUR per currency unit (+0.02: the currency gains 2 %); for a price in the supplier's own currency it is also the default local_fx_trend_per_year.", -0.5, 0.5),
    _money("materials_eur", "option", "EUR per unit", "Bought-in materials per unit (make only)."),
    _money("labour_hours", "option", "hours per unit", "Direct labour hours per unit (make only)."),
    _money("hourly_wage_eur", "option", "EUR per hour", "Gross hourly wage; default in NL the all-in labour cost (of the region, if set) less holiday allowance and on-costs, elsewhere the all-in labour cost."),
    _share("holiday_allowance_rate", "option", "Holiday allowance on top of the gross wage; default 0.08 in NL, 0 elsewhere."),
    _share("employer_oncost_rate", "option", "Employer charges and pension on the wage; default about 0.30 in NL, 0 elsewhere.", 2.0),
    Field("wage_inflation_per_year", "option", "number", "fraction a year", "Yearly wage growth in the option's country, in its own currency.", -0.5, 1.0),
    Field("local_inflation_per_year", "option", "number", "fraction a year", "Yearly price inflation in the option's country, in its own currency; a price quoted in that currency, and the materials, machine and overhead costs of own production, follow it over the years. Default the country's figure.", -0.5, 2.0),
    Field("local_fx_trend_per_year", "option", "number", "fraction a year", "Yearly change of EUR per unit of the option country's currency, which turns its wage growth into EUR; default the country's FX trend.", -0.5, 0.5),
    _money("machine_eur", "option", "EUR per unit", "Machine running cost per unit (make only)."),
    _money("overhead_eur", "option", "EUR per unit", "Factory overhead per unit (make only)."),
    _money("packaging_eur", "option", "EUR per unit", "Packaging per unit paid on top of the price; export packaging the seller provides under the Incoterm is already in the price."),
    Field("incoterm", "option", "choice", "", "Incoterm of the price; default FOB by sea, FCA by road, rail and air, EXW for own production or without transport.", choices=INCOTERMS, uncertain=False),
    Field("transport_mode", "option", "choice", "", "Main transport mode to the Netherlands; default the country's.", choices=TRANSPORT_MODES, uncertain=False),
    Field("load_type", "option", "choice", "", "Container or truck type of the main leg.", choices=LOAD_TYPES, uncertain=False),
    _money("cost_per_load_eur", "option", "EUR per load", "Main-leg cost of one container or truck."),
    Field("fill_factor", "option", "number", "fraction", "Share of a load's capacity actually used.", 0.01, 1.0),
    _money("inland_origin_eur_per_load", "option", "EUR per load", "Pre-carriage from the factory to the port of loading."),
    _money("inland_destination_eur_per_load", "option", "EUR per load", "On-carriage from the port of arrival to the plant."),
    _share("air_share", "option", "Share of the units that fly."),
    _money("air_rate_eur_per_kg", "option", "EUR per chargeable kg", "Air freight rate; chargeable kg = max(kg, m3 x 166.67)."),
    _money("distance_km", "option", "km", "Main-leg transport distance, for emissions."),
    _share("insurance_rate", "option", "Cargo insurance as a share of the insured value (goods plus freight)."),
    _share("duty_rate", "option", "Customs duty rate on the customs value (TARIC, by commodity code and origin)."),
    _share("antidumping_rate", "option", "Anti-dumping or countervailing duty rate on the customs value.", 10.0),
    _money("brokerage_eur_per_shipment", "option", "EUR per shipment", "Customs broker and clearance fees per import declaration."),
    Field("units_per_shipment", "option", "number", "units", "Units per shipment or production batch; 0 or absent means one full load, at most max_shipment_share_of_year of the annual volume.", 0.0, 1e9),
    Field("max_shipment_share_of_year", "option", "number", "fraction of the annual volume", "Largest default shipment, when units_per_shipment is not given.", 0.01, 1.0),
    Field("part_load_premium", "option", "number", "x the pro-rata share of a load", "Price of a part load (LCL, groupage) relative to its share of a full load; 1.5 means half a container costs 75 % of a full one.", 1.0, 10.0),
    Field("article_23_licence", "option", "bool", "", "True when the importer has a Dutch article 23 licence, so import VAT is not pre-financed.", uncertain=False),
    _share("deposit_share", "option", "Share of the price paid at order, before production."),
    Field("payment_days", "option", "number", "days", "Days after receipt the rest is paid; negative when paid before receipt.", -365.0, 365.0),
    _money("production_lead_days", "option", "days", "Production lead time from order to shipment."),
    _money("transit_days", "option", "days", "Transit time door to door."),
    _money("lead_time_sd_days", "option", "days", "Standard deviation of the total lead time."),
    _share("defect_rate", "option", "Share of units found defective."),
    _money("defect_handling_eur", "option", "EUR per defective unit", "Handling, sorting and rework per defective unit, on top of its replacement."),
    _share("warranty_rate", "option", "Warranty claims as a share of the selling price."),
    _money("trips_per_year", "option", "trips a year", "Supplier visits a year."),
    _money("cost_per_trip_eur", "option", "EUR per trip", "Cost of one supplier visit."),
    _money("audits_per_year", "option", "audits a year", "Supplier audits a year."),
    _money("cost_per_audit_eur", "option", "EUR per audit", "Cost of one audit."),
    _money("oversight_hours_per_year", "option", "hours a year", "Staff hours a year to manage the supplier."),
    _money("oversight_hourly_eur", "option", "EUR per hour", "Loaded cost of one hour of that staff time."),
    _money("transition_eur", "option", "EUR", "One-off transition costs (tooling transfer, qualification, prototypes)."),
    _share("obsolescence_share", "option", "Share of the stock left at the part's end of life that is written off; set it when the carrying rate does not already include obsolescence."),
    _share("risk_share_of_price", "option", "Expected risk cost as a share of the goods value, for risks without a probability and impact; the country default covers disruption, IP, currency and political risk, so lower it when you list such risks as risk items."),
    _share("strategic_share", "option", "Strategic effects (innovation, time to market, customer proximity) as a share of the goods value.", 10.0),
    Field("cbam_covered", "option", "bool", "", "True when the goods are covered by CBAM (iron and steel, aluminium, cement, fertilisers, hydrogen, electricity).", uncertain=False),
    _money("embedded_tco2e_per_unit", "option", "tCO2e per unit", "Embedded emissions of one unit, for CBAM."),
    _money("cbam_benchmark_tco2e_per_unit", "option", "tCO2e per unit", "EU free-allocation benchmark of one unit; the CBAM factor of the year times this is deducted from the embedded emissions."),
    _money("origin_carbon_price_eur_per_t", "option", "EUR per tCO2e", "Carbon price already paid in the country of origin."),
    _money("cbam_importer_tonnes_per_year", "option", "t a year", "The importer's CBAM goods a year; below the exemption threshold no CBAM is due. Default this part's mass."),
    _share("lks_share", "option", "Share of the standard labour hours (the output) made by staff with loonkostensubsidie (NL only); they need 1 / loonwaarde paid hours for each."),
    Field("loonwaarde", "option", "number", "fraction", "Assessed wage value of those staff as a share of full productivity.", 0.05, 1.0),
    _money("rd_hours_per_year", "option", "hours a year", "R&D hours a year for this option that qualify for WBSO (NL only); their cost is counted and WBSO lowers it."),
    _money("rd_hourly_wage_eur", "option", "EUR per hour", "Wage cost of one R&D hour; default the loaded labour cost."),
    Field("wbso_starter", "option", "bool", "", "True for a WBSO starter, which gets the higher first-bracket rate.", uncertain=False),
)

INVESTMENT_FIELDS = (
    _money("machines_eur", "investment", "EUR", "Machines bought for the option."),
    Field("machines_life_years", "investment", "number", "years", "Depreciation life of the machines.", 0.0, 100.0, exclusive_minimum=True),
    _money("tooling_eur", "investment", "EUR", "Tooling bought for the option."),
    Field("tooling_life_years", "investment", "number", "years", "Depreciation life of the tooling.", 0.0, 100.0, exclusive_minimum=True),
    _money("building_eur", "investment", "EUR", "Building investment for the option."),
    Field("building_life_years", "investment", "number", "years", "Depreciation life of the building.", 0.0, 100.0, exclusive_minimum=True),
    _share("interest_rate", "investment", "Interest rate a year on the investment; default the cost of capital."),
    _money("bmkb_credit_eur", "investment", "EUR", "Credit under the BMKB state guarantee; 0 for none."),
    Field("bmkb_term_years", "investment", "number", "years", "Term of the BMKB credit; sets the one-off fee.", 0.0, 30.0, exclusive_minimum=True),
    Field("bmkb_innovative", "investment", "bool", "", "True for the higher BMKB fee of innovative firms.", uncertain=False),
    _share("bmkb_rate_reduction", "investment", "Interest-rate reduction the BMKB guarantee brings, in fraction points."),
    _money("training_eur", "investment", "EUR", "One-off training costs."),
    _money("training_subsidy_eur", "investment", "EUR", "Training subsidy received, one-off."),
)

RISK_FIELDS = (
    Field("name", "risk", "text", "", "Name of the risk.", uncertain=False),
    _share("probability_per_year", "risk", "Chance a year that the event happens."),
    _money("impact_eur", "risk", "EUR", "Cost when it happens."),
)

ALL_FIELDS = PART_FIELDS + SETTINGS_FIELDS + OPTION_FIELDS + INVESTMENT_FIELDS


def by_name(fields: tuple[Field, ...]) -> dict[str, Field]:
    return {field.name: field for field in fields}
