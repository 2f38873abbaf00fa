"""Every URL the server builds: IRI <-> page path <-> format variant <-> public link.

IRIs stay canonical (``https://w3id.org/pvd-kg/...``, :data:`pvd_kg.vocab.BASE`) whatever host
serves them: an IRI names a thing, a URL locates a document about it. The server answers for
the path part of every IRI under the base (``/id/...``, ``/def``, ``/graph/...``). Links in
pages are built from the *public base*: ``--base https://example.org/pvd/`` when behind a
reverse proxy, else root-relative paths.
"""

from __future__ import annotations

from urllib.parse import quote

from ..formats import RDF_FORMATS, RdfFormat
from ..vocab import BASE, ONTOLOGY_IRI

# suffix -> format for documents about a resource (.ttl, .jsonld, .nt, ...); .html is the page
DOCUMENT_SUFFIXES: dict[str, RdfFormat] = {f.extension: f for f in RDF_FORMATS}
HTML_SUFFIX = "html"


def is_web_iri(iri: str) -> bool:
    """True for an ``http:`` or ``https:`` IRI, the only ones a page makes a link of.

    >>> is_web_iri("HTTPS://example.org/"), is_web_iri(" javascript:alert(1)"), is_web_iri("data:,x")
    (True, False, False)
    """
    scheme, colon, _ = iri.partition(":")
    return bool(colon) and scheme.lower() in ("http", "https")


class Urls:
    """URL builder for one public base.

    :param public_base: absolute URL the site is reached at (``https://example.org/pvd/``), or
        None for root-relative links.

    >>> u = Urls("https://example.org/pvd/")
    >>> u.href("https://w3id.org/pvd-kg/id/commune/62907")
    'https://example.org/pvd/id/commune/62907'
    >>> u.href("https://schema.org/Person")
    'https://schema.org/Person'
    >>> Urls(None).document("https://w3id.org/pvd-kg/id/commune/62907", "ttl")
    '/id/commune/62907.ttl'
    >>> Urls(None).href("https://w3id.org/pvd-kg/def#Commune")
    '/def#Commune'
    >>> Urls(None).href("javascript:alert(1)") is None
    True
    """

    def __init__(self, public_base: str | None = None):
        self.public_base = public_base.rstrip("/") + "/" if public_base else None
        self.root = self.public_base.rstrip("/") if self.public_base else ""

    # -- IRIs and paths -----------------------------------------------------------------------
    @staticmethod
    def path_for_iri(iri: str) -> str | None:
        """The server path of an IRI under the base (fragment kept), or None if it is outside.

        >>> Urls.path_for_iri("https://w3id.org/pvd-kg/id/epci/246200299")
        '/id/epci/246200299'
        """
        if not str(iri).startswith(BASE):
            return None
        return "/" + quote(str(iri)[len(BASE):], safe="/#:@!$&'()*+,;=-._~%")

    @staticmethod
    def iri_for_path(path: str) -> str:
        """The IRI named by a server path (``/id/commune/62907`` -> the commune's IRI).

        >>> Urls.iri_for_path("/def")
        'https://w3id.org/pvd-kg/def'
        """
        return BASE + path.lstrip("/")

    @staticmethod
    def split_suffix(path: str) -> tuple[str, str | None]:
        """``/id/x.ttl`` -> (``/id/x``, ``ttl``); a path without a known suffix is returned whole.

        >>> Urls.split_suffix("/id/commune/62907.jsonld")
        ('/id/commune/62907', 'jsonld')
        >>> Urls.split_suffix("/id/commune/62907")
        ('/id/commune/62907', None)
        """
        stem, dot, ext = path.rpartition(".")
        if dot and "/" not in ext and (ext in DOCUMENT_SUFFIXES or ext == HTML_SUFFIX):
            return stem, ext
        return path, None

    # -- links --------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        """A link to a server path, under the public base."""
        return self.root + path

    def href(self, iri: str) -> str | None:
        """Where a link to ``iri`` points: its page here if it is under the base, else the IRI if
        it is an http(s) IRI, else None: a ``javascript:``, ``data:``, ``file:`` or any other IRI
        is shown as text, never made a link (pages show stored data, which anyone may write)."""
        path = self.path_for_iri(iri)
        if path is not None:
            return self.url(path)
        return str(iri) if is_web_iri(str(iri)) else None

    def document(self, iri: str, ext: str) -> str:
        """The document about ``iri`` in format ``ext`` (``html``, ``ttl``, ``jsonld``, ``nt``...)."""
        path = self.path_for_iri(iri)
        if path is None:
            raise ValueError(f"{iri} is not under {BASE}")
        return self.url(path.split("#")[0] + "." + ext)

    def absolute(self, path: str, request_base: str) -> str:
        """An absolute URL for ``path`` (service descriptions, VoID): the public base if set, else
        the URL the request came in on (``request_base`` = scheme://host:port)."""
        return (self.root if self.public_base else request_base.rstrip("/")) + path

    # -- fixed places -------------------------------------------------------------------------
    def sparql(self) -> str:
        return self.url("/sparql")

    def ontology(self, ext: str | None = None) -> str:
        return self.url("/def" + (f".{ext}" if ext else ""))

    def home(self) -> str:
        return self.url("/")

    def query_page(self) -> str:
        return self.url("/query")

    def programme_map(self) -> str:
        return self.url("/map")

    def review_page(self) -> str:
        return self.url("/review")

    def communes_geojson(self) -> str:
        return self.url("/map/communes.geojson")

    def geometry(self, kind: str, code: str) -> str:
        """Shipped geometry of a ``departement`` (by code) or ``epci`` (by SIREN)."""
        return self.url(f"/geo/{kind}/{quote(code)}.geojson")

    def departements_geojson(self) -> str:
        return self.url("/geo/departements.geojson")

    def static(self, name: str) -> str:
        return self.url("/static/" + name)

    def dump(self, ext: str) -> str:
        return self.url(f"/dumps/pvd-kg.{ext}")

    def void(self) -> str:
        return self.url("/.well-known/void")

    # -- analysis views (networks, metrics, charts) --------------------------------------------
    def analysis_page(self) -> str:
        return self.url("/analysis")

    def analysis_network(self, kind: str, ext: str) -> str:
        """A network of :data:`pvd_kg.analysis.NETWORKS` as ``json``, ``png``, ``graphml`` or ``gexf``.

        >>> Urls(None).analysis_network("signing", "json")
        '/analysis/network/signing.json'
        """
        return self.url(f"/analysis/network/{quote(kind)}.{ext}")

    def analysis_metric(self, name: str, ext: str) -> str:
        """A metric table of :data:`pvd_kg.analysis.METRICS` as ``json`` or ``csv``."""
        return self.url(f"/analysis/metrics/{quote(name)}.{ext}")

    def analysis_chart(self, kind: str) -> str:
        """The ``timeline`` or ``map`` chart, as PNG."""
        return self.url(f"/analysis/chart/{quote(kind)}.png")


ONTOLOGY_PATH = Urls.path_for_iri(ONTOLOGY_IRI)
