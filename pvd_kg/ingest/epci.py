"""Intercommunalities: commune → EPCI membership (``epci-com-2023``, ``;``-separated) and the
EPCI list with legal form and départements (``epci-list-2023``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import iris
from . import cleaners
from .emit import A, GraphOut, PVD, RDFS, fr, string
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
