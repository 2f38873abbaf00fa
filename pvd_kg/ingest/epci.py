"""Intercommunalities: commune → EPCI membership (``epci-com-2023``, ``;``-separated) and the
EPCI list with legal form and départements (``epci-list-2023``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import iris
from ..sources_registry import Source
from . import cleaners
from .links import link_siren_page
from .emit import A, GraphOut, PVD, RDFS, fr, string
from .plugin import COMMUNE_LISTS, Run, SourcePlugin
from .shipped import Shipped
from .tables import Record, Tally, read_csv, read_rows

COM_COLUMNS = ("com_code", "com_siren", "epci_siren", "epci_name")
LIST_COLUMNS = ("siren_epci", "lib_epci", "nature_juridique", "departements")
NO_EPCI = "000000000"  # "Sans objet": single-commune islands outside any EPCI
LEGAL_FORMS = {"CC": "cc", "CA": "ca", "CU": "cu", "ME": "me"}


@dataclass(frozen=True)
class Membership:
    line: int
    epci: str
    commune_siren: str | None


def read_memberships(path: str | Path, tally: Tally, codes: set[str]) -> dict[str, Membership]:
    """Commune → EPCI for the communes in ``codes`` (the other 34k rows are only counted).

    :raises SourceDataError: the file cannot be read or lacks a column.
    """
    found: dict[str, Membership] = {}
    for line, code, com_siren, epci, _name in read_rows(path, COM_COLUMNS, delimiter=";", tally=tally):
        if code not in codes:
            try:  # a code that only looks like another (" 62907") must not hide the commune's row
                cleaners.insee_commune(code)
            except cleaners.CleanError as exc:
                tally.reject(Record(tally.file, line, {}), str(exc), "com_code", code, "invalid-insee")
            continue
        rec = Record(tally.file, line, {})
        if code in found:
            tally.reject(rec, f"duplicate of line {found[code].line}", "com_code", code, "duplicate-row")
            continue
        if epci == NO_EPCI:
            tally.info(rec, "the commune belongs to no EPCI (Sans objet)", "epci_siren", epci, "no-epci")
        else:
            try:
                cleaners.siren(epci)
            except cleaners.CleanError as exc:
                tally.warn(rec, f"{exc}; no EPCI published", "epci_siren", epci, "bad-siren")
                epci = NO_EPCI
        try:
            cleaners.siren(com_siren)
        except cleaners.CleanError as exc:
            tally.warn(rec, f"{exc}; not published", "com_siren", com_siren, "bad-siren")
            com_siren = None
        found[code] = Membership(line, epci, com_siren)
    for code in sorted(codes - set(found)):
        tally.warn(None, f"commune {code} of the programme lists is not in the EPCI file", "com_code", code,
                   "missing-from-reference")
    return found


def emit_memberships(found: dict[str, Membership], out: GraphOut, tally: Tally) -> None:
    for code, m in found.items():
        commune = iris.commune(code)
        if m.epci != NO_EPCI:
            out.add(commune, PVD.memberOfEPCI, iris.epci(m.epci))
        if m.commune_siren:
            out.add(commune, PVD.siren, string(m.commune_siren))
        out.derived(commune, m.line)
        tally.loaded += 1


@dataclass(frozen=True)
class Epci:
    line: int
    siren: str
    label: str
    form: str | None
    departements: tuple[str, ...]  # names, as written


def read_epci_list(path: str | Path, tally: Tally) -> dict[str, Epci]:
    """Read the EPCI list (SIREN, name, legal form, ``|``-joined département names).

    :raises SourceDataError: the file cannot be read or lacks a column.
    """
    found: dict[str, Epci] = {}
    for rec in read_csv(path, required=LIST_COLUMNS, tally=tally):
        siren = rec["siren_epci"]
        if siren == NO_EPCI:
            tally.info(rec, "placeholder 'Sans objet' for communes outside any EPCI; not an EPCI", "siren_epci",
                       siren, "no-epci")
            tally.rejected += 1
            continue
        try:
            cleaners.siren(siren)
        except cleaners.CleanError as exc:
            tally.reject(rec, str(exc), "siren_epci", siren, "bad-siren")
            continue
        if siren in found:
            tally.reject(rec, f"duplicate of line {found[siren].line}", "siren_epci", siren, "duplicate-row")
            continue
        raw_form = rec["nature_juridique"].strip()
        form = LEGAL_FORMS.get(raw_form)
        if raw_form and form is None:
            tally.warn(rec, "unknown legal form; not published", "nature_juridique", raw_form, "unknown-legal-form")
        deps = tuple(d.strip() for d in rec["departements"].split("|") if d.strip())
        found[siren] = Epci(rec.line, siren, rec["lib_epci"].strip(), form, deps)
    return found


def emit_epcis(epcis: dict[str, Epci], wanted: set[str], out: GraphOut, tally: Tally,
               dep_codes: dict[str, str]) -> None:
    """The EPCI in ``wanted`` (those of the programme communes).

    :param dep_codes: département name → code, to link each EPCI to the départements it covers.
    """
    for siren in sorted(wanted):
        e = epcis.get(siren)
        if e is None:
            continue
        node = iris.epci(siren)
        out.add(node, A, PVD.EPCI)
        out.add(node, PVD.siren, string(siren))
        out.add(node, RDFS.label, fr(e.label))
        if e.form:
            out.add(node, PVD.legalForm, iris.concept("legal-form", e.form))
        for name in e.departements:
            code = dep_codes.get(name)
            if code is None:
                tally.warn(Record(tally.file, e.line, {}), "département name not in the département table",
                           "departements", name, "unknown-departement")
                continue
            out.add(node, PVD.inDepartement, iris.departement(code))
        out.derived(node, e.line)
        tally.loaded += 1


# The sources of this module as plug-ins (see pvd_kg.ingest.plugin): memberships are read for
# the communes of the programme lists, so after them.

def claimed_membership(run: Run) -> dict[str, tuple[str, int]]:
    """Commune code -> (EPCI SIREN, line) of ``epci-com-2023``, what a list's EPCI claim is checked against."""
    return {code: (m.epci, m.line) for code, m in run.data["epci-com-2023"].items()}


def _check_memberships(members: dict[str, Membership], tally: Tally, run: Run) -> None:
    epcis = run.data["epci-list-2023"]
    for code, m in members.items():
        if m.epci != NO_EPCI and m.epci not in epcis:
            tally.warn(None, f"EPCI of commune {code} absent from the EPCI list", "epci_siren", m.epci,
                       "epci-not-in-reference")


def emit_epci_links(epcis: dict[str, Epci], wanted: set[str], out: GraphOut) -> None:
    """Each EPCI of ``wanted`` ``foaf:isPrimaryTopicOf`` its page by SIREN (see :mod:`.links`)."""
    for siren in sorted(wanted & set(epcis)):
        link_siren_page(out, iris.epci(siren), siren)


def _emit_epci_list(epcis: dict[str, Epci], out: GraphOut, tally: Tally, run: Run) -> None:
    wanted = {m.epci for m in run.data["epci-com-2023"].values()}
    emit_epcis(epcis, wanted, out, tally, {d.label: d.code for d in run.data["insee-departements"].values()})
    emit_epci_links(epcis, wanted, out)


PLUGINS = (
    SourcePlugin(
        fetch=Source(
            key="epci-com-2023",
            title="Communes, EPCI, départements et régions avec leur SIREN (2023)",
            url=None,
            publisher="DGCL (BANATIC) / INSEE, via MTES-MCT/zero-logement-vacant",
            columns=("com_code", "com_siren", "com_name", "epci_siren", "epci_name", "dep_siren",
                     "dep_name", "reg_siren", "reg_name", "ept_siren", "ept_name"),
            note="Upstream not documented by the repository it comes from; no live URL.",
        ),
        shipped=Shipped("epci-com-2023", "com_epci_dep_reg_2023.csv", "dgcl",
                        "Communes, EPCI, départements et régions avec leur SIREN (2023)", "2023",
                        "https://github.com/MTES-MCT/zero-logement-vacant/blob/354ea577f7a21868693781075be4a011529efa37/analytics/dbt/seeds/com_epci_dep_reg.csv",
                        delimiter=";"),
        read=lambda path, tally, run: read_memberships(path, tally, run.communes()),
        check=_check_memberships,
        emit=lambda members, out, tally, run: emit_memberships(members, out, tally),
        needs=(COMMUNE_LISTS,),
    ),
    SourcePlugin(
        fetch=Source(
            key="epci-list-2023",
            title="Liste des EPCI (2023, dérivée)",
            url=None,
            publisher="derived by pvd-kg from epci-com-2023",
            columns=("siren_epci", "lib_epci", "nature_juridique", "n_communes", "departements"),
            note="Derived table, not an official BANATIC export; no live URL.",
        ),
        shipped=Shipped("epci-list-2023", "epci_list_2023_derived.csv", "dgcl",
                        "Liste des EPCI (2023, dérivée)", "2023",
                        "https://github.com/MTES-MCT/zero-logement-vacant/blob/d03aa24ff0eef275455213d09345b6ade3abd7c5/analytics/dbt/seeds/nature_juridique.csv",
                        derived="Distinct EPCI of epci-com-2023 with their legal form (nature_juridique.csv of the same repository)."),
        read=lambda path, tally, run: read_epci_list(path, tally),
        emit=_emit_epci_list,
    ),
)
