"""tco-xl's spreadsheet functions for xlwings: ``tco_udfs`` for classic xlwings, ``lite/main.py`` for xlwings Lite."""
