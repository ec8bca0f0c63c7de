"""Submitting and reviewing contributions: every write is one SPARQL update, so one transaction.

``Contributions(kb).submit(...)`` parses and validates a document, and when it conforms stores the
content in a new version graph together with the registry's PROV-O record in a single update (a
crash leaves either nothing or everything). ``decide(ref, action, reviewer)`` changes a version's
state in a single update too; accepting also marks the previously published version of the same
case study as superseded, so readers see the old version or the new one, never both.
"""

from __future__ import annotations

from lhs_kg.contributions.decisions import ReviewDecisions
from lhs_kg.contributions.model import STATES, WITHDRAWN
from lhs_kg.contributions.registry import now_literal, parse_ref, sha256_hex
from lhs_kg.contributions.submission import Submissions


class Contributions(Submissions, ReviewDecisions):
    """The contribution workflow over one knowledge base (no web, no printing)."""


__all__ = [
    "STATES",
    "WITHDRAWN",
    "Contributions",
    "now_literal",
    "parse_ref",
    "sha256_hex",
]
