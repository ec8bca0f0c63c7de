"""Web benchmark: resource pages of the production server on a 1M-triple synthetic knowledge base.

Builds an on-disk store from the repository content plus ``bench/synthetic.py``'s data (its graphs
renamed under ``graph/data/`` so they belong to the published view), starts ``lhs-kg serve``
(waitress) and, on a copy of the same store, the peer ``oxigraph serve``; then drives both over
loopback with 8 keep-alive connections (threads + http.client) and prints a table:

- a source's resource page as HTML and as Turtle (lhs-kg), 300 pages asked at random (so, after
  the warm-up, answered by the page cache): latency median/p95 alone and under load; and a
  case-study page, one connection;
- the equivalent ``DESCRIBE <iri>`` answered by raw oxigraph serve (the peer), as Turtle;
- many distinct resources (``--distinct``), each asked once: a cold pass (every request a page
  cache miss, rendered from the store), then the same pages again (the warm pass), against the
  peer's DESCRIBE of the same resources, each asked once;
- conditional revalidation: the 300 pages asked with the ``If-None-Match`` of an earlier answer
  (304 expected);
- the ceiling: the same server (waitress, as ``lhs-kg serve`` runs it) answering a constant 4 KB
  page, which no Python page can beat on this machine with this load generator;
- the home page size (target ≤ 100 KB).

The page cache has its default size unless ``--page-cache-mb`` says otherwise (0: off).

    python -m bench.web [--triples 1000000] [--requests 2000] [--threads 8] [--distinct 1000]
                            [--page-cache-mb MB] [--keep-stores]
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
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from bench import OUT
from bench.synthetic import BASE, N_SOURCES, write_synthetic
from lhs_kg.config import Settings
from lhs_kg.kb import KnowledgeBase

CONNECTIONS = 8
#: Latencies (seconds), wall time of the run, answers that were not what was expected.
Timed = tuple[list[float], float, int]


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
    """Repository content (lhs-kg init) plus the synthetic quads, loaded as ``lhs-kg load`` does:
    a raw ``bulk_load`` would leave them out of the published graph that pages read (#16)."""
    if folder.exists():
        shutil.rmtree(folder)
    settings = Settings.from_env(
        {
            "LHS_KG_STORE": str(folder),
            "LHS_KG_VAR_DIR": str(OUT / "var"),
            "LHS_KG_MAX_LOAD_BYTES": str(quads.stat().st_size + 1),
        }
    )
    with KnowledgeBase(settings) as kb:
        kb.rebuild()
        kb.load(quads)


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


def synthetic_case_studies(peer_port: int) -> int:
    """How many synthetic case studies the store holds (asked of the peer, so pages exist)."""
    query = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{BASE}ontology/CaseStudy> "
        f'FILTER(STRSTARTS(STR(?s), "{BASE}case-study/syn-")) }}'
    )
    conn = http.client.HTTPConnection("127.0.0.1", peer_port, timeout=60)
    conn.request(
        "GET", f"/query?query={quote(query)}", headers={"Accept": "text/tab-separated-values"}
    )
    rows = conn.getresponse().read().decode().split()
    conn.close()
    return max(1, int(rows[-1].split("^^")[0].strip('"')))


def one(
    conn: http.client.HTTPConnection, path: str, accept: str, if_none_match: str | None = None
) -> tuple[float, int, int, str | None]:
    """Time one request on a kept-alive connection: (seconds, status, body bytes, ETag)."""
    headers = {"Accept": accept}
    if if_none_match:
        headers["If-None-Match"] = if_none_match
    start = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return time.perf_counter() - start, response.status, len(body), response.getheader("ETag")


Ask = Callable[[http.client.HTTPConnection, str], tuple[float, bool]]


def _run(port: int, work: list[list[str]], ask: Ask) -> Timed:
    """A thread per share of ``work``, each on its own connection; ``ask`` says how it went."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def worker(share: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        for path in share:
            start = time.perf_counter()
            try:
                seconds, ok = ask(conn, path)
            except OSError:  # no answer within the timeout: a failure, timed; a new connection
                seconds, ok = time.perf_counter() - start, False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(seconds)
            failed += not ok
        conn.close()
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    threads = [threading.Thread(target=worker, args=(share,)) for share in work]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - start, failures[0]


def asker(accept: str, etags: dict[str, str] | None = None) -> Ask:
    """Ask for a path; success is 200, or 304 when revalidating with ``etags``."""

    def ask(conn: http.client.HTTPConnection, path: str) -> tuple[float, bool]:
        tag = etags.get(path) if etags is not None else None
        seconds, status, _, _ = one(conn, path, accept, tag)
        return seconds, status == (304 if etags is not None else 200)

    return ask


def load(
    port: int,
    paths: list[str],
    accept: str,
    total: int,
    connections: int,
    etags: dict[str, str] | None = None,
) -> Timed:
    """``total`` requests for random ``paths`` over ``connections`` threads."""
    rng = random.Random(total)
    work = [[rng.choice(paths) for _ in range(total // connections)] for _ in range(connections)]
    return _run(port, work, asker(accept, etags))


def sweep(port: int, paths: list[str], accept: str, connections: int = CONNECTIONS) -> Timed:
    """Every path asked exactly once, the paths dealt out over ``connections`` threads."""
    work = [paths[i::connections] for i in range(connections)]
    return _run(port, work, asker(accept))


def etags_of(port: int, paths: list[str], accept: str) -> dict[str, str]:
    """The ETag of each path's current answer (one request each)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    found = {}
    for path in paths:
        tag = one(conn, path, accept)[3]
        if tag:
            found[path] = tag
    conn.close()
    return found


def source_paths(slugs: list[str]) -> list[str]:
    """The pages of the synthetic sources named by ``slugs``."""
    return [f"/source/{slug}" for slug in slugs]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


#: One line of the table: scenario, median alone (None: not measured), latencies under load,
#: wall time, failures.
Row = tuple[str, float | None, Timed]


def measure(name: str, port: int, paths: list[str], accept: str, requests: int) -> Row:
    """Each path asked once (warm-up), then at random: one connection, then 8."""
    sweep(port, sorted(set(paths)), accept)
    alone, _, fail_alone = load(port, paths, accept, 300, 1)
    busy, wall, failed = load(port, paths, accept, requests, CONNECTIONS)
    return name, statistics.median(alone), (busy, wall, failed + fail_alone)


def print_table(rows: list[Row], peer_rps: float) -> None:
    """The scenarios with their latencies, throughput and ratio to the peer's DESCRIBE."""
    print(
        f"{'scenario':44} {'median 1 conn':>13} {'median 8 conn':>13} {'p95 8 conn':>10} "
        f"{'req/s':>7} {'vs peer':>7} {'errors':>6}"
    )
    for name, alone, (busy, wall, failed) in rows:
        rps = len(busy) / wall
        first = f"{ms(alone)} ms" if alone is not None else "-"
        print(
            f"{name:44} {first:>13} {ms(statistics.median(busy)):>10} ms "
            f"{ms(statistics.quantiles(busy, n=20)[18]):>7} ms {rps:7.0f} "
            f"{rps / peer_rps:6.2f}x {failed:6d}"
        )


def serve_constant(port: int, threads: int) -> None:
    """The same server as ``lhs-kg serve`` answering a constant page: the most it can do here."""
    from web.server import make_server

    body = b"x" * 4096
    headers = [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]

    def app(environ: object, start_response: Callable[..., object]) -> list[bytes]:
        start_response("200 OK", headers)
        return [body]

    make_server(app, host="127.0.0.1", port=port, threads=threads).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of lhs-kg serve")
    parser.add_argument(
        "--distinct", type=int, default=1000, help="resources of the cold and warm passes"
    )
    parser.add_argument(
        "--page-cache-mb", type=float, default=None, help="LHS_KG_PAGE_CACHE_MB of the server"
    )
    parser.add_argument(
        "--keep-stores", action="store_true", help="reuse the stores of a previous run"
    )
    parser.add_argument("--constant-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.constant_server:
        serve_constant(args.constant_server, args.threads)
        return
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min)")
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    quads = published_copy(write_synthetic(OUT / f"web-{args.triples}.nq", args.triples))
    ours, peer = OUT / f"web-store-{args.triples}", OUT / f"web-store-{args.triples}-peer"
    if not (args.keep_stores and ours.exists() and peer.exists()):
        build_store(ours, quads)
        if peer.exists():
            shutil.rmtree(peer)
        shutil.copytree(ours, peer)
    print(f"stores built in {time.perf_counter() - started:.1f} s from {quads.name}")

    env = {k: v for k, v in os.environ.items() if not k.startswith("LHS_KG_")}
    env.update({"LHS_KG_STORE": str(ours), "LHS_KG_VAR_DIR": str(OUT / "var")})
    if args.page_cache_mb is not None:
        env["LHS_KG_PAGE_CACHE_MB"] = str(args.page_cache_mb)
    our_port, peer_port = free_port(), free_port()
    bin_dir = Path(sys.executable).parent
    ceiling_port = free_port()
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.web", "--constant-server", str(ceiling_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
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

    def describe(slug: str) -> str:
        return f"/query?query={quote(f'DESCRIBE <{BASE}source/{slug}>')}"

    try:
        wait_for(our_port, "/healthz")
        wait_for(ceiling_port, "/")
        wait_for(peer_port, "/query?query=ASK%7B%7D")
        rng = random.Random(7)
        slugs = [f"syn-{rng.randrange(N_SOURCES)}" for _ in range(300)]
        pages = [f"/source/{slug}" for slug in slugs]
        describes = [describe(slug) for slug in slugs]
        cases = synthetic_case_studies(peer_port)
        # each asked once, on one connection: what a page cache miss costs
        case_pages = [f"/case-study/syn-{i}" for i in rng.sample(range(cases), min(50, cases))]
        list_pages = [f"/case-study/?page={page}" for page in rng.sample(range(1, 300), 20)]
        concept_pages = ["/concept/nasss/1", "/concept/loop/practice-to-data", "/concept/nasss/1A"]
        # resources never asked before, in four disjoint sets: 8-connection HTML and Turtle
        # passes, and 200 each for the single-connection latency of a page cache miss
        fresh = sorted({f"syn-{i}" for i in range(N_SOURCES)} - set(slugs))
        rng.shuffle(fresh)
        distinct = min(args.distinct, (len(fresh) - 400) // 2)
        html_set, ttl_set = fresh[:distinct], fresh[distinct : 2 * distinct]
        alone_html = source_paths(fresh[2 * distinct : 2 * distinct + 200])
        alone_ttl = source_paths(fresh[2 * distinct + 200 : 2 * distinct + 400])
        conn = http.client.HTTPConnection("127.0.0.1", our_port, timeout=30)
        home_size = one(conn, "/", "text/html")[2]
        conn.close()

        html, ttl, n = "text/html", "text/turtle", args.requests
        cached = [
            measure("source page HTML (cached, 300 pages)", our_port, pages, html, n),
            measure("source page Turtle (cached, 300 pages)", our_port, pages, ttl, n),
            measure("oxigraph DESCRIBE Turtle (peer, 300)", peer_port, describes, ttl, n),
            measure("waitress ceiling: a constant 4 KB answer", ceiling_port, ["/"], html, n),
        ]
        html_tags, ttl_tags = etags_of(our_port, pages, html), etags_of(our_port, pages, ttl)
        revalidated: list[Row] = [
            (
                "revalidate HTML, If-None-Match -> 304",
                None,
                load(our_port, pages, html, n, CONNECTIONS, html_tags),
            ),
            (
                "revalidate Turtle, If-None-Match -> 304",
                None,
                load(our_port, pages, ttl, n, CONNECTIONS, ttl_tags),
            ),
        ]
        html_paths, ttl_paths = source_paths(html_set), source_paths(ttl_set)
        peer_paths = [describe(slug) for slug in html_set]
        passes: list[Row] = []
        for ours_then, peer_then in (("cold (misses)", "first"), ("again (warm)", "again")):
            passes += [
                (
                    f"HTML, {distinct} distinct, {ours_then}",
                    None,
                    sweep(our_port, html_paths, html),
                ),
                (
                    f"Turtle, {distinct} distinct, {ours_then}",
                    None,
                    sweep(our_port, ttl_paths, ttl),
                ),
                (
                    f"peer DESCRIBE, {distinct}, {peer_then}",
                    None,
                    sweep(peer_port, peer_paths, ttl),
                ),
            ]
        miss_html, _, _ = sweep(our_port, alone_html, html, 1)
        miss_ttl, _, _ = sweep(our_port, alone_ttl, ttl, 1)
        case_alone, _, _ = sweep(our_port, case_pages, html, 1)
        list_alone, _, _ = sweep(our_port, list_pages, html, 1)
        concept_alone, _, _ = sweep(our_port, concept_pages, html, 1)
        case_turtle, _, _ = sweep(our_port, case_pages, ttl, 1)
    finally:
        for server in servers:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()

    cache_mb = "default" if args.page_cache_mb is None else f"{args.page_cache_mb:g}"
    print(
        f"\n{args.triples:,} synthetic triples + repository content; {CONNECTIONS} connections; "
        f"{args.threads} waitress threads; page cache {cache_mb} MB; "
        f"load after: {os.getloadavg()[0]:.2f} (1 min)"
    )
    peer_rps = len(cached[2][2][0]) / cached[2][2][1]
    print_table([*cached, *revalidated, *passes], peer_rps)
    print("\n'vs peer': against oxigraph DESCRIBE of 300 resources at random (target >= 0.5x)")
    print(
        f"targets: HTML median <= 20 ms, RDF median <= 10 ms; a page cache miss, one connection: "
        f"HTML {ms(statistics.median(miss_html)).strip()} ms, "
        f"Turtle {ms(statistics.median(miss_ttl)).strip()} ms"
    )
    print(f"home page: {home_size / 1024:.1f} KB (target <= 100 KB)")

    def med(latencies: list[float]) -> str:
        return ms(statistics.median(latencies)).strip()

    print(
        f"page cache misses, 1 connection: case-study page HTML {med(case_alone)} ms, "
        f"Turtle {med(case_turtle)} ms; case-study list page {med(list_alone)} ms; concept "
        f"pages (nasss/1, a loop stage, 1A) {med(concept_alone)} ms, "
        f"max {ms(max(concept_alone)).strip()} ms (medians)"
    )


if __name__ == "__main__":
    main()
