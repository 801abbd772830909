"""Layout of the template workbook: sheets, rows, columns and the cell of every input and result.

The builder, the filler and the workbook check all place and find cells
through this module. The inputs' default rules are spreadsheet formulas
written here by hand; they share only field names with the Python core.

Formula templates use placeholders that ``template_formulas`` resolves:
``{in}`` is the row's own input cell, ``{name}`` the used value of input
row ``name`` in the same option column, ``{c:figure}`` a figure of the
option's country from the defaults table. Scalar settings and part fields
are global defined names and appear in formulas by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from .fields import (
    INCOTERMS,
    INVESTMENT_FIELDS,
    LOAD_TYPES,
    OPTION_FIELDS,
    PART_FIELDS,
    SETTINGS_FIELDS,
    SOURCING,
    TRANSPORT_MODES,
    Field,
    by_name,
)

OPTION_COUNT = 4
# Years of the path sheet; the template's horizon is at most this many years.
PATH_YEARS = 10
RISK_ITEMS = 3
# Identifies a tco-xl template; the check reads it from the defined name TEMPLATE_NAME.
TEMPLATE_MARK = "tco-xl template 1"

SHEETS = {
    "en": {"start": "Start", "inputs": "Inputs", "calc": "Calculation", "path": "Path", "results": "Results", "defaults": "Defaults"},
    "nl": {"start": "Start", "inputs": "Invoer", "calc": "Berekening", "path": "Verloop", "results": "Resultaten", "defaults": "Standaardwaarden"},
}

# The sheet and defined name of the template's variant with the xlwings functions (tco-xl template --udfs).
UDF_SHEET = "UDFs"
VARIANT_NAME = "tco_variant"
VARIANT = "udfs"

# Inputs sheet columns: key, label, unit, one input column per option, a spacer, one used-value column per option, help.
KEY_COLUMN = 1
LABEL_COLUMN = 2
UNIT_COLUMN = 3
FIRST_INPUT_COLUMN = 4
FIRST_USED_COLUMN = FIRST_INPUT_COLUMN + OPTION_COUNT + 1
HELP_COLUMN = FIRST_USED_COLUMN + OPTION_COUNT
INPUTS_HEADER_ROW = 6

# Calculation and results sheets: key, label, unit or group, one column per option, formula in words.
FIRST_OPTION_COLUMN = 4
WORDS_COLUMN = FIRST_OPTION_COLUMN + OPTION_COUNT
CALC_HEADER_ROW = 4

PART = by_name(PART_FIELDS)
SETTINGS = by_name(SETTINGS_FIELDS)
OPTION = by_name(OPTION_FIELDS)
INVESTMENT = by_name(INVESTMENT_FIELDS)

# Fields the template does not ask for: the first column is the baseline, the
# currency of results is EUR and the region is fixed by the template.
SKIPPED_FIELDS = {("settings", "currency"), ("settings", "region"), ("option", "baseline")}
# Flags are entered as 1 (yes) or 0 (no), which every spreadsheet computes with.
FLAG_FIELDS = {"article_23_licence", "cbam_covered", "wbso_starter", "bmkb_innovative"}
# The horizon of the template is limited by the path sheet's years.
TEMPLATE_MAXIMUM = {"horizon_years": PATH_YEARS}


def _lookup(figure: str) -> str:
    return "{c:" + figure + "}"


# The used value when the input cell is empty, per field. Fields not listed default to 0.
SETTINGS_DEFAULTS = {
    "figures_date": "region_figures_date",
    "cost_of_capital": "default_cost_of_capital",
    "carrying_rate": "default_carrying_rate",
    "horizon_years": "5",
    "discount_rate": "cost_of_capital",
    "carbon_price_eur_per_t": "nl_ets_price",
    "cbam_price_eur_per_t": "nl_cbam_certificate_price",
    "carbon_price_growth_per_year": "default_carbon_price_growth_per_year",
    "home_wage_inflation_per_year": 'INDEX(default_value,MATCH("NL|wage_inflation_per_year",default_key,0))',
    "freight_growth_per_year": "default_freight_growth_per_year",
    "vat_rate": "nl_vat_rate",
    "vat_recovery_days": "nl_vat_recovery_days",
}

# Required part fields fall back to 1 so that the sheets compute; the results
# stay empty until they are given.
PART_DEFAULTS = {
    "name": '""',
    "annual_volume": "1",
    "unit_weight_kg": "1",
    "unit_volume_m3": "1",
    "demand_period_days": "default_demand_period_days",
    "demand_per_period": "annual_volume*demand_period_days/365",
    "demand_sd_per_period": "default_demand_cv*demand_per_period",
    "service_level": "default_service_level",
}
REQUIRED_PART_FIELDS = ("annual_volume", "unit_weight_kg", "unit_volume_m3")

OPTION_DEFAULTS = {
    "name": '""',
    # An empty option column computes as a bought Dutch part at price 0 and shows no results.
    "country": '"NL"',
    "sourcing": 'IF({country}="NL","make","buy")',
    "currency": 'IF({sourcing}="make","EUR",' + _lookup("currency") + ")",
    "price_labour_share": 'IF({sourcing}="make",0,default_price_labour_share)',
    "fx_eur_per_unit": 'IF({currency}="EUR",1,INDEX(default_value,MATCH({currency}&"|fx_eur_per_unit",default_key,0)))',
    "fx_trend_per_year": 'IF({currency}="EUR",0,IFERROR(INDEX(default_value,MATCH({currency}&"|fx_trend_per_year",default_key,0)),0))',
    "hourly_wage_eur": (
        'IF({sourcing}="make",IF({country}="NL",region_labour_cost/((1+{holiday_allowance_rate})*(1+{employer_oncost_rate})),'
        + _lookup("labour_cost_eur_per_hour") + "),0)"
    ),
    "holiday_allowance_rate": 'IF(AND({sourcing}="make",{country}="NL"),nl_holiday_allowance_rate,0)',
    "employer_oncost_rate": 'IF(AND({sourcing}="make",{country}="NL"),nl_employer_oncost_rate,0)',
    "wage_inflation_per_year": _lookup("wage_inflation_per_year"),
    "local_inflation_per_year": _lookup("inflation_per_year"),
    # A price in the country's own currency with a given FX trend: that trend is the local one.
    "local_fx_trend_per_year": (
        "IF(AND({currency}=" + _lookup("currency") + ',{in:fx_trend_per_year}<>""),{fx_trend_per_year},' + _lookup("fx_trend_per_year") + ")"
    ),
    "incoterm": 'IF(OR({sourcing}="make",{transport_mode}="none"),"EXW",IF({transport_mode}="sea","FOB","FCA"))',
    "transport_mode": 'IF({country}="NL","none",' + _lookup("default_mode") + ")",
    "load_type": (
        'IF(OR({transport_mode}="none",{transport_mode}="air"),"none",IF(' + _lookup("default_load_type")
        + '<>"none",' + _lookup("default_load_type") + ',"truck_ftl"))'
    ),
    "cost_per_load_eur": 'IF(OR({transport_mode}="none",{transport_mode}="air"),0,' + _lookup("cost_per_load_eur") + ")",
    "fill_factor": "default_fill_factor",
    "inland_origin_eur_per_load": 'IF(OR({transport_mode}="none",{transport_mode}="air"),0,' + _lookup("inland_origin_eur_per_load") + ")",
    "inland_destination_eur_per_load": 'IF(OR({transport_mode}="none",{transport_mode}="air"),0,' + _lookup("inland_destination_eur_per_load") + ")",
    "air_share": 'IF({transport_mode}="air",1,0)',
    "air_rate_eur_per_kg": "default_air_rate_eur_per_kg",
    "distance_km": 'IF({transport_mode}="none",0,' + _lookup("distance_km") + ")",
    "insurance_rate": 'IF({transport_mode}="none",0,default_insurance_rate)',
    "brokerage_eur_per_shipment": "IF({customs_applies}=1,default_brokerage_eur_per_shipment,0)",
    "units_per_shipment": 'IF({transport_mode}="none",annual_volume/12,0)',
    "max_shipment_share_of_year": "default_max_shipment_share_of_year",
    "part_load_premium": "default_part_load_premium",
    "deposit_share": 'IF(AND({customs_applies}=1,{sourcing}="buy"),default_deposit_share,0)',
    "payment_days": 'IF(AND({customs_applies}=1,{sourcing}="buy"),-{transit_days},default_payment_days_domestic)',
    "production_lead_days": 'IF({sourcing}="make",default_production_lead_days_make,default_production_lead_days_buy)',
    "transit_days": 'IF({country}="NL",INDEX(default_value,MATCH("NL|transit_days",default_key,0)),IF({transport_mode}="none",0,' + _lookup("transit_days") + "))",
    "lead_time_sd_days": _lookup("transit_days_sd"),
    "risk_share_of_price": _lookup("risk_share_of_price"),
    "cbam_importer_tonnes_per_year": "annual_volume*unit_weight_kg/1000",
    "loonwaarde": "1",
    "rd_hourly_wage_eur": "{hourly_wage_eur}*(1+{holiday_allowance_rate})*(1+{employer_oncost_rate})",
    "machines_life_years": "default_machines_life_years",
    "tooling_life_years": "default_tooling_life_years",
    "building_life_years": "default_building_life_years",
    "interest_rate": "cost_of_capital",
    "bmkb_term_years": "default_bmkb_term_years",
    "bmkb_rate_reduction": "IF({bmkb_credit_eur}>0,default_bmkb_rate_reduction,0)",
}

# Text inputs are trimmed; codes are compared in upper or lower case as the core writes them.
TEXT_NORMALISE = {
    "country": "UPPER(TRIM({in}))",
    "currency": "UPPER(TRIM({in}))",
    "incoterm": "UPPER(TRIM({in}))",
    "sourcing": "LOWER(TRIM({in}))",
    "transport_mode": "LOWER(TRIM({in}))",
    "load_type": "LOWER(TRIM({in}))",
}

CHOICES = {
    "sourcing": SOURCING,
    "incoterm": INCOTERMS,
    "transport_mode": TRANSPORT_MODES,
    "load_type": LOAD_TYPES,
}


@dataclass(frozen=True)
class InputRow:
    """One row of the inputs sheet: a field, or a derived value with no input cell."""

    key: str
    section: str
    field: Field | None
    default: str
    scalar: bool = False
    derived: bool = False

    @property
    def kind(self) -> str:
        if self.field is None:
            return "number"
        if self.key in FLAG_FIELDS:
            return "flag"
        return self.field.kind


def _field_rows(section: str, fields, defaults: dict, scalar: bool) -> list[InputRow]:
    rows = []
    for spec in fields:
        if (spec.scope, spec.name) in SKIPPED_FIELDS:
            continue
        key = spec.name if spec.scope != "part" or spec.name != "name" else "part_name"
        rows.append(InputRow(key, section, spec, defaults.get(spec.name, "0"), scalar=scalar))
    return rows


def _risk_rows() -> list[InputRow]:
    rows = []
    for index in range(1, RISK_ITEMS + 1):
        rows.append(InputRow(f"risk_{index}_name", "risks", None, '""'))
        rows.append(InputRow(f"risk_{index}_probability_per_year", "risks", None, "0"))
        rows.append(InputRow(f"risk_{index}_impact_eur", "risks", None, "0"))
    return rows


def _derived_rows() -> list[InputRow]:
    """Return the values that follow from an option's texts: flags, load sizes, emission factors."""
    flags = [
        InputRow(
            f"seller_{leg}", "derived", None,
            f'INDEX(default_value,MATCH({{incoterm}}&"|seller_{leg}",default_key,0))', derived=True,
        )
        for leg in ("origin", "main", "insurance", "destination", "import")
    ]
    return [
        InputRow("active", "derived", None, 'IF(AND({in:name}<>"",{in:country}<>""),1,0)', derived=True),
        InputRow(
            "missing_price", "derived", None, 'IF(AND({active}=1,{sourcing}="buy",{in:price}=""),1,0)', derived=True,
        ),
        InputRow(
            "missing_duty", "derived", None,
            'IF(AND({active}=1,{customs_applies}=1,{incoterm}<>"DDP",{in:duty_rate}=""),1,0)', derived=True,
        ),
        InputRow(
            "missing_production", "derived", None,
            'IF(AND({active}=1,{sourcing}="make",{in:materials_eur}="",{in:labour_hours}="",{in:machine_eur}="",'
            '{in:overhead_eur}=""),1,0)',
            derived=True,
        ),
        # A currency without a packaged rate needs the exchange rate typed in.
        InputRow(
            "missing_fx", "derived", None,
            'IF(AND({active}=1,{currency}<>"EUR",{in:fx_eur_per_unit}="",'
            'ISNA(MATCH({currency}&"|fx_eur_per_unit",default_key,0))),1,0)',
            derived=True,
        ),
        # A value pasted past the data validation can leave an error or a choice the model does not know.
        InputRow(
            "invalid_input", "derived", None,
            'IF(AND({active}=1,OR(ISERROR({calc:tco_per_unit_eur}),NOT(OR({sourcing}="buy",{sourcing}="make")),'
            'AND(region_loonkostensubsidie=0,{lks_share}>0),AND(region_wbso=0,{rd_hours_per_year}>0),'
            'AND(region_bmkb=0,{bmkb_credit_eur}>0),AND({country}<>"NL",OR({lks_share}>0,{rd_hours_per_year}>0)))),1,0)',
            derived=True,
        ),
        InputRow(
            "complete", "derived", None,
            "IF(AND({active}=1,{missing_price}=0,{missing_production}=0,{missing_duty}=0,{missing_fx}=0,{invalid_input}=0),1,0)",
            derived=True,
        ),
        InputRow(
            "status", "derived", None,
            'IF({active}=0,{text:status_empty},IF({missing_price}=1,{text:status_price},'
            'IF({missing_production}=1,{text:status_production},'
            'IF({missing_fx}=1,{text:status_fx},IF({missing_duty}=1,{text:status_duty},'
            'IF({invalid_input}=1,{text:status_invalid},'
            'IF(AND({sourcing}="buy",{currency}<>"EUR"),{text:status_ok_currency}&{currency},{text:status_ok})))))))',
            derived=True,
        ),
        InputRow("make", "derived", None, 'IF({sourcing}="make",1,0)', derived=True),
        InputRow("customs_applies", "derived", None, 'IF(OR({country}="NL",' + _lookup("eu_member") + "=1),0,1)", derived=True),
        *flags,
        InputRow("has_loads", "derived", None, 'IF(OR({transport_mode}="sea",{transport_mode}="rail",{transport_mode}="road"),1,0)', derived=True),
        InputRow("usable_volume_m3", "derived", None, 'INDEX(default_value,MATCH({load_type}&"|usable_volume_m3",default_key,0))', derived=True),
        InputRow("payload_kg", "derived", None, 'INDEX(default_value,MATCH({load_type}&"|payload_kg",default_key,0))', derived=True),
        InputRow(
            "emission_factor_g_per_tkm", "derived", None,
            'INDEX(default_value,MATCH({transport_mode}&"|emission_factor_g_per_tkm",default_key,0))', derived=True,
        ),
        InputRow("ets_applies", "derived", None, 'IF({transport_mode}="sea",1,0)*{customs_applies}', derived=True),
        InputRow("price_in_local_currency", "derived", None, "IF({currency}=" + _lookup("currency") + ",1,0)", derived=True),
        InputRow(
            "risk_events_eur_per_year", "derived", None,
            "{risk_1_probability_per_year}*{risk_1_impact_eur}+{risk_2_probability_per_year}*{risk_2_impact_eur}"
            "+{risk_3_probability_per_year}*{risk_3_impact_eur}",
            derived=True,
        ),
        InputRow("wbso_rate_first", "derived", None, "IF({wbso_starter}=1,INDEX(wbso_rates_starter,MATCH(start_year,wbso_years,1)),INDEX(wbso_rates_first,MATCH(start_year,wbso_years,1)))", derived=True),
        InputRow(
            "bmkb_fee_rate", "derived", None,
            'INDEX(IF({bmkb_innovative}=1,bmkb_rates_innovative,bmkb_rates),COUNTIF(bmkb_terms,"<"&{bmkb_term_years})+1)', derived=True,
        ),
    ]


def input_rows() -> list[InputRow]:
    """Return every row of the inputs sheet in order: settings, part, options, investment, risks, derived values."""
    rows = _field_rows("settings", SETTINGS_FIELDS, SETTINGS_DEFAULTS, scalar=True)
    rows += [InputRow("start_year", "settings", None, "YEAR(figures_date)", scalar=True, derived=True)]
    rows += _field_rows("part", PART_FIELDS, PART_DEFAULTS, scalar=True)
    rows += _field_rows("option", OPTION_FIELDS, OPTION_DEFAULTS, scalar=False)
    rows += _field_rows("investment", INVESTMENT_FIELDS, OPTION_DEFAULTS, scalar=False)
    rows += _risk_rows()
    rows += _derived_rows()
    return rows


# Scalar settings that depend on the figures date and the template's figures.
GLOBAL_DERIVED = {
    "minimum_wage_eur_per_hour": "INDEX(minimum_wage_values,MATCH(figures_date,minimum_wage_dates,1))",
    "wbso_first_bracket_eur": "INDEX(wbso_brackets,MATCH(start_year,wbso_years,1))",
    "wbso_rate_above": "INDEX(wbso_rates_above,MATCH(start_year,wbso_years,1))",
    # The part and the settings every option needs, checked again here because a pasted value skips validation.
    "ready": (
        "IF(AND(ISNUMBER({in:annual_volume}),ISNUMBER({in:unit_weight_kg}),ISNUMBER({in:unit_volume_m3}),"
        "annual_volume>0,unit_weight_kg>0,unit_volume_m3>0,ISNUMBER(horizon_years),horizon_years>=1,"
        f"horizon_years<={PATH_YEARS},INT(horizon_years)=horizon_years,ISNUMBER(figures_date),"
        "figures_date>=INDEX(minimum_wage_dates,1)),1,0)"
    ),
}


class Layout:
    """Row numbers of every input row and the cell addresses that the sheets refer to."""

    def __init__(self, language: str = "en"):
        self.language = language
        self.sheets = SHEETS[language]
        self.rows = input_rows()
        self.row_of: dict[str, int] = {}
        self.section_rows: dict[str, int] = {}
        row = INPUTS_HEADER_ROW + 1
        section = None
        for input_row in self.rows:
            if input_row.section != section:
                section = input_row.section
                # One row for the section title.
                self.section_rows[section] = row
                row += 1
            self.row_of[input_row.key] = row
            row += 1
        self.global_rows = {}
        row += 1
        self.section_rows["global"] = row
        row += 1
        for key in GLOBAL_DERIVED:
            self.global_rows[key] = row
            row += 1
        self.last_input_row = row - 1

    @staticmethod
    def input_column(option_index: int) -> str:
        """Return the letter of the input column of option ``option_index`` (0 is the baseline)."""
        return get_column_letter(FIRST_INPUT_COLUMN + option_index)

    @staticmethod
    def used_column(option_index: int) -> str:
        """Return the letter of the used-value column of option ``option_index``."""
        return get_column_letter(FIRST_USED_COLUMN + option_index)

    @staticmethod
    def option_column(option_index: int) -> str:
        """Return the letter of option ``option_index`` on the calculation and results sheets."""
        return get_column_letter(FIRST_OPTION_COLUMN + option_index)

    def input_cell(self, key: str, option_index: int = 0) -> str:
        """Return the address of the input cell of ``key`` on the inputs sheet, such as D12."""
        return f"{self.input_column(option_index)}{self.row_of[key]}"

    def used_cell(self, key: str, option_index: int = 0) -> str:
        """Return the address of the used value of ``key`` on the inputs sheet."""
        if key in self.global_rows:
            return f"{self.used_column(0)}{self.global_rows[key]}"
        return f"{self.used_column(option_index)}{self.row_of[key]}"
