"""Regression: the process-wide validator is built once even when many threads ask at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from lhs_kg.validate import engine
from tests.helpers import ROOT


def test_concurrent_first_requests_share_one_validator() -> None:
    shapes, ontology = (ROOT / "shapes" / "data",), (ROOT / "ontology",)
    context = ROOT / "ontology" / "context.jsonld"
    engine._VALIDATORS.pop((shapes, ontology, context), None)
    with ThreadPoolExecutor(max_workers=8) as pool:
        built = list(pool.map(lambda _: engine._validator(shapes, ontology, context), range(8)))
    assert all(v is built[0] for v in built)
