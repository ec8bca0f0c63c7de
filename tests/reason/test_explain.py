"""How the explanation of an inconsistency runs: Explain.java shipped as a file, on any Java.

The program runs in Java's source-file mode when the runtime has its compiler module, else it is
compiled with the javac beside java; without either the error still says what is inconsistent.
The fake runtimes below wrap the real one and hide its compiler module (#13).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest

from lhs_kg import KnowledgeBase, Settings
from lhs_kg import reason as reason_module
from lhs_kg.errors import ReasonerUnavailableError, ReasoningError
from lhs_kg.reason import hermit_classpath, reason
from tests.helpers import REASON_EXAMPLES, MakeRoot, wheel_files

pytestmark = pytest.mark.slow

BROKEN = "https://w3id.org/lhs-kg/case-study/broken/rating/1"


def _runtime(folder: Path, java: str, *, javac: bool) -> str:
    """A ``java`` in ``folder`` that lists no jdk.compiler module, and maybe a ``javac`` beside."""
    folder.mkdir()
    fake = folder / "java"
    fake.write_text(
        f'#!/bin/sh\nif [ "$1" = "--list-modules" ]; then echo java.base@17; exit 0; fi\n'
        f'exec "{java}" "$@"\n'
    )
    fake.chmod(0o755)
    if javac:  # the real runtime's compiler module, called as a JDK's javac would be
        compiler = folder / "javac"
        compiler.write_text(
            f'#!/bin/sh\nexec "{java}" -m jdk.compiler/com.sun.tools.javac.Main "$@"\n'
        )
        compiler.chmod(0o755)
    return str(fake)


def _inconsistency(make_root: MakeRoot, java: str | None) -> ReasoningError:
    root = make_root(REASON_EXAMPLES / "rating-with-two-levels.ttl")
    settings = Settings(
        store="memory", root=root, ontology_dir=root / "ontology", data_dir=root / "data"
    )
    with KnowledgeBase(settings) as kb:
        kb.rebuild()
        with pytest.raises(ReasoningError) as caught:
            reason(kb.store, settings, java=java)
    return caught.value


def test_the_java_program_is_a_source_file_shipped_with_the_package() -> None:
    source = resources.files("lhs_kg.reason") / "Explain.java"
    assert "public class Explain" in source.read_text(encoding="utf-8")
    assert "lhs_kg/reason/Explain.java" in wheel_files()


def test_hermits_class_path_comes_from_owlready2s_installed_files() -> None:
    entries = hermit_classpath().split(os.pathsep)
    assert [Path(entry).name for entry in entries] == ["hermit", "HermiT.jar"]
    assert all(Path(entry).exists() for entry in entries), entries


def test_an_owlready2_without_the_jar_where_expected_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reason_module.resources, "files", lambda _package: tmp_path)
    hermit_classpath.cache_clear()
    try:
        with pytest.raises(ReasonerUnavailableError, match="HermiT jar is not where"):
            hermit_classpath()
    finally:
        monkeypatch.undo()
        hermit_classpath.cache_clear()


def test_without_the_compiler_module_explain_is_compiled_with_javac(
    make_root: MakeRoot, tmp_path: Path, java_runtime: str
) -> None:
    java = _runtime(tmp_path / "jdk", java_runtime, javac=True)
    error = _inconsistency(make_root, java)
    assert BROKEN in error.individuals
    assert error.axioms


def test_without_any_compiler_the_inconsistency_is_still_reported(
    make_root: MakeRoot, tmp_path: Path, java_runtime: str
) -> None:
    java = _runtime(tmp_path / "jre", java_runtime, javac=False)
    error = _inconsistency(make_root, java)
    assert "inconsistent" in str(error)
    assert "no explanation" in str(error) and "jdk.compiler" in str(error)
    assert error.axioms == []
