"""Page latency per kind of resource page: ``oxigraph serve`` against the embedded store (#16).

The repository content is loaded into the embedded (memory) store and into a real ``oxigraph
serve`` started here on loopback; the app runs on each with its page cache off, so every request
renders from the store. Each page is asked once to warm the read models every page shares, then
``--repeat`` times per engine, the engines asked in turn so that machine noise hits both alike.
The table gives the median and p90 per page and engine, the store round trips a remote page
makes, and the ratio remote/embedded (the peer: the same page answered in-process; target
≤ 1.5×). The 1-minute load is printed before and after.

    .venv/bin/python -m bench.pages [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask

from bench import add_peer_option, peer_store
from lhs_kg.store import RemoteStore
from tests.helpers import OxigraphServer, app_for, new_content_kb

PAGES = [
    ("/source/foley-vale-2022", "text/html"),
    ("/concept/nasss/1A", "text/html"),
    ("/case-study/swedeheart", "text/html"),
    ("/case-study/swedeheart", "text/turtle"),
]


class Counter:
    """The remote store's HTTP layer, counting its requests (queries and any other)."""

    def __init__(self, http: Any) -> None:
        self.http = http
        self.count = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.http, name)
        if name in ("send", "query") and callable(attr):

            def counted(*args: Any, **kwargs: Any) -> Any:
                self.count += 1
                return attr(*args, **kwargs)

            return counted
        return attr


def _ms(app: Flask, path: str, accept: str) -> float:
    started = time.perf_counter()
    response = app.test_client().get(path, headers={"Accept": accept})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path} ({accept}) answered {response.status_code}")
    return elapsed


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    add_peer_option(parser)
    args = parser.parse_args()
    print(f"1-min load before: {_load()}")
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        server = OxigraphServer(Path(tmp) / "oxigraph")
        try:
            store = RemoteStore(server.endpoints)
            remote_kb = new_content_kb(store, var_dir=Path(tmp) / "var", page_cache_mb=0)
            counter = Counter(store._http)
            store._http = counter  # type: ignore[assignment]
            local = peer_store(args.embedded, Path(tmp) / "embedded")
            local_kb = new_content_kb(local, var_dir=Path(tmp) / "var-local", page_cache_mb=0)
            apps = {"embedded": app_for(local_kb), "oxigraph": app_for(remote_kb)}
            times: dict[tuple[str, str, str], list[float]] = {}
            trips: dict[tuple[str, str], int] = {}
            for path, accept in PAGES:
                for app in apps.values():
                    _ms(app, path, accept)  # warm the shared read models
                counter.count = 0
                _ms(apps["oxigraph"], path, accept)
                trips[(path, accept)] = counter.count
            for _ in range(args.repeat):
                for path, accept in PAGES:
                    for name, app in apps.items():
                        times.setdefault((path, accept, name), []).append(_ms(app, path, accept))
            print(f"embedded store in {args.embedded}; oxigraph serve on disk; page cache off")
            print(
                f"\n{'page':<34} {'accept':<12} {'trips':>5} {'embedded ms':>15} "
                f"{'oxigraph ms':>15} {'ratio':>6}"
            )
            for path, accept in PAGES:
                cells = []
                for name in apps:
                    ms = sorted(times[(path, accept, name)])
                    cells.append((statistics.median(ms), ms[int(len(ms) * 0.9) - 1]))
                ratio = cells[1][0] / cells[0][0]
                print(
                    f"{path:<34} {accept:<12} {trips[(path, accept)]:>5} "
                    + " ".join(f"{m:>7.1f} p90 {p:>4.0f}" for m, p in cells)
                    + f" {ratio:>5.2f}×"
                )
            remote_kb.close()
            local_kb.close()
        finally:
            server.stop()
    print(f"\n1-min load after: {_load()} (2 cores shared with other jobs)")


if __name__ == "__main__":
    main()
