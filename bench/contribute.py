"""Contribution benchmark: submission round trip and accept, as the knowledge base grows.

For each size (the repository's content plus ~N synthetic triples, bench/synthetic.py) on the
on-disk embedded store, it times through the real web app (Flask test client):
- submit: POST /api/contributions of the example case study (parse, validate, store, respond);
- accept: the reviewer's decision (POST with an API token): one SPARQL update holding the new
  states, the published graph's upkeep and the generation (#16);
and, as the peers in the same run: the accept as it was before (the decision, then the published
graph brought up to date in further requests: ``atomic_updates`` off), alternating with the one
above; validation alone (lhs_kg.validate, the floor of a submission) and a raw pyoxigraph load
of the same content (the floor of a store write).

    .venv/bin/python -m bench.contribute [--sizes 0,100000,1000000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench import ROOT
from bench.synthetic import write_synthetic
from lhs_kg.config import Settings
from lhs_kg.contributions.reviewers import hash_token
from lhs_kg.documents import load_document
from lhs_kg.formats import rdf_format
from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import validate
from web import create_app

EXAMPLE = ROOT / "data" / "examples" / "case-study.json"
TOKEN = "bench-token-" + "x" * 40


def _doc(i: int) -> bytes:
    doc: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["id"] = f"bench-{i}"
    doc["title"] = f"Benchmark case study number {i}"
    return json.dumps(doc).encode("utf-8")


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(size: int, repeat: int, work: Path) -> dict[str, float]:
    store = work / f"store-{size}"
    settings = Settings(store=str(store))
    kb = KnowledgeBase(settings)
    kb.rebuild()
    if size:
        data = write_synthetic(work / f"kb-{size}.nq", size)
        kb.store.load(data, rdf_format("nq"), "urn:x:unused")
        # let RocksDB compact now: a store just bulk-loaded compacts in the background during
        # the first writes, which measures the load, not the submission
        kb.store.raw.optimize()  # type: ignore[attr-defined]
    app = create_app(
        {
            "TESTING": True,
            "LHS_KG_SETTINGS": settings,
            "LHS_KG_KB": kb,
            "CONTRIBUTION_RATE_LIMIT": 10**9,
            "REVIEWERS": {"bench": {"token_hashes": [hash_token(TOKEN)]}},
        }
    )
    client = app.test_client()
    client.post("/api/contributions", data=_doc(-1), content_type="application/json")  # warm
    submit, accept, two_step, validate_only, raw = [], [], [], [], []
    refs = []
    for i in range(repeat):
        body = _doc(i)
        started = time.perf_counter()
        answer = client.post("/api/contributions", data=body, content_type="application/json")
        submit.append(time.perf_counter() - started)
        assert answer.status_code == 201, answer.get_data(as_text=True)[:500]
        refs.append(answer.get_json()["ref"])
    for i, ref in enumerate(refs):
        one_request = i % 2 == 0  # alternate, so both see the same store as it grows
        kb.store.atomic_updates = one_request
        started = time.perf_counter()
        answer = client.post(f"/review/{ref}/accept", headers={"Authorization": f"Bearer {TOKEN}"})
        (accept if one_request else two_step).append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    kb.store.atomic_updates = True
    assert kb.layout.check().ok, "the published graph is wrong after the accepts"
    for i in range(repeat):
        document = load_document(_doc(i), fmt="json")
        started = time.perf_counter()
        validate(document, kb=kb)
        validate_only.append(time.perf_counter() - started)
        nt = document.graph.serialize(format="nt").encode()
        started = time.perf_counter()
        kb.store.raw.load(  # type: ignore[attr-defined]
            nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(f"urn:x:raw:{i}")
        )
        raw.append(time.perf_counter() - started)
    triples = kb.store.triple_count()
    kb.close()
    return {
        "triples": triples,
        "submit": _median_ms(submit),
        "submit_p95": sorted(submit)[int(0.95 * (len(submit) - 1))] * 1000,
        "accept": _median_ms(accept),
        "two_step": _median_ms(two_step),
        "validate": _median_ms(validate_only),
        "raw_load": _median_ms(raw),
    }


def main() -> None:
    """Run the sizes and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,100000,1000000")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            rows.append(run(size, args.repeat, Path(tmp)))
    header = (
        f"{'triples':>10} | {'submit ms':>9} | {'p95':>7} | {'accept ms':>9} | "
        f"{'before (2 steps)':>16} | {'validate only':>13} | {'raw load':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{int(r['triples']):>10,} | {r['submit']:>9.1f} | {r['submit_p95']:>7.1f} | "
            f"{r['accept']:>9.1f} | {r['two_step']:>16.1f} | {r['validate']:>13.1f} | "
            f"{r['raw_load']:>8.2f}"
        )
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")
    print("targets: submit ≤ 100 ms median, accept ≤ 100 ms, flat with size")


if __name__ == "__main__":
    main()
