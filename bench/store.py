"""Store benchmark: lhs-kg's embedded store vs raw pyoxigraph (the floor) and rdflib (the peer).

One run prints one table: load time, five representative queries, an N-Triples dump and peak RSS,
at ~100k and ~1M triples. Each engine and size runs in its own process so RSS is its own.

    .venv/bin/python -m bench.store [--sizes 100000,1000000] [--repeat 5] [--batch-quads N]

``--batch-quads`` sets how many quads lhs-kg's bulk loader writes at a time (its memory/time knob).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import OUT
from bench.synthetic import G_CASES, write_synthetic
from lhs_kg.store.bulk import BATCH_QUADS

CS = "https://w3id.org/lhs-kg/case-study/syn-42"
QUERIES = {
    "links of one resource": f"""
        SELECT ?dir ?p ?o WHERE {{
          {{ <{CS}> ?p ?o BIND("out" AS ?dir) }} UNION {{ ?o ?p <{CS}> BIND("in" AS ?dir) }} }}""",
    "case studies per domain x level": """
        PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>
        SELECT ?domain ?level (COUNT(DISTINCT ?cs) AS ?n) WHERE {
          ?cs lhs:hasAssessment/lhs:hasRating ?r . ?r lhs:ratesDomain ?domain ; lhs:level ?level }
        GROUP BY ?domain ?level""",
    "case study -> source -> author": """
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        SELECT ?cs ?src ?name WHERE {
          ?cs a <https://w3id.org/lhs-kg/ontology/CaseStudy> ; dcterms:source ?src .
          ?src dcterms:creator/foaf:name ?name } LIMIT 1000""",
    "text filter over labels": """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?s ?label WHERE {
          ?s rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), "sepsis")) }""",
    "class hierarchy path": """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?c (COUNT(?x) AS ?n) WHERE {
          ?c rdfs:subClassOf* <https://w3id.org/lhs-kg/ontology/CaseStudy> . ?x a ?c }
        GROUP BY ?c""",
}


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def run_engine(engine: str, data: Path, repeat: int, batch_quads: int) -> dict[str, float]:
    """Load, query and dump with one engine; return seconds and peak RSS (MB)."""
    out: dict[str, float] = {}
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{engine}-"))
    if engine == "lhs-kg":
        from lhs_kg import KnowledgeBase, Settings
        from lhs_kg.store import EmbeddedStore

        store_path = workdir / "store"
        kb = KnowledgeBase(
            Settings(store=str(store_path)),
            store=EmbeddedStore(store_path, bulk_batch_quads=batch_quads),
        )
        start = time.perf_counter()
        kb.load(data)
        out["load"] = time.perf_counter() - start
        out["RSS after load MB"] = _rss_mb()
        for name, text in QUERIES.items():
            out[name] = _time(lambda t=text: _consume(kb.query(t)), repeat)
        start = time.perf_counter()
        with (workdir / "dump.nt").open("wb") as handle:
            kb.dump(handle, "nt", G_CASES)
        out["dump nt"] = time.perf_counter() - start
    elif engine == "pyoxigraph":
        import pyoxigraph as ox

        store = ox.Store(str(workdir / "store"))
        start = time.perf_counter()
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        out["load"] = time.perf_counter() - start
        out["RSS after load MB"] = _rss_mb()
        for name, text in QUERIES.items():
            out[name] = _time(
                lambda t=text: list(store.query(t, use_default_graph_as_union=True)), repeat
            )
        start = time.perf_counter()
        store.dump(
            str(workdir / "dump.nt"), ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(G_CASES)
        )
        out["dump nt"] = time.perf_counter() - start
    elif engine == "rdflib":
        import rdflib

        dataset = rdflib.Dataset(default_union=True)
        start = time.perf_counter()
        dataset.parse(str(data), format="nquads")
        out["load"] = time.perf_counter() - start
        out["RSS after load MB"] = _rss_mb()
        for name, text in QUERIES.items():
            out[name] = _time(lambda t=text: list(dataset.query(t)), max(1, min(repeat, 2)))
        start = time.perf_counter()
        dataset.graph(rdflib.URIRef(G_CASES)).serialize(str(workdir / "dump.nt"), format="nt")
        out["dump nt"] = time.perf_counter() - start
    out["peak RSS MB"] = _rss_mb()
    return out


def _rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _consume(result) -> None:
    for _ in result:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--engines", default="lhs-kg,pyoxigraph,rdflib")
    parser.add_argument("--batch-quads", type=int, default=BATCH_QUADS)
    parser.add_argument(
        "--child", nargs=3, metavar=("ENGINE", "DATA", "REPEAT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        engine, data, repeat = args.child
        print(json.dumps(run_engine(engine, Path(data), int(repeat), args.batch_quads)))
        return
    results: dict[tuple[int, str], dict[str, float]] = {}
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = args.engines.split(",")
    for size in sizes:
        data = write_synthetic(OUT / f"kb-{size}.nq", size)
        for engine in engines:
            print(f"running {engine} at {size:,} triples…", file=sys.stderr, flush=True)
            child = ["-m", "bench.store", "--child", engine, str(data), str(args.repeat)]
            proc = subprocess.run(
                [sys.executable, *child, "--batch-quads", str(args.batch_quads)],
                capture_output=True,
                text=True,
                check=True,
            )
            results[(size, engine)] = json.loads(proc.stdout.strip().splitlines()[-1])
    metrics = ["load", "RSS after load MB", *QUERIES, "dump nt", "peak RSS MB"]
    print(
        f"\nStore benchmark — {len(engines)} engines, machine: {_cpus()} cores "
        f"(times in ms; load and dump in s; median of {args.repeat} warm runs, rdflib ≤2; "
        f"lhs-kg bulk batches of {args.batch_quads:,} quads)"
    )
    for size in sizes:
        print(f"\n## {size:,} triples")
        header = f"{'metric':34}" + "".join(f"{e:>14}" for e in engines)
        if "lhs-kg" in engines and "pyoxigraph" in engines:
            header += f"{'lhs/raw':>10}"
        if "lhs-kg" in engines and "rdflib" in engines:
            header += f"{'rdflib/lhs':>12}"
        print(header)
        for metric in metrics:
            cells = []
            for engine in engines:
                value = results[(size, engine)][metric]
                cells.append(_fmt(metric, value))
            line = f"{metric:34}" + "".join(f"{c:>14}" for c in cells)
            ours = results.get((size, "lhs-kg"), {}).get(metric)
            raw = results.get((size, "pyoxigraph"), {}).get(metric)
            peer = results.get((size, "rdflib"), {}).get(metric)
            if ours and raw:
                line += f"{ours / raw:>9.2f}x"
            if ours and peer:
                line += f"{peer / ours:>11.1f}x"
            print(line)


def _fmt(metric: str, value: float) -> str:
    if metric.endswith("MB"):
        return f"{value:,.0f}"
    if metric in ("load", "dump nt"):
        return f"{value:.2f}"
    return f"{value * 1000:.1f}"


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    main()
