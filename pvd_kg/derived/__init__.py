"""Facts derived from the assembled graph, after every source is read: the parties the programme's
rules give each convention (:mod:`.parties`) and the dated tenures of posts (:mod:`.tenure`).

Each stage reads the quads of the whole graph (whatever conventions, posts and sources exist) and
writes its own named graph, so that a derived fact is never mixed with a fact a source states.
"""

from __future__ import annotations

from ..ingest.emit import GraphOut
from .pairs import index
from .parties import READS as PARTIES_READS, derive_parties
from .tenure import READS as TENURES_READS, derive_tenures

#: named-graph key -> English title, in the order the stages run
STAGES = {
    "derived-parties": "Parties by programme rule (inferred from graph/programme-rules.ttl)",
    "derived-tenures": "Tenures of posts, dated by their sources (derived)",
}


def derive(quads: list) -> list[GraphOut]:
    """The derived named graphs of ``quads`` (``(s, p, o, g)`` rdflib tuples of the whole graph)."""
    by = index(quads, PARTIES_READS + TENURES_READS)
    return [derive_parties(by, "derived-parties"), derive_tenures(by, "derived-tenures")]


__all__ = ["derive", "index", "STAGES"]
