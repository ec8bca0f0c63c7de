"""Several updates joined into one request (#16): PREFIX lines first (Oxigraph reads a prologue
only at the start), each body once, and the texts that cannot be joined refused readably."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from lhs_kg.errors import StoreError
from lhs_kg.store.base import join_updates

A = "PREFIX e: <http://e/>\n# a comment\nINSERT DATA { GRAPH e:g { e:a e:p 1 } } ;"
B = "PREFIX f: <http://e/>\nINSERT DATA { GRAPH f:g { f:b f:p 2 } }"


def test_joined_updates_run_as_one_request_on_pyoxigraph() -> None:
    store = ox.Store()
    store.update(
        join_updates([A, B, "  ", "PREFIX e: <http://e/> DELETE DATA { GRAPH e:g { e:a e:p 1 } }"])
    )
    assert {str(q.subject) for q in store} == {"<http://e/b>"}


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        pytest.param(
            ["PREFIX e: <http://e/> CLEAR ALL", "PREFIX e: <http://f/> CLEAR ALL"],
            "bind prefix e: to two IRIs",
            id="one-prefix-two-iris",
        ),
        pytest.param(["BASE <http://e/> CLEAR ALL"], "cannot carry a BASE", id="base"),
    ],
)
def test_updates_that_cannot_be_joined_are_refused(texts: list[str], message: str) -> None:
    with pytest.raises(StoreError, match=message):
        join_updates(texts)


def test_a_prefix_inside_a_comment_or_a_body_is_not_hoisted() -> None:
    joined = join_updates(["# PREFIX x: <http://x/>\nCLEAR ALL", "CLEAR GRAPH <http://e/PREFIX>"])
    assert joined == "CLEAR ALL\n;\nCLEAR GRAPH <http://e/PREFIX>"
