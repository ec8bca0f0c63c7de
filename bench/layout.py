"""Layout benchmark (#16): does a page or a named query cost more once 2,000 versions are kept?

Builds three on-disk stores from the repository content:

- ``history``: the content plus ``--versions`` contribution versions of the curated case
  studies (most superseded, some pending, rejected or withdrawn; the latest accepted one of each
  case study published, superseding its curated file), with the published graph of #16;
- ``none``: the same published content (the content files, each case study's accepted version)
  and none of the history before it: the baseline, so a ratio shows the cost of history alone;
- ``old``: the same store in the layout before #16 (no published graph: every public query
  names every published graph), read by today's code through its fallback.

Each store is measured embedded and behind a real ``oxigraph serve`` started here, side by
side in one run: pages through the Flask app (page cache off, read models recomputed on every
request) and every named query of ``queries/`` through ``KnowledgeBase.query_named``, median of
``--repeat`` runs. The table gives milliseconds and the ratio to ``none`` (target ≤ 1.2×).

    python -m bench.layout [--versions 2000] [--repeat 5] [--no-remote]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pyoxigraph as ox

from bench import OUT, ROOT
from lhs_kg.config import Settings
from lhs_kg.contributions import Contributions
from lhs_kg.errors import LhsKgError
from lhs_kg.formats import rdf_format
from lhs_kg.graphs import contribution_graph, registry_graph, state_iri
from lhs_kg.kb import KnowledgeBase
from lhs_kg.queries import QueryLibrary
from web import create_app
from web.views.reading import AGGREGATES_KEY, GRAPH_INFOS_KEY, PUBLISHED_VIEW_KEY

BIN = Path(sys.executable).parent
BASE = "https://w3id.org/lhs-kg/"
PAGES = [
    "/",
    "/nasss",
    "/gaps",
    "/case-study/",
    "/case-study/improvecarenow",
    "/source/",
    "/concept/nasss/1A",
    "/concept/",
    "/dataset",
    "/export/case-studies.csv",
]
#: Values for the named queries' required parameters (the optional ones are left out).
PARAMS = {
    "caseStudy": BASE + "case-study/improvecarenow",
    "since": "2020-01-01",
    "concept": BASE + "concept/nasss/1A",
}
ONTOLOGY = BASE + "ontology/"
#: An item slower than this (the old layout's worst) is run once, not ``--repeat`` times.
SLOW_S = 2.0
PROV = "http://www.w3.org/ns/prov#"
FOAF_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def case_study_slugs() -> list[str]:
    """The curated case studies, which the synthetic versions revise."""
    return sorted(p.stem for p in (ROOT / "data" / "case-studies").glob("*.ttl"))


def templates(slugs: list[str]) -> dict[str, str]:
    """One real accepted-contribution graph per case study (N-Triples), made by the real
    submission pipeline in a scratch store, to copy into the synthetic versions."""
    example = json.loads((ROOT / "data" / "examples" / "case-study.json").read_text("utf-8"))
    for outcome in example.get("outcomes", []):
        outcome.pop("sources", None)
    example["sources"] = ["foley-vale-2022"]
    out = {}
    with KnowledgeBase(Settings(store="memory")) as kb:
        kb.rebuild()
        flow = Contributions(kb)
        for slug in slugs:
            doc = {**example, "id": slug, "title": f"{slug} (edition 0)"}
            sent = flow.submit(json.dumps(doc).encode(), "json")
            assert sent.version is not None, sent.report.to_text()
            triples = flow.content(sent.version.graph)
            out[slug] = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES).decode()
    return out


def state_of(number: int, last: int, pending_tail: bool) -> str:
    """Mostly superseded, now and then withdrawn or rejected; the latest accepted is published."""
    if pending_tail and number == last:
        return "pending"
    if number == (last - 1 if pending_tail else last):
        return "published"
    return ("superseded", "superseded", "superseded", "withdrawn", "rejected")[number % 5]


def add_history(store_folder: Path, versions: int, *, published_only: bool = False) -> None:
    """Write ``versions`` contribution versions and their registry straight into the store,
    as the code before #16 left them (no published graph); ``published_only`` writes the
    versions that end up published and nothing of the history before them."""
    settings = Settings(store=str(store_folder))
    slugs = case_study_slugs()
    texts = templates(slugs)
    registry: list[str] = []
    state_p = f"<{ONTOLOGY}reviewState>"
    with KnowledgeBase(settings) as kb:
        for i in range(versions):
            slug = slugs[i % len(slugs)]
            number = i // len(slugs) + 1
            last = (versions - 1 - i % len(slugs)) // len(slugs) + 1
            state = state_of(number, last, pending_tail=i % len(slugs) % 3 == 0)
            if published_only and state != "published":
                continue
            graph = contribution_graph(settings, slug, number)
            text = texts[slug].replace(f"{slug} (edition 0)", f"{slug} (edition {number})")
            kb.store.load(text.encode(), rdf_format("nt"), graph)
            registry += [
                f"<{graph}> {state_p} <{state_iri(settings, state)}> .",
                f"<{graph}> <{FOAF_TOPIC}> <{BASE}case-study/{slug}> .",
                f'<{graph}> <{PROV}generatedAtTime> "2026-01-01T00:00:{i % 60:02d}Z"'
                "^^<http://www.w3.org/2001/XMLSchema#dateTime> .",
            ]
        for slug in slugs:
            curated = f"{BASE}graph/data/case-studies/{slug}"
            registry.append(f"<{curated}> {state_p} <{state_iri(settings, 'superseded')}> .")
        kb.store.load("\n".join(registry).encode(), rdf_format("nt"), registry_graph(settings))


def build(work: Path, versions: int) -> dict[str, Path]:
    """The three stores (none, history, old), each in its own folder. ``none`` publishes the
    same content as ``history`` (each case study's accepted version) without the history."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    base = work / "content"
    with KnowledgeBase(Settings(store=str(base))) as kb:
        kb.rebuild()
        names = [kb.layout.graph, kb.layout.record]
    with KnowledgeBase(Settings(store=str(base))) as kb:  # the layout before #16
        for name in names:
            kb.store.drop_graph(name)
    folders = {name: work / name for name in ("none", "history", "old")}
    for name, folder in folders.items():
        shutil.copytree(base, folder)
        add_history(folder, versions, published_only=name == "none")
        if name != "old":
            with KnowledgeBase(Settings(store=str(folder))) as kb:
                kb.layout.rebuild()  # what `lhs-kg migrate-layout` does
                assert kb.layout.check().ok
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    published = []
    for name in ("none", "history"):  # the old view is a bag: shared triples count twice
        with KnowledgeBase(Settings(store=str(folders[name]))) as kb:
            published.append(kb.query(count).rows()[0]["n"].value)
    assert len(set(published)) == 1, f"not the same published content: {published}"
    return folders


@contextmanager
def oxigraph_serve(folder: Path) -> Iterator[str]:
    """``oxigraph serve`` over a copy of ``folder``; yields the base URL for LHS_KG_STORE."""
    copy = folder.with_name(folder.name + "-served")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy)
    port = free_port()
    command = [
        str(BIN / "oxigraph"),
        "serve",
        "--location",
        str(copy),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read()[-500:] if process.stderr else b""
                    raise SystemExit(f"oxigraph serve did not start: {error!r}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(copy, ignore_errors=True)


class Subject:
    """One store as the web app and the Python API see it: what to time, by name."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.app = create_app({"TESTING": True, "LHS_KG_SETTINGS": kb.settings, "LHS_KG_KB": kb})
        self.client = self.app.test_client()
        self.library = QueryLibrary.from_settings(kb.settings)

    def work(self) -> dict[str, Callable[[], object]]:
        """Every page and every named query (answers read to their end), by name."""
        out: dict[str, Callable[[], object]] = {}
        for path in PAGES:
            out[f"page {path}"] = lambda path=path: self.page(path)
        for named in self.library.all():
            params = {p.name: PARAMS[p.name] for p in named.params if p.name in PARAMS}
            out[f"query {named.name}"] = lambda name=named.name, params=params: list(
                self.kb.query_named(name, params)
            )
        return out

    def page(self, path: str) -> bytes:
        for key in (PUBLISHED_VIEW_KEY, AGGREGATES_KEY, GRAPH_INFOS_KEY):
            self.app.extensions.pop(key, None)  # read models and kept answers computed afresh
        shutil.rmtree(self.kb.settings.instance_dir / "cache" / "aggregates", ignore_errors=True)
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.data


def interleaved(subjects: dict[str, Subject], repeat: int) -> dict[str, dict[str, float]]:
    """Median milliseconds per store and item; the stores take turns on each item, so a burst
    of load on this shared machine falls on all of them alike."""
    works = {name: subject.work() for name, subject in subjects.items()}
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in subjects}
    for key in next(iter(works.values())):
        slow = set()
        for name in subjects:  # warm-up; above SLOW_S, that one run is the figure
            started = time.perf_counter()
            try:
                works[name][key]()
            except LhsKgError as err:  # reported in the table, not hidden
                print(f"  {name}: {key} failed: {err}", file=sys.stderr)
                slow.add(name)
                samples[name][key] = [math.nan]
                continue
            if time.perf_counter() - started > SLOW_S:
                slow.add(name)
                samples[name][key] = [time.perf_counter() - started]
        for _ in range(repeat):
            for name in subjects:
                if name in slow:
                    continue
                started = time.perf_counter()
                works[name][key]()
                samples[name].setdefault(key, []).append(time.perf_counter() - started)
    return {
        name: {key: statistics.median(values) * 1000 for key, values in by_key.items()}
        for name, by_key in samples.items()
    }


def run_all(
    stores: dict[str, Path], repeat: int, remote: bool
) -> dict[tuple[str, str], dict[str, float]]:
    """Every (engine, store) pair measured, in one run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LHS_KG_")}

    def settings(store: str, name: str) -> Settings:
        instance = OUT / "layout" / f"instance-{name}"  # kept answers never shared across stores
        return Settings.from_env(
            {
                **env,
                "LHS_KG_STORE": store,
                "LHS_KG_PAGE_CACHE_MB": "0",
                "LHS_KG_INSTANCE_DIR": str(instance),
            }
        )

    results: dict[tuple[str, str], dict[str, float]] = {}
    kbs = {name: KnowledgeBase(settings(str(f), name)) for name, f in stores.items()}
    try:
        timed = interleaved({name: Subject(kb) for name, kb in kbs.items()}, repeat)
    finally:
        for kb in kbs.values():
            kb.close()
    results.update({("embedded", name): values for name, values in timed.items()})
    print("  embedded: done", file=sys.stderr)
    if remote:
        with ExitStack() as stack:
            urls = {name: stack.enter_context(oxigraph_serve(f)) for name, f in stores.items()}
            kbs = {
                name: stack.enter_context(KnowledgeBase(settings(u, name)))
                for name, u in urls.items()
            }
            timed = interleaved({name: Subject(kb) for name, kb in kbs.items()}, repeat)
        results.update({("remote", name): values for name, values in timed.items()})
        print("  remote: done", file=sys.stderr)
    return results


def print_table(results: dict[tuple[str, str], dict[str, float]], versions: int) -> None:
    engines = sorted({engine for engine, _ in results}, key=["embedded", "remote"].index)
    keys = list(next(iter(results.values())))
    width = max(len(k) for k in keys)
    head = f"{'':{width}}"
    for engine in engines:
        head += f" | {engine + ': none':>14} {f'{versions} new':>15} {f'{versions} old':>15}"
    print(head)
    print("-" * len(head))
    worst: dict[str, float] = {}
    for key in keys:
        line = f"{key:{width}}"
        for engine in engines:
            base = results[engine, "none"][key]
            new = results[engine, "history"][key]
            old = results[engine, "old"][key]
            if math.isnan(base) or math.isnan(new):
                line += f" | {'failed (see above)':>40}"
                continue
            worst[engine] = max(worst.get(engine, 0.0), new / base)
            line += f" | {base:12.1f}ms {new:8.1f} {new / base:4.2f}x {old:8.1f} {old / base:4.2f}x"
        print(line)
    for engine in engines:
        print(
            f"worst {engine} ratio with {versions} versions (new layout): "
            f"{worst[engine]:.2f}x (target ≤ 1.2x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--versions", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-remote", action="store_true", help="Measure the embedded store only.")
    args = parser.parse_args()
    started = time.monotonic()
    stores = build(OUT / "layout", args.versions)
    print(f"built the stores in {time.monotonic() - started:.0f} s", file=sys.stderr)
    results = run_all(stores, args.repeat, remote=not args.no_remote)
    print(
        f"{args.versions} contribution versions; {os.cpu_count()} CPUs (shared); "
        f"median of {args.repeat}"
    )
    print_table(results, args.versions)


if __name__ == "__main__":
    main()
