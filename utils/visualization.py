"""Draw a ``Value``'s graph: every node with its op, data and grad.

    python -m utils.visualization "x*y + x"                 # out/graph_x_y_x.svg
    python -m utils.visualization "tanh(x*w + b)" --at x=1,w=-2,b=0.5 --format text
    nox -s graph -- "x*y + x" --impl learner --level 2     # your own engine

Works on any engine: it reads only ``data``, ``grad``, ``_prev`` (any
iterable: set, tuple, list) and ``_op``, plus ``label`` when a node has one.

Renderings, from the richest to the one that needs nothing:

* SVG / PNG through graphviz (the ``graphviz`` Python package and the ``dot``
  program). Without them, ``draw`` writes the fallbacks below and says why.
* DOT text (``to_dot``): paste it into any graphviz viewer.
* Mermaid (``to_mermaid``): renders on GitHub, in many editors, on mermaid.live.
* Text (``to_text``): an indented tree; a node used twice is listed once and
  referred back to by its id.

The output is deterministic: nodes are numbered ``v0, v1, ...`` operands
first (a post-order walk from the output), never by ``id()``; when ``_prev``
is a set, operands are visited in a fixed order (by label, op, data, grad).
Walks use explicit stacks, so a chain of a million nodes does not recurse, and
a graph of more than ``max_nodes`` values is summarised: the values nearest
the output are drawn and the rest are counted.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import math
import re
import shutil
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from runner import manifest

MAX_NODES = 150  # above this many values a graph is summarised, not drawn in full
FUNCTIONS = ("relu", "tanh", "exp", "log", "sigmoid")  # callable in expressions, as f(x) or x.f()
FORMATS = {"svg": ".svg", "png": ".png", "dot": ".dot", "mermaid": ".mmd", "text": ".txt"}
OUT = manifest.ROOT / "out"  # git-ignored


# -- the graph, read through the public attributes only -----------------------------------------


@dataclass
class Node:
    id: str  # "v0", "v1", ... in post-order (operands before the values computed from them)
    number: int  # the number in the id
    value: object  # the engine's object
    label: str | None
    op: str  # "" for a leaf
    data: object
    grad: object
    operands: list[Node] = field(default_factory=list)  # the drawn operands, in order
    hidden: int = 0  # operands not drawn because the graph was capped

    @property
    def is_leaf(self) -> bool:
        return not self.operands and not self.hidden


@dataclass
class Graph:
    nodes: list[Node]  # post-order: the output is last
    total: int  # values in the whole graph (drawn or not)

    @property
    def root(self) -> Node:
        return self.nodes[-1]

    @property
    def capped(self) -> bool:
        return self.total > len(self.nodes)

    def summary(self) -> str | None:
        if not self.capped:
            return None
        return (f"{self.total} values: showing the {len(self.nodes)} nearest the output, "
                f"{self.total - len(self.nodes)} not drawn")


def _sort_key(value) -> tuple[str, str, str, str]:
    return (str(getattr(value, "label", "") or ""), str(getattr(value, "_op", "") or ""),
            repr(getattr(value, "data", None)), repr(getattr(value, "grad", None)))


class _Walker:
    """Reads operands in a fixed order whatever container the engine uses.

    A tuple or list keeps its order. A set is sorted by label, op, data and
    grad; operands that tie on all four are told apart by a signature of the
    whole graph below them (computed only then, without recursion). Operands
    that still tie have identical subgraphs, so either order draws the same.
    """

    def __init__(self):
        self._signatures: dict[int, tuple[object, str]] = {}  # id -> (the object, kept alive; signature)

    def operands(self, value, numbers: dict[int, int] | None = None) -> list:
        """The operands of ``value`` in a fixed order; ``numbers`` (id -> node number,
        for the values numbered so far) orders operands that still tie."""
        prev = getattr(value, "_prev", ()) or ()
        if not isinstance(prev, (set, frozenset)):
            return list(prev)
        items = sorted(prev, key=_sort_key)
        keys = [_sort_key(item) for item in items]
        if len(set(keys)) == len(keys):
            return items
        numbers = numbers or {}

        def key(item):
            numbered = sorted(numbers[id(p)] for p in getattr(item, "_prev", ()) or () if id(p) in numbers)
            return (_sort_key(item), self.signature(item), numbers.get(id(item), -1), numbered)

        return sorted(items, key=key)

    def signature(self, root) -> str:
        stack = [(root, False)]
        while stack:
            value, expanded = stack.pop()
            if id(value) in self._signatures:
                continue
            prev = list(getattr(value, "_prev", ()) or ())
            if not expanded:
                stack.append((value, True))
                stack.extend((p, False) for p in prev if id(p) not in self._signatures)
                continue
            children = [self._signatures[id(p)][1] for p in prev]
            if isinstance(getattr(value, "_prev", ()), (set, frozenset)):
                children.sort()
            text = repr((_sort_key(value), children))
            self._signatures[id(value)] = (value, hashlib.blake2b(text.encode(), digest_size=12).hexdigest())
        return self._signatures[id(root)][1]


def trace(root, max_nodes: int = MAX_NODES) -> Graph:
    """Walk the graph below ``root`` without recursion.

    Every value is counted; at most ``max_nodes`` of them, the nearest the
    output (breadth first), are kept for drawing.
    """
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    walker = _Walker()
    # breadth first from the output: the values to draw, and a count of all of them
    kept: dict[int, object] = {id(root): root}
    seen: set[int] = {id(root)}
    alive = [root]  # keeps every visited object alive, so no id() is reused during the walk
    queue = deque([root])
    while queue:
        value = queue.popleft()
        for operand in walker.operands(value):
            if id(operand) not in seen:
                seen.add(id(operand))
                alive.append(operand)
                if len(kept) < max_nodes:
                    kept[id(operand)] = operand
                queue.append(operand)
    total = len(seen)

    # post-order over the kept values, operands in order: stable ids v0, v1, ...
    nodes: dict[int, Node] = {}
    numbered: dict[int, int] = {}  # id -> node number, for the values numbered so far
    order: list[Node] = []
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        value, expanded = stack.pop()
        key = id(value)
        if expanded:
            if key not in nodes:
                node = _node(value, len(order))
                nodes[key] = node
                numbered[key] = node.number
                order.append(node)
            continue
        if key in nodes:
            continue
        stack.append((value, True))
        for operand in reversed(walker.operands(value, numbered)):
            if id(operand) in kept and id(operand) not in nodes:
                stack.append((operand, False))
    for node in order:
        for operand in walker.operands(node.value, numbered):
            if id(operand) in nodes:
                node.operands.append(nodes[id(operand)])
            else:
                node.hidden += 1
    del alive
    return Graph(order, total)


def _node(value, number: int) -> Node:
    label = getattr(value, "label", None)
    op = getattr(value, "_op", "")
    return Node(id=f"v{number}", number=number, value=value, label=str(label) if label not in (None, "") else None,
                op=str(op) if op is not None else "", data=getattr(value, "data", value),
                grad=getattr(value, "grad", None))


def number(x) -> str:
    """A number with 4 significant digits: 2, 0.5, 1.333, -3.142e+05, nan."""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if f == 0:
        return "0"  # also -0.0
    if math.isnan(f) or math.isinf(f):
        return str(f)
    return f"{f:.4g}"


def _op_text(node: Node) -> str:
    return node.op or "?"


# -- DOT -------------------------------------------------------------------------------------


def _dot_record(text: str) -> str:
    """Escape a field of a graphviz record label."""
    return re.sub(r'([{}|<>"\\])', r"\\\1", text)


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(root, max_nodes: int = MAX_NODES, title: str | None = None) -> str:
    """The graph as DOT text: a box per value (label, data, grad), an ellipse per op.

    Deterministic: the same graph gives the same text, whatever the engine.
    """
    graph = trace(root, max_nodes)
    caption = "\n".join(t for t in (title, graph.summary()) if t)
    lines = [
        "digraph autograd {",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, labelloc=t'
        + (f", label={_dot_string(caption)}" if caption else "") + "]",
        '  node [fontname="Helvetica", fontsize=11]',
        "  edge [arrowsize=0.7]",
    ]
    for node in graph.nodes:
        fields = [_dot_record(node.label)] if node.label else []
        fields += [f"data {_dot_record(number(node.data))}", f"grad {_dot_record(number(node.grad))}"]
        style = ""
        if node is graph.root:
            style = ", penwidth=2"
        elif node.is_leaf:
            style = ', style=filled, fillcolor="#e8f0fe"'
        lines.append(f'  {node.id} [shape=record, label="{{ {" | ".join(fields)} }}"{style}]')
        if node.operands or node.hidden:
            lines.append(f"  {node.id}_op [label={_dot_string(_op_text(node))}, shape=ellipse]")
            lines.append(f"  {node.id}_op -> {node.id}")
            for operand in node.operands:
                lines.append(f"  {operand.id} -> {node.id}_op")
            if node.hidden:
                lines.append(f'  {node.id}_more [label="{node.hidden} more (not drawn)", shape=plaintext]')
                lines.append(f"  {node.id}_more -> {node.id}_op [style=dashed]")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- Mermaid ---------------------------------------------------------------------------------


def _mermaid(text: str) -> str:
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;"))


def to_mermaid(root, max_nodes: int = MAX_NODES, title: str | None = None) -> str:
    """The graph as a Mermaid flowchart (renders on GitHub and in many editors)."""
    graph = trace(root, max_nodes)
    lines = []
    caption = " - ".join(t for t in (title, graph.summary()) if t)
    if caption:
        lines += ["---", f"title: {_mermaid(caption)}", "---"]
    lines.append("flowchart LR")
    for node in graph.nodes:
        head = f"{_mermaid(node.label)}<br/>" if node.label else ""
        lines.append(f'  {node.id}["{head}data {number(node.data)}<br/>grad {number(node.grad)}"]')
        if node.operands or node.hidden:
            lines.append(f'  {node.id}_op(("{_mermaid(_op_text(node))}"))')
            lines.append(f"  {node.id}_op --> {node.id}")
            for operand in node.operands:
                lines.append(f"  {operand.id} --> {node.id}_op")
            if node.hidden:
                lines.append(f'  {node.id}_more["{node.hidden} more (not drawn)"]')
                lines.append(f"  {node.id}_more -.-> {node.id}_op")
    return "\n".join(lines) + "\n"


# -- text ------------------------------------------------------------------------------------


def _what(node: Node) -> str:
    if node.operands or node.hidden:
        return f"{node.label} = {_op_text(node)}" if node.label else _op_text(node)
    return node.label or "leaf"


def _describe(node: Node) -> str:
    return f"{node.id} {_what(node)}  data={number(node.data)}  grad={number(node.grad)}"


MAX_INDENT = 40  # levels of indentation in the text tree; deeper lines keep the last ones and start with "…"


def to_text(root, max_nodes: int = MAX_NODES, title: str | None = None) -> str:
    """An indented tree from the output down to the leaves.

    A value used more than once is listed the first time and then referred
    back to as ``vN (see above)``.
    """
    graph = trace(root, max_nodes)
    lines = [t for t in (title, graph.summary()) if t]
    shown: set[str] = set()
    # (node or a line of text, prefix of its own line, prefix for its operands' lines)
    stack: list[tuple[Node | str, str, str]] = [(graph.root, "", "")]
    while stack:
        item, lead, indent = stack.pop()
        if isinstance(item, str):
            lines.append(lead + item)
            continue
        if item.id in shown:
            lines.append(f"{lead}{item.id} {_what(item)} (see above)")
            continue
        shown.add(item.id)
        lines.append(lead + _describe(item))
        children: list[Node | str] = list(item.operands)
        if item.hidden:
            children.append(f"... {item.hidden} more (not drawn)")
        for i in reversed(range(len(children))):
            branch, carry = ("└─ ", "   ") if i == len(children) - 1 else ("├─ ", "│  ")
            stack.append((children[i], _clip(indent + branch), _clip(indent + carry)))
    return "\n".join(lines) + "\n"


def _clip(prefix: str) -> str:
    """Keep text lines of deep graphs short: only the last MAX_INDENT levels of indentation."""
    width = 3 * MAX_INDENT
    return prefix if len(prefix) <= width else "…" + prefix[-width:]


# -- files -----------------------------------------------------------------------------------


def dot_available() -> bool:
    """Whether SVG/PNG can be drawn here: the graphviz package and the ``dot`` program."""
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def _what_is_missing() -> str:
    needs = []
    if shutil.which("dot") is None:
        needs.append("the graphviz program `dot` (apt install graphviz, brew install graphviz, "
                     "choco install graphviz or conda install graphviz)")
    try:
        import graphviz  # noqa: F401
    except ImportError:
        needs.append("the graphviz Python package (pip install graphviz; `nox -s graph` installs it)")
    return "pictures need " + (" and ".join(needs) if needs else "graphviz")


@dataclass
class Drawing:
    paths: list[Path]  # the files written; the first is the picture asked for, or its best stand-in
    note: str | None = None  # why a fallback was written instead, when it was


def draw(root, path, format: str = "svg", max_nodes: int = MAX_NODES, title: str | None = None) -> Drawing:
    """Write the graph to ``path`` (its suffix is set from ``format``).

    ``svg`` and ``png`` need graphviz; without it (or if ``dot`` fails) the
    DOT, Mermaid and text renderings are written next to ``path`` instead and
    ``note`` says why. Never raises for a missing graphviz.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
    base = Path(path)
    if base.suffix in FORMATS.values():
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    dot_text = to_dot(root, max_nodes, title)
    renderers = {"dot": lambda: dot_text, "mermaid": lambda: to_mermaid(root, max_nodes, title),
                 "text": lambda: to_text(root, max_nodes, title)}
    if format in renderers:
        out = base.with_suffix(FORMATS[format])
        out.write_text(renderers[format](), encoding="utf-8")
        return Drawing([out])

    note = None
    if dot_available():
        import graphviz

        try:
            picture = graphviz.pipe("dot", format, dot_text.encode("utf-8"), quiet=True)
        except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError) as error:
            note = f"graphviz could not draw the {format.upper()} ({str(error).splitlines()[0]})"
        else:
            out = base.with_suffix(FORMATS[format])
            out.write_bytes(picture)
            return Drawing([out])
    else:
        note = f"no {format.upper()}: " + _what_is_missing()
    paths = []
    for name in ("text", "dot", "mermaid"):
        out = base.with_suffix(FORMATS[name])
        out.write_text(renderers[name](), encoding="utf-8")
        paths.append(out)
    return Drawing(paths, note + ". Wrote the text, DOT and Mermaid renderings instead "
                   "(paste the .mmd into a Mermaid viewer, or the .dot into a graphviz one).")


# -- expressions -----------------------------------------------------------------------------


class ExpressionError(ValueError):
    """The expression is not one the visualizer accepts; the message says why, in one line."""


class MissingOp(ExpressionError):
    """The engine's Value has no method for a function of the expression."""

    def __init__(self, name: str):
        super().__init__(f"this engine's Value has no {name}()")
        self.name = name


_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
MAX_EXPRESSION = 2000  # characters


def parse(expression: str) -> tuple[ast.expr, list[str]]:
    """Check an expression and return its tree and its variables, in order of appearance.

    Allowed: names, numbers, + - * / **, unary minus (and plus), and the
    functions relu, tanh, exp, log, sigmoid called as ``f(x)`` or ``x.f()``.
    Anything else (attributes, other calls, subscripts, keywords, strings,
    lambdas, ...) is refused before anything is evaluated.
    """
    if len(expression) > MAX_EXPRESSION:
        raise ExpressionError(f"the expression is longer than {MAX_EXPRESSION} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"not a valid expression: {error.msg}") from None
    names: list[str] = []
    stack: list[ast.AST] = [tree.body]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            stack += [node.right, node.left]
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            stack.append(node.operand)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ExpressionError(f"only numbers are allowed as constants, not {node.value!r}")
        elif isinstance(node, ast.Name):
            if not _NAME.match(node.id):
                raise ExpressionError(f"{node.id!r} is not allowed as a variable name")
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id} is a function: call it, as {node.id}(x)")
            if node.id not in names:
                names.append(node.id)
        elif isinstance(node, ast.Call):
            stack.append(_check_call(node))
        elif isinstance(node, ast.Attribute):
            raise ExpressionError(f"attribute .{node.attr} is not allowed; only the calls "
                                  f"{', '.join(f'.{f}()' for f in FUNCTIONS)}")
        else:
            raise ExpressionError(f"{_source(expression, node)!r} is not allowed: use names, numbers, "
                                  f"+ - * / **, and {', '.join(FUNCTIONS)}")
    return tree.body, _ordered(tree.body, names)


def _check_call(node: ast.Call) -> ast.expr:
    """The argument of an allowed call; ExpressionError for any other call."""
    if node.keywords:
        raise ExpressionError("keyword arguments are not allowed")
    func = node.func
    if isinstance(func, ast.Name):
        if func.id not in FUNCTIONS:
            raise ExpressionError(f"{func.id}() is not allowed; the functions are {', '.join(FUNCTIONS)}")
        if len(node.args) != 1:
            raise ExpressionError(f"{func.id}() takes one argument")
        return node.args[0]
    if isinstance(func, ast.Attribute):
        if func.attr not in FUNCTIONS:
            raise ExpressionError(f".{func.attr}() is not allowed; the methods are "
                                  f"{', '.join(f'.{f}()' for f in FUNCTIONS)}")
        if node.args:
            raise ExpressionError(f".{func.attr}() takes no argument")
        return func.value
    raise ExpressionError("only relu, tanh, exp, log and sigmoid can be called")


def _source(expression: str, node: ast.AST) -> str:
    return ast.get_source_segment(expression.strip(), node) or type(node).__name__


def _ordered(body: ast.expr, names: list[str]) -> list[str]:
    """Variables in the order they appear in the text (x before y in "x*y + x")."""
    positions = {}
    for node in ast.walk(body):
        if isinstance(node, ast.Name) and node.id in names:
            key = (node.lineno, node.col_offset)
            positions[node.id] = min(positions.get(node.id, key), key)
    return sorted(names, key=lambda n: positions[n])


def evaluate(body: ast.expr, variables: dict, Value):
    """Evaluate a checked expression tree on engine values, without recursion."""
    results: list = []
    stack: list[tuple[ast.expr, bool]] = [(body, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, ast.Constant):
            results.append(float(node.value) if isinstance(node.value, float) else node.value)
        elif isinstance(node, ast.Name):
            results.append(variables[node.id])
        elif not ready:
            stack.append((node, True))
            for child in reversed(_children(node)):
                stack.append((child, False))
        elif isinstance(node, ast.BinOp):
            right, left = results.pop(), results.pop()
            results.append(_binop(node.op, left, right))
        elif isinstance(node, ast.UnaryOp):
            operand = results.pop()
            results.append(-operand if isinstance(node.op, ast.USub) else operand)
        else:  # an allowed call
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            operand = results.pop()
            if not isinstance(operand, Value):
                operand = Value(operand)
            method = getattr(operand, name, None)
            if method is None:
                raise MissingOp(name)
            results.append(method())
    return results.pop()


def _children(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    return [node.args[0] if isinstance(node.func, ast.Name) else node.func.value]


def _binop(op: ast.operator, a, b):
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Div):
        return a / b
    return a**b


def parse_at(text: str | None) -> dict[str, float]:
    """``x=2,y=-3.5`` -> {"x": 2.0, "y": -3.5}."""
    values: dict[str, float] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, number_text = part.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise ExpressionError(f"--at {text!r}: expected name=number pairs, as x=2,y=3")
        try:
            values[name] = float(number_text)
        except ValueError:
            raise ExpressionError(f"--at {text!r}: {number_text.strip()!r} is not a number") from None
    return values


DEFAULTS = {"x": 2.0, "y": 3.0}  # any other variable starts at 1


def build(expression: str, Value, at: dict[str, float] | None = None, backward: bool = True):
    """Parse and evaluate ``expression`` on ``Value``; returns (output, {name: leaf})."""
    body, names = parse(expression)
    if not names:
        raise ExpressionError("the expression has no variable to draw, e.g. x*y + x")
    at = at or {}
    variables = {}
    for name in names:
        leaf = Value(at.get(name, DEFAULTS.get(name, 1.0)))
        try:
            leaf.label = name
        except AttributeError:  # an engine with __slots__: the picture shows data and grad only
            pass
        variables[name] = leaf
    out = evaluate(body, variables, Value)
    if not isinstance(out, Value):
        raise ExpressionError("the expression does not depend on its variables")
    if backward:
        out.backward()
    return out, variables


# -- command line ----------------------------------------------------------------------------


def _default_learner_level() -> manifest.Level:
    """The most advanced level whose value.py the learner has changed (level 1 if none)."""
    chosen = manifest.levels()[0]
    for lv in manifest.levels():
        mine, stub = lv.path / lv.files[0], lv.stub_path / lv.files[0]
        if mine.exists() and (not stub.exists() or mine.read_bytes() != stub.read_bytes()):
            chosen = lv
    return chosen


def _arrives(name: str, impl: str, level: manifest.Level) -> str:
    """Where a missing op comes from, for the error line."""
    from utils.ops import OPS

    op = OPS.get(name)
    if op is None or op.level is None:
        return f" ({name} is an extra of the reference engine: --impl reference)"
    if impl == "learner" and op.level > level.number:
        return f" ({name} arrives at level {op.level}: add --level {op.level})"
    return f" ({name} is part of level {op.level})"


def _slug(expression: str) -> str:
    words = {"*": "mul", "+": "add", "-": "sub", "/": "div", "**": "pow"}
    tokens = re.findall(r"\*\*|[A-Za-z0-9_.]+|[-+*/]", expression)
    slug = "_".join(words.get(t, t.replace(".", "p")) for t in tokens)
    return slug[:60].strip("_") or "graph"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m utils.visualization",
        description="Draw the graph of an expression: each value's data and grad, each op.",
        epilog='examples:  "x*y + x"   "tanh(x*w + b)" --at x=1,w=-2,b=0.5   "(x**2).exp()" --format text',
    )
    parser.add_argument("expression", help='e.g. "x*y + x"; names, numbers, + - * / **, relu tanh exp log sigmoid')
    parser.add_argument("--at", help="values of the variables, e.g. x=2,y=3 (defaults: x=2, y=3, others 1)")
    parser.add_argument("--impl", default="reference",
                        help="engine: reference (default), learner, or a path to a value.py / kata folder")
    parser.add_argument("--level", type=int, help="level of the learner's engine (default: the most advanced "
                        "level you have edited)")
    parser.add_argument("--format", choices=list(FORMATS), help="default: svg, or the suffix of --out")
    parser.add_argument("--out", help="file to write (default: out/graph_<expression>.<format>)")
    parser.add_argument("--no-backward", action="store_true", help="draw before backward(): every grad 0")
    parser.add_argument("--max-nodes", type=int, default=MAX_NODES, help=f"summarise above this (default {MAX_NODES})")
    args = parser.parse_args(argv)

    from runner import impl as impl_loader

    fmt = args.format
    if fmt is None:
        suffix = Path(args.out).suffix if args.out else ""
        fmt = next((name for name, s in FORMATS.items() if s == suffix), "svg")
    try:
        at = parse_at(args.at)
        if args.level is not None:
            level = manifest.level(args.level)
        elif args.impl == "learner":
            level = _default_learner_level()
        else:
            level = manifest.levels()[-1]
        engine = impl_loader.load(args.impl, level)
        out, variables = build(args.expression, engine.Value, at, backward=not args.no_backward)
    except MissingOp as error:
        print(f"error: {error}{_arrives(error.name, args.impl, level)}", file=sys.stderr)
        return 2
    except (ExpressionError, impl_loader.ImplError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (TypeError, ZeroDivisionError, ArithmeticError, NotImplementedError, AttributeError) as error:
        where = f"the {args.impl} engine" + (f" (level {level.number})" if args.impl == "learner" else "")
        print(f"error: {where} raised {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    unused = sorted(set(at) - set(variables))
    if unused:
        print(f"note: --at sets {', '.join(unused)}, which the expression does not use", file=sys.stderr)

    point = ", ".join(f"{name}={number(leaf.data)}" for name, leaf in variables.items())
    title = f"{args.expression}  at {point}" + ("" if not args.no_backward else "  (before backward)")
    path = Path(args.out) if args.out else OUT / f"graph_{_slug(args.expression)}{FORMATS[fmt]}"
    drawing = draw(out, path, fmt, max_nodes=args.max_nodes, title=title)
    engine_name = args.impl + (f" (level {level.number})" if args.impl == "learner" else "")
    if drawing.note:
        print(f"note: {drawing.note}", file=sys.stderr)
    if fmt == "text" or drawing.note:
        print(to_text(out, args.max_nodes, title), end="")
    print(f"engine: {engine_name}; output data={number(out.data)}; "
          + ", ".join(f"d/d{name}={number(leaf.grad)}" for name, leaf in variables.items()))
    for p in drawing.paths:
        print(_shown(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
