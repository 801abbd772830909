"""Tests of the batch path: a table of part-options read from CSV or a DataFrame."""

import copy
import datetime as dt
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tco_xl import batch
from tco_xl.batch import frame_from_records, read_records, results_table, summarize
from tco_xl.case import build_case
from tco_xl.errors import CaseFileError, ValidationError
from tco_xl.frame import compute_frame
from tco_xl.lines import GROUPS, LINE_IDS
from tco_xl.results import compute_case

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_PARTS = ROOT / "examples" / "parts.csv"
TODAY = dt.date(2026, 3, 1)
REL = 1e-9

PART = {"name": "Welded frame", "annual_volume": 12000, "unit_weight_kg": 28.0, "unit_volume_m3": 0.29}
SETTINGS = {"figures_date": "2026-07-01", "horizon_years": 5}
MAKE_NL = {
    "name": "Make in Tilburg", "country": "NL", "sourcing": "make", "baseline": True,
    "materials_eur": 36.0, "labour_hours": 1.2, "hourly_wage_eur": 19.5,
    "investment": {"machines_eur": 280000.0, "bmkb_credit_eur": 150000.0},
}
BUY_CN = {
    "name": "Buy in China", "country": "CN", "sourcing": "buy", "currency": "CNY", "price": 340.0,
    "duty_rate": 0.027, "cbam_covered": True, "embedded_tco2e_per_unit": 0.052, "defect_rate": 0.02,
}
BUY_PL = {"name": "Buy in Poland", "country": "PL", "sourcing": "buy", "currency": "PLN", "price": 320.0, "incoterm": "FCA"}
BUY_TR = {"name": "Buy in Turkey", "country": "TR", "sourcing": "buy", "currency": "EUR", "price": 70.0, "duty_rate": 0.0}

RAW_CASES = {
    "P-100": {"part": PART, "settings": SETTINGS, "options": [MAKE_NL, BUY_CN, BUY_PL]},
    "P-200": {
        "part": {**PART, "name": "Small bracket", "annual_volume": 50000, "unit_weight_kg": 1.2, "unit_volume_m3": 0.0025},
        "settings": {**SETTINGS, "cost_of_capital": 0.1},
        "options": [{**BUY_PL, "price": 14.0}, {**BUY_TR, "price": 2.9}],
    },
}


def raw_case(case_id: str) -> dict:
    return {"name": case_id, **copy.deepcopy(RAW_CASES[case_id])}


def records_from_raw(raw_cases: dict) -> pd.DataFrame:
    """Flatten raw case mappings into one record per option, as a user's table would hold them."""
    rows = []
    for case_id, raw in raw_cases.items():
        for option in raw["options"]:
            row = {"case": case_id, "option": option["name"]}
            row.update(raw["part"])
            row.update(raw["settings"])
            row.update({key: value for key, value in option.items() if key not in ("name", "investment")})
            row.update(option.get("investment", {}))
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture
def records() -> pd.DataFrame:
    return records_from_raw(RAW_CASES)


def problems_of(df, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        frame_from_records(df, today=TODAY, **kwargs)
    return caught.value.problems


# ---------------------------------------------------------------- same numbers as compute_case


def test_batch_equals_compute_case(records):
    frame = frame_from_records(records, today=TODAY)
    computed = compute_frame(frame)
    for case_id in RAW_CASES:
        expected = compute_case(build_case(raw_case(case_id), today=TODAY))
        rows = computed[computed["case"] == case_id]
        assert list(rows["option"]) == [option.name for option in expected.options]
        for (_, row), option in zip(rows.iterrows(), expected.options):
            assert row["tco_per_unit_eur"] == pytest.approx(option.tco_per_unit_eur, rel=REL)
            assert row["gap_per_unit_eur"] == pytest.approx(option.gap_per_unit_eur, rel=REL, abs=1e-12)
            assert row["npv_eur"] == pytest.approx(option.npv_eur, rel=REL)
            assert row["baseline"] == option.baseline
            for line_id in LINE_IDS:
                assert row[line_id] == pytest.approx(option.lines[line_id], rel=REL, abs=1e-12), line_id
            for year, path in enumerate(option.path, start=1):
                assert row[f"tco_year_{year}"] == pytest.approx(path.tco_per_unit_eur, rel=REL)


def test_batch_keeps_case_defaults(records):
    frame = frame_from_records(records, today=TODAY)
    case = build_case(raw_case("P-200"), today=TODAY)
    rows = frame[frame["case"] == "P-200"]
    assert list(rows["cost_of_capital"]) == [0.1, 0.1]
    assert list(rows["fx_eur_per_unit"]) == [option["fx_eur_per_unit"] for option in case.options]


def test_example_parts_file_computes():
    frame = frame_from_records(read_records(EXAMPLE_PARTS))
    table = results_table(frame, compute_frame(frame))
    summary = summarize(table)
    assert summary["cases"] >= 3
    assert summary["options"] == len(table)
    assert table.groupby("case").size().between(2, 3).all()
    assert table.groupby("case")["baseline"].sum().eq(1).all()
    assert table.groupby("case")["cheapest"].any().all()
    assert set(table["country"]) >= {"NL", "CN"}
    assert np.isfinite(table["tco_per_unit_eur"]).all()


def test_results_table_columns(records):
    frame = frame_from_records(records, today=TODAY)
    table = results_table(frame, compute_frame(frame))
    head = ["case", "option", "baseline", "country", "sourcing", "tco_per_unit_eur", "annual_tco_eur",
            "gap_per_unit_eur", "gap_per_year_eur", "npv_eur", "break_even_price_eur"]
    assert list(table.columns[: len(head)]) == head
    for name in (*(f"group_{group}" for group in GROUPS), "tco_year_1", "tco_year_5", "baseline_cheaper_from_year", *LINE_IDS):
        assert name in table.columns
    assert len(table) == 5


def test_frame_keeps_row_labels(records):
    records.index = [10, 11, 12, 20, 21]
    frame = frame_from_records(records, today=TODAY)
    assert list(frame.index) == [10, 11, 12, 20, 21]
    computed = compute_frame(frame)
    assert list(computed.index) == [10, 11, 12, 20, 21]


def test_interleaved_rows_grouped_by_case(records):
    shuffled = records.iloc[[3, 0, 4, 1, 2]]
    frame = frame_from_records(shuffled, today=TODAY)
    assert list(frame["case"]) == ["P-200", "P-200", "P-100", "P-100", "P-100"]
    assert list(frame.index) == [3, 4, 0, 1, 2]


def test_input_frame_not_modified(records):
    before = records.copy(deep=True)
    frame_from_records(records, today=TODAY)
    pd.testing.assert_frame_equal(records, before)


# ---------------------------------------------------------------- defaults from missing columns and empty cells


def test_missing_column_takes_default(records):
    without = records.drop(columns=["hourly_wage_eur"])
    frame = frame_from_records(without, today=TODAY)
    raw = raw_case("P-100")
    del raw["options"][0]["hourly_wage_eur"]
    case = build_case(raw, today=TODAY)
    assert frame.loc[0, "hourly_wage_eur"] == pytest.approx(case.options[0]["hourly_wage_eur"])
    assert "hourly_wage_eur" in case.options[0].defaults_used


@pytest.mark.parametrize("empty", [np.nan, None, "", "  "])
def test_empty_cell_takes_default(records, empty):
    records["hourly_wage_eur"] = records["hourly_wage_eur"].astype(object)
    records.loc[0, "hourly_wage_eur"] = empty
    frame = frame_from_records(records, today=TODAY)
    raw = raw_case("P-100")
    del raw["options"][0]["hourly_wage_eur"]
    case = build_case(raw, today=TODAY)
    assert frame.loc[0, "hourly_wage_eur"] == pytest.approx(case.options[0]["hourly_wage_eur"])
    assert frame.loc[0, "hourly_wage_eur"] != 19.5


def test_only_case_and_option_columns_need_values():
    df = pd.DataFrame(
        {
            "case": ["A", "A"],
            "option": ["Netherlands", "Poland"],
            "name": ["bracket", None],
            "annual_volume": [1000, None],
            "unit_weight_kg": [None, 2.0],
            "unit_volume_m3": [0.01, 0.01],
            "figures_date": ["2026-07-01", ""],
            "country": ["NL", "PL"],
            "sourcing": ["buy", "buy"],
            "price": [10.0, 40.0],
        }
    )
    frame = frame_from_records(df, today=TODAY)
    assert list(frame["annual_volume"]) == [1000.0, 1000.0]
    assert list(frame["unit_weight_kg"]) == [2.0, 2.0]
    assert list(frame["baseline"]) == [True, False]


def test_part_name_defaults_to_case_id(records):
    records = records.drop(columns=["name"])
    frame = frame_from_records(records, today=TODAY)
    assert list(frame["case"].unique()) == ["P-100", "P-200"]


def test_text_booleans_and_numbers(records):
    records = records.astype(object)
    records["cbam_covered"] = ["", "TRUE", "false", "", "no"]
    records["price"] = ["", "340", " 320 ", "14", "2.9"]
    frame = frame_from_records(records, today=TODAY)
    assert list(frame["cbam_covered"]) == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert list(frame["price"][1:]) == [340.0, 320.0, 14.0, 2.9]


# ---------------------------------------------------------------- validation across cases


def test_disagreeing_part_field(records):
    records.loc[1, "annual_volume"] = 10000
    problems = problems_of(records)
    assert len(problems) == 1
    assert problems[0].startswith("rows 0-2 (case 'P-100'): annual_volume differs")
    assert "12000 in rows 0, 2" in problems[0]
    assert "10000 in row 1" in problems[0]


def test_disagreeing_settings_field(records):
    records.loc[4, "figures_date"] = "2026-01-01"
    problems = problems_of(records)
    assert len(problems) == 1
    assert problems[0].startswith("rows 3-4 (case 'P-200'): figures_date differs")


def test_problems_of_all_cases_reported(records):
    records.loc[1, "price"] = -5.0
    records.loc[4, "incoterm"] = "FOO"
    records.loc[3, "unit_volume_m3"] = -1.0
    records.loc[4, "unit_volume_m3"] = -1.0
    problems = problems_of(records)
    assert len(problems) == 3
    assert problems[0].startswith("row 1 (case 'P-100'): options[2] 'Buy in China': price = -5.0 is invalid")
    assert any(p.startswith("rows 3-4 (case 'P-200'): part: unit_volume_m3 = -1.0 is invalid") for p in problems)
    assert any(p.startswith("row 4 (case 'P-200'): options[2] 'Buy in Turkey': incoterm = 'FOO' is invalid") for p in problems)


def test_case_level_problem_names_rows():
    df = records_from_raw({"P-1": {"part": PART, "settings": SETTINGS, "options": [BUY_PL]}})
    df.index = [7]
    problems = problems_of(df)
    assert problems == ["row 7 (case 'P-1'): case: options lists 1 sourcing option; expected two or more"]


def test_missing_duty_rate_names_row(records):
    records.loc[1, "duty_rate"] = np.nan
    problems = problems_of(records)
    assert len(problems) == 1
    assert problems[0].startswith("row 1 (case 'P-100'): options[2] 'Buy in China': duty_rate is missing")


def test_unknown_column_with_hint(records):
    records = records.rename(columns={"annual_volume": "anual_volume"})
    problems = problems_of(records)
    assert "unknown column 'anual_volume'; did you mean 'annual_volume'? (see `tco-xl fields`)" in problems
    assert any("part: annual_volume is missing" in p for p in problems)


@pytest.mark.parametrize("column", ["case", "option"])
def test_missing_key_column(records, column):
    problems = problems_of(records.drop(columns=[column]))
    assert len(problems) == 1
    assert problems[0].startswith(f"missing column '{column}'")


def test_missing_case_id_and_option_name(records):
    records = records.astype(object)
    records.loc[2, "case"] = None
    records.loc[4, "option"] = ""
    problems = problems_of(records)
    assert "row 2: case is missing; expected the part id that groups its options" in problems
    assert "row 4 (case 'P-200'): option is missing; expected the option name" in problems


def test_duplicate_column_names(records):
    renamed = records.rename(columns={"unit_weight_kg": "price"})
    problems = problems_of(renamed)
    assert problems == ["column 'price' appears more than once"]


def test_empty_records():
    problems = problems_of(pd.DataFrame({"case": [], "option": []}))
    assert problems == ["no data rows; expected one row per part-option"]


def test_not_a_dataframe():
    with pytest.raises(TypeError):
        frame_from_records([{"case": "A"}])


def test_row_labels_text():
    assert batch._rows_text([4]) == "row 4"
    assert batch._rows_text([4, 5, 6]) == "rows 4-6"
    assert batch._rows_text([2, 5, 6, 9]) == "rows 2, 5-6, 9"
    assert batch._rows_text(["a", "b"]) == "rows a, b"


# ---------------------------------------------------------------- progress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_on_terminal(records, monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(batch, "PROGRESS_MIN_CASES", 2)
    monkeypatch.setattr(batch, "PROGRESS_INTERVAL_S", 0.0)
    frame_from_records(records, today=TODAY)
    text = terminal.getvalue()
    assert "\rbuilding cases: 1/2 (50 %)" in text
    assert "\rbuilding cases: 2/2 (100 %)" in text
    assert text.endswith("\n")


def test_no_progress_off_terminal(records, monkeypatch):
    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", plain)
    monkeypatch.setattr(batch, "PROGRESS_MIN_CASES", 2)
    frame_from_records(records, today=TODAY)
    assert plain.getvalue() == ""


def test_progress_logged_at_info(records, monkeypatch, caplog):
    monkeypatch.setattr(batch, "PROGRESS_MIN_CASES", 2)
    with caplog.at_level("INFO", logger="tco_xl.batch"):
        frame_from_records(records, today=TODAY)
    messages = [record.getMessage() for record in caplog.records if record.name == "tco_xl.batch"]
    assert "building 2 cases from 5 rows" in messages
    assert "built 1 of 2 cases" in messages
    assert any(message.startswith("built 2 cases in ") for message in messages)


# ---------------------------------------------------------------- reading files


def write_text(tmp_path, text, name="parts.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_read_comma_csv(tmp_path, records):
    path = tmp_path / "parts.csv"
    records.to_csv(path, index=False)
    df = read_records(path)
    assert list(df.index) == [2, 3, 4, 5, 6]
    frame = frame_from_records(df, today=TODAY)
    expected = frame_from_records(records, today=TODAY)
    assert np.allclose(frame["price"], expected["price"])
    assert list(frame.index) == [2, 3, 4, 5, 6]


def test_read_dutch_csv_equals_comma_csv(tmp_path, records):
    comma = tmp_path / "comma.csv"
    dutch = tmp_path / "dutch.csv"
    records.to_csv(comma, index=False)
    records.to_csv(dutch, index=False, sep=";", decimal=",")
    assert "0,027" in dutch.read_text(encoding="utf-8")
    from_comma = compute_frame(frame_from_records(read_records(comma), today=TODAY))
    from_dutch = compute_frame(frame_from_records(read_records(dutch), today=TODAY))
    pd.testing.assert_frame_equal(from_comma, from_dutch)


def test_read_dutch_csv_cp1252(tmp_path):
    text = (
        "case;option;name;annual_volume;unit_weight_kg;unit_volume_m3;country;sourcing;price;duty_rate\n"
        "007;Nederland;Behuizing \u00e9\u00e9n;1000;0,5;0,004;NL;buy;12,50;\n"
        "007;China;;;;;CN;buy;60;0,065\n"
    )
    path = write_text(tmp_path, text, encoding="cp1252")
    df = read_records(path)
    assert df.loc[2, "name"] == "Behuizing \u00e9\u00e9n"
    assert df.loc[2, "unit_weight_kg"] == 0.5
    assert df.loc[2, "unit_volume_m3"] == 0.004
    assert df.loc[2, "price"] == 12.5
    assert df.loc[3, "duty_rate"] == 0.065
    frame = frame_from_records(df, today=TODAY)
    assert list(frame["case"]) == ["007", "007"]


def test_read_tab_separated(tmp_path, records):
    path = tmp_path / "parts.csv"
    records.to_csv(path, index=False, sep="\t")
    frame = frame_from_records(read_records(path), today=TODAY)
    assert len(frame) == 5


def test_read_keeps_invalid_number_text(tmp_path, records):
    records = records.astype(object)
    records.loc[0, "unit_weight_kg"] = "28 kg"
    path = tmp_path / "parts.csv"
    records.to_csv(path, index=False)
    problems = problems_of(read_records(path))
    assert any("unit_weight_kg = '28 kg' is invalid" in problem for problem in problems)
    assert all(problem.startswith("rows 2-4 (case 'P-100')") for problem in problems)


def test_blank_line_keeps_row_numbers(tmp_path):
    text = "case,option,country,sourcing,price\nA,x,NL,buy,1\n\nA,y,PL,buy,oops\n"
    df = read_records(write_text(tmp_path, text))
    assert list(df.index) == [2, 4]
    assert df.loc[4, "price"] == "oops"


BAD_FILES = {
    "not found": (None, "parts.csv", "file not found"),
    "empty": ("", "parts.csv", "file is empty"),
    "header only": ("case,option\n", "parts.csv", "no data rows"),
    "wrong suffix": ("case,option\nA,x\n", "parts.txt", "unknown file extension '.txt'"),
    "ragged rows": ('case,option\nA,x\nB,y,z,"w\n', "parts.csv", "invalid CSV"),
    "not text": (None, "parts.csv", "is neither UTF-8 nor Windows-1252"),
}


@pytest.mark.parametrize("label", sorted(BAD_FILES))
def test_bad_file(tmp_path, label):
    content, name, expected = BAD_FILES[label]
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    if label == "not text":
        path.write_bytes(b"case,option\n\x81\x8d\x8f\x90\x9d\n")
    with pytest.raises(CaseFileError) as caught:
        read_records(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_directory_is_bad_file(tmp_path):
    with pytest.raises(CaseFileError) as caught:
        read_records(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a directory; expected a .csv or .xlsx file of part-options"


def test_xlsx_without_openpyxl(tmp_path, monkeypatch):
    path = tmp_path / "parts.xlsx"
    path.write_bytes(b"PK")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(CaseFileError) as caught:
        read_records(path)
    assert str(caught.value).startswith(f"{path}: reading .xlsx files needs the openpyxl package")
    assert "pip install openpyxl" in str(caught.value)


def test_xlsx_round_trip(tmp_path, records):
    pytest.importorskip("openpyxl")
    path = tmp_path / "parts.xlsx"
    records.to_excel(path, index=False)
    df = read_records(path)
    assert list(df.index) == [2, 3, 4, 5, 6]
    frame = frame_from_records(df, today=TODAY)
    expected = frame_from_records(records, today=TODAY)
    assert np.allclose(frame["price"], expected["price"])


def test_read_does_not_modify_file(tmp_path):
    path = tmp_path / "parts.csv"
    path.write_bytes(EXAMPLE_PARTS.read_bytes())
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    frame_from_records(read_records(path))
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# ---------------------------------------------------------------- decimal marks and thousands separators

DUTCH_HEADER = "case;option;annual_volume;unit_weight_kg;unit_volume_m3;country;sourcing;price\n"


@pytest.mark.parametrize(
    "cell, expected",
    [("40.000", 40000.0), ("1.234,5", 1234.5), ("-2.500", -2500.0), ("12,50", 12.5), ("1.000.000", 1e6), ("7", 7.0)],
)
def test_dutch_csv_thousands_separator(tmp_path, cell, expected):
    text = DUTCH_HEADER + f"A;x;{cell};1;0,01;NL;buy;10\n"
    df = read_records(write_text(tmp_path, text))
    assert df.loc[2, "annual_volume"] == expected


@pytest.mark.parametrize("cell", ["1.5", "0.004", "12.50", "1.2345", "2.5e3"])
def test_dutch_csv_rejects_dot_decimal(tmp_path, cell):
    text = DUTCH_HEADER + f"A;x;1000;1;0,01;NL;buy;10\nA;y;1000;1;0,01;PL;buy;{cell}\n"
    path = write_text(tmp_path, text)
    with pytest.raises(ValidationError) as caught:
        read_records(path)
    problems = caught.value.problems
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: row 3, column 'price': {cell!r} is ambiguous")
    assert "write the decimal with a comma, as " + cell.replace(".", ",") in problems[0]


@pytest.mark.parametrize("separator", [",", "\t"])
@pytest.mark.parametrize("cell", ["40,000", "1,5", "1,234.5"])
def test_comma_in_number_rejected(tmp_path, separator, cell):
    header = separator.join(["case", "option", "annual_volume", "country", "sourcing", "price"])
    row = separator.join(["A", "x", f'"{cell}"', "NL", "buy", "10"])
    path = write_text(tmp_path, f"{header}\n{row}\n")
    with pytest.raises(ValidationError) as caught:
        read_records(path)
    assert caught.value.problems == [
        f"{path}: row 2, column 'annual_volume': {cell!r} is ambiguous, because this "
        f"{'comma' if separator == ',' else 'tab'}-separated file is read with '.' as decimal mark; write the "
        "number without thousands separators and with '.' as decimal mark, as 40000 or 1.5"
    ]


def test_text_with_dot_stays_text_in_dutch_csv(tmp_path):
    text = DUTCH_HEADER + "A;x;1.2.3;1;0,01;NL;buy;10\n"
    df = read_records(write_text(tmp_path, text))
    assert df.loc[2, "annual_volume"] == "1.2.3"


# ---------------------------------------------------------------- booleans


@pytest.mark.parametrize(
    "text, expected",
    [("WAAR", 1.0), ("onwaar", 0.0), ("Ja", 1.0), ("NEE", 0.0), ("yes", 1.0), ("No", 0.0), ("1", 1.0), ("0", 0.0),
     ("True", 1.0), ("FALSE", 0.0)],
)
def test_boolean_texts(records, text, expected):
    records = records.astype(object)
    records.loc[1, "cbam_covered"] = text
    frame = frame_from_records(records, today=TODAY)
    assert frame.loc[1, "cbam_covered"] == expected


# ---------------------------------------------------------------- columns


def test_other_unknown_columns_ignored(records, caplog):
    records["notes"] = "call back"
    records["supplier"] = "ACME"
    records["colour"] = "red"
    with caplog.at_level("WARNING", logger="tco_xl.batch"):
        frame = frame_from_records(records, today=TODAY)
    assert len(frame) == 5
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert warnings == ["ignored columns not used by tco-xl: notes, supplier, colour"]


def test_misspelled_column_still_rejected(records):
    records = records.rename(columns={"duty_rate": "duty_rat"})
    problems = problems_of(records)
    assert "unknown column 'duty_rat'; did you mean 'duty_rate'? (see `tco-xl fields`)" in problems


def test_csv_duplicate_column(tmp_path):
    path = write_text(tmp_path, "case,option,price,price\nA,x,1,2\n")
    with pytest.raises(CaseFileError) as caught:
        read_records(path)
    assert str(caught.value) == f"{path}: column 'price' appears more than once; keep one column per field"


def test_title_row_gives_header_hint(tmp_path):
    path = write_text(tmp_path, "Parts list 2026,,\ncase,option,price\nA,x,1\n")
    problems = problems_of(read_records(path))
    assert len(problems) == 2
    assert problems[0].startswith("missing column 'case'; expected a 'case' column")
    assert problems[0].endswith(
        "The first row must be the header with case, option and field names; found: 'Parts list 2026', "
        "'(column B without a name)', '(column C without a name)'"
    )


def test_pipe_separated_gives_header_hint(tmp_path):
    path = write_text(tmp_path, "case|option|price\nA|x|1\n")
    problems = problems_of(read_records(path))
    assert problems[0].endswith("found: 'case|option|price'")


def test_read_utf16_csv(tmp_path, records):
    path = tmp_path / "parts.csv"
    path.write_bytes(records.to_csv(index=False, sep="\t").encode("utf-16"))
    frame = frame_from_records(read_records(path), today=TODAY)
    assert len(frame) == 5


# ---------------------------------------------------------------- today


def test_today_as_iso_text(records):
    frame = frame_from_records(records.drop(columns=["figures_date"]), today="2026-03-01")
    expected = frame_from_records(records.drop(columns=["figures_date"]), today=TODAY)
    pd.testing.assert_frame_equal(frame, expected)


def test_today_of_wrong_type(records):
    with pytest.raises(TypeError) as caught:
        frame_from_records(records, today=20260301)
    assert str(caught.value) == "today must be a datetime.date or an ISO date text such as '2026-07-01', not int"
    with pytest.raises(ValueError, match="today = '1 March' is invalid"):
        frame_from_records(records, today="1 March")


# ---------------------------------------------------------------- bad and unusual .xlsx files

NOT_XLSX = (
    "is not a valid .xlsx workbook (it may be password-protected, an old .xls, or a renamed CSV); "
    "save it as .xlsx or CSV"
)


def xlsx_bytes_of(records) -> bytes:
    buffer = io.BytesIO()
    records.to_excel(buffer, index=False)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["renamed csv", "truncated", "random bytes", "ole file"])
def test_bad_xlsx(tmp_path, records, kind):
    pytest.importorskip("openpyxl")
    contents = {
        "renamed csv": b"case,option\nA,x\n",
        "truncated": xlsx_bytes_of(records)[:300],
        "random bytes": bytes(range(256)) * 4,
        "ole file": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504),
    }
    path = tmp_path / "parts.xlsx"
    path.write_bytes(contents[kind])
    with pytest.raises(CaseFileError) as caught:
        read_records(path)
    assert str(caught.value) == f"{path}: {NOT_XLSX}"


def test_xlsx_damaged_inside(tmp_path, records):
    pytest.importorskip("openpyxl")
    import zipfile

    source = io.BytesIO(xlsx_bytes_of(records))
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as damaged:
        for item in original.infolist():
            data = original.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            damaged.writestr(item, data)
    with pytest.raises(CaseFileError) as caught:
        read_records(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: reading ")
    assert "\n" not in message


def test_xlsx_header_only_names_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Parts"
    book.active.append(["case", "option"])
    book.create_sheet("Notes").append(["n"])
    path = tmp_path / "parts.xlsx"
    book.save(path)
    with pytest.raises(CaseFileError) as caught:
        read_records(path)
    assert str(caught.value) == (
        f"{path}: no data rows in sheet 'Parts' (the first of 2 sheets, the only one read); "
        "expected a header row and one row per part-option"
    )


def test_xlsx_missing_case_names_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["part", "option"])
    book.active.append(["A", "x"])
    path = tmp_path / "parts.xlsx"
    book.save(path)
    problems = problems_of(read_records(path))
    assert problems[0].startswith("missing column 'case' in sheet 'Sheet1'; ")


def test_xlsx_formula_without_value(tmp_path, records):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "parts.xlsx"
    records.to_excel(path, index=False)
    book = openpyxl.load_workbook(path)
    price = list(records.columns).index("price") + 1
    book.active.cell(row=3, column=price, value="=10*34")
    book.active.cell(row=4, column=len(records.columns) + 1, value="notes")
    book.active.cell(row=5, column=len(records.columns) + 1, value="=1+1")
    book.save(path)
    with pytest.raises(ValidationError) as caught:
        read_records(path)
    assert caught.value.problems == [
        f"{path}: row 3, column 'price': a formula without a saved value; open and save the file in Excel or "
        "LibreOffice so the values are stored"
    ]


def test_xlsx_blank_row_keeps_row_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["case", "option", "price"])
    sheet.append(["A", "x", 1])
    sheet.append([])
    sheet.append(["A", "y", "oops"])
    path = tmp_path / "parts.xlsx"
    book.save(path)
    df = read_records(path)
    assert list(df.index) == [2, 4]
    assert df.loc[4, "price"] == "oops"


@pytest.mark.parametrize("text", ["40.000", "1,5", "0.004"])
def test_ambiguous_number_text_rejected(records, text):
    # A number stored as text with an ambiguous mark is reported, not guessed.
    bad = records.astype({"annual_volume": object})
    bad.loc[bad.index[0], "annual_volume"] = text

    with pytest.raises(ValidationError) as raised:
        frame_from_records(bad, today=TODAY)

    assert any(f"annual_volume = {text!r} is invalid" in problem for problem in raised.value.problems), raised.value.problems


def test_plain_number_text_accepted(records):
    plain = records.astype({"annual_volume": object})
    plain["annual_volume"] = plain["annual_volume"].map(lambda value: str(int(value)))

    frame = frame_from_records(plain, today=TODAY)

    assert frame["annual_volume"].tolist() == records["annual_volume"].astype(float).tolist()
