"""Issue #11's "done when", through the real entry point: ``lhs-kg serve`` as ``make run`` starts
it (no secret key given: the generated one), a curator created with the documented command, a
contributor in Chromium sending a case study from a country not used so far with two new
organisations, two outcomes and a new journal article with authors; the curator signs in, sees
the report and the diff, accepts; then the case study, its source and its organisations are on
their pages, in search, in the named queries, on ``/nasss`` and in the export, and
``lhs-kg check`` passes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live.server import LiveServer, start_server

SLUG = "maple-sepsis-network"
TITLE = "Maple learning network for sepsis recognition"
SOURCE_TITLE = "Recognising sepsis earlier across a provincial learning network"
ORGS = ("Maple Health Collaborative", "Prairie Quality Institute")
CURATOR, PASSWORD = "curator", "a long curator password 42"


@pytest.fixture(scope="module")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``lhs-kg serve`` over a freshly built store, as ``make run`` starts it (no secret key)."""
    server = start_server(tmp_path_factory.mktemp("scenario"), {"LHS_KG_WEB_SECRET_KEY": None})
    yield server
    if server.process.poll() is None:  # the scenario stops it itself to run the CLI checks
        crash = server.stop()
        assert crash is None, crash


def fill_contribution(page: Any) -> None:
    """Everything issue #11 asks for, typed as a contributor would."""
    page.fill("#f-id", SLUG)
    page.fill("#f-title", TITLE)
    page.fill("#f-description", "Twelve hospitals share sepsis screening data and test changes.")
    page.fill("#f-country-0", "Canada")
    page.fill("#f-organisation-0-name", ORGS[0])
    page.fill("#f-organisation-0-id", "maple-health-collaborative")
    page.fill("#f-organisation-0-country", "CAN")
    page.click("button[name=add][value=organisation]")
    page.fill("#f-organisation-1-id", "prairie-quality-institute")
    page.fill("#f-organisation-1-name", ORGS[1])
    page.fill("#f-organisation-1-country", "Canada")
    page.select_option("#f-scale", "regional")
    page.fill("#f-startYear", "2018")
    page.check("input[name='loopStages'][value='P2D']")
    page.check("input[name='loopStages'][value='K2P']")
    page.fill("#f-outcomes-0-metric", "Time to antibiotics in sepsis")
    page.fill("#f-outcomes-0-after", "down by 40 minutes")
    page.click("button[name=add][value=outcomes]")
    page.fill("#f-outcomes-1-metric", "Sepsis mortality")
    page.fill("#f-outcomes-1-after", "down by a tenth")
    page.select_option("#f-assessment-basis", "curator-reading")
    page.fill("#f-assessment-date", "2024-05-01")  # a rating carries its date (#14, check)
    for index in range(7):
        page.select_option(f"#f-assessment-ratings-{index}-level", "complicated")
        page.fill(f"#f-assessment-ratings-{index}-justification", f"Reading {index + 1}.")
    page.select_option("#f-sources-0-type", "AcademicArticle")
    page.fill("#f-sources-0-id", "maple-sepsis-2021")
    page.fill("#f-sources-0-title", SOURCE_TITLE)
    page.fill("#f-sources-0-year", "2021")
    page.fill("#f-sources-0-authors-0-name", "Tremblay M")
    page.click("button[name=add][value='sources-0-authors']")
    page.fill("#f-sources-0-authors-1-name", "Singh R")
    page.fill("#f-sources-0-partOf", "Learning Health Systems")
    page.fill("#f-sources-0-doi", "10.1002/lrh2.19999")
    page.fill("#f-contributor-name", "Contributor Person")
    page.fill("#f-contributor-email", "contributor@example.org")
    page.check("#f-licence")


def test_a_first_contribution_from_make_run_to_every_face(
    browser: Any, real_server: LiveServer
) -> None:
    server = real_server
    made = server.cli("review", "add-reviewer", CURATOR, "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr

    # canada is not used by any curated case study yet
    before = server.get("/api/queries/case-studies-by-country", params={"country": "CA"})
    assert before.status_code == 200 and SLUG not in before.text

    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    page.goto("/contribute")
    assert page.locator("#f-title").count() == 1  # the form is on, with the generated key
    fill_contribution(page)
    page.click(".contribute-form button.send")
    page.wait_for_url("**/contributions/**")
    assert "pending" in page.inner_text(".status-state")
    status_url = page.url
    assert server.get(f"/case-study/{SLUG}").status_code == 404  # not public before review

    page.goto("/review/login")
    page.fill("#r-user", CURATOR)
    page.fill("#r-pass", PASSWORD)
    page.click(".review-login button[type=submit]")
    page.wait_for_url("**/review")
    page.click(f"text={SLUG}/v1")
    assert "0 violations" in page.inner_text("body")  # the validation report
    assert page.locator("table.contribution-diff .diff-added").count() > 20  # the diff
    page.click("button[value=accept]")
    assert "published" in page.inner_text(".status-state")
    page.goto(status_url)
    assert "published" in page.inner_text(".status-state")
    context.close()

    def seen(path: str, *texts: str, **params: str) -> None:
        answer = server.get(path, params=params or None)
        assert answer.status_code == 200, (path, answer.status_code)
        for text in texts:
            assert text in answer.text, (path, text)

    seen(f"/case-study/{SLUG}", TITLE, SOURCE_TITLE, ORGS[0], ORGS[1], "Canada")
    seen("/source/maple-sepsis-2021", SOURCE_TITLE, "Tremblay M", "Singh R")
    seen("/organisation/maple-health-collaborative", ORGS[0])
    seen("/organisation/prairie-quality-institute", ORGS[1])
    listed = [server.get("/source/", params={"page": str(n)}).text for n in range(1, 6)]
    assert any(SOURCE_TITLE in page_text for page_text in listed)  # the list of sources, by label
    seen("/search", TITLE, q="sepsis recognition")
    seen("/search", SOURCE_TITLE, q="provincial learning network")
    seen("/nasss", TITLE)
    for name, text in (
        ("case-studies", TITLE),
        ("sources", SOURCE_TITLE),
        ("organisations", ORGS[1]),
        ("complexity-profiles", TITLE),
        ("loop-coverage", ""),
        ("citations-of-source", TITLE),
    ):
        seen(f"/api/queries/{name}", text)
    seen("/api/queries/case-studies-by-country", TITLE, country="CA")
    seen("/export", TITLE, SOURCE_TITLE, ORGS[0], format="ttl")

    crash = server.stop()
    assert crash is None, crash
    checked = server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    exported = server.cli("export", "-f", "jsonld")
    assert exported.returncode == 0, exported.stderr
    assert SOURCE_TITLE in json.dumps(json.loads(exported.stdout))


def test_the_generated_key_is_private_and_kept(real_server: LiveServer) -> None:
    key = Path(real_server.env["LHS_KG_VAR_DIR"]) / "instance" / "secret_key"
    assert key.exists()
    assert key.stat().st_mode & 0o777 == 0o600
