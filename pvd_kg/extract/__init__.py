"""Extract convention signings from French articles and convention documents (``pvd-kg extract``).

One job per module: :mod:`.inputs` (reading, caps), :mod:`.html` (boilerplate), :mod:`.sentences`,
:mod:`.dates`, :mod:`.gazetteer` (communes, EPCI), :mod:`.people`, :mod:`.events` (assembling),
:mod:`.schema` (the JSON contract), :mod:`.rdf` (the project's model), :mod:`.review`
(``--apply``), :mod:`.reconcile` (against the store).
"""

from __future__ import annotations

from .events import extract
from .inputs import Document, document_from_text, read_document

SCHEMA_VERSION = "1"


def extract_document(doc: Document, *, url: str | None = None, title: str | None = None,
                     published: str | None = None) -> dict:
    """The JSON object of one input (docs/extract.md): ``source``, ``text``, ``events``, ``reason``."""
    published = published or doc.published
    events, reason, banner = extract(doc.text, published)
    return {
        "schema_version": SCHEMA_VERSION,
        "source": {"file": doc.file, "url": url, "title": title or doc.title, "published": published,
                   "banner_date": banner, "input_kind": doc.kind},
        "text": doc.text,
        "events": events,
        "reason": reason,
    }


def extract_file(path, *, url=None, title=None, published=None, max_bytes=None) -> dict:
    """:func:`extract_document` of the file at ``path`` (HTML stripped, caps applied)."""
    return extract_document(read_document(path, max_bytes), url=url, title=title, published=published)


def extract_text(text: str, **kw) -> dict:
    """:func:`extract_document` of text already in memory (plain text or HTML)."""
    return extract_document(document_from_text(text), **kw)


__all__ = ["extract_document", "extract_file", "extract_text", "SCHEMA_VERSION"]
