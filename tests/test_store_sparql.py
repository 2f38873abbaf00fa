"""Looking inside SPARQL text: the query form, and refusing what would leave the machine."""

import pytest

from pvd_kg.errors import QueryError
from pvd_kg.store.sparql import check_local, check_query, keywords, query_form


@pytest.mark.parametrize("text,form", [
    ("SELECT * WHERE { ?s ?p ?o }", "select"),
    ("PREFIX select: <http://e/> ASK { ?s select:p ?o }", "ask"),
    ("# SELECT in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "construct"),
    ("BASE <http://e/> DESCRIBE <x>", "describe"),
    ("INSERT DATA { <http://e/a> <http://e/p> 1 }", "update"),
    ("WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "update"),
])
def test_query_form(text, form):
    assert query_form(text) == form


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x <http://e/p> ?u . SERVICE ?u { ?s ?p ?o } }",
])
def test_service_is_refused(text):
    with pytest.raises(QueryError, match="SERVICE"):
        check_query(text)
    check_query(text, allow_remote=True)


def test_load_is_refused_even_as_an_update():
    with pytest.raises(QueryError, match="LOAD"):
        check_local("LOAD <http://example.org/data.ttl>")


@pytest.mark.parametrize("text", [
    'SELECT * WHERE { ?s <http://e/service> "SERVICE" }',
    "SELECT ?service WHERE { ?service ?p ?o }",
    "PREFIX service: <http://e/> SELECT * WHERE { ?s service:load ?o }",
    "SELECT * WHERE { ?s ?p '''a\nSERVICE <http://x/> { }''' }",
])
def test_the_words_in_names_strings_and_iris_are_not_keywords(text):
    check_query(text)


def test_updates_and_non_queries_are_refused():
    with pytest.raises(QueryError, match="update"):
        check_query("DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="not a SPARQL query"):
        check_query("hello")
    assert keywords("ASK {}") == ["ask"]
