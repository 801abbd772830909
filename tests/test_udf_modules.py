"""The xlwings modules: same functions in classic xlwings and xlwings Lite, their metadata and the setup command."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import types
from pathlib import Path

import pytest

from tco_xl import cell_functions
from tco_xl.cli import main
from tco_xl.udf_setup import CLASSIC_MODULE, UdfSetupError, classic_path, lite_folder, lite_source

ROOT = Path(__file__).resolve().parents[1]
CLASSIC_FILE = ROOT / "udfs" / "tco_udfs.py"
LITE_FILE = ROOT / "udfs" / "lite" / "main.py"
# Excel cuts function and argument descriptions of the function wizard at 255 characters.
EXCEL_DESCRIPTION_LIMIT = 255
RANGE_ARGUMENTS = {"keys", "option", "baseline"}


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _functions(module) -> dict:
    return {name: value for name, value in vars(module).items() if name.startswith("TCO_") and callable(value)}


@pytest.fixture
def windows_xlwings(monkeypatch):
    """Return xlwings' classic UDF decorators, importable on Linux once the Windows modules they import exist."""
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    sys.modules["pythoncom"].CoInitialize = lambda: None
    sys.modules["win32com.client"].Dispatch = lambda *args: None
    sys.modules["win32com"].client = sys.modules["win32com.client"]
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    udfs = importlib.import_module("xlwings.udfs")
    yield udfs
    sys.modules.pop("xlwings.udfs", None)


@pytest.fixture
def classic_metadata(windows_xlwings, monkeypatch):
    """Return the classic module's functions decorated by xlwings' real decorators, with their ``__xlfunc__``."""
    import xlwings

    monkeypatch.setattr(xlwings, "func", windows_xlwings.xlfunc)
    monkeypatch.setattr(xlwings, "arg", windows_xlwings.xlarg)
    monkeypatch.setattr(xlwings, "ret", windows_xlwings.xlret)
    return _functions(_load(CLASSIC_FILE, "tco_udfs_with_metadata"))


class _Recorder:
    """Stands in for xlwings Lite's decorators and records what each function is given."""

    def __init__(self):
        self.calls: dict[str, dict] = {}

    def _entry(self, function) -> dict:
        return self.calls.setdefault(function.__name__, {"func": None, "args": {}, "ret": []})

    def func(self, function=None, **options):
        def mark(target):
            self._entry(target)["func"] = options
            return target

        return mark(function) if function is not None else mark

    def arg(self, name, convert=None, **options):
        def mark(target):
            self._entry(target)["args"][name] = options
            return target

        return mark

    def ret(self, convert=None, **options):
        def mark(target):
            self._entry(target)["ret"].append(options)
            return target

        return mark


def test_both_modules_offer_the_cell_functions():
    classic = _functions(_load(CLASSIC_FILE, "tco_udfs_plain"))
    lite = _functions(_load(LITE_FILE, "tco_lite_plain"))
    assert set(classic) == set(cell_functions.FUNCTIONS)
    assert set(lite) == set(cell_functions.FUNCTIONS)


def test_both_modules_take_the_same_arguments():
    classic = _functions(_load(CLASSIC_FILE, "tco_udfs_plain"))
    lite = _functions(_load(LITE_FILE, "tco_lite_plain"))
    for name, function in classic.items():
        assert inspect.signature(function) == inspect.signature(lite[name]), name
        assert function.__doc__ == lite[name].__doc__, name


def test_module_arguments_match_cell_functions():
    classic = _functions(_load(CLASSIC_FILE, "tco_udfs_plain"))
    for name, function in classic.items():
        core = inspect.signature(cell_functions.FUNCTIONS[name])
        assert list(inspect.signature(function).parameters) == list(core.parameters), name


def test_lite_module_current():
    expected = lite_source(CLASSIC_FILE.read_text(encoding="utf-8"))
    assert LITE_FILE.read_text(encoding="utf-8") == expected, (
        "udfs/lite/main.py is out of date; regenerate it with `tco-xl udfs --lite > udfs/lite/main.py`"
    )


def test_lite_module_decorators():
    text = LITE_FILE.read_text(encoding="utf-8")
    assert "from xlwings import arg, func, ret" in text
    assert "xw." not in text
    assert "category=" not in text


def test_module_functions_return_what_the_cell_functions_return():
    classic = _functions(_load(CLASSIC_FILE, "tco_udfs_plain"))
    lite = _functions(_load(LITE_FILE, "tco_lite_plain"))
    for module in (classic, lite):
        assert module["TCO_COUNTRY"]("CN", "transit_days") == cell_functions.tco_country("CN", "transit_days")
        assert module["TCO_REGIONAL"]("labour_cost_eur_per_hour") == cell_functions.tco_regional("labour_cost_eur_per_hour")
        assert module["TCO_UNIT"]([["annual_volume"]], [[1.0]]).startswith("Error: ")


def test_classic_metadata_names_every_function_with_the_prefix(classic_metadata):
    assert set(classic_metadata) == set(cell_functions.FUNCTIONS)
    for name, function in classic_metadata.items():
        info = function.__xlfunc__
        assert info["name"] == name
        assert info["category"] == "tco-xl"


def test_classic_metadata_documents_every_argument(classic_metadata):
    for name, function in classic_metadata.items():
        info = function.__xlfunc__
        assert info["ret"]["doc"] == function.__doc__
        assert len(info["ret"]["doc"]) <= EXCEL_DESCRIPTION_LIMIT, name
        for argument in info["args"]:
            assert not argument["doc"].startswith("Positional argument"), f"{name} {argument['name']}"
            assert len(argument["doc"]) <= EXCEL_DESCRIPTION_LIMIT, f"{name} {argument['name']}"


def test_classic_metadata_converts_ranges_and_numbers(classic_metadata):
    for name, function in classic_metadata.items():
        for argument in function.__xlfunc__["args"]:
            options = argument["options"]
            if argument["name"] in RANGE_ARGUMENTS:
                assert options.get("ndim") == 2, f"{name} {argument['name']}"
            # Error values arrive as text, so that an error is named, not read as an empty cell.
            assert options.get("err_to_str") is True, f"{name} {argument['name']}"
            if argument["name"] in ("option", "baseline"):
                assert options.get("numbers") is float
            if argument["name"] in ("low", "high"):
                assert options.get("numbers") is float


def test_classic_metadata_marks_optional_arguments(classic_metadata):
    arguments = {a["name"]: a for a in classic_metadata["TCO_UNIT"].__xlfunc__["args"]}
    assert "optional" not in arguments["keys"]
    assert arguments["baseline"]["optional"] is None
    assert arguments["region"]["optional"] is None


def test_lite_decorators_get_the_classic_documentation(monkeypatch):
    import xlwings

    recorder = _Recorder()
    for name in ("func", "arg", "ret"):
        monkeypatch.setattr(xlwings, name, getattr(recorder, name))
    _load(LITE_FILE, "tco_lite_recorded")
    assert set(recorder.calls) == set(cell_functions.FUNCTIONS)
    classic = CLASSIC_FILE.read_text(encoding="utf-8")
    for name, entry in recorder.calls.items():
        assert entry["func"] == {}, name
        for argument, options in entry["args"].items():
            assert options["doc"], f"{name} {argument}"
            if argument in RANGE_ARGUMENTS:
                assert options["ndim"] == 2
            assert options["err_to_str"] is True
        assert f"def {name}(" in classic


def test_lite_source_rejects_a_module_without_docstring():
    with pytest.raises(UdfSetupError, match="must start with a docstring"):
        lite_source("import xlwings as xw\n")


def test_lite_source_names_a_line_it_cannot_translate():
    text = '"""Doc."""\nimport xlwings as xw\nbook = xw.Book()\n'
    with pytest.raises(UdfSetupError, match="xw.Book"):
        lite_source(text)


def test_installed_module_found():
    assert classic_path().resolve() == CLASSIC_FILE.resolve()
    assert (lite_folder() / "main.py").is_file()
    assert (lite_folder() / "requirements.txt").is_file()
    assert importlib.util.find_spec(CLASSIC_MODULE) is not None


def test_udfs_command_prints_the_module_and_settings(capsys):
    assert main(["udfs"]) == 0
    out = capsys.readouterr().out
    assert str(CLASSIC_FILE.resolve()) in out or str(CLASSIC_FILE) in out
    assert f"UDF Modules:   {CLASSIC_MODULE}" in out
    assert f"Interpreter:   {sys.executable}" in out
    assert "Import Functions" in out
    assert "#NAME?" in out
    assert "requirements.txt" in out


def test_udfs_command_prints_the_lite_module(capsys):
    assert main(["udfs", "--lite"]) == 0
    assert capsys.readouterr().out == LITE_FILE.read_text(encoding="utf-8")
