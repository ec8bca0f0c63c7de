"""The engine's own SPARQL lives in ``lhs_kg/sparql/*.rq``: each file parses, and Python holds none.

The last test reads every string literal of ``lhs_kg/`` and ``web/`` (docstrings aside) and fails
on SPARQL text outside the allow-list below, whose every entry says why it stays.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from lhs_kg import sparql
from lhs_kg.describe.base import LABEL_PROPERTIES
from lhs_kg.errors import UnknownQueryError
from lhs_kg.sparql_text import check_query
from tests.helpers import ROOT, wheel_files

NAMES = sparql.names()
FORMS = ("select", "construct", "ask", "describe", "update")


def header(text: str) -> dict[str, str]:
    """The ``#+ key: value`` lines at the top of a file."""
    fields = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, rest = line.removeprefix("#+").partition(":")
        fields[key.strip()] = rest.strip()
    return fields


def test_there_are_internal_queries() -> None:
    assert len(NAMES) >= 5


@pytest.mark.parametrize("name", NAMES)
def test_an_internal_query_parses_and_says_what_it_is(name: str) -> None:
    text = sparql.text(name)
    fields = header(text)
    assert fields.get("summary"), f"{name}.rq has no '#+ summary:' line"
    assert fields.get("returns") in FORMS, f"{name}.rq: '#+ returns:' is not one of {FORMS}"
    store = ox.Store()
    if fields["returns"] == "update":
        store.update(text)  # an empty store: parses and runs, changes nothing that matters
    else:
        store.query(text)
    form = check_query(text, max_chars=100_000, max_depth=64, allow_service=False)
    assert form == fields["returns"], f"{name}.rq says {fields['returns']}, parses as {form}"


@pytest.mark.parametrize("name", ["nope", "../queries/sources", "store/../../kb"])
def test_an_unknown_or_escaping_name_is_refused(name: str) -> None:
    with pytest.raises(UnknownQueryError):
        sparql.text(name)


#: How many SPARQL string literals a file may still hold, and why. Lower a count when you move
#: one into a ``.rq`` file (the test says so); never raise one.
ALLOWED: dict[str, tuple[int, str]] = {
    "lhs_kg/store/base.py": (
        1,
        "with_default_graph wraps a caller's update in ADD/DROP of graph names: SPARQL's "
        "grammar has no variables there (names are pyoxigraph NamedNodes, written escaped)",
    ),
    "lhs_kg/store/embedded.py": (
        1,
        "MOVE GRAPH of replace_graph: one transaction, no variables in the grammar; both "
        "names are NamedNodes checked by graph_iri",
    ),
    "lhs_kg/store/bulk.py": (
        1,
        "ADD/DROP GRAPH of small staging graphs in one transaction: no variables in the "
        "grammar; names are NamedNodes",
    ),
    "lhs_kg/export/push.py": (
        1,
        "the push streams a whole graph as DROP + INSERT DATA of pyoxigraph's N-Triples output "
        "(blank nodes included, which a VALUES block cannot carry); the graph is a NamedNode",
    ),
    "lhs_kg/contributions/submission.py": (
        1,
        "a submission's statements are data, blank nodes included (which a VALUES block cannot "
        "carry): they go into one guarded INSERT as pyoxigraph serialises them, every term and "
        "graph name a pyoxigraph term",
    ),
    "lhs_kg/sparql/binding.py": (
        2,
        "ask_as_select and insert_data_as_template rewrite a query's own keywords for Virtuoso "
        "(ASK → a one-row SELECT, INSERT DATA → INSERT … WHERE {}); no value is written into text",
    ),
    "lhs_kg/query_workers.py": (
        1,
        "'ASK {}' warms the guard's parser up in a new worker; it never reaches a store",
    ),
}

#: Not moved yet: debt, paid off file by file (each count only ever goes down). Empty since the
#: case-study read models, the CSV and the form builder moved theirs (#13).
NOT_YET_MOVED: dict[str, int] = {}


def sparql_literals(path: Path) -> list[int]:
    """Lines of the string literals of a module (docstrings aside) that read as SPARQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            text = node.value
        else:
            continue
        if SPARQL.search(text):
            found.append(node.lineno)
    # a constant inside an f-string is its own node too: count each literal once
    return sorted(set(found))


SPARQL = re.compile(
    r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?[?$*(]"
    r"|\bCONSTRUCT\s*(?:\{|WHERE\b)"
    r"|\bDESCRIBE\s+[?$*<]"
    r"|\bASK\s*(?:\{|WHERE)"
    r"|\b(?:INSERT|DELETE)\s*(?:DATA\s*)?\{"
    r"|\b(?:INSERT|DELETE)\s+WHERE"
    r"|\bPREFIX\s+[A-Za-z_-]*:\s*<"
    r"|\b(?:MOVE|ADD|COPY)\s+(?:SILENT\s+)?(?:GRAPH|DEFAULT)\b"
    r"|\b(?:DROP|CLEAR|CREATE)\s+(?:SILENT\s+)?(?:GRAPH|DEFAULT|NAMED|ALL)\b"
    r"|\bWHERE\s*\{"
)


def test_no_sparql_in_engine_or_web_python() -> None:
    found = {}
    for folder in ("lhs_kg", "web"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            lines = sparql_literals(path)
            if lines:
                found[path.relative_to(ROOT).as_posix()] = lines
    report = []
    for name, lines in sorted(found.items()):
        allowed = ALLOWED.get(name, (0, ""))[0] + NOT_YET_MOVED.get(name, 0)
        if len(lines) > allowed:
            report.append(
                f"{name}: {len(lines)} SPARQL strings (lines {lines}), {allowed} allowed: move "
                "them into lhs_kg/sparql/*.rq and bind values with lhs_kg.sparql.bind"
            )
    for name, (allowed, _) in sorted(ALLOWED.items()):  # a reason that no longer holds goes
        if len(found.get(name, [])) < allowed:
            report.append(f"{name}: fewer SPARQL strings than allowed: lower ALLOWED to match")
    assert not report, "\n".join(report)


def label_lists(text: str) -> list[list[str]]:
    """The label properties a query lists: each ``VALUES ?lp { … }`` or ``?lp IN (…)``, and each
    best-label pattern (``OPTIONAL { ?x p ?out_0 … }`` … ``BIND(COALESCE(?out_0, …) AS ?out)``)."""
    prefixes = dict(re.findall(r"PREFIX\s+([A-Za-z_-]*):\s*<([^>]*)>", text))

    def iri(term: str) -> str:
        if term.startswith("<"):
            return term[1:-1]
        prefix, _, local = term.partition(":")
        return prefixes[prefix] + local

    blocks = re.findall(r"VALUES\s+\?lp\s*\{([^}]*)\}|\?lp\s+IN\s*\(([^)]*)\)", text)
    found = [re.findall(r"<([^>]+)>", a or b) for a, b in blocks]
    patterns: dict[str, list[str]] = {}
    for prop, out in re.findall(r"OPTIONAL \{ \?\w+ (\S+) \?(\w+)_\d+ \.", text):
        patterns.setdefault(out, []).append(iri(prop))
    return found + list(patterns.values())


@pytest.mark.parametrize("name", [n for n in NAMES if label_lists(sparql.text(n))])
def test_label_properties_in_a_query_are_those_of_model_md(name: str) -> None:
    """The label properties are listed in several queries: each list is LABEL_PROPERTIES."""
    for found in label_lists(sparql.text(name)):
        assert tuple(found) == LABEL_PROPERTIES, f"{name}.rq lists {found}"


def test_every_internal_query_ships_in_the_wheel() -> None:
    """Every internal query file is in the wheel the build backend would make."""
    shipped = wheel_files()
    missing = [n for n in NAMES if f"lhs_kg/sparql/{n}.rq" not in shipped]
    assert missing == [], f"the wheel would lack {missing}"
    assert [n for n in NAMES if n.count("/") > 1] == []
