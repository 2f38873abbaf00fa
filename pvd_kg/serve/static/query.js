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

  // Plain values in the table: a literal without its quotes, language tag or datatype (kept in
  // the cell's tooltip), a number right-aligned as a number; an IRI of this dataset links to its
  // page on this server.
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|negativeInteger|nonPositiveInteger|unsignedInt|unsignedLong|unsignedShort|unsignedByte)$/;
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  Table.prototype.formatLiteral = function (binding) {
    var tag = binding["xml:lang"] ? "@" + binding["xml:lang"] : binding.datatype ? "^^" + binding.datatype : "";
    var numeric = binding.datatype && NUMERIC.test(binding.datatype) && NUMBER.test(binding.value);
    var text = numeric ? Number(binding.value).toLocaleString("fr-FR") : binding.value;
    return "<span class='" + (numeric ? "value num" : "value") + "'" + (tag ? " title='" + escapeHtml(tag) + "'" : "")
      + ">" + escapeHtml(text) + "</span>";
  };
  var baseLink = Table.prototype.getUriLinkFromBinding;
  Table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
    if (binding.value.indexOf(cfg.base) !== 0) return baseLink.call(this, binding, prefixes);
    var rest = binding.value.slice(cfg.base.length), shown = binding.value;
    Object.keys(prefixes || {}).forEach(function (p) {
      if (binding.value.indexOf(prefixes[p]) === 0 && shown === binding.value) shown = p + ":" + binding.value.slice(prefixes[p].length);
    });
    return "<a class='iri' href='" + escapeHtml(cfg.root + "/" + rest) + "' title='" + escapeHtml(binding.value) + "'>"
      + escapeHtml(shown) + "</a>";
  };

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: cfg.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: cfg.endpoint }]; } },
  });
  var select = document.getElementById("example");
  var describe = document.getElementById("example-description");
  var form = document.getElementById("example-params");
  var problem = document.getElementById("example-error");
  var communes = document.getElementById("commune-list");
  var PICKED = { commune: true, insee: true };  // types a commune of the programme fills
  function current() { return cfg.examples[Number(select.value)]; }

  function loadCommunes() {  // once: every PVD commune of the store, code and name
    if (communes.dataset.loaded) return;
    communes.dataset.loaded = "true";
    fetch(cfg.communes).then(function (r) { return r.json(); }).then(function (gj) {
      gj.features.map(function (f) { return f.properties; })
        .sort(function (a, b) { return a.label.localeCompare(b.label, "fr"); })
        .forEach(function (p) {
          var o = document.createElement("option");
          o.value = p.code;
          o.label = p.label + " (" + p.code + ")";
          o.textContent = o.label;
          communes.appendChild(o);
        });
      communes.dataset.count = String(communes.options.length);
    });
  }

  function showForm(ex) {  // one field a parameter, filled with its default
    form.innerHTML = "";
    form.hidden = !ex || !ex.params.length;
    if (!ex) return;
    ex.params.forEach(function (p) {
      var label = document.createElement("label"), input = document.createElement("input");
      input.name = p.name;
      input.value = p.default || "";
      input.placeholder = p.optional ? "every value when empty" : "";
      input.required = !p.optional && p.default === null;
      if (PICKED[p.type]) { input.setAttribute("list", "commune-list"); loadCommunes(); }
      label.appendChild(document.createTextNode(p.name + " "));
      label.appendChild(input);
      label.title = p.description || "";
      var help = document.createElement("span");
      help.className = "muted";
      help.textContent = " " + (p.description || p.type);
      label.appendChild(help);
      form.appendChild(label);
    });
  }

  function rendered(ex) {  // the question with the form's values, rendered by the server
    var query = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.name && input.value.trim()) query.append(input.name, input.value.trim());
    });
    return fetch(cfg.render + encodeURIComponent(ex.name) + "?" + query.toString(), { headers: { Accept: "text/plain" } })
      .then(function (r) {
        return r.text().then(function (text) {
          if (!r.ok) throw new Error(text.trim());
          return text;
        });
      });
  }

  function fill(ex, run) {
    problem.hidden = true;
    return rendered(ex).then(function (text) {
      var yasqe = yasgui.getTab().getYasqe();
      yasqe.setValue(text);
      if (run) yasqe.query();
    }, function (err) {
      problem.textContent = err.message;
      problem.hidden = false;
    });
  }

  select.addEventListener("change", function () {
    var ex = current();
    showForm(ex);
    if (!ex) return;
    yasgui.getTab().getYasqe().setValue(ex.query);
    describe.textContent = ex.title + (ex.description ? " — " + ex.description : "");
  });
  form.addEventListener("change", function () { var ex = current(); if (ex) fill(ex, false); });
  form.addEventListener("submit", function (e) { e.preventDefault(); var ex = current(); if (ex) fill(ex, true); });
  document.getElementById("run-example").addEventListener("click", function () {
    var ex = current();
    if (ex) fill(ex, true);
    else yasgui.getTab().getYasqe().query();
  });
  window.PVD.yasgui = yasgui;
})();
