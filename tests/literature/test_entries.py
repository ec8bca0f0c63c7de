"""Reading BibTeX, RIS and CSL-JSON: the same reading in each; every malformed entry named."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lhs_kg.errors import InputError
from lhs_kg.literature.entries import LiteratureError, format_of, read_entries
from tests.helpers import TEST_DATA

DATA = TEST_DATA / "literature"
INVALID = DATA / "invalid"
EXPECTED: dict[str, str] = json.loads((INVALID / "expected.json").read_text(encoding="utf-8"))
VALID = [DATA / "refs.bib", DATA / "refs.ris", DATA / "refs.json"]


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in VALID])
def test_the_three_formats_read_the_same_references(path: Path) -> None:
    entries = read_entries(path.read_bytes(), path.name)
    assert [(e.key, e.year, e.doi) for e in entries] == [
        ("example2024", "2024", "10.9999/example.2024.1"),
        ("foleyvale", "2023", "10.1002/LRH2.10315"),
    ]
    first = entries[0]
    assert first.title == "An Example Study of Learning Health Networks"
    assert first.authors == ["Example A", "Sample SB"]
    assert (first.journal, first.volume, first.issue, first.pages) == (
        "Journal of Examples",
        "3",
        "2",
        "10-20",
    )
    assert first.kind == "AcademicArticle"


def test_every_malformed_example_is_listed_with_its_expectation() -> None:
    files = {p.name for p in INVALID.iterdir() if p.name != "expected.json"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_malformed_entry_is_refused_naming_its_key_and_field(name: str) -> None:
    path = INVALID / name
    with pytest.raises(LiteratureError) as caught:
        read_entries(path.read_bytes(), name)
    assert EXPECTED[name] in str(caught.value)
    assert "nothing imported" in str(caught.value)


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    data = b"@article{a, title={A}, year={99}}\n@article{b, year={2020}, doi={doi:10.1/x}}"
    with pytest.raises(LiteratureError) as caught:
        read_entries(data, "two.bib")
    found = {(p.key, p.field) for p in caught.value.problems}
    assert found == {("a", "year"), ("b", "title"), ("b", "doi")}


def test_a_key_used_twice_is_refused() -> None:
    data = b"@article{same, title={A}, year={2020}}\n@article{same, title={B}, year={2021}}"
    with pytest.raises(LiteratureError, match="entry same, field key"):
        read_entries(data, "twice.bib")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        pytest.param(b"[{", "broken.json", "not JSON (line 1", id="json-syntax"),
        pytest.param(b'{"a": 1', "refs.json", "not JSON", id="json-unclosed"),
        pytest.param(b"TI  - no record start\n", "refs.ris", "not a RIS file", id="ris-shape"),
        pytest.param(b"\xff\xfe", "refs.bib", "not UTF-8", id="not-utf8"),
        pytest.param(b"% nothing here\n", "empty.bib", "no references found", id="empty"),
    ],
)
def test_an_unreadable_file_is_refused(data: bytes, name: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        read_entries(data, name)


def test_the_format_comes_from_the_suffix_or_the_option() -> None:
    assert format_of("a.bib") == "bibtex"
    assert format_of("a.txt", "ris") == "ris"
    with pytest.raises(InputError, match="cannot tell the reference format"):
        format_of("a.txt")
