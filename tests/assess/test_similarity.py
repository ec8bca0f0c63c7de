"""The similarity of complexity profiles: mean absolute level difference over domains both rate."""

from __future__ import annotations

import pytest

from lhs_kg.assess import distance, most_similar


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        pytest.param({"1": 1, "2": 2, "3": 3}, {"1": 1, "2": 2, "3": 3}, (0.0, 3), id="same"),
        pytest.param({"1": 1, "2": 1}, {"1": 3, "2": 3}, (2.0, 2), id="opposite"),
        pytest.param({"1": 1, "2": 3, "3": 2}, {"1": 2, "2": 3}, (0.5, 2), id="theirs-unrated-3"),
        pytest.param({"1": 3}, {"1": 1, "2": 1, "3": 1}, (2.0, 1), id="mine-rates-one"),
        pytest.param({"1": 1, "2": 2, "4": 3}, {"1": 2, "3": 3, "4": 1}, (1.5, 2), id="partial"),
    ],
)
def test_distance_is_the_mean_difference_over_domains_both_rate(
    mine: dict[str, int], theirs: dict[str, int], expected: tuple[float, int]
) -> None:
    assert distance(mine, theirs) == expected


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [({"1": 1}, {"2": 1}), ({}, {"1": 1}), ({"1": 1}, {})],
    ids=["disjoint", "mine-empty", "theirs-empty"],
)
def test_no_shared_domain_means_no_distance(mine: dict[str, int], theirs: dict[str, int]) -> None:
    assert distance(mine, theirs) is None


def test_closest_first_then_more_domains_compared_then_key() -> None:
    mine = {"1": 3, "2": 3, "3": 1, "4": 2}
    candidates = {
        "far": {"1": 1, "2": 1, "3": 3, "4": 2},
        "near-three": {"1": 3, "2": 3, "3": 1},
        "near-four": {"1": 3, "2": 3, "3": 1, "4": 2},
        "b-half": {"1": 3, "2": 2, "3": 1, "4": 2},
        "a-half": {"1": 3, "2": 2, "3": 1, "4": 2},
    }
    found = most_similar(mine, candidates, limit=4)
    assert [s.key for s in found] == ["near-four", "near-three", "a-half", "b-half"]
    assert [s.compared for s in found] == [4, 3, 4, 4]
    assert found[2].distance == 0.25


def test_a_candidate_sharing_too_few_domains_is_not_ranked() -> None:
    mine = {"1": 3, "2": 3, "3": 3, "4": 3}
    candidates = {"coincidence": {"1": 3, "2": 3}, "real": {"1": 1, "2": 1, "3": 1}}
    assert [s.key for s in most_similar(mine, candidates)] == ["real"]


def test_a_team_rating_fewer_domains_than_the_minimum_is_compared_on_what_it_rated() -> None:
    found = most_similar({"7": 3}, {"a": {"7": 3, "1": 1}, "b": {"1": 1}})
    assert [(s.key, s.distance, s.compared) for s in found] == [("a", 0.0, 1)]


def test_an_unrated_profile_matches_nothing() -> None:
    assert most_similar({}, {"a": {"1": 1, "2": 2, "3": 3}}) == []


def test_limit_caps_the_list() -> None:
    candidates = {f"c{i}": {"1": 1, "2": 1, "3": 1} for i in range(6)}
    assert len(most_similar({"1": 1, "2": 1, "3": 1}, candidates, limit=3)) == 3
