"""Every write path that changes published content keeps the published graph right (#16):
after each one, ``lhs-kg migrate-layout --check`` finds nothing to repair, on the embedded
store and on a real ``oxigraph serve``. The writes run the way an operator runs them: CLI
commands, the web app's review form and its token-protected SPARQL update endpoint.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from lhs_kg.config import Settings
from lhs_kg.contributions import Contributions
from lhs_kg.contributions.reviewers import hash_token
from lhs_kg.kb import KnowledgeBase
from tests.helpers import ROOT, OxigraphServer, app_for, clean_env, payload

TOKEN = "write-paths-" + "t" * 30
EX = "https://example.org/paths/"
DATA = "https://w3id.org/lhs-kg/graph/data/"
Env = dict[str, str]


def cli(env: Env, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def with_kb(env: Env, act: Callable[[KnowledgeBase], None]) -> None:
    """Open the store as a process would, act, close it (the CLI opens it next)."""
    with KnowledgeBase(Settings.from_env(env)) as kb:
        act(kb)


def web_update(env: Env, text: str) -> None:
    def post(kb: KnowledgeBase) -> None:
        client = app_for(kb).test_client()
        answer = client.post(
            "/sparql", data={"update": text}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert answer.status_code == 204, answer.get_data(as_text=True)[:300]

    with_kb(env, post)


def accept_through_the_review_api(env: Env) -> None:
    def act(kb: KnowledgeBase) -> None:
        out = Contributions(kb).submit(payload(id="paths", title="Write paths edition"), "json")
        assert out.version is not None
        client = app_for(kb, REVIEWERS={"r": {"token_hashes": [hash_token(TOKEN)]}}).test_client()
        answer = client.post(
            f"/review/{out.version.ref}/accept", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]

    with_kb(env, act)


def supersede_a_curated_file(env: Env) -> None:
    def act(kb: KnowledgeBase) -> None:
        flow = Contributions(kb)
        out = flow.submit(payload(id="improvecarenow", title="ImproveCareNow, new"), "json")
        assert out.version is not None
        flow.decide(out.version.ref, "accept", "r")
        flow.decide(out.version.ref, "withdraw", "r", "withdrawn again")

    with_kb(env, act)


def load_a_file(env: Env, tmp_path: Path) -> None:
    data = tmp_path / "extra.ttl"
    data.write_text(f'<{EX}a> <{EX}p> "loaded" , [ <{EX}q> 1 ] .\n', encoding="utf-8")
    result = cli(env, "load", str(data), "--graph", DATA + "extra")
    assert result.exit_code == 0, result.output


def reload_the_content(env: Env) -> None:
    assert cli(env, "init").exit_code == 0


def update_the_default_graph(env: Env) -> None:
    web_update(env, f'INSERT DATA {{ <{EX}b> <{EX}p> "x" , [ <{EX}q> "blank" ] }}')
    web_update(env, f"DELETE WHERE {{ <{EX}b> ?p ?o }}")


def update_a_named_graph(env: Env) -> None:
    web_update(env, f'INSERT DATA {{ GRAPH <{DATA}named> {{ <{EX}c> <{EX}p> "y" }} }}')
    web_update(env, f"DELETE WHERE {{ GRAPH <{DATA}organisations> {{ ?s ?p ?o }} }}")


def drop_a_content_graph(env: Env) -> None:
    with_kb(env, lambda kb: kb.drop_graph(DATA + "organisations"))


PATHS: dict[str, Callable[[Env, Path], None]] = {
    "review-api-accept": lambda env, _tmp: accept_through_the_review_api(env),
    "supersede-and-withdraw": lambda env, _tmp: supersede_a_curated_file(env),
    "cli-load": load_a_file,
    "cli-init": lambda env, _tmp: reload_the_content(env),
    "sparql-update-default-graph": lambda env, _tmp: update_the_default_graph(env),
    "sparql-update-named-graph": lambda env, _tmp: update_a_named_graph(env),
    "drop-graph": lambda env, _tmp: drop_a_content_graph(env),
}


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository content in an on-disk store, built once and copied per test."""
    where = tmp_path_factory.mktemp("paths") / "store"
    assert cli(store_env(where), "init").exit_code == 0
    return where


@pytest.fixture(scope="module")
def paths_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A server whose time limit the layout check meets on a busy machine."""
    running = OxigraphServer(tmp_path_factory.mktemp("paths-server"), timeout_s=120)
    yield running
    running.stop()


def store_env(store: Path | str) -> Env:
    return {
        **clean_env(),
        "LHS_KG_STORE": str(store),
        "LHS_KG_ROOT": str(ROOT),
        "LHS_KG_SPARQL_UPDATE_TOKEN": TOKEN,
    }


@pytest.mark.parametrize("path", [pytest.param(p, id=p) for p in PATHS])
def test_after_each_write_path_the_layout_check_is_clean_embedded(
    path: str, built_store: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    env = store_env(store)
    PATHS[path](env, tmp_path)
    checked = cli(env, "migrate-layout", "--check")
    assert checked.exit_code == 0, checked.output


SERVER_PATHS = ("review-api-accept", "sparql-update-default-graph", "sparql-update-named-graph")
"""The paths whose requests differ on a server (the others share the layout code with them)."""


@pytest.mark.slow
@pytest.mark.parametrize("path", [pytest.param(p, id=p) for p in SERVER_PATHS])
def test_after_each_write_path_the_layout_check_is_clean_on_a_server(
    path: str, paths_server: OxigraphServer, tmp_path: Path
) -> None:
    paths_server.clear()
    env = {**store_env(paths_server.url), **paths_server.env()}
    assert cli(env, "init").exit_code == 0
    PATHS[path](env, tmp_path)
    checked = cli(env, "migrate-layout", "--check")
    assert checked.exit_code == 0, checked.output
