"""Value cleaners and validators shared by the source readers.

Each cleaner returns the cleaned value or ``None`` and never guesses: the caller turns a
``None`` (or a :class:`CleanError`) into an :class:`~pvd_kg.report.Issue` with the reason.
"""

from __future__ import annotations

import datetime as _dt
import re

from ..dates import parse_date as _parse_date
from ..errors import SourceDataError
from ..iris import SIREN_RE

#: strings that sources use to mean "no value"
MISSING = frozenset({"", "NA", "N/A", "NULL", "None", "nan", "-"})

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FR_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_FR_DASH = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
# the patterns of the shapes (ontology/shapes.ttl): a code the readers accept never breaks them
COMMUNE_RE = re.compile(r"(?:0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5])[0-9]{3}|97[1-8][0-9]{2}")
DEPARTEMENT_RE = re.compile(r"0[1-9]|[1-8][0-9]|9[0-5]|2[AB]|97[1-8]")
REGION_RE = re.compile(r"[0-9]{2}")
ARRONDISSEMENT_RE = re.compile(r"[0-9]{3,4}|2[AB][0-9]")
_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
_PHONE = re.compile(r"(?:\+33\s?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b")


class CleanError(ValueError):
    """A value that does not have the expected shape; the message says why."""


def is_missing(value: str | None) -> bool:
    """True for empty cells and the placeholders sources use for "no value".

    >>> is_missing("NA"), is_missing(" "), is_missing("0")
    (True, True, False)
    """
    return value is None or value.strip() in MISSING


def parse_date(value: str) -> _dt.date:
    """A day date written ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (read by :func:`pvd_kg.dates.parse_date`),
    or ``DD-MM-YYYY`` (the ORT table's Grist export writes its end dates so).

    :param value: the text as written in the source.
    :raises CleanError: the text is not one of these shapes, or not a real day.

    >>> parse_date("2021-07-23"), parse_date("23/07/2021"), parse_date("18-01-2023")
    (datetime.date(2021, 7, 23), datetime.date(2021, 7, 23), datetime.date(2023, 1, 18))
    >>> parse_date("01/2021")
    Traceback (most recent call last):
    ...
    pvd_kg.ingest.cleaners.CleanError: '01/2021' is not a day date (YYYY-MM-DD or DD/MM/YYYY)
    """
    text = (value or "").strip()
    if foreign_digits(text):
        raise CleanError(f"{value!r} has non-ASCII digits: not a date")
    m = _FR_DASH.match(text)
    if m:
        d, mo, y = m.groups()
        try:
            return _dt.date(int(y), int(mo), int(d))
        except ValueError as exc:
            raise CleanError(f"{value!r} is not a real day ({exc})") from None
    try:
        return _parse_date(text)
    except SourceDataError:
        if _ISO.match(text) or _FR_SLASH.match(text):
            raise CleanError(f"{value!r} is not a real day") from None
        raise CleanError(f"{value!r} is not a day date (YYYY-MM-DD or DD/MM/YYYY)") from None


def date_format(value: str) -> str:
    """The shape a date is written in, for reporting mixed formats.

    >>> date_format("2021-07-23"), date_format("23/07/2021"), date_format("juillet")
    ('YYYY-MM-DD', 'DD/MM/YYYY', 'other')
    """
    text = (value or "").strip()
    if _ISO.match(text):
        return "YYYY-MM-DD"
    if _FR_SLASH.match(text):
        return "DD/MM/YYYY"
    if _FR_DASH.match(text):
        return "DD-MM-YYYY"
    return "other"


def foreign_digits(text: str) -> bool:
    """True when ``text`` holds digits other than ASCII 0-9 (Arabic-Indic, full-width,
    superscript...), which Python's ``int()`` and ``Decimal()`` would read as numbers.

    >>> foreign_digits("3439"), foreign_digits("٣٤٣٩"), foreign_digits("３４"), foreign_digits("m²")
    (False, True, True, True)
    """
    # ASCII text (nearly every value) has no digit but 0-9: spare the per-character look
    return not text.isascii() and any(ch.isdigit() and not "0" <= ch <= "9" for ch in text)


def code(value: str, pattern: re.Pattern, what: str) -> str:
    """``value`` if it is exactly a code of ``pattern``: nothing around it, ASCII digits only.
    A code is never trimmed or converted in silence: ``" 78003"`` is refused, not read as 78003.

    :raises CleanError: the reason, naming the value.

    >>> code("2A004", COMMUNE_RE, "an INSEE commune code")
    '2A004'
    >>> code(" 78003", COMMUNE_RE, "an INSEE commune code")
    Traceback (most recent call last):
    ...
    pvd_kg.ingest.cleaners.CleanError: ' 78003' has spaces around it: not an INSEE commune code as written
    """
    text = value or ""
    if text != text.strip():
        raise CleanError(f"{value!r} has spaces around it: not {what} as written")
    if foreign_digits(text):
        raise CleanError(f"{value!r} has non-ASCII digits: not {what}")
    if not pattern.fullmatch(text):
        raise CleanError(f"{value!r} is not {what}")
    return text


def insee_commune(value: str) -> str:
    """An INSEE commune code (5 characters, Corsica 2A/2B, overseas 97x), exactly as written.

    :raises CleanError: not a commune code.

    >>> insee_commune("2A004")
    '2A004'
    >>> insee_commune("999999")
    Traceback (most recent call last):
    ...
    pvd_kg.ingest.cleaners.CleanError: '999999' is not an INSEE commune code
    """
    return code(value, COMMUNE_RE, "an INSEE commune code")


def siren(value: str) -> str:
    """A 9-digit SIREN, exactly as written.

    :raises CleanError: not 9 ASCII digits.

    >>> siren("246200299")
    '246200299'
    """
    return code(value, SIREN_RE, "a SIREN (9 digits)")


def integer(value: str) -> int:
    """A non-negative whole number written with ASCII digits only.

    :raises CleanError: anything else (spaces around it, ``٣٤٣٩``, ``３４``, ``²``...).

    >>> integer("3439")
    3439
    """
    return int(code(value, _WHOLE, "a whole number"))


def decimal_number(value: str) -> str:
    """A non-negative number with ASCII digits and ``.`` or ``,`` before its decimals, as written.

    :raises CleanError: anything else.

    >>> decimal_number("5,5")
    '5,5'
    """
    return code(value, _DECIMAL, "a number")


def has_contact(text: str) -> str | None:
    """What kind of personal contact detail ``text`` holds (``e-mail`` or ``phone``), or None.

    Such values are never published.

    >>> has_contact("contact@mairie.example"), has_contact("tél. 03 21 00 00 00"), has_contact("Belley")
    ('e-mail', 'phone', None)
    """
    if not text:
        return None
    if _EMAIL.search(text):
        return "e-mail"
    if _PHONE.search(text):
        return "phone"
    return None


def is_url(text: str) -> bool:
    """True for an absolute http(s) URL without spaces.

    >>> is_url("https://libercourt.fr"), is_url("Bienvenue sur le site (x.fr)")
    (True, False)
    """
    return bool(re.match(r"^https?://[^\s]+$", (text or "").strip()))


def repair_mojibake(text: str) -> str | None:
    """The text re-decoded when it is UTF-8 that was read as Latin-1 (``AlenÃ§on``), else None.

    >>> repair_mojibake("AlenÃ§on"), repair_mojibake("Alençon")
    ('Alençon', None)
    """
    if "Ã" not in text and "Â" not in text:
        return None
    try:
        fixed = text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return fixed if fixed != text else None


def split_person_name(name: str) -> tuple[str | None, str | None]:
    """(given name, family name) when the source marks the family name in capitals, else
    (None, None): ``"Christian DUTERTRE"`` and ``"MARY Jean-François"`` split; ``"Guy Ménard"``
    and ``"Jean-François"`` do not (nothing says which part is the family name).

    >>> split_person_name("Christian DUTERTRE"), split_person_name("MARY Jean-François")
    (('Christian', 'DUTERTRE'), ('Jean-François', 'MARY'))
    >>> split_person_name("Guy Ménard"), split_person_name("Jean-François")
    ((None, None), (None, None))
    """
    tokens = name.split()
    upper = [t for t in tokens if len(t.strip("-'")) > 1 and t.isupper()]
    if not upper or len(upper) == len(tokens):
        return None, None
    # the capitalised tokens must be contiguous, at the start or the end
    n = len(upper)
    if tokens[-n:] == upper:
        return " ".join(tokens[:-n]), " ".join(upper)
    if tokens[:n] == upper:
        return " ".join(tokens[n:]), " ".join(upper)
    return None, None
