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


def read_case_file(path: str | Path) -> dict:
    """Read and parse a case file; return the raw mapping without validating it."""
    path = Path(path)
    if not path.exists():
        raise CaseFileError(f"{path}: file not found")
    if path.is_dir():
        raise CaseFileError(f"{path}: is a directory; expected a .toml or .json case file")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CaseFileError(f"{path}: unknown file extension {path.suffix or '(none)'!r}; expected .toml or .json")
    try:
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
    if suffix == ".toml":
        return _parse_toml(text, path)
    return _parse_json(text, path)


def _parse_toml(text: str, path: Path) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib puts "(at line L, column C)" at the end of its message.
        raise CaseFileError(f"{path}: invalid TOML: {error}") from error


def _parse_json(text: str, path: Path) -> dict:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise CaseFileError(f"{path}: invalid JSON: {error.msg} (at line {error.lineno}, column {error.colno})") from error
    if not isinstance(raw, dict):
        raise CaseFileError(f"{path}: invalid case: the top level is a JSON {type(raw).__name__}; expected an object")
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
