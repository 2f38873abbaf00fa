"""PNG pictures: network drawings (pvd_kg.analysis.drawing) and charts (pvd_kg.analysis.charts).

Each picture is written to tests/artifacts/ (gitignored) so that a person can look at it, then
read back and checked: expected size, not blank (many non-background pixels, several colours).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.image as mpimg
import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner

from pvd_kg import iris
from pvd_kg.analysis import NETWORKS, build_network
import matplotlib.pyplot as plt
from matplotlib.transforms import Bbox

from pvd_kg.analysis.charts import (chart, departement_map, load_departements, map_figure, signings_per_month,
                                    timeline_chart, timeline_figure)
from pvd_kg.analysis.drawing import KIND_COLOURS, draw_network, network_figure, sample
from pvd_kg.analysis.metrics import departements_pvd
from pvd_kg.cli import cli
from pvd_kg.errors import InputError
from pvd_kg.paths import SOURCES_DIR
from pvd_kg.store import MemoryStore

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _pixels(path: Path) -> np.ndarray:
    """The RGB pixels as 0-255 integers."""
    img = mpimg.imread(path)
    return np.round(img[..., :3] * 255).astype(int)


def _check_picture(path: Path, width: int, height: int, min_colours: int = 5, min_inked: float = 0.01) -> np.ndarray:
    rgb = _pixels(path)
    assert rgb.shape[:2] == (height, width)
    inked = (rgb < 245).any(axis=2).mean()  # anything but white / near-white background
    assert inked > min_inked, f"{path.name} is nearly blank ({inked:.2%} inked)"
    colours = {tuple(p) for p in rgb.reshape(-1, 3)[::7]}
    assert len(colours) >= min_colours, f"{path.name} has only {len(colours)} colours"
    return rgb


def _has_colour(rgb: np.ndarray, hex_colour: str, at_least: int = 50) -> bool:
    target = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb - target).sum(axis=2) <= 6).sum()) >= at_least


@pytest.mark.parametrize("kind", NETWORKS)
def test_network_pictures(small, artifacts, kind):
    g = build_network(small, kind)
    path = artifacts / f"network-{kind}.png"
    draw_network(g, path)
    rgb = _check_picture(path, 1200, 900)
    for k in {d["kind"] for _, d in g.nodes(data=True)}:  # every kind's colour is drawn
        assert _has_colour(rgb, KIND_COLOURS[k]), k


def test_libercourt_signing_picture(libercourt, artifacts):
    g = build_network(libercourt, "signing", signing=str(iris.signing("ort", "62907")))
    path = artifacts / "libercourt-signing.png"
    draw_network(g, path)
    rgb = _check_picture(path, 1200, 900)
    assert _has_colour(rgb, KIND_COLOURS["signing"]) and _has_colour(rgb, KIND_COLOURS["person"])


def test_large_network_is_sampled(artifacts):
    g = nx.barabasi_albert_graph(400, 2, seed=1)
    nx.set_node_attributes(g, "person", "kind")
    h, note = sample(g)
    hub = max(g.degree, key=lambda nd: nd[1])[0]
    assert len(h) == 60 and note == f"showing 60 of 400 nodes: the neighbourhood of {hub}"
    assert set(g[hub]) <= set(h)  # the hub and all its neighbours
    path = artifacts / "network-large-sampled.png"
    draw_network(g, path, title="A random network of 400 nodes")
    _check_picture(path, 1200, 900)


def test_empty_network_still_draws(artifacts):
    path = artifacts / "network-empty.png"
    draw_network(nx.Graph(name="empty"), path)
    _check_picture(path, 1200, 900, min_colours=2, min_inked=0.001)  # the title and a sentence


def test_timeline(small, artifacts):
    table = signings_per_month(small)
    # S1 (2021-03-15) and S2 (2021-03) adhésions; S3 opérationnelle dated "2022", month from
    # its inference (2022-06-01); S4 ORT 2022-06-30; S6 ORT 2023-02-10; S5 "--09-01" has no year.
    assert [(r["month"], r["kind"], r["signings"], r["inferred"]) for r in table] == [
        ("2021-03", "Convention d'adhésion PVD", 2, 0),
        ("2022-06", "Convention d'ORT", 1, 0),
        ("2022-06", "Convention opérationnelle PVD", 1, 1),
        ("2023-02", "Convention d'ORT", 1, 0)]
    assert table.note == "1 of 6 signings have no date precise to the month and are not shown"
    path = artifacts / "chart-timeline.png"
    timeline_chart(small, path)
    rgb = _check_picture(path, 1200, 700)
    assert _has_colour(rgb, "#1f77b4", 500) and _has_colour(rgb, "#ff7f0e", 500)  # adhésion, opérationnelle bars


def test_libercourt_timeline(libercourt, artifacts):
    table = timeline_chart(libercourt, artifacts / "libercourt-timeline.png")
    assert [(r["month"], r["signings"], r["inferred"]) for r in table] == [
        ("2021-07", 1, 0), ("2023-01", 1, 0)]  # the convention-cadre valant ORT: one signing
    _check_picture(artifacts / "libercourt-timeline.png", 1200, 700)


def test_departement_map(small, artifacts):
    path = artifacts / "chart-map.png"
    table = departement_map(small, path)
    assert {r["code"]: r["pvd_communes"] for r in table} == {"01": 2, "02": 1}
    rgb = _check_picture(path, 1000, 1000)
    # Two coloured départements: two distinct YlOrRd fills besides the white of the others.
    ylorrd = [(int(r * 255), int(g * 255), int(b * 255)) for r, g, b, _ in
              __import__("matplotlib").colormaps["YlOrRd"](np.linspace(0, 1, 256))]
    fills = {c for c in ylorrd if _has_colour(rgb, "#%02x%02x%02x" % c, 400)}
    assert len(fills) >= 2


def test_map_geometry_is_shipped():
    deps = load_departements(SOURCES_DIR / "departements.geojson")
    codes = {d["code"] for d in deps}
    assert {"01", "2A", "2B", "971", "974", "976"} <= codes and len(codes) == 101
    with pytest.raises(InputError, match="no département geometry"):
        load_departements(SOURCES_DIR / "nope.geojson")


def test_cli_chart_and_png_network(tmp_path):
    runner = CliRunner()
    out = tmp_path / "timeline.png"
    res = runner.invoke(cli, ["chart", "timeline", "--from", "curated", "-o", str(out)])
    assert res.exit_code == 0, res.output
    _check_picture(out, 1200, 700)
    out = tmp_path / "cosig.png"
    res = runner.invoke(cli, ["network", "cosignature", "--from", "curated", "-o", str(out)])
    assert res.exit_code == 0 and "nodes" in res.stderr
    _check_picture(out, 1200, 900)
    with pytest.raises(InputError, match="unknown chart"):
        chart(MemoryStore(), "pie", tmp_path / "x.png")


def test_bipartite_sample_keeps_every_programme_and_combination():
    g = nx.Graph(name="programmes")
    g.add_nodes_from("XYZ", bipartite=1)
    for i in range(300):
        g.add_node(i, bipartite=0)
        g.add_edge(i, "X")
    for i in range(300, 310):
        g.add_node(i, bipartite=0)
        g.add_edges_from([(i, "X"), (i, "Y")])
    g.add_node(999, bipartite=0)
    g.add_edge(999, "Z")
    h, note = sample(g, 20)
    # 17 places shared 300 : 10 : 1 -> 16, 1 (rounded up from 0.55) and 1 (at least one).
    assert set("XYZ") <= set(h) and 999 in h and len(set(range(300, 310)) & set(h)) == 1 and len(h) == 21
    assert note.startswith("showing 21 of 314 nodes: every programme")


def _text_boxes(fig, ax) -> list:
    """The display bounding boxes of the texts drawn in ``ax`` (labels, counts), with their text."""
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]


def test_timeline_tallest_bar_has_headroom():
    table = signings_per_month(store_of_months({"2021-05": 300, "2021-06": 12}))
    fig = timeline_figure(table)
    try:
        ax = fig.axes[0]
        tallest = max(p.get_y() + p.get_height() for p in ax.patches)
        assert tallest == 300
        assert tallest <= 0.92 * ax.get_ylim()[1], ax.get_ylim()  # the bar stops short of the frame
    finally:
        plt.close(fig)


def store_of_months(per_month: dict) -> MemoryStore:
    """A store of adhésion signings: ``per_month`` maps ``YYYY-MM`` to how many."""
    from rdflib import Dataset, Literal, RDF, URIRef, XSD

    from pvd_kg.vocab import PVD

    ds = Dataset()
    g = ds.graph(iris.graph("months"))
    for month, n in per_month.items():
        for i in range(n):
            s, c = (URIRef(f"https://w3id.org/pvd-kg/id/{k}/{month}-{i}") for k in ("signing", "convention"))
            g.add((s, PVD.signed, c))
            g.add((s, PVD.date, Literal(f"{month}-01", datatype=XSD.date)))
            g.add((c, RDF.type, PVD.AdhesionConvention))
    return MemoryStore.from_dataset(ds)


def test_map_draws_ile_de_france_in_an_inset_clear_of_the_mainland(small):
    deps = load_departements(SOURCES_DIR / "departements.geojson")
    fig = map_figure(departements_pvd(small), deps)
    try:
        fig.canvas.draw()
        insets = [a for a in fig.axes if a.get_title() == "Île-de-France"]
        assert len(insets) == 1
        inset = insets[0]
        (x0, x1), (y0, y1) = inset.get_xlim(), inset.get_ylim()
        assert x0 < 2.35 < x1 and y0 < 48.86 < y1 and x1 - x0 < 3  # Paris, close up
        main = fig.axes[0]
        box = inset.get_window_extent()
        for d in deps:
            if d["code"].startswith("97"):
                continue
            for ring in d["rings"]:
                pts = main.transData.transform(ring)
                assert not box.overlaps(Bbox([pts.min(0), pts.max(0)])), d["code"]
    finally:
        plt.close(fig)


def _hierarchy(epcis: int = 16, communes: int = 40) -> nx.DiGraph:
    """A hierarchy like a crowded département's: long EPCI names, many communes."""
    g = nx.DiGraph(name="hierarchy")
    g.add_node("r", kind="region", label="Bretagne")
    for d in ("d1", "d2"):
        g.add_node(d, kind="departement", label={"d1": "Finistère", "d2": "Ille-et-Vilaine"}[d])
        g.add_edge(d, "r")
    for e in range(epcis):
        g.add_node(f"e{e}", kind="epci", label=f"CC Communauté du Pays de Quimperlé Nord {e}")
        g.add_edge(f"e{e}", "d1")
    for c in range(communes):
        g.add_node(f"c{c}", kind="commune", label=f"Saint-Commune-{c}")
        g.add_edge(f"c{c}", f"e{c % epcis}")
    return g


def test_hierarchy_labels_are_whole_and_do_not_overlap():
    g = _hierarchy()
    fig = network_figure(g)
    try:
        fig.canvas.draw()
        ax = fig.axes[0]
        boxes = _text_boxes(fig, ax)
        texts = {t.replace("\n", " ") for t, _ in boxes}
        assert {d["label"] for _, d in g.nodes(data=True)} <= texts  # no name cut
        for i, (ta, a) in enumerate(boxes):
            for tb, b in boxes[i + 1:]:
                assert not a.overlaps(b), (ta, tb)
        frame = fig.bbox
        assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
                   for _, b in boxes)
    finally:
        plt.close(fig)


def test_programmes_sample_spans_the_alphabet():
    g = nx.Graph(name="programmes")
    g.add_node("P", bipartite=1, kind="programme", label="Petites villes de demain")
    letters = "ABCDEFGHIJKLMNOPRSTV"
    for i in range(400):
        name = f"{letters[i % len(letters)]}ville-{i}"
        g.add_node(name, bipartite=0, kind="commune", label=name)
        g.add_edge(name, "P")
    h, _ = sample(g, 21)
    firsts = sorted({str(d["label"])[0] for n, d in h.nodes(data=True) if d["bipartite"] == 0})
    assert len(firsts) >= 15, firsts
    assert sample(g, 21)[0].nodes == h.nodes  # deterministic
