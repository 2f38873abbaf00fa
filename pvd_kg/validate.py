"""Check a graph against the SHACL shapes (``ontology/shapes.ttl``) and turn every SHACL
result into an :class:`~pvd_kg.report.Issue`.

Two engines give the same results (``tests/test_validate.py`` checks it):

- ``fast`` (default): the data is written once as N-Triples text (or given as such: the build
  writes its terms once for the store and the validator). The core constraints run in
  pyshacl-turbo (Rust) in a thread (its native code releases the GIL part of the time); meanwhile (or after, with
  ``concurrent=False``: half the peak memory) the text goes into an in-memory ``pyoxigraph.Store`` and each node shape's
  ``sh:sparql`` constraint runs as ONE query over it for all its focus nodes at once (``$this``
  left unbound and joined with the shape's targets) instead of once per focus node. A SPARQL
  constraint this rewrite cannot handle (pre-bound variables other than ``$this``, property
  shapes, PREFIX in the query...) stays with pyshacl-turbo, which runs SHACL-SPARQL natively.
- ``pyshacl``: the reference engine, pure Python, slow on SPARQL constraints.

The ontology is added to the data before validation (not passed as ``ont_graph``): SHACL's
``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf`` in the data graph, so the
class hierarchy must be there. Its ~800 triples cost nothing; RDFS inference instead
(``ont_graph`` + ``inference="rdfs"``) cost 11 times more CPU on a 41k-triple graph and typed
nodes through ``rdfs:domain``/``rdfs:range``, which made false focus nodes.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from . import graph as kg
from . import paths
from .errors import InputError
from .formats import format_for_path, rdf_format
from .oxterms import add_keeping_labels, from_oxigraph, term_text
from .report import ERROR, INFO, WARNING, Issue, Report
from .vocab import PREFIXES, RDF, RDFS, SH, bind_prefixes

ENGINES = ("fast", "pyshacl")
_SEVERITY = {SH.Violation: ERROR, SH.Warning: WARNING, SH.Info: INFO}
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
_PREBOUND = re.compile(r"\$(?!this\b)[A-Za-z_]\w*")
_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_]\w*)\}")


def validate(data, *, shapes: Graph | None = None, ontology: Graph | None = None,
             engine: str = "fast", concurrent: bool = True) -> Report:
    """Validate ``data`` against the SHACL shapes.

    :param data: an rdflib ``Graph`` or ``Dataset``, a ``pyoxigraph.Store`` (no term
        conversion), N-Triples text (``str``, one triple a line, as
        :func:`pvd_kg.graph.write_nquads` writes it: fastest) or an iterable of rdflib triples;
        the union of all graphs is validated.
    :param shapes: the shapes graph; default ``ontology/shapes.ttl``.
    :param ontology: the ontology added to the data (class hierarchy); default ``ontology/pvd.ttl``.
    :param engine: ``fast`` (pyshacl-turbo + pyoxigraph) or ``pyshacl`` (reference).
    :param concurrent: with ``fast``, run pyshacl-turbo and the SPARQL checks at the same time
        (two cores); False runs one after the other, for about half the peak memory when another
        job has the other core (the build's store writer).
    :raises InputError: unknown engine.
    :returns: a :class:`Report`: one issue per SHACL result (severity, focus node as ``source``,
        path as ``field``, value, English message, source shape's local name as ``code``);
        ``shacl_report`` holds the ``sh:ValidationReport`` graph (French messages included).

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='''@prefix pvd: <https://w3id.org/pvd-kg/def#> .
    ...     <https://w3id.org/pvd-kg/id/region/32> a pvd:Region ; pvd:siren "12" .''', format="turtle")
    >>> sorted({i.code for i in validate(g)})
    ['DerivedFromSource', 'Region-codeINSEE', 'Region-label', 'Region-siren']
    """
    if engine not in ENGINES:
        raise InputError(f"unknown validation engine {engine!r}", hint="one of: " + ", ".join(ENGINES))
    default_shapes = shapes is None
    shapes = _default_shapes() if default_shapes else shapes
    ontology = _default_ontology() if ontology is None else ontology
    if engine == "pyshacl":
        report_graph = _run_pyshacl(data, shapes, ontology)
    else:
        report_graph = _run_fast(data, shapes, ontology, _split(shapes, cache=default_shapes), concurrent)
    return report_from_graph(report_graph, engine=engine, shapes=shapes)


def prepare() -> None:
    """Parse the default shapes and ontology and compile the shapes now (kept until their files
    change), so that the next :func:`validate` starts at once."""
    _default_ontology()  # first: reading a changed file drops the compiled shapes
    _split(_default_shapes(), cache=True)


def load_files(files, *, fmt=None, limits=None):
    """Parse untrusted RDF files (format from each extension) the safe way
    (:mod:`pvd_kg.parsing`: a capped child process, nothing fetched) into one in-memory
    ``pyoxigraph.Store``, the triples of each file in a named graph (its ``file:`` URI).

    :param fmt: a format name of :mod:`pvd_kg.formats` for every file (default: from each extension).
    :param limits: a :class:`pvd_kg.parsing.ParseLimits` (default: from the environment).
    :raises InputError: a file is missing, its extension is unknown, or it is past a cap.
    :raises RdfSyntaxError: a file does not parse or is refused (``file:line:column: why``).
    """
    import tempfile

    import pyoxigraph as ox

    from .load import parse_files

    store = ox.Store()
    with tempfile.TemporaryDirectory(prefix="pvd-kg-validate-") as tmp:
        for i, name in enumerate(files):
            path, out = Path(name), Path(tmp) / f"file{i}.nq"
            quads = (rdf_format(fmt) if fmt else format_for_path(path)).quads if path.is_file() else False
            graph = None if quads else path.resolve().as_uri()
            parse_files([path], out, fmt=fmt, graph=graph, limits=limits)
            add_keeping_labels(store, path=str(out), format=ox.RdfFormat.N_QUADS)
            out.unlink()
    return store


def report_from_graph(report_graph: Graph, engine: str | None = None, shapes: Graph | None = None) -> Report:
    """The :class:`Report` of a ``sh:ValidationReport`` graph.

    :param shapes: the shapes graph, to tell the English message when the engine dropped the
        language tags of filled-in message templates (pyshacl does, for SHACL-SPARQL).
    """
    bind_prefixes(report_graph)
    issues = []
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(result, SH.focusNode)
        path = report_graph.value(result, SH.resultPath)
        value = report_graph.value(result, SH.value)
        shape = report_graph.value(result, SH.sourceShape)
        issues.append(Issue(
            severity=_SEVERITY.get(report_graph.value(result, SH.resultSeverity), ERROR),
            message=_english(list(report_graph.objects(result, SH.resultMessage)), shapes, shape)
            or _component(report_graph, result),
            source=term_text(focus),
            field=_path_text(report_graph, path) if path is not None else None,
            value=term_text(value) if value is not None else None,
            code=_local_name(shape) if shape is not None else None,
        ))
    issues.sort(key=lambda i: (_RANK[i.severity], i.source or "", i.code or "", i.field or "", i.value or ""))
    report = Report(issues, shacl_report=report_graph)
    report.summary = {"engine": engine, "conforms": not any(i.severity == ERROR for i in issues),
                      "errors": report.count(ERROR), "warnings": report.count(WARNING), "infos": report.count(INFO)}
    return report


# --- inputs -----------------------------------------------------------------------------

_CACHE: dict = {}


def _default_shapes() -> Graph:
    return _cached("shapes", paths.SHAPES_FILE, kg.load_shapes)


def _default_ontology() -> Graph:
    return _cached("ontology", paths.ONTOLOGY_FILE, kg.load_ontology)


def _cached(key, path, load):
    stamp = (path, path.stat().st_mtime_ns)
    if _CACHE.get(key, (None,))[0] != stamp:
        _CACHE[key] = (stamp, load())
        _CACHE.pop("split", None)
    return _CACHE[key][1]


def _is_oxigraph_store(data) -> bool:
    return type(data).__module__.startswith("pyoxigraph") and type(data).__name__ == "Store"


def _triples(data):
    """rdflib triples of ``data``, all graphs together."""
    if _is_oxigraph_store(data):
        return ((from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object)) for q in data)
    if isinstance(data, str):
        return iter(Graph().parse(data=data, format="nt"))
    if isinstance(data, Graph) and data.context_aware:
        return (t[:3] for t in data.quads((None, None, None, None)))
    return iter(data)


# --- reference engine -------------------------------------------------------------------

def _run_pyshacl(data, shapes, ontology) -> Graph:
    import pyshacl

    union = Graph()
    bind_prefixes(union)
    for t in _triples(data):
        union.add(t)
    union += ontology
    with _SPARQL_PARSED_ONCE:
        _, report_graph, _ = pyshacl.validate(union, shacl_graph=shapes, inference="none", advanced=False)
    return report_graph


class _ParsedOnce:
    """While entered, rdflib parses each SPARQL text once: pyshacl hands the text of a
    constraint to rdflib once per focus node, and parsing (pyparsing) was 90% of the reference
    engine's time on the test fixture (2.4 s, 54 parses of 16 queries). The translated query is
    what rdflib's own ``prepareQuery`` keeps for reuse; evaluation is unchanged."""

    def __init__(self):
        self._lock = threading.RLock()
        self._cache: dict = {}

    def __enter__(self):
        from rdflib.plugins.sparql import processor

        self._lock.acquire()
        self._original = processor.SPARQLProcessor.query
        cache, original = self._cache, self._original

        def query(proc, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
            if isinstance(strOrQuery, str):
                key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
                if key not in cache:
                    cache[key] = processor.translateQuery(processor.parseQuery(strOrQuery), base, initNs)
                strOrQuery = cache[key]
            return original(proc, strOrQuery, initBindings, initNs, base, DEBUG)

        processor.SPARQLProcessor.query = query
        return self

    def __exit__(self, *exc):
        from rdflib.plugins.sparql import processor

        processor.SPARQLProcessor.query = self._original
        if len(self._cache) > 512:
            self._cache.clear()
        self._lock.release()


_SPARQL_PARSED_ONCE = _ParsedOnce()


# --- fast engine ------------------------------------------------------------------------

@dataclass
class _SparqlCheck:
    shape: object
    constraint: object
    severity: object
    messages: list
    query: str


# what a shape may still say once its SPARQL constraints are gone, and check nothing
_NOT_CONSTRAINTS = {RDF.type, RDFS.label, RDFS.comment, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                    SH.targetObjectsOf, SH.severity, SH.message, SH.name, SH.description, SH.deactivated}


def _split(shapes: Graph, cache: bool):
    """pyshacl-turbo's compiled shapes (the SPARQL constraints we run ourselves removed), the
    predicates they can see (:func:`_visible_predicates`) and those SPARQL checks."""
    if cache and "split" in _CACHE:
        return _CACHE["split"]
    core = Graph()
    core += shapes
    checks = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        check = _sparql_check(shapes, shape, constraint)
        if check is None:
            continue  # left to pyshacl-turbo
        core.remove((shape, SH.sparql, constraint))
        for t in shapes.triples((constraint, None, None)):
            core.remove(t)
        checks.append(check)
    for shape in {check.shape for check in checks}:
        if set(core.predicates(shape, None)) <= _NOT_CONSTRAINTS:
            core.remove((shape, None, None))  # nothing left to check: spare turbo its focus nodes
    split = (_compile(core), _visible_predicates(core), checks)
    if cache:
        _CACHE["split"] = split
    return split


def _visible_predicates(core: Graph) -> frozenset | None:
    """The predicates whose triples can change what the core shapes report: every IRI the shapes
    mention, plus ``rdf:type`` and ``rdfs:subClassOf`` (targets and ``sh:class`` follow the class
    hierarchy). A triple with any other predicate is read by no constraint, so pyshacl-turbo need
    not parse it (the source rows and ``prov:wasDerivedFrom`` links, a fifth of the full graph,
    are only read by the SPARQL rules). None (every triple) when a shape may look at any
    predicate: ``sh:closed``, or a SPARQL constraint or target left to turbo.

    >>> from rdflib import Graph
    >>> shapes = Graph().parse(data='@prefix sh: <http://www.w3.org/ns/shacl#> . '
    ...     '<urn:s> sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:minCount 1 ] .', format="turtle")
    >>> sorted(str(p) for p in _visible_predicates(shapes) if p.startswith("urn:"))
    ['urn:C', 'urn:p', 'urn:s']
    >>> _visible_predicates(shapes.parse(data='<urn:s> <http://www.w3.org/ns/shacl#closed> true .', format="turtle"))
    """
    if any(core.triples((None, SH.closed, None))) or any(core.triples((None, SH.select, None))) \
            or any(core.triples((None, SH.ask, None))):
        return None
    return frozenset(n for n in core.all_nodes() if isinstance(n, URIRef)) | {RDF.type, RDFS.subClassOf}


def _compile(core: Graph):
    import pyshacl_turbo

    return pyshacl_turbo.compile_shapes(core)


def _sparql_check(shapes: Graph, shape, constraint) -> _SparqlCheck | None:
    select = shapes.value(constraint, SH.select)
    if select is None or (shape, SH.path, None) in shapes or (shape, SH.deactivated, Literal(True)) in shapes:
        return None
    text = str(select)
    head = text[: text.upper().find("WHERE")] if "WHERE" in text.upper() else text
    if _PREBOUND.search(text) or re.search(r"\bPREFIX\b|\bBASE\b", text, re.I) or not (
            "$this" in head or re.search(r"SELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", head, re.I)):
        return None
    targets = _target_patterns(shapes, shape)
    if targets is None:
        return None
    prologue = "".join(f"PREFIX {p}: <{n}>\n" for p, n in _declared_prefixes(shapes, constraint))
    body = text.replace("$this", "?this")
    query = (f"{prologue}SELECT * WHERE {{\n  {{ SELECT DISTINCT ?this WHERE {{ {targets} }} }}\n"
             f"  {{ {body} }}\n}}")
    messages = list(shapes.objects(constraint, SH.message)) or list(shapes.objects(shape, SH.message))
    return _SparqlCheck(shape, constraint, shapes.value(shape, SH.severity) or SH.Violation, messages, query)


def _target_patterns(shapes: Graph, shape) -> str | None:
    parts = []
    for cls in shapes.objects(shape, SH.targetClass):
        parts.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {cls.n3()} .")
    if (shape, RDF.type, RDFS.Class) in shapes:
        parts.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {shape.n3()} .")
    for node in shapes.objects(shape, SH.targetNode):
        parts.append(f"VALUES ?this {{ {node.n3()} }}")
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        parts.append(f"?this {p.n3()} [] .")
    for p in shapes.objects(shape, SH.targetObjectsOf):
        parts.append(f"[] {p.n3()} ?this .")
    if any(shapes.triples((shape, SH.target, None))) or not parts or any(isinstance(
            o, BNode) for o in shapes.objects(shape, SH.targetClass)):
        return None
    return " UNION ".join(f"{{ {p} }}" for p in parts)


def _declared_prefixes(shapes: Graph, constraint):
    for holder in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(holder, SH.declare):
            yield str(shapes.value(decl, SH.prefix)), str(shapes.value(decl, SH.namespace))


def _run_fast(data, shapes, ontology, split, concurrent: bool = True) -> Graph:
    import pyoxigraph as ox

    compiled, visible, checks = split
    seen, unseen = _ntriples_texts(data, ontology, visible)

    def sparql() -> list:
        store = ox.Store()
        for text in (seen, unseen()):
            add_keeping_labels(store, text, format=ox.RdfFormat.N_TRIPLES)
        return [(check, _solutions(store, check)) for check in checks]

    if not concurrent:
        found = sparql()  # its store is freed before pyshacl-turbo parses the text
        conforms, report_graph = _run_turbo(seen, compiled)
    else:
        # pyshacl-turbo's native run releases the GIL for part of its time (measured: 2.1 s alone,
        # 4.9 s beside a busy Python thread): it validates the core shapes (on the triples they
        # can see) while this thread writes the rest of the text, loads both parts into
        # pyoxigraph and runs the SPARQL rules.
        with ThreadPoolExecutor(max_workers=1) as pool:
            turbo = pool.submit(_run_turbo, seen, compiled)
            found = sparql()
            conforms, report_graph = turbo.result()
    bind_prefixes(report_graph)
    report_node = next(report_graph.subjects(RDF.type, SH.ValidationReport), None) or BNode()
    for check, rows in found:
        for bindings in rows:
            _add_result(report_graph, report_node, check, bindings)
            conforms = False  # as in SHACL: any result, whatever its severity
    report_graph.set((report_node, SH.conforms, Literal(conforms)))
    return report_graph


def _run_turbo(text: str, compiled) -> tuple[bool, Graph]:
    from pyshacl_turbo.rdf import Input

    # Input hands the text to the native parser; a plain str goes through rdflib first (5x slower)
    data = Input(text, "nt", None, {}, {}, preserve_ids=True)
    conforms, report_graph, _ = compiled.validate(data)
    return conforms, report_graph


def _solutions(store, check: _SparqlCheck) -> list[dict]:
    solutions = store.query(check.query)
    names = [v.value for v in solutions.variables]
    return [{name: from_oxigraph(row[name]) for name in names if row[name] is not None} for row in solutions]


def _ntriples_texts(data, ontology: Graph, visible: frozenset | None) -> tuple[str, Callable[[], str]]:
    """N-Triples text of the union of ``data``'s graphs and the ontology, in two parts
    ``(seen, unseen)``: ``seen`` holds the triples whose predicate is in ``visible`` (all of them
    when None), ``unseen()`` writes the others. pyshacl-turbo parses text natively, and pyoxigraph
    reads it with its own parser: both far faster than taking rdflib terms one by one."""
    import pyoxigraph as ox

    # blank nodes keep their rdflib ids (made N-Triples-safe), so reports name them as pyshacl does
    tail = kg.ntriples_text(ontology, blank_prefix="")
    if _is_oxigraph_store(data):  # no term conversion: pyoxigraph writes each graph, blank node ids kept
        graphs = [*data.named_graphs(), ox.DefaultGraph()]
        data = b"".join(data.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) for g in graphs).decode("utf-8")
    if isinstance(data, str):
        if data and not data.endswith("\n"):
            data += "\n"
        if visible is None:
            return data + tail, _empty
        # "subject predicate rest": neither of the first two has a space; split on "\n" only, as
        # literals may hold other line breaks (U+2028, U+0085) that splitlines() would cut at
        return _parts(data.split("\n")[:-1], lambda line: line.split(" ", 2)[1], {f"<{p}>" for p in visible},
                      lambda lines: "".join(f"{line}\n" for line in lines), tail)
    triples = data if isinstance(data, list) else list(_triples(data))
    return _parts(triples, itemgetter(1), visible, lambda ts: kg.ntriples_text(ts, blank_prefix=""), tail)


def _parts(items: list, predicate: Callable, shown: set | None, write: Callable, tail: str) -> tuple[str, Callable[[], str]]:
    """``(seen, unseen)`` of :func:`_ntriples_texts`: ``write`` the ``items`` whose ``predicate``
    is ``shown`` (all of them when None), then ``tail``; the others when asked."""
    if shown is None:
        return write(items) + tail, _empty
    return (write(i for i in items if predicate(i) in shown) + tail,
            lambda: write(i for i in items if predicate(i) not in shown))


def _empty() -> str:
    return ""


def _add_result(report_graph: Graph, report_node, check: _SparqlCheck, bindings: dict) -> None:
    focus = bindings["this"]
    result = BNode()
    add = report_graph.add
    add((report_node, SH.result, result))
    add((result, RDF.type, SH.ValidationResult))
    add((result, SH.focusNode, focus))
    add((result, SH.resultSeverity, check.severity))
    add((result, SH.sourceShape, check.shape))
    add((result, SH.sourceConstraint, check.constraint))
    add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
    add((result, SH.value, bindings.get("value", focus)))
    if bindings.get("path") is not None:
        add((result, SH.resultPath, bindings["path"]))
    for message in check.messages:
        text = _TEMPLATE.sub(lambda m: str(bindings.get(m.group(1), m.group(0))), str(message))
        add((result, SH.resultMessage, Literal(text, lang=message.language, datatype=message.datatype)))


# --- report rendering -------------------------------------------------------------------

def _english(messages: list, shapes: Graph | None, shape) -> str | None:
    for m in messages:
        if getattr(m, "language", None) == "en":
            return str(m)
    if shapes is not None and shape is not None:
        templates = list(shapes.objects(shape, SH.message))
        for constraint in shapes.objects(shape, SH.sparql):
            templates += list(shapes.objects(constraint, SH.message))
        for template in (t for t in templates if getattr(t, "language", None) == "en"):
            pattern = re.compile(_template_regex(str(template)), re.S)
            for m in messages:
                if pattern.fullmatch(str(m)):
                    return str(m)
    return str(messages[0]) if messages else None


def _template_regex(template: str) -> str:
    parts = _TEMPLATE.split(template)
    # split() alternates literal text and variable names: keep the text, widen the names
    return "".join(re.escape(part) if i % 2 == 0 else ".*" for i, part in enumerate(parts))


def _component(g: Graph, result) -> str:
    component = g.value(result, SH.sourceConstraintComponent)
    return f"fails {_local_name(component)}" if component is not None else "SHACL result"


def _local_name(term) -> str:
    if isinstance(term, BNode):
        return f"_:{term}"
    return re.split(r"[#/]", str(term))[-1]


def _path_text(g: Graph, path) -> str:
    if isinstance(path, URIRef):
        return _prefixed(path)
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(g, inverse)
    if g.value(path, RDF.first) is not None:
        return "/".join(_path_text(g, p) for p in Collection(g, path))
    for key, sign in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(path, key)
        if inner is not None:
            return f"({_path_text(g, inner)}){sign}"
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_text(g, p) for p in Collection(g, alternatives))
    return term_text(path)


def _prefixed(iri) -> str:
    text = str(iri)
    best = None
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w.-]*", text[len(ns):] or "-") and (
                best is None or len(ns) > len(PREFIXES[best])):
            best = prefix
    return f"{best}:{text[len(PREFIXES[best]):]}" if best else f"<{text}>"
