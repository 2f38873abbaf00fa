"""Find the dates a French text writes, with their honest precision: the one finder for the
extraction of articles (:mod:`pvd_kg.extract.dates`) and the free-text remarks of the tables
(:mod:`pvd_kg.ingest.ort`).

Written forms: ``lundi 18 janvier 2021``, ``le 1er mars``, ``18/01/2021``, ``janvier 2023``,
``en 2021``. Each :class:`DateMention` keeps what the text states: a day without a year is a
``day-month`` date (``--01-18``), never completed here. A weekday that contradicts the day is
reported (``weekday_conflict``) and never changes the date.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

MONTHS = {"janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
          "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12}
WEEKDAYS = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(WEEKDAYS)
_DAY_MONTH = re.compile(
    rf"\b(?:(?P<wd>{_WEEKDAY})\s+)?(?P<d>[0-3]?\d)(?:er|e)?\s+(?P<m>{_MONTH})(?:\s+(?P<y>(?:19|20)\d\d))?\b", re.I)
_NUMERIC = re.compile(r"\b(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.](?P<y>(?:19|20)\d\d)\b")
_MONTH_YEAR = re.compile(rf"\b(?P<m>{_MONTH})\s+(?P<y>(?:19|20)\d\d)\b", re.I)
_YEAR = re.compile(r"\b(?:en|au cours de|courant|début|fin|depuis)\s+(?P<y>(?:19|20)\d\d)\b", re.I)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: str  # 2021-05-21, 2021-07, 2021, --01-18
    precision: str  # day, month, year, day-month
    weekday: str | None = None
    weekday_conflict: bool = False


def _day(y: int | None, m: int, d: int) -> bool:
    try:
        datetime.date(y or 2000, m, d)
        return True
    except ValueError:
        return False


def find_dates(text: str, offset: int = 0) -> list[DateMention]:
    """Every date written in ``text`` (offsets shifted by ``offset``), in text order, the most
    precise reading of each span.

    >>> [(d.value, d.precision) for d in find_dates("Le 18 janvier, puis en juillet 2021 et en 2023.")]
    [('--01-18', 'day-month'), ('2021-07', 'month'), ('2023', 'year')]
    >>> find_dates("mardi 18 janvier 2021")[0].weekday_conflict
    True
    """
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _NUMERIC.finditer(text):
        d, mo, y = int(m["d"]), int(m["m"]), int(m["y"])
        if 1 <= mo <= 12 and _day(y, mo, d):
            found.append(DateMention(offset + m.start(), offset + m.end(), f"{y:04d}-{mo:02d}-{d:02d}", "day"))
            taken.append(m.span())
    for m in _DAY_MONTH.finditer(text):
        if not free(*m.span()):
            continue
        d, mo = int(m["d"]), MONTHS[m["m"].lower()]
        y = int(m["y"]) if m["y"] else None
        if not _day(y, mo, d):
            continue
        wd = m["wd"].lower() if m["wd"] else None
        conflict = bool(wd and y and datetime.date(y, mo, d).weekday() != WEEKDAYS[wd])
        value = f"{y:04d}-{mo:02d}-{d:02d}" if y else f"--{mo:02d}-{d:02d}"
        found.append(DateMention(offset + m.start(), offset + m.end(), value, "day" if y else "day-month", wd, conflict))
        taken.append(m.span())
    for m in _MONTH_YEAR.finditer(text):
        if free(*m.span()):
            found.append(DateMention(offset + m.start(), offset + m.end(),
                                     f"{int(m['y']):04d}-{MONTHS[m['m'].lower()]:02d}", "month"))
            taken.append(m.span())
    for m in _YEAR.finditer(text):
        if free(*m.span("y")):
            found.append(DateMention(offset + m.start("y"), offset + m.end("y"), m["y"], "year"))
            taken.append(m.span("y"))
    return sorted(found, key=lambda x: x.start)
