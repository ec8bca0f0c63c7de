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
from web import conditional, errors, page_cache, views
from web.engine import init_engine


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config from ``test_config``, then instance config, then ``LHS_KG_*``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev-only-change-me",
        MAX_CONTENT_LENGTH=None,
        JSON_SORT_KEYS=False,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env(prefix="LHS_KG_WEB")
    else:
        app.config.from_mapping(test_config)
    settings = app.config.get("LHS_KG_SETTINGS") or Settings.from_env()
    app.config["LHS_KG_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"] or (
        settings.max_upload_bytes + 64 * 1024
    )
    init_engine(app)
    errors.init_app(app)
    conditional.init_app(app)
    for module in sorted(pkgutil.iter_modules(views.__path__), key=lambda m: m.name):
        blueprint = getattr(importlib.import_module(f"web.views.{module.name}"), "bp", None)
        if blueprint is not None:
            app.register_blueprint(blueprint)
    page_cache.init_app(app)
    return app
