"""A case-study page shows each claim's own verification and evidence next to it (#14).

Next to every rating and outcome: verified or unconfirmed, the basis, the sources and the place in
them; a domain without evidence is "not rated", never a level; earlier assessments are listed as
history under the current profile.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.helpers import build_app


def section(html: str, heading_id: str) -> str:
    """The HTML of the page section whose heading has ``heading_id``."""
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def row_of(table_html: str, text: str) -> str:
    """The table row containing ``text``."""
    body = table_html.split("<tbody>", 1)[1]
    return next(row for row in body.split("<tr>") if text in row)


def test_regression_healthtracker_domain_6_said_the_opposite_of_lhp(client: FlaskClient) -> None:
    """Named after the bug: the justification cited 'later alignment with reimbursement'; LHP's
    wider-context page says embedding through reimbursement failed."""
    html = client.get("/case-study/healthtracker").get_data(as_text=True)
    row = row_of(section(html, "h-nasss"), "Wider system")
    assert "reimbursement failed" in row
    assert "LHP notes that later alignment with reimbursement mattered" not in html
    assert "Verified" in row and "LHP 2021: Wider Context" in row
    assert "paragraph on HealthTracker" in row
    assert "Curators&#39; translation of the source&#39;s NASSS narrative" in row


@pytest.mark.parametrize(
    ("slug", "claim", "status"),
    [
        ("nyu-rapid-cycle-rct", "Technology", "Unconfirmed"),
        ("nyu-rapid-cycle-rct", "Randomised projects run", "Verified"),
        ("swedish-rheumatology-registry", "Waiting times", "Unconfirmed"),
        ("swedeheart", "Thrombus aspiration during and after TASTE", "Verified"),
    ],
)
def test_each_claim_shows_its_own_status(
    client: FlaskClient, slug: str, claim: str, status: str
) -> None:
    html = client.get(f"/case-study/{slug}").get_data(as_text=True)
    table = section(html, "h-nasss") if "Technology" in claim else section(html, "h-outcomes")
    assert status in row_of(table, claim)


def test_nyu_outcome_shows_the_corrected_figure(client: FlaskClient) -> None:
    """Regression (#14): 'More than 20' projects contradicted the cited sources (10 in a year)."""
    html = client.get("/case-study/nyu-rapid-cycle-rct").get_data(as_text=True)
    row = row_of(section(html, "h-outcomes"), "Randomised projects run")
    assert not re.search(r"<td[^>]*>More than 20</td>", html)
    assert re.search(r'<td data-label="After">10</td>', row), row


def test_a_case_study_without_evidence_has_no_level(client: FlaskClient) -> None:
    html = client.get("/case-study/billings-clinic").get_data(as_text=True)
    nasss = section(html, "h-nasss")
    assert "No NASSS domain is rated" in nasss
    assert "level-complicated" not in nasss and "level-complex" not in nasss


HISTORY = b"""
@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix c: <https://w3id.org/lhs-kg/concept/> .
<https://w3id.org/lhs-kg/case-study/twice> a lhs:CaseStudy ;
    dcterms:title "Assessed twice"@en ;
    lhs:hasAssessment <https://w3id.org/lhs-kg/case-study/twice/assessment/2024> .
<https://w3id.org/lhs-kg/case-study/twice/assessment/2024> a lhs:ComplexityAssessment ;
    dcterms:date "2024-03-01"^^xsd:date ;
    lhs:previousAssessment <https://w3id.org/lhs-kg/case-study/twice/assessment/2021> ;
    lhs:hasRating <https://w3id.org/lhs-kg/case-study/twice/rating/2024-7> .
<https://w3id.org/lhs-kg/case-study/twice/rating/2024-7> a lhs:DomainRating ;
    lhs:ratesDomain <https://w3id.org/lhs-kg/concept/nasss/7> ;
    lhs:level <https://w3id.org/lhs-kg/concept/complexity-level/complex> .
<https://w3id.org/lhs-kg/case-study/twice/assessment/2021> a lhs:ComplexityAssessment ;
    dcterms:date "2021-03-01"^^xsd:date ;
    lhs:hasRating <https://w3id.org/lhs-kg/case-study/twice/rating/2021-7> .
<https://w3id.org/lhs-kg/case-study/twice/rating/2021-7> a lhs:DomainRating ;
    lhs:ratesDomain <https://w3id.org/lhs-kg/concept/nasss/7> ;
    lhs:level <https://w3id.org/lhs-kg/concept/complexity-level/simple> .
"""


def test_earlier_assessments_are_history_and_the_latest_is_the_profile() -> None:
    app = build_app()
    kb = app.extensions["lhs_kg"]
    kb.load_bytes(HISTORY, "ttl", graph="https://w3id.org/lhs-kg/graph/data/twice")
    html = app.test_client().get("/case-study/twice").get_data(as_text=True)
    nasss = section(html, "h-nasss")
    levels = nasss.split("Assessments over time", 1)[0]
    assert "level-complex" in levels and "level-simple" not in levels  # the current profile
    history = nasss.split("Assessments over time", 1)[1]
    assert history.index("2024-03-01 (current)") < history.index("2021-03-01")
    assert "Simple" in row_of(history, "2021-03-01")
