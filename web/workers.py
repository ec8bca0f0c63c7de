"""Several web worker processes (gunicorn) in front of one shared store server (#16).

``lhs-kg serve --workers N`` runs N gunicorn worker processes, each with its own threads, its
own app and its own connection to the store server. Nothing is shared between them but the
store: the store's generation, read once per request (:mod:`web.store_generation`), tells
every worker's caches when any worker (or an ``lhs-kg`` command) wrote. The embedded store
admits one process (it holds a lock), so several workers need a store server.

A trusted reverse proxy's ``X-Forwarded-*`` headers are applied only to requests that come
from its address, as waitress's ``trusted_proxy`` does in the one-process server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: The forwarded headers ``--trusted-proxy-headers`` may name, and ProxyFix's argument for each.
_PROXY_FIX = {
    "x-forwarded-for": "x_for",
    "x-forwarded-proto": "x_proto",
    "x-forwarded-host": "x_host",
    "x-forwarded-port": "x_port",
    "x-forwarded-prefix": "x_prefix",
}


def proxy_headers(names: str) -> dict[str, int]:
    """ProxyFix's arguments for a space- or comma-separated list of forwarded header names.

    >>> proxy_headers("x-forwarded-for x-forwarded-proto")
    {'x_for': 1, 'x_proto': 1}
    """
    wanted = {n.strip().lower() for n in names.replace(",", " ").split() if n.strip()}
    unknown = sorted(wanted - _PROXY_FIX.keys())
    if unknown:
        raise ValueError(f"unknown forwarded header(s): {', '.join(unknown)}")
    return {_PROXY_FIX[n]: 1 for n in sorted(wanted)}


class TrustedProxy:
    """Apply forwarded headers from ``proxy`` only; strip them from anyone else."""

    def __init__(self, app: WSGIApplication, proxy: str, headers: dict[str, int]) -> None:
        self.app = app
        self.proxy = proxy
        self.fixed = ProxyFix(app, **headers)  # type: ignore[arg-type]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REMOTE_ADDR") == self.proxy:
            return self.fixed(environ, start_response)  # type: ignore[arg-type]
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_")]:
            del environ[key]
        return self.app(environ, start_response)


class WorkerServer(BaseApplication):  # type: ignore[misc]
    """gunicorn's application, built through its Python API rather than its command line.

    ``make_app`` runs in each worker after the fork, so every worker opens its own store
    connection (sockets are not shared across processes).
    """

    def __init__(self, make_app: Callable[[], Any], options: dict[str, Any]) -> None:
        self.make_app = make_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.make_app()


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn settings for N threaded workers on HOST:PORT, logging to stderr."""
    bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": False,
        "forwarded_allow_ips": "",  # forwarded headers: only through TrustedProxy
        "proc_name": "lhs-kg",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 120,
        "graceful_timeout": 10,
    }
