"""Engine benchmark: the named queries through lhs-kg's store layer on each engine, side by side.

The repository content plus ``bench/synthetic.py`` at ``--triples`` is loaded into the embedded
(memory) store, ``oxigraph serve`` with the union listed per request, ``oxigraph serve
--union-default-graph`` (``LHS_KG_STORE_UNION=server``) and Virtuoso open source 7 (Debian's
package), each started here on loopback ports. Every named query (parameters as in the tests)
runs ``--repeat`` times per engine, the engines asked in turn so that machine noise hits all
alike; the table gives the median per query and the ratio to the embedded store (the peer: the
same questions answered in-process). Answers cut at Virtuoso's row limit are counted as such.

    .venv/bin/python -m bench.engines [--triples 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from bench import add_peer_option, peer_store
from bench.synthetic import write_synthetic
from lhs_kg.errors import LhsKgError
from lhs_kg.kb import KnowledgeBase
from lhs_kg.queries import QueryLibrary
from lhs_kg.store import RemoteStore
from lhs_kg.store.base import Bindings

# The servers are the ones the tests start (own folders, loopback ports, Digest user on Virtuoso).
from tests.helpers import QUERIES, OxigraphServer, VirtuosoServer, new_content_kb

SAMPLES = {
    "iri": "https://w3id.org/lhs-kg/case-study/swedeheart",
    "case-study": "swedeheart",
    "date": "2000-01-01",
    "int": "1",
    "string": "x",
}


def _load(kb: KnowledgeBase, synthetic: Path) -> float:
    started = time.perf_counter()
    kb.rebuild()
    kb.store.add_quads(ox.parse(path=str(synthetic), format=ox.RdfFormat.N_QUADS))
    return time.perf_counter() - started


def _timed(run: Callable[[], object]) -> float | str:
    started = time.perf_counter()
    try:
        run()
    except LhsKgError as err:
        return type(err).__name__
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    add_peer_option(parser)
    args = parser.parse_args()
    print(f"1-min load before: {os.getloadavg()[0]:.2f}")
    work = Path(tempfile.mkdtemp(prefix="lhs-kg-bench-engines-"))
    synthetic = write_synthetic(work / "synthetic.nq", args.triples)
    servers = [
        OxigraphServer(work / "oxigraph", timeout_s=60),
        OxigraphServer(work / "oxigraph-union", timeout_s=60, union_default_graph=True),
        VirtuosoServer(_folder(work / "virtuoso"), timeout_s=60),
    ]
    try:
        local = peer_store(args.embedded, work / "embedded")
        engines = {"embedded": new_content_kb(local)}
        for name, server in zip(("oxigraph", "oxigraph-union", "virtuoso"), servers, strict=True):
            engines[name] = new_content_kb(RemoteStore(server.endpoints, timeout_s=60))
        print(
            f"content + {args.triples:,} synthetic triples; median of {args.repeat} runs, ms; "
            f"embedded store in {args.embedded}, servers on disk"
        )
        print(f"{'load (s)':<36}" + "".join(f"{name:>16}" for name in engines))
        loads = {name: _load(kb, synthetic) for name, kb in engines.items()}
        print(f"{'':<36}" + "".join(f"{loads[name]:>16.1f}" for name in engines))
        library = QueryLibrary(QUERIES)
        medians: dict[str, list[float]] = {name: [] for name in engines}
        ratios: dict[str, list[tuple[float, str]]] = {name: [] for name in engines}
        print(f"{'query':<36}" + "".join(f"{name:>16}" for name in engines))
        for query in library.names():
            named = library.get(query)
            bindings = named.bind({p.name: SAMPLES[p.type] for p in named.params if p.required})
            times: dict[str, list[float | str]] = {name: [] for name in engines}
            for _ in range(args.repeat + 1):  # the first run of each warms caches, not counted
                for name, kb in engines.items():
                    times[name].append(_timed(_asker(kb, named.text, bindings)))
            cells = []
            embedded = _median(times["embedded"][1:])
            for name in engines:
                value = _median(times[name][1:])
                if isinstance(value, str):
                    cells.append(f"{value[:15]:>16}")
                    continue
                medians[name].append(value)
                if isinstance(embedded, float):
                    ratios[name].append((value / embedded, query))
                ratio = f"{value / embedded:.1f}x" if isinstance(embedded, float) else ""
                cells.append(f"{value:>9.1f}{ratio:>7}")
            print(f"{query:<36}" + "".join(cells))
        print(
            f"{'median over the queries':<36}"
            + "".join(f"{statistics.median(medians[name] or [0.0]):>16.1f}" for name in engines)
        )
        # the target (#16): each engine's time within 1.5x of the embedded store's, per query
        print(
            f"{'median ratio to embedded':<36}"
            + "".join(f"{_median_ratio(ratios[name]):>15.2f}x" for name in engines)
        )
        for name in list(engines)[1:]:
            worst = sorted(ratios[name], reverse=True)[:3]
            print(f"worst on {name}: " + ", ".join(f"{q} {r:.2f}x" for r, q in worst))
    finally:
        for server in servers:
            server.stop()
    print(f"1-min load after: {os.getloadavg()[0]:.2f} (2 cores shared with other jobs)")


def _asker(kb: KnowledgeBase, text: str, bindings: Bindings) -> Callable[[], object]:
    """One run of a query, read to its end."""
    return lambda: list(kb.query(text, bindings=bindings))


def _median_ratio(ratios: list[tuple[float, str]]) -> float:
    return statistics.median(r for r, _ in ratios) if ratios else 0.0


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _median(values: list[float | str]) -> float | str:
    errors = [v for v in values if isinstance(v, str)]
    if errors:
        return errors[0]
    return statistics.median(v for v in values if isinstance(v, float))


if __name__ == "__main__":
    main()
