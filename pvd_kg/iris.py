"""The one place that mints IRIs. Nothing else in the code builds an instance IRI by hand.

Scheme (see docs/decisions/0001-iri-scheme.md)::

    https://w3id.org/pvd-kg/id/commune/{INSEE code}        62907, 2A004, 97411
    https://w3id.org/pvd-kg/id/departement/{code}          62, 2A, 971
    https://w3id.org/pvd-kg/id/region/{INSEE code}         32
    https://w3id.org/pvd-kg/id/arrondissement/{code}       627
    https://w3id.org/pvd-kg/id/epci/{SIREN}                246200299
    https://w3id.org/pvd-kg/id/organisation/{slug}         anct, caisse-des-depots
    https://w3id.org/pvd-kg/id/programme/{slug}            pvd, acv, ort
    https://w3id.org/pvd-kg/id/selection/{programme}/{INSEE}[/{n}]
    https://w3id.org/pvd-kg/id/convention/{kind}/{INSEE}[/{n}]  adhesion, operationnelle, ort, acv
    https://w3id.org/pvd-kg/id/signing/{kind}/{INSEE}[/{n}]
    https://w3id.org/pvd-kg/id/signing/.../{signature|attendance}/{n}   who signed / was present
    https://w3id.org/pvd-kg/id/{any instance path}/inference/{property} an inferred value
    https://w3id.org/pvd-kg/id/person/{scope}/{slug}       scope: the INSEE code of the commune
                                                           through which the person is known
    https://w3id.org/pvd-kg/id/post/{organisation key}/{role slug}
    https://w3id.org/pvd-kg/id/post/.../tenure/{person}    a person's dated holding of the post
    https://w3id.org/pvd-kg/id/post/.../tenure/{person}/attestation/{n}   one dated source of it
    https://w3id.org/pvd-kg/id/rule/{slug}                 a programme rule (graph/programme-rules.ttl)
    https://w3id.org/pvd-kg/id/role/{slug}                 maire, president, sous-prefet ...
    https://w3id.org/pvd-kg/id/project/{INSEE}             a town's project (projet de territoire)
    https://w3id.org/pvd-kg/id/population/{source}/{INSEE} a population figure as one source gives it
    https://w3id.org/pvd-kg/id/axes/{INSEE}                its axes, a skos:ConceptScheme
    https://w3id.org/pvd-kg/id/axis/{INSEE}/{n}            one axis, n = 1-based order
    https://w3id.org/pvd-kg/id/source/{slug}               a source document or data file
    https://w3id.org/pvd-kg/id/source/{slug}/excerpt/{n}   a sentence of an article
    https://w3id.org/pvd-kg/id/source/{slug}/row/{line}    a row of a table (1-based file line)
    https://w3id.org/pvd-kg/graph/{name}                   named graphs
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .errors import InputError
from .vocab import PREFIXES

URIRef = None  # rdflib's, imported on the first IRI minted (pvd-kg query only needs the text)


def _uri(text: str) -> "URIRef":
    global URIRef
    if URIRef is None:
        from rdflib import URIRef
    return URIRef(text)


class _Namespace(str):
    """A namespace IRI that mints an rdflib ``URIRef`` when indexed, as ``rdflib.Namespace`` does."""

    def __getitem__(self, local: str) -> "URIRef":
        return _uri(self + local)


ID, GRAPH = _Namespace(PREFIXES["id"]), _Namespace(PREFIXES["pvdg"])

INSEE_COMMUNE_RE = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{3}$|^97[1-8][0-9]{2}$")
DEPARTEMENT_RE = re.compile(r"^(?:0[1-9]|[1-8][0-9]|9[0-5]|2[AB]|97[1-8])$")
SIREN_RE = re.compile(r"^[0-9]{9}$")


# Minting is pure; memoising it also hands out ONE URIRef per IRI, so the N-Triples writer's
# dict look-ups (graph.ntriples_text) match by identity instead of rdflib's Python __eq__.
_memo = lru_cache(maxsize=65536)


@_memo
def slug(text: str) -> str:
    """Lower-case ASCII slug: accents dropped, runs of other characters turned into ``-``.

    >>> slug("Sous-Préfet de l’arrondissement de Lens")
    'sous-prefet-de-l-arrondissement-de-lens'
    >>> slug("  Caisse des Dépôts ")
    'caisse-des-depots'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-")


def _check(value: str, pattern: re.Pattern, what: str) -> str:
    value = str(value).strip()
    if not pattern.match(value):
        raise InputError(f"{value!r} is not a valid {what}")
    return value


@_memo
def commune(insee: str) -> URIRef:
    """IRI of a commune from its INSEE code.

    >>> commune("62907")
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/commune/62907')
    >>> commune("2A004").endswith("/2A004")
    True
    """
    return _uri(commune_text(insee))


def commune_text(insee: str) -> str:
    """:func:`commune` as text (no rdflib object), for query parameters."""
    return f"{ID}commune/{_check(insee, INSEE_COMMUNE_RE, 'INSEE commune code')}"


@_memo
def departement(code: str) -> URIRef:
    return _uri(departement_text(code))


def departement_text(code: str) -> str:
    return f"{ID}departement/{_check(code, DEPARTEMENT_RE, 'département code')}"


@_memo
def region(code: str) -> URIRef:
    return _uri(region_text(code))


def region_text(code: str) -> str:
    return f"{ID}region/{_check(code, re.compile(r'^[0-9]{2}$'), 'INSEE région code')}"


@_memo
def arrondissement(code: str) -> URIRef:
    return ID[f"arrondissement/{_check(code, re.compile(r'^[0-9]{3,4}$|^2[AB][0-9]$'), 'arrondissement code')}"]


@_memo
def epci(siren: str) -> URIRef:
    """IRI of an intercommunality (EPCI) from its SIREN.

    >>> epci("246200299")
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/epci/246200299')
    """
    return _uri(epci_text(siren))


def epci_text(siren: str) -> str:
    return f"{ID}epci/{_check(siren, SIREN_RE, 'SIREN')}"


def organisation(key: str) -> URIRef:
    """IRI of an organisation that has no official code here (ANCT, a sous-préfecture, a landlord)."""
    return ID[f"organisation/{slug(key)}"]


@_memo
def programme(key: str) -> URIRef:
    return _uri(programme_text(key))


def programme_text(key: str) -> str:
    return f"{ID}programme/{slug(key)}"


def selection(programme_key: str, insee: str, n: int | None = None) -> URIRef:
    """IRI of a commune's selection into a programme; ``n`` (2, 3...) numbers further selection
    statements when a source dates the selection more than once.

    >>> selection("pvd", "62907", 2)
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/selection/pvd/62907/2')
    """
    return _numbered("selection", programme_key, insee, n)


@_memo
def _numbered(kind: str, key: str, insee: str, n: int | None) -> URIRef:
    tail = f"/{n}" if n is not None else ""
    return ID[f"{kind}/{slug(key)}/{_check(insee, INSEE_COMMUNE_RE, 'INSEE commune code')}{tail}"]


def convention(kind: str, insee: str, n: int | None = None) -> URIRef:
    """IRI of a commune's convention of a kind (``adhesion``, ``operationnelle``, ``ort``, ``acv``).

    >>> convention("adhesion", "62907")
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/convention/adhesion/62907')
    """
    return _numbered("convention", kind, insee, n)


def signing(kind: str, insee: str, n: int | None = None) -> URIRef:
    """IRI of the signing event of :func:`convention` with the same arguments."""
    return _numbered("signing", kind, insee, n)


def association(signing_iri: str, kind: str, n: int) -> URIRef:
    """IRI of the ``n``-th ``signature`` or ``attendance`` (1-based) of a signing event.

    >>> association(signing("ort", "62907"), "attendance", 2)
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/signing/ort/62907/attendance/2')
    """
    if kind not in ("signature", "attendance"):
        raise ValueError(f"kind must be 'signature' or 'attendance', not {kind!r}")
    return _uri(f"{_in_id(signing_iri)}/{kind}/{int(n)}")


def inference(subject_iri: str, property_key: str) -> URIRef:
    """IRI of the ``pvd:Inference`` about one property (``date``) of a node.

    >>> inference(signing("ort", "62907"), "date")
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/signing/ort/62907/inference/date')
    """
    return _uri(f"{_in_id(subject_iri)}/inference/{slug(property_key)}")


def _in_id(iri: str) -> str:
    if not str(iri).startswith(str(ID)):
        raise ValueError(f"{iri} is not an instance IRI of {ID}")
    return str(iri)


def person(scope: str, name: str) -> URIRef:
    """IRI of a person known through ``scope`` (a commune's INSEE code) under ``name``:
    the name as the source writes it, without the civility (``M.``, ``Mme``).

    >>> person("62907", "Maciejasz")
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/person/62907/maciejasz')
    """
    return ID[f"person/{slug(scope)}/{slug(name)}"]


def role(key: str) -> URIRef:
    return ID[f"role/{slug(key)}"]


def post(organisation_iri: str, role_key: str) -> URIRef:
    """IRI of a post (``org:Post``) in an organisation, keyed by the organisation's IRI path.

    >>> post(commune("62907"), "maire")
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/post/commune-62907/maire')
    """
    local = str(organisation_iri)[len(str(ID)):] if str(organisation_iri).startswith(str(ID)) else str(organisation_iri)
    return ID[f"post/{slug(local)}/{slug(role_key)}"]


def tenure(post_iri: str, person_iri: str) -> URIRef:
    """IRI of a person's holding of a post (``pvd:Tenure``), under the post.

    >>> tenure(post(commune("62907"), "maire"), person("62907", "Maciejasz"))
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/post/commune-62907/maire/tenure/62907-maciejasz')
    """
    who = _in_id(person_iri)[len(str(ID)):]
    return URIRef(f"{_in_id(post_iri)}/tenure/{slug(who.removeprefix('person/'))}")


def attestation(tenure_iri: str, n: int) -> URIRef:
    """IRI of the ``n``-th (1-based) dated attestation of a tenure."""
    return URIRef(f"{_in_id(tenure_iri)}/attestation/{int(n)}")


def prefecture(departement_code: str) -> URIRef:
    """IRI of a département's prefecture, the State's party by rule (as the press graphs name it).

    >>> prefecture("62")
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/organisation/prefecture-62')
    """
    return organisation(f"prefecture-{_check(departement_code, DEPARTEMENT_RE, 'département code')}")


def population(source_key: str, insee: str) -> URIRef:
    """IRI of the population figure a source (table) gives for a commune.

    >>> population("anct-pvd-2021", "62907")
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/population/anct-pvd-2021/62907')
    """
    return ID[f"population/{slug(source_key)}/{_check(insee, INSEE_COMMUNE_RE, 'INSEE commune code')}"]


def project(insee: str) -> URIRef:
    return ID[f"project/{_check(insee, INSEE_COMMUNE_RE, 'INSEE commune code')}"]


def axis_scheme(insee: str) -> URIRef:
    return ID[f"axes/{_check(insee, INSEE_COMMUNE_RE, 'INSEE commune code')}"]


def axis(insee: str, n: int) -> URIRef:
    return ID[f"axis/{_check(insee, INSEE_COMMUNE_RE, 'INSEE commune code')}/{int(n)}"]


@_memo
def source(key: str) -> URIRef:
    return ID[f"source/{slug(key)}"]


def excerpt(source_key: str, n: int) -> URIRef:
    return ID[f"source/{slug(source_key)}/excerpt/{int(n)}"]


def source_row(source_key: str, line: int) -> URIRef:
    """IRI of one row of a source table; ``line`` is the 1-based line in the file (header = 1).

    >>> source_row("anct-pvd-2026", 3)
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/source/anct-pvd-2026/row/3')
    """
    return ID[f"source/{slug(source_key)}/row/{int(line)}"]


@_memo
def graph(name: str) -> URIRef:
    """IRI of a named graph.

    >>> graph("libercourt")
    rdflib.term.URIRef('https://w3id.org/pvd-kg/graph/libercourt')
    """
    return GRAPH[slug(name)]


@_memo
def concept(scheme: str, key: str) -> URIRef:
    """IRI of a concept in one of the project's small SKOS schemes (``status``, ``legal-form``,
    ``qualifier``, ``role``...); :func:`concept_scheme` gives the scheme itself.

    >>> concept("status", "Signée")
    rdflib.term.URIRef('https://w3id.org/pvd-kg/id/status/signee')
    """
    return ID[f"{slug(scheme)}/{slug(key)}"]


def concept_scheme(scheme: str) -> URIRef:
    return ID[slug(scheme)]
