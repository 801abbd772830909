"""The workbook check and the `tco-xl check` command: findings, reports, exit codes and bad input."""

from __future__ import annotations

import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from tco_xl.check_report import exit_code, json_report, junit_report, text_report
from tco_xl.cli import main
from tco_xl.template_read import check_template, open_template
from tco_xl.workbook_check import CHECKS, CheckSettings, check_file, check_workbook

ROOT = Path(__file__).resolve().parent.parent
DEMO_EN = ROOT / "workbooks" / "examples" / "demo_en.xlsx"
DEMO_NL = ROOT / "workbooks" / "examples" / "demo_nl.xlsx"
TEMPLATE_EN = ROOT / "workbooks" / "tco-xl-tilburg-en.xlsx"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def statuses(report) -> dict[str, str]:
    return {check.name: check.status for check in report.checks}


def findings_of(report, name: str):
    return next(check for check in report.checks if check.name == name).findings


@pytest.fixture()
def demo_copy(tmp_path):
    path = tmp_path / "demo.xlsx"
    shutil.copyfile(DEMO_EN, path)
    return path


def edited(path: Path, edit) -> Path:
    """Open a workbook, apply ``edit(workbook)``, save it in place and return the path."""
    workbook = open_template(path)
    edit(workbook)
    workbook.save(path)
    return path


# ---------------------------------------------------------------- clean workbooks


@pytest.mark.parametrize("path", [DEMO_EN, DEMO_NL], ids=["en", "nl"])
def test_demo_passes(path):
    report = check_file(path)
    assert report.status == "passed"
    assert statuses(report) == {name: "passed" for name in CHECKS[:-1]} | {"scenarios": "skipped"}


def test_empty_template_skips_values():
    report = check_file(TEMPLATE_EN)
    assert report.status == "passed"
    values = next(check for check in report.checks if check.name == "values")
    assert values.status == "skipped"
    assert "Inputs!D22" in values.summary
    assert "name is missing" in values.summary


def test_scenarios_reproducible_by_seed():
    settings = CheckSettings(scenarios=12, seed=5)
    first = check_file(TEMPLATE_EN, settings)
    scenarios = next(check for check in first.checks if check.name == "scenarios")
    assert scenarios.status == "passed"
    assert "12 scenarios from seed 5" in scenarios.summary
    again = next(check for check in check_file(TEMPLATE_EN, settings).checks if check.name == "scenarios")
    assert again.summary == scenarios.summary


def test_progress_per_scenario():
    calls = []
    check_file(DEMO_EN, CheckSettings(scenarios=5), progress=lambda done, total, what: calls.append((done, total, what)))
    assert calls == [(n, 5, "scenarios") for n in range(1, 6)]


# ---------------------------------------------------------------- findings


def test_typed_number_named_with_line(demo_copy):
    edited(demo_copy, lambda wb: wb["Calculation"].__setitem__("E60", 12.5))
    report = check_file(demo_copy)
    assert report.status == "failed"
    (finding,) = findings_of(report, "formulas")
    assert (finding.sheet, finding.cell, finding.what, finding.option) == ("Calculation", "E60", "inland_destination", "Buy in China")
    assert "typed number 12.5 replaces the formula" in finding.message
    differences = findings_of(report, "values")
    assert any(f.cell == "E60" and f.what == "inland_destination" and f.found == 12.5 for f in differences)


def test_changed_formula_reported(demo_copy):
    def edit(wb):
        wb["Calculation"]["D52"].value = wb["Calculation"]["D52"].value.replace("*", "/", 1)

    report = check_file(edited(demo_copy, edit))
    (finding,) = findings_of(report, "formulas")
    assert finding.cell == "D52"
    assert "differs from the template's" in finding.message
    assert findings_of(report, "values"), "a changed labour formula changes the results"


def test_input_outside_range_named(demo_copy):
    edited(demo_copy, lambda wb: wb["Inputs"].__setitem__("D23", -5))
    report = check_file(demo_copy)
    (finding,) = findings_of(report, "inputs")
    assert finding.cell == "D23"
    assert finding.what == "annual_volume"
    assert "found -5; expected a number from 1 to" in finding.message


def test_text_in_number_cell_named(demo_copy):
    edited(demo_copy, lambda wb: wb["Inputs"].__setitem__("E36", "cheap"))
    report = check_file(demo_copy)
    inputs = findings_of(report, "inputs")
    assert [f.cell for f in inputs] == ["E36"]
    assert "found 'cheap'; expected a number" in inputs[0].message
    values = findings_of(report, "values")
    assert [(f.sheet, f.cell) for f in values] == [("Inputs", "E36")]


@pytest.mark.parametrize(
    "cell, value, rejected",
    [("E40", 5, "materials_eur = 5.0 is invalid for sourcing = buy"), ("D38", 0, "fx_eur_per_unit = 0 is invalid")],
    ids=["materials-on-bought-option", "zero-exchange-rate"],
)
def test_input_core_rejects_fails_values(demo_copy, cell, value, rejected):
    edited(demo_copy, lambda wb: wb["Inputs"].__setitem__(cell, value))
    report = check_file(demo_copy)
    assert statuses(report)["inputs"] == "passed"
    (finding,) = findings_of(report, "values")
    assert (finding.sheet, finding.cell) == ("Inputs", cell)
    assert rejected in finding.message


def test_date_in_number_cell_invalid(demo_copy):
    import datetime as dt

    edited(demo_copy, lambda wb: wb["Inputs"].__setitem__("D23", dt.datetime(2026, 1, 1)))
    (finding,) = findings_of(check_file(demo_copy), "inputs")
    assert finding.cell == "D23"


@pytest.mark.parametrize("column, values_status", [("E", "passed"), ("F", "passed"), ("D", "skipped")])
def test_empty_option_column(demo_copy, column, values_status):
    def edit(wb):
        for row in range(32, 152):
            cell = wb["Inputs"][f"{column}{row}"]
            if cell.data_type != "f":
                cell.value = None

    report = check_file(edited(demo_copy, edit))
    assert statuses(report)["values"] == values_status


def test_sheet_name_and_precision_reported(demo_copy):
    from openpyxl.workbook.defined_name import DefinedName

    def edit(wb):
        wb["Calculation"].defined_names["cost_of_capital"] = DefinedName("cost_of_capital", attr_text="Defaults!$B$274*5")
        wb.defined_names["discount_rate"] = DefinedName("discount_rate", attr_text="0.2")
        wb.calculation.fullPrecision = False

    messages = [f.describe() for f in findings_of(check_file(edited(demo_copy, edit)), "formulas")]
    assert any(m.startswith("sheet Calculation: the sheet defines its own name cost_of_capital") for m in messages)
    assert any(m.startswith("the defined name discount_rate refers to 0.2; the template's refers to") for m in messages)
    assert any("precision as displayed" in m for m in messages)


@pytest.mark.parametrize(
    "formula, problem",
    [
        ("=" + "+".join(["1"] * 400), "nested too deeply"),
        ("=SUM(Defaults!Z:Z)", "a whole row, column or more than"),
        ("=SUM(Defaults!1000:1000)", "a whole row, column or more than"),
    ],
    ids=["long-chain", "whole-column", "whole-row"],
)
def test_formula_beyond_engine_reported(demo_copy, formula, problem):
    edited(demo_copy, lambda wb: wb["Calculation"].__setitem__("E60", formula))
    messages = [f.message for f in findings_of(check_file(demo_copy), "formulas") if f.cell == "E60"]
    assert any(problem in m for m in messages)


def test_name_referring_to_itself_reported(demo_copy):
    from openpyxl.workbook.defined_name import DefinedName

    def edit(wb):
        wb.defined_names["cost_of_capital"] = DefinedName("cost_of_capital", attr_text="cost_of_capital")

    messages = [f.message for f in findings_of(check_file(edited(demo_copy, edit)), "formulas")]
    assert any("refers to itself" in m for m in messages)


def test_error_and_empty_reference_reported(demo_copy):
    def edit(wb):
        wb["Defaults"]["B277"] = None
        wb["Calculation"]["D52"] = "=1/0"

    report = check_file(edited(demo_copy, edit))
    errors = findings_of(report, "errors")
    assert any(f.cell == "D52" and f.found == "#DIV/0!" for f in errors)
    (reference,) = findings_of(report, "references")
    assert (reference.sheet, reference.cell, reference.what) == ("Defaults", "B277", "model|fill_factor")
    assert "is empty, but Inputs!I55 and 3 more refer to it; the template has 0.65" in reference.message


@pytest.mark.parametrize("value, message", [(50, "the value 50 differs from the template's 45"), (None, "the template's value 45 was deleted")])
def test_edited_default_named_with_key(demo_copy, value, message):
    edited(demo_copy, lambda wb: wb["Defaults"].__setitem__("B28", value))
    report = check_file(demo_copy)
    (finding,) = findings_of(report, "formulas")
    assert (finding.sheet, finding.cell, finding.what) == ("Defaults", "B28", "CN|transit_days")
    assert finding.message == message


def test_unknown_function_reported(demo_copy):
    edited(demo_copy, lambda wb: wb["Calculation"].__setitem__("D52", "=FOO(1)"))
    report = check_file(demo_copy)
    messages = [f.message for f in findings_of(report, "formulas")]
    assert any("the function FOO is not supported" in m for m in messages)


def test_circular_reference_fails_formulas(demo_copy):
    edited(demo_copy, lambda wb: wb["Calculation"].__setitem__("D52", "=D86"))
    report = check_file(demo_copy)
    assert report.status == "failed"
    assert statuses(report)["formulas"] == "failed"
    assert "circular reference" in report.checks[0].summary


def test_tolerance_sets_difference(demo_copy):
    # Scale one cost line by 1 + 1e-7: a difference at the 1e-7 level.
    def edit(wb):
        wb["Calculation"]["D52"].value = f"=({wb['Calculation']['D52'].value[1:]})*(1+1E-7)"

    edited(demo_copy, edit)
    strict = check_file(demo_copy)
    # The gaps to the baseline amplify the change about tenfold.
    loose = check_file(demo_copy, CheckSettings(relative_tolerance=1e-5))
    assert statuses(strict)["values"] == "failed"
    assert statuses(loose)["values"] == "passed"


# ---------------------------------------------------------------- reports


def test_text_json_junit_reports(demo_copy):
    edited(demo_copy, lambda wb: wb["Calculation"].__setitem__("E60", 12.5))
    reports = [check_file(DEMO_EN), check_file(demo_copy), check_file(ROOT / "README.md")]
    assert exit_code(reports) == 2
    assert exit_code(reports[:2]) == 1
    assert exit_code(reports[:1]) == 0

    text = text_report(reports, max_findings=1)
    assert "Checked 3 workbooks: 1 passed, 1 failed, 1 unreadable." in text
    assert "Calculation!E60 (inland_destination, option 'Buy in China')" in text
    assert "... and" in text

    document = json.loads(json_report(reports))
    assert [w["status"] for w in document["workbooks"]] == ["passed", "failed", "unreadable"]
    formulas = document["workbooks"][1]["checks"][0]
    assert formulas["check"] == "formulas"
    assert formulas["findings"][0]["cell"] == "E60"
    assert formulas["findings"][0]["found"] == 12.5

    root = ET.fromstring(junit_report(reports))
    assert root.get("tests") == str(6 + 6 + 1)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [str(DEMO_EN), str(demo_copy), str(ROOT / "README.md")]
    failed = {case.get("name") for case in suites[1] if case.find("failure") is not None}
    assert "formulas" in failed
    assert "values" in failed
    assert suites[2].find("testcase/error") is not None


# ---------------------------------------------------------------- command


def test_command_passes_demo(capsys):
    assert main(["check", str(DEMO_EN)]) == 0
    out = capsys.readouterr().out
    assert "demo_en.xlsx: passed" in out
    assert "values      passed   all 240 result cells equal the core" in out


def test_command_scenarios_json_junit(tmp_path, capsys):
    junit = tmp_path / "check.xml"
    assert main(["check", str(DEMO_EN), "--scenarios", "6", "--seed", "3", "--json", "--junit", str(junit)]) == 0
    document = json.loads(capsys.readouterr().out)
    scenarios = document["workbooks"][0]["checks"][-1]
    assert scenarios["status"] == "passed"
    assert "6 scenarios from seed 3" in scenarios["summary"]
    assert ET.parse(junit).getroot().get("failures") == "0"


def test_command_checks_folder(tmp_path, capsys):
    shutil.copyfile(DEMO_EN, tmp_path / "a.xlsx")
    shutil.copyfile(DEMO_NL, tmp_path / "b.xlsx")
    (tmp_path / "~$a.xlsx").write_bytes(b"lock file of an open workbook")
    (tmp_path / "sub").mkdir()
    shutil.copyfile(DEMO_EN, tmp_path / "sub" / "C.XLSX")
    # The folder and a file in it, named both: each workbook is checked once.
    assert main(["check", str(tmp_path), str(tmp_path / "a.xlsx")]) == 0
    assert "Checked 3 workbooks: 3 passed" in capsys.readouterr().out


def test_junit_over_workbook_rejected(demo_copy, capsys):
    before = digest(demo_copy)
    assert main(["check", str(demo_copy), "--junit", str(demo_copy)]) == 2
    assert "would replace the workbook" in capsys.readouterr().err
    assert digest(demo_copy) == before


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--scenarios", "-1"], "--scenarios -1 is invalid"),
        (["--tolerance", "-0.1"], "--tolerance -0.1 is invalid"),
        (["--tolerance", "nan"], "--tolerance nan is invalid"),
        (["--max-findings", "-1"], "--max-findings -1 is invalid"),
        (["--scenarios", "20001"], "--scenarios 20001 is invalid"),
        ([""], "an empty workbook path was given"),
        (["--junit", "/nonexistent-folder/check.xml"], "folder /nonexistent-folder not found"),
    ],
)
def test_command_rejects_bad_options(arguments, message, capsys):
    assert main(["check", str(DEMO_EN), *arguments]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_command_rejects_empty_folder(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    assert "no .xlsx workbook found in the folder" in capsys.readouterr().err


def _not_xlsx(path: Path) -> None:
    path.write_text("part;price\nframe;12,50\n", encoding="utf-8")


def _corrupt_zip(path: Path) -> None:
    content = DEMO_EN.read_bytes()
    path.write_bytes(content[: len(content) // 2])


def _encrypted(path: Path) -> None:
    # An encrypted workbook is an OLE2 compound file, as Excel writes it with a password.
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))


def _other_workbook(path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "prices"
    workbook.save(path)


def _missing_sheet(path: Path) -> None:
    workbook = open_template(DEMO_EN)
    del workbook["Path"]
    workbook.save(path)


def _zip_without_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")


@pytest.mark.parametrize(
    "make, expected",
    [
        (_not_xlsx, "not an .xlsx workbook"),
        (_corrupt_zip, ""),
        (_encrypted, "password"),
        (_other_workbook, "tco_template"),
        (_missing_sheet, "sheet 'Path' not found"),
        (_zip_without_workbook, ""),
    ],
    ids=["not-xlsx", "corrupt-zip", "encrypted", "not-a-template", "missing-sheet", "zip-without-workbook"],
)
def test_bad_workbook_exit_2_unchanged(tmp_path, capsys, make, expected):
    path = tmp_path / "input.xlsx"
    make(path)
    before = digest(path)
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    error_lines = captured.err.strip().splitlines()
    assert len(error_lines) == 1
    assert error_lines[0].startswith(f"tco-xl: error: {path}: ")
    assert expected.lower() in error_lines[0].lower()
    assert "Traceback" not in captured.err + captured.out
    assert "1 unreadable" in captured.out
    assert digest(path) == before


def test_missing_file_exit_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "absent.xlsx")]) == 2
    assert "absent.xlsx" in capsys.readouterr().err


def test_circular_reference_named_at_cell(demo_copy):
    edited(demo_copy, lambda wb: wb["Calculation"].__setitem__("D52", "=D86"))
    (finding,) = check_file(demo_copy).checks[0].findings
    assert (finding.sheet, finding.cell) == ("Calculation", "D52")


def test_check_leaves_workbook_unchanged():
    workbook = open_template(DEMO_EN)
    info = check_template(workbook, DEMO_EN)
    before = {(s.title, c.coordinate): c.value for s in workbook.worksheets for row in s.iter_rows() for c in row}
    check_workbook(workbook, info, "demo", CheckSettings(scenarios=3))
    after = {(s.title, c.coordinate): c.value for s in workbook.worksheets for row in s.iter_rows() for c in row}
    assert before == after


def test_scenario_command_reproduces_a_scenario(tmp_path, capsys):
    from tco_xl.scenarios import generate_case

    assert main(["scenario", "7", "--seed", "11"]) == 0
    raw = json.loads(capsys.readouterr().out)
    expected, _ = generate_case(7, 11)
    assert raw["name"] == expected["name"]
    assert raw["options"] == json.loads(json.dumps(expected["options"], default=str))

    case = tmp_path / "scenario.json"
    case.write_text(json.dumps(raw), encoding="utf-8")
    workbook = tmp_path / "scenario.xlsx"
    assert main(["template", "--lang", "en", "--case", str(case), "-o", str(workbook)]) == 0
    check = check_file(workbook)
    assert statuses(check)["values"] == "passed"


def test_scenario_command_rejects_negative_index(capsys):
    assert main(["scenario", "-2"]) == 2
    assert "scenario -2 is invalid" in capsys.readouterr().err


def test_failed_scenarios_name_the_reproducing_command(demo_copy):
    edited(demo_copy, lambda wb: wb["Calculation"].__setitem__("E60", 12.5))
    report = check_file(demo_copy, CheckSettings(scenarios=3, seed=4))
    scenarios = next(check for check in report.checks if check.name == "scenarios")
    assert scenarios.status == "failed"
    assert "tco-xl scenario N --seed 4 > case.json" in scenarios.summary
    assert all(f.scenario is not None for f in scenarios.findings)


def test_junit_with_control_characters_parses():
    from tco_xl.workbook_check import WorkbookReport

    report = WorkbookReport("returned/a\x01b.xlsx", error="not an .xlsx workbook\x02")
    root = ET.fromstring(junit_report([report]))
    assert root.find("testsuite").get("name") == "returned/a\ufffdb.xlsx"


def _stderr_on_terminal(arguments: list[str]) -> str:
    """Run `tco-xl` with stderr on a pseudo-terminal of 100 columns; return what it wrote there."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "tco_xl.cli", *arguments], stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait()
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_only_on_terminal():
    arguments = ["check", str(DEMO_EN), str(DEMO_NL), "--scenarios", "20"]
    shown = _stderr_on_terminal(arguments)
    assert "scenarios of demo_en.xlsx" in shown
    assert "/20 [" in shown
    assert "workbooks" in shown

    import subprocess
    import sys

    piped = subprocess.run([sys.executable, "-m", "tco_xl.cli", *arguments], capture_output=True, text=True)
    assert piped.returncode == 0
    assert piped.stderr == ""


def test_closed_stdout_gives_one_line():
    import os
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-m", "tco_xl.cli", "check", str(DEMO_EN)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # Start the command with its stdout closed, as `>&-` in a shell does.
        preexec_fn=lambda: os.close(1),
    )
    assert completed.returncode == 2
    assert completed.stderr.strip() == "tco-xl: error: writing to standard output failed: standard output is closed"
