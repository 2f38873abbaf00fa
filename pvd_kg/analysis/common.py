"""Shared helpers of the analysis views: SPARQL over any :class:`~pvd_kg.store.Store`, node labels
and kinds, and :class:`Table`, the one tabular result every metric returns."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Iterable

from rdflib import Literal, URIRef

from ..errors import InputError
from ..results import spreadsheet_safe
from ..store.base import Store
from ..vocab import FOAF, ORG, PREFIXES, PVD, sparql_prologue

# rdf:type -> node kind, most specific first (the store does no RDFS inference).
KIND_BY_TYPE: tuple[tuple[URIRef, str], ...] = (
    (PVD.Signing, "signing"),
    (PVD.AdhesionConvention, "convention"),
    (PVD.OperationalConvention, "convention"),
    (PVD.ORTConvention, "convention"),
    (PVD.ACVConvention, "convention"),
    (PVD.Convention, "convention"),
    (PVD.Programme, "programme"),
    (PVD.Commune, "commune"),
    (PVD.EPCI, "epci"),
    (PVD.Departement, "departement"),
    (PVD.Region, "region"),
    (PVD.Arrondissement, "arrondissement"),
    (PVD.StateService, "state-service"),
    (PVD.Agency, "agency"),
    (PVD.FinancialInstitution, "financial-institution"),
    (PVD.SocialLandlord, "social-landlord"),
    (FOAF.Person, "person"),
    (ORG.Post, "post"),
    (ORG.FormalOrganization, "organisation"),
    (ORG.Organization, "organisation"),
)

ORGANISATION_KINDS = frozenset({"commune", "epci", "departement", "region", "state-service", "agency",
                                "financial-institution", "social-landlord", "organisation"})

# The kinds of convention, with the label a chart legend shows.
CONVENTION_KINDS: dict[URIRef, str] = {
    PVD.AdhesionConvention: "Convention d'adhésion PVD",
    PVD.OperationalConvention: "Convention opérationnelle PVD",
    PVD.ORTConvention: "Convention d'ORT",
    PVD.ACVConvention: "Convention Action cœur de ville",
}

_CHUNK = 400


def select(store: Store, body: str) -> list[dict]:
    """Run a SELECT (the prefixes of :mod:`pvd_kg.vocab` are prepended) and return its rows as dicts.

    :param store: any store.
    :param body: the query without its PREFIX lines.
    :raises QueryError: the store refuses the query.
    """
    return store.query(sparql_prologue() + body).dicts()


def _values(iris: list[str]) -> str:
    return " ".join(f"<{i}>" for i in iris)


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def expand_iri(text: str) -> str:
    """An IRI given in full or as a prefixed name with a prefix of :data:`pvd_kg.vocab.PREFIXES`.

    >>> expand_iri("id:signing/ort/62907")
    'https://w3id.org/pvd-kg/id/signing/ort/62907'
    >>> expand_iri("<https://example.org/x>")
    'https://example.org/x'
    """
    text = text.strip().removeprefix("<").removesuffix(">")
    prefix, colon, local = text.partition(":")
    if colon and not local.startswith("//") and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    return text


def local_name(iri: str) -> str:
    """The last path segments of an instance IRI, used as a label of last resort.

    >>> local_name("https://w3id.org/pvd-kg/id/person/62907/maciejasz")
    'person/62907/maciejasz'
    """
    return iri.split("/id/", 1)[-1] if "/id/" in iri else iri.rstrip("/#").rsplit("/", 1)[-1]


def _label_rank(lit: Literal) -> int:
    lang = (lit.language or "").lower()
    return {"fr": 0, "": 1, "en": 2}.get(lang, 3)


def labels(store: Store, iris: Iterable[str]) -> dict[str, str]:
    """The best label of each IRI: ``rdfs:label`` (French first), else ``skos:prefLabel``, else
    ``foaf:name``, else :func:`local_name`.

    :param store: any store.
    :param iris: IRIs as strings.
    """
    iris = sorted(set(iris))
    best: dict[str, tuple[int, int, str]] = {}
    for chunk in _chunks(iris):
        rows = select(store, f"""
SELECT ?x ?label ?p WHERE {{
  VALUES ?x {{ {_values(chunk)} }}
  VALUES ?p {{ rdfs:label skos:prefLabel foaf:name }}
  ?x ?p ?label .
}}""")
        prio = {"http://www.w3.org/2000/01/rdf-schema#label": 0,
                "http://www.w3.org/2004/02/skos/core#prefLabel": 1}
        for row in rows:
            x, lit = str(row["x"]), row["label"]
            rank = (prio.get(str(row["p"]), 2), _label_rank(lit), str(lit))
            if x not in best or rank < best[x]:
                best[x] = rank
    return {i: best[i][2] if i in best else local_name(i) for i in iris}


def kinds(store: Store, iris: Iterable[str]) -> dict[str, str]:
    """The node kind of each IRI (``commune``, ``person``, ``signing``...; ``other`` if no known type)."""
    iris = sorted(set(iris))
    found: dict[str, set[str]] = {i: set() for i in iris}
    for chunk in _chunks(iris):
        for row in select(store, f"SELECT ?x ?t WHERE {{ VALUES ?x {{ {_values(chunk)} }} ?x a ?t }}"):
            found[str(row["x"])].add(str(row["t"]))
    out = {}
    for iri, types in found.items():
        out[iri] = next((kind for t, kind in KIND_BY_TYPE if str(t) in types), "other")
    return out


def term_text(term) -> str | None:
    """A term as plain text (None stays None)."""
    return None if term is None else str(term)


def _csv_cell(value):
    return spreadsheet_safe(value) if isinstance(value, str) else value


@dataclass
class Table:
    """A metric's answer: named columns and rows (dicts), rendered as CSV, JSON or an aligned text table.

    >>> t = Table("demo", ["name", "n"], [{"name": "Libercourt", "n": 3}])
    >>> t.to_csv()
    'name,n\\r\\nLibercourt,3\\r\\n'
    >>> print(t.to_text())
    name        n
    ----------  -
    Libercourt  3
    """

    name: str
    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    note: str | None = None  # what a reader must know (a sample, a fallback)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def to_csv(self) -> str:
        buf = io.StringIO()
        # CRLF (RFC 4180): with LF alone, the csv module leaves a cell holding a CR unquoted
        writer = csv.DictWriter(buf, fieldnames=self.columns, lineterminator="\r\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({c: _csv_cell(row.get(c)) for c in self.columns})
        return buf.getvalue()

    def to_json(self) -> str:
        doc = {"metric": self.name, "columns": self.columns, "rows": self.rows}
        if self.note:
            doc["note"] = self.note
        return json.dumps(doc, ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        def cell(v):
            return f"{v:.4f}" if isinstance(v, float) else ("" if v is None else str(v))

        cells = [[cell(r.get(c)) for c in self.columns] for r in self.rows]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(self.columns)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(self.columns, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
        if self.note:
            lines.append(f"({self.note})")
        return "\n".join(lines)

    def render(self, fmt: str) -> str:
        """Render as ``csv``, ``json`` or ``table``.

        :raises InputError: another format name.
        """
        renderers = {"csv": self.to_csv, "json": self.to_json, "table": self.to_text}
        if fmt not in renderers:
            raise InputError(f"unknown table format {fmt!r}", hint="one of: csv, json, table")
        return renderers[fmt]()
