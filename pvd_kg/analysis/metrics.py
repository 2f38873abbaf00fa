"""Metrics over the networks and the programme, each a :class:`~.common.Table` (CSV, JSON, text).

- ``centrality``: degree and betweenness of people and organisations in the co-signature network;
- ``components``: its connected components;
- ``communities``: its Louvain communities (fixed seed, so runs agree);
- ``epci-pvd`` / ``departements-pvd``: the EPCIs and départements with the most PVD communes;
- ``ort-share``: per région, the share of PVD communes with a signed ORT convention.
"""

from __future__ import annotations

import networkx as nx

from ..errors import InputError
from ..store.base import Store
from ..vocab import ID
from .common import Table, select
from .networks import cosignature_network

LOUVAIN_SEED = 42
PVD_IRI = str(ID["programme/pvd"])
ORT_IRI = str(ID["programme/ort"])


def _in_pvd(var: str = "?c") -> str:
    """A group pattern: ``var`` is a commune of PVD (shortcut or selection)."""
    return (f"{{ {var} pvd:inProgramme <{PVD_IRI}> }} UNION "
            f"{{ [] pvd:commune {var} ; pvd:programme <{PVD_IRI}> }}")


def _members(g: nx.Graph, nodes) -> str:
    return "; ".join(sorted(g.nodes[n].get("label", n) for n in nodes))


def centrality(store: Store, graph: nx.Graph | None = None) -> Table:
    """Degree and betweenness centrality of every person and organisation in the co-signature
    network (:func:`~.networks.cosignature_network`), best connected first.

    Columns: ``iri``, ``label``, ``kind``, ``degree`` (distinct partners), ``weighted_degree``
    (sum of shared signings), ``degree_centrality`` and ``betweenness`` (both normalised,
    betweenness unweighted), ``signatures``, ``attendances``, ``parties``.

    :param graph: a co-signature network already built (default: build it from ``store``).
    """
    g = graph if graph is not None else cosignature_network(store)
    deg = nx.degree_centrality(g) if len(g) > 1 else {n: 0.0 for n in g}
    btw = nx.betweenness_centrality(g)
    rows = [{"iri": n, "label": d["label"], "kind": d["kind"], "degree": g.degree(n),
             "weighted_degree": g.degree(n, weight="weight"), "degree_centrality": round(deg[n], 6),
             "betweenness": round(btw[n], 6), "signatures": d["signatures"],
             "attendances": d["attendances"], "parties": d["parties"]}
            for n, d in g.nodes(data=True)]
    rows.sort(key=lambda r: (-r["degree"], -r["betweenness"], -r["weighted_degree"], r["label"], r["iri"]))
    cols = ["iri", "label", "kind", "degree", "weighted_degree", "degree_centrality", "betweenness",
            "signatures", "attendances", "parties"]
    return Table("centrality", cols, rows)


def _group_rows(g: nx.Graph, groups) -> list[dict]:
    groups = sorted((sorted(c) for c in groups), key=lambda c: (-len(c), _members(g, c)))
    return [{"group": i, "size": len(c),
             "people": sum(1 for n in c if g.nodes[n]["kind"] == "person"),
             "organisations": sum(1 for n in c if g.nodes[n]["kind"] != "person"),
             "members": _members(g, c)} for i, c in enumerate(groups, start=1)]


def _isolated_note(g: nx.Graph) -> tuple[nx.Graph, str | None]:
    """``g`` without its isolated nodes, and a note counting them (None if there are none)."""
    alone = [n for n in g if g.degree(n) == 0]
    if not alone:
        return g, None
    return g.subgraph(n for n in g if g.degree(n)).copy(), \
        f"{len(alone)} actors with no co-participant left out (e.g. a commune alone party to its convention)"


def components(store: Store, graph: nx.Graph | None = None) -> Table:
    """The connected components of the co-signature network with at least one tie, largest
    first (``group`` numbers them 1, 2...; ``members`` lists their labels); the note counts
    the actors left out because they share no signing with anyone."""
    g, note = _isolated_note(graph if graph is not None else cosignature_network(store))
    return Table("components", ["group", "size", "people", "organisations", "members"],
                 _group_rows(g, nx.connected_components(g)), note=note)


def communities(store: Store, graph: nx.Graph | None = None, seed: int = LOUVAIN_SEED) -> Table:
    """Louvain communities (``networkx.community.louvain_communities``, weight = shared signings,
    fixed ``seed``) of the co-signature network, largest first; actors with no tie are left
    out, as in :func:`components`."""
    g, note = _isolated_note(graph if graph is not None else cosignature_network(store))
    found = nx.community.louvain_communities(g, weight="weight", seed=seed) if len(g) else []
    return Table("communities", ["group", "size", "people", "organisations", "members"], _group_rows(g, found),
                 note="; ".join(filter(None, [f"Louvain, seed {seed}", note])))


def epci_pvd(store: Store) -> Table:
    """EPCIs ranked by their number of PVD communes (then by label)."""
    rows = select(store, f"""
SELECT ?e (SAMPLE(?l) AS ?label) (SAMPLE(?s) AS ?siren) (COUNT(DISTINCT ?c) AS ?n) WHERE {{
  {_in_pvd()} ?c pvd:memberOfEPCI ?e .
  OPTIONAL {{ ?e rdfs:label ?l }} OPTIONAL {{ ?e pvd:siren ?s }}
}} GROUP BY ?e""")
    out = [{"epci": str(r["e"]), "siren": str(r.get("siren", "")), "label": str(r.get("label", "")),
            "pvd_communes": int(r["n"])} for r in rows]
    out.sort(key=lambda r: (-r["pvd_communes"], r["label"], r["epci"]))
    for rank, row in enumerate(out, start=1):
        row["rank"] = rank
    return Table("epci-pvd", ["rank", "epci", "siren", "label", "pvd_communes"], out)


def departements_pvd(store: Store) -> Table:
    """Départements ranked by their number of PVD communes (``code`` is the INSEE code)."""
    rows = select(store, f"""
SELECT ?d (SAMPLE(?l) AS ?label) (SAMPLE(?k) AS ?code) (COUNT(DISTINCT ?c) AS ?n) WHERE {{
  {_in_pvd()} ?c pvd:inDepartement ?d .
  OPTIONAL {{ ?d rdfs:label ?l }} OPTIONAL {{ ?d igeo:codeINSEE ?k }}
}} GROUP BY ?d""")
    out = [{"departement": str(r["d"]), "code": str(r.get("code") or str(r["d"]).rsplit("/", 1)[-1]),
            "label": str(r.get("label", "")), "pvd_communes": int(r["n"])} for r in rows]
    out.sort(key=lambda r: (-r["pvd_communes"], r["code"]))
    for rank, row in enumerate(out, start=1):
        row["rank"] = rank
    return Table("departements-pvd", ["rank", "departement", "code", "label", "pvd_communes"], out)


def ort_share(store: Store) -> Table:
    """Per région, the PVD communes and how many of them have a signed ORT convention: a
    convention that ``pvd:concerns`` the commune, is a ``pvd:ORTConvention`` or belongs to
    ``id:programme/ort``, and has ``pvd:status id:status/signee`` or a dated ``pvd:Signing``.
    A commune's région is its ``pvd:inRegion``, else its département's. Communes with no
    known région are counted in a row whose ``region`` is empty."""
    # Two simple queries joined here: one query with the ORT pattern OPTIONAL ran ten times slower.
    communes = select(store, f"""
SELECT DISTINCT ?c ?r WHERE {{
  {_in_pvd()}
  OPTIONAL {{ ?c pvd:inRegion ?r1 }} OPTIONAL {{ ?c pvd:inDepartement/pvd:inRegion ?r2 }}
  BIND(COALESCE(?r1, ?r2) AS ?r)
}}""")
    with_ort = {str(r["c"]) for r in select(store, f"""
SELECT DISTINCT ?c WHERE {{
  ?conv pvd:concerns ?c .
  {{ ?conv a pvd:ORTConvention }} UNION {{ ?conv pvd:programme <{ORT_IRI}> }}
  {{ ?conv pvd:status <{ID["status/signee"]}> }} UNION {{ ?sg pvd:signed ?conv ; pvd:date [] }}
}}""")}
    region_of: dict[str, str] = {}
    for r in communes:  # a commune with two régions (inconsistent data) counts in the first
        region_of.setdefault(str(r["c"]), str(r.get("r", "")))
    regions = sorted({r for r in region_of.values() if r})
    info = {str(r["r"]): r for r in select(store, f"""
SELECT ?r (SAMPLE(?l) AS ?label) (SAMPLE(?k) AS ?code) WHERE {{
  VALUES ?r {{ {" ".join(f"<{r}>" for r in regions)} }}
  OPTIONAL {{ ?r rdfs:label ?l }} OPTIONAL {{ ?r igeo:codeINSEE ?k }} }} GROUP BY ?r""")} if regions else {}
    counts: dict[str, list[int]] = {}
    for commune, region in region_of.items():
        tally = counts.setdefault(region, [0, 0])
        tally[0] += 1
        tally[1] += commune in with_ort
    out = []
    for region, (n, ort) in counts.items():
        meta = info.get(region, {})
        out.append({"region": region, "code": str(meta.get("code", "")),
                    "label": str(meta.get("label", "")) if region else "(région inconnue)",
                    "pvd_communes": n, "with_signed_ort": ort, "share": round(ort / n, 4)})
    out.sort(key=lambda r: (-r["share"], -r["pvd_communes"], r["label"]))
    return Table("ort-share", ["region", "code", "label", "pvd_communes", "with_signed_ort", "share"], out)


METRICS = {
    "centrality": centrality,
    "components": components,
    "communities": communities,
    "epci-pvd": epci_pvd,
    "departements-pvd": departements_pvd,
    "ort-share": ort_share,
}


NETWORK_METRICS = ("centrality", "components", "communities")


def metric(store: Store, name: str, limit: int | None = None, actors: str = "all", ties: str = "all") -> Table:
    """Compute one of the :data:`METRICS` by name.

    :param actors: for the network metrics: the co-signature network's actors (see
        :func:`~.networks.cosignature_network`).
    :param ties: for the network metrics: its tie rule.
    :param limit: keep only the first ``limit`` rows (the tables are sorted best first).
    :raises InputError: unknown name.
    """
    if name not in METRICS:
        raise InputError(f"unknown metric {name!r}", hint="one of: " + ", ".join(METRICS))
    if name in NETWORK_METRICS:
        table = METRICS[name](store, graph=cosignature_network(store, actors=actors, ties=ties))
        if (actors, ties) != ("all", "all"):
            table.note = "; ".join(filter(None, [table.note, f"actors: {actors}, ties: {ties}"]))
    else:
        table = METRICS[name](store)
    if limit is not None and len(table.rows) > limit:
        table.note = "; ".join(filter(None, [table.note, f"first {limit} of {len(table.rows)} rows"]))
        table.rows = table.rows[:limit]
    return table
