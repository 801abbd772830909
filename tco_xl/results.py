"""Results of a case: per option the cost lines, subtotals, gap, path, NPV and break-even."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


from .case import Case
from .frame import CROSSING_TOLERANCE_EUR
from .forecast import break_even_price, evaluate
from .inputs import case_rows
from .lines import GROUPS, LINES


@dataclass
class YearResult:
    """One year of an option's path."""

    year: int
    tco_per_unit_eur: float
    annual_cost_eur: float
    cumulative_gap_eur: float


@dataclass
class OptionResult:
    """Everything computed for one option."""

    name: str
    country: str
    sourcing: str
    baseline: bool
    lines: dict[str, float]
    groups: dict[str, float]
    quantities: dict[str, float]
    tco_per_unit_eur: float
    annual_tco_eur: float
    gap_per_unit_eur: float
    gap_per_year_eur: float
    npv_eur: float
    break_even_price_eur: float
    break_even_price_currency: float
    currency: str
    path: list[YearResult]
    baseline_cheaper_from_year: int | None
    defaults_used: dict[str, str] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float, float]] = field(default_factory=dict)


@dataclass
class CaseResult:
    """The results of all options of a case."""

    name: str
    part: str
    annual_volume: float
    horizon_years: int
    start_year: int
    options: list[OptionResult]
    settings: dict = field(default_factory=dict)
    settings_defaults_used: dict[str, str] = field(default_factory=dict)

    @property
    def baseline(self) -> OptionResult:
        return next(option for option in self.options if option.baseline)

    def to_dict(self) -> dict:
        """Return the results as plain data for JSON."""
        return {
            "case": self.name,
            "part": self.part,
            "annual_volume": self.annual_volume,
            "horizon_years": self.horizon_years,
            "start_year": self.start_year,
            "currency": "EUR",
            "settings": {name: _plain(value) for name, value in self.settings.items()},
            "settings_defaults_used": self.settings_defaults_used,
            "line_catalogue": [
                {"id": line.id, "group": line.group, "label": line.label, "formula": line.formula} for line in LINES
            ],
            "groups": GROUPS,
            "options": [_option_dict(option) for option in self.options],
        }


def _plain(value):
    """Return ``value`` in a form JSON can hold: dates as ISO text."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _clean(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def _option_dict(option: OptionResult) -> dict:
    return {
        "name": option.name,
        "country": option.country,
        "sourcing": option.sourcing,
        "baseline": option.baseline,
        "tco_per_unit_eur": option.tco_per_unit_eur,
        "annual_tco_eur": option.annual_tco_eur,
        "gap_per_unit_eur": option.gap_per_unit_eur,
        "gap_per_year_eur": option.gap_per_year_eur,
        "npv_eur": option.npv_eur,
        "break_even_price_eur": _clean(option.break_even_price_eur),
        "break_even_price_currency": _clean(option.break_even_price_currency),
        "currency": option.currency,
        "baseline_cheaper_from_year": option.baseline_cheaper_from_year,
        "lines": option.lines,
        "groups": option.groups,
        "quantities": option.quantities,
        "path": [vars(year) for year in option.path],
        "defaults_used": option.defaults_used,
        "ranges": {name: {"low": low, "base": base, "high": high} for name, (low, base, high) in option.ranges.items()},
    }


def _floats(mapping: dict) -> dict[str, float]:
    return {key: float(value) for key, value in mapping.items()}


def compute_case(case: Case) -> CaseResult:
    """Compute the TCO of every option of ``case`` and compare each with the baseline."""
    rows = case_rows(case)
    evaluated = [evaluate(row) for row in rows]
    base_index = next(i for i, row in enumerate(rows) if row["baseline"])
    base = evaluated[base_index]
    start_year = int(rows[0]["start_year"])
    horizon = int(rows[0]["horizon_years"])
    volume = float(rows[0]["annual_volume"])

    options = []
    for option, row, result in zip(case.options, rows, evaluated):
        tco = float(result["tco_per_unit_eur"])
        base_tco = float(base["tco_per_unit_eur"])
        if row["baseline"]:
            # The baseline's own break-even would only repeat its direct cost.
            break_even = math.nan
        else:
            break_even = break_even_price(result["direct_cost_eur"], result["break_even_slope"], tco, base_tco)
        in_currency = break_even / row["fx_eur_per_unit"] if row["make"] == 0 else math.nan

        path = []
        cumulative = 0.0
        cheaper_from = None
        for year_index in range(horizon):
            unit = float(result["path_unit_eur"][year_index])
            base_unit = float(base["path_unit_eur"][year_index])
            cumulative += (unit - base_unit) * volume
            path.append(YearResult(start_year + year_index, unit, unit * volume, cumulative))
            if cheaper_from is None and not row["baseline"] and cumulative > CROSSING_TOLERANCE_EUR:
                cheaper_from = start_year + year_index

        options.append(
            OptionResult(
                name=option.name,
                country=option["country"],
                sourcing=option["sourcing"],
                baseline=row["baseline"],
                lines=_floats(result["lines"]),
                groups=_floats(result["groups"]),
                quantities=_floats(result["quantities"]),
                tco_per_unit_eur=tco,
                annual_tco_eur=tco * volume,
                gap_per_unit_eur=tco - base_tco,
                gap_per_year_eur=(tco - base_tco) * volume,
                npv_eur=float(result["npv_eur"]),
                break_even_price_eur=float(break_even),
                break_even_price_currency=float(in_currency),
                currency=option["currency"],
                path=path,
                baseline_cheaper_from_year=cheaper_from,
                defaults_used=dict(option.defaults_used),
                ranges=dict(option.ranges),
            )
        )
    return CaseResult(
        case.name, case.part["name"], volume, horizon, start_year, options,
        settings=dict(case.settings.values), settings_defaults_used=dict(case.settings.defaults_used),
    )
