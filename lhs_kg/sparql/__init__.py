"""The engine's own SPARQL: one ``.rq`` file per query or update, in this package's folders.

The named queries of ``queries/`` are content a partner may change; these are the engine's
internals (page read models, contributions, exports, store upkeep), shipped inside the package
(package data, so a wheel carries them). A file is named by its path under this folder without
``.rq`` (``describe/labels-of``); it starts with a ``#+ summary:`` line and runs unchanged in
any SPARQL client; values are bound only by :func:`lhs_kg.sparql.binding.bind`.

>>> print(text("store/graph-names").splitlines()[-1])
SELECT DISTINCT ?g WHERE { GRAPH ?g { } }
"""

from __future__ import annotations

import threading
from pathlib import Path

from lhs_kg.errors import UnknownQueryError
from lhs_kg.sparql.binding import bind, term_to_sparql, values_block

__all__ = ["FOLDER", "bind", "names", "term_to_sparql", "text", "values_block"]

FOLDER = Path(__file__).resolve().parent
_TEXTS: dict[str, str] = {}
_LOCK = threading.Lock()


def names() -> list[str]:
    """Every internal query's name, sorted."""
    return sorted(p.relative_to(FOLDER).with_suffix("").as_posix() for p in FOLDER.rglob("*.rq"))


def text(name: str) -> str:
    """The text of the internal query ``name``, read once per process (they ship with the code)."""
    found = _TEXTS.get(name)
    if found is not None:
        return found
    path = (FOLDER / f"{name}.rq").resolve()
    if not path.is_relative_to(FOLDER) or not path.is_file():
        raise UnknownQueryError(f"no internal query named {name!r} in {FOLDER}")
    loaded = path.read_text(encoding="utf-8")
    with _LOCK:
        _TEXTS[name] = loaded
    return loaded
