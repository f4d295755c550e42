"""What a syslog message says: sshd's, PAM's and the FTP daemons' messages, turned into event fields.

:func:`message_fields` takes the program (the syslog tag) and the message, and returns
``(ip, account, action, object, status, bytes)``. Actions: ``login``, ``login-failed`` (sshd's
"Failed password ..."), ``auth-failure`` (PAM's "authentication failure", logged beside sshd's own line for
the same attempt, so kept apart to avoid counting one attempt twice), ``invalid-user``, ``login-denied``,
``disconnect``, ``connect``, ``probe`` (no SSH identification string), ``reverse-dns-failed``,
``session-open``, ``session-close``; for FTP ``download``, ``upload``, ``delete``, ``mkdir``, ``rmdir``,
``rename``, ``chmod``; and for the kernel's firewall lines ``connect`` or ``blocked`` (see ``firewall``).
Other messages keep a NULL action but still yield the address they mention.
"""

from __future__ import annotations

import re

from celtrace.logs.addresses import clean_ip
from celtrace.logs.firewall import firewall_fields
from celtrace.logs.stream import BYTES_LIMIT

Fields = tuple[str | None, str | None, str | None, str | None, int | None, int | None]
"""``(ip, account, action, object, status, bytes)``: what a message says, in ``events.COLUMNS`` order."""

_IP = r"(?P<ip>[0-9A-Fa-f:.]+)"
_PORT = r"(?: port \d+)?"
_SSH: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(rf"^Accepted \S+ for (?P<user>.*?) from {_IP}{_PORT}"), "login"),
    (re.compile(rf"^Failed \S+ for (?:invalid user )?(?P<user>.*?) from {_IP}{_PORT}"), "login-failed"),
    (re.compile(rf"^Invalid user (?P<user>.*?) from {_IP}{_PORT}$"), "invalid-user"),
    (re.compile(rf"^User (?P<user>.*?) from {_IP} not allowed because"), "login-denied"),
    (
        re.compile(rf"^Connection closed by (?:(?:authenticating|invalid) user (?P<user>.*?) )?{_IP}{_PORT}"),
        "disconnect",
    ),
    (re.compile(rf"^Received disconnect from {_IP}{_PORT}:"), "disconnect"),
    (
        re.compile(rf"^Disconnected from (?:(?:authenticating |invalid )?user (?P<user>.*?) )?{_IP}{_PORT}"),
        "disconnect",
    ),
    (
        re.compile(r"^Disconnecting: Too many authentication failures(?: for (?:invalid user )?(?P<user>.*))?"),
        "disconnect",
    ),
    (
        re.compile(rf"^maximum authentication attempts exceeded for (?:invalid user )?(?P<user>.*?) from {_IP}{_PORT}"),
        "disconnect",
    ),
    (re.compile(rf"^Did not receive identification string from {_IP}"), "probe"),
    (re.compile(rf"^reverse mapping checking getaddrinfo for \S+ \[{_IP}\] failed"), "reverse-dns-failed"),
    (re.compile(rf"^Connection from {_IP} port \d+"), "connect"),
    (re.compile(r"^input_userauth_request: invalid user (?P<user>.*)$"), None),
]
# The first word of a message picks the few patterns worth trying: most lines then cost one match.
_SSH_BY_WORD: dict[str, list[tuple[re.Pattern[str], str | None]]] = {}
for _pattern, _action in _SSH:
    _SSH_BY_WORD.setdefault(_pattern.pattern[1:].split(" ")[0], []).append((_pattern, _action))
_PAM_FAILURE = re.compile(r"authentication failures?;")
_PAM_SESSION = re.compile(r"session (?P<what>opened|closed) for user (?P<user>\S+)")
_RHOST = re.compile(r"\brhost=(?P<ip>\S+)")
_PAM_USER = re.compile(r"\buser=(?P<user>\S+)")
_REPEATED = re.compile(r"^message repeated \d+ times: \[ ?(?P<msg>.*)\]$")
_MENTIONS = [
    re.compile(rf"\bfrom {_IP}"),
    re.compile(r"\[(?P<ip>[0-9A-Fa-f:.]+)\]"),
    re.compile(r'\bClient "(?P<ip>[^"]+)"'),
]

_VSFTPD = re.compile(
    r'^(?:\[(?P<user>[^\]]*)\] )?(?:(?P<result>OK|FAIL) )?(?P<verb>[A-Z]+): Client "(?P<ip>[^"]*)"'
    r'(?:, "(?P<object>(?:[^"]|"(?!,|$))*)")?(?:, (?P<bytes>\d+) bytes)?'
)
_VSFTPD_ACTIONS = {"LOGIN": "login", "DOWNLOAD": "download", "UPLOAD": "upload", "CONNECT": "connect"}
_FTP_CONNECT = re.compile(rf"^connection from {_IP}")


def mentioned_ip(message: str) -> str | None:
    """The client address a message mentions: PAM's ``rhost=``, else the first ``from IP``, ``[IP]`` or ``Client "IP"``.

    None when it mentions none: many messages name no client at all.
    """
    rhost = _RHOST.search(message)
    if rhost:
        return clean_ip(rhost["ip"])
    for pattern in _MENTIONS:
        for found in pattern.finditer(message):
            ip = clean_ip(found["ip"])
            if ip:
                return ip
    return None


def _ssh_fields(message: str) -> Fields | None:
    body = message.removeprefix("error: ").removesuffix(" [preauth]")
    for pattern, action in _SSH_BY_WORD.get(body.partition(" ")[0], ()):
        found = pattern.match(body)
        if found:
            names = found.groupdict()
            return (clean_ip(names.get("ip")), names.get("user") or None, action, None, None, None)
    return None


def vsftpd_fields(message: str) -> Fields | None:
    """The fields of one of vsftpd's client records (``[ann] OK DOWNLOAD: Client "IP", "/file", 52428 bytes``).

    vsftpd says only OK or FAIL; ``status`` holds the FTP reply code that means the same for that kind of
    command: 230/530 for logins, 226/426 for transfers, 250/550 for others. None when the message is no such record.
    """
    found = _VSFTPD.match(message)
    if not found:
        return None
    verb, result = found["verb"], found["result"]
    action = _VSFTPD_ACTIONS.get(verb, verb.lower())
    if verb == "LOGIN" and result == "FAIL":
        action = "login-failed"
    status = None
    if result:
        success = result == "OK"
        if verb == "LOGIN":
            status = 230 if success else 530
        elif verb in ("DOWNLOAD", "UPLOAD"):
            status = 226 if success else 426
        else:
            status = 250 if success else 550
    size = int(found["bytes"]) if found["bytes"] else None
    if size is not None and size >= BYTES_LIMIT:  # more than the column holds: no real transfer is that big
        size = None
    return (clean_ip(found["ip"]), found["user"] or None, action, found["object"], status, size)


def message_fields(program: str | None, message: str) -> Fields:
    """What a syslog message from ``program`` says about who did what from where."""
    repeated = _REPEATED.match(message)
    if repeated:
        message = repeated["msg"]
    name = (program or "").lower()
    if "pam_unix" in message or "pam_unix" in name or message.startswith("PAM "):
        if _PAM_FAILURE.search(message):
            user = _PAM_USER.search(message)
            return (mentioned_ip(message), user["user"] if user else None, "auth-failure", None, None, None)
        session = _PAM_SESSION.search(message)
        if session:
            action = "session-open" if session["what"] == "opened" else "session-close"
            return (None, session["user"], action, None, None, None)
    if name.startswith("sshd"):
        fields = _ssh_fields(message)
        if fields:
            return fields
    elif name.startswith("vsftpd"):
        fields = vsftpd_fields(message)
        if fields:
            return fields
    elif name.startswith("ftpd") and _FTP_CONNECT.match(message):
        return (mentioned_ip(message), None, "connect", None, None, None)
    elif name == "kernel":
        packet = firewall_fields(message)
        if packet:
            ip, action, service = packet
            return (ip, None, action, service, None, None)
    return (mentioned_ip(message), None, None, None, None, None)
