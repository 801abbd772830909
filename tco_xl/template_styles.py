"""Cell styles and number formats shared by the sheets of the template workbook."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

# Fills: yellow input cells, grey formula cells, blue section rows, green totals.
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
FORMULA_FILL = PatternFill("solid", fgColor="F2F2F2")
SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="E2EFDA")

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
# A used value that comes from a default, not from the input cell.
DEFAULT_FONT = Font(italic=True, color="1F4E79")
KEY_FONT = Font(color="808080", size=8)
EMPTY_OPTION_FONT = Font(color="D9D9D9")
NOT_APPLICABLE_FONT = Font(color="BFBFBF")

THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
RIGHT = Alignment(horizontal="right")
UNLOCKED = Protection(locked=False)

DATE_FORMAT = "yyyy-mm-dd"
EUR_FORMAT = "#,##0.00"
SMALL_FORMAT = "0.000000"
SHARE_FORMAT = "0.0%"
WHOLE_FORMAT = "0"
