"""The English and Dutch template texts against the field and line catalogues.

Every input field, unit, cost line and group of ``tco_xl.fields`` and
``tco_xl.lines`` needs its texts in ``tco_xl/data/template_text.toml``, and
no two inputs of one scope may show the same label in the same language.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from importlib import resources

import pytest

from tco_xl.fields import INVESTMENT_FIELDS, OPTION_FIELDS, PART_FIELDS, RISK_FIELDS, SETTINGS_FIELDS
from tco_xl.lines import GROUPS, LINES

TEMPLATE_FIELDS = PART_FIELDS + SETTINGS_FIELDS + OPTION_FIELDS + INVESTMENT_FIELDS + RISK_FIELDS
SCOPES = sorted({field.scope for field in TEMPLATE_FIELDS})
UNITS = sorted({field.unit for field in TEMPLATE_FIELDS if field.unit})
FIELD_KEYS = ("label_en", "label_nl", "help_nl")
LINE_KEYS = ("label_nl", "formula_nl")
# Labels stay short because the help text carries the detail.
MAX_LABEL_CHARS = 40
# Dutch numbers use a decimal comma (0,25), not a point.
DECIMAL_POINT = re.compile(r"\d\.\d")


@pytest.fixture(scope="module")
def texts() -> dict:
    resource = resources.files("tco_xl.data").joinpath("template_text.toml")
    with resource.open("rb") as handle:
        return tomllib.load(handle)


def fields_in(scope: str) -> list:
    return [field for field in TEMPLATE_FIELDS if field.scope == scope]


def field_entry(texts: dict, field) -> dict:
    entry = texts["fields"].get(field.scope, {}).get(field.name)
    assert entry is not None, f"fields.{field.scope}.{field.name} missing"
    return entry


def assert_text(entry: dict, key: str, where: str) -> None:
    assert key in entry, f"{where}: {key} missing"
    assert isinstance(entry[key], str), f"{where}: {key} is not a string"
    assert entry[key].strip(), f"{where}: {key} is empty"


def duplicates(labels: list[str]) -> list[str]:
    return sorted(label for label, count in Counter(labels).items() if count > 1)


@pytest.mark.parametrize("field", TEMPLATE_FIELDS, ids=lambda field: f"{field.scope}.{field.name}")
def test_field_has_texts(texts, field):
    entry = field_entry(texts, field)
    where = f"fields.{field.scope}.{field.name}"
    for key in FIELD_KEYS:
        assert_text(entry, key, where)
    assert set(entry) == set(FIELD_KEYS), f"{where}: unexpected keys {sorted(set(entry) - set(FIELD_KEYS))}"


@pytest.mark.parametrize("scope", SCOPES)
def test_field_texts_no_unknown_names(texts, scope):
    known = {field.name for field in fields_in(scope)}
    unknown = sorted(set(texts["fields"].get(scope, {})) - known)
    assert unknown == [], f"fields.{scope} has texts for unknown fields {unknown}"


def test_field_texts_no_unknown_scopes(texts):
    unknown = sorted(set(texts["fields"]) - set(SCOPES))
    assert unknown == [], f"fields has unknown scopes {unknown}"


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("scope", SCOPES)
def test_field_labels_unique_in_scope(texts, scope, language):
    # A missing field or label fails test_field_has_texts, so this test skips it.
    entries = texts["fields"].get(scope, {})
    key = f"label_{language}"
    labels = [entries[field.name][key] for field in fields_in(scope) if key in entries.get(field.name, {})]
    assert duplicates(labels) == [], f"fields.{scope}: the same {key} on more than one field"


@pytest.mark.parametrize("field", TEMPLATE_FIELDS, ids=lambda field: f"{field.scope}.{field.name}")
def test_field_labels_short(texts, field):
    entry = field_entry(texts, field)
    for key in ("label_en", "label_nl"):
        assert len(entry[key]) <= MAX_LABEL_CHARS, f"{field.scope}.{field.name}: {key} {entry[key]!r} is longer than {MAX_LABEL_CHARS} characters"


@pytest.mark.parametrize("field", TEMPLATE_FIELDS, ids=lambda field: f"{field.scope}.{field.name}")
def test_field_labels_sentence_case(texts, field):
    entry = field_entry(texts, field)
    for key in ("label_en", "label_nl"):
        first = entry[key][0]
        assert not first.islower(), f"{field.scope}.{field.name}: {key} {entry[key]!r} starts in lower case"


@pytest.mark.parametrize("unit", UNITS)
def test_unit_has_dutch_text(texts, unit):
    assert unit in texts["units"], f"units: {unit!r} missing"
    assert texts["units"][unit].strip(), f"units: {unit!r} is empty"


def test_units_no_unknown_text(texts):
    unknown = sorted(set(texts["units"]) - set(UNITS))
    assert unknown == [], f"units has texts for units no field uses {unknown}"


@pytest.mark.parametrize("line", LINES, ids=lambda line: line.id)
def test_line_has_texts(texts, line):
    entry = texts["lines"].get(line.id)
    where = f"lines.{line.id}"
    assert entry is not None, f"{where} missing"
    for key in LINE_KEYS:
        assert_text(entry, key, where)
    assert set(entry) == set(LINE_KEYS), f"{where}: unexpected keys {sorted(set(entry) - set(LINE_KEYS))}"


def test_line_texts_no_unknown_ids(texts):
    unknown = sorted(set(texts["lines"]) - {line.id for line in LINES})
    assert unknown == [], f"lines has texts for unknown lines {unknown}"


def test_line_labels_unique(texts):
    labels = [texts["lines"][line.id]["label_nl"] for line in LINES]
    assert duplicates(labels) == []


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_group_has_dutch_label(texts, group):
    entry = texts["groups"].get(group)
    assert entry is not None, f"groups.{group} missing"
    assert_text(entry, "label_nl", f"groups.{group}")
    assert set(entry) == {"label_nl"}, f"groups.{group}: unexpected keys {sorted(set(entry) - {'label_nl'})}"


def test_group_texts_no_unknown_ids(texts):
    unknown = sorted(set(texts["groups"]) - set(GROUPS))
    assert unknown == [], f"groups has texts for unknown groups {unknown}"


def test_group_labels_unique(texts):
    labels = [texts["groups"][group]["label_nl"] for group in GROUPS]
    assert duplicates(labels) == []


def test_dutch_numbers_use_decimal_comma(texts):
    dutch = [(f"units.{unit}", text) for unit, text in texts["units"].items()]
    for scope, entries in texts["fields"].items():
        dutch += [(f"fields.{scope}.{name}", entry["help_nl"]) for name, entry in entries.items()]
    dutch += [(f"lines.{line_id}", entry["formula_nl"]) for line_id, entry in texts["lines"].items()]
    with_point = [where for where, text in dutch if DECIMAL_POINT.search(text)]
    assert with_point == [], f"Dutch texts with a decimal point: {with_point}"
