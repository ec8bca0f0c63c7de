"""The contribution workflow in real headless Chromium: a mistake shown at its field, fixed, sent;
a reviewer signs in and accepts; the case study is then on its page, in search, in the named
queries and on the NASSS dashboard. Forged and unauthenticated decisions are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from tests.web.conftest import LiveServer, build_app, serve

TITLE = "Browser-sent learning network for asthma care"
SLUG = "browser-asthma-network"


@pytest.fixture(scope="module")
def contribute_server() -> Iterator[LiveServer]:
    """A fresh app (it will be written to) on waitress."""
    app: Flask = build_app()
    running = serve(app)
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
    page.select_option("#f-organisation", "improvecarenow")
    page.check("input[name='country'][value='GB']")
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
    page.click(".contribute-form button[type=submit]")
    error = page.locator("[data-field='startYear'] .field-errors")
    assert "four-digit year" in error.inner_text()
    assert page.locator("#f-startYear").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "f-startYear"  # contribute.js
    assert page.input_value("#f-title") == TITLE  # nothing typed is lost
    page.fill("#f-startYear", "2019")
    page.click(".contribute-form button[type=submit]")
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
    context = browser.new_context(base_url=contribute_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/contribute")
    fill_form(page, "next year")
    page.click(".contribute-form button[type=submit]")
    assert "four-digit year" in page.inner_text("[data-field='startYear'] .field-errors")
    context.close()
