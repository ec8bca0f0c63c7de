"""The lhs-kg web application: pages, the SPARQL endpoint and the API over the engine.

``create_app`` is the factory. Views live in ``web/views/``, one blueprint per module; each
module exposes ``bp`` and is registered here by discovery, so a new view touches no shared file.
Views only adapt HTTP to the engine (``lhs_kg``): they hold no SPARQL text.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import Any

from flask import Flask

from lhs_kg.config import Settings
from lhs_kg.kb import KnowledgeBase
from web import conditional, errors, page_cache, security, store_generation, views
from web.engine import init_engine
from web.settings import configure
from web.views.reading import warm_dashboards
from web.warming import warm_search


def create_app(
    test_config: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    kb: KnowledgeBase | None = None,
    loopback: bool = False,
) -> Flask:
    """Build the app; configuration always comes through :func:`web.settings.configure`.

    The chain is: defaults, the instance folder's ``config.py``, ``LHS_KG_WEB_*`` variables,
    then the engine's Settings from ``LHS_KG_*``. ``test_config`` (tests only) replaces the
    instance file and the variables. ``settings``/``kb`` are objects a caller already built
    (``lhs-kg serve``); ``loopback=True`` says the server answers this machine only, which lets
    a generated secret key stand in for a configured one.
    """
    if settings is None:
        given = (test_config or {}).get("LHS_KG_SETTINGS")
        settings = given if isinstance(given, Settings) else Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir), instance_relative_config=True)
    configure(app, settings, test_config, loopback=loopback)
    if kb is not None:
        app.config["LHS_KG_KB"] = kb
    init_engine(app)
    errors.init_app(app)
    conditional.init_app(app)
    security.init_app(app)
    for module in sorted(pkgutil.iter_modules(views.__path__), key=lambda m: m.name):
        blueprint = getattr(importlib.import_module(f"web.views.{module.name}"), "bp", None)
        if blueprint is not None:
            app.register_blueprint(blueprint)
    bare = app.wsgi_app
    page_cache.init_app(app)
    check = store_generation.init_app(app, bare)
    check.warmers.append(lambda: warm_dashboards(app))
    check.warmers.append(lambda: warm_search(app))
    return app
