"""Checks shared by the readers (one commune code per row, one date cell) and the checks
across sources (a commune in one list and not the other, an EPCI SIREN absent from the
reference, flags and dates that disagree between lists).

A row-level check reports to the reader's :class:`~pvd_kg.ingest.tables.Tally`; a
cross-source check reports on the row of the list that makes the claim.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING

from . import cleaners
from .tables import Record, Tally

if TYPE_CHECKING:  # only for annotations: insee imports nothing from here
    from .insee import Cog


def kept_commune(rec: Record, column: str, tally: Tally, cog: "Cog", seen: dict) -> str | None:
    """The row's INSEE code if the row is kept; else the row is rejected with the reason
    (impossible code, not a current COG 2024 commune, duplicate of an earlier row).
    """
    value = rec[column]
    try:
        code = cleaners.insee_commune(value)
    except cleaners.CleanError as exc:
        tally.reject(rec, f"{exc} (a placeholder or broken row)", column, value, "invalid-insee")
        return None
    if code not in cog.communes:
        tally.reject(rec, cog.why_not_current(code), column, value, "not-in-cog")
        return None
    if code in seen:
        tally.reject(rec, f"duplicate of line {seen[code].line}", column, value, "duplicate-row")
        return None
    return code


def date_cell(rec: Record, column: str, tally: Tally, blank_message: str) -> _dt.date | None:
    """The day in ``column``, or None with a warning (blank, or not a date)."""
    value = rec[column]
    if cleaners.is_missing(value):
        tally.warn(rec, blank_message, column, value, "blank-date")
        return None
    try:
        return cleaners.parse_date(value)
    except cleaners.CleanError as exc:
        tally.warn(rec, f"{exc}; not published", column, value, "bad-date")
        return None


def list_membership(old: dict, new: dict, old_tally: Tally, new_tally: Tally, what: str) -> None:
    """A commune in one snapshot of a list and not the other (info: the list changed)."""
    for code in sorted(set(old) - set(new)):
        r = old[code]
        old_tally.info(Record(old_tally.file, r.line, {}), f"no longer in the {what} list of {new_tally.file}",
                       "insee_com", code, "left-list")
    for code in sorted(set(new) - set(old)):
        r = new[code]
        new_tally.info(Record(new_tally.file, r.line, {}), f"not in the earlier {what} list {old_tally.file}",
                       "insee_com", code, "joined-list")


def epci_claims(rows: dict, tally: Tally, membership: dict, reference: dict) -> None:
    """A list's EPCI SIREN checked against the EPCI reference and the commune's 2023 EPCI.

    :param membership: commune code -> (EPCI SIREN, line) from ``epci-com-2023``.
    :param reference: EPCI SIREN -> EPCI from ``epci-list-2023``.
    """
    for r in rows.values():
        if not r.siren_epci:
            continue
        rec = Record(tally.file, r.line, {})
        if r.siren_epci not in reference:
            tally.warn(rec, "EPCI SIREN absent from the EPCI reference (2023); membership taken from the reference",
                       "siren_epci", r.siren_epci, "epci-not-in-reference")
        elif membership.get(r.insee, (None,))[0] not in (None, r.siren_epci):
            tally.warn(rec, f"the EPCI reference (2023) puts the commune in {membership[r.insee][0]}",
                       "siren_epci", r.siren_epci, "epci-mismatch")
        elif r.lib_epci and r.lib_epci != reference[r.siren_epci].label:
            tally.info(rec, f"EPCI named {reference[r.siren_epci].label!r} in the reference", "lib_epci",
                       r.lib_epci, "epci-name-differs")


def ort_flags(ort: dict, tally: Tally, pvd: dict, acv: dict) -> None:
    """The ORT table's PVD / ACV flags against the PVD (2026) and ACV lists."""
    for r in ort.values():
        rec = Record(tally.file, r.line, {})
        for flag, listed, name in ((r.pvd_flag, r.insee in pvd, "PVD"), (r.acv_flag, r.insee in acv, "ACV")):
            if flag is None:
                continue
            if flag and not listed:
                tally.warn(rec, f"flagged {name} but not in the {name} list", name, "true", "flag-mismatch")
            elif listed and not flag:
                tally.warn(rec, f"in the {name} list but flagged false", name, "false", "flag-mismatch")


_ADHESION = re.compile(r"adh[ée]sion[^.;]{0,40}?sign[ée]+e?\s+le\s+([0-9]{1,2})/([0-9]{1,2})/([0-9]{2,4})", re.I)


def ort_remark_dates(ort: dict, tally: Tally, pvd: dict) -> None:
    """An adhésion date written in the ORT remarks (``Convention d'adhésion PVD signée le
    21/04/21``) against the 2026 PVD list's date: a disagreement is a warning.

    >>> _ADHESION.search("Convention d’adhésion PVD signée le 21/04/21").groups()
    ('21', '04', '21')
    """
    for r in ort.values():
        m = _ADHESION.search(r.remark or "")
        if not m or r.insee not in pvd or pvd[r.insee].date is None:
            continue
        d, mo, y = (int(x) for x in m.groups())
        y = y + 2000 if y < 100 else y
        try:
            said = _dt.date(y, mo, d)
        except ValueError:
            continue
        listed = pvd[r.insee].date
        if said != listed:
            tally.warn(Record(tally.file, r.line, {}),
                       f"remark dates the convention d'adhésion {said.isoformat()}, the PVD list {listed.isoformat()}",
                       "Remarques", m.group(0), "date-disagrees")
