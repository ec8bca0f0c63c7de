"""The real ``lhs-kg serve`` process: configuration, the generated key, public binding, and
curators' commands run as separate processes while the server holds the store."""

from __future__ import annotations

import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import requests

from tests.helpers import EXAMPLE, LHS_KG, ROOT, clean_env, free_port

KEY = "a-configured-secret-key-of-enough-length"


class Served:
    """One ``lhs-kg serve`` subprocess over a copy of a store built by ``lhs-kg init``."""

    def __init__(self, folder: Path, **variables: str) -> None:
        self.env = clean_env()
        self.env.update(LHS_KG_VAR_DIR=str(folder / "var"), LHS_KG_ROOT=str(ROOT), **variables)
        self.instance = folder / "var" / "instance"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``lhs-kg ARGS`` as its own process with this server's environment."""
        return subprocess.run(
            [LHS_KG, *args], env=self.env, input=stdin, capture_output=True, text=True, timeout=180
        )

    def start(self, *options: str) -> Served:
        """Start the server on a free port and wait until it answers."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [LHS_KG, "serve", "--port", str(port), "--threads", "4", *options],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/healthz", timeout=1)
                return self
            except requests.RequestException:
                if self.process.poll() is not None:
                    pytest.fail(f"lhs-kg serve exited: {self.stop()[-800:]}")
                time.sleep(0.1)
        pytest.fail(f"lhs-kg serve did not start: {self.stop()[-800:]}")

    def stop(self) -> str:
        """Stop the server (SIGTERM) and return what it wrote on stderr."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            _, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err.decode("utf-8", "replace")

    def get(self, path: str, **options: object) -> requests.Response:
        return requests.get(self.url + path, timeout=30, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store built by the real `lhs-kg init` (each test serves a copy: copying is faster)."""
    folder = tmp_path_factory.mktemp("built")
    env = clean_env()
    env.update(LHS_KG_STORE=str(folder / "store"), LHS_KG_ROOT=str(ROOT))
    subprocess.run([LHS_KG, "init"], env=env, check=True, capture_output=True, timeout=180)
    return folder / "store"


@pytest.fixture
def folder(tmp_path: Path, built_store: Path) -> Path:
    """A folder whose var/store is a copy of the built store."""
    shutil.copytree(built_store, tmp_path / "var" / "store")
    return tmp_path


@pytest.fixture
def running(folder: Path) -> Iterator[Served]:
    """A server on loopback with an explicit key (as the README tells production to do)."""
    served = Served(folder, LHS_KG_WEB_SECRET_KEY=KEY).start()
    yield served
    served.stop()


def sign_in(session: requests.Session, url: str, name: str, password: str) -> int:
    page = session.get(f"{url}/review/login", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text[:300]
    answer = session.post(
        f"{url}/review/login",
        data={"csrf_token": token.group(1), "username": name, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    return answer.status_code


def test_serve_reads_the_secret_key_from_the_environment(running: Served) -> None:
    """Regression: `lhs-kg serve` ignored LHS_KG_WEB_SECRET_KEY and the forms answered 503."""
    assert running.get("/contribute").status_code == 200
    assert running.get("/review/login").status_code == 200
    assert not (running.instance / "secret_key").exists()


def test_serve_reads_the_instance_config_file(folder: Path) -> None:
    served = Served(folder)
    served.instance.mkdir(parents=True)
    (served.instance / "config.py").write_text(f"SECRET_KEY = {KEY!r}\n")
    served.start("--host", "0.0.0.0")
    try:
        assert served.get("/contribute").status_code == 200  # an explicit key, even if public
    finally:
        served.stop()


def test_loopback_generates_a_private_key_that_survives_a_restart(folder: Path) -> None:
    served = Served(folder).start()
    key_file = served.instance / "secret_key"
    try:
        assert served.get("/contribute").status_code == 200
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        added = served.cli(
            "review", "add-reviewer", "alice", "--password-stdin", stdin="pw-123456\n"
        )
        assert added.returncode == 0, added.stderr
        browser = requests.Session()
        assert sign_in(browser, served.url, "alice", "pw-123456") == 303  # no restart needed
        assert browser.get(f"{served.url}/review", timeout=30).status_code == 200
        key = key_file.read_text()
    finally:
        served.stop()
    served.start()
    try:
        assert key_file.read_text() == key
        assert browser.get(f"{served.url}/review", timeout=30).status_code == 200
    finally:
        served.stop()


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(("--host", "0.0.0.0"), id="all-interfaces"),
        pytest.param(("--trusted-proxy", "127.0.0.1"), id="behind-a-proxy"),
    ],
)
def test_a_public_server_without_a_key_keeps_forms_off_and_says_so(
    folder: Path, options: tuple[str, ...]
) -> None:
    served = Served(folder).start(*options)
    try:
        assert served.get("/contribute").status_code == 503
        assert served.get("/review/login").status_code == 503
        assert served.get("/").status_code == 200
        assert served.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    finally:
        err = served.stop()
    assert "disabled" in err and "LHS_KG_WEB_SECRET_KEY" in err
    assert not (served.instance / "secret_key").exists()


def test_curators_submit_and_review_while_the_server_runs(running: Served) -> None:
    submitted = running.cli("submit", str(EXAMPLE))
    assert submitted.returncode == 0, submitted.stderr
    assert submitted.stdout.startswith("stored example-diabetes-network/v1 (pending review)\n")
    status_path = re.search(r"status page: (/contributions/\S+)", submitted.stdout)
    assert status_path and running.get(status_path.group(1)).status_code == 200
    listed = running.cli("review", "list")
    assert listed.returncode == 0, listed.stderr
    assert re.match(r"example-diabetes-network/v1\tpending\t\S+\tAlex Example\t", listed.stdout)
    shown = running.cli("review", "show", "example-diabetes-network/v1")
    assert shown.returncode == 0, shown.stderr
    assert "  state:       pending" in shown.stdout and "diff against" in shown.stdout
    assert running.get("/case-study/example-diabetes-network").status_code == 404
    accepted = running.cli("review", "accept", "example-diabetes-network/v1", "--as", "carol")
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout == "example-diabetes-network/v1: published\n"
    page = running.get("/case-study/example-diabetes-network")
    assert page.status_code == 200 and "regional diabetes" in page.text
    again = running.cli("review", "accept", "example-diabetes-network/v1")
    assert again.returncode == 1 and "lhs-kg: error:" in again.stderr
    missing = running.cli("review", "show", "nope/v1")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_an_invalid_submission_through_the_server_prints_the_report(
    running: Served, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(EXAMPLE.read_text().replace('"startYear": 2019', '"startYear": "soon"'))
    result = running.cli("submit", str(bad))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{bad}: does not conform") and "startYear" in result.stdout


def test_other_commands_name_the_server_that_holds_the_store(running: Served) -> None:
    result = running.cli("graphs")
    assert result.returncode == 2
    assert "held by `lhs-kg serve`" in result.stderr and running.url in result.stderr


def test_the_record_goes_when_the_server_stops(folder: Path) -> None:
    served = Served(folder).start()
    records = list((folder / "var" / "run").glob("serve-*.json"))
    assert len(records) == 1 and stat.S_IMODE(records[0].stat().st_mode) == 0o600
    served.stop()
    assert not records[0].exists()
    assert served.cli("review", "list").returncode == 0  # the store is free again


def test_a_lock_held_by_another_process_says_what_to_do(folder: Path) -> None:
    served = Served(folder)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('ok', flush=True); "
            "sys.stdin.read()",
            str(folder / "var" / "store"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"ok"
        result = served.cli("review", "list")
    finally:
        holder.communicate(b"")
    assert result.returncode == 2
    assert "locked by another process" in result.stderr
    assert "start the server with `lhs-kg serve`" in result.stderr


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(folder: Path) -> None:
    served = Served(folder, LHS_KG_WEB_SECRET_KEY=KEY)
    served.start("--trusted-proxy", "127.0.0.1")
    try:

        def attempt(name: str, client: str) -> int:
            browser = requests.Session()
            browser.headers["X-Forwarded-For"] = client
            return sign_in(browser, served.url, name, "wrong password")

        assert [attempt(f"user{n % 5}", "198.51.100.7") for n in range(20)] == [401] * 20
        assert attempt("someone-else", "198.51.100.7") == 429  # the address rule
        assert attempt("someone-else", "198.51.100.8") == 401  # another client is not blocked
    finally:
        served.stop()


def test_contributor_options_go_through_the_server(running: Served, tmp_path: Path) -> None:
    import json

    doc = json.loads(EXAMPLE.read_text())
    del doc["contributor"]
    file = tmp_path / "case.json"
    file.write_text(json.dumps(doc))
    ascii_only = running.cli("submit", str(file), "--name", "Opt Person", "--email", "o@e.org")
    assert ascii_only.returncode == 0, ascii_only.stderr
    assert "\tOpt Person\t" in running.cli("review", "list").stdout
    accented = running.cli("submit", str(file), "--name", "Zoë Łukasz", "--email", "z@e.org")
    assert accented.returncode == 2 and "put the contributor in the file" in accented.stderr


def test_sources_are_imported_through_the_server(running: Served) -> None:
    """`lhs-kg import-sources` while `lhs-kg serve` holds the store goes through its API (#14)."""
    refs = ROOT / "tests" / "data" / "literature" / "refs.bib"
    who = ("--name", "Alex Example", "--email", "alex@example.org")
    first = running.cli("import-sources", str(refs), *who)
    assert first.returncode == 0, first.stderr
    assert "1 new, 1 already known" in first.stdout
    assert "stored source-list.refs-" in first.stdout
    again = running.cli("import-sources", str(refs), *who)
    assert again.returncode == 0, again.stderr
    assert "0 new, 2 already known" in again.stdout and "stored" not in again.stdout


def test_the_serve_options_are_read_in_one_place() -> None:
    """Each option of ``lhs-kg serve`` is a field of ServeOptions, the one value both ways of
    serving get (#16): an option added to the command and not to it fails here."""
    from dataclasses import fields

    from web.server import ServeOptions, serve

    options = {p.name for p in serve.params if isinstance(p, click.Option)}
    assert options == {f.name for f in fields(ServeOptions)}


@pytest.mark.parametrize(
    ("host", "proxy", "loopback"),
    [
        ("127.0.0.1", None, True),
        ("::1", None, True),
        ("localhost", None, True),
        ("0.0.0.0", None, False),
        ("192.0.2.1", None, False),
        ("127.0.0.1", "127.0.0.1", False),  # behind a proxy it serves the public
    ],
)
def test_serve_options_say_whether_only_this_machine_is_served(
    host: str, proxy: str | None, loopback: bool
) -> None:
    from web.server import ServeOptions

    options = ServeOptions(host, 5000, 8, 1, proxy, "x-forwarded-for")
    assert options.loopback is loopback


@pytest.fixture(scope="module")
def loopback(tmp_path_factory: pytest.TempPathFactory, built_store: Path) -> Iterator[Served]:
    """One server on loopback for the read-only checks of the address it names."""
    folder = tmp_path_factory.mktemp("loopback")
    shutil.copytree(built_store, folder / "var" / "store")
    served = Served(folder, LHS_KG_WEB_SECRET_KEY=KEY).start()
    yield served
    served.stop()


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/sparql", "text/html"),  # the editor's "any SPARQL client can use this endpoint"
        ("/sparql", "text/turtle"),  # the service description
        ("/dataset", "text/turtle"),  # VoID and DCAT: the endpoint and the dumps
    ],
)
def test_on_loopback_the_named_endpoint_is_this_server(
    loopback: Served, path: str, accept: str
) -> None:
    """``make run``'s pages name ``http://127.0.0.1:PORT/sparql``, which answers, rather than
    the base IRI's, which does not lead here (#16); a forged Host changes nothing."""
    page = loopback.get(path, headers={"Accept": accept, "Host": "evil.example"})
    assert page.status_code == 200, page.text[:300]
    assert f"{loopback.url}/sparql" in page.text
    assert "https://w3id.org/lhs-kg/sparql" not in page.text
    assert "evil.example" not in page.text


def test_a_configured_public_url_wins_over_the_loopback_address(folder: Path) -> None:
    served = Served(
        folder, LHS_KG_WEB_SECRET_KEY=KEY, LHS_KG_PUBLIC_URL="https://kg.example.org/"
    ).start()
    try:
        description = served.get("/sparql", headers={"Accept": "text/turtle"}).text
    finally:
        served.stop()
    assert "https://kg.example.org/sparql" in description
    assert served.url not in description


def test_serve_warms_the_dashboards_and_search_index_once_without_holding_up_healthz(
    running: Served,
) -> None:
    """At start, one background warm-up makes the dashboards and the search index (#16):
    /healthz answers meanwhile, and the first search and /nasss use what it made."""
    probes = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = running.get("/healthz")
        probes.append((answer.status_code, answer.json()["warming"], answer.json()["warm_ups"]))
        if probes[-1][2]:
            break
        time.sleep(0.05)
    assert probes[0][:2] == (200, True)  # answered while the warm-up ran
    assert probes[-1] == (200, False, 1)
    folder = running.instance / "cache" / "search"
    made = sorted(p.name for p in folder.glob("index-*.sqlite"))
    assert len(made) == 1  # built in the background, before anyone searched
    assert running.get("/search", params={"q": "remission"}).status_code == 200
    assert running.get("/nasss").status_code == 200
    assert sorted(p.name for p in folder.glob("index-*.sqlite")) == made  # not built again
    assert running.get("/healthz").json()["warm_ups"] == 1


def _warmed(served: Served, warm_ups: int) -> dict[str, object]:
    """/healthz once ``warm_ups`` warm-ups have ended and none runs."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        health: dict[str, object] = served.get("/healthz").json()
        if not health["warming"] and int(health["warm_ups"]) >= warm_ups:  # type: ignore[call-overload]
            return health
        time.sleep(0.05)
    pytest.fail(f"no warm-up number {warm_ups} ended within 120 s")


def test_a_restart_on_unchanged_data_keeps_the_generation_and_reads_its_dashboards(
    folder: Path,
) -> None:
    """Through ``lhs-kg serve`` itself (#16): after a contribution is accepted, stopped
    (SIGTERM) and started again on the same store, the server has the generation it stopped
    on and reads the dashboard answers it kept then instead of computing them (17 s for
    /nasss at 1M triples)."""
    results = {"Accept": "application/sparql-results+json"}
    served = Served(folder, LHS_KG_WEB_SECRET_KEY=KEY).start()
    try:
        _warmed(served, 1)
        first = served.get("/api/queries/complexity-profiles", headers=results).json()
        assert served.cli("submit", str(EXAMPLE)).returncode == 0
        accepted = served.cli("review", "accept", "example-diabetes-network/v1", "--as", "carol")
        assert accepted.returncode == 0, accepted.stderr
        generation = _warmed(served, 2)["generation"]  # brought up to date after the accept
        listed = served.get("/api/queries/complexity-profiles", headers=results).json()
        assert listed != first
    finally:
        said = served.stop()
    assert re.search(r"kept \d+ dashboard answer\(s\) for the next start", said), said[-500:]
    kept = folder / "var" / "instance" / "cache" / "aggregates" / f"g{generation}"
    files = {p.name: p.stat().st_mtime_ns for p in kept.glob("*.srj")}
    assert files
    again = Served(folder, LHS_KG_WEB_SECRET_KEY=KEY).start()
    try:
        assert _warmed(again, 1)["generation"] == generation
        assert again.get("/api/queries/complexity-profiles", headers=results).json() == listed
        assert again.get("/nasss").status_code == 200
    finally:
        again.stop()
    assert {p.name: p.stat().st_mtime_ns for p in kept.glob("*.srj")} == files  # read, not made
