// A commune's page: its département and EPCI outlines (shipped GeoJSON, no tiles) and its point.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var map = L.map(el, { zoomSnap: 0.25, zoomAnimation: false, fadeAnimation: false }).setView([46.6, 2.4], 5);  // vector layers need a view first
  var styles = {
    departement: { color: "#0b5fa5", weight: 2, fillOpacity: 0.05 },
    epci: { color: "#d9480f", weight: 2, fillOpacity: 0.15 },
  };
  var layers = JSON.parse(el.dataset.layers || "[]");
  var point = JSON.parse(el.dataset.point || "null");
  var bounds = L.latLngBounds([]);
  var pending = layers.length;
  function done() {
    if (point) {
      var marker = L.circleMarker([point[1], point[0]], { radius: 7, color: "#1d2733", fillColor: "#ffd43b", fillOpacity: 1 })
        .bindTooltip(document.createTextNode(el.dataset.label || "")).addTo(map);  // a label is text, never markup
      bounds.extend(marker.getLatLng());
    }
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], animate: false });
    else map.setView([46.6, 2.4], 5);
    el.dataset.ready = "true";
  }
  if (!pending) done();
  layers.forEach(function (layer) {
    fetch(layer.url).then(function (r) { return r.json(); }).then(function (gj) {
      var l = L.geoJSON(gj, { style: styles[layer.kind] }).addTo(map);
      l.eachLayer(function (f) { f.bindTooltip(f.feature.properties.lib_epci || f.feature.properties.lib_dep || ""); });
      bounds.extend(l.getBounds());
    }).finally(function () { pending -= 1; if (!pending) done(); });
  });
})();
