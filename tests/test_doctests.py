"""The examples in the engine's docstrings run as tests, so the documentation cannot drift."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import lhs_kg

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(lhs_kg.__path__, prefix="lhs_kg.")
    if not info.name.startswith("lhs_kg.cli")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert failures == 0, f"{failures} docstring example(s) failed in {name}"
