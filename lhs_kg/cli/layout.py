"""``lhs-kg migrate-layout``: give a store built before #16 its materialised published graph."""

from __future__ import annotations

import sys
import time

import click

from lhs_kg.cli.base import CliState, pass_state
from lhs_kg.cli.base import main as cli
from lhs_kg.layout import Check


def _describe(check: Check) -> list[str]:
    """What is wrong with the published graph, one line each (nothing when it is right)."""
    if not check.ready:
        return ["the store has no published graph yet (the layout before #16)"]
    lines = [f"not copied yet: <{g}>" for g in check.missing_sources]
    lines += [f"copied but no longer published: <{g}>" for g in check.stray_sources]
    if check.missing_triples:
        lines.append(f"{check.missing_triples:,} published triples missing from the graph")
    if check.extra_triples:
        lines.append(f"{check.extra_triples:,} triples in the graph that no published graph holds")
    return lines


@cli.command("migrate-layout")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Only compare the published graph with its definition; change nothing.",
)
@pass_state
def migrate_layout(state: CliState, check_only: bool) -> None:
    """Build (or repair) the one graph public queries read, from the published graphs.

    Idempotent: a store already right is left alone. Exit 0 done or nothing to do, 1 with
    --check when the graph is missing or wrong, 2 usage or store error.
    """
    kb = state.kb()
    layout = kb.layout
    before = layout.check()
    problems = _describe(before)
    if not problems:
        click.echo(
            f"the published graph <{layout.graph}> is right "
            f"({len(layout.sources())} published graphs); nothing to do"
        )
        return
    for line in problems:
        click.echo(line)
    if check_only:
        click.echo("run `lhs-kg migrate-layout` to build it")
        sys.exit(1)
    started = time.monotonic()
    report = layout.rebuild()
    after = layout.check()
    if not after.ok:  # pragma: no cover - a store changed by someone else meanwhile
        for line in _describe(after):
            click.echo(line, err=True)
        sys.exit(1)
    click.echo(
        f"built <{layout.graph}> from {len(report.added)} published graphs "
        f"in {time.monotonic() - started:.2f} s; every version graph is kept"
    )
