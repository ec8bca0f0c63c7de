"""No tracked file holds a merge-conflict marker (one reached a page once, breaking its list)."""

from __future__ import annotations

import re
import subprocess

from tests.helpers import ROOT

MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)


def tracked_text_files() -> list[str]:
    """Tracked files git sees as text (``-I`` skips binary ones)."""
    done = subprocess.run(
        ["git", "grep", "-I", "-l", "-e", ""], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_no_tracked_file_holds_a_conflict_marker() -> None:
    found = [
        name
        for name in tracked_text_files()
        if MARKER.search((ROOT / name).read_text(encoding="utf-8", errors="replace"))
    ]
    assert found == [], f"merge-conflict markers left in {found}"
