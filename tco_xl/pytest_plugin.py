"""A pytest plugin that collects template workbooks as tests: one test per workbook and check.

Name the workbooks with ``pytest --tco-workbooks PATH`` (a file or a folder,
repeatable) or with the ``tco_workbooks`` ini option, one path per line. A
check that finds differences fails with one line per cell. pytest loads the
plugin through the ``pytest11`` entry point of the installed package; it does
nothing unless workbooks are named.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHECK_ORDER = ("formulas", "inputs", "errors", "references", "values", "scenarios")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tco-xl", "tco-xl workbook checks")
    group.addoption(
        "--tco-workbooks", action="append", default=[], metavar="PATH",
        help="check this template workbook, or every .xlsx file in this folder, against the tco-xl core (repeatable)",
    )
    group.addoption("--tco-scenarios", type=int, default=None, metavar="N", help="also sweep N generated scenarios per workbook (default: ini tco_scenarios, else 0)")
    group.addoption("--tco-seed", type=int, default=None, help="seed of the generated scenarios (default: ini tco_seed, else the check's default)")
    group.addoption("--tco-tolerance", type=float, default=None, metavar="REL", help="relative tolerance of value comparisons (default: ini tco_tolerance, else 1e-9)")
    parser.addini("tco_workbooks", type="paths", default=[], help="template workbooks or folders to check, one per line")
    parser.addini("tco_scenarios", default="0", help="generated scenarios per workbook")
    parser.addini("tco_seed", default="", help="seed of the generated scenarios")
    parser.addini("tco_tolerance", default="", help="relative tolerance of value comparisons")


def _workbooks(config: pytest.Config) -> list[Path]:
    texts = config.getoption("tco_workbooks")
    if any(not text.strip() for text in texts):
        raise pytest.UsageError("--tco-workbooks was given an empty path; name a file or a folder")
    named = [Path(text) for text in texts] or list(config.getini("tco_workbooks"))
    paths = []
    for path in named:
        if path.is_dir():
            from .workbook_check import workbook_files

            try:
                paths += workbook_files(path)
            except OSError as error:
                raise pytest.UsageError(f"{error.filename}: reading the folder failed: {error.strerror or error}") from error
        else:
            paths.append(path)
    return paths


def _setting(config: pytest.Config, option: str, ini: str, convert, default):
    value = config.getoption(option)
    if value is not None:
        return value
    text = str(config.getini(ini)).strip()
    if not text:
        return default
    try:
        return convert(text)
    except ValueError as error:
        raise pytest.UsageError(f"ini option {ini} = {text!r} is invalid: {error}") from error


def _settings(config: pytest.Config):
    from .workbook_check import DEFAULT_RELATIVE_TOLERANCE, DEFAULT_SEED, MAX_SCENARIOS, CheckSettings

    scenarios = _setting(config, "tco_scenarios", "tco_scenarios", int, 0)
    if not 0 <= scenarios <= MAX_SCENARIOS:
        raise pytest.UsageError(f"--tco-scenarios {scenarios} is invalid; expected 0 to {MAX_SCENARIOS}")
    seed = _setting(config, "tco_seed", "tco_seed", int, DEFAULT_SEED)
    tolerance = _setting(config, "tco_tolerance", "tco_tolerance", float, DEFAULT_RELATIVE_TOLERANCE)
    if not 0 <= tolerance < 1:
        raise pytest.UsageError(f"--tco-tolerance {tolerance} is invalid; expected a relative tolerance from 0 to below 1, such as 1e-9")
    return CheckSettings(scenarios=scenarios, seed=seed, relative_tolerance=tolerance)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    # tryfirst, so that -k and -m, which deselect in this same hook, also see the workbook items.
    paths = _workbooks(config)
    if not paths:
        return
    settings = _settings(config)
    for path in paths:
        node = WorkbookFile.from_parent(session, path=path.resolve())
        node.settings = settings
        items.extend(node.collect())


class WorkbookFile(pytest.File):
    """A template workbook; its report is computed once, by the first of its tests that runs."""

    settings = None
    _report = None
    _failure: BaseException | None = None

    def collect(self):
        if not self.path.is_file():
            yield WorkbookCheck.from_parent(self, name="open")
            return
        for name in CHECK_ORDER:
            yield WorkbookCheck.from_parent(self, name=name)

    def report(self):
        # A check that crashed is not run again by the workbook's other tests.
        if self._failure is not None:
            raise WorkbookCheckFailed(f"{self.path}: the check failed earlier: {self._failure!r}")
        if self._report is None:
            from .workbook_check import check_file

            try:
                self._report = check_file(self.path, self.settings)
            except Exception as error:
                self._failure = error
                raise
        return self._report


class WorkbookCheckFailed(Exception):
    """A check of a workbook found differences; the text lists them."""


class WorkbookCheck(pytest.Item):
    """One check of one workbook."""

    def runtest(self) -> None:
        report = self.parent.report()
        if report.error is not None:
            if self.name in ("open", CHECK_ORDER[0]):
                raise WorkbookCheckFailed(f"{self.parent.path}: {report.error}")
            pytest.skip("the workbook is unreadable")
        check = next(check for check in report.checks if check.name == self.name)
        if check.status == "skipped":
            pytest.skip(check.summary)
        if check.status == "failed":
            lines = [check.summary] + [finding.describe() for finding in check.findings[:50]]
            if len(check.findings) > 50:
                lines.append(f"... and {len(check.findings) - 50} more")
            raise WorkbookCheckFailed("\n".join(lines))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, WorkbookCheckFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        # The failure header shows the domain; brackets keep the file name's dot as written.
        return self.path, None, f"{self.name}[{self.path.name}]"
