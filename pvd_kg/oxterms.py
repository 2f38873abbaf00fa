"""pyoxigraph term -> rdflib term, shared by validation and the stores (both stages use
pyoxigraph, and neither may import the other)."""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node


def from_oxigraph(term) -> Node | None:
    """The rdflib term with the same value; literals keep their lexical form exactly as stored.

    >>> import pyoxigraph as ox
    >>> from_oxigraph(ox.Literal("--01-18", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gMonthDay")))
    rdflib.term.Literal('--01-18', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#gMonthDay'))
    >>> from_oxigraph(None) is None
    True
    """
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"unsupported term {term!r}")
