"""Regression (#6): the case-study page skips the registry for case studies nobody contributed to.

Which case studies have contribution versions is kept with the page's shared read models; a new
contribution makes a new store generation, so the list is read again and the page of a case study
published through the workflow shows its versions and claims from the first view.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import build_app
from tests.web.test_review import app, csrf, sign_in, submit  # noqa: F401  (the app fixture)

PAGE = "/case-study/example-diabetes-network"


def test_a_published_contribution_shows_its_versions_after_other_pages_were_seen(
    app: Flask,  # noqa: F811
    client: FlaskClient,
) -> None:
    before = client.get("/case-study/improvecarenow").get_data(as_text=True)
    assert "no contributed revisions have been published yet" in before
    ref = submit(client)
    assert sign_in(client) == 303
    detail = client.get(f"/review/{ref}")
    answer = client.post(f"/review/{ref}/accept", data={"csrf_token": csrf(detail.data)})
    assert answer.status_code == 303
    html = client.get(PAGE).get_data(as_text=True)
    assert "version 1" in html
    assert "published" in html.split('id="h-history"', 1)[1].split("</section>", 1)[0]
    assert "Where each statement comes from" in html


BLANK_ASSESSOR = b"""
@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/lhs-kg/case-study/blank-parts> a lhs:CaseStudy ;
    dcterms:title "Blank parts"@en ;
    dcterms:contributor [ foaf:name "Casey Contributor" ] ;
    lhs:hasAssessment <https://w3id.org/lhs-kg/case-study/blank-parts/assessment> .
<https://w3id.org/lhs-kg/case-study/blank-parts/assessment> a lhs:ComplexityAssessment ;
    prov:wasAttributedTo [ foaf:name "Ann Assessor" ] ;
    lhs:hasRating <https://w3id.org/lhs-kg/case-study/blank-parts/rating/1> .
<https://w3id.org/lhs-kg/case-study/blank-parts/rating/1> a lhs:DomainRating ;
    lhs:ratesDomain <https://w3id.org/lhs-kg/concept/nasss/1> ;
    lhs:level <https://w3id.org/lhs-kg/concept/complexity-level/complex> .
"""


def test_blank_node_assessors_and_contributors_are_named() -> None:
    blank_app = build_app()
    kb = blank_app.extensions["lhs_kg"]
    kb.load_bytes(BLANK_ASSESSOR, "ttl", graph="https://w3id.org/lhs-kg/graph/data/blank")
    html = blank_app.test_client().get("/case-study/blank-parts").get_data(as_text=True)
    assert "Assessed by Ann Assessor" in html
    assert "Casey Contributor" in html.split('id="h-sources"', 1)[1].split("</section>", 1)[0]
    assert "level-complex" in html
