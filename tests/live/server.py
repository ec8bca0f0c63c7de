"""A real ``lhs-kg serve`` process, a canary listening socket and process-tree CPU accounting.

Shared by the live tests (``tests/live``) and ``bench/hostile.py``: both start the server exactly as
an operator would (the console script beside this interpreter, settings only from the
environment) over a store freshly built by ``lhs-kg init`` in a temporary folder.
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from tests.helpers import LHS_KG, ROOT, clean_env, free_port

SECRET_KEY = "live-tests-secret-key-0123456789abcdef"
UPDATE_TOKEN = "live-tests-update-token-0123456789"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PR_SET_PDEATHSIG = 1


def base_env(folder: Path, overrides: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The server's environment: ours without any ``LHS_KG_*``, plus fixed test settings.

    ``overrides`` add or change variables; a value of None removes one (e.g. the secret key, to
    test what a fresh ``make run`` does without it).
    """
    env = clean_env()
    env.update(
        LHS_KG_ROOT=str(ROOT),
        LHS_KG_VAR_DIR=str(folder / "var"),
        LHS_KG_STORE=str(folder / "var" / "store"),
        LHS_KG_WEB_SECRET_KEY=SECRET_KEY,
        LHS_KG_SPARQL_UPDATE_TOKEN=UPDATE_TOKEN,
    )
    for name, value in (overrides or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


# -- CPU time of a process and its descendants ------------------------------------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, CPU ticks of the process and of its reaped children), or None when gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces
    # after the name: state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based here
    ppid = int(fields[1])
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ppid, ticks


def process_tree(root: int) -> dict[int, int]:
    """Every living process descending from ``root`` (root included), mapped to its CPU ticks."""
    stats: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found is not None:
                stats[int(entry)] = found
    if root not in stats:
        return {}
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        tree[pid] = stats[pid][1]
        todo.extend(children.get(pid, []))
    return tree


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by ``root`` and all its descendants, living or reaped.

    Each process counts its own time (utime+stime) and its reaped children's (cutime+cstime), so
    a worker process killed and reaped between two readings is still counted exactly once.
    """
    return sum(process_tree(root).values()) / CLOCK_TICKS


# -- the server --------------------------------------------------------------------------------


@dataclass
class LiveServer:
    """A running ``lhs-kg serve``: its URL, environment and process, with small HTTP helpers."""

    url: str
    env: dict[str, str] = field(repr=False)
    process: subprocess.Popen[bytes] = field(repr=False)
    stderr_path: Path = field(repr=False)
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    crashes: list[str] = field(default_factory=list, repr=False)
    """Crash reports of earlier processes, when :meth:`restart` replaced a dead one."""

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid

    def get(self, path: str, **options: Any) -> requests.Response:
        """GET ``path`` on the keep-alive session (30 s timeout unless given)."""
        options.setdefault("timeout", 30)
        return self.session.get(self.url + path, **options)

    def post(self, path: str, **options: Any) -> requests.Response:
        """POST to ``path`` on the keep-alive session (30 s timeout unless given)."""
        options.setdefault("timeout", 30)
        return self.session.post(self.url + path, **options)

    def cpu_seconds(self) -> float:
        """CPU seconds used by the server and every process it started (query workers)."""
        return tree_cpu_seconds(self.pid)

    def stderr_tail(self, chars: int = 3000) -> str:
        """The end of what the server wrote to stderr."""
        try:
            return self.stderr_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def crashed(self) -> str | None:
        """None while the process runs; else its exit status and the end of its stderr."""
        code = self.process.poll()
        if code is None:
            return None
        return f"lhs-kg serve exited with status {code}; stderr:\n{self.stderr_tail()}"

    def alive(self) -> bool:
        """True when the process runs and ``/healthz`` answers 200 within 10 s."""
        if self.crashed():
            return False
        try:
            return requests.get(f"{self.url}/healthz", timeout=10).status_code == 200
        except requests.RequestException:
            return False

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``lhs-kg ARGS`` with the server's settings (a curator's terminal beside it)."""
        return subprocess.run(
            [LHS_KG, *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def restart(self) -> None:
        """Start the server again on the same store, port and settings (after a crash)."""
        crash = self.crashed()
        if crash is None:
            return
        self.crashes.append(crash)
        self.session.close()
        self.session = requests.Session()
        self.process = _launch(self.url.rsplit(":", 1)[1], self.env, self.stderr_path)
        _wait_until_healthy(self)

    def stop(self) -> str | None:
        """SIGTERM, then SIGKILL after 10 s; the crash report if it had died on its own."""
        crash = self.crashed()
        self.session.close()
        if crash is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return crash


def build_store(env: Mapping[str, str]) -> None:
    """Build a fresh embedded store with ``lhs-kg init`` (raises with its stderr on failure)."""
    done = subprocess.run(
        [LHS_KG, "init"], env=dict(env), capture_output=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"lhs-kg init failed ({done.returncode}): {done.stderr.decode()[-2000:]}"
        )


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the process that started it dies (Linux), so a
    test run killed mid-way leaves no server behind."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _launch(
    port: str, env: Mapping[str, str], stderr_path: Path, *extra: str
) -> subprocess.Popen[bytes]:
    with stderr_path.open("ab") as stderr:  # a file, never a pipe nobody drains
        return subprocess.Popen(
            [LHS_KG, "serve", "--host", "127.0.0.1", "--port", port, *extra],
            env=dict(env),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=stderr_path.parent,
            preexec_fn=_die_with_parent,
        )


def _wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + 120  # a loaded machine starts processes slowly
    while time.monotonic() < deadline:
        crash = server.crashed()
        if crash:
            raise RuntimeError(crash)
        try:
            if requests.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(
        f"lhs-kg serve did not answer /healthz within 120 s:\n{server.stderr_tail()}"
    )


def start_server(folder: Path, overrides: Mapping[str, str | None] | None = None) -> LiveServer:
    """Build a store in ``folder`` and start ``lhs-kg serve`` on a free port; wait for /healthz."""
    folder.mkdir(parents=True, exist_ok=True)
    env = base_env(folder, overrides)
    build_store(env)
    port = str(free_port())
    stderr_path = folder / "serve.stderr"
    server = LiveServer(
        f"http://127.0.0.1:{port}", env, _launch(port, env, stderr_path), stderr_path
    )
    _wait_until_healthy(server)
    return server


def serve_on(env: Mapping[str, str], folder: Path, *extra: str) -> LiveServer:
    """Start ``lhs-kg serve EXTRA…`` over whatever store ``env`` names (already built), on a
    free port, its stderr in ``folder``; wait for /healthz."""
    folder.mkdir(parents=True, exist_ok=True)
    port = str(free_port())
    stderr_path = folder / "serve.stderr"
    server = LiveServer(
        f"http://127.0.0.1:{port}", dict(env), _launch(port, env, stderr_path, *extra), stderr_path
    )
    _wait_until_healthy(server)
    return server


# -- the canary --------------------------------------------------------------------------------


class Canary:
    """A loopback HTTP listener that records every connection made to it.

    It answers anything with a one-row SPARQL JSON result holding :attr:`marker`, so a federated
    query that reached it would also show the marker in the server's answer.
    """

    def __init__(self) -> None:
        self.marker = f"canary-{secrets.token_hex(8)}"
        self.connections: list[tuple[str, int]] = []
        self.requests: list[str] = []
        self._lock = threading.Lock()
        iri = {"type": "uri", "value": f"urn:{self.marker}"}
        row = {"s": iri, "p": iri, "o": {"type": "literal", "value": self.marker}, "canary": iri}
        body = json.dumps(
            {
                "head": {"vars": ["s", "p", "o", "canary"]},
                "results": {"bindings": [row]},
            }
        ).encode()
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = self.rfile.read(min(length, 1_000_000)) if length else b""
                canary._record_request(f"{self.command} {self.path} {payload[:300]!r}")
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_HEAD = _answer

            def log_message(self, format: str, *args: Any) -> None:
                """Silent: the test reads :attr:`Canary.requests` instead."""

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def verify_request(self, request: Any, client_address: Any) -> bool:
                canary._record_connection(client_address)
                return True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _record_connection(self, address: Any) -> None:
        with self._lock:
            self.connections.append((str(address[0]), int(address[1])))

    def _record_request(self, line: str) -> None:
        with self._lock:
            self.requests.append(line)

    @property
    def count(self) -> int:
        """How many connections were accepted so far."""
        with self._lock:
            return len(self.connections)

    def report(self) -> str:
        """A readable account of what reached the canary (for assertion messages)."""
        with self._lock:
            return f"{len(self.connections)} connection(s); requests: {self.requests[:5]}"

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()
