"""Formulas of the template's calculation and path sheets, written by hand for the spreadsheet.

Placeholders: ``{name}`` is the option's used input ``name`` on the inputs
sheet, ``{@key}`` another row of the calculation sheet in the same option
column. Settings and part fields appear by their defined names. The cost
lines keep the ids and order of ``tco_xl.lines.LINES``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CalcRow:
    """A row of the calculation sheet: key, labels, unit and the formula of one option column."""

    key: str
    label_en: str
    label_nl: str
    unit: str
    formula: str


QUANTITIES = (
    CalcRow("z", "Safety factor z", "Veiligheidsfactor z", "", "NORMSINV(service_level)"),
    CalcRow(
        "units_per_load", "Units per load", "Stuks per lading", "units",
        "{has_loads}*INT(MIN({usable_volume_m3}/unit_volume_m3,{payload_kg}/unit_weight_kg))*{fill_factor}",
    ),
    CalcRow(
        "units_per_shipment", "Units per shipment", "Stuks per zending", "units",
        "IF({units_per_shipment}>0,{units_per_shipment},IF({has_loads}>0,MIN({@units_per_load},annual_volume*{max_shipment_share_of_year}),annual_volume/12))",
    ),
    CalcRow("load_share", "Loads in one shipment", "Ladingen in een zending", "loads", "{@units_per_shipment}/IF({@units_per_load}>0,{@units_per_load},1)"),
    CalcRow(
        "loads_per_shipment", "Loads paid per shipment", "Betaalde ladingen per zending", "loads",
        "{has_loads}*(INT({@load_share})+MIN(1,({@load_share}-INT({@load_share}))*{part_load_premium}))",
    ),
    CalcRow("loads_per_unit", "Loads per unit", "Ladingen per stuk", "loads", "{@loads_per_shipment}/{@units_per_shipment}"),
    CalcRow("lead_time_days", "Lead time", "Doorlooptijd", "days", "{production_lead_days}+{transit_days}"),
    CalcRow(
        "safety_stock_units", "Safety stock", "Veiligheidsvoorraad", "units",
        "{@z}*SQRT({@lead_time_days}/demand_period_days*demand_sd_per_period^2+demand_per_period^2*({lead_time_sd_days}/demand_period_days)^2)",
    ),
    CalcRow(
        "paid_days", "Days paid before receipt", "Dagen betaald vóór ontvangst", "days",
        "{deposit_share}*({production_lead_days}+{transit_days})-(1-{deposit_share})*{payment_days}",
    ),
    CalcRow(
        "surface_tco2e", "Sea, rail or road tCO2e", "tCO2e over zee, spoor of weg", "tCO2e per unit",
        "{distance_km}*unit_weight_kg/1000*{emission_factor_g_per_tkm}/1000000*(1-{air_share})",
    ),
    CalcRow(
        "air_tco2e", "Air tCO2e", "tCO2e door de lucht", "tCO2e per unit",
        "{distance_km}*unit_weight_kg/1000*air_emission_factor_g_per_tkm/1000000*{air_share}",
    ),
    CalcRow("transport_tco2e_per_unit", "Transport tCO2e", "tCO2e transport", "tCO2e per unit", "{@surface_tco2e}+{@air_tco2e}"),
    CalcRow(
        "loaded_hourly_eur", "Loaded hourly labour cost", "Loonkosten per uur", "EUR per hour",
        "{hourly_wage_eur}*(1+{holiday_allowance_rate})*(1+{employer_oncost_rate})",
    ),
    CalcRow("lks_paid_hours", "Paid hours with loonkostensubsidie", "Betaalde uren met loonkostensubsidie", "hours per unit", "{make}*{labour_hours}*{lks_share}/{loonwaarde}"),
    CalcRow(
        "lks_hourly_eur", "Hourly cost of staff with loonkostensubsidie", "Uurkosten medewerkers met loonkostensubsidie", "EUR per hour",
        "MIN({hourly_wage_eur},minimum_wage_eur_per_hour)*(1+{holiday_allowance_rate})*(1+{employer_oncost_rate})",
    ),
    CalcRow(
        "lks_subsidy_per_hour", "Loonkostensubsidie per paid hour", "Loonkostensubsidie per betaald uur", "EUR per hour",
        "MIN(MIN({hourly_wage_eur},minimum_wage_eur_per_hour)*(1+{holiday_allowance_rate})*(1-{loonwaarde}),"
        "nl_lks_cap*minimum_wage_eur_per_hour*(1+{holiday_allowance_rate}))*(1+nl_lks_allowance)",
    ),
    CalcRow("main_leg_eur", "Main leg per unit", "Hoofdtransport per stuk", "EUR per unit", "{cost_per_load_eur}*{@loads_per_unit}*(1-{air_share})"),
    CalcRow("origin_leg_eur", "Pre-carriage per unit", "Voorvervoer per stuk", "EUR per unit", "{inland_origin_eur_per_load}*{@loads_per_unit}*(1-{air_share})"),
    CalcRow("destination_leg_eur", "On-carriage per unit", "Navervoer per stuk", "EUR per unit", "{inland_destination_eur_per_load}*{@loads_per_unit}*(1-{air_share})"),
    CalcRow("air_leg_eur", "Air freight per unit", "Luchtvracht per stuk", "EUR per unit", "{air_share}*MAX(unit_weight_kg,unit_volume_m3*1000000/6000)*{air_rate_eur_per_kg}"),
    CalcRow(
        "goods_value_eur", "Goods value", "Goederenwaarde", "EUR per unit",
        "{@purchase_price}+{@materials}+{@labour}+{@machine_overhead}+{@depreciation}",
    ),
    CalcRow("invoice_eur", "Invoice value", "Factuurwaarde", "EUR per unit", "{@goods_value_eur}+{@packaging}"),
    CalcRow(
        "insurance_eur", "Insurance on the CIF value", "Verzekering over de CIF-waarde", "EUR per unit",
        "{insurance_rate}*({@invoice_eur}+(1-{seller_origin})*{@origin_leg_eur}+(1-{seller_main})*({@main_leg_eur}+{@air_leg_eur}))",
    ),
    CalcRow(
        "customs_value_before_floor", "Customs value before the floor at 0", "Douanewaarde vóór de ondergrens 0", "EUR per unit",
        "{@invoice_eur}+(1-{seller_origin})*{@origin_leg_eur}+(1-{seller_main})*({@main_leg_eur}+{@air_leg_eur})"
        "+(1-{seller_insurance})*{@insurance_eur}-{seller_destination}*{@destination_leg_eur}",
    ),
    CalcRow("customs_value_eur", "Customs value", "Douanewaarde", "EUR per unit", "MAX({@customs_value_before_floor},0)"),
    CalcRow("duty_rate_effective", "Duty rate paid by the buyer", "Invoerrecht betaald door de koper", "fraction", "{customs_applies}*(1-{seller_import})*({duty_rate}+{antidumping_rate})"),
    CalcRow(
        "vat_cost_rate", "VAT pre-financing per EUR of VAT base", "Voorfinanciering btw per EUR grondslag", "fraction",
        "{customs_applies}*(1-{seller_import})*(1-{article_23_licence})*vat_rate*vat_recovery_days*cost_of_capital/365",
    ),
    CalcRow(
        "landed_value_eur", "Landed value", "Inslagwaarde (landed cost)", "EUR per unit",
        "{@invoice_eur}+{@main_freight}+{@air_freight}+{@inland_origin}+{@inland_destination}+{@insurance}+{@duty}+{@brokerage}",
    ),
    CalcRow("payment_rate", "Capital cost of payment terms per EUR", "Vermogenskosten betalingstermijn per EUR", "fraction", "{@paid_days}*cost_of_capital/365"),
    CalcRow("cycle_rate", "Cycle stock cost per EUR of landed value", "Cyclusvoorraad per EUR inslagwaarde", "fraction", "{@units_per_shipment}/2*carrying_rate/annual_volume"),
    CalcRow("safety_rate", "Safety stock cost per EUR of landed value", "Veiligheidsvoorraad per EUR inslagwaarde", "fraction", "{@safety_stock_units}*carrying_rate/annual_volume"),
    CalcRow(
        "obsolescence_rate", "Obsolescence per EUR of landed value", "Incourantheid per EUR inslagwaarde", "fraction",
        "({@units_per_shipment}/2+{@safety_stock_units})*{obsolescence_share}/(horizon_years*annual_volume)",
    ),
    CalcRow("invested_eur", "Investment", "Investering", "EUR", "{machines_eur}+{tooling_eur}+{building_eur}"),
    CalcRow("guaranteed_eur", "BMKB credit up to the investment", "BMKB-krediet tot de investering", "EUR", "MIN({bmkb_credit_eur},{@invested_eur})"),
    CalcRow("ets_tco2e", "tCO2e under the maritime ETS", "tCO2e onder het ETS voor scheepvaart", "tCO2e per unit", "(1-{seller_main})*{ets_applies}*{@surface_tco2e}*nl_ets_voyage_share"),
    CalcRow("ets_surrender_share", "ETS surrender share of the year", "ETS-inleveraandeel van het jaar", "fraction", "IFERROR(INDEX(ets_shares,MATCH(start_year,ets_years,1)),0)"),
    CalcRow(
        "cbam_due", "CBAM applies to the buyer", "CBAM geldt voor de koper", "1 or 0",
        "{cbam_covered}*{customs_applies}*(1-{seller_import})*IF({cbam_importer_tonnes_per_year}>nl_cbam_exemption_tonnes,1,0)",
    ),
    CalcRow("cbam_factor", "CBAM factor of the year", "CBAM-factor van het jaar", "fraction", "IFERROR(INDEX(cbam_factors,MATCH(start_year,cbam_years,1)),1)"),
    CalcRow("cbam_certificates_due", "CBAM certificates due in the year", "CBAM-certificaten verschuldigd in het jaar", "1 or 0", "IFERROR(INDEX(cbam_dues,MATCH(start_year,cbam_years,1)),0)"),
    CalcRow("cbam_payable_tco2e", "tCO2e needing CBAM certificates", "tCO2e waarvoor CBAM-certificaten nodig zijn", "tCO2e per unit", "MAX({embedded_tco2e_per_unit}-{@cbam_factor}*{cbam_benchmark_tco2e_per_unit},0)"),
    CalcRow("cbam_price_gap", "CBAM price less origin carbon price", "CBAM-prijs min CO2-prijs in herkomstland", "EUR per tCO2e", "MAX(cbam_price_eur_per_t-{origin_carbon_price_eur_per_t},0)"),
    CalcRow("rd_cost_eur", "R&D wage cost a year", "Loonkosten S&O per jaar", "EUR a year", "{rd_hours_per_year}*{rd_hourly_wage_eur}"),
)

# The cost lines: key is the line id; the English and Dutch labels come from the core's catalogue and the text file.
LINE_FORMULAS = {
    "purchase_price": "(1-{make})*{price}*{fx_eur_per_unit}",
    "materials": "{make}*{materials_eur}",
    "labour": "{make}*{labour_hours}*(1-{lks_share})*{@loaded_hourly_eur}+{@lks_paid_hours}*{@lks_hourly_eur}",
    "machine_overhead": "{make}*({machine_eur}+{overhead_eur})",
    "depreciation": "({machines_eur}/{machines_life_years}+{tooling_eur}/{tooling_life_years}+{building_eur}/{building_life_years})/annual_volume",
    "packaging": "{packaging_eur}",
    "rd_labour": "{@rd_cost_eur}/annual_volume",
    "main_freight": "(1-{seller_main})*{@main_leg_eur}",
    "air_freight": "(1-{seller_main})*{@air_leg_eur}",
    "inland_origin": "(1-{seller_origin})*{@origin_leg_eur}",
    "inland_destination": "(1-{seller_destination})*{@destination_leg_eur}",
    "insurance": "(1-{seller_insurance})*{@insurance_eur}",
    "duty": "{@duty_rate_effective}*{@customs_value_eur}",
    "brokerage": "{customs_applies}*(1-{seller_import})*{brokerage_eur_per_shipment}/{@units_per_shipment}",
    "vat_prefinancing": "{@vat_cost_rate}*({@customs_value_eur}+{@duty}+{@destination_leg_eur})",
    "payment_terms": "{@payment_rate}*({@purchase_price}+{@materials}+{@packaging})",
    "cycle_stock": "{@cycle_rate}*{@landed_value_eur}",
    "safety_stock": "{@safety_rate}*{@landed_value_eur}",
    "obsolescence": "{@obsolescence_rate}*{@landed_value_eur}",
    "financing": "(({@invested_eur}-{@guaranteed_eur})/2*{interest_rate}+{@guaranteed_eur}/2*MAX({interest_rate}-{bmkb_rate_reduction},0))/annual_volume",
    "bmkb_fee": "{bmkb_credit_eur}*{bmkb_fee_rate}/(horizon_years*annual_volume)",
    "defects": "{defect_rate}*({@landed_value_eur}+{defect_handling_eur})",
    "warranty": "{warranty_rate}*selling_price_eur",
    "oversight": "({trips_per_year}*{cost_per_trip_eur}+{audits_per_year}*{cost_per_audit_eur}+{oversight_hours_per_year}*{oversight_hourly_eur})/annual_volume",
    "transition": "{transition_eur}/(horizon_years*annual_volume)",
    "training": "{training_eur}/(horizon_years*annual_volume)",
    "risk_events": "{risk_events_eur_per_year}/annual_volume",
    "risk_share": "{risk_share_of_price}*{@goods_value_eur}",
    "strategic": "{strategic_share}*{@goods_value_eur}",
    "carbon_ets": "{@ets_tco2e}*{@ets_surrender_share}*carbon_price_eur_per_t",
    "carbon_cbam": "{@cbam_due}*{@cbam_certificates_due}*{@cbam_payable_tco2e}*{@cbam_price_gap}",
    "loonkostensubsidie": "-{@lks_paid_hours}*{@lks_subsidy_per_hour}",
    "wbso": "-({wbso_rate_first}*MIN({@rd_cost_eur},wbso_first_bracket_eur)+wbso_rate_above*MAX({@rd_cost_eur}-wbso_first_bracket_eur,0))/annual_volume",
    "training_subsidy": "-{training_subsidy_eur}/(horizon_years*annual_volume)",
}

# Lines that are the same in every year of the path.
FIXED_LINES = ("depreciation", "packaging", "brokerage", "financing", "bmkb_fee", "warranty", "transition", "training", "risk_events", "training_subsidy")

# Totals and the break-even price. One EUR more direct cost moves the TCO by the slope.
# The customs value keeps its floor at 0, so its step is taken from the formula itself.
TOTALS = (
    CalcRow("tco_per_unit_eur", "TCO per unit", "TCO per stuk", "EUR per unit", "SUM({@lines})"),
    CalcRow("direct_cost_eur", "Direct cost (price or own production)", "Directe kosten (prijs of eigen productie)", "EUR per unit", "{@purchase_price}+{@materials}+{@labour}+{@machine_overhead}"),
    CalcRow(
        "customs_value_step", "Customs value step for 1 EUR more", "Stap douanewaarde bij 1 EUR meer", "EUR per unit",
        "MAX({@customs_value_before_floor}+1+(1-{seller_insurance})*{insurance_rate},0)-{@customs_value_eur}",
    ),
    CalcRow("duty_step", "Duty step", "Stap invoerrecht", "EUR per unit", "{@duty_rate_effective}*{@customs_value_step}"),
    CalcRow("landed_step", "Landed value step", "Stap inslagwaarde", "EUR per unit", "1+(1-{seller_insurance})*{insurance_rate}+{@duty_step}"),
    CalcRow(
        "break_even_slope", "TCO change per EUR of direct cost", "TCO-verandering per EUR directe kosten", "EUR per EUR",
        "1+(1-{seller_insurance})*{insurance_rate}+{@duty_step}+{@vat_cost_rate}*({@customs_value_step}+{@duty_step})+{@payment_rate}"
        "+({@cycle_rate}+{@safety_rate}+{@obsolescence_rate}+{defect_rate})*{@landed_step}+{risk_share_of_price}+{strategic_share}",
    ),
    CalcRow(
        "break_even_price_eur", "Break-even direct cost", "Break-even directe kosten", "EUR per unit",
        'IF(OR({option_index}=0,{@break_even_slope}<=0),"",IF({@direct_cost_eur}+({baseline:tco_per_unit_eur}-{@tco_per_unit_eur})/{@break_even_slope}<0,"",'
        "{@direct_cost_eur}+({baseline:tco_per_unit_eur}-{@tco_per_unit_eur})/{@break_even_slope}))",
    ),
    CalcRow(
        "break_even_price_currency", "Break-even price in the option's currency", "Break-even prijs in de valuta van de optie", "currency per unit",
        'IF(OR({make}=1,{@break_even_price_eur}=""),"",{@break_even_price_eur}/{fx_eur_per_unit})',
    ),
)


@dataclass(frozen=True)
class PathColumn:
    """A column of the path sheet: key, headers and the formula of one (option, year) row."""

    key: str
    header_en: str
    header_nl: str
    formula: str


# Placeholders on the path sheet: {name} the option's used input, {calc:key} its calculation
# cell, {#key} a column of the same row, {prev:key} the row above in the same option block,
# {base:key} the baseline's row of the same year, {t} the year index (0 for the first year).
PATH_COLUMNS = (
    PathColumn("year", "Year", "Jaar", "start_year+{t}"),
    PathColumn("in_horizon", "In horizon", "Binnen horizon", "IF({t}<horizon_years,1,0)"),
    PathColumn("wage_factor", "Wage factor", "Loonfactor", "((1+{wage_inflation_per_year})*(1+{local_fx_trend_per_year}))^{t}"),
    PathColumn("local_price_factor", "Local price factor", "Lokale prijsfactor", "((1+{local_inflation_per_year})*(1+{local_fx_trend_per_year}))^{t}"),
    PathColumn("home_wage_factor", "Dutch wage factor", "Nederlandse loonfactor", "(1+home_wage_inflation_per_year)^{t}"),
    PathColumn("fx_factor", "FX factor", "Wisselkoersfactor", "(1+{fx_trend_per_year})^{t}"),
    PathColumn("freight_factor", "Freight factor", "Vrachtfactor", "(1+freight_growth_per_year)^{t}"),
    PathColumn("carbon_factor", "Carbon price factor", "CO2-prijsfactor", "(1+carbon_price_growth_per_year)^{t}"),
    PathColumn("ets_surrender_share", "ETS surrender share", "ETS-inleveraandeel", "IFERROR(INDEX(ets_shares,MATCH({#year},ets_years,1)),0)"),
    PathColumn("cbam_factor", "CBAM factor", "CBAM-factor", "IFERROR(INDEX(cbam_factors,MATCH({#year},cbam_years,1)),1)"),
    PathColumn("cbam_certificates_due", "CBAM due", "CBAM verschuldigd", "IFERROR(INDEX(cbam_dues,MATCH({#year},cbam_years,1)),0)"),
    PathColumn(
        "purchase_price", "Purchase price", "Inkoopprijs",
        "(1-{make})*{price}*{fx_eur_per_unit}*((1-{price_labour_share})*({price_in_local_currency}*{#local_price_factor}"
        "+(1-{price_in_local_currency})*{#fx_factor})+{price_labour_share}*{#wage_factor})",
    ),
    PathColumn("materials", "Materials", "Materialen", "{make}*{materials_eur}*{#local_price_factor}"),
    PathColumn("machine_overhead", "Machine and overhead", "Machine en overhead", "{make}*({machine_eur}+{overhead_eur})*{#local_price_factor}"),
    PathColumn("labour", "Direct labour", "Directe arbeid", "{calc:labour}*{#wage_factor}"),
    PathColumn("goods_value_eur", "Goods value", "Goederenwaarde", "{#purchase_price}+{#materials}+{#labour}+{#machine_overhead}+{calc:depreciation}"),
    PathColumn("invoice_eur", "Invoice value", "Factuurwaarde", "{#goods_value_eur}+{calc:packaging}"),
    PathColumn("main_leg_eur", "Main leg", "Hoofdtransport", "{calc:main_leg_eur}*{#freight_factor}"),
    PathColumn("origin_leg_eur", "Pre-carriage", "Voorvervoer", "{calc:origin_leg_eur}*{#freight_factor}"),
    PathColumn("destination_leg_eur", "On-carriage", "Navervoer", "{calc:destination_leg_eur}*{#freight_factor}"),
    PathColumn("air_leg_eur", "Air freight", "Luchtvracht", "{calc:air_leg_eur}*{#freight_factor}"),
    PathColumn(
        "insurance_eur", "Insurance", "Verzekering",
        "{insurance_rate}*({#invoice_eur}+(1-{seller_origin})*{#origin_leg_eur}+(1-{seller_main})*({#main_leg_eur}+{#air_leg_eur}))",
    ),
    PathColumn(
        "freight_lines", "Freight and insurance", "Vracht en verzekering",
        "(1-{seller_main})*({#main_leg_eur}+{#air_leg_eur})+(1-{seller_origin})*{#origin_leg_eur}"
        "+(1-{seller_destination})*{#destination_leg_eur}+(1-{seller_insurance})*{#insurance_eur}",
    ),
    PathColumn(
        "customs_value_eur", "Customs value", "Douanewaarde",
        "MAX({#invoice_eur}+(1-{seller_origin})*{#origin_leg_eur}+(1-{seller_main})*({#main_leg_eur}+{#air_leg_eur})"
        "+(1-{seller_insurance})*{#insurance_eur}-{seller_destination}*{#destination_leg_eur},0)",
    ),
    PathColumn("duty", "Customs duty", "Invoerrecht", "{calc:duty_rate_effective}*{#customs_value_eur}"),
    PathColumn("vat_prefinancing", "VAT pre-financing", "Voorfinanciering btw", "{calc:vat_cost_rate}*({#customs_value_eur}+{#duty}+{#destination_leg_eur})"),
    PathColumn("landed_value_eur", "Landed value", "Inslagwaarde", "{#invoice_eur}+{#freight_lines}+{#duty}+{calc:brokerage}"),
    PathColumn("payment_terms", "Payment terms", "Betalingstermijn", "{calc:payment_rate}*({#purchase_price}+{#materials}+{calc:packaging})"),
    PathColumn(
        "stock_and_defects", "Stock, obsolescence and defects", "Voorraad, incourantheid en afkeur",
        "({calc:cycle_rate}+{calc:safety_rate}+{calc:obsolescence_rate}+{defect_rate})*{#landed_value_eur}+{defect_rate}*{defect_handling_eur}",
    ),
    PathColumn("oversight", "Oversight", "Leveranciersbeheer", "({trips_per_year}*{cost_per_trip_eur}+{audits_per_year}*{cost_per_audit_eur})/annual_volume+{oversight_hours_per_year}*{oversight_hourly_eur}/annual_volume*{#home_wage_factor}"),
    PathColumn("risk_and_strategic", "Risk share and strategic", "Risico-aandeel en strategisch", "({risk_share_of_price}+{strategic_share})*{#goods_value_eur}"),
    PathColumn("carbon_ets", "Maritime EU ETS", "EU ETS scheepvaart", "{calc:ets_tco2e}*{#ets_surrender_share}*carbon_price_eur_per_t*{#carbon_factor}"),
    PathColumn(
        "carbon_cbam", "CBAM", "CBAM",
        "{calc:cbam_due}*{#cbam_certificates_due}*MAX({embedded_tco2e_per_unit}-{#cbam_factor}*{cbam_benchmark_tco2e_per_unit},0)*{calc:cbam_price_gap}*{#carbon_factor}",
    ),
    PathColumn("loonkostensubsidie", "Loonkostensubsidie", "Loonkostensubsidie", "{calc:loonkostensubsidie}*{#wage_factor}"),
    PathColumn("rd_cost_eur", "R&D wage cost a year", "Loonkosten S&O per jaar", "{calc:rd_cost_eur}*{#wage_factor}"),
    PathColumn(
        "rd_and_wbso", "R&D labour less WBSO", "S&O-arbeid min WBSO",
        "({#rd_cost_eur}-{wbso_rate_first}*MIN({#rd_cost_eur},wbso_first_bracket_eur)-wbso_rate_above*MAX({#rd_cost_eur}-wbso_first_bracket_eur,0))/annual_volume",
    ),
    PathColumn("fixed_lines", "Lines fixed over the years", "Vaste regels", "{calc:fixed_lines}"),
    PathColumn(
        "tco_total", "TCO per unit", "TCO per stuk",
        "{#purchase_price}+{#materials}+{#labour}+{#machine_overhead}+{#freight_lines}+{#duty}+{#vat_prefinancing}"
        "+{#payment_terms}+{#stock_and_defects}+{#oversight}+{#risk_and_strategic}+{#carbon_ets}+{#carbon_cbam}"
        "+{#loonkostensubsidie}+{#rd_and_wbso}+{#fixed_lines}",
    ),
    PathColumn(
        "tco_per_unit_eur", "TCO per unit in the horizon", "TCO per stuk binnen de horizon",
        'IF(AND({#in_horizon}=1,ready=1,{complete}=1,{baseline_input:complete}=1),{#tco_total},"")',
    ),
    PathColumn("annual_cost_eur", "Annual cost", "Jaarkosten", "IF({#in_horizon}=1,{#tco_total}*annual_volume,0)"),
    PathColumn("cumulative_gap_eur", "Cumulative gap with the baseline", "Cumulatief verschil met de basis", "{prev:cumulative_gap_eur}+IF({#in_horizon}=1,({#tco_total}-{base:tco_total})*annual_volume,0)"),
    PathColumn("baseline_cheaper", "Baseline cheaper from", "Basis goedkoper vanaf", 'IF(AND({option_index}>0,{#in_horizon}=1,{#cumulative_gap_eur}>0.000001),{#year},"")'),
    PathColumn(
        "chart_tco", "TCO for the chart", "TCO voor de grafiek",
        "IF(AND({#in_horizon}=1,ready=1,{complete}=1,{baseline_input:complete}=1),{#tco_total},NA())",
    ),
)
