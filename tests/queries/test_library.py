"""The query registry: header parsing, typed parameter binding, errors that name what is wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from lhs_kg.errors import ParameterError, QueryError, UnknownQueryError
from lhs_kg.queries import Parameter, QueryLibrary
from tests.helpers import ROOT

LIBRARY = QueryLibrary(ROOT / "queries")
XSD = "http://www.w3.org/2001/XMLSchema#"
CONCEPT = "https://w3id.org/lhs-kg/concept/"

GOOD = """#+ summary: A test question.
#+ params: who:iri stage:concept:loop? n:int=3 day:date? label:string?
#+ returns: select
SELECT * WHERE { ?who ?p ?o }
"""


def write(folder: Path, name: str, text: str) -> QueryLibrary:
    (folder / f"{name}.rq").write_text(text, encoding="utf-8")
    return QueryLibrary(folder)


def test_header_is_read_in_order(tmp_path: Path) -> None:
    named = write(tmp_path, "q", GOOD).get("q")
    assert (named.name, named.summary, named.returns) == ("q", "A test question.", "select")
    assert [(p.name, p.type, p.required) for p in named.params] == [
        ("who", "iri", True),
        ("stage", "concept:loop", False),
        ("n", "int", False),
        ("day", "date", False),
        ("label", "string", False),
    ]
    assert named.params[2].default == "3" and named.params[1].scheme == "loop"
    assert named.path == tmp_path / "q.rq"


@pytest.mark.parametrize(
    ("param", "raw", "expected"),
    [
        pytest.param(
            Parameter("x", "int"),
            " 42 ",
            ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
            id="int",
        ),
        pytest.param(
            Parameter("x", "date"),
            "2024-02-29",
            ox.Literal("2024-02-29", datatype=ox.NamedNode(XSD + "date")),
            id="date",
        ),
        pytest.param(
            Parameter("x", "string"),
            'it\'s "quoted"\n{}',
            ox.Literal('it\'s "quoted"\n{}'),
            id="string-kept-verbatim",
        ),
        pytest.param(
            Parameter("x", "iri"),
            "cs:improvecarenow",
            ox.NamedNode("https://w3id.org/lhs-kg/case-study/improvecarenow"),
            id="pname",
        ),
        pytest.param(
            Parameter("x", "iri"),
            "skos:Concept",
            ox.NamedNode("http://www.w3.org/2004/02/skos/core#Concept"),
            id="pname-skos",
        ),
        pytest.param(Parameter("x", "iri"), "urn:isbn:123", ox.NamedNode("urn:isbn:123"), id="urn"),
        pytest.param(
            Parameter("x", "concept:nasss"),
            "1A",
            ox.NamedNode(CONCEPT + "nasss/1A"),
            id="concept-id",
        ),
        pytest.param(
            Parameter("x", "concept:nasss"),
            CONCEPT + "nasss/4",
            ox.NamedNode(CONCEPT + "nasss/4"),
            id="concept-iri",
        ),
    ],
)
def test_values_convert_to_typed_terms(param: Parameter, raw: str, expected: object) -> None:
    assert param.convert(raw) == expected


@pytest.mark.parametrize(
    ("param", "raw", "message"),
    [
        pytest.param(Parameter("n", "int"), "3.5", "whole number", id="int-float"),
        pytest.param(Parameter("n", "int"), "1" * 40, "out of range", id="int-huge"),
        pytest.param(Parameter("n", "int"), "", "empty", id="int-empty"),
        pytest.param(Parameter("d", "date"), "2024-02-30", "YYYY-MM-DD", id="date-impossible"),
        pytest.param(Parameter("d", "date"), "20240101", "YYYY-MM-DD", id="date-basic-format"),
        pytest.param(Parameter("d", "date"), "yesterday", "YYYY-MM-DD", id="date-word"),
        pytest.param(Parameter("i", "iri"), "relative/path", "absolute IRI", id="iri-relative"),
        pytest.param(Parameter("i", "iri"), "http://x/a b", "not a valid IRI", id="iri-space"),
        pytest.param(
            Parameter("i", "iri"), "http://x/>} . DROP ALL #", "not a valid IRI", id="iri-injection"
        ),
        pytest.param(Parameter("i", "iri"), "x" * 5000, "limit", id="iri-too-long"),
        pytest.param(
            Parameter("c", "concept:loop"),
            CONCEPT + "nasss/1",
            "'loop' scheme",
            id="concept-other-scheme",
        ),
        pytest.param(Parameter("c", "concept:loop"), "a/../b", "'loop' scheme", id="concept-slash"),
        pytest.param(Parameter("c", "concept:loop"), "p2d>", "not a valid IRI", id="concept-angle"),
    ],
)
def test_ill_typed_values_are_refused_naming_the_parameter(
    param: Parameter, raw: str, message: str
) -> None:
    with pytest.raises(ParameterError, match=message) as info:
        param.convert(raw)
    assert repr(param.name) in str(info.value)


def test_bind_applies_defaults_and_leaves_optional_unbound(tmp_path: Path) -> None:
    named = write(tmp_path, "q", GOOD).get("q")
    bound = named.bind({"who": "cs:x", "stage": ""})
    assert set(bound) == {"who", "n"}
    assert bound["n"].value == "3"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        pytest.param({}, "needs parameter 'who'", id="missing"),
        pytest.param({"who": "cs:x", "whom": "1"}, "no parameter 'whom'", id="unknown"),
        pytest.param({"who": "  "}, "'who' is empty", id="blank-required"),
    ],
)
def test_bind_errors_name_the_parameter(
    tmp_path: Path, given: dict[str, str], message: str
) -> None:
    named = write(tmp_path, "q", GOOD).get("q")
    with pytest.raises(ParameterError, match=message):
        named.bind(given)


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(UnknownQueryError, match="case-studies-by-country") as info:
        LIBRARY.get("case-studies-by-contry")
    assert "case-studies-by-contry" in str(info.value)


@pytest.mark.parametrize(
    "name",
    [
        "../queries/checks/dangling-reference",
        "checks/x",
        "",
        "CASE-STUDIES",
        "a" * 500,
        "case-studies.rq",
    ],
)
def test_names_outside_the_folder_are_unknown(name: str) -> None:
    with pytest.raises(UnknownQueryError):
        LIBRARY.get(name)


def test_checks_folder_is_not_part_of_the_library() -> None:
    assert not any(name.startswith("checks") for name in LIBRARY.names())
    assert "dangling-reference" in QueryLibrary(ROOT / "queries" / "checks").names()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("SELECT * WHERE {}", "summary", id="no-header"),
        pytest.param("#+ summary: x\n#+ returns: update\nSELECT * {}", "returns", id="bad-returns"),
        pytest.param(
            "#+ summary: x\n#+ returns: select\n#+ params: a\nSELECT * {}",
            "name:type",
            id="param-without-type",
        ),
        pytest.param(
            "#+ summary: x\n#+ returns: select\n#+ params: a:float\nSELECT * {}",
            "name:type",
            id="unknown-type",
        ),
        pytest.param(
            "#+ summary: x\n#+ returns: select\n#+ params: a:iri a:int\nSELECT * {}",
            "twice",
            id="duplicate",
        ),
        pytest.param("#+ summary x\nSELECT * {}", "no ':'", id="header-without-colon"),
    ],
)
def test_malformed_headers_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    library = write(tmp_path, "broken", text)
    with pytest.raises(QueryError, match=message) as info:
        library.get("broken")
    assert "broken.rq" in str(info.value)


def test_not_utf8_is_a_readable_error(tmp_path: Path) -> None:
    (tmp_path / "latin.rq").write_bytes(b"#+ summary: caf\xe9\n")
    with pytest.raises(QueryError, match="UTF-8"):
        QueryLibrary(tmp_path).get("latin")


def test_files_are_parsed_again_only_when_they_change(tmp_path: Path) -> None:
    library = write(tmp_path, "q", GOOD)
    first = library.get("q")
    assert library.get("q") is first  # cached
    path = tmp_path / "q.rq"
    path.write_text(GOOD.replace("A test question.", "Changed."), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert library.get("q").summary == "Changed."


def test_missing_folder_has_no_names(tmp_path: Path) -> None:
    assert QueryLibrary(tmp_path / "absent").names() == []


@pytest.mark.parametrize(
    ("subfolder", "name"), [("", "case-studies-by-loop-stage"), ("checks", "dangling-reference")]
)
def test_from_settings_takes_the_folder_and_the_base_iri(subfolder: str, name: str) -> None:
    """One constructor for every face (#13): the settings' folder and base IRI, never a default."""
    from lhs_kg.config import Settings

    settings = Settings(base_iri="https://kg.example.org/")
    library = QueryLibrary.from_settings(settings, subfolder)
    assert library.folder == (
        settings.queries_dir / subfolder if subfolder else settings.queries_dir
    )
    assert library.base_iri == "https://kg.example.org/"
    assert name in library.names()
    assert library.get(name).base_iri == "https://kg.example.org/"
