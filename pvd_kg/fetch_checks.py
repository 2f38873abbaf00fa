"""Checks on a downloaded body, with no network: HTML instead of CSV, text encoding, header columns.

Used by :mod:`pvd_kg.fetch`; kept apart so the checks can be read and tested on plain bytes.
"""

from __future__ import annotations

import codecs
import csv
import io
from email.message import Message

import charset_normalizer

from .errors import FetchError

# French public data: when the detector finds several single-byte encodings equally likely,
# the Western ones win (cp1250 would turn "è" into "č").
_WESTERN = ("cp1252", "iso8859_15", "latin_1")
_DELIMITERS = ",;\t|"


def declared_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, lower-cased, or ``None``.

    >>> declared_charset('text/csv; charset="ISO-8859-1"')
    'iso-8859-1'
    >>> declared_charset("text/csv") is None
    True
    """
    if not content_type:
        return None
    msg = Message()
    msg["content-type"] = content_type
    charset = str(msg.get_param("charset") or "").strip().lower()
    return charset or None


def media_type(content_type: str | None) -> str:
    """The bare media type of a Content-Type header, lower-cased (``""`` if absent).

    >>> media_type("Text/HTML; charset=utf-8")
    'text/html'
    """
    return (content_type or "").split(";", 1)[0].strip().lower()


def looks_like_html(head: bytes | str) -> bool:
    """True when a body starts like an HTML page (after a BOM and white space).

    >>> looks_like_html(b"\\n  <!DOCTYPE html><html>")
    True
    >>> looks_like_html("insee_com,lib_com")
    False
    """
    if isinstance(head, bytes):
        head = head[:512].decode("latin-1")
    start = head.lstrip("\ufeff\u00ef\u00bb\u00bf \t\r\n").lower()
    return start.startswith(("<!doctype", "<html"))


def decode_body(body: bytes, declared: str | None, where: str) -> tuple[str, dict]:
    """Decode ``body`` with the declared charset, else the detected one; drop a UTF-8 BOM.

    :param body: the bytes as received.
    :param declared: the charset the server declared, or ``None``.
    :param where: the URL, for messages.
    :returns: the text and ``{"declared", "detected", "used"}`` (codec names; ``None`` when unused).
    :raises FetchError: unknown declared charset, body not valid in it, or no encoding detected.

    >>> decode_body("Valserhône".encode("latin-1"), "iso-8859-1", "x")
    ('Valserhône', {'declared': 'iso-8859-1', 'detected': None, 'used': 'iso8859_1'})
    >>> decode_body(b"\\xef\\xbb\\xbfinsee_com", "utf-8", "x")
    ('insee_com', {'declared': 'utf-8', 'detected': None, 'used': 'utf_8'})
    """
    if declared:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            raise FetchError(f"{where} declares an unknown charset {declared!r}") from None
        try:
            text = body.decode("utf-8-sig" if codec == "utf-8" else codec)
        except UnicodeDecodeError as exc:
            raise FetchError(
                f"{where} declares charset {declared!r} but byte {body[exc.start]:#04x} at offset "
                f"{exc.start} is not valid in it"
            ) from None
        return text, {"declared": declared, "detected": None, "used": codec.replace("-", "_")}
    try:
        return body.decode("utf-8-sig"), {"declared": None, "detected": "utf_8", "used": "utf_8"}
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(body)
    best = matches.best()
    if best is None:
        raise FetchError(f"{where} declares no charset and its encoding cannot be detected")
    chosen = best
    tied = [m for m in matches if m.chaos == best.chaos and m.coherence == best.coherence]
    for name in _WESTERN:
        found = next((m for m in tied if m.encoding == name), None)
        if found is not None:
            chosen = found
            break
    return str(chosen), {"declared": None, "detected": chosen.encoding, "used": chosen.encoding}


def header_columns(text: str) -> tuple[list[str], str]:
    """The column names of a CSV text and its delimiter (the commonest of ``, ; tab |`` on line 1).

    >>> header_columns('"TYPECOM";"COM"\\n')
    (['TYPECOM', 'COM'], ';')
    """
    first = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first.count)
    row = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    return [c.strip() for c in row], delimiter


def check_columns(found: list[str], expected: tuple[str, ...], where: str) -> None:
    """Refuse a header that lacks an expected column, naming the missing and the unexpected ones.

    :raises FetchError: a column of ``expected`` is not in ``found``.

    >>> check_columns(["insee", "lib_com"], ("insee_com", "lib_com"), "u")
    Traceback (most recent call last):
    ...
    pvd_kg.errors.FetchError: u lacks expected column(s) 'insee_com'; unexpected column(s): 'insee' (renamed upstream? check the file and the source registry)
    """
    missing = [c for c in expected if c not in found]
    if not missing:
        return
    unexpected = [c for c in found if c not in expected]
    raise FetchError(
        f"{where} lacks expected column(s) {', '.join(map(repr, missing))}; "
        f"unexpected column(s): {', '.join(map(repr, unexpected)) or 'none'}",
        hint="renamed upstream? check the file and the source registry",
    )


def guess_source(columns: list[str], registry: dict, where: str):
    """The registry entry a header belongs to: the one with the most expected columns, all of
    them present (the 2021 PVD list carries every column of the 2026 one, and more).

    :param registry: key -> :class:`~pvd_kg.sources_registry.Source`.
    :raises FetchError: no entry matches, or several match equally well.

    >>> from pvd_kg.sources_registry import SOURCES
    >>> guess_source(["insee_com", "lib_com", "id_pvd", "date_signature", "x"], SOURCES, "u").key
    'anct-pvd-2026'
    >>> guess_source(["code", "nom"], SOURCES, "u")
    Traceback (most recent call last):
    ...
    pvd_kg.errors.FetchError: u: the header ('code', 'nom') matches no known kind of list (name it with --as KEY; known: anct-acv-2024, anct-ngeo-2023, anct-pvd-2021, anct-pvd-2026, dgaln-ort-2024, epci-com-2023, epci-list-2023, insee-cog-2024, insee-departements)
    """
    found = set(columns)
    matches = [s for s in registry.values() if s.columns and found.issuperset(s.columns)]
    best = max((len(s.columns) for s in matches), default=0)
    matches = [s for s in matches if len(s.columns) == best]
    shown = ", ".join(map(repr, columns[:8])) + (", ..." if len(columns) > 8 else "")
    if not matches:
        raise FetchError(f"{where}: the header ({shown}) matches no known kind of list",
                         hint="name it with --as KEY; known: " + ", ".join(registry))
    if len(matches) > 1:
        raise FetchError(f"{where}: the header ({shown}) matches several kinds of list: "
                         + ", ".join(s.key for s in matches), hint="name one with --as KEY")
    return matches[0]
