"""Where a remote page's time goes: the split of ``bench.pages``' pages on ``oxigraph serve`` (#16).

The app runs on the repository content in the embedded (memory) store and in a real
``oxigraph serve`` started here, page cache off. For each page the remote time is split into
the store's queries (query preparation, the HTTP round trip with the server's work, reading the
answer) and the rest (the same Python as on the embedded store: read models, templates).
Each request a page sent is then replayed alone by a bare client, so the round trip's own cost
(server evaluation and serialisation, loopback transfer) shows apart from our client's. Medians
over ``--repeat`` requests per page, engines asked in turn; the 1-minute load before and after.

    .venv/bin/python -m bench.remote_split [--repeat 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.pages import PAGES
from lhs_kg.store import RemoteStore
from lhs_kg.store import remote as remote_module
from lhs_kg.store.lean_http import LeanPool
from tests.helpers import OxigraphServer, app_for, new_content_kb


class Clock:
    """Milliseconds spent in wrapped callables, per label, since the last :meth:`reset`."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, label: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                self.spent[label] = self.spent.get(label, 0.0) + elapsed

        return timed

    def reset(self) -> None:
        self.spent = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    print(f"1-min load before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-split-") as tmp:
        server = OxigraphServer(Path(tmp) / "oxigraph")
        try:
            _run(server, Path(tmp), args.repeat)
        finally:
            server.stop()
    print(f"1-min load after: {os.getloadavg()[0]:.2f} (2 cores shared with other jobs)")


def _run(server: OxigraphServer, tmp: Path, repeat: int) -> None:
    store = RemoteStore(server.endpoints)
    remote_kb = new_content_kb(store, var_dir=tmp / "var", page_cache_mb=0)
    local_kb = new_content_kb(var_dir=tmp / "var-local", page_cache_mb=0)
    apps = {"embedded": app_for(local_kb), "oxigraph": app_for(remote_kb)}
    clock = Clock()
    sent: list[tuple[str, bytes, dict[str, str]]] = []
    lean = store._http._lean
    assert lean is not None, "the bench needs the lean path (plain HTTP, no proxy)"

    def recording_post(target: str, body: bytes, headers: Any, timeout_s: float) -> Any:
        sent.append((target, body, dict(headers)))
        return post(target, body, headers, timeout_s)

    post = clock.wrap("round trip", lean.post)
    lean.post = recording_post  # type: ignore[method-assign]
    store.query = clock.wrap("store.query", store.query)  # type: ignore[method-assign]
    remote_module.parse_results = clock.wrap("read answer", remote_module.parse_results)
    remote_module.parse_ntriples = clock.wrap("read answer", remote_module.parse_ntriples)
    bare = LeanPool(server.url, max_idle=1)
    print(
        f"\n{'page':<24} {'accept':<12} {'trips':>5} {'embedded':>9} {'oxigraph':>9} "
        f"{'queries':>8} {'trip':>6} {'bare':>6} {'read':>6} {'rest':>6}  (ms, medians)"
    )
    for path, accept in PAGES:
        for app in apps.values():  # warm the shared read models
            app.test_client().get(path, headers={"Accept": accept})
        sent.clear()
        apps["oxigraph"].test_client().get(path, headers={"Accept": accept})
        requests = list(sent)
        times: dict[str, list[float]] = {}
        for _ in range(repeat):
            for name, app in apps.items():
                clock.reset()
                started = time.perf_counter()
                app.test_client().get(path, headers={"Accept": accept})
                times.setdefault(name, []).append((time.perf_counter() - started) * 1000)
            for label, ms in clock.spent.items():
                times.setdefault(label, []).append(ms)
            started = time.perf_counter()
            for target, body, headers in requests:
                bare.post(target, body, headers, 30.0)
            times.setdefault("bare", []).append((time.perf_counter() - started) * 1000)
        med = {label: statistics.median(values) for label, values in times.items()}
        rest = med["oxigraph"] - med["store.query"]
        print(
            f"{path[:24]:<24} {accept:<12} {len(requests):>5} {med['embedded']:>9.2f} "
            f"{med['oxigraph']:>9.2f} {med['store.query']:>8.2f} {med['round trip']:>6.2f} "
            f"{med['bare']:>6.2f} {med['read answer']:>6.2f} {rest:>6.2f}"
        )
    print(
        "\nqueries: time in RemoteStore.query (preparation + round trip + reading the answer);"
        "\ntrip: the HTTP round trips as the app made them (server work included); bare: the"
        "\nsame requests replayed alone by a bare client; read: parsing the answers; rest: the"
        "\npage's time outside the store (the same code as on the embedded store)."
    )
    bare.close()
    remote_kb.close()
    local_kb.close()


if __name__ == "__main__":
    main()
