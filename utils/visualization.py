"""Draw a ``Value``'s graph: every node with its op, data and grad.

    from utils.visualization import to_text, draw
    print(to_text(loss))                 # an indented tree, in the terminal
    draw(loss, "out/loss.svg")           # a picture (graphviz), or text/DOT/Mermaid without it

The command line (``nox -s graph -- "x*y + x"``) is tools/graph.py.

Works on any engine: it reads only ``data``, ``grad``, ``_prev`` (any
iterable: set, tuple, list) and ``_op``, plus ``label`` when a node has one.

Renderings, from the richest to the one that needs nothing: SVG / PNG through
graphviz (the ``graphviz`` package and the ``dot`` program; without them ``draw``
writes the fallbacks and says why), DOT text (``to_dot``), Mermaid
(``to_mermaid``: renders on GitHub), and text (``to_text``: an indented tree; a
node used twice is listed once and referred back to by its id).

The output is deterministic: nodes are numbered ``v0, v1, ...`` operands
first (a post-order walk from the output), never by ``id()``; when ``_prev``
is a set, operands are visited in a fixed order (by label, op, data, grad).
Walks use explicit stacks, so a chain of a million nodes does not recurse, and
a graph of more than ``max_nodes`` values is summarised: the values nearest
the output are drawn and the rest are counted.

A ``Check`` puts the right grad beside each value's own (red where they
differ) and marks the ops whose backward went wrong; its ``keep`` draws only
the values around what went wrong (runner/failgraph.py, ``--check``).
"""

from __future__ import annotations

import hashlib
import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from utils.graph import breadth_first, operands, topological_order


MAX_NODES = 150  # above this many values a graph is summarised, not drawn in full
FUNCTIONS = ("relu", "tanh", "exp", "log", "sigmoid")  # callable in expressions, as f(x) or x.f()
FORMATS = {"svg": ".svg", "png": ".png", "dot": ".dot", "mermaid": ".mmd", "text": ".txt"}
OUT = Path(__file__).resolve().parent.parent / "out"  # git-ignored

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
    right: float | None = None  # the right grad, when a Check gives it
    wrong: bool = False  # grad and right differ
    marked: bool = False  # the op whose backward went wrong
    digits: int = 4  # significant digits of grads: more when grad and right differ only after the 4th

    @property
    def is_leaf(self) -> bool:
        return not self.operands and not self.hidden


@dataclass
class Check:
    """Right grads beside the engine's, by id(value); ``marked``: the ops whose backward went wrong;
    ``keep``: the only values to draw; ``source``: what the right grads are called."""

    right: dict[int, float]
    marked: set[int] = field(default_factory=set)
    names: dict[int, str] = field(default_factory=dict)
    keep: set[int] | None = None
    source: str = "right"

    def differs(self, value) -> bool:
        right, grad = self.right.get(id(value)), getattr(value, "grad", None)
        try:
            return right is not None and not (grad == right or abs(float(grad) - right) <= 1e-9 + 1e-6 * abs(right))
        except (TypeError, ValueError):
            return True


@dataclass
class Graph:
    nodes: list[Node]  # post-order: the output is last
    total: int  # values in the whole graph (drawn or not)
    around: str = "nearest the output"  # which values were kept when capped

    @property
    def root(self) -> Node:
        return self.nodes[-1]

    @property
    def capped(self) -> bool:
        return self.total > len(self.nodes)

    def summary(self) -> str | None:
        if not self.capped:
            return None
        return (f"{self.total} values: showing the {len(self.nodes)} {self.around}, "
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
        if id(root) not in self._signatures:
            def uncomputed(value) -> list:  # the walk stops at subgraphs signed before
                return [p for p in operands(value) if id(p) not in self._signatures]

            for value in topological_order(root, uncomputed):
                prev = getattr(value, "_prev", ()) or ()
                children = [self._signatures[id(p)][1] for p in prev]
                if isinstance(prev, (set, frozenset)):
                    children.sort()
                text = repr((_sort_key(value), children))
                self._signatures[id(value)] = (value, hashlib.blake2b(text.encode(), digest_size=12).hexdigest())
        return self._signatures[id(root)][1]


def trace(root, max_nodes: int = MAX_NODES, check: Check | None = None) -> Graph:
    """Walk the graph below ``root`` without recursion.

    Every value is counted; at most ``max_nodes`` of them, the nearest the
    output (breadth first), are kept for drawing (or those in ``check.keep``).
    """
    keep = check.keep if check is not None else None
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    walker = _Walker()
    # breadth first from the output: the values to draw, and a count of all of them
    kept: dict[int, object] = {}
    alive = []  # keeps every visited object alive, so no id() is reused during the walk
    for value in breadth_first(root, walker.operands):
        alive.append(value)
        if (len(kept) < max_nodes) if keep is None else (id(value) in keep or value is root):
            kept[id(value)] = value
    total = len(alive)

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
                node = _node(value, len(order), check)
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
    return Graph(order, total, "nearest the output" if keep is None else "around what went wrong")


def _node(value, index: int, check: Check | None = None) -> Node:
    label = getattr(value, "label", None)
    if check is not None:
        label = check.names.get(id(value), label)
    op = getattr(value, "_op", "")
    node = Node(id=f"v{index}", number=index, value=value, label=str(label) if label not in (None, "") else None,
                op=str(op) if op is not None else "", data=getattr(value, "data", value),
                grad=getattr(value, "grad", None))
    if check is not None:
        node.right, node.wrong = check.right.get(id(value)), check.differs(value)
        node.marked = id(value) in check.marked
        node.digits = 10 if node.wrong and number(node.grad) == number(node.right) else 4
    return node


def number(x, digits: int = 4) -> str:
    """A number with 4 (or ``digits``) significant digits: 2, 0.5, 1.333, -3.142e+05, nan."""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if f == 0:
        return "0"  # also -0.0
    if math.isnan(f) or math.isinf(f):
        return str(f)
    return f"{f:.{digits}g}"


# -- DOT -------------------------------------------------------------------------------------


def _dot_record(text: str) -> str:
    """Escape a field of a graphviz record label."""
    return re.sub(r'([{}|<>"\\])', r"\\\1", text)


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(root, max_nodes: int = MAX_NODES, title: str | None = None, check: Check | None = None) -> str:
    """The graph as DOT text: a box per value (label, data, grad), an ellipse per op.

    Deterministic: the same graph gives the same text, whatever the engine.
    """
    graph = trace(root, max_nodes, check)
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
        fields += [f"data {_dot_record(number(node.data))}", f"grad {_dot_record(number(node.grad, node.digits))}"]
        if node.right is not None:
            fields.append(f"{_dot_record(check.source)} {_dot_record(number(node.right, node.digits))}")
        style = ""
        if node is graph.root:
            style = ", penwidth=2"
        elif node.is_leaf:
            style = ', style=filled, fillcolor="#e8f0fe"'
        if node.wrong:
            style += ', style=filled, fillcolor="#f9d6d5", color="#b3261e", fontcolor="#b3261e"'
        lines.append(f'  {node.id} [shape=record, label="{{ {" | ".join(fields)} }}"{style}]')
        if node.operands or node.hidden:
            marked = (', style=filled, fillcolor="#b3261e", fontcolor=white, penwidth=2'
                      if node.marked else "")
            text = (node.op or "?") + ("\nbackward wrong" if node.marked else "")
            lines.append(f"  {node.id}_op [label={_dot_string(text)}, shape=ellipse{marked}]")
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


def to_mermaid(root, max_nodes: int = MAX_NODES, title: str | None = None, check: Check | None = None) -> str:
    """The graph as a Mermaid flowchart (renders on GitHub and in many editors)."""
    graph = trace(root, max_nodes, check)
    lines = []
    caption = " - ".join(t for t in (title, graph.summary()) if t)
    if caption:
        lines += ["---", f"title: {_mermaid(caption)}", "---"]
    lines.append("flowchart LR")
    for node in graph.nodes:
        head = f"{_mermaid(node.label)}<br/>" if node.label else ""
        right = "" if node.right is None else f"<br/>{_mermaid(check.source)} {number(node.right, node.digits)}"
        lines.append(f'  {node.id}["{head}data {number(node.data)}<br/>grad {number(node.grad, node.digits)}{right}"]')
        if node.wrong:
            lines.append(f"  style {node.id} fill:#f9d6d5,stroke:#b3261e")
        if node.operands or node.hidden:
            lines.append(f'  {node.id}_op(("{_mermaid(node.op or "?")}{" backward wrong" if node.marked else ""}"))')
            if node.marked:
                lines.append(f"  style {node.id}_op fill:#b3261e,color:#fff")
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
        return f"{node.label} = {node.op or '?'}" if node.label else node.op or "?"
    return node.label or "leaf"


def _describe(node: Node, source: str = "right") -> str:
    right = "" if node.right is None else f"  {source}={number(node.right, node.digits)}{'  ✗' * node.wrong}"
    return (f"{node.id} {_what(node)}{' ◀ backward wrong' if node.marked else ''}  data={number(node.data)}  "
            f"grad={number(node.grad, node.digits)}{right}")


MAX_INDENT = 40  # levels of indentation in the text tree; deeper lines keep the last ones and start with "…"


def to_text(root, max_nodes: int = MAX_NODES, title: str | None = None, check: Check | None = None) -> str:
    """An indented tree from the output down to the leaves. A value used more than once is listed the
    first time and then referred back to as ``vN (see above)``."""
    graph = trace(root, max_nodes, check)
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
        inline = check is not None and check.keep is not None  # around what went wrong: say hidden operands inline
        lines.append(lead + _describe(item, check.source if check else "right")
                     + (f"  (+{item.hidden} not shown)" if item.hidden and inline else ""))
        children: list[Node | str] = list(item.operands)
        if item.hidden and not inline:
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


def _missing() -> list[str]:
    needs = []
    if shutil.which("dot") is None:
        needs.append("the graphviz program `dot` (apt install graphviz, brew install graphviz, "
                     "choco install graphviz or conda install graphviz)")
    try:
        import graphviz  # noqa: F401
    except ImportError:
        needs.append("the graphviz Python package (pip install graphviz; `nox -s graph` installs it)")
    return needs


def dot_available() -> bool:
    """Whether SVG/PNG can be drawn here: the graphviz package and the ``dot`` program."""
    return not _missing()


@dataclass
class Drawing:
    paths: list[Path]  # the files written; the first is the picture asked for, or its best stand-in
    note: str | None = None  # why a fallback was written instead, when it was


def draw(root, path, format: str = "svg", max_nodes: int = MAX_NODES, title: str | None = None,
         check: Check | None = None) -> Drawing:
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
    dot_text = to_dot(root, max_nodes, title, check)
    renderers = {"dot": lambda: dot_text, "mermaid": lambda: to_mermaid(root, max_nodes, title, check),
                 "text": lambda: to_text(root, max_nodes, title, check)}
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
        note = f"no {format.upper()}: pictures need " + (" and ".join(_missing()) or "graphviz")
    paths = []
    for name in ("text", "dot", "mermaid"):
        out = base.with_suffix(FORMATS[name])
        out.write_text(renderers[name](), encoding="utf-8")
        paths.append(out)
    return Drawing(paths, note + ". Wrote the text, DOT and Mermaid renderings instead "
                   "(paste the .mmd into a Mermaid viewer, or the .dot into a graphviz one).")
