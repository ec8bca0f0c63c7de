"""The runaway set of issue #12, sent to a live server, and what it cost after its deadline.

Eight cartesian ``COUNT`` queries and a 200-step property path are sent at once; each must be
answered by its deadline (the server's ``LHS_KG_QUERY_TIMEOUT``). Two seconds after the last
deadline the server's whole process tree (query workers included) is watched for two seconds:
abandoned work that is still evaluating shows up as CPU seconds there. Then a cheap query and a
named query must answer. Shared by ``tests/live/test_runaway.py`` and ``bench/hostile.py``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import requests

from tests.live.fuzz import ACCEPT
from tests.live.server import LiveServer

CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LONG_PATH = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "SELECT (COUNT(*) AS ?n) WHERE { ?s " + "/".join(["skos:broader*"] * 200) + " ?o }"
)
RUNAWAY_SET = [CARTESIAN_COUNT] * 8 + [LONG_PATH]
CHEAP = "SELECT ?x WHERE { VALUES ?x { 1 } }"
CHEAP_NAMED = "/api/queries/loop-stages"
SETTLE_S = 2.0  # the evaluation must have stopped this long after its deadline
WINDOW_S = 2.0  # and then use (almost) no CPU for this long


@dataclass(frozen=True)
class Timed:
    """One answer: its status and how long it took."""

    status: int
    seconds: float


@dataclass
class RunawayReport:
    """What the runaway set did to the server."""

    timeout_s: float
    runaways: list[Timed] = field(default_factory=list)
    cheap_during: Timed | None = None
    cpu_after_deadline: float = 0.0
    cheap_after: Timed | None = None
    named_after: Timed | None = None


def timed(server: LiveServer, path: str, **options: object) -> Timed:
    """GET ``path`` on a fresh connection; its status (0 when no answer) and duration."""
    started = time.monotonic()
    try:
        status = requests.get(server.url + path, timeout=60, **options).status_code  # type: ignore[arg-type]
    except requests.RequestException:
        status = 0
    return Timed(status, time.monotonic() - started)


def cheap_query(server: LiveServer) -> Timed:
    """The cheap query, by GET."""
    return timed(server, "/sparql", params={"query": CHEAP}, headers={"Accept": ACCEPT})


def run_runaway_set(server: LiveServer, timeout_s: float) -> RunawayReport:
    """Send the runaway set at once, wait for the answers, then measure CPU and a cheap query."""
    report = RunawayReport(timeout_s)
    answers: list[Timed | None] = [None] * len(RUNAWAY_SET)
    sent_at: list[float] = [0.0] * len(RUNAWAY_SET)

    def send(index: int, text: str) -> None:
        sent_at[index] = time.monotonic()
        try:
            status = requests.post(
                f"{server.url}/sparql",
                data=text.encode(),
                headers={"Content-Type": "application/sparql-query", "Accept": ACCEPT},
                timeout=timeout_s + 60,
            ).status_code
        except requests.RequestException:
            status = 0
        answers[index] = Timed(status, time.monotonic() - sent_at[index])

    threads = [
        threading.Thread(target=send, args=(i, text), daemon=True)
        for i, text in enumerate(RUNAWAY_SET)
    ]
    for thread in threads:
        thread.start()
    time.sleep(min(0.5, timeout_s / 4))
    report.cheap_during = cheap_query(server)
    for thread in threads:
        thread.join(timeout_s + 90)
    report.runaways = [a if a is not None else Timed(0, float("inf")) for a in answers]
    last_deadline = max(sent_at) + timeout_s
    quiet_from = max(last_deadline, time.monotonic()) + SETTLE_S
    time.sleep(max(0.0, quiet_from - time.monotonic()))
    before = server.cpu_seconds()
    time.sleep(WINDOW_S)
    report.cpu_after_deadline = server.cpu_seconds() - before
    report.cheap_after = cheap_query(server)
    report.named_after = timed(server, CHEAP_NAMED, headers={"Accept": ACCEPT})
    return report
