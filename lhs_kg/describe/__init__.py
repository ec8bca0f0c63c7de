"""Read models for pages and linked data: descriptions, hierarchies, case studies, sources, search.

Everything here returns plain dataclasses built from the knowledge base with the package's own
SPARQL (parameters bound as VALUES); the web app renders them and holds no SPARQL itself.
"""

from __future__ import annotations

from lhs_kg.describe.base import Reader, TermView
from lhs_kg.describe.resource import Description, describe, rdf_description

__all__ = ["Description", "Reader", "TermView", "describe", "rdf_description"]
