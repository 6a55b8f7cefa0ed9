"""An engine and PyTorch side by side: ``nox -s compare -- [--impl learner|reference|PATH] [--level N]``.

Runs a fixed set of computations (every op of levels 1-2, a few graphs with
shared nodes and constants, backward() twice, relu at 0, a deep chain, and at
level 4 a small network's hinge loss) with the engine and with PyTorch in
float64, and prints one row per computation: the engine's output, PyTorch's,
the largest gradient difference, and the verdict (agreement within
``|engine - PyTorch| <= max(1e-5 * |PyTorch|, 1e-5)``). Exit status 0 when every row agrees.
"""

from __future__ import annotations

import argparse
import random
import sys
import traceback
from dataclasses import dataclass

from runner import impl as impl_loader
from runner import manifest
from utils.ops import ops_up_to
from utils.programs import Program, Step
from utils.torch_oracle import TORCH_MISSING, close, compare_numbers, compare_with_torch, torch_available, torch_mlp

CHAIN = 100_000


@dataclass
class Row:
    name: str
    engine: str
    torch: str
    grad_diff: str
    verdict: str

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


def _fmt(x) -> str:
    return f"{x:.10g}" if isinstance(x, float) else str(x)


def _error_row(name: str, e: BaseException) -> Row:
    msg = f"{type(e).__name__}: {e}".splitlines()[0] if str(e) else type(e).__name__
    if isinstance(e, RecursionError):
        msg = "RecursionError: too deep for a recursive topological sort"
    return Row(name, "-", "-", "-", msg[:70])


def _report_row(name: str, report) -> Row:
    verdict = "ok" if report.ok else f"{len(report.mismatches)} differ: " + report.mismatches[0].what
    return Row(name, _fmt(report.engine_out), _fmt(report.torch_out), f"{report.max_grad_diff:.1e}", verdict)


# -- the computations ----------------------------------------------------------

_ARGS = {"v": 1.3, "n": 0.7}  # inside every op's safe domain (a pow exponent of 0.7, a divisor of 1.3)


def op_programs(level: int) -> list[tuple[str, Program, list[float]]]:
    """Each op of the levels up to ``level`` (at most 2), applied once, its result used twice."""
    out = []
    for op in ops_up_to(min(level, 2)):
        values = [a for a in op.args if a == "v"]
        xs = [_ARGS["v"] - 0.4 * i for i in range(len(values))]  # 1.3, 0.9
        refs, k = [], 0
        for kind in op.args:
            if kind == "v":
                refs.append(k)
                k += 1
            else:
                refs.append(_ARGS["n"])
        n = len(xs)
        program = Program(n, (Step(op.name, tuple(refs)), Step("mul", (n, n)), Step("add", (n + 1, n))))
        out.append((f"op {op.name}: y = {op.show(*[f'x{r}' if isinstance(r, int) else r for r in refs])}; y*y + y",
                    program, xs))
    return out


GRAPHS = [
    ("shared node: n2 = x0*x1, n2*n2 + n2 + x0",
     Program(2, (Step("mul", (0, 1)), Step("mul", (2, 2)), Step("add", (3, 2)), Step("add", (4, 0)))), [0.7, -1.3]),
    ("tanh(x0*x1 + 2.0) / (1.5 - x2) ** 2",
     Program(3, (Step("mul", (0, 1)), Step("radd", (2.0, 3)), Step("tanh", (4,)), Step("rsub", (1.5, 2)),
                 Step("pow", (6, 2.0)), Step("truediv", (5, 7)))), [0.4, -0.8, -0.6]),
    ("exp(-x0) * relu(x1 - x0) + x0 ** 0.5",
     Program(2, (Step("neg", (0,)), Step("exp", (2,)), Step("sub", (1, 0)), Step("relu", (4,)),
                 Step("mul", (3, 5)), Step("pow", (0, 0.5)), Step("add", (6, 7)))), [0.9, 2.1]),
    ("relu at exactly 0: relu(x0 - x0) * x1 + x0 * x1",
     Program(2, (Step("sub", (0, 0)), Step("relu", (2,)), Step("mul", (3, 1)), Step("mul", (0, 1)),
                 Step("add", (4, 5)))), [1.5, -2.0]),
]


def graph_rows(Value, level: int) -> list[Row]:
    rows = []
    computations = op_programs(level) + (GRAPHS if level >= 2 else GRAPHS[:1])
    for name, program, xs in computations:
        try:
            rows.append(_report_row(name, compare_with_torch(program, xs, Value)))
        except Exception as e:  # noqa: BLE001 - an unfinished engine is reported, not fatal
            rows.append(_error_row(name, e))
    name, program, xs = GRAPHS[0]
    try:
        report = compare_with_torch(program, xs, Value, backward_calls=2)
        rows.append(_report_row("backward() twice: n2 = x0*x1, n2*n2 + n2 + x0", report))
    except Exception as e:  # noqa: BLE001
        rows.append(_error_row("backward() twice", e))
    return rows


def chain_row(Value, torch) -> Row:
    name = f"chain of {CHAIN:,} steps: y = (y + 0.001) * 0.99999"
    try:
        x = Value(0.5)
        y = x
        for _ in range(CHAIN):
            y = (y + 0.001) * 0.99999
        y.backward()
    except Exception as e:  # noqa: BLE001 - RecursionError included
        return _error_row(name, e)
    tx = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    ty = tx
    for _ in range(CHAIN):
        ty = (ty + 0.001) * 0.99999
    ty.backward()
    e_out, t_out, e_g, t_g = float(y.data), ty.item(), float(x.grad), tx.grad.item()
    ok = close(e_out, t_out) and close(e_g, t_g)
    return Row(name, _fmt(e_out), _fmt(t_out), f"{abs(e_g - t_g):.1e}", "ok" if ok else f"grad {e_g!r} vs {t_g!r}")


def mlp_row(kata_impl, torch) -> Row:
    from utils.datasets import two_moons

    name = "MLP(2, [8, 8, 1]) hinge_loss on 16 two-moons points"
    nin, nouts, alpha = 2, [8, 8, 1], 1e-4
    try:
        nn = kata_impl.nn
        model = nn.MLP(nin, nouts)
        rng = random.Random(0)
        params = model.parameters()
        for p in params:
            p.data = rng.uniform(-1, 1)
        X, y = two_moons(16, seed=0)
        loss = nn.hinge_loss(model, X, y, alpha=alpha)
        model.zero_grad()
        loss.backward()
    except Exception as e:  # noqa: BLE001
        return _error_row(name, e)
    forward, grads, _, tensors = torch_mlp(torch, [p.data for p in params], nin, nouts)
    h = forward(X)
    yt = torch.tensor(y, dtype=torch.float64)
    t_loss = (1 - yt * h[:, 0]).relu().mean() + alpha * sum((t * t).sum() for t in tensors)
    t_loss.backward()
    t_grads = grads()
    pairs = [("loss", loss.data, t_loss.item())] + [(f"grad of parameters()[{i}]", p.grad, t)
                                                     for i, (p, t) in enumerate(zip(params, t_grads))]
    mismatches = compare_numbers(pairs)
    diff = max(abs(p.grad - t) for p, t in zip(params, t_grads))
    verdict = "ok" if not mismatches else f"{len(mismatches)} differ: {mismatches[0].what}"
    return Row(name, _fmt(loss.data), _fmt(t_loss.item()), f"{diff:.1e}", verdict)


# -- the table -------------------------------------------------------------------


def render(rows: list[Row], title: str) -> str:
    headers = ("computation", "engine", "PyTorch", "max |grad diff|", "verdict")
    cells = [headers] + [(r.name, r.engine, r.torch, r.grad_diff, r.verdict) for r in rows]
    widths = [min(max(len(c[i]) for c in cells), 60) for i in range(len(headers))]

    def line(c):
        return "  ".join((c[i][: widths[i]]).ljust(widths[i]) for i in range(len(c))).rstrip()

    out = [title, line(headers), "  ".join("-" * w for w in widths)]
    out += [line(c) for c in cells[1:]]
    agree = sum(r.ok for r in rows)
    out.append(f"\n{agree} of {len(rows)} computations agree with PyTorch (float64, 1e-5 relative + absolute)")
    return "\n".join(out)


def run(spec: str, level: int) -> tuple[list[Row], str]:
    import torch

    lv = manifest.level(level)
    kata_impl = impl_loader.load(spec, lv)
    Value = kata_impl.Value
    rows = graph_rows(Value, level)
    if level >= 3:
        rows.append(chain_row(Value, torch))
    if level >= 4:
        rows.append(mlp_row(kata_impl, torch))
    return rows, f"engine: {spec} ({kata_impl.files['value']}), level {level}, against torch {torch.__version__}\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s compare --", description=__doc__.splitlines()[0])
    parser.add_argument("--impl", default="learner", help="learner (default), reference, or a path to value.py / a folder")
    parser.add_argument("--level", type=int, default=3, help="whose files --impl learner means, and what to run (default 3)")
    args = parser.parse_args(argv)
    if not torch_available():
        print(TORCH_MISSING)
        return 2
    try:
        manifest.level(args.level)
        rows, title = run(args.impl, args.level)
    except (impl_loader.ImplError, ValueError) as e:
        print(e)
        return 2
    except Exception:  # noqa: BLE001 - the engine does not import: show where
        traceback.print_exc(limit=-3)
        return 2
    print(render(rows, title))
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
