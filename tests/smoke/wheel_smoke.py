"""Wheel smoke test: the built wheel, installed outside the checkout, answers as the checkout does.

Builds the sdist and the wheel (the wheel from the sdist, so both must be complete) into a temporary
folder, installs the wheel with its dependencies from the package index into a fresh virtual
environment (with this environment's pip, ``--python``), and from an empty folder runs what a
partner would: ``init``, ``stats``, ``graphs``, named queries, ``validate`` of an example, then
``serve``, fetching ``/`` and a case-study page as Turtle. The checkout's own ``lhs-kg`` runs the
same commands; every answer must be identical (#17).

    python -m tests.smoke.wheel_smoke     # prints one line per step; exit 0 when all match

Nothing is written into the work tree: the build, the environment, the stores and the user data
folder (``XDG_DATA_HOME``) are all under one temporary folder, removed at the end.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from tests.helpers import LHS_KG, ROOT, clean_env, free_port

CONTENT = ("ontology", "shapes", "queries", "data")
EXAMPLE = ROOT / "data" / "examples" / "case-study.json"
CASE_STUDY_PAGE = "/case-study/swedeheart"
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("stats",),
    ("graphs",),
    ("queries",),
    ("query", "complexity-profiles", "-f", "csv"),
    ("query", "case-studies-complex-in-domain", "-p", "domain=4", "-f", "csv"),
    ("validate", EXAMPLE.name),
)


class SmokeFailure(Exception):
    """One step gave a wrong answer; the message says which and how."""


@dataclass
class Tool:
    """One ``lhs-kg`` executable with the environment and empty folder it runs in."""

    name: str
    exe: str
    env: dict[str, str]
    cwd: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``lhs-kg ARGS``; any exit code is returned to the caller, who compares."""
        return subprocess.run(
            [self.exe, *args],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=120,
        )

    @contextmanager
    def serving(self) -> Iterator[str]:
        """``lhs-kg serve`` on a free loopback port; yields its URL, stops it on exit."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            [self.exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(f"{url}/healthz", timeout=1)
                    break
                except requests.RequestException:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SmokeFailure(f"{self.name}: lhs-kg serve did not start") from None
                    time.sleep(0.1)
            yield url
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def both(tools: Sequence[Tool], *args: str) -> list[subprocess.CompletedProcess[str]]:
    """``lhs-kg ARGS`` run by every tool at once (half the wait of one after the other)."""
    with ThreadPoolExecutor(max_workers=len(tools)) as pool:
        running = [pool.submit(tool.run, *args) for tool in tools]
        return [future.result() for future in running]


def step(message: str) -> None:
    """One line of progress, so a CI log shows how far the smoke test got."""
    print(f"wheel-smoke: {message}", flush=True)


def checked(args: Sequence[str], what: str, **options: object) -> None:
    """Run a build or install command; a failure names the step and shows its output."""
    done = subprocess.run(list(args), capture_output=True, text=True, **options)
    if done.returncode != 0:
        raise SmokeFailure(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def content_files() -> set[str]:
    """The checkout's content files, as paths relative to the repository."""
    return {
        path.relative_to(ROOT).as_posix()
        for folder in CONTENT
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def build(out: Path) -> tuple[Path, Path]:
    """The sdist and the wheel built from it, without network (``--no-isolation``)."""
    checked(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        "python -m build",
    )
    sdist, wheel = next(out.glob("*.tar.gz")), next(out.glob("*.whl"))
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = {
            name.removeprefix("lhs_kg/_content/")
            for name in archive.namelist()
            if name.startswith("lhs_kg/_content/")
        }
        has_templates = any(n.startswith("web/templates/") for n in archive.namelist())
    expected = content_files()
    for label, found in (("sdist", in_sdist), ("wheel", in_wheel)):
        if expected - found:
            missing = sorted(expected - found)
            raise SmokeFailure(f"the {label} lacks {len(missing)} content files: {missing[:5]}")
    if not has_templates:
        raise SmokeFailure("the wheel lacks web/templates")
    return sdist, wheel


def install(wheel: Path, venv: Path) -> str:
    """A fresh virtual environment holding the wheel and its dependencies; its ``lhs-kg``."""
    base = getattr(sys, "_base_executable", sys.executable)
    checked([base, "-m", "venv", "--without-pip", str(venv)], "python -m venv")
    # This environment's pip installs into the new one (--python): no pip bootstrap, no .pyc
    # compilation of the dependencies, which took most of the time on a loaded machine.
    target = str(venv / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", target, "install", "--quiet", "--no-compile"]
    checked(
        [*pip, str(wheel)],
        "pip install of the wheel",
        env={k: v for k, v in clean_env().items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
    )
    return str(venv / "bin" / "lhs-kg")


def _timeless(answer: str) -> str:
    """The answer with elapsed times ("in 1.6 s") left out: they differ from run to run."""
    return re.sub(r"\bin \d+(\.\d+)? s\b", "in … s", answer)


def same(installed: str, checkout: str, what: str) -> None:
    """Fail naming ``what`` unless the two answers are identical, but for elapsed times."""
    if _timeless(installed) != _timeless(checkout):
        raise SmokeFailure(
            f"{what}: the installed wheel answered differently from the checkout\n"
            f"--- installed\n{installed[:1500]}\n--- checkout\n{checkout[:1500]}"
        )


def compare_commands(wheel_tool: Tool, checkout_tool: Tool) -> None:
    """The CLI answers of both tools, command by command, exit code and output."""
    for args in COMMANDS:
        answers = both((wheel_tool, checkout_tool), *args)
        for answer in answers:
            if answer.returncode != 0:
                raise SmokeFailure(f"lhs-kg {' '.join(args)} exited {answer.returncode}")
        same(answers[0].stdout, answers[1].stdout, f"lhs-kg {' '.join(args)}")
        step(f"lhs-kg {' '.join(args)}: same answer")


def compare_pages(wheel_tool: Tool, checkout_tool: Tool) -> None:
    """``/`` as HTML and a case-study page as Turtle, from both servers."""
    with wheel_tool.serving() as wheel_url, checkout_tool.serving() as checkout_url:
        pages = []
        for url in (wheel_url, checkout_url):
            home = requests.get(f"{url}/", timeout=30)
            turtle = requests.get(
                url + CASE_STUDY_PAGE, headers={"Accept": "text/turtle"}, timeout=30
            )
            for response in (home, turtle):
                if response.status_code != 200:
                    raise SmokeFailure(f"GET {response.url}: {response.status_code}")
            pages.append((home.text, turtle.text))
    same(pages[0][0], pages[1][0], "GET / (HTML)")
    step("GET /: same page")
    graphs = [Graph().parse(data=turtle, format="turtle") for _, turtle in pages]
    if len(graphs[0]) == 0:
        raise SmokeFailure(f"GET {CASE_STUDY_PAGE} (Turtle): no triples from the installed wheel")
    if not isomorphic(graphs[0], graphs[1]):
        same(pages[0][1], pages[1][1], f"GET {CASE_STUDY_PAGE} (Turtle)")
    step(f"GET {CASE_STUDY_PAGE} as Turtle: same {len(graphs[0])} triples")


def run(tmp: Path) -> None:
    """Every step, in order; raises :class:`SmokeFailure` at the first wrong answer."""
    started = time.monotonic()
    sdist, wheel = build(tmp / "dist")
    step(f"built {sdist.name} and {wheel.name}; both hold every content file")
    exe = install(wheel, tmp / "venv")
    where = subprocess.run(
        [str(tmp / "venv" / "bin" / "python"), "-c", "import lhs_kg; print(lhs_kg.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp,
    ).stdout.strip()
    if not Path(where).is_relative_to(tmp / "venv"):
        raise SmokeFailure(f"the fresh environment imports lhs_kg from {where!r}, not the wheel")
    step(f"installed {wheel.name} into a fresh environment ({time.monotonic() - started:.0f} s)")

    tools = []
    for name, executable, extra in (
        ("wheel", exe, {"XDG_DATA_HOME": str(tmp / "xdg")}),
        ("checkout", LHS_KG, {"LHS_KG_VAR_DIR": str(tmp / "checkout-var")}),
    ):
        folder = tmp / f"{name}-empty"
        folder.mkdir()
        shutil.copyfile(EXAMPLE, folder / EXAMPLE.name)
        env = {k: v for k, v in clean_env().items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        tools.append(Tool(name, executable, env | extra, folder))
    wheel_tool, checkout_tool = tools

    version = wheel_tool.run("--version").stdout
    same(version, checkout_tool.run("--version").stdout, "lhs-kg --version")
    step(f"lhs-kg --version: {version.strip()}")
    inits = both(tools, "init")
    for tool, result in zip(tools, inits, strict=True):
        if result.returncode != 0:
            error = result.stderr.strip()[-300:]
            raise SmokeFailure(f"{tool.name}: lhs-kg init exited {result.returncode}: {error}")
    same(inits[0].stdout.split(" loaded")[0], inits[1].stdout.split(" loaded")[0], "lhs-kg init")
    store = tmp / "xdg" / "lhs-kg" / "store"
    if not (store / "CURRENT").is_file():
        raise SmokeFailure(f"the installed tool's store is not in the user data folder {store}")
    step(f"lhs-kg init: {inits[0].stdout.split(' in ')[0]}; store in the user data folder")

    compare_commands(wheel_tool, checkout_tool)
    compare_pages(wheel_tool, checkout_tool)
    left = sorted(p.name for p in wheel_tool.cwd.iterdir())
    if left != [EXAMPLE.name]:
        raise SmokeFailure(f"the installed tool wrote into the working folder: {left}")
    step(f"all answers match ({time.monotonic() - started:.0f} s)")


def main() -> int:
    """Run the smoke test in a temporary folder; 0 when every answer matched, 1 otherwise."""
    with tempfile.TemporaryDirectory(prefix="lhs-kg-wheel-smoke-") as tmp:
        try:
            run(Path(tmp))
        except SmokeFailure as failure:
            print(f"wheel-smoke: FAILED: {failure}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
