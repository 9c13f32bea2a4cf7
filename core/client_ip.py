"""The client's address: one rule for the audit trail, the export log, the refused-access log and login throttling.

REMOTE_ADDR when no proxy is trusted (`TRUSTED_PROXY_COUNT = 0`, the default). Behind n trusted reverse proxies,
the n-th X-Forwarded-For entry counted from the right: the one our outermost proxy appended. Entries to its left
came from the client and are ignored, so a client cannot choose its own address by sending the header.

(django-ipware was tried for this: its `proxy_count` counts the proxies listed inside the header and, in
python-ipware 4.1.1, returns None or a client-written entry for a header with forged extra entries, so it cannot
express "trust the n proxies in front of us". tests/security/test_authentication.py holds the cases.)
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The normalised client address, or None when there is none or it is not an IP address."""
    address = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        address = forwarded[-count] if len(forwarded) >= count else address
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
