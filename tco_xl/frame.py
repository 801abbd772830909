"""The vectorised path: the TCO of many part-options in one pandas DataFrame.

Each row is one option of one part. Rows with the same ``case`` value are
compared with the row of that case whose ``baseline`` is true. The numbers
are the same as ``compute_case`` gives for each case on its own, because
both paths run the same line formulas.
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd

from .case import echo_value
from .errors import ValidationError
from .fields import ALL_FIELDS, INCOTERMS, LOAD_TYPES, SOURCING, TRANSPORT_MODES
from .forecast import break_even_price, evaluate
from .inputs import CATEGORY_COLUMNS, DUTCH_COLUMNS, NUMBER_COLUMNS, case_rows, derive_columns, dutch_columns
from .lines import GROUPS, LINE_IDS
from .validation import transport_rules
from . import defaults

logger = logging.getLogger(__name__)

KEY_COLUMNS = ("case", "option", "baseline")
FIELD_SPECS = {spec.name: spec for spec in ALL_FIELDS if spec.kind in ("number", "integer", "bool")}
MAX_REPORTED = 5
# The cumulative gap must pass this to count as the baseline becoming cheaper, so
# float noise at an exact break-even price (about 1e-13 EUR) does not count.
CROSSING_TOLERANCE_EUR = 1e-6
# Rows evaluated at once: 32,768 float64 values (256 KiB) a column stay in a CPU's L2 cache.
CHUNK_ROWS = 32_768


def frame_from_cases(cases) -> pd.DataFrame:
    """Return one input row per option of each case, with the columns ``compute_frame`` reads."""
    columns = [*KEY_COLUMNS, *CATEGORY_COLUMNS, *NUMBER_COLUMNS, *DUTCH_COLUMNS]
    rows = [row for case in cases for row in case_rows(case)]
    frame = pd.DataFrame(rows, columns=columns)
    # Text columns take few distinct values; as categoricals they are looked up once per value.
    for name in CATEGORY_COLUMNS:
        frame[name] = frame[name].astype("category")
    return frame


def _rows_text(mask: np.ndarray, index: pd.Index) -> str:
    """Return "row 3" or "rows 3, 4 and 2 more" for the rows in ``mask``, by index label."""
    where = index[mask][:MAX_REPORTED].tolist()
    more = int(mask.sum()) - len(where)
    noun = "row" if len(where) == 1 and more == 0 else "rows"
    return f"{noun} " + ", ".join(str(row) for row in where) + (f" and {more} more" if more > 0 else "")


def _numbers(column: pd.Series) -> np.ndarray:
    """Return a column as floats; text that is not a number becomes NaN."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column.to_numpy(dtype=float)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def _check_numbers(df: pd.DataFrame, names, problems: list[str]) -> None:
    for name in names:
        column = df[name]
        values = _numbers(column)
        spec = FIELD_SPECS.get(name)
        low, high = values.min(), values.max()
        # Fast path for the usual column: finite (min and max would be NaN or inf
        # otherwise), within range and, where needed, whole numbers.
        if np.isfinite(low) and np.isfinite(high) and (
            spec is None
            or (
                (low > spec.minimum if spec.exclusive_minimum else low >= spec.minimum)
                and high <= spec.maximum
                and spec.kind == "number"
            )
        ):
            continue
        bad = ~np.isfinite(values)
        if bad.any():
            problems.append(f"frame column {name}: {echo_value(column[bad].iloc[0])} in {_rows_text(bad, df.index)} is invalid; expected a finite number")
            continue
        if spec is None:
            continue
        low, high = (0.0, 1.0) if spec.kind == "bool" else (spec.minimum, spec.maximum)
        too_low = values <= low if spec.exclusive_minimum else values < low
        bad = too_low | (values > high)
        if spec.kind in ("integer", "bool"):
            bad |= values != np.round(values)
        if bad.any():
            problems.append(f"frame column {name}: {echo_value(values[bad][0])} in {_rows_text(bad, df.index)} is invalid; expected {spec.allowed()}")


def _check_keys(df: pd.DataFrame, problems: list[str]) -> None:
    """Check that every row has a case id and a true or false baseline flag."""
    no_case = df["case"].isna().to_numpy()
    if no_case.any():
        problems.append(f"frame column case: empty in {_rows_text(no_case, df.index)}; expected the id of the part each row belongs to")
    baseline = df["baseline"]
    if not pd.api.types.is_bool_dtype(baseline):
        flags = _numbers(baseline)
        bad = ~np.isin(flags, (0.0, 1.0))
        if bad.any():
            problems.append(f"frame column baseline: {echo_value(baseline[bad].iloc[0])} in {_rows_text(bad, df.index)} is invalid; expected true or false")


def _check_frame(df) -> np.ndarray:
    """Raise ``ValidationError`` naming each column, the rows and what is allowed.

    Returns, for each row, the position of its case's baseline row.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValidationError([f"frame: expected a pandas DataFrame, found {type(df).__name__}"])
    if df.empty:
        raise ValidationError(["frame: no rows; expected one row per option of each part"])
    problems = []
    missing = [name for name in (*KEY_COLUMNS, *CATEGORY_COLUMNS, *NUMBER_COLUMNS) if name not in df.columns]
    if missing:
        raise ValidationError([f"frame: missing columns {', '.join(missing)}; build the frame with frame_from_cases or frame_from_records"])

    allowed_text = {
        "country": tuple(defaults.countries()),
        "sourcing": SOURCING,
        "incoterm": INCOTERMS,
        "transport_mode": TRANSPORT_MODES,
        "load_type": LOAD_TYPES,
    }
    for name, allowed in allowed_text.items():
        bad = ~df[name].isin(allowed).to_numpy()
        if bad.any():
            found = df[name][bad].iloc[0]
            problems.append(f"frame column {name}: {echo_value(found)} in {_rows_text(bad, df.index)} is invalid; expected one of {', '.join(allowed)}")

    _check_numbers(df, NUMBER_COLUMNS, problems)
    _check_numbers(df, [name for name in DUTCH_COLUMNS if name in df.columns], problems)
    _check_keys(df, problems)
    if problems:
        raise ValidationError(problems)

    for rule in transport_rules(df):
        if rule.mask.any():
            found = df[rule.field].to_numpy()[rule.mask][0]
            problems.append(f"frame column {rule.field}: {echo_value(found)} in {_rows_text(rule.mask, df.index)} is invalid; expected {rule.expected}")
    codes, cases = pd.factorize(df["case"], sort=False)
    is_baseline = df["baseline"].astype(bool).to_numpy()
    baselines = np.bincount(codes, weights=is_baseline, minlength=len(cases))
    wrong = np.flatnonzero(baselines != 1)
    if len(wrong):
        shown = ", ".join(f"{echo_value(cases[code])} has {int(baselines[code])}" for code in wrong[:MAX_REPORTED])
        problems.append(f"frame column baseline: each case needs exactly one baseline row; {shown}")
        raise ValidationError(problems)
    base = _baseline_rows(codes, is_baseline)
    _check_shared_columns(df, base, problems)
    if problems:
        raise ValidationError(problems)
    return base


# Columns compared between an option and its baseline, so they must be the same within a case.
SHARED_COLUMNS = ("annual_volume", "horizon_years", "start_year")


def _check_shared_columns(df: pd.DataFrame, base: np.ndarray, problems: list[str]) -> None:
    for name in SHARED_COLUMNS:
        if name not in df.columns:
            continue
        values = _numbers(df[name])
        differ = values != values[base]
        if differ.any():
            problems.append(
                f"frame column {name}: {echo_value(values[differ][0])} in {_rows_text(differ, df.index)} differs from "
                f"the baseline row of the same case; the options of one part share it"
            )


def _baseline_rows(codes: np.ndarray, is_baseline: np.ndarray) -> np.ndarray:
    """Return, for each row, the position of its case's baseline row (``codes`` number the cases)."""
    base_row = np.empty(codes.max() + 1, dtype=np.int64)
    base_row[codes[is_baseline]] = np.flatnonzero(is_baseline)
    return base_row[codes]


def _figures_date(value) -> dt.date:
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError([f"figures_date = {echo_value(value)} is invalid; expected a date YYYY-MM-DD"]) from None


def compute_frame(df: pd.DataFrame, figures_date: dt.date | None = None) -> pd.DataFrame:
    """Compute the TCO of every row of ``df`` and compare it with its case's baseline.

    ``df`` needs the columns of ``frame_from_cases``. The Dutch figures
    (minimum wage, WBSO, ETS share) come from the frame's own columns when it
    has them, and otherwise from ``figures_date`` (default today). Returns one
    row per input row: every cost line and group in EUR per unit, the TCO per
    unit and per year, the gap with the baseline, the yearly path
    (``tco_year_1`` ...), the NPV and the break-even price.
    """
    base = _check_frame(df)
    x = {name: df[name].to_numpy(dtype=float) for name in NUMBER_COLUMNS}
    x.update(derive_columns(df))
    if all(name in df.columns for name in DUTCH_COLUMNS):
        x.update({name: df[name].to_numpy(dtype=float) for name in DUTCH_COLUMNS})
    else:
        figures = dutch_columns(_figures_date(figures_date), x["wbso_starter"], x["bmkb_term_years"], x["bmkb_innovative"])
        size = len(df)
        x.update({name: np.broadcast_to(np.asarray(value, dtype=float), (size,)) for name, value in figures.items()})
    logger.info("computing %d part-options", len(df))

    years = int(np.max(x["horizon_years"]))
    columns = _result_columns(years)
    block = np.empty((len(df), len(columns)), order="F")
    position = {name: index for index, name in enumerate(columns)}
    direct_cost, slope = _evaluate_in_chunks(x, block, position, years)

    is_baseline = df["baseline"].astype(bool).to_numpy()

    def column(name):
        return block[:, position[name]]

    tco = column("tco_per_unit_eur")
    base_tco = tco[base]
    volume = x["annual_volume"]
    column("annual_tco_eur")[:] = tco * volume
    np.subtract(tco, base_tco, out=column("gap_per_unit_eur"))
    np.multiply(column("gap_per_unit_eur"), volume, out=column("gap_per_year_eur"))
    break_even = np.where(is_baseline, np.nan, break_even_price(direct_cost, slope, tco, base_tco))
    column("break_even_price_eur")[:] = break_even
    column("break_even_price_currency")[:] = np.where(x["make"] == 0, break_even / x["fx_eur_per_unit"], np.nan)

    cumulative = np.zeros(len(df))
    cheaper_from = np.full(len(df), np.nan)
    # Rows still looking for the year the baseline becomes cheaper.
    open_rows = ~is_baseline
    for year in range(1, years + 1):
        unit = column(f"tco_year_{year}")
        gap = unit - unit[base]
        inside = ~np.isnan(gap)
        cumulative += np.where(inside, gap, 0.0) * volume
        crossing = open_rows & inside & (cumulative > CROSSING_TOLERANCE_EUR)
        cheaper_from[crossing] = x["start_year"][crossing] + year - 1
        open_rows &= ~crossing
    column("cumulative_gap_eur")[:] = cumulative
    column("baseline_cheaper_from_year")[:] = cheaper_from

    result = pd.DataFrame(block, columns=columns, index=df.index, copy=False)
    for index, name in enumerate(KEY_COLUMNS):
        result.insert(index, name, df[name].to_numpy())
    return result


def _result_columns(years: int) -> list[str]:
    return [
        *LINE_IDS,
        *(f"group_{group}" for group in GROUPS),
        "tco_per_unit_eur",
        "annual_tco_eur",
        "gap_per_unit_eur",
        "gap_per_year_eur",
        "npv_eur",
        "break_even_price_eur",
        "break_even_price_currency",
        *(f"tco_year_{year}" for year in range(1, years + 1)),
        "cumulative_gap_eur",
        "baseline_cheaper_from_year",
    ]


def _evaluate_in_chunks(x: dict, block: np.ndarray, position: dict, years: int):
    """Evaluate the rows in slices that fit the CPU cache and write them into ``block``.

    Returns the direct cost and break-even slope of every row.
    """
    size = len(block)
    direct_cost = np.empty(size)
    slope = np.empty(size)
    for start in range(0, size, CHUNK_ROWS):
        rows = slice(start, min(start + CHUNK_ROWS, size))
        piece = evaluate({name: column[rows] for name, column in x.items()}, years)
        for line_id in LINE_IDS:
            block[rows, position[line_id]] = piece["lines"][line_id]
        for group in GROUPS:
            block[rows, position[f"group_{group}"]] = piece["groups"][group]
        block[rows, position["tco_per_unit_eur"]] = piece["tco_per_unit_eur"]
        block[rows, position["npv_eur"]] = piece["npv_eur"]
        for year, unit in enumerate(piece["path_unit_eur"], start=1):
            block[rows, position[f"tco_year_{year}"]] = unit
        direct_cost[rows] = piece["direct_cost_eur"]
        slope[rows] = piece["break_even_slope"]
    return direct_cost, slope
