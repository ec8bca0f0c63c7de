"""The contribution workflow in real headless Chromium: a mistake shown at its field, fixed, sent;
a reviewer signs in and accepts; the case study is then on its page, in search, in the named
queries and on the NASSS dashboard. Forged and unauthenticated decisions are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from tests.helpers import AXE, LiveServer, axe_violations, build_app, missing_tool, serve

TITLE = "Browser-sent learning network for asthma care"
SLUG = "browser-asthma-network"


@pytest.fixture(scope="module")
def contribute_app() -> Flask:
    """A fresh app (it will be written to)."""
    return build_app()


@pytest.fixture(scope="module")
def contribute_server(contribute_app: Flask) -> Iterator[LiveServer]:
    """The fresh app on waitress."""
    running = serve(contribute_app)
    yield running
    running.stop()


@pytest.fixture
def cpage(browser: Any, contribute_server: LiveServer) -> Iterator[Any]:
    """A browser page on the contribution server, JavaScript on."""
    context = browser.new_context(base_url=contribute_server.url)
    page = context.new_page()
    yield page
    context.close()


def fill_form(page: Any, start_year: str) -> None:
    page.fill("#f-id", SLUG)
    page.fill("#f-title", TITLE)
    page.fill("#f-description", "Eight clinics share asthma data monthly and test one change.")
    page.fill("#f-organisation-0-id", "improvecarenow")
    page.fill("#f-country-0", "United Kingdom")
    page.select_option("#f-scale", "regional")
    page.fill("#f-startYear", start_year)
    page.check("input[name='loopStages'][value='P2D']")
    page.check("input[name='loopStages'][value='D2K']")
    page.fill("#f-outcomes-0-metric", "Asthma admissions per 1000 children")
    page.fill("#f-outcomes-0-after", "down by a fifth")
    page.select_option("#f-assessment-basis", "curator-reading")
    for index in range(7):
        page.select_option(f"#f-assessment-ratings-{index}-level", "complex")
        page.fill(f"#f-assessment-ratings-{index}-justification", f"Reason {index + 1}.")
    page.check("input[name='sources'][value='foley-vale-2022']")
    page.fill("#f-contributor-name", "Browser Person")
    page.fill("#f-contributor-email", "browser@example.org")
    page.check("#f-licence")


def test_submit_fix_review_accept_and_find_everywhere(
    cpage: Any, contribute_server: LiveServer
) -> None:
    page = cpage
    page.goto("/contribute")
    fill_form(page, "20x9")
    page.click(".contribute-form button.send")
    error = page.locator("[data-field='startYear'] .field-errors")
    assert "four-digit year" in error.inner_text()
    assert page.locator("#f-startYear").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "f-startYear"  # contribute.js
    assert page.input_value("#f-title") == TITLE  # nothing typed is lost
    page.fill("#f-startYear", "2019")
    page.click(".contribute-form button.send")
    page.wait_for_url("**/contributions/**")
    assert "pending" in page.inner_text(".status-state")
    status_url = page.url

    # unauthenticated and forged decisions
    url = contribute_server.url
    ref = f"{SLUG}/v1"
    assert requests.post(f"{url}/review/{ref}/accept", timeout=10).status_code == 401
    forged = requests.post(
        f"{url}/review/{ref}/accept",
        data={"csrf_token": "forged"},
        timeout=10,
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert forged.status_code == 403
    assert requests.get(f"{url}/case-study/{SLUG}", timeout=10).status_code == 404

    # a reviewer signs in and accepts
    page.goto("/review/login")
    page.fill("#r-user", "dev")
    page.fill("#r-pass", "dev")
    page.click(".review-login button[type=submit]")
    page.wait_for_url("**/review")
    page.click(f"text={ref}")
    assert page.locator("table.contribution-diff .diff-added").count() > 10
    page.click("button[value=accept]")
    assert "published" in page.inner_text(".status-state")

    page.goto(status_url)
    assert "published" in page.inner_text(".status-state")
    page.goto(f"/case-study/{SLUG}")
    assert TITLE in page.content()
    assert page.locator("#h-claims").count() == 1
    page.goto("/search?q=asthma")
    assert TITLE in page.content()
    page.goto("/queries/case-studies")
    assert TITLE in page.content()
    page.goto("/nasss")
    assert TITLE in page.content() or SLUG in page.content()


def test_the_form_works_without_javascript(browser: Any, contribute_server: LiveServer) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(base_url=contribute_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/contribute")
    fill_form(page, "next year")
    page.click("button[name=add][value=outcomes]")  # a round trip: everything kept, one row more
    assert page.input_value("#f-title") == TITLE
    assert page.input_value("#f-outcomes-0-metric") == "Asthma admissions per 1000 children"
    assert page.locator("#f-outcomes-1-label[autofocus]").count() == 1
    # Chromium applies autofocus a moment after the load; on a loaded machine after the check
    expect(page.locator("#f-outcomes-1-label")).to_be_focused(timeout=10_000)
    page.fill("#f-outcomes-1-metric", "School days missed")
    page.click(".contribute-form button.send")
    assert "four-digit year" in page.inner_text("[data-field='startYear'] .field-errors")
    assert page.input_value("#f-outcomes-1-metric") == "School days missed"
    context.close()


@pytest.mark.parametrize("mistake", [False, True], ids=["blank", "with-errors"])
def test_the_contribution_form_is_accessible(
    browser: Any, contribute_server: LiveServer, mistake: bool
) -> None:
    if not AXE.exists():  # fails under make test and CI=true, skips on a bare pytest
        missing_tool("axe-core (npm)", "make axe-core (runs npm ci)")
    # CSP bypassed only so axe-core can be injected
    context = browser.new_context(base_url=contribute_server.url, bypass_csp=True)
    page = context.new_page()
    page.goto("/contribute")
    if mistake:
        fill_form(page, "20x9")
        page.fill("#f-sources-0-authors-0-name", "Smith J")  # a new source without a title
        page.click(".contribute-form button.send")
        assert page.locator(".field-errors").count() >= 2
    bad = axe_violations(page, AXE)
    context.close()
    assert bad == [], "\n".join(bad)


def test_the_repeatable_form_grows_in_the_page_with_javascript(
    cpage: Any, contribute_app: Flask
) -> None:
    """Two organisations, two outcomes, a journal article with two authors, one domain not
    rated: rows added by contribute.js (no round trip), sent, and stored with all of it."""
    from tests.web.test_contribute import stored

    page = cpage
    page.goto("/contribute")
    fill_form(page, "2019")
    page.fill("#f-id", "browser-repeatable-network")
    page.fill("#f-title", "Browser-sent network with two organisations")
    url = page.url
    page.click("button[name=add][value=organisation]")
    assert page.url == url  # no round trip: the row was added in the page
    assert page.evaluate("document.activeElement.id") == "f-organisation-1-id"
    page.fill("#f-organisation-1-name", "Maple Learning Network")
    page.fill("#f-organisation-1-country", "Sweden")
    page.click("button[name=add][value=outcomes]")
    page.fill("#f-outcomes-1-metric", "Days off school per child")
    page.fill("#f-outcomes-1-after", "4")
    page.select_option("#f-sources-0-type", "AcademicArticle")
    page.fill("#f-sources-0-title", "Learning networks for asthma care")
    page.fill("#f-sources-0-authors-0-name", "Smith J")
    page.click("button[name=add][value='sources-0-authors']")
    page.fill("#f-sources-0-authors-1-name", "Doe A")
    page.fill("#f-sources-0-partOf", "Learning Health Systems")
    page.fill("#f-sources-0-doi", "10.1002/lrh2.10999")
    page.select_option("#f-assessment-ratings-5-level", "")
    page.fill("#f-assessment-ratings-5-justification", "")
    page.fill("#f-assessment-coverageNote", "Domain 6 is not in the sources.")
    assert page.locator(".repeat[data-group=organisation] > .repeat-row").count() == 2
    page.click(".contribute-form button.send")
    page.wait_for_url("**/contributions/**")
    where = page.url
    names = stored(contribute_app, where, "SELECT ?n WHERE { ?o foaf:name ?n } ORDER BY ?n")
    assert ("Maple Learning Network",) in names
    authors = stored(
        contribute_app,
        where,
        "SELECT ?a ?b ?j WHERE { ?s bibo:authorList ?l ; dcterms:isPartOf/dcterms:title ?j . "
        "?l rdf:first/foaf:name ?a ; rdf:rest/rdf:first/foaf:name ?b }",
    )
    assert authors == [("Smith J", "Doe A", "Learning Health Systems")]
    metrics = stored(contribute_app, where, "SELECT ?m WHERE { ?o lhs:metric ?m }")
    assert ("Days off school per child",) in metrics
    rated = stored(contribute_app, where, "SELECT ?r WHERE { ?a lhs:hasRating ?r }")
    assert len(rated) == 6
