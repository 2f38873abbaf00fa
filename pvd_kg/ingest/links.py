"""Links out to identifiers other graphs use (docs/model.md, "Links out").

- A commune, département or région: ``skos:exactMatch`` the INSEE geography IRI built from its
  COG code, ``http://id.insee.fr/geo/{commune|departement|region}/{code}``.
- An EPCI: ``foaf:isPrimaryTopicOf`` its page in the State's directory of legal units,
  ``https://annuaire-entreprises.data.gouv.fr/entreprise/{SIREN}``.

>>> insee_geo("commune", "62907")
rdflib.term.URIRef('http://id.insee.fr/geo/commune/62907')
>>> siren_page("246200299")
rdflib.term.URIRef('https://annuaire-entreprises.data.gouv.fr/entreprise/246200299')
"""

from __future__ import annotations

from rdflib import URIRef

from .emit import FOAF, SKOS, GraphOut

INSEE_GEO = "http://id.insee.fr/geo/"
ANNUAIRE_ENTREPRISES = "https://annuaire-entreprises.data.gouv.fr/entreprise/"


def insee_geo(kind: str, code: str) -> URIRef:
    """The INSEE geography IRI of a COG code (``kind``: commune, departement, region)."""
    return URIRef(f"{INSEE_GEO}{kind}/{code}")


def siren_page(siren: str) -> URIRef:
    """The directory page of a legal unit by its SIREN."""
    return URIRef(ANNUAIRE_ENTREPRISES + siren)


def link_insee(out: GraphOut, node: URIRef, kind: str, code: str) -> None:
    out.add(node, SKOS.exactMatch, insee_geo(kind, code))


def link_siren_page(out: GraphOut, node: URIRef, siren: str) -> None:
    out.add(node, FOAF.isPrimaryTopicOf, siren_page(siren))
