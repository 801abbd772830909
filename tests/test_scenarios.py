"""The case generator: valid cases that fit the template, reproducible by seed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tco_xl.case import build_case
from tco_xl.fields import (
    INVESTMENT_FIELDS,
    OPTION_FIELDS,
    PART_FIELDS,
    RISK_FIELDS,
    SETTINGS_FIELDS,
    by_name,
)
from tco_xl.scenarios import (
    ATTEMPT_SEED_STEP,
    MAX_ATTEMPTS,
    REGION,
    generate_raw,
    generate_scenarios,
    generate_valid_raw,
)
from tco_xl.template_fill import check_fits
from tco_xl.template_layout import OPTION_COUNT, PATH_YEARS, RISK_ITEMS

SEED = 20260701
COUNT = 40
SPECS = {
    "part": by_name(PART_FIELDS),
    "settings": by_name(SETTINGS_FIELDS),
    "option": by_name(OPTION_FIELDS),
    "investment": by_name(INVESTMENT_FIELDS),
    "risk": by_name(RISK_FIELDS),
}


def numbers_of(raw: dict):
    """Yield (location, field, number) for every number of a raw case, with each end of a range."""

    def section(location, scope, values):
        for name, value in values.items():
            spec = SPECS[scope].get(name)
            if spec is None or spec.kind not in ("number", "integer"):
                continue
            parts = value.values() if isinstance(value, dict) else [value]
            for number in parts:
                yield location, spec, number

    yield from section("part", "part", raw["part"])
    yield from section("settings", "settings", raw["settings"])
    for index, option in enumerate(raw["options"]):
        location = f"options[{index}]"
        fields = {k: v for k, v in option.items() if k not in ("investment", "risks")}
        yield from section(location, "option", fields)
        yield from section(
            f"{location} investment", "investment", option.get("investment", {})
        )
        for number, risk in enumerate(option.get("risks", []), start=1):
            yield from section(f"{location} risks[{number}]", "risk", risk)


def out_of_range(raw: dict) -> list[str]:
    """Return a message for each number of ``raw`` outside its field's allowed range."""
    problems = []
    for location, spec, number in numbers_of(raw):
        too_low = (
            number <= spec.minimum if spec.exclusive_minimum else number < spec.minimum
        )
        if too_low or number > spec.maximum:
            problems.append(
                f"{location}: {spec.name} = {number!r}; expected {spec.allowed()}"
            )
    return problems


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return generate_scenarios(COUNT, SEED)


def test_generate_scenarios_count(cases):
    assert len(cases) == COUNT


def test_generate_scenarios_reproducible(cases):
    assert generate_scenarios(COUNT, SEED) == cases


def test_generate_scenarios_differ_by_seed(cases):
    other = generate_scenarios(COUNT, SEED + 1)
    assert other != cases
    # The position fixes part of each case's structure, so the drawn values must differ at every position.
    assert sum(a == b for a, b in zip(cases, other)) == 0


def test_generate_scenarios_zero_count():
    assert generate_scenarios(0, SEED) == []


def test_generate_scenarios_negative_count():
    with pytest.raises(ValueError, match="count = -1 is invalid"):
        generate_scenarios(-1, SEED)


def test_generated_cases_build(cases):
    for index, raw in enumerate(cases):
        case = build_case(raw)
        assert len(case.options) == len(raw["options"]), f"case {index}"


def test_generated_cases_fit_template(cases):
    for index, raw in enumerate(cases):
        check_fits(raw, REGION)
        assert 2 <= len(raw["options"]) <= OPTION_COUNT, f"case {index}"
        for option in raw["options"]:
            assert len(option.get("risks", [])) <= RISK_ITEMS, f"case {index}"
        horizon = raw["settings"].get("horizon_years", 5)
        assert 1 <= horizon <= PATH_YEARS, f"case {index}"


def test_generated_values_in_field_ranges(cases):
    problems = [
        f"case {index} {problem}"
        for index, raw in enumerate(cases)
        for problem in out_of_range(raw)
    ]
    assert problems == []


def test_generated_cases_have_region(cases):
    assert {raw["settings"]["region"] for raw in cases} == {REGION}


def test_generated_positions_cycle_option_counts(cases):
    counts = [len(raw["options"]) for raw in cases[:3]]
    assert counts == [2, 3, 4]


def test_generate_valid_raw_seed_is_derived():
    for index in range(10):
        raw, used = generate_valid_raw(index, SEED)
        attempt, remainder = divmod(used - SEED - index, ATTEMPT_SEED_STEP)
        assert remainder == 0
        assert 0 <= attempt < MAX_ATTEMPTS
        assert raw == generate_raw(index, used)


def test_generate_valid_raw_matches_scenarios(cases):
    assert [generate_valid_raw(index, SEED)[0] for index in range(5)] == cases[:5]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**40), count=st.integers(1, 6))
def test_any_seed_gives_valid_cases(seed, count):
    cases = generate_scenarios(count, seed)
    assert len(cases) == count
    for raw in cases:
        check_fits(raw, REGION)
        assert out_of_range(raw) == []


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**40))
def test_any_seed_reproducible(seed):
    assert generate_scenarios(3, seed) == generate_scenarios(3, seed)
