"""The contribution form as data: every input it renders reaches the document, every key of the
JSON template can be expressed, posts the form could not have made are refused, report paths map
back to indexed inputs, and groups grow one row at a time."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from lhs_kg.config import Settings
from lhs_kg.contributions.form import (
    LIMITS,
    MAX_CHARS,
    MAX_ROWS,
    ContributionForm,
    Input,
    Repeat,
    build_form,
    check_structure,
    input_for,
    json_path,
    layout,
    template_of,
    to_document,
)
from lhs_kg.kb import KnowledgeBase
from tests.helpers import ROOT

TEMPLATE = ROOT / "data" / "examples" / "template.json"
ROWS_EACH = MAX_ROWS // 5 + 1  # five sources with this many authors: over the total


@pytest.fixture(scope="module")
def form(content_kb: KnowledgeBase) -> ContributionForm:
    """The form over the repository content."""
    return build_form(content_kb)


def inputs(items: list[Input | Repeat]) -> Iterator[Input]:
    """Every concrete input of a layout, rows included."""
    for item in items:
        if isinstance(item, Repeat):
            for row in item.rows:
                yield from inputs(row.items)
        else:
            yield item


def rendered(form: ContributionForm, values: dict[str, list[str]] | None = None) -> list[Input]:
    """Every input the page shows for ``values``."""
    return [i for _, items in layout(form, values or {}) for i in inputs(items)]


def sample(inp: Input) -> str:
    """A value a person could type or pick in this input, distinct per input."""
    f = inp.field
    choices = [c.value for c in f.choices if c.value]
    if f.kind == "select" and f.key == "domain":
        return str(int(inp.name.split("-")[2]) % 7 + 1)
    if choices:
        return choices[-1]
    return {
        "year": "2020",
        "date": "2024-01-02",
        "url": f"https://example.org/{inp.name}",
        "email": "someone@example.org",
        "country": "SE",
        "checkbox": "CC-BY-4.0",
        "list": f"{inp.name}-a, {inp.name}-b",
    }.get(f.kind, f"typed into {inp.name}")


def at(doc: Any, path: str) -> Any:
    """The value at a JSON path such as ``sources[1].authors[0].name``."""
    for part in re.findall(r"[^.\[\]]+", path):
        doc = doc[int(part)] if part.isdigit() else doc[part]
    return doc


def filled(form: ContributionForm) -> dict[str, list[str]]:
    """Every input of the page filled (two rows in each group)."""
    values: dict[str, list[str]] = {}
    for _ in range(3):  # fill, let the spare rows appear, fill those too
        for inp in rendered(form, values):
            values[inp.name] = [sample(inp)]
    return values


def test_every_rendered_input_reaches_the_document(form: ContributionForm) -> None:
    values = filled(form)
    conversion = to_document(form, values)
    assert conversion.errors == {}
    lost = []
    for name, (typed,) in values.items():
        paths = [p for p, n in conversion.where.items() if n == name]
        found = [at(conversion.document, p) for p in paths]
        expected: list[Any] = [typed, int(typed) if typed.isdigit() else typed]
        expected.append([p.strip() for p in typed.split(",")])
        if not any(
            v in expected or (isinstance(v, dict) and v.get("title") == typed) for v in found
        ):
            lost.append(f"{name}={typed!r} → {paths} {found}")
    assert not lost, "inputs that did not reach the document:\n" + "\n".join(lost)
    assert len(values) > 60


def key_paths(value: Any, path: str = "") -> set[str]:
    """The key paths of a JSON value, list positions as ``[#]`` (one value or a list: alike)."""
    found = {path} if path else set()
    if isinstance(value, dict):
        for key, item in value.items():
            found |= key_paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            found |= key_paths(item, f"{path}[#]")
    return found


def test_every_key_of_the_json_template_can_be_expressed(form: ContributionForm) -> None:
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    full = to_document(form, filled(form)).document
    refs = to_document(
        form, {"sources": ["foley-vale-2022"], "organisation-0-id": ["improvecarenow"]}
    ).document
    expressible = {p.replace("[#]", "") for p in key_paths(full) | key_paths(refs)}
    missing = sorted({p.replace("[#]", "") for p in key_paths(template)} - expressible)
    assert not missing, f"keys of template.json the form cannot express: {missing}"


def test_input_names_spell_json_paths() -> None:
    assert json_path("sources-1-authors-2-name") == "sources[1].authors[2].name"
    assert json_path("assessment-ratings-#-level") == "assessment.ratings[#].level"
    assert template_of("outcomes-12-metric") == "outcomes-#-metric"


# -- groups and rows ---------------------------------------------------------------------------


def names(form: ContributionForm, values: dict[str, list[str]], add: str | None = None) -> set[str]:
    return {i.name for _, items in layout(form, values, add) for i in inputs(items)}


def test_an_empty_form_shows_one_row_per_group_and_seven_ratings(form: ContributionForm) -> None:
    shown = names(form, {})
    assert {"organisation-0-id", "country-0", "outcomes-0-metric", "sources-0-title"} <= shown
    assert "sources-0-authors-0-name" in shown and "outcomes-1-metric" not in shown
    assert {f"assessment-ratings-{i}-level" for i in range(7)} <= shown
    assert "assessment-ratings-7-level" not in shown


def test_filled_rows_are_kept_with_one_blank_row_more(form: ContributionForm) -> None:
    values = {"outcomes-0-metric": ["a"], "outcomes-1-metric": ["b"]}
    shown = names(form, values)
    assert {"outcomes-1-metric", "outcomes-2-metric"} <= shown
    assert "outcomes-3-metric" not in shown


@pytest.mark.parametrize(
    ("add", "expected"),
    [
        pytest.param("outcomes", "outcomes-2-metric", id="outcome"),
        pytest.param("organisation", "organisation-1-name", id="organisation"),
        pytest.param("sources", "sources-1-title", id="source"),
        pytest.param("sources-0-authors", "sources-0-authors-1-name", id="author"),
        pytest.param("assessment-ratings", "assessment-ratings-7-level", id="rating"),
        pytest.param("country", "country-1", id="country"),
    ],
)
def test_add_another_shows_one_more_row(form: ContributionForm, add: str, expected: str) -> None:
    values = {i.name: i.values or [""] for i in rendered(form)}  # the blank page, as posted
    values.update({"outcomes-0-metric": ["a"], "outcomes-1-metric": [""]})
    assert expected not in names(form, values)
    assert expected in names(form, values, add)


def test_rows_never_grow_past_the_limit(form: ContributionForm) -> None:
    limit = LIMITS["outcomes"]
    values = {f"outcomes-{i}-metric": [f"m{i}"] for i in range(limit)}
    shown = names(form, values, add="outcomes")
    assert f"outcomes-{limit - 1}-metric" in shown and f"outcomes-{limit}-metric" not in shown


# -- posted values → document ------------------------------------------------------------------


def test_an_existing_organisation_is_a_reference_and_a_new_one_an_object(
    form: ContributionForm,
) -> None:
    doc = to_document(
        form,
        {
            "organisation-0-id": ["improvecarenow"],
            "organisation-1-name": ["Nordic Learning Network"],
            "organisation-1-country": ["sweden"],
        },
    ).document
    assert doc["organisation"] == [
        "improvecarenow",
        {
            "id": "nordic-learning-network",
            "type": "Organisation",
            "name": "Nordic Learning Network",
            "country": "SE",
        },
    ]


@pytest.mark.parametrize("typed", ["SE", "se", "Sweden", " sweden "])
def test_a_country_may_be_typed_as_a_name_or_a_code(form: ContributionForm, typed: str) -> None:
    assert to_document(form, {"country-0": [typed]}).document["country"] == "SE"


def test_an_unknown_country_is_kept_as_typed_for_the_shapes_to_report(
    form: ContributionForm,
) -> None:
    assert to_document(form, {"country-0": ["Atlantis"]}).document["country"] == "Atlantis"


def test_a_new_journal_article_keeps_authors_in_order_and_its_journal(
    form: ContributionForm,
) -> None:
    doc = to_document(
        form,
        {
            "sources": ["foley-vale-2022"],
            "sources-0-type": ["AcademicArticle"],
            "sources-0-title": ["Asthma networks that learn"],
            "sources-0-authors-0-name": ["Smith J"],
            "sources-0-authors-1-name": ["Doe A"],
            "sources-0-partOf": ["Learning Health Systems"],
            "sources-0-doi": ["10.1002/lrh2.10312"],
            "sources-0-year": ["2023"],
            "sources-1-title": ["A web page"],
            "sources-1-partOf": ["lhp-2021"],
        },
    ).document
    article, page = doc["sources"][1], doc["sources"][2]
    assert doc["sources"][0] == "foley-vale-2022"
    assert article == {
        "id": "asthma-networks-that-learn",
        "type": "AcademicArticle",
        "title": "Asthma networks that learn",
        "authors": [{"name": "Smith J"}, {"name": "Doe A"}],
        "year": 2023,
        "partOf": {"type": "Journal", "title": "Learning Health Systems"},
        "doi": "10.1002/lrh2.10312",
    }
    assert page["partOf"] == "lhp-2021"  # a known source stays a reference


def test_a_chapter_may_be_part_of_a_book_described_in_the_same_form(
    form: ContributionForm,
) -> None:
    doc = to_document(
        form,
        {
            "sources-0-id": ["the-book"],
            "sources-0-type": ["Book"],
            "sources-0-title": ["The book"],
            "sources-1-type": ["BookSection"],
            "sources-1-title": ["A chapter"],
            "sources-1-partOf": ["the-book"],
            "sources-2-type": ["BookSection"],
            "sources-2-title": ["Another chapter"],
            "sources-2-partOf": ["Some other book"],
        },
    ).document
    assert doc["sources"][1]["partOf"] == "the-book"
    assert doc["sources"][2]["partOf"] == {"type": "Book", "title": "Some other book"}


def test_regression_untitled_new_source_is_kept_not_dropped(form: ContributionForm) -> None:
    conversion = to_document(
        form, {"sources-0-authors-0-name": ["Smith J"], "sources-0-year": ["2020"]}
    )
    assert conversion.document["sources"] == [{"authors": [{"name": "Smith J"}], "year": 2020}]
    assert input_for("sources[0].title", conversion.where, form.templates(), form.groups()) == (
        "sources-0-title"
    )


def test_an_unrated_domain_is_left_out_and_the_coverage_note_kept(form: ContributionForm) -> None:
    values = {f"assessment-ratings-{i}-domain": [str(i + 1)] for i in range(7)}
    for i in (0, 1, 2, 3, 4, 6):
        values[f"assessment-ratings-{i}-level"] = ["simple"]
    values["assessment-ratings-5-level"] = [""]
    values["assessment-coverageNote"] = ["Domain 6 is not in the sources."]
    conversion = to_document(form, values)
    assessment = conversion.document["assessment"]
    assert [r["domain"] for r in assessment["ratings"]] == ["1", "2", "3", "4", "5", "7"]
    assert assessment["coverageNote"] == "Domain 6 is not in the sources."
    assert conversion.where["assessment.ratings[5]"] == "assessment-ratings-6"


def test_regression_justification_of_an_unrated_domain_is_an_error_not_dropped(
    form: ContributionForm,
) -> None:
    conversion = to_document(
        form,
        {"assessment-ratings-0-domain": ["1"], "assessment-ratings-0-justification": ["why"]},
    )
    assert "assessment-ratings-0-level" in conversion.errors


def test_regression_domain_rated_in_two_rows_is_an_error_not_last_value_wins(
    form: ContributionForm,
) -> None:
    conversion = to_document(
        form,
        {
            "assessment-ratings-0-domain": ["3"],
            "assessment-ratings-0-level": ["simple"],
            "assessment-ratings-1-domain": ["3"],
            "assessment-ratings-1-level": ["complex"],
        },
    )
    assert "already rated in row 1" in conversion.errors["assessment-ratings-1-domain"][0]


def test_subdomains_of_one_domain_may_each_be_rated(form: ContributionForm) -> None:
    conversion = to_document(
        form,
        {
            "assessment-ratings-0-domain": ["7"],
            "assessment-ratings-0-subdomain": ["7A"],
            "assessment-ratings-0-level": ["simple"],
            "assessment-ratings-1-domain": ["7"],
            "assessment-ratings-1-subdomain": ["7B"],
            "assessment-ratings-1-level": ["complex"],
        },
    )
    assert conversion.errors == {}
    assert len(conversion.document["assessment"]["ratings"]) == 2


def test_regression_an_overlong_value_is_an_error_not_cut(form: ContributionForm) -> None:
    conversion = to_document(form, {"description": ["x" * (MAX_CHARS + 1)]})
    assert "description" not in conversion.document
    assert "nothing was cut" in conversion.errors["description"][0]


# -- tampered posts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "add", "message"),
    [
        pytest.param({"titel": ["x"]}, None, "Unknown field 'titel'", id="unknown-field"),
        pytest.param({"title-0": ["x"]}, None, "Unknown field", id="index-on-a-plain-field"),
        pytest.param(
            {"assessment-ratings-2-level": ["simple", "complex"]},
            None,
            "was sent 2 times",
            id="domain-rated-twice",
        ),
        pytest.param({"title": ["a", "b"]}, None, "was sent 2 times", id="title-twice"),
        pytest.param({"outcomes-99999-metric": ["x"]}, None, "over the limit", id="absurd-index"),
        pytest.param(
            {"outcomes-0-metric": ["a"], "outcomes-3-metric": ["b"]},
            None,
            "Rows 1, 2 of 'outcomes' are missing",
            id="index-gap",
        ),
        pytest.param(
            {f"outcomes-{i}-metric": ["m"] for i in range(LIMITS["outcomes"] + 1)},
            None,
            "over the limit of 50 rows",
            id="too-many-groups",
        ),
        pytest.param(
            {"sources-0-authors-01-name": ["x"]}, None, "leading zeros", id="leading-zero"
        ),
        pytest.param({}, "nonsense", "no such group", id="add-unknown-group"),
        pytest.param({}, "sources-99999-authors", "over the limit", id="add-absurd-row"),
        pytest.param({"<script>": ["x"]}, None, "Unknown field", id="markup-name"),
        pytest.param(
            {f"sources-{s}-authors-{a}-name": ["A"] for s in range(5) for a in range(ROWS_EACH)},
            None,
            "rows in all",
            id="too-many-rows-in-all",
        ),
    ],
)
def test_posts_the_form_cannot_make_are_refused(
    form: ContributionForm, values: dict[str, list[str]], add: str | None, message: str
) -> None:
    problems = check_structure(form, values, add)
    assert any(message in p for p in problems), problems


def test_a_flood_of_unknown_fields_is_named_ten_at_a_time(form: ContributionForm) -> None:
    problems = check_structure(form, {f"x{i}": ["v"] for i in range(1000)})
    assert len(problems) == 11 and problems[-1] == "… and 990 more."


def test_a_post_the_form_made_passes_the_structure_check(form: ContributionForm) -> None:
    assert check_structure(form, filled(form), "sources-1-authors") == []


# -- report paths → inputs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("title", "title", id="plain"),
        pytest.param("outcomes[1].metric", "outcomes-2-metric", id="row-shifted-by-a-blank"),
        pytest.param("organisation[1].homepage", "organisation-1-homepage", id="organisation"),
        pytest.param("organisation[0]", "organisation-0-id", id="organisation-reference"),
        pytest.param("sources[1].authors[1].name", "sources-0-authors-1-name", id="author"),
        pytest.param("sources[1].partOf.title", "sources-0-partOf", id="journal"),
        pytest.param("sources[0]", "sources", id="known-source"),
        pytest.param("assessment.ratings[1].level", "assessment-ratings-2-level", id="rating"),
        pytest.param("assessment.ratings", "assessment-coverageNote", id="coverage"),
        pytest.param("contributor.email", "contributor-email", id="missing-nested"),
        pytest.param("assessment", "assessment-basis", id="missing-assessment"),
        pytest.param("country[1]", "country-1", id="second-country"),
        pytest.param("(top)", None, id="document"),
    ],
)
def test_report_paths_map_back_to_indexed_inputs(
    form: ContributionForm, path: str, expected: str | None
) -> None:
    values = {
        "title": ["T"],
        "organisation-0-id": ["improvecarenow"],
        "organisation-1-name": ["New"],
        "organisation-1-homepage": ["nope"],
        "country-0": ["GB"],
        "country-1": ["SE"],
        "outcomes-0-metric": ["a"],
        "outcomes-1-metric": [""],
        "outcomes-2-after": ["b"],
        "sources": ["foley-vale-2022"],
        "sources-0-title": ["S"],
        "sources-0-partOf": ["Some Journal"],
        "sources-0-authors-0-name": ["A"],
        "sources-0-authors-1-name": ["B"],
        "assessment-ratings-0-domain": ["1"],
        "assessment-ratings-0-level": ["simple"],
        "assessment-ratings-1-domain": ["2"],
        "assessment-ratings-2-domain": ["3"],
        "assessment-ratings-2-level": ["hard"],
    }
    conversion = to_document(form, values)
    assert input_for(path, conversion.where, form.templates(), form.groups()) == expected


SHAPE_PREFIXES = {
    "CaseStudy": "",
    "Organisation": "organisation-#-",
    "Outcome": "outcomes-#-",
    "Source": "sources-#-",
    "ComplexityAssessment": "assessment-",
    "DomainRating": "assessment-ratings-#-",
    "Contributor": "contributor-",
}


def shape_keys() -> list[Any]:
    """(node shape, JSON key) for every property shape of the contribution shapes."""
    from rdflib import URIRef
    from rdflib.namespace import SH

    from lhs_kg.documents import load_context
    from lhs_kg.validate import get_validator

    graph = get_validator(Settings(store="memory")).contribution_graph
    by_iri = load_context().by_iri
    found = set()
    for shape in SHAPE_PREFIXES:
        node = URIRef("https://w3id.org/lhs-kg/shapes/data/" + shape)
        for prop in graph.objects(node, SH.property):
            key = by_iri.get(str(graph.value(prop, SH.path)), "")
            if key:
                found.add((shape, key))
    return [pytest.param(s, k, id=f"{s}.{k}") for s, k in sorted(found)]


@pytest.mark.parametrize(("shape", "key"), shape_keys())
def test_every_property_of_the_shapes_has_an_input(
    form: ContributionForm, shape: str, key: str
) -> None:
    templates = set(form.templates()) | set(form.groups())
    name = SHAPE_PREFIXES[shape] + key
    inside = [t for t in templates if t.startswith(name + "-")]  # an object: its own inputs
    assert name in templates or inside, f"no input for {shape}.{key}"
