"""The wheel smoke test (tests/smoke/wheel_smoke.py) as part of the suite, so CI runs it (#17)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tests.helpers import ROOT, missing_tool
from tests.smoke.wheel_smoke import SmokeFailure, same


@pytest.mark.slow
def test_the_installed_wheel_answers_as_the_checkout() -> None:
    for module in ("build", "hatchling"):
        if importlib.util.find_spec(module) is None:
            missing_tool(f"the Python package {module} (builds the wheel)", "make install")
    done = subprocess.run(
        [sys.executable, "-m", "tests.smoke.wheel_smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "wheel-smoke: all answers match" in done.stdout


def test_a_different_answer_fails_naming_the_step() -> None:
    with pytest.raises(SmokeFailure, match="lhs-kg stats"):
        same("triples: 10", "triples: 11", "lhs-kg stats")
