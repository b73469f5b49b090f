"""Who a request comes from, as the limits count it (the public form's, sign-in's).

IPv4 as it is; IPv6 by its /64, the block one household or server is given, so a
client cannot step around a limit by rotating addresses inside its own block.
Behind a reverse proxy REMOTE_ADDR is the proxy's address unless the server is
told which proxy to trust (waitress: trusted_proxy).
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

UNKNOWN = "unknown"


def client_of(request: HttpRequest) -> str:
    """The client's address as counted: IPv4 as it is, IPv6 by its /64."""
    raw = str(request.META.get("REMOTE_ADDR", "") or "")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return UNKNOWN
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
