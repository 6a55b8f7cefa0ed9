"""Input typing at level 2: a non-number refused with any exception passes, with a review note;
a non-number accepted silently, with a made-up result, fails."""

from __future__ import annotations

import pytest

from tests.feedback_helpers import engine, failure_blocks, kata, load_value

AS_VALUE = '''    if isinstance(x, Value):
        return x
    if isinstance(x, Real):
        return Value(x)
    return NotImplemented'''
TYPE_CHECK = '''        if not isinstance(data, Real):
            raise TypeError(f"Value holds a real number, not {type(data).__name__} {data!r}")
'''
ASSERTS = [(AS_VALUE, '''    assert isinstance(x, (Value, Real)), "only numbers"
    return x if isinstance(x, Value) else Value(x)''')]
THROUGH_FLOAT = [(TYPE_CHECK, ""), (AS_VALUE, "    return x if isinstance(x, Value) else Value(x)")]
NO_WRAP = [(AS_VALUE, "    return Value(x) if isinstance(x, Real) else x")]  # "a".data: AttributeError
GARBAGE = [(AS_VALUE, "    return x if isinstance(x, Value) else Value(x if isinstance(x, Real) else 0.0)")]

REFUSALS = [
    ("assert", ASSERTS, AssertionError, "fails with an assert, not a TypeError"),
    ("float(data)", THROUGH_FLOAT, ValueError, 'Value(1) + "a" raises ValueError, not TypeError'),
    ('"a".data', NO_WRAP, AttributeError, 'Value(1) + "a" raises AttributeError, not TypeError'),
]


@pytest.mark.parametrize("name, mistakes, error, note", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_refusal_with_another_exception_is_a_note_not_a_failure(tmp_path, state, name, mistakes, error, note):
    path = engine(tmp_path, mistakes)
    with pytest.raises(error):
        load_value(path)(1.0) + "a"
    run = kata(2, path, "-k", "non_numeric or value_exponent", state=state)
    assert run.returncode == 0, run.output[-3000:]
    assert note in run.stdout, run.stdout[-3000:]


def test_a_non_number_accepted_with_a_made_up_result_still_fails(tmp_path, state):
    path = engine(tmp_path, GARBAGE)
    assert (load_value(path)(1.0) + "a").data == 1.0  # "a" became 0: a wrong Value, no refusal
    run = kata(2, path, "-k", "non_numeric", state=state)
    assert run.returncode == 1, run.output[-3000:]
    block = failure_blocks(run.stdout)["test_non_numeric_operand_is_refused"]
    assert block.startswith('Value(1) + "a" should be refused (raise TypeError); your engine returned Value('), block


def test_string_times_a_value_is_tried_and_is_the_value_of_a_string_note(tmp_path, state):
    """With int data, "a" * Value(1) is 1 * "a" = "a" in an engine without type checks: the Value("a") note."""
    path = engine(tmp_path, THROUGH_FLOAT + [("        self.data = float(data)", "        self.data = data")])
    assert ("a" * load_value(path)(1)).data == "a"
    run = kata(2, path, "-k", "non_numeric", state=state)
    assert run.returncode == 0, run.output[-3000:]
    assert "Value('a') does not raise TypeError" in run.stdout, run.stdout[-3000:]


def test_the_level_2_test_refuses_a_string_times_a_value_that_makes_a_number(tmp_path, state):
    rmul = [("    def __rmul__(self, other):\n", "    def __rmul__(self, other):\n"
             "        if isinstance(other, str):\n            return Value(len(other))\n")]
    path = engine(tmp_path, rmul)
    run = kata(2, path, "-k", "non_numeric", state=state)
    assert run.returncode == 1, run.output[-3000:]
    block = failure_blocks(run.stdout)["test_non_numeric_operand_is_refused"]
    assert block.startswith('"a" * Value(1) should be refused'), block
