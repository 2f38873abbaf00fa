"""Find the convention events a text reports and assemble them as the JSON contract of
``docs/extract.md``: status, kind, date, place, communes, EPCI, signatories, others present,
parties and axes, each item with its evidence ``{start, end, text}`` into the text.
"""

from __future__ import annotations

import re

from . import dates as D
from . import gazetteer as G
from .people import find_people, organisation_of, role_of
from .sentences import Sentence, split

SIGN = re.compile(r"\bsign\w*|\bparaph\w*|\bconvention\b|\bavenant\b", re.I)
_PAST = re.compile(r"\b(?:a|ont|avait|avaient|ai|avons|ont été|a été|été)\s+(?:officiellement\s+|également\s+|aussi\s+|bien\s+)*"
                   r"(?:sign[ée]e?s?|paraph[ée]e?s?|conclue?s?)\b|\bsign[ée]e?s?\s+(?:le|ce|en|par|lundi|mardi|mercredi|jeudi|"
                   r"vendredi|samedi|dimanche)\b|\bs['’]est (?:déroulée|tenue)|\ba eu lieu\b|\baprès (?:la|avoir) sign"
                   r"|\bsignataires\b|\bvient de signer\b|\bviennent de signer\b", re.I)
_FUTURE = re.compile(r"\b(?:sera|seront)\s+(?:officiellement\s+|prochainement\s+)?sign|\bsigner(?:a|ont)\b|\b(?:va|vont)\s+signer"
                     r"|\baura lieu\b|\bse tiendra\b|\bdoi(?:t|vent) être sign|\bdevr(?:ait|aient|a|ont) être sign"
                     r"|\best (?:prévue?|programmée?)\b|\bprochainement\b|\bà venir\b|\bsignature (?:est )?prévue", re.I)
_PRESENT = re.compile(r"\ben (?:la )?présence d|\baccompagnée?s? d|\baux côtés d|\bentourée?s? d|\bavec la participation d"
                      r"|\bdevant\b|\bétaient (?:également |notamment )?présents?|\bont assisté|\ba assisté|\bassistaient\b"
                      r"|\bont pris part\b|\bétaient là\b", re.I)
_SIGNER = re.compile(r"\bsign\w*\s+(?:par|conjointement)\b|\bsignataires?\b|\bentre\b|\bont (?:signé|paraphé)|\ba (?:signé|paraphé)"
                     r"|\b(?:étaient|sont|était|est) représentée?s? par\b"
                     r"|\bsigneront\b|\bsignera\b|\bvont signer\b|\bva signer\b", re.I)
_REPRESENTED = re.compile(r",?\s*représentée?s?\s+par\s*$", re.I)
_REPRESENTING = re.compile(r"^\s*,?\s*(?:représentant|au nom d[eu]|pour)\s+(?:le|la|l['’])\s*$", re.I)
_BANNER = re.compile(r"\b(?:publié|publiée|mis à jour|mise à jour|modifié|actualisé|date de publication)\b", re.I)
_NOT_EVENT_DATE = re.compile(r"(?:délibération|en date du|depuis|jusqu['’]|durée|sélectionnée?|retenue?|lauréate?|candidat"
                             r"|initiée?|lancée?|démarrée?|engagée?)"
                             r"[^.]{0,40}$", re.I)

KINDS = [
    ("avenant", re.compile(r"\bavenant(?:\s+n°\s*\d+)?", re.I)),
    ("acv", re.compile(r"\baction c(?:œ|oe)ur de ville\b|\bACV\b", re.I)),
    ("operationnelle", re.compile(r"\bconvention[- ]cadre\b|\bconvention opérationnelle\b|\bconvention de revitalisation\b",
                                  re.I)),
    ("adhesion", re.compile(r"\bconvention d['’]\s*(?:adhésion|initialisation|engagement)\b|\badhésion au (?:programme|dispositif)\b",
                            re.I)),
    ("ort", re.compile(r"\bORT\b|\bop[ée]ration de revitali[sz]ation (?:de |du )?territoire\b", re.I)),
    ("other", re.compile(r"\b(?:convention|contrat|protocole)\s+(?:de |d['’]\s*|du |des |pour )(?!adhésion|initialisation|"
                         r"op[ée]ration de revitali|revitalisation|engagement)[\w’'-]+(?:\s+(?:de |du |des |d['’]|et |la )?"
                         r"[\w’'-]+){0,4}|\bCRTE\b|\bcontrat de relance\b", re.I)),
    ("pvd", re.compile(r"\bconvention\s+(?:[«\"“]\s*)?Petites?[ -]villes? de demain\b|\bconvention\s+PVD\b", re.I)),
]
_VALANT = re.compile(r"valant\s+(?:convention\s+d['’]\s*)?(?:ORT|op[ée]ration de revitali)", re.I)


def _ev(text: str, start: int, end: int) -> dict:
    return {"start": start, "end": end, "text": text[start:end]}


def _kinds_in(s: Sentence) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for kind, rx in KINDS:
        for m in rx.finditer(s.text):
            a, b = s.start + m.start(), s.start + m.end()
            if any(not (b <= x or a >= y) for _k, x, y in found):
                continue
            before = s.text[max(0, m.start() - 45):m.start()]
            if kind != "avenant" and re.search(r"avenant(?:\s+n°\s*\d+)?\s+(?:à|a)\s+(?:la|sa|leur)?\s*$|avenant[^.]{0,30}$",
                                               before, re.I):
                continue  # "avenant n°1 à la convention d'ORT": the event is the avenant
            if kind == "ort" and (_VALANT.search(s.text[max(0, m.start() - 40):m.end()]) or
                                  re.search(r"convention[- ]cadre|opérationnelle", before, re.I)):
                continue  # "convention-cadre valant ORT": one operational convention
            if kind == "other" and re.search(r"Petites?[ -]villes? de demain|PVD|ORT|Action c", m.group(0), re.I) and \
                    not re.search(r"partenariat|financement|relance|ruralité|territoire d['’]industrie", m.group(0), re.I):
                continue
            found.append((kind, a, b))
    return sorted(found, key=lambda k: k[1])


def is_french(text: str) -> bool:
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    if len(words) < 5:
        return bool(re.search(r"\b(?:le|la|les|de|des|du|et|à)\b", text.lower()))
    common = sum(w in {"le", "la", "les", "de", "des", "du", "et", "à", "en", "un", "une", "est", "a", "pour", "par",
                       "au", "aux", "sur", "avec", "dans", "qui"} for w in words)
    return common / len(words) >= 0.08


def extract(text: str, published: str | None = None) -> tuple[list[dict], str | None, str | None]:
    """Events of ``text``.

    :param published: the publication day (ISO), to infer a year a date leaves out.
    :returns: ``(events, reason, banner_date)``; ``reason`` says why ``events`` is empty.
    """
    if not is_french(text):
        return [], "the text is not in French", None
    g = G.load()
    sentences = split(text)
    banner = None
    for s in sentences[:6]:
        # "Publié le 21/06/2023", or a line that is only a date ("Mardi 21 juin 2023")
        if _BANNER.search(s.text) or (len(s.text) <= 40 and re.fullmatch(r"[\w\s,/.]*\d{4}[\s.]*", s.text)):
            ds = D.find_dates(s.text, s.start)
            if ds and ds[0].precision == "day":
                banner = ds[0]
                break
    pub = published or (banner.value if banner else None)
    document = bool(re.search(r"^\s*ENTRE\b", text, re.M) and re.search(r"représentée?\s+par", text, re.I))

    # people first (their names are not communes)
    people_of: dict[int, list] = {}
    person_spans: list[tuple[int, int]] = []
    for i, s in enumerate(sentences):
        ps = [p for p in find_people(s.text, s.start) if (p.name_as_written or p.title_as_written)
              and not (p.name_as_written and G.fold(p.name_as_written) in g.by_name and not p.title_as_written)]
        people_of[i] = ps
        person_spans += [(p.name_start, p.name_end) for p in ps if p.name_as_written]

    # events: one per kind (an unrelated convention keeps its own wording)
    events: list[dict] = []
    by_key: dict[str, dict] = {}
    current = None
    for i, s in enumerate(sentences):
        if _BANNER.search(s.text) and banner and banner.start >= s.start and banner.end <= s.end:
            continue
        kinds = _kinds_in(s) if SIGN.search(s.text) else []
        signing = bool(_PAST.search(s.text) or _FUTURE.search(s.text) or re.search(r"\bsign\w*|\bparaph", s.text, re.I))
        if kinds and (signing or document or i == 0):
            for kind, a, b in kinds:
                key = kind if kind != "other" else "other:" + " ".join(G.fold(text[a:b]).split()[:3])
                ev = by_key.get(key)
                if ev is None:
                    ev = {"kind": kind, "kind_as_written": text[a:b], "kind_evidence": _ev(text, a, b),
                          "sentences": [], "valant_ort": False}
                    by_key[key] = ev
                    events.append(ev)
                if i not in ev["sentences"]:
                    ev["sentences"].append(i)
                if kind == "operationnelle" and _VALANT.search(s.text):
                    ev["valant_ort"] = True
            primary = [k for k in kinds if k[0] != "other"]
            # "Après avoir signé X, ... Y": what follows is about the last convention named
            current = by_key[primary[-1][0]] if primary else current
        elif current is not None and (signing or _PRESENT.search(s.text) or _SIGNER.search(s.text)) and not kinds:
            current["sentences"].append(i)
    if not events:
        return [], "no convention signing found in the text", banner.value if banner else None
    # a generic "convention Petites villes de demain" is the same event as a typed one, if any
    typed = [e for e in events if e["kind"] not in ("pvd", "other")]
    if typed:
        for e in [e for e in events if e["kind"] == "pvd"]:
            typed[0]["sentences"] = sorted(set(typed[0]["sentences"]) | set(e["sentences"]))
            events.remove(e)

    deps = G.find_departements(text, g)
    mentions = G.find_communes(text, g, person_spans)
    all_sirens = {g.epci_of[c][0] for m in mentions for c in m.candidates if c in g.epci_of}
    epci_mentions = G.find_epcis(text, g, all_sirens)
    epci_spans = [(a, b) for a, b, _t, _s in epci_mentions]
    title_spans = [(p.start, p.end) for ps in people_of.values() for p in ps
                   if p.title_as_written and role_of(p.title_as_written) in ("prefet", "sous-prefet")]
    context_epcis = {s for *_x, s in epci_mentions if s}
    communes = []
    for m in mentions:
        if any(a <= m.start < b for a, b in epci_spans + title_spans):
            continue
        cands = m.candidates
        if len(cands) > 1:
            for test in (lambda c: g.communes[c].dep in deps, lambda c: g.epci_of.get(c, ("",))[0] in context_epcis,
                         lambda c: any(g.in_lists(c).values())):
                narrowed = [c for c in cands if test(c)]
                if narrowed:
                    cands = narrowed
                if len(cands) == 1:
                    break
        insee = cands[0] if len(cands) == 1 else None
        listed = {k: any(c in v for c in m.candidates) for k, v in g.lists.items()} if insee is None else g.in_lists(insee)
        if not any(listed.values()) and not m.cue:
            continue
        flags = []
        if insee is None:
            flags.append("ambiguous: " + ", ".join(m.candidates[:8]))
        elif not any(listed.values()):
            flags.append("not in the PVD, ACV or ORT lists")
        communes.append({"as_written": m.as_written, "insee": insee, "in_lists": listed, "flags": flags,
                         "evidence": _ev(text, m.start, m.end)})

    if document:
        events[0]["sentences"] += [i for i, s in enumerate(sentences) if re.search(r"représentée?\s+par", s.text, re.I)]
    axes_event = next((e for e in events if e["kind"] in ("operationnelle", "ort", "pvd")), None)
    out = []
    for n, ev in enumerate(events, 1):
        sents = [sentences[i] for i in sorted(set(ev["sentences"]))]
        joined = " ".join(s.text for s in sents)
        status = "unknown"
        if _PAST.search(_FUTURE.sub(" ", joined)):
            status = "signed"
        elif _FUTURE.search(joined):
            status = "planned"
        if document:
            status = "signed" if re.search(r"^\s*Fait à .{0,60}\d{4}", text, re.M | re.I) else "unknown"
        date = _event_date(text, sents, ev, pub, status, banner)
        if document and date is None:
            m = re.search(r"^\s*Fait à .*$", text, re.M | re.I)
            if m:
                ds = D.find_dates(m.group(0), m.start())
                if ds:
                    date = _date_json(text, ds[0], pub, status, [])
        spans = [(s.start, s.end) for s in sents]

        def inside(x):
            return any(a <= x["evidence"]["start"] < b for a, b in spans)
        ev_communes = [c for c in communes if inside(c)] or communes
        seen, uniq = set(), []
        for c in ev_communes:
            k = c["insee"] or c["as_written"]
            if k not in seen:
                seen.add(k)
                uniq.append(c)
        epcis, seen_e = [], set()
        # the EPCI named in the event's sentences; the first event also takes those named elsewhere
        own = [m for m in epci_mentions if any(a <= m[0] < b for a, b in spans)]
        for a, b, t, siren in own or (epci_mentions if n == 1 else []):
            k = siren or G.fold(t)
            if k not in seen_e:
                seen_e.add(k)
                epcis.append({"as_written": t, "siren": siren, "evidence": _ev(text, a, b)})
        signatories, present = _people(text, sents, sentences, people_of, document)
        place = None
        for s in sents:
            m = re.search(r"(?:\bà|\ben mairie de|\bhôtel de ville de)\s+(?P<p>[A-ZÀ-Þ][\w'’ -]+?)(?=[,.;]|\s+(?:le|la|en|a|ont|lors|où)\b)",
                          s.text)
            if m:
                a = s.start + m.start("p")
                word = m["p"].strip()
                hit = next((c for c in communes if c["evidence"]["start"] == a), None)
                place = {"as_written": word, "insee": hit["insee"] if hit else None,
                         "evidence": _ev(text, a, a + len(word))}
                break
        conf = 0.4 + 0.2 * bool(uniq and uniq[0]["insee"]) + 0.2 * bool(date) + 0.2 * bool(signatories or present)
        if date and date.get("weekday_conflict"):
            conf -= 0.2
        out.append({
            "id": f"e{n}", "status": status, "kind": ev["kind"], "kind_as_written": ev["kind_as_written"],
            "valant_ort": ev["valant_ort"], "kind_evidence": ev["kind_evidence"],
            "date": date, "place": place, "communes": uniq, "epcis": epcis,
            "signatories": signatories, "present": present,
            "parties": _parties(text) if document else [], "axes": _axes(text) if ev is axes_event else [],
            "evidence": [_ev(text, s.start, s.end) for s in sents],
            "confidence": round(max(0.0, min(1.0, conf)), 2), "accepted": None})
    _pronoun_signatories(out, events, sentences)
    return out, None, banner.value if banner else None


_PRONOUN = re.compile(r"\b(?:il|elle)\s+(?:a|avait)\s+(?:également\s+|aussi\s+|ensuite\s+)*(?:signé|paraphé)", re.I)


def _pronoun_signatories(out: list, events: list, sentences: list) -> None:
    """"Le même jour, il a signé ...": the signatory of the event told just before signs this one too
    (the evidence stays the sentence that names the person)."""
    for k, (item, ev) in enumerate(zip(out, events)):
        if item["signatories"] or k == 0:
            continue
        if any(_PRONOUN.search(sentences[i].text) for i in ev["sentences"]):
            item["signatories"] = [dict(p) for p in out[k - 1]["signatories"][-1:]]


def _date_json(text, m: D.DateMention, pub, status, years) -> dict:
    inferred = D.infer_year(m, pub, status == "planned", years)
    out = {"value": m.value, "precision": m.precision, "year_inferred": inferred,
           "weekday_conflict": m.weekday_conflict, "evidence": _ev(text, m.start, m.end)}
    return out


def _event_date(text, sents, ev, pub, status, banner) -> dict | None:
    years = [int(y) for y in re.findall(r"\b(20[12]\d)\b", text)]
    kind_at = ev["kind_evidence"]["start"]
    best = None
    for s in sents:
        for m in D.find_dates(s.text, s.start):
            if banner and m.start == banner.start:
                continue
            if _NOT_EVENT_DATE.search(text[max(s.start, m.start - 60):m.start]):
                continue
            dist = abs(m.start - kind_at) + (0 if s.start <= kind_at < s.end else 1000)
            rank = {"day": 0, "day-month": 0, "month": 1, "year": 2}[m.precision]
            key = (dist > 1000, dist, rank)
            if best is None or key < best[0]:
                best = (key, m)
    return _date_json(text, best[1], pub, status, years) if best else None


def _person_json(text, p, represented_by=None) -> dict:
    return {"name_as_written": p.name_as_written, "family_name": p.family_name, "given_name": p.given_name,
            "civility": p.civility, "title_as_written": p.title_as_written, "role": role_of(p.title_as_written),
            "organisation_as_written": organisation_of(p.title_as_written), "represented_by": represented_by,
            "evidence": _ev(text, p.start, p.end), "accepted": None}


def _people(text, sents, sentences, people_of, document) -> tuple[list, list]:
    signatories, present, seen = [], [], set()
    for s in sents:
        idx = sentences.index(s)
        ps = people_of.get(idx, [])
        signing_verb = bool(_SIGNER.search(s.text) or _PAST.search(s.text) or _FUTURE.search(s.text) or document)
        marks = [(m.start() + s.start, "present") for m in _PRESENT.finditer(s.text)]
        marks += [(m.start() + s.start, "signer") for m in _SIGNER.finditer(s.text)]
        marks.sort()
        skip = set()
        for k, p in enumerate(ps):
            if k in skip:
                continue
            state = "signer" if signing_verb else ("present" if marks else None)
            for at, what in marks:
                if at <= p.start:
                    if what == "present":
                        # "a signé aux côtés de": co-signatories
                        just_before = text[max(s.start, at - 25):at]
                        state = "signer" if re.search(r"sign\w*\s*$", just_before) else "present"
                    else:
                        state = "signer"
            if state is None:
                continue
            rep = None
            nxt = ps[k + 1] if k + 1 < len(ps) else None
            if nxt is not None and _REPRESENTED.search(text[p.end:nxt.start]) and not document:
                rep = _person_json(text, nxt)
                skip.add(k + 1)
            elif nxt is not None and p.name_as_written and nxt.name_as_written is None and \
                    _REPRESENTING.match(text[p.end:nxt.start]):
                # "M. X, représentant le préfet": the official, represented by X
                official = _person_json(text, nxt, _person_json(text, p))
                signatories.append(official)
                skip.add(k + 1)
                continue
            if p.name_as_written is None and rep is None:
                continue  # a bare title that nobody holds in the text
            if document:
                before = text[max(s.start, p.start - 200):p.start]
                if not re.search(r"représentée?\s+par\s*(?:son|sa|leur|le|la|l['’])?\s*[^,]*,?\s*$", before, re.I):
                    continue
            key = (p.family_name or p.title_as_written, state)
            if key in seen:
                continue
            seen.add(key)
            item = _person_json(text, p, rep)
            (signatories if state == "signer" else present).append(item)
    return signatories, present


def _parties(text: str) -> list[dict]:
    parties = []
    for m in re.finditer(r"^\s*(?P<party>(?:La|Le|L['’]|Les)\s*[^,\n]{2,90}?)\s*,\s*(?P<rep>représentée?\s+par\s+[^\n]+)$",
                         text, re.M):
        a, ra = m.start("party"), m.start("rep")
        rep_text = m["rep"].rstrip(" ,;.")
        parties.append({"as_written": m["party"], "represented_by": rep_text,
                        "evidence": _ev(text, a, ra + len(rep_text))})
    return parties


def _axes(text: str) -> list[dict]:
    axes = []
    for m in re.finditer(r"^\s*(?:Axe|AXE|Orientation)\s*(?:n°\s*)?(?P<n>\d+)\s*[:\-–—.]\s*(?P<label>.+?)[^\S\n]*$", text, re.M):
        axes.append({"order": int(m["n"]), "label": m["label"], "evidence": _ev(text, m.start("label"), m.end("label"))})
    if axes:
        return axes
    m = re.search(r"autour de (?P<n>\d+|deux|trois|quatre|cinq|six|sept) (?:grands )?axes?\s*:?", text, re.I)
    if m:
        words = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7}
        count = int(m["n"]) if m["n"].isdigit() else words[m["n"].lower()]
        items: list[list[int]] = []  # [start, end] of each list item, a wrapped line joined to its item
        for line in re.finditer(r"^[^\S\n]*(?P<t>\S.*?)[^\S\n]*$", text[m.end():], re.M):
            a, b = m.end() + line.start("t"), m.end() + line.end("t")
            if items and line["t"][0].islower():
                items[-1][1] = b
            elif len(items) < count:
                items.append([a, b])
            else:
                break
        for n, (a, b) in enumerate(items, 1):
            lead = re.match(r"(?:[-•–*]|\d+[.)])?\s*", text[a:b]).end()
            label = " ".join(text[a + lead:b].split()).rstrip(" ;.")
            axes.append({"order": n, "label": label, "evidence": _ev(text, a + lead, b)})
    return axes
