"""``lhs-kg serve``: the web application on a production WSGI server (waitress)."""

from __future__ import annotations

import click

from lhs_kg.cli.base import CliState, pass_state
from lhs_kg.cli.base import main as cli


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker threads (the store is shared and thread-safe).",
)
@pass_state
def serve(state: CliState, host: str, port: int, threads: int) -> None:
    """Serve the browser, the SPARQL endpoint and the API on HOST:PORT."""
    import logging

    from web import create_app
    from web.server import make_server

    app = create_app({"LHS_KG_SETTINGS": state.settings, "LHS_KG_KB": state.kb()})
    logging.basicConfig()  # waitress reports through logging, as ``waitress.serve`` sets up
    server = make_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="lhs-kg",
        clear_untrusted_proxy_headers=True,
    )
    click.echo(
        f"lhs-kg serving {state.settings.store or 'the store'} on http://{host}:{port}/", err=True
    )
    server.run()
