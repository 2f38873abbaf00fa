"""pyoxigraph term <-> rdflib term, shared by validation, loads, the stores and the result
writer (they all use pyoxigraph, and none may import the others); how reports name a node;
adding RDF text to a pyoxigraph store with its blank-node labels kept."""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node


def from_oxigraph(term) -> Node | None:
    """The rdflib term with the same value; literals keep their lexical form exactly as stored.
    An rdflib term is returned as it is.

    >>> import pyoxigraph as ox
    >>> from_oxigraph(ox.Literal("--01-18", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gMonthDay")))
    rdflib.term.Literal('--01-18', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#gMonthDay'))
    >>> from_oxigraph(None) is None
    True
    """
    import pyoxigraph as ox

    if term is None or isinstance(term, Node):
        return term
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term):
    """The pyoxigraph term with the same value (a pyoxigraph term, or None, is returned as it is);
    a literal keeps its lexical form, one without a datatype is an ``xsd:string``.

    >>> to_oxigraph(Literal("3", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")))
    <Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    >>> to_oxigraph(Literal("Libercourt", lang="fr")), to_oxigraph(BNode("b1"))
    (<Literal value=Libercourt language=fr>, <BlankNode value=b1>)
    """
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or _XSD_STRING)))
    if term is None or isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)):
        return term
    raise TypeError(f"unsupported term {term!r}")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def term_text(term) -> str:
    """How reports name a node: an IRI as itself, a blank node as ``_:label``.

    >>> from rdflib import BNode, URIRef
    >>> term_text(URIRef("http://a")), term_text(BNode("b1"))
    ('http://a', '_:b1')
    """
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def add_keeping_labels(store, text: str | None = None, *, path: str | None = None, format) -> None:
    """Add the RDF ``text`` (or the file at ``path``) in ``format`` to the pyoxigraph ``store``.

    ``Store.load`` gives blank nodes new random ids, in each call: a blank node written in two
    parts would become two nodes, and no longer be named as in the text (reports and the
    focus of a load name it by its label). Parsing without renaming keeps the labels.

    >>> import pyoxigraph as ox
    >>> s = ox.Store()
    >>> add_keeping_labels(s, "_:x <http://p> _:y .", format=ox.RdfFormat.N_TRIPLES)
    >>> [q.subject.value for q in s]
    ['x']
    """
    import pyoxigraph as ox

    store.bulk_extend(ox.parse(text, format=format, path=path, rename_blank_nodes=False))
