"""lhs-kg: a knowledge-graph toolkit for Learning Health Systems."""

from __future__ import annotations

from lhs_kg.config import Settings
from lhs_kg.errors import LhsKgError
from lhs_kg.kb import KnowledgeBase

__version__ = "0.1.0"
__all__ = ["KnowledgeBase", "LhsKgError", "Settings", "__version__"]
