"""The analysis views (:mod:`pvd_kg.analysis`) computed inside a query worker process.

Networks, metrics and pictures need networkx, matplotlib and many queries: they run in a worker
of the pool (:mod:`.pool`), on the worker's read-only store, so the event loop never waits on
them and the pool's time limit and update lock apply as for any query. :func:`run_analysis` is
the worker's ``analysis`` job; it is imported on the first such job only, so workers that
answer SPARQL alone never load matplotlib.

A job names one artefact: ``{"what": "network", "kind", "format", "signing"?}``,
``{"what": "metric", "name"}`` (JSON) or ``{"what": "chart", "kind"}`` (PNG).
"""

from __future__ import annotations

import io

from ..errors import InputError, PvdKgError

NETWORK_MEDIA_TYPES = {
    "json": "application/json",
    "png": "image/png",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}
CHART_KINDS = ("timeline", "map")  # the keys of pvd_kg.analysis.charts.CHARTS, without importing matplotlib


# Networks this worker built, by (kind, signing): JSON, PNG and GraphML of one network cost one
# build. Valid for the worker's life: the pool replaces every reader after an update.
_BUILT: dict[tuple, object] = {}
_BUILT_MAX = 8


def _network(store, job: dict) -> tuple[bytes, str]:
    from ..analysis.export import network_bytes
    from ..analysis.networks import build_network

    fmt = job["format"]
    if fmt not in NETWORK_MEDIA_TYPES:
        raise InputError(f"unknown network format {fmt!r}", hint="one of: " + ", ".join(NETWORK_MEDIA_TYPES))
    key = (job["kind"], job.get("signing"))
    if key not in _BUILT:
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.pop(next(iter(_BUILT)))
        _BUILT[key] = build_network(store, job["kind"], signing=job.get("signing"))
    return network_bytes(_BUILT[key], fmt), NETWORK_MEDIA_TYPES[fmt]


def _metric(store, job: dict) -> tuple[bytes, str]:
    from ..analysis.metrics import metric

    return metric(store, job["name"]).to_json().encode("utf-8"), "application/json"


def _chart(store, job: dict) -> tuple[bytes, str]:
    from ..analysis.charts import chart

    buf = io.BytesIO()
    chart(store, job["kind"], buf)
    return buf.getvalue(), "image/png"


ARTEFACTS = {"network": _network, "metric": _metric, "chart": _chart}


def run_analysis(ox_store, job: dict) -> dict:
    """Compute one artefact on an open pyoxigraph store (the worker's).

    :returns: a worker reply: ``{"ok": True, "body", "media_type"}``, or ``{"ok": False,
        "error": "input", "message", "hint"}`` when the job names something the store lacks
        (an unknown signing), or ``"error": "failed"`` for any other library error.

    >>> import pyoxigraph as ox
    >>> run_analysis(ox.Store(), {"what": "metric", "name": "epci-pvd"})["media_type"]
    'application/json'
    >>> run_analysis(ox.Store(), {"what": "network", "kind": "nope", "format": "json"})["error"]
    'input'
    """
    from ..store.memory import MemoryStore

    store = MemoryStore(ox_store)  # a wrapper: queries go to the worker's read-only store
    try:
        body, media_type = ARTEFACTS[job["what"]](store, job)
    except InputError as exc:
        return {"ok": False, "error": "input", "message": exc.message, "hint": exc.hint}
    except PvdKgError as exc:
        return {"ok": False, "error": "failed", "message": str(exc)}
    return {"ok": True, "body": body, "media_type": media_type}
