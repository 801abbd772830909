"""tco-xl: total cost of ownership of sourcing options for a part.

Build a case with ``build_case`` (or read one with ``load_case``), compute
it with ``compute_case``, or compute many part-options at once with
``compute_frame`` on rows from ``frame_from_cases`` or ``frame_from_records``.
"""

from .batch import frame_from_records, read_records
from .case import Case, build_case
from .casefile import load_case
from .errors import CaseFileError, DataError, TcoError, ValidationError
from .frame import compute_frame, frame_from_cases
from .results import CaseResult, OptionResult, compute_case

__version__ = "0.1.0"

__all__ = [
    "Case",
    "CaseFileError",
    "CaseResult",
    "DataError",
    "OptionResult",
    "TcoError",
    "ValidationError",
    "build_case",
    "compute_case",
    "compute_frame",
    "frame_from_cases",
    "frame_from_records",
    "read_records",
    "load_case",
    "__version__",
]
