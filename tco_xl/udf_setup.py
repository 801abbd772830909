"""Setup of the xlwings function modules: their location, the Excel settings and the generated Lite module.

The classic module ``udfs/tco_udfs.py`` is written by hand. The xlwings
Lite module ``udfs/lite/main.py`` is generated from it by ``lite_source``,
which swaps the decorators for Lite's, so both offer the same functions
with the same arguments and help texts.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

from .errors import TcoError

CLASSIC_MODULE = "udfs.tco_udfs"
LITE_FOLDER = "lite"
LITE_FILES = ("main.py", "requirements.txt")
LITE_HEADER = '''"""tco-xl's spreadsheet functions for xlwings Lite: the Python core in Excel, on Windows, macOS and the web.

Paste this file into the main.py tab of the xlwings Lite editor and
requirements.txt into its requirements.txt tab. Generated from
udfs/tco_udfs.py by `tco-xl udfs --lite`; change that file, not this one.
"""
'''
# NOTE: the generated module has not run inside xlwings Lite, which needs Excel. The tests
# check only the arguments it gives Lite's decorators and that it matches the classic module.

# The option that only classic xlwings knows: the function wizard's category.
CLASSIC_ONLY = (re.compile(r"\(category=\"[^\"]*\"\)"),)


class UdfSetupError(TcoError):
    """The xlwings function modules cannot be found or turned into the Lite module."""


def classic_path() -> Path:
    """Return the file of the classic xlwings module; raise ``UdfSetupError`` when it is not installed."""
    spec = importlib.util.find_spec(CLASSIC_MODULE)
    if spec is None or spec.origin is None:
        raise UdfSetupError(f"the module {CLASSIC_MODULE} is not installed; reinstall tco-xl with `pip install .` in its folder")
    return Path(spec.origin)


def lite_folder() -> Path:
    """Return the folder of the xlwings Lite files."""
    return classic_path().parent / LITE_FOLDER


def lite_source(classic: str) -> str:
    """Return the xlwings Lite module made from the classic module's source text."""
    docstring = re.match(r'\s*""".*?"""\n', classic, flags=re.DOTALL)
    if docstring is None or "import xlwings as xw" not in classic:
        raise UdfSetupError("the classic module must start with a docstring and import xlwings as xw")
    body = classic[docstring.end():]
    body = body.replace("import xlwings as xw", "from xlwings import arg, func, ret")
    for pattern in CLASSIC_ONLY:
        body = pattern.sub("", body)
    body = body.replace("@xw.func", "@func").replace("@xw.arg(", "@arg(").replace("@xw.ret(", "@ret(")
    if "xw." in body:
        line = next(line for line in body.splitlines() if "xw." in line)
        raise UdfSetupError(f"the classic module uses {line.strip()!r}, which the Lite module cannot translate")
    return LITE_HEADER + body


def settings_text() -> str:
    """Return the steps and settings that make the functions work in Excel, classic and Lite."""
    module = classic_path()
    lite = lite_folder()
    return f"""tco-xl's spreadsheet functions (TCO_UNIT, TCO_LINES, TCO_GROUPS, TCO_PATH,
TCO_BREAK_EVEN, TCO_RANGE, TCO_COUNTRY, TCO_REGIONAL)

Classic xlwings: Excel on Windows or macOS with this Python
  module file:   {module}
  1. In this Python environment, which has xlwings because tco-xl needs it, run
     xlwings addin install
  2. In Excel, on the xlwings tab, set
     Interpreter:   {sys.executable}
     UDF Modules:   {CLASSIC_MODULE}
     On Windows, trust access to the VBA project object model
     (File > Options > Trust Center > Trust Center Settings > Macro Settings).
  3. Open a workbook with TCO_ functions, for example one written by
     tco-xl template --udfs
     save it as .xlsm, and click Import Functions on the xlwings tab.
  #NAME? in a cell means Excel does not know the function yet: check the
  settings above, click Import Functions again, and recalculate (Ctrl+Alt+F9).

xlwings Lite: Excel on Windows, macOS and the web, no Python installed
  main.py:           {lite / "main.py"}
  requirements.txt:  {lite / "requirements.txt"}
  1. Install the xlwings Lite add-in from Excel's add-in store.
  2. Paste main.py into the editor's main.py tab, and requirements.txt into
     its requirements.txt tab, after putting the address of the tco-xl
     wheel in it (see the comments in the file).
  3. `tco-xl udfs --lite` prints main.py, to paste without opening the file.
"""
