// The programme map: every PVD commune as a point, filterable by région and département.
(function () {
  "use strict";
  var el = document.getElementById("map");
  // fractional zoom: France fills the frame instead of the largest whole zoom level that fits
  var map = L.map(el, { zoomAnimation: false, fadeAnimation: false, zoomSnap: 0.1, zoomDelta: 0.5 })
    .setView([46.6, 2.4], 6);
  var regionSel = document.getElementById("filter-region");
  var depSel = document.getElementById("filter-departement");
  var count = document.getElementById("map-count");
  var features = [];
  var layer = L.layerGroup().addTo(map);
  function options(sel, pairs) {
    var first = sel.options[0];
    sel.innerHTML = "";
    sel.appendChild(first);
    pairs.forEach(function (p) { var o = document.createElement("option"); o.value = p[0]; o.textContent = p[1]; sel.appendChild(o); });
  }
  function uniq(key, label, filter) {
    var seen = {};
    features.forEach(function (f) {
      var p = f.properties;
      if (p[key] && (!filter || filter(p))) seen[p[key]] = (p[label] || p[key]);
    });
    return Object.keys(seen).sort().map(function (k) { return [k, k + " — " + seen[k]]; });
  }
  function popup(p) {  // built as nodes: a label is data, never markup
    var box = document.createElement("span"), a = document.createElement("a");
    a.href = p.href;
    a.textContent = p.label;
    box.appendChild(a);
    box.appendChild(document.createTextNode(" (" + p.code + ")"));
    return box;
  }
  function draw() {
    layer.clearLayers();
    var reg = regionSel.value, dep = depSel.value, n = 0, bounds = L.latLngBounds([]);
    features.forEach(function (f) {
      var p = f.properties;
      if ((reg && p.region !== reg) || (dep && p.departement !== dep)) return;
      var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      var approx = p.point_from === "departement";
      // small and see-through: 1,600 points over France stay distinct where they crowd
      L.circleMarker(ll, { radius: 2.5, weight: 0.6, opacity: 0.8, color: "#0b5fa5",
                           fillColor: approx ? "#ffffff" : "#0b5fa5", fillOpacity: approx ? 0.8 : 0.45 })
        .bindPopup(popup(p)).addTo(layer);
      bounds.extend(ll);  // overseas points sit on their insets next to metropolitan France
      n += 1;
    });
    count.textContent = n + " communes";
    el.dataset.count = String(n);
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 10, animate: false });
  }
  regionSel.addEventListener("change", function () {
    var reg = regionSel.value;
    options(depSel, uniq("departement", "departement_label", function (p) { return !reg || p.region === reg; }));
    draw();
  });
  depSel.addEventListener("change", draw);
  fetch(el.dataset.background).then(function (r) { return r.json(); }).then(function (gj) {
    L.geoJSON(gj, { interactive: false, style: { color: "#8a97a6", weight: 1, fillColor: "#ffffff", fillOpacity: 0.6 } })
      .addTo(map).bringToBack();
  });
  fetch(el.dataset.source).then(function (r) { return r.json(); }).then(function (gj) {
    features = gj.features;
    options(regionSel, uniq("region", "region_label"));
    options(depSel, uniq("departement", "departement_label"));
    draw();
    el.dataset.ready = "true";
  });
})();
