"""Hostile and malformed submissions: a clear error or note, no traceback, no network request."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lhs_kg.documents import load_document
from lhs_kg.errors import InputError, ParseError
from tests.helpers import EXAMPLE


class Listener:
    """A loopback socket that records whether anything connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ctx"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A socket that would notice any attempt to fetch a remote document."""
    server = Listener()
    yield server
    server.close()


def _remote_context_documents(url: str) -> list[tuple[str, bytes]]:
    return [
        (
            "top-level",
            json.dumps(
                {"@context": url, "@id": "https://e.org/a", "https://e.org/p": "x"}
            ).encode(),
        ),
        (
            "in-a-list",
            json.dumps(
                {"@context": [{"x": "https://e.org/"}, url], "@id": "https://e.org/a"}
            ).encode(),
        ),
        (
            "nested",
            json.dumps(
                {
                    "@context": {"x": "https://e.org/"},
                    "@id": "https://e.org/a",
                    "x:p": {"@context": url, "x:q": "y"},
                }
            ).encode(),
        ),
        (
            "scoped",
            json.dumps(
                {
                    "@context": {"p": {"@id": "https://e.org/p", "@context": url}},
                    "p": {"https://e.org/q": "y"},
                }
            ).encode(),
        ),
        (
            "import",
            json.dumps(
                {"@context": {"@version": 1.1, "@import": url}, "@id": "https://e.org/a"}
            ).encode(),
        ),
    ]


@pytest.mark.parametrize("case", ["top-level", "in-a-list", "nested", "scoped", "import"])
def test_remote_context_is_refused_and_never_fetched(case: str, listener: Listener) -> None:
    data = dict(_remote_context_documents(listener.url))[case]
    with pytest.raises(InputError, match=r"remote|@import"):
        load_document(data, name="remote.jsonld")
    assert listener.connections == 0


def test_our_published_context_url_is_read_from_the_local_file(listener: Listener) -> None:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["@context"] = "https://w3id.org/lhs-kg/context.jsonld"
    parsed = load_document(json.dumps(doc).encode(), name="ours.jsonld")
    assert len(parsed.graph) == len(load_document(EXAMPLE).graph)


@pytest.mark.parametrize(
    ("data", "name", "line", "column"),
    [
        pytest.param(b'{"title": "x",\n  "aim": }', "bad.json", 2, 10, id="json"),
        pytest.param(b"title: x\n  aim: [unclosed\n", "bad.yaml", 2, 6, id="yaml"),
        pytest.param(
            b'@prefix x: <http://e.org/> .\nx:a x:b "open ;\n', "bad.ttl", 2, 9, id="turtle"
        ),
        pytest.param(b"<http://e.org/a> <http://e.org/b> .\n", "bad.nt", 1, None, id="ntriples"),
    ],
)
def test_syntax_error_names_line_and_column(
    data: bytes, name: str, line: int, column: int | None
) -> None:
    with pytest.raises(ParseError) as caught:
        load_document(data, name=name)
    assert caught.value.line == line
    if column is not None:
        assert caught.value.column == column
    assert name in str(caught.value)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            b'<rdf:Description rdf:about="http://e.org/a"><rdf:value>&e;</rdf:value>'
            b"</rdf:Description></rdf:RDF>",
            id="external-entity",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;">]><rdf:RDF '
            b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
            id="entity-bomb",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!doctype r SYSTEM "http://127.0.0.1:9/x.dtd">'
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
            id="external-dtd-lowercase",
        ),
    ],
)
def test_rdfxml_with_doctype_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match="DOCTYPE or ENTITY"):
        load_document(data, name="x.rdf")


def test_rdfxml_without_doctype_is_read() -> None:
    data = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns:dcterms="http://purl.org/dc/terms/"><rdf:Description '
        b'rdf:about="https://w3id.org/lhs-kg/case-study/x"><dcterms:title>T</dcterms:title>'
        b"</rdf:Description></rdf:RDF>"
    )
    assert len(load_document(data, name="x.rdf").graph) == 1


@pytest.mark.parametrize(
    ("data", "limit"),
    [
        pytest.param(b"{" + b" " * 2000 + b"}", 1000, id="over-a-small-limit"),
        pytest.param(b'{"title": "' + b"x" * 1_000_001 + b'"}', 1_000_000, id="over-the-default"),
    ],
)
def test_submission_over_the_size_limit_is_refused(data: bytes, limit: int) -> None:
    with pytest.raises(InputError, match="over the limit"):
        load_document(data, name="big.json", max_bytes=limit)


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"{}" + b" " * 5000)
    with pytest.raises(InputError, match="over the limit"):
        load_document(path, max_bytes=1000)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="json-arrays"),
        pytest.param(b'{"a":' * 5000 + b"1" + b"}" * 5000, id="json-objects"),
    ],
)
def test_deeply_nested_json_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match="nested more than"):
        load_document(data, name="deep.json")


def test_deeply_nested_yaml_is_refused() -> None:
    data = b"".join(b"  " * i + b"a:\n" for i in range(200)) + b"  " * 200 + b"b: 1\n"
    with pytest.raises(InputError, match="nested more than"):
        load_document(data, name="deep.yaml")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'a: &a ["x", "x"]\nb: &b [*a, *a]\nc: [*b, *b]\n', id="alias-bomb"),
        pytest.param(b"title: &t Hello\naim: *t\n", id="simple-alias"),
    ],
)
def test_yaml_anchors_and_aliases_are_refused(data: bytes) -> None:
    with pytest.raises(ParseError, match=r"anchors|aliases"):
        load_document(data, name="alias.yaml")


@pytest.mark.parametrize("data", [b"", b"   \n\t\n"], ids=["zero-bytes", "whitespace"])
@pytest.mark.parametrize("name", ["empty.json", "empty.yaml", "empty.ttl"])
def test_empty_submission_is_refused(data: bytes, name: str) -> None:
    with pytest.raises(InputError, match="empty"):
        load_document(data, name=name)


def test_yaml_holding_only_a_comment_is_empty() -> None:
    with pytest.raises(InputError, match="empty"):
        load_document(b"# nothing here\n", name="c.yaml")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        pytest.param(b'["a", "b"]', "list", id="list"),
        pytest.param(b'"a case study"', "text", id="string"),
        pytest.param(b"42", "number", id="number"),
    ],
)
def test_top_level_must_be_an_object(data: bytes, kind: str) -> None:
    with pytest.raises(InputError, match=f"got a {kind}"):
        load_document(data, name="x.json")


def test_not_utf8_is_refused() -> None:
    with pytest.raises(InputError, match="not UTF-8"):
        load_document(b'{"title": "\xff\xfe"}', name="x.json")


def test_unknown_key_is_a_warning_naming_the_key_and_a_suggestion() -> None:
    doc = load_document(b'{"type": "CaseStudy", "assessment": {"ratngs": []}}', name="x.json")
    assert [(n.severity, n.path) for n in doc.notes] == [("warning", "assessment.ratngs")]
    assert '"ratngs"' in doc.notes[0].message
    assert "ratings" in doc.notes[0].hint


def test_unknown_type_is_a_violation() -> None:
    doc = load_document(b'{"type": "CaseStudie"}', name="x.json")
    assert [(n.severity, n.path) for n in doc.notes] == [("violation", "type")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("loopStages", ["P 2 D"], id="code-with-spaces"),
        pytest.param("sources", ["<script>"], id="short-name-with-brackets"),
        pytest.param("country", "", id="empty-code"),
    ],
)
def test_codes_that_cannot_become_iris_are_reported(field: str, value: object) -> None:
    doc = load_document(json.dumps({"type": "CaseStudy", field: value}).encode(), name="x.json")
    assert any(n.severity == "violation" and n.path.startswith(field) for n in doc.notes)


@pytest.mark.parametrize("value", ["example.org", "www.example.org/x", 42])
def test_web_address_without_scheme_is_reported(value: object) -> None:
    data = json.dumps({"type": "CaseStudy", "organisation": {"homepage": value}}).encode()
    doc = load_document(data, name="x.json")
    assert [n.path for n in doc.notes] == ["organisation.homepage"]


def test_id_of_the_wrong_type_is_reported() -> None:
    doc = load_document(b'{"type": "CaseStudy", "id": 7}', name="x.json")
    assert [n.path for n in doc.notes] == ["id"]


def test_reserved_placeholder_ids_are_refused() -> None:
    with pytest.raises(InputError, match="reserved"):
        load_document(b'{"type": "CaseStudy", "id": "urn:x-lhs-kg-node:1"}', name="x.json")


def test_unknown_format_name_is_refused() -> None:
    with pytest.raises(InputError, match="unknown submission format"):
        load_document(b"{}", fmt="docx")


def test_unknown_extension_is_refused() -> None:
    with pytest.raises(InputError, match="cannot tell the format"):
        load_document(b"{}", name="case.docx")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_document(tmp_path / "nope.json")


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a file"):
        load_document(tmp_path)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b'{"type": "CaseStudy"}', "json", id="json"),
        pytest.param(b"@prefix x: <http://e.org/> .\nx:a x:b x:c .", "ttl", id="turtle"),
        pytest.param(b"type: CaseStudy\n", "yaml", id="yaml"),
        pytest.param(
            b'<?xml version="1.0"?><rdf:RDF '
            b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
            "rdfxml",
            id="rdfxml",
        ),
    ],
)
def test_format_is_sniffed_when_the_name_says_nothing(data: bytes, expected: str) -> None:
    assert load_document(data).format == expected


def test_key_paths_point_back_to_what_the_contributor_wrote() -> None:
    doc = load_document(EXAMPLE)
    paths = set(doc.node_paths.values())
    assert {
        "",
        "assessment",
        "assessment.ratings[6]",
        "outcomes[0]",
        "sources[1]",
        "organisation",
        "contributor",
    } <= paths
