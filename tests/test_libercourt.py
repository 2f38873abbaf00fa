"""The curated Libercourt graph (graph/libercourt.ttl) against the article it transcribes
(tests/data/libercourt-article.txt) and the data model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from pvd_kg import iris
from pvd_kg.graph import curated_dataset, union_graph
from pvd_kg.paths import GRAPH_DIR, SOURCES_DIR
from pvd_kg.validate import validate
from pvd_kg.vocab import ORG, PREFIXES, PVD, SCHEMA

from conftest import shipped_report

DATA = Path(__file__).parent / "data"
TTL = GRAPH_DIR / "libercourt.ttl"
ARTICLE_IRI = URIRef("https://libercourt.fr/la-convention-petites-villes-de-demain-signee")
COMMUNE = iris.commune("62907")
SOURCE_NODE_TYPES = {PVD.Excerpt, PVD.SourceRow}

OFFICIALS = {  # surname: (civility, title exactly as written, signed?)
    "Maciejasz": ("M.", "Maire", True),
    "Raffy": ("M.", "Sous-Préfet de l’arrondissement de Lens", False),
    "Pilch": ("M.", "Président de l'Agglo Hénin-Carvin", False),
    "Bonnot": ("Mme", "Directrice territoriale de la Caisse des Dépôts et Consignations", False),
    "Cornillon": ("Mme", "Directrice Générale adjointe du bailleur SIA Habitat", False),
    "Cottigny": ("M.", "Président de Pas-de-Calais Habitat", False),
}


@pytest.fixture(scope="module")
def g() -> Graph:
    return Graph().parse(TTL, format="turtle")


@pytest.fixture(scope="module")
def article() -> str:
    """The article as one line: page footer removed, white space runs collapsed."""
    lines = (DATA / "libercourt-article.txt").read_text(encoding="utf-8").splitlines()
    body = [line for line in lines if line.strip() != str(ARTICLE_IRI)]
    return " ".join(" ".join(body).split())


def test_every_quote_occurs_verbatim_in_the_article(g, article):
    quotes = list(g.objects(None, PVD.quote))
    assert len(quotes) == 16
    for quote in quotes:
        assert quote.language == "fr"
        assert str(quote) in article, quote


def test_excerpt_positions_follow_the_order_of_the_article(g, article):
    excerpts = sorted(g.subjects(RDF.type, PVD.Excerpt), key=lambda e: int(g.value(e, PVD.position)))
    assert [int(g.value(e, PVD.position)) for e in excerpts] == list(range(1, 17))
    offsets = [article.index(str(g.value(e, PVD.quote))) for e in excerpts]
    assert offsets == sorted(offsets)
    for n, e in enumerate(excerpts, 1):
        assert e == iris.excerpt("libercourt-convention-pvd-signee", n)
        assert g.value(e, URIRef("http://purl.org/dc/terms/isPartOf")) == ARTICLE_IRI


def test_article_node_has_title_language_and_no_publication_date(g):
    dcterms = "http://purl.org/dc/terms/"
    assert {SCHEMA.NewsArticle, FOAF.Document, PROV.Entity} <= set(g.objects(ARTICLE_IRI, RDF.type))
    assert g.value(ARTICLE_IRI, URIRef(dcterms + "title")) == Literal(
        'La convention "Petites villes de demain" signée', lang="fr")
    assert g.value(ARTICLE_IRI, URIRef(dcterms + "language")) == Literal("fr")
    for prop in ("date", "issued", "created", "modified"):
        assert g.value(ARTICLE_IRI, URIRef(dcterms + prop)) is None
    assert g.value(ARTICLE_IRI, SCHEMA.datePublished) is None


def test_every_typed_node_is_derived_from_a_source_of_the_graph(g):
    sources = set(g.subjects(RDF.type, PVD.Excerpt)) | set(g.subjects(RDF.type, PVD.SourceRow))
    typed = {s for s in g.subjects(RDF.type, None)} - sources - {ARTICLE_IRI}
    assert len(typed) > 40
    for node in typed:
        derived = set(g.objects(node, PROV.wasDerivedFrom))
        assert derived, f"{node} has no prov:wasDerivedFrom"
        # the article itself: what is inferred from where it is published, not from a sentence
        assert derived <= sources | {ARTICLE_IRI}, f"{node} derives from {derived - sources}"


def test_the_publisher_is_inferred_from_the_site_not_read_in_the_text(g):
    dcterms = "http://purl.org/dc/terms/"
    assert g.value(ARTICLE_IRI, URIRef(dcterms + "publisher")) is None
    (inference,) = g.objects(ARTICLE_IRI, PVD.inference)
    assert (inference, RDF.type, PVD.Inference) in g
    assert g.value(inference, PVD.aboutProperty) == URIRef(dcterms + "publisher")
    assert g.value(inference, PVD.inferredNode) == COMMUNE
    assert {r.language for r in g.objects(inference, PVD.reason)} == {"fr", "en"}
    assert "libercourt.fr" in str(g.value(inference, PVD.reason))
    assert set(g.objects(inference, PROV.wasDerivedFrom)) == {ARTICLE_IRI}


def test_the_programme_cites_only_sentences_that_state_its_aims(g):
    programme = iris.programme("pvd")
    aims = [str(a) for a in g.objects(programme, PVD.aim)]
    cited = set(g.objects(programme, PROV.wasDerivedFrom))
    assert len(aims) == 2 and cited
    for excerpt in cited:
        assert any(aim in str(g.value(excerpt, PVD.quote)) for aim in aims), excerpt


def test_no_first_names_and_names_as_written(g):
    assert not list(g.triples((None, FOAF.givenName, None)))
    persons = set(g.subjects(RDF.type, FOAF.Person))
    assert len(persons) == 6
    for person in persons:
        family = str(g.value(person, FOAF.familyName))
        civility = OFFICIALS[family][0]
        assert person == iris.person("62907", family)
        assert str(g.value(person, FOAF.name)) == family
        assert str(g.value(person, SCHEMA.honorificPrefix)) == civility
        assert str(g.value(person, RDFS.label)) == f"{civility} {family}"


def test_each_official_is_there_with_the_title_as_written(g):
    for surname, (_, title, signed) in OFFICIALS.items():
        person = iris.person("62907", surname)
        associations = list(g.subjects(PVD.agent, person))
        assert len(associations) == 1
        association = associations[0]
        assert str(g.value(association, PVD.titleAsWritten)) == title
        kind = PVD.Signature if signed else PVD.Attendance
        assert (association, RDF.type, kind) in g
        post = g.value(association, PVD.inPost)
        assert (person, ORG.holds, post) in g and (post, ORG.heldBy, person) in g
        assert g.value(post, ORG.postIn) == g.value(association, PVD.onBehalfOf)


def test_no_year_that_the_article_does_not_state(g, article):
    stated = set(re.findall(r"\b(?:19|20)\d{2}\b", article))
    assert stated == {"2020", "2021", "2023", "2026"}
    inferences = set(g.subjects(RDF.type, PVD.Inference))
    for s, p, o in g:
        if isinstance(o, Literal) and s not in inferences:
            for year in re.findall(r"\b(?:19|20)\d{2}\b", str(o)):
                assert year in stated, (s, p, o)


def test_dates_keep_their_precision_and_the_inference_its_reasons(g):
    def dates(kind):
        return set(g.objects(iris.signing(kind, "62907"), PVD.date))

    assert dates("adhesion") == {Literal("2021-07", datatype=XSD.gYearMonth)}
    # one act, told twice: « Le 18 janvier » and « En janvier 2023 », each with its own precision
    assert dates("ort") == {Literal("--01-18", datatype=XSD.gMonthDay), Literal("2023-01", datatype=XSD.gYearMonth)}
    inference = g.value(iris.signing("ort", "62907"), PVD.inference)
    assert inference == iris.inference(iris.signing("ort", "62907"), "date")
    assert g.value(inference, PVD.inferredValue) == Literal("2023-01-18", datatype=XSD.date)
    assert g.value(inference, PVD.aboutProperty) == PVD.date
    assert {r.language for r in g.objects(inference, PVD.reason)} == {"en", "fr"}
    assert set(g.objects(inference, PROV.wasDerivedFrom)) >= {
        iris.source_row("dgaln-ort-2024", 132), iris.excerpt("libercourt-convention-pvd-signee", 10)}


def test_the_convention_cadre_valant_ort_is_one_act_and_the_old_iris_point_to_it(g):
    act, signing = iris.convention("ort", "62907"), iris.signing("ort", "62907")
    assert set(g.objects(act, RDF.type)) == {PVD.OperationalConvention, PVD.ORTConvention}
    assert set(g.objects(act, PVD.programme)) == {iris.programme("pvd"), iris.programme("ort")}
    assert "convention-cadre valant ORT" in str(g.value(act, RDFS.comment))
    assert list(g.subjects(PVD.signed, act)) == [signing]
    assert g.value(signing, PVD.rankInEPCI) == Literal(1)
    assert len(list(g.objects(signing, PVD.attendance))) == 5
    assert g.value(g.value(signing, PVD.signature), PVD.agent) == iris.person("62907", "maciejasz")
    for convention in (act, iris.convention("adhesion", "62907")):
        assert list(g.objects(convention, PVD.party)) == [COMMUNE]
    # the operational convention's former IRIs: only owl:sameAs the act's nodes, no type
    old = iris.signing("operationnelle", "62907")
    for before, after in ((iris.convention("operationnelle", "62907"), act), (old, signing),
                          (iris.association(old, "signature", 1), iris.association(signing, "signature", 1)),
                          (iris.association(old, "attendance", 5), iris.association(signing, "attendance", 5)),
                          (iris.inference(old, "date"), iris.inference(signing, "date"))):
        assert list(g.predicate_objects(before)) == [(OWL.sameAs, after)], before
        assert (after, RDF.type, None) in g


def test_selection_stated_twice_with_own_precision(g):
    first, second = iris.selection("pvd", "62907"), iris.selection("pvd", "62907", 2)
    assert g.value(first, PVD.date) == Literal("2020-12", datatype=XSD.gYearMonth)
    assert g.value(first, PVD.qualifier) == iris.concept("qualifier", "moteur")
    assert g.value(first, PVD.qualifiedBy) == iris.organisation("etat")
    assert g.value(second, PVD.date) == Literal("2021", datatype=XSD.gYear)
    assert g.value(first, PROV.wasDerivedFrom) == iris.excerpt("libercourt-convention-pvd-signee", 9)
    assert g.value(second, PROV.wasDerivedFrom) == iris.excerpt("libercourt-convention-pvd-signee", 5)


def test_axes_exact_labels_in_order(g):
    labels = [str(g.value(iris.axis("62907", n), SKOS.prefLabel)) for n in range(1, 6)]
    assert labels[0] == "Engager la reconquête de l’habitat pour développer une offre attractive en centre-ville"
    assert labels[1] == "Favoriser un développement économique et commercial équilibré"
    for n in range(1, 6):
        axis = iris.axis("62907", n)
        assert g.value(axis, PVD.order) == Literal(n)
        assert (iris.axis_scheme("62907"), SKOS.hasTopConcept, axis) in g


def _shipped(key: str, original: str) -> Path:
    """The shipped copy of a source table (the ingest may name it after its key)."""
    for path in (SOURCES_DIR / f"{key}.csv", SOURCES_DIR / original):
        if path.exists():
            return path
    raise AssertionError(f"no shipped file for {key}")


@pytest.mark.parametrize("key,original,line,needle", [
    ("insee-cog-2024", "cog_communes_2024.csv", 26338, '"COM","62907","32","62","62D","627"'),
    ("epci-com-2023", "com_epci_dep_reg_2023.csv", 24742, "62907;216209072;Libercourt;246200299;CA d'Hénin-Carvin"),
    ("dgaln-ort-2024", "ort_conventions_2024-10.csv", 132, "62907,2. Commune PVD,Signée,2023-01-18"),
])
def test_source_rows_point_at_the_physical_line_of_62907(g, key, original, line, needle):
    row = iris.source_row(key, line)
    assert (row, RDF.type, PVD.SourceRow) in g
    assert g.value(row, PVD.line) == Literal(line)
    text = _shipped(key, original).read_text(encoding="utf-8").split("\n")
    assert needle in text[line - 1]


def test_codes_and_siren_carry_their_table_row(g):
    epci = iris.epci("246200299")
    assert str(g.value(epci, PVD.siren)) == "246200299"
    assert iris.source_row("epci-com-2023", 24742) in set(g.objects(epci, PROV.wasDerivedFrom))
    assert g.value(COMMUNE, PVD.inDepartement) == iris.departement("62")
    assert g.value(COMMUNE, PVD.inRegion) == iris.region("32")
    assert g.value(COMMUNE, PVD.inArrondissement) == iris.arrondissement("627")
    assert iris.source_row("insee-cog-2024", 26338) in set(g.objects(COMMUNE, PROV.wasDerivedFrom))


def test_turtle_declares_only_the_project_prefixes():
    declared = re.findall(r"^@prefix (\w*): <([^>]+)> \.$", TTL.read_text(encoding="utf-8"), re.M)
    assert declared
    for prefix, ns in declared:
        assert PREFIXES[prefix] == ns


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_curated_dataset_has_no_violation_or_warning(engine):
    report = shipped_report(engine)
    assert report.issues == [], report.to_text()


def test_the_shapes_see_a_broken_copy():
    """The check above can fail: a copy without the commune's département is refused."""
    data = union_graph(curated_dataset())
    data.remove((COMMUNE, PVD.inDepartement, None))
    report = validate(data)
    assert not report.ok
    assert any(str(COMMUNE) in (issue.source or "") for issue in report.errors)
