"""The graph visualizer: pinned DOT text, text and Mermaid renderings, any engine, deep graphs, a safe CLI."""

from __future__ import annotations

import difflib
import math
import shutil
from pathlib import Path

import pytest

from reference.engine import Value
from tools import graph
from utils import visualization as viz
from runner.manifest import ROOT

SNAPSHOT = Path(__file__).parent / "snapshots" / "seed_example.dot"
SEED = "x*y + x"
UPDATE = (f'python -m tools.graph "{SEED}" --at x=2,y=3 --impl reference --format dot '
          f"--out {SNAPSHOT.relative_to(ROOT).as_posix()}")


def seed_example(Value=Value):
    """z = x*y + x at x=2, y=3, after backward: dz/dx = y + 1 = 4, dz/dy = x = 2."""
    x, y = Value(2.0), Value(3.0)
    x.label, y.label = "x", "y"
    z = x * y + x
    z.backward()
    return z


def assert_snapshot(text: str) -> None:
    expected = SNAPSHOT.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                            "snapshot", "now"))
        pytest.fail(f"the DOT text of the seed example changed:\n{diff}\n"
                    f"If the change is intended, update the snapshot with\n    {UPDATE}\n"
                    "and look at the picture (--format svg) before committing it.")


# -- the pinned DOT text -----------------------------------------------------------------------


def test_seed_example_dot_matches_the_snapshot():
    assert_snapshot(viz.to_dot(seed_example(), title="x*y + x  at x=2, y=3"))


def test_cli_writes_the_snapshot_dot(tmp_path, capsys):
    out = tmp_path / "seed.dot"
    assert graph.main([SEED, "--at", "x=2,y=3", "--impl", "reference", "--format", "dot", "--out", str(out)]) == 0
    assert_snapshot(out.read_text(encoding="utf-8"))
    assert out.name in capsys.readouterr().out


def test_snapshot_holds_the_hand_computed_values():
    """Independent of the renderer: the numbers in the pinned file are the right ones."""
    text = SNAPSHOT.read_text(encoding="utf-8")
    for record in ("{ x | data 2 | grad 4 }", "{ y | data 3 | grad 2 }", "{ data 6 | grad 1 }",
                   "{ data 8 | grad 1 }"):
        assert record in text
    assert text.count("_op [label=") == 2  # one * and one +, and no op node for the leaves
    assert text.count(" -> ") == 6  # x, y -> *; * -> 6; 6, x -> +; + -> 8


def test_dot_ids_do_not_depend_on_object_identity():
    assert viz.to_dot(seed_example()) == viz.to_dot(seed_example())


# -- text and Mermaid --------------------------------------------------------------------------


def test_text_lists_a_shared_node_once_and_refers_back():
    assert viz.to_text(seed_example()) == (
        "v3 +  data=8  grad=1\n"
        "├─ v2 *  data=6  grad=1\n"
        "│  ├─ v0 x  data=2  grad=4\n"
        "│  └─ v1 y  data=3  grad=2\n"
        "└─ v0 x (see above)\n"
    )


def test_mermaid_flowchart():
    assert viz.to_mermaid(seed_example()) == (
        "flowchart LR\n"
        '  v0["x<br/>data 2<br/>grad 4"]\n'
        '  v1["y<br/>data 3<br/>grad 2"]\n'
        '  v2["data 6<br/>grad 1"]\n'
        '  v2_op(("*"))\n'
        "  v2_op --> v2\n"
        "  v0 --> v2_op\n"
        "  v1 --> v2_op\n"
        '  v3["data 8<br/>grad 1"]\n'
        '  v3_op(("+"))\n'
        "  v3_op --> v3\n"
        "  v2 --> v3_op\n"
        "  v0 --> v3_op\n"
    )


def test_labels_are_escaped():
    x = Value(1.0)
    x.label = 'a"{b|c}<d>'
    y = x * 2
    dot, mermaid = viz.to_dot(y), viz.to_mermaid(y)
    assert r'a\"\{b\|c\}\<d\>' in dot
    assert "a#quot;{b|c}#lt;d#gt;" in mermaid


def test_numbers_have_four_significant_digits():
    assert [viz.number(v) for v in (2.0, 0.5, 1 / 3, -123456.0, -0.0, math.inf, float("nan"))] == [
        "2", "0.5", "0.3333", "-1.235e+05", "0", "inf", "nan"]


# -- any engine through data, grad, _prev, _op -------------------------------------------------


class Node:
    """A bare graph node: no arithmetic, no label; _prev in whatever container is given."""

    def __init__(self, data, prev=(), op="", grad=0.0, container=tuple):
        self.data, self.grad, self._prev, self._op = data, grad, container(prev), op


def tiny_engine(container):
    """A minimal engine with + and * whose _prev is built by ``container``."""

    class V:
        def __init__(self, data, _children=(), _op=""):
            self.data, self.grad, self._prev, self._op = float(data), 0.0, container(_children), _op
            self._backward = lambda: None

        def __add__(self, other):
            other = other if isinstance(other, V) else V(other)
            out = V(self.data + other.data, (self, other), "+")

            def _backward():
                self.grad += out.grad
                other.grad += out.grad

            out._backward = _backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, V) else V(other)
            out = V(self.data * other.data, (self, other), "*")

            def _backward():
                self.grad += other.data * out.grad
                other.grad += self.data * out.grad

            out._backward = _backward
            return out

        __radd__, __rmul__ = __add__, __mul__

        def backward(self):
            order, seen, stack = [], set(), [(self, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    order.append(node)
                elif node not in seen:
                    seen.add(node)
                    stack.append((node, True))
                    stack.extend((c, False) for c in node._prev)
            self.grad = 1.0
            for node in reversed(order):
                node._backward()

    return V


@pytest.mark.parametrize("container", [set, tuple, list, frozenset])
def test_any_container_for_prev(container):
    text = viz.to_text(seed_example(tiny_engine(container)))
    lines = sorted(line.lstrip("└├─│ ").split(" ", 1)[1] for line in text.splitlines() if "see above" not in line)
    assert lines == sorted(["+  data=8  grad=1", "*  data=6  grad=1", "x  data=2  grad=4", "y  data=3  grad=2"])
    assert text.count("see above") == 1


def test_set_prev_gives_the_same_text_on_every_build():
    """A set's order follows object hashes, which change from build to build; the drawing must not."""
    V = tiny_engine(set)
    texts = set()
    for _ in range(30):
        a, b, c = V(1.0), V(1.0), V(2.0)  # equal-looking operands
        texts.add(viz.to_dot((a * c + b * c) * (a + b)))
    assert len(texts) == 1


def test_engine_without_label_or_with_slots():
    class Slotted:
        __slots__ = ("_op", "_prev", "data", "grad")

        def __init__(self, data, _children=(), _op=""):
            self.data, self.grad, self._prev, self._op = float(data), 0.0, tuple(_children), _op

        def __add__(self, other):
            return Slotted(self.data + other.data, (self, other), "+")

        def backward(self):
            self.grad = 1.0

    out, _ = graph.build("x + y", Slotted)  # build cannot label a slotted leaf; no crash
    assert viz.to_text(out).splitlines()[1:] == ["├─ v0 leaf  data=2  grad=0", "└─ v1 leaf  data=3  grad=0"]


def test_deep_chain_is_walked_without_recursion_and_capped():
    node = Node(0.0)
    for i in range(10_000):
        node = Node(float(i), (node,), "tanh", grad=1.0)  # 10 001 values, one long path
    dot = viz.to_dot(node, max_nodes=100)
    assert dot.count("shape=record") == 100
    assert "10001 values: showing the 100 nearest the output, 9901 not drawn" in dot
    assert "1 more (not drawn)" in dot
    titled = viz.to_dot(node, max_nodes=100, title="chain")
    assert 'label="chain\\n10001 values' in titled  # a DOT line break, not a doubly escaped one
    text = viz.to_text(node, max_nodes=100)
    assert "9901 not drawn" in text and len(text.splitlines()) == 102
    mermaid = viz.to_mermaid(node, max_nodes=100)
    assert mermaid.count("<br/>grad") == 100
    # uncapped: all of it, still no recursion, and text lines stay short
    assert viz.to_dot(node, max_nodes=20_000).count("shape=record") == 10_001
    text = viz.to_text(node, max_nodes=20_000)
    assert len(text.splitlines()) == 10_001
    assert max(len(line) for line in text.splitlines()) < 200


def test_default_cap():
    node = Node(0.0)
    for _ in range(viz.MAX_NODES + 5):
        node = Node(1.0, (node, Node(2.0)), "+")
    assert viz.to_dot(node).count("shape=record") == viz.MAX_NODES


# -- expressions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("expression", [
    "__import__('os').system('touch pwned')",
    "x.__class__",
    "x.data",
    "x._backward()",
    "x.__add__(y)",
    "open('f')",
    "print(x)",
    "x[0]",
    "lambda: 1",
    "'a' + x",
    "x if y else x",
    "x.relu(1)",
    "relu(x, y)",
    "tanh(x=1)",
    "x @ y",
    "x // y",
    "x % y",
    "True * x",
    "[x]",
    "x == y",
    "__x + 1",
    "relu + x",
    "(x).exp().__class__",
    "(lambda: x)()",
    "x; y",
])
def test_parser_refuses_anything_but_arithmetic(expression, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(graph.ExpressionError):
        graph.build(expression, Value)
    assert not (tmp_path / "pwned").exists()


def test_parser_accepts_the_documented_grammar():
    out, leaves = graph.build("-x**2 + relu(y) + x.tanh() + sigmoid(x).log() / 2 - exp(1)", Value,
                            {"x": 0.5, "y": -1.0})
    x = 0.5
    expected = -(x**2) + 0.0 + math.tanh(x) + math.log(1 / (1 + math.exp(-x))) / 2 - math.e
    assert out.data == pytest.approx(expected)
    assert list(leaves) == ["x", "y"]
    sx = 1 / (1 + math.exp(-x))
    assert leaves["x"].grad == pytest.approx(-2 * x + (1 - math.tanh(x) ** 2) + (1 - sx) / 2)


def test_default_values_and_at():
    _, leaves = graph.build("x*y + z", Value)
    assert {n: v.data for n, v in leaves.items()} == {"x": 2.0, "y": 3.0, "z": 1.0}
    assert graph.parse_at("x=-1.5, y=2") == {"x": -1.5, "y": 2.0}
    with pytest.raises(graph.ExpressionError):
        graph.parse_at("x=abc")


def test_no_backward_leaves_grads_zero():
    out, leaves = graph.build(SEED, Value, backward=False)
    assert leaves["x"].grad == 0.0 and out.grad == 0.0


# -- files and the command line ------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` is not installed")
def test_cli_writes_svg_where_dot_exists(tmp_path, capsys):
    pytest.importorskip("graphviz")
    out = tmp_path / "seed.svg"
    assert graph.main([SEED, "--impl", "reference", "--out", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert "<svg" in svg and "grad 4" in svg and "data 8" in svg
    assert out.name in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` is not installed")
def test_png_is_a_png(tmp_path):
    pytest.importorskip("graphviz")
    drawing = viz.draw(seed_example(), tmp_path / "g", "png")
    assert drawing.note is None
    assert drawing.paths[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_cli_falls_back_to_text_without_dot(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(viz, "dot_available", lambda: False)
    out = tmp_path / "seed.svg"
    assert graph.main([SEED, "--impl", "reference", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert not out.exists()
    for suffix in (".txt", ".dot", ".mmd"):
        assert out.with_suffix(suffix).exists()
        assert out.with_suffix(suffix).name in printed.out
    assert "└─ v0 x (see above)" in printed.out  # the text rendering is printed too
    assert "dot" in printed.err and "instead" in printed.err
    assert out.with_suffix(".txt").read_text(encoding="utf-8").startswith("x*y + x  at x=2, y=3\nv3 +  data=8")


def test_draw_falls_back_when_dot_fails(tmp_path, monkeypatch):
    graphviz = pytest.importorskip("graphviz")

    def broken(*args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(viz, "dot_available", lambda: True)
    monkeypatch.setattr(graphviz, "pipe", broken)
    drawing = viz.draw(seed_example(), tmp_path / "g.svg", "svg")
    assert drawing.note and [p.suffix for p in drawing.paths] == [".txt", ".dot", ".mmd"]


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "text"])
def test_draw_text_formats(tmp_path, fmt):
    drawing = viz.draw(seed_example(), tmp_path / "g", fmt)
    assert drawing.note is None and drawing.paths == [tmp_path / f"g{viz.FORMATS[fmt]}"]
    assert "8" in drawing.paths[0].read_text(encoding="utf-8")


def test_cli_reports_engine_errors_in_one_line(tmp_path, capsys):
    stub = ROOT / "stubs" / "level1" / "value.py"
    assert graph.main([SEED, "--impl", str(stub), "--out", str(tmp_path / "g.txt")]) == 1
    err = capsys.readouterr().err
    assert "NotImplementedError" in err and "Traceback" not in err
    assert graph.main(["x ** y", "--impl", "reference", "--out", str(tmp_path / "g.txt")]) == 1  # TypeError
    assert "TypeError" in capsys.readouterr().err
    assert graph.main(["__import__('os')", "--out", str(tmp_path / "g.txt")]) == 2
    assert "not allowed" in capsys.readouterr().err


def test_a_check_shows_the_right_grad_beside_each_and_more_digits_when_they_differ_late():
    z = seed_example()
    x = next(p for p in z._prev if not p._prev)  # the leaf x of z = x*y + x (grad 4)
    right = {id(node.value): node.grad for node in viz.trace(z).nodes}
    right[id(x)] = 4.0001
    check = viz.Check(right, marked={id(z)}, source="torch")
    text = viz.to_text(z, check=check)
    assert "x  data=2  grad=4  torch=4.0001  ✗" in text and "y  data=3  grad=2  torch=2\n" in text
    assert text.startswith("v3 + ◀ backward wrong  data=8  grad=1  torch=1\n")
    dot = viz.to_dot(z, check=check)
    assert "{ x | data 2 | grad 4 | torch 4.0001 }" in dot and 'fillcolor="#f9d6d5"' in dot
    assert 'v3_op [label="+\\nbackward wrong"' in dot
