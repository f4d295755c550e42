"""``celtrace export``, ``celtrace verify`` and ``celtrace keys``: sealed case packages and their signing key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from celtrace.cli.common import JsonOption, WorkspaceOption, opened, print_json
from celtrace.errors import InputError

keys_app = typer.Typer(help="The workspace's Ed25519 key that signs exports.", no_args_is_help=True)


def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The package to write (e.g. case.celtrace.zip).")],
    case: Annotated[
        str | None, typer.Option("--case", help="The trove case to package (default: every trove in the workspace).")
    ] = None,
    redact: Annotated[
        str | None,
        typer.Option(
            "--redact",
            help="'people': replace the names and contact details of people no finding is about.",
        ),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Write a sealed evidence package: JSON and PDF reports, custody manifests, evidence files, audit log.

    Every file's SHA-256 is listed in a manifest signed with the workspace's key (`celtrace keys init`);
    a recipient checks it with `celtrace verify`.
    """
    from celtrace.export.package import export_case

    with opened(workspace) as ws:
        summary = export_case(ws, output, case, redact)
    typer.echo(str(summary.path))
    typer.echo(
        f"case {summary.case}: {summary.files} files, {summary.evidence_included} evidence files included"
        + (f", {summary.evidence_missing} not at hand (listed in the manifest)" if summary.evidence_missing else "")
        + (", people redacted" if summary.redacted else ""),
        err=True,
    )
    typer.echo(f"signed by {summary.signer}", err=True)


def verify(
    package: Annotated[Path, typer.Argument(help="The .celtrace.zip package to check.")],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="The sender's public key (PEM), received separately; authenticates the signer."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the outcome as one JSON object.")] = False,
) -> None:
    """Check a sealed package offline: every digest, the signature, the audit log and custody chains.

    Prints each problem on its own line, naming the file, and exits 1; prints OK and exits 0 when all holds.
    Needs no workspace.
    """
    from celtrace.export.verify import verify_package

    key_pem = None
    if key is not None:
        try:
            key_pem = key.read_bytes()
        except OSError as error:
            raise InputError(f"cannot read the key: {error.strerror or error}", file=str(key)) from None
    result = verify_package(package, key_pem, str(key) if key else "--key")
    if json_output:
        print_json(result.to_json())
    elif result.problems:
        for problem in result.problems:
            typer.echo(f"FAILED {problem}", err=True)
        typer.echo(f"{package}: {len(result.problems)} problem{'s' if len(result.problems) != 1 else ''}", err=True)
    else:
        typer.echo(
            f"OK {package}: {result.files} files match the manifest, the signature holds, "
            f"the audit log chain holds ({result.audit_entries} entries"
            + (f", {result.redacted_entries} redacted" if result.redacted_entries else "")
            + "), the custody manifests hold"
        )
        if result.authenticated:
            typer.echo(f"signer {result.signer}, authenticated by {key}")
        else:
            typer.echo(
                f"signer {result.signer}: UNAUTHENTICATED, checked against the key inside the package; "
                "pass --key with the sender's public key to know who signed it"
            )
    if not result.ok:
        raise typer.Exit(1)


@keys_app.command("init")
def keys_init(
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing key (exports it signed stay valid)")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Create the workspace's Ed25519 signing key in its keys/ folder (the private key readable by you only)."""
    from celtrace.export.keys import init_key

    with opened(workspace) as ws:
        info = init_key(ws.path, force=force)
        with ws.change("keys init", fingerprint=info.fingerprint, replaced=force):
            pass
    typer.echo(f"signing key {info.fingerprint}")
    typer.echo(f"private {info.private} (keep it secret), public {info.public}")


@keys_app.command("export-public")
def keys_export_public(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the public key (PEM).")],
    workspace: WorkspaceOption = None,
) -> None:
    """Write the public key recipients use with `celtrace verify --key`, and print its fingerprint."""
    from celtrace.export.keys import fingerprint, load_private, public_pem

    with opened(workspace) as ws:
        key = load_private(ws.path).public_key()
    try:
        output.write_bytes(public_pem(key))
    except OSError as error:
        raise InputError(f"cannot write the key: {error.strerror or error}", file=str(output)) from None
    typer.echo(f"{output}: {fingerprint(key)}")


@keys_app.command("show")
def keys_show(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """Print the signing key's fingerprint, to read out to a recipient who checks a package."""
    from celtrace.export.keys import fingerprint, load_private

    with opened(workspace) as ws:
        key = load_private(ws.path).public_key()
    if json_output:
        print_json({"algorithm": "ed25519", "fingerprint": fingerprint(key)})
    else:
        typer.echo(fingerprint(key))
