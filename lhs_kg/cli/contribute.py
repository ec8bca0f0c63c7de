"""``lhs-kg submit`` and ``lhs-kg review``: the contribution workflow from a terminal.

``submit`` exits 0 when the file is stored as a pending contribution (printing its status page
path), 1 when it does not conform (printing the report), 2 when it cannot be read.
"""

from __future__ import annotations

import sys
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

from lhs_kg.cli.base import CliState, pass_state, read_upload
from lhs_kg.cli.base import main as cli
from lhs_kg.cli.via_server import ServerClient, locked_store_advice, running_server
from lhs_kg.contributions import ACTIONS, Contributions, Contributor, parse_ref
from lhs_kg.contributions.record import record_text, summary, version_record
from lhs_kg.contributions.reviewers import (
    ACTING_HEADER,
    ReviewersFile,
    check_name,
    hash_password,
    hash_token,
    new_token,
)
from lhs_kg.contributions.session_epochs import SessionEpochs
from lhs_kg.errors import InputError, StoreError
from lhs_kg.formats import SUBMISSION_FORMATS, for_suffix, names, submission_format
from lhs_kg.validate import Issue, Report


def _flow(state: CliState) -> Contributions:
    """The workflow over the store, with advice when another process holds its lock."""
    try:
        return Contributions(state.kb())
    except StoreError as err:
        raise locked_store_advice(state.settings, err) from None


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="Your name (when the file has no contributor).")
@click.option("--email", help="Your e-mail address (when the file has no contributor).")
@click.option("--orcid", help="Your ORCID iD, e.g. 0000-0002-1825-0097.")
@click.option(
    "--format", "fmt", help=", ".join(names(SUBMISSION_FORMATS)) + " (default: from the suffix)."
)
@pass_state
def submit(
    state: CliState,
    file: Path,
    name: str | None,
    email: str | None,
    orcid: str | None,
    fmt: str | None,
) -> None:
    """Validate FILE and store it as a contribution waiting for review.

    While `lhs-kg serve` holds the store, the file goes through its API instead.
    """
    contributor = None
    if name or email or orcid:
        if not (name and email):
            raise InputError("give both --name and --email (and optionally --orcid)")
        contributor = Contributor.parse(name, email, orcid)
    data = read_upload(file, state.settings)
    server = running_server(state.settings)
    if server is not None:
        _submit_via(server, file, data, fmt, contributor)
        return
    out = _flow(state).submit(data, fmt, contributor=contributor, channel="cli", name=str(file))
    if not out.stored or out.version is None:
        click.echo(out.report.to_text(), nl=False)
        sys.exit(1)
    if out.report.issues:
        click.echo(out.report.to_text(), nl=False, err=True)
    click.echo(f"stored {out.version.ref} (pending review)")
    click.echo(f"status page: /contributions/{out.token}")


def _submit_via(
    server: ServerClient,
    file: Path,
    data: bytes,
    fmt: str | None,
    contributor: Contributor | None,
) -> None:
    """``submit`` through the running server's ``POST /api/contributions``."""
    chosen = submission_format(fmt) if fmt else for_suffix(file.name, SUBMISSION_FORMATS)
    if chosen is None:
        raise InputError(
            f"{file}: cannot tell its format from the suffix to send it to the running server; "
            f"name it with --format ({', '.join(names(SUBMISSION_FORMATS))})"
        )
    headers = {"Content-Type": chosen.media_type}
    if contributor is not None:
        given = (contributor.name, contributor.email, contributor.orcid or "")
        if not all(value.isascii() for value in given):
            raise InputError(
                "--name/--email/--orcid travel to the running server in HTTP headers, which "
                "take ASCII only: put the contributor in the file instead"
            )
        headers["X-Contributor-Name"] = contributor.name
        headers["X-Contributor-Email"] = contributor.email
        if contributor.orcid:
            headers["X-Contributor-Orcid"] = contributor.orcid
    answer = server.call("POST", "/api/contributions", headers=headers, data=data, ok=(201, 422))
    body = answer.json()
    report_data = body if answer.status_code == 422 else body.get("report", {})
    report = Report(
        source=str(file),
        format=str(report_data.get("format", chosen.name)),
        issues=[_issue(issue) for issue in report_data.get("issues", [])],
    )
    if answer.status_code == 422:
        click.echo(report.to_text(), nl=False)
        sys.exit(1)
    if report.issues:
        click.echo(report.to_text(), nl=False, err=True)
    click.echo(f"stored {body['ref']} (pending review)")
    click.echo(f"status page: {body['status_url']}")


def _issue(data: dict[str, Any]) -> Issue:
    """An issue from the API's JSON (keys this version does not know are left out)."""
    known = {f.name for f in fields(Issue)}
    return Issue(**{k: v for k, v in data.items() if k in known})


@cli.group()
def review() -> None:
    """Review contributions and manage reviewer accounts.

    While `lhs-kg serve` holds the store, list/show/decisions go through its API.
    """


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
    server = running_server(state.settings)
    if server is not None:
        params: dict[str, Any] = {"all": "1"} if wanted is None else {"state": list(wanted)}
        rows = server.call("GET", "/review", params=params).json()
    else:
        rows = [summary(v) for v in _flow(state).versions(states=wanted)]
    for r in rows:
        click.echo(f"{r['ref']}\t{r['state']}\t{r['submitted']}\t{r['contributor']}\t{r['title']}")
    if not rows:
        click.echo("no contribution waiting for review", err=True)


@review.command("show")
@click.argument("ref")
@pass_state
def review_show(state: CliState, ref: str) -> None:
    """One version: its record, its validation report and its diff with the published version."""
    server = running_server(state.settings)
    if server is not None:
        record = server.call("GET", f"/review/{_ref_path(ref)}").json()
    else:
        flow = _flow(state)
        record = version_record(flow, flow.get(ref))
    click.echo(record_text(record))


def _ref_path(ref: str) -> str:
    """``ID/vN`` checked and quoted for a URL path."""
    cid, number = parse_ref(ref)
    return f"{quote(cid, safe='')}/v{number}"


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
        server = running_server(state.settings)
        if server is not None:
            answer = server.call(
                "POST",
                f"/review/{_ref_path(ref)}/{action}",
                headers={ACTING_HEADER: name},
                json={"comment": comment},
            ).json()
            click.echo(f"{answer['ref']}: {answer['state']}")
            return
        v = _flow(state).decide(ref, action, name, comment)
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


def _accounts(state: CliState) -> ReviewersFile:
    return ReviewersFile(state.settings.reviewers_file)


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin for scripts, else asked twice without echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt="Repeat the password", err=True
        )
    if len(password) < 8:
        raise InputError("the password needs at least 8 characters")
    return password


@review.command("add-reviewer")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
@pass_state
def review_add_reviewer(state: CliState, name: str, password_stdin: bool) -> None:
    """Create reviewer NAME (or set a new password): asked twice, stored hashed.

    The running server sees the account at once; a new password ends NAME's open sessions.
    """
    check_name(name)
    password = _read_password(password_stdin)
    created = _accounts(state).set_password(name, password)
    if not created:
        SessionEpochs(state.settings.instance_dir / "sessions.json").end_sessions(name)
    what = "added reviewer" if created else "new password for reviewer"
    click.echo(f"{what} {name} in {state.settings.reviewers_file}")


@review.command("remove-reviewer")
@click.argument("name")
@pass_state
def review_remove_reviewer(state: CliState, name: str) -> None:
    """Delete reviewer NAME with its tokens, and end its sessions."""
    _accounts(state).remove(name)
    SessionEpochs(state.settings.instance_dir / "sessions.json").end_sessions(name)
    click.echo(f"removed reviewer {name} from {state.settings.reviewers_file}")


@review.command("list-reviewers")
@pass_state
def review_list_reviewers(state: CliState) -> None:
    """The reviewer accounts (names, whether a password is set, how many API tokens)."""
    accounts = _accounts(state).current().accounts
    for account in sorted(accounts.values(), key=lambda a: a.name):
        password = "password" if account.password_hash else "no password"
        click.echo(f"{account.name}\t{password}\t{len(account.token_hashes)} token(s)")
    if not accounts:
        click.echo(
            f"no reviewer in {state.settings.reviewers_file}; "
            "add one with `lhs-kg review add-reviewer NAME`",
            err=True,
        )


@review.command("new-token")
@click.argument("name", required=False)
@pass_state
def review_new_token(state: CliState, name: str | None) -> None:
    """Make an API token for reviewer NAME: stored hashed, printed once.

    Without NAME, print a token and its hash for a REVIEWERS mapping kept by hand.
    """
    if name is None:
        token = new_token()
        click.echo(f"token: {token}\nhash:  {hash_token(token)}")
        return
    token = _accounts(state).add_token(name)
    click.echo(token)
    click.echo(
        f"API token for {name} stored (hashed) in {state.settings.reviewers_file}; "
        "it is shown only this once. Send it as `Authorization: Bearer <token>`.",
        err=True,
    )
