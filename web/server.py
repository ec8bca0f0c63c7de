"""``lhs-kg serve``: the web application on a production WSGI server (waitress, or gunicorn).

One process (the default) runs on waitress with threads. ``--workers N`` (N > 1) runs N
gunicorn worker processes over a store server (:mod:`web.workers`); the embedded store admits
one process, so it is refused there with a message that says what to run instead.

The command is the web package's: the engine's command line finds it through the
``lhs_kg.commands`` entry point (see ``pyproject.toml``) and never imports ``web`` by name.

The app reads its configuration through the same chain as any WSGI server importing
``web:create_app()``; this command hands over only what it already built (the Settings and the
opened knowledge base) and whether it serves this machine only. On loopback a generated secret
key (kept in the instance folder) makes the forms work out of the box; bound beyond loopback or
behind a trusted proxy, the forms stay off until a key is configured, and the read-only parts
work (the warning says so on stderr).

While it runs, it leaves a record (URL, pid, a fresh local administrator token; mode 0600) in
``var/run`` so ``lhs-kg submit`` and ``lhs-kg review`` can work through it.

Waitress as it comes: it ends the connection after an answer without ``Content-Length``, a 304
included, so a revalidating client reconnects (measured on loopback: 0.24 ms a revalidation
against 0.13 ms on a kept connection). Subclassing waitress's task and channel to keep it open
(#6) relied on its private internals with no pin and was dropped (#13); behind a reverse proxy
the client's connection is the proxy's anyway.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
import signal
from dataclasses import dataclass, replace
from types import FrameType
from typing import Any

import click
from waitress import create_server

from lhs_kg.cli.base import CliState, pass_state
from lhs_kg.config import Settings
from lhs_kg.contributions.reviewers import hash_token, new_token
from lhs_kg.errors import ConfigError
from lhs_kg.instance import ServerRecord, remove_server_record, write_server_record
from lhs_kg.kb import KnowledgeBase
from web import create_app
from web.conditional import share_epoch
from web.settings import ADMIN_TOKEN_HASH
from web.views.reading import keep_answers
from web.warming import warm_at_start
from web.workers import TrustedProxy, WorkerServer, gunicorn_options, proxy_headers


def make_server(app: Any, **options: Any) -> Any:
    """A waitress server for ``app`` (``options`` as for ``waitress.serve``), not yet running."""
    return create_server(app, **options)


def is_loopback(host: str) -> bool:
    """True when ``host`` accepts connections from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def local_url(host: str, port: int) -> str:
    """The URL this machine uses to reach a server bound to ``host``."""
    bare = host.strip("[]")
    if bare in ("", "0.0.0.0"):
        bare = "127.0.0.1"
    elif bare == "::":
        bare = "::1"
    return f"http://[{bare}]:{port}" if ":" in bare else f"http://{bare}:{port}"


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@dataclass(frozen=True)
class ServeOptions:
    """The command's options, read once and handed on whole (one field per click option)."""

    host: str
    port: int
    threads: int
    workers: int
    trusted_proxy: str | None
    trusted_proxy_headers: str

    @property
    def loopback(self) -> bool:
        """Serving this machine only: bound to loopback and not behind a proxy (which serves
        the public)."""
        return is_loopback(self.host) and not self.trusted_proxy

    def settings_for(self, settings: Settings) -> Settings:
        """``settings`` as this server uses them: on loopback without ``LHS_KG_PUBLIC_URL``,
        the public address is where this machine reaches it (``http://127.0.0.1:PORT/``), so
        the SPARQL page, the service description and ``/dataset`` name an endpoint that answers
        rather than the base IRI (#16); it comes from the options, never a request's Host."""
        if not self.loopback or settings.public_url is not None:
            return settings
        return replace(settings, public_url=local_url(self.host, self.port) + "/")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker threads (the store is shared and thread-safe).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (more than 1 needs a store server: LHS_KG_STORE=http://…).",
)
@click.option(
    "--trusted-proxy",
    metavar="ADDRESS",
    default=None,
    help="Address of a reverse proxy whose X-Forwarded-* headers are believed (e.g. 127.0.0.1).",
)
@click.option(
    "--trusted-proxy-headers",
    default="x-forwarded-for x-forwarded-proto",
    show_default=True,
    help="Which forwarded headers of the trusted proxy to apply.",
)
@pass_state
def serve(state: CliState, **given: Any) -> None:
    """Serve the browser, the SPARQL endpoint and the API on HOST:PORT."""
    options = ServeOptions(**given)
    if options.workers > 1:
        _serve_workers(state, options)
    else:
        _serve_one(state, options)


def _serve_one(state: CliState, options: ServeOptions) -> None:
    """One process on waitress with threads, leaving a server record for the command line."""
    served = options.settings_for(state.settings)
    app = create_app(settings=served, kb=state.kb(), loopback=options.loopback)
    warm_at_start(app)  # the dashboards and the search index, in the background (#16)
    logging.basicConfig()  # waitress reports through logging, as ``waitress.serve`` sets up
    proxy = (
        {
            "trusted_proxy": options.trusted_proxy,
            "trusted_proxy_headers": options.trusted_proxy_headers,
        }
        if options.trusted_proxy
        else {}
    )
    server = make_server(
        app,
        host=options.host,
        port=options.port,
        threads=options.threads,
        ident="lhs-kg",
        clear_untrusted_proxy_headers=True,
        **proxy,
    )
    settings = state.settings
    recorded = settings.store_path is not None
    if recorded:
        token = new_token()
        app.extensions[ADMIN_TOKEN_HASH] = hash_token(token)
        record = ServerRecord(
            local_url(options.host, options.port), os.getpid(), settings.store, token
        )
        write_server_record(settings, record)
    forms = {
        "configured": "on",
        "generated": f"on (secret key generated in {settings.instance_dir})",
        "none": "OFF: no secret key configured (see the warning above)",
    }[str(app.config.get("SECRET_KEY_SOURCE", "none"))]
    click.echo(
        f"lhs-kg serving {settings.store or 'the store'} on "
        f"http://{options.host}:{options.port}/ (forms {forms})",
        err=True,
    )
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    finally:
        if recorded:
            remove_server_record(settings, os.getpid())
        try:  # then the store closes, recording its generation
            kept = keep_answers(app)
        except Exception:  # never in the way of the stop, nor of the error that caused it
            logging.getLogger(__name__).exception("could not keep the dashboard answers")
            kept = 0
        if kept:
            click.echo(f"kept {kept} dashboard answer(s) for the next start", err=True)


def _serve_workers(state: CliState, options: ServeOptions) -> None:
    """Run ``options.workers`` gunicorn processes, each with its own app and store connection."""
    settings = options.settings_for(state.settings)
    workers, trusted_proxy = options.workers, options.trusted_proxy
    if not settings.is_remote:
        where = settings.store_path or "memory"
        raise ConfigError(
            f"--workers {workers} needs a store server: the embedded store ({where}) admits one "
            "process. Serve it with `oxigraph serve --location DIR` and set "
            "LHS_KG_STORE=http://HOST:PORT, or run with --workers 1"
        )
    try:
        forwarded = proxy_headers(options.trusted_proxy_headers)
    except ValueError as err:
        raise ConfigError(f"--trusted-proxy-headers: {err}") from None
    loopback = options.loopback
    # One app in this process first: it settles the generated secret key (a file every worker
    # then reads) and says whether the forms are on, before any worker starts.
    first = create_app(settings=settings, kb=state.kb(), loopback=loopback)
    source = str(first.config.get("SECRET_KEY_SOURCE", "none"))
    state.kb().close()

    epoch = secrets.token_hex(4)  # one per server start, shared by its workers' ETags

    def make_app() -> object:
        app = create_app(settings=settings, kb=KnowledgeBase(settings), loopback=loopback)
        share_epoch(app, epoch)
        warm_at_start(app)  # shared through the instance cache: made once, not per worker
        if trusted_proxy:
            app.wsgi_app = TrustedProxy(app.wsgi_app, trusted_proxy, forwarded)  # type: ignore[method-assign]
        return app

    forms = "on" if source != "none" else "OFF: no secret key configured (see the warning above)"
    click.echo(
        f"lhs-kg serving {settings.store} on http://{options.host}:{options.port}/ with "
        f"{workers} worker processes of {options.threads} threads (forms {forms})",
        err=True,
    )
    options_for_gunicorn = gunicorn_options(options.host, options.port, workers, options.threads)
    WorkerServer(make_app, options_for_gunicorn).run()
