"""The client's address for login throttling (django-axes), behind the platform's reverse proxy.

django-axes locks out by username **and** address (``AXES_LOCKOUT_PARAMETERS``), so nobody can lock an
account out from one address. Behind a reverse proxy ``REMOTE_ADDR`` is the proxy's own address (every user
would share one); the proxy passes the client's in a header, named by the environment:

* ``XINZHI_CLIENT_IP_HEADER`` — e.g. ``X-Forwarded-For`` or ``X-Real-IP`` (unset: ``REMOTE_ADDR``, no proxy);
* ``XINZHI_PROXY_COUNT`` — how many proxies of ours append to ``X-Forwarded-For`` (default 1): the address
  is taken that many entries from the right, so an address a client wrote into the header itself is not
  believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _meta_key(header: str) -> str:
    return "HTTP_" + header.strip().upper().replace("-", "_")


def client_ip(request) -> str | None:
    """The client's address: from the configured proxy header, else ``REMOTE_ADDR``."""
    header = getattr(settings, "XINZHI_CLIENT_IP_HEADER", "")
    if header:
        value = request.META.get(_meta_key(header), "")
        entries = [e.strip() for e in value.split(",") if e.strip()]
        count = max(int(getattr(settings, "XINZHI_PROXY_COUNT", 1)), 1)
        if len(entries) >= count:
            candidate = entries[-count]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")
