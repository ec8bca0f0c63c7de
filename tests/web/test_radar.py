"""The NASSS radar (`web.views.diagrams.radar`): levels on rings, unrated is not zero, labels whole.

The same function draws a case study's profile and a team's self-assessment (#15).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from tests.helpers import BROWSE_FIXTURE, build_app
from web.views.diagrams import RADAR_LEVELS, radar

DOMAINS = [
    ("urn:d1", "1", "Condition or illness"),
    ("urn:d2", "2", "Technology"),
    ("urn:d3", "3", "Value proposition"),
    ("urn:d4", "4", "Adopter system"),
    ("urn:d5", "5", "Organisation"),
    ("urn:d6", "6", "Wider system"),
    ("urn:d7", "7", "Embedding and adaptation over time"),
]


@pytest.fixture(scope="module")
def app() -> Flask:
    """The repository content plus the fixture case study (domains 1 and 4 rated)."""
    flask_app = build_app()
    flask_app.extensions["lhs_kg"].load(
        BROWSE_FIXTURE, graph="https://w3id.org/lhs-kg/graph/data/tests/browse-fixture"
    )
    return flask_app


@dataclass
class Level:
    """A rating as the self-assessment would hand it over (not the case-study read model)."""

    notation: str
    rank: int
    level_label: str
    level_id: str


def level(notation: str, rank: int) -> Level:
    name = RADAR_LEVELS[rank - 1] if 1 <= rank <= 3 else "odd"
    return Level(notation, rank, name.capitalize(), name)


def distance(x: float, y: float) -> float:
    return math.hypot(x, y)


@pytest.mark.parametrize("rank", [1, 2, 3], ids=RADAR_LEVELS)
def test_a_rated_point_sits_on_its_levels_ring(rank: int) -> None:
    drawn = radar(DOMAINS, [level("2", rank)], radius=90)
    axis = drawn.axes[1]
    assert axis.rated
    assert distance(axis.px, axis.py) == pytest.approx(90 * rank / 3, abs=0.05)
    assert axis.level_id == RADAR_LEVELS[rank - 1]


@pytest.mark.parametrize(
    "ratings",
    [
        pytest.param([], id="nothing-rated"),
        pytest.param([level("1", 0)], id="rank-zero"),
        pytest.param([level("1", 4)], id="rank-beyond-complex"),
        pytest.param([level("99", 3)], id="unknown-domain"),
    ],
)
def test_unrated_domains_are_marked_not_drawn_as_zero(ratings: list[Level]) -> None:
    drawn = radar(DOMAINS, ratings)
    assert drawn.rated == 0
    assert drawn.area == ""
    assert all(not a.rated and a.level == "not rated" for a in drawn.axes)
    assert all(a.lines[-1] == "(not rated)" for a in drawn.axes)


def test_the_area_joins_only_the_rated_domains() -> None:
    ratings = [level("1", 3), level("2", 2), level("4", 1), level("5", 3)]
    drawn = radar(DOMAINS, ratings)
    rated = [a for a in drawn.axes if a.rated]
    assert [a.notation for a in rated] == ["1", "2", "4", "5"]
    assert drawn.area == " ".join(f"{a.px},{a.py}" for a in rated)
    assert "0.0,0.0" not in drawn.area


def test_two_rated_domains_make_no_area_but_keep_their_points() -> None:
    drawn = radar(DOMAINS, [level("1", 3), level("2", 2)])
    assert drawn.area == ""
    assert drawn.rated == 2


def test_each_level_has_a_named_ring() -> None:
    drawn = radar(DOMAINS, [])
    assert [r.level for r in drawn.rings] == list(RADAR_LEVELS)
    assert all(len(r.points.split()) == len(DOMAINS) for r in drawn.rings)


@pytest.mark.parametrize(("uri", "notation", "label"), DOMAINS, ids=[d[1] for d in DOMAINS])
def test_every_domain_label_is_whole(uri: str, notation: str, label: str) -> None:
    axis = next(a for a in radar(DOMAINS, []).axes if a.notation == notation)
    assert " ".join(axis.lines[:-1]) == f"{notation}. {label}"
    assert "…" not in "".join(axis.lines)


def test_case_study_page_shows_legend_and_level_names(client: FlaskClient) -> None:
    html = client.get("/case-study/xss-fixture").data.decode()
    figure = html[html.index('<figure class="radar-figure">') : html.index("</figure>")]
    for name in RADAR_LEVELS:
        assert f'class="radar-level">{name}</text>' in figure
    assert 'class="radar-legend"' in figure
    assert "2 of 7 NASSS domains rated" in figure
    assert figure.count('class="radar-unrated"') == 5


def test_the_data_table_equivalent_lists_every_domain_with_its_level(app: Flask) -> None:
    drawn = radar(DOMAINS, [level("3", 2)])
    with app.test_request_context():
        html = render_template_string(
            '{% from "_macros.html" import radar_chart %}'
            "{{ radar_chart(drawn, 'Our project', id='mine', table=true) }}",
            drawn=drawn,
        )
    table = html[html.index('<table class="radar-table">') :]
    rows = table.count('<tr><th scope="row">')
    assert rows == len(DOMAINS)
    complicated = '<span class="level level-complicated">'
    assert f'<th scope="row">3. Value proposition</th><td>{complicated}' in table
    assert table.count("not rated") == 6
    assert 'aria-labelledby="mine-title mine-desc"' in html
