"""``lhs-kg fields``: the fields table from the shapes, one kind or all; unknown kinds exit 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lhs_kg.cli import main


@pytest.mark.parametrize(
    ("args", "heading"),
    [
        pytest.param([], "### case study (`CaseStudy`)", id="all-case-study-first"),
        pytest.param(["--kind", "Source"], "### source (`Source`)", id="one-kind"),
    ],
)
def test_fields_prints_the_table(args: list[str], heading: str) -> None:
    result = CliRunner().invoke(main, ["--store", "memory", "fields", *args])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == heading
    assert "| key | property | value |" in result.output


def test_fields_shows_what_a_face_leaves_out() -> None:
    result = CliRunner().invoke(main, ["--store", "memory", "fields", "--kind", "Contribution"])
    licence = next(line for line in result.output.splitlines() if line.startswith("| `licence`"))
    assert licence.rstrip(" |").endswith("csv")


def test_an_unknown_kind_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["--store", "memory", "fields", "--kind", "Casestudy"])
    assert result.exit_code == 2
    assert "known: CaseStudy" in result.output
