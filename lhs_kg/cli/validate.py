"""``lhs-kg validate``: check contributions (or curated files) against the data shapes.

Exit codes follow pySHACL: 0 every file conforms (warnings allowed), 1 some file does not conform,
2 some input cannot be read (the others are still checked and reported).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rdflib import Graph

from lhs_kg.cli.base import CliState, pass_state
from lhs_kg.cli.base import main as cli
from lhs_kg.config import MEMORY
from lhs_kg.errors import InputError, StoreError
from lhs_kg.formats import REPORT_FORMATS, SUBMISSION_FORMATS, for_suffix, names
from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import Report, validate


def _files(paths: tuple[Path, ...]) -> list[Path]:
    """The files named, and the submission files inside the folders named (sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p for p in path.rglob("*") if p.is_file() and for_suffix(p.name, SUBMISSION_FORMATS)
            )
        else:
            out.append(path)
    return out


def _knowledge_base(state: CliState) -> tuple[KnowledgeBase, str | None]:
    """The store if it holds content; otherwise the content files loaded into memory."""
    try:
        kb = state.kb()
        if not kb.is_empty():
            return kb, None
        reason = "the store is empty"
    except StoreError as err:
        reason = f"the store cannot be opened ({err})"
    memory = KnowledgeBase(state.settings.with_overrides(store=MEMORY))
    memory.rebuild()
    return memory, f"{reason}: references are checked against the content files instead"


@cli.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(names(REPORT_FORMATS)),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--content",
    is_flag=True,
    help="Check curated content files: the contributor and licence are not required.",
)
@pass_state
def validate_command(state: CliState, paths: tuple[Path, ...], fmt: str, content: bool) -> None:
    """Validate contributions (JSON, YAML, JSON-LD, Turtle, RDF/XML, N-Triples) in FILES or FOLDERS.

    Exit 0 when every file conforms (warnings allowed), 1 when one does not, 2 when one cannot
    be read.
    """
    files = _files(paths)
    if not files:
        raise InputError("no submission files found in " + ", ".join(str(p) for p in paths))
    kb, note = _knowledge_base(state)
    if note:
        click.echo(f"lhs-kg: note: {note}", err=True)
    reports: list[Report] = []
    failures: list[tuple[Path, str]] = []
    try:
        for path in files:
            try:
                reports.append(
                    validate(
                        path,
                        kb=kb,
                        settings=state.settings,
                        contribution=not content,
                        bounded=not content,  # curated files may be large; submissions not
                    )
                )
            except InputError as err:
                failures.append((path, str(err)))
                click.echo(f"lhs-kg: error: {err}", err=True)
    finally:
        if kb is not state._kb:
            kb.close()
    _print(reports, failures, fmt)
    if failures:
        sys.exit(2)
    if not all(report.conforms for report in reports):
        sys.exit(1)


def _print(reports: list[Report], failures: list[tuple[Path, str]], fmt: str) -> None:
    if fmt in ("text", "html"):
        for report in reports:
            click.echo(report.render(fmt), nl=False)
    elif fmt == "json":
        body = {
            "conforms": not failures and all(r.conforms for r in reports),
            "reports": [r.as_dict() for r in reports],
            "errors": [{"source": str(path), "error": message} for path, message in failures],
        }
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        merged = Graph()
        for report in reports:
            if report.graph is not None:
                for prefix, namespace in report.graph.namespaces():
                    merged.bind(prefix, namespace)
                for triple in report.graph:
                    merged.add(triple)
        click.echo(merged.serialize(format="turtle"), nl=False)


__all__ = ["validate_command"]
