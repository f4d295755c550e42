"""Reports: the workspace's chain, risk and findings as JSON, one self-contained HTML file, a PDF, or FtM entities.

    >>> write_report(workspace, "html", Path("case.html"))

Every format renders the same document, :func:`build_report`; ``report.schema.json`` describes it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from celtrace.errors import CeltraceError
from celtrace.report.model import build_report
from celtrace.workspace import Workspace

ReportFormat = Literal["json", "html", "pdf", "ftm"]
FORMATS: tuple[str, ...] = get_args(ReportFormat)


def write_report(workspace: Workspace, fmt: ReportFormat, out: Path, case: str | None = None) -> Path:
    """Write the report in ``fmt`` to ``out`` and return the path written.

    Runs ``analyze`` first when the workspace has no analysis run yet, so a report never silently
    shows an unanalysed chain as clean. ``case`` names the case on a PDF's cover (default: the
    workspace folder's name).
    """
    render = None if fmt == "pdf" else _renderer(fmt)
    out = Path(out)  # scripts pass strings too
    if out.is_dir():
        raise CeltraceError(f"cannot write the report to {out}: it is a folder; name a file")
    if not out.parent.is_dir():
        raise CeltraceError(f"cannot write the report to {out}: the folder {out.parent} does not exist")

    from celtrace.detectors.runner import analyze, latest_findings

    run, _findings = latest_findings(workspace)
    if run is None:
        analyze(workspace)
    report = build_report(workspace)
    if render is None:
        from celtrace.report.pdf import build_pdf

        content: str | bytes = build_pdf(workspace, report, case)
    else:
        content = render(report)
    try:
        _write_atomically(out, content)
    except OSError as error:
        raise CeltraceError(f"cannot write the report to {out}: {error.strerror or error}") from error
    return out


def _renderer(fmt: str) -> Callable[[Mapping[str, Any]], str]:
    # Imported per format: HTML pulls in Jinja and Graphviz, FtM its whole model, and a JSON report
    # (the scripted case) needs neither.
    if fmt == "json":
        from celtrace.report.json_report import render_json

        return render_json
    if fmt == "html":
        from celtrace.report.html import render_html

        return render_html
    if fmt == "ftm":
        from celtrace.report.ftm import render_ftm

        return render_ftm
    raise CeltraceError(f"unknown report format {fmt!r}: choose one of {', '.join(FORMATS)}")


def _write_atomically(out: Path, content: str | bytes) -> None:
    """Write beside ``out`` and rename over it: a crash never leaves half a report under the real name."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    temp = Path(temp_name)
    try:
        data = content.encode("utf-8") if isinstance(content, str) else content
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp makes the file private (0600); a report is an ordinary document the user shares.
        temp.chmod(0o644)
        temp.replace(out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


__all__ = ["FORMATS", "ReportFormat", "build_report", "write_report"]
