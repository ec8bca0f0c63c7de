"""The dashboards' first computation on a large store (#16): batched against the full queries.

On a fresh start nothing is kept, so each dashboard answer is computed once: either by its full
query (before) or a batch of case studies at a time (``lhs_kg.per_case_study``, now). Each
variant runs in a child process over the same on-disk store (``bench.scale``'s
``scale-store-N`` or any store built by ``lhs-kg init`` + ``load``), so its peak RSS is its own.
The batched child then accepts one contribution and times each answer brought up to date (and,
apart, the whole table as SPARQL JSON, which only the query API sends), and asks the web app for
``/healthz`` and the accepted case study's page (first requests); then, with the app holding the
answers, it times the first ``/gaps`` (its counts made from the kept answers), accepts a second
contribution and times the first ``/nasss`` (and a sort of it asked before) and ``/gaps`` after
that write; then
a third, followed by what a running app does after a write (the new generation warmed in the
background, timed), and the two pages after it.

    python -m bench.dashboards_first STORE [--variants batched full] [--full-timeout 900]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import OUT
from bench.dashboards import NAMES, contribution
from lhs_kg.aggregates import AGGREGATE_TIMEOUT_S, Aggregates, published_runner, published_select
from lhs_kg.config import Settings
from lhs_kg.contributions import Contributions
from lhs_kg.describe.dashboards import dashboard_queries, maintainers
from lhs_kg.kb import KnowledgeBase
from lhs_kg.published_changes import log_of


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(store: Path, variant: str) -> dict[str, Any]:
    """One variant in this process: first answers, then (batched) after an accept, pages."""
    settings = Settings.from_env(
        {"LHS_KG_STORE": str(store), "LHS_KG_VAR_DIR": str(OUT / "var-dashboards-first")}
    )
    kb = KnowledgeBase(settings)
    out: dict[str, Any] = {"variant": variant, "rss_open": _rss_mb()}
    batched = variant == "batched"
    kept = Aggregates(
        lambda: kb.store.generation,
        published_runner(kb, 3600.0),
        maintained=maintainers(settings) if batched else None,
        changes=log_of(kb.store).since if batched else None,
        select=published_select(kb, AGGREGATE_TIMEOUT_S) if batched else None,
    )
    queries = dashboard_queries(settings)
    first = []
    for text, bindings in queries:
        start = time.perf_counter()
        assert kept.answer(text, bindings).body
        first.append(time.perf_counter() - start)
        print(f"  {variant}: {NAMES[len(first) - 1]} {first[-1]:.1f} s", file=sys.stderr)
    out["first"] = first
    out["rss_first"] = _rss_mb()
    kept_s = []
    for text, bindings in queries:
        start = time.perf_counter()
        assert kept.answer(text, bindings).body
        kept_s.append(time.perf_counter() - start)
    out["kept"] = kept_s
    if batched:
        contributions = Contributions(kb)
        document = contribution(0)
        submitted = contributions.submit(document, "json")
        assert submitted.version is not None, submitted.report.to_text()
        start = time.perf_counter()
        contributions.decide(submitted.version.ref, "accept", "bench")
        out["accept"] = time.perf_counter() - start
        after, bodies = [], []
        updated = kept.updated
        for text, bindings in queries:
            start = time.perf_counter()
            answer = kept.answer(text, bindings)
            after.append(time.perf_counter() - start)
            start = time.perf_counter()
            assert answer.body  # the whole table as SPARQL JSON (what the query API sends)
            bodies.append(time.perf_counter() - start)
        out["after"] = after
        out["body"] = bodies
        out["incremental"] = kept.updated - updated
        from web import create_app
        from web.views.reading import AGGREGATES_KEY

        app = create_app({"LHS_KG_SETTINGS": settings, "LHS_KG_KB": kb})
        app.extensions[AGGREGATES_KEY] = kept  # the answers kept above, as a running app's
        client = app.test_client()
        assert client.get("/nasss").status_code == 200
        assert client.get("/nasss?sort=complex").status_code == 200  # a sort asked before
        start = time.perf_counter()
        assert client.get("/gaps").status_code == 200
        out["/gaps (counts made)"] = (time.perf_counter() - start, 200)
        second = contributions.submit(contribution(1), "json")
        assert second.version is not None, second.report.to_text()
        contributions.decide(second.version.ref, "accept", "bench")
        for name, path in (
            ("/nasss after accept", "/nasss"),
            ("/nasss sorted", "/nasss?sort=complex"),
            ("/gaps after accept", "/gaps"),
        ):
            start = time.perf_counter()
            status = client.get(path).status_code
            out[name] = (time.perf_counter() - start, status)
        # a write through a running app also warms the new generation in the background
        from web.views.reading import warm_dashboards

        third = contributions.submit(contribution(2), "json")
        assert third.version is not None, third.report.to_text()
        contributions.decide(third.version.ref, "accept", "bench")
        start = time.perf_counter()
        warm_dashboards(app)
        out["background warm-up"] = (time.perf_counter() - start, 0)
        for name, path in (("/nasss after it", "/nasss"), ("/gaps after it", "/gaps")):
            start = time.perf_counter()
            status = client.get(path).status_code
            out[name] = (time.perf_counter() - start, status)
        iri = json.loads(document)["id"]
        for name, path in (("/healthz", "/healthz"), ("case-study page", f"/case-study/{iri}")):
            start = time.perf_counter()
            status = client.get(path).status_code
            out[name] = (time.perf_counter() - start, status)
    out["rss_peak"] = _rss_mb()
    kb.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--variants", nargs="+", default=["batched", "full"])
    parser.add_argument("--full-timeout", type=float, default=900.0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.store, args.child)))
        return
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores", flush=True)
    results = []
    for variant in args.variants:
        command = [sys.executable, "-m", "bench.dashboards_first", str(args.store)]
        started = time.perf_counter()
        try:
            done = subprocess.run(
                [*command, "--child", variant],
                stdout=subprocess.PIPE,  # the child's progress goes to stderr as it comes
                text=True,
                timeout=args.full_timeout if variant == "full" else None,
                check=True,
            )
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        except subprocess.TimeoutExpired:
            waited = time.perf_counter() - started
            print(f"{variant}: no answer within {waited:.0f} s (stopped)")
        except subprocess.CalledProcessError as err:
            print(f"{variant} failed (exit {err.returncode}; its stderr is above)")
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)\n")
    print(f"store: {args.store}")
    header = f"{'dashboard':24}" + "".join(f" {r['variant'] + ' 1st s':>13}" for r in results)
    print(
        header
        + "".join(
            f" {'kept ms':>8} {'after accept ms':>15} {'its JSON ms':>11}" for r in results[:1]
        )
    )
    for i, name in enumerate(NAMES):
        cells = "".join(f" {r['first'][i]:13.1f}" for r in results)
        if results and "after" in results[0]:
            first = results[0]
            cells += f" {first['kept'][i] * 1000:8.1f} {first['after'][i] * 1000:15.1f}"
            cells += f" {first['body'][i] * 1000:11.1f}"
        print(f"{name:24}{cells}")
    print(
        "(after accept: the answer brought up to date; its JSON: the whole table as SPARQL "
        "JSON results, made once when the query API first sends it)"
    )
    print(f"{'all':24}" + "".join(f" {sum(r['first']):13.1f}" for r in results))
    for r in results:
        print(
            f"{r['variant']}: peak RSS {r['rss_peak']:.0f} MB (store opened: "
            f"{r['rss_open']:.0f} MB, after the first answers: {r['rss_first']:.0f} MB)"
        )
        if "accept" in r:
            print(
                f"  accepting one contribution took {r['accept']:.2f} s; "
                f"{r['incremental']} answers brought up to date per case study"
            )
            pages = ("/healthz", "case-study page", "/gaps (counts made)", "/nasss after accept")
            later = (
                "/gaps after accept",
                "background warm-up",
                "/nasss after it",
                "/gaps after it",
            )
            for name in (*pages, "/nasss sorted", *later):
                seconds, status = r[name]
                said = f" (HTTP {status})" if status else ""
                print(f"  first {name}: {seconds * 1000:.0f} ms{said}")


if __name__ == "__main__":
    main()
