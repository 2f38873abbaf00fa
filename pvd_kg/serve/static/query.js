// The query page: YASGUI against the server's own endpoint, with the query catalog as examples.
(function () {
  "use strict";
  var cfg = window.PVD;
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
