"""Where a webhook may go: an https URL whose host resolves only to public addresses (no SSRF into our network).

Checked twice: when a subscription is saved (the admin form) and at every delivery, because DNS can change
between the two. Delivery then connects to the very address it checked (no second look-up) and never follows
a redirect.

Settings (config/settings/base.py): `API_WEBHOOK_ALLOW_HTTP` (default: DEBUG) also accepts http:// URLs;
`API_WEBHOOK_ALLOW_PRIVATE_ADDRESSES` (default False; only tests turn it on, for their receiver on 127.0.0.1)
accepts loopback and private addresses. Neither is set in production, so it refuses both.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, for the request line
    address: str  # the checked IP address delivery connects to


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is not a public one, in words for the admin; None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _kind(ip.ipv4_mapped)
    if ip.is_loopback:
        return _("a loopback address")
    if ip.is_link_local:
        return _("a link-local address")
    if ip.is_multicast:
        return _("a multicast address")
    if ip.is_unspecified:
        return _("an unspecified address")
    if ip.is_reserved:
        return _("a reserved address")
    if ip.is_private or not ip.is_global:
        return _("a private address")
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (a literal IP resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError(
            _("The host name %(host)s could not be resolved (%(error)s).") % {"host": host, "error": error},
            code="unresolvable",
        ) from error
    return list(dict.fromkeys(info[4][0] for info in infos))


def check(url: str) -> Target:
    """The URL's target if a webhook may go there; else a ValidationError that says why."""
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.API_WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise ValidationError(_("Use an https:// address: webhooks are sent only over TLS."), code="scheme")
    host = parts.hostname
    if not host:
        raise ValidationError(_("The address has no host name."), code="host")
    if parts.username or parts.password:
        raise ValidationError(_("Leave the user name and password out of the address."), code="credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise ValidationError(_("The port in the address is not a number."), code="port") from error
    addresses = resolve(host, port)
    if not settings.API_WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            why = _kind(ipaddress.ip_address(address.split("%", 1)[0]))
            if why:
                raise ValidationError(
                    _("%(host)s resolves to %(address)s, %(kind)s: webhooks go only to public internet addresses.")
                    % {"host": host, "address": address, "kind": why},
                    code="address",
                )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=addresses[0])
