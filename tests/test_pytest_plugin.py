"""The pytest plugin: workbooks named by option or ini file become one test per check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tco_xl.template_read import open_template

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "workbooks" / "examples" / "demo_en.xlsx"


@pytest.fixture()
def faulty(tmp_path) -> Path:
    path = tmp_path / "faulty.xlsx"
    shutil.copyfile(DEMO, path)
    workbook = open_template(path)
    workbook["Calculation"]["E60"] = 12.5
    workbook.save(path)
    return path


def test_plugin_registered_by_entry_point(pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--tco-workbooks=PATH*"])


def test_option_collects_checks(pytester):
    result = pytester.runpytest("--tco-workbooks", str(DEMO), "-v")
    result.stdout.fnmatch_lines(["*demo_en.xlsx::formulas PASSED*", "*demo_en.xlsx::values PASSED*", "*demo_en.xlsx::scenarios SKIPPED*"])
    result.assert_outcomes(passed=5, skipped=1)


def test_differences_fail_with_cells(pytester, faulty):
    result = pytester.runpytest("--tco-workbooks", str(faulty))
    result.assert_outcomes(passed=3, failed=2, skipped=1)
    result.stdout.fnmatch_lines([
        "*Calculation!E60 (inland_destination, option 'Buy in China'): the typed number 12.5 replaces the formula*",
        "*Calculation!E60 (inland_destination, option 'Buy in China'): expected *, found 12.5*",
    ])


def test_ini_folder_and_scenarios(pytester, faulty):
    folder = pytester.path / "returned"
    folder.mkdir()
    shutil.copyfile(DEMO, folder / "good.xlsx")
    pytester.makeini("[pytest]\ntco_workbooks = returned\ntco_scenarios = 3\n")
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(["*good.xlsx::scenarios PASSED*"])
    result.assert_outcomes(passed=6)


def test_keyword_selects_checks(pytester):
    result = pytester.runpytest("--tco-workbooks", str(DEMO), "-k", "values")
    result.assert_outcomes(passed=1)


def test_unreadable_workbook_fails_once(pytester):
    bad = pytester.path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    result = pytester.runpytest("--tco-workbooks", str(bad))
    result.assert_outcomes(failed=1, skipped=5)
    result.stdout.fnmatch_lines(["*bad.xlsx: not an .xlsx workbook*"])


def test_no_workbooks_adds_nothing(pytester):
    pytester.makepyfile("def test_one():\n    assert True\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_bad_ini_value_usage_error(pytester):
    pytester.makeini(f"[pytest]\ntco_workbooks = {DEMO}\ntco_scenarios = many\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*tco_scenarios = 'many' is invalid*"])


@pytest.mark.parametrize("option", ["--tco-tolerance=inf", "--tco-tolerance=-1", "--tco-scenarios=-3"])
def test_bad_option_usage_error(pytester, option):
    result = pytester.runpytest("--tco-workbooks", str(DEMO), option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_udf_variant_checks_its_functions(pytester):
    udfs = ROOT / "workbooks" / "examples" / "demo_en_udfs.xlsx"
    result = pytester.runpytest("--tco-workbooks", str(udfs), "--tco-scenarios", "3", "-v")
    result.stdout.fnmatch_lines(["*demo_en_udfs.xlsx::values PASSED*", "*demo_en_udfs.xlsx::scenarios PASSED*"])
    result.assert_outcomes(passed=6)
