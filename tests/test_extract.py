"""``pvd-kg extract`` on the project's test inputs (tests/data/extract/, texts written for the
project that state real signings, each with a hand-written gold in gold/): the JSON contract,
evidence offsets, the difficult cases of issue 13, bad input, and the command itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from pvd_kg.extract import extract_file, extract_text
from pvd_kg.extract.schema import SCHEMA_FILE, evidences, problems

DATA = Path(__file__).parent / "data" / "extract"
GOLDS = sorted((DATA / "gold").glob("*.json"))


def gold(name: str) -> dict:
    return json.loads((DATA / "gold" / f"{name}.json").read_text(encoding="utf-8"))


def run(name: str) -> dict:
    g = gold(name)
    return extract_file(DATA / g["input"], url=g.get("url"), published=g.get("published"))


def cli(*args, env=None):
    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "pvd_kg.cli", "extract", *map(str, args)],
                          capture_output=True, text=True, env=full)


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_at_least_30_inputs_each_with_its_gold():
    inputs = [p for p in DATA.iterdir() if p.is_file()]
    assert len(inputs) >= 30
    assert {json.loads(g.read_text())["input"] for g in GOLDS} == {p.name for p in inputs}


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem)
def test_every_output_validates_and_its_evidence_slices_the_text(gold_path):
    doc = run(gold_path.stem)
    assert problems(doc) == []
    found = evidences(doc)
    assert all(doc["text"][e["start"]:e["end"]] == e["text"] for _, e in found)
    assert len(doc["events"]) == len(gold(gold_path.stem)["events"])


def test_a_wrong_offset_is_reported():
    doc = run("01-buzancais-adhesion")
    doc["events"][0]["communes"][0]["evidence"]["start"] += 1
    assert any("does not slice" in p for p in problems(doc))


def test_future_tense_is_planned_and_the_year_is_inferred_with_its_reason():
    (event,) = run("03-aups-planned")["events"]
    assert event["status"] == "planned"
    assert event["date"]["value"] == "--01-31" and event["date"]["precision"] == "day-month"
    assert event["date"]["year_inferred"]["year"] == 2023
    assert "2023-01-20" in event["date"]["year_inferred"]["reason"]


def test_a_representative_signs_for_the_absent_official():
    (event,) = run("04-la-ferte-milon-representative")["events"]
    official = next(p for p in event["signatories"] if p["represented_by"])
    assert official["name_as_written"] is None and official["role"] == "prefet"
    assert official["represented_by"]["family_name"] == "ROUSSEL"
    assert official["represented_by"]["role"] == "sous-prefet"
    assert [p["family_name"] for p in event["present"]] == ["ROYER"]


def test_a_contradicting_weekday_does_not_win():
    adhesion = run("08-falaise-weekday")["events"][0]
    assert adhesion["date"]["value"] == "2021-05-06"  # a Thursday; the text says "mardi"
    assert adhesion["date"]["weekday_conflict"] is True


def test_a_banner_date_does_not_win_but_dates_the_page():
    doc = run("09-airvault-banner")
    (event,) = doc["events"]
    assert doc["source"]["banner_date"] == "2023-06-21"
    assert event["date"]["value"] == "--06-19"
    assert event["date"]["year_inferred"]["year"] == 2023
    assert "publication date 2023-06-21" in event["date"]["year_inferred"]["reason"]  # the banner's day


def test_an_unrelated_convention_is_its_own_event():
    kinds = [e["kind"] for e in run("10-aizenay-second-convention")["events"]]
    assert kinds == ["ort", "other"]


def test_homonyms_resolved_by_context_and_short_forms_linked():
    (event,) = run("11-deux-vallees-vertes")["events"]
    assert [c["insee"] for c in event["communes"]] == ["25022", "25505", "25315"]
    (event,) = run("13-st-jean-de-losne")["events"]
    assert event["communes"][0]["insee"] == "21554" and event["communes"][0]["as_written"] == "St-Jean-de-Losne"
    (event,) = run("28-baugy-homonym")["events"]
    assert [c["insee"] for c in event["communes"]] == ["18023"]


def test_a_commune_in_no_list_is_linked_and_flagged():
    (event,) = run("12-libercourt-ort-oignies")["events"]
    oignies = next(c for c in event["communes"] if c["insee"] == "62637")
    assert not any(oignies["in_lists"].values())
    assert oignies["flags"] == ["not in the PVD, ACV or ORT lists"]


def test_no_first_name_or_title_is_invented():
    (event,) = run("32-abbeville-acv")["events"]
    assert event["signatories"] == []  # "le maire et l'État": no one is named
    (event,) = run("12-libercourt-ort-oignies")["events"]
    assert event["signatories"][0]["given_name"] is None and event["signatories"][0]["civility"] == "M."


def test_a_convention_document_gives_parties_and_axes_in_order():
    (event,) = run("20-hericourt-convention-document")["events"]
    assert [p["as_written"] for p in event["parties"]][:2] == ["La commune d'Héricourt",
                                                            "La communauté de communes du Pays d'Héricourt"]
    assert [a["order"] for a in event["axes"]] == [1, 2, 3, 4]
    assert event["axes"][1]["label"] == "Commerce et vitalité économique"
    assert event["date"]["value"] == "2023-07-06" and event["status"] == "signed"


def test_no_convention_and_another_language_give_no_events_with_a_reason():
    doc = run("16-aramon-marche")
    assert doc["events"] == [] and doc["reason"] == "no convention signing found in the text"
    doc = run("17-english-page")
    assert doc["events"] == [] and doc["reason"] == "the text is not in French"


def test_html_boilerplate_is_stripped_and_offsets_point_into_the_extracted_text():
    doc = run("18-meung-noisy")
    assert "tracking" not in doc["text"] and "Mentions légales" not in doc["text"] and "Partager" not in doc["text"]
    assert doc["source"]["input_kind"] == "html" and doc["source"]["published"] == "2021-12-17"
    (event,) = doc["events"]
    assert event["date"]["value"] == "2021-12-15"  # not the date in the script
    ev = event["signatories"][0]["evidence"]
    assert doc["text"][ev["start"]:ev["end"]] == ev["text"]


def test_pasted_text_gives_the_same_events_as_the_file():
    path = DATA / "05-carentan-outlet-a.txt"
    assert extract_text(path.read_text(encoding="utf-8"))["events"] == extract_file(path)["events"]


# --- the command -----------------------------------------------------------------------------

def test_cli_json_for_one_file_and_a_list_for_a_folder(tmp_path):
    out = cli(DATA / "07-attigny-missing-year.txt", "--published", "2021-11-25", "--url", "https://example.org/a")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["source"]["url"] == "https://example.org/a"
    assert doc["events"][0]["date"]["year_inferred"]["year"] == 2021
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("01-buzancais-adhesion.txt", "16-aramon-marche.txt"):
        (folder / name).write_text((DATA / name).read_text(encoding="utf-8"), encoding="utf-8")
    out = cli(folder, "-o", tmp_path / "out.json")
    assert out.returncode == 0
    docs = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [len(d["events"]) for d in docs] == [1, 0]
    assert "16-aramon-marche.txt: no events (no convention signing found in the text)" in out.stderr


@pytest.mark.parametrize("content, message", [
    (b"", "empty input"),
    (b"   \n", "empty input"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary file"),
    ("Signée à Falaise".encode("latin-1"), "not UTF-8 text"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    out = cli(bad)
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.count("\n") == 1 and message in out.stderr and "Traceback" not in out.stderr


def test_size_cap_from_option_and_environment(tmp_path):
    path = DATA / "01-buzancais-adhesion.txt"
    out = cli(path, "--max-bytes", "100")
    assert out.returncode == 2 and "over the size cap of 100 bytes" in out.stderr
    out = cli(path, env={"PVD_KG_EXTRACT_MAX_BYTES": "50"})
    assert out.returncode == 2 and "over the size cap of 50 bytes" in out.stderr
    assert cli(path, "--max-bytes", "100000").returncode == 0


def test_bad_published_day_is_refused():
    out = cli(DATA / "01-buzancais-adhesion.txt", "--published", "21/11/2021")
    assert out.returncode == 2 and "YYYY-MM-DD" in out.stderr


# --- RDF ---------------------------------------------------------------------------------------

def _validate_with_shipped_graph(*paths):
    from pvd_kg import paths as P
    from pvd_kg.graph import curated_files
    from pvd_kg.validate import load_files, validate

    return validate(load_files([*map(str, paths), str(P.ONTOLOGY_FILE), *map(str, curated_files())]))


def test_trig_of_every_input_passes_validation_with_the_shipped_graph(tmp_path):
    out = tmp_path / "all.trig"
    res = cli(*sorted(p for p in DATA.iterdir() if p.is_file()), "--format", "trig", "-o", out)
    assert res.returncode == 0, res.stderr
    report = _validate_with_shipped_graph(out)
    assert report.errors == [], report.to_text()
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(out, format="trig")
    graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert "https://w3id.org/pvd-kg/graph/extract-04-la-ferte-milon-representative" in graphs


def test_cli_validate_accepts_one_turtle_output(tmp_path):
    out = tmp_path / "one.ttl"
    assert cli(DATA / "20-hericourt-convention-document.txt", "--format", "turtle", "-o", out).returncode == 0
    from pvd_kg import paths as P

    res = subprocess.run([sys.executable, "-m", "pvd_kg.cli", "validate", str(out), str(P.ONTOLOGY_FILE),
                          *map(str, sorted(P.GRAPH_DIR.glob("*.ttl")))], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout
    text = out.read_text(encoding="utf-8")
    assert '"Commerce et vitalité économique"@fr' in text and "pvd:StrategicAxis" in text


def test_two_outlets_give_one_signing_with_two_sources():
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from pvd_kg.extract.rdf import to_dataset
    from pvd_kg.vocab import PVD

    docs = [run("05-carentan-outlet-a"), run("06-carentan-outlet-b")]
    ds = to_dataset(docs)
    signing = URIRef("https://w3id.org/pvd-kg/id/signing/ort/50099")
    dated_in = {str(g.identifier) for g in ds.graphs() if (signing, PVD.date, Literal("2022-10-19", datatype=XSD.date)) in g}
    assert dated_in == {"https://w3id.org/pvd-kg/graph/extract-05-carentan-outlet-a",
                        "https://w3id.org/pvd-kg/graph/extract-06-carentan-outlet-b"}
    signatures = {o for g in ds.graphs() for o in g.objects(signing, PVD.signature)}
    assert len(signatures) == 6  # the five that B names are among the six that A names
    titles = [t for g in ds.graphs() for s in signatures for t in g.objects(s, PVD.titleAsWritten)]
    assert len(titles) == len(signatures)  # one title each: the first source's


def test_a_convention_cadre_valant_ort_is_written_as_one_act_of_both_kinds():
    from rdflib import URIRef
    from rdflib.namespace import RDF

    from pvd_kg.extract.rdf import to_dataset
    from pvd_kg.vocab import PVD

    doc = run("02-viarmes-convention-cadre")
    assert [e["valant_ort"] for e in doc["events"] if e["kind"] == "operationnelle"] == [True]
    ds = to_dataset([doc])
    act = URIRef("https://w3id.org/pvd-kg/id/convention/ort/95652")  # the ORT table's IRI for Viarmes
    assert {o for g in ds.graphs() for o in g.objects(act, RDF.type)} == {PVD.OperationalConvention, PVD.ORTConvention}
    assert {str(o).rsplit("/", 1)[1] for g in ds.graphs() for o in g.objects(act, PVD.programme)} == {"pvd", "ort"}
    assert {s for g in ds.graphs() for s in g.subjects(PVD.signed, act)} == {
        URIRef("https://w3id.org/pvd-kg/id/signing/ort/95652")}
    assert not any("operationnelle" in str(s) for g in ds.graphs() for s in g.subjects())


def test_an_inferred_year_is_an_inference_not_a_date():
    from rdflib import URIRef

    from pvd_kg.extract.rdf import to_dataset
    from pvd_kg.vocab import PVD

    ds = to_dataset([run("09-airvault-banner")])
    signing = URIRef("https://w3id.org/pvd-kg/id/signing/ort/79005")
    dates = [str(o) for g in ds.graphs() for o in g.objects(signing, PVD.date)]
    assert dates == ["--06-19"]
    inferred = [str(o) for g in ds.graphs() for o in g.objects(None, PVD.inferredValue)]
    assert inferred == ["2023-06-19"]


# --- review: --apply ---------------------------------------------------------------------------

def test_apply_writes_only_what_was_accepted_with_the_edits_and_load_stores_it(tmp_path):
    from pvd_kg import paths as P

    doc = run("04-la-ferte-milon-representative")
    event = doc["events"][0]
    event["accepted"] = True
    for p in event["signatories"]:
        p["accepted"] = p["family_name"] in ("BRIFFAUT", "LE FRÈRE")
    event["signatories"][-1]["family_name"] = "Briffaut"  # the steward's correction
    for p in event["present"]:
        p["accepted"] = False
    reviewed = tmp_path / "reviewed.json"
    reviewed.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "accepted.trig"
    res = cli("--apply", reviewed, "-o", out)
    assert res.returncode == 0, res.stderr
    text = out.read_text(encoding="utf-8")
    assert 'foaf:familyName "Briffaut"' in text and 'foaf:familyName "BRIFFAUT"' not in text
    assert "person/02307/roussel" not in text and "person/02307/royer" not in text  # rejected
    assert text.count("a pvd:Signature") == 2
    assert _validate_with_shipped_graph(out).errors == []
    store = tmp_path / "store"
    base = subprocess.run([sys.executable, "-m", "pvd_kg.cli", "load", "--no-validate", "--store", str(store),
                           str(P.ONTOLOGY_FILE), *map(str, sorted(P.GRAPH_DIR.glob("*.ttl")))],
                          capture_output=True, text=True)
    assert base.returncode == 0, base.stderr
    loaded = subprocess.run([sys.executable, "-m", "pvd_kg.cli", "load", "--store", str(store), str(out)],
                            capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert "extract-04-la-ferte-milon-representative" in loaded.stdout


def test_apply_refuses_a_broken_review_in_one_line(tmp_path):
    doc = run("01-buzancais-adhesion")
    reviewed = tmp_path / "r.json"
    reviewed.write_text(json.dumps(doc), encoding="utf-8")
    res = cli("--apply", reviewed)
    assert res.returncode == 2 and "nothing to write" in res.stderr
    doc["events"][0]["accepted"] = "yes"
    reviewed.write_text(json.dumps(doc), encoding="utf-8")
    res = cli("--apply", reviewed)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "accepted" in res.stderr
    reviewed.write_text("{not json", encoding="utf-8")
    res = cli("--apply", reviewed)
    assert res.returncode == 2 and "not a JSON file" in res.stderr and "Traceback" not in res.stderr


# --- reconcile with the store -------------------------------------------------------------------

@pytest.fixture(scope="module")
def built_store(whole_ox_store):
    from pvd_kg.store import MemoryStore

    return MemoryStore(whole_ox_store)


def test_reconcile_against_the_tables_and_two_sources(built_store):
    from pvd_kg.extract.reconcile import reconcile_documents

    docs = [run("05-carentan-outlet-a"), run("06-carentan-outlet-b"), run("12-libercourt-ort-oignies"),
            run("08-falaise-weekday")]
    reconcile_documents(docs, built_store)
    a = docs[0]["events"][0]["reconciliation"]
    assert {c["insee"] for c in a if c["check"] == "lists" and c["agrees"]} == {"50099", "50400", "50523"}
    # the DGALN ORT table dates Carentan-les-Marais's ORT 2022-10-19, as both outlets do (and as
    # the curated press graph of the EPCI's page does: one check per stored date)
    dates = [c["agrees"] for c in a if c["check"] == "date"]
    assert dates and all(dates)
    same = [c for c in a if c["check"] == "same-event"]
    assert len(same) == 1 and same[0]["agrees"] is True
    ort = docs[2]["events"][0]["reconciliation"]
    oignies = next(c for c in ort if c.get("insee") == "62637")
    assert oignies["agrees"] is False and "none of the" in oignies["message"]
    dated = {c["source"]: c["agrees"] for c in ort if c["check"] == "date"}  # 2023-01 vs the store's dates
    assert dated == {"dgaln-ort-2024": True, "libercourt": True}
    adhesion = docs[3]["events"][0]["reconciliation"]  # 2021-05-06 in the text and in the 2026 PVD list
    assert [c["agrees"] for c in adhesion if c["check"] == "date"] == [True]


def test_reconcile_reports_a_disagreement(built_store):
    from pvd_kg.extract.reconcile import reconcile_documents

    doc = run("22-ambert-ort")
    doc["events"][0]["date"]["value"] = "2021-07-01"  # the ORT table says 2020-07-01
    reconcile_documents([doc], built_store)
    (check,) = [c for c in doc["events"][0]["reconciliation"] if c["check"] == "date"]
    assert check["agrees"] is False and "contradicts dgaln-ort-2024: 2020-07-01" in check["message"]
    assert problems(doc) == []


def test_cli_reconcile_reads_the_embedded_store(tmp_path):
    from pvd_kg import paths as P

    store = tmp_path / "store"
    for path in [P.ONTOLOGY_FILE, *sorted(P.GRAPH_DIR.glob("*.ttl"))]:
        base = subprocess.run([sys.executable, "-m", "pvd_kg.cli", "load", "--no-validate", "--store", str(store),
                               "--graph", f"https://w3id.org/pvd-kg/graph/{path.stem}", str(path)],
                              capture_output=True, text=True)
        assert base.returncode == 0, base.stderr
    res = cli(DATA / "12-libercourt-ort-oignies.txt", "--reconcile", "--store", store)
    assert res.returncode == 0, res.stderr
    checks = json.loads(res.stdout)["events"][0]["reconciliation"]
    assert {c.get("insee"): c["agrees"] for c in checks if c["check"] == "lists"} == {"62907": True, "62637": False}
    # the curated graph dates that one act twice (« Le 18 janvier », « En janvier 2023 »): both agree
    assert [(c["source"], c["agrees"]) for c in checks if c["check"] == "date"] == [("libercourt", True)] * 2


def test_the_place_is_kept_as_written_with_its_code():
    (event,) = run("05-carentan-outlet-a")["events"]
    assert event["place"]["as_written"] == "Carentan-les-Marais" and event["place"]["insee"] == "50099"
