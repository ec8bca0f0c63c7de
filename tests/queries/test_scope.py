"""Named queries and SPARQL text read the published view unless asked for every graph (#11).

With a pending, a rejected and an accepted update of a curated case study in the store,
``lhs-kg query case-studies`` lists each published case study once: no pending or rejected
version, no superseded curated copy next to the accepted one.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from lhs_kg.config import Settings
from lhs_kg.kb import KnowledgeBase
from tests.helpers import clean_env, new_content_kb, payload

CS = "https://w3id.org/lhs-kg/case-study/"


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A built store with one pending, one rejected and one accepted (superseding) version."""
    folder = tmp_path_factory.mktemp("scope")
    clean = clean_env()
    clean["LHS_KG_STORE"] = str(folder / "store")
    assert run(clean, "init").exit_code == 0
    clean["_baseline"] = json.dumps(_case_studies(clean))
    for ident in ("pending-one", "rejected-one", "improvecarenow"):
        file = folder / f"{ident}.json"
        # the update keeps citing the curated version's sources, so none is left uncited
        cited = ["foley-vale-2022", "icn-cer-study-news", "icn-research-news"]
        file.write_bytes(payload(id=ident, title=f"Scope test {ident}", sources=cited))
        assert run(clean, "submit", str(file)).exit_code == 0
    assert run(clean, "review", "reject", "rejected-one/v1", "-m", "no").exit_code == 0
    assert run(clean, "review", "accept", "improvecarenow/v1", "--as", "c").exit_code == 0
    return clean


def _case_studies(env: dict[str, str], *extra: str) -> Counter[str]:
    result = run(env, "query", "case-studies", "-f", "json", *extra)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["results"]["bindings"]
    return Counter(row["caseStudy"]["value"] for row in rows)


def test_query_case_studies_shows_each_published_case_study_once(env: dict[str, str]) -> None:
    """As many rows per case study as before any contribution (one per organisation)."""
    baseline = json.loads(env["_baseline"])
    seen = _case_studies(env)
    assert CS + "pending-one" not in seen
    assert CS + "rejected-one" not in seen
    assert seen[CS + "improvecarenow"] == 1  # the accepted version, not also the curated one
    assert {k: v for k, v in seen.items() if k != CS + "improvecarenow"} == {
        k: v for k, v in baseline.items() if k != CS + "improvecarenow"
    }


def test_query_case_studies_shows_the_accepted_title_not_the_superseded_one(
    env: dict[str, str],
) -> None:
    result = run(env, "query", "case-studies", "-f", "csv")
    assert "Scope test improvecarenow" in result.output
    assert "ImproveCareNow," not in result.output


@pytest.mark.parametrize("flag", [("--scope", "all"), ("--all-graphs",)])
def test_all_graphs_is_asked_for_explicitly(env: dict[str, str], flag: tuple[str, ...]) -> None:
    seen = _case_studies(env, *flag)
    assert CS + "pending-one" in seen and CS + "rejected-one" in seen


def test_sparql_text_reads_the_published_view_too(env: dict[str, str]) -> None:
    text = "SELECT ?g WHERE { GRAPH ?g { ?s a <https://w3id.org/lhs-kg/ontology/Contribution> } }"
    assert "registry" not in run(env, "query", "-f", "csv", text).output
    assert "registry" in run(env, "query", "-f", "csv", "--scope", "all", text).output


def test_python_api_defaults_to_the_published_view(env: dict[str, str]) -> None:
    settings = Settings.from_env(env)
    with KnowledgeBase(settings) as kb:
        published = {r["caseStudy"].value for r in kb.query_named("case-studies").rows()}
        everything = {
            r["caseStudy"].value for r in kb.query_named("case-studies", scope="all").rows()
        }
    assert CS + "pending-one" not in published
    assert CS + "pending-one" in everything


def test_unknown_scope_is_a_usage_error(env: dict[str, str]) -> None:
    result = run(env, "query", "case-studies", "--scope", "nope")
    assert result.exit_code == 2


def test_check_reads_the_published_view(env: dict[str, str]) -> None:
    assert run(env, "check").exit_code == 0


def test_regression_query_showed_pending_and_duplicate_rows(tmp_path: Path) -> None:
    """Named after the bug: the union of every graph listed pending and superseded versions."""
    with new_content_kb() as kb:
        from lhs_kg.contributions import Contributions

        Contributions(kb).submit(payload(id="pending-two"), "json")
        rows = kb.query_named("case-studies").rows()
    assert CS + "pending-two" not in {r["caseStudy"].value for r in rows}
