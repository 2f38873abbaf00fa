"""``pvd-kg extract --reconcile``: check each extracted event against what the store knows.

For each event that names a commune with its INSEE code:

- ``lists``: the programmes the store puts the commune in (``pvd:inProgramme``: PVD, ACV, ORT);
  a commune in none is reported;
- ``date``: the event's date against the signing dates the tables state for that convention
  (``id:signing/{adhesion|ort|acv}/{INSEE}``; a convention opérationnelle or convention-cadre is
  compared with the ORT table, as the Libercourt reconciliation does through ``rdfs:seeAlso``),
  with the same rule (:func:`pvd_kg.ingest.reconcile.dates_agree`: a less precise date agrees
  with a more precise one on what both state; an inferred year counts);
- ``same-event``: two inputs of one run that tell the same convention of the same commune are one
  signing with two sources (the RDF output gives them one node); their dates are compared and a
  disagreement is reported, never merged silently.

Each check adds ``{check, agrees, message}`` to the event's ``reconciliation`` list
(``agrees`` is null when there is nothing to compare). The store is only read.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Literal

from .. import iris, queries
from ..ingest.reconcile import dates_agree

TABLE_KIND = {"adhesion": "adhesion", "ort": "ort", "operationnelle": "ort", "acv": "acv"}
PROGRAMMES = {"pvd": "PVD", "acv": "ACV", "ort": "ORT"}


def _programmes(store, insee: str) -> set[str]:
    rows = queries.run(f"SELECT DISTINCT ?p WHERE {{ <{iris.commune(insee)}> pvd:inProgramme ?p }}", store).dicts()
    return {str(r["p"]).rsplit("/", 1)[1] for r in rows}


def _table_dates(store, kind: str, insee: str) -> list[tuple[str, str]]:
    signing = iris.signing(kind, insee)
    rows = queries.run(f"SELECT ?d ?g WHERE {{ GRAPH ?g {{ <{signing}> pvd:date ?d }} "
                       f"FILTER (STRSTARTS(STR(?g), STR(pvdg:)) && !STRSTARTS(STR(?g), STR(pvdg:extract-))) }}",
                       store).dicts()
    return [(str(r["d"]), str(r["g"]).rsplit("/", 1)[1]) for r in rows]


def _values(event: dict) -> list[tuple[str, str]]:
    d = event.get("date")
    if not d:
        return []
    out = [(d["value"], "stated")]
    if d.get("year_inferred"):
        out.append((d["year_inferred"]["value"], "inferred"))
    return out


def agree(a: str, b: str) -> bool:
    """Two ISO dates of any precision agree on what both state.

    >>> agree("2022-10", "2022-10-19"), agree("--10-19", "2022-10-19"), agree("2021", "2022-10")
    (True, True, False)
    """
    if len(b) == 10 and not b.startswith("--"):
        return dates_agree(Literal(a), b)
    if len(a) == 10 and not a.startswith("--"):
        return dates_agree(Literal(b), a)
    if a.startswith("--") or b.startswith("--"):
        return a[-5:] == b[-5:] if a.startswith("--") and b.startswith("--") else True
    return a.startswith(b) or b.startswith(a)


def reconcile_documents(docs: list[dict], store) -> None:
    """Add the ``reconciliation`` checks to every event of ``docs`` (in place)."""
    told = defaultdict(list)  # (kind, insee) -> [(doc, event)]
    for doc in docs:
        for event in doc["events"]:
            checks = event.setdefault("reconciliation", [])
            linked = [c["insee"] for c in event["communes"] if c.get("insee")]
            if not linked:
                checks.append({"check": "lists", "agrees": None, "message": "no commune linked to an INSEE code"})
                continue
            for insee in linked:
                progs = _programmes(store, insee)
                checks.append({"check": "lists", "insee": insee, "agrees": bool(progs),
                               "message": f"{insee} is in {', '.join(PROGRAMMES.get(p, p) for p in sorted(progs))}"
                               if progs else f"{insee} is in none of the PVD, ACV or ORT lists of the store"})
            kind = TABLE_KIND.get(event["kind"])
            if kind is None:
                continue
            main = linked[0]
            told[(event["kind"], main)].append((doc, event))
            table = _table_dates(store, kind, main)
            mine = _values(event)
            if not table:
                checks.append({"check": "date", "agrees": None,
                               "message": f"the store's tables date no {kind} signing for {main}"})
            for value, graph in table:
                for own, how in mine:
                    ok = agree(own, value)
                    checks.append({"check": "date", "agrees": ok, "source": graph,
                                   "message": f"{event['kind']} {own} ({how}) {'agrees with' if ok else 'contradicts'} "
                                              f"{graph}: {value}"})
                if not mine:
                    checks.append({"check": "date", "agrees": None, "source": graph,
                                   "message": f"the text gives no date; {graph} states {value}"})
    for (kind, insee), tellings in told.items():
        if len(tellings) < 2:
            continue
        for doc, event in tellings:
            others = [(d, e) for d, e in tellings if e is not event]
            for d, e in others:
                mine, theirs = _values(event)[:1], _values(e)[:1]
                ok = all(agree(a, b) for a, _ in mine for b, _ in theirs) if mine and theirs else None
                where = d["source"].get("url") or d["source"].get("file")
                event["reconciliation"].append({
                    "check": "same-event", "agrees": ok, "source": where,
                    "message": f"the same {kind} signing of {insee} is told by {where}"
                               + ("" if ok is None else f"; dates {'agree' if ok else 'disagree'}")})
