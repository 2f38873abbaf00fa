"""networkx views of the knowledge graph, each built from a store by SPARQL.

Every node is keyed by its IRI and carries ``kind`` (``person``, ``commune``, ``signing``...),
``label`` and ``iri``; every edge carries ``relation``. The views:

- :func:`signing_network`: the actors of one signing (or of every signing): the signing, the
  convention, people, their posts and the organisations they act for (directed, RDF direction);
- :func:`cosignature_network`: people and organisations linked when they take part in the same
  signing, ``weight`` = number of signings shared, signatory and attendee kept apart;
- :func:`hierarchy_network`: commune → EPCI → département → région (a DAG: an EPCI may cover
  several départements);
- :func:`programme_network`: the bipartite commune–programme graph (``bipartite`` 0 = commune,
  1 = programme) and :func:`programme_projection` its weighted projections.
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx
from networkx.algorithms import bipartite

from ..errors import InputError
from ..store.base import Store
from .common import ORGANISATION_KINDS, _values, expand_iri, kinds, labels, select


def _add_nodes(store: Store, g: nx.Graph, iris, **extra) -> None:
    iris = [i for i in set(iris) if i]
    lab, kin = labels(store, iris), kinds(store, iris)
    for iri in iris:
        attrs = {"kind": kin[iri], "label": lab[iri], "iri": iri}
        attrs.update({k: v[iri] for k, v in extra.items() if iri in v})
        g.add_node(iri, **attrs)


def _add_relation(g: nx.Graph, u: str, v: str, relation: str) -> None:
    """Add an edge; a second relation between the same nodes is joined to the first (``concerns;party``)."""
    if g.has_edge(u, v):
        known = set(g.edges[u, v]["relation"].split(";"))
        g.edges[u, v]["relation"] = ";".join(sorted(known | {relation}))
    else:
        g.add_edge(u, v, relation=relation)


def signings(store: Store) -> list[str]:
    """IRIs of every ``pvd:Signing`` in the store (sorted)."""
    return sorted(str(r["s"]) for r in select(store, "SELECT DISTINCT ?s WHERE { ?s pvd:signed ?c }"))


def signing_network(store: Store, signing: str | None = None) -> nx.DiGraph:
    """The actors of a signing: the signing, the convention it signed, the commune it concerns, its
    parties, the people who signed or attended, the posts they held and the organisations they
    acted for. Edges follow the RDF direction; ``relation`` is the property's local name
    (``signed``, ``signature``, ``attendance``, ``inPost``, ``postIn``, ``onBehalfOf``, ``party``,
    ``concerns``).

    :param store: any store.
    :param signing: the IRI of one signing (or a prefixed name: ``id:signing/ort/62907``); None
        for every signing in the store.
    :raises InputError: ``signing`` is not a signing in the store.
    """
    signing = expand_iri(signing) if signing is not None else None
    known = signings(store)
    if signing is not None and signing not in known:
        hint = ("signings in the store: " + ", ".join(known[:5]) + (" ..." if len(known) > 5 else "")
                if known else "the store holds no signing: run `pvd-kg build` first")
        raise InputError(f"no signing <{signing}> in the store", hint=hint)
    chosen = [signing] if signing else known
    g = nx.DiGraph(name="signing", title=f"Actors of {'the signing ' + signing if signing else 'every signing'}")
    if not chosen:
        return g
    filt = f"VALUES ?s {{ {_values(chosen)} }}" if signing else ""
    dates = {}
    for row in select(store, f"SELECT ?s ?c ?d WHERE {{ {filt} ?s pvd:signed ?c OPTIONAL {{ ?s pvd:date ?d }} }}"):
        _add_relation(g, str(row["s"]), str(row["c"]), "signed")
        if "d" in row and len(str(row["d"])) > len(dates.get(str(row["s"]), "")):
            dates[str(row["s"])] = str(row["d"])  # several sources may date it: the most precise
    rows = select(store, f"""
SELECT ?s ?rel ?agent ?post ?org WHERE {{
  {filt}
  {{ ?s pvd:signature ?a BIND("signature" AS ?rel) }} UNION {{ ?s pvd:attendance ?a BIND("attendance" AS ?rel) }}
  OPTIONAL {{ ?a pvd:agent ?agent }} OPTIONAL {{ ?a pvd:inPost ?post }} OPTIONAL {{ ?a pvd:onBehalfOf ?org }}
}}""")
    for row in rows:
        s, rel = str(row["s"]), str(row["rel"])
        actor = row.get("agent") or row.get("org")
        if actor is None:
            continue
        _add_relation(g, s, str(actor), rel)
        if "agent" in row and "post" in row:
            _add_relation(g, str(row["agent"]), str(row["post"]), "inPost")
        if "agent" in row and "org" in row:
            _add_relation(g, str(row["agent"]), str(row["org"]), "onBehalfOf")
    posts = [n for n in g if any(d["relation"] == "inPost" for _, _, d in g.in_edges(n, data=True))]
    if posts:
        for row in select(store, f"SELECT ?p ?o WHERE {{ VALUES ?p {{ {_values(posts)} }} ?p org:postIn ?o }}"):
            _add_relation(g, str(row["p"]), str(row["o"]), "postIn")
    convs = [n for n in g if any(d["relation"] == "signed" for _, _, d in g.in_edges(n, data=True))]
    for row in select(store, f"""
SELECT ?c ?rel ?o WHERE {{ VALUES ?c {{ {_values(convs)} }}
  {{ ?c pvd:party ?o BIND("party" AS ?rel) }} UNION {{ ?c pvd:concerns ?o BIND("concerns" AS ?rel) }} }}"""):
        _add_relation(g, str(row["c"]), str(row["o"]), str(row["rel"]))
    _add_nodes(store, g, list(g.nodes), date=dates)
    if signing:
        g.graph["title"] = f"Actors of the signing « {g.nodes[signing]['label']} »"
    return g


_ROLE_RANK = {"signatory": 0, "attendee": 1, "party": 2}
ACTOR_SETS = ("all", "people", "organisations")
TIES = ("all", "signature")


def cosignature_network(store: Store, actors: str = "all", include_parties: bool = True,
                        ties: str = "all") -> nx.Graph:
    """Who takes part in the same signings, across every convention in the store.

    A participant of a signing is a person who signed (``pvd:signature``) or attended
    (``pvd:attendance``) it, the organisation they acted for (``pvd:onBehalfOf``), and, with
    ``include_parties``, each ``pvd:party`` of the signed convention. A participant's role in a
    signing is the strongest of ``signatory`` > ``attendee`` > ``party``. Two participants of
    the same signing are linked; the edge counts the signings they share: ``weight`` (all),
    ``signatory`` (both signed), ``attendance`` (at least one only attended) and ``party`` (the
    rest: at least one was only a party); ``relation`` is the largest of the three.
    Nodes count their ``signatures``, ``attendances`` and ``parties``.

    :param actors: ``all``, ``people`` (persons only) or ``organisations``.
    :param include_parties: count the convention's parties as participants.
    :param ties: ``all`` links every two participants; ``signature`` only pairs in which at
        least one side signed (a star around the signatories: who signed with whom present).
    :raises InputError: unknown ``actors`` or ``ties``.
    """
    if actors not in ACTOR_SETS:
        raise InputError(f"unknown actor set {actors!r}", hint="one of: " + ", ".join(ACTOR_SETS))
    if ties not in TIES:
        raise InputError(f"unknown tie rule {ties!r}", hint="one of: " + ", ".join(TIES))
    roles: dict[str, dict[str, str]] = {}  # signing -> participant -> role

    def take(signing, who, role):
        if who is None:
            return
        per = roles.setdefault(str(signing), {})
        if str(who) not in per or _ROLE_RANK[role] < _ROLE_RANK[per[str(who)]]:
            per[str(who)] = role

    for row in select(store, """
SELECT ?s ?role ?agent ?org WHERE {
  { ?s pvd:signature ?a BIND("signatory" AS ?role) } UNION { ?s pvd:attendance ?a BIND("attendee" AS ?role) }
  OPTIONAL { ?a pvd:agent ?agent } OPTIONAL { ?a pvd:onBehalfOf ?org }
}"""):
        take(row["s"], row.get("agent"), str(row["role"]))
        take(row["s"], row.get("org"), str(row["role"]))
    if include_parties:
        for row in select(store, "SELECT ?s ?o WHERE { ?s pvd:signed ?c . ?c pvd:party ?o }"):
            take(row["s"], row["o"], "party")
    everyone = {who for per in roles.values() for who in per}
    kin = kinds(store, everyone)
    keep = {w for w in everyone if actors == "all"
            or (actors == "people" and kin[w] == "person")
            or (actors == "organisations" and kin[w] in ORGANISATION_KINDS)}
    g = nx.Graph(name="cosignature", title="Co-signature network"
                 + (f" ({actors})" if actors != "all" else "") + (", ties through a signatory" if ties != "all" else ""))
    counts = {w: {"signatures": 0, "attendances": 0, "parties": 0} for w in keep}
    column = {"signatory": "signatures", "attendee": "attendances", "party": "parties"}
    for per in roles.values():
        present = sorted(w for w in per if w in keep)
        for w in present:
            counts[w][column[per[w]]] += 1
        for u, v in combinations(present, 2):
            pair = {per[u], per[v]}
            if ties == "signature" and "signatory" not in pair:
                continue
            kind = ("signatory" if pair == {"signatory"} else "attendance" if "attendee" in pair else "party")
            if not g.has_edge(u, v):
                g.add_edge(u, v, weight=0, signatory=0, attendance=0, party=0)
            g.edges[u, v]["weight"] += 1
            g.edges[u, v][kind] += 1
    for u, v, d in g.edges(data=True):
        d["relation"] = max(("signatory", "attendance", "party"), key=lambda k: (d[k], -["signatory", "attendance", "party"].index(k)))
    g.add_nodes_from(keep)
    lab = labels(store, keep)
    for w in keep:
        g.nodes[w].update(kind=kin[w], label=lab[w], iri=w, **counts[w])
    return g


def hierarchy_network(store: Store, programme: str | None = "https://w3id.org/pvd-kg/id/programme/pvd") -> nx.DiGraph:
    """The territorial hierarchy: commune → EPCI (``memberOfEPCI``), commune → département and
    EPCI → each département it covers (``inDepartement``), département → région (``inRegion``).
    A commune with no département links to its région directly. Nodes carry ``code`` (INSEE
    code, or SIREN for an EPCI).

    :param programme: keep only the communes of this programme (IRI); None for every commune.
    """
    g = nx.DiGraph(name="hierarchy", title="Commune – EPCI – département – région")
    # The commune list first, then its links by chunks: Oxigraph plans one query joining the
    # programme pattern with ?c a pvd:Commune and OPTIONALs hundreds of times slower.
    if programme is None:
        found = "SELECT DISTINCT ?c WHERE { ?c a pvd:Commune }"
    else:
        found = (f"SELECT DISTINCT ?c WHERE {{ {{ ?c pvd:inProgramme <{programme}> }} UNION "
                 f"{{ ?sel pvd:commune ?c ; pvd:programme <{programme}> }} }}")
    communes = sorted(str(r["c"]) for r in select(store, found))
    rows = []
    for start in range(0, len(communes), 400):
        rows += select(store, f"""SELECT ?c ?e ?d ?r WHERE {{ VALUES ?c {{ {_values(communes[start:start + 400])} }}
  OPTIONAL {{ ?c pvd:memberOfEPCI ?e }} OPTIONAL {{ ?c pvd:inDepartement ?d }} OPTIONAL {{ ?c pvd:inRegion ?r }} }}""")
    for row in rows:
        c = str(row["c"])
        g.add_node(c)
        if "e" in row:
            g.add_edge(c, str(row["e"]), relation="memberOfEPCI")
        if "d" in row:
            g.add_edge(c, str(row["d"]), relation="inDepartement")
        elif "r" in row:
            g.add_edge(c, str(row["r"]), relation="inRegion")
    kin = kinds(store, g.nodes)
    epcis = [n for n in g if kin[n] == "epci"]
    if epcis:
        for row in select(store, f"SELECT ?e ?d WHERE {{ VALUES ?e {{ {_values(epcis)} }} ?e pvd:inDepartement ?d }}"):
            g.add_edge(str(row["e"]), str(row["d"]), relation="inDepartement")
    deps = [n for n, k in kinds(store, g.nodes).items() if k == "departement"]  # EPCIs may add some
    if deps:
        for row in select(store, f"SELECT ?d ?r WHERE {{ VALUES ?d {{ {_values(deps)} }} ?d pvd:inRegion ?r }}"):
            g.add_edge(str(row["d"]), str(row["r"]), relation="inRegion")
    codes = {}
    nodes = list(g.nodes)
    for start in range(0, len(nodes), 400):
        for row in select(store, f"""SELECT ?x ?code WHERE {{ VALUES ?x {{ {_values(nodes[start:start + 400])} }}
  {{ ?x igeo:codeINSEE ?code }} UNION {{ ?x a pvd:EPCI ; pvd:siren ?code }} }}"""):
            codes[str(row["x"])] = str(row["code"])
    _add_nodes(store, g, nodes, code=codes)
    return g


def programme_network(store: Store) -> nx.Graph:
    """The bipartite commune–programme graph: a commune is linked to each programme it is in
    (``pvd:inProgramme`` or a ``pvd:Selection``). ``bipartite`` is 0 for communes, 1 for
    programmes; every ``pvd:Programme`` is a node even with no commune."""
    g = nx.Graph(name="programmes", title="Communes and programmes (bipartite)")
    progs = [str(r["p"]) for r in select(store, "SELECT DISTINCT ?p WHERE { ?p a pvd:Programme }")]
    g.add_nodes_from(progs, bipartite=1)
    for row in select(store, """SELECT DISTINCT ?c ?p WHERE {
  { ?c pvd:inProgramme ?p } UNION { ?sel pvd:commune ?c ; pvd:programme ?p } }"""):
        c, p = str(row["c"]), str(row["p"])
        g.add_node(c, bipartite=0)
        g.add_node(p, bipartite=1)
        g.add_edge(c, p, relation="inProgramme")
    codes = {}
    communes = [n for n, d in g.nodes(data=True) if d["bipartite"] == 0]
    for start in range(0, len(communes), 400):
        for row in select(store, f"SELECT ?x ?code WHERE {{ VALUES ?x {{ {_values(communes[start:start + 400])} }} "
                                 "?x igeo:codeINSEE ?code }"):
            codes[str(row["x"])] = str(row["code"])
    _add_nodes(store, g, list(g.nodes), code=codes)
    return g


def programme_projection(store: Store, side: str = "programmes", max_communes: int | None = 300) -> nx.Graph:
    """A weighted projection of :func:`programme_network`: programmes linked by the number of
    communes they share (``side="programmes"``), or communes linked by the number of
    programmes they share (``side="communes"``; n communes in one programme make n(n-1)/2
    edges, hence ``max_communes``).

    :param side: ``programmes`` or ``communes``.
    :param max_communes: refuse the commune projection above this many communes (None: no limit).
    :raises InputError: unknown ``side``, or too many communes.
    """
    b = programme_network(store)
    if side not in ("programmes", "communes"):
        raise InputError(f"unknown projection side {side!r}", hint="one of: programmes, communes")
    part = 1 if side == "programmes" else 0
    nodes = [n for n, d in b.nodes(data=True) if d["bipartite"] == part]
    if side == "communes" and max_communes is not None and len(nodes) > max_communes:
        raise InputError(f"the commune projection of {len(nodes)} communes is too large to build "
                         f"(up to {len(nodes) * (len(nodes) - 1) // 2} edges)",
                         hint="project onto programmes, or analyse the bipartite graph itself")
    g = bipartite.weighted_projected_graph(b, nodes)
    g.graph.update(name=f"programmes-projection-{side}",
                   title=f"{side.capitalize()} linked by shared {'communes' if part else 'programmes'}")
    for _, _, d in g.edges(data=True):
        d["relation"] = "shared communes" if part else "shared programmes"
    return g


NETWORKS = ("signing", "cosignature", "hierarchy", "programmes", "programmes-projection")


def build_network(store: Store, kind: str, signing: str | None = None, actors: str = "all",
                  ties: str = "all") -> nx.Graph:
    """Build one of the :data:`NETWORKS` by name.

    :param kind: a name in :data:`NETWORKS`.
    :param signing: for ``signing``: one signing's IRI (None: every signing).
    :param actors: for ``cosignature``: see :func:`cosignature_network`.
    :param ties: for ``cosignature``: see :func:`cosignature_network`.
    :raises InputError: unknown ``kind``, or ``signing`` given for another kind or not found.
    """
    if kind not in NETWORKS:
        raise InputError(f"unknown network {kind!r}", hint="one of: " + ", ".join(NETWORKS))
    if signing is not None and kind != "signing":
        raise InputError("--signing only applies to the 'signing' network")
    if kind == "signing":
        return signing_network(store, signing)
    if kind == "cosignature":
        return cosignature_network(store, actors=actors, ties=ties)
    if kind == "hierarchy":
        return hierarchy_network(store)
    if kind == "programmes":
        return programme_network(store)
    return programme_projection(store)
