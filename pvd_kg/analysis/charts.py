"""Charts of the programme as PNG: convention signings per month (bars stacked by convention kind)
and a map of PVD communes per département (polygons from ``graph/sources/departements.geojson``,
drawn with matplotlib alone).

The ANCT geometry draws the overseas départements (971–976) as insets west of the Bay of Biscay;
the map keeps them there and names them.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.colors import BoundaryNorm  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from .. import paths  # noqa: E402
from ..errors import InputError  # noqa: E402
from ..store.base import Store  # noqa: E402
from .common import CONVENTION_KINDS, Table, select  # noqa: E402
from .metrics import departements_pvd  # noqa: E402

FIGSIZE, DPI = (12, 7), 100
MAP_FIGSIZE = (10, 10)
GEOJSON = paths.SOURCES_DIR / "departements.geojson"
_MONTH_TYPES = ("#date", "#dateTime", "#gYearMonth")
KIND_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]


def _month(literal) -> str | None:
    """``YYYY-MM`` of a date literal precise to the month at least, else None.

    >>> from rdflib import Literal, XSD
    >>> _month(Literal("2021-07", datatype=XSD.gYearMonth)), _month(Literal("--01-18", datatype=XSD.gMonthDay))
    ('2021-07', None)
    """
    if literal is None or not str(getattr(literal, "datatype", "") or "").endswith(_MONTH_TYPES):
        return None
    text = str(literal)
    return text[:7] if len(text) >= 7 and text[4] == "-" else None


def signings_per_month(store: Store) -> Table:
    """Signings per month and convention kind. The month comes from the signing's ``pvd:date``
    when it is precise to the month, else from a ``pvd:Inference`` about ``pvd:date``; signings
    with neither (a year only, a day without year and no inference, no date) are not counted
    in a month and are summed in the note.

    Columns: ``month`` (``YYYY-MM``), ``kind`` (the convention kind's French label),
    ``signings``, ``inferred`` (how many of them took their month from an inference).
    """
    kind_values = " ".join(f"<{k}>" for k in CONVENTION_KINDS)
    rows = select(store, f"""
SELECT ?s ?type ?d ?inf WHERE {{
  ?s pvd:signed ?c . ?c a ?type . VALUES ?type {{ {kind_values} }}
  OPTIONAL {{ ?s pvd:date ?d }}
  OPTIONAL {{ ?s pvd:inference ?i . ?i pvd:aboutProperty pvd:date ; pvd:inferredValue ?inf }}
}}""")
    order = list(CONVENTION_KINDS)
    per_signing: dict[str, dict] = {}
    for row in rows:
        s = str(row["s"])
        rank = order.index(row["type"])
        known = per_signing.setdefault(s, {"rank": rank, "kind": CONVENTION_KINDS[row["type"]], "dates": set(),
                                           "inf": None})
        if rank < known["rank"]:  # an act of two kinds counts once, under the first kind
            known["rank"], known["kind"] = rank, CONVENTION_KINDS[row["type"]]
        if row.get("d") is not None:
            known["dates"].add(row["d"])  # several sources date the signing: the most precise month wins
        if row.get("inf") is not None and known["inf"] is None:
            known["inf"] = row["inf"]
    counts, inferred, unplaced = Counter(), Counter(), 0
    for info in per_signing.values():
        months = [_month(d) for d in sorted(info["dates"], key=lambda d: -len(str(d)))]
        month, guessed = next((m for m in months if m), None), False
        if month is None:
            month, guessed = _month(info["inf"]), True
        if month is None:
            unplaced += 1
            continue
        counts[(month, info["kind"])] += 1
        inferred[(month, info["kind"])] += guessed
    out = [{"month": m, "kind": k, "signings": n, "inferred": inferred[(m, k)]}
           for (m, k), n in sorted(counts.items())]
    note = (f"{unplaced} of {len(per_signing)} signings have no date precise to the month and are not shown"
            if unplaced else None)
    return Table("signings-per-month", ["month", "kind", "signings", "inferred"], out, note=note)


def _month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``).

    >>> _month_range("2021-11", "2022-02")
    ['2021-11', '2021-12', '2022-01', '2022-02']
    """
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def timeline_chart(store: Store, output) -> Table:
    """Draw the convention signings per month (:func:`signings_per_month`) as stacked bars, one
    colour per convention kind, to ``output`` (path or binary file) as a 1200×700 PNG.

    :returns: the table drawn.
    """
    table = signings_per_month(store)
    _save(timeline_figure(table), output)
    return table


def _save(fig, output) -> None:
    try:
        fig.savefig(output, format="png", dpi=DPI)
    finally:
        plt.close(fig)


def timeline_figure(table: Table):
    """The figure of :func:`timeline_chart` for ``table`` (close it with ``plt.close``)."""
    fig, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI)
    ax.set_title("Convention signings per month, by kind of convention", fontsize=14)
    if not table.rows:
        ax.text(0.5, 0.5, "no signing dated to the month in the store", ha="center", va="center",
                transform=ax.transAxes, fontsize=13)
        ax.set_axis_off()
    else:
        months = _month_range(table.rows[0]["month"], max(r["month"] for r in table.rows))
        index = {m: i for i, m in enumerate(months)}
        bottom = [0] * len(months)
        kinds = [k for k in CONVENTION_KINDS.values() if any(r["kind"] == k for r in table.rows)]
        for colour, kind in zip(KIND_COLOURS, kinds):
            heights = [0] * len(months)
            for r in table.rows:
                if r["kind"] == kind:
                    heights[index[r["month"]]] = r["signings"]
            total = sum(heights)
            ax.bar(range(len(months)), heights, bottom=bottom, color=colour, width=0.85,
                   label=f"{kind} ({total})")
            bottom = [b + h for b, h in zip(bottom, heights)]
        step = max(1, math.ceil(len(months) / 24))
        ticks = list(range(0, len(months), step))
        ax.set_xticks(ticks, [months[i] for i in ticks], rotation=60, ha="right", fontsize=9)
        ax.set_xlim(-0.7, len(months) - 0.3)
        ax.set_ylim(0, max(bottom) * 1.12)  # headroom: the tallest bar does not touch the frame
        ax.set_xlabel("month of signing")
        ax.set_ylabel("signings")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(title="convention", loc="upper left", fontsize=9)
        guessed = sum(r["inferred"] for r in table.rows)
        notes = [n for n in (table.note, f"{guessed} month(s) taken from an inferred date" if guessed else None) if n]
        if notes:
            fig.text(0.01, 0.01, "; ".join(notes), fontsize=9, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def _rings(geometry: dict) -> list[list]:
    """The outer rings of a (Multi)Polygon GeoJSON geometry."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def load_departements(path: str | Path = GEOJSON) -> list[dict]:
    """The départements of a GeoJSON file: ``code`` (property ``insee_dep``), ``label``
    (``lib_dep``) and ``rings``.

    :raises InputError: the file is missing or is not a GeoJSON FeatureCollection.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return [{"code": f["properties"]["insee_dep"], "label": f["properties"].get("lib_dep", ""),
                 "rings": _rings(f["geometry"])} for f in doc["features"]]
    except FileNotFoundError as exc:
        raise InputError(f"no département geometry at {path}", hint="it ships in graph/sources/") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} is not a GeoJSON FeatureCollection of départements: {exc}") from exc


def departement_map(store: Store, output, geojson: str | Path = GEOJSON) -> Table:
    """Draw a choropleth of PVD communes per département to ``output`` (path or binary file) as a
    1000×1000 PNG: départements coloured by count (white = none), counts written on them, and
    Île-de-France enlarged in an inset.

    :returns: the counts drawn (:func:`~.metrics.departements_pvd`); its note names the
        départements with PVD communes that have no geometry.
    """
    table = departements_pvd(store)
    fig = map_figure(table, load_departements(geojson))
    _save(fig, output)
    return table


def _centre(rings: list) -> tuple[float, float]:
    biggest = max(rings, key=len)
    return sum(p[0] for p in biggest) / len(biggest), sum(p[1] for p in biggest) / len(biggest)


def _draw_counts(ax, deps: list[dict], counts: dict, cmap, norm, top: int, fontsize: float):
    """The départements as coloured polygons with their count written on them."""
    polys = [ring for d in deps for ring in d["rings"]]
    values = [counts.get(d["code"], 0) for d in deps for _ in d["rings"]]
    coll = PolyCollection(polys, array=values, cmap=cmap, norm=norm, edgecolors="#555555", linewidths=0.4)
    ax.add_collection(coll)
    for d in deps:
        n = counts.get(d["code"], 0)
        if n:
            cx, cy = _centre(d["rings"])
            ax.text(cx, cy, str(n), ha="center", va="center", fontsize=fontsize,
                    color="white" if n > top * 0.6 else "black")
    ax.autoscale_view()
    ax.set_aspect(ASPECT)
    return coll


ASPECT = 1 / math.cos(math.radians(46.5))  # plate carrée, true shape at mid-France
ILE_DE_FRANCE = ("75", "77", "78", "91", "92", "93", "94", "95")
IDF_INSET = (0.015, 0.745, 0.18, 0.17)  # figure fraction: the sea north of Brittany, west of the Cotentin


def map_figure(table: Table, deps: list[dict]):
    """The figure of :func:`departement_map` for ``table`` (close it with ``plt.close``); sets
    ``table.note`` when départements with communes have no geometry."""
    counts = {r["code"]: r["pvd_communes"] for r in table.rows}
    drawn = {d["code"] for d in deps}
    missing = sorted(c for c in counts if c not in drawn)
    top = max(counts.values(), default=0)
    # Bins from 1 up; a département with none falls "under" the first bin and stays white.
    bounds = sorted({1} | {max(1, round(top * q)) for q in (0.2, 0.4, 0.6, 0.8)} | {top + 1})
    if len(bounds) < 2:
        bounds = [1, 2]
    cmap = plt.get_cmap("YlOrRd").with_extremes(under="#ffffff")
    norm = BoundaryNorm(bounds, cmap.N)
    fig, ax = plt.subplots(figsize=MAP_FIGSIZE, dpi=DPI)
    outside = [d for d in deps if d["code"] not in ILE_DE_FRANCE]
    idf = [d for d in deps if d["code"] in ILE_DE_FRANCE]
    coll = _draw_counts(ax, outside, counts, cmap, norm, top, 6.5)
    # Île-de-France uncounted on the map (too small to read), counted in the inset
    ax.add_collection(PolyCollection([r for d in idf for r in d["rings"]],
                                     array=[counts.get(d["code"], 0) for d in idf for _ in d["rings"]],
                                     cmap=cmap, norm=norm, edgecolors="#555555", linewidths=0.3))
    for d in deps:
        if d["code"].startswith("97"):
            cx, cy = _centre(d["rings"])
            ax.text(cx, cy - 0.45, d["label"], ha="center", va="top", fontsize=7, color="#333333")
    ax.set_axis_off()
    total = sum(counts.values())
    ax.set_title(f"Petites villes de demain: PVD communes per département\n"
                 f"{total} commune{'s' * (total != 1)} in {len(counts)} département{'s' * (len(counts) != 1)}"
                 " (white: none)", fontsize=14)
    bar = fig.colorbar(coll, ax=ax, shrink=0.5, pad=0.02, spacing="proportional")
    bar.set_label("PVD communes")
    foot = "Overseas départements drawn as insets (ANCT geometry). Source: the pvd-kg store."
    if missing:
        foot += f" Not drawn (no geometry): {', '.join(missing)}."
        table.note = f"départements without geometry: {', '.join(missing)}"
    fig.text(0.01, 0.01, foot, fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    if idf:
        inset = fig.add_axes(IDF_INSET)
        _draw_counts(inset, idf, counts, cmap, norm, top, 8)
        for d in (d for d in idf if counts.get(d["code"])):
            cx, cy = _centre(d["rings"])
            inset.text(cx, cy - 0.06, d["code"], ha="center", va="top", fontsize=6, color="#555555")
        inset.set_title("Île-de-France", fontsize=9)
        inset.set_xticks([])
        inset.set_yticks([])
        x0, x1 = inset.get_xlim()
        y0, y1 = inset.get_ylim()
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#333333", linewidth=0.6))
    return fig


CHARTS = {"timeline": timeline_chart, "map": departement_map}


def chart(store: Store, kind: str, output) -> Table:
    """Draw one of the :data:`CHARTS` (``timeline``, ``map``) to ``output``; return its data.

    :raises InputError: unknown kind.
    """
    if kind not in CHARTS:
        raise InputError(f"unknown chart {kind!r}", hint="one of: " + ", ".join(CHARTS))
    return CHARTS[kind](store, output)
