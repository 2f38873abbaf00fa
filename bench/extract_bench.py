"""Score ``pvd-kg extract`` against the hand-written gold of tests/data/extract/ (or another
folder with the same layout: inputs + gold/NAME.json) and measure its speed.

    python bench/extract_bench.py [FOLDER] [--repeat N]

Prints precision, recall and F1 per field (communes by INSEE code, EPCI by SIREN, signatories and
others present by family name, events by kind), the share of gold events whose date (value and
precision, and the inferred year) and status are exact, invented given names and years (a given
name or a stated year that the text does not contain), the gazetteer load time (the only "model")
and articles per second once loaded. Events are paired by kind, in order.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HERE = Path(__file__).resolve().parent.parent / "tests" / "data" / "extract"


def fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if not unicodedata.combining(c)).replace(" ", "")


def people(items) -> set:
    out = set()
    for p in items:
        for q in (p, p.get("represented_by")):
            if q and q.get("family_name"):
                out.add(fold(q["family_name"]))
    return out


def pair(gold: list, pred: list) -> tuple[list, list, list]:
    left = list(pred)
    pairs, missed = [], []
    for g in gold:
        m = next((p for p in left if p["kind"] == g["kind"]), None)
        if m is None:
            missed.append(g)
        else:
            left.remove(m)
            pairs.append((g, m))
    return pairs, missed, left


def score(folder: Path, repeat: int) -> dict:
    t0 = time.perf_counter()
    from pvd_kg.extract import gazetteer

    gazetteer.load()
    load_s = time.perf_counter() - t0
    from pvd_kg.extract import extract_file

    golds = sorted((folder / "gold").glob("*.json"))
    counts = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    exact = defaultdict(lambda: [0, 0])  # right, total
    invented = {"given_names": [], "years": []}
    outputs = []
    for gpath in golds:
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        out = extract_file(folder / gold["input"], url=gold.get("url"), published=gold.get("published"))
        outputs.append((folder / gold["input"], gold))
        pairs, missed, extra = pair(gold["events"], out["events"])
        counts["kind"][0] += len(pairs)
        counts["kind"][1] += len(extra)
        counts["kind"][2] += len(missed)
        sets = {"communes": lambda e: {c["insee"] for c in e["communes"] if c.get("insee")} if "evidence" in (e["communes"][:1] or [{"evidence": 1}])[0] else set(e["communes"]),
                "epcis": lambda e: {c["siren"] for c in e["epcis"] if c.get("siren")} if e["epcis"] and isinstance(e["epcis"][0], dict) else set(e["epcis"]),
                "signatories": lambda e: people(e["signatories"]) if e["signatories"] and isinstance(e["signatories"][0], dict) else {fold(x) for x in e["signatories"]},
                "present": lambda e: people(e["present"]) if e["present"] and isinstance(e["present"][0], dict) else {fold(x) for x in e["present"]}}
        for field, get in sets.items():
            for g, p in pairs:
                gs, ps = get(g), get(p)
                counts[field][0] += len(gs & ps)
                counts[field][1] += len(ps - gs)
                counts[field][2] += len(gs - ps)
            for g in missed:
                counts[field][2] += len(get(g))
            for p in extra:
                counts[field][1] += len(get(p))
        for g in gold["events"]:
            p = next((p for gg, p in pairs if gg is g), None)
            gd, pd = g["date"], p["date"] if p else None
            ok = (gd is None and pd is None) or (gd is not None and pd is not None and gd["value"] == pd["value"]
                                                  and gd["precision"] == pd["precision"]
                                                  and gd.get("year_inferred") == (pd["year_inferred"] or {}).get("year"))
            exact["date"][0] += ok
            exact["date"][1] += 1
            exact["status"][0] += bool(p and p["status"] == g["status"])
            exact["status"][1] += 1
        text = out["text"]
        for e in out["events"]:
            for q in e["signatories"] + e["present"]:
                for person in (q, q.get("represented_by")):
                    if person and person.get("given_name") and person["given_name"] not in text:
                        invented["given_names"].append(f"{gold['input']}: {person['given_name']}")
            d = e["date"]
            if d and d["precision"] != "day-month" and d["value"][:4] not in text:
                invented["years"].append(f"{gold['input']}: {d['value']}")
    # speed, gazetteer loaded: every input, `repeat` times
    t1 = time.perf_counter()
    n = 0
    for _ in range(repeat):
        for path, gold in outputs:
            extract_file(path, url=gold.get("url"), published=gold.get("published"))
            n += 1
    elapsed = time.perf_counter() - t1
    fields = {}
    for field, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        fields[field] = {"precision": round(p, 3), "recall": round(r, 3),
                         "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0, "tp": tp, "fp": fp, "fn": fn}
    return {"inputs": len(golds), "gold_events": exact["date"][1], "fields": fields,
            "date_exact": round(exact["date"][0] / max(1, exact["date"][1]), 3),
            "status_exact": round(exact["status"][0] / max(1, exact["status"][1]), 3),
            "invented": invented, "load_seconds": round(load_s, 3),
            "articles_per_second": round(n / elapsed, 1) if elapsed else None}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=HERE)
    ap.add_argument("--repeat", type=int, default=5, help="passes over the inputs for the speed figure")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = score(args.folder, args.repeat)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"{result['inputs']} inputs, {result['gold_events']} gold events")
    print(f"{'field':<12} {'P':>6} {'R':>6} {'F1':>6}   tp/fp/fn")
    for field, s in result["fields"].items():
        print(f"{field:<12} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f}   {s['tp']}/{s['fp']}/{s['fn']}")
    print(f"date exact (value, precision, inferred year): {result['date_exact']:.3f}")
    print(f"status exact: {result['status_exact']:.3f}")
    print(f"invented given names: {len(result['invented']['given_names'])}, invented years: {len(result['invented']['years'])}")
    for line in result["invented"]["given_names"] + result["invented"]["years"]:
        print("  " + line)
    print(f"gazetteer load: {result['load_seconds']:.3f} s; {result['articles_per_second']} articles/s (loaded, 1 core)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
