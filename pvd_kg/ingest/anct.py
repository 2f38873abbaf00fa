"""The ANCT programme lists: PVD early 2021 (``anct-pvd-2021``), PVD 2026 with the date of the
convention d'adhésion (``anct-pvd-2026``), and Action cœur de ville (``anct-acv-2024``).

``read_*`` parse and check rows (issues go to the :class:`Tally`); ``emit_*`` turn the kept
rows into triples. Cross-source checks live in :mod:`pvd_kg.ingest.checks`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from .. import iris
from ..sources_registry import Source
from . import checks, cleaners, epci
from .checks import date_cell, kept_commune
from .emit import A, FOAF, GraphOut, ORG, PROV, PVD, RDFS, SCHEMA, SKOS, fr, integer, string
from .insee import COG_KEY, Cog
from .plugin import Run, SourcePlugin
from .shipped import Shipped
from .tables import Record, Tally, read_csv

PVD_2021_COLUMNS = ("id_pvd", "insee_com", "lib_com", "insee_dep", "nom_maire", "site_mairie", "pop",
                    "date_signature", "siren_epci", "lib_epci")
PVD_2026_COLUMNS = ("insee_com", "lib_com", "id_pvd", "date_signature")
ACV_COLUMNS = ("id_acv", "insee_com", "lib_com", "lib_acv", "date_signature")

ID_PVD_RE = re.compile(r"pvd-[0-9]{2}-[0-9AB]{2,4}-[0-9]+")
ID_ACV_RE = re.compile(r"acv-[0-9]{3}")
POPULATION_CEILING = 20000  # PVD targets communes under 20,000 inhabitants


@dataclass
class ListRow:
    """One kept row of a programme list (fields not given by a list stay None)."""

    line: int
    insee: str
    name: str
    programme_id: str | None = None
    date: _dt.date | None = None
    population: int | None = None
    mayor: str | None = None
    homepage: str | None = None
    siren_epci: str | None = None
    lib_epci: str | None = None
    label: str | None = None  # ACV site name


def _programme_id(rec: Record, column: str, pattern: re.Pattern, tally: Tally) -> str | None:
    value = rec[column]
    if cleaners.is_missing(value):
        tally.warn(rec, "no programme identifier", column, value, "empty-id")
        return None
    try:
        return cleaners.code(value, pattern, "a programme identifier")
    except cleaners.CleanError as exc:
        tally.warn(rec, f"{exc}; not published", column, value, "bad-id")
        return None


def _shared_ids(rows: dict[str, ListRow], tally: Tally, column: str) -> None:
    by_id = defaultdict(list)
    for r in rows.values():
        if r.programme_id:
            by_id[r.programme_id].append(r)
    for pid, group in by_id.items():
        if len(group) > 1:
            for r in group:
                others = ", ".join(o.insee for o in group if o is not r)
                tally.info(Record(tally.file, r.line, {column: pid}),
                           f"identifier shared with {others} (a joint application)", column, pid, "shared-id")


def _list_rows(path: str | Path, columns, id_column: str, id_re: re.Pattern, tally: Tally, cog: Cog,
               rows: dict[str, ListRow]):
    """The rows of a commune list that name a commune the COG knows (others are reported by
    :func:`kept_commune`), each as ``(record, ListRow)`` with its name and programme identifier.
    The caller fills in the rest; the row is stored in ``rows`` (how a repeated commune is
    noticed) once the caller asks for the next one."""
    for rec in read_csv(path, required=columns, tally=tally):
        insee = kept_commune(rec, "insee_com", tally, cog, rows)
        if insee is None:
            continue
        row = ListRow(rec.line, insee, rec["lib_com"].strip())
        row.programme_id = _programme_id(rec, id_column, id_re, tally)
        yield rec, row
        rows[insee] = row


def read_pvd_2021(path: str | Path, tally: Tally, cog: Cog) -> dict[str, ListRow]:
    """Read the PVD list of early 2021.

    :raises SourceDataError: the file cannot be read or lacks a column.
    """
    rows: dict[str, ListRow] = {}
    for rec, row in _list_rows(path, PVD_2021_COLUMNS, "id_pvd", ID_PVD_RE, tally, cog, rows):
        insee = row.insee
        if not insee.startswith(rec["insee_dep"].strip()):
            tally.warn(rec, f"département does not match the INSEE code {insee}", "insee_dep",
                       rec["insee_dep"], "departement-mismatch")
        try:
            row.population = cleaners.integer(rec["pop"])
            if row.population > POPULATION_CEILING:
                tally.warn(rec, f"population above the PVD ceiling of {POPULATION_CEILING:,}; kept",
                           "pop", rec["pop"], "population-above-ceiling")
        except cleaners.CleanError as exc:
            tally.warn(rec, f"{exc}; no population published", "pop", rec["pop"], "bad-population")
        row.mayor = _mayor(rec, tally)
        row.homepage = _homepage(rec, tally)
        if not cleaners.is_missing(rec["regroupement"]):
            tally.info(rec, "regroupement is not loaded", "regroupement", rec["regroupement"], "column-not-loaded")
        if not cleaners.is_missing(rec["date_signature"]):
            tally.warn(rec, "this list has no signing dates; value not published", "date_signature",
                       rec["date_signature"], "unexpected-date")
        try:
            row.siren_epci = cleaners.siren(rec["siren_epci"])
            row.lib_epci = rec["lib_epci"].strip()
        except cleaners.CleanError as exc:
            tally.warn(rec, str(exc), "siren_epci", rec["siren_epci"], "bad-siren")
    _shared_ids(rows, tally, "id_pvd")
    return rows


def _mayor(rec: Record, tally: Tally) -> str | None:
    name = rec["nom_maire"].strip()
    if cleaners.is_missing(name):
        tally.info(rec, "no mayor named", "nom_maire", name, "no-mayor")
        return None
    contact = cleaners.has_contact(name)
    if contact:
        tally.warn(rec, f"holds an {contact}; never published", "nom_maire", None, "contact-dropped")
        return None
    if len(name.split()) == 1:
        tally.warn(rec, "only one name (a first name?): no family name, so the mayor is not published",
                   "nom_maire", name, "partial-name")
        return None
    if cleaners.split_person_name(name)[1] is None:
        tally.warn(rec, "which part is the family name cannot be told (none in capitals); mayor not published",
                   "nom_maire", name, "family-name-unknown")
        return None
    return name


def _homepage(rec: Record, tally: Tally) -> str | None:
    site = rec["site_mairie"].strip()
    if cleaners.is_missing(site):
        return None
    contact = cleaners.has_contact(site)
    if contact:
        # the value itself is not repeated in the report either
        tally.warn(rec, f"holds an {contact} instead of a web site; dropped, never published",
                   "site_mairie", None, "contact-dropped")
        return None
    if not cleaners.is_url(site):
        tally.warn(rec, "not a URL; dropped", "site_mairie", site, "not-a-url")
        return None
    return site


def read_pvd_2026(path: str | Path, tally: Tally, cog: Cog) -> dict[str, ListRow]:
    """Read the 2026 PVD list (date of the convention d'adhésion, ISO or DD/MM/YYYY).

    :raises SourceDataError: the file cannot be read or lacks a column.
    """
    rows: dict[str, ListRow] = {}
    formats: list[tuple[Record, str]] = []
    for rec, row in _list_rows(path, PVD_2026_COLUMNS, "id_pvd", ID_PVD_RE, tally, cog, rows):
        row.date = date_cell(rec, "date_signature", tally, "no date for the convention d'adhésion")
        if row.date:
            formats.append((rec, cleaners.date_format(rec["date_signature"])))
        if rec.values.get("label_source", "").strip() not in ("", "gazetteer"):
            tally.info(rec, "name not from the ANCT list but from " + rec["label_source"], "label_source",
                       rec["label_source"], "label-from-elsewhere")
    _mixed_formats(formats, "date_signature", tally)
    _shared_ids(rows, tally, "id_pvd")
    return rows


def _mixed_formats(formats: list[tuple[Record, str]], column: str, tally: Tally) -> None:
    counts = Counter(f for _, f in formats)
    if len(counts) > 1:
        usual = counts.most_common(1)[0][0]
        for rec, f in formats:
            if f != usual:
                tally.info(rec, f"date written {f} while most rows use {usual}; read as the same day",
                           column, rec[column], "mixed-date-formats")


def read_acv(path: str | Path, tally: Tally, cog: Cog) -> dict[str, ListRow]:
    """Read the Action cœur de ville list (convention date DD/MM/YYYY).

    :raises SourceDataError: the file cannot be read or lacks a column.
    """
    rows: dict[str, ListRow] = {}
    for rec, row in _list_rows(path, ACV_COLUMNS, "id_acv", ID_ACV_RE, tally, cog, rows):
        insee = row.insee
        row.date = date_cell(rec, "date_signature", tally, "no date for the ACV convention")
        label = rec["lib_acv"].strip()
        fixed = cleaners.repair_mojibake(label)
        if fixed:
            tally.warn(rec, f"UTF-8 read as Latin-1 (mojibake); published repaired as {fixed!r}", "lib_acv",
                       label, "mojibake")
            label = fixed
        row.label = label or None
        siren = rec.values.get("siren_epci", "")
        if siren.strip():
            try:
                row.siren_epci = cleaners.siren(siren)
            except cleaners.CleanError as exc:
                tally.warn(rec, str(exc), "siren_epci", siren, "bad-siren")
        for column, cog_value in (("insee_dep", cog.communes[insee].dep), ("insee_reg", cog.communes[insee].reg)):
            given = rec.values.get(column, "").strip()
            if given and given != cog_value:
                tally.warn(rec, f"COG 2024 says {cog_value}", column, given, "cog-mismatch")
    _shared_ids(rows, tally, "id_acv")
    return rows


# --- emission -------------------------------------------------------------------------------

#: the membership states (scheme ``id:membership``) that make a commune a member of the programme
MEMBER_STATES = ("listed", "signed")


def emit_selection(out: GraphOut, programme: str, row: ListRow, programme_id: str | None,
                   state: str = "listed") -> None:
    """The commune's ``pvd:Selection`` into ``programme`` as this list attests it, with the
    ``pvd:membershipState`` the list gives; the shortcut ``pvd:inProgramme`` only for a member
    state (:data:`MEMBER_STATES`): a commune whose ORT is not signed is not in the ORT."""
    commune = iris.commune(row.insee)
    sel = iris.selection(programme, row.insee)
    prog = iris.programme(programme)
    out.add(sel, A, PVD.Selection)
    out.add(sel, PVD.commune, commune)
    out.add(sel, PVD.programme, prog)
    out.add(sel, PVD.membershipState, iris.concept("membership", state))
    if programme_id:
        out.add(sel, PVD.programmeId, string(programme_id))
    out.derived(sel, row.line)
    if state in MEMBER_STATES:
        out.add(commune, PVD.inProgramme, prog)


def emit_left(out: GraphOut, programme: str, earlier: dict[str, ListRow], later: dict[str, ListRow]) -> None:
    """In the later list's graph: ``pvd:membershipState`` left on the selection of each commune of
    the earlier list that the later one no longer names (the 2021 PVD list against the 2026 one)."""
    left = iris.concept("membership", "left")
    for insee in sorted(set(earlier) - set(later)):
        sel = iris.selection(programme, insee)
        out.add(sel, PVD.membershipState, left)
        out.add(sel, PVD.remark, fr("Absente de la liste la plus récente du programme."))
        out.add(sel, PROV.wasDerivedFrom, out.source)


def emit_other_name(out: GraphOut, row: ListRow, cog: Cog, tally: Tally, column: str = "lib_com") -> None:
    """The list's name for the commune, as ``skos:altLabel``, when it differs from COG 2024's."""
    official = cog.communes[row.insee].label
    if row.name and row.name != official:
        out.add(iris.commune(row.insee), SKOS.altLabel, fr(row.name))
        tally.info(Record(tally.file, row.line, {}), f"COG 2024 names it {official!r}; kept as skos:altLabel",
                   column, row.name, "name-differs")


def emit_pvd_2021(rows: dict[str, ListRow], out: GraphOut, tally: Tally, cog: Cog, ids_2026: dict[str, str]) -> None:
    """Selections, populations and mayors of the 2021 list.

    :param ids_2026: the 2026 list's id_pvd per commune: a 2021 identifier that the 2026 list
        renumbered is reported, not published (a selection has one identifier).
    """
    for row in rows.values():
        pid = row.programme_id
        newer = ids_2026.get(row.insee)
        if pid and newer and newer != pid:
            tally.info(Record(tally.file, row.line, {"id_pvd": pid}),
                       f"renumbered {newer} in the 2026 list, which is published", "id_pvd", pid, "id-renumbered")
            pid = None
        emit_selection(out, "pvd", row, pid)
        emit_other_name(out, row, cog, tally)
        commune = iris.commune(row.insee)
        if row.population is not None:
            fig = iris.population(tally.key, row.insee)
            out.add(commune, PVD.population, fig)
            out.add(fig, A, PVD.PopulationFigure)
            out.add(fig, PVD.count, integer(row.population))
            out.derived(fig, row.line)
        if row.homepage:
            out.add(commune, FOAF.homepage, string(row.homepage))
        if row.mayor:
            _emit_mayor(out, row, cog)
        tally.loaded += 1


def _emit_mayor(out: GraphOut, row: ListRow, cog: Cog) -> None:
    commune = iris.commune(row.insee)
    person = iris.person(row.insee, row.mayor)
    post = iris.post(commune, "maire")
    out.add(person, A, FOAF.Person)
    out.add(person, A, PROV.Person)
    out.add(person, A, SCHEMA.Person)
    out.add(person, FOAF.name, string(row.mayor))
    out.add(person, RDFS.label, string(row.mayor))
    given, family = cleaners.split_person_name(row.mayor)
    out.add(person, FOAF.familyName, string(family))
    if given:
        out.add(person, FOAF.givenName, string(given))
    out.add(person, ORG.holds, post)
    out.derived(person, row.line)
    out.add(post, A, ORG.Post)
    out.add(post, ORG.postIn, commune)
    out.add(post, ORG.role, iris.role("maire"))
    out.add(post, RDFS.label, fr(f"Maire de {cog.communes[row.insee].label}"))
    out.add(post, ORG.heldBy, person)
    out.derived(post, row.line)


def emit_convention(out: GraphOut, kind: str, programme: str, insee: str, line: int, label: str,
                    cls, day: _dt.date | None, status: str | None) -> tuple:
    """A convention of ``kind`` for the commune with its ``status`` (``signee``, ``non-signee``,
    ``en-cours`` or None) and, when signed, its signing (dated if ``day``).
    Returns (convention IRI, signing IRI or None)."""
    from .emit import date as date_literal

    commune = iris.commune(insee)
    conv = iris.convention(kind, insee)
    out.add(conv, A, cls)
    out.add(conv, RDFS.label, fr(label))
    out.add(conv, PVD.concerns, commune)
    out.add(conv, PVD.programme, iris.programme(programme))
    out.add(conv, PVD.party, commune)
    if status is not None:
        out.add(conv, PVD.status, iris.concept("status", status))
    out.derived(conv, line)
    if status != "signee":
        return conv, None
    # one node per signing: when a curated graph dates it too, each date sits in its own named graph
    sig = iris.signing(kind, insee)
    out.add(sig, A, PVD.Signing)
    out.add(sig, PVD.signed, conv)
    if day:
        out.add(sig, PVD.date, date_literal(day))
    else:
        out.add(sig, PVD.remark, fr("La source ne donne pas de date de signature."))
    out.derived(sig, line)
    return conv, sig


def emit_pvd_2026(rows: dict[str, ListRow], out: GraphOut, tally: Tally, cog: Cog) -> None:
    """Selections and conventions d'adhésion (with their signing date) of the 2026 list."""
    for row in rows.values():
        emit_selection(out, "pvd", row, row.programme_id, "signed" if row.date else "listed")
        emit_other_name(out, row, cog, tally)
        name = cog.communes[row.insee].label
        emit_convention(out, "adhesion", "pvd", row.insee, row.line,
                        f"Convention d'adhésion Petites villes de demain de {name}", PVD.AdhesionConvention,
                        row.date, "signee" if row.date else None)
        tally.loaded += 1


def emit_acv(rows: dict[str, ListRow], out: GraphOut, tally: Tally, cog: Cog) -> None:
    """Selections into Action cœur de ville and the ACV conventions with their date."""
    for row in rows.values():
        emit_selection(out, "acv", row, row.programme_id, "signed" if row.date else "listed")
        emit_other_name(out, row, cog, tally)
        if row.label:
            out.add(iris.selection("acv", row.insee), RDFS.label, fr(f"Action cœur de ville : {row.label}"))
        name = cog.communes[row.insee].label
        emit_convention(out, "acv", "acv", row.insee, row.line, f"Convention Action cœur de ville de {name}",
                        PVD.ACVConvention, row.date, "signee" if row.date else None)
        tally.loaded += 1


# The sources of this module as plug-ins (see pvd_kg.ingest.plugin). The lists are read after
# the COG they are checked against.

def _check_pvd_2021(rows: dict[str, ListRow], tally: Tally, run: Run) -> None:
    checks.list_membership(rows, run.data["anct-pvd-2026"], tally, run.tallies["anct-pvd-2026"], "PVD")
    _check_epci_claims(rows, tally, run)


def _check_epci_claims(rows: dict[str, ListRow], tally: Tally, run: Run) -> None:
    checks.epci_claims(rows, tally, epci.claimed_membership(run), run.data["epci-list-2023"])


def _emit_pvd_2021(rows: dict[str, ListRow], out: GraphOut, tally: Tally, run: Run) -> None:
    ids_2026 = {c: r.programme_id for c, r in run.data["anct-pvd-2026"].items() if r.programme_id}
    emit_pvd_2021(rows, out, tally, run.data[COG_KEY], ids_2026)


def _emit_pvd_2026_graph(rows: dict[str, ListRow], out: GraphOut, tally: Tally, run: Run) -> None:
    emit_pvd_2026(rows, out, tally, run.data[COG_KEY])
    emit_left(out, "pvd", run.data["anct-pvd-2021"], rows)


def _emit_acv_graph(rows: dict[str, ListRow], out: GraphOut, tally: Tally, run: Run) -> None:
    prog = iris.programme("acv")
    out.add(prog, A, PVD.Programme)
    out.add(prog, RDFS.label, fr("Action cœur de ville"))
    out.add(prog, PROV.wasDerivedFrom, iris.source("anct-acv-2024"))
    emit_acv(rows, out, tally, run.data[COG_KEY])


PLUGINS = (
    SourcePlugin(
        fetch=Source(
            key="anct-pvd-2021",
            title="Petites villes de demain : liste des communes (janvier 2021)",
            url=None,
            publisher="ANCT",
            columns=("id_pvd", "insee_com", "lib_com", "lib_reg", "insee_dep", "lib_dep", "nom_maire",
                     "site_mairie", "regroupement", "pop", "date_signature", "siren_epci", "lib_epci"),
            landing="https://github.com/anct-carto/pvd",
            note="Historic list of early 2021 (anct-carto/pvd); no longer published, so no live URL.",
        ),
        shipped=Shipped("anct-pvd-2021", "pvd_communes_2021-01.csv", "anct",
                        "Petites villes de demain : liste des communes (janvier 2021)", "2021-01",
                        "https://github.com/anct-carto/pvd"),
        read=lambda path, tally, run: read_pvd_2021(path, tally, run.data[COG_KEY]),
        check=_check_pvd_2021,
        emit=_emit_pvd_2021,
        needs=(COG_KEY,),
        lists_communes=True,
    ),
    SourcePlugin(
        fetch=Source(
            key="anct-pvd-2026",
            title="Programme Petites villes de demain : liste des communes bénéficiaires (COG 2025)",
            url="https://www.data.gouv.fr/fr/datasets/r/1fa831ec-d912-4277-8b95-a8b998bf951e",
            publisher="ANCT",
            columns=("insee_com", "lib_com", "id_pvd", "date_signature"),
            landing="https://www.data.gouv.fr/fr/datasets/5fc1259b703620ed60a49d97/",
            note="Stable data.gouv redirect to the current file (liste-pvd-com2025-20260427.csv on "
                 "2026-04-27). date_signature is DD/MM/YYYY since the 2026 file, YYYY-MM-DD before.",
            redirect_hosts=("static.data.gouv.fr",),
        ),
        shipped=Shipped("anct-pvd-2026", "pvd_communes_2026_derived.csv", "anct",
                        "Petites villes de demain : liste des communes et date de la convention d'adhésion (2026)",
                        "2026-04-27", "https://www.data.gouv.fr/fr/datasets/r/1fa831ec-d912-4277-8b95-a8b998bf951e",
                        derived="Rebuilt from bpineau/gazetteer anct_programmes.json (commune, label, pvd_signed_at) "
                                "joined with id_pvd of the ANCT COG 2023 crosswalk; column label_source added."),
        read=lambda path, tally, run: read_pvd_2026(path, tally, run.data[COG_KEY]),
        emit=_emit_pvd_2026_graph,
        needs=(COG_KEY, "anct-pvd-2021"),
        lists_communes=True,
    ),
    SourcePlugin(
        fetch=Source(
            key="anct-acv-2024",
            title="Programme Action cœur de ville : liste des communes bénéficiaires",
            url="https://static.data.gouv.fr/resources/programme-action-coeur-de-ville/"
                "20250924-154200/liste-acv-com2025-20250704.csv",
            publisher="ANCT",
            columns=("insee_com", "lib_com", "id_acv", "lib_acv", "date_signature"),
            landing="https://www.data.gouv.fr/fr/datasets/5acc7eddc751df5e21efdf20/",
            note="Dated static path (COG 2025 file of 2025-07-04): the live list is newer than the "
                 "shipped Sept 2024 snapshot, and data.gouv mints a new path per revision; the dataset "
                 "page lists the current one.",
        ),
        shipped=Shipped("anct-acv-2024", "acv_communes_2024-09.csv", "anct",
                        "Action cœur de ville : communes et date de la convention (septembre 2024)", "2024-09-09",
                        "https://github.com/anct-carto/action_coeur_de_ville/blob/fb24f6b6c9263cf9b23870375bb70d66c849bff2/data/coeurdeville.js",
                        derived="GeoJSON of the JS file converted to CSV; lon/lat taken from the point geometry."),
        read=lambda path, tally, run: read_acv(path, tally, run.data[COG_KEY]),
        check=_check_epci_claims,
        emit=_emit_acv_graph,
        needs=(COG_KEY,),
        lists_communes=True,
    ),
    SourcePlugin(
        fetch=Source(
            key="anct-ngeo-2023",
            title="Croisement des dispositifs ANCT par commune (COG 2023)",
            url=None,
            publisher="ANCT, via MTES-MCT/zero-logement-vacant",
            columns=("insee_com", "lib_com", "id_pvd", "id_acv"),
            note="Programme identifiers per commune; the live ANCT file is not located, so no live URL.",
        ),
    ),
)


__all__ = ["ListRow", "read_pvd_2021", "read_pvd_2026", "read_acv", "emit_pvd_2021", "emit_pvd_2026",
           "emit_acv", "emit_selection", "emit_convention", "emit_left", "MEMBER_STATES"]
