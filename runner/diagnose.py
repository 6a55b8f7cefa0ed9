"""A differential diagnosis: why an engine's gradients are wrong, stated only when a probe confirmed it.

Through the public API only (``data``, ``grad``, the operators, ``backward()``,
``_prev``; ``_backward`` when the engine has it), one probe per cause, in order,
and the first confirmed cause is the diagnosis (never two that contradict):

1. seed: ``backward()`` sets the output's grad to 1 (a leaf, then one op);
2. data kept: ``Value(2.5).data`` is 2.5 (no int truncation), and
   ``Value(0.1) * Value(0.2)`` is not rounded to single precision;
3. order: each node's backward step runs exactly once, after every node that
   uses it. Traced by wrapping each node's ``_backward`` on a small graph, in
   every order of its siblings; an engine without ``_backward`` closures is
   checked against the numbers each wrong order gives (after step 4);
4. each op on its own, primitives before the ops usually derived from them (-, /):
   its forward value and its local derivative (incoming gradient 1), then with a
   known incoming gradient (``op(..) * 3``: a result that ignores it is a missing
   chain factor, not a wrong derivative), then used twice, ``op(x) + op(x)``
   (missing accumulation only when the single use is right and the double use
   is exactly one share).

    from runner.diagnose import diagnose, explain
    print(diagnose(Value, level=2))            # a Finding, or None when no probe confirms a cause
    print(explain(Value, program, [0.5, -1.2]))  # one paragraph for a failure message
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from runner import recognise
from runner.checks import Finding
from runner.order import ORDER, check_order_by_numbers, check_order_by_trace, order_problem  # noqa: F401 - re-exported
from runner.order import _close, _fmt  # the diagnosis' tolerance and number format, one for both modules
from utils.ops import OPS, Op, ops_up_to

NOTHING = ("no single cause confirmed: backward() seeds 1, data is kept, and each op checked on its own "
           "(alone, inside a chain, used twice) is right; compare the numbers above with a hand calculation "
           "on a smaller graph")
INCOMING = 3.0  # the known incoming gradient of the chain probe
METHODS = {name: f"__{name}__" for name in ("add", "mul", "radd", "rmul", "sub", "rsub", "truediv", "rtruediv",
                                            "neg", "pow")}  # the engine's method behind each op
# ops usually built from others (README of level 2): probed after the primitives they use
DERIVED = frozenset({"neg", "sub", "rsub", "truediv", "rtruediv"})


def _f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


# -- 1. the seed ----------------------------------------------------------------------


def check_seed(Value) -> Finding | None:
    x = Value(2.0)
    x.backward()
    if not _close(x.grad, 1.0):
        return Finding("seed", None, f"backward() on a leaf left its grad at {_fmt(x.grad)}: backward() must start "
                                     "by setting the output's grad to 1 (d out / d out = 1)")
    a, b = Value(2.0), Value(3.0)
    z = a * b
    z.backward()
    if not _close(z.grad, 1.0):
        return Finding("seed", None, f"after z = a * b; z.backward(), z.grad is {_fmt(z.grad)} and a.grad "
                                     f"{_fmt(a.grad)}: backward() must start by setting the output's grad to 1 "
                                     "(d out / d out = 1)")
    return None


# -- 2. the data ----------------------------------------------------------------------


def check_data(Value) -> Finding | None:
    v = Value(2.5)
    if not _close(v.data, 2.5, 0, 0):
        how = " (int(data) drops the fraction: keep the number as it is, or use float(data))" \
            if _close(v.data, 2.0, 0, 0) else ""
        return Finding("data", None, f"Value(2.5).data is {v.data!r}, not 2.5{how}")
    p = (Value(0.1) * Value(0.2)).data
    exact, single = 0.1 * 0.2, _f32(_f32(_f32(0.1) * _f32(0.2)))
    if p != exact and _close(p, single, 1e-12, 0):
        return Finding("float32", None, f"Value(0.1) * Value(0.2) gives {p!r}, which is 0.1 * 0.2 rounded to single "
                                        f"precision (Python floats give {exact!r}): are data or grad stored as "
                                        "float32? Use Python floats")
    return None


# -- 4. each op on its own -------------------------------------------------------------------


def _names(op: Op, values: Sequence[float]) -> list[str]:
    vnames = iter(("x",) if op.args.count("v") == 1 else ("a", "b"))
    return [next(vnames) if kind == "v" else "k" if op.name == "pow" else "c" for kind in op.args]


def _where(op: Op, values: Sequence[float]) -> str:
    return ", ".join(f"{n} = {_fmt(v)}" for n, v in zip(_names(op, values), values))


def _shown(op: Op, values: Sequence[float]) -> str:
    return op.show(*[n if kind == "v" else _fmt(v) for kind, n, v in zip(op.args, _names(op, values), values)])


def _leaves(Value, op: Op, values):
    return [Value(v) if kind == "v" else v for kind, v in zip(op.args, values)]


def check_local(Value, op: Op, values: Sequence[float]) -> Finding | None:
    """One op on its own at these argument values: its forward value and its local derivative."""
    values = [float(v) for v in values]
    expected = op.grad(*values)
    at = _where(op, values)
    # forward
    leaves = _leaves(Value, op, values)
    before = [getattr(leaf, "_backward", None) for leaf in leaves]
    out = op.call(*leaves)
    right = op.fn(*values)
    method = METHODS.get(op.name, op.name)
    if any(kind == "v" and getattr(leaf, "_backward", None) != b for kind, leaf, b in zip(op.args, leaves, before)):
        return Finding("closure", op.name, f"{op.name}: building {_shown(op, values)} at {at} replaced its operand's "
                                           f"_backward: {method} must set its closure on the result "
                                           "(out._backward = _backward), not on self", method=method)
    if not (hasattr(out, "data") and hasattr(out, "grad")):
        return Finding("forward", op.name, f"{op.name}: {_shown(op, values)} at {at} returned {out!r}, a "
                                           f"{type(out).__name__}, not a Value: {method} must return a new Value "
                                           "(out = Value(..., (self, other), ...))", method=method)
    if not _close(out.data, right, 1e-9, 1e-12):
        if op.args == ("n", "v"):
            c, x = _fmt(values[0]), _fmt(values[1])
            sym = op.symbol.replace("(", "").replace(")", "").format("", "").strip()
            if _close(out.data, op.fn(values[1], values[0]), 1e-9, 1e-12):
                return Finding("forward", op.name, f"{op.name}: your {c} {sym} x gave x {sym} {c} ({_fmt(out.data)} "
                                                   f"at x = {x}; expected {c} {sym} {x} = {_fmt(right)}): in "
                                                   f"{method}(self, other), self is x and other is {c}, so it must "
                                                   f"return other {sym} self", method=method)
            return Finding("forward", op.name, f"{op.name}: your {c} {sym} x gave {_fmt(out.data)} at x = {x}; "
                                               f"expected {_fmt(right)}: a plain number on the left of {sym} makes "
                                               f"Python call {method}(x, {c}), which computes it", method=method)
        return Finding("forward", op.name, f"{op.name}: your forward gave {_fmt(out.data)} at {at}; expected "
                                           f"{_fmt(right)}", method=method)
    # the local derivative, incoming gradient 1
    out.backward()
    for i, (kind, leaf, e) in enumerate(zip(op.args, leaves, expected)):
        if kind != "v":
            continue
        if not _close(leaf.grad, e):
            which = "" if op.args.count("v") == 1 else f" for argument {i + 1}"
            return Finding("local", op.name, f"{op.name}: your backward gave {_fmt(leaf.grad)}{which} at {at}; "
                                             f"expected {_fmt(e)} = {op.formula}")
    return None


def check_use(Value, op: Op, values: Sequence[float]) -> Finding | None:
    """One op inside a graph: with a known incoming gradient, then used twice."""
    values = [float(v) for v in values]
    expected = op.grad(*values)
    at = _where(op, values)
    # a known incoming gradient
    leaves = _leaves(Value, op, values)
    (op.call(*leaves) * INCOMING).backward()
    for i, (kind, leaf, e) in enumerate(zip(op.args, leaves, expected)):
        if kind != "v" or _close(leaf.grad, INCOMING * e):
            continue
        shown = _shown(op, values)
        if _close(leaf.grad, 0.0) and not _close(e, 0.0):
            return Finding("order", op.name,
                           f"in {shown} * {_fmt(INCOMING)} at {at}, the operand's grad is 0, although {op.name}'s "
                           f"backward is right when it is the output: its step ran before the step of its user "
                           f"(* {_fmt(INCOMING)}) set out.grad, or never ran: {ORDER}")
        if _close(leaf.grad, e) and not _close(e, 0.0):
            return Finding("chain", op.name,
                           f"{op.name} ignores out.grad (chain rule): in {shown} * {_fmt(INCOMING)} at {at}, "
                           f"out.grad is {_fmt(INCOMING)} and the operand's grad must be {_fmt(INCOMING)} * "
                           f"{_fmt(e)} = {_fmt(INCOMING * e)}; your backward gave {_fmt(leaf.grad)}, the "
                           "local derivative alone: multiply it by out.grad")
        return Finding("chain", op.name,
                       f"{op.name}: in {shown} * {_fmt(INCOMING)} at {at}, with out.grad = {_fmt(INCOMING)}, your "
                       f"backward gave {_fmt(leaf.grad)} for argument {i + 1}; expected {_fmt(INCOMING * e)} "
                       "(right with out.grad = 1, so the incoming gradient is not used as out.grad * local)")
    # used twice
    leaves = _leaves(Value, op, values)
    (op.call(*leaves) + op.call(*leaves)).backward()
    for i, (kind, leaf, e) in enumerate(zip(op.args, leaves, expected)):
        if kind != "v" or _close(leaf.grad, 2 * e):
            continue
        shown = _shown(op, values)
        if _close(leaf.grad, e):
            return Finding("accumulation", op.name,
                           f"missing accumulation in {op.name}: in {shown} + {shown} at {at}, argument {i + 1} "
                           f"feeds two {op.name} nodes and must get 2 * {_fmt(e)} = {_fmt(2 * e)}; your backward "
                           f"gave {_fmt(leaf.grad)}, one share: {op.name}'s backward must add to the operand's "
                           "grad (+=), not overwrite it (=)")
        return Finding("accumulation", op.name,
                       f"{op.name}: in {shown} + {shown} at {at}, argument {i + 1} must get 2 * {_fmt(e)} = "
                       f"{_fmt(2 * e)}; your backward gave {_fmt(leaf.grad)} (one use alone gives the right "
                       f"{_fmt(e)})")
    # one node on both sides: x + x, x * x
    if op.args == ("v", "v"):
        x = Value(values[0])
        op.call(x, x).backward()
        e = sum(op.grad(values[0], values[0]))
        if not _close(x.grad, e):
            shown = op.show("x", "x")
            return Finding("accumulation", op.name,
                           f"{op.name}: in {shown} at x = {_fmt(values[0])}, x is both operands and must get "
                           f"{_fmt(e)}, the shares of both slots; your backward gave {_fmt(x.grad)}: each slot of "
                           f"{op.name}'s backward must add its share to its operand's grad (+=), even when both "
                           "slots hold the same node")
    return None


def sample_args(op: Op) -> list[tuple[float, ...]]:
    if op.args == ("n", "v"):
        return [(2.5, 4.0)]  # c and x apart, so that c - x and x - c differ
    if op.name == "pow":
        return [(1.5, 3.0), (1.5, -1.0), (2.0, 0.5)]
    if op.name == "relu":
        return [(1.5,), (-1.5,)]
    return [tuple(round(iv.lo + f * (iv.hi - iv.lo), 3) or 0.7 for iv, f in zip(op.domain, (0.62, 0.83)))]


# -- the diagnosis ----------------------------------------------------------------------------


@dataclass
class Diagnosis:
    """Every confirmed finding (each with its op and kind), what was checked and passed, which probes crashed."""

    findings: list[Finding] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)
    complete: bool = False  # every probe ran and passed
    ops: list[str] = field(default_factory=list)  # the ops probed

    def first(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    def tied(self, failure) -> list[Finding]:
        """The findings that explain ``failure`` (a runner.checks.Mismatch): tied to what it exercised."""
        kinds = {"forward", "data", "float32"} if failure.kind == "data" else None
        return [f for f in self.findings if f.ties_to(failure) and (kinds is None or f.kind in kinds)]

    def nothing(self) -> str:
        """"No single cause confirmed", saying only what was checked and passed and which probes could not run."""
        if self.complete:
            return NOTHING.replace("each op checked", f"each op checked ({', '.join(self.ops)})")
        said = f"checked and right: {', '.join(self.passed)}" if self.passed else "no probe passed"
        crashed = f"; could not run: {'; '.join(self.crashed)}" if self.crashed else ""
        return (f"no single cause confirmed ({said}{crashed}); compare the numbers above with a hand calculation "
                "on a smaller graph")


def _run(probe, what: str, diag: Diagnosis):
    try:
        return probe(), True
    except Exception as e:  # noqa: BLE001 - a probe that crashes confirms nothing, and is said
        diag.crashed.append(f"{what} ({type(e).__name__}: {str(e)[:80]})".replace(" ()", "").replace(": )", ")"))
        return None, False


def _built_from(Value, op: Op) -> set[str]:
    """The registry ops a derived op's node is made of, read off the engine's own graph."""
    try:
        args = sample_args(op)[0]
        out = op.call(*_leaves(Value, op, args))
        return {step.op.name for step in recognise.steps(out)} - {op.name}
    except Exception:  # noqa: BLE001
        return set()


def diagnosis(Value, level: int = 1, extra: Sequence[tuple[Op, Sequence[float]]] = (),
              also: Sequence[str] = ()) -> Diagnosis:
    """Every confirmed cause. A wrong seed or wrong data explains every failure: then it is the only
    finding. Otherwise the order and each op on its own (one finding per op; a derived op whose graph
    uses a faulty primitive is explained by the primitive's finding). Never raises."""
    diag = Diagnosis()
    for what, probe in (("the seed of backward()", check_seed), ("the data", check_data)):
        found, ran = _run(lambda probe=probe: probe(Value), what, diag)
        if found:
            diag.findings.append(found)
            return diag
        if ran:
            diag.passed.append({"the data": "data is kept"}.get(what, "backward() seeds 1"))
    found, order_ran = _run(lambda: check_order_by_trace(Value), "the order of backward steps", diag)
    if found:
        diag.findings.append(found)
    ops = ops_up_to(level)
    if extra:  # a failing graph: its own ops, and those of level 1 that every graph uses
        names = {op.name for op, _ in extra} | set(also)  # ``also``: ops the failure exercised, found or not
        ops = [op for op in ops if op.level == 1 or op.name in names]
    points = [(op, args) for op in ops for args in sample_args(op)] + list(extra)
    order = [o.name for o in ops]
    points.sort(key=lambda p: order.index(p[0].name) if p[0].name in order else len(order))
    wrong: dict[str, Finding | None] = {}  # None: a probe of the op crashed
    right: list[str] = []
    groups = ([p for p in points if p[0].name not in DERIVED], [p for p in points if p[0].name in DERIVED])
    # every op alone first; then inside a graph, which also uses * and +: only when both are right alone
    for check in (check_local, check_use):
        if check is check_use and any(n in wrong and (wrong[n] is None or wrong[n].kind in ("forward", "local"))
                                      for n in ("add", "mul")):
            break  # the graph probes use * and +: with either wrong alone, they would confirm nothing
        for op, args in groups[0] + groups[1]:
            if op.name in wrong:
                continue
            method = METHODS.get(op.name, op.name)
            if not hasattr(Value, method):  # confirmed by looking: the method is not there
                wrong[op.name] = Finding("missing", op.name, f"your Value has no method {method}: write it (the "
                                                             "level's README says what it computes)", method=method)
                continue
            found, ran = _run(lambda check=check, op=op, args=args: check(Value, op, args),
                              f"{op.name} at {_where(op, args)}", diag)
            if not ran or found:
                wrong[op.name] = found
    used = not any(n in wrong and (wrong[n] is None or wrong[n].kind in ("forward", "local")) for n in ("add", "mul"))
    for op, _ in points:
        if op.name not in wrong and op.name not in right:
            right.append(op.name)
    for name, found in list(wrong.items()):
        if found is None or name not in DERIVED:
            continue
        for base in _built_from(Value, OPS[name]) & {n for n, f in wrong.items() if f is not None and n != name}:
            wrong[base].explains = wrong[base].explains | {name}
            wrong[name] = None
            break
    diag.findings += [f for f in wrong.values() if f is not None]
    if right:
        how = "alone, inside a chain, used twice" if used else "alone"
        diag.passed.append(f"each of {', '.join(right)} checked on its own ({how})")
    if not diag.findings and not diag.crashed:
        found, order_ran = _run(lambda: check_order_by_numbers(Value), "the order of backward steps", diag)
        if found:
            diag.findings.append(found)
    if order_ran and not any(f.kind == "order" for f in diag.findings):
        diag.passed.insert(2, "the order of backward steps")
    diag.complete = not diag.findings and not diag.crashed
    diag.ops = right
    return diag


def diagnose(Value, level: int = 1, extra: Sequence[tuple[Op, Sequence[float]]] = ()) -> Finding | None:
    """The first confirmed cause, or None (``diagnosis`` gives them all). Never raises."""
    try:
        return diagnosis(Value, level, extra).first()
    except Exception:  # noqa: BLE001
        return None


def graph_points(Value, f, inputs) -> list[tuple[Op, list[float]]]:
    xs = [Value(float(x)) for x in inputs]
    if hasattr(f, "run") and hasattr(f, "name"):  # a utils.programs.Program
        out = f.run(*xs)[-1]
    else:
        out = f(*xs)
    points = []
    for step in recognise.steps(out):
        values = step.values()
        if step.op.name in ("add", "mul") and not recognise._is_node(step.args[1]):  # x + c, c kept out of _prev
            points.append((OPS["r" + step.op.name], [values[1], values[0]]))
        elif step.op.args == ("v",) * len(values) or step.op.name == "pow":
            points.append((step.op, values))
    return points


def explain(Value, f: Callable | None = None, inputs: Sequence[float] = (), *, names: Sequence[str] | None = None,
            level: int | None = None) -> str:
    """One paragraph for a failure message: the confirmed cause, or that none was confirmed.
    ``f`` and ``inputs`` (a function of Values or a ``Program``) add the failing graph's own
    op values to the probes. Safe in a failure message: it never raises."""
    try:
        extra = graph_points(Value, f, inputs) if f is not None else []
    except Exception:  # noqa: BLE001
        extra = []
    try:
        lv = level or max([op.level or 1 for op, _ in extra] + [1])
        diag = diagnosis(Value, lv, extra)
    except Exception:  # noqa: BLE001 - a diagnosis must never hide the real failure
        return ""
    return f"cause (confirmed by a probe): {diag.first()}" if diag.findings else diag.nothing()


# -- backward() twice (level 3) -----------------------------------------------------------------

LEAVES_RESET = ("the inputs' grads were not doubled by a second backward(), they stayed as after one call: "
                "backward() must not reset the leaves; reset only the nodes with operands")
INTERIOR_KEPT = ("the inputs' grads more than doubled: an interior node's grad doubled on the second call, so "
                 "backward() sent the first call's gradient through again; reset the grad of every node with "
                 "operands to 0 at the start of backward()")


def backward_twice(Value, f, inputs: Sequence[float]) -> str:
    """Why backward() twice went wrong on ``f`` (a function of Values or a ``Program``), when a probe
    shows it: the leaves reset, or interior grads kept. '' otherwise. Never raises."""
    def run(calls: int):
        xs = [Value(float(x)) for x in inputs]
        out = f.run(*xs)[-1] if hasattr(f, "run") else f(*xs)
        for _ in range(calls):
            out.backward()
        inner = [n for n in recognise.topological_order(out) if recognise.operands(n) and n is not out]
        return [float(x.grad) for x in xs], [float(n.grad) for n in inner]

    try:
        (g1, i1), (g2, i2) = run(1), run(2)
    except Exception:  # noqa: BLE001
        return ""
    if all(_close(b, 2 * a) for a, b in zip(g1, g2)):
        return ""
    if any(not _close(a, 0.0) for a in g1) and all(_close(b, a) for a, b in zip(g1, g2)):
        return LEAVES_RESET
    if any(not _close(a, 0.0) and _close(b, 2 * a) for a, b in zip(i1, i2)):
        return INTERIOR_KEPT
    return ""
