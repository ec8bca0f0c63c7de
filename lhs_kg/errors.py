"""One error hierarchy for the engine, so every face can turn failures into one readable line.

The CLI maps these to exit code 2 (input or usage) or 1 (a finding); the web layer maps them to 4xx.
Messages name the file, line, query or URL concerned and never include a traceback.
"""

from __future__ import annotations

from typing import Self


class LhsKgError(Exception):
    """Base class: anything the engine reports to a person.

    ``public`` is what may be shown to anyone on the web when the message itself names internal
    things (a store's URL): the CLI and the logs keep the full message (#12).
    """

    exit_code = 2
    public: str | None = None

    def with_public(self, message: str) -> Self:
        """This error, with the text the web shows instead of the detailed message."""
        self.public = message
        return self


class ConfigError(LhsKgError):
    """A setting (usually an ``LHS_KG_*`` variable) is malformed."""


class InputError(LhsKgError):
    """A file, document or request body cannot be read: missing, too big, empty, wrong format."""


class TooLargeError(InputError):
    """A submission over a size bound once parsed (triples, list members, described nodes)."""


class BusyError(LhsKgError):
    """A shared resource (the validator) stayed busy longer than the caller may wait."""


class ParseError(InputError):
    """RDF or SPARQL text that does not parse; carries the location when the parser gives one."""

    def __init__(
        self, message: str, *, source: str = "", line: int | None = None, column: int | None = None
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        where = source
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {message}" if where else message)


class UnknownFormatError(InputError):
    """A format name, file extension or media type we do not support."""


class StoreError(LhsKgError):
    """The store cannot be opened or used (locked, unreachable, refused the request)."""


class StoreUnavailableError(StoreError):
    """A remote store did not answer; the message names the URL."""


class EngineError(StoreError):
    """A remote store answered with an error of its own (its text goes to the log only)."""


class QueryError(LhsKgError):
    """A SPARQL query is refused or fails (syntax, guard, timeout, unknown name or parameter)."""


class QueryRejectedError(QueryError):
    """A query refused before execution by a guard (too long, too deep, SERVICE, update)."""


class QueryTimeoutError(QueryError):
    """A query that ran longer than the configured limit."""


class TruncatedResultError(QueryError):
    """A remote store cut an answer at its row limit; passing the part on would be a silent lie."""


class UnknownQueryError(QueryError):
    """A named query that does not exist."""


class ParameterError(QueryError):
    """A named query's parameter is unknown, missing or of the wrong type."""


class ReasoningError(LhsKgError):
    """The reasoner found the ontology and data inconsistent (a finding, so exit code 1)."""

    exit_code = 1

    def __init__(
        self, message: str, *, axioms: list[str] | None = None, individuals: list[str] | None = None
    ) -> None:
        self.axioms = axioms or []
        self.individuals = individuals or []
        super().__init__(message)


class NothingWrittenError(LhsKgError):
    """An export that found nothing to write (a finding, exit code 1, not a silent empty file)."""

    exit_code = 1


class ReasonerUnavailableError(LhsKgError):
    """The reasoner cannot run here: no Java, a JVM that does not start, or it ran out of time."""


class WriteConflictError(EngineError, BusyError):
    """A remote store gave up a write that crossed another's (SQLSTATE 40001, a deadlock) and
    rolled it back: a store error that is busy, not failing (503 with ``Retry-After``)."""
