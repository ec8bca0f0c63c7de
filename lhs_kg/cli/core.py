"""Core commands: build the store, load files, list graphs, run queries, dump, count."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import click
import pyoxigraph as ox

from lhs_kg.cli.base import (
    CliState,
    binary_stdout,
    checked_output_path,
    parse_params,
    pass_state,
    write_atomically,
)
from lhs_kg.cli.base import main as cli
from lhs_kg.cli.progress import BYTES, STEPS, Bar, beside_output, summary
from lhs_kg.cli.queries import scope_option
from lhs_kg.errors import InputError, NothingWrittenError, QueryError
from lhs_kg.formats import (
    GRAPH_FORMATS,
    RDF_FORMATS,
    RESULT_FORMATS,
    names,
    rdf_format,
    result_format,
)
from lhs_kg.graphs import is_derived
from lhs_kg.kb import Scope
from lhs_kg.loader import required_content_files
from lhs_kg.render import compact, table

SELECT_FORMATS = ["table", *names(RESULT_FORMATS)]
GRAPH_NAMES = names(GRAPH_FORMATS)


@cli.command()
@pass_state
def init(state: CliState) -> None:
    """(Re)build the store from ontology/ and data/, one named graph per file."""
    required_content_files(state.settings)  # no content: exit 2 before a store is created (#17)
    kb = state.kb(create=True)
    with Bar("checking", BYTES) as bar:

        def progress(done: int, total: int, path: Path, stage: str) -> None:
            bar.update(done, total, f"{stage} {path.name}")

        result = kb.rebuild(
            progress=lambda d, t, p: progress(d, t, p, "loading"),
            checking=lambda d, t, p: progress(d, t, p, "checking"),
        )
    click.echo(
        summary("loaded", result.triples, result.seconds, result.graphs)
        + f" ({result.graphs} graphs"
        + (f"; {result.dropped} stale graphs dropped)" if result.dropped else ")")
    )


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--graph", metavar="IRI", help="Named graph to load into (default: from the path).")
@click.option("--format", "fmt", metavar="FORMAT", help=", ".join(names(RDF_FORMATS)) + ".")
@pass_state
def load(state: CliState, file: Path, graph: str | None, fmt: str | None) -> None:
    """Add one RDF file to the store."""
    kb = state.kb(create=True)
    with Bar("loading", STEPS) as bar:
        bar.step(file.name)
        done = kb.load_counted(file, graph=graph, fmt=fmt)
    written = done.graphs
    into = f" into <{written[0]}>" if len(written) == 1 else f" into {len(written)} graphs"
    click.echo(summary("loaded", done.triples, done.seconds, 1) + into)


@cli.command()
@click.option(
    "--names",
    is_flag=True,
    help="Names only, no triple counted (counting reads every triple: ~1 min at 10M).",
)
@pass_state
def graphs(state: CliState, names: bool) -> None:
    """List the named graphs with their triple counts (the published view's copy apart)."""
    kb = state.kb()
    if names:  # (#16) what a probe or a script needs, at any size
        listed = kb.store.graph_names()
        for iri in listed:
            kept = "  (kept for the published view)" if is_derived(kb.settings, iri) else ""
            click.echo(iri + kept)
        click.echo(f"({sum(not is_derived(kb.settings, g) for g in listed)} graphs)")
        return
    every = kb.graphs()
    infos = [g for g in every if not is_derived(kb.settings, g.iri)]
    width = max((len(g.iri) for g in every), default=5)
    for info in infos:
        click.echo(f"{info.iri.ljust(width)}  {info.triples:>9,}")
    click.echo(f"({len(infos)} graphs, {sum(g.triples for g in infos):,} triples)")
    for info in (g for g in every if is_derived(kb.settings, g.iri)):  # kept by lhs_kg.layout
        click.echo(f"{info.iri.ljust(width)}  {info.triples:>9,}  (kept for the published view)")


def _looks_like_sparql(text: str) -> bool:
    return any(ch.isspace() for ch in text.strip()) or "{" in text


@cli.command()
@click.argument("query")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter of a named query (repeatable).",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    default=None,
    type=click.Choice(SELECT_FORMATS + GRAPH_NAMES),
    help=f"{'|'.join(SELECT_FORMATS)} (SELECT/ASK), {'|'.join(GRAPH_NAMES)} (CONSTRUCT/DESCRIBE).",
)
@scope_option
@pass_state
def query(
    state: CliState, query: str, params: tuple[str, ...], fmt: str | None, scope: Scope
) -> None:
    """Run QUERY (SPARQL text, a .rq file or a named query) over the published view."""
    kb = state.kb()
    bindings = None
    path = Path(query)
    if query.endswith(".rq") or (not _looks_like_sparql(query) and path.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise InputError(f"{query}: cannot read: {err.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"{query}: not UTF-8 text") from None
    elif _looks_like_sparql(query):
        text = query
    else:
        from lhs_kg.queries import QueryLibrary

        named = QueryLibrary.from_settings(state.settings).get(query)
        text = named.text
        bindings = named.bind(parse_params(params))
    if params and bindings is None:
        raise InputError("--param works with named queries only")
    result = kb.query(text, bindings=bindings, scope=scope)
    out = binary_stdout()
    if result.kind == "graph":
        if fmt in SELECT_FORMATS:
            raise QueryError(f"--format {fmt} is for SELECT/ASK; use {', '.join(GRAPH_NAMES)}")
        result.serialize(rdf_format(fmt or "ttl"), out)
    else:
        if fmt in GRAPH_NAMES:
            raise QueryError(
                f"--format {fmt} is for CONSTRUCT/DESCRIBE; use {', '.join(SELECT_FORMATS)}"
            )
        if fmt in (None, "table"):
            click.echo(table(result))
        else:
            result.serialize(result_format(fmt), out)
    out.flush()


@cli.command()
@click.option("--graph", metavar="IRI", help="Dump one graph (default: the whole dataset).")
@click.option(
    "--format",
    "-f",
    "fmt",
    default=None,
    type=click.Choice(names(RDF_FORMATS)),
    help="Default: nq for the dataset, ttl for a graph.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="File (default: stdout).")
@pass_state
def dump(state: CliState, graph: str | None, fmt: str | None, output: Path | None) -> None:
    """Write a graph or the whole dataset as RDF, streamed; exit 1 when nothing was written."""
    chosen = fmt or ("ttl" if graph else "nq")
    kb = state.kb()

    def write(handle: IO[bytes]) -> None:
        counted = _CountingWriter(handle)
        kb.dump(counted, chosen, graph)  # type: ignore[arg-type]
        if not counted.written:  # (#16) an empty dump that says nothing hides a broken store
            what = f"graph <{graph}>" if graph else "the store"
            raise NothingWrittenError(f"nothing was written: {what} holds no triples")

    if output is None:
        stream = binary_stdout()
        with Bar("writing", STEPS, enabled=beside_output()) as bar:
            bar.step("to standard output")
            write(stream)
            stream.flush()
        return
    triples = sum(g.triples for g in kb.graphs() if graph is None or g.iri == graph)
    with Bar("writing", STEPS) as bar:
        bar.step(str(output))
        write_atomically(checked_output_path(output), write)
    click.echo(summary("wrote", triples, bar.seconds) + f" to {output}", err=True)


class _CountingWriter:
    """A binary stream that counts the bytes written through it."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.written = 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return self.inner.write(data)

    def flush(self) -> None:
        self.inner.flush()


@cli.command()
@pass_state
def stats(state: CliState) -> None:
    """Count triples and graphs, instances per class and concepts per scheme."""
    result = state.kb().stats()
    click.echo(f"triples: {result.triples:,}")
    click.echo(f"graphs:  {result.graphs:,}")
    click.echo("\ninstances per class:")
    for iri, count in result.classes:
        click.echo(f"  {compact(ox.NamedNode(iri)):<45} {count:>7,}")
    click.echo("\nconcepts per scheme:")
    for iri, label, count in result.schemes:
        click.echo(f"  {(label or compact(ox.NamedNode(iri))):<45} {count:>7,}")
