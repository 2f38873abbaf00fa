"""Write extracted events in the project's model (docs/model.md), one named graph per input.

What is written, per event whose kind the model has (adhésion, opérationnelle, ORT, ACV, or a
PVD convention of unstated kind as ``pvd:Convention``) and that names a commune with its INSEE
code: the convention (the first commune concerns it; other communes, the EPCI and the
signatories' organisations are parties), its signing when the text says it is signed (the date
with its precision, or a ``pvd:Inference`` for an inferred year, or a remark that the text gives
none), signatures and attendances with persons and posts, the town's axes, and every node's
``prov:wasDerivedFrom`` the article's sentences (``pvd:Excerpt``) and, for codes the text does not
state, the rows of the shipped tables. A planned convention gets ``id:status/non-signee`` and no
signing. People whose title has no concept in the role scheme, avenants and unrelated
conventions stay in the JSON only (the model has no place for them).
"""

from __future__ import annotations

import hashlib
import re

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from .. import iris
from ..vocab import IGEO, ORG, PVD, SCHEMA, bind_prefixes
from . import gazetteer as G

CLASSES = {"adhesion": PVD.AdhesionConvention, "operationnelle": PVD.OperationalConvention,
           "ort": PVD.ORTConvention, "acv": PVD.ACVConvention, "pvd": PVD.Convention}
PROGRAMMES = {"adhesion": "pvd", "operationnelle": "pvd", "ort": "ort", "acv": "acv", "pvd": "pvd"}
KIND_LABELS = {"adhesion": "d'adhésion Petites villes de demain", "operationnelle":
               "opérationnelle Petites villes de demain", "ort": "d'opération de revitalisation de territoire",
               "acv": "Action cœur de ville", "pvd": "Petites villes de demain"}
DATATYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear, "day-month": XSD.gMonthDay}
ROLE_LABELS = {"maire": "Maire", "adjoint-au-maire": "Adjoint au maire", "president": "Président",
               "vice-president": "Vice-président", "prefet": "Préfet", "sous-prefet": "Sous-préfet",
               "directeur-territorial": "Direction territoriale", "directeur-general": "Direction générale",
               "directeur-general-adjoint": "Direction générale adjointe", "chef-de-projet": "Chef de projet"}
_CDC = {"caisse des depots", "caisse des depots et consignations", "banque des territoires"}


def source_key(doc: dict) -> str:
    """The slug naming an input: its URL without the scheme, else its file name."""
    src = doc["source"]
    if src.get("url"):
        return iris.slug(re.sub(r"^[a-z]+://", "", src["url"]))[:120]
    return iris.slug((src.get("file") or "input").rsplit("/", 1)[-1].rsplit(".", 1)[0])[:120] or "input"


def serialize(docs: list[dict], fmt: str = "trig", accepted_only: bool = False) -> str:
    """TriG (one named graph per input) or Turtle (all inputs in one graph) of ``docs``."""
    ds = to_dataset(docs, accepted_only)
    if fmt == "turtle":
        g = Graph()
        bind_prefixes(g)
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g.serialize(format="turtle")
    return ds.serialize(format="trig")


def to_dataset(docs: list[dict], accepted_only: bool = False) -> Dataset:
    ds = Dataset()
    bind_prefixes(ds)
    once: set = set()  # (subject, property) of single-valued facts already written by an earlier input
    for doc in docs:
        key = source_key(doc)
        _Writer(ds.graph(iris.graph(f"extract-{key}")), doc, key, accepted_only, once).write()
    return ds


def association_number(person: URIRef) -> int:
    """A stable number for a person's signature or attendance: two sources that name one signatory
    of one signing give one node, and it never meets the small numbers of the curated graphs."""
    return 1000 + int(hashlib.sha1(str(person).encode()).hexdigest()[:7], 16)


def _keep(item: dict, accepted_only: bool) -> bool:
    return item.get("accepted") is True if accepted_only else item.get("accepted") is not False


class _Writer:
    def __init__(self, graph: Graph, doc: dict, key: str, accepted_only: bool, once: set):
        self.g, self.doc, self.key, self.accepted_only, self.once = graph, doc, key, accepted_only, once
        self.gaz = G.load()
        src = doc["source"]
        self.article = URIRef(src["url"]) if src.get("url") else iris.source(key)
        self.excerpts: list[tuple[int, int, URIRef]] = []

    def add(self, *triple):
        self.g.add(triple)

    def add_once(self, s, p, o):
        """A fact the shapes allow once (a name, a title): the first input that states it wins."""
        if (s, p) not in self.once:
            self.once.add((s, p))
            self.g.add((s, p, o))

    # --- sources ---------------------------------------------------------------------------
    def write(self) -> None:
        events = [e for e in self.doc["events"] if _keep(e, self.accepted_only)]
        spans = sorted({(ev["start"], ev["end"]) for e in events for ev in e.get("evidence", [])}
                       | {(a["evidence"]["start"], a["evidence"]["end"]) for e in events for a in e["axes"]})
        for n, (a, b) in enumerate(spans, 1):
            self.excerpts.append((a, b, iris.excerpt(self.key, n)))
        written = [e for e in events if self.event(e)]
        if not written:
            return
        src = self.doc["source"]
        self.add(self.article, RDF.type, SCHEMA.NewsArticle)
        self.add(self.article, RDF.type, FOAF.Document)
        self.add(self.article, RDF.type, PROV.Entity)
        self.add(self.article, DCTERMS.language, Literal("fr"))
        if src.get("title"):
            self.add(self.article, DCTERMS.title, Literal(src["title"], lang="fr"))
        if src.get("published"):
            self.add(self.article, DCTERMS.issued, Literal(src["published"], datatype=XSD.date))
        used = {o for o in self.g.objects(None, PROV.wasDerivedFrom)}
        for n, (a, b, iri) in enumerate(self.excerpts, 1):
            if iri not in used:
                continue
            self.add(iri, RDF.type, PVD.Excerpt)
            self.add(iri, RDF.type, PROV.Entity)
            self.add(iri, PVD.quote, Literal(" ".join(self.doc["text"][a:b].split()), lang="fr"))
            self.add(iri, PVD.position, Literal(n))
            self.add(iri, DCTERMS.isPartOf, self.article)

    def excerpt(self, evidence: dict) -> URIRef:
        """The sentence (excerpt) that holds an evidence span; the span itself if none does."""
        a, b = evidence["start"], evidence["end"]
        for s, e, iri in self.excerpts:
            if s <= a and b <= e:
                return iri
        iri = iris.excerpt(self.key, len(self.excerpts) + 1)
        self.excerpts.append((a, b, iri))
        return iri

    def row(self, source: str, line: int) -> URIRef:
        iri = iris.source_row(source, line)
        self.add(iri, RDF.type, PVD.SourceRow)
        self.add(iri, RDF.type, PROV.Entity)
        self.add(iri, PVD.line, Literal(line))
        self.add(iri, DCTERMS.isPartOf, iris.source(source))
        return iri

    # --- places -----------------------------------------------------------------------------
    def departement(self, code: str) -> URIRef:
        name, reg, reg_name, line = self.gaz.departements[code]
        dep, region = iris.departement(code), iris.region(reg)
        row = self.row("insee-departements", line)
        self.add(dep, RDF.type, PVD.Departement)
        self.add(dep, IGEO.codeINSEE, Literal(code))
        self.add(dep, RDFS.label, Literal(name, lang="fr"))
        self.add(dep, PVD.inRegion, region)
        self.add(dep, PROV.wasDerivedFrom, row)
        self.add(region, RDF.type, PVD.Region)
        self.add(region, IGEO.codeINSEE, Literal(reg))
        self.add(region, RDFS.label, Literal(reg_name, lang="fr"))
        self.add(region, PROV.wasDerivedFrom, row)
        return dep

    def commune(self, item: dict) -> URIRef:
        c = self.gaz.communes[item["insee"]]
        iri = iris.commune(c.insee)
        self.add(iri, RDF.type, PVD.Commune)
        self.add(iri, IGEO.codeINSEE, Literal(c.insee))
        self.add(iri, RDFS.label, Literal(c.name, lang="fr"))
        self.add(iri, PVD.inDepartement, self.departement(c.dep))
        self.add(iri, PROV.wasDerivedFrom, self.row("insee-cog-2024", c.line))
        self.add(iri, PROV.wasDerivedFrom, self.excerpt(item["evidence"]))
        return iri

    def epci(self, item: dict, communes: list[str]) -> URIRef:
        siren = item["siren"]
        iri = iris.epci(siren)
        self.add(iri, RDF.type, PVD.EPCI)
        self.add(iri, PVD.siren, Literal(siren))
        self.add(iri, RDFS.label, Literal(self.gaz.epcis[siren], lang="fr"))
        if G.fold(item["as_written"]) != G.fold(self.gaz.epcis[siren]):
            self.add(iri, SKOS.altLabel, Literal(item["as_written"], lang="fr"))
        for dep in sorted(self.gaz.epci_deps.get(siren, ())):
            self.add(iri, PVD.inDepartement, self.departement(dep))
        line = next(line for com, (s, line) in sorted(self.gaz.epci_of.items()) if s == siren)
        self.add(iri, PROV.wasDerivedFrom, self.row("epci-com-2023", line))
        self.add(iri, PROV.wasDerivedFrom, self.excerpt(item["evidence"]))
        for insee in communes:
            member = self.gaz.epci_of.get(insee)
            if member and member[0] == siren:
                self.add(iris.commune(insee), PVD.memberOfEPCI, iri)
                self.add(iris.commune(insee), PROV.wasDerivedFrom, self.row("epci-com-2023", member[1]))
        return iri

    def organisation(self, label: str, cls, evidence: dict, serves: URIRef | None = None,
                     key: str | None = None) -> URIRef:
        key = "caisse-des-depots" if G.fold(label) in _CDC else key or label
        iri = iris.organisation(key)
        if key == "caisse-des-depots":
            label, cls = "Caisse des Dépôts et Consignations", PVD.FinancialInstitution
        self.add(iri, RDF.type, cls)
        self.add(iri, RDFS.label, Literal(label, lang="fr"))
        if serves is not None:
            self.add(iri, PVD.serves, serves)
        self.add(iri, PROV.wasDerivedFrom, self.excerpt(evidence))
        return iri

    # --- events -----------------------------------------------------------------------------
    def event(self, e: dict) -> bool:
        if e["kind"] not in CLASSES:
            return False
        linked = [c for c in e["communes"] if c.get("insee")]
        if not linked:
            return False
        main = linked[0]["insee"]
        kind = e["kind"]
        ev_src = [self.excerpt(ev) for ev in e.get("evidence", [])] or [self.excerpt(e["kind_evidence"])]
        communes = [self.commune(c) for c in linked]
        epcis = [self.epci(x, [c["insee"] for c in linked]) for x in e["epcis"] if x.get("siren")]
        name = self.gaz.communes[main].name
        # a convention-cadre "valant ORT" is one act of both kinds, with the ORT's IRIs
        # (docs/decisions/0005-acts-and-membership.md)
        kinds = [kind, "ort"] if kind == "operationnelle" and e.get("valant_ort") else [kind]
        conv = iris.convention(kinds[-1], main)
        label = KIND_LABELS[kind] + (" valant ORT" if len(kinds) > 1 else "")
        for k in kinds:
            self.add(conv, RDF.type, CLASSES[k])
            self.add(conv, PVD.programme, iris.programme(PROGRAMMES[k]))
        self.add(conv, RDFS.label, Literal(f"Convention {label} de {name}", lang="fr"))
        self.add(conv, PVD.concerns, communes[0])
        for party in communes + epcis:
            self.add(conv, PVD.party, party)
        for s in ev_src:
            self.add(conv, PROV.wasDerivedFrom, s)
        if e["status"] == "planned":
            self.add(conv, PVD.status, iris.concept("status", "non-signee"))
            if e["date"]:
                self.add(conv, PVD.plannedSigning, Literal(e["date"]["evidence"]["text"]))
            return True
        if e["status"] != "signed":
            return True
        self.add(conv, PVD.status, iris.concept("status", "signee"))
        signing = iris.signing(kinds[-1], main)
        self.add(signing, RDF.type, PVD.Signing)
        self.add(signing, RDFS.label, Literal(f"Signature de la convention {label} de {name}", lang="fr"))
        self.add(signing, PVD.signed, conv)
        for s in ev_src:
            self.add(signing, PROV.wasDerivedFrom, s)
        d = e["date"]
        if d:
            self.add(signing, PVD.date, Literal(d["value"], datatype=DATATYPES[d["precision"]]))
            if d["year_inferred"]:
                inf = iris.inference(signing, "date")
                self.add(signing, PVD.inference, inf)
                self.add(inf, RDF.type, PVD.Inference)
                self.add(inf, PVD.aboutProperty, PVD.date)
                self.add(inf, PVD.inferredValue, Literal(d["year_inferred"]["value"], datatype=XSD.date))
                self.add(inf, PVD.reason, Literal(d["year_inferred"]["reason"], lang="en"))
                if d["year_inferred"].get("reason_fr"):
                    self.add(inf, PVD.reason, Literal(d["year_inferred"]["reason_fr"], lang="fr"))
                self.add(inf, PROV.wasDerivedFrom, self.excerpt(d["evidence"]))
        else:
            self.add(signing, PVD.remark, Literal("The source does not date the signing.", lang="en"))
        if e.get("place") and e["place"].get("insee") and e["place"]["insee"] in [c["insee"] for c in linked]:
            self.add(signing, PVD.place, iris.commune(e["place"]["insee"]))
        n = {"signature": 0, "attendance": 0}
        for what, people in (("signature", e["signatories"]), ("attendance", e["present"])):
            for person in people:
                if not _keep(person, self.accepted_only):
                    continue
                made = self.association(signing, what, n[what] + 1, person, e, main, communes, epcis)
                if made is not None:
                    n[what] += 1
                    self.add(signing, PVD.signature if what == "signature" else PVD.attendance, made)
                    if what == "signature":
                        self.add(conv, PVD.party, self.g.value(made, PVD.onBehalfOf))
        if e["axes"]:
            self.axes(main, e["axes"])
        return True

    def org_of(self, p: dict, main: str, communes: list, epcis: list) -> URIRef | None:
        role, org = p["role"], p["organisation_as_written"] or ""
        folded = G.fold(org)
        dep = self.gaz.communes[main].dep
        if role in ("maire", "adjoint-au-maire", "chef-de-projet"):
            for iri in communes:
                if G.fold(self.gaz.communes[str(iri).rsplit("/", 1)[1]].name) in folded:
                    return iri
            return communes[0]
        if role == "prefet":
            return self.organisation(f"Préfecture {self.gaz.departements[dep][0]}", PVD.StateService,
                                     p["evidence"], iris.departement(dep))
        if role == "sous-prefet":
            town = org or self.gaz.departements[dep][0]
            # the IRI as the curated graphs mint it (no "de"), the label as French writes it
            return self.organisation(f"Sous-préfecture {_of(town)}", PVD.StateService, p["evidence"],
                                     iris.departement(dep), key=f"Sous-préfecture {town}")
        if epcis and re.search(r"\b(?:communaute|cc|ca|agglo|agglomeration|intercom)\b", folded):
            return epcis[0]
        if not org:
            return None
        if role in ("directeur-territorial", "directeur-general", "directeur-general-adjoint") and G.fold(org) in _CDC:
            return self.organisation(org, PVD.FinancialInstitution, p["evidence"])
        return self.organisation(re.sub(r"^(?:la|le|les|l['’])\s*", "", org, flags=re.I), ORG.FormalOrganization,
                                 p["evidence"])

    def association(self, signing, what, n, p, e, main, communes, epcis):
        actual = p["represented_by"] or p
        if not actual.get("family_name") or not actual.get("role"):
            return None
        org = self.org_of(actual, main, communes, epcis)
        if org is None:
            return None
        src = self.excerpt(actual["evidence"])
        person = iris.person(main, actual["family_name"])
        post = iris.post(org, actual["role"])
        self.add(person, RDF.type, FOAF.Person)
        self.add(person, RDF.type, PROV.Person)
        self.add(person, RDF.type, SCHEMA.Person)
        self.add_once(person, FOAF.familyName, Literal(actual["family_name"]))
        self.add_once(person, FOAF.name, Literal(actual["name_as_written"]))
        if actual.get("given_name"):
            self.add_once(person, FOAF.givenName, Literal(actual["given_name"]))
        if actual.get("civility"):
            self.add_once(person, SCHEMA.honorificPrefix, Literal(actual["civility"]))
        label = f"{actual['civility']} {actual['name_as_written']}" if actual.get("civility") else actual["name_as_written"]
        self.add_once(person, RDFS.label, Literal(label))
        self.add(person, ORG.holds, post)
        self.add(person, PROV.wasDerivedFrom, src)
        org_label = self.g.value(org, RDFS.label) or self.gaz.epcis.get(str(org).rsplit("/", 1)[1], "")
        self.add(post, RDF.type, ORG.Post)
        self.add(post, RDFS.label, Literal(f"{ROLE_LABELS[actual['role']]} — {org_label}", lang="fr"))
        self.add(post, ORG.postIn, org)
        self.add(post, ORG.role, iris.role(actual["role"]))
        self.add(post, ORG.heldBy, person)
        self.add(post, PROV.wasDerivedFrom, src)
        assoc = iris.association(signing, what, association_number(person))
        self.add(assoc, RDF.type, PVD.Signature if what == "signature" else PVD.Attendance)
        self.add(assoc, PVD.agent, person)
        self.add(assoc, PVD.inPost, post)
        self.add(assoc, PVD.onBehalfOf, org)
        if actual.get("title_as_written"):
            self.add_once(assoc, PVD.titleAsWritten, Literal(actual["title_as_written"]))
        if p["represented_by"]:
            self.add(assoc, RDFS.comment, Literal(
                f"Signed on behalf of « {p.get('title_as_written') or p.get('name_as_written')} » "
                f"(« représenté par » {actual['name_as_written']}).", lang="en"))
        self.add(assoc, PROV.wasDerivedFrom, src)
        return assoc

    def axes(self, insee: str, axes: list) -> None:
        name = self.gaz.communes[insee].name
        project, scheme = iris.project(insee), iris.axis_scheme(insee)
        srcs = [self.excerpt(a["evidence"]) for a in axes]
        self.add(project, RDF.type, PVD.TerritorialProject)
        self.add(project, RDFS.label, Literal(f"Projet de territoire de {name}", lang="fr"))
        self.add(project, PVD.commune, iris.commune(insee))
        self.add(project, PVD.axes, scheme)
        self.add(project, PROV.wasDerivedFrom, srcs[0])
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.add(scheme, SKOS.prefLabel, Literal(f"Axes du projet de territoire de {name}", lang="fr"))
        for a, src in zip(axes, srcs):
            axis = iris.axis(insee, a["order"])
            self.add(scheme, SKOS.hasTopConcept, axis)
            self.add(axis, RDF.type, PVD.StrategicAxis)
            self.add(axis, SKOS.prefLabel, Literal(a["label"], lang="fr"))
            self.add(axis, SKOS.notation, Literal(str(a["order"])))
            self.add(axis, PVD.order, Literal(a["order"]))
            self.add(axis, SKOS.inScheme, scheme)
            self.add(axis, SKOS.topConceptOf, scheme)
            self.add(axis, PROV.wasDerivedFrom, src)


__all__ = ["serialize", "to_dataset", "source_key", "association_number"]


def _of(town: str) -> str:
    """``de`` before a town's name, elided before a vowel or a mute h.

    >>> _of("Soissons"), _of("Issoire")
    ('de Soissons', "d'Issoire")
    """
    return ("d'" if G.fold(town[:1]) in "aeiouyh" else "de ") + town
