"""A partner's own content folder, on top of or instead of the shipped content (#17).

The fork is made in tmp_path: one case study and one named CONSTRUCT query of its own; the CLI
loads it, lists and runs the query, and exports the partner's case study through it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from lhs_kg.config import Settings
from lhs_kg.errors import ConfigError
from lhs_kg.kb import KnowledgeBase
from lhs_kg.queries import QueryLibrary
from tests.helpers import ROOT, app_for, clean_env

PARTNER_CASE = "https://w3id.org/lhs-kg/case-study/acme-sepsis-loop"
SHIPPED_CASE = "https://w3id.org/lhs-kg/case-study/swedeheart"
CASE_STUDY = """\
@prefix cs: <https://w3id.org/lhs-kg/case-study/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

cs:acme-sepsis-loop a lhs:CaseStudy ;
    rdfs:label "Acme sepsis learning loop" ;
    dcterms:title "Acme sepsis learning loop" ;
    lhs:organisation <https://w3id.org/lhs-kg/organisation/acme-health> ;
    lhs:showsLoopStage <https://w3id.org/lhs-kg/concept/loop/data-to-knowledge> .
"""
QUERY = """\
#+ summary: The case studies of Acme Health, with their titles and loop stages.
#+ params:
#+ returns: construct
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>

CONSTRUCT { ?case a lhs:CaseStudy ; dcterms:title ?title ; lhs:showsLoopStage ?stage }
WHERE {
  ?case a lhs:CaseStudy ;
        dcterms:title ?title ;
        lhs:organisation <https://w3id.org/lhs-kg/organisation/acme-health> .
  OPTIONAL { ?case lhs:showsLoopStage ?stage }
}
"""


@pytest.fixture
def fork(tmp_path: Path) -> Path:
    """A partner's content folder holding one case study and one named query."""
    folder = tmp_path / "acme-content"
    (folder / "data" / "case-studies").mkdir(parents=True)
    (folder / "queries").mkdir()
    (folder / "data" / "case-studies" / "acme-sepsis-loop.ttl").write_text(CASE_STUDY)
    (folder / "queries" / "acme-case-studies.rq").write_text(QUERY)
    return folder


def cli(tmp_path: Path, fork: Path, mode: str, *args: str) -> Result:
    """Run the CLI with the fork as LHS_KG_CONTENT in ``mode`` and a store in tmp_path."""
    env = clean_env() | {
        "LHS_KG_CONTENT": str(fork),
        "LHS_KG_CONTENT_MODE": mode,
        "LHS_KG_VAR_DIR": str(tmp_path / "var"),
    }
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_on_top_the_partner_case_study_joins_the_shipped_ones(tmp_path: Path, fork: Path) -> None:
    assert cli(tmp_path, fork, "overlay", "init").exit_code == 0
    graphs = cli(tmp_path, fork, "overlay", "graphs").output
    assert "https://w3id.org/lhs-kg/graph/data/case-studies/acme-sepsis-loop" in graphs
    assert "https://w3id.org/lhs-kg/graph/data/case-studies/swedeheart" in graphs
    listed = cli(tmp_path, fork, "overlay", "queries").output
    assert "acme-case-studies" in listed and "complexity-profiles" in listed


def test_the_partner_query_exports_the_partner_case_study(tmp_path: Path, fork: Path) -> None:
    assert cli(tmp_path, fork, "overlay", "init").exit_code == 0
    out = tmp_path / "acme.nt"
    result = cli(
        tmp_path,
        fork,
        "overlay",
        "export",
        "--query",
        "acme-case-studies",
        "-f",
        "nt",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    exported = out.read_text(encoding="utf-8")
    assert f'<{PARTNER_CASE}> <http://purl.org/dc/terms/title> "Acme sepsis learning loop"' in (
        exported
    )
    assert SHIPPED_CASE not in exported


def test_instead_of_only_the_partner_content_is_loaded(tmp_path: Path, fork: Path) -> None:
    (fork / "ontology").mkdir()
    (fork / "ontology" / "acme.ttl").write_text(
        "<https://w3id.org/lhs-kg/ontology/AcmeThing> a <http://www.w3.org/2002/07/owl#Class> .\n"
    )
    assert cli(tmp_path, fork, "replace", "init").exit_code == 0
    graphs = cli(tmp_path, fork, "replace", "graphs").output
    assert "https://w3id.org/lhs-kg/graph/data/case-studies/acme-sepsis-loop" in graphs
    assert "https://w3id.org/lhs-kg/graph/ontology/acme" in graphs
    assert "swedeheart" not in graphs and "graph/ontology/lhs" not in graphs
    assert cli(tmp_path, fork, "replace", "queries").output.split()[0] == "acme-case-studies"


def test_a_partner_file_replaces_the_shipped_file_of_the_same_path(fork: Path) -> None:
    (fork / "queries" / "loop-stages.rq").write_text(QUERY.replace("Acme Health", "Acme's"))
    settings = Settings.from_env({"LHS_KG_CONTENT": str(fork)})
    library = QueryLibrary.from_settings(settings)
    assert library.get("loop-stages").path == fork / "queries" / "loop-stages.rq"
    assert library.get("sources").path == ROOT / "queries" / "sources.rq"
    assert "acme-case-studies" in library.names() and "sources" in library.names()


def test_without_a_partner_folder_nothing_changes() -> None:
    settings = Settings.from_env({})
    assert settings.content_overlay is None
    assert settings.content_dirs("queries") == (settings.queries_dir,)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param({"LHS_KG_CONTENT": "{tmp}/absent"}, "{tmp}/absent", id="no-such-folder"),
        pytest.param({"LHS_KG_CONTENT": "{tmp}/empty"}, "{tmp}/empty", id="no-content-folders"),
        pytest.param({"LHS_KG_CONTENT": "{tmp}/file.txt"}, "{tmp}/file.txt", id="a-file"),
        pytest.param(
            {"LHS_KG_CONTENT": "{fork}", "LHS_KG_CONTENT_MODE": "merge"},
            "LHS_KG_CONTENT_MODE",
            id="unknown-mode",
        ),
    ],
)
def test_a_wrong_partner_setting_is_one_line_naming_it(
    tmp_path: Path, fork: Path, env: dict[str, str], named: str
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("not a folder")
    values = {k: v.format(tmp=tmp_path, fork=fork) for k, v in env.items()}
    with pytest.raises(ConfigError, match="LHS_KG_CONTENT") as caught:
        Settings.from_env(values)
    assert named.format(tmp=tmp_path) in str(caught.value)
    result = CliRunner().invoke(
        main, ["init"], env=clean_env() | values | {"LHS_KG_VAR_DIR": str(tmp_path / "var")}
    )
    assert result.exit_code == 2
    assert named.format(tmp=tmp_path) in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize(
    ("path", "accept", "expected"),
    [
        pytest.param(
            "/case-study/acme-sepsis-loop", "text/turtle", "Acme sepsis learning loop", id="turtle"
        ),
        pytest.param(
            "/case-study/acme-sepsis-loop", "text/html", "Acme sepsis learning loop", id="page"
        ),
        pytest.param("/queries/acme-case-studies", "text/html", "Acme Health", id="query-page"),
    ],
)
def test_the_web_app_serves_the_partner_content(
    tmp_path: Path, fork: Path, path: str, accept: str, expected: str
) -> None:
    settings = Settings.from_env(
        {"LHS_KG_CONTENT": str(fork), "LHS_KG_STORE": "memory", "LHS_KG_VAR_DIR": str(tmp_path)}
    )
    with KnowledgeBase(settings) as kb:
        kb.rebuild()
        response = app_for(kb).test_client().get(path, headers={"Accept": accept})
    assert response.status_code == 200
    assert expected in response.get_data(as_text=True)


PARTNER_SHAPE = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .

<https://example.org/acme/shapes/ProjectCode>
    a sh:NodeShape ;
    sh:targetClass lhs:CaseStudy ;
    sh:property [
        sh:path <https://example.org/acme/projectCode> ;
        sh:minCount 1 ;
        sh:message "Acme case studies carry an Acme project code." ;
    ] .
"""


@pytest.mark.parametrize(
    ("mode", "with_shape", "exit_code"),
    [
        pytest.param("overlay", False, 0, id="shipped-shapes-only"),
        pytest.param("overlay", True, 1, id="partner-shape-added"),
    ],
)
def test_a_partner_shape_takes_part_in_validation(
    tmp_path: Path, fork: Path, mode: str, with_shape: bool, exit_code: int
) -> None:
    if with_shape:
        (fork / "shapes" / "data").mkdir(parents=True)
        (fork / "shapes" / "data" / "acme.shapes.ttl").write_text(PARTNER_SHAPE)
    example = str(ROOT / "data" / "examples" / "case-study.ttl")
    result = cli(tmp_path, fork, mode, "validate", example)
    assert result.exit_code == exit_code, result.output
    assert ("Acme project code" in result.output) is with_shape


def test_a_broken_partner_file_changes_nothing(tmp_path: Path, fork: Path) -> None:
    assert cli(tmp_path, fork, "overlay", "init").exit_code == 0
    before = cli(tmp_path, fork, "overlay", "graphs").output
    broken = fork / "data" / "case-studies" / "broken.ttl"
    broken.write_text("<https://w3id.org/lhs-kg/case-study/broken> a ;\n")
    result = CliRunner().invoke(
        main,
        ["init"],
        env=clean_env() | {"LHS_KG_CONTENT": str(fork), "LHS_KG_VAR_DIR": str(tmp_path / "var")},
    )
    assert result.exit_code == 2
    assert str(broken) in result.output and "Traceback" not in result.output
    assert cli(tmp_path, fork, "overlay", "graphs").output == before
