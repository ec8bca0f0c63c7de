"""Each rendering of a hand-made report, exactly: text, JSON, Turtle and HTML.

``tests/validate/test_report.py`` checks the report of a real validation; these tests pin every
line of each rendering on a report built by hand (one issue with everything, one with nothing but
a message, counts of one and of several) so a changed word or order shows up here.
"""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef

from lhs_kg.validate.report import RENDER_FORMATS, SEVERITY_ORDER, Issue, Report

FULL = Issue(
    "violation",
    "case study <x>",
    "title",
    "Give a title & a <b>short</b> one.",
    value='<script>"1"</script>',
    shape="CaseStudy-title",
    hint="Allowed values: a, b.",
    constraint="sh:MinCountConstraintComponent",
    focus_node="https://w3id.org/lhs-kg/case-study/x",
)
BARE = Issue("warning", "", "", "No start year.")
INFO = Issue("info", "", "aim", "Consider an aim.")


def _report(*issues: Issue) -> Report:
    return Report("sub.json", "json", list(issues))


def test_the_text_of_a_report_with_every_kind_of_line() -> None:
    assert _report(FULL, BARE, FULL).to_text() == (
        "sub.json: does not conform (2 violations, 1 warning)\n"
        "  VIOLATION title: Give a title & a <b>short</b> one.\n"
        '      value: <script>"1"</script>\n'
        "      in: case study <x>\n"
        "      hint: Allowed values: a, b.\n"
        "  WARNING (document): No start year.\n"
        "  VIOLATION title: Give a title & a <b>short</b> one.\n"
        '      value: <script>"1"</script>\n'
        "      in: case study <x>\n"
        "      hint: Allowed values: a, b.\n"
    )


@pytest.mark.parametrize(
    ("issues", "first_line"),
    [
        pytest.param((), "sub.json: conforms", id="nothing"),
        pytest.param((INFO,), "sub.json: conforms", id="an-info-is-not-counted"),
        pytest.param((BARE,), "sub.json: conforms (1 warning)", id="one-warning"),
        pytest.param((BARE, BARE), "sub.json: conforms (2 warnings)", id="two-warnings"),
        pytest.param((FULL,), "sub.json: does not conform (1 violation)", id="one-violation"),
        pytest.param(
            (FULL, FULL, BARE, BARE, BARE),
            "sub.json: does not conform (2 violations, 3 warnings)",
            id="several",
        ),
    ],
)
def test_the_text_verdict_counts(issues: tuple[Issue, ...], first_line: str) -> None:
    assert _report(*issues).to_text().splitlines()[0] == first_line


def test_an_empty_value_is_still_shown_but_none_is_not() -> None:
    empty = Issue("violation", "", "title", "Empty.", value="")
    assert _report(empty).to_text().splitlines()[1:] == [
        "  VIOLATION title: Empty.",
        "      value: ",
    ]
    assert "value" not in _report(BARE).to_text()


def test_the_json_of_a_report() -> None:
    body = json.loads(_report(FULL, BARE).to_json())
    assert body == {
        "source": "sub.json",
        "format": "json",
        "conforms": False,
        "violations": 1,
        "warnings": 1,
        "issues": [
            {
                "severity": "violation",
                "focus": "case study <x>",
                "field": "title",
                "message": "Give a title & a <b>short</b> one.",
                "value": '<script>"1"</script>',
                "shape": "CaseStudy-title",
                "hint": "Allowed values: a, b.",
                "constraint": "sh:MinCountConstraintComponent",
                "focus_node": "https://w3id.org/lhs-kg/case-study/x",
            },
            {
                "severity": "warning",
                "focus": "",
                "field": "",
                "message": "No start year.",
                "value": None,
                "shape": "",
                "hint": "",
                "constraint": "",
                "focus_node": "",
            },
        ],
    }


def test_the_json_text_is_indented_and_keeps_non_ascii() -> None:
    text = Report("é.json", "json").to_json()
    assert text == (
        '{\n  "source": "é.json",\n  "format": "json",\n  "conforms": true,\n'
        '  "violations": 0,\n  "warnings": 0,\n  "issues": []\n}'
    )


def test_conforms_ignores_warnings_and_infos() -> None:
    assert _report(BARE, INFO).conforms
    assert not _report(BARE, FULL).conforms
    assert _report().conforms


def test_count_by_severity() -> None:
    report = _report(FULL, BARE, BARE, INFO)
    assert [report.count(s) for s in ("violation", "warning", "info", "other")] == [1, 2, 1, 0]


def test_sort_puts_violations_first_then_by_field_and_message() -> None:
    a = Issue("warning", "", "a", "m")
    b = Issue("violation", "", "z", "m2")
    c = Issue("violation", "", "z", "m1")
    d = Issue("odd", "", "a", "m")
    e = Issue("info", "", "a", "m")
    report = _report(d, a, e, b, c)
    report.sort()
    assert report.issues == [c, b, a, e, d]
    assert SEVERITY_ORDER == {"violation": 0, "warning": 1, "info": 2}


def test_the_turtle_is_the_report_graph_or_empty() -> None:
    graph = Graph()
    graph.add((URIRef("urn:x:r"), URIRef("urn:x:p"), Literal("v")))
    report = Report("s", "json", [], graph)
    assert set(Graph().parse(data=report.to_turtle(), format="turtle")) == set(graph)
    assert len(Graph().parse(data=_report().to_turtle(), format="turtle")) == 0


def test_the_html_of_a_failing_report_escapes_everything() -> None:
    assert _report(FULL, BARE).to_html() == (
        '<section class="validation-report validation-fails">\n'
        "<h2>Your submission has problems to fix.</h2>\n"
        "<p>1 to fix, 1 to consider.</p>\n"
        '<ol class="validation-issues">\n'
        '<li class="issue issue-violation">\n'
        '<span class="issue-severity">violation</span> '
        '<code class="issue-field">title</code>\n'
        '<p class="issue-message">Give a title &amp; a &lt;b&gt;short&lt;/b&gt; one.</p>\n'
        '<p class="issue-value">Value: '
        "<code>&lt;script&gt;&quot;1&quot;&lt;/script&gt;</code></p>\n"
        '<p class="issue-hint">Allowed values: a, b.</p>\n'
        "</li>\n"
        '<li class="issue issue-warning">\n'
        '<span class="issue-severity">warning</span> '
        '<code class="issue-field">(document)</code>\n'
        '<p class="issue-message">No start year.</p>\n'
        "</li>\n"
        "</ol>\n"
        "</section>\n"
    )


def test_the_html_of_a_conforming_report_has_no_list() -> None:
    assert _report().to_html() == (
        '<section class="validation-report validation-conforms">\n'
        "<h2>Your submission conforms.</h2>\n"
        "<p>0 to fix, 0 to consider.</p>\n"
        "</section>\n"
    )


def test_the_html_escapes_the_severity_and_an_empty_value() -> None:
    odd = Issue('x"><b', "", "f", "m", value="")
    html = _report(odd).to_html()
    assert '<li class="issue issue-x&quot;&gt;&lt;b">' in html
    assert '<p class="issue-value">Value: <code></code></p>' in html


@pytest.mark.parametrize("fmt", RENDER_FORMATS)
def test_render_picks_the_rendering(fmt: str) -> None:
    report = _report(FULL, BARE)
    expected = {
        "text": report.to_text,
        "json": report.to_json,
        "ttl": report.to_turtle,
        "html": report.to_html,
    }[fmt]()
    assert report.render(fmt) == expected


def test_render_formats() -> None:
    assert RENDER_FORMATS == ("text", "json", "ttl", "html")
    with pytest.raises(KeyError):
        _report().render("pdf")
