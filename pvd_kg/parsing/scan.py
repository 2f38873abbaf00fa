"""Look at an untrusted RDF document before the parser does, and refuse what the parser would
handle badly: nesting deeper than a cap (pyoxigraph's JSON-LD and RDF/XML parsers slow down
quadratically with depth and its N-Triples parser overflows its stack on nested triple terms),
a single token (literal, IRI, tag, comment) longer than a cap, a JSON-LD context that would have
to be fetched or read from a file, and an XML DTD other than short internal entities (no
external entity, no entity that refers to another: no billion laughs).

Standard library only: it runs in the parse child (``_child.py``) as well as in tests. The file
is read in chunks; a token cut by a chunk boundary is carried over to the next one, so memory
stays within the token cap.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate

CHUNK = 1 << 20
ENTITY_MAX_BYTES = 256  # an internal XML entity's value: at most ~85x expansion per reference

# One Turtle token that may hold brackets: strings, IRIs, comments, escapes.
_TURTLE_TOKEN = rb'''"""(?:[^"\\]|\\.|"(?!""))*+"""
      | \'\'\'(?:[^'\\]|\\.|'(?!''))*+\'\'\'
      | "(?:[^"\\\n\r]|\\.)*+"
      | '(?:[^'\\\n\r]|\\.)*+'
      | <[^<>"{}|^`\\\s]*+>
      | \#[^\n\r]*+[\n\r]
      | \\.'''
# A run of anything but brackets is one match (the scan's speed is in matches per second).
_TURTLE = re.compile(rb'''
    (?P<skip>(?:[^"'<>\#\\\[\]()]++|''' + _TURTLE_TOKEN + rb''')++)
    | (?P<cut><<\Z|\)>?\Z)  # "<<(" or ")>>" may go on in the next chunk
    | (?P<open><<\(|<<|\[|\()
    | (?P<close>\)>>|>>|\]|\))
    | (?P<partial>"""(?:[^"\\]|\\.|"(?!""))*+\\?\Z
      | \'\'\'(?:[^'\\]|\\.|'(?!''))*+\\?\Z
      | "(?:[^"\\\n\r]|\\.)*+\\?\Z
      | '(?:[^'\\\n\r]|\\.)*+\\?\Z
      | <[^<>"{}|^`\\\s]*+\Z
      | \#[^\n\r]*+\Z
      | \\\Z)
''', re.S | re.X)
_TURTLE_ONE = re.compile(_TURTLE_TOKEN, re.S | re.X)

# Every JSON token: used inside a "@context" array, where each string counts.
_JSON = re.compile(rb'''
    (?P<string>"(?:[^"\\]|\\.)*+")
    | (?P<open>[\[{])
    | (?P<close>[\]}])
    | (?P<colon>:)
    | (?P<comma>,)
    | (?P<partial>"(?:[^"\\]|\\.)*+\\?\Z)
''', re.S | re.X)
# Elsewhere, only a key that may bring a context (or an escaped string, which may spell one)
# stops a run of everything but brackets.
_JSON_RUN = re.compile(rb'''
    (?P<key>(?P<name>"@context"|"@import"|"[^"\\]*+\\(?:[^"\\]|\\.)*+")(?P<colon>\s*+:\s*+(?=(?P<value>["\[{]))?)?)
    | (?P<skip>(?:[^"\[\]{}]++|"(?!@context"|@import")[^"\\]*+")++)
    | (?P<open>[\[{])
    | (?P<close>[\]}])
    | (?P<partial>"(?:[^"\\]|\\.)*+\\?\Z)
''', re.S | re.X)

_XML = re.compile(rb'''
    (?P<skip><!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>)
    | (?P<doctype>(?i:<!DOCTYPE))  # the parser takes any case
    | (?P<close></[^>]*+>)
    | (?P<open><[^\s/>!?](?:[^>"']|"[^"]*+"|'[^']*+')*+>)
    | (?P<partial><(?:!--(?:(?!-->).)*+|!\[CDATA\[(?:(?!\]\]>).)*+|\?(?:(?!\?>).)*+|/[^>]*+
                    |!?\[?[A-Za-z]*|[^\s/>!?](?:[^>"']|"[^"]*+"|'[^']*+')*+(?:"[^"]*+|'[^']*+)?)\Z)
''', re.S | re.X)

_DOCTYPE = re.compile(rb'''<!DOCTYPE\s+[^\s\[>]+\s*(?P<external>(?:SYSTEM|PUBLIC)[^\[>]*)?
    (?:\[(?P<subset>(?:[^\]"']|"[^"]*"|'[^']*')*)\])?\s*>''', re.S | re.X | re.I)
_ENTITY = re.compile(rb'''\s*(?P<decl><!--.*?-->|<!ENTITY\s+(?P<name>[^\s%"']+)\s+(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s*>)''', re.S)
_REFERENCE = re.compile(rb"&(?!#[0-9]+;|#x[0-9a-fA-F]+;)|%")


class Refused(Exception):
    """The document is refused; ``offset`` is the byte where the problem is."""

    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset, self.message = offset, message


def scan(path: str, syntax: str, *, max_depth: int, max_token: int) -> None:
    """Read ``path`` once and raise :class:`Refused` on the first problem.

    :param syntax: ``turtle`` (Turtle, TriG), ``ntriples`` (N-Triples, N-Quads: only nested
        triple terms are looked for), ``jsonld`` or ``rdfxml``.
    """
    if syntax == "ntriples" and _plain_lines(path, max_token):
        return
    step = {"turtle": _TurtleState, "ntriples": _TurtleState, "jsonld": _JsonState, "rdfxml": _XmlState}[syntax]
    state = step(max_depth, max_token)
    with open(path, "rb") as f:
        base, carry = 0, b""
        while True:
            chunk = f.read(CHUNK)
            final = not chunk
            data = carry + chunk
            done = state.feed(data, base, final)
            carry = data[done:]
            base += done
            if len(carry) > max_token:
                raise Refused(base, f"a single literal, IRI, tag or comment longer than {max_token} bytes")
            if final:
                return


def _plain_lines(path: str, max_token: int) -> bool:
    """True if no line nests (no ``<<``) and none is longer than ``max_token``: then no token
    can break a cap, and the tokenizer is not needed (a fast path for the largest files)."""
    with open(path, "rb") as f:
        tail, run = b"", 0
        while chunk := f.read(CHUNK):
            if b"<<" in tail + chunk:
                return False
            lines = chunk.split(b"\n")
            if len(lines) == 1:
                run += len(chunk)
            else:
                longest = max(run + len(lines[0]), max(map(len, lines[1:-1]), default=0))
                run = len(lines[-1])
                if longest > max_token:
                    return False
            if run > max_token:
                return False
            tail = chunk[-1:]
    return True


class _State:
    regex: re.Pattern
    single: re.Pattern | None = None  # one token, when ``regex`` matches runs of them

    def __init__(self, max_depth: int, max_token: int):
        self.max_depth, self.max_token, self.depth = max_depth, max_token, 0

    def feed(self, data: bytes, base: int, final: bool) -> int:
        """Consume ``data`` (starting at byte ``base`` of the file); return how much was
        consumed (the rest is an unfinished token, read again with the next chunk)."""
        pos = 0
        while m := self.pattern().search(data, pos):
            pos = m.end()
            kind = m.lastgroup
            if kind == "key" and m.end() == len(data) and not final:
                return m.start()  # its colon and value may come in the next chunk
            if kind in ("partial", "cut"):
                if final:
                    return len(data)  # an unterminated token: the parser reports it
                return m.start()
            if m.end() - m.start() > self.max_token:
                self.check_length(m, data, base)
            if kind == "open":
                self.opened(m, base)
            elif kind == "close":
                self.depth = max(self.depth - 1, 0)
                self.closed()
            else:
                self.other(m, data, base, final)
        return len(data)

    def pattern(self) -> re.Pattern:
        return self.regex

    def check_length(self, m, data: bytes, base: int) -> None:
        """Refuse the token ``m`` (or, in a run of tokens, the first one) longer than the cap."""
        tokens = self.single.finditer(data, m.start(), m.end()) if m.lastgroup == "skip" and self.single else [m]
        for token in tokens:
            if token.end() - token.start() > self.max_token:
                raise Refused(base + token.start(),
                              f"a single literal, IRI, tag or comment longer than {self.max_token} bytes")

    def opened(self, m, base: int) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise Refused(base + m.start(), f"nesting deeper than {self.max_depth} levels")

    def closed(self) -> None:
        pass

    def other(self, m, data: bytes, base: int, final: bool) -> None:
        pass


class _TurtleState(_State):
    regex, single = _TURTLE, _TURTLE_ONE


_PLAIN_STRING = re.compile(rb'"[^"]*"')
_ESCAPE = re.compile(rb"\\.", re.S)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_DEPTH_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


class _JsonState(_State):
    """Also refuses a context given by IRI (``"@context": "..."``, a string in an
    ``"@context"`` array, ``"@import"``): pyoxigraph never loads one, but says so only as
    "No LoadDocumentCallback"; this names the place."""

    regex, single = _JSON_RUN, re.compile(rb'"(?:[^"\\]|\\.)*+"', re.S)

    def pattern(self) -> re.Pattern:
        return _JSON if "context" in self.stack else _JSON_RUN

    def feed(self, data: bytes, base: int, final: bool) -> int:
        """A chunk with no ``\\u`` escape, no context key and no nesting or string past a cap
        (most of them) is measured in bulk: escapes blanked, strings cut out, then the running
        depth over its brackets; any other chunk goes token by token."""
        if b"\\u" in data or b"@context" in data or b"@import" in data or "context" in self.stack:
            return super().feed(data, base, final)  # \u may spell a key
        raw, data = data, _ESCAPE.sub(b"__", data)  # same length, no quote left escaped
        if data.endswith(b"\\"):
            return super().feed(raw, base, final)  # an escape the chunk cuts
        end = len(data)
        if data.count(b'"') % 2:  # without backslashes, the last quote opens a string the chunk cuts
            if final:
                return super().feed(raw, base, final)
            end = data.rindex(b'"')
        if self._long.search(data, 0, end):  # a long string (or a long stretch between two)
            return super().feed(raw, base, final)
        brackets = _PLAIN_STRING.sub(b"", data[:end]).translate(None, _NOT_BRACKETS)
        if brackets:
            depths = list(accumulate(memoryview(brackets.translate(_DEPTH_STEP)).cast("b"), initial=self.depth))
            if min(depths) < 0 or max(depths) > self.max_depth:
                return super().feed(raw, base, final)
            self.depth = depths[-1]
        self.key = self.last_string = None
        return end

    def __init__(self, max_depth: int, max_token: int):
        super().__init__(max_depth, max_token)
        self._long = re.compile(rb'"[^"]{%d}' % max_token)
        self.stack: list[str] = []  # "{", "[" or "context" (an array that is a @context)
        self.last_string: str | None = None
        self.key: str | None = None  # the key whose value comes next

    def opened(self, m, base: int) -> None:
        super().opened(m, base)
        key, self.key = self.key, None
        if key == "@import":
            raise Refused(base + m.start(), "a JSON-LD @import is refused: contexts are never fetched nor read from files")
        self.stack.append("context" if key == "@context" and m.group() == b"[" else m.group().decode())

    def closed(self) -> None:
        if self.stack:
            self.stack.pop()
        self.key = None

    def other(self, m, data: bytes, base: int, final: bool) -> None:
        kind = m.lastgroup
        if kind == "key":
            name = _decode(m.group("name"))
            if m.group("colon") and name in ("@context", "@import"):
                if name == "@import" or m.group("value") == b'"':
                    value = _JSON.match(data, m.end())
                    shown = _decode(value.group()) if value and value.lastgroup == "string" else "..."
                    raise Refused(base + m.end(), f"a JSON-LD context given by IRI ({shown[:80]}) is refused: "
                                                  "contexts are never fetched nor read from files; put the context inline")
                self.key = name if m.group("value") == b"[" else None
            else:
                self.key = None
        elif kind == "skip":
            self.key = None
        elif kind == "string":
            text = m.group()
            self.last_string = _decode(text)
            if self.key in ("@context", "@import") or (self.key is None and self.stack and self.stack[-1] == "context"):
                raise Refused(base + m.start(), f"a JSON-LD context given by IRI ({self.last_string[:80]}) is refused: "
                                                "contexts are never fetched nor read from files; put the context inline")
            self.key = None
        elif kind == "colon":
            self.key, self.last_string = self.last_string, None
        else:  # comma
            self.key = self.last_string = None


def _decode(token: bytes) -> str:
    if b"\\" not in token:
        return token[1:-1].decode("utf-8", "replace")
    try:
        return json.loads(token)
    except ValueError:
        return token[1:-1].decode("utf-8", "replace")


class _XmlState(_State):
    regex = _XML

    def opened(self, m, base: int) -> None:
        if not m.group().endswith(b"/>"):
            super().opened(m, base)

    def other(self, m, data: bytes, base: int, final: bool) -> None:
        if m.lastgroup == "doctype":
            _check_doctype(data, m.start(), base)


def _check_doctype(data: bytes, start: int, base: int) -> None:
    where = base + start
    doctype = _DOCTYPE.match(data, start)
    if doctype is None:
        raise Refused(where, "a malformed or oversized DOCTYPE is refused")
    if doctype.group("external"):
        raise Refused(where, "an external DTD (SYSTEM or PUBLIC) is refused")
    subset, pos = doctype.group("subset") or b"", 0
    offset = base + doctype.start("subset") if doctype.group("subset") is not None else where
    while pos < len(subset.rstrip()):
        entity = _ENTITY.match(subset, pos)
        if entity is None:
            pos += len(subset[pos:]) - len(subset[pos:].lstrip())
            raise Refused(offset + pos, "DTD declarations other than internal entities are refused "
                                        "(no external or parameter entity, no ELEMENT or ATTLIST)")
        value = entity.group("dq") if entity.group("dq") is not None else entity.group("sq")
        if value is not None:
            name = entity.group("name").decode("utf-8", "replace")
            if _REFERENCE.search(value):
                raise Refused(offset + entity.start("decl"), f"the XML entity {name} refers to another entity: refused (entity expansion)")
            if len(value) > ENTITY_MAX_BYTES:
                raise Refused(offset + entity.start("decl"), f"the XML entity {name} is longer than {ENTITY_MAX_BYTES} bytes: refused "
                                            "(entity expansion)")
        pos = entity.end()


def position(path: str, offset: int) -> tuple[int, int]:
    """The line and column (1-based, column in characters) of byte ``offset`` of ``path``."""
    line, read, last = 1, 0, b""
    with open(path, "rb") as f:
        while read < offset:
            chunk = f.read(min(CHUNK, offset - read))
            if not chunk:
                break
            n = chunk.count(b"\n")
            if n:
                line += n
                last = chunk[chunk.rindex(b"\n") + 1:]
            else:
                last += chunk
            read += len(chunk)
    return line, len(last.decode("utf-8", "replace")) + 1
