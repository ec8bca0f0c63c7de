"""Fixtures for the self-assessment engine: the questionnaire as the repository content has it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lhs_kg.assess import Questionnaire, questionnaire
from lhs_kg.describe.base import Reader
from lhs_kg.kb import KnowledgeBase
from tests.helpers import new_content_kb


@pytest.fixture(scope="module")
def kb() -> Iterator[KnowledgeBase]:
    """The repository's content in a memory store."""
    made = new_content_kb()
    yield made
    made.close()


@pytest.fixture(scope="module")
def reader(kb: KnowledgeBase) -> Reader:
    """A reader over every graph (all content is published)."""
    return Reader(kb)


@pytest.fixture(scope="module")
def q(reader: Reader) -> Questionnaire:
    """The questionnaire read from framework.ttl."""
    return questionnaire(reader)
