"""One version as a plain record (JSON-ready) and as the lines ``lhs-kg review show`` prints.

The record is what the review API answers, so the command line prints the same text whether it
reads the store itself or asks the running server.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from lhs_kg.contributions.engine import Contributions
from lhs_kg.contributions.history import current_published, diff
from lhs_kg.contributions.model import Version


def summary(v: Version) -> dict[str, Any]:
    """The queue's view of a version (one line of ``review list``)."""
    return {
        "ref": v.ref,
        "state": v.state,
        "title": v.title,
        "case_study": v.subject,
        "submitted": v.submitted,
        "contributor": v.contributor_name,
    }


def version_record(flow: Contributions, v: Version, **diff_options: Any) -> dict[str, Any]:
    """Everything a reviewer reads about a version: record, decisions, report, diff.

    ``diff_options`` go to :func:`~lhs_kg.contributions.history.diff` (e.g. a known ``scope``).
    """
    base = current_published(flow, v.subject)
    changes = diff(flow, base if base != v.graph else None, v.graph, **diff_options)
    return {
        **summary(v),
        "contributor_email": v.contributor_email,
        "contributor_orcid": v.contributor_orcid,
        "channel": v.channel,
        "media_type": v.media_type,
        "licence": v.licence,
        "sha256": v.sha256,
        "revision_of": v.revision_of,
        "decisions": [asdict(d) for d in v.decisions],
        "report": v.report,
        "diff_against": base,
        "changes": [
            {
                "sign": c.sign,
                "subject": c.subject_label,
                "predicate": c.predicate_label,
                "object": c.object_label,
            }
            for c in changes.removed + changes.added
        ],
    }


def record_text(r: dict[str, Any]) -> str:
    """The lines of ``lhs-kg review show`` for a record."""
    lines = [
        f"{r['ref']}: {r['title']}",
        f"  state:       {r['state']}",
        f"  case study:  {r['case_study']}",
        f"  submitted:   {r['submitted']} via {r['channel']} ({r['media_type']})",
        f"  contributor: {r['contributor']} <{r['contributor_email']}> {r['contributor_orcid']}",
        f"  licence:     {r['licence']}",
        f"  sha-256:     {r['sha256']}",
        f"  revises:     {r['revision_of'] or '(new case study)'}",
    ]
    for d in r["decisions"]:
        lines.append(f"  {d['at']} {d['action']} by {d['by']}: {d['comment']}")
    report = r["report"] or {}
    lines.append(
        f"  validation:  {report.get('violations', 0)} violations, "
        f"{report.get('warnings', 0)} warnings"
    )
    for issue in report.get("issues", []):
        lines.append(f"    {issue['severity']} {issue['field']}: {issue['message']}")
    lines.append(f"  diff against {r['diff_against'] or 'nothing published'}:")
    for c in r["changes"]:
        lines.append(f"    {c['sign']} {c['subject']} · {c['predicate']} · {c['object']}")
    return "\n".join(lines)
