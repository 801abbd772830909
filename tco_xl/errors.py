"""Typed exceptions of the TCO core; the command line turns them into one line."""


class TcoError(Exception):
    """Base class of every error the core raises on bad input or data."""


class DataError(TcoError):
    """A packaged data file is missing, unreadable or inconsistent."""


class CaseFileError(TcoError):
    """A case file cannot be read or parsed."""


class ValidationError(TcoError):
    """One or more inputs of a case are invalid.

    ``problems`` lists one message per problem, each naming the option and
    field, the value found and what is allowed.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))
