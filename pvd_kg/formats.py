"""The one registry of RDF and result formats, read by ``--format``, export, load and HTTP
content negotiation alike."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import UnknownFormat


@dataclass(frozen=True)
class RdfFormat:
    name: str  # what --format takes
    extensions: tuple[str, ...]
    media_types: tuple[str, ...]  # the first is the canonical one
    rdflib_name: str
    quads: bool  # can carry named graphs

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def extension(self) -> str:
        return self.extensions[0]

    def pyoxigraph_format(self):
        """The matching ``pyoxigraph.RdfFormat``."""
        import pyoxigraph

        return pyoxigraph.RdfFormat.from_media_type(self.media_type)


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", ("ttl",), ("text/turtle", "application/x-turtle"), "turtle", False),
    RdfFormat("nt", ("nt", "ntriples"), ("application/n-triples", "text/plain"), "nt", False),
    RdfFormat("nquads", ("nq", "nquads"), ("application/n-quads",), "nquads", True),
    RdfFormat("trig", ("trig",), ("application/trig",), "trig", True),
    RdfFormat("jsonld", ("jsonld", "json"), ("application/ld+json",), "json-ld", True),
    RdfFormat("rdfxml", ("rdf", "owl", "xml"), ("application/rdf+xml",), "xml", False),
)

_ALIASES = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt", "nq": "nquads", "n-quads": "nquads",
            "json-ld": "jsonld", "xml": "rdfxml", "rdf": "rdfxml", "rdf/xml": "rdfxml"}


def rdf_format(name: str) -> RdfFormat:
    """Look up a format by name or alias.

    >>> rdf_format("ttl").media_type
    'text/turtle'
    >>> rdf_format("bogus")
    Traceback (most recent call last):
    ...
    pvd_kg.errors.UnknownFormat: unknown RDF format 'bogus' (one of: turtle, nt, nquads, trig, jsonld, rdfxml)
    """
    key = _ALIASES.get(name.lower(), name.lower())
    for fmt in RDF_FORMATS:
        if fmt.name == key:
            return fmt
    raise UnknownFormat(f"unknown RDF format {name!r}", hint="one of: " + ", ".join(f.name for f in RDF_FORMATS))


def format_for_path(path: str | Path) -> RdfFormat:
    """The format of a file from its extension.

    >>> format_for_path("graph/libercourt.ttl").name
    'turtle'
    """
    ext = Path(path).suffix.lower().lstrip(".")
    for fmt in RDF_FORMATS:
        if ext in fmt.extensions:
            return fmt
    raise UnknownFormat(f"cannot tell the RDF format of {str(path)!r} from its extension",
                        hint="name it with --format")


# Characters XML 1.0 cannot carry: C0 controls but TAB, LF and CR; U+FFFE, U+FFFF; lone surrogates.
# Compiled on first use: compiling it takes longer than a CLI call's whole query.
_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]"


def not_xml(text: str) -> str | None:
    r"""The first character of ``text`` that XML 1.0 cannot carry, as ``U+XXXX``, or None.

    >>> not_xml("a\x00b"), not_xml("a\tb\n")
    ('U+0000', None)
    """
    m = re.search(_NOT_XML, text)  # re's own cache keeps the compiled pattern
    return f"U+{ord(m.group()):04X}" if m else None


# Namespaces under which pvd-kg mints IRIs with a "/" after the namespace (id/commune/62907).
# Given such a prefix, pyoxigraph's writers write `id:commune\/62907`: valid, but no reader
# expects it and nobody can read it; without it they write the whole IRI.
HIERARCHICAL_NAMESPACES = ("https://w3id.org/pvd-kg/id/",)


def writer_prefixes(fmt: RdfFormat, prefixes: dict[str, str] | None = None) -> dict[str, str] | None:
    """The prefixes to give pyoxigraph's writer of ``fmt``: ``prefixes`` (default
    :data:`pvd_kg.vocab.PREFIXES`) but those of :data:`HIERARCHICAL_NAMESPACES`, for the
    formats that use prefixes (Turtle, TriG, RDF/XML); None for the others.

    >>> sorted(writer_prefixes(rdf_format("turtle"), {"id": HIERARCHICAL_NAMESPACES[0], "pvd": "urn:p#"}))
    ['pvd']
    >>> writer_prefixes(rdf_format("nt")) is None
    True
    """
    if fmt.name not in ("turtle", "trig", "rdfxml"):
        return None
    if prefixes is None:
        from .vocab import PREFIXES as prefixes
    return {p: ns for p, ns in prefixes.items() if ns not in HIERARCHICAL_NAMESPACES} or None


def format_for_media_type(media_type: str) -> RdfFormat | None:
    """The format served under a media type (parameters ignored), or None."""
    mt = media_type.split(";")[0].strip().lower()
    for fmt in RDF_FORMATS:
        if mt in fmt.media_types:
            return fmt
    return None


@dataclass(frozen=True)
class ResultFormat:
    """A SPARQL SELECT/ASK result format."""

    name: str
    extension: str
    media_type: str


RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "srj", "application/sparql-results+json"),
    ResultFormat("xml", "srx", "application/sparql-results+xml"),
    ResultFormat("csv", "csv", "text/csv"),
    ResultFormat("tsv", "tsv", "text/tab-separated-values"),
)


def result_format(name: str) -> ResultFormat:
    """Look up a SPARQL result format by name.

    >>> result_format("tsv").media_type
    'text/tab-separated-values'
    """
    for fmt in RESULT_FORMATS:
        if fmt.name == name.lower():
            return fmt
    raise UnknownFormat(f"unknown result format {name!r}", hint="one of: " + ", ".join(f.name for f in RESULT_FORMATS))
