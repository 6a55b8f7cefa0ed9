"""Draw an expression's graph from the command line: ``nox -s graph -- "x*y + x"``.

    python -m tools.graph "x*y + x"                                  # out/graph_x_mul_y_add_x.svg
    python -m tools.graph "tanh(x*w + b)" --at x=1,w=-2,b=0.5 --format text
    python -m tools.graph "x*y + x" --impl learner --level 2         # your own engine
    python -m tools.graph "3 * tanh(x)" --check --impl PATH          # grads beside PyTorch's, wrong op marked

The expression is parsed with ``ast`` and only names, numbers, ``+ - * / **``,
unary minus and the functions in ``FUNCTIONS`` are accepted: nothing is
evaluated as Python. The drawing itself is utils/visualization.py; ``--check``
puts PyTorch's grads (or finite differences') beside the engine's and marks
the op whose backward went wrong (runner/failgraph.py). Without ``--impl`` the
learner's own engine is drawn once they have written one, else the reference.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

from runner import failgraph, manifest, recognise, state
from runner.paths import shown
from utils.visualization import FORMATS, FUNCTIONS, MAX_NODES, OUT, draw, number, to_text

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


def written_level() -> manifest.Level | None:
    """The most advanced level whose value.py the learner has written (it differs from the level's
    stub), or None while every one is still the stub."""
    chosen = None
    for lv in manifest.levels():
        if state.level_started(lv):
            chosen = lv
    return chosen


# -- --check: the right grads, from PyTorch or finite differences ------------------------------


def torch_grads(nodes: list) -> dict[int, float]:
    """The grad of every node, by PyTorch (float64) on the same graph replayed."""
    import torch

    made = failgraph.replay(nodes, lambda d: torch.tensor(d, dtype=torch.float64, requires_grad=True))
    for tensor in made.values():
        if not tensor.is_leaf:
            tensor.retain_grad()
    made[id(nodes[-1])].backward()
    return {key: 0.0 if t.grad is None else float(t.grad) for key, t in made.items()}


def numerical_grads(nodes: list) -> dict[int, float]:
    """The grad of every node by central differences: nudge its value, recompute what depends on it."""
    from utils.finite_difference_checker import numerical_gradient

    steps = {id(n): recognise.identify(n) for n in nodes if recognise.operands(n)}
    if None in steps.values():
        raise failgraph.Unrecognised("an op of this graph is not one of the kata's")

    def output(nudged: int, value: float) -> float:
        values: dict[int, float] = {}
        for node in nodes:
            step = steps.get(id(node))
            values[id(node)] = value if id(node) == nudged else float(node.data) if step is None else \
                step.op.fn(*[values[id(a)] if recognise._is_node(a) else a for a in step.args])
        return values[id(nodes[-1])]

    return {id(n): numerical_gradient(lambda xs, n=n: output(id(n), xs[0]), [float(n.data)], 0) for n in nodes}


def oracle(against: str | None) -> tuple:
    """(the grads function, its name): PyTorch when installed, else finite differences."""
    from utils.torch_oracle import torch_available

    if against == "torch" or (against is None and torch_available()):
        return torch_grads, "PyTorch"
    return numerical_grads, "numerical"


def check_lines(out, against: str | None, max_nodes: int, title: str) -> tuple[failgraph.Analysis, list[str]]:
    """The graph with the oracle's grads beside the engine's, and a verdict."""
    grads, source = oracle(against)
    analysis = failgraph.analyse(out, grads, source)
    text = to_text(out, max_nodes, title, analysis.check()).splitlines()
    wrong = analysis.wrong()
    if not analysis.right:
        verdict = f"no comparison: {analysis.note}"
    elif not wrong:
        verdict = f"every grad agrees with {'PyTorch' if source == 'PyTorch' else 'finite differences'}"
    else:
        verdict = (f"{len(wrong)} of {len(analysis.nodes)} grads differ from "
                   f"{'PyTorch' if source == 'PyTorch' else 'finite differences'} (✗)")
        if not analysis.marked:
            verdict += "; no single op confirmed by a probe (an order or seed problem of backward()?)"
    return analysis, text + failgraph.marks(analysis) + [verdict]


def _arrives(name: str, impl: str, level: manifest.Level) -> str:
    """Where a missing op comes from, for the error line."""
    from utils.ops import OPS

    op = OPS.get(name)
    if op is None or op.level is None:
        return f" ({name} is an extra of the reference engine: --impl reference)"
    if impl == "learner" and op.level > level.number:
        return f" ({name} arrives at level {op.level}: add --level {op.level})"
    return f" ({name} is part of level {op.level})"


def _engine_name(impl: str, level: manifest.Level, chosen: bool) -> str:
    """Which engine is drawn, said in full."""
    if impl == "learner":
        files = ", ".join(shown(level.path / name) for name in level.files[:1])
        return f"yours, level {level.number} ({files})" + (": the most advanced level you have written" if chosen
                                                             else "")
    if impl == "reference":
        return "the reference (reference/engine.py)" + (
            ": no katas/levelN/value.py is written yet (--impl learner draws yours)" if chosen else "")
    return impl


def _slug(expression: str) -> str:
    words = {"*": "mul", "+": "add", "-": "sub", "/": "div", "**": "pow"}
    tokens = re.findall(r"\*\*|[A-Za-z0-9_.]+|[-+*/]", expression)
    slug = "_".join(words.get(t, t.replace(".", "p")) for t in tokens)
    return slug[:60].strip("_") or "graph"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.graph",
        description="Draw the graph of an expression: each value's data and grad, each op.",
        epilog='examples:  "x*y + x"   "tanh(x*w + b)" --at x=1,w=-2,b=0.5   "(x**2).exp()" --format text',
    )
    parser.add_argument("expression", help='e.g. "x*y + x"; names, numbers, + - * / **, relu tanh exp log sigmoid')
    parser.add_argument("--at", help="values of the variables, e.g. x=2,y=3 (defaults: x=2, y=3, others 1)")
    parser.add_argument("--impl", help="engine: learner, reference, or a path to a value.py / kata folder "
                        "(default: yours once you have written a value.py, else the reference)")
    parser.add_argument("--level", type=int, help="level of the learner's engine (default: the most advanced "
                        "level you have edited)")
    parser.add_argument("--format", choices=list(FORMATS), help="default: svg, or the suffix of --out")
    parser.add_argument("--out", help="file to write (default: out/graph_<expression>.<format>)")
    parser.add_argument("--no-backward", action="store_true", help="draw before backward(): every grad 0")
    parser.add_argument("--max-nodes", type=int, default=MAX_NODES, help=f"summarise above this (default {MAX_NODES})")
    parser.add_argument("--check", action="store_true", help="put the right grads beside the engine's (PyTorch's, "
                        "or finite differences'), and mark the op whose backward went wrong")
    parser.add_argument("--against", choices=["torch", "numerical"], help="--check against PyTorch or finite "
                        "differences (default: PyTorch when installed)")
    args = parser.parse_args(argv)
    if args.check and args.no_backward:
        parser.error("--check compares the grads of backward(): it cannot go with --no-backward")
    written, chosen = written_level(), args.impl is None
    if args.impl is None:
        args.impl = "learner" if written is not None else "reference"
        if args.level is None and written is not None:
            args.level = written.number

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
            level = written or manifest.levels()[0]
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
    print(f"engine: {_engine_name(args.impl, level, chosen)}")
    analysis = None
    if args.check:
        analysis, lines = check_lines(out, args.against, args.max_nodes, title)
        title += f"\ngrad: this engine's; {analysis.source}: the right one; red: they differ; " \
                 "red op: its backward went wrong"
    drawing = draw(out, path, fmt, max_nodes=args.max_nodes, title=title,
                   check=analysis.check() if analysis is not None else None)
    if drawing.note:
        print(f"note: {drawing.note}", file=sys.stderr)
    if analysis is not None:
        print("\n".join(lines))
    elif fmt == "text" or drawing.note:
        print(to_text(out, args.max_nodes, title), end="")
    print(f"output data={number(out.data)}; "
          + ", ".join(f"d/d{name}={number(leaf.grad)}" for name, leaf in variables.items()))
    for p in drawing.paths:
        print(shown(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
