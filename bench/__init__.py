"""Benchmarks (not tests). Run each as a module from the repository root with the project's
environment, where ``lhs_kg`` and ``web`` are installed: ``.venv/bin/python -m bench.store``
(``make bench`` runs them all)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository: the content the benchmarks load, and ``bench/out/`` for generated data."""
OUT = ROOT / "bench" / "out"
