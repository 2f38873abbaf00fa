"""One error base for the library; the CLI turns these (and only these) into one-line messages."""

from __future__ import annotations


class PvdKgError(Exception):
    """Base of every error the library raises on purpose.

    :param message: what went wrong, in one line.
    :param hint: the next step to take, shown after the message.
    """

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(PvdKgError):
    """Bad input from the user: unreadable file, bad option value, malformed data."""


class RdfSyntaxError(InputError):
    """An RDF document does not parse; the message gives file, line and column."""


class SourceDataError(InputError):
    """A source table cannot be read at all (missing columns, wrong encoding, HTML instead of CSV)."""


class ValidationFailed(PvdKgError):
    """Data breaks the SHACL shapes; ``report`` holds the problems."""

    def __init__(self, message: str, report=None, hint: str | None = None):
        super().__init__(message, hint)
        self.report = report


class UnknownFormat(InputError):
    """A format name, extension or media type that the format registry does not know."""


class QueryError(PvdKgError):
    """A SPARQL query is malformed, refused, or failed."""


class QueryStopped(QueryError):
    """A query ran past one of its limits (time, memory) and its worker process was stopped."""


class QueryTimeout(QueryStopped):
    """A query ran past its time limit and was stopped."""


class QueryOverMemory(QueryStopped):
    """A query ran past its memory limit and was stopped."""


class UnknownQuery(QueryError):
    """A catalog name that is not in ``queries/``."""


class StoreError(PvdKgError):
    """The store cannot be opened, read or written."""


class FetchError(PvdKgError):
    """A download failed: network error, bad status, deadline, size cap, wrong content."""
