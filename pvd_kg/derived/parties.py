"""Parties by rule: every convention of a class a ``pvd:ProgrammeRule`` applies to gets, for each
kind of party the rule names, the organisations of that kind (``pvd:partyByRule``) and the rule
itself (``pvd:partyRule``), which cites the documents that state it.

The rules are read from the graph (``graph/programme-rules.ttl``), the conventions, their
communes, EPCIs and départements too: nothing is known here about any particular convention.
A party by rule is never written as ``pvd:party`` (what a source names).
"""

from __future__ import annotations

from .. import iris
from ..ingest.emit import A, GraphOut, PROV, PVD, RDFS, fr
from .pairs import grouped

KIND_COMMUNE, KIND_EPCI, KIND_ETAT = (iris.concept("party-kind", k) for k in ("commune", "epci", "etat"))
PREFECTURE = str(iris.organisation("prefecture")) + "-"  # iris.prefecture(code) starts so


#: the predicates this stage reads (pvd_kg.derived.pairs.index)
READS = (A, PVD.appliesTo, PVD.partyKind, PVD.concerns, PVD.memberOfEPCI, PVD.inDepartement, RDFS.label)


def derive_parties(by: dict, key: str) -> GraphOut:
    """The ``key`` named graph of parties by rule, from ``by`` (predicate -> ``(s, o)`` pairs of
    the whole graph, :func:`pvd_kg.derived.pairs.index`)."""
    out = GraphOut(key)
    applies, kinds = grouped(by[PVD.appliesTo]), grouped(by[PVD.partyKind])
    types, concerns = grouped((o, s) for s, o in by[A]), grouped(by[PVD.concerns])
    epci = dict(by[PVD.memberOfEPCI])
    dep: dict = {}
    for s, o in by[PVD.inDepartement]:
        dep.setdefault(s, o)
    labelled, dep_label = set(), {}
    for s, o in by[RDFS.label]:
        labelled.add(s)
        if getattr(o, "language", None) == "fr":
            dep_label.setdefault(s, str(o))
    described: set = set()
    for rule in sorted(types[PVD.ProgrammeRule]):
        for cls in applies[rule]:
            for conv in types[cls]:
                out.add(conv, PVD.partyRule, rule)
                for org in sorted(set(_parties(kinds[rule], concerns[conv], epci, dep))):
                    out.add(conv, PVD.partyByRule, org)
                    if str(org).startswith(PREFECTURE) and org not in labelled \
                            and org not in described:
                        described.add(org)
                        _describe_prefecture(out, org, _departement_of(org, concerns[conv], dep), dep_label, rule)
    out.triples = list(dict.fromkeys(out.triples))
    return out


def _parties(kinds, communes, epci, dep):
    for commune in communes:
        if KIND_COMMUNE in kinds:
            yield commune
        if KIND_EPCI in kinds and commune in epci:
            yield epci[commune]
        if KIND_ETAT in kinds and commune in dep:
            yield iris.prefecture(str(dep[commune]).rsplit("/", 1)[1])


def _departement_of(prefecture, communes, dep):
    return next(dep[c] for c in communes if c in dep and iris.prefecture(str(dep[c]).rsplit("/", 1)[1]) == prefecture)


def _describe_prefecture(out: GraphOut, org, departement, dep_label, rule) -> None:
    """A prefecture no source describes: a State service of the département, derived from the rule."""
    out.add(org, A, PVD.StateService)
    name = dep_label.get(departement, str(departement).rsplit("/", 1)[1])
    out.add(org, RDFS.label, fr(f"Préfecture ({name})"))
    out.add(org, PVD.serves, departement)
    out.add(org, PROV.wasDerivedFrom, rule)

