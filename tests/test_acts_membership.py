"""Acts and membership on the whole built graph (docs/decisions/0005-acts-and-membership.md):
the ORT membership follows the table's status, an ORT shared by several communes ("Même ORT
que") is one act, a commune that left the PVD list says so, and the catalog says which list it
counts. Expected figures come from the CSV files with the csv module."""

from __future__ import annotations

from collections import Counter

from pvd_kg import iris, queries
from test_queries_programme import rows, store  # noqa: F401  (the built graph, the CSV rows)

ORT = "https://w3id.org/pvd-kg/id/programme/ort"


def select(store, text):
    return [{k: str(v) for k, v in r.items()} for r in store.query(queries.with_prologue(text)).dicts()]


def answer(store, name, **params):
    return [{k: str(v) for k, v in r.items()} for r in queries.run(name, store, params).dicts()]


def test_ort_membership_follows_the_status(store):
    table = rows("dgaln-ort-2024")
    signed = {r["Code commune"] for r in table if r["Signée ?"] == "Signée"}
    members = {r["c"].rsplit("/", 1)[1] for r in select(store, f"SELECT DISTINCT ?c WHERE {{ ?c pvd:inProgramme <{ORT}> }}")}
    assert members == signed and len(table) - len(signed) == 394  # 394 not signed, in progress or blank
    states = Counter()
    for r in select(store, f"""SELECT ?sel ?state WHERE {{ GRAPH <{iris.graph('dgaln-ort-2024')}> {{
                                  ?sel pvd:programme <{ORT}> ; pvd:membershipState ?state }} }}"""):
        states[r["state"].rsplit("/", 1)[1]] += 1
    status = Counter(r["Signée ?"] for r in table)
    assert states == {"signed": status["Signée"], "not-signed": status["Non signée"], "in-progress": status["En cours"],
                      "no-status": status[""]}


def test_a_shared_ort_is_one_act_and_its_old_iris_stay(store):
    def concerned(insee):
        return {r["c"].rsplit("/", 1)[1] for r in select(
            store, f"SELECT ?c WHERE {{ <{iris.convention('ort', insee)}> pvd:concerns ?c }}")}

    # "Même ORT que Bagnols-sur-Cèze", same day: one act, one signing, both rows its sources
    assert concerned("30028") == {"30028", "30202"}
    assert concerned("09167") == {"09167", "09105", "09124", "09181"}  # three "Même ORT que Lézat-sur-Lèze"
    for old, new in (("30202", "30028"), ("09105", "09167")):
        assert store.query(queries.with_prologue(
            f"ASK {{ <{iris.convention('ort', old)}> owl:sameAs <{iris.convention('ort', new)}> }}")).boolean
        assert not select(store, f"SELECT ?t WHERE {{ <{iris.convention('ort', old)}> a ?t }}")
        assert select(store, f"SELECT ?s WHERE {{ <{iris.signing('ort', old)}> owl:sameAs ?s }}") == [
            {"s": str(iris.signing("ort", new))}]
    # "Même ORT qu'Avignon", signed on another day: the commune is in Avignon's act, its row an amendment
    assert concerned("84007") == {"84007", "30221"}
    amendment = select(store, f"SELECT ?t ?act WHERE {{ <{iris.convention('ort', '30221')}> a ?t ; pvd:amends ?act }}")
    assert amendment == [{"t": "https://w3id.org/pvd-kg/def#Amendment", "act": str(iris.convention("ort", "84007"))}]
    kinds = {r["kind"].rsplit("#", 1)[1]: int(r["conventions"]) for r in answer(store, "conventions-by-kind")}
    assert kinds["ORTConvention"] == len(rows("dgaln-ort-2024")) - 6 and kinds["Amendment"] == 2


def test_a_commune_that_left_the_pvd_list_says_so(store):
    old = {r["insee_com"] for r in rows("anct-pvd-2021")}
    new = {r["insee_com"] for r in rows("anct-pvd-2026")}
    left = select(store, f"""SELECT ?sel WHERE {{ GRAPH <{iris.graph('anct-pvd-2026')}> {{
        ?sel pvd:membershipState <https://w3id.org/pvd-kg/id/membership/left> }} }}""")
    assert {r["sel"].rsplit("/", 1)[1] for r in left} == {c for c in old - new if c in {
        r["insee_com"] for r in rows("anct-pvd-2021") if len(r["insee_com"]) == 5}}
    assert len(left) == 18


def test_counts_say_which_list_and_take_it_as_a_parameter(store):
    def pas_de_calais(name, **params):
        key = "departementCode" if name == "pvd-coverage" else "code"
        return next(int(r["communes"]) for r in answer(store, name, **params) if r[key] == "62")

    for name in ("communes-by-departement", "pvd-coverage"):
        assert pas_de_calais(name) == 22
        assert pas_de_calais(name, list="anct-pvd-2021") == 18
        assert pas_de_calais(name, list="anct-pvd-2026") == 22
    for name in ("communes-by-departement", "communes-by-region", "communes-by-epci", "pvd-coverage"):
        q = queries.get(name)
        assert "list" in {p.name for p in q.params}, name
        assert "union" in q.title.lower() or "both" in q.title.lower(), name
        assert "UNION of" in q.description, name
    # the ORT counts only signed ORTs
    signed_62 = {r["Code commune"] for r in rows("dgaln-ort-2024")
                 if r["Signée ?"] == "Signée" and r["Code commune"].startswith("62")}
    assert pas_de_calais("communes-by-departement", programme="ort") == len(signed_62)


def test_an_empty_answer_says_why(store):
    assert answer(store, "pvd-and-acv") == []
    description = queries.get("pvd-and-acv").description
    assert "EMPTY" in description and "disjoint" in description


def test_delays_flag_shared_orts(store):
    got = {r["insee"]: r for r in answer(store, "adhesion-to-ort-delay")}
    negative = [r for r in got.values() if int(r["months"]) < 0]
    assert len(negative) == 82 and all(r["sharedORT"] in ("true", "false") for r in negative)
    assert (got["30202"]["sharedORT"], got["30202"]["ortCommunes"], got["30202"]["ortDate"]) == ("true", "2", "2019-07-24")
    # Roquemaure entered Avignon's ORT by its own signing: its day, not Avignon's 2021-07-06
    assert (got["30221"]["sharedORT"], got["30221"]["ortDate"]) == ("true", "2023-11-13")
    assert got["62907"]["sharedORT"] == "false"
    assert sum(r["remarkSaysShared"] == "true" for r in negative) >= 18


def test_an_old_convention_iri_still_resolves(tmp_path, whole_nquads):
    """The IRI a joined row minted before (id:convention/ort/30202) redirects, permanently, to the
    act it is now one commune of, on a real ``pvd-kg serve`` over the ORT table's built graph."""
    import requests
    from serve_server import build_store, running_server

    graph = f"<{iris.graph('dgaln-ort-2024')}> ."
    lines = [line[: -len(graph)] + "." for line in whole_nquads.decode().splitlines() if line.endswith(graph)]
    nt = tmp_path / "ort.nt"
    nt.write_text("\n".join(lines) + "\n", encoding="utf-8")
    old, new = iris.convention("ort", "30202"), iris.convention("ort", "30028")
    path = str(old).replace("https://w3id.org/pvd-kg", "")
    with running_server(build_store(tmp_path / "store", graphs={str(iris.graph("dgaln-ort-2024")): nt}),
                        log_dir=tmp_path) as srv:
        r = requests.get(srv(path), headers={"Accept": "text/turtle"}, allow_redirects=False, timeout=60)
        assert r.status_code == 301 and r.headers["location"].endswith("/id/convention/ort/30028")
        r = requests.get(srv(path + ".ttl"), allow_redirects=False, timeout=60)
        assert r.status_code == 301 and r.headers["location"].endswith("/id/convention/ort/30028.ttl")
        doc = requests.get(srv(path), headers={"Accept": "text/turtle"}, timeout=60)
        from rdflib import Graph
        from pvd_kg.vocab import PVD

        assert doc.status_code == 200
        assert (new, PVD.concerns, iris.commune("30202")) in Graph().parse(data=doc.text, format="turtle")


def test_a_convention_cadre_valant_ort_is_one_act_of_both_kinds(store):
    """Where the ORT table's remark says the ORT it dates is a PVD convention-cadre valant ORT, the
    act is both kinds, in both programmes, under both rules; read from the table, for every commune."""
    def kinds(insee):
        return {r["t"].rsplit("#", 1)[1] for r in select(
            store, f"SELECT ?t WHERE {{ <{iris.convention('ort', insee)}> a ?t }}")}

    def programmes(insee):
        return {r["p"].rsplit("/", 1)[1] for r in select(
            store, f"SELECT ?p WHERE {{ <{iris.convention('ort', insee)}> pvd:programme ?p }}")}

    both = {"OperationalConvention", "ORTConvention"}
    # "Convention PVD Valant ORT" (Viarmes); "Convention cadre valant ORT signée le 12 janvier 2023",
    # the row's day (Condat); a press page's convention-cadre valant ORT (Mirande); Libercourt's
    # curated reading
    for insee in ("95652", "15054", "32256", "62907"):
        assert kinds(insee) == both and programmes(insee) == {"pvd", "ort"}, insee
    rules = {r["r"].rsplit("/", 1)[1] for r in select(
        store, f"SELECT ?r WHERE {{ <{iris.convention('ort', '95652')}> pvd:partyRule ?r }}")}
    assert rules == {"pvd-convention-cadre", "ort"}
    # not the act the row dates: signed on another day (Loches), "ne valant pas ORT" (unsigned),
    # still "en cours de signature", an ACV avenant valant ORT
    for insee in ("37020", "85070", "11076", "97412"):
        assert kinds(insee) <= {"ORTConvention"} and programmes(insee) == {"ort"}, insee
    counted = {r["kind"].rsplit("#", 1)[1]: int(r["conventions"]) for r in answer(store, "conventions-by-kind")}
    assert counted["OperationalConvention"] > 60  # the table's 50 rows, the press pages, Libercourt
