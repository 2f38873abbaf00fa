"""Write a network as GraphML, GEXF (Gephi), node-link JSON (d3, the web server) or a PNG picture.

>>> import networkx as nx
>>> g = nx.Graph(name="demo"); g.add_edge("a", "b", relation="party", weight=2)
>>> doc = node_link(g)
>>> doc["links"][0]["relation"], doc["graph"]["name"]
('party', 'demo')
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx

from ..errors import InputError
from ..store.base import Store
from .networks import build_network

NETWORK_FORMATS = ("graphml", "gexf", "json", "png")


def node_link(g: nx.Graph) -> dict:
    """The node-link document of ``g`` (``nodes``, ``links``, ``graph``, ``directed``), the shape d3's
    force layout draws; :func:`networkx.node_link_graph` (with ``edges="links"``) reads it back."""
    return nx.node_link_data(g, edges="links")


def network_json(store: Store, kind: str, signing: str | None = None, actors: str = "all",
                 ties: str = "all") -> dict:
    """Build a network (:func:`~.networks.build_network`) and return its node-link document, for
    the web server to serve as ``application/json``.

    :raises InputError: unknown ``kind`` or signing.
    """
    return node_link(build_network(store, kind, signing=signing, actors=actors, ties=ties))


def network_bytes(g: nx.Graph, fmt: str) -> bytes:
    """Serialise ``g`` as ``graphml``, ``gexf``, ``json`` or ``png``.

    :raises InputError: unknown format.
    """
    if fmt == "json":
        return json.dumps(node_link(g), ensure_ascii=False, indent=1).encode("utf-8")
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(g, buf, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(g, buf, encoding="utf-8")
    elif fmt == "png":
        from .drawing import draw_network

        draw_network(g, buf)
    else:
        raise InputError(f"unknown network format {fmt!r}", hint="one of: " + ", ".join(NETWORK_FORMATS))
    return buf.getvalue()


def format_for_output(path: str | Path | None, fmt: str | None) -> str:
    """The format to write: ``fmt`` if given, else the output file's extension, else ``json``.

    >>> format_for_output("net.gexf", None), format_for_output(None, None), format_for_output("x.png", "json")
    ('gexf', 'json', 'json')

    :raises InputError: the extension names no known format.
    """
    if fmt:
        return fmt
    if path is None:
        return "json"
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in NETWORK_FORMATS:
        raise InputError(f"cannot tell the network format of {str(path)!r} from its extension",
                         hint="name it with --format (" + ", ".join(NETWORK_FORMATS) + ")")
    return ext


def read_network(path: str | Path, fmt: str | None = None) -> nx.Graph:
    """Read back a network written by :func:`network_bytes` (GraphML, GEXF or node-link JSON)."""
    fmt = format_for_output(path, fmt)
    if fmt == "graphml":
        return nx.read_graphml(path)
    if fmt == "gexf":
        return nx.read_gexf(path)
    if fmt == "json":
        return nx.node_link_graph(json.loads(Path(path).read_text(encoding="utf-8")), edges="links")
    raise InputError(f"cannot read a network back from {fmt!r}")
