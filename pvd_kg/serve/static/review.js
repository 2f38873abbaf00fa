// The review page: extract candidates from an article, show their evidence, save what is accepted.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let doc = null;

  function status(text) { $("status").textContent = text; }

  function spans(d) {
    const out = [];
    d.events.forEach((e, i) => {
      const add = (ev, what) => { if (ev) out.push({ start: ev.start, end: ev.end, what, event: i }); };
      add(e.kind_evidence, "kind");
      if (e.date) add(e.date.evidence, "date");
      e.communes.forEach((c) => add(c.evidence, "commune"));
      e.epcis.forEach((c) => add(c.evidence, "epci"));
      e.signatories.forEach((p) => {
        add(p.evidence, "signatory");
        if (p.represented_by) add(p.represented_by.evidence, "signatory");
      });
      e.present.forEach((p) => add(p.evidence, "present"));
    });
    out.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept = [];
    let last = -1;
    for (const s of out) { if (s.start >= last) { kept.push(s); last = s.end; } }
    return kept;
  }

  function renderText(d) {
    const box = $("text");
    box.textContent = "";
    let at = 0;
    for (const s of spans(d)) {
      box.append(document.createTextNode(d.text.slice(at, s.start)));
      const mark = document.createElement("mark");
      mark.className = "ev-" + s.what;
      mark.dataset.start = s.start;
      mark.dataset.end = s.end;
      mark.title = s.what;
      mark.textContent = d.text.slice(s.start, s.end);
      box.append(mark);
      at = s.end;
    }
    box.append(document.createTextNode(d.text.slice(at)));
  }

  function input(value, cls) {
    const el = document.createElement("input");
    el.value = value == null ? "" : value;
    el.className = cls;
    return el;
  }

  function checkbox(cls, label) {
    const wrap = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = cls;
    wrap.append(box, " " + label);
    return wrap;
  }

  function renderCandidates(d) {
    const box = $("candidates");
    box.textContent = "";
    if (!d.events.length) { box.textContent = "Aucun événement : " + (d.reason || ""); return; }
    d.events.forEach((e, i) => {
      const fs = document.createElement("fieldset");
      fs.className = "event";
      fs.dataset.index = i;
      const legend = document.createElement("legend");
      legend.textContent = `${e.kind_as_written} — ${e.status}`;
      fs.append(legend, checkbox("accept-event", "accepter l'événement"));
      const date = document.createElement("p");
      date.append("Date : ", input(e.date ? e.date.value : "", "date-value"),
                  e.date ? ` (${e.date.precision}${e.date.year_inferred ? ", année déduite " + e.date.year_inferred.year : ""})` : "");
      fs.append(date);
      const communes = document.createElement("p");
      communes.textContent = "Communes : " + e.communes.map((c) => `${c.as_written} (${c.insee || "?"})`).join(", ");
      fs.append(communes);
      for (const [list, label] of [["signatories", "Signataire"], ["present", "Présent"]]) {
        e[list].forEach((p, j) => {
          const row = document.createElement("div");
          row.className = "person " + list;
          row.dataset.list = list;
          row.dataset.index = j;
          const who = p.represented_by ? p.represented_by : p;
          row.append(checkbox("accept-person", `${label} : ${p.name_as_written || p.title_as_written}`),
                     " nom de famille ", input(who.family_name, "family-name"),
                     ` — ${who.title_as_written || ""}`);
          fs.append(row);
        });
      }
      box.append(fs);
    });
  }

  async function extract() {
    const file = $("file").files[0];
    const body = file ? await file.arrayBuffer() : $("article").value;
    const params = new URLSearchParams();
    if ($("url").value) params.set("url", $("url").value);
    if ($("published").value) params.set("published", $("published").value);
    if (file) params.set("file", file.name);
    status("Extraction…");
    const res = await fetch("/review/extract?" + params, {
      method: "POST", body, headers: { "Content-Type": "text/plain; charset=utf-8", "Accept": "application/json" } });
    const answer = await res.json();
    if (!res.ok) { status("Erreur : " + answer.error); return; }
    doc = answer;
    renderText(doc);
    renderCandidates(doc);
    $("review").hidden = false;
    status(`${doc.events.length} événement(s) candidat(s)`);
  }

  function reviewed() {
    const out = JSON.parse(JSON.stringify(doc));
    document.querySelectorAll("fieldset.event").forEach((fs) => {
      const e = out.events[Number(fs.dataset.index)];
      e.accepted = fs.querySelector(".accept-event").checked;
      const dv = fs.querySelector(".date-value").value.trim();
      if (e.date && dv && dv !== e.date.value) e.date.value = dv;
      fs.querySelectorAll(".person").forEach((row) => {
        const p = e[row.dataset.list][Number(row.dataset.index)];
        p.accepted = row.querySelector(".accept-person").checked;
        const who = p.represented_by ? p.represented_by : p;
        who.family_name = row.querySelector(".family-name").value.trim() || who.family_name;
        if (p.represented_by) p.represented_by.accepted = p.accepted;
      });
    });
    return out;
  }

  async function save() {
    const headers = { "Content-Type": "application/json", "Accept": "application/json, application/trig" };
    const token = $("token") ? $("token").value : "";
    if (token) headers["Authorization"] = "Bearer " + token;
    const res = await fetch("/review/apply", { method: "POST", body: JSON.stringify(reviewed()), headers });
    const type = res.headers.get("content-type") || "";
    if (!res.ok) { const e = await res.json(); status("Erreur : " + e.error); return; }
    if (type.startsWith("application/json")) {
      const r = await res.json();
      status(`Chargé dans le store : ${r.events} événement(s), ${r.people} personne(s), ${r.quads} quads`);
      return;
    }
    const blob = await res.blob();
    const link = $("download");
    link.href = URL.createObjectURL(blob);
    link.hidden = false;
    link.dataset.size = blob.size;
    status("Graphe accepté prêt à télécharger");
  }

  $("extract").addEventListener("click", () => extract().catch((e) => status("Erreur : " + e)));
  $("save").addEventListener("click", () => save().catch((e) => status("Erreur : " + e)));
})();
