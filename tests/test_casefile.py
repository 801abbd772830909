"""Tests of reading case files: TOML and JSON, and every way a file can be unreadable."""

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from tco_xl import CaseFileError, ValidationError, compute_case
from tco_xl.casefile import load_case, read_case_file

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_TOML = ROOT / "examples" / "vietnam_vs_turkey.toml"
EXAMPLE_JSON = ROOT / "examples" / "vietnam_vs_turkey.json"
DEMO = ROOT / "tco_xl" / "data" / "demo_case.toml"

MINIMAL = """
name = "minimal"
[settings]
figures_date = "2026-07-01"
[part]
name = "bracket"
annual_volume = 1000
unit_weight_kg = 2
unit_volume_m3 = 0.01
[[options]]
name = "Local"
country = "NL"
sourcing = "buy"
price = 10
[[options]]
name = "Poland"
country = "PL"
sourcing = "buy"
price = 35
"""


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_toml_case_loads(tmp_path):
    case = load_case(write(tmp_path, "case.toml", MINIMAL))
    assert case.name == "minimal"
    assert [option.name for option in case.options] == ["Local", "Poland"]
    assert case.settings["figures_date"] == dt.date(2026, 7, 1)


def test_json_case_loads(tmp_path):
    import tomllib

    raw = tomllib.loads(MINIMAL)
    case = load_case(write(tmp_path, "case.json", json.dumps(raw)))
    assert case.part["annual_volume"] == 1000
    assert case.settings["figures_date"] == dt.date(2026, 7, 1)


def test_extension_case_insensitive(tmp_path):
    case = load_case(write(tmp_path, "CASE.TOML", MINIMAL))
    assert case.name == "minimal"


def test_utf8_bom_accepted(tmp_path):
    case = load_case(write(tmp_path, "bom.toml", MINIMAL, encoding="utf-8-sig"))
    assert case.name == "minimal"


def test_today_used_without_figures_date(tmp_path):
    text = MINIMAL.replace('figures_date = "2026-07-01"', "")
    case = load_case(write(tmp_path, "case.toml", text), today=dt.date(2026, 2, 1))
    assert case.settings["figures_date"] == dt.date(2026, 2, 1)


def test_example_toml_and_json_agree():
    toml_result = compute_case(load_case(EXAMPLE_TOML)).to_dict()
    json_result = compute_case(load_case(EXAMPLE_JSON)).to_dict()
    assert toml_result == json_result


def test_demo_case_is_valid():
    case = load_case(DEMO)
    assert len(case.options) == 3
    assert case.baseline.name == "Make in Tilburg"
    assert case.settings["figures_date"] == dt.date(2026, 7, 1)


def test_demo_ranges_are_kept():
    case = load_case(DEMO)
    china = case.options[1]
    assert china.ranges["embedded_tco2e_per_unit"] == (0.039, 0.052, 0.173)
    assert china["embedded_tco2e_per_unit"] == 0.052


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.toml", None, "file not found"),
        ("case.yaml", MINIMAL, "unknown file extension '.yaml'"),
        ("case", MINIMAL, "unknown file extension '(none)'"),
        ("empty.toml", "", "file is empty"),
        ("blank.json", "  \n\n", "file is empty"),
        ("bad.toml", "name = \"x\"\n[part\n", "invalid TOML"),
        ("bad.json", '{"name": "x",\n "part": }', "invalid JSON"),
        ("list.json", "[1, 2]", "the top level is an array"),
    ],
)
def test_unreadable_file_raises(tmp_path, name, content, expected):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        read_case_file(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_directory_raises(tmp_path):
    folder = tmp_path / "case.toml"
    folder.mkdir()
    with pytest.raises(CaseFileError, match="is a directory"):
        read_case_file(folder)


def test_non_utf8_raises(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "Caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(CaseFileError, match="is not valid UTF-8"):
        read_case_file(path)


def test_toml_error_names_line_and_column(tmp_path):
    path = write(tmp_path, "bad.toml", 'name = "x"\n[part]\nannual_volume = = 3\n')
    with pytest.raises(CaseFileError) as caught:
        read_case_file(path)
    assert "line 3" in str(caught.value)
    assert "column" in str(caught.value)


def test_json_error_names_line_and_column(tmp_path):
    path = write(tmp_path, "bad.json", '{\n  "name": "x",\n  "part": ,\n}')
    with pytest.raises(CaseFileError) as caught:
        read_case_file(path)
    assert "line 3" in str(caught.value)
    assert "column 11" in str(caught.value)


def test_invalid_input_raises_validation_error(tmp_path):
    path = write(tmp_path, "case.toml", MINIMAL.replace("annual_volume = 1000", "annual_volume = -5"))
    with pytest.raises(ValidationError) as caught:
        load_case(path)
    assert any("annual_volume" in problem for problem in caught.value.problems)


def test_load_does_not_modify_file(tmp_path):
    path = tmp_path / "demo.toml"
    shutil.copy(DEMO, path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    load_case(path)
    after = (path.read_bytes(), path.stat().st_mtime_ns)
    assert before == after


def read_error(path) -> str:
    with pytest.raises(CaseFileError) as raised:
        read_case_file(path)
    return str(raised.value)


def test_fifo_rejected_without_reading(tmp_path):
    fifo = tmp_path / "case.toml"
    os.mkfifo(fifo)
    assert read_error(fifo) == f"{fifo}: is not a regular file; expected a .toml or .json case file"


def test_symlink_loop_named(tmp_path):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.symlink_to(second)
    second.symlink_to(first)
    assert read_error(first) == f"{first}: is a symbolic link to a missing file or to itself"


@pytest.mark.parametrize("suffix, text", [(".json", '{"name": ' + "[" * 50000 + "]" * 50000 + "}"), (".toml", "name = " + "[" * 50000 + "]" * 50000)])
def test_deep_nesting_rejected(tmp_path, suffix, text):
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    assert read_error(path) == f"{path}: nested too deeply to read; a case file has at most three levels of tables"


def test_json_duplicate_key_rejected(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text('{"name": "a", "part": {"annual_volume": 1, "annual_volume": 2}}', encoding="utf-8")
    assert read_error(path) == f"{path}: invalid JSON: key 'annual_volume' appears twice in one object; keep one"


@pytest.mark.parametrize("text, found", [("null", "null"), ("[1, 2]", "an array"), ('"case"', "a string")])
def test_json_top_level_named(tmp_path, text, found):
    path = tmp_path / "top.json"
    path.write_text(text, encoding="utf-8")
    assert read_error(path) == f"{path}: invalid case: the top level is {found}; expected an object with part, settings and options"


def test_name_too_long_reported(tmp_path):
    path = tmp_path / ("a" * 300 + ".toml")
    assert read_error(path) == f"{path}: reading the file failed: File name too long"


def test_empty_path_rejected():
    assert read_error("") == "no case file given; expected the path of a .toml or .json case file"
