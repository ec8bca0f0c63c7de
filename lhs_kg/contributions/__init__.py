"""The contribution workflow: submit, validate, review, publish, with provenance and versions.

``Contributions(kb)`` submits and reviews (``engine``, made of ``registry`` reads,
``submission`` with ``content`` for the stored graph, and review ``decisions``); ``history``
lists the versions of a case study, diffs two of them and says where each published statement
came from; ``form`` builds the contribution form from the SHACL shapes; ``reviewers`` checks
reviewer accounts and API tokens.
"""

from __future__ import annotations

from lhs_kg.contributions.engine import Contributions, parse_ref, sha256_hex
from lhs_kg.contributions.model import (
    ACTIONS,
    CC_BY_4,
    STATES,
    ContributionError,
    Contributor,
    Decision,
    NotFoundError,
    SubmitOutcome,
    Version,
)

__all__ = [
    "ACTIONS",
    "CC_BY_4",
    "STATES",
    "ContributionError",
    "Contributions",
    "Contributor",
    "Decision",
    "NotFoundError",
    "SubmitOutcome",
    "Version",
    "parse_ref",
    "sha256_hex",
]
