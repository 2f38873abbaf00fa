"""Each SHACL shape of ontology/shapes.ttl, broken on purpose: a conforming fixture graph
(tests/data/shapes-conforming.ttl) is changed by one SPARQL Update, and validation must
report THAT shape, with its severity and its English message (the French one in the
sh:ValidationReport)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from pvd_kg.graph import load_shapes
from pvd_kg.validate import validate
from pvd_kg.vocab import RDF, SH, SHAPES, sparql_prologue

FIXTURE = Path(__file__).parent / "data" / "shapes-conforming.ttl"
PROLOGUE = sparql_prologue() + "BASE <https://w3id.org/pvd-kg/id/>\n"
SHAPES_GRAPH = load_shapes()

_BASE = Graph().parse(FIXTURE, format="turtle")


def mutated(update: str) -> Graph:
    g = Graph()
    g += _BASE
    g.update(PROLOGUE + update)
    return g


def drop(s: str, p: str) -> str:
    return f"DELETE WHERE {{ <{s}> {p} ?o }}"


def setv(s: str, p: str, o: str) -> str:
    return f"DELETE {{ <{s}> {p} ?o }} INSERT {{ <{s}> {p} {o} }} WHERE {{ OPTIONAL {{ <{s}> {p} ?o }} }}"


def add(s: str, p: str, o: str) -> str:
    return f"INSERT DATA {{ <{s}> {p} {o} }}"


C, SEL, ADH, OPE = "commune/62907", "selection/pvd/62907", "convention/adhesion/62907", "convention/operationnelle/62907"
SADH, SOPE = "signing/adhesion/62907", "signing/operationnelle/62907"
SIG1, SIG2, ATT1 = SOPE + "/signature/1", SOPE + "/signature/2", SOPE + "/attendance/1"
INF, MAIRE, DT = SOPE + "/inference/date", "person/62907/maciejasz", "post/commune-62907/maire"
EPCI, DEP, REG, ARR = "epci/246200299", "departement/62", "region/32", "arrondissement/627"
POP, PROG, AXIS, PROJ = "commune/62907/population/2021", "programme/pvd", "axis/62907/1", "project/62907"
EXC, ROW = "source/libercourt/excerpt/1", "source/anct-pvd/row/2"
RULE, TEN = "rule/pvd-adhesion", "post/commune-62907/maire/tenure/62907-maciejasz"
SECOND_SIGNING = (f'INSERT DATA {{ <{SOPE}/2> a pvd:Signing ; pvd:signed <{OPE}> ; pvd:date "2023-01-18"^^xsd:date ; '
                  f'prov:wasDerivedFrom <{EXC}> }}')

# (test id, expected shape, expected severity, SPARQL Update that breaks the fixture)
MUTATIONS = [
    ("commune code not INSEE", "Commune-codeINSEE", "error", setv(C, "igeo:codeINSEE", '"6290A"')),
    ("commune code missing", "Commune-codeINSEE", "error", drop(C, "igeo:codeINSEE")),
    ("commune code as integer", "Commune-codeINSEE", "error", setv(C, "igeo:codeINSEE", "62907")),
    ("commune without label", "Commune-label", "error", drop(C, "rdfs:label")),
    ("commune with two INSEE links", "Commune-inseeLink", "error",
     add(C, "skos:exactMatch", "<http://id.insee.fr/geo/commune/62908>")),
    ("commune link to another register", "Commune-inseeLink", "error",
     setv(C, "skos:exactMatch", "<https://geo.api.gouv.fr/communes/62907>")),
    ("commune link as a literal", "Commune-inseeLink", "error",
     setv(C, "skos:exactMatch", '"http://id.insee.fr/geo/commune/62907"')),
    ("département link with a commune code", "Departement-inseeLink", "error",
     setv(DEP, "skos:exactMatch", "<http://id.insee.fr/geo/departement/62907>")),
    ("région link as a literal", "Region-inseeLink", "error", setv(REG, "skos:exactMatch", '"32"')),
    ("EPCI page not by SIREN", "EPCI-sirenPage", "error",
     setv(EPCI, "foaf:isPrimaryTopicOf", "<https://annuaire-entreprises.data.gouv.fr/entreprise/cc-carvin>")),
    ("commune linked to another commune", "LinkOutAgreesWithCode", "error",
     setv(C, "skos:exactMatch", "<http://id.insee.fr/geo/commune/62908>")),
    ("EPCI page of another SIREN", "LinkOutAgreesWithCode", "error",
     setv(EPCI, "foaf:isPrimaryTopicOf", "<https://annuaire-entreprises.data.gouv.fr/entreprise/200000172>")),
    ("commune SIREN of 8 digits", "Commune-siren", "error", setv(C, "pvd:siren", '"21620907"')),
    ("commune without département", "Commune-inDepartement", "error", drop(C, "pvd:inDepartement")),
    ("commune région is a département", "Commune-inRegion", "error", setv(C, "pvd:inRegion", f"<{DEP}>")),
    ("commune arrondissement is a région", "Commune-inArrondissement", "error", setv(C, "pvd:inArrondissement", f"<{REG}>")),
    ("commune EPCI is an agency", "Commune-memberOfEPCI", "error", setv(C, "pvd:memberOfEPCI", "<organisation/anct>")),
    ("commune population is a row", "Commune-population", "error", add(C, "pvd:population", f"<{ROW}>")),
    ("commune in a non-programme", "Commune-inProgramme", "error", add(C, "pvd:inProgramme", "<organisation/anct>")),
    ("département code 20", "Departement-codeINSEE", "error", setv(DEP, "igeo:codeINSEE", '"20"')),
    ("département label without language", "Departement-label", "error", setv(DEP, "rdfs:label", '"Pas-de-Calais"')),
    ("département région is a commune", "Departement-inRegion", "error", setv(DEP, "pvd:inRegion", f"<{C}>")),
    ("département without région", "Departement-regionKnown", "warning", drop(DEP, "pvd:inRegion")),
    ("région code of 3 digits", "Region-codeINSEE", "error", setv(REG, "igeo:codeINSEE", '"320"')),
    ("région without label", "Region-label", "error", drop(REG, "rdfs:label")),
    ("région SIREN too short", "Region-siren", "error", setv(REG, "pvd:siren", '"123"')),
    ("arrondissement code too short", "Arrondissement-codeINSEE", "error", setv(ARR, "igeo:codeINSEE", '"62"')),
    ("arrondissement with two labels", "Arrondissement-label", "error", add(ARR, "rdfs:label", '"Lens-Béthune"@fr')),
    ("arrondissement département is a région", "Arrondissement-inDepartement", "error", setv(ARR, "pvd:inDepartement", f"<{REG}>")),
    ("EPCI without SIREN", "EPCI-siren", "error", drop(EPCI, "pvd:siren")),
    ("EPCI label in English", "EPCI-label", "error", setv(EPCI, "rdfs:label", '"Hénin-Carvin"@en')),
    ("EPCI legal form outside the scheme", "EPCI-legalForm", "error", setv(EPCI, "pvd:legalForm", "<legal-form/sivom>")),
    ("EPCI without département", "EPCI-inDepartement", "error", drop(EPCI, "pvd:inDepartement")),
    ("State service without label", "StateService-label", "error", drop("organisation/sous-prefecture-lens", "rdfs:label")),
    ("State service serves an agency", "StateService-serves", "error", setv("organisation/sous-prefecture-lens", "pvd:serves", "<organisation/anct>")),
    ("landlord without label", "Organisation-label", "error", drop("organisation/sia-habitat", "rdfs:label")),
    ("sub-organisation of a figure", "Organisation-subOrganizationOf", "error",
     setv("organisation/banque-des-territoires", "org:subOrganizationOf", f"<{POP}>")),
    ("population count as string", "PopulationFigure-count", "error", setv(POP, "pvd:count", '"8000"')),
    ("population year as date", "PopulationFigure-referenceYear", "error", setv(POP, "pvd:referenceYear", '"2021-01-01"^^xsd:date')),
    ("person without family name", "Person-familyName", "error", drop(MAIRE, "foaf:familyName")),
    ("person with two given names", "Person-givenName", "error",
     add("person/62907/bonnot", "foaf:givenName", '"Anne"')),
    ("civility tagged as French", "Person-honorificPrefix", "error", setv(MAIRE, "schema:honorificPrefix", '"M."@fr')),
    ("person without label", "Person-label", "error", drop(MAIRE, "rdfs:label")),
    ("person holds a commune", "Person-holds", "error", add(MAIRE, "org:holds", f"<{C}>")),
    ("post in no organisation", "Post-postIn", "error", drop(DT, "org:postIn")),
    ("post with unknown role", "Post-role", "error", setv(DT, "org:role", "<role/garde-champetre>")),
    ("post label without language", "Post-label", "error", setv(DT, "rdfs:label", '"Maire"')),
    ("post held by a commune", "Post-heldBy", "error", add(DT, "org:heldBy", f"<{C}>")),
    ("role with two French labels", "Role-prefLabel", "error", add("role/maire", "skos:prefLabel", '"Maire bis"@fr')),
    ("role outside the scheme", "Role-inScheme", "error",
     'INSERT DATA { <role/garde-champetre> a pvd:Role ; skos:prefLabel "Garde champêtre"@fr }'),
    ("programme without label", "Programme-label", "error", drop(PROG, "rdfs:label")),
    ("programme operated by an axis", "Programme-operatedBy", "error", setv(PROG, "pvd:operatedBy", f"<{AXIS}>")),
    ("programme partner is a région", "Programme-partner", "error", add(PROG, "pvd:partner", f"<{REG}>")),
    ("programme aim without language", "Programme-aim", "error", setv(PROG, "pvd:aim", '"aim"')),
    ("programme eligibility as number", "Programme-eligibility", "error", setv(PROG, "pvd:eligibility", "20000")),
    ("population ceiling as text", "Programme-populationCeiling", "error", setv(PROG, "pvd:populationCeiling", '"20 000"')),
    ("planned end as date", "Programme-plannedEnd", "error", setv(PROG, "pvd:plannedEnd", '"2026-12-31"^^xsd:date')),
    ("selection without commune", "Selection-commune", "error", drop(SEL, "pvd:commune")),
    ("selection without programme", "Selection-programme", "error", drop(SEL, "pvd:programme")),
    ("selection date as text", "Selection-date", "error", setv(SEL, "pvd:date", '"décembre 2020"')),
    ("selection with two ids", "Selection-programmeId", "error", add(SEL, "pvd:programmeId", '"pvd-32-62-23"')),
    ("selection qualifier outside the scheme", "Selection-qualifier", "error", setv(SEL, "pvd:qualifier", "<qualifier/frein>")),
    ("selection qualified by a person", "Selection-qualifiedBy", "error", setv(SEL, "pvd:qualifiedBy", f"<{MAIRE}>")),
    ("selection remark without language", "Selection-remark", "error", setv(SEL, "pvd:remark", '"moteur"')),
    ("membership state outside the scheme", "Selection-membershipState", "error",
     setv(SEL, "pvd:membershipState", "<membership/member>")),
    ("convention about no commune", "Convention-concerns", "error", drop(ADH, "pvd:concerns")),
    ("convention without programme", "Convention-programme", "error", drop(ADH, "pvd:programme")),
    ("convention without party", "Convention-party", "error", drop(ADH, "pvd:party")),
    ("convention status outside the scheme", "Convention-status", "error", setv(ADH, "pvd:status", "<status/signed>")),
    ("planned signing tagged", "Convention-plannedSigning", "error", setv(ADH, "pvd:plannedSigning", '"été 2021"@fr')),
    ("duration as integer", "Convention-durationYears", "error", setv(ADH, "pvd:durationYears", "6")),
    ("estimated end as text", "Convention-estimatedEnd", "error", setv(ADH, "pvd:estimatedEnd", '"fin 2026"')),
    ("convention remark as number", "Convention-remark", "error", setv(ADH, "pvd:remark", "3")),
    ("amendment of a commune", "Convention-amends", "error", add(ADH, "pvd:amends", f"<{C}>")),
    ("convention without label", "Convention-label", "warning", drop(OPE, "rdfs:label")),
    ("signing of nothing", "Signing-signed", "error", drop(SADH, "pvd:signed")),
    ("signing date as text", "Signing-date", "error", setv(SADH, "pvd:date", '"juillet 2021"')),
    ("signing date ill-typed", "Signing-date", "error", setv(SADH, "pvd:date", '"2021-13"^^xsd:gYearMonth')),
    ("signing in two places", "Signing-place", "error", add(SOPE, "pvd:place", f"<{DEP}>")),
    ("signature is a person", "Signing-signature", "error", add(SOPE, "pvd:signature", f"<{MAIRE}>")),
    ("attendance is a signature", "Signing-attendance", "error", add(SOPE, "pvd:attendance", f"<{SIG1}>")),
    ("rank 0", "Signing-rankInEPCI", "error", setv(SOPE, "pvd:rankInEPCI", "0")),
    ("signing remark without language", "Signing-remark", "error", setv(SOPE, "pvd:remark", '"sans année"')),
    ("signing without date nor reason", "SigningDate", "error", drop(SADH, "pvd:date")),
    ("signature without person", "Signature-agent", "error", drop(SIG2, "pvd:agent")),
    ("signatory without a post", "Signature-inPost", "error", drop(SIG1, "pvd:inPost")),
    ("signature on behalf of nobody", "Signature-onBehalfOf", "error", drop(SIG1, "pvd:onBehalfOf")),
    ("signature with two titles", "Signature-titleAsWritten", "error", add(SIG1, "pvd:titleAsWritten", '"Monsieur le Maire"')),
    ("signatory stands in for an organisation", "Association-represents", "error", add(SIG1, "pvd:represents", f"<{EPCI}>")),
    ("stands in for two officials", "Association-represents", "error",
     add(ATT1, "pvd:represents", f"<{MAIRE}>") + " ; " + add(ATT1, "pvd:represents", "<person/62907/raffy>")),
    ("attendance without person", "Attendance-agent", "error", drop(ATT1, "pvd:agent")),
    ("attendance without post", "Attendance-inPost", "error", drop(ATT1, "pvd:inPost")),
    ("attendance on behalf of a person", "Attendance-onBehalfOf", "error", setv(ATT1, "pvd:onBehalfOf", f"<{MAIRE}>")),
    ("attendance title tagged", "Attendance-titleAsWritten", "error", setv(ATT1, "pvd:titleAsWritten", '"Directrice"@fr')),
    ("inference about a literal", "Inference-aboutProperty", "error", setv(INF, "pvd:aboutProperty", '"date"')),
    ("inference without value", "InferenceValue", "error", drop(INF, "pvd:inferredValue")),
    ("inference with two values", "Inference-inferredValue", "error", add(INF, "pvd:inferredValue", '"2023-01-19"^^xsd:date')),
    ("inference with a literal as node", "Inference-inferredNode", "error", add(INF, "pvd:inferredNode", '"Libercourt"')),
    ("inference with a value and a node", "InferenceValue", "error", add(INF, "pvd:inferredNode", f"<{C}>")),
    ("inference with two English reasons", "Inference-reason", "error", add(INF, "pvd:reason", '"Because."@en')),
    ("project of no commune", "TerritorialProject-commune", "error", drop(PROJ, "pvd:commune")),
    ("project axes is a concept", "TerritorialProject-axes", "error", setv(PROJ, "pvd:axes", f"<{AXIS}>")),
    ("project without label", "TerritorialProject-label", "error", drop(PROJ, "rdfs:label")),
    ("axis label in English", "StrategicAxis-prefLabel", "error", setv(AXIS, "skos:prefLabel", '"Economy"@en')),
    ("axis order 0", "StrategicAxis-order", "error", setv(AXIS, "pvd:order", "0")),
    ("axis with two notations", "StrategicAxis-notation", "error", add(AXIS, "skos:notation", '"un"')),
    ("axis in no scheme", "StrategicAxis-inScheme", "error", drop(AXIS, "skos:inScheme")),
    ("excerpt without quote", "Excerpt-quote", "error", drop(EXC, "pvd:quote")),
    ("excerpt part of a literal", "Excerpt-isPartOf", "error", setv(EXC, "dcterms:isPartOf", '"the article"')),
    ("excerpt position as text", "Excerpt-position", "error", setv(EXC, "pvd:position", '"1"')),
    ("paraphrase of no page", "Paraphrase-isPartOf", "error",
     add("source/p/statement/1", "a pvd:Paraphrase ; rdfs:comment", '"The page says so."@en')),
    ("paraphrase part of a literal", "Paraphrase-isPartOf", "error",
     add("source/p/statement/1", "a pvd:Paraphrase ; rdfs:comment", '"The page says so."@en ; dcterms:isPartOf "the page"')),
    ("paraphrase that says nothing", "Paraphrase-comment", "error",
     add("source/p/statement/1", "a pvd:Paraphrase ; dcterms:isPartOf", "<https://example.org/page>")),
    ("row of no file", "SourceRow-isPartOf", "error", drop(ROW, "dcterms:isPartOf")),
    ("row in two files", "SourceRow-isPartOf", "error", add(ROW, "dcterms:isPartOf", f"<{EXC}>")),
    ("row part of a literal", "SourceRow-isPartOf", "error", setv(ROW, "dcterms:isPartOf", '"the table"')),
    ("row line 0", "SourceRow-line", "error", setv(ROW, "pvd:line", "0")),
    ("row without line", "SourceRow-line", "error", drop(ROW, "pvd:line")),
    ("row with two lines", "SourceRow-line", "error", add(ROW, "pvd:line", "7")),
    ("row line as text", "SourceRow-line", "error", setv(ROW, "pvd:line", '"3"')),
    ("row line ill-typed", "SourceRow-line", "error", setv(ROW, "pvd:line", '"three"^^xsd:integer')),
    ("selection without source", "DerivedFromSource", "error", drop(SEL, "prov:wasDerivedFrom")),
    ("selection derived from a literal", "DerivedFromSource", "error", setv(SEL, "prov:wasDerivedFrom", '"row 3"')),
    ("signed before selection", "ConventionAfterSelection", "error", setv(SADH, "pvd:date", '"2020-06"^^xsd:gYearMonth')),
    ("signed before selection, inferred", "ConventionAfterSelection", "error",
     setv(INF, "pvd:inferredValue", '"2019-01-18"^^xsd:date')),
    ("two dates that disagree", "DatesAgree", "error", add(SADH, "pvd:date", '"2021-08-02"^^xsd:date')),
    ("day and month that disagree", "DatesAgree", "error", add(SOPE, "pvd:date", '"2023-02-18"^^xsd:date')),
    ("signatory does not hold the post", "SignatoryHoldsPost", "error", f"DELETE DATA {{ <{MAIRE}> org:holds <{DT}> }}"),
    ("signatory's post not in a party", "SignatoryPostInParty", "error",
     f"DELETE DATA {{ <{OPE}> pvd:party <organisation/caisse-des-depots> }}"),
    ("commune not a party", "ConventionCommuneIsParty", "error", f"DELETE DATA {{ <{ADH}> pvd:party <{C}> }}"),
    ("EPCI in another département", "CommuneEPCIDepartement", "error",
     setv(EPCI, "pvd:inDepartement", "<departement/59>") + ' ; INSERT DATA { <departement/59> a pvd:Departement ; '
     'igeo:codeINSEE "59" ; rdfs:label "Nord"@fr ; pvd:inRegion <region/32> ; prov:wasDerivedFrom <source/anct-pvd/row/2> }'),
    ("commune code of another département", "CommuneCodeInDepartement", "error", setv(C, "igeo:codeINSEE", '"59350"')),
    ("selection without the shortcut", "SelectionInProgramme", "error", drop(C, "pvd:inProgramme")),
    ("PVD commune above 20,000", "LargePVDCommune", "warning", setv(POP, "pvd:count", "25000")),
    # parties by rule and tenures (docs/model.md)
    ("rule without English label", "ProgrammeRule-label", "error", f"DELETE DATA {{ <{RULE}> rdfs:label \"Parties to an adhesion agreement\"@en }}"),
    ("rule applies to a signing", "ProgrammeRule-appliesTo", "error", setv(RULE, "pvd:appliesTo", "pvd:Signing")),
    ("rule gives a role as party kind", "ProgrammeRule-partyKind", "error", setv(RULE, "pvd:partyKind", "<role/maire>")),
    ("rule cites an untitled row", "ProgrammeRule-document", "error", setv(RULE, "prov:wasDerivedFrom", f"<{ROW}>")),
    ("party by rule without its rule", "PartyByRuleHasRule", "error", drop(ADH, "pvd:partyRule")),
    ("party by rule from a rule of another kind", "PartyByRuleHasRule", "error", add(OPE, "pvd:partyByRule", f"<{EPCI}>")),
    ("rule with a misspelt property", "ProgrammeRuleClosed", "error", add(RULE, "pvd:appliesTO", "pvd:ORTConvention")),
    ("tenure of two persons", "Tenure-member", "error", add(TEN, "org:member", "<person/62907/bonnot>")),
    ("tenure in a role", "Tenure-organization", "error", setv(TEN, "org:organization", "<role/maire>")),
    ("tenure without role", "Tenure-role", "error", drop(TEN, "org:role")),
    ("tenure without post", "Tenure-post", "error", drop(TEN, "pvd:post")),
    ("tenure attested by a row", "Tenure-attestation", "error", add(TEN, "pvd:attestation", f"<{ROW}>")),
    ("tenure during a date", "Tenure-memberDuring", "error", add(TEN, "org:memberDuring", '"2021"^^xsd:gYear')),
    ("tenure of a post the person does not hold", "TenureMatchesPost", "error",
     setv(TEN, "pvd:post", "<post/organisation-caisse-des-depots/directeur-territorial>")),
    ("tenure with a misspelt property", "TenureClosed", "error", add(TEN, "pvd:attestedOn", '"2021-01"^^xsd:gYearMonth')),
    ("attestation with two dates", "Attestation-attestedOn", "error", add(TEN + "/attestation/1", "pvd:attestedOn", '"2021"^^xsd:gYear')),
    ("attestation date as text", "Attestation-attestedOn", "error", setv(TEN + "/attestation/1", "pvd:attestedOn", '"janvier 2021"')),
    ("attestation with a misspelt property", "AttestationClosed", "error", add(TEN + "/attestation/1", "pvd:attestedon", '"2021"^^xsd:gYear')),
    # issue #12: what the property shapes let through
    ("signature for an organisation outside the act", "SignatureOnBehalfOfParty", "error",
     setv(SIG1, "pvd:onBehalfOf", "<organisation/sia-habitat>")),
    ("a second signing event of one agreement", "OneSigningPerConvention", "error", SECOND_SIGNING),
    ("signed agreement with the status not signed", "UnsignedHasNoSigning", "error", setv(OPE, "pvd:status", "<status/non-signee>")),
    ("one person signs and attends", "SignatoryNotAttendee", "error", setv(ATT1, "pvd:agent", f"<{MAIRE}>")),
    ("misspelt property of an agreement", "ConventionClosed", "error", add(ADH, "pvd:partie", f"<{C}>")),
    ("misspelt property of a signing", "SigningClosed", "error", add(SADH, "pvd:sigend", f"<{ADH}>")),
    ("misspelt property of a signature", "AssociationClosed", "error", add(SIG1, "pvd:onBehalf", f"<{C}>")),
    ("misspelt property of an attendance", "AssociationClosed", "error", add(ATT1, "pvd:titleAsWriten", '"Sous-préfet"')),
    ("gYearMonth with month 13", "Signing-date", "error", setv(SADH, "pvd:date", '"2021-13"^^xsd:gYearMonth')),
    ("gMonthDay of 30 February", "Signing-date", "error", setv(SOPE, "pvd:date", '"--02-30"^^xsd:gMonthDay')),
    ("gYear that is no year", "Selection-date", "error", setv(SEL, "pvd:date", '"20x1"^^xsd:gYear')),
    ("estimated end in month 13", "Convention-estimatedEnd", "error", setv(ADH, "pvd:estimatedEnd", '"2026-13"^^xsd:gYearMonth')),
    ("reference year that is no year", "PopulationFigure-referenceYear", "error", setv(POP, "pvd:referenceYear", '"2021-"^^xsd:gYear')),
]


def _english_template(shape: URIRef) -> str:
    messages = list(SHAPES_GRAPH.objects(shape, SH.message))
    for constraint in SHAPES_GRAPH.objects(shape, SH.sparql):
        messages = list(SHAPES_GRAPH.objects(constraint, SH.message)) or messages
    return next(str(m) for m in messages if m.language == "en")


def _matches(template: str, message: str) -> bool:
    parts = re.split(r"\{[?$]\w+\}", template)
    return re.fullmatch(".*".join(re.escape(p) for p in parts), message, re.S) is not None


@pytest.mark.parametrize("shape, severity, update", [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_breaking_the_data_reports_that_shape(shape, severity, update):
    report = validate(mutated(update))
    hits = [i for i in report if i.code == shape]
    assert hits, f"{shape} not reported; got {sorted({i.code for i in report})}"
    assert {i.severity for i in hits} == {severity}
    assert all(_matches(_english_template(SHAPES[shape]), i.message) for i in hits)
    french = {str(m) for r in report.shacl_report.subjects(SH.sourceShape, SHAPES[shape])
              for m in report.shacl_report.objects(r, SH.resultMessage) if m.language == "fr"}
    assert french, "the French message is kept in the sh:ValidationReport"
    if severity == "warning":
        assert report.ok, "a warning alone is not a violation"


def test_the_fixture_conforms():
    report = validate(_BASE)
    assert len(report) == 0, report.to_text()


def test_every_shape_with_a_constraint_has_a_breaking_case():
    constraint_free = {SH.targetClass, SH.property, SH.severity, SH.message, RDF.type}
    shapes = {s for s in SHAPES_GRAPH.subjects(RDF.type, SH.PropertyShape)}
    shapes |= {s for s in SHAPES_GRAPH.subjects(RDF.type, SH.NodeShape)
               if set(SHAPES_GRAPH.predicates(s)) - constraint_free}
    covered = {SHAPES[m[1]] for m in MUTATIONS}
    assert shapes - covered == set()
    assert covered - shapes == set()


def test_every_shape_has_a_french_and_an_english_message():
    for shape in set(SHAPES_GRAPH.subjects(RDF.type, SH.NodeShape)) | set(SHAPES_GRAPH.subjects(RDF.type, SH.PropertyShape)):
        langs = sorted(m.language for m in SHAPES_GRAPH.objects(shape, SH.message))
        assert langs == ["en", "fr"], shape


def _commune_with_code(code: str, dep: str) -> str:
    return (setv(C, "igeo:codeINSEE", f'"{code}"') + f' ; DELETE WHERE {{ <{DEP}> igeo:codeINSEE ?c }} ; '
            f'INSERT DATA {{ <{DEP}> igeo:codeINSEE "{dep}" }}')


@pytest.mark.parametrize("code, dep, commune_ok, dep_ok", [
    ("62907", "62", True, True), ("2A004", "2A", True, True), ("2B033", "2B", True, True),
    ("97411", "974", True, True), ("97101", "971", True, True), ("01033", "01", True, True),
    ("20004", "20", False, False), ("2C004", "2C", False, False), ("97911", "979", False, False),
    ("9741", "974", False, True), ("62 907", "62", False, True), ("96001", "96", False, False),
])
def test_insee_codes_of_communes_and_departements(code, dep, commune_ok, dep_ok):
    codes = {i.code for i in validate(mutated(_commune_with_code(code, dep)))}
    assert ("Commune-codeINSEE" not in codes) is commune_ok
    assert ("Departement-codeINSEE" not in codes) is dep_ok


def test_older_figure_above_20000_is_not_the_latest():
    update = ('INSERT DATA { <commune/62907> pvd:population <commune/62907/population/1990> . '
              '<commune/62907/population/1990> a pvd:PopulationFigure ; pvd:count 25000 ; '
              'pvd:referenceYear "1990"^^xsd:gYear ; prov:wasDerivedFrom <source/anct-pvd/row/2> }')
    assert "LargePVDCommune" not in {i.code for i in validate(mutated(update))}
    latest = update.replace("1990", "2023")
    assert "LargePVDCommune" in {i.code for i in validate(mutated(latest))}


def test_large_commune_outside_pvd_is_not_warned():
    update = setv(POP, "pvd:count", "25000") + " ; " + drop(C, "pvd:inProgramme") + " ; " + drop(SEL, "pvd:commune")
    assert "LargePVDCommune" not in {i.code for i in validate(mutated(update))}


def test_a_date_without_year_is_not_compared():
    # "--01-18" cannot be placed before December 2020; only the inferred full date is compared.
    update = drop(SOPE, "pvd:inference")
    assert "ConventionAfterSelection" not in {i.code for i in validate(mutated(update))}


def test_a_signing_with_only_a_remark_is_accepted():
    update = drop(SADH, "pvd:date") + " ; " + add(SADH, "pvd:remark", '"la source ne donne pas de date"@fr')
    assert "SigningDate" not in {i.code for i in validate(mutated(update))}


def test_value_is_the_offending_literal():
    report = validate(mutated(setv(C, "igeo:codeINSEE", '"6290A"')))
    (issue,) = [i for i in report if i.code == "Commune-codeINSEE"]
    assert (issue.source, issue.field, issue.value) == ("https://w3id.org/pvd-kg/id/commune/62907", "igeo:codeINSEE", "6290A")
    assert "6290A" in {str(v) for v in report.shacl_report.objects(None, SH.value)}


# the fixture dates SADH "2021-07", SOPE "--01-18" and SEL "2020-12"
@pytest.mark.parametrize("node, other", [
    (SADH, '"2021-07-23"^^xsd:date'),  # the article's month, the ANCT list's day
    (SADH, '"2021"^^xsd:gYear'),
    (SOPE, '"2023-01-18"^^xsd:date'),  # day and month without year, then the full day
    (SOPE, '"2023-01"^^xsd:gYearMonth'),
    (SOPE, '"2023"^^xsd:gYear'),
    (SEL, '"2020-12-17"^^xsd:date'),
])
def test_dates_of_different_precision_that_agree_pass(node, other):
    report = validate(mutated(add(node, "pvd:date", other)))
    assert len(report) == 0, report.to_text()


@pytest.mark.parametrize("node, other", [
    (SADH, '"2022-07-23"^^xsd:date'), (SADH, '"2020"^^xsd:gYear'),
    (SOPE, '"--01-19"^^xsd:gMonthDay'), (SOPE, '"2023-02"^^xsd:gYearMonth'),
])
def test_dates_that_disagree_are_reported_once_per_pair(node, other):
    report = validate(mutated(add(node, "pvd:date", other)))
    hits = [i for i in report if i.code == "DatesAgree"]
    assert len(hits) == 1 and hits[0].source.endswith(node)


def test_convention_after_selection_with_several_dates():
    # an agreeing second date changes nothing; each date is compared with the selection
    assert "ConventionAfterSelection" not in {i.code for i in validate(mutated(add(SADH, "pvd:date", '"2021-07-23"^^xsd:date')))}
    report = validate(mutated(add(SADH, "pvd:date", '"2020-11-30"^^xsd:date')))
    assert {i.code for i in report} >= {"ConventionAfterSelection", "DatesAgree"}
    assert {i.value for i in report if i.code == "ConventionAfterSelection"} == {"2020-11-30"}


def test_a_second_signing_marked_as_a_conflicting_reading_is_accepted():
    marked = SECOND_SIGNING + f" ; INSERT DATA {{ <{SOPE}/2> pvd:conflictingReadingOf <{SOPE}> }}"
    assert "OneSigningPerConvention" not in {i.code for i in validate(mutated(marked))}


def test_a_signature_for_a_party_other_than_its_post_is_accepted():
    # "représenté par": the stand-in signs for a party, not for the organisation of its own post
    update = setv(SIG1, "pvd:onBehalfOf", "<organisation/caisse-des-depots>")
    assert "SignatureOnBehalfOfParty" not in {i.code for i in validate(mutated(update))}


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
@pytest.mark.parametrize("node, value", [
    (SADH, '"2021-07-23+02:00"^^xsd:date'), (SADH, '"2021-07Z"^^xsd:gYearMonth'), (SADH, '"2020-02-29"^^xsd:date'),
    (SOPE, '"--02-29"^^xsd:gMonthDay'), (SEL, '"2020"^^xsd:gYear'),
])
def test_well_typed_dates_pass_in_both_engines(engine, node, value):
    report = validate(mutated(setv(node, "pvd:date", value)), engine=engine)
    assert not [i for i in report if i.code.endswith("-date")], report.to_text()
