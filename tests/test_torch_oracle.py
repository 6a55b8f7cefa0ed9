"""The PyTorch oracle, the level-3 graph strategy and the compare command, on right and wrong engines."""

from __future__ import annotations

import math

import pytest
from hypothesis import given

from reference.engine import Value
from runner import impl, manifest
from tests.catalogue import patched
from utils.ops import OPS, ops_up_to
from utils.programs import Program, Step
from utils.strategies import oracle_programs
from utils.torch_oracle import TORCH_MISSING, close, compare_numbers, compare_with_torch, require_torch

torch = pytest.importorskip("torch")

ALL_OPS = [op.name for op in ops_up_to(2)]
SHARED = Program(2, (Step("mul", (0, 1)), Step("mul", (2, 2)), Step("add", (3, 2)), Step("add", (4, 0))))


def variant(tmp_path, name):
    """The catalogue's patch ``name`` of the reference engine, loaded like a learner's file."""
    return impl.load(str(patched(name, tmp_path)), manifest.level(3)).Value


# -- agreement -----------------------------------------------------------------


def test_reference_agrees_on_a_program_and_a_function():
    report = compare_with_torch(SHARED, [0.7, -1.3], Value)
    assert report.ok, str(report)
    assert set(report.engine_grads) == {"x0", "x1", "n2", "n3", "n4", "n5"}, "every node's grad is compared"
    assert report.engine_out == pytest.approx(0.7 * -1.3 * (0.7 * -1.3) + 0.7 * -1.3 + 0.7)
    assert "agrees with PyTorch" in str(report)
    report = compare_with_torch(lambda x, y: (x * y).tanh() + 2.0 / y, [0.5, -1.5], Value, names=["x", "y"])
    assert report.ok, str(report)
    assert set(report.engine_grads) == {"x", "y"}
    t = math.tanh(-0.75)
    assert report.torch_grads["x"] == pytest.approx((1 - t * t) * -1.5)


def test_backward_twice_doubles_inputs_and_keeps_interior_grads_of_one_call():
    report = compare_with_torch(SHARED, [0.7, -1.3], Value, backward_calls=2)
    assert report.ok, str(report)
    once = compare_with_torch(SHARED, [0.7, -1.3], Value)
    assert report.torch_grads["x0"] == pytest.approx(2 * once.torch_grads["x0"])
    assert report.torch_grads["n2"] == pytest.approx(once.torch_grads["n2"])


def test_close_is_relative_and_absolute():
    assert close(1.0, 1.0 + 1e-6) and close(0.0, 9e-6) and close(1e6, 1e6 + 5.0)
    assert not close(1.0, 1.0 + 3e-5) and not close(0.0, 2e-5) and not close(1e6, 1e6 + 30.0)
    assert close(math.nan, math.nan) and not close(math.nan, 0.0) and not close(math.inf, 1e308)


def test_compare_numbers_keeps_only_the_disagreements():
    found = compare_numbers([("a", 1.0, 1.0), ("b", 2.0, 2.5), ("c", 0.0, 1e-7)])
    assert [m.what for m in found] == ["b"]
    assert "2.0" in str(found[0]) and "2.5" in str(found[0])


# -- disagreement: wrong engines are caught and shown with both numbers ---------


def test_a_wrong_derivative_is_caught_at_its_node(tmp_path):
    Wrong = variant(tmp_path, "wrong_tanh")
    program = Program(2, (Step("mul", (0, 1)), Step("tanh", (2,)), Step("add", (3, 0))))
    report = compare_with_torch(program, [0.5, 2.0], Wrong)
    assert not report.ok
    whats = [m.what for m in report.mismatches]
    assert "grad of n2" in whats and "grad of x0" in whats and "grad of n3" not in whats
    m = next(m for m in report.mismatches if m.what == "grad of n2")
    assert m.engine == pytest.approx(1 - math.tanh(1.0)) and m.expected == pytest.approx(1 - math.tanh(1.0) ** 2)
    text = str(report)
    assert "n3 = tanh(n2)" in text and "x0 = Value(0.5)" in text, "the graph is shown as code"
    assert repr(m.engine) in text and repr(m.expected) in text, "both numbers are shown"


def test_a_wrong_forward_is_reported_as_a_value(tmp_path):
    Wrong = variant(tmp_path, "wrong_exp")
    report = compare_with_torch(lambda x: x.exp() * x, [1.0], Wrong)
    assert [m.what for m in report.mismatches][:1] == ["value of out"]


def test_relu_gradient_one_at_zero_is_caught(tmp_path):
    Wrong = variant(tmp_path, "relu_grad_at_zero")
    program = Program(2, (Step("sub", (0, 0)), Step("relu", (2,)), Step("mul", (3, 1)), Step("add", (4, 0))))
    report = compare_with_torch(program, [1.5, -2.0], Wrong)
    assert [m.what for m in report.mismatches] == ["grad of n2"], str(report)


def test_compounding_second_backward_is_caught(tmp_path):
    Wrong = variant(tmp_path, "second_backward_compounds")
    report = compare_with_torch(SHARED, [0.7, -1.3], Wrong, backward_calls=2)
    whats = {m.what for m in report.mismatches}
    assert {"grad of x0", "grad of x1", "grad of n2"} <= whats, str(report)
    assert "backward() called 2 times" in str(report)


def test_require_torch_skips_with_one_line(monkeypatch):
    import utils.torch_oracle as oracle

    assert require_torch() is torch
    monkeypatch.setattr(oracle, "torch_available", lambda: False)
    with pytest.raises(pytest.skip.Exception) as info:
        oracle.require_torch()
    assert str(info.value) == TORCH_MISSING
    assert "\n" not in TORCH_MISSING and "nox -s level3" in TORCH_MISSING and "torch==2.13.0" in TORCH_MISSING


# -- the level-3 strategy: every op, always inside its domain -------------------


@given(case=oracle_programs(ALL_OPS, n_inputs=3, max_steps=10))
def test_oracle_programs_stay_in_their_domains(case):
    program, xs = case
    assert len(xs) == 3 and all(-2 <= x <= 2 for x in xs)
    nodes = program.run(*[torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs])
    for step, k in zip(program.steps, range(program.n_inputs, len(nodes))):
        args = [nodes[r] if isinstance(r, int) else r for r in step.refs]
        vals = [float(a.detach()) if isinstance(a, torch.Tensor) else a for a in args]
        if step.op == "pow":
            assert 0.5 <= vals[0] <= 3.0, f"{program.name(k)}: base {vals[0]}"
        if step.op in ("truediv", "rtruediv"):
            assert abs(vals[1]) >= 0.5 - 1e-12, f"{program.name(k)}: divisor {vals[1]}"
        if step.op == "exp":
            assert vals[0] <= 4.0 + 1e-12
        if step.op == "relu":
            assert vals[0] == 0.0 or abs(vals[0]) >= 1e-6 * 0.99, f"{program.name(k)}: relu near its kink"
    nodes[-1].backward()
    assert all(x.grad is not None for x in nodes[: program.n_inputs]), "every input reaches the output"
    values = [n.item() for n in nodes] + [x.grad.item() for x in nodes[: program.n_inputs]]
    assert all(math.isfinite(v) for v in values)
    assert "\n" in repr(case) and repr(case).startswith("x0 = Value("), "a failing case prints as code"


@pytest.mark.parametrize("name", ALL_OPS)
def test_oracle_programs_can_use_every_op(name):
    from hypothesis import find

    case = find(oracle_programs(ALL_OPS, n_inputs=2, max_steps=3, must_use=name), lambda c: True)
    assert name in {s.op for s in case.program.steps}


def test_oracle_programs_reach_relu_at_exactly_zero():
    from hypothesis import find

    def relu_at_zero(case):
        program, xs = case
        nodes = _float_nodes(program, xs)
        return any(s.op == "relu" and nodes[s.refs[0]] == 0.0 for s in program.steps)

    find(oracle_programs(ALL_OPS, n_inputs=2, max_steps=4, must_use="relu"), relu_at_zero)


def _float_nodes(program, xs):
    nodes = list(xs)
    for s in program.steps:
        nodes.append(OPS[s.op].fn(*[nodes[r] if isinstance(r, int) else r for r in s.refs]))
    return nodes


# -- nox -s compare --------------------------------------------------------------


@pytest.mark.timeout(300)
def test_compare_prints_a_table_and_passes_the_reference(capsys):
    from tools.compare import main

    assert main(["--impl", "reference", "--level", "4"]) == 0
    out = capsys.readouterr().out
    assert "computation" in out and "PyTorch" in out and "verdict" in out
    assert "op tanh" in out and "chain of 100,000" in out and "MLP(2, [8, 8, 1])" in out
    assert "agree with PyTorch" in out


@pytest.mark.timeout(300)
def test_compare_flags_a_wrong_engine(tmp_path, capsys):
    from tools.compare import main

    patched("wrong_tanh", tmp_path)
    assert main(["--impl", str(tmp_path / "value.py"), "--level", "3"]) == 1
    out = capsys.readouterr().out
    tanh_row = next(line for line in out.splitlines() if line.startswith("op tanh"))
    assert "differ" in tanh_row
    add_row = next(line for line in out.splitlines() if line.startswith("op add"))
    assert add_row.rstrip().endswith("ok")


# -- the worker that imports PyTorch on another core (runner/torch_worker.py) ------------


@pytest.fixture
def worker():
    from runner.torch_worker import Worker
    from utils import torch_oracle

    w = Worker()
    torch_oracle.use_worker(w)
    yield w
    torch_oracle.use_worker(None)
    w.stop()


def test_the_worker_gives_the_same_numbers_as_this_process(worker, tmp_path):
    from utils.torch_oracle import in_torch, mlp_hinge_steps

    asked = [(in_torch, SHARED, [0.7, -1.3], 2), (mlp_hinge_steps, [0.1 * i for i in range(9)], 2, [2, 1],
                                                  [[0.5, -1.0], [1.5, 0.25]], [1.0, -1.0], 1e-3, [0.5, 0.0])]
    for fn, *args in asked:
        assert worker.call(fn, *args) == fn(*args)
    assert worker.proc is not None, "the worker answered every question"
    program = Program(2, (Step("mul", (0, 1)), Step("tanh", (2,)), Step("add", (3, 0))))
    report = compare_with_torch(program, [0.5, 2.0], variant(tmp_path, "wrong_tanh"))
    assert [m.what for m in report.mismatches] == ["grad of x0", "grad of x1", "grad of n2"], str(report)
    assert compare_with_torch(program, [0.5, 2.0], Value).ok


def test_what_the_worker_cannot_answer_is_answered_here(worker):
    from utils.torch_oracle import in_torch

    report = compare_with_torch(lambda x, y: (x * y).tanh(), [0.5, -1.5], Value)  # a lambda does not pickle
    assert report.ok and worker.proc is not None
    with pytest.raises(TypeError):  # an error in the worker is raised here again, with its traceback
        worker.call(in_torch, object(), [1.0])
    assert worker.proc is not None, "an error in a question does not stop the worker"
    worker.proc.kill()
    worker.proc.wait()
    assert compare_with_torch(SHARED, [0.7, -1.3], Value).ok, "a dead worker: the answer is computed here"
    assert worker.proc is None
