"""Cut a text into sentences, each with its character offsets into the text.

A sentence ends at ``.``, ``!`` or ``?`` followed by a space and an upper-case letter, digit or
quote, at a blank line, or at a line break after a short line or a line ending in punctuation
(list items, headings and banner lines stand alone; a wrapped line does not end a sentence). Abbreviations
that end with a dot (``M.``, ``MM.``, ``St.``, ``cf.``, initials) do not end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_END = re.compile(r"[.!?…]+[»\")]?(?=\s+[A-ZÀ-ÖØ-Þ0-9«\"(])|\n+")
_ABBREV = re.compile(r"(?:\b(?:M|MM|Mme|Mmes|Mlle|Dr|Pr|St|Ste|cf|etc|av|bd|n°|art|p)|\b[A-ZÀ-Þ])\.$")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def split(text: str) -> list[Sentence]:
    """Sentences of ``text`` with ``text[s.start:s.end] == s.text`` (surrounding spaces excluded).

    >>> [s.text for s in split("M. Dupont a signé. Mme Durand aussi.\\nAxe 1 : habitat")]
    ['M. Dupont a signé.', 'Mme Durand aussi.', 'Axe 1 : habitat']
    """
    out: list[Sentence] = []
    start = 0
    for m in _END.finditer(text):
        if m.group(0)[0] != "\n" and _ABBREV.search(text[max(0, m.start() - 5):m.start() + 1]):
            continue
        if m.group(0)[0] == "\n" and _wrapped(text, m.start(), m.end(), blank=m.group(0) != "\n"):
            continue
        end = m.end() if m.group(0)[0] != "\n" else m.start()
        _add(out, text, start, end)
        start = m.end()
    _add(out, text, start, len(text))
    return out


def _wrapped(text: str, at: int, after: int, blank: bool) -> bool:
    """A line break inside a sentence (a wrapped line, or a page break in a copied PDF: then the
    next line starts in lower case), not the end of a line item or a heading."""
    line = text[text.rfind("\n", 0, at) + 1:at].rstrip()
    rest = text[after:after + 40].lstrip()
    if not line or not rest or line[-1] in ".!?:;»\"" or len(line) < 50:
        return False
    if blank:
        return rest[0].islower()
    return rest[0] not in "-•–*" and not rest[0].isdigit()


def _add(out: list, text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end]))
