"""``lhs-kg submit`` and ``lhs-kg review``: the contribution workflow from a terminal.

``submit`` exits 0 when the file is stored as a pending contribution (printing its status page
path), 1 when it does not conform (printing the report), 2 when it cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lhs_kg.cli.base import CliState, pass_state
from lhs_kg.cli.base import main as cli
from lhs_kg.contributions import ACTIONS, Contributions, Contributor
from lhs_kg.contributions.history import current_published, diff
from lhs_kg.contributions.reviewers import hash_password, hash_token, new_token
from lhs_kg.errors import InputError


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="Your name (when the file has no contributor).")
@click.option("--email", help="Your e-mail address (when the file has no contributor).")
@click.option("--orcid", help="Your ORCID iD, e.g. 0000-0002-1825-0097.")
@click.option("--format", "fmt", help="json, yaml, jsonld, ttl, nt or rdfxml (default: suffix).")
@pass_state
def submit(
    state: CliState,
    file: Path,
    name: str | None,
    email: str | None,
    orcid: str | None,
    fmt: str | None,
) -> None:
    """Validate FILE and store it as a contribution waiting for review."""
    contributor = None
    if name or email or orcid:
        if not (name and email):
            raise InputError("give both --name and --email (and optionally --orcid)")
        contributor = Contributor.parse(name, email, orcid)
    try:
        if file.stat().st_size > state.settings.max_upload_bytes:
            raise InputError(
                f"{file}: {file.stat().st_size:,} bytes is over the limit of "
                f"{state.settings.max_upload_bytes:,} bytes (LHS_KG_MAX_UPLOAD_BYTES)"
            )
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{file}: no such file") from None
    except OSError as err:
        raise InputError(f"{file}: cannot read: {err.strerror}") from None
    out = Contributions(state.kb()).submit(
        data, fmt, contributor=contributor, channel="cli", name=str(file)
    )
    if not out.stored or out.version is None:
        click.echo(out.report.to_text(), nl=False)
        sys.exit(1)
    if out.report.issues:
        click.echo(out.report.to_text(), nl=False, err=True)
    click.echo(f"stored {out.version.ref} (pending review)")
    click.echo(f"status page: /contributions/{out.token}")


@cli.group()
def review() -> None:
    """Review contributions: list, show, accept, request-changes, reject, withdraw."""


@review.command("list")
@click.option(
    "--state",
    "states",
    multiple=True,
    help="Only versions in this state (repeatable); default: pending and changes-requested.",
)
@click.option("--all", "show_all", is_flag=True, help="Every version, whatever its state.")
@pass_state
def review_list(state: CliState, states: tuple[str, ...], show_all: bool) -> None:
    """The review queue, oldest first."""
    wanted = None if show_all else (states or ("pending", "changes-requested"))
    versions = Contributions(state.kb()).versions(states=wanted)
    for v in versions:
        click.echo(f"{v.ref}\t{v.state}\t{v.submitted}\t{v.contributor_name}\t{v.title}")
    if not versions:
        click.echo("no contribution waiting for review", err=True)


@review.command("show")
@click.argument("ref")
@pass_state
def review_show(state: CliState, ref: str) -> None:
    """One version: its record, its validation report and its diff with the published version."""
    flow = Contributions(state.kb())
    v = flow.get(ref)
    lines = [
        f"{v.ref}: {v.title}",
        f"  state:       {v.state}",
        f"  case study:  {v.subject}",
        f"  submitted:   {v.submitted} via {v.channel} ({v.media_type})",
        f"  contributor: {v.contributor_name} <{v.contributor_email}> {v.contributor_orcid}",
        f"  licence:     {v.licence}",
        f"  sha-256:     {v.sha256}",
        f"  revises:     {v.revision_of or '(new case study)'}",
    ]
    for d in v.decisions:
        lines.append(f"  {d.at} {d.action} by {d.by}: {d.comment}")
    report = v.report
    lines.append(
        f"  validation:  {report.get('violations', 0)} violations, "
        f"{report.get('warnings', 0)} warnings"
    )
    for issue in report.get("issues", []):
        lines.append(f"    {issue['severity']} {issue['field']}: {issue['message']}")
    base = current_published(flow, v.subject)
    changes = diff(flow, base if base != v.graph else None, v.graph)
    lines.append(f"  diff against {base or 'nothing published'}:")
    for change in changes.removed + changes.added:
        lines.append(
            f"    {change.sign} {change.subject_label} · {change.predicate_label} · "
            f"{change.object_label}"
        )
    click.echo("\n".join(lines))


def _decide(action: str) -> click.Command:
    @click.argument("ref")
    @click.option(
        "--comment", "-m", default="", help="Why (required to reject or request changes)."
    )
    @click.option("--as", "reviewer", default=None, help="Reviewer name (default: $USER).")
    @pass_state
    def command(state: CliState, ref: str, comment: str, reviewer: str | None) -> None:
        import getpass

        name = reviewer or f"{getpass.getuser()} (command line)"
        v = Contributions(state.kb()).decide(ref, action, name, comment)
        click.echo(f"{v.ref}: {v.state}")

    command.__doc__ = f"{action.capitalize().replace('-', ' ')} a contribution version (ID/vN)."
    return review.command(action)(command)


for _action in ACTIONS:
    _decide(_action)


@review.command("hash-password")
@click.password_option(help="The password (asked twice when not given).")
def review_hash_password(password: str) -> None:
    """Print a scrypt hash for the reviewers file."""
    click.echo(hash_password(password))


@review.command("new-token")
def review_new_token() -> None:
    """Print a new API token and the hash to put in the reviewers file."""
    token = new_token()
    click.echo(f"token: {token}\nhash:  {hash_token(token)}")
