"""Which URLs ``pvd-kg fetch`` may reach: the scheme, the host of each redirect, the address.

A download starts at a URL the registry or the user gave and may be redirected. Each hop is
checked before it is requested:

- only ``http`` and ``https`` (never ``file:``, ``ftp:`` ...), and never from https down to http;
- a redirect stays on the start host, or goes to a host the source or the user allowed;
- the host must resolve to public addresses only: loopback, private, link-local, shared,
  multicast and reserved addresses are refused unless the user allowed that host by name
  (a mirror on the local network, or a test server on 127.0.0.1).

The host's addresses are looked up here, then again by the connection: a DNS answer that changes
between the two (rebinding) is not caught. See docs/security.md, "Fetching".
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import FetchError

MAX_REDIRECTS = 5


@dataclass(frozen=True)
class TargetPolicy:
    """What the user allowed beyond public http(s) hosts.

    :param redirect_hosts: hosts a redirect may go to besides the start host.
    :param private_hosts: hosts that may be at a loopback/private/link-local/reserved address.
    :param max_redirects: the most redirects followed for one download.
    """

    redirect_hosts: frozenset[str] = frozenset()
    private_hosts: frozenset[str] = frozenset()
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def of(cls, redirect_hosts=(), private_hosts=(), max_redirects: int = MAX_REDIRECTS) -> "TargetPolicy":
        """A policy from any iterables of host names (compared lower-case)."""
        return cls(frozenset(h.lower() for h in redirect_hosts), frozenset(h.lower() for h in private_hosts),
                   max_redirects)


def host_of(url: str) -> str:
    """The lower-case host name of a URL, without brackets or port.

    >>> host_of("https://Static.data.gouv.fr:443/x"), host_of("http://[::1]:8000/")
    ('static.data.gouv.fr', '::1')
    """
    return (urlsplit(url).hostname or "").lower()


def check_scheme(url: str) -> None:
    """Refuse a URL that is not absolute http(s) with a host.

    >>> check_scheme("file:///etc/passwd")
    Traceback (most recent call last):
    ...
    pvd_kg.errors.FetchError: file:///etc/passwd: only http and https URLs are fetched, not file:
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs are fetched, not {parts.scheme or 'a relative URL'}:")
    if not parts.hostname:
        raise FetchError(f"{url}: no host in the URL")


def address_kind(address: str) -> str | None:
    """Why an IP address is not a public one (``"loopback"``, ``"private"`` ...), or ``None``.

    >>> [address_kind(a) for a in ("127.0.0.2", "10.1.2.3", "169.254.169.254", "::ffff:127.0.0.1", "100.64.0.1", "8.8.8.8")]
    ['loopback', 'private', 'link-local', 'loopback', 'reserved', None]
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "multicast", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if ip.is_private:
        return "private"
    if not ip.is_global or ip.is_reserved:
        return "reserved"
    return None


def addresses(host: str, port: int) -> list[str]:
    """The IP addresses ``host`` resolves to (itself when it is an IP literal).

    :raises FetchError: the name does not resolve.
    """
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve the host {host}: {getattr(exc, 'strerror', None) or exc}") from None
    return sorted({info[4][0] for info in infos})


def check_address(url: str, policy: TargetPolicy) -> None:
    """Refuse a URL whose host is at a non-public address, unless the policy names the host.

    :raises FetchError: naming the host, the address and its kind.

    >>> check_address("http://127.0.0.1:8000/x", TargetPolicy())
    Traceback (most recent call last):
    ...
    pvd_kg.errors.FetchError: http://127.0.0.1:8000/x: 127.0.0.1 is a loopback address, refused (allow it by name with --allow-private-host 127.0.0.1)
    >>> check_address("http://127.0.0.1:8000/x", TargetPolicy.of(private_hosts=["127.0.0.1"]))
    """
    host = host_of(url)
    if host in policy.private_hosts:
        return
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    for address in addresses(host, port):
        kind = address_kind(address)
        if kind is not None:
            shown = host if host == address else f"{host} ({address})"
            raise FetchError(f"{url}: {shown} is a {kind} address, refused",
                             hint=f"allow it by name with --allow-private-host {host}")


def check_redirect(start: str, current: str, target: str, hops: int, seen: set[str], policy: TargetPolicy) -> None:
    """Refuse a redirect from ``current`` to ``target`` (hop number ``hops``, 1-based).

    :param start: the URL the download started at (its host is the one a redirect may stay on).
    :param seen: the URLs requested so far (a loop revisits one).
    :raises FetchError: too many hops, a loop, a scheme change down to http, another host not
        allowed, or (through :func:`check_address`) a non-public address.

    >>> check_redirect("https://www.data.gouv.fr/r/1", "https://www.data.gouv.fr/r/1",
    ...                "http://127.0.0.1:8765/", 1, set(), TargetPolicy())
    Traceback (most recent call last):
    ...
    pvd_kg.errors.FetchError: https://www.data.gouv.fr/r/1 redirects to http://127.0.0.1:8765/: from https down to http, refused
    >>> check_redirect("https://www.data.gouv.fr/r/1", "https://www.data.gouv.fr/r/1",
    ...                "https://127.0.0.1:8765/", 1, set(), TargetPolicy.of(redirect_hosts=["127.0.0.1"]))
    Traceback (most recent call last):
    ...
    pvd_kg.errors.FetchError: https://www.data.gouv.fr/r/1 redirects to https://127.0.0.1:8765/: 127.0.0.1 is a loopback address, refused (allow it by name with --allow-private-host 127.0.0.1)
    """
    where = f"{current} redirects to {target}"
    if hops > policy.max_redirects:
        raise FetchError(f"{where}: more than {policy.max_redirects} redirects, refused")
    if target in seen:
        raise FetchError(f"{where}: a redirect loop (already requested), refused")
    try:
        check_scheme(target)
    except FetchError as exc:
        raise FetchError(f"{where}: {exc.message.removeprefix(target + ': ')}") from None
    if urlsplit(current).scheme.lower() == "https" and urlsplit(target).scheme.lower() == "http":
        raise FetchError(f"{where}: from https down to http, refused")
    host = host_of(target)
    if host != host_of(start) and host not in policy.redirect_hosts:
        raise FetchError(f"{where}: another host ({host}), refused",
                         hint=f"allow it with --allow-redirect-host {host}")
    try:
        check_address(target, policy)
    except FetchError as exc:
        raise FetchError(f"{where}: {exc.message.removeprefix(target + ': ')}", exc.hint) from None
