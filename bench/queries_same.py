"""Check that a rewritten catalog question gives the same answer as an older copy of it.

Runs each named question of ``queries/`` and of ``--queries OLD`` (an older copy of the folder) on
the in-memory copy of a built store, without a commune and for each commune given (by default every
commune with a signing, attendance or party in the store, and ``--lang`` values), and compares
the answers: the same rows, the same sequence of ORDER BY keys (``ORDER_KEYS``; rows tied on them may
come in another order, as the plan gives them), and the same set of values in each space-separated
``GROUP_CONCAT`` column (``LISTS``; their order is the plan's too). Prints the first difference and
exits 1 on one.

    python bench/queries_same.py --store STORE --queries /tmp/old-queries \
        --only who-signed-what,who-was-present,convention-parties
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# every commune whose signing names a person (the curated and press graphs), and every 25th of the
# others with a signing (the tables), whose rows have dates and parties but no people
PEOPLE = """
SELECT DISTINCT ?commune WHERE {
  ?convention pvd:concerns ?commune . ?signing pvd:signed ?convention ; pvd:signature|pvd:attendance ?a
}"""
SIGNED = "SELECT DISTINCT ?commune WHERE { ?convention pvd:concerns ?commune . ?signing pvd:signed ?convention }"


# the projected ORDER BY keys of each question (who-was-present's ?rank follows ?participation)
ORDER_KEYS = {
    "who-signed-what": ("bestDate", "convention", "signing", "signer"),
    "who-was-present": ("signingDate", "signing", "participation"),
    "convention-parties": ("concerns", "kind", "convention", "party"),
}
LISTS = ("dateGraphs", "sources")


def rows(store, query, params: dict) -> list[tuple]:
    from pvd_kg import queries

    answer = store.query(queries.render(query, params), use_default_graph_as_union=True)
    names = [v.value for v in answer.variables]
    def cell(name, term):
        if term is None:
            return None
        return " ".join(sorted(term.value.split(" "))) if name in LISTS else str(term)

    return [tuple(cell(n, s[n]) for n in names) for s in answer], names


def keys(answer: list[tuple], names: list[str], name: str) -> list[tuple]:
    where = [names.index(k) for k in ORDER_KEYS[name]]
    return [tuple(row[i] for i in where) for row in answer]


def main() -> int:
    import pyoxigraph as ox

    from pvd_kg import queries
    from pvd_kg.serve.worker import mirror

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--queries", required=True, help="the older catalog folder")
    parser.add_argument("--new", default=None, help="the rewritten catalog folder (default: queries/)")
    parser.add_argument("--only", required=True, help="comma-separated query names")
    parser.add_argument("--commune", action="append", help="INSEE codes (default: see PEOPLE and SIGNED)")
    parser.add_argument("--lang", action="append", default=None, help="lang values (default: fr, en)")
    args = parser.parse_args()

    store = mirror(ox.Store.read_only(args.store), 10**9)
    def communes(text: str) -> list[str]:
        answer = store.query(queries.with_prologue(text), use_default_graph_as_union=True)
        return sorted(s["commune"].value.rsplit("/", 1)[-1] for s in answer)

    people = communes(PEOPLE)
    codes = args.commune or sorted({*people, *communes(SIGNED)[::25]})
    print(f"{len(codes)} communes")
    failed = False
    for name in args.only.split(","):
        new, old = queries.get(name, args.new and Path(args.new)), queries.get(name, Path(args.queries))
        for lang in args.lang or ["fr", "en"]:
            before = failed
            for code in [None, *codes]:
                params = {"lang": lang} if code is None else {"lang": lang, "commune": code}
                (a, names), (b, _) = rows(store, old, params), rows(store, new, params)
                if sorted(a, key=repr) != sorted(b, key=repr) or keys(a, names, name) != keys(b, names, name):
                    failed = True
                    a, b = sorted(a, key=repr), sorted(b, key=repr)
                    diff = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                    print(f"DIFFERENT {name} {params}: {len(a)} rows before, {len(b)} after; sorted row {diff}:")
                    print("  before:", a[diff] if diff < len(a) else None)
                    print("  after: ", b[diff] if diff < len(b) else None)
            print(f"{name} lang={lang}: {'the same' if failed == before else 'DIFFERENT'} ({1 + len(codes)} answers)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
