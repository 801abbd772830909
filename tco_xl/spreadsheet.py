"""Spreadsheet-compatible rounding, so counts match Excel and LibreOffice.

Excel and LibreOffice round a result to 15 significant digits before INT,
FLOOR, ROUNDUP or ROUNDDOWN, so 30000 * 0.0042 * 3 = 377.99999999999994
floors to 378, not 377. The core counts units and loads the same way.
"""

import numpy as np

SIGNIFICANT_DIGITS = 15


def snap_to_15_digits(x):
    """Return ``x`` with values within 15-significant-digit noise of an integer set to it."""
    x = np.asarray(x, dtype=float)
    nearest = np.round(x)
    magnitude = np.abs(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(np.where(magnitude > 0, magnitude, 1.0)))
    half_unit = 0.5 * 10.0 ** (exponent - (SIGNIFICANT_DIGITS - 1))
    snapped = np.where(np.abs(x - nearest) < half_unit, nearest, x)
    return snapped if snapped.ndim else float(snapped)


def spreadsheet_floor(x):
    """Round down to an integer the way spreadsheet INT does for positive values."""
    result = np.floor(snap_to_15_digits(x))
    return result if np.ndim(result) else float(result)


def spreadsheet_ceil(x):
    """Round up to an integer the way spreadsheet ROUNDUP(x, 0) does for positive values."""
    result = np.ceil(snap_to_15_digits(x))
    return result if np.ndim(result) else float(result)
