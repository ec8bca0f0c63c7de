"""Fixtures for the contribution engine: a knowledge base with the repository content, on the
embedded store or on a real oxigraph server, and the example contribution as a template."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lhs_kg.config import Settings
from lhs_kg.contributions import Contributions
from lhs_kg.kb import KnowledgeBase
from lhs_kg.store import Store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "examples" / "case-study.json"


def example(**changes: Any) -> dict[str, Any]:
    """The example case study, self-contained (no source left undescribed), with changes."""
    doc: dict[str, Any] = copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    for outcome in doc.get("outcomes", []):
        outcome.pop("sources", None)
    doc["sources"] = ["foley-vale-2022"]
    doc.update(changes)
    return doc


def payload(**changes: Any) -> bytes:
    """:func:`example` as JSON bytes."""
    return json.dumps(example(**changes)).encode("utf-8")


@pytest.fixture
def kb() -> Iterator[KnowledgeBase]:
    """A memory knowledge base holding the repository's ontology and data."""
    with KnowledgeBase(Settings(store="memory")) as base:
        base.rebuild()
        yield base


@pytest.fixture
def contributions(kb: KnowledgeBase) -> Contributions:
    """The workflow over :func:`kb`."""
    return Contributions(kb)


@pytest.fixture
def any_kb(store: Store) -> KnowledgeBase:
    """The repository content on each kind of store (embedded on disk, real oxigraph server)."""
    base = KnowledgeBase(Settings(store="memory"), store=store)
    base.rebuild()
    return base
