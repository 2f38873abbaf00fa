"""People named in a French sentence: civility, name and title as written, the role (a concept
of the project's role scheme ``id:role``), the organisation the title names.

Forms read: ``M. Dupont, maire de X``, ``Mme Bonnot, Directrice territoriale de ...``,
``Carine ROUSSEL (Sous-Préfète de Soissons)``, ``Jean Dupont, président de ...``, ``le maire,
Jean Dupont``. A given name is recorded only when the text writes one; a name in capitals is
the family name, the words before it the given name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .gazetteer import fold

CIV = r"(?:Monsieur|Madame|Mademoiselle|Mmes|Mme|Mlle|MM\.|M\.|Mr\.?)"
_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_W = rf"(?:[{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*|[{_UP}]{{2,}}(?:-[{_UP}]{{2,}})*)"
_PART = r"(?:de la|de|du|des|d['’]|Le|La|LE|LA|Van|van|von|Di|Da|Mac)"
_GIVEN = rf"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?"
NAME = rf"{_W}(?:(?:\s+{_PART})?\s+{_W}|\s*{_PART}\s*{_W}){{0,3}}"
_HEAD = (r"(?:vice-présidente?|vice-président|présidente?|maires?-adjointe?s?|maire|premi(?:er|ère) adjointe?|adjointe?"
         r"|sous-préfète|sous-préfet|préfète|préfet|secrétaire générale?|directrice|directeur|députée?|sénat(?:eur|rice)"
         r"|conseill(?:er|ère)|cheffe de projet|chef de projet|chargée? de mission|ministre|déléguée?|responsable"
         r"|DGA|DGS|élue?)")
TITLE = re.compile(rf"\b{_HEAD}\b(?:[^,;()\n.«»]|\.(?=[a-z]))*?(?=\s*(?:[,;()\n«»]|\.(?:\s|$)|$|\s+et\s+(?:{CIV}|[{_UP}])"
                   rf"|\s+(?:a|ont|avait|avaient|était|étaient|sera|seront|signe|signent|a\s+signé|qui|lors|pour|au nom)\b))",
                   re.I)
CIV_NAME = re.compile(rf"(?P<civ>{CIV})\s*(?P<name>{NAME})")
_ROLES = [("maire adjoint", "adjoint-au-maire"), ("maires adjoint", "adjoint-au-maire"),
          ("premier adjoint", "adjoint-au-maire"), ("premiere adjoint", "adjoint-au-maire"),
          ("adjoint", "adjoint-au-maire"), ("maire", "maire"), ("vice president", "vice-president"),
          ("president", "president"), ("sous prefet", "sous-prefet"), ("prefet", "prefet"),
          ("directeur general adjoint", "directeur-general-adjoint"), ("directrice generale adjointe",
                                                                     "directeur-general-adjoint"),
          ("directeur general", "directeur-general"), ("directrice generale", "directeur-general"),
          ("directeur territorial", "directeur-territorial"), ("directrice territoriale", "directeur-territorial"),
          ("chef de projet", "chef-de-projet"), ("cheffe de projet", "chef-de-projet")]
_ORG = re.compile(r"\b(?:de la|de l['’]|du|des|de|d['’])\s*(?P<org>.+)$", re.I)
_NOT_NAMES = {"Petites", "Villes", "Demain", "Etat", "État", "Convention", "Préfet", "Maire", "Président", "Le", "La",
              "Les", "Ce", "Cette", "Après", "Lors", "Il", "Elle", "En", "Dans", "Pour", "Sous", "Mme", "Monsieur",
              "Madame", "Communauté", "Banque", "Caisse", "Région", "Département", "Action", "Territoires"}


def role_of(title: str | None) -> str | None:
    """The role concept key for a title as written, or None when the scheme has none.

    >>> role_of("Sous-Préfète de Soissons"), role_of("Directrice Générale adjointe du bailleur SIA Habitat")
    ('sous-prefet', 'directeur-general-adjoint')
    >>> role_of("Vice-président de la Région") , role_of("député de la Somme")
    ('vice-president', None)
    """
    if not title:
        return None
    t = fold(title)
    t = re.sub(r"\b(prefete)\b", "prefet", t)
    t = re.sub(r"\b(presidente)\b", "president", t).replace("adjointe", "adjoint")
    for key, role in _ROLES:
        if t.startswith(key.replace("adjointe", "adjoint")):
            return role
    return None


def organisation_of(title: str | None) -> str | None:
    """The organisation a title names after its head word (``maire de Libercourt`` → ``Libercourt``)."""
    if not title:
        return None
    head = re.match(rf"{_HEAD}(?:\s+(?:territorial|territoriale|générale?|adjointe?|régionale?|régional"
                    rf"|départementale?|départemental|délégué|déléguée|Petites villes de demain|PVD))*", title, re.I)
    rest = title[head.end():] if head else title
    m = _ORG.match(rest.strip()) if rest.strip() else None
    if not m:
        return None
    org = m["org"].strip()
    return org or None


def split_name(name: str) -> tuple[str | None, str | None]:
    """``(family_name, given_name)`` from a name as written (no civility); both None when the
    text does not show which words are the family name (the steward decides).

    >>> split_name("Jean-Pierre LHONNEUR"), split_name("Alexandre de MONTESQUIOU"), split_name("Maciejasz")
    (('LHONNEUR', 'Jean-Pierre'), ('de MONTESQUIOU', 'Alexandre'), ('Maciejasz', None))
    >>> split_name("Céline LE FRÈRE"), split_name("Marie Dupont"), split_name("Jean Pierre Martin")
    (('LE FRÈRE', 'Céline'), ('Dupont', 'Marie'), (None, None))
    >>> split_name("Christophe de Balorre")
    ('de Balorre', 'Christophe')
    """
    words = name.split()
    caps = [i for i, w in enumerate(words) if len(w) > 1 and w.replace("-", "").replace("'", "").isupper()]
    if caps:
        first = caps[0]
        while first > 0 and re.fullmatch(_PART, words[first - 1]):
            first -= 1
        if first == 0:
            return name, None
        return " ".join(words[first:]), " ".join(words[:first])
    if len(words) == 1:
        return name, None
    if len(words) == 2:
        return words[1], words[0]
    parts = [i for i, w in enumerate(words) if re.fullmatch(_PART, w)]
    if parts and parts[0] >= 1:
        return " ".join(words[parts[0]:]), " ".join(words[:parts[0]])
    return None, None  # "Jean Pierre Martin": which words are the family name is not clear


@dataclass
class Person:
    start: int  # of the whole mention (civility or name, through the title)
    end: int
    name_start: int
    name_end: int
    name_as_written: str | None
    civility: str | None
    title_as_written: str | None

    @property
    def family_name(self) -> str | None:
        return split_name(self.name_as_written)[0] if self.name_as_written else None

    @property
    def given_name(self) -> str | None:
        return split_name(self.name_as_written)[1] if self.name_as_written else None


def _clean_title(t: str) -> str:
    return t.strip().rstrip(",;:")


def find_people(text: str, offset: int = 0) -> list[Person]:
    """People mentioned in one sentence ``text`` (offsets shifted by ``offset``), in text order."""
    people: list[Person] = []
    titles = [(m.start(), m.end()) for m in TITLE.finditer(text)]
    used_titles: set = set()

    def title_after(pos: int):
        for a, b in titles:
            gap = text[pos:a]
            if a >= pos and re.fullmatch(r"\s*[,(]?\s*", gap) and (a, b) not in used_titles:
                return a, b
        return None

    def title_before(pos: int):
        for a, b in titles:
            gap = text[b:pos]
            if b <= pos and re.fullmatch(r"\s*,?\s*(?:son|sa|leur)?\s*", gap) and (a, b) not in used_titles:
                return a, b
        return None

    taken: list[tuple[int, int]] = []
    for m in CIV_NAME.finditer(text):
        name = m["name"]
        # a title word written with a capital right after the name ("M. Dupont Maire") is not the name
        words = name.split()
        for k in range(1, len(words)):
            if TITLE.match(" ".join(words[k:])):
                words = words[:k]
                break
        name = " ".join(words)
        ns, ne = m.start("name"), m.start("name") + len(name)
        people.append(Person(m.start(), ne, ns, ne, name, m["civ"], None))
        taken.append((m.start(), ne))
    for a, b in titles:
        # a bare name right before ", title" / " (title", or right after "title, "
        before = text[max(0, a - 80):a]
        m = re.search(rf"({NAME})\s*[,(]\s*$", before)
        if m and not any(s <= a - len(before) + m.start(1) < e for s, e in taken):
            ns = a - len(before) + m.start(1)
            name = m.group(1)
            words = name.split()
            # drop leading words that are not names (sentence openers)
            while words and words[0] in _NOT_NAMES:
                ns += len(words[0]) + 1
                words = words[1:]
            name = " ".join(words)
            if len(words) >= 2 and not TITLE.match(name):
                people.append(Person(ns, ns + len(name), ns, ns + len(name), name, None, None))
                taken.append((ns, ns + len(name)))
                continue
        after = text[b:b + 80]
        m = re.match(rf"\s*,\s*({NAME})", after)
        if m and not any(s <= b + m.start(1) < e for s, e in taken):
            ns = b + m.start(1)
            words = m.group(1).split()
            if len(words) >= 2 and words[0] not in _NOT_NAMES:
                people.append(Person(ns, ns + len(m.group(1)), ns, ns + len(m.group(1)), m.group(1), None, None))
                taken.append((ns, ns + len(m.group(1))))
    # names in an enumeration after a plural title ("Les maires Jean Dupont, Marie Durand et ...")
    plural = re.search(r"\b(?:les\s+)?(?:maires|présidents|présidentes|élus|élues|signataires)\b", text, re.I)
    if plural:
        for m in re.finditer(rf"(?:(?<=\s)|(?<=,\s))(?P<name>{_GIVEN}(?:\s+{_PART})?\s+{_W})(?=\s*(?:,|\bet\b|\bont\b|\ba\b|\bpour\b|$))",
                             text[plural.end():]):
            ns = plural.end() + m.start("name")
            if any(a <= ns < b for a, b in taken) or m["name"].split()[0] in _NOT_NAMES:
                continue
            people.append(Person(ns, ns + len(m["name"]), ns, ns + len(m["name"]), m["name"], None, None))
            taken.append((ns, ns + len(m["name"])))
    people.sort(key=lambda p: p.start)
    for p in people:
        t = title_after(p.name_end)
        if t:
            used_titles.add(t)
            p.title_as_written = _clean_title(text[t[0]:t[1]])
            p.end = t[0] + len(p.title_as_written)
        else:
            t = title_before(p.start)
            if t:
                used_titles.add(t)
                p.title_as_written = _clean_title(text[t[0]:t[1]])
                p.start = t[0]
    # titles with no named holder ("le préfet de la Manche, représenté par ...")
    for a, b in titles:
        if (a, b) not in used_titles and not any(p.start <= a < p.end for p in people):
            title = _clean_title(text[a:b])
            people.append(Person(a, a + len(title), a, a, None, None, title))
    people.sort(key=lambda p: p.start)
    for p in people:
        p.start += offset
        p.end += offset
        p.name_start += offset
        p.name_end += offset
    return people
