"""The address of the client that sent a request, the one answer for the audit log, the
self-referral limit, the sign-in lock-out and the request log.

Behind a reverse proxy every request comes from the proxy (REMOTE_ADDR), and the client's
address is in X-Forwarded-For, which anyone can also write. So the header is believed only
as far as it was written by proxies we trust: `TRUSTED_PROXIES` (addresses or networks, e.g.
`127.0.0.1,10.0.0.0/8`) and/or `TRUSTED_PROXY_COUNT` (how many proxies stand in front of the
app). Reading from the right of the chain (`client, proxy1, proxy2` + REMOTE_ADDR), each
trusted hop is stepped over, at most `TRUSTED_PROXY_COUNT` of them; the first hop that is not
trusted is the client. With neither set, X-Forwarded-For is ignored (REMOTE_ADDR is the client).

Limits per client (self-referrals, wrong API tokens) count by `limit_key`: an IPv6 client is
its /64, since one home or server is given a whole /64 and can take a new address from it
for every request.
"""

import ipaddress
from functools import cache

from django.conf import settings


@cache
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 address as a dual-stack socket reports it (::ffff:a.b.c.d) is that IPv4 address,
    # both for matching TRUSTED_PROXIES and for counting one client's attempts.
    return getattr(address, "ipv4_mapped", None) or address


def client_address(request) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    count = settings.TRUSTED_PROXY_COUNT
    if not networks and not count:
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    chain = [_address(hop) for hop in forwarded if hop.strip()] + [remote]
    client, stepped = chain[-1], 0
    for hop in reversed(chain[:-1]):
        trusted = any(client in n for n in networks) if networks else True
        if not trusted or (count and stepped >= count):
            break
        if hop is None:
            # A trusted proxy passed on something that is not an address: believe no further.
            break
        client, stepped = hop, stepped + 1
    return str(client)


IPV6_CLIENT_PREFIX = 64


def limit_key(address: str | None) -> str:
    """What a limit per client counts by: the IPv4 address, or the IPv6 address's /64."""
    parsed = _address(address or "")
    if parsed is None:
        return ""
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(parsed)
