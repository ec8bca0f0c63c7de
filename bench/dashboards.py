"""Dashboards at scale (#16): the /nasss page and the dashboards' first answer after a write.

In one process, on the embedded store (in memory) holding the repository content plus
``bench/synthetic.py``'s data (published), at each size:

- ``/nasss``: the page's bytes, its first request (every aggregate computed), a view not seen
  yet (kept aggregates: sort, filter, slice and render) and the page cache's answer;
- after accepting one contribution: each dashboard answer computed again by its full query
  (what every write cost before, and the fallback) against the same answer brought up to date
  per case study (the touched case studies' rows only), and the first ``/nasss`` after it.

Medians of ``--repeats`` contributions; the 1-minute load is printed before and after (2 cores
shared with other work: read the figures as orders of magnitude).

    python -m bench.dashboards [--triples 10000 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from flask import Flask

from bench import OUT, ROOT
from bench.synthetic import write_synthetic
from bench.web import ms, published_copy
from lhs_kg.aggregates import Aggregates, published_runner
from lhs_kg.config import Settings
from lhs_kg.contributions import Contributions
from lhs_kg.describe.dashboards import dashboard_queries
from lhs_kg.kb import KnowledgeBase
from web import create_app
from web.views.reading import aggregates

EXAMPLE = ROOT / "data" / "examples" / "case-study.json"
NAMES = ["case-study list", "outcome counts", "nasss-heatmap", "complexity-profiles"]
NAMES += ["loop-coverage", "element-co-occurrence", "gaps evidence"]


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def contribution(i: int) -> bytes:
    """The example case study under a new id, self-contained (its sources described)."""
    doc: dict[str, Any] = copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    for outcome in doc.get("outcomes", []):
        outcome.pop("sources", None)
    doc.update(id=f"bench-dashboards-{i}-{time.time_ns()}", sources=["foley-vale-2022"])
    return json.dumps(doc).encode("utf-8")


def accept_one(kb: KnowledgeBase, i: int) -> float:
    """Submit and accept one contribution; the seconds the acceptance took."""
    contributions = Contributions(kb)
    out = contributions.submit(contribution(i), "json")
    if out.version is None:
        raise SystemExit(out.report.to_text())
    ref = out.version.ref
    return timed(lambda: contributions.decide(ref, "accept", "bench"))


def build(triples: int) -> tuple[KnowledgeBase, Flask]:
    """Repository content plus the synthetic data, published, in a memory store; the app."""
    settings = Settings.from_env(
        {"LHS_KG_STORE": "memory", "LHS_KG_VAR_DIR": str(OUT / "var-dashboards")}
    )
    kb = KnowledgeBase(settings)
    kb.rebuild()
    if triples:
        kb.load(published_copy(write_synthetic(OUT / f"web-{triples}.nq", triples)))
    app = create_app({"LHS_KG_SETTINGS": kb.settings, "LHS_KG_KB": kb})
    return kb, app


def measure(triples: int, repeats: int) -> dict[str, Any]:
    kb, app = build(triples)
    client = app.test_client()
    out: dict[str, Any] = {"triples": triples, "stored": kb.store.triple_count()}
    first = timed(lambda: client.get("/nasss"))
    page = client.get("/nasss")
    views = ["/nasss?sort=complex", "/nasss?sort=domain-4&rated=rated", "/nasss?page=7"]
    out["page"] = (
        len(page.data),
        first,
        statistics.median(timed(lambda v=v: client.get(v)) for v in views),
    )
    out["page cache"] = statistics.median(timed(lambda: client.get("/nasss")) for _ in range(5))
    kept = aggregates(app, kb)
    queries = dashboard_queries(kb.settings)
    kept.warm(queries)
    full_runner = Aggregates(
        lambda: None, published_runner(kb, 600.0)
    )  # no keeping: the full query
    incremental: list[list[float]] = []
    full: list[list[float]] = []
    after_page: list[float] = []
    accepts: list[float] = []
    for i in range(repeats):
        accepts.append(accept_one(kb, i))
        updated = kept.updated
        incremental.append([timed(lambda t=t, b=b: kept.answer(t, b).body) for t, b in queries])
        if kept.updated == updated:
            raise SystemExit("the answers were not brought up to date per case study")
        after_page.append(timed(lambda: client.get("/nasss")))
        full.append([timed(lambda t=t, b=b: full_runner.answer(t, b)) for t, b in queries])
    out["accept"] = statistics.median(accepts)
    out["incremental"] = [statistics.median(col) for col in zip(*incremental, strict=True)]
    out["full"] = [statistics.median(col) for col in zip(*full, strict=True)]
    out["after page"] = statistics.median(after_page)
    kb.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores", flush=True)
    results = []
    for n in args.triples:
        results.append(measure(n, args.repeats))
        print(f"measured at {n:,} synthetic triples", flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)\n")
    print("/nasss (embedded store, one process; ms; 'view': a sort, filter or page not asked")
    print("for yet, so rendered from the kept aggregates; 'cached': the page cache's answer)")
    print(f"{'synthetic':>10} {'bytes':>9} {'first':>9} {'view':>9} {'cached':>9}")
    for r in results:
        size, first, view = r["page"]
        print(f"{r['triples']:>10,} {size:>9,} {ms(first)} {ms(view)} {ms(r['page cache'])}")
    print("target: page <= ~200 kB at 1M, a view <= 100 ms once the aggregates are kept\n")
    print("first answer after accepting one contribution (ms, median of repeats)")
    print(
        f"{'dashboard':24} "
        + " ".join(f"{'full ' + str(r['triples'] // 1000) + 'k':>12} {'incr':>8}" for r in results)
    )
    for i, name in enumerate(NAMES):
        cells = " ".join(f"{ms(r['full'][i]):>12} {ms(r['incremental'][i]):>8}" for r in results)
        print(f"{name:24} {cells}")
    totals = " ".join(f"{ms(sum(r['full'])):>12} {ms(sum(r['incremental'])):>8}" for r in results)
    print(f"{'all six':24} {totals}")
    for r in results:
        print(
            f"at {r['triples']:,} ({r['stored']:,} stored): accepting took "
            f"{ms(r['accept']).strip()} ms; the first /nasss after it "
            f"{ms(r['after page']).strip()} ms"
        )
    print("target: first dashboard answer after a write <= 100 ms at 1M (incr column)")


if __name__ == "__main__":
    main()
