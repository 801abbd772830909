"""Time the template workbook: building it, and recalculating the demo in LibreOffice and in formulas.

Run ``python bench/template.py [--repeat N]``. It prints the best and
median wall time of each step. LibreOffice and the formulas package are
timed only when they are installed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tomllib
from importlib import resources
from pathlib import Path

from tco_xl import libreoffice
from tco_xl.template import build_template, write_workbook
from tco_xl.template_fill import filled_template


def timed(function, repeat: int) -> tuple[float, float]:
    """Return the best and median seconds of ``repeat`` calls of ``function``."""
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds)


def demo_workbook(folder: Path) -> Path:
    """Write the demo case into the English template and return the file."""
    raw = tomllib.loads(resources.files("tco_xl.data").joinpath("demo_case.toml").read_text(encoding="utf-8"))
    return write_workbook(filled_template(raw, "en", "tilburg"), folder / "demo.xlsx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each step (default 5)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        rows = [("build the English template", timed(lambda: build_template("en"), args.repeat))]
        rows.append(("build, fill and write the demo workbook", timed(lambda: demo_workbook(folder), args.repeat)))
        path = demo_workbook(folder)

        if libreoffice.find_soffice() is not None:
            rows.append(("LibreOffice: recalculate the demo (one soffice start)",
                         timed(lambda: libreoffice.recalculate(path, folder / "lo"), args.repeat)))
        else:
            print("LibreOffice not installed: skipped")

        try:
            import formulas
        except ImportError:
            print("formulas not installed: skipped")
        else:
            rows.append(("formulas: load and calculate the demo",
                         timed(lambda: formulas.ExcelModel().loads(str(path)).finish().calculate(), max(1, args.repeat // 2))))

    for label, (best, median) in rows:
        print(f"{label:58s} best {best:7.3f} s   median {median:7.3f} s")


if __name__ == "__main__":
    main()
