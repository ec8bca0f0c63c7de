"""The framework wheel's geometry (`web.views.diagrams.wheel`): labels that fit, keys for phones.

Whether the text really fits its arc is measured in Chromium (tests/e2e/test_views_sweep.py);
these tests pin the layout rules that make it fit.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.describe import concepts
from lhs_kg.describe.concepts import Element, Ring
from web.views.diagrams import RingShape, wheel
from web.views.reading import get_reader


@pytest.fixture(scope="module")
def shapes(app: Flask) -> list[RingShape]:
    """The wheel of the repository's framework."""
    with app.test_request_context("/"):
        return wheel(concepts.wheel(get_reader()))


def segment_ids(app: Flask) -> list[str]:
    with app.test_request_context("/"):
        return [e.label for r in concepts.wheel(get_reader()) for e in r.elements]


def test_the_wheel_has_all_28_parts(shapes: list[RingShape]) -> None:
    assert [len(r.segments) for r in shapes] == [7, 7, 7, 3]


def test_every_label_is_written_whole(shapes: list[RingShape]) -> None:
    cut = [
        s.label
        for ring in shapes
        for s in ring.segments
        if " ".join(line.text for line in s.lines) != s.label
    ]
    assert cut == []


def test_keys_are_unique_and_short(shapes: list[RingShape]) -> None:
    keys = [s.key for ring in shapes for s in ring.segments]
    assert len(set(keys)) == len(keys)
    assert all(1 <= len(k) <= 3 for k in keys)
    assert keys[:2] == ["R1", "R2"] and "C4" in keys and "P2D" in keys


@pytest.mark.parametrize(
    ("position", "sweep"),
    [pytest.param(0, "1", id="top-runs-clockwise"), pytest.param(3, "0", id="bottom-runs-back")],
)
def test_labels_below_the_centre_run_backwards_to_stay_upright(position: int, sweep: str) -> None:
    ring = Ring("urn:r", "Ring", [Element(f"urn:e{k}", f"Part {k}", "", k) for k in range(7)])
    segment = wheel([ring])[0].segments[position]
    arc = re.fullmatch(r"M\S+ \S+ A\S+ \S+ 0 [01] ([01]) \S+ \S+", segment.lines[0].path)
    assert arc is not None and arc.group(1) == sweep


def test_a_too_long_label_is_shortened_but_named_in_full(client: FlaskClient) -> None:
    long = " ".join(["Interoperability"] * 12)
    ring = Ring("urn:r", "Ring", [Element("urn:e", long, "", 0)] * 7)
    lines = wheel([ring])[0].segments[0].lines
    assert len(lines) == 3 and lines[-1].text.endswith("…")
    html = client.get("/").data.decode()
    # the accessible name of each segment is its ring and full label, whatever the sector shows
    assert 'aria-label="R5, Rationale: Optimise the use of existing knowledge in decisions"' in html


def test_home_lists_every_key_with_its_label(client: FlaskClient, app: Flask) -> None:
    html = client.get("/").data.decode()
    keys = html[html.index('<div class="wheel-keys">') :]
    keys = keys[: keys.index("</div>")]
    for label in segment_ids(app):
        assert f">{label}</a></li>" in keys
