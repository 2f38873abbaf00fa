"""Look inside SPARQL text before running it: its form (SELECT, ASK, CONSTRUCT, DESCRIBE or an
update) and whether it would reach another host (``SERVICE``, ``LOAD``), which is refused unless
the caller allows it: nothing leaves the machine unless the user asked."""

from __future__ import annotations

import re

from ..errors import QueryError

_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"  # IRIs
    r"|#[^\n]*"  # comments
    r"|[A-Za-z_][A-Za-z_0-9]*",  # keywords and names
    re.S,
)

QUERY_FORMS = ("select", "ask", "construct", "describe")
UPDATE_FORMS = ("insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add", "with")


def keywords(text: str) -> list[str]:
    """The bare words of a SPARQL text, lower-cased, outside strings, IRIs and comments.

    >>> keywords('SELECT * { ?s <http://x/service> "SERVICE" } # SERVICE')
    ['select']
    """
    out = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if tok[0] in "\"'<#":
            continue
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        # skip variables (?s, $s) and the parts of prefixed names (ex:service, service:x)
        if (not before or before not in "?$:") and after != ":":
            out.append(tok.lower())
    return out


def query_form(text: str) -> str:
    """``select``, ``ask``, ``construct``, ``describe`` or ``update``.

    >>> query_form("PREFIX ex: <http://e/> CONSTRUCT WHERE { ?s ?p ?o }")
    'construct'
    >>> query_form("DELETE WHERE { ?s ?p ?o }")
    'update'

    :raises QueryError: neither a query nor an update.
    """
    for word in keywords(text):
        if word in ("prefix", "base"):
            continue
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_FORMS:
            return "update"
    raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")


def check_local(text: str, *, allow_remote: bool = False) -> None:
    """Refuse ``SERVICE`` (federated query) and ``LOAD`` (fetch a document) unless ``allow_remote``.

    >>> check_local("SELECT * { SERVICE <http://dbpedia.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    pvd_kg.errors.QueryError: SERVICE would send a request to another host; refused (pass --allow-remote to allow it)
    """
    if allow_remote:
        return
    for word in keywords(text):
        if word in ("service", "load"):
            raise QueryError(f"{word.upper()} would send a request to another host; refused",
                             hint="pass --allow-remote to allow it")


def check_query(text: str, *, allow_remote: bool = False) -> str:
    """The form of a read-only query, after :func:`check_local`.

    :raises QueryError: an update, a remote call, or not SPARQL at all.
    """
    form = query_form(text)
    if form == "update":
        raise QueryError("this is a SPARQL update; `query` only reads", hint="use `pvd-kg load` or `pvd-kg drop`")
    check_local(text, allow_remote=allow_remote)
    return form
