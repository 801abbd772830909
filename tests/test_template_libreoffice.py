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
import datetime as dt
import math
import random
import tomllib
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from libreoffice_support import require_libreoffice

from tco_xl import defaults
from tco_xl.case import build_case
from tco_xl.errors import ValidationError
from tco_xl.fields import INCOTERMS, TRANSPORT_MODES
from tco_xl.inputs import case_rows
from tco_xl.labour import loonkostensubsidie_per_hour
from tco_xl.libreoffice import recalculate_many
from tco_xl.results import compute_case
from tco_xl.template import build_template, write_workbook
from tco_xl.template_compare import compare, expected_cells
from tco_xl.template_fill import fill_workbook
from tco_xl.template_layout import OPTION_COUNT, PATH_YEARS, RISK_ITEMS, Layout
from tco_xl.template_results import sheet_rows
from tco_xl.validation import LOADS_BY_MODE, SEA_ONLY_TERMS

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
# Seeds tried per case before the generator is taken to be broken.
MAX_ATTEMPTS = 50
MODE_LOADS = tuple(
    (mode, load) for mode in TRANSPORT_MODES for load in LOADS_BY_MODE[mode]
)
# Transport of the first bought option of each case, in turn: every mode
# with each of its load types, and every Incoterm, DDP with each mode.
# Validation allows the sea-only Incoterms without transport, so that occurs too.
TRANSPORT_PLAN = (
    ("none", "none", "EXW"),
    ("sea", "container_20", "FAS"),
    ("sea", "container_40", "FOB"),
    ("sea", "container_40hc", "CFR"),
    ("sea", "container_40hc", "CIF"),
    ("rail", "container_20", "FCA"),
    ("rail", "container_40", "CPT"),
    ("rail", "container_40hc", "CIP"),
    ("road", "container_20", "DAP"),
    ("road", "container_40", "DPU"),
    ("road", "container_40hc", "DDP"),
    ("road", "truck_ftl", "FCA"),
    ("air", "none", "CPT"),
    ("air", "none", "DDP"),
    ("sea", "container_20", "DDP"),
    ("sea", "container_40", "EXW"),
    ("none", "none", "FOB"),
    ("road", "truck_ftl", "EXW"),
    ("rail", "container_40", "DAP"),
    ("sea", "container_40hc", "DAP"),
)
# Plants abroad of a make option, one in the EU and one outside it.
PLANTS_ABROAD = ("PL", "CN")
# Currencies of a price quoted in neither EUR nor the supplier's own currency.
THIRD_CURRENCIES = ("USD", "CNY", "PLN")


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


def _maybe(rng: random.Random, chance: float) -> bool:
    return rng.random() < chance


def _amount(rng: random.Random, low: float, high: float, digits: int = 2) -> float:
    return round(rng.uniform(low, high), digits)


def _ranged(rng: random.Random, value: float):
    """Return ``value`` as is or as a low/base/high table, which the template fills with its base."""
    if _maybe(rng, 0.3):
        return {
            "low": round(value * 0.8, 4),
            "base": value,
            "high": round(value * 1.3, 4),
        }
    return value


def _allowed_terms(mode: str) -> list[str]:
    if mode in ("road", "rail", "air"):
        return [term for term in INCOTERMS if term not in SEA_ONLY_TERMS]
    return list(INCOTERMS)


def _forced_transport(index: int) -> tuple[str, str, str]:
    """Return the mode, load type and Incoterm of a case's first bought option, which cycle over the sweep."""
    return TRANSPORT_PLAN[index % len(TRANSPORT_PLAN)]


def _random_transport(rng: random.Random) -> tuple[str, str, str]:
    mode, load = rng.choice(MODE_LOADS)
    return mode, load, rng.choice(_allowed_terms(mode))


def _part(rng: random.Random) -> dict:
    part = {
        "name": "generated part",
        "annual_volume": rng.choice([250, 1200, 5000, 12000, 60000, 250000]),
        "unit_weight_kg": _amount(rng, 0.2, 40.0),
        "unit_volume_m3": _amount(rng, 0.001, 0.4, 4),
    }
    if _maybe(rng, 0.5):
        part["selling_price_eur"] = _amount(rng, 50, 3000)
    if _maybe(rng, 0.3):
        part["demand_period_days"] = rng.choice([1, 7, 30])
    if _maybe(rng, 0.2):
        part["demand_per_period"] = _amount(rng, 10, 2000)
    if _maybe(rng, 0.3):
        part["demand_sd_per_period"] = _amount(rng, 0, 500)
    if _maybe(rng, 0.3):
        part["service_level"] = rng.choice([0.5, 0.9, 0.95, 0.99, 0.9999])
    return part


def _settings(rng: random.Random, index: int) -> dict:
    settings = {"region": REGION}
    # Years 2024 to 2026 cycle, because the CBAM, ETS and WBSO rules change by year.
    if index % 7 != 6:
        day = dt.date(2024 + index % 3, 1, 1) + dt.timedelta(days=rng.randrange(365))
        settings["figures_date"] = day if _maybe(rng, 0.5) else day.isoformat()
    # Horizons cycle from 1 to PATH_YEARS. A left-out horizon takes the default of 5.
    if index % PATH_YEARS != 4:
        settings["horizon_years"] = 1 + index % PATH_YEARS
    optional = {
        "cost_of_capital": lambda: _amount(rng, 0.0, 0.15, 3),
        "carrying_rate": lambda: _amount(rng, 0.05, 0.4, 3),
        "discount_rate": lambda: _amount(rng, 0.0, 0.12, 3),
        "carbon_price_eur_per_t": lambda: _amount(rng, 0, 150),
        "cbam_price_eur_per_t": lambda: _amount(rng, 0, 150),
        "carbon_price_growth_per_year": lambda: _amount(rng, -0.1, 0.15, 3),
        "home_wage_inflation_per_year": lambda: _amount(rng, -0.02, 0.08, 3),
        "freight_growth_per_year": lambda: _amount(rng, -0.1, 0.1, 3),
        "vat_rate": lambda: rng.choice([0.0, 0.09, 0.21]),
        "vat_recovery_days": lambda: rng.choice([0, 30, 45, 90]),
    }
    for name, draw in optional.items():
        if _maybe(rng, 0.3):
            settings[name] = draw()
    return settings


def _transport_fields(
    rng: random.Random,
    option: dict,
    part: dict,
    mode: str,
    load: str,
    incoterm: str | None,
) -> None:
    """Set the transport mode, load type, Incoterm, freight and shipment inputs of ``option``."""
    option["transport_mode"] = mode
    if _maybe(rng, 0.8) or mode not in ("none", "air"):
        option["load_type"] = load
    if incoterm is not None:
        option["incoterm"] = incoterm

    country = defaults.country(option["country"])
    # The packaged transit, distance and load cost are for the country's default mode only.
    other_mode = mode not in ("none", country.default_mode) and country.code != "NL"
    if other_mode or _maybe(rng, 0.3):
        option["transit_days"] = _amount(rng, 1, 60, 1)
        option["lead_time_sd_days"] = _amount(rng, 0, 10, 1)
        option["distance_km"] = _amount(rng, 20, 25000, 0)
    if (other_mode and mode != "air") or _maybe(rng, 0.3):
        option["cost_per_load_eur"] = _amount(rng, 300, 9000, 0)
    if _maybe(rng, 0.3):
        option["inland_origin_eur_per_load"] = _amount(rng, 0, 1500, 0)
    if _maybe(rng, 0.3):
        option["inland_destination_eur_per_load"] = _amount(rng, 0, 1500, 0)

    if mode == "air":
        if _maybe(rng, 0.5):
            option["air_share"] = 1.0
    elif mode == "none":
        if _maybe(rng, 0.3):
            option["air_share"] = 0.0
    elif _maybe(rng, 0.7 if mode == "sea" else 0.3):
        option["air_share"] = _amount(rng, 0.01, 0.6, 3)
    if _maybe(rng, 0.3):
        option["air_rate_eur_per_kg"] = _amount(rng, 1.5, 9)

    if _maybe(rng, 0.3):
        option["fill_factor"] = rng.choice([0.5, 0.65, 0.85, 1.0])
    if _maybe(rng, 0.3):
        option["part_load_premium"] = rng.choice([1.0, 1.5, 2.5])
    if _maybe(rng, 0.2):
        option["max_shipment_share_of_year"] = rng.choice([0.01, 0.1, 0.5, 1.0])
    if _maybe(rng, 0.3):
        option["insurance_rate"] = _amount(rng, 0, 0.02, 4)
    if _maybe(rng, 0.5):
        option["units_per_shipment"] = _shipment_size(rng, option, part, load)


def _shipment_size(rng: random.Random, option: dict, part: dict, load: str) -> float:
    """Return a shipment size: a few units, a share of the year, or a whole or broken number of loads."""
    load_types = defaults.load_types()
    if load in load_types and _maybe(rng, 0.5):
        fits = math.floor(
            min(
                load_types[load].usable_volume_m3 / part["unit_volume_m3"],
                load_types[load].payload_kg / part["unit_weight_kg"],
            )
        )
        fill = option.setdefault("fill_factor", rng.choice([0.65, 0.85, 1.0]))
        loads = rng.choice([0.3, 1.0, 1.5, 2.0, 3.7])
        return max(1.0, round(fits * fill * loads, 3))
    return float(
        rng.choice(
            [
                1,
                7,
                100,
                max(1, part["annual_volume"] // 12),
                part["annual_volume"] // 2 + 1,
            ]
        )
    )


def _customs_fields(rng: random.Random, option: dict) -> None:
    country = defaults.country(option["country"])
    outside_eu = not country.eu_member
    if outside_eu or _maybe(rng, 0.2):
        option["duty_rate"] = rng.choice([0.0, 0.027, 0.045, 0.12])
    if _maybe(rng, 0.15):
        option["antidumping_rate"] = rng.choice([0.1, 0.4, 1.2])
    if _maybe(rng, 0.3):
        option["brokerage_eur_per_shipment"] = _amount(rng, 0, 400, 0)
    if _maybe(rng, 0.35):
        option["article_23_licence"] = rng.choice([True, True, False])
    if (outside_eu and _maybe(rng, 0.6)) or _maybe(rng, 0.1):
        option["cbam_covered"] = True
        option["embedded_tco2e_per_unit"] = _ranged(rng, _amount(rng, 0.001, 0.5, 4))
        if _maybe(rng, 0.6):
            option["cbam_benchmark_tco2e_per_unit"] = _amount(rng, 0, 0.3, 4)
        if _maybe(rng, 0.3):
            option["origin_carbon_price_eur_per_t"] = _amount(rng, 0, 90)
        # The exemption is for importers of 50 t a year or less.
        if _maybe(rng, 0.8):
            option["cbam_importer_tonnes_per_year"] = rng.choice(
                [10, 49.9, 50, 50.1, 120, 5000]
            )


def _common_fields(rng: random.Random, option: dict) -> None:
    """Set some of the payment, quality, oversight, risk and strategic inputs every option has."""
    optional = {
        "packaging_eur": lambda: _amount(rng, 0, 5),
        "deposit_share": lambda: _amount(rng, 0, 1, 2),
        "payment_days": lambda: rng.choice([-60, -10, 0, 30, 60]),
        "production_lead_days": lambda: _amount(rng, 0, 90, 0),
        "defect_rate": lambda: _amount(rng, 0, 0.05, 4),
        "defect_handling_eur": lambda: _amount(rng, 0, 40),
        "warranty_rate": lambda: _amount(rng, 0, 0.01, 4),
        "trips_per_year": lambda: rng.choice([0, 1, 2, 4]),
        "cost_per_trip_eur": lambda: _amount(rng, 500, 5000, 0),
        "audits_per_year": lambda: rng.choice([0, 1, 2]),
        "cost_per_audit_eur": lambda: _amount(rng, 500, 6000, 0),
        "oversight_hours_per_year": lambda: _amount(rng, 0, 400, 0),
        "oversight_hourly_eur": lambda: _amount(rng, 40, 90, 0),
        "transition_eur": lambda: _amount(rng, 0, 60000, 0),
        "obsolescence_share": lambda: _amount(rng, 0, 1, 2),
        "risk_share_of_price": lambda: _amount(rng, 0, 0.05, 4),
        "strategic_share": lambda: _amount(rng, 0.0, 0.05, 4),
        "wage_inflation_per_year": lambda: _amount(rng, -0.02, 0.1, 3),
        "local_inflation_per_year": lambda: _amount(rng, -0.01, 0.4, 3),
        "local_fx_trend_per_year": lambda: _amount(rng, -0.2, 0.05, 3),
    }
    for name, draw in optional.items():
        if _maybe(rng, 0.3):
            option[name] = draw()
    if _maybe(rng, 0.5):
        option["risks"] = [
            _risk(rng, number) for number in range(1, rng.randint(1, RISK_ITEMS) + 1)
        ]


def _risk(rng: random.Random, number: int) -> dict:
    risk = {"probability_per_year": _amount(rng, 0, 0.5, 3)}
    if _maybe(rng, 0.8):
        risk["name"] = f"risk {number}"
    if _maybe(rng, 0.9):
        risk["impact_eur"] = _amount(rng, 1000, 200000, 0)
    return risk


def _investment(rng: random.Random, make: bool) -> dict:
    investment = {}
    if make or _maybe(rng, 0.2):
        investment["machines_eur"] = _ranged(rng, _amount(rng, 0, 400000, 0))
        if _maybe(rng, 0.5):
            investment["tooling_eur"] = _amount(rng, 0, 60000, 0)
        if _maybe(rng, 0.2):
            investment["building_eur"] = _amount(rng, 0, 900000, 0)
    for name, low, high in (
        ("machines_life_years", 2, 15),
        ("tooling_life_years", 1, 8),
        ("building_life_years", 10, 40),
    ):
        if _maybe(rng, 0.2):
            investment[name] = _amount(rng, low, high, 1)
    if _maybe(rng, 0.2):
        investment["interest_rate"] = _amount(rng, 0, 0.1, 3)
    if make and _maybe(rng, 0.5):
        invested = sum(
            value["base"] if isinstance(value, dict) else value
            for key, value in investment.items()
            if key in ("machines_eur", "tooling_eur", "building_eur")
        )
        # Financing counts the credit only up to the investment, so some credits exceed it.
        investment["bmkb_credit_eur"] = round(
            invested * rng.choice([0.3, 0.8, 1.5]) + rng.choice([0, 50000])
        )
        if _maybe(rng, 0.7):
            investment["bmkb_term_years"] = rng.choice([1, 2, 2.5, 6, 8, 12])
        if _maybe(rng, 0.5):
            investment["bmkb_innovative"] = rng.choice([True, False])
        if _maybe(rng, 0.3):
            investment["bmkb_rate_reduction"] = rng.choice([0.0, 0.005, 0.02, 0.2])
    if _maybe(rng, 0.3):
        investment["training_eur"] = _amount(rng, 0, 40000, 0)
    if _maybe(rng, 0.2):
        investment["training_subsidy_eur"] = _amount(rng, 0, 20000, 0)
    return investment


def _production_fields(rng: random.Random, option: dict) -> None:
    option["materials_eur"] = _ranged(rng, _amount(rng, 1, 300))
    if _maybe(rng, 0.9):
        option["labour_hours"] = _ranged(rng, _amount(rng, 0.05, 3, 3))
    if _maybe(rng, 0.5):
        # Dutch wages below and above the minimum wage, which caps the LKS wage base.
        option["hourly_wage_eur"] = _amount(rng, 10, 35)
    if _maybe(rng, 0.2):
        option["holiday_allowance_rate"] = rng.choice([0.0, 0.08])
    if _maybe(rng, 0.3):
        option["employer_oncost_rate"] = _amount(rng, 0.1, 0.5, 2)
    if _maybe(rng, 0.5):
        option["machine_eur"] = _amount(rng, 0, 20)
    if _maybe(rng, 0.5):
        option["overhead_eur"] = _amount(rng, 0, 25)


def _dutch_subsidy_fields(rng: random.Random, option: dict) -> None:
    if _maybe(rng, 0.6):
        option["lks_share"] = _amount(rng, 0.05, 0.6, 2)
        # At a wage of at least the minimum wage, the 70 % cap on the subsidy
        # binds below a wage value of 0.3.
        option["loonwaarde"] = rng.choice([0.1, 0.2, 0.25, 0.3, 0.5, 0.8, 1.0])
    if _maybe(rng, 0.6):
        # At EUR 45 an hour, R&D above about 8,700 hours passes the first WBSO
        # bracket of 2026 (EUR 391,020).
        option["rd_hours_per_year"] = rng.choice([200, 800, 5000, 12000, 20000])
        if _maybe(rng, 0.5):
            option["rd_hourly_wage_eur"] = _amount(rng, 30, 80)
        if _maybe(rng, 0.5):
            option["wbso_starter"] = rng.choice([True, False])


def _make_nl(rng: random.Random, name: str, part: dict) -> dict:
    option = {"name": name, "country": "NL", "sourcing": "make"}
    _production_fields(rng, option)
    _dutch_subsidy_fields(rng, option)
    if _maybe(rng, 0.2):
        _transport_fields(rng, option, part, "road", "truck_ftl", None)
    elif _maybe(rng, 0.3):
        option["units_per_shipment"] = float(
            rng.choice([50, 500, part["annual_volume"] // 4 + 1])
        )
    _common_fields(rng, option)
    option["investment"] = _investment(rng, make=True)
    return option


def _make_abroad(rng: random.Random, name: str, part: dict) -> dict:
    country = rng.choice(PLANTS_ABROAD)
    option = {"name": name, "country": country, "sourcing": "make"}
    _production_fields(rng, option)
    if _maybe(rng, 0.5):
        default_mode = defaults.country(country).default_mode
        mode, load, incoterm = _random_transport(rng)
        if _maybe(rng, 0.5):
            mode, load = default_mode, rng.choice(LOADS_BY_MODE[default_mode])
            incoterm = rng.choice(_allowed_terms(mode))
        _transport_fields(rng, option, part, mode, load, incoterm)
    _customs_fields(rng, option)
    _common_fields(rng, option)
    option["investment"] = _investment(rng, make=True)
    return option


def _buy(
    rng: random.Random,
    name: str,
    part: dict,
    country: str,
    transport: tuple[str, str, str] | None,
) -> dict:
    option = {"name": name, "country": country, "sourcing": "buy"}
    # The price is in the supplier's currency (left out or given), in EUR or in a third currency.
    own = defaults.country(country).currency
    choice = rng.random()
    if choice < 0.25:
        currency = own
    elif choice < 0.45:
        option["currency"] = currency = "EUR"
    elif choice < 0.7:
        option["currency"] = currency = own
    else:
        option["currency"] = currency = rng.choice(
            [c for c in THIRD_CURRENCIES if c != own]
        )
    rate = next(
        c.figures["fx_eur_per_unit"].value
        for c in defaults.countries().values()
        if c.currency == currency
    )
    price_eur = _amount(rng, 2, 400)
    option["price"] = _ranged(rng, round(price_eur / rate, 2))
    if currency != "EUR" and _maybe(rng, 0.3):
        option["fx_eur_per_unit"] = round(rate * rng.uniform(0.9, 1.1), 6)
    if (currency != "EUR" and _maybe(rng, 0.5)) or _maybe(rng, 0.05):
        option["fx_trend_per_year"] = _amount(rng, -0.15, 0.05, 3)
    if _maybe(rng, 0.4):
        option["price_labour_share"] = _amount(rng, 0, 1, 2)

    if transport is None and _maybe(rng, 0.5):
        transport = _random_transport(rng)
    if transport is not None:
        _transport_fields(rng, option, part, *transport)

    _customs_fields(rng, option)
    if country == "NL" and _maybe(rng, 0.3):
        option["rd_hours_per_year"] = rng.choice([100, 15000])
    _common_fields(rng, option)
    investment = _investment(rng, make=False)
    if investment:
        option["investment"] = investment
    return option


def generate_raw(index: int, seed: int) -> dict:
    """Generate the raw case of sweep position ``index`` from ``seed``.

    The position fixes what must cycle through the sweep: the first option's
    kind, the first bought option's transport and Incoterm, the figures year,
    the horizon and the option count. The seed draws the rest.
    """
    rng = random.Random(seed)
    part = _part(rng)
    count = 2 + index % (OPTION_COUNT - 1)
    first_kind = ("make_nl", "make_abroad", "buy", "make_nl")[index % 4]
    kinds = [first_kind, "buy_forced"] + [
        rng.choice(["make_nl", "make_abroad", "buy", "buy"]) for _ in range(count - 2)
    ]
    countries = sorted(defaults.countries())
    options = []
    for number, kind in enumerate(kinds, start=1):
        name = f"{number} {kind}"
        if kind == "make_nl":
            options.append(_make_nl(rng, name, part))
        elif kind == "make_abroad":
            options.append(_make_abroad(rng, name, part))
        elif kind == "buy_forced":
            options.append(
                _buy(rng, name, part, rng.choice(countries), _forced_transport(index))
            )
        else:
            options.append(_buy(rng, name, part, rng.choice(countries), None))
    if _maybe(rng, 0.5):
        rng.choice(options)["baseline"] = True
    return {
        "name": f"sweep case {index}",
        "part": part,
        "settings": _settings(rng, index),
        "options": options,
    }


def generate_scenario(index: int) -> Scenario:
    """Return the first case from the seeds of position ``index`` that ``build_case`` accepts."""
    problems = []
    for attempt in range(MAX_ATTEMPTS):
        seed = SWEEP_SEED + 1000 * attempt + index
        raw = generate_raw(index, seed)
        try:
            build_case(raw)
        except ValidationError as error:
            problems.append(str(error))
            continue
        language = LANGUAGES[index % len(LANGUAGES)]
        return Scenario(sweep_id(index), language, raw, seed)
    raise AssertionError(
        f"no valid case in {MAX_ATTEMPTS} seeds for case {index}; "
        f"last problems: {problems[-1]}"
    )


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
