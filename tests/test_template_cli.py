"""Edge cases of `tco-xl template`: odd output paths, texts a cell cannot hold, interrupts."""

from __future__ import annotations

import json
import signal

import openpyxl
import pytest

from tco_xl import cli
from tco_xl.cli import EXIT_INTERRUPTED, main
from tco_xl.template_fill import MAX_CELL_CHARS
from tco_xl.template_layout import Layout

LAYOUT = Layout("en")


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def case_file(tmp_path, part_name="Bracket", option_name="Supplier", risk_name="Strike"):
    raw = {
        "name": "edge",
        "part": {"name": part_name, "annual_volume": 1000, "unit_weight_kg": 1.0, "unit_volume_m3": 0.01},
        "options": [
            {"name": "Make", "country": "NL", "sourcing": "make", "materials_eur": 5.0},
            {
                "name": option_name, "country": "PL", "sourcing": "buy", "price": 20.0,
                "risks": [{"name": risk_name, "probability_per_year": 0.1, "impact_eur": 1000}],
            },
        ],
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_too_long_file_name_is_one_error(capsys, tmp_path):
    output = tmp_path / ("a" * 251 + ".xlsx")
    code, out, err = run(capsys, "template", "-o", str(output))
    assert code == 2
    assert err.startswith("tco-xl: error: ")
    assert "File name too long" in err
    assert err.count("\n") == 1


def test_empty_output_name_is_rejected(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "template", "-o", "")
    assert code == 2
    assert err == "tco-xl: error: the output file name is empty; give a file name ending in .xlsx\n"
    assert list(tmp_path.iterdir()) == []


def test_bare_suffix_output_is_rejected(capsys, tmp_path):
    code, out, err = run(capsys, "template", "-o", str(tmp_path / ".xlsx"))
    assert code == 2
    assert "ending in .xlsx" in err


def test_language_in_capitals_is_accepted(capsys, tmp_path):
    output = tmp_path / "en.xlsx"
    code, out, err = run(capsys, "template", "--lang", "EN", "-o", str(output))
    assert code == 0
    assert openpyxl.load_workbook(output).sheetnames[1] == "Inputs"


@pytest.mark.parametrize("field", ["part_name", "option_name", "risk_name"])
def test_control_characters_are_rejected(capsys, tmp_path, field):
    path = case_file(tmp_path, **{field: "a\u0001b"})
    output = tmp_path / "out.xlsx"
    code, out, err = run(capsys, "template", "--lang", "en", "--case", str(path), "-o", str(output))
    assert code == 2
    assert "control characters" in err
    assert err.startswith(f"tco-xl: error: {path}: ")
    assert not output.exists()


def test_text_longer_than_a_cell_is_rejected(capsys, tmp_path):
    path = case_file(tmp_path, option_name="x" * (MAX_CELL_CHARS + 1))
    output = tmp_path / "out.xlsx"
    code, out, err = run(capsys, "template", "--lang", "en", "--case", str(path), "-o", str(output))
    assert code == 2
    assert f"at most {MAX_CELL_CHARS}" in err
    assert not output.exists()


def test_date_like_names_stay_text(capsys, tmp_path):
    path = case_file(tmp_path, part_name="2026-07-01", option_name="2026-07-02", risk_name="2026-07-03")
    output = tmp_path / "out.xlsx"
    code, out, err = run(capsys, "template", "--lang", "en", "--case", str(path), "-o", str(output))
    assert code == 0, err
    inputs = openpyxl.load_workbook(output)[LAYOUT.sheets["inputs"]]
    assert inputs[LAYOUT.input_cell("part_name")].value == "2026-07-01"
    assert inputs[LAYOUT.input_cell("name", 1)].value == "2026-07-02"
    assert inputs[LAYOUT.input_cell("risk_1_name", 1)].value == "2026-07-03"


def test_figures_date_text_becomes_a_date(capsys, tmp_path):
    raw = json.loads(case_file(tmp_path).read_text(encoding="utf-8"))
    raw["settings"] = {"figures_date": "2025-03-01"}
    path = tmp_path / "dated.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    output = tmp_path / "out.xlsx"
    code, out, err = run(capsys, "template", "--lang", "en", "--case", str(path), "-o", str(output))
    assert code == 0, err
    value = openpyxl.load_workbook(output)[LAYOUT.sheets["inputs"]][LAYOUT.input_cell("figures_date")].value
    assert value.date().isoformat() == "2025-03-01"


def test_interrupt_exits_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_countries", interrupted)
    code, out, err = run(capsys, "countries")
    assert code == EXIT_INTERRUPTED
    assert err == "tco-xl: interrupted\n"


def test_sigterm_handler_is_restored(capsys):
    before = signal.getsignal(signal.SIGTERM)
    run(capsys, "countries")
    assert signal.getsignal(signal.SIGTERM) is before
