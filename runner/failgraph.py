"""The failing graph: each value's data, the grad the engine gave beside the right one, the op that went wrong.

A gradient failure that carries its graph (``failure.graph``: the output on
which ``backward()`` ran; ``failure.names``: name -> node, or id(node) or node -> a name) gets,
in its block, a compact text tree of that graph and the path of the same graph
drawn as a picture (``out/failures/<test>.svg``, or text/DOT/Mermaid without
graphviz). For out = (x + y) * x on an engine whose + overwrites (=) its first operand's grad:

    v3 out = *  data=-1.5  grad=1  right=1
    ├─ v0 x  data=1.5  grad=1.5  right=0.5  ✗
    └─ v2 + ◀ backward wrong  data=-1  grad=1.5  right=1.5
       ├─ v1 y  data=-2.5  grad=1.5  right=1.5
       └─ v0 x (see above)

The right grads come from replaying the same graph on the reference engine
(runner/recognise.py tells which op of utils/ops.py made each node, on any
engine), so interior values have right grads too. An op is marked when its own
grad is right, an operand's is wrong, every user of that operand has a right
grad, and a probe of the op on the engine, at the values of the graph, confirms
it (runner/diagnose.py: its local derivative, the chain rule, or used twice).
A correct engine's grads are all right, so it never gets a mark. ``tools/graph.py
--check`` uses the same analysis with PyTorch's or finite differences' grads.

``render`` never raises: a drawing that fails must never hide a verdict.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runner import diagnose, paths, recognise
from utils.graph import operands, topological_order
from utils.ops import OPS
from utils import visualization
from utils.visualization import OUT, Check, draw, to_text

MAX_SHOWN = 15  # values in the text tree; a larger graph is summarised around what went wrong
MAX_ANALYSED = 400  # values replayed and probed; a larger graph is not analysed
MARKED_KINDS = ("local", "chain", "accumulation")  # probe findings that put the fault in one op


def folder() -> Path:
    """Where failure pictures go: ``out/failures/`` (``KATA_FAILURES_DIR`` overrides it)."""
    return Path(os.environ.get("KATA_FAILURES_DIR") or OUT / "failures")


@dataclass
class Analysis:
    """A graph after ``backward()``, checked: the right grad of each value and the ops marked."""

    out: object
    nodes: list  # every value below ``out``, each after its operands; ``out`` last
    right: dict[int, float] = field(default_factory=dict)  # id -> the right grad
    marked: dict[int, diagnose.Finding] = field(default_factory=dict)  # id -> the probe that confirmed it
    source: str = "right"  # what the right grads are called in the drawing
    note: str = ""  # why there are no right grads, when there are none

    def check(self, names: dict[int, str] | None = None, keep: set[int] | None = None) -> Check:
        return Check(self.right, set(self.marked), dict(names or {}), keep, self.source)

    def wrong(self) -> list:
        check = self.check()
        return [n for n in self.nodes if check.differs(n)]


class Unrecognised(ValueError):
    """A node no op of the registry explains: the graph cannot be replayed."""


# -- the right grads ---------------------------------------------------------------------------


def replay(nodes: list, leaf: Callable[[float], object]) -> dict[int, object]:
    """An engine's graph (``nodes`` in topological order) rebuilt op by op elsewhere: ``leaf(data)``
    makes a leaf, and ops are called as the registry calls them (on Values, tensors or floats)."""
    made: dict[int, object] = {}
    for node in nodes:
        if not operands(node):
            made[id(node)] = leaf(float(node.data))
            continue
        step = recognise.identify(node)
        if step is None:
            raise Unrecognised(f"no op of the kata gives {_name(node)}'s data from its operands")
        made[id(node)] = step.op.call(*[made[id(a)] if recognise._is_node(a) else a for a in step.args])
    return made


def reference_grads(nodes: list) -> dict[int, float]:
    """The right grad of every node of an engine's graph (the output last): the same graph replayed
    on the reference engine."""
    from reference.engine import Value

    made = replay(nodes, Value)
    made[id(nodes[-1])].backward()
    return {key: float(value.grad) for key, value in made.items()}


# -- the op whose backward went wrong ----------------------------------------------------------


def _points(step: recognise.Step) -> list[tuple]:
    """(op, argument values) to probe for a recognised node, as the registry calls them."""
    values = step.values()
    if step.op.name in ("add", "mul") and not recognise._is_node(step.args[1]):  # x + c, c kept out of _prev
        return [(OPS["r" + step.op.name], [values[1], values[0]])]
    return [(step.op, values)]


# The probes of the chain rule and of a double use build ``op(..) * 3`` and ``op(x) + op(x)``: they
# blame ``op`` only when the engine's own * (for the chain) and + (for a double use) are right.
_COMBINER = {"chain": "mul", "accumulation": "add"}


def _probe(Value, op, values, combiners_right: set[str] | None = None) -> diagnose.Finding | None:
    for check in (diagnose.check_local, diagnose.check_use):
        try:
            found = check(Value, op, values)
        except Exception:  # noqa: BLE001 - a probe that crashes confirms nothing
            continue
        if found is None:
            continue
        combiner = _COMBINER.get(found.kind)
        trusted = combiner is None or combiner == op.name or combiners_right is None or combiner in combiners_right
        return found if found.op == op.name and found.kind in MARKED_KINDS and trusted else None
    return None


def _right_combiners(Value) -> set[str]:
    """Which of + and * pass their own probes (the seed of backward() first: without it nothing is trusted)."""
    if diagnose.check_seed(Value) is not None:
        raise ValueError("backward() does not seed the output with 1")
    return {name for name in _COMBINER.values()
            if all(_probe(Value, OPS[name], args) is None for args in diagnose.sample_args(OPS[name]))}


def suspects(nodes: list, right: dict[int, float]) -> list:
    """Ops whose own grad is right while an operand's is wrong, and every user of that operand
    has a right grad (so the operand's error comes from one of them, not from above)."""
    check = Check(right)
    wrong = {id(n) for n in nodes if check.differs(n)}
    users: dict[int, list] = {}
    for node in nodes:
        for operand in operands(node):
            users.setdefault(id(operand), []).append(node)
    return [u for u in nodes if id(u) not in wrong and any(
        id(v) in wrong and all(id(w) not in wrong for w in users[id(v)]) for v in operands(u))]


def mark(nodes: list, right: dict[int, float], Value) -> dict[int, diagnose.Finding]:
    """The suspects that a probe of their op, on ``Value`` at the graph's values, confirms."""
    found: dict[int, diagnose.Finding] = {}
    probed: dict[tuple, diagnose.Finding | None] = {}
    combiners: set[str] | None = None
    for node in suspects(nodes, right):
        combiners = _right_combiners(Value) if combiners is None else combiners
        step = recognise.identify(node)
        for op, values in _points(step) if step is not None else []:
            key = (op.name, tuple(values))
            if key not in probed:
                probed[key] = _probe(Value, op, values, combiners)
            if probed[key] is not None:
                found[id(node)] = probed[key]
                break
    return found


def analyse(out, grads: Callable[[list], dict[int, float]] = reference_grads, source: str = "right") -> Analysis:
    """Check the graph of ``out`` (after ``backward()``): the right grads (``grads`` of its nodes, the
    reference replayed by default) and the marked ops. Never raises; ``note`` says what could not be done."""
    try:
        nodes = topological_order(out)
    except Exception as error:  # noqa: BLE001
        return Analysis(out, [out], note=f"the graph could not be walked ({type(error).__name__})")
    result = Analysis(out, nodes, source=source)
    if len(nodes) > MAX_ANALYSED:
        result.note = f"{len(nodes)} values: too many to replay"
        return result
    try:
        result.right = grads(nodes)
    except Unrecognised as error:
        result.note = f"no right grads: {error}"
        return result
    except Exception as error:  # noqa: BLE001
        result.note = f"no right grads: the replay raised {type(error).__name__}"
        return result
    try:
        result.marked = mark(nodes, result.right, type(out))
    except Exception:  # noqa: BLE001 - no mark is better than a wrong one
        result.marked = {}
    return result


# -- the block's lines -------------------------------------------------------------------------


def _name(node) -> str:
    label = getattr(node, "label", "") or getattr(node, "_op", "") or "a value"
    return f"{label} (data {getattr(node, 'data', '?')})"


def around(analysis: Analysis, limit: int = MAX_SHOWN) -> tuple[object, set[int] | None, int]:
    """What the text tree of a graph larger than ``limit`` shows: the path from the output to each marked
    op (or to the wrong values nearest the output) and the op's operands. Returns the value the tree
    starts at (the output, or on a long path the value ``limit`` steps above the op), the values to
    show (None: all), and how many values of the path lie above the start."""
    if len(analysis.nodes) <= limit:
        return analysis.out, None, 0
    parent: dict[int, object] = {id(analysis.out): None}
    queue, order = deque([analysis.out]), []
    while queue:  # breadth first: the shortest path from the output to each value
        node = queue.popleft()
        order.append(node)
        for operand in operands(node):
            if id(operand) not in parent:
                parent[id(operand)] = node
                queue.append(operand)
    wrong = {id(n) for n in analysis.wrong()}
    targets = [n for n in order if id(n) in analysis.marked] or [n for n in order if id(n) in wrong][:2]
    paths = []
    for target in targets:
        path, node = [], target
        while node is not None:
            path.append(node)
            node = parent[id(node)]
        paths.append(path[::-1])  # from the output down to the target
    start, skipped = analysis.out, 0
    if paths and len(paths[0]) > limit - 3:  # a long path: only its end, from a value above the target
        skipped = len(paths[0]) - (limit - 3)
        paths = [paths[0][skipped:]]
        start = paths[0][0]
    keep: set[int] = {id(start)}
    for path in paths:
        for node in path:
            if len(keep) < limit:
                keep.add(id(node))
        if id(path[-1]) in keep and id(path[-1]) in analysis.marked:
            keep.update(id(o) for o in operands(path[-1]))
    return start, keep, skipped


def _names(names) -> dict[int, str]:
    """``{name: node}`` (as failures carry them), or ``{node or id(node): name}``, as ``{id(node): name}``."""
    if not names:
        return {}
    out = {}
    for key, value in dict(names).items():
        if isinstance(key, str) and not isinstance(value, str):
            key, value = value, key
        out[key if isinstance(key, int) else id(key)] = str(value)
    return out


def slug(text: str) -> str:
    """A file name from a test's name: ``test_op[tanh]`` -> ``test_op_tanh``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:100] or "failure"


def lines(analysis: Analysis, names=None) -> list[str]:
    """The compact text tree, indented for a block, with a line on each marked op."""
    start, keep, skipped = around(analysis)
    check = analysis.check(_names(names), keep)
    if not analysis.right:
        head = f"the graph (your grads; {analysis.note}):"
    elif not analysis.wrong():
        head = f"the graph: your grad and the {analysis.source} one (they agree):"
    else:
        head = (f"the graph: your grad and the {analysis.source} one, ✗ where they differ"
                + (", ◀ the op whose backward went wrong:" if analysis.marked else ":"))
    above = [f"⋮ {skipped} values on the path from the output down to here are not shown"] if skipped else []
    out = [head] + above + to_text(start, MAX_SHOWN, check=check).splitlines()
    return ["  " + text for text in out + marks(analysis)]


def marks(analysis: Analysis) -> list[str]:
    """One line per marked op: why it is marked."""
    labels: dict[tuple[str, str], list[str]] = {}
    findings: dict[tuple[str, str], diagnose.Finding] = {}
    for node in analysis.nodes:
        finding = analysis.marked.get(id(node))
        if finding is not None:
            key = (str(finding.op), finding.kind)
            findings[key] = finding
            label = str(getattr(node, "_op", "") or finding.op)
            names = labels.setdefault(key, [])
            if label not in names:
                names.append(label)
    return [f"◀ {', '.join(labels[key])}: its own grad is right, an operand's is not, and a probe confirms it: "
            f"{_kind(finding)}" for key, finding in findings.items()]


def _kind(finding: diagnose.Finding) -> str:
    return {"local": f"{finding.op}'s local derivative is wrong",
            "chain": f"{finding.op} does not multiply by out.grad (chain rule)",
            "accumulation": f"{finding.op} overwrites its operand's grad (= where += belongs)"}[finding.kind]


_DRAWING: list[subprocess.Popen] = []  # pictures still being drawn; the run waits for them as it ends


def picture(analysis: Analysis, name: str, names=None, title: str | None = None) -> list[Path]:
    """The graph drawn (all of it, up to the drawing's own cap) into the failures folder. With graphviz,
    ``dot`` draws the SVG from the DOT file in the background (a run with many failures does not wait
    for each picture; it waits for all of them as it ends); without it, text, DOT and Mermaid."""
    legend = f"grad: your engine's; {analysis.source}: the right one; red: they differ; red op: its backward went wrong"
    caption, check = "\n".join(t for t in (title, legend) if t), analysis.check(_names(names))
    base = folder() / slug(name)
    if not visualization.dot_available():
        return draw(analysis.out, base.with_suffix(".svg"), "svg", title=caption, check=check).paths
    base.parent.mkdir(parents=True, exist_ok=True)
    source, svg = base.with_suffix(".dot"), base.with_suffix(".svg")
    source.write_text(visualization.to_dot(analysis.out, title=caption, check=check), encoding="utf-8")
    if not _DRAWING:
        atexit.register(_finish)
    _DRAWING.append(subprocess.Popen([shutil.which("dot") or "dot", "-Tsvg", str(source), "-o", str(svg)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return [svg, source]


def _finish(seconds: float = 30) -> None:
    """Wait for the pictures still being drawn (a ``dot`` that hangs is stopped)."""
    while _DRAWING:
        process = _DRAWING.pop()
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()


def render(failure, item, analysis: Analysis | None = None) -> list[str]:
    """The extra lines of a gradient failure's block: the text tree and where the picture is (``analysis``:
    the failure's graph already analysed). Never raises."""
    try:
        out = getattr(failure, "graph", None)
        if out is None:
            return []
        names = getattr(failure, "names", None)
        analysis = analysis if analysis is not None else analyse(out)
        text = lines(analysis, names)
        try:
            written = picture(analysis, getattr(item, "name", "failure"), names, getattr(item, "name", None))
            text.append(f"  {'picture':<11} {paths.shown(written[0])}")
        except Exception as error:  # noqa: BLE001 - a folder we cannot write: the text tree is enough
            text.append(f"  (the picture could not be written: {type(error).__name__})")
        return text
    except Exception as error:  # noqa: BLE001 - a drawing must never hide the verdict
        return [f"  (the graph could not be drawn: {type(error).__name__}: {error})"]
