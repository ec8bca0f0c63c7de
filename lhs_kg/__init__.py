"""lhs-kg: a knowledge-graph toolkit for Learning Health Systems."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from lhs_kg.config import Settings
from lhs_kg.errors import LhsKgError
from lhs_kg.kb import KnowledgeBase

# The installed distribution's version: pyproject.toml is the one place it is written (#13).
try:
    __version__ = version("lhs-kg")
except PackageNotFoundError:  # pragma: no cover - running from a checkout that was never installed
    __version__ = "0+unknown"
__all__ = ["KnowledgeBase", "LhsKgError", "Settings", "__version__"]
