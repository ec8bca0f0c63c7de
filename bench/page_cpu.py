"""Where a cold page's CPU goes (#16): the web app's and the store server's, per page.

Throughput on this shared 2-core machine swings with whatever else runs (``bench.scale``'s
DESCRIBE peer moved between 2,400 and 6,000/s in one hour); CPU time per page moves far less.
This runs the web app in this process (Flask's test client: no HTTP server in front) over a
``oxigraph serve --union-default-graph`` of the 1M-triple store ``bench.scale`` builds, asks
distinct source pages once each (every one a page-cache miss) as HTML and as Turtle, and
prints per page: this process's CPU (``time.process_time``), the server's (its
``/proc/PID/stat``), and the same for the peer, a ``DESCRIBE`` of the resource asked of the
server over one kept-alive connection; then the ratio of the totals, which bounds what N
workers can reach against the peer on the same cores (before HTTP parsing in the workers and
the load generator, which both sides pay).

    python -m bench.page_cpu [--pages 300] [--offset 3000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from bench import OUT
from bench.scale import start_store_server, stop
from bench.synthetic import BASE, N_SOURCES
from lhs_kg.config import Settings
from web import create_app

TICK = os.sysconf("SC_CLK_TCK")


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def measure(pid: int, ask: Callable[[int], None], first: int, pages: int) -> tuple[float, float]:
    """(this process's, the server's) CPU milliseconds per page over ``pages`` distinct ones."""
    server, mine = server_cpu(pid), time.process_time()
    for i in range(first, first + pages):
        ask(i)
    return (
        (time.process_time() - mine) / pages * 1000,
        (server_cpu(pid) - server) / pages * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="distinct pages per measure")
    parser.add_argument("--offset", type=int, default=1000, help="first synthetic source")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--store", type=Path, default=OUT / "scale-store-1000000")
    args = parser.parse_args()
    if not args.store.exists():
        raise SystemExit(f"{args.store} is missing: run `python -m bench.scale --pages-only` first")
    if args.offset + 2 * args.pages * args.repeats > N_SOURCES:
        raise SystemExit(f"--offset + 2 x --pages x --repeats must stay within {N_SOURCES}")
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    server, port = start_store_server(args.store)
    try:
        settings = Settings.from_env(
            {"LHS_KG_STORE": f"http://127.0.0.1:{port}", "LHS_KG_VAR_DIR": str(OUT / "var-cpu")}
        )
        app = create_app({"LHS_KG_SETTINGS": settings}, settings=settings)
        client = app.test_client()
        conn = http.client.HTTPConnection("127.0.0.1", port)

        def page(accept: str) -> Callable[[int], None]:
            def ask(i: int) -> None:
                answer = client.get(f"/source/syn-{i}", headers={"Accept": accept})
                if answer.status_code != 200:
                    raise SystemExit(f"/source/syn-{i} answered {answer.status_code}")

            return ask

        def describe(i: int) -> None:
            query = quote(f"DESCRIBE <{BASE}source/syn-{i}>")
            conn.request("GET", f"/query?query={query}", headers={"Accept": "text/turtle"})
            conn.getresponse().read()

        page("text/html")(0)  # the read models every page shares, as in a running server
        kinds = {"HTML": page("text/html"), "Turtle": page("text/turtle")}
        found: dict[str, list[tuple[float, float]]] = {k: [] for k in (*kinds, "DESCRIBE")}
        first = args.offset
        for _ in range(args.repeats):
            for name, ask in kinds.items():
                found[name].append(measure(server.pid, ask, first, args.pages))
                # the peer asked for the same resources, right after
                found["DESCRIBE"].append(measure(server.pid, describe, first, args.pages))
                first += args.pages
        conn.close()
    finally:
        stop(server)
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")
    print(f"\nCPU per cold source page at 1M triples, ms (median of {args.repeats})")
    print(f"{'':10} {'web app':>8} {'server':>8} {'total':>8} {'vs DESCRIBE':>12}")
    peer = statistics.median(app_ms + server_ms for app_ms, server_ms in found["DESCRIBE"])
    for name, runs in found.items():
        app_ms = statistics.median(r[0] for r in runs)
        server_ms = statistics.median(r[1] for r in runs)
        total = statistics.median(a + s for a, s in runs)
        print(f"{name:10} {app_ms:8.2f} {server_ms:8.2f} {total:8.2f} {peer / total:11.2f}x")
    print("(the peer's 'web app' column is the client reading its answer)")


if __name__ == "__main__":
    main()
