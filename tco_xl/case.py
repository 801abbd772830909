"""The input model: a part, its sourcing options and the global settings.

``build_case`` turns a raw mapping (read from TOML or JSON) into a ``Case``
whose options carry every numeric input, filled from the packaged defaults
where the user gave none, with a record of which values are defaults.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import math
import numbers
import re
from dataclasses import dataclass, field

import numpy as np

from . import defaults as packaged
from . import regions
from .errors import ValidationError
from .fields import (
    INVESTMENT_FIELDS,
    OPTION_FIELDS,
    PART_FIELDS,
    RISK_FIELDS,
    SETTINGS_FIELDS,
    Field,
    by_name,
)

PART = by_name(PART_FIELDS)
SETTINGS = by_name(SETTINGS_FIELDS)
OPTION = by_name(OPTION_FIELDS)
INVESTMENT = by_name(INVESTMENT_FIELDS)
RISK = by_name(RISK_FIELDS)

logger = logging.getLogger(__name__)

RANGE_KEYS = ("low", "base", "high")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Maximum length of a found value echoed in a message; longer values are cut.
MAX_ECHO_CHARS = 60
SEA_LIKE_MODES = ("sea", "rail", "air")


@dataclass
class Section:
    """Resolved values of one part, settings block or option."""

    values: dict[str, object] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    defaults_used: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str):
        return self.values[name]

    def set_default(self, name: str, value, source: str) -> None:
        if name not in self.values:
            self.values[name] = value
            self.defaults_used[name] = source


@dataclass
class Option(Section):
    """One sourcing option with its resolved inputs and risk items."""

    risks: list[dict] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.values["name"]


@dataclass
class Case:
    """A part with two or more sourcing options, one of them the baseline."""

    name: str
    part: Section
    settings: Section
    options: list[Option]

    @property
    def baseline(self) -> Option:
        return next(option for option in self.options if option.values["baseline"])


class _Problems:
    """Collects one message per invalid input, so all are reported at once."""

    def __init__(self):
        self.messages: list[str] = []

    def add(self, where: str, name: str, found, expected: str) -> None:
        self.messages.append(f"{where}: {name} = {echo_value(found)} is invalid; expected {expected}")

    def about(self, where: str, name: str) -> bool:
        """Return True when a message on field ``name`` at ``where`` is already recorded."""
        return any(message.startswith(f"{where}: {name} ") for message in self.messages)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


def echo_value(value) -> str:
    """Return a found value as a user would write it, without numpy type names, cut to a readable length."""
    if isinstance(value, (dt.date, dt.time)):
        text = repr(value.isoformat())
    elif isinstance(value, np.generic):
        text = repr(value.item())
    else:
        text = repr(value)
    return text if len(text) <= MAX_ECHO_CHARS else text[: MAX_ECHO_CHARS - 3] + "..."


def _figure_source(figure: packaged.Figure, origin: str) -> str:
    return f"{origin} ({figure.quality}, {figure.source}, {figure.date})"


def _check_number(spec: Field, value, where: str, problems: _Problems):
    """Return ``value`` as a float, or None after recording why it is invalid."""
    expected = f"{spec.allowed()} ({spec.unit})" if spec.unit else spec.allowed()
    if isinstance(value, (bool, complex)) or not isinstance(value, numbers.Number):
        problems.add(where, spec.name, value, expected)
        return None
    try:
        number = float(value)
    except OverflowError:
        problems.add(where, spec.name, value, expected)
        return None
    too_low = number <= spec.minimum if spec.exclusive_minimum else number < spec.minimum
    if not math.isfinite(number) or too_low or number > spec.maximum or (spec.kind == "integer" and not number.is_integer()):
        problems.add(where, spec.name, value, expected)
        return None
    return number


def _read_value(spec: Field, raw, where: str, section: Section, problems: _Problems) -> None:
    """Check one raw value against its field and store it in ``section``."""
    if spec.kind in ("number", "integer"):
        if isinstance(raw, dict) and spec.uncertain:
            unknown = sorted(set(raw) - set(RANGE_KEYS))
            if unknown or "base" not in raw:
                problems.add(where, spec.name, raw, "a number or a table with base and optional low and high")
                return
            parts = {key: _check_number(spec, raw.get(key, raw["base"]), where, problems) for key in RANGE_KEYS}
            if None in parts.values():
                return
            if not parts["low"] <= parts["base"] <= parts["high"]:
                problems.add(where, spec.name, raw, "low <= base <= high")
                return
            section.values[spec.name] = parts["base"]
            section.ranges[spec.name] = (parts["low"], parts["base"], parts["high"])
            return
        number = _check_number(spec, raw, where, problems)
        if number is not None:
            section.values[spec.name] = int(number) if spec.kind == "integer" else number
    elif spec.kind == "bool":
        if isinstance(raw, bool):
            section.values[spec.name] = raw
        else:
            problems.add(where, spec.name, raw, "true or false")
    elif spec.kind == "date":
        section_date = _read_date(raw)
        if section_date is None:
            problems.add(where, spec.name, raw, "a date YYYY-MM-DD")
        else:
            section.values[spec.name] = section_date
    elif spec.kind == "country":
        if isinstance(raw, str) and raw.strip():
            section.values[spec.name] = raw.strip().upper()
        else:
            problems.add(where, spec.name, raw, spec.allowed())
    elif spec.kind == "choice" and spec.choices:
        text = str(raw).strip()
        match = next((choice for choice in spec.choices if choice.lower() == text.lower()), None)
        if match is None:
            problems.add(where, spec.name, raw, spec.allowed())
        else:
            section.values[spec.name] = match
    else:
        if not isinstance(raw, str) or not raw.strip():
            problems.add(where, spec.name, raw, "a non-empty text")
        else:
            section.values[spec.name] = raw.strip()


def _read_date(raw) -> dt.date | None:
    """Return a date from a TOML date or a YYYY-MM-DD text, or None when it is neither."""
    if isinstance(raw, dt.datetime):
        return None
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str) and ISO_DATE.fullmatch(raw.strip()):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


# Fields users put one level too high or too low, and where they belong.
_SECTION_OF = {
    name: section
    for specs, section in (
        (PART_FIELDS, "[part]"),
        (SETTINGS_FIELDS, "[settings]"),
        (OPTION_FIELDS, "the option itself"),
        (INVESTMENT_FIELDS, "[options.investment]"),
    )
    for name in (spec.name for spec in specs)
    if name not in ("name", "currency")
}


def _unknown_field(where: str, name, allowed, problems: _Problems) -> None:
    name = str(name)
    if name in _SECTION_OF and name not in allowed:
        hint = f"it belongs in {_SECTION_OF[name]}"
    else:
        close = difflib.get_close_matches(name, [str(a) for a in allowed], n=1)
        hint = f"did you mean {close[0]!r}?" if close else "see `tco-xl fields` for the allowed fields"
    problems.messages.append(f"{where}: unknown field {echo_value(name)}; {hint}")


def _read_section(raw: dict, specs: dict[str, Field], where: str, section: Section, problems: _Problems, skip=()) -> None:
    if not isinstance(raw, dict):
        problems.messages.append(f"{where}: expected a table of fields, found {type(raw).__name__}")
        return
    for name, value in raw.items():
        if name in skip:
            continue
        if name not in specs:
            _unknown_field(where, name, list(specs) + list(skip), problems)
            continue
        _read_value(specs[name], value, where, section, problems)


def _resolve_part(part: Section, defaults: dict[str, packaged.Figure]) -> None:
    period = defaults["demand_period_days"]
    part.set_default("demand_period_days", period.value, _figure_source(period, "default"))
    part.set_default("selling_price_eur", 0.0, "default: no warranty base")
    if "annual_volume" in part.values:
        mean = part["annual_volume"] * part["demand_period_days"] / 365.0
        part.set_default("demand_per_period", mean, "default: annual_volume x demand_period_days / 365")
        cv = defaults["demand_cv"]
        part.set_default("demand_sd_per_period", cv.value * part["demand_per_period"], _figure_source(cv, "default: demand_per_period x demand_cv"))
    level = defaults["service_level"]
    part.set_default("service_level", level.value, _figure_source(level, "default"))


def _resolve_region(settings: Section, problems: _Problems) -> regions.Region | None:
    """Return the settings' region, or None when none is set or it is unknown (then recorded as a problem)."""
    if "region" not in settings.values:
        return None
    key = str(settings["region"]).strip().lower()
    known = regions.region_keys()
    if key not in known:
        problems.add("settings", "region", settings["region"], "one of " + ", ".join(known))
        return None
    # A known region whose file is broken raises DataError naming the file and field.
    return regions.load_region(key)


def _resolve_settings(settings: Section, defaults: dict[str, packaged.Figure], today: dt.date, region) -> None:
    dutch = packaged.dutch_figures()
    settings.set_default("currency", "EUR", "default")
    if region is not None:
        settings.set_default("figures_date", region.figures_date, f"default: the figures date of region {region.name}")
    settings.set_default("figures_date", today, "default: today")
    for name in ("cost_of_capital", "carrying_rate", "carbon_price_growth_per_year", "freight_growth_per_year"):
        settings.set_default(name, defaults[name].value, _figure_source(defaults[name], "default"))
    if "cost_of_capital" in settings.values:
        settings.set_default("discount_rate", settings["cost_of_capital"], "default: the cost of capital")
    settings.set_default("horizon_years", 5, "default: five years")
    home = packaged.country("NL").figures["wage_inflation_per_year"]
    settings.set_default("home_wage_inflation_per_year", home.value, _figure_source(home, "NL default"))
    for name, key in (
        ("carbon_price_eur_per_t", "ets_price"),
        ("cbam_price_eur_per_t", "cbam_certificate_price"),
        ("vat_rate", "vat_rate"),
        ("vat_recovery_days", "vat_recovery_days"),
    ):
        settings.set_default(name, dutch.value(key), _figure_source(dutch.figures[key], "Dutch figure"))


def _currency_rate(currency: str) -> packaged.Figure | None:
    """Return the packaged EUR rate of ``currency``, or None when it is not known."""
    if currency == "EUR":
        return packaged.Figure(1.0, "EUR per EUR", "published", "a price in EUR needs no conversion", "")
    for country in packaged.countries().values():
        if country.currency == currency:
            return country.figures["fx_eur_per_unit"]
    return None


@dataclass
class _OptionContext:
    """The context of one option's default rules: its country, defaults and location in messages."""

    option: Option
    country: packaged.Country
    defaults: dict
    where: str
    problems: _Problems
    region: regions.Region | None = None

    @property
    def make(self) -> bool:
        return self.option["sourcing"] == "make"

    @property
    def in_nl(self) -> bool:
        return self.country.code == "NL"

    @property
    def customs_applies(self) -> bool:
        return not (self.country.eu_member or self.in_nl)

    def from_country(self, name: str, figure_name: str | None = None) -> None:
        figure = self.country.figures[figure_name or name]
        self.option.set_default(name, figure.value, _figure_source(figure, f"{self.country.code} default"))

    def from_defaults(self, name: str, key: str | None = None) -> None:
        figure = self.defaults[key or name]
        self.option.set_default(name, figure.value, _figure_source(figure, "default"))


def _resolve_currency(ctx: _OptionContext) -> None:
    option, values = ctx.option, ctx.option.values
    if ctx.make:
        option.set_default("currency", "EUR", "default: EUR for own production")
    else:
        option.set_default("currency", ctx.country.currency, "default: the country's currency")
    currency = str(values["currency"]).upper()
    values["currency"] = currency
    if "fx_eur_per_unit" not in values:
        rate = _currency_rate(currency)
        if rate is None:
            ctx.problems.messages.append(
                f"{ctx.where}: fx_eur_per_unit is missing for currency {currency}; give the EUR per {currency} rate"
            )
        else:
            option.set_default("fx_eur_per_unit", rate.value, _figure_source(rate, f"{currency} rate"))
    if currency == "EUR":
        option.set_default("fx_trend_per_year", 0.0, "default: EUR price")
        return
    issuer = next((c for c in packaged.countries().values() if c.currency == currency), None)
    if issuer is None:
        option.set_default("fx_trend_per_year", 0.0, "default: no trend known for this currency")
    else:
        figure = issuer.figures["fx_trend_per_year"]
        option.set_default("fx_trend_per_year", figure.value, _figure_source(figure, f"{issuer.code} default"))


def _resolve_production(ctx: _OptionContext, settings: Section) -> None:
    """Fill the price of a bought part, or the production costs and wages of a made one."""
    option, values, where, problems = ctx.option, ctx.option.values, ctx.where, ctx.problems
    dutch = packaged.dutch_figures()
    if ctx.make:
        if "price" in values and values["price"] != 0:
            problems.messages.append(f"{where}: price = {values['price']!r} is invalid for sourcing = make; enter materials_eur, labour_hours and the other production costs")
        values["price"] = 0.0
        if ctx.in_nl:
            for name in ("holiday_allowance_rate", "employer_oncost_rate"):
                option.set_default(name, dutch.value(name), _figure_source(dutch.figures[name], "Dutch figure"))
            # The gross wage that, with holiday allowance and on-costs, gives the all-in Dutch labour cost.
            if ctx.region is None:
                labour_cost, origin = ctx.country.figures["labour_cost_eur_per_hour"], "NL"
            else:
                labour_cost, origin = ctx.region.labour_cost, f"region {ctx.region.name}"
            loading = (1 + values["holiday_allowance_rate"]) * (1 + values["employer_oncost_rate"])
            option.set_default(
                "hourly_wage_eur", labour_cost.value / loading,
                _figure_source(labour_cost, f"default: {origin} all-in labour cost less holiday allowance and on-costs"),
            )
        else:
            ctx.from_country("hourly_wage_eur", "labour_cost_eur_per_hour")
            option.set_default("holiday_allowance_rate", 0.0, "default: the labour cost is all-in")
            option.set_default("employer_oncost_rate", 0.0, "default: the labour cost is all-in")
        option.set_default("price_labour_share", 0.0, "default: no purchase price")
    else:
        if "price" not in values and not problems.about(where, "price"):
            problems.messages.append(f"{where}: price is missing; expected the purchase price per unit in {values['currency']}")
        for name in ("materials_eur", "labour_hours", "machine_eur", "overhead_eur"):
            if values.get(name, 0.0) != 0:
                problems.messages.append(f"{where}: {name} = {values[name]!r} is invalid for sourcing = buy; it belongs in the price")
        for name in ("hourly_wage_eur", "holiday_allowance_rate", "employer_oncost_rate"):
            option.set_default(name, 0.0, "default: bought part")
        ctx.from_defaults("price_labour_share")
    for name in ("materials_eur", "labour_hours", "machine_eur", "overhead_eur", "packaging_eur"):
        option.set_default(name, 0.0, "default: none")
    ctx.from_country("wage_inflation_per_year")
    if values["currency"] == ctx.country.currency and "fx_trend_per_year" in values:
        # A price in the country's own currency: its FX trend is the local one.
        option.set_default("local_fx_trend_per_year", values["fx_trend_per_year"], "default: the price's FX trend")
    else:
        ctx.from_country("local_fx_trend_per_year", "fx_trend_per_year")
    ctx.from_country("local_inflation_per_year", "inflation_per_year")


def _resolve_transport(ctx: _OptionContext) -> None:
    """Fill the transport mode, load type, Incoterm, freight legs and insurance."""
    option, country = ctx.option, ctx.country
    option.set_default("transport_mode", "none" if ctx.in_nl else country.default_mode, f"default: {country.code}")
    mode = option["transport_mode"]
    if mode in ("none", "air"):
        option.set_default("load_type", "none", "default: no container or truck")
    else:
        load_type = country.default_load_type if country.default_load_type != "none" else "truck_ftl"
        option.set_default("load_type", load_type, f"default: {country.code}")

    if ctx.make or mode == "none":
        default_term = "EXW"
    elif mode == "sea":
        default_term = "FOB"
    else:
        # FOB is a rule for sea transport only (Incoterms 2020).
        default_term = "FCA"
    option.set_default("incoterm", default_term, f"default for transport by {mode}")

    # The packaged transport figures are for the country's default mode: another
    # mode needs its own transit time, distance and (for loads) cost per load.
    if mode not in ("none", country.default_mode) and not ctx.in_nl:
        needed = ["transit_days", "lead_time_sd_days", "distance_km"] + (["cost_per_load_eur"] if mode in ("sea", "rail", "road") else [])
        for name in needed:
            if name not in option.values and not ctx.problems.about(ctx.where, name):
                ctx.problems.messages.append(
                    f"{ctx.where}: {name} is missing for transport by {mode} from {country.code}; "
                    f"the packaged figures are for transport by {country.default_mode}, so set {name} ({OPTION[name].unit}) for this mode"
                )
    for name in ("cost_per_load_eur", "inland_origin_eur_per_load", "inland_destination_eur_per_load", "distance_km"):
        if mode == "none":
            option.set_default(name, 0.0, "default: no transport")
        elif mode == "air" and name != "distance_km":
            option.set_default(name, 0.0, "default: no container or truck by air")
        else:
            ctx.from_country(name)
    ctx.from_defaults("fill_factor")
    ctx.from_defaults("part_load_premium")
    ctx.from_defaults("max_shipment_share_of_year")
    option.set_default("air_share", 1.0 if mode == "air" else 0.0, f"default for transport by {mode}")
    ctx.from_defaults("air_rate_eur_per_kg")
    if mode == "none":
        option.set_default("insurance_rate", 0.0, "default: no transport")
    else:
        ctx.from_defaults("insurance_rate")


def _resolve_customs_and_payment(ctx: _OptionContext) -> None:
    """Fill duty, brokerage, VAT, payment terms and lead times."""
    option, values, country = ctx.option, ctx.option.values, ctx.country
    # Under DDP the seller pays the duty, so its rate is not needed.
    needs_duty = ctx.customs_applies and option["incoterm"] != "DDP"
    if needs_duty and "duty_rate" not in values and not ctx.problems.about(ctx.where, "duty_rate"):
        ctx.problems.messages.append(
            f"{ctx.where}: duty_rate is missing for origin {country.code}; look up the TARIC rate of the commodity code"
        )
    option.set_default("duty_rate", 0.0, "default: no customs inside the EU")
    option.set_default("antidumping_rate", 0.0, "default: none")
    if ctx.customs_applies:
        ctx.from_defaults("brokerage_eur_per_shipment")
    else:
        option.set_default("brokerage_eur_per_shipment", 0.0, "default: no customs inside the EU")
    option.set_default("article_23_licence", False, "default: import VAT is pre-financed")

    lead_key = "production_lead_days_make" if ctx.make else "production_lead_days_buy"
    ctx.from_defaults("production_lead_days", lead_key)
    if ctx.in_nl or option["transport_mode"] == "none":
        option.set_default("transit_days", country.value("transit_days") if ctx.in_nl else 0.0, "default: local")
    else:
        ctx.from_country("transit_days")
    ctx.from_country("lead_time_sd_days", "transit_days_sd")

    if ctx.customs_applies and not ctx.make:
        # A common offshore term: a deposit at order and the rest before shipment.
        ctx.from_defaults("deposit_share")
        option.set_default("payment_days", -float(values["transit_days"]), "default: rest paid before shipment")
    else:
        option.set_default("deposit_share", 0.0, "default: no deposit")
        ctx.from_defaults("payment_days", "payment_days_domestic")


def _resolve_quality_risk_carbon(ctx: _OptionContext, part: Section) -> None:
    """Fill quality, oversight, risk, strategic and carbon inputs, and the shipment size."""
    option, values = ctx.option, ctx.option.values
    for name in (
        "defect_rate", "defect_handling_eur", "warranty_rate", "trips_per_year", "cost_per_trip_eur",
        "audits_per_year", "cost_per_audit_eur", "oversight_hours_per_year", "oversight_hourly_eur",
        "transition_eur", "obsolescence_share", "strategic_share", "embedded_tco2e_per_unit",
        "origin_carbon_price_eur_per_t", "cbam_benchmark_tco2e_per_unit",
    ):
        option.set_default(name, 0.0, "default: none")
    ctx.from_country("risk_share_of_price")
    option.set_default("cbam_covered", False, "default: not covered")
    if "annual_volume" in part.values and "unit_weight_kg" in part.values:
        mass_t = part["annual_volume"] * part["unit_weight_kg"] / 1000.0
        option.set_default("cbam_importer_tonnes_per_year", mass_t, "default: this part's mass a year")

    if "units_per_shipment" not in values and option["transport_mode"] == "none":
        option.set_default("units_per_shipment", part.values.get("annual_volume", 12.0) / 12.0, "default: one batch a month")
    # Without a given shipment size, one full load per shipment; set in the calculation.
    option.set_default("units_per_shipment", 0.0, "default: one full load")


def _resolve_dutch_subsidies(ctx: _OptionContext) -> None:
    """Fill loonkostensubsidie and WBSO inputs, which apply in the Netherlands only."""
    option, values, where, problems = ctx.option, ctx.option.values, ctx.where, ctx.problems
    for name in ("lks_share", "rd_hours_per_year"):
        option.set_default(name, 0.0, "default: none")
    option.set_default("wbso_starter", False, "default: not a starter")
    loaded_wage = values["hourly_wage_eur"] * (1 + values["holiday_allowance_rate"]) * (1 + values["employer_oncost_rate"])
    option.set_default("rd_hourly_wage_eur", loaded_wage, "default: the option's loaded labour cost per hour")
    if ctx.in_nl and values["lks_share"] > 0 and "loonwaarde" not in values:
        problems.messages.append(f"{where}: loonwaarde is missing; give the assessed wage value (0-1) of the staff with loonkostensubsidie")
    option.set_default("loonwaarde", 1.0, "default: full wage value")
    if not ctx.in_nl:
        for name in ("lks_share", "rd_hours_per_year"):
            if values[name] > 0:
                problems.messages.append(f"{where}: {name} = {values[name]!r} is invalid for country {ctx.country.code}; this Dutch subsidy applies to NL only")
    elif ctx.region is not None:
        for name, subsidy in (("lks_share", "loonkostensubsidie"), ("rd_hours_per_year", "wbso")):
            if values[name] > 0 and not ctx.region.subsidies[subsidy]:
                problems.add(where, name, values[name], f"0: {subsidy} is not offered in region {ctx.region.name}")


def _resolve_option(option: Option, part: Section, settings: Section, defaults, where: str, problems: _Problems, region=None) -> None:
    """Fill the option's missing inputs from the country, region and model defaults."""
    ctx = _OptionContext(option, packaged.country(option["country"]), defaults, where, problems, region)
    option.set_default("baseline", False, "default")
    _resolve_currency(ctx)
    _resolve_production(ctx, settings)
    _resolve_transport(ctx)
    _resolve_customs_and_payment(ctx)
    _resolve_quality_risk_carbon(ctx, part)
    _resolve_dutch_subsidies(ctx)


def _resolve_investment(option: Option, settings: Section, defaults) -> None:
    for name in ("machines_eur", "tooling_eur", "building_eur", "bmkb_credit_eur", "training_eur", "training_subsidy_eur", "bmkb_rate_reduction"):
        option.set_default(name, 0.0, "default: none")
    for name in ("machines_life_years", "tooling_life_years", "building_life_years", "bmkb_term_years"):
        figure = defaults[name]
        option.set_default(name, figure.value, _figure_source(figure, "default"))
    option.set_default("interest_rate", settings["cost_of_capital"], "default: cost of capital")
    option.set_default("bmkb_innovative", False, "default")
    if option["bmkb_credit_eur"] > 0 and "bmkb_rate_reduction" in option.defaults_used:
        figure = defaults["bmkb_rate_reduction"]
        option.values["bmkb_rate_reduction"] = figure.value
        option.defaults_used["bmkb_rate_reduction"] = _figure_source(figure, "default")


def _warn_if_figures_outdated(figures_date: dt.date) -> None:
    """Log a warning when ``figures_date`` lies past the newest packaged Dutch figures."""
    dutch = packaged.dutch_figures()
    newest_wbso = max(dutch.wbso)
    newest_wage = dutch.minimum_wage[-1][0]
    if figures_date.year > newest_wbso or (figures_date - newest_wage).days > 366:
        logger.warning(
            "figures_date %s is past the newest packaged Dutch figures (minimum wage from %s, WBSO %d); "
            "their latest values are used",
            figures_date.isoformat(), newest_wage.isoformat(), newest_wbso,
        )


def _read_risks(raw, where: str, option: Option, problems: _Problems) -> None:
    if not isinstance(raw, list):
        problems.messages.append(f"{where}: risks must be a list of tables, found {type(raw).__name__}")
        return
    for index, item in enumerate(raw, start=1):
        risk_where = f"{where} risks[{index}]"
        section = Section()
        _read_section(item, RISK, risk_where, section, problems)
        section.set_default("name", f"risk {index}", "default")
        section.set_default("probability_per_year", 0.0, "default")
        section.set_default("impact_eur", 0.0, "default")
        option.risks.append(section.values)


def option_location(index: int, name) -> str:
    """Return how messages name an option: its position from 1 and its name."""
    return f"options[{index}] {echo_value(name)}" if isinstance(name, str) else f"options[{index}]"


def build_case(raw: dict, today: dt.date | None = None) -> Case:
    """Build and validate a case from a raw mapping; raise ``ValidationError`` listing every problem."""
    if today is not None and (not isinstance(today, dt.date) or isinstance(today, dt.datetime)):
        raise TypeError(f"today must be a datetime.date, not {type(today).__name__}")
    problems = _Problems()
    defaults = packaged.model_defaults()
    if not isinstance(raw, dict):
        raise ValidationError([f"case: expected a table with part, settings and options, found {type(raw).__name__}"])
    for key in raw:
        if key not in ("name", "part", "settings", "options"):
            _unknown_field("case", key, ("name", "part", "settings", "options"), problems)
    name = raw.get("name", "case")
    if not isinstance(name, str):
        problems.add("case", "name", name, "a text")
        name = "case"

    part = Section()
    if "part" not in raw:
        problems.messages.append("case: the part table is missing")
    _read_section(raw.get("part", {}), PART, "part", part, problems)
    for required in ("name", "annual_volume", "unit_weight_kg", "unit_volume_m3"):
        if not isinstance(raw.get("part", {}), dict):
            break
        if required not in part.values and not problems.about("part", required):
            problems.messages.append(f"part: {required} is missing; expected {PART[required].allowed()} ({PART[required].unit})".replace(" ()", ""))
    _resolve_part(part, defaults)

    settings = Section()
    _read_section(raw.get("settings", {}), SETTINGS, "settings", settings, problems)
    region = _resolve_region(settings, problems)
    if region is not None:
        settings.values["region"] = region.key
    _resolve_settings(settings, defaults, today or dt.date.today(), region)

    raw_options = raw.get("options", [])
    if not isinstance(raw_options, list):
        problems.messages.append(
            f"case: options must be a list of tables ([[options]] in TOML, an array of objects in JSON), found {type(raw_options).__name__}"
        )
        raw_options = []
    elif len(raw_options) < 2:
        found = "1 sourcing option" if len(raw_options) == 1 else f"{len(raw_options)} sourcing options"
        problems.messages.append(f"case: options lists {found}; expected two or more")

    options = []
    for index, raw_option in enumerate(raw_options, start=1):
        label = raw_option.get("name") if isinstance(raw_option, dict) else None
        where = option_location(index, label)
        option = Option()
        _read_section(raw_option, OPTION, where, option, problems, skip=("investment", "risks"))
        if isinstance(raw_option, dict):
            _read_section(raw_option.get("investment", {}), INVESTMENT, f"{where} investment", option, problems)
            _read_risks(raw_option.get("risks", []), where, option, problems)
        missing = [name for name in ("name", "country", "sourcing") if name not in option.values]
        for name in missing:
            if not problems.about(where, name):
                problems.messages.append(f"{where}: {name} is missing; expected {OPTION[name].allowed()}")
        if missing:
            continue
        option.values["country"] = option["country"].upper()
        if option["country"] not in packaged.countries():
            known = ", ".join(sorted(packaged.countries()))
            problems.add(where, "country", option["country"], f"one of {known}")
            continue
        _resolve_option(option, part, settings, defaults, where, problems, region)
        _resolve_investment(option, settings, defaults)
        if region is not None and option["bmkb_credit_eur"] > 0 and not region.subsidies["bmkb"]:
            problems.add(f"{where} investment", "bmkb_credit_eur", option["bmkb_credit_eur"], f"0: BMKB is not offered in region {region.name}")
        options.append(option)

    names = [option.name for option in options]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.messages.append(f"options: name {duplicate!r} is used twice; option names must be unique")
    baselines = [option.name for option in options if option.values.get("baseline")]
    if len(baselines) > 1:
        problems.messages.append(f"options: baseline = true on {', '.join(baselines)}; expected exactly one baseline")
    elif not baselines and options:
        options[0].values["baseline"] = True
        options[0].defaults_used["baseline"] = "default: the first option"

    problems.raise_if_any()
    _warn_if_figures_outdated(settings["figures_date"])
    case = Case(name=name, part=part, settings=settings, options=options)
    from .validation import check_case

    check_case(case)
    return case
