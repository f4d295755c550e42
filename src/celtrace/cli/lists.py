"""``celtrace lists``, ``celtrace screen`` and ``celtrace names compare``."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from celtrace.cli.common import JsonOption, WorkspaceOption, opened, print_json
from celtrace.errors import InputError

lists_app = typer.Typer(
    help="Sanctions lists: load them, and see what is loaded (the default).", invoke_without_command=True
)
names_app = typer.Typer(help="Compare names the way screening does.", no_args_is_help=True)

SchemaOption = Annotated[
    str | None, typer.Option("--schema", help="Person or Organization: only targets of that kind match.")
]


@lists_app.callback()
def lists_show(ctx: typer.Context, workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """What is loaded: each list, its publication date, counts and programs, and earlier loads."""
    if ctx.invoked_subcommand is not None:
        return
    from celtrace.lists.store import list_history

    with opened(workspace) as ws, ws.session() as session:
        history = list_history(session)
    if json_output:
        for row in history:
            print_json(
                {
                    "list": row.name,
                    "format": row.format,
                    "published": row.published,
                    "loaded_at": row.loaded_at,
                    "active": row.active,
                    "targets": row.target_count,
                    "programs": row.programs,
                    "files": row.files,
                }
            )
        return
    if not history:
        typer.echo("no sanctions list loaded: run `celtrace lists load FILE...`")
        return
    table = Table("list", "published", "loaded", "targets", "programs", "status")
    for row in history:
        top = ", ".join(f"{name} {count}" for name, count in sorted(row.programs.items(), key=lambda i: -i[1])[:6])
        table.add_row(
            row.name,
            row.published or "unknown",
            row.loaded_at[:16],
            str(row.target_count),
            top,
            "active" if row.active else "replaced",
        )
    Console().print(table)


@lists_app.command("load")
def lists_load(
    files: Annotated[
        list[Path], typer.Argument(help="List files: OFAC CSV (sdn, alt, add together), XML, UN, EU, UK, FtM.")
    ],
    fmt: Annotated[str, typer.Option("--format", help="auto, or a format name (see docs/sanctions.md).")] = "auto",
    published: Annotated[
        str | None, typer.Option(help="Publication date (YYYY-MM-DD) for files that do not carry one.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Load even when it is older than the loaded release.")] = False,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Load sanctions lists; a newer release of a list replaces the older one, which stays on record."""
    from celtrace.chain.fields import partial_date
    from celtrace.lists.store import load_lists

    if published is not None:
        try:
            published = partial_date(published)
        except ValueError as error:
            raise InputError(f"--published: {error}") from None
    with opened(workspace) as ws:
        for summary in load_lists(ws, files, fmt, published, force):
            if json_output:
                print_json(summary.to_json())
            else:
                replaced = f", replacing the release of {summary.replaced}" if summary.replaced else ""
                typer.echo(
                    f"{summary.list} ({summary.published or 'date unknown'}): {summary.targets} targets{replaced}"
                )


def screen(
    names: Annotated[list[str] | None, typer.Argument(help="Names to screen.")] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="A CSV with a name column (and optional schema, country, birth_date), or one name a line."
        ),
    ] = None,
    schema: SchemaOption = None,
    country: Annotated[str | None, typer.Option("--country", help="Country of the names, to weigh matches.")] = None,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Screen names against the loaded lists; print the matches screening would alert on, best first."""
    from celtrace.chain.fields import country as clean_country
    from celtrace.lists.store import build_screener

    queries = [{"name": name} for name in names or []] + (_read_queries(file) if file else [])
    if not queries:
        raise InputError("give names to screen, or --file")
    default_country = _clean(clean_country, country, "--country")
    with opened(workspace) as ws, ws.session() as session:
        screener = build_screener(session)
    for query in queries:
        countries = [c for c in (query.get("country") or default_country,) if c]
        matches = screener.screen(
            query["name"], schema=query.get("schema") or schema, countries=countries, birth_date=query.get("birth_date")
        )
        result = {
            "query": query["name"],
            "matches": [
                {
                    "target_id": m.target.id,
                    "name": m.target.caption,
                    "matched_name": m.matched_name,
                    "score": round(m.score, 3),
                    "lists": [m.target.list_name],
                    "programs": m.target.programs,
                    "schema": m.target.schema,
                    "explanation": m.explanation,
                }
                for m in matches
            ],
        }
        if json_output:
            print_json(result)
        else:
            _print_matches(result)


@names_app.command("compare")
def names_compare(
    a: Annotated[str, typer.Argument(help="A name.")],
    b: Annotated[str, typer.Argument(help="Another name.")],
    schema: SchemaOption = None,
    json_output: JsonOption = False,
) -> None:
    """Score one pair of names as screening would, with the reasons."""
    from celtrace.screening import compare_names

    result = compare_names(a, b, schema=schema)
    if json_output:
        print_json(
            {"a": a, "b": b, "score": round(result.score, 3), "match": result.match, "explanation": result.explanation}
        )
    else:
        verdict = "match" if result.match else "no match"
        typer.echo(f"{result.score:.2f} {verdict}: {result.explanation}")


def _read_queries(path: Path) -> list[dict[str, Any]]:
    """Names from a CSV with a ``name`` header (and optional schema, country, birth_date), or one a line."""
    from celtrace.chain.fields import country as clean_country

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", file=str(path)) from None
    except UnicodeDecodeError as error:
        raise InputError(f"not valid UTF-8 (byte {error.start})", file=str(path)) from None
    lines = text.splitlines()
    if not lines:
        raise InputError("empty file", file=str(path))
    header = [cell.strip().lower() for cell in next(csv.reader([lines[0]]))]
    if "name" not in header:
        return [{"name": line.strip()} for line in lines if line.strip()]
    queries = []
    for number, row in enumerate(csv.DictReader(lines[1:], fieldnames=header), start=2):
        name = (row.get("name") or "").strip()
        if not name:
            raise InputError("a name is required", file=str(path), row=number, field="name")
        query: dict[str, Any] = {"name": name, "schema": (row.get("schema") or "").strip() or None}
        query["country"] = _clean(clean_country, row.get("country"), "country", path, number)
        query["birth_date"] = (row.get("birth_date") or "").strip() or None
        queries.append(query)
    return queries


def _clean(cleaner: Any, value: str | None, field: str, path: Path | None = None, row: int | None = None) -> Any:
    if not value or not value.strip():
        return None
    try:
        return cleaner(value)
    except ValueError as error:
        raise InputError(str(error), file=str(path) if path else None, row=row, field=field) from None


def _print_matches(result: dict[str, Any]) -> None:
    console = Console()
    if not result["matches"]:
        console.print(f"[green]{result['query']}[/]: no match")
        return
    table = Table("score", "target", "list", "programs", "why", title=result["query"])
    for m in result["matches"]:
        table.add_row(
            f"{m['score']:.2f}",
            f"{m['name']} ({m['target_id']})",
            ", ".join(m["lists"]),
            ", ".join(m["programs"]),
            m["explanation"],
        )
    console.print(table)
