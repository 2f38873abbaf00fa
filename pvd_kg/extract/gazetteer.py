"""Communes, EPCI and départements named in a text, linked to their codes through the tables
shipped in ``graph/sources/`` (INSEE COG 2024, DGCL EPCI 2023) and checked against the
programme lists (PVD 2021 and 2026, ACV 2024, ORT 2024).

Names are compared in a folded form: lower case, no accents, hyphens and apostrophes as
spaces, ``St``/``Ste`` as ``saint``/``sainte``. A name several communes share is resolved by a
département or EPCI the text names; a commune in no list is still linked and flagged.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..ingest.ort import MULTILINE as ORT_MULTILINE
from ..ingest.shipped import SHIPPED, source_path
from ..ingest.tables import read_rows

_ABBREV = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ0-9]+")
_NAME_CHARS = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿŒœ'’\- .]+$")
# Capitalised words that are also commune names but, in these texts, almost always mean
# something else (a month, an institution, a title).
STOP = {"mars", "mai", "etat", "france", "ville", "villes", "demain", "president", "prefet", "maire", "commune",
        "agglo", "region", "departement", "banque", "caisse", "action", "coeur", "petites", "saint", "sainte",
        "signature", "convention", "le", "la", "les", "l", "communaute", "conseil", "territoire", "territoires",
        "ort", "pvd", "acv", "ce", "cet", "cette", "un", "une", "en", "de", "du", "des", "et", "au", "aux",
        "centre", "orient", "ouest", "est", "nord", "sud", "madame", "monsieur", "mme", "m"}
_EPCI_FORM = re.compile(r"^(?:cc|ca|cu|cte|communaute (?:de communes|d agglomeration|urbaine|intercommunale)|metropole"
                        r"|agglo(?:meration)?|intercom)\s+(?:intercommunale\s+)?(?:(?:du|de la|de l|des|de|d)\s+)?")


def fold(text: str) -> str:
    """Folded form of a name.

    >>> fold("St-Pol sur Ternoise") == fold("Saint-Pol-sur-Ternoise")
    True
    >>> fold("L’Isle-Jourdain")
    'l isle jourdain'
    """
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    bare = bare.replace("œ", "oe").replace("Œ", "oe")
    words = _WORD.findall(bare.lower())
    return " ".join(_ABBREV.get(w, w) for w in words)


def epci_core(name: str) -> str:
    """The distinctive part of an EPCI name: ``CC du Pays de Lumbres`` → ``pays de lumbres``."""
    return _EPCI_FORM.sub("", fold(re.sub(r"\([^)]*\)", " ", name))).strip()


@dataclass
class Commune:
    insee: str
    name: str
    dep: str
    arr: str | None
    line: int


@dataclass
class Gazetteer:
    communes: dict[str, Commune] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)
    departements: dict[str, tuple[str, str, str, int]] = field(default_factory=dict)  # code -> (name, region, reg name, line)
    dep_by_name: dict[str, str] = field(default_factory=dict)
    epci_of: dict[str, tuple[str, int]] = field(default_factory=dict)  # insee -> (siren, line)
    epcis: dict[str, str] = field(default_factory=dict)  # siren -> name
    epci_deps: dict[str, set] = field(default_factory=dict)
    epci_by_core: dict[str, list[str]] = field(default_factory=dict)
    lists: dict[str, set] = field(default_factory=dict)  # pvd, acv, ort -> insee codes
    max_words: int = 1

    def in_lists(self, insee: str) -> dict[str, bool]:
        return {k: insee in v for k, v in self.lists.items()}


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    """The gazetteer built from the shipped tables (read once per process)."""
    g = Gazetteer()
    for line, typ, com, dep, arr, label in read_rows(source_path("insee-cog-2024"),
                                                     ("TYPECOM", "COM", "DEP", "ARR", "LIBELLE")):
        if typ != "COM":
            continue
        g.communes[com] = Commune(com, label, dep, arr or None, line)
        key = fold(label)
        g.by_name.setdefault(key, []).append(com)
        g.max_words = max(g.max_words, len(key.split()))
    for dline, code, name, reg, reg_name in read_rows(source_path("insee-departements"),
                                                      ("code_departement", "nom_departement", "code_region",
                                                       "nom_region")):
        g.departements[code] = (name, reg, reg_name, dline)
        g.dep_by_name[fold(name)] = code
    for line, com, siren, name, dep_name in read_rows(source_path("epci-com-2023"),
                                                      ("com_code", "epci_siren", "epci_name", "dep_name"),
                                                      delimiter=SHIPPED["epci-com-2023"].delimiter):
        if not re.fullmatch(r"\d{9}", siren or "") or siren == "000000000":
            continue
        g.epci_of[com] = (siren, line)
        g.epcis[siren] = name
        dep = g.dep_by_name.get(fold(dep_name))
        if dep:
            g.epci_deps.setdefault(siren, set()).add(dep)
    for siren, name in g.epcis.items():
        g.epci_by_core.setdefault(epci_core(name), []).append(siren)
    pvd = {r[1] for r in read_rows(source_path("anct-pvd-2026"), ("insee_com",))}
    pvd |= {r[1] for r in read_rows(source_path("anct-pvd-2021"), ("insee_com",))}
    g.lists = {"pvd": pvd,
               "acv": {r[1] for r in read_rows(source_path("anct-acv-2024"), ("insee_com",))},
               "ort": {r[1] for r in read_rows(source_path("dgaln-ort-2024"), ("Code commune",), multiline=ORT_MULTILINE)}}
    return g


@dataclass
class Mention:
    start: int
    end: int
    as_written: str
    candidates: list[str]
    cue: bool  # introduced by "commune de", "ville de", "maire de", "à" ...


_CUE = re.compile(r"(?:commune|ville|maire|mairie|bourg|cité|municipalité|territoire|communes|voisine?s?)\s+(?:de\s+|d['’]\s*)$"
                  r"|(?:\bà|\bau|\bsur|\bet)\s+$|,\s*$", re.I)
_EPCI_CUE = re.compile(r"\b(?:Communaut[ée] de [Cc]ommunes|Communaut[ée] d['’]\s*[Aa]gglom[ée]ration|Communaut[ée] urbaine"
                       r"|Communaut[ée] intercommunale|CC|CA|CU|Agglo(?:m[ée]ration)?|Intercom)\b\s*(?:(?:du|de la|de l['’]|des|de|d['’])\s*)?", re.I)


def find_communes(text: str, g: Gazetteer, skip: list[tuple[int, int]] = ()) -> list[Mention]:
    """Commune names written in ``text``, longest first at each place, outside the ``skip`` spans
    (person names)."""
    words = list(_WORD.finditer(text))
    out: list[Mention] = []
    i = 0
    while i < len(words):
        w = words[i]
        if not w.group(0)[0].isupper() or text[w.start() - 1:w.start()] == "-" or any(a <= w.start() < b for a, b in skip):
            i += 1
            continue
        best = None
        for j in range(i, min(i + g.max_words + 2, len(words))):
            span = text[w.start():words[j].end()]
            if not _NAME_CHARS.match(span) or "\n" in span or re.search(r"\s{2,}|\.\s", span):
                break
            key = fold(span)
            if key in g.by_name and key not in STOP:
                best = (j, span, key)
        if best is None:
            i += 1
            continue
        j, span, key = best
        before = text[max(0, w.start() - 30):w.start()]
        out.append(Mention(w.start(), w.start() + len(span), span, list(g.by_name[key]), bool(_CUE.search(before))))
        i = j + 1
    return out


def find_departements(text: str, g: Gazetteer) -> set[str]:
    """Codes of the départements the text names (by name, or a code in brackets: "(62)")."""
    found = {m.group(1) for m in re.finditer(r"\((\d{2,3}|2[AB])\)", text) if m.group(1) in g.departements}
    folded = f" {fold(text)} "
    for key, code in g.dep_by_name.items():
        if f" {key} " in folded:
            found.add(code)
    return found


def find_epcis(text: str, g: Gazetteer, near: set[str]) -> list[tuple[int, int, str, str | None]]:
    """EPCI named in ``text``: ``(start, end, as_written, siren or None)``. ``near`` is the set of
    SIREN of the EPCI of the communes found, tried first when the name is not exact."""
    out = []
    for m in _EPCI_CUE.finditer(text):
        at = m.end()
        rest = text[at:at + 90]
        stop = re.search(r"[;.()\n«»\"]|\s(?:a|ont|qui|pour|avec|sera|seront|représentée?|était|est|sont|M|Mme|dans|accompagne|"
                         r"porte|signe|signera|aux|au)\s", rest)
        name = (rest[:stop.start()] if stop else rest).rstrip(" ,")
        words = name.split()[:12]
        siren = None
        while words:
            siren = _epci_lookup(g, fold(" ".join(words)), near)
            if siren:
                break
            words = words[:-1]
        if siren:
            name = " ".join(words).rstrip(",")
        else:
            name = re.split(r",|\set\s", name)[0].rstrip()
            if not name or not name[0].isupper():
                continue
        end = at + len(name)
        out.append((m.start(), end, text[m.start():end], siren))
    return out


def _epci_lookup(g: Gazetteer, core: str, near: set[str]) -> str | None:
    core = re.sub(r"^(?:du|de la|de l|des|de|d)\s+", "", core)
    if not core:
        return None
    exact = [s for s in g.epci_by_core.get(core, []) + g.epci_by_core.get(f"pays de {core}", [])]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        close = [s for s in exact if s in near]
        return close[0] if len(close) == 1 else None
    for siren in near:
        mine = epci_core(g.epcis[siren])
        mine = re.sub(r"^(?:du|de la|de l|des|de|d)\s+", "", mine)
        if len(core) >= 4 and (mine == core or mine.endswith(" " + core) or core in mine.split(" et ")
                               or mine.replace(" ", "") == core.replace(" ", "")):
            return siren
    return None
