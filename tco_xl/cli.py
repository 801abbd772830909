"""The ``tco-xl`` command: run the demo, compute a case file or a table of parts, list fields and countries.

Bad input, an output that cannot be written and a failed write to stdout
end with one ``tco-xl: error: ...`` line per problem on stderr and exit code
2. When the reader of stdout closes the pipe before all output is written
(as ``head`` does), the command stops without a message and exits with 1.
Other exceptions are bugs and keep their traceback.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import errno
import json
import logging
import os
import signal
import sys
import threading
import textwrap
import time
import tomllib
import importlib.util
from importlib import resources
from pathlib import Path

from . import __version__
from . import defaults as packaged
from .batch import frame_from_records, read_records, results_table, summarize
from .casefile import load_case, read_case_file
from .regions import DEFAULT_REGION, load_region, region_keys
from .errors import CaseFileError, TcoError, ValidationError
from .fields import INVESTMENT_FIELDS, OPTION_FIELDS, PART_FIELDS, RISK_FIELDS, SETTINGS_FIELDS, Field
from .frame import compute_frame
from .report import (
    OUTPUT_FILES,
    csv_encoding,
    escape_formula_columns,
    format_table,
    results_json,
    summary_csv,
    write_outputs,
    write_whole,
    xlsx_bytes,
)
from .results import compute_case
from .check_report import DEFAULT_MAX_FINDINGS
from .workbook_check import DEFAULT_RELATIVE_TOLERANCE as DEFAULT_CHECK_TOLERANCE
from .workbook_check import DEFAULT_SEED as DEFAULT_CHECK_SEED
from .workbook_check import MAX_SCENARIOS, workbook_files

logger = logging.getLogger(__name__)

PROG = "tco-xl"
EXIT_OK = 0
EXIT_BAD_INPUT = 2
# Exit code for a closed stdout pipe, as in the "Note on SIGPIPE" of Python's signal module documentation.
EXIT_BROKEN_PIPE = 1
# Exit code after Ctrl-C: 128 + SIGINT, as shells report it.
EXIT_INTERRUPTED = 130
DEMO_CASE = "demo_case.toml"
DEFAULT_DEMO_OUTPUT = str(Path("tco-xl-output") / "demo")
DEMO_WORKBOOK = "demo.xlsx"
LANGUAGE_NAMES = {"en": "English", "nl": "Dutch"}
FORMATS = ("table", "csv", "json")
BATCH_FORMATS = ("csv", "json")
# The results format of each file extension that `batch -o` accepts; a name without extension takes --format.
BATCH_SUFFIXES = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}
# More problems than this are cut off after the first ones, with a count of the rest.
MAX_REPORTED_PROBLEMS = 50
DUTCH_CSV_HELP = (
    "write CSV with ';' between fields and ',' as decimal mark, as a Dutch-locale Excel expects "
    "(files also get a UTF-8 byte-order mark); default ',' and '.'"
)

FIELD_SECTIONS = (
    ("[part]", PART_FIELDS),
    ("[settings]", SETTINGS_FIELDS),
    ("[[options]]", OPTION_FIELDS),
    ("[options.investment]", INVESTMENT_FIELDS),
    ("[[options.risks]]", RISK_FIELDS),
)


class BadInput(Exception):
    """A problem the command reports itself, such as bad input or an output it cannot write.

    ``lines`` are printed one per stderr line and the exit code is 2.
    """

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


class StdoutFailed(Exception):
    """Writing to stdout failed with an error other than a closed pipe, for example a full disk."""

    def __init__(self, error: OSError):
        super().__init__(error.strerror or str(error))
        self.reason = error.strerror or str(error)


# ---------------------------------------------------------------- stdout


def _flush_stdout() -> None:
    """Flush stdout; raise ``StdoutFailed`` on a write error, but let ``BrokenPipeError`` through."""
    if sys.stdout is None:
        # Python sets sys.stdout to None when the command starts with stdout closed (`>&-`).
        raise StdoutFailed(OSError(errno.EBADF, "standard output is closed"))
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise StdoutFailed(error) from error


def _write_stdout(text: str) -> None:
    """Write ``text`` to stdout whole and flush it, so that a write error shows up here and not at exit.

    The text is encoded and written to the binary buffer of stdout in a
    loop, because with PYTHONUNBUFFERED (or ``python -u``) that buffer is
    the raw file, whose write may take only part of the data. A text write
    then drops the rest without an error, for example when the reader of a
    pipe closes it during the write. The loop's next write raises
    ``BrokenPipeError`` instead.
    """
    _flush_stdout()
    binary = getattr(sys.stdout, "buffer", None)
    try:
        if binary is None:
            # A replaced sys.stdout, such as io.StringIO, has no binary buffer.
            sys.stdout.write(text)
        else:
            _write_all(binary, text.replace("\n", os.linesep).encode(sys.stdout.encoding, sys.stdout.errors or "strict"))
    except BrokenPipeError:
        raise
    except OSError as error:
        raise StdoutFailed(error) from error
    _flush_stdout()


def _write_all(binary, data: bytes) -> None:
    """Write ``data`` to the binary stream ``binary``, repeating the write after a partial one."""
    view = memoryview(data)
    while view:
        written = binary.write(view)
        if written is None:
            # A non-blocking stream that is full; the output cannot be written whole.
            raise BlockingIOError(errno.EAGAIN, "standard output is non-blocking and full")
        view = view[written:]


def _discard_stdout() -> None:
    """Point the file descriptor of stdout at the null device, so that the flush at interpreter exit goes there."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        # A replaced sys.stdout, as under pytest's capture, has no file descriptor.
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


# ---------------------------------------------------------------- output paths
#
# These checks use os.path, whose exists() and isdir() return False where
# Path.exists() and Path.is_dir() of Python 3.11 raise, for example on a
# folder without search permission.


def _first_existing(path: Path) -> Path:
    """Return ``path`` or its nearest ancestor that exists."""
    for candidate in (path, *path.parents):
        if os.path.exists(candidate):
            return candidate
    return Path(".")


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def _output_folder(text: str, case_path: str | Path | None) -> Path:
    """Check ``--output`` before anything is computed or printed; return it as a path.

    Raises ``BadInput`` when it is empty, when it or an ancestor is an
    existing non-folder, when one of the output files is an existing folder,
    or when an output file would replace the case file ``case_path``.
    """
    if not text.strip():
        raise BadInput(["--output is empty; expected a folder for the output files"])
    folder = Path(text)
    existing = _first_existing(folder)
    if not os.path.isdir(existing):
        raise BadInput([f"{existing}: is not a directory; expected a folder for the output files"])
    if existing != folder:
        # The folder will be created, so none of its files exists yet.
        return folder
    for name in OUTPUT_FILES:
        target = folder / name
        if os.path.isdir(target):
            raise BadInput([f"{target}: is a directory, so {name} cannot be written; remove it or choose another output folder"])
        _check_not_special(target)
        if case_path is not None and _same_file(target, Path(case_path)):
            raise BadInput([f"{target}: is the input case file, which {name} would replace; choose another output folder"])
    return folder


def _check_not_special(target: Path) -> None:
    """Reject an existing output target that is not a regular file, such as a FIFO or /dev/null.

    Writing through a temporary file and ``os.replace`` would put a regular file in its place.
    """
    if os.path.lexists(target) and not os.path.isfile(target):
        raise BadInput([f"{target}: is not a regular file; expected a file path for the output"])


def _output_file(text: str, input_path: Path) -> Path:
    """Check the ``--output`` file of ``batch`` before anything is computed; return it as a path."""
    if not text.strip():
        raise BadInput(["--output is empty; expected a file for the results"])
    output = Path(text)
    if os.path.isdir(output):
        raise BadInput([f"{output}: is a directory; expected a file for the results"])
    _check_not_special(output)
    existing = _first_existing(output.parent)
    if not os.path.isdir(existing):
        raise BadInput([f"{existing}: is not a directory; expected a folder for the results file"])
    if os.path.realpath(output) == os.path.realpath(input_path) or _same_file(output, input_path):
        raise BadInput([f"{output}: is the input file; choose another output file"])
    return output


# ---------------------------------------------------------------- commands


def _written_files() -> str:
    return ", ".join(OUTPUT_FILES[:-1]) + f" and {OUTPUT_FILES[-1]}"


def _print_result(result, case, folder: Path | None, args) -> None:
    """Write the output files to ``folder`` when given, then print the result in ``args.format``.

    The files come first, so that a failed write prints no result.
    """
    if folder is not None:
        try:
            write_outputs(result, folder, case=case, dutch_csv=args.dutch_csv)
        except OSError as error:
            reason = error.strerror or str(error)
            failed = error.filename or folder
            raise BadInput([f"{failed}: writing the output files failed: {reason}"]) from error
    if args.format == "table":
        _write_stdout(format_table(result))
    elif args.format == "csv":
        _write_stdout(summary_csv(result, args.dutch_csv))
    else:
        _write_stdout(results_json(result))
    if folder is None:
        return
    wrote = f"Wrote {_written_files()} to {folder.resolve()}"
    # Keep stdout machine-readable for csv and json.
    if args.format == "table":
        _write_stdout(wrote + "\n")
    else:
        print(wrote, file=sys.stderr)


@contextlib.contextmanager
def _errors_named_by_file(path):
    """Turn the core's input errors into ``BadInput`` lines that start with the file name."""
    try:
        yield
    except ValidationError as error:
        raise BadInput([f"{path}: {problem}" for problem in error.problems]) from error
    except CaseFileError:
        raise
    except TcoError as error:
        # For example a DataError when the packaged figures do not cover the case's figures_date.
        raise BadInput([f"{path}: {error}"]) from error


def _compute_file(path: str | Path, args) -> None:
    """Compute the case file at ``path`` (a string as given, so that "" is not read as ".")."""
    folder = _output_folder(args.output, path) if args.output is not None else None
    with _errors_named_by_file(path):
        case = load_case(path)
    result = compute_case(case)
    _print_result(result, case, folder, args)


def run_demo(args) -> int:
    resource = resources.files("tco_xl.data").joinpath(DEMO_CASE)
    if args.show_case:
        _write_stdout(resource.read_text(encoding="utf-8"))
        return EXIT_OK
    target = Path(args.output) / DEMO_WORKBOOK
    if os.path.isdir(target):
        raise BadInput([f"{target}: is a directory, so {DEMO_WORKBOOK} cannot be written; remove it or choose another output folder"])
    with resources.as_file(resource) as path:
        logger.info("running the built-in demo case %s", path)
        _compute_file(path, args)
    workbook = _demo_workbook(Path(args.output))
    wrote = f"Wrote the demo case in the template workbook to {workbook.resolve()}"
    if args.format == "table":
        _write_stdout(wrote + "\n")
    else:
        print(wrote, file=sys.stderr)
    return EXIT_OK


def _demo_workbook(folder: Path) -> Path:
    """Write the demo case into a copy of the English template in ``folder``; return its path."""
    from .template import write_workbook
    from .template_fill import filled_template

    raw = tomllib.loads(resources.files("tco_xl.data").joinpath(DEMO_CASE).read_text(encoding="utf-8"))
    return write_workbook(filled_template(raw, "en", DEFAULT_REGION), folder / DEMO_WORKBOOK)


def run_template(args) -> int:
    from .template import build_template, write_workbook
    from .template_fill import fill_workbook
    from .template_layout import Layout

    region_key = args.region.strip().lower()
    region = load_region(region_key)
    language = args.lang or region.language
    variant = "-udfs" if args.udfs else ""
    output = f"tco-xl-{region_key}-{language}{variant}.xlsx" if args.output is None else args.output
    workbook = build_template(language, region_key, udfs=args.udfs)
    if args.case is not None:
        with _errors_named_by_file(args.case):
            raw = read_case_file(args.case)
            fill_workbook(workbook, raw, Layout(language), region_key)
    path = write_workbook(workbook, output)
    kind = "template with the xlwings functions" if args.udfs else "template"
    print(f"Wrote the {region.name} {kind} in {LANGUAGE_NAMES[language]} to {path.resolve()}", file=sys.stderr)
    if args.udfs:
        print("The TCO_ functions show #NAME? until xlwings imports them; `tco-xl udfs` prints the settings.", file=sys.stderr)
    return EXIT_OK


def _workbook_paths(texts: list[str]) -> list[Path]:
    """Return the workbooks to check: the files named, and the .xlsx files inside named folders."""
    paths: dict[Path, None] = {}
    for text in texts:
        if not text.strip():
            raise BadInput(["an empty workbook path was given; name a file or a folder"])
        path = Path(text)
        try:
            is_folder = path.is_dir()
        except OSError as error:
            raise BadInput([f"{text}: reading the path failed: {error.strerror or error}"]) from error
        if is_folder:
            try:
                found = workbook_files(path)
            except OSError as error:
                raise BadInput([f"{error.filename}: reading the folder failed: {error.strerror or error}"]) from error
            if not found:
                raise BadInput([f"{text}: no .xlsx workbook found in the folder or its subfolders"])
            paths.update((p, None) for p in found)
        else:
            paths[path] = None
    # A workbook named twice, or also found in a named folder, is checked once.
    unique: dict[Path, Path] = {}
    for path in paths:
        unique.setdefault(path.resolve() if path.exists() else path, path)
    return list(unique.values())


def _progress_bar(total: int, what: str, unit: str):
    """Return a tqdm progress bar on stderr, shown only when stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, desc=what, unit=f" {unit}", leave=False, file=sys.stderr, disable=not sys.stderr.isatty())


def run_check(args) -> int:
    from .check_report import exit_code, json_report, junit_report, text_report
    from .workbook_check import CheckSettings, check_file

    if not 0 <= args.scenarios <= MAX_SCENARIOS:
        raise BadInput([f"--scenarios {args.scenarios} is invalid; expected 0 to {MAX_SCENARIOS} scenarios (run several seeds for more)"])
    if not (args.tolerance >= 0 and args.tolerance < 1):
        raise BadInput([f"--tolerance {args.tolerance} is invalid; expected a relative tolerance from 0 to below 1, such as 1e-9"])
    if args.max_findings < 0:
        raise BadInput([f"--max-findings {args.max_findings} is invalid; expected 0 (list all) or more"])
    paths = _workbook_paths(args.workbooks)
    junit = None
    if args.junit is not None:
        junit = Path(args.junit)
        _check_not_special(junit)
        if not junit.parent.is_dir():
            raise BadInput([f"--junit {args.junit}: folder {junit.parent} not found; create it or name another file"])
        for path in paths:
            if _same_file(junit, path):
                raise BadInput([f"--junit {args.junit}: the report would replace the workbook {path}; name another file"])
    settings = CheckSettings(scenarios=args.scenarios, seed=args.seed, relative_tolerance=args.tolerance)

    reports = []
    with _progress_bar(len(paths), "workbooks", "workbooks") as workbooks_bar:
        for path in paths:
            workbooks_bar.set_postfix_str(path.name)
            with _progress_bar(args.scenarios, f"scenarios of {path.name}", "scenarios") as bar:

                def progress(done: int, total: int, what: str) -> None:
                    bar.update(done - bar.n)

                report = check_file(path, settings, progress if args.scenarios else None)
            logger.info("%s: %s in %.1f s", path, report.status, report.seconds)
            if report.error is not None:
                print(f"{PROG}: error: {path}: {report.error}", file=sys.stderr)
            reports.append(report)
            workbooks_bar.update(1)

    report_text = json_report(reports, args.max_findings) if args.json else text_report(reports, args.max_findings)
    if junit is not None:
        try:
            write_whole(junit, junit_report(reports, args.max_findings), encoding=None)
        except OSError as error:
            # The checks are done, so their report still goes to stdout.
            _write_stdout(report_text)
            raise BadInput([f"--junit {args.junit}: writing the report failed: {error.strerror or error}"]) from error
    _write_stdout(report_text)
    return exit_code(reports)


def run_scenario(args) -> int:
    from .scenarios import generate_case

    if args.index < 0:
        raise BadInput([f"scenario {args.index} is invalid; expected 0 or more"])
    raw, _ = generate_case(args.index, args.seed)
    # Dates as YYYY-MM-DD text, which case files use.
    _write_stdout(json.dumps(raw, indent=2, ensure_ascii=False, default=lambda value: value.isoformat()) + "\n")
    return EXIT_OK


def run_compute(args) -> int:
    _compute_file(args.case, args)
    return EXIT_OK


def _batch_format(args) -> str:
    """Return the results format: from the extension of ``-o`` (.csv, .json or .xlsx), else ``--format``.

    Raises ``BadInput`` for another extension, or one that contradicts ``--format``.
    """
    if args.output is None or not Path(args.output).suffix:
        if args.format is None:
            return "csv"
        return args.format
    suffix = Path(args.output).suffix
    by_suffix = BATCH_SUFFIXES.get(suffix.lower())
    if by_suffix is None:
        raise BadInput([f"{args.output}: unknown results file extension {suffix!r}; expected .csv, .json or .xlsx"])
    if args.format is not None and args.format != by_suffix:
        raise BadInput([f"{args.output}: a {suffix} file cannot hold --format {args.format} results; change the extension or --format"])
    if by_suffix == "xlsx" and importlib.util.find_spec("openpyxl") is None:
        raise BadInput([f"{args.output}: writing .xlsx files needs the openpyxl package; install it with `pip install openpyxl` or write .csv"])
    return by_suffix


def _batch_text(table, output_format: str, dutch_csv: bool) -> str:
    if output_format == "json":
        records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
        return json.dumps(records, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    table = escape_formula_columns(table)
    if dutch_csv:
        return table.to_csv(index=False, sep=";", decimal=",", lineterminator="\n")
    return table.to_csv(index=False, lineterminator="\n")


def _batch_summary(summary: dict, seconds: float) -> list[str]:
    kinds = ", ".join(f"{kind} {count}" for kind, count in summary["cheapest_by_country"].items())
    cases = summary["cases"]
    return [
        f"Computed {cases} {'case' if cases == 1 else 'cases'} with {summary['options']} options in {seconds:.2f} s.",
        f"Cheapest option per case: the baseline in {summary['baseline_cheapest']} of {cases} cases; "
        f"by country and sourcing: {kinds}.",
    ]


class _RepeatFilter(logging.Filter):
    """Let the first record of each message pass and count the identical ones after it."""

    def __init__(self):
        super().__init__()
        self.first: dict[str, logging.LogRecord] = {}
        self.repeats: collections.Counter[str] = collections.Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message in self.first:
            self.repeats[message] += 1
            return False
        self.first[message] = record
        return True

    def log_repeats(self, target: logging.Logger) -> None:
        """Log each repeated message once more on ``target``, with the number of repeats."""
        for message, count in self.repeats.items():
            level = self.first[message].levelno
            target.log(level, "%s (repeated for %d more %s)", message, count, "case" if count == 1 else "cases")


def _frame_once_per_message(records):
    """Run ``frame_from_records``, logging each distinct ``tco_xl.case`` message once.

    ``build_case`` warns about a figures date past the packaged data once
    per case, which would repeat the same line for every case of a batch.
    """
    case_logger = logging.getLogger("tco_xl.case")
    repeats = _RepeatFilter()
    case_logger.addFilter(repeats)
    try:
        return frame_from_records(records)
    finally:
        case_logger.removeFilter(repeats)
        repeats.log_repeats(case_logger)


def run_batch(args) -> int:
    started = time.perf_counter()
    if not args.parts.strip():
        raise BadInput(["no parts table given; expected the path of a .csv or .xlsx file"])
    path = Path(args.parts)
    output_format = _batch_format(args)
    if args.dutch_csv and output_format != "csv":
        raise BadInput(["--dutch-csv applies to CSV output only; drop it, or use --format csv or a .csv results file"])
    output = _output_file(args.output, path) if args.output is not None else None

    records = read_records(path)
    with _errors_named_by_file(path):
        frame = _frame_once_per_message(records)
        computed = compute_frame(frame)
    table = results_table(frame, computed)
    if output_format == "xlsx":
        content, encoding = xlsx_bytes(table), None
    else:
        content = _batch_text(table, output_format, args.dutch_csv)
        encoding = csv_encoding(args.dutch_csv) if output_format == "csv" else "utf-8"
    summary = _batch_summary(summarize(table), time.perf_counter() - started)

    if output is None:
        _write_stdout(content)
        # Keep stdout machine-readable.
        print("\n".join(summary), file=sys.stderr)
        return EXIT_OK
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_whole(output, content, encoding)
    except OSError as error:
        reason = error.strerror or str(error)
        failed = error.filename or output
        raise BadInput([f"{failed}: writing the results failed: {reason}"]) from error
    summary.append(f"Wrote {len(table)} result rows to {output.resolve()}")
    _write_stdout("\n".join(summary) + "\n")
    return EXIT_OK


def _allowed_text(spec: Field) -> str:
    # The country field has no fixed choices: the packaged country table sets them.
    if spec.kind == "country" or (spec.name == "country" and not spec.choices):
        codes = ", ".join(packaged.countries())
        return f"an ISO country code from `tco-xl countries`: {codes}"
    return spec.allowed()


def _describe_field(spec: Field) -> str:
    parts = [_allowed_text(spec)]
    if spec.unit:
        parts.append(spec.unit)
    if spec.kind in ("number", "integer") and spec.uncertain:
        parts.append("or { low, base, high }")
    return "; ".join(parts)


def run_udfs(args) -> int:
    from .udf_setup import classic_path, lite_source, settings_text

    if args.lite:
        _write_stdout(lite_source(classic_path().read_text(encoding="utf-8")))
    else:
        _write_stdout(settings_text())
    return EXIT_OK


def run_fields(args) -> int:
    lines = []
    for section, fields in FIELD_SECTIONS:
        lines.append(section)
        for spec in fields:
            lines.append(f"  {spec.name:<30} {_describe_field(spec)}")
            lines.extend(textwrap.wrap(spec.help, 76, initial_indent=" " * 6, subsequent_indent=" " * 6))
        lines.append("")
    lines.append("The top level also takes name = \"...\" (the case name).")
    lines.append("A number field marked { low, base, high } also takes a table such as { low = 1, base = 2, high = 3 };")
    lines.append("the base value is computed. Fields left out take the packaged defaults (see `tco-xl countries`).")
    lines.append("A table for `tco-xl batch` takes these fields as columns, plus case (the part id) and option (the option name).")
    _write_stdout("\n".join(lines) + "\n")
    return EXIT_OK


def run_countries(args) -> int:
    lines = []
    for code, country in packaged.countries().items():
        membership = "EU member" if country.eu_member or code == "NL" else "outside the EU customs territory"
        transport = "no transport" if country.default_mode == "none" else f"{country.default_mode}, {country.default_load_type}"
        lines.append(f"{code}  {country.name} ({country.region}), currency {country.currency}, {membership}, default transport {transport}")
        for name, figure in country.figures.items():
            lines.append(f"    {name:<32} {figure.value:>12g}  {figure.unit}  [{figure.quality}, {figure.date}]")
            lines.extend(textwrap.wrap(figure.source, 96, initial_indent=" " * 8, subsequent_indent=" " * 8))
        lines.append("")
    _write_stdout("\n".join(lines).rstrip() + "\n")
    return EXIT_OK


# ---------------------------------------------------------------- parser


def _add_format(parser: argparse.ArgumentParser, written: str) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="what to print on stdout: table (comparison in EUR per unit), csv (summary.csv, one row per option) "
        f"or json (results.json); default table. {written}",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Total cost of ownership (TCO) per unit of a part for each sourcing option, "
        "compared with a baseline, in EUR.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0,
        help="log progress to stderr: -v for INFO, -vv for DEBUG (default: warnings only)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # -v after the command counts separately, because a subcommand's default would overwrite the count before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v", "--verbose", dest="verbose_after_command", action="count", default=0,
        help="log progress to stderr: -v for INFO, -vv for DEBUG (default: warnings only)",
    )

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="compute the built-in case (a steel frame made in Tilburg, bought in China or Poland)",
        description="Compute the built-in case, print the comparison and write the output files.",
    )
    demo.add_argument(
        "--output", default=DEFAULT_DEMO_OUTPUT, metavar="DIR",
        help=f"folder for {_written_files()}; created if missing (default {DEFAULT_DEMO_OUTPUT})",
    )
    _add_format(demo, "With csv or json the folder line goes to stderr.")
    demo.add_argument("--dutch-csv", action="store_true", help=DUTCH_CSV_HELP)
    demo.add_argument(
        "--show-case", action="store_true",
        help="print the built-in case file (TOML) to use as a template, and compute nothing",
    )
    demo.set_defaults(handler=run_demo)

    compute = commands.add_parser(
        "compute",
        parents=[common],
        help="compute a case file (.toml or .json)",
        description="Compute a case file and print the comparison of its options.",
    )
    # Paths stay strings until checked, because Path("") would turn an empty argument into ".".
    compute.add_argument("case", metavar="CASE", help="case file, .toml or .json (see `tco-xl fields`)")
    compute.add_argument(
        "--output", default=None, metavar="DIR",
        help=f"also write {_written_files()} to this folder; created if missing",
    )
    _add_format(compute, "")
    compute.add_argument("--dutch-csv", action="store_true", help=DUTCH_CSV_HELP)
    compute.set_defaults(handler=run_compute)

    batch = commands.add_parser(
        "batch",
        parents=[common],
        help="compute a table of part-options (.csv or .xlsx), one result row per option",
        description="Compute a table with one row per part-option: a 'case' column with the part id, an "
        "'option' column with the option name and case-file fields as further columns (see `tco-xl fields`). "
        "Empty cells and missing columns take the packaged defaults. Part and settings fields must agree "
        "across the rows of one case.",
    )
    batch.add_argument("parts", metavar="PARTS", help="table of part-options, .csv (',' ';' or tab separated) or .xlsx (needs openpyxl)")
    batch.add_argument(
        "-o", "--output", default=None, metavar="RESULTS",
        help="file for the results (.csv, .json or .xlsx; .xlsx needs openpyxl), replaced whole; "
        "default stdout, with the summary on stderr",
    )
    batch.add_argument(
        "--format", choices=BATCH_FORMATS, default=None,
        help="results format: csv or json (a list of objects); default the extension of RESULTS, else csv",
    )
    batch.add_argument("--dutch-csv", action="store_true", help=DUTCH_CSV_HELP)
    batch.set_defaults(handler=run_batch)

    template = commands.add_parser(
        "template",
        parents=[common],
        help="write the template workbook (.xlsx) that computes the TCO with spreadsheet formulas only",
        description="Write the template workbook: the TCO model in native formulas for Excel 2010+ and LibreOffice "
        "Calc, with the region's defaults and starting options. With --case, the case is filled in.",
    )
    template.add_argument(
        "--lang", choices=("en", "nl"), type=str.lower, default=None, help="language of the workbook: en or nl; default the region's",
    )
    template.add_argument(
        "--region", default=DEFAULT_REGION,
        help=f"region whose labour cost, figures date, subsidies and options apply (default {DEFAULT_REGION}; known: "
        + ", ".join(region_keys()) + ")",
    )
    template.add_argument("-o", "--output", default=None, metavar="FILE.xlsx", help="workbook to write, replaced whole; default tco-xl-REGION-LANG.xlsx")
    template.add_argument("--case", default=None, metavar="CASE", help="case file (.toml or .json) to fill into the workbook")
    template.add_argument(
        "--udfs", action="store_true",
        help="add the UDFs sheet, where the xlwings functions of `tco-xl udfs` compute the results beside the formulas",
    )
    template.set_defaults(handler=run_template)

    check = commands.add_parser(
        "check",
        parents=[common],
        help="prove that template workbooks' formulas give the Python core's numbers; list broken cells",
        description="Check filled or edited template workbooks without a spreadsheet application. Six checks per "
        "workbook: formulas (every formula and default figure is the template's), inputs (within their validated "
        "ranges), errors (no error values), references (no formula refers to an emptied cell), values (every cost "
        "line, subtotal and result cell equals the Python core) and scenarios (the same for generated inputs, with "
        "--scenarios). A folder stands for every .xlsx file in it and its subfolders. Exit code 0: everything "
        "matches; 1: a check failed; 2: unreadable input or an invalid option, also when checks failed too.",
    )
    check.add_argument("workbooks", nargs="+", metavar="FILE.xlsx", help="template workbooks to check; a folder stands for every .xlsx file in it")
    check.add_argument(
        "--scenarios", type=int, default=0, metavar="N",
        help="also compute N generated input scenarios with each workbook's formulas and with the core (default 0)",
    )
    check.add_argument("--seed", type=int, default=DEFAULT_CHECK_SEED, help=f"seed of the generated scenarios, used with --scenarios; the same seed gives the same scenarios (default {DEFAULT_CHECK_SEED})")
    check.add_argument(
        "--tolerance", type=float, default=DEFAULT_CHECK_TOLERANCE, metavar="REL",
        help=f"relative difference at which a value counts as different (default {DEFAULT_CHECK_TOLERANCE:g}); "
        "differences below 1e-9 in absolute terms always pass",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON instead of text")
    check.add_argument("--junit", default=None, metavar="FILE", help="also write a JUnit XML report (a test case per workbook and check) to FILE")
    check.add_argument(
        "--max-findings", type=int, default=DEFAULT_MAX_FINDINGS, metavar="N",
        help=f"list at most N findings per check (default {DEFAULT_MAX_FINDINGS}; 0 lists all); counts always cover all",
    )
    check.set_defaults(handler=run_check)

    scenario = commands.add_parser(
        "scenario",
        parents=[common],
        help="print a scenario of `check --scenarios` as a JSON case file, to reproduce a difference",
        description="Print scenario INDEX of the seed as a JSON case file. `tco-xl template --case FILE.json` fills it "
        "into a workbook and `tco-xl compute FILE.json` computes it with the core.",
    )
    scenario.add_argument("index", type=int, metavar="INDEX", help="the scenario's number, as the check reports it (from 0)")
    scenario.add_argument("--seed", type=int, default=DEFAULT_CHECK_SEED, help=f"seed of the check (default {DEFAULT_CHECK_SEED})")
    scenario.set_defaults(handler=run_scenario)

    udfs = commands.add_parser(
        "udfs",
        parents=[common],
        help="show where the xlwings function module is and the settings that make TCO_ functions work in Excel",
        description="Print the path of the xlwings module with the TCO_ spreadsheet functions and the Excel settings "
        "for classic xlwings and for xlwings Lite.",
    )
    udfs.add_argument("--lite", action="store_true", help="print the xlwings Lite main.py instead, to paste into the Lite editor")
    udfs.set_defaults(handler=run_udfs)

    fields = commands.add_parser(
        "fields",
        parents=[common],
        help="list every case-file field with its unit, allowed values and meaning",
        description="List every case-file field by section with its unit, allowed values and meaning.",
    )
    fields.set_defaults(handler=run_fields)

    countries = commands.add_parser(
        "countries",
        parents=[common],
        help="list the packaged countries and their default figures with quality flag, date and source",
        description="List the packaged countries and their default figures with quality flag, date and source.",
    )
    countries.set_defaults(handler=run_countries)
    return parser


def _configure_logging(verbosity: int) -> None:
    if verbosity == 0:
        level = logging.WARNING
    elif verbosity == 1:
        level = logging.INFO
    else:
        level = logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True)


def _report(lines: list[str]) -> int:
    """Print one error line per problem on stderr, at most ``MAX_REPORTED_PROBLEMS`` and a count of the rest."""
    for line in lines[:MAX_REPORTED_PROBLEMS]:
        print(f"{PROG}: error: {line}", file=sys.stderr)
    if len(lines) > MAX_REPORTED_PROBLEMS:
        rest = len(lines) - MAX_REPORTED_PROBLEMS
        print(f"{PROG}: error: ... and {rest} more {'problem' if rest == 1 else 'problems'}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit:
        # --help and --version print to stdout and exit; flush here so that a write error is reported.
        _flush_stdout()
        raise
    _configure_logging(args.verbose + args.verbose_after_command)
    try:
        code = args.handler(args)
    except BadInput as error:
        code = _report(error.lines)
    except ValidationError as error:
        code = _report(error.problems)
    except TcoError as error:
        # CaseFileError messages already start with the file name.
        code = _report([str(error)])
    _flush_stdout()
    return code


def _exit_on_sigterm(signum, _frame) -> None:
    # SystemExit unwinds the stack, so writers remove their temporary files on the way out.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        return _run_guarded(argv)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run_guarded(argv: list[str] | None) -> int:
    """Run the command; turn a closed stdout pipe or a failed write to stdout into an exit code."""
    try:
        return _run(argv)
    except BrokenPipeError:
        # The reader of stdout (for example `head`) closed the pipe, so stop without a message.
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    except StdoutFailed as error:
        _discard_stdout()
        return _report([f"writing to standard output failed: {error.reason}"])


if __name__ == "__main__":
    sys.exit(main())
