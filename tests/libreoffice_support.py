"""Skip tests that need LibreOffice or pdftoppm, or fail them where CI requires both.

Import from a test module with ``from libreoffice_support import require_libreoffice``.
That works because tests/ has no ``__init__.py``, so pytest's default
``prepend`` import mode puts tests/ on ``sys.path``.
"""

import os
import shutil

import pytest

from tco_xl.libreoffice import find_soffice

# Set to 1 in .ci/run so that CI fails, not skips, when a tool is missing.
REQUIRE_VARIABLE = "TCO_XL_REQUIRE_LIBREOFFICE"


def require_libreoffice() -> str:
    """Return the path of soffice, or skip the calling module if it is missing.

    Fails instead of skipping when TCO_XL_REQUIRE_LIBREOFFICE=1. Call it at
    module level or inside a test or fixture.
    """
    soffice = find_soffice()
    if soffice is None:
        _skip_or_fail("LibreOffice not installed; CI installs libreoffice-calc-nogui")
    return soffice


def require_pdftoppm() -> str:
    """Return the path of pdftoppm, or skip if it is missing (fail under CI)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        _skip_or_fail("pdftoppm not installed; CI installs poppler-utils")
    return pdftoppm


def _skip_or_fail(reason: str) -> None:
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(
            f"{reason}, and {REQUIRE_VARIABLE}=1 forbids skipping", pytrace=False
        )
    pytest.skip(reason, allow_module_level=True)
