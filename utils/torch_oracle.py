"""PyTorch as the oracle: the same expression, run by an engine and by PyTorch in float64.

    from utils.torch_oracle import compare_with_torch
    report = compare_with_torch(lambda x, y: (x * y).tanh() + x, [0.5, -1.0], Value)
    assert report.ok, report

An expression is written once against the ``Value`` API (operators,
``.relu()``, ``.tanh()``, ``.exp()``, ``** k``); the same code runs on
``torch.Tensor`` scalars, which support all of it. A ``utils.programs.Program``
works too, and then every intermediate node is compared as well, so a report
points at the first node that went wrong.

Your number agrees with PyTorch's when ``|yours - PyTorch's| <= max(1e-5 * |PyTorch's|, 1e-5)``
(``utils.close.close``). PyTorch
computes in float64, like Python floats, so a correct engine agrees to many
more digits than that; a disagreement is a bug, never rounding.

PyTorch is imported only when a comparison runs. Tests call
``require_torch()``, which skips the test with one line saying how to
install it when PyTorch is missing.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from utils.close import Disagreement
from utils.close import close as utils_close

RTOL = 1e-5
ATOL = 1e-5
TORCH_PIN = "torch==2.13.0"
TORCH_MISSING = (
    f"PyTorch is not installed: run `nox -s level3` (it installs {TORCH_PIN}), or pip install {TORCH_PIN}"
)


def torch_available() -> bool:
    """Whether ``import torch`` would work, without importing it."""
    return importlib.util.find_spec("torch") is not None


def skip_without_torch() -> None:
    """Inside a test, a skip with one line when PyTorch is missing; PyTorch is not imported here."""
    if not torch_available():
        import pytest

        pytest.skip(TORCH_MISSING)


def require_torch():
    """The ``torch`` module; inside a test, a skip with one line when it is missing."""
    skip_without_torch()
    import torch

    return torch


# Where PyTorch's answers are computed: in this process, unless the kata's runner started a process that
# imports PyTorch while the first levels' tests run (runner/torch_worker.py) and handed it over here.
_worker = None


def use_worker(worker) -> None:
    """Compute ``ask``'s answers with ``worker.call(fn, *args)`` from now on (None: in this process)."""
    global _worker
    _worker = worker


def ask(fn: Callable, *args):
    """``fn(*args)``: PyTorch's answer, computed by the worker when there is one."""
    return fn(*args) if _worker is None else _worker.call(fn, *args)


def close(a: float, b: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """The kata's one closeness rule (utils/close.py), at the oracle's tolerances."""
    return utils_close(a, b, rtol, atol)


@dataclass
class OracleReport:
    """What a comparison found. ``str(report)`` is the message a learner reads."""

    expression: str
    inputs: dict[str, float]
    engine_out: float
    torch_out: float
    engine_grads: dict[str, float] = field(default_factory=dict)  # every compared grad, by name
    torch_grads: dict[str, float] = field(default_factory=dict)
    mismatches: list[Disagreement] = field(default_factory=list)
    backward_calls: int = 1

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def __bool__(self) -> bool:
        return self.ok

    @property
    def max_grad_diff(self) -> float:
        """The largest |engine - torch| over the compared gradients (0.0 when there are none)."""
        diffs = [abs(self.engine_grads[k] - self.torch_grads[k]) for k in self.engine_grads if k in self.torch_grads]
        return max(diffs, default=0.0)

    def __str__(self) -> str:
        where = ", ".join(f"{k} = {v!r}" for k, v in self.inputs.items())
        calls = "" if self.backward_calls == 1 else f"backward() called {self.backward_calls} times"
        if "Value(" in self.expression:  # code that already shows the inputs
            head = self.expression + (f"\n({calls})" if calls else "")
        else:
            head = f"{self.expression}\nat {where}" + (f", {calls}" if calls else "")
        if self.ok:
            return f"{head}\nagrees with PyTorch (float64): output {self.engine_out!r}"
        lines = [head, f"{len(self.mismatches)} number(s) differ from PyTorch (float64):"]
        lines += [str(m) for m in self.mismatches]
        return "\n".join(lines)


def _is_program(f) -> bool:
    return hasattr(f, "run") and hasattr(f, "steps") and hasattr(f, "n_inputs")


def _f(x) -> float:
    return float(x.item()) if hasattr(x, "item") else float(x)


def compare_with_torch(
    f: Callable,
    inputs: Sequence[float],
    Value: type,
    *,
    names: Sequence[str] | None = None,
    expression: str | None = None,
    backward_calls: int = 1,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> OracleReport:
    """Run ``f`` on engine Values and on float64 tensors; compare values and gradients.

    ``f`` takes one Value per input and returns the output Value; or it is a
    ``Program``, and then every node's value and gradient is compared too
    (inputs are ``x0, x1, ...``, nodes ``n3, n4, ...`` as ``Program`` prints them).

    ``backward_calls=2`` calls ``backward()`` twice on the engine's output
    and ``backward(retain_graph=True)`` twice in PyTorch: the inputs' grads
    must double (they accumulate), and every interior node must hold the
    gradient of ONE call (interior grads are reset, never compounded).
    """
    skip_without_torch()
    xs = [float(x) for x in inputs]
    program = _is_program(f)
    if names is None:
        names = [f"x{i}" for i in range(len(xs))]
    names = list(names)
    if expression is None:
        expression = f.as_code(xs) if program else getattr(f, "__name__", "f")

    # the engine
    leaves = [Value(x) for x in xs]
    if program:
        e_nodes = f.run(*leaves)
    else:
        e_nodes = list(leaves) + [f(*leaves)]
    e_out = e_nodes[-1]
    for _ in range(backward_calls):
        e_out.backward()

    # PyTorch, float64
    t_values, t_input_grads, one_call = ask(in_torch, f, xs, backward_calls)
    interior = range(len(xs), len(t_values))
    node_names = names + ([f.name(i) for i in interior] if program else ["out"])
    report = OracleReport(
        expression=expression,
        inputs=dict(zip(names, xs)),
        engine_out=_f(e_out.data),
        torch_out=t_values[-1],
        backward_calls=backward_calls,
    )
    # values first (a wrong forward explains the wrong gradients after it), then grads
    for i in interior:
        e, t = _f(e_nodes[i].data), t_values[i]
        if not close(e, t, rtol, atol):
            report.mismatches.append(Disagreement(f"value of {node_names[i]}", e, t))
    for i, name in enumerate(node_names):
        if i < len(xs):
            e, t = _f(e_nodes[i].grad), t_input_grads[i]
            note = f"an input: {backward_calls} backward() calls add up" if backward_calls > 1 else ""
        elif program:
            e, t = _f(e_nodes[i].grad), one_call[i - len(xs)]
            note = "an interior node: it holds the gradient of one backward() call" if backward_calls > 1 else ""
        else:
            continue  # a function's output: its grad is 1 by definition
        report.engine_grads[name] = e
        report.torch_grads[name] = t
        if not close(e, t, rtol, atol):
            report.mismatches.append(Disagreement(f"grad of {name}", e, t, note))
    return report


def _grad(t) -> float:
    g = getattr(t, "grad", None)
    return 0.0 if g is None else float(g.item())


def in_torch(f, xs: Sequence[float], backward_calls: int = 1) -> tuple[list[float], list[float], list[float]]:
    """PyTorch's answers (float64) for ``f`` (a function of the inputs, or a ``Program``) at ``xs``:
    every node's value (the inputs first, the output last), each input's gradient after
    ``backward_calls`` calls of ``backward(retain_graph=True)``, and each interior node's after one."""
    torch = require_torch()
    leaves = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in xs]
    nodes = f.run(*leaves) if _is_program(f) else [*leaves, f(*leaves)]
    if not isinstance(nodes[-1], torch.Tensor):  # f returned a constant
        nodes[-1] = torch.tensor(float(nodes[-1]), dtype=torch.float64, requires_grad=True)
    out, interior = nodes[-1], range(len(xs), len(nodes))
    for i in interior:
        if nodes[i].requires_grad and nodes[i].grad_fn is not None:
            nodes[i].retain_grad()
    one_call: list[float] = []
    for call in range(backward_calls):
        if out.requires_grad:
            out.backward(retain_graph=True)
        if call == 0:  # interior nodes: the gradient of one call is the contract
            one_call = [_grad(nodes[i]) for i in interior]
    return [_f(n) for n in nodes], [_grad(leaf) for leaf in leaves], one_call


def compare_numbers(pairs: Sequence[tuple[str, float, float]], *, rtol: float = RTOL,
                    atol: float = ATOL) -> list[Disagreement]:
    """Compare ``(what, engine, torch)`` triples computed elsewhere (e.g. a network's
    parameter gradients); return the ones that disagree."""
    return [Disagreement(what, float(e), float(t)) for what, e, t in pairs if not close(float(e), float(t), rtol, atol)]


def describe(mismatches: Sequence[Disagreement], title: str, limit: int = 12) -> str:
    """A message for a list of mismatches: the title, then at most ``limit`` of them."""
    lines = [f"{title}: {len(mismatches)} number(s) differ from PyTorch (float64)"]
    lines += [str(m) for m in mismatches[:limit]]
    if len(mismatches) > limit:
        lines.append(f"  ... and {len(mismatches) - limit} more")
    return "\n".join(lines)


def torch_mlp(torch, flat, nin, nouts):
    """The same network in PyTorch float64, from parameters() in the contract's order:
    layer by layer, neuron by neuron, the neuron's weights then its bias."""
    sizes, layers, k = [nin] + list(nouts), [], 0
    for i, nout in enumerate(nouts):
        W, b = [], []
        for _ in range(nout):
            W.append(flat[k:k + sizes[i]])
            b.append(flat[k + sizes[i]])
            k += sizes[i] + 1
        layers.append((torch.tensor(W, dtype=torch.float64, requires_grad=True),
                       torch.tensor(b, dtype=torch.float64, requires_grad=True)))

    def forward(X):
        h = torch.tensor(X, dtype=torch.float64)
        for i, (W, b) in enumerate(layers):
            h = h @ W.T + b
            if i < len(layers) - 1:
                h = h.relu()
        return h

    def grads():
        out = []
        for W, b in layers:
            for row in range(W.shape[0]):
                out += W.grad[row].tolist() + [b.grad[row].item()]
        return out

    def data():
        out = []
        for W, b in layers:
            for row in range(W.shape[0]):
                out += W.detach()[row].tolist() + [b.detach()[row].item()]
        return out

    return forward, grads, data, [p for layer in layers for p in layer]


def mlp_outputs(flat, nin, nouts, X) -> list[list[float]]:
    """PyTorch's outputs of ``torch_mlp`` for the parameters ``flat``, one row per point of ``X``."""
    forward, *_ = torch_mlp(require_torch(), flat, nin, nouts)
    return forward(X).detach().tolist()


def mlp_weighted_sum(flat, nin, nouts, X) -> tuple[float, list[float]]:
    """loss = the sum over the points of ``X`` and every output j of (j + 1) * output_j: its value and
    every parameter's gradient, in the order of ``flat``."""
    torch = require_torch()
    forward, grads, *_ = torch_mlp(torch, flat, nin, nouts)
    loss = (forward(X) * torch.arange(1, nouts[-1] + 1, dtype=torch.float64)).sum()
    loss.backward()
    return loss.item(), grads()


def mlp_hinge_steps(flat, nin, nouts, X, y, alpha, lrs) -> list[tuple[float, list[float], list[float]]]:
    """hinge loss = mean(relu(1 - y_i * score_i)) + alpha * sum(p * p), then one step of plain SGD
    (p -= lr * grad, gradients reset first) for each lr of ``lrs``: per step, the loss before it, every
    parameter's gradient and every parameter after it (lr 0 leaves them as they were)."""
    torch = require_torch()
    forward, grads, data, tensors = torch_mlp(torch, flat, nin, nouts)
    yt = torch.tensor(y, dtype=torch.float64)
    steps = []
    for lr in lrs:
        loss = (1 - yt * forward(X)[:, 0]).relu().mean() + alpha * sum((p * p).sum() for p in tensors)
        for p in tensors:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in tensors:
                p -= lr * p.grad
        steps.append((loss.item(), grads(), data()))
    return steps
