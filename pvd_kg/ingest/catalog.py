"""The catalog graph ``pvdg:catalog``: each source file as a ``dcat:Distribution`` /
``prov:Entity`` (publisher, licence, snapshot date, sha256, row count) and each named graph as
a ``void:Dataset`` derived from it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from rdflib import Literal, URIRef

from .. import iris
from ..sources_registry import ETALAB_2
from .emit import A, DCAT, DCTERMS, GraphOut, PROV, PVD, RDFS, VOID, XSD, fr, integer, string
from .plugin import ingested

PUBLISHERS = {
    "anct": "Agence nationale de la cohésion des territoires (ANCT)",
    "insee": "Institut national de la statistique et des études économiques (INSEE)",
    "dgaln": "Direction générale de l'aménagement, du logement et de la nature (DGALN)",
    "dgcl": "Direction générale des collectivités locales (DGCL)",
}


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x"); _ = open(p, "w").write("abc")
    >>> sha256(p)[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def partial_date(text: str) -> Literal:
    """An ISO prefix typed by its precision (``xsd:date``, ``xsd:gYearMonth``, ``xsd:gYear``).

    >>> partial_date("2021-01").datatype.endswith("gYearMonth")
    True
    """
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return Literal(text, datatype=XSD.date)
    if re.match(r"^\d{4}-\d{2}$", text):
        return Literal(text, datatype=XSD.gYearMonth)
    return Literal(text, datatype=XSD.gYear)


def describe_source(out: GraphOut, key: str, path: Path, rows: int) -> None:
    """The data file of ``key`` as read from ``path`` with ``rows`` data rows."""
    plugin = ingested()[key]
    spec, reg = plugin.shipped, plugin.fetch
    dist = iris.source(key)
    out.add(dist, A, DCAT.Distribution)
    out.add(dist, A, PROV.Entity)
    out.add(dist, DCTERMS.title, fr(spec.title))
    out.add(dist, RDFS.label, fr(spec.title))
    out.add(dist, DCTERMS.publisher, iris.organisation(spec.publisher))
    out.add(dist, DCTERMS.license, URIRef(reg.licence if reg else ETALAB_2))
    out.add(dist, DCTERMS.source, URIRef(spec.origin))
    out.add(dist, DCAT.mediaType, string("text/csv"))
    out.add(dist, DCTERMS.identifier, string(path.name))
    if reg and reg.url:
        out.add(dist, DCAT.downloadURL, URIRef(reg.url))
    out.add(dist, PVD.snapshotDate, partial_date(spec.snapshot))
    out.add(dist, PVD.sha256, string(sha256(path)))
    out.add(dist, PVD.rowCount, integer(rows))
    if spec.derived:
        out.add(dist, DCTERMS.description, Literal(spec.derived, lang="en"))
    landing = URIRef(reg.landing) if reg and reg.landing else URIRef(spec.origin)
    out.add(landing, A, DCAT.Dataset)
    out.add(landing, DCAT.distribution, dist)
    out.add(dist, DCTERMS.isPartOf, landing)


def describe_publishers(out: GraphOut) -> None:
    for key, label in PUBLISHERS.items():
        if key == "anct":
            continue  # ANCT is described by the curated graph (pvd:Agency)
        out.add(iris.organisation(key), RDFS.label, fr(label))


def describe_graph(out: GraphOut, graph: URIRef, title: str, triples: int, source_key: str | None) -> None:
    """A named graph as a ``void:Dataset`` with its size and, if any, the file it comes from."""
    out.add(graph, A, VOID.Dataset)
    out.add(graph, A, DCAT.Dataset)
    out.add(graph, A, PROV.Entity)
    out.add(graph, DCTERMS.title, Literal(title, lang="en"))
    out.add(graph, VOID.triples, integer(triples))
    if source_key:
        out.add(graph, PROV.wasDerivedFrom, iris.source(source_key))
        out.add(graph, DCTERMS.license, URIRef(ETALAB_2))
