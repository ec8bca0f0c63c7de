"""Search benchmark: the full-text index (SQLite FTS5) against the former SPARQL scan, one run.

For each size (default ~10k triples: the repository content; ~1M: plus ``bench/synthetic.py``;
on an on-disk store), it times building the index once, then each query's median latency with
the index and with the scan (the peer, :mod:`lhs_kg.describe.search.scan`), asked in turn so
machine noise hits both alike, and the number of hits each returns.

    .venv/bin/python -m bench.search [--sizes 10000,1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import OUT
from bench.synthetic import write_synthetic
from bench.web import build_store
from lhs_kg.config import Settings
from lhs_kg.describe import Reader
from lhs_kg.describe.search import index_for, search
from lhs_kg.describe.search.scan import scan_search
from lhs_kg.kb import KnowledgeBase

CONTENT = 11_000
"""About how many triples the repository content holds."""
SYNTHETIC_FLOOR = 50_000
"""Sizes up to this are the repository content alone (the synthetic data starts near 40k)."""
QUERIES = ["sepsis", "learning health", "registry network", "author42", "sepsys", "co-design"]


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def measure(size: int, repeat: int, work: Path) -> list[tuple[str, ...]]:
    """Rows of the table for one size."""
    folder = work / f"store-{size}"
    settings = Settings.from_env(
        {"LHS_KG_STORE": str(folder), "LHS_KG_VAR_DIR": str(work / f"var-{size}")}
    )
    if size > SYNTHETIC_FLOOR:
        build_store(folder, write_synthetic(OUT / f"synthetic-{size}.nq", size - CONTENT))
    else:  # the repository content alone (the synthetic data starts at ~40k triples)
        with KnowledgeBase(settings) as kb:
            kb.rebuild()
    rows = []
    with KnowledgeBase(settings) as kb:
        triples = kb.stats().triples
        reader = Reader(kb)
        start = time.perf_counter()
        index_for(reader)
        build_s = time.perf_counter() - start
        rows.append((f"{triples:,}", "(build the index)", f"{build_s * 1000:,.0f}", "-", "-", "-"))
        for query in QUERIES:
            fts_hits = len(search(reader, query, limit=100))
            scan_hits = len(scan_search(reader, query, limit=100))
            fts = _median_ms(lambda q=query: search(reader, q, limit=100), repeat)
            scan = _median_ms(lambda q=query: scan_search(reader, q, limit=100), repeat)
            rows.append(
                (
                    f"{triples:,}",
                    query,
                    f"{fts:,.1f}",
                    f"{scan:,.1f}",
                    f"{scan / fts:,.0f}x" if fts else "-",
                    f"{fts_hits} / {scan_hits}",
                )
            )
    shutil.rmtree(folder, ignore_errors=True)
    return rows


def main() -> None:
    """Parse the options, run every size, print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    header = ("triples", "query", "FTS5 ms", "SPARQL scan ms", "speed-up", "hits FTS / scan")
    table = [header]
    with tempfile.TemporaryDirectory(prefix="lhs-kg-bench-search-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            table += measure(size, args.repeat, Path(tmp))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        cells = zip(row, widths, strict=True)
        print("  ".join(c.ljust(w) if i == 1 else c.rjust(w) for i, (c, w) in enumerate(cells)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
