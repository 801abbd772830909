"""Reading a filled template back into a case: round trips, cell rules and bad files."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import io
import os
import tempfile
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tco_xl.case import build_case
from tco_xl.errors import ValidationError
from tco_xl.results import compute_case
from tco_xl.scenarios import generate_scenarios
from tco_xl.template import build_template, workbook_bytes, write_workbook
from tco_xl.template_fill import filled_template
from tco_xl.template_layout import OPTION_COUNT, TEMPLATE_MARK, Layout
from tco_xl.template_read import (
    ReadCase,
    TemplateInfo,
    WorkbookError,
    check_template,
    open_template,
    read_case,
    template_info,
)

REGION = "tilburg"
LANGUAGES = ("en", "nl")
ROOT = Path(__file__).resolve().parent.parent
DEMO_CASE = ROOT / "tco_xl" / "data" / "demo_case.toml"
GENERATED_CASES = 30
GENERATED_SEED = 4242
# Demo options in template column order: the baseline first, then the case's order.
MAKE, CHINA, POLAND = 0, 1, 2


def read_demo_case() -> dict:
    with DEMO_CASE.open("rb") as file:
        raw = tomllib.load(file)
    raw.setdefault("settings", {})["region"] = REGION
    return raw


def results_by_option(raw: dict) -> dict[str, dict]:
    """Return the TCO per unit, cost lines, NPV and baseline flag of each option by name."""
    result = compute_case(build_case(raw))
    return {
        option.name: {
            "tco_per_unit_eur": option.tco_per_unit_eur,
            "lines": option.lines,
            "npv_eur": option.npv_eur,
            "baseline": option.baseline,
        }
        for option in result.options
    }


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(workbook, path: Path) -> Path:
    path.write_bytes(workbook_bytes(workbook))
    return path


def inputs_sheet(workbook, language: str = "en"):
    return workbook[Layout(language).sheets["inputs"]]


def cell_name(layout: Layout, key: str, option_index: int = 0) -> str:
    return f"{layout.sheets['inputs']}!{layout.input_cell(key, option_index)}"


@functools.cache
def template_bytes(language: str = "en") -> bytes:
    """Return an empty template, built once per language."""
    return workbook_bytes(build_template(language, REGION))


@pytest.fixture
def demo_workbook():
    """The demo case filled into the English template, in memory."""
    return filled_template(read_demo_case(), "en", REGION)


@pytest.fixture
def layout() -> Layout:
    return Layout("en")


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("language", LANGUAGES)
def test_demo_round_trip_in_memory(language):
    raw = read_demo_case()
    read = read_case(filled_template(raw, language, REGION), Layout(language))
    assert results_by_option(read.raw) == results_by_option(raw)


@pytest.mark.parametrize("language", LANGUAGES)
def test_demo_round_trip_through_file(tmp_path, language):
    raw = read_demo_case()
    path = write_workbook(
        filled_template(raw, language, REGION), tmp_path / "demo.xlsx"
    )
    before = file_digest(path)
    workbook = open_template(path)
    read = read_case(workbook, Layout(language))
    assert results_by_option(read.raw) == results_by_option(raw)
    assert file_digest(path) == before


@pytest.fixture(scope="module")
def generated() -> list[dict]:
    return generate_scenarios(GENERATED_CASES, GENERATED_SEED)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("index", range(GENERATED_CASES))
def test_generated_round_trip(generated, index, language):
    raw = generated[index]
    read = read_case(filled_template(raw, language, REGION), Layout(language))
    assert results_by_option(read.raw) == results_by_option(raw)


@pytest.mark.parametrize("index", range(0, GENERATED_CASES, 7))
def test_generated_round_trip_through_file(tmp_path, generated, index):
    raw = generated[index]
    language = LANGUAGES[index % 2]
    path = save(filled_template(raw, language, REGION), tmp_path / "case.xlsx")
    read = read_case(open_template(path), Layout(language))
    assert results_by_option(read.raw) == results_by_option(raw)


@settings(max_examples=10, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32), language=st.sampled_from(LANGUAGES)
)
def test_any_generated_case_round_trips(seed, language):
    (raw,) = generate_scenarios(1, seed)
    read = read_case(filled_template(raw, language, REGION), Layout(language))
    assert results_by_option(read.raw) == results_by_option(raw)


def test_round_trip_keeps_text_starting_with_equals(tmp_path):
    raw = read_demo_case()
    raw["options"][1]["name"] = "=Supplier A"
    path = save(filled_template(raw, "en", REGION), tmp_path / "equals.xlsx")
    read = read_case(open_template(path), Layout("en"))
    assert read.raw["options"][CHINA]["name"] == "=Supplier A"


# ---------------------------------------------------------------- what is read


def test_template_info_reads_names(demo_workbook):
    info = template_info(demo_workbook)
    assert info == TemplateInfo(TEMPLATE_MARK, "en", REGION)


def test_check_template_accepts_template(demo_workbook):
    assert check_template(demo_workbook).language == "en"


def test_read_case_returns_read_case(demo_workbook, layout):
    assert isinstance(read_case(demo_workbook, layout), ReadCase)


def test_region_comes_from_template(demo_workbook, layout):
    assert read_case(demo_workbook, layout).raw["settings"]["region"] == REGION


def test_part_name_is_name(demo_workbook, layout):
    raw = read_case(demo_workbook, layout).raw
    assert raw["part"]["name"] == read_demo_case()["part"]["name"]
    assert "part_name" not in raw["part"]


def test_first_column_is_baseline(demo_workbook, layout):
    options = read_case(demo_workbook, layout).raw["options"]
    assert [option.get("baseline") for option in options] == [True, None, None]


def test_baseline_moves_to_first_column():
    raw = read_demo_case()
    raw["options"][0]["baseline"] = False
    raw["options"][2]["baseline"] = True
    options = read_case(filled_template(raw, "en", REGION), Layout("en")).raw["options"]
    assert options[0]["name"] == "Buy in Poland"
    assert options[0]["baseline"] is True


def test_empty_cells_are_absent(demo_workbook, layout):
    raw = read_case(demo_workbook, layout).raw
    assert "horizon_years" not in raw["settings"]
    assert "duty_rate" not in raw["options"][POLAND]
    assert "investment" not in raw["options"][POLAND]


def test_ranges_are_read_as_base(demo_workbook, layout):
    raw = read_case(demo_workbook, layout).raw
    assert raw["options"][CHINA]["price"] == 340


def test_date_becomes_iso_text(demo_workbook, layout):
    assert (
        read_case(demo_workbook, layout).raw["settings"]["figures_date"] == "2026-07-01"
    )


def test_date_from_file_becomes_iso_text(tmp_path, demo_workbook, layout):
    workbook = open_template(save(demo_workbook, tmp_path / "demo.xlsx"))
    assert read_case(workbook, layout).raw["settings"]["figures_date"] == "2026-07-01"


def test_flags_become_booleans(demo_workbook, layout):
    sheet = inputs_sheet(demo_workbook)
    sheet[layout.input_cell("article_23_licence", POLAND)] = 0
    sheet[layout.input_cell("wbso_starter", MAKE)] = True
    options = read_case(demo_workbook, layout).raw["options"]
    assert options[CHINA]["cbam_covered"] is True
    assert options[POLAND]["article_23_licence"] is False
    assert options[MAKE]["wbso_starter"] is True


def test_text_is_trimmed(demo_workbook, layout):
    sheet = inputs_sheet(demo_workbook)
    sheet[layout.input_cell("country", CHINA)] = "  cn \t"
    sheet[layout.input_cell("name", CHINA)] = " Buy in China  "
    option = read_case(demo_workbook, layout).raw["options"][CHINA]
    assert option["country"] == "cn"
    assert option["name"] == "Buy in China"


def test_blank_text_is_absent(demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("packaging_eur", CHINA)] = "   "
    assert "packaging_eur" not in read_case(demo_workbook, layout).raw["options"][CHINA]


def test_risk_items_are_read(demo_workbook, layout):
    risks = read_case(demo_workbook, layout).raw["options"][CHINA]["risks"]
    assert risks == read_demo_case()["options"][1]["risks"]


def test_empty_risk_item_before_filled_one_kept(demo_workbook, layout):
    sheet = inputs_sheet(demo_workbook)
    for part in ("name", "probability_per_year", "impact_eur"):
        sheet[layout.input_cell(f"risk_2_{part}", CHINA)] = None
    risks = read_case(demo_workbook, layout).raw["options"][CHINA]["risks"]
    assert len(risks) == 3
    assert risks[1] == {}
    assert risks[2]["name"] == "Quality escape in a container"


def test_investment_is_nested(demo_workbook, layout):
    investment = read_case(demo_workbook, layout).raw["options"][MAKE]["investment"]
    assert investment["machines_eur"] == 280000
    assert investment["bmkb_term_years"] == 6


def clear_column(workbook, layout: Layout, option_index: int) -> None:
    sheet = inputs_sheet(workbook, layout.language)
    for item in layout.rows:
        if not item.derived and not item.scalar:
            sheet[layout.input_cell(item.key, option_index)] = None


def test_empty_column_is_no_option(demo_workbook, layout):
    clear_column(demo_workbook, layout, CHINA)
    read = read_case(demo_workbook, layout)
    assert [option["name"] for option in read.raw["options"]] == [
        "Make in Tilburg",
        "Buy in Poland",
    ]
    assert read.cells[("options", 1, "price")] == cell_name(layout, "price", POLAND)


def test_first_filled_column_is_baseline(demo_workbook, layout):
    clear_column(demo_workbook, layout, MAKE)
    options = read_case(demo_workbook, layout).raw["options"]
    assert options[0]["name"] == "Buy in China"
    assert options[0]["baseline"] is True


def test_empty_template_reads_no_options(layout):
    workbook = build_template("en", REGION)
    for option_index in range(OPTION_COUNT):
        clear_column(workbook, layout, option_index)
    raw = read_case(workbook, layout).raw
    assert raw["options"] == []


# ---------------------------------------------------------------- cell addresses


def test_cells_of_settings_and_part(demo_workbook, layout):
    cells = read_case(demo_workbook, layout).cells
    assert cells[("settings", "horizon_years")] == cell_name(layout, "horizon_years")
    assert cells[("part", "name")] == cell_name(layout, "part_name")


def test_cells_of_option_fields(demo_workbook, layout):
    cells = read_case(demo_workbook, layout).cells
    assert cells[("options", 0, "materials_eur")] == cell_name(
        layout, "materials_eur", MAKE
    )
    assert cells[("options", 1, "price")] == cell_name(layout, "price", CHINA)
    assert cells[("options", 0, "investment", "machines_eur")] == cell_name(
        layout, "machines_eur", MAKE
    )
    assert cells[("options", 1, "risks", 2, "impact_eur")] == cell_name(
        layout, "risk_3_impact_eur", CHINA
    )


def test_cells_include_empty_inputs(demo_workbook, layout):
    read = read_case(demo_workbook, layout)
    assert "antidumping_rate" not in read.raw["options"][POLAND]
    expected = cell_name(layout, "antidumping_rate", POLAND)
    assert read.cells[("options", 2, "antidumping_rate")] == expected


def test_cells_use_dutch_sheet_name():
    layout = Layout("nl")
    read = read_case(filled_template(read_demo_case(), "nl", REGION), layout)
    assert read.cells[("options", 1, "price")].startswith("Invoer!")


# ---------------------------------------------------------------- values of the wrong type


def read_problems(workbook, layout: Layout) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        read_case(workbook, layout)
    return caught.value.problems


def test_text_in_number_cell_names_cell(demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("price", CHINA)] = "abc"
    (problem,) = read_problems(demo_workbook, layout)
    expected = (
        f"{cell_name(layout, 'price', CHINA)} (option 'Buy in China', price): "
        "found 'abc'; expected a number >= 0"
    )
    assert problem.startswith(expected)


def test_text_in_number_cell_from_file(tmp_path, demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("annual_volume")] = "12 000"
    workbook = open_template(save(demo_workbook, tmp_path / "text.xlsx"))
    (problem,) = read_problems(workbook, layout)
    assert problem.startswith(
        f"{cell_name(layout, 'annual_volume')} (part, annual_volume): found '12 000'"
    )


def test_every_wrong_type_is_listed(demo_workbook, layout):
    sheet = inputs_sheet(demo_workbook)
    sheet[layout.input_cell("horizon_years")] = "five"
    sheet[layout.input_cell("risk_1_impact_eur", CHINA)] = "a lot"
    sheet[layout.input_cell("machines_eur", MAKE)] = True
    problems = read_problems(demo_workbook, layout)
    assert len(problems) == 3
    assert problems[0].startswith(
        f"{cell_name(layout, 'horizon_years')} (settings, horizon_years): found 'five'; expected a whole number"
    )
    assert problems[1].startswith(
        f"{cell_name(layout, 'machines_eur', MAKE)} (option 'Make in Tilburg', machines_eur): found True"
    )
    assert problems[2].startswith(
        f"{cell_name(layout, 'risk_1_impact_eur', CHINA)} (option 'Buy in China' risk 1, impact_eur): found 'a lot'"
    )


def test_flag_other_than_one_or_zero(demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("cbam_covered", CHINA)] = 2
    (problem,) = read_problems(demo_workbook, layout)
    assert problem.endswith("found 2; expected 1 (yes) or 0 (no)")


def test_number_in_text_cell(demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("country", POLAND)] = 48
    (problem,) = read_problems(demo_workbook, layout)
    assert problem.startswith(
        f"{cell_name(layout, 'country', POLAND)} (option 'Buy in Poland', country): found 48"
    )


def test_formula_in_input_cell(demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("price", POLAND)] = "=300*1.1"
    (problem,) = read_problems(demo_workbook, layout)
    assert "found the formula '=300*1.1'" in problem
    assert problem.startswith(cell_name(layout, "price", POLAND))


def test_error_value_in_input_cell(demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("price", POLAND)] = "#N/A"
    (problem,) = read_problems(demo_workbook, layout)
    assert "found the error value #N/A" in problem


def test_date_with_time_is_invalid(demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("figures_date")] = dt.datetime(
        2026, 7, 1, 12, 30
    )
    (problem,) = read_problems(demo_workbook, layout)
    assert problem.endswith("found '2026-07-01T12:30:00'; expected a date YYYY-MM-DD")


def test_date_in_number_cell_is_invalid(demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("price", POLAND)] = dt.date(
        2026, 1, 2
    )
    (problem,) = read_problems(demo_workbook, layout)
    assert "found '2026-01-02'" in problem


def test_unnamed_option_named_by_column(demo_workbook, layout):
    sheet = inputs_sheet(demo_workbook)
    sheet[layout.input_cell("name", POLAND)] = None
    sheet[layout.input_cell("price", POLAND)] = "cheap"
    (problem,) = read_problems(demo_workbook, layout)
    column = layout.input_column(POLAND)
    assert f"(option in column {column}, price)" in problem


def test_date_text_passed_to_build_case(demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("figures_date")] = " 1 July 2026 "
    read = read_case(demo_workbook, layout)
    assert read.raw["settings"]["figures_date"] == "1 July 2026"
    with pytest.raises(
        ValidationError, match="figures_date = '1 July 2026' is invalid"
    ):
        read.build()


# ---------------------------------------------------------------- build with cell addresses


def build_problems(read: ReadCase) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        read.build()
    return caught.value.problems


def test_build_returns_case(demo_workbook, layout):
    case = read_case(demo_workbook, layout).build()
    assert case.baseline.name == "Make in Tilburg"
    assert len(case.options) == 3


def test_build_locates_option_problem(demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("price", CHINA)] = -5
    (problem,) = build_problems(read_case(demo_workbook, layout))
    assert problem.startswith(
        f"{cell_name(layout, 'price', CHINA)}: options[2] 'Buy in China': price = -5"
    )


def test_build_locates_missing_value(demo_workbook, layout):
    inputs_sheet(demo_workbook)[layout.input_cell("price", POLAND)] = None
    (problem,) = build_problems(read_case(demo_workbook, layout))
    assert problem.startswith(
        f"{cell_name(layout, 'price', POLAND)}: options[3] 'Buy in Poland': price is missing"
    )


def test_build_locates_settings_and_part(demo_workbook, layout):
    sheet = inputs_sheet(demo_workbook)
    sheet[layout.input_cell("horizon_years")] = 0
    sheet[layout.input_cell("annual_volume")] = 0
    problems = build_problems(read_case(demo_workbook, layout))
    assert (
        f"{cell_name(layout, 'annual_volume')}: part: annual_volume = 0 is invalid"
        in problems[0]
    )
    assert (
        f"{cell_name(layout, 'horizon_years')}: settings: horizon_years = 0 is invalid"
        in problems[1]
    )


def test_build_locates_investment_and_risk(demo_workbook, layout):
    sheet = inputs_sheet(demo_workbook)
    sheet[layout.input_cell("machines_life_years", MAKE)] = 0
    sheet[layout.input_cell("risk_2_probability_per_year", CHINA)] = 2
    problems = build_problems(read_case(demo_workbook, layout))
    assert problems[0].startswith(
        f"{cell_name(layout, 'machines_life_years', MAKE)}: options[1] 'Make in Tilburg' investment: machines_life_years = 0"
    )
    assert problems[1].startswith(
        f"{cell_name(layout, 'risk_2_probability_per_year', CHINA)}: options[2] 'Buy in China' risks[2]: probability_per_year = 2"
    )


def test_build_locates_investment_field_of_option_check(demo_workbook, layout):
    # A BMKB term past the longest fee term fails a check across fields,
    # whose message names the option, not its investment table.
    inputs_sheet(demo_workbook)[layout.input_cell("bmkb_term_years", MAKE)] = 20
    (problem,) = build_problems(read_case(demo_workbook, layout))
    expected = f"{cell_name(layout, 'bmkb_term_years', MAKE)}: options[1] 'Make in Tilburg': bmkb_term_years = 20"
    assert problem.startswith(expected)


def test_build_leaves_unlocated_problem(demo_workbook, layout):
    sheet = inputs_sheet(demo_workbook)
    sheet[layout.input_cell("name", POLAND)] = "Buy in China"
    (problem,) = build_problems(read_case(demo_workbook, layout))
    assert (
        problem
        == "options: name 'Buy in China' is used twice; option names must be unique"
    )


def test_locate_unknown_problem(demo_workbook, layout):
    assert (
        read_case(demo_workbook, layout).locate("case: options lists 1 sourcing option")
        is None
    )


# ---------------------------------------------------------------- bad files


def make_plain_workbook(path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "price"
    save(workbook, path)


def make_changed_name(name: str, text: str):
    def make(path: Path) -> None:
        workbook = openpyxl.load_workbook(io.BytesIO(template_bytes()))
        workbook.defined_names[name].attr_text = text
        save(workbook, path)

    return make


def make_without_name(path: Path) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    del workbook.defined_names["tco_template"]
    save(workbook, path)


def make_without_sheet(path: Path) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    del workbook["Path"]
    save(workbook, path)


def make_inserted_row(path: Path) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    workbook["Inputs"].insert_rows(20)
    save(workbook, path)


def make_zip_without_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")


BAD_FILES = {
    "empty": (lambda path: path.write_bytes(b""), "the file is empty"),
    "csv": (
        lambda path: path.write_text("name,annual_volume\nframe,12000\n"),
        "the content is not a zip archive",
    ),
    "text": (lambda path: path.write_text("hello"), "the content is not a zip archive"),
    "truncated-half": (
        lambda path: path.write_bytes(template_bytes()[: len(template_bytes()) // 2]),
        "the file is damaged or not an .xlsx workbook",
    ),
    "truncated-end": (
        lambda path: path.write_bytes(template_bytes()[:-40]),
        "the file is damaged or not an .xlsx workbook",
    ),
    "zip-header-only": (
        lambda path: path.write_bytes(template_bytes()[:30]),
        "the file is damaged or not an .xlsx workbook",
    ),
    "encrypted": (
        lambda path: path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)),
        "encrypted (password-protected) or in the old .xls format",
    ),
    "zip-not-workbook": (
        make_zip_without_workbook,
        "the file is damaged or not an .xlsx workbook",
    ),
    "plain-workbook": (
        make_plain_workbook,
        "not a tco-xl template: the defined name tco_template is missing",
    ),
    "no-mark": (make_without_name, "the defined name tco_template is missing"),
    "other-mark": (
        make_changed_name("tco_template", '"tco-xl template 2"'),
        "tco_template = 'tco-xl template 2' is not this version's template",
    ),
    "mark-not-text": (
        make_changed_name("tco_template", "Inputs!$A$1"),
        "tco_template = 'Inputs!$A$1' is invalid; expected a text",
    ),
    "bad-language": (
        make_changed_name("tco_language", '"fr"'),
        "tco_language = 'fr' is invalid; expected one of en, nl",
    ),
    "missing-sheet": (make_without_sheet, "sheet 'Path' not found"),
    "inserted-row": (
        make_inserted_row,
        "rows of the sheet were inserted, deleted or moved",
    ),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_raises_workbook_error(tmp_path, name):
    make, expected = BAD_FILES[name]
    path = tmp_path / f"{name}.xlsx"
    make(path)
    before = file_digest(path)
    with pytest.raises(WorkbookError) as caught:
        open_template(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message
    assert file_digest(path) == before


def test_missing_file(tmp_path):
    path = tmp_path / "missing.xlsx"
    with pytest.raises(WorkbookError, match="file not found") as caught:
        open_template(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert not path.exists()


def test_folder(tmp_path):
    path = tmp_path / "folder.xlsx"
    path.mkdir()
    with pytest.raises(WorkbookError, match="is a folder") as caught:
        open_template(path)
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_is_not_read(tmp_path):
    path = tmp_path / "pipe.xlsx"
    os.mkfifo(path)
    with pytest.raises(WorkbookError, match="is not a regular file") as caught:
        open_template(path)
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root reads any file"
)
def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(template_bytes())
    path.chmod(0)
    with pytest.raises(WorkbookError, match="reading the file failed") as caught:
        open_template(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_good_file_unchanged(tmp_path):
    path = tmp_path / "template.xlsx"
    path.write_bytes(template_bytes("nl"))
    before = file_digest(path)
    workbook = open_template(path)
    assert template_info(workbook).language == "nl"
    assert file_digest(path) == before


def test_read_case_wrong_language_layout(demo_workbook):
    with pytest.raises(WorkbookError, match="sheet 'Invoer' not found"):
        read_case(demo_workbook, Layout("nl"))


@settings(max_examples=30, deadline=None)
@given(
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=len(template_bytes()))),
    changes=st.lists(
        st.tuples(st.integers(0, len(template_bytes()) - 1), st.integers(0, 255)),
        max_size=12,
    ),
)
def test_damaged_file_raises_only_typed_errors(cut, changes):
    content = bytearray(template_bytes())
    for position, byte in changes:
        content[position] = byte
    if cut is not None:
        del content[cut:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.xlsx"
        path.write_bytes(bytes(content))
        try:
            workbook = open_template(path)
        except WorkbookError as error:
            assert str(error).startswith(f"{path}: ")
            assert "\n" not in str(error)
            return
        try:
            read_case(workbook, Layout(template_info(workbook).language))
        except (ValidationError, WorkbookError):
            pass
        assert path.read_bytes() == bytes(content)


def test_read_case_does_not_change_raw_input():
    raw = read_demo_case()
    original = copy.deepcopy(raw)
    read_case(filled_template(raw, "en", REGION), Layout("en"))
    assert raw == original
