"""EU customs value by Incoterm, duty, brokerage and import VAT pre-financing.

The hand row (see conftest) has an invoice of 52 EUR per unit and legs of
origin 1, main 10 and destination 2 EUR per unit. The EU customs value is
the invoice plus the legs up to the EU border that the price lacks, minus
the legs after the border that the price includes.
"""

from __future__ import annotations

import pytest

from tco_xl import build_case, compute_case
from tco_xl.customs import SELLER_FLAGS
from tco_xl.inputs import derive_columns
from tco_xl.lines import compute_lines

# Seller pays (origin leg, main leg, insurance, destination leg, import clearance), Incoterms 2020.
SELLER_PAYS = {
    "EXW": (0, 0, 0, 0, 0),
    "FCA": (1, 0, 0, 0, 0),
    "FAS": (1, 0, 0, 0, 0),
    "FOB": (1, 0, 0, 0, 0),
    "CFR": (1, 1, 0, 0, 0),
    "CPT": (1, 1, 0, 0, 0),
    "CIF": (1, 1, 1, 0, 0),
    "CIP": (1, 1, 1, 0, 0),
    "DAP": (1, 1, 1, 1, 0),
    "DPU": (1, 1, 1, 1, 0),
    "DDP": (1, 1, 1, 1, 1),
}

# Customs value per unit without insurance: invoice 52 + legs to the border the price lacks.
CUSTOMS_VALUE_NO_INSURANCE = {
    "EXW": 52 + 1 + 10,
    "FCA": 52 + 10,
    "FAS": 52 + 10,
    "FOB": 52 + 10,
    "CFR": 52,
    "CPT": 52,
    "CIF": 52,
    "CIP": 52,
    "DAP": 52 - 2,
    "DPU": 52 - 2,
    "DDP": 52 - 2,
}


def seller_flags(incoterm: str, country: str = "CN") -> dict:
    """Return the seller flags and customs flag that the core derives for ``incoterm``."""
    texts = {"sourcing": "buy", "country": country, "incoterm": incoterm, "transport_mode": "sea", "load_type": "container_40"}
    derived = derive_columns(texts)
    return {name: derived[name] for name in (*SELLER_FLAGS, "customs_applies")}


@pytest.mark.parametrize("incoterm", sorted(SELLER_PAYS))
def test_seller_flags_by_incoterm(incoterm):
    flags = seller_flags(incoterm)
    assert tuple(flags[name] for name in SELLER_FLAGS) == SELLER_PAYS[incoterm]


@pytest.mark.parametrize("incoterm", sorted(CUSTOMS_VALUE_NO_INSURANCE))
def test_customs_value_by_incoterm(make_row, incoterm):
    row = make_row(**seller_flags(incoterm), insurance_rate=0.0)
    _, quantities = compute_lines(row)
    assert float(quantities["customs_value_eur"]) == pytest.approx(CUSTOMS_VALUE_NO_INSURANCE[incoterm])


@pytest.mark.parametrize(
    ("incoterm", "expected"),
    [
        # Insurance 0.01 x (52 + 1 + 10) = 0.63 is added to the legs.
        ("EXW", 52 + 1 + 10 + 0.01 * (52 + 1 + 10)),
        # The seller insures, so the price already contains it.
        ("CIF", 52),
        ("CIP", 52),
        ("DAP", 52 - 2),
    ],
)
def test_customs_value_with_insurance(make_row, incoterm, expected):
    row = make_row(**seller_flags(incoterm))
    _, quantities = compute_lines(row)
    assert float(quantities["customs_value_eur"]) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("incoterm", "expected_insurance"),
    [
        # The FOB price 52 includes the origin leg, so the insured value is 52 + 10.
        ("FOB", 0.01 * (52 + 10)),
        # The CFR price 52 includes both legs, so the insured value is 52.
        ("CFR", 0.01 * 52),
    ],
)
def test_insured_value_counts_legs_once(make_row, incoterm, expected_insurance):
    row = make_row(**seller_flags(incoterm))
    lines, quantities = compute_lines(row)
    assert float(lines["insurance"]) == pytest.approx(expected_insurance), "insurance premium counts a leg the price already has"
    assert float(quantities["customs_value_eur"]) == pytest.approx(CUSTOMS_VALUE_NO_INSURANCE[incoterm] + expected_insurance)


def test_duty_on_customs_value(make_row):
    # (10 % duty + 25 % anti-dumping) x 63.63.
    lines, _ = compute_lines(make_row(antidumping_rate=0.25))
    assert float(lines["duty"]) == pytest.approx((0.1 + 0.25) * 63.63)


@pytest.mark.parametrize("country", ["PL", "CZ", "RO", "NL"])
def test_eu_origin_has_no_customs(make_row, country):
    flags = seller_flags("EXW", country)
    assert flags["customs_applies"] == 0
    lines, _ = compute_lines(make_row(**flags))
    assert lines["duty"] == 0
    assert lines["brokerage"] == 0
    assert lines["vat_prefinancing"] == 0


def test_eu_origin_case_has_no_duty():
    raw = {
        "part": {"name": "bracket", "annual_volume": 1000, "unit_weight_kg": 1.0, "unit_volume_m3": 0.01},
        "settings": {"figures_date": "2026-03-01"},
        "options": [
            {"name": "Tilburg", "country": "NL", "sourcing": "buy", "price": 10.0},
            {"name": "Poland", "country": "PL", "sourcing": "buy", "currency": "EUR", "price": 8.0},
        ],
    }
    result = compute_case(build_case(raw))
    poland = result.options[1]
    assert poland.lines["duty"] == 0
    assert poland.lines["brokerage"] == 0
    assert poland.lines["vat_prefinancing"] == 0


def test_ddp_buyer_pays_no_import_costs(make_row):
    lines, quantities = compute_lines(make_row(**seller_flags("DDP"), antidumping_rate=0.25))
    assert lines["duty"] == 0
    assert lines["brokerage"] == 0
    assert lines["vat_prefinancing"] == 0
    assert lines["main_freight"] == 0
    assert lines["inland_origin"] == 0
    assert lines["inland_destination"] == 0
    assert lines["insurance"] == 0
    assert float(quantities["customs_value_eur"]) == pytest.approx(52 - 2)


def test_dap_buyer_pays_import_costs(make_row):
    lines, _ = compute_lines(make_row(**seller_flags("DAP")))
    # Duty is on 50, and the VAT base adds the destination leg back: 50 + 5 + 2.
    assert float(lines["duty"]) == pytest.approx(0.1 * 50)
    assert float(lines["brokerage"]) == pytest.approx(100 / 500)
    assert float(lines["vat_prefinancing"]) == pytest.approx(0.2 * (50 + 5 + 2) * 73 * 0.1 / 365)
    assert lines["inland_destination"] == 0


def test_vat_prefinancing_zero_with_article_23(make_row):
    lines, _ = compute_lines(make_row(article_23_licence=1.0))
    assert lines["vat_prefinancing"] == 0


def test_vat_prefinancing_without_licence(make_row):
    # 20 % VAT on 63.63 + 6.363 + 2, financed 73 days at 10 % a year.
    lines, _ = compute_lines(make_row(article_23_licence=0.0))
    assert float(lines["vat_prefinancing"]) == pytest.approx(0.2 * (63.63 + 6.363 + 2) * 73 * 0.1 / 365)


def test_article_23_case_with_cost_of_capital(small_case_raw):
    small_case_raw["settings"]["cost_of_capital"] = 0.1
    small_case_raw["options"][1]["article_23_licence"] = False
    without = compute_case(build_case(small_case_raw)).options[1]
    small_case_raw["options"][1]["article_23_licence"] = True
    with_licence = compute_case(build_case(small_case_raw)).options[1]
    # FOB by sea with zero freight and insurance: customs value 30, no duty.
    assert without.lines["vat_prefinancing"] == pytest.approx(0.2 * 30 * 45 * 0.1 / 365)
    assert with_licence.lines["vat_prefinancing"] == 0


def test_customs_value_not_negative(make_row):
    # A DAP price of 1 EUR under a destination leg of 2 EUR per unit: value 0, not -1.
    row = make_row(**seller_flags("DAP"), price=0.0, packaging_eur=1.0)
    lines, quantities = compute_lines(row)
    assert float(quantities["customs_value_eur"]) == 0
    assert float(lines["duty"]) == 0
    assert float(lines["vat_prefinancing"]) >= 0
