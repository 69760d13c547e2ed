"""Where amends may send webhooks: never to this machine or a private network unless the operator allows it.

Pure Python: no Django import. An integrator types the URL, so without this check amends could be made to
call its own database, a cloud metadata service or anything else behind the firewall.
"""

import ipaddress
import socket
from urllib.parse import urlsplit


class UnsafeDestination(ValueError):
    pass


def check_url(url: str, *, allowed_hosts: frozenset[str] = frozenset(), resolve: bool = True) -> str:
    """The host of `url` if amends may post to it; raises UnsafeDestination with the reason otherwise."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise UnsafeDestination("the URL must start with https:// and name a host")
    if parts.username or parts.password:
        raise UnsafeDestination("the URL must not carry a user name or password")
    if host in allowed_hosts:
        return host
    if parts.scheme != "https":
        raise UnsafeDestination("webhooks go over https only")
    if not resolve:
        return host
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)}
    except (socket.gaierror, UnicodeError):
        raise UnsafeDestination(f"the host {host} cannot be resolved") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise UnsafeDestination(f"the host {host} resolves to a private or local address ({ip})")
    return host
