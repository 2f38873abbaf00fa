"""Draw a network as a PNG a person can read: title, coloured kinds with a legend, labels on small
graphs, and for large graphs the best-connected nodes only (the title says so).

Matplotlib runs on the Agg backend (no display needed).
"""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

MAX_DRAWN = 60  # above this many nodes, draw the best-connected ones only
MAX_LABELLED = 70
FIGSIZE, DPI = (12, 9), 100  # 1200 x 900 pixels

KIND_COLOURS = {
    "signing": "#d62728", "convention": "#ff7f0e", "person": "#1f77b4", "post": "#aec7e8",
    "commune": "#2ca02c", "epci": "#98df8a", "departement": "#9467bd", "region": "#c5b0d5",
    "state-service": "#8c564b", "agency": "#c49c94", "financial-institution": "#e377c2",
    "social-landlord": "#f7b6d2", "organisation": "#7f7f7f", "programme": "#bcbd22", "other": "#c7c7c7",
}
_LAYERS = {"region": 0, "departement": 1, "epci": 2, "commune": 3}
# Co-signature edges: how the two took part (see networks.cosignature_network).
RELATION_STYLES = {"signatory": ("#b2182b", "solid"), "attendance": ("#7f7f7f", "dashed"),
                   "party": ("#4d9221", "dotted")}


def _key(g: nx.Graph, n) -> tuple[str, str]:
    return str(g.nodes[n].get("label", n)), str(n)


def _ordered_subgraph(g: nx.Graph, keep: list) -> nx.Graph:
    """The subgraph on ``keep`` with its nodes in that order (layouts place nodes in graph order)."""
    h = g.__class__()
    h.graph.update(g.graph)
    h.add_nodes_from((n, g.nodes[n]) for n in keep)
    h.add_edges_from(g.subgraph(keep).edges(data=True))
    return h


def sample(g: nx.Graph, max_nodes: int = MAX_DRAWN) -> tuple[nx.Graph, str | None]:
    """A readable part of a large graph, and a note saying what it shows (None when ``g`` is
    small enough to draw whole).

    A bipartite graph keeps every node of part 1 (the programmes) and shares the other places
    among the groups of part-0 nodes (communes) with the same neighbours (the same programmes),
    at least one each. Any other graph keeps the neighbourhood of its best-connected node,
    breadth first (best-connected neighbours first), within its connected component.

    >>> h, note = sample(nx.star_graph(100), 10)
    >>> len(h), 0 in h, note
    (10, True, 'showing 10 of 101 nodes: the neighbourhood of 0')
    """
    if len(g) <= max_nodes:
        return g, None
    und = g.to_undirected(as_view=True) if g.is_directed() else g
    if g.number_of_nodes() and all("bipartite" in d for _, d in g.nodes(data=True)):
        keep = [n for n, d in g.nodes(data=True) if d["bipartite"] == 1]
        groups: dict[frozenset, list] = {}
        for n, d in g.nodes(data=True):
            if d["bipartite"] == 0:
                groups.setdefault(frozenset(und[n]), []).append(n)
        ordered = sorted(groups.values(), key=lambda ns: -len(ns))
        room = max(max_nodes - len(keep), len(ordered))
        total = sum(len(ns) for ns in ordered)
        for ns in ordered:
            share = max(1, round(room * len(ns) / total))
            keep += _spread(sorted(ns, key=lambda n: _key(g, n)), share)
        note = (f"showing {len(keep)} of {len(g)} nodes: every programme, and communes sampled from each "
                "combination of programmes in proportion")
        return _ordered_subgraph(g, keep), note
    hub = min(g.nodes, key=lambda n: (-und.degree(n), *_key(g, n)))
    keep, seen, queue = [], {hub}, [hub]
    while queue and len(keep) < max_nodes:
        node = queue.pop(0)
        keep.append(node)
        for nb in sorted(und[node], key=lambda n: (-und.degree(n), *_key(g, n))):
            if nb not in seen:
                seen.add(nb)
                queue.append(nb)
    return g.subgraph(keep).copy(), \
        f"showing {len(keep)} of {len(g)} nodes: the neighbourhood of {_key(g, hub)[0]}"


def _spread(items: list, k: int) -> list:
    """``k`` items taken evenly along ``items`` (the middle of each of ``k`` equal stretches):
    a sample of names sorted alphabetically runs from A to Z, not only the first letter.

    >>> _spread(list("ABCDEFGHIJ"), 3)
    ['B', 'F', 'I']
    """
    k = min(k, len(items))
    return [items[int((i + 0.5) * len(items) / k)] for i in range(k)]


def radial_layout(g: nx.Graph) -> dict:
    """Rings around the best-connected node: each node sits one ring further out than the node
    it is reached from (breadth first), in an angular sector shared out by the number of leaves
    below it. Readable for the tree-like actor networks, where a spring layout piles each
    person on their post and organisation.

    >>> pos = radial_layout(nx.path_graph(3))
    >>> [round(float(v), 6) for v in pos[1]], round(float((pos[0] ** 2).sum()), 6)
    ([0.0, 0.0], 1.0)
    """
    import math

    und = g.to_undirected(as_view=True)
    key = lambda n: (str(g.nodes[n].get("label", n)), str(n))  # noqa: E731
    root = min(g, key=lambda n: (-und.degree(n), key(n)))
    children, order, seen = {root: []}, [root], {root}
    for node in order:
        for nb in sorted(und[node], key=key):
            if nb not in seen:
                seen.add(nb)
                children[node].append(nb)
                children[nb] = []
                order.append(nb)
    leaves = {}
    for node in reversed(order):
        leaves[node] = sum(leaves[c] for c in children[node]) or 1
    polar, todo = {root: (0, 0.0)}, [(root, 0.0, 2 * math.pi, 0)]
    while todo:
        node, start, span, depth = todo.pop()
        at = start
        for child in children[node]:
            width = span * leaves[child] / leaves[node]
            polar[child] = (depth + 1, at + width / 2)
            todo.append((child, at, width, depth + 1))
            at += width
    # A crowded ring moves out (one unit of arc per node) and evens out its spacing half-way,
    # so that siblings in narrow sectors do not pile up.
    pos, radius = {root: np.array([0.0, 0.0])}, 0.0
    for depth in range(1, max(d for d, _ in polar.values()) + 1):
        ring = sorted((a, n) for n, (d, a) in polar.items() if d == depth)
        radius = max(radius + 1.0, len(ring) / (2 * math.pi))
        for i, (angle, n) in enumerate(ring):
            even = ring[0][0] + 2 * math.pi * i / len(ring)
            mixed = (angle + even) / 2 if len(ring) > 2 else angle
            pos[n] = np.array([radius * math.cos(mixed), radius * math.sin(mixed)])
    return pos


def layered_layout(g: nx.Graph, layer: dict) -> dict:
    """Rows from layer 0 (top) down, each spread over the full width; a node is ordered under
    the nodes it is linked to in the row above (a commune under its EPCI; a commune under the
    programmes it is in), which keeps edges short.

    >>> g = nx.DiGraph([("c1", "d"), ("c2", "d")])
    >>> pos = layered_layout(g, {"d": 0, "c1": 1, "c2": 1})
    >>> pos["d"], pos["c1"], pos["c2"]
    ((0.5, -0.0), (0.3333333333333333, -1.0), (0.6666666666666666, -1.0))
    """
    und = g.to_undirected(as_view=True)
    rank: dict = {}
    pos: dict = {}
    for depth in sorted(set(layer.values())):
        row = [n for n in g if layer[n] == depth]

        def order(n):
            up = [m for m in und[n] if m in rank and layer[m] < depth]
            nearest = max((layer[m] for m in up), default=None)
            above = [rank[m] for m in up if layer[m] == nearest]
            return (tuple(sorted(above)) or (-1,), str(g.nodes[n].get("label", n)), str(n))

        row.sort(key=order)
        for i, n in enumerate(row):
            rank[n] = i
            pos[n] = ((i + 1) / (len(row) + 1), -float(depth))
    return pos


def _spring(g: nx.Graph) -> dict:
    # A large k spreads small triangles (a person, their post, their organisation) apart.
    return nx.spring_layout(g, seed=7, k=3.5 / max(len(g), 1) ** 0.5, iterations=500)


def packed_layout(g: nx.Graph, layout) -> dict:
    """Lay out each connected component on its own with ``layout`` and pack them in rows, largest
    first, each in a square whose side grows with the square root of its size (a spring layout
    of a whole disconnected graph squeezes every component into a corner).

    >>> pos = packed_layout(nx.Graph([(1, 2), (3, 4)]), nx.circular_layout)
    >>> float(round(abs(pos[1] - pos[3]).max(), 6))  # one square apart
    1.0
    """
    import math

    und = g.to_undirected(as_view=True)
    comps = sorted(nx.connected_components(und), key=lambda c: (-len(c), sorted(map(str, c))[0]))
    if len(comps) <= 1:
        return layout(g)
    biggest = len(comps[0])
    sides = [math.sqrt(len(c) / biggest) for c in comps]
    width = max(1.0, 1.3 * math.sqrt(sum(b * b for b in sides)))
    pos, x, y, row_height = {}, 0.0, 0.0, 0.0
    for comp, side in zip(comps, sides):
        if x > 0 and x + side > width + 1e-9:
            x, y, row_height = 0.0, y - row_height, 0.0
        centre = np.array([x + side / 2, y - side / 2])
        if len(comp) == 1:
            pos[next(iter(comp))] = centre
        else:
            part = layout(g.subgraph(comp))
            arr = np.array([part[n] for n in comp], dtype=float)
            mid = (arr.max(0) + arr.min(0)) / 2
            span = float((arr.max(0) - arr.min(0)).max()) or 1.0
            for n in comp:
                pos[n] = (np.asarray(part[n], dtype=float) - mid) * (0.8 * side / span) + centre
        x += side
        row_height = max(row_height, side)
    return pos


def _layout(g: nx.Graph) -> dict:
    kinds = {n: d.get("kind", "other") for n, d in g.nodes(data=True)}
    if g.graph.get("name") == "hierarchy" and all(k in _LAYERS for k in kinds.values()):
        return layered_layout(g, {n: _LAYERS[k] for n, k in kinds.items()})
    if all("bipartite" in d for _, d in g.nodes(data=True)) and g.number_of_edges():
        return layered_layout(g, {n: 1 - d["bipartite"] for n, d in g.nodes(data=True)})  # programmes on top
    if g.graph.get("name") == "signing":
        return packed_layout(g, radial_layout)  # actors in rings around the best-connected node
    return packed_layout(g, _spring)


def _wrap(text: str, width: int = 22) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _draw_labels(ax, h: nx.Graph, pos: dict, sizes: dict) -> None:
    """Labels hang just below their node (offset by its radius), so that they hide neither its
    colour nor the row above; on a crowded row (a layer of a layered layout) they turn vertical
    and wrap instead of being cut."""
    rows: dict[float, int] = {}
    for _, y in pos.values():
        rows[round(float(y), 3)] = rows.get(round(float(y), 3), 0) + 1
    size = 8 if len(h) <= 30 else 6.5
    box = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75}
    turned, lowest = False, min(rows)
    for n, (x, y) in pos.items():
        text = str(h.nodes[n].get("label", n))
        below = -(sizes[n] ** 0.5 / 2 + 2)  # the marker's radius in points, and a gap
        row = round(float(y), 3)
        crowded = rows[row] > 12
        turned = turned or crowded
        # the lowest row has the room below it; a row above has the gap to the next row only
        width = (40 if row == lowest else 18) if crowded else 22
        ax.annotate(_wrap(text, width), (x, y), xytext=(0, below),
                    textcoords="offset points", rotation=90 if crowded else 0, ha="center", va="top",
                    fontsize=size, bbox=box, annotation_clip=False)
    if turned:
        ax.margins(x=0.04, y=0.35)


def draw_network(g: nx.Graph, output, title: str | None = None, max_nodes: int = MAX_DRAWN) -> None:
    """Draw ``g`` to ``output`` (a path or a binary file object) as a 1200×900 PNG
    (:func:`network_figure`)."""
    fig = network_figure(g, title, max_nodes)
    try:
        fig.savefig(output, format="png", dpi=DPI)
    finally:
        plt.close(fig)


def network_figure(g: nx.Graph, title: str | None = None, max_nodes: int = MAX_DRAWN):
    """The figure of ``g`` (close it with ``plt.close``).

    Node colour = ``kind`` (legend), node size grows with degree, edge width with ``weight``;
    labels are the nodes' ``label`` (wrapped), and on graphs of at most 25 edges the edges show
    their ``relation``. A graph of more than ``max_nodes`` nodes is reduced by :func:`sample`.
    """
    h, note = sample(g, max_nodes)
    fig, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI)
    try:
        heading = title or g.graph.get("title") or g.graph.get("name") or "Network"
        stats = f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges" + (f" — {note}" if note else "")
        ax.set_title(f"{heading}\n" + "\n".join(textwrap.wrap(stats, 95)), fontsize=13)
        ax.set_axis_off()
        if len(h) == 0:
            ax.text(0.5, 0.5, "empty network: nothing to draw", ha="center", va="center", fontsize=14,
                    transform=ax.transAxes)
        else:
            pos = _layout(h)
            kinds = [h.nodes[n].get("kind", "other") for n in h]
            degree = dict(h.degree())
            top = max(degree.values()) or 1
            sizes = [250 + 1200 * degree[n] / top for n in h]
            weights = [h.edges[e].get("weight", 1) for e in h.edges]
            wmin, wmax = min(weights, default=1), max(weights, default=1)
            widths = [0.8 + 3.2 * (w - wmin) / (wmax - wmin) if wmax > wmin else 1.4 for w in weights]
            relations = [h.edges[e].get("relation", "") for e in h.edges]
            styled = set(relations) <= set(RELATION_STYLES)
            colours = [RELATION_STYLES[r][0] if styled else "#999999" for r in relations]
            styles = [RELATION_STYLES[r][1] if styled else "solid" for r in relations]
            arrows = {"arrows": True, "arrowsize": 12} if h.is_directed() else {}
            nx.draw_networkx_edges(h, pos, ax=ax, width=widths, edge_color=colours, style=styles, alpha=0.7,
                                   node_size=sizes, **arrows)
            nx.draw_networkx_nodes(h, pos, ax=ax, node_size=sizes, edgecolors="#333333", linewidths=0.6,
                                   node_color=[KIND_COLOURS.get(k, KIND_COLOURS["other"]) for k in kinds])
            if len(h) <= MAX_LABELLED:
                _draw_labels(ax, h, pos, dict(zip(h, sizes)))
            if 0 < h.number_of_edges() <= 30 and not styled:
                rel = {e: h.edges[e].get("relation", "") for e in h.edges}
                nx.draw_networkx_edge_labels(h, pos, edge_labels=rel, ax=ax, font_size=7, font_color="#555555",
                                             bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})
            present = sorted(set(kinds), key=list(KIND_COLOURS).index if set(kinds) <= set(KIND_COLOURS) else str)
            handles = [Line2D([0], [0], marker="o", linestyle="", markersize=9, markeredgecolor="#333333",
                              markerfacecolor=KIND_COLOURS.get(k, KIND_COLOURS["other"]), label=k) for k in present]
            if styled:
                handles += [Line2D([0], [0], color=c, linestyle=st, linewidth=2, label=f"tie: {r}")
                            for r, (c, st) in RELATION_STYLES.items() if r in relations]
            ax.legend(handles=handles, title="kind", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9,
                      framealpha=0.85)
            if ax.get_ymargin() < 0.3:
                ax.margins(0.08)
        fig.tight_layout()
    except BaseException:
        plt.close(fig)
        raise
    return fig
