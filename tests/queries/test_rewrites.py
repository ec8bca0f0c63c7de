"""Named queries rewritten for Oxigraph's planner give the rows the former text gave (#16).

Oxigraph 0.5 evaluates a many-pattern OPTIONAL (or NOT EXISTS) group over every match in the
store before joining, so a query bound to one case study cost 0.7 s at 200k triples. Each
rewrite is checked against the former text, kept in ``tests/queries/reference/``, on the
repository content plus synthetic case studies and edge cases, with and without bindings:
the same multiset of rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterator
from pathlib import Path

import pytest

from bench.synthetic import quads
from lhs_kg.kb import KnowledgeBase
from lhs_kg.queries import QueryLibrary
from tests.helpers import (
    QUERIES,
    SAME_MULTISET,
    TESTS,
    many_case_studies,
    multiset_difference,
    new_content_kb,
)

REFERENCE = TESTS / "queries" / "reference"
EDGES = TESTS / "queries" / "data" / "rewrite-edges.ttl"
GRAPHS = "https://w3id.org/lhs-kg/graph/data/tests/"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """Content, ~60k synthetic triples (published), 120 varied case studies and the edges."""
    folder = tmp_path_factory.mktemp("rewrites")
    synthetic = folder / "synthetic.nq"
    renamed = (
        line.replace("/graph/synthetic/", "/graph/data/synthetic/") for line in quads(60_000)
    )
    synthetic.write_text("".join(renamed), encoding="utf-8")
    many = folder / "many.ttl"
    many.write_bytes(many_case_studies(120))
    with new_content_kb() as base:
        base.load(synthetic)
        base.load(many, graph=GRAPHS + "many")
        base.load(EDGES, graph=GRAPHS + "rewrite-edges")
        yield base


def answers(kb: KnowledgeBase, text: str, values: dict[str, str], name: str) -> Counter[Hashable]:
    """The rows of ``text`` with the named query's parameters bound, as a multiset."""
    query = QueryLibrary(QUERIES).get(name)
    bindings = query.bind(values) if values else None
    return Counter(
        tuple(sorted((var, str(term)) for var, term in row.items()))
        for row in kb.query(text, bindings=bindings).rows()
    )


CASES = [
    ("assessment-history", {}),
    ("assessment-history", {"caseStudy": "swedeheart"}),
    ("assessment-history", {"caseStudy": "edges"}),
    ("assessment-history", {"caseStudy": "edges-only-parts"}),
    ("assessment-history", {"caseStudy": "many-0007"}),
    ("assessment-history", {"caseStudy": "syn-3"}),
    ("evidence-gaps-no-case-study", {}),
    ("evidence-gaps-no-case-study", {"scheme": "nasss"}),
    ("evidence-gaps-no-case-study", {"scheme": "strategy"}),
    ("evidence-gaps-no-case-study", {"scheme": "bcw"}),
    ("evidence-gaps-no-case-study", {"scheme": "maturity-grid"}),
]


@pytest.mark.parametrize(
    ("name", "values"),
    [pytest.param(n, v, id=f"{n}-{'-'.join(v.values()) or 'unbound'}") for n, v in CASES],
)
def test_the_rewrite_gives_the_former_rows(
    kb: KnowledgeBase, name: str, values: dict[str, str]
) -> None:
    former = (REFERENCE / f"{name}.rq").read_text(encoding="utf-8")
    current = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    assert former != current  # the reference is the text before the rewrite
    expected = answers(kb, former, values, name)
    assert expected  # every case has rows: an empty answer on both sides would prove nothing
    assert multiset_difference(answers(kb, current, values, name), expected) == SAME_MULTISET


def test_the_edges_give_the_rows_a_reader_expects(kb: KnowledgeBase) -> None:
    """The edge case study's history: complete domain ratings only, one row per level and per
    rating of a domain rated twice, the old assessment too, the unrated one once."""
    rows = kb.query_named("assessment-history", {"caseStudy": "edges"}).rows()
    got = Counter(
        (
            row["assessment"].value.rsplit("/", 1)[1],
            row["domainNotation"].value if "domainNotation" in row else None,
            row["level"].value.rsplit("/", 1)[1] if "level" in row else None,
        )
        for row in rows
    )
    assert got == Counter(
        [
            ("edges-a3", "1", "simple"),
            ("edges-a3", "4", "simple"),
            ("edges-a3", "4", "complex"),
            ("edges-a3", "5", "simple"),
            ("edges-a3", "5", "no-label"),
            ("edges-a2", "1", "complex"),
            ("edges-a1", None, None),
        ]
    )


def test_every_reference_is_a_named_query() -> None:
    names = {path.stem for path in Path(REFERENCE).glob("*.rq")}
    assert names == {name for name, _ in CASES}
    assert names <= set(QueryLibrary(QUERIES).names())
