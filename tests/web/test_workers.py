"""``lhs-kg serve --workers``: options refused with a reason; the trusted-proxy filter (#16).

The running workers themselves are tested in ``tests/live/test_workers.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lhs_kg.cli import main
from tests.helpers import clean_env
from web.workers import TrustedProxy, gunicorn_options, proxy_headers


def serve(tmp_path: Path, store: str, *args: str) -> tuple[int, str]:
    env = clean_env()
    env.update(LHS_KG_VAR_DIR=str(tmp_path / "var"), LHS_KG_STORE=store)
    result = CliRunner().invoke(main, ["serve", *args], env=env)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--workers", "0"], "--workers"),
        (["--workers", "65"], "--workers"),
        (["--workers", "two"], "--workers"),
        (["--workers", ""], "--workers"),
    ],
    ids=["zero", "too-many", "not-a-number", "empty"],
)
def test_a_malformed_worker_count_is_a_usage_error(
    tmp_path: Path, args: list[str], said: str
) -> None:
    code, output = serve(tmp_path, "http://127.0.0.1:9", *args)
    assert code == 2, output
    assert said in output
    assert "Traceback" not in output


@pytest.mark.parametrize("store", ["memory", "folder"])
def test_several_workers_need_a_store_server(tmp_path: Path, store: str) -> None:
    code, output = serve(
        tmp_path, store if store == "memory" else str(tmp_path / "store"), "--workers", "2"
    )
    assert code == 2, output
    assert "needs a store server" in output and "--workers 1" in output
    assert not (tmp_path / "store").exists()  # refused before anything was opened


def test_an_unknown_forwarded_header_is_refused_before_any_worker_starts(tmp_path: Path) -> None:
    code, output = serve(
        tmp_path,
        "http://127.0.0.1:9",
        "--workers",
        "2",
        "--trusted-proxy",
        "127.0.0.1",
        "--trusted-proxy-headers",
        "x-forwarded-for x-evil",
    )
    assert code == 2, output
    assert "x-evil" in output


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    seen = f"{environ.get('REMOTE_ADDR')} {environ.get('wsgi.url_scheme')}"
    return [seen.encode()]


FORWARDED = {"HTTP_X_FORWARDED_FOR": "203.0.113.7", "HTTP_X_FORWARDED_PROTO": "https"}


@pytest.mark.parametrize(
    ("peer", "seen"),
    [("127.0.0.1", "203.0.113.7 https"), ("198.51.100.2", "198.51.100.2 http")],
    ids=["from-the-proxy", "from-anyone-else"],
)
def test_forwarded_headers_are_believed_from_the_trusted_proxy_only(peer: str, seen: str) -> None:
    app = TrustedProxy(echo, "127.0.0.1", proxy_headers("x-forwarded-for x-forwarded-proto"))
    environ = {"REMOTE_ADDR": peer, "wsgi.url_scheme": "http", **FORWARDED}
    body = b"".join(app(environ, lambda status, headers, exc_info=None: None))
    assert body.decode() == seen


def test_gunicorn_binds_ipv6_in_brackets_and_trusts_no_forwarding_itself() -> None:
    options = gunicorn_options("::1", 8000, 3, 2)
    assert options["bind"] == ["[::1]:8000"]
    assert (options["workers"], options["threads"]) == (3, 2)
    assert options["forwarded_allow_ips"] == ""
