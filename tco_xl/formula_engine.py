"""Recalculate a workbook's formulas for many input scenarios at once.

The ``formulas`` package parses each formula: Excel's grammar, references,
sheet names and operator precedence. This module compiles the parsed tree
once into plain Python closures. Each closure computes a numpy column per
cell, with the cell's value in every scenario. One evaluation then
recalculates the whole workbook for N scenarios, so a thousand scenarios
take seconds instead of minutes. One compiled ``formulas`` call per scenario
took about 0.2 s on a template-sized workbook on a 2-core machine.

A cell's values are a ``Column``: a kind per scenario (blank, number,
boolean, text or error), the numbers as float64, and the texts and error
codes as objects. A column of length 1 holds a value that is the same in
every scenario; numpy broadcasting spreads it.

Only the functions the template uses are implemented, each with the
spreadsheet's rules for blanks, text, booleans and errors in references and
in values. ``build_model`` also takes custom functions, plain Python
callables that are called once per scenario. A formula that calls a function
that is neither built in nor custom, or that does not parse, evaluates to
#NAME? and is listed in ``Model.problems``.

An array formula (the legacy kind entered with Ctrl+Shift+Enter) computes
its operators and single-value arguments cell by cell over ranges, and its
result fills the formula's range with Excel's rules for arrays of another
size.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from formulas.errors import FormulaError
from formulas.parser import Parser
from formulas.tokens.function import Function
from formulas.tokens.operand import Empty, Error, Number, Range, String
from formulas.tokens.operator import Operator
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from .errors import TcoError
from .spreadsheet import snap_to_15_digits

logger = logging.getLogger(__name__)

BLANK, NUMBER, BOOL, TEXT, ERROR = range(5)

NA, VALUE, DIV0, NUM, REF, NAME = "#N/A", "#VALUE!", "#DIV/0!", "#NUM!", "#REF!", "#NAME?"
ERROR_CODES = (NA, VALUE, DIV0, NUM, REF, NAME, "#NULL!")

# Day 0 of the 1900 date system as Excel and LibreOffice count it (serial 1 is 1900-01-01,
# with Excel's phantom 29 February 1900 before serial 61).
EPOCH = dt.datetime(1899, 12, 30)

# The largest range a formula may refer to; the template's largest table has a few hundred cells.
MAX_RANGE_CELLS = 100_000

CellKey = tuple[str, int, int]
"""A cell: the sheet's title in upper case, the row and the column, both from 1."""


class EngineError(TcoError):
    """A workbook's formulas cannot be evaluated as a whole, for example because of a circular reference.

    ``key`` is the cell where the problem was found, when there is one.
    """

    def __init__(self, message: str, key: CellKey | None = None):
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class ErrorValue:
    """A spreadsheet error value such as #DIV/0!, as a scenario's value of a cell."""

    code: str

    def __str__(self) -> str:
        return self.code


class Column:
    """The values of one cell in each scenario."""

    __slots__ = ("kind", "num", "obj")

    def __init__(self, kind: np.ndarray, num: np.ndarray, obj: np.ndarray | None):
        self.kind = kind
        self.num = num
        self.obj = obj

    def __len__(self) -> int:
        return len(self.kind)

    def value(self, index: int = 0):
        """Return scenario ``index``'s value: None for blank, a float, bool or str, or an ``ErrorValue``."""
        i = index if len(self.kind) > 1 else 0
        kind = self.kind[i]
        if kind == BLANK:
            return None
        if kind == NUMBER:
            return float(self.num[i])
        if kind == BOOL:
            return bool(self.num[i])
        if kind == TEXT:
            return self.obj[i]
        return ErrorValue(self.obj[i])


class Block:
    """The values of a rectangular range in each scenario: arrays of shape (cells, scenarios), row by row."""

    __slots__ = ("kind", "num", "obj", "rows", "columns", "lookups")

    def __init__(self, kind, num, obj, rows: int, columns: int):
        self.kind, self.num, self.obj = kind, num, obj
        self.rows, self.columns = rows, columns
        # MATCH's index of each scenario's values, built on first use.
        self.lookups: dict[int, tuple[list, dict]] = {}

    def cell(self, index: int) -> Column:
        """Return the values of the block's cell ``index`` (row by row, from 0) as a column."""
        return Column(self.kind[index], self.num[index], None if self.obj is None else self.obj[index])


def _kinds(kind: int, n: int = 1) -> np.ndarray:
    return np.full(n, kind, dtype=np.int8)


def constant(value) -> Column:
    """Return the column of a value that is the same in every scenario."""
    return column([value])


def column(values: Iterable) -> Column:
    """Return the column of one value per scenario (None blank, numbers, bools, text, dates, ``ErrorValue``)."""
    values = list(values)
    n = len(values)
    kind = np.empty(n, dtype=np.int8)
    num = np.zeros(n)
    obj = None
    for i, value in enumerate(values):
        if value is None:
            kind[i] = BLANK
        elif isinstance(value, bool):
            kind[i], num[i] = BOOL, float(value)
        elif isinstance(value, (int, float, np.integer, np.floating)):
            kind[i], num[i] = NUMBER, float(value)
        elif isinstance(value, (dt.datetime, dt.date)):
            kind[i], num[i] = NUMBER, date_serial(value)
        else:
            if obj is None:
                obj = np.full(n, None, dtype=object)
            if isinstance(value, ErrorValue):
                kind[i], obj[i] = ERROR, value.code
            else:
                kind[i], obj[i] = TEXT, str(value)
    return Column(kind, num, obj)


def date_serial(value: dt.date | dt.datetime) -> float:
    """Return the spreadsheet serial number of a date or date and time."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    serial = (value - EPOCH) / dt.timedelta(days=1)
    # Before March 1900 there is no phantom 29 February to count, so serial 1 is 1900-01-01.
    return serial - 1 if serial < 61 else serial


BLANK_COLUMN = Column(_kinds(BLANK), np.zeros(1), None)


# ------------------------------------------------------------------ coercion


def _nones(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def _is_none(obj: np.ndarray) -> np.ndarray:
    return np.equal(obj, None)


def _first_error(*errors):
    """Return, per scenario, the first error code of the arguments in order, or None when no argument has one."""
    result = None
    for error in errors:
        if error is None:
            continue
        result = error if result is None else np.where(_is_none(result), error, result)
    return result


def _errors_of(c: Column):
    """Return the error codes of a column (None where there is none), or None when it has no error."""
    if c.obj is None or not (c.kind == ERROR).any():
        return None
    return np.where(c.kind == ERROR, c.obj, None)


def parse_number_text(text: str) -> float | None:
    """Return the number a text stands for in arithmetic ("12", " 1.5 ", "25%"), or None."""
    text = text.strip()
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1].strip(), 0.01
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number) or text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        return None
    return number * scale


def _numbers(c: Column):
    """Return the values as numbers for arithmetic, with #VALUE! for text that is no number."""
    if c.obj is None:
        return c.num, None
    num, error = c.num, _errors_of(c)
    text = np.flatnonzero(c.kind == TEXT)
    if len(text):
        num = num.copy()
        error = error if error is not None else _nones(len(c.kind))
        for i in text:
            parsed = parse_number_text(c.obj[i])
            if parsed is None:
                error[i] = VALUE
            else:
                num[i] = parsed
        if _is_none(error).all():
            error = None
    return num, error


def _booleans(c: Column):
    """Return the values as conditions: numbers are true when not 0, "TRUE" and "FALSE" texts count."""
    if c.obj is None:
        return c.num != 0, None
    truth = c.num != 0
    error = _errors_of(c)
    text = np.flatnonzero(c.kind == TEXT)
    if len(text):
        truth = truth.copy()
        error = error if error is not None else _nones(len(c.kind))
        for i in text:
            word = c.obj[i].strip().upper()
            if word in ("TRUE", "FALSE"):
                truth[i] = word == "TRUE"
            else:
                error[i] = VALUE
        if _is_none(error).all():
            error = None
    return truth, error


def number_text(x: float) -> str:
    """Return a number as the spreadsheet's General format shows it in text: up to 15 significant digits."""
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.15g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}E{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent)):02d}"
    return text


def _texts(c: Column):
    """Return the values as texts (object array) for text functions and &, with their errors."""
    n = len(c.kind)
    # Blanks and errors start as "" so that & can add two arrays. The error codes then replace the errors' texts.
    texts = np.full(n, "", dtype=object)
    for i in range(n):
        kind = c.kind[i]
        if kind == NUMBER:
            texts[i] = number_text(float(c.num[i]))
        elif kind == BOOL:
            texts[i] = "TRUE" if c.num[i] else "FALSE"
        elif kind == TEXT:
            texts[i] = c.obj[i]
    return texts, _errors_of(c)


# ------------------------------------------------------------------ results


def numeric(num: np.ndarray, error=None) -> Column:
    """Return numbers as a column; scenarios with an error code, or an infinite or NaN result, become errors."""
    num = np.asarray(num, dtype=float)
    bad = ~np.isfinite(num)
    if error is None and not bad.any():
        return Column(np.full(num.shape, NUMBER, dtype=np.int8), num, None)
    error = _nones(len(num)) if error is None else np.array(np.broadcast_to(error, num.shape), dtype=object)
    error[bad & _is_none(error)] = NUM
    failed = ~_is_none(error)
    return Column(np.where(failed, ERROR, NUMBER).astype(np.int8), np.where(failed, 0.0, num), error)


def booleans(truth: np.ndarray, error=None) -> Column:
    """Return booleans as a column, with errors where ``error`` has a code."""
    truth = np.asarray(truth, dtype=bool)
    if error is None:
        return Column(np.full(truth.shape, BOOL, dtype=np.int8), truth.astype(float), None)
    error = np.array(np.broadcast_to(error, truth.shape), dtype=object)
    failed = ~_is_none(error)
    return Column(np.where(failed, ERROR, BOOL).astype(np.int8), np.where(failed, 0.0, truth.astype(float)), error)


def texts(values: np.ndarray, error=None) -> Column:
    """Return texts (an object array) as a column, with errors where ``error`` has a code."""
    n = len(values)
    if error is None:
        return Column(_kinds(TEXT, n), np.zeros(n), values)
    failed = np.broadcast_to(~_is_none(error), values.shape)
    return Column(np.where(failed, ERROR, TEXT).astype(np.int8), np.zeros(n), np.where(failed, error, values))


def errors(code: str, n: int = 1) -> Column:
    return Column(_kinds(ERROR, n), np.zeros(n), np.full(n, code, dtype=object))


def _pick(condition: np.ndarray, when_true: Column, when_false: Column) -> Column:
    """Return per scenario the value of ``when_true`` where ``condition`` holds, else of ``when_false``."""
    kind = np.where(condition, when_true.kind, when_false.kind).astype(np.int8)
    num = np.where(condition, when_true.num, when_false.num)
    if when_true.obj is None and when_false.obj is None:
        return Column(kind, num, None)
    a = when_true.obj if when_true.obj is not None else _nones(1)
    b = when_false.obj if when_false.obj is not None else _nones(1)
    # Broadcast so that the texts have one entry per scenario even where only the numbers vary.
    condition = np.broadcast_to(condition, kind.shape)
    return Column(kind, num, np.where(condition, a, b))


def _with_error(c: Column, error) -> Column:
    """Return ``c`` with the scenarios that have an error code in ``error`` replaced by that error."""
    if error is None:
        return c
    failed = ~_is_none(error)
    if not failed.any():
        return c
    obj = c.obj if c.obj is not None else _nones(1)
    kind = np.where(failed, ERROR, c.kind).astype(np.int8)
    failed = np.broadcast_to(failed, kind.shape)
    return Column(kind, np.where(failed, 0.0, c.num), np.where(failed, error, obj))


# ------------------------------------------------------------------ operators


def _arithmetic(operation):
    def apply(a: Column, b: Column) -> Column:
        x, ex = _numbers(a)
        y, ey = _numbers(b)
        with np.errstate(all="ignore"):
            result, own = operation(x, y)
        return numeric(result, _first_error(ex, ey, own))

    return apply


def _divide(x, y):
    zero = y == 0
    own = np.where(zero, DIV0, None) if zero.any() else None
    return np.where(zero, 0.0, x / np.where(zero, 1.0, y)), own


def _power(x, y):
    result = np.power(x, y)
    bad = (x == 0) & (y < 0)
    own = np.where(bad, DIV0, None) if bad.any() else None
    return result, own


ARITHMETIC = {
    "+": _arithmetic(lambda x, y: (x + y, None)),
    "-": _arithmetic(lambda x, y: (x - y, None)),
    "*": _arithmetic(lambda x, y: (x * y, None)),
    "/": _arithmetic(_divide),
    "^": _arithmetic(_power),
}

COMPARISONS = {
    "=": lambda c: c == 0,
    "<>": lambda c: c != 0,
    "<": lambda c: c < 0,
    ">": lambda c: c > 0,
    "<=": lambda c: c <= 0,
    ">=": lambda c: c >= 0,
}

# The order of types in a comparison: every number is below every text, every text below FALSE.
TYPE_RANK = {NUMBER: 0, TEXT: 1, BOOL: 2}


def _number_order(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return the sign of x - y after rounding both to 15 significant digits.

    Excel users report that Excel compares this way (Microsoft does not document it), so
    0.1 + 0.2 = 0.3 is TRUE but 1.2 - 1.1 = 0.1 is FALSE. LibreOffice 7.4 instead counts numbers
    within a relative 2^-48 as equal and finds both TRUE. Rounding never reverses an order, so
    only pairs within a relative 1e-14 of each other can become equal, and only they are rounded.
    """
    x, y = np.broadcast_arrays(x, y)
    order = np.sign(x - y)
    with np.errstate(invalid="ignore"):
        near = (order != 0) & (np.abs(x - y) <= 1e-14 * np.maximum(np.abs(x), np.abs(y)))
    if near.any():
        order = order.copy()
        order[near] = np.sign(_to_15_digits(x[near]) - _to_15_digits(y[near]))
    return order


def _lower_texts(kind: np.ndarray, obj: np.ndarray | None) -> np.ndarray:
    """Return the texts in lower case where ``kind`` is text and "" elsewhere, for comparisons."""
    result = np.full(len(kind), "", dtype=object)
    if obj is not None:
        for i in np.flatnonzero(kind == TEXT):
            result[i] = obj[i].lower()
    return result


def _comparison(symbol: str):
    test = COMPARISONS[symbol]

    def apply(a: Column, b: Column) -> Column:
        if a.obj is None and b.obj is None and not (a.kind == BOOL).any() and not (b.kind == BOOL).any():
            return booleans(test(_number_order(a.num, b.num)))
        n = max(len(a.kind), len(b.kind))
        ka, kb = np.broadcast_to(a.kind, n), np.broadcast_to(b.kind, n)
        xa, xb = np.broadcast_to(a.num, n), np.broadcast_to(b.num, n)
        # A blank compares as 0, "" or FALSE: it takes the type of the other side.
        ka, kb = np.where(ka == BLANK, kb, ka), np.where(kb == BLANK, ka, kb)
        rank = np.array([0, 0, 2, 1, 0])
        ra, rb = rank[ka], rank[kb]
        order = np.sign(ra - rb).astype(float)
        same = ra == rb
        numbers = same & (ka != TEXT)
        order = np.where(numbers, _number_order(xa, xb), order)
        textual = same & (ka == TEXT)
        if textual.any():
            ta = _lower_texts(np.where(textual, np.broadcast_to(a.kind, n), BLANK), None if a.obj is None else np.broadcast_to(a.obj, n))
            tb = _lower_texts(np.where(textual, np.broadcast_to(b.kind, n), BLANK), None if b.obj is None else np.broadcast_to(b.obj, n))
            text_order = np.greater(ta, tb).astype(float) - np.less(ta, tb).astype(float)
            order = np.where(textual, text_order, order)
        return booleans(test(order), _first_error(_errors_of(a), _errors_of(b)))

    return apply


def _concatenate(a: Column, b: Column) -> Column:
    ta, ea = _texts(a)
    tb, eb = _texts(b)
    return texts(ta + tb, _first_error(ea, eb))


BINARY = {**ARITHMETIC, **{symbol: _comparison(symbol) for symbol in COMPARISONS}, "&": _concatenate}


def _negate(a: Column) -> Column:
    x, error = _numbers(a)
    return numeric(-x, error)


def _percent(a: Column) -> Column:
    x, error = _numbers(a)
    return numeric(x / 100.0, error)


UNARY = {"u-": _negate, "u+": lambda a: a, "%": _percent}


# ------------------------------------------------------------------ argument helpers


def _block_of(value) -> Block:
    """Return a range value as a block; a single value is a 1 x 1 block."""
    if isinstance(value, Block):
        return value
    obj = None if value.obj is None else value.obj[None, :]
    return Block(value.kind[None, :], value.num[None, :], obj, 1, 1)


def _numbers_in(value, is_reference: bool):
    """Return (numbers, counted mask, error) of an argument of SUM, MIN, MAX, COUNT or NPV.

    In a reference only numbers count, so text, booleans and blanks are
    skipped. A value typed as an argument counts when it converts to a number.
    """
    block = _block_of(value)
    kind = block.kind
    error = None
    if block.obj is not None and (kind == ERROR).any():
        first = np.argmax(kind == ERROR, axis=0)
        has = (kind == ERROR).any(axis=0)
        codes = block.obj[first, np.arange(kind.shape[1])]
        error = np.where(has, codes, None)
    if is_reference:
        return block.num, kind == NUMBER, error
    c = block.cell(0)
    num, error = _numbers(c)
    return num[None, :], np.ones((1, len(num)), dtype=bool), error


def _width(*arrays) -> int:
    return max(np.shape(a)[-1] for a in arrays)


# ------------------------------------------------------------------ functions


def fn_if(condition: Column, when_true=None, when_false=None):
    truth, error = _booleans(condition)
    when_true = when_true if when_true is not None else booleans(np.ones(1, dtype=bool))
    when_false = when_false if when_false is not None else booleans(np.zeros(1, dtype=bool))
    if isinstance(when_true, Block) or isinstance(when_false, Block):
        return _pick_block(truth, error, _block_of(when_true), _block_of(when_false))
    return _with_error(_pick(truth, when_true, when_false), error)


def _pick_block(truth, error, a: Block, b: Block) -> Block | Column:
    # NOTE: Excel returns the chosen range whatever the shape of the other. Here ranges of different
    # shapes give #VALUE!, because the scenarios of one column may choose differently.
    if (a.rows, a.columns) != (b.rows, b.columns):
        return errors(VALUE, len(truth))
    kind = np.where(truth[None, :], a.kind, b.kind).astype(np.int8)
    num = np.where(truth[None, :], a.num, b.num)
    obj = None
    # Texts and error codes take the block's full shape, even where only one side varies by scenario.
    if a.obj is not None or b.obj is not None:
        pick = np.broadcast_to(truth[None, :], kind.shape)
        obj = np.where(pick, a.obj if a.obj is not None else None, b.obj if b.obj is not None else None)
    if error is not None:
        failed = ~_is_none(error)
        kind = np.where(failed[None, :], ERROR, kind).astype(np.int8)
        failed = np.broadcast_to(failed[None, :], kind.shape)
        obj = np.where(failed, error[None, :], obj if obj is not None else None)
    return Block(kind, num, obj, a.rows, a.columns)


def fn_iferror(value: Column, fallback: Column) -> Column:
    return _pick(value.kind == ERROR, fallback, value)


def fn_and_or(combine):
    def apply(args, references):
        n = _width(*(a.kind for a in args))
        result = np.full(n, combine is np.logical_and, dtype=bool)
        seen = np.zeros(n, dtype=bool)
        error = None
        for value, is_reference in zip(args, references):
            block = _block_of(value)
            for cell in range(block.kind.shape[0]):
                c = block.cell(cell)
                counted = (c.kind == NUMBER) | (c.kind == BOOL)
                if is_reference:
                    truth, own = c.num != 0, _errors_of(c)
                else:
                    truth, own = _booleans(c)
                    counted = counted | (c.kind == TEXT)
                result = np.where(counted, combine(result, truth), result)
                seen = seen | counted
                error = _first_error(error, own)
        if not seen.all():
            error = _first_error(error, np.where(seen, None, VALUE))
        return booleans(result, error)

    return apply


def fn_not(value: Column) -> Column:
    truth, error = _booleans(value)
    return booleans(~truth, error)


def _aggregate(reduce, empty: float):
    def apply(args, references):
        parts, masks, error = [], [], None
        for value, is_reference in zip(args, references):
            num, counted, own = _numbers_in(value, is_reference)
            parts.append(num)
            masks.append(counted)
            error = _first_error(error, own)
        n = _width(*parts)
        num = np.concatenate([np.broadcast_to(p, (p.shape[0], n)) for p in parts])
        counted = np.concatenate([np.broadcast_to(m, (m.shape[0], n)) for m in masks])
        return numeric(reduce(num, counted, empty), error)

    return apply


def _sum(num, counted, empty):
    return np.where(counted, num, 0.0).sum(axis=0)


def _max(num, counted, empty):
    return np.where(counted.any(axis=0), np.where(counted, num, -np.inf).max(axis=0), empty)


def _min(num, counted, empty):
    return np.where(counted.any(axis=0), np.where(counted, num, np.inf).min(axis=0), empty)


def fn_count(args, references):
    total = None
    for value, is_reference in zip(args, references):
        block = _block_of(value)
        if is_reference:
            counted = (block.kind == NUMBER).sum(axis=0)
        else:
            c = block.cell(0)
            num, error = _numbers(c)
            counted = np.ones(len(num)) if error is None else _is_none(error).astype(float)
        total = counted if total is None else total + counted
    return numeric(total)


def fn_sumproduct(args, references):
    """Return the sum of the products of same-sized ranges; entries that are not numbers count as 0."""
    blocks = [_block_of(value) for value in args]
    n = _width(*(block.kind for block in blocks))
    shape = (blocks[0].rows, blocks[0].columns)
    if any((block.rows, block.columns) != shape for block in blocks):
        return errors(VALUE, n)
    product = np.ones((shape[0] * shape[1], n))
    error = None
    for value in args:
        num, counted, own = _numbers_in(value, True)
        product = product * np.where(counted, num, 0.0)
        error = _first_error(error, own)
    return numeric(product.sum(axis=0), error)


def fn_npv(args, references):
    rate, rate_error = _numbers(args[0])
    parts, masks, error = [], [], rate_error
    for value, is_reference in zip(args[1:], references[1:]):
        num, counted, own = _numbers_in(value, is_reference)
        parts.append(num)
        masks.append(counted)
        error = _first_error(error, own)
    n = _width(rate, *parts)
    num = np.concatenate([np.broadcast_to(p, (p.shape[0], n)) for p in parts])
    counted = np.concatenate([np.broadcast_to(m, (m.shape[0], n)) for m in masks])
    # Only counted values take a period: blanks and text in a reference are skipped.
    period = np.cumsum(counted, axis=0)
    with np.errstate(all="ignore"):
        discounted = np.where(counted, num / (1.0 + rate) ** period, 0.0)
    return numeric(discounted.sum(axis=0), error)


def fn_index(table, row: Column, col: Column | None = None) -> Column:
    block = _block_of(table)
    r, row_error = _numbers(row)
    c, col_error = _numbers(col) if col is not None else (np.ones(1), None)
    if col is None and block.rows == 1:
        # INDEX(row range, k) takes the k-th column.
        r, c = np.ones(1), r
    n = _width(r, c, block.kind)
    r = np.broadcast_to(np.trunc(r), n).astype(np.int64)
    c = np.broadcast_to(np.trunc(c), n).astype(np.int64)
    outside = (r < 1) | (r > block.rows) | (c < 1) | (c > block.columns)
    cell = np.clip((r - 1) * block.columns + (c - 1), 0, block.rows * block.columns - 1)
    scenario = np.arange(n) if block.kind.shape[1] > 1 else np.zeros(n, dtype=np.int64)
    picked = Column(
        block.kind[cell, scenario],
        block.num[cell, scenario],
        None if block.obj is None else block.obj[cell, scenario],
    )
    picked = _with_error(picked, np.where(outside, REF, None) if outside.any() else None)
    # A blank cell picked by INDEX counts as 0 in the formula that uses it, like a reference.
    return _with_error(picked, _first_error(row_error, col_error))


def _match_key(kind, num, obj):
    if kind == NUMBER:
        return (0, float(num))
    if kind == TEXT:
        return (1, obj.lower())
    if kind == BOOL:
        return (2, bool(num))
    return None


def _lookup_index(block: Block, scenario: int) -> tuple[list, dict]:
    """Return the keys of a block's cells in one scenario and the first position of each key."""
    cached = block.lookups.get(scenario)
    if cached is None:
        obj = block.obj
        keys = [
            _match_key(block.kind[k, scenario], block.num[k, scenario], None if obj is None else obj[k, scenario])
            for k in range(block.kind.shape[0])
        ]
        first = {}
        for position, key in enumerate(keys):
            if key is not None:
                first.setdefault(key, position)
        cached = block.lookups[scenario] = (keys, first)
    return cached


def fn_match(lookup: Column, table, match_type: Column | None = None) -> Column:
    block = _block_of(table)
    kinds, kind_error = _numbers(match_type) if match_type is not None else (np.ones(1), None)
    n = _width(lookup.kind, block.kind, kinds)
    position = np.zeros(n)
    error = _nones(n)
    lookup_obj = lookup.obj if lookup.obj is not None else _nones(len(lookup.kind))
    for i in range(n):
        li = i if len(lookup.kind) > 1 else 0
        ti = i if block.kind.shape[1] > 1 else 0
        mi = i if len(kinds) > 1 else 0
        if lookup.kind[li] == ERROR:
            error[i] = lookup_obj[li]
            continue
        if kind_error is not None and kind_error[mi] is not None:
            error[i] = kind_error[mi]
            continue
        key = _match_key(lookup.kind[li], lookup.num[li], lookup_obj[li])
        if lookup.kind[li] == BLANK:
            key = (0, 0.0)
        keys, first = _lookup_index(block, ti)
        found = first.get(key) if kinds[mi] == 0 else _find_sorted(keys, key, kinds[mi])
        if found is None:
            error[i] = NA
        else:
            position[i] = found + 1
    return numeric(position, None if _is_none(error).all() else error)


def _find_sorted(keys, key, match_type: float) -> int | None:
    """Return the last position at or below the key (type 1) or at or above it (type -1) in a sorted range."""
    found = None
    for index, candidate in enumerate(keys):
        if candidate is None or candidate[0] != key[0]:
            continue
        if (match_type > 0 and candidate[1] <= key[1]) or (match_type < 0 and candidate[1] >= key[1]):
            found = index
        else:
            break
    return found


CRITERION_OPERATORS = ("<=", ">=", "<>", "<", ">", "=")


def fn_countif(table, criterion: Column) -> Column:
    block = _block_of(table)
    texts_, error = _texts(criterion)
    n = _width(block.kind, criterion.kind)
    counts = np.zeros(n)
    for i in range(n):
        ci = i if len(texts_) > 1 else 0
        ti = i if block.kind.shape[1] > 1 else 0
        if error is not None and error[ci] is not None:
            continue
        counts[i] = _count_matching(block, ti, texts_[ci])
    return numeric(counts)


def _count_matching(block: Block, scenario: int, criterion: str) -> int:
    # NOTE: Excel's wildcards * and ? in a text criterion are not supported. Here they match only themselves.
    symbol = next((s for s in CRITERION_OPERATORS if criterion.startswith(s)), "=")
    operand = criterion[len(symbol) :] if criterion.startswith(symbol) else criterion
    target = parse_number_text(operand) if operand.strip() else None
    test = COMPARISONS[symbol]
    count = 0
    for k in range(block.kind.shape[0]):
        kind = block.kind[k, scenario]
        if target is not None:
            if kind == NUMBER:
                value = float(block.num[k, scenario])
                count += bool(test(int(value > target) - int(value < target)))
            elif symbol == "<>":
                count += 1
        elif kind == TEXT:
            value = block.obj[k, scenario].lower()
            count += bool(test(int(value > operand.lower()) - int(value < operand.lower())))
        elif symbol == "<>":
            # A cell that is no text differs from a text criterion, and "<>" alone counts the cells that are not blank.
            count += operand != "" or kind != BLANK
        elif kind == BLANK and operand == "":
            count += symbol == "="
    return count


def fn_int(value: Column) -> Column:
    x, error = _numbers(value)
    # Spreadsheets round to 15 significant digits before INT, as tco_xl.spreadsheet explains.
    return numeric(np.floor(snap_to_15_digits(x)), error)


def fn_round(value: Column, digits: Column) -> Column:
    x, ex = _numbers(value)
    d, ed = _numbers(digits)
    with np.errstate(all="ignore"):
        scale = 10.0 ** np.trunc(d)
        # Rounding the scaled value to 15 significant digits first makes ROUND(1.005, 2) give 1.01 as
        # in Excel and LibreOffice, although 1.005 * 100 is 100.49999999999999 in binary.
        scaled = _to_15_digits(np.abs(x) * scale)
        result = np.sign(x) * np.floor(scaled + 0.5) / scale
    return numeric(result, _first_error(ex, ed))


def _to_15_digits(x: np.ndarray) -> np.ndarray:
    """Return the values rounded to 15 significant digits (decimal, correctly rounded)."""
    return np.array([float(f"{v:.15g}") for v in np.ravel(x)]).reshape(np.shape(x))


def _math(function, valid=None):
    def apply(value: Column) -> Column:
        x, error = _numbers(value)
        with np.errstate(all="ignore"):
            result = function(x)
        if valid is not None:
            bad = ~valid(x)
            if bad.any():
                error = _first_error(error, np.where(bad, NUM, None))
        return numeric(result, error)

    return apply


def fn_power(base: Column, exponent: Column) -> Column:
    return ARITHMETIC["^"](base, exponent)


def _normsinv(p):
    distribution = statistics.NormalDist()
    return np.array([distribution.inv_cdf(x) if 0 < x < 1 else np.nan for x in np.atleast_1d(p)])


def fn_year(value: Column) -> Column:
    x, error = _numbers(value)
    return numeric(np.array([_year(float(serial)) for serial in x]), error)


def _year(serial: float) -> float:
    if not 0 <= serial < 2958466:
        return np.nan
    if serial < 61:
        # Excel counts serials 0 to 60 in 1900: 0 is 0 January and 60 the phantom 29 February.
        return 1900.0
    return float((EPOCH + dt.timedelta(days=serial)).year)


def _text_function(transform):
    def apply(value: Column) -> Column:
        values, error = _texts(value)
        return texts(np.array([transform(v) if v is not None else None for v in values], dtype=object), error)

    return apply


def fn_isnumber(value: Column) -> Column:
    return booleans(value.kind == NUMBER)


def fn_iserror(value: Column) -> Column:
    return booleans(value.kind == ERROR)


def fn_isna(value: Column) -> Column:
    if value.obj is None:
        return booleans(np.zeros(len(value.kind), dtype=bool))
    return booleans((value.kind == ERROR) & np.equal(value.obj, NA))


def fn_isblank(value: Column) -> Column:
    return booleans(value.kind == BLANK)


def _trim(text: str) -> str:
    # Spreadsheet TRIM removes leading and trailing spaces and collapses runs of spaces inside.
    return " ".join(part for part in text.split(" ") if part)


# Functions taking plain values: each argument arrives as a Column (or a Block for a range).
VALUE_FUNCTIONS: dict[str, Callable] = {
    "IF": fn_if,
    "IFERROR": fn_iferror,
    "NOT": fn_not,
    "INDEX": fn_index,
    "MATCH": fn_match,
    "COUNTIF": fn_countif,
    "INT": fn_int,
    "ROUND": fn_round,
    "ABS": _math(np.abs),
    "SQRT": _math(np.sqrt, lambda x: x >= 0),
    "LN": _math(np.log, lambda x: x > 0),
    "EXP": _math(np.exp),
    "POWER": fn_power,
    "NORMSINV": _math(_normsinv, lambda x: (x > 0) & (x < 1)),
    "YEAR": fn_year,
    "UPPER": _text_function(str.upper),
    "LOWER": _text_function(str.lower),
    "TRIM": _text_function(_trim),
    "ISNUMBER": fn_isnumber,
    "ISERROR": fn_iserror,
    "ISNA": fn_isna,
    "ISBLANK": fn_isblank,
    "NA": lambda: errors(NA),
    "TRUE": lambda: booleans(np.ones(1, dtype=bool)),
    "FALSE": lambda: booleans(np.zeros(1, dtype=bool)),
}

# Functions whose arguments follow reference rules: they receive the values and whether each is a reference.
REFERENCE_FUNCTIONS: dict[str, Callable] = {
    "SUM": _aggregate(_sum, 0.0),
    "MAX": _aggregate(_max, 0.0),
    "MIN": _aggregate(_min, 0.0),
    "COUNT": fn_count,
    "NPV": fn_npv,
    "SUMPRODUCT": fn_sumproduct,
    "AND": fn_and_or(np.logical_and),
    "OR": fn_and_or(np.logical_or),
}

# Arguments that are ranges by nature; any other argument given a range is reduced to its first cell.
RANGE_ARGUMENTS = {"INDEX": {0}, "MATCH": {1}, "COUNTIF": {0}, "IF": {1, 2}}

SUPPORTED_FUNCTIONS = frozenset(VALUE_FUNCTIONS) | frozenset(REFERENCE_FUNCTIONS)


# ------------------------------------------------------------------ arrays


def _cell_at(value, row: int, col: int) -> Column:
    """Return cell (row, col) of a value spread over a larger array, as Excel spreads arrays.

    A single value fills every cell, a block of one row repeats down and one
    of one column repeats across. Cells beyond the block's size are #N/A.
    """
    if not isinstance(value, Block):
        return value
    row = 0 if value.rows == 1 else row
    col = 0 if value.columns == 1 else col
    if row >= value.rows or col >= value.columns:
        return errors(NA)
    return value.cell(row * value.columns + col)


def _elementwise(operation, values: list, whole: frozenset = frozenset()):
    """Apply ``operation`` cell by cell over the blocks among ``values``, passing the arguments in ``whole`` unchanged.

    The result takes the largest rows and columns of those blocks, and
    ``_cell_at`` spreads the smaller ones. Without such a block, ``operation``
    is called once with ``values``.
    """
    shapes = [(v.rows, v.columns) for i, v in enumerate(values) if isinstance(v, Block) and i not in whole]
    if not shapes:
        return operation(*values)
    rows = max(shape[0] for shape in shapes)
    columns = max(shape[1] for shape in shapes)
    cells = []
    for row in range(rows):
        for col in range(columns):
            args = [v if i in whole else _cell_at(v, row, col) for i, v in enumerate(values)]
            cells.append(_single(operation(*args)))
    return _stack(cells, rows, columns)


# ------------------------------------------------------------------ custom functions


def _function_name(name: str) -> str:
    """Return a function's name as formulas are matched against it: upper case, without Excel's prefixes."""
    return name.upper().removeprefix("_XLFN.").removeprefix("_XLUDF.")


def _custom_functions(functions: Mapping[str, Callable] | None) -> dict[str, Callable]:
    """Return the custom functions by ``_function_name``, and raise ValueError on a name that is built in or repeated."""
    result: dict[str, Callable] = {}
    spelled: dict[str, str] = {}
    for name, function in (functions or {}).items():
        key = _function_name(name)
        if key in SUPPORTED_FUNCTIONS:
            raise ValueError(f"the custom function {name!r} has the name of a built-in function; rename it")
        if key in result:
            raise ValueError(
                f"the custom functions {spelled[key]!r} and {name!r} differ only in case or prefix, "
                "which formulas ignore; pass one of them"
            )
        if not callable(function):
            raise TypeError(f"the custom function {name!r} is not callable: {function!r}")
        result[key] = function
        spelled[key] = name
    return result


def _call_custom(name: str, function: Callable, values: list) -> Column | Block:
    """Call a custom function once per scenario with plain Python values and return its results as a column or block.

    A range arrives as a tuple of rows, each a tuple. When every argument is the same in
    all scenarios, the function is called once.
    """
    n = _width(*(v.kind for v in values)) if values else 1
    # Each argument's plain values are made once for all scenarios. An argument that is the
    # same in all scenarios is one object, passed again in each call.
    plain = [_plain_values(value) for value in values]
    results, failures = [], []
    for scenario in range(n):
        args = []
        for value, scenarios in zip(values, plain):
            index = scenario if len(scenarios) > 1 else 0
            args.append(scenarios[index])
        try:
            result = _custom_result(function(*args))
        except Exception as error:  # Excel shows #VALUE! for a user-defined function that fails, whatever it raises
            failures.append((scenario, error))
            result = ErrorValue(VALUE)
        results.append(result)
    if failures:
        scenario, error = failures[0]
        logger.debug(
            "custom function %s failed in %d of %d scenarios, first in scenario %d: %r",
            name, len(failures), n, scenario, error, exc_info=error,
        )
    return _combine_results(results)


def _plain_values(value: Column | Block) -> list:
    """Return an argument's plain value per scenario: a value for a column, a tuple of rows for a block."""
    if isinstance(value, Column):
        return [value.value(scenario) for scenario in range(len(value.kind))]
    kind, width = value.kind, value.kind.shape[1]
    table = np.full(kind.shape, None, dtype=object)
    numbers = kind == NUMBER
    table[numbers] = value.num[numbers]
    truths = kind == BOOL
    table[truths] = value.num[truths] != 0
    if value.obj is not None:
        texts = kind == TEXT
        table[texts] = value.obj[texts]
        for position in zip(*np.nonzero(kind == ERROR)):
            table[position] = ErrorValue(value.obj[position])
    # tolist turns numpy floats and booleans into Python ones. Tuples keep a range that is
    # passed to every scenario's call from being changed by one of them.
    return [tuple(map(tuple, table[:, scenario].reshape(value.rows, value.columns).tolist())) for scenario in range(width)]


def _custom_result(result):
    """Return a custom function's result as a plain value, or as a list of rows when it is an array larger than 1 x 1.

    A flat list is one row, as xlwings writes a 1-D list across a row (its
    data structures tutorial, version 0.23). Results of other types become #VALUE!.
    """
    if isinstance(result, np.ndarray):
        result = result.tolist()
    if not isinstance(result, (list, tuple)):
        return _custom_scalar(result)
    rows = result if any(isinstance(item, (list, tuple)) for item in result) else [result]
    if not all(isinstance(row, (list, tuple)) and len(row) > 0 for row in rows):
        return ErrorValue(VALUE)
    rows = [[_custom_scalar(item) for item in row] for row in rows]
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return rows


def _custom_scalar(value):
    """Return one value of a custom function's result as None, float (also for a date), bool, str or ``ErrorValue``."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, ErrorValue):
        return value if value.code in ERROR_CODES else ErrorValue(VALUE)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return date_serial(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        try:
            number = float(value)
        except OverflowError:
            return ErrorValue(NUM)
        # A spreadsheet has no infinite or NaN numbers, so they become #NUM!, as in this module's arithmetic.
        return number if math.isfinite(number) else ErrorValue(NUM)
    return ErrorValue(VALUE)


def _combine_results(results: list) -> Column | Block:
    """Return the scenarios' results as a column, or as a block when any scenario returned an array.

    The block has the largest rows and columns of the arrays. A scenario's
    cells beyond its own array are #N/A, as Excel shows the unused cells of
    an array formula's range, and a single value takes the first cell.
    """
    # NOTE: Excel would repeat a single value, row or column over a larger range. That happens
    # only when every scenario returns the same shape, because a block has one shape for all.
    arrays = [r for r in results if isinstance(r, list)]
    if not arrays:
        return column(results)
    rows = max(len(r) for r in arrays)
    columns = max(len(row) for r in arrays for row in r)
    cells = []
    for i in range(rows):
        for j in range(columns):
            cells.append(column(_array_entry(r, i, j) for r in results))
    return _stack(cells, rows, columns)


def _array_entry(result, row: int, col: int):
    if not isinstance(result, list):
        return result if row == col == 0 else ErrorValue(NA)
    if row < len(result) and col < len(result[row]):
        return result[row][col]
    return ErrorValue(NA)


# ------------------------------------------------------------------ parsing


class _Node:
    __slots__ = ("token", "args")

    def __init__(self, token, args):
        self.token = token
        self.args = args


class _TreeBuilder:
    """Collect the parser's tokens, which arrive in postfix order, into a tree of ``_Node``."""

    def __init__(self, match=None, **_):
        self.match = match
        self.stack: list[_Node] = []

    def __len__(self) -> int:
        return len(self.stack)

    def __getitem__(self, index):
        return self.stack[index]

    def pop(self):
        return self.stack.pop()

    def append(self, token) -> None:
        if isinstance(token, (Operator, Function)):
            count = token.get_n_args
            if count > len(self.stack):
                raise FormulaError()
            args = self.stack[len(self.stack) - count :] if count else []
            del self.stack[len(self.stack) - count :]
            self.stack.append(_Node(token, args))
        else:
            self.stack.append(_Node(token, []))

    def finish(self) -> None:
        pass


class _TreeParser(Parser):
    ast_builder = _TreeBuilder


@functools.lru_cache(maxsize=1 << 16)
def parse(formula: str) -> _Node:
    """Return the tree of a formula ("=..."); raise ``FormulaError`` when the parser rejects it.

    Trees are cached by text, because workbooks checked in one run (a
    template and its filled copies) share nearly all their formulas. No tree
    is changed after parsing.
    """
    _, builder = _TreeParser().ast(formula)
    return builder.stack[0]


# ------------------------------------------------------------------ model


@dataclass
class Model:
    """A workbook's cells and formulas, compiled once and evaluated for any number of scenarios.

    ``functions`` are the custom functions by upper-case name. ``arrays`` maps
    the cell of each array formula, the top-left cell of its range, to the
    rows and columns of that range.
    """

    sheet_titles: dict[str, str]
    constants: dict[CellKey, Column]
    formulas: dict[CellKey, str]
    names: dict[str, str]
    order: list[CellKey] = field(default_factory=list)
    compiled: dict[CellKey, Callable] = field(default_factory=dict)
    references: dict[CellKey, set[CellKey]] = field(default_factory=dict)
    direct_references: dict[CellKey, set[CellKey]] = field(default_factory=dict)
    problems: dict[CellKey, str] = field(default_factory=dict)
    functions: dict[str, Callable] = field(default_factory=dict)
    arrays: dict[CellKey, tuple[int, int]] = field(default_factory=dict)

    def address(self, key: CellKey) -> str:
        """Return a cell's address as Sheet!A1."""
        sheet, row, col = key
        return f"{self.sheet_titles.get(sheet, sheet)}!{get_column_letter(col)}{row}"

    def key(self, sheet: str, cell: str) -> CellKey:
        """Return the key of ``cell`` (such as "D12") on ``sheet``."""
        from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

        letters, row = coordinate_from_string(cell)
        return (sheet.upper(), row, column_index_from_string(letters))

    def array_cells(self, anchor: CellKey) -> list[CellKey]:
        """Return the cells of the range of the array formula in ``anchor``, row by row."""
        sheet, row, col = anchor
        rows, columns = self.arrays[anchor]
        return [(sheet, row + i, col + j) for i in range(rows) for j in range(columns)]

    def evaluate(self, inputs: dict[CellKey, Column] | None = None) -> dict[CellKey, Column]:
        """Recalculate every formula with ``inputs`` replacing cell values; return the values of all cells."""
        inputs = inputs or {}
        values: dict[CellKey, Column] = dict(self.constants)
        values.update(inputs)
        env = _Environment(values)
        for key in self.order:
            if key in inputs and key not in self.arrays:
                continue
            result = self.compiled[key](env)
            if key not in self.arrays:
                # A formula that returns a whole range shows its first cell.
                values[key] = _shown(_single(result))
                continue
            columns = self.arrays[key][1]
            for index, cell in enumerate(self.array_cells(key)):
                # An input replaces only its own cell of the range. A cell with its own formula keeps it.
                if cell in inputs or (cell != key and cell in self.formulas):
                    continue
                values[cell] = _shown(_cell_at(result, index // columns, index % columns))
        return values


    def evaluate_formula(self, formula: str, values: dict[CellKey, Column] | None = None):
        """Return the first scenario's value of a formula that refers to cells by name or with a sheet."""
        compiler = _Compiler(self)
        try:
            thunk = compiler.compile(parse(formula), "")
        except Exception:  # the parser raises several types on malformed text
            return ErrorValue(NAME)
        result = _single(thunk(_Environment(values if values is not None else self.constants)))
        return result.value(0)

    def name_values(self, name: str, values: dict[CellKey, Column] | None = None) -> list:
        """Return the first scenario's values of the cells a defined name refers to, row by row."""
        compiler = _Compiler(self)
        thunk = compiler._name(name)
        result = thunk(_Environment(values if values is not None else self.constants))
        if isinstance(result, Column):
            return [result.value(0)]
        return [result.cell(i).value(0) for i in range(result.kind.shape[0])]


def _shown(result: Column) -> Column:
    """Return a formula's result as its cell shows it: a blank counts as 0, not as an empty cell."""
    if not (result.kind == BLANK).any():
        return result
    return Column(np.where(result.kind == BLANK, NUMBER, result.kind).astype(np.int8), result.num, result.obj)


class _Environment:
    __slots__ = ("values", "blocks")

    def __init__(self, values):
        self.values = values
        self.blocks: dict[tuple, Block] = {}


def _cell_value(cell) -> Column | None:
    value = cell.value
    if value is None:
        return None
    if cell.data_type == "e":
        return column([ErrorValue(str(value))])
    if isinstance(value, dt.time):
        return constant(value.hour / 24 + value.minute / 1440 + value.second / 86400)
    if isinstance(value, dt.timedelta):
        return constant(value / dt.timedelta(days=1))
    return constant(value)


def build_model(workbook, functions: Mapping[str, Callable] | None = None) -> Model:
    """Compile every formula of an openpyxl workbook (loaded with formulas, not cached values).

    ``functions`` maps the names of custom functions (any case, with or
    without the _xlfn. or _xludf. prefix) to Python callables. Each is called
    once per scenario with the values of the arguments written in the formula:
    None for a blank, float, bool, str or ``ErrorValue``, and a tuple of row tuples
    for a range. It returns such a value, a date, or a list of rows (a flat
    list is one row). An exception or a value of another type gives #VALUE!.
    A name that is a built-in function raises ValueError.
    """
    custom = _custom_functions(functions)
    sheet_titles = {sheet.title.upper(): sheet.title for sheet in workbook.worksheets}
    constants, formulas_, array_formulas = {}, {}, {}
    for sheet in workbook.worksheets:
        upper = sheet.title.upper()
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if value is None:
                    continue
                key = (upper, cell.row, cell.column)
                if cell.data_type == "f" and isinstance(value, str):
                    formulas_[key] = value
                elif cell.data_type == "f":
                    # Array and data-table formulas are objects in openpyxl; their text is what counts.
                    formulas_[key] = str(getattr(value, "text", value))
                    if isinstance(value, ArrayFormula):
                        array_formulas[key] = value.ref
                else:
                    constants[key] = _cell_value(cell)
    names = {}
    # NOTE: names defined on one sheet are not read, so a formula on that sheet uses the workbook's
    # name of the same spelling. The workbook check reports such names as changes to the template.
    for name, definition in workbook.defined_names.items():
        names[name.upper()] = definition.attr_text
    model = Model(sheet_titles, constants, formulas_, names, functions=custom)
    _record_arrays(model, array_formulas)
    _compile_all(model)
    return model


def _record_arrays(model: Model, refs: dict[CellKey, str]) -> None:
    """Record in ``model.arrays`` the shape of each array formula's range ("B1:D3"), given by the formula's cell."""
    for key, ref in refs.items():
        shape = _array_shape(ref, key)
        if shape is None:
            model.problems[key] = (
                f"the array formula's range {ref!r} is invalid, does not start at the formula's cell "
                f"or has more than {MAX_RANGE_CELLS} cells, so only the formula's cell gets a value"
            )
            shape = (1, 1)
        model.arrays[key] = shape
        for cell in model.array_cells(key)[1:]:
            # Values in the rest of the range are the results Excel cached when it saved the workbook.
            model.constants.pop(cell, None)
            if cell in model.formulas:
                model.problems[cell] = (
                    f"the cell's own formula is inside the range of the array formula in {model.address(key)}, "
                    "which Excel does not allow; the check evaluates the cell's own formula"
                )


def _array_shape(ref: str, key: CellKey) -> tuple[int, int] | None:
    """Return the rows and columns of an array formula's range, or None if it is invalid or does not start at ``key``."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        rows, columns = max_row - min_row + 1, max_col - min_col + 1
    except (TypeError, ValueError):
        # Whole rows and columns have None bounds.
        return None
    if (min_row, min_col) != key[1:] or rows * columns > MAX_RANGE_CELLS:
        return None
    return rows, columns


def _compile_all(model: Model) -> None:
    compiler = _Compiler(model)
    for key, formula in model.formulas.items():
        try:
            tree = parse(formula)
        except (FormulaError, Exception) as error:  # the parser raises several types on malformed text
            logger.debug("%s: cannot parse %r: %s", model.address(key), formula, error)
            model.problems[key] = f"the formula {formula!r} cannot be parsed"
            model.compiled[key] = _constant_thunk(errors(NAME))
            model.references[key] = set()
            model.direct_references[key] = set()
            continue
        compiler.references, compiler.direct = set(), set()
        compiler.problem = None
        compiler.array = key in model.arrays
        try:
            model.compiled[key] = compiler.compile(tree, key[0])
        except RecursionError:
            compiler.problem = "the formula is nested too deeply for the check"
            model.compiled[key] = _constant_thunk(errors(NAME))
        model.references[key] = compiler.references
        model.direct_references[key] = compiler.direct
        if compiler.problem:
            model.problems[key] = compiler.problem
    model.order = _topological_order(model)


def _topological_order(model: Model) -> list[CellKey]:
    # A formula that refers to a cell of an array formula's range waits for the array formula.
    owner = {
        cell: anchor for anchor in model.arrays for cell in model.array_cells(anchor) if cell not in model.formulas
    }

    def dependencies(key: CellKey):
        return iter(sorted({owner.get(cell, cell) for cell in model.references[key]} & model.formulas.keys()))

    order, state = [], {}
    for start in model.formulas:
        if state.get(start) == 2:
            continue
        stack = [(start, dependencies(start))]
        state[start] = 1
        while stack:
            key, pending = stack[-1]
            advanced = False
            for dependency in pending:
                mark = state.get(dependency)
                if mark == 1:
                    raise EngineError(f"{model.address(key)}: circular reference through {model.address(dependency)}", key)
                if mark is None:
                    state[dependency] = 1
                    stack.append((dependency, dependencies(dependency)))
                    advanced = True
                    break
            if not advanced:
                state[key] = 2
                order.append(key)
                stack.pop()
    return order


def _constant_thunk(value):
    return lambda env: value


class _Compiler:
    """Turn a formula tree into a closure over the environment of cell values."""

    def __init__(self, model: Model):
        self.model = model
        self.references: set[CellKey] = set()
        self.direct: set[CellKey] = set()
        self.problem: str | None = None
        # Whether the formula is an array formula, whose operators and functions go cell by cell over ranges.
        self.array = False
        self.name_trees: dict[str, _Node | None] = {}
        # Names being compiled, to stop a name that refers to itself.
        self.resolving: set[str] = set()

    def compile(self, node: _Node, sheet: str):
        token = node.token
        if isinstance(token, Range):
            return self._reference(token, sheet)
        if isinstance(token, (Number, String, Error)):
            return _constant_thunk(self._literal(token))
        if isinstance(token, Empty):
            return _constant_thunk(BLANK_COLUMN)
        if isinstance(token, Function):
            return self._function(node, sheet)
        if isinstance(token, Operator):
            return self._operator(node, sheet)
        return self._unsupported(f"the formula part {token.name!r}")

    def _unsupported(self, what: str):
        self.problem = self.problem or f"{what} is not supported by the check"
        return _constant_thunk(errors(NAME))

    def _literal(self, token) -> Column:
        value = token.compile()
        if isinstance(token, Error):
            return errors(str(value))
        return constant(value)

    def _operator(self, node: _Node, sheet: str):
        symbol = node.token.name
        args = [self.compile(arg, sheet) for arg in node.args]
        if len(args) == 2 and symbol in BINARY:
            operation = BINARY[symbol]
            left, right = args
            if self.array:
                return lambda env: _elementwise(operation, [left(env), right(env)])
            return lambda env: operation(_single(left(env)), _single(right(env)))
        if len(args) == 1 and symbol in UNARY:
            operation = UNARY[symbol]
            (only,) = args
            if self.array:
                return lambda env: _elementwise(operation, [only(env)])
            return lambda env: operation(_single(only(env)))
        return self._unsupported(f"the operator {symbol!r}")

    def _function(self, node: _Node, sheet: str):
        name = _function_name(node.token.name)
        args = [self.compile(arg, sheet) for arg in node.args]
        if name in REFERENCE_FUNCTIONS:
            function = REFERENCE_FUNCTIONS[name]
            references = [self._is_reference(arg) for arg in node.args]

            def call(env):
                values = [a(env) for a in args]
                # A range that IF returns follows reference rules, like a range typed in place.
                return function(values, [r or isinstance(v, Block) for v, r in zip(values, references)])

            return call
        if name in VALUE_FUNCTIONS:
            function = VALUE_FUNCTIONS[name]
            ranged = RANGE_ARGUMENTS.get(name, set())
            if self.array:
                # IF's branches go cell by cell along with its condition, as in Excel.
                whole = frozenset() if name == "IF" else frozenset(ranged)
                return lambda env: _elementwise(function, [a(env) for a in args], whole)
            # Range arguments stay blocks; every other argument is reduced to a single value.
            shaped = [a if i in ranged else _first_of(a) for i, a in enumerate(args)]
            return lambda env: function(*(a(env) for a in shaped))
        if name in self.model.functions:
            function = self.model.functions[name]
            return lambda env: _call_custom(name, function, [a(env) for a in args])
        return self._unsupported(f"the function {name}")

    def _is_reference(self, node: _Node) -> bool:
        return isinstance(node.token, Range)

    def _reference(self, token: Range, sheet: str):
        attr = token.attr
        if attr.get("is_reference"):
            return self._name(attr["name"])
        target = attr.get("sheet_id") or sheet
        if len(target) > 1 and target.startswith("'") and target.endswith("'"):
            # The parser keeps the quotes around a sheet name that contains a space.
            target = target[1:-1].replace("''", "'")
        if target not in self.model.sheet_titles:
            self.problem = self.problem or f"the reference {token.name} names a sheet the workbook lacks"
            return _constant_thunk(errors(REF))
        r1, r2 = int(attr["r1"]), int(attr["r2"])
        c1, c2 = int(attr["n1"]), int(attr["n2"])
        if min(r1, c1) < 1 or (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_RANGE_CELLS:
            # Whole rows and columns come from the parser with row or column 0.
            return self._unsupported(f"the range {token.name}, a whole row, column or more than {MAX_RANGE_CELLS} cells,")
        keys = [(target, r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        self.references.update(keys)
        if len(keys) == 1:
            (key,) = keys
            self.direct.add(key)
            return lambda env: env.values.get(key, BLANK_COLUMN)
        rows, columns = r2 - r1 + 1, c2 - c1 + 1
        block_key = (target, r1, c1, r2, c2)
        return lambda env: _block(env, block_key, keys, rows, columns)

    def _name(self, name: str):
        upper = name.upper()
        if upper not in self.model.names:
            self.problem = self.problem or f"the defined name {name} is missing"
            return _constant_thunk(errors(NAME))
        if upper in self.resolving:
            self.problem = self.problem or f"the defined name {name} refers to itself"
            return _constant_thunk(errors(REF))
        if upper not in self.name_trees:
            definition = self.model.names[upper]
            try:
                self.name_trees[upper] = parse("=" + definition)
            except Exception:  # the parser raises several types on malformed text
                self.name_trees[upper] = None
        tree = self.name_trees[upper]
        if tree is None:
            self.problem = self.problem or f"the defined name {name} = {self.model.names[upper]} cannot be parsed"
            return _constant_thunk(errors(NAME))
        # A name's reference carries its own sheet.
        self.resolving.add(upper)
        try:
            return self.compile(tree, "")
        finally:
            self.resolving.discard(upper)


def _single(value):
    if isinstance(value, Block):
        return value.cell(0)
    return value


def _first_of(thunk):
    return lambda env: _single(thunk(env))


def _block(env: _Environment, block_key, keys, rows: int, columns: int) -> Block:
    cached = env.blocks.get(block_key)
    if cached is not None:
        return cached
    block = _stack([env.values.get(key, BLANK_COLUMN) for key in keys], rows, columns)
    env.blocks[block_key] = block
    return block


def _stack(cells: list[Column], rows: int, columns: int) -> Block:
    """Return the block of ``cells``, given row by row."""
    n = max(len(c.kind) for c in cells)
    kind = np.empty((len(cells), n), dtype=np.int8)
    num = np.empty((len(cells), n))
    obj = None
    for i, c in enumerate(cells):
        kind[i] = c.kind
        num[i] = c.num
        if c.obj is not None:
            if obj is None:
                obj = np.full((len(cells), n), None, dtype=object)
            obj[i] = c.obj
    return Block(kind, num, obj, rows, columns)
