"""How long the slowest submission that the bounds still accept takes to validate (#12).

pySHACL cannot be interrupted, so the time limit on validation is the size bounds: triples per
submission (LHS_KG_MAX_SUBMISSION_TRIPLES), members of one RDF list and (shape, focus) checks.
This script builds hostile submissions just inside those bounds (long lists as values, many
resources typed with every class, many cited sources), validates each and
prints a table plus the worst time. The peer rows are submissions that took 57 s (a 600 kB
Turtle list) and 13 s (a list shared by every property) before the bounds, now refused.

    .venv/bin/python -m bench.validate_bounds
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bench import ROOT
from lhs_kg.config import Settings
from lhs_kg.documents import MAX_LIST_MEMBERS, load_document
from lhs_kg.errors import InputError
from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import get_validator, validate

PREFIXES = """@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix bibo: <http://purl.org/ontology/bibo/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
"""
PROPERTIES = (
    "dcterms:title",
    "dcterms:description",
    "lhs:aim",
    "lhs:setting",
    "lhs:startYear",
    "lhs:endYear",
    "lhs:country",
    "lhs:scale",
    "lhs:organisation",
    "dcterms:source",
    "lhs:hasOutcome",
    "lhs:hasAssessment",
    "lhs:showsLoopStage",
    "lhs:addressesRationale",
    "lhs:appliesElement",
    "dcterms:license",
    "dcterms:contributor",
    "foaf:name",
    "foaf:homepage",
    "lhs:metric",
    "lhs:justification",
    "lhs:level",
)
TYPES = (
    "lhs:CaseStudy, lhs:Source, lhs:Organisation, lhs:Outcome, lhs:ComplexityAssessment, "
    "lhs:DomainRating, bibo:Report"
)
CS = "https://w3id.org/lhs-kg/case-study/"


def _list(name: str, members: int) -> str:
    cells = [f"_:{name}{j}" for j in range(members)]
    return " ".join(
        f'{cell} rdf:first "m{j}" ; rdf:rest {cells[j + 1] if j + 1 < members else "rdf:nil"} .'
        for j, cell in enumerate(cells)
    )


def own_lists(subjects: int, lists: int, uses: int = 1) -> str:
    """Lists at the member bound, each the value of ``uses`` properties (at most 4 accepted)."""
    text = PREFIXES
    for i in range(subjects):
        names = [f"s{i}l{k}x" for k in range(lists)]
        text += "\n".join(_list(name, MAX_LIST_MEMBERS) for name in names)
        values = " ;\n".join(
            f"{PROPERTIES[(k * uses + u) % len(PROPERTIES)]} _:{name}0"
            for k, name in enumerate(names)
            for u in range(uses)
        )
        text += f"\n<{CS}x{i}> a {TYPES} ;\n{values} .\n"
    return text


def shared_list(subjects: int) -> str:
    """One list as the value of every property (13 s of pySHACL before it was refused)."""
    text = PREFIXES + _list("l", MAX_LIST_MEMBERS)
    values = " ;\n".join(f"{p} _:l0" for p in PROPERTIES)
    return text + "".join(f"\n<{CS}x{i}> a {TYPES} ;\n{values} ." for i in range(subjects))


def every_class(subjects: int, value: str) -> str:
    """Subjects typed with every class the shapes target, every property given a wrong value."""
    text = PREFIXES
    for i in range(subjects):
        values = " ; ".join(f"{p} {value}" for p in PROPERTIES)
        text += f"<{CS}x{i}> a {TYPES} ; {values} .\n"
    return text


def many_sources(count: int) -> str:
    cited = ", ".join(f"<https://w3id.org/lhs-kg/source/s{i}>" for i in range(count))
    return PREFIXES + f"<{CS}x> a lhs:CaseStudy ; dcterms:source {cited} .\n"


def before_the_bounds() -> str:
    example = (ROOT / "data" / "examples" / "case-study.ttl").read_text(encoding="utf-8")
    items = " ".join(f'"x{i}"' for i in range(70_000))
    return example.replace('lhs:aim "Raise', f'lhs:aim ( {items} ) ; lhs:aim "Raise')


CASES: list[tuple[str, Callable[[], str]]] = [
    *[
        (f"{s} subject(s) x {n} lists of {MAX_LIST_MEMBERS}", lambda s=s, n=n: own_lists(s, n))
        for s, n in ((1, 19), (2, 9), (4, 4), (9, 2), (19, 1))
    ],
    ("one list shared by every property of 4 subjects", lambda: shared_list(4)),
    ("4 subjects x 4 lists of 50, each list shared 4 times", lambda: own_lists(4, 4, 4)),
    *[
        (f"{n} subjects of every class, values {v}", lambda n=n, v=v: every_class(n, v))
        for n in (10, 15, 20)
        for v in ('"v"', f"<{CS}x0>")
    ],
    *[
        (f"1 case study citing {n} unknown sources", lambda n=n: many_sources(n))
        for n in (100, 140)
    ],
    ("600 kB Turtle list (57 s before #12)", before_the_bounds),
]


def main() -> None:
    """Validate every case once (warm validator) and print the table and the worst time."""
    settings = Settings(store="memory")
    kb = KnowledgeBase(settings)
    kb.rebuild()
    get_validator(settings)
    worst = ("", 0.0)
    print(f"{'submission':58} {'bytes':>9} {'triples':>8} {'seconds':>8}  outcome")
    for name, make in CASES:
        text = make().encode("utf-8")
        started = time.monotonic()
        try:
            document = load_document(text, fmt="ttl", max_bytes=2_000_000)
            report = validate(document, kb=kb, settings=settings)
            triples, outcome = len(document.graph), f"validated ({len(report.issues)} issues)"
        except InputError as err:
            triples, outcome = 0, f"refused: {str(err)[:60]}"
        took = time.monotonic() - started
        if outcome.startswith("validated") and took > worst[1]:
            worst = (name, took)
        print(f"{name:58} {len(text):>9,} {triples or '-':>8} {took:>8.2f}  {outcome}")
    print(f"\nslowest accepted submission: {worst[1]:.2f} s ({worst[0]})")
    kb.close()


if __name__ == "__main__":
    main()
