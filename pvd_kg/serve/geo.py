"""Geometries and points for the maps, read from the source files shipped in ``graph/sources/``.

Points of communes, in order of preference: the ORT list's ``longitude``/``latitude``, the ACV
list's ``lon``/``lat``, else the centroid of the commune's département polygon (marked
``departement``). The graph itself holds no coordinates. The shipped outlines of the overseas
départements are insets placed next to metropolitan France (as on ANCT maps).
"""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path

from .. import paths

ORT_FILE = "ort_conventions_2024-10.csv"
ACV_FILE = "acv_communes_2024-09.csv"


def _read_geojson(name: str, sources: Path) -> list[dict]:
    path = sources / name
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["features"]


@functools.lru_cache(maxsize=4)
def geometries(sources: Path = paths.SOURCES_DIR) -> dict[str, dict[str, dict]]:
    """``{"departement": {code: feature}, "epci": {siren: feature}}`` from the shipped GeoJSON."""
    return {
        "departement": {f["properties"]["insee_dep"]: f for f in _read_geojson("departements.geojson", sources)},
        "epci": {f["properties"]["siren_epci"]: f for f in _read_geojson("epci.geojson", sources)},
    }


def centroid(geometry: dict) -> tuple[float, float] | None:
    """Area-weighted centroid (lon, lat) of the largest ring set of a (Multi)Polygon.

    >>> centroid({"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]})
    (1.0, 1.0)
    """
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    best = None
    for poly in polys:
        ring = poly[0]
        a = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
            cross = x0 * y1 - x1 * y0
            a += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if a and (best is None or abs(a) > abs(best[0])):
            best = (a, cx / (3 * a), cy / (3 * a))
    return (round(best[1], 5), round(best[2], 5)) if best else None


def _float(text: str | None) -> float | None:
    try:
        value = float((text or "").replace(",", "."))
    except ValueError:
        return None
    return value if value == value else None  # NaN


@functools.lru_cache(maxsize=4)
def commune_points(sources: Path = paths.SOURCES_DIR) -> dict[str, tuple[float, float, str]]:
    """``{INSEE: (lon, lat, origin)}`` with origin ``ort`` or ``acv``."""
    points: dict[str, tuple[float, float, str]] = {}
    for name, code_col, lon_col, lat_col, origin in ((ACV_FILE, "insee_com", "lon", "lat", "acv"),
                                                    (ORT_FILE, "Code commune", "longitude", "latitude", "ort")):
        path = sources / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                lon, lat = _float(row.get(lon_col)), _float(row.get(lat_col))
                code = (row.get(code_col) or "").strip()
                if code and lon is not None and lat is not None and -180 <= lon <= 180 and -90 <= lat <= 90:
                    points[code] = (lon, lat, origin)  # ORT read last: it wins
    return points


# True extent (lon min, lon max, lat min, lat max) of each overseas département, mapped onto the
# extent of its inset in the shipped outlines.
OVERSEAS_EXTENTS = {"971": (-61.81, -61.0, 15.83, 16.52), "972": (-61.23, -60.81, 14.39, 14.88),
                    "973": (-54.61, -51.61, 2.11, 5.78), "974": (55.21, 55.84, -21.39, -20.87),
                    "976": (44.98, 45.3, -13.0, -12.63)}


def _extent(geometry: dict) -> tuple[float, float, float, float]:
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    xs = [x for poly in polys for x, _ in poly[0]]
    ys = [y for poly in polys for _, y in poly[0]]
    return min(xs), max(xs), min(ys), max(ys)


def on_inset(lon: float, lat: float, departement: str | None) -> tuple[float, float] | None:
    """Where a point of an overseas département falls on its inset next to metropolitan France
    (None for any other département, or without its outline).

    >>> x, y = on_inset(-61.81, 15.83, "971"); (round(x, 3), round(y, 3))
    (-4.617, 44.935)
    """
    true = OVERSEAS_EXTENTS.get(departement or "")
    feature = geometries()["departement"].get(departement or "")
    if true is None or feature is None:
        return None
    x0, x1, y0, y1 = _extent(feature["geometry"])
    return (x0 + (lon - true[0]) / (true[1] - true[0]) * (x1 - x0),
            y0 + (lat - true[2]) / (true[3] - true[2]) * (y1 - y0))


def point_for(insee: str, departement: str | None) -> tuple[float, float, str] | None:
    """The map point of a commune: its own, else its département's centroid (``departement``).
    Overseas départements (97x) get no centroid: the shipped outlines are insets drawn next to
    metropolitan France, not at their true place.

    >>> point_for("97308", "973") is None or point_for("97308", "973")[2] != "departement"
    True
    """
    own = commune_points().get(insee)
    if own:
        return own
    if (departement or "").startswith("97"):
        return None
    feature = geometries()["departement"].get(departement or "")
    if feature:
        c = centroid(feature["geometry"])
        if c:
            return (c[0], c[1], "departement")
    return None
