"""``term`` and ``link`` written in Python (#16) render exactly what the Jinja macros rendered.

The macros' text is kept here as the reference and rendered by the app's own Jinja environment
(same globals, filters and autoescaping) beside the Python functions, for terms of every kind
and hostile labels, values, languages and IRIs.
"""

from __future__ import annotations

import pytest
from flask import Flask

from lhs_kg.describe.base import TermView
from lhs_kg.describe.resource import LinkGroup, ValueView
from tests.helpers import build_app

#: The macros as ``web/templates/_macros.html`` held them before #16.
MACROS = (
    """
{% macro link(iri, label) -%}
  {%- set url = href(iri) -%}
  {%- if url and url.startswith('/') -%}<a href="{{ url }}">{{ label }}</a>
  {%- elif url -%}<a href="{{ url }}" rel="external noopener">{{ label }}</a>
  {%- else -%}<span class="iri">{{ label }}</span>{%- endif -%}
{%- endmacro %}

{% macro term(t, prop='') -%}
  {%- if t.kind == 'iri' -%}{{ link(t.value, t.label or t.value) }}
  {%- elif t.kind == 'literal' -%}
    {%- set out = external_id_url(prop, t.value) if prop else None -%}
    {%- if out %}<a href="{{ out }}" rel="external noopener">{{ t.value }}</a>
    {%- else %}<span class="literal"{% if t.language %} lang="{{ t.language }}"{% endif %}>"""
    """{{ t|plain_literal }}</span>{% endif -%}
  {%- else -%}<span class="bnode">(unnamed node)</span>{%- endif -%}
{%- endmacro %}

{% macro value_view(v, prop) -%}
  {%- if v.items is not none -%}
    <ol class="rdf-list">{% for item in v.items %}<li>{{ value_view(item, prop) }}</li>"""
    """{% endfor %}</ol>
  {%- elif v.groups -%}
    <dl class="bnode-links">
    {%- for g in v.groups %}<dt>{{ g.property.label }}</dt>
      {%- for w in g.values %}<dd>{{ value_view(w, g.property.value) }}</dd>{% endfor %}
    {%- endfor %}</dl>
  {%- else -%}{{ term(v.term, prop) }}{%- endif -%}
{%- endmacro %}
"""
)
BASE = "https://w3id.org/lhs-kg/"
HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"
XSD = "http://www.w3.org/2001/XMLSchema#"
BIBO = "http://purl.org/ontology/bibo/"

TERMS = [
    pytest.param(TermView("iri", BASE + "source/a", "A source"), "", id="local-iri"),
    pytest.param(TermView("iri", BASE + "source/a", ""), "", id="local-iri-unlabelled"),
    pytest.param(TermView("iri", BASE + "x/a b?c#d", HOSTILE), "", id="local-iri-hostile"),
    pytest.param(TermView("iri", "https://example.org/x?a=1&b=<2>", HOSTILE), "", id="external"),
    pytest.param(TermView("iri", "urn:isbn:123", "A book"), "", id="no-address"),
    pytest.param(TermView("iri", 'urn:x:"><script>', ""), "", id="no-address-hostile"),
    pytest.param(TermView("literal", HOSTILE), "", id="literal-hostile"),
    pytest.param(TermView("literal", "Hallo", language='de"><b'), "", id="literal-language"),
    pytest.param(TermView("literal", "12345", datatype=XSD + "integer"), "", id="integer"),
    pytest.param(TermView("literal", "2017", datatype=XSD + "gYear"), "", id="year"),
    pytest.param(TermView("literal", "true", datatype=XSD + "boolean"), "", id="boolean"),
    pytest.param(
        TermView("literal", "10.1000/x<y>"), "http://purl.org/ontology/bibo/doi", id="doi"
    ),
    pytest.param(TermView("literal", "29092808"), BIBO + "pmid", id="pmid"),
    pytest.param(TermView("literal", "0000-0002-1825-0097"), "http://e/orcid", id="orcid"),
    pytest.param(TermView("literal", "not a doi"), BIBO + "doi", id="no-id"),
    pytest.param(TermView("bnode", "b0"), "", id="blank-node"),
]


@pytest.fixture(scope="module")
def app() -> Flask:
    return build_app()


def _both(app: Flask, source: str, **values: object) -> tuple[str, str]:
    """(the old macros' output, the Python functions' output) for one template call."""
    env = app.jinja_env
    with app.test_request_context("/"):
        old = env.from_string(MACROS + source).render(**values)
        new = env.from_string(
            '{% from "_macros.html" import term, link, value_view %}' + source
        ).render(**values)
    return old.strip(), new.strip()  # the lines around the macros' definitions


@pytest.mark.parametrize(("t", "prop"), TERMS)
def test_term_renders_as_the_macro_did(app: Flask, t: TermView, prop: str) -> None:
    old, new = _both(app, "{{ term(t, prop) }}|{{ term(t) }}", t=t, prop=prop)
    assert "<script>" not in new
    assert new == old


@pytest.mark.parametrize(
    ("iri", "label"),
    [
        (BASE + "concept/nasss/1A", "Condition"),
        (BASE + "concept/nasss/1A", HOSTILE),
        ("http://example.org/a&b", "x"),
        ("mailto:someone@example.org", HOSTILE),
        (BASE + "concept/nasss/1A", None),
        (BASE + "concept/nasss/1A", 3),
    ],
    ids=["local", "local-hostile", "external", "no-address", "label-none", "label-number"],
)
def test_link_renders_as_the_macro_did(app: Flask, iri: str, label: object) -> None:
    old, new = _both(app, "{{ link(iri, label) }}", iri=iri, label=label)
    assert new == old


NAME = TermView("iri", "http://xmlns.com/foaf/0.1/name", "name")
PERSON = ValueView(
    TermView("bnode", "b1"),
    groups=[
        LinkGroup(NAME, [ValueView(TermView("literal", HOSTILE))]),
        LinkGroup(TermView("iri", BASE + "p", HOSTILE), [ValueView(TermView("iri", BASE + "x"))]),
    ],
)
VALUES = [
    pytest.param(ValueView(TermView("iri", BASE + "source/a", HOSTILE)), id="a-term"),
    pytest.param(ValueView(TermView("literal", "10.1/x")), id="an-identifier-by-its-property"),
    pytest.param(PERSON, id="a-blank-node-with-links"),
    pytest.param(
        ValueView(TermView("bnode", "l"), items=[PERSON, ValueView(TermView("literal", "d"))]),
        id="a-list-of-a-blank-node-and-a-literal",
    ),
    pytest.param(ValueView(TermView("bnode", "l"), items=[]), id="an-empty-list"),
    pytest.param(
        ValueView(TermView("bnode", "b"), groups=[LinkGroup(NAME, [PERSON, PERSON])]),
        id="nested-blank-nodes",
    ),
    pytest.param(ValueView(TermView("bnode", "b")), id="a-blank-node-without-links"),
]


@pytest.mark.parametrize("v", VALUES)
def test_value_view_renders_as_the_macro_did(app: Flask, v: ValueView) -> None:
    old, new = _both(app, "{{ value_view(v, prop) }}", v=v, prop=BIBO + "doi")
    assert "<script>" not in new
    assert new == old
