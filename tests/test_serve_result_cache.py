"""The /sparql result cache (pvd_kg/serve/result_cache.py): the cache class on its own (LRU
eviction, budget, generations), then real `pvd-kg serve` subprocesses: hits with identical
bytes, one entry per negotiated format and dataset, an update through the endpoint empties it,
errors, capped and non-deterministic answers are never kept, ETag / If-None-Match, and
``--cache-mb 0``."""

from __future__ import annotations

import pytest
import requests
from click.testing import CliRunner

from pvd_kg.cli import cli
from pvd_kg.serve.result_cache import ENTRY_OVERHEAD, ResultCache
from serve_server import build_store, running_server

TOKEN = "cache-token-3e9d"
JSON = "application/sparql-results+json"


# -- the cache class --------------------------------------------------------------------------

def _key(cache: ResultCache, n: int) -> tuple:
    return cache.key(f"SELECT {n}", "http://h/sparql", None, None, ("json", "text/turtle"))


def test_lru_eviction_under_a_tiny_budget():
    cost = ENTRY_OVERHEAD + len("SELECT 0") + len("http://h/sparql") + 10
    cache = ResultCache(8 * cost)  # room for 8 entries of 10-byte bodies
    for n in range(8):
        assert cache.put(_key(cache, n), b"0123456789", "text/csv") is not None
    assert len(cache) == 8 and cache.size == 8 * cost
    assert cache.get(_key(cache, 0)) is not None  # 0 is now the most recently used
    cache.put(_key(cache, 8), b"0123456789", "text/csv")
    assert cache.get(_key(cache, 1)) is None  # the least recently used went first
    assert cache.get(_key(cache, 0)).body == b"0123456789"
    assert len(cache) == 8 and cache.size <= cache.max_bytes and cache.evictions == 1


def test_oversized_answers_stale_generations_and_a_switched_off_cache_keep_nothing():
    cache = ResultCache(8 * 1000)
    assert cache.put(_key(cache, 1), b"x" * 1000, "text/csv") is None  # more than 1/8 of the budget
    old = _key(cache, 2)
    cache.new_generation(1)
    assert cache.put(old, b"x", "text/csv") is None  # computed before the update: dropped
    assert cache.put(_key(cache, 2), b"x", "text/csv") is not None
    assert len(cache) == 1
    off = ResultCache(0)
    assert not off.enabled and off.put(_key(off, 1), b"x", "text/csv") is None and len(off) == 0
    with pytest.raises(ValueError):
        ResultCache(-1)


def test_etag_changes_with_generation_and_key():
    cache = ResultCache(1000)
    first = cache.etag(_key(cache, 1))
    assert first == cache.etag(_key(cache, 1)) != cache.etag(_key(cache, 2))
    cache.new_generation(1)
    assert cache.etag(_key(cache, 1)) != first
    assert ResultCache(1000).etag(_key(ResultCache(1000), 1)) != first  # another server run


def test_negative_cache_size_is_refused_by_the_cli(tmp_path):
    res = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path), "--cache-mb", "-1"])
    assert res.exit_code != 0 and "--cache-mb" in res.output and "Traceback" not in res.output


# -- a real server ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Curated store, cache on (default size), updates on, at most 5 rows per answer."""
    tmp = tmp_path_factory.mktemp("cache-on")
    with running_server(build_store(tmp / "store"), "--allow-update", "--update-token", TOKEN, "--max-rows", "5",
                        log_dir=tmp) as srv:
        yield srv


@pytest.fixture(scope="module")
def uncached(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cache-off")
    with running_server(build_store(tmp / "store"), "--cache-mb", "0", log_dir=tmp) as srv:
        yield srv


def _three(tag: str) -> str:
    """Three typed resources; ``tag`` makes the query text (the key) unique to one test."""
    return f"# {tag}\nSELECT ?s ?type WHERE {{ ?s a ?type }} ORDER BY ?s ?type LIMIT 3"


def _get(srv, query: str, accept: str = JSON, **params) -> requests.Response:
    return requests.get(srv("/sparql"), params={"query": query, **params}, headers={"Accept": accept}, timeout=60)


def _update(srv, text: str) -> None:
    r = requests.post(srv("/sparql"), data=text, timeout=60,
                      headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 204, r.text


def test_a_repeated_query_is_a_hit_with_identical_bytes(server):
    q = _three("repeated")
    first, second = _get(server, q), _get(server, q)
    assert first.status_code == second.status_code == 200
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert first.content == second.content and len(first.json()["results"]["bindings"]) == 3
    assert first.headers["content-type"] == second.headers["content-type"]
    posted = requests.post(server("/sparql"), data={"query": q}, headers={"Accept": JSON}, timeout=60)
    assert posted.headers["x-cache"] == "hit" and posted.content == first.content  # same key by POST
    assert "etag" not in posted.headers  # a POST gets no ETag (a matching If-None-Match would need 412)
    exposed = second.headers["access-control-expose-headers"]
    assert "X-Cache" in exposed and "ETag" in exposed


def test_each_negotiated_format_and_dataset_is_its_own_entry(server):
    q = _three("formats")
    assert _get(server, q).headers["x-cache"] == "miss"
    csv = _get(server, q, accept="text/csv")
    assert csv.headers["x-cache"] == "miss" and csv.headers["content-type"].startswith("text/csv")
    again = _get(server, q, accept="text/csv")
    assert again.headers["x-cache"] == "hit" and again.content == csv.content
    assert _get(server, q).headers["x-cache"] == "hit"  # the JSON entry is still there
    scoped = _get(server, q, **{"default-graph-uri": "https://w3id.org/pvd-kg/graph/libercourt"})
    assert scoped.headers["x-cache"] == "miss"
    assert _get(server, q, **{"default-graph-uri": "https://w3id.org/pvd-kg/graph/libercourt"}).content \
        == scoped.content


def test_an_update_through_the_endpoint_gives_the_new_answer(server):
    q = "SELECT ?o WHERE { GRAPH <urn:cache-test> { <urn:s> <urn:p> ?o } }"
    before = _get(server, q)
    assert before.headers["x-cache"] == "miss" and before.json()["results"]["bindings"] == []
    assert _get(server, q).headers["x-cache"] == "hit"
    _update(server, 'INSERT DATA { GRAPH <urn:cache-test> { <urn:s> <urn:p> "new" } }')
    after = _get(server, q)
    assert after.headers["x-cache"] == "miss"
    assert [b["o"]["value"] for b in after.json()["results"]["bindings"]] == ["new"]
    again = _get(server, q)
    assert again.headers["x-cache"] == "hit" and again.content == after.content


def test_if_none_match_gives_304_until_an_update(server):
    q = _three("etag")
    first = _get(server, q)
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    not_modified = requests.get(server("/sparql"), params={"query": q}, timeout=60,
                                headers={"Accept": JSON, "If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    other = requests.get(server("/sparql"), params={"query": q}, timeout=60,
                         headers={"Accept": "text/csv", "If-None-Match": etag})
    assert other.status_code == 200  # another format has another tag
    _update(server, 'INSERT DATA { GRAPH <urn:cache-test> { <urn:s2> <urn:p> "etag" } }')
    after = requests.get(server("/sparql"), params={"query": q}, timeout=60,
                         headers={"Accept": JSON, "If-None-Match": etag})
    assert after.status_code == 200 and after.headers["x-cache"] == "miss" and after.headers["etag"] != etag
    assert after.content == first.content  # the update did not touch these three


def test_errors_are_never_cached(server):
    for _ in range(2):
        bad = _get(server, "SELECT ?x WHERE { ?x ", accept="application/json")
        assert bad.status_code == 400 and "x-cache" not in bad.headers
        refused = _get(server, _three("not-acceptable"), accept="image/png")
        assert refused.status_code == 406 and "x-cache" not in refused.headers
    status = requests.get(server("/status"), timeout=30).json()["result_cache"]
    assert status["max_bytes"] == 64 * 1024 * 1024 and status["entries"] >= 1


def test_capped_and_non_deterministic_answers_are_not_cached(server):
    capped = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # far more than --max-rows 5
    now = "SELECT (NOW() AS ?t) (STRUUID() AS ?u) WHERE {}"
    for q in (capped, now, capped, now):
        r = _get(server, q)
        assert r.status_code == 200 and r.headers["x-cache"] == "miss" and "etag" not in r.headers
    assert "5" in _get(server, capped).headers["x-pvd-kg-truncated"]


def test_cache_off_always_misses(uncached):
    q = _three("off")
    answers = [_get(uncached, q) for _ in range(3)]
    assert [r.headers["x-cache"] for r in answers] == ["miss"] * 3
    assert answers[0].content == answers[2].content and "etag" not in answers[0].headers
    status = requests.get(uncached("/status"), timeout=30).json()["result_cache"]
    assert status["entries"] == 0 and status["max_bytes"] == 0
