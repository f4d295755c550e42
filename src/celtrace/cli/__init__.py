"""The command line: thin commands over the library, one module per command group."""

from __future__ import annotations

import typer

from celtrace.cli import analysis, assets, chain, demo, documents, export, lists, logs, trove, watermark, web, workspace
from celtrace.cli.common import CeltraceGroup

app = typer.Typer(
    name="celtrace",
    cls=CeltraceGroup,
    help="See who really works on a production: map the outsourcing chain, screen it, trace leaks, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command()(workspace.init)
app.command()(demo.demo)
app.add_typer(chain.vendors_app, name="vendors")
app.add_typer(lists.lists_app, name="lists")
app.command()(lists.screen)
app.add_typer(lists.names_app, name="names")
app.add_typer(assets.assets_app, name="assets")
app.command()(assets.match)
app.command()(watermark.deliver)
app.add_typer(watermark.watermark_app, name="watermark")
app.add_typer(trove.trove_app, name="trove")
app.add_typer(logs.logs_app, name="logs")
app.add_typer(documents.docs_app, name="docs")
app.command()(analysis.analyze)
app.command()(analysis.report)
app.command()(export.export)
app.command()(export.verify)
app.add_typer(export.keys_app, name="keys")
app.add_typer(workspace.audit_app, name="audit")
app.command()(web.serve)
app.add_typer(web.users_app, name="users")


def main() -> None:
    """Entry point of the ``celtrace`` console script."""
    app()
