"""Tests of the tco-xl command line, run in-process through main() and once as the console script."""

import csv
import errno
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from tco_xl import __version__
from tco_xl.casefile import load_case
from tco_xl.cli import main
from tco_xl.defaults import countries
from tco_xl.lines import LINES
from tco_xl.cli import DEMO_WORKBOOK
from tco_xl.report import OUTPUT_FILES, escape_formula, packaged_defaults, write_outputs
from tco_xl.results import compute_case

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_TOML = ROOT / "examples" / "vietnam_vs_turkey.toml"
EXAMPLE_JSON = ROOT / "examples" / "vietnam_vs_turkey.json"
EXAMPLE_PARTS = ROOT / "examples" / "parts.csv"
DEMO_OPTIONS = ("Make in Tilburg", "Buy in China", "Buy in Poland")

GOOD_CASE = """
name = "cli test"
[settings]
figures_date = "2026-07-01"
[part]
name = "frame"
annual_volume = 12000
unit_weight_kg = 28
unit_volume_m3 = 0.29
[[options]]
name = "Make in Tilburg"
country = "NL"
sourcing = "make"
materials_eur = 40
labour_hours = 1.5
[[options]]
name = "China"
country = "CN"
sourcing = "buy"
price = 420
duty_rate = 0.027
[[options]]
name = "Poland"
country = "PL"
sourcing = "buy"
price = 380
"""


def run(capsys, *argv):
    """Run main() and return (exit code, stdout, stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_case(tmp_path, text, name="case.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- demo


def test_demo_prints_table_and_writes_files(capsys, tmp_path):
    folder = tmp_path / "out"
    code, out, err = run(capsys, "demo", "--output", str(folder))
    assert code == 0
    assert err == ""
    for name in DEMO_OPTIONS:
        assert name in out
    assert "Break-even" in out
    assert "TCO per unit" in out
    assert str(folder.resolve()) in out
    for name in OUTPUT_FILES:
        assert (folder / name).is_file()


def test_demo_outputs_parse(capsys, tmp_path):
    folder = tmp_path / "out"
    run(capsys, "demo", "--output", str(folder))
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert [option["name"] for option in data["options"]] == list(DEMO_OPTIONS)
    assert data["options"][0]["baseline"] is True
    with open(folder / "lines.csv", newline="", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert len(lines) == len(DEMO_OPTIONS) * len(LINES)
    with open(folder / "summary.csv", newline="", encoding="utf-8") as handle:
        summary = list(csv.DictReader(handle))
    assert [row["option"] for row in summary] == list(DEMO_OPTIONS)
    with open(folder / "path.csv", newline="", encoding="utf-8") as handle:
        path = list(csv.DictReader(handle))
    assert len(path) == len(DEMO_OPTIONS) * data["horizon_years"]


def test_demo_numbers_match_json(capsys, tmp_path):
    folder = tmp_path / "out"
    run(capsys, "demo", "--output", str(folder))
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    with open(folder / "summary.csv", newline="", encoding="utf-8") as handle:
        summary = {row["option"]: row for row in csv.DictReader(handle)}
    for option in data["options"]:
        assert float(summary[option["name"]]["tco_per_unit_eur"]) == pytest.approx(option["tco_per_unit_eur"])
        total = sum(option["lines"].values())
        assert total == pytest.approx(option["tco_per_unit_eur"])


def test_demo_default_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "demo")
    assert code == 0
    folder = tmp_path / "tco-xl-output" / "demo"
    for name in OUTPUT_FILES:
        assert (folder / name).is_file()
    assert str(folder) in out


def test_demo_rerun_leaves_no_temp_files(capsys, tmp_path):
    folder = tmp_path / "out"
    run(capsys, "demo", "--output", str(folder))
    run(capsys, "demo", "--output", str(folder))
    assert sorted(path.name for path in folder.iterdir()) == sorted(OUTPUT_FILES + (DEMO_WORKBOOK,))


def test_demo_json_format_is_pure_json(capsys, tmp_path):
    code, out, err = run(capsys, "demo", "--format", "json", "--output", str(tmp_path / "out"))
    assert code == 0
    assert json.loads(out)["options"][0]["name"] == "Make in Tilburg"
    assert "Wrote" in err


# ---------------------------------------------------------------- compute


def test_compute_table(capsys):
    code, out, err = run(capsys, "compute", str(EXAMPLE_TOML))
    assert code == 0
    assert err == ""
    for name in ("Buy in Netherlands", "Buy in Vietnam", "Buy in Turkey"):
        assert name in out
    assert "Break-even" in out


def test_compute_csv(capsys):
    code, out, _ = run(capsys, "compute", str(EXAMPLE_TOML), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["option"] for row in rows] == ["Buy in Netherlands", "Buy in Vietnam", "Buy in Turkey"]
    assert float(rows[0]["gap_per_unit_eur"]) == 0.0


def test_compute_json(capsys):
    code, out, _ = run(capsys, "compute", str(EXAMPLE_JSON), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert len(data["options"]) == 3
    assert data["options"][1]["currency"] == "USD"


def test_compute_without_output_writes_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run(capsys, "compute", str(EXAMPLE_TOML))
    assert list(tmp_path.iterdir()) == []


def test_compute_output_writes_files(capsys, tmp_path):
    folder = tmp_path / "nested" / "out"
    code, out, _ = run(capsys, "compute", str(EXAMPLE_TOML), "--output", str(folder))
    assert code == 0
    assert sorted(path.name for path in folder.iterdir()) == sorted(OUTPUT_FILES)


def test_compute_does_not_modify_input(capsys, tmp_path):
    path = tmp_path / "example.toml"
    shutil.copy(EXAMPLE_TOML, path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    code, _, _ = run(capsys, "compute", str(path), "--output", str(tmp_path / "out"))
    assert code == 0
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_output_folder_is_a_file(capsys, tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("not a folder", encoding="utf-8")
    code, out, err = run(capsys, "compute", str(EXAMPLE_TOML), "--output", str(blocker))
    assert code == 2
    assert out == ""
    assert err == f"tco-xl: error: {blocker}: is not a directory; expected a folder for the output files\n"
    assert blocker.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize("command", ["compute", "demo"])
def test_output_folder_is_a_device(capsys, command):
    if not Path(os.devnull).exists() or Path(os.devnull).is_dir():
        pytest.skip(f"{os.devnull} is no device file here")
    argv = [command, str(EXAMPLE_TOML)] if command == "compute" else [command]
    code, out, err = run(capsys, *argv, "--output", os.devnull)
    assert code == 2
    assert out == ""
    assert err == f"tco-xl: error: {os.devnull}: is not a directory; expected a folder for the output files\n"


def test_output_folder_under_a_file(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, out, err = run(capsys, "compute", str(EXAMPLE_TOML), "--output", str(blocker / "sub" / "out"))
    assert code == 2
    assert out == ""
    assert err == f"tco-xl: error: {blocker}: is not a directory; expected a folder for the output files\n"


@pytest.mark.parametrize("command", ["compute", "demo"])
def test_empty_output_folder_rejected(capsys, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    argv = [command, str(EXAMPLE_TOML)] if command == "compute" else [command]
    code, out, err = run(capsys, *argv, "--output", "")
    assert code == 2
    assert out == ""
    assert err == "tco-xl: error: --output is empty; expected a folder for the output files\n"
    assert list(tmp_path.iterdir()) == []


def test_empty_case_path_rejected(capsys):
    code, out, err = run(capsys, "compute", "")
    assert code == 2
    assert out == ""
    assert err == "tco-xl: error: no case file given; expected the path of a .toml or .json case file\n"


# ---------------------------------------------------------------- output files: input and all-or-nothing


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def test_output_rejects_replacing_case_file(capsys, tmp_path):
    folder = tmp_path / "ow"
    folder.mkdir()
    case = folder / "results.json"
    shutil.copy(EXAMPLE_JSON, case)
    before = (case.read_bytes(), case.stat().st_mtime_ns)
    code, out, err = run(capsys, "compute", str(case), "--output", str(folder))
    assert code == 2
    assert out == ""
    assert err == (
        f"tco-xl: error: {case}: is the input case file, which results.json would replace; "
        "choose another output folder\n"
    )
    assert (case.read_bytes(), case.stat().st_mtime_ns) == before
    assert [path.name for path in folder.iterdir()] == ["results.json"]


def test_output_rejects_link_to_case_file(capsys, tmp_path):
    case = write_case(tmp_path, GOOD_CASE)
    folder = tmp_path / "out"
    folder.mkdir()
    os.link(case, folder / "lines.csv")
    code, out, err = run(capsys, "compute", str(case), "--output", str(folder))
    assert code == 2
    assert out == ""
    assert err.startswith(f"tco-xl: error: {folder / 'lines.csv'}: is the input case file")
    assert case.read_text(encoding="utf-8") == GOOD_CASE


def test_output_file_name_is_directory(capsys, tmp_path):
    folder = tmp_path / "out"
    run(capsys, "demo", "--output", str(folder))
    (folder / "results.json").unlink()
    (folder / "results.json").mkdir()
    before = snapshot(folder)
    code, out, err = run(capsys, "compute", str(EXAMPLE_TOML), "--output", str(folder))
    assert code == 2
    assert out == ""
    assert err == (
        f"tco-xl: error: {folder / 'results.json'}: is a directory, so results.json cannot be written; "
        "remove it or choose another output folder\n"
    )
    assert snapshot(folder) == before
    assert sorted(path.name for path in folder.iterdir()) == sorted(OUTPUT_FILES + (DEMO_WORKBOOK,))


def test_write_outputs_directory_writes_nothing(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "path.csv").mkdir()
    (folder / "lines.csv").write_text("old lines\n", encoding="utf-8")
    result = compute_case(load_case(EXAMPLE_TOML))
    with pytest.raises(IsADirectoryError):
        write_outputs(result, folder)
    assert (folder / "lines.csv").read_text(encoding="utf-8") == "old lines\n"
    assert sorted(path.name for path in folder.iterdir()) == ["lines.csv", "path.csv"]


class FailingReplace:
    """Stand-in for os.replace that fails on one call and does the real move otherwise."""

    def __init__(self, failing_call: int):
        self.failing_call = failing_call
        self.calls = 0
        self.real = os.replace

    def __call__(self, source, target):
        self.calls += 1
        if self.calls == self.failing_call:
            raise PermissionError(13, "Permission denied", str(target))
        self.real(source, target)


def test_write_outputs_failed_move_restores_old_files(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    result = compute_case(load_case(EXAMPLE_TOML))
    write_outputs(result, folder)
    before = snapshot(folder)
    with resources.as_file(resources.files("tco_xl.data").joinpath("demo_case.toml")) as demo_case:
        demo = compute_case(load_case(demo_case))
    monkeypatch.setattr("tco_xl.report.os.replace", FailingReplace(failing_call=3))
    with pytest.raises(PermissionError):
        write_outputs(demo, folder)
    assert snapshot(folder) == before
    assert sorted(path.name for path in folder.iterdir()) == sorted(OUTPUT_FILES)


def test_write_outputs_failed_move_removes_new_files(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    result = compute_case(load_case(EXAMPLE_TOML))
    monkeypatch.setattr("tco_xl.report.os.replace", FailingReplace(failing_call=4))
    with pytest.raises(PermissionError):
        write_outputs(result, folder)
    assert list(folder.iterdir()) == []


def test_cli_failed_move_reports_one_line(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    run(capsys, "compute", str(EXAMPLE_TOML), "--output", str(folder))
    before = snapshot(folder)
    monkeypatch.setattr("tco_xl.report.os.replace", FailingReplace(failing_call=2))
    code, out, err = run(capsys, "demo", "--output", str(folder))
    assert code == 2
    assert out == ""
    assert err == f"tco-xl: error: {folder / 'summary.csv'}: writing the output files failed: Permission denied\n"
    assert snapshot(folder) == before
    assert sorted(path.name for path in folder.iterdir()) == sorted(OUTPUT_FILES)


# ---------------------------------------------------------------- bad input

BAD_CASES = {
    "unknown field": (GOOD_CASE.replace("annual_volume = 12000", "annual_volume = 12000\nanual_volume = 3"), ["unknown field 'anual_volume'"]),
    "text in a number field": (GOOD_CASE.replace("unit_weight_kg = 28", 'unit_weight_kg = "28 kg"'), ["unit_weight_kg = '28 kg' is invalid"]),
    "negative volume": (GOOD_CASE.replace("annual_volume = 12000", "annual_volume = -1"), ["annual_volume = -1 is invalid"]),
    "unknown incoterm": (GOOD_CASE.replace("price = 380", 'price = 380\nincoterm = "FOO"'), ["incoterm = 'FOO' is invalid"]),
    "missing duty rate": (GOOD_CASE.replace("duty_rate = 0.027\n", ""), ["duty_rate is missing for origin CN"]),
    "fill factor above 1": (GOOD_CASE.replace("price = 380", "price = 380\nfill_factor = 1.5"), ["fill_factor = 1.5 is invalid"]),
    "infinite number": (GOOD_CASE.replace("price = 380", "price = 380\nfill_factor = inf"), ["fill_factor = inf is invalid"]),
    "figures date before data": (GOOD_CASE.replace("2026-07-01", "2019-01-01"), ["no Dutch minimum wage known for 2019-01-01"]),
    "two problems": (
        GOOD_CASE.replace("annual_volume = 12000", "annual_volume = -1").replace("price = 380", "price = 380\nfill_factor = 1.5"),
        ["annual_volume = -1 is invalid", "fill_factor = 1.5 is invalid"],
    ),
}


@pytest.mark.parametrize("label", sorted(BAD_CASES))
def test_invalid_case_exits_2(capsys, tmp_path, label):
    text, expected = BAD_CASES[label]
    path = write_case(tmp_path, text)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    code, out, err = run(capsys, "compute", str(path), "--output", str(tmp_path / "out"))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == len(expected)
    for line, fragment in zip(lines, expected):
        assert line.startswith(f"tco-xl: error: {path}: ")
        assert fragment in line
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert not (tmp_path / "out").exists()


UNREADABLE = {
    "missing file": (None, "file not found"),
    "bad toml": ('name = "x"\n[part\n', "invalid TOML"),
    "empty file": ("", "file is empty"),
}


@pytest.mark.parametrize("label", sorted(UNREADABLE))
def test_unreadable_toml_exits_2(capsys, tmp_path, label):
    content, expected = UNREADABLE[label]
    path = tmp_path / "case.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "compute", str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"tco-xl: error: {path}: ")
    assert expected in err
    assert "Traceback" not in err


def test_bad_json_exits_2(capsys, tmp_path):
    path = write_case(tmp_path, '{"name": "x",\n "part": }', name="case.json")
    code, _, err = run(capsys, "compute", str(path))
    assert code == 2
    assert err.startswith(f"tco-xl: error: {path}: invalid JSON")
    assert "line 2" in err
    assert err.count("\n") == 1


def test_directory_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "compute", str(tmp_path))
    assert code == 2
    assert err.startswith(f"tco-xl: error: {tmp_path}: is a directory")
    assert err.count("\n") == 1


def test_unknown_format_exits_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["compute", str(EXAMPLE_TOML), "--format", "xml"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# ---------------------------------------------------------------- listings and options


def test_fields_lists_every_section(capsys):
    code, out, _ = run(capsys, "fields")
    assert code == 0
    for section in ("[part]", "[settings]", "[[options]]", "[options.investment]", "[[options.risks]]"):
        assert section in out
    assert "annual_volume" in out
    assert "units a year" in out
    assert "one of EXW, FCA" in out


def test_countries_lists_sources(capsys):
    code, out, _ = run(capsys, "countries")
    assert code == 0
    for code_name in ("NL", "CN", "PL", "VN", "TR"):
        assert f"\n{code_name}  " in f"\n{out}"
    assert "estimate" in out
    assert "published" in out
    assert "fx_eur_per_unit" in out


def test_fields_country_lists_codes(capsys):
    code, out, _ = run(capsys, "fields")
    assert code == 0
    line = next(line for line in out.splitlines() if line.strip().startswith("country "))
    assert "an ISO country code from `tco-xl countries`" in line
    for country_code in countries():
        assert country_code in line
    assert "one of \n" not in out
    assert not any(line.rstrip().endswith("one of") for line in out.splitlines())


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_verbose_logs_to_stderr(capsys, tmp_path):
    code, _, err = run(capsys, "-v", "compute", str(EXAMPLE_TOML))
    assert code == 0
    assert "INFO tco_xl.casefile: loaded case" in err


# ---------------------------------------------------------------- console script and README


def console_script() -> str:
    local = Path(sys.executable).parent / ("tco-xl.exe" if os.name == "nt" else "tco-xl")
    found = str(local) if local.exists() else shutil.which("tco-xl")
    if found is None:
        pytest.fail("console script tco-xl not found; install the package with pip install -e .")
    return found


def test_console_script_demo(tmp_path):
    folder = tmp_path / "out"
    done = subprocess.run(
        [console_script(), "demo", "--output", str(folder)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Break-even" in done.stdout
    for name in OUTPUT_FILES:
        assert (folder / name).is_file()


def test_console_script_bad_input(tmp_path):
    path = write_case(tmp_path, GOOD_CASE.replace("annual_volume = 12000", "annual_volume = -1"))
    done = subprocess.run([console_script(), "compute", str(path)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith(f"tco-xl: error: {path}: ")
    assert "Traceback" not in done.stderr


def test_readme_lists_every_line():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in LINES:
        assert f"| `{line.id}` |" in readme
        assert line.formula in readme


def test_readme_quick_start_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]" && tco-xl demo' in readme
    assert "python -m pytest" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in ci


# ---------------------------------------------------------------- table details


def test_table_explains_gap_sign(capsys):
    _, out, _ = run(capsys, "compute", str(EXAMPLE_TOML))
    assert "a negative gap means the option is cheaper than the baseline" in " ".join(out.split())


def test_table_names_hidden_lines(capsys):
    _, out, _ = run(capsys, "compute", str(EXAMPLE_TOML))
    notes = " ".join(out.split("Zero in every option and not shown:")[1].split()).split(".")[0]
    assert "cost lines are zero" not in out
    for label in ("Materials", "Direct labour", "Air freight", "Warranty claims", "Strategic effects"):
        assert label in notes


def test_table_settings_header(capsys, tmp_path):
    text = GOOD_CASE.replace('figures_date = "2026-07-01"', 'figures_date = "2026-07-01"\ndiscount_rate = 0.1')
    path = write_case(tmp_path, text)
    _, out, _ = run(capsys, "compute", str(path))
    header = " ".join(out.split("Make in Tilburg")[0].split())
    assert "discount rate 10 % (given)" in header
    assert "figures date 2026-07-01 (given)" in header
    assert "cost of capital" in header
    assert "carrying rate" in header
    assert "horizon 5 years (default)" in header


def test_table_npv_label(capsys):
    _, out, _ = run(capsys, "compute", str(EXAMPLE_TOML))
    assert "NPV of yearly costs at year end (EUR)" in out
    assert "Investments enter through depreciation and financing" in " ".join(out.split())


def test_table_small_tco_four_decimals(capsys, tmp_path):
    text = (
        GOOD_CASE.replace("annual_volume = 12000", "annual_volume = 40000")
        .replace("unit_weight_kg = 28", "unit_weight_kg = 1.2")
        .replace("unit_volume_m3 = 0.29", "unit_volume_m3 = 0.0025")
        .replace("materials_eur = 40", "materials_eur = 2.1")
        .replace("labour_hours = 1.5", "labour_hours = 0.05")
        .replace("price = 420", "price = 18")
        .replace("price = 380", "price = 14")
    )
    path = write_case(tmp_path, text)
    _, out, _ = run(capsys, "compute", str(path))
    row = next(line for line in out.splitlines() if line.startswith("TCO per unit (EUR)"))
    cells = row.split()[4:]
    assert len(cells) == 3
    for cell in cells:
        assert len(cell.split(".")[1]) == 4


def test_table_large_tco_two_decimals(capsys, tmp_path):
    _, out, _ = run(capsys, "demo", "--output", str(tmp_path / "out"))
    row = next(line for line in out.splitlines() if line.startswith("TCO per unit (EUR)"))
    for cell in row.split()[4:]:
        assert len(cell.split(".")[1]) == 2


def test_packaged_default_count(capsys, tmp_path):
    folder = tmp_path / "out"
    _, out, _ = run(capsys, "demo", "--output", str(folder))
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    expected = [len(packaged_defaults(option["defaults_used"])) for option in data["options"]]
    row = next(line for line in out.splitlines() if line.startswith("Inputs at packaged defaults"))
    assert row.split()[4:] == [str(count) for count in expected]
    with open(folder / "summary.csv", newline="", encoding="utf-8") as handle:
        summary = list(csv.DictReader(handle))
    assert [int(row["inputs_at_packaged_defaults"]) for row in summary] == expected
    assert "defaults_used" not in summary[0]


def test_packaged_defaults_skip_structural():
    used = {
        "duty_rate": "default: no customs inside the EU",
        "antidumping_rate": "default: none",
        "fill_factor": "default (estimate, packing losses, 2026-01-01)",
        "fx_eur_per_unit": "CNY rate (published, ECB euro reference rate, 2026-03-02)",
        "transit_days": "CN default (measured, schedule data, 2026-02-01)",
    }
    assert sorted(packaged_defaults(used)) == ["fill_factor", "fx_eur_per_unit", "transit_days"]


def test_defaults_csv_lists_every_default(capsys, tmp_path):
    folder = tmp_path / "out"
    run(capsys, "demo", "--output", str(folder))
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    with open(folder / "defaults.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["option", "field", "value", "source"]
    for option in data["options"]:
        listed = {row["field"]: row for row in rows if row["option"] == option["name"]}
        assert set(listed) == set(option["defaults_used"])
        for name, source in option["defaults_used"].items():
            assert listed[name]["source"] == source
            assert listed[name]["value"] != ""
    settings = {row["field"] for row in rows if row["option"] == "[settings]"}
    assert settings == set(data["settings_defaults_used"])


# ---------------------------------------------------------------- demo --show-case and --dutch-csv


def test_demo_show_case(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "demo", "--show-case")
    assert code == 0
    assert err == ""
    packaged = resources.files("tco_xl.data").joinpath("demo_case.toml").read_text(encoding="utf-8")
    assert out == packaged
    assert len(tomllib.loads(out)["options"]) == 3
    assert list(tmp_path.iterdir()) == []


def test_show_case_is_a_valid_template(capsys, tmp_path):
    _, text, _ = run(capsys, "demo", "--show-case")
    path = write_case(tmp_path, text)
    code, out, _ = run(capsys, "compute", str(path))
    assert code == 0
    assert "Make in Tilburg" in out


def read_dutch(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")


def test_demo_dutch_csv_files(capsys, tmp_path):
    plain = tmp_path / "plain"
    dutch = tmp_path / "dutch"
    run(capsys, "demo", "--output", str(plain))
    code, _, _ = run(capsys, "demo", "--output", str(dutch), "--dutch-csv")
    assert code == 0
    for name in ("lines.csv", "summary.csv", "path.csv", "defaults.csv"):
        raw = (dutch / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        header = raw[3:].split(b"\n")[0]
        assert b";" in header
        assert b"," not in header
        if name == "defaults.csv":
            # Its value column mixes text and numbers, so pandas keeps the decimal commas as text.
            assert len(read_dutch(dutch / name)) == len(pd.read_csv(plain / name))
            continue
        expected = pd.read_csv(plain / name)
        got = read_dutch(dutch / name)
        pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)
    summary = (dutch / "summary.csv").read_text(encoding="utf-8-sig")
    assert ";True;" in summary
    assert ";False;" in summary


def test_compute_dutch_csv_stdout(capsys):
    code, out, _ = run(capsys, "compute", str(EXAMPLE_TOML), "--format", "csv", "--dutch-csv")
    assert code == 0
    rows = pd.read_csv(io.StringIO(out), sep=";", decimal=",")
    _, plain, _ = run(capsys, "compute", str(EXAMPLE_TOML), "--format", "csv")
    expected = pd.read_csv(io.StringIO(plain))
    pd.testing.assert_frame_equal(rows, expected, check_exact=False, rtol=1e-12)
    assert "," in out.splitlines()[1]


# ---------------------------------------------------------------- batch


def test_batch_writes_csv(capsys, tmp_path):
    target = tmp_path / "results.csv"
    code, out, err = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(target))
    assert code == 0
    assert err == ""
    table = pd.read_csv(target)
    records = pd.read_csv(EXAMPLE_PARTS)
    assert len(table) == len(records)
    assert list(table["option"]) == list(records["option"])
    for name in ("case", "option", "baseline", "tco_per_unit_eur", "annual_tco_eur", "gap_per_unit_eur",
                 "gap_per_year_eur", "npv_eur", "break_even_price_eur", "group_price", "tco_year_1",
                 "baseline_cheaper_from_year", *(line.id for line in LINES)):
        assert name in table.columns
    cases = records["case"].nunique()
    assert f"Computed {cases} cases with {len(records)} options in " in out
    assert "Cheapest option per case: the baseline in " in out
    assert str(target.resolve()) in out
    assert sorted(path.name for path in tmp_path.iterdir()) == ["results.csv"]


def test_batch_stdout_csv(capsys, tmp_path):
    code, out, err = run(capsys, "batch", str(EXAMPLE_PARTS))
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert len(table) == len(pd.read_csv(EXAMPLE_PARTS))
    assert err.startswith("Computed ")


def test_batch_json(capsys, tmp_path):
    target = tmp_path / "results.json"
    code, _, _ = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(target))
    assert code == 0
    rows = json.loads(target.read_text(encoding="utf-8"))
    assert rows[0]["case"] == "P-100"
    assert rows[0]["baseline"] is True
    assert rows[0]["break_even_price_eur"] is None
    years = [row["baseline_cheaper_from_year"] for row in rows]
    assert all(year is None or isinstance(year, int) for year in years)


def test_batch_dutch_csv_equals_plain(capsys, tmp_path):
    plain = tmp_path / "plain.csv"
    dutch = tmp_path / "dutch.csv"
    run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(plain))
    code, _, _ = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(dutch), "--dutch-csv")
    assert code == 0
    pd.testing.assert_frame_equal(read_dutch(dutch), pd.read_csv(plain), check_exact=False, rtol=1e-12)


def test_batch_reads_dutch_csv(capsys, tmp_path):
    source = tmp_path / "parts.csv"
    pd.read_csv(EXAMPLE_PARTS, dtype={"case": str}).to_csv(source, index=False, sep=";", decimal=",")
    plain = tmp_path / "plain.csv"
    dutch = tmp_path / "dutch.csv"
    run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(plain))
    code, _, err = run(capsys, "batch", str(source), "-o", str(dutch))
    assert code == 0, err
    pd.testing.assert_frame_equal(pd.read_csv(dutch), pd.read_csv(plain))


def test_batch_dutch_csv_rejects_json(capsys, tmp_path):
    code, out, err = run(capsys, "batch", str(EXAMPLE_PARTS), "--format", "json", "--dutch-csv")
    assert code == 2
    assert out == ""
    assert err == "tco-xl: error: --dutch-csv applies to CSV output only; drop it, or use --format csv or a .csv results file\n"


def test_batch_bad_rows_exit_2(capsys, tmp_path):
    source = tmp_path / "parts.csv"
    records = pd.read_csv(EXAMPLE_PARTS, dtype=str)
    records.loc[1, "annual_volume"] = "30000"
    records.loc[4, "price"] = "-1"
    records.to_csv(source, index=False)
    before = (source.read_bytes(), source.stat().st_mtime_ns)
    target = tmp_path / "results.csv"
    target.write_text("old results\n", encoding="utf-8")
    code, out, err = run(capsys, "batch", str(source), "-o", str(target))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line.startswith(f"tco-xl: error: {source}: ")
    assert "rows 2-4 (case 'P-100'): annual_volume differs" in lines[0]
    assert "row 6 (case 'P-200'): options[2] 'Buy in China': price = -1.0 is invalid" in lines[1]
    assert (source.read_bytes(), source.stat().st_mtime_ns) == before
    assert target.read_text(encoding="utf-8") == "old results\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["parts.csv", "results.csv"]


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("missing.csv", None, "file not found"),
        ("parts.csv", "", "file is empty"),
        ("parts.toml", "a = 1\n", "unknown file extension '.toml'"),
        ("parts.csv", "part,option\nA,x\n", "missing column 'case'"),
    ],
)
def test_batch_bad_file_exit_2(capsys, tmp_path, name, content, expected):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "batch", str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"tco-xl: error: {path}: ")
    assert expected in err
    assert "Traceback" not in err


def test_batch_refuses_to_overwrite_input(capsys, tmp_path):
    source = tmp_path / "parts.csv"
    source.write_bytes(EXAMPLE_PARTS.read_bytes())
    code, _, err = run(capsys, "batch", str(source), "-o", str(source))
    assert code == 2
    assert "is the input file" in err
    assert source.read_bytes() == EXAMPLE_PARTS.read_bytes()


def test_batch_replaces_output_whole(capsys, tmp_path):
    target = tmp_path / "out" / "results.csv"
    run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(target))
    first = target.read_bytes()
    code, _, _ = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(target))
    assert code == 0
    assert target.read_bytes() == first
    assert [path.name for path in target.parent.iterdir()] == ["results.csv"]


def test_batch_unwritable_output_exit_2(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "results.csv"
    code, out, err = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(target))
    assert code == 2
    assert out == ""
    assert err == f"tco-xl: error: {blocker}: is not a directory; expected a folder for the results file\n"


def test_batch_failed_write_exit_2(capsys, tmp_path, monkeypatch):
    target = tmp_path / "results.csv"
    target.write_text("old results\n", encoding="utf-8")
    monkeypatch.setattr("tco_xl.report.os.replace", FailingReplace(failing_call=1))
    code, out, err = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(target))
    assert code == 2
    assert out == ""
    assert err == f"tco-xl: error: {target}: writing the results failed: Permission denied\n"
    assert target.read_text(encoding="utf-8") == "old results\n"
    assert [path.name for path in tmp_path.iterdir()] == ["results.csv"]


def test_batch_output_is_directory(capsys, tmp_path):
    folder = tmp_path / "results.csv"
    folder.mkdir()
    code, out, err = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(folder))
    assert code == 2
    assert out == ""
    assert err == f"tco-xl: error: {folder}: is a directory; expected a file for the results\n"


def test_batch_rejects_link_to_input(capsys, tmp_path):
    source = tmp_path / "parts.csv"
    source.write_bytes(EXAMPLE_PARTS.read_bytes())
    link = tmp_path / "results.csv"
    link.symlink_to(source)
    code, _, err = run(capsys, "batch", str(source), "-o", str(link))
    assert code == 2
    assert err == f"tco-xl: error: {link}: is the input file; choose another output file\n"
    assert source.read_bytes() == EXAMPLE_PARTS.read_bytes()
    assert link.is_symlink()


def test_batch_empty_paths_rejected(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "batch", "")
    assert code == 2
    assert out == ""
    assert err == "tco-xl: error: no parts table given; expected the path of a .csv or .xlsx file\n"
    code, out, err = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", "")
    assert code == 2
    assert out == ""
    assert err == "tco-xl: error: --output is empty; expected a file for the results\n"
    assert list(tmp_path.iterdir()) == []


def test_batch_outdated_figures_warn_once(capsys, tmp_path):
    source = tmp_path / "parts.csv"
    records = pd.read_csv(EXAMPLE_PARTS, dtype=str)
    records["figures_date"] = "2040-01-01"
    records.to_csv(source, index=False)
    cases = records["case"].nunique()
    code, _, err = run(capsys, "batch", str(source), "-o", str(tmp_path / "results.csv"))
    assert code == 0
    warnings = [line for line in err.splitlines() if "past the newest packaged Dutch figures" in line]
    assert len(warnings) == 2
    assert warnings[0].startswith("WARNING tco_xl.case: figures_date 2040-01-01 is past")
    assert warnings[1] == f"{warnings[0]} (repeated for {cases - 1} more cases)"
    assert logging.getLogger("tco_xl.case").filters == []


def test_console_script_batch(tmp_path):
    target = tmp_path / "results.csv"
    done = subprocess.run(
        [console_script(), "batch", str(EXAMPLE_PARTS), "-o", str(target)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Computed " in done.stdout
    assert "\r" not in done.stderr
    assert target.is_file()


def test_readme_documents_batch_and_options():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for text in ("tco-xl batch", "frame_from_records", "--dutch-csv", "--show-case", "examples/parts.csv", "Tilburg"):
        assert text in readme


# ---------------------------------------------------------------- formula injection in CSV

FORMULA_NAMES = ('=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(1)")


def formula_case(tmp_path) -> Path:
    text = (
        GOOD_CASE.replace('name = "Make in Tilburg"', f"name = {json.dumps(FORMULA_NAMES[0])}")
        .replace('name = "China"', f"name = {json.dumps(FORMULA_NAMES[1])}")
        .replace('name = "Poland"', f"name = {json.dumps(FORMULA_NAMES[2])}")
        .replace('name = "frame"', f"name = {json.dumps(FORMULA_NAMES[3])}")
    )
    return write_case(tmp_path, text)


def read_rows(path, delimiter=",", encoding="utf-8") -> list[dict]:
    with open(path, newline="", encoding=encoding) as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(1)", "\t=1", "\r=1", "\0=1"])
def test_escape_formula_prefixes_text(text):
    assert escape_formula(text) == "'" + text


@pytest.mark.parametrize("value", [-1.5, -2, 0.0, True, None, "", "Buy in China", "'=1", "1-2"])
def test_escape_formula_keeps_value(value):
    assert escape_formula(value) == value


def test_csv_escapes_formula_names(capsys, tmp_path):
    folder = tmp_path / "out"
    code, _, _ = run(capsys, "compute", str(formula_case(tmp_path)), "--output", str(folder))
    assert code == 0
    escaped = ["'" + name for name in FORMULA_NAMES[:3]]
    for name in ("summary.csv", "lines.csv", "path.csv"):
        options = {row["option"] for row in read_rows(folder / name)}
        assert options == set(escaped), name
    defaults = read_rows(folder / "defaults.csv")
    assert set(escaped) <= {row["option"] for row in defaults}
    part_name = [row for row in defaults if row["option"] == "[part]" and row["field"] == "name"]
    if part_name:
        assert part_name[0]["value"] == "'" + FORMULA_NAMES[3]
    formulas = {row["line_id"]: row["formula"] for row in read_rows(folder / "lines.csv")}
    assert not any(formula.startswith("'") for formula in formulas.values()), "no formula text needs escaping"


def test_csv_keeps_negative_numbers(capsys, tmp_path):
    folder = tmp_path / "out"
    run(capsys, "demo", "--output", str(folder))
    gaps = [row["gap_per_unit_eur"] for row in read_rows(folder / "summary.csv")]
    assert any(gap.startswith("-") for gap in gaps)
    for gap in gaps:
        assert float(gap) == float(gap)
    lines = [row["eur_per_unit"] for row in read_rows(folder / "lines.csv")]
    assert any(value.startswith("-") for value in lines)
    assert not any(value.startswith("'") for value in lines)


def test_dutch_csv_keeps_negative_numbers(capsys, tmp_path):
    folder = tmp_path / "out"
    run(capsys, "demo", "--output", str(folder), "--dutch-csv")
    rows = read_rows(folder / "summary.csv", delimiter=";", encoding="utf-8-sig")
    gaps = [row["gap_per_unit_eur"] for row in rows]
    assert any(gap.startswith("-") and "," in gap for gap in gaps)
    assert not any(gap.startswith("'") for gap in gaps)


def test_json_keeps_formula_names(capsys, tmp_path):
    folder = tmp_path / "out"
    code, out, _ = run(capsys, "compute", str(formula_case(tmp_path)), "--format", "json", "--output", str(folder))
    assert code == 0
    printed = [option["name"] for option in json.loads(out)["options"]]
    assert printed == list(FORMULA_NAMES[:3])
    written = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert [option["name"] for option in written["options"]] == list(FORMULA_NAMES[:3])


def test_stdout_csv_escapes_formula_names(capsys, tmp_path):
    code, out, _ = run(capsys, "compute", str(formula_case(tmp_path)), "--format", "csv")
    assert code == 0
    options = [row["option"] for row in csv.DictReader(io.StringIO(out))]
    assert options == ["'" + name for name in FORMULA_NAMES[:3]]


def formula_parts(tmp_path) -> Path:
    source = tmp_path / "parts.csv"
    records = pd.read_csv(EXAMPLE_PARTS, dtype=str)
    for index, name in enumerate(FORMULA_NAMES):
        records.loc[index, "option"] = name
    records.loc[records["case"] == "P-100", "case"] = "-100"
    records.to_csv(source, index=False)
    return source


@pytest.mark.parametrize("dutch_csv", [False, True])
def test_batch_csv_escapes_formula_names(capsys, tmp_path, dutch_csv):
    target = tmp_path / "results.csv"
    argv = ["batch", str(formula_parts(tmp_path)), "-o", str(target)] + (["--dutch-csv"] if dutch_csv else [])
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    delimiter, encoding = (";", "utf-8-sig") if dutch_csv else (",", "utf-8")
    rows = read_rows(target, delimiter=delimiter, encoding=encoding)
    assert [row["option"] for row in rows[:4]] == ["'" + name for name in FORMULA_NAMES]
    assert rows[0]["case"] == "'-100"
    gaps = [row["gap_per_unit_eur"] for row in rows]
    assert any(gap.startswith("-") for gap in gaps)
    assert not any(gap.startswith("'") for gap in gaps)


def test_batch_json_keeps_formula_names(capsys, tmp_path):
    target = tmp_path / "results.json"
    code, _, err = run(capsys, "batch", str(formula_parts(tmp_path)), "-o", str(target))
    assert code == 0, err
    rows = json.loads(target.read_text(encoding="utf-8"))
    assert [row["option"] for row in rows[:4]] == list(FORMULA_NAMES)
    assert rows[0]["case"] == "-100"


# ---------------------------------------------------------------- failing stdout


class FullStream(io.StringIO):
    """A stdout whose writes fail as on a full disk."""

    def write(self, text):
        raise OSError(errno.ENOSPC, "No space left on device")


STDOUT_COMMANDS = {
    "compute table": ["compute", str(EXAMPLE_TOML)],
    "compute json": ["compute", str(EXAMPLE_TOML), "--format", "json"],
    "compute csv": ["compute", str(EXAMPLE_TOML), "--format", "csv"],
    "demo": ["demo"],
    "batch": ["batch", str(EXAMPLE_PARTS)],
    "fields": ["fields"],
}


@pytest.mark.parametrize("label", sorted(STDOUT_COMMANDS))
def test_stdout_write_error_in_process(capsys, tmp_path, monkeypatch, label):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdout", FullStream())
    code = main(STDOUT_COMMANDS[label])
    err = capsys.readouterr().err
    assert code == 2
    assert err.endswith("tco-xl: error: writing to standard output failed: No space left on device\n")
    assert err.count("tco-xl: error:") == 1


def run_module(argv, cwd, **options):
    return subprocess.run(
        [sys.executable, "-m", "tco_xl.cli", *argv], cwd=cwd, timeout=120, check=False, **options
    )


def _limit_file_size():
    """Limit the files the child process writes to 1000 bytes, so that a longer write fails with EFBIG."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))


@pytest.mark.skipif(os.name != "posix", reason="needs RLIMIT_FSIZE and SIGXFSZ")
@pytest.mark.parametrize("label", ["compute table", "compute json", "batch"])
def test_stdout_file_size_limit(tmp_path, label):
    # A file under tmp_path that cannot grow past 1000 bytes takes the place of a full disk.
    target = tmp_path / "stdout.txt"
    with open(target, "w", encoding="utf-8") as limited:
        done = run_module(
            STDOUT_COMMANDS[label], tmp_path, stdout=limited, stderr=subprocess.PIPE, text=True,
            preexec_fn=_limit_file_size,
        )
    assert done.returncode == 2, done.stderr
    assert done.stderr.endswith("tco-xl: error: writing to standard output failed: File too large\n")
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr


@pytest.mark.parametrize("label", ["compute table", "demo", "batch"])
def test_stdout_closed_pipe(tmp_path, label):
    process = subprocess.Popen(
        [sys.executable, "-m", "tco_xl.cli", *STDOUT_COMMANDS[label]],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # Closing the only read end before the command writes makes its first write fail with EPIPE.
    process.stdout.close()
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) == 1, err
    assert err == ""


@pytest.fixture
def big_parts(tmp_path) -> Path:
    """A parts table whose results (about 580 kB of CSV) are far larger than a pipe buffer."""
    records = pd.read_csv(EXAMPLE_PARTS, dtype=str)
    copies = []
    for number in range(100):
        copy = records.copy()
        copy["case"] = copy["case"] + f"-{number}"
        copies.append(copy)
    path = tmp_path / "big.csv"
    pd.concat(copies).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("unbuffered", [False, True])
def test_pipe_closed_during_output(tmp_path, big_parts, unbuffered):
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [sys.executable, "-m", "tco_xl.cli", "batch", str(big_parts)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    # As `head -c 10` does: read a little, then close while the command is still writing.
    assert len(process.stdout.read(10)) == 10
    process.stdout.close()
    err = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=120) == 1, err
    assert err == ""


# ---------------------------------------------------------------- special files as outputs


def make_fifo(path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("os.mkfifo is not available")
    os.mkfifo(path)
    return path


def test_batch_output_fifo_rejected(capsys, tmp_path):
    fifo = make_fifo(tmp_path / "results.csv")
    code, out, err = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(fifo))
    assert code == 2
    assert out == ""
    assert err == f"tco-xl: error: {fifo}: is not a regular file; expected a file path for the output\n"
    assert fifo.is_fifo()


@pytest.mark.parametrize("command", ["compute", "demo"])
def test_output_folder_with_fifo_rejected(capsys, tmp_path, command):
    folder = tmp_path / "out"
    folder.mkdir()
    fifo = make_fifo(folder / "summary.csv")
    argv = [command, str(EXAMPLE_TOML)] if command == "compute" else [command]
    code, out, err = run(capsys, *argv, "--output", str(folder))
    assert code == 2
    assert out == ""
    assert err == f"tco-xl: error: {fifo}: is not a regular file; expected a file path for the output\n"
    assert fifo.is_fifo()
    assert [path.name for path in folder.iterdir()] == ["summary.csv"]


def test_write_outputs_rejects_fifo(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    fifo = make_fifo(folder / "path.csv")
    result = compute_case(load_case(EXAMPLE_TOML))
    with pytest.raises(OSError) as caught:
        write_outputs(result, folder)
    assert caught.value.filename == str(fifo)
    assert fifo.is_fifo()
    assert [path.name for path in folder.iterdir()] == ["path.csv"]


# ---------------------------------------------------------------- batch results file types and modes


@pytest.mark.parametrize("name", ["results.txt", "results.xls", "results.csv.bak"])
def test_batch_rejects_unknown_output_extension(capsys, tmp_path, name):
    target = tmp_path / name
    code, out, err = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(target))
    assert code == 2
    assert out == ""
    suffix = Path(name).suffix
    assert err == (
        f"tco-xl: error: {target}: unknown results file extension {suffix!r}; expected .csv, .json or .xlsx\n"
    )
    assert not target.exists()


def test_batch_rejects_format_contradicting_extension(capsys, tmp_path):
    target = tmp_path / "results.csv"
    code, _, err = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(target), "--format", "json")
    assert code == 2
    assert err == (
        f"tco-xl: error: {target}: a .csv file cannot hold --format json results; change the extension or --format\n"
    )


def test_batch_output_without_extension_uses_format(capsys, tmp_path):
    target = tmp_path / "results"
    code, _, err = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(target), "--format", "json")
    assert code == 0, err
    assert json.loads(target.read_text(encoding="utf-8"))[0]["case"] == "P-100"


def test_batch_writes_xlsx(capsys, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "results.xlsx"
    plain = tmp_path / "results.csv"
    run(capsys, "batch", str(formula_parts(tmp_path)), "-o", str(plain))
    code, _, err = run(capsys, "batch", str(formula_parts(tmp_path)), "-o", str(target))
    assert code == 0, err
    expected = pd.read_csv(plain)
    table = pd.read_excel(target, engine="openpyxl")
    assert list(table.columns) == list(expected.columns)
    assert len(table) == len(expected)
    assert list(table["tco_per_unit_eur"]) == pytest.approx(list(expected["tco_per_unit_eur"]))
    sheet = openpyxl.load_workbook(target).active
    options = [sheet.cell(row=row, column=2) for row in range(2, 6)]
    assert [cell.value for cell in options] == list(FORMULA_NAMES)
    assert all(cell.data_type == "s" for cell in options)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["parts.csv", "results.csv", "results.xlsx"]


def test_batch_xlsx_rejects_dutch_csv(capsys, tmp_path):
    code, _, err = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(tmp_path / "r.xlsx"), "--dutch-csv")
    assert code == 2
    assert "--dutch-csv applies to CSV output only" in err


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_batch_keeps_output_mode(capsys, tmp_path):
    target = tmp_path / "results.csv"
    target.write_text("old results\n", encoding="utf-8")
    # A mode that no usual umask gives a new file.
    target.chmod(0o604)
    code, _, err = run(capsys, "batch", str(EXAMPLE_PARTS), "-o", str(target))
    assert code == 0, err
    assert target.stat().st_mode & 0o777 == 0o604
    assert target.read_text(encoding="utf-8") != "old results\n"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_output_files_keep_mode(capsys, tmp_path):
    folder = tmp_path / "out"
    run(capsys, "demo", "--output", str(folder))
    (folder / "lines.csv").chmod(0o604)
    code, _, _ = run(capsys, "demo", "--output", str(folder))
    assert code == 0
    assert (folder / "lines.csv").stat().st_mode & 0o777 == 0o604


# ---------------------------------------------------------------- options and error output


@pytest.mark.parametrize("argv", [["batch", "-v"], ["-v", "batch"], ["batch", "--verbose"]])
def test_verbose_before_or_after_command(capsys, tmp_path, argv):
    target = tmp_path / "results.csv"
    code, _, err = run(capsys, *argv, str(EXAMPLE_PARTS), "-o", str(target))
    assert code == 0
    assert "INFO tco_xl.batch: read " in err


def test_verbose_counts_on_both_sides(capsys):
    code, _, err = run(capsys, "-v", "compute", "-v", str(EXAMPLE_TOML))
    assert code == 0
    assert "DEBUG " in err


def test_many_problems_capped(capsys, tmp_path):
    source = tmp_path / "parts.csv"
    records = pd.read_csv(EXAMPLE_PARTS, dtype=str)
    copies = []
    for number in range(30):
        copy = records.copy()
        copy["case"] = copy["case"] + f"-{number}"
        copy["price"] = "-1"
        copies.append(copy)
    pd.concat(copies).to_csv(source, index=False)
    code, out, err = run(capsys, "batch", str(source))
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 51
    assert all(line.startswith(f"tco-xl: error: {source}: ") for line in lines[:50])
    total = len(pd.concat(copies))
    assert lines[50] == f"tco-xl: error: ... and {total - 50} more problems"


def test_batch_ignored_columns_warn(capsys, tmp_path):
    source = tmp_path / "parts.csv"
    records = pd.read_csv(EXAMPLE_PARTS, dtype=str)
    records["notes"] = "x"
    records["supplier"] = "y"
    records.to_csv(source, index=False)
    code, _, err = run(capsys, "batch", str(source), "-o", str(tmp_path / "results.csv"))
    assert code == 0
    assert err == "WARNING tco_xl.batch: ignored columns not used by tco-xl: notes, supplier\n"


def test_batch_bad_xlsx_exit_2(capsys, tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "parts.xlsx"
    path.write_bytes(EXAMPLE_PARTS.read_bytes())
    code, out, err = run(capsys, "batch", str(path))
    assert code == 2
    assert out == ""
    assert err == (
        f"tco-xl: error: {path}: is not a valid .xlsx workbook (it may be password-protected, an old .xls, "
        "or a renamed CSV); save it as .xlsx or CSV\n"
    )


def test_batch_ambiguous_number_exit_2(capsys, tmp_path):
    path = tmp_path / "parts.csv"
    path.write_text("case;option;country;sourcing;price\nA;x;NL;buy;1.5\n", encoding="utf-8")
    code, out, err = run(capsys, "batch", str(path))
    assert code == 2
    assert out == ""
    assert err.startswith(f"tco-xl: error: {path}: row 2, column 'price': '1.5' is ambiguous")
    assert err.count("\n") == 1
