"""Hostile-input benchmark: the full SERVICE and depth fuzz and the runaway set against a real
``lhs-kg serve`` (#12). Figures are measured and printed, not asserted.

1. builds a store with ``lhs-kg init`` in a temporary folder and starts ``lhs-kg serve`` on a free
   loopback port with a 2 s query limit (the same harness as ``tests/live``);
2. sends ``--cases`` (default 10,000) grammar-aware SERVICE spellings (queries and, one in four,
   updates with the update token) and ``--deep`` deeply nested or chained documents, with a
   canary socket listening on loopback: counts cases, statuses, 5xx answers and connections the
   canary accepted;
3. on a fresh server (so work the fuzz left behind does not count), sends the runaway set (8
   cartesian COUNT queries and a 200-step property path at once) and measures the CPU seconds
   the server's process tree uses in the 2 s starting 2 s after the deadline, and the latency
   of a cheap query during the runaway set and after it.

    .venv/bin/python -m bench.hostile [--cases 10000] [--deep 2000] [--timeout 2]

Needs the ``test`` extra (Hypothesis): ``pip install -e .[test]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from tests.live import fuzz
from tests.live.runaway import WINDOW_S, Timed, run_runaway_set
from tests.live.server import Canary, LiveServer, start_server

EXPLORE = settings(
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


KILLERS: list[str] = []
"""How the server died and the start of the case that killed it, for the table's footnotes."""
FAILED: list[str] = []
"""The first failing cases (5xx, no answer, canary contacted), for the table's footnotes."""


def judge(server: LiveServer, canary: Canary, tally: fuzz.Tally, text: str, **how: Any) -> None:
    """One case; a server it killed is started again (and counted) so the run goes on."""
    problem = fuzz.judge(server, canary, tally, text, **how)
    if problem and len(FAILED) < 5:
        FAILED.append(f"{problem.splitlines()[0][:70]}; case ({len(text):,} chars): {text[:120]!r}")
    if problem and server.crashed():
        status = (server.crashed() or "").splitlines()[0]
        KILLERS.append(f"{status}; case ({len(text):,} characters): {text[:160]!r}")
        server.restart()
    if tally.cases % 500 == 0:
        print(f"  ... {tally.cases:,} cases, {len(server.crashes)} crashes", file=sys.stderr)


def fuzz_service(server: LiveServer, canary: Canary, cases: int) -> fuzz.Tally:
    """``cases`` SERVICE spellings, three queries for each update; failures counted, not raised."""
    tally = fuzz.Tally()
    queries = fuzz.service_queries(canary.url)
    updates = fuzz.service_updates(canary.url)

    @settings(EXPLORE, max_examples=cases * 3 // 4)
    @given(text=queries, transport=st.sampled_from(["direct", "direct", "form", "get"]))
    def query_case(text: str, transport: str) -> None:
        judge(server, canary, tally, text, transport=transport)

    @settings(EXPLORE, max_examples=cases - cases * 3 // 4)
    @given(text=updates)
    def update_case(text: str) -> None:
        judge(server, canary, tally, text, update=True)

    query_case()
    update_case()
    return tally


def fuzz_deep(server: LiveServer, canary: Canary, cases: int) -> fuzz.Tally:
    """``cases`` deeply nested or chained documents."""
    tally = fuzz.Tally()

    @settings(EXPLORE, max_examples=cases)
    @given(document=fuzz.deep_documents())
    def deep_case(document: tuple[str, bool]) -> None:
        text, update = document
        judge(server, canary, tally, text, update=update)

    deep_case()
    return tally


def _ms(timed: Timed | None) -> str:
    return "-" if timed is None else f"{timed.status} in {timed.seconds * 1000:.0f} ms"


def main() -> None:
    """Run everything and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="SERVICE spellings to send")
    parser.add_argument("--deep", type=int, default=2_000, help="deep documents to send")
    parser.add_argument("--timeout", type=float, default=2.0, help="LHS_KG_QUERY_TIMEOUT")
    args = parser.parse_args()
    settings_env = {"LHS_KG_QUERY_TIMEOUT": f"{args.timeout:g}"}
    with tempfile.TemporaryDirectory(prefix="lhs-kg-hostile-") as folder:
        set_hypothesis_home_dir(Path(folder) / "hypothesis")  # not .hypothesis/ in the cwd
        server = start_server(Path(folder) / "fuzz", settings_env)
        canary = Canary()
        try:
            started = time.monotonic()
            service = fuzz_service(server, canary, args.cases)
            service_s = time.monotonic() - started
            started = time.monotonic()
            deep = fuzz_deep(server, canary, args.deep)
            deep_s = time.monotonic() - started
            alive_after_fuzz = server.alive()
        finally:
            crash = server.stop()
            canary.close()
        # a fresh server, so work the fuzz left behind cannot count against the runaway set
        fresh = start_server(Path(folder) / "runaway", settings_env)
        try:
            runaway = run_runaway_set(fresh, args.timeout)
        finally:
            fresh.stop()
    rows = [
        ("machine cores", f"{os.cpu_count()}"),
        ("SERVICE fuzz cases tried", f"{service.cases:,} in {service_s:.0f} s"),
        ("  statuses", ", ".join(f"{k}: {v:,}" for k, v in sorted(service.statuses.items()))),
        ("  5xx or no answer", f"{len(service.server_errors):,}"),
        ("  cases that reached the canary", f"{len(service.leaks):,}"),
        ("depth fuzz cases tried", f"{deep.cases:,} in {deep_s:.0f} s"),
        ("  statuses", ", ".join(f"{k}: {v:,}" for k, v in sorted(deep.statuses.items()))),
        ("  5xx or no answer", f"{len(deep.server_errors):,}"),
        ("canary connections observed (all fuzz)", f"{canary.count:,}"),
        ("server crashes during the fuzz (restarted)", f"{len(server.crashes)}"),
        ("server alive after the fuzz", "yes" if alive_after_fuzz else "NO"),
    ]
    if crash:
        rows.append(("server crashed", crash.splitlines()[0]))
    statuses = sorted({a.status for a in runaway.runaways})
    slowest = max(a.seconds for a in runaway.runaways)
    rows += [
        ("runaway set on a fresh server", "8 cartesian COUNT + a 200-step path, at once"),
        ("  statuses, slowest answer", f"{statuses}, {slowest:.1f} s"),
        (f"  CPU s in {WINDOW_S:g} s from deadline + 2 s", f"{runaway.cpu_after_deadline:.2f}"),
        ("  cheap query during the runaway set", _ms(runaway.cheap_during)),
        ("  cheap query after the deadlines", _ms(runaway.cheap_after)),
        ("  named query after the deadlines", _ms(runaway.named_after)),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"lhs-kg serve under hostile input (query limit {args.timeout:g} s)")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    for example in FAILED:
        print(f"  e.g. {example}")
    for killer in KILLERS[:5]:
        print(f"  crash: {killer}")


if __name__ == "__main__":
    main()
