"""Wheel build hook: the top-level content folders go into the wheel as ``lhs_kg/_content`` (#17).

People edit ontology/, shapes/, queries/ and data/ at the top of the repository; an installed
wheel has no repository, so ``lhs_kg.config`` reads them from the package instead. Editable
installs get nothing copied: they read the checkout's folders directly.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CONTENT_FOLDERS = ("ontology", "shapes", "queries", "data")


class ContentHook(BuildHookInterface):
    """Map each content folder to ``lhs_kg/_content/<folder>`` in a standard wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Called by hatchling before the wheel is built."""
        if self.target_name != "wheel" or version == "editable":
            return
        for folder in CONTENT_FOLDERS:
            build_data["force_include"][folder] = f"lhs_kg/_content/{folder}"
