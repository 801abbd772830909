"""Packaged default data: country figures, load types, transport modes, Dutch figures.

Every value is read from a file in ``tco_xl/data`` together with its unit,
quality flag (published, measured or estimate), source and date.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from .errors import DataError

QUALITY_FLAGS = ("published", "measured", "estimate")

COUNTRY_FIELDS = (
    "fx_eur_per_unit",
    "fx_trend_per_year",
    "wage_inflation_per_year",
    "transit_days",
    "transit_days_sd",
    "distance_km",
    "cost_per_load_eur",
    "inland_origin_eur_per_load",
    "inland_destination_eur_per_load",
    "labour_cost_eur_per_hour",
    "risk_share_of_price",
    "inflation_per_year",
)


@dataclass(frozen=True)
class Figure:
    """A sourced default value."""

    value: float
    unit: str
    quality: str
    source: str
    date: str

    def as_dict(self) -> dict:
        return {
            "value": self.value,
            "unit": self.unit,
            "quality": self.quality,
            "source": self.source,
            "date": self.date,
        }


@dataclass(frozen=True)
class Country:
    """A country with its naming facts and its sourced figures."""

    code: str
    name: str
    region: str
    currency: str
    eu_member: bool
    default_mode: str
    default_load_type: str
    figures: dict[str, Figure]

    def value(self, field: str) -> float:
        return self.figures[field].value


@dataclass(frozen=True)
class LoadType:
    """A container or truck type with its usable volume and payload."""

    name: str
    usable_volume_m3: float
    payload_kg: float
    figure: Figure


def _open_text(name: str):
    try:
        return resources.files("tco_xl.data").joinpath(name).open(encoding="utf-8")
    except FileNotFoundError as error:
        raise DataError(f"packaged data file tco_xl/data/{name} not found") from error


def _read_csv(name: str) -> list[dict[str, str]]:
    with _open_text(name) as handle:
        return list(csv.DictReader(handle))


def _number(text: str, where: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError) as error:
        raise DataError(f"{where}: expected a number, found {text!r}") from error


def _figure(record: dict, where: str, value_key: str = "value") -> Figure:
    quality = str(record.get("quality", "")).strip()
    if quality not in QUALITY_FLAGS:
        raise DataError(f"{where}: quality must be one of {QUALITY_FLAGS}, found {quality!r}")
    source = str(record.get("source", "")).strip()
    if not source:
        raise DataError(f"{where}: source is missing")
    date = str(record.get("date", record.get("source_date", ""))).strip()
    return Figure(
        value=_number(record.get(value_key), where),
        unit=str(record.get("unit", "")).strip(),
        quality=quality,
        source=source,
        date=date,
    )


@functools.cache
def countries() -> dict[str, Country]:
    """Load the countries and their figures, keyed by ISO code."""
    figures: dict[str, dict[str, Figure]] = {}
    for line, row in enumerate(_read_csv("country_figures.csv"), start=2):
        where = f"tco_xl/data/country_figures.csv line {line} ({row.get('country')}.{row.get('field')})"
        figures.setdefault(row["country"].strip(), {})[row["field"].strip()] = _figure(row, where)

    result = {}
    for line, row in enumerate(_read_csv("countries.csv"), start=2):
        code = row["code"].strip()
        have = figures.get(code, {})
        missing = [field for field in COUNTRY_FIELDS if field not in have]
        if missing:
            raise DataError(f"tco_xl/data/country_figures.csv: country {code} lacks {', '.join(missing)}")
        result[code] = Country(
            code=code,
            name=row["name"].strip(),
            region=row["region"].strip(),
            currency=row["currency"].strip(),
            eu_member=row["eu_member"].strip().lower() == "true",
            default_mode=row["default_mode"].strip(),
            default_load_type=row["default_load_type"].strip(),
            figures=have,
        )
    return result


def country(code: str) -> Country:
    """Return one country; raise ``KeyError`` for an unknown code."""
    return countries()[code]


@functools.cache
def load_types() -> dict[str, LoadType]:
    """Load container and truck types, keyed by name."""
    result = {}
    for line, row in enumerate(_read_csv("load_types.csv"), start=2):
        where = f"tco_xl/data/load_types.csv line {line}"
        name = row["load_type"].strip()
        result[name] = LoadType(
            name=name,
            usable_volume_m3=_number(row["usable_volume_m3"], where),
            payload_kg=_number(row["payload_kg"], where),
            figure=_figure({**row, "value": row["usable_volume_m3"], "unit": "m3"}, where),
        )
    return result


@functools.cache
def emission_factors() -> dict[str, Figure]:
    """Load well-to-wheel emission factors in g CO2e per tonne-km, keyed by mode."""
    result = {}
    for line, row in enumerate(_read_csv("transport_modes.csv"), start=2):
        where = f"tco_xl/data/transport_modes.csv line {line}"
        record = {**row, "value": row["emission_factor_g_per_tkm"], "unit": "g CO2e per t-km"}
        result[row["mode"].strip()] = _figure(record, where)
    return result


def _load_toml(name: str) -> dict:
    try:
        with resources.files("tco_xl.data").joinpath(name).open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise DataError(f"packaged data file tco_xl/data/{name} not found") from error
    except tomllib.TOMLDecodeError as error:
        raise DataError(f"tco_xl/data/{name}: invalid TOML: {error}") from error


def _figures_table(table: dict, prefix: str) -> dict[str, Figure]:
    """Flatten nested tables whose leaves carry ``value`` into dotted names."""
    result = {}
    for key, item in table.items():
        if not isinstance(item, dict):
            continue
        name = f"{prefix}{key}"
        if "value" in item:
            result[name] = _figure(item, name)
        else:
            result.update(_figures_table(item, f"{name}."))
    return result


@dataclass(frozen=True)
class DutchFigures:
    """Dutch and EU rules: wages, premiums, subsidies, carbon prices, VAT."""

    figures: dict[str, Figure]
    minimum_wage: list[tuple[dt.date, Figure]]
    wbso: dict[int, dict]
    maritime_ets: dict[int, float]
    bmkb_fee: list[dict]
    cbam_factor: dict[int, tuple[float, float]]

    def value(self, name: str) -> float:
        try:
            return self.figures[name].value
        except KeyError as error:
            raise DataError(f"tco_xl/data/netherlands.toml: figure {name!r} is missing") from error

    def minimum_wage_on(self, date: dt.date) -> float:
        """Return the statutory minimum wage per hour (age 21+) in force on ``date``."""
        in_force = [figure for start, figure in self.minimum_wage if start <= date]
        if not in_force:
            first = self.minimum_wage[0][0].isoformat()
            raise DataError(f"no Dutch minimum wage known for {date.isoformat()}; the data start on {first}")
        return in_force[-1].value

    def wbso_rules(self, year: int) -> dict:
        """Return the WBSO brackets for ``year``, or the latest known year's for later years."""
        known = sorted(self.wbso)
        if year < known[0]:
            raise DataError(f"no WBSO rules known for {year}; the data start in {known[0]}")
        return self.wbso[max(y for y in known if y <= year)]

    def ets_surrender_share(self, year: int) -> float:
        """Return the share of maritime emissions surrendered under the EU ETS in ``year``."""
        known = sorted(self.maritime_ets)
        if year < known[0]:
            return 0.0
        return self.maritime_ets[max(y for y in known if y <= year)]

    def cbam_rules(self, year: int) -> tuple[float, float]:
        """Return (CBAM factor, 1 when certificates are due) for ``year``; none are due before the first known year."""
        known = sorted(self.cbam_factor)
        if year < known[0]:
            return 1.0, 0.0
        return self.cbam_factor[max(y for y in known if y <= year)]

    def bmkb_fee_rate(self, term_years: float, innovative: bool = False) -> float:
        """Return the one-off BMKB fee rate for a credit of ``term_years``."""
        for row in self.bmkb_fee:
            if term_years <= row["max_term_years"]:
                return row["rate_innovative"] if innovative else row["rate"]
        longest = self.bmkb_fee[-1]["max_term_years"]
        raise DataError(f"no BMKB fee known for a term of {term_years} years; the longest term is {longest}")


@functools.cache
def dutch_figures() -> DutchFigures:
    """Load the Dutch and EU figures from ``netherlands.toml``."""
    raw = _load_toml("netherlands.toml")
    where = "tco_xl/data/netherlands.toml"
    figures = _figures_table(raw, "")

    minimum_wage = []
    for step in raw.get("minimum_wage", []):
        start = dt.date.fromisoformat(str(step["valid_from"]))
        minimum_wage.append((start, _figure(step, f"{where} minimum_wage {start}")))
    minimum_wage.sort(key=lambda item: item[0])

    for table in ("wbso", "maritime_ets", "bmkb_fee", "cbam_factor"):
        for index, row in enumerate(raw.get(table, []), start=1):
            _figure({**row, "value": 0.0}, f"{where} {table}[{index}]")

    wbso = {}
    for row in raw.get("wbso", []):
        wbso[int(row["year"])] = {
            "first_bracket_eur": float(row["first_bracket_eur"]),
            "rate_first": float(row["rate_first"]),
            "rate_first_starter": float(row["rate_first_starter"]),
            "rate_above": float(row["rate_above"]),
        }
    maritime_ets = {int(row["year"]): float(row["surrender_share"]) for row in raw.get("maritime_ets", [])}
    cbam_factor = {
        int(row["year"]): (float(row["factor"]), float(row["certificates_due"])) for row in raw.get("cbam_factor", [])
    }
    bmkb_fee = sorted(
        (
            {
                "max_term_years": float(row["max_term_years"]),
                "rate": float(row["rate"]),
                "rate_innovative": float(row["rate_innovative"]),
            }
            for row in raw.get("bmkb_fee", [])
        ),
        key=lambda row: row["max_term_years"],
    )
    if not (minimum_wage and wbso and maritime_ets and bmkb_fee and cbam_factor):
        raise DataError(f"{where}: minimum_wage, wbso, maritime_ets, bmkb_fee and cbam_factor must each have entries")
    return DutchFigures(figures, minimum_wage, wbso, maritime_ets, bmkb_fee, cbam_factor)


@functools.cache
def model_defaults() -> dict[str, Figure]:
    """Load the model's default parameters from ``defaults.toml``."""
    return _figures_table(_load_toml("defaults.toml"), "")
