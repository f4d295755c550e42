"""Client addresses as the readers store them in ``ip``: canonical text, or NULL when a field holds no address."""

from __future__ import annotations

import functools
import ipaddress


def clean_ip(text: str | None) -> str | None:
    """The address in ``text`` in canonical form (IPv4-mapped IPv6 unwrapped), or None when it is not one."""
    return _clean_ip(text.strip().strip("[]")) if text else None


@functools.lru_cache(maxsize=1 << 16)  # a log repeats its addresses, and ipaddress is slow next to a lookup
def _clean_ip(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)
