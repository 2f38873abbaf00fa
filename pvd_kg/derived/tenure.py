"""Dated tenures: every holding of a post (``person org:holds post``) becomes a ``pvd:Tenure``
(an ``org:Membership``: member, organisation, role, post) with one ``pvd:Attestation`` per dated
source that shows the person in the post:

- a source that states both the person and the post (a row of a table, a page) and has a date:
  the table's snapshot date (``pvd:snapshotDate``: the January 2021 PVD list gives "2021-01"), the
  page's publication date (``dcterms:issued``);
- a signature or an attendance in the post at a dated signing: the signing's most precise
  stated date (an inferred date is not an attestation; the query reports it beside).

A start and an end (``org:memberDuring``) are never derived: no shipped source gives them. A
curated graph that knows them states them on the same IRI (``iris.tenure``).
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Literal

from .. import iris
from ..ingest.emit import A, DCTERMS, GraphOut, ORG, PROV, PVD, XSD
from .pairs import grouped


#: the predicates this stage reads (pvd_kg.derived.pairs.index)
READS = (ORG.holds, ORG.postIn, ORG.role, PROV.wasDerivedFrom, DCTERMS.isPartOf, PVD.snapshotDate, DCTERMS.issued,
         PVD.agent, PVD.inPost, PVD.signature, PVD.attendance, PVD.date, PVD.inference, PVD.aboutProperty,
         PVD.inferredValue)


def derive_tenures(by: dict, key: str) -> GraphOut:
    """The ``key`` named graph of tenures for every holding of a post, from ``by`` (predicate ->
    ``(s, o)`` pairs of the whole graph, :func:`pvd_kg.derived.pairs.index`)."""
    out = GraphOut(key)
    holds = set(by[ORG.holds])
    post_in, role, part_of = dict(by[ORG.postIn]), dict(by[ORG.role]), dict(by[DCTERMS.isPartOf])
    dated = dict(by[PVD.snapshotDate] + by[DCTERMS.issued])
    agent, in_post = dict(by[PVD.agent]), dict(by[PVD.inPost])
    about, inferred = dict(by[PVD.aboutProperty]), dict(by[PVD.inferredValue])
    at_signing = {o: s for s, o in by[PVD.signature] + by[PVD.attendance]}
    derived, signing_dates = grouped(by[PROV.wasDerivedFrom]), grouped(by[PVD.date])
    inference_of = grouped(by[PVD.inference])
    date_guess = {signing: i for signing, found in inference_of.items() for i in found
                  if about.get(i) == PVD.date and i in inferred}
    by_holding = defaultdict(list)
    for assoc, person in agent.items():
        signing = at_signing.get(assoc)
        if assoc in in_post and signing is not None and signing_dates[signing]:
            by_holding[(person, in_post[assoc])].append((_most_precise(signing_dates[signing]), assoc))
    for person, post in sorted(holds):
        if post not in post_in or post not in role:
            continue
        tenure = iris.tenure(post, person)
        out.add(tenure, A, PVD.Tenure)
        out.add(tenure, ORG.member, person)
        out.add(tenure, ORG.organization, post_in[post])
        out.add(tenure, ORG.role, role[post])
        out.add(tenure, PVD.post, post)
        attestations = [(dated[part_of[src]], src) for src in sorted(derived[person] & derived[post])
                        if part_of.get(src) in dated]
        attestations += sorted(set(by_holding[(person, post)]))
        for src in sorted((derived[person] & derived[post]) or (derived[person] | derived[post])):
            out.add(tenure, PROV.wasDerivedFrom, src)
        for n, (day, src) in enumerate(attestations, 1):
            node = iris.attestation(tenure, n)
            out.add(tenure, PVD.attestation, node)
            out.add(node, A, PVD.Attestation)
            out.add(node, PVD.attestedOn, day)
            out.add(node, PROV.wasDerivedFrom, src)
            out.add(tenure, PROV.wasDerivedFrom, src)
            guess = date_guess.get(at_signing.get(src))
            if guess is not None and day.datatype != XSD.date:
                _completed(out, node, guess, inferred[guess])
    out.triples = list(dict.fromkeys(out.triples))
    return out


def _completed(out: GraphOut, node, guess, value) -> None:
    """The attestation's date completed by the signing's inferred date (never put in pvd:attestedOn)."""
    inference = iris.inference(node, "attestedOn")
    out.add(node, PVD.inference, inference)
    out.add(inference, A, PVD.Inference)
    out.add(inference, PVD.aboutProperty, PVD.attestedOn)
    out.add(inference, PVD.inferredValue, value)
    out.add(inference, PVD.reason, Literal(REASON_EN, lang="en"))
    out.add(inference, PVD.reason, Literal(REASON_FR, lang="fr"))
    out.add(inference, PROV.wasDerivedFrom, guess)


REASON_EN = "The signing's stated date is partial; its inferred date (the signing's own pvd:Inference) completes it."
REASON_FR = "La date de la signature est partielle ; sa date déduite (la pvd:Inference de la signature) la complète."


def _most_precise(dates):
    """The longest ISO form (day > month or day-and-month > year), as the queries choose."""
    return max(dates, key=lambda d: (len(str(d)), str(d)))
