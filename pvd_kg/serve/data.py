"""The questions the web pages ask the store, run through the worker pool like any client's."""

from __future__ import annotations

import json

from ..errors import PvdKgError, QueryError
from ..vocab import sparql_prologue

LABEL_PROPS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
               "http://purl.org/dc/terms/title", "http://xmlns.com/foaf/0.1/name")


async def select(app, sparql: str) -> list[dict[str, dict]]:
    """Rows of a SELECT as SPARQL JSON bindings (``{"var": {"type", "value", ...}}``).

    :raises QueryError: the query failed (a bug in the page's query: these are ours).
    """
    config = app.state.config
    reply = await app.state.pool.run({"op": "query", "query": sparql_prologue() + sparql, "result_format": "json",
                                      "rdf_media_type": None, "row_cap": config.row_cap, "byte_cap": config.byte_cap})
    if not reply["ok"]:
        raise QueryError(f"page query failed: {reply['message']}")
    return json.loads(reply["body"])["results"]["bindings"]


def iri_term(iri: str) -> str:
    """An IRI as a SPARQL term, refusing characters that could break out of ``<...>``.

    >>> iri_term("https://w3id.org/pvd-kg/id/commune/62907")
    '<https://w3id.org/pvd-kg/id/commune/62907>'
    """
    if any(c in iri for c in '<>"{}|^`\\ \n\t'):
        raise PvdKgError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


def pick_label(values: list[dict], lang: str = "fr") -> str | None:
    """The best label among SPARQL JSON literals: ``lang`` first, then no tag, then English, then any.

    >>> pick_label([{"value": "Town", "xml:lang": "en"}, {"value": "Ville", "xml:lang": "fr"}])
    'Ville'
    """
    if not values:
        return None
    rank = {lang: 0, None: 1, "en": 2}
    return sorted(values, key=lambda v: (rank.get(v.get("xml:lang"), 3), v["value"]))[0]["value"]


def describe_query(iri: str) -> str:
    """Outgoing statements (with their graph, and labels of the property and the object),
    inbound links (with labels of the subjects) and the sources of the resource."""
    t = iri_term(iri)
    labels = " | ".join(f"<{p}>" for p in LABEL_PROPS)
    return f"""
SELECT ?dir ?p ?o ?g ?plabel ?olabel ?quote ?line ?doc ?doclabel WHERE {{
  {{ BIND("out" AS ?dir) GRAPH ?g {{ {t} ?p ?o }}
     OPTIONAL {{ ?p rdfs:label ?plabel }} OPTIONAL {{ ?o {labels} ?olabel }} }}
  UNION
  {{ SELECT ("in" AS ?dir) ?p ?o ?olabel WHERE {{
       ?o ?p {t} . OPTIONAL {{ ?o {labels} ?olabel }} }} LIMIT 2000 }}
  UNION
  {{ BIND("src" AS ?dir) {t} prov:wasDerivedFrom ?o .
     OPTIONAL {{ ?o pvd:quote ?quote }} OPTIONAL {{ ?o pvd:line ?line }}
     OPTIONAL {{ ?o dcterms:isPartOf ?doc . OPTIONAL {{ ?doc dcterms:title|rdfs:label ?doclabel }} }} }}
}}"""


def resource_rdf_query(iri: str) -> str:
    """The resource's own statements, and those of the nodes it owns (blank nodes, inferences)."""
    t = iri_term(iri)
    return f"""
CONSTRUCT {{ {t} ?p ?o . ?o ?p2 ?o2 }} WHERE {{
  {t} ?p ?o .
  OPTIONAL {{ FILTER(isBlank(?o) || (isIRI(?o) && STRSTARTS(STR(?o), CONCAT(STR({t}), "/inference/"))))
             ?o ?p2 ?o2 }}
}}"""


FIGURES_QUERY = """
SELECT ?what (COUNT(DISTINCT ?x) AS ?n) WHERE {
  { BIND("communes" AS ?what) ?x a pvd:Commune }
  UNION { BIND("pvd_communes" AS ?what) ?x pvd:inProgramme <https://w3id.org/pvd-kg/id/programme/pvd> }
  UNION { BIND("conventions" AS ?what) ?x pvd:concerns ?c }
  UNION { BIND("signings" AS ?what) ?x pvd:signed ?conv }
  UNION { BIND("people" AS ?what) ?x a foaf:Person }
} GROUP BY ?what"""

DISTINCT_TRIPLES_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
GRAPHS_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def timeline_query(commune_iri: str) -> str:
    """Selections, conventions and signings of a commune, each with its most precise date (sources may
    state several of different precision) and any inferred one."""
    t = iri_term(commune_iri)
    return f"""
SELECT DISTINCT ?item ?kind ?label ?date ?inferred ?status ?programme WHERE {{
  {{ ?item pvd:commune {t} ; a pvd:Selection . BIND("selection" AS ?kind)
     OPTIONAL {{ ?item pvd:date ?date FILTER NOT EXISTS {{ ?item pvd:date ?finer FILTER(STRLEN(STR(?finer)) > STRLEN(STR(?date))) }} }} OPTIONAL {{ ?item pvd:programme/rdfs:label ?programme FILTER(LANGMATCHES(LANG(?programme), "fr")) }} }}
  UNION
  {{ ?conv pvd:concerns {t} . ?item pvd:signed ?conv . BIND("signing" AS ?kind)
     OPTIONAL {{ ?conv rdfs:label ?label }} OPTIONAL {{ ?item pvd:date ?date FILTER NOT EXISTS {{ ?item pvd:date ?finer FILTER(STRLEN(STR(?finer)) > STRLEN(STR(?date))) }} }}
     OPTIONAL {{ ?item pvd:inference/pvd:inferredValue ?inferred }}
     OPTIONAL {{ ?conv pvd:status/skos:prefLabel ?status FILTER(LANGMATCHES(LANG(?status), "fr")) }} }}
  UNION
  {{ ?item pvd:concerns {t} . BIND("convention" AS ?kind)
     FILTER NOT EXISTS {{ ?s pvd:signed ?item }}
     OPTIONAL {{ ?item rdfs:label ?label }} OPTIONAL {{ ?item pvd:status/skos:prefLabel ?status FILTER(LANGMATCHES(LANG(?status), "fr")) }} }}
}}"""


def commune_places_query(commune_iri: str) -> str:
    t = iri_term(commune_iri)
    return f"""
SELECT ?code ?dep ?depcode ?epci ?siren WHERE {{
  {t} igeo:codeINSEE ?code .
  OPTIONAL {{ {t} pvd:inDepartement ?dep . OPTIONAL {{ ?dep igeo:codeINSEE ?depcode }} }}
  OPTIONAL {{ {t} pvd:memberOfEPCI ?epci . OPTIONAL {{ ?epci pvd:siren ?siren }} }}
}} LIMIT 1"""


PROGRAMME_COMMUNES_QUERY = """
SELECT ?c ?code (SAMPLE(?l) AS ?label) ?depcode (SAMPLE(?dl) AS ?deplabel) ?regcode (SAMPLE(?rl) AS ?reglabel) WHERE {
  ?c pvd:inProgramme <https://w3id.org/pvd-kg/id/programme/pvd> ; igeo:codeINSEE ?code .
  OPTIONAL { ?c rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "fr") || LANG(?l) = "") }
  OPTIONAL { ?c pvd:inDepartement ?dep . ?dep igeo:codeINSEE ?depcode .
             OPTIONAL { ?dep rdfs:label ?dl FILTER(LANGMATCHES(LANG(?dl), "fr") || LANG(?dl) = "") }
             OPTIONAL { ?dep pvd:inRegion ?reg . ?reg igeo:codeINSEE ?regcode .
                        OPTIONAL { ?reg rdfs:label ?rl FILTER(LANGMATCHES(LANG(?rl), "fr") || LANG(?rl) = "") } } }
} GROUP BY ?c ?code ?depcode ?regcode ORDER BY ?code"""
