"""Links out (docs/model.md): communes, départements and régions skos:exactMatch their INSEE IRI,
EPCI foaf:isPrimaryTopicOf their directory page by SIREN; every declared prefix is used."""

from __future__ import annotations

from pathlib import Path

import pytest

from pvd_kg import iris, vocab
from pvd_kg.vocab import FOAF, IGEO, PVD, RDF, SKOS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def quads(built_quads):
    return built_quads


def _links(quads, cls, code_property, link_property):
    nodes = {s for s, p, o, g in quads if p == RDF.type and o == cls}
    codes = {s: str(o) for s, p, o, g in quads if p == code_property and s in nodes}
    links: dict = {}
    for s, p, o, g in quads:
        if p == link_property and s in nodes:
            links.setdefault(s, set()).add(str(o))
    return nodes, codes, links


@pytest.mark.parametrize("cls, kind, count", [(PVD.Commune, "commune", 2321), (PVD.Departement, "departement", 101),
                                              (PVD.Region, "region", 18)])
def test_each_place_matches_its_insee_iri(quads, cls, kind, count):
    nodes, codes, links = _links(quads, cls, IGEO.codeINSEE, SKOS.exactMatch)
    assert len(nodes) == count
    assert {n: links.get(n) for n in nodes} == {n: {f"http://id.insee.fr/geo/{kind}/{codes[n]}"} for n in nodes}


def test_each_epci_is_the_topic_of_its_siren_page(quads):
    nodes, sirens, links = _links(quads, PVD.EPCI, PVD.siren, FOAF.isPrimaryTopicOf)
    assert len(nodes) == 1006
    assert {n: links.get(n) for n in nodes} == \
        {n: {f"https://annuaire-entreprises.data.gouv.fr/entreprise/{sirens[n]}"} for n in nodes}
    assert iris.epci("246200299") in nodes


def test_no_identity_is_claimed_with_other_graphs(quads):
    """owl:sameAs only joins a retired IRI of this graph to the act it became (docs/decisions/0005-acts-and-membership.md),
    never a node here to one elsewhere."""
    same = [q for q in quads if q[1] == vocab.OWL.sameAs]
    assert same and all(str(q[0]).startswith(vocab.BASE) and str(q[2]).startswith(vocab.BASE) for q in same)


def test_every_declared_prefix_is_used(quads):
    used = {str(t) for q in quads for t in q[:3]}
    text = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "ontology" / "shapes.ttl",
                                                            *sorted((ROOT / "queries").rglob("*.rq"))])
    unused = [prefix for prefix, ns in vocab.PREFIXES.items()
              if not any(t.startswith(ns) for t in used) and f"{prefix}:" not in text and ns not in text]
    assert unused == []
