"""Where the project's own files live (ontology, curated graph, queries, shipped sources).

The package is installed editable from a clone (see README), so the data folders sit
beside it at the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "pvd.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
GRAPH_DIR = ROOT / "graph"
SOURCES_DIR = GRAPH_DIR / "sources"
PRESS_DIR = GRAPH_DIR / "press"
QUERIES_DIR = ROOT / "queries"

STORE_ENV = "PVD_KG_STORE"


def default_store_path() -> Path:
    """The embedded store's folder: ``$PVD_KG_STORE`` if set, else ``$XDG_DATA_HOME/pvd-kg/store``.

    >>> default_store_path().name
    'store'
    """
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV])
    return data_home() / "store"


def data_home() -> Path:
    """pvd-kg's folder for user data: ``$XDG_DATA_HOME/pvd-kg`` (``~/.local/share/pvd-kg``).

    >>> data_home().name
    'pvd-kg'
    """
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "pvd-kg"
