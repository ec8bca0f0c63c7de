"""Every LHS_KG_* variable lhs_kg.config reads is in the README's table of settings (#17)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT

CONFIG = (ROOT / "lhs_kg" / "config.py").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
VARIABLES = sorted(
    set(re.findall(r'"(LHS_KG_[A-Z_]+)"', CONFIG))
    | {f"LHS_KG_{name}" for name in re.findall(r'(?:folder|content)\(\s*"([A-Z_]+)"', CONFIG)}
)


def documented(name: str, text: str) -> bool:
    """Named in full, or by its tail in a row that names its family (`_DATA_DIR`)."""
    parts = name.split("_")
    tails = [f"`_{'_'.join(parts[i:])}`" for i in range(2, len(parts) - 1)]
    return f"`{name}`" in text or any(tail in text for tail in tails)


def test_the_variables_were_found() -> None:
    assert {"LHS_KG_STORE", "LHS_KG_CONTENT", "LHS_KG_VAR_DIR", "LHS_KG_DATA_DIR"} <= set(VARIABLES)


@pytest.mark.parametrize("name", VARIABLES)
def test_the_readme_documents_the_variable(name: str) -> None:
    assert documented(name, README)


def test_an_undocumented_variable_is_noticed() -> None:
    assert not documented("LHS_KG_NOT_A_SETTING", README)
