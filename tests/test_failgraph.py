"""The failing graph: right grads beside the engine's, the op whose backward went wrong marked, never a right one."""

from __future__ import annotations

import importlib
import importlib.util
import shlex
from types import SimpleNamespace

import pytest

from runner import failgraph, recognise
from tests.feedback_helpers import failure_blocks, kata
from tools import graph as graph_tool
from tools.bughunt import catalogue, scaffold
from utils import visualization
from utils.graph import operands


@pytest.fixture(autouse=True)
def failures_folder(tmp_path, monkeypatch):
    folder = tmp_path / "failures"
    monkeypatch.setenv("KATA_FAILURES_DIR", str(folder))
    return folder


def engine(name: str) -> type:
    return importlib.import_module(name).Value


# graphs where each op has something before and after it, so a wrong share cannot hide
GRAPHS = {
    "add": lambda V: (lambda x, y: (x + y) * x)(V(1.5), V(-2.5)),
    "mul": lambda V: (lambda a, b, c: (a * b) * c + a)(V(2.0), V(3.0), V(-1.5)),
    "tanh": lambda V: (lambda x, w: x.tanh() * w + x)(V(0.5), V(2.0)),
    "relu": lambda V: (lambda x, w: x.relu() * w + x)(V(-0.5), V(2.0)),
    "relu at 0": lambda V: (lambda x, w: x.relu() * w + x)(V(0.0), V(2.0)),
    "exp": lambda V: (lambda x, w: x.exp() * w + x)(V(0.5), V(2.0)),
    "pow": lambda V: (lambda x, w: (x**3) * w + x)(V(1.5), V(2.0)),
    "neg": lambda V: (lambda x, w: (-x) * w + x)(V(1.5), V(2.0)),
    "sub": lambda V: (lambda x, w: (x - w) * w + x)(V(1.5), V(2.0)),
    "div": lambda V: (lambda x, w: (x / w) * w + x)(V(1.5), V(2.0)),
    "tanh twice": lambda V: (lambda x: x.tanh() + x.tanh())(V(0.5)),
    "order": lambda V: (lambda x: (lambda y: (y * y) * 3 + y)(x * x))(V(1.5)),
}

# a wrong engine of the zoo, a graph on which its bug shows, the op (registry name) the bug is in
ONE_WRONG_OP = [
    ("tanh_derivative_of_input", "tanh", "tanh"),
    ("tanh_derivative_of_input", "tanh twice", "tanh"),
    ("add_assigns_first_operand", "add", "add"),
    ("add_forgets_second_operand", "tanh", "add"),
    ("mul_derivative_swapped", "mul", "mul"),
    ("mul_derivative_swapped", "tanh", "mul"),
    ("mul_ignores_out_grad", "mul", "mul"),
    ("mul_assigns_second_operand", "order", "mul"),
    ("relu_derivative_always_one", "relu", "relu"),
    ("relu_derivative_one_at_zero", "relu at 0", "relu"),
    ("exp_derivative_is_input", "exp", "exp"),
    ("pow_derivative_keeps_exponent", "pow", "pow"),
    ("pow_assigns_its_operand", "div", "pow"),
    ("assign_in_tanh_backward", "tanh twice", "tanh"),
    ("neg_derivative_positive", "neg", "neg"),
    ("sub_derivative_positive", "sub", "sub"),
    ("truediv_derivative_sign", "div", "truediv"),
]


def analysed(module: str, graph: str) -> failgraph.Analysis:
    out = GRAPHS[graph](engine(module))
    out.backward()
    return failgraph.analyse(out)


@pytest.mark.parametrize("zoo, graph, op", ONE_WRONG_OP)
def test_the_marked_op_is_the_one_the_bug_is_in(zoo, graph, op):
    analysis = analysed(f"tests.zoo.{zoo}", graph)
    assert analysis.wrong(), f"{zoo} gives right grads on {graph}: the case proves nothing"
    marked = [n for n in analysis.nodes if id(n) in analysis.marked]
    assert marked, f"{zoo}: no op marked on {graph}"
    assert {recognise.identify(n).op.name for n in marked} == {op}, failgraph.lines(analysis)


def test_a_wrong_tanh_derivative_marks_the_tanh_node():
    analysis = analysed("tests.zoo.tanh_derivative_of_input", "tanh")
    (marked,) = [n for n in analysis.nodes if id(n) in analysis.marked]
    assert marked._op == "tanh" and analysis.marked[id(marked)].kind == "local"


def test_an_assignment_in_add_marks_the_add_whose_operand_is_used_twice():
    V = engine("tests.zoo.add_assigns_first_operand")
    x, y = V(1.5), V(-2.5)
    out = (x + y) * x
    out.backward()
    analysis = failgraph.analyse(out)
    (marked,) = [n for n in analysis.nodes if id(n) in analysis.marked]
    assert marked is not out and any(o is x for o in operands(marked)) and any(o is x for o in operands(out))
    assert analysis.marked[id(marked)].kind == "accumulation"
    text = "\n".join(failgraph.lines(analysis, {id(x): "x", id(y): "y"}))
    assert "+ ◀ backward wrong" in text and "x  data=1.5  grad=1.5  right=0.5  ✗" in text


ORDER_BUGS = ["shared_node_visited_twice", "breadth_first_order", "forward_topological_order",
              "recursive_backward_without_order", "backward_without_traversal", "no_seed_gradient"]


@pytest.mark.parametrize("zoo", ORDER_BUGS)
def test_a_wrong_backward_order_marks_no_op(zoo):
    """Every op is right in these engines: the order (or the seed) is wrong, so no op is marked."""
    analysis = analysed(f"tests.zoo.{zoo}", "order")
    assert analysis.wrong(), f"{zoo} gives right grads on the order graph: the case proves nothing"
    assert not analysis.marked, failgraph.lines(analysis)


CORRECT = ["reference.engine", "tests.zoo._base", "tests.zoo.correct.data_through_float",
           "tests.zoo.correct.iterative_dfs", "tests.zoo.correct.micrograd_as_learners_write",
           "tests.zoo.correct.micrograd_closures", "tests.zoo.correct.slots_kahn", "tests.zoo.correct.tanh_through_exp"]


@pytest.mark.parametrize("module", CORRECT)
def test_a_correct_engine_never_gets_a_mark(module):
    for graph in GRAPHS:
        analysis = analysed(module, graph)
        assert analysis.right and not analysis.note, (graph, analysis.note)
        assert not analysis.wrong() and not analysis.marked, (graph, failgraph.lines(analysis))


def test_interior_values_get_their_right_grads():
    """The replay gives every value its right grad, not just the leaves: in (x + y) * x the + node's is x."""
    analysis = analysed("tests.zoo.add_assigns_first_operand", "add")
    inner = next(n for n in analysis.nodes if n._op == "+")
    assert analysis.right[id(inner)] == 1.5 and analysis.right[id(analysis.out)] == 1.0


def test_a_large_graph_is_summarised_around_the_wrong_part():
    V = engine("tests.zoo.tanh_derivative_of_input")
    x = V(0.3)
    total = x
    for i in range(12):
        total = total * 1.1 + V(0.01 * i)
    out = total.tanh() * 2.0 + total
    out.backward()
    analysis = failgraph.analyse(out)
    text = failgraph.lines(analysis)
    assert len(analysis.nodes) > 3 * failgraph.MAX_SHOWN
    assert len(text) <= failgraph.MAX_SHOWN + 8
    assert any("around what went wrong" in t for t in text) and any("tanh ◀ backward wrong" in t for t in text)


class Odd:
    """Weird internals: a set _prev, no _backward, a grad that is not a number, a label that is a number."""

    def __init__(self, data, prev=(), op=""):
        self.data, self.grad, self._prev, self._op, self.label = data, None, set(prev), op, 7


class Unreadable:
    @property
    def _prev(self):
        raise RuntimeError("no")

    data = grad = property(lambda self: 1 / 0)


@pytest.mark.parametrize("graph", [Odd(2.0, [Odd(1.0), Odd(1.0)], "+"), Odd("a", [Odd(None)], "tanh"), Unreadable(),
                                   3.0, object(), None])
def test_render_never_raises(graph):
    class Failure:
        pass

    class Item:
        name = "test_odd[x]"

    failure = Failure()
    failure.graph, failure.names = graph, {"not an id": "x"}
    lines = failgraph.render(failure, Item())
    assert isinstance(lines, list) and all(isinstance(t, str) for t in lines)
    assert graph is None or lines


def test_a_level_failure_shows_the_graph_and_writes_its_picture(tmp_path, failures_folder):
    proc = kata(1, "tests/zoo/add_assigns_first_operand.py", "-k", "test_every_operand_slot_accumulates",
                state=tmp_path / "state")
    block = failure_blocks(proc.output)["test_every_operand_slot_accumulates"]
    assert "◀ the op whose backward went wrong" in block and "+ ◀ backward wrong" in block
    assert "x  data=1.5  grad=1.5  right=0.5  ✗" in block
    written = sorted(failures_folder.iterdir())  # an SVG, or its text, DOT and Mermaid stand-ins
    assert written and all(p.stem == "test_every_operand_slot_accumulates" for p in written)
    assert written[0].name in block or written[-1].name in block
    assert all("right" in p.read_text(encoding="utf-8") for p in written)


def test_without_graphviz_the_picture_is_text_dot_and_mermaid(monkeypatch, failures_folder):
    monkeypatch.setattr(visualization, "dot_available", lambda: False)

    class Failure:
        graph = GRAPHS["tanh"](engine("tests.zoo.tanh_derivative_of_input"))

    class Item:
        name = "test_tanh"

    Failure.graph.backward()
    lines = failgraph.render(Failure(), Item())
    assert sorted(p.suffix for p in failures_folder.iterdir()) == [".dot", ".mmd", ".txt"]
    assert any(t.strip().startswith("picture") and t.strip().endswith("test_tanh.txt") for t in lines), lines
    assert "tanh ◀ backward wrong" in (failures_folder / "test_tanh.txt").read_text(encoding="utf-8")


# -- nox -s graph -- EXPR --check ----------------------------------------------------------------

TANH = ["3 * tanh(x*w + b)", "--at", "x=0.5,w=-1.5,b=0.25", "--check"]


@pytest.mark.parametrize("against", ["torch", "numerical"])
def test_check_marks_the_wrong_op_against_pytorch_or_finite_differences(against, tmp_path, capsys):
    if against == "torch":
        pytest.importorskip("torch")
    out = tmp_path / "g.txt"
    assert graph_tool.main([*TANH, "--impl", "tests/zoo/tanh_derivative_of_input.py", "--against", against,
                       "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "engine: tests/zoo/tanh_derivative_of_input.py" in printed
    assert printed.count("◀ backward wrong") == 1 and "tanh ◀ backward wrong" in printed
    assert "5 of 8 grads differ" in printed and sum(line.endswith("  ✗") for line in printed.splitlines()) == 5
    assert "tanh ◀ backward wrong" in out.read_text(encoding="utf-8")


def test_check_on_a_correct_engine_agrees_and_marks_nothing(tmp_path, capsys):
    assert graph_tool.main([*TANH, "--impl", "reference", "--format", "dot", "--out", str(tmp_path / "g.dot")]) == 0
    printed = capsys.readouterr().out
    assert "every grad agrees" in printed and "◀" not in printed and "✗" not in printed
    assert "backward wrong" not in (tmp_path / "g.dot").read_text(encoding="utf-8")


def test_pytorch_finite_differences_and_the_reference_give_the_same_grads():
    pytest.importorskip("torch")
    V = engine("reference.engine")
    x, y = V(0.7), V(-1.3)
    out = ((x * y).tanh() + (x - y) ** 2 / x + (1 - x).relu() + y.exp() + x.log() + y.sigmoid()) * x
    out.backward()
    nodes = failgraph.topological_order(out)
    by_reference, by_torch, by_differences = (f(nodes) for f in (failgraph.reference_grads, graph_tool.torch_grads,
                                                                  graph_tool.numerical_grads))
    assert by_reference.keys() == by_torch.keys() == by_differences.keys() == {id(n) for n in nodes}
    for key, right in by_reference.items():
        assert by_torch[key] == pytest.approx(right, rel=1e-9, abs=1e-12)
        assert by_differences[key] == pytest.approx(right, rel=1e-5, abs=1e-6)


def test_the_default_engine_is_the_most_advanced_level_the_learner_has_written(tmp_path, monkeypatch):
    levels = []
    for n, written in ((1, True), (2, True), (3, False)):
        mine, stub = tmp_path / f"level{n}", tmp_path / f"stub{n}"
        mine.mkdir()
        stub.mkdir()
        (stub / "value.py").write_text("stub\n")
        (mine / "value.py").write_text("mine\n" if written else "stub\n")
        levels.append(SimpleNamespace(number=n, path=mine, stub_path=stub, files=("value.py",),
                                      folder=str(mine), stub=str(stub)))
    monkeypatch.setattr(graph_tool.manifest, "levels", lambda: tuple(levels))
    assert graph_tool.written_level().number == 2
    (levels[1].path / "value.py").write_text("stub\n")
    (levels[0].path / "value.py").write_text("stub\n")
    assert graph_tool.written_level() is None


def test_without_impl_the_reference_is_drawn_until_the_learner_writes_an_engine(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(graph_tool, "written_level", lambda: None)
    assert graph_tool.main(["x*y + x", "--format", "text", "--out", str(tmp_path / "g.txt")]) == 0
    assert "engine: the reference (reference/engine.py): no katas/levelN/value.py is written yet" in \
        capsys.readouterr().out
    monkeypatch.setattr(graph_tool, "written_level", lambda: graph_tool.manifest.level(2))  # its value.py is the stub
    assert graph_tool.main(["x*y + x", "--format", "text", "--out", str(tmp_path / "g.txt")]) == 1
    assert "the learner engine (level 2) raised NotImplementedError" in capsys.readouterr().err


# -- the bug hunts: a hunt's symptom drawn ---------------------------------------------------------

OP_OF = {"Value.__mul__": "mul", "Value.__add__": "add", "Value.tanh": "tanh", "Value.__pow__": "pow"}


@pytest.mark.parametrize("hunt", [h for h in catalogue.hunts() if h.graph], ids=lambda h: h.slug)
def test_a_hunts_graph_shows_its_symptom_and_marks_only_the_op_it_is_in(hunt, tmp_path, capsys):
    for name, text in scaffold.planted(hunt).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    expression, *options = shlex.split(hunt.graph)
    at = graph_tool.parse_at(options[options.index("--at") + 1]) if "--at" in options else None
    out, _ = graph_tool.build(expression, engine_at(tmp_path / "value.py"), at)
    analysis = failgraph.analyse(out, graph_tool.numerical_grads, "numerical")
    assert analysis.wrong(), f"hunt {hunt.number}: {hunt.graph} shows no wrong grad"
    marked = {analysis.marked[key].op for key in analysis.marked}
    assert marked == ({OP_OF[hunt.where]} if hunt.where in OP_OF else set()), failgraph.lines(analysis)
    assert graph_tool.main([*shlex.split(hunt.graph), "--check", "--against", "numerical", "--impl",
                            str(tmp_path / "value.py"), "--format", "text", "--out", str(tmp_path / "g.txt")]) == 0
    assert "differ from finite differences" in capsys.readouterr().out


def engine_at(path):
    spec = importlib.util.spec_from_file_location(f"_hunt_engine_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Value


def test_a_long_path_shows_its_end_around_the_marked_op():
    V = engine("tests.zoo.tanh_derivative_of_input")
    x = V(0.3)
    out = x.tanh()
    for _ in range(40):
        out = out * 1.01
    out.backward()
    text = failgraph.lines(failgraph.analyse(out), {id(x): "x"})
    assert len(text) <= failgraph.MAX_SHOWN + 8, text
    assert any("values on the path from the output down to here are not shown" in t for t in text)
    assert any("tanh ◀ backward wrong" in t for t in text) and any(" x  data=0.3" in t and "✗" in t for t in text)
