"""Is a literal's lexical form valid for its XSD datatype? For the datatypes the project's data
uses (numbers, booleans, dates): an ill-typed literal is refused where it is parsed, rather
than stored and later compared, sorted or summed as something else. Standard library only (it
runs in the parse child). Digits are ASCII digits only."""

from __future__ import annotations

import calendar
import re

XSD = "http://www.w3.org/2001/XMLSchema#"
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?(?:[1-9][0-9]{4,}|[0-9]{4})"
_DATE = rf"(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?"
_INTEGER = r"[+-]?[0-9]+"
_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"

_PATTERNS = {
    "integer": _INTEGER, "int": _INTEGER, "long": _INTEGER, "short": _INTEGER, "byte": _INTEGER,
    "nonNegativeInteger": r"\+?[0-9]+|-0+", "positiveInteger": r"\+?0*[1-9][0-9]*",
    "nonPositiveInteger": r"-[0-9]+|\+?0+", "negativeInteger": r"-0*[1-9][0-9]*",
    "unsignedInt": r"\+?[0-9]+", "unsignedLong": r"\+?[0-9]+", "unsignedShort": r"\+?[0-9]+",
    "unsignedByte": r"\+?[0-9]+",
    "decimal": _NUMBER,
    "double": rf"{_NUMBER}(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    "float": rf"{_NUMBER}(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    "boolean": r"true|false|1|0",
    "date": _DATE + _TZ,
    "dateTime": rf"{_DATE}T(?:{_TIME}){_TZ}",
    "gYear": _YEAR + _TZ,
    "gYearMonth": rf"{_YEAR}-(?:0[1-9]|1[0-2]){_TZ}",
}
_COMPILED = {XSD + name: re.compile(pattern, re.ASCII) for name, pattern in _PATTERNS.items()}


def ill_typed(value: str, datatype: str) -> str | None:
    """The datatype's short name (``xsd:integer``) if ``value`` is not a valid lexical form of
    it, else None (also for datatypes not checked).

    >>> ill_typed("douze", XSD + "integer")
    'xsd:integer'
    >>> ill_typed("2021-02-30", XSD + "date")
    'xsd:date'
    >>> ill_typed("2024-02-29", XSD + "date") is None
    True
    """
    pattern = _COMPILED.get(datatype)
    if pattern is None:
        return None
    m = pattern.fullmatch(value)
    if m and "d" in pattern.groupindex and not _real_day(m):
        m = None
    return None if m else "xsd:" + datatype[len(XSD):]


def _real_day(m: re.Match) -> bool:
    year = int(m.group("y"))
    if not 1 <= abs(year) <= 9999:
        return True  # the calendar module stops at 9999; the pattern has checked the form
    return int(m.group("d")) <= calendar.monthrange(abs(year), int(m.group("m")))[1]
