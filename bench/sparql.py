"""SPARQL benchmark: the named queries through ``lhs-kg serve`` against raw ``oxigraph serve``, and
throughput against rdflib-endpoint (the Python peer), in the same run.

1. builds an on-disk store from the repository content plus ``bench/synthetic.py`` at
   ``--triples`` (default 1M) and a copy of it for ``oxigraph serve --union-default-graph``;
2. latency: every named query (parameters bound with the same VALUES block for both servers), sent
   to ``/sparql`` of both servers, running side by side and asked in turn (so machine noise hits
   both alike): one warm-up run each, then up to ``--repeat`` timed runs within ``--budget``
   seconds per query (some queries take tens of seconds at 1M on either server); median per
   query and over the queries;
3. throughput: 8 concurrent keep-alive clients cycling through the interactive named queries (those
   the peer answers within ``--interactive`` seconds) for ``--seconds``; answers per second;
4. the same throughput on a ``--rdflib-triples`` (default 100k) knowledge base against
   rdflib-endpoint (uvicorn), which loads everything into an rdflib Dataset: at 1M triples it
   needs minutes to load and several GB, so that comparison runs at the smaller size, with
   ``lhs-kg serve`` rebuilt on the same smaller data.

    .venv/bin/python -m bench.sparql [--triples 1000000] [--rdflib-triples 100000] [--seconds 20]

Needs the ``bench`` extra: ``pip install -e .[bench]`` (oxigraph, rdflib-endpoint, uvicorn).
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import ROOT
from bench.synthetic import write_synthetic
from bench.web import published_copy
from lhs_kg.config import Settings
from lhs_kg.kb import KnowledgeBase
from lhs_kg.queries import QueryLibrary
from lhs_kg.sparql_text import inject_values

BIN = Path(sys.executable).parent
CLIENTS = 8
SAMPLES = {
    "iri": "https://w3id.org/lhs-kg/case-study/improvecarenow",
    "date": "2020-01-01",
    "int": "2",
    "string": "x",
}
ACCEPT = {
    "select": "application/sparql-results+json",
    "ask": "application/sparql-results+json",
    "construct": "text/turtle",
    "describe": "text/turtle",
}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def named_queries() -> list[tuple[str, str, str]]:
    """(name, text with parameters bound, Accept) for every named query."""
    out = []
    for named in QueryLibrary(ROOT / "queries").all():
        values = {p.name: SAMPLES[p.type] for p in named.params if p.required}
        bindings = named.bind(values)
        text = inject_values(named.text, bindings) if bindings else named.text
        out.append((named.name, text, ACCEPT[named.returns]))
    return out


def build_store(folder: Path, nquads: Path) -> Path:
    """Repository content plus the synthetic quads in an on-disk store.

    The synthetic graphs are renamed under ``graph/data/`` so they belong to the published view,
    which is what ``/sparql`` reads.
    """
    store = folder / "store"
    with KnowledgeBase(Settings(store=str(store))) as kb:
        kb.rebuild()
        kb.load(published_copy(nquads))
    return store


def wait_until_up(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    """Poll until the server answers, or fail with its output."""
    deadline = time.monotonic() + 600
    parts = urlsplit(url)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited: {process.stderr.read().decode()[-800:]}")  # type: ignore[union-attr]
        try:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            connection.request(
                "GET",
                parts.path + "?" + urlencode({"query": "ASK {}"}),
                headers={"Accept": "application/sparql-results+json"},
            )
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"{what} did not start: {process.stderr.read().decode()[-800:]}")  # type: ignore[union-attr]


@contextmanager
def running(command: list[str], url: str, what: str) -> Iterator[str]:
    """Start a server process, wait for it, stop it afterwards."""
    # the same work as the peer, which has neither a time limit nor a result-size limit
    env = {**os.environ, "LHS_KG_QUERY_TIMEOUT": "600", "LHS_KG_MAX_RESULT_ROWS": "10000000"}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        wait_until_up(url, process, what)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def lhs_kg(store: Path) -> tuple[list[str], str]:
    port = free_port()
    return (
        [
            str(BIN / "lhs-kg"),
            "--store",
            str(store),
            "serve",
            "--port",
            str(port),
            "--threads",
            str(CLIENTS),
        ],
        f"http://127.0.0.1:{port}/sparql",
    )


def oxigraph(store: Path) -> tuple[list[str], str]:
    port = free_port()
    return (
        [
            str(BIN / "oxigraph"),
            "serve",
            "--location",
            str(store),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        f"http://127.0.0.1:{port}/query",
    )


def rdflib_endpoint(nquads: Path) -> tuple[list[str], str]:
    port = free_port()
    script = (
        "import sys, uvicorn\n"
        "from rdflib import Dataset\n"
        "from rdflib_endpoint import SparqlEndpoint\n"
        "ds = Dataset(default_union=True)\n"
        f"ds.parse({str(published_copy(nquads))!r}, format='nquads')\n"
        "for path in sys.argv[1:]:\n"
        "    ds.graph(path).parse(path)\n"
        "app = SparqlEndpoint(graph=ds)\n"
        f"uvicorn.run(app, host='127.0.0.1', port={port}, log_level='error')\n"
    )
    content = sorted(str(p) for p in (ROOT / "ontology").glob("*.ttl"))
    content += sorted(str(p) for p in (ROOT / "data").rglob("*.ttl") if "examples" not in p.parts)
    return [sys.executable, "-c", script, *content], f"http://127.0.0.1:{port}/"


class Client:
    """One keep-alive HTTP connection sending queries by POST (form-encoded)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.path = parts.path or "/"
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)

    def ask(self, text: str, accept: str) -> tuple[int, float]:
        started = time.perf_counter()
        self.connection.request(
            "POST",
            self.path,
            body=urlencode({"query": text}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )
        response = self.connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started


def latencies(
    urls: dict[str, str], queries: list[tuple[str, str, str]], repeat: int, budget_s: float
) -> dict[str, dict[str, float]]:
    """Median seconds per query and server, the servers asked in turn so both see the same machine.

    Each query is run once per server to warm caches, then timed up to ``repeat`` times per
    server, fewer when a round of both would take the query past ``budget_s`` (at a million
    triples some named queries take tens of seconds on either server): at least one timed run.
    """
    clients = {server: Client(url) for server, url in urls.items()}
    medians: dict[str, dict[str, float]] = {server: {} for server in urls}
    for name, text, accept in queries:
        warm = 0.0
        for server, client in clients.items():
            status, seconds = client.ask(text, accept)
            warm += seconds
            if status != 200:
                print(f"  ! {server} {name}: HTTP {status}", file=sys.stderr)
        rounds = max(1, min(repeat, int(budget_s / max(warm, 1e-6))))
        samples: dict[str, list[float]] = {server: [] for server in urls}
        for _ in range(rounds):
            for server, client in clients.items():
                samples[server].append(client.ask(text, accept)[1])
        for server in urls:
            medians[server][name] = statistics.median(samples[server])
        print(
            f"  {name:38} "
            + " ".join(f"{server} {medians[server][name] * 1000:9.1f} ms" for server in urls)
            + f"  ({rounds} run{'s' if rounds > 1 else ''})",
            file=sys.stderr,
            flush=True,
        )
    return medians


def throughput(url: str, queries: list[tuple[str, str, str]], seconds: float) -> tuple[float, int]:
    """Answers per second with CLIENTS concurrent clients cycling through the queries."""
    stop = time.monotonic() + seconds
    done = [0] * CLIENTS
    failed = [0] * CLIENTS

    def work(index: int) -> None:
        client = Client(url)
        position = index
        while time.monotonic() < stop:
            _, text, accept = queries[position % len(queries)]
            try:
                status, _ = client.ask(text, accept)
            except (OSError, http.client.HTTPException):
                failed[index] += 1
                client = Client(url)
                continue
            if status == 200:
                done[index] += 1
            else:
                failed[index] += 1
            position += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started), sum(failed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rdflib-triples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--budget", type=float, default=30.0, help="seconds of timed runs per query (both servers)"
    )
    parser.add_argument(
        "--interactive",
        type=float,
        default=2.0,
        help="throughput at --triples cycles through the queries the peer answers within this",
    )
    args = parser.parse_args()
    queries = named_queries()
    print(f"{len(queries)} named queries; {CLIENTS} concurrent clients for throughput")
    with tempfile.TemporaryDirectory(prefix="lhs-kg-bench-") as tmp:
        work = Path(tmp)
        big = write_synthetic(work / "big.nq", args.triples)
        started = time.monotonic()
        store = build_store(work / "lhs", big)
        print(f"built the {args.triples:,}-triple store in {time.monotonic() - started:.1f} s")
        peer = work / "peer"
        shutil.copytree(store, peer)

        ours_command, ours_url = lhs_kg(store)
        peer_command, peer_url = oxigraph(peer)
        with (
            running(ours_command, ours_url, "lhs-kg serve"),
            running(peer_command, peer_url, "oxigraph serve"),
        ):
            measured = latencies(
                {"lhs-kg": ours_url, "oxigraph": peer_url}, queries, args.repeat, args.budget
            )
            ours, theirs = measured["lhs-kg"], measured["oxigraph"]
            interactive = [q for q in queries if theirs[q[0]] <= args.interactive]
            ours_tp, ours_failed = throughput(ours_url, interactive, args.seconds)
            theirs_tp, theirs_failed = throughput(peer_url, interactive, args.seconds)

        print(
            f"\nLatency per named query at {args.triples:,} triples (median of up to "
            f"{args.repeat} runs, {args.budget:g} s of runs per query; servers asked in turn):"
        )
        print(f"{'query':38} {'lhs-kg ms':>10} {'oxigraph ms':>12} {'ratio':>6}")
        for name, _, _ in queries:
            print(
                f"{name:38} {ours[name] * 1000:10.2f} {theirs[name] * 1000:12.2f} "
                f"{ours[name] / theirs[name]:6.2f}"
            )
        ours_median = statistics.median(ours.values())
        theirs_median = statistics.median(theirs.values())
        print(
            f"{'median over the queries':38} {ours_median * 1000:10.2f} "
            f"{theirs_median * 1000:12.2f} {ours_median / theirs_median:6.2f}   (target <= 1.3)"
        )
        ratios = sorted(ours[name] / theirs[name] for name, _, _ in queries)
        print(
            f"{'median of the per-query ratios':38} {'':10} {'':12} "
            f"{statistics.median(ratios):6.2f}   (range {ratios[0]:.2f}-{ratios[-1]:.2f})"
        )

        small = write_synthetic(work / "small.nq", args.rdflib_triples)
        small_store = build_store(work / "lhs-small", small)
        command, url = lhs_kg(small_store)
        with running(command, url, "lhs-kg serve (small)"):
            small_tp, small_failed = throughput(url, queries, args.seconds)
        command, url = rdflib_endpoint(small)
        started = time.monotonic()
        with running(command, url, "rdflib-endpoint"):
            print(
                f"\nrdflib-endpoint loaded {args.rdflib_triples:,} triples in "
                f"{time.monotonic() - started:.1f} s"
            )
            rdflib_tp, rdflib_failed = throughput(url, queries, args.seconds)

    print(
        f"\nThroughput, {CLIENTS} concurrent clients, {args.seconds:g} s each; at "
        f"{args.triples:,} the {len(interactive)} queries the peer answers within "
        f"{args.interactive:g} s, at {args.rdflib_triples:,} all {len(queries)}:"
    )
    print(f"{'server':34} {'triples':>10} {'answers/s':>10} {'failed':>7}")
    print(f"{'lhs-kg serve (waitress)':34} {args.triples:>10,} {ours_tp:10.1f} {ours_failed:7}")
    print(f"{'oxigraph serve':34} {args.triples:>10,} {theirs_tp:10.1f} {theirs_failed:7}")
    print(
        f"{'lhs-kg serve (waitress)':34} {args.rdflib_triples:>10,} {small_tp:10.1f} "
        f"{small_failed:7}"
    )
    print(
        f"{'rdflib-endpoint (uvicorn)':34} {args.rdflib_triples:>10,} {rdflib_tp:10.1f} "
        f"{rdflib_failed:7}"
    )
    print(
        f"\nlhs-kg / oxigraph throughput: {ours_tp / theirs_tp:.2f}; "
        f"lhs-kg / rdflib-endpoint: {small_tp / max(rdflib_tp, 1e-9):.1f}x (target >= 10x)"
    )


if __name__ == "__main__":
    main()
