// The query page: YASGUI against the server's own endpoint, with the query catalog as examples.
(function () {
  "use strict";
  var cfg = window.PVD;
  var WEB_IRI = /^https?:/i;  // the server's pages follow the same rule (pvd_kg/serve/urls.py, is_web_iri)
  var Table = Yasr.plugins.table;

  // Only an http(s) IRI becomes a link in the results table; javascript:, data:, file: and any
  // other IRI is shown as text.
  var iriLink = Table.prototype.getUriLinkFromBinding;
  Table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
    if (WEB_IRI.test(binding.value)) return iriLink.call(this, binding, prefixes);
    var span = document.createElement("span");
    span.className = "iri-text";
    span.textContent = "<" + binding.value + ">";
    return span.outerHTML;
  };

  // The table's CSV download is built here, in the browser, from the JSON answer: its cells get
  // the same quote prefix as the server's CSV (pvd_kg/results.py, spreadsheet_safe).
  var NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
  function spreadsheetSafe(text) {
    return /^[=+\-@\t\r]/.test(text) && !NUMBER.test(text) ? "'" + text : text;
  }
  function csvCell(text) {
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function safeCsv(results) {
    var doc = results && results.getAsJson();
    if (!doc || !doc.results) return (results && results.asCsv()) || "";
    var vars = doc.head.vars;
    var lines = [vars.map(csvCell).join(",")];
    doc.results.bindings.forEach(function (b) {
      lines.push(vars.map(function (v) {
        if (!b[v]) return "";
        return csvCell(b[v].type === "bnode" ? "_:" + b[v].value : spreadsheetSafe(b[v].value));
      }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }
  var download = Table.prototype.download;
  Table.prototype.download = function (name) {
    var info = download.call(this, name), yasr = this.yasr;
    info.getData = function () { return safeCsv(yasr.results); };
    return info;
  };

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: cfg.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: cfg.endpoint }]; } },
  });
  var select = document.getElementById("example");
  var describe = document.getElementById("example-description");
  function current() { return cfg.examples[Number(select.value)]; }
  select.addEventListener("change", function () {
    var ex = current();
    if (!ex) return;
    yasgui.getTab().getYasqe().setValue(ex.query);
    describe.textContent = ex.title + (ex.description ? " — " + ex.description : "");
  });
  document.getElementById("run-example").addEventListener("click", function () {
    var ex = current();
    if (ex) yasgui.getTab().getYasqe().setValue(ex.query);
    yasgui.getTab().getYasqe().query();
  });
  window.PVD.yasgui = yasgui;
})();
