"""Twenty submitters at once against a live waitress server: each submission recorded once."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import requests

from lhs_kg.contributions import Contributions
from tests.helpers import build_app, example, serve

SUBMITTERS = 20


def test_twenty_concurrent_submitters_are_each_recorded_exactly_once() -> None:
    app = build_app()
    app.config["CONTRIBUTION_RATE_LIMIT"] = 1000
    server = serve(app, threads=8)
    try:

        def send(index: int) -> tuple[int, str]:
            same_case = index % 2 == 0  # half update one case study: versions must not collide
            doc = example(
                id="shared-case" if same_case else f"case-{index}",
                title=f"Concurrent submission number {index}",
            )
            answer = requests.post(
                f"{server.url}/api/contributions",
                data=json.dumps(doc),
                headers={"Content-Type": "application/json"},
                timeout=60,
            )
            return answer.status_code, answer.json().get("ref", "")

        with ThreadPoolExecutor(SUBMITTERS) as pool:
            results = list(pool.map(send, range(SUBMITTERS)))
    finally:
        server.stop()
    assert [code for code, _ in results] == [201] * SUBMITTERS
    refs = [ref for _, ref in results]
    assert len(set(refs)) == SUBMITTERS
    versions = Contributions(app.extensions["lhs_kg"]).versions()
    assert sorted(v.ref for v in versions) == sorted(refs)
    titles = [v.title for v in versions]
    assert sorted(titles) == sorted(f"Concurrent submission number {i}" for i in range(SUBMITTERS))
    shared = sorted(v.number for v in versions if v.contribution_id == "shared-case")
    assert shared == list(range(1, SUBMITTERS // 2 + 1))
