"""The vectorised formula engine against hand-worked results, LibreOffice Calc and itself.

Three groups of tests:

- hand-worked cases, one small in-memory workbook each, for every operator
  and function the engine supports, with Excel's rules for blanks, text,
  booleans and errors;
- a differential test that recalculates one workbook of edge cases with
  headless LibreOffice (one soffice run) and compares every formula cell
  with the engine's value;
- a property test that evaluating many scenarios at once gives each
  scenario the value it gets when evaluated alone.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libreoffice_support import require_libreoffice
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula

from tco_xl.formula_engine import (
    REFERENCE_FUNCTIONS,
    VALUE_FUNCTIONS,
    EngineError,
    ErrorValue,
    build_model,
    column,
    date_serial,
)
from tco_xl.libreoffice import recalculate_many

NA = ErrorValue("#N/A")
VALUE = ErrorValue("#VALUE!")
DIV0 = ErrorValue("#DIV/0!")
NUM = ErrorValue("#NUM!")
REF = ErrorValue("#REF!")
NAME = ErrorValue("#NAME?")

SHEET = "Sheet"
# The cell that contains the formula under test, away from the cells the cases fill.
RESULT_CELL = "Z99"
RELATIVE_TOLERANCE = 1e-12


def build_sheet_model(cells: dict, functions: dict | None = None, arrays: dict | None = None):
    """Return the model of a one-sheet workbook whose cells contain ``cells`` (values or formulas).

    ``arrays`` maps ranges such as "B1:C2" to the text of an array formula over that range.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for address, value in cells.items():
        sheet[address] = value
    for ref, formula in (arrays or {}).items():
        sheet[ref.split(":")[0]] = ArrayFormula(ref=ref, text=formula)
    return build_model(workbook, functions)


def shown_values(model, values, addresses: str) -> list:
    """Return the first scenario's values of the space-separated cell addresses."""
    return [values[model.key(SHEET, address)].value(0) for address in addresses.split()]


def evaluate_formula(formula: str, cells: dict | None = None):
    """Return the value of ``formula`` in a one-sheet workbook whose other cells contain ``cells``."""
    model = build_sheet_model({**(cells or {}), RESULT_CELL: formula})
    assert model.problems == {}
    return model.evaluate()[model.key(SHEET, RESULT_CELL)].value(0)


def assert_same(actual, expected) -> None:
    """Assert that an engine value equals ``expected``: a float within 1e-12 relative, anything else exactly."""
    if isinstance(expected, float):
        assert isinstance(actual, float), f"expected the number {expected!r}, got {actual!r}"
        assert actual == pytest.approx(expected, rel=RELATIVE_TOLERANCE, abs=0)
    else:
        assert type(actual) is type(expected), f"expected {expected!r}, got {actual!r}"
        assert actual == expected


def cases(*rows):
    """Turn (formula, cells, expected) rows into pytest parameters named after the formula and a few cells."""
    return [
        pytest.param(formula, cells, expected, id=f"{formula} {cells}" if 0 < len(cells) <= 3 else formula)
        for formula, cells, expected in rows
    ]


# ------------------------------------------------------------------ hand-worked cases

ARITHMETIC = cases(
    # A blank cell counts as 0, a boolean as 0 or 1, and text as the number it spells.
    ("=A1+1", {}, 1.0),
    ("=A1*5", {}, 0.0),
    ("=A1+1", {"A1": True}, 2.0),
    ("=A1-1", {"A1": False}, -1.0),
    ("=A1+1", {"A1": "12"}, 13.0),
    ("=A1*2", {"A1": " 1.5 "}, 3.0),
    ("=A1*2", {"A1": "25%"}, 0.5),
    ("=A1+1", {"A1": "abc"}, VALUE),
    # The text "TRUE" is no number in arithmetic.
    ('="TRUE"+1', {}, VALUE),
    ("=-A1", {"A1": "abc"}, VALUE),
    ("=A1%", {"A1": 50}, 0.5),
    ("=10/4", {}, 2.5),
    ("=2*3^2", {}, 18.0),
    # Negation binds tighter than ^ in spreadsheets.
    ("=-2^2", {}, 4.0),
    ("=2^-1", {}, 0.5),
    ("=7/0", {}, DIV0),
    ("=7/A1", {}, DIV0),
    ("=0^-1", {}, DIV0),
    ("=(-8)^(1/3)", {}, NUM),
    ("=1E+308*10", {}, NUM),
)

ERROR_PROPAGATION = cases(
    # The first error in evaluation order wins, also over a #VALUE! that a later operand would cause.
    ("=NA()+1/0", {}, NA),
    ("=1/0+NA()", {}, DIV0),
    ("=A1*2", {"A1": "=NA()"}, NA),
    ('=A1+"x"', {"A1": "=1/0"}, DIV0),
    ('="x"+A1', {"A1": "=1/0"}, VALUE),
    ('=1/0&"x"', {}, DIV0),
    ('="x"&NA()', {}, NA),
    ("=NA()&1/0", {}, NA),
    ("=A1<1/0", {"A1": "=NA()"}, NA),
    ("=SUM(A1:A3)", {"A1": 1, "A2": "=1/0", "A3": "=NA()"}, DIV0),
)

RANGE_CELLS = {"A1": 1, "B1": 10, "B2": 20, "B3": 30, "C1": 40, "C2": "b", "C3": 60}

CONDITIONS = cases(
    # IF evaluates only the branch it takes, so an error in the other one does not matter.
    ('=IF(A1>0,1/0,"no")', {"A1": 0}, "no"),
    ('=IF(A1>0,"yes",1/0)', {"A1": 1}, "yes"),
    ("=IF(A1>0,1/0,1)", {"A1": 1}, DIV0),
    ("=IF(A1,1,2)", {"A1": -0.5}, 1.0),
    ("=IF(A1,1,2)", {}, 2.0),
    ("=IF(A1,1,2)", {"A1": "12"}, VALUE),
    ("=IF(A1,1,2)", {"A1": "=NA()"}, NA),
    ("=IF(A1=1,2)", {}, False),
    # The chosen branch is a blank cell, which the formula shows as 0.
    ("=IF(A1=0,A2)", {}, 0.0),
    # IF returns one of two ranges, which INDEX and SUM then use as a range.
    ("=INDEX(IF(A1=1,B1:B3,C1:C3),2)", RANGE_CELLS, 20.0),
    ("=INDEX(IF(A1=2,B1:B3,C1:C3),2)", RANGE_CELLS, "b"),
    ("=INDEX(IF(A1=2,B1:B3,C1:C3),2)", {**RANGE_CELLS, "A1": "=NA()"}, NA),
    ("=SUM(IF(A1=1,B1:B3,C1:C3))", RANGE_CELLS, 60.0),
    ("=COUNT(IF(A1=2,B1:B3,C1:C3))", RANGE_CELLS, 2.0),
    ("=IFERROR(1/0,7)", {}, 7.0),
    ("=IFERROR(A1,7)", {"A1": 3}, 3.0),
    ("=IFERROR(A1,7)", {}, 0.0),
    ("=IFERROR(NA(),1/0)", {}, DIV0),
)

COMPARISONS = cases(
    # Every number is below every text, and every text below FALSE, which is below TRUE.
    ('=1<"a"', {}, True),
    ('=1E+300<""', {}, True),
    ('="z"<FALSE', {}, True),
    ("=FALSE<TRUE", {}, True),
    ("=A1=1", {"A1": True}, False),
    ("=A1=12", {"A1": "12"}, False),
    # Text compares without regard to case, character by character.
    ('="ABC"="abc"', {}, True),
    ('="a"<"B"', {}, True),
    ('="10"<"9"', {}, True),
    ("=A1>=A2", {"A1": "abc", "A2": "ABC"}, True),
    # A blank cell compares as 0, "" or FALSE, whichever the other side is.
    ('=A1=""', {}, True),
    ("=A1=0", {}, True),
    ("=A1=FALSE", {}, True),
    ('=A1<"a"', {}, True),
    ("=A1>-1", {}, True),
    ("=A1=A2", {"A2": '=""'}, True),
    ('=A1=""', {"A1": '=""'}, True),
    ("=A1=0", {"A1": '=""'}, False),
    # Excel rounds both sides to 15 significant digits, which makes 1.2-1.1 0.0999999999999999, not 0.1.
    ("=0.1+0.2=0.3", {}, True),
    ("=1.2-1.1=0.1", {}, False),
    ("=0.1+0.2>0.3", {}, False),
    ("=NA()=1", {}, NA),
)

LOGICAL = cases(
    # In a reference AND and OR skip text and blanks. With nothing left they give #VALUE!.
    ("=AND(A1:A3)", {"A1": "x", "A2": True, "A3": 1}, True),
    ("=AND(A1:A3)", {"A1": "x", "A2": True, "A3": 0}, False),
    ("=OR(A1:A3)", {"A1": "x", "A2": False, "A3": 0}, False),
    ("=OR(A1:A3)", {"A1": "x", "A3": 2}, True),
    ("=OR(A1:A2)", {"A1": "x", "A2": "y"}, VALUE),
    ("=AND(A1:A2)", {}, VALUE),
    ("=AND(A1)", {"A1": "x"}, VALUE),
    ("=OR(A1:A2)", {"A1": 1, "A2": "=1/0"}, DIV0),
    # Typed as an argument, text must spell TRUE or FALSE.
    ('=AND("x")', {}, VALUE),
    ('=AND("TRUE",1)', {}, True),
    ('=OR(0,"false")', {}, False),
    ("=AND(TRUE,NA())", {}, NA),
    ("=NOT(0)", {}, True),
    ("=NOT(2)", {}, False),
    ("=NOT(A1)", {}, True),
    ('=NOT("x")', {}, VALUE),
    ('=NOT("false")', {}, True),
)

MIXED_CELLS = {"A1": 1, "A2": "5", "A3": True, "A5": 2.5}

AGGREGATES = cases(
    # In a reference only numbers count, so text, booleans and blanks are skipped.
    ("=SUM(A1:A5)", MIXED_CELLS, 3.5),
    ("=COUNT(A1:A5)", MIXED_CELLS, 2.0),
    ("=MIN(A1:A5)", MIXED_CELLS, 1.0),
    ("=MAX(A1:A5)", MIXED_CELLS, 2.5),
    ("=SUM(A2,A3)", MIXED_CELLS, 0.0),
    # SUMPRODUCT counts what is not a number as 0, and ranges of different sizes are invalid.
    ("=SUMPRODUCT(A1:A3,B1:B3)", {"A1": 1, "A2": 2, "A3": "x", "B1": 3, "B2": 4, "B3": 5}, 11.0),
    ("=SUMPRODUCT(A1:A2,B1:B3)", {"A1": 1, "A2": 2, "B1": 3, "B2": 4, "B3": 5}, VALUE),
    ("=MAX(A1:A2)", {"A1": "x", "A2": True}, 0.0),
    ("=MIN(A1:A2)", {}, 0.0),
    ("=MAX(A1:A3)", {"A1": -5, "A2": -2, "A3": "x"}, -2.0),
    ("=SUM(A1:A2)", {"A1": 1, "A2": "=NA()"}, NA),
    ("=COUNT(A1:A2)", {"A1": 1, "A2": "=NA()"}, 1.0),
    # Typed as arguments, numeric text and booleans count, and other text is #VALUE!.
    ('=SUM(1,"5",TRUE)', {}, 7.0),
    ('=SUM(1,"x")', {}, VALUE),
    ('=COUNT(1,"5",TRUE,"x",1/0)', {}, 3.0),
    ("=MAX(-1,TRUE)", {}, 1.0),
    ('=MIN("3",5)', {}, 3.0),
    # NPV gives a period only to the values it counts, so the blank and the text take none.
    ("=NPV(0.1,A1:A3)", {"A1": 100, "A3": 100}, 100 / 1.1 + 100 / 1.1**2),
    ("=NPV(0.1,A1:A3)", {"A1": 100, "A2": "x", "A3": 100}, 100 / 1.1 + 100 / 1.1**2),
    ("=NPV(0.05,100,200)", {}, 100 / 1.05 + 200 / 1.05**2),
    ('=NPV(0.1,"2",A1)', {"A1": True}, 2 / 1.1),
)

LIST_CELLS = {
    "B1": 1,
    "B2": 3,
    "B3": 5,
    "B4": 7,
    "C1": "apple",
    "C2": "Banana",
    "C3": "cherry",
    "D1": 10,
    "E1": 20,
    "F1": 30,
}

LOOKUPS = cases(
    ("=INDEX(B1:B4,2)", LIST_CELLS, 3.0),
    # INDEX of a single row takes its argument as the column.
    ("=INDEX(D1:F1,3)", LIST_CELLS, 30.0),
    ("=INDEX(B1:C4,2,2)", LIST_CELLS, "Banana"),
    ("=INDEX(B1:B4,2.9)", LIST_CELLS, 3.0),
    ('=INDEX(B1:B4,"2")', LIST_CELLS, 3.0),
    ("=INDEX(C1:C4,4)", LIST_CELLS, 0.0),
    ("=INDEX(B1:B4,5)", LIST_CELLS, REF),
    ("=INDEX(D1:F1,4)", LIST_CELLS, REF),
    ("=INDEX(B1:C4,1,3)", LIST_CELLS, REF),
    ("=INDEX(B1:B4,NA())", LIST_CELLS, NA),
    # MATCH type 0 compares text without regard to case, and text never equals a number.
    ('=MATCH("BANANA",C1:C3,0)', LIST_CELLS, 2.0),
    ('=MATCH("fig",C1:C3,0)', LIST_CELLS, NA),
    ("=MATCH(5,B1:B4,0)", LIST_CELLS, 3.0),
    ('=MATCH("3",B1:B4,0)', LIST_CELLS, NA),
    ("=MATCH(NA(),B1:B4,0)", LIST_CELLS, NA),
    # MATCH type 1 finds the last value at or below the lookup value in an ascending list.
    ("=MATCH(4,B1:B4,1)", LIST_CELLS, 2.0),
    ("=MATCH(7,B1:B4,1)", LIST_CELLS, 4.0),
    ("=MATCH(100,B1:B4)", LIST_CELLS, 4.0),
    ("=MATCH(0,B1:B4,1)", LIST_CELLS, NA),
    ('=MATCH("c",C1:C3,1)', {"C1": "a", "C2": "B", "C3": "d"}, 2.0),
    ('=COUNTIF(B1:B4,"<"&5)', LIST_CELLS, 2.0),
    ('=COUNTIF(B1:B4,"<="&5)', LIST_CELLS, 3.0),
    ('=COUNTIF(B1:B4,">3")', LIST_CELLS, 2.0),
    ('=COUNTIF(B1:B4,"<>3")', LIST_CELLS, 3.0),
    ("=COUNTIF(B1:B4,3)", LIST_CELLS, 1.0),
    ('=COUNTIF(A1:A4,"<"&5)', {"A1": 1, "A2": "2", "A3": True}, 1.0),
    ('=COUNTIF(C1:C4,"banana")', LIST_CELLS, 1.0),
    # "<>" with text counts every other cell, blanks included. "<>" alone counts the cells that are not blank.
    ('=COUNTIF(C1:C4,"<>banana")', LIST_CELLS, 3.0),
    ('=COUNTIF(C1:C4,"<>")', LIST_CELLS, 3.0),
    ('=COUNTIF(C1:C4,"")', LIST_CELLS, 1.0),
)

ROUNDING = cases(
    # 85/0.34 is 249.99999999999997 in binary, and INT rounds to 15 significant digits first.
    ("=INT(85/0.34)", {}, 250.0),
    ("=INT(-2.5)", {}, -3.0),
    ("=INT(A1)", {"A1": "12.7"}, 12.0),
    ("=INT(A1)", {"A1": "x"}, VALUE),
    # ROUND rounds half away from zero after rounding to 15 significant digits, so 1.005
    # (1.00499999999999989 in binary) gives 1.01.
    ("=ROUND(2.5,0)", {}, 3.0),
    ("=ROUND(-2.5,0)", {}, -3.0),
    ("=ROUND(1.005,2)", {}, 1.01),
    ("=ROUND(-1.005,2)", {}, -1.01),
    ("=ROUND(2.675,2)", {}, 2.68),
    ("=ROUND(0.285,2)", {}, 0.29),
    ("=ROUND(1.45,1)", {}, 1.5),
    ("=ROUND(1234.5678,-2)", {}, 1200.0),
    ("=ROUND(1.25,1.7)", {}, 1.3),
    ("=ROUND(A1,0)", {"A1": "=NA()"}, NA),
)

TEXTS = cases(
    ('=TRIM("  a   b  ")', {}, "a b"),
    ('=UPPER("abc")', {}, "ABC"),
    ("=LOWER(A1)", {"A1": "AbC"}, "abc"),
    ("=UPPER(A1)", {"A1": 1.5}, "1.5"),
    ("=LOWER(TRUE)", {}, "true"),
    ("=TRIM(A1)", {}, ""),
    ("=UPPER(1/0)", {}, DIV0),
    # & shows a number as the General format does: up to 15 significant digits.
    ('=0.1+0.2&""', {}, "0.3"),
    ('=1/3&""', {}, "0.333333333333333"),
    ('=2/3&""', {}, "0.666666666666667"),
    ('=A1&"|"', {"A1": 7}, "7|"),
    ('=-2.5&""', {}, "-2.5"),
    ('=1E+20&""', {}, "1E+20"),
    ('=123456789012345678&""', {}, "1.23456789012346E+17"),
    ('=A1&""', {"A1": dt.date(2024, 3, 5)}, "45356"),
    ('=TRUE&"x"', {}, "TRUEx"),
    ('=A1&"x"', {}, "x"),
)

MATHEMATICS = cases(
    ("=YEAR(A1)", {"A1": dt.date(2024, 3, 5)}, 2024.0),
    ("=YEAR(45000.5)", {}, 2023.0),
    # Excel shows serial 0 as 0 January 1900.
    ("=YEAR(A1)", {}, 1900.0),
    ("=YEAR(-1)", {}, NUM),
    ("=YEAR(A1)", {"A1": "x"}, VALUE),
    ("=NORMSINV(0.975)", {}, 1.959963984540054),
    ("=NORMSINV(0.5)", {}, 0.0),
    ("=NORMSINV(1)", {}, NUM),
    ("=NORMSINV(0)", {}, NUM),
    ("=ABS(-2)", {}, 2.0),
    ("=SQRT(16)", {}, 4.0),
    ("=SQRT(-1)", {}, NUM),
    ("=LN(1)", {}, 0.0),
    ("=LN(0)", {}, NUM),
    ("=EXP(0)", {}, 1.0),
    ("=POWER(2,10)", {}, 1024.0),
    ("=POWER(0,-1)", {}, DIV0),
)

INFORMATION = cases(
    ("=ISNA(NA())", {}, True),
    ("=ISNA(1/0)", {}, False),
    ("=ISNA(A1)", {"A1": "x"}, False),
    ("=ISERROR(1/0)", {}, True),
    ("=ISERROR(A1)", {"A1": "x"}, False),
    ("=ISNUMBER(A1)", {"A1": 1}, True),
    ("=ISNUMBER(A1)", {"A1": dt.date(2024, 3, 5)}, True),
    ("=ISNUMBER(A1)", {"A1": "1"}, False),
    ("=ISNUMBER(A1)", {"A1": True}, False),
    ("=ISNUMBER(A1)", {}, False),
    ("=ISBLANK(A1)", {}, True),
    ("=ISBLANK(A1)", {"A1": '=""'}, False),
    ("=ISBLANK(A1)", {"A1": 0}, False),
    ("=TRUE()", {}, True),
    ("=FALSE()", {}, False),
    ("=NA()", {}, NA),
)


@pytest.mark.parametrize("formula, cells, expected", ARITHMETIC)
def test_arithmetic(formula, cells, expected):
    assert_same(evaluate_formula(formula, cells), expected)


@pytest.mark.parametrize("formula, cells, expected", ERROR_PROPAGATION)
def test_error_propagation(formula, cells, expected):
    assert_same(evaluate_formula(formula, cells), expected)


@pytest.mark.parametrize("formula, cells, expected", CONDITIONS)
def test_conditions(formula, cells, expected):
    assert_same(evaluate_formula(formula, cells), expected)


@pytest.mark.parametrize("formula, cells, expected", COMPARISONS)
def test_comparisons(formula, cells, expected):
    assert_same(evaluate_formula(formula, cells), expected)


@pytest.mark.parametrize("formula, cells, expected", LOGICAL)
def test_logical_functions(formula, cells, expected):
    assert_same(evaluate_formula(formula, cells), expected)


@pytest.mark.parametrize("formula, cells, expected", AGGREGATES)
def test_aggregates(formula, cells, expected):
    assert_same(evaluate_formula(formula, cells), expected)


@pytest.mark.parametrize("formula, cells, expected", LOOKUPS)
def test_lookups(formula, cells, expected):
    assert_same(evaluate_formula(formula, cells), expected)


@pytest.mark.parametrize("formula, cells, expected", ROUNDING)
def test_rounding(formula, cells, expected):
    assert_same(evaluate_formula(formula, cells), expected)


@pytest.mark.parametrize("formula, cells, expected", TEXTS)
def test_texts(formula, cells, expected):
    assert_same(evaluate_formula(formula, cells), expected)


@pytest.mark.parametrize("formula, cells, expected", MATHEMATICS)
def test_dates_and_mathematics(formula, cells, expected):
    assert_same(evaluate_formula(formula, cells), expected)


@pytest.mark.parametrize("formula, cells, expected", INFORMATION)
def test_information_functions(formula, cells, expected):
    assert_same(evaluate_formula(formula, cells), expected)


def test_cases_cover_every_function():
    tables = (
        ARITHMETIC + ERROR_PROPAGATION + CONDITIONS + COMPARISONS + LOGICAL
        + AGGREGATES + LOOKUPS + ROUNDING + TEXTS + MATHEMATICS + INFORMATION
    )
    formulas = " ".join(case.values[0] for case in tables)
    missing = [
        name
        for name in sorted(set(VALUE_FUNCTIONS) | set(REFERENCE_FUNCTIONS))
        if not re.search(rf"\b{name}\(", formulas)
    ]
    assert missing == []


# ------------------------------------------------------------------ references and model errors


def build_two_sheet_workbook():
    """Return a workbook whose "Main" sheet refers to a sheet named "Other data", directly and by name."""
    workbook = openpyxl.Workbook()
    main = workbook.active
    main.title = "Main"
    other = workbook.create_sheet("Other data")
    other["A1"] = 10
    other["A2"] = 20
    other["A3"] = 30
    workbook.defined_names["rates"] = DefinedName("rates", attr_text="'Other data'!$A$1:$A$3")
    workbook.defined_names["Rate"] = DefinedName("Rate", attr_text="'Other data'!$A$2")
    return workbook


def test_cross_sheet_references():
    workbook = build_two_sheet_workbook()
    main = workbook["Main"]
    main["A1"] = "='Other data'!A1+1"
    main["A2"] = "=SUM('Other data'!A1:A3)"
    main["A3"] = "='Other data'!B9"
    main["A4"] = "=Missing!A1"
    model = build_model(workbook)
    values = model.evaluate()

    assert_same(values[model.key("Main", "A1")].value(0), 11.0)
    assert_same(values[model.key("Main", "A2")].value(0), 60.0)
    # A formula that refers to an empty cell shows 0.
    assert_same(values[model.key("Main", "A3")].value(0), 0.0)
    assert_same(values[model.key("Main", "A4")].value(0), REF)
    assert list(model.problems) == [model.key("Main", "A4")]
    assert "MISSING!A1" in model.problems[model.key("Main", "A4")]


def test_defined_names():
    workbook = build_two_sheet_workbook()
    main = workbook["Main"]
    main["A1"] = "=SUM(rates)"
    main["A2"] = "=INDEX(rates,3)"
    main["A3"] = "=RATE*2"
    main["A4"] = "=MATCH(20,Rates,0)"
    model = build_model(workbook)
    values = model.evaluate()

    assert model.problems == {}
    assert_same(values[model.key("Main", "A1")].value(0), 60.0)
    assert_same(values[model.key("Main", "A2")].value(0), 30.0)
    assert_same(values[model.key("Main", "A3")].value(0), 40.0)
    assert_same(values[model.key("Main", "A4")].value(0), 2.0)


def test_formula_of_empty_cell_shows_zero():
    model = build_sheet_model({"A1": "=B1", "A2": "=A1+1", "A3": '=""', "A4": "=A3"})
    values = model.evaluate()

    assert_same(values[model.key(SHEET, "A1")].value(0), 0.0)
    assert_same(values[model.key(SHEET, "A2")].value(0), 1.0)
    # A formula that refers to an empty text shows that text.
    assert_same(values[model.key(SHEET, "A4")].value(0), "")


def test_circular_reference_raises():
    with pytest.raises(EngineError, match=r"circular reference") as raised:
        build_sheet_model({"A1": "=B1+1", "B1": "=C1", "C1": "=A1*2"})

    assert "Sheet!" in str(raised.value)


def test_self_reference_raises():
    with pytest.raises(EngineError, match=r"Sheet!A1: circular reference"):
        build_sheet_model({"A1": "=A1+1"})


def test_unknown_function_is_name_error():
    model = build_sheet_model({"A1": "=FOO(1)+1", "A2": "=A1*2", "A3": "=1+1"})
    values = model.evaluate()

    assert_same(values[model.key(SHEET, "A1")].value(0), NAME)
    assert_same(values[model.key(SHEET, "A2")].value(0), NAME)
    assert_same(values[model.key(SHEET, "A3")].value(0), 2.0)
    assert list(model.problems) == [model.key(SHEET, "A1")]
    assert "FOO" in model.problems[model.key(SHEET, "A1")]


# ------------------------------------------------------------------ custom functions


def test_custom_function_receives_plain_values():
    received = []

    def probe(*args):
        received.append(args)
        return len(args)

    cells = {
        "A2": 2,
        "A3": "x",
        "A4": True,
        "A5": "=1/0",
        "B1": 1.5,
        "C1": "y",
        "C2": False,
        "Z1": "=PROBE(A1,A2,A3,A4,A5)",
        "Z2": "=PROBE(B1:C2)",
        "Z3": "=PROBE(B1:C1)",
        "Z4": "=PROBE(B1:B2)",
        "Z5": "=PROBE(A2,,A3)",
        "Z6": "=PROBE()",
    }
    model = build_sheet_model(cells, {"PROBE": probe})
    values = model.evaluate()

    assert model.problems == {}
    scalars, block, row, col, skipped, empty = received
    assert scalars == (None, 2.0, "x", True, DIV0)
    assert [type(value) for value in scalars] == [type(None), float, str, bool, ErrorValue]
    assert block == (((1.5, "y"), (None, False)),)
    assert type(block[0][1][1]) is bool
    # A range of one row or one column is still a list of rows.
    assert row == (((1.5, "y"),),)
    assert col == (((1.5,), (None,)),)
    assert skipped == (2.0, None, "x")
    assert empty == ()
    assert shown_values(model, values, "Z1 Z2 Z5 Z6") == [5.0, 1.0, 3.0, 0.0]


CUSTOM_RESULTS = [
    (3, 3.0),
    (2.5, 2.5),
    (np.int64(4), 4.0),
    (np.float64(0.25), 0.25),
    (True, True),
    (np.bool_(False), False),
    ("text", "text"),
    (ErrorValue("#N/A"), NA),
    # A blank result shows 0, as a formula that refers to an empty cell does.
    (None, 0.0),
    (dt.date(2024, 3, 5), 45356.0),
    ([[7]], 7.0),
    (float("nan"), NUM),
    (10**400, NUM),
    (ErrorValue("#OOPS"), VALUE),
    (object(), VALUE),
    ({"a": 1}, VALUE),
    ([], VALUE),
    ([[1], 2], VALUE),
]


@pytest.mark.parametrize("returned, expected", CUSTOM_RESULTS, ids=[repr(case[0]) for case in CUSTOM_RESULTS])
def test_custom_function_result_types(returned, expected):
    model = build_sheet_model({"A1": "=RESULT()"}, {"RESULT": lambda: returned})

    assert_same(model.evaluate()[model.key(SHEET, "A1")].value(0), expected)


def test_custom_function_calls_per_scenario():
    calls = []

    def twice(x):
        calls.append(x)
        return 2 * x

    model = build_sheet_model({"A1": 2, "B1": 10, "C1": "=TWICE(A1)+B1"}, {"TWICE": twice})
    result = model.key(SHEET, "C1")
    values = model.evaluate()

    assert calls == [2.0]
    assert len(values[result]) == 1
    assert_same(values[result].value(0), 14.0)

    calls.clear()
    values = model.evaluate({model.key(SHEET, "A1"): column([1, 2, 3])})

    assert calls == [1.0, 2.0, 3.0]
    assert [values[result].value(i) for i in range(3)] == [12.0, 14.0, 16.0]

    # When only B1 varies, the argument A1 is the same in every scenario, so the function is called once.
    calls.clear()
    values = model.evaluate({model.key(SHEET, "B1"): column([0, 1])})

    assert calls == [2.0]
    assert [values[result].value(i) for i in range(2)] == [4.0, 5.0]


def test_custom_function_range_per_scenario():
    calls = []

    def total(rows):
        calls.append(rows)
        return sum(value for row in rows for value in row)

    model = build_sheet_model({"A1": 1, "A2": 2, "B1": "=TOTAL(A1:A2)"}, {"TOTAL": total})
    values = model.evaluate({model.key(SHEET, "A2"): column([2, 5])})

    assert calls == [((1.0,), (2.0,)), ((1.0,), (5.0,))]
    assert [values[model.key(SHEET, "B1")].value(i) for i in range(2)] == [3.0, 6.0]


def test_custom_function_exception_is_value_error(caplog):
    model = build_sheet_model({"A1": 4, "B1": "=SQUAREROOT(A1)"}, {"SQUAREROOT": math.sqrt})
    caplog.set_level(logging.DEBUG, logger="tco_xl.formula_engine")
    values = model.evaluate({model.key(SHEET, "A1"): column([4, -1, 9])})
    result = values[model.key(SHEET, "B1")]

    assert_same(result.value(0), 2.0)
    assert_same(result.value(1), VALUE)
    assert_same(result.value(2), 3.0)
    assert "SQUAREROOT failed in 1 of 3 scenarios, first in scenario 1" in caplog.text


def test_custom_function_default_arguments():
    model = build_sheet_model({"A1": "=ADD(1)", "A2": "=ADD(1,2)"}, {"ADD": lambda a, b=10: a + b})
    values = model.evaluate()

    # Only the arguments written in the formula are passed, so b keeps its default.
    assert shown_values(model, values, "A1 A2") == [11.0, 3.0]


def test_custom_names_ignore_case_and_prefixes():
    cells = {"A1": "=double(2)", "A2": "=_xludf.DOUBLE(3)", "A3": "=_xlfn._xludf.Double(4)"}
    model = build_sheet_model(cells, {"Double": lambda x: 2 * x})
    values = model.evaluate()

    assert model.problems == {}
    assert model.functions.keys() == {"DOUBLE"}
    assert shown_values(model, values, "A1 A2 A3") == [4.0, 6.0, 8.0]


def test_custom_array_in_single_cell_shows_first():
    model = build_sheet_model({"A1": "=GRID()", "A2": "=GRID()*10"}, {"GRID": lambda: [[1, 2], [3, 4]]})
    values = model.evaluate()

    assert shown_values(model, values, "A1 A2") == [1.0, 10.0]


def test_unknown_function_with_custom_functions():
    model = build_sheet_model({"A1": "=FOO(1)", "A2": "=BAR(1)"}, {"BAR": lambda x: x})
    values = model.evaluate()

    assert_same(values[model.key(SHEET, "A1")].value(0), NAME)
    assert_same(values[model.key(SHEET, "A2")].value(0), 1.0)
    assert list(model.problems) == [model.key(SHEET, "A1")]
    assert "FOO" in model.problems[model.key(SHEET, "A1")]


@pytest.mark.parametrize("name", ["SUM", "round", "_xlfn.If"])
def test_custom_name_of_builtin_raises(name):
    with pytest.raises(ValueError, match="built-in"):
        build_sheet_model({}, {name: lambda: 1})


def test_custom_names_differing_in_case_raise():
    with pytest.raises(ValueError, match="differ only in case"):
        build_sheet_model({}, {"f": lambda: 1, "F": lambda: 2})


def test_custom_function_not_callable_raises():
    with pytest.raises(TypeError, match="not callable"):
        build_sheet_model({}, {"F": 1})


# ------------------------------------------------------------------ array formulas


def test_array_formula_fills_range():
    # A1 precedes the array formula's cell B1 in the sheet, so only its references to C2 and B2 make it wait for B1.
    cells = {"A1": "=C2+B2", "D1": "=SUM(B1:C2)"}
    model = build_sheet_model(cells, {"GRID": lambda: [[1, 2], [3, 4]]}, {"B1:C2": "=GRID()"})
    values = model.evaluate()
    anchor = model.key(SHEET, "B1")

    assert model.problems == {}
    assert model.arrays == {anchor: (2, 2)}
    assert model.array_cells(anchor) == [model.key(SHEET, cell) for cell in ("B1", "C1", "B2", "C2")]
    assert model.formulas[anchor] == "=GRID()"
    assert set(model.formulas) == {model.key(SHEET, cell) for cell in ("A1", "B1", "D1")}
    assert shown_values(model, values, "B1 C1 B2 C2") == [1.0, 2.0, 3.0, 4.0]
    assert shown_values(model, values, "A1 D1") == [7.0, 10.0]


def test_array_formula_smaller_result_is_na():
    model = build_sheet_model({}, {"GRID": lambda: [[1, None], [3, 4]]}, {"B1:D3": "=GRID()"})
    values = model.evaluate()

    assert shown_values(model, values, "B1 C1 D1") == [1.0, 0.0, NA]
    assert shown_values(model, values, "B2 C2 D2") == [3.0, 4.0, NA]
    assert shown_values(model, values, "B3 C3 D3") == [NA, NA, NA]


def test_array_formula_repeats_single_value():
    model = build_sheet_model({"A1": 5}, arrays={"B1:C2": "=A1*2"})
    values = model.evaluate()

    assert shown_values(model, values, "B1 C1 B2 C2") == [10.0, 10.0, 10.0, 10.0]


def test_array_formula_repeats_row_and_column():
    functions = {"ROW3": lambda: [1, 2, 3], "COLUMN2": lambda: np.array([[1], [2]])}
    arrays = {"A1:C2": "=ROW3()", "E1:F2": "=COLUMN2()"}
    model = build_sheet_model({}, functions, arrays)
    values = model.evaluate()

    # A flat list is one row, and a row repeats down the range.
    assert shown_values(model, values, "A1 B1 C1") == [1.0, 2.0, 3.0]
    assert shown_values(model, values, "A2 B2 C2") == [1.0, 2.0, 3.0]
    # A column repeats across it.
    assert shown_values(model, values, "E1 F1 E2 F2") == [1.0, 1.0, 2.0, 2.0]


def test_array_formula_sizes_per_scenario():
    calls = []

    def counting(n):
        calls.append(n)
        return [list(range(1, int(n) + 1))]

    model = build_sheet_model({"A1": 3}, {"COUNTING": counting}, {"B1:D1": "=COUNTING(A1)"})
    values = model.evaluate({model.key(SHEET, "A1"): column([2, 3, 1])})

    def scenario(index):
        return [values[model.key(SHEET, cell)].value(index) for cell in ("B1", "C1", "D1")]

    assert calls == [2.0, 3.0, 1.0]
    assert scenario(0) == [1.0, 2.0, NA]
    assert scenario(1) == [1.0, 2.0, 3.0]
    # A single value among arrays takes only the first cell.
    assert scenario(2) == [1.0, NA, NA]


def test_array_formula_of_builtin_functions():
    cells = {"A1": 1, "A2": 2, "A3": 3, "D1": 10, "D2": 20}
    arrays = {
        "B1:B3": "=A1:A3*2",
        "C1:C3": "=IF(A1:A3>1,A1:A3,-A1:A3)",
        "E1:E3": "=A1:A3+D1:D2",
        "F1:F3": "=ROUND(A1:A3/3,1)",
        "G1": "=SUM(A1:A3*A1:A3)",
    }
    model = build_sheet_model(cells, arrays=arrays)
    values = model.evaluate()

    assert model.problems == {}
    assert shown_values(model, values, "B1 B2 B3") == [2.0, 4.0, 6.0]
    assert shown_values(model, values, "C1 C2 C3") == [-1.0, 2.0, 3.0]
    # The shorter range has no third cell.
    assert shown_values(model, values, "E1 E2 E3") == [11.0, 22.0, NA]
    assert shown_values(model, values, "F1 F2 F3") == [0.3, 0.7, 1.0]
    assert shown_values(model, values, "G1") == [14.0]


def test_array_formula_cached_values_replaced(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet["A1"], sheet["A2"] = 1, 2
    sheet["B1"] = ArrayFormula(ref="B1:B2", text="=A1:A2*2")
    # Excel saves the results of the range's other cells as their values.
    sheet["B2"] = 99
    path = tmp_path / "array.xlsx"
    workbook.save(path)
    model = build_model(openpyxl.load_workbook(path))
    values = model.evaluate()

    assert model.key(SHEET, "B2") not in model.constants
    assert model.formulas == {model.key(SHEET, "B1"): "=A1:A2*2"}
    assert shown_values(model, values, "B1 B2") == [2.0, 4.0]


def test_array_formula_inputs_per_scenario():
    model = build_sheet_model({"A1": 1, "A2": 2, "C1": "=B2+1"}, arrays={"B1:B2": "=A1:A2*2"})
    values = model.evaluate({model.key(SHEET, "A2"): column([2, 5])})

    assert [values[model.key(SHEET, "B2")].value(i) for i in range(2)] == [4.0, 10.0]
    assert [values[model.key(SHEET, "C1")].value(i) for i in range(2)] == [5.0, 11.0]


def test_array_formula_on_own_range_is_circular():
    with pytest.raises(EngineError, match=r"Sheet!B1: circular reference"):
        build_sheet_model({"A1": 1}, arrays={"B1:B2": "=A1+B2"})


def test_array_formula_range_elsewhere_is_problem():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet["B1"] = ArrayFormula(ref="C1:C2", text="=1+1")
    model = build_model(workbook)
    values = model.evaluate()

    assert model.arrays == {model.key(SHEET, "B1"): (1, 1)}
    assert "C1:C2" in model.problems[model.key(SHEET, "B1")]
    assert_same(values[model.key(SHEET, "B1")].value(0), 2.0)


# ------------------------------------------------------------------ LibreOffice as a reference

# The edge-case inputs of the differential test, on the sheet "In".
# No boolean is inside a range that a formula aggregates, because LibreOffice
# counts TRUE and FALSE as 1 and 0 in SUM, COUNT, MIN, MAX and COUNTIF ranges,
# where Excel skips them.
DIFFERENTIAL_INPUTS = {
    "A1": None,
    "A2": 0,
    "A3": -2.5,
    "A4": 7,
    "A5": "abc",
    "A6": "12",
    "A7": " 1.5 ",
    "A8": "25%",
    "A9": dt.date(2024, 3, 5),
    "A10": "=1/0",
    "A11": "=NA()",
    "A12": '=""',
    "A13": "ABC",
    "A14": 3,
    "A15": 0.1,
    "A16": 85,
    "E1": True,
    "E2": False,
    "E3": "TRUE",
}

# Lists for lookups, on a sheet whose name needs quotes.
DIFFERENTIAL_LISTS = {
    "B1": 1,
    "B2": 3,
    "B3": 5,
    "B4": 7,
    "C1": "apple",
    "C2": "Banana",
    "C3": "cherry",
    "C4": "date",
    "D1": 100,
    "D3": "x",
    "D4": 100,
    "D5": -50,
    "F1": 1,
    "F2": "b",
    "F4": 4,
    "F5": "B",
    "F6": 3,
    "G1": 9,
    "G2": 7,
    "G3": 5,
    "G4": 3,
}

DIFFERENTIAL_NAMES = {"rate": "In!$A$15", "sorted_list": "'Look ups'!$B$1:$B$4"}

# Where LibreOffice 7.4 and Excel differ, the engine follows Excel and the
# case is left out here. The hand-worked tests above cover Excel's result.
# - Booleans: LibreOffice treats TRUE as the number 1, so TRUE=1 is TRUE,
#   TRUE&"" is "1", "abc"<TRUE is FALSE and ISNUMBER(TRUE) is TRUE.
# - Text: LibreOffice converts a cell's "12" in IF and a cell's "TRUE" in
#   arithmetic, but gives #VALUE! for SUM("12",1) and AND("TRUE",1).
# - LibreOffice gives #VALUE! where Excel gives #NUM! (SQRT(-1), LN(0),
#   NORMSINV(0)) or #REF! (INDEX beyond its range), and #NUM! for 0^-1.
# - LibreOffice writes 1E+20&"" as "1E+020" and 1E+15&"" as "1000000000000000".
# - LibreOffice's YEAR accepts serials before 1900 and after 9999, and YEAR(0) is 1899.
# - LibreOffice counts numbers within a relative 2^-48 as equal
#   (rtl_math_approxEqual in sal/rtl/math.cxx), so 1.2-1.1=0.1 is TRUE.
# - LibreOffice returns the right operand's error for &, as in #N/A&#DIV/0!.
# Other cases are left out because Excel's result is undocumented or the
# engine does not model it:
# - MATCH type 1 over an unsorted list;
# - MATCH and COUNTIF with a blank lookup value or criterion;
# - COUNTIF over numeric text, and UPPER("ß");
# - array constants such as {1,2};
# - a formula whose value is a whole range, which Excel intersects with the
#   formula's row and the engine shows as the range's first cell.
DIFFERENTIAL_FORMULAS = [
    # arithmetic over blanks, text, numeric text and dates
    "=In!A1+1",
    "=In!A2+1",
    "=In!A5+1",
    "=In!A6+1",
    "=In!A7+1",
    "=In!A8+1",
    "=In!A9+1",
    "=In!A12+1",
    "=In!A15+0.2",
    "=-In!A1",
    "=-In!A6",
    "=In!A3*In!A4",
    "=In!A4/In!A2",
    "=In!A4/In!A1",
    "=In!A1/In!A14",
    "=In!A4^2",
    "=In!A3^0.5",
    "=In!A4%",
    "=2*3^2",
    "=-2^2",
    "=-In!A4^2",
    "=1-0.9",
    "=1E+308*10",
    "=In!E1+In!E1",
    # errors and their propagation
    "=In!A10+1",
    "=In!A11+In!A10",
    "=In!A10+In!A5",
    "=In!A5+In!A10",
    "=In!A5*In!A11",
    "=In!A10=In!A11",
    "=In!A11<>1",
    "=0/0",
    # comparisons
    '=In!A1=""',
    "=In!A1=0",
    "=In!A1=FALSE",
    '=In!A12=""',
    "=In!A12=0",
    "=In!A1=In!A12",
    '=In!A5="ABC"',
    "=In!A5<In!A13",
    "=In!A5>=In!A13",
    '=In!A5<"abd"',
    '=In!A5="abc "',
    "=In!A4<In!A5",
    "=In!A6=12",
    '="10"<"9"',
    '="a"<"B"',
    '=In!A1<"a"',
    "=In!A1<-1",
    "=In!A12<In!A2",
    "=In!E1=TRUE",
    "=In!E2<In!E1",
    "=0.1+0.2=0.3",
    "=In!A15*3=0.3",
    "=In!A15+0.2>0.3",
    # AND, OR and NOT
    "=AND(In!A4,In!E1)",
    "=AND(In!A5)",
    "=AND(In!A1)",
    "=AND(In!A1:A6)",
    "=AND(In!A2:A4)",
    "=OR(In!A5:A6)",
    "=OR(In!E2,In!E3)",
    "=OR(In!A10,TRUE)",
    "=AND(In!E1,In!E3)",
    "=NOT(In!A2)",
    "=NOT(In!A5)",
    "=NOT(In!A1)",
    '=NOT("FALSE")',
    # SUM, MIN, MAX and COUNT
    "=SUM(In!A1:A9)",
    "=SUM(In!A1:A16)",
    "=SUM(In!A5,In!A6,1)",
    "=SUM('Look ups'!B1:C4)",
    "=MIN(In!A1:A9)",
    "=MAX(In!A1:A9)",
    "=MAX(In!A5:A6)",
    "=MIN(In!A5:A6)",
    "=MAX('Look ups'!F1:F6)",
    "=COUNT(In!A1:A16)",
    "=COUNT(In!A1:A16,In!A5,3)",
    "=COUNT(In!A10)",
    "=SUM(IF(In!A4>0,'Look ups'!B1:B4,'Look ups'!G1:G4))",
    # NPV
    "=NPV(0.1,'Look ups'!D1:D5)",
    "=NPV(rate,'Look ups'!D1:D5,In!A14)",
    "=NPV(0.05,100,200)",
    "=NPV(0.1,In!A1:A6)",
    # INDEX and IF returning a range
    "=INDEX(sorted_list,2)",
    "=INDEX('Look ups'!B1:C4,3,2)",
    "=INDEX('Look ups'!B1:C4,4,2)",
    "=INDEX('Look ups'!B1:B4,2.9)",
    "=INDEX('Look ups'!D1:D5,2)",
    "=INDEX('Look ups'!C1:C4,2)&\"!\"",
    "=INDEX(In!A1:A16,In!A14)",
    "=INDEX(IF(In!A4>0,'Look ups'!B1:B4,'Look ups'!C1:C4),2)",
    "=INDEX(IF(In!A2>0,'Look ups'!B1:B4,'Look ups'!C1:C4),2)",
    # MATCH
    "=MATCH(\"BANANA\",'Look ups'!C1:C4,0)",
    "=MATCH(\"fig\",'Look ups'!C1:C4,0)",
    "=MATCH(\"b\",'Look ups'!F1:F6,0)",
    "=MATCH(3,'Look ups'!F1:F6,0)",
    "=MATCH(4,sorted_list,1)",
    "=MATCH(7,sorted_list,1)",
    "=MATCH(0,sorted_list,1)",
    "=MATCH(100,sorted_list)",
    "=MATCH(5,sorted_list,0)",
    "=MATCH(\"c\",'Look ups'!C1:C4,1)",
    "=MATCH(6,'Look ups'!G1:G4,-1)",
    "=MATCH(In!A10,sorted_list,0)",
    "=MATCH(-2.5,In!A1:A16,0)",
    "=MATCH(\"ABC\",In!A1:A16,0)",
    # COUNTIF
    "=COUNTIF(sorted_list,\"<\"&5)",
    "=COUNTIF(sorted_list,\"<=\"&5)",
    "=COUNTIF(sorted_list,\">3\")",
    "=COUNTIF(sorted_list,\"<>3\")",
    "=COUNTIF(sorted_list,3)",
    "=COUNTIF(sorted_list,\"<\"&(0.1+0.2)*10)",
    "=COUNTIF('Look ups'!C1:C4,\"banana\")",
    "=COUNTIF('Look ups'!F1:F6,\"b\")",
    "=COUNTIF('Look ups'!F1:F6,\"<>b\")",
    "=COUNTIF('Look ups'!F1:F6,\">a\")",
    "=COUNTIF('Look ups'!F1:F6,\"\")",
    "=COUNTIF('Look ups'!F1:F6,\"<>\")",
    "=COUNTIF('Look ups'!D1:D5,\"<>100\")",
    "=COUNTIF(In!A1:A16,\"<\"&In!A14)",
    "=COUNTIF(In!A1:A16,\">=0\")",
    "=COUNTIF(In!A1:A16,In!A5)",
    # INT and ROUND
    "=INT(In!A16/0.34)",
    "=INT(In!A3)",
    "=INT(In!A6)",
    "=INT(In!A9)",
    "=INT(In!A5)",
    "=ROUND(2.5,0)",
    "=ROUND(-2.5,0)",
    "=ROUND(1.005,2)",
    "=ROUND(-1.005,2)",
    "=ROUND(2.675,2)",
    "=ROUND(0.285,2)",
    "=ROUND(1.45,1)",
    "=ROUND(1234.5678,-2)",
    "=ROUND(1234.5678,1.7)",
    "=ROUND(In!A3,0)",
    "=ROUND(In!A10,2)",
    # text functions and &
    "=TRIM(\"  a   b  \")",
    "=TRIM(In!A7)&\"|\"",
    "=UPPER(In!A5)",
    "=LOWER(In!A13)",
    "=UPPER(In!A4)",
    "=UPPER(In!A10)",
    "=In!A4&\"\"",
    "=In!A15+0.2&\"\"",
    "=1/3&\"\"",
    "=2/3&\"\"",
    "=-1/3&\"\"",
    "=In!A3&\"|\"&In!A9",
    "=1234567.891&\"\"",
    "=100000000000000&\"\"",
    "=In!A4&In!A14+1",
    "=1+2&3",
    "=\"1\"&\"2\"+3",
    # IF and IFERROR
    "=IF(In!A2,1/0,\"no\")",
    "=IF(In!A4,\"yes\",1/0)",
    "=IF(In!A5,1,2)",
    "=IF(In!A10,1,2)",
    "=IF(In!A1,1)",
    "=IF(In!A3,1,2)",
    "=IF(In!E3,1,2)",
    "=IF(1,,2)",
    "=IFERROR(In!A10,\"caught\")",
    "=IFERROR(In!A4,\"caught\")",
    "=IFERROR(In!A1,\"caught\")",
    "=IFERROR(In!A11,In!A10)",
    # information functions
    "=ISNA(In!A11)",
    "=ISNA(In!A10)",
    "=ISERROR(In!A10)",
    "=ISERROR(In!A5)",
    "=ISNUMBER(In!A4)",
    "=ISNUMBER(In!A6)",
    "=ISNUMBER(In!A9)",
    "=ISNUMBER(In!A1)",
    "=ISBLANK(In!A1)",
    "=ISBLANK(In!A12)",
    "=ISBLANK(In!A2)",
    # dates and mathematics
    "=YEAR(In!A9)",
    "=YEAR(In!A9+365)",
    "=YEAR(60)",
    "=YEAR(61)",
    "=YEAR(In!A5)",
    "=NORMSINV(0.975)",
    "=NORMSINV(0.01)",
    "=NORMSINV(In!A15)",
    "=ABS(In!A3)",
    "=SQRT(In!A6)",
    "=LN(10)",
    "=EXP(1)",
    "=EXP(710)",
    "=POWER(2,10)",
    "=POWER(2,-2)",
    # references that show a blank, a text or an error
    "=In!A1",
    "=In!A12",
    "=In!A5",
    "=In!A11",
]


def build_differential_workbook(path) -> None:
    """Write the workbook of the differential test: inputs, lists, names and one formula per row of "F"."""
    workbook = openpyxl.Workbook()
    inputs = workbook.active
    inputs.title = "In"
    for address, value in DIFFERENTIAL_INPUTS.items():
        if value is not None:
            inputs[address] = value
    inputs["A9"].number_format = "yyyy-mm-dd"
    lists = workbook.create_sheet("Look ups")
    for address, value in DIFFERENTIAL_LISTS.items():
        lists[address] = value
    for name, reference in DIFFERENTIAL_NAMES.items():
        workbook.defined_names[name] = DefinedName(name, attr_text=reference)
    formulas = workbook.create_sheet("F")
    for row, formula in enumerate(DIFFERENTIAL_FORMULAS, start=1):
        formulas.cell(row, 1, formula)
    workbook.save(path)


def libreoffice_value(cell):
    """Return a recalculated cell's value in the engine's terms (``Column.value``)."""
    value = cell.value
    if cell.data_type == "e":
        return ErrorValue(value)
    if value is None and cell.data_type in ("s", "str"):
        # openpyxl reads a formula's empty text as None.
        return ""
    if isinstance(value, dt.datetime):
        # Calc gives a formula over a date the date's format, so openpyxl reads a datetime.
        return date_serial(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


@pytest.fixture(scope="module")
def differential_values(tmp_path_factory):
    """Return, per formula of DIFFERENTIAL_FORMULAS, LibreOffice's value and the engine's value."""
    require_libreoffice()
    source = tmp_path_factory.mktemp("differential") / "edge_cases.xlsx"
    build_differential_workbook(source)
    (output,) = recalculate_many([source], tmp_path_factory.mktemp("differential_recalculated"))

    recalculated = openpyxl.load_workbook(output, data_only=True)["F"]
    model = build_model(openpyxl.load_workbook(source))
    assert model.problems == {}
    values = model.evaluate()
    result = {}
    for row, formula in enumerate(DIFFERENTIAL_FORMULAS, start=1):
        engine = values[model.key("F", f"A{row}")].value(0)
        result[formula] = (libreoffice_value(recalculated.cell(row, 1)), engine)
    return result


def test_differential_formulas_are_unique():
    assert len(set(DIFFERENTIAL_FORMULAS)) == len(DIFFERENTIAL_FORMULAS)


@pytest.mark.parametrize("formula", DIFFERENTIAL_FORMULAS)
def test_engine_matches_libreoffice(differential_values, formula):
    libreoffice, engine = differential_values[formula]
    assert_same(engine, libreoffice)


# ------------------------------------------------------------------ many scenarios at once

BATCH_FORMULAS = {
    "D1": "=A1+A2*2",
    "D2": '=A1&"|"&A2',
    "D3": "=IF(A1>A2,A3,A4)",
    "D4": "=SUM(A1:A4)",
    "D5": "=MIN(A1:A4,5)",
    "D6": "=MAX(A1,A2)",
    "D7": "=COUNT(A1:A4)",
    "D8": "=AND(A1:A4)",
    "D9": "=OR(A1,A2)",
    "D10": "=NOT(A1)",
    "D11": "=INDEX(B1:B4,A1)",
    "D12": "=MATCH(A1,B1:B4,1)",
    "D13": "=MATCH(A2,C1:C4,0)",
    "D14": '=COUNTIF(B1:B4,"<"&A1)',
    "D15": "=INT(A1)",
    "D16": "=ROUND(A1,A2)",
    "D17": "=IFERROR(A1/A2,A3)",
    "D18": "=ISNUMBER(A1)",
    "D19": "=ISBLANK(A2)",
    "D20": "=UPPER(A3)&TRIM(A4)",
    "D21": "=NPV(0.1,A1:A4)",
    "D22": "=A1=A2",
    "D23": "=A3<A4",
    "D24": "=YEAR(A1)",
    "D25": "=NORMSINV(A1)",
    "D26": "=INDEX(IF(A1,B1:B4,C1:C4),2)",
    "D27": "=MATCH(A1,B1:B4,A2)",
    "D28": "=D1+D2",
    "D29": "=SUM(D1:D27)",
    "D30": "=A1^A2",
    "D31": "=-A1%",
    "D32": "=ISNA(A1)",
    "D33": "=ISERROR(D2)",
    "D34": "=COUNTIF(C1:C4,A3)",
    "D35": "=LOWER(A1)&NA()",
    "D36": "=COUNT(D35,D2)",
    "D37": "=ABS(A1)+SQRT(A2)+LN(A3)+EXP(A4)",
    "D38": "=INDEX(IF(A1,B1:B4,E1:E4),A2)",
    "D39": "=IF(A1,A2,A3)&A4",
    "D40": "=IFERROR(A1,A2)",
    "D41": "=INDEX(IF(A2,C1:C4,E1:E4),A3)&A4",
    "D42": "=SUM(IF(A4,B1:B4,E1:E4))",
}
BATCH_CONSTANTS = {
    "B1": 1,
    "B2": 3,
    "B3": 5,
    "B4": 7,
    "C1": "a",
    "C2": "B",
    "C4": 2,
    "E1": 2,
    "E2": 4,
    "E3": 6,
    "E4": 8,
}
BATCH_INPUTS = ("A1", "A2", "A3", "A4")

BATCH_MODEL = build_sheet_model({**BATCH_CONSTANTS, **BATCH_FORMULAS})

input_values = st.one_of(
    st.none(),
    st.integers(-3, 8),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.booleans(),
    st.sampled_from(["", "a", "b", "B", "2", " 1.5 ", "TRUE", "25%"]),
    st.sampled_from([NA, DIV0]),
)
scenario_inputs = st.tuples(*[input_values] * len(BATCH_INPUTS))


def same_value(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE)
    return type(a) is type(b) and a == b


def test_batch_model_compiles():
    assert BATCH_MODEL.problems == {}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenarios=st.lists(scenario_inputs, min_size=1, max_size=6),
    shared=st.lists(st.booleans(), min_size=len(BATCH_INPUTS), max_size=len(BATCH_INPUTS)),
)
def test_batch_equals_each_scenario_alone(scenarios, shared):
    # An input marked shared is one value for every scenario, a column of length 1.
    scenarios = [
        tuple(scenarios[0][i] if shared[i] else values[i] for i in range(len(BATCH_INPUTS)))
        for values in scenarios
    ]
    keys = [BATCH_MODEL.key(SHEET, cell) for cell in BATCH_INPUTS]
    batch_inputs = {
        key: column([scenarios[0][i]] if shared[i] else [values[i] for values in scenarios])
        for i, key in enumerate(keys)
    }
    batch = BATCH_MODEL.evaluate(batch_inputs)

    for index, values in enumerate(scenarios):
        alone = BATCH_MODEL.evaluate({key: column([values[i]]) for i, key in enumerate(keys)})
        for cell, formula in BATCH_FORMULAS.items():
            key = BATCH_MODEL.key(SHEET, cell)
            in_batch = batch[key].value(index)
            by_itself = alone[key].value(0)
            assert same_value(in_batch, by_itself), (
                f"{cell} {formula} with inputs {values}: {in_batch!r} in the batch, {by_itself!r} alone"
            )
