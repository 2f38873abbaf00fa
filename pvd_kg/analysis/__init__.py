"""Who works with whom: networkx views of the knowledge graph, metrics and charts, all read from
a :class:`~pvd_kg.store.Store` by SPARQL.

>>> from pvd_kg.graph import curated_dataset
>>> from pvd_kg.store import MemoryStore
>>> store = MemoryStore.from_dataset(curated_dataset())
>>> g = build_network(store, "signing", signing="https://w3id.org/pvd-kg/id/signing/ort/62907")
>>> g.nodes["https://w3id.org/pvd-kg/id/person/62907/maciejasz"]["label"]
'M. Maciejasz'
"""

from .common import Table
from .metrics import METRICS, metric
from .networks import (NETWORKS, build_network, cosignature_network, hierarchy_network, programme_network,
                       programme_projection, signing_network, signings)

__all__ = ["Table", "METRICS", "metric", "NETWORKS", "build_network", "cosignature_network",
           "hierarchy_network", "programme_network", "programme_projection", "signing_network", "signings"]
