"""Tests of literature intake: reference files read, checked and turned into a source list (#14)."""
