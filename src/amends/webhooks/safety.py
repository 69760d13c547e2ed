"""Where amends may send webhooks: never to this machine or a private network unless the operator allows it.

Pure Python: no Django import. An integrator types the URL, so without this check amends could be made to
call its own database, a cloud metadata service or anything else behind the firewall.

The check resolves the host and holds every address it answers to; delivery then connects to one of those
addresses (`Destination.addresses`), never to a fresh lookup, so a name that answers with a public address to
the check and a private one a moment later (DNS rebinding) cannot slip through. TLS is still verified against
the host name.
"""

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

type IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges whose classification Python's ipaddress has changed between versions, or that embed an IPv4 address
# the plain flags do not look into.
_IETF_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")  # 3.12 before 3.12.4 calls most of it global
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d, and :: and ::1
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the well-known prefix: the last 32 bits are an IPv4 address
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215, local use
# The WHATWG URL standard reads a host whose last label is a number as an IPv4 address in any of the forms
# inet_aton knows (2130706433, 0x7f000001, 0177.0.0.1, 127.1), and so do getaddrinfo and curl. amends refuses
# them all: an address is written as a.b.c.d, or it is a name.
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)")


class UnsafeDestination(ValueError):
    pass


class UnresolvedHost(UnsafeDestination):
    """The host did not resolve: at delivery this may pass (a DNS outage), so it is worth another try."""


@dataclass(frozen=True)
class Destination:
    """A checked webhook URL. `addresses` are every address the host resolved to, all of them public: connect to
    one of these. Empty for a host the operator allowed by name, which is connected to as usual."""

    url: str
    host: str  # in ASCII (IDNA), as it goes into the Host header and TLS's server name
    port: int
    addresses: tuple[str, ...] = ()

    def pinned(self, address: str) -> tuple[str, dict[str, str]]:
        """The URL with `address` in place of the host, and the Host header the request must carry."""
        parts = urlsplit(self.url)
        netloc = f"[{address}]" if ":" in address else address
        default = {"https": 443, "http": 80}[parts.scheme]
        host = f"[{self.host}]" if ":" in self.host else self.host
        host_header = host if self.port == default else f"{host}:{self.port}"
        return urlunsplit((parts.scheme, f"{netloc}:{self.port}", parts.path, parts.query, "")), {"Host": host_header}


def refused_address(ip: IPAddress) -> bool:
    """Whether an address is this machine, a private or shared network, link-local, multicast, reserved, or an
    IPv6 form of one of them (mapped, compatible, 6to4, NAT64)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _IPV4_COMPATIBLE or ip in _LOCAL_NAT64:
            return True
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and refused_address(embedded):
            return True
    elif ip in _IETF_PROTOCOL:
        return True
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified


def _literal(host: str) -> IPAddress | None:
    """The address a host names by itself, if it does; refuses the unusual spellings of an IPv4 address."""
    bare = host[:-1] if host.endswith(".") else host
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC_LABEL.fullmatch(bare.rsplit(".", 1)[-1]):
        raise UnsafeDestination(f"the host {host} is an address in an unusual form; write it as a.b.c.d")
    return None


def destination(url: str, *, allowed_hosts: frozenset[str] = frozenset()) -> Destination:
    """`url` checked: raises UnsafeDestination with the reason when amends may not post to it."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise UnsafeDestination("the URL must start with https:// and name a host and a valid port") from None
    if parts.scheme not in ("http", "https") or not host:
        raise UnsafeDestination("the URL must start with https:// and name a host")
    if parts.username or parts.password:
        raise UnsafeDestination("the URL must not carry a user name or password")
    port = port or (443 if parts.scheme == "https" else 80)
    if host in allowed_hosts:
        return Destination(url=url, host=host, port=port)
    if parts.scheme != "https":
        raise UnsafeDestination("webhooks go over https only")
    literal = _literal(host)
    if literal is not None:
        ascii_host, addresses = str(literal), [str(literal)]
    else:
        try:
            ascii_host = host.encode("idna").decode("ascii")
            infos = socket.getaddrinfo(ascii_host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except UnicodeError:
            raise UnsafeDestination(f"the host {host} is not a valid name") from None
        except OSError:
            raise UnresolvedHost(f"the host {host} cannot be resolved") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if refused_address(ip):
            raise UnsafeDestination(f"the host {host} resolves to a private or local address ({ip})")
    return Destination(url=url, host=ascii_host, port=port, addresses=tuple(addresses))


def check_url(url: str, *, allowed_hosts: frozenset[str] = frozenset()) -> str:
    """The host of `url` if amends may post to it; raises UnsafeDestination with the reason otherwise."""
    return destination(url, allowed_hosts=allowed_hosts).host
