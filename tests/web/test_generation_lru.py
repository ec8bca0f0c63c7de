"""The page cache's store: bounded by bytes, one generation at a time (``web.generation_lru``)."""

from __future__ import annotations

import pytest

from web.generation_lru import GenerationLRU


def test_the_lru_keeps_within_its_bytes_and_drops_the_least_recently_used() -> None:
    cache: GenerationLRU[str, str] = GenerationLRU(1000, max_share=2)
    assert cache.get("a", 1) is None  # enter generation 1
    for key in "abcd":
        assert cache.put(key, key.upper(), 300, 1)
    assert cache.bytes <= 1000 and len(cache) == 3
    assert cache.get("a", 1) is None  # the oldest went first
    assert cache.get("b", 1) == "B"  # b is now the most recently used
    cache.put("e", "E", 300, 1)
    assert cache.get("c", 1) is None and cache.get("b", 1) == "B"
    assert cache.stats.evicted == 2


def test_an_entry_larger_than_its_share_is_refused() -> None:
    cache: GenerationLRU[str, str] = GenerationLRU(1000, max_share=4)
    cache.get("x", 1)
    assert not cache.put("big", "…", 251, 1)
    assert cache.put("fits", "…", 250, 1)
    assert cache.get("big", 1) is None


def test_a_new_generation_empties_the_cache_and_late_puts_are_refused() -> None:
    cache: GenerationLRU[str, str] = GenerationLRU(1000)
    cache.get("page", 1)
    cache.put("page", "old", 10, 1)
    assert cache.get("page", 2) is None  # a write happened: nothing of generation 1 is served
    assert cache.bytes == 0
    # a request that began before the write ends now: its page must not be kept
    assert not cache.put("page", "old", 10, 1)
    assert cache.get("page", 2) is None
    assert cache.put("page", "new", 10, 2)
    assert cache.get("page", 2) == "new"


def test_a_cache_needs_a_size() -> None:
    with pytest.raises(ValueError):
        GenerationLRU(0)
