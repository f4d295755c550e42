"""Addresses as numbers: one 128-bit key space for IPv4 and IPv6, and the special-purpose ranges in it.

An IPv4 address is keyed as its IPv4-mapped form ``::ffff:a.b.c.d``, so ``1.2.3.4`` and ``::ffff:1.2.3.4``
are the same address; DuckDB holds keys as UHUGEINT, NumPy and Parquet as two unsigned 64-bit halves.
"""

from __future__ import annotations

import bisect
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import numpy as np

MAPPED_V4 = 0xFFFF_0000_0000
"""Key of ``::ffff:0.0.0.0``: an IPv4 address's key is this plus its 32-bit value."""

SPECIAL_PURPOSE = (
    # IANA special-purpose registries (RFC 6890 and later): no country, never a person's public address.
    *("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12"),
    *("192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24"),
    *("203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4"),
    *("::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "3fff::/20", "fc00::/7", "fe80::/10", "ff00::/8"),
)
"""Private, loopback, link-local, CGNAT, documentation, multicast and reserved ranges (``private`` true)."""

V4_PATTERN = r"^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$"
"""IPv4 text as ``ipaddress`` accepts it (no leading zeros), for parsing in SQL; octets are range-checked there."""


def address_key(text: str | None) -> int | None:
    """The 128-bit key of an address (IPv4 as ``::ffff:a.b.c.d``), or None when ``text`` is not one."""
    if not text:
        return None
    if ":" in text:
        # inet_pton (C) is ten times faster than ipaddress, and IPv6 is parsed in Python on the SQL path too.
        try:
            return int.from_bytes(socket.inet_pton(socket.AF_INET6, text.split("%", 1)[0]), "big")
        except (OSError, ValueError):
            return None
    try:
        return MAPPED_V4 + int(ipaddress.IPv4Address(text))  # rejects leading zeros and shorthand, as the SQL does
    except ValueError:
        return None


def address_text(key: int) -> str:
    """The usual text of a key: dotted IPv4 for an IPv4-mapped key, compressed IPv6 otherwise."""
    if MAPPED_V4 <= key <= MAPPED_V4 + 0xFFFF_FFFF:
        return str(ipaddress.IPv4Address(key - MAPPED_V4))
    return str(ipaddress.IPv6Address(key))


def network_range(cidr: str) -> tuple[int, int]:
    """The first and last key of a network (IPv4 or IPv6 CIDR)."""
    network = ipaddress.ip_network(cidr)
    first = address_key(str(network.network_address))
    assert first is not None  # a network address always parses
    return first, first + network.num_addresses - 1


PRIVATE = sorted(network_range(cidr) for cidr in SPECIAL_PURPOSE)
"""``SPECIAL_PURPOSE`` as sorted, disjoint (first, last) key ranges."""


def is_private(key: int) -> bool:
    """Whether a key lies in one of the special-purpose ranges."""
    index = bisect.bisect_right(PRIVATE, (key, 1 << 129)) - 1
    return index >= 0 and key <= PRIVATE[index][1]


def split_keys(keys: Iterable[int]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Keys as two unsigned 64-bit arrays, high and low halves: NumPy and Parquet have no 128-bit integer."""
    hi, lo = [], []
    for key in keys:
        hi.append(key >> 64)
        lo.append(key & 0xFFFF_FFFF_FFFF_FFFF)
    return np.array(hi, dtype=np.uint64), np.array(lo, dtype=np.uint64)
