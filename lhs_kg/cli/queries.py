"""``lhs-kg queries`` lists the named questions; ``lhs-kg check`` runs the quality checks.

A check is a query of ``queries/checks/`` that must return no rows; any row is a finding, printed
as a table under the check's name and summary, and the command then exits 1.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from lhs_kg.cli.base import CliState, pass_state
from lhs_kg.cli.base import main as cli
from lhs_kg.errors import InputError
from lhs_kg.kb import SCOPES, Scope
from lhs_kg.queries import Parameter, QueryLibrary
from lhs_kg.render import table

F = TypeVar("F", bound=Callable[..., Any])


def scope_option(command: F) -> F:
    """``--scope published|all`` (``--all-graphs`` for short): what a query command reads."""
    command = click.option(
        "--all-graphs",
        "scope",
        flag_value="all",
        help="Same as --scope all.",
    )(command)
    return click.option(
        "--scope",
        "scope",
        type=click.Choice(SCOPES),
        default="published",
        show_default=True,
        help="published: what the public sees; all: every graph, pending and rejected "
        "contributions and the private registry too (curators).",
    )(command)


def _describe_params(params: tuple[Parameter, ...]) -> str:
    """Parameters written as in the query header: ``name:type``, ``?`` optional, ``=default``."""
    marks = ["?" if p.optional else f"={p.default}" if p.default else "" for p in params]
    return " ".join(f"{p.name}:{p.type}{mark}" for p, mark in zip(params, marks, strict=True))


@cli.command("queries")
@click.option("--verbose", "-v", is_flag=True, help="Show each query's parameters too.")
@pass_state
def list_queries(state: CliState, verbose: bool) -> None:
    """List the named queries with their summaries (run one with `lhs-kg query NAME`)."""
    library = QueryLibrary.from_settings(state.settings)
    named = library.all()
    if not named:
        raise InputError(f"no named queries in {state.settings.queries_dir}")
    width = max(len(q.name) for q in named)
    for query in named:
        click.echo(f"{query.name.ljust(width)}  {query.summary}")
        if verbose and query.params:
            click.echo(f"{''.ljust(width)}  params: {_describe_params(query.params)}")


@cli.command("check")
@click.option("--only", metavar="NAME", multiple=True, help="Run only this check (repeatable).")
@scope_option
@pass_state
def check(state: CliState, only: tuple[str, ...], scope: Scope) -> None:
    """Run the quality checks of queries/checks/ on the published view; exit 1 on any row."""
    library = QueryLibrary.from_settings(state.settings, "checks")
    names = list(only) or library.names()
    if not names:
        raise InputError(f"no check queries in {library.folder}")
    checks = [library.get(name) for name in names]  # unknown names fail before anything runs
    kb = state.kb()
    failed = 0
    for named in checks:
        result = kb.query(named.text, scope=scope)
        if result.kind == "ask":
            found, report = result.boolean, "(the check answered true)"
        elif result.kind == "graph":
            triples = result.triples()
            found, report = bool(triples), f"({len(triples)} triples)"
        else:
            found = any(True for _ in result)
            report = table(kb.query(named.text, scope=scope)) if found else ""
        if found:
            failed += 1
            click.echo(f"FAIL {named.name}: {named.summary}")
            click.echo(report)
            click.echo()
        else:
            click.echo(f"ok   {named.name}")
    click.echo(f"{len(checks) - failed} of {len(checks)} checks passed")
    if failed:
        sys.exit(1)
