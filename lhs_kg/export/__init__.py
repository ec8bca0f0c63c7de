"""Exports for partners: dumps, the VoID/DCAT dataset description, releases, pushes and CSV.

The published view (``lhs_kg.graphs.published_graphs``) is what leaves the house: contributions
that are pending, rejected or withdrawn are never exported.
"""

from lhs_kg.export.dump import (
    EXPORT_FORMATS,
    ExportPlan,
    Selection,
    export_bytes,
    iter_quads,
    plan_export,
    write_export,
)

__all__ = [
    "EXPORT_FORMATS",
    "ExportPlan",
    "Selection",
    "export_bytes",
    "iter_quads",
    "plan_export",
    "write_export",
]
