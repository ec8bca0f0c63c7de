"""``lhs-kg fields``: the fields of each kind, as the shapes and the JSON-LD context define them."""

from __future__ import annotations

import click

from lhs_kg.cli.base import CliState, pass_state
from lhs_kg.cli.base import main as cli
from lhs_kg.errors import InputError
from lhs_kg.model import load_model
from lhs_kg.model.docs import fields_markdown


@cli.command("fields")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="NAME",
    help="Only this kind (CaseStudy, Source, Organisation, Outcome …); repeatable.",
)
@pass_state
def fields_command(state: CliState, kinds: tuple[str, ...]) -> None:
    """Print the fields table (Markdown): JSON key, property, values, count, name, description.

    Generated from shapes/data and ontology/context.jsonld, the same model the form, the
    case-study page, search and the CSV read; docs/MODEL.md points here instead of a copy.
    """
    model = load_model(state.settings)
    unknown = [k for k in kinds if k not in model]
    if unknown:
        known = ", ".join(sorted(model.kinds))
        raise InputError(f"no kind {unknown[0]!r} in the shapes (known: {known})")
    click.echo(fields_markdown(model, list(kinds) or None), nl=False)
