"""The kernel's firewall lines in syslog: packets logged by netfilter (iptables ``LOG``, ufw, firewalld).

The kernel writes the rule's log prefix, then the packet as ``KEY=value`` fields starting with ``IN=`` and
``OUT=``, tagged ``kernel`` in syslog::

    [12345.678] [UFW BLOCK] IN=eth0 OUT= MAC=... SRC=203.0.113.5 DST=10.0.0.2 LEN=52 ... PROTO=TCP SPT=51234 DPT=3389
    IPTABLES-DROP: IN=eth0 OUT= ... SRC=198.51.100.7 ... PROTO=UDP SPT=5353 DPT=53 LEN=40
    FINAL_REJECT: IN=eth0 OUT= ... SRC=2001:0db8:0000:... PROTO=TCP SPT=40000 DPT=22 ...

Such a line becomes an event with ``ip`` the source address, ``object`` the protocol in lower case and the
destination port (``tcp/3389``; the protocol alone for ICMP and other packets without ports), and ``action``:

- ``blocked`` when the prefix says the firewall refused the packet: it holds ``BLOCK``, ``DROP``, ``REJECT``,
  ``DENY`` or ``DENIED`` in any case (ufw's ``[UFW BLOCK]``, firewalld's ``FINAL_REJECT:`` and
  ``filter_IN_public_DROP:``, and the prefixes people give ``iptables --log-prefix``);
- ``connect`` otherwise (``[UFW ALLOW]``, ``[UFW AUDIT]``, a bare ``LOG`` rule): a packet logged on its way
  in, which the log does not say was refused.

Both are attempts to reach the port; only ``blocked`` says that the attempt failed. The prefix is whatever the
administrator chose, so the verdict is read from it as a hint, never as proof.

An ICMP error quotes the packet it answers in brackets (``[SRC=... DST=... PROTO=UDP SPT=53 DPT=1234 ]``); only
the fields before the brackets describe the packet that arrived, so only those are read.
"""

from __future__ import annotations

import re

from celtrace.logs.addresses import clean_ip

# The optional dmesg clock ("[12345.678]"), the prefix (any text, even none), then IN= and OUT=, which netfilter
# always writes first.
_NETFILTER = re.compile(r"^(?:\[ *\d+\.\d+\] ?)?(?P<prefix>.*?)IN=\S* OUT=\S*(?P<fields>(?: .*)?)$")
_REFUSED = re.compile(r"BLOCK|DROP|REJECT|DENY|DENIED", re.IGNORECASE)
_HIGHEST_PORT = 65535


def firewall_fields(message: str) -> tuple[str | None, str, str | None] | None:
    """``(ip, action, object)`` for a netfilter packet line from the kernel, or None when it is not one.

    ``ip`` is the packet's ``SRC`` (None when missing or not an address), ``action`` ``blocked`` or ``connect``,
    ``object`` ``protocol/port`` (None when the line names no protocol).
    """
    if " OUT=" not in message:  # most kernel lines: spare them the regex
        return None
    found = _NETFILTER.match(message)
    if found is None:
        return None
    arrived = found["fields"].split(" [", 1)[0]  # an ICMP error's quoted packet follows in brackets
    packet: dict[str, str] = {}
    for field in arrived.split():
        key, equals, value = field.partition("=")
        if equals:
            packet.setdefault(key, value)
    action = "blocked" if _REFUSED.search(found["prefix"]) else "connect"
    return (clean_ip(packet.get("SRC")), action, _service(packet))


def _service(packet: dict[str, str]) -> str | None:
    """``tcp/3389``: the protocol in lower case and the destination port; the protocol alone without a port."""
    protocol = packet.get("PROTO", "").lower()
    if not protocol:
        return None
    port = packet.get("DPT", "")
    if port.isascii() and port.isdigit() and int(port) <= _HIGHEST_PORT:
        return f"{protocol}/{int(port)}"
    return protocol
