"""Two writer processes on one ``oxigraph serve`` (#16): each accepts its own contributions, at
the same moment, and the published graph ends right (``lhs-kg migrate-layout --check`` exit 0).

Real processes, no lock between them but the store's own transactions: each decision and its
upkeep of the published graph is one update request (:meth:`PublishedLayout.registry_write`).
Both also accept editions of one shared case study, so they supersede each other's: exactly one
edition may end published. The lock kept in the store (:mod:`lhs_kg.store.lock`) makes them
take turns: oxigraph serve lets two requests read one snapshot and both commit.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from lhs_kg.cli import main
from lhs_kg.contributions import Contributions
from lhs_kg.graphs import published_graph, published_graphs
from lhs_kg.store import RemoteStore
from tests.helpers import ROOT, OxigraphServer, clean_env, new_content_kb, payload, union_of

WORKER = """
import sys, time
from pathlib import Path
from lhs_kg.contributions import Contributions
from lhs_kg.kb import KnowledgeBase
go, ready, refs = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
with KnowledgeBase() as kb:
    flow = Contributions(kb)
    flow.get(refs[0])  # connected and warm before the start signal
    ready.touch()
    while not go.exists():
        time.sleep(0.005)
    started = time.time()
    for ref in refs:
        flow.decide(ref, "accept", "worker")
    print(started, time.time())
"""
"""One writer process: says it is ready, waits for the start signal, accepts its versions in
turn and prints when it started and ended."""
PER_WRITER = 8


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A server of its own with a time limit that the layout's check query meets when the
    machine is busy (the shared fixture's 10 s was not always enough)."""
    running = OxigraphServer(tmp_path_factory.mktemp("two-writers"), timeout_s=120)
    yield running
    running.stop()


def submit(flow: Contributions, slug: str, title: str) -> str:
    out = flow.submit(payload(id=slug, title=title), "json")
    assert out.version is not None, out.report.to_text()
    return out.version.ref


@pytest.mark.slow
def test_two_processes_accepting_at_once_leave_the_published_graph_right(
    server: OxigraphServer, tmp_path: Path
) -> None:
    kb = new_content_kb(RemoteStore(server.endpoints))
    flow = Contributions(kb)
    shared = [submit(flow, "contested", f"Contested case study, edition {n}") for n in range(4)]
    refs = {
        writer: [
            submit(flow, f"{writer}-{i}", f"Case study {i} of writer {writer}")
            for i in range(PER_WRITER)
        ]
        for writer in ("a", "b")
    }

    def mixed(writer: str, i: int) -> list[str]:
        """The writer's own versions with every other contested edition among them."""
        own, contested = refs[writer], shared[i::2]
        return [*own[:3], contested[0], *own[3:6], contested[1], *own[6:]]

    go = tmp_path / "go"
    env = {**clean_env(), **server.env(), "LHS_KG_ROOT": str(ROOT)}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(go),
                str(tmp_path / writer),
                *mixed(writer, i),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i, writer in enumerate(("a", "b"))
    ]
    deadline = time.monotonic() + 120
    while not all((tmp_path / w).exists() for w in "ab") and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outcomes = [worker.communicate(timeout=240) for worker in workers]
    assert [w.returncode for w in workers] == [0, 0], [err[-800:] for _out, err in outcomes]
    (a_start, a_end), (b_start, b_end) = (map(float, out.split()) for out, _err in outcomes)
    assert a_start < b_end and b_start < a_end, "the two writers did not run at the same time"
    states = {ref: flow.get(ref).state for ref in shared}
    assert sorted(states.values()) == ["published"] + ["superseded"] * 3, states
    assert {flow.get(ref).state for ref in refs["a"] + refs["b"]} == {"published"}
    view = union_of(kb.store, [published_graph(kb.settings)])
    sources = union_of(kb.store, published_graphs(kb.store, kb.settings))
    assert (len(view - sources), len(sources - view)) == (0, 0)
    checked = CliRunner().invoke(main, ["migrate-layout", "--check"], env=env)
    assert checked.exit_code == 0, checked.output
    assert "nothing to do" in checked.output
    kb.close()


def test_the_worker_script_fails_loudly_on_an_unknown_version(
    server: OxigraphServer, tmp_path: Path
) -> None:
    """The writer processes above report failure by exit code (so the test cannot pass on
    workers that silently did nothing)."""
    (tmp_path / "go").touch()
    env = {**clean_env(), **server.env(), "LHS_KG_ROOT": str(ROOT)}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            WORKER,
            str(tmp_path / "go"),
            str(tmp_path / "r"),
            "no-such-case/v1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "no contribution version no-such-case/v1" in done.stderr
