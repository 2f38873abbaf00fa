"""The one check every SPARQL text passes before it runs, whatever the entry point (the Python
API, the CLI, ``pvd-kg serve``, the analysis views): :func:`check` parses the text and looks at
the parse tree, not at the words of the text.

It refuses, in any spelling (IRI, prefixed name, variable, ``SILENT``, nested anywhere):
``SERVICE`` unless the caller allows remote calls (and then only to an http(s) IRI); every update
operation (``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``, ``COPY``, ``MOVE``, ``ADD``, ``INSERT``,
``DELETE``) unless the caller allows updates; ``LOAD`` of anything but an http(s) IRI always.
Text it cannot parse is refused too, with the line and column in the caller's text.

The parser is rdflib's SPARQL grammar, used to parse only: nothing is evaluated, no literal is
converted, nothing is fetched or opened. Two inputs are refused before parsing because rdflib's
grammar and Oxigraph's would read them differently: a carriage return not followed by a line
feed (rdflib's comments run to the next line feed, Oxigraph's stop at the carriage return), and
``\\u`` escapes are left as they are (rdflib would expand them everywhere before parsing, Oxigraph
only inside IRIs and strings), so a text using them does not parse and is refused.

The result, a :class:`CheckedQuery`, carries what the stores need to run the text as SPARQL says:
its form, the default prefixes it uses without declaring them, and its dataset (``FROM`` and
``FROM NAMED``)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping
from urllib.parse import urljoin

from ..errors import QueryError

QUERY_FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct",
               "DescribeQuery": "describe"}
UPDATE = "update"
REMOTE_SCHEMES = ("http", "https")
REMOTE_HINT = "pvd-kg query --allow-remote, or allow_remote=True in Python, allows it"
_LONE_CR = re.compile(r"\r(?!\n)")
_PN_LOCAL_ESC = re.compile(r"\\(.)")
_PARSING = threading.Lock()  # pyparsing does not promise thread safety; serve checks in threads


@dataclass(frozen=True)
class CheckedQuery:
    """A SPARQL text that passed :func:`check`.

    ``text`` is the caller's text, unchanged; ``prefixes`` the default prefixes it uses without
    declaring them (given to the store beside the text, so positions in errors stay the caller's);
    ``default_graphs`` and ``named_graphs`` its ``FROM`` and ``FROM NAMED`` IRIs, both None when
    it has no dataset clause (then the default graph is the union of the stored graphs)."""

    text: str
    form: str
    prefixes: dict = field(default_factory=dict)
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    parsed: bool = True  # False: passed on the word test alone (see _plain_query); not yet parsed
    where: str | None = None

    @property
    def has_dataset(self) -> bool:
        return self.default_graphs is not None

    def runnable(self) -> str:
        """The text with a ``PREFIX`` line for each default prefix, for stores that take one text."""
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in self.prefixes.items()) + self.text


def check(sparql: str | CheckedQuery, *, updates: bool = False, allow_remote: bool = False,
          prefixes: Mapping[str, str] | None = None, base: str | None = None,
          where: str | None = None) -> CheckedQuery:
    """Parse ``sparql`` and refuse what it must not do (module docstring). Results are kept by
    text, so checking the same text again costs a dictionary look-up.

    :param updates: accept SPARQL updates (``LOAD`` only of an http(s) IRI, with ``allow_remote``).
    :param allow_remote: accept ``SERVICE`` to an http(s) IRI.
    :param prefixes: default prefixes (name -> namespace), for names the text does not declare.
    :param base: the base IRI relative IRIs resolve against.
    :param where: the place to name in errors (a file name); line and column follow it.
    :raises QueryError: a refused or unparsable text, in one line.

    >>> check("PREFIX : <http://127.0.0.1:8765/> SELECT * { SERVICE:sparql { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    pvd_kg.errors.QueryError: SERVICE would send a request to another host; refused (pvd-kg query --allow-remote, ...)
    >>> q = check("SELECT * FROM <urn:g> { ?s ?p ?o }")
    >>> q.form, q.default_graphs, q.named_graphs
    ('select', ('urn:g',), ())
    """
    if isinstance(sparql, CheckedQuery):
        if sparql.form == UPDATE and not updates:
            raise QueryError("this is a SPARQL update; only queries are accepted here")
        return sparql
    given = tuple(sorted((prefixes or {}).items()))
    return _check(str(sparql), updates, allow_remote, given, base, where)


@lru_cache(maxsize=512)
def _check(text: str, updates: bool, allow_remote: bool, prefixes: tuple, base: str | None,
           where: str | None) -> CheckedQuery:
    cr = _LONE_CR.search(text)
    if cr:
        raise QueryError(_located(text, cr.start(), where, "a carriage return not followed by a line feed"),
                         hint="end lines with \\n or \\r\\n")
    form = _plain_query(text)
    if form:
        return CheckedQuery(text, form, dict(prefixes), parsed=False, where=where)
    tree, is_update = _parse(text, where)
    defaults = dict(prefixes)
    prologues = _get(tree, "prologue") or [] if is_update else [tree[0]]
    declared = {_get(d, "prefix") or "" for prologue in prologues for d in prologue if d.name == "PrefixDecl"}
    used = {p: ns for p, ns in defaults.items() if p not in declared}
    if is_update:
        if not updates:
            raise QueryError("this is a SPARQL update; only queries are accepted here",
                             hint="use `pvd-kg load` or `pvd-kg drop` to change the store")
        names = _Names((), defaults, base)
        for prologue, operation in zip(prologues, _get(tree, "request") or []):
            names.declare(prologue)  # an update's declarations hold for the operations after them
            _refuse_remote(operation, names, allow_remote)
            if operation.name == "Load":
                _check_load(names.iri(_get(operation, "iri")), allow_remote)
        return CheckedQuery(text, UPDATE, used)
    prologue, body = tree[0], tree[1]
    names = _Names(prologue, defaults, base)
    _refuse_remote(body, names, allow_remote)
    default_graphs = named_graphs = None
    clauses = _get(body, "datasetClause")
    if clauses:
        default_graphs = tuple(_graph(names.iri(c["default"])) for c in clauses if _get(c, "default") is not None)
        named_graphs = tuple(_graph(names.iri(c["named"])) for c in clauses if _get(c, "named") is not None)
    return CheckedQuery(text, QUERY_FORMS[body.name], used, default_graphs, named_graphs)


# Every SERVICE, every dataset clause and every update operation is spelt with one of these
# keywords, so a text that holds none of them anywhere (comments and strings included, but for
# whole comment lines) can do none of those things: the parse, which costs 40-600 ms a text with
# rdflib's grammar, is left to the store, which parses it anyway to run it.
_GUARDED = ("service", "from", "load", "clear", "drop", "create", "add", "move", "copy", "insert", "delete")
# A name ending in a guarded word is no keyword: a name is read whole, whatever follows
_BENIGN = ("wasderivedfrom",)
_FORM_RE = re.compile(r"(?<![\w?$:])(select|ask|construct|describe)(?![\w:])")
_STRING_OR_IRI = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>')


def _plain_query(text: str) -> str | None:
    """The form of a query text that passes on words alone (none of :data:`_GUARDED` in it, no
    ``\\u`` escape, which could spell one), else None: such a text needs the parse.

    >>> _plain_query("SELECT ?s { ?s prov:wasDerivedFrom ?o }  # the rows")
    'select'
    >>> _plain_query("PREFIX : <http://x/> SELECT * { SERVICE:s { ?s ?p ?o } }") is None
    True
    >>> _plain_query("ASK FROM <urn:g> { ?s ?p ?o }") is None
    True
    """
    if "\\" in text:
        return None
    code = "\n".join(line for line in text.split("\n") if not line.lstrip(" \t").startswith("#")).casefold()
    for word in _BENIGN:
        code = code.replace(word, " ")
    if any(word in code for word in _GUARDED):
        return None
    form = _FORM_RE.search(_STRING_OR_IRI.sub(" ", code))
    return form.group(1) if form else None


def syntax_message(query: CheckedQuery, engine_message: str) -> str:
    """The message for a text the store could not parse: the check's own, with the line and
    column in the caller's text, when the query passed on words alone; else the store's."""
    if not query.parsed:
        try:
            _parse(query.text, query.where)
        except QueryError as exc:
            return exc.message
    return f"SPARQL syntax error: {engine_message}"


def _parse(text: str, where: str | None):
    """The parse tree of ``text`` as a query, else as an update (the flag says which)."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import Query, UpdateUnit

    # Query and UpdateUnit are the grammar without rdflib's parseQuery/parseUpdate, which expand
    # \u escapes across the whole text first (see the module docstring)
    with _PARSING:
        try:
            return Query.parse_string(text, parse_all=True), False
        except ParseBaseException as as_query:
            try:
                return UpdateUnit.parse_string(text, parse_all=True)[0], True
            except ParseBaseException as as_update:
                as_update.loc = _update_error_at(text, as_update.loc)
                error = as_query if as_query.loc >= as_update.loc else as_update
            except RecursionError:
                error = None
        except RecursionError:
            error = None
    if error is None:
        raise QueryError(f"{where or 'query'}: SPARQL syntax error: nested too deeply")
    near = text[error.loc:error.loc + 30].split("\n")[0].strip()
    why = f", before {near!r}" if near else ", at the end of the text"
    hint = "\\u escapes are not accepted: write the character itself" if re.search(r"\\[uU][0-9A-Fa-f]{4}", text) else None
    raise QueryError(_located(text, error.loc, where, "SPARQL syntax error", why), hint=hint)


def _update_error_at(text: str, fallback: int) -> int:
    """Where an update stops parsing: the grammar's own error gives up at the first operation
    that fails as a whole, so walk the operations one by one (for the message only)."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import Prologue, Update1

    loc = 0
    try:
        loc, _ = Prologue._parse(text, loc)
        while True:
            loc, _ = Update1._parse(text, loc)
            loc, _ = (Prologue + ";" + Prologue)._parse(text, loc)
    except ParseBaseException as exc:
        return max(exc.loc, fallback)
    except RecursionError:
        return fallback


def _get(node, key):
    """A field of a parse-tree node, None when absent (``CompValue.get`` gives the key back)."""
    return dict.get(node, key)


def _located(text: str, offset: int, where: str | None, message: str, detail: str = "") -> str:
    """``message`` with the line and column of ``offset`` in ``text`` (1-based, as editors count):
    ``where:line:column: message``, or ``message at line L, column C`` when no place is named.

    >>> _located("ASK {\\n  ?s ) }", 11, None, "SPARQL syntax error")
    'SPARQL syntax error at line 2, column 6'
    """
    offset = min(offset, len(text))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    place = f"{where}:{line}:{column}: {message}" if where else f"{message} at line {line}, column {column}"
    return place + detail


class _Names:
    """Turn the parse tree's IRIs and prefixed names into absolute IRIs, as the prologue says."""

    def __init__(self, prologue, defaults: dict, base: str | None):
        self.prefixes, self.base = dict(defaults), base or ""
        self.declare(prologue)

    def declare(self, prologue) -> None:
        """Take in the ``BASE`` and ``PREFIX`` declarations of a prologue."""
        for decl in prologue or []:
            if decl.name == "Base":
                self.base = self._join(str(decl["iri"]))
            elif decl.name == "PrefixDecl":
                self.prefixes[_get(decl, "prefix") or ""] = self._join(str(decl["iri"]))

    def _join(self, iri: str) -> str:
        return urljoin(self.base, iri) if self.base else iri

    def iri(self, term) -> str:
        """The absolute IRI of an IRI or prefixed name of the tree.

        :raises QueryError: an undeclared prefix, or not an IRI."""
        if getattr(term, "name", None) == "pname":
            prefix = _get(term, "prefix") or ""
            if prefix not in self.prefixes:
                raise QueryError(f"unknown prefix {prefix + ':'!r}", hint=f"declare it: PREFIX {prefix}: <...>")
            return self.prefixes[prefix] + _PN_LOCAL_ESC.sub(r"\1", _get(term, "localname") or "")
        from rdflib import URIRef

        if isinstance(term, URIRef):
            return self._join(str(term))
        raise QueryError(f"expected an IRI, found {term!r}")


def _nodes(tree):
    """Every node of a parse tree, depth first, without recursion (the tree may be deep)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(dict.values(node))
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(node)


def _refuse_remote(tree, names: _Names, allow_remote: bool) -> None:
    """Refuse every ``SERVICE`` of the tree, or with ``allow_remote`` those that do not name an
    http(s) IRI (a variable could name anything)."""
    for node in _nodes(tree):
        if node.name != "ServiceGraphPattern":
            continue
        if not allow_remote:
            raise QueryError("SERVICE would send a request to another host; refused", hint=REMOTE_HINT)
        from rdflib import Variable

        if isinstance(_get(node, "term"), Variable):
            raise QueryError("SERVICE with a variable may name any host; refused even with remote calls allowed",
                             hint="name the endpoint: SERVICE <https://...>")
        _require_http("SERVICE", names.iri(_get(node, "term")))


def _graph(iri: str) -> str:
    """A graph named by ``FROM`` / ``FROM NAMED``: an absolute IRI (a store graph, never a file)."""
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
        raise QueryError(f"FROM <{iri}>: not an absolute IRI", hint="write the full IRI, or declare a BASE")
    return iri


def _check_load(source: str, allow_remote: bool) -> None:
    _require_http("LOAD", source)
    if not allow_remote:
        raise QueryError("LOAD would send a request to another host; refused", hint=REMOTE_HINT)


def _require_http(keyword: str, iri: str) -> None:
    scheme = iri.split(":", 1)[0].lower() if ":" in iri else ""
    if scheme not in REMOTE_SCHEMES:
        raise QueryError(f"{keyword} <{iri}>: only http(s) sources may be named; refused")


__all__ = ["CheckedQuery", "check", "syntax_message", "QUERY_FORMS", "UPDATE"]
