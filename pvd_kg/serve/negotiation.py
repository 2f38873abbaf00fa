"""HTTP content negotiation over the one format registry (:mod:`pvd_kg.formats`)."""

from __future__ import annotations

from ..formats import RDF_FORMATS, RESULT_FORMATS, RdfFormat

HTML = "text/html"


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an ``Accept`` header with their q-values, best first (``*/*`` if empty).

    >>> parse_accept("text/html;q=0.9, application/ld+json")
    [('application/ld+json', 1.0), ('text/html', 0.9)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranges.append((media, q, -i))
    ranges.sort(key=lambda r: (r[1], r[0] != "*/*" and not r[0].endswith("/*"), r[2]), reverse=True)
    return [(m, q) for m, q, _ in ranges]


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers (ties go to the earlier offer), or None.

    >>> choose("text/turtle;q=0.8, application/ld+json", ["text/html", "text/turtle", "application/ld+json"])
    'application/ld+json'
    >>> choose("*/*", ["text/html", "text/turtle"])
    'text/html'
    >>> choose("image/png", ["text/html"]) is None
    True
    """
    best, best_q = None, 0.0
    for i, media in enumerate(offered):
        q = _quality(header, media)
        if q > best_q:
            best, best_q = media, q
    return best


def _quality(header: str | None, media: str) -> float:
    kind = media.split("/")[0]
    specific = [(m, q) for m, q in parse_accept(header)]
    for m, q in specific:
        if m == media:
            return q
    for m, q in specific:
        if m == f"{kind}/*":
            return q
    for m, q in specific:
        if m == "*/*":
            return q * 0.99  # a concrete match beats a wildcard of the same q
    return 0.0


RESULT_MEDIA = {f.media_type: f.name for f in RESULT_FORMATS}
RESULT_MEDIA.update({"application/json": "json", "application/xml": "xml", "text/xml": "xml"})


def result_format_for(accept: str | None) -> str | None:
    """Name of the SPARQL results format (``json``, ``xml``, ``csv``, ``tsv``) for an Accept header.

    >>> result_format_for("text/csv")
    'csv'
    >>> result_format_for(None)
    'json'
    """
    media = choose(accept, list(RESULT_MEDIA))
    return RESULT_MEDIA[media] if media else None


def rdf_format_for(accept: str | None, offered: tuple[RdfFormat, ...] = RDF_FORMATS) -> RdfFormat | None:
    """The RDF format for an Accept header (Turtle when anything goes).

    >>> rdf_format_for("application/n-triples").name
    'nt'
    >>> rdf_format_for("*/*").name
    'turtle'
    """
    media = []
    for fmt in offered:
        media.extend(fmt.media_types)
    media.append("application/json")  # JSON-LD is JSON
    chosen = choose(accept, media)
    if chosen is None:
        return None
    if chosen == "application/json":
        return next(f for f in offered if f.name == "jsonld")
    return next(f for f in offered if chosen in f.media_types)
