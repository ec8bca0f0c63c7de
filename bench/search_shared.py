"""Search after a write on a store server (#16): brought up to date against built in full.

A copy of ``bench.scale``'s 1M-triple store is served by ``oxigraph serve``; a knowledge base
in this process reads it as the web workers do (its generation, and the change log, in the
store's meta graph). Measured, each the median of ``--repeats``:

- the first search of a fresh process: the index built in full (every worker's first search
  once, and, before the shared change log named the subjects a write touched, the first search
  after every write);
- the first search after a contribution is accepted through *another* knowledge base (another
  worker): the previous generation's index brought up to date from the shared change log;
- the same search once the index is current.

    python -m bench.search_shared [--store bench/out/scale-store-1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from bench import OUT
from bench.dashboards import accept_one, timed
from bench.scale import start_store_server, stop
from bench.web import ms
from lhs_kg.config import Settings
from lhs_kg.describe import Reader
from lhs_kg.describe.search import index as search_index
from lhs_kg.describe.search import search
from lhs_kg.graphs import published_graph
from lhs_kg.kb import KnowledgeBase

QUERY = "remission"
TOKEN = "bench-search-shared-update-token-0123456789"


def knowledge_base(url: str, var: Path) -> KnowledgeBase:
    """A knowledge base over the store server, with its own instance folder (a worker)."""
    settings = Settings.from_env(
        {"LHS_KG_STORE": url, "LHS_KG_VAR_DIR": str(var), "LHS_KG_STORE_UNION": "server"}
    )
    return KnowledgeBase(settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=OUT / "scale-store-1000000")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not args.store.exists():
        raise SystemExit(f"{args.store} is missing: run `python -m bench.scale --pages-only` first")
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="lhs-kg-bench-search-shared-") as tmp:
        folder = Path(tmp) / "store"
        shutil.copytree(args.store, folder)
        server, port = start_store_server(folder)
        try:
            url = f"http://127.0.0.1:{port}"
            worker = knowledge_base(url, Path(tmp) / "worker")
            writer = knowledge_base(url, Path(tmp) / "writer")
            reader = Reader(worker, [published_graph(worker.settings)])
            worker.store.refresh_generation()
            first = timed(lambda: search(reader, QUERY))
            after, current = [], []
            for i in range(args.repeats):
                accept_one(writer, i)
                builds = dict(search_index.BUILDS)
                worker.store.refresh_generation()  # as the web app does once per request
                after.append(timed(lambda: search(reader, QUERY)))
                made = {k: v - builds.get(k, 0) for k, v in search_index.BUILDS.items()}
                print(f"write {i + 1}: index made by {made}", flush=True)
                current.append(timed(lambda: search(reader, QUERY)))
            triples = worker.store.triple_count()
            worker.close()
            writer.close()
        finally:
            stop(server)
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)\n")
    print(f"search on oxigraph serve, {triples:,} triples stored, ms")
    rows = [
        ("first search of a process (full build)", first),
        ("first search after an accept by another worker", statistics.median(after)),
        ("the same search again", statistics.median(current)),
    ]
    for label, seconds in rows:
        print(f"{label:52}{ms(seconds):>10}")


if __name__ == "__main__":
    main()
