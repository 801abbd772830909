"""Regions: loading and checking region files, and a case's settings.region."""

from __future__ import annotations

import copy
import datetime as dt
import json
from types import SimpleNamespace

import pytest

from tco_xl import DataError, ValidationError, build_case, compute_case
from tco_xl import regions
from tco_xl.regions import load_region, region_keys

TILBURG_DATE = dt.date(2026, 7, 1)
# Tilburg's all-in labour cost over (1 + 0.08 holiday allowance) x (1 + 0.30
# on-costs) = 1.404, the packaged Dutch rates.
TILBURG_WAGE = 45.2 / 1.404

# A valid region file as a mapping. Tests change one field to break it.
VALID_REGION = {
    "name": "Polder",
    "language": "en",
    "figures_date": "2026-07-01",
    "municipality": "Gemeente Polder",
    "labour_cost_eur_per_hour": {
        "value": 50.0,
        "unit": "EUR per hour",
        "quality": "estimate",
        "source": "test figure",
        "date": "2026-01-01",
    },
    "subsidies": {"loonkostensubsidie": True, "wbso": True, "bmkb": True},
    "options": [
        {"name_en": "Make in Polder", "name_nl": "Zelf maken in Polder", "country": "NL", "sourcing": "make"},
        {"name_en": "Buy in China", "name_nl": "Inkopen in China", "country": "CN", "sourcing": "buy"},
    ],
}


def toml_value(value) -> str:
    """Render a value as TOML, with nested tables as inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def write_region(folder, key: str, data: dict) -> None:
    """Write ``data`` as the region file ``key``.toml in ``folder``, every key at the top level."""
    text = "\n".join(f"{name} = {toml_value(value)}" for name, value in data.items()) + "\n"
    (folder / f"{key}.toml").write_text(text, encoding="utf-8")


def changed_region(**changes) -> dict:
    """Return a copy of the valid region with ``changes``, where a change to None removes the key."""
    data = copy.deepcopy(VALID_REGION)
    for name, value in changes.items():
        if value is None:
            data.pop(name)
        else:
            data[name] = value
    return data


@pytest.fixture
def region_folder(tmp_path, monkeypatch):
    """An empty folder that ``load_region`` and ``region_keys`` read instead of the packaged regions."""
    folder = tmp_path / "regions"
    folder.mkdir()
    # regions.py opens files("tco_xl.data") / "regions" / KEY.toml, and a Path has the same methods.
    monkeypatch.setattr(regions, "resources", SimpleNamespace(files=lambda package: tmp_path))
    load_region.cache_clear()
    yield folder
    load_region.cache_clear()


@pytest.fixture
def region_case_raw(small_case_raw) -> dict:
    """The small case under region Tilburg, without a figures date or wage inputs on the NL make option."""
    small_case_raw["settings"]["region"] = "tilburg"
    del small_case_raw["settings"]["figures_date"]
    make = small_case_raw["options"][0]
    for name in ("hourly_wage_eur", "holiday_allowance_rate", "employer_oncost_rate"):
        del make[name]
    return small_case_raw


# Packaged region.


def test_tilburg_figures():
    tilburg = load_region("tilburg")

    assert tilburg.key == "tilburg"
    assert tilburg.name == "Tilburg"
    assert tilburg.language == "nl"
    assert tilburg.figures_date == TILBURG_DATE
    assert tilburg.labour_cost.value == 45.2
    assert tilburg.labour_cost.unit == "EUR per hour"
    assert tilburg.labour_cost.source.strip()
    assert tilburg.subsidies == {"loonkostensubsidie": True, "wbso": True, "bmkb": True}


def test_tilburg_options():
    options = load_region("tilburg").options

    assert len(options) == 4
    assert options[0].country == "NL"
    assert options[0].sourcing == "make"
    assert [option.sourcing for option in options[1:]] == ["buy", "buy", "buy"]
    for option in options:
        assert option.names["en"].strip()
        assert option.names["nl"].strip()


def test_region_keys_list_tilburg():
    assert "tilburg" in region_keys()
    assert region_keys() == sorted(region_keys())


def test_unknown_region_key_raises():
    with pytest.raises(DataError) as raised:
        load_region("atlantis")

    message = str(raised.value)
    assert "'atlantis' not found" in message
    assert "known regions: " in message
    assert "tilburg" in message


# Region files read from a temporary folder.


def test_valid_region_file_loads(region_folder):
    write_region(region_folder, "polder", VALID_REGION)

    polder = load_region("polder")

    assert region_keys() == ["polder"]
    assert polder.name == "Polder"
    assert polder.language == "en"
    assert polder.figures_date == TILBURG_DATE
    assert polder.labour_cost.value == 50.0
    assert [option.country for option in polder.options] == ["NL", "CN"]


def test_region_file_takes_toml_date(region_folder):
    write_region(region_folder, "polder", changed_region(figures_date=TILBURG_DATE))

    assert load_region("polder").figures_date == TILBURG_DATE


def test_region_options_country_any_case(region_folder):
    options = copy.deepcopy(VALID_REGION["options"])
    options[1]["country"] = "cn"
    write_region(region_folder, "polder", changed_region(options=options))

    assert load_region("polder").options[1].country == "CN"


def _options_with(index: int, **changes) -> list:
    options = copy.deepcopy(VALID_REGION["options"])
    options[index].update(changes)
    return options


def _labour_cost_with(**changes) -> dict:
    figure = dict(VALID_REGION["labour_cost_eur_per_hour"])
    for name, value in changes.items():
        if value is None:
            figure.pop(name)
        else:
            figure[name] = value
    return figure


# Each broken file: the change, and a text the message must contain to name the field.
BROKEN_REGIONS = {
    "language de": (changed_region(language="de"), "language = 'de' is invalid"),
    "language missing": (changed_region(language=None), "language = None is invalid"),
    "figures_date month 13": (changed_region(figures_date="2026-13-01"), "figures_date = '2026-13-01' is invalid"),
    "figures_date in words": (changed_region(figures_date="1 July 2026"), "figures_date = '1 July 2026' is invalid"),
    "figures_date missing": (changed_region(figures_date=None), "figures_date = None is invalid"),
    "subsidies without wbso": (
        changed_region(subsidies={"loonkostensubsidie": True, "bmkb": True}),
        "[subsidies] must set loonkostensubsidie, wbso, bmkb to true or false",
    ),
    "subsidy flag as text": (
        changed_region(subsidies={"loonkostensubsidie": "yes", "wbso": True, "bmkb": True}),
        "[subsidies] must set",
    ),
    "no options": (changed_region(options=[]), "options must list 1 to 4 options"),
    "options missing": (changed_region(options=None), "options must list 1 to 4 options"),
    "five options": (changed_region(options=VALID_REGION["options"] * 2 + VALID_REGION["options"][:1]), "options must list 1 to 4 options"),
    "option not a table": (changed_region(options=["NL"]), "options[1]: expected a table"),
    "option without name_nl": (
        changed_region(options=[{"name_en": "Make", "country": "NL", "sourcing": "make"}]),
        "options[1]: name_en and name_nl must be non-empty texts",
    ),
    "unknown country": (changed_region(options=_options_with(1, country="XX")), "options[2]: country = 'XX' is invalid"),
    "sourcing lease": (changed_region(options=_options_with(1, sourcing="lease")), "options[2]: sourcing = 'lease' is invalid; expected buy or make"),
    "labour cost without source": (
        changed_region(labour_cost_eur_per_hour=_labour_cost_with(source=None)),
        "labour_cost_eur_per_hour: quality must be one of published, measured, estimate and source must be given",
    ),
    "labour cost empty source": (
        changed_region(labour_cost_eur_per_hour=_labour_cost_with(source="")),
        "labour_cost_eur_per_hour: quality must be one of",
    ),
    "labour cost zero": (changed_region(labour_cost_eur_per_hour=_labour_cost_with(value=0)), "labour_cost_eur_per_hour: value = 0 is invalid"),
    "labour cost negative": (changed_region(labour_cost_eur_per_hour=_labour_cost_with(value=-3.5)), "labour_cost_eur_per_hour: value = -3.5 is invalid"),
    "labour cost nan": (changed_region(labour_cost_eur_per_hour=_labour_cost_with(value=float("nan"))), "labour_cost_eur_per_hour: value = nan is invalid"),
    "labour cost inf": (changed_region(labour_cost_eur_per_hour=_labour_cost_with(value=float("inf"))), "labour_cost_eur_per_hour: value = inf is invalid"),
    "labour cost as text": (changed_region(labour_cost_eur_per_hour=_labour_cost_with(value="45.2")), "labour_cost_eur_per_hour: value = '45.2' is invalid"),
    "labour cost not a table": (changed_region(labour_cost_eur_per_hour=45.2), "labour_cost_eur_per_hour: expected a table"),
}


@pytest.mark.parametrize("data, expected", BROKEN_REGIONS.values(), ids=BROKEN_REGIONS.keys())
def test_broken_region_file_rejected(region_folder, data, expected):
    write_region(region_folder, "broken", data)

    with pytest.raises(DataError) as raised:
        load_region("broken")

    message = str(raised.value)
    assert message.startswith("tco_xl/data/regions/broken.toml"), message
    assert expected in message, message


def test_invalid_toml_region_rejected(region_folder):
    (region_folder / "broken.toml").write_text('language = "nl\n', encoding="utf-8")

    with pytest.raises(DataError) as raised:
        load_region("broken")

    assert str(raised.value).startswith("tco_xl/data/regions/broken.toml: invalid TOML: ")


# A case with settings.region.


def test_region_sets_figures_date(region_case_raw):
    case = build_case(region_case_raw, today=dt.date(2030, 1, 1))

    assert case.settings["figures_date"] == TILBURG_DATE
    assert case.settings.defaults_used["figures_date"] == "default: the figures date of region Tilburg"


def test_given_figures_date_beats_region(region_case_raw):
    region_case_raw["settings"]["figures_date"] = "2026-03-01"

    case = build_case(region_case_raw)

    assert case.settings["figures_date"] == dt.date(2026, 3, 1)
    assert "figures_date" not in case.settings.defaults_used


def test_region_sets_nl_make_wage(region_case_raw):
    case = build_case(region_case_raw)

    make = case.options[0]
    assert make["holiday_allowance_rate"] == 0.08
    assert make["employer_oncost_rate"] == 0.30
    assert make["hourly_wage_eur"] == pytest.approx(TILBURG_WAGE, rel=1e-12)
    assert make.defaults_used["hourly_wage_eur"].startswith("default: region Tilburg all-in labour cost")


def test_region_labour_cost_used(region_folder, region_case_raw):
    write_region(region_folder, "polder", VALID_REGION)
    region_case_raw["settings"]["region"] = "polder"

    case = build_case(region_case_raw)

    # 50.0 is Polder's labour cost, unlike the national 45.2.
    assert case.options[0]["hourly_wage_eur"] == pytest.approx(50.0 / 1.404, rel=1e-12)


def test_given_wage_beats_region(region_case_raw):
    region_case_raw["options"][0]["hourly_wage_eur"] = 20.0

    case = build_case(region_case_raw)

    assert case.options[0]["hourly_wage_eur"] == 20.0
    assert "hourly_wage_eur" not in case.options[0].defaults_used


def test_region_leaves_foreign_make_wage(region_case_raw):
    region_case_raw["options"][1] = {
        "name": "Make in Poland",
        "country": "PL",
        "sourcing": "make",
        "materials_eur": 18.0,
        "labour_hours": 1.0,
    }
    plain = copy.deepcopy(region_case_raw)
    del plain["settings"]["region"]
    plain["settings"]["figures_date"] = TILBURG_DATE.isoformat()

    with_region = build_case(region_case_raw).options[1]
    without_region = build_case(plain).options[1]

    assert with_region["hourly_wage_eur"] == without_region["hourly_wage_eur"]
    assert with_region.defaults_used["hourly_wage_eur"] == without_region.defaults_used["hourly_wage_eur"]


@pytest.mark.parametrize("written", ["Tilburg", "TILBURG", " tilburg "])
def test_region_name_any_case(region_case_raw, written):
    region_case_raw["settings"]["region"] = written

    case = build_case(region_case_raw)

    assert case.settings["region"] == "tilburg"
    assert case.settings["figures_date"] == TILBURG_DATE


def test_unknown_region_in_case(region_case_raw):
    region_case_raw["settings"]["region"] = "Atlantis"

    with pytest.raises(ValidationError) as raised:
        build_case(region_case_raw)

    messages = [problem for problem in raised.value.problems if problem.startswith("settings: region = ")]
    assert messages == ["settings: region = 'Atlantis' is invalid; expected one of " + ", ".join(region_keys())]
    assert "tilburg" in messages[0]


def test_region_must_be_text(region_case_raw):
    region_case_raw["settings"]["region"] = 12

    with pytest.raises(ValidationError) as raised:
        build_case(region_case_raw)

    assert "settings: region = 12 is invalid; expected a non-empty text" in raised.value.problems


def test_broken_region_file_in_case(region_folder, region_case_raw):
    write_region(region_folder, "broken", changed_region(language="de"))
    region_case_raw["settings"]["region"] = "broken"

    # A broken packaged file is a data error, not an invalid user input.
    with pytest.raises(DataError) as raised:
        build_case(region_case_raw)

    assert str(raised.value).startswith("tco_xl/data/regions/broken.toml: language = 'de' is invalid")


# Subsidies a region does not offer.

SUBSIDY_INPUTS = {
    "loonkostensubsidie": ("lks_share", {"lks_share": 0.3, "loonwaarde": 0.5}, "options[1] 'Make in Tilburg'"),
    "wbso": ("rd_hours_per_year", {"rd_hours_per_year": 500.0}, "options[1] 'Make in Tilburg'"),
    "bmkb": ("bmkb_credit_eur", {"investment": {"machines_eur": 200000.0, "bmkb_credit_eur": 100000.0}}, "options[1] 'Make in Tilburg' investment"),
}


def _case_with_subsidy_input(region_case_raw: dict, subsidy: str) -> dict:
    region_case_raw["settings"]["region"] = "polder"
    region_case_raw["options"][0].update(copy.deepcopy(SUBSIDY_INPUTS[subsidy][1]))
    return region_case_raw


@pytest.mark.parametrize("subsidy", SUBSIDY_INPUTS)
def test_region_without_subsidy_rejects_input(region_folder, region_case_raw, subsidy):
    write_region(region_folder, "polder", changed_region(subsidies={**VALID_REGION["subsidies"], subsidy: False}))
    field_name, inputs, where = SUBSIDY_INPUTS[subsidy]
    raw = _case_with_subsidy_input(region_case_raw, subsidy)

    with pytest.raises(ValidationError) as raised:
        build_case(raw)

    found = inputs.get(field_name, inputs.get("investment", {}).get(field_name))
    expected = f"{where}: {field_name} = {found!r} is invalid; expected 0: "
    messages = [problem for problem in raised.value.problems if problem.startswith(expected)]
    assert len(messages) == 1, raised.value.problems
    assert "is not offered in region Polder" in messages[0]
    assert subsidy in messages[0].lower()


@pytest.mark.parametrize("subsidy", SUBSIDY_INPUTS)
def test_region_with_subsidy_takes_input(region_folder, region_case_raw, subsidy):
    write_region(region_folder, "polder", VALID_REGION)
    field_name = SUBSIDY_INPUTS[subsidy][0]

    case = build_case(_case_with_subsidy_input(region_case_raw, subsidy))

    assert case.options[0][field_name] > 0


@pytest.mark.parametrize("subsidy", SUBSIDY_INPUTS)
def test_region_without_subsidy_takes_zero(region_folder, region_case_raw, subsidy):
    write_region(region_folder, "polder", changed_region(subsidies={**VALID_REGION["subsidies"], subsidy: False}))
    region_case_raw["settings"]["region"] = "polder"

    case = build_case(region_case_raw)

    assert case.options[0][SUBSIDY_INPUTS[subsidy][0]] == 0.0


# Results.


def test_region_case_matches_explicit_case(region_case_raw):
    explicit_raw = copy.deepcopy(region_case_raw)
    del explicit_raw["settings"]["region"]
    explicit_raw["settings"]["figures_date"] = "2026-07-01"
    explicit_raw["options"][0]["hourly_wage_eur"] = 45.2 / 1.404

    region_result = compute_case(build_case(region_case_raw))
    explicit_result = compute_case(build_case(explicit_raw))

    assert region_result.start_year == explicit_result.start_year == 2026
    assert len(region_result.options) == len(explicit_result.options)
    for region_option, explicit_option in zip(region_result.options, explicit_result.options):
        assert region_option.name == explicit_option.name
        assert region_option.tco_per_unit_eur == pytest.approx(explicit_option.tco_per_unit_eur, rel=1e-12)
        assert region_option.npv_eur == pytest.approx(explicit_option.npv_eur, rel=1e-12)
        assert region_option.lines == pytest.approx(explicit_option.lines, rel=1e-12, abs=1e-9)
        region_path = [year.tco_per_unit_eur for year in region_option.path]
        explicit_path = [year.tco_per_unit_eur for year in explicit_option.path]
        assert region_path == pytest.approx(explicit_path, rel=1e-12)


def test_region_case_results_json(region_case_raw):
    data = json.loads(json.dumps(compute_case(build_case(region_case_raw)).to_dict()))

    assert data["settings"]["region"] == "tilburg"
    assert data["settings"]["figures_date"] == "2026-07-01"
