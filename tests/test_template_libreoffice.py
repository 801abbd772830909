"""The template workbook, recalculated by LibreOffice Calc, against the Python core.

A raw case is filled into the template with ``fill_workbook``, headless
LibreOffice recalculates every formula, and each result cell must equal the
core's value within a relative 1e-6. The core is computed for the template's
region (Tilburg), so that its defaults match the template's.

The cases are the demo case in both languages, the committed example
workbook, a seeded sweep of generated cases and a few hand-written edge
cases. Starting soffice takes about a second (LibreOffice 7.4 on a 2-core
machine), so the demo workbooks share one ``recalculate_many`` call, and the
sweep and edge cases share another.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from libreoffice_support import require_libreoffice

from tco_xl import defaults
from tco_xl.case import build_case
from tco_xl.fields import INCOTERMS
from tco_xl.inputs import case_rows
from tco_xl.labour import loonkostensubsidie_per_hour
from tco_xl.libreoffice import recalculate_many
from tco_xl.results import compute_case
from tco_xl.scenarios import MODE_LOADS, PLANTS_ABROAD, generate_valid_raw
from tco_xl.template import build_template, write_workbook
from tco_xl.template_compare import compare, expected_cells
from tco_xl.template_fill import fill_workbook
from tco_xl.template_layout import OPTION_COUNT, PATH_YEARS, RISK_ITEMS, Layout
from tco_xl.template_results import sheet_rows

require_libreoffice()

REGION = "tilburg"
LANGUAGES = ("en", "nl")
RELATIVE_TOLERANCE = 1e-6
ROOT = Path(__file__).resolve().parent.parent
DEMO_CASE = ROOT / "tco_xl" / "data" / "demo_case.toml"
EXAMPLE_WORKBOOK = ROOT / "workbooks" / "examples" / "demo_en.xlsx"
# Differences that an assertion message lists in full. It counts the rest.
SHOWN_DIFFERENCES = 12

SWEEP_CASES = 40
SWEEP_SEED = 20260701


def read_demo_case() -> dict:
    with DEMO_CASE.open("rb") as file:
        raw = tomllib.load(file)
    raw.setdefault("settings", {})["region"] = REGION
    return raw


def write_filled(raw: dict, language: str, path: Path) -> Path:
    """Write ``raw`` filled into a new template in ``language`` to ``path``."""
    workbook = build_template(language, REGION)
    fill_workbook(workbook, raw, Layout(language), REGION)
    return write_workbook(workbook, path)


def read_values(path: Path):
    """Return a ``read(sheet, cell)`` function over the cached values of a workbook."""
    book = openpyxl.load_workbook(path, data_only=True)
    return lambda sheet, cell: book[sheet][cell].value


def core_cells(raw: dict, language: str):
    layout = Layout(language)
    return expected_cells(build_case(raw), layout, sheet_rows())


def describe_differences(differences) -> str:
    lines = [difference.describe() for difference in differences[:SHOWN_DIFFERENCES]]
    if len(differences) > SHOWN_DIFFERENCES:
        lines.append(f"... and {len(differences) - SHOWN_DIFFERENCES} more differences")
    return "\n".join(lines)


# ---------------------------------------------------------------- demo case


@pytest.fixture(scope="module")
def demo_workbooks(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Return the demo workbook of each language, as openpyxl wrote it and as LibreOffice recalculated it."""
    raw = read_demo_case()
    source_dir = tmp_path_factory.mktemp("demo_sources")
    sources = [
        write_filled(raw, language, source_dir / f"demo_{language}.xlsx")
        for language in LANGUAGES
    ]
    outputs = recalculate_many(sources, tmp_path_factory.mktemp("demo_recalculated"))
    return {
        language: (source, output)
        for language, source, output in zip(LANGUAGES, sources, outputs)
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_demo_source_has_no_cached_results(demo_workbooks, language):
    source, _ = demo_workbooks[language]
    read = read_values(source)
    cached = [
        (cell.sheet, cell.cell, read(cell.sheet, cell.cell))
        for cell in core_cells(read_demo_case(), language)
    ]
    assert cached
    assert [item for item in cached if item[2] is not None] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_demo_recalculated_cells_are_numbers(demo_workbooks, language):
    _, output = demo_workbooks[language]
    read = read_values(output)
    cells = [
        cell
        for cell in core_cells(read_demo_case(), language)
        if cell.value is not None
    ]
    not_numbers = [
        f"{cell.sheet}!{cell.cell} ({cell.what}): {read(cell.sheet, cell.cell)!r}"
        for cell in cells
        if isinstance(read(cell.sheet, cell.cell), bool)
        or not isinstance(read(cell.sheet, cell.cell), (int, float))
    ]
    assert cells
    assert not_numbers == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_demo_matches_core(demo_workbooks, language):
    _, output = demo_workbooks[language]
    differences = compare(
        core_cells(read_demo_case(), language),
        read_values(output),
        relative=RELATIVE_TOLERANCE,
    )
    assert differences == [], (
        f"demo case in the {language} template:\n{describe_differences(differences)}"
    )


def test_example_workbook_matches_core(tmp_path):
    if not EXAMPLE_WORKBOOK.is_file():
        pytest.skip(f"{EXAMPLE_WORKBOOK.relative_to(ROOT)} is not in the tree yet")
    (output,) = recalculate_many([EXAMPLE_WORKBOOK], tmp_path)
    differences = compare(
        core_cells(read_demo_case(), "en"),
        read_values(output),
        relative=RELATIVE_TOLERANCE,
    )
    assert differences == [], (
        f"{EXAMPLE_WORKBOOK.relative_to(ROOT)}:\n{describe_differences(differences)}"
    )


# ---------------------------------------------------------------- generated cases


@dataclass(frozen=True)
class Scenario:
    """A case of the sweep: its test id, template language, raw case and seed."""

    name: str
    language: str
    raw: dict
    # The seed a generated case came from, or None for a hand-written edge case.
    seed: int | None = None

    def summary(self) -> str:
        """Describe the case in one line per option, for assertion messages."""
        settings = self.raw["settings"]
        seed = "hand-written" if self.seed is None else f"seed {self.seed}"
        heading = (
            f"{self.name} ({seed}, language {self.language}, "
            f"figures_date {settings.get('figures_date', 'default')}, "
            f"horizon {settings.get('horizon_years', 'default')})"
        )
        lines = [heading]
        keys = (
            "country",
            "sourcing",
            "currency",
            "transport_mode",
            "load_type",
            "incoterm",
            "baseline",
        )
        for option in self.raw["options"]:
            described = ", ".join(
                f"{key}={option[key]!r}" for key in keys if key in option
            )
            lines.append(f"  {option['name']!r}: {described}")
        return "\n".join(lines)


def generate_scenario(index: int) -> Scenario:
    """Return the first case from the seeds of position ``index`` that fits the template."""
    raw, seed = generate_valid_raw(index, SWEEP_SEED)
    language = LANGUAGES[index % len(LANGUAGES)]
    return Scenario(sweep_id(index), language, raw, seed)


def sweep_id(index: int) -> str:
    return f"case{index:02d}"


# ---------------------------------------------------------------- edge cases

# The edge cases change this case: own production in Tilburg against a
# supplier in China who quotes in CNY, FOB by sea.
EDGE_BASE = {
    "name": "edge case",
    "part": {
        "name": "bracket",
        "annual_volume": 12000,
        "unit_weight_kg": 5.0,
        "unit_volume_m3": 0.02,
    },
    "settings": {"region": REGION, "figures_date": "2026-03-01", "horizon_years": 5},
    "options": [
        {
            "name": "Make in Tilburg",
            "country": "NL",
            "sourcing": "make",
            "materials_eur": 20.0,
            "labour_hours": 0.5,
        },
        {
            "name": "Buy in China",
            "country": "CN",
            "sourcing": "buy",
            "price": 150.0,
            "duty_rate": 0.03,
        },
    ],
}


def edge_case(settings=None, options=None, replace=None) -> dict:
    """Return a copy of EDGE_BASE with changed settings, changed options and replaced options.

    ``options`` and ``replace`` map an option's index to the fields to change
    or to the whole new option.
    """
    raw = copy.deepcopy(EDGE_BASE)
    raw["settings"].update(settings or {})
    for index, changes in (options or {}).items():
        raw["options"][index].update(changes)
    for index, option in (replace or {}).items():
        raw["options"][index] = option
    return raw


EDGE_CASES = {
    # A spreadsheet takes a text starting with = for a formula; the name must stay text.
    "edge-name-starts-with-equals": edge_case(options={1: {"name": "=Supplier A"}}),
    # The core reads codes in any case and strips spaces around a country code.
    "edge-texts-in-other-case": edge_case(
        options={
            1: {
                "country": " cn ",
                "currency": "usd",
                "incoterm": "cfr",
                "transport_mode": "Sea",
                "load_type": "Container_40",
            }
        }
    ),
    # The customs value of a DAP price stops at zero below the destination leg.
    "edge-dap-price-below-destination-leg": edge_case(
        options={
            1: {
                "incoterm": "DAP",
                "currency": "EUR",
                "price": 1.0,
                "inland_destination_eur_per_load": 500000,
            }
        }
    ),
    # Equal options have no gap and no break-even price.
    "edge-equal-options": edge_case(
        replace={1: {**EDGE_BASE["options"][0], "name": "Make again"}}
    ),
    # GBP has no packaged rate or FX trend, so the case gives the rate and the trend is 0.
    "edge-currency-without-figures": edge_case(
        options={1: {"currency": "GBP", "fx_eur_per_unit": 1.17}}
    ),
    # A given FX trend of a plant's own currency is also its local FX trend.
    "edge-plant-in-own-currency": edge_case(
        replace={
            1: {
                "name": "Make in Poland",
                "country": "PL",
                "sourcing": "make",
                "materials_eur": 18.0,
                "labour_hours": 0.6,
                "currency": "PLN",
                "fx_trend_per_year": -0.05,
            }
        }
    ),
    # The minimum wage, which caps the LKS wage base, steps up on 1 July 2024.
    "edge-minimum-wage-step-date": edge_case(
        settings={"figures_date": "2024-07-01", "horizon_years": 10},
        options={
            0: {
                "hourly_wage_eur": 12.5,
                "lks_share": 0.4,
                "loonwaarde": 0.2,
                "rd_hours_per_year": 9000,
                "wbso_starter": True,
            }
        },
    ),
    # Validation allows a sea-only Incoterm without transport.
    "edge-sea-incoterm-without-transport": edge_case(
        options={1: {"transport_mode": "none", "incoterm": "FOB"}}
    ),
}


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Scenario]:
    """Return the generated and the hand-written cases of the sweep by test id."""
    generated = [generate_scenario(index) for index in range(SWEEP_CASES)]
    edges = [
        Scenario(name, LANGUAGES[number % len(LANGUAGES)], raw)
        for number, (name, raw) in enumerate(EDGE_CASES.items())
    ]
    return {scenario.name: scenario for scenario in generated + edges}


@pytest.fixture(scope="module")
def sweep_outputs(scenarios, tmp_path_factory) -> dict[str, Path]:
    """Return the recalculated workbook of each scenario, all converted in one call."""
    source_dir = tmp_path_factory.mktemp("sweep_sources")
    sources = [
        write_filled(scenario.raw, scenario.language, source_dir / f"{name}.xlsx")
        for name, scenario in scenarios.items()
    ]
    outputs = recalculate_many(sources, tmp_path_factory.mktemp("sweep_recalculated"))
    return dict(zip(scenarios, outputs))


@pytest.mark.parametrize(
    "name", [sweep_id(index) for index in range(SWEEP_CASES)] + list(EDGE_CASES)
)
def test_sweep_case_matches_core(scenarios, sweep_outputs, name):
    scenario = scenarios[name]
    differences = compare(
        core_cells(scenario.raw, scenario.language),
        read_values(sweep_outputs[name]),
        relative=RELATIVE_TOLERANCE,
    )
    assert differences == [], (
        f"{scenario.summary()}\n{len(differences)} differences:\n"
        f"{describe_differences(differences)}"
    )


# ---------------------------------------------------------------- sweep coverage


def _features(scenario: Scenario) -> set:
    """Return the features a generated case exercises, read from its raw input and the core's resolved rows."""
    raw, features = scenario.raw, set()
    case = build_case(raw)
    result = compute_case(case)
    features.add(("options", len(raw["options"])))
    features.add(("horizon", case.settings["horizon_years"]))
    features.add(("figures_year", case.settings["figures_date"].year))
    if "figures_date" not in raw["settings"]:
        features.add("figures_date left empty")
    if "horizon_years" not in raw["settings"]:
        features.add("horizon left empty")
    for option, resolved, row, computed in zip(
        raw["options"], case.options, case_rows(case), result.options
    ):
        country = defaults.country(row["country"])
        features.add(("sourcing", row["sourcing"]))
        features.add(("incoterm", option.get("incoterm")))
        features.add(
            (
                "mode_load",
                option.get("transport_mode"),
                option.get("load_type", row["load_type"]),
            )
        )
        if not country.eu_member:
            features.add("non_eu_origin")
        elif country.code != "NL":
            features.add("eu_origin")
        if row["sourcing"] == "make" and country.code != "NL":
            features.add(("make_abroad", country.code))
        if "incoterm" not in option and "transport_mode" not in option:
            features.add("transport left empty")
        if row["sourcing"] == "buy":
            currency = option.get("currency")
            if currency == "EUR":
                features.add("price in EUR")
            elif resolved["currency"] != "EUR":
                features.add(
                    (
                        "foreign price",
                        "fx_trend given"
                        if "fx_trend_per_year" in option
                        else "fx_trend default",
                    )
                )
        if row["transport_mode"] == "sea" and 0 < row["air_share"] < 1:
            features.add("sea with air share")
        if "units_per_shipment" in option:
            features.add("units_per_shipment given")
            units_per_load = computed.quantities["units_per_load"]
            if (
                units_per_load > 0
                and not float(row["units_per_shipment"] / units_per_load).is_integer()
            ):
                features.add("part load")
        cbam_due = (
            row["cbam_covered"] and row["customs_applies"] and not row["seller_import"]
        )
        if cbam_due:
            tonnes = row["cbam_importer_tonnes_per_year"]
            exemption = row["cbam_exemption_tonnes"]
            if tonnes > exemption:
                features.add("cbam above exemption")
            elif tonnes < exemption:
                features.add("cbam below exemption")
            else:
                features.add("cbam at exemption")
        if row["article_23_licence"]:
            features.add("article 23 licence")
        if row["make"] and row["lks_share"] > 0 and row["country"] == "NL":
            base = min(row["hourly_wage_eur"], row["minimum_wage_eur_per_hour"]) * (
                1 + row["holiday_allowance_rate"]
            )
            uncapped = base * (1 - row["loonwaarde"]) * (1 + row["lks_allowance"])
            capped = loonkostensubsidie_per_hour(
                row["minimum_wage_eur_per_hour"],
                row["hourly_wage_eur"],
                row["holiday_allowance_rate"],
                row["loonwaarde"],
                row["lks_allowance"],
                row["lks_cap"],
            )
            features.add("lks cap binds" if capped < uncapped else "lks cap free")
        if (
            row["rd_hours_per_year"] * row["rd_hourly_wage_eur"]
            > row["wbso_first_bracket_eur"]
        ):
            features.add("wbso above first bracket")
        if row["rd_hours_per_year"] > 0 and row["wbso_starter"]:
            features.add("wbso starter")
        invested = row["machines_eur"] + row["tooling_eur"] + row["building_eur"]
        if row["bmkb_credit_eur"] > invested:
            features.add("bmkb credit above investment")
        if row["bmkb_credit_eur"] > 0 and row["bmkb_innovative"]:
            features.add("bmkb innovative")
        if option.get("risks"):
            features.add("risk items")
        if isinstance(option.get("price", option.get("materials_eur")), dict):
            features.add("low/base/high range")
    return features


REQUIRED_FEATURES = (
    {("options", count) for count in range(2, OPTION_COUNT + 1)}
    | {("horizon", years) for years in range(1, PATH_YEARS + 1)}
    | {("figures_year", year) for year in (2024, 2025, 2026)}
    | {("incoterm", term) for term in INCOTERMS}
    | {("mode_load", mode, load) for mode, load in MODE_LOADS}
    | {("sourcing", "buy"), ("sourcing", "make")}
    | {("make_abroad", code) for code in PLANTS_ABROAD}
    | {("foreign price", "fx_trend given"), ("foreign price", "fx_trend default")}
    | {
        "figures_date left empty",
        "horizon left empty",
        "transport left empty",
        "eu_origin",
        "non_eu_origin",
        "price in EUR",
        "sea with air share",
        "units_per_shipment given",
        "part load",
        "cbam above exemption",
        "cbam at exemption",
        "cbam below exemption",
        "article 23 licence",
        "lks cap binds",
        "lks cap free",
        "wbso above first bracket",
        "wbso starter",
        "bmkb credit above investment",
        "bmkb innovative",
        "risk items",
        "low/base/high range",
    }
)


def test_sweep_covers_required_features(scenarios):
    generated = [scenarios[sweep_id(index)] for index in range(SWEEP_CASES)]
    covered = set().union(*(_features(scenario) for scenario in generated))
    missing = sorted(map(str, REQUIRED_FEATURES - covered))
    assert missing == []


def test_sweep_cases_fit_template(scenarios):
    for scenario in scenarios.values():
        assert 2 <= len(scenario.raw["options"]) <= OPTION_COUNT, scenario.summary()
        for option in scenario.raw["options"]:
            assert len(option.get("risks", [])) <= RISK_ITEMS, scenario.summary()
