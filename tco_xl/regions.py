"""Regions: the regional labour cost, figures date, subsidies and starting options of a template.

A region is a TOML file in ``tco_xl/data/regions``; its file name without
``.toml`` is the region's key. Adding a region needs no code.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import tomllib
from dataclasses import dataclass
from importlib import resources

from . import defaults
from .errors import DataError
from .fields import SOURCING

DEFAULT_REGION = "tilburg"
LANGUAGES = ("en", "nl")
SUBSIDIES = ("loonkostensubsidie", "wbso", "bmkb")
# Option columns of the template workbook.
MAX_OPTIONS = 4


@dataclass(frozen=True)
class RegionOption:
    """An option a new template starts with: names by language, country and sourcing."""

    names: dict[str, str]
    country: str
    sourcing: str


@dataclass(frozen=True)
class Region:
    """A region's figures and starting options."""

    key: str
    name: str
    language: str
    figures_date: dt.date
    municipality: str
    labour_cost: defaults.Figure
    subsidies: dict[str, bool]
    options: tuple[RegionOption, ...]


def region_keys() -> list[str]:
    """Return the keys of the packaged regions, sorted."""
    folder = resources.files("tco_xl.data").joinpath("regions")
    return sorted(item.name[: -len(".toml")] for item in folder.iterdir() if item.name.endswith(".toml"))


def _read_options(raw: list, where: str) -> tuple[RegionOption, ...]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_OPTIONS:
        raise DataError(f"{where}: options must list 1 to {MAX_OPTIONS} options, the baseline first")
    options = []
    for index, item in enumerate(raw, start=1):
        place = f"{where} options[{index}]"
        if not isinstance(item, dict):
            raise DataError(f"{place}: expected a table with name_en, name_nl, country and sourcing, found {type(item).__name__}")
        names = {language: item.get(f"name_{language}") for language in LANGUAGES}
        if not all(isinstance(name, str) and name.strip() for name in names.values()):
            raise DataError(f"{place}: name_en and name_nl must be non-empty texts")
        country = str(item.get("country", "")).upper()
        if country not in defaults.countries():
            raise DataError(f"{place}: country = {item.get('country')!r} is invalid; expected one of {', '.join(defaults.countries())}")
        if item.get("sourcing") not in SOURCING:
            raise DataError(f"{place}: sourcing = {item.get('sourcing')!r} is invalid; expected buy or make")
        options.append(RegionOption(names, country, item["sourcing"]))
    return tuple(options)


@functools.cache
def load_region(key: str) -> Region:
    """Load the region ``key``; raise ``DataError`` naming the known regions when it does not exist."""
    known = region_keys()
    if key not in known:
        raise DataError(f"region {key!r} not found; known regions: {', '.join(known)}")
    where = f"tco_xl/data/regions/{key}.toml"
    try:
        with resources.files("tco_xl.data").joinpath("regions", f"{key}.toml").open("rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise DataError(f"{where}: invalid TOML: {error}") from error

    language = raw.get("language")
    if language not in LANGUAGES:
        raise DataError(f"{where}: language = {language!r} is invalid; expected en or nl")
    try:
        figures_date = dt.date.fromisoformat(str(raw.get("figures_date")))
    except ValueError as error:
        raise DataError(f"{where}: figures_date = {raw.get('figures_date')!r} is invalid; expected a date YYYY-MM-DD") from error
    subsidies = raw.get("subsidies", {})
    if not isinstance(subsidies, dict) or any(not isinstance(subsidies.get(name), bool) for name in SUBSIDIES):
        raise DataError(f"{where}: [subsidies] must set {', '.join(SUBSIDIES)} to true or false")
    labour_cost = defaults.Figure(*_figure_fields(raw.get("labour_cost_eur_per_hour"), f"{where} labour_cost_eur_per_hour"))
    return Region(
        key=key,
        name=str(raw.get("name", key)),
        language=language,
        figures_date=figures_date,
        municipality=str(raw.get("municipality", "")),
        labour_cost=labour_cost,
        subsidies={name: subsidies[name] for name in SUBSIDIES},
        options=_read_options(raw.get("options"), where),
    )


def _figure_fields(raw, where: str) -> tuple:
    """Return (value, unit, quality, source, date) of a figure table, checked."""
    if not isinstance(raw, dict):
        raise DataError(f"{where}: expected a table with value, unit, quality, source and date")
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise DataError(f"{where}: value = {value!r} is invalid; expected a finite number > 0")
    if raw.get("quality") not in defaults.QUALITY_FLAGS or not raw.get("source"):
        raise DataError(f"{where}: quality must be one of {', '.join(defaults.QUALITY_FLAGS)} and source must be given")
    return float(value), str(raw.get("unit", "")), raw["quality"], str(raw["source"]), str(raw.get("date", ""))
