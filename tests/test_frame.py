"""The DataFrame path gives the same numbers as the one-case path."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from tco_xl.case import build_case
from tco_xl.errors import ValidationError
from tco_xl.frame import compute_frame, frame_from_cases
from tco_xl.inputs import DUTCH_COLUMNS
from tco_xl.lines import GROUPS, LINE_IDS
from tco_xl.results import compute_case

TODAY = dt.date(2026, 3, 1)
REL = 1e-12


def _case(name, options, volume=12000.0, horizon=5, figures_date="2026-03-01"):
    raw = {
        "name": name,
        "settings": {"figures_date": figures_date, "horizon_years": horizon},
        "part": {"name": f"part of {name}", "annual_volume": volume, "unit_weight_kg": 28.0, "unit_volume_m3": 0.29},
        "options": options,
    }
    return build_case(raw, today=TODAY)


MAKE_NL = {
    "name": "Make in Tilburg", "country": "NL", "sourcing": "make", "materials_eur": 40.0,
    "labour_hours": 1.5, "hourly_wage_eur": 18.0, "lks_share": 0.3, "loonwaarde": 0.4,
    "rd_hours_per_year": 2000.0, "rd_hourly_wage_eur": 60.0,
    "investment": {"machines_eur": 250000.0, "bmkb_credit_eur": 200000.0, "training_eur": 20000.0, "training_subsidy_eur": 5000.0},
}
BUY_CN = {
    "name": "China", "country": "CN", "sourcing": "buy", "price": 420.0, "duty_rate": 0.027,
    "antidumping_rate": 0.1, "cbam_covered": True, "embedded_tco2e_per_unit": 0.05, "defect_rate": 0.02,
    "risks": [{"name": "port closure", "probability_per_year": 0.1, "impact_eur": 50000.0}],
    "fx_trend_per_year": 0.02, "trips_per_year": 2, "cost_per_trip_eur": 4000,
}
BUY_PL = {"name": "Poland", "country": "PL", "sourcing": "buy", "price": 380.0, "incoterm": "DAP"}
BUY_VN_AIR = {
    "name": "Vietnam by air", "country": "VN", "sourcing": "buy", "price": 1500000.0, "fx_eur_per_unit": 0.000035,
    "duty_rate": 0.0, "transport_mode": "air", "incoterm": "CIP", "transit_days": 7.0, "lead_time_sd_days": 1.0, "distance_km": 9500.0,
}
MAKE_MX = {"name": "Own plant Mexico", "country": "MX", "sourcing": "make", "materials_eur": 35.0, "labour_hours": 2.0, "duty_rate": 0.017}
BUY_US_DDP = {"name": "USA DDP", "country": "US", "sourcing": "buy", "price": 110.0, "duty_rate": 0.02, "incoterm": "DDP"}
BUY_TR_CIF = {"name": "Turkey", "country": "TR", "sourcing": "buy", "price": 80.0, "currency": "EUR", "duty_rate": 0.0, "incoterm": "CIF", "transport_mode": "sea", "load_type": "container_40", "transit_days": 10.0, "lead_time_sd_days": 2.0, "distance_km": 6000.0, "cost_per_load_eur": 2200.0}


@pytest.fixture(scope="module")
def cases():
    return [
        _case("tilburg", [MAKE_NL, BUY_CN, BUY_PL]),
        _case("air and own plant", [BUY_PL, BUY_VN_AIR, MAKE_MX], volume=3000.0, horizon=3),
        _case("incoterms", [BUY_US_DDP, BUY_TR_CIF, {**BUY_CN, "incoterm": "EXW"}], volume=50000.0, horizon=7),
    ]


def _assert_close(found, expected, label):
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        assert math.isnan(found), f"{label}: expected NaN, found {found}"
    else:
        assert found == pytest.approx(expected, rel=REL, abs=1e-9), label


def _compare(frame_result, case_result, case_name):
    rows = frame_result[frame_result["case"] == case_name].set_index("option")
    for option in case_result.options:
        row = rows.loc[option.name]
        label = f"{case_name}/{option.name}"
        assert bool(row["baseline"]) == option.baseline, label
        for line_id in LINE_IDS:
            _assert_close(row[line_id], option.lines[line_id], f"{label} {line_id}")
        for group in GROUPS:
            _assert_close(row[f"group_{group}"], option.groups[group], f"{label} group {group}")
        _assert_close(row["tco_per_unit_eur"], option.tco_per_unit_eur, f"{label} tco")
        _assert_close(row["annual_tco_eur"], option.annual_tco_eur, f"{label} annual")
        _assert_close(row["gap_per_unit_eur"], option.gap_per_unit_eur, f"{label} gap")
        _assert_close(row["gap_per_year_eur"], option.gap_per_year_eur, f"{label} gap a year")
        _assert_close(row["npv_eur"], option.npv_eur, f"{label} npv")
        _assert_close(row["break_even_price_eur"], option.break_even_price_eur, f"{label} break-even")
        _assert_close(row["break_even_price_currency"], option.break_even_price_currency, f"{label} break-even currency")
        for year_index, year in enumerate(option.path, start=1):
            _assert_close(row[f"tco_year_{year_index}"], year.tco_per_unit_eur, f"{label} year {year_index}")
        _assert_close(row["cumulative_gap_eur"], option.path[-1].cumulative_gap_eur, f"{label} cumulative gap")
        expected_year = option.baseline_cheaper_from_year
        _assert_close(row["baseline_cheaper_from_year"], math.nan if expected_year is None else float(expected_year), f"{label} year")


def test_frame_equals_case_path(cases):
    frame_result = compute_frame(frame_from_cases(cases))

    for case in cases:
        _compare(frame_result, compute_case(case), case.name)


def test_frame_rows_shuffled_and_text_columns(cases):
    frame = frame_from_cases(cases)
    for name in ("country", "sourcing", "incoterm", "transport_mode", "load_type"):
        frame[name] = frame[name].astype(str)
    shuffled = frame.sample(frac=1.0, random_state=3)

    frame_result = compute_frame(shuffled)

    assert list(frame_result.index) == list(shuffled.index)
    for case in cases:
        _compare(frame_result, compute_case(case), case.name)


def test_frame_dutch_figures_from_date(cases):
    frame = frame_from_cases(cases[:1]).drop(columns=list(DUTCH_COLUMNS))

    frame_result = compute_frame(frame, figures_date=TODAY)

    _compare(frame_result, compute_case(cases[0]), cases[0].name)


def test_frame_horizons_differ(cases):
    frame_result = compute_frame(frame_from_cases(cases))

    short = frame_result[frame_result["case"] == "air and own plant"]
    assert short["tco_year_3"].notna().all()
    assert short["tco_year_4"].isna().all()
    assert frame_result[frame_result["case"] == "incoterms"]["tco_year_7"].notna().all()


def test_frame_many_rows_span_chunks(cases):
    single = frame_from_cases(cases[:1])
    repeats = 40000 // len(single) + 1
    frame = pd.concat([single.assign(case=f"copy {i}") for i in range(repeats)], ignore_index=True)

    frame_result = compute_frame(frame)

    expected = compute_case(cases[0])
    for option in expected.options:
        values = frame_result.loc[frame_result["option"] == option.name, "tco_per_unit_eur"].to_numpy()
        assert np.allclose(values, option.tco_per_unit_eur, rtol=REL, atol=0)


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda f: f.drop(columns=["duty_rate"]), "missing columns duty_rate"),
        (lambda f: f.assign(incoterm=["FOB", "XYZ", "FOB"]), "frame column incoterm: 'XYZ' in row 1"),
        (lambda f: f.assign(annual_volume=[-5.0, -5.0, -5.0]), "frame column annual_volume: -5.0 in rows 0, 1, 2"),
        (lambda f: f.assign(fill_factor=[0.5, 1.5, 0.5]), "frame column fill_factor: 1.5 in row 1"),
        (lambda f: f.assign(price=[0.0, "12 %", 1.0]), "frame column price: '12 %' in row 1 is invalid; expected a finite number"),
        (lambda f: f.assign(price=[0.0, np.inf, 1.0]), "frame column price: inf in row 1 is invalid; expected a finite number"),
        (lambda f: f.assign(price=[0.0, np.nan, 1.0]), "frame column price: nan in row 1 is invalid; expected a finite number"),
        (lambda f: f.assign(horizon_years=2.5), "frame column horizon_years: 2.5 in rows 0, 1, 2 is invalid; expected a whole number"),
        (lambda f: f.assign(start_year="next"), "frame column start_year: 'next' in rows 0, 1, 2 is invalid"),
        (lambda f: f.assign(unit_volume_m3=500.0), "frame column load_type: 'container_40hc' in rows 1, 2 is invalid; expected a larger load type"),
        (lambda f: f.assign(load_type=["none", "none", "truck_ftl"]), "frame column load_type: 'none' in row 1 is invalid"),
        (lambda f: f.assign(incoterm=["EXW", "FOB", "FOB"]), "frame column incoterm: 'FOB' in row 2 is invalid; expected FCA, CPT or CIP"),
        (lambda f: f.assign(baseline=["yes", "no", "no"]), "frame column baseline: 'yes' in rows 0, 1, 2 is invalid; expected true or false"),
        (lambda f: f.assign(case=[None, "a", "a"]), "frame column case: empty in row 0"),
        (lambda f: f.assign(annual_volume=[12000.0, 900.0, 12000.0]), "frame column annual_volume: 900.0 in row 1 differs from the baseline row"),
        (lambda f: f.assign(horizon_years=[5, 6, 5]), "frame column horizon_years: 6.0 in row 1 differs from the baseline row"),
        (lambda f: f.assign(baseline=[True, True, False]), "exactly one baseline row; 'tilburg' has 2"),
    ],
)
def test_frame_rejects_bad_input(cases, change, expected):
    frame = frame_from_cases(cases[:1])
    frame["incoterm"] = frame["incoterm"].astype(str)

    with pytest.raises(ValidationError) as raised:
        compute_frame(change(frame))

    assert any(expected in problem for problem in raised.value.problems), raised.value.problems


@pytest.mark.parametrize(
    "frame, expected",
    [
        (None, "frame: expected a pandas DataFrame, found NoneType"),
        ({"case": [1]}, "frame: expected a pandas DataFrame, found dict"),
        (pd.DataFrame(), "frame: no rows; expected one row per option of each part"),
    ],
)
def test_frame_rejects_non_frames(frame, expected):
    with pytest.raises(ValidationError) as raised:
        compute_frame(frame)

    assert raised.value.problems == [expected]


def test_frame_figures_date_text(cases):
    frame = frame_from_cases(cases[:1]).drop(columns=list(DUTCH_COLUMNS))

    from_text = compute_frame(frame, figures_date="2026-03-01")

    _compare(from_text, compute_case(cases[0]), cases[0].name)
    with pytest.raises(ValidationError) as raised:
        compute_frame(frame, figures_date="March")
    assert raised.value.problems == ["figures_date = 'March' is invalid; expected a date YYYY-MM-DD"]
