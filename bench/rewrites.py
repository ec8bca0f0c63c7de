"""Named queries rewritten for Oxigraph's planner against their former text, side by side (#16).

The former texts are kept in ``tests/queries/reference/`` (the tests check both give the same
rows). The repository content plus ``bench/synthetic.py`` at each ``--triples`` size is loaded
into the embedded (memory) store, published; each query runs bound and unbound, former and
current asked in turn, ``--repeat`` times; the table gives the medians in ms, so a cost that
grows with the store shows from one size to the next.

    .venv/bin/python -m bench.rewrites [--triples 50000 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench import ROOT
from bench.synthetic import write_synthetic
from bench.web import published_copy
from lhs_kg.kb import KnowledgeBase
from lhs_kg.queries import QueryLibrary
from tests.helpers import new_content_kb

REFERENCE = ROOT / "tests" / "queries" / "reference"
CASES = [
    ("assessment-history", {}),
    ("assessment-history", {"caseStudy": "swedeheart"}),
    ("evidence-gaps-no-case-study", {}),
    ("evidence-gaps-no-case-study", {"scheme": "nasss"}),
]


def _run_ms(kb: KnowledgeBase, text: str, values: dict[str, str], name: str) -> float:
    query = QueryLibrary(ROOT / "queries").get(name)
    bindings = query.bind(values) if values else None
    started = time.perf_counter()
    kb.query(text, bindings=bindings).rows()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[50_000, 200_000])
    parser.add_argument("--repeat", type=int, default=5, choices=range(1, 101), metavar="1..100")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lhs-kg-bench-rewrites-"))
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores", flush=True)
    print(f"{'triples':>9}  {'query':<30}{'bound':<22}{'former ms':>10}{'now ms':>9}{'ratio':>8}")
    for size in args.triples:
        synthetic = published_copy(write_synthetic(work / f"synthetic-{size}.nq", size))
        kb = new_content_kb(max_load_bytes=synthetic.stat().st_size + 1)
        try:
            kb.load(synthetic)
            for name, values in CASES:
                former = (REFERENCE / f"{name}.rq").read_text(encoding="utf-8")
                now = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
                times: dict[str, list[float]] = {"former": [], "now": []}
                for run in range(args.repeat + 1):  # the first run warms up, not counted
                    for label, text in (("former", former), ("now", now)):
                        took = _run_ms(kb, text, values, name)
                        if run:
                            times[label].append(took)
                a, b = statistics.median(times["former"]), statistics.median(times["now"])
                bound = ", ".join(f"{k}={v}" for k, v in values.items()) or "-"
                ratio = f"{a / b:.1f}x" if b else "-"
                print(f"{size:>9,}  {name:<30}{bound:<22}{a:>10.1f}{b:>9.1f}{ratio:>8}", flush=True)
        finally:
            kb.close()
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
