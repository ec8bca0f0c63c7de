"""Search after a write, and the first /nasss after a start (#16), at each size, in one process.

On the embedded store (in memory) holding the repository content plus ``bench/synthetic.py``'s
data (published):

- after accepting one contribution, the first search: the index brought up to date (the
  previous file copied, the touched documents re-indexed) against a full build of it (what
  every write cost before, and still the fallback), each followed by the same query;
- a fresh app's first ``/nasss``: cold (every aggregate computed on the request), against the
  same request once the start-up warm-up (``web.warming``) is done, and against a request made
  right after the warm-up started (it waits for the computation under way, not a second one).

Each figure is the median of ``--repeats`` (2 by default: the machine is shared); the 1-minute
load is printed before and after. Read the figures as orders of magnitude.

    python -m bench.search_warm [--triples 10000 1000000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.dashboards import accept_one, build, timed
from bench.web import ms
from lhs_kg.describe import Reader
from lhs_kg.describe.search import index as search_index
from lhs_kg.describe.search import index_for, search
from web import create_app
from web.warming import warm_at_start

QUERY = "remission"


def measure(triples: int, repeats: int) -> dict[str, Any]:
    kb, _ = build(triples)
    out: dict[str, Any] = {"triples": triples, "stored": kb.store.triple_count()}
    reader = Reader(kb)
    out["first build"] = timed(lambda: index_for(reader))
    incremental, full = [], []
    with tempfile.TemporaryDirectory(prefix="lhs-kg-bench-search-") as tmp:
        for i in range(repeats):
            accept_one(kb, i)
            builds = search_index.BUILDS["full"]
            incremental.append(timed(lambda: search(reader, QUERY)))
            if search_index.BUILDS["full"] != builds:
                raise SystemExit("the index was built in full after the write")

            def rebuilt() -> None:
                fresh = search_index.build_index(reader, Path(tmp))
                fresh.connect().execute("SELECT count(*) FROM docs").fetchone()

            full.append(timed(rebuilt) + timed(lambda: search(reader, QUERY)))
    out["search incremental"] = statistics.median(incremental)
    out["search full"] = statistics.median(full)
    cold, warmed, during, warm_up = [], [], [], []
    for _ in range(repeats):
        cold_app = create_app({"LHS_KG_SETTINGS": kb.settings, "LHS_KG_KB": kb})
        cold.append(timed(lambda a=cold_app: a.test_client().get("/nasss")))
        warm_app = create_app({"LHS_KG_SETTINGS": kb.settings, "LHS_KG_KB": kb})
        thread = warm_at_start(warm_app)
        assert thread is not None
        warm_up.append(timed(thread.join))
        warmed.append(timed(lambda a=warm_app: a.test_client().get("/nasss")))
        busy_app = create_app({"LHS_KG_SETTINGS": kb.settings, "LHS_KG_KB": kb})
        busy = warm_at_start(busy_app)
        during.append(timed(lambda a=busy_app: a.test_client().get("/nasss")))
        if busy is not None:
            busy.join()
    out["nasss cold"] = statistics.median(cold)
    out["warm-up"] = statistics.median(warm_up)
    out["nasss warmed"] = statistics.median(warmed)
    out["nasss during"] = statistics.median(during)
    kb.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores", flush=True)
    results = [measure(n, args.repeats) for n in args.triples]
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)\n")
    print("ms, median of repeats (synthetic triples on top of the ~11k of the content)")
    columns = [
        ("first build", "search index: first full build"),
        ("search full", "first search after an accept: full build (before)"),
        ("search incremental", "first search after an accept: brought up to date"),
        ("nasss cold", "fresh app, first /nasss: cold (before)"),
        ("warm-up", "fresh app: the start-up warm-up itself"),
        ("nasss during", "fresh app, /nasss while the warm-up runs"),
        ("nasss warmed", "fresh app, first /nasss after the warm-up"),
    ]
    print(f"{'':52}" + "".join(f"{r['triples']:>12,}" for r in results))
    for key, label in columns:
        print(f"{label:52}" + "".join(f"{ms(r[key]):>12}" for r in results))
    for r in results:
        print(f"at {r['triples']:,} synthetic: {r['stored']:,} triples stored")


if __name__ == "__main__":
    main()
