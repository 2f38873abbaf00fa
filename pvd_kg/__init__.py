"""pvd-kg: the open knowledge graph of the *Petites villes de demain* programme."""

__version__ = "0.1.0"
