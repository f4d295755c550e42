"""``celtrace docs``: what instruction documents say, in which language, and in which Korean."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from celtrace.cli.common import JsonOption, print_json
from celtrace.errors import InputError

if TYPE_CHECKING:
    from celtrace.documents.inspect import Inspection

docs_app = typer.Typer(help="Instruction documents: languages, North or South Korean, dates.", no_args_is_help=True)


@docs_app.command("inspect")
def inspect(
    files: Annotated[list[Path], typer.Argument(help="Text, DOCX, XLSX, PPTX, PDF, RTF or EML files.")],
    json_output: JsonOption = False,
) -> None:
    """Languages with their share of the text, North or South Korean with the markers found, dates (Juche ones
    converted) and metadata, per file; a file that cannot be read is named and the others still inspected."""
    from celtrace.documents.inspect import inspect_document

    failed = False
    for path in files:
        try:
            inspection = inspect_document(path)
        except InputError as error:
            failed = True
            if json_output:
                print_json({"file": str(path), "error": error.message})
            else:
                typer.echo(f"error: {error}", err=True)
            continue
        if json_output:
            print_json(inspection.to_json())
        else:
            _show(inspection)
    if failed:
        raise typer.Exit(1)


def _show(inspection: Inspection) -> None:
    shares = ", ".join(f"{share.lang} {share.share:.0%}" for share in inspection.languages)
    typer.echo(f"{inspection.file} ({inspection.kind}): {shares or 'no text'}")
    verdict = inspection.korean_variant
    if verdict.label != "unknown" or verdict.markers:
        markers = ", ".join(f"{marker.text} ({place})" for marker, place in inspection.markers[:8])
        typer.echo(f"  Korean: {verdict.label} (score {verdict.score:.2f}){': ' + markers if markers else ''}")
    for found, place in inspection.dates:
        typer.echo(f"  date: {found.text} = {found.iso} ({place})")
