"""tco-xl's spreadsheet functions for xlwings Lite: the Python core in Excel, on Windows, macOS and the web.

Paste this file into the main.py tab of the xlwings Lite editor and
requirements.txt into its requirements.txt tab. Generated from
udfs/tco_udfs.py by `tco-xl udfs --lite`; change that file, not this one.
"""

from xlwings import arg, func, ret

from tco_xl import cell_functions as cells

KEYS = "The Key column of the inputs sheet, such as Inputs!$A$7:$A$151."
OPTION = "The option's input column, as high as keys, such as Inputs!E$7:E$151."
BASELINE = "The baseline's input column, which holds the settings and the part; leave it out when the option is the baseline."
REGION = "A region key, such as tilburg, for its labour cost, figures date and subsidies; empty for national figures."


@func
@arg("keys", ndim=2, err_to_str=True, doc=KEYS)
@arg("option", ndim=2, numbers=float, err_to_str=True, doc=OPTION)
@arg("baseline", ndim=2, numbers=float, err_to_str=True, doc=BASELINE)
@arg("region", err_to_str=True, doc=REGION)
def TCO_UNIT(keys, option, baseline=None, region=None):  # noqa: N802 - Excel's name of the function
    """Returns the TCO per unit in EUR of an option in the first year."""
    return cells.tco_unit(keys, option, baseline, region)


@func
@arg("keys", ndim=2, err_to_str=True, doc=KEYS)
@arg("option", ndim=2, numbers=float, err_to_str=True, doc=OPTION)
@arg("baseline", ndim=2, numbers=float, err_to_str=True, doc=BASELINE)
@arg("region", err_to_str=True, doc=REGION)
@ret(transpose=False)
def TCO_LINES(keys, option, baseline=None, region=None):  # noqa: N802
    """Returns the cost lines of an option, one row per line that spills: line id, label, EUR per unit in the first year."""
    return cells.tco_lines(keys, option, baseline, region)


@func
@arg("keys", ndim=2, err_to_str=True, doc=KEYS)
@arg("option", ndim=2, numbers=float, err_to_str=True, doc=OPTION)
@arg("baseline", ndim=2, numbers=float, err_to_str=True, doc=BASELINE)
@arg("region", err_to_str=True, doc=REGION)
@ret(transpose=False)
def TCO_GROUPS(keys, option, baseline=None, region=None):  # noqa: N802
    """Returns the subtotals of an option, one row per group: group id, label, EUR per unit in the first year."""
    return cells.tco_groups(keys, option, baseline, region)


@func
@arg("keys", ndim=2, err_to_str=True, doc=KEYS)
@arg("option", ndim=2, numbers=float, err_to_str=True, doc=OPTION)
@arg("baseline", ndim=2, numbers=float, err_to_str=True, doc=BASELINE)
@arg("region", err_to_str=True, doc=REGION)
@ret(transpose=False)
def TCO_PATH(keys, option, baseline=None, region=None):  # noqa: N802
    """Returns the path of an option, one row per year: year, TCO per unit, annual TCO, cumulative gap to the baseline (EUR)."""
    return cells.tco_path(keys, option, baseline, region)


@func
@arg("keys", ndim=2, err_to_str=True, doc=KEYS)
@arg("option", ndim=2, numbers=float, err_to_str=True, doc=OPTION)
@arg("baseline", ndim=2, numbers=float, err_to_str=True, doc=BASELINE)
@arg("region", err_to_str=True, doc=REGION)
def TCO_BREAK_EVEN(keys, option, baseline=None, region=None):  # noqa: N802
    """Returns the price in EUR at which the option's TCO equals the baseline's, or an empty cell for the baseline."""
    return cells.tco_break_even(keys, option, baseline, region)


@func
@arg("keys", ndim=2, err_to_str=True, doc=KEYS)
@arg("option", ndim=2, numbers=float, err_to_str=True, doc=OPTION)
@arg("field", err_to_str=True, doc="The input key to vary, such as price or duty_rate.")
@arg("low", numbers=float, err_to_str=True, doc="The low value of the field.")
@arg("high", numbers=float, err_to_str=True, doc="The high value of the field.")
@arg("baseline", ndim=2, numbers=float, err_to_str=True, doc=BASELINE)
@arg("region", err_to_str=True, doc=REGION)
@ret(transpose=False)
def TCO_RANGE(keys, option, field, low, high, baseline=None, region=None):  # noqa: N802
    """Returns one row: the TCO per unit in EUR of an option with one input at low, at its value and at high."""
    return cells.tco_range(keys, option, field, low, high, baseline, region)


@func
@arg("country", err_to_str=True, doc="An ISO country code, such as CN or PL.")
@arg("figure", err_to_str=True, doc="A figure, such as transit_days, cost_per_load_eur, currency or default_mode.")
def TCO_COUNTRY(country, figure):  # noqa: N802
    """Returns a packaged default figure of a country, such as its transit days or freight cost per load."""
    return cells.tco_country(country, figure)


@func
@arg("figure", err_to_str=True, doc="A figure, such as labour_cost_eur_per_hour, figures_date, wbso or employer_oncost_rate.")
@arg("region", err_to_str=True, doc="A region key, such as tilburg; empty for tilburg.")
def TCO_REGIONAL(figure, region=None):  # noqa: N802
    """Returns a figure of a region, such as its labour cost per hour, or a Dutch rate."""
    return cells.tco_regional(figure, region)
