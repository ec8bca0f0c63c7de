"""Scale-out benchmark (#16): N web workers on a store server, against the server itself.

One ``oxigraph serve --union-default-graph`` holds the repository content plus
``bench/synthetic.py``'s data (its graphs renamed under ``graph/data/``, the published view);
``lhs-kg serve --workers N`` runs in front of it (N = 1 is waitress in one process, N > 1 is
gunicorn). In the same run:

- cold pages: distinct source pages, each asked once over 8 connections (every request a page
  cache miss, rendered from the store), as HTML and as Turtle, in pages/s, against the store
  server's own ``DESCRIBE`` of the same resources (targets: HTML >= 0.2x, Turtle >= 0.5x);
- dashboards: the NASSS heat map page (sorts the page cache has not seen) and the four dashboard
  queries of the API, first request (computed) and then kept (median of repeats), at the small
  store (repository content only) and at the large one (target kept <= 100 ms, flat); and the
  first request right after a write made through another worker (warmed in the background);
- what the generation check costs: one tiny query per request.

``--dashboards-embedded`` measures the dashboards on the embedded store (one ``lhs-kg serve``
over the same store folder) instead: on a store server that is asked to name every graph of
the union, computing them at 1M triples takes many minutes (the engine's own union, a setting
of the remote store, is 10-20x faster).

    python -m bench.scale [--triples 1000000] [--workers 1 2] [--threads 4] [--distinct 400]
                          [--dashboards-embedded | --pages-only] [--large-store DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from bench import OUT
from bench.dashboards import contribution
from bench.synthetic import BASE, N_SOURCES, write_synthetic
from bench.web import build_store, free_port, ms, one, published_copy, source_paths, sweep, wait_for
from lhs_kg.aggregates import DASHBOARD_QUERIES
from lhs_kg.config import RemoteEndpoints, Settings
from lhs_kg.contributions.reviewers import hash_token
from lhs_kg.kb import KnowledgeBase
from lhs_kg.store import RemoteStore
from lhs_kg.store.generation import meta_graph

BIN = Path(sys.executable).parent
TOKEN = "bench-scale-update-token-0123456789"
REVIEWER = "bench-scale-reviewer-token-" + "r" * 40
REPEATS = 10
HEAT_SORTS = ["label", "complex", *(f"domain-{n}" for n in range(1, 8))]


def start_store_server(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``oxigraph serve`` on ``folder``, its default graph the union (for the peer's DESCRIBE)."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "oxigraph"),
            "serve",
            "--location",
            str(folder),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port, "/query?query=ASK%7B%7D")
    return process, port


def start_workers(store: str, workers: int, threads: int) -> tuple[subprocess.Popen[bytes], int]:
    """``lhs-kg serve --workers N`` over ``store`` (a store server's URL, or a folder)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LHS_KG_")}
    reviewers = OUT / "bench-scale-reviewers.json"
    reviewers.write_text(json.dumps({"bench": {"token_hashes": [hash_token(REVIEWER)]}}))
    env.update(
        LHS_KG_STORE=store,
        LHS_KG_VAR_DIR=str(OUT / "var-scale"),
        LHS_KG_SPARQL_UPDATE_TOKEN=TOKEN,
        LHS_KG_REVIEWERS_FILE=str(reviewers),
    )
    shutil.rmtree(OUT / "var-scale" / "instance" / "cache", ignore_errors=True)
    process = subprocess.Popen(
        [
            str(BIN / "lhs-kg"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port, "/healthz", seconds=120)
    return process, port


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def get(port: int, path: str, accept: str = "text/html") -> tuple[float, int]:
    """(seconds, status) of one GET on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        seconds, status, _, _ = one(conn, path, accept)
    finally:
        conn.close()
    return seconds, status


def write_through(port: int) -> None:
    """A small SPARQL update through a worker (the token endpoint): a new store generation."""
    body = urlencode(
        {
            "update": f"INSERT DATA {{ GRAPH <{BASE}graph/data/bench-write> "
            f"{{ <{BASE}bench/w> <{BASE}bench/at> {time.time_ns()} }} }}"
        }
    ).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(
        "POST",
        "/sparql",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Bearer {TOKEN}",
        },
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status >= 300:
        raise SystemExit(f"the write through the workers failed: {response.status}")


def accept_through(port: int) -> None:
    """Submit and accept one contribution through a worker (a reviewer's API token)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(
            "POST",
            "/api/contributions",
            body=contribution(int(time.time())),
            headers={"Content-Type": "application/json"},
        )
        sent = conn.getresponse()
        answer = json.loads(sent.read() or b"{}")
        if sent.status != 201:
            raise SystemExit(f"the submission through the workers failed: {sent.status}")
        conn.request(
            "POST",
            f"/review/{answer['ref']}/accept",
            body=json.dumps({"comment": "bench.scale"}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {REVIEWER}"},
        )
        decided = conn.getresponse()
        decided.read()
        if decided.status != 200:
            raise SystemExit(f"the acceptance through the workers failed: {decided.status}")
    finally:
        conn.close()


def dashboards(port: int, accept: bool = False) -> list[tuple[str, float, float, float]]:
    """Each dashboard: (name, first request s, median kept s, first after a write s)."""
    paths = {
        f"/api/queries/{name}": "application/sparql-results+json" for name in DASHBOARD_QUERIES
    }
    out = []
    heat = [f"/nasss?sort={s}" for s in HEAT_SORTS]
    first = get(port, heat[0])[0]
    kept = [get(port, path)[0] for path in heat[1:]]  # a sort the page cache has not seen
    out.append(("/nasss, a sort not seen yet (render)", first, statistics.median(kept), 0.0))
    again = [get(port, heat[0])[0] for _ in range(REPEATS)]  # the page cache's answer
    out.append(("/nasss, again (page cache)", first, statistics.median(again), 0.0))
    for path, accept in paths.items():
        first = get(port, path, accept)[0]
        kept = [get(port, path, accept)[0] for _ in range(REPEATS)]
        out.append((path, first, statistics.median(kept), 0.0))
    if accept:
        accept_through(port)
    else:
        write_through(port)
    after_heat = get(port, heat[0])[0]
    after = [after_heat, get(port, heat[0])[0], *(get(port, p, a)[0] for p, a in paths.items())]
    return [(n, f, k, a) for (n, f, k, _), a in zip(out, after, strict=True)]


def generation_cost(store_port: int) -> float:
    """Median seconds of one read of the store's generation (what every request adds)."""
    url = f"http://127.0.0.1:{store_port}"
    store = RemoteStore(
        RemoteEndpoints(f"{url}/query", f"{url}/update", f"{url}/store"),
        meta=meta_graph(Settings().base_iri),
    )
    times = []
    for _ in range(200):
        start = time.perf_counter()
        store.refresh_generation()
        times.append(time.perf_counter() - start)
    store.close()
    return statistics.median(times)


def content_store(folder: Path) -> None:
    """The repository content only (the small store), on disk."""
    if folder.exists():
        shutil.rmtree(folder)
    settings = Settings.from_env(
        {"LHS_KG_STORE": str(folder), "LHS_KG_VAR_DIR": str(OUT / "var-scale")}
    )
    with KnowledgeBase(settings) as kb:
        kb.rebuild()
        triples = kb.store.triple_count()
    print(f"small store: repository content only, {triples:,} triples")


def cold_pages(
    port: int, store_port: int, distinct: int, offset: int
) -> tuple[float, float, float, float, float]:
    """pages/s of distinct HTML pages, distinct Turtle pages and the peer's DESCRIBE; then of
    the same HTML and Turtle pages asked again (kept: no rendering, no page query), the floor
    of what the web layer can serve at all."""
    slugs = [f"syn-{i}" for i in range(offset, offset + 2 * distinct)]
    html_paths, ttl_paths = source_paths(slugs[:distinct]), source_paths(slugs[distinct:])
    peer = [f"/query?query={quote(f'DESCRIBE <{BASE}source/{slug}>')}" for slug in slugs[:distinct]]
    rates = []
    for target, paths, accept in (
        (port, html_paths, "text/html"),
        (port, ttl_paths, "text/turtle"),
        (store_port, peer, "text/turtle"),
        (port, html_paths, "text/html"),
        (port, ttl_paths, "text/turtle"),
    ):
        latencies, wall, failed = sweep(target, paths, accept)
        if failed:
            raise SystemExit(f"{failed} of {len(paths)} requests failed on port {target}")
        rates.append(len(latencies) / wall)
    return rates[0], rates[1], rates[2], rates[3], rates[4]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--distinct", type=int, default=400, help="cold pages per pass")
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="measure the cold pages (and the generation read) only, on the large store",
    )
    parser.add_argument(
        "--dashboards-embedded",
        action="store_true",
        help="measure the dashboards on the embedded store (one process)",
    )
    parser.add_argument(
        "--after-accept",
        action="store_true",
        help="the write before 'after write' is an accepted contribution (else an operator's "
        "SPARQL update, which a store server's change log counts as touching everything)",
    )
    parser.add_argument(
        "--large-store",
        type=Path,
        help="a store already holding the content and --triples synthetic triples (bench.web's "
        "web-store-N, or lhs-kg init + load of web-N-published.nq), used instead of building one",
    )
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    OUT.mkdir(parents=True, exist_ok=True)
    small, large = OUT / "scale-store-small", OUT / f"scale-store-{args.triples}"
    if not args.pages_only:
        content_store(small)
    if args.large_store:
        large = args.large_store
    else:
        quads = published_copy(write_synthetic(OUT / f"web-{args.triples}.nq", args.triples))
        build_store(large, quads)
    print(f"large store: repository content + {args.triples:,} synthetic triples ({large.name})")

    dash: dict[str, list[tuple[str, float, float, float]]] = {}
    pages: list[tuple[int, float, float, float, float, float]] = []
    generation_s = 0.0
    dash_workers = 1 if args.dashboards_embedded else max(args.workers)
    stores = (("small", small), ("large", large))
    for label, folder in stores[1:] if args.pages_only else stores:
        if args.dashboards_embedded and not args.pages_only:
            workers, port = start_workers(str(folder), 1, args.threads)
            try:
                dash[label] = dashboards(port, args.after_accept)
                print(f"dashboards measured on the {label} store", flush=True)
            finally:
                stop(workers)
        server, store_port = start_store_server(folder)
        url = f"http://127.0.0.1:{store_port}"
        try:
            if not (args.dashboards_embedded or args.pages_only):
                workers, port = start_workers(url, dash_workers, args.threads)
                try:
                    dash[label] = dashboards(port, args.after_accept)
                    print(f"dashboards measured on the {label} store", flush=True)
                finally:
                    stop(workers)
            if label == "large":
                generation_s = generation_cost(store_port)
                for i, n in enumerate(args.workers):
                    workers, port = start_workers(url, n, args.threads)
                    try:
                        offset = (i * 2 * args.distinct) % (N_SOURCES - 2 * args.distinct)
                        pages.append((n, *cold_pages(port, store_port, args.distinct, offset)))
                    finally:
                        stop(workers)
        finally:
            stop(server)

    print(f"\nload after: {os.getloadavg()[0]:.2f} (1 min)")
    print(f"\ncold pages at {args.triples:,} triples, {args.distinct} distinct each, 8 connections")
    print(
        f"{'workers':>7} {'HTML p/s':>9} {'Turtle p/s':>10} {'DESCRIBE p/s':>12} "
        f"{'HTML vs':>8} {'Turtle vs':>9} {'kept HTML':>10} {'kept Turtle':>11}"
    )
    for n, html, ttl, peer, kept_html, kept_ttl in pages:
        print(
            f"{n:7d} {html:9.1f} {ttl:10.1f} {peer:12.1f} {html / peer:7.2f}x {ttl / peer:8.2f}x "
            f"{kept_html / peer:9.2f}x {kept_ttl / peer:10.2f}x"
        )
    print("targets: HTML >= 0.20x and Turtle >= 0.50x of the store server's DESCRIBE")
    print(
        "kept: the same pages asked again, answered from the page cache (the web layer's floor;"
        "\n      with N > 1 workers some land on a worker whose own cache lacks them)"
    )
    if not dash:
        print(f"\nreading the store's generation (once per request): {generation_s * 1000:.2f} ms")
        return
    where = "embedded store, 1 process" if args.dashboards_embedded else "store server"
    print(f"\ndashboards ({where}, {dash_workers} worker(s); ms)")
    print(
        f"{'dashboard':42} {'small 1st':>9} {'small kept':>10} {'large 1st':>9} "
        f"{'large kept':>10} {'after write':>11}"
    )
    for (name, f_small, k_small, _), (_, f_large, k_large, a_large) in zip(
        dash["small"], dash["large"], strict=True
    ):
        print(
            f"{name:42} {ms(f_small):>9} {ms(k_small):>10} {ms(f_large):>9} "
            f"{ms(k_large):>10} {ms(a_large):>11}"
        )
    print("target: kept <= 100 ms at the large store, flat from the small one")
    print(
        f"\nreading the store's generation (once per request): {generation_s * 1000:.2f} ms median"
    )


if __name__ == "__main__":
    main()
