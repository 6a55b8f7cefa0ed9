"""Speed and memory of the engines, side by side: ``nox -s bench``.

The workload is the one from micrograd's demo: one full-batch training step
(forward, zero the gradients, backward, SGD update) of an MLP 2-16-16-1 on 100
two-moons points, with the hinge loss ``mean(relu(1 - y * score))`` plus
``1e-4 * sum(p * p)``. Every engine starts from the same weights, and before
anything is timed the bench checks that every engine computes the same loss
and the same gradients.

The engines:

* ``fast``: ``utils.autograd_stub.Value`` (``reference/fast.py``), each neuron
  one fused ``Value.dot`` node;
* ``fast, unfused``: the same engine on the same graph as micrograd (a ``*``
  and a ``+`` per weight), to show what fusing buys;
* ``reference``: ``reference/engine.py``, the teaching engine;
* ``micrograd``: micrograd 0.1.0's own ``micrograd.nn.MLP``;
* ``torch scalar``: PyTorch with every weight a 0-d tensor, the micrograd graph;
* ``vectorized``: ``solutions/level02-vectorized`` (numpy arrays, batched);
* ``torch batched``: a ``torch.nn`` model of ``nn.Linear`` layers on a 100x2 tensor.

Plus a chain of a million nodes (forward, then backward) and the memory one
graph node takes. Every figure is a median over several repeats, taken in
rounds (each round times every engine once), so the ratios compare engines
under the same load of a shared machine.
"""

from __future__ import annotations

import gc
import importlib.util
import itertools
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One thread for numpy's BLAS and for torch: every engine here is single-threaded Python, a batch of
# 100x16 is far too small to split, and idle worker threads spinning between ops would steal the
# time of the engine timed next on a small shared machine. (Set before numpy is imported.)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
SIZES = (2, 16, 16, 1)
ALPHA = 1e-4
LR = 0.05
VECTORIZED = ROOT / "solutions" / "level02-vectorized" / "tensor.py"


# -- data and weights ----------------------------------------------------------


def moons(n: int = 100, seed: int = 1):
    """``n`` two-moons points (lists of 2 floats) and labels in {-1, +1}."""
    from utils.datasets import two_moons

    return two_moons(n, noise=0.1, seed=seed)


def init_weights(sizes=SIZES, seed: int = 0):
    """Per layer, per neuron: ``(weights, bias)`` as floats, uniform in [-1, 1] (bias 0.1, so no relu sits at 0)."""
    rng = random.Random(seed)
    return [
        [([rng.uniform(-1, 1) for _ in range(nin)], rng.uniform(-0.1, 0.1)) for _ in range(nout)]
        for nin, nout in itertools.pairwise(sizes)
    ]


def flat(weights) -> list[float]:
    """The parameters in one fixed order: layer by layer, neuron by neuron, weights then bias."""
    return [p for layer in weights for w, b in layer for p in (*w, b)]


# -- the engines ---------------------------------------------------------------


class Engine:
    """A network on one engine: ``step()`` trains once; ``loss_and_grads()`` for the agreement check."""

    name = ""
    note = ""

    def loss_and_grads(self) -> tuple[float, list[float]]:
        raise NotImplementedError

    def step(self) -> None:
        raise NotImplementedError


class ScalarEngine(Engine):
    """The MLP on any scalar ``Value``: fused (one ``Value.dot`` node per neuron) or as micrograd builds it."""

    def __init__(self, name, Value, weights, X, y, fused: bool, note=""):
        self.name, self.note, self.Value, self.fused = name, note, Value, fused
        self.layers = [[([Value(w) for w in ws], Value(b)) for ws, b in layer] for layer in weights]
        self.params = [p for layer in self.layers for ws, b in layer for p in (*ws, b)]
        self.X, self.y = X, y  # plain floats: no engine needs a Value for a constant input

    def loss(self):
        V = self.Value
        if self.fused:
            dot, total = V.dot, V.sum
            scores = []
            for x in self.X:
                for i, layer in enumerate(self.layers):
                    x = [dot(ws, x, b) for ws, b in layer]
                    if i < len(self.layers) - 1:
                        x = [a.relu() for a in x]
                scores.append(x[0])
            data_loss = total([(1 - yi * s).relu() for yi, s in zip(self.y, scores)]) * (1.0 / len(scores))
            return data_loss + ALPHA * dot(self.params, self.params)
        scores = []
        for x in self.X:
            for i, layer in enumerate(self.layers):
                x = [sum((w * xi for w, xi in zip(ws, x)), b) for ws, b in layer]
                if i < len(self.layers) - 1:
                    x = [a.relu() for a in x]
            scores.append(x[0])
        data_loss = sum((1 - yi * s).relu() for yi, s in zip(self.y, scores)) * (1.0 / len(scores))
        return data_loss + ALPHA * sum(p * p for p in self.params)

    def loss_and_grads(self):
        loss = self.loss()
        for p in self.params:
            p.grad = 0.0
        loss.backward()
        return loss.data, [p.grad for p in self.params]

    def step(self):
        loss = self.loss()
        for p in self.params:
            p.grad = 0.0
        loss.backward()
        for p in self.params:
            p.data -= LR * p.grad


class MicrogradEngine(Engine):
    """micrograd's own ``MLP``, its weights set to ours, the loss as in micrograd's demo."""

    name = "micrograd 0.1.0"
    note = "micrograd.nn.MLP"

    def __init__(self, weights, X, y):
        from micrograd.nn import MLP

        self.model = MLP(SIZES[0], list(SIZES[1:]))
        for layer, ws_layer in zip(self.model.layers, weights):
            for neuron, (ws, b) in zip(layer.neurons, ws_layer):
                for p, w in zip(neuron.w, ws):
                    p.data = w
                neuron.b.data = b
        self.params = self.model.parameters()
        self.X, self.y = X, y

    def loss(self):
        scores = [self.model(x) for x in self.X]
        data_loss = sum((1 + -yi * s).relu() for yi, s in zip(self.y, scores)) * (1.0 / len(scores))
        return data_loss + ALPHA * sum(p * p for p in self.params)

    def loss_and_grads(self):
        loss = self.loss()
        self.model.zero_grad()
        loss.backward()
        return loss.data, [p.grad for p in self.params]

    def step(self):
        loss = self.loss()
        self.model.zero_grad()
        loss.backward()
        for p in self.params:
            p.data -= LR * p.grad


class TorchScalarEngine(Engine):
    """PyTorch with every weight a 0-d tensor: the same graph as micrograd, op by op."""

    name = "torch scalar"
    note = "0-d tensors, float64"

    def __init__(self, weights, X, y):
        import torch

        torch.set_num_threads(1)
        self.torch = torch
        def t(v):
            return torch.tensor(v, dtype=torch.float64, requires_grad=True)

        self.layers = [[([t(w) for w in ws], t(b)) for ws, b in layer] for layer in weights]
        self.params = [p for layer in self.layers for ws, b in layer for p in (*ws, b)]
        self.X, self.y = X, y

    def loss(self):
        scores = []
        for x in self.X:
            for i, layer in enumerate(self.layers):
                x = [sum((w * xi for w, xi in zip(ws, x)), b) for ws, b in layer]
                if i < len(self.layers) - 1:
                    x = [a.relu() for a in x]
            scores.append(x[0])
        data_loss = sum((1 - yi * s).relu() for yi, s in zip(self.y, scores)) * (1.0 / len(scores))
        return data_loss + ALPHA * sum(p * p for p in self.params)

    def loss_and_grads(self):
        for p in self.params:
            p.grad = None
        loss = self.loss()
        loss.backward()
        return loss.item(), [p.grad.item() for p in self.params]

    def step(self):
        for p in self.params:
            p.grad = None
        self.loss().backward()
        with self.torch.no_grad():
            for p in self.params:
                p -= LR * p.grad


class TorchBatchedEngine(Engine):
    """A ``torch.nn`` model of ``nn.Linear`` layers on the whole 100x2 batch at once."""

    name = "torch batched"

    def __init__(self, weights, X, y, dtype="float64"):
        import torch
        from torch import nn

        torch.set_num_threads(1)
        self.torch, self.note = torch, f"nn.Linear, {dtype}"
        dt = getattr(torch, dtype)
        layers = []
        for i, layer in enumerate(weights):
            lin = nn.Linear(len(layer[0][0]), len(layer), dtype=dt)
            with torch.no_grad():
                lin.weight.copy_(torch.tensor([ws for ws, _ in layer], dtype=dt))
                lin.bias.copy_(torch.tensor([b for _, b in layer], dtype=dt))
            layers.append(lin)
            if i < len(weights) - 1:
                layers.append(nn.ReLU())
        self.model = nn.Sequential(*layers)
        self.X = torch.tensor(X, dtype=dt)
        self.y = torch.tensor(y, dtype=dt)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR)

    def params(self):  # in our order: per neuron its weights then its bias
        out = []
        for lin in self.model:
            if hasattr(lin, "weight"):
                for row, b in zip(lin.weight.grad, lin.bias.grad):
                    out += [*row.tolist(), b.item()]
        return out

    def loss(self):
        torch = self.torch
        scores = self.model(self.X).squeeze(1)
        data_loss = torch.relu(1 - self.y * scores).mean()
        return data_loss + ALPHA * sum((p * p).sum() for p in self.model.parameters())

    def loss_and_grads(self):
        self.opt.zero_grad()
        loss = self.loss()
        loss.backward()
        return loss.item(), self.params()

    def step(self):
        self.opt.zero_grad()
        self.loss().backward()
        self.opt.step()


class VectorizedEngine(Engine):
    """``solutions/level02-vectorized``: the same MLP on numpy arrays, the whole batch at once."""

    name = "vectorized (numpy)"
    note = "solutions/level02-vectorized, float64"

    def __init__(self, weights, X, y):
        self.mod = load_vectorized()
        self.model = self.mod.MLP.from_weights(weights)
        self.X, self.y = self.mod.Tensor(X), self.mod.np.asarray(y, dtype=float)  # once, as torch's tensors are

    def loss_and_grads(self):
        self.model.zero_grad()
        loss = self.mod.hinge_loss(self.model, self.X, self.y, ALPHA)
        loss.backward()
        return float(loss.data), self.model.flat_grads()

    def step(self):
        self.mod.train_step(self.model, self.X, self.y, LR, ALPHA)


def load_vectorized():
    spec = importlib.util.spec_from_file_location("_vectorized_solution", VECTORIZED)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def fast_value():
    from utils.autograd_stub import Value

    return Value


def make_engines(n_points: int = 100, seed: int = 0, which=None) -> list[Engine]:
    """Every engine with the same weights and data. ``which``: names to keep (None: all that load)."""
    from reference.engine import Value as Reference

    X, y = moons(n_points)
    weights = init_weights(SIZES, seed)
    Fast = fast_value()
    makers: dict[str, Callable[[], Engine]] = {
        "fast": lambda: ScalarEngine("fast (escape hatch)", Fast, weights, X, y, fused=True,
                                     note="utils.autograd_stub, Value.dot per neuron"),
        "fast-unfused": lambda: ScalarEngine("fast, unfused", Fast, weights, X, y, fused=False,
                                             note="same engine, micrograd's graph"),
        "reference": lambda: ScalarEngine("reference", Reference, weights, X, y, fused=False,
                                          note="reference/engine.py"),
        "micrograd": lambda: MicrogradEngine(weights, X, y),
        "torch-scalar": lambda: TorchScalarEngine(weights, X, y),
        "vectorized": lambda: VectorizedEngine(weights, X, y),
        "torch-batched": lambda: TorchBatchedEngine(weights, X, y),
    }
    engines = []
    for key, make in makers.items():
        if which is not None and key not in which:
            continue
        try:
            engine = make()
        except ImportError as e:  # micrograd or torch not installed: say so, bench the rest
            print(f"  skipping {key}: {e}", file=sys.stderr)
            continue
        engine.key = key
        engines.append(engine)
    return engines


# -- agreement -----------------------------------------------------------------


@dataclass
class Agreement:
    name: str
    loss: float
    loss_error: float  # |loss - loss of the first engine|, relative
    grad_error: float  # max relative difference of any gradient
    ok: bool


def check_agreement(engines: list[Engine], rtol: float = 1e-9) -> list[Agreement]:
    """Loss and every gradient of each engine against the first one's (same weights everywhere)."""
    base_loss, base_grads = engines[0].loss_and_grads()
    scale = max(1e-12, max(abs(g) for g in base_grads))
    out = []
    for engine in engines:
        loss, grads = engine.loss_and_grads()
        if len(grads) != len(base_grads):
            out.append(Agreement(engine.name, loss, math.inf, math.inf, False))
            continue
        le = abs(loss - base_loss) / max(abs(base_loss), 1e-12)
        ge = max(abs(a - b) for a, b in zip(grads, base_grads)) / scale
        out.append(Agreement(engine.name, loss, le, ge, le <= rtol and ge <= rtol))
    return out


# -- timing ----------------------------------------------------------------------


def time_rounds(tasks: dict[str, Callable[[], object]], repeats: int,
                min_block: float = 0.05) -> dict[str, list[float]]:
    """Seconds per call of each task: ``repeats`` rounds, each round timing every task once.

    Rounds keep the comparison fair on a shared machine: a burst of load hits
    every engine, not just one. Within a round a task runs as a block of
    calls lasting at least ``min_block`` seconds (one call for the slow
    engines, dozens for the fast ones), as a training loop runs it: warm,
    step after step. The warm-up call also picks the block's length.
    """
    blocks = {}
    for k, f in tasks.items():
        t0 = time.perf_counter()
        f()  # warm-up: imports, caches, allocator
        blocks[k] = max(1, math.ceil(min_block / max(time.perf_counter() - t0, 1e-9)))
    times: dict[str, list[float]] = {k: [] for k in tasks}
    for _ in range(repeats):
        for k, f in tasks.items():
            n = blocks[k]
            gc.collect()  # the previous task's cyclic garbage is not this task's cost
            t0 = time.perf_counter()
            for _ in range(n):
                f()
            times[k].append((time.perf_counter() - t0) / n)
    return times


def median(xs: list[float]) -> float:
    return statistics.median(xs)


# -- a long chain ------------------------------------------------------------------


def build_chain(Value, n: int):
    """``n`` nodes: ``y = y * 0.999 + 0.001``, repeated (each op one node)."""
    x = Value(0.5)
    y = x
    for _ in range(n // 2):
        y = y * 0.999 + 0.001
    return x, y


def chain_times(Value, n: int, repeats: int) -> tuple[float, float | None, str]:
    """Median seconds to build the chain and to run ``backward()`` on it; and an error, if backward failed."""
    fwd, bwd = [], []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        x, y = build_chain(Value, n)
        t1 = time.perf_counter()
        fwd.append(t1 - t0)
        try:
            y.backward()
        except RecursionError:  # a recursive topological sort on a deep graph
            return median(fwd), None, "RecursionError in backward()"
        bwd.append(time.perf_counter() - t1)
        expected = 0.999 ** (n // 2)
        if not math.isclose(x.grad, expected, rel_tol=1e-6):
            raise AssertionError(f"chain of {n}: dx = {x.grad}, expected {expected}")
        del x, y
    return median(fwd), median(bwd), ""


def bytes_per_node(Value, n: int) -> tuple[float, float | None]:
    """Memory held by a chain of ``n`` nodes, by tracemalloc, divided by ``n``: after building, and after backward.

    Counts everything the graph keeps alive: the node objects, their data
    floats and whatever they store to run backward (closures, cells, tuples,
    sets); after backward also the gradients. The second figure is None when
    backward fails (a recursive engine on a deep chain).
    """
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        x, y = build_chain(Value, n)
        gc.collect()
        built = tracemalloc.get_traced_memory()[0]
        try:
            y.backward()
            gc.collect()
            after_backward = (tracemalloc.get_traced_memory()[0] - before) / n
        except RecursionError:
            after_backward = None
    finally:
        tracemalloc.stop()
    del x, y
    return (built - before) / n, after_backward


# -- the learner's loop --------------------------------------------------------------


def nox_command() -> list[str] | None:
    """How to call nox from here: this interpreter's, or the one on PATH (inside a nox session)."""
    if importlib.util.find_spec("nox") is not None:
        return [sys.executable, "-m", "nox"]
    found = shutil.which("nox")
    return [found] if found else None


def env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def learner_loop(repeats: int = 5) -> dict | None:
    """A warm ``nox -s level1`` against bare pytest running the same tests in the same environment.

    The first nox run creates (or refreshes) ``.nox/level1`` and is not
    counted. Then, in rounds: ``nox -s level1`` (what a learner types; the
    environment is reused and pip is not called), and ``.nox/level1``'s own
    ``python -m pytest katas --level=1`` run by the kata's level runner
    (``runner/levelrun.py``). The difference is what nox costs. Both run
    level 1's tests on the pristine stub (``--impl stubs/level1``), whatever
    the learner's own file holds, with the same options and environment (the
    runner's JSON report included), and exit non-zero; the bare run's verdict
    is checked (every test ran and failed), so a broken command is never timed
    as a fast one. The learner's progress state is not touched (a throw-away
    ``KATA_STATE_DIR``). Returns None when nox cannot be found.
    """
    from runner import levelrun

    nox = nox_command()
    if nox is None:
        return None
    state = tempfile.TemporaryDirectory()
    env = {"KATA_STATE_DIR": state.name}
    # what follows `pytest katas --level=1` in the runner's command: the same options for nox's run
    options = levelrun.command(1, "stubs/level1", Path(state.name) / "nox-report.json")[5:]

    def nox_run():
        return subprocess.run([*nox, "-s", "level1", "--", *options], cwd=ROOT, capture_output=True, text=True,
                              check=False, env=levelrun.environment(env))

    first = nox_run()
    python = env_python(ROOT / ".nox" / "level1")
    if not python.exists():
        return {"error": "nox -s level1 made no environment:\n" + first.stdout[-1500:] + first.stderr[-1500:]}
    runs: list = []
    with state:
        times = time_rounds({"nox": nox_run,
                             "pytest": lambda: runs.append(levelrun.run_level(1, "stubs/level1", env=env,
                                                                              python=python))},
                            repeats)
    bare = runs[-1]
    if bare.error or not bare.total or bare.failed != bare.total:
        return {"error": f"the bare run of level 1 on the stub did not fail every test ({bare.summary()}):\n"
                         + bare.output[-1500:]}
    return {
        "nox": median(times["nox"]),
        "pytest": median(times["pytest"]),
        "repeats": repeats,
        "tests": bare.total,
        "torch": {name: env_has_torch(name) for name in ("level1", "level2")},
    }


def env_has_torch(name: str) -> bool | None:
    """Whether ``.nox/<name>`` has torch installed (None: there is no such environment)."""
    env = ROOT / ".nox" / name
    if not env.exists():
        return None
    return any(env.glob("lib/python*/site-packages/torch")) or any(env.glob("Lib/site-packages/torch"))


# -- the whole run -------------------------------------------------------------------


@dataclass
class Results:
    repeats: int
    chain_n: int
    memory_n: int = 0
    agreement: list[Agreement] = field(default_factory=list)
    step: dict[str, float] = field(default_factory=dict)  # engine name -> seconds per step (median)
    notes: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # engine key -> name
    chain: dict[str, tuple[float, float | None, str]] = field(default_factory=dict)  # forward, backward, error
    memory: dict[str, tuple[float, float | None]] = field(default_factory=dict)  # bytes/node built, after backward
    loop: dict | None = None


FAST_NAME = "fast (escape hatch)"


def run(repeats: int = 9, n_points: int = 100, chain_n: int = 1_000_000, chain_repeats: int = 3,
        memory_n: int = 200_000, which=None, learner: bool = True, out=print) -> Results:
    """Everything, in order: agreement, training steps, the chain, memory, the learner's loop.

    The escape hatch's chain runs ``chain_repeats`` times and its memory is
    measured on ``chain_n`` nodes; the other engines' chains run once and their
    memory is measured on ``memory_n`` nodes (tracemalloc slows them down a lot,
    and bytes per node do not depend on the length).
    """
    res = Results(repeats, chain_n, memory_n)
    engines = make_engines(n_points, which=which)
    res.keys = {e.key: e.name for e in engines}
    res.notes = {e.name: e.note for e in engines}
    n_params = len(flat(init_weights()))
    out(f"Checking that {len(engines)} engines agree on the loss and all {n_params} gradients (same weights)...")
    res.agreement = check_agreement(engines)
    for a in res.agreement:
        out(f"  {a.name:24s} loss {a.loss:.12f}  loss diff {a.loss_error:.1e}  max grad diff {a.grad_error:.1e}  "
            + ("ok" if a.ok else "DISAGREES"))
    if not all(a.ok for a in res.agreement):
        raise SystemExit("the engines disagree: no timing until they compute the same thing")

    out(f"Timing one training step, {repeats} rounds...")
    times = time_rounds({e.name: e.step for e in engines}, repeats)
    res.step = {k: median(v) for k, v in times.items()}

    from reference.engine import Value as Reference

    chains = {FAST_NAME: fast_value(), "reference": Reference}
    try:
        from micrograd.engine import Value as Micrograd

        chains["micrograd 0.1.0"] = Micrograd
    except ImportError:
        pass
    for name, V in chains.items():
        fast = name == FAST_NAME
        if chain_n:
            out(f"Chain of {chain_n:,} nodes on {name}...")
            res.chain[name] = chain_times(V, chain_n, chain_repeats if fast else 1)
        res.memory[name] = bytes_per_node(V, max(chain_n, memory_n) if fast else memory_n)
    if learner:
        out("Timing the learner's loop (a warm nox -s level1 against bare pytest in the same environment)...")
        res.loop = learner_loop()
    return res
