"""Loading content files: one graph per file, idempotent rebuilds, nothing partial on bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lhs_kg.config import Settings
from lhs_kg.errors import InputError, ParseError, UnknownFormatError
from lhs_kg.formats import rdf_format
from lhs_kg.graphs import is_derived, published_graph
from lhs_kg.loader import content_files, graph_iri_for, rebuild
from lhs_kg.store import EmbeddedStore

GOOD = b"@prefix ex: <https://example.org/> .\nex:a ex:p ex:b .\nex:b ex:p ex:c .\n"


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    """A miniature project: two content files and an example that must not be loaded."""
    root = tmp_path / "project"
    (root / "ontology").mkdir(parents=True)
    (root / "data" / "case-studies").mkdir(parents=True)
    (root / "data" / "examples").mkdir()
    (root / "ontology" / "lhs.ttl").write_bytes(GOOD)
    (root / "data" / "case-studies" / "one.ttl").write_bytes(
        b"<https://e.org/x> <https://e.org/p> 1 ."
    )
    (root / "data" / "examples" / "example.ttl").write_bytes(GOOD)
    (root / "ontology" / "context.jsonld").write_text("{}")
    return Settings.from_env({"LHS_KG_ROOT": str(root), "LHS_KG_STORE": "memory"})


def test_graph_iri_is_derived_from_the_path(project: Settings) -> None:
    path = project.data_dir / "case-studies" / "one.ttl"
    assert graph_iri_for(path, project) == "https://w3id.org/lhs-kg/graph/data/case-studies/one"


def test_content_files_skip_examples_and_json_contexts(project: Settings) -> None:
    names = [p.relative_to(project.root).as_posix() for p in content_files(project)]
    assert names == ["ontology/lhs.ttl", "data/case-studies/one.ttl"]


def test_rebuild_is_idempotent(project: Settings) -> None:
    store = EmbeddedStore()
    first = rebuild(store, project)
    after_first = [(g.iri, g.triples) for g in store.graphs()]
    second = rebuild(store, project)
    assert (first.graphs, first.triples) == (second.graphs, second.triples) == (2, 3)
    assert [(g.iri, g.triples) for g in store.graphs()] == after_first
    # the two content graphs, and their union copied once into the published graph (#16)
    assert store.triple_count() - sum(n for iri, n in after_first if is_derived(project, iri)) == 3
    assert dict(after_first)[published_graph(project)] == 3


def test_rebuild_drops_graphs_of_deleted_files_but_keeps_other_graphs(project: Settings) -> None:
    store = EmbeddedStore()
    rebuild(store, project)
    store.load(GOOD, rdf_format("ttl"), "https://w3id.org/lhs-kg/graph/contribution/c1/v1")
    (project.data_dir / "case-studies" / "one.ttl").unlink()
    summary = rebuild(store, project)
    assert summary.dropped == 1
    assert [g.iri for g in store.graphs() if not is_derived(project, g.iri)] == [
        "https://w3id.org/lhs-kg/graph/contribution/c1/v1",
        "https://w3id.org/lhs-kg/graph/ontology/lhs",
    ]


@pytest.mark.parametrize("watched", [False, True], ids=["quiet", "with-progress"])
def test_one_bad_file_leaves_the_store_exactly_as_it_was(project: Settings, watched: bool) -> None:
    """The syntax check names the line whether or not a face watches its progress."""
    store = EmbeddedStore()
    rebuild(store, project)
    before = [(g.iri, g.triples) for g in store.graphs()]
    (project.ontology_dir / "lhs.ttl").write_bytes(GOOD + b"ex:broken ex:p .\n")
    (project.data_dir / "case-studies" / "one.ttl").write_bytes(
        b"<https://e.org/y> <https://e.org/p> 2 ."
    )
    with pytest.raises(ParseError) as caught:
        rebuild(store, project, checking=(lambda d, t, p: None) if watched else None)
    assert "lhs.ttl:4" in str(caught.value)
    assert [(g.iri, g.triples) for g in store.graphs()] == before
    assert store.query("ASK { <https://e.org/y> ?p ?o }").boolean is False


def test_check_and_load_report_bytes_up_to_the_total(project: Settings) -> None:
    checked: list[tuple[int, int]] = []
    loaded: list[tuple[int, int]] = []
    rebuild(
        EmbeddedStore(),
        project,
        checking=lambda d, t, p: checked.append((d, t)),
        progress=lambda d, t, p: loaded.append((d, t)),
    )
    total = sum(p.stat().st_size for p in content_files(project))
    for reports in (checked, loaded):
        assert reports[-1] == (total, total)
        assert [d for d, _ in reports] == sorted(d for d, _ in reports)


@pytest.mark.parametrize(
    ("content", "name", "error", "match"),
    [
        (None, "missing.ttl", InputError, "no such file"),
        (b"", "empty.ttl", InputError, "empty"),
        (GOOD, "data.xyz", UnknownFormatError, "extension"),
        ("directory", "folder.ttl", InputError, "not a file"),
    ],
)
def test_unloadable_files_get_a_clear_error(
    tmp_path: Path,
    project: Settings,
    content: bytes | str | None,
    name: str,
    error: type[Exception],
    match: str,
) -> None:
    from lhs_kg.loader import load_file

    path = tmp_path / name
    if content == "directory":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=match):
        load_file(EmbeddedStore(), path, project)


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path, project: Settings) -> None:
    from lhs_kg.loader import load_file

    path = tmp_path / "big.ttl"
    path.write_bytes(GOOD * 10)
    small = project.with_overrides(max_load_bytes=100)
    with pytest.raises(InputError, match="over the limit"):
        load_file(EmbeddedStore(), path, small)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_an_unreadable_file_is_reported(tmp_path: Path, project: Settings) -> None:
    from lhs_kg.loader import load_file

    path = tmp_path / "secret.ttl"
    path.write_bytes(GOOD)
    path.chmod(0)
    with pytest.raises(InputError, match="cannot read"):
        load_file(EmbeddedStore(), path, project)


def test_a_large_file_goes_through_the_bulk_loader_all_or_nothing(
    tmp_path: Path, project: Settings
) -> None:
    from lhs_kg.loader import load_file

    lines = b"".join(
        b'<https://e.org/s%d> <https://e.org/p> "%d" .\n' % (i, i) for i in range(40_000)
    )
    assert len(lines) > 1_000_000
    good = tmp_path / "big.nt"
    good.write_bytes(lines)
    bad = tmp_path / "bad.nt"
    bad.write_bytes(lines + b"<https://e.org/oops> <https://e.org/p> .\n")
    store = EmbeddedStore(tmp_path / "store")
    graph = load_file(store, good, project, graph="https://e.org/g")
    kept = lambda: [(g.iri, g.triples) for g in store.graphs() if not is_derived(project, g.iri)]  # noqa: E731
    assert kept() == [("https://e.org/g", 40_000)]
    with pytest.raises(ParseError):
        load_file(store, bad, project, graph=graph)
    with pytest.raises(ParseError):
        load_file(store, bad, project, graph="https://e.org/new")
    assert kept() == [("https://e.org/g", 40_000)]
    assert dict((g.iri, g.triples) for g in store.graphs())[published_graph(project)] == 40_000


def test_rebuild_counts_no_graph_but_its_own(
    project: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(#16) `lhs-kg init` counted every graph of the store twice: minutes at 10M triples."""
    store = EmbeddedStore()
    store.load(b"<https://e.org/big> <https://e.org/p> 1 .", rdf_format("ttl"), "https://e.org/g")

    def no_count() -> None:
        raise AssertionError("the rebuild counted every graph of the store")

    monkeypatch.setattr(store, "graphs", no_count)
    done = rebuild(store, project)
    assert (done.graphs, done.triples, done.dropped) == (2, 3, 0)
