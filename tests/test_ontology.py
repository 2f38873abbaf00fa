"""ontology/pvd.ttl: it parses, carries its metadata, documents every pvd: term in French and
English, names only external terms that exist, and every class has a shape targeting it."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from pvd_kg import iris, paths
from pvd_kg.graph import curated_files, load_ontology, load_shapes
from pvd_kg.vocab import DCTERMS, IGEO, ONTOLOGY_IRI, OWL, PVD, RDF, RDFS, SH, SKOS

ONTOLOGY = load_ontology()
SHAPES = load_shapes()
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
TERMS = sorted({s for t in TERM_TYPES for s in ONTOLOGY.subjects(RDF.type, t) if str(s).startswith(str(PVD))})
CLASSES = sorted(s for s in ONTOLOGY.subjects(RDF.type, OWL.Class) if str(s).startswith(str(PVD)))

# Terms of INSEE's geographic ontology (InseeFr/Ontologies, insee-geo.ttl) that this ontology
# names; each was checked to exist there.
INSEE_GEO_TERMS = {"Commune", "Departement", "Region", "Arrondissement", "Intercommunalite", "codeINSEE",
                   "subdivisionDe", "subdivisionDirecteDe", "typeDEPCI"}


def _langs(subject, predicate) -> list:
    return sorted(str(o.language) for o in ONTOLOGY.objects(subject, predicate))


def test_the_ontology_parses_and_has_terms():
    assert paths.ONTOLOGY_FILE.is_file()
    assert len(CLASSES) >= 25 and len(TERMS) >= 75


def test_ontology_metadata():
    onto = URIRef(ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in ONTOLOGY
    assert ONTOLOGY.value(onto, OWL.versionIRI) == URIRef(ONTOLOGY_IRI + "/0.1.0")
    assert ONTOLOGY.value(onto, OWL.versionInfo) is not None
    assert _langs(onto, DCTERMS.title) == ["en", "fr"]
    assert _langs(onto, DCTERMS.description) == ["en", "fr"]
    assert ONTOLOGY.value(onto, DCTERMS.license) == URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
    assert ONTOLOGY.value(onto, DCTERMS.creator) is not None


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.fragment)
def test_every_term_is_documented_in_french_and_english(term):
    assert _langs(term, RDFS.label) == ["en", "fr"]
    assert _langs(term, SKOS.definition) == ["en", "fr"]
    assert ONTOLOGY.value(term, RDFS.isDefinedBy) == URIRef(ONTOLOGY_IRI)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda t: t.fragment)
def test_every_class_is_aligned_and_has_a_shape(cls):
    assert list(ONTOLOGY.objects(cls, RDFS.subClassOf)), f"{cls} has no super-class"
    assert (None, SH.targetClass, cls) in SHAPES, f"no shape targets {cls}"


def _pvd_terms_used(g: Graph) -> set:
    return {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(str(PVD))}


@pytest.mark.parametrize("name, g", [("shapes", SHAPES), ("ontology", ONTOLOGY)]
                         + [(p.name, Graph().parse(p)) for p in curated_files()])
def test_no_undefined_pvd_term_is_used(name, g):
    assert _pvd_terms_used(g) - set(TERMS) == set()


def test_every_term_the_model_names_is_defined():
    import re

    named = set(re.findall(r"`pvd:(\w+)", (paths.ROOT / "docs" / "model.md").read_text(encoding="utf-8")))
    named.discard("bestDate")  # the model says it is computed by queries, never stored
    assert named and {PVD[n] for n in named} - set(TERMS) == set()


def test_only_existing_insee_geo_terms_are_named():
    used = {t for triple in ONTOLOGY for t in triple if isinstance(t, URIRef) and str(t).startswith(str(IGEO))}
    used |= {t for triple in SHAPES for t in triple if isinstance(t, URIRef) and str(t).startswith(str(IGEO))}
    assert {str(t)[len(str(IGEO)):] for t in used} <= INSEE_GEO_TERMS


def test_dates_take_their_precision_as_datatype():
    rng = ONTOLOGY.value(PVD.date, RDFS.range)
    members = set(ONTOLOGY.items(ONTOLOGY.value(rng, OWL.unionOf)))
    assert {str(m).rsplit("#", 1)[1] for m in members} == {"date", "gYearMonth", "gYear", "gMonthDay"}


@pytest.mark.parametrize("scheme, keys", [
    ("role", ["maire", "president", "sous-prefet", "directeur-territorial", "directeur-general-adjoint"]),
    ("status", ["signee", "non-signee", "en-cours"]),
    ("legal-form", ["cc", "ca", "cu", "me"]),
    ("qualifier", ["moteur"]),
])
def test_concept_schemes(scheme, keys):
    scheme_iri = iris.concept_scheme(scheme)
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in ONTOLOGY
    assert _langs(scheme_iri, SKOS.prefLabel) == ["en", "fr"]
    for key in keys:
        concept = iris.concept(scheme, key)
        assert (concept, SKOS.inScheme, scheme_iri) in ONTOLOGY
        assert (scheme_iri, SKOS.hasTopConcept, concept) in ONTOLOGY
        assert _langs(concept, SKOS.prefLabel) == ["en", "fr"]
    if scheme == "role":
        assert all((iris.role(k), RDF.type, PVD.Role) in ONTOLOGY for k in keys)
