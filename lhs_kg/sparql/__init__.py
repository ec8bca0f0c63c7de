"""The engine's own SPARQL: one ``.rq`` file per query, in this package's folders.

(The same interface as the internal query folder of the m3-sparql branch: ``text(name)`` by
path without ``.rq``; that branch's module replaces this one when the two meet.)
"""

from __future__ import annotations

from pathlib import Path

from lhs_kg.errors import UnknownQueryError

FOLDER = Path(__file__).resolve().parent
_TEXTS: dict[str, str] = {}


def text(name: str) -> str:
    """The text of the internal query ``name`` (``describe/case-study-count``), read once."""
    found = _TEXTS.get(name)
    if found is None:
        path = (FOLDER / f"{name}.rq").resolve()
        if not path.is_relative_to(FOLDER) or not path.is_file():
            raise UnknownQueryError(f"no internal query named {name!r} in {FOLDER}")
        found = _TEXTS[name] = path.read_text(encoding="utf-8")
    return found
