"""Reading the contribution registry: versions, their decisions, status tokens, curated graphs.

Also the small helpers every write shares: the write lock, version references, timestamps.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.contributions.model import (
    Decision,
    NotFoundError,
    Version,
)
from lhs_kg.errors import InputError
from lhs_kg.graphs import contribution_graph, graph_prefix, registry_graph, state_iri
from lhs_kg.kb import KnowledgeBase

_WRITE_LOCK = threading.Lock()

_REF = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]{0,99})/v([0-9]{1,6})$")
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"

_VERSION_QUERY = sparql.text("contributions/versions")
_SUBJECTS_QUERY = sparql.text("contributions/subjects")
#: Decisions on every version, on one version (?v bound), or on one case study's (?subject bound).
_DECISIONS_ALL = sparql.text("contributions/decisions")
_DECISIONS_OF_SUBJECT = sparql.text("contributions/decisions-about")
_TOKEN_QUERY = sparql.text("contributions/version-of-token")
_CURATED_QUERY = sparql.text("contributions/curated-graph")


def now_literal() -> ox.Literal:
    """The current time as an xsd:dateTime literal (UTC, milliseconds)."""
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return ox.Literal(stamp, datatype=ox.NamedNode(XSD_DATETIME))


def sha256_hex(data: bytes | str) -> str:
    """The SHA-256 of some bytes (text is encoded as UTF-8), in hex."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def parse_ref(ref: str) -> tuple[str, int]:
    """``<id>/v<n>`` (or a version graph IRI) split into the id and the version number."""
    text = ref.strip().rsplit("graph/contribution/", 1)[-1]
    match = _REF.match(text)
    if not match:
        raise InputError(f"{ref[:120]!r} is not a contribution version such as 'my-case/v1'")
    return match.group(1), int(match.group(2))


class RegistryReader:
    """Reads of the registry graph, shared by submitting and reviewing."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.settings = kb.settings
        self.registry = registry_graph(self.settings)
        self.base = self.settings.base_iri

    # -- reading the registry --------------------------------------------------------------

    def _registry_rows(self, text: str, bindings: dict[str, Any] | None = None) -> list[Any]:
        return self.kb.store.query(
            text, bindings=bindings or None, union=False, default_graphs=[self.registry]
        ).rows()

    def versions(
        self, *, states: Iterable[str] | None = None, subject: str | None = None
    ) -> list[Version]:
        """Versions in submission order, optionally only some states or one case study."""
        bindings: dict[str, Any] = {}
        if subject is not None:
            bindings["subject"] = ox.NamedNode(subject)
        rows = self._registry_rows(_VERSION_QUERY, bindings)
        wanted = {state_iri(self.settings, s) for s in states} if states is not None else None
        found = [
            self._version(row) for row in rows if wanted is None or row["state"].value in wanted
        ]
        self._attach_decisions(found, subject)
        return found

    def subjects(self) -> frozenset[str]:
        """The case studies that have at least one contribution version, in any state.

        One small read of the registry; a page about any other case study can skip asking for
        its versions.
        """
        rows = self._registry_rows(_SUBJECTS_QUERY)
        return frozenset(row["subject"].value for row in rows)

    def _version(self, row: dict[str, Any]) -> Version:
        def text(name: str) -> str:
            term = row.get(name)
            return term.value if term is not None else ""

        report: dict[str, Any] = {}
        if text("report"):
            try:
                report = json.loads(text("report"))
            except ValueError:
                report = {}
        return Version(
            graph=text("v"),
            contribution_id=text("c").rsplit("/", 1)[-1],
            number=int(text("n") or 0),
            subject=text("subject"),
            title=text("title"),
            state=text("state").rsplit("/", 1)[-1],
            submitted=text("time"),
            contributor_name=text("name"),
            contributor_email=text("email").removeprefix("mailto:"),
            contributor_orcid=text("orcid"),
            channel=text("channel"),
            licence=text("licence"),
            media_type=text("format"),
            sha256=text("sha"),
            revision_of=text("rev"),
            report=report,
        )

    def _attach_decisions(self, versions: Sequence[Version], subject: str | None = None) -> None:
        """Decisions of ``versions``, read for one version or one case study when possible."""
        if not versions:
            return
        by_graph = {v.graph: v for v in versions}
        text, bindings = _DECISIONS_ALL, None
        if len(versions) == 1:
            text, bindings = _DECISIONS_ALL, {"v": ox.NamedNode(versions[0].graph)}
        elif subject is not None:
            text, bindings = _DECISIONS_OF_SUBJECT, {"subject": ox.NamedNode(subject)}
        for row in self._registry_rows(text, bindings):
            version = by_graph.get(row["v"].value)
            if version is None:
                continue
            version.decisions.append(
                Decision(
                    action=row["action"].value,
                    state=row["state"].value.rsplit("/", 1)[-1],
                    by=row["by"].value if "by" in row else "",
                    at=row["time"].value,
                    comment=row["comment"].value if "comment" in row else "",
                )
            )

    def get(self, ref: str) -> Version:
        """One version by ``<id>/v<n>`` or its graph IRI; :class:`NotFoundError` if unknown."""
        contribution_id, number = parse_ref(ref)
        graph = contribution_graph(self.settings, contribution_id, number)
        rows = self._registry_rows(_VERSION_QUERY, {"v": ox.NamedNode(graph)})
        if not rows:
            raise NotFoundError(f"no contribution version {contribution_id}/v{number}")
        version = self._version(rows[0])
        self._attach_decisions([version])
        return version

    def by_token(self, token: str) -> Version:
        """The version a status token belongs to (only the token's hash is stored)."""
        if not token or len(token) > 200:
            raise NotFoundError("no contribution has this status address")
        hashed = ox.Literal(sha256_hex(token))
        rows = self._registry_rows(_TOKEN_QUERY, {"hash": hashed})
        if not rows:
            raise NotFoundError("no contribution has this status address")
        return self.get(rows[0]["v"].value)

    def content(self, graph: str) -> list[ox.Triple]:
        """The triples of one version graph (or of a curated content graph)."""
        return self.kb.store.query(
            sparql.text("contributions/graph-triples"), union=False, default_graphs=[graph]
        ).triples()

    def curated_graph(self, subject: str) -> str | None:
        """The content graph (a file of data/) that describes a case study, if any."""
        rows = self.kb.store.query(
            _CURATED_QUERY,
            bindings={
                "subject": ox.NamedNode(subject),
                "prefix": ox.Literal(graph_prefix(self.settings) + "data/"),
            },
            union=False,
        ).rows()
        return rows[0]["g"].value if rows else None
