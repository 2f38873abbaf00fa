"""One problem record (:class:`Issue`) for CSV oddities, RDF syntax errors and SHACL results alike."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Issue:
    """One problem, saying where it is.

    :param severity: ``error``, ``warning`` or ``info``.
    :param message: why it is a problem, in one sentence.
    :param source: file name, graph IRI or focus node.
    :param line: 1-based line (or row) number in ``source``, if known.
    :param column: 1-based column, if known.
    :param field: CSV column or RDF property concerned.
    :param value: the offending value, as text.
    :param code: a short stable identifier of the kind of problem (for filtering and tests).

    >>> str(Issue("error", "not an INSEE code", source="pvd.csv", line=12, field="insee_com", value="XX"))
    "[ERROR] [pvd.csv:12] insee_com='XX': not an INSEE code"
    """

    severity: str
    message: str
    source: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    value: str | None = None
    code: str | None = None

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        head = f"[{self.severity.upper()}]"
        if where:
            head += f" [{where}]"
        what = ""
        if self.field:
            what = f" {self.field}" + (f"={self.value!r}" if self.value is not None else "") + ":"
        elif self.value is not None:
            what = f" {self.value!r}:"
        return f"{head}{what} {self.message}"

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Report:
    """A list of issues, with counts and renderers.

    >>> r = Report([Issue("warning", "big town", field="pop", value="25000")])
    >>> r.ok, r.count("warning")
    (True, 1)
    >>> print(Report().to_text())
    No issues found
    """

    issues: list[Issue] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    shacl_report: object = None  # the original sh:ValidationReport graph, when there is one

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    def count(self, severity: str) -> int:
        return sum(1 for i in self.issues if i.severity == severity)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def to_text(self) -> str:
        if not self.issues:
            return "No issues found"
        return "\n".join(str(i) for i in self.issues)

    def to_json(self) -> str:
        return json.dumps(
            {"ok": self.ok, "summary": self.summary, "issues": [i.to_dict() for i in self.issues]},
            ensure_ascii=False,
            indent=2,
        )
