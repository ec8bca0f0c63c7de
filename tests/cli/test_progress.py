"""Progress of long CLI work: a bar on a terminal, nothing but the summary when piped, and
summary lines that say how many triples and how long."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from lhs_kg.cli.progress import BYTES, COUNT, STEPS, Bar, summary
from tests.helpers import LHS_KG, ROOT, TEST_DATA, clean_env

ESCAPE = "\x1b["
LOADED = re.compile(r"loaded ([\d,]+) triples? from (\d+) files? in \d+\.\d s")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The CLI pointed at a fresh store folder and the repository's content."""
    return {"LHS_KG_STORE": str(tmp_path / "store"), "LHS_KG_ROOT": str(ROOT)}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def triples_in(path: Path) -> int:
    """Triples of a Turtle file, counted by pyoxigraph directly."""
    return len(set(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)))


@pytest.mark.parametrize(
    ("verb", "triples", "seconds", "files", "expected"),
    [
        ("loaded", 1_000_000, 19.24, 3, "loaded 1,000,000 triples from 3 files in 19.2 s"),
        ("loaded", 1, 0.04, 1, "loaded 1 triple from 1 file in 0.0 s"),
        ("wrote", 12_345, 2.0, None, "wrote 12,345 triples in 2.0 s"),
    ],
)
def test_summary_line(
    verb: str, triples: int, seconds: float, files: int | None, expected: str
) -> None:
    assert summary(verb, triples, seconds, files) == expected


class FakeTerminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("unit", [BYTES, COUNT, STEPS])
@pytest.mark.parametrize(("stream", "drawn"), [(io.StringIO, False), (FakeTerminal, True)])
def test_bar_draws_only_on_a_terminal(unit: str, stream: type[io.StringIO], drawn: bool) -> None:
    out = stream()
    with Bar("working", unit, stream=out) as bar:
        bar.update(5, 10)
        bar.step("half way")
    assert bool(out.getvalue()) is drawn


def test_piped_init_prints_only_the_summary(env: dict[str, str]) -> None:
    result = run(env, "init")
    assert result.exit_code == 0
    assert LOADED.match(result.output), result.output
    assert result.stderr == ""
    assert ESCAPE not in result.output and "\r" not in result.output


def test_load_says_how_many_triples_the_file_added(env: dict[str, str]) -> None:
    assert run(env, "init").exit_code == 0
    fixture = TEST_DATA.parent / "web" / "data" / "gaps-fixture.ttl"
    result = run(env, "load", str(fixture), "--graph", "https://example.org/graph/gaps")
    assert result.exit_code == 0
    said = LOADED.match(result.output)
    assert said is not None, result.output
    assert int(said.group(1).replace(",", "")) == triples_in(fixture)
    assert said.group(2) == "1"
    assert result.output.rstrip().endswith("into <https://example.org/graph/gaps>")
    again = run(env, "load", str(fixture), "--graph", "https://example.org/graph/gaps")
    assert again.output.startswith("loaded 0 triples")  # RDF graphs are sets


G = "https://w3id.org/lhs-kg/graph/data/"
QUADS = {
    "nq": (
        f'<https://e.org/a> <https://e.org/p> "1" <{G}x1> .\n'
        f'<https://e.org/b> <https://e.org/p> "2" <{G}x2> .\n'
        f'<https://e.org/c> <https://e.org/p> "3" <{G}x2> .\n'
    ),
    "trig": (
        "@prefix e: <https://e.org/> .\n"
        f"<{G}x1> {{ e:a e:p 1 . }}\n<{G}x2> {{ e:b e:p 2 . e:c e:p 3 . }}\n"
        "e:d e:p 4 .\n"  # the default graph: into the file's own graph
    ),
}


@pytest.mark.parametrize(
    ("suffix", "triples", "graphs"), [("nq", 3, 2), ("trig", 4, 3)], ids=["nquads", "trig"]
)
def test_load_of_a_dataset_file_counts_every_graph_it_writes(
    env: dict[str, str], tmp_path: Path, suffix: str, triples: int, graphs: int
) -> None:
    """Regression (#16): `lhs-kg load` of an N-Quads file said "loaded 0 triples" (it counted
    the graph named after the file, which N-Quads never writes)."""
    path = tmp_path / f"quads.{suffix}"
    path.write_text(QUADS[suffix], encoding="utf-8")
    result = run(env, "load", str(path))
    assert result.exit_code == 0, result.output
    said = LOADED.match(result.output)
    assert said is not None, result.output
    assert int(said.group(1)) == triples
    assert result.output.rstrip().endswith(f"into {graphs} graphs")
    listed = run(env, "graphs").output
    assert re.search(rf"{G}x2\s+2\n", listed), listed
    again = run(env, "load", str(path))
    assert again.output.startswith("loaded 0 triples")  # already there: sets gain nothing


def test_load_of_a_quads_file_naming_one_graph_names_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "one.nq"
    path.write_text(f'<https://e.org/a> <https://e.org/p> "1" <{G}only> .\n', encoding="utf-8")
    result = run(env, "load", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("loaded 1 triple from 1 file")
    assert result.output.rstrip().endswith(f"into <{G}only>")


def test_dump_to_a_file_says_triples_and_time(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "init").exit_code == 0
    graph = "https://w3id.org/lhs-kg/graph/data/tools"
    out = tmp_path / "tools.ttl"
    result = run(env, "dump", "--graph", graph, "-o", str(out))
    assert result.exit_code == 0
    said = re.search(r"wrote ([\d,]+) triples in \d+\.\d s to ", result.stderr)
    assert said is not None, result.stderr
    assert int(said.group(1).replace(",", "")) == triples_in(out)


def read_until_exit(fd: int, process: subprocess.Popen[bytes], seconds: float) -> bytes:
    """Everything written to a pseudo-terminal until the process ends."""
    chunks = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    return b"".join(chunks)


def test_a_terminal_sees_the_bar(env: dict[str, str]) -> None:
    """`lhs-kg init` with stderr on a pseudo-terminal draws a bar; piped stdout has the summary."""
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [LHS_KG, "init"],
            stdout=subprocess.PIPE,
            stderr=secondary,
            env={**clean_env(), **env, "TERM": "xterm", "COLUMNS": "100"},
        )
        os.close(secondary)
        drawn = read_until_exit(primary, process, 120).decode("utf-8", "replace")
        stdout = process.communicate(timeout=120)[0].decode()
    finally:
        os.close(primary)
    assert process.returncode == 0
    assert LOADED.match(stdout), stdout
    assert re.search(r"(checking|loading) \S+\.ttl", drawn), drawn[:500]
    assert "━" in drawn  # the bar itself
    assert ESCAPE in drawn


def on_pty(args: list[str], env: dict[str, str], stdout: int | None) -> tuple[int, str]:
    """Run the CLI with stderr (and stdout, when ``stdout`` is None) on a pseudo-terminal:
    the exit code and everything the terminal received."""
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [LHS_KG, *args],
            stdout=secondary if stdout is None else stdout,
            stderr=secondary,
            env={**clean_env(), **env, "TERM": "xterm", "COLUMNS": "100"},
        )
        os.close(secondary)
        drawn = read_until_exit(primary, process, 120).decode("utf-8", "replace")
        process.wait(timeout=120)
    finally:
        os.close(primary)
    return process.returncode, drawn


def test_export_to_redirected_stdout_draws_the_bar_beside_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert run(env, "init").exit_code == 0
    target = tmp_path / "all.nt"
    with target.open("wb") as out:
        code, drawn = on_pty(["export", "-f", "nt"], env, out.fileno())
    assert code == 0
    assert "exporting" in drawn and ESCAPE in drawn
    said = re.search(r"wrote ([\d,]+) quads in \d+\.\d s", drawn)
    assert said is not None, drawn[-300:]
    data = target.read_bytes()
    assert b"\x1b" not in data
    assert int(said.group(1).replace(",", "")) == len(data.splitlines())


@pytest.mark.parametrize("command", [["export", "-f", "nt"], ["dump", "-f", "nq"]])
def test_data_on_the_terminal_gets_no_bar(env: dict[str, str], command: list[str]) -> None:
    """stdout and stderr on one terminal: a bar would garble the data, so none is drawn."""
    assert run(env, "init").exit_code == 0
    code, drawn = on_pty(command, env, None)
    assert code == 0
    assert "━" not in drawn and ESCAPE not in drawn
    assert "<https://w3id.org/lhs-kg/" in drawn


def test_dump_to_redirected_stdout_shows_what_it_does(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "init").exit_code == 0
    target = tmp_path / "all.nq"
    with target.open("wb") as out:
        code, drawn = on_pty(["dump"], env, out.fileno())
    assert code == 0
    assert "writing: to standard output" in drawn
    assert b"\x1b" not in target.read_bytes()
    assert len(set(ox.parse(path=str(target), format=ox.RdfFormat.N_QUADS))) > 10_000


def test_load_on_a_terminal_shows_the_file_it_loads(env: dict[str, str]) -> None:
    assert run(env, "init").exit_code == 0
    fixture = TEST_DATA.parent / "web" / "data" / "gaps-fixture.ttl"
    code, drawn = on_pty(["load", str(fixture)], env, subprocess.PIPE)
    assert code == 0
    assert "loading: gaps-fixture.ttl" in drawn
    assert ESCAPE in drawn
