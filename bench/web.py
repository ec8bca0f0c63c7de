"""Web benchmark: resource pages of the production server on a 1M-triple synthetic knowledge base.

Builds an on-disk store from the repository content plus ``bench/synthetic.py``'s data (its graphs
renamed under ``graph/data/`` so they belong to the published view), starts ``lhs-kg serve``
(waitress) and, on a copy of the same store, the peer ``oxigraph serve``; then drives both over
loopback with 8 keep-alive connections (threads + http.client) and prints a table:

- a source's resource page as HTML and as Turtle (lhs-kg): latency median/p95 alone and under
  load; and a case-study page, one connection;
- the equivalent ``DESCRIBE <iri>`` answered by raw oxigraph serve (the peer), as Turtle;
- the home page size (target ≤ 100 KB).

    python bench/web.py [--triples 1000000] [--requests 2000] [--threads 8] [--keep-stores]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import BASE, write_synthetic  # noqa: E402
from lhs_kg.config import Settings  # noqa: E402
from lhs_kg.kb import KnowledgeBase  # noqa: E402

OUT = ROOT / "bench" / "out"
CONNECTIONS = 8


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def published_copy(source: Path) -> Path:
    """The synthetic quads with their graphs renamed under graph/data/ (the published view)."""
    target = source.with_name(source.stem + "-published.nq")
    if target.exists() and target.stat().st_size > 0:
        return target
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for line in src:
            out.write(line.replace(f"<{BASE}graph/synthetic/", f"<{BASE}graph/data/synthetic/"))
    return target


def build_store(folder: Path, quads: Path) -> None:
    """Repository content (lhs-kg init) plus the synthetic quads, bulk-loaded."""
    if folder.exists():
        shutil.rmtree(folder)
    settings = Settings.from_env({"LHS_KG_STORE": str(folder), "LHS_KG_VAR_DIR": str(OUT / "var")})
    with KnowledgeBase(settings) as kb:
        kb.rebuild()
    store = ox.Store(str(folder))
    store.bulk_load(path=str(quads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store


def wait_for(port: int, path: str, seconds: float = 60) -> None:
    """Block until a server answers ``path`` on ``port``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not answer {path} within {seconds} s")


def one(conn: http.client.HTTPConnection, path: str, accept: str) -> tuple[float, int, int]:
    """Time one request on a kept-alive connection: (seconds, status, body bytes)."""
    start = time.perf_counter()
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    body = response.read()
    return time.perf_counter() - start, response.status, len(body)


def load(
    port: int, paths: list[str], accept: str, total: int, connections: int
) -> tuple[list[float], float, int]:
    """``total`` requests spread over ``connections`` threads: latencies, wall time, failures."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    per_thread = total // connections

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(per_thread):
            seconds, status, _ = one(conn, rng.choice(paths), accept)
            mine.append(seconds)
            if status != 200:
                with lock:
                    failures[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - start, failures[0]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of lhs-kg serve")
    parser.add_argument(
        "--keep-stores", action="store_true", help="reuse the stores of a previous run"
    )
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min)")
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    quads = published_copy(write_synthetic(OUT / f"web-{args.triples}.nq", args.triples))
    ours, peer = OUT / "web-store", OUT / "web-store-peer"
    if not (args.keep_stores and ours.exists() and peer.exists()):
        build_store(ours, quads)
        if peer.exists():
            shutil.rmtree(peer)
        shutil.copytree(ours, peer)
    print(f"stores built in {time.perf_counter() - started:.1f} s from {quads.name}")

    env = {k: v for k, v in os.environ.items() if not k.startswith("LHS_KG_")}
    env.update({"LHS_KG_STORE": str(ours), "LHS_KG_VAR_DIR": str(OUT / "var")})
    our_port, peer_port = free_port(), free_port()
    bin_dir = Path(sys.executable).parent
    servers = [
        subprocess.Popen(
            [
                str(bin_dir / "lhs-kg"),
                "serve",
                "--port",
                str(our_port),
                "--threads",
                str(args.threads),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [
                str(bin_dir / "oxigraph"),
                "serve",
                "--location",
                str(peer),
                "--bind",
                f"127.0.0.1:{peer_port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        wait_for(our_port, "/healthz")
        wait_for(peer_port, "/query?query=ASK%7B%7D")
        rng = random.Random(7)
        slugs = [f"syn-{rng.randrange(5000)}" for _ in range(300)]
        iris = [f"{BASE}source/{slug}" for slug in slugs]
        pages = [f"/source/{slug}" for slug in slugs]
        describes = [f"/query?query={quote(f'DESCRIBE <{iri}>')}" for iri in iris]
        case_pages = [f"/case-study/syn-{rng.randrange(20000)}" for _ in range(50)]
        list_pages = [f"/case-study/?page={rng.randrange(1, 300)}" for _ in range(20)]
        concept_pages = ["/concept/nasss/1", "/concept/loop/practice-to-data", "/concept/nasss/1A"]
        conn = http.client.HTTPConnection("127.0.0.1", our_port, timeout=30)
        home_size = one(conn, "/", "text/html")[2]
        conn.close()
        scenarios = [
            ("lhs-kg source page HTML", our_port, pages, "text/html"),
            ("lhs-kg source page Turtle", our_port, pages, "text/turtle"),
            ("oxigraph DESCRIBE Turtle (peer)", peer_port, describes, "text/turtle"),
        ]
        rows = []
        for name, port, paths, accept in scenarios:
            load(port, paths, accept, 80, 2)  # warm up
            alone, _, fail_a = load(port, paths, accept, 300, 1)
            busy, wall, fail_b = load(port, paths, accept, args.requests, CONNECTIONS)
            rows.append(
                (
                    name,
                    statistics.median(alone),
                    statistics.median(busy),
                    statistics.quantiles(busy, n=20)[18],
                    len(busy) / wall,
                    fail_a + fail_b,
                )
            )
        case_alone, _, _ = load(our_port, case_pages, "text/html", 30, 1)
        list_alone, _, _ = load(our_port, list_pages, "text/html", 30, 1)
        concept_alone, _, _ = load(our_port, concept_pages, "text/html", 9, 1)
        case_turtle, _, _ = load(our_port, case_pages, "text/turtle", 100, 1)
    finally:
        for server in servers:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()

    print(
        f"\n{args.triples:,} synthetic triples + repository content; {CONNECTIONS} connections; "
        f"{args.threads} waitress threads; load after: {os.getloadavg()[0]:.2f} (1 min)"
    )
    print(
        f"{'scenario':34} {'median 1 conn':>13} {'median 8 conn':>13} {'p95 8 conn':>10} "
        f"{'req/s':>8} {'errors':>6}"
    )
    for name, alone_med, busy_med, busy_p95, rps, failed in rows:
        print(
            f"{name:34} {ms(alone_med):>10} ms {ms(busy_med):>10} ms {ms(busy_p95):>7} ms "
            f"{rps:8.0f} {failed:6d}"
        )
    peer_rps = rows[2][4]
    print(
        f"\nthroughput vs oxigraph DESCRIBE: HTML {rows[0][4] / peer_rps:.2f}x, "
        f"Turtle {rows[1][4] / peer_rps:.2f}x (target >= 0.5x)"
    )
    print(
        f"targets: HTML median <= 20 ms, RDF median <= 10 ms (single connection: "
        f"{ms(rows[0][1]).strip()} ms, {ms(rows[1][1]).strip()} ms)"
    )
    print(f"home page: {home_size / 1024:.1f} KB (target <= 100 KB)")
    print(
        f"case-study page (1 connection): HTML median {ms(statistics.median(case_alone)).strip()}"
        f" ms, Turtle median {ms(statistics.median(case_turtle)).strip()} ms"
    )
    print(
        f"case-study list page (1 connection): median {ms(statistics.median(list_alone)).strip()}"
        f" ms; concept pages (nasss/1, a loop stage, 1A): median "
        f"{ms(statistics.median(concept_alone)).strip()} ms, "
        f"max {ms(max(concept_alone)).strip()} ms"
    )


if __name__ == "__main__":
    main()
