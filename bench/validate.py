"""Validation benchmark: one typical contribution (~30 triples) validated again and again.

For knowledge bases of growing size (synthetic, from bench/synthetic.py, plus the repository's
ontology) it prints the median and 95th percentile of lhs-kg's validation, warm, with and without
parsing the JSON; the time should stay flat because validation never reads the store beyond one
query about the submission's references. The peer is pySHACL as most projects call it: the
submission mixed with the ontology and ``inference="rdfs"`` (it cannot see the knowledge base);
a second reference row runs pySHACL's own loop on our prepared data graph (what lhs-kg did before
the shapes were compiled, issue 4). A last table validates each curated case study of data/ as a
submission, compiled against pySHACL's own loop: it is the figure that decides whether
``lhs_kg.validate.compiled`` is still needed for the 30 ms target (#13).

    .venv/bin/python -m bench.validate [--sizes 10000,100000,1000000] [--repeat 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import ROOT
from bench.synthetic import write_synthetic
from lhs_kg.config import Settings
from lhs_kg.documents import load_document
from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import get_validator, validate

SUBMISSION = {
    "id": "bench-initiative",
    "type": "CaseStudy",
    "title": "A benchmark initiative that learns from its registry",
    "description": "Clinics record every visit, review the figures monthly and change one thing.",
    "organisation": "syn-3",
    "country": "GB",
    "scale": "regional",
    "startYear": 2020,
    "loopStages": ["P2D", "D2K"],
    "rationales": ["improve-outcomes"],
    "elements": ["co-design"],
    "outcomes": [{"metric": "Share of visits recorded", "before": "40%", "after": "90%"}],
    "assessment": {
        "basis": "curator-reading",
        "coverageNote": "Only three domains are described by the sources.",
        "ratings": [
            {"domain": "1", "level": "simple", "justification": "A well understood condition."},
            {"domain": "2", "level": "complicated", "justification": "Two record systems."},
            {"domain": "5", "level": "complex", "justification": "Many clinics must take part."},
        ],
    },
    "sources": ["syn-10", "syn-20"],
    "contributor": {"name": "Bench Mark", "email": "bench@example.org"},
    "licence": "CC-BY-4.0",
}


_CLOCK: list[Callable[[], float]] = [time.perf_counter]
"""The clock of every row: wall time, or with ``--cpu`` this process's CPU time (on a busy
machine the CPU time is the figure that does not depend on what else runs)."""


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds after two warm-up calls."""
    fn()
    fn()
    times = []
    for _ in range(repeat):
        started = _CLOCK[0]()
        fn()
        times.append((_CLOCK[0]() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _knowledge_base(size: int, folder: Path) -> KnowledgeBase:
    """An in-memory store with the ontology files and ``size`` synthetic triples."""
    settings = Settings.from_env({}).with_overrides(store="memory")
    kb = KnowledgeBase(settings)
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        kb.load(path)
    nquads = write_synthetic(folder / f"kb-{size}.nq", size)
    kb.store._load_nquads(nquads.read_bytes())
    return kb


def _peer(repeat: int) -> tuple[float, float]:
    """pySHACL with the ontology mixed in and RDFS inference, on the already parsed submission."""
    from pyshacl import validate as pyshacl_validate
    from rdflib import Graph

    validator = get_validator(Settings.from_env({}))
    ontology = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        ontology.parse(path, format="turtle")
    graph = load_document(json.dumps(SUBMISSION).encode(), name="s.json").graph
    shapes = validator.contribution_graph

    def run() -> object:
        return pyshacl_validate(graph, shacl_graph=shapes, ont_graph=ontology, inference="rdfs")

    return _timed(run, repeat)


def _plain(repeat: int) -> tuple[float, float]:
    """The SHACL step alone as pySHACL runs it (constraints rebuilt on every run) on our data graph.

    The same report as the compiled shapes (tests/validate/test_compiled.py): the gap is the cost
    of rebuilding pySHACL's constraint objects and of rdflib's SPARQL engine.
    """
    validator = get_validator(Settings.from_env({}))
    document = load_document(json.dumps(SUBMISSION).encode(), name="s.json")
    data = validator.data_graph(document, None, Settings.from_env({}).base_iri)
    return _timed(lambda: validator.check(data, plain=True), repeat)


def _case_studies(repeat: int) -> None:
    """Each curated case study validated as a submission, compiled and with pySHACL's own loop."""
    settings = Settings.from_env({}).with_overrides(store="memory")
    kb = KnowledgeBase(settings)
    kb.rebuild()
    validator = get_validator(settings)
    print(
        f"\n{'case study (as a submission)':<36} {'triples':>7} {'compiled ms':>12} "
        f"{'pySHACL loop ms':>16}   ({repeat} runs each, medians)"
    )
    compiled_all: list[float] = []
    plain_all: list[float] = []
    for path in sorted((ROOT / "data" / "case-studies").glob("*.ttl")):
        document = load_document(path, max_bytes=10_000_000)
        timings = []
        for plain in (False, True):

            def run(document: object = document, plain: bool = plain) -> object:
                return validator.run(
                    document,  # type: ignore[arg-type]
                    kb=kb,
                    base_iri=settings.base_iri,
                    bounded=False,
                    plain=plain,
                )

            timings.append(_timed(run, repeat)[0])
        compiled_all.append(timings[0])
        plain_all.append(timings[1])
        print(f"{path.stem:<36} {len(document.graph):>7} {timings[0]:>12.1f} {timings[1]:>16.1f}")
    print(
        f"{'median over case studies':<36} {'':>7} {statistics.median(compiled_all):>12.1f} "
        f"{statistics.median(plain_all):>16.1f}"
    )
    print(f"{'slowest case study':<36} {'':>7} {max(compiled_all):>12.1f} {max(plain_all):>16.1f}")
    kb.close()


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=1000)
    parser.add_argument("--peer-repeat", type=int, default=20)
    parser.add_argument("--case-repeat", type=int, default=30, help="runs per curated case study")
    parser.add_argument("--cpu", action="store_true", help="time CPU, not wall, milliseconds")
    args = parser.parse_args()
    if args.cpu:
        _CLOCK[0] = time.process_time
        print("clock: this process's CPU time")
    data = json.dumps(SUBMISSION).encode()
    triples = len(load_document(data, name="s.json").graph)
    cores, load = os.cpu_count(), os.getloadavg()[0]
    print(f"machine: {cores} cores, load average {load:.1f} at the start (figures grow with it)")
    print(f"submission: {triples} triples; {args.repeat} validations per row (warm)\n")
    print(f"{'engine':<44} {'KB triples':>11} {'median ms':>10} {'p95 ms':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            kb = _knowledge_base(size, Path(tmp))
            stored = kb.store.triple_count()
            report = validate(data, kb=kb, name="s.json")
            assert report.conforms and not report.issues, report.to_text()
            document = load_document(data, name="s.json")
            rows: list[tuple[str, Callable[[], object]]] = [
                (
                    "lhs-kg: parse JSON + validate",
                    lambda kb=kb: validate(data, kb=kb, name="s.json"),
                ),
                (
                    "lhs-kg: validate (document parsed)",
                    lambda kb=kb, document=document: validate(document, kb=kb),
                ),
            ]
            for label, fn in rows:
                median, p95 = _timed(fn, args.repeat)
                print(f"{label:<44} {stored:>11,} {median:>10.1f} {p95:>8.1f}", flush=True)
            median, p95 = _timed(
                lambda kb=kb, document=document: get_validator(kb.settings).run(
                    document, kb=kb, plain=True
                ),
                args.peer_repeat,
            )
            label = "lhs-kg: validate with pySHACL's own loop"
            print(
                f"{label:<44} {stored:>11,} {median:>10.1f} {p95:>8.1f}  ({args.peer_repeat} runs)"
            )
            kb.close()
    median, p95 = _plain(args.peer_repeat)
    label = "pySHACL's own loop, same data graph"
    print(f"{label:<44} {'-':>11} {median:>10.1f} {p95:>8.1f}  ({args.peer_repeat} runs)")
    median, p95 = _peer(args.peer_repeat)
    label = "pySHACL + ontology, inference=rdfs (peer)"
    print(f"{label:<44} {'-':>11} {median:>10.1f} {p95:>8.1f}  ({args.peer_repeat} runs)")
    _case_studies(args.case_repeat)


if __name__ == "__main__":
    main()
