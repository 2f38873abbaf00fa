"""The two validation engines (``fast``: pyshacl-turbo + pyoxigraph; ``pyshacl``: the reference)
agree on every shape, core and SPARQL alike: on every breaking case of tests/test_shapes.py, on
focused parts of the built graph, and on mutations hypothesis draws (a triple removed, an object
or a predicate changed, a triple added, from pools of nodes, predicates and tricky literals).

pyshacl runs SHACL-SPARQL on rdflib: slow on a large graph (minutes for the whole build), so the
reference runs on the 200-triple fixture and on a few communes' neighbourhoods, never the whole
graph (tests/test_validate.py compares the engines on the curated graphs)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from pvd_kg.validate import validate
from pvd_kg.vocab import PVD

from test_shapes import _BASE, MUTATIONS, mutated
from test_validate import results


def assert_engines_agree(data) -> None:
    fast, reference = validate(data, engine="fast"), validate(data, engine="pyshacl")
    assert results(fast) == results(reference)
    assert [(i.severity, i.source, i.field, i.value, i.code, i.message) for i in fast] == \
        [(i.severity, i.source, i.field, i.value, i.code, i.message) for i in reference]


_BATCH = 8


@pytest.mark.parametrize("start", range(0, len(MUTATIONS), _BATCH))
def test_engines_agree_on_every_breaking_case(start):
    # core shapes too: pyshacl accepted "2021-13"^^xsd:gYearMonth, which the fast engine refused.
    # A few cases at once: one reference run (0.5 s) for each batch, not for each case.
    batch = MUTATIONS[start:start + _BATCH]
    assert_engines_agree(mutated(" ; ".join(m[3] for m in batch)))


# --- focused parts of the built graph ----------------------------------------------------

@pytest.fixture(scope="module")
def built(built_quads) -> tuple:
    return tuple(q[:3] for q in built_quads)


def _around(triples: tuple, commune: str) -> Graph:
    """The description of a commune and of what concerns it (selections, conventions, their
    signings, signatures and attendances), and of every node those point to: what the shapes
    read about one commune, a few hundred triples."""
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t[0], []).append(t)
    node = URIRef(f"https://w3id.org/pvd-kg/id/commune/{commune}")
    nodes = {node} | {s for s, p, o in triples if o == node and p in (PVD.concerns, PVD.commune)}
    nodes |= {s for s, p, o in triples if p == PVD.signed and o in nodes}
    for _ in range(2):
        nodes |= {o for n in list(nodes) for _, _, o in by_subject.get(n, ()) if isinstance(o, URIRef)}
    g = Graph()
    for n in nodes:
        for t in by_subject.get(n, ()):
            g.add(t)
    return g


# Caraman (the tables and a press page's conflicting reading), Fleurance (a press adhesion with
# signatories), Bagnols-sur-Cèze (a shared ORT); Libercourt is in the curated graph of test_validate
@pytest.mark.parametrize("commune", ["31106", "32132", "30028"])
def test_engines_agree_around_a_commune_of_the_built_graph(built, commune):
    data = _around(built, commune)
    assert len(data) > 50
    assert_engines_agree(data)


# --- generated mutations ------------------------------------------------------------------

_TRIPLES = sorted(_BASE, key=lambda t: tuple(map(str, t)))
_NODES = sorted({t[0] for t in _BASE} | {o for _, _, o in _BASE if isinstance(o, URIRef)}, key=str)
_PREDICATES = sorted({p for _, p, _ in _BASE}, key=str) + [PVD.partie, PVD.conflictingReadingOf, PVD.status]
_LITERALS = [Literal(v, datatype=d) for v, d in [
    ("2021-13", XSD.gYearMonth), ("2021-07", XSD.gYearMonth), ("2021-07+02:00", XSD.gYearMonth),
    ("2021-02-30", XSD.date), ("2021-07-23", XSD.date), ("2021-07-23Z", XSD.date), ("2021-07", XSD.date),
    ("20x1", XSD.gYear), ("2021", XSD.gYear), ("-0044", XSD.gYear), ("21", XSD.gYear),
    ("--02-30", XSD.gMonthDay), ("--01-18", XSD.gMonthDay), ("--13-01", XSD.gMonthDay),
    ("0", XSD.integer), ("3", XSD.integer), ("-3", XSD.integer), ("three", XSD.integer), ("+7", XSD.integer),
    ("1.5", XSD.decimal), ("abc", XSD.decimal), ("25000", XSD.integer), ("62907", XSD.string),
    ("6290A", XSD.string), ("246200299", XSD.string),
]] + [Literal("Libercourt", lang="fr"), Literal("Libercourt", lang="en"), Literal("Libercourt"),
      Literal("M."), Literal("Maire")]
_OBJECTS = _NODES + _LITERALS


_WITH_LITERAL = [t for t in _TRIPLES if isinstance(t[2], Literal)]
# lexical forms near those of dates, years, codes and counts, well-typed or not
_LEXICAL = st.from_regex(r"\A(--)?-?[0-9x]{0,5}(-[0-9]{1,2}){0,2}(Z|\+02:00)?\Z", fullmatch=True)


@st.composite
def _mutation(draw):
    kind = draw(st.sampled_from(["drop", "object", "predicate", "add", "lexical", "lexical"]))
    if kind == "lexical":  # the same datatype (or language), another lexical form
        s, p, o = draw(st.sampled_from(_WITH_LITERAL))
        form = draw(st.one_of(_LEXICAL, st.sampled_from([str(v) for v in _LITERALS])))
        return [(s, p, o)], [(s, p, Literal(form, lang=o.language) if o.language else Literal(form, datatype=o.datatype))]
    s, p, o = draw(st.sampled_from(_TRIPLES))
    if kind == "drop":
        return [(s, p, o)], []
    if kind == "object":
        return [(s, p, o)], [(s, p, draw(st.sampled_from(_OBJECTS)))]
    if kind == "predicate":
        return [(s, p, o)], [(s, draw(st.sampled_from(_PREDICATES)), o)]
    return [], [(draw(st.sampled_from(_NODES)), draw(st.sampled_from(_PREDICATES)), draw(st.sampled_from(_OBJECTS)))]


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_mutation(), min_size=1, max_size=3))
def test_engines_agree_on_generated_mutations(changes):
    g = Graph()
    g += _BASE
    for removed, added in changes:
        for t in removed:
            g.remove(t)
        for t in added:
            g.add(t)
    assert_engines_agree(g)
