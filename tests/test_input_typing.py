"""Input typing at level 2: a non-number refused with any exception passes, with a review note;
a non-number accepted silently, with a made-up result, fails."""

from __future__ import annotations

import pytest

from tests.catalogue import patched
from tests.feedback_helpers import failure_blocks, kata, load_value

REFUSALS = [
    ("assert", "refuses_with_assert", AssertionError, "fails with an assert, not a TypeError"),
    ("float(data)", "refuses_through_float", ValueError, 'Value(1) + "a" raises ValueError, not TypeError'),
    ('"a".data', "refuses_with_attribute_error", AttributeError, 'Value(1) + "a" raises AttributeError, not TypeError'),
]


@pytest.mark.parametrize("name, patch, error, note", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_refusal_with_another_exception_is_a_note_not_a_failure(tmp_path, state, name, patch, error, note):
    path = patched(patch, tmp_path)
    with pytest.raises(error):
        load_value(path)(1.0) + "a"
    run = kata(2, path, "-k", "non_numeric or value_exponent", state=state)
    assert run.returncode == 0, run.output[-3000:]
    assert note in run.stdout, run.stdout[-3000:]


def test_a_non_number_accepted_with_a_made_up_result_still_fails(tmp_path, state):
    path = patched("non_number_is_zero", tmp_path)
    assert (load_value(path)(1.0) + "a").data == 1.0  # "a" became 0: a wrong Value, no refusal
    run = kata(2, path, "-k", "non_numeric", state=state)
    assert run.returncode == 1, run.output[-3000:]
    block = failure_blocks(run.stdout)["test_non_numeric_operand_is_refused"]
    assert block.startswith('Value(1) + "a" should be refused (raise TypeError); your engine returned Value('), block


def test_string_times_a_value_is_tried_and_is_the_value_of_a_string_note(tmp_path, state):
    """With int data, "a" * Value(1) is 1 * "a" = "a" in an engine without type checks: the Value("a") note."""
    path = patched("data_of_any_type", tmp_path)
    assert ("a" * load_value(path)(1)).data == "a"
    run = kata(2, path, "-k", "non_numeric", state=state)
    assert run.returncode == 0, run.output[-3000:]
    assert "Value('a') does not raise TypeError" in run.stdout, run.stdout[-3000:]


def test_the_level_2_test_refuses_a_string_times_a_value_that_makes_a_number(tmp_path, state):
    path = patched("rmul_string_length", tmp_path)
    run = kata(2, path, "-k", "non_numeric", state=state)
    assert run.returncode == 1, run.output[-3000:]
    block = failure_blocks(run.stdout)["test_non_numeric_operand_is_refused"]
    assert block.startswith('"a" * Value(1) should be refused'), block
