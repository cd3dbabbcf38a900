"""The filing lifecycle: every allowed move is taken, every other one refused."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.compliance.domain.filings import STATUSES, TRANSITIONS, TransitionRefused, check_transition

ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]


def test_the_lifecycle_table_covers_every_status():
    assert set(TRANSITIONS) == set(STATUSES)
    assert all(targets <= set(STATUSES) for targets in TRANSITIONS.values())


@pytest.mark.parametrize("current, target", ALLOWED)
def test_every_allowed_move_is_taken(current, target):
    check_transition(current, target)


def test_the_happy_path_and_the_correction_loop_are_allowed():
    path = ["draft", "requested", "submitted", "pending_review", "rejected", "submitted", "pending_review",
            "accepted", "active", "cancel_pending", "cancelled"]
    for current, target in zip(path, path[1:]):
        check_transition(current, target)


@pytest.mark.parametrize("current, target", [
    ("draft", "active"), ("draft", "submitted"), ("requested", "accepted"), ("submitted", "active"),
    ("pending_review", "active"), ("rejected", "accepted"), ("active", "draft"), ("active", "cancelled"),
    ("cancelled", "active"), ("superseded", "active"), ("expired", "active"), ("accepted", "accepted"),
])
def test_a_sample_of_refused_moves(current, target):
    with pytest.raises(TransitionRefused) as refused:
        check_transition(current, target)
    assert current in str(refused.value) and target in str(refused.value)


@given(st.sampled_from(STATUSES), st.sampled_from(STATUSES))
def test_a_move_is_allowed_exactly_when_the_table_lists_it(current, target):
    try:
        check_transition(current, target)
        allowed = True
    except TransitionRefused:
        allowed = False
    assert allowed == (target in TRANSITIONS[current])


@pytest.mark.parametrize("final", ["cancelled", "superseded", "expired", "waived"])
def test_final_states_have_no_way_out(final):
    assert TRANSITIONS[final] == frozenset()


def test_only_a_filing_not_yet_with_the_body_may_be_waived():
    assert {status for status, targets in TRANSITIONS.items() if "waived" in targets} == {"draft", "requested", "rejected"}
