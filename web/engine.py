"""The engine's place in the app: one KnowledgeBase per process, created in ``init_engine``."""

from __future__ import annotations

from flask import Flask, current_app

from lhs_kg.config import Settings
from lhs_kg.kb import KnowledgeBase


def init_engine(app: Flask) -> None:
    """Open the knowledge base once and keep it in ``app.extensions``."""
    settings: Settings = app.config["LHS_KG_SETTINGS"]
    kb = app.config.get("LHS_KG_KB") or KnowledgeBase(settings)
    app.extensions["lhs_kg"] = kb


def get_kb() -> KnowledgeBase:
    """The knowledge base of the running app."""
    kb: KnowledgeBase = current_app.extensions["lhs_kg"]
    return kb


def get_settings() -> Settings:
    """The engine settings of the running app."""
    settings: Settings = current_app.config["LHS_KG_SETTINGS"]
    return settings
