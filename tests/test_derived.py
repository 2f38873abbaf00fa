"""Parties by programme rule and dated tenures (pvd_kg/derived/), on the whole built graph: the
expected parties are computed from the CSV files with the csv module, the mayors from the graph's
own holdings."""

from __future__ import annotations

import csv

import pyoxigraph as ox
import pytest

from pvd_kg import iris, queries
from pvd_kg.errors import InputError
from pvd_kg.ingest.shipped import source_path
from pvd_kg.store import MemoryStore
from pvd_kg.validate import validate
from pvd_kg.vocab import sparql_prologue

ID = "https://w3id.org/pvd-kg/id/"
RULE_OF = {"AdhesionConvention": "pvd-adhesion", "OperationalConvention": "pvd-convention-cadre",
           "ORTConvention": "ort", "ACVConvention": "acv"}


@pytest.fixture(scope="module")
def built(built_quads):
    return built_quads


@pytest.fixture(scope="module")
def store(whole_nquads):
    st = ox.Store()  # its own: a test adds a graph for a while
    st.bulk_load(whole_nquads, ox.RdfFormat.N_QUADS)
    return MemoryStore(st)


def select(store, text):
    return queries.run(sparql_prologue() + text, store).dicts()


def answer(store, name, **params):
    return queries.run(name, store, params).dicts()


def expected_parties(code: str) -> set[str]:
    """Commune, EPCI and prefecture of ``code`` from the COG and EPCI tables."""
    with open(source_path("insee-cog-2024"), encoding="utf-8", newline="") as f:
        dep = next(r["DEP"] for r in csv.DictReader(f) if r["COM"] == code and r["TYPECOM"] == "COM")
    with open(source_path("epci-com-2023"), encoding="utf-8", newline="") as f:
        epci = next((r["epci_siren"] for r in csv.DictReader(f, delimiter=";") if r["com_code"] == code), None)
    found = {str(iris.commune(code)), str(iris.prefecture(dep))}
    return found | ({str(iris.epci(epci))} if epci and epci != "000000000" else set())


@pytest.fixture(scope="module")
def tables():
    with open(source_path("insee-cog-2024"), encoding="utf-8", newline="") as f:
        dep = {r["COM"]: r["DEP"] for r in csv.DictReader(f) if r["TYPECOM"] == "COM"}
    with open(source_path("epci-com-2023"), encoding="utf-8", newline="") as f:
        epci = {r["com_code"]: r["epci_siren"] for r in csv.DictReader(f, delimiter=";")}
    return dep, epci


def test_every_convention_of_a_ruled_kind_has_its_rule_parties(store, tables):
    dep, epci = tables
    rows = select(store, """
        SELECT ?convention ?class (GROUP_CONCAT(DISTINCT STR(?commune); separator=" ") AS ?communes)
               (GROUP_CONCAT(DISTINCT STR(?party); separator=" ") AS ?parties)
               (GROUP_CONCAT(DISTINCT STR(?rule); separator=" ") AS ?rules) WHERE {
          VALUES ?class { pvd:AdhesionConvention pvd:OperationalConvention pvd:ORTConvention pvd:ACVConvention }
          ?convention a ?class ; pvd:concerns ?commune .
          OPTIONAL { ?convention pvd:partyByRule ?party }
          OPTIONAL { ?convention pvd:partyRule ?rule }
        } GROUP BY ?convention ?class""")
    ruled = rows
    assert len(ruled) > 4100 and sum(str(r["class"]).endswith("ACVConvention") for r in rows) == 245
    classes: dict = {}  # an act of two kinds (a convention-cadre valant ORT) has the rule of each
    for r in rows:
        classes.setdefault(r["convention"], set()).add(str(r["class"]).rsplit("#", 1)[1])
    assert sum(len(c) == 2 for c in classes.values()) > 60
    for r in ruled:
        want = set()  # an act of several communes (a shared ORT) has each one's parties
        for commune in str(r["communes"]).split():
            code = commune.rsplit("/", 1)[1]
            want |= {str(iris.commune(code)), str(iris.prefecture(dep[code]))}
            if epci.get(code, "000000000") != "000000000":
                want.add(str(iris.epci(epci[code])))
        assert set(str(r["parties"]).split()) == want, r["convention"]
        assert set(str(r["rules"]).split()) == {ID + "rule/" + RULE_OF[c] for c in classes[r["convention"]]}, \
            r["convention"]


def test_a_party_by_rule_is_never_a_party_a_source_names(store):
    mixed = select(store, """SELECT ?g ?p (COUNT(*) AS ?n) WHERE {
        GRAPH ?g { ?c ?p ?o FILTER(?p IN (pvd:party, pvd:partyByRule)) } } GROUP BY ?g ?p""")
    graphs = {(str(r["g"]).rsplit("/", 1)[1], str(r["p"]).rsplit("#", 1)[1]) for r in mixed}
    assert {g for g, p in graphs if p == "partyByRule"} == {"derived-parties"}
    assert ("derived-parties", "party") not in graphs
    # Valserhône: the ANCT list names the commune only; the rule adds its EPCI and the State
    source = answer(store, "convention-parties", commune="01033")
    assert {str(r["party"]) for r in source} == {ID + "commune/01033"}
    assert {str(r["partyBasis"]) for r in source} == {"source"}
    rule = answer(store, "convention-parties", commune="01033", basis="rule")
    assert {str(r["party"]) for r in rule} == expected_parties("01033")
    assert {str(r["rule"]) for r in rule} == {ID + "rule/pvd-adhesion", ID + "rule/ort"}
    both = answer(store, "convention-parties", commune="01033", basis="all")
    assert len(both) == len(source) + len(rule)
    with pytest.raises(InputError, match="basis"):
        answer(store, "convention-parties", commune="01033", basis="guess")


def test_who_signed_what_asks_for_signatories_by_source_or_by_rule(store):
    # the default is basis=source: the answer of the source's signatories, as before the parameter
    source = answer(store, "who-signed-what")
    assert source == answer(store, "who-signed-what", basis="source")
    assert {str(r.get("partyBasis", "")) for r in source} == {"source", ""}
    assert not any("rule" in r for r in source)
    # Valserhône: no source names who signed; by the rules, the commune, its EPCI and the State
    named = answer(store, "who-signed-what", commune="01033")
    assert named and not any("signer" in r for r in named)
    rule = answer(store, "who-signed-what", commune="01033", basis="rule")
    assert {str(r["onBehalfOf"]) for r in rule} == expected_parties("01033")
    assert {str(r["partyBasis"]) for r in rule} == {"rule"} and not any("signer" in r for r in rule)
    for r in rule:  # each row under the rule of its own kind
        assert str(r["rule"]) == ID + "rule/" + RULE_OF[str(r["kind"]).rsplit("#", 1)[1]]
    assert {str(r["signing"]) for r in rule} == {str(r["signing"]) for r in named}
    both = answer(store, "who-signed-what", commune="62907", basis="all")
    assert {str(r["partyBasis"]) for r in both} == {"source", "rule"}
    assert {str(r["signer"]) for r in both if "signer" in r} == {ID + "person/62907/maciejasz"}
    with pytest.raises(InputError, match="basis"):
        answer(store, "who-signed-what", basis="guess")


def test_the_rules_cite_titled_documents_and_the_law_is_dated(store):
    rows = select(store, """SELECT ?rule ?doc ?title ?date WHERE {
        ?rule a pvd:ProgrammeRule ; prov:wasDerivedFrom ?doc . ?doc dcterms:title ?title
        OPTIONAL { ?doc dcterms:date ?date } }""")
    assert {str(r["rule"]).rsplit("/", 1)[1] for r in rows} == set(RULE_OF.values())
    law = [r for r in rows if str(r["rule"]).endswith("/ort") and "L303-2" in str(r["title"])]
    assert law and str(law[0]["date"]) == "2018-11-25"
    assert str(law[0]["doc"]).startswith("https://www.legifrance.gouv.fr/")


def test_an_acv_convention_has_its_parties_by_the_programmes_instruction(store):
    # Abbeville's ACV convention: the ACV list names the commune; the government's instruction on
    # the programme gives the town, its intercommunality and the State
    rule = answer(store, "convention-parties", commune="80001", basis="rule")
    acv = [r for r in rule if str(r["kind"]).endswith("#ACVConvention")]
    assert {str(r["party"]) for r in acv} == expected_parties("80001")
    assert {str(r["rule"]) for r in acv} == {ID + "rule/acv"}
    (doc,) = select(store, """SELECT ?doc ?id WHERE { <https://w3id.org/pvd-kg/id/rule/acv> prov:wasDerivedFrom ?doc .
                                                   ?doc dcterms:identifier ?id }""")
    assert str(doc["id"]) == "TERR1810707C"


def test_the_2021_mayors_are_attested_on_the_list_date(store):
    holders = select(store, """SELECT DISTINCT ?person ?post WHERE {
        ?person org:holds ?post ; prov:wasDerivedFrom ?row . ?post org:role <https://w3id.org/pvd-kg/id/role/maire> .
        ?row dcterms:isPartOf <https://w3id.org/pvd-kg/id/source/anct-pvd-2021> }""")
    assert len(holders) > 380  # every published mayor of the January 2021 list
    attested = select(store, """SELECT DISTINCT ?person ?post ?on WHERE {
        ?tenure a pvd:Tenure ; org:member ?person ; pvd:post ?post ; pvd:attestation ?a .
        ?a pvd:attestedOn ?on ; prov:wasDerivedFrom ?row .
        ?row dcterms:isPartOf <https://w3id.org/pvd-kg/id/source/anct-pvd-2021> }""")
    assert {(str(r["person"]), str(r["post"])) for r in attested} == {(str(r["person"]), str(r["post"])) for r in holders}
    assert {(str(r["on"]), str(r["on"].datatype)) for r in attested} == {
        ("2021-01", "http://www.w3.org/2001/XMLSchema#gYearMonth")}


def test_mayor_on_signing_date(store):  # Libercourt
    rows = answer(store, "mayor-on-signing-date", commune="62907")
    # the convention-cadre valant ORT: one signing, under each of its two kinds
    assert [(str(r["signing"]).split("/signing/")[1], str(r["kind"]).rsplit("#", 1)[1]) for r in rows] == [
        ("adhesion/62907", "AdhesionConvention"), ("ort/62907", "ORTConvention"), ("ort/62907", "OperationalConvention")]
    assert {str(r["mayor"]) for r in rows} == {ID + "person/62907/maciejasz"}
    assert {str(r["basis"]) for r in rows} == {"attested on"}
    # the mayor signed that act, whose day the DGALN list states: attested on that day, no inference
    assert {(str(r["attestedOn"]), r.get("attestedOnInferred")) for r in rows} == {("2023-01-18", None)}
    assert [str(r["atThisSigning"]) for r in rows] == ["false", "true", "true"]
    assert str(rows[1]["signingDate"]) == "2023-01-18" and str(rows[1]["dateSource"]) == "stated"


def test_mayor_on_signing_date_for_a_press_covered_signing(store):
    # La Machine (58): the Nièvre prefecture's page shows its mayor signing on 2021-04-07, and the
    # January 2021 PVD list names the same person
    (row,) = [r for r in answer(store, "mayor-on-signing-date", commune="58134")
              if str(r["signing"]).endswith("/signing/adhesion/58134")]
    assert str(row["signingDate"]) == "2021-04-07" and str(row["basis"]) == "attested on"
    assert set(str(row["attestedOn"]).split()) == {"2021-01", "2021-04-07"}
    assert ID + "source/anct-pvd-2021" in str(row["attestedBy"]).split()
    assert str(row["atThisSigning"]) == "true"


def test_a_known_period_says_in_office_and_leaves_out_the_dates_outside(store):
    tenure = f"{ID}post/commune-62907/maire/tenure/62907-maciejasz"
    period = f"""INSERT DATA {{ GRAPH <urn:test:period> {{
        <{tenure}> org:memberDuring <urn:test:period/i> .
        <urn:test:period/i> a time:Interval ;
            time:hasBeginning [ time:inXSDDate "2020-07-04"^^xsd:date ] ;
            time:hasEnd [ time:inXSDgYearMonth "2022-12"^^xsd:gYearMonth ] }} }}"""
    store.ox.update(sparql_prologue() + period)
    try:
        rows = answer(store, "mayor-on-signing-date", commune="62907")
        by = {str(r["signing"]).split("/signing/")[1]: r for r in rows}
        assert str(by["adhesion/62907"]["basis"]) == "in office"
        assert (str(by["adhesion/62907"]["from"]), str(by["adhesion/62907"]["to"])) == ("2020-07-04", "2022-12")
        assert "mayor" not in by["ort/62907"], "2023-01-18 is after the period"
    finally:
        store.ox.update("DROP GRAPH <urn:test:period>")


def test_the_derived_graphs_conform(built):
    derived = {iris.graph("derived-parties"), iris.graph("derived-tenures"), iris.graph("programme-rules")}
    nodes = {q[0] for q in built if q[3] in derived}
    assert len(nodes) > 5000
    # the derived nodes with what they point to: conventions, communes, posts and people
    subjects = nodes | {q[2] for q in built if q[3] in derived}
    report = validate((q[0], q[1], q[2]) for q in built if q[0] in subjects)
    codes = {i.code for i in report.errors}
    assert not codes & {"PartyByRuleHasRule", "TenureMatchesPost", "TenureClosed", "AttestationClosed",
                        "ProgrammeRuleClosed", "Tenure-member", "Tenure-post", "Attestation-attestedOn",
                        "DerivedFromSource"}, report.to_text()


NEW_SHAPES = ("PartyByRuleHasRule", "TenureMatchesPost", "TenureClosed", "AttestationClosed", "ProgrammeRuleClosed",
              "Attestation-attestedOn", "ProgrammeRule-document", "Tenure-memberDuring")


@pytest.mark.parametrize("case", [m for m in __import__("test_shapes").MUTATIONS if m[1] in NEW_SHAPES],
                         ids=lambda m: m[0])
def test_both_engines_agree_on_the_new_shapes(case):
    from test_shapes import mutated

    data = mutated(case[3])
    fast, reference = ({(i.code, i.source, i.value) for i in validate(data, engine=e)} for e in ("fast", "pyshacl"))
    assert fast == reference
    assert case[1] in {code for code, _, _ in fast}
