"""Tests of tco_xl.libreoffice against a real headless LibreOffice Calc.

Each soffice start takes about a second (LibreOffice 7.4 on a 2-core
machine), so the converted files are module-scoped fixtures that several
tests share.
"""

import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from libreoffice_support import require_libreoffice, require_pdftoppm

from tco_xl import libreoffice
from tco_xl.errors import TcoError
from tco_xl.libreoffice import (
    LibreOfficeError,
    find_soffice,
    pdf_to_pngs,
    recalculate,
    recalculate_many,
    to_pdf,
)

require_libreoffice()

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Inputs!A1:A3 are 5, 7 and 11. The stale-value test changes A1 to 100.
EXPECTED = {
    ("Inputs", "B1"): 10,  # =A1*2
    ("Inputs", "B2"): 23,  # =SUM(A1:A3)
    ("Report", "A1"): 28,  # =Inputs!A1+Inputs!B2
    ("Report", "A2"): 230,  # =Inputs!B2*Inputs!B1
}
EXPECTED_AFTER_EDIT = {
    ("Inputs", "B1"): 200,
    ("Inputs", "B2"): 118,
    ("Report", "A1"): 218,
    ("Report", "A2"): 23600,
}


def write_workbook(path: Path) -> Path:
    """Write a workbook with inputs and formulas but no cached values, as openpyxl does."""
    workbook = openpyxl.Workbook()
    inputs = workbook.active
    inputs.title = "Inputs"
    inputs["A1"] = 5
    inputs["A2"] = 7
    inputs["A3"] = 11
    inputs["B1"] = "=A1*2"
    inputs["B2"] = "=SUM(A1:A3)"
    report = workbook.create_sheet("Report")
    report["A1"] = "=Inputs!A1+Inputs!B2"
    report["A2"] = "=Inputs!B2*Inputs!B1"
    workbook.save(path)
    return path


def cached_values(path: Path) -> dict:
    """Return the cached value of each cell in EXPECTED, as openpyxl reads it."""
    workbook = openpyxl.load_workbook(path, data_only=True)
    return {(sheet, cell): workbook[sheet][cell].value for sheet, cell in EXPECTED}


def replace_input_in_xml(source: Path, target: Path, new_value: int) -> None:
    """Copy ``source`` with Inputs!A1 set to ``new_value`` in the sheet XML only.

    The formula cells keep their cached ``<v>`` values, which are then stale.
    """
    pattern = re.compile(rb'(<c r="A1"[^>]*>)<v>5</v>(</c>)')
    replacement = rb"\g<1><v>" + str(new_value).encode() + rb"</v>\g<2>"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            # LibreOffice writes the first sheet, Inputs, as sheet1.xml.
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = pattern.subn(replacement, data)
                assert count == 1, "Inputs!A1 with value 5 not found in sheet1.xml"
            zout.writestr(item, data)


def expected_for_input(a1: int) -> dict:
    """Return the values of the cells in EXPECTED when Inputs!A1 is ``a1``."""
    total = a1 + 7 + 11
    return {
        ("Inputs", "B1"): 2 * a1,
        ("Inputs", "B2"): total,
        ("Report", "A1"): a1 + total,
        ("Report", "A2"): total * 2 * a1,
    }


def write_workbook_with_input(path: Path, a1: int) -> Path:
    write_workbook(path)
    workbook = openpyxl.load_workbook(path)
    workbook["Inputs"]["A1"] = a1
    workbook.save(path)
    return path


def record_commands(patch: pytest.MonkeyPatch) -> list[list[str]]:
    """Patch libreoffice._run to record each command it runs, and return that list."""
    commands = []
    original_run = libreoffice._run

    def recording_run(command, *args, **kwargs):
        commands.append(command)
        return original_run(command, *args, **kwargs)

    patch.setattr(libreoffice, "_run", recording_run)
    return commands


def write_fake_soffice(directory: Path, body: str) -> str:
    script = directory / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return write_workbook(tmp_path_factory.mktemp("source") / "model.xlsx")


@pytest.fixture(scope="module")
def source_bytes(source) -> bytes:
    return source.read_bytes()


@pytest.fixture(scope="module")
def recalculated(source, source_bytes, tmp_path_factory) -> Path:
    # source_bytes is a parameter so that it is read before soffice runs.
    return recalculate(source, tmp_path_factory.mktemp("recalculated"))


@pytest.fixture(scope="module")
def stale_input(recalculated, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("stale") / "model.xlsx"
    replace_input_in_xml(recalculated, target, 100)
    return target


@pytest.fixture(scope="module")
def stale_recalculated(stale_input, tmp_path_factory) -> Path:
    return recalculate(stale_input, tmp_path_factory.mktemp("stale_recalculated"))


# Inputs!A1 of each workbook that recalculate_many converts in one call.
MANY_INPUTS = (3, 40, 500)


@pytest.fixture(scope="module")
def many_sources(tmp_path_factory) -> list[Path]:
    directory = tmp_path_factory.mktemp("many_sources")
    return [
        write_workbook_with_input(directory / f"model_{a1}.xlsx", a1)
        for a1 in MANY_INPUTS
    ]


@pytest.fixture(scope="module")
def many_recalculated(many_sources, tmp_path_factory) -> tuple[list[Path], int]:
    """Return the outputs of one recalculate_many call and how many processes it ran."""
    out_dir = tmp_path_factory.mktemp("many_recalculated")
    with pytest.MonkeyPatch.context() as patch:
        commands = record_commands(patch)
        outputs = recalculate_many(many_sources, out_dir)
    return outputs, len(commands)


@pytest.fixture(scope="module")
def pdf(source, tmp_path_factory) -> Path:
    return to_pdf(source, tmp_path_factory.mktemp("pdf"))


def test_recalculate_writes_xlsx_in_out_dir(source, recalculated):
    assert recalculated.name == "model.xlsx"
    assert recalculated.parent != source.parent
    assert recalculated.is_file()
    assert zipfile.is_zipfile(recalculated)


def test_recalculate_computes_formulas(recalculated):
    assert cached_values(recalculated) == EXPECTED


def test_recalculate_keeps_formulas(recalculated):
    workbook = openpyxl.load_workbook(recalculated)
    assert workbook["Inputs"]["B1"].value == "=A1*2"
    assert workbook["Inputs"]["B2"].value == "=SUM(A1:A3)"
    assert workbook["Report"]["A1"].value == "=Inputs!A1+Inputs!B2"


def test_recalculate_leaves_input_unchanged(source, source_bytes, recalculated):
    assert source.read_bytes() == source_bytes


def test_stale_input_keeps_old_cached_values(stale_input):
    # Guards the next test: without this, it would pass on a file with no cache.
    workbook = openpyxl.load_workbook(stale_input, data_only=True)
    assert workbook["Inputs"]["A1"].value == 100
    assert cached_values(stale_input) == EXPECTED


def test_recalculate_replaces_stale_values(stale_recalculated):
    assert cached_values(stale_recalculated) == EXPECTED_AFTER_EDIT


def test_recalculate_rejects_non_spreadsheet(tmp_path):
    not_a_workbook = tmp_path / "notes.xlsx"
    not_a_workbook.write_text("this is not a spreadsheet\n")
    with pytest.raises(LibreOfficeError, match="wrote no .xlsx file") as caught:
        recalculate(not_a_workbook, tmp_path / "out", timeout_seconds=60)
    assert str(not_a_workbook) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "out" / "notes.xlsx").exists()


def test_recalculate_rejects_missing_input(tmp_path):
    with pytest.raises(LibreOfficeError, match="workbook not found"):
        recalculate(tmp_path / "missing.xlsx", tmp_path / "out")


def test_recalculate_rejects_overwriting_input(tmp_path, source):
    copy = tmp_path / "model.xlsx"
    shutil.copyfile(source, copy)
    with pytest.raises(LibreOfficeError, match="would overwrite the input"):
        recalculate(copy, tmp_path)
    assert copy.read_bytes() == source.read_bytes()


def test_recalculate_without_soffice_names_package(monkeypatch, tmp_path, source):
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: None)
    with pytest.raises(LibreOfficeError, match="libreoffice-calc-nogui"):
        recalculate(source, tmp_path)


def test_libreoffice_error_is_tco_error():
    assert issubclass(LibreOfficeError, TcoError)


def test_find_soffice_reads_path(monkeypatch, tmp_path):
    fake = tmp_path / "libreoffice"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_soffice() == str(fake)


def test_find_soffice_falls_back_to_debian_path(monkeypatch, tmp_path):
    fallback = tmp_path / "program" / "soffice"
    fallback.parent.mkdir()
    fallback.write_text("#!/bin/sh\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(libreoffice, "DEBIAN_SOFFICE", fallback)
    assert find_soffice() == str(fallback)


def test_find_soffice_returns_none_when_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(libreoffice, "DEBIAN_SOFFICE", tmp_path / "missing")
    assert find_soffice() is None


def test_recalculate_reports_exit_status(monkeypatch, tmp_path, source):
    fake = write_fake_soffice(tmp_path, "echo 'Error: fake failure' >&2\nexit 3")
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: fake)
    with pytest.raises(LibreOfficeError) as caught:
        recalculate(source, tmp_path / "out")
    message = str(caught.value)
    assert "exit status 3" in message
    assert "Error: fake failure" in message
    assert str(source) in message


def test_recalculate_kills_process_group_on_timeout(monkeypatch, tmp_path, source):
    # The shell waits on sleep, which keeps the output pipes open. If only the
    # shell were killed, collecting the output would block for 30 s.
    fake = write_fake_soffice(tmp_path, "sleep 30")
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: fake)
    started = time.monotonic()
    with pytest.raises(LibreOfficeError, match="timed out after 1 s"):
        recalculate(source, tmp_path / "out", timeout_seconds=1)
    assert time.monotonic() - started < 15


def test_recalculate_many_keeps_input_order(many_sources, many_recalculated):
    outputs, _ = many_recalculated
    assert [output.name for output in outputs] == [
        source.name for source in many_sources
    ]
    for output in outputs:
        assert output.is_file()
        assert output.parent != many_sources[0].parent


def test_recalculate_many_computes_each_workbook(many_recalculated):
    outputs, _ = many_recalculated
    for a1, output in zip(MANY_INPUTS, outputs):
        assert cached_values(output) == expected_for_input(a1), output.name


def test_recalculate_many_runs_one_process(many_recalculated):
    _, run_count = many_recalculated
    assert run_count == 1


def test_recalculate_many_splits_long_lists(monkeypatch, tmp_path):
    sources = [
        write_workbook_with_input(tmp_path / f"model_{a1}.xlsx", a1) for a1 in (1, 2, 3)
    ]
    monkeypatch.setattr(libreoffice, "MAX_FILES_PER_PROCESS", 2)
    commands = record_commands(monkeypatch)
    outputs = recalculate_many(sources, tmp_path / "out")
    assert len(commands) == 2
    assert [output.name for output in outputs] == [source.name for source in sources]
    for a1, output in zip((1, 2, 3), outputs):
        assert cached_values(output) == expected_for_input(a1), output.name


def test_recalculate_many_names_unloadable_file(tmp_path):
    good = [
        write_workbook_with_input(tmp_path / f"good_{a1}.xlsx", a1) for a1 in (1, 2)
    ]
    bad = tmp_path / "notes.xlsx"
    bad.write_text("this is not a spreadsheet\n")
    out_dir = tmp_path / "out"
    with pytest.raises(LibreOfficeError, match="wrote no .xlsx file") as caught:
        recalculate_many([good[0], bad, good[1]], out_dir, timeout_seconds=60)
    message = str(caught.value)
    assert f"file for {bad} (" in message
    assert str(good[0]) not in message
    assert str(good[1]) not in message
    assert not out_dir.exists()


def test_recalculate_many_rejects_clashing_stems(tmp_path):
    first = write_workbook(tmp_path / "model.xlsx")
    (tmp_path / "other").mkdir()
    second = write_workbook(tmp_path / "other" / "model.xlsx")
    with pytest.raises(LibreOfficeError, match="would both be converted to"):
        recalculate_many([first, second], tmp_path / "out")


def test_recalculate_many_rejects_missing_input(tmp_path):
    present = write_workbook(tmp_path / "model.xlsx")
    missing = tmp_path / "missing.xlsx"
    with pytest.raises(
        LibreOfficeError, match=re.escape(f"workbook not found: {missing}")
    ):
        recalculate_many([present, missing], tmp_path / "out")


def test_recalculate_many_without_paths_starts_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: None)
    assert recalculate_many([], tmp_path / "out") == []


def test_recalculate_many_reports_exit_status(monkeypatch, tmp_path, source):
    other = write_workbook(tmp_path / "other.xlsx")
    fake = write_fake_soffice(tmp_path, "echo 'Error: fake failure' >&2\nexit 3")
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: fake)
    with pytest.raises(LibreOfficeError) as caught:
        recalculate_many([source, other], tmp_path / "out")
    message = str(caught.value)
    assert "exit status 3" in message
    assert str(source) in message
    assert str(other) in message


def test_to_pdf_writes_pdf(pdf):
    assert pdf.name == "model.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_to_pdf_shows_computed_values(pdf):
    require_pdftoppm()
    # pdftotext ships in poppler-utils with pdftoppm.
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "230" in text  # Report!A2
    assert "28" in text  # Report!A1


def test_pdf_to_pngs_writes_png_pages(pdf, tmp_path):
    require_pdftoppm()
    pages = pdf_to_pngs(pdf, tmp_path / "png")
    assert len(pages) >= 1
    for page in pages:
        assert page.parent == tmp_path / "png"
        assert page.read_bytes().startswith(PNG_SIGNATURE)


def test_pdf_to_pngs_without_pdftoppm_names_package(monkeypatch, tmp_path, pdf):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LibreOfficeError, match="poppler-utils"):
        pdf_to_pngs(pdf, tmp_path / "png")


def test_pdf_to_pngs_rejects_missing_pdf(tmp_path):
    with pytest.raises(LibreOfficeError, match="PDF file not found"):
        pdf_to_pngs(tmp_path / "missing.pdf", tmp_path / "png")
