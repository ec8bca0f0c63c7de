"""``lhs-kg reason``: check consistency with HermiT and materialise what it infers."""

from __future__ import annotations

import re
import sys

import click

from lhs_kg.cli.base import CliState, pass_state
from lhs_kg.cli.base import main as cli
from lhs_kg.cli.progress import STEPS, Bar
from lhs_kg.describe.base import curie
from lhs_kg.errors import ReasoningError
from lhs_kg.reason import DEFAULT_TIMEOUT_S, HIGH_COMPLEXITY, reason

_IRI = re.compile(r"<([^>\s]+)>")


def _readable(axiom: str) -> str:
    """An OWL API axiom with IRIs of known namespaces shortened to prefixed names."""
    return _IRI.sub(lambda m: _short(m.group(1)), axiom)


def _short(iri: str) -> str:
    short = curie(iri)
    return short if short != iri else f"<{iri}>"


@cli.command("reason")
@click.option(
    "--dry-run", is_flag=True, help="Check and report, but leave the inferred graph as it is."
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    envvar="LHS_KG_REASON_TIMEOUT",
    metavar="SECONDS",
    help="Give up when the reasoner runs longer (also LHS_KG_REASON_TIMEOUT).",
)
@pass_state
def reason_command(state: CliState, dry_run: bool, timeout_s: float) -> None:
    """Check ontology and data with HermiT; write its inferences to their own graph.

    Exit 0 consistent, 1 inconsistent (the conflicting axioms are listed), 2 no Java or error.
    """
    kb = state.kb()
    try:
        with Bar("reasoning", STEPS) as bar:
            result = reason(
                kb.store, kb.settings, timeout_s=timeout_s, dry_run=dry_run, progress=bar.step
            )
    except ReasoningError as err:
        click.echo("inconsistent")
        click.echo(str(err))
        for axiom in err.axioms:
            click.echo(f"  {_readable(axiom)}")
        sys.exit(err.exit_code)
    click.echo(
        f"consistent ({result.input_triples:,} triples in {result.input_graphs} graphs, "
        f"{result.seconds:.1f} s)"
    )
    verb = "would write" if dry_run else "wrote"
    click.echo(
        f"{verb} {result.inferred:,} inferred triples to <{result.graph}> "
        f"({result.types} types, {result.subclasses} subclass links, "
        f"{result.property_values} property values)"
    )
    click.echo(f"{_short(HIGH_COMPLEXITY)}: {len(result.members)} members")
    for member in result.members:
        click.echo(f"  {member.label}  <{member.iri}>")
    if result.unsatisfiable:
        click.echo(f"{len(result.unsatisfiable)} classes can have no members (unsatisfiable):")
        for cls in result.unsatisfiable:
            click.echo(f"  {_short(cls)}")
        sys.exit(1)
