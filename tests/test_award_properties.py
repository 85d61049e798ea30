"""Properties of the market-clearing award and of scoring, on random markets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim import load_scenario, scoring
from sim.award import award

SETTINGS = settings(max_examples=200, deadline=None)
SCORING = load_scenario("baseline").scoring

finite_scores = st.floats(-5, 5, allow_nan=False)
score_cells = st.one_of(finite_scores, finite_scores, finite_scores, st.just(-np.inf))


@st.composite
def markets(draw):
    P = draw(st.integers(1, 14))
    J = draw(st.integers(1, 6))
    C = draw(st.integers(1, 5))
    score = draw(arrays(np.float64, (P, J), elements=score_cells))
    centre = draw(arrays(np.int64, (P, J), elements=st.integers(0, C - 1)))
    fte = draw(arrays(np.float64, P, elements=st.floats(0.1, 10)))
    spare = draw(arrays(np.float64, C, elements=st.one_of(st.floats(0, 25), st.just(np.inf))))
    market = {"score": score, "option_centre": centre, "fte": fte, "spare": spare}
    return market


def remaining(m, choice):
    won = np.flatnonzero(choice >= 0)
    used = np.bincount(m["option_centre"][won, choice[won]], m["fte"][won], m["spare"].size)
    return m["spare"] - used


def check_basic(m, choice):
    P, J = m["score"].shape
    assert choice.shape == (P,)                                   # one decision per package: at most one award
    assert np.all((choice >= -1) & (choice < J))
    won = np.flatnonzero(choice >= 0)
    assert np.all(np.isfinite(m["score"][won, choice[won]]))       # only invited, feasible options win
    left = remaining(m, choice)
    assert np.all(left[np.isfinite(left)] >= -1e-6)                # no centre over capacity


@SETTINGS
@given(markets())
def test_award_respects_capacity_and_invitations(m):
    choice = award(m["score"], m["option_centre"], m["fte"], m["spare"])
    check_basic(m, choice)


def test_award_leaves_no_fitting_package_unassigned():
    score = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 1, 0, 0, 0, 2, 0, 0], dtype=float)[:, None]
    fte = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 6, 5, 14, 1, 1, 3, 15, 1, 1], dtype=float)
    spare = np.array([20.0])
    choice = award(score, np.zeros(score.shape, dtype=np.int64), fte, spare)
    left = spare[0] - fte[choice >= 0].sum()
    unassigned = np.flatnonzero(choice < 0)
    assert left >= 0
    assert not (fte[unassigned] <= left).any(), (unassigned.tolist(), left)


@SETTINGS
@given(markets())
def test_award_gives_no_package_a_better_option_with_room(m):
    """Greedy by preference: every option a winner ranks above its award had no room left for it.

    (Capacity only shrinks, and a proposal moves on only when it no longer fits.)"""
    choice = award(m["score"], m["option_centre"], m["fte"], m["spare"])
    left = remaining(m, choice)
    for p in np.flatnonzero(choice >= 0):
        better = np.flatnonzero(m["score"][p] > m["score"][p, choice[p]])
        assert np.all(left[m["option_centre"][p, better]] < m["fte"][p] + 1e-9), p


def test_award_on_a_hand_made_market():
    score = np.array([[3.0, 1.0], [2.0, 1.0], [1.0, -np.inf]])
    centre = np.array([[0, 1], [0, 1], [0, 1]])
    fte = np.array([4.0, 4.0, 1.0])
    spare = np.array([5.0, 10.0])
    choice = award(score, centre, fte, spare)
    # package 0 takes centre 0, package 1 no longer fits there and goes to centre 1, package 2 fits in what is left
    assert choice.tolist() == [0, 1, 0]
    assert award(np.zeros((0, 2)), np.zeros((0, 2), dtype=np.int64), np.zeros(0), spare).size == 0


# --------------------------------------------------------------------------- scoring

@SETTINGS
@given(
    arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 6)), elements=st.floats(1.0, 1e6)),
    st.floats(0, 20),
    st.data(),
)
def test_price_score_is_one_for_the_cheapest_feasible_option(total, sensitivity, data):
    feasible = data.draw(arrays(np.bool_, total.shape))
    ps = scoring.price_score(total, feasible, sensitivity)
    assert np.all(ps >= 0)
    for row in range(total.shape[0]):
        if not feasible[row].any():
            continue
        cheapest = np.argmin(np.where(feasible[row], total[row], np.inf))
        assert ps[row, cheapest] == pytest.approx(1.0)
        assert np.all(ps[row, feasible[row]] <= 1.0 + 1e-12)
        # dearer feasible options never score above cheaper ones
        f = np.flatnonzero(feasible[row])
        order = f[np.argsort(total[row, f], kind="stable")]
        assert np.all(np.diff(ps[row, order]) <= 1e-12)


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 5), st.data())
def test_score_is_minus_inf_exactly_where_infeasible(P, J, data):
    unit = st.floats(0, 1)
    criteria = {name: data.draw(arrays(np.float64, (P, J), elements=unit))
                for name in ("technical", "service", "price", "team_stability", "data_security")}
    location = data.draw(arrays(np.int64, (P, J), elements=st.integers(0, 3)))
    risk = data.draw(arrays(np.float64, (P, J), elements=unit))
    feasible = data.draw(arrays(np.bool_, (P, J)))
    s = scoring.score(criteria, location, risk, SCORING, np.random.default_rng(0), feasible)
    assert np.all(np.isneginf(s[~feasible]))
    assert np.all(np.isfinite(s[feasible]))


def test_score_prefers_cheaper_and_safer_options_without_noise():
    params = SCORING.model_copy(update={"choice_noise": 0.0})
    ones = np.ones((1, 3))
    criteria = {name: ones * 0.7 for name in ("technical", "service", "team_stability", "data_security")}
    criteria["price"] = scoring.price_score(np.array([[100.0, 120.0, 150.0]]), np.ones((1, 3), bool), params.price_sensitivity)
    s = scoring.score(criteria, np.zeros((1, 3), dtype=np.int64), np.zeros((1, 3)), params, np.random.default_rng(0), np.ones((1, 3), bool))
    assert s[0, 0] > s[0, 1] > s[0, 2]
    risky = scoring.score(criteria, np.zeros((1, 3), dtype=np.int64), np.full((1, 3), 0.5), params, np.random.default_rng(0), np.ones((1, 3), bool))
    assert np.all(risky < s)
    offshore = scoring.score(criteria, np.full((1, 3), 2), np.zeros((1, 3)), params, np.random.default_rng(0), np.ones((1, 3), bool))
    assert np.all(offshore < s)
    w = scoring.weights(params)
    assert w.sum() == pytest.approx(1.0) and np.all(w >= 0)
