"""Recalculate and render workbooks with headless LibreOffice Calc.

Each call starts its own ``soffice`` process with a throwaway user profile in
a temporary folder, so parallel calls do not clash and the machine's profile
plays no part. That profile makes Calc recalculate every formula on load,
because LibreOffice 7.4 otherwise keeps the cached values of an xlsx file
that it wrote itself.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tco_xl.errors import TcoError

logger = logging.getLogger(__name__)

# Path of soffice in Debian's libreoffice-common, for when it is not on PATH.
DEBIAN_SOFFICE = Path("/usr/lib/libreoffice/program/soffice")

XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
PDF_FILTER = "pdf:calc_pdf_Export"

# Recalc mode 0 is "always recalculate". The default in LibreOffice 7.4's
# main.xcd is 1, "never recalculate", which keeps the cached values of an
# xlsx file that LibreOffice wrote itself.
RECALC_ALWAYS_XCU = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(TcoError):
    """LibreOffice or pdftoppm is missing, failed, timed out or wrote no output."""


def find_soffice() -> str | None:
    """Return the path of LibreOffice's ``soffice``, or None if it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if DEBIAN_SOFFICE.is_file():
        return str(DEBIAN_SOFFICE)
    return None


def recalculate(path, out_dir, timeout_seconds: float = 180) -> Path:
    """Recalculate every formula of a workbook and save it as xlsx in ``out_dir``.

    The input file is never modified: Calc works on a copy, and an ``out_dir``
    that would put the result on top of the input raises LibreOfficeError.
    Returns the path of the new file, named after the input with an .xlsx suffix.
    """
    return _convert(Path(path), Path(out_dir), XLSX_FILTER, ".xlsx", timeout_seconds)


def to_pdf(path, out_dir, timeout_seconds: float = 180) -> Path:
    """Recalculate a workbook and print every sheet to a PDF file in ``out_dir``."""
    return _convert(Path(path), Path(out_dir), PDF_FILTER, ".pdf", timeout_seconds)


def pdf_to_pngs(
    pdf_path, out_dir, dpi: int = 80, timeout_seconds: float = 180
) -> list[Path]:
    """Render each page of a PDF file to a PNG file in ``out_dir``, in page order.

    The files are named ``<stem>-<page>.png`` with the page number zero-padded
    by pdftoppm, so that they sort in page order.
    """
    pdf_path = Path(pdf_path)
    out_dir = Path(out_dir)
    if not pdf_path.is_file():
        raise LibreOfficeError(f"PDF file not found: {pdf_path}; check the path")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise LibreOfficeError(
            f"pdftoppm not found on PATH, so {pdf_path} cannot be rendered; "
            "install Debian's poppler-utils"
        )

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tco_xl_pdftoppm_") as work:
        prefix = Path(work) / pdf_path.stem
        command = [pdftoppm, "-png", "-r", str(dpi), str(pdf_path), str(prefix)]
        returncode, stderr = _run(command, timeout_seconds, pdf_path, "pdftoppm")
        if returncode != 0:
            raise LibreOfficeError(
                f"pdftoppm failed on {pdf_path} with exit status {returncode}: "
                f"{_last_line(stderr)}; check that the file is a valid PDF"
            )
        pages = sorted(Path(work).glob(f"{pdf_path.stem}-*.png"))
        if not pages:
            raise LibreOfficeError(
                f"pdftoppm wrote no PNG file for {pdf_path}; "
                "check that the PDF file has at least one page"
            )
        return [Path(shutil.move(page, out_dir / page.name)) for page in pages]


def _convert(
    path: Path, out_dir: Path, target_filter: str, suffix: str, timeout_seconds: float
) -> Path:
    """Convert ``path`` with soffice in a throwaway profile and move the result to ``out_dir``."""
    if not path.is_file():
        raise LibreOfficeError(f"workbook not found: {path}; check the path")
    target = out_dir / (path.stem + suffix)
    if target.resolve() == path.resolve():
        raise LibreOfficeError(
            f"writing {target} would overwrite the input workbook; "
            "choose another out_dir"
        )
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError(
            f"LibreOffice (soffice) not found on PATH, so {path} cannot be "
            "converted; install Debian's libreoffice-calc-nogui"
        )

    with tempfile.TemporaryDirectory(prefix="tco_xl_soffice_") as work:
        work_dir = Path(work)
        profile = _make_profile(work_dir / "profile")
        source = work_dir / "in" / path.name
        source.parent.mkdir()
        shutil.copyfile(path, source)
        converted_dir = work_dir / "out"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            target_filter,
            "--outdir",
            str(converted_dir),
            str(source),
        ]
        started = time.monotonic()
        returncode, stderr = _run(command, timeout_seconds, path, "LibreOffice")
        converted = converted_dir / target.name
        if returncode != 0:
            raise LibreOfficeError(
                f"LibreOffice failed to convert {path} to {suffix} with exit "
                f"status {returncode}: {_last_line(stderr)}"
            )
        # soffice 7.4 exits with status 0 when it cannot load the file.
        if not converted.is_file():
            raise LibreOfficeError(
                f"LibreOffice wrote no {suffix} file for {path} "
                f"({_last_line(stderr)}); check that Calc can open the file"
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(converted, target)
    logger.debug(
        "Converted %s to %s in %.1f s", path, target, time.monotonic() - started
    )
    return target


def _make_profile(profile_dir: Path) -> Path:
    """Create a user profile that makes Calc recalculate every file on load."""
    user_dir = profile_dir / "user"
    user_dir.mkdir(parents=True)
    (user_dir / "registrymodifications.xcu").write_text(
        RECALC_ALWAYS_XCU, encoding="utf-8"
    )
    return profile_dir.resolve()


def _run(
    command: list[str], timeout_seconds: float, path: Path, program: str
) -> tuple[int, str]:
    """Run ``command`` in its own process group and return its exit status and stderr.

    On timeout the whole group is killed, because soffice is a shell script
    that starts oosplash and soffice.bin, which would otherwise keep running
    with the output pipes open.
    """
    logger.debug("Running %s", command)
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise LibreOfficeError(
            f"{program} timed out after {timeout_seconds} s on {path}; "
            f"raise timeout_seconds or check that {program} can open the file"
        ) from None
    return process.returncode, stderr


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no error output"
