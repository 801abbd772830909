"""The defaults sheet of the template: every packaged figure with its unit, quality, source and date.

A long table keyed by ``code|figure`` serves the country, currency, load,
mode and Incoterm lookups of the inputs sheet. Model defaults and Dutch
figures also get a defined name each. Rules that change by year or term
(minimum wage, WBSO, maritime ETS, CBAM, BMKB fee) follow as small tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openpyxl.worksheet.worksheet import Worksheet

from . import defaults
from .customs import INCOTERM_SELLER_PAYS, SELLER_FLAGS
from .regions import Region
from .template_styles import BOLD, DATE_FORMAT, TITLE, TOP, WRAP
from .template_text import ui

# Dutch figures the formulas use, by defined name and key in netherlands.toml.
DUTCH_NAMES = {
    "nl_holiday_allowance_rate": "holiday_allowance_rate",
    "nl_employer_oncost_rate": "employer_oncost_rate",
    "nl_vat_rate": "vat_rate",
    "nl_vat_recovery_days": "vat_recovery_days",
    "nl_lks_allowance": "loonkostensubsidie.employer_charge_allowance",
    "nl_lks_cap": "loonkostensubsidie.cap_share_of_minimum_wage",
    "nl_ets_price": "ets_price",
    "nl_cbam_certificate_price": "cbam_certificate_price",
    "nl_cbam_exemption_tonnes": "cbam_exemption_tonnes",
    "nl_ets_voyage_share": "maritime_ets_voyage_share",
}
COUNTRY_TEXTS = ("currency", "default_mode", "default_load_type")
# Characters per printed line of the source and unit columns at their widths, and points per line.
SOURCE_CHARS_PER_LINE = 95
UNIT_CHARS_PER_LINE = 24
LINE_HEIGHT = 13


@dataclass
class DefaultsSheet:
    """Positions on the defaults sheet: the defined names with their cell references, and the country codes."""

    names: dict[str, str] = field(default_factory=dict)
    country_codes: str = ""


class _Writer:
    """Appends rows to the defaults sheet and records defined names."""

    def __init__(self, sheet: Worksheet, result: DefaultsSheet):
        self.sheet = sheet
        self.result = result
        self.row = 1

    def ref(self, column: str, row: int) -> str:
        return f"{self.sheet.title}!${column}${row}"

    def title(self, text: str) -> None:
        self.row += 1
        self.sheet.cell(self.row, 1, text).font = BOLD
        self.row += 1

    def figure(self, key: str, value, figure: defaults.Figure | None, description: str = "", name: str | None = None) -> None:
        row = self.row
        self.sheet.cell(row, 1, key).alignment = TOP
        cell = self.sheet.cell(row, 2, value)
        cell.alignment = TOP
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
        if figure is not None:
            self.sheet.cell(row, 3, figure.unit).alignment = WRAP
            self.sheet.cell(row, 4, figure.quality).alignment = TOP
            self.sheet.cell(row, 5, figure.source).alignment = WRAP
            self.sheet.cell(row, 6, figure.date).alignment = TOP
            # Spreadsheets do not grow rows written by openpyxl, so wrapped sources get their height here.
            lines = max(len(figure.source) // SOURCE_CHARS_PER_LINE + 1, len(figure.unit) // UNIT_CHARS_PER_LINE + 1)
            if lines > 1:
                self.sheet.row_dimensions[row].height = LINE_HEIGHT * lines
        self.sheet.cell(row, 7, description).alignment = TOP
        if name:
            self.result.names[name] = self.ref("B", row)
        self.row += 1


def _country_rows(writer: _Writer) -> None:
    for code, country in defaults.countries().items():
        origin = defaults.Figure(0.0, "", "published", f"tco_xl/data/countries.csv: {country.name}", "")
        writer.figure(f"{code}|currency", country.currency, origin, country.name)
        writer.figure(f"{code}|eu_member", 1 if country.eu_member else 0, origin, "1 = EU member")
        writer.figure(f"{code}|default_mode", country.default_mode, origin)
        writer.figure(f"{code}|default_load_type", country.default_load_type, origin)
        for name, figure in country.figures.items():
            writer.figure(f"{code}|{name}", figure.value, figure)


def _currency_rows(writer: _Writer) -> None:
    seen = set()
    for country in defaults.countries().values():
        if country.currency == "EUR" or country.currency in seen:
            continue
        seen.add(country.currency)
        for name in ("fx_eur_per_unit", "fx_trend_per_year"):
            writer.figure(f"{country.currency}|{name}", country.figures[name].value, country.figures[name])


def _transport_rows(writer: _Writer) -> None:
    nothing = defaults.Figure(0.0, "", "published", "no container or truck", "")
    writer.figure("none|usable_volume_m3", 0, nothing)
    writer.figure("none|payload_kg", 0, nothing)
    for name, load in defaults.load_types().items():
        writer.figure(f"{name}|usable_volume_m3", load.usable_volume_m3, load.figure)
        payload = defaults.Figure(load.payload_kg, "kg", load.figure.quality, load.figure.source, load.figure.date)
        writer.figure(f"{name}|payload_kg", load.payload_kg, payload)
    writer.figure("none|emission_factor_g_per_tkm", 0, defaults.Figure(0.0, "g CO2e per t-km", "published", "no transport", ""))
    for mode, figure in defaults.emission_factors().items():
        name = "air_emission_factor_g_per_tkm" if mode == "air" else None
        writer.figure(f"{mode}|emission_factor_g_per_tkm", figure.value, figure, name=name)
    incoterms = defaults.Figure(0.0, "1 = the seller pays", "published", "Incoterms 2020 (ICC): costs the seller bears under each rule", "2020-01-01")
    for term, paid in INCOTERM_SELLER_PAYS.items():
        for flag, value in zip(SELLER_FLAGS, paid):
            writer.figure(f"{term}|{flag}", value, incoterms)


def _scalar_rows(writer: _Writer, region: Region, language: str) -> None:
    writer.title(ui("defaults_scalars", language))
    for name, figure in defaults.model_defaults().items():
        writer.figure(f"model|{name}", figure.value, figure, name=f"default_{name}")
    dutch = defaults.dutch_figures()
    for name, key in DUTCH_NAMES.items():
        writer.figure(f"dutch|{key}", dutch.value(key), dutch.figures[key], name=name)
    writer.figure(f"region|{region.key}|labour_cost_eur_per_hour", region.labour_cost.value, region.labour_cost, region.name, name="region_labour_cost")
    date_figure = defaults.Figure(0.0, "date", "published", f"tco_xl/data/regions/{region.key}.toml", "")
    writer.figure(f"region|{region.key}|figures_date", region.figures_date, date_figure, region.name, name="region_figures_date")
    for subsidy, offered in region.subsidies.items():
        origin = defaults.Figure(0.0, "1 = offered", "published", f"tco_xl/data/regions/{region.key}.toml [subsidies]", "")
        writer.figure(f"region|{region.key}|{subsidy}", 1 if offered else 0, origin, region.name, name=f"region_{subsidy}")


def _table(writer: _Writer, title: str, headers: tuple[str, ...], rows: list[tuple], names: dict[int, str]) -> None:
    """Write a small table and name its columns: ``names`` maps a column index to a defined name."""
    writer.title(title)
    for column, header in enumerate(headers, start=1):
        writer.sheet.cell(writer.row, column, header).font = BOLD
    writer.row += 1
    first = writer.row
    for values in rows:
        for column, value in enumerate(values, start=1):
            cell = writer.sheet.cell(writer.row, column, value)
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            if column == len(values) - 1:
                cell.alignment = WRAP
        writer.row += 1
    last = writer.row - 1
    for column, name in names.items():
        letter = chr(ord("A") + column - 1)
        writer.result.names[name] = f"{writer.sheet.title}!${letter}${first}:${letter}${last}"


def _rule_tables(writer: _Writer) -> None:
    dutch = defaults.dutch_figures()
    wages = [(start, figure.value, figure.source, figure.date) for start, figure in dutch.minimum_wage]
    _table(writer, "Minimum wage (21+)", ("valid_from", "eur_per_hour", "source", "date"), wages,
           {1: "minimum_wage_dates", 2: "minimum_wage_values"})
    wbso = [(year, r["first_bracket_eur"], r["rate_first"], r["rate_first_starter"], r["rate_above"], "netherlands.toml [[wbso]]", "")
            for year, r in sorted(dutch.wbso.items())]
    _table(writer, "WBSO", ("year", "first_bracket_eur", "rate_first", "rate_first_starter", "rate_above", "source", "date"), wbso,
           {1: "wbso_years", 2: "wbso_brackets", 3: "wbso_rates_first", 4: "wbso_rates_starter", 5: "wbso_rates_above"})
    ets = [(year, share, "netherlands.toml [[maritime_ets]]", "") for year, share in sorted(dutch.maritime_ets.items())]
    _table(writer, "Maritime EU ETS", ("year", "surrender_share", "source", "date"), ets, {1: "ets_years", 2: "ets_shares"})
    cbam = [(year, factor, due, "netherlands.toml [[cbam_factor]]", "") for year, (factor, due) in sorted(dutch.cbam_factor.items())]
    _table(writer, "CBAM", ("year", "cbam_factor", "certificates_due", "source", "date"), cbam,
           {1: "cbam_years", 2: "cbam_factors", 3: "cbam_dues"})
    fees = [(r["max_term_years"], r["rate"], r["rate_innovative"], "netherlands.toml [[bmkb_fee]]", "") for r in dutch.bmkb_fee]
    _table(writer, "BMKB", ("max_term_years", "fee_rate", "fee_rate_innovative", "source", "date"), fees,
           {1: "bmkb_terms", 2: "bmkb_rates", 3: "bmkb_rates_innovative"})


def write_defaults_sheet(sheet: Worksheet, region: Region, language: str) -> DefaultsSheet:
    """Fill the defaults sheet and return its defined names."""
    result = DefaultsSheet()
    writer = _Writer(sheet, result)
    sheet.cell(1, 1, ui("defaults_title", language)).font = TITLE
    sheet.cell(2, 1, ui("defaults_intro", language))
    writer.row = 4
    headers = ("key", ui("value", language), ui("unit", language), ui("quality", language), ui("source", language),
               ui("date", language), ui("description", language))
    for column, header in enumerate(headers, start=1):
        sheet.cell(writer.row, column, header).font = BOLD
    writer.row += 1
    first = writer.row
    _country_rows(writer)
    _currency_rows(writer)
    _transport_rows(writer)
    last = writer.row - 1
    result.names["default_key"] = f"{sheet.title}!$A${first}:$A${last}"
    result.names["default_value"] = f"{sheet.title}!$B${first}:$B${last}"
    _scalar_rows(writer, region, language)
    _rule_tables(writer)

    writer.title(ui("countries", language))
    codes_first = writer.row
    for code, country in defaults.countries().items():
        sheet.cell(writer.row, 1, code)
        sheet.cell(writer.row, 2, country.name)
        writer.row += 1
    result.country_codes = f"{sheet.title}!$A${codes_first}:$A${writer.row - 1}"
    result.names["country_codes"] = result.country_codes

    for column, width in zip("ABCDEFG", (34, 14, 22, 11, 90, 12, 24)):
        sheet.column_dimensions[column].width = width
    return result
