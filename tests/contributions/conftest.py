"""Fixtures for the contribution engine: a knowledge base with the repository content, on the
embedded store or on a real oxigraph server (the example contribution is in tests/helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lhs_kg.contributions import Contributions
from lhs_kg.kb import KnowledgeBase
from lhs_kg.store import Store
from tests.helpers import new_content_kb


@pytest.fixture
def kb() -> Iterator[KnowledgeBase]:
    """A memory knowledge base holding the repository's ontology and data."""
    with new_content_kb() as base:
        yield base


@pytest.fixture
def contributions(kb: KnowledgeBase) -> Contributions:
    """The workflow over :func:`kb`."""
    return Contributions(kb)


@pytest.fixture
def any_kb(store: Store) -> KnowledgeBase:
    """The repository content on each kind of store (embedded on disk, real oxigraph server)."""
    return new_content_kb(store)
