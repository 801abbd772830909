"""Texts of the template workbook in English and Dutch.

Field, unit, line and group texts come from ``data/template_text.toml``
(English help and line texts from ``fields.py`` and ``lines.py``); the
sheet texts are below.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

from .fields import ALL_FIELDS, RISK_FIELDS
from .lines import GROUPS, LINES

FIELD_SPECS = {(spec.scope, spec.name): spec for spec in ALL_FIELDS + RISK_FIELDS}
LINE_SPECS = {line.id: line for line in LINES}


@functools.cache
def _texts() -> dict:
    with resources.files("tco_xl.data").joinpath("template_text.toml").open("rb") as handle:
        return tomllib.load(handle)


def field_label(scope: str, name: str, language: str) -> str:
    """Return the short label of a field."""
    return _texts()["fields"][scope][name][f"label_{language}"]


def field_help(scope: str, name: str, language: str) -> str:
    """Return the help text of a field."""
    if language == "nl":
        return _texts()["fields"][scope][name]["help_nl"]
    return FIELD_SPECS[(scope, name)].help


# Dutch units of the computed rows, which no input field uses.
COMPUTED_UNITS_NL = {
    "1 or 0": "1 of 0",
    "EUR a year": "EUR per jaar",
    "EUR per EUR": "EUR per EUR",
    "currency per unit": "valuta-eenheden per stuk",
    "g CO2e per t-km": "g CO2e per tonkilometer",
    "loads": "ladingen",
}


def unit_text(unit: str, language: str) -> str:
    """Return a unit in the language, or the unit itself when it has no translation."""
    if language == "nl" and unit:
        return _texts()["units"].get(unit, COMPUTED_UNITS_NL.get(unit, unit))
    return unit


def line_label(line_id: str, language: str) -> str:
    """Return the label of a cost line."""
    if language == "nl":
        return _texts()["lines"][line_id]["label_nl"]
    return LINE_SPECS[line_id].label


def line_formula(line_id: str, language: str) -> str:
    """Return the formula of a cost line in words."""
    if language == "nl":
        return _texts()["lines"][line_id]["formula_nl"]
    return LINE_SPECS[line_id].formula


def group_label(group: str, language: str) -> str:
    """Return the label of a cost group."""
    if language == "nl":
        return _texts()["groups"][group]["label_nl"]
    return GROUPS[group]


# Sheet texts: key -> (English, Dutch).
UI = {
    "title": ("Total cost of ownership: make or buy, here or abroad", "Total cost of ownership: zelf maken of inkopen, hier of in het buitenland"),
    "purpose": (
        "This workbook compares the total cost of a part from up to four sources: the baseline (usually making or buying it in the "
        "Netherlands) and up to three alternatives. Besides the price it counts freight, EU customs, inventory, quality, risk, "
        "strategic effects, carbon and Dutch labour subsidies, per unit, per year and over a horizon of up to 10 years.",
        "Deze werkmap vergelijkt de totale kosten van een onderdeel uit maximaal vier bronnen: de basis (meestal zelf maken of "
        "inkopen in Nederland) en maximaal drie alternatieven. Naast de prijs telt ze vracht, EU-douane, voorraad, kwaliteit, "
        "risico, strategische effecten, CO2 en Nederlandse loonsubsidies, per stuk, per jaar en over een horizon van maximaal 10 jaar.",
    ),
    "how_title": ("How to fill it in", "Zo vult u het in"),
    "how_steps": (
        (
            "1. On the sheet {inputs}, enter the part: annual volume, weight and shipping volume are required.",
            "2. Give each option a name and a country (column D is the baseline). An option column with no name and no "
            "country is left out, so clear both to drop one of the starting options.",
            "3. Enter what you know in the yellow cells: the price and its currency (buy) or materials, hours and wage (make), the "
            "duty rate for imports from outside the EU, and anything else. Leave a cell empty to use the default shown in the "
            "column 'Value used'. Quality, visits, audits, supplier management and transition costs, and for own production "
            "machine, overhead and investment costs, count as 0 until you enter them.",
            "4. Read the answer on {results}: the TCO per unit by group, the gap with the baseline, the path over the years, the "
            "NPV and the break-even price. {calc} and {path} show every formula.",
        ),
        (
            "1. Vul op het blad {inputs} het onderdeel in: jaarvolume, gewicht en verzendvolume zijn verplicht.",
            "2. Geef elke optie een naam en een land (kolom D is de basis). Een optiekolom zonder naam en land telt niet mee, "
            "dus wis beide om een van de voorgevulde opties te laten vallen.",
            "3. Vul in de gele cellen in wat u weet: de prijs en de valuta ervan (inkopen) of materialen, uren en loon (zelf maken), "
            "het invoerrecht bij invoer van buiten de EU, en verder wat u heeft. Laat een cel leeg om de standaardwaarde te "
            "gebruiken die in de kolom 'Gebruikte waarde' staat. Kwaliteit, bezoeken, audits, leveranciersbeheer en "
            "transitiekosten, en bij eigen productie machine-, overhead- en investeringskosten, tellen als 0 tot u ze invult.",
            "4. Lees het antwoord op {results}: de TCO per stuk per groep, het verschil met de basis, het verloop over de jaren, de "
            "netto contante waarde en de break-even prijs. {calc} en {path} tonen elke formule.",
        ),
    ),
    "legend_title": ("Colours", "Kleuren"),
    "legend_input": ("Input cell: type here", "Invoercel: hier invullen"),
    "legend_default": ("Value used is a default (the input cell is empty)", "Gebruikte waarde is een standaardwaarde (invoercel is leeg)"),
    "legend_formula": ("Formula: computed, protected", "Formule: berekend, beveiligd"),
    "legend_protect": (
        "The sheets are protected without a password so that formulas are not overwritten by accident; "
        "unprotect a sheet in the Review menu to change it.",
        "De bladen zijn zonder wachtwoord beveiligd zodat formules niet per ongeluk worden overschreven; "
        "hef de beveiliging op via het menu Controleren om een blad aan te passen.",
    ),
    "sources_title": ("Where the defaults come from", "Waar de standaardwaarden vandaan komen"),
    "sources_text": (
        "Every default is on the sheet {defaults} with its unit, quality (published, measured or estimate), source and date. "
        "Estimates are marked as such; replace them with your own figures where you have them.",
        "Elke standaardwaarde staat op het blad {defaults} met eenheid, kwaliteit (gepubliceerd, gemeten of schatting), bron en "
        "datum. Schattingen zijn als zodanig gemarkeerd; vervang ze door eigen cijfers waar u die heeft.",
    ),
    "version": ("Version", "Versie"),
    "region": ("Region", "Regio"),
    "figures_of": ("Dutch figures of", "Peildatum Nederlandse cijfers"),
    "subsidies": ("Subsidies in this region", "Subsidies in deze regio"),
    "made_by": (
        "Made with tco-xl, the Python TCO engine; the command tco-xl template rebuilds this workbook.",
        "Gemaakt met tco-xl, de Python TCO-rekenkern; het commando tco-xl template maakt deze werkmap opnieuw.",
    ),
    "inputs_title": ("Inputs", "Invoer"),
    "inputs_intro": (
        "Yellow cells are inputs; leave one empty to use the value in the column 'Value used'. Flags: 1 = yes, 0 = no.",
        "Gele cellen zijn invoer; laat er een leeg om de waarde in de kolom 'Gebruikte waarde' te gebruiken. Vlaggen: 1 = ja, 0 = nee.",
    ),
    "key": ("Key", "Sleutel"),
    "field": ("Field", "Veld"),
    "unit": ("Unit", "Eenheid"),
    "baseline": ("Baseline", "Basis"),
    "option": ("Option", "Optie"),
    "used": ("Value used", "Gebruikte waarde"),
    "help": ("Help", "Toelichting"),
    "section_settings": ("Settings", "Instellingen"),
    "section_part": ("Part", "Onderdeel"),
    "section_option": ("Options", "Opties"),
    "section_investment": ("Investment (own production)", "Investering (eigen productie)"),
    "section_risks": ("Risk events", "Risicogebeurtenissen"),
    "section_derived": ("Derived from the inputs", "Afgeleid uit de invoer"),
    "section_global": ("Dutch figures of the figures date", "Nederlandse cijfers van de peildatum"),
    "risk_name": ("Risk {n}: name", "Risico {n}: naam"),
    "risk_probability": ("Risk {n}: probability a year", "Risico {n}: kans per jaar"),
    "risk_impact": ("Risk {n}: impact", "Risico {n}: impact"),
    "calc_title": ("Calculation of the first year", "Berekening van het eerste jaar"),
    "calc_intro": (
        "One column per option. Click a cell to see its formula; the last column says it in words.",
        "Eén kolom per optie. Klik op een cel om de formule te zien; de laatste kolom zegt het in woorden.",
    ),
    "section_quantities": ("Quantities", "Hoeveelheden"),
    "section_lines": ("Cost lines (EUR per unit)", "Kostenregels (EUR per stuk)"),
    "section_totals": ("Totals and break-even", "Totalen en break-even"),
    "in_words": ("Formula in words", "Formule in woorden"),
    "group": ("Group", "Groep"),
    "path_title": ("Path over the years", "Verloop over de jaren"),
    "path_intro": (
        "One block per option, one row per year. Growth factors apply to the first-year amounts on {calc}.",
        "Eén blok per optie, één rij per jaar. De groeifactoren werken op de bedragen van het eerste jaar op {calc}.",
    ),
    "option_column": ("Option", "Optie"),
    "year_index": ("Year index", "Jaarindex"),
    "results_title": ("Results", "Resultaten"),
    "status": ("Status", "Status"),
    "results_part": ("Part", "Onderdeel"),
    "name": ("Name", "Naam"),
    "country": ("Country", "Land"),
    "sourcing": ("Sourcing", "Inkopen of zelf maken"),
    "currency": ("Currency", "Valuta"),
    "section_groups": ("TCO per unit by group (EUR per unit)", "TCO per stuk per groep (EUR per stuk)"),
    "section_compare": ("Comparison with the baseline", "Vergelijking met de basis"),
    "section_quantities_results": ("Quantities", "Hoeveelheden"),
    "section_cumulative": ("From price to total (EUR per unit)", "Van prijs naar totaal (EUR per stuk)"),
    "section_path": ("TCO per unit by year (EUR per unit)", "TCO per stuk per jaar (EUR per stuk)"),
    "tco_per_unit_eur": ("TCO per unit", "TCO per stuk"),
    "gap_per_unit_eur": ("Gap with the baseline per unit", "Verschil met de basis per stuk"),
    "gap_share": ("Gap as share of the baseline TCO", "Verschil als aandeel van de basis-TCO"),
    "annual_tco_eur": ("TCO in the first year", "TCO in het eerste jaar"),
    "gap_per_year_eur": ("Gap with the baseline in the first year", "Verschil met de basis in het eerste jaar"),
    "npv_eur": ("NPV of the costs over the horizon", "Netto contante waarde van de kosten over de horizon"),
    "cumulative_gap_eur": ("Cumulative gap at the end of the horizon", "Cumulatief verschil aan het eind van de horizon"),
    "baseline_cheaper_from_year": ("Baseline cheaper from year", "Basis goedkoper vanaf jaar"),
    "break_even_price_eur": ("Break-even direct cost", "Break-even directe kosten"),
    "break_even_price_currency": ("Break-even price in the option's currency", "Break-even prijs in de valuta van de optie"),
    "cumulative_price": ("Price", "Prijs"),
    "cumulative_hard": ("+ hard costs and subsidies", "+ harde kosten en subsidies"),
    "cumulative_risk": ("+ risk", "+ risico"),
    "cumulative_strategic": ("+ strategic", "+ strategisch"),
    "chart_groups": ("TCO per unit by cost group", "TCO per stuk per kostengroep"),
    "chart_cumulative": ("From price to total cost", "Van prijs naar totale kosten"),
    "chart_path": ("TCO per unit in the first five years", "TCO per stuk in de eerste vijf jaar"),
    "eur_per_unit": ("EUR per unit", "EUR per stuk"),
    "defaults_title": ("Defaults with their sources", "Standaardwaarden met bronnen"),
    "defaults_intro": (
        "Figures the inputs fall back on. Change them here only if you know better figures. The Python tool tco-xl "
        "computes with its own packaged figures, so after a change the workbook and tco-xl differ.",
        "Cijfers waarop de invoer terugvalt. Wijzig ze hier alleen als u betere cijfers heeft. Het Python-programma "
        "tco-xl rekent met de eigen meegeleverde cijfers, dus na een wijziging verschillen de werkmap en tco-xl.",
    ),
    "value": ("Value", "Waarde"),
    "quality": ("Quality", "Kwaliteit"),
    "source": ("Source", "Bron"),
    "date": ("Date", "Datum"),
    "description": ("Description", "Omschrijving"),
    "countries": ("Countries", "Landen"),
    "defaults_scalars": ("Model defaults, Dutch figures and the region", "Modelstandaarden, Nederlandse cijfers en de regio"),
    "status_empty": ("empty", "leeg"),
    "status_ok": ("ok", "ok"),
    "status_ok_currency": ("ok: price in ", "ok: prijs in "),
    "status_fx": ("unknown currency: enter the exchange rate", "onbekende valuta: vul de wisselkoers in"),
    "status_price": ("enter the price", "vul de prijs in"),
    "status_duty": ("enter the duty rate (TARIC)", "vul het invoerrecht in (TARIC)"),
    "status_part": (
        "enter the part's annual volume, weight and volume as numbers above 0, a whole horizon of 1 to 10 years and a valid figures date",
        "vul jaarvolume, gewicht en volume van het onderdeel in als getallen boven 0, een horizon van 1 tot 10 hele jaren en een geldige peildatum",
    ),
    "status_production": ("enter materials, hours or other production costs", "vul materialen, uren of andere productiekosten in"),
    "status_baseline": (
        "complete the baseline (first option column) to see the comparison",
        "maak de basis (eerste optiekolom) compleet om de vergelijking te zien",
    ),
    "unit_or_group": ("Unit or group", "Eenheid of groep"),
    "status_invalid": ("invalid input: check the values used in this column", "ongeldige invoer: controleer de gebruikte waarden in deze kolom"),
    "na": ("none", "geen"),
    "udf_title": ("Python functions beside the formulas", "Python-functies naast de formules"),
    "udf_help": (
        "The TCO_ functions call tco-xl's Python core through xlwings and compute the same results as the formulas. "
        "Without xlwings, or before its functions are imported, they show #NAME?; `tco-xl udfs` prints the settings. "
        "Each difference should be 0. Tables are array formulas; rows past the result show #N/A.",
        "De TCO_-functies roepen de Python-kern van tco-xl aan via xlwings en berekenen dezelfde resultaten als de formules. "
        "Zonder xlwings, of voordat de functies zijn geïmporteerd, tonen ze #NAAM?; `tco-xl udfs` toont de instellingen. "
        "Elk verschil hoort 0 te zijn. Tabellen zijn matrixformules; rijen na het resultaat tonen #N/B.",
    ),
    "udf_result": ("Result", "Resultaat"),
    "udf_id": ("Id", "Id"),
    "udf_label": ("Label", "Omschrijving"),
    "udf_eur_unit": ("EUR per unit", "EUR per stuk"),
    "udf_year": ("Year", "Jaar"),
    "udf_annual": ("Annual TCO", "TCO per jaar"),
    "udf_gap": ("Cumulative gap", "Cumulatief verschil"),
    "udf_price_share": ("Price at {share:.0%}", "Prijs op {share:.0%}"),
    "udf_tco": ("TCO per unit (EUR)", "TCO per stuk (EUR)"),
    "udf_break_even": ("Break-even price (EUR)", "Break-evenprijs (EUR)"),
    "udf_formulas": ("formulas", "formules"),
    "udf_difference": ("Difference", "Verschil"),
    "udf_lookups": ("Defaults of the country and the region", "Standaardwaarden van het land en de regio"),
    "udf_groups": ("Subtotals (EUR per unit)", "Subtotalen (EUR per stuk)"),
    "udf_lines": ("Cost lines (EUR per unit)", "Kostenregels (EUR per stuk)"),
    "udf_path": ("Path: year, TCO per unit, annual TCO, cumulative gap (EUR)", "Verloop: jaar, TCO per stuk, TCO per jaar, cumulatief verschil (EUR)"),
    "udf_range": ("TCO per unit with the price at 90 %, 100 % and 110 %", "TCO per stuk met de prijs op 90 %, 100 % en 110 %"),
}


def ui(key: str, language: str):
    """Return a sheet text in the language."""
    english, dutch = UI[key]
    return dutch if language == "nl" else english


# Labels of the rows that are computed on the inputs sheet: key -> (English, Dutch).
DERIVED_LABELS = {
    "start_year": ("First year of the path", "Eerste jaar van het verloop"),
    "active": ("Option in use (1 = yes)", "Optie in gebruik (1 = ja)"),
    "missing_price": ("Price missing (1 = yes)", "Prijs ontbreekt (1 = ja)"),
    "missing_duty": ("Duty rate missing (1 = yes)", "Invoerrecht ontbreekt (1 = ja)"),
    "missing_fx": ("Exchange rate missing (1 = yes)", "Wisselkoers ontbreekt (1 = ja)"),
    "missing_production": ("Production costs missing (1 = yes)", "Productiekosten ontbreken (1 = ja)"),
    "complete": ("Option complete (1 = yes)", "Optie compleet (1 = ja)"),
    "invalid_input": ("Invalid input (1 = yes)", "Ongeldige invoer (1 = ja)"),
    "status": ("Status", "Status"),
    "make": ("Own production (1 = yes)", "Eigen productie (1 = ja)"),
    "customs_applies": ("Import from outside the EU (1 = yes)", "Invoer van buiten de EU (1 = ja)"),
    "seller_origin": ("Seller pays pre-carriage", "Verkoper betaalt voorvervoer"),
    "seller_main": ("Seller pays main leg", "Verkoper betaalt hoofdtransport"),
    "seller_insurance": ("Seller pays insurance", "Verkoper betaalt verzekering"),
    "seller_destination": ("Seller pays on-carriage", "Verkoper betaalt navervoer"),
    "seller_import": ("Seller pays import clearance and duty", "Verkoper betaalt inklaring en invoerrecht"),
    "has_loads": ("Containers or trucks (1 = yes)", "Containers of vrachtwagens (1 = ja)"),
    "usable_volume_m3": ("Usable volume of a load", "Bruikbaar volume van een lading"),
    "payload_kg": ("Payload of a load", "Laadvermogen van een lading"),
    "emission_factor_g_per_tkm": ("Emission factor of the mode", "Emissiefactor van de modaliteit"),
    "ets_applies": ("Maritime ETS applies (1 = yes)", "ETS scheepvaart van toepassing (1 = ja)"),
    "price_in_local_currency": ("Price in the country's currency (1 = yes)", "Prijs in de valuta van het land (1 = ja)"),
    "risk_events_eur_per_year": ("Expected cost of risk events a year", "Verwachte kosten van risico's per jaar"),
    "wbso_rate_first": ("WBSO rate in the first bracket", "WBSO-percentage eerste schijf"),
    "bmkb_fee_rate": ("BMKB one-off fee rate", "Eenmalige BMKB-provisie"),
    "minimum_wage_eur_per_hour": ("Statutory minimum wage (21+)", "Wettelijk minimumloon (21+)"),
    "wbso_first_bracket_eur": ("WBSO first bracket", "WBSO eerste schijf"),
    "wbso_rate_above": ("WBSO rate above the bracket", "WBSO-percentage boven de schijf"),
    "ready": ("Part complete (1 = yes)", "Onderdeel compleet (1 = ja)"),
}
DERIVED_UNITS = {
    "usable_volume_m3": "m3",
    "payload_kg": "kg",
    "emission_factor_g_per_tkm": "g CO2e per t-km",
    "risk_events_eur_per_year": "EUR a year",
    "minimum_wage_eur_per_hour": "EUR per hour",
    "wbso_first_bracket_eur": "EUR",
}


def derived_label(key: str, language: str) -> str:
    """Return the label of a computed row of the inputs sheet."""
    english, dutch = DERIVED_LABELS[key]
    return dutch if language == "nl" else english
