"""Where a curated graph (``graph/libercourt.ttl``) and the source graphs speak of the same
node, compare what they say and report each agreement (info) and contradiction (warning).

Compared: dates of signings (on their common ISO prefix, so "juillet 2021" agrees with
2021-07-23; an inferred value counts; a curated convention without a source signing is
compared through its ``rdfs:seeAlso`` convention). A source and the curated graph date the SAME
signing node, each in its own named graph (docs/model.md, dates), so the source's dates are
read from the source's own triples, never from the merged graph; links to places and organisations, codes,
and names (a curated ``skos:altLabel`` such as "Agglo Hénin-Carvin" may match too).
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Graph, Literal, URIRef

from ..report import INFO, WARNING, Issue
from ..vocab import FOAF, IGEO, PROV, PVD, RDF, RDFS, SKOS

LINKS = (PVD.memberOfEPCI, PVD.inDepartement, PVD.inRegion, PVD.inArrondissement, PVD.status,
         PVD.programme, PVD.concerns, PVD.legalForm)
CODES = (IGEO.codeINSEE, PVD.siren)
#: the nodes whose rdfs:label a source states (a name column); the ingest composes the others'
#: ("Convention d'adhésion Petites villes de demain de Libercourt"), so agreeing with them proves nothing
NAMED_BY_SOURCES = (PVD.Commune, PVD.Departement, PVD.Region, PVD.Arrondissement, PVD.EPCI, FOAF.Person)
_ROW = "/row/"


def _prefixed(iri) -> str:
    for ns, p in ((PVD, "pvd:"), (IGEO, "igeo:"), (RDFS, "rdfs:"), (SKOS, "skos:")):
        if str(iri).startswith(str(ns)):
            return p + str(iri)[len(str(ns)):]
    return str(iri)


def _same_date(curated: Literal, stated: str) -> bool:
    """Curated date (any precision) against a full ISO day, on what both say.

    >>> from rdflib import Literal, XSD
    >>> _same_date(Literal("2021-07", datatype=XSD.gYearMonth), "2021-07-23")
    True
    >>> _same_date(Literal("--01-18", datatype=XSD.gMonthDay), "2023-01-18")
    True
    >>> _same_date(Literal("2023-02", datatype=XSD.gYearMonth), "2023-01-18")
    False
    """
    text = str(curated)
    if text.startswith("--"):
        return stated[4:] == text[1:]
    return stated.startswith(text) or text.startswith(stated)


dates_agree = _same_date  # also the rule of pvd-kg extract --reconcile (pvd_kg/extract/reconcile.py)


def reconcile(curated: Graph, result, curated_name: str) -> list[Issue]:
    """Compare ``curated`` with the source graphs of an ingest ``result``.

    :param curated: the curated graph.
    :param result: a :class:`pvd_kg.ingest.build.IngestResult`.
    :param curated_name: how issues name the curated file (``graph/libercourt.ttl``).
    :returns: one issue per compared fact.
    """
    return reconcile_all([(curated, curated_name)], result)


def reconcile_all(curated: list[tuple[Graph, str]], result) -> list[Issue]:
    """:func:`reconcile` of each ``(graph, name)`` of ``curated`` in turn, their issues in that
    order: the source graphs are read once for all of them (one pass over 200k triples per
    curated file was most of the build's time)."""
    index = _SourceIndex(result, [graph for graph, _ in curated])
    return [issue for graph, name in curated for issue in _reconcile(graph, index, name)]


class _SourceIndex:
    """What the source graphs of ``result`` say that the curated graphs can be compared with:
    the values of every node a curated graph describes and every dated node, the signings of
    every convention they describe or see also, and the source rows of those nodes and of
    every signing."""

    def __init__(self, result, curated: list[Graph]):
        self.result = result
        self.subjects = set().union(*(set(g.subjects()) for g in curated))
        wanted = self.subjects.union(*(set(g.objects(None, RDFS.seeAlso)) for g in curated))
        self.signings_of: dict = {}
        self.facts: dict = defaultdict(list)  # (s, p) -> values
        self.origin: dict = defaultdict(set)  # (s, p) -> source keys
        self.rows: dict = {}  # (s, key) -> "file:line"
        subjects = self.subjects
        signed, derived, dated = str(PVD.signed), str(PROV.wasDerivedFrom), str(PVD.date)
        for key, out in result.outputs.items():
            name = result.files[key].name
            for s, p, o in out.triples:  # 200k triples: plain str comparisons, no rdflib __eq__
                ps = str.__str__(p)
                if ps == derived:
                    if s in subjects or "/signing/" in s:
                        self.rows.setdefault((s, key), f"{name}:{o.rsplit('/', 1)[1]}" if _ROW in o else None)
                    continue
                if ps == signed and o in wanted:
                    self.signings_of.setdefault(o, []).append(s)
                if ps == dated or s in subjects:
                    self.facts[(s, p)].append(o)
                    self.origin[(s, p)].add(key)


def _reconcile(curated: Graph, index: _SourceIndex, curated_name: str) -> list[Issue]:
    """:func:`reconcile` of one curated graph, reading the sources from ``index``: only what
    this graph's own pass over the sources would have kept counts."""
    result = index.result
    subjects = set(curated.subjects())
    wanted = subjects | {o for o in curated.objects(None, RDFS.seeAlso)}
    facts, origin = index.facts, index.origin

    def signings_of(convention) -> list:
        return index.signings_of.get(convention, []) if convention in wanted else []

    def row(s, key):
        return index.rows.get((s, key)) if s in subjects or "/signing/" in s else None

    def where(s, p=None) -> str:
        keys = sorted(origin.get((s, p), ())) if p is not None else [k for k in result.outputs]
        found = [row(s, k) for k in keys if row(s, k)]
        return ", ".join(found) or "the sources"

    issues: list[Issue] = []

    def say(agree: bool, node, prop, value, message):
        issues.append(Issue(INFO if agree else WARNING, message, source=curated_name, field=_prefixed(prop),
                            value=str(value), code="reconcile-agrees" if agree else "reconcile-contradicts"))

    for s in sorted(subjects, key=str):
        if not isinstance(s, URIRef):
            continue
        for prop in LINKS + CODES:
            mine = set(curated.objects(s, prop))
            theirs = set(facts.get((s, prop), ()))
            if mine and theirs:
                agree = bool(mine & theirs)
                say(agree, s, prop, ", ".join(sorted(map(str, mine))),
                    f"{s} {'agrees with' if agree else 'contradicts'} {where(s, prop)}: {', '.join(sorted(map(str, theirs)))}")
        theirs = {str(o) for o in facts.get((s, RDFS.label), ())}
        mine = {str(o) for o in curated.objects(s, RDFS.label)} | {str(o) for o in curated.objects(s, SKOS.altLabel)}
        if theirs and mine and set(facts.get((s, RDF.type), ())) & set(NAMED_BY_SOURCES):
            agree = bool(mine & theirs)
            say(agree, s, RDFS.label, ", ".join(sorted(mine)),
                f"{s} name {'agrees with' if agree else 'differs from'} {where(s, RDFS.label)}: {', '.join(sorted(theirs))}")
    for signing in sorted(set(curated.subjects(PVD.signed, None)), key=str):
        convention = curated.value(signing, PVD.signed)
        stated = list(curated.objects(signing, PVD.date))
        inferred = [curated.value(n, PVD.inferredValue) for n in curated.objects(signing, PVD.inference)]
        via = ""
        source_dates = [(sig, d) for sig in signings_of(convention) for d in facts.get((sig, PVD.date), ())]
        if not source_dates:
            for other in curated.objects(convention, RDFS.seeAlso):
                for sig in signings_of(other):
                    source_dates += [(sig, d) for d in facts.get((sig, PVD.date), ())]
                via = f" (through rdfs:seeAlso {other})"
        for sig, day in source_dates:
            at = where(sig, PVD.date)
            for value, how in [(v, "stated") for v in stated] + [(v, "inferred") for v in inferred if v is not None]:
                agree = _same_date(value, str(day))
                say(agree, signing, PVD.date, value,
                    f"{signing} date ({how}) {'agrees with' if agree else 'contradicts'} {at}: {day}{via}")
    return issues
