"""`init` with no content is an error naming the folder, never "0 graphs loaded" (#17)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lhs_kg.cli import main
from tests.helpers import clean_env


def _folders(root: Path, *names: str) -> None:
    for name in names:
        (root / name).mkdir(parents=True)


@pytest.mark.parametrize(
    ("made", "named"),
    [
        pytest.param((), "ontology", id="no-folders-at-all"),
        pytest.param(("ontology",), "data", id="no-data-folder"),
        pytest.param(("data",), "ontology", id="no-ontology-folder"),
        pytest.param(("ontology", "data"), "ontology", id="folders-without-files"),
        pytest.param(("ontology", "data/examples"), "data", id="only-examples"),
    ],
)
def test_init_without_content_exits_2_naming_the_folder(
    tmp_path: Path, made: tuple[str, ...], named: str
) -> None:
    root = tmp_path / "content"
    root.mkdir()
    _folders(root, *made)
    if "data/examples" in made:
        (root / "data" / "examples" / "x.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n")
    store = tmp_path / "store"
    env = clean_env() | {"LHS_KG_ROOT": str(root), "LHS_KG_STORE": str(store)}
    result = CliRunner().invoke(main, ["init"], env=env)
    assert result.exit_code == 2
    assert str(root / named) in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not store.exists()
