"""The version in pyproject.toml, the changelog's headings and docs/RELEASING.md agree (#17)."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.helpers import ROOT

RELEASED = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$")
PREPARED = re.compile(r"^Version being prepared: \*\*(\d+\.\d+\.\d+)\*\*$", re.MULTILINE)


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def disagreements(version: str, releasing: str, changelog: str) -> list[str]:
    """What is out of step between the three; empty when they agree."""
    found: list[str] = []
    prepared = PREPARED.findall(releasing)
    if prepared != [version]:
        found.append(f"docs/RELEASING.md prepares {prepared}, pyproject.toml says {version}")
    headings = [line for line in changelog.splitlines() if line.startswith("## ")]
    if headings[:1] != ["## Unreleased"]:
        found.append(f"the changelog's first heading is {headings[:1]}, not '## Unreleased'")
    released = []
    for heading in headings[1:]:
        match = RELEASED.match(heading)
        if match is None:
            found.append(f"changelog heading {heading!r} is not '## [X.Y.Z] - YYYY-MM-DD'")
        else:
            released.append(match.group(1))
    if released != sorted(released, key=_key, reverse=True) or len(set(released)) < len(released):
        found.append(f"changelog versions are not newest first, once each: {released}")
    if released and _key(version) < _key(released[0]):
        found.append(f"pyproject.toml's {version} is older than the released {released[0]}")
    return found


def test_the_repository_agrees() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    releasing = (ROOT / "docs" / "RELEASING.md").read_text(encoding="utf-8")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert disagreements(version, releasing, changelog) == []


GOOD_RELEASING = "x\nVersion being prepared: **0.2.0**\n"
GOOD_CHANGELOG = "# C\n## Unreleased\n- x\n## [0.2.0] - 2026-12-01\n## [0.1.0] - 2026-01-01\n"


@pytest.mark.parametrize(
    ("version", "releasing", "changelog", "complaints"),
    [
        pytest.param("0.2.0", GOOD_RELEASING, GOOD_CHANGELOG, [], id="agree"),
        pytest.param("0.3.0", GOOD_RELEASING, GOOD_CHANGELOG, ["RELEASING"], id="checklist-stale"),
        pytest.param(
            "0.1.0", GOOD_RELEASING.replace("0.2.0", "0.1.0"), GOOD_CHANGELOG, ["older"], id="older"
        ),
        pytest.param(
            "0.2.0",
            GOOD_RELEASING,
            GOOD_CHANGELOG.replace("## Unreleased\n", ""),
            ["first"],
            id="no-unreleased",
        ),
        pytest.param(
            "0.2.0",
            GOOD_RELEASING,
            GOOD_CHANGELOG.replace("[0.1.0] - 2026-01-01", "0.1.0"),
            ["is not"],
            id="heading-format",
        ),
        pytest.param(
            "0.2.0",
            GOOD_RELEASING,
            GOOD_CHANGELOG.replace("[0.1.0]", "[0.9.0]"),
            ["newest first"],
            id="order",
        ),
    ],
)
def test_disagreements_are_named(
    version: str, releasing: str, changelog: str, complaints: list[str]
) -> None:
    found = disagreements(version, releasing, changelog)
    assert len(found) == len(complaints), found
    assert all(c in f for c, f in zip(complaints, found, strict=True)), found
