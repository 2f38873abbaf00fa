"""The question catalog: the named SPARQL queries of ``queries/*.rq``, their metadata and parameters.

A catalog file is plain SPARQL with a header of ``# key: value`` comment lines (format in
``queries/README.md``). A parameter ``NAME`` appears in the query as the SPARQL variable
``$NAME``. :func:`render` checks each value against its type and writes it as one SPARQL term
(an escaped string literal, an integer, or an IRI minted by :mod:`pvd_kg.iris`). User text is
never pasted into the query as it is.

>>> q = parse_query("# title: Demo\\n# param: commune:commune = 62907 -- INSEE code\\n"
...                 "SELECT ?c WHERE { BIND($commune AS ?c) }", name="demo")
>>> q.title, q.params[0].name, q.params[0].default
('Demo', 'commune', '62907')
>>> "BIND(<https://w3id.org/pvd-kg/id/commune/62907> AS ?c)" in render(q)
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from . import iris, paths
from .errors import InputError, QueryError, UnknownQuery
from .vocab import PREFIXES

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PARAM_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_HEADER_RE = re.compile(r"^#\s*([a-z]+)\s*:\s?(.*)$")
_PARAM_RE = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\s*:\s*(?P<type>[a-z]+))?(?P<optional>\?)?"
    r"(?:\s*=\s*(?P<default>.*?))?(?:\s+--\s*(?P<description>.*))?\s*$"
)
_LANG_RE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_INTEGER_RE = re.compile(r"^[+-]?[0-9]+$")
_IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_IRIREF_RE = re.compile(r"<[^\x00-\x20<>\"{}|^`\\]*>")
_PREFIX_DECL_RE = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?\s*:")


def sparql_string(text: str) -> str:
    """``text`` as a SPARQL string literal, every special character escaped.

    >>> print(sparql_string('say "hi"\\n} DROP ALL'))
    "say \\"hi\\"\\n} DROP ALL"
    """
    escaped = (
        str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        .replace("\r", "\\r").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _iri(value: str) -> str:
    return f"<{value}>"


def _checked(pattern: re.Pattern, what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise InputError(f"{value!r} is not a valid {what}")
        return value
    return check


def _programme(value: str) -> str:
    return _iri(iris.programme_text(_checked(_KEY_RE, "programme key (pvd, acv, ort)")(value.lower())))


_BASIS_RE = re.compile(r"^(?:source|rule|all)$")

#: How each parameter type turns a value (text) into one SPARQL term.
PARAM_TYPES: dict[str, Callable[[str], str]] = {
    "string": sparql_string,
    "lang": lambda v: sparql_string(_checked(_LANG_RE, "language tag (fr, en)")(v).lower()),
    "integer": lambda v: str(int(_checked(_INTEGER_RE, "integer")(v))),
    "insee": lambda v: sparql_string(_checked(iris.INSEE_COMMUNE_RE, "INSEE commune code")(v.upper())),
    "commune": lambda v: _iri(iris.commune_text(v.upper())),
    "departement": lambda v: _iri(iris.departement_text(v.upper())),
    "region": lambda v: _iri(iris.region_text(v)),
    "epci": lambda v: _iri(iris.epci_text(v)),
    "programme": _programme,
    "graph": lambda v: _iri(iris.graph(_checked(_KEY_RE, "named graph key (anct-pvd-2021, anct-pvd-2026)")(v.lower()))),
    "iri": lambda v: _iri(_checked(_IRI_RE, "absolute IRI")(v)),
    "basis": lambda v: sparql_string(_checked(_BASIS_RE, "basis (source, rule or all)")(v.lower())),
}


@dataclass(frozen=True)
class Param:
    """One declared parameter: ``name``, ``type`` (a key of :data:`PARAM_TYPES`), ``default``
    (``None`` when required or optional), ``description`` and ``optional`` (declared ``NAME:TYPE?``:
    when not given, ``$NAME`` stays a free variable, ``?NAME``, so the query answers for every value)."""

    name: str
    type: str = "string"
    default: str | None = None
    description: str = ""
    optional: bool = False

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional

    def term(self, value) -> str:
        """The SPARQL term for ``value``.

        :raises InputError: the value does not fit the type.

        >>> Param("n", "integer").term("12")
        '12'
        >>> Param("c", "commune").term("2a004")
        '<https://w3id.org/pvd-kg/id/commune/2A004>'
        """
        text = str(value).strip()
        if text == "":
            raise InputError(f"parameter {self.name!r} is empty", hint=self.description or None)
        try:
            return PARAM_TYPES[self.type](text)
        except InputError as exc:
            raise InputError(f"parameter {self.name!r}: {exc.message}", hint=self.description or None) from None


@dataclass(frozen=True)
class CatalogQuery:
    """A query of the catalog: ``name`` (file stem), metadata from the header, and the text."""

    name: str
    title: str
    text: str
    description: str = ""
    params: tuple[Param, ...] = ()
    tags: tuple[str, ...] = ()
    path: Path | None = None

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise InputError(
            f"query {self.name!r} has no parameter {name!r}",
            hint="its parameters: " + (", ".join(p.name for p in self.params) or "none"),
        )

    def to_dict(self) -> dict:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "tags": list(self.tags),
            "params": [{"name": p.name, "type": p.type, "default": p.default,
                        "description": p.description, "optional": p.optional} for p in self.params],
        }


def parse_query(text: str, name: str = "query", path: Path | None = None) -> CatalogQuery:
    """Read the header of a query text (see ``queries/README.md``).

    :param text: the query with its header.
    :param name: the name to give it (the file stem for catalog files).
    :raises QueryError: a malformed header (unknown key, bad ``param`` line, unknown type).
    """
    where = str(path or name)
    meta: dict[str, str] = {}
    params: list[Param] = []
    last = None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            break
        cont = re.match(r"^#\s{2,}(\S.*)$", line)
        if cont and last == "description":
            meta["description"] += " " + cont.group(1).strip()
            continue
        m = _HEADER_RE.match(line)
        if not m:
            last = None
            continue
        key, value = m.group(1), m.group(2).strip()
        last = key
        if key == "param":
            params.append(_parse_param(value, where, n))
        elif key in ("title", "description", "tags"):
            if key in meta:
                raise QueryError(f"{where}:{n}: header key {key!r} given twice")
            meta[key] = value
        else:
            raise QueryError(f"{where}:{n}: unknown header key {key!r}",
                             hint="keys: title, description, param, tags")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise QueryError(f"{where}: a parameter is declared twice ({', '.join(names)})")
    tags = tuple(t.strip() for t in meta.get("tags", "").split(",") if t.strip())
    return CatalogQuery(name=name, title=meta.get("title", name), text=text,
                        description=meta.get("description", ""), params=tuple(params),
                        tags=tags, path=path)


def _parse_param(value: str, where: str, line: int) -> Param:
    m = _PARAM_RE.match(value)
    if not m or not PARAM_NAME_RE.match(m.group("name")):
        raise QueryError(f"{where}:{line}: bad param line {value!r}",
                         hint="write: NAME[:TYPE] [= DEFAULT] [-- DESCRIPTION]")
    ptype = m.group("type") or "string"
    if ptype not in PARAM_TYPES:
        raise QueryError(f"{where}:{line}: unknown param type {ptype!r}",
                         hint="types: " + ", ".join(PARAM_TYPES))
    default = m.group("default")
    default = default.strip() if default is not None and default.strip() else None
    optional = m.group("optional") is not None
    if optional and default is not None:
        raise QueryError(f"{where}:{line}: an optional param ({m.group('name')}?) takes no default",
                         hint="write: NAME:TYPE? -- DESCRIPTION")
    param = Param(m.group("name"), ptype, default, (m.group("description") or "").strip(), optional)
    if default is not None:
        try:
            param.term(default)
        except InputError as exc:
            raise QueryError(f"{where}:{line}: bad default: {exc.message}") from None
    return param


def catalog(directory: Path | None = None) -> list[CatalogQuery]:
    """Every query of the catalog folder (``queries/`` by default), sorted by name.

    >>> "who-signed-what" in [q.name for q in catalog()]
    True
    """
    folder = Path(directory) if directory is not None else paths.QUERIES_DIR
    return [parse_query(p.read_text(encoding="utf-8"), p.stem, p) for p in sorted(folder.glob("*.rq"))]


def names(directory: Path | None = None) -> list[str]:
    """The names of the catalog queries."""
    folder = Path(directory) if directory is not None else paths.QUERIES_DIR
    return sorted(p.stem for p in folder.glob("*.rq"))


def get(name: str, directory: Path | None = None) -> CatalogQuery:
    """One catalog query by name.

    :raises UnknownQuery: no ``queries/{name}.rq``; the hint lists the known names.

    >>> get("no-such-question")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pvd_kg.errors.UnknownQuery: unknown query 'no-such-question' (known queries: ...)
    """
    folder = Path(directory) if directory is not None else paths.QUERIES_DIR
    known = names(folder)
    if not NAME_RE.match(str(name)) or name not in known:
        shown = ", ".join(known) if len(known) <= 40 else ", ".join(known[:40]) + ", ..."
        raise UnknownQuery(f"unknown query {name!r}", hint=f"known queries: {shown}")
    path = folder / f"{name}.rq"
    return parse_query(path.read_text(encoding="utf-8"), name, path)


def bind(query: CatalogQuery, params: Mapping[str, object] | None = None) -> dict[str, str]:
    """The SPARQL term of every declared parameter: the given value, else the default; an optional
    parameter not given becomes the free variable ``?NAME``.

    :raises InputError: an undeclared parameter, a missing required one, or a bad value.
    """
    given = dict(params or {})
    for key in given:
        query.param(key)  # raises for an undeclared name
    terms = {}
    for p in query.params:
        if p.name in given and given[p.name] is not None:
            terms[p.name] = p.term(given[p.name])
        elif p.required:
            raise InputError(f"query {query.name!r} needs parameter {p.name!r}",
                             hint=p.description or f"give --param {p.name}=VALUE")
        elif p.optional:
            terms[p.name] = f"?{p.name}"
        else:
            terms[p.name] = p.term(p.default)
    return terms


def substitute(text: str, terms: Mapping[str, str]) -> str:
    """Replace each ``$name`` of ``terms`` by its term, outside strings, IRIs and comments.

    >>> substitute('SELECT * { ?s ?p $x . FILTER(?o != "$x") } # $x', {"x": '"v"'})
    'SELECT * { ?s ?p "v" . FILTER(?o != "$x") } # $x'
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(text[i:j])
            i = j
        elif c in "\"'":
            j = _string_end(text, i)
            out.append(text[i:j])
            i = j
        elif c == "<" and (m := _IRIREF_RE.match(text, i)):
            out.append(m.group(0))
            i = m.end()
        elif c == "$" and (m := re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)").match(text, i)):
            out.append(terms.get(m.group(1), m.group(0)))
            i = m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _string_end(text: str, i: int) -> int:
    """Index just past the string literal starting at ``i`` (short or long form)."""
    quote = text[i]
    delim = quote * 3 if text.startswith(quote * 3, i) else quote
    j = i + len(delim)
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text.startswith(delim, j):
            return j + len(delim)
        if len(delim) == 1 and text[j] == "\n":
            break
        j += 1
    raise QueryError(f"unterminated string literal at offset {i}")


def with_prologue(text: str) -> str:
    """``text`` preceded by a ``PREFIX`` line for every known prefix it does not declare itself.

    >>> with_prologue("PREFIX pvd: <urn:x#>\\nASK {}").count("PREFIX pvd:")
    1
    """
    declared = {m.group(1) or "" for m in _PREFIX_DECL_RE.finditer(text)}
    missing = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if p not in declared)
    return missing + text


def render(query: CatalogQuery | str, params: Mapping[str, object] | None = None) -> str:
    """The runnable text of a catalog query (or of its name) with its parameters bound.

    :raises UnknownQuery: an unknown name; :raises InputError: a missing or bad parameter.
    """
    q = get(query) if isinstance(query, str) else query
    return with_prologue(substitute(q.text, bind(q, params)))


def resolve(name_or_text: str) -> CatalogQuery:
    """A catalog query from its name, or an ad-hoc query from SPARQL text (its header, if any, is read).

    :raises UnknownQuery: a bare name that is not in the catalog.
    """
    text = str(name_or_text).strip()
    if NAME_RE.match(text):
        return get(text)
    return parse_query(text, name="query")


def checked(query: CatalogQuery | str, params: Mapping[str, object] | None = None, *,
            allow_remote: bool = False):
    """The query with its parameters bound, through the one check of :func:`pvd_kg.store.sparql.check`
    (known prefixes given beside the text, so an error's line and column are those of the query).

    :raises QueryError: refused (``SERVICE`` without ``allow_remote``, an update) or not SPARQL.
    """
    from .store.sparql import check

    q = get(query) if isinstance(query, str) else query
    return check(substitute(q.text, bind(q, params)), allow_remote=allow_remote, prefixes=PREFIXES,
                 where=str(q.path) if q.path else None)


def run(name_or_text: str, store, params: Mapping[str, object] | None = None, *,
        timeout: float | None = None, limit: int | None = None, allow_remote: bool = False):
    """Run a catalog query (by name) or SPARQL text on a :class:`pvd_kg.store.Store`.

    :param name_or_text: a catalog name (``who-signed-what``) or a SPARQL query.
    :param store: any store backend.
    :param params: parameter values by name (text); defaults fill the others.
    :param allow_remote: let ``SERVICE`` reach an http(s) endpoint (refused by default).
    :returns: the store's :class:`~pvd_kg.store.QueryResult`.
    :raises UnknownQuery: an unknown name; :raises InputError: a bad parameter;
        :raises QueryError: the check refuses the query, or the store fails it.
    """
    return store.query(checked(resolve(name_or_text), params, allow_remote=allow_remote),
                       timeout=timeout, limit=limit)


def catalog_text(directory: Path | None = None) -> str:
    """The catalog as text, one block per query: name, title, then its parameters."""
    blocks = []
    for q in catalog(directory):
        lines = [f"{q.name}", f"    {q.title}"]
        for p in q.params:
            default = "required" if p.required else "optional" if p.optional else f"default {p.default}"
            lines.append(f"    --param {p.name}=<{p.type}> ({default}) {p.description}".rstrip())
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


__all__ = [
    "PARAM_TYPES", "Param", "CatalogQuery", "parse_query", "catalog", "names", "get", "bind",
    "substitute", "with_prologue", "render", "checked", "resolve", "run", "catalog_text", "sparql_string",
]
