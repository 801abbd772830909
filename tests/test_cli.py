"""Tests of the tco-xl command line, run in-process through main() and once as the console script."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tco_xl import __version__
from tco_xl.cli import main
from tco_xl.lines import LINES
from tco_xl.report import OUTPUT_FILES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_TOML = ROOT / "examples" / "vietnam_vs_turkey.toml"
EXAMPLE_JSON = ROOT / "examples" / "vietnam_vs_turkey.json"
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
    assert sorted(path.name for path in folder.iterdir()) == sorted(OUTPUT_FILES)


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
    code, _, err = run(capsys, "compute", str(EXAMPLE_TOML), "--output", str(blocker))
    assert code == 2
    assert err.startswith(f"tco-xl: error: {blocker}: writing the output files failed")
    assert "Traceback" not in err


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
