"""Assess your initiative in real headless Chromium (#15), the issue's "Done when": a team
completes an assessment for an invented initiative without JavaScript, sees its profile, three
similar case studies and the tools for its complex domains, downloads it, loads it again and
changes one rating. The form and result pass axe-core at desktop and phone width, and neither
scrolls sideways on a 390 px phone. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ARTIFACTS, LiveServer, axe_violations

INITIATIVE = "Hip fracture recovery at home"
LEVELS = {"1": "complicated", "2": "simple", "3": "complicated", "4": "complex"}
LEVELS |= {"5": "complex", "6": "simple", "7": "complicated", "4A": "complex", "2A": "simple"}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"e2e-assess-{name}.png"), full_page=True)


def fill(page: Any) -> None:
    """Answer the questions as the invented team would."""
    page.goto("/assess")
    page.fill("#assess-initiative", INITIATIVE)
    page.fill("#assess-date", "2026-06-01")
    for key, level in LEVELS.items():
        page.check(f'input[name="level-{key}"][value="{level}"]')
    page.fill("#note-4", "Community teams and families must learn new routines.")
    page.fill("#note-3B", "We do not yet know what it saves.")


def submit(page: Any) -> None:
    page.click("button.assess-submit")
    page.wait_for_selector("h1:has-text('Complexity profile')")


def test_a_team_assesses_downloads_reloads_and_reassesses(
    browser: Any, e2e_server: LiveServer, tmp_path: Path
) -> None:
    context = browser.new_context(
        base_url=e2e_server.url, java_script_enabled=False, accept_downloads=True
    )
    page = context.new_page()
    try:
        fill(page)
        submit(page)
        shot(page, "result")
        assert page.locator("h1").inner_text() == f"Complexity profile of {INITIATIVE}"
        radar = page.locator("svg.radar").bounding_box()
        assert radar is not None and radar["width"] > 200
        assert page.locator("table.assess-table tbody tr").count() == 7
        matches = page.locator("li.assess-match")
        assert matches.count() == 3
        for index in range(3):
            text = matches.nth(index).inner_text()
            assert "domains compared" in text and "Aim:" in text
        for domain in ("4", "5"):
            tools = page.locator(f'section:has(#h-help-{domain}) a[href^="/tool/"]')
            assert tools.count() >= 1, f"no tool for complex domain {domain}"
        assert page.locator("#h-help-1").count() == 0  # not rated complex
        page.emulate_media(media="print")  # the printable page: no menus, no buttons
        assert not page.locator(".site-header").is_visible()
        assert not page.locator("button:has-text('Download as JSON')").is_visible()
        assert page.locator("svg.radar").is_visible() and matches.first.is_visible()
        page.emulate_media(media="screen")

        with page.expect_download() as info:
            page.click("button:has-text('Download as JSON')")
        download = info.value
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        assert saved.name == "nasss-assessment-hip-fracture-recovery-at-home-2026-06-01.json"
        document = json.loads(saved.read_text(encoding="utf-8"))
        assert document["basis"] == "self-assessment"
        assert {"domain": "4", "subdomain": "4A", "level": "complex"} in document["ratings"]

        page.goto("/assess")
        page.set_input_files("#assess-file", str(saved))
        page.click("button:has-text('Load and re-assess')")
        assert "Loaded the assessment of 2026-06-01" in page.locator(".assess-notice").inner_text()
        assert page.input_value("#assess-initiative") == "hip fracture recovery at home"
        assert page.is_checked('input[name="level-5"][value="complex"]')
        assert page.input_value("#note-3B") == "We do not yet know what it saves."

        page.check('input[name="level-4"][value="complicated"]')
        submit(page)
        shot(page, "reassessed")
        changed = page.locator("table.assess-history tr.assess-changed")
        assert changed.count() == 1
        assert changed.first.locator("th").inner_text() == "4 Adopter system"
        assert "first on 2026-06-01" in page.locator(".assess-meta").inner_text()
    finally:
        context.close()


def open_at(browser: Any, server: LiveServer, width: str) -> Any:
    w, h = WIDTHS[width]
    context = browser.new_context(
        base_url=server.url, bypass_csp=True, viewport={"width": w, "height": h}
    )
    return context, context.new_page()


def reach(page: Any, which: str) -> None:
    """Open the form, its result, or the form with a refused answer."""
    if which == "form":
        page.goto("/assess")
        return
    fill(page)
    if which == "refused":
        page.fill("#assess-date", "")
        page.evaluate("() => { document.getElementById('assess-date').type = 'text'; }")
        page.fill("#assess-date", "2026-02-31")
        page.click("button.assess-submit")
        page.wait_for_selector(".assess-problems")
        return
    submit(page)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("which", ["form", "result", "refused"])
def test_assessment_pages_pass_axe_and_fit_a_phone(
    browser: Any, e2e_server: LiveServer, axe_script: Path, width: str, which: str
) -> None:
    context, page = open_at(browser, e2e_server, width)
    try:
        reach(page, which)
        shot(page, f"{which}-{width}")
        bad = axe_violations(page, axe_script)
        assert bad == [], "\n".join(bad)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{which} scrolls sideways by {overflow}px at {width} width"
    finally:
        context.close()
