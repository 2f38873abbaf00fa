"""Read the dates the publishers write: ``YYYY-MM-DD`` and ``DD/MM/YYYY``, nothing else.

The ANCT PVD list wrote ISO dates until 2025 and day-first French dates since its 2026 file;
both mean the same calendar day. Any other shape is refused rather than guessed, because a
silently swapped day and month is worse than a loud error.
"""

from __future__ import annotations

import datetime
import re

from .errors import SourceDataError

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FRENCH = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def parse_date(text: str) -> datetime.date:
    """The calendar day written as ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (surrounding spaces ignored).

    :param text: the cell as written.
    :raises SourceDataError: any other shape, or a day that does not exist.

    >>> parse_date("2021-03-12")
    datetime.date(2021, 3, 12)
    >>> parse_date(" 12/03/2021 ")
    datetime.date(2021, 3, 12)
    >>> parse_date("12-03-2021")
    Traceback (most recent call last):
    ...
    pvd_kg.errors.SourceDataError: '12-03-2021' is not a date written YYYY-MM-DD or DD/MM/YYYY
    """
    value = str(text).strip()
    if m := _ISO.match(value):
        year, month, day = m.groups()
    elif m := _FRENCH.match(value):
        day, month, year = m.groups()
    else:
        raise SourceDataError(f"{text!r} is not a date written YYYY-MM-DD or DD/MM/YYYY")
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise SourceDataError(f"{text!r} is not a real calendar day ({exc})") from None
