"""export, export-csv, release and push run as a user would, against real stores."""

from __future__ import annotations

import gzip
import hashlib
import re
import subprocess
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner, Result

from lhs_kg import KnowledgeBase
from lhs_kg.cli import main
from lhs_kg.export import Selection, export_bytes
from tests.helpers import ROOT, OxigraphServer, fill_with_contributions, free_port, settings_for


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def env_for(tmp_path: Path, root: Path = ROOT) -> dict[str, str]:
    return {
        "LHS_KG_ROOT": str(root),
        "LHS_KG_VAR_DIR": str(tmp_path / "var"),
        "LHS_KG_STORE": str(tmp_path / "store"),
    }


@pytest.fixture
def small(tmp_path: Path, small_root: Path) -> dict[str, str]:
    """A store built from the small content folder (one case study) with `lhs-kg init`."""
    env = env_for(tmp_path, small_root)
    assert run(env, "init").exit_code == 0
    return env


@pytest.fixture(scope="module")
def full_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the repository's content, extras and contributions, built once: the
    tests given it only read it (export, push; the failed push checks that it did not write)."""
    folder = tmp_path_factory.mktemp("full")
    settings = settings_for(folder, LHS_KG_STORE=str(folder / "store"))
    with KnowledgeBase(settings) as kb:
        fill_with_contributions(kb)
    return folder


@pytest.fixture
def full(full_store: Path) -> dict[str, str]:
    """The environment of a CLI run over the module's full store (a fresh dict per test)."""
    return env_for(full_store)


def snapshot(env: dict[str, str]) -> ox.Dataset:
    store = ox.Store.read_only(env["LHS_KG_STORE"])
    dataset = ox.Dataset(store.quads_for_pattern(None, None, None, None))
    del store
    return dataset


# -- export -----------------------------------------------------------------------------------


def test_export_to_a_file_says_quads_and_time_and_leaves_no_part_file(
    full: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "out.ttl.gz"
    result = run(full, "export", "-f", "ttl", "--gzip", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"wrote [\d,]+ quads to \S+ in \d+\.\d s\n", result.stderr)  # no bar: piped
    assert not target.with_name(target.name + ".part").exists()
    graph = ox.Store()
    graph.load(gzip.decompress(target.read_bytes()), ox.RdfFormat.TURTLE)
    assert len(graph) > 4000


def test_export_to_stdout_writes_the_dump(full: dict[str, str]) -> None:
    result = run(full, "export", "-f", "nt", "--graph", "https://w3id.org/lhs-kg/graph/data/extras")
    assert result.exit_code == 0
    assert b"shared blank node" in result.stdout_bytes
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "words"),
    [
        pytest.param(
            ["--graph", "https://w3id.org/lhs-kg/graph/registry"],
            "not part",
            id="unpublished-graph",
        ),
        pytest.param(["--graph", "file:///etc/passwd"], "not part", id="file-graph"),
        pytest.param(["--class", "not an iri"], "class", id="bad-class"),
        pytest.param(["--query", "case-studies"], "CONSTRUCT", id="select-query"),
        pytest.param(["--param", "x"], "NAME=VALUE", id="bad-param"),
        pytest.param(
            ["--csv-case-studies", "--graph", "https://e.org/g"], "takes no", id="csv-with-graph"
        ),
    ],
)
def test_bad_export_requests_exit_2_with_one_line_and_no_file(
    full: dict[str, str], tmp_path: Path, args: list[str], words: str
) -> None:
    target = tmp_path / "out.nq"
    result = run(full, "export", *args, "-o", str(target))
    assert result.exit_code == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert not target.exists() and not target.with_name("out.nq.part").exists()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        pytest.param("missing-folder/../../out.nq", "does not exist", id="traversal-missing"),
        pytest.param(".", "is a folder", id="folder"),
    ],
)
def test_export_refuses_an_unusable_output_path(
    full: dict[str, str], tmp_path: Path, name: str, words: str
) -> None:
    result = run(full, "export", "-o", str(tmp_path / name))
    assert result.exit_code == 2
    assert words in result.stderr
    assert not list(tmp_path.glob("**/*.part"))


def test_export_unknown_format_is_a_usage_error(full: dict[str, str]) -> None:
    result = run(full, "export", "-f", "yaml")
    assert result.exit_code == 2
    assert "yaml" in result.stderr


def test_export_csv_writes_the_case_studies(full: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "cs.csv"
    assert run(full, "export-csv", "-o", str(target)).exit_code == 0
    same = run(full, "export", "--csv-case-studies")
    assert same.stdout_bytes == target.read_bytes()
    assert target.read_text().startswith("iri,title,country")


# -- release ----------------------------------------------------------------------------------


def test_a_release_holds_everything_and_its_checksums_verify(
    small: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    result = run(small, "release", "--version", "1.0.0", "-o", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    archive = out / "lhs-kg-1.0.0.zip"
    assert sorted(p.name for p in out.iterdir()) == ["lhs-kg-1.0.0.zip", "lhs-kg-1.0.0.zip.sha256"]
    assert (
        subprocess.run(
            ["sha256sum", "-c", archive.name + ".sha256"], cwd=out, capture_output=True
        ).returncode
        == 0
    )
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(tmp_path / "unpacked")
    folder = tmp_path / "unpacked" / "lhs-kg-1.0.0"
    for name in (
        "dataset.nq",
        "dataset.trig",
        "dataset.jsonld",
        "dataset.ttl",
        "validation-report.ttl",
        "CHANGES.tsv",
        "SHA256SUMS",
        "ontology/lhs.ttl",
        "shapes/data/case-study.shapes.ttl",
        "graphs/index.tsv",
        "graphs/data/case-studies/billings-clinic.ttl",
    ):
        assert (folder / name).is_file(), name
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in lines}
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(listed) == files - {"SHA256SUMS"}
    for name, digest in listed.items():  # recomputed here, independently of sha256sum
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True)
    assert check.returncode == 0, check.stdout


def test_a_second_release_lists_what_changed_per_graph(
    small: dict[str, str], small_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    assert run(small, "release", "--version", "1.0.0", "-o", str(out)).exit_code == 0
    with KnowledgeBase(
        settings_for(tmp_path, small_root, LHS_KG_STORE=small["LHS_KG_STORE"])
    ) as kb:
        kb.store.update(
            "DELETE WHERE { GRAPH ?g { <https://w3id.org/lhs-kg/case-study/"
            "billings-clinic> <http://www.w3.org/2000/01/rdf-schema#comment> ?c } }"
        )
        kb.store.update(
            "INSERT DATA { GRAPH <https://w3id.org/lhs-kg/graph/data/organisations>"
            ' { <https://e.org/o> <http://www.w3.org/2000/01/rdf-schema#label> "o" }'
            " }"
        )
    result = run(small, "release", "--version", "1.1.0", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(out / "lhs-kg-1.1.0.zip") as bundle:
        changes = bundle.read("lhs-kg-1.1.0/CHANGES.tsv").decode()
        added = bundle.read("lhs-kg-1.1.0/changes/added.nq").decode()
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in changes.splitlines()[2:]}
    base = "https://w3id.org/lhs-kg/graph/"
    assert rows[base + "data/case-studies/billings-clinic"] == ["changed", "0", "1"]
    assert rows[base + "data/organisations"] == ["changed", "1", "0"]
    assert rows[base + "data/sources"] == ["unchanged", "0", "0"]
    assert "lhs-kg-1.0.0.zip" in changes.splitlines()[0]
    assert "<https://e.org/o>" in added


def test_a_release_of_data_that_does_not_conform_fails_and_writes_nothing(
    small_root: Path, tmp_path: Path
) -> None:
    (small_root / "data" / "case-studies" / "broken.ttl").write_text(
        "<https://w3id.org/lhs-kg/case-study/broken> a <https://w3id.org/lhs-kg/ontology/CaseStudy>"
        ' ; <http://www.w3.org/2000/01/rdf-schema#label> "Broken"@en .\n'
    )
    env = env_for(tmp_path, small_root)
    assert run(env, "init").exit_code == 0
    out = tmp_path / "dist"
    result = run(env, "release", "--version", "2.0.0", "-o", str(out))
    assert result.exit_code == 1
    assert "does not conform" in result.stderr and "broken" in result.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("version", ["../evil", "1.0/../../x", "", "a b", "..", "-"])
def test_a_release_version_cannot_escape_the_output_folder(
    small: dict[str, str], tmp_path: Path, version: str
) -> None:
    result = run(small, "release", "--version", version, "-o", str(tmp_path / "dist"))
    assert result.exit_code == 2
    assert "version" in result.stderr
    assert not (tmp_path / "dist").exists()
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.parent.glob("evil*"))


def test_a_release_never_overwrites_an_existing_one(small: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert run(small, "release", "--version", "1.0.0", "-o", str(out)).exit_code == 0
    before = (out / "lhs-kg-1.0.0.zip").read_bytes()
    result = run(small, "release", "--version", "1.0.0", "-o", str(out))
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert (out / "lhs-kg-1.0.0.zip").read_bytes() == before


# -- push -------------------------------------------------------------------------------------


def partner_graph(server: OxigraphServer, graph: str) -> ox.Dataset:
    response = requests.get(
        f"{server.url}/store",
        params={"graph": graph},
        headers={"Accept": "application/n-triples"},
        timeout=10,
    )
    response.raise_for_status()
    dataset = ox.Dataset(
        ox.Quad(t.subject, t.predicate, t.object)
        for t in (q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def ours(env: dict[str, str], tmp_path: Path, graph: str) -> ox.Dataset:
    settings = settings_for(tmp_path, LHS_KG_STORE=env["LHS_KG_STORE"])
    with KnowledgeBase(settings) as kb:
        data = export_bytes(kb.store, kb.settings, Selection(graphs=(graph,)), "nt")
    dataset = ox.Dataset(q for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


@pytest.mark.remote
@pytest.mark.parametrize(
    "mode", [pytest.param([], id="graph-store"), pytest.param(["--update-endpoint"], id="update")]
)
def test_after_a_push_the_partner_holds_isomorphic_graphs(
    full: dict[str, str], tmp_path: Path, oxigraph_server: OxigraphServer, mode: list[str]
) -> None:
    oxigraph_server.clear()
    url = f"{oxigraph_server.url}/update" if mode else f"{oxigraph_server.url}/store"
    result = run(full, "push", "--to", url, *mode)
    assert result.exit_code == 0, result.stderr
    extras = "https://w3id.org/lhs-kg/graph/data/extras"
    assert partner_graph(oxigraph_server, extras) == ours(full, tmp_path, extras)
    cyphp = "https://w3id.org/lhs-kg/graph/data/case-studies/cyphp"
    assert partner_graph(oxigraph_server, cyphp) == ours(full, tmp_path, cyphp)
    answer = requests.get(
        f"{oxigraph_server.url}/query",
        timeout=10,
        params={"query": 'ASK { GRAPH ?g { ?s ?p "not yet reviewed" } }'},
        headers={"Accept": "application/sparql-results+json"},
    ).json()
    assert answer["boolean"] is False  # pending contributions stay home
    oxigraph_server.clear()


@pytest.mark.remote
def test_pushing_one_graph_sends_only_that_graph(
    full: dict[str, str], oxigraph_server: OxigraphServer
) -> None:
    oxigraph_server.clear()
    extras = "https://w3id.org/lhs-kg/graph/data/extras"
    result = run(full, "push", "--to", f"{oxigraph_server.url}/store", "--graph", extras)
    assert result.exit_code == 0
    answer = requests.get(
        f"{oxigraph_server.url}/query",
        timeout=10,
        params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()
    assert [b["g"]["value"] for b in answer["results"]["bindings"]] == [extras]
    oxigraph_server.clear()


def test_a_push_to_a_partner_that_is_down_fails_cleanly_and_changes_nothing(
    full: dict[str, str],
) -> None:
    before = snapshot(full)
    url = f"http://127.0.0.1:{free_port()}/store"
    result = run(full, "push", "--to", url, "--retries", "2")
    assert result.exit_code == 2
    assert url in result.stderr and "3 attempts" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(full) == before


@pytest.mark.parametrize(
    ("url", "words"),
    [
        pytest.param("file:///etc/passwd", "http(s) URL", id="file"),
        pytest.param("ftp://example.org/store", "http(s) URL", id="ftp"),
        pytest.param("gopher://127.0.0.1:70/", "http(s) URL", id="gopher"),
        pytest.param("http:///no-host", "http(s) URL", id="no-host"),
        pytest.param("store", "http(s) URL", id="relative"),
        pytest.param("http://user:secret@127.0.0.1:1/store", "credentials", id="userinfo"),
    ],
)
def test_push_refuses_urls_that_are_not_http(full: dict[str, str], url: str, words: str) -> None:
    result = run(full, "push", "--to", url)
    assert result.exit_code == 2
    assert words in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        pytest.param(["--user", "u"], "--password-env", id="user-without-password"),
        pytest.param(
            ["--user", "u", "--password-env", "LHS_KG_TEST_UNSET_VAR"],
            "not set",
            id="unset-variable",
        ),
        pytest.param(
            ["--graph", "https://w3id.org/lhs-kg/graph/contribution/c1/v1"],
            "not part",
            id="pending-graph",
        ),
    ],
)
def test_push_refuses_bad_options_before_any_request(
    full: dict[str, str], args: list[str], words: str
) -> None:
    result = run(full, "push", "--to", f"http://127.0.0.1:{free_port()}/store", *args)
    assert result.exit_code == 2
    assert words in result.stderr
    assert "attempts" not in result.stderr


@pytest.mark.remote
def test_a_partner_answering_an_error_is_reported_with_its_status(
    full: dict[str, str], oxigraph_server: OxigraphServer
) -> None:
    result = run(full, "push", "--to", f"{oxigraph_server.url}/query")
    assert result.exit_code == 2
    assert f"{oxigraph_server.url}/query" in result.stderr and "answered" in result.stderr
