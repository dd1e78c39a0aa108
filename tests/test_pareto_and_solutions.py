import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.engine.pareto import pareto_mask
from sim.engine.solutions import nash_solution


def brute_force_mask(points):
    at_least = (points[:, None, :] >= points[None, :, :]).all(axis=2)
    better = (points[:, None, :] > points[None, :, :]).any(axis=2)
    return ~(at_least & better).any(axis=0)


def test_two_party_frontier_keeps_duplicates_and_drops_dominated_points():
    points = np.array([[1, 0], [0, 1], [0.5, 0.5], [0.5, 0.5], [0.4, 0.4], [1, 0], [0.9, 0]])
    assert pareto_mask(points).tolist() == [True, True, True, True, False, True, False]


def test_equal_first_utility_keeps_only_the_best_second():
    points = np.array([[1.0, 0.2], [1.0, 0.3], [0.5, 0.3]])
    assert pareto_mask(points).tolist() == [False, True, False]


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(0, 300), st.integers(1, 5)),
        elements=st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]),
    )
)
def test_frontier_matches_the_definition_of_dominance(points):
    assert (pareto_mask(points) == brute_force_mask(points)).all()


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 4))
def test_frontier_points_are_mutually_non_dominated(seed, parties):
    points = np.random.default_rng(seed).random((500, parties))
    front = points[pareto_mask(points)]
    assert len(front) > 0
    assert brute_force_mask(front).all()


def test_nash_solution_of_a_linear_split_is_the_textbook_answer():
    # Divide one unit; u1 = x, u2 = 1 - x, disagreement (0.2, 0): max (x - 0.2)(1 - x) at 0.6.
    x = np.linspace(0, 1, 101)
    utilities = np.stack([x, 1 - x], axis=1)
    (best,) = nash_solution(utilities, np.array([0.2, 0.0]))
    assert x[best] == 0.6


def test_asymmetric_nash_gives_the_stronger_party_its_power_share():
    # Product x^a (1-x)^b is maximized at x = a / (a + b).
    x = np.linspace(0, 1, 1001)
    utilities = np.stack([x, 1 - x], axis=1)
    (best,) = nash_solution(utilities, np.zeros(2), np.array([3.0, 1.0]))
    assert x[best] == 0.75


def test_nash_reports_all_ties():
    utilities = np.array([[0.6, 0.4], [0.4, 0.6], [0.5, 0.3]])
    assert nash_solution(utilities, np.zeros(2)).tolist() == [0, 1]


def test_nash_prefers_positive_gains_for_more_parties_when_some_gain_is_zero():
    utilities = np.array([[0.2, 0.9], [0.3, 0.5], [0.2, 1.0]])
    assert nash_solution(utilities, np.array([0.2, 0.0])).tolist() == [1]


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 6), st.sampled_from([1, 2, 3]))
def test_large_frontiers_match_the_definition(seed, parties, decimals):
    # Large enough for the pivot pre-filter and several skyline blocks; coarse values
    # give many ties and duplicates.
    points = np.round(np.random.default_rng(seed).random((3000, parties)), decimals)
    expected = np.ones(len(points), dtype=bool)
    for first in range(0, len(points), 500):
        block = points[first : first + 500]
        at_least = (points[:, None, :] >= block[None, :, :]).all(axis=2)
        better = (points[:, None, :] > block[None, :, :]).any(axis=2)
        expected[first : first + 500] = ~(at_least & better).any(axis=0)
    assert (pareto_mask(points) == expected).all()


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.just(2)),
        elements=st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]),
    ),
    arrays(
        np.float64,
        st.tuples(st.integers(1, 60), st.just(2)),
        elements=st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]),
    ),
)
def test_two_party_dominance_by_binary_search_matches_pairwise_comparison(front, candidates):
    from sim.engine.pareto import dominated_by

    at_least = (front[:, None, :] >= candidates[None, :, :]).all(axis=2)
    better = (front[:, None, :] > candidates[None, :, :]).any(axis=2)
    assert (dominated_by(front, candidates) == (at_least & better).any(axis=0)).all()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(513, 1500), st.sampled_from([1, 2, 12]))
def test_three_party_frontiers_by_divide_and_conquer_match_the_definition(seed, n, decimals):
    # Past one block, three dimensions take the divide-and-conquer path; coarse values
    # give ties and duplicates, points on a sphere put most of them on the frontier.
    rng = np.random.default_rng(seed)
    points = rng.random((n, 3))
    if decimals == 12:
        points = np.round(points / np.linalg.norm(points, axis=1)[:, None], decimals)
    else:
        points = np.round(points, decimals)
    assert (pareto_mask(points) == brute_force_mask(points)).all()
