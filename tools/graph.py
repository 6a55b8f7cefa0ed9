"""Draw an expression's graph from the command line: ``nox -s graph -- "x*y + x"``.

    python -m tools.graph "x*y + x"                                  # out/graph_x_mul_y_add_x.svg
    python -m tools.graph "tanh(x*w + b)" --at x=1,w=-2,b=0.5 --format text
    python -m tools.graph "x*y + x" --impl learner --level 2         # your own engine

The expression is parsed with ``ast`` and only names, numbers, ``+ - * / **``,
unary minus and the functions in ``FUNCTIONS`` are accepted: nothing is
evaluated as Python. The drawing itself is utils/visualization.py.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

from runner import manifest, state
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


def _default_learner_level() -> manifest.Level:
    """The most advanced level whose value.py the learner has changed (level 1 if none)."""
    chosen = manifest.levels()[0]
    for lv in manifest.levels():
        if state.level_started(lv):
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.graph",
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
        print(shown(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
