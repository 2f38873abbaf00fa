"""Cost of statement-level sources on the whole build (docs/decisions/0006-statement-sources.md).

    python bench/statement_sources_bench.py

Every data triple whose subject cites exactly one source in its named graph gets that source at
the statement level, written four ways; each variant is written as N-Quads and bulk-loaded into a
fresh on-disk pyoxigraph store. Prints quads, N-Quads bytes, load seconds and store bytes, with
ratios to the build as it is (baseline, same run). No assertion: figures only.

- baseline: the build's quads (node-level prov:wasDerivedFrom only);
- reification: an rdf:Statement node per statement (rdf:subject, rdf:predicate, rdf:object,
  prov:wasDerivedFrom), RDF 1.1, read by rdflib and pyshacl;
- reifier: RDF 1.2, ``_:r rdf:reifies <<( s p o )>> ; prov:wasDerivedFrom src`` (pyoxigraph only);
- graph-per-source: each statement moved into a named graph per source row or excerpt.
"""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal
from rdflib.plugins.serializers.nt import _quoteLiteral

from pvd_kg.graph import build_quads
from pvd_kg.vocab import PROV

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _nt(term) -> str:
    return _quoteLiteral(term) if isinstance(term, Literal) else term.n3()


def variants(quads):
    derived = str(PROV.wasDerivedFrom)
    sources = defaultdict(set)
    for s, p, o, g in quads:
        if str(p) == derived:
            sources[(s, g)].add(o)
    base = [f"{_nt(s)} {_nt(p)} {_nt(o)} {_nt(g)} .\n" for s, p, o, g in quads]
    reif, star, moved = list(base), list(base), []
    n = 0
    for s, p, o, g in quads:
        src = sources.get((s, g))
        if str(p) == derived or not src or len(src) != 1:
            moved.append(f"{_nt(s)} {_nt(p)} {_nt(o)} {_nt(g)} .\n")
            continue
        (source,) = src
        n += 1
        st = f"<{g}/statement/{n}>"
        reif += [f"{st} <{RDF}type> <{RDF}Statement> {_nt(g)} .\n", f"{st} <{RDF}subject> {_nt(s)} {_nt(g)} .\n",
                 f"{st} <{RDF}predicate> {_nt(p)} {_nt(g)} .\n", f"{st} <{RDF}object> {_nt(o)} {_nt(g)} .\n",
                 f"{st} <{derived}> {_nt(source)} {_nt(g)} .\n"]
        star += [f"{st} <{RDF}reifies> <<( {_nt(s)} {_nt(p)} {_nt(o)} )>> {_nt(g)} .\n",
                 f"{st} <{derived}> {_nt(source)} {_nt(g)} .\n"]
        moved.append(f"{_nt(s)} {_nt(p)} {_nt(o)} <{source}> .\n")
    return {"baseline": base, "reification": reif, "reifier": star, "graph-per-source": moved}, n


def measure(lines: list[str]) -> tuple[int, float, int]:
    text = "".join(lines).encode()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        store = ox.Store(tmp)
        store.bulk_load(text, ox.RdfFormat.N_QUADS)
        store.flush()
        seconds = time.perf_counter() - start
        del store
        size = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
    return len(text), seconds, size


def main() -> None:
    quads = build_quads()[0]
    made, n = variants(quads)
    print(f"{n} statements with one source, of {len(quads)} quads")
    rows = {name: (len(lines), *measure(lines)) for name, lines in made.items()}
    b = rows["baseline"]
    for name, (count, nbytes, seconds, size) in rows.items():
        print(f"{name:17} {count:8d} quads {nbytes / 1e6:7.1f} MB N-Quads ({nbytes / b[1]:.2f}x) "
              f"load {seconds:5.2f} s ({seconds / b[2]:.2f}x) store {size / 1e6:7.1f} MB ({size / b[3]:.2f}x)")


if __name__ == "__main__":
    main()
