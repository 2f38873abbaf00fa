// The analysis page's network: node-link JSON (/analysis/network/KIND.json) drawn as SVG with a
// small force layout (Fruchterman-Reingold), no library. A graph of more than MAX nodes is cut
// to the neighbourhood of its best-connected node, as the PNG pictures are.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var W = 1100, H = 640, MAX = 150, LABELLED = 60, LEFT = 150;  // LEFT: the legend's column
  // the palette of pvd_kg/analysis/drawing.py, so the browser and the PNG agree
  var COLOURS = {
    signing: "#d62728", convention: "#ff7f0e", person: "#1f77b4", post: "#aec7e8",
    commune: "#2ca02c", epci: "#98df8a", departement: "#9467bd", region: "#c5b0d5",
    "state-service": "#8c564b", agency: "#c49c94", "financial-institution": "#e377c2",
    "social-landlord": "#f7b6d2", organisation: "#7f7f7f", programme: "#bcbd22", other: "#c7c7c7"
  };
  var TIES = { signatory: "#b2182b", attendance: "#7f7f7f", party: "#4d9221" };
  var el = document.getElementById("network");
  var select = document.getElementById("network-kind");
  var caption = document.getElementById("network-caption");

  function make(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  // an IRI of ours -> its page here; another http(s) IRI -> itself; anything else (javascript:,
  // data:, file:...) -> null, never followed (as pvd_kg/serve/urls.py, Urls.href)
  function pageFor(iri) {
    var base = el.dataset.iriBase;
    if (iri && iri.indexOf(base) === 0) return el.dataset.siteRoot + iri.slice(base.length);
    return /^https?:/i.test(iri || "") ? iri : null;
  }

  // Above MAX nodes, keep the neighbourhood of the best-connected node, breadth first (best
  // connected neighbours first), within its component, as the PNG pictures do (drawing.sample).
  function cut(doc) {
    var degree = {}, around = {}, byId = {}, rank = {};
    doc.nodes.forEach(function (n, i) { degree[n.id] = 0; around[n.id] = []; byId[n.id] = n; rank[n.id] = i; });
    doc.links.forEach(function (l) {
      degree[l.source] += 1; degree[l.target] += 1;
      around[l.source].push(l.target); around[l.target].push(l.source);
    });
    var better = function (a, b) { return (degree[b] - degree[a]) || (rank[a] - rank[b]); };
    var nodes = doc.nodes, hub = null;
    if (nodes.length > MAX) {
      hub = doc.nodes.map(function (n) { return n.id; }).sort(better)[0];
      var seen = {}, queue = [hub], kept = [];
      seen[hub] = true;
      while (queue.length && kept.length < MAX) {
        var id = queue.shift();
        kept.push(byId[id]);
        around[id].slice().sort(better).forEach(function (m) { if (!seen[m]) { seen[m] = true; queue.push(m); } });
      }
      nodes = kept;
    }
    var keep = {};
    nodes.forEach(function (n) { keep[n.id] = true; });
    var links = doc.links.filter(function (l) { return keep[l.source] && keep[l.target]; });
    return { nodes: nodes, links: links, degree: degree, hub: hub && (byId[hub].label || hub) };
  }

  // Fruchterman-Reingold in free space (weak gravity holds components together), then the
  // drawing is scaled to fit the canvas right of the legend.
  function layout(nodes, links) {
    var n = nodes.length, k = Math.sqrt((W * H) / Math.max(n, 1)) * 0.5;
    var index = {};
    nodes.forEach(function (d, i) {
      index[d.id] = i;
      var a = 2 * Math.PI * i / Math.max(n, 1), r = Math.min(W, H) * 0.35;
      d.x = W / 2 + r * Math.cos(a); d.y = H / 2 + r * Math.sin(a);
    });
    var temp = W / 10;
    for (var it = 0; it < 300; it++) {
      var dx = new Float64Array(n), dy = new Float64Array(n);
      for (var i = 0; i < n; i++) {
        for (var j = i + 1; j < n; j++) {
          var x = nodes[i].x - nodes[j].x, y = nodes[i].y - nodes[j].y;
          var d2 = Math.max(x * x + y * y, 0.01), f = k * k / d2;
          dx[i] += x * f; dy[i] += y * f; dx[j] -= x * f; dy[j] -= y * f;
        }
      }
      links.forEach(function (l) {
        var a = index[l.source], b = index[l.target];
        if (a === b) return;
        var x = nodes[a].x - nodes[b].x, y = nodes[a].y - nodes[b].y;
        var d = Math.max(Math.sqrt(x * x + y * y), 0.1), f = d / k;
        dx[a] -= x * f; dy[a] -= y * f; dx[b] += x * f; dy[b] += y * f;
      });
      for (i = 0; i < n; i++) {
        dx[i] += (W / 2 - nodes[i].x) * 0.05; dy[i] += (H / 2 - nodes[i].y) * 0.05;
        var len = Math.max(Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]), 0.01), step = Math.min(len, temp);
        nodes[i].x += dx[i] / len * step; nodes[i].y += dy[i] / len * step;
      }
      temp = Math.max(temp * 0.98, 0.5);
    }
    var box = { x0: LEFT + 60, x1: W - 110, y0: 30, y1: H - 40 };  // room for the labels
    var xs = nodes.map(function (d) { return d.x; }), ys = nodes.map(function (d) { return d.y; });
    var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs);
    var minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
    nodes.forEach(function (d) {
      d.x = maxX > minX ? box.x0 + (d.x - minX) / (maxX - minX) * (box.x1 - box.x0) : (box.x0 + box.x1) / 2;
      d.y = maxY > minY ? box.y0 + (d.y - minY) / (maxY - minY) * (box.y1 - box.y0) : (box.y0 + box.y1) / 2;
    });
    return index;
  }

  function draw(doc) {
    var cutDoc = cut(doc), nodes = cutDoc.nodes, links = cutDoc.links, degree = cutDoc.degree;
    var index = layout(nodes, links);
    el.innerHTML = "";
    var svg = make("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", role: "img",
                            "aria-label": "network " + (doc.graph.name || "") }, el);
    var defs = make("defs", {}, svg);
    var marker = make("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "9",
                                  markerHeight: "9", markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" }, defs);
    make("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#888" }, marker);
    var top = 1;
    nodes.forEach(function (d) { top = Math.max(top, degree[d.id]); });
    var radius = function (d) { return 5 + 11 * Math.sqrt(degree[d.id] / top); };
    var weights = links.map(function (l) { return l.weight || 1; });
    var wmax = Math.max.apply(null, weights.concat([1]));
    var lines = links.map(function (l) {
      var a = nodes[index[l.source]], b = nodes[index[l.target]];
      var line = make("line", { "class": "link", stroke: TIES[l.relation] || "#999",
                                "stroke-width": String(1 + 3 * (l.weight || 1) / wmax), "stroke-opacity": "0.7" }, svg);
      if (l.relation === "attendance") line.setAttribute("stroke-dasharray", "5 4");
      if (doc.directed) line.setAttribute("marker-end", "url(#arrow)");
      make("title", {}, line).textContent = (l.relation || "") + (l.weight ? " (" + l.weight + ")" : "");
      return { line: line, a: a, b: b };
    });
    function place(e) {
      var x = e.b.x - e.a.x, y = e.b.y - e.a.y, d = Math.max(Math.sqrt(x * x + y * y), 0.1);
      var rb = doc.directed ? radius(e.b) + 2 : 0;
      e.line.setAttribute("x1", e.a.x); e.line.setAttribute("y1", e.a.y);
      e.line.setAttribute("x2", e.b.x - x / d * rb); e.line.setAttribute("y2", e.b.y - y / d * rb);
    }
    lines.forEach(place);
    var kinds = {};
    nodes.forEach(function (d) {
      var kind = d.kind || "other";
      kinds[kind] = true;
      var g = make("g", { "class": "node-group" }, svg);
      var c = make("circle", { "class": "node", cx: d.x, cy: d.y, r: radius(d), fill: COLOURS[kind] || COLOURS.other,
                               stroke: "#333", "stroke-width": "0.8", "data-kind": kind, "data-id": d.id }, g);
      make("title", {}, c).textContent = (d.label || d.id) + " — " + kind + " — degree " + degree[d.id];
      var t = null;
      if (nodes.length <= LABELLED) {
        t = make("text", { "class": "label", x: d.x, y: d.y + radius(d) + 11, "text-anchor": "middle" }, g);
        t.textContent = (d.label || d.id).length > 34 ? (d.label || d.id).slice(0, 33) + "…" : (d.label || d.id);
      }
      var moved = false, dragging = false;
      c.addEventListener("pointerdown", function (ev) { dragging = true; moved = false; c.setPointerCapture(ev.pointerId); });
      c.addEventListener("pointermove", function (ev) {
        if (!dragging) return;
        var p = svg.createSVGPoint(); p.x = ev.clientX; p.y = ev.clientY;
        var q = p.matrixTransform(svg.getScreenCTM().inverse());
        d.x = q.x; d.y = q.y; moved = true;
        c.setAttribute("cx", d.x); c.setAttribute("cy", d.y);
        if (t) { t.setAttribute("x", d.x); t.setAttribute("y", d.y + radius(d) + 11); }
        lines.forEach(function (e) { if (e.a === d || e.b === d) place(e); });
      });
      c.addEventListener("pointerup", function () {
        dragging = false;
        if (!moved && pageFor(d.iri)) window.location.href = pageFor(d.iri);
      });
    });
    var legend = make("g", { "class": "legend" }, svg);
    Object.keys(kinds).sort().forEach(function (kind, i) {
      make("circle", { cx: 12, cy: 14 + i * 18, r: 6, fill: COLOURS[kind] || COLOURS.other, stroke: "#333" }, legend);
      make("text", { x: 24, y: 18 + i * 18 }, legend).textContent = kind;
    });
    var shown = cutDoc.hub
      ? nodes.length + " of " + doc.nodes.length + " nodes shown: the neighbourhood of " + cutDoc.hub + "; "
      : doc.nodes.length + " nodes, ";
    caption.textContent = (doc.graph.title || doc.graph.name || "") + " — " + shown + doc.links.length + " links";
    el.dataset.nodes = String(nodes.length);
    el.dataset.links = String(links.length);
    el.dataset.ready = "true";
  }

  function load(url) {
    el.dataset.ready = "false";
    caption.textContent = "loading…";
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { if (!r.ok) throw new Error(body.error); return body; }); })
      .then(draw)
      .catch(function (err) { caption.textContent = "cannot draw the network: " + err.message; el.dataset.ready = "error"; });
  }

  select.addEventListener("change", function () { load(select.value); });
  load(el.dataset.source);
})();
