"""Commands for partners: ``export``, ``export-csv``, ``release`` and ``push``."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import IO

import click

from lhs_kg.cli.base import (
    CliState,
    binary_stdout,
    checked_output_path,
    parse_params,
    pass_state,
    write_atomically,
)
from lhs_kg.cli.base import main as cli
from lhs_kg.cli.progress import COUNT, STEPS, Bar, beside_output
from lhs_kg.errors import InputError
from lhs_kg.export import EXPORT_FORMATS, Selection, plan_export, write_export
from lhs_kg.export.case_studies_csv import write_case_studies_csv
from lhs_kg.export.push import push as push_graphs
from lhs_kg.export.release import build_release


@cli.command()
@click.option(
    "--graph",
    "graphs",
    multiple=True,
    metavar="IRI",
    help="Export this published graph (repeatable; default: the whole published view).",
)
@click.option(
    "--class",
    "class_iri",
    metavar="IRI",
    help="Export the instances of this class (and subclasses) with their descriptions.",
)
@click.option("--query", metavar="NAME", help="Export the result of a named CONSTRUCT query.")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter of the named query (repeatable).",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    default="nq",
    show_default=True,
    type=click.Choice(EXPORT_FORMATS),
    help="RDF format of the dump.",
)
@click.option("--gzip", "gzip", is_flag=True, help="Compress the output with gzip.")
@click.option(
    "--csv-case-studies",
    is_flag=True,
    help="Instead of RDF, write the case studies and their NASSS ratings as CSV.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="File (default: stdout).")
@pass_state
def export(
    state: CliState,
    graphs: tuple[str, ...],
    class_iri: str | None,
    query: str | None,
    params: tuple[str, ...],
    fmt: str,
    gzip: bool,
    csv_case_studies: bool,
    output: Path | None,
) -> None:
    """Export the published knowledge base (or a selection of it) as RDF, streamed.

    Only published content leaves: pending, rejected or withdrawn contributions never do.
    """
    if csv_case_studies:
        if graphs or class_iri or query or params:
            raise InputError("--csv-case-studies takes no --graph, --class, --query or --param")
        _export_csv(state, output)
        return
    kb = state.kb()
    selection = Selection(tuple(graphs), class_iri, query, parse_params(params))
    plan = plan_export(kb.store, kb.settings, selection, fmt)
    if output is None:
        out = binary_stdout()
        if not beside_output():
            write_export(plan, out, gzip=gzip)
            out.flush()
            return
        with Bar("exporting", COUNT) as bar:
            sent = write_export(
                plan, out, gzip=gzip, progress=lambda d, e: bar.update(d, max(d, e))
            )
            out.flush()
        click.echo(f"wrote {sent or 0:,} quads in {bar.seconds:.1f} s", err=True)
        return
    target = checked_output_path(output)
    written: int | None = 0

    def write(handle: IO[bytes]) -> None:
        nonlocal written
        with Bar("exporting", COUNT) as bar:

            def progress(done: int, expected: int) -> None:
                bar.update(done, max(expected, done))

            written = write_export(plan, handle, gzip=gzip, progress=progress)

    started = time.perf_counter()
    write_atomically(target, write)
    seconds = time.perf_counter() - started
    click.echo(f"wrote {written or 0:,} quads to {target} in {seconds:.1f} s", err=True)


def _export_csv(state: CliState, output: Path | None) -> None:
    kb = state.kb()
    text = write_case_studies_csv(kb.store, kb.settings).encode("utf-8")
    if output is None:
        out = binary_stdout()
        out.write(text)
        out.flush()
        return
    write_atomically(checked_output_path(output), lambda handle: handle.write(text))
    click.echo(f"wrote {output}", err=True)


@cli.command("export-csv")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="File (default: stdout).")
@pass_state
def export_csv(state: CliState, output: Path | None) -> None:
    """Write the published case studies and their NASSS ratings as CSV, one row per study."""
    _export_csv(state, output)


@cli.command()
@click.option("--version", "version", metavar="V", help="Release version (default: the package's).")
@click.option(
    "--output",
    "-o",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder for the release zip.",
)
@click.option("--server", metavar="URL", help="Public URL of the server, for the description.")
@pass_state
def release(state: CliState, version: str | None, out_dir: Path, server: str | None) -> None:
    """Build a versioned, checksummed release zip of the published knowledge base.

    Exit 1 when the published data does not conform to the shapes (nothing is written).
    """
    kb = state.kb()
    with Bar("releasing", STEPS) as bar:
        result = build_release(
            kb.store,
            kb.settings,
            out_dir,
            version=version,
            server_url=server,
            progress=bar.step,
        )
    changed = [c for c in result.changes if c.status != "unchanged"]
    since = result.previous.name if result.previous else "nothing (first release)"
    click.echo(
        f"released {result.path} ({len(result.files)} files) in {bar.seconds:.1f} s; "
        f"{len(changed)} graph(s) changed since {since}"
    )


@cli.command()
@click.option(
    "--to",
    "url",
    required=True,
    metavar="URL",
    help="The partner's Graph Store Protocol endpoint (or update endpoint).",
)
@click.option(
    "--graph",
    "graphs",
    multiple=True,
    metavar="IRI",
    help="Push this published graph (repeatable; default: every published graph).",
)
@click.option("--user", metavar="USER", help="User name for HTTP basic authentication.")
@click.option(
    "--password-env",
    metavar="VAR",
    help="Name of the environment variable that holds the password.",
)
@click.option(
    "--update-endpoint",
    is_flag=True,
    help="URL is a SPARQL 1.1 Update endpoint (DROP + INSERT DATA per graph).",
)
@click.option(
    "--retries",
    default=3,
    show_default=True,
    type=click.IntRange(0, 10),
    help="Retries on network errors, with exponential backoff.",
)
@pass_state
def push(
    state: CliState,
    url: str,
    graphs: tuple[str, ...],
    user: str | None,
    password_env: str | None,
    update_endpoint: bool,
    retries: int,
) -> None:
    """Send the published knowledge base (or some graphs) to a partner's SPARQL store."""
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise InputError(f"the environment variable {password_env} is not set")
    elif user:
        raise InputError("--user needs --password-env naming the variable with the password")
    kb = state.kb()
    summary = push_graphs(
        kb.store,
        kb.settings,
        url,
        graphs=list(graphs) or None,
        user=user,
        password=password,
        update_endpoint=update_endpoint,
        retries=retries,
        progress=lambda graph, n: click.echo(f"  {graph}: {n:,}", err=True),
    )
    click.echo(
        f"pushed {summary.graphs} graph(s), {summary.triples:,} triples to {summary.url} "
        f"in {summary.seconds:.1f} s"
    )
