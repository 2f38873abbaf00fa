"""Complete the dates an article writes: :func:`infer_year` proposes a year, with its reason,
for a day written without one, from the publication date. The dates themselves are found by
:func:`pvd_kg.written_dates.find_dates` (a day without a year is a ``day-month`` date, never
completed there).
"""

from __future__ import annotations

import datetime

from ..written_dates import MONTHS, WEEKDAYS, DateMention, _day, find_dates

__all__ = ["MONTHS", "WEEKDAYS", "DateMention", "find_dates", "infer_year"]


def infer_year(mention: DateMention, published: str | None, planned: bool,
               years_in_text: list[int] | None = None) -> dict | None:
    """A year for a ``day-month`` date, as an inference with its reason, or None.

    The year is the publication year when the day is not after the publication day (a report tells
    what happened), else the year before; for a planned event, the first such day on or after
    publication. Without a publication date, a weekday that fits exactly one year among the years
    the text states decides; otherwise nothing is inferred.
    """
    if mention.precision != "day-month":
        return None
    mo, d = int(mention.value[2:4]), int(mention.value[5:7])
    if published:
        pub = datetime.date.fromisoformat(published[:10])
        year = pub.year
        if not _day(year, mo, d):
            return None
        if planned:
            if datetime.date(year, mo, d) < pub:
                year += 1
            how = "on or after"
        else:
            if datetime.date(year, mo, d) > pub:
                year -= 1
            how = "on or before"
        if not _day(year, mo, d):
            return None
        reason = (f"The text gives only the day and month; the year is the first that puts the day {how} "
                  f"the publication date {pub.isoformat()}")
        raison = (f"Le texte ne donne que le jour et le mois ; l'année est la première qui place ce jour "
                  f"{'au plus tôt' if planned else 'au plus tard'} à la date de publication {pub.isoformat()}")
        if mention.weekday:
            ok = datetime.date(year, mo, d).weekday() == WEEKDAYS[mention.weekday]
            reason += f" (the weekday « {mention.weekday} » {'agrees' if ok else 'does not agree'})"
            raison += f" (le jour de la semaine « {mention.weekday} » {'concorde' if ok else 'ne concorde pas'})"
        return {"year": year, "value": f"{year:04d}-{mo:02d}-{d:02d}", "reason": reason + ".", "reason_fr": raison + "."}
    if mention.weekday and years_in_text:
        fits = sorted({y for y in years_in_text if _day(y, mo, d)
                       and datetime.date(y, mo, d).weekday() == WEEKDAYS[mention.weekday]})
        if len(fits) == 1:
            y = fits[0]
            return {"year": y, "value": f"{y:04d}-{mo:02d}-{d:02d}",
                    "reason": f"The text gives only the day and month; among the years it states, only {y} puts "
                              f"this day on a {mention.weekday}.",
                    "reason_fr": f"Le texte ne donne que le jour et le mois ; parmi les années qu'il cite, seule {y} "
                                 f"place ce jour un {mention.weekday}."}
    return None
