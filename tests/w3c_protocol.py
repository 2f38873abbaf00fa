"""Read the W3C SPARQL 1.1 Protocol manifest (tests/data/w3c/sparql/protocol/manifest.ttl) into
plain request/expectation records, and check a response against them."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    expected_status: set[int]  # status classes: 2, 3, 4, 5
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    title: str
    requests: list[HttpRequest]
    graph_data: dict[str, Path] = field(default_factory=dict)  # graph name -> file

    @property
    def is_update(self) -> bool:
        return "update" in self.name


def load_manifest(path: Path) -> list[ProtocolTest]:
    g = Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    entries = Collection(g, g.value(manifest, MF.entries))
    tests = []
    for test in entries:
        name = str(test).split("#")[-1]
        action = g.value(test, MF.action)
        reqs = []
        for req in Collection(g, g.value(action, HT.requests)):
            headers = {}
            hlist = g.value(req, HT.headers)
            if hlist is not None:
                for h in Collection(g, hlist):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body = g.value(req, HT.body)
            resp = g.value(req, HT.resp)
            statuses = {int(str(s).split("StatusCode")[-1][0]) for s in g.objects(resp, MF.expectedStatus)}
            boolean = g.value(resp, MF.expectedBoolean)
            fmt = g.value(resp, MF.expectedFormat)
            reqs.append(HttpRequest(str(g.value(req, HT.methodName)), str(g.value(req, HT.absolutePath)), headers,
                                    str(g.value(body, CNT.chars)) if body is not None else None, statuses,
                                    str(fmt) if fmt is not None else None,
                                    boolean.toPython() if boolean is not None else None))
        data = {}
        for gd in g.objects(test, UT.graphData):
            data[str(g.value(gd, RDFS.label))] = Path(str(g.value(gd, UT.graph)).replace("file://", ""))
        tests.append(ProtocolTest(name, str(g.value(test, MF.name)), reqs, data))
    return tests


RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
             "application/rdf+xml": "xml", "application/n-quads": "nquads", "application/trig": "trig"}


def check_response(req: HttpRequest, response) -> list[str]:
    """Problems of ``response`` against the expectations of ``req`` (empty: it passes)."""
    problems = []
    if response.status_code // 100 not in req.expected_status:
        problems.append(f"status {response.status_code}, expected {sorted(req.expected_status)}xx: {response.text[:200]}")
        return problems
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if req.expected_format == "boolean":
        if media == "application/sparql-results+json":
            value = json.loads(response.text)["boolean"]
        elif media == "application/sparql-results+xml":
            value = "<boolean>true</boolean>" in response.text
        else:
            problems.append(f"boolean answer in unexpected media type {media!r}")
            return problems
        if req.expected_boolean is not None and value != req.expected_boolean:
            problems.append(f"boolean {value}, expected {req.expected_boolean}")
    elif req.expected_format == "tabular":
        if media not in RESULT_TYPES:
            problems.append(f"tabular answer in {media!r}")
    elif req.expected_format == "RDF":
        if media not in RDF_TYPES:
            problems.append(f"RDF answer in {media!r}")
        else:
            Graph().parse(io.BytesIO(response.content), format=RDF_TYPES[media])
    return problems


__all__ = ["load_manifest", "check_response", "ProtocolTest", "HttpRequest", "URIRef"]
