"""Plain-language pages in real Chromium (#15): the pathway walked with previous/next links, a
named query asked by choosing a case study from a list (with and without JavaScript), and axe-core
on the new pages at desktop and phone width (no serious or critical violation, no sideways
scroll). Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ARTIFACTS, LiveServer, axe_violations

WIDTHS = {"desktop": 1280, "phone": 390}
PAGES = (
    "/pathway",
    "/pathway/why",
    "/pathway/complexity",
    "/pathway/building-blocks",
    "/queries",
    "/queries/complexity-profiles?caseStudy=swedeheart",
    "/queries/sources-for-concept",
)


def test_walk_the_pathway_from_home(page: Any) -> None:
    page.goto("/")
    page.get_by_role("link", name="Start the pathway").click()
    page.get_by_role("link", name=re.compile("^Why:")).first.click()
    assert page.url.endswith("/pathway/why")
    titles = [page.locator("h1").inner_text()]
    while page.locator('a[rel="next"]').count():
        page.locator('a[rel="next"]').click()
        titles.append(page.locator("h1").inner_text())
    assert [t.split(":")[0] for t in titles] == [
        "Why",
        "Complexity",
        "Strategy and structures",
        "Building blocks",
    ]
    assert page.js_errors == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_ask_a_question_by_choosing_a_case_study(
    browser: Any, e2e_server: LiveServer, javascript: bool
) -> None:
    context = browser.new_context(base_url=e2e_server.url, java_script_enabled=javascript)
    page = context.new_page()
    page.goto("/queries/complexity-profiles")
    page.get_by_label("Case study").select_option(label="SWEDEHEART")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url(re.compile(r"caseStudy=swedeheart"))
    headings = page.locator("table.results thead th").all_inner_texts()
    assert headings[:2] == ["Case study", "Complex domains"]
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 1 and rows.first.locator("a").inner_text() == "SWEDEHEART"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"e2e-plain-query-{'js' if javascript else 'nojs'}.png"))
    context.close()


@pytest.mark.parametrize("width", WIDTHS.keys())
@pytest.mark.parametrize("path", PAGES)
def test_new_pages_pass_axe_and_fit(
    browser: Any, e2e_server: LiveServer, axe_script: Path, path: str, width: str
) -> None:
    context = browser.new_context(
        base_url=e2e_server.url,
        bypass_csp=True,
        viewport={"width": WIDTHS[width], "height": 900},
    )
    page = context.new_page()
    page.goto(path)
    bad = axe_violations(page, axe_script)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{path}-{width}").strip("_")
    page.screenshot(path=str(ARTIFACTS / f"e2e-plain-{name}.png"), full_page=True)
    context.close()
    assert bad == [], "\n".join(bad)
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {WIDTHS[width]}px"
