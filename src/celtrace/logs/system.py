"""The system log formats: syslog (with sshd, PAM, FTP daemon and kernel firewall messages) and FTP servers' logs.

These logs carry irregular free-text messages, so each line is parsed in Python and streamed into DuckDB in Arrow
record batches (``stream``). The parts: ``syslog`` reads the lines' frame (time, host, program),
``syslog_messages`` what sshd, PAM and the FTP daemons say, ``firewall`` the kernel's netfilter packet lines,
and ``ftp`` the xferlog and vsftpd.log files.
"""

from __future__ import annotations

from celtrace.logs import ftp, syslog
from celtrace.logs.formats import Format

FORMATS: list[Format] = [
    Format(
        "xferlog",
        "FTP transfer log in the standard xferlog format (wu-ftpd, vsftpd, ProFTPD)",
        ftp.sniff_xferlog,
        ftp.read_xferlog,
    ),
    Format("vsftpd", "vsftpd's own log (vsftpd.log): logins, uploads and downloads", ftp.sniff_vsftpd, ftp.read_vsftpd),
    Format("sshd", "OpenSSH auth log (syslog lines from sshd)", syslog.sniff_sshd, syslog.read_syslog),
    Format(
        "syslog",
        "Linux syslog (RFC 3164 or RFC 5424), with sshd, PAM, FTP and kernel firewall messages read",
        syslog.sniff_syslog,
        syslog.read_syslog,
    ),
]
"""The system log formats, most specific first."""
