"""The DGALN table of ORT conventions (``dgaln-ort-2024``): one row per commune with the
status, the signing date or the planned one (free text), the duration and estimated end.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import OWL

from .. import iris
from ..sources_registry import Source
from ..written_dates import find_dates
from . import checks, cleaners
from .anct import emit_convention, emit_other_name, emit_selection
from .checks import kept_commune
from .emit import A, PVD, GraphOut, date, decimal, fr, string
from .insee import COG_KEY, Cog
from .plugin import Run, SourcePlugin
from .shipped import Shipped
from .tables import Record, Tally, read_csv

COLUMNS = ("Commune", "Code commune", "Signée ?", "Si signée, date de signature",
           "Si non signée, date de signature envisagée", "Durée (en années)", "Date de fin estimée",
           "Remarques", "ACV", "PVD")

STATUSES = {"signée": "signee", "non signée": "non-signee", "en cours": "en-cours"}
#: the commune's membership state in the ORT (scheme ``id:membership``) for each status of the table
MEMBERSHIP = {"signee": "signed", "en-cours": "in-progress", "non-signee": "not-signed", None: "no-status"}
#: "Même ORT que Bagnols-sur-Cèze par procédure…", "Même ORT qu'Avignon": the commune named shares its ORT
SAME_ORT_RE = re.compile(r"m[êe]me ORT qu(?:e\s+|['’]\s*)(?P<name>[^;.,(«]+?)(?=\s+(?:par|avenant)\b|\s*[;.,(«]|\s*$)",
                         re.IGNORECASE)

#: "Convention cadre PVD valant ORT", "convention PVD Cuiseaux-Louhans valant ORT", "Convention-cadre
#: valant ORT": a PVD convention-cadre that is the ORT (never "ne valant pas", never an ACV avenant)
VALANT_ORT_RE = re.compile(r"\bconvention(?:[- ]cadre)?\s+PVD(?:\s+(?!ne\b)[\w'’-]+)?\s+valant\s+ORT\b"
                           r"|\bconvention[- ]cadre\s+valant\s+ORT\b", re.IGNORECASE)
#: words saying the convention-cadre is still to come, so not the act the row dates
_NOT_YET_RE = re.compile(r"en cours|en pr[ée]paration|en projet|en r[ée]daction|dans le circuit|pr[ée]vue?\b"
                         r"|[àa] venir|envisag", re.IGNORECASE)


@dataclass
class OrtRow:
    line: int
    insee: str
    name: str
    status: str | None = None  # signee / non-signee / en-cours
    date: _dt.date | None = None
    planned: str | None = None
    duration: Decimal | None = None
    end: _dt.date | None = None
    remark: str | None = None
    pvd_flag: bool | None = None
    acv_flag: bool | None = None


MULTILINE = ("Remarques",)  # the one column whose values hold line breaks


def read_ort(path: str | Path, tally: Tally, cog: Cog) -> dict[str, OrtRow]:
    """Read the ORT table.

    :raises SourceDataError: the file cannot be read or lacks a column.
    """
    rows: dict[str, OrtRow] = {}
    for rec in read_csv(path, required=COLUMNS, multiline=MULTILINE, tally=tally):
        insee = kept_commune(rec, "Code commune", tally, cog, rows)
        if insee is None:
            continue
        dep, _, name = rec["Commune"].partition(" - ")
        row = OrtRow(rec.line, insee, name.strip())
        if dep.strip() != cog.communes[insee].dep:
            tally.warn(rec, f"département prefix differs from COG 2024 ({cog.communes[insee].dep})", "Commune",
                       rec["Commune"], "departement-mismatch")
        raw_status = rec["Signée ?"].strip()
        row.status = STATUSES.get(raw_status.lower())
        if not raw_status:
            tally.warn(rec, "no status (signed or not)", "Signée ?", raw_status, "blank-status")
        elif row.status is None:
            tally.warn(rec, "unknown status, not published", "Signée ?", raw_status, "unknown-status")
        raw_date = rec["Si signée, date de signature"].strip()
        if raw_date:
            try:
                row.date = cleaners.parse_date(raw_date)
            except cleaners.CleanError as exc:
                tally.warn(rec, f"{exc}; not published", "Si signée, date de signature", raw_date, "bad-date")
        if row.status == "signee" and not raw_date:
            tally.warn(rec, "signed but no signing date", "Si signée, date de signature", raw_date,
                       "signed-without-date")
        if row.date and row.status != "signee":
            tally.warn(rec, f"a signing date while the status is {raw_status or 'blank'}; kept as a remark, "
                       "no signing published", "Si signée, date de signature", raw_date, "date-without-signed-status")
        planned = rec["Si non signée, date de signature envisagée"].strip()
        if planned:
            row.planned = planned
            if row.status == "signee":
                tally.info(rec, "a planned date on a signed convention; kept as written",
                           "Si non signée, date de signature envisagée", planned, "planned-on-signed")
        row.duration = _duration(rec, tally)
        raw_end = rec["Date de fin estimée"].strip()
        if raw_end:
            try:
                row.end = cleaners.parse_date(raw_end)
            except cleaners.CleanError as exc:
                tally.warn(rec, f"{exc}; not published", "Date de fin estimée", raw_end, "bad-date")
            if row.end and row.date and row.end <= row.date:
                tally.warn(rec, "estimated end not after the signing date", "Date de fin estimée", raw_end,
                           "end-before-start")
        remark = rec["Remarques"].strip()
        if remark:
            contact = cleaners.has_contact(remark)
            if contact:
                tally.warn(rec, f"holds an {contact}; remark dropped, never published", "Remarques", None,
                           "contact-dropped")
            else:
                row.remark = remark
        row.pvd_flag = _flag(rec, "PVD", tally)
        row.acv_flag = _flag(rec, "ACV", tally)
        rows[insee] = row
    return rows


def _duration(rec, tally: Tally) -> Decimal | None:
    raw = rec["Durée (en années)"]
    if not raw.strip():
        return None
    try:
        value = Decimal(cleaners.decimal_number(raw).replace(",", "."))
    except cleaners.CleanError as exc:
        tally.warn(rec, f"{exc} (years); not published", "Durée (en années)", raw, "bad-duration")
        return None
    if value <= 0:
        tally.info(rec, "a duration of 0 years means 'not given' in this table; not published",
                   "Durée (en années)", raw, "zero-duration")
        return None
    if value > 15:
        tally.warn(rec, "unusually long ORT (over 15 years); kept", "Durée (en années)", raw, "long-duration")
    return value


def _flag(rec, column: str, tally: Tally) -> bool | None:
    raw = rec[column].strip().lower()
    if raw in ("true", "false"):
        return raw == "true"
    tally.warn(rec, "not true/false", column, rec[column], "bad-flag")
    return None


def says_valant_ort(row: OrtRow) -> bool:
    """The row's remark says that the ORT it dates is a PVD convention-cadre valant ORT (one act of
    both kinds): a signed row whose remark names one, not as still to come in the same sentence, and
    dated, when the sentence dates it, on the row's own day (a convention-cadre signed on another day
    is another act).

    >>> row = OrtRow(1, "57089", "Bouzonville", "signee", _dt.date(2023, 7, 10))
    >>> row.remark = "Convention d'adhésion signée le 01/09/2021 Convention cadre valant ORT signée le 10/07/2023"
    >>> says_valant_ort(row)
    True
    >>> row.remark = "convention cadre valant ORT signée le 11/07/2023"
    >>> says_valant_ort(row)
    False
    >>> row.remark = "convention-cadre PVD ne valant pas ORT signée le 07/10/2022"
    >>> says_valant_ort(row)
    False
    """
    if row.status != "signee" or not row.date or not row.remark:
        return False
    day = row.date.isoformat()
    for sentence in re.split(r"[.;\n]+", row.remark):
        m = VALANT_ORT_RE.search(sentence)
        if not m or _NOT_YET_RE.search(sentence[m.end():]):
            continue
        after = [d.value for d in find_dates(sentence[m.end():]) if d.precision == "day"]
        written = after[:1] or [d.value for d in find_dates(sentence) if d.precision == "day"]
        if all(d == day for d in written):
            return True
    return False


def shared_orts(rows: dict[str, OrtRow], tally: Tally, cog: Cog) -> dict[str, str]:
    """The communes whose remark says their ORT is another commune's ("Même ORT que X"), each
    mapped to the commune whose row holds the act (X, or X's own lead). A name that is not one
    commune of the table is reported and links nothing."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for r in rows.values():
        for name in (r.name, cog.communes[r.insee].label):
            by_name[iris.slug(name)].add(r.insee)
    links: dict[str, str] = {}
    for r in rows.values():
        m = SAME_ORT_RE.search(r.remark or "")
        if not m:
            continue
        found = sorted(by_name.get(iris.slug(m["name"]), set()) - {r.insee})
        rec = Record(tally.file, r.line, {"Remarques": m.group(0)})
        if len(found) != 1:
            tally.warn(rec, f"names {m['name']!r}, which is not one commune of the table; not linked",
                       "Remarques", m.group(0), "same-ort-unresolved")
            continue
        links[r.insee] = found[0]
    for insee in links:  # follow chains (A same as B, B same as C) to the row that holds the act
        seen = {insee}
        while links[insee] in links and links[insee] not in seen:
            seen.add(links[insee])
            links[insee] = links[links[insee]]
    return links


def _same_act(row: OrtRow, lead: OrtRow) -> bool:
    """The two rows describe the same signing: same status and same day (or neither dated)."""
    return row.status == lead.status and row.date == lead.date


def emit_ort(rows: dict[str, OrtRow], out: GraphOut, tally: Tally, cog: Cog) -> None:
    """Selections into ORT (with the membership state the status gives) and the ORT acts (status,
    signing, planned date, duration, end). A commune whose ORT is another's ("Même ORT que") is
    one more commune of that act; when its row dates the signing differently, its row is an
    amendment (``pvd:Amendment``) that brought it into the act."""
    links = shared_orts(rows, tally, cog)
    for row in rows.values():
        emit_selection(out, "ort", row, None, MEMBERSHIP[row.status])
        emit_other_name(out, row, cog, tally, "Commune")
        name = cog.communes[row.insee].label
        lead = rows[links[row.insee]] if row.insee in links else None
        rec = Record(tally.file, row.line, {})
        if lead is not None and _same_act(row, lead):
            _join_act(out, row, lead)
            if says_valant_ort(row):
                _valant_ort(out, iris.convention("ort", lead.insee))
            tally.info(rec, f"the same ORT as {lead.insee}, same status and day: one act concerning both",
                       "Remarques", None, "shared-ort")
            tally.loaded += 1
            continue
        if lead is not None:
            lead_name = cog.communes[lead.insee].label
            conv, _sig = emit_convention(out, "ort", "ort", row.insee, row.line,
                                         f"Entrée de {name} dans l'ORT de {lead_name}", PVD.Amendment,
                                         row.date if row.status == "signee" else None, row.status)
            act = iris.convention("ort", lead.insee)
            out.add(conv, PVD.amends, act)
            out.add(act, PVD.concerns, iris.commune(row.insee))
            out.add(act, PVD.party, iris.commune(row.insee))
            out.derived(act, row.line)
            tally.info(rec, f"the same ORT as {lead.insee}, signed on another day: an amendment that brought the "
                       "commune into that act", "Remarques", None, "shared-ort-amendment")
        else:
            conv, _sig = emit_convention(out, "ort", "ort", row.insee, row.line,
                                         f"Convention d'Opération de Revitalisation du Territoire de {name}",
                                         PVD.ORTConvention, row.date if row.status == "signee" else None,
                                         row.status)
        if lead is None and says_valant_ort(row):
            _valant_ort(out, conv)
            tally.info(rec, "a PVD convention-cadre valant ORT: one act of both kinds, in both programmes",
                       "Remarques", None, "valant-ort")
        if row.planned:
            out.add(conv, PVD.plannedSigning, string(row.planned))
        if row.duration is not None:
            out.add(conv, PVD.durationYears, decimal(row.duration))
        if row.end:
            out.add(conv, PVD.estimatedEnd, date(row.end))
        if row.remark:
            out.add(conv, PVD.remark, fr(row.remark))
        if row.date and row.status != "signee":
            out.add(conv, PVD.remark, fr(f"Date de signature indiquée par la source : {row.date.isoformat()}"))
        tally.loaded += 1


def _valant_ort(out: GraphOut, act) -> None:
    """The ORT act is also the PVD convention-cadre (docs/decisions/0005-acts-and-membership.md)."""
    out.add(act, A, PVD.OperationalConvention)
    out.add(act, PVD.programme, iris.programme("pvd"))


def _join_act(out: GraphOut, row: OrtRow, lead: OrtRow) -> None:
    """The row's commune is one more commune of the lead's act; the IRIs the row minted before
    (``id:convention/ort/{INSEE}``, its signing) stay, as ``owl:sameAs`` the act's."""
    act, commune = iris.convention("ort", lead.insee), iris.commune(row.insee)
    out.add(act, PVD.concerns, commune)
    out.add(act, PVD.party, commune)
    out.derived(act, row.line)
    out.add(iris.convention("ort", row.insee), OWL.sameAs, act)
    if row.remark and (act, PVD.remark, fr(row.remark)) not in out.triples:
        out.add(act, PVD.remark, fr(row.remark))  # the communes that join one act often repeat one remark
    if row.status == "signee":
        sig = iris.signing("ort", lead.insee)
        out.derived(sig, row.line)
        out.add(iris.signing("ort", row.insee), OWL.sameAs, sig)


# The source of this module as a plug-in (see pvd_kg.ingest.plugin).

def _check_ort(orts: dict[str, OrtRow], tally: Tally, run: Run) -> None:
    checks.ort_flags(orts, tally, run.data["anct-pvd-2026"], run.data["anct-acv-2024"])
    checks.ort_remark_dates(orts, tally, run.data["anct-pvd-2026"])


PLUGINS = (
    SourcePlugin(
        fetch=Source(
            key="dgaln-ort-2024",
            title="Liste des communes couvertes par des opérations de revitalisation de territoire",
            url="https://grist.numerique.gouv.fr/o/dgaln/api/docs/j4i9oKD3jzFtgEUuM9sXnL/download/csv"
                "?viewSection=3&tableId=BDD&activeSortSpec=%5B102%5D&filters=%5B%5D"
                "&linkingFilter=%7B%22filters%22%3A%7B%7D%2C%22operations%22%3A%7B%7D%7D",
            publisher="DGALN / ANCT",
            columns=("Commune", "EPCI", "Département", "Région", "Code commune", "Statut de la commune",
                     "Signée ?", "Si signée, date de signature",
                     "Si non signée, date de signature envisagée", "Durée (en années)",
                     "Date de fin estimée", "Remarques", "Avancement", "ACV", "PVD", "longitude",
                     "latitude", "Dernière actualisation"),
            landing="https://www.data.gouv.fr/fr/datasets/63c69d70de98bf9a1fa11948/",
            note="CSV export of the DGALN Grist document behind data.gouv dataset 63c69d70de98bf9a1fa11948 "
                 "(that dataset's own CSV resource is reported to hold a broken subset). The live export "
                 "has an 'Actualisé par' column naming State agents, dropped from the shipped snapshot.",
        ),
        shipped=Shipped("dgaln-ort-2024", "ort_conventions_2024-10.csv", "dgaln",
                        "Liste des communes couvertes par des opérations de revitalisation de territoire",
                        "2024-10-07",
                        "https://github.com/MTES-MCT/zero-logement-vacant/blob/ec979043807a005cb361895ca4624eeb584d7ab0/analytics/dbt/seeds/ort.csv",
                        derived="Column 'Actualisé par' (names of State agents, already censored) dropped."),
        read=lambda path, tally, run: read_ort(path, tally, run.data[COG_KEY]),
        check=_check_ort,
        emit=lambda orts, out, tally, run: emit_ort(orts, out, tally, run.data[COG_KEY]),
        needs=(COG_KEY,),
        lists_communes=True,
    ),
)
