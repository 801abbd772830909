"""Read a case file (TOML or JSON) into a validated ``Case``.

Every read or parse failure raises ``CaseFileError`` with one line that
names the file. Invalid inputs raise ``ValidationError`` from
``build_case``; its messages do not name the file, so callers prefix them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tomllib
from pathlib import Path

from .case import Case, build_case
from .errors import CaseFileError

logger = logging.getLogger(__name__)

SUFFIXES = (".toml", ".json")


# Case files are a few kilobytes; a larger file is not a case file.
MAX_FILE_BYTES = 10_000_000
JSON_TYPE_NAMES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false", type(None): "null"}


def read_case_file(path: str | Path) -> dict:
    """Read and parse a case file; return the raw mapping without validating it."""
    if str(path).strip() == "":
        raise CaseFileError("no case file given; expected the path of a .toml or .json case file")
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if not path.exists():
            if path.is_symlink():
                raise CaseFileError(f"{path}: is a symbolic link to a missing file or to itself")
            raise CaseFileError(f"{path}: file not found")
        if path.is_dir():
            raise CaseFileError(f"{path}: is a directory; expected a .toml or .json case file")
        if not path.is_file():
            raise CaseFileError(f"{path}: is not a regular file; expected a .toml or .json case file")
        if suffix not in SUFFIXES:
            raise CaseFileError(f"{path}: unknown file extension {path.suffix or '(none)'!r}; expected .toml or .json")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CaseFileError(f"{path}: file is larger than {MAX_FILE_BYTES:,} bytes; expected a case file")
        data = path.read_bytes()
    except OSError as error:
        raise CaseFileError(f"{path}: reading the file failed: {error.strerror or error}") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CaseFileError(f"{path}: is not valid UTF-8 (invalid byte at offset {error.start}); save it as UTF-8") from error
    if not text.strip():
        raise CaseFileError(f"{path}: file is empty; expected a case with part, settings and options")
    logger.debug("parsing %s as %s", path, suffix[1:].upper())
    try:
        if suffix == ".toml":
            return _parse_toml(text, path)
        return _parse_json(text, path)
    except RecursionError:
        raise CaseFileError(f"{path}: nested too deeply to read; a case file has at most three levels of tables") from None


def _parse_toml(text: str, path: Path) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib puts "(at line L, column C)" at the end of its message.
        raise CaseFileError(f"{path}: invalid TOML: {error}") from error


def _reject_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise CaseFileError(f"key {key!r} appears twice in one object; keep one")
        seen[key] = value
    return seen


def _parse_json(text: str, path: Path) -> dict:
    try:
        raw = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as error:
        raise CaseFileError(f"{path}: invalid JSON: {error.msg} (at line {error.lineno}, column {error.colno})") from error
    except CaseFileError as error:
        raise CaseFileError(f"{path}: invalid JSON: {error}") from None
    if not isinstance(raw, dict):
        found = JSON_TYPE_NAMES.get(type(raw), type(raw).__name__)
        raise CaseFileError(f"{path}: invalid case: the top level is {found}; expected an object with part, settings and options")
    return raw


def load_case(path: str | Path, today: dt.date | None = None) -> Case:
    """Read a .toml or .json case file and build the validated case.

    ``today`` is the figures date used when the file sets none. Raises
    ``CaseFileError`` when the file cannot be read or parsed and
    ``ValidationError`` when its inputs are invalid.
    """
    raw = read_case_file(path)
    case = build_case(raw, today=today)
    logger.info("loaded case %r from %s with %d options", case.name, path, len(case.options))
    return case
