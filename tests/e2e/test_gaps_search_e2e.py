"""In Chromium, at desktop and phone width: the evidence-gaps page and search results fit the
screen, pass axe-core (no serious or critical violation), and a gap leads to a pre-filled form."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ARTIFACTS, axe_violations

WIDTHS = [pytest.param(1280, id="desktop"), pytest.param(390, id="phone")]
PAGES = [
    pytest.param("/gaps", id="gaps"),
    pytest.param("/search?q=sepsys", id="search-typo"),
    pytest.param("/search?q=greenhalgh", id="search-author"),
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_fits_the_screen_and_passes_axe(page: Any, axe_script: Path, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    bad = axe_violations(page, axe_script)
    assert bad == [], "\n".join(bad)
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"\W+", "-", path).strip("-")
    page.screenshot(path=str(ARTIFACTS / f"findgaps-{name}-{width}.png"), full_page=True)


def test_a_gap_leads_to_a_form_filled_in_for_it(page: Any) -> None:
    page.goto("/gaps")
    page.locator("#gap-nasss-2A a.gap-contribute").click()
    page.wait_for_url(re.compile(r".*/contribute\?.*subdomain=2A"))
    assert page.locator("#f-assessment-ratings-1-subdomain").input_value() == "2A"
    assert page.locator("#f-assessment-ratings-1-domain").input_value() == "2"


def test_search_marks_the_corrected_word(page: Any) -> None:
    page.goto("/search?q=sepsys")
    first = page.locator("ol.results li").first
    assert "case study" in first.locator(".type-badge").inner_text()
    assert first.locator("mark").first.inner_text().lower() == "sepsis"
