"""Kill -9 of ``lhs-kg serve`` during a stream of submissions, then restart: every submission
that had been acknowledged (201) is in the store, and the store opens."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import requests

from lhs_kg.config import Settings
from lhs_kg.contributions import Contributions
from lhs_kg.kb import KnowledgeBase
from tests.helpers import LHS_KG, clean_env, example, free_port

CLI = [LHS_KG]


def start(store: Path, port: int) -> subprocess.Popen[bytes]:
    env = clean_env()
    env["LHS_KG_STORE"] = str(store)
    env["LHS_KG_WEB_SECRET_KEY"] = "a-test-secret-key-that-is-long-enough"
    env["LHS_KG_WEB_CONTRIBUTION_RATE_LIMIT"] = "100000"
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--threads", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("lhs-kg serve did not start")


def test_acknowledged_submissions_survive_kill_9(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with KnowledgeBase(Settings(store=str(store))) as kb:
        kb.rebuild()
    port = free_port()
    server = start(store, port)
    acknowledged: list[str] = []
    stop = threading.Event()

    def stream(worker: int) -> None:
        index = 0
        while not stop.is_set():
            index += 1
            doc = example(id=f"crash-{worker}-{index}", title=f"Crash test {worker}-{index}")
            try:
                answer = requests.post(
                    f"http://127.0.0.1:{port}/api/contributions",
                    data=json.dumps(doc),
                    headers={"Content-Type": "application/json"},
                    timeout=10,
                )
            except requests.RequestException:
                return
            if answer.status_code == 201:
                acknowledged.append(answer.json()["ref"])

    workers = [threading.Thread(target=stream, args=(n,)) for n in range(3)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    stop.set()
    for worker in workers:
        worker.join(timeout=20)
    assert len(acknowledged) >= 8, "too few submissions before the kill"

    with KnowledgeBase(Settings(store=str(store))) as kb:  # the store opens after the crash
        stored = {v.ref for v in Contributions(kb).versions()}
        for version in Contributions(kb).versions():
            assert Contributions(kb).content(version.graph), f"{version.ref} has no content"
    assert set(acknowledged) <= stored

    server = start(store, port)  # and the server starts again on it
    try:
        answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert answer.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
