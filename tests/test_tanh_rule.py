"""tanh(1000): a review note at level 2, a failure at level 3 ("matches PyTorch": 1 with gradient 0).

The zoo's tests/zoo/tanh_overflows_at_1000.py is micrograd with an iterative sort
and the interior reset, but the lecture's tanh, (e**2x - 1) / (e**2x + 1).
"""

from __future__ import annotations

from runner import review
from tests.catalogue import patched
from tests.feedback_helpers import ROOT, failure_blocks, kata, load_value

LECTURE_TANH = ROOT / "tests" / "zoo" / "tanh_overflows_at_1000.py"
MICROGRAD = ROOT / "tests" / "zoo" / "correct" / "micrograd_as_learners_write.py"


def _keys(Value, level: int) -> set[str]:
    return {note.key for note in review.review(Value, level)}


def test_the_notes_that_level_3_fails_stop_at_level_2():
    Value = load_value(MICROGRAD)
    assert {"tanh-through-exp", "recursive-topological-sort"} <= _keys(Value, 2)
    assert not {"tanh-through-exp", "recursive-topological-sort"} & _keys(Value, 3)
    assert {"value-of-a-non-number", "assert-for-types"} <= _keys(Value, 3)  # still notes there


def test_the_lectures_tanh_passes_level_2_with_a_note(state):
    run = kata(2, LECTURE_TANH, "-k", "tanh", state=state)
    assert run.returncode == 0, run.output[-3000:]
    notes = run.stdout.split("review notes", 1)[1]
    assert "Value(1000).tanh() raises OverflowError" in notes and "use math.tanh(x)" in notes, notes


def test_the_lectures_tanh_fails_level_3_naming_tanh_and_math_tanh(state):
    run = kata(3, LECTURE_TANH, "-k", "tanh", state=state)
    assert run.returncode == 1, run.output[-3000:]
    blocks = failure_blocks(run.stdout)
    assert list(blocks) == ["test_tanh_of_1000_matches_pytorch"], list(blocks)
    block = blocks["test_tanh_of_1000_matches_pytorch"]
    assert block.startswith("Value(1000).tanh() raised OverflowError"), block
    assert "PyTorch gives tanh(1000) = 1 with gradient 0" in block, block
    assert "cause (confirmed by a probe): your tanh is right at x = 1" in block, block
    assert "fix: use math.tanh(x)" in block, block
    summary = run.stdout.split("kata: level 3", 1)[1]
    assert "raises OverflowError" not in summary.split("next:", 1)[0], summary  # a failure, not a note


def test_an_overflow_in_tanhs_backward_states_no_exp_cause(tmp_path, state):
    """math.tanh forward, 1 / cosh(x)**2 backward: the probe of the forward does not confirm the exp cause."""
    run = kata(3, patched("cosh_derivative", tmp_path), "-k", "tanh_of_1000", state=state)
    assert run.returncode == 1, run.output[-3000:]
    block = failure_blocks(run.stdout)["test_tanh_of_1000_matches_pytorch"]
    assert block.startswith("y = Value(1000).tanh() gave y.data = 1.0, then y.backward() raised OverflowError"), block
    assert "PyTorch gives tanh(1000) = 1 with gradient 0" in block, block
    assert "cause" not in block and "exp" not in block, block
