"""The live harness's own oracles can fail: the canary sees connections, CPU accounting sees
worker processes, and a killed server is noticed and started again.

Without these, "zero connections" and "no CPU after the deadline" in the other live tests
could pass because the instruments were blind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import requests

from tests.live.server import Canary, LiveServer, process_tree, tree_cpu_seconds

pytestmark = pytest.mark.live

BUSY_GRANDCHILD = textwrap.dedent(
    """
    import subprocess, sys, time
    burn = "import time\\nwhile time.process_time() < 1.0: pass"
    subprocess.run([sys.executable, "-c", burn], check=True)
    time.sleep(30)
    """
)


def test_canary_records_every_connection_and_answers_with_its_marker(canary: Canary) -> None:
    assert canary.count == 0
    answer = requests.post(canary.url + "sparql", data={"query": "ASK {}"}, timeout=10)
    requests.get(canary.url, timeout=10)
    assert canary.count == 2
    assert canary.marker in answer.text
    assert answer.headers["Content-Type"] == "application/sparql-results+json"


def test_tree_cpu_counts_a_grandchild_that_has_finished_exactly_once() -> None:
    child = subprocess.Popen([sys.executable, "-c", BUSY_GRANDCHILD])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.2)
            tree = process_tree(child.pid)
            if len(tree) == 1 and tree_cpu_seconds(child.pid) >= 1.0:
                break  # the grandchild burned its second of CPU and the child reaped it
        used = tree_cpu_seconds(child.pid)
        assert len(process_tree(child.pid)) == 1
        assert 1.0 <= used < 1.8  # counted (in the child's cutime), and not twice
    finally:
        child.kill()
        child.wait()
    assert tree_cpu_seconds(child.pid) == 0.0  # a process that is gone has no tree


def test_a_killed_server_is_reported_and_started_again(live_server: LiveServer) -> None:
    os.kill(live_server.pid, signal.SIGKILL)
    live_server.process.wait(timeout=10)
    assert not live_server.alive()
    report = live_server.crashed()
    assert report is not None and "status -9" in report
    live_server.restart()
    assert live_server.alive()
    assert live_server.crashes == [report]
    live_server.crashes.clear()  # killed on purpose: not a crash for the module to report
