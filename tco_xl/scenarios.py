"""Random cases within the validated input ranges, for sweeping a workbook.

``generate_raw`` draws the raw case of one sweep position from a seed, and
``generate_scenarios`` returns a reproducible list of cases that
``build_case`` accepts and that fit the template's columns and rows. Each
value is drawn within its field's allowed range, and ``build_case`` checks
that range again.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from . import defaults
from .case import Case
from .errors import ValidationError
from .fields import INCOTERMS, TRANSPORT_MODES
from .template_fill import check_fits
from .template_layout import OPTION_COUNT, PATH_YEARS, RISK_ITEMS
from .validation import LOADS_BY_MODE, SEA_ONLY_TERMS

# The region of every generated case: its labour cost, figures date and subsidies apply.
REGION = "tilburg"

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


# The seed of retry ``attempt`` at position ``index`` is seed + ATTEMPT_SEED_STEP x attempt + index.
ATTEMPT_SEED_STEP = 1000


def generate_valid_raw(index: int, seed: int) -> tuple[dict, int]:
    """Return the first case of position ``index`` that fits the template, and the seed it came from.

    A case that ``build_case`` or the template rejects is drawn again from
    a seed derived from ``seed``, up to MAX_ATTEMPTS times. Raises
    ``RuntimeError`` when every attempt is rejected, which means the
    generator is broken.

    NOTE: the seeds are sums, which keeps the cases of the LibreOffice
    sweep, so position ``index + 1`` of seed ``s`` draws from the same random
    stream as position ``index`` of seed ``s + 1``. The cases still differ
    because the position sets their structure, but sweeps meant to be
    independent should use seeds far apart.
    """
    raw, attempt_seed, _ = _valid_case(index, seed)
    return raw, attempt_seed


def _valid_case(index: int, seed: int) -> tuple[dict, int, Case]:
    """Return the first fitting case of position ``index`` as raw data, its seed and the built case."""
    problems = []
    for attempt in range(MAX_ATTEMPTS):
        attempt_seed = seed + ATTEMPT_SEED_STEP * attempt + index
        raw = generate_raw(index, attempt_seed)
        try:
            case = check_fits(raw, REGION)
        except ValidationError as error:
            problems.append(str(error))
            continue
        return raw, attempt_seed, case
    raise RuntimeError(
        f"no valid case in {MAX_ATTEMPTS} seeds for position {index} from seed {seed}; "
        f"last problems: {problems[-1]}"
    )


def generate_scenarios(count: int, seed: int) -> list[dict]:
    """Return ``count`` raw cases that ``build_case`` accepts and the template fits.

    The same seed gives the same cases. The positions cycle through the
    option counts, transport modes, Incoterms, figures years and horizons
    that ``generate_raw`` describes.
    """
    return [raw for raw, _ in generate_cases(count, seed)]


def generate_cases(count: int, seed: int) -> list[tuple[dict, Case]]:
    """Return the cases of ``generate_scenarios`` as (raw, built case) pairs, building each case once."""
    if count < 0:
        raise ValueError(f"count = {count!r} is invalid; expected a whole number >= 0")
    return [generate_case(index, seed) for index in range(count)]


def generate_case(index: int, seed: int) -> tuple[dict, Case]:
    """Return scenario ``index`` of ``seed`` as raw data and as the built case."""
    raw, _, case = _valid_case(index, seed)
    return raw, case
