"""Benchmarks (not tests). Run each as a module from the repository root with the project's
environment, where ``lhs_kg`` and ``web`` are installed: ``.venv/bin/python -m bench.store``
(``make bench`` runs them all)."""

import argparse
from pathlib import Path

from lhs_kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
"""The repository: the content the benchmarks load, and ``bench/out/`` for generated data."""
OUT = ROOT / "bench" / "out"


def add_peer_option(parser: argparse.ArgumentParser) -> None:
    """``--embedded memory|disk``: the storage of the embedded store a remote one is compared
    with (disk is the default store's, and a store server's own)."""
    parser.add_argument(
        "--embedded",
        choices=("memory", "disk"),
        default="memory",
        help="the peer's storage: memory, or disk as the servers' (and a deployment's)",
    )


def peer_store(kind: str, folder: Path) -> EmbeddedStore | None:
    """The embedded peer ``--embedded`` asked for: on disk in ``folder``, or None (memory)."""
    return EmbeddedStore(folder) if kind == "disk" else None
