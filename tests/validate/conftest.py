"""Fixtures of the validation tests: the repository's content in an in-memory knowledge base."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lhs_kg.config import Settings
from lhs_kg.kb import KnowledgeBase

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent


@pytest.fixture(scope="module")
def content_kb() -> Iterator[KnowledgeBase]:
    """ontology/ and data/ loaded into a memory store, so references resolve as in production."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LHS_KG_")}
    settings = Settings.from_env(env).with_overrides(store="memory")
    kb = KnowledgeBase(settings)
    kb.rebuild()
    yield kb
    kb.close()
