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

# soffice 7.4.7 reads at most 253 command-line arguments and silently ignores
# the rest, still exiting with status 0, so a longer list of files is split
# over several processes. Measured with 400 small files on Debian 12.
MAX_FILES_PER_PROCESS = 200

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


def recalculate_many(paths, out_dir, timeout_seconds: float = 600) -> list[Path]:
    """Recalculate several workbooks and save each as xlsx in ``out_dir``.

    One soffice process converts up to MAX_FILES_PER_PROCESS files, which
    saves the start-up time of about a second per file that separate
    ``recalculate`` calls take. ``timeout_seconds`` limits each process.
    The inputs are never modified. Each output is named after its input's
    stem, so two inputs with the same stem raise LibreOfficeError.
    When soffice writes no output for some file, LibreOfficeError names each
    such file and no output is kept. Returns the paths of the new files in
    ``out_dir``, in the order of ``paths``.
    """
    return _convert_many(
        [Path(path) for path in paths],
        Path(out_dir),
        XLSX_FILTER,
        ".xlsx",
        timeout_seconds,
    )


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
    return _convert_many([path], out_dir, target_filter, suffix, timeout_seconds)[0]


def _convert_many(
    paths: list[Path],
    out_dir: Path,
    target_filter: str,
    suffix: str,
    timeout_seconds: float,
) -> list[Path]:
    """Convert ``paths`` in a throwaway soffice profile and move the results to ``out_dir``."""
    if not paths:
        return []
    targets = _check_targets(paths, out_dir, suffix)
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError(
            f"LibreOffice (soffice) not found on PATH, so {_subject(paths)} cannot "
            "be converted; install Debian's libreoffice-calc-nogui"
        )

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tco_xl_soffice_") as work:
        work_dir = Path(work)
        profile = _make_profile(work_dir / "profile")
        source_dir = work_dir / "in"
        source_dir.mkdir()
        converted_dir = work_dir / "out"
        for path in paths:
            shutil.copyfile(path, source_dir / path.name)
        for first in range(0, len(paths), MAX_FILES_PER_PROCESS):
            batch = slice(first, first + MAX_FILES_PER_PROCESS)
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
                *(str(source_dir / path.name) for path in paths[batch]),
            ]
            _run_soffice(
                command,
                paths[batch],
                [converted_dir / target.name for target in targets[batch]],
                suffix,
                timeout_seconds,
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        for target in targets:
            shutil.move(converted_dir / target.name, target)
    logger.debug(
        "Converted %s to %s in %.1f s",
        _subject(paths),
        suffix,
        time.monotonic() - started,
    )
    return targets


def _run_soffice(
    command: list[str],
    paths: list[Path],
    converted: list[Path],
    suffix: str,
    timeout_seconds: float,
) -> None:
    """Run one soffice conversion and raise LibreOfficeError unless it wrote all of ``converted``."""
    subject = _subject(paths)
    returncode, stderr = _run(command, timeout_seconds, subject, "LibreOffice")
    if returncode != 0:
        raise LibreOfficeError(
            f"LibreOffice failed to convert {subject} to {suffix} with exit "
            f"status {returncode}: {_last_line(stderr)}"
        )
    # soffice 7.4 exits with status 0 when it cannot load a file, and
    # converts the other files of the same call.
    missing = [
        str(path) for path, output in zip(paths, converted) if not output.is_file()
    ]
    if missing:
        raise LibreOfficeError(
            f"LibreOffice wrote no {suffix} file for {', '.join(missing)} "
            f"({_last_line(stderr)}); check that Calc can open the file"
        )


def _check_targets(paths: list[Path], out_dir: Path, suffix: str) -> list[Path]:
    """Return the output path of each input, or raise when an input is missing or two outputs clash."""
    targets = []
    for path in paths:
        if not path.is_file():
            raise LibreOfficeError(f"workbook not found: {path}; check the path")
        target = out_dir / (path.stem + suffix)
        if target.resolve() == path.resolve():
            raise LibreOfficeError(
                f"writing {target} would overwrite the input workbook; "
                "choose another out_dir"
            )
        targets.append(target)
    # soffice names each output after its input's stem, so equal stems clash.
    seen = {}
    for path, target in zip(paths, targets):
        if target.name in seen:
            raise LibreOfficeError(
                f"{seen[target.name]} and {path} would both be converted to "
                f"{target}; give the workbooks different names"
            )
        seen[target.name] = path
    return targets


def _subject(paths: list[Path]) -> str:
    """Name the files of a conversion in a message: one path, or the count, first and last."""
    if len(paths) == 1:
        return str(paths[0])
    if len(paths) == 2:
        return f"2 workbooks ({paths[0]}, {paths[1]})"
    return f"{len(paths)} workbooks ({paths[0]}, ..., {paths[-1]})"


def _make_profile(profile_dir: Path) -> Path:
    """Create a user profile that makes Calc recalculate every file on load."""
    user_dir = profile_dir / "user"
    user_dir.mkdir(parents=True)
    (user_dir / "registrymodifications.xcu").write_text(
        RECALC_ALWAYS_XCU, encoding="utf-8"
    )
    return profile_dir.resolve()


def _run(
    command: list[str], timeout_seconds: float, path: Path | str, program: str
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
