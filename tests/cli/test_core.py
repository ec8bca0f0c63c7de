"""The core commands, run as a user would, against a real store in a temporary folder."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from tests.helpers import ROOT, SparqlServer, free_port


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Environment pointing the CLI at a fresh store folder and the repository's content."""
    return {"LHS_KG_STORE": str(tmp_path / "store"), "LHS_KG_ROOT": str(ROOT)}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def built(env: dict[str, str]) -> dict[str, str]:
    """A store built from the repository with `lhs-kg init`."""
    result = run(env, "init")
    assert result.exit_code == 0, result.output
    return env


def test_init_loads_every_content_file_and_prints_a_summary(built: dict[str, str]) -> None:
    result = run(built, "init")  # a second run rebuilds in place
    assert result.exit_code == 0
    said = re.fullmatch(
        r"loaded ([\d,]+) triples from (\d+) files in [\d.]+ s \((\d+) graphs\)\n",
        result.output,
    )
    assert said is not None, result.output
    graphs = run(built, "graphs").output
    listed = re.search(r"\((\d+) graphs, ([\d,]+) triples\)", graphs)
    assert listed is not None
    assert said.group(1) == listed.group(2)  # a fresh store holds only the content
    assert said.group(2) == said.group(3) == listed.group(1)
    assert "https://w3id.org/lhs-kg/graph/ontology/lhs" in graphs
    assert "https://w3id.org/lhs-kg/graph/data/sources" in graphs


def test_query_prints_a_table(built: dict[str, str]) -> None:
    result = run(
        built,
        "query",
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?n WHERE { <https://w3id.org/lhs-kg/concept/nasss/1A> skos:notation ?n }",
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2].strip() == "1A"
    assert "(1 row)" in result.output


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("csv", lambda out: out.splitlines()[0] == "n"),
        ("tsv", lambda out: out.splitlines()[0] == "?n"),
        ("json", lambda out: json.loads(out)["head"]["vars"] == ["n"]),
        ("xml", lambda out: "<sparql" in out),
    ],
)
def test_select_output_formats(built: dict[str, str], fmt: str, check) -> None:  # type: ignore[no-untyped-def]
    result = run(built, "query", "-f", fmt, "SELECT ?n WHERE { VALUES ?n { 1 2 } }")
    assert result.exit_code == 0, result.output
    assert check(result.output)


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "rdfxml"])
def test_construct_output_formats_parse(built: dict[str, str], fmt: str) -> None:
    import rdflib

    from lhs_kg.formats import rdf_format

    result = run(
        built,
        "query",
        "-f",
        fmt,
        "CONSTRUCT { ?c ?p ?o } WHERE { BIND(<https://w3id.org/lhs-kg/concept/nasss/1A> "
        "AS ?c) ?c ?p ?o }",
    )
    assert result.exit_code == 0, result.output
    graph = rdflib.Graph().parse(data=result.output, format=rdf_format(fmt).rdflib_name)
    assert len(graph) > 3


def test_query_from_a_rq_file(built: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "ask.rq"
    path.write_text("ASK { ?s ?p ?o }")
    result = run(built, "query", str(path))
    assert (result.exit_code, result.output.strip()) == (0, "true")


def test_a_format_that_does_not_fit_the_query_is_a_usage_error(built: dict[str, str]) -> None:
    result = run(built, "query", "-f", "ttl", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 2
    assert "CONSTRUCT" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("query", "SELECT * WHERE { ?s ?p }"), "syntax error"),
        (("query", "SELECT * WHERE " + "{" * 500 + "}" * 500), "nests 500 levels"),
        (("load", "does-not-exist.ttl"), "no such file"),
        (("query", "missing-file.rq"), "cannot read"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(
    built: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    result = run(built, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_syntax_error_in_a_loaded_file_names_file_line_and_column(
    built: dict[str, str], tmp_path: Path
) -> None:
    before = run(built, "graphs").output
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <https://e.org/> .\nex:a ex:b ex:c .\nex:a ex:b .\n")
    result = run(built, "load", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:3:" in result.output
    assert run(built, "graphs").output == before


def test_load_adds_a_file_to_a_named_graph(built: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "extra.ttl"
    path.write_text("<https://e.org/a> <https://e.org/b> <https://e.org/c> .")
    result = run(built, "load", str(path), "--graph", "https://e.org/extra")
    assert result.exit_code == 0, result.output
    assert "https://e.org/extra" in run(built, "graphs").output


def test_debug_shows_the_traceback(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["--debug", "load", "nope.ttl"], env=env)
    assert result.exit_code != 0
    assert result.exception is not None


@pytest.mark.parametrize("store", ["ftp://example.org/sparql", "http://", "https:///nohost"])
def test_a_malformed_store_setting_is_a_usage_error(store: str) -> None:
    result = run({"LHS_KG_STORE": store}, "graphs")
    assert result.exit_code == 2
    assert "LHS_KG_STORE" in result.output or "URL" in result.output


def test_an_unreachable_remote_store_names_its_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = run({"LHS_KG_STORE": url}, "graphs")
    assert result.exit_code == 2
    assert url in result.output


def test_a_locked_store_folder_is_a_clear_error(built: dict[str, str]) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]);"
            " print('ready', flush=True); time.sleep(60)",
            built["LHS_KG_STORE"],
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = run(built, "graphs")
        assert result.exit_code == 2
        assert "in use by another process" in result.output
    finally:
        holder.kill()
        holder.wait()


def test_dump_writes_the_dataset_as_nquads(built: dict[str, str], tmp_path: Path) -> None:
    import pyoxigraph as ox

    out = tmp_path / "dump.nq"
    result = run(built, "dump", "-o", str(out))
    assert result.exit_code == 0, result.output
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} >= {"https://w3id.org/lhs-kg/graph/ontology/lhs"}
    assert not (tmp_path / "dump.nq.part").exists()


def test_stats_counts_classes_and_schemes(built: dict[str, str]) -> None:
    result = run(built, "stats")
    assert result.exit_code == 0
    assert "skos:Concept" in result.output
    assert "lhs:NasssSubdomain" in result.output


def test_the_cli_works_against_a_real_sparql_server(
    sparql_server: SparqlServer, tmp_path: Path
) -> None:
    """On each engine: init, a query and a dataset dump (Virtuoso's dump wrote nothing, #16)."""
    env = {**sparql_server.env(), "LHS_KG_ROOT": str(ROOT)}
    assert run(env, "init").exit_code == 0
    result = run(
        env,
        "query",
        "-f",
        "csv",
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?n WHERE { <https://w3id.org/lhs-kg/concept/nasss/7> skos:notation ?n }",
    )
    assert result.output.splitlines() == ["n", "7"]
    graphs = run(env, "query", "-f", "csv", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert graphs.exit_code == 0
    assert "https://w3id.org/lhs-kg/graph/ontology/lhs" in graphs.output.splitlines()  # (#16)
    out = tmp_path / "dump.nq"
    dumped = run(env, "dump", "-f", "nq", "-o", str(out))
    assert dumped.exit_code == 0, dumped.output
    graphs = {q.graph_name.value for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)}
    assert "https://w3id.org/lhs-kg/graph/ontology/lhs" in graphs
    assert all(g.startswith("https://w3id.org/lhs-kg/graph/") for g in graphs)


@pytest.mark.parametrize("args", [("dump", "-f", "nq"), ("dump", "--graph", "https://e.org/no")])
def test_a_dump_that_writes_nothing_is_not_a_success(
    sparql_server: SparqlServer, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Regression (#16): ``dump -f nq`` wrote nothing on Virtuoso and exited 0."""
    out = tmp_path / "dump.out"
    result = run({**sparql_server.env(), "LHS_KG_ROOT": str(ROOT)}, *args, "-o", str(out))
    assert result.exit_code == 1, result.output
    assert "nothing was written" in result.output
    assert not out.exists() and not (tmp_path / "dump.out.part").exists()


def test_a_reader_closing_the_pipe_ends_the_command_quietly(built: dict[str, str]) -> None:
    lhs_kg = Path(sys.executable).parent / "lhs-kg"
    pipeline = subprocess.run(
        f"'{lhs_kg}' dump | head -c 100 > /dev/null",
        shell=True,
        env={**built, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
        executable="/bin/bash",
    )
    assert "Traceback" not in pipeline.stderr
    assert "error" not in pipeline.stderr


def test_dump_of_a_malformed_graph_name_is_a_usage_error(built: dict[str, str]) -> None:
    result = run(built, "dump", "--graph", "bad>iri")
    assert result.exit_code == 2
    assert "not a valid graph IRI" in result.output
    assert "unexpected" not in result.output


FORK_CASE = """
@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://kg.example.org/case-study/fork-case> a lhs:CaseStudy ;
    rdfs:label "A partner's case study" ;
    lhs:showsLoopStage <https://kg.example.org/concept/loop/data-to-knowledge> .
"""


def test_named_query_on_a_non_default_base_iri_binds_concepts_under_it(tmp_path: Path) -> None:
    """Regression (#13): `lhs-kg query` built its library without the base IRI, so a fork's
    concept parameter was bound under w3id.org and the query returned no rows."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "fork.ttl").write_text(FORK_CASE, encoding="utf-8")
    fork = {
        "LHS_KG_STORE": str(tmp_path / "store"),
        "LHS_KG_ROOT": str(ROOT),
        "LHS_KG_DATA_DIR": str(data),
        "LHS_KG_BASE_IRI": "https://kg.example.org/",
    }
    assert run(fork, "init").exit_code == 0
    result = run(fork, "query", "case-studies-by-loop-stage", "-p", "stage=data-to-knowledge")
    assert result.exit_code == 0, result.output
    assert "<https://kg.example.org/case-study/fork-case>" in result.output
    assert "(1 row)" in result.output


def test_graphs_names_lists_the_same_graphs_without_counting(
    built: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = run(built, "graphs").output.splitlines()
    expected = [line.split()[0] for line in counted if not line.startswith("(")]

    def no_count(*args: object) -> None:
        raise AssertionError("graphs --names counted triples")

    monkeypatch.setattr("lhs_kg.store.embedded.EmbeddedStore.graphs", no_count)
    result = run(built, "graphs", "--names")
    assert result.exit_code == 0, result.output
    names = result.output.splitlines()
    assert sorted(line.split()[0] for line in names[:-1]) == sorted(expected)
    sources = [line for line in counted if line.startswith("(")]
    assert names[-1] == sources[0].split(",")[0] + ")"  # the same "(N graphs" as counted
