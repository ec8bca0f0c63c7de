"""Several web worker processes over one real ``oxigraph serve`` (#16).

A contribution accepted through one worker shows on another at its very next request: the
store's generation, kept in the store and read once per request, renews every worker's page
cache, published view and dashboards. The processes are real ``lhs-kg serve`` commands, as an
operator runs them; the reviewer works through the API with a bearer token.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from lhs_kg.aggregates import DASHBOARD_QUERIES
from lhs_kg.config import Settings
from lhs_kg.contributions.reviewers import hash_password, hash_token
from lhs_kg.formats import result_format
from lhs_kg.kb import KnowledgeBase
from lhs_kg.queries import QueryLibrary
from lhs_kg.store import RemoteStore
from tests.helpers import LHS_KG, OxigraphServer
from tests.live.server import ROOT, LiveServer, base_env, build_store, serve_on

pytestmark = pytest.mark.live

EXAMPLE = ROOT / "data" / "examples" / "case-study.json"
REVIEWER_TOKEN = "rt-workers-" + "w" * 40
GATEKEEPER, GATEKEEPER_PASSWORD = "gatekeeper", "a long gatekeeper password 7"
CURATOR, CURATOR_PASSWORD = "formcurator", "a long form curator password 9"
CASE_STUDY_PATH = "/case-study/"
JSON = result_format("json")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, store_server: OxigraphServer) -> dict[str, str]:
    """Settings naming the store server and a reviewer with an API token; content loaded once."""
    folder = tmp_path_factory.mktemp("workers")
    reviewers = folder / "reviewers.json"
    accounts = {
        "curator": {"token_hashes": [hash_token(REVIEWER_TOKEN)]},
        GATEKEEPER: {"password_hash": hash_password(GATEKEEPER_PASSWORD)},
        CURATOR: {"password_hash": hash_password(CURATOR_PASSWORD)},
    }
    reviewers.write_text(json.dumps(accounts))
    found = base_env(
        folder, {"LHS_KG_STORE": store_server.url, "LHS_KG_REVIEWERS_FILE": str(reviewers)}
    )
    build_store(found)
    return found


def _serve(env: dict[str, str], folder: Path, *extra: str) -> LiveServer:
    try:
        return serve_on(env, folder, *extra)
    except RuntimeError as err:
        pytest.fail(str(err))


@pytest.fixture(scope="module")
def two(
    env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two worker processes (``lhs-kg serve``) on their own ports, over the one store server."""
    first = _serve(env, tmp_path_factory.mktemp("worker-a"))
    second = _serve(env, tmp_path_factory.mktemp("worker-b"))
    yield first, second
    crashes = [c for c in (first.stop(), second.stop()) if c]
    assert not crashes, crashes[0]


def submit_and_accept(server: LiveServer, document: dict[str, object]) -> str:
    """Submit ``document`` through ``server`` and accept it there; the case study's path."""
    sent = server.post(
        "/api/contributions",
        data=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert sent.status_code == 201, sent.text[:500]
    ref = sent.json()["ref"]
    decided = server.post(
        f"/review/{ref}/accept",
        json={"comment": "accepted by the workers test"},
        headers={"Authorization": f"Bearer {REVIEWER_TOKEN}"},
    )
    assert decided.status_code == 200, decided.text[:500]
    iri: str = sent.json()["case_study"]
    return CASE_STUDY_PATH + iri.rsplit("/", 1)[1]


def example(slug: str, title: str) -> dict[str, object]:
    """The example contribution under another id and title."""
    document: dict[str, object] = json.loads(EXAMPLE.read_text())
    document.update(id=slug, title=title)
    return document


def test_a_contribution_accepted_through_one_worker_shows_on_the_other_at_once(
    two: tuple[LiveServer, LiveServer],
) -> None:
    writer, reader = two
    title = "Workers test: a network seen by every worker"
    slug = "workers-every-worker"
    # the reader has the pages cached and its published view built before the write
    for path in ("/nasss", "/case-study/", f"{CASE_STUDY_PATH}{slug}"):
        reader.get(path)
    assert title not in reader.get("/nasss").text
    assert title not in reader.get("/case-study/").text
    assert reader.get(f"{CASE_STUDY_PATH}{slug}").status_code == 404
    path = submit_and_accept(writer, example(slug, title))
    assert path == f"{CASE_STUDY_PATH}{slug}"
    # the very next request to the other process sees it: no time-to-live to wait out
    page = reader.get(path)
    assert page.status_code == 200, page.text[:300]
    assert title in page.text
    assert title in reader.get("/case-study/").text
    assert title in reader.get("/nasss").text


def test_the_other_worker_brings_its_dashboards_up_to_date_without_computing_them(
    two: tuple[LiveServer, LiveServer], env: dict[str, str], store_server: OxigraphServer
) -> None:
    """Each write records the case studies it touched in the store (#16): the other process
    reads that and recomputes their rows only. A full computation would write the answer's
    file for the new generation into the shared instance cache: none is written."""
    writer, reader = two
    for name in DASHBOARD_QUERIES:  # kept by the reader at the current generation
        assert reader.get(f"/api/queries/{name}").status_code == 200
    cache = Path(env["LHS_KG_VAR_DIR"])
    before = set(cache.rglob("*.srj"))
    assert before  # the workers' own first computations
    slug = "workers-dashboards"
    submit_and_accept(writer, example(slug, "Workers test: on the other worker's dashboards"))
    iri = f"https://w3id.org/lhs-kg/case-study/{slug}"
    settings = Settings.from_env({"LHS_KG_ROOT": str(ROOT), **store_server.env()})
    with KnowledgeBase(settings, store=RemoteStore(store_server.endpoints)) as oracle:
        library = QueryLibrary.from_settings(settings)
        for name in DASHBOARD_QUERIES:
            got = reader.get(f"/api/queries/{name}")
            assert got.status_code == 200, got.text[:300]
            query = library.get(name)
            full = oracle.query(query.text, bindings=query.bind({}) or None).serialize(JSON)
            assert full is not None
            assert bindings_of(got.content) == bindings_of(full), name
        assert iri in reader.get("/api/queries/nasss-heatmap").text
    assert set(cache.rglob("*.srj")) == before  # no worker computed an answer again


def bindings_of(body: bytes) -> Counter[str]:
    """A SPARQL JSON answer's rows, order-free."""
    rows = json.loads(body)["results"]["bindings"]
    return Counter(json.dumps(row, sort_keys=True) for row in rows)


def test_the_accepted_case_study_is_in_every_face_of_the_other_worker(
    two: tuple[LiveServer, LiveServer],
) -> None:
    """The rest of a user's walk (#16): its Turtle, search, the SPARQL endpoint (GET and POST,
    as Jena asks), the dump and the CSV, all from the process that did not write it."""
    writer, reader = two
    title = "Workers test: found everywhere"
    slug = "workers-everywhere"
    iri = f"https://w3id.org/lhs-kg/case-study/{slug}"
    assert slug not in reader.get("/search", params={"q": "found everywhere"}).text
    submit_and_accept(writer, example(slug, title))
    turtle = reader.get(f"{CASE_STUDY_PATH}{slug}", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert title in turtle.text
    assert (
        f"{CASE_STUDY_PATH}{slug}" in reader.get("/search", params={"q": "found everywhere"}).text
    )
    query = f"ASK {{ <{iri}> a <https://w3id.org/lhs-kg/ontology/CaseStudy> }}"
    jena_ask = "application/sparql-results+json,application/sparql-results+xml;q=0.9,*/*;q=0.1"
    asked = [
        reader.get("/sparql", params={"query": query}, headers={"Accept": jena_ask}),
        reader.post("/sparql", data={"query": query}, headers={"Accept": jena_ask}),
    ]
    assert [answer.json()["boolean"] for answer in asked] == [True, True]
    dump = reader.get("/export", params={"format": "nq"})
    assert dump.status_code == 200
    assert f"<{iri}>" in dump.text
    assert iri in reader.get("/export/case-studies.csv").text


def test_a_pending_contribution_shows_on_no_worker(two: tuple[LiveServer, LiveServer]) -> None:
    writer, reader = two
    title = "Workers test: still waiting for review"
    sent = writer.post(
        "/api/contributions",
        data=json.dumps(example("workers-pending", title)).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert sent.status_code == 201, sent.text[:500]
    for server in (writer, reader):
        assert title not in server.get("/case-study/").text
        assert server.get(f"{CASE_STUDY_PATH}workers-pending").status_code == 404


@pytest.fixture(scope="module")
def gunicorn(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``lhs-kg serve --workers 2``: two gunicorn worker processes behind one port."""
    served = _serve(env, tmp_path_factory.mktemp("gunicorn"), "--workers", "2", "--threads", "2")
    yield served
    crash = served.stop()
    assert crash is None, crash


def test_gunicorn_workers_all_see_an_accepted_contribution(
    gunicorn: LiveServer, two: tuple[LiveServer, ...]
) -> None:
    served = gunicorn
    warmed = set()
    deadline = time.monotonic() + 60
    while len(warmed) < 2 and time.monotonic() < deadline:  # both workers' caches warm
        served.session.close()  # a fresh connection: the kernel hands it to either worker
        assert served.get("/case-study/").status_code == 200
        warmed.add(served.get("/healthz").json()["worker"])  # same connection, same worker
    assert len(warmed) == 2, warmed
    title = "Workers test: accepted beside gunicorn"
    path = submit_and_accept(two[0], example("workers-gunicorn", title))
    pids = set()
    tags = set()
    deadline = time.monotonic() + 60
    # fresh connections until both processes have answered (one busy warming the new
    # generation in the background can leave every connection of a short burst to the other)
    while len(pids) < 2 and time.monotonic() < deadline:
        served.session.close()
        page = served.get(path)
        assert page.status_code == 200, page.text[:300]
        assert title in page.text
        tags.add(page.headers["ETag"])
        pids.add(served.get("/healthz").json()["worker"])
    assert len(pids) == 2, pids
    assert len(tags) == 1, tags  # one tag whichever worker answers: a 304 from either
    served.session.close()
    again = served.get(path, headers={"If-None-Match": tags.pop()})
    assert again.status_code == 304


def test_a_curator_signs_in_and_decides_whichever_gunicorn_worker_answers(
    gunicorn: LiveServer, two: tuple[LiveServer, ...]
) -> None:
    """The browser's path through ``--workers 2`` (#16): the sign-in, its session and the
    form's CSRF token made by one process are honoured by the other."""
    slug = "workers-decided-by-form"
    sent = two[0].post(
        "/api/contributions",
        data=json.dumps(example(slug, "Workers test: decided through the form")).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert sent.status_code == 201, sent.text[:500]
    assert sign_in(gunicorn, CURATOR, CURATOR_PASSWORD) == 303
    pids = set()
    for _ in range(12):  # fresh connections: both processes see the signed-in session
        gunicorn.session.close()
        assert gunicorn.get("/review").status_code == 200
        pids.add(gunicorn.get("/healthz").json()["worker"])
    assert len(pids) == 2, pids
    gunicorn.session.close()
    detail = gunicorn.get(f"/review/{slug}/v1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', detail.text)
    assert token, detail.text[:300]
    gunicorn.session.close()  # the decision on a new connection, to either process
    decided = gunicorn.post(
        f"/review/{slug}/v1/accept",
        data={"csrf_token": token.group(1), "comment": "accepted through the form"},
        allow_redirects=False,
    )
    assert decided.status_code == 303, decided.text[:300]
    assert gunicorn.get(f"{CASE_STUDY_PATH}{slug}").status_code == 200


def sign_in(server: LiveServer, name: str, password: str) -> int:
    """One sign-in on ``server``'s form (its own CSRF token); the answer's status."""
    page = server.get("/review/login")
    token = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
    assert token, "the login form carries no CSRF token"
    answer = server.post(
        "/review/login",
        data={"csrf_token": token.group(1), "username": name, "password": password},
        allow_redirects=False,
    )
    return answer.status_code


def test_failed_sign_ins_are_counted_once_for_all_worker_processes(
    two: tuple[LiveServer, LiveServer],
) -> None:
    """Five failures spread over two processes lock the account on both: with counts per
    process each would still have allowed three more (#16)."""
    statuses = [sign_in(two[n % 2], GATEKEEPER, f"wrong-{n}") for n in range(5)]
    assert statuses == [401] * 5
    assert [sign_in(server, GATEKEEPER, GATEKEEPER_PASSWORD) for server in two] == [429, 429]


def test_several_workers_on_the_embedded_store_are_refused_with_a_reason(
    tmp_path: Path,
) -> None:
    env = base_env(tmp_path)
    done = subprocess.run(
        [LHS_KG, "serve", "--workers", "2", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "needs a store server" in done.stderr
    assert "Traceback" not in done.stderr


def test_gunicorn_workers_warm_at_start_and_share_one_search_index_per_generation(
    gunicorn: LiveServer, env: dict[str, str]
) -> None:
    """Each worker warms its dashboards and the search index at start, in the background
    (#16); the index of a generation is one file in the instance cache, made by the first
    worker there and read by the others, never one per worker."""
    warmed: dict[int, int] = {}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # fresh connections, until both processes are warm
        gunicorn.session.close()
        health = gunicorn.get("/healthz").json()
        warmed[health["worker"]] = health["warm_ups"]
        if len(warmed) == 2 and all(warmed.values()):
            break
        time.sleep(0.05)
    assert len(warmed) == 2 and all(warmed.values()), warmed
    folder = Path(env["LHS_KG_VAR_DIR"]) / "instance" / "cache" / "search"
    assert sorted(p.name for p in folder.glob("index-*")) == []  # none of a worker's own
    generations = [p.stem.rsplit("-g", 1)[1] for p in folder.glob("shared-*-g*.sqlite")]
    assert generations
    assert len(generations) == len(set(generations))
    for _ in range(4):
        gunicorn.session.close()
        found = gunicorn.get("/search", params={"q": "remission"})
        assert found.status_code == 200
        assert "ImproveCareNow" in found.text
