"""Request lines with raw UTF-8 bytes in the URL (``GET /id/é``), which clients such as curl
send as typed: the HTTP parser refuses any byte above 0x7F with a bare 400, so they are
percent-encoded (``/id/%C3%A9``) before it sees them, as a browser would have done."""

from __future__ import annotations

import re

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# a request line at the start of a chunk: method, target with at least one non-ASCII byte, version
_REQUEST_LINE = re.compile(rb"^([A-Z]{1,16} )([^ \r\n]*[\x80-\xff][^ \r\n]*)( HTTP/1\.[01]\r?\n)")
_NON_ASCII = re.compile(rb"[\x80-\xff]")


def encoded_request_line(data: bytes) -> bytes:
    """``data`` with the non-ASCII bytes of its leading request line's target percent-encoded.

    >>> encoded_request_line("GET /id/é HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n".encode())
    b'GET /id/%C3%A9 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'
    >>> encoded_request_line(b"GET /sparql HTTP/1.1\\r\\n")
    b'GET /sparql HTTP/1.1\\r\\n'
    """
    return _REQUEST_LINE.sub(lambda m: m.group(1) + _NON_ASCII.sub(lambda b: b"%%%02X" % b.group()[0], m.group(2))
                             + m.group(3), data, count=1)


class Utf8UrlProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, taking raw UTF-8 in the request line of a new request."""

    _in_message = False

    def data_received(self, data: bytes) -> None:
        if not self._in_message:  # a chunk that starts a request (not a body chunk)
            data = encoded_request_line(data)
        super().data_received(data)

    def on_message_begin(self) -> None:
        self._in_message = True
        super().on_message_begin()

    def on_message_complete(self) -> None:
        self._in_message = False
        super().on_message_complete()
