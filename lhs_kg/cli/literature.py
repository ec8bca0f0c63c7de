"""``lhs-kg import-sources FILE``: a researcher's BibTeX, RIS or CSL-JSON file as a contribution.

The entries are checked first (a malformed file or entry is refused with the entry key and field
named, exit 2, nothing stored); sources the knowledge base already has, by DOI, PubMed id or title,
are left out; the rest are stored as one source list waiting for review (exit 0), like any
contribution. A list that does not conform to the shapes prints its report (exit 1).
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

import click

from lhs_kg.cli.base import CliState, pass_state, read_upload
from lhs_kg.cli.base import main as cli
from lhs_kg.cli.via_server import ServerClient, running_server
from lhs_kg.contributions import Contributor
from lhs_kg.errors import InputError
from lhs_kg.formats import REFERENCE_FORMATS, Format, named
from lhs_kg.literature.entries import FORMATS, format_of, read_entries
from lhs_kg.literature.intake import plan


@cli.command("import-sources")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: from the suffix.")
@click.option("--name", required=True, help="Your name, as the contributor.")
@click.option("--email", required=True, help="Your e-mail address (never published).")
@click.option("--orcid", help="Your ORCID iD, e.g. 0000-0002-1825-0097.")
@click.option("--dry-run", is_flag=True, help="Check and show what would be added; store nothing.")
@pass_state
def import_sources(
    state: CliState,
    file: Path,
    fmt: str | None,
    name: str,
    email: str,
    orcid: str | None,
    dry_run: bool,
) -> None:
    """Import the references of FILE (BibTeX, RIS or CSL-JSON) as a source list for review."""
    contributor = Contributor.parse(name, email, orcid)
    data = read_upload(file, state.settings)
    entries = read_entries(data, str(file), fmt)
    server = running_server(state.settings)
    if server is not None:  # `lhs-kg serve` holds the store: go through its API
        _import_via(server, file, data, fmt or format_of(str(file)), contributor, dry_run)
        return
    kb = state.kb()
    intake = plan(kb, entries, str(file), data)
    for key, match in intake.duplicates:
        click.echo(f"skipped {key}: already known as {match}")
    for key, iri in intake.added:
        click.echo(f"new     {key}: {iri}")
    click.echo(f"{len(intake.added)} new, {len(intake.duplicates)} already known")
    if intake.subject is None or dry_run:
        return
    from lhs_kg.contributions import Contributions

    payload = intake.graph.serialize(format="nt").encode("utf-8")
    out = Contributions(kb).submit(
        payload, "nt", contributor=contributor, channel="cli", name=str(file)
    )
    if not out.stored or out.version is None:
        click.echo(out.report.to_text(), nl=False)
        sys.exit(1)
    click.echo(f"stored {out.version.ref} (pending review)")
    click.echo(f"status page: /contributions/{out.token}")


def reference_format(name: str) -> Format:
    """The reference format called ``name`` (from the one table of formats)."""
    found = named(name, REFERENCE_FORMATS)
    if found is None:
        raise InputError(f"unknown reference format {name!r}")
    return found


def _import_via(
    server: ServerClient,
    file: Path,
    data: bytes,
    fmt: str,
    contributor: Contributor,
    dry_run: bool,
) -> None:
    """``import-sources`` through the running server's ``POST /api/sources/import``."""
    if dry_run:
        raise InputError("--dry-run needs the store: stop `lhs-kg serve` or drop --dry-run")
    given = (contributor.name, contributor.email, contributor.orcid or "")
    if not all(value.isascii() for value in given):
        raise InputError("--name/--email/--orcid travel in HTTP headers, which take ASCII only")
    headers = {"X-Contributor-Name": contributor.name, "X-Contributor-Email": contributor.email}
    if contributor.orcid:
        headers["X-Contributor-Orcid"] = contributor.orcid
    answer = server.call(
        "POST",
        f"/api/sources/import?format={fmt}&name={quote(file.name)}",
        headers={**headers, "Content-Type": reference_format(fmt).media_type},
        data=data,
        ok=(200, 201, 422),
    )
    body = answer.json()
    for item in body.get("duplicates", []):
        click.echo(f"skipped {item['key']}: already known as {item['of']}")
    for item in body.get("added", []):
        click.echo(f"new     {item['key']}: {item['source']}")
    if answer.status_code != 422:
        added, known = len(body.get("added", [])), len(body.get("duplicates", []))
        click.echo(f"{added} new, {known} already known")
    if answer.status_code == 201:
        click.echo(f"stored {body['ref']} (pending review)")
        click.echo(f"status page: {body['status_url']}")
    elif answer.status_code == 422:
        for issue in body.get("issues", []):
            click.echo(f"{issue.get('field', '')}: {issue.get('message', '')}")
        sys.exit(1)


__all__ = ["import_sources"]
