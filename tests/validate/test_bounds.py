"""Validation is bounded: size once parsed, RDF lists, checks, the wait for the validator, the rate.

Regression for #12: ``/api/validate`` had no rate limit and no time limit; a 600 kB Turtle list
took 57 s to validate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.config import Settings
from lhs_kg.documents import MAX_BLANK_NODE_USES, MAX_LIST_MEMBERS, load_document
from lhs_kg.errors import BusyError, ConfigError, InputError, TooLargeError
from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import get_validator, validate
from lhs_kg.validate.engine import MAX_CHECKS
from tests.helpers import ROOT, app_for, new_content_kb, payload

EXAMPLE_TTL = (ROOT / "data" / "examples" / "case-study.ttl").read_text(encoding="utf-8")
PREFIXES = (
    "@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .\n"
    "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
    "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
)


def turtle_list(members: int) -> bytes:
    """The example case study whose aim is an RDF list of ``members`` strings."""
    items = " ".join(f'"x{i}"' for i in range(members))
    return EXAMPLE_TTL.replace('lhs:aim "Raise', f'lhs:aim ( {items} ) ; lhs:aim "Raise').encode()


def many_case_studies(count: int) -> bytes:
    lines = [PREFIXES] + [
        f'<https://w3id.org/lhs-kg/case-study/c{i}> a lhs:CaseStudy ; dcterms:title "T{i}" .'
        for i in range(count)
    ]
    return "\n".join(lines).encode()


CYCLE = (
    PREFIXES + '_:a rdf:first "x" ; rdf:rest _:b . _:b rdf:first "y" ; rdf:rest _:a .'
).encode()
SHARED = (
    PREFIXES
    + "<https://w3id.org/lhs-kg/case-study/c> "
    + " ; ".join(f"lhs:p{i} _:a" for i in range(MAX_BLANK_NODE_USES + 1))
    + ' .\n_:a rdf:first "x" ; rdf:rest rdf:nil .'
).encode()
BRANCH = (
    PREFIXES + "<https://w3id.org/lhs-kg/case-study/c> lhs:aim _:a .\n"
    '_:a rdf:first "x" ; rdf:rest _:b , _:c . _:b rdf:first "y" ; rdf:rest rdf:nil .\n'
    '_:c rdf:first "z" ; rdf:rest rdf:nil .'
).encode()


def test_the_600_kb_turtle_list_is_refused_at_once() -> None:
    body = turtle_list(70_000)
    assert len(body) > 600_000
    started = time.monotonic()
    with pytest.raises(TooLargeError, match="LHS_KG_MAX_SUBMISSION_TRIPLES"):
        load_document(body, fmt="ttl", max_bytes=2_000_000)
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("body", "fmt", "error", "words"),
    [
        pytest.param(
            turtle_list(MAX_LIST_MEMBERS + 1), "ttl", TooLargeError, "list", id="long-list"
        ),
        pytest.param(CYCLE, "ttl", InputError, "circle", id="cyclic-list"),
        pytest.param(SHARED, "ttl", InputError, "unnamed", id="shared-list"),
        pytest.param(BRANCH, "ttl", InputError, "rdf:rest", id="branching-list"),
        pytest.param(
            b'{"type": "CaseStudy", "authors": ["a"], "sources": [{"type": "Report", "authors": ['
            + b", ".join(b'{"name": "n%d"}' % i for i in range(MAX_LIST_MEMBERS + 1))
            + b"]}]}",
            "json",
            TooLargeError,
            "list",
            id="json-authors-list",
        ),
    ],
)
def test_rdf_lists_are_bounded_and_well_formed(
    body: bytes, fmt: str, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        load_document(body, fmt=fmt)


def test_a_list_at_the_bound_is_read() -> None:
    document = load_document(turtle_list(MAX_LIST_MEMBERS), fmt="ttl")
    assert len(document.graph) > 2 * MAX_LIST_MEMBERS


def test_the_triple_bound_is_a_setting() -> None:
    settings = Settings.from_env({"LHS_KG_MAX_SUBMISSION_TRIPLES": "50"})
    assert settings.max_submission_triples == 50
    with pytest.raises(TooLargeError, match="more than 50 triples"):
        validate(payload(), settings=settings, fmt="json")
    with pytest.raises(ConfigError, match="LHS_KG_MAX_SUBMISSION_TRIPLES"):
        Settings.from_env({"LHS_KG_MAX_SUBMISSION_TRIPLES": "many"})


def test_too_many_resources_to_check_is_refused_before_shacl_runs() -> None:
    body = many_case_studies(MAX_CHECKS)
    started = time.monotonic()
    with pytest.raises(TooLargeError, match="too many resources to check"):
        validate(body, fmt="ttl", settings=Settings(store="memory"))
    assert time.monotonic() - started < 2.0


def test_curated_files_are_not_bound_by_the_submission_limits() -> None:
    settings = Settings(store="memory").with_overrides(max_submission_triples=10)
    report = validate(
        ROOT / "data" / "sources.ttl", settings=settings, contribution=False, bounded=False
    )
    assert report.conforms


def test_a_busy_validator_answers_busy_instead_of_queueing() -> None:
    settings = Settings(store="memory").with_overrides(query_timeout_s=0.2)
    validator = get_validator(settings)
    with validator._lock:  # another submission is being validated
        started = time.monotonic()
        with pytest.raises(BusyError, match="busy"):
            validate(payload(), settings=settings, fmt="json")
    assert time.monotonic() - started < 2.0


# -- over HTTP ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kb() -> Iterator[KnowledgeBase]:
    with new_content_kb(query_timeout_s=0.3) as base:
        yield base


def _app(kb: KnowledgeBase, **config: object) -> Flask:
    return app_for(kb, CONTRIBUTION_RATE_LIMIT=1000, **config)


@pytest.fixture
def client(kb: KnowledgeBase) -> FlaskClient:
    return _app(kb).test_client()


@pytest.mark.parametrize("path", ["/api/validate", "/api/contributions"])
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(turtle_list(40_000), id="long-turtle-list"),
        pytest.param(many_case_studies(MAX_CHECKS), id="many-case-studies"),
    ],
)
def test_oversized_submissions_are_413_quickly(
    kb: KnowledgeBase, client: FlaskClient, path: str, body: bytes
) -> None:
    before = kb.store.triple_count()
    started = time.monotonic()
    answer = client.post(path, data=body, content_type="text/turtle")
    assert answer.status_code == 413, answer.get_data(as_text=True)[:300]
    assert answer.get_json()["message"]
    assert time.monotonic() - started < 3.0
    assert kb.store.triple_count() == before


def test_validate_rate_limit_answers_429_with_retry_after(kb: KnowledgeBase) -> None:
    client = _app(kb, VALIDATE_RATE_LIMIT=2).test_client()
    codes = [
        client.post("/api/validate", data=payload(), content_type="application/json").status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    answer = client.post("/api/validate", data=payload(), content_type="application/json")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1
    assert "validations" in answer.get_json()["message"]


def test_validate_rate_limit_is_per_address(kb: KnowledgeBase) -> None:
    client = _app(kb, VALIDATE_RATE_LIMIT=1).test_client()

    def post(address: str) -> int:
        return client.post(
            "/api/validate",
            data=payload(),
            content_type="application/json",
            environ_base={"REMOTE_ADDR": address},
        ).status_code

    assert [post("10.0.0.1"), post("10.0.0.2"), post("10.0.0.1")] == [200, 200, 429]


@pytest.mark.parametrize("path", ["/api/validate", "/api/contributions"])
def test_busy_validator_is_503_with_retry_after(kb: KnowledgeBase, path: str) -> None:
    client = _app(kb).test_client()
    validator = get_validator(kb.settings)
    answers = []
    with validator._lock:
        thread = threading.Thread(
            target=lambda: answers.append(
                client.post(path, data=payload(), content_type="application/json")
            )
        )
        thread.start()
        thread.join(timeout=10)
    assert answers and answers[0].status_code == 503
    assert answers[0].headers["Retry-After"] == "5"


def test_openapi_lists_every_answer_of_validate(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/validate"]["post"]
    assert {"200", "400", "413", "429", "503"} <= set(operation["responses"])
    assert "text/turtle" in operation["requestBody"]["content"]
