"""``lhs-kg validate``: exit codes 0/1/2, the three formats, folders, unreadable files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF, SH

from lhs_kg.cli import main
from tests.helpers import EXAMPLES, INVALID, ROOT, clean_env


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = clean_env()
    env["LHS_KG_VAR_DIR"] = str(tmp_path / "var")

    def invoke(*args: str) -> object:
        return CliRunner().invoke(main, ["--store", "memory", "validate", *args], env=env)

    return invoke


def test_conforming_file_exits_0(run) -> None:  # type: ignore[no-untyped-def]
    result = run(str(EXAMPLES / "case-study.yaml"))
    assert result.exit_code == 0, result.output
    assert "case-study.yaml: conforms" in result.output


def test_warnings_still_exit_0(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads((EXAMPLES / "case-study.json").read_text(encoding="utf-8"))
    del doc["outcomes"]
    path = tmp_path / "no-outcome.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert "WARNING outcomes" in result.output


def test_non_conforming_file_exits_1(run) -> None:  # type: ignore[no-untyped-def]
    result = run(str(INVALID / "Rating-level--unknown.ttl"))
    assert result.exit_code == 1
    assert "VIOLATION lhs:level" in result.output


def test_unreadable_input_exits_2_and_others_are_still_checked(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": ', encoding="utf-8")
    result = run(str(bad), str(EXAMPLES / "case-study.json"))
    assert result.exit_code == 2
    assert "bad.json:1:11: invalid JSON" in result.output
    assert "case-study.json: conforms" in result.output
    assert "Traceback" not in result.output


def test_missing_file_exits_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_empty_folder_exits_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(str(tmp_path))
    assert result.exit_code == 2
    assert "no submission files" in result.output


def test_folder_is_walked(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("case-study.json", "case-study.ttl"):
        (tmp_path / name).write_bytes((EXAMPLES / name).read_bytes())
    (tmp_path / "notes.txt").write_text("not a submission", encoding="utf-8")
    result = run("--format", "json", str(tmp_path))
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["conforms"] is True
    assert [Path(r["source"]).name for r in body["reports"]] == [
        "case-study.json",
        "case-study.ttl",
    ]


def test_json_format_reports_fields(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--format", "json", str(INVALID / "Source-known--unknown-short-name.json"))
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["reports"][0]["issues"][0]["field"] == "sources[0]"


def test_ttl_format_is_a_validation_report(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--format", "ttl", str(INVALID / "CaseStudy-title--missing.ttl"))
    assert result.exit_code == 1
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert (None, RDF.type, SH.ValidationReport) in graph


def test_content_flag_skips_the_envelope(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    valid = (ROOT / "tests" / "data" / "valid" / "minimal-case-study.ttl").read_text(
        encoding="utf-8"
    )
    path = tmp_path / "curated.ttl"
    path.write_text(
        "\n".join(line for line in valid.splitlines() if "dcterms:contributor" not in line),
        encoding="utf-8",
    )
    assert run(str(path)).exit_code == 1
    result = run("--content", str(path))
    assert result.exit_code == 0, result.output
