"""Review decisions: accept, request changes, reject or withdraw a version: each one update, with
the published graph and the generation changed in the same transaction (#16)."""

from __future__ import annotations

import time

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.contributions.model import (
    ACTIONS,
    PENDING,
    PUBLISHED,
    SUPERSEDED,
    ContributionError,
    Version,
)
from lhs_kg.contributions.registry import _WRITE_LOCK, RegistryReader, now_literal
from lhs_kg.errors import InputError
from lhs_kg.graphs import state_iri
from lhs_kg.layout import WriteReport


class ReviewDecisions(RegistryReader):
    """Review actions on a version; accepting supersedes the version published before.

    ``last_write`` says which graphs the last decision changed (:class:`WriteReport`).
    """

    last_write: WriteReport | None = None

    def decide(self, ref: str, action: str, reviewer: str, comment: str = "") -> Version:
        """Apply a review action (accept, request-changes, reject, withdraw) in one update."""
        if action not in ACTIONS:
            raise InputError(f"unknown review action {action!r} (known: {', '.join(ACTIONS)})")
        target, allowed = ACTIONS[action]
        comment = comment.strip()[:5000]
        if action in ("request-changes", "reject") and not comment:
            raise InputError(f"{action}: say why, in a comment the contributor will read")
        with _WRITE_LOCK:
            version = self.get(ref)
            if version.state not in allowed:
                raise ContributionError(
                    f"{version.ref} is {version.state}; {action} applies to "
                    f"{' or '.join(allowed)} versions"
                )
            bindings = self._decision(version, action, target, reviewer, comment)
            curated = bindings[0].get("curatedGraph")
            # one transaction: the new states, the published graph (accepted in, superseded
            # and withdrawn out) and the generation (#16)
            self.last_write = self.kb.layout.registry_write(
                [(sparql.text("contributions/decide"), bindings)],
                candidates=[
                    version.graph,
                    *(v.graph for v in self.versions(subject=version.subject)),
                    *([curated.value] if curated else []),
                ],
                subject=version.subject,
            )
            updated = self.get(version.ref)
        if updated.state != target:
            raise ContributionError(f"{version.ref} changed while deciding; look at it again")
        return updated

    def withdraw_by_token(self, token: str, comment: str = "") -> Version:
        """The contributor withdraws their own pending or sent-back version (status page)."""
        version = self.by_token(token)
        if version.state not in (PENDING, "changes-requested"):
            raise ContributionError(f"a {version.state} contribution cannot be withdrawn here")
        return self.decide(
            version.ref, "withdraw", f"{version.contributor_name} (contributor)", comment
        )

    def _decision(
        self, version: Version, action: str, target: str, reviewer: str, comment: str
    ) -> list[dict[str, ox.NamedNode | ox.Literal]]:
        """The bindings of ``contributions/decide.rq``: the decision, and the states it leaves."""
        decision: dict[str, ox.NamedNode | ox.Literal] = {
            "registry": ox.NamedNode(self.registry),
            "v": ox.NamedNode(version.graph),
            "subject": ox.NamedNode(version.subject),
            "decision": ox.NamedNode(f"{version.graph}#decision-{time.time_ns()}"),
            "target": ox.NamedNode(state_iri(self.settings, target)),
            "action": ox.Literal(action),
            "time": now_literal(),
            "reviewer": ox.Literal(reviewer.strip()[:200] or "reviewer"),
        }
        if comment:
            decision["comment"] = ox.Literal(comment)
        if target == PUBLISHED:  # the version published before, and the curated file, retire
            decision["published"] = ox.NamedNode(state_iri(self.settings, PUBLISHED))
            decision["superseded"] = ox.NamedNode(state_iri(self.settings, SUPERSEDED))
            curated = self.curated_graph(version.subject)
            if curated:
                decision["curatedGraph"] = ox.NamedNode(curated)
        allowed: list[dict[str, ox.NamedNode | ox.Literal]] = [
            {"from": ox.NamedNode(state_iri(self.settings, s))} for s in ACTIONS[action][1]
        ]
        return [decision, *allowed]
