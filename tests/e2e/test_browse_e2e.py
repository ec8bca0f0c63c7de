"""End-to-end: a person follows the wheel, searches with autocomplete, reads the NASSS views.

Runs in real headless Chromium; the accessibility scan uses axe-core from npm
(``node_modules/axe-core``) and fails on serious or critical violations.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import axe_violations

pytestmark = pytest.mark.browser


def test_wheel_to_concept_to_case_study(page: Any) -> None:
    page.goto("/")
    assert page.locator("svg.wheel a").count() >= 4 + 7 + 7 + 7 + 3
    page.locator('svg.wheel a[href="/concept/nasss/4"]').click()
    page.wait_for_url("**/concept/nasss/4")
    assert page.locator("h1").inner_text().startswith("Adopter system")
    page.locator("section.concept-cases a").first.click()
    page.wait_for_url(re.compile(r".*/case-study/[^/]+$"))
    assert page.locator("svg.radar").count() == 1
    assert page.locator("svg.loop-diagram").count() == 1
    assert page.js_errors == []


def test_search_with_autocomplete(page: Any) -> None:
    page.goto("/")
    box = page.locator("#site-search")
    box.click()
    box.type("cultu", delay=30)
    option = page.locator("#site-search-suggestions [role=option]").first
    option.wait_for(state="visible", timeout=5000)
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "suggestion-0"
    box.press("Enter")
    page.wait_for_url("**/concept/strategy/culture")
    assert page.locator("h1").inner_text().startswith("Culture")


def test_autocomplete_escape_closes(page: Any) -> None:
    page.goto("/")
    box = page.locator("#site-search")
    box.type("nass", delay=30)
    page.locator("#site-search-suggestions [role=option]").first.wait_for(state="visible")
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    box.press("Enter")
    page.wait_for_url("**/search?q=nass")
    assert page.locator("ol.results li").count() > 0


def test_heatmap_and_radar_render(page: Any) -> None:
    page.goto("/nasss")
    cells = page.locator("table.heatmap td.heat")
    assert cells.count() >= 7
    assert page.locator("td.heat-complex").first.is_visible()
    page.locator('a[href="/nasss?sort=complex"]').click()
    page.wait_for_url("**/nasss?sort=complex")
    page.goto("/case-study/xss-fixture")
    radar = page.locator("svg.radar")
    box = radar.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    # two rated domains: two level points, no area, five domains marked unrated (not zero)
    assert page.locator("svg.radar circle.radar-point").count() == 2
    assert page.locator("svg.radar circle.radar-unrated").count() == 5
    assert page.locator("svg.radar polygon.radar-area").count() == 0
    assert page.locator("svg.loop-diagram circle.loop-on").count() == 2


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/concept/nasss/1A",
        "/case-study/xss-fixture",
        "/source/foley-vale-2022",
        "/nasss",
        "/gaps",
        "/search?q=learning",
        "/search?q=sepsys",
        "/contribute?assessment-ratings-1-domain=2&assessment-ratings-1-subdomain=2A",
        "/tool/",
        "/tool/learning-network-maturity-grid",
        "/concept/strategy/co-design",
        "/import-sources",
    ],
)
def test_accessibility(page: Any, axe_script: Path, path: str) -> None:
    page.goto(path)
    bad = axe_violations(page, axe_script)
    assert bad == [], "\n".join(bad)


def test_readable_without_javascript(browser: Any, e2e_server: Any) -> None:
    context = browser.new_context(base_url=e2e_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/search?q=culture")
    assert page.locator('ol.results a[href="/concept/strategy/culture"]').count() == 1
    page.goto("/nasss?sort=domain-3")
    assert "domain 3" in page.locator("table.heatmap caption").inner_text()
    context.close()
