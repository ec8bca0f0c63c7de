"""A second graph a bulk load also writes to, in the same pass: the published copy (#16).

Copying a million loaded quads into the published graph after the load took about three times
as long as the load itself (the store is read back quad by quad); writing each quad twice while
it is parsed costs little more than writing it once. The store says which graphs it copied, so
the layout records them as sources without copying them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Mirror:
    """Where a load also writes what it loads, and what it must keep there if it is undone.

    ``wanted`` says whether the quads of a graph (by name) belong in ``graph``; ``keepers`` are
    the graphs ``graph`` is already the union of: a triple one of them holds stays in ``graph``
    when a failed load is undone. The store fills ``copied`` with the graphs it mirrored.
    """

    graph: str
    wanted: Callable[[str], bool]
    keepers: frozenset[str]
    copied: set[str] = field(default_factory=set)
