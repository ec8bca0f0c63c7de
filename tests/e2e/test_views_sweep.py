"""Every human view in real Chromium at desktop (1280×800) and phone (390×844) width (#15).

Each view must pass axe-core with no serious or critical violation, must not scroll sideways at
phone width, and leaves a full-page screenshot in tests/artifacts/screenshots/<width>/<view>.png.
The charts get their own checks: wheel text readable on a phone and never cut, radar labels
inside the drawing, the header search on one line. One browser and one server for the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lhs_kg.contributions import Contributions
from tests.helpers import (
    ARTIFACTS,
    BROWSE_FIXTURE,
    LiveServer,
    axe_violations,
    build_app,
    many_case_studies,
    payload,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
WIDTHS = [pytest.param(DESKTOP, id="1280"), pytest.param(PHONE, id="390")]

#: (name, path) of every page a person reads; ``{status}`` is a fresh contribution's status page.
VIEWS = [
    ("home", "/"),
    ("framework", "/concept/framework"),
    ("concept-schemes", "/concept/"),
    ("concept-nasss-domain", "/concept/nasss/4"),
    ("concept-subdomain", "/concept/nasss/1A"),
    ("concept-strategy", "/concept/strategy/co-design"),
    ("nasss-heat-map", "/nasss"),
    ("nasss-heat-map-page", "/nasss?sort=complex&rated=rated&page=2"),
    ("case-studies", "/case-study/"),
    ("case-study", "/case-study/kaiser-sepsis"),
    ("case-study-unrated", "/case-study/npfit"),
    ("sources", "/source/"),
    ("source", "/source/foley-vale-2022"),
    ("tools", "/tool/"),
    ("tool", "/tool/learning-network-maturity-grid"),
    ("gaps", "/gaps"),
    ("search", "/search?q=sepsis"),
    ("queries", "/queries"),
    ("query", "/queries/case-studies-by-rationale"),
    ("sparql", "/sparql"),
    ("contribute", "/contribute"),
    ("review-login", "/review/login"),
    ("dataset", "/dataset"),
    ("import-sources", "/import-sources"),
    ("status", "{status}"),
    ("glossary", "/concept/glossary"),
    ("glossary-term", "/concept/glossary/audit-and-feedback"),
    ("pathway", "/pathway"),
    ("pathway-why", "/pathway/why"),
    ("pathway-complexity", "/pathway/complexity"),
    ("pathway-strategy", "/pathway/strategy"),
    ("pathway-building-blocks", "/pathway/building-blocks"),
    ("assess", "/assess"),
]


@pytest.fixture(scope="module")
def e2e_app() -> Flask:
    """The repository content, the fixture case study, 60 generated ones (so lists have pages)
    and one pending contribution."""
    app = build_app()
    kb = app.extensions["lhs_kg"]
    kb.load(BROWSE_FIXTURE, graph="https://w3id.org/lhs-kg/graph/data/tests/browse-fixture")
    kb.load_bytes(
        many_case_studies(60), "ttl", graph="https://w3id.org/lhs-kg/graph/data/tests/many"
    )
    outcome = Contributions(kb).submit(payload(), "json")
    assert outcome.stored, outcome.report
    app.config["SWEEP_STATUS"] = f"/contributions/{outcome.token}"
    return app


@pytest.fixture
def sized(browser: Any, e2e_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page at the viewport given by the test's parameter (CSP bypassed for axe only)."""
    context = browser.new_context(base_url=e2e_server.url, bypass_csp=True, viewport=request.param)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda err: errors.append(str(err)))
    opened.js_errors = errors
    yield opened
    context.close()


def overflow(page: Any) -> list[str]:
    """Elements reaching past the right edge that are not inside a scrolling box."""
    return list(
        page.evaluate(
            """() => {
          const edge = document.documentElement.clientWidth, out = [];
          for (const el of document.querySelectorAll('body *')) {
            if (el.getBoundingClientRect().right <= edge + 1) continue;
            let p = el.parentElement, boxed = false;
            while (p && !boxed) {
              boxed = ['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX);
              p = p.parentElement;
            }
            if (!boxed) out.push(el.tagName.toLowerCase() + '.' + el.className);
          }
          return out.slice(0, 5);
        }"""
        )
    )


@pytest.mark.parametrize("sized", WIDTHS, indirect=True)
@pytest.mark.parametrize(("name", "path"), VIEWS, ids=[v[0] for v in VIEWS])
def test_view_passes_axe_and_fits_the_width(
    sized: Any, e2e_app: Flask, axe_script: Path, name: str, path: str
) -> None:
    page = sized
    width = page.viewport_size["width"]
    response = page.goto(path.format(status=e2e_app.config["SWEEP_STATUS"]))
    assert response is not None and response.status == 200
    shot = ARTIFACTS / "screenshots" / str(width) / f"{name}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{name} scrolls sideways at {width}px: {overflow(page)}"
    bad = axe_violations(page, axe_script)
    assert bad == [], "\n".join(bad)
    assert page.js_errors == []


READABLE_PX = 12


@pytest.mark.parametrize("sized", WIDTHS, indirect=True)
def test_wheel_text_is_at_least_12px_on_screen(sized: Any) -> None:
    sized.goto("/")
    sizes = sized.evaluate(
        """() => [...document.querySelectorAll('svg.wheel text')]
          .filter(t => t.getBBox().width > 0 && getComputedStyle(t).display !== 'none')
          .map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize)
                     * t.getScreenCTM().a])"""
    )
    assert len(sizes) >= 24  # 24 keys on a phone; 4 ring names and 24 labels' lines on a desktop
    small = [(text, round(px, 1)) for text, px in sizes if px < READABLE_PX]
    assert small == []


@pytest.mark.parametrize("sized", [pytest.param(DESKTOP, id="1280")], indirect=True)
def test_wheel_labels_fit_their_arcs(sized: Any) -> None:
    sized.goto("/")
    lines = sized.evaluate(
        """() => [...document.querySelectorAll('svg.wheel textPath')].map(tp => {
          const arc = document.querySelector(tp.getAttribute('href'));
          return [tp.textContent, tp.getComputedTextLength(), arc.getTotalLength()];
        })"""
    )
    assert len(lines) >= 21 + 4
    cut = [(text, round(need), round(room)) for text, need, room in lines if need > room]
    assert cut == []


@pytest.mark.parametrize("sized", WIDTHS, indirect=True)
@pytest.mark.parametrize("path", ["/case-study/kaiser-sepsis", "/case-study/xss-fixture"])
def test_radar_labels_stay_inside_the_drawing(sized: Any, path: str) -> None:
    sized.goto(path)
    outside = sized.evaluate(
        """() => { const svg = document.querySelector('svg.radar'), vb = svg.viewBox.baseVal;
          return [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()])
            .filter(([, b]) => b.x < vb.x || b.y < vb.y || b.x + b.width > vb.x + vb.width
                               || b.y + b.height > vb.y + vb.height)
            .map(([text]) => text); }"""
    )
    assert outside == []
    assert sized.locator("svg.radar .radar-label").count() == 7


@pytest.mark.parametrize(
    "sized", [pytest.param({"width": 1400, "height": 800}, id="1400")], indirect=True
)
def test_header_search_stays_on_the_brand_line(sized: Any) -> None:
    sized.goto("/")
    brand = sized.locator(".site-header .brand").bounding_box()
    search = sized.locator(".site-header form.search").bounding_box()
    assert brand is not None and search is not None
    assert search["y"] < brand["y"] + brand["height"]


@pytest.mark.parametrize("sized", WIDTHS, indirect=True)
def test_heat_map_cell_opens_the_rating_it_shows(sized: Any) -> None:
    sized.goto("/nasss")
    cell = sized.locator('table.heatmap td.heat-complex a[href^="/case-study/kaiser-sepsis#"]')
    target = cell.first.get_attribute("href")
    cell.first.click()
    sized.wait_for_url(f"**{target}")
    row = sized.locator(f"tr#{target.split('#')[1]}")
    assert row.is_visible()
    assert "Complex" in row.inner_text()


@pytest.mark.parametrize(
    ("sized", "keys_shown"),
    [pytest.param(DESKTOP, False, id="1280"), pytest.param(PHONE, True, id="390")],
    indirect=["sized"],
)
def test_phone_shows_keys_and_their_list_desktop_the_labels(sized: Any, keys_shown: bool) -> None:
    sized.goto("/")
    assert sized.locator("svg.wheel .wheel-key").first.is_visible() is keys_shown
    assert sized.locator(".wheel-keys").is_visible() is keys_shown
    assert sized.locator("svg.wheel .wheel-text").first.is_visible() is not keys_shown


@pytest.mark.parametrize("sized", WIDTHS, indirect=True)
def test_assessment_result_passes_axe_and_fits_the_width(sized: Any, axe_script: Path) -> None:
    """The self-assessment's result (a POST, so not in VIEWS): its radar, table and matches."""
    page = sized
    page.goto("/assess")
    for key, level in {"1": "complex", "2": "complicated", "4": "simple", "5": "complex"}.items():
        page.check(f'input[name="level-{key}"][value="{level}"]')
    page.click("button.assess-submit")
    page.wait_for_selector("svg.radar")
    shot = ARTIFACTS / "screenshots" / str(page.viewport_size["width"]) / "assess-result.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"the result scrolls sideways: {overflow(page)}"
    assert page.locator("svg.radar circle.radar-point").count() == 4
    assert page.locator("svg.radar circle.radar-unrated").count() == 3
    bad = axe_violations(page, axe_script)
    assert bad == [], "\n".join(bad)
