"""Home page and NASSS heat map: the diagrams link where they should (/gaps: test_gaps.py)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import BROWSE_FIXTURE, build_app


@pytest.fixture(scope="module")
def app() -> Flask:
    """The repository content plus the fixture case study (2 domains rated)."""
    flask_app = build_app()
    flask_app.extensions["lhs_kg"].load(
        BROWSE_FIXTURE, graph="https://w3id.org/lhs-kg/graph/data/tests/browse-fixture"
    )
    return flask_app


def test_home_is_small_and_links_the_wheel(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert len(response.data) <= 100_000
    html = response.data.decode()
    wheel = html[
        html.index('<svg class="wheel"') : html.index("</svg>", html.index('class="wheel"'))
    ]
    for ring in (
        "rationale",
        "strategic-considerations",
        "complexity",
        "technical-building-blocks",
    ):
        assert f'href="/concept/framework/{ring}"' in wheel
    assert 'href="/concept/nasss/4"' in wheel
    assert 'href="/concept/loop/data-to-knowledge"' in wheel
    for entry in ("/concept/", "/case-study/", "/source/", "/queries", "/contribute"):
        assert f'href="{entry}"' in html


def test_home_has_no_inline_style_or_script(client: FlaskClient) -> None:
    html = client.get("/").data.decode()
    assert " style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None


def test_heatmap_has_seven_domains_with_text_labels(client: FlaskClient) -> None:
    html = client.get("/nasss").data.decode()
    for n in range(1, 8):
        assert f'href="/nasss?sort=domain-{n}"' in html
    row = html[html.index('href="/case-study/xss-fixture"') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r'<td class="heat heat-([a-z]+)"><a [^>]*>([^<]*)</a></td>', row)
    # colour is never the only cue: every cell says its level in words (and a shape)
    assert cells == [
        ("simple", "○ simple"),
        ("none", "not rated"),
        ("none", "not rated"),
        ("complex", "● complex"),
        ("none", "not rated"),
        ("none", "not rated"),
        ("none", "not rated"),
    ]


def test_heatmap_cells_lead_to_the_justification_and_its_source(client: FlaskClient) -> None:
    html = client.get("/nasss").data.decode()
    row = html[html.index('href="/case-study/xss-fixture"') :]
    row = row[: row.index("</tr>")]
    targets = re.findall(r'<td class="heat [^"]+"><a href="([^"]+)"', row)
    assert targets == [f"/case-study/xss-fixture#nasss-{n}" for n in range(1, 8)]
    page = client.get("/case-study/xss-fixture").data.decode()
    for target in targets:
        assert page.count(f'id="{target.split("#")[1]}"') == 1
    rated = page[page.index('id="nasss-1"') :]
    rated = rated[: rated.index("</tr>")]
    # the simple rating's row holds its level, its justification and its evidence
    assert "level-simple" in rated
    assert re.search(r'data-label="Why">[^<]', rated) is not None
    assert re.search(r'data-label="Evidence"><span class="verification ', rated) is not None


@pytest.mark.parametrize(
    ("sort", "caption"),
    [
        pytest.param("complex", "number of complex domains", id="complex"),
        pytest.param("domain-4", "domain 4", id="domain"),
        pytest.param("domain-99", "name", id="unknown-domain-falls-back"),
        pytest.param("nonsense", "name", id="unknown-sort-falls-back"),
    ],
)
def test_heatmap_sorts(client: FlaskClient, sort: str, caption: str) -> None:
    html = client.get(f"/nasss?sort={sort}").data.decode()
    assert f"(sorted by {caption})" in html


def test_heatmap_sort_by_domain_puts_complex_first(client: FlaskClient) -> None:
    html = client.get("/nasss?sort=domain-4").data.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    first_row = body[: body.index("</tr>")]
    assert "heat-complex" in first_row.split("<td")[4]  # cells: row header, domains 1-7
