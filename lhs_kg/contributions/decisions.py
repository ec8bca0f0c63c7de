"""Review decisions: accept, request changes, reject or withdraw a version, in one update each."""

from __future__ import annotations

import time

import pyoxigraph as ox

from lhs_kg.contributions.model import (
    ACTIONS,
    FOAF,
    PENDING,
    PROV,
    PUBLISHED,
    RDFS,
    SUPERSEDED,
    ContributionError,
    Version,
)
from lhs_kg.contributions.registry import _WRITE_LOCK, RegistryReader, now_literal
from lhs_kg.errors import InputError
from lhs_kg.graphs import state_iri
from lhs_kg.namespaces import LHS


class ReviewDecisions(RegistryReader):
    """Review actions on a version; accepting supersedes the version published before."""

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
            self.kb.store.update(self._decision_update(version, action, target, reviewer, comment))
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

    def _decision_update(
        self, version: Version, action: str, target: str, reviewer: str, comment: str
    ) -> str:
        v = f"<{version.graph}>"
        decision = f"<{version.graph}#decision-{time.time_ns()}>"
        agent = ox.Literal(reviewer.strip()[:200] or "reviewer")
        allowed = ", ".join(f"<{state_iri(self.settings, s)}>" for s in ACTIONS[action][1])
        state = f"<{LHS.reviewState}>"
        insert = [
            f"{v} {state} <{state_iri(self.settings, target)}> .",
            f"{decision} a <{PROV}Activity> ; <{PROV}used> {v} ;"
            f" <{RDFS}label> {ox.Literal(action)} ;"
            f" <{LHS.decidedState}> <{state_iri(self.settings, target)}> ;"
            f" <{PROV}endedAtTime> {now_literal()} ;"
            f" <{PROV}wasAssociatedWith> [ a <{PROV}Agent> ; <{FOAF}name> {agent} ] .",
        ]
        if comment:
            insert.append(f"{decision} <{RDFS}comment> {ox.Literal(comment)} .")
        superseding = ""
        if target == PUBLISHED:
            insert.append(f"?old {state} <{state_iri(self.settings, SUPERSEDED)}> .")
            insert.append(f"?old <{PROV}wasInvalidatedBy> {decision} .")
            insert.append(f"?curated {state} <{state_iri(self.settings, SUPERSEDED)}> .")
            insert.append(f"?curated <{PROV}wasInvalidatedBy> {decision} .")
            published = f"<{state_iri(self.settings, PUBLISHED)}>"
            curated = self.curated_graph(version.subject)
            superseding = (
                f"OPTIONAL {{ ?old <{FOAF}primaryTopic> <{version.subject}> ; {state} ?os . "
                f"FILTER(?os = {published} && ?old != {v}) }}"
            )
            if curated:
                superseding += (
                    f" OPTIONAL {{ BIND(<{curated}> AS ?curated) "
                    f"FILTER NOT EXISTS {{ ?curated {state} ?cs }} }}"
                )
        registry = f"<{self.registry}>"
        return (
            f"DELETE {{ GRAPH {registry} {{ {v} {state} ?s . ?old {state} ?os }} }}\n"
            f"INSERT {{ GRAPH {registry} {{ {' '.join(insert)} }} }}\n"
            f"WHERE {{ GRAPH {registry} {{ {v} {state} ?s . FILTER(?s IN ({allowed})) "
            f"{superseding} }} }}"
        )
